/* SPDX-License-Identifier: MIT
 * snap.h - the immutable, read-optimised snapshot of one zone.
 *
 * Queries read snapshots and nothing else. A snapshot holds every name of
 * the zone (empty non-terminals included, so the closest encloser of any
 * name is its first ancestor found) twice: in a persistent tree in
 * canonical order (predecessors, transfers) and in a persistent hash
 * (exact lookups, a few cache misses each), and each name's RRsets in wire
 * form, ready to copy into a response.
 *
 * A snapshot never changes once built; a change makes a new snapshot that
 * shares every untouched part with the old one (snap_edit), and the old one
 * is released after an RCU grace period by whoever published the new one.
 *
 * Versions and their lifetime. A full build (snap_build) starts a lineage;
 * each snap_edit adds the next version to it. Version N+1 shares most of
 * its nodes with N, so a node that N+1 dropped may be freed only when no
 * one holds N any more; and a node that lived in N and N+1 but not in N+2
 * is in the garbage of N+1 (what N+2 dropped), so that garbage may not go
 * before N's even when no one holds N+1. The
 * lineage therefore keeps its versions in a queue, oldest first, and when a
 * reference count reaches zero it frees, from the head, every version that
 * no one holds; a held version holds back every newer one (a slow zone
 * transfer keeps the memory of the versions published after it until it
 * ends, never longer). The newest version, once released, takes the whole
 * lineage with it. Every version, built or edited, starts with one
 * reference, its publisher's.
 *
 * Memory: the nodes of a full build live in one arena, freed with the
 * lineage; an edit's nodes are heap blocks freed with the version that
 * dropped them. So a long lineage costs at most the full build's arena
 * plus the nodes edits made; a writer that has rewritten most of a zone
 * (a full re-signing) may start over with snap_build to compact it.
 *
 * Who calls what:
 *  - snap_build, snap_edit: the zone's writer (one thread at a time per
 *    lineage; snap_build may run anywhere since it starts a new lineage).
 *  - snap_lookup, snap_find, snap_prev, snap_iter_*, snap_walk, the
 *    accessors: any thread, no lock, while it holds the snapshot (inside the
 *    RCU read-side section that found it, or with a reference).
 *  - snap_ref: any thread, only while the snapshot is reachable.
 *  - snap_unref, snap_free: any thread (an RCU callback, a transfer ending);
 *    they take the lineage's mutex, never the query path.
 *
 * Node flags mark zone cuts and what lies below them (glue, occluded data)
 * and names that have a wildcard child, so the answer logic needs no extra
 * lookups for the common cases.
 *
 * DNSSEC. A node's RRSIGs hang on the RRset they cover (snap_rrset_t.rrsig),
 * so an answer copies a set and its signatures without a search. NSEC3
 * records and the RRSIGs that cover them live apart, in an index of their
 * own (the "NSEC3 tree", in canonical order of their owners, which for the
 * hashed owners of one chain is hash order): a hashed owner name is not a
 * name of the zone (RFC 5155 7.2: it must not make "x.<hash>.zone" a
 * NODATA, nor stop a wildcard), so it is not in the name index and gets no
 * empty non-terminals. snap_nsec3_lookup hashes a name with the parameters
 * of the apex NSEC3PARAM and finds the NSEC3 matching or covering it;
 * snap_edit keeps the NSEC3 tree current record by record like the rest.
 * An unsigned zone has no NSEC3 tree and pays nothing per name for it.
 */
#pragma once

#include "zone/dname.h"
#include "zone/err.h"
#include "zone/rrlist.h"
#include "zone/tree.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An RRset in wire form: `count` records, each a 2-octet RDATA length and
 * the RDATA (uncompressed, case as loaded), in canonical order. */
typedef struct snap_rrset {
	uint16_t type;
	uint16_t count;
	uint32_t ttl;
	uint32_t rdata_len; /* octets at `rdata` */
	const uint8_t *rdata;
	const struct snap_rrset *rrsig; /* RRSIGs that cover this set, or NULL */
} snap_rrset_t;

enum snap_flags {
	SNAP_APEX = 1u << 0,
	SNAP_DELEG = 1u << 1,          /* a zone cut: NS here, not at the apex */
	SNAP_NONAUTH = 1u << 2,        /* below a zone cut: glue or occluded */
	SNAP_WILDCARD_CHILD = 1u << 3, /* "*.<this name>" exists (an empty
	                                * non-terminal wildcard too, RFC 4592 4.2) */
	SNAP_DNAME = 1u << 4,          /* has a DNAME: names below are redirected */
	SNAP_BELOW_DNAME = 1u << 5,    /* occluded by a DNAME above (RFC 6672 2.3) */
	SNAP_ENT = 1u << 6,            /* empty non-terminal: no RRsets */
	SNAP_NSEC3 = 1u << 7,          /* a node of the NSEC3 tree: NSEC3 and the
	                                * RRSIGs covering NSEC3 only */
};

