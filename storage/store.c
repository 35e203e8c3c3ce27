/* SPDX-License-Identifier: MIT
 * store.c - the LMDB zone store: environment, transactions, catalogue, records, diffs.
 *
 * The layout is in store.h and internal/store_int.h. What this file adds is
 * how the pieces move: a write is refused once its transaction has failed
 * half-way (so a commit never saves half a change); a full map ends the
 * transaction, grows the map while no transaction of this process is open
 * (mdb_env_set_mapsize allows nothing else) and asks the caller to redo the
 * change; and the diff is one merge walk over two lists in the same
 * canonical order, the stored one and the new one.
 */
#include "storage/store.h"
#include "storage/internal/store_int.h"
#include "storage/zdiff.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 3 added signed_count; 2 is read as a zone with no signed records. */
#define ZREC_VERSION 3

/* ---- errors and the map ---- */

void
st_set_err(store_t *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->mu);
	int n = snprintf(s->errmsg, sizeof(s->errmsg), "store %.*s: ", 200, s->dir);
	if (n > 0 && (size_t)n < sizeof(s->errmsg)) {
		va_start(ap, fmt);
		vsnprintf(s->errmsg + n, sizeof(s->errmsg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->mu);
}

void
store_errmsg(store_t *s, char *buf, size_t cap)
{
	if (cap == 0) {
		return;
	}
	pthread_mutex_lock(&s->mu);
	snprintf(buf, cap, "%s", s->errmsg);
	pthread_mutex_unlock(&s->mu);
}

int
store_batch(store_t *s, bool on)
{
	/* MDB_NOSYNC keeps the environment consistent (a process crash loses
	 * nothing: the pages are in the page cache); an operating system crash
	 * may undo the batch's last commits, which the caller redoes from the
	 * zone files. mdb_env_sync makes everything durable when it ends. */
	unsigned flags = 0;
	if (mdb_env_get_flags(s->env, &flags) == 0 && (flags & MDB_NOSYNC) && on) {
		return SN_OK; /* opened without sync (tests): nothing to switch */
	}
	int rc = mdb_env_set_flags(s->env, MDB_NOSYNC, on ? 1 : 0);
	if (rc == 0 && !on) {
		rc = mdb_env_sync(s->env, 1);
	}
	if (rc != 0) {
		st_set_err(s, "%s sync: %s", on ? "pausing" : "resuming", mdb_strerror(rc));
		return SN_ESTORE;
	}
	return SN_OK;
}

size_t
store_map_size(store_t *s)
{
	pthread_mutex_lock(&s->mu);
	size_t n = s->map_size;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* Bytes of the map in use: up to the last page written. */
static size_t
map_used(store_t *s)
{
	MDB_envinfo info;
	MDB_stat st;
	if (mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0) {
		return 0;
	}
	return ((size_t)info.me_last_pgno + 1) * st.ms_psize;
}

static int map_resize(store_t *s, size_t want);

int
store_reserve(store_t *s, size_t bytes)
{
	size_t used = map_used(s);
	size_t need = used + bytes < used ? SIZE_MAX : used + bytes;
	size_t cur = store_map_size(s), want = cur;
	while (want < need && want < s->map_max) {
		want = want > s->map_max / 2 ? s->map_max : want * 2;
	}
	if (want > cur) {
		int rc = map_resize(s, want);
		if (rc != 0) {
			st_set_err(s, "cannot grow the map to %zu MiB: %s", want >> 20,
			           mdb_strerror(rc));
			return SN_ESTORE;
		}
	}
	return need <= store_map_size(s) ? SN_OK : SN_ENOSPC;
}

/* Gives back the transaction's place among the open ones, waking a thread
 * that waits to resize the map. */
static void
txn_release(store_txn_t *t)
{
	if (!t->counted) {
		return;
	}
	store_t *s = t->s;
	pthread_mutex_lock(&s->mu);
	s->active--;
	if (s->active == 0) {
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	t->counted = false;
}

/* Sets the map to `want` bytes (0: adopt the size another process set)
 * once no transaction of this process is open: LMDB allows the call only
 * then, and does not check it. New transactions wait meanwhile. */
static int
map_resize(store_t *s, size_t want)
{
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	s->resizers++;
	while (s->active > 0) {
		pthread_cond_wait(&s->cv, &s->mu);
	}
	if (want == 0 || want > s->map_size) {
		rc = mdb_env_set_mapsize(s->env, want);
		if (rc == 0) {
			MDB_envinfo info;
			mdb_env_info(s->env, &info);
			s->map_size = info.me_mapsize;
		}
	}
	s->resizers--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* LMDB said the map is full: the transaction is dead (LMDB requires an
 * abort). Grow the map for the retry, or say the store is full. */
static int
map_full(store_txn_t *t)
{
	store_t *s = t->s;

	if (t->mdb != NULL) {
		mdb_txn_abort(t->mdb);
		t->mdb = NULL;
	}
	txn_release(t);
	size_t cur = store_map_size(s);
	if (cur >= s->map_max) {
		st_set_err(s,
		           "store full: the map reached its maximum of %zu MiB; the change was "
		           "not applied",
		           s->map_max >> 20);
		t->dead_rc = SN_ESTORE;
		return SN_ESTORE;
	}
	size_t want = cur > s->map_max / 2 ? s->map_max : cur * 2;
	int rc = map_resize(s, want);
	if (rc != 0) {
		st_set_err(s, "store full: cannot grow the map to %zu MiB: %s", want >> 20,
		           mdb_strerror(rc));
		t->dead_rc = SN_ESTORE;
		return SN_ESTORE;
	}
	t->dead_rc = SN_ENOSPC;
	return SN_ENOSPC;
}

int
st_poison(store_txn_t *t, int rc)
{
	if (t->write && rc != SN_OK && t->dead_rc == SN_OK) {
		t->dead_rc = rc;
	}
	return rc;
}

int
st_mdb_err(store_txn_t *t, int rc, const char *what)
{
	if (rc == 0) {
		return SN_OK;
	}
	if (rc == MDB_NOTFOUND) {
		return SN_ENOTFOUND;
	}
	if (rc == MDB_MAP_FULL) {
		return map_full(t);
	}
	if (rc == ENOSPC) {
		st_set_err(t->s, "store full: %s: the disk is full (%s)", what, mdb_strerror(rc));
	} else {
		st_set_err(t->s, "%s: %s", what, mdb_strerror(rc));
	}
	return st_poison(t, SN_ESTORE);
}

int
st_usable(store_txn_t *t, bool write)
{
	if (t == NULL) {
		return SN_EINVAL;
	}
	if (t->dead_rc != SN_OK) {
		return t->dead_rc;
	}
	if (t->mdb == NULL) {
		return SN_ESTORE;
	}
	if (write && !t->write) {
		return SN_EINVAL;
	}
	return SN_OK;
}

/* Room for canonicalising two RDATA (st_rdata_cmp). */
static int
need_scratch(store_txn_t *t)
{
	if (t->scratch_a == NULL) {
		t->scratch_a = malloc(RDATA_MAXLEN);
	}
	if (t->scratch_b == NULL) {
		t->scratch_b = malloc(RDATA_MAXLEN);
	}
	return t->scratch_a != NULL && t->scratch_b != NULL ? SN_OK : SN_ENOMEM;
}

int
st_rdata_cmp(store_txn_t *t, uint16_t type, const uint8_t *a, size_t al, const uint8_t *b,
             size_t bl, int *err)
{
	size_t m = al < bl ? al : bl;

	/* Most comparisons in a diff are of identical records. */
	if (al == bl && (al == 0 || memcmp(a, b, al) == 0)) {
		return 0;
	}
	if (need_scratch(t) != SN_OK) {
		*err = SN_ENOMEM;
		return 0;
	}
	memcpy(t->scratch_a, a, al);
	memcpy(t->scratch_b, b, bl);
	/* RFC 4034 6.2: names inside RDATA of the listed types compare in
	 * lower case; 6.3: then as left-justified octet strings. */
	rdata_to_canonical(type, t->scratch_a, al);
	rdata_to_canonical(type, t->scratch_b, bl);
	int c = m > 0 ? memcmp(t->scratch_a, t->scratch_b, m) : 0;
	if (c != 0) {
		return c;
	}
	return al < bl ? -1 : al > bl ? 1 : 0;
}

bool
st_soa_serial(const uint8_t *rd, size_t len, uint32_t *serial)
{
	size_t l1, l2;
	if (dname_check(rd, len, &l1) != SN_OK) {
		return false;
	}
	if (dname_check(rd + l1, len - l1, &l2) != SN_OK) {
		return false;
	}
	if (len != l1 + l2 + 20) {
		return false;
	}
	*serial = st_get_u32(rd + l1 + l2);
	return true;
}

/* ---- byte codecs ---- */

void
sbuf_reserve(sbuf_t *b, size_t more)
{
	if (b->oom) {
		return;
	}
	if (b->len + more < b->len) {
		b->oom = true;
		return;
	}
	size_t cap = b->cap == 0 ? 256 : b->cap;
	while (cap < b->len + more) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return;
		}
		cap *= 2;
	}
	uint8_t *p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = true;
		return;
	}
	b->p = p;
	b->cap = cap;
}

void
sbuf_free(sbuf_t *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

const uint8_t *
srd_dname(srd_t *r)
{
	uint8_t n = srd_u8(r);
	const uint8_t *p = srd_take(r, n);
	size_t wl;
	if (p == NULL || dname_check(p, n, &wl) != SN_OK || wl != n) {
		r->bad = true;
		return NULL;
	}
	return p;
}

void
st_rr_encode(sbuf_t *b, const store_rr_t *rr)
{
	size_t ol = dname_len(rr->owner);
	sbuf_u8(b, (uint8_t)ol);
	sbuf_put(b, rr->owner, ol);
	sbuf_u16(b, rr->type);
	sbuf_u16(b, rr->rclass);
	sbuf_u32(b, rr->ttl);
	sbuf_u16(b, rr->rdlen);
	sbuf_put(b, rr->rdata, rr->rdlen);
}

int
st_rr_decode(srd_t *r, store_rr_t *rr)
{
	store_rr_t v;
	v.owner = srd_dname(r);
	v.type = srd_u16(r);
	v.rclass = srd_u16(r);
	v.ttl = srd_u32(r);
	v.rdlen = srd_u16(r);
	v.rdata = srd_take(r, v.rdlen);
	if (r->bad || rdata_check(v.type, v.rdata, v.rdlen) != SN_OK) {
		r->bad = true;
		return SN_ESTORE;
	}
	*rr = v;
	return SN_OK;
}

/*
 * A records value: every record of one (owner, type), sorted by class and
 * canonical RDATA.
 *	u8 owner length, owner (the first record's, case as written); length
 *	0 when that owner is all lower case: the key gives it then
 *	per record: u8 flags (1: an owner of its own follows: u8 length,
 *	owner), u16 class, u32 TTL, u16 RDATA length, RDATA
 * Most owners are written in lower case, so most values hold no name at
 * all (a third of the store's size); a record whose case differs from
 * the first one's carries its own, so a zone printed from the store keeps
 * the case it was written in.
 */

#define RRV_OWN_OWNER 0x01

typedef struct vrec {
	const uint8_t *owner;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata;
} vrec_t;

typedef struct vit {
	srd_t r;
	const uint8_t *owner0;
	uint16_t type;
} vit_t;

/* Starts reading the value `v` of owner key `okey` and `type`; `lower`
 * (DNAME_MAXLEN octets) receives the owner when the value leaves it to the
 * key, and must live as long as the records read. */
static int
vit_init(vit_t *it, const MDB_val *v, uint16_t type, const uint8_t *okey, size_t oklen,
         uint8_t *lower)
{
	size_t wl;
	it->r = (srd_t){.p = v->mv_data, .left = v->mv_size};
	it->type = type;
	if (it->r.left > 0 && it->r.p[0] == 0) {
		(void)srd_u8(&it->r);
		if (tree_key_to_dname(okey, oklen, lower, &wl) != SN_OK) {
			return SN_ESTORE;
		}
		it->owner0 = lower;
		return SN_OK;
	}
	it->owner0 = srd_dname(&it->r);
	return it->owner0 != NULL ? SN_OK : SN_ESTORE;
}

/* Next record of the value: SN_OK, SN_ENOTFOUND at its end, SN_ESTORE. */
static int
vit_next(vit_t *it, vrec_t *out)
{
	srd_t *r = &it->r;
	vrec_t v;

	if (r->left == 0) {
		return SN_ENOTFOUND;
	}
	uint8_t flags = srd_u8(r);
	v.owner = it->owner0;
	if (flags & RRV_OWN_OWNER) {
		v.owner = srd_dname(r);
	}
	v.rclass = srd_u16(r);
	v.ttl = srd_u32(r);
	v.rdlen = srd_u16(r);
	v.rdata = srd_take(r, v.rdlen);
	if (r->bad || (flags & ~RRV_OWN_OWNER) != 0 ||
	    rdata_check(it->type, v.rdata, v.rdlen) != SN_OK) {
		r->bad = true;
		return SN_ESTORE;
	}
	*out = v;
	return SN_OK;
}

static void
rrv_begin(sbuf_t *b, const uint8_t *owner0)
{
	size_t ol = dname_len(owner0);
	bool upper = false;
	/* Length octets are at most 63, below 'A': scan the whole name. */
	for (size_t i = 0; i < ol && !upper; i++) {
		upper = owner0[i] >= 'A' && owner0[i] <= 'Z';
	}
	b->len = 0;
	if (!upper) {
		sbuf_u8(b, 0);
		return;
	}
	sbuf_u8(b, (uint8_t)ol);
	sbuf_put(b, owner0, ol);
}

static void
rrv_add(sbuf_t *b, const uint8_t *owner0, const uint8_t *owner, uint16_t rclass, uint32_t ttl,
        uint16_t rdlen, const uint8_t *rdata)
{
	size_t ol = dname_len(owner);
	bool same = owner == owner0 || (ol == dname_len(owner0) && memcmp(owner, owner0, ol) == 0);
	sbuf_u8(b, same ? 0 : RRV_OWN_OWNER);
	if (!same) {
		sbuf_u8(b, (uint8_t)ol);
		sbuf_put(b, owner, ol);
	}
	sbuf_u16(b, rclass);
	sbuf_u32(b, ttl);
	sbuf_u16(b, rdlen);
	sbuf_put(b, rdata, rdlen);
}

/* Stored key -> owner key and type. False when malformed. */
static bool
rkey_parse(const MDB_val *k, uint32_t zid, const uint8_t **okey, size_t *oklen, uint16_t *type)
{
	const uint8_t *p = k->mv_data;
	if (k->mv_size < 7 || st_get_u32(p) != zid || p[k->mv_size - 3] != 0) {
		return false;
	}
	*okey = p + 4;
	*oklen = k->mv_size - 7;
	*type = st_get_u16(p + k->mv_size - 2);
	return true;
}

/* memcmp order, shorter first on a common prefix: canonical name order on
 * canonical keys. */
static int
key_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	if (c != 0) {
		return c;
	}
	return al < bl ? -1 : al > bl ? 1 : 0;
}

/* ---- the environment ---- */

static void grow_early(store_t *s);

static void open_msg(const store_opts_t *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
open_msg(const store_opts_t *o, const char *fmt, ...)
{
	va_list ap;
	if (o->errbuf == NULL || o->errbuf_len == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(o->errbuf, o->errbuf_len, fmt, ap);
	va_end(ap);
}

static size_t
round_up(size_t n, size_t to)
{
	if (n % to == 0) {
		return n;
	}
	return n > SIZE_MAX - to ? n - n % to : n + to - n % to;
}

/* Opens the named databases and checks (or writes) the format. */
static int
open_dbs(store_t *s, const store_opts_t *o)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc != 0) {
		open_msg(o, "store %s: cannot begin a transaction: %s", s->dir, mdb_strerror(rc));
		return SN_ESTORE;
	}
	const char *what = "info";
	rc = mdb_dbi_open(txn, "info", MDB_CREATE, &s->dbi_info);
	if (rc == 0) {
		what = "zones";
		rc = mdb_dbi_open(txn, "zones", MDB_CREATE, &s->dbi_zones);
	}
	if (rc == 0) {
		what = "records";
		rc = mdb_dbi_open(txn, "records", MDB_CREATE, &s->dbi_records);
	}
	if (rc == 0) {
		what = "journal";
		rc = mdb_dbi_open(txn, "journal", MDB_CREATE, &s->dbi_journal);
	}
	if (rc == 0) {
		what = "signed";
		rc = mdb_dbi_open(txn, "signed", MDB_CREATE, &s->dbi_signed);
	}
	if (rc == 0) {
		what = "keys";
		rc = mdb_dbi_open(txn, "keys", MDB_CREATE, &s->dbi_keys);
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		open_msg(o, "store %s: cannot open the %s database: %s", s->dir, what,
		         mdb_strerror(rc));
		return SN_ESTORE;
	}
	MDB_val k = {.mv_size = 6, .mv_data = (void *)"format"}, v;
	uint8_t fmt[4];
	st_put_u32(fmt, STORE_FORMAT);
	rc = mdb_get(txn, s->dbi_info, &k, &v);
	if (rc == MDB_NOTFOUND) {
		v = (MDB_val){.mv_size = 4, .mv_data = fmt};
		rc = mdb_put(txn, s->dbi_info, &k, &v, 0);
	} else if (rc == 0) {
		uint32_t f = v.mv_size == 4 ? st_get_u32(v.mv_data) : 0;
		if (f < STORE_FORMAT_MIN || f > STORE_FORMAT) {
			mdb_txn_abort(txn);
			open_msg(o, "store %s: format %u, this signet reads formats %u to %u",
			         s->dir, f, STORE_FORMAT_MIN, STORE_FORMAT);
			return SN_ESTORE;
		}
		/* Format 1 lacked only the signed and keys databases, which
		 * were just created empty: the store is format 2 now. */
		if (f < STORE_FORMAT) {
			v = (MDB_val){.mv_size = 4, .mv_data = fmt};
			rc = mdb_put(txn, s->dbi_info, &k, &v, 0);
		}
	}
	/* Committed even when nothing was written: database handles opened
	 * in a transaction that aborts are closed with it. */
	if (rc == 0) {
		rc = mdb_txn_commit(txn);
	} else {
		mdb_txn_abort(txn);
	}
	if (rc != 0) {
		open_msg(o, "store %s: cannot initialise: %s", s->dir, mdb_strerror(rc));
		return SN_ESTORE;
	}
	return SN_OK;
}

int
store_open(const char *dir, const store_opts_t *o, store_t **out)
{
	static const store_opts_t defaults;
	store_t *s = NULL;
	struct stat st;
	int rc;

	if (o == NULL) {
		o = &defaults;
	}
	if (dir == NULL || dir[0] == '\0') {
		open_msg(o, "store: no folder given");
		return SN_EINVAL;
	}
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	size_t init = o->map_initial != 0 ? o->map_initial : STORE_MAP_INITIAL_DEFAULT;
	size_t max = o->map_max != 0 ? o->map_max : STORE_MAP_MAX_DEFAULT;
	if (o->map_max == 0 && init > max) {
		max = init;
	}
	init = round_up(init, page);
	max = round_up(max, page);
	if (init < STORE_MAP_MIN || init > max) {
		open_msg(o, "store %s: map sizes must be %zu MiB <= initial <= maximum", dir,
		         STORE_MAP_MIN >> 20);
		return SN_EINVAL;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		open_msg(o, "store %s: cannot create the folder: %s", dir, strerror(errno));
		return SN_EIO;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		open_msg(o, "store %s: not a folder", dir);
		return SN_EIO;
	}

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return SN_ENOMEM;
	}
	s->dir = strdup(dir);
	if (s->dir == NULL) {
		free(s);
		return SN_ENOMEM;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);

	rc = mdb_env_create(&s->env);
	if (rc != 0) {
		s->env = NULL;
		open_msg(o, "store %s: %s", dir, mdb_strerror(rc));
		rc = SN_ENOMEM;
		goto fail;
	}
	rc = mdb_env_set_maxdbs(s->env, 16);
	if (rc == 0) {
		rc = mdb_env_set_mapsize(s->env, init);
	}
	if (rc == 0 && o->max_readers != 0) {
		rc = mdb_env_set_maxreaders(s->env, o->max_readers);
	}
	if (rc == 0) {
		/* MDB_NOTLS: read transactions live in store_txn_t, not in
		 * the thread, so a thread may hold several and hand one on. */
		unsigned flags = MDB_NOTLS | (o->nosync ? MDB_NOSYNC : 0);
		rc = mdb_env_open(s->env, dir, flags, 0600);
	}
	if (rc != 0) {
		open_msg(o, "store %s: cannot open the environment: %s", dir, mdb_strerror(rc));
		rc = SN_ESTORE;
		goto fail;
	}
	/* A process killed while reading left its reader slots taken. */
	int dead = 0;
	(void)mdb_reader_check(s->env, &dead);

	MDB_envinfo info;
	mdb_env_info(s->env, &info);
	s->map_size = info.me_mapsize;
	s->map_max = max > s->map_size ? max : s->map_size;

	rc = open_dbs(s, o);
	if (rc != SN_OK) {
		goto fail;
	}
	/* LMDB maps at least what is used, so a store that grew before
	 * opens full: grow it before the first change finds out. */
	grow_early(s);
	*out = s;
	return SN_OK;
fail:
	store_close(s);
	return rc;
}

