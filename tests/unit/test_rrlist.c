/* SPDX-License-Identifier: MIT
 * test_rrlist.c - the zone record list: canonical sort, duplicates, lookups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"
#include "zone/dname.h"
#include "zone/rrlist.h"
#include "zone/rrtype.h"

/* Adds a record whose owner is the presentation name `name` (absolute). */
static int
add_rr(rrlist_t *l, const char *name, uint16_t type, uint32_t ttl, const void *rd,
       uint16_t rdlen, const char *file, uint32_t line)
{
	uint8_t owner[DNAME_MAXLEN];
	size_t olen;
	if (dname_from_text(name, strlen(name), NULL, owner, &olen) != SN_OK) {
		return SN_EINVAL;
	}
	zfile_rr_t rr = {
		.owner = owner,
		.type = type,
		.rclass = RRCLASS_IN,
		.ttl = ttl,
		.rdlen = rdlen,
		.rdata = rd,
		.file = file,
		.line = line,
		.col = 1,
	};
	return rrlist_add(l, &rr);
}

static int
add_a(rrlist_t *l, const char *name, uint8_t last_octet)
{
	uint8_t a[4] = {192, 0, 2, last_octet};
	return add_rr(l, name, RRTYPE_A, 3600, a, 4, "t.zone", 1);
}

static void
owner_text(const rrlist_t *l, size_t i, char *buf)
{
	rrlist_rr_t v = rrlist_get(l, i);
	CU_ASSERT_FATAL(dname_to_text(v.owner, buf, DNAME_MAXTEXT) > 0);
}

static void
test_rrlist_empty(void)
{
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(rrlist_count(l), 0);
	CU_ASSERT_EQUAL(rrlist_sort(l), SN_OK);
	CU_ASSERT_EQUAL(rrlist_count(l), 0);
	CU_ASSERT_EQUAL(rrlist_find_owner(l, (const uint8_t *)"", RRLIST_NONE), RRLIST_NONE);
	size_t lo = 9, hi = 9;
	rrlist_subtree_range(l, (const uint8_t *)"", &lo, &hi);
	CU_ASSERT_EQUAL(lo, 0);
	CU_ASSERT_EQUAL(hi, 0);
	rrlist_free(l);
	rrlist_free(NULL);
}

/* RFC 4034 6.1's own example, plus case, 0x00/0x01 octets and escapes. */
static void
test_rrlist_canonical_order(void)
{
	static const char *const expect[] = {
		"example.",
		"a.example.",
		"yljkjljk.a.example.",
		"Z.a.example.",
		"zABC.a.EXAMPLE.",
		"z.example.",
		"\\001.z.example.",
		"*.z.example.",
		"\\200.z.example.",
		/* a label that is a prefix of another sorts first, and the octets
		 * 0x00 and 0x01 sort below every other */
		"b.zz.example.",
		"a.b.zz.example.",
		"b\\000.zz.example.",
		"b\\000\\000.zz.example.",
		"b\\000\\001.zz.example.",
		"b\\001.zz.example.",
		"b\\002.zz.example.",
		"ba.zz.example.",
	};
	const size_t n = sizeof(expect) / sizeof(expect[0]);
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	/* add in a scrambled order */
	for (size_t k = 0; k < n; k++) {
		size_t i = (k * 7 + 3) % n;
		CU_ASSERT_EQUAL_FATAL(add_a(l, expect[i], (uint8_t)i), SN_OK);
	}
	CU_ASSERT_EQUAL(rrlist_sort(l), SN_OK);
	CU_ASSERT_EQUAL_FATAL(rrlist_count(l), n);
	for (size_t i = 0; i < n; i++) {
		char text[DNAME_MAXTEXT];
		owner_text(l, i, text);
		CU_ASSERT_STRING_EQUAL(text, expect[i]);
		if (i > 0) {
			CU_ASSERT(dname_cmp(rrlist_get(l, i - 1).owner, rrlist_get(l, i).owner) < 0);
		}
	}
	rrlist_free(l);
}

/* Within an owner: type order, then RDATA as octet strings (shorter first
 * on a common prefix, RFC 4034 6.3). */
