/* SPDX-License-Identifier: MIT
 * test_store.c - the LMDB zone store: import, read back, diff and apply against a model, journal,
 * map growth, crashes.
 *
 * Every test works in its own folder made by mkdtemp and removed after.
 * The randomised tests keep a reference model of the zone (a sorted set
 * of records) and check the store against it after each change; they print
 * SIGNET_TEST_SEED on failure. SIGNET_STORE_PERF_ZONE=FILE (with
 * SIGNET_STORE_PERF_ORIGIN, default perf.example.) runs the 1M-record
 * measurement, which only reports figures.
 */
#include "storage/journal.h"
#include "storage/keystore.h"
#include "storage/store.h"
#include "storage/zdiff.h"
#include "tests/unit/suites.h"
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrlist.h"
#include "zone/rrtype.h"
#include "zone/zcheck.h"
#include "zone/zfile.h"
#include <CUnit/CUnit.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <lmdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ---- */

static uint64_t
rnd64(uint64_t *s)
{
	/* splitmix64: reproducible from a seed, any seed is fine */
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

static void
seed_fail(const char *what, int line)
{
	printf("\nstore: %s failed at line %d (SIGNET_TEST_SEED=%u)\n", what, line, test_seed());
}

#define CHECK_SEED(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			seed_fail(#cond, __LINE__);                                                \
			CU_FAIL(#cond);                                                            \
		}                                                                                  \
	} while (0)

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static char *
tmp_dir(void)
{
	char t[] = "/tmp/signet-store-XXXXXX";
	if (mkdtemp(t) == NULL) {
		return NULL;
	}
	return strdup(t);
}

static void
rm_dir(char *d)
{
	if (d != NULL) {
		nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		free(d);
	}
}

/* The store in a subfolder of `d` (which store_open must create). */
static const char *
store_path(const char *d)
{
	static char p[512];
	snprintf(p, sizeof(p), "%s/db", d);
	return p;
}

static void
name_wire(const char *text, uint8_t out[DNAME_MAXLEN])
{
	size_t len;
	int rc = dname_from_text(text, strlen(text), NULL, out, &len);
	CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
}

static int
add_rr(rrlist_t *l, const uint8_t *owner, uint16_t type, uint32_t ttl, const void *rd,
       uint16_t rdlen)
{
	zfile_rr_t rr = {
	    .owner = owner,
	    .type = type,
	    .rclass = RRCLASS_IN,
	    .ttl = ttl,
	    .rdlen = rdlen,
	    .rdata = rd,
	};
	return rrlist_add(l, &rr);
}

/* Parses zone text for `origin` into a sorted list, or NULL. */
static rrlist_t *
parse_zone(const char *origin, const char *text)
{
	uint8_t o[DNAME_MAXLEN];
	name_wire(origin, o);
	rrlist_t *l = rrlist_new();
	if (l == NULL) {
		return NULL;
	}
	zfile_opts_t fo = {.origin = o, .on_rr = rrlist_zfile_cb, .ctx = l};
	if (zfile_parse_mem("t.zone", text, strlen(text), &fo, NULL) != SN_OK ||
	    rrlist_sort(l) != SN_OK) {
		rrlist_free(l);
		return NULL;
	}
	return l;
}

/* Exact equality: same records in the same order, same bytes (case). */
static bool
lists_equal(const rrlist_t *a, const rrlist_t *b, bool verbose)
{
	size_t n = rrlist_count(a);
	if (n != rrlist_count(b)) {
		if (verbose) {
			printf("\nlists differ in length: %zu vs %zu\n", n, rrlist_count(b));
		}
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		rrlist_rr_t x = rrlist_get(a, i), y = rrlist_get(b, i);
		size_t ol = dname_len(x.owner);
		if (ol != dname_len(y.owner) || memcmp(x.owner, y.owner, ol) != 0 ||
		    x.type != y.type || x.rclass != y.rclass || x.ttl != y.ttl ||
		    x.rdlen != y.rdlen || memcmp(x.rdata, y.rdata, x.rdlen) != 0) {
			if (verbose) {
				char o1[DNAME_MAXTEXT], o2[DNAME_MAXTEXT];
				dname_to_text(x.owner, o1, sizeof(o1));
				dname_to_text(y.owner, o2, sizeof(o2));
				printf("\nlists differ at %zu: %s %u ttl %u / %s %u ttl %u\n", i,
				       o1, x.type, x.ttl, o2, y.type, y.ttl);
			}
			return false;
		}
	}
	return true;
}

static store_t *
open_store(const char *dir, size_t initial, size_t max, bool nosync)
{
	char err[256] = "";
	store_opts_t o = {
	    .map_initial = initial,
	    .map_max = max,
	    .nosync = nosync,
	    .errbuf = err,
	    .errbuf_len = sizeof(err),
	};
	store_t *s = NULL;
	int rc = store_open(dir, &o, &s);
	if (rc != SN_OK) {
		printf("\nstore_open: %s: %s\n", sn_strerror(rc), err);
	}
	return s;
}

/* ---- fixed zone ---- */

static const char zone_text[] = "$TTL 3600\n"
                                "@ IN SOA ns.Example.com. admin.example.com. 7 3600 600 86400 300\n"
                                "@ NS ns\n"
                                "@ NS NS2.example.net.\n"
                                "@ MX 10 Mail\n"
                                "@ TXT \"apex\"\n"
                                "ns A 192.0.2.1\n"
                                "ns AAAA 2001:db8::1\n"
                                "WWW A 192.0.2.10\n"
                                "www A 192.0.2.11\n"
                                "Www 300 AAAA 2001:db8::10\n"
                                "www CAA 0 issue \"ca.example.net\"\n"
                                "www URI 10 1 \"https://example.com/\"\n"
                                "www TYPE65280 \\# 3 010203\n"
                                "\\000.zero A 192.0.2.20\n"
                                "\\001.zero A 192.0.2.21\n"
                                "*.wild TXT \"wildcard\"\n"
                                "a.b.c.d A 192.0.2.30\n"
                                "c.d MX 5 Mail.Example.com.\n"
                                "c.d MX 5 mail.example.COM.\n"
                                "sub NS ns.sub\n"
                                "ns.sub A 192.0.2.40\n";

/* A zone with a TXT longer than LMDB's key limit and an RSA-4096-sized
 * DNSKEY: values, not keys, hold RDATA. */