void
store_close(store_t *s)
{
	if (s == NULL) {
		return;
	}
	if (s->env != NULL) {
		mdb_env_close(s->env);
	}
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s->dir);
	free(s);
}

/* ---- transactions ---- */

int
store_txn_begin(store_t *s, bool write, store_txn_t **out)
{
	store_txn_t *t = calloc(1, sizeof(*t));
	if (t == NULL) {
		return SN_ENOMEM;
	}
	t->s = s;
	t->write = write;
	for (int attempt = 0;; attempt++) {
		pthread_mutex_lock(&s->mu);
		while (s->resizers > 0) {
			pthread_cond_wait(&s->cv, &s->mu);
		}
		s->active++;
		pthread_mutex_unlock(&s->mu);
		t->counted = true;
		int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->mdb);
		if (rc == 0) {
			break;
		}
		t->mdb = NULL;
		txn_release(t);
		/* Another process grew the map beyond ours: adopt its size. */
		if (rc == MDB_MAP_RESIZED && attempt == 0 && map_resize(s, 0) == 0) {
			continue;
		}
		st_set_err(s, "cannot begin a %s transaction: %s", write ? "write" : "read",
		           mdb_strerror(rc));
		free(t);
		return SN_ESTORE;
	}
	*out = t;
	return SN_OK;
}

