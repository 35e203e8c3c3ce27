/* SPDX-License-Identifier: MIT
 * test_rrtype.c - unit tests for zone/rrtype: mnemonics, generic forms, meta types.
 */
#include "tests/unit/suites.h"
#include "zone/rrtype.h"
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

static int
type_of(const char *s, uint16_t *out)
{
	return rrtype_from_text(s, strlen(s), out);
}

static int
class_of(const char *s, uint16_t *out)
{
	return rrclass_from_text(s, strlen(s), out);
}

static void
test_rrtype_mnemonics(void)
{
	static const struct {
		const char *name;
		uint16_t type;
	} known[] = {
	    {"A", 1},       {"NS", 2},          {"MD", 3},        {"MF", 4},
	    {"CNAME", 5},   {"SOA", 6},         {"MB", 7},        {"MG", 8},
	    {"MR", 9},      {"NULL", 10},       {"WKS", 11},      {"PTR", 12},
	    {"HINFO", 13},  {"MINFO", 14},      {"MX", 15},       {"TXT", 16},
	    {"RP", 17},     {"AFSDB", 18},      {"X25", 19},      {"ISDN", 20},
	    {"RT", 21},     {"NSAP", 22},       {"NSAP-PTR", 23}, {"SIG", 24},
	    {"KEY", 25},    {"PX", 26},         {"AAAA", 28},     {"LOC", 29},
	    {"NXT", 30},    {"SRV", 33},        {"NAPTR", 35},    {"KX", 36},
	    {"CERT", 37},   {"A6", 38},         {"DNAME", 39},    {"OPT", 41},
	    {"APL", 42},    {"DS", 43},         {"SSHFP", 44},    {"IPSECKEY", 45},
	    {"RRSIG", 46},  {"NSEC", 47},       {"DNSKEY", 48},   {"DHCID", 49},
	    {"NSEC3", 50},  {"NSEC3PARAM", 51}, {"TLSA", 52},     {"SMIMEA", 53},
	    {"HIP", 55},    {"CDS", 59},        {"CDNSKEY", 60},  {"OPENPGPKEY", 61},
	    {"CSYNC", 62},  {"ZONEMD", 63},     {"SVCB", 64},     {"HTTPS", 65},
	    {"SPF", 99},    {"NID", 104},       {"L32", 105},     {"L64", 106},
	    {"LP", 107},    {"EUI48", 108},     {"EUI64", 109},   {"TKEY", 249},
	    {"TSIG", 250},  {"IXFR", 251},      {"AXFR", 252},    {"MAILB", 253},
	    {"MAILA", 254}, {"ANY", 255},       {"URI", 256},     {"CAA", 257},
	    {"TA", 32768},  {"DLV", 32769},     {"DSYNC", 66},    {"HHIT", 67},
	    {"BRID", 68},   {"AMTRELAY", 260},  {"RESINFO", 261}, {"WALLET", 262},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		uint16_t t = 0;
		char buf[RRTYPE_MAXTEXT];
		CU_ASSERT_EQUAL(type_of(known[i].name, &t), SN_OK);
		CU_ASSERT_EQUAL(t, known[i].type);
		CU_ASSERT_EQUAL(rrtype_to_text(known[i].type, buf, sizeof(buf)),
		                (int)strlen(known[i].name));
		CU_ASSERT_STRING_EQUAL(buf, known[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(rrtype_name(known[i].type));
		CU_ASSERT_STRING_EQUAL(rrtype_name(known[i].type), known[i].name);
	}
}

static void
test_rrtype_case_insensitive(void)
{
	uint16_t t = 0;
	CU_ASSERT_EQUAL(type_of("nsec3param", &t), SN_OK);
	CU_ASSERT_EQUAL(t, RRTYPE_NSEC3PARAM);
	CU_ASSERT_EQUAL(type_of("Https", &t), SN_OK);
	CU_ASSERT_EQUAL(t, RRTYPE_HTTPS);
	CU_ASSERT_EQUAL(type_of("aaaa", &t), SN_OK);
	CU_ASSERT_EQUAL(t, RRTYPE_AAAA);
	CU_ASSERT_EQUAL(type_of("nsap-ptr", &t), SN_OK);
	CU_ASSERT_EQUAL(t, 23);
	CU_ASSERT_EQUAL(type_of("type99", &t), SN_OK);
	CU_ASSERT_EQUAL(t, RRTYPE_SPF);
}

static void
test_rrtype_generic(void)
{
	uint16_t t = 0;
	char buf[RRTYPE_MAXTEXT];

	CU_ASSERT_EQUAL(type_of("TYPE1", &t), SN_OK);
	CU_ASSERT_EQUAL(t, 1);
	CU_ASSERT_EQUAL(type_of("TYPE65535", &t), SN_OK);
	CU_ASSERT_EQUAL(t, 65535);
	CU_ASSERT_EQUAL(type_of("TYPE0", &t), SN_OK);
	CU_ASSERT_EQUAL(t, 0);
	CU_ASSERT_EQUAL(type_of("TYPE00053", &t), SN_OK);
	CU_ASSERT_EQUAL(t, 53);

	t = 7;
	CU_ASSERT_EQUAL(type_of("TYPE65536", &t), SN_EPARSE);
	CU_ASSERT_EQUAL(type_of("TYPE", &t), SN_EPARSE);
	CU_ASSERT_EQUAL(type_of("TYPE1x", &t), SN_EPARSE);
	CU_ASSERT_EQUAL(type_of("TYPE-1", &t), SN_EPARSE);
	CU_ASSERT_EQUAL(type_of("TYPE999999", &t), SN_EPARSE);
	CU_ASSERT_EQUAL(type_of("", &t), SN_EPARSE);
	CU_ASSERT_EQUAL(type_of("FOO", &t), SN_EPARSE);
	CU_ASSERT_EQUAL(type_of("A ", &t), SN_EPARSE);
	CU_ASSERT_EQUAL(type_of("NSEC33", &t), SN_EPARSE);
	CU_ASSERT_EQUAL(type_of("AAAAAAAAAAAAAAAAAAAAAAAAAA", &t), SN_EPARSE);
	CU_ASSERT_EQUAL(t, 7); /* untouched on failure */

	CU_ASSERT_EQUAL(rrtype_to_text(65000, buf, sizeof(buf)), 9);
	CU_ASSERT_STRING_EQUAL(buf, "TYPE65000");
	CU_ASSERT_EQUAL(rrtype_to_text(0, buf, sizeof(buf)), 5);
	CU_ASSERT_STRING_EQUAL(buf, "TYPE0");
	CU_ASSERT_PTR_NULL(rrtype_name(65000));
	CU_ASSERT_PTR_NULL(rrtype_name(54));
	CU_ASSERT_EQUAL(rrtype_to_text(65000, buf, 9), SN_ENOSPC); /* no room for the NUL */
	CU_ASSERT_EQUAL(rrtype_to_text(RRTYPE_A, buf, 2), 1);
	CU_ASSERT_STRING_EQUAL(buf, "A");
}

/* Every number prints to something that parses back to it: no two types
 * share a name and the hash finds every mnemonic. */
static void
test_rrtype_all_numbers_roundtrip(void)
{
	unsigned bad = 0;
	for (uint32_t v = 0; v <= 65535; v++) {
		char buf[RRTYPE_MAXTEXT];
		uint16_t back = 0;
		int n = rrtype_to_text((uint16_t)v, buf, sizeof(buf));
		if (n <= 0 || rrtype_from_text(buf, (size_t)n, &back) != SN_OK || back != v) {
			bad++;
		}
		n = rrclass_to_text((uint16_t)v, buf, sizeof(buf));
		if (n <= 0 || rrclass_from_text(buf, (size_t)n, &back) != SN_OK || back != v) {
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_rrtype_classes(void)
{
	uint16_t c = 0;
	char buf[RRTYPE_MAXTEXT];

	CU_ASSERT_EQUAL(class_of("IN", &c), SN_OK);
	CU_ASSERT_EQUAL(c, RRCLASS_IN);
	CU_ASSERT_EQUAL(class_of("in", &c), SN_OK);
	CU_ASSERT_EQUAL(c, RRCLASS_IN);
	CU_ASSERT_EQUAL(class_of("CH", &c), SN_OK);
	CU_ASSERT_EQUAL(c, RRCLASS_CH);
	CU_ASSERT_EQUAL(class_of("hs", &c), SN_OK);
	CU_ASSERT_EQUAL(c, RRCLASS_HS);
	CU_ASSERT_EQUAL(class_of("NONE", &c), SN_OK);
	CU_ASSERT_EQUAL(c, RRCLASS_NONE);
	CU_ASSERT_EQUAL(class_of("Any", &c), SN_OK);
	CU_ASSERT_EQUAL(c, RRCLASS_ANY);
	CU_ASSERT_EQUAL(class_of("CLASS1", &c), SN_OK);
	CU_ASSERT_EQUAL(c, RRCLASS_IN);
	CU_ASSERT_EQUAL(class_of("class65535", &c), SN_OK);
	CU_ASSERT_EQUAL(c, 65535);

	c = 9;
	CU_ASSERT_EQUAL(class_of("CLASS65536", &c), SN_EPARSE);
	CU_ASSERT_EQUAL(class_of("CLASS", &c), SN_EPARSE);
	CU_ASSERT_EQUAL(class_of("INN", &c), SN_EPARSE);
	CU_ASSERT_EQUAL(class_of("A", &c), SN_EPARSE);
	CU_ASSERT_EQUAL(class_of("", &c), SN_EPARSE);
	CU_ASSERT_EQUAL(c, 9);

	CU_ASSERT_EQUAL(rrclass_to_text(RRCLASS_IN, buf, sizeof(buf)), 2);
	CU_ASSERT_STRING_EQUAL(buf, "IN");
	CU_ASSERT_EQUAL(rrclass_to_text(2, buf, sizeof(buf)), 6);
	CU_ASSERT_STRING_EQUAL(buf, "CLASS2");
	CU_ASSERT_EQUAL(rrclass_to_text(RRCLASS_NONE, buf, sizeof(buf)), 4);
	CU_ASSERT_STRING_EQUAL(buf, "NONE");
}

static void
test_rrtype_meta(void)
{
	static const uint16_t meta[] = {RRTYPE_OPT,  RRTYPE_TKEY, RRTYPE_TSIG,
	                                RRTYPE_IXFR, RRTYPE_AXFR, 253,
	                                254,         RRTYPE_ANY,  128};
	static const uint16_t data[] = {RRTYPE_A, RRTYPE_RRSIG, RRTYPE_NULL,
	                                127,      RRTYPE_URI,   RRTYPE_CAA,
	                                0,        65535,        RRTYPE_SVCB};
	for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
		CU_ASSERT_TRUE(rrtype_is_meta(meta[i]));
	}
	for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++) {
		CU_ASSERT_FALSE(rrtype_is_meta(data[i]));
	}
}

int
test_rrtype_register(void)
{
	CU_pSuite s = CU_add_suite("rrtype", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_rrtype_mnemonics", test_rrtype_mnemonics);
	CU_add_test(s, "test_rrtype_case_insensitive", test_rrtype_case_insensitive);
	CU_add_test(s, "test_rrtype_generic", test_rrtype_generic);
	CU_add_test(s, "test_rrtype_all_numbers_roundtrip", test_rrtype_all_numbers_roundtrip);
	CU_add_test(s, "test_rrtype_classes", test_rrtype_classes);
	CU_add_test(s, "test_rrtype_meta", test_rrtype_meta);
	return CU_get_error();
}
