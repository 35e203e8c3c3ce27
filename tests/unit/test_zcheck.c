/* SPDX-License-Identifier: MIT
 * test_zcheck.c - zone semantic checks (zone/zcheck) and the canonical
 * printer (zone/zprint, suite "zprint").
 *
 * Zones are built record by record in wire form, so these tests do not
 * depend on the zone-file parser. Each check has a good and a bad case, and
 * the exact messages are asserted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"
#include "zone/dname.h"
#include "zone/rrlist.h"
#include "zone/rrtype.h"
#include "zone/zcheck.h"
#include "zone/zprint.h"

#define MAXMSG 32

/* A zone under construction plus the messages the check reported. */
struct tz {
	rrlist_t *l;
	uint32_t line;
	unsigned nmsg;
	char msg[MAXMSG][512];
	zcheck_stats_t st;
};

static const uint8_t ORIGIN[] = "\007example\003com";

static void
on_msg(void *ctx, zfile_sev_t sev, const char *file, uint32_t line, uint32_t col,
       const char *msg)
{
	struct tz *z = ctx;
	if (z->nmsg < MAXMSG) {
		snprintf(z->msg[z->nmsg], sizeof(z->msg[0]), "%s:%u: %s: %s", file, line,
			 sev == ZFILE_ERROR ? "error" : "warning", msg);
	}
	z->nmsg++;
}

static void
tz_init(struct tz *z)
{
	memset(z, 0, sizeof(*z));
	z->l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(z->l);
}

/* Parses `name` relative to example.com into `out`; returns its length. */
static size_t
wname(const char *name, uint8_t *out)
{
	size_t len = 0;
	CU_ASSERT_EQUAL_FATAL(dname_from_text(name, strlen(name), ORIGIN, out, &len), SN_OK);
	return len;
}

/* Adds one record on the next line of "z.zone". */
static void
add(struct tz *z, const char *owner, uint16_t type, uint32_t ttl, const uint8_t *rd, size_t len)
{
	uint8_t o[DNAME_MAXLEN];
	wname(owner, o);
	zfile_rr_t rr = {
		.owner = o,
		.type = type,
		.rclass = RRCLASS_IN,
		.ttl = ttl,
		.rdlen = (uint16_t)len,
		.rdata = rd,
		.file = "z.zone",
		.line = ++z->line,
		.col = 1,
	};
	CU_ASSERT_EQUAL_FATAL(rrlist_add(z->l, &rr), SN_OK);
}

static void
add_a(struct tz *z, const char *owner, uint8_t last)
{
	uint8_t rd[4] = {192, 0, 2, last};
	add(z, owner, RRTYPE_A, 3600, rd, 4);
}

/* NS, CNAME, DNAME: RDATA is one name. */
static void
add_name(struct tz *z, const char *owner, uint16_t type, const char *target)
{
	uint8_t rd[DNAME_MAXLEN];
	size_t len = wname(target, rd);
	add(z, owner, type, 3600, rd, len);
}

/* MX (off 2) and SRV (off 6): fixed fields of zeros, then the name. */
static void
add_target(struct tz *z, const char *owner, uint16_t type, const char *target)
{
	uint8_t rd[6 + DNAME_MAXLEN] = {0};
	size_t off = type == RRTYPE_MX ? 2 : 6;
	size_t len = wname(target, rd + off);
	add(z, owner, type, 3600, rd, off + len);
}

static void
add_soa(struct tz *z, const char *owner)
{
	uint8_t rd[2 * DNAME_MAXLEN + 20];
	size_t n = wname("ns1", rd);
	n += wname("hostmaster", rd + n);
	static const uint8_t nums[20] = {0, 0, 0, 1, 0, 0, 14, 16, 0, 0, 2, 88,
					 0, 1, 81, 128, 0, 0, 1, 44};
	memcpy(rd + n, nums, 20);
	add(z, owner, RRTYPE_SOA, 3600, rd, n + 20);
}

/* SOA, NS ns1, ns1 A: a zone that passes. */
static void
add_base(struct tz *z)
{
	add_soa(z, "@");
	add_name(z, "@", RRTYPE_NS, "ns1");
	add_a(z, "ns1", 1);
}