static void
txn_free(store_txn_t *t)
{
	if (t->mdb != NULL) {
		mdb_txn_abort(t->mdb);
		t->mdb = NULL;
	}
	txn_release(t);
	free(t->scratch_a);
	free(t->scratch_b);
	free(t);
}

/* After a commit: when the data fills 7/8 of the map, grow it now, while
 * this thread holds no transaction, so that the next change rarely finds
 * the map full and has to be redone. */
static void
grow_early(store_t *s)
{
	size_t used = map_used(s);
	size_t cur = store_map_size(s);
	if (cur >= s->map_max || used < cur - cur / 8) {
		return;
	}
	size_t want = cur > s->map_max / 2 ? s->map_max : cur * 2;
	(void)map_resize(s, want); /* on failure the next write says so */
}

int
store_txn_commit(store_txn_t *t)
{
	store_t *s = t->s;
	bool write = t->write;
	int rc = t->dead_rc;
	if (rc == SN_OK && t->mdb == NULL) {
		rc = SN_ESTORE;
	}
	if (rc == SN_OK) {
		int mrc = mdb_txn_commit(t->mdb);
		t->mdb = NULL; /* freed by LMDB, committed or not */
		if (mrc != 0) {
			rc = st_mdb_err(t, mrc, "commit");
			if (rc == SN_ENOTFOUND) {
				rc = SN_ESTORE;
			}
		}
	}
	txn_free(t);
	if (rc == SN_OK && write) {
		grow_early(s);
	}
	return rc;
}

void
store_txn_abort(store_txn_t *t)
{
	if (t != NULL) {
		txn_free(t);
	}
}

int
store_write(store_t *s, int (*fn)(store_txn_t *txn, void *ctx), void *ctx)
{
	/* Each retry doubles the map, so this bounds nothing real; it only
	 * keeps a callback that returns SN_ENOSPC by itself from looping. */
	for (unsigned i = 0; i < 64; i++) {
		store_txn_t *t;
		bool retry;
		int rc = store_txn_begin(s, true, &t);
		if (rc != SN_OK) {
			return rc;
		}
		rc = fn(t, ctx);
		if (rc == SN_OK) {
			rc = store_txn_commit(t);
			retry = rc == SN_ENOSPC;
		} else {
			retry = rc == SN_ENOSPC && t->dead_rc == SN_ENOSPC;
			store_txn_abort(t);
		}
		if (!retry) {
			return rc;
		}
	}
	st_set_err(s, "store full: a change kept finding the map full");
	return SN_ESTORE;
}

/* ---- the catalogue ---- */

static int
apex_keys(const uint8_t *apex, zrec_t *z)
{
	size_t wl;
	if (apex == NULL || dname_check(apex, DNAME_MAXLEN, &wl) != SN_OK) {
		return SN_EINVAL;
	}
	if (tree_key_from_dname(apex, z->akey, &z->akeylen) != SN_OK) {
		return SN_EINVAL;
	}
	/* The separator makes the root's key non-empty (LMDB refuses empty
	 * keys) and keeps canonical order (0x00 sorts before any label). */
	memcpy(z->ckey, z->akey, z->akeylen);
	z->ckey[z->akeylen] = 0;
	z->ckeylen = z->akeylen + 1;
	return SN_OK;
}

static void
zrec_encode(sbuf_t *b, const zrec_t *z)
{
	const store_zone_meta_t *m = &z->m;
	size_t al = dname_len(m->apex);
	size_t fl = strnlen(m->file, STORE_PATH_MAX - 1);

	b->len = 0;
	sbuf_u8(b, ZREC_VERSION);
	sbuf_u32(b, m->id);
	sbuf_u8(b, m->has_soa ? 1 : 0);
	sbuf_u32(b, m->serial);
	sbuf_u64(b, m->record_count);
	sbuf_u32(b, m->journal_count);
	sbuf_u64(b, m->journal_bytes);
	sbuf_u32(b, m->journal_serial_first);
	sbuf_u64(b, z->jseq_first);
	sbuf_u64(b, z->jseq_next);
	sbuf_u64(b, (uint64_t)m->file_mtime_ns);
	sbuf_u64(b, m->file_size);
	sbuf_u64(b, m->file_inode);
	sbuf_u64(b, m->file_dev);
	sbuf_put(b, m->file_hash, STORE_HASH_LEN);
	sbuf_u64(b, (uint64_t)m->last_load);
	sbuf_u32(b, m->journal_max_entries);
	sbuf_u64(b, m->journal_max_bytes);
	sbuf_u32(b, m->flags);
	sbuf_u64(b, m->signed_count);
	sbuf_u8(b, (uint8_t)al);
	sbuf_put(b, m->apex, al);
	sbuf_u16(b, (uint16_t)fl);
	sbuf_put(b, m->file, fl);
}

