/* SPDX-License-Identifier: MIT
 * test_sign.c - DNSSEC primitives against published vectors: key tags and DS
 * (RFC 4034 5.4, RFC 6605 6), NSEC3 hashes (RFC 5155 Appendix A).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <CUnit/CUnit.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "tests/unit/suites.h"
#include "sign/dnskey.h"
#include "sign/keyfile.h"
#include "sign/keypair.h"
#include "sign/nsec3hash.h"
#include "sign/rrsig.h"
#include "zone/dname.h"
#include "zone/zfile.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include "zone/wire.h"

#define MAXTOK 16

/* Parses presentation RDATA (blank-separated, no quotes) with the zone
 * module's own parser; returns the wire length or the error. */
static int
parse_rdata(uint16_t type, const char *text, uint8_t *out, size_t cap)
{
	rdata_tok_t toks[MAXTOK];
	size_t n = 0;
	const char *p = text;
	while (*p != '\0' && n < MAXTOK) {
		while (*p == ' ') {
			p++;
		}
		if (*p == '\0') {
			break;
		}
		memset(&toks[n], 0, sizeof(toks[n]));
		toks[n].s = p;
		while (*p != '\0' && *p != ' ') {
			p++;
		}
		toks[n].len = (uint32_t)(p - toks[n].s);
		n++;
	}
	wire_out_t w;
	size_t et = 0;
	const char *em = NULL;
	wire_out_init(&w, out, cap);
	int rc = rdata_from_text(type, toks, n, NULL, &w, &et, &em);
	return rc == SN_OK ? (int)(w.pos - out) : rc;
}

static int
name(const char *text, uint8_t out[DNAME_MAXLEN])
{
	size_t len = 0;
	int rc = dname_from_text(text, strlen(text), NULL, out, &len);
	return rc == SN_OK ? (int)len : rc;
}

/* Hex (either case) to bytes; returns the length or -1. */
static int
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s);
	if (n % 2 != 0 || n / 2 > cap) {
		return -1;
	}
	for (size_t i = 0; i < n / 2; i++) {
		char b[3] = {s[2 * i], s[2 * i + 1], 0};
		char *end = NULL;
		out[i] = (uint8_t)strtoul(b, &end, 16);
		if (*end != '\0') {
			return -1;
		}
	}
	return (int)(n / 2);
}

/* RFC 4034 5.4. */
static const char RFC4034_KEY[] =
	"256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZ"
	"DRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9Xzc"
	"nOf+EPbtG9DMBmADjFDc2w/rljwvFw==";
/* RFC 6605 6.1 and 6.2. */
static const char RFC6605_P256_KEY[] =
	"257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb"
	"krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==";
static const char RFC6605_P384_KEY[] =
	"257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1"
	"w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40";

struct ds_vec {
	const char *owner;
	const char *key;
	uint16_t tag;
	uint8_t alg;
	uint8_t dtype;
	const char *digest;
};

static const struct ds_vec DS_VECS[] = {
	/* RFC 4034 5.4 */
	{"dskey.example.com.", RFC4034_KEY, 60485, 5, DS_DIGEST_SHA1,
	 "2BB183AF5F22588179A53B0A98631FAD1A292118"},
	/* RFC 6605 6.1 */
	{"example.net.", RFC6605_P256_KEY, 55648, 13, DS_DIGEST_SHA256,
	 "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17"},
	/* RFC 6605 6.2 */
	{"example.net.", RFC6605_P384_KEY, 10771, 14, DS_DIGEST_SHA384,
	 "72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9495f27e305c6a9b0"
	 "563a9b5f4d288405c3008a946df983d6"},
	/* Not in an RFC: computed by ldns-key2ds and BIND's dnssec-dsfromkey. */
	{"dskey.example.com.", RFC4034_KEY, 60485, 5, DS_DIGEST_SHA256,
	 "d4b7d520e7bb5f0f67674a0cceb1e3e0614b93c4f9e99b8383f6a1e4469da50a"},
	{"example.net.", RFC6605_P256_KEY, 55648, 13, DS_DIGEST_SHA384,
	 "3BE4B980B34443E569255F4A347D4C8E8E18DE755FB8072D7B355C44C56B50A6"
	 "1E8050AE636041B9664A04F05AEF2680"},
};

static void
test_sign_keytag(void)
{
	for (size_t i = 0; i < sizeof(DS_VECS) / sizeof(DS_VECS[0]); i++) {
		uint8_t rd[512];
		int len = parse_rdata(RRTYPE_DNSKEY, DS_VECS[i].key, rd, sizeof(rd));
		CU_ASSERT_FATAL(len > DNSKEY_HDRLEN);
		uint16_t tag = 0;
		CU_ASSERT_EQUAL(dnskey_keytag(rd, (size_t)len, &tag), SN_OK);
		CU_ASSERT_EQUAL(tag, DS_VECS[i].tag);
		/* The tag covers every octet: flipping the SEP bit changes it. */
		rd[1] ^= 1;
		uint16_t tag2 = tag;
		CU_ASSERT_EQUAL(dnskey_keytag(rd, (size_t)len, &tag2), SN_OK);
		CU_ASSERT_NOT_EQUAL(tag2, tag);
	}
	/* Too short: error, and the out-param is untouched. */
	uint8_t shortrd[3] = {1, 0, 3};
	uint16_t tag = 7;
	CU_ASSERT_EQUAL(dnskey_keytag(shortrd, sizeof(shortrd), &tag), SN_EPARSE);
	CU_ASSERT_EQUAL(tag, 7);
	/* RFC 4034 B.1: algorithm 1 takes the tag from the modulus. */
	uint8_t rsamd5[] = {1, 0, 3, 1, 3, 1, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd};
	CU_ASSERT_EQUAL(dnskey_keytag(rsamd5, sizeof(rsamd5), &tag), SN_OK);
	CU_ASSERT_EQUAL(tag, 0xbbcc);
}

static void
test_sign_ds(void)
{
	for (size_t i = 0; i < sizeof(DS_VECS) / sizeof(DS_VECS[0]); i++) {
		const struct ds_vec *v = &DS_VECS[i];
		uint8_t rd[512], owner[DNAME_MAXLEN], want[DS_DIGEST_MAXLEN];
		uint8_t dig[DS_DIGEST_MAXLEN], ds[DS_RDATA_MAXLEN];
		size_t dlen = 0, dslen = 0;
		int len = parse_rdata(RRTYPE_DNSKEY, v->key, rd, sizeof(rd));
		CU_ASSERT_FATAL(len > DNSKEY_HDRLEN);
		CU_ASSERT_FATAL(name(v->owner, owner) > 0);
		int wl = unhex(v->digest, want, sizeof(want));
		CU_ASSERT_FATAL(wl > 0);
		CU_ASSERT_EQUAL(dnskey_digest_len(v->dtype), wl);

		CU_ASSERT_EQUAL_FATAL(dnskey_ds_digest(owner, rd, (size_t)len, v->dtype, dig,
						       sizeof(dig), &dlen), SN_OK);
		CU_ASSERT_EQUAL(dlen, (size_t)wl);
		CU_ASSERT_EQUAL(memcmp(dig, want, (size_t)wl), 0);

		CU_ASSERT_EQUAL_FATAL(dnskey_ds_rdata(owner, rd, (size_t)len, v->dtype, ds,
						      sizeof(ds), &dslen), SN_OK);
		CU_ASSERT_EQUAL(dslen, 4 + (size_t)wl);
		CU_ASSERT_EQUAL((ds[0] << 8) | ds[1], v->tag);
		CU_ASSERT_EQUAL(ds[2], v->alg);
		CU_ASSERT_EQUAL(ds[3], v->dtype);
		CU_ASSERT_EQUAL(memcmp(ds + 4, want, (size_t)wl), 0);
		/* The DS RDATA we build is what the zone parser reads back. */
		CU_ASSERT_EQUAL(rdata_check(RRTYPE_DS, ds, dslen), SN_OK);

		/* The owner is hashed in canonical form: upper case is the same. */
		char upper[DNAME_MAXTEXT];
		size_t k;
		for (k = 0; v->owner[k] != '\0'; k++) {
			upper[k] = (char)((v->owner[k] >= 'a' && v->owner[k] <= 'z')
						  ? v->owner[k] - 32 : v->owner[k]);
		}
		upper[k] = '\0';
		CU_ASSERT_FATAL(name(upper, owner) > 0);
		memset(dig, 0, sizeof(dig));
		CU_ASSERT_EQUAL(dnskey_ds_digest(owner, rd, (size_t)len, v->dtype, dig, sizeof(dig),
						 &dlen), SN_OK);
		CU_ASSERT_EQUAL(memcmp(dig, want, (size_t)wl), 0);

		/* A different owner gives a different digest. */
		CU_ASSERT_FATAL(name("other.example.", owner) > 0);
		CU_ASSERT_EQUAL(dnskey_ds_digest(owner, rd, (size_t)len, v->dtype, dig, sizeof(dig),
						 &dlen), SN_OK);
		CU_ASSERT_NOT_EQUAL(memcmp(dig, want, (size_t)wl), 0);
	}
}

static void
test_sign_ds_errors(void)
{
	uint8_t rd[512], owner[DNAME_MAXLEN], dig[DS_DIGEST_MAXLEN];
	size_t dlen = 12345;
	int len = parse_rdata(RRTYPE_DNSKEY, RFC6605_P256_KEY, rd, sizeof(rd));
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_FATAL(name("example.net.", owner) > 0);
	/* Unknown digest types (3 is GOST, not supported). */
	CU_ASSERT_EQUAL(dnskey_ds_digest(owner, rd, (size_t)len, 3, dig, sizeof(dig), &dlen),
			SN_ENOTSUP);
	CU_ASSERT_EQUAL(dnskey_ds_digest(owner, rd, (size_t)len, 0, dig, sizeof(dig), &dlen),
			SN_ENOTSUP);
	CU_ASSERT_EQUAL(dnskey_digest_len(99), SN_ENOTSUP);
	/* Output too small. */
	CU_ASSERT_EQUAL(dnskey_ds_digest(owner, rd, (size_t)len, DS_DIGEST_SHA256, dig, 31,
					 &dlen), SN_ENOSPC);
	CU_ASSERT_EQUAL(dnskey_ds_rdata(owner, rd, (size_t)len, DS_DIGEST_SHA256, dig, 35,
					&dlen), SN_ENOSPC);
	/* Truncated RDATA. */
	CU_ASSERT_EQUAL(dnskey_ds_digest(owner, rd, 3, DS_DIGEST_SHA256, dig, sizeof(dig),
					 &dlen), SN_EPARSE);
	/* A compression pointer is not a name. */
	uint8_t bad[DNAME_MAXLEN] = {0xc0, 0x0c};
	CU_ASSERT_EQUAL(dnskey_ds_digest(bad, rd, (size_t)len, DS_DIGEST_SHA256, dig,
					 sizeof(dig), &dlen), SN_EPARSE);
	CU_ASSERT_EQUAL(dlen, 12345);
}