static int
run(struct tz *z, unsigned max_msgs)
{
	CU_ASSERT_EQUAL_FATAL(rrlist_sort(z->l), SN_OK);
	zcheck_opts_t o = {
		.origin = ORIGIN,
		.max_msgs = max_msgs,
		.file = "z.zone",
		.on_msg = on_msg,
		.ctx = z,
	};
	return zcheck_run(z->l, &o, &z->st);
}

static void
tz_free(struct tz *z)
{
	rrlist_free(z->l);
}

/* Asserts the messages, in order, and that there are no others. */
static void
expect_msgs(struct tz *z, unsigned n, ...)
{
	va_list ap;
	va_start(ap, n);
	for (unsigned i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);
		if (i < z->nmsg) {
			if (strcmp(z->msg[i], want) != 0) {
				printf("\nmessage %u:\n  got  %s\n  want %s\n", i, z->msg[i], want);
			}
			CU_ASSERT_STRING_EQUAL(z->msg[i], want);
		}
	}
	va_end(ap);
	if (z->nmsg != n) {
		printf("\n%u messages, want %u:\n", z->nmsg, n);
		for (unsigned i = 0; i < z->nmsg && i < MAXMSG; i++) {
			printf("  %s\n", z->msg[i]);
		}
	}
	CU_ASSERT_EQUAL(z->nmsg, n);
}

static void
test_zcheck_good_zone(void)
{
	struct tz z;
	tz_init(&z);
	add_base(&z);
	add_a(&z, "www", 2);
	add_name(&z, "alias", RRTYPE_CNAME, "www");
	add_target(&z, "@", RRTYPE_MX, "www");
	add_target(&z, "_sip._tcp", RRTYPE_SRV, "www");
	add_name(&z, "sub", RRTYPE_NS, "ns.sub");
	add_name(&z, "sub", RRTYPE_NS, "ns.example.net.");
	add_a(&z, "ns.sub", 9);
	add_name(&z, "d", RRTYPE_DNAME, "www");
	CU_ASSERT_EQUAL(run(&z, 0), SN_OK);
	expect_msgs(&z, 0);
	CU_ASSERT_EQUAL(z.st.errors, 0);
	CU_ASSERT_EQUAL(z.st.warnings, 0);
	CU_ASSERT_EQUAL(rrlist_count(z.l), 11);
	tz_free(&z);
}

static void
test_zcheck_soa(void)
{
	struct tz z;

	/* none: the apex exists but has no SOA */
	tz_init(&z);
	add_name(&z, "@", RRTYPE_NS, "ns1");
	add_a(&z, "ns1", 1);
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 1, "z.zone:1: error: no SOA record at the zone apex");
	tz_free(&z);

	/* no apex at all */
	tz_init(&z);
	add_a(&z, "ns1", 1);
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 2, "z.zone:0: error: no SOA record at the zone apex (example.com.)",
		    "z.zone:0: error: no NS records at the zone apex (example.com.)");
	CU_ASSERT_EQUAL(z.st.errors, 2);
	tz_free(&z);

	/* two */
	tz_init(&z);
	add_base(&z);
	uint8_t rd[2 * DNAME_MAXLEN + 20] = {0};
	size_t n = wname("ns2", rd);
	n += wname("hostmaster", rd + n);
	add(&z, "@", RRTYPE_SOA, 3600, rd, n + 20);
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 1, "z.zone:4: error: more than one SOA record at the zone apex");
	tz_free(&z);

	/* the same SOA twice: NSD refuses it */
	tz_init(&z);
	add_base(&z);
	add_soa(&z, "@");
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 1, "z.zone:1: error: the SOA record is written more than once");
	CU_ASSERT_EQUAL(rrlist_count(z.l), 3);
	tz_free(&z);

	/* not at the apex */
	tz_init(&z);
	add_base(&z);
	add_soa(&z, "www");
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 1, "z.zone:4: error: SOA record not at the zone apex (www.example.com.)");
	tz_free(&z);
}

