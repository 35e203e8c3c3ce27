/* SPDX-License-Identifier: MIT
 * rrsig.c - RRSIG signed data and verification with OpenSSL 3 EVP.
 */
#include "sign/rrsig.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include "sign/dnskey.h"
#include "zone/dname.h"
#include "zone/rdata.h"

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

int
rrsig_signed_data(const uint8_t *rrsig, size_t rlen, const rrsig_rrset_t *set, uint8_t *out,
		  size_t cap, size_t *out_len)
{
	uint8_t owner[DNAME_MAXLEN];
	size_t olen = 0, slen = 0;

	if (rrsig == NULL || set == NULL || out_len == NULL || (out == NULL && cap > 0) ||
	    (set->count > 0 && (set->rdata == NULL || set->rdlen == NULL))) {
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
	size_t total = RRSIG_FIXEDLEN + slen, rdtotal = 0;
	for (size_t i = 0; i < set->count; i++) {
		if (set->rdata[i] == NULL ||
		    rdata_check(set->type, set->rdata[i], set->rdlen[i]) != SN_OK) {
			return SN_EPARSE;
		}
		total += olen + 10 + set->rdlen[i];
		rdtotal += set->rdlen[i];
	}
	if (total > cap) {
		return SN_ENOSPC;
	}
	/* Canonical copies of the RDATA, sorted, so duplicates sit together. */
	uint8_t *copy = malloc(rdtotal + 1);
	rr_ref_t *refs = malloc((set->count + 1) * sizeof(*refs));
	if (copy == NULL || refs == NULL) {
		free(copy);
		free(refs);
		return SN_ENOMEM;
	}
	size_t off = 0;
	for (size_t i = 0; i < set->count; i++) {
		memcpy(copy + off, set->rdata[i], set->rdlen[i]);
		rdata_to_canonical(set->type, copy + off, set->rdlen[i]);
		refs[i].p = copy + off;
		refs[i].len = set->rdlen[i];
		off += set->rdlen[i];
	}
	qsort(refs, set->count, sizeof(*refs), rr_ref_cmp);

	uint8_t *w = out;
	memcpy(w, rrsig, RRSIG_FIXEDLEN + slen);
	dname_to_lower(w + RRSIG_FIXEDLEN);
	w += RRSIG_FIXEDLEN + slen;
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
		memcpy(w, rrsig + 4, 4); /* RFC 4035 5.3.2: the original TTL */
		w += 4;
		*w++ = (uint8_t)(refs[i].len >> 8);
		*w++ = (uint8_t)refs[i].len;
		memcpy(w, refs[i].p, refs[i].len);
		w += refs[i].len;
	}
	free(copy);
	free(refs);
	*out_len = (size_t)(w - out);
	return SN_OK;
}

/* An EC public key from the RFC 6605 4 form: X | Y, no point prefix. */
static int
ec_key(const char *group, const uint8_t *pub, size_t len, EVP_PKEY **out)
{
	uint8_t pt[1 + 96];
	int rc = SN_ENOMEM;
	EVP_PKEY_CTX *pctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;

	pt[0] = 0x04; /* uncompressed point (SEC 1 2.3.3) */
	memcpy(pt + 1, pub, len);
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, len + 1) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		goto out;
	}
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (pctx == NULL || EVP_PKEY_fromdata_init(pctx) != 1) {
		goto out;
	}
	/* A point not on the curve is bad input, not an allocation failure. */
	rc = EVP_PKEY_fromdata(pctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1 ? SN_OK : SN_EPARSE;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(pctx);
	return rc;
}

/* RFC 6605 4: the signature is r | s, each `half` octets; EVP wants the
 * DER ECDSA-Sig-Value. */
static int
ec_sig_der(const uint8_t *sig, size_t half, uint8_t **der, size_t *der_len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)half, NULL);
	BIGNUM *s = BN_bin2bn(sig + half, (int)half, NULL);
	if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		ECDSA_SIG_free(es);
		BN_free(r);
		BN_free(s);
		return SN_ENOMEM;
	}
	uint8_t *buf = NULL;
	int n = i2d_ECDSA_SIG(es, &buf);
	ECDSA_SIG_free(es);
	if (n <= 0) {
		return SN_ENOMEM;
	}
	*der = buf;
	*der_len = (size_t)n;
	return SN_OK;
}

/* An RSA public key from the RFC 3110 2 form: exponent length (one octet,
 * or zero and two octets), exponent, modulus. RFC 5702 2.1 and 3.1 allow
 * moduli of 512 to 4096 bits. Returns SN_EPARSE for anything else. */
