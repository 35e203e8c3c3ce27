/* SPDX-License-Identifier: MIT
 * test_snap.c - zone snapshots: edits checked against full builds, versions, cost.
 *
 * The oracle for snap_edit is snap_build: after every random edit of a
 * model zone, the edited snapshot and one built from scratch from the
 * model's records must hold the same nodes in the same order, with the same
 * flags and the same RRsets byte for byte, and answer the same lookups;
 * snap_check adds the structural invariants. Older versions are kept and
 * read again while newer ones are published and released. A node freed too
 * early shows up as an AddressSanitizer report, a node never freed as a
 * LeakSanitizer report at exit: run this suite in a --enable-sanitizers
 * build too.
 */
#include "server/zonetab.h"
#include "sign/nsec3hash.h"
#include "tests/unit/suites.h"
#include "zone/dname.h"
#include "zone/rrlist.h"
#include "zone/rrtype.h"
#include "zone/snap.h"
#include "zone/wire.h"
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <urcu-qsbr.h>

/* ---- Randomness and failure reports ---- */

/* splitmix64: small and reproducible from test_seed(). */
static uint64_t
rnd64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned
rnd(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd64(s) % n);
}

static uint64_t
rng_init(unsigned salt)
{
	return (uint64_t)test_seed() * 0x100000001b3ull + salt;
}

/* Where the current randomised test is, for failure reports. */
static long cur_step = -1;

static void
fail_at(int line, const char *what)
{
	printf("\nsnap: check failed at line %d, step %ld: %s (SIGNET_TEST_SEED=%u)\n", line,
	       cur_step, what, test_seed());
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fail_at(__LINE__, #cond);                                                  \
			return false;                                                              \
		}                                                                                  \
	} while (0)

static const uint8_t *
name(const char *text, uint8_t buf[DNAME_MAXLEN])
{
	size_t len;
	if (dname_from_text(text, strlen(text), NULL, buf, &len) != SN_OK) {
		fprintf(stderr, "bad test name %s\n", text);
		abort();
	}
	return buf;
}

static void
print_name(const char *what, const uint8_t *dn)
{
	char text[DNAME_MAXTEXT];
	if (dn == NULL) {
		printf("  %s: (none)\n", what);
		return;
	}
	dname_to_text(dn, text, sizeof(text));
	printf("  %s: %s\n", what, text);
}

/* ---- Model records ---- */

typedef struct mrr {
	uint8_t owner[DNAME_MAXLEN];
	uint16_t type;
	uint16_t rdlen;
	uint32_t ttl;
	uint8_t rdata[320]; /* room for an NSEC3 with a 255-octet salt */
} mrr_t;

typedef struct model {
	mrr_t *v;
	size_t n, cap;
} model_t;

static void
model_push(model_t *m, const mrr_t *rr)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		if (m->v == NULL) {
			abort();
		}
	}
	m->v[m->n++] = *rr;
}

static void
model_copy(model_t *dst, const model_t *src)
{
	dst->n = 0;
	for (size_t i = 0; i < src->n; i++) {
		model_push(dst, &src->v[i]);
	}
}

/* Same record: owner, type and RDATA (all lower case here), not TTL. */
static bool
mrr_same(const mrr_t *a, const mrr_t *b)
{
	return a->type == b->type && a->rdlen == b->rdlen &&
	       memcmp(a->rdata, b->rdata, a->rdlen) == 0 && dname_is_equal(a->owner, b->owner);
}

/* Canonical order, then TTL (so that a TTL change sorts old next to new). */
static int
mrr_cmp(const void *pa, const void *pb)
{
	const mrr_t *a = pa, *b = pb;
	int c = dname_cmp(a->owner, b->owner);
	if (c != 0) {
		return c;
	}
	if (a->type != b->type) {
		return a->type < b->type ? -1 : 1;
	}
	c = memcmp(a->rdata, b->rdata, a->rdlen < b->rdlen ? a->rdlen : b->rdlen);
	if (c != 0) {
		return c;
	}
	if (a->rdlen != b->rdlen) {
		return a->rdlen < b->rdlen ? -1 : 1;
	}
	return a->ttl < b->ttl ? -1 : a->ttl > b->ttl;
}

static void
model_sort(model_t *m)
{
	if (m->n > 1) {
		qsort(m->v, m->n, sizeof(*m->v), mrr_cmp);
	}
}

static long
model_find(const model_t *m, const mrr_t *rr)
{
	for (size_t i = 0; i < m->n; i++) {
		if (mrr_same(&m->v[i], rr)) {
			return (long)i;
		}
	}
	return -1;
}

static void
model_del(model_t *m, size_t i)
{
	m->v[i] = m->v[--m->n];
}

static uint16_t
mrr_covered(const mrr_t *rr)
{
	return rr->type == RRTYPE_RRSIG ? wire_read_u16(rr->rdata) : 0;
}

/* The TTL of the RRset `rr` would join, or 0 when it would start one. The
 * signatures of one covered type form a set of their own (RFC 4034 3). */
static uint32_t
set_ttl(const model_t *m, const mrr_t *rr)
{
	for (size_t i = 0; i < m->n; i++) {
		const mrr_t *o = &m->v[i];
		if (o->type == rr->type && mrr_covered(o) == mrr_covered(rr) &&
		    dname_is_equal(o->owner, rr->owner)) {
			return o->ttl;
		}
	}
	return 0;
}

/* Adds `rr` unless the model has it; its TTL becomes its set's. */
static bool
model_add(model_t *m, mrr_t *rr, uint64_t *r)
{
	if (model_find(m, rr) >= 0) {
		return false;
	}
	static const uint32_t ttls[] = {300, 3600, 86400};
	uint32_t ttl = set_ttl(m, rr);
	rr->ttl = ttl != 0 ? ttl : ttls[rnd(r, 3)];
	model_push(m, rr);
	return true;
}

static rrlist_t *
to_rrlist(const mrr_t *v, size_t n)
{
	rrlist_t *l = rrlist_new();
	if (l == NULL) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		zfile_rr_t rr = {.owner = v[i].owner,
		                 .type = v[i].type,
		                 .rclass = 1,
		                 .ttl = v[i].ttl,
		                 .rdlen = v[i].rdlen,
		                 .rdata = v[i].rdata,
		                 .file = "model",
		                 .line = (uint32_t)i + 1,
		                 .col = 1};
		if (rrlist_add(l, &rr) != SN_OK) {
			char text[DNAME_MAXTEXT];
			dname_to_text(v[i].owner, text, sizeof(text));
			fprintf(stderr, "rrlist_add refused %s type %u\n", text, v[i].type);
			abort();
		}
	}
	if (rrlist_sort(l) != SN_OK) {
		abort();
	}
	return l;
}

/* ---- Record contents ---- */

static size_t
put_name(uint8_t *p, const char *text)
{
	uint8_t buf[DNAME_MAXLEN];
	name(text, buf);
	size_t len = dname_len(buf);
	memcpy(p, buf, len);
	return len;
}

static void
make_soa(mrr_t *rr, const uint8_t *apex, uint32_t serial)
{
	memset(rr, 0, sizeof(*rr));
	memcpy(rr->owner, apex, dname_len(apex));
	rr->type = RRTYPE_SOA;
	size_t o = put_name(rr->rdata, "ns1.example.com.");
	o += put_name(rr->rdata + o, "hostmaster.example.com.");
	uint32_t v[5] = {serial, 7200, 3600, 1209600, 300};
	for (int i = 0; i < 5; i++) {
		wire_write_u32(rr->rdata + o, v[i]);
		o += 4;
	}
	rr->rdlen = (uint16_t)o;
}

/* Fills the RDATA of `rr` (owner and type set) with a value from a small
 * range, so that adds hit present records and removes hit absent ones. */