static rrlist_t *
fixed_zone(void)
{
	rrlist_t *l = parse_zone("example.com.", zone_text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	uint8_t owner[DNAME_MAXLEN], big[2000];
	name_wire("Big.example.com.", owner);
	size_t p = 0;
	for (int i = 0; i < 7; i++) {
		big[p++] = 255;
		memset(big + p, 'a' + i, 255);
		p += 255;
	}
	CU_ASSERT_EQUAL_FATAL(add_rr(l, owner, RRTYPE_TXT, 60, big, (uint16_t)p), SN_OK);
	uint8_t key[4 + 516];
	key[0] = 1;
	key[1] = 1;
	key[2] = 3;
	key[3] = 8;
	for (size_t i = 4; i < sizeof(key); i++) {
		key[i] = (uint8_t)(i * 7);
	}
	CU_ASSERT_EQUAL_FATAL(add_rr(l, owner, RRTYPE_DNSKEY, 60, key, sizeof(key)), SN_OK);
	CU_ASSERT_EQUAL_FATAL(rrlist_sort(l), SN_OK);
	return l;
}

static int
import_fixed(store_txn_t *t, void *ctx)
{
	const rrlist_t *l = ctx;
	uint8_t apex[DNAME_MAXLEN];
	name_wire("example.com.", apex);
	int rc = store_zone_add(t, apex, NULL);
	if (rc != SN_OK && rc != SN_EEXIST) {
		return rc;
	}
	return store_zone_import(t, apex, l);
}

static void
test_store_open_errors(void)
{
	char *d = tmp_dir();
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	char err[256] = "";
	store_opts_t o = {
	    .map_initial = 8 << 20, .map_max = 4 << 20, .errbuf = err, .errbuf_len = sizeof(err)};
	store_t *s = NULL;
	CU_ASSERT_EQUAL(store_open(store_path(d), &o, &s), SN_EINVAL);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT(strstr(err, "map sizes") != NULL);

	/* A file where the folder should be. */
	char f[1024];
	snprintf(f, sizeof(f), "%s/file", d);
	FILE *fp = fopen(f, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fclose(fp);
	o = (store_opts_t){.errbuf = err, .errbuf_len = sizeof(err)};
	CU_ASSERT_EQUAL(store_open(f, &o, &s), SN_EIO);
	snprintf(f, sizeof(f), "%s/no/such/parent", d);
	CU_ASSERT_EQUAL(store_open(f, &o, &s), SN_EIO);
	CU_ASSERT(strstr(err, "cannot create") != NULL);

	/* Folder 0700, files 0600. */
	s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	store_close(s);
	struct stat st;
	CU_ASSERT_EQUAL(stat(store_path(d), &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
	snprintf(f, sizeof(f), "%s/data.mdb", store_path(d));
	CU_ASSERT_EQUAL(stat(f, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0077, 0);

	/* Another format is refused, not misread. */
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	CU_ASSERT_EQUAL_FATAL(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	CU_ASSERT_EQUAL_FATAL(mdb_env_open(env, store_path(d), 0, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_txn_begin(env, NULL, 0, &txn), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_dbi_open(txn, "info", 0, &dbi), 0);
	uint8_t nine[4] = {0, 0, 0, 99};
	MDB_val k = {6, (void *)"format"}, v = {4, nine};
	CU_ASSERT_EQUAL(mdb_put(txn, dbi, &k, &v, 0), 0);
	CU_ASSERT_EQUAL(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	s = NULL;
	CU_ASSERT_EQUAL(store_open(store_path(d), &o, &s), SN_ESTORE);
	CU_ASSERT(strstr(err, "format 99") != NULL);
	CU_ASSERT_PTR_NULL(s);
	store_close(NULL);
	rm_dir(d);
}

static int
list_cb(void *ctx, const store_zone_meta_t *m)
{
	char *buf = ctx;
	char name[DNAME_MAXTEXT];
	dname_to_text(m->apex, name, sizeof(name));
	strcat(buf, name);
	strcat(buf, " ");
	return SN_OK;
}

static int
list_stop_cb(void *ctx, const store_zone_meta_t *m)
{
	(void)m;
	(*(int *)ctx)++;
	return SN_EEXIST;
}

static void
test_store_catalogue(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	store_txn_t *t;
	uint8_t a[DNAME_MAXLEN], b[DNAME_MAXLEN], c[DNAME_MAXLEN], root[DNAME_MAXLEN];
	name_wire("Example.COM.", a);
	name_wire("a.example.com.", b);
	name_wire("example.net.", c);
	name_wire(".", root);

	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	store_zone_meta_t m;
	memset(&m, 0, sizeof(m));
	strcpy(m.file, "/var/lib/zones/example.com.zone");
	m.file_mtime_ns = 1234567890123456789LL;
	m.file_size = 4242;
	m.file_inode = 77;
	m.file_dev = 2049;
	for (int i = 0; i < STORE_HASH_LEN; i++) {
		m.file_hash[i] = (uint8_t)(i * 3);
	}
	m.last_load = 1700000000;
	m.journal_max_entries = 10;
	m.journal_max_bytes = 12345;
	m.serial = 99; /* kept by the store: ignored */
	m.id = 1000;   /* same */
	CU_ASSERT_EQUAL(store_zone_add(t, a, &m), SN_OK);
	CU_ASSERT_EQUAL(store_zone_add(t, c, NULL), SN_OK);
	CU_ASSERT_EQUAL(store_zone_add(t, b, NULL), SN_OK);
	CU_ASSERT_EQUAL(store_zone_add(t, root, NULL), SN_OK);
	uint8_t a2[DNAME_MAXLEN];
	name_wire("EXAMPLE.com.", a2);
	CU_ASSERT_EQUAL(store_zone_add(t, a2, NULL), SN_EEXIST);
	CU_ASSERT_EQUAL(store_zone_add(t, (const uint8_t *)"\xc0\x01", NULL), SN_EINVAL);
	store_zone_meta_t bad;
	memset(&bad, 'x', sizeof(bad));
	CU_ASSERT_EQUAL(store_zone_put_meta(t, a, &bad), SN_EINVAL); /* path without NUL */
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_OK);

	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	store_zone_meta_t g;
	CU_ASSERT_EQUAL(store_zone_get(t, a2, &g), SN_OK);
	CU_ASSERT_STRING_EQUAL(g.file, m.file);
	CU_ASSERT_EQUAL(g.file_mtime_ns, m.file_mtime_ns);
	CU_ASSERT_EQUAL(g.file_size, 4242);
	CU_ASSERT_EQUAL(g.file_inode, 77);
	CU_ASSERT_EQUAL(g.file_dev, 2049);
	CU_ASSERT_EQUAL(memcmp(g.file_hash, m.file_hash, STORE_HASH_LEN), 0);
	CU_ASSERT_EQUAL(g.last_load, 1700000000);
	CU_ASSERT_EQUAL(g.journal_max_entries, 10);
	CU_ASSERT_EQUAL(g.journal_max_bytes, 12345);
	CU_ASSERT_EQUAL(g.serial, 0);
	CU_ASSERT_FALSE(g.has_soa);
	CU_ASSERT_EQUAL(g.id, 1);
	CU_ASSERT_EQUAL(memcmp(g.apex, a, dname_len(a)), 0); /* case as added */
	store_zone_meta_t gb;
	CU_ASSERT_EQUAL(store_zone_get(t, b, &gb), SN_OK);
	CU_ASSERT_EQUAL(gb.id, 3);
	uint8_t none[DNAME_MAXLEN];
	name_wire("nope.example.", none);
	CU_ASSERT_EQUAL(store_zone_get(t, none, &g), SN_ENOTFOUND);
	/* A write in a read transaction is refused. */
	CU_ASSERT_EQUAL(store_zone_add(t, none, NULL), SN_EINVAL);

	char buf[512] = "";
	CU_ASSERT_EQUAL(store_zone_list(t, list_cb, buf), SN_OK);
	CU_ASSERT_STRING_EQUAL(buf, ". Example.COM. a.example.com. example.net. ");
	int calls = 0;
	CU_ASSERT_EQUAL(store_zone_list(t, list_stop_cb, &calls), SN_EEXIST);
	CU_ASSERT_EQUAL(calls, 1);
	store_txn_abort(t);

	/* put_meta changes only the caller's fields. */
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	m.file_size = 1;
	strcpy(m.file, "other");
	CU_ASSERT_EQUAL(store_zone_put_meta(t, a, &m), SN_OK);
	CU_ASSERT_EQUAL(store_zone_put_meta(t, none, &m), SN_ENOTFOUND);
	CU_ASSERT_EQUAL(store_zone_remove(t, c), SN_OK);
	CU_ASSERT_EQUAL(store_zone_remove(t, c), SN_ENOTFOUND);
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_OK);
	store_close(s);

	/* Survives a reopen; ids are not reused. */
	s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_get(t, a, &g), SN_OK);
	CU_ASSERT_STRING_EQUAL(g.file, "other");
	CU_ASSERT_EQUAL(g.file_size, 1);
	CU_ASSERT_EQUAL(g.id, 1);
	CU_ASSERT_EQUAL(store_zone_add(t, c, NULL), SN_OK);
	CU_ASSERT_EQUAL(store_zone_get(t, c, &g), SN_OK);
	CU_ASSERT_EQUAL(g.id, 5);
	buf[0] = '\0';
	CU_ASSERT_EQUAL(store_zone_list(t, list_cb, buf), SN_OK);
	CU_ASSERT_STRING_EQUAL(buf, ". Example.COM. a.example.com. example.net. ");
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_OK);
	store_close(s);
	rm_dir(d);
}

static void
check_read_equal(store_t *s, const char *apex_text, const rrlist_t *want)
{
	uint8_t apex[DNAME_MAXLEN];
	name_wire(apex_text, apex);
	store_txn_t *t;
	rrlist_t *got = NULL;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_read(t, apex, &got), SN_OK);
	if (got != NULL) {
		CU_ASSERT(rrlist_is_sorted(got));
		CU_ASSERT(lists_equal(want, got, true));
	}
	/* The cursor gives the same records in the same order. */
	store_cursor_t *c;
	CU_ASSERT_EQUAL_FATAL(store_cursor_new(t, apex, &c), SN_OK);
	store_rr_t rr;
	size_t i = 0;
	int rc;
	while ((rc = store_cursor_next(c, &rr)) == SN_OK) {
		if (i < rrlist_count(want)) {
			rrlist_rr_t w = rrlist_get(want, i);
			CU_ASSERT(w.type == rr.type && w.ttl == rr.ttl && w.rdlen == rr.rdlen &&
			          memcmp(w.rdata, rr.rdata, rr.rdlen) == 0 &&
			          memcmp(w.owner, rr.owner, dname_len(w.owner)) == 0);
		}
		i++;
	}
	CU_ASSERT_EQUAL(rc, SN_ENOTFOUND);
	CU_ASSERT_EQUAL(store_cursor_next(c, &rr), SN_ENOTFOUND);
	CU_ASSERT_EQUAL(i, rrlist_count(want));
	store_cursor_free(c);
	store_zone_meta_t m;
	CU_ASSERT_EQUAL(store_zone_get(t, apex, &m), SN_OK);
	CU_ASSERT_EQUAL(m.record_count, rrlist_count(want));
	store_txn_abort(t);
	rrlist_free(got);
}

static void
test_store_import_read(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	rrlist_t *l = fixed_zone();
	CU_ASSERT_EQUAL(store_write(s, import_fixed, l), SN_OK);
	check_read_equal(s, "example.com.", l);

	store_txn_t *t;
	uint8_t apex[DNAME_MAXLEN];
	name_wire("example.com.", apex);
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	store_zone_meta_t m;
	CU_ASSERT_EQUAL(store_zone_get(t, apex, &m), SN_OK);
	CU_ASSERT(m.has_soa);
	CU_ASSERT_EQUAL(m.serial, 7);
	store_rr_t soa;
	CU_ASSERT_EQUAL(store_zone_soa(t, apex, &soa), SN_OK);
	CU_ASSERT_EQUAL(soa.type, RRTYPE_SOA);
	CU_ASSERT_EQUAL(soa.ttl, 3600);
	CU_ASSERT(soa.rdlen > 20 && soa.rdata[soa.rdlen - 17] == 7);
	char mname[DNAME_MAXTEXT];
	CU_ASSERT(dname_to_text(soa.rdata, mname, sizeof(mname)) > 0);
	CU_ASSERT_STRING_EQUAL(mname, "ns.Example.com."); /* case as written */
	store_txn_abort(t);
	store_close(s);

	/* Close and reopen: the same, and importing again replaces. */
	s = open_store(store_path(d), 0, 0, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	check_read_equal(s, "example.com.", l);
	rrlist_t *small =
	    parse_zone("example.com.", "@ 60 SOA ns admin 8 1 1 1 1\n@ NS ns\nns A 192.0.2.1\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(small);
	CU_ASSERT_EQUAL(store_write(s, import_fixed, small), SN_OK);
	check_read_equal(s, "example.com.", small);
	store_close(s);
	rrlist_free(small);
	rrlist_free(l);
	rm_dir(d);
}

static void
test_store_import_errors(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint8_t apex[DNAME_MAXLEN], other[DNAME_MAXLEN];
	name_wire("example.com.", apex);
	name_wire("example.org.", other);
	store_txn_t *t;
	rrlist_t *l = fixed_zone();
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_import(t, apex, l), SN_ENOTFOUND);
	CU_ASSERT_EQUAL(store_zone_add(t, other, NULL), SN_OK);
	/* Records of example.com. do not belong in example.org. */
	CU_ASSERT_EQUAL(store_zone_import(t, other, l), SN_EINVAL);
	rrlist_t *no_soa = parse_zone("example.org.", "@ 60 NS ns\nns A 192.0.2.1\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(no_soa);
	rrlist_t *two_soa = parse_zone("example.org.", "@ 60 SOA ns admin 8 1 1 1 1\n"
	                                               "@ 60 SOA ns admin 9 1 1 1 1\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(two_soa);
	CU_ASSERT_EQUAL(store_zone_import(t, other, two_soa), SN_EINVAL);
	uint8_t a[4] = {192, 0, 2, 1};
	rrlist_t *unsorted = rrlist_new();
	CU_ASSERT_EQUAL(add_rr(unsorted, other, RRTYPE_A, 60, a, 4), SN_OK);
	CU_ASSERT_EQUAL(store_zone_import(t, other, unsorted), SN_EINVAL);
	/* Refusals before any change leave the transaction usable. */
	CU_ASSERT_EQUAL(store_zone_import(t, other, no_soa), SN_OK);
	store_zone_meta_t m;
	CU_ASSERT_EQUAL(store_zone_get(t, other, &m), SN_OK);
	CU_ASSERT_FALSE(m.has_soa);
	CU_ASSERT_EQUAL(m.record_count, 2);
	store_rr_t soa;
	CU_ASSERT_EQUAL(store_zone_soa(t, other, &soa), SN_ENOTFOUND);
	/* Without an SOA there is nothing to diff against. */
	zdiff_t *dd = NULL;
	CU_ASSERT_EQUAL(store_zone_diff(t, other, two_soa, &dd), SN_ENOTFOUND);
	CU_ASSERT_PTR_NULL(dd);
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_OK);
	store_close(s);
	rrlist_free(l);
	rrlist_free(no_soa);
	rrlist_free(two_soa);
	rrlist_free(unsorted);
	rm_dir(d);
}

/* Damages one value of database `db` (picked by `rng`) in the store at
 * `dir`: truncated, a changed byte, or bytes added. */
static void
damage(const char *dir, const char *db, uint64_t *rng)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *c;
	MDB_val k, v;
	CU_ASSERT_EQUAL_FATAL(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	CU_ASSERT_EQUAL_FATAL(mdb_env_open(env, dir, 0, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_txn_begin(env, NULL, 0, &txn), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_dbi_open(txn, db, 0, &dbi), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_cursor_open(txn, dbi, &c), 0);
	unsigned skip = rnd(rng, 24);
	int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	for (unsigned i = 0; i < skip && rc == 0; i++) {
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	if (rc != 0) {
		rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	uint8_t *copy = malloc(v.mv_size + 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, v.mv_data, v.mv_size);
	size_t len = v.mv_size;
	switch (rnd(rng, 3)) {
	case 0:
		len = rnd(rng, (unsigned)len); /* truncated */
		break;
	case 1:
		copy[rnd(rng, (unsigned)len)] ^= (uint8_t)(1 + rnd(rng, 255));
		break;
	default:
		memset(copy + len, 0xff, 8); /* trailing bytes */
		len += 1 + rnd(rng, 8);
	}
	MDB_val nv = {len, copy};
	CU_ASSERT_EQUAL(mdb_cursor_put(c, &k, &nv, MDB_CURRENT), 0);
	free(copy);
	mdb_cursor_close(c);
	CU_ASSERT_EQUAL(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* Corrupt stored bytes give SN_ESTORE (or, when the damage still reads as
 * valid data, a result), never a crash or a sanitizer report. */
static void
test_store_corrupt(void)
{
	rrlist_t *l = fixed_zone();
	uint8_t apex[DNAME_MAXLEN];
	name_wire("example.com.", apex);
	uint64_t rng = test_seed() + 17;
	unsigned estore = 0;

	for (int round = 0; round < 40; round++) {
		char *d = tmp_dir();
		store_t *s = open_store(store_path(d), 0, 0, true);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(store_write(s, import_fixed, l), SN_OK);
		/* A journal entry to damage too. */
		store_txn_t *t;
		zdiff_t *df = NULL;
		CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
		CU_ASSERT_EQUAL(store_zone_diff(t, apex, l, &df), SN_OK);
		CU_ASSERT_EQUAL(store_zone_apply(t, apex, df, 8), SN_OK);
		CU_ASSERT_EQUAL(store_txn_commit(t), SN_OK);
		zdiff_free(df);
		df = NULL;
		store_close(s);

		static const char *const dbs[] = {"records", "records", "records", "zones",
		                                  "journal"};
		damage(store_path(d), dbs[round % 5], &rng);

		s = open_store(store_path(d), 0, 0, true);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		rrlist_t *got = NULL;
		CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
		int rc = store_zone_read(t, apex, &got);
		CU_ASSERT(rc == SN_OK || rc == SN_ESTORE);
		estore += rc == SN_ESTORE;
		rc = store_zone_diff(t, apex, l, &df);
		CU_ASSERT(rc == SN_OK || rc == SN_ESTORE || rc == SN_ENOTFOUND);
		if (rc == SN_OK) {
			rc = store_zone_apply(t, apex, df, 9);
			CU_ASSERT(rc == SN_OK || rc == SN_ESTORE || rc == SN_EINVAL);
		}
		journal_iter_t *it = NULL;
		rc = journal_iter_new(t, apex, 7, &it);
		if (rc == SN_OK) {
			journal_entry_t e;
			store_rr_t rr;
			journal_part_t part;
			while ((rc = journal_iter_next(it, &e)) == SN_OK) {
				while ((rc = journal_iter_rr(it, &rr, &part)) == SN_OK) {
				}
				CU_ASSERT(rc == SN_ENOTFOUND || rc == SN_ESTORE);
			}
			CU_ASSERT(rc == SN_ENOTFOUND || rc == SN_ESTORE);
		}
		journal_iter_free(it);
		zdiff_free(df);
		rrlist_free(got);
		store_txn_abort(t);
		store_close(s);
		rm_dir(d);
	}
	CU_ASSERT(estore > 0); /* the damage was seen */
	rrlist_free(l);
}

/* ---- the reference model of a zone ---- */

#define M_NAMES 300
#define M_KEYMAX 160

/* A record as one byte string: owner (wire, case as written), type,
 * RDATA length, RDATA, then TTL last, so that records equal but for the
 * TTL are neighbours when sorted. */
typedef struct mrec {
	uint16_t len;
	uint8_t b[M_KEYMAX];
} mrec_t;

typedef struct model {
	mrec_t *r;
	size_t n;
	size_t cap;
} model_t;

static uint8_t m_names[M_NAMES][DNAME_MAXLEN];
static uint8_t m_apex[DNAME_MAXLEN];
static bool m_names_ready;

static void
model_names(void)
{
	if (m_names_ready) {
		return;
	}
	name_wire("Example.", m_apex);
	for (unsigned i = 0; i < M_NAMES; i++) {
		char t[64];
		switch (i % 6) {
		case 0:
			snprintf(t, sizeof(t), "h%u.example.", i / 6);
			break;
		case 1:
			snprintf(t, sizeof(t), "H%u.EXAMPLE.", i / 6 + 1000);
			break;
		case 2:
			snprintf(t, sizeof(t), "a.h%u.example.", i / 6);
			break;
		case 3:
			snprintf(t, sizeof(t), "\\000.h%u.example.", i / 6);
			break;
		case 4:
			snprintf(t, sizeof(t), "*.w%u.example.", i / 6);
			break;
		default:
			snprintf(t, sizeof(t), "example.");
			break;
		}
		name_wire(t, m_names[i]);
	}
	m_names_ready = true;
}

static int
mrec_cmp(const void *pa, const void *pb)
{
	const mrec_t *a = pa, *b = pb;
	int c = memcmp(a->b, b->b, a->len < b->len ? a->len : b->len);
	if (c != 0) {
		return c;
	}
	return (a->len > b->len) - (a->len < b->len);
}

/* Same but for the TTL (the last 4 bytes). */
static bool
mrec_same_rr(const mrec_t *a, const mrec_t *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len - 4u) == 0;
}

static void
mrec_make(mrec_t *m, const uint8_t *owner, uint16_t type, const uint8_t *rd, uint16_t rdlen,
          uint32_t ttl)
{
	size_t ol = dname_len(owner);
	memcpy(m->b, owner, ol);
	m->b[ol] = (uint8_t)(type >> 8);
	m->b[ol + 1] = (uint8_t)type;
	m->b[ol + 2] = (uint8_t)(rdlen >> 8);
	m->b[ol + 3] = (uint8_t)rdlen;
	memcpy(m->b + ol + 4, rd, rdlen);
	size_t p = ol + 4 + rdlen;
	m->b[p] = (uint8_t)(ttl >> 24);
	m->b[p + 1] = (uint8_t)(ttl >> 16);
	m->b[p + 2] = (uint8_t)(ttl >> 8);
	m->b[p + 3] = (uint8_t)ttl;
	m->len = (uint16_t)(p + 4);
}

static store_rr_t
mrec_rr(const mrec_t *m)
{
	size_t ol = dname_len(m->b);
	uint16_t rdlen = (uint16_t)((m->b[ol + 2] << 8) | m->b[ol + 3]);
	const uint8_t *t = m->b + ol + 4 + rdlen;
	return (store_rr_t){
	    .owner = m->b,
	    .type = (uint16_t)((m->b[ol] << 8) | m->b[ol + 1]),
	    .rclass = RRCLASS_IN,
	    .ttl = ((uint32_t)t[0] << 24) | ((uint32_t)t[1] << 16) | ((uint32_t)t[2] << 8) | t[3],
	    .rdlen = rdlen,
	    .rdata = m->b + ol + 4,
	};
}

static void
mrec_from_rr(mrec_t *m, const rrlist_rr_t *r)
{
	mrec_make(m, r->owner, r->type, r->rdata, r->rdlen, r->ttl);
}

static void
model_free(model_t *m)
{
	free(m->r);
	m->r = NULL;
	m->n = m->cap = 0;
}

static void
model_copy(model_t *dst, const model_t *src)
{
	model_free(dst);
	dst->r = malloc((src->n + 1) * sizeof(mrec_t));
	memcpy(dst->r, src->r, src->n * sizeof(mrec_t));
	dst->n = dst->cap = src->n;
}

static size_t
model_find(const model_t *m, const mrec_t *k)
{
	const mrec_t *p = bsearch(k, m->r, m->n, sizeof(mrec_t), mrec_cmp);
	return p != NULL ? (size_t)(p - m->r) : (size_t)-1;
}

/* Index of a record equal to `k` but maybe for the TTL, or -1. */
static size_t
model_find_rr(const model_t *m, const mrec_t *k)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (mrec_cmp(&m->r[mid], k) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	for (size_t i = lo > 0 ? lo - 1 : 0; i < m->n && i <= lo + 1; i++) {
		if (mrec_same_rr(&m->r[i], k)) {
			return i;
		}
	}
	return (size_t)-1;
}

static void
model_insert(model_t *m, const mrec_t *r)
{
	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 256 : m->cap * 2;
		m->r = realloc(m->r, m->cap * sizeof(mrec_t));
	}
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (mrec_cmp(&m->r[mid], r) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	memmove(m->r + lo + 1, m->r + lo, (m->n - lo) * sizeof(mrec_t));
	m->r[lo] = *r;
	m->n++;
}

static void
model_delete(model_t *m, size_t i)
{
	memmove(m->r + i, m->r + i + 1, (m->n - i - 1) * sizeof(mrec_t));
	m->n--;
}

/* A random record: small value spaces, so that adds collide with what is
 * there and removes find something. */
static void
random_rr(uint64_t *rng, mrec_t *out)
{
	uint8_t rd[64];
	uint16_t rdlen;
	uint16_t type;
	const uint8_t *owner = m_names[rnd(rng, M_NAMES)];
	uint32_t ttl = 300u * (1 + rnd(rng, 3));

	switch (rnd(rng, 6)) {
	case 0:
		type = RRTYPE_A;
		rd[0] = 192, rd[1] = 0, rd[2] = 2, rd[3] = (uint8_t)rnd(rng, 6);
		rdlen = 4;
		break;
	case 1:
		type = RRTYPE_AAAA;
		memset(rd, 0, 16);
		rd[0] = 0x20, rd[1] = 0x01, rd[2] = 0x0d, rd[3] = 0xb8;
		rd[15] = (uint8_t)rnd(rng, 4);
		rdlen = 16;
		break;
	case 2: {
		type = RRTYPE_TXT;
		unsigned n = 1 + rnd(rng, 3);
		rd[0] = (uint8_t)n;
		for (unsigned i = 0; i < n; i++) {
			rd[1 + i] = (uint8_t)('a' + rnd(rng, 2));
		}
		rdlen = (uint16_t)(n + 1);
		break;
	}
	case 3: {
		type = RRTYPE_MX;
		rd[0] = 0;
		rd[1] = (uint8_t)(10 * rnd(rng, 2));
		uint8_t tn[DNAME_MAXLEN];
		char t[32];
		snprintf(t, sizeof(t), "mx%u.example.", rnd(rng, 3));
		name_wire(t, tn);
		memcpy(rd + 2, tn, dname_len(tn));
		rdlen = (uint16_t)(2 + dname_len(tn));
		break;
	}
	case 4: {
		type = RRTYPE_CAA; /* 257: above 255, tests the key's type order */
		static const char v[] = "ca0.net";
		rd[0] = 0;
		rd[1] = 5;
		memcpy(rd + 2, "issue", 5);
		memcpy(rd + 7, v, sizeof(v) - 1);
		rd[9] = (uint8_t)('0' + rnd(rng, 3));
		rdlen = (uint16_t)(7 + sizeof(v) - 1);
		break;
	}
	default: {
		type = 65280; /* private use: opaque RDATA */
		unsigned n = rnd(rng, 4);
		for (unsigned i = 0; i < n; i++) {
			rd[i] = (uint8_t)rnd(rng, 3);
		}
		rdlen = (uint16_t)n;
		break;
	}
	}
	mrec_make(out, owner, type, rd, rdlen, ttl);
}

/* One random change to `m`: adds, removes, TTL changes. */
static void
model_change(model_t *m, uint64_t *rng, unsigned ops)
{
	for (unsigned k = 0; k < ops; k++) {
		unsigned what = rnd(rng, 10);
		if (what < 5 || m->n == 0) {
			mrec_t r;
			random_rr(rng, &r);
			if (model_find_rr(m, &r) == (size_t)-1) {
				model_insert(m, &r);
			}
		} else if (what < 8) {
			model_delete(m, rnd(rng, (unsigned)m->n));
		} else {
			size_t i = rnd(rng, (unsigned)m->n);
			mrec_t r = m->r[i];
			uint32_t ttl = 300u * (1 + rnd(rng, 5));
			r.b[r.len - 4] = (uint8_t)(ttl >> 24);
			r.b[r.len - 3] = (uint8_t)(ttl >> 16);
			r.b[r.len - 2] = (uint8_t)(ttl >> 8);
			r.b[r.len - 1] = (uint8_t)ttl;
			model_delete(m, i);
			model_insert(m, &r);
		}
	}
}

static void
soa_rdata(uint32_t serial, uint8_t *rd, uint16_t *len)
{
	uint8_t mn[DNAME_MAXLEN], rn[DNAME_MAXLEN];
	name_wire("ns.example.", mn);
	name_wire("admin.example.", rn);
	size_t p = 0;
	memcpy(rd, mn, dname_len(mn));
	p += dname_len(mn);
	memcpy(rd + p, rn, dname_len(rn));
	p += dname_len(rn);
	uint32_t f[5] = {serial, 3600, 600, 86400, 300};
	for (int i = 0; i < 5; i++) {
		rd[p++] = (uint8_t)(f[i] >> 24);
		rd[p++] = (uint8_t)(f[i] >> 16);
		rd[p++] = (uint8_t)(f[i] >> 8);
		rd[p++] = (uint8_t)f[i];
	}
	*len = (uint16_t)p;
}

/* The zone of model `m` at `serial`: its records plus SOA and NS. */
static rrlist_t *
model_list(const model_t *m, uint32_t serial)
{
	rrlist_t *l = rrlist_new();
	uint8_t rd[600], ns[DNAME_MAXLEN];
	uint16_t rdlen;
	soa_rdata(serial, rd, &rdlen);
	CU_ASSERT_FATAL(add_rr(l, m_apex, RRTYPE_SOA, 3600, rd, rdlen) == SN_OK);
	name_wire("ns.example.", ns);
	CU_ASSERT_FATAL(add_rr(l, m_apex, RRTYPE_NS, 3600, ns, (uint16_t)dname_len(ns)) == SN_OK);
	for (size_t i = 0; i < m->n; i++) {
		store_rr_t r = mrec_rr(&m->r[i]);
		CU_ASSERT_FATAL(add_rr(l, r.owner, r.type, r.ttl, r.rdata, r.rdlen) == SN_OK);
	}
	CU_ASSERT_FATAL(rrlist_sort(l) == SN_OK);
	return l;
}

/* A model of 400 random records. */
static void
model_start(model_t *m, uint64_t *rng)
{
	model_names();
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < 100000 && m->n < 400; i++) {
		mrec_t r;
		random_rr(rng, &r);
		if (model_find_rr(m, &r) == (size_t)-1) {
			model_insert(m, &r);
		}
	}
}

/* Imports model `m` at `serial` as zone Example. */
static int
model_import(store_t *s, const model_t *m, uint32_t serial)
{
	store_txn_t *t;
	rrlist_t *l = model_list(m, serial);
	int rc = store_txn_begin(s, true, &t);
	if (rc == SN_OK) {
		rc = store_zone_add(t, m_apex, NULL);
		if (rc == SN_OK || rc == SN_EEXIST) {
			rc = store_zone_import(t, m_apex, l);
		}
		if (rc == SN_OK) {
			rc = store_txn_commit(t);
		} else {
			store_txn_abort(t);
		}
	}
	rrlist_free(l);
	return rc;
}

/* Applies `nm` (the model after a change) over `om` by store_zone_diff,
 * or by a hand-made diff as UPDATE would (TTL changes as plain adds),
 * checking the diff against the models. */
static int
model_apply(store_t *s, const model_t *om, const model_t *nm, uint32_t old_serial, uint32_t serial,
            bool by_hand)
{
	store_txn_t *t;
	zdiff_t *d = NULL;
	rrlist_t *nl = model_list(nm, serial);
	int rc = store_txn_begin(s, true, &t);
	if (rc != SN_OK) {
		rrlist_free(nl);
		return rc;
	}
	/* Expected: old records not in the new model, and the reverse. */
	size_t exp_rm = 0, exp_add = 0;
	for (size_t i = 0; i < om->n; i++) {
		exp_rm += model_find(nm, &om->r[i]) == (size_t)-1;
	}
	for (size_t i = 0; i < nm->n; i++) {
		exp_add += model_find(om, &nm->r[i]) == (size_t)-1;
	}
	if (!by_hand) {
		rc = store_zone_diff(t, m_apex, nl, &d);
		CHECK_SEED(rc == SN_OK);
		if (rc == SN_OK) {
			CHECK_SEED(zdiff_serial_before(d) == old_serial);
			CHECK_SEED(zdiff_serial_after(d) == serial);
			CHECK_SEED(rrlist_count(zdiff_removed(d)) == exp_rm);
			CHECK_SEED(rrlist_count(zdiff_added(d)) == exp_add);
			CHECK_SEED(zdiff_is_empty(d) == (exp_rm == 0 && exp_add == 0));
			for (size_t i = 0; i < rrlist_count(zdiff_removed(d)); i++) {
				rrlist_rr_t r = rrlist_get(zdiff_removed(d), i);
				mrec_t k;
				mrec_from_rr(&k, &r);
				CHECK_SEED(model_find(om, &k) != (size_t)-1);
				CHECK_SEED(model_find(nm, &k) == (size_t)-1);
			}
			for (size_t i = 0; i < rrlist_count(zdiff_added(d)); i++) {
				rrlist_rr_t r = rrlist_get(zdiff_added(d), i);
				mrec_t k;
				mrec_from_rr(&k, &r);
				CHECK_SEED(model_find(nm, &k) != (size_t)-1);
				CHECK_SEED(model_find(om, &k) == (size_t)-1);
			}
		}
	} else {
		uint8_t rd[600];
		uint16_t rdlen;
		store_rr_t soa = {.owner = m_apex,
		                  .type = RRTYPE_SOA,
		                  .rclass = RRCLASS_IN,
		                  .ttl = 3600,
		                  .rdata = rd};
		rc = zdiff_new(&d);
		CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
		soa_rdata(old_serial, rd, &rdlen);
		soa.rdlen = rdlen;
		CU_ASSERT_EQUAL(zdiff_set_soa_before(d, &soa), SN_OK);
		/* The serial of the SOA after is overridden by the caller's. */
		soa_rdata(12345, rd, &rdlen);
		CU_ASSERT_EQUAL(zdiff_set_soa_after(d, &soa), SN_OK);
		for (size_t i = om->n; i-- > 0;) { /* backwards: the sort must work */
			if (model_find(nm, &om->r[i]) == (size_t)-1 &&
			    model_find_rr(nm, &om->r[i]) == (size_t)-1) {
				store_rr_t r = mrec_rr(&om->r[i]);
				CU_ASSERT_EQUAL(zdiff_remove(d, &r), SN_OK);
			}
		}
		for (size_t i = nm->n; i-- > 0;) {
			if (model_find(om, &nm->r[i]) == (size_t)-1) {
				store_rr_t r = mrec_rr(&nm->r[i]);
				CU_ASSERT_EQUAL(zdiff_add(d, &r), SN_OK);
			}
		}
		CU_ASSERT_EQUAL(zdiff_sort(d), SN_OK);
	}
	if (rc == SN_OK) {
		rc = store_zone_apply(t, m_apex, d, serial);
		CHECK_SEED(rc == SN_OK);
	}
	if (rc == SN_OK) {
		rc = store_txn_commit(t);
	} else {
		store_txn_abort(t);
	}
	zdiff_free(d);
	rrlist_free(nl);
	return rc;
}

static void
check_model(store_t *s, const model_t *m, uint32_t serial)
{
	rrlist_t *want = model_list(m, serial);
	store_txn_t *t;
	rrlist_t *got = NULL;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CHECK_SEED(store_zone_read(t, m_apex, &got) == SN_OK);
	if (got != NULL) {
		CHECK_SEED(lists_equal(want, got, true));
	}
	store_zone_meta_t meta;
	CU_ASSERT_EQUAL(store_zone_get(t, m_apex, &meta), SN_OK);
	CHECK_SEED(meta.serial == serial);
	CHECK_SEED(meta.record_count == rrlist_count(want));
	store_txn_abort(t);
	rrlist_free(got);
	rrlist_free(want);
}

/* Replays the journal from `from` onto `m` (which is at `from`): IXFR's
 * view. Returns the serial reached. */
static uint32_t
journal_replay(store_t *s, model_t *m, uint32_t from, size_t *entries)
{
	store_txn_t *t;
	journal_iter_t *it;
	journal_entry_t e;
	uint32_t at = from;
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CHECK_SEED(journal_iter_new(t, m_apex, from, &it) == SN_OK);
	int rc;
	while ((rc = journal_iter_next(it, &e)) == SN_OK) {
		CHECK_SEED(e.serial_from == at);
		store_rr_t rr;
		journal_part_t part;
		uint32_t nrm = 0, nadd = 0, nsoa = 0;
		while ((rc = journal_iter_rr(it, &rr, &part)) == SN_OK) {
			mrec_t k;
			uint32_t serial;
			switch (part) {
			case JOURNAL_SOA_BEFORE:
			case JOURNAL_SOA_AFTER:
				nsoa++;
				serial = ((uint32_t)rr.rdata[rr.rdlen - 20] << 24) |
				         ((uint32_t)rr.rdata[rr.rdlen - 19] << 16) |
				         ((uint32_t)rr.rdata[rr.rdlen - 18] << 8) |
				         rr.rdata[rr.rdlen - 17];
				CHECK_SEED(serial == (part == JOURNAL_SOA_BEFORE ? e.serial_from
				                                                 : e.serial_to));
				CHECK_SEED(nsoa == 1 ? part == JOURNAL_SOA_BEFORE
				                     : part == JOURNAL_SOA_AFTER);
				break;
			case JOURNAL_REMOVED: {
				nrm++;
				CHECK_SEED(nsoa == 1);
				mrec_make(&k, rr.owner, rr.type, rr.rdata, rr.rdlen, rr.ttl);
				size_t i = model_find(m, &k);
				CHECK_SEED(i != (size_t)-1);
				if (i != (size_t)-1) {
					model_delete(m, i);
				}
				break;
			}
			case JOURNAL_ADDED: {
				nadd++;
				CHECK_SEED(nsoa == 2);
				mrec_make(&k, rr.owner, rr.type, rr.rdata, rr.rdlen, rr.ttl);
				size_t i = model_find_rr(m, &k); /* a TTL change may come alone */
				if (i != (size_t)-1) {
					model_delete(m, i);
				}
				model_insert(m, &k);
				break;
			}
			}
		}
		CHECK_SEED(rc == SN_ENOTFOUND);
		CHECK_SEED(nrm == e.removed_count && nadd == e.added_count && nsoa == 2);
		at = e.serial_to;
		n++;
	}
	CHECK_SEED(rc == SN_ENOTFOUND);
	journal_iter_free(it);
	store_txn_abort(t);
	*entries = n;
	return at;
}

static void
test_store_diff_random(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint64_t rng = test_seed() * 7919ull + 1;
	model_t m, prev = {0}, first = {0};
	model_start(&m, &rng);
	uint32_t serial = 4000000000u; /* crosses 2^32: RFC 1982 arithmetic */
	CU_ASSERT_EQUAL_FATAL(model_import(s, &m, serial), SN_OK);
	check_model(s, &m, serial);
	model_copy(&first, &m);
	uint32_t first_serial = serial;

	unsigned changes = 0;
	for (unsigned step = 0; step < 400; step++) {
		model_copy(&prev, &m);
		unsigned ops = rnd(&rng, 4) == 0 ? 0 : 1 + rnd(&rng, 12);
		model_change(&m, &rng, ops);
		changes += ops;
		uint32_t old = serial;
		serial += 1 + rnd(&rng, 100000000);
		bool by_hand = rnd(&rng, 3) == 0;
		int rc = model_apply(s, &prev, &m, old, serial, by_hand);
		CHECK_SEED(rc == SN_OK);
		if (rc != SN_OK) {
			break;
		}
		if (step % 25 == 0) {
			check_model(s, &m, serial);
		}
	}
	CU_ASSERT(changes > 1000);
	check_model(s, &m, serial);
	store_close(s);

	/* After a reopen: the same zone, and the journal replays the whole
	 * history onto the first version. */
	s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	check_model(s, &m, serial);
	size_t entries = 0;
	uint32_t reached = journal_replay(s, &first, first_serial, &entries);
	CHECK_SEED(reached == serial);
	CHECK_SEED(entries == 400);
	CHECK_SEED(first.n == m.n);
	for (size_t i = 0; i < m.n && i < first.n; i++) {
		CHECK_SEED(mrec_cmp(&first.r[i], &m.r[i]) == 0);
	}
	store_close(s);
	model_free(&m);
	model_free(&prev);
	model_free(&first);
	rm_dir(d);
}

static void
test_store_diff_errors(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint64_t rng = test_seed() + 3;
	model_t m, m2 = {0};
	model_start(&m, &rng);
	CU_ASSERT_EQUAL_FATAL(model_import(s, &m, 10), SN_OK);

	store_txn_t *t;
	zdiff_t *d1 = NULL;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	/* Same content, same serial: an empty diff. */
	rrlist_t *same = model_list(&m, 10);
	CU_ASSERT_EQUAL(store_zone_diff(t, m_apex, same, &d1), SN_OK);
	CU_ASSERT(zdiff_is_empty(d1));
	CU_ASSERT_EQUAL(zdiff_serial_before(d1), 10);
	CU_ASSERT_EQUAL(zdiff_serial_after(d1), 10);
	/* Not greater than the stored serial (RFC 1982). */
	CU_ASSERT_EQUAL(store_zone_apply(t, m_apex, d1, 10), SN_EINVAL);
	CU_ASSERT_EQUAL(store_zone_apply(t, m_apex, d1, 10u + 0x80000000u), SN_EINVAL);
	zdiff_free(d1);
	/* Same serial, other content: not empty, serials equal. */
	model_copy(&m2, &m);
	model_change(&m2, &rng, 1);
	while (m2.n == m.n) {
		model_change(&m2, &rng, 1);
	}
	rrlist_t *changed = model_list(&m2, 10);
	CU_ASSERT_EQUAL(store_zone_diff(t, m_apex, changed, &d1), SN_OK);
	CU_ASSERT_FALSE(zdiff_is_empty(d1));
	CU_ASSERT_EQUAL(zdiff_serial_before(d1), zdiff_serial_after(d1));
	/* Applied with a bumped serial, as an auto-bump policy would. */
	CU_ASSERT_EQUAL(store_zone_apply(t, m_apex, d1, 11), SN_OK);
	/* The same diff again: made against serial 10, the zone is at 11. */
	CU_ASSERT_EQUAL(store_zone_apply(t, m_apex, d1, 12), SN_EINVAL);
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_OK);
	check_model(s, &m2, 11);
	char msg[STORE_ERRMSG_LEN];
	store_errmsg(s, msg, sizeof(msg));
	CU_ASSERT(strstr(msg, "made against serial 10") != NULL);

	/* A diff removing a record the zone does not hold: refused, and the
	 * transaction cannot be committed half-done. */
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	zdiff_t *bad;
	CU_ASSERT_EQUAL_FATAL(zdiff_new(&bad), SN_OK);
	uint8_t rd[600];
	uint16_t rdlen;
	store_rr_t soa = {
	    .owner = m_apex, .type = RRTYPE_SOA, .rclass = RRCLASS_IN, .ttl = 3600, .rdata = rd};
	soa_rdata(11, rd, &rdlen);
	soa.rdlen = rdlen;
	CU_ASSERT_EQUAL(zdiff_set_soa_before(bad, &soa), SN_OK);
	CU_ASSERT_EQUAL(zdiff_set_soa_after(bad, &soa), SN_OK);
	uint8_t ghost[DNAME_MAXLEN], a[4] = {198, 51, 100, 1};
	name_wire("zzz.ghost.example.", ghost);
	store_rr_t add = {.owner = m_names[0],
	                  .type = RRTYPE_A,
	                  .rclass = RRCLASS_IN,
	                  .ttl = 60,
	                  .rdlen = 4,
	                  .rdata = a};
	store_rr_t rm = {.owner = ghost,
	                 .type = RRTYPE_A,
	                 .rclass = RRCLASS_IN,
	                 .ttl = 60,
	                 .rdlen = 4,
	                 .rdata = a};
	CU_ASSERT_EQUAL(zdiff_add(bad, &add), SN_OK);
	CU_ASSERT_EQUAL(zdiff_remove(bad, &rm), SN_OK);
	/* Unsorted: refused before anything changes. */
	CU_ASSERT_EQUAL(store_zone_apply(t, m_apex, bad, 12), SN_EINVAL);
	CU_ASSERT_EQUAL(zdiff_sort(bad), SN_OK);
	CU_ASSERT_EQUAL(store_zone_apply(t, m_apex, bad, 12), SN_EINVAL);
	CU_ASSERT_EQUAL(store_zone_get(t, m_apex, &(store_zone_meta_t){0}), SN_EINVAL);
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_EINVAL);
	check_model(s, &m2, 11);
	zdiff_free(bad);

	/* An SOA in the lists, or a record outside the zone: refused. */
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL_FATAL(zdiff_new(&bad), SN_OK);
	CU_ASSERT_EQUAL(zdiff_set_soa_before(bad, &soa), SN_OK);
	CU_ASSERT_EQUAL(zdiff_set_soa_after(bad, &soa), SN_OK);
	CU_ASSERT_EQUAL(zdiff_add(bad, &soa), SN_OK);
	CU_ASSERT_EQUAL(zdiff_sort(bad), SN_OK);
	CU_ASSERT_EQUAL(store_zone_apply(t, m_apex, bad, 12), SN_EINVAL);
	zdiff_free(bad);
	CU_ASSERT_EQUAL_FATAL(zdiff_new(&bad), SN_OK);
	CU_ASSERT_EQUAL(zdiff_set_soa_before(bad, &soa), SN_OK);
	CU_ASSERT_EQUAL(zdiff_set_soa_after(bad, &soa), SN_OK);
	uint8_t out[DNAME_MAXLEN];
	name_wire("www.example.net.", out);
	add.owner = out;
	CU_ASSERT_EQUAL(zdiff_add(bad, &add), SN_OK);
	CU_ASSERT_EQUAL(zdiff_sort(bad), SN_OK);
	CU_ASSERT_EQUAL(store_zone_apply(t, m_apex, bad, 12), SN_EINVAL);
	/* No SOA after. */
	zdiff_t *nosoa;
	CU_ASSERT_EQUAL_FATAL(zdiff_new(&nosoa), SN_OK);
	CU_ASSERT_EQUAL(zdiff_set_soa_before(nosoa, &soa), SN_OK);
	CU_ASSERT_EQUAL(store_zone_apply(t, m_apex, nosoa, 12), SN_EINVAL);
	CU_ASSERT_EQUAL(zdiff_set_soa_after(nosoa, &add), SN_EINVAL); /* not an SOA */
	zdiff_free(nosoa);
	/* In a read transaction nothing is written. */
	store_txn_abort(t);
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_apply(t, m_apex, bad, 12), SN_EINVAL);
	/* A list with no SOA or two cannot be diffed. */
	rrlist_t *two = model_list(&m2, 12);
	uint8_t rd2[600];
	soa_rdata(13, rd2, &rdlen);
	CU_ASSERT_EQUAL(add_rr(two, m_apex, RRTYPE_SOA, 3600, rd2, rdlen), SN_OK);
	CU_ASSERT_EQUAL(rrlist_sort(two), SN_OK);
	zdiff_t *dd = NULL;
	CU_ASSERT_EQUAL(store_zone_diff(t, m_apex, two, &dd), SN_EINVAL);
	CU_ASSERT_PTR_NULL(dd);
	store_txn_abort(t);
	zdiff_free(bad);
	zdiff_free(d1);
	rrlist_free(two);
	rrlist_free(same);
	rrlist_free(changed);
	store_close(s);
	model_free(&m);
	model_free(&m2);
	rm_dir(d);
}

static uint32_t
journal_count(store_t *s, uint32_t *first)
{
	store_txn_t *t;
	store_zone_meta_t meta;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_get(t, m_apex, &meta), SN_OK);
	store_txn_abort(t);
	*first = meta.journal_serial_first;
	return meta.journal_count;
}

static int
set_limits(store_t *s, uint32_t entries, uint64_t bytes)
{
	store_txn_t *t;
	store_zone_meta_t meta;
	int rc = store_txn_begin(s, true, &t);
	if (rc != SN_OK) {
		return rc;
	}
	rc = store_zone_get(t, m_apex, &meta);
	meta.journal_max_entries = entries;
	meta.journal_max_bytes = bytes;
	if (rc == SN_OK) {
		rc = store_zone_put_meta(t, m_apex, &meta);
	}
	if (rc == SN_OK) {
		return store_txn_commit(t);
	}
	store_txn_abort(t);
	return rc;
}

static void
test_store_journal_bounds(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint64_t rng = test_seed() + 11;
	model_t m, prev = {0};
	model_t hist[32];
	memset(hist, 0, sizeof(hist));
	model_start(&m, &rng);
	CU_ASSERT_EQUAL_FATAL(model_import(s, &m, 1), SN_OK);
	CU_ASSERT_EQUAL(set_limits(s, 5, 0), SN_OK);
	model_copy(&hist[1], &m);
	for (uint32_t serial = 2; serial <= 20; serial++) {
		model_copy(&prev, &m);
		model_change(&m, &rng, 3);
		CU_ASSERT_EQUAL_FATAL(model_apply(s, &prev, &m, serial - 1, serial, false), SN_OK);
		model_copy(&hist[serial], &m);
		uint32_t first;
		uint32_t n = journal_count(s, &first);
		CU_ASSERT_EQUAL(n, serial - 1 < 5 ? serial - 1 : 5);
		CU_ASSERT_EQUAL(first, serial - 1 < 5 ? 1 : serial - 5);
	}
	/* The five kept: 15 -> 20; older serials need a full transfer. */
	store_txn_t *t;
	journal_iter_t *it = NULL;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CU_ASSERT_EQUAL(journal_iter_new(t, m_apex, 14, &it), SN_ENOTFOUND);
	CU_ASSERT_EQUAL(journal_iter_new(t, m_apex, 21, &it), SN_ENOTFOUND);
	CU_ASSERT_EQUAL(journal_iter_new(t, m_apex, 20, &it), SN_OK);
	journal_entry_t e;
	CU_ASSERT_EQUAL(journal_iter_next(it, &e), SN_ENOTFOUND); /* up to date */
	store_rr_t rr;
	journal_part_t part;
	CU_ASSERT_EQUAL(journal_iter_rr(it, &rr, &part), SN_EINVAL);
	journal_iter_free(it);
	store_txn_abort(t);
	size_t entries;
	model_t x = {0};
	model_copy(&x, &hist[15]);
	CU_ASSERT_EQUAL(journal_replay(s, &x, 15, &entries), 20);
	CU_ASSERT_EQUAL(entries, 5);
	CU_ASSERT_EQUAL(x.n, m.n);
	for (size_t i = 0; i < x.n && i < m.n; i++) {
		CHECK_SEED(mrec_cmp(&x.r[i], &m.r[i]) == 0);
	}

	/* A byte bound: only what fits stays, the newest always. */
	CU_ASSERT_EQUAL(set_limits(s, 1000, 1), SN_OK);
	model_copy(&prev, &m);
	model_change(&m, &rng, 3);
	CU_ASSERT_EQUAL(model_apply(s, &prev, &m, 20, 21, false), SN_OK);
	uint32_t first;
	/* The entry alone is over the bound: the journal restarts after it. */
	CU_ASSERT_EQUAL(journal_count(s, &first), 0);
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CU_ASSERT_EQUAL(journal_iter_new(t, m_apex, 20, &it), SN_ENOTFOUND);
	store_txn_abort(t);
	CU_ASSERT_EQUAL(set_limits(s, 1000, 4000), SN_OK);
	uint64_t total = 0;
	for (uint32_t serial = 22; serial <= 40; serial++) {
		model_copy(&prev, &m);
		model_change(&m, &rng, 2);
		CU_ASSERT_EQUAL_FATAL(model_apply(s, &prev, &m, serial - 1, serial, false), SN_OK);
		store_zone_meta_t meta;
		CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
		CU_ASSERT_EQUAL(store_zone_get(t, m_apex, &meta), SN_OK);
		store_txn_abort(t);
		CU_ASSERT(meta.journal_bytes <= 4000);
		CU_ASSERT(meta.journal_count >= 1);
		CU_ASSERT_EQUAL(meta.journal_serial_first, serial - meta.journal_count);
		total += meta.journal_count;
	}
	CU_ASSERT(total > 19); /* the bound kept several entries at times */

	/* Entries of one size B under a bound of 1.5 B: exactly one stays. */
	uint32_t serial = 40;
	uint64_t one = 0;
	CU_ASSERT_EQUAL(set_limits(s, 1, 0), SN_OK);
	for (int i = 0; i < 6; i++) {
		model_copy(&prev, &m);
		mrec_t r = m.r[0];
		r.b[r.len - 2] ^= 0x03; /* TTL 300 <-> 556: same length */
		model_delete(&m, 0);
		model_insert(&m, &r);
		CU_ASSERT_EQUAL_FATAL(model_apply(s, &prev, &m, serial, serial + 1, false), SN_OK);
		serial++;
		store_zone_meta_t meta;
		CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
		CU_ASSERT_EQUAL(store_zone_get(t, m_apex, &meta), SN_OK);
		store_txn_abort(t);
		if (i == 0) {
			CU_ASSERT_EQUAL(meta.journal_count, 1);
			one = meta.journal_bytes;
			CU_ASSERT_EQUAL(set_limits(s, 1000, one * 3 / 2), SN_OK);
			continue;
		}
		CU_ASSERT_EQUAL(meta.journal_count, 1);
		CU_ASSERT_EQUAL(meta.journal_bytes, one);
		CU_ASSERT_EQUAL(meta.journal_serial_first, serial - 1);
	}
	model_free(&x);
	model_free(&m);
	model_free(&prev);
	for (int i = 0; i < 32; i++) {
		model_free(&hist[i]);
	}
	store_close(s);
	rm_dir(d);
}

/* Counts the keys of zone `zid` in database `db`, straight from LMDB. */
static size_t
raw_count(const char *dir, const char *db, uint32_t zid)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *c;
	MDB_val k, v;
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	CU_ASSERT_EQUAL_FATAL(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_dbi_open(txn, db, 0, &dbi), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_cursor_open(txn, dbi, &c), 0);
	int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (rc == 0) {
		const uint8_t *p = k.mv_data;
		if (zid == 0 ||
		    (k.mv_size >= 4 && (((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		                        ((uint32_t)p[2] << 8) | p[3]) == zid)) {
			n++;
		}
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return n;
}

static int
import_named(store_t *s, const char *apex_text, const rrlist_t *l)
{
	uint8_t apex[DNAME_MAXLEN];
	store_txn_t *t;
	name_wire(apex_text, apex);
	int rc = store_txn_begin(s, true, &t);
	if (rc != SN_OK) {
		return rc;
	}
	rc = store_zone_add(t, apex, NULL);
	if (rc == SN_OK || rc == SN_EEXIST) {
		rc = store_zone_import(t, apex, l);
	}
	if (rc == SN_OK) {
		return store_txn_commit(t);
	}
	store_txn_abort(t);
	return rc;
}

/* Many records in zone `apex_text`: `n` names with an A each. */
static rrlist_t *
many_records(const char *apex_text, unsigned n, unsigned salt)
{
	uint8_t apex[DNAME_MAXLEN], owner[DNAME_MAXLEN], rd[600];
	uint16_t rdlen;
	rrlist_t *l = rrlist_new();
	name_wire(apex_text, apex);
	soa_rdata(1, rd, &rdlen);
	CU_ASSERT_FATAL(add_rr(l, apex, RRTYPE_SOA, 3600, rd, rdlen) == SN_OK);
	for (unsigned i = 0; i < n; i++) {
		char t[300];
		snprintf(t, sizeof(t), "host-%u-%u.%s", i, salt, apex_text);
		name_wire(t, owner);
		uint8_t a[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
		CU_ASSERT_FATAL(add_rr(l, owner, RRTYPE_A, 300, a, 4) == SN_OK);
	}
	CU_ASSERT_FATAL(rrlist_sort(l) == SN_OK);
	return l;
}

/* The longest canonical key there is: a 255-octet name of 0x00 octets,
 * each written as two key octets, in the root zone: a records key of
 * exactly 511 octets, LMDB's limit. */
static void
test_store_long_names(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint8_t root[DNAME_MAXLEN], longest[DNAME_MAXLEN], ns[DNAME_MAXLEN], rd[600];
	uint16_t rdlen;
	name_wire(".", root);
	name_wire("ns.example.", ns);
	size_t p = 0;
	static const uint8_t lens[] = {63, 63, 63, 61};
	for (int i = 0; i < 4; i++) {
		longest[p++] = lens[i];
		memset(longest + p, 0, lens[i]);
		p += lens[i];
	}
	longest[p++] = 0;
	CU_ASSERT_EQUAL_FATAL(p, DNAME_MAXLEN);
	rrlist_t *l = rrlist_new();
	soa_rdata(1, rd, &rdlen);
	CU_ASSERT_EQUAL(add_rr(l, root, RRTYPE_SOA, 3600, rd, rdlen), SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, root, RRTYPE_NS, 3600, ns, (uint16_t)dname_len(ns)), SN_OK);
	uint8_t a[4] = {192, 0, 2, 1};
	CU_ASSERT_EQUAL(add_rr(l, longest, RRTYPE_A, 60, a, 4), SN_OK);
	CU_ASSERT_EQUAL(add_rr(l, longest, 65535, 60, longest, DNAME_MAXLEN), SN_OK);
	CU_ASSERT_EQUAL(rrlist_sort(l), SN_OK);
	CU_ASSERT_EQUAL(import_named(s, ".", l), SN_OK);
	check_read_equal(s, ".", l);

	/* Change the long name's A record by a diff; the journal has it. */
	rrlist_t *l2 = rrlist_new();
	soa_rdata(2, rd, &rdlen);
	CU_ASSERT_EQUAL(add_rr(l2, root, RRTYPE_SOA, 3600, rd, rdlen), SN_OK);
	CU_ASSERT_EQUAL(add_rr(l2, root, RRTYPE_NS, 3600, ns, (uint16_t)dname_len(ns)), SN_OK);
	a[3] = 2;
	CU_ASSERT_EQUAL(add_rr(l2, longest, RRTYPE_A, 60, a, 4), SN_OK);
	CU_ASSERT_EQUAL(add_rr(l2, longest, 65535, 60, longest, DNAME_MAXLEN), SN_OK);
	CU_ASSERT_EQUAL(rrlist_sort(l2), SN_OK);
	store_txn_t *t;
	zdiff_t *df = NULL;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_diff(t, root, l2, &df), SN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(df);
	CU_ASSERT_EQUAL(rrlist_count(zdiff_removed(df)), 1);
	CU_ASSERT_EQUAL(rrlist_count(zdiff_added(df)), 1);
	CU_ASSERT_EQUAL(store_zone_apply(t, root, df, 2), SN_OK);
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_OK);
	zdiff_free(df);
	check_read_equal(s, ".", l2);
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	journal_iter_t *it;
	journal_entry_t e;
	CU_ASSERT_EQUAL_FATAL(journal_iter_new(t, root, 1, &it), SN_OK);
	CU_ASSERT_EQUAL(journal_iter_next(it, &e), SN_OK);
	CU_ASSERT_EQUAL(e.serial_from, 1);
	CU_ASSERT_EQUAL(e.serial_to, 2);
	store_rr_t rr;
	journal_part_t part;
	unsigned seen = 0;
	while (journal_iter_rr(it, &rr, &part) == SN_OK) {
		if (part == JOURNAL_REMOVED || part == JOURNAL_ADDED) {
			CU_ASSERT_EQUAL(memcmp(rr.owner, longest, DNAME_MAXLEN), 0);
			CU_ASSERT_EQUAL(rr.rdata[3], part == JOURNAL_REMOVED ? 1 : 2);
		}
		seen++;
	}
	CU_ASSERT_EQUAL(seen, 4);
	CU_ASSERT_EQUAL(journal_iter_next(it, &e), SN_ENOTFOUND);
	journal_iter_free(it);
	store_txn_abort(t);
	store_close(s);
	rrlist_free(l);
	rrlist_free(l2);
	rm_dir(d);
}

static void
test_store_zone_remove(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint64_t rng = test_seed() + 5;
	model_t m, prev = {0};
	model_start(&m, &rng);
	/* Zones before and after the model zone, and one inside it. */
	rrlist_t *a = many_records("a.", 3000, 1);
	rrlist_t *sub = many_records("h1.example.", 3000, 2);
	rrlist_t *z = many_records("zz.", 3000, 3);
	CU_ASSERT_EQUAL(import_named(s, "a.", a), SN_OK);
	CU_ASSERT_EQUAL_FATAL(model_import(s, &m, 1), SN_OK);
	CU_ASSERT_EQUAL(import_named(s, "h1.example.", sub), SN_OK);
	CU_ASSERT_EQUAL(import_named(s, "zz.", z), SN_OK);
	for (uint32_t serial = 2; serial < 10; serial++) {
		model_copy(&prev, &m);
		model_change(&m, &rng, 5);
		CU_ASSERT_EQUAL(model_apply(s, &prev, &m, serial - 1, serial, false), SN_OK);
	}
	store_txn_t *t;
	store_zone_meta_t meta;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_get(t, m_apex, &meta), SN_OK);
	store_txn_abort(t);
	store_close(s);
	CU_ASSERT(raw_count(store_path(d), "records", meta.id) > 100);
	CU_ASSERT_EQUAL(raw_count(store_path(d), "journal", meta.id), 8);
	size_t all = raw_count(store_path(d), "records", 0);

	s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_remove(t, m_apex), SN_OK);
	CU_ASSERT_EQUAL(store_zone_get(t, m_apex, &meta), SN_ENOTFOUND);
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_OK);
	check_read_equal(s, "a.", a);
	check_read_equal(s, "h1.example.", sub);
	check_read_equal(s, "zz.", z);
	store_close(s);
	CU_ASSERT_EQUAL(raw_count(store_path(d), "records", meta.id), 0);
	CU_ASSERT_EQUAL(raw_count(store_path(d), "journal", meta.id), 0);
	/* The other zones kept every key: one per owner and type, here one
	 * SOA and 3000 A each. */
	CU_ASSERT_EQUAL(raw_count(store_path(d), "records", 0), 3 * 3001);
	CU_ASSERT(all > 3 * 3001);
	CU_ASSERT_EQUAL(raw_count(store_path(d), "zones", 0), 3);

	/* Re-adding gives a new, empty zone. */
	s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_add(t, m_apex, NULL), SN_OK);
	rrlist_t *got = NULL;
	CU_ASSERT_EQUAL(store_zone_read(t, m_apex, &got), SN_OK);
	CU_ASSERT_EQUAL(rrlist_count(got), 0);
	rrlist_free(got);
	store_txn_abort(t);
	store_close(s);
	rrlist_free(a);
	rrlist_free(sub);
	rrlist_free(z);
	model_free(&m);
	model_free(&prev);
	rm_dir(d);
}

typedef struct reader_ctx {
	store_t *s;
	volatile int stop;
	unsigned reads;
	unsigned errors;
} reader_ctx_t;

/* Reads the catalogue over and over while the writer grows the map. */
static void *
reader_main(void *arg)
{
	reader_ctx_t *rc = arg;
	while (!rc->stop) {
		store_txn_t *t;
		if (store_txn_begin(rc->s, false, &t) != SN_OK) {
			rc->errors++;
			continue;
		}
		store_zone_meta_t m;
		int r = store_zone_get(t, m_apex, &m);
		if (r != SN_OK && r != SN_ENOTFOUND) {
			rc->errors++;
		}
		store_txn_abort(t);
		rc->reads++;
	}
	return NULL;
}

typedef struct import_job {
	const char *apex;
	const rrlist_t *l;
} import_job_t;

static int
import_job(store_txn_t *t, void *ctx)
{
	import_job_t *j = ctx;
	uint8_t apex[DNAME_MAXLEN];
	name_wire(j->apex, apex);
	int rc = store_zone_add(t, apex, NULL);
	if (rc != SN_OK && rc != SN_EEXIST) {
		return rc;
	}
	return store_zone_import(t, apex, j->l);
}

static unsigned import_runs;

static int
import_counted(store_txn_t *t, void *ctx)
{
	import_runs++;
	return import_job(t, ctx);
}

/* store_reserve grows the map ahead of a large change, which then runs
 * once instead of once per doubling; at map_max it says so. */
static void
test_store_reserve(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 1 << 20, 64 << 20, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	rrlist_t *l = many_records("zone0.", 20000, 0);
	/* without: the change is redone as the map doubles */
	import_runs = 0;
	import_job_t j = {.apex = "zone0.", .l = l};
	CU_ASSERT_EQUAL(store_write(s, import_counted, &j), SN_OK);
	CU_ASSERT(import_runs > 1);
	size_t before = store_map_size(s);
	/* with: one run */
	CU_ASSERT_EQUAL(store_reserve(s, 3 * before), SN_OK);
	CU_ASSERT(store_map_size(s) >= 3 * before);
	import_runs = 0;
	rrlist_t *l1 = many_records("zone1.", 20000, 1);
	import_job_t j1 = {.apex = "zone1.", .l = l1};
	CU_ASSERT_EQUAL(store_write(s, import_counted, &j1), SN_OK);
	CU_ASSERT_EQUAL(import_runs, 1);
	/* nothing needed: nothing changes */
	size_t now = store_map_size(s);
	CU_ASSERT_EQUAL(store_reserve(s, 4096), SN_OK);
	CU_ASSERT_EQUAL(store_map_size(s), now);
	/* more than map_max allows: the map is at map_max, and it says so */
	CU_ASSERT_EQUAL(store_reserve(s, (size_t)1 << 30), SN_ENOSPC);
	CU_ASSERT_EQUAL(store_map_size(s), (size_t)64 << 20);
	check_read_equal(s, "zone0.", l);
	check_read_equal(s, "zone1.", l1);
	rrlist_free(l);
	rrlist_free(l1);
	store_close(s);
	rm_dir(d);
}

static void
test_store_map_growth(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 1 << 20, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	model_names();
	CU_ASSERT_EQUAL(store_map_size(s), 1 << 20);
	reader_ctx_t rc = {.s = s};
	pthread_t th;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, reader_main, &rc), 0);
	rrlist_t *lists[4];
	for (unsigned i = 0; i < 4; i++) {
		char apex[32];
		snprintf(apex, sizeof(apex), "zone%u.", i);
		lists[i] = many_records(apex, 20000, i);
		import_job_t j = {.apex = apex, .l = lists[i]};
		CU_ASSERT_EQUAL(store_write(s, import_job, &j), SN_OK);
	}
	rc.stop = 1;
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(rc.errors, 0);
	CU_ASSERT(rc.reads > 0);
	size_t grown = store_map_size(s);
	CU_ASSERT(grown >= 4 << 20);
	printf("\n  map grew from 1 MiB to %zu MiB for 80,000 records (%u reads meanwhile) ",
	       grown >> 20, rc.reads);
	store_close(s);

	/* Reopened with a small initial size, the map is at least what is
	 * used (LMDB's rule) and grows again from there. */
	s = open_store(store_path(d), 1 << 20, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	rrlist_t *more = many_records("zone4.", 20000, 4);
	import_job_t j4 = {.apex = "zone4.", .l = more};
	CU_ASSERT_EQUAL(store_write(s, import_job, &j4), SN_OK);
	check_read_equal(s, "zone4.", more);
	rrlist_free(more);
	for (unsigned i = 0; i < 4; i++) {
		char apex[32];
		snprintf(apex, sizeof(apex), "zone%u.", i);
		check_read_equal(s, apex, lists[i]);
		rrlist_free(lists[i]);
	}
	store_close(s);
	rm_dir(d);
}