/* RFC 5155 Appendix A: salt aabbccdd, 12 iterations, SHA-1. */
static const struct {
	const char *owner;
	const char *hash;
} NSEC3_VECS[] = {
	{"example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
	{"a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
	{"ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"},
	{"ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
	{"ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"},
	{"w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
	{"*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
	{"x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"},
	{"y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"},
	{"x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"},
	{"xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"},
	{"XX.EXAMPLE.", "t644ebqk9bibcna874givr6joj62mlhv"},
};

static void
test_sign_nsec3_vectors(void)
{
	const uint8_t salt[] = {0xaa, 0xbb, 0xcc, 0xdd};
	for (size_t i = 0; i < sizeof(NSEC3_VECS) / sizeof(NSEC3_VECS[0]); i++) {
		uint8_t owner[DNAME_MAXLEN], h[NSEC3_HASH_LEN], want[NSEC3_HASH_LEN];
		char text[NSEC3_B32_LEN + 1];
		size_t wl = 0;
		CU_ASSERT_FATAL(name(NSEC3_VECS[i].owner, owner) > 0);
		CU_ASSERT_EQUAL_FATAL(nsec3_hash(NSEC3_ALG_SHA1, owner, salt, sizeof(salt), 12, h),
				      SN_OK);
		/* Binary form, decoded independently of the encoder. */
		CU_ASSERT_EQUAL_FATAL(nsec3_base32hex_decode(NSEC3_VECS[i].hash,
							     strlen(NSEC3_VECS[i].hash), want,
							     sizeof(want), &wl), SN_OK);
		CU_ASSERT_EQUAL(wl, NSEC3_HASH_LEN);
		CU_ASSERT_EQUAL(memcmp(h, want, NSEC3_HASH_LEN), 0);
		CU_ASSERT_EQUAL(nsec3_base32hex(h, sizeof(h), text, sizeof(text)), NSEC3_B32_LEN);
		CU_ASSERT_STRING_EQUAL(text, NSEC3_VECS[i].hash);
	}
}

static void
test_sign_nsec3_params(void)
{
	uint8_t owner[DNAME_MAXLEN], h[NSEC3_HASH_LEN], h2[NSEC3_HASH_LEN];
	char text[NSEC3_B32_LEN + 1];
	CU_ASSERT_FATAL(name("example.", owner) > 0);
	/* RFC 9276 defaults (no salt, 0 iterations); vector from knsec3hash
	 * and ldns-nsec3-hash. */
	CU_ASSERT_EQUAL_FATAL(nsec3_hash(NSEC3_ALG_SHA1, owner, NULL, 0, 0, h), SN_OK);
	CU_ASSERT_EQUAL(nsec3_base32hex(h, sizeof(h), text, sizeof(text)), NSEC3_B32_LEN);
	CU_ASSERT_STRING_EQUAL(text, "3msev9usmd4br9s97v51r2tdvmr9iqo1");
	/* Every iteration counts. */
	CU_ASSERT_EQUAL(nsec3_hash(NSEC3_ALG_SHA1, owner, NULL, 0, 1, h2), SN_OK);
	CU_ASSERT_NOT_EQUAL(memcmp(h, h2, sizeof(h)), 0);
	/* Limits, bad algorithm, bad name; `out` untouched on error. */
	memset(h2, 0x5a, sizeof(h2));
	memcpy(h, h2, sizeof(h));
	CU_ASSERT_EQUAL(nsec3_hash(2, owner, NULL, 0, 0, h2), SN_ENOTSUP);
	CU_ASSERT_EQUAL(nsec3_hash(NSEC3_ALG_SHA1, owner, NULL, 0, NSEC3_MAX_ITERATIONS + 1, h2),
			SN_ERANGE);
	uint8_t bigsalt[256] = {0};
	CU_ASSERT_EQUAL(nsec3_hash(NSEC3_ALG_SHA1, owner, bigsalt, 256, 0, h2), SN_ERANGE);
	uint8_t bad[DNAME_MAXLEN] = {0x40, 'a'};
	CU_ASSERT_EQUAL(nsec3_hash(NSEC3_ALG_SHA1, bad, NULL, 0, 0, h2), SN_EPARSE);
	CU_ASSERT_EQUAL(memcmp(h, h2, sizeof(h)), 0);
	/* The largest allowed work still completes. */
	CU_ASSERT_EQUAL(nsec3_hash(NSEC3_ALG_SHA1, owner, bigsalt, 255, NSEC3_MAX_ITERATIONS, h2),
			SN_OK);
}

static void
test_sign_base32hex(void)
{
	/* RFC 4648 10 test vectors, unpadded and lower-cased. */
	static const struct {
		const char *in;
		const char *out;
	} v[] = {
		{"", ""}, {"f", "co"}, {"fo", "cpng"}, {"foo", "cpnmu"},
		{"foob", "cpnmuog"}, {"fooba", "cpnmuoj1"}, {"foobar", "cpnmuoj1e8"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char text[32];
		uint8_t back[16];
		size_t bl = 99;
		size_t n = strlen(v[i].in);
		CU_ASSERT_EQUAL(nsec3_base32hex((const uint8_t *)v[i].in, n, text, sizeof(text)),
				(int)strlen(v[i].out));
		CU_ASSERT_STRING_EQUAL(text, v[i].out);
		CU_ASSERT_EQUAL(nsec3_base32hex_decode(v[i].out, strlen(v[i].out), back,
						       sizeof(back), &bl), SN_OK);
		CU_ASSERT_EQUAL(bl, n);
		CU_ASSERT_EQUAL(memcmp(back, v[i].in, n), 0);
	}
	char small[4];
	CU_ASSERT_EQUAL(nsec3_base32hex((const uint8_t *)"foo", 3, small, sizeof(small)),
			SN_ENOSPC);
	uint8_t out[16];
	size_t ol = 77;
	CU_ASSERT_EQUAL(nsec3_base32hex_decode("cpnmuw", 6, out, sizeof(out), &ol), SN_EPARSE);
	CU_ASSERT_EQUAL(nsec3_base32hex_decode("cp!g", 4, out, sizeof(out), &ol), SN_EPARSE);
	CU_ASSERT_EQUAL(nsec3_base32hex_decode("cp", 2, out, sizeof(out), &ol), SN_EPARSE);
	CU_ASSERT_EQUAL(nsec3_base32hex_decode("c", 1, out, sizeof(out), &ol), SN_EPARSE);
	CU_ASSERT_EQUAL(nsec3_base32hex_decode("cpnmuoj1e8", 10, out, 5, &ol), SN_ENOSPC);
	CU_ASSERT_EQUAL(ol, 77);
}

/* RFC 6605 6.1 and 6.2: www.example.net. A 192.0.2.1 signed with P-256 and
 * P-384; RFC 5702 6.1: RSASHA256; RFC 8080 6.1: example.com. MX signed
 * with Ed25519. */
static const struct {
	const char *owner;
	uint16_t type;
	const char *rr;
	const char *key;
	const char *sig;
} SIG_VECS[] = {
	{"www.example.net.", RRTYPE_A, "192.0.2.1", RFC6605_P256_KEY,
	 "A 13 3 3600 20100909100439 20100812100439 55648 example.net. "
	 "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw=="},
	{"www.example.net.", RRTYPE_A, "192.0.2.1", RFC6605_P384_KEY,
	 "A 14 3 3600 20100909102025 20100812102025 10771 example.net. "
	 "/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuzW"
	 "TSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm"},
	/* RFC 5702 6.1 */
	{"www.example.net.", RRTYPE_A, "192.0.2.91",
	 "256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8P"
	 "kxUdp6p/DlUmObdk=",
	 "A 8 3 3600 20300101000000 20000101000000 9033 example.net. kRCOH6u7l0QGy9qpC9"
	 "l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg=="},
	{"example.com.", RRTYPE_MX, "10 mail.example.com.",
	 "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
	 "MX 15 2 3600 20150819220000 20150729220000 3613 example.com. "
	 "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg=="},
};

static void
test_sign_rrsig_verify(void)
{
	for (size_t i = 0; i < sizeof(SIG_VECS) / sizeof(SIG_VECS[0]); i++) {
		uint8_t owner[DNAME_MAXLEN], rd[2][256], key[256], sig[512];
		int rl = parse_rdata(SIG_VECS[i].type, SIG_VECS[i].rr, rd[0], sizeof(rd[0]));
		int kl = parse_rdata(RRTYPE_DNSKEY, SIG_VECS[i].key, key, sizeof(key));
		int sl = parse_rdata(RRTYPE_RRSIG, SIG_VECS[i].sig, sig, sizeof(sig));
		CU_ASSERT_FATAL(rl > 0 && kl > 0 && sl > 0);
		CU_ASSERT_FATAL(name(SIG_VECS[i].owner, owner) > 0);
		const uint8_t *rdp[2] = {rd[0], rd[1]};
		uint16_t rdl[2] = {(uint16_t)rl, (uint16_t)rl};
		rrsig_rrset_t set = {owner, SIG_VECS[i].type, 1, 1, rdp, rdl};
		CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, key, (size_t)kl, &set), SN_OK);

		/* The key tag in the RRSIG is the DNSKEY's. */
		uint16_t tag = 0;
		CU_ASSERT_EQUAL(dnskey_keytag(key, (size_t)kl, &tag), SN_OK);
		CU_ASSERT_EQUAL((sig[16] << 8) | sig[17], tag);

		/* Canonical form: an upper-case owner and a duplicate RR change
		 * nothing (RFC 4034 6.2, 6.3). */
		memcpy(rd[1], rd[0], (size_t)rl);
		set.count = 2;
		owner[1] = (uint8_t)(owner[1] & ~0x20);
		CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, key, (size_t)kl, &set), SN_OK);
		set.count = 1;

		/* Tampering with the data, the signature or the TTL fails. */
		rd[0][1] ^= 1;
		CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, key, (size_t)kl, &set), SN_ECHECK);
		rd[0][1] ^= 1;
		sig[sl - 1] ^= 1;
		CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, key, (size_t)kl, &set), SN_ECHECK);
		sig[sl - 1] ^= 1;
		sig[7] ^= 1;
		CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, key, (size_t)kl, &set), SN_ECHECK);
		sig[7] ^= 1;
		set.rclass = 3;
		CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, key, (size_t)kl, &set), SN_ECHECK);
		set.rclass = 1;
		CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, key, (size_t)kl, &set), SN_OK);

		/* Malformed input is an error, never a crash. */
		CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl - 1, key, (size_t)kl, &set), SN_EPARSE);
		CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, key, (size_t)kl - 1, &set), SN_EPARSE);
		CU_ASSERT_EQUAL(rrsig_verify(sig, 20, key, (size_t)kl, &set), SN_EPARSE);
		set.type = RRTYPE_TXT;
		CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, key, (size_t)kl, &set), SN_EINVAL);
	}
}

static void
test_sign_rrsig_keys(void)
{
	uint8_t owner[DNAME_MAXLEN], a[4] = {192, 0, 2, 91}, key[256], sig[512];
	const uint8_t *rdp[1] = {a};
	uint16_t rdl[1] = {4};
	CU_ASSERT_FATAL(name("www.example.net.", owner) > 0);
	rrsig_rrset_t set = {owner, RRTYPE_A, 1, 1, rdp, rdl};
	int kl = parse_rdata(RRTYPE_DNSKEY, SIG_VECS[2].key, key, sizeof(key));
	int sl = parse_rdata(RRTYPE_RRSIG, SIG_VECS[2].sig, sig, sizeof(sig));
	CU_ASSERT_FATAL(kl > 0 && sl > 0 && key[3] == DNSSEC_ALG_RSASHA256);
	CU_ASSERT_EQUAL_FATAL(rrsig_verify(sig, (size_t)sl, key, (size_t)kl, &set), SN_OK);
	/* RFC 3110 2: an exponent length running past the key. */
	uint8_t k2[256];
	memcpy(k2, key, (size_t)kl);
	k2[4] = 0xff;
	CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, k2, (size_t)kl, &set), SN_EPARSE);
	/* The three-octet length form with a zero length. */
	k2[4] = 0;
	k2[5] = 0;
	k2[6] = 0;
	CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, k2, (size_t)kl, &set), SN_EPARSE);
	/* Not a zone key, or not protocol 3 (RFC 4034 2.1.1, 2.1.2). */
	memcpy(k2, key, (size_t)kl);
	k2[0] = 0;
	CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, k2, (size_t)kl, &set), SN_ECHECK);
	k2[0] = key[0];
	k2[2] = 2;
	CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, k2, (size_t)kl, &set), SN_ECHECK);
	/* The same key said to be another algorithm: the RRSIG's does not match. */
	memcpy(k2, key, (size_t)kl);
	k2[3] = DNSSEC_ALG_RSASHA512;
	CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, k2, (size_t)kl, &set), SN_ECHECK);
	/* RSASHA512 with this key and signature: valid form, wrong hash. */
	sig[2] = DNSSEC_ALG_RSASHA512;
	CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, k2, (size_t)kl, &set), SN_ECHECK);
	/* Algorithms not handled (5, RSASHA1; 253, private). */
	k2[3] = sig[2] = 5;
	CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, k2, (size_t)kl, &set), SN_ENOTSUP);
	k2[3] = sig[2] = 253;
	CU_ASSERT_EQUAL(rrsig_verify(sig, (size_t)sl, k2, (size_t)kl, &set), SN_ENOTSUP);
	/* A P-256 "key" that is not a point on the curve. */
	uint8_t ek[4 + 64] = {1, 1, 3, DNSSEC_ALG_ECDSAP256SHA256};
	memset(ek + 4, 0x11, 64);
	uint8_t esig[512];
	int el = parse_rdata(RRTYPE_RRSIG, SIG_VECS[0].sig, esig, sizeof(esig));
	CU_ASSERT_FATAL(el > 0);
	a[3] = 1;
	CU_ASSERT_EQUAL(rrsig_verify(esig, (size_t)el, ek, sizeof(ek), &set), SN_EPARSE);
}

/* Randomised: the signed data of an RRset does not depend on the order of
 * its RRs or on duplicates, and lists each distinct RR once, in canonical
 * order (RFC 4034 6.3). */
static void
test_sign_rrsig_order_random(void)
{
	unsigned seed = test_seed();
	uint8_t owner[DNAME_MAXLEN], sig[512];
	CU_ASSERT_FATAL(name("r.example.net.", owner) > 0);
	int sl = parse_rdata(RRTYPE_RRSIG, SIG_VECS[0].sig, sig, sizeof(sig));
	CU_ASSERT_FATAL(sl > 0);
	sig[3] = 3;
	for (unsigned round = 0; round < 200; round++) {
		enum { MAXN = 24 };
		uint8_t rd[MAXN][4];
		const uint8_t *p1[MAXN], *p2[MAXN];
		uint16_t l1[MAXN], l2[MAXN];
		size_t n = 1 + (size_t)(rand_r(&seed) % MAXN), distinct = 0;
		for (size_t i = 0; i < n; i++) {
			/* Few values, so duplicates are common. */
			uint32_t v = (uint32_t)rand_r(&seed) % 8;
			memcpy(rd[i], (uint8_t[4]){192, 0, (uint8_t)(v >> 1), (uint8_t)(v & 1)}, 4);
			p1[i] = rd[i];
			l1[i] = l2[i] = 4;
		}
		for (size_t i = 0; i < n; i++) {
			int dup = 0;
			for (size_t j = 0; j < i; j++) {
				dup |= memcmp(rd[i], rd[j], 4) == 0;
			}
			distinct += !dup;
		}
		memcpy(p2, p1, sizeof(p1));
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = (size_t)rand_r(&seed) % (i + 1);
			const uint8_t *x = p2[i];
			p2[i] = p2[j];
			p2[j] = x;
		}
		uint8_t d1[2048], d2[2048];
		size_t n1 = 0, n2 = 0;
		rrsig_rrset_t s1 = {owner, RRTYPE_A, 1, n, p1, l1};
		rrsig_rrset_t s2 = {owner, RRTYPE_A, 1, n, p2, l2};
		CU_ASSERT_EQUAL_FATAL(rrsig_signed_data(sig, (size_t)sl, &s1, d1, sizeof(d1), &n1),
				      SN_OK);
		CU_ASSERT_EQUAL_FATAL(rrsig_signed_data(sig, (size_t)sl, &s2, d2, sizeof(d2), &n2),
				      SN_OK);
		CU_ASSERT_EQUAL_FATAL(n1, n2);
		CU_ASSERT_EQUAL(memcmp(d1, d2, n1), 0);
		size_t hdr = RRSIG_FIXEDLEN + 13, rr = 15 + 10 + 4;
		CU_ASSERT_EQUAL_FATAL(n1, hdr + distinct * rr);
		for (size_t i = 1; i < distinct; i++) {
			CU_ASSERT(memcmp(d1 + hdr + (i - 1) * rr + 25, d1 + hdr + i * rr + 25, 4) < 0);
		}
	}
}

