/* SPDX-License-Identifier: MIT
 * rrsig.c - RRSIG signed data, signing and verification (keys in sign/keypair.c).
 */
#include "sign/rrsig.h"

#include "sign/dnskey.h"
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct rr_ref {
	const uint8_t *p;
	uint16_t len;
} rr_ref_t;

/* RFC 4034 6.3: RDATA compared as left-justified unsigned octet strings,
 * the shorter first when one is a prefix of the other. */
static int
rr_ref_cmp(const void *a, const void *b)
{
	const rr_ref_t *x = a;
	const rr_ref_t *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);
	if (c != 0) {
		return c;
	}
	return (x->len > y->len) - (x->len < y->len);
}

/* The owner as signed: lower-cased, and for a wildcard expansion "*." plus
 * the rightmost `labels` labels (RFC 4035 5.3.2). */
static int
signed_owner(const uint8_t *owner, uint8_t labels, uint8_t out[DNAME_MAXLEN], size_t *out_len)
{
	size_t len = 0;
	if (dname_check(owner, DNAME_MAXLEN, &len) != SN_OK) {
		return SN_EPARSE;
	}
	unsigned n = dname_label_count(owner);
	/* RFC 4034 3.1.3: the labels field does not count a leading "*". */
	unsigned nw = dname_is_wildcard(owner) ? n - 1 : n;
	if (labels > nw) {
		return SN_EPARSE;
	}
	const uint8_t *p = owner;
	size_t o = 0;
	if (labels < n) {
		out[o++] = 1;
		out[o++] = '*';
		for (unsigned i = 0; i < n - labels; i++) {
			p += 1 + p[0];
		}
	}
	size_t rest = dname_len(p);
	memcpy(out + o, p, rest);
	dname_to_lower(out);
	*out_len = o + rest;
	return SN_OK;
}

/* The sum of the RR lengths in the signed data of `set` (before dropping
 * duplicates) with owners of `olen` octets, and of the RDATA lengths;
 * checks each RDATA. */
static int
set_sizes(const rrsig_rrset_t *set, size_t olen, size_t *rrs, size_t *rdtotal)
{
	size_t a = 0, b = 0;
	for (size_t i = 0; i < set->count; i++) {
		if (set->rdata[i] == NULL ||
		    rdata_check(set->type, set->rdata[i], set->rdlen[i]) != SN_OK) {
			return SN_EPARSE;
		}
		a += olen + 10 + set->rdlen[i];
		b += set->rdlen[i];
	}
	*rrs = a;
	*rdtotal = b;
	return SN_OK;
}

/* Octets of `tmp` that build_signed needs besides the signed data. */
static size_t
tmp_len(size_t count, size_t rdtotal)
{
	return rdtotal + (count + 1) * sizeof(rr_ref_t) + _Alignof(rr_ref_t);
}

/* Writes the signed data (RFC 4034 3.1.8.1): `hdr` (the RRSIG RDATA up to
 * and including the signer, `hlen` octets, copied with the signer
 * lower-cased), then the RRs of `set` under the signed owner `owner`, in
 * canonical form and order, without duplicates. `out` has room for hlen +
 * every RR; `tmp` (tmp_len octets) holds the sorted canonical RDATA, so
 * nothing is allocated here. */
static size_t
build_signed(const uint8_t *hdr, size_t hlen, const rrsig_rrset_t *set, const uint8_t *owner,
             size_t olen, uint8_t *out, uint8_t *tmp, size_t rdtotal)
{
	uintptr_t a = (uintptr_t)(tmp + rdtotal);
	a = (a + _Alignof(rr_ref_t) - 1) & ~(uintptr_t)(_Alignof(rr_ref_t) - 1);
	rr_ref_t *refs = (rr_ref_t *)a;
	size_t off = 0;
	for (size_t i = 0; i < set->count; i++) {
		memcpy(tmp + off, set->rdata[i], set->rdlen[i]);
		rdata_to_canonical(set->type, tmp + off, set->rdlen[i]);
		refs[i].p = tmp + off;
		refs[i].len = set->rdlen[i];
		off += set->rdlen[i];
	}
	qsort(refs, set->count, sizeof(*refs), rr_ref_cmp);

	uint8_t *w = out;
	memcpy(w, hdr, hlen);
	dname_to_lower(w + RRSIG_FIXEDLEN);
	w += hlen;
	for (size_t i = 0; i < set->count; i++) {
		/* RFC 4034 6.3: duplicate RRs are not part of an RRset. */
		if (i > 0 && rr_ref_cmp(&refs[i - 1], &refs[i]) == 0) {
			continue;
		}
		memcpy(w, owner, olen);
		w += olen;
		*w++ = (uint8_t)(set->type >> 8);
		*w++ = (uint8_t)set->type;
		*w++ = (uint8_t)(set->rclass >> 8);
		*w++ = (uint8_t)set->rclass;
		memcpy(w, hdr + 4, 4); /* RFC 4035 5.3.2: the original TTL */
		w += 4;
		*w++ = (uint8_t)(refs[i].len >> 8);
		*w++ = (uint8_t)refs[i].len;
		memcpy(w, refs[i].p, refs[i].len);
		w += refs[i].len;
	}
	return (size_t)(w - out);
}

