/* SPDX-License-Identifier: MIT
 * store_int.h - what store.c, journal.c and zdiff.c share inside storage/.
 *
 * Private to storage/: the transaction struct, the catalogue record of a
 * zone as it sits in LMDB, key layouts, the byte codecs and the mapping of
 * LMDB errors. Nothing here is a contract for other parts.
 *
 * Byte layouts (all integers big-endian, so that memcmp order is integer
 * order where they are part of a key):
 *   info     "format" -> u32 STORE_FORMAT; "next_zone_id" -> u32
 *   zones    canonical key of the apex + 0x00 -> zone record (meta_encode)
 *   records  zone id u32 + canonical key of the owner + 0x00 + type u16
 *            -> one value per (owner, type): see rrval_* below
 *   journal  zone id u32 + sequence u64 -> one change (journal.c)
 *   signed   same keys and values as records: the signer's records
 *   keys     zone id u32 + key id (KEYSTORE_ID_LEN) -> one key (keystore.c)
 *
 * Format 1 had no `signed` and no `keys`; format 2 adds them (created
 * empty when a format-1 store opens, which then says format 2).
 */
#pragma once

#include "storage/store.h"
#include "zone/dname.h"
#include "zone/rrlist.h"
#include "zone/tree.h"
#include <lmdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define STORE_FORMAT 2
/* The oldest format this signet opens (and upgrades). */
#define STORE_FORMAT_MIN 1

/* zone id + longest canonical key (504) + separator + type = 511, which is
 * exactly LMDB's default key limit (mdb_env_get_maxkeysize). */
#define ST_KEY_MAX (4 + 504 + 1 + 2)

/* Longest SOA RDATA: two names and five 32-bit fields. */
#define ST_SOA_MAXLEN (2 * DNAME_MAXLEN + 20)

struct store {
	MDB_env *env;
	MDB_dbi dbi_info;
	MDB_dbi dbi_zones;
	MDB_dbi dbi_records;
	MDB_dbi dbi_journal;
	MDB_dbi dbi_signed;
	MDB_dbi dbi_keys;
	char *dir;
	size_t map_max;
	size_t map_size; /* guarded by mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned active;   /* transactions open in this process */
	unsigned resizers; /* threads waiting to resize the map */
	char errmsg[STORE_ERRMSG_LEN];
};

struct store_txn {
	store_t *s;
	MDB_txn *mdb; /* NULL once ended by LMDB (map full, failed commit) */
	bool write;
	bool counted;       /* holds a place in s->active */
	int dead_rc;        /* SN_OK while usable; else what every call returns */
	uint8_t *scratch_a; /* RDATA_MAXLEN each, for canonical comparisons */
	uint8_t *scratch_b;
	uint8_t soa_owner[DNAME_MAXLEN]; /* store_zone_soa's owner, from the key */
};

/* The catalogue record of one zone: the public meta plus the journal's
 * sequence window, which only journal.c moves. */
typedef struct zrec {
	store_zone_meta_t m;
	uint64_t jseq_first;                /* sequence of the oldest entry */
	uint64_t jseq_next;                 /* sequence the next entry gets */
	uint8_t ckey[DNAME_MAXLEN * 2 + 1]; /* catalogue key */
	size_t ckeylen;
	uint8_t akey[TREE_KEY_MAXLEN]; /* canonical key of the apex */
	size_t akeylen;
} zrec_t;

/* ---- errors ---- */

/* Records a message for store_errmsg. Any thread. */
void st_set_err(store_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Maps the LMDB result `rc` of the operation `what` to an SN_* code:
 * MDB_NOTFOUND is SN_ENOTFOUND and leaves the transaction usable; a full map
 * ends the transaction and grows the map (SN_ENOSPC: retry the change) or,
 * at the maximum, gives SN_ESTORE; any other failure ends a write
 * transaction's usefulness (SN_ESTORE) and is recorded. */
int st_mdb_err(store_txn_t *txn, int rc, const char *what);

/* Marks a write transaction as unusable after a failure that happened
 * after it had changed something, so that commit cannot save half a
 * change. Returns `rc`. */
int st_poison(store_txn_t *txn, int rc);

/* SN_OK if `txn` can be used (and is a write transaction when `write`). */
int st_usable(store_txn_t *txn, bool write);

/* ---- catalogue ---- */

/* Reads the record of zone `apex`. Returns SN_OK, SN_ENOTFOUND, SN_EINVAL
 * (bad apex), SN_ESTORE. */
int st_zone_load(store_txn_t *txn, const uint8_t *apex, zrec_t *z);
int st_zone_save(store_txn_t *txn, const zrec_t *z);

/* ---- keys ---- */

static inline void
st_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
st_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
st_put_u64(uint8_t *p, uint64_t v)
{
	st_put_u32(p, (uint32_t)(v >> 32));
	st_put_u32(p + 4, (uint32_t)v);
}

static inline uint16_t
st_get_u16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
st_get_u32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t
st_get_u64(const uint8_t *p)
{
	return ((uint64_t)st_get_u32(p) << 32) | st_get_u32(p + 4);
}

/* Builds the records key of (zone, owner key, type); returns its length. */
static inline size_t
st_rkey(uint32_t zid, const uint8_t *okey, size_t oklen, uint16_t type, uint8_t out[ST_KEY_MAX])
{
	st_put_u32(out, zid);
	memcpy(out + 4, okey, oklen);
	out[4 + oklen] = 0;
	st_put_u16(out + 5 + oklen, type);
	return oklen + 7;
}

/* ---- growable byte buffer with a sticky out-of-memory flag ---- */

typedef struct sbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool oom;
} sbuf_t;