static void
test_sign_rrsig_signed_data(void)
{
	uint8_t owner[DNAME_MAXLEN], sig[512], a1[4] = {192, 0, 2, 2}, a2[4] = {192, 0, 2, 1};
	uint8_t data[1024], want_owner[DNAME_MAXLEN];
	size_t dlen = 0;
	/* A wildcard expansion: labels 2 < 3 labels of the owner, so the
	 * owner is signed as *.example.net. (RFC 4035 5.3.2). */
	int sl = parse_rdata(RRTYPE_RRSIG,
			     "A 13 2 300 20100909100439 20100812100439 55648 EXAMPLE.net. "
			     "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus"
			     "7ZwmwWep666VCw==", sig, sizeof(sig));
	CU_ASSERT_FATAL(sl > 0);
	CU_ASSERT_FATAL(name("Foo.Example.NET.", owner) > 0);
	int wl = name("*.example.net.", want_owner);
	CU_ASSERT_FATAL(wl > 0);
	const uint8_t *rdp[2] = {a1, a2};
	uint16_t rdl[2] = {4, 4};
	rrsig_rrset_t set = {owner, RRTYPE_A, 1, 2, rdp, rdl};
	CU_ASSERT_EQUAL_FATAL(rrsig_signed_data(sig, (size_t)sl, &set, data, sizeof(data), &dlen),
			      SN_OK);
	size_t hdr = RRSIG_FIXEDLEN + 13; /* signer example.net. is 13 octets */
	size_t rr = (size_t)wl + 10 + 4;
	CU_ASSERT_EQUAL_FATAL(dlen, hdr + 2 * rr);
	CU_ASSERT_EQUAL(memcmp(data, sig, RRSIG_FIXEDLEN), 0);
	CU_ASSERT_EQUAL(memcmp(data + RRSIG_FIXEDLEN, "\007example\003net", 13), 0);
	for (size_t i = 0; i < 2; i++) {
		const uint8_t *p = data + hdr + i * rr;
		CU_ASSERT_EQUAL(memcmp(p, want_owner, (size_t)wl), 0);
		p += wl;
		CU_ASSERT_EQUAL(memcmp(p, "\000\001\000\001\000\000\001\054\000\004", 10), 0);
		/* Sorted: 192.0.2.1 before 192.0.2.2. */
		CU_ASSERT_EQUAL(p[13], i + 1);
	}
	CU_ASSERT_EQUAL(rrsig_signed_data(sig, (size_t)sl, &set, data, dlen - 1, &dlen),
			SN_ENOSPC);
	/* Labels over the owner's count is malformed. */
	sig[3] = 4;
	CU_ASSERT_EQUAL(rrsig_signed_data(sig, (size_t)sl, &set, data, sizeof(data), &dlen),
			SN_EPARSE);
	/* Bad RDATA for the type. */
	sig[3] = 2;
	rdl[1] = 3;
	CU_ASSERT_EQUAL(rrsig_signed_data(sig, (size_t)sl, &set, data, sizeof(data), &dlen),
			SN_EPARSE);
}

/* example.org. signed by BIND 9.18 `dnssec-signzone -3 aabb -H 3 -A` with one
 * ECDSAP256SHA256 KSK and ZSK: the oracle for RRSIG verification and NSEC3
 * hashing on RRsets of several RRs, mixed case, a wildcard and empty
 * non-terminals. Its KSK's DS, from `dnssec-dsfromkey -2`, is below. */
static const char BIND_SIGNED[] =
	"example.org.  300 IN SOA ns1.example.org. hostmaster.example.org. (\n"
	"     1          ; serial\n"
	"     3600       ; refresh (1 hour)\n"
	"     900        ; retry (15 minutes)\n"
	"     604800     ; expire (1 week)\n"
	"     300        ; minimum (5 minutes)\n"
	"     )\n"
	"   300 RRSIG SOA 13 2 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     tm2Fmvd45F0TK05+ODrVmR1P9adCs9UZs2op\n"
	"     bBUbx0CT6/PPpW5KkITTA5RmBGNwPdvdMBg8\n"
	"     5h0SF/hRi/MhUQ== )\n"
	"   300 NS ns1.example.org.\n"
	"   300 RRSIG NS 13 2 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     kTLxIk+AuF0dAV8Gmkc/qnoJHO3ekYdqR7Fl\n"
	"     l8eI46N2fAllybdzGKCcgeb1xYpUQvTzL2os\n"
	"     w9nnGrHe/VSf+g== )\n"
	"   300 MX 10 Mail.example.org.\n"
	"   300 RRSIG MX 13 2 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     iewNHRoMwhwffD33QV3IlY7lS3Tdj63RV9OM\n"
	"     wHNP6IBm83vw9AIuuU4a7rdl20b8tdjlCElo\n"
	"     vgX185wFsPbi2g== )\n"
	"   300 DNSKEY 256 3 13 (\n"
	"     YmVFjJH6o49V3AE08g4ZykKMl8ZeGubTak0T\n"
	"     6xa4ONhU5NjMc235uJxIf+fqdXj7Ju4P2mAp\n"
	"     72sgmbLOy3yxuA==\n"
	"     ) ; ZSK; alg = ECDSAP256SHA256 ; key id = 8944\n"
	"   300 DNSKEY 257 3 13 (\n"
	"     Y8g11QjyzHH2baBxgmXymJ5F67dmBDygxQ+K\n"
	"     NXiHH61yVbOEEXUzdpE8TOh4wiOqHhHVspwN\n"
	"     euMy5MGi4Br3Ow==\n"
	"     ) ; KSK; alg = ECDSAP256SHA256 ; key id = 20211\n"
	"   300 RRSIG DNSKEY 13 2 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     lwwpi8KXYgE5XAglkPDLEXCKSY2rN4IQc6rh\n"
	"     dwLGXWnn7XQeRiw5UPEI9pQMiNS/Y0dfQ42r\n"
	"     hfioBUFPx54qnw== )\n"
	"   300 RRSIG DNSKEY 13 2 300 (\n"
	"     20261227221835 20261127221835 20211 example.org.\n"
	"     mQtlMYal7z2sPAbyVwsVcE1J7MfubM2D+8gF\n"
	"     BMbb4VZlTWWaZgB4DtWsmLv8Ve16R0JH1Sdt\n"
	"     pMf+M5nLHzUxUw== )\n"
	"   0 NSEC3PARAM 1 0 3 AABB\n"
	"   0 RRSIG NSEC3PARAM 13 2 0 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     DoBEkJuk+0TFeSc/kD6uu3t0YxFHPeaAINHp\n"
	"     deZ2fj+CDheLvN/lpWCs3u53koD9bsFoP8EL\n"
	"     u4kbzZOHZBoxCA== )\n"
	"sub.example.org. 300 IN NS ns.sub.example.org.\n"
	"ns.sub.example.org. 300 IN A 192.0.2.99\n"
	"ns1.example.org. 300 IN A 192.0.2.53\n"
	"   300 RRSIG A 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     3ZOCdlhBLhkEOh2H7SmnQa3qTqjBgebD7WtA\n"
	"     PnbK0NYkxynrpXwiG2MEbvuRxALd2j2JMLcz\n"
	"     IV+io0onJaJdZw== )\n"
	"a.b.c.example.org. 300 IN TXT \"ent below\"\n"
	"   300 RRSIG TXT 13 5 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     jOhfNmaIVkkRCX4WZEjdDXfYes9HfOocHn4x\n"
	"     Pp6nNDEHfbV0wCtVBh2sPNrkSCTTxdVBL7xe\n"
	"     nDQByVPrHpcSSQ== )\n"
	"17USFB4VT7E87EK2BEAM18AMEQ0MPDQL.example.org. 300 IN NSEC3 1 1 3 AABB (\n"
	"     2FJF45II4AUF8LRN1GCDMNMFTFPI237U\n"
	"     A AAAA RRSIG )\n"
	"   300 RRSIG NSEC3 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     ZqYFJ+Xk/1E6ttJe1IYEuKx9NzXme/W3Kvgx\n"
	"     V+Qas7ilMNOHtdK65NBSV/CarSh8lBv18Te3\n"
	"     4JJKMUHzhFLOKg== )\n"
	"*.wild.example.org. 300 IN TXT \"wildcard\"\n"
	"   300 RRSIG TXT 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     CNL0DKANWgG1BaCdh4iwE4dq63AuyWCGJMT8\n"
	"     a9em1RLgHlQK+lcy3DIo7eHGZPd2sDVUuWyg\n"
	"     VjLJLxe0U+mesw== )\n"
	"www.example.org. 300 IN A 192.0.2.1\n"
	"   300 IN A 192.0.2.2\n"
	"   300 RRSIG A 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     5mHmOJcJ+7G1eYCd9M9nzO4zDX3FFG+1NRVb\n"
	"     HdorcOvHvoO0Yx4U7O5Mq6+TPj4yd0yDo1hD\n"
	"     8I0w7eW0DJ1Isg== )\n"
	"   300 AAAA 2001:db8::1\n"
	"   300 RRSIG AAAA 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     sR9ENYDIAG/NmGBOoLA14Dqj9gd+pfm+RfCb\n"
	"     KY1HnIA05qnA8Yfb2QnWEukEIfOz4PSsTFPw\n"
	"     2VVJHeV7yu2iaA== )\n"
	"2FJF45II4AUF8LRN1GCDMNMFTFPI237U.example.org. 300 IN NSEC3 1 1 3 AABB (\n"
	"     2MFRJ2JJR0VAQMK5KV528UOI4S97Q8TS )\n"
	"   300 RRSIG NSEC3 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     cf8YevUDOG3tEtzbNAYFS/QL+o7HJu5TrZ0b\n"
	"     NXQHJTaDiXBJvVNiRkPTT4IX5C4ntC1iEnKw\n"
	"     8iN47WuL1tXzAg== )\n"
	"2MFRJ2JJR0VAQMK5KV528UOI4S97Q8TS.example.org. 300 IN NSEC3 1 1 3 AABB (\n"
	"     6D6786BN54GB30UJD3RGOQA276DQOGJ2\n"
	"     NS SOA MX RRSIG DNSKEY NSEC3PARAM )\n"
	"   300 RRSIG NSEC3 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     kkh9GugvfjUsf5lt3OmwE8dZi2QAueyFu+bf\n"
	"     KYFnIMMprcMe2kdYLC+5FxexyLhqtI/eS0i3\n"
	"     +/fRygRLnuHRJg== )\n"
	"6D6786BN54GB30UJD3RGOQA276DQOGJ2.example.org. 300 IN NSEC3 1 1 3 AABB (\n"
	"     FAV13HNBRLPMCI17UT2NOOAAKL0EA7KF )\n"
	"   300 RRSIG NSEC3 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     CaVzTCaY5CXx0q6EfsTnvYC5IP7AghGKnJOE\n"
	"     ul1jmO6d/E9XaDUl0dxyr1z7VVb6s+/qGsko\n"
	"     hPmCaNPYUj4Cxw== )\n"
	"MNTTLF547A8VLKMFR8ELU0K0QC1KIHN3.example.org. 300 IN NSEC3 1 1 3 AABB (\n"
	"     Q7JLOP80C4FTEKMG1KMM3PHFS55B1NSA )\n"
	"   300 RRSIG NSEC3 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     Skij6EeejnF9SjsY9nXcOQ3Ezc48maPaGO+P\n"
	"     3IWDFeNvy50VwjBm7912Wl+zSJ04AjMTFqnY\n"
	"     aNS//4axRf+kwg== )\n"
	"FAV13HNBRLPMCI17UT2NOOAAKL0EA7KF.example.org. 300 IN NSEC3 1 1 3 AABB (\n"
	"     MNTTLF547A8VLKMFR8ELU0K0QC1KIHN3\n"
	"     A RRSIG )\n"
	"   300 RRSIG NSEC3 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     63Y9U4Z4gb1nH6gZ3X4wU3d3iWC5okIDvtGX\n"
	"     Z46NSRjAAtYPAmBNke4NVZ83CzEXvxh4MDTf\n"
	"     +/PACioKOnPd3A== )\n"
	"Q7JLOP80C4FTEKMG1KMM3PHFS55B1NSA.example.org. 300 IN NSEC3 1 1 3 AABB (\n"
	"     VJ3FC9I8AIG9M2EJBC07FDN76O3C8FFP\n"
	"     TXT RRSIG )\n"
	"   300 RRSIG NSEC3 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     e/OipNBYWyT9uO3cds2JNCZ4cQPtkqBfLDXJ\n"
	"     RWuAXp7VGGnKjOYubfvPxyub562/gcHty8gs\n"
	"     CBksTGMh0wgmsg== )\n"
	"VJ3FC9I8AIG9M2EJBC07FDN76O3C8FFP.example.org. 300 IN NSEC3 1 1 3 AABB (\n"
	"     17USFB4VT7E87EK2BEAM18AMEQ0MPDQL\n"
	"     TXT RRSIG )\n"
	"   300 RRSIG NSEC3 13 3 300 (\n"
	"     20261227221835 20261127221835 8944 example.org.\n"
	"     6sEY55eXlH44GdOmpkY0Ry/+thTCCRyHUPJb\n"
	"     ZjPjD49vUUUjtUIBXuEx8ied4zsVw+viEBm4\n"
	"     aAvPy/8J1oGwdw== )\n"
	"\n";
static const char BIND_KSK_DS[] =
	"20211 13 2 A107F14659595E515DBCCB18E8B77C5678C89B3F8527B36C21B7E105F6341954";

#define ORACLE_MAXRR 128

struct oracle_rr {
	uint8_t owner[DNAME_MAXLEN];
	uint16_t type;
	uint16_t rclass;
	uint16_t rdlen;
	uint8_t rdata[512];
};

