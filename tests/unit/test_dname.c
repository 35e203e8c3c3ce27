/* SPDX-License-Identifier: MIT
 * test_dname.c - domain names: text <-> wire, escapes, limits, order.
 */
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"
#include "zone/dname.h"

static const uint8_t ORIGIN[] = "\007example\003com";

/* Parses `text` (absolute, or relative to ORIGIN) and returns its wire length,
 * or the error code. */
static int
parse(const char *text, uint8_t out[DNAME_MAXLEN])
{
	size_t len = 0;
	int rc = dname_from_text(text, strlen(text), ORIGIN, out, &len);
	return rc == SN_OK ? (int)len : rc;
}

static void
test_dname_text_roundtrip(void)
{
	const char *names[] = {
		".", "com.", "example.com.", "WWW.Example.COM.", "a\\.b.example.",
		"\\000\\255\\\\.x.", "*.wild.example.", "a\\ b.c.", "\\@\\$\\(\\).",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t w[DNAME_MAXLEN], w2[DNAME_MAXLEN];
		char text[DNAME_MAXTEXT];
		int len = parse(names[i], w);
		CU_ASSERT_FATAL(len > 0);
		CU_ASSERT_EQUAL((size_t)len, dname_len(w));
		int tl = dname_to_text(w, text, sizeof(text));
		CU_ASSERT_FATAL(tl > 0);
		CU_ASSERT_EQUAL((size_t)tl, strlen(text));
		CU_ASSERT_EQUAL(parse(text, w2), len);
		CU_ASSERT_EQUAL(memcmp(w, w2, (size_t)len), 0);
	}
}

static void
test_dname_text_forms(void)
{
	uint8_t w[DNAME_MAXLEN];
	char text[DNAME_MAXTEXT];

	CU_ASSERT_EQUAL(parse("www", w), 17);
	CU_ASSERT_EQUAL(memcmp(w, "\003www\007example\003com", 17), 0);
	CU_ASSERT_EQUAL(parse("@", w), 13);
	CU_ASSERT_EQUAL(memcmp(w, ORIGIN, 13), 0);
	CU_ASSERT_EQUAL(parse("a\\046b.", w), 5); /* \046 is '.' inside a label */
	CU_ASSERT_EQUAL(memcmp(w, "\003a.b", 5), 0);
	CU_ASSERT_EQUAL(dname_to_text(w, text, sizeof(text)), 5);
	CU_ASSERT_STRING_EQUAL(text, "a\\.b.");
	CU_ASSERT_EQUAL(parse("\\009.", w), 3);
	CU_ASSERT_EQUAL(dname_to_text(w, text, sizeof(text)), 5);
	CU_ASSERT_STRING_EQUAL(text, "\\009.");
	/* output keeps the case as written */
	CU_ASSERT_EQUAL(parse("MiXeD.", w), 7);
	dname_to_text(w, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "MiXeD.");
	/* too small a buffer is reported, not overrun */
	CU_ASSERT_EQUAL(dname_to_text(w, text, 4), SN_ENOSPC);
}

static void
test_dname_text_malformed(void)
{
	uint8_t w[DNAME_MAXLEN];
	size_t len;
	char big[400];

	CU_ASSERT_EQUAL(parse("", w), SN_EPARSE);
	CU_ASSERT_EQUAL(parse("a..b.", w), SN_EPARSE);
	CU_ASSERT_EQUAL(parse(".a.", w), SN_EPARSE);
	CU_ASSERT_EQUAL(parse("a\\", w), SN_EPARSE);
	CU_ASSERT_EQUAL(parse("a\\25", w), SN_EPARSE);
	CU_ASSERT_EQUAL(parse("a\\256.", w), SN_EPARSE);
	CU_ASSERT_EQUAL(dname_from_text("rel", 3, NULL, w, &len), SN_EPARSE);

	/* 63 octets is the longest label, 64 is refused */
	memset(big, 'a', 63);
	strcpy(big + 63, ".");
	CU_ASSERT_EQUAL(parse(big, w), 65);
	memset(big, 'a', 64);
	strcpy(big + 64, ".");
	CU_ASSERT_EQUAL(parse(big, w), SN_ERANGE);

	/* 255 octets is the longest name: 4 labels of 63 is 4*64+1 = 257 */
	char *p = big;
	for (int i = 0; i < 4; i++) {
		memset(p, 'b', 63);
		p[63] = '.';
		p += 64;
	}
	*p = '\0';
	CU_ASSERT_EQUAL(parse(big, w), SN_ERANGE);
	big[3 * 64 + 61] = '.'; /* last label 61 octets: 3*64 + 62 + 1 = 255 */
	big[3 * 64 + 62] = '\0';
	CU_ASSERT_EQUAL(parse(big, w), 255);
	/* relative names count the origin too */
	big[3 * 64 + 61] = '\0';
	CU_ASSERT_EQUAL(parse(big, w), SN_ERANGE);
}