static void
make_rdata(mrr_t *rr, uint64_t *r, uint16_t covered)
{
	char text[DNAME_MAXTEXT];
	size_t o = 0;
	switch (rr->type) {
	case RRTYPE_A:
		rr->rdata[0] = 192;
		rr->rdata[1] = 0;
		rr->rdata[2] = 2;
		rr->rdata[3] = (uint8_t)rnd(r, 6);
		o = 4;
		break;
	case RRTYPE_AAAA:
		memset(rr->rdata, 0, 16);
		rr->rdata[0] = 0x20;
		rr->rdata[1] = 0x01;
		rr->rdata[2] = 0x0d;
		rr->rdata[3] = 0xb8;
		rr->rdata[15] = (uint8_t)rnd(r, 6);
		o = 16;
		break;
	case RRTYPE_MX:
		wire_write_u16(rr->rdata, (uint16_t)(10 * rnd(r, 3)));
		snprintf(text, sizeof(text), "mx%u.example.net.", rnd(r, 3));
		o = 2 + put_name(rr->rdata + 2, text);
		break;
	case RRTYPE_TXT:
		o = (size_t)snprintf((char *)rr->rdata + 1, 16, "t%u", rnd(r, 6));
		rr->rdata[0] = (uint8_t)o;
		o++;
		break;
	case RRTYPE_NS:
		if (rnd(r, 2) == 0) {
			snprintf(text, sizeof(text), "ns%u.example.net.", rnd(r, 3));
			o = put_name(rr->rdata, text);
		} else {
			/* in bailiwick: the glue sits below the cut */
			rr->rdata[0] = 3;
			memcpy(rr->rdata + 1, "ns", 2);
			rr->rdata[3] = (uint8_t)('0' + rnd(r, 2));
			memcpy(rr->rdata + 4, rr->owner, dname_len(rr->owner));
			o = 4 + dname_len(rr->owner);
		}
		break;
	case RRTYPE_DNAME:
		snprintf(text, sizeof(text), "t%u.example.org.", rnd(r, 3));
		o = put_name(rr->rdata, text);
		break;
	case RRTYPE_CNAME:
		snprintf(text, sizeof(text), "c%u.example.org.", rnd(r, 3));
		o = put_name(rr->rdata, text);
		break;
	case RRTYPE_NSEC:
		/* RFC 4034 4.1: next name, then a bitmap (A) */
		snprintf(text, sizeof(text), "n%u.example.com.", rnd(r, 3));
		o = put_name(rr->rdata, text);
		memcpy(rr->rdata + o, "\x00\x01\x40", 3);
		o += 3;
		break;
	case RRTYPE_NSEC3:
		/* RFC 5155 3.2: alg 1, flags (opt-out or not), iterations of
		 * one of two chains, no salt, next hash, bitmap (A) */
		rr->rdata[0] = 1;
		rr->rdata[1] = (uint8_t)rnd(r, 2);
		wire_write_u16(rr->rdata + 2, (uint16_t)(rnd(r, 4) == 0));
		rr->rdata[4] = 0;
		rr->rdata[5] = 20;
		for (int i = 0; i < 20; i++) {
			rr->rdata[6 + i] = (uint8_t)(i == 0 ? rnd(r, 3) : (unsigned)i);
		}
		memcpy(rr->rdata + 26, "\x00\x01\x40", 3);
		o = 29;
		break;
	case RRTYPE_NSEC3PARAM:
		rr->rdata[0] = 1;
		rr->rdata[1] = 0;
		wire_write_u16(rr->rdata + 2, (uint16_t)rnd(r, 2));
		rr->rdata[4] = 0;
		o = 5;
		break;
	case RRTYPE_RRSIG:
		/* RFC 4034 3.1: covered, algorithm, labels, original TTL,
		 * expiration, inception, key tag, signer, signature */
		wire_write_u16(rr->rdata, covered);
		rr->rdata[2] = 13;
		rr->rdata[3] = (uint8_t)dname_label_count(rr->owner);
		wire_write_u32(rr->rdata + 4, 3600);
		wire_write_u32(rr->rdata + 8, 2000000000u);
		wire_write_u32(rr->rdata + 12, 1700000000u);
		wire_write_u16(rr->rdata + 16, (uint16_t)rnd(r, 3));
		o = 18 + put_name(rr->rdata + 18, "example.com.");
		for (int i = 0; i < 8; i++) {
			rr->rdata[o++] = (uint8_t)(i == 0 ? rnd(r, 3) : (unsigned)i);
		}
		break;
	default:
		abort();
	}
	rr->rdlen = (uint16_t)o;
}

/* ---- Comparing snapshots ---- */

static bool
same_set(const snap_rrset_t *a, const snap_rrset_t *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	return a->type == b->type && a->count == b->count && a->ttl == b->ttl &&
	       a->rdata_len == b->rdata_len && memcmp(a->rdata, b->rdata, a->rdata_len) == 0;
}

static bool
same_node(const snap_node_t *a, const snap_node_t *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	if (a->owner_len != b->owner_len || memcmp(a->owner, b->owner, a->owner_len) != 0 ||
	    a->flags != b->flags || a->rrset_count != b->rrset_count) {
		return false;
	}
	for (uint16_t i = 0; i < a->rrset_count; i++) {
		if (!same_set(&a->rrsets[i], &b->rrsets[i]) ||
		    !same_set(a->rrsets[i].rrsig, b->rrsets[i].rrsig)) {
			return false;
		}
	}
	return true;
}

static void
print_node(const char *what, const snap_node_t *n)
{
	if (n == NULL) {
		printf("  %s: (none)\n", what);
		return;
	}
	char text[DNAME_MAXTEXT];
	dname_to_text(n->owner, text, sizeof(text));
	printf("  %s: %s flags 0x%x sets %u:", what, text, n->flags, n->rrset_count);
	for (uint16_t i = 0; i < n->rrset_count; i++) {
		printf(" %u/%u/ttl%u%s", n->rrsets[i].type, n->rrsets[i].count, n->rrsets[i].ttl,
		       n->rrsets[i].rrsig ? "+sig" : "");
	}
	printf("\n");
}

/* Same nodes in the same order, same serial and apex. */
static bool
same_snap(const snap_t *e, const snap_t *f)
{
	snap_iter_t ie, iff;
	snap_iter_first(&ie, e);
	snap_iter_first(&iff, f);
	for (;;) {
		const snap_node_t *a = snap_iter_node(&ie), *b = snap_iter_node(&iff);
		if (!same_node(a, b)) {
			printf("\nsnap: edited and built snapshots differ:\n");
			print_node("edited", a);
			print_node("built", b);
			return false;
		}
		if (a == NULL) {
			break;
		}
		snap_iter_next(&ie);
		snap_iter_next(&iff);
	}
	CHECK(snap_serial(e) == snap_serial(f));
	CHECK(snap_name_count(e) == snap_name_count(f));
	CHECK(same_node(snap_apex_node(e), snap_apex_node(f)));
	return true;
}

/* The NSEC3 parameters of the chain in use (alg 1, flags 0), or NULL. */
static const uint8_t *
chain_param(const snap_t *s)
{
	const snap_rrset_t *p = snap_node_rrset(snap_apex_node(s), RRTYPE_NSEC3PARAM);
	if (p == NULL) {
		return NULL;
	}
	for (const uint8_t *r = p->rdata; r < p->rdata + p->rdata_len; r += 2 + wire_read_u16(r)) {
		if (wire_read_u16(r) == 5 && r[2] == 1 && r[3] == 0) {
			return r + 2;
		}
	}
	return NULL;
}

/* snap_nsec3_lookup's answer `got` (`match`) for `q` is what a walk over
 * every NSEC3 owner finds: the one whose label is the base32hex of the
 * hash (by sign/'s own hash), else the greatest one below it, else the
 * greatest of all, among the NSEC3s of the chain's parameters. */
static bool
nsec3_oracle(const snap_t *s, const uint8_t *q, const snap_node_t *got, bool match)
{
	const uint8_t *param = chain_param(s);
	if (param == NULL) {
		CHECK(got == NULL && !match);
		return true;
	}
	uint8_t h[NSEC3_HASH_LEN];
	char b32[NSEC3_B32_LEN + 1];
	CHECK(nsec3_hash(1, q, NULL, 0, wire_read_u16(param + 2), h) == SN_OK);
	CHECK(nsec3_base32hex(h, sizeof(h), b32, sizeof(b32)) == NSEC3_B32_LEN);
	const snap_node_t *best = NULL, *last = NULL;
	bool exact = false;
	snap_iter_t it;
	const snap_node_t *n;
	for (snap_iter_first(&it, s); (n = snap_iter_node(&it)) != NULL; snap_iter_next(&it)) {
		const snap_rrset_t *rs = snap_node_rrset(n, RRTYPE_NSEC3);
		if (!(n->flags & SNAP_NSEC3) || rs == NULL || rs->rdata[2 + 2] != param[2] ||
		    rs->rdata[2 + 3] != param[3] || rs->rdata[2 + 4] != 0) {
			continue;
		}
		/* the owners here are "<label>.example.com."; compare labels
		 * as canonical order does (lower case, shorter first) */
		char lab[64];
		size_t ll = n->owner[0];
		for (size_t i = 0; i < ll; i++) {
			lab[i] = (char)dname_lower_tab[n->owner[1 + i]];
		}
		lab[ll] = 0;
		if (dname_label_count(n->owner) != 3) {
			continue; /* not a hashed owner of this zone: the walk keeps order anyway */
		}
		int c = strcmp(lab, b32);
		last = n;
		if (c <= 0) {
			best = n;
			exact = c == 0;
		}
	}
	if (best == NULL) {
		best = last;
	}
	if (got != best || match != exact) {
		printf("\nsnap: NSEC3 lookup disagrees with the walk (hash %s)\n", b32);
		print_name("query", q);
		print_node("lookup", got);
		print_node("walk", best);
	}
	CHECK(got == best && match == exact);
	return true;
}

/* Both lookups agree on `q`. */
static bool
same_lookup(const snap_t *e, const snap_t *f, const uint8_t *q)
{
	snap_lookup_t le, lf;
	snap_lookup(e, q, &le);
	snap_lookup(f, q, &lf);
	bool me, mf;
	const snap_node_t *ne = snap_nsec3_lookup(e, q, &me), *nf = snap_nsec3_lookup(f, q, &mf);
	bool ok = same_node(le.match, lf.match) && same_node(le.encloser, lf.encloser) &&
	          same_node(le.cut, lf.cut) && same_node(le.dname, lf.dname) &&
	          same_node(snap_find(e, q), snap_find(f, q)) &&
	          same_node(snap_prev(e, q), snap_prev(f, q)) &&
	          same_node(snap_nsec_prev(e, q), snap_nsec_prev(f, q)) && same_node(ne, nf) &&
	          me == mf && nsec3_oracle(f, q, nf, mf);
	if (!ok) {
		printf("\nsnap: lookups differ\n");
		print_name("query", q);
		print_node("edited match", le.match);
		print_node("built match", lf.match);
		print_node("edited encloser", le.encloser);
		print_node("built encloser", lf.encloser);
		print_node("edited cut", le.cut);
		print_node("built cut", lf.cut);
		print_node("edited dname", le.dname);
		print_node("built dname", lf.dname);
	}
	CHECK(ok);
	return true;
}

/* ---- Dumps: a version's whole content, to check it later ---- */

typedef struct buf {
	uint8_t *p;
	size_t n, cap;
} buf_t;