static int
zrec_decode(const MDB_val *v, zrec_t *z)
{
	srd_t r = {.p = v->mv_data, .left = v->mv_size};
	store_zone_meta_t *m = &z->m;

	memset(m, 0, sizeof(*m));
	uint8_t version = srd_u8(&r);
	if (version != ZREC_VERSION && version != 2) {
		return SN_ESTORE;
	}
	m->id = srd_u32(&r);
	m->has_soa = srd_u8(&r) != 0;
	m->serial = srd_u32(&r);
	m->record_count = srd_u64(&r);
	m->journal_count = srd_u32(&r);
	m->journal_bytes = srd_u64(&r);
	m->journal_serial_first = srd_u32(&r);
	z->jseq_first = srd_u64(&r);
	z->jseq_next = srd_u64(&r);
	m->file_mtime_ns = (int64_t)srd_u64(&r);
	m->file_size = srd_u64(&r);
	m->file_inode = srd_u64(&r);
	m->file_dev = srd_u64(&r);
	const uint8_t *h = srd_take(&r, STORE_HASH_LEN);
	m->last_load = (int64_t)srd_u64(&r);
	m->journal_max_entries = srd_u32(&r);
	m->journal_max_bytes = srd_u64(&r);
	m->flags = srd_u32(&r);
	m->signed_count = version >= 3 ? srd_u64(&r) : 0;
	const uint8_t *apex = srd_dname(&r);
	uint16_t fl = srd_u16(&r);
	const uint8_t *f = srd_take(&r, fl);
	if (r.bad || r.left != 0 || fl >= STORE_PATH_MAX || memchr(f, 0, fl) != NULL ||
	    z->jseq_next - z->jseq_first != m->journal_count) {
		return SN_ESTORE;
	}
	memcpy(m->file_hash, h, STORE_HASH_LEN);
	memcpy(m->apex, apex, dname_len(apex));
	memcpy(m->file, f, fl);
	m->file[fl] = '\0';
	return SN_OK;
}

int
st_zone_load(store_txn_t *t, const uint8_t *apex, zrec_t *z)
{
	int rc = st_usable(t, false);
	if (rc != SN_OK) {
		return rc;
	}
	rc = apex_keys(apex, z);
	if (rc != SN_OK) {
		return rc;
	}
	MDB_val k = {.mv_size = z->ckeylen, .mv_data = z->ckey}, v;
	rc = st_mdb_err(t, mdb_get(t->mdb, t->s->dbi_zones, &k, &v), "reading the catalogue");
	if (rc != SN_OK) {
		return rc;
	}
	if (zrec_decode(&v, z) != SN_OK || !dname_is_equal(z->m.apex, apex)) {
		char name[DNAME_MAXTEXT];
		dname_to_text(apex, name, sizeof(name));
		st_set_err(t->s, "zone %s: corrupt catalogue entry", name);
		return SN_ESTORE;
	}
	return SN_OK;
}

int
st_zone_save(store_txn_t *t, const zrec_t *z)
{
	sbuf_t b = {0};
	zrec_encode(&b, z);
	if (b.oom) {
		sbuf_free(&b);
		return st_poison(t, SN_ENOMEM);
	}
	MDB_val k = {.mv_size = z->ckeylen, .mv_data = (void *)z->ckey};
	MDB_val v = {.mv_size = b.len, .mv_data = b.p};
	int rc =
	    st_mdb_err(t, mdb_put(t->mdb, t->s->dbi_zones, &k, &v, 0), "writing the catalogue");
	sbuf_free(&b);
	return st_poison(t, rc == SN_ENOTFOUND ? SN_ESTORE : rc);
}

static int
check_caller_fields(const store_zone_meta_t *m)
{
	return memchr(m->file, 0, STORE_PATH_MAX) != NULL ? SN_OK : SN_EINVAL;
}

static void
copy_caller_fields(store_zone_meta_t *dst, const store_zone_meta_t *src)
{
	memcpy(dst->file, src->file, sizeof(dst->file));
	dst->file_mtime_ns = src->file_mtime_ns;
	dst->file_size = src->file_size;
	dst->file_inode = src->file_inode;
	dst->file_dev = src->file_dev;
	memcpy(dst->file_hash, src->file_hash, STORE_HASH_LEN);
	dst->last_load = src->last_load;
	dst->journal_max_entries = src->journal_max_entries;
	dst->journal_max_bytes = src->journal_max_bytes;
	dst->flags = src->flags;
}

int
store_zone_add(store_txn_t *t, const uint8_t *apex, const store_zone_meta_t *init)
{
	zrec_t z;
	int rc = st_zone_load(t, apex, &z);
	if (rc == SN_OK) {
		return SN_EEXIST;
	}
	if (rc != SN_ENOTFOUND) {
		return rc;
	}
	rc = st_usable(t, true);
	if (rc != SN_OK) {
		return rc;
	}
	if (init != NULL && check_caller_fields(init) != SN_OK) {
		return SN_EINVAL;
	}
	memset(&z.m, 0, sizeof(z.m));
	z.jseq_first = z.jseq_next = 0;
	if (init != NULL) {
		copy_caller_fields(&z.m, init);
	}
	memcpy(z.m.apex, apex, dname_len(apex));

	MDB_val k = {.mv_size = 12, .mv_data = (void *)"next_zone_id"}, v;
	uint32_t id = 1;
	rc = st_mdb_err(t, mdb_get(t->mdb, t->s->dbi_info, &k, &v), "reading the next zone id");
	if (rc == SN_OK) {
		if (v.mv_size != 4) {
			st_set_err(t->s, "corrupt next zone id");
			return SN_ESTORE;
		}
		id = st_get_u32(v.mv_data);
	} else if (rc != SN_ENOTFOUND) {
		return rc;
	}
	if (id == 0 || id == UINT32_MAX) {
		st_set_err(t->s, "no zone id left");
		return SN_ERANGE;
	}
	z.m.id = id;
	uint8_t next[4];
	st_put_u32(next, id + 1);
	v = (MDB_val){.mv_size = 4, .mv_data = next};
	rc = st_mdb_err(t, mdb_put(t->mdb, t->s->dbi_info, &k, &v, 0), "writing the next zone id");
	if (rc != SN_OK) {
		return st_poison(t, rc == SN_ENOTFOUND ? SN_ESTORE : rc);
	}
	return st_zone_save(t, &z);
}

int
store_zone_get(store_txn_t *t, const uint8_t *apex, store_zone_meta_t *out)
{
	zrec_t z;
	int rc = st_zone_load(t, apex, &z);
	if (rc == SN_OK) {
		*out = z.m;
	}
	return rc;
}

int
store_zone_put_meta(store_txn_t *t, const uint8_t *apex, const store_zone_meta_t *m)
{
	zrec_t z;
	int rc = st_usable(t, true);
	if (rc != SN_OK) {
		return rc;
	}
	rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	if (check_caller_fields(m) != SN_OK) {
		return SN_EINVAL;
	}
	copy_caller_fields(&z.m, m);
	return st_zone_save(t, &z);
}