typedef struct snap_node {
	const uint8_t *owner; /* wire form, case as loaded */
	uint32_t flags;       /* snap_flags */
	uint16_t rrset_count;
	uint16_t owner_len;
	const snap_rrset_t *rrsets; /* sorted by type */
} snap_node_t;

typedef struct snap snap_t; /* opaque */

/* Builds a snapshot of the zone `apex` from the sorted, checked list `rrs`
 * (only records at or below `apex` are taken). Copies everything it keeps:
 * `rrs` may be freed afterwards. On SN_OK *out holds one reference, the
 * caller's, and starts a new lineage. Any thread. */
SN_MUSTCHECK int snap_build(const uint8_t *apex, const rrlist_t *rrs, snap_t **out);

/* Makes the next version of `base`: its records minus `removed` plus
 * `added` (either may be NULL for none). Both lists must be sorted
 * (rrlist_sort) and hold only records at or below the apex; the class is
 * not looked at (a snapshot holds one class).
 *
 * Records are compared as rrlist_sort does (owner and RDATA in canonical
 * form, RFC 4034 6.2; not the TTL). `removed` is applied first, so a TTL
 * change is the record in both lists. Removing a record that is absent, or
 * adding one that is present (and not removed in the same call), is
 * SN_EINVAL: the caller's diff and the snapshot disagree, and the caller
 * should rebuild with snap_build rather than serve a guess. An RRset's TTL
 * is the least TTL of its records, the records kept from `base` counting
 * with the TTL their RRset had; when every RRset's records agree on their
 * TTL (zcheck makes them agree), the result equals snap_build of the full
 * new record list, node for node and byte for byte, except that an empty
 * non-terminal keeps the letter case of the name that made it.
 *
 * Cost: about k log N for k changed records. Only the nodes of the changed
 * owners are rebuilt (each on the heap, alone), their missing ancestors are
 * added as empty non-terminals and the ones left empty without children
 * removed; a name that gains or loses a zone cut or a DNAME re-flags the
 * names below it (O(subtree)); everything else, the arena of the full
 * build included, is shared with `base`.
 *
 * `base` is borrowed and must be the newest version of its lineage, held
 * by the caller: a version is edited at most once (SN_EINVAL otherwise).
 * It stays readable, unchanged, until it is released. On SN_OK *out holds
 * one reference, the caller's; publish it, then release `base` after a
 * grace period (zone_retire). Releasing *out without publishing it is
 * allowed, but ends the lineage: `base` then can no longer be edited.
 * On error nothing changed. Returns SN_OK, SN_EINVAL, SN_ENOMEM (or
 * SN_ECHECK if an internal invariant broke, which no input should cause).
 * The zone's writer only. */
SN_MUSTCHECK int snap_edit(snap_t *base, const rrlist_t *removed, const rrlist_t *added,
                           snap_t **out);

/* Drops the caller's reference: the same as snap_unref. For a snapshot
 * that was never published (its only reference is the caller's) it frees
 * what only that version holds, at once or, for an edited version whose
 * predecessors are still held, when they are released. NULL is fine. */
void snap_free(snap_t *s);

/* Reference counting, for readers that keep a snapshot past their RCU
 * read-side section (a zone transfer paced by the client). snap_ref may be
 * called only while the snapshot is reachable (inside a read-side section
 * that found it, or holding another reference); snap_unref drops one and,
 * at zero, frees whatever the lineage no longer needs (see the top of this
 * file). Any thread; snap_unref takes the lineage's mutex. NULL is fine
 * for snap_unref. */
void snap_ref(snap_t *s);
void snap_unref(snap_t *s);

/* What the snap_edit that made `s` did, for logs, tests and benchmarks. */
typedef struct snap_edit_stats {
	size_t owners;      /* owners whose records changed */
	size_t nodes_new;   /* name nodes allocated (rebuilt, created, re-flagged) */
	size_t nodes_gone;  /* name nodes of the base dropped or replaced */
	size_t tree_copied; /* base tree nodes copied or dropped (tree_txn_copied) */
	size_t hash_copied; /* base hash nodes copied or dropped (nhash_txn_copied) */
} snap_edit_stats_t;

/* Fills *st for `s` (all zero for a snapshot from snap_build). Any thread. */
void snap_edit_stats(const snap_t *s, snap_edit_stats_t *st);

/* Shape of the indexes of `s`: the tree's height (O(1)) and the hash's
 * deepest path (O(n)). For tests and benchmarks. Any thread. */
void snap_index_shape(const snap_t *s, unsigned *height, unsigned *depth);

/* Checks the indexes of `s` (tree_check, nhash_check, both hold the same
 * names) and the snapshot's own invariants: every name's ancestors up to
 * the apex are nodes, an empty non-terminal has children, and every flag
 * is what the records and the ancestors make it. For tests; O(n).
 * Returns SN_OK or SN_ECHECK. Any thread. */
SN_MUSTCHECK int snap_check(const snap_t *s);

const uint8_t *snap_apex(const snap_t *s);
const snap_node_t *snap_apex_node(const snap_t *s);
uint32_t snap_serial(const snap_t *s);
/* Names of the name index (empty non-terminals included, the owners of
 * the NSEC3 tree not: see snap_nsec3_count). */