static void
test_zcheck_apex_ns(void)
{
	struct tz z;

	tz_init(&z);
	add_soa(&z, "@");
	add_a(&z, "ns1", 1);
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 1, "z.zone:1: error: no NS records at the zone apex");
	tz_free(&z);

	/* an apex NS inside the zone needs an address (named: an error) */
	tz_init(&z);
	add_base(&z);
	add_name(&z, "@", RRTYPE_NS, "ns2");
	add_name(&z, "@", RRTYPE_NS, "ns3");
	add_name(&z, "ns3", RRTYPE_CNAME, "ns1");
	add_name(&z, "@", RRTYPE_NS, "ns.other.net.");
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 2,
		    "z.zone:4: error: NS ns2.example.com. has no address records (A or AAAA)",
		    "z.zone:5: error: NS ns3.example.com. is a CNAME (RFC 2181 10.3)");
	CU_ASSERT_EQUAL(z.st.errors, 2);
	tz_free(&z);

	/* a DS at the apex belongs to the parent */
	tz_init(&z);
	add_base(&z);
	static const uint8_t ds[] = {0x12, 0x34, 8, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
				     13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
				     27, 28, 29, 30, 31, 32};
	add(&z, "@", RRTYPE_DS, 3600, ds, sizeof(ds));
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 1,
		    "z.zone:4: error: DS record at the zone apex (it belongs in the parent, "
		    "RFC 4035 2.4)");
	tz_free(&z);
}

static void
test_zcheck_cname(void)
{
	struct tz z;

	/* RRSIG, NSEC and KEY may sit beside a CNAME */
	tz_init(&z);
	add_base(&z);
	add_name(&z, "a", RRTYPE_CNAME, "ns1");
	static const uint8_t nsec[] = {3, 'n', 's', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
				       3, 'c', 'o', 'm', 0, 0, 1, 0x04};
	add(&z, "a", RRTYPE_NSEC, 3600, nsec, sizeof(nsec));
	static const uint8_t key[] = {1, 0, 3, 8, 3, 1, 0, 1};
	add(&z, "a", RRTYPE_KEY, 3600, key, sizeof(key));
	CU_ASSERT_EQUAL(run(&z, 0), SN_OK);
	expect_msgs(&z, 0);
	tz_free(&z);

	/* anything else is an error, reported at the later record */
	tz_init(&z);
	add_base(&z);
	add_name(&z, "a", RRTYPE_CNAME, "ns1");
	add_a(&z, "a", 7);
	add_a(&z, "b", 7);
	add_name(&z, "b", RRTYPE_CNAME, "ns1");
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 2, "z.zone:5: error: a.example.com.: CNAME and other data (RFC 2181 10.1)",
		    "z.zone:7: error: b.example.com.: CNAME and other data (RFC 2181 10.1)");
	tz_free(&z);

	/* two CNAMEs; the same CNAME twice (other case) is a duplicate */
	tz_init(&z);
	add_base(&z);
	add_name(&z, "a", RRTYPE_CNAME, "ns1");
	add_name(&z, "a", RRTYPE_CNAME, "www");
	add_name(&z, "b", RRTYPE_CNAME, "ns1");
	add_name(&z, "b", RRTYPE_CNAME, "NS1");
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 1, "z.zone:5: error: a.example.com.: more than one CNAME record");
	tz_free(&z);
}

static void
test_zcheck_dname(void)
{
	struct tz z;

	tz_init(&z);
	add_base(&z);
	add_name(&z, "d", RRTYPE_DNAME, "ns1");
	add_a(&z, "x.d", 1);
	add_a(&z, "y.x.d", 1);
	add_a(&z, "e", 1); /* after the DNAME's subtree: fine */
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 2, "z.zone:5: error: x.d.example.com. is below the DNAME at "
			   "d.example.com. (RFC 6672 2.3)",
		    "z.zone:6: error: y.x.d.example.com. is below the DNAME at d.example.com. "
		    "(RFC 6672 2.3)");
	tz_free(&z);

	tz_init(&z);
	add_base(&z);
	add_name(&z, "d", RRTYPE_DNAME, "ns1");
	add_name(&z, "d", RRTYPE_DNAME, "www");
	add_name(&z, "d", RRTYPE_CNAME, "ns1");
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 2, "z.zone:5: error: d.example.com.: more than one DNAME record (RFC 6672 2.4)",
		    "z.zone:6: error: d.example.com.: CNAME and other data (RFC 2181 10.1)");
	tz_free(&z);

	/* NS beside a DNAME: an error below the apex, the norm at it */
	tz_init(&z);
	add_base(&z);
	add_name(&z, "d", RRTYPE_DNAME, "www.other.");
	add_name(&z, "d", RRTYPE_NS, "ns1");
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 2, "z.zone:5: error: d.example.com.: NS record beside a DNAME",
		    "z.zone:4: warning: d.example.com./DNAME is at a delegation point and is not "
		    "served");
	tz_free(&z);
	tz_init(&z);
	add_soa(&z, "@");
	add_name(&z, "@", RRTYPE_NS, "ns.other.");
	add_name(&z, "@", RRTYPE_DNAME, "other.");
	CU_ASSERT_EQUAL(run(&z, 0), SN_OK);
	expect_msgs(&z, 0);
	tz_free(&z);
}