static void
test_store_map_max(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 1 << 20, 2 << 20, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint64_t rng = test_seed() + 23;
	model_t m, prev = {0};
	model_start(&m, &rng);
	CU_ASSERT_EQUAL_FATAL(model_import(s, &m, 1), SN_OK);
	rrlist_t *big = many_records("big.", 60000, 9);
	import_job_t j = {.apex = "big.", .l = big};
	CU_ASSERT_EQUAL(store_write(s, import_job, &j), SN_ESTORE);
	char msg[STORE_ERRMSG_LEN];
	store_errmsg(s, msg, sizeof(msg));
	CU_ASSERT(strstr(msg, "store full") != NULL);
	CU_ASSERT_EQUAL(store_map_size(s), 2 << 20);
	/* Nothing of the big zone is there; the model zone is intact and
	 * still takes changes. */
	store_txn_t *t;
	uint8_t bapex[DNAME_MAXLEN];
	name_wire("big.", bapex);
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_get(t, bapex, &(store_zone_meta_t){0}), SN_ENOTFOUND);
	store_txn_abort(t);
	check_model(s, &m, 1);
	model_copy(&prev, &m);
	model_change(&m, &rng, 5);
	CU_ASSERT_EQUAL(model_apply(s, &prev, &m, 1, 2, false), SN_OK);
	check_model(s, &m, 2);
	/* A failed write inside a caller's own transaction: SN_ESTORE from
	 * the write, and the commit refuses too. */
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_add(t, bapex, NULL), SN_OK);
	CU_ASSERT_EQUAL(store_zone_import(t, bapex, big), SN_ESTORE);
	CU_ASSERT_EQUAL(store_zone_get(t, bapex, &(store_zone_meta_t){0}), SN_ESTORE);
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_ESTORE);
	store_close(s);
	s = open_store(store_path(d), 1 << 20, 2 << 20, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	check_model(s, &m, 2);
	store_close(s);
	rrlist_free(big);
	model_free(&m);
	model_free(&prev);
	rm_dir(d);
}