static void
buf_put(buf_t *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->cap + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL) {
			abort();
		}
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
dump_set(buf_t *b, const snap_rrset_t *s)
{
	buf_put(b, &s->type, sizeof(s->type));
	buf_put(b, &s->count, sizeof(s->count));
	buf_put(b, &s->ttl, sizeof(s->ttl));
	buf_put(b, &s->rdata_len, sizeof(s->rdata_len));
	buf_put(b, s->rdata, s->rdata_len);
}

/* Everything a reader can see of `s`, by its iterator, its lookups and its
 * own invariants. Clears `b` first. */
static bool
dump(const snap_t *s, buf_t *b)
{
	b->n = 0;
	uint32_t serial = snap_serial(s);
	size_t count = snap_name_count(s);
	buf_put(b, &serial, sizeof(serial));
	buf_put(b, &count, sizeof(count));
	snap_iter_t it;
	for (snap_iter_first(&it, s); snap_iter_node(&it) != NULL; snap_iter_next(&it)) {
		const snap_node_t *n = snap_iter_node(&it);
		if (n->flags & SNAP_NSEC3) {
			CHECK(snap_nsec3_find(s, n->owner) == n);
		} else {
			CHECK(snap_find(s, n->owner) == n);
		}
		buf_put(b, &n->owner_len, sizeof(n->owner_len));
		buf_put(b, n->owner, n->owner_len);
		buf_put(b, &n->flags, sizeof(n->flags));
		buf_put(b, &n->rrset_count, sizeof(n->rrset_count));
		for (uint16_t i = 0; i < n->rrset_count; i++) {
			dump_set(b, &n->rrsets[i]);
			uint8_t sig = n->rrsets[i].rrsig != NULL;
			buf_put(b, &sig, 1);
			if (sig) {
				dump_set(b, n->rrsets[i].rrsig);
			}
		}
	}
	CHECK(snap_check(s) == SN_OK);
	return true;
}

/* `s` still reads exactly as when `saved` was taken. */
static bool
reads_as(const snap_t *s, const buf_t *saved)
{
	buf_t now = {0};
	bool ok = dump(s, &now) && now.n == saved->n && memcmp(now.p, saved->p, now.n) == 0;
	free(now.p);
	CHECK(ok);
	return true;
}

/* ---- Building and editing from text ---- */

static const uint8_t *
apex_name(void)
{
	static uint8_t apex[DNAME_MAXLEN];
	return name("example.com.", apex);
}

/* A record of `type` at `owner` whose RDATA is a function of `v` alone:
 * for A the address 192.0.2.v, for TXT the string "v<v>". */
static void
rr_simple(mrr_t *rr, const char *owner, uint16_t type, uint8_t v)
{
	memset(rr, 0, sizeof(*rr));
	name(owner, rr->owner);
	rr->type = type;
	rr->ttl = 3600;
	uint64_t r = v;
	make_rdata(rr, &r, RRTYPE_A);
	if (type == RRTYPE_A) {
		rr->rdata[3] = v;
	} else if (type == RRTYPE_TXT) {
		rr->rdlen = (uint16_t)(1 + snprintf((char *)rr->rdata + 1, 8, "v%u", v));
		rr->rdata[0] = (uint8_t)(rr->rdlen - 1);
	}
}

static rrlist_t *
list1(const char *owner, uint16_t type, uint8_t last)
{
	mrr_t rr;
	rr_simple(&rr, owner, type, last);
	return to_rrlist(&rr, 1);
}

/* ---- (a) the model test ---- */

typedef struct held {
	snap_t *snap;
	buf_t dump;
	long release_at;
} held_t;

#define NHELD 8

typedef struct mctx {
	uint64_t r;
	const uint8_t *apex;
	model_t cur;  /* the records of the current version, sorted */
	model_t work; /* the next version being made */
	uint8_t (*pool)[DNAME_MAXLEN];
	size_t npool, cappool;
} mctx_t;

static const char *const labels[] = {"a", "b", "c", "d", "www", "mail", "ns0", "sub", "x", "*"};

/* A random name below the apex: mostly one or two labels, now and then
 * deeper, so that empty non-terminals come and go. */
static void
rand_name(mctx_t *c, uint8_t out[DNAME_MAXLEN], unsigned depth)
{
	char text[DNAME_MAXTEXT] = "";
	size_t o = 0;
	for (unsigned i = 0; i < depth; i++) {
		const char *l = labels[rnd(&c->r, sizeof(labels) / sizeof(labels[0]))];
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s.", l);
	}
	snprintf(text + o, sizeof(text) - o, "example.com.");
	name(text, out);
}

static void
pool_add(mctx_t *c, const uint8_t *dn)
{
	if (c->npool == c->cappool) {
		c->cappool = c->cappool ? c->cappool * 2 : 256;
		c->pool = realloc(c->pool, c->cappool * sizeof(*c->pool));
		if (c->pool == NULL) {
			abort();
		}
	}
	memcpy(c->pool[c->npool++], dn, dname_len(dn));
}

/* A name to put records at: from the pool mostly, else a new one. */
static void
pick_name(mctx_t *c, uint8_t out[DNAME_MAXLEN])
{
	if (c->npool > 0 && rnd(&c->r, 5) != 0) {
		memcpy(out, c->pool[rnd(&c->r, (unsigned)c->npool)], DNAME_MAXLEN);
		return;
	}
	unsigned depth = 1 + rnd(&c->r, 2) + (rnd(&c->r, 5) == 0 ? 1 + rnd(&c->r, 3) : 0);
	rand_name(c, out, depth);
	pool_add(c, out);
}

/* The owner of a random record of the work model (NULL if empty). */
static const uint8_t *
pick_owner(mctx_t *c)
{
	return c->work.n > 0 ? c->work.v[rnd(&c->r, (unsigned)c->work.n)].owner : NULL;
}

static void
add_at(mctx_t *c, const uint8_t *owner, uint16_t type, uint16_t covered)
{
	mrr_t rr;
	memset(&rr, 0, sizeof(rr));
	memcpy(rr.owner, owner, dname_len(owner));
	rr.type = type;
	make_rdata(&rr, &c->r, covered);
	model_add(&c->work, &rr, &c->r);
}

/* Removes every record of `type` at `owner` (all types but SOA when 0). */
static void
remove_at(mctx_t *c, const uint8_t *owner, uint16_t type)
{
	for (size_t i = c->work.n; i-- > 0;) {
		const mrr_t *rr = &c->work.v[i];
		if (dname_is_equal(rr->owner, owner) && rr->type != RRTYPE_SOA &&
		    (type == 0 || rr->type == type)) {
			model_del(&c->work, i);
		}
	}
}

static bool
has_type(const model_t *m, const uint8_t *owner, uint16_t type)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->v[i].type == type && dname_is_equal(m->v[i].owner, owner)) {
			return true;
		}
	}
	return false;
}

