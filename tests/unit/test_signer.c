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
#include "sign/keypair.h"
#include "sign/dnskey.h"
#include "sign/nsec.h"
#include "sign/rrsig.h"
#include "sign/signer.h"
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrlist.h"
#include "zone/rrtype.h"
#include "zone/snap.h"
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

/*
 * Full signing.
 */

struct keys {
	keypair_t *ksk, *zsk;
	signer_key_t sk[2];
};

static int
make_keys(struct keys *k)
{
	memset(k, 0, sizeof(*k));
	if (keypair_generate(DNSSEC_ALG_ECDSAP256SHA256, 0, KEYPAIR_FLAGS_KSK, &k->ksk) != SN_OK ||
	    keypair_generate(DNSSEC_ALG_ECDSAP256SHA256, 0, KEYPAIR_FLAGS_ZSK, &k->zsk) != SN_OK) {
		return -1;
	}
	k->sk[0] = (signer_key_t){.key = k->ksk, .ksk = true, .publish = true, .sign = true};
	k->sk[1] = (signer_key_t){.key = k->zsk, .zsk = true, .publish = true, .sign = true};
	return 0;
}

static void
free_keys(struct keys *k)
{
	keypair_free(k->ksk);
	keypair_free(k->zsk);
}

static signer_params_t
params(bool nsec3, bool opt_out, unsigned threads)
{
	signer_params_t p;
	memset(&p, 0, sizeof(p));
	p.nsec3 = nsec3;
	p.opt_out = opt_out;
	p.inception = 1700000000u;
	p.expiration = 1700000000u + 30 * 86400;
	p.jitter = 86400;
	p.threads = threads;
	return p;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool
is_name(const uint8_t *owner, const char *text)
{
	uint8_t n[DNAME_MAXLEN];
	return apex_of(text, n) != NULL && dname_is_equal(owner, n);
}

/* What a signed zone looks like, gathered by check_signed. */
struct seen {
	size_t rrsig, nsec, nsec3, nsec3param, dnskey, cds, cdnskey;
	size_t by_ksk, by_zsk;
	size_t wild_labels; /* labels field of the wildcard's RRSIG */
};

/* Verifies every RRSIG in `o` over its RRset (taken from `l` and `o`) with
 * the key its tag names, and checks what is and is not signed. */
static void
check_signed(const rrlist_t *l, const rrlist_t *o, const struct keys *k, struct seen *s)
{
	const rrlist_t *lists[2] = {l, o};
	const uint8_t *rdp[64];
	uint16_t rdl[64];
	memset(s, 0, sizeof(*s));
	CU_ASSERT(rrlist_is_sorted(o));
	for (size_t i = 0; i < rrlist_count(o); i++) {
		rrlist_rr_t r = rrlist_get(o, i);
		s->nsec += r.type == RRTYPE_NSEC;
		s->nsec3 += r.type == RRTYPE_NSEC3;
		s->nsec3param += r.type == RRTYPE_NSEC3PARAM;
		s->dnskey += r.type == RRTYPE_DNSKEY;
		s->cds += r.type == RRTYPE_CDS;
		s->cdnskey += r.type == RRTYPE_CDNSKEY;
		if (r.type != RRTYPE_RRSIG) {
			/* Only DNSSEC types are added. */
			CU_ASSERT(r.type == RRTYPE_NSEC || r.type == RRTYPE_NSEC3 ||
				  r.type == RRTYPE_NSEC3PARAM || r.type == RRTYPE_DNSKEY ||
				  r.type == RRTYPE_CDS || r.type == RRTYPE_CDNSKEY);
			continue;
		}
		s->rrsig++;
		CU_ASSERT_FATAL(r.rdlen > RRSIG_FIXEDLEN);
		uint16_t covered = (uint16_t)(r.rdata[0] << 8 | r.rdata[1]);
		uint16_t tag = (uint16_t)(r.rdata[16] << 8 | r.rdata[17]);
		uint32_t exp = be32(r.rdata + 8), inc = be32(r.rdata + 12);
		CU_ASSERT_EQUAL(inc, 1700000000u);
		CU_ASSERT_EQUAL(exp, signer_expiration(&(signer_params_t){.expiration =
						      1700000000u + 30 * 86400, .jitter = 86400},
						       r.owner, covered));
		CU_ASSERT(exp <= 1700000000u + 30 * 86400 && exp >= 1700000000u + 29 * 86400);
		/* Never the delegation NS, never glue. */
		CU_ASSERT(!(covered == RRTYPE_NS && !is_name(r.owner, "example.org.")));
		CU_ASSERT(!is_name(r.owner, "ns.sub.example.org.") &&
			  !is_name(r.owner, "ns.sec.example.org."));
		if (is_name(r.owner, "*.wild.example.org.")) {
			s->wild_labels = r.rdata[3];
		}
		size_t n = 0;
		uint32_t ttl = 0;
		for (int li = 0; li < 2; li++) {
			for (size_t m = 0; m < rrlist_count(lists[li]); m++) {
				rrlist_rr_t x = rrlist_get(lists[li], m);
				if (x.type == covered && dname_is_equal(x.owner, r.owner) && n < 64) {
					rdp[n] = x.rdata;
					rdl[n++] = x.rdlen;
					ttl = x.ttl;
				}
			}
		}
		CU_ASSERT_FATAL(n > 0);
		CU_ASSERT_EQUAL(r.ttl, ttl);
		CU_ASSERT_EQUAL(be32(r.rdata + 4), ttl);
		const keypair_t *key = tag == keypair_tag(k->ksk) ? k->ksk : k->zsk;
		CU_ASSERT(tag == keypair_tag(key));
		bool ksk_type = covered == RRTYPE_DNSKEY || covered == RRTYPE_CDS ||
				covered == RRTYPE_CDNSKEY;
		CU_ASSERT_EQUAL(key == k->ksk, ksk_type);
		s->by_ksk += key == k->ksk;
		s->by_zsk += key == k->zsk;
		rrsig_rrset_t set = {r.owner, covered, r.rclass, n, rdp, rdl};
		int rc = rrsig_verify(r.rdata, r.rdlen, keypair_dnskey(key), keypair_dnskey_len(key),
				      &set);
		if (rc != SN_OK) {
			char nb[DNAME_MAXTEXT];
			CU_ASSERT(dname_to_text(r.owner, nb, sizeof(nb)) > 0);
			fprintf(stderr, "\nRRSIG %s type %u does not verify: %d\n", nb, covered, rc);
		}
		CU_ASSERT_EQUAL(rc, SN_OK);
	}
}

/* UNSIGNED has 11 authoritative RRsets outside the cuts (SOA NS MX at the
 * apex; ns1 A; a.b.c TXT; *.wild TXT; www A AAAA) plus the DS at sec. */
#define UNSIGNED_RRSETS 9

static void
test_signer_full_nsec3(void)
{
	uint8_t apex[DNAME_MAXLEN];
	char err[256] = "";
	struct keys k;
	struct seen s;
	signer_stats_t st;
	CU_ASSERT_EQUAL_FATAL(make_keys(&k), 0);
	rrlist_t *l = load("example.org.", UNSIGNED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	for (int oo = 0; oo < 2; oo++) {
		signer_params_t p = params(true, oo == 1, 3);
		rrlist_t *o = NULL;
		int rc = signer_sign_full_stats(l, apex_of("example.org.", apex), k.sk, 2, &p, &o,
						&st, err, sizeof(err));
		if (rc != SN_OK) {
			fprintf(stderr, "\n%s\n", err);
		}
		CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
		check_signed(l, o, &k, &s);
		size_t chain = oo == 1 ? NELEM(BIND_NSEC3_OPTOUT) : NELEM(BIND_NSEC3);
		CU_ASSERT_EQUAL(s.nsec3, chain);
		CU_ASSERT_EQUAL(s.nsec, 0);
		CU_ASSERT_EQUAL(s.nsec3param, 1);
		CU_ASSERT_EQUAL(s.dnskey, 2);
		/* The RRsets of the input, the NSEC3s, DNSKEY and NSEC3PARAM. */
		CU_ASSERT_EQUAL(s.rrsig, UNSIGNED_RRSETS + chain + 2);
		CU_ASSERT_EQUAL(s.by_ksk, 1);
		CU_ASSERT_EQUAL(st.signatures, s.rrsig);
		CU_ASSERT_EQUAL(st.denial, chain);
		/* RFC 4034 3.1.3: the "*" label is not counted. */
		CU_ASSERT_EQUAL(s.wild_labels, 3);
		rrlist_free(o);
	}
	rrlist_free(l);
	free_keys(&k);
}

static void
test_signer_full_nsec(void)
{
	uint8_t apex[DNAME_MAXLEN];
	char err[256] = "";
	struct keys k;
	struct seen s;
	CU_ASSERT_EQUAL_FATAL(make_keys(&k), 0);
	rrlist_t *l = load("example.org.", UNSIGNED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	/* One thread and many threads give the same records but for the
	 * (randomised) ECDSA signatures. */
	size_t counts[3];
	unsigned threads[3] = {1, 2, 7};
	for (int t = 0; t < 3; t++) {
		signer_params_t p = params(false, false, threads[t]);
		rrlist_t *o = NULL;
		int rc = signer_sign_full(l, apex_of("example.org.", apex), k.sk, 2, &p, &o, err,
					  sizeof(err));
		CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
		check_signed(l, o, &k, &s);
		CU_ASSERT_EQUAL(s.nsec, NELEM(BIND_NSEC));
		CU_ASSERT_EQUAL(s.nsec3 + s.nsec3param, 0);
		CU_ASSERT_EQUAL(s.rrsig, UNSIGNED_RRSETS + NELEM(BIND_NSEC) + 1);
		counts[t] = rrlist_count(o);
		rrlist_free(o);
	}
	CU_ASSERT_EQUAL(counts[0], counts[1]);
	CU_ASSERT_EQUAL(counts[0], counts[2]);
	rrlist_free(l);
	free_keys(&k);
}

/* A CSK, CDS/CDNSKEY for it, and a pre-published key that must not sign. */
static void
test_signer_csk_cds(void)
{
	uint8_t apex[DNAME_MAXLEN];
	char err[256] = "";
	keypair_t *csk = NULL, *next = NULL;
	CU_ASSERT_EQUAL_FATAL(keypair_generate(DNSSEC_ALG_ECDSAP256SHA256, 0, KEYPAIR_FLAGS_KSK,
					       &csk),
			      SN_OK);
	CU_ASSERT_EQUAL_FATAL(keypair_generate(DNSSEC_ALG_ECDSAP256SHA256, 0, KEYPAIR_FLAGS_ZSK,
					       &next),
			      SN_OK);
	signer_key_t sk[2] = {
		{.key = csk, .ksk = true, .zsk = true, .publish = true, .sign = true, .cds = true},
		{.key = next, .zsk = true, .publish = true},
	};
	rrlist_t *l = load("example.org.", UNSIGNED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	signer_params_t p = params(true, false, 2);
	p.cds = true;
	p.dnskey_ttl = 3600;
	rrlist_t *o = NULL;
	CU_ASSERT_EQUAL_FATAL(signer_sign_full(l, apex_of("example.org.", apex), sk, 2, &p, &o, err,
					       sizeof(err)),
			      SN_OK);
	size_t dnskey = 0, cds = 0, cdnskey = 0, sigs = 0, apex_sigs = 0;
	uint8_t ds[DS_RDATA_MAXLEN];
	size_t dl = 0;
	CU_ASSERT_EQUAL_FATAL(dnskey_ds_rdata(apex, keypair_dnskey(csk), keypair_dnskey_len(csk),
					      DS_DIGEST_SHA256, ds, sizeof(ds), &dl),
			      SN_OK);
	for (size_t i = 0; i < rrlist_count(o); i++) {
		rrlist_rr_t r = rrlist_get(o, i);
		if (r.type == RRTYPE_DNSKEY) {
			dnskey++;
			CU_ASSERT_EQUAL(r.ttl, 3600);
		} else if (r.type == RRTYPE_CDS) {
			cds++;
			CU_ASSERT(r.rdlen == dl && memcmp(r.rdata, ds, dl) == 0);
		} else if (r.type == RRTYPE_CDNSKEY) {
			cdnskey++;
			CU_ASSERT(r.rdlen == keypair_dnskey_len(csk) &&
				  memcmp(r.rdata, keypair_dnskey(csk), r.rdlen) == 0);
		} else if (r.type == RRTYPE_RRSIG) {
			sigs++;
			uint16_t tag = (uint16_t)(r.rdata[16] << 8 | r.rdata[17]);
			/* The pre-published key signs nothing. */
			CU_ASSERT_EQUAL(tag, keypair_tag(csk));
			apex_sigs += is_name(r.owner, "example.org.");
		}
	}
	CU_ASSERT_EQUAL(dnskey, 2);
	CU_ASSERT_EQUAL(cds, 1);
	CU_ASSERT_EQUAL(cdnskey, 1);
	/* Apex: SOA NS MX DNSKEY CDS CDNSKEY NSEC3PARAM. */
	CU_ASSERT_EQUAL(apex_sigs, 7);
	/* The bitmap of the apex NSEC3 lists CDS and CDNSKEY. */
	bool found = false;
	for (size_t i = 0; i < rrlist_count(o); i++) {
		rrlist_rr_t r = rrlist_get(o, i);
		char txt[1024];
		if (r.type == RRTYPE_NSEC3 && rdata_to_text(r.type, r.rdata, r.rdlen, txt,
							    sizeof(txt)) > 0 &&
		    strstr(txt, " SOA ") != NULL) {
			found = strstr(txt, "CDS CDNSKEY") != NULL;
		}
	}
	CU_ASSERT(found);
	rrlist_free(o);

	/* The input's own CDS is refused when the signer makes one. */
	rrlist_t *l2 = load("example.org.",
			    "$TTL 300\nexample.org. SOA a. b. 1 2 3 4 5\n CDS 1 13 2 "
			    "A107F14659595E515DBCCB18E8B77C5678C89B3F8527B36C21B7E105F6341954\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(l2);
	o = NULL;
	CU_ASSERT_EQUAL(signer_sign_full(l2, apex, sk, 2, &p, &o, err, sizeof(err)), SN_EINVAL);
	CU_ASSERT_PTR_NULL(o);
	/* Without p.cds it is signed by the KSK (here the CSK). */
	p.cds = false;
	CU_ASSERT_EQUAL(signer_sign_full(l2, apex, sk, 2, &p, &o, err, sizeof(err)), SN_OK);
	rrlist_free(o);
	rrlist_free(l2);
	rrlist_free(l);
	keypair_free(csk);
	keypair_free(next);
}

/* Parameters and key sets that cannot give a valid zone are refused. */
static void
test_signer_refuses(void)
{
	uint8_t apex[DNAME_MAXLEN];
	char err[256];
	struct keys k;
	CU_ASSERT_EQUAL_FATAL(make_keys(&k), 0);
	keypair_t *pub = NULL, *rsa = NULL;
	CU_ASSERT_EQUAL_FATAL(keypair_from_dnskey(keypair_dnskey(k.zsk), keypair_dnskey_len(k.zsk),
						  &pub),
			      SN_OK);
	CU_ASSERT_EQUAL_FATAL(keypair_generate(DNSSEC_ALG_ED25519, 0, KEYPAIR_FLAGS_ZSK, &rsa),
			      SN_OK);
	rrlist_t *l = load("example.org.", UNSIGNED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(apex_of("example.org.", apex));
	signer_key_t sk[3];
	rrlist_t *o = NULL;
	signer_params_t p = params(true, false, 2);

	/* Only a KSK; only a ZSK. */
	memcpy(sk, k.sk, sizeof(k.sk));
	CU_ASSERT_EQUAL(signer_sign_full(l, apex, sk, 1, &p, &o, err, sizeof(err)), SN_EINVAL);
	CU_ASSERT_EQUAL(signer_sign_full(l, apex, sk + 1, 1, &p, &o, err, sizeof(err)), SN_EINVAL);
	/* Signing while not published. */
	sk[1].publish = false;
	CU_ASSERT_EQUAL(signer_sign_full(l, apex, sk, 2, &p, &o, err, sizeof(err)), SN_EINVAL);
	/* A public-only key asked to sign. */
	memcpy(sk, k.sk, sizeof(k.sk));
	sk[1].key = pub;
	CU_ASSERT_EQUAL(signer_sign_full(l, apex, sk, 2, &p, &o, err, sizeof(err)), SN_EINVAL);
	/* A published algorithm with no signing KSK (RFC 6840 5.11). */
	memcpy(sk, k.sk, sizeof(k.sk));
	sk[2] = (signer_key_t){.key = rsa, .zsk = true, .publish = true, .sign = true};
	err[0] = '\0';
	CU_ASSERT_EQUAL(signer_sign_full(l, apex, sk, 3, &p, &o, err, sizeof(err)), SN_EINVAL);
	CU_ASSERT(strstr(err, "algorithm 15") != NULL);
	/* Times: expiration before inception; jitter as long as the validity. */
	p.expiration = p.inception - 1;
	CU_ASSERT_EQUAL(signer_sign_full(l, apex, k.sk, 2, &p, &o, err, sizeof(err)), SN_EINVAL);
	p = params(true, false, 2);
	p.jitter = p.expiration - p.inception;
	CU_ASSERT_EQUAL(signer_sign_full(l, apex, k.sk, 2, &p, &o, err, sizeof(err)), SN_EINVAL);
	/* NSEC3 parameters on an NSEC zone; too many iterations. */
	p = params(false, true, 2);
	CU_ASSERT_EQUAL(signer_sign_full(l, apex, k.sk, 2, &p, &o, err, sizeof(err)), SN_EINVAL);
	p = params(true, false, 2);
	p.iterations = NSEC3_MAX_ITERATIONS + 1;
	CU_ASSERT_EQUAL(signer_sign_full(l, apex, k.sk, 2, &p, &o, err, sizeof(err)), SN_ERANGE);
	/* Another apex than the list's. */
	p = params(true, false, 2);
	uint8_t other[DNAME_MAXLEN];
	CU_ASSERT_EQUAL(signer_sign_full(l, apex_of("example.com.", other), k.sk, 2, &p, &o, err,
					 sizeof(err)),
			SN_EINVAL);
	/* DNSSEC records in the input. */
	rrlist_t *l2 = load("example.org.",
			    "$TTL 300\nexample.org. SOA a. b. 1 2 3 4 5\nx NSEC3PARAM 1 0 0 -\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(l2);
	err[0] = '\0';
	CU_ASSERT_EQUAL(signer_sign_full(l2, apex, k.sk, 2, &p, &o, err, sizeof(err)), SN_EINVAL);
	CU_ASSERT(strstr(err, "NSEC3PARAM") != NULL);
	CU_ASSERT_PTR_NULL(o);
	/* Incremental signing without a snapshot: refused, nothing written. */
	rrlist_t *rm = NULL, *add = NULL;
	CU_ASSERT_EQUAL(signer_sign_incremental(NULL, l2, l2, k.sk, 2, &p, 0, &rm, &add, err,
						sizeof(err)),
			SN_EINVAL);
	CU_ASSERT(rm == NULL && add == NULL);
	rrlist_free(l2);
	rrlist_free(l);
	keypair_free(pub);
	keypair_free(rsa);
	free_keys(&k);
}

/* Randomised: zones of random names (deep ones, wildcards, delegations
 * with and without DS) sign with every RRSIG verifying, and NSEC3 chains
 * that hold exactly one record per hashed name, in hash order. */
static void
test_signer_random_zones(void)
{
	unsigned seed = test_seed();
	srand(seed);
	struct keys k;
	CU_ASSERT_EQUAL_FATAL(make_keys(&k), 0);
	uint8_t apex[DNAME_MAXLEN];
	CU_ASSERT_PTR_NOT_NULL_FATAL(apex_of("z.test.", apex));
	static const char *labels[] = {"a", "b", "*", "c", "Dd", "e"};
	char *text = malloc(64 * 1024);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (int round = 0; round < 20; round++) {
		size_t o = (size_t)snprintf(text, 64 * 1024,
					    "$TTL 60\nz.test. SOA ns. h. 1 2 3 4 30\n NS ns.\n");
		int names = 1 + rand() % 40;
		for (int i = 0; i < names; i++) {
			char nm[128] = "";
			int depth = 1 + rand() % 4;
			for (int d = 0; d < depth; d++) {
				const char *lb = labels[rand() % 6];
				if (d > 0 && lb[0] == '*') {
					lb = "f";
				}
				size_t len = strlen(nm);
				snprintf(nm + len, sizeof(nm) - len, "%s%s", d == 0 ? "" : ".", lb);
			}
			int kind = rand() % 6;
			if (nm[0] != '*' && kind == 0) {
				o += (size_t)snprintf(text + o, 64 * 1024 - o,
						      "%s NS ns.%s\nns.%s A 192.0.2.1\n", nm, nm, nm);
				if (rand() % 2) {
					o += (size_t)snprintf(
						text + o, 64 * 1024 - o,
						"%s DS 1 13 2 A107F14659595E515DBCCB18E8B77C56"
						"78C89B3F8527B36C21B7E105F6341954\n",
						nm);
				}
			} else {
				o += (size_t)snprintf(text + o, 64 * 1024 - o, "%s TXT \"%d\"\n", nm,
						      i);
			}
		}
		rrlist_t *l = load("z.test.", text);
		if (l == NULL) {
			fprintf(stderr, "\nseed %u round %d: zone does not parse:\n%s\n", seed,
				round, text);
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		signer_params_t p = params(round % 3 != 0, round % 3 == 2, 1 + (unsigned)round % 3);
		rrlist_t *out = NULL;
		char err[256] = "";
		int rc = signer_sign_full(l, apex, k.sk, 2, &p, &out, err, sizeof(err));
		if (rc != SN_OK) {
			fprintf(stderr, "\nseed %u round %d: %s\n%s\n", seed, round, err, text);
		}
		CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
		const rrlist_t *lists[2] = {l, out};
		size_t nsig = 0, verified = 0, n3 = 0;
		uint8_t prev[NSEC3_HASH_LEN], first_next[NSEC3_HASH_LEN], last_next[NSEC3_HASH_LEN];
		for (size_t i = 0; i < rrlist_count(out); i++) {
			rrlist_rr_t r = rrlist_get(out, i);
			if (r.type == RRTYPE_NSEC3) {
				/* Owner hash increases; each next hash is the next owner's. */
				uint8_t h[NSEC3_HASH_LEN];
				size_t hl = 0;
				CU_ASSERT_EQUAL_FATAL(nsec3_base32hex_decode((const char *)r.owner + 1,
									     r.owner[0], h, sizeof(h),
									     &hl),
						      SN_OK);
				size_t nh = 5 + (size_t)r.rdata[4] + 1;
				if (n3 > 0) {
					CU_ASSERT(memcmp(prev, h, NSEC3_HASH_LEN) < 0);
					CU_ASSERT_EQUAL(memcmp(last_next, h, NSEC3_HASH_LEN), 0);
				} else {
					memcpy(first_next, h, NSEC3_HASH_LEN);
				}
				memcpy(prev, h, NSEC3_HASH_LEN);
				memcpy(last_next, r.rdata + nh, NSEC3_HASH_LEN);
				n3++;
			}
			if (r.type != RRTYPE_RRSIG) {
				continue;
			}
			nsig++;
			uint16_t covered = (uint16_t)(r.rdata[0] << 8 | r.rdata[1]);
			const uint8_t *rdp[64];
			uint16_t rdl[64];
			size_t n = 0;
			for (int li = 0; li < 2; li++) {
				for (size_t m = 0; m < rrlist_count(lists[li]); m++) {
					rrlist_rr_t x = rrlist_get(lists[li], m);
					if (x.type == covered && dname_is_equal(x.owner, r.owner) &&
					    n < 64) {
						rdp[n] = x.rdata;
						rdl[n++] = x.rdlen;
					}
				}
			}
			uint16_t tag = (uint16_t)(r.rdata[16] << 8 | r.rdata[17]);
			const keypair_t *key = tag == keypair_tag(k.ksk) ? k.ksk : k.zsk;
			rrsig_rrset_t set = {r.owner, covered, r.rclass, n, rdp, rdl};
			verified += rrsig_verify(r.rdata, r.rdlen, keypair_dnskey(key),
						 keypair_dnskey_len(key), &set) == SN_OK;
		}
		if (n3 > 0) {
			/* The chain closes: the last record points at the first. */
			CU_ASSERT_EQUAL(memcmp(last_next, first_next, NSEC3_HASH_LEN), 0);
		}
		CU_ASSERT(nsig > 0);
		if (verified != nsig) {
			fprintf(stderr, "\nseed %u round %d: %zu of %zu RRSIGs verify\n", seed, round,
				verified, nsig);
		}
		CU_ASSERT_EQUAL(verified, nsig);
		rrlist_free(out);
		rrlist_free(l);
	}
	free(text);
	free_keys(&k);
}

/*
 * Incremental signing, randomised: a random zone is signed in full, then
 * changed step by step; each step's signed change is applied to a
 * snapshot with snap_edit, and the snapshot is checked against what full
 * signing makes of the new records.
 */

/* One unsigned record of the test zone. */
struct trec {
	char name[64];
	char type[8];
	char rdata[112];
	uint32_t ttl;
	bool live;
	bool fresh; /* added in this step */
};

struct tzone {
	struct trec *r;
	size_t n, cap;
	unsigned serial;
	unsigned counter;
};

static struct trec *
tz_push(struct tzone *z, const char *name, const char *type, const char *rdata, uint32_t ttl)
{
	if (z->n == z->cap) {
		z->cap = z->cap != 0 ? z->cap * 2 : 256;
		z->r = realloc(z->r, z->cap * sizeof(*z->r));
		if (z->r == NULL) {
			return NULL;
		}
	}
	struct trec *t = &z->r[z->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->type, sizeof(t->type), "%s", type);
	snprintf(t->rdata, sizeof(t->rdata), "%s", rdata);
	t->ttl = ttl;
	t->live = true;
	return t;
}

static bool
tz_has(const struct tzone *z, const char *name, const char *type, const char *rdata)
{
	for (size_t i = 0; i < z->n; i++) {
		const struct trec *t = &z->r[i];
		if (t->live && strcmp(t->name, name) == 0 && strcmp(t->type, type) == 0 &&
		    (rdata == NULL || strcmp(t->rdata, rdata) == 0)) {
			return true;
		}
	}
	return false;
}

static char *
tz_text(const struct tzone *z, bool (*pick)(const struct trec *), size_t *len)
{
	size_t cap = 256 + z->n * 200, o = 0;
	char *s = malloc(cap);
	if (s == NULL) {
		return NULL;
	}
	s[0] = '\0';
	for (size_t i = 0; i < z->n; i++) {
		const struct trec *t = &z->r[i];
		if (pick(t)) {
			o += (size_t)snprintf(s + o, cap - o, "%s %u %s %s\n", t->name, t->ttl, t->type,
					      t->rdata);
		}
	}
	*len = o;
	return s;
}

static bool
pick_live(const struct trec *t)
{
	return t->live;
}

static rrlist_t *
tz_list(const struct tzone *z, bool (*pick)(const struct trec *))
{
	size_t len = 0;
	char *s = tz_text(z, pick, &len);
	rrlist_t *l = s != NULL ? load("z.test.", s) : NULL;
	free(s);
	return l;
}

/* A new list holding the records of `a` and `b`, sorted. */
static rrlist_t *
merge_lists(const rrlist_t *a, const rrlist_t *b)
{
	rrlist_t *l = rrlist_new();
	const rrlist_t *in[2] = {a, b};
	for (int k = 0; l != NULL && k < 2; k++) {
		for (size_t i = 0; i < rrlist_count(in[k]); i++) {
			rrlist_rr_t r = rrlist_get(in[k], i);
			zfile_rr_t z = {.owner = r.owner,
					.type = r.type,
					.rclass = r.rclass,
					.ttl = r.ttl,
					.rdlen = r.rdlen,
					.rdata = r.rdata,
					.file = "t"};
			if (rrlist_add(l, &z) != SN_OK) {
				rrlist_free(l);
				return NULL;
			}
		}
	}
	if (l != NULL && rrlist_sort(l) != SN_OK) {
		rrlist_free(l);
		return NULL;
	}
	return l;
}

static const char *
rnd_name(char *buf, size_t cap)
{
	static const char *labels[] = {"a", "b", "c", "d", "*", "e"};
	buf[0] = '\0';
	int depth = 1 + rand() % 3;
	for (int d = 0; d < depth; d++) {
		const char *lb = labels[rand() % 6];
		if (d > 0 && lb[0] == '*') {
			lb = "f";
		}
		size_t len = strlen(buf);
		snprintf(buf + len, cap - len, "%s.", lb);
	}
	size_t len = strlen(buf);
	snprintf(buf + len, cap - len, "z.test.");
	return buf;
}

/* A name that is a delegation, or NULL. */
static const struct trec *
rnd_cut(const struct tzone *z)
{
	size_t start = (size_t)rand() % z->n;
	for (size_t k = 0; k < z->n; k++) {
		const struct trec *t = &z->r[(start + k) % z->n];
		if (t->live && strcmp(t->type, "NS") == 0 && strcmp(t->name, "z.test.") != 0) {
			return t;
		}
	}
	return NULL;
}

static const char DS_RD[] = "1 13 2 A107F14659595E515DBCCB18E8B77C5678C89B3F8527B36C21B7E105F6341954";

static void
tz_init(struct tzone *z)
{
	char nm[64], rd[96];
	memset(z, 0, sizeof(*z));
	z->serial = 1;
	tz_push(z, "z.test.", "SOA", "ns. h. 1 2 3 4 30", 60);
	tz_push(z, "z.test.", "NS", "ns.", 60);
	int names = 5 + rand() % 25;
	for (int i = 0; i < names; i++) {
		rnd_name(nm, sizeof(nm));
		if (rand() % 6 == 0 && nm[0] != '*' && !tz_has(z, nm, "NS", NULL)) {
			char glue[80];
			snprintf(rd, sizeof(rd), "ns.%s", nm);
			tz_push(z, nm, "NS", rd, 60);
			snprintf(glue, sizeof(glue), "ns.%s", nm);
			tz_push(z, glue, "A", "192.0.2.1", 60);
			if (rand() % 2) {
				tz_push(z, nm, "DS", DS_RD, 60);
			}
		} else {
			snprintf(rd, sizeof(rd), "\"%u\"", z->counter++);
			tz_push(z, nm, "TXT", rd, 60);
		}
	}
}

/* Makes one random change: marks records removed (live = false, kept in
 * `gone`) and adds new ones (fresh). Delegations stay where they are. */
static void
tz_change(struct tzone *z, struct tzone *gone, bool cuts)
{
	char nm[64], rd[96];
	int ops = 1 + rand() % 3;
	for (size_t i = 0; i < z->n; i++) {
		z->r[i].fresh = false;
	}
	for (int op = 0; op < ops; op++) {
		int kind = rand() % (cuts ? 12 : 10);
		if (kind == 10) {
			/* a delegation appears, occluding what is below it */
			rnd_name(nm, sizeof(nm));
			if (nm[0] == '*' || tz_has(z, nm, "NS", NULL)) {
				continue;
			}
			snprintf(rd, sizeof(rd), "ns.%s", nm);
			tz_push(z, nm, "NS", rd, 60)->fresh = true;
			if (rand() % 2) {
				tz_push(z, nm, "DS", DS_RD, 60)->fresh = true;
			}
			continue;
		}
		if (kind == 11) {
			/* a delegation goes (its NS and DS), uncovering what is below */
			const struct trec *cr = rnd_cut(z);
			if (cr == NULL) {
				continue;
			}
			char cut[64];
			snprintf(cut, sizeof(cut), "%s", cr->name);
			bool fresh = false;
			for (size_t i = 0; i < z->n; i++) {
				const struct trec *t = &z->r[i];
				fresh |= t->live && t->fresh && strcmp(t->name, cut) == 0 &&
					 (strcmp(t->type, "NS") == 0 || strcmp(t->type, "DS") == 0);
			}
			if (fresh) {
				continue;
			}
			for (size_t i = 0; i < z->n; i++) {
				struct trec *t = &z->r[i];
				if (t->live && strcmp(t->name, cut) == 0 &&
				    (strcmp(t->type, "NS") == 0 || strcmp(t->type, "DS") == 0)) {
					t->live = false;
					(void)tz_push(gone, t->name, t->type, t->rdata, t->ttl);
				}
			}
			continue;
		}
		if (kind < 4) {
			/* a TXT at a random name, new or not, with that name's TTL */
			rnd_name(nm, sizeof(nm));
			uint32_t ttl = 60;
			for (size_t i = 0; i < z->n; i++) {
				if (z->r[i].live && strcmp(z->r[i].name, nm) == 0 &&
				    strcmp(z->r[i].type, "TXT") == 0) {
					ttl = z->r[i].ttl;
				}
			}
			snprintf(rd, sizeof(rd), "\"%u\"", z->counter++);
			tz_push(z, nm, "TXT", rd, ttl)->fresh = true;
		} else if (kind < 7) {
			/* a record goes: not the SOA, not an NS */
			size_t start = (size_t)rand() % z->n;
			for (size_t k = 0; k < z->n; k++) {
				struct trec *t = &z->r[(start + k) % z->n];
				if (t->live && !t->fresh && strcmp(t->type, "SOA") != 0 &&
				    strcmp(t->type, "NS") != 0) {
					t->live = false;
					(void)tz_push(gone, t->name, t->type, t->rdata, t->ttl);
					break;
				}
			}
		} else if (kind == 7) {
			/* the serial moves on */
			for (size_t i = 0; i < z->n; i++) {
				struct trec *t = &z->r[i];
				if (t->live && strcmp(t->type, "SOA") == 0 && !t->fresh) {
					t->live = false;
					(void)tz_push(gone, t->name, t->type, t->rdata, t->ttl);
					snprintf(rd, sizeof(rd), "ns. h. %u 2 3 4 30", ++z->serial);
					tz_push(z, "z.test.", "SOA", rd, 60)->fresh = true;
					break;
				}
			}
		} else if (kind == 8) {
			/* a TXT RRset gets another TTL: all its records go and come back */
			size_t start = (size_t)rand() % z->n;
			for (size_t k = 0; k < z->n; k++) {
				struct trec *t = &z->r[(start + k) % z->n];
				if (!t->live || t->fresh || strcmp(t->type, "TXT") != 0) {
					continue;
				}
				char name[64];
				snprintf(name, sizeof(name), "%s", t->name);
				uint32_t nttl = t->ttl == 60 ? 120 : 60;
				bool fresh_here = false;
				for (size_t i = 0; i < z->n; i++) {
					fresh_here |= z->r[i].live && z->r[i].fresh &&
						      strcmp(z->r[i].name, name) == 0 &&
						      strcmp(z->r[i].type, "TXT") == 0;
				}
				if (fresh_here) {
					break;
				}
				size_t n0 = z->n;
				for (size_t i = 0; i < n0; i++) {
					struct trec *u = &z->r[i];
					if (u->live && strcmp(u->name, name) == 0 &&
					    strcmp(u->type, "TXT") == 0) {
						u->live = false;
						(void)tz_push(gone, u->name, u->type, u->rdata, u->ttl);
						char keep[112];
						snprintf(keep, sizeof(keep), "%s", z->r[i].rdata);
						tz_push(z, name, "TXT", keep, nttl)->fresh = true;
					}
				}
				break;
			}
		} else {
			/* glue, or a DS, at a delegation */
			const struct trec *c = rnd_cut(z);
			if (c == NULL) {
				continue;
			}
			char cut[64];
			snprintf(cut, sizeof(cut), "%s", c->name);
			if (rand() % 2 && !tz_has(z, cut, "DS", NULL)) {
				tz_push(z, cut, "DS", DS_RD, 60)->fresh = true;
			} else {
				char g[96];
				snprintf(g, sizeof(g), "g%u.%s", z->counter++, cut);
				tz_push(z, g, "A", "192.0.2.7", 60)->fresh = true;
			}
		}
	}
}

static bool
pick_fresh(const struct trec *t)
{
	return t->live && t->fresh;
}

/* The expected chain of `l` against the snapshot `s`: every record of it is
 * there (owner, next, bitmap, flags), and nothing else. */
static bool
check_chain(const rrlist_t *l, const snap_t *s, bool nsec3, bool opt_out, const char *what)
{
	uint8_t apex[DNAME_MAXLEN];
	char err[256];
	nsec_zone_t z;
	nsec3_param_t n3;
	memset(&n3, 0, sizeof(n3));
	n3.opt_out = opt_out;
	bool ok = true;
	CU_ASSERT_PTR_NOT_NULL_FATAL(apex_of("z.test.", apex));
	int rc = nsec_zone_build(&z, l, apex, nsec3 ? &n3 : NULL, nsec3 ? APEX_NSEC3 : APEX_NSEC,
				 nsec3 ? 2 : 1, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
	if (nsec3) {
		CU_ASSERT_EQUAL_FATAL(nsec3_zone_hash(&z, 0, z.count), SN_OK);
		CU_ASSERT_EQUAL_FATAL(nsec3_zone_order(&z, err, sizeof(err)), SN_OK);
	}
	for (size_t pos = 0; pos < z.chain_count && ok; pos++) {
		uint8_t rd[NSEC3_RDATA_MAXLEN], own[DNAME_MAXLEN];
		size_t rl = 0, ol = 0;
		const snap_node_t *nd;
		if (nsec3) {
			CU_ASSERT_EQUAL_FATAL(nsec3_rdata(&z, l, pos, rd, sizeof(rd), &rl), SN_OK);
			CU_ASSERT_EQUAL_FATAL(nsec3_owner(&z, pos, own, &ol), SN_OK);
			nd = snap_nsec3_find(s, own);
		} else {
			CU_ASSERT_EQUAL_FATAL(nsec_rdata(&z, l, pos, rd, sizeof(rd), &rl), SN_OK);
			memcpy(own, z.nodes[z.chain[pos]].owner, dname_len(z.nodes[z.chain[pos]].owner));
			nd = snap_find(s, own);
		}
		const snap_rrset_t *rs =
			nd != NULL ? snap_node_rrset(nd, nsec3 ? RRTYPE_NSEC3 : RRTYPE_NSEC) : NULL;
		bool same = rs != NULL && rs->count == 1 && rs->ttl == z.ttl;
		if (same) {
			uint16_t got = (uint16_t)(rs->rdata[0] << 8 | rs->rdata[1]);
			const uint8_t *g = rs->rdata + 2;
			if (nsec3) {
				same = got == rl && memcmp(g, rd, rl) == 0;
			} else {
				/* the next name compares without case (RFC 6840 5.1) */
				size_t nl = dname_len(rd);
				same = got == rl && dname_is_equal(g, rd) &&
				       memcmp(g + nl, rd + nl, rl - nl) == 0;
			}
		}
		if (!same) {
			char nb[DNAME_MAXTEXT], want[1024] = "", have[1024] = "(none)";
			CU_ASSERT(dname_to_text(own, nb, sizeof(nb)) > 0);
			CU_ASSERT(rdata_to_text(nsec3 ? RRTYPE_NSEC3 : RRTYPE_NSEC, rd, rl, want,
						sizeof(want)) >= 0);
			if (rs != NULL) {
				CU_ASSERT(rdata_to_text(nsec3 ? RRTYPE_NSEC3 : RRTYPE_NSEC,
							rs->rdata + 2,
							(size_t)(rs->rdata[0] << 8 | rs->rdata[1]),
							have, sizeof(have)) >= 0);
			}
			fprintf(stderr, "\n%s: %s wants %s, has %s\n", what, nb, want, have);
			ok = false;
		}
	}
	/* and no other denial record */
	size_t n = 0;
	snap_iter_t it;
	const snap_node_t *nd;
	for (snap_iter_first(&it, s); (nd = snap_iter_node(&it)) != NULL; snap_iter_next(&it)) {
		n += snap_node_rrset(nd, nsec3 ? RRTYPE_NSEC3 : RRTYPE_NSEC) != NULL;
	}
	if (ok && n != z.chain_count) {
		fprintf(stderr, "\n%s: %zu denial records, %zu expected\n", what, n, z.chain_count);
		ok = false;
	}
	nsec_zone_clear(&z);
	return ok;
}

/* Verifies the RRSIGs of `rs` (owned by `owner`): one by the key of its
 * role, valid. */
static bool
check_sigs(const struct keys *k, const uint8_t *owner, const snap_rrset_t *rs, bool verify)
{
	const snap_rrset_t *sg = rs->rrsig;
	if (sg == NULL || sg->count != 1) {
		return false;
	}
	bool ksk_type = rs->type == RRTYPE_DNSKEY || rs->type == RRTYPE_CDS ||
			rs->type == RRTYPE_CDNSKEY;
	const keypair_t *key = ksk_type ? k->ksk : k->zsk;
	uint16_t sl = (uint16_t)(sg->rdata[0] << 8 | sg->rdata[1]);
	const uint8_t *sig = sg->rdata + 2;
	if (sl < RRSIG_FIXEDLEN || (uint16_t)(sig[0] << 8 | sig[1]) != rs->type ||
	    (uint16_t)(sig[16] << 8 | sig[17]) != keypair_tag(key)) {
		return false;
	}
	if (!verify) {
		return true;
	}
	const uint8_t *rdp[256];
	uint16_t rdl[256];
	const uint8_t *q = rs->rdata;
	if (rs->count > 256) {
		return false;
	}
	for (uint16_t i = 0; i < rs->count; i++) {
		rdl[i] = (uint16_t)(q[0] << 8 | q[1]);
		rdp[i] = q + 2;
		q += 2 + rdl[i];
	}
	rrsig_rrset_t set = {owner, rs->type, RRCLASS_IN, rs->count, rdp, rdl};
	return rrsig_verify(sig, sl, keypair_dnskey(key), keypair_dnskey_len(key), &set) == SN_OK;
}

/* Every RRset that must be signed is, once, by the right key, and no
 * RRSIG is left without its RRset or on an RRset that is not signed.
 * With `verify`, the signatures are checked too. */
static bool
check_all_sigs(const snap_t *s, const struct keys *k, bool verify, const char *what)
{
	snap_iter_t it;
	const snap_node_t *nd;
	bool ok = true;
	for (snap_iter_first(&it, s); (nd = snap_iter_node(&it)) != NULL && ok;
	     snap_iter_next(&it)) {
		uint16_t nsig = 0, want = 0;
		(void)snap_node_sigs(nd, &nsig);
		for (uint16_t i = 0; i < nd->rrset_count; i++) {
			const snap_rrset_t *rs = &nd->rrsets[i];
			bool signed_set = !(nd->flags & SNAP_NONAUTH) &&
					  (!(nd->flags & SNAP_DELEG) || rs->type == RRTYPE_DS ||
					   rs->type == RRTYPE_NSEC);
			if (!signed_set) {
				ok = rs->rrsig == NULL;
			} else {
				want++;
				ok = check_sigs(k, nd->owner, rs, verify);
			}
			if (!ok) {
				char nb[DNAME_MAXTEXT];
				CU_ASSERT(dname_to_text(nd->owner, nb, sizeof(nb)) > 0);
				fprintf(stderr, "\n%s: %s type %u: bad or missing RRSIG\n", what, nb,
					rs->type);
				break;
			}
		}
		if (ok && nsig != want) {
			char nb[DNAME_MAXTEXT];
			CU_ASSERT(dname_to_text(nd->owner, nb, sizeof(nb)) > 0);
			fprintf(stderr, "\n%s: %s: %u RRSIG sets for %u signed RRsets\n", what, nb,
				nsig, want);
			ok = false;
		}
	}
	return ok;
}

/* Every RRSIG the change removes covers an RRset that changed: a record of
 * the unsigned change, or a denial record the change also removes. So the
 * RRsets that did not change keep their signatures. */
static bool
check_kept(const rrlist_t *urm, const rrlist_t *uadd, const rrlist_t *rm, const snap_t *s,
	   uint32_t refresh, const char *what)
{
	for (size_t i = 0; i < rrlist_count(rm); i++) {
		rrlist_rr_t r = rrlist_get(rm, i);
		if (r.type == RRTYPE_NSEC || r.type == RRTYPE_NSEC3) {
			continue;
		}
		if (r.type != RRTYPE_RRSIG) {
			fprintf(stderr, "\n%s: removes a record of type %u\n", what, r.type);
			return false;
		}
		uint16_t cov = (uint16_t)(r.rdata[0] << 8 | r.rdata[1]);
		/* or it expires before the refresh time */
		bool why = refresh != 0 && (int32_t)(be32(r.rdata + 8) - refresh) < 0;
		const rrlist_t *ls[3] = {urm, uadd, rm};
		for (int li = 0; li < 3 && !why; li++) {
			for (size_t m = 0; m < rrlist_count(ls[li]) && !why; m++) {
				rrlist_rr_t x = rrlist_get(ls[li], m);
				why = x.type == cov && dname_is_equal(x.owner, r.owner);
			}
		}
		if (!why) {
			/* or a delegation now occludes it (RFC 4035 2.2) */
			const snap_node_t *nd = snap_find(s, r.owner);
			why = nd != NULL && ((nd->flags & SNAP_NONAUTH) ||
					     ((nd->flags & SNAP_DELEG) && cov != RRTYPE_DS));
		}
		if (!why) {
			char nb[DNAME_MAXTEXT];
			CU_ASSERT(dname_to_text(r.owner, nb, sizeof(nb)) > 0);
			fprintf(stderr, "\n%s: the RRSIG of %s type %u goes, the RRset stays\n",
				what, nb, cov);
			return false;
		}
	}
	return true;
}

/* No RRSIG of `s` expires before `t`. */
static bool
check_fresh(const snap_t *s, uint32_t t, const char *what)
{
	snap_iter_t it;
	const snap_node_t *nd;
	for (snap_iter_first(&it, s); (nd = snap_iter_node(&it)) != NULL; snap_iter_next(&it)) {
		uint16_t n = 0;
		const snap_rrset_t *sg = snap_node_sigs(nd, &n);
		for (uint16_t i = 0; i < n; i++) {
			const uint8_t *q = sg[i].rdata;
			for (uint16_t k = 0; k < sg[i].count; k++) {
				uint16_t len = (uint16_t)(q[0] << 8 | q[1]);
				if ((int32_t)(be32(q + 2 + 8) - t) < 0) {
					char nb[DNAME_MAXTEXT];
					CU_ASSERT(dname_to_text(nd->owner, nb, sizeof(nb)) > 0);
					fprintf(stderr, "\n%s: %s keeps an RRSIG expiring too soon\n",
						what, nb);
					return false;
				}
				q += 2 + len;
			}
		}
	}
	return true;
}

static void
incremental_run(bool nsec3, bool opt_out, bool cuts, int steps)
{
	unsigned seed = test_seed();
	srand(seed);
	struct keys k;
	CU_ASSERT_EQUAL_FATAL(make_keys(&k), 0);
	uint8_t apex[DNAME_MAXLEN];
	CU_ASSERT_PTR_NOT_NULL_FATAL(apex_of("z.test.", apex));
	struct tzone z, gone;
	tz_init(&z);
	memset(&gone, 0, sizeof(gone));
	signer_params_t p = params(nsec3, opt_out, 1);
	rrlist_t *l = tz_list(&z, pick_live), *sig = NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	char err[512] = "", what[128];
	CU_ASSERT_EQUAL_FATAL(signer_sign_full(l, apex, k.sk, 2, &p, &sig, err, sizeof(err)), SN_OK);
	rrlist_t *all = merge_lists(l, sig);
	snap_t *s = NULL;
	CU_ASSERT_EQUAL_FATAL(snap_build(apex, all, &s), SN_OK);
	rrlist_free(all);
	rrlist_free(sig);
	rrlist_free(l);
	size_t changed = 0, failed = 0;
	for (int step = 0; step < steps && failed == 0; step++) {
		snprintf(what, sizeof(what), "seed %u %s%s%s step %d", seed, nsec3 ? "NSEC3" : "NSEC",
			 opt_out ? " opt-out" : "", cuts ? " cuts" : "", step);
		gone.n = 0;
		tz_change(&z, &gone, cuts);
		rrlist_t *urm = tz_list(&gone, pick_live);
		rrlist_t *uadd = tz_list(&z, pick_fresh);
		CU_ASSERT_PTR_NOT_NULL_FATAL(urm);
		CU_ASSERT_PTR_NOT_NULL_FATAL(uadd);
		rrlist_t *rm = NULL, *add = NULL;
		/* now and then the re-signing timer: the validity moves on a day
		 * and what expires within half the jitter of the old end is
		 * signed again */
		uint32_t refresh = 0;
		if (step % 50 == 49) {
			refresh = p.expiration - p.jitter / 2;
			p.inception += 86400;
			p.expiration += 86400;
		}
		int rc = signer_sign_incremental(s, urm, uadd, k.sk, 2, &p, refresh, &rm, &add, err,
						 sizeof(err));
		if (rc != SN_OK) {
			fprintf(stderr, "\n%s: %s\n", what, err);
			failed++;
		}
		CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
		changed += rrlist_count(rm) + rrlist_count(add);
		rrlist_t *erm = merge_lists(urm, rm), *eadd = merge_lists(uadd, add);
		CU_ASSERT_PTR_NOT_NULL_FATAL(erm);
		CU_ASSERT_PTR_NOT_NULL_FATAL(eadd);
		snap_t *s2 = NULL;
		rc = snap_edit(s, erm, eadd, &s2);
		if (rc != SN_OK) {
			fprintf(stderr, "\n%s: the signed change does not apply: %d\n", what, rc);
			failed++;
		}
		CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
		snap_t *sprev = s;
		s = s2;
		if (!check_kept(urm, uadd, rm, s, refresh, what)) {
			failed++;
		}
		if (refresh != 0 && !check_fresh(s, refresh, what)) {
			failed++;
		}
		l = tz_list(&z, pick_live);
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		size_t failed0 = failed;
		if (!check_chain(l, s, nsec3, opt_out, what)) {
			failed++;
		}
		/* every step checks that each signed RRset has its one RRSIG;
		 * every 25th (and the last) verifies them all */
		if (!check_all_sigs(s, &k, step % 25 == 0 || step + 1 == steps, what)) {
			failed++;
		}
		/* what this step signed must verify */
		for (size_t i = 0; i < rrlist_count(add); i++) {
			rrlist_rr_t r = rrlist_get(add, i);
			if (r.type != RRTYPE_RRSIG) {
				continue;
			}
			uint16_t cov = (uint16_t)(r.rdata[0] << 8 | r.rdata[1]);
			const snap_node_t *nd = cov == RRTYPE_NSEC3 ? snap_nsec3_find(s, r.owner)
								    : snap_find(s, r.owner);
			const snap_rrset_t *rs = nd != NULL ? snap_node_rrset(nd, cov) : NULL;
			if (rs == NULL || !check_sigs(&k, nd->owner, rs, true)) {
				fprintf(stderr, "\n%s: a new RRSIG (type %u) does not verify\n", what,
					cov);
				failed++;
				break;
			}
		}
		if (failed > failed0) {
			size_t tl = 0;
			char *t1 = tz_text(&gone, pick_live, &tl), *t2 = tz_text(&z, pick_fresh, &tl);
			fprintf(stderr, "removed:\n%sadded:\n%s", t1 != NULL ? t1 : "",
				t2 != NULL ? t2 : "");
			if (getenv("SIGNET_TEST_VERBOSE") != NULL) {
				free(t1);
				t1 = tz_text(&z, pick_live, &tl);
				fprintf(stderr, "zone:\n%s", t1 != NULL ? t1 : "");
				for (int li = 0; li < 2; li++) {
					const rrlist_t *x = li == 0 ? rm : add;
					for (size_t m = 0; m < rrlist_count(x); m++) {
						rrlist_rr_t r = rrlist_get(x, m);
						char nb[DNAME_MAXTEXT], tb[2048];
						if (r.type == RRTYPE_RRSIG ||
						    dname_to_text(r.owner, nb, sizeof(nb)) < 0 ||
						    rdata_to_text(r.type, r.rdata, r.rdlen, tb,
								  sizeof(tb)) < 0) {
							continue;
						}
						fprintf(stderr, "%c %s %u %s\n", li ? '+' : '-', nb,
							r.type, tb);
					}
				}
			}
			free(t1);
			free(t2);
		}
		for (size_t i = 0; i < z.n; i++) {
			z.r[i].fresh = false;
		}
		snap_unref(sprev);
		rrlist_free(l);
		rrlist_free(erm);
		rrlist_free(eadd);
		rrlist_free(rm);
		rrlist_free(add);
		rrlist_free(urm);
		rrlist_free(uadd);
		/* drop the dead records now and then so the zone stays small */
		if (step % 64 == 63) {
			size_t w = 0;
			for (size_t i = 0; i < z.n; i++) {
				if (z.r[i].live) {
					z.r[w++] = z.r[i];
				}
			}
			z.n = w;
		}
	}
	CU_ASSERT_EQUAL(failed, 0);
	CU_ASSERT(changed > 0);
	snap_unref(s);
	free(z.r);
	free(gone.r);
	free_keys(&k);
}

static void
test_signer_incremental_nsec3(void)
{
	incremental_run(true, false, false, 1500);
}

static void
test_signer_incremental_nsec(void)
{
	incremental_run(false, false, false, 1000);
}

/* Delegations come and go: what lies below them is occluded and uncovered. */
static void
test_signer_incremental_cuts(void)
{
	incremental_run(true, false, true, 600);
	incremental_run(false, false, true, 600);
}

/* NSEC3 Opt-Out: insecure delegations, and the ENTs above only them, are
 * left out, and join the chain when a DS makes them secure. */
static void
test_signer_incremental_optout(void)
{
	incremental_run(true, true, true, 800);
}

/* Changes that cannot be signed are refused with nothing written: a
 * record the zone does not hold, DNSSEC types, a DS at no delegation, the
 * SOA removed; an SOA MINIMUM change is a full signing (every NSEC3 TTL
 * changes, RFC 9077 3). A change that can be signed is. */
static void
test_signer_incremental_refuses(void)
{
	struct keys k;
	uint8_t apex[DNAME_MAXLEN];
	char err[256];
	CU_ASSERT_EQUAL_FATAL(make_keys(&k), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(apex_of("example.org.", apex));
	rrlist_t *l = load("example.org.", UNSIGNED), *sig = NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	signer_params_t p = params(true, false, 1);
	CU_ASSERT_EQUAL_FATAL(signer_sign_full(l, apex, k.sk, 2, &p, &sig, err, sizeof(err)), SN_OK);
	rrlist_t *all = merge_lists(l, sig);
	snap_t *s = NULL;
	CU_ASSERT_EQUAL_FATAL(snap_build(apex, all, &s), SN_OK);
	static const struct {
		const char *rm, *add;
		int rc;
	} cases[] = {
		{"www 300 A 192.0.2.77\n", "", SN_EINVAL},
		{"", "x 300 NSEC3PARAM 1 0 0 -\n", SN_EINVAL},
		{"", "www 300 DS 1 13 2 A107F14659595E515DBCCB18E8B77C5678C89B3F8527B36C21B7E105F6341954\n",
		 SN_EINVAL},
		{"@ 300 SOA ns1.example.org. hostmaster.example.org. 1 3600 900 604800 300\n", "",
		 SN_EINVAL},
		{"", "www 300 SOA a. b. 1 2 3 4 5\n", SN_EINVAL},
		{"@ 300 SOA ns1.example.org. hostmaster.example.org. 1 3600 900 604800 300\n",
		 "@ 300 SOA ns1.example.org. hostmaster.example.org. 2 3600 900 604800 100\n",
		 SN_ENOTSUP},
		{"@ 300 SOA ns1.example.org. hostmaster.example.org. 1 3600 900 604800 300\n",
		 "@ 300 SOA ns1.example.org. hostmaster.example.org. 2 3600 900 604800 300\n", SN_OK},
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		rrlist_t *rm = load("example.org.", cases[i].rm);
		rrlist_t *ad = load("example.org.", cases[i].add);
		CU_ASSERT_PTR_NOT_NULL_FATAL(rm);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ad);
		rrlist_t *orm = NULL, *oad = NULL;
		err[0] = '\0';
		int rc = signer_sign_incremental(s, rm, ad, k.sk, 2, &p, 0, &orm, &oad, err,
						 sizeof(err));
		if (rc != cases[i].rc) {
			fprintf(stderr, "\ncase %zu: %d (%s), %d expected\n", i, rc, err, cases[i].rc);
		}
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc != SN_OK) {
			CU_ASSERT(orm == NULL && oad == NULL);
			CU_ASSERT(err[0] != '\0');
		} else {
			/* the SOA's RRSIG goes and comes, nothing else changes */
			CU_ASSERT_EQUAL(rrlist_count(orm), 1);
			CU_ASSERT_EQUAL(rrlist_count(oad), 1);
		}
		rrlist_free(orm);
		rrlist_free(oad);
		rrlist_free(rm);
		rrlist_free(ad);
	}
	snap_unref(s);
	rrlist_free(all);
	rrlist_free(sig);
	rrlist_free(l);
	free_keys(&k);
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
	CU_add_test(s, "test_signer_full_nsec3", test_signer_full_nsec3);
	CU_add_test(s, "test_signer_full_nsec", test_signer_full_nsec);
	CU_add_test(s, "test_signer_csk_cds", test_signer_csk_cds);
	CU_add_test(s, "test_signer_refuses", test_signer_refuses);
	CU_add_test(s, "test_signer_random_zones", test_signer_random_zones);
	CU_add_test(s, "test_signer_incremental_nsec3", test_signer_incremental_nsec3);
	CU_add_test(s, "test_signer_incremental_nsec", test_signer_incremental_nsec);
	CU_add_test(s, "test_signer_incremental_refuses", test_signer_incremental_refuses);
	CU_add_test(s, "test_signer_incremental_cuts", test_signer_incremental_cuts);
	CU_add_test(s, "test_signer_incremental_optout", test_signer_incremental_optout);
	return CU_get_error();
}
