/* SPDX-License-Identifier: MIT
 * test_signer.c - NSEC/NSEC3 chains and full signing, against BIND-made chains.
 *
 * The expected NSEC and NSEC3 records below come from BIND 9.18
 * dnssec-signzone on the zone UNSIGNED (NSEC; `-3 aabb -H 3`; and the same
 * with `-A` for Opt-Out), printed by named-checkzone -D. The zone has a
 * secure and two insecure delegations with glue, empty non-terminals (one
 * only above an insecure delegation), a wildcard and an RRset of two RRs.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"
#include "sign/nsec.h"
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrlist.h"
#include "zone/rrtype.h"
#include "zone/zfile.h"

static const char UNSIGNED[] =
	"$TTL 300\n"
	"example.org. IN SOA ns1.example.org. hostmaster.example.org. 1 3600 900 604800 300\n"
	" NS ns1.example.org.\n"
	" MX 10 Mail.example.org.\n"
	"sub NS ns.sub\n"
	"ns.sub A 192.0.2.99\n"
	"ns1 A 192.0.2.53\n"
	"a.b.c TXT \"ent below\"\n"
	"*.wild TXT \"wildcard\"\n"
	"www A 192.0.2.1\n"
	" A 192.0.2.2\n"
	" AAAA 2001:db8::1\n"
	"sec NS ns.sec\n"
	"sec DS 12345 13 2 A107F14659595E515DBCCB18E8B77C5678C89B3F8527B36C21B7E105F6341954\n"
	"ns.sec A 192.0.2.98\n"
	"deep.ins.x NS ns.example.net.\n";

static const char *const BIND_NSEC[] = {
	"example.org. a.b.c.example.org. NS SOA MX RRSIG NSEC DNSKEY",
	"a.b.c.example.org. ns1.example.org. TXT RRSIG NSEC",
	"ns1.example.org. sec.example.org. A RRSIG NSEC",
	"sec.example.org. sub.example.org. NS DS RRSIG NSEC",
	"sub.example.org. *.wild.example.org. NS RRSIG NSEC",
	"*.wild.example.org. www.example.org. TXT RRSIG NSEC",
	"www.example.org. deep.ins.x.example.org. A AAAA RRSIG NSEC",
	"deep.ins.x.example.org. example.org. NS RRSIG NSEC",
};

static const char *const BIND_NSEC3[] = {
	"0DP4C07BDFJ409FCJOOQ6S8N91DMH0F2 1 0 3 AABB 17USFB4VT7E87EK2BEAM18AMEQ0MPDQL",
	"17USFB4VT7E87EK2BEAM18AMEQ0MPDQL 1 0 3 AABB 2FJF45II4AUF8LRN1GCDMNMFTFPI237U A AAAA RRSIG",
	"2FJF45II4AUF8LRN1GCDMNMFTFPI237U 1 0 3 AABB 2MFRJ2JJR0VAQMK5KV528UOI4S97Q8TS",
	"2MFRJ2JJR0VAQMK5KV528UOI4S97Q8TS 1 0 3 AABB 4NHI0MRNLF6LH5BC193JOBCLC8A9SSIG NS SOA MX RRSIG "
	"DNSKEY NSEC3PARAM",
	"4NHI0MRNLF6LH5BC193JOBCLC8A9SSIG 1 0 3 AABB 6D6786BN54GB30UJD3RGOQA276DQOGJ2 NS DS RRSIG",
	"6D6786BN54GB30UJD3RGOQA276DQOGJ2 1 0 3 AABB AMG216DHG4TN14PEI67NN2TU6O1TBCTQ",
	"AMG216DHG4TN14PEI67NN2TU6O1TBCTQ 1 0 3 AABB FAV13HNBRLPMCI17UT2NOOAAKL0EA7KF NS",
	"FAV13HNBRLPMCI17UT2NOOAAKL0EA7KF 1 0 3 AABB MNTTLF547A8VLKMFR8ELU0K0QC1KIHN3 A RRSIG",
	"MNTTLF547A8VLKMFR8ELU0K0QC1KIHN3 1 0 3 AABB N81BA047Q1R7JTLGLVE11196JNECPQP5",
	"N81BA047Q1R7JTLGLVE11196JNECPQP5 1 0 3 AABB P6OD080IFTK0GO5A4OS0NF7T6ANO48GG NS",
	"P6OD080IFTK0GO5A4OS0NF7T6ANO48GG 1 0 3 AABB Q7JLOP80C4FTEKMG1KMM3PHFS55B1NSA",
	"Q7JLOP80C4FTEKMG1KMM3PHFS55B1NSA 1 0 3 AABB VJ3FC9I8AIG9M2EJBC07FDN76O3C8FFP TXT RRSIG",
	"VJ3FC9I8AIG9M2EJBC07FDN76O3C8FFP 1 0 3 AABB 0DP4C07BDFJ409FCJOOQ6S8N91DMH0F2 TXT RRSIG",
};

static const char *const BIND_NSEC3_OPTOUT[] = {
	"17USFB4VT7E87EK2BEAM18AMEQ0MPDQL 1 1 3 AABB 2FJF45II4AUF8LRN1GCDMNMFTFPI237U A AAAA RRSIG",
	"2FJF45II4AUF8LRN1GCDMNMFTFPI237U 1 1 3 AABB 2MFRJ2JJR0VAQMK5KV528UOI4S97Q8TS",
	"2MFRJ2JJR0VAQMK5KV528UOI4S97Q8TS 1 1 3 AABB 4NHI0MRNLF6LH5BC193JOBCLC8A9SSIG NS SOA MX RRSIG "
	"DNSKEY NSEC3PARAM",
	"4NHI0MRNLF6LH5BC193JOBCLC8A9SSIG 1 1 3 AABB 6D6786BN54GB30UJD3RGOQA276DQOGJ2 NS DS RRSIG",
	"6D6786BN54GB30UJD3RGOQA276DQOGJ2 1 1 3 AABB FAV13HNBRLPMCI17UT2NOOAAKL0EA7KF",
	"FAV13HNBRLPMCI17UT2NOOAAKL0EA7KF 1 1 3 AABB MNTTLF547A8VLKMFR8ELU0K0QC1KIHN3 A RRSIG",
	"MNTTLF547A8VLKMFR8ELU0K0QC1KIHN3 1 1 3 AABB Q7JLOP80C4FTEKMG1KMM3PHFS55B1NSA",
	"Q7JLOP80C4FTEKMG1KMM3PHFS55B1NSA 1 1 3 AABB VJ3FC9I8AIG9M2EJBC07FDN76O3C8FFP TXT RRSIG",
	"VJ3FC9I8AIG9M2EJBC07FDN76O3C8FFP 1 1 3 AABB 17USFB4VT7E87EK2BEAM18AMEQ0MPDQL TXT RRSIG",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
quiet(void *ctx, zfile_sev_t sev, const char *file, uint32_t line, uint32_t col, const char *msg)
{
	(void)ctx;
	(void)sev;
	(void)file;
	(void)line;
	(void)col;
	(void)msg;
}

/* Parses `text` for zone `origin` into a sorted list, or NULL. */
static rrlist_t *
load(const char *origin_text, const char *text)
{
	uint8_t origin[DNAME_MAXLEN];
	size_t ol = 0;
	if (dname_from_text(origin_text, strlen(origin_text), NULL, origin, &ol) != SN_OK) {
		return NULL;
	}
	rrlist_t *l = rrlist_new();
	if (l == NULL) {
		return NULL;
	}
	zfile_opts_t o = {.origin = origin, .on_rr = rrlist_zfile_cb, .on_msg = quiet, .ctx = l};
	if (zfile_parse_mem("test", text, strlen(text), &o, NULL) != SN_OK ||
	    rrlist_sort(l) != SN_OK) {
		rrlist_free(l);
		return NULL;
	}
	return l;
}