static void
test_zcheck_out_of_zone(void)
{
	struct tz z;
	tz_init(&z);
	add_a(&z, "www.example.net.", 1);
	add_base(&z);
	add_a(&z, "example.", 1);
	add_a(&z, "zzz.example.com.", 1);
	add_a(&z, "aexample.com.", 1);
	add(&z, "example.", RRTYPE_TXT, 3600, (const uint8_t *)"\001x", 2); /* same owner */
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	/* an error (NSD refuses such a zone), once per name */
	expect_msgs(&z, 3,
		    "z.zone:7: error: out-of-zone data: aexample.com. is not below the origin "
		    "example.com.",
		    "z.zone:5: error: out-of-zone data: example. is not below the origin "
		    "example.com.",
		    "z.zone:1: error: out-of-zone data: www.example.net. is not below the origin "
		    "example.com.");
	CU_ASSERT_EQUAL(z.st.errors, 3);
	CU_ASSERT_EQUAL(rrlist_count(z.l), 8);
	tz_free(&z);

	/* the zone's own names, in any case, are in the zone */
	tz_init(&z);
	add_base(&z);
	add_a(&z, "WWW.EXAMPLE.COM.", 1);
	CU_ASSERT_EQUAL(run(&z, 0), SN_OK);
	expect_msgs(&z, 0);
	tz_free(&z);
}

static void
test_zcheck_glue(void)
{
	struct tz z;

	/* below its own delegation an NS target needs glue: an error here */
	tz_init(&z);
	add_base(&z);
	add_name(&z, "sub", RRTYPE_NS, "ns.sub");
	add_name(&z, "sub", RRTYPE_NS, "ns2.sub");
	add_name(&z, "sub", RRTYPE_NS, "sub");
	add(&z, "ns2.sub", RRTYPE_AAAA, 3600, (const uint8_t *)"0123456789abcdef", 16);
	add_a(&z, "sub", 5);
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 1, "z.zone:4: error: sub.example.com./NS ns.sub.example.com. is below the "
			   "delegation and has no glue address records (A or AAAA)");
	tz_free(&z);

	/* in a sibling delegation: a warning; authoritative without address,
	 * or a CNAME: errors (Knot refuses them) */
	tz_init(&z);
	add_base(&z);
	add_name(&z, "sub", RRTYPE_NS, "ns.sub2");
	add_name(&z, "sub", RRTYPE_NS, "ns9");
	add_name(&z, "sub", RRTYPE_NS, "alias");
	add_name(&z, "sub", RRTYPE_NS, "ns1");
	add_name(&z, "sub2", RRTYPE_NS, "ns1");
	add_name(&z, "alias", RRTYPE_CNAME, "ns1");
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 3,
		    "z.zone:4: warning: sub.example.com./NS ns.sub2.example.com. has no sibling "
		    "glue address records (A or AAAA)",
		    "z.zone:5: error: sub.example.com./NS ns9.example.com. has no address "
		    "records (A or AAAA)",
		    "z.zone:6: error: sub.example.com./NS alias.example.com. is a CNAME "
		    "(RFC 2181 10.3)");
	CU_ASSERT_EQUAL(z.st.errors, 2);
	CU_ASSERT_EQUAL(z.st.warnings, 1);
	tz_free(&z);
}

static void
test_zcheck_occluded(void)
{
	struct tz z;
	tz_init(&z);
	add_base(&z);
	add_name(&z, "sub", RRTYPE_NS, "ns.sub");
	add_a(&z, "ns.sub", 1);
	add(&z, "sub", RRTYPE_TXT, 3600, (const uint8_t *)"\002hi", 3);
	add(&z, "x.sub", RRTYPE_TXT, 3600, (const uint8_t *)"\002hi", 3);
	add_name(&z, "y.sub", RRTYPE_NS, "ns.y.sub"); /* a cut below a cut: occluded too */
	CU_ASSERT_EQUAL(run(&z, 0), SN_OK);
	expect_msgs(&z, 3,
		    "z.zone:6: warning: sub.example.com./TXT is at a delegation point and is "
		    "not served",
		    "z.zone:7: warning: x.sub.example.com./TXT is below the delegation at "
		    "sub.example.com. and is not served",
		    "z.zone:8: warning: y.sub.example.com./NS is below the delegation at "
		    "sub.example.com. and is not served");
	CU_ASSERT_EQUAL(rrlist_count(z.l), 8); /* warned about, still in the zone */
	tz_free(&z);
}