/* ---- crash safety ---- */

/* The model at `serial`: the start plus changes 2..serial, each derived
 * from (seed, serial) alone, so parent and child agree. */
static void
crash_model(uint64_t seed, uint32_t serial, model_t *m)
{
	uint64_t rng = seed;
	model_start(m, &rng);
	for (uint32_t k = 2; k <= serial; k++) {
		uint64_t r = seed * 1000003ull + k;
		model_change(m, &r, 1 + rnd(&r, 6));
	}
}

static void
crash_child(const char *dir, uint64_t seed, int fd)
{
	store_t *s = open_store(dir, 0, 0, false);
	if (s == NULL) {
		_exit(3);
	}
	store_txn_t *t;
	store_zone_meta_t meta;
	if (store_txn_begin(s, false, &t) != SN_OK || store_zone_get(t, m_apex, &meta) != SN_OK) {
		_exit(4);
	}
	store_txn_abort(t);
	model_t m, prev = {0};
	crash_model(seed, meta.serial, &m);
	for (uint32_t k = meta.serial + 1;; k++) {
		model_copy(&prev, &m);
		uint64_t r = seed * 1000003ull + k;
		model_change(&m, &r, 1 + rnd(&r, 6));
		if (model_apply(s, &prev, &m, k - 1, k, (k % 3) == 0) != SN_OK) {
			_exit(5);
		}
		/* Reported only once committed: what the daemon would answer. */
		if (write(fd, &k, sizeof(k)) != (ssize_t)sizeof(k)) {
			_exit(6);
		}
	}
}

