/* SPDX-License-Identifier: MIT
 * zcheck.c - semantic checks of a sorted zone, as named-checkzone does them.
 *
 * One pass over the sorted list, owner by owner. Canonical order puts a
 * name's whole subtree right after it, so "below this delegation" and
 * "below this DNAME" are index ranges found once per cut (rrlist_subtree_end)
 * rather than a name comparison per record. Targets of NS, MX and SRV are
 * looked up by binary search; a small cache absorbs the usual case of a
 * million delegations sharing a few in-zone name servers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zone/dname.h"
#include "zone/rrtype.h"
#include "zone/zcheck.h"

#define DEFAULT_MAX_MSGS 100
#define TCACHE_SIZE 1024 /* power of two */

/* What a lookup of an in-zone target name found. */
struct tinfo {
	size_t idx; /* first record of the name, or RRLIST_NONE */
	bool has_addr;
	bool has_cname;
};

struct tcache_ent {
	uint8_t name[DNAME_MAXLEN]; /* lower-cased; name[0] == 0xff: empty */
	struct tinfo info;
};

struct zc {
	rrlist_t *l;
	const zcheck_opts_t *opts;
	zcheck_stats_t st;
	unsigned max_msgs;
	uint16_t rclass;
	const uint8_t *origin;
	unsigned origin_labels;
	struct tcache_ent *cache;
};

static void
vreport(struct zc *z, zfile_sev_t sev, const char *file, uint32_t line, uint32_t col,
	const char *fmt, va_list ap)
{
	if (sev == ZFILE_ERROR) {
		z->st.errors++;
	} else {
		z->st.warnings++;
	}
	if (z->st.errors + z->st.warnings > z->max_msgs) {
		z->st.suppressed++;
		return;
	}
	char msg[1024 + 4 * DNAME_MAXTEXT];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (z->opts->on_msg != NULL) {
		z->opts->on_msg(z->opts->ctx, sev, file, line, col, msg);
		return;
	}
	fprintf(stderr, "%s:%u:%u: %s: %s\n", file, line, col,
		sev == ZFILE_ERROR ? "error" : "warning", msg);
}

