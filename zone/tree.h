/* SPDX-License-Identifier: MIT
 * tree.h - persistent (path-copying) B+tree: the name index of a zone snapshot.
 *
 * Keys are byte strings compared with memcmp (a shorter key sorts first on a
 * common prefix); for domain names use the canonical key form made by
 * tree_key_from_dname(), whose memcmp order is RFC 4034 §6.1 canonical order.
 * Values are opaque non-NULL pointers; the tree never frees them.
 *
 * Invariants:
 *  - A published tree_t and every node reachable from it are immutable.
 *    Readers on any thread search it with no lock for as long as they hold
 *    it (in signet: until rcu_read_unlock). The tree knows nothing of RCU.
 *  - A change is a transaction: it copies each node of the base tree that
 *    it touches once (path copying), modifies its own copies in place, and
 *    shares every other node with the base. Commit yields the new tree plus
 *    the garbage: the base nodes the new tree no longer uses and the base
 *    handle. The caller frees the garbage when no reader can still hold the
 *    base (after an RCU grace period, via call_rcu).
 *  - Leaf entries point at key bytes owned by the caller (they live inside
 *    the value). They must stay valid while the entry is in any tree that is
 *    still readable, that is, until the garbage of the commit that removed or
 *    replaced the entry was freed. Internal nodes own copies of their
 *    separator keys, so removing a value never leaves a separator dangling.
 *  - Each tree lineage (a tree and the trees committed from it) has one
 *    writer: at most one open transaction per tree, and a tree is the base
 *    of at most one committed transaction.
 *  - Every leaf is at the same depth; every node but the root is at least a
 *    quarter full, so the height stays logarithmic (<= TREE_MAXHEIGHT).
 *  - Nodes are allocated for what they hold: a leaf is sized to its entries
 *    when it is built or copied (a transaction that fills its own copy
 *    grows it by half), an internal node to its children and separators,
 *    so a zone of a few names pays for a few entries.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "zone/err.h"

/* Longest key the tree accepts, in bytes. A canonical key of a domain name
 * is at most 504 bytes (a 255-octet name whose label octets are all 0x00 or
 * 0x01, each written as two bytes), so a buffer of this size always fits. */
#define TREE_KEY_MAXLEN 512
/* Deepest tree possible: with nodes at least a quarter full, height 16
 * would need more than 2^61 entries. */
#define TREE_MAXHEIGHT 16
/* Leaf capacities: a leaf has room for a multiple of TREE_LEAF_STEP
 * entries, up to 64: TREE_LEAF_CAPS classes. */
#define TREE_LEAF_STEP 1
#define TREE_LEAF_CAPS (64 / TREE_LEAF_STEP)

typedef struct tree tree_t;			/* opaque immutable handle */
typedef struct tree_txn tree_txn_t;		/* opaque: one change in progress */
typedef struct tree_garbage tree_garbage_t;	/* opaque: what a commit left behind */
struct tree_node;				/* opaque node */

/* One entry for tree_build_sorted(). */
typedef struct tree_entry {
	const uint8_t *key;	/* not NULL; borrowed: must live as long as the entry is in a tree */
	size_t keylen;		/* <= TREE_KEY_MAXLEN */
	void *val;		/* not NULL */
} tree_entry_t;

/* Shape figures of one tree, for tests and benchmarks. */
typedef struct tree_stats {
	size_t count;		/* entries */
	size_t leaves;
	size_t inodes;		/* internal nodes */
	size_t bytes;		/* bytes of nodes and handle, as requested from malloc */
	size_t slack;		/* entries the leaves have room for but do not hold */
	size_t leaf_caps[TREE_LEAF_CAPS];	/* leaves by capacity: [i] has room for
						 * TREE_LEAF_STEP * (i + 1) entries */
} tree_stats_t;

/* A cursor over one tree, positioned at an entry or invalid (past either
 * end). Plain data, no allocation: it holds pointers into the tree and stays
 * usable for as long as the tree does. Any thread. */
typedef struct tree_iter {
	const struct tree_node *node[TREE_MAXHEIGHT];	/* node[0] is the root */
	uint16_t pos[TREE_MAXHEIGHT];	/* child or entry index at each level */
	uint8_t height;			/* levels in use; 0 = invalid */
} tree_iter_t;

/* ---- Canonical keys of domain names ---- */