static void
random_op(mctx_t *c)
{
	static const uint16_t plain[] = {RRTYPE_A,   RRTYPE_A,   RRTYPE_AAAA, RRTYPE_MX,
	                                 RRTYPE_TXT, RRTYPE_TXT, RRTYPE_A,    RRTYPE_CNAME};
	static const uint16_t signable[] = {RRTYPE_A,     RRTYPE_AAAA,  RRTYPE_MX,  RRTYPE_TXT,
	                                    RRTYPE_NS,    RRTYPE_DNAME, RRTYPE_SOA, RRTYPE_SPF,
	                                    RRTYPE_NSEC3, RRTYPE_NSEC};
	uint8_t dn[DNAME_MAXLEN];
	const uint8_t *o;
	unsigned k = rnd(&c->r, 100);

	if (k < 30) { /* a record somewhere */
		pick_name(c, dn);
		uint16_t t = plain[rnd(&c->r, 8)];
		if (t == RRTYPE_CNAME && rnd(&c->r, 4) != 0) {
			t = RRTYPE_A;
		}
		if (rnd(&c->r, 6) == 0) {
			/* DNSSEC denial records: NSEC at a name, or NSEC3 at a
			 * name of the zone or at a hashed owner of its own */
			t = rnd(&c->r, 3) == 0 ? RRTYPE_NSEC : RRTYPE_NSEC3;
			if (t == RRTYPE_NSEC3 && rnd(&c->r, 2) == 0) {
				char text[DNAME_MAXTEXT];
				uint8_t h[NSEC3_HASH_LEN];
				char b32[NSEC3_B32_LEN + 1];
				memset(h, 0, sizeof(h));
				h[0] = (uint8_t)rnd(&c->r, 256);
				h[1] = (uint8_t)rnd(&c->r, 4);
				if (nsec3_base32hex(h, sizeof(h), b32, sizeof(b32)) < 0) {
					abort();
				}
				snprintf(text, sizeof(text), "%s.example.com.", b32);
				name(text, dn);
			}
		}
		add_at(c, dn, t, 0);
	} else if (k < 48) { /* a record goes */
		if (c->work.n > 1) {
			size_t i = rnd(&c->r, (unsigned)c->work.n);
			if (c->work.v[i].type != RRTYPE_SOA) {
				model_del(&c->work, i);
			}
		}
	} else if (k < 55) { /* a whole name goes */
		if ((o = pick_owner(c)) != NULL) {
			memcpy(dn, o, dname_len(o));
			remove_at(c, dn, 0);
		}
	} else if (k < 64) { /* a zone cut comes or goes, with glue */
		pick_name(c, dn);
		if (has_type(&c->work, dn, RRTYPE_NS)) {
			remove_at(c, dn, RRTYPE_NS);
		} else {
			add_at(c, dn, RRTYPE_NS, 0);
			add_at(c, dn, RRTYPE_NS, 0);
			if (rnd(&c->r, 2) == 0) {
				uint8_t glue[DNAME_MAXLEN + 4];
				glue[0] = 3;
				memcpy(glue + 1, "ns1", 3);
				memcpy(glue + 4, dn, dname_len(dn));
				if (dname_len(glue) <= DNAME_MAXLEN) {
					add_at(c, glue, RRTYPE_A, 0);
				}
			}
		}
	} else if (k < 70) { /* a DNAME comes or goes (at the apex now and then) */
		if (rnd(&c->r, 20) == 0) {
			memcpy(dn, c->apex, dname_len(c->apex));
		} else {
			pick_name(c, dn);
		}
		if (has_type(&c->work, dn, RRTYPE_DNAME)) {
			remove_at(c, dn, RRTYPE_DNAME);
		} else {
			add_at(c, dn, RRTYPE_DNAME, 0);
		}
	} else if (k < 77) { /* a wildcard comes or goes */
		uint8_t base[DNAME_MAXLEN];
		if (rnd(&c->r, 4) == 0) {
			memcpy(base, c->apex, dname_len(c->apex));
		} else {
			pick_name(c, base);
		}
		dn[0] = 1;
		dn[1] = '*';
		memcpy(dn + 2, base, dname_len(base));
		if (dname_len(dn) > DNAME_MAXLEN) {
			return;
		}
		bool exists = false;
		for (size_t i = 0; i < c->work.n && !exists; i++) {
			exists = dname_is_equal(c->work.v[i].owner, dn);
		}
		if (exists && rnd(&c->r, 2) == 0) {
			remove_at(c, dn, 0);
		} else {
			add_at(c, dn, rnd(&c->r, 2) ? RRTYPE_A : RRTYPE_TXT, 0);
		}
	} else if (k < 79) { /* the NSEC3PARAM at the apex comes, changes or goes */
		if (has_type(&c->work, c->apex, RRTYPE_NSEC3PARAM) && rnd(&c->r, 2) == 0) {
			remove_at(c, c->apex, RRTYPE_NSEC3PARAM);
		} else {
			add_at(c, c->apex, RRTYPE_NSEC3PARAM, 0);
		}
	} else if (k < 82) { /* SOA serial bump */
		for (size_t i = 0; i < c->work.n; i++) {
			if (c->work.v[i].type == RRTYPE_SOA) {
				mrr_t soa = c->work.v[i];
				uint16_t len = soa.rdlen;
				wire_write_u32(soa.rdata + len - 20,
				               wire_read_u32(soa.rdata + len - 20) + 1);
				model_del(&c->work, i);
				model_push(&c->work, &soa);
				break;
			}
		}
	} else if (k < 87) { /* an RRset's TTL changes */
		if (c->work.n > 0) {
			mrr_t pick = c->work.v[rnd(&c->r, (unsigned)c->work.n)];
			uint32_t ttl = pick.ttl == 60 ? 120 : 60;
			for (size_t i = 0; i < c->work.n; i++) {
				mrr_t *rr = &c->work.v[i];
				if (rr->type == pick.type &&
				    mrr_covered(rr) == mrr_covered(&pick) &&
				    dname_is_equal(rr->owner, pick.owner)) {
					rr->ttl = ttl;
				}
			}
		}
	} else if (k < 94) { /* a signature comes or goes, covering a type
		              * that may be absent (kept for when it comes) */
		if ((o = pick_owner(c)) == NULL) {
			return;
		}
		memcpy(dn, o, dname_len(o));
		if (rnd(&c->r, 3) == 0) {
			for (size_t i = 0; i < c->work.n; i++) {
				if (c->work.v[i].type == RRTYPE_RRSIG &&
				    dname_is_equal(c->work.v[i].owner, dn)) {
					model_del(&c->work, i);
					break;
				}
			}
		} else {
			add_at(c, dn, RRTYPE_RRSIG, signable[rnd(&c->r, 10)]);
		}
	} else { /* a deep name: a chain of empty non-terminals */
		pick_name(c, dn);
		uint8_t deep[DNAME_MAXLEN];
		/* "d<n>.e<n>.f." in front of the picked name */
		uint8_t pre[] = {2, 'd', (uint8_t)('0' + rnd(&c->r, 3)),
		                 2, 'e', (uint8_t)('0' + rnd(&c->r, 2)),
		                 1, 'f'};
		if (sizeof(pre) + dname_len(dn) > DNAME_MAXLEN) {
			return;
		}
		memcpy(deep, pre, sizeof(pre));
		memcpy(deep + sizeof(pre), dn, dname_len(dn));
		add_at(c, deep, RRTYPE_A, 0);
		if (rnd(&c->r, 2) == 0) {
			pool_add(c, deep);
		}
	}
}

/* The diff from the sorted model `a` to the sorted model `b`: records in
 * `a` only, records in `b` only (a TTL change is in both). */
static void
diff(const model_t *a, const model_t *b, model_t *rem, model_t *add)
{
	size_t i = 0, j = 0;
	rem->n = add->n = 0;
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : mrr_cmp(&a->v[i], &b->v[j]);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			model_push(rem, &a->v[i++]);
		} else {
			model_push(add, &b->v[j++]);
		}
	}
}

/* Random probes: names of the zone, missing names below them (below cuts
 * and DNAMEs too), names a wildcard matches, names from nowhere. */
static bool
probe(mctx_t *c, const snap_t *e, const snap_t *f, const snap_node_t **nodes, size_t n)
{
	for (int i = 0; i < 24; i++) {
		uint8_t q[DNAME_MAXLEN];
		const snap_node_t *node = nodes[rnd(&c->r, (unsigned)n)];
		switch (rnd(&c->r, 5)) {
		case 0:
			memcpy(q, node->owner, node->owner_len);
			break;
		case 1:
		case 2: {
			/* one or two labels below a node: a wildcard's match when
			 * the node has a wildcard child */
			size_t o = 0;
			if (rnd(&c->r, 2) == 0) {
				q[o++] = 1;
				q[o++] = 'q';
			}
			q[o++] = 2;
			q[o++] = 'z';
			q[o++] = (uint8_t)('a' + rnd(&c->r, 3));
			if (o + node->owner_len > DNAME_MAXLEN) {
				continue;
			}
			memcpy(q + o, node->owner, node->owner_len);
			break;
		}
		case 3:
			rand_name(c, q, 1 + rnd(&c->r, 4));
			break;
		default:
			/* the apex's parent and a name in another zone: no answer */
			name(rnd(&c->r, 2) ? "com." : "a.example.net.", q);
			break;
		}
		if (!same_lookup(e, f, q)) {
			return false;
		}
	}
	return true;
}

static bool
release_held(held_t *h)
{
	bool ok = reads_as(h->snap, &h->dump);
	snap_unref(h->snap);
	free(h->dump.p);
	memset(h, 0, sizeof(*h));
	return ok;
}

static bool
model_run(unsigned names, long steps, unsigned salt)
{
	mctx_t c = {.r = rng_init(salt), .apex = apex_name()};
	model_t rem = {0}, add = {0};
	held_t held[NHELD] = {{0}};
	snap_t *e = NULL;
	const snap_node_t **nodes = NULL;
	bool ok = false;
	mrr_t rr;

	/* the starting zone */
	make_soa(&rr, c.apex, 1);
	model_push(&c.work, &rr);
	add_at(&c, c.apex, RRTYPE_NS, 0);
	add_at(&c, c.apex, RRTYPE_NS, 0);
	cur_step = -1;
	while (c.npool < names) {
		random_op(&c);
	}
	model_sort(&c.work);
	model_copy(&c.cur, &c.work);
	rrlist_t *l = to_rrlist(c.cur.v, c.cur.n);
	int rc = snap_build(c.apex, l, &e);
	rrlist_free(l);
	if (rc != SN_OK) {
		fail_at(__LINE__, "snap_build");
		goto out;
	}

	for (cur_step = 0; cur_step < steps; cur_step++) {
		model_copy(&c.work, &c.cur);
		unsigned nops = rnd(&c.r, 10) == 0 ? 10 + rnd(&c.r, 30) : 1 + rnd(&c.r, 4);
		for (unsigned i = 0; i < nops; i++) {
			random_op(&c);
		}
		model_sort(&c.work);
		diff(&c.cur, &c.work, &rem, &add);
		model_copy(&c.cur, &c.work);

		rrlist_t *lr = to_rrlist(rem.v, rem.n), *la = to_rrlist(add.v, add.n);
		rrlist_t *lall = to_rrlist(c.cur.v, c.cur.n);
		snap_t *next = NULL, *full = NULL;
		if (rnd(&c.r, 100) == 0) {
			/* a full rebuild starts a new lineage; held versions of
			 * the old one stay readable */
			rc = snap_build(c.apex, lall, &next);
		} else {
			rc = snap_edit(e, lr, la, &next);
		}
		int rc2 = snap_build(c.apex, lall, &full);
		rrlist_free(lr);
		rrlist_free(la);
		rrlist_free(lall);
		if (rc != SN_OK || rc2 != SN_OK) {
			printf("\nsnap_edit: %s, snap_build: %s\n", sn_strerror(rc),
			       sn_strerror(rc2));
			fail_at(__LINE__, "edit or build failed");
			snap_unref(next);
			snap_unref(full);
			goto out;
		}
		/* hold the old version now and then, as a transfer would */
		if (rnd(&c.r, 8) == 0) {
			for (int h = 0; h < NHELD; h++) {
				if (held[h].snap == NULL) {
					snap_ref(e);
					held[h].snap = e;
					held[h].release_at = cur_step + 1 + rnd(&c.r, 40);
					if (!dump(e, &held[h].dump)) {
						snap_unref(full);
						snap_unref(next);
						goto out;
					}
					break;
				}
			}
		}
		snap_unref(e); /* published next, retired e */
		e = next;

		bool same = snap_check(e) == SN_OK && same_snap(e, full);
		if (same) {
			size_t n = snap_name_count(full) + snap_nsec3_count(full), k = 0;
			nodes = realloc(nodes, n * sizeof(*nodes));
			snap_iter_t it;
			for (snap_iter_first(&it, full); snap_iter_node(&it); snap_iter_next(&it)) {
				nodes[k++] = snap_iter_node(&it);
			}
			same = probe(&c, e, full, nodes, n);
		}
		snap_unref(full);
		if (!same) {
			printf("  edit: %zu records removed, %zu added\n", rem.n, add.n);
			fail_at(__LINE__, "edited snapshot differs from a full build");
			goto out;
		}
		for (int h = 0; h < NHELD; h++) {
			if (held[h].snap != NULL && held[h].release_at <= cur_step &&
			    !release_held(&held[h])) {
				goto out;
			}
		}
	}
	ok = true;
out:
	for (int h = 0; h < NHELD; h++) {
		if (held[h].snap != NULL && !release_held(&held[h])) {
			ok = false;
		}
	}
	snap_unref(e);
	free(nodes);
	free(c.cur.v);
	free(c.work.v);
	free(rem.v);
	free(add.v);
	free(c.pool);
	cur_step = -1;
	return ok;
}

