/* SPDX-License-Identifier: MIT
 * store.h - the LMDB zone store: catalogue, records, transactions.
 *
 * One LMDB environment in one folder holds everything that must survive a
 * restart (DESIGN.md, decision 1). Its named databases:
 *   info     store-wide values: format version, next zone id
 *   zones    the catalogue: apex -> zone id and metadata
 *   records  each zone's unsigned records, one value per (owner, type)
 *   journal  each zone's changes by sequence, in IXFR form (journal.h)
 *   signed   each zone's signer output (RRSIG, NSEC, NSEC3, NSEC3PARAM,
 *            DNSKEY, CDS, CDNSKEY), laid out as records
 *   keys     each zone's DNSSEC keys and their timing (keystore.h)
 * Reserved for later, not created yet: `timers` (zone events), with the
 * same zone-id prefix. The store's format number (2) is checked when it
 * opens; a format-1 store (before signed and keys) opens and is upgraded.
 *
 * Record keys are zone id + canonical key of the owner (tree_key_from_dname)
 * + 0x00 + type, so LMDB's key order is RFC 4034 6.1 canonical order: a
 * zone's names are contiguous, in the order NSEC and closest-encloser
 * lookups need. A value holds every record of that owner and type, sorted
 * by class and canonical RDATA (RFC 4034 6.3), each with its TTL and the
 * case of owner and RDATA as written. Iterating a zone therefore yields
 * exactly the order of a sorted rrlist. (Per-record keys with MDB_DUPSORT
 * would cap RDATA at LMDB's 511-octet key limit: a 4096-bit RSA DNSKEY or
 * a long TXT would not fit.)
 *
 * Invariants: a change is one write transaction; readers see whole changes
 * or none; a zone's records, its journal and its catalogue entry (serial,
 * record count) always agree at every commit. LMDB's commit is the
 * durability point: when store_txn_commit returns SN_OK the change is on
 * disk (unless the store was opened with `nosync`, for tests).
 *
 * Threads: the environment is opened with MDB_NOTLS, so a read transaction
 * belongs to its store_txn_t, not to the thread that began it; several
 * read transactions may be open in one thread (the control and restart
 * paths open short ones freely). A write transaction is used by the thread
 * that began it only, and LMDB lets one exist at a time (others wait in
 * store_txn_begin). The map grows when full (see store_txn_begin); growing
 * waits until no transaction of this process is open, so transactions must
 * be short and a thread must not hold another transaction of this store
 * while it writes.
 */
#pragma once

#include "zone/dname.h"
#include "zone/err.h"
#include "zone/rrlist.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_MAP_INITIAL_DEFAULT ((size_t)64 << 20)
/* 64 GiB of address space where there is room for it (64-bit). */
#define STORE_MAP_MAX_DEFAULT (sizeof(size_t) > 4 ? (size_t)64 << 30 : (size_t)1 << 30)
#define STORE_MAP_MIN ((size_t)1 << 20)
#define STORE_JOURNAL_ENTRIES_DEFAULT 1000u
#define STORE_JOURNAL_BYTES_DEFAULT ((uint64_t)16 << 20)
#define STORE_ERRMSG_LEN 512
#define STORE_PATH_MAX 4096
#define STORE_HASH_LEN 32

typedef struct store store_t;               /* opaque */
typedef struct store_txn store_txn_t;       /* opaque */
typedef struct store_cursor store_cursor_t; /* opaque */
typedef struct zdiff zdiff_t;               /* opaque, storage/zdiff.h */

typedef struct store_opts {
	size_t map_initial;   /* first map size; 0: STORE_MAP_INITIAL_DEFAULT */
	size_t map_max;       /* growth stops here; 0: STORE_MAP_MAX_DEFAULT */
	unsigned max_readers; /* LMDB reader slots; 0: LMDB's default (126) */
	bool nosync;          /* MDB_NOSYNC: commits are not flushed (tests) */
	char *errbuf;         /* if not NULL, store_open writes its failure here */
	size_t errbuf_len;
} store_opts_t;

/* One record as the store gives it back. Pointers point into LMDB's pages
 * (or the journal entry) and stay valid until the transaction ends, unless
 * the function that gave it says otherwise. */
typedef struct store_rr {
	const uint8_t *owner; /* wire form, case as written */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata; /* wire form, case as written */
} store_rr_t;

/* A zone's catalogue entry. */
/* The zone was added at run time (signetc zone-add), not by the
 * configuration: the daemon serves it from the catalogue after a restart. */
#define STORE_ZONE_RUNTIME 1u