int
st_delete_prefix(store_txn_t *t, MDB_dbi dbi, uint32_t zid, uint64_t *deleted)
{
	MDB_cursor *c;
	uint8_t pfx[4];
	uint64_t n = 0;
	int rc = st_mdb_err(t, mdb_cursor_open(t->mdb, dbi, &c), "opening a cursor");
	if (rc != SN_OK) {
		return rc;
	}
	st_put_u32(pfx, zid);
	MDB_val k = {.mv_size = 4, .mv_data = pfx}, v;
	int mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	while (mrc == 0 && k.mv_size >= 4 && memcmp(k.mv_data, pfx, 4) == 0) {
		mrc = mdb_cursor_del(c, 0);
		if (mrc != 0) {
			break;
		}
		n++;
		/* After a delete the cursor already stands on the next item,
		 * and MDB_NEXT returns that one. */
		mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (mrc != 0 && mrc != MDB_NOTFOUND) {
		rc = st_mdb_err(t, mrc, "deleting a zone's data");
		return st_poison(t, rc == SN_ENOTFOUND ? SN_ESTORE : rc);
	}
	if (deleted != NULL) {
		*deleted = n;
	}
	return SN_OK;
}

int
store_zone_remove(store_txn_t *t, const uint8_t *apex)
{
	zrec_t z;
	int rc = st_usable(t, true);
	if (rc != SN_OK) {
		return rc;
	}
	rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	rc = st_delete_prefix(t, t->s->dbi_records, z.m.id, NULL);
	if (rc == SN_OK) {
		rc = st_delete_prefix(t, t->s->dbi_signed, z.m.id, NULL);
	}
	if (rc == SN_OK) {
		rc = st_delete_prefix(t, t->s->dbi_journal, z.m.id, NULL);
	}
	if (rc == SN_OK) {
		rc = st_delete_prefix(t, t->s->dbi_keys, z.m.id, NULL);
	}
	if (rc == SN_OK) {
		MDB_val k = {.mv_size = z.ckeylen, .mv_data = z.ckey};
		rc = st_mdb_err(t, mdb_del(t->mdb, t->s->dbi_zones, &k, NULL),
		                "deleting a catalogue entry");
		if (rc == SN_ENOTFOUND) {
			rc = SN_ESTORE;
		}
	}
	return st_poison(t, rc);
}

int
store_zone_list(store_txn_t *t, int (*cb)(void *ctx, const store_zone_meta_t *m), void *ctx)
{
	MDB_cursor *c;
	zrec_t z;
	int rc = st_usable(t, false);
	if (rc != SN_OK) {
		return rc;
	}
	rc = st_mdb_err(t, mdb_cursor_open(t->mdb, t->s->dbi_zones, &c), "opening a cursor");
	if (rc != SN_OK) {
		return rc;
	}
	MDB_val k, v;
	int mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (mrc == 0) {
		if (zrec_decode(&v, &z) != SN_OK) {
			st_set_err(t->s, "corrupt catalogue entry");
			rc = SN_ESTORE;
			break;
		}
		rc = cb(ctx, &z.m);
		if (rc != SN_OK) {
			break;
		}
		mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc == SN_OK && mrc != MDB_NOTFOUND) {
		rc = st_mdb_err(t, mrc, "reading the catalogue");
	}
	return rc;
}

/* ---- records ---- */

struct store_cursor {
	store_txn_t *txn;
	MDB_cursor *c;
	uint32_t zid;
	bool started;
	bool done;
	bool have; /* a value is being read */
	vit_t vit;
	const uint8_t *okey; /* owner key of the current value */
	size_t oklen;
	uint8_t lower[DNAME_MAXLEN]; /* its owner, when the key gives it */
};

static int
cursor_open(store_txn_t *t, MDB_dbi dbi, uint32_t zid, store_cursor_t **out)
{
	store_cursor_t *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return SN_ENOMEM;
	}
	int rc = st_mdb_err(t, mdb_cursor_open(t->mdb, dbi, &c->c), "opening a cursor");
	if (rc != SN_OK) {
		free(c);
		return rc == SN_ENOTFOUND ? SN_ESTORE : rc;
	}
	c->txn = t;
	c->zid = zid;
	*out = c;
	return SN_OK;
}

static int
cursor_new(store_txn_t *t, const uint8_t *apex, bool sgn, store_cursor_t **out)
{
	zrec_t z;
	int rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	return cursor_open(t, sgn ? t->s->dbi_signed : t->s->dbi_records, z.m.id, out);
}

int
store_cursor_new(store_txn_t *t, const uint8_t *apex, store_cursor_t **out)
{
	return cursor_new(t, apex, false, out);
}

int
store_signed_cursor_new(store_txn_t *t, const uint8_t *apex, store_cursor_t **out)
{
	return cursor_new(t, apex, true, out);
}

void
store_cursor_free(store_cursor_t *c)
{
	if (c == NULL) {
		return;
	}
	/* Ending a write transaction (a full map does) frees its cursors. */
	if (c->txn->mdb != NULL) {
		mdb_cursor_close(c->c);
	}
	free(c);
}

int
store_cursor_next(store_cursor_t *c, store_rr_t *rr)
{
	for (;;) {
		if (c->done) {
			return SN_ENOTFOUND;
		}
		if (c->have) {
			vrec_t v;
			int rc = vit_next(&c->vit, &v);
			if (rc == SN_OK) {
				rr->owner = v.owner;
				rr->type = c->vit.type;
				rr->rclass = v.rclass;
				rr->ttl = v.ttl;
				rr->rdlen = v.rdlen;
				rr->rdata = v.rdata;
				return SN_OK;
			}
			if (rc != SN_ENOTFOUND) {
				st_set_err(c->txn->s, "corrupt record in zone %u", c->zid);
				c->done = true;
				return SN_ESTORE;
			}
			c->have = false;
		}
		MDB_val k, v;
		uint8_t pfx[4];
		int mrc;
		if (!c->started) {
			st_put_u32(pfx, c->zid);
			k = (MDB_val){.mv_size = 4, .mv_data = pfx};
			mrc = mdb_cursor_get(c->c, &k, &v, MDB_SET_RANGE);
			c->started = true;
		} else {
			mrc = mdb_cursor_get(c->c, &k, &v, MDB_NEXT);
		}
		if (mrc != 0) {
			c->done = true;
			int rc = st_mdb_err(c->txn, mrc, "reading records");
			return rc;
		}
		if (k.mv_size < 4 || st_get_u32(k.mv_data) != c->zid) {
			c->done = true;
			return SN_ENOTFOUND;
		}
		uint16_t type;
		if (!rkey_parse(&k, c->zid, &c->okey, &c->oklen, &type) ||
		    vit_init(&c->vit, &v, type, c->okey, c->oklen, c->lower) != SN_OK) {
			st_set_err(c->txn->s, "corrupt record key or value in zone %u", c->zid);
			c->done = true;
			return SN_ESTORE;
		}
		c->have = true;
	}
}

static int
zone_read(store_txn_t *t, const uint8_t *apex, bool sgn, rrlist_t **out)
{
	store_cursor_t *c = NULL;
	rrlist_t *l = NULL;
	store_rr_t rr;
	int rc;

	rc = cursor_new(t, apex, sgn, &c);
	if (rc != SN_OK) {
		return rc;
	}
	l = rrlist_new();
	if (l == NULL) {
		rc = SN_ENOMEM;
		goto out;
	}
	while ((rc = store_cursor_next(c, &rr)) == SN_OK) {
		zfile_rr_t zr = {
		    .owner = rr.owner,
		    .type = rr.type,
		    .rclass = rr.rclass,
		    .ttl = rr.ttl,
		    .rdlen = rr.rdlen,
		    .rdata = rr.rdata,
		};
		rc = rrlist_add(l, &zr);
		if (rc != SN_OK) {
			if (rc == SN_EPARSE) {
				st_set_err(t->s, "corrupt record in the store");
				rc = SN_ESTORE;
			}
			goto out;
		}
	}
	if (rc != SN_ENOTFOUND) {
		goto out;
	}
	/* Already in canonical order: the sort only checks it, in one pass. */
	rc = rrlist_sort(l);
	if (rc != SN_OK) {
		goto out;
	}
	*out = l;
	l = NULL;
out:
	rrlist_free(l);
	store_cursor_free(c);
	return rc;
}

int
store_zone_read(store_txn_t *t, const uint8_t *apex, rrlist_t **out)
{
	return zone_read(t, apex, false, out);
}

int
store_zone_read_signed(store_txn_t *t, const uint8_t *apex, rrlist_t **out)
{
	return zone_read(t, apex, true, out);
}

/* The owner key of record `i` of `l`, recomputed only when the owner
 * changes. */
typedef struct okey_cache {
	size_t at; /* index the key is for, or RRLIST_NONE */
	uint8_t key[TREE_KEY_MAXLEN];
	size_t len;
} okey_cache_t;

static int
okey_of(okey_cache_t *kc, const rrlist_t *l, size_t i)
{
	if (kc->at != RRLIST_NONE && (kc->at == i || rrlist_is_same_owner(l, kc->at, i))) {
		kc->at = i;
		return SN_OK;
	}
	rrlist_rr_t r = rrlist_get(l, i);
	if (tree_key_from_dname(r.owner, kc->key, &kc->len) != SN_OK) {
		return SN_EINVAL;
	}
	kc->at = i;
	return SN_OK;
}

/* Checks that every owner of `l` is in the zone and counts the apex SOA
 * records (whose index goes to *soa_at). With `no_soa`, an apex SOA is an
 * error (diffs carry it apart). */
static int
check_owners(const rrlist_t *l, const zrec_t *z, bool no_soa, size_t *soa_count, size_t *soa_at)
{
	okey_cache_t kc = {.at = RRLIST_NONE};
	size_t n = rrlist_count(l), soas = 0;

	for (size_t i = 0; i < n; i++) {
		if (okey_of(&kc, l, i) != SN_OK ||
		    !tree_key_is_subdomain(kc.key, kc.len, z->akey, z->akeylen)) {
			return SN_EINVAL;
		}
		if (rrlist_type(l, i) == RRTYPE_SOA && kc.len == z->akeylen) {
			if (no_soa) {
				return SN_EINVAL;
			}
			rrlist_rr_t r = rrlist_get(l, i);
			uint32_t serial;
			if (!st_soa_serial(r.rdata, r.rdlen, &serial)) {
				return SN_EINVAL;
			}
			soas++;
			if (soa_at != NULL) {
				*soa_at = i;
			}
		}
	}
	if (soa_count != NULL) {
		*soa_count = soas;
	}
	return SN_OK;
}

/* The types the signer adds (sign/signer.h): the only ones `signed` holds. */
static bool
is_signed_type(uint16_t type)
{
	switch (type) {
	case RRTYPE_RRSIG:
	case RRTYPE_NSEC:
	case RRTYPE_NSEC3:
	case RRTYPE_NSEC3PARAM:
	case RRTYPE_DNSKEY:
	case RRTYPE_CDS:
	case RRTYPE_CDNSKEY:
		return true;
	default:
		return false;
	}
}