static void
test_snap_edit_model(void)
{
	CU_ASSERT(model_run(300, 3000, 1));
}

/* A small zone, many edits: names come and go at every level. */
static void
test_snap_edit_model_small(void)
{
	CU_ASSERT(model_run(20, 3000, 2));
}

/* ---- Fixed cases ---- */

/* Builds the starting zone of the fixed tests. */
static snap_t *
small_zone(void)
{
	static const struct {
		const char *owner;
		uint16_t type;
	} recs[] = {
	    {"www.example.com.", RRTYPE_A},    {"mail.example.com.", RRTYPE_A},
	    {"a.b.c.example.com.", RRTYPE_A},  {"sub.example.com.", RRTYPE_NS},
	    {"ns.sub.example.com.", RRTYPE_A}, {"*.wild.example.com.", RRTYPE_A},
	    {"dn.example.com.", RRTYPE_DNAME}, {"x.dn.example.com.", RRTYPE_A},
	    {"h1.example.com.", RRTYPE_TXT},   {"h2.example.com.", RRTYPE_TXT},
	};
	model_t m = {0};
	mrr_t rr;
	make_soa(&rr, apex_name(), 10);
	rr.ttl = 3600;
	model_push(&m, &rr);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		rr_simple(&rr, recs[i].owner, recs[i].type, (uint8_t)i);
		model_push(&m, &rr);
	}
	rrlist_t *l = to_rrlist(m.v, m.n);
	snap_t *s = NULL;
	if (snap_build(apex_name(), l, &s) != SN_OK) {
		s = NULL;
	}
	rrlist_free(l);
	free(m.v);
	return s;
}

static uint32_t
flags_of(const snap_t *s, const char *owner)
{
	uint8_t dn[DNAME_MAXLEN];
	const snap_node_t *n = snap_find(s, name(owner, dn));
	return n != NULL ? n->flags : 0xffffffffu;
}

static bool
check_errors(void)
{
	snap_t *s = small_zone(), *t = NULL;
	buf_t before = {0};
	CHECK(s != NULL && dump(s, &before));

	/* removing what is not there, adding what is */
	rrlist_t *absent = list1("www.example.com.", RRTYPE_A, 99);
	rrlist_t *present = list1("www.example.com.", RRTYPE_A, 0);
	rrlist_t *outside = list1("www.example.net.", RRTYPE_A, 1);
	rrlist_t *newname = list1("new.deep.example.com.", RRTYPE_A, 1);
	CHECK(snap_edit(s, absent, NULL, &t) == SN_EINVAL && t == NULL);
	CHECK(snap_edit(s, NULL, present, &t) == SN_EINVAL && t == NULL);
	CHECK(snap_edit(s, outside, NULL, &t) == SN_EINVAL && t == NULL);
	CHECK(snap_edit(s, NULL, outside, &t) == SN_EINVAL && t == NULL);
	/* an error late in the edit (after a new name was added) changes nothing */
	rrlist_t *mixed = rrlist_new();
	mrr_t a, b;
	rr_simple(&a, "new.deep.example.com.", RRTYPE_A, 1);
	rr_simple(&b, "www.example.com.", RRTYPE_A, 0);
	zfile_rr_t z1 = {.owner = a.owner,
	                 .type = a.type,
	                 .rclass = 1,
	                 .ttl = a.ttl,
	                 .rdlen = a.rdlen,
	                 .rdata = a.rdata,
	                 .file = "t",
	                 .line = 1};
	zfile_rr_t z2 = {.owner = b.owner,
	                 .type = b.type,
	                 .rclass = 1,
	                 .ttl = b.ttl,
	                 .rdlen = b.rdlen,
	                 .rdata = b.rdata,
	                 .file = "t",
	                 .line = 2};
	CHECK(mixed != NULL && rrlist_add(mixed, &z1) == SN_OK && rrlist_add(mixed, &z2) == SN_OK);
	/* unsorted: refused */
	CHECK(snap_edit(s, NULL, mixed, &t) == SN_EINVAL && t == NULL);
	CHECK(rrlist_sort(mixed) == SN_OK);
	CHECK(snap_edit(s, NULL, mixed, &t) == SN_EINVAL && t == NULL);
	CHECK(reads_as(s, &before));

	/* a TTL change is the record in both lists */
	rrlist_t *ttl = list1("www.example.com.", RRTYPE_A, 0);
	rrlist_set_ttl(ttl, 0, 60);
	CHECK(snap_edit(s, present, ttl, &t) == SN_OK);
	uint8_t dn[DNAME_MAXLEN];
	const snap_node_t *n = snap_find(t, name("www.example.com.", dn));
	CHECK(n != NULL && n->rrset_count == 1 && n->rrsets[0].ttl == 60);
	CHECK(reads_as(s, &before));

	/* a version is edited once: its lineage has moved on */
	snap_t *u = NULL;
	CHECK(snap_edit(s, NULL, newname, &u) == SN_EINVAL && u == NULL);
	/* the edit may be dropped unpublished; the base stays as it was */
	snap_free(t);
	CHECK(reads_as(s, &before));
	CHECK(snap_edit(s, NULL, newname, &u) == SN_EINVAL && u == NULL);
	snap_unref(s);

	rrlist_free(absent);
	rrlist_free(present);
	rrlist_free(outside);
	rrlist_free(newname);
	rrlist_free(mixed);
	rrlist_free(ttl);
	free(before.p);
	return true;
}

static void
test_snap_edit_errors(void)
{
	CU_ASSERT(check_errors());
}

/* Fixed flag cases, each checked against what it must be. */
static bool
check_flags(void)
{
	snap_t *s = small_zone(), *t;
	CHECK(s != NULL);
	CHECK(flags_of(s, "wild.example.com.") == (SNAP_ENT | SNAP_WILDCARD_CHILD));
	CHECK(flags_of(s, "ns.sub.example.com.") == SNAP_NONAUTH);
	CHECK(flags_of(s, "x.dn.example.com.") == SNAP_BELOW_DNAME);

	/* a cut above a.b.c, at an empty non-terminal */
	rrlist_t *ns = list1("b.c.example.com.", RRTYPE_NS, 0);
	CHECK(snap_edit(s, NULL, ns, &t) == SN_OK);
	snap_unref(s);
	s = t;
	CHECK(flags_of(s, "b.c.example.com.") == SNAP_DELEG);
	CHECK(flags_of(s, "a.b.c.example.com.") == SNAP_NONAUTH);
	CHECK(flags_of(s, "c.example.com.") == SNAP_ENT);
	CHECK(snap_check(s) == SN_OK);

	/* the cut goes: b.c is empty again, a.b.c authoritative */
	CHECK(snap_edit(s, ns, NULL, &t) == SN_OK);
	snap_unref(s);
	s = t;
	CHECK(flags_of(s, "b.c.example.com.") == SNAP_ENT);
	CHECK(flags_of(s, "a.b.c.example.com.") == 0);

	/* the only name below an ENT chain goes: the chain goes too */
	rrlist_t *abc = list1("a.b.c.example.com.", RRTYPE_A, 2);
	CHECK(snap_edit(s, abc, NULL, &t) == SN_OK);
	snap_unref(s);
	s = t;
	CHECK(flags_of(s, "c.example.com.") == 0xffffffffu);
	CHECK(flags_of(s, "b.c.example.com.") == 0xffffffffu);

	/* a wildcard goes: its parent, an ENT, goes with it */
	rrlist_t *w = list1("*.wild.example.com.", RRTYPE_A, 5);
	CHECK(snap_edit(s, w, NULL, &t) == SN_OK);
	snap_unref(s);
	s = t;
	CHECK(flags_of(s, "wild.example.com.") == 0xffffffffu);
	/* a wildcard at the apex */
	rrlist_t *aw = list1("*.example.com.", RRTYPE_A, 5);
	CHECK(snap_edit(s, NULL, aw, &t) == SN_OK);
	snap_unref(s);
	s = t;
	CHECK(flags_of(s, "example.com.") == (SNAP_APEX | SNAP_WILDCARD_CHILD));
	/* an empty non-terminal wildcard (RFC 4592 4.2) */
	rrlist_t *ew = list1("a.*.h1.example.com.", RRTYPE_A, 5);
	CHECK(snap_edit(s, NULL, ew, &t) == SN_OK);
	snap_unref(s);
	s = t;
	CHECK(flags_of(s, "h1.example.com.") == SNAP_WILDCARD_CHILD);
	CHECK(flags_of(s, "*.h1.example.com.") == SNAP_ENT);

	/* the SOA changes: serial and apex node follow */
	mrr_t soa;
	make_soa(&soa, apex_name(), 10);
	soa.ttl = 3600;
	rrlist_t *old = to_rrlist(&soa, 1);
	make_soa(&soa, apex_name(), 11);
	rrlist_t *new = to_rrlist(&soa, 1);
	CHECK(snap_serial(s) == 10);
	CHECK(snap_edit(s, old, new, &t) == SN_OK);
	CHECK(snap_serial(s) == 10 && snap_serial(t) == 11);
	CHECK(snap_apex_node(t) != snap_apex_node(s));
	CHECK(snap_node_rrset(snap_apex_node(t), RRTYPE_SOA) != NULL);
	snap_unref(s);
	s = t;
	CHECK(snap_check(s) == SN_OK);
	snap_unref(s);
	rrlist_free(ns);
	rrlist_free(abc);
	rrlist_free(w);
	rrlist_free(aw);
	rrlist_free(ew);
	rrlist_free(old);
	rrlist_free(new);
	return true;
}