static void
test_rrlist_type_rdata_order(void)
{
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(add_rr(l, "x.", RRTYPE_TXT, 60, "\002ab", 3, "f", 1), SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, "x.", RRTYPE_TXT, 60, "\001b", 2, "f", 2), SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, "x.", RRTYPE_TXT, 60, "\001a", 2, "f", 3), SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, "x.", RRTYPE_TXT, 60, "\001a\001b", 4, "f", 4), SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, "x.", RRTYPE_A, 60, "\001\002\003\004", 4, "f", 5), SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, "x.", RRTYPE_A, 60, "\001\002\003\003", 4, "f", 6), SN_OK);
	CU_ASSERT_EQUAL(rrlist_sort(l), SN_OK);
	CU_ASSERT_EQUAL_FATAL(rrlist_count(l), 6);
	static const uint32_t lines[] = {6, 5, 3, 4, 2, 1};
	for (size_t i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(rrlist_get(l, i).line, lines[i]);
	}
	CU_ASSERT_EQUAL(rrlist_rrset_end(l, 0), 2);
	CU_ASSERT_EQUAL(rrlist_rrset_end(l, 2), 6);
	CU_ASSERT_EQUAL(rrlist_owner_end(l, 0), 6);
	rrlist_free(l);
}

static void
test_rrlist_duplicates(void)
{
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	/* same owner in another case, another TTL: still a duplicate; the
	 * first one added is kept */
	CU_ASSERT_EQUAL(add_rr(l, "www.example.", RRTYPE_A, 300, "\001\002\003\004", 4, "f", 1),
			SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, "WWW.Example.", RRTYPE_A, 60, "\001\002\003\004", 4, "f", 2),
			SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, "www.example.", RRTYPE_A, 300, "\001\002\003\004", 4, "f", 3),
			SN_OK);
	/* names in RDATA compare in canonical (lower-case) form: NS */
	CU_ASSERT_EQUAL(add_rr(l, "example.", RRTYPE_NS, 300, "\003NS1\007example", 13, "f", 4),
			SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, "example.", RRTYPE_NS, 300, "\003ns1\007example", 13, "f", 5),
			SN_OK);
	/* TXT is case-sensitive: not duplicates */
	CU_ASSERT_EQUAL(add_rr(l, "example.", RRTYPE_TXT, 300, "\001A", 2, "f", 6), SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, "example.", RRTYPE_TXT, 300, "\001a", 2, "f", 7), SN_OK);
	/* same RDATA, another type: not a duplicate */
	CU_ASSERT_EQUAL(add_rr(l, "www.example.", RRTYPE_TXT, 300, "\003\001\002\003", 4, "f", 8),
			SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, "www.example.", RRTYPE_TXT, 300, "\003\001\002\003", 4, "f", 9),
			SN_OK);
	CU_ASSERT_EQUAL(rrlist_count(l), 9);
	CU_ASSERT_EQUAL(rrlist_sort(l), SN_OK);
	CU_ASSERT_EQUAL_FATAL(rrlist_count(l), 5);
	CU_ASSERT_EQUAL(rrlist_dup_count(l), 4);

	rrlist_rr_t v = rrlist_get(l, 0);
	CU_ASSERT_EQUAL(v.type, RRTYPE_NS);
	CU_ASSERT_EQUAL(v.line, 4);
	CU_ASSERT_EQUAL(memcmp(v.rdata, "\003NS1", 4), 0);
	CU_ASSERT_EQUAL(rrlist_get(l, 1).line, 6); /* "A" < "a" */
	CU_ASSERT_EQUAL(rrlist_get(l, 2).line, 7);
	v = rrlist_get(l, 3);
	CU_ASSERT_EQUAL(v.line, 1);
	CU_ASSERT_EQUAL(v.ttl, 300);
	CU_ASSERT_EQUAL(v.seq, 0);
	CU_ASSERT_EQUAL(memcmp(v.owner, "\003www", 4), 0);
	CU_ASSERT_EQUAL(rrlist_get(l, 4).line, 8);
	rrlist_free(l);
}