static void
test_store_crash(void)
{
	char *d = tmp_dir();
	uint64_t seed = test_seed() * 31ull + 7;
	uint64_t rng = seed ^ 0x5555;
	model_t m;
	model_names();
	crash_model(seed, 1, &m);
	store_t *s = open_store(store_path(d), 0, 0, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(model_import(s, &m, 1), SN_OK);
	store_close(s);
	model_free(&m);

	uint32_t last = 1;
	unsigned killed_mid = 0;
	for (int round = 0; round < 20; round++) {
		int p[2];
		CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
		fflush(stdout);
		pid_t pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			crash_child(store_path(d), seed, p[1]);
			_exit(0);
		}
		close(p[1]);
		/* Read reports for a random while, then kill. */
		uint32_t reported = 0;
		double end = now_s() + (10 + rnd(&rng, 190)) / 1000.0;
		for (;;) {
			double left = end - now_s();
			if (left <= 0) {
				break;
			}
			struct pollfd pf = {.fd = p[0], .events = POLLIN};
			if (poll(&pf, 1, (int)(left * 1000) + 1) > 0) {
				uint32_t k;
				ssize_t n = read(p[0], &k, sizeof(k));
				if (n == sizeof(k)) {
					reported = k;
				} else if (n <= 0) {
					break;
				}
			}
		}
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		uint32_t k;
		while (read(p[0], &k, sizeof(k)) == (ssize_t)sizeof(k)) {
			reported = k;
		}
		close(p[0]);

		s = open_store(store_path(d), 0, 0, false);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		store_txn_t *t;
		store_zone_meta_t meta;
		CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
		CU_ASSERT_EQUAL_FATAL(store_zone_get(t, m_apex, &meta), SN_OK);
		store_txn_abort(t);
		/* Every reported change is there; at most one more committed
		 * before its report; never backwards. */
		CHECK_SEED(meta.serial >= last);
		CHECK_SEED(reported == 0 || meta.serial >= reported);
		CHECK_SEED(meta.serial <= (reported > last ? reported : last) + 1);
		if (meta.serial > reported && reported != 0) {
			killed_mid++;
		}
		/* The records are exactly those of that serial: no half change. */
		crash_model(seed, meta.serial, &m);
		check_model(s, &m, meta.serial);
		/* And the journal ends at it. */
		if (meta.journal_count > 0) {
			size_t entries;
			model_t j = {0};
			crash_model(seed, meta.journal_serial_first, &j);
			CHECK_SEED(journal_replay(s, &j, meta.journal_serial_first, &entries) ==
			           meta.serial);
			CHECK_SEED(entries == meta.journal_count);
			model_free(&j);
		}
		model_free(&m);
		store_close(s);
		last = meta.serial;
	}
	printf("\n  crash: 20 kills, serial 1 -> %u, %u kills between a commit and its report ",
	       last, killed_mid);
	CU_ASSERT(last > 20); /* the children did make progress */
	rm_dir(d);
}

/* ---- measurement (SIGNET_STORE_PERF_ZONE) ---- */