static void
test_zcheck_ttl(void)
{
	struct tz z;
	tz_init(&z);
	add_base(&z);
	uint8_t a1[4] = {1, 1, 1, 1}, a2[4] = {1, 1, 1, 2}, a3[4] = {1, 1, 1, 0};
	add(&z, "www", RRTYPE_A, 3600, a1, 4);
	add(&z, "www", RRTYPE_A, 300, a2, 4);
	add(&z, "www", RRTYPE_A, 60, a3, 4);
	/* RRSIGs of different types may have different TTLs */
	uint8_t sig[18 + 13 + 1] = {0}; /* one octet of signature */
	sig[1] = RRTYPE_A;
	memcpy(sig + 18, ORIGIN, 13);
	add(&z, "www", RRTYPE_RRSIG, 3600, sig, 32);
	sig[1] = RRTYPE_TXT;
	add(&z, "www", RRTYPE_RRSIG, 60, sig, 32);
	sig[2] = 8;
	add(&z, "www", RRTYPE_RRSIG, 60, sig, 32);
	CU_ASSERT_EQUAL(run(&z, 0), SN_OK);
	/* set to the TTL of the first in the file, as named does */
	expect_msgs(&z, 2,
		    "z.zone:6: warning: TTL 60 differs from the TTL 3600 of its RRset: set to "
		    "3600 (RFC 2181 5.2)",
		    "z.zone:5: warning: TTL 300 differs from the TTL 3600 of its RRset: set to "
		    "3600 (RFC 2181 5.2)");
	CU_ASSERT_EQUAL(z.st.ttl_fixed, 2);
	size_t i = rrlist_find_owner(z.l, (const uint8_t *)"\003www\007example\003com", 0);
	CU_ASSERT_FATAL(i != RRLIST_NONE);
	for (size_t k = i; k < i + 3; k++) {
		CU_ASSERT_EQUAL(rrlist_get(z.l, k).type, RRTYPE_A);
		CU_ASSERT_EQUAL(rrlist_get(z.l, k).ttl, 3600);
	}
	tz_free(&z);
}

static void
test_zcheck_mx_srv(void)
{
	struct tz z;
	tz_init(&z);
	add_base(&z);
	add_name(&z, "alias", RRTYPE_CNAME, "ns1");
	add_a(&z, "*.wild", 1);
	add_target(&z, "@", RRTYPE_MX, "alias");
	add_target(&z, "@", RRTYPE_MX, "nothere");
	add_target(&z, "@", RRTYPE_MX, "x.wild");   /* the wildcard answers */
	add_target(&z, "@", RRTYPE_MX, "mx.other.net.");
	add_target(&z, "m", RRTYPE_MX, ".");	     /* null MX, RFC 7505 */
	add_target(&z, "_s._tcp", RRTYPE_SRV, "alias");
	add_target(&z, "_s._tcp", RRTYPE_SRV, "wild"); /* empty non-terminal */
	CU_ASSERT_EQUAL(run(&z, 0), SN_OK);
	expect_msgs(&z, 4,
		    "z.zone:6: warning: example.com./MX alias.example.com. is a CNAME "
		    "(RFC 2181 10.3)",
		    "z.zone:7: warning: example.com./MX nothere.example.com. has no address "
		    "records (A or AAAA)",
		    "z.zone:12: warning: _s._tcp.example.com./SRV wild.example.com. has no "
		    "address records (A or AAAA)",
		    "z.zone:11: warning: _s._tcp.example.com./SRV alias.example.com. is a CNAME "
		    "(RFC 2181 10.3)");
	tz_free(&z);
}