static void
test_rrlist_view_fields(void)
{
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	char name[64];
	snprintf(name, sizeof(name), "main.zone");
	CU_ASSERT_EQUAL(add_rr(l, "b.", RRTYPE_A, 7, "\001\002\003\004", 4, name, 10), SN_OK);
	/* the file name is copied: the caller's buffer may change */
	snprintf(name, sizeof(name), "inc.zone");
	CU_ASSERT_EQUAL(add_rr(l, "a.", RRTYPE_A, 8, "\001\002\003\005", 4, name, 3), SN_OK);
	snprintf(name, sizeof(name), "XXXXXXXX");
	CU_ASSERT_EQUAL(rrlist_sort(l), SN_OK);
	rrlist_rr_t v = rrlist_get(l, 0);
	CU_ASSERT_STRING_EQUAL(v.file, "inc.zone");
	CU_ASSERT_EQUAL(v.line, 3);
	CU_ASSERT_EQUAL(v.col, 1);
	CU_ASSERT_EQUAL(v.ttl, 8);
	CU_ASSERT_EQUAL(v.seq, 1);
	CU_ASSERT_EQUAL(v.rclass, RRCLASS_IN);
	CU_ASSERT_EQUAL(v.rdlen, 4);
	CU_ASSERT_EQUAL(memcmp(v.rdata, "\001\002\003\005", 4), 0);
	v = rrlist_get(l, 1);
	CU_ASSERT_STRING_EQUAL(v.file, "main.zone");
	CU_ASSERT_EQUAL(v.line, 10);
	rrlist_set_ttl(l, 1, 99);
	CU_ASSERT_EQUAL(rrlist_get(l, 1).ttl, 99);
	rrlist_drop(l, 0);
	CU_ASSERT_EQUAL(rrlist_count(l), 2);
	rrlist_compact(l);
	CU_ASSERT_EQUAL_FATAL(rrlist_count(l), 1);
	CU_ASSERT_STRING_EQUAL(rrlist_get(l, 0).file, "main.zone");
	rrlist_free(l);
}

static void
test_rrlist_malformed(void)
{
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	static const uint8_t ptr_owner[] = {0xc0, 0x0c};
	zfile_rr_t rr = {
		.owner = ptr_owner,
		.type = RRTYPE_A,
		.rclass = RRCLASS_IN,
		.rdlen = 4,
		.rdata = (const uint8_t *)"\001\002\003\004",
		.file = "f",
	};
	CU_ASSERT_EQUAL(rrlist_add(l, &rr), SN_EPARSE);
	/* an A record of 3 octets */
	CU_ASSERT_EQUAL(add_rr(l, "a.", RRTYPE_A, 1, "\001\002\003", 3, "f", 1), SN_EPARSE);
	/* an NS whose name runs past the RDATA */
	CU_ASSERT_EQUAL(add_rr(l, "a.", RRTYPE_NS, 1, "\003ns1\007exa", 9, "f", 1), SN_EPARSE);
	CU_ASSERT_EQUAL(rrlist_count(l), 0);
	rrlist_free(l);
}