static uint64_t
dir_bytes(const char *dir)
{
	char p[600];
	struct stat st;
	snprintf(p, sizeof(p), "%s/data.mdb", dir);
	if (stat(p, &st) != 0) {
		return 0;
	}
	return (uint64_t)st.st_blocks * 512;
}

typedef struct reload_job {
	const uint8_t *apex;
	const rrlist_t *l;
	double t_diff;
	size_t removed;
	size_t added;
} reload_job_t;

/* A zone file reload: diff against the store, apply with the file's
 * serial. */
static int
reload_job(store_txn_t *t, void *ctx)
{
	reload_job_t *j = ctx;
	zdiff_t *d = NULL;
	double t0 = now_s();
	int rc = store_zone_diff(t, j->apex, j->l, &d);
	j->t_diff = now_s() - t0;
	if (rc == SN_OK) {
		j->removed = rrlist_count(zdiff_removed(d));
		j->added = rrlist_count(zdiff_added(d));
		rc = store_zone_apply(t, j->apex, d, zdiff_serial_after(d));
	}
	zdiff_free(d);
	return rc;
}

typedef struct update_job {
	const uint8_t *apex;
	store_rr_t rr;
	uint32_t ttl;
} update_job_t;

/* An UPDATE-like change: one record's TTL, by a hand-made diff against
 * the stored SOA, serial + 1. */
static int
update_job(store_txn_t *t, void *ctx)
{
	update_job_t *j = ctx;
	store_zone_meta_t meta;
	store_rr_t soa;
	zdiff_t *d = NULL;
	int rc = store_zone_get(t, j->apex, &meta);
	if (rc == SN_OK) {
		rc = store_zone_soa(t, j->apex, &soa);
	}
	if (rc == SN_OK) {
		rc = zdiff_new(&d);
	}
	if (rc == SN_OK) {
		rc = zdiff_set_soa_before(d, &soa);
	}
	if (rc == SN_OK) {
		rc = zdiff_set_soa_after(d, &soa);
	}
	if (rc == SN_OK) {
		rc = zdiff_remove(d, &j->rr);
	}
	store_rr_t a = j->rr;
	a.ttl = j->ttl;
	if (rc == SN_OK) {
		rc = zdiff_add(d, &a);
	}
	if (rc == SN_OK) {
		rc = zdiff_sort(d);
	}
	if (rc == SN_OK) {
		rc = store_zone_apply(t, j->apex, d, meta.serial + 1);
	}
	zdiff_free(d);
	return rc;
}

static void
test_store_perf_1m(void)
{
	const char *file = getenv("SIGNET_STORE_PERF_ZONE");
	if (file == NULL) {
		return; /* a measurement, run on demand */
	}
	const char *origin = getenv("SIGNET_STORE_PERF_ORIGIN");
	if (origin == NULL) {
		origin = "perf.example.";
	}
	uint8_t apex[DNAME_MAXLEN];
	name_wire(origin, apex);
	char *d = tmp_dir();

	double t0 = now_s();
	rrlist_t *l = rrlist_new();
	zfile_opts_t fo = {.origin = apex, .on_rr = rrlist_zfile_cb, .ctx = l};
	CU_ASSERT_EQUAL_FATAL(zfile_parse(file, &fo, NULL), SN_OK);
	CU_ASSERT_EQUAL_FATAL(rrlist_sort(l), SN_OK);
	zcheck_opts_t co = {.origin = apex, .max_msgs = 1, .on_msg = NULL};
	zcheck_stats_t cst;
	int crc = zcheck_run(l, &co, &cst);
	CU_ASSERT(crc == SN_OK || crc == SN_ECHECK);
	double t_parse = now_s() - t0;
	size_t n = rrlist_count(l);

	store_t *s = open_store(store_path(d), 0, 0, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	import_job_t j = {.apex = origin, .l = l};
	t0 = now_s();
	CU_ASSERT_EQUAL(store_write(s, import_job, &j), SN_OK);
	double t_import = now_s() - t0;
	size_t map = store_map_size(s);
	store_close(s);
	uint64_t bytes = dir_bytes(store_path(d));

	t0 = now_s();
	s = open_store(store_path(d), 0, 0, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	store_txn_t *t;
	rrlist_t *got = NULL;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_read(t, apex, &got), SN_OK);
	store_txn_abort(t);
	double t_read = now_s() - t0;
	CU_ASSERT(got != NULL && lists_equal(l, got, true));

	/* One changed A record and a new serial, as a reloaded file. */
	rrlist_t *nl = rrlist_new();
	size_t victim = n / 2;
	while (rrlist_type(got, victim) != RRTYPE_A) {
		victim++;
	}
	for (size_t i = 0; i < n; i++) {
		rrlist_rr_t r = rrlist_get(got, i);
		uint8_t rd[RDATA_MAXLEN];
		memcpy(rd, r.rdata, r.rdlen);
		if (i == victim) {
			rd[3] ^= 0x5a;
		}
		if (r.type == RRTYPE_SOA) {
			uint8_t *sp = rd + r.rdlen - 20;
			uint32_t v = (((uint32_t)sp[0] << 24) | ((uint32_t)sp[1] << 16) |
			              ((uint32_t)sp[2] << 8) | sp[3]) +
			             1;
			sp[0] = (uint8_t)(v >> 24), sp[1] = (uint8_t)(v >> 16);
			sp[2] = (uint8_t)(v >> 8), sp[3] = (uint8_t)v;
		}
		zfile_rr_t zr = {.owner = r.owner,
		                 .type = r.type,
		                 .rclass = r.rclass,
		                 .ttl = r.ttl,
		                 .rdlen = r.rdlen,
		                 .rdata = rd};
		CU_ASSERT_EQUAL_FATAL(rrlist_add(nl, &zr), SN_OK);
	}
	CU_ASSERT_EQUAL_FATAL(rrlist_sort(nl), SN_OK);
	/* Reload: diff + apply + commit, redone if the map had to grow. */
	reload_job_t rj = {.apex = apex, .l = nl};
	t0 = now_s();
	CU_ASSERT_EQUAL(store_write(s, reload_job, &rj), SN_OK);
	double t_change = now_s() - t0;
	double t_diff = rj.t_diff;
	CU_ASSERT_EQUAL(rj.removed, 1);
	CU_ASSERT_EQUAL(rj.added, 1);

	/* The same size of change made by hand, as UPDATE will: no walk.
	 * A record's TTL goes back and forth. */
	rrlist_rr_t x = rrlist_get(nl, victim);
	double best = 1e9, sum = 0;
	for (int i = 0; i < 20; i++) {
		update_job_t uj = {.apex = apex,
		                   .rr = {.owner = x.owner,
		                          .type = x.type,
		                          .rclass = x.rclass,
		                          .ttl = x.ttl,
		                          .rdlen = x.rdlen,
		                          .rdata = x.rdata},
		                   .ttl = x.ttl + (uint32_t)((i + 1) & 1)};
		double a0 = now_s();
		CU_ASSERT_EQUAL(store_write(s, update_job, &uj), SN_OK);
		double dt = now_s() - a0;
		best = dt < best ? dt : best;
		sum += dt;
	}
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	rrlist_t *after = NULL;
	CU_ASSERT_EQUAL(store_zone_read(t, apex, &after), SN_OK);
	store_txn_abort(t);
	CU_ASSERT(after != NULL && rrlist_count(after) == n);
	rrlist_free(after);
	printf("\n  %zu records: parse+sort+check %.2f s, import+commit %.2f s, store %.0f MiB on "
	       "disk (map %zu MiB), reopen+read back %.2f s, reload diff %.3f s, diff+apply+commit "
	       "%.3f s, apply+commit of a 1-record diff %.2f ms (best of 20), %.2f ms (mean) ",
	       n, t_parse, t_import, (double)bytes / (1 << 20), map >> 20, t_read, t_diff, t_change,
	       best * 1000, sum / 20 * 1000);
	rrlist_free(nl);
	rrlist_free(got);
	rrlist_free(l);
	store_close(s);
	rm_dir(d);
}

/* ---- signed records ---- */

/* A random record of a type the signer adds: RRSIG over names of the
 * model, NSEC3 at hashed names, DNSKEY at the apex. Small value spaces,
 * so that changes collide with what is there. */
static void
random_signed_rr(uint64_t *rng, mrec_t *out)
{
	uint8_t rd[96], signer[DNAME_MAXLEN], owner[DNAME_MAXLEN];
	uint16_t rdlen = 0, type;
	const uint8_t *o = m_names[rnd(rng, M_NAMES)];
	uint32_t ttl = 300u * (1 + rnd(rng, 2));
	unsigned what = rnd(rng, 10);

	if (what < 7) {
		type = RRTYPE_RRSIG;
		static const uint16_t covered[] = {RRTYPE_A, RRTYPE_AAAA, RRTYPE_TXT, RRTYPE_NSEC3};
		uint16_t c = covered[rnd(rng, 4)];
		uint32_t exp = 1800000000u + 3600u * rnd(rng, 3);
		rd[0] = (uint8_t)(c >> 8);
		rd[1] = (uint8_t)c;
		rd[2] = 13;
		rd[3] = (uint8_t)dname_label_count(o);
		rd[4] = 0, rd[5] = 0, rd[6] = (uint8_t)(ttl >> 8), rd[7] = (uint8_t)ttl;
		rd[8] = (uint8_t)(exp >> 24), rd[9] = (uint8_t)(exp >> 16);
		rd[10] = (uint8_t)(exp >> 8), rd[11] = (uint8_t)exp;
		rd[12] = 0x6b, rd[13] = 0x00, rd[14] = 0x00, rd[15] = 0x00;
		rd[16] = 0x30, rd[17] = (uint8_t)rnd(rng, 2);
		name_wire("example.", signer);
		memcpy(rd + 18, signer, dname_len(signer));
		rdlen = (uint16_t)(18 + dname_len(signer));
		for (int i = 0; i < 8; i++) {
			rd[rdlen++] = (uint8_t)rnd(rng, 3);
		}
	} else if (what < 9) {
		type = RRTYPE_NSEC3;
		char t[64];
		snprintf(t, sizeof(t), "%032u.example.", rnd(rng, 40));
		name_wire(t, owner);
		o = owner;
		rd[rdlen++] = 1;  /* SHA-1 */
		rd[rdlen++] = 0;  /* flags */
		rd[rdlen++] = 0;  /* iterations (RFC 9276) */
		rd[rdlen++] = 0;
		rd[rdlen++] = 0;  /* no salt */
		rd[rdlen++] = 20; /* hash length */
		for (int i = 0; i < 20; i++) {
			rd[rdlen++] = (uint8_t)rnd(rng, 2);
		}
		rd[rdlen++] = 0; /* window 0 */
		rd[rdlen++] = 1;
		rd[rdlen++] = 0x40; /* A */
	} else {
		type = RRTYPE_DNSKEY;
		o = m_apex;
		rd[0] = 1, rd[1] = (uint8_t)(rnd(rng, 2) == 0 ? 0 : 1), rd[2] = 3, rd[3] = 13;
		for (int i = 0; i < 64; i++) {
			rd[4 + i] = (uint8_t)rnd(rng, 2);
		}
		rdlen = 68;
	}
	mrec_make(out, o, type, rd, rdlen, ttl);
}

static void
signed_change(model_t *m, uint64_t *rng, unsigned ops)
{
	for (unsigned k = 0; k < ops; k++) {
		unsigned what = rnd(rng, 10);
		if (what < 5 || m->n == 0) {
			mrec_t r;
			random_signed_rr(rng, &r);
			if (model_find_rr(m, &r) == (size_t)-1) {
				model_insert(m, &r);
			}
		} else if (what < 8) {
			model_delete(m, rnd(rng, (unsigned)m->n));
		} else {
			size_t i = rnd(rng, (unsigned)m->n);
			mrec_t r = m->r[i];
			r.b[r.len - 2] ^= 0x01; /* another TTL */
			model_delete(m, i);
			model_insert(m, &r);
		}
	}
}

static rrlist_t *
signed_list(const model_t *m)
{
	rrlist_t *l = rrlist_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	for (size_t i = 0; i < m->n; i++) {
		store_rr_t r = mrec_rr(&m->r[i]);
		CU_ASSERT_FATAL(add_rr(l, r.owner, r.type, r.ttl, r.rdata, r.rdlen) == SN_OK);
	}
	CU_ASSERT_FATAL(rrlist_sort(l) == SN_OK);
	return l;
}

static void
check_signed(store_t *s, const model_t *sm)
{
	rrlist_t *want = signed_list(sm), *got = NULL;
	store_txn_t *t;
	store_zone_meta_t meta;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CHECK_SEED(store_zone_read_signed(t, m_apex, &got) == SN_OK);
	if (got != NULL) {
		CHECK_SEED(lists_equal(want, got, true));
	}
	/* the cursor gives the same, in the same order */
	store_cursor_t *c = NULL;
	store_rr_t rr;
	size_t i = 0;
	CHECK_SEED(store_signed_cursor_new(t, m_apex, &c) == SN_OK);
	while (c != NULL && store_cursor_next(c, &rr) == SN_OK) {
		CHECK_SEED(i < rrlist_count(want));
		if (i < rrlist_count(want)) {
			rrlist_rr_t w = rrlist_get(want, i);
			CHECK_SEED(dname_is_equal(w.owner, rr.owner) && w.type == rr.type &&
			           w.ttl == rr.ttl && w.rdlen == rr.rdlen &&
			           memcmp(w.rdata, rr.rdata, rr.rdlen) == 0);
		}
		i++;
	}
	CHECK_SEED(i == rrlist_count(want));
	store_cursor_free(c);
	CU_ASSERT_EQUAL(store_zone_get(t, m_apex, &meta), SN_OK);
	CHECK_SEED(meta.signed_count == rrlist_count(want));
	store_txn_abort(t);
	rrlist_free(got);
	rrlist_free(want);
}

/* One change: the unsigned one by store_zone_diff, the signed one by hand
 * (a TTL change as a removal and an addition), both in one apply. */
static int
signed_apply(store_t *s, const model_t *om, const model_t *nm, const model_t *osm,
             const model_t *nsm, uint32_t serial, size_t *jcount)
{
	store_txn_t *t;
	zdiff_t *d = NULL, *sd = NULL;
	rrlist_t *nl = model_list(nm, serial);
	size_t exp_rm = 0, exp_add = 0;
	int rc = store_txn_begin(s, true, &t);
	CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
	for (size_t i = 0; i < om->n; i++) {
		exp_rm += model_find(nm, &om->r[i]) == (size_t)-1;
	}
	for (size_t i = 0; i < nm->n; i++) {
		exp_add += model_find(om, &nm->r[i]) == (size_t)-1;
	}
	rc = store_zone_diff(t, m_apex, nl, &d);
	CHECK_SEED(rc == SN_OK);
	/* signed records never show in the unsigned diff */
	CHECK_SEED(d == NULL || (rrlist_count(zdiff_removed(d)) == exp_rm &&
	                         rrlist_count(zdiff_added(d)) == exp_add));
	CU_ASSERT_EQUAL_FATAL(zdiff_new(&sd), SN_OK);
	for (size_t i = osm->n; i-- > 0;) {
		if (model_find(nsm, &osm->r[i]) == (size_t)-1) {
			store_rr_t r = mrec_rr(&osm->r[i]);
			CU_ASSERT_EQUAL(zdiff_remove(sd, &r), SN_OK);
			exp_rm++;
		}
	}
	for (size_t i = nsm->n; i-- > 0;) {
		if (model_find(osm, &nsm->r[i]) == (size_t)-1) {
			store_rr_t r = mrec_rr(&nsm->r[i]);
			CU_ASSERT_EQUAL(zdiff_add(sd, &r), SN_OK);
			exp_add++;
		}
	}
	CU_ASSERT_EQUAL(zdiff_sort(sd), SN_OK);
	if (rc == SN_OK) {
		rc = store_zone_apply_signed(t, m_apex, d, sd, serial);
		CHECK_SEED(rc == SN_OK);
	}
	if (rc == SN_OK) {
		rc = store_txn_commit(t);
	} else {
		store_txn_abort(t);
	}
	/* the newest journal entry holds both changes */
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	journal_iter_t *it = NULL;
	journal_entry_t e;
	CHECK_SEED(journal_iter_new(t, m_apex, zdiff_serial_before(d), &it) == SN_OK);
	CHECK_SEED(it != NULL && journal_iter_next(it, &e) == SN_OK);
	if (it != NULL) {
		CHECK_SEED(e.serial_to == serial);
		CHECK_SEED(e.removed_count == exp_rm && e.added_count == exp_add);
	}
	journal_iter_free(it);
	store_zone_meta_t meta;
	CU_ASSERT_EQUAL(store_zone_get(t, m_apex, &meta), SN_OK);
	*jcount = meta.journal_count;
	store_txn_abort(t);
	zdiff_free(d);
	zdiff_free(sd);
	rrlist_free(nl);
	return rc;
}

static void
model_union(model_t *u, const model_t *a, const model_t *b)
{
	model_copy(u, a);
	for (size_t i = 0; i < b->n; i++) {
		model_insert(u, &b->r[i]);
	}
}

static bool
models_equal(const model_t *a, const model_t *b)
{
	if (a->n != b->n) {
		return false;
	}
	for (size_t i = 0; i < a->n; i++) {
		if (model_find(b, &a->r[i]) == (size_t)-1) {
			return false;
		}
	}
	return true;
}

/* Unsigned and signed changes applied together against two models; the
 * journal, replayed from the start, gives their union: what IXFR sends. */
static void
test_store_signed_random(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint64_t rng = test_seed() * 104729ull + 3;
	model_t m, sm = {0}, prev = {0}, sprev = {0}, start = {0}, u = {0};
	model_start(&m, &rng);
	for (unsigned i = 0; i < 300; i++) {
		signed_change(&sm, &rng, 1);
	}
	uint32_t serial = 4294967000u; /* wraps (RFC 1982) */
	CU_ASSERT_EQUAL_FATAL(model_import(s, &m, serial), SN_OK);
	rrlist_t *sl = signed_list(&sm);
	store_txn_t *t;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_import_signed(t, m_apex, sl), SN_OK);
	CU_ASSERT_EQUAL_FATAL(store_txn_commit(t), SN_OK);
	rrlist_free(sl);
	check_model(s, &m, serial);
	check_signed(s, &sm);
	model_union(&start, &m, &sm);
	uint32_t first = serial;

	for (unsigned step = 0; step < 30; step++) {
		model_copy(&prev, &m);
		model_copy(&sprev, &sm);
		/* some steps change only one side, as a pure re-signing does */
		if (step % 5 != 1) {
			model_change(&m, &rng, 1 + rnd(&rng, 6));
		}
		if (step % 5 != 2) {
			signed_change(&sm, &rng, 1 + rnd(&rng, 10));
		}
		size_t jc = 0;
		uint32_t next = serial + 1 + rnd(&rng, 3);
		CU_ASSERT_EQUAL(signed_apply(s, &prev, &m, &sprev, &sm, next, &jc), SN_OK);
		serial = next;
		CHECK_SEED(jc == step + 1);
		if (step == 15) {
			store_close(s);
			s = open_store(store_path(d), 0, 0, true);
			CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		}
	}
	check_model(s, &m, serial);
	check_signed(s, &sm);
	size_t entries = 0;
	CHECK_SEED(journal_replay(s, &start, first, &entries) == serial);
	CHECK_SEED(entries == 30);
	model_union(&u, &m, &sm);
	CHECK_SEED(models_equal(&start, &u));

	/* A new signed import replaces everything signed and empties the
	 * journal; an unsigned import leaves the signed records be. */
	model_t sm2 = {0};
	/* random adds and removals can leave nothing: go on until some stay */
	for (unsigned i = 0; (i < 50 || sm2.n == 0) && i < 10000; i++) {
		signed_change(&sm2, &rng, 1);
	}
	sl = signed_list(&sm2);
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_import_signed(t, m_apex, sl), SN_OK);
	store_zone_meta_t meta;
	CU_ASSERT_EQUAL(store_zone_get(t, m_apex, &meta), SN_OK);
	CU_ASSERT_EQUAL(meta.journal_count, 0);
	CU_ASSERT_EQUAL(meta.serial, serial);
	CU_ASSERT_EQUAL_FATAL(store_txn_commit(t), SN_OK);
	rrlist_free(sl);
	check_signed(s, &sm2);
	CU_ASSERT_EQUAL(model_import(s, &m, serial + 1), SN_OK);
	check_signed(s, &sm2);
	check_model(s, &m, serial + 1);

	/* Removing the zone removes its signed records. */
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_get(t, m_apex, &meta), SN_OK);
	CU_ASSERT_EQUAL(store_zone_remove(t, m_apex), SN_OK);
	CU_ASSERT_EQUAL_FATAL(store_txn_commit(t), SN_OK);
	store_close(s);
	CU_ASSERT(sm2.n > 0);
	CU_ASSERT_EQUAL(raw_count(store_path(d), "signed", 0), 0);
	CU_ASSERT_EQUAL(raw_count(store_path(d), "records", meta.id), 0);
	model_free(&m);
	model_free(&sm);
	model_free(&sm2);
	model_free(&prev);
	model_free(&sprev);
	model_free(&start);
	model_free(&u);
	rm_dir(d);
}