/* Writes the canonical key of the wire-form name `dname` to `key` (room for
 * TREE_KEY_MAXLEN bytes) and its length to *keylen. Labels come from the
 * root end first; each label's octets are lower-cased (dname_lower_tab),
 * octet 0x00 is written 0x01 0x01, octet 0x01 is written 0x01 0x02, any other
 * octet as is, and each label ends with a 0x00. The root name has the empty
 * key. Then memcmp order on keys (shorter first on a common prefix) equals
 * RFC 4034 §6.1 canonical name order (dname_cmp), and 0x00 marks exactly the
 * label ends. Any thread.
 * Returns SN_OK, or SN_EINVAL if `dname` is not a valid uncompressed name
 * (*keylen is then untouched). */
SN_MUSTCHECK int tree_key_from_dname(const uint8_t *dname, uint8_t *key, size_t *keylen);

/* Inverse of tree_key_from_dname(): writes the (lower-case) wire-form name
 * of `key` to `out` and its length to *out_len. Any thread.
 * Returns SN_OK, or SN_EPARSE if `key` is not a canonical key. */
SN_MUSTCHECK int tree_key_to_dname(const uint8_t *key, size_t keylen, uint8_t *out,
				   size_t *out_len);

/* True if the name with canonical key `key` equals or lies below the name
 * with canonical key `parent`: the parent's key is a prefix of the child's.
 * Because 0x00 occurs in canonical keys only as a label end, a prefix always
 * ends at a label boundary. Any thread. */
bool tree_key_is_subdomain(const uint8_t *key, size_t keylen, const uint8_t *parent,
			   size_t parentlen);

/* Length of the canonical key of the parent name (first label removed) of
 * the name with canonical key `key`: the key up to and including its
 * next-to-last 0x00. 0 for a one-label name and for the root. Any thread. */
size_t tree_key_parent_len(const uint8_t *key, size_t keylen);

/* ---- Trees ----
 * Every `key` parameter below is a byte string of `keylen` bytes, never NULL
 * (the empty key is a valid key: the root name's). */

/* Makes an empty tree. On SN_OK *out is owned by the caller (tree_free).
 * Returns SN_OK or SN_ENOMEM. */
SN_MUSTCHECK int tree_new(tree_t **out);

/* Builds a tree from `n` entries sorted strictly ascending by key, in O(n),
 * with leaves filled up (as for loading a zone). Borrows `entries` (the key
 * bytes are then referenced by the tree). On SN_OK *out is owned by the
 * caller (tree_free). Returns SN_OK, SN_ENOMEM, or SN_EINVAL if the keys are
 * not strictly ascending, a key is NULL or longer than TREE_KEY_MAXLEN, or a
 * value is NULL. */
SN_MUSTCHECK int tree_build_sorted(const tree_entry_t *entries, size_t n, tree_t **out);

/* Frees `t` and all its nodes (not the values). Only for a tree that shares
 * no node with a tree still in use: a tree from tree_new/tree_build_sorted
 * that never was a transaction's base, or a committed tree whose base's
 * garbage was freed (tree_garbage_free) — after that the new tree owns all
 * its nodes. Freeing a tree that was the base of a committed transaction, or
 * whose nodes another live tree shares, is the caller's error (double free).
 * NULL is fine. Writer only. */
void tree_free(tree_t *t);

/* Number of entries. Any thread. */
size_t tree_count(const tree_t *t);

/* Number of levels (0 empty, 1 a single leaf). Any thread. */
unsigned tree_height(const tree_t *t);

/* The value stored under `key`, or NULL. Any thread, reader. */
void *tree_get(const tree_t *t, const uint8_t *key, size_t keylen);

/* Neighbour searches: the value of the greatest entry <= key (le), < key
 * (lt), the least entry >= key (ge), > key (gt); NULL if there is none (no
 * wrap-around: a caller that needs it, like NSEC, takes the first or last
 * entry itself). When found and `found_key`/`found_len` are not NULL, they
 * receive the entry's key (caller-owned memory, as stored). Any thread. */
void *tree_get_le(const tree_t *t, const uint8_t *key, size_t keylen,
		  const uint8_t **found_key, size_t *found_len);
void *tree_get_lt(const tree_t *t, const uint8_t *key, size_t keylen,
		  const uint8_t **found_key, size_t *found_len);
void *tree_get_ge(const tree_t *t, const uint8_t *key, size_t keylen,
		  const uint8_t **found_key, size_t *found_len);
void *tree_get_gt(const tree_t *t, const uint8_t *key, size_t keylen,
		  const uint8_t **found_key, size_t *found_len);