static void
test_zcheck_class_and_wildcard(void)
{
	struct tz z;
	tz_init(&z);
	add_base(&z);
	uint8_t o[DNAME_MAXLEN];
	wname("ch", o);
	zfile_rr_t rr = {
		.owner = o,
		.type = RRTYPE_A,
		.rclass = RRCLASS_CH,
		.ttl = 1,
		.rdlen = 4,
		.rdata = (const uint8_t *)"\001\002\003\004",
		.file = "other.zone",
		.line = 42,
		.col = 3,
	};
	CU_ASSERT_EQUAL(rrlist_add(z.l, &rr), SN_OK);
	add_a(&z, "a.*.b", 1);
	add_name(&z, "*.w", RRTYPE_NS, "ns1");
	add_a(&z, "*.x", 1); /* a wildcard with data is fine */
	add(&z, "y", 0, 60, NULL, 0);
	add(&z, "y", RRTYPE_ANY, 60, NULL, 0);
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	expect_msgs(&z, 5,
		    "z.zone:4: warning: a.*.b.example.com.: a '*' label that is not the leftmost "
		    "one is not a wildcard (RFC 4592 2.1.1)",
		    "other.zone:42: error: class CH differs from the class IN of the zone",
		    "z.zone:5: error: *.w.example.com.: invalid NS owner name (wildcard)",
		    "z.zone:7: error: y.example.com.: TYPE0 is not a data type (RFC 6895 3.1)",
		    "z.zone:8: error: y.example.com.: ANY is not a data type (RFC 6895 3.1)");
	tz_free(&z);
}

static void
test_zcheck_cap_and_misuse(void)
{
	struct tz z;
	tz_init(&z);
	add_base(&z);
	char name[16];
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "c%02d", i);
		add_name(&z, name, RRTYPE_CNAME, "ns1");
		add_a(&z, name, 1);
	}
	CU_ASSERT_EQUAL(run(&z, 3), SN_ECHECK);
	CU_ASSERT_EQUAL(z.nmsg, 3);
	CU_ASSERT_EQUAL(z.st.errors, 20);
	CU_ASSERT_EQUAL(z.st.suppressed, 17);
	CU_ASSERT_STRING_EQUAL(z.msg[0],
			       "z.zone:5: error: c00.example.com.: CNAME and other data (RFC 2181 10.1)");
	tz_free(&z);

	/* an unsorted list, or no origin, is refused */
	tz_init(&z);
	add_base(&z);
	zcheck_opts_t o = {.origin = ORIGIN, .on_msg = on_msg, .ctx = &z};
	CU_ASSERT_EQUAL(zcheck_run(z.l, &o, &z.st), SN_EINVAL);
	CU_ASSERT_EQUAL(rrlist_sort(z.l), SN_OK);
	o.origin = NULL;
	CU_ASSERT_EQUAL(zcheck_run(z.l, &o, NULL), SN_EINVAL);
	CU_ASSERT_EQUAL(z.nmsg, 0);
	tz_free(&z);
}

/* A million delegations sharing one in-zone name server must not cost a
 * binary search each; this checks the result, not the time, on a smaller
 * zone with several delegations per shared and per own server. */
static void
test_zcheck_many_delegations(void)
{
	struct tz z;
	tz_init(&z);
	add_base(&z);
	char name[32], ns[40];
	for (int i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		snprintf(ns, sizeof(ns), "ns.d%d", i);
		add_name(&z, name, RRTYPE_NS, "ns1");
		add_name(&z, name, RRTYPE_NS, ns);
		if (i % 500 != 7) {
			add_a(&z, ns, 1);
		}
	}
	CU_ASSERT_EQUAL(run(&z, 0), SN_ECHECK);
	CU_ASSERT_EQUAL(z.st.errors, 4);
	CU_ASSERT_EQUAL(z.st.warnings, 0);
	tz_free(&z);
}

/*
 * zprint
 */

static char *
print_to_string(const rrlist_t *l)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(zprint_list(l, f), SN_OK);
	fclose(f);
	return buf;
}

