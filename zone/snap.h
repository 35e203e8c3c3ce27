/* SPDX-License-Identifier: MIT
 * snap.h - the immutable, read-optimised snapshot of one zone.
 *
 * Queries read snapshots and nothing else. A snapshot holds every name of
 * the zone (empty non-terminals included, so the closest encloser of any
 * name is its first ancestor found) twice: in a persistent tree in
 * canonical order (predecessors, transfers) and in a persistent hash
 * (exact lookups, a few cache misses each), and each name's RRsets in wire
 * form, ready to copy into a response.
 * A snapshot never changes once built; a change makes a new snapshot that
 * shares every untouched part with the old one (snap_edit), and the old one
 * is released after an RCU grace period by whoever published the new one.
 *
 * Node flags mark zone cuts and what lies below them (glue, occluded data)
 * and names that have a wildcard child, so the answer logic needs no extra
 * lookups for the common cases.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "zone/dname.h"
#include "zone/err.h"
#include "zone/rrlist.h"
#include "zone/tree.h"

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
	SNAP_DELEG = 1u << 1,      /* a zone cut: NS here, not at the apex */
	SNAP_NONAUTH = 1u << 2,    /* below a zone cut: glue or occluded */
	SNAP_WILDCARD_CHILD = 1u << 3, /* "*.<this name>" exists */
	SNAP_DNAME = 1u << 4,      /* has a DNAME: names below are redirected */
	SNAP_BELOW_DNAME = 1u << 5, /* occluded by a DNAME above (RFC 6672 2.3) */
	SNAP_ENT = 1u << 6,        /* empty non-terminal: no RRsets */
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
 * `rrs` may be freed afterwards. On SN_OK *out is owned by the caller
 * (snap_free). Any thread. */
SN_MUSTCHECK int snap_build(const uint8_t *apex, const rrlist_t *rrs, snap_t **out);

/* Frees a snapshot that shares nothing with a live one. NULL is fine.
 * Same as dropping the last reference. */
void snap_free(snap_t *s);

/* Reference counting, for readers that keep a snapshot past their RCU
 * read-side section (a zone transfer paced by the client). A built snapshot
 * has one reference, its publisher's. snap_ref may be called only while the
 * snapshot is reachable (inside a read-side section that found it);
 * snap_unref frees it when the count drops to zero. Any thread. */
void snap_ref(snap_t *s);
void snap_unref(snap_t *s);

const uint8_t *snap_apex(const snap_t *s);
const snap_node_t *snap_apex_node(const snap_t *s);
uint32_t snap_serial(const snap_t *s);
size_t snap_name_count(const snap_t *s);

/* The RRset of `type` at `node`, or NULL. */
const snap_rrset_t *snap_node_rrset(const snap_node_t *node, uint16_t type);

/* The result of looking a name up in a zone. */
typedef struct snap_lookup {
	const snap_node_t *match;   /* the name itself, or NULL */
	const snap_node_t *encloser; /* closest existing ancestor (= match when found) */
	const snap_node_t *cut;     /* the highest zone cut at or above the name, or NULL */
	const snap_node_t *dname;   /* the highest DNAME strictly above the name, or NULL */
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
 * non-terminals included), for zone transfers. Valid while the snapshot is. */
typedef struct snap_iter {
	tree_iter_t it;
} snap_iter_t;

void snap_iter_first(snap_iter_t *it, const snap_t *s);
void snap_iter_next(snap_iter_t *it);
/* The current node, or NULL past the end. */
const snap_node_t *snap_iter_node(const snap_iter_t *it);

/* In-order walk over every node (empty non-terminals included): calls `fn`
 * until it returns non-zero, which snap_walk returns. */
int snap_walk(const snap_t *s, int (*fn)(void *ctx, const snap_node_t *node), void *ctx);