static void
test_rrlist_lookups(void)
{
	static const char *const names[] = {
		"example.", "a.example.", "ns.a.example.", "x.y.a.example.", "b.example.",
		"ns.b.example.", "c.example.", "org.",
	};
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	for (size_t i = 0; i < 8; i++) {
		CU_ASSERT_EQUAL_FATAL(add_a(l, names[i], 1), SN_OK);
		CU_ASSERT_EQUAL_FATAL(add_a(l, names[i], 2), SN_OK);
	}
	CU_ASSERT_EQUAL(rrlist_sort(l), SN_OK);
	CU_ASSERT_EQUAL_FATAL(rrlist_count(l), 16);
	/* order: example, a, ns.a, x.y.a, b, ns.b, c, org (2 records each) */
	CU_ASSERT_EQUAL(rrlist_subtree_end(l, 0), 14);
	CU_ASSERT_EQUAL(rrlist_subtree_end(l, 2), 8);
	CU_ASSERT_EQUAL(rrlist_subtree_end(l, 3), 8);
	CU_ASSERT_EQUAL(rrlist_subtree_end(l, 4), 6);
	CU_ASSERT_EQUAL(rrlist_subtree_end(l, 14), 16);
	CU_ASSERT(rrlist_is_below(l, 6, 2));
	CU_ASSERT(rrlist_is_below(l, 2, 2));
	CU_ASSERT(!rrlist_is_below(l, 2, 6));
	CU_ASSERT(!rrlist_is_below(l, 14, 0));
	CU_ASSERT(rrlist_is_same_owner(l, 2, 3));
	CU_ASSERT(!rrlist_is_same_owner(l, 3, 4));

	size_t lo, hi;
	rrlist_subtree_range(l, (const uint8_t *)"\001A\007EXAMPLE", &lo, &hi);
	CU_ASSERT_EQUAL(lo, 2);
	CU_ASSERT_EQUAL(hi, 8);
	rrlist_subtree_range(l, (const uint8_t *)"\001y\001a\007example", &lo, &hi);
	CU_ASSERT_EQUAL(lo, 6); /* an empty non-terminal: only names below */
	CU_ASSERT_EQUAL(hi, 8);
	rrlist_subtree_range(l, (const uint8_t *)"\002bb\007example", &lo, &hi);
	CU_ASSERT_EQUAL(lo, hi);
	CU_ASSERT_EQUAL(lo, 12);
	rrlist_subtree_range(l, (const uint8_t *)"", &lo, &hi);
	CU_ASSERT_EQUAL(lo, 0);
	CU_ASSERT_EQUAL(hi, 16);

	const uint8_t *nsb = (const uint8_t *)"\002NS\001b\007example";
	for (size_t hint = 0; hint < 16; hint++) {
		CU_ASSERT_EQUAL(rrlist_find_owner(l, nsb, hint), 10);
		CU_ASSERT_EQUAL(rrlist_find_owner(l, (const uint8_t *)"\003org", hint), 14);
		CU_ASSERT_EQUAL(rrlist_find_owner(l, (const uint8_t *)"\007example", hint), 0);
		CU_ASSERT_EQUAL(rrlist_find_owner(l, (const uint8_t *)"\001y\001a\007example", hint),
				RRLIST_NONE);
		CU_ASSERT_EQUAL(rrlist_find_owner(l, (const uint8_t *)"\003zzz", hint), RRLIST_NONE);
		CU_ASSERT_EQUAL(rrlist_find_owner(l, (const uint8_t *)"", hint), RRLIST_NONE);
	}
	CU_ASSERT_EQUAL(rrlist_find_owner(l, nsb, RRLIST_NONE), 10);
	rrlist_free(l);
}

/* Dropping records keeps owner and RRset boundaries right. */
static void
test_rrlist_drop_navigation(void)
{
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(add_a(l, "a.", 1), SN_OK);
	CU_ASSERT_EQUAL(add_a(l, "b.", 1), SN_OK);
	CU_ASSERT_EQUAL(add_a(l, "b.", 2), SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, "b.", RRTYPE_TXT, 1, "x", 2, "f", 1), SN_OK);
	CU_ASSERT_EQUAL(add_a(l, "c.", 1), SN_OK);
	CU_ASSERT_EQUAL(rrlist_sort(l), SN_OK);
	CU_ASSERT_EQUAL(rrlist_owner_end(l, 1), 4);
	CU_ASSERT_EQUAL(rrlist_rrset_end(l, 1), 3);
	CU_ASSERT_EQUAL(rrlist_type(l, 3), RRTYPE_TXT);
	CU_ASSERT_EQUAL(rrlist_rclass(l, 3), RRCLASS_IN);
	/* drop a. and the first A of b.: b.'s second A now starts both */
	rrlist_drop(l, 0);
	rrlist_drop(l, 1);
	rrlist_compact(l);
	CU_ASSERT_EQUAL_FATAL(rrlist_count(l), 3);
	CU_ASSERT_EQUAL(rrlist_owner_end(l, 0), 2);
	CU_ASSERT_EQUAL(rrlist_rrset_end(l, 0), 1);
	CU_ASSERT_EQUAL(rrlist_get(l, 0).rdata[3], 2);
	CU_ASSERT(rrlist_is_same_owner(l, 0, 1));
	CU_ASSERT(!rrlist_is_same_owner(l, 1, 2));
	CU_ASSERT_EQUAL(rrlist_subtree_end(l, 0), 2);
	/* drop the middle one: c. stays an owner of its own */
	rrlist_drop(l, 1);
	rrlist_compact(l);
	CU_ASSERT_EQUAL_FATAL(rrlist_count(l), 2);
	CU_ASSERT_EQUAL(rrlist_owner_end(l, 0), 1);
	CU_ASSERT_EQUAL(rrlist_owner_end(l, 1), 2);
	rrlist_free(l);
}