static bool
set_ok(const rrsig_rrset_t *set)
{
	return set != NULL && (set->count == 0 || (set->rdata != NULL && set->rdlen != NULL));
}

int
rrsig_signed_data(const uint8_t *rrsig, size_t rlen, const rrsig_rrset_t *set, uint8_t *out,
                  size_t cap, size_t *out_len)
{
	uint8_t owner[DNAME_MAXLEN];
	size_t olen = 0, slen = 0, rrs = 0, rdtotal = 0;

	if (rrsig == NULL || !set_ok(set) || out_len == NULL || (out == NULL && cap > 0)) {
		return SN_EINVAL;
	}
	if (rlen < RRSIG_FIXEDLEN ||
	    dname_check(rrsig + RRSIG_FIXEDLEN, rlen - RRSIG_FIXEDLEN, &slen) != SN_OK) {
		return SN_EPARSE;
	}
	if (((rrsig[0] << 8) | rrsig[1]) != set->type) {
		return SN_EINVAL;
	}
	int rc = signed_owner(set->owner, rrsig[3], owner, &olen);
	if (rc != SN_OK) {
		return rc;
	}
	rc = set_sizes(set, olen, &rrs, &rdtotal);
	if (rc != SN_OK) {
		return rc;
	}
	if (RRSIG_FIXEDLEN + slen + rrs > cap) {
		return SN_ENOSPC;
	}
	uint8_t *tmp = malloc(tmp_len(set->count, rdtotal));
	if (tmp == NULL) {
		return SN_ENOMEM;
	}
	*out_len = build_signed(rrsig, RRSIG_FIXEDLEN + slen, set, owner, olen, out, tmp, rdtotal);
	free(tmp);
	return SN_OK;
}