__attribute__((format(printf, 4, 5))) static void
report_rr(struct zc *z, zfile_sev_t sev, size_t i, const char *fmt, ...)
{
	rrlist_rr_t v = rrlist_get(z->l, i);
	va_list ap;
	va_start(ap, fmt);
	vreport(z, sev, v.file, v.line, v.col, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void
report_zone(struct zc *z, zfile_sev_t sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(z, sev, z->opts->file != NULL ? z->opts->file : "zone", 0, 0, fmt, ap);
	va_end(ap);
}

/* Presentation form of a name, for messages. `buf` holds DNAME_MAXTEXT. */
static const char *
ntext(const uint8_t *dn, char *buf)
{
	if (dname_to_text(dn, buf, DNAME_MAXTEXT) < 0) {
		snprintf(buf, DNAME_MAXTEXT, "?");
	}
	return buf;
}

static const char *
ttext(uint16_t type, char *buf)
{
	rrtype_to_text(type, buf, RRTYPE_MAXTEXT);
	return buf;
}

static bool
has_star_inside(const uint8_t *dn)
{
	/* RFC 4592 2.1.1: only a leftmost "*" label makes a wildcard */
	if (*dn == 0) {
		return false;
	}
	dn += *dn + 1;
	while (*dn != 0) {
		if (dn[0] == 1 && dn[1] == '*') {
			return true;
		}
		dn += *dn + 1;
	}
	return false;
}

/* Scans the records of the owner at [i, end) for addresses and CNAMEs. */
static void
scan_owner(struct zc *z, size_t i, struct tinfo *t)
{
	size_t end = rrlist_owner_end(z->l, i);
	t->idx = i;
	t->has_addr = false;
	t->has_cname = false;
	for (size_t k = i; k < end; k++) {
		uint16_t type = rrlist_type(z->l, k);
		if (type == RRTYPE_A || type == RRTYPE_AAAA) {
			t->has_addr = true;
		} else if (type == RRTYPE_CNAME) {
			t->has_cname = true;
		}
	}
}

static size_t
name_hash(const uint8_t *dn, uint8_t *lower, size_t *len)
{
	size_t n = dname_len(dn);
	uint32_t h = 2166136261u;
	for (size_t k = 0; k < n; k++) {
		lower[k] = dname_lower_tab[dn[k]];
		h = (h ^ lower[k]) * 16777619u;
	}
	*len = n;
	return h & (TCACHE_SIZE - 1);
}

/* Looks up the in-zone name `t`; `hint` is an index near it or
 * RRLIST_NONE. */
static void
lookup(struct zc *z, const uint8_t *t, size_t hint, struct tinfo *out)
{
	uint8_t lower[DNAME_MAXLEN];
	size_t len;
	struct tcache_ent *e = NULL;

	if (z->cache != NULL) {
		e = &z->cache[name_hash(t, lower, &len)];
		if (e->name[0] != 0xff && memcmp(e->name, lower, len) == 0) {
			*out = e->info;
			return;
		}
	}
	size_t idx = rrlist_find_owner(z->l, t, hint);
	if (idx == RRLIST_NONE) {
		out->idx = RRLIST_NONE;
		out->has_addr = false;
		out->has_cname = false;
	} else {
		scan_owner(z, idx, out);
	}
	if (e != NULL) {
		memcpy(e->name, lower, len);
		e->info = *out;
	}
}

/* True if the in-zone name `t` is at or below a delegation (an NS RRset
 * below the apex). Only called on the rare paths that need it. */
static bool
is_below_cut(struct zc *z, const uint8_t *t)
{
	unsigned labels = dname_label_count(t);
	while (labels > z->origin_labels) {
		size_t idx = rrlist_find_owner(z->l, t, RRLIST_NONE);
		if (idx != RRLIST_NONE) {
			size_t end = rrlist_owner_end(z->l, idx);
			for (size_t k = idx; k < end; k++) {
				if (rrlist_type(z->l, k) == RRTYPE_NS) {
					return true;
				}
			}
		}
		t = dname_parent(t);
		labels--;
	}
	return false;
}

/* True if a query for the in-zone name `t`, which has no records, would be
 * answered from a wildcard with an address (RFC 4592 3.3.1: the wildcard
 * at the closest encloser). */
static bool
wildcard_has_addr(struct zc *z, const uint8_t *t)
{
	unsigned labels = dname_label_count(t);
	const uint8_t *a = t;
	for (;;) {
		size_t lo, hi;
		rrlist_subtree_range(z->l, a, &lo, &hi);
		if (lo < hi) {
			if (a == t) {
				return false; /* an empty non-terminal: no wildcard */
			}
			uint8_t wc[DNAME_MAXLEN];
			size_t alen = dname_len(a);
			if (alen + 2 > DNAME_MAXLEN) {
				return false;
			}
			wc[0] = 1;
			wc[1] = '*';
			memcpy(wc + 2, a, alen);
			struct tinfo ti;
			lookup(z, wc, RRLIST_NONE, &ti);
			return ti.has_addr;
		}
		if (labels <= z->origin_labels) {
			return false;
		}
		a = dname_parent(a);
		labels--;
	}
}

/* RFC 1034 4.2.1: a name server inside the zone needs address records, and
 * one below the delegation it serves needs them as glue. Severity follows
 * named-checkzone, except missing required glue (see zcheck.h). */
static void
check_ns_target(struct zc *z, size_t i, bool apex)
{
	rrlist_rr_t v = rrlist_get(z->l, i);
	const uint8_t *t = v.rdata;
	char on[DNAME_MAXTEXT], tn[DNAME_MAXTEXT];

	if (!dname_is_subdomain(t, z->origin)) {
		return;
	}
	bool below_this = !apex && dname_is_subdomain(t, v.owner);
	struct tinfo ti;
	lookup(z, t, below_this ? i : RRLIST_NONE, &ti);
	if (ti.has_addr && !ti.has_cname) {
		return;
	}
	if (apex) {
		if (ti.has_cname) {
			report_rr(z, ZFILE_ERROR, i, "NS %s is a CNAME (RFC 2181 10.3)",
				  ntext(t, tn));
		} else {
			report_rr(z, ZFILE_ERROR, i, "NS %s has no address records (A or AAAA)",
				  ntext(t, tn));
		}
		return;
	}
	if (below_this) {
		if (!ti.has_addr) {
			report_rr(z, ZFILE_ERROR, i,
				  "%s/NS %s is below the delegation and has no glue address "
				  "records (A or AAAA)",
				  ntext(v.owner, on), ntext(t, tn));
		}
		return;
	}
	/* Below another delegation the address is that child's business
	 * (sibling glue is optional: named warns, Knot says nothing). An
	 * authoritative target must resolve: Knot refuses the zone. */
	bool sibling = is_below_cut(z, t);
	zfile_sev_t sev = sibling ? ZFILE_WARNING : ZFILE_ERROR;
	if (ti.has_cname) {
		report_rr(z, sev, i, "%s/NS %s is a CNAME (RFC 2181 10.3)", ntext(v.owner, on),
			  ntext(t, tn));
	} else if (sibling) {
		report_rr(z, sev, i, "%s/NS %s has no sibling glue address records (A or AAAA)",
			  ntext(v.owner, on), ntext(t, tn));
	} else {
		report_rr(z, sev, i, "%s/NS %s has no address records (A or AAAA)",
			  ntext(v.owner, on), ntext(t, tn));
	}
}

/* RFC 2181 10.3: MX and SRV targets must not be aliases; named-checkzone
 * warns about that and about in-zone targets without addresses. */
static void
check_mx_target(struct zc *z, size_t i, size_t off)
{
	rrlist_rr_t v = rrlist_get(z->l, i);
	char on[DNAME_MAXTEXT], tn[DNAME_MAXTEXT], ty[RRTYPE_MAXTEXT];

	if (v.rdlen <= off) {
		return;
	}
	const uint8_t *t = v.rdata + off;
	if (*t == 0 || !dname_is_subdomain(t, z->origin)) {
		return; /* "." is the null MX (RFC 7505) or "no service" (RFC 2782) */
	}
	struct tinfo ti;
	lookup(z, t, RRLIST_NONE, &ti);
	if (ti.has_cname) {
		report_rr(z, ZFILE_WARNING, i, "%s/%s %s is a CNAME (RFC 2181 10.3)",
			  ntext(v.owner, on), ttext(v.type, ty), ntext(t, tn));
		return;
	}
	if (ti.has_addr || is_below_cut(z, t)) {
		return;
	}
	if (ti.idx == RRLIST_NONE && wildcard_has_addr(z, t)) {
		return;
	}
	report_rr(z, ZFILE_WARNING, i, "%s/%s %s has no address records (A or AAAA)",
		  ntext(v.owner, on), ttext(v.type, ty), ntext(t, tn));
}

/* The record of [a, b) added last: where named, reading the file in order,
 * notices a conflict. */
static size_t
latest(const rrlist_t *l, size_t a, size_t b)
{
	size_t at = a;
	uint32_t seq = rrlist_get(l, a).seq;
	for (size_t k = a + 1; k < b; k++) {
		uint32_t s = rrlist_get(l, k).seq;
		if (s > seq) {
			seq = s;
			at = k;
		}
	}
	return at;
}

static uint16_t
rrsig_covered(const rrlist_rr_t *v)
{
	return v->rdlen >= 2 ? (uint16_t)(v->rdata[0] << 8 | v->rdata[1]) : 0;
}

/* RFC 2181 5.2: the records of an RRset have one TTL. named sets each
 * later record to the TTL of the first one in the file and warns; so do
 * we. RRSIGs form one set per covered type (RFC 4034 3: their TTL is that
 * of the covered RRset). */
static void
check_ttls(struct zc *z, size_t a, size_t b)
{
	size_t s = a;
	while (s < b) {
		rrlist_rr_t first = rrlist_get(z->l, s);
		size_t e = s + 1;
		if (first.type == RRTYPE_RRSIG) {
			uint16_t cov = rrsig_covered(&first);
			while (e < b) {
				rrlist_rr_t v = rrlist_get(z->l, e);
				if (rrsig_covered(&v) != cov) {
					break;
				}
				e++;
			}
		} else {
			e = b;
		}
		if (e - s > 1) {
			size_t prior = s;
			bool differ = false;
			for (size_t k = s + 1; k < e; k++) {
				rrlist_rr_t v = rrlist_get(z->l, k);
				rrlist_rr_t p = rrlist_get(z->l, prior);
				if (v.ttl != first.ttl) {
					differ = true;
				}
				if (v.seq < p.seq) {
					prior = k;
				}
			}
			if (differ) {
				uint32_t ttl = rrlist_get(z->l, prior).ttl;
				for (size_t k = s; k < e; k++) {
					rrlist_rr_t v = rrlist_get(z->l, k);
					if (v.ttl != ttl) {
						report_rr(z, ZFILE_WARNING, k,
							  "TTL %u differs from the TTL %u of its "
							  "RRset: set to %u (RFC 2181 5.2)",
							  v.ttl, ttl, ttl);
						rrlist_set_ttl(z->l, k, ttl);
						z->st.ttl_fixed++;
					}
				}
			}
		}
		s = e;
	}
}

/* Types allowed beside a CNAME: RFC 2181 10.1 (and RFC 4035 2.5 for the
 * DNSSEC ones); KEY as named allows it (RFC 2535 legacy). */
static bool
cname_may_share(uint16_t type)
{
	return type == RRTYPE_CNAME || type == RRTYPE_RRSIG || type == RRTYPE_NSEC ||
	       type == RRTYPE_KEY;
}

/* Types a delegation point holds on the parent side (RFC 4035 2.2, 2.4):
 * anything else there is occluded by the referral. A and AAAA may be glue
 * for a name server named like the delegation itself. */
static bool
cut_may_hold(uint16_t type)
{
	return type == RRTYPE_NS || type == RRTYPE_DS || type == RRTYPE_RRSIG ||
	       type == RRTYPE_NSEC || type == RRTYPE_A || type == RRTYPE_AAAA;
}

int
zcheck_run(rrlist_t *l, const zcheck_opts_t *opts, zcheck_stats_t *stats)
{
	struct zc z;
	size_t zlo, zhi, n;
	char on[DNAME_MAXTEXT], cn[DNAME_MAXTEXT], ty[RRTYPE_MAXTEXT];

	memset(&z, 0, sizeof(z));
	if (stats != NULL) {
		memset(stats, 0, sizeof(*stats));
	}
	if (opts == NULL || opts->origin == NULL || !rrlist_is_sorted(l)) {
		return SN_EINVAL;
	}
	z.l = l;
	z.opts = opts;
	z.max_msgs = opts->max_msgs != 0 ? opts->max_msgs : DEFAULT_MAX_MSGS;
	z.rclass = opts->rclass != 0 ? opts->rclass : RRCLASS_IN;
	z.origin = opts->origin;
	z.origin_labels = dname_label_count(opts->origin);
	/* without the cache lookups are only slower */
	z.cache = malloc(TCACHE_SIZE * sizeof(*z.cache));
	if (z.cache != NULL) {
		for (size_t k = 0; k < TCACHE_SIZE; k++) {
			z.cache[k].name[0] = 0xff;
		}
	}

	n = rrlist_count(l);
	rrlist_subtree_range(l, opts->origin, &zlo, &zhi);

	/* named ignores out-of-zone data with a warning, but NSD refuses the
	 * zone; a primary's zone must load on secondaries of every make, so
	 * it is an error here (one per owner name). */
	for (size_t i = 0; i < n;) {
		if (i == zlo) {
			i = zhi;
			if (i >= n) {
				break;
			}
		}
		rrlist_rr_t v = rrlist_get(l, i);
		report_rr(&z, ZFILE_ERROR, i, "out-of-zone data: %s is not below the origin %s",
			  ntext(v.owner, on), ntext(z.origin, cn));
		i = rrlist_owner_end(l, i);
	}

	bool apex_seen = false;
	size_t cut = RRLIST_NONE, cut_end = 0;	   /* current delegation */
	size_t dname = RRLIST_NONE, dname_end = 0; /* current DNAME */

	for (size_t i = zlo; i < zhi;) {
		size_t j = rrlist_owner_end(l, i);
		rrlist_rr_t first = rrlist_get(l, i);
		bool is_apex = !apex_seen && dname_is_equal(first.owner, z.origin);
		bool occluded = cut != RRLIST_NONE && i < cut_end;

		if (is_apex) {
			apex_seen = true;
		}
		if (!occluded && dname != RRLIST_NONE && i < dname_end) {
			report_rr(&z, ZFILE_ERROR, i, "%s is below the DNAME at %s (RFC 6672 2.3)",
				  ntext(first.owner, on), ntext(rrlist_get(l, dname).owner, cn));
		}
		if (has_star_inside(first.owner)) {
			report_rr(&z, ZFILE_WARNING, i,
				  "%s: a '*' label that is not the leftmost one is not a wildcard "
				  "(RFC 4592 2.1.1)",
				  ntext(first.owner, on));
		}

		unsigned soa = 0, ns = 0, ds = 0, cnames = 0, dnames = 0;
		size_t cname_at = RRLIST_NONE, other_at = RRLIST_NONE, occl_at = RRLIST_NONE;
		size_t second_cname = RRLIST_NONE, second_dname = RRLIST_NONE, soa_at = i;
		size_t second_soa = RRLIST_NONE, ds_at = i, ns_at = i;
		bool soa_dup = false;
		for (size_t k = i; k < j;) {
			size_t e = rrlist_rrset_end(l, k);
			uint16_t type = rrlist_type(l, k), rclass = rrlist_rclass(l, k);
			size_t cnt = e - k;
			if (rclass != z.rclass) {
				char c1[RRTYPE_MAXTEXT], c2[RRTYPE_MAXTEXT];
				rrclass_to_text(rclass, c1, sizeof(c1));
				rrclass_to_text(z.rclass, c2, sizeof(c2));
				for (size_t m = k; m < e; m++) {
					report_rr(&z, ZFILE_ERROR, m,
						  "class %s differs from the class %s of the zone",
						  c1, c2);
				}
			}
			if (type == 0 || rrtype_is_meta(type)) {
				/* RFC 6895 3.1: type 0 is reserved, and meta types
				 * live only in messages; the parser refuses them, but
				 * records may come from elsewhere (a transfer) */
				report_rr(&z, ZFILE_ERROR, k, "%s: %s is not a data type (RFC 6895 3.1)",
					  ntext(first.owner, on), ttext(type, ty));
			}
			switch (type) {
			case RRTYPE_SOA:
				soa += (unsigned)cnt;
				soa_at = k;
				if (cnt > 1) {
					second_soa = latest(l, k, e);
				}
				if (rrlist_had_dup(l, k)) {
					soa_dup = true;
				}
				break;
			case RRTYPE_NS:
				ns += (unsigned)cnt;
				ns_at = k;
				break;
			case RRTYPE_DS:
				ds += (unsigned)cnt;
				ds_at = k;
				break;
			case RRTYPE_CNAME:
				cnames += (unsigned)cnt;
				cname_at = k;
				if (cnt > 1) {
					second_cname = latest(l, k, e);
				}
				break;
			case RRTYPE_DNAME:
				dnames += (unsigned)cnt;
				if (cnt > 1) {
					second_dname = latest(l, k, e);
				}
				break;
			}
			if (!cname_may_share(type) && other_at == RRLIST_NONE) {
				other_at = k;
			}
			if (!cut_may_hold(type) && occl_at == RRLIST_NONE) {
				occl_at = k;
			}
			if (cnt > 1) {
				check_ttls(&z, k, e);
			}
			k = e;
		}

		if (soa > 0 && !is_apex) {
			report_rr(&z, ZFILE_ERROR, soa_at, "SOA record not at the zone apex (%s)",
				  ntext(first.owner, on));
		}
		if (is_apex) {
			if (soa == 0) {
				report_rr(&z, ZFILE_ERROR, i, "no SOA record at the zone apex");
			} else if (soa > 1) {
				report_rr(&z, ZFILE_ERROR, second_soa,
					  "more than one SOA record at the zone apex");
			} else if (soa_dup) {
				/* harmless to BIND and Knot, refused by NSD */
				report_rr(&z, ZFILE_ERROR, soa_at,
					  "the SOA record is written more than once");
			}
			if (ns == 0) {
				report_rr(&z, ZFILE_ERROR, i, "no NS records at the zone apex");
			}
			if (ds > 0) {
				report_rr(&z, ZFILE_ERROR, ds_at,
					  "DS record at the zone apex (it belongs in the parent, "
					  "RFC 4035 2.4)");
			}
		}
		if (ns > 0 && dnames > 0 && !is_apex) {
			/* RFC 6672 2.3: a DNAME at a delegation point would redirect
			 * names that belong to the child (Knot refuses it) */
			report_rr(&z, ZFILE_ERROR, ns_at, "%s: NS record beside a DNAME",
				  ntext(first.owner, on));
		}
		if (ns > 0 && dname_is_wildcard(first.owner)) {
			/* RFC 4592 4.2: a wildcard NS makes no delegation; named refuses it */
			report_rr(&z, ZFILE_ERROR, ns_at, "%s: invalid NS owner name (wildcard)",
				  ntext(first.owner, on));
		}
		if (second_cname != RRLIST_NONE) {
			report_rr(&z, ZFILE_ERROR, second_cname, "%s: more than one CNAME record",
				  ntext(first.owner, on));
		}
		if (second_dname != RRLIST_NONE) {
			report_rr(&z, ZFILE_ERROR, second_dname,
				  "%s: more than one DNAME record (RFC 6672 2.4)",
				  ntext(first.owner, on));
		}
		if (cnames > 0 && other_at != RRLIST_NONE) {
			/* point at whichever of the two came later in the file */
			size_t at = rrlist_get(l, cname_at).seq > rrlist_get(l, other_at).seq
					    ? cname_at
					    : other_at;
			report_rr(&z, ZFILE_ERROR, at, "%s: CNAME and other data (RFC 2181 10.1)",
				  ntext(first.owner, on));
		}

		if (occluded) {
			/* below a delegation only glue is expected */
			for (size_t k = i; k < j; k++) {
				uint16_t type = rrlist_type(l, k);
				if (type != RRTYPE_A && type != RRTYPE_AAAA) {
					rrlist_rr_t v = rrlist_get(l, k);
					report_rr(&z, ZFILE_WARNING, k,
						  "%s/%s is below the delegation at %s and is not "
						  "served",
						  ntext(v.owner, on), ttext(v.type, ty),
						  ntext(rrlist_get(l, cut).owner, cn));
					break;
				}
			}
			i = j;
			continue;
		}

		if (!is_apex && ns > 0) {
			cut = i;
			cut_end = rrlist_subtree_end(l, i);
			if (occl_at != RRLIST_NONE) {
				rrlist_rr_t v = rrlist_get(l, occl_at);
				report_rr(&z, ZFILE_WARNING, occl_at,
					  "%s/%s is at a delegation point and is not served",
					  ntext(v.owner, on), ttext(v.type, ty));
			}
		}
		if (dnames > 0 && (dname == RRLIST_NONE || i >= dname_end)) {
			dname = i;
			dname_end = rrlist_subtree_end(l, i);
		}

		/* targets of NS (apex and delegations), MX and SRV */
		for (size_t k = i; k < j; k++) {
			uint16_t type = rrlist_type(l, k);
			if (type == RRTYPE_NS) {
				check_ns_target(&z, k, is_apex);
			} else if (type == RRTYPE_MX) {
				check_mx_target(&z, k, 2);
			} else if (type == RRTYPE_SRV) {
				check_mx_target(&z, k, 6);
			}
		}
		i = j;
	}

	if (!apex_seen) {
		char an[DNAME_MAXTEXT];
		report_zone(&z, ZFILE_ERROR, "no SOA record at the zone apex (%s)",
			    ntext(z.origin, an));
		report_zone(&z, ZFILE_ERROR, "no NS records at the zone apex (%s)",
			    ntext(z.origin, an));
	}
	free(z.cache);
	if (stats != NULL) {
		*stats = z.st;
	}
	return z.st.errors > 0 ? SN_ECHECK : SN_OK;
}