static bool
all_signed_types(const rrlist_t *l)
{
	size_t n = rrlist_count(l);
	for (size_t i = 0; i < n; i++) {
		if (!is_signed_type(rrlist_type(l, i))) {
			return false;
		}
	}
	return true;
}

/* Replaces the zone's records (sgn: its signed records) with `l`. */
static int
zone_import(store_txn_t *t, const uint8_t *apex, const rrlist_t *l, bool sgn)
{
	MDB_cursor *c = NULL;
	sbuf_t b = {0};
	zrec_t z;
	size_t soas = 0, soa_at = 0;
	char name[DNAME_MAXTEXT];
	int rc;

	rc = st_usable(t, true);
	if (rc != SN_OK) {
		return rc;
	}
	rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	dname_to_text(apex, name, sizeof(name));
	if (!rrlist_is_sorted(l)) {
		return SN_EINVAL;
	}
	rc = check_owners(l, &z, sgn, &soas, &soa_at);
	if (rc != SN_OK || soas > 1) {
		st_set_err(t->s, "zone %s: import refused: %s", name,
		           rc != SN_OK ? (sgn ? "a record outside the zone, or the apex SOA"
		                              : "a record outside the zone")
		                       : "several SOA records");
		return SN_EINVAL;
	}
	if (sgn && !all_signed_types(l)) {
		st_set_err(t->s, "zone %s: import refused: a type the signer does not add", name);
		return SN_EINVAL;
	}
	MDB_dbi dbi = sgn ? t->s->dbi_signed : t->s->dbi_records;

	/* From here on the transaction holds part of the change. */
	rc = st_delete_prefix(t, dbi, z.m.id, NULL);
	if (rc == SN_OK) {
		rc = st_journal_clear(t, &z);
	}
	if (rc != SN_OK) {
		goto out;
	}
	rc = st_mdb_err(t, mdb_cursor_open(t->mdb, dbi, &c), "opening a cursor");
	if (rc != SN_OK) {
		goto out;
	}
	/* Zones get growing ids, so a newly added zone's records usually go
	 * after every key there is: MDB_APPEND then fills pages completely
	 * and skips the searches. */
	unsigned put_flags = 0;
	MDB_val k, v;
	int mrc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (mrc == MDB_NOTFOUND || (mrc == 0 && k.mv_size >= 4 && st_get_u32(k.mv_data) < z.m.id)) {
		put_flags = MDB_APPEND;
	}

	okey_cache_t kc = {.at = RRLIST_NONE};
	uint8_t key[ST_KEY_MAX];
	size_t n = rrlist_count(l);
	for (size_t i = 0; i < n;) {
		uint16_t type = rrlist_type(l, i);
		rrlist_rr_t r0 = rrlist_get(l, i);
		rc = okey_of(&kc, l, i);
		if (rc != SN_OK) {
			goto out;
		}
		size_t klen = st_rkey(z.m.id, kc.key, kc.len, type, key);
		rrv_begin(&b, r0.owner);
		size_t j = i;
		while (j < n &&
		       (j == i || (rrlist_is_same_owner(l, i, j) && rrlist_type(l, j) == type))) {
			rrlist_rr_t r = rrlist_get(l, j);
			rrv_add(&b, r0.owner, r.owner, r.rclass, r.ttl, r.rdlen, r.rdata);
			j++;
		}
		if (b.oom) {
			rc = SN_ENOMEM;
			goto out;
		}
		k = (MDB_val){.mv_size = klen, .mv_data = key};
		v = (MDB_val){.mv_size = b.len, .mv_data = b.p};
		rc = st_mdb_err(t, mdb_cursor_put(c, &k, &v, put_flags), "writing records");
		if (rc != SN_OK) {
			goto out;
		}
		i = j;
	}
	if (sgn) {
		z.m.signed_count = n;
	} else {
		z.m.has_soa = soas == 1;
		z.m.serial = 0;
		if (soas == 1) {
			rrlist_rr_t s = rrlist_get(l, soa_at);
			(void)st_soa_serial(s.rdata, s.rdlen, &z.m.serial);
		}
		z.m.record_count = n;
	}
	rc = st_zone_save(t, &z);
out:
	/* A full map aborted the LMDB transaction, which freed its cursors. */
	if (c != NULL && t->mdb != NULL) {
		mdb_cursor_close(c);
	}
	sbuf_free(&b);
	if (rc == SN_ENOTFOUND) {
		rc = SN_ESTORE;
	}
	return st_poison(t, rc);
}

int
store_zone_import(store_txn_t *t, const uint8_t *apex, const rrlist_t *l)
{
	return zone_import(t, apex, l, false);
}

int
store_zone_import_signed(store_txn_t *t, const uint8_t *apex, const rrlist_t *l)
{
	return zone_import(t, apex, l, true);
}

/* ---- diff ---- */

static store_rr_t
rr_of(const rrlist_rr_t *r)
{
	return (store_rr_t){
	    .owner = r->owner,
	    .type = r->type,
	    .rclass = r->rclass,
	    .ttl = r->ttl,
	    .rdlen = r->rdlen,
	    .rdata = r->rdata,
	};
}

int
store_zone_diff(store_txn_t *t, const uint8_t *apex, const rrlist_t *l, zdiff_t **out)
{
	store_cursor_t *c = NULL;
	zdiff_t *d = NULL;
	zrec_t z;
	size_t soas = 0, soa_at = 0;
	int rc, err = SN_OK;

	rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	if (!z.m.has_soa) {
		return SN_ENOTFOUND;
	}
	if (!rrlist_is_sorted(l)) {
		return SN_EINVAL;
	}
	rc = check_owners(l, &z, false, &soas, &soa_at);
	if (rc != SN_OK || soas != 1) {
		return SN_EINVAL;
	}
	rc = need_scratch(t);
	if (rc != SN_OK) {
		return rc;
	}
	rc = zdiff_new(&d);
	if (rc != SN_OK) {
		return rc;
	}
	rrlist_rr_t soa = rrlist_get(l, soa_at);
	store_rr_t srr = rr_of(&soa);
	rc = zdiff_set_soa_after(d, &srr);
	if (rc != SN_OK) {
		goto out;
	}
	rc = cursor_open(t, t->s->dbi_records, z.m.id, &c);
	if (rc != SN_OK) {
		goto out;
	}

	/* One merge walk: both sides are in (owner, type, class, canonical
	 * RDATA) order. The apex SOA of each side is set aside. */
	okey_cache_t kc = {.at = RRLIST_NONE};
	size_t n = rrlist_count(l), i = 0;
	store_rr_t s;
	bool have_s = false, soa_before = false;
	for (;;) {
		if (!have_s) {
			rc = store_cursor_next(c, &s);
			if (rc == SN_OK) {
				have_s = true;
				if (s.type == RRTYPE_SOA && c->oklen == z.akeylen) {
					rc = zdiff_set_soa_before(d, &s);
					if (rc != SN_OK) {
						rc = SN_ESTORE;
						goto out;
					}
					soa_before = true;
					have_s = false;
					continue;
				}
			} else if (rc != SN_ENOTFOUND) {
				goto out;
			}
		}
		if (i == soa_at) {
			i++;
		}
		if (!have_s && i >= n) {
			break;
		}
		int cmp;
		rrlist_rr_t r;
		if (!have_s) {
			cmp = 1;
		} else if (i >= n) {
			cmp = -1;
		} else {
			r = rrlist_get(l, i);
			rc = okey_of(&kc, l, i);
			if (rc != SN_OK) {
				goto out;
			}
			cmp = key_cmp(c->okey, c->oklen, kc.key, kc.len);
			if (cmp == 0 && s.type != r.type) {
				cmp = s.type < r.type ? -1 : 1;
			}
			if (cmp == 0 && s.rclass != r.rclass) {
				cmp = s.rclass < r.rclass ? -1 : 1;
			}
			if (cmp == 0) {
				cmp = st_rdata_cmp(t, s.type, s.rdata, s.rdlen, r.rdata, r.rdlen,
				                   &err);
				if (err != SN_OK) {
					rc = err;
					goto out;
				}
			}
		}
		if (cmp < 0 || (cmp == 0 && s.ttl != r.ttl)) {
			rc = zdiff_remove(d, &s);
			if (rc != SN_OK) {
				goto out;
			}
		}
		if (cmp > 0 || (cmp == 0 && s.ttl != r.ttl)) {
			r = rrlist_get(l, i);
			store_rr_t a = rr_of(&r);
			rc = zdiff_add(d, &a);
			if (rc != SN_OK) {
				goto out;
			}
		}
		if (cmp <= 0) {
			have_s = false;
		}
		if (cmp >= 0) {
			i++;
		}
	}
	if (!soa_before) {
		st_set_err(t->s, "zone %u: the stored records have no SOA", z.m.id);
		rc = SN_ESTORE;
		goto out;
	}
	/* Both lists were filled in order: the sort only checks it. */
	rc = zdiff_sort(d);
	if (rc != SN_OK) {
		goto out;
	}
	*out = d;
	d = NULL;
out:
	store_cursor_free(c);
	zdiff_free(d);
	if (rc == SN_EPARSE) {
		rc = SN_ESTORE;
	}
	return rc;
}