size_t
rrsig_sign_scratch_len(const rrsig_rrset_t *set)
{
	size_t rrs = 0, rdtotal = 0;
	if (!set_ok(set)) {
		return 0;
	}
	for (size_t i = 0; i < set->count; i++) {
		rrs += DNAME_MAXLEN + 10 + set->rdlen[i];
		rdtotal += set->rdlen[i];
	}
	return RRSIG_FIXEDLEN + DNAME_MAXLEN + rrs + tmp_len(set->count, rdtotal);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
rrsig_sign(const keypair_t *key, const rrsig_rrset_t *set, const uint8_t *signer, uint32_t ttl,
           uint32_t inception, uint32_t expiration, uint8_t *scratch, size_t scratch_cap,
           uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t owner[DNAME_MAXLEN];
	size_t olen = 0, slen = 0, rrs = 0, rdtotal = 0;

	if (key == NULL || !set_ok(set) || set->owner == NULL || signer == NULL ||
	    out_len == NULL || (scratch == NULL && scratch_cap > 0) || (out == NULL && cap > 0)) {
		return SN_EINVAL;
	}
	/* RFC 4035 2.2: RRSIG RRsets are never signed. RFC 4034 3.1.5: the
	 * validity period is compared in serial number arithmetic, so it must
	 * be under 2^31 seconds to mean anything. */
	if (!keypair_has_private(key) || set->count == 0 || set->type == RRTYPE_RRSIG ||
	    (int32_t)(expiration - inception) <= 0) {
		return SN_EINVAL;
	}
	if (dname_check(signer, DNAME_MAXLEN, &slen) != SN_OK ||
	    dname_check(set->owner, DNAME_MAXLEN, &olen) != SN_OK) {
		return SN_EPARSE;
	}
	/* RFC 4034 3.1.3: the labels field does not count the root or a
	 * leading "*". */
	unsigned labels = dname_label_count(set->owner);
	if (dname_is_wildcard(set->owner)) {
		labels--;
	}
	size_t siglen = keypair_sig_maxlen(key);
	size_t hlen = RRSIG_FIXEDLEN + slen;
	if (cap < hlen + siglen) {
		return SN_ENOSPC;
	}
	out[0] = (uint8_t)(set->type >> 8);
	out[1] = (uint8_t)set->type;
	out[2] = keypair_alg(key);
	out[3] = (uint8_t)labels;
	put32(out + 4, ttl);
	put32(out + 8, expiration);
	put32(out + 12, inception);
	out[16] = (uint8_t)(keypair_tag(key) >> 8);
	out[17] = (uint8_t)keypair_tag(key);
	memcpy(out + RRSIG_FIXEDLEN, signer, slen);
	dname_to_lower(out + RRSIG_FIXEDLEN);

	/* The owner as signed: lower-cased (RFC 4034 6.2); the RRset's own
	 * name, wildcard or not, since labels covers all but the "*". */
	memcpy(owner, set->owner, olen);
	dname_to_lower(owner);
	int rc = set_sizes(set, olen, &rrs, &rdtotal);
	if (rc != SN_OK) {
		return rc;
	}
	size_t need = hlen + rrs;
	if (scratch_cap < need || scratch_cap - need < tmp_len(set->count, rdtotal)) {
		return SN_ENOSPC;
	}
	size_t dlen = build_signed(out, hlen, set, owner, olen, scratch, scratch + need, rdtotal);
	size_t sl = 0;
	rc = keypair_sign(key, scratch, dlen, out + hlen, cap - hlen, &sl);
	if (rc != SN_OK) {
		return rc;
	}
	*out_len = hlen + sl;
	return SN_OK;
}

int
rrsig_verify_key(const uint8_t *rrsig, size_t rlen, const keypair_t *key, const rrsig_rrset_t *set)
{
	size_t slen = 0, dlen = 0;

	if (rrsig == NULL || key == NULL || !set_ok(set)) {
		return SN_EINVAL;
	}
	if (rlen < RRSIG_FIXEDLEN ||
	    dname_check(rrsig + RRSIG_FIXEDLEN, rlen - RRSIG_FIXEDLEN, &slen) != SN_OK) {
		return SN_EPARSE;
	}
	/* RFC 4034 2.1.1 and 2.1.2: only a zone key (flags bit 7) of protocol 3
	 * may verify an RRSIG (a keypair_t is always protocol 3); and the
	 * algorithms must agree (3.1.2). */
	if ((keypair_flags(key) & KEYPAIR_FLAG_ZONE) == 0 || keypair_alg(key) != rrsig[2]) {
		return SN_ECHECK;
	}
	const uint8_t *sig = rrsig + RRSIG_FIXEDLEN + slen;
	size_t siglen = rlen - RRSIG_FIXEDLEN - slen;
	if (siglen != keypair_sig_maxlen(key)) {
		return SN_EPARSE;
	}
	/* An upper bound of the signed data: every owner at its longest. */
	size_t cap = RRSIG_FIXEDLEN + slen;
	for (size_t i = 0; i < set->count; i++) {
		cap += DNAME_MAXLEN + 10 + set->rdlen[i];
	}
	uint8_t *data = malloc(cap);
	if (data == NULL) {
		return SN_ENOMEM;
	}
	int rc = rrsig_signed_data(rrsig, rlen, set, data, cap, &dlen);
	if (rc == SN_OK) {
		rc = keypair_verify(key, data, dlen, sig, siglen);
	}
	free(data);
	return rc;
}

int
rrsig_verify(const uint8_t *rrsig, size_t rlen, const uint8_t *key, size_t klen,
             const rrsig_rrset_t *set)
{
	size_t slen = 0;

	if (rrsig == NULL || key == NULL || !set_ok(set)) {
		return SN_EINVAL;
	}
	if (rlen < RRSIG_FIXEDLEN || klen < DNSKEY_HDRLEN ||
	    dname_check(rrsig + RRSIG_FIXEDLEN, rlen - RRSIG_FIXEDLEN, &slen) != SN_OK) {
		return SN_EPARSE;
	}
	/* Checked before the key is read, as rrsig_verify_key would. */
	if ((key[0] & 1) == 0 || key[2] != 3 || key[3] != rrsig[2]) {
		return SN_ECHECK;
	}
	keypair_t *k = NULL;
	int rc = keypair_from_dnskey(key, klen, &k);
	if (rc != SN_OK) {
		return rc;
	}
	rc = rrsig_verify_key(rrsig, rlen, k, set);
	keypair_free(k);
	return rc;
}