static void
test_zprint_small_zone(void)
{
	struct tz z;
	tz_init(&z);
	add_a(&z, "WWW", 2);
	add_base(&z);
	add_a(&z, "www", 1);
	add_name(&z, "Alias", RRTYPE_CNAME, "WWW");
	add_target(&z, "@", RRTYPE_MX, "www");
	add(&z, "txt", RRTYPE_TXT, 60, (const uint8_t *)"\005hello\003a b", 10);
	add(&z, "www", RRTYPE_AAAA, 3600,
	    (const uint8_t *)"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	add(&z, "x", 65280, 5, (const uint8_t *)"\xab\xcd", 2);
	CU_ASSERT_EQUAL(run(&z, 0), SN_OK);
	char *text = print_to_string(z.l);
	const char *want =
		"example.com.\t3600\tIN\tNS\tns1.example.com.\n"
		"example.com.\t3600\tIN\tSOA\tns1.example.com. hostmaster.example.com. 1 3600 600 "
		"86400 300\n"
		"example.com.\t3600\tIN\tMX\t0 www.example.com.\n"
		"Alias.example.com.\t3600\tIN\tCNAME\tWWW.example.com.\n"
		"ns1.example.com.\t3600\tIN\tA\t192.0.2.1\n"
		"txt.example.com.\t60\tIN\tTXT\t\"hello\" \"a b\"\n"
		"WWW.example.com.\t3600\tIN\tA\t192.0.2.1\n"
		"WWW.example.com.\t3600\tIN\tA\t192.0.2.2\n"
		"WWW.example.com.\t3600\tIN\tAAAA\t2001:db8::1\n"
		"x.example.com.\t5\tIN\tTYPE65280\t\\# 2 ABCD\n";
	if (strcmp(text, want) != 0) {
		printf("\ngot:\n%s\nwant:\n%s\n", text, want);
	}
	CU_ASSERT_STRING_EQUAL(text, want);
	free(text);

	/* one record alone, with another owner spelling */
	char line[512];
	rrlist_rr_t v = rrlist_get(z.l, 4);
	CU_ASSERT_EQUAL(zprint_rr(&v, (const uint8_t *)"\003NS1\007example\003com", line,
				  sizeof(line)),
			(int)strlen("NS1.example.com.\t3600\tIN\tA\t192.0.2.1\n"));
	CU_ASSERT_STRING_EQUAL(line, "NS1.example.com.\t3600\tIN\tA\t192.0.2.1\n");
	CU_ASSERT_EQUAL(zprint_rr(&v, v.owner, line, 20), SN_ENOSPC);
	tz_free(&z);
}

/* A write error is reported, not ignored. */
static void
test_zprint_write_error(void)
{
	struct tz z;
	tz_init(&z);
	add_base(&z);
	CU_ASSERT_EQUAL(rrlist_sort(z.l), SN_OK);
	FILE *f = fopen("/dev/full", "w");
	if (f != NULL) {
		CU_ASSERT_EQUAL(zprint_list(z.l, f), SN_EIO);
		fclose(f);
	}
	tz_free(&z);
}

int
test_zcheck_register(void)
{
	CU_pSuite s = CU_add_suite("zcheck", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	if (CU_add_test(s, "test_zcheck_good_zone", test_zcheck_good_zone) == NULL ||
	    CU_add_test(s, "test_zcheck_soa", test_zcheck_soa) == NULL ||
	    CU_add_test(s, "test_zcheck_apex_ns", test_zcheck_apex_ns) == NULL ||
	    CU_add_test(s, "test_zcheck_cname", test_zcheck_cname) == NULL ||
	    CU_add_test(s, "test_zcheck_dname", test_zcheck_dname) == NULL ||
	    CU_add_test(s, "test_zcheck_out_of_zone", test_zcheck_out_of_zone) == NULL ||
	    CU_add_test(s, "test_zcheck_glue", test_zcheck_glue) == NULL ||
	    CU_add_test(s, "test_zcheck_occluded", test_zcheck_occluded) == NULL ||
	    CU_add_test(s, "test_zcheck_ttl", test_zcheck_ttl) == NULL ||
	    CU_add_test(s, "test_zcheck_mx_srv", test_zcheck_mx_srv) == NULL ||
	    CU_add_test(s, "test_zcheck_class_and_wildcard", test_zcheck_class_and_wildcard) ==
		    NULL ||
	    CU_add_test(s, "test_zcheck_cap_and_misuse", test_zcheck_cap_and_misuse) == NULL ||
	    CU_add_test(s, "test_zcheck_many_delegations", test_zcheck_many_delegations) ==
		    NULL) {
		return CU_get_error();
	}
	CU_pSuite p = CU_add_suite("zprint", NULL, NULL);
	if (p == NULL) {
		return CU_get_error();
	}
	if (CU_add_test(p, "test_zprint_small_zone", test_zprint_small_zone) == NULL ||
	    CU_add_test(p, "test_zprint_write_error", test_zprint_write_error) == NULL) {
		return CU_get_error();
	}
	return CUE_SUCCESS;
}