/* ---- apply ---- */

typedef struct vvec {
	vrec_t *v;
	size_t n;
	size_t cap;
} vvec_t;

static int
vvec_push(vvec_t *a, const vrec_t *r)
{
	if (a->n == a->cap) {
		size_t cap = a->cap == 0 ? 16 : a->cap * 2;
		vrec_t *p = realloc(a->v, cap * sizeof(*p));
		if (p == NULL) {
			return SN_ENOMEM;
		}
		a->v = p;
		a->cap = cap;
	}
	a->v[a->n++] = *r;
	return SN_OK;
}

static vrec_t
vrec_of(const rrlist_t *l, size_t i)
{
	rrlist_rr_t r = rrlist_get(l, i);
	return (vrec_t){
	    .owner = r.owner,
	    .rclass = r.rclass,
	    .ttl = r.ttl,
	    .rdlen = r.rdlen,
	    .rdata = r.rdata,
	};
}

/* Class, then canonical RDATA: the order inside one records value. */
static int
vrec_cmp(store_txn_t *t, uint16_t type, const vrec_t *a, const vrec_t *b, int *err)
{
	if (a->rclass != b->rclass) {
		return a->rclass < b->rclass ? -1 : 1;
	}
	return st_rdata_cmp(t, type, a->rdata, a->rdlen, b->rdata, b->rdlen, err);
}

typedef struct apply_ctx {
	store_txn_t *t;
	const zrec_t *z;
	MDB_dbi dbi; /* records or signed */
	vvec_t ex;   /* stored records of the group */
	vvec_t out;  /* records of the group after the change */
	sbuf_t b;
	int64_t delta;               /* change of the record count */
	uint8_t lower[DNAME_MAXLEN]; /* owner of the stored value, from its key */
} apply_ctx_t;

/* Applies removed[r0, r1) and added[a0, a1), all of one owner and type, to
 * the stored value of that owner and type. */
static int
apply_group(apply_ctx_t *ax, const uint8_t *okey, size_t oklen, uint16_t type, const rrlist_t *rl,
            size_t r0, size_t r1, const rrlist_t *al, size_t a0, size_t a1)
{
	store_txn_t *t = ax->t;
	uint8_t key[ST_KEY_MAX];
	size_t klen = st_rkey(ax->z->m.id, okey, oklen, type, key);
	MDB_val k = {.mv_size = klen, .mv_data = key}, v;
	int err = SN_OK, rc;

	ax->ex.n = 0;
	ax->out.n = 0;
	rc = st_mdb_err(t, mdb_get(t->mdb, ax->dbi, &k, &v), "reading records");
	bool existed = rc == SN_OK;
	if (rc == SN_OK) {
		vit_t it;
		vrec_t e;
		if (vit_init(&it, &v, type, okey, oklen, ax->lower) != SN_OK) {
			st_set_err(t->s, "corrupt records value in zone %u", ax->z->m.id);
			return SN_ESTORE;
		}
		while ((rc = vit_next(&it, &e)) == SN_OK) {
			rc = vvec_push(&ax->ex, &e);
			if (rc != SN_OK) {
				return rc;
			}
		}
		if (rc != SN_ENOTFOUND) {
			st_set_err(t->s, "corrupt records value in zone %u", ax->z->m.id);
			return SN_ESTORE;
		}
	} else if (rc != SN_ENOTFOUND) {
		return rc;
	}

	/* Three sorted sequences: stored, removed (each must be stored),
	 * added (replacing an equal stored one). */
	size_t e = 0, r = r0, a = a0;
	while (e < ax->ex.n) {
		const vrec_t *ev = &ax->ex.v[e];
		if (r < r1) {
			vrec_t rv = vrec_of(rl, r);
			int c = vrec_cmp(t, type, &rv, ev, &err);
			if (err != SN_OK) {
				return err;
			}
			if (c < 0) {
				break; /* removes a record that is not there */
			}
			if (c == 0) {
				r++;
				e++;
				ax->delta--;
				continue;
			}
		}
		vrec_t av;
		int c = 1;
		if (a < a1) {
			av = vrec_of(al, a);
			c = vrec_cmp(t, type, &av, ev, &err);
			if (err != SN_OK) {
				return err;
			}
		}
		if (c <= 0) {
			rc = vvec_push(&ax->out, &av);
			a++;
			if (c == 0) {
				e++; /* replaced: the added record's TTL wins */
			} else {
				ax->delta++;
			}
		} else {
			rc = vvec_push(&ax->out, ev);
			e++;
		}
		if (rc != SN_OK) {
			return rc;
		}
	}
	if (r < r1) {
		char name[DNAME_MAXTEXT];
		rrlist_rr_t rr = rrlist_get(rl, r);
		dname_to_text(rr.owner, name, sizeof(name));
		st_set_err(t->s,
		           "zone %u: the change removes a record %s type %u that the zone "
		           "does not hold",
		           ax->z->m.id, name, type);
		return SN_EINVAL;
	}
	for (; a < a1; a++) {
		vrec_t av = vrec_of(al, a);
		rc = vvec_push(&ax->out, &av);
		if (rc != SN_OK) {
			return rc;
		}
		ax->delta++;
	}

	if (ax->out.n == 0) {
		if (!existed) {
			return SN_OK;
		}
		rc = st_mdb_err(t, mdb_del(t->mdb, ax->dbi, &k, NULL), "deleting records");
		return rc == SN_ENOTFOUND ? SN_ESTORE : rc;
	}
	const uint8_t *owner0 = ax->out.v[0].owner;
	rrv_begin(&ax->b, owner0);
	for (size_t i = 0; i < ax->out.n; i++) {
		const vrec_t *o = &ax->out.v[i];
		rrv_add(&ax->b, owner0, o->owner, o->rclass, o->ttl, o->rdlen, o->rdata);
	}
	if (ax->b.oom) {
		return SN_ENOMEM;
	}
	/* ax->b is a copy: the stored records it came from may move now. */
	v = (MDB_val){.mv_size = ax->b.len, .mv_data = ax->b.p};
	rc = st_mdb_err(t, mdb_put(t->mdb, ax->dbi, &k, &v, 0), "writing records");
	return rc == SN_ENOTFOUND ? SN_ESTORE : rc;
}

/* The (owner key, type) group of record `i`: its end index. */
static size_t
group_end(const rrlist_t *l, size_t i)
{
	size_t n = rrlist_count(l), j = i + 1;
	uint16_t type = rrlist_type(l, i);
	while (j < n && rrlist_is_same_owner(l, i, j) && rrlist_type(l, j) == type) {
		j++;
	}
	return j;
}

/* The stored apex SOA, pointing into LMDB's page. */
static int
soa_of(store_txn_t *t, const zrec_t *z, store_rr_t *out)
{
	uint8_t key[ST_KEY_MAX];
	size_t klen = st_rkey(z->m.id, z->akey, z->akeylen, RRTYPE_SOA, key);
	MDB_val k = {.mv_size = klen, .mv_data = key}, v;
	vit_t it;
	vrec_t r;
	int rc = st_mdb_err(t, mdb_get(t->mdb, t->s->dbi_records, &k, &v), "reading the SOA");
	if (rc != SN_OK) {
		return rc == SN_ENOTFOUND ? SN_ESTORE : rc;
	}
	uint32_t serial;
	if (vit_init(&it, &v, RRTYPE_SOA, z->akey, z->akeylen, t->soa_owner) != SN_OK ||
	    vit_next(&it, &r) != SN_OK || r.rdlen > ST_SOA_MAXLEN ||
	    !st_soa_serial(r.rdata, r.rdlen, &serial)) {
		st_set_err(t->s, "zone %u: corrupt SOA", z->m.id);
		return SN_ESTORE;
	}
	*out = (store_rr_t){
	    .owner = r.owner,
	    .type = RRTYPE_SOA,
	    .rclass = r.rclass,
	    .ttl = r.ttl,
	    .rdlen = r.rdlen,
	    .rdata = r.rdata,
	};
	return SN_OK;
}

int
store_zone_soa(store_txn_t *t, const uint8_t *apex, store_rr_t *out)
{
	zrec_t z;
	int rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	if (!z.m.has_soa) {
		return SN_ENOTFOUND;
	}
	return soa_of(t, &z, out);
}

/* Copies the stored apex SOA into the caller's buffers: the change about
 * to be written may move LMDB's page. */
static int
read_soa(store_txn_t *t, const zrec_t *z, uint8_t *owner, uint8_t *rdata, store_rr_t *out)
{
	store_rr_t r;
	int rc = soa_of(t, z, &r);
	if (rc != SN_OK) {
		return rc;
	}
	memcpy(owner, r.owner, dname_len(r.owner));
	memcpy(rdata, r.rdata, r.rdlen);
	r.owner = owner;
	r.rdata = rdata;
	*out = r;
	return SN_OK;
}

/* Applies removed `rl` and added `al` (sorted) to ax->dbi, one (owner,
 * type) group at a time. */