struct oracle {
	size_t n;
	struct oracle_rr rr[ORACLE_MAXRR];
};

static int
oracle_keep(void *ctx, const zfile_rr_t *rr)
{
	struct oracle *o = ctx;
	if (o->n >= ORACLE_MAXRR || rr->rdlen > sizeof(o->rr[0].rdata)) {
		return SN_ERANGE;
	}
	struct oracle_rr *k = &o->rr[o->n++];
	size_t ol = 0;
	if (dname_check(rr->owner, DNAME_MAXLEN, &ol) != SN_OK) {
		return SN_EPARSE;
	}
	memcpy(k->owner, rr->owner, ol);
	k->type = rr->type;
	k->rclass = rr->rclass;
	k->rdlen = rr->rdlen;
	memcpy(k->rdata, rr->rdata, rr->rdlen);
	return SN_OK;
}

static void
test_sign_bind_oracle(void)
{
	static struct oracle o;
	uint8_t origin[DNAME_MAXLEN];
	CU_ASSERT_FATAL(name("example.org.", origin) > 0);
	memset(&o, 0, sizeof(o));
	zfile_opts_t opts = {.origin = origin, .on_rr = oracle_keep, .ctx = &o};
	CU_ASSERT_EQUAL_FATAL(zfile_parse_mem("bind-signed", BIND_SIGNED, sizeof(BIND_SIGNED) - 1,
					      &opts, NULL), SN_OK);

	/* Every RRSIG verifies with the DNSKEY its key tag names. */
	unsigned sigs = 0, good = 0;
	for (size_t i = 0; i < o.n; i++) {
		const struct oracle_rr *s = &o.rr[i];
		if (s->type != RRTYPE_RRSIG) {
			continue;
		}
		sigs++;
		const uint8_t *rdp[ORACLE_MAXRR];
		uint16_t rdl[ORACLE_MAXRR];
		uint16_t covered = (uint16_t)((s->rdata[0] << 8) | s->rdata[1]);
		rrsig_rrset_t set = {s->owner, covered, s->rclass, 0, rdp, rdl};
		const struct oracle_rr *key = NULL;
		for (size_t j = 0; j < o.n; j++) {
			const struct oracle_rr *r = &o.rr[j];
			uint16_t tag = 0;
			if (r->type == covered && dname_is_equal(r->owner, s->owner)) {
				rdp[set.count] = r->rdata;
				rdl[set.count++] = r->rdlen;
			}
			if (r->type == RRTYPE_DNSKEY &&
			    dnskey_keytag(r->rdata, r->rdlen, &tag) == SN_OK &&
			    tag == ((s->rdata[16] << 8) | s->rdata[17])) {
				key = r;
			}
		}
		CU_ASSERT_FATAL(key != NULL && set.count > 0);
		int rc = rrsig_verify(s->rdata, s->rdlen, key->rdata, key->rdlen, &set);
		CU_ASSERT_EQUAL(rc, SN_OK);
		good += rc == SN_OK;
		/* One RR fewer no longer verifies. */
		if (set.count > 1) {
			set.count--;
			CU_ASSERT_EQUAL(rrsig_verify(s->rdata, s->rdlen, key->rdata, key->rdlen,
						     &set), SN_ECHECK);
		}
	}
	CU_ASSERT_EQUAL(sigs, 19); /* grep -c of RRSIG records in the file */
	CU_ASSERT_EQUAL(good, sigs);

	/* Every name that must be in the NSEC3 chain (owners of authoritative
	 * data, the wildcard and the empty non-terminals) has its hash there,
	 * with the NSEC3PARAM's salt and iterations. */
	const struct oracle_rr *param = NULL;
	for (size_t i = 0; i < o.n; i++) {
		if (o.rr[i].type == RRTYPE_NSEC3PARAM) {
			param = &o.rr[i];
		}
	}
	CU_ASSERT_FATAL(param != NULL && param->rdlen >= 5);
	uint16_t iter = (uint16_t)((param->rdata[2] << 8) | param->rdata[3]);
	CU_ASSERT_EQUAL(iter, 3);
	const char *names[] = {
		"example.org.", "ns1.example.org.", "www.example.org.", "*.wild.example.org.",
		"wild.example.org.", "a.b.c.example.org.", "b.c.example.org.", "c.example.org.",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t n[DNAME_MAXLEN], h[NSEC3_HASH_LEN];
		char label[NSEC3_B32_LEN + 1];
		CU_ASSERT_FATAL(name(names[i], n) > 0);
		CU_ASSERT_EQUAL_FATAL(nsec3_hash(param->rdata[0], n, param->rdata + 5,
						 param->rdata[4], iter, h), SN_OK);
		CU_ASSERT_EQUAL(nsec3_base32hex(h, sizeof(h), label, sizeof(label)), NSEC3_B32_LEN);
		int found = 0;
		for (size_t j = 0; j < o.n; j++) {
			const uint8_t *ow = o.rr[j].owner;
			if (o.rr[j].type == RRTYPE_NSEC3 && ow[0] == NSEC3_B32_LEN &&
			    strncasecmp((const char *)ow + 1, label, NSEC3_B32_LEN) == 0) {
				found = 1;
			}
		}
		CU_ASSERT(found);
	}

	/* The KSK's DS is the one dnssec-dsfromkey printed. */
	uint8_t ds[DS_RDATA_MAXLEN], want[DS_DIGEST_MAXLEN];
	size_t dslen = 0;
	int matched = 0;
	int wl = unhex(BIND_KSK_DS + strlen("20211 13 2 "), want, sizeof(want));
	CU_ASSERT_FATAL(wl == 32);
	for (size_t i = 0; i < o.n; i++) {
		const struct oracle_rr *r = &o.rr[i];
		if (r->type != RRTYPE_DNSKEY || r->rdata[1] != 1) {
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(dnskey_ds_rdata(r->owner, r->rdata, r->rdlen,
						      DS_DIGEST_SHA256, ds, sizeof(ds), &dslen),
				      SN_OK);
		CU_ASSERT_EQUAL((ds[0] << 8) | ds[1], 20211);
		CU_ASSERT_EQUAL(ds[2], 13);
		CU_ASSERT_EQUAL(memcmp(ds + 4, want, 32), 0);
		matched++;
	}
	CU_ASSERT_EQUAL(matched, 1);
}

/* ---- Key pairs and RRSIG creation ---- */

static const uint8_t ALL_ALGS[] = {DNSSEC_ALG_RSASHA256, DNSSEC_ALG_RSASHA512,
				   DNSSEC_ALG_ECDSAP256SHA256, DNSSEC_ALG_ECDSAP384SHA384,
				   DNSSEC_ALG_ED25519, DNSSEC_ALG_ED448};

/* Standard base64 to bytes with OpenSSL's decoder; returns the length or -1. */
static int
unb64(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s);
	if (n % 4 != 0 || n / 4 * 3 > cap) {
		return -1;
	}
	int len = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (len < 0) {
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as data. */
	for (size_t i = n; i > 0 && s[i - 1] == '='; i--) {
		len--;
	}
	return len;
}

/* A key of `alg` for tests: RSA at 1024 bits to keep the suite quick. */
static keypair_t *
test_key(uint8_t alg, uint16_t flags)
{
	keypair_t *k = NULL;
	bool rsa = alg == DNSSEC_ALG_RSASHA256 || alg == DNSSEC_ALG_RSASHA512;
	if (keypair_generate(alg, rsa ? 1024 : 0, flags, &k) != SN_OK) {
		return NULL;
	}
	return k;
}

static void
test_sign_keypair_generate(void)
{
	unsigned seed = test_seed();
	for (size_t i = 0; i < sizeof(ALL_ALGS); i++) {
		uint8_t alg = ALL_ALGS[i];
		keypair_t *k = test_key(alg, KEYPAIR_FLAGS_KSK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		CU_ASSERT_EQUAL(keypair_alg(k), alg);
		CU_ASSERT_EQUAL(keypair_flags(k), KEYPAIR_FLAGS_KSK);
		CU_ASSERT(keypair_has_private(k));
		const uint8_t *rd = keypair_dnskey(k);
		size_t rl = keypair_dnskey_len(k);
		CU_ASSERT_FATAL(rl > DNSKEY_HDRLEN);
		CU_ASSERT_EQUAL(rd[0], 1);
		CU_ASSERT_EQUAL(rd[1], 1);
		CU_ASSERT_EQUAL(rd[2], 3);
		CU_ASSERT_EQUAL(rd[3], alg);
		/* The zone parser accepts it as DNSKEY RDATA. */
		CU_ASSERT_EQUAL(rdata_check(RRTYPE_DNSKEY, rd, rl), SN_OK);
		uint16_t tag = 0;
		CU_ASSERT_EQUAL(dnskey_keytag(rd, rl, &tag), SN_OK);
		CU_ASSERT_EQUAL(keypair_tag(k), tag);
		/* Public key lengths of RFC 6605 4, RFC 8080 3, and RFC 3110
		 * with F4 (one-octet exponent length, 3 octets, 128 of modulus). */
		size_t want[] = {1 + 3 + 128, 1 + 3 + 128, 64, 96, 32, 57};
		size_t wsig[] = {128, 128, 64, 96, 64, 114};
		CU_ASSERT_EQUAL(rl - DNSKEY_HDRLEN, want[i]);
		CU_ASSERT_EQUAL(keypair_sig_maxlen(k), wsig[i]);

		uint8_t data[300], sig[KEYPAIR_SIG_MAXLEN];
		size_t dl = (size_t)rand_r(&seed) % sizeof(data), sl = 0;
		for (size_t j = 0; j < dl; j++) {
			data[j] = (uint8_t)rand_r(&seed);
		}
		CU_ASSERT_EQUAL_FATAL(keypair_sign(k, data, dl, sig, sizeof(sig), &sl), SN_OK);
		CU_ASSERT_EQUAL(sl, wsig[i]);
		CU_ASSERT_EQUAL(keypair_verify(k, data, dl, sig, sl), SN_OK);
		/* Too small a buffer: refused, *sig_len untouched. */
		size_t sl2 = 7;
		CU_ASSERT_EQUAL(keypair_sign(k, data, dl, sig, wsig[i] - 1, &sl2), SN_ENOSPC);
		CU_ASSERT_EQUAL(sl2, 7);

		/* The public half read back from the DNSKEY verifies the same
		 * signature and cannot sign. */
		keypair_t *pub = NULL;
		CU_ASSERT_EQUAL_FATAL(keypair_from_dnskey(rd, rl, &pub), SN_OK);
		CU_ASSERT(!keypair_has_private(pub));
		CU_ASSERT_EQUAL(keypair_tag(pub), tag);
		CU_ASSERT_EQUAL(keypair_dnskey_len(pub), rl);
		CU_ASSERT_EQUAL(memcmp(keypair_dnskey(pub), rd, rl), 0);
		CU_ASSERT_EQUAL(keypair_verify(pub, data, dl, sig, sl), SN_OK);
		CU_ASSERT_EQUAL(keypair_sign(pub, data, dl, sig, sizeof(sig), &sl2), SN_EINVAL);
		/* A flipped bit in the data or the signature fails. */
		data[dl / 2] ^= dl > 0 ? 0x10 : 0;
		sig[sl / 2] ^= dl > 0 ? 0 : 0x10;
		CU_ASSERT_EQUAL(keypair_verify(pub, data, dl, sig, sl), SN_ECHECK);
		CU_ASSERT_EQUAL(keypair_verify(pub, data, dl, sig, sl - 1), SN_EPARSE);
		keypair_free(pub);

		/* Another key of the same algorithm is another key. */
		keypair_t *k2 = test_key(alg, KEYPAIR_FLAGS_ZSK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k2);
		CU_ASSERT_EQUAL(keypair_flags(k2), KEYPAIR_FLAGS_ZSK);
		CU_ASSERT_EQUAL(keypair_dnskey(k2)[1], 0);
		CU_ASSERT(memcmp(keypair_dnskey(k2) + 4, rd + 4, rl - 4) != 0);
		keypair_free(k2);
		keypair_free(k);
	}
	/* The default RSA size is 2048 bits. */
	keypair_t *k = NULL;
	CU_ASSERT_EQUAL_FATAL(keypair_generate(DNSSEC_ALG_RSASHA256, 0, 256, &k), SN_OK);
	CU_ASSERT_EQUAL(keypair_sig_maxlen(k), 256);
	keypair_free(k);

	/* Refusals leave *out alone. */
	k = (keypair_t *)&seed;
	CU_ASSERT_EQUAL(keypair_generate(5, 0, 256, &k), SN_ENOTSUP);
	CU_ASSERT_EQUAL(keypair_generate(253, 0, 256, &k), SN_ENOTSUP);
	CU_ASSERT_EQUAL(keypair_generate(DNSSEC_ALG_ED25519, 0, 0, &k), SN_EINVAL);
	CU_ASSERT_EQUAL(keypair_generate(DNSSEC_ALG_ED25519, 0, 257 | 0x8000, &k), SN_EINVAL);
	CU_ASSERT_EQUAL(keypair_generate(DNSSEC_ALG_ED25519, 256, 256, &k), SN_ERANGE);
	CU_ASSERT_EQUAL(keypair_generate(DNSSEC_ALG_RSASHA256, 512, 256, &k), SN_ERANGE);
	CU_ASSERT_EQUAL(keypair_generate(DNSSEC_ALG_RSASHA512, 8192, 256, &k), SN_ERANGE);
	CU_ASSERT_PTR_EQUAL(k, (keypair_t *)&seed);
	keypair_free(NULL);
}

/* A random RRset of a random type at a random owner below example.org. */
struct rand_set {
	uint8_t owner[DNAME_MAXLEN];
	uint8_t rd[16][64];
	const uint8_t *rdp[16];
	uint16_t rdl[16];
	rrsig_rrset_t set;
};

static void
rand_set(struct rand_set *r, unsigned *seed)
{
	static const char *const owners[] = {"example.org.", "WWW.Example.ORG.",
					     "*.example.org.", "*.Sub.example.org.",
					     "a.b.c.d.example.org."};
	static const uint16_t types[] = {RRTYPE_A, RRTYPE_MX, RRTYPE_TXT, RRTYPE_NS};
	CU_ASSERT_FATAL(name(owners[rand_r(seed) % 5], r->owner) > 0);
	uint16_t type = types[rand_r(seed) % 4];
	size_t n = 1 + (size_t)rand_r(seed) % 16;
	for (size_t i = 0; i < n; i++) {
		char text[64];
		unsigned v = (unsigned)rand_r(seed) % 64;
		switch (type) {
		case RRTYPE_A:
			snprintf(text, sizeof(text), "192.0.2.%u", v);
			break;
		case RRTYPE_MX:
			snprintf(text, sizeof(text), "%u Mail%u.Example.org.", v % 3, v);
			break;
		case RRTYPE_TXT:
			snprintf(text, sizeof(text), "text-%u-%u", v, (unsigned)rand_r(seed));
			break;
		default:
			snprintf(text, sizeof(text), "NS%u.example.NET.", v);
			break;
		}
		int len = parse_rdata(type, text, r->rd[i], sizeof(r->rd[i]));
		CU_ASSERT_FATAL(len > 0);
		r->rdp[i] = r->rd[i];
		r->rdl[i] = (uint16_t)len;
	}
	r->set = (rrsig_rrset_t){r->owner, type, 1, n, r->rdp, r->rdl};
}

static void
test_sign_rrsig_sign_random(void)
{
	unsigned seed = test_seed();
	uint8_t signer[DNAME_MAXLEN], lsigner[DNAME_MAXLEN];
	CU_ASSERT_FATAL(name("Example.ORG.", signer) > 0);
	CU_ASSERT_FATAL(name("example.org.", lsigner) > 0);
	for (size_t i = 0; i < sizeof(ALL_ALGS); i++) {
		keypair_t *k = test_key(ALL_ALGS[i], KEYPAIR_FLAGS_ZSK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		for (unsigned round = 0; round < 20; round++) {
			struct rand_set r;
			rand_set(&r, &seed);
			uint8_t scratch[8192], out[RRSIG_RDATA_MAXLEN];
			size_t ol = 0;
			uint32_t inc = (uint32_t)rand_r(&seed), exp = inc + 86400 * 14;
			uint32_t ttl = (uint32_t)rand_r(&seed) % 86400;
			CU_ASSERT_FATAL(rrsig_sign_scratch_len(&r.set) <= sizeof(scratch));
			CU_ASSERT_EQUAL_FATAL(rrsig_sign(k, &r.set, signer, ttl, inc, exp, scratch,
							 sizeof(scratch), out, sizeof(out), &ol),
					      SN_OK);
			/* The fields of RFC 4034 3.1. */
			CU_ASSERT_EQUAL((out[0] << 8) | out[1], r.set.type);
			CU_ASSERT_EQUAL(out[2], ALL_ALGS[i]);
			unsigned labels = dname_label_count(r.owner);
			CU_ASSERT_EQUAL(out[3], dname_is_wildcard(r.owner) ? labels - 1 : labels);
			uint32_t f[3];
			for (int j = 0; j < 3; j++) {
				const uint8_t *p = out + 4 + 4 * j;
				f[j] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
				       (uint32_t)p[2] << 8 | p[3];
			}
			CU_ASSERT_EQUAL(f[0], ttl);
			CU_ASSERT_EQUAL(f[1], exp);
			CU_ASSERT_EQUAL(f[2], inc);
			CU_ASSERT_EQUAL((out[16] << 8) | out[17], keypair_tag(k));
			CU_ASSERT_EQUAL(memcmp(out + RRSIG_FIXEDLEN, lsigner, 13), 0);
			CU_ASSERT_EQUAL(ol, RRSIG_FIXEDLEN + 13 + keypair_sig_maxlen(k));
			CU_ASSERT_EQUAL(rdata_check(RRTYPE_RRSIG, out, ol), SN_OK);

			/* The verifier built on the DNSKEY RDATA accepts it... */
			CU_ASSERT_EQUAL(rrsig_verify(out, ol, keypair_dnskey(k),
						     keypair_dnskey_len(k), &r.set), SN_OK);
			CU_ASSERT_EQUAL(rrsig_verify_key(out, ol, k, &r.set), SN_OK);
			/* ...and refuses it for the same RDATA in another class. */
			r.set.rclass = 3;
			CU_ASSERT_EQUAL(rrsig_verify(out, ol, keypair_dnskey(k),
						     keypair_dnskey_len(k), &r.set), SN_ECHECK);
			r.set.rclass = 1;
			/* ...and once the TTL in the RRSIG changed. */
			out[7] ^= 1;
			CU_ASSERT_EQUAL(rrsig_verify_key(out, ol, k, &r.set), SN_ECHECK);
			out[7] ^= 1;

			/* Short buffers: SN_ENOSPC, *out_len untouched. */
			size_t keep = ol;
			CU_ASSERT_EQUAL(rrsig_sign(k, &r.set, signer, ttl, inc, exp, scratch, 40,
						   out, sizeof(out), &ol), SN_ENOSPC);
			CU_ASSERT_EQUAL(rrsig_sign(k, &r.set, signer, ttl, inc, exp, scratch,
						   sizeof(scratch), out, keep - 1, &ol),
					SN_ENOSPC);
			CU_ASSERT_EQUAL(ol, keep);
		}
		keypair_free(k);
	}
}

static void
test_sign_rrsig_sign_errors(void)
{
	uint8_t owner[DNAME_MAXLEN], signer[DNAME_MAXLEN], a[4] = {192, 0, 2, 1};
	uint8_t scratch[2048], out[RRSIG_RDATA_MAXLEN];
	size_t ol = 99;
	CU_ASSERT_FATAL(name("www.example.org.", owner) > 0);
	CU_ASSERT_FATAL(name("example.org.", signer) > 0);
	const uint8_t *rdp[1] = {a};
	uint16_t rdl[1] = {4};
	rrsig_rrset_t set = {owner, RRTYPE_A, 1, 1, rdp, rdl};
	keypair_t *k = test_key(DNSSEC_ALG_ECDSAP256SHA256, 256);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	keypair_t *pub = NULL;
	CU_ASSERT_EQUAL_FATAL(keypair_from_dnskey(keypair_dnskey(k), keypair_dnskey_len(k), &pub),
			      SN_OK);
	/* Public-only key, empty set, RRSIG set, inverted validity. */
	CU_ASSERT_EQUAL(rrsig_sign(pub, &set, signer, 300, 10, 20, scratch, sizeof(scratch), out,
				   sizeof(out), &ol), SN_EINVAL);
	set.count = 0;
	CU_ASSERT_EQUAL(rrsig_sign(k, &set, signer, 300, 10, 20, scratch, sizeof(scratch), out,
				   sizeof(out), &ol), SN_EINVAL);
	set.count = 1;
	set.type = RRTYPE_RRSIG;
	CU_ASSERT_EQUAL(rrsig_sign(k, &set, signer, 300, 10, 20, scratch, sizeof(scratch), out,
				   sizeof(out), &ol), SN_EINVAL);
	set.type = RRTYPE_A;
	CU_ASSERT_EQUAL(rrsig_sign(k, &set, signer, 300, 20, 20, scratch, sizeof(scratch), out,
				   sizeof(out), &ol), SN_EINVAL);
	CU_ASSERT_EQUAL(rrsig_sign(k, &set, signer, 300, 20, 10, scratch, sizeof(scratch), out,
				   sizeof(out), &ol), SN_EINVAL);
	/* Serial arithmetic: a validity across the 2^32 wrap is fine. */
	CU_ASSERT_EQUAL(rrsig_sign(k, &set, signer, 300, 0xfffff000u, 0x1000, scratch,
				   sizeof(scratch), out, sizeof(out), &ol), SN_OK);
	CU_ASSERT_EQUAL(rrsig_verify_key(out, ol, pub, &set), SN_OK);
	/* Malformed RDATA (an A of 3 octets) and a malformed signer name. */
	rdl[0] = 3;
	ol = 99;
	CU_ASSERT_EQUAL(rrsig_sign(k, &set, signer, 300, 10, 20, scratch, sizeof(scratch), out,
				   sizeof(out), &ol), SN_EPARSE);
	rdl[0] = 4;
	uint8_t badname[3] = {0xc0, 0x0c, 0}; /* a compression pointer */
	CU_ASSERT_EQUAL(rrsig_sign(k, &set, badname, 300, 10, 20, scratch, sizeof(scratch), out,
				   sizeof(out), &ol), SN_EPARSE);
	CU_ASSERT_EQUAL(ol, 99);
	/* A key that is not a zone key does not verify (RFC 4034 2.1.1). */
	keypair_free(pub);
	uint8_t rd[KEYPAIR_DNSKEY_MAXLEN];
	memcpy(rd, keypair_dnskey(k), keypair_dnskey_len(k));
	rd[0] = 0;
	CU_ASSERT_EQUAL_FATAL(keypair_from_dnskey(rd, keypair_dnskey_len(k), &pub), SN_OK);
	CU_ASSERT_EQUAL(rrsig_sign(k, &set, signer, 300, 10, 20, scratch, sizeof(scratch), out,
				   sizeof(out), &ol), SN_OK);
	CU_ASSERT_EQUAL(rrsig_verify_key(out, ol, pub, &set), SN_ECHECK);
	keypair_free(pub);
	keypair_free(k);
}

/* RFC 8080 6.1 (the 6.2 example is from the same RFC, Ed25519 as well):
 * EdDSA is deterministic, so the private key must give the published
 * DNSKEY, key tag, DS and the very same RRSIG. */
static const struct {
	const char *priv, *key, *ds, *sig;
	uint16_t tag;
} RFC8080_VECS[] = {
	{"ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=",
	 "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
	 "3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b",
	 "MX 15 2 3600 20150819220000 20150729220000 3613 example.com. "
	 "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==",
	 3613},
	{"DSSF3o0s0f+ElWzj9E/Osxw8hLpk55chkmx0LYN5WiY=",
	 "257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=",
	 "401781b934e392de492ec77ae2e15d70f6575a1c0bc59c5275c04ebe80c6614c",
	 "MX 15 2 3600 20150819220000 20150729220000 35217 example.com. "
	 "zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==",
	 35217},
};

static void
test_sign_rfc8080_sign(void)
{
	for (size_t i = 0; i < sizeof(RFC8080_VECS) / sizeof(RFC8080_VECS[0]); i++) {
		uint8_t priv[64], key[128], want[256], owner[DNAME_MAXLEN], mx[64];
		int pl = unb64(RFC8080_VECS[i].priv, priv, sizeof(priv));
		int kl = parse_rdata(RRTYPE_DNSKEY, RFC8080_VECS[i].key, key, sizeof(key));
		int wl = parse_rdata(RRTYPE_RRSIG, RFC8080_VECS[i].sig, want, sizeof(want));
		int ml = parse_rdata(RRTYPE_MX, "10 mail.example.com.", mx, sizeof(mx));
		CU_ASSERT_FATAL(pl == 32 && kl > 0 && wl > 0 && ml > 0);
		CU_ASSERT_FATAL(name("example.com.", owner) > 0);
		keypair_raw_t raw = {{NULL}, {0}};
		raw.v[KEYPAIR_P_PRIVKEY] = priv;
		raw.len[KEYPAIR_P_PRIVKEY] = (size_t)pl;
		keypair_t *k = NULL;
		CU_ASSERT_EQUAL_FATAL(keypair_from_raw(DNSSEC_ALG_ED25519, 257, &raw, &k), SN_OK);
		CU_ASSERT_EQUAL(keypair_dnskey_len(k), (size_t)kl);
		CU_ASSERT_EQUAL(memcmp(keypair_dnskey(k), key, (size_t)kl), 0);
		CU_ASSERT_EQUAL(keypair_tag(k), RFC8080_VECS[i].tag);
		/* CDS/CDNSKEY: the DS of the DNSKEY RDATA (RFC 7344 3). */
		uint8_t ds[DS_RDATA_MAXLEN], wd[32];
		size_t dsl = 0;
		CU_ASSERT_EQUAL(dnskey_ds_rdata(owner, keypair_dnskey(k), keypair_dnskey_len(k),
						DS_DIGEST_SHA256, ds, sizeof(ds), &dsl), SN_OK);
		CU_ASSERT_EQUAL_FATAL(unhex(RFC8080_VECS[i].ds, wd, sizeof(wd)), 32);
		CU_ASSERT_EQUAL(dsl, 36);
		CU_ASSERT_EQUAL((ds[0] << 8) | ds[1], RFC8080_VECS[i].tag);
		CU_ASSERT_EQUAL(memcmp(ds + 4, wd, 32), 0);

		const uint8_t *rdp[1] = {mx};
		uint16_t rdl[1] = {(uint16_t)ml};
		rrsig_rrset_t set = {owner, RRTYPE_MX, 1, 1, rdp, rdl};
		uint8_t scratch[1024], out[RRSIG_RDATA_MAXLEN];
		size_t ol = 0;
		CU_ASSERT_EQUAL_FATAL(rrsig_sign(k, &set, owner, 3600, 1438207200, 1440021600,
						 scratch, sizeof(scratch), out, sizeof(out), &ol),
				      SN_OK);
		CU_ASSERT_EQUAL(ol, (size_t)wl);
		CU_ASSERT_EQUAL(memcmp(out, want, (size_t)wl), 0);
		keypair_free(k);
	}
}

/* RFC 6605 6.1: the P-256 private key gives the published DNSKEY (tag
 * 55648, DS checked in test_sign_ds); our signature over the example
 * RRset verifies, and so does the published one with this key. */
static void
test_sign_rfc6605_key(void)
{
	uint8_t priv[64], key[128], owner[DNAME_MAXLEN], signer[DNAME_MAXLEN], sig[256];
	uint8_t a[4] = {192, 0, 2, 1};
	int pl = unb64("GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=", priv, sizeof(priv));
	int kl = parse_rdata(RRTYPE_DNSKEY, RFC6605_P256_KEY, key, sizeof(key));
	int sl = parse_rdata(RRTYPE_RRSIG, SIG_VECS[0].sig, sig, sizeof(sig));
	CU_ASSERT_FATAL(pl == 32 && kl > 0 && sl > 0);
	CU_ASSERT_FATAL(name("www.example.net.", owner) > 0);
	CU_ASSERT_FATAL(name("example.net.", signer) > 0);
	keypair_raw_t raw = {{NULL}, {0}};
	raw.v[KEYPAIR_P_PRIVKEY] = priv;
	raw.len[KEYPAIR_P_PRIVKEY] = 32;
	keypair_t *k = NULL;
	CU_ASSERT_EQUAL_FATAL(keypair_from_raw(DNSSEC_ALG_ECDSAP256SHA256, 257, &raw, &k), SN_OK);
	CU_ASSERT_EQUAL(keypair_dnskey_len(k), (size_t)kl);
	CU_ASSERT_EQUAL(memcmp(keypair_dnskey(k), key, (size_t)kl), 0);
	CU_ASSERT_EQUAL(keypair_tag(k), 55648);
	const uint8_t *rdp[1] = {a};
	uint16_t rdl[1] = {4};
	rrsig_rrset_t set = {owner, RRTYPE_A, 1, 1, rdp, rdl};
	CU_ASSERT_EQUAL(rrsig_verify_key(sig, (size_t)sl, k, &set), SN_OK);
	uint8_t scratch[1024], out[RRSIG_RDATA_MAXLEN];
	size_t ol = 0;
	CU_ASSERT_EQUAL_FATAL(rrsig_sign(k, &set, signer, 3600, 1281607479, 1284026679, scratch,
					 sizeof(scratch), out, sizeof(out), &ol), SN_OK);
	/* Same header as the published RRSIG (times 20100812100439 and
	 * 20100909100439); ECDSA is randomised, so only the signature differs. */
	CU_ASSERT_EQUAL(ol, (size_t)sl);
	CU_ASSERT_EQUAL(memcmp(out, sig, RRSIG_FIXEDLEN + 13), 0);
	CU_ASSERT_EQUAL(rrsig_verify(out, ol, key, (size_t)kl, &set), SN_OK);
	/* A scalar of zero or not below the group order is not a key. */
	uint8_t zero[32] = {0}, big[32];
	memset(big, 0xff, sizeof(big));
	raw.v[KEYPAIR_P_PRIVKEY] = zero;
	keypair_t *bad = NULL;
	CU_ASSERT_EQUAL(keypair_from_raw(DNSSEC_ALG_ECDSAP256SHA256, 257, &raw, &bad), SN_EPARSE);
	raw.v[KEYPAIR_P_PRIVKEY] = big;
	CU_ASSERT_EQUAL(keypair_from_raw(DNSSEC_ALG_ECDSAP256SHA256, 257, &raw, &bad), SN_EPARSE);
	raw.len[KEYPAIR_P_PRIVKEY] = 33;
	CU_ASSERT_EQUAL(keypair_from_raw(DNSSEC_ALG_ECDSAP256SHA256, 257, &raw, &bad), SN_EPARSE);
	CU_ASSERT_PTR_NULL(bad);
	/* d written without its leading zero octet (as ldns may) is the same
	 * key as with it. */
	uint8_t d32[32] = {0}, d31[31];
	memset(d32 + 1, 0x5a, 31);
	memset(d31, 0x5a, 31);
	keypair_t *ka = NULL, *kb = NULL;
	raw.v[KEYPAIR_P_PRIVKEY] = d32;
	raw.len[KEYPAIR_P_PRIVKEY] = 32;
	CU_ASSERT_EQUAL_FATAL(keypair_from_raw(DNSSEC_ALG_ECDSAP256SHA256, 257, &raw, &ka), SN_OK);
	raw.v[KEYPAIR_P_PRIVKEY] = d31;
	raw.len[KEYPAIR_P_PRIVKEY] = 31;
	CU_ASSERT_EQUAL_FATAL(keypair_from_raw(DNSSEC_ALG_ECDSAP256SHA256, 257, &raw, &kb), SN_OK);
	CU_ASSERT_EQUAL(memcmp(keypair_dnskey(ka), keypair_dnskey(kb), keypair_dnskey_len(ka)), 0);
	keypair_free(ka);
	keypair_free(kb);
	keypair_free(k);
}

/* PKCS#8 PEM out and back in gives the same key; PEM of the wrong kind,
 * damaged or encrypted PEM is refused. */
static void
test_sign_keypair_pem(void)
{
	for (size_t i = 0; i < sizeof(ALL_ALGS); i++) {
		keypair_t *k = test_key(ALL_ALGS[i], 257);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		char *pem = NULL;
		size_t pl = 0;
		CU_ASSERT_EQUAL_FATAL(keypair_to_pem(k, &pem, &pl), SN_OK);
		CU_ASSERT_EQUAL(strlen(pem), pl);
		CU_ASSERT(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
		keypair_t *k2 = NULL;
		CU_ASSERT_EQUAL_FATAL(keypair_from_pem(pem, pl, ALL_ALGS[i], 257, &k2), SN_OK);
		CU_ASSERT_EQUAL(keypair_dnskey_len(k2), keypair_dnskey_len(k));
		CU_ASSERT_EQUAL(memcmp(keypair_dnskey(k2), keypair_dnskey(k), keypair_dnskey_len(k)),
				0);
		CU_ASSERT_EQUAL(keypair_tag(k2), keypair_tag(k));
		/* The re-read key signs, and the original verifies it. */
		uint8_t sig[KEYPAIR_SIG_MAXLEN];
		size_t sl = 0;
		CU_ASSERT_EQUAL(keypair_sign(k2, (const uint8_t *)"abc", 3, sig, sizeof(sig), &sl),
				SN_OK);
		CU_ASSERT_EQUAL(keypair_verify(k, (const uint8_t *)"abc", 3, sig, sl), SN_OK);
		keypair_free(k2);
		/* With other flags: same key, other DNSKEY and tag. */
		CU_ASSERT_EQUAL_FATAL(keypair_from_pem(pem, pl, ALL_ALGS[i], 256, &k2), SN_OK);
		CU_ASSERT_EQUAL(keypair_dnskey(k2)[1], 0);
		CU_ASSERT_NOT_EQUAL(keypair_tag(k2), keypair_tag(k));
		keypair_free(k2);
		/* Read as another algorithm's key: refused, except RSA, whose
		 * keys serve both 8 and 10. */
		k2 = NULL;
		for (size_t j = 0; j < sizeof(ALL_ALGS); j++) {
			bool rsa_pair = ALL_ALGS[i] <= 10 && ALL_ALGS[j] <= 10;
			int rc = keypair_from_pem(pem, pl, ALL_ALGS[j], 257, &k2);
			CU_ASSERT_EQUAL(rc, (i == j || rsa_pair) ? SN_OK : SN_EPARSE);
			keypair_free(k2);
			k2 = NULL;
		}
		/* Damaged: a changed base64 character in the middle, or cut short. */
		pem[pl / 2] = pem[pl / 2] == 'A' ? 'B' : 'A';
		int rc = keypair_from_pem(pem, pl, ALL_ALGS[i], 257, &k2);
		CU_ASSERT(rc == SN_EPARSE || rc == SN_OK);
		keypair_free(k2);
		k2 = NULL;
		CU_ASSERT_EQUAL(keypair_from_pem(pem, pl / 3, ALL_ALGS[i], 257, &k2), SN_EPARSE);
		CU_ASSERT_PTR_NULL(k2);
		free(pem);

		/* A public-only key has no private PEM. */
		keypair_t *pub = NULL;
		CU_ASSERT_EQUAL_FATAL(keypair_from_dnskey(keypair_dnskey(k), keypair_dnskey_len(k),
							  &pub), SN_OK);
		pem = NULL;
		CU_ASSERT_EQUAL(keypair_to_pem(pub, &pem, &pl), SN_EINVAL);
		CU_ASSERT_PTR_NULL(pem);
		keypair_free(pub);
		keypair_free(k);
	}
	/* Encrypted PKCS#8: refused, without asking for a passphrase. */
	FILE *pp = popen("openssl genpkey -algorithm ed25519 -aes-256-cbc -pass pass:secret "
			 "</dev/null 2>/dev/null", "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pp);
	char enc[4096];
	size_t el = fread(enc, 1, sizeof(enc) - 1, pp);
	CU_ASSERT_EQUAL(pclose(pp), 0);
	enc[el] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(enc, "BEGIN ENCRYPTED PRIVATE KEY"));
	keypair_t *k = NULL;
	CU_ASSERT_EQUAL(keypair_from_pem(enc, el, DNSSEC_ALG_ED25519, 257, &k), SN_EPARSE);
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT_EQUAL(keypair_from_pem("", 0, 13, 257, &k), SN_EPARSE);
	CU_ASSERT_EQUAL(keypair_from_pem("garbage", 7, 13, 257, &k), SN_EPARSE);
	CU_ASSERT_EQUAL(keypair_from_pem("garbage", 7, 7, 257, &k), SN_ENOTSUP);
	CU_ASSERT_PTR_NULL(k);
}

/* DNSKEY RDATA that is not a key of its algorithm. */
static void
test_sign_keypair_dnskey_errors(void)
{
	keypair_t *k = NULL;
	uint8_t rd[4 + 64] = {1, 0, 3, DNSSEC_ALG_ECDSAP256SHA256};
	memset(rd + 4, 0x11, 64); /* not on the curve */
	CU_ASSERT_EQUAL(keypair_from_dnskey(rd, sizeof(rd), &k), SN_EPARSE);
	CU_ASSERT_EQUAL(keypair_from_dnskey(rd, sizeof(rd) - 1, &k), SN_EPARSE);
	CU_ASSERT_EQUAL(keypair_from_dnskey(rd, 3, &k), SN_EPARSE);
	rd[2] = 2; /* protocol must be 3 */
	CU_ASSERT_EQUAL(keypair_from_dnskey(rd, sizeof(rd), &k), SN_EPARSE);
	rd[2] = 3;
	rd[3] = DNSSEC_ALG_ED25519;
	CU_ASSERT_EQUAL(keypair_from_dnskey(rd, 4 + 31, &k), SN_EPARSE);
	rd[3] = 5;
	CU_ASSERT_EQUAL(keypair_from_dnskey(rd, sizeof(rd), &k), SN_ENOTSUP);
	rd[3] = DNSSEC_ALG_RSASHA256;
	rd[4] = 60; /* exponent longer than the rest */
	CU_ASSERT_EQUAL(keypair_from_dnskey(rd, sizeof(rd), &k), SN_EPARSE);
	rd[4] = 3; /* modulus of 60 octets: under 512 bits */
	CU_ASSERT_EQUAL(keypair_from_dnskey(rd, sizeof(rd), &k), SN_EPARSE);
	CU_ASSERT_PTR_NULL(k);
}

/* RFC 8080 6.1 and RFC 6605 6.1 keys in BIND's file formats. */
static const char KF_ED_PRIV[] = "Private-key-format: v1.2\n"
				 "Algorithm: 15 (ED25519)\n"
				 "PrivateKey: ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=\n";
static const char KF_ED_KEY[] = "; This is a key-signing key, keyid 3613, for example.com.\n"
				"example.com. 3600 IN DNSKEY 257 3 15 (\n"
				"\tl02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= ) ; comment\n";
static const char KF_EC_PRIV[] = "Private-key-format: v1.3\r\n"
				 "Algorithm: 13 (ECDSAP256SHA256)\r\n"
				 "PrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\r\n"
				 "Created: 20100812100439\r\n";
static const char KF_EC_KEY[] = "example.net. IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaub"
				"CvTmeexv7bR6edb krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==\n";

static void
test_sign_keyfile_parse(void)
{
	keypair_t *k = NULL;
	keyfile_err_t err;
	uint8_t owner[DNAME_MAXLEN], want[DNAME_MAXLEN];
	memset(&err, 0, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(keyfile_parse(KF_ED_PRIV, strlen(KF_ED_PRIV), KF_ED_KEY,
					    strlen(KF_ED_KEY), owner, &k, &err), SN_OK);
	CU_ASSERT_EQUAL(keypair_tag(k), 3613);
	CU_ASSERT_EQUAL(keypair_flags(k), 257);
	CU_ASSERT_FATAL(name("example.com.", want) > 0);
	CU_ASSERT(dname_is_equal(owner, want));
	/* Export: the .key line reads back as the same key. */
	char line[1024];
	int n = keyfile_dnskey_line(owner, 3600, k, line, sizeof(line));
	CU_ASSERT_EQUAL(n, (int)strlen(line));
	CU_ASSERT_STRING_EQUAL(line, "example.com. 3600 IN DNSKEY 257 3 15 "
				     "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n");
	CU_ASSERT_EQUAL(keyfile_dnskey_line(owner, 3600, k, line, 20), SN_ENOSPC);
	n = keyfile_name(owner, k, line, sizeof(line));
	CU_ASSERT_STRING_EQUAL(line, "Kexample.com.+015+03613");
	CU_ASSERT_EQUAL(n, 23);
	keypair_free(k);

	k = NULL;
	CU_ASSERT_EQUAL_FATAL(keyfile_parse(KF_EC_PRIV, strlen(KF_EC_PRIV), KF_EC_KEY,
					    strlen(KF_EC_KEY), NULL, &k, &err), SN_OK);
	CU_ASSERT_EQUAL(keypair_tag(k), 55648);
	/* The same key as PKCS#8 PEM with the same .key file. */
	char *pem = NULL;
	size_t pl = 0;
	CU_ASSERT_EQUAL_FATAL(keypair_to_pem(k, &pem, &pl), SN_OK);
	keypair_t *k2 = NULL;
	CU_ASSERT_EQUAL(keyfile_parse(pem, pl, KF_EC_KEY, strlen(KF_EC_KEY), NULL, &k2, &err),
			SN_OK);
	CU_ASSERT_EQUAL(keypair_tag(k2), 55648);
	keypair_free(k2);
	k2 = NULL;
	/* ...but not with another key's .key file. */
	memset(&err, 0, sizeof(err));
	CU_ASSERT_EQUAL(keyfile_parse(pem, pl, KF_ED_KEY, strlen(KF_ED_KEY), NULL, &k2, &err),
			SN_EPARSE);
	CU_ASSERT_PTR_NULL(k2);
	CU_ASSERT_STRING_EQUAL(err.file, "private");
	free(pem);
	keypair_free(k);

	/* The public file alone. */
	uint8_t rd[KEYPAIR_DNSKEY_MAXLEN];
	size_t rl = 0;
	uint32_t ttl = 1;
	CU_ASSERT_EQUAL(keyfile_parse_dnskey(KF_EC_KEY, strlen(KF_EC_KEY), owner, rd, sizeof(rd),
					     &rl, &ttl, &err), SN_OK);
	CU_ASSERT_EQUAL(rl, 4 + 64);
	CU_ASSERT_EQUAL(ttl, 0);
	CU_ASSERT_EQUAL(keyfile_parse_dnskey(KF_ED_KEY, strlen(KF_ED_KEY), owner, rd, sizeof(rd),
					     &rl, &ttl, &err), SN_OK);
	CU_ASSERT_EQUAL(ttl, 3600);
	CU_ASSERT_EQUAL(keyfile_parse_dnskey(KF_ED_KEY, strlen(KF_ED_KEY), owner, rd, 10, &rl,
					     &ttl, &err), SN_ENOSPC);
	/* A public key longer than any algorithm's. */
	char *big = malloc(8192);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	int bl = snprintf(big, 8192, "example.com. IN DNSKEY 257 3 8 ");
	memset(big + bl, 'A', 4000);
	big[bl + 4000] = '\0';
	memset(&err, 0, sizeof(err));
	CU_ASSERT_EQUAL(keyfile_parse_dnskey(big, strlen(big), owner, rd, sizeof(rd), &rl, &ttl,
					     &err), SN_EPARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "too long"));
	free(big);
	/* An owner that needs escapes in presentation form, written by
	 * keyfile_dnskey_line and read back (RFC 1035 5.1). */
	static const uint8_t odd[] = {3, 'a', ' ', 0xd4, 4, 't', '(', '.', ';', 0};
	k = NULL;
	CU_ASSERT_EQUAL_FATAL(keyfile_parse(KF_ED_PRIV, strlen(KF_ED_PRIV), KF_ED_KEY,
					    strlen(KF_ED_KEY), NULL, &k, &err), SN_OK);
	n = keyfile_dnskey_line(odd, 60, k, line, sizeof(line));
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "\\"));
	CU_ASSERT_EQUAL(keyfile_parse_dnskey(line, (size_t)n, owner, rd, sizeof(rd), &rl, &ttl,
					     &err), SN_OK);
	CU_ASSERT(dname_is_equal(owner, odd));
	CU_ASSERT_EQUAL(ttl, 60);
	CU_ASSERT_EQUAL(rl, keypair_dnskey_len(k));
	keypair_free(k);
}

/* Broken key files: each gets SN_EPARSE (or the code given) with the line
 * it is about and a message saying what is wrong. */
static void
test_sign_keyfile_errors(void)
{
	static const struct {
		const char *priv, *pub;
		int rc;
		const char *file;
		unsigned line;
		const char *msg;
	} cases[] = {
		{KF_ED_PRIV, "", SN_EPARSE, "key", 0, "no DNSKEY"},
		{KF_ED_PRIV, "; only a comment\n", SN_EPARSE, "key", 0, "no DNSKEY"},
		{KF_ED_PRIV, "example.com IN DNSKEY 257 3 15 AAAA\n", SN_EPARSE, "key", 1,
		 "absolute"},
		{KF_ED_PRIV, "\n\nexample.com. IN DS 257 3 15 AAAA\n", SN_EPARSE, "key", 3,
		 "DNSKEY"},
		{KF_ED_PRIV, "example.com. IN DNSKEY 257 3 15 !!!!\n", SN_EPARSE, "key", 1,
		 "DNSKEY data"},
		{KF_ED_PRIV, "example.com. IN DNSKEY 257 3 15 (\n AAAA\n", SN_EPARSE, "key", 3,
		 "')'"},
		{KF_ED_PRIV, "example.com. IN DNSKEY 257 3 15 AAAA )\n", SN_EPARSE, "key", 1,
		 "parenthes"},
		{KF_ED_PRIV,
		 "example.com. IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n"
		 "example.com. IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n",
		 SN_EPARSE, "key", 2, "more than one"},
		{KF_ED_PRIV, "example.com. IN DNSKEY 1 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
		 SN_EPARSE, "key", 0, "zone key"},
		{KF_ED_PRIV, "example.com. IN DNSKEY 257 3 5 AwEAAQ==", SN_ENOTSUP, "key", 0,
		 "not supported"},
		{KF_ED_PRIV, "example.com. IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR"
			     "6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
		 SN_EPARSE, "private", 2, "algorithm 15"},
		/* The other RFC 8080 key's .key: a valid key, not this one. */
		{KF_ED_PRIV, "example.com. IN DNSKEY 257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=",
		 SN_EPARSE, "private", 0, "does not match"},
		{"", KF_ED_KEY, SN_EPARSE, "private", 0, "Private-key-format"},
		{"Algorithm: 15\nPrivateKey: AAAA\n", KF_ED_KEY, SN_EPARSE, "private", 0,
		 "Private-key-format"},
		{"Private-key-format: v2.0\nAlgorithm: 15\n", KF_ED_KEY, SN_EPARSE, "private", 1,
		 "v2.0"},
		{"Private-key-format: v1.3\nAlgorithm 15\n", KF_ED_KEY, SN_EPARSE, "private", 2,
		 "Name: value"},
		{"Private-key-format: v1.3\nAlgorithm: fifteen\n", KF_ED_KEY, SN_EPARSE, "private", 2,
		 "Algorithm"},
		{"Private-key-format: v1.3\nAlgorithm: 15\nAlgorithm: 15\n", KF_ED_KEY, SN_EPARSE,
		 "private", 3, "Algorithm"},
		{"Private-key-format: v1.3\nPrivateKey: AAAA\n", KF_ED_KEY, SN_EPARSE, "private", 0,
		 "no Algorithm"},
		{"Private-key-format: v1.3\nAlgorithm: 15\n\nPrivateKey: A=AA\n", KF_ED_KEY, SN_EPARSE,
		 "private", 4, "base64"},
		{"Private-key-format: v1.3\nAlgorithm: 15\nPrivateKey: AAB=\n", KF_ED_KEY, SN_EPARSE,
		 "private", 3, "base64"},
		{"Private-key-format: v1.3\nAlgorithm: 15\nPrivateKey: AAAA\n", KF_ED_KEY, SN_EPARSE,
		 "private", 0, "inconsistent"},
		{"Private-key-format: v1.3\nAlgorithm: 15\n", KF_ED_KEY, SN_EPARSE, "private", 0,
		 "missing"},
		{"Private-key-format: v1.3\nAlgorithm: 15\nPrivateKey: AAAA\nPrivateKey: AAAA\n",
		 KF_ED_KEY, SN_EPARSE, "private", 4, "twice"},
		{"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", KF_ED_KEY,
		 SN_EPARSE, "private", 0, "PEM"},
		{"Private-key-format: v1.3\nAlgorithm: 15\nEngine: pkcs11\nLabel: pkcs11:x\n",
		 KF_ED_KEY, SN_ENOTSUP, "private", 3, "PKCS #11"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		keypair_t *k = NULL;
		keyfile_err_t err;
		memset(&err, 0, sizeof(err));
		int rc = keyfile_parse(cases[i].priv, strlen(cases[i].priv), cases[i].pub,
				       strlen(cases[i].pub), NULL, &k, &err);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		CU_ASSERT_PTR_NULL(k);
		CU_ASSERT_STRING_EQUAL(err.file, cases[i].file);
		CU_ASSERT_EQUAL(err.line, cases[i].line);
		if (strstr(err.msg, cases[i].msg) == NULL || rc != cases[i].rc ||
		    err.line != cases[i].line) {
			fprintf(stderr, "keyfile case %zu: rc %d line %u msg '%s'\n", i, rc, err.line,
				err.msg);
		}
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].msg));
		keypair_free(k);
	}
	/* A file that is not there. */
	keypair_t *k = NULL;
	keyfile_err_t err;
	memset(&err, 0, sizeof(err));
	CU_ASSERT_EQUAL(keyfile_load("/nonexistent/Kexample.+013+00001", NULL, &k, &err), SN_EIO);
	CU_ASSERT_STRING_EQUAL(err.file, "/nonexistent/Kexample.+013+00001.private");
	CU_ASSERT_PTR_NULL(k);
}

