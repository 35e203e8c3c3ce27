/* SPDX-License-Identifier: MIT
 * nhash.h - persistent hash array mapped trie: exact-name index of a zone snapshot.
 *
 * The B+tree (zone/tree.h) keeps names in canonical order for the ordered
 * questions (NSEC predecessor, AXFR order); this map answers the exact ones
 * ("is this name in the zone?", and the closest encloser by probing the
 * ancestors of the query name) in a few cache misses instead of a B+tree
 * descent. It has the tree's API, transactions and garbage.
 *
 * Keys are byte strings (in signet: the canonical key of a name made by
 * tree_key_from_dname). The caller computes the 64-bit hash of a key with
 * nhash_hash() and passes it along with the key, so that a caller probing
 * several ancestors of a name can hash each prefix cheaply, and so that
 * tests can force collisions. Every operation on a lineage of maps must use
 * the same hash for the same key; any function of the key works (the map
 * stays correct, only slower, with a weak one).
 * Values are opaque non-NULL pointers; the map never frees them.
 *
 * Invariants:
 *  - A published nhash_t and every node reachable from it are immutable.
 *    Readers on any thread search it with no lock for as long as they hold
 *    it (in signet: until rcu_read_unlock). The map knows nothing of RCU.
 *  - A change is a transaction: it copies each node of the base map that it
 *    touches once (path copying), changes its own nodes in place (nodes
 *    carry the generation of the transaction that made them), and shares
 *    every other node with the base. Commit yields the new map plus the
 *    garbage: the base nodes the new map no longer uses and the base handle.
 *    The caller frees the garbage when no reader can still hold the base
 *    (after an RCU grace period, via call_rcu).
 *  - Entries point at key bytes owned by the caller (they live inside the
 *    value). They must stay valid while the entry is in any map that is
 *    still readable, that is, until the garbage of the commit that removed or
 *    replaced the entry was freed.
 *  - Each lineage (a map and the maps committed from it) has one writer: at
 *    most one open transaction per map, and a map is the base of at most one
 *    committed transaction.
 *  - The shape is a function of the set of hashes alone (canonical form), so
 *    a map's depth does not depend on the order of its changes: at most
 *    NHASH_MAXDEPTH nodes from the root to any entry.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "zone/err.h"

/* Longest key the map accepts, in bytes (lengths are stored in 16 bits). A
 * canonical name key is at most 504 bytes. */
#define NHASH_KEY_MAXLEN 65535
/* Most nodes on a path from the root to an entry: ten levels of 6 hash bits
 * and one of 4 use up the 64 bits, plus one node for keys whose hashes are
 * equal in all 64 bits. */
#define NHASH_MAXDEPTH 12

typedef struct nhash nhash_t;			/* opaque immutable handle */
typedef struct nhash_txn nhash_txn_t;		/* opaque: one change in progress */
typedef struct nhash_garbage nhash_garbage_t;	/* opaque: what a commit left behind */

/* One entry for nhash_build(). */
typedef struct nhash_entry {
	const uint8_t *key;	/* borrowed: must live as long as the entry is in a map */
	size_t keylen;		/* <= NHASH_KEY_MAXLEN */
	void *val;		/* not NULL */
	uint64_t hash;		/* nhash_hash(key, keylen), or the caller's own hash */
} nhash_entry_t;

/* Shape figures of one map, for tests and benchmarks. */
typedef struct nhash_stats {
	size_t count;		/* entries */
	size_t nodes;		/* trie nodes, collision nodes included */
	size_t coll_nodes;	/* nodes holding keys whose hashes are all equal */
	size_t bytes;		/* bytes of nodes and handle, as requested from malloc */
	unsigned depth;		/* most nodes on a path from the root to an entry */
} nhash_stats_t;

/* ---- Hashing ---- */

/* The 64-bit hash of `len` bytes at `key`: wyhash's construction (version
 * 4: multiply two 64-bit words to 128 bits and fold the halves), with fixed
 * secrets. Fast on short keys (one 128-bit multiply for up to 16 bytes, one
 * more per further 16), and every bit of the result depends on every input
 * bit. Not keyed: someone who controls the names of a zone can make their
 * own lookups in that zone slower, nothing more. Values may differ between
 * builds and platforms: never store them. Any thread. */
uint64_t nhash_hash(const uint8_t *key, size_t len);

/* ---- Maps ---- */

/* Makes an empty map. On SN_OK *out is owned by the caller (nhash_free).
 * Returns SN_OK or SN_ENOMEM. */
SN_MUSTCHECK int nhash_new(nhash_t **out);