typedef struct store_zone_meta {
	/* Kept by the store; store_zone_add and store_zone_put_meta ignore
	 * them. */
	uint8_t apex[DNAME_MAXLEN];    /* as given to store_zone_add */
	uint32_t id;                   /* stable, never reused */
	bool has_soa;                  /* records were imported */
	uint32_t serial;               /* of the stored SOA (when has_soa) */
	uint64_t record_count;         /* unsigned records, SOA included */
	uint64_t signed_count;         /* records in `signed` */
	uint32_t journal_count;        /* entries kept */
	uint64_t journal_bytes;        /* their total size */
	uint32_t journal_serial_first; /* serial_from of the oldest kept */
	/* Set by the caller (store_zone_add, store_zone_put_meta). */
	char file[STORE_PATH_MAX]; /* zone file path, NUL-terminated */
	int64_t file_mtime_ns;     /* of the last imported file */
	uint64_t file_size;
	uint64_t file_inode;
	uint64_t file_dev;
	uint8_t file_hash[STORE_HASH_LEN]; /* content hash, caller's choice */
	int64_t last_load;                 /* Unix time of the last load */
	uint32_t flags;                    /* STORE_ZONE_* bits */
	uint32_t journal_max_entries;      /* 0: STORE_JOURNAL_ENTRIES_DEFAULT */
	uint64_t journal_max_bytes;        /* 0: STORE_JOURNAL_BYTES_DEFAULT */
} store_zone_meta_t;

/* ---- the environment ---- */

/* Opens (creating it if needed, mode 0700, files 0600) the store in folder
 * `dir` (its parent must exist). `o` may be NULL for the defaults; it is
 * borrowed. On SN_OK *out is owned by the caller (store_close).
 * Returns SN_OK; SN_EINVAL for impossible options; SN_EIO when the folder
 * cannot be made or is not a folder; SN_ESTORE when LMDB refuses the
 * environment (another format, corrupt, locked); SN_ENOMEM. On failure a
 * message goes to o->errbuf when given. Open a folder once per process:
 * LMDB's locks break when one process opens an environment twice. Main
 * thread, before any other use. */
SN_MUSTCHECK int store_open(const char *dir, const store_opts_t *o, store_t **out);

/* Closes the store; every transaction must have ended. NULL is fine. */
void store_close(store_t *s);

/* Copies the message of the latest failure (NUL-terminated, "" if none)
 * to `buf`. Any thread; with several failing threads it is one of theirs. */
void store_errmsg(store_t *s, char *buf, size_t cap);

/* Current map size in bytes. Any thread. */
size_t store_map_size(store_t *s);

/* Grows the map (doubling, up to map_max) until `bytes` more than the
 * store uses now fit, before a large change: a change that finds the map
 * full is redone from the start (store_write), and redoing the signing of
 * a large zone once per doubling costs minutes. Growing takes address
 * space, not disk. Returns SN_OK, SN_ENOSPC (map_max is smaller: the map
 * is at map_max now, and the change may still fit) or SN_ESTORE. Any
 * thread that holds no transaction. */
SN_MUSTCHECK int store_reserve(store_t *s, size_t bytes);

/* Starts (on) or ends (off) a batch of commits that are not flushed to
 * disk one by one: for the first import of many zones at start, where one
 * fsync per zone would dominate. Ending the batch flushes everything.
 * Nothing committed in a batch may be acknowledged to anyone before it
 * ended. Returns SN_OK or SN_ESTORE. The writer, with no open transaction. */
SN_MUSTCHECK int store_batch(store_t *s, bool on);

/* ---- transactions ---- */

/* Begins a transaction: a write one when `write`. On SN_OK *out must be
 * ended by store_txn_commit or store_txn_abort. A write transaction waits
 * for the one in progress, if any. Returns SN_OK, SN_ENOMEM, SN_ESTORE.
 *
 * A write transaction is the unit of a change: apply records, journal and
 * metadata in it, then commit. When a write finds the map full, the store
 * ends the transaction, doubles the map (up to map_max) and the write
 * returns SN_ENOSPC, as do later calls and the commit: the caller must
 * abort and redo the whole change in a new transaction (store_write does
 * this loop). At map_max it returns SN_ESTORE ("store full") and nothing of
 * the change is kept. Any thread; the transaction then stays in it when
 * it writes. */
SN_MUSTCHECK int store_txn_begin(store_t *s, bool write, store_txn_t **out);

/* Commits and frees `txn`. Returns SN_OK when the change is durable;
 * SN_ENOSPC (map grown: redo the change), SN_ESTORE (disk full, I/O error,
 * or an earlier failure in this transaction: nothing was kept). `txn` is
 * freed in every case. */
SN_MUSTCHECK int store_txn_commit(store_txn_t *txn);

/* Discards and frees `txn`. NULL is fine. */
void store_txn_abort(store_txn_t *txn);

/* Runs `fn(txn, ctx)` in a write transaction and commits it; on SN_ENOSPC
 * (the map grew) runs it again in a new transaction, so `fn` must not keep
 * state of its own between runs. Returns fn's error (the transaction is
 * then aborted) or store_txn_commit's. Any thread. */