static int
apply_lists(apply_ctx_t *ax, const rrlist_t *rl, const rrlist_t *al)
{
	okey_cache_t rk = {.at = RRLIST_NONE}, ak = {.at = RRLIST_NONE};
	size_t nr = rrlist_count(rl), na = rrlist_count(al), r = 0, a = 0;
	while (r < nr || a < na) {
		int c;
		if (r < nr && okey_of(&rk, rl, r) != SN_OK) {
			return SN_EINVAL;
		}
		if (a < na && okey_of(&ak, al, a) != SN_OK) {
			return SN_EINVAL;
		}
		if (r >= nr) {
			c = 1;
		} else if (a >= na) {
			c = -1;
		} else {
			c = key_cmp(rk.key, rk.len, ak.key, ak.len);
			uint16_t tr = rrlist_type(rl, r), ta = rrlist_type(al, a);
			if (c == 0 && tr != ta) {
				c = tr < ta ? -1 : 1;
			}
		}
		size_t r1 = c <= 0 ? group_end(rl, r) : r;
		size_t a1 = c >= 0 ? group_end(al, a) : a;
		const okey_cache_t *g = c <= 0 ? &rk : &ak;
		uint16_t type = c <= 0 ? rrlist_type(rl, r) : rrlist_type(al, a);
		int rc = apply_group(ax, g->key, g->len, type, rl, r, r1, al, a, a1);
		if (rc != SN_OK) {
			return rc;
		}
		r = r1;
		a = a1;
	}
	return SN_OK;
}

/* Appends every record of `src` to `dst`. */
static int
list_append(rrlist_t *dst, const rrlist_t *src)
{
	size_t n = rrlist_count(src);
	for (size_t i = 0; i < n; i++) {
		rrlist_rr_t r = rrlist_get(src, i);
		zfile_rr_t zr = {
		    .owner = r.owner,
		    .type = r.type,
		    .rclass = r.rclass,
		    .ttl = r.ttl,
		    .rdlen = r.rdlen,
		    .rdata = r.rdata,
		};
		int rc = rrlist_add(dst, &zr);
		if (rc != SN_OK) {
			return rc == SN_EPARSE ? SN_EINVAL : rc;
		}
	}
	return SN_OK;
}

/* One sorted list of `a` and `b`: what the journal entry holds. */
static int
list_merge(const rrlist_t *a, const rrlist_t *b, rrlist_t **out)
{
	rrlist_t *l = rrlist_new();
	if (l == NULL) {
		return SN_ENOMEM;
	}
	int rc = list_append(l, a);
	if (rc == SN_OK) {
		rc = list_append(l, b);
	}
	if (rc == SN_OK) {
		rc = rrlist_sort(l);
	}
	if (rc != SN_OK) {
		rrlist_free(l);
		return rc;
	}
	*out = l;
	return SN_OK;
}

int
store_zone_apply(store_txn_t *t, const uint8_t *apex, const zdiff_t *d, uint32_t new_serial)
{
	return store_zone_apply_signed(t, apex, d, NULL, new_serial);
}

int
store_zone_apply_signed(store_txn_t *t, const uint8_t *apex, const zdiff_t *d, const zdiff_t *sd,
                        uint32_t new_serial)
{
	apply_ctx_t ax = {.t = t};
	zrec_t z;
	store_rr_t soa_b, soa_a, old_soa;
	uint8_t ob[DNAME_MAXLEN], rb[ST_SOA_MAXLEN], na[ST_SOA_MAXLEN];
	uint32_t serial;
	char name[DNAME_MAXTEXT];
	rrlist_t *jr = NULL, *ja = NULL;
	int rc;

	rc = st_usable(t, true);
	if (rc != SN_OK) {
		return rc;
	}
	rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	if (!z.m.has_soa) {
		return SN_ENOTFOUND;
	}
	if (d == NULL) {
		return SN_EINVAL;
	}
	dname_to_text(apex, name, sizeof(name));
	const rrlist_t *rl = zdiff_removed(d), *al = zdiff_added(d);
	const rrlist_t *srl = sd != NULL ? zdiff_removed(sd) : NULL;
	const rrlist_t *sal = sd != NULL ? zdiff_added(sd) : NULL;
	bool has_sd = sd != NULL && (rrlist_count(srl) > 0 || rrlist_count(sal) > 0);
	if (!zdiff_soa_before(d, &soa_b) || !zdiff_soa_after(d, &soa_a) || !rrlist_is_sorted(rl) ||
	    !rrlist_is_sorted(al) ||
	    (has_sd && (!rrlist_is_sorted(srl) || !rrlist_is_sorted(sal)))) {
		st_set_err(t->s, "zone %s: change refused: no SOA before or after, or not sorted",
		           name);
		return SN_EINVAL;
	}
	if (zdiff_serial_before(d) != z.m.serial) {
		st_set_err(t->s,
		           "zone %s: change refused: made against serial %u, the zone is at %u",
		           name, zdiff_serial_before(d), z.m.serial);
		return SN_EINVAL;
	}
	if (!st_serial_gt(new_serial, z.m.serial)) {
		st_set_err(t->s,
		           "zone %s: change refused: serial %u is not greater than %u "
		           "(RFC 1982)",
		           name, new_serial, z.m.serial);
		return SN_EINVAL;
	}
	if (check_owners(rl, &z, true, NULL, NULL) != SN_OK ||
	    check_owners(al, &z, true, NULL, NULL) != SN_OK || !dname_is_equal(soa_a.owner, apex) ||
	    (has_sd && (check_owners(srl, &z, true, NULL, NULL) != SN_OK ||
	                check_owners(sal, &z, true, NULL, NULL) != SN_OK))) {
		st_set_err(t->s,
		           "zone %s: change refused: a record outside the zone, or the apex "
		           "SOA among its records",
		           name);
		return SN_EINVAL;
	}
	if (has_sd && (!all_signed_types(srl) || !all_signed_types(sal))) {
		st_set_err(t->s,
		           "zone %s: change refused: a signed change holds a type the signer "
		           "does not add",
		           name);
		return SN_EINVAL;
	}
	rc = need_scratch(t);
	if (rc != SN_OK) {
		return rc;
	}
	/* DESIGN.md decision 4: IXFR sends the signed diff, so the journal
	 * entry holds both changes, as one sorted list each way. */
	if (has_sd) {
		rc = list_merge(rl, srl, &jr);
		if (rc == SN_OK) {
			rc = list_merge(al, sal, &ja);
		}
		if (rc != SN_OK) {
			goto out_early;
		}
	}
	rc = read_soa(t, &z, ob, rb, &old_soa);
	if (rc != SN_OK) {
		goto out_early;
	}
	if (!st_soa_serial(old_soa.rdata, old_soa.rdlen, &serial) || serial != z.m.serial) {
		st_set_err(t->s, "zone %s: stored SOA and catalogue disagree", name);
		rc = SN_ESTORE;
		goto out_early;
	}
	/* The SOA after, with the serial the caller chose. */
	memcpy(na, soa_a.rdata, soa_a.rdlen);
	st_put_u32(na + soa_a.rdlen - 20, new_serial);
	soa_a.rdata = na;

	/* From here on the transaction holds part of the change: any failure
	 * leaves it unusable. */
	ax.z = &z;
	ax.dbi = t->s->dbi_records;
	rc = apply_lists(&ax, rl, al);
	if (rc != SN_OK) {
		goto out;
	}
	int64_t unsigned_delta = ax.delta;
	if (has_sd) {
		ax.dbi = t->s->dbi_signed;
		ax.delta = 0;
		rc = apply_lists(&ax, srl, sal);
		if (rc != SN_OK) {
			goto out;
		}
		z.m.signed_count = (uint64_t)((int64_t)z.m.signed_count + ax.delta);
	}

	/* The apex SOA: one record, the new one. */
	{
		uint8_t key[ST_KEY_MAX];
		size_t klen = st_rkey(z.m.id, z.akey, z.akeylen, RRTYPE_SOA, key);
		rrv_begin(&ax.b, soa_a.owner);
		rrv_add(&ax.b, soa_a.owner, soa_a.owner, soa_a.rclass, soa_a.ttl, soa_a.rdlen,
		        soa_a.rdata);
		if (ax.b.oom) {
			rc = SN_ENOMEM;
			goto out;
		}
		MDB_val k = {.mv_size = klen, .mv_data = key};
		MDB_val v = {.mv_size = ax.b.len, .mv_data = ax.b.p};
		rc =
		    st_mdb_err(t, mdb_put(t->mdb, t->s->dbi_records, &k, &v, 0), "writing the SOA");
		if (rc != SN_OK) {
			goto out;
		}
	}
	rc = st_journal_append(t, &z, &old_soa, &soa_a, has_sd ? jr : rl, has_sd ? ja : al);
	if (rc != SN_OK) {
		goto out;
	}
	z.m.serial = new_serial;
	z.m.record_count = (uint64_t)((int64_t)z.m.record_count + unsigned_delta);
	rc = st_zone_save(t, &z);
out:
	free(ax.ex.v);
	free(ax.out.v);
	sbuf_free(&ax.b);
	rrlist_free(jr);
	rrlist_free(ja);
	if (rc == SN_ENOTFOUND) {
		rc = SN_ESTORE;
	}
	return st_poison(t, rc);
out_early:
	/* nothing was written: the transaction stays usable */
	rrlist_free(jr);
	rrlist_free(ja);
	return rc;
}