static const uint8_t *
apex_of(const char *text, uint8_t buf[DNAME_MAXLEN])
{
	size_t len = 0;
	if (dname_from_text(text, strlen(text), NULL, buf, &len) != SN_OK) {
		return NULL;
	}
	return buf;
}

static const uint16_t APEX_NSEC[] = {RRTYPE_DNSKEY};
static const uint16_t APEX_NSEC3[] = {RRTYPE_DNSKEY, RRTYPE_NSEC3PARAM};

static void
test_signer_nsec_chain(void)
{
	uint8_t apex[DNAME_MAXLEN];
	char err[256], on[DNAME_MAXTEXT], rt[1024];
	uint8_t rd[NSEC_RDATA_MAXLEN];
	size_t rl = 0;
	rrlist_t *l = load("example.org.", UNSIGNED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	nsec_zone_t z;
	memset(&z, 0, sizeof(z));
	CU_ASSERT_EQUAL_FATAL(nsec_zone_build(&z, l, apex_of("example.org.", apex), NULL, APEX_NSEC,
					      1, err, sizeof(err)),
			      SN_OK);
	CU_ASSERT_EQUAL(z.ttl, 300);
	/* No glue, no ENT: one NSEC per authoritative name. */
	CU_ASSERT_EQUAL_FATAL(z.chain_count, NELEM(BIND_NSEC));
	for (size_t i = 0; i < z.chain_count; i++) {
		CU_ASSERT_EQUAL_FATAL(nsec_rdata(&z, l, i, rd, sizeof(rd), &rl), SN_OK);
		CU_ASSERT_FATAL(dname_to_text(z.nodes[z.chain[i]].owner, on, sizeof(on)) > 0);
		size_t n = strlen(on);
		on[n] = ' ';
		CU_ASSERT_FATAL(rdata_to_text(RRTYPE_NSEC, rd, rl, on + n + 1, sizeof(on) - n - 1) >
				0);
		snprintf(rt, sizeof(rt), "%s", on);
		if (strcasecmp(rt, BIND_NSEC[i]) != 0) {
			fprintf(stderr, "\nNSEC %zu: got %s\n   want %s\n", i, rt, BIND_NSEC[i]);
		}
		CU_ASSERT_EQUAL(strcasecmp(rt, BIND_NSEC[i]), 0);
	}
	CU_ASSERT_EQUAL(nsec3_rdata(&z, l, 0, rd, sizeof(rd), &rl), SN_EINVAL);
	CU_ASSERT_EQUAL(nsec_rdata(&z, l, z.chain_count, rd, sizeof(rd), &rl), SN_EINVAL);
	CU_ASSERT_EQUAL(nsec_rdata(&z, l, 0, rd, 10, &rl), SN_ENOSPC);
	nsec_zone_clear(&z);
	rrlist_free(l);
}

static void
check_nsec3(bool opt_out, const char *const *want, size_t nwant)
{
	uint8_t apex[DNAME_MAXLEN], own[DNAME_MAXLEN];
	char err[256], line[2048];
	uint8_t rd[NSEC3_RDATA_MAXLEN];
	size_t rl = 0, ol = 0;
	rrlist_t *l = load("example.org.", UNSIGNED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	nsec3_param_t p = {.iterations = 3, .salt_len = 2, .salt = {0xaa, 0xbb}, .opt_out = opt_out};
	nsec_zone_t z;
	memset(&z, 0, sizeof(z));
	CU_ASSERT_EQUAL_FATAL(nsec_zone_build(&z, l, apex_of("example.org.", apex), &p, APEX_NSEC3,
					      2, err, sizeof(err)),
			      SN_OK);
	/* Hash in two uneven ranges, as two threads would. */
	CU_ASSERT_EQUAL_FATAL(nsec3_zone_hash(&z, 0, 3), SN_OK);
	CU_ASSERT_EQUAL_FATAL(nsec3_zone_hash(&z, 3, (size_t)-1), SN_OK);
	CU_ASSERT_EQUAL_FATAL(nsec3_zone_order(&z, err, sizeof(err)), SN_OK);
	CU_ASSERT_EQUAL_FATAL(z.chain_count, nwant);
	for (size_t i = 0; i < z.chain_count; i++) {
		CU_ASSERT_EQUAL_FATAL(nsec3_rdata(&z, l, i, rd, sizeof(rd), &rl), SN_OK);
		CU_ASSERT_EQUAL_FATAL(nsec3_owner(&z, i, own, &ol), SN_OK);
		CU_ASSERT_EQUAL(ol, dname_len(own));
		/* The owner is the hash label on the apex. */
		CU_ASSERT(dname_is_equal(dname_parent(own), apex));
		memcpy(line, own + 1, own[0]);
		line[own[0]] = ' ';
		CU_ASSERT_FATAL(rdata_to_text(RRTYPE_NSEC3, rd, rl, line + own[0] + 1,
					      sizeof(line) - own[0] - 1) > 0);
		if (strcasecmp(line, want[i]) != 0) {
			fprintf(stderr, "\nNSEC3 %zu: got %s\n    want %s\n", i, line, want[i]);
		}
		CU_ASSERT_EQUAL(strcasecmp(line, want[i]), 0);
		/* The chain is in strictly increasing hash order. */
		if (i > 0) {
			CU_ASSERT(memcmp(z.nodes[z.chain[i - 1]].hash, z.nodes[z.chain[i]].hash,
					 NSEC3_HASH_LEN) < 0);
		}
	}
	nsec_zone_clear(&z);
	rrlist_free(l);
}

static void
test_signer_nsec3_chain(void)
{
	check_nsec3(false, BIND_NSEC3, NELEM(BIND_NSEC3));
}

static void
test_signer_nsec3_optout(void)
{
	check_nsec3(true, BIND_NSEC3_OPTOUT, NELEM(BIND_NSEC3_OPTOUT));
}

/* The node list itself: ENTs in canonical order before the names below
 * them, cut flags, no glue. */
static void
test_signer_nsec3_nodes(void)
{
	static const struct {
		const char *name;
		uint32_t flags;
	} want[] = {
		{"example.org.", NSEC_NODE_APEX},
		{"c.example.org.", NSEC_NODE_ENT},
		{"b.c.example.org.", NSEC_NODE_ENT},
		{"a.b.c.example.org.", 0},
		{"ns1.example.org.", 0},
		{"sec.example.org.", NSEC_NODE_CUT | NSEC_NODE_DS},
		{"sub.example.org.", NSEC_NODE_CUT | NSEC_NODE_UNHASHED},
		{"wild.example.org.", NSEC_NODE_ENT},
		{"*.wild.example.org.", 0},
		{"www.example.org.", 0},
		{"x.example.org.", NSEC_NODE_ENT | NSEC_NODE_UNHASHED},
		{"ins.x.example.org.", NSEC_NODE_ENT | NSEC_NODE_UNHASHED},
		{"deep.ins.x.example.org.", NSEC_NODE_CUT | NSEC_NODE_UNHASHED},
	};
	uint8_t apex[DNAME_MAXLEN], n[DNAME_MAXLEN];
	char err[256];
	rrlist_t *l = load("example.org.", UNSIGNED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	nsec3_param_t p = {.opt_out = true};
	nsec_zone_t z;
	memset(&z, 0, sizeof(z));
	CU_ASSERT_EQUAL_FATAL(nsec_zone_build(&z, l, apex_of("example.org.", apex), &p, NULL, 0,
					      err, sizeof(err)),
			      SN_OK);
	CU_ASSERT_EQUAL_FATAL(z.count, NELEM(want));
	for (size_t i = 0; i < z.count; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(apex_of(want[i].name, n));
		CU_ASSERT(dname_is_equal(z.nodes[i].owner, n));
		CU_ASSERT_EQUAL(z.nodes[i].flags, want[i].flags);
		CU_ASSERT_EQUAL(z.nodes[i].first == z.nodes[i].end,
				(want[i].flags & NSEC_NODE_ENT) != 0);
	}
	nsec_zone_clear(&z);
	rrlist_free(l);
}

/* RFC 4034 4.3: the bitmap of "A MX RRSIG NSEC TYPE1234". */
static void
test_signer_bitmap(void)
{
	static const uint8_t want[] = {0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1b,
				       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20};
	const uint16_t types[] = {1234, RRTYPE_NSEC, RRTYPE_A, RRTYPE_MX, RRTYPE_RRSIG, RRTYPE_A};
	uint8_t out[NSEC_BITMAP_MAXLEN];
	size_t len = 0;
	CU_ASSERT_EQUAL_FATAL(nsec_bitmap(types, NELEM(types), out, sizeof(out), &len), SN_OK);
	CU_ASSERT_EQUAL_FATAL(len, sizeof(want));
	CU_ASSERT_EQUAL(memcmp(out, want, len), 0);
	len = 99;
	CU_ASSERT_EQUAL(nsec_bitmap(types, NELEM(types), out, 20, &len), SN_ENOSPC);
	CU_ASSERT_EQUAL(len, 99);
	/* Every type at once: 256 full windows, the largest bitmap. */
	uint16_t *all = malloc(65536 * sizeof(*all));
	CU_ASSERT_PTR_NOT_NULL_FATAL(all);
	for (unsigned i = 0; i < 65536; i++) {
		all[i] = (uint16_t)(65535 - i);
	}
	CU_ASSERT_EQUAL(nsec_bitmap(all, 65536, out, sizeof(out), &len), SN_OK);
	CU_ASSERT_EQUAL(len, NSEC_BITMAP_MAXLEN);
	free(all);
	CU_ASSERT_EQUAL(nsec_bitmap(NULL, 0, out, sizeof(out), &len), SN_OK);
	CU_ASSERT_EQUAL(len, 0);
}

/* Input the chain builder refuses, each with a message. */
static void
test_signer_nsec_refuses(void)
{
	static const struct {
		const char *zone;
		const char *what;
	} bad[] = {
		{"example.org. 300 IN NS ns.example.net.\n", "no SOA"},
		{"$TTL 300\nexample.org. SOA a. b. 1 2 3 4 5\n DNSKEY 256 3 13 AAAA\n", "DNSKEY"},
		{"$TTL 300\nexample.org. SOA a. b. 1 2 3 4 5\nw RRSIG A 13 2 300 20300101000000 "
		 "20200101000000 1 example.org. AAAA\n",
		 "RRSIG"},
		{"$TTL 300\nexample.org. SOA a. b. 1 2 3 4 5\n DS 1 13 2 "
		 "A107F14659595E515DBCCB18E8B77C5678C89B3F8527B36C21B7E105F6341954\n",
		 "DS at apex"},
		{"$TTL 300\nexample.org. SOA a. b. 1 2 3 4 5\nx DS 1 13 2 "
		 "A107F14659595E515DBCCB18E8B77C5678C89B3F8527B36C21B7E105F6341954\n",
		 "DS, no NS"},
		{"$TTL 300\nexample.org. SOA a. b. 1 2 3 4 5\nx SOA a. b. 1 2 3 4 5\n", "SOA below"},
		{"$TTL 300\nexample.org. SOA a. b. 1 2 3 4 5\nx.example.com. A 192.0.2.1\n",
		 "out of zone"},
	};
	uint8_t apex[DNAME_MAXLEN];
	for (size_t i = 0; i < NELEM(bad); i++) {
		char err[256] = "";
		rrlist_t *l = load("example.org.", bad[i].zone);
		if (l == NULL) {
			fprintf(stderr, "\n%s: does not parse\n", bad[i].what);
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		nsec_zone_t z;
		memset(&z, 0, sizeof(z));
		int rc = nsec_zone_build(&z, l, apex_of("example.org.", apex), NULL, NULL, 0, err,
					 sizeof(err));
		if (rc != SN_EINVAL) {
			fprintf(stderr, "\n%s: got %d\n", bad[i].what, rc);
		}
		CU_ASSERT_EQUAL(rc, SN_EINVAL);
		CU_ASSERT(err[0] != '\0');
		CU_ASSERT_PTR_NULL(z.nodes);
		rrlist_free(l);
	}
	/* An unsorted list. */
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	nsec_zone_t z;
	memset(&z, 0, sizeof(z));
	char err[256];
	CU_ASSERT_EQUAL(nsec_zone_build(&z, l, apex_of("example.org.", apex), NULL, NULL, 0, err,
					sizeof(err)),
			SN_EINVAL);
	rrlist_free(l);
}

int
test_signer_register(void)
{
	CU_pSuite s = CU_add_suite("signer", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_signer_bitmap", test_signer_bitmap);
	CU_add_test(s, "test_signer_nsec_chain", test_signer_nsec_chain);
	CU_add_test(s, "test_signer_nsec3_chain", test_signer_nsec3_chain);
	CU_add_test(s, "test_signer_nsec3_optout", test_signer_nsec3_optout);
	CU_add_test(s, "test_signer_nsec3_nodes", test_signer_nsec3_nodes);
	CU_add_test(s, "test_signer_nsec_refuses", test_signer_nsec_refuses);
	return CU_get_error();
}