SN_MUSTCHECK int store_write(store_t *s, int (*fn)(store_txn_t *txn, void *ctx), void *ctx);

/*
 * Zone functions take the apex in wire form (case-insensitive, borrowed).
 * A write function that fails after it changed something leaves the
 * transaction unusable (later calls and the commit return the error):
 * abort it. Reads work in both kinds of transaction. Thread: the one that
 * uses `txn` (for a write transaction, the one that began it).
 */

/* ---- the catalogue ---- */

/* Adds zone `apex` with no records; `init` (may be NULL) gives the
 * caller-set fields. Returns SN_OK, SN_EEXIST, SN_EINVAL (bad apex or path
 * not NUL-terminated), SN_ERANGE (zone ids exhausted), SN_ENOSPC, SN_ESTORE. */
SN_MUSTCHECK int store_zone_add(store_txn_t *txn, const uint8_t *apex,
                                const store_zone_meta_t *init);

/* Copies the catalogue entry of `apex` to *out. Returns SN_OK,
 * SN_ENOTFOUND, SN_EINVAL, SN_ESTORE. */
SN_MUSTCHECK int store_zone_get(store_txn_t *txn, const uint8_t *apex, store_zone_meta_t *out);

/* Overwrites the caller-set fields of the entry of `apex` with those of
 * `m`. Returns SN_OK, SN_ENOTFOUND, SN_EINVAL, SN_ENOSPC, SN_ESTORE. */
SN_MUSTCHECK int store_zone_put_meta(store_txn_t *txn, const uint8_t *apex,
                                     const store_zone_meta_t *m);

/* Removes zone `apex`: its records, signed records, journal, keys and
 * catalogue entry.
 * Returns SN_OK, SN_ENOTFOUND, SN_EINVAL, SN_ENOSPC, SN_ESTORE. */
SN_MUSTCHECK int store_zone_remove(store_txn_t *txn, const uint8_t *apex);

/* Calls `cb(ctx, m)` for each zone, in canonical order of the apexes; `m`
 * is valid during the call. A result other than SN_OK from `cb` stops the
 * walk and is returned. Returns SN_OK, SN_ESTORE or cb's result. */
SN_MUSTCHECK int store_zone_list(store_txn_t *txn, int (*cb)(void *ctx, const store_zone_meta_t *m),
                                 void *ctx);

/* ---- records ---- */

/* Replaces every record of zone `apex` with the records of `sorted` (after
 * rrlist_sort; borrowed) and empties the zone's journal: a replacement is
 * not a change a secondary can follow by IXFR (use store_zone_diff and
 * store_zone_apply for that). Sets the serial from the SOA at the apex,
 * if any. Every owner must be at or below the apex. The signed records
 * are left as they are (a signer may want to read them): a signing caller
 * replaces them with store_zone_import_signed in the same transaction, and
 * one that stops signing the zone empties them that way.
 * Returns SN_OK, SN_ENOTFOUND (no such zone), SN_EINVAL (not sorted, an
 * owner outside the zone, several SOA at the apex), SN_ENOMEM, SN_ENOSPC,
 * SN_ESTORE. */
SN_MUSTCHECK int store_zone_import(store_txn_t *txn, const uint8_t *apex, const rrlist_t *sorted);

/* ---- signed records ----
 *
 * The `signed` database holds what the signer adds to a zone (RRSIG, NSEC,
 * NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY; never the apex SOA), laid out
 * as the unsigned records are (same keys, same values, canonical order).
 * The served zone is the union of both. store_zone_diff compares only the
 * unsigned records; store_zone_apply_signed changes both in one journal
 * entry, which is what IXFR sends (DESIGN.md decision 4).
 */

/* Replaces the signed records of zone `apex` with `sorted` (after
 * rrlist_sort; borrowed; may be empty) and empties the zone's journal, as
 * store_zone_import does: a full re-signing is not an IXFR change. Every
 * owner must be at or below the apex, every type one the signer adds.
 * Writer of this zone only. Returns SN_OK, SN_ENOTFOUND (no such zone),
 * SN_EINVAL (not sorted, an owner outside the zone, another type, the
 * apex SOA), SN_ENOMEM, SN_ENOSPC, SN_ESTORE. */
SN_MUSTCHECK int store_zone_import_signed(store_txn_t *txn, const uint8_t *apex,
                                          const rrlist_t *sorted);

/* As store_zone_read and store_cursor_new, for the signed records. */
SN_MUSTCHECK int store_zone_read_signed(store_txn_t *txn, const uint8_t *apex, rrlist_t **out);
SN_MUSTCHECK int store_signed_cursor_new(store_txn_t *txn, const uint8_t *apex,
                                         store_cursor_t **out);