/* Runs `cmd` through the shell; returns its exit status or -1. */
static int
run(const char *cmd)
{
	int st = system(cmd);
	return (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		return NULL;
	}
	char *buf = malloc(65536);
	size_t n = buf != NULL ? fread(buf, 1, 65535, fp) : 0;
	fclose(fp);
	if (buf != NULL) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

/* One RRset of a zone text under construction and its RRSIG by `k`. */
static void
zone_add_signed(FILE *fp, const keypair_t *k, const uint8_t *apex, const char *owner_text,
		uint16_t type, const char *const *rdtexts, size_t n)
{
	uint8_t owner[DNAME_MAXLEN], rd[8][1024], scratch[16384], out[RRSIG_RDATA_MAXLEN];
	const uint8_t *rdp[8];
	uint16_t rdl[8];
	char text[4096], tname[32];
	CU_ASSERT_FATAL(n <= 8 && name(owner_text, owner) > 0);
	CU_ASSERT_FATAL(rrtype_to_text(type, tname, sizeof(tname)) > 0);
	for (size_t i = 0; i < n; i++) {
		int l = parse_rdata(type, rdtexts[i], rd[i], sizeof(rd[i]));
		CU_ASSERT_FATAL(l >= 0);
		rdp[i] = rd[i];
		rdl[i] = (uint16_t)l;
		fprintf(fp, "%s 3600 IN %s %s\n", owner_text, tname, rdtexts[i]);
	}
	rrsig_rrset_t set = {owner, type, 1, n, rdp, rdl};
	size_t ol = 0;
	uint32_t now = (uint32_t)time(NULL);
	CU_ASSERT_EQUAL_FATAL(rrsig_sign(k, &set, apex, 3600, now - 3600, now + 30 * 86400, scratch,
					 sizeof(scratch), out, sizeof(out), &ol), SN_OK);
	CU_ASSERT_FATAL(rdata_to_text(RRTYPE_RRSIG, out, ol, text, sizeof(text)) > 0);
	fprintf(fp, "%s 3600 IN RRSIG %s\n", owner_text, text);
}

/* Oracle: keys made by BIND's dnssec-keygen are read with their tags and
 * DNSKEY RDATA intact; a small zone signed with them passes BIND's
 * dnssec-verify and ldns-verify-zone, and fails both once a record
 * changed; our exported .key line gives BIND's DS. */
static void
test_sign_keyfile_bind_oracle(void)
{
	static const char *const algs[] = {"ECDSAP256SHA256", "ED25519", "RSASHA256",
					   "ECDSAP384SHA384", "RSASHA512", "ED448"};
	char dir[] = "/tmp/signet-keyfile-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char cmd[1024], path[512];
	uint8_t apex[DNAME_MAXLEN];
	CU_ASSERT_FATAL(name("example.", apex) > 0);
	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		snprintf(cmd, sizeof(cmd),
			 "cd %s && rm -f K* && dnssec-keygen -q -f KSK -a %s %s example. "
			 ">keyname 2>err",
			 dir, algs[a], strncmp(algs[a], "RSA", 3) == 0 ? "-b 1024" : "");
		CU_ASSERT_EQUAL_FATAL(run(cmd), 0);
		snprintf(path, sizeof(path), "%s/keyname", dir);
		size_t kn = 0;
		char *base = slurp(path, &kn);
		CU_ASSERT_FATAL(base != NULL && kn > 1);
		base[strcspn(base, "\n")] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, base);
		keypair_t *k = NULL;
		keyfile_err_t err;
		memset(&err, 0, sizeof(err));
		uint8_t owner[DNAME_MAXLEN];
		int rc = keyfile_load(path, owner, &k, &err);
		if (rc != SN_OK) {
			fprintf(stderr, "%s:%u: %s\n", err.file, err.line, err.msg);
		}
		CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
		CU_ASSERT(dname_is_equal(owner, apex));
		/* BIND's name carries the tag and the algorithm. */
		char stem[300];
		CU_ASSERT(keyfile_name(owner, k, stem, sizeof(stem)) > 0);
		CU_ASSERT_STRING_EQUAL(stem, base);
		/* The DNSKEY RDATA is the .key file's. */
		snprintf(path, sizeof(path), "%s/%s.key", dir, base);
		size_t pl = 0;
		char *pub = slurp(path, &pl);
		CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
		/* The .private damaged: one base64 character of the first key
		 * part changed, or (RSA) a part left out; refused. */
		snprintf(path, sizeof(path), "%s/%s.private", dir, base);
		size_t vl = 0;
		char *pv = slurp(path, &vl);
		CU_ASSERT_PTR_NOT_NULL_FATAL(pv);
		char *third = strchr(strchr(pv, '\n') + 1, '\n') + 1; /* after Algorithm: */
		char *val = strchr(third, ' ') + 1;
		char was = val[4];
		val[4] = was == 'A' ? 'B' : 'A';
		keypair_t *bad = NULL;
		CU_ASSERT_EQUAL(keyfile_parse(pv, vl, pub, pl, NULL, &bad, &err), SN_EPARSE);
		val[4] = was;
		CU_ASSERT_EQUAL(keyfile_parse(pv, vl, pub, pl, NULL, &bad, &err), SN_OK);
		keypair_free(bad);
		bad = NULL;
		char *coef = strstr(pv, "Coefficient:");
		if (coef != NULL) {
			coef[0] = 'X'; /* an unknown field now: the part is missing */
			CU_ASSERT_EQUAL(keyfile_parse(pv, vl, pub, pl, NULL, &bad, &err), SN_EPARSE);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "missing"));
		}
		CU_ASSERT_EQUAL(coef != NULL, strncmp(algs[a], "RSA", 3) == 0);
		CU_ASSERT_PTR_NULL(bad);
		OPENSSL_cleanse(pv, vl);
		free(pv);
		uint8_t rd[KEYPAIR_DNSKEY_MAXLEN];
		size_t rl = 0;
		CU_ASSERT_EQUAL(keyfile_parse_dnskey(pub, pl, NULL, rd, sizeof(rd), &rl, NULL, &err),
				SN_OK);
		CU_ASSERT_EQUAL(rl, keypair_dnskey_len(k));
		CU_ASSERT_EQUAL(memcmp(rd, keypair_dnskey(k), rl), 0);
		free(pub);

		/* A zone signed with the key alone (a CSK), NSEC chain by hand:
		 * example. -> www.example. -> example. */
		char dnskey_text[2048];
		CU_ASSERT_FATAL(rdata_to_text(RRTYPE_DNSKEY, keypair_dnskey(k),
					      keypair_dnskey_len(k), dnskey_text,
					      sizeof(dnskey_text)) > 0);
		snprintf(path, sizeof(path), "%s/zone", dir);
		FILE *fp = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
		const char *soa[] = {"ns.example. host.example. 1 3600 600 86400 3600"};
		const char *ns[] = {"ns.example."};
		const char *dk[] = {dnskey_text};
		const char *nsec1[] = {"www.example. NS SOA RRSIG NSEC DNSKEY"};
		const char *www[] = {"192.0.2.1", "192.0.2.2"};
		const char *nsec2[] = {"example. A RRSIG NSEC"};
		zone_add_signed(fp, k, apex, "example.", RRTYPE_SOA, soa, 1);
		zone_add_signed(fp, k, apex, "example.", RRTYPE_NS, ns, 1);
		zone_add_signed(fp, k, apex, "example.", RRTYPE_DNSKEY, dk, 1);
		zone_add_signed(fp, k, apex, "example.", RRTYPE_NSEC, nsec1, 1);
		zone_add_signed(fp, k, apex, "www.example.", RRTYPE_A, www, 2);
		zone_add_signed(fp, k, apex, "www.example.", RRTYPE_NSEC, nsec2, 1);
		CU_ASSERT_EQUAL(fclose(fp), 0);
		snprintf(cmd, sizeof(cmd),
			 "cd %s && dnssec-verify -q -z -o example. zone >verify.out 2>&1", dir);
		rc = run(cmd);
		if (rc != 0) {
			snprintf(cmd, sizeof(cmd), "cat %s/verify.out %s/zone >&2", dir, dir);
			CU_ASSERT(run(cmd) == 0);
		}
		CU_ASSERT_EQUAL(rc, 0);
		snprintf(cmd, sizeof(cmd), "cd %s && ldns-verify-zone -q zone >/dev/null 2>&1", dir);
		CU_ASSERT_EQUAL(run(cmd), 0);
		/* One changed address: both verifiers must now refuse. */
		snprintf(cmd, sizeof(cmd),
			 "cd %s && sed 's/192\\.0\\.2\\.2$/192.0.2.3/' zone >bad && "
			 "! cmp -s zone bad",
			 dir);
		CU_ASSERT_EQUAL_FATAL(run(cmd), 0);
		snprintf(cmd, sizeof(cmd), "cd %s && dnssec-verify -q -z -o example. bad >/dev/null 2>&1",
			 dir);
		CU_ASSERT_NOT_EQUAL(run(cmd), 0);
		snprintf(cmd, sizeof(cmd), "cd %s && ldns-verify-zone -q bad >/dev/null 2>&1", dir);
		CU_ASSERT_NOT_EQUAL(run(cmd), 0);

		/* Export: BIND computes from our .key line the DS we compute. */
		char line[2048];
		CU_ASSERT_FATAL(keyfile_dnskey_line(apex, 3600, k, line, sizeof(line)) > 0);
		snprintf(path, sizeof(path), "%s/export.key", dir);
		fp = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
		fputs(line, fp);
		CU_ASSERT_EQUAL(fclose(fp), 0);
		snprintf(cmd, sizeof(cmd),
			 "cd %s && dnssec-dsfromkey -2 -f export.key example. >ds.out 2>&1", dir);
		CU_ASSERT_EQUAL(run(cmd), 0);
		snprintf(path, sizeof(path), "%s/ds.out", dir);
		size_t dl = 0;
		char *dsout = slurp(path, &dl);
		CU_ASSERT_PTR_NOT_NULL_FATAL(dsout);
		uint8_t ds[DS_RDATA_MAXLEN];
		size_t dsl = 0;
		char dstext[256];
		CU_ASSERT_EQUAL(dnskey_ds_rdata(apex, keypair_dnskey(k), keypair_dnskey_len(k),
						DS_DIGEST_SHA256, ds, sizeof(ds), &dsl), SN_OK);
		CU_ASSERT(rdata_to_text(RRTYPE_DS, ds, dsl, dstext, sizeof(dstext)) > 0);
		/* dnssec-dsfromkey writes upper-case hex; compare without case. */
		CU_ASSERT_PTR_NOT_NULL(strcasestr(dsout, dstext));
		free(dsout);
		free(base);
		keypair_free(k);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT_EQUAL(run(cmd), 0);
}