static void
test_store_signed_errors(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint64_t rng = test_seed() + 17;
	model_t m, sm = {0};
	model_start(&m, &rng);
	for (unsigned i = 0; i < 20; i++) {
		signed_change(&sm, &rng, 1);
	}
	CU_ASSERT_EQUAL_FATAL(model_import(s, &m, 10), SN_OK);
	uint8_t other[DNAME_MAXLEN], none[DNAME_MAXLEN], a[4] = {192, 0, 2, 1};
	name_wire("other.test.", other);
	name_wire("none.test.", none);
	store_txn_t *t;
	rrlist_t *sl = signed_list(&sm), *bad;

	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_import_signed(t, none, sl), SN_ENOTFOUND);
	/* a type the signer does not add */
	bad = signed_list(&sm);
	CU_ASSERT_EQUAL_FATAL(add_rr(bad, m_names[0], RRTYPE_A, 300, a, 4), SN_OK);
	CU_ASSERT_EQUAL_FATAL(rrlist_sort(bad), SN_OK);
	CU_ASSERT_EQUAL(store_zone_import_signed(t, m_apex, bad), SN_EINVAL);
	rrlist_free(bad);
	/* the apex SOA is the unsigned side's */
	bad = signed_list(&sm);
	uint8_t rd[600];
	uint16_t rdlen;
	soa_rdata(11, rd, &rdlen);
	CU_ASSERT_EQUAL_FATAL(add_rr(bad, m_apex, RRTYPE_SOA, 300, rd, rdlen), SN_OK);
	CU_ASSERT_EQUAL_FATAL(rrlist_sort(bad), SN_OK);
	CU_ASSERT_EQUAL(store_zone_import_signed(t, m_apex, bad), SN_EINVAL);
	rrlist_free(bad);
	/* outside the zone */
	bad = signed_list(&sm);
	uint8_t key[68] = {1, 1, 3, 13};
	CU_ASSERT_EQUAL_FATAL(add_rr(bad, other, RRTYPE_DNSKEY, 300, key, sizeof(key)), SN_OK);
	CU_ASSERT_EQUAL_FATAL(rrlist_sort(bad), SN_OK);
	CU_ASSERT_EQUAL(store_zone_import_signed(t, m_apex, bad), SN_EINVAL);
	rrlist_free(bad);
	/* not sorted */
	bad = rrlist_new();
	CU_ASSERT_EQUAL_FATAL(add_rr(bad, m_apex, RRTYPE_DNSKEY, 300, key, sizeof(key)), SN_OK);
	CU_ASSERT_EQUAL(store_zone_import_signed(t, m_apex, bad), SN_EINVAL);
	rrlist_free(bad);
	/* refusals left the transaction usable */
	CU_ASSERT_EQUAL(store_zone_import_signed(t, m_apex, sl), SN_OK);
	CU_ASSERT_EQUAL_FATAL(store_txn_commit(t), SN_OK);
	check_signed(s, &sm);

	/* Bad signed diffs. */
	zdiff_t *dd = NULL, *sd = NULL;
	store_rr_t soa = {.owner = m_apex, .type = RRTYPE_SOA, .rclass = RRCLASS_IN, .ttl = 3600,
	                  .rdata = rd, .rdlen = rdlen};
	soa_rdata(10, rd, &rdlen);
	CU_ASSERT_EQUAL_FATAL(zdiff_new(&dd), SN_OK);
	CU_ASSERT_EQUAL(zdiff_set_soa_before(dd, &soa), SN_OK);
	CU_ASSERT_EQUAL(zdiff_set_soa_after(dd, &soa), SN_OK);
	CU_ASSERT_EQUAL_FATAL(zdiff_new(&sd), SN_OK);
	store_rr_t ar = {.owner = m_names[0], .type = RRTYPE_A, .rclass = RRCLASS_IN, .ttl = 300,
	                 .rdata = a, .rdlen = 4};
	CU_ASSERT_EQUAL(zdiff_add(sd, &ar), SN_OK);
	CU_ASSERT_EQUAL(zdiff_sort(sd), SN_OK);
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_apply_signed(t, m_apex, dd, sd, 11), SN_EINVAL);
	CU_ASSERT_EQUAL(store_zone_apply_signed(t, m_apex, NULL, NULL, 11), SN_EINVAL);
	zdiff_free(sd);
	/* a signed record that is not stored cannot be removed */
	mrec_t r;
	do {
		random_signed_rr(&rng, &r);
	} while (model_find_rr(&sm, &r) != (size_t)-1);
	store_rr_t rr = mrec_rr(&r);
	CU_ASSERT_EQUAL_FATAL(zdiff_new(&sd), SN_OK);
	CU_ASSERT_EQUAL(zdiff_remove(sd, &rr), SN_OK);
	CU_ASSERT_EQUAL(zdiff_sort(sd), SN_OK);
	CU_ASSERT_EQUAL(store_zone_apply_signed(t, m_apex, dd, sd, 11), SN_EINVAL);
	/* that one wrote before it found out: the transaction is spent */
	CU_ASSERT_NOT_EQUAL(store_txn_commit(t), SN_OK);
	zdiff_free(sd);

	/* A re-signing alone: empty unsigned lists, the serial moves. */
	sd = NULL;
	CU_ASSERT_EQUAL_FATAL(zdiff_new(&sd), SN_OK);
	CU_ASSERT_EQUAL(zdiff_add(sd, &rr), SN_OK);
	CU_ASSERT_EQUAL(zdiff_sort(sd), SN_OK);
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_apply_signed(t, m_apex, dd, sd, 11), SN_OK);
	CU_ASSERT_EQUAL_FATAL(store_txn_commit(t), SN_OK);
	model_insert(&sm, &r);
	check_signed(s, &sm);
	check_model(s, &m, 11);
	zdiff_free(sd);
	zdiff_free(dd);
	rrlist_free(sl);
	model_free(&m);
	model_free(&sm);
	store_close(s);
	rm_dir(d);
}

/* ---- key store ---- */

/* A DNSKEY of `alg` with `flags` and `keylen` key octets from `rng`; its
 * RDATA goes to `rd` (at least 4 + keylen octets). Fills the tag too. */
static void
make_key(keystore_key_t *k, uint64_t *rng, keystore_role_t role, uint8_t alg, uint8_t *rd,
         size_t keylen)
{
	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < KEYSTORE_ID_LEN; i++) {
		k->id[i] = (uint8_t)rnd(rng, 256);
	}
	k->role = role;
	k->algorithm = alg;
	k->flags = role == KEYSTORE_ZSK ? 256 : 257;
	rd[0] = (uint8_t)(k->flags >> 8);
	rd[1] = (uint8_t)k->flags;
	rd[2] = 3;
	rd[3] = alg;
	for (size_t i = 0; i < keylen; i++) {
		rd[4 + i] = (uint8_t)rnd(rng, 256);
	}
	k->dnskey = rd;
	k->dnskey_len = (uint16_t)(4 + keylen);
	/* RFC 4034 appendix B, written out apart from the store's own. */
	uint32_t ac = 0;
	for (size_t i = 0; i < k->dnskey_len; i++) {
		ac += (i & 1) ? rd[i] : (uint32_t)rd[i] << 8;
	}
	ac += (ac >> 16) & 0xffff;
	k->key_tag = (uint16_t)ac;
}

static bool
keys_equal(const keystore_key_t *a, const keystore_key_t *b)
{
	return memcmp(a->id, b->id, KEYSTORE_ID_LEN) == 0 && a->algorithm == b->algorithm &&
	       a->flags == b->flags && a->role == b->role && a->key_tag == b->key_tag &&
	       a->dnskey_len == b->dnskey_len && memcmp(a->dnskey, b->dnskey, a->dnskey_len) == 0 &&
	       a->privkey_len == b->privkey_len &&
	       (a->privkey_len == 0 || memcmp(a->privkey, b->privkey, a->privkey_len) == 0) &&
	       a->created == b->created && a->publish == b->publish && a->ready == b->ready &&
	       a->active == b->active && a->retire_active == b->retire_active &&
	       a->retire == b->retire && a->post_active == b->post_active &&
	       a->revoke == b->revoke && a->remove == b->remove &&
	       a->ds_submitted == b->ds_submitted && a->ds_seen == b->ds_seen;
}

/* A model key owns its bytes. */
typedef struct mkey {
	keystore_key_t k;
	uint8_t rd[4 + 512];
	char pem[3000];
	bool live;
} mkey_t;

static void
mkey_fix(mkey_t *m)
{
	m->k.dnskey = m->rd;
	m->k.privkey = (const uint8_t *)m->pem;
}

typedef struct klist {
	keystore_key_t k[64];
	uint8_t bytes[64][4 + 512 + 3000];
	size_t n;
} klist_t;

static int
klist_cb(void *ctx, const keystore_key_t *k)
{
	klist_t *l = ctx;
	if (l->n >= 64) {
		return SN_ERANGE;
	}
	/* copies: the pointers die with the transaction */
	keystore_key_t *c = &l->k[l->n];
	*c = *k;
	memcpy(l->bytes[l->n], k->dnskey, k->dnskey_len);
	memcpy(l->bytes[l->n] + k->dnskey_len, k->privkey, k->privkey_len);
	c->dnskey = l->bytes[l->n];
	c->privkey = l->bytes[l->n] + k->dnskey_len;
	l->n++;
	return SN_OK;
}

static int
klist_stop_cb(void *ctx, const keystore_key_t *k)
{
	(void)k;
	(*(int *)ctx)++;
	return SN_EEXIST;
}

static int
mkey_id_cmp(const void *pa, const void *pb)
{
	const mkey_t *a = *(const mkey_t *const *)pa, *b = *(const mkey_t *const *)pb;
	return memcmp(a->k.id, b->k.id, KEYSTORE_ID_LEN);
}

/* The store's keys of `apex` are the live model keys, in id order. */
static void
check_keys(store_t *s, const uint8_t *apex, mkey_t *m, size_t n)
{
	static klist_t got;
	const mkey_t *live[64];
	size_t nl = 0;
	store_txn_t *t;
	for (size_t i = 0; i < n; i++) {
		if (m[i].live) {
			live[nl++] = &m[i];
		}
	}
	qsort(live, nl, sizeof(live[0]), mkey_id_cmp);
	got.n = 0;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CHECK_SEED(keystore_list(t, apex, klist_cb, &got) == SN_OK);
	CHECK_SEED(got.n == nl);
	for (size_t i = 0; i < nl && i < got.n; i++) {
		CHECK_SEED(keys_equal(&got.k[i], &live[i]->k));
	}
	for (size_t i = 0; i < n; i++) {
		keystore_key_t k;
		int rc = keystore_get(t, apex, m[i].k.id, &k);
		CHECK_SEED(rc == (m[i].live ? SN_OK : SN_ENOTFOUND));
		if (rc == SN_OK) {
			CHECK_SEED(keys_equal(&k, &m[i].k));
		}
	}
	store_txn_abort(t);
}