static void
test_dname_compare(void)
{
	uint8_t a[DNAME_MAXLEN], b[DNAME_MAXLEN];

	CU_ASSERT(parse("WWW.example.COM.", a) > 0);
	CU_ASSERT(parse("www.EXAMPLE.com.", b) > 0);
	CU_ASSERT(dname_is_equal(a, b));
	CU_ASSERT_EQUAL(dname_cmp(a, b), 0);
	CU_ASSERT(parse("ww.example.com.", b) > 0);
	CU_ASSERT_FALSE(dname_is_equal(a, b));
	CU_ASSERT(dname_is_subdomain(a, ORIGIN));
	CU_ASSERT(dname_is_subdomain(ORIGIN, ORIGIN));
	CU_ASSERT_FALSE(dname_is_subdomain(ORIGIN, a));
	CU_ASSERT(parse("xexample.com.", b) > 0);
	CU_ASSERT_FALSE(dname_is_subdomain(b, ORIGIN));
	CU_ASSERT_EQUAL(dname_label_count(a), 3);
	CU_ASSERT(dname_is_equal(dname_parent(a), ORIGIN));
	CU_ASSERT_PTR_NULL(dname_parent((const uint8_t *)""));
	CU_ASSERT(parse("*.example.com.", b) > 0);
	CU_ASSERT(dname_is_wildcard(b));
	CU_ASSERT_FALSE(dname_is_wildcard(a));
	dname_to_lower(a);
	CU_ASSERT_EQUAL(memcmp(a, "\003www\007example\003com", 17), 0);
}

/* RFC 4034 6.1 gives this list in canonical order. */
static void
test_dname_canonical_order(void)
{
	const char *sorted[] = {
		"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.",
		"zABC.a.EXAMPLE.", "z.example.", "\\001.z.example.", "*.z.example.",
		"\\200.z.example.",
	};
	size_t n = sizeof(sorted) / sizeof(sorted[0]);
	uint8_t w[16][DNAME_MAXLEN];
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_FATAL(parse(sorted[i], w[i]) > 0);
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			int c = dname_cmp(w[i], w[j]);
			if (i < j) {
				CU_ASSERT(c < 0);
			} else if (i > j) {
				CU_ASSERT(c > 0);
			} else {
				CU_ASSERT_EQUAL(c, 0);
			}
		}
	}
}

static void
test_dname_wire_unpack(void)
{
	/* header (12) + "\3www\7example\3com\0" at 12 + "\4mail" + ptr to 16 */
	uint8_t pkt[64] = {0};
	size_t pos = 12, len;
	uint8_t out[DNAME_MAXLEN];
	memcpy(pkt + 12, "\003www\007example\003com", 17);
	memcpy(pkt + 29, "\004mail\xc0\x10", 7);
	CU_ASSERT_EQUAL(dname_unpack(pkt, 36, &pos, out, &len), SN_OK);
	CU_ASSERT_EQUAL(pos, 29);
	CU_ASSERT_EQUAL(len, 17);
	CU_ASSERT_EQUAL(dname_unpack(pkt, 36, &pos, out, &len), SN_OK);
	CU_ASSERT_EQUAL(pos, 36);
	CU_ASSERT_EQUAL(len, 18);
	CU_ASSERT_EQUAL(memcmp(out, "\004mail\007example\003com", 18), 0);

	/* a pointer to itself or forward is refused (no loops) */
	pkt[40] = 0xc0;
	pkt[41] = 40;
	pos = 40;
	CU_ASSERT_EQUAL(dname_unpack(pkt, 42, &pos, out, &len), SN_EPARSE);
	CU_ASSERT_EQUAL(pos, 40);
	/* truncated label */
	pos = 12;
	CU_ASSERT_EQUAL(dname_unpack(pkt, 20, &pos, out, &len), SN_EPARSE);
	/* reserved label types 0x40/0x80 */
	pkt[44] = 0x41;
	pos = 44;
	CU_ASSERT_EQUAL(dname_unpack(pkt, 50, &pos, out, &len), SN_EPARSE);

	CU_ASSERT_EQUAL(dname_check(pkt + 12, 17, &len), SN_OK);
	CU_ASSERT_EQUAL(len, 17);
	CU_ASSERT_EQUAL(dname_check(pkt + 12, 16, &len), SN_EPARSE);
	CU_ASSERT_EQUAL(dname_check(pkt + 29, 7, &len), SN_EPARSE); /* has a pointer */
}

/* A long chain of backward pointers must stop at 255 octets, not loop. */
static void
test_dname_wire_pointer_chain(void)
{
	uint8_t pkt[2048];
	size_t pos, len;
	uint8_t out[DNAME_MAXLEN];
	pkt[0] = 0;
	for (size_t i = 1; i + 4 <= sizeof(pkt); i += 4) {
		pkt[i] = 1;
		pkt[i + 1] = 'a';
		pkt[i + 2] = (uint8_t)(0xc0 | ((i - 1) >> 8));
		pkt[i + 3] = (uint8_t)((i - 1) & 0xff);
		/* label "a" then a pointer to the previous entry */
		if (i >= 5) {
			pkt[i + 2] = (uint8_t)(0xc0 | ((i - 4) >> 8));
			pkt[i + 3] = (uint8_t)((i - 4) & 0xff);
		}
	}
	pos = sizeof(pkt) - 7;
	CU_ASSERT_EQUAL(dname_unpack(pkt, sizeof(pkt), &pos, out, &len), SN_ERANGE);
}

int
test_dname_register(void)
{
	CU_pSuite s = CU_add_suite("dname", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_dname_text_roundtrip", test_dname_text_roundtrip);
	CU_add_test(s, "test_dname_text_forms", test_dname_text_forms);
	CU_add_test(s, "test_dname_text_malformed", test_dname_text_malformed);
	CU_add_test(s, "test_dname_compare", test_dname_compare);
	CU_add_test(s, "test_dname_canonical_order", test_dname_canonical_order);
	CU_add_test(s, "test_dname_wire_unpack", test_dname_wire_unpack);
	CU_add_test(s, "test_dname_wire_pointer_chain", test_dname_wire_pointer_chain);
	return CU_get_error();
}