static int
rsa_key(const uint8_t *pub, size_t len, EVP_PKEY **out)
{
	size_t elen, off;
	if (len < 1) {
		return SN_EPARSE;
	}
	if (pub[0] != 0) {
		elen = pub[0];
		off = 1;
	} else {
		if (len < 3) {
			return SN_EPARSE;
		}
		elen = ((size_t)pub[1] << 8) | pub[2];
		off = 3;
	}
	if (elen == 0 || len - off <= elen) {
		return SN_EPARSE;
	}
	size_t mlen = len - off - elen;
	if (mlen < 64 || mlen > 512) {
		return SN_EPARSE;
	}
	int rc = SN_ENOMEM;
	BIGNUM *e = BN_bin2bn(pub + off, (int)elen, NULL);
	BIGNUM *n = BN_bin2bn(pub + off + elen, (int)mlen, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	if (e == NULL || n == NULL || bld == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		goto out;
	}
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (pctx == NULL || EVP_PKEY_fromdata_init(pctx) != 1) {
		goto out;
	}
	rc = EVP_PKEY_fromdata(pctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1 ? SN_OK : SN_EPARSE;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(pctx);
	BN_free(e);
	BN_free(n);
	return rc;
}

int
rrsig_verify(const uint8_t *rrsig, size_t rlen, const uint8_t *key, size_t klen,
	     const rrsig_rrset_t *set)
{
	size_t slen = 0, dlen = 0;

	if (rrsig == NULL || key == NULL || set == NULL ||
	    (set->count > 0 && (set->rdata == NULL || set->rdlen == NULL))) {
		return SN_EINVAL;
	}
	if (rlen < RRSIG_FIXEDLEN || klen < DNSKEY_HDRLEN ||
	    dname_check(rrsig + RRSIG_FIXEDLEN, rlen - RRSIG_FIXEDLEN, &slen) != SN_OK) {
		return SN_EPARSE;
	}
	uint8_t alg = rrsig[2];
	/* RFC 4034 2.1.1 and 2.1.2: only a zone key (flags bit 7) of protocol 3
	 * may verify an RRSIG; and the algorithms must agree (3.1.2). */
	if ((key[0] & 1) == 0 || key[2] != 3 || key[3] != alg) {
		return SN_ECHECK;
	}
	const uint8_t *sig = rrsig + RRSIG_FIXEDLEN + slen;
	size_t siglen = rlen - RRSIG_FIXEDLEN - slen;
	const uint8_t *pub = key + DNSKEY_HDRLEN;
	size_t publen = klen - DNSKEY_HDRLEN;

	const EVP_MD *md = NULL;
	const char *group = NULL;
	int pkey_id = 0;
	size_t want = 0; /* public key length; the signature has the same */
	int rsa = 0;
	switch (alg) {
	case DNSSEC_ALG_RSASHA256: /* RFC 5702 */
		md = EVP_sha256();
		rsa = 1;
		break;
	case DNSSEC_ALG_RSASHA512:
		md = EVP_sha512();
		rsa = 1;
		break;
	case DNSSEC_ALG_ECDSAP256SHA256:
		md = EVP_sha256();
		group = "P-256";
		want = 64;
		break;
	case DNSSEC_ALG_ECDSAP384SHA384:
		md = EVP_sha384();
		group = "P-384";
		want = 96;
		break;
	case DNSSEC_ALG_ED25519: /* RFC 8080 */
		pkey_id = EVP_PKEY_ED25519;
		want = 32;
		break;
	case DNSSEC_ALG_ED448:
		pkey_id = EVP_PKEY_ED448;
		want = 57;
		break;
	default:
		return SN_ENOTSUP;
	}
	size_t want_sig = pkey_id == EVP_PKEY_ED448 ? 114 : (pkey_id != 0 ? 64 : want);
	if (rsa ? (siglen == 0 || siglen > 512) : (publen != want || siglen != want_sig)) {
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
	if (rc != SN_OK) {
		free(data);
		return rc;
	}

	EVP_PKEY *pkey = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	const uint8_t *vsig = sig;
	size_t vlen = siglen;
	if (rsa) {
		rc = rsa_key(pub, publen, &pkey);
		/* PKCS #1 signatures are exactly as long as the modulus. */
		if (rc == SN_OK && (size_t)EVP_PKEY_get_size(pkey) != siglen) {
			rc = SN_EPARSE;
		}
	} else if (group != NULL) {
		rc = ec_key(group, pub, publen, &pkey);
		if (rc == SN_OK) {
			rc = ec_sig_der(sig, siglen / 2, &der, &der_len);
			vsig = der;
			vlen = der_len;
		}
	} else {
		pkey = EVP_PKEY_new_raw_public_key(pkey_id, NULL, pub, publen);
		rc = pkey != NULL ? SN_OK : SN_EPARSE;
	}
	if (rc == SN_OK) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		if (ctx == NULL) {
			rc = SN_ENOMEM;
		} else if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) != 1) {
			rc = SN_ENOMEM;
		} else {
			rc = EVP_DigestVerify(ctx, vsig, vlen, data, dlen) == 1 ? SN_OK : SN_ECHECK;
		}
		EVP_MD_CTX_free(ctx);
	}
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	free(data);
	return rc;
}