void sbuf_reserve(sbuf_t *b, size_t more);
void sbuf_free(sbuf_t *b);

static inline void
sbuf_put(sbuf_t *b, const void *d, size_t n)
{
	if (b->cap - b->len < n) {
		sbuf_reserve(b, n);
	}
	if (b->oom) {
		return;
	}
	if (n > 0) {
		memcpy(b->p + b->len, d, n);
	}
	b->len += n;
}

static inline void
sbuf_u8(sbuf_t *b, uint8_t v)
{
	sbuf_put(b, &v, 1);
}

static inline void
sbuf_u16(sbuf_t *b, uint16_t v)
{
	uint8_t t[2];
	st_put_u16(t, v);
	sbuf_put(b, t, 2);
}

static inline void
sbuf_u32(sbuf_t *b, uint32_t v)
{
	uint8_t t[4];
	st_put_u32(t, v);
	sbuf_put(b, t, 4);
}

static inline void
sbuf_u64(sbuf_t *b, uint64_t v)
{
	uint8_t t[8];
	st_put_u64(t, v);
	sbuf_put(b, t, 8);
}

/* ---- reader over stored bytes: the first overrun sticks ---- */

typedef struct srd {
	const uint8_t *p;
	size_t left;
	bool bad;
} srd_t;

static inline const uint8_t *
srd_take(srd_t *r, size_t n)
{
	if (r->bad || r->left < n) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

static inline uint8_t
srd_u8(srd_t *r)
{
	const uint8_t *p = srd_take(r, 1);
	return p != NULL ? p[0] : 0;
}

static inline uint16_t
srd_u16(srd_t *r)
{
	const uint8_t *p = srd_take(r, 2);
	return p != NULL ? st_get_u16(p) : 0;
}

static inline uint32_t
srd_u32(srd_t *r)
{
	const uint8_t *p = srd_take(r, 4);
	return p != NULL ? st_get_u32(p) : 0;
}

static inline uint64_t
srd_u64(srd_t *r)
{
	const uint8_t *p = srd_take(r, 8);
	return p != NULL ? st_get_u64(p) : 0;
}

/* Takes a length-prefixed (u8) domain name and checks it. */
const uint8_t *srd_dname(srd_t *r);

/* ---- one record in journal form: owner, type, class, TTL, RDATA ---- */

void st_rr_encode(sbuf_t *b, const store_rr_t *rr);
/* Returns SN_OK or SN_ESTORE (malformed). Pointers point into r's bytes. */
int st_rr_decode(srd_t *r, store_rr_t *rr);

/* ---- SOA helpers ---- */

/* Reads the serial of the SOA RDATA `rd`; false when malformed. */
bool st_soa_serial(const uint8_t *rd, size_t len, uint32_t *serial);

/* RFC 1982 3.2: true if serial `b` is greater than `a`. */
static inline bool
st_serial_gt(uint32_t b, uint32_t a)
{
	return a != b && (int32_t)(b - a) > 0;
}

/* Canonical order of two RDATA of `type` (RFC 4034 6.2, 6.3): both must
 * have passed rdata_check. Returns <0, 0, >0, or SN_ENOMEM via *err. */
int st_rdata_cmp(store_txn_t *txn, uint16_t type, const uint8_t *a, size_t al, const uint8_t *b,
                 size_t bl, int *err);

/* ---- journal (journal.c) ---- */

/* Appends one change to zone `z`'s journal inside the write transaction
 * `txn` and drops the oldest entries past the zone's limits; updates the
 * journal fields of `z` (the caller saves it). An entry larger than the
 * byte limit by itself empties the journal instead: older serials then
 * need a full transfer. Returns SN_OK, SN_ENOMEM, SN_ENOSPC, SN_ESTORE. */
int st_journal_append(store_txn_t *txn, zrec_t *z, const store_rr_t *soa_before,
                      const store_rr_t *soa_after, const rrlist_t *removed, const rrlist_t *added);

/* Deletes every journal entry of zone `z` and resets its journal fields. */
int st_journal_clear(store_txn_t *txn, zrec_t *z);

/* Deletes every key of `dbi` that starts with the 4-octet zone id. */
int st_delete_prefix(store_txn_t *txn, MDB_dbi dbi, uint32_t zid, uint64_t *deleted);