static void
test_snap_edit_flags(void)
{
	CU_ASSERT(check_flags());
}

/* ---- (b) and (c): versions stay readable until released ---- */

/* A chain of versions: V0 built, then V1..V(n-1) each edited from the one
 * before, every edit touching names all over the zone (so that the
 * garbage of each version holds tree and hash nodes, and heap name nodes,
 * that its predecessor shares). */
#define CHAIN 5
#define CHAIN_NAMES 1000

/* A zone of `n` names n<i>.example.com., one A record each. */
static snap_t *
build_names(int n)
{
	model_t m = {0};
	mrr_t rr;
	make_soa(&rr, apex_name(), 1);
	rr.ttl = 3600;
	model_push(&m, &rr);
	for (int i = 0; i < n; i++) {
		char text[64];
		snprintf(text, sizeof(text), "n%d.example.com.", i);
		rr_simple(&rr, text, RRTYPE_A, (uint8_t)(i & 0xff));
		model_push(&m, &rr);
	}
	rrlist_t *l = to_rrlist(m.v, m.n);
	free(m.v);
	snap_t *s = NULL;
	if (snap_build(apex_name(), l, &s) != SN_OK) {
		s = NULL;
	}
	rrlist_free(l);
	return s;
}

static bool
make_chain(snap_t *v[CHAIN], buf_t dumps[CHAIN], uint64_t *r)
{
	mrr_t rr;
	int rc;
	v[0] = build_names(CHAIN_NAMES);
	CHECK(v[0] != NULL && dump(v[0], &dumps[0]));
	for (int k = 1; k < CHAIN; k++) {
		/* TXT "v<k>" at n0..n9 (replacing the previous edit's there) and
		 * at 40 random names */
		model_t rem = {0}, add = {0};
		for (int j = 0; j < 50; j++) {
			char text[64];
			int i = j < 10 ? j : (int)rnd(r, CHAIN_NAMES);
			snprintf(text, sizeof(text), "n%d.example.com.", i);
			rr_simple(&rr, text, RRTYPE_TXT, (uint8_t)k);
			if (model_find(&add, &rr) < 0) {
				model_push(&add, &rr);
			}
			if (k > 1 && j < 10) {
				rr_simple(&rr, text, RRTYPE_TXT, (uint8_t)(k - 1));
				model_push(&rem, &rr);
			}
		}
		rrlist_t *lr = to_rrlist(rem.v, rem.n), *la = to_rrlist(add.v, add.n);
		rc = snap_edit(v[k - 1], lr, la, &v[k]);
		rrlist_free(lr);
		rrlist_free(la);
		free(rem.v);
		free(add.v);
		CHECK(rc == SN_OK && dump(v[k], &dumps[k]));
		CHECK(dumps[k].n != dumps[k - 1].n ||
		      memcmp(dumps[k].p, dumps[k - 1].p, dumps[k].n) != 0);
	}
	return true;
}

/* Every order of releasing the versions of a chain, each held by a reader
 * besides its publisher: what is still held reads as it did. */
static bool
check_release_orders(void)
{
	uint64_t r = rng_init(3);
	unsigned perm[CHAIN];
	unsigned nperm = 1;
	for (int i = 2; i <= CHAIN; i++) {
		nperm *= (unsigned)i;
	}
	for (unsigned p = 0; p < nperm; p++) {
		snap_t *v[CHAIN];
		buf_t dumps[CHAIN] = {{0}};
		bool held[CHAIN];
		/* the p-th permutation (factorial number system) */
		unsigned left[CHAIN], nleft = CHAIN, x = p;
		for (unsigned i = 0; i < CHAIN; i++) {
			left[i] = i;
		}
		for (unsigned i = 0; i < CHAIN; i++) {
			unsigned k = x % nleft;
			x /= nleft;
			perm[i] = left[k];
			left[k] = left[--nleft];
		}
		cur_step = p;
		CHECK(make_chain(v, dumps, &r));
		/* readers take their references; publishers retire in order */
		for (int k = 0; k < CHAIN; k++) {
			snap_ref(v[k]);
			held[k] = true;
		}
		for (int k = 0; k < CHAIN - 1; k++) {
			snap_unref(v[k]);
		}
		for (unsigned i = 0; i < CHAIN; i++) {
			unsigned k = perm[i];
			snap_unref(v[k]);
			held[k] = false;
			for (int j = 0; j < CHAIN; j++) {
				if (held[j]) {
					CHECK(reads_as(v[j], &dumps[j]));
				}
			}
		}
		/* the newest is still published */
		CHECK(reads_as(v[CHAIN - 1], &dumps[CHAIN - 1]));
		snap_unref(v[CHAIN - 1]);
		for (int k = 0; k < CHAIN; k++) {
			free(dumps[k].p);
		}
	}
	cur_step = -1;
	return true;
}

static void
test_snap_release_orders(void)
{
	CU_ASSERT(check_release_orders());
}

/* Persistence: version N reads exactly as its dump while N+1 and N+2 are
 * made, published and retired through the server's path (zone_publish,
 * zone_retire: call_rcu, then snap_unref), with a transfer holding N. */
static bool
check_retire_path(void)
{
	uint64_t r = rng_init(4);
	snap_t *v[CHAIN];
	buf_t dumps[CHAIN] = {{0}};
	CHECK(make_chain(v, dumps, &r));
	zone_t z;
	memset(&z, 0, sizeof(z));
	memcpy(z.apex, apex_name(), dname_len(apex_name()));
	z.apex_len = dname_len(apex_name());

	rcu_register_thread();
	CHECK(zone_publish(&z, v[0]) == NULL);
	/* a transfer starts on v[0] */
	rcu_read_lock();
	snap_t *xfr = rcu_dereference(z.snap);
	snap_ref(xfr);
	rcu_read_unlock();
	CHECK(xfr == v[0]);
	for (int k = 1; k < CHAIN; k++) {
		zone_retire(zone_publish(&z, v[k]));
	}
	/* let every retire callback run: only the transfer holds v[0] */
	rcu_thread_offline();
	rcu_barrier();
	rcu_thread_online();
	CHECK(reads_as(xfr, &dumps[0]));
	CHECK(reads_as(v[CHAIN - 1], &dumps[CHAIN - 1]));
	snap_unref(xfr); /* the transfer ends: v[0..CHAIN-2] go */
	CHECK(reads_as(v[CHAIN - 1], &dumps[CHAIN - 1]));
	/* the zone is removed */
	zone_retire(zone_publish(&z, NULL));
	rcu_thread_offline();
	rcu_barrier();
	rcu_thread_online();
	rcu_unregister_thread();
	for (int k = 0; k < CHAIN; k++) {
		free(dumps[k].p);
	}
	return true;
}

static void
test_snap_retire_path(void)
{
	CU_ASSERT(check_retire_path());
}

/* ---- Versions released by several threads at once ---- */

#define RELAY 16
#define READERS 3

/* Versions handed from the writer to reader threads, as transfers get
 * them: each with a reference of its own and the dump it must read as. */
typedef struct relay {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	snap_t *snap[RELAY];
	buf_t dump[RELAY];
	size_t head, tail; /* head == tail: empty */
	bool closed;
	unsigned failures;
} relay_t;

static void *
reader_main(void *arg)
{
	relay_t *q = arg;
	for (;;) {
		pthread_mutex_lock(&q->lock);
		while (q->head == q->tail && !q->closed) {
			pthread_cond_wait(&q->cond, &q->lock);
		}
		if (q->head == q->tail) {
			pthread_mutex_unlock(&q->lock);
			return NULL;
		}
		snap_t *s = q->snap[q->head % RELAY];
		buf_t d = q->dump[q->head % RELAY];
		q->head++;
		pthread_cond_broadcast(&q->cond);
		pthread_mutex_unlock(&q->lock);
		/* read it while the writer moves on, then let it go */
		bool ok = true;
		for (int i = 0; i < 3 && ok; i++) {
			ok = reads_as(s, &d);
			sched_yield();
		}
		snap_unref(s);
		free(d.p);
		if (!ok) {
			pthread_mutex_lock(&q->lock);
			q->failures++;
			pthread_mutex_unlock(&q->lock);
		}
	}
}