/* Checks every structural invariant of `t` (order, separators, fill,
 * depth, cached key prefixes, count). For tests and debugging; O(n).
 * Returns SN_OK or SN_ECHECK. Any thread. */
SN_MUSTCHECK int tree_check(const tree_t *t);

/* Fills *st with the shape of `t`. O(nodes). Any thread. */
void tree_stats(const tree_t *t, tree_stats_t *st);

/* ---- Iteration (no allocation; any thread, reader) ---- */

/* Positions `it` at the first / last entry of `t` (invalid if empty). */
void tree_iter_first(tree_iter_t *it, const tree_t *t);
void tree_iter_last(tree_iter_t *it, const tree_t *t);
/* Positions `it` at the least entry >= key / the greatest entry <= key
 * (invalid if none). */
void tree_iter_seek_ge(tree_iter_t *it, const tree_t *t, const uint8_t *key, size_t keylen);
void tree_iter_seek_le(tree_iter_t *it, const tree_t *t, const uint8_t *key, size_t keylen);
/* Moves to the next / previous entry; past the end the iterator becomes
 * invalid (and stays so). */
void tree_iter_next(tree_iter_t *it);
void tree_iter_prev(tree_iter_t *it);
/* True while `it` is positioned at an entry. */
bool tree_iter_is_valid(const tree_iter_t *it);
/* Key (and its length in *keylen) and value of the current entry; the
 * iterator must be valid. */
const uint8_t *tree_iter_key(const tree_iter_t *it, size_t *keylen);
void *tree_iter_val(const tree_iter_t *it);

/* ---- Changes (the writer of this tree only) ---- */

/* Starts a transaction on `base`, which it does not modify. On SN_OK *out is
 * owned by the caller until tree_txn_commit or tree_txn_abort.
 * Returns SN_OK or SN_ENOMEM. */
SN_MUSTCHECK int tree_txn_begin(const tree_t *base, tree_txn_t **out);

/* Inserts `key` -> `val`, or replaces the value (and the key pointer, since
 * the key lives in the value) of an equal key. If `old_val` is not NULL it
 * receives the replaced value, or NULL when the key was new; the caller
 * frees a replaced value after the garbage of this commit. Borrows `key`
 * (the tree keeps pointing at it: it must live as long as the value).
 * Returns SN_OK, SN_EINVAL (key NULL or too long, val NULL), SN_ENOMEM, or
 * SN_ERANGE past TREE_MAXHEIGHT levels (not reachable below 2^61 entries);
 * on error the transaction is unchanged and may go on or be aborted. */
SN_MUSTCHECK int tree_txn_set(tree_txn_t *txn, const uint8_t *key, size_t keylen, void *val,
			      void **old_val);

/* Removes `key`. If `old_val` is not NULL it receives the removed value.
 * Returns SN_OK, SN_ENOTFOUND, or SN_ENOMEM (the transaction is then
 * unchanged). */
SN_MUSTCHECK int tree_txn_del(tree_txn_t *txn, const uint8_t *key, size_t keylen,
			      void **old_val);

/* The transaction's current contents as a tree, for reads by the writer
 * (tree_get, iterators...). Valid until the next change, commit or abort;
 * never publish it. */
const tree_t *tree_txn_tree(const tree_txn_t *txn);

/* Number of base-tree nodes this transaction has copied or dropped so far
 * (each is in the garbage). A debug counter: one change costs at most about
 * the height, and a node is copied once however often it is changed. */
size_t tree_txn_copied(const tree_txn_t *txn);

/* Ends `txn` (always freed) and yields the new tree (*new_tree, owned by the
 * caller) and the garbage (*garbage): the nodes of the base that the new
 * tree does not use, and the base handle itself. The base stays readable,
 * unchanged, until tree_garbage_free(*garbage); after the commit the base
 * must no longer be passed to tree_free. Returns SN_OK (it cannot fail: its
 * memory was reserved by tree_txn_begin). */
SN_MUSTCHECK int tree_txn_commit(tree_txn_t *txn, tree_t **new_tree, tree_garbage_t **garbage);

/* Ends `txn`, freeing what it created; the base is untouched. NULL is fine. */
void tree_txn_abort(tree_txn_t *txn);

/* Frees the base nodes and base handle listed in `g`. Call it when no reader
 * can hold the base any more (after an RCU grace period). Values are not
 * freed. NULL is fine. Any thread (one at a time per garbage). */
void tree_garbage_free(tree_garbage_t *g);
