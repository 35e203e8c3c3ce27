/* SPDX-License-Identifier: MIT
 * nsec.c - NSEC and NSEC3 chains over a sorted record list.
 *
 * One linear walk over the list finds the authoritative names; for NSEC3
 * it also adds the empty non-terminals between each name and the name
 * before it (in canonical order a name's existing ancestors all come
 * before it, and everything between an ancestor and the name lies below
 * that ancestor, so the missing ancestors are exactly those deeper than
 * the common suffix with the previous owner).
 */
#include "sign/nsec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zone/rrtype.h"

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (err == NULL || errlen == 0) {
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void
name_text(const uint8_t *dn, char *buf, size_t cap)
{
	if (dname_to_text(dn, buf, cap) < 0) {
		snprintf(buf, cap, "(name)");
	}
}

static int
push_node(nsec_zone_t *z, size_t *cap, const uint8_t *owner, size_t first, size_t end,
	  uint32_t flags)
{
	if (z->count == *cap) {
		size_t nc = *cap != 0 ? *cap * 2 : 1024;
		if (nc > UINT32_MAX) {
			nc = UINT32_MAX;
		}
		if (nc <= z->count) {
			return SN_ERANGE;
		}
		nsec_node_t *nn = realloc(z->nodes, nc * sizeof(*nn));
		if (nn == NULL) {
			return SN_ENOMEM;
		}
		z->nodes = nn;
		*cap = nc;
	}
	nsec_node_t *n = &z->nodes[z->count++];
	n->owner = owner;
	n->first = first;
	n->end = end;
	n->flags = flags;
	memset(n->hash, 0, sizeof(n->hash));
	return SN_OK;
}

static bool
label_eq(const uint8_t *a, const uint8_t *b)
{
	if (a[0] != b[0]) {
		return false;
	}
	for (unsigned i = 1; i <= a[0]; i++) {
		if (dname_lower_tab[a[i]] != dname_lower_tab[b[i]]) {
			return false;
		}
	}
	return true;
}

/* Adds the empty non-terminals between `prev` and `cur` (RFC 5155 7.1):
 * the ancestors of `cur` deeper than both the apex and the labels `cur`
 * shares with `prev`, shallowest first (canonical order). */
static int
add_ents(nsec_zone_t *z, size_t *cap, const uint8_t *prev, const uint8_t *cur, unsigned apex_labels,
	 size_t at)
{
	uint8_t po[DNAME_MAXLABELS], co[DNAME_MAXLABELS];
	unsigned pn = dname_label_offsets(prev, po);
	unsigned cn = dname_label_offsets(cur, co);
	unsigned common = 0;
	while (common < pn && common < cn &&
	       label_eq(prev + po[pn - 1 - common], cur + co[cn - 1 - common])) {
		common++;
	}
	unsigned k = common > apex_labels ? common : apex_labels;
	for (k = k + 1; k < cn; k++) {
		int rc = push_node(z, cap, cur + co[cn - k], at, at, NSEC_NODE_ENT);
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

static bool
is_dnssec_type(uint16_t t)
{
	return t == RRTYPE_DNSKEY || t == RRTYPE_RRSIG || t == RRTYPE_NSEC || t == RRTYPE_NSEC3 ||
	       t == RRTYPE_NSEC3PARAM;
}

/* RFC 5155 7.1: with Opt-Out, an insecure delegation gets no NSEC3, and
 * neither does an ENT that only leads to such delegations. */
static void
mark_opt_out(nsec_zone_t *z)
{
	for (size_t i = 1; i < z->count; i++) {
		nsec_node_t *n = &z->nodes[i];
		if ((n->flags & NSEC_NODE_CUT) && !(n->flags & NSEC_NODE_DS)) {
			n->flags |= NSEC_NODE_UNHASHED;
		}
	}
	/* Children follow their ENT, so a forward scan over the ENT's
	 * subtree finds whether anything below still gets an NSEC3. The
	 * nodes below were marked above (ENTs below are settled by their own
	 * scan, which looks at the same non-ENT nodes). */
	for (size_t i = 1; i < z->count; i++) {
		nsec_node_t *n = &z->nodes[i];
		if (!(n->flags & NSEC_NODE_ENT)) {
			continue;
		}
		bool needed = false;
		for (size_t j = i + 1; j < z->count; j++) {
			const nsec_node_t *m = &z->nodes[j];
			if (!dname_is_subdomain(m->owner, n->owner)) {
				break;
			}
			if (!(m->flags & (NSEC_NODE_ENT | NSEC_NODE_UNHASHED))) {
				needed = true;
				break;
			}
		}
		if (!needed) {
			n->flags |= NSEC_NODE_UNHASHED;
		}
	}
}

int
nsec_zone_build(nsec_zone_t *z, const rrlist_t *l, const uint8_t *apex, const nsec3_param_t *n3,
		const uint16_t *apex_types, size_t apex_ntypes, char *err, size_t errlen)
{
	nsec_zone_t nz;
	size_t cap = 0;
	char nb[DNAME_MAXTEXT];
	int rc = SN_EINVAL;

	memset(&nz, 0, sizeof(nz));
	if (z == NULL || l == NULL || apex == NULL || apex_ntypes > 8 ||
	    (apex_types == NULL && apex_ntypes > 0)) {
		set_err(err, errlen, "bad arguments");
		return SN_EINVAL;
	}
	size_t n = rrlist_count(l);
	if (!rrlist_is_sorted(l)) {
		set_err(err, errlen, "the record list is not sorted");
		return SN_EINVAL;
	}
	if (n == 0) {
		set_err(err, errlen, "the zone is empty");
		return SN_EINVAL;
	}
	rrlist_rr_t first = rrlist_get(l, 0);
	if (!dname_is_equal(first.owner, apex)) {
		name_text(dname_is_subdomain(first.owner, apex) ? apex : first.owner, nb,
			  sizeof(nb));
		set_err(err, errlen,
			dname_is_subdomain(first.owner, apex) ? "no records at the apex %s"
							      : "%s is outside the zone",
			nb);
		return SN_EINVAL;
	}
	nz.apex = first.owner;
	nz.rclass = first.rclass;
	nz.nsec3 = n3 != NULL;
	if (n3 != NULL) {
		nz.n3 = *n3;
		/* The hash label is 1 + 32 octets on the apex. */
		if (dname_len(apex) + 1 + NSEC3_B32_LEN > DNAME_MAXLEN) {
			set_err(err, errlen, "the apex is too long for NSEC3 owner names");
			return SN_ERANGE;
		}
	}
	memcpy(nz.apex_types, apex_types != NULL ? apex_types : nz.apex_types,
	       apex_ntypes * sizeof(uint16_t));
	nz.apex_ntypes = apex_ntypes;
	unsigned apex_labels = dname_label_count(apex);
	bool have_soa = false;
	const uint8_t *prev = NULL;

	for (size_t i = 0; i < n;) {
		rrlist_rr_t r = rrlist_get(l, i);
		size_t oe = rrlist_owner_end(l, i);
		bool at_apex = i == 0;
		bool ns = false, ds = false;
		if (!at_apex && !dname_is_subdomain(r.owner, apex)) {
			name_text(r.owner, nb, sizeof(nb));
			set_err(err, errlen, "%s is outside the zone", nb);
			goto fail;
		}
		for (size_t j = i; j < oe; j++) {
			uint16_t t = rrlist_type(l, j);
			if (rrlist_rclass(l, j) != nz.rclass) {
				name_text(r.owner, nb, sizeof(nb));
				set_err(err, errlen, "%s: a record of another class than the SOA",
					nb);
				goto fail;
			}
			if (is_dnssec_type(t)) {
				char tb[RRTYPE_MAXTEXT];
				name_text(r.owner, nb, sizeof(nb));
				rrtype_to_text(t, tb, sizeof(tb));
				set_err(err, errlen,
					"%s %s: DNSSEC records in the unsigned input (the signer "
					"makes them; strip them first)",
					nb, tb);
				goto fail;
			}
			if (t == RRTYPE_SOA) {
				if (!at_apex) {
					name_text(r.owner, nb, sizeof(nb));
					set_err(err, errlen, "%s: SOA below the apex", nb);
					goto fail;
				}
				if (!have_soa) {
					rrlist_rr_t s = rrlist_get(l, j);
					if (s.rdlen < 20) {
						set_err(err, errlen, "malformed SOA");
						goto fail;
					}
					const uint8_t *m = s.rdata + s.rdlen - 4;
					uint32_t min = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
						       (uint32_t)m[2] << 8 | m[3];
					nz.soa_ttl = s.ttl;
					nz.ttl = min < s.ttl ? min : s.ttl;
				}
				have_soa = true;
			} else if (t == RRTYPE_NS) {
				ns = true;
			} else if (t == RRTYPE_DS) {
				ds = true;
			}
		}
		if (at_apex && !have_soa) {
			name_text(apex, nb, sizeof(nb));
			set_err(err, errlen, "no SOA at the apex %s", nb);
			goto fail;
		}
		bool cut = !at_apex && ns;
		if (ds && !cut) {
			name_text(r.owner, nb, sizeof(nb));
			/* RFC 4035 2.4: DS appears only at delegation points; at the
			 * apex it belongs in the parent. */
			set_err(err, errlen, "%s: DS at a name that is not a delegation", nb);
			goto fail;
		}
		if (nz.nsec3 && prev != NULL) {
			rc = add_ents(&nz, &cap, prev, r.owner, apex_labels, i);
			if (rc != SN_OK) {
				goto fail_rc;
			}
		}
		uint32_t flags = (at_apex ? NSEC_NODE_APEX : 0) | (cut ? NSEC_NODE_CUT : 0) |
				 (cut && ds ? NSEC_NODE_DS : 0);
		rc = push_node(&nz, &cap, r.owner, i, oe, flags);
		if (rc != SN_OK) {
			goto fail_rc;
		}
		prev = r.owner;
		/* RFC 4035 2.3, RFC 5155 7.1: what lies below a cut is not
		 * authoritative: no NSEC, no NSEC3, no ENTs. The next owner
		 * outside the cut shares with the cut what it shares with
		 * any name below it, so `prev` may stay the cut. */
		i = cut ? rrlist_subtree_end(l, i) : oe;
	}

	if (nz.nsec3) {
		if (nz.n3.opt_out) {
			mark_opt_out(&nz);
		}
	} else {
		nz.chain = malloc(nz.count * sizeof(uint32_t));
		if (nz.chain == NULL) {
			rc = SN_ENOMEM;
			goto fail_rc;
		}
		for (size_t i = 0; i < nz.count; i++) {
			nz.chain[i] = (uint32_t)i;
		}
		nz.chain_count = nz.count;
	}
	*z = nz;
	return SN_OK;
fail:
	rc = SN_EINVAL;
fail_rc:
	if (rc == SN_ENOMEM) {
		set_err(err, errlen, "out of memory");
	} else if (rc == SN_ERANGE) {
		set_err(err, errlen, "too many names");
	}
	nsec_zone_clear(&nz);
	return rc;
}

int
nsec3_zone_hash(nsec_zone_t *z, size_t lo, size_t hi)
{
	if (z == NULL || !z->nsec3) {
		return SN_EINVAL;
	}
	if (hi > z->count) {
		hi = z->count;
	}
	for (size_t i = lo; i < hi; i++) {
		nsec_node_t *n = &z->nodes[i];
		if (n->flags & NSEC_NODE_UNHASHED) {
			continue;
		}
		int rc = nsec3_hash(NSEC3_ALG_SHA1, n->owner, z->n3.salt, z->n3.salt_len,
				    z->n3.iterations, n->hash);
		if (rc != SN_OK) {
			return rc == SN_EPARSE ? SN_EINVAL : rc;
		}
	}
	return SN_OK;
}

/* Sort entries: the first 8 hash octets as an integer decide almost every
 * comparison without touching the node. */
struct hent {
	uint64_t pfx;
	uint32_t idx;
};

static uint64_t
be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

static int
hent_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct hent *a = pa;
	const struct hent *b = pb;
	const nsec_node_t *nodes = ctx;
	if (a->pfx != b->pfx) {
		return a->pfx < b->pfx ? -1 : 1;
	}
	return memcmp(nodes[a->idx].hash, nodes[b->idx].hash, NSEC3_HASH_LEN);
}

int
nsec3_zone_order(nsec_zone_t *z, char *err, size_t errlen)
{
	char nb[DNAME_MAXTEXT], nb2[DNAME_MAXTEXT];

	if (z == NULL || !z->nsec3) {
		set_err(err, errlen, "not an NSEC3 zone");
		return SN_EINVAL;
	}
	size_t m = 0;
	for (size_t i = 0; i < z->count; i++) {
		m += !(z->nodes[i].flags & NSEC_NODE_UNHASHED);
	}
	struct hent *h = malloc((m != 0 ? m : 1) * sizeof(*h));
	uint32_t *chain = malloc((m != 0 ? m : 1) * sizeof(*chain));
	if (h == NULL || chain == NULL) {
		free(h);
		free(chain);
		set_err(err, errlen, "out of memory");
		return SN_ENOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < z->count; i++) {
		if (!(z->nodes[i].flags & NSEC_NODE_UNHASHED)) {
			h[k].pfx = be64(z->nodes[i].hash);
			h[k].idx = (uint32_t)i;
			k++;
		}
	}
	qsort_r(h, m, sizeof(*h), hent_cmp, z->nodes);
	for (size_t i = 0; i < m; i++) {
		if (i > 0 && hent_cmp(&h[i - 1], &h[i], z->nodes) == 0) {
			name_text(z->nodes[h[i - 1].idx].owner, nb, sizeof(nb));
			name_text(z->nodes[h[i].idx].owner, nb2, sizeof(nb2));
			set_err(err, errlen, "NSEC3 hash collision between %s and %s: use another salt",
				nb, nb2);
			free(h);
			free(chain);
			return SN_ECHECK;
		}
		chain[i] = h[i].idx;
	}
	free(h);
	free(z->chain);
	z->chain = chain;
	z->chain_count = m;
	return SN_OK;
}

static int
u16_cmp(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a;
	uint16_t y = *(const uint16_t *)b;
	return (x > y) - (x < y);
}

int
nsec_bitmap(const uint16_t *types, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
	uint16_t local[256];
	uint16_t *t = local;

	if ((types == NULL && n > 0) || out_len == NULL || (out == NULL && cap > 0)) {
		return SN_EINVAL;
	}
	if (n > sizeof(local) / sizeof(local[0])) {
		t = malloc(n * sizeof(*t));
		if (t == NULL) {
			return SN_ENOMEM;
		}
	}
	if (n > 0) {
		memcpy(t, types, n * sizeof(*t));
	}
	qsort(t, n, sizeof(*t), u16_cmp);
	size_t o = 0;
	int rc = SN_OK;
	for (size_t i = 0; i < n;) {
		unsigned win = t[i] >> 8;
		uint8_t bits[32];
		unsigned maxb = 0;
		memset(bits, 0, sizeof(bits));
		for (; i < n && (unsigned)(t[i] >> 8) == win; i++) {
			unsigned lo = t[i] & 0xff;
			bits[lo >> 3] |= (uint8_t)(0x80 >> (lo & 7));
			if (lo / 8 + 1 > maxb) {
				maxb = lo / 8 + 1;
			}
		}
		if (cap - o < 2 + (size_t)maxb) {
			rc = SN_ENOSPC;
			break;
		}
		out[o++] = (uint8_t)win;
		out[o++] = (uint8_t)maxb;
		memcpy(out + o, bits, maxb);
		o += maxb;
	}
	if (t != local) {
		free(t);
	}
	if (rc == SN_OK) {
		*out_len = o;
	}
	return rc;
}

/* The types that a node's bitmap lists (see nsec_rdata and nsec3_rdata).
 * Returns the count, or SN_ENOMEM. `*buf` is `local` or a heap array the
 * caller frees when it is not `local`. */
static int
node_types(const nsec_zone_t *z, const rrlist_t *l, const nsec_node_t *nd, uint16_t *local,
	   size_t lcap, uint16_t **buf, size_t *count)
{
	size_t need = (nd->end - nd->first) + z->apex_ntypes + 2;
	uint16_t *t = local;
	if (need > lcap) {
		t = malloc(need * sizeof(*t));
		if (t == NULL) {
			return SN_ENOMEM;
		}
	}
	size_t c = 0;
	bool nsec3 = z->nsec3;
	if (nd->flags & NSEC_NODE_ENT) {
		/* RFC 5155 7.1: an ENT's NSEC3 has an empty bitmap. */
	} else if (nd->flags & NSEC_NODE_CUT) {
		/* RFC 4035 2.3: only NS and the data the parent holds (DS);
		 * RFC 5155 3.2: RRSIG only if something here is signed. */
		t[c++] = RRTYPE_NS;
		if (nd->flags & NSEC_NODE_DS) {
			t[c++] = RRTYPE_DS;
		}
		if (!nsec3 || (nd->flags & NSEC_NODE_DS)) {
			t[c++] = RRTYPE_RRSIG;
		}
	} else {
		uint16_t last = 0;
		for (size_t j = nd->first; j < nd->end; j++) {
			uint16_t ty = rrlist_type(l, j);
			if (c == 0 || ty != last) {
				t[c++] = ty;
				last = ty;
			}
		}
		if (nd->flags & NSEC_NODE_APEX) {
			for (size_t j = 0; j < z->apex_ntypes; j++) {
				t[c++] = z->apex_types[j];
			}
		}
		t[c++] = RRTYPE_RRSIG;
	}
	if (!nsec3) {
		t[c++] = RRTYPE_NSEC;
	}
	*buf = t;
	*count = c;
	return SN_OK;
}

int
nsec_rdata(const nsec_zone_t *z, const rrlist_t *l, size_t pos, uint8_t *out, size_t cap,
	   size_t *out_len)
{
	uint16_t local[64];
	uint16_t *t = NULL;
	size_t c = 0, bl = 0;

	if (z == NULL || z->nsec3 || pos >= z->chain_count || out == NULL || out_len == NULL) {
		return SN_EINVAL;
	}
	const nsec_node_t *nd = &z->nodes[z->chain[pos]];
	const nsec_node_t *next = &z->nodes[z->chain[(pos + 1) % z->chain_count]];
	size_t nl = dname_len(next->owner);
	if (cap < nl) {
		return SN_ENOSPC;
	}
	int rc = node_types(z, l, nd, local, sizeof(local) / sizeof(local[0]), &t, &c);
	if (rc != SN_OK) {
		return rc;
	}
	rc = nsec_bitmap(t, c, out + nl, cap - nl, &bl);
	if (t != local) {
		free(t);
	}
	if (rc != SN_OK) {
		return rc;
	}
	/* The next name keeps its case: RFC 6840 5.1 takes NSEC out of the
	 * types whose RDATA names are lower-cased for signing, so any case
	 * validates; validators compare case-insensitively. */
	memcpy(out, next->owner, nl);
	*out_len = nl + bl;
	return SN_OK;
}

int
nsec3_rdata(const nsec_zone_t *z, const rrlist_t *l, size_t pos, uint8_t *out, size_t cap,
	    size_t *out_len)
{
	uint16_t local[64];
	uint16_t *t = NULL;
	size_t c = 0, bl = 0;

	if (z == NULL || !z->nsec3 || pos >= z->chain_count || out == NULL || out_len == NULL) {
		return SN_EINVAL;
	}
	const nsec_node_t *nd = &z->nodes[z->chain[pos]];
	const nsec_node_t *next = &z->nodes[z->chain[(pos + 1) % z->chain_count]];
	size_t hl = 5 + (size_t)z->n3.salt_len + 1 + NSEC3_HASH_LEN;
	if (cap < hl) {
		return SN_ENOSPC;
	}
	int rc = node_types(z, l, nd, local, sizeof(local) / sizeof(local[0]), &t, &c);
	if (rc != SN_OK) {
		return rc;
	}
	rc = nsec_bitmap(t, c, out + hl, cap - hl, &bl);
	if (t != local) {
		free(t);
	}
	if (rc != SN_OK) {
		return rc;
	}
	size_t o = 0;
	out[o++] = NSEC3_ALG_SHA1;
	out[o++] = z->n3.opt_out ? NSEC3_FLAG_OPTOUT : 0;
	out[o++] = (uint8_t)(z->n3.iterations >> 8);
	out[o++] = (uint8_t)z->n3.iterations;
	out[o++] = z->n3.salt_len;
	memcpy(out + o, z->n3.salt, z->n3.salt_len);
	o += z->n3.salt_len;
	out[o++] = NSEC3_HASH_LEN;
	memcpy(out + o, next->hash, NSEC3_HASH_LEN);
	*out_len = hl + bl;
	return SN_OK;
}

int
nsec3_owner(const nsec_zone_t *z, size_t pos, uint8_t out[DNAME_MAXLEN], size_t *out_len)
{
	char b32[NSEC3_B32_LEN + 1];

	if (z == NULL || !z->nsec3 || pos >= z->chain_count || out == NULL || out_len == NULL) {
		return SN_EINVAL;
	}
	if (nsec3_base32hex(z->nodes[z->chain[pos]].hash, NSEC3_HASH_LEN, b32, sizeof(b32)) !=
	    NSEC3_B32_LEN) {
		return SN_EINVAL;
	}
	size_t al = dname_len(z->apex);
	if (1 + NSEC3_B32_LEN + al > DNAME_MAXLEN) {
		return SN_EINVAL;
	}
	out[0] = NSEC3_B32_LEN;
	memcpy(out + 1, b32, NSEC3_B32_LEN);
	memcpy(out + 1 + NSEC3_B32_LEN, z->apex, al);
	*out_len = 1 + NSEC3_B32_LEN + al;
	return SN_OK;
}

int
nsec3param_rdata(const nsec3_param_t *n3, uint8_t *out, size_t cap, size_t *out_len)
{
	if (n3 == NULL || out == NULL || out_len == NULL) {
		return SN_EINVAL;
	}
	size_t need = 5 + (size_t)n3->salt_len;
	if (cap < need) {
		return SN_ENOSPC;
	}
	out[0] = NSEC3_ALG_SHA1;
	out[1] = 0;
	out[2] = (uint8_t)(n3->iterations >> 8);
	out[3] = (uint8_t)n3->iterations;
	out[4] = n3->salt_len;
	memcpy(out + 5, n3->salt, n3->salt_len);
	*out_len = need;
	return SN_OK;
}

void
nsec_zone_clear(nsec_zone_t *z)
{
	if (z == NULL) {
		return;
	}
	free(z->nodes);
	free(z->chain);
	memset(z, 0, sizeof(*z));
}