static bool
check_threads(void)
{
	uint64_t r = rng_init(6);
	enum { NAMES = 1000, EDITS = 2000 };
	uint8_t txt[NAMES] = {0}; /* the TXT value at n<i>, 0 for none */
	relay_t q = {.head = 0};
	pthread_t th[READERS];

	snap_t *cur = build_names(NAMES);
	CHECK(cur != NULL);
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.cond, NULL);
	for (int i = 0; i < READERS; i++) {
		CHECK(pthread_create(&th[i], NULL, reader_main, &q) == 0);
	}
	bool ok = true;
	for (cur_step = 0; cur_step < EDITS && ok; cur_step++) {
		model_t rem = {0}, add = {0};
		mrr_t rr;
		for (unsigned j = 1 + rnd(&r, 5); j > 0; j--) {
			unsigned i = rnd(&r, NAMES);
			char text[64];
			snprintf(text, sizeof(text), "n%u.example.com.", i);
			rr_simple(&rr, text, RRTYPE_TXT, txt[i]);
			if (txt[i] != 0 && model_find(&rem, &rr) < 0 && model_find(&add, &rr) < 0) {
				model_push(&rem, &rr);
				txt[i] = 0;
			} else if (txt[i] == 0) {
				txt[i] = (uint8_t)(1 + rnd(&r, 200));
				rr_simple(&rr, text, RRTYPE_TXT, txt[i]);
				if (model_find(&add, &rr) < 0) {
					model_push(&add, &rr);
				}
			}
		}
		model_sort(&rem);
		model_sort(&add);
		rrlist_t *lr = to_rrlist(rem.v, rem.n), *la = to_rrlist(add.v, add.n);
		snap_t *next = NULL;
		int rc = snap_edit(cur, lr, la, &next);
		rrlist_free(lr);
		rrlist_free(la);
		free(rem.v);
		free(add.v);
		if (rc != SN_OK) {
			fail_at(__LINE__, "snap_edit");
			ok = false;
			break;
		}
		if (rnd(&r, 3) == 0) {
			buf_t d = {0};
			ok = dump(cur, &d);
			snap_ref(cur);
			pthread_mutex_lock(&q.lock);
			while (q.tail - q.head == RELAY) {
				pthread_cond_wait(&q.cond, &q.lock);
			}
			q.snap[q.tail % RELAY] = cur;
			q.dump[q.tail % RELAY] = d;
			q.tail++;
			pthread_cond_broadcast(&q.cond);
			pthread_mutex_unlock(&q.lock);
		}
		snap_unref(cur); /* published next, retired cur */
		cur = next;
	}
	pthread_mutex_lock(&q.lock);
	q.closed = true;
	pthread_cond_broadcast(&q.cond);
	pthread_mutex_unlock(&q.lock);
	for (int i = 0; i < READERS; i++) {
		pthread_join(th[i], NULL);
	}
	cur_step = -1;
	CHECK(ok && q.failures == 0);
	CHECK(snap_check(cur) == SN_OK);
	snap_unref(cur);
	pthread_mutex_destroy(&q.lock);
	pthread_cond_destroy(&q.cond);
	return true;
}

static void
test_snap_threads(void)
{
	CU_ASSERT(check_threads());
}

/* ---- (d) the cost of one edit in a large zone ---- */

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#define BIG_NAMES 1000000
#define BIG_EDITS 40

static bool
check_big_edit(void)
{
	uint64_t r = rng_init(5);
	const char *env = getenv("SIGNET_SNAP_BIG");
	unsigned names = env != NULL ? (unsigned)strtoul(env, NULL, 10) : BIG_NAMES;
	if (names < 1000) {
		names = 1000;
	}
	double t0 = now_ms();
	rrlist_t *l = rrlist_new();
	CHECK(l != NULL);
	mrr_t rr;
	make_soa(&rr, apex_name(), 1);
	rr.ttl = 3600;
	zfile_rr_t z = {.owner = rr.owner,
	                .type = rr.type,
	                .rclass = 1,
	                .ttl = 3600,
	                .rdlen = rr.rdlen,
	                .rdata = rr.rdata,
	                .file = "big",
	                .line = 1};
	CHECK(rrlist_add(l, &z) == SN_OK);
	for (unsigned i = 0; i < names; i++) {
		char text[64];
		snprintf(text, sizeof(text), "h%u.example.com.", i);
		rr_simple(&rr, text, RRTYPE_A, (uint8_t)i);
		z.owner = rr.owner;
		z.type = rr.type;
		z.rdlen = rr.rdlen;
		z.rdata = rr.rdata;
		CHECK(rrlist_add(l, &z) == SN_OK);
	}
	CHECK(rrlist_sort(l) == SN_OK);
	snap_t *s = NULL;
	double t1 = now_ms();
	CHECK(snap_build(apex_name(), l, &s) == SN_OK);
	double t2 = now_ms();
	rrlist_free(l);
	CHECK(snap_name_count(s) == names + 1);
	unsigned height, depth;
	snap_index_shape(s, &height, &depth);

	/* three kinds of single-record edits: a changed record (remove and
	 * add), a new name, a name removed */
	static const char *const kinds[] = {"change", "add name", "remove name"};
	double ms[3][BIG_EDITS];
	size_t max_tree[3] = {0}, max_hash[3] = {0};
	for (int kind = 0; kind < 3; kind++) {
		for (int i = 0; i < BIG_EDITS; i++) {
			char text[64];
			unsigned h = rnd(&r, names);
			rrlist_t *lr = NULL, *la = NULL;
			if (kind == 0) {
				snprintf(text, sizeof(text), "h%u.example.com.", h);
				uint8_t dn[DNAME_MAXLEN];
				const snap_node_t *n = snap_find(s, name(text, dn));
				CHECK(n != NULL && n->rrset_count == 1);
				uint8_t cur = n->rrsets[0].rdata[2 + 3];
				lr = list1(text, RRTYPE_A, cur);
				la = list1(text, RRTYPE_A, (uint8_t)(cur + 1));
			} else if (kind == 1) {
				snprintf(text, sizeof(text), "new%d.example.com.", i);
				la = list1(text, RRTYPE_A, 1);
			} else {
				snprintf(text, sizeof(text), "new%d.example.com.", i);
				lr = list1(text, RRTYPE_A, 1);
			}
			snap_t *t = NULL;
			double a = now_ms();
			int rc = snap_edit(s, lr, la, &t);
			ms[kind][i] = now_ms() - a;
			rrlist_free(lr);
			rrlist_free(la);
			CHECK(rc == SN_OK);
			snap_edit_stats_t st;
			snap_edit_stats(t, &st);
			/* a removed name's node is made empty, then pruned */
			CHECK(st.owners == 1 && st.nodes_new == (kind == 2 ? 0u : 1u));
			if (st.tree_copied > max_tree[kind]) {
				max_tree[kind] = st.tree_copied;
			}
			if (st.hash_copied > max_hash[kind]) {
				max_hash[kind] = st.hash_copied;
			}
			uint8_t dn[DNAME_MAXLEN];
			CHECK((snap_find(t, name(text, dn)) != NULL) == (kind != 2));
			snap_unref(s); /* published t, retired s */
			s = t;
		}
	}
	CHECK(snap_name_count(s) == names + 1);
	printf("\n  snap_edit on %u names (build %.0f ms, list %.0f ms; tree height %u, "
	       "hash depth %u):\n",
	       names, t2 - t1, t1 - t0, height, depth);
	for (int kind = 0; kind < 3; kind++) {
		qsort(ms[kind], BIG_EDITS, sizeof(double), dbl_cmp);
		printf("    %-11s median %.3f ms, max %.3f ms; copied: tree %zu, hash %zu nodes\n",
		       kinds[kind], ms[kind][BIG_EDITS / 2], ms[kind][BIG_EDITS - 1],
		       max_tree[kind], max_hash[kind]);
	}
	/* a change rewrites one path of each index; a new name may split one
	 * node per level, a removal merge one (a sibling is copied too) */
	CHECK(max_tree[0] <= height + 1 && max_hash[0] <= depth + 1);
	CHECK(max_tree[1] <= height + 1 && max_hash[1] <= depth + 1);
	CHECK(max_tree[2] <= 2 * height + 1 && max_hash[2] <= depth + 1);
	double t3 = now_ms();
	snap_unref(s);
	printf("    freeing the last version: %.0f ms\n", now_ms() - t3);
	return true;
}

static void
test_snap_big_edit(void)
{
	CU_ASSERT(check_big_edit());
}

/* An NSEC3 record at "<hash of h0,h1>.example.com." with `iter`
 * iterations and the next hash given by `n0`. */
static void
nsec3_rr(mrr_t *rr, uint8_t h0, uint8_t h1, uint16_t iter, uint8_t n0)
{
	uint8_t h[NSEC3_HASH_LEN];
	char b32[NSEC3_B32_LEN + 1], text[DNAME_MAXTEXT];
	memset(h, 0, sizeof(h));
	h[0] = h0;
	h[1] = h1;
	if (nsec3_base32hex(h, sizeof(h), b32, sizeof(b32)) < 0) {
		abort();
	}
	snprintf(text, sizeof(text), "%s.example.com.", b32);
	memset(rr, 0, sizeof(*rr));
	name(text, rr->owner);
	rr->type = RRTYPE_NSEC3;
	rr->ttl = 3600;
	rr->rdata[0] = 1;
	wire_write_u16(rr->rdata + 2, iter);
	rr->rdata[5] = 20;
	memset(rr->rdata + 6, 0, 20);
	rr->rdata[6] = n0;
	rr->rdlen = 26;
}