/*
 * Randomised: the sort must agree with qsort using dname_cmp (then type,
 * then RDATA) on random names that stress the radix sort: long shared
 * suffixes, labels that are prefixes of others, case, 0x00/0x01/0xff.
 */

struct rname {
	uint8_t wire[DNAME_MAXLEN];
	uint8_t rd[4];
	uint16_t type;
};

static int
rname_cmp(const void *pa, const void *pb)
{
	const struct rname *a = pa, *b = pb;
	int c = dname_cmp(a->wire, b->wire);
	if (c != 0) {
		return c;
	}
	if (a->type != b->type) {
		return a->type < b->type ? -1 : 1;
	}
	return memcmp(a->rd, b->rd, 4);
}

static void
random_name(struct rname *r, unsigned *state)
{
	static const uint8_t alpha[] = {'a', 'A', 'b', 'B', 'z', '0', '9', 0x00, 0x01, 0x02, 0xff, '-'};
	size_t n = 0;
	unsigned labels = 1 + (unsigned)rand_r(state) % 4;
	for (unsigned i = 0; i < labels; i++) {
		/* short labels collide often, long ones make long shared keys */
		unsigned len = 1 + (unsigned)rand_r(state) % ((rand_r(state) & 1) ? 3 : 20);
		r->wire[n++] = (uint8_t)len;
		for (unsigned k = 0; k < len; k++) {
			r->wire[n++] = alpha[(unsigned)rand_r(state) % sizeof(alpha)];
		}
	}
	/* a common apex, so the radix sort skips the shared suffix */
	memcpy(r->wire + n, "\004zone\004test", 11);
	r->type = (rand_r(state) & 3) == 0 ? RRTYPE_TXT : RRTYPE_A;
	r->rd[0] = 3;
	r->rd[1] = (uint8_t)(rand_r(state) % 3);
	r->rd[2] = (uint8_t)(rand_r(state) % 2);
	r->rd[3] = 'x';
}

static void
check_random(unsigned seed, size_t count, int mode)
{
	unsigned state = seed;
	struct rname *rs = calloc(count, sizeof(*rs));
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);

	for (size_t i = 0; i < count; i++) {
		random_name(&rs[i], &state);
	}
	if (mode == 1) {
		/* already sorted input */
		qsort(rs, count, sizeof(*rs), rname_cmp);
	} else if (mode == 2) {
		/* sorted by owner only: reverse the records of each owner */
		qsort(rs, count, sizeof(*rs), rname_cmp);
		for (size_t i = 0; i < count;) {
			size_t j = i + 1;
			while (j < count && dname_cmp(rs[i].wire, rs[j].wire) == 0) {
				j++;
			}
			for (size_t a = i, b = j - 1; a < b; a++, b--) {
				struct rname t = rs[a];
				rs[a] = rs[b];
				rs[b] = t;
			}
			i = j;
		}
	}
	for (size_t i = 0; i < count; i++) {
		zfile_rr_t rr = {
			.owner = rs[i].wire,
			.type = rs[i].type,
			.rclass = RRCLASS_IN,
			.ttl = 1,
			.rdlen = rs[i].type == RRTYPE_A ? 4 : 4,
			.rdata = rs[i].rd,
			.file = "r",
			.line = (uint32_t)i,
		};
		CU_ASSERT_EQUAL_FATAL(rrlist_add(l, &rr), SN_OK);
	}
	CU_ASSERT_EQUAL_FATAL(rrlist_sort(l), SN_OK);

	qsort(rs, count, sizeof(*rs), rname_cmp);
	size_t uniq = 0;
	bool ok = true;
	for (size_t i = 0; i < count && ok; i++) {
		if (i > 0 && rname_cmp(&rs[i - 1], &rs[i]) == 0) {
			continue;
		}
		if (uniq >= rrlist_count(l)) {
			ok = false;
			break;
		}
		rrlist_rr_t v = rrlist_get(l, uniq);
		if (dname_cmp(v.owner, rs[i].wire) != 0 || v.type != rs[i].type ||
		    memcmp(v.rdata, rs[i].rd, 4) != 0) {
			char a[DNAME_MAXTEXT], b[DNAME_MAXTEXT];
			dname_to_text(v.owner, a, sizeof(a));
			dname_to_text(rs[i].wire, b, sizeof(b));
			printf("\nrrlist: mismatch at %zu: got %s, want %s\n", uniq, a, b);
			ok = false;
		}
		uniq++;
	}
	if (ok && uniq != rrlist_count(l)) {
		ok = false;
	}
	/* boundaries recorded by the sort agree with comparisons */
	for (size_t i = 0; ok && i + 1 < rrlist_count(l); i++) {
		rrlist_rr_t a = rrlist_get(l, i), b = rrlist_get(l, i + 1);
		bool same = dname_cmp(a.owner, b.owner) == 0;
		if (rrlist_is_same_owner(l, i, i + 1) != same ||
		    (rrlist_owner_end(l, i) == i + 1) == same ||
		    (rrlist_rrset_end(l, i) == i + 1) == (same && a.type == b.type) ||
		    rrlist_type(l, i) != a.type) {
			printf("\nrrlist: bad boundary at %zu\n", i);
			ok = false;
		}
	}
	if (!ok) {
		printf("\nrrlist random sort failed: seed %u, count %zu, mode %d\n", seed, count,
		       mode);
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(rrlist_count(l) + rrlist_dup_count(l), count);
	rrlist_free(l);
	free(rs);
}