size_t snap_name_count(const snap_t *s);

/* The RRset of `type` at `node`, or NULL. RRSIG is never such a type:
 * signatures hang on the set they cover (see snap_node_sigs). */
const snap_rrset_t *snap_node_rrset(const snap_node_t *node, uint16_t type);

/* Every RRSIG set of `node`, one per covered type in type order, those
 * whose covered type has no RRset at the node included: *count sets from
 * the returned pointer (NULL when there are none). For RRSIG queries (RFC
 * 4035 3.1.5) and transfers. Any thread. */
const snap_rrset_t *snap_node_sigs(const snap_node_t *node, uint16_t *count);

/* True when the apex is signed: its SOA has an RRSIG (as knotd decides
 * whether to add DNSSEC records at all). Any thread. */
bool snap_is_signed(const snap_t *s);

/* True when the zone denies existence with NSEC3: the apex has an
 * NSEC3PARAM record with flags 0, hash algorithm 1 and at most 2500
 * iterations (RFC 5155 4, 10.3); the first such record names the chain in
 * use. Any thread. */
bool snap_has_nsec3(const snap_t *s);

/* Hashes `name` (wire form, any case) with the chain's parameters (RFC
 * 5155 5) and returns the NSEC3 node of that chain whose owner hash equals
 * the hash (*match = true) or else the one covering it: the greatest hash
 * below it, wrapping around to the last (RFC 5155 7.2.1). NSEC3 records of
 * other parameters (a chain being replaced) are skipped, 64 at most in a
 * row. NULL when the zone has no NSEC3 chain in use or no NSEC3 of it
 * there. Any thread; allocates nothing (the hash is computed on the
 * stack). */
const snap_node_t *snap_nsec3_lookup(const snap_t *s, const uint8_t *name, bool *match);

/* The NSEC3 node of the chain in use strictly before the hashed owner
 * `owner` (wire form) in hash order, wrapping around to the last: the one
 * whose "next hashed owner" names `owner` when `owner` is in the chain;
 * `owner` itself when it is the chain's only record. Records of other
 * chains are stepped over as in snap_nsec3_lookup (NULL past 64 of them).
 * Any thread; allocates nothing. */
const snap_node_t *snap_nsec3_prev(const snap_t *s, const uint8_t *owner);

/* The NSEC3 node owned by `name` exactly (a query for a hashed owner name
 * itself), or NULL. Any thread. */
const snap_node_t *snap_nsec3_find(const snap_t *s, const uint8_t *name);

/* Number of owners in the NSEC3 tree. Any thread. */
size_t snap_nsec3_count(const snap_t *s);

/* The NSEC-chain predecessor of `name`: the greatest name strictly before
 * it in canonical order that has an NSEC RRset, wrapping around to the
 * last such name (RFC 4034 4.1.1; empty non-terminals and glue have none).
 * NULL when no name has an NSEC. Any thread. */
const snap_node_t *snap_nsec_prev(const snap_t *s, const uint8_t *name);

/* The result of looking a name up in a zone. */
typedef struct snap_lookup {
	const snap_node_t *match;    /* the name itself, or NULL */
	const snap_node_t *encloser; /* closest existing ancestor (= match when found) */
	const snap_node_t *cut;      /* the highest zone cut at or above the name, or NULL */
	const snap_node_t *dname;    /* the highest DNAME strictly above the name, or NULL */
} snap_lookup_t;

/* Looks up `name` (wire form, any case, at or below the apex). Any thread;
 * the nodes stay valid as long as the snapshot does (for a reader: until
 * its RCU read-side section ends). Allocates nothing. */
void snap_lookup(const snap_t *s, const uint8_t *name, snap_lookup_t *out);

/* The canonical predecessor of `name` in the zone (for NSEC proofs),
 * wrapping around to the last name when `name` sorts first. */
const snap_node_t *snap_prev(const snap_t *s, const uint8_t *name);

/* The node for `name` exactly, or NULL. */
const snap_node_t *snap_find(const snap_t *s, const uint8_t *name);

/* A resumable cursor over the nodes in canonical order (empty
 * non-terminals included), for zone transfers: the name index and the NSEC3
 * tree merged (an owner in both comes twice, its ordinary node first).
 * Valid while the snapshot is. */
typedef struct snap_iter {
	tree_iter_t it;
	tree_iter_t it3; /* the NSEC3 tree */
} snap_iter_t;

void snap_iter_first(snap_iter_t *it, const snap_t *s);
void snap_iter_next(snap_iter_t *it);
/* The current node, or NULL past the end. */
const snap_node_t *snap_iter_node(const snap_iter_t *it);

/* In-order walk over every node (empty non-terminals and the NSEC3 tree
 * included, merged as snap_iter does): calls `fn`
 * until it returns non-zero, which snap_walk returns. */
int snap_walk(const snap_t *s, int (*fn)(void *ctx, const snap_node_t *node), void *ctx);