static void
test_store_keys(void)
{
	char *d = tmp_dir();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint64_t rng = test_seed() + 11;
	uint8_t a[DNAME_MAXLEN], b[DNAME_MAXLEN], none[DNAME_MAXLEN];
	name_wire("keys.example.", a);
	name_wire("other.example.", b);
	name_wire("none.example.", none);
	store_txn_t *t;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_add(t, a, NULL), SN_OK);
	CU_ASSERT_EQUAL(store_zone_add(t, b, NULL), SN_OK);
	CU_ASSERT_EQUAL_FATAL(store_txn_commit(t), SN_OK);

	static mkey_t m[40];
	static mkey_t other;
	size_t n = 0;
	make_key(&other.k, &rng, KEYSTORE_CSK, 13, other.rd, 64);
	other.live = true;
	/* Random puts, updates and deletes, one transaction each, against
	 * the model; a reopen in the middle. */
	for (unsigned step = 0; step < 200; step++) {
		unsigned what = rnd(&rng, 10);
		CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
		if (step == 0) {
			CHECK_SEED(keystore_put(t, b, &other.k) == SN_OK);
		}
		if (what < 4 && n < 40) {
			mkey_t *k = &m[n++];
			static const uint8_t algs[] = {8, 13, 14, 15, 16};
			uint8_t alg = algs[rnd(&rng, 5)];
			size_t kl = alg == 8 ? 260 + rnd(&rng, 252) : alg == 14 ? 96 : alg == 16 ? 57
			                                                  : alg == 15 ? 32 : 64;
			make_key(&k->k, &rng, (keystore_role_t)(1 + rnd(&rng, 3)), alg, k->rd, kl);
			k->k.privkey_len = rnd(&rng, 4) == 0 ? 0 : 1 + rnd(&rng, sizeof(k->pem) - 1);
			for (size_t i = 0; i < k->k.privkey_len; i++) {
				k->pem[i] = (char)(' ' + rnd(&rng, 90));
			}
			mkey_fix(k);
			k->k.created = (int64_t)1700000000 + rnd(&rng, 1000000);
			k->k.publish = k->k.created + rnd(&rng, 3600);
			k->live = true;
			CHECK_SEED(keystore_put(t, a, &k->k) == SN_OK);
		} else if (what < 8 && n > 0) {
			/* a timing step: every time may move, negative ones too */
			mkey_t *k = &m[rnd(&rng, (unsigned)n)];
			int64_t *f[] = {&k->k.ready, &k->k.active, &k->k.retire_active,
			                &k->k.retire, &k->k.post_active, &k->k.revoke,
			                &k->k.remove, &k->k.ds_submitted, &k->k.ds_seen};
			*f[rnd(&rng, 9)] = (int64_t)rnd64(&rng);
			int rc = keystore_put(t, a, &k->k);
			CHECK_SEED(rc == SN_OK);
			k->live = true; /* a put brings a deleted key back */
		} else if (n > 0) {
			mkey_t *k = &m[rnd(&rng, (unsigned)n)];
			int rc = keystore_delete(t, a, k->k.id);
			CHECK_SEED(rc == (k->live ? SN_OK : SN_ENOTFOUND));
			k->live = false;
		}
		CU_ASSERT_EQUAL_FATAL(store_txn_commit(t), SN_OK);
		if (step == 100) {
			store_close(s);
			s = open_store(store_path(d), 0, 0, true);
			CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		}
		if (step % 20 == 0) {
			check_keys(s, a, m, n);
		}
	}
	check_keys(s, a, m, n);
	check_keys(s, b, &other, 1);

	/* A walk stops at the callback's word. */
	int calls = 0;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, false, &t), SN_OK);
	CU_ASSERT_EQUAL(keystore_list(t, b, klist_stop_cb, &calls), SN_EEXIST);
	CU_ASSERT_EQUAL(calls, 1);
	/* A read transaction cannot write; unknown zones are not found. */
	CU_ASSERT_EQUAL(keystore_put(t, b, &other.k), SN_EINVAL);
	CU_ASSERT_EQUAL(keystore_delete(t, b, other.k.id), SN_EINVAL);
	keystore_key_t k;
	CU_ASSERT_EQUAL(keystore_get(t, none, other.k.id, &k), SN_ENOTFOUND);
	CU_ASSERT_EQUAL(keystore_list(t, none, klist_cb, NULL), SN_ENOTFOUND);
	store_txn_abort(t);

	/* Refused keys, each leaving the transaction usable. */
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(keystore_put(t, none, &other.k), SN_ENOTFOUND);
	keystore_key_t bad = other.k;
	bad.key_tag ^= 1;
	CU_ASSERT_EQUAL(keystore_put(t, b, &bad), SN_EINVAL);
	bad = other.k;
	bad.role = KEYSTORE_ZSK; /* SEP set on a ZSK */
	CU_ASSERT_EQUAL(keystore_put(t, b, &bad), SN_EINVAL);
	bad.role = (keystore_role_t)7;
	CU_ASSERT_EQUAL(keystore_put(t, b, &bad), SN_EINVAL);
	bad = other.k;
	bad.algorithm = 8; /* the RDATA says 13 */
	CU_ASSERT_EQUAL(keystore_put(t, b, &bad), SN_EINVAL);
	bad = other.k;
	bad.flags = 257 | 0x8000; /* bits RFC 4034 leaves unassigned */
	CU_ASSERT_EQUAL(keystore_put(t, b, &bad), SN_EINVAL);
	bad = other.k;
	bad.dnskey_len = 3;
	CU_ASSERT_EQUAL(keystore_put(t, b, &bad), SN_EINVAL);
	bad = other.k;
	bad.privkey_len = KEYSTORE_PRIVKEY_MAX + 1;
	bad.privkey = other.rd;
	CU_ASSERT_EQUAL(keystore_put(t, b, &bad), SN_EINVAL);
	uint8_t rd2[4 + 64];
	memcpy(rd2, other.rd, sizeof(rd2));
	rd2[2] = 2; /* protocol must be 3 (RFC 4034 2.1.2) */
	bad = other.k;
	bad.dnskey = rd2;
	CU_ASSERT_EQUAL(keystore_put(t, b, &bad), SN_EINVAL);
	CU_ASSERT_EQUAL(keystore_put(t, b, NULL), SN_EINVAL);
	CU_ASSERT_EQUAL(keystore_delete(t, none, other.k.id), SN_ENOTFOUND);
	/* The REVOKE bit (RFC 5011) changes the tag: both must agree. */
	memcpy(rd2, other.rd, sizeof(rd2));
	keystore_key_t rev = other.k;
	rev.flags = 257 | KEYSTORE_FLAG_REVOKE;
	rd2[0] = (uint8_t)(rev.flags >> 8);
	rd2[1] = (uint8_t)rev.flags;
	rev.dnskey = rd2;
	CU_ASSERT_EQUAL(keystore_put(t, b, &rev), SN_EINVAL);
	rev.key_tag = (uint16_t)(other.k.key_tag + KEYSTORE_FLAG_REVOKE);
	rev.revoke = 1800000000;
	CU_ASSERT_EQUAL(keystore_put(t, b, &rev), SN_OK);
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_OK);
	memcpy(other.rd, rd2, sizeof(rd2));
	other.k = rev;
	other.k.dnskey = other.rd;
	check_keys(s, b, &other, 1);

	/* Removing a zone removes its keys, and only its keys. */
	store_zone_meta_t ma, mb;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	CU_ASSERT_EQUAL(store_zone_get(t, a, &ma), SN_OK);
	CU_ASSERT_EQUAL(store_zone_get(t, b, &mb), SN_OK);
	CU_ASSERT_EQUAL(store_zone_remove(t, b), SN_OK);
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_OK);
	store_close(s);
	size_t live = 0;
	for (size_t i = 0; i < n; i++) {
		live += m[i].live;
	}
	CU_ASSERT_EQUAL(raw_count(store_path(d), "keys", mb.id), 0);
	CU_ASSERT_EQUAL(raw_count(store_path(d), "keys", ma.id), live);
	CU_ASSERT_EQUAL(raw_count(store_path(d), "keys", 0), live);

	/* The store holds private keys: folder 0700, every file 0600. */
	struct stat st;
	char f[1024];
	CU_ASSERT_EQUAL(stat(store_path(d), &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
	snprintf(f, sizeof(f), "%s/data.mdb", store_path(d));
	CU_ASSERT_EQUAL(stat(f, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	snprintf(f, sizeof(f), "%s/lock.mdb", store_path(d));
	CU_ASSERT_EQUAL(stat(f, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	rm_dir(d);
}

static void
test_store_key_ids(void)
{
	uint8_t a[KEYSTORE_ID_LEN], b[KEYSTORE_ID_LEN], c[KEYSTORE_ID_LEN];
	char hex[KEYSTORE_ID_HEXLEN + 1];
	CU_ASSERT_EQUAL(keystore_id_generate(a), SN_OK);
	CU_ASSERT_EQUAL(keystore_id_generate(b), SN_OK);
	CU_ASSERT(memcmp(a, b, KEYSTORE_ID_LEN) != 0);
	keystore_id_to_hex(a, hex);
	CU_ASSERT_EQUAL(strlen(hex), KEYSTORE_ID_HEXLEN);
	CU_ASSERT_EQUAL(strspn(hex, "0123456789abcdef"), KEYSTORE_ID_HEXLEN);
	CU_ASSERT_EQUAL(keystore_id_from_hex(hex, c), SN_OK);
	CU_ASSERT(memcmp(a, c, KEYSTORE_ID_LEN) == 0);
	for (size_t i = 0; i < KEYSTORE_ID_HEXLEN; i++) {
		hex[i] = (char)toupper((unsigned char)hex[i]);
	}
	memset(c, 0, sizeof(c));
	CU_ASSERT_EQUAL(keystore_id_from_hex(hex, c), SN_OK);
	CU_ASSERT(memcmp(a, c, KEYSTORE_ID_LEN) == 0);
	memcpy(c, b, sizeof(c));
	hex[5] = 'g';
	CU_ASSERT_EQUAL(keystore_id_from_hex(hex, c), SN_EPARSE);
	CU_ASSERT(memcmp(c, b, KEYSTORE_ID_LEN) == 0); /* untouched on failure */
	hex[KEYSTORE_ID_HEXLEN - 1] = '\0';
	CU_ASSERT_EQUAL(keystore_id_from_hex(hex, c), SN_EPARSE);
	CU_ASSERT_EQUAL(keystore_id_from_hex(NULL, c), SN_EPARSE);
	CU_ASSERT_STRING_EQUAL(keystore_role_name(KEYSTORE_KSK), "ksk");
	CU_ASSERT_STRING_EQUAL(keystore_role_name(KEYSTORE_CSK), "csk");
	CU_ASSERT_STRING_EQUAL(keystore_role_name((keystore_role_t)0), "unknown");
}

/* A format-1 store (no signed, no keys database) opens, keeps its zones and
 * becomes format 2. */
static void
test_store_format_upgrade(void)
{
	char *d = tmp_dir();
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	rrlist_t *l = fixed_zone();
	store_t *s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_write(s, import_fixed, l), SN_OK);
	store_close(s);

	/* Turn it into what format 1 wrote. */
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi, main_dbi;
	CU_ASSERT_EQUAL_FATAL(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	CU_ASSERT_EQUAL_FATAL(mdb_env_open(env, store_path(d), 0, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_txn_begin(env, NULL, 0, &txn), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_dbi_open(txn, "signed", 0, &dbi), 0);
	CU_ASSERT_EQUAL(mdb_drop(txn, dbi, 1), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_dbi_open(txn, "keys", 0, &dbi), 0);
	CU_ASSERT_EQUAL(mdb_drop(txn, dbi, 1), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_dbi_open(txn, "info", 0, &dbi), 0);
	uint8_t one[4] = {0, 0, 0, 1};
	MDB_val k = {6, (void *)"format"}, v = {4, one};
	CU_ASSERT_EQUAL(mdb_put(txn, dbi, &k, &v, 0), 0);
	/* Format 1 wrote zone records of version 2: without signed_count,
	 * the u64 after the flags (offset 138). */
	MDB_dbi zdbi;
	MDB_cursor *zc;
	MDB_val zk, zv;
	size_t rewritten = 0;
	CU_ASSERT_EQUAL_FATAL(mdb_dbi_open(txn, "zones", 0, &zdbi), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_cursor_open(txn, zdbi, &zc), 0);
	while (mdb_cursor_get(zc, &zk, &zv, rewritten == 0 ? MDB_FIRST : MDB_NEXT) == 0) {
		uint8_t old[2048];
		CU_ASSERT_FATAL(zv.mv_size > 146 && zv.mv_size < sizeof(old));
		CU_ASSERT_EQUAL(((uint8_t *)zv.mv_data)[0], 3);
		memcpy(old, zv.mv_data, 138);
		memcpy(old + 138, (uint8_t *)zv.mv_data + 146, zv.mv_size - 146);
		old[0] = 2;
		MDB_val nv = {zv.mv_size - 8, old};
		CU_ASSERT_EQUAL(mdb_cursor_put(zc, &zk, &nv, MDB_CURRENT), 0);
		rewritten++;
	}
	mdb_cursor_close(zc);
	CU_ASSERT_EQUAL(rewritten, 1);
	CU_ASSERT_EQUAL(mdb_dbi_open(txn, NULL, 0, &main_dbi), 0);
	MDB_val kk = {4, (void *)"keys"};
	CU_ASSERT_EQUAL(mdb_get(txn, main_dbi, &kk, &v), MDB_NOTFOUND);
	CU_ASSERT_EQUAL(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	s = open_store(store_path(d), 0, 0, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	check_read_equal(s, "example.com.", l);
	uint8_t apex[DNAME_MAXLEN], rd[4 + 64];
	name_wire("example.com.", apex);
	keystore_key_t key;
	uint64_t rng = 1;
	make_key(&key, &rng, KEYSTORE_KSK, 13, rd, 64);
	store_txn_t *t;
	CU_ASSERT_EQUAL_FATAL(store_txn_begin(s, true, &t), SN_OK);
	store_zone_meta_t meta;
	CU_ASSERT_EQUAL(store_zone_get(t, apex, &meta), SN_OK);
	CU_ASSERT_EQUAL(meta.record_count, rrlist_count(l));
	CU_ASSERT_EQUAL(meta.signed_count, 0);
	CU_ASSERT_EQUAL(keystore_put(t, apex, &key), SN_OK);
	CU_ASSERT_EQUAL(store_txn_commit(t), SN_OK);
	store_close(s);

	CU_ASSERT_EQUAL_FATAL(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	CU_ASSERT_EQUAL_FATAL(mdb_env_open(env, store_path(d), MDB_RDONLY, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_dbi_open(txn, "info", 0, &dbi), 0);
	CU_ASSERT_EQUAL(mdb_get(txn, dbi, &k, &v), 0);
	CU_ASSERT(v.mv_size == 4 && ((uint8_t *)v.mv_data)[3] == 2);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	CU_ASSERT_EQUAL(raw_count(store_path(d), "keys", 0), 1);
	rrlist_free(l);
	rm_dir(d);
}

int
test_store_register(void)
{
	CU_pSuite s = CU_add_suite("store", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_store_open_errors", test_store_open_errors);
	CU_add_test(s, "test_store_catalogue", test_store_catalogue);
	CU_add_test(s, "test_store_import_read", test_store_import_read);
	CU_add_test(s, "test_store_long_names", test_store_long_names);
	CU_add_test(s, "test_store_import_errors", test_store_import_errors);
	CU_add_test(s, "test_store_corrupt", test_store_corrupt);
	CU_add_test(s, "test_store_diff_random", test_store_diff_random);
	CU_add_test(s, "test_store_diff_errors", test_store_diff_errors);
	CU_add_test(s, "test_store_journal_bounds", test_store_journal_bounds);
	CU_add_test(s, "test_store_zone_remove", test_store_zone_remove);
	CU_add_test(s, "test_store_map_growth", test_store_map_growth);
	CU_add_test(s, "test_store_reserve", test_store_reserve);
	CU_add_test(s, "test_store_map_max", test_store_map_max);
	CU_add_test(s, "test_store_crash", test_store_crash);
	CU_add_test(s, "test_store_signed_random", test_store_signed_random);
	CU_add_test(s, "test_store_signed_errors", test_store_signed_errors);
	CU_add_test(s, "test_store_keys", test_store_keys);
	CU_add_test(s, "test_store_key_ids", test_store_key_ids);
	CU_add_test(s, "test_store_format_upgrade", test_store_format_upgrade);
	CU_add_test(s, "test_store_perf_1m", test_store_perf_1m);
	return CU_get_error();
}