/* Reads every record of zone `apex` into a new sorted rrlist (free with
 * rrlist_free): the records as imported or updated, in canonical order,
 * with the case of owners and RDATA as written. File names are "" and
 * lines 0. Returns SN_OK, SN_ENOTFOUND, SN_EINVAL, SN_ENOMEM, SN_ESTORE
 * (unreadable stored data). */
SN_MUSTCHECK int store_zone_read(store_txn_t *txn, const uint8_t *apex, rrlist_t **out);

/* Gives the apex SOA of zone `apex` in *out (pointers valid until the
 * transaction ends; the owner until the next store_zone_soa in it): what
 * a change made by hand (UPDATE, IXFR in) takes as its SOA before. Returns SN_OK, SN_ENOTFOUND (no
 * such zone, or no records imported yet), SN_EINVAL, SN_ESTORE. */
SN_MUSTCHECK int store_zone_soa(store_txn_t *txn, const uint8_t *apex, store_rr_t *out);

/* Opens a cursor over the records of zone `apex` in canonical order (that
 * of a sorted rrlist), without reading them all at once. On SN_OK *out is
 * owned by the caller (store_cursor_free, before the transaction ends).
 * Returns SN_OK, SN_ENOTFOUND, SN_EINVAL, SN_ENOMEM, SN_ESTORE. */
SN_MUSTCHECK int store_cursor_new(store_txn_t *txn, const uint8_t *apex, store_cursor_t **out);

/* Gives the next record in *rr: its RDATA stays valid until the
 * transaction ends, its owner until the cursor moves to the next owner or
 * type (a lower-case owner is rebuilt from the key). Every owner and RDATA
 * was checked. Returns SN_OK, SN_ENOTFOUND past the last
 * record, SN_ESTORE (corrupt data). */
SN_MUSTCHECK int store_cursor_next(store_cursor_t *c, store_rr_t *rr);

void store_cursor_free(store_cursor_t *c); /* NULL is fine */

/* ---- changes ---- */

/* Compares the stored records of zone `apex` with `new_sorted` (after
 * rrlist_sort and zcheck; borrowed) in one merge walk, and returns the
 * difference in *out (free with zdiff_free): records to remove, records to
 * add, the stored SOA (before) and the SOA of `new_sorted` (after). Records
 * are the same when owner, type, class and canonical RDATA are (RFC 4034
 * 6.2); a changed TTL is a removal plus an addition. Case-only changes do
 * not count. Whether anything changed and whether the serial moved is for
 * the caller to see (zdiff_is_empty, zdiff_serial_before/after): "same
 * serial, different content" is its message and its policy.
 * Returns SN_OK, SN_ENOTFOUND (no such zone, or no records imported yet),
 * SN_EINVAL (not sorted, no SOA or several at the apex in `new_sorted`),
 * SN_ENOMEM, SN_ESTORE. */
SN_MUSTCHECK int store_zone_diff(store_txn_t *txn, const uint8_t *apex, const rrlist_t *new_sorted,
                                 zdiff_t **out);

/* Applies `d` (borrowed; its lists sorted) to zone `apex` in the write
 * transaction `txn`: removes and adds its records, stores its SOA after with
 * the serial set to `new_serial`, appends the journal entry (SOA before,
 * removed, SOA after, added) and updates the catalogue, all in `txn`.
 * `d` must have been made against the stored SOA (same serial), must not
 * hold the apex SOA in its lists, and may remove only records the zone
 * holds; `new_serial` must be greater than the stored serial (RFC 1982
 * 3.2), so that the journal chains. An added record equal to a stored one
 * (owner, type, class, canonical RDATA) replaces it: its TTL wins.
 * Writer of this zone only.
 * Returns SN_OK, SN_ENOTFOUND, SN_EINVAL (all of the above), SN_ENOMEM,
 * SN_ENOSPC, SN_ESTORE. */
SN_MUSTCHECK int store_zone_apply(store_txn_t *txn, const uint8_t *apex, const zdiff_t *d,
                                  uint32_t new_serial);

/* store_zone_apply, and in the same transaction the signer's change `sd`
 * (borrowed; may be NULL; its lists sorted; its SOAs are not read) to the
 * signed records. The journal entry holds the SOA before and after of `d`
 * and, as one sorted list each, the removed and the added records of both
 * diffs: the signed diff a secondary gets by IXFR. `sd` follows the rules
 * of `d` (records in the zone, no apex SOA, removes only what is stored)
 * and holds only the types the signer adds. `d` may have empty lists: a
 * re-signing alone still moves the serial (RRSIG of the SOA).
 * Writer of this zone only. Returns as store_zone_apply; a refusal found
 * before anything was written leaves the transaction usable. */
SN_MUSTCHECK int store_zone_apply_signed(store_txn_t *txn, const uint8_t *apex, const zdiff_t *d,
                                         const zdiff_t *sd, uint32_t new_serial);