/* Export to BIND: our .private and .key texts read back as the same key,
 * and BIND's dnssec-signzone signs a zone with them that dnssec-verify
 * accepts (BIND's signatures checked against our DNSKEY prove the
 * private key it read is ours). */
static void
test_sign_keyfile_export_bind(void)
{
	char dir[] = "/tmp/signet-keyexport-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	uint8_t apex[DNAME_MAXLEN];
	CU_ASSERT_FATAL(name("example.", apex) > 0);
	for (size_t i = 0; i < sizeof(ALL_ALGS); i++) {
		keypair_t *k = test_key(ALL_ALGS[i], KEYPAIR_FLAGS_KSK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		char *priv = NULL, line[2048], stem[300], path[600], cmd[1400];
		size_t pl = 0;
		CU_ASSERT_EQUAL_FATAL(keyfile_private_text(k, &priv, &pl), SN_OK);
		CU_ASSERT_EQUAL(strlen(priv), pl);
		CU_ASSERT(strncmp(priv, "Private-key-format: v1.3\nAlgorithm: ", 36) == 0);
		int ll = keyfile_dnskey_line(apex, 3600, k, line, sizeof(line));
		CU_ASSERT_FATAL(ll > 0);
		keypair_t *k2 = NULL;
		keyfile_err_t err;
		memset(&err, 0, sizeof(err));
		CU_ASSERT_EQUAL_FATAL(keyfile_parse(priv, pl, line, (size_t)ll, NULL, &k2, &err),
				      SN_OK);
		CU_ASSERT_EQUAL(keypair_dnskey_len(k2), keypair_dnskey_len(k));
		CU_ASSERT_EQUAL(memcmp(keypair_dnskey(k2), keypair_dnskey(k), keypair_dnskey_len(k)),
				0);
		keypair_free(k2);

		CU_ASSERT_FATAL(keyfile_name(apex, k, stem, sizeof(stem)) > 0);
		snprintf(path, sizeof(path), "%s/%s.private", dir, stem);
		FILE *fp = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
		fputs(priv, fp);
		CU_ASSERT_EQUAL(fclose(fp), 0);
		snprintf(path, sizeof(path), "%s/%s.key", dir, stem);
		fp = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
		fputs(line, fp);
		CU_ASSERT_EQUAL(fclose(fp), 0);
		snprintf(path, sizeof(path), "%s/zone", dir);
		fp = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
		fprintf(fp, "example. 3600 IN SOA ns.example. h.example. 1 3600 600 86400 3600\n"
			    "example. 3600 IN NS ns.example.\n"
			    "ns.example. 3600 IN A 192.0.2.1\n%s",
			line);
		CU_ASSERT_EQUAL(fclose(fp), 0);
		snprintf(cmd, sizeof(cmd),
			 "cd %s && rm -f zone.signed && dnssec-signzone -q -z -o example. zone %s "
			 ">sign.out 2>&1 && dnssec-verify -q -z -o example. zone.signed "
			 ">>sign.out 2>&1 && grep -q 'RRSIG.*NS %u 1 ' zone.signed",
			 dir, stem, ALL_ALGS[i]);
		int rc = run(cmd);
		if (rc != 0) {
			snprintf(cmd, sizeof(cmd), "cat %s/sign.out >&2", dir);
			CU_ASSERT(run(cmd) == 0);
		}
		CU_ASSERT_EQUAL(rc, 0);
		OPENSSL_cleanse(priv, pl);
		free(priv);

		/* Public-only keys have nothing to export. */
		keypair_t *pub = NULL;
		CU_ASSERT_EQUAL_FATAL(keypair_from_dnskey(keypair_dnskey(k), keypair_dnskey_len(k),
							  &pub), SN_OK);
		priv = NULL;
		CU_ASSERT_EQUAL(keyfile_private_text(pub, &priv, &pl), SN_EINVAL);
		CU_ASSERT_PTR_NULL(priv);
		keypair_free(pub);
		keypair_free(k);
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT_EQUAL(run(cmd), 0);
}

struct mt_arg {
	const keypair_t *k;
	unsigned seed;
	int bad;
};

static void *
mt_signer(void *p)
{
	struct mt_arg *a = p;
	for (int i = 0; i < 300; i++) {
		uint8_t data[64], sig[KEYPAIR_SIG_MAXLEN];
		size_t sl = 0;
		for (size_t j = 0; j < sizeof(data); j++) {
			data[j] = (uint8_t)rand_r(&a->seed);
		}
		if (keypair_sign(a->k, data, sizeof(data), sig, sizeof(sig), &sl) != SN_OK ||
		    keypair_verify(a->k, data, sizeof(data), sig, sl) != SN_OK) {
			a->bad++;
		}
	}
	return NULL;
}

/* Several threads sign with one key at once (the signer shares keys
 * between its workers); every signature must verify. */
static void
test_sign_keypair_threads(void)
{
	for (size_t i = 0; i < sizeof(ALL_ALGS); i++) {
		keypair_t *k = test_key(ALL_ALGS[i], 256);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		pthread_t th[4];
		struct mt_arg args[4];
		for (int t = 0; t < 4; t++) {
			args[t] = (struct mt_arg){k, test_seed() + (unsigned)t, 0};
			CU_ASSERT_EQUAL_FATAL(pthread_create(&th[t], NULL, mt_signer, &args[t]), 0);
		}
		for (int t = 0; t < 4; t++) {
			CU_ASSERT_EQUAL(pthread_join(th[t], NULL), 0);
			CU_ASSERT_EQUAL(args[t].bad, 0);
		}
		keypair_free(k);
	}
}

int
test_sign_register(void)
{
	CU_pSuite s = CU_add_suite("sign", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_sign_keytag", test_sign_keytag);
	CU_add_test(s, "test_sign_ds", test_sign_ds);
	CU_add_test(s, "test_sign_ds_errors", test_sign_ds_errors);
	CU_add_test(s, "test_sign_nsec3_vectors", test_sign_nsec3_vectors);
	CU_add_test(s, "test_sign_nsec3_params", test_sign_nsec3_params);
	CU_add_test(s, "test_sign_base32hex", test_sign_base32hex);
	CU_add_test(s, "test_sign_rrsig_verify", test_sign_rrsig_verify);
	CU_add_test(s, "test_sign_rrsig_keys", test_sign_rrsig_keys);
	CU_add_test(s, "test_sign_rrsig_signed_data", test_sign_rrsig_signed_data);
	CU_add_test(s, "test_sign_bind_oracle", test_sign_bind_oracle);
	CU_add_test(s, "test_sign_rrsig_order_random", test_sign_rrsig_order_random);
	CU_add_test(s, "test_sign_keypair_generate", test_sign_keypair_generate);
	CU_add_test(s, "test_sign_rrsig_sign_random", test_sign_rrsig_sign_random);
	CU_add_test(s, "test_sign_rrsig_sign_errors", test_sign_rrsig_sign_errors);
	CU_add_test(s, "test_sign_rfc8080_sign", test_sign_rfc8080_sign);
	CU_add_test(s, "test_sign_rfc6605_key", test_sign_rfc6605_key);
	CU_add_test(s, "test_sign_keypair_pem", test_sign_keypair_pem);
	CU_add_test(s, "test_sign_keypair_dnskey_errors", test_sign_keypair_dnskey_errors);
	CU_add_test(s, "test_sign_keyfile_parse", test_sign_keyfile_parse);
	CU_add_test(s, "test_sign_keyfile_errors", test_sign_keyfile_errors);
	CU_add_test(s, "test_sign_keyfile_bind_oracle", test_sign_keyfile_bind_oracle);
	CU_add_test(s, "test_sign_keypair_threads", test_sign_keypair_threads);
	CU_add_test(s, "test_sign_keyfile_export_bind", test_sign_keyfile_export_bind);
	return CU_get_error();
}