/* Builds a map from `n` entries in any order, in O(n) (as for loading a
 * zone). Borrows `entries` (the key bytes are then referenced by the map).
 * On SN_OK *out is owned by the caller (nhash_free). Returns SN_OK,
 * SN_ENOMEM, SN_EINVAL if a key occurs twice (same hash and bytes), a key
 * is longer than NHASH_KEY_MAXLEN or a value is NULL, or SN_ERANGE if more
 * than 2^32 - 1 keys share one hash; *out is then untouched. */
SN_MUSTCHECK int nhash_build(const nhash_entry_t *entries, size_t n, nhash_t **out);

/* Frees `h` and all its nodes (not the values). Only for a map that shares
 * no node with a map still in use: one from nhash_new/nhash_build that never
 * was a transaction's base, or a committed map whose base's garbage was
 * freed (nhash_garbage_free). Freeing a map that was the base of a committed
 * transaction is the caller's error (double free). NULL is fine. Writer
 * only. */
void nhash_free(nhash_t *h);

/* Number of entries. Any thread. */
size_t nhash_count(const nhash_t *h);

/* The value stored under `key` whose hash is `hash`, or NULL. No
 * allocation. Any thread, reader. */
void *nhash_get(const nhash_t *h, uint64_t hash, const uint8_t *key, size_t len);

/* nhash_get(h, nhash_hash(key, len), key, len). Any thread, reader. */
void *nhash_find(const nhash_t *h, const uint8_t *key, size_t len);

/* Checks every structural invariant of `h` (each entry and node on the path
 * its hash selects, canonical form, collision nodes, generations, count).
 * For tests and debugging; O(n). Returns SN_OK or SN_ECHECK. Any thread. */
SN_MUSTCHECK int nhash_check(const nhash_t *h);

/* Fills *st with the shape of `h`. O(n). Any thread. */
void nhash_stats(const nhash_t *h, nhash_stats_t *st);

/* ---- Changes (the writer of this map only) ---- */

/* Starts a transaction on `base`, which it does not modify. On SN_OK *out is
 * owned by the caller until nhash_txn_commit or nhash_txn_abort.
 * Returns SN_OK or SN_ENOMEM. */
SN_MUSTCHECK int nhash_txn_begin(const nhash_t *base, nhash_txn_t **out);

/* Inserts `key` -> `val`, or replaces the value (and the key pointer, since
 * the key lives in the value) of an equal key. If `old_val` is not NULL it
 * receives the replaced value, or NULL when the key was new; the caller
 * frees a replaced value after the garbage of this commit. Borrows `key`.
 * Returns SN_OK, SN_EINVAL (key too long, val NULL), SN_ENOMEM, or SN_ERANGE
 * (2^32 - 1 keys share this hash already); on error the transaction is
 * unchanged and may go on or be aborted. */
SN_MUSTCHECK int nhash_txn_set(nhash_txn_t *txn, uint64_t hash, const uint8_t *key, size_t len,
			       void *val, void **old_val);

/* Removes `key`. If `old_val` is not NULL it receives the removed value.
 * Returns SN_OK, SN_ENOTFOUND, or SN_ENOMEM (the transaction is then
 * unchanged). */
SN_MUSTCHECK int nhash_txn_del(nhash_txn_t *txn, uint64_t hash, const uint8_t *key, size_t len,
			       void **old_val);

/* The transaction's current contents as a map, for reads by the writer
 * (nhash_get...). Valid until the next change, commit or abort; never
 * publish it. */
const nhash_t *nhash_txn_map(const nhash_txn_t *txn);

/* Number of base-map nodes this transaction has copied or dropped so far
 * (each is in the garbage). A debug counter: one change costs at most the
 * depth of its path plus one, and a node is copied once however often it is
 * changed. */
size_t nhash_txn_copied(const nhash_txn_t *txn);

/* Ends `txn` (always freed) and yields the new map (*new_map, owned by the
 * caller) and the garbage (*garbage): the nodes of the base that the new map
 * does not use, and the base handle itself. The base stays readable,
 * unchanged, until nhash_garbage_free(*garbage); after the commit the base
 * must no longer be passed to nhash_free. Returns SN_OK (it cannot fail: its
 * memory was reserved by nhash_txn_begin and the changes). */
SN_MUSTCHECK int nhash_txn_commit(nhash_txn_t *txn, nhash_t **new_map,
				  nhash_garbage_t **garbage);

/* Ends `txn`, freeing what it created; the base is untouched. NULL is fine. */
void nhash_txn_abort(nhash_txn_t *txn);

/* Frees the base nodes and base handle listed in `g`. Call it when no reader
 * can hold the base any more (after an RCU grace period). Values are not
 * freed. NULL is fine. Any thread (one at a time per garbage). */
void nhash_garbage_free(nhash_garbage_t *g);