static void
test_rrlist_random_vs_qsort(void)
{
	unsigned seed = test_seed();
	check_random(seed, 5000, 0);
	check_random(seed + 1, 20000, 0);
	check_random(seed + 2, 5000, 1);
	check_random(seed + 3, 5000, 2);
	check_random(seed + 4, 40, 0);
}

/* Adding after a sort, then sorting again, must give a sorted list. */
static void
test_rrlist_resort(void)
{
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	char name[32];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "h%d.example.", (i * 37) % 300);
		CU_ASSERT_EQUAL_FATAL(add_a(l, name, 1), SN_OK);
	}
	CU_ASSERT_EQUAL(rrlist_sort(l), SN_OK);
	CU_ASSERT(rrlist_is_sorted(l));
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "g%d.example.", i);
		CU_ASSERT_EQUAL_FATAL(add_a(l, name, 1), SN_OK);
	}
	CU_ASSERT(!rrlist_is_sorted(l));
	CU_ASSERT_EQUAL(rrlist_sort(l), SN_OK);
	CU_ASSERT_EQUAL_FATAL(rrlist_count(l), 600);
	for (size_t i = 1; i < 600; i++) {
		CU_ASSERT(dname_cmp(rrlist_get(l, i - 1).owner, rrlist_get(l, i).owner) < 0);
	}
	rrlist_free(l);
}

int
test_rrlist_register(void)
{
	CU_pSuite s = CU_add_suite("rrlist", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	if (CU_add_test(s, "test_rrlist_empty", test_rrlist_empty) == NULL ||
	    CU_add_test(s, "test_rrlist_canonical_order", test_rrlist_canonical_order) == NULL ||
	    CU_add_test(s, "test_rrlist_type_rdata_order", test_rrlist_type_rdata_order) == NULL ||
	    CU_add_test(s, "test_rrlist_duplicates", test_rrlist_duplicates) == NULL ||
	    CU_add_test(s, "test_rrlist_view_fields", test_rrlist_view_fields) == NULL ||
	    CU_add_test(s, "test_rrlist_malformed", test_rrlist_malformed) == NULL ||
	    CU_add_test(s, "test_rrlist_lookups", test_rrlist_lookups) == NULL ||
	    CU_add_test(s, "test_rrlist_drop_navigation", test_rrlist_drop_navigation) == NULL ||
	    CU_add_test(s, "test_rrlist_random_vs_qsort", test_rrlist_random_vs_qsort) == NULL ||
	    CU_add_test(s, "test_rrlist_resort", test_rrlist_resort) == NULL) {
		return CU_get_error();
	}
	return CUE_SUCCESS;
}