/* The chain named by the NSEC3PARAM is the one searched: records of
 * another chain are skipped, but a chain with no records (an NSEC3PARAM
 * published before its chain) costs a bounded search, not a walk of the
 * whole NSEC3 tree, and finds nothing. Edits keep it so. */
static void
test_snap_nsec3_chains(void)
{
	mrr_t v[600];
	size_t n = 0;
	const uint8_t *apex = apex_name();
	make_soa(&v[n++], apex, 1);
	memset(&v[n], 0, sizeof(v[n]));
	memcpy(v[n].owner, apex, dname_len(apex));
	v[n].type = RRTYPE_NSEC3PARAM;
	v[n].ttl = 0;
	v[n].rdata[0] = 1;
	wire_write_u16(v[n].rdata + 2, 5); /* 5 iterations: no record has them */
	v[n].rdlen = 5;
	n++;
	for (unsigned i = 0; i < 500; i++) {
		nsec3_rr(&v[n++], (uint8_t)(i / 2), (uint8_t)(i % 2 * 128), 0,
		         (uint8_t)(i / 2 + 1));
	}
	rrlist_t *l = to_rrlist(v, n);
	snap_t *s = NULL;
	CU_ASSERT_FATAL(snap_build(apex, l, &s) == SN_OK);
	rrlist_free(l);
	CU_ASSERT(snap_check(s) == SN_OK);
	CU_ASSERT(snap_has_nsec3(s));
	CU_ASSERT_EQUAL(snap_nsec3_count(s), 500);
	CU_ASSERT_EQUAL(snap_name_count(s), 1); /* hashed owners are no names */
	uint8_t q[DNAME_MAXLEN];
	bool match = true;
	CU_ASSERT_PTR_NULL(snap_nsec3_lookup(s, name("www.example.com.", q), &match));
	CU_ASSERT_FALSE(match);

	/* one record of the chain in use: found from anywhere, by wrapping
	 * or by stepping over fewer than the limit */
	mrr_t one;
	nsec3_rr(&one, 0x80, 0x40, 5, 0x81);
	rrlist_t *add = to_rrlist(&one, 1);
	snap_t *e = NULL;
	CU_ASSERT_FATAL(snap_edit(s, NULL, add, &e) == SN_OK);
	rrlist_free(add);
	CU_ASSERT(snap_check(e) == SN_OK);
	int found = 0;
	for (unsigned i = 0; i < 40; i++) {
		char text[32];
		snprintf(text, sizeof(text), "n%u.example.com.", i);
		const snap_node_t *c = snap_nsec3_lookup(e, name(text, q), &match);
		if (c != NULL) {
			found++;
			CU_ASSERT(dname_is_equal(c->owner, one.owner));
			CU_ASSERT_FALSE(match);
		}
	}
	/* hashes land anywhere in 500 records of the other chain: those
	 * within 64 records after the one of ours find it */
	CU_ASSERT(found > 0 && found < 40);
	/* 500 records of the other chain: too many to step over */
	CU_ASSERT_PTR_NULL(snap_nsec3_prev(e, one.owner));
	snap_unref(s);
	snap_unref(e);

	/* snap_nsec3_prev: hash order, strictly before, the other chain's
	 * records stepped over, wrapping from the first to the last */
	n = 0;
	make_soa(&v[n++], apex, 1);
	memset(&v[n], 0, sizeof(v[n]));
	memcpy(v[n].owner, apex, dname_len(apex));
	v[n].type = RRTYPE_NSEC3PARAM;
	v[n].rdata[0] = 1;
	wire_write_u16(v[n].rdata + 2, 5);
	v[n].rdlen = 5;
	n++;
	/* alone in its chain (beside one record of another), a record is
	 * its own predecessor */
	nsec3_rr(&v[n++], 0x55, 0, 5, 0x55);
	nsec3_rr(&v[n++], 0x56, 0, 0, 0);
	l = to_rrlist(v, n);
	CU_ASSERT_FATAL(snap_build(apex, l, &s) == SN_OK);
	rrlist_free(l);
	const snap_node_t *p = snap_nsec3_prev(s, v[2].owner);
	CU_ASSERT(p != NULL && dname_is_equal(p->owner, v[2].owner));
	snap_unref(s);
	n = 2;
	static const uint8_t ours[] = {0x10, 0x20, 0x30, 0xf0};
	for (unsigned i = 0; i < 4; i++) {
		nsec3_rr(&v[n++], ours[i], 0, 5, ours[(i + 1) % 4]);
		nsec3_rr(&v[n++], ours[i], 0x80, 0, 0); /* another chain, between */
	}
	l = to_rrlist(v, n);
	CU_ASSERT_FATAL(snap_build(apex, l, &s) == SN_OK);
	rrlist_free(l);
	for (unsigned i = 0; i < 4; i++) {
		mrr_t want, at;
		nsec3_rr(&at, ours[i], 0, 5, 0);
		nsec3_rr(&want, ours[(i + 3) % 4], 0, 5, 0);
		p = snap_nsec3_prev(s, at.owner);
		CU_ASSERT(p != NULL && dname_is_equal(p->owner, want.owner));
		/* a hash that is not in the chain: the one before it */
		nsec3_rr(&at, ours[i], 0x40, 5, 0);
		nsec3_rr(&want, ours[i], 0, 5, 0);
		p = snap_nsec3_prev(s, at.owner);
		CU_ASSERT(p != NULL && dname_is_equal(p->owner, want.owner));
	}
	snap_unref(s);
}

/* The hash behind snap_nsec3_lookup agrees with sign/'s (OpenSSL) for
 * salts and names that take several SHA-1 blocks, and for iterations: an
 * NSEC3 owned by the hash sign/ computes is found as the match. */
static void
test_snap_nsec3_hash(void)
{
	static const struct {
		uint16_t iter;
		uint8_t salt_len;
		const char *name;
	} cases[] = {
	    {0, 0, "www.example.com."},
	    {3, 8, "www.example.com."},
	    {1, 40, "a.b.c.d.example.com."},
	    {2, 255, "www.example.com."},
	    {0, 200, "a-rather-long-label-to-fill-the-first-block-of-sha-one.example.com."},
	    {1, 35, "www.example.com."}, /* 20 + 35 octets: padding ends a block */
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		uint8_t salt[255], q[DNAME_MAXLEN], h[NSEC3_HASH_LEN];
		char b32[NSEC3_B32_LEN + 1], text[DNAME_MAXTEXT];
		for (unsigned i = 0; i < cases[k].salt_len; i++) {
			salt[i] = (uint8_t)(i * 7 + k);
		}
		name(cases[k].name, q);
		CU_ASSERT_FATAL(nsec3_hash(1, q, salt, cases[k].salt_len, cases[k].iter, h) ==
		                SN_OK);
		CU_ASSERT_FATAL(nsec3_base32hex(h, sizeof(h), b32, sizeof(b32)) == NSEC3_B32_LEN);
		mrr_t v[3];
		const uint8_t *apex = apex_name();
		make_soa(&v[0], apex, 1);
		/* NSEC3PARAM and NSEC3 RDATA share their first fields */
		memset(&v[1], 0, sizeof(v[1]));
		memcpy(v[1].owner, apex, dname_len(apex));
		v[1].type = RRTYPE_NSEC3PARAM;
		v[1].rdata[0] = 1;
		wire_write_u16(v[1].rdata + 2, cases[k].iter);
		v[1].rdata[4] = cases[k].salt_len;
		memcpy(v[1].rdata + 5, salt, cases[k].salt_len);
		v[1].rdlen = (uint16_t)(5 + cases[k].salt_len);
		memset(&v[2], 0, sizeof(v[2]));
		snprintf(text, sizeof(text), "%s.example.com.", b32);
		name(text, v[2].owner);
		v[2].type = RRTYPE_NSEC3;
		v[2].ttl = 3600;
		memcpy(v[2].rdata, v[1].rdata, v[1].rdlen);
		size_t o = v[1].rdlen;
		v[2].rdata[o++] = 20;
		memset(v[2].rdata + o, 0, 20);
		o += 20;
		v[2].rdlen = (uint16_t)o;
		CU_ASSERT_FATAL(o <= sizeof(v[2].rdata));
		rrlist_t *l = to_rrlist(v, 3);
		snap_t *s = NULL;
		CU_ASSERT_FATAL(snap_build(apex, l, &s) == SN_OK);
		rrlist_free(l);
		bool match = false;
		const snap_node_t *n = snap_nsec3_lookup(s, q, &match);
		CU_ASSERT(n != NULL && match && dname_is_equal(n->owner, v[2].owner));
		/* another name is covered by the one record, not matched */
		n = snap_nsec3_lookup(s, name("other.example.com.", q), &match);
		CU_ASSERT(n != NULL && !match);
		snap_unref(s);
	}
}

int
test_snap_register(void)
{
	CU_pSuite s = CU_add_suite("snap", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_snap_edit_errors", test_snap_edit_errors);
	CU_add_test(s, "test_snap_edit_flags", test_snap_edit_flags);
	CU_add_test(s, "test_snap_edit_model", test_snap_edit_model);
	CU_add_test(s, "test_snap_edit_model_small", test_snap_edit_model_small);
	CU_add_test(s, "test_snap_release_orders", test_snap_release_orders);
	CU_add_test(s, "test_snap_retire_path", test_snap_retire_path);
	CU_add_test(s, "test_snap_threads", test_snap_threads);
	CU_add_test(s, "test_snap_big_edit", test_snap_big_edit);
	CU_add_test(s, "test_snap_nsec3_chains", test_snap_nsec3_chains);
	CU_add_test(s, "test_snap_nsec3_hash", test_snap_nsec3_hash);
	return CU_get_error();
}
