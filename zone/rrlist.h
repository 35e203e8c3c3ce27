/* SPDX-License-Identifier: MIT
 * rrlist.h - every record of one zone, packed, sorted in canonical order.
 *
 * An rrlist is what a zone file turns into before anything else looks at
 * it: the zone-file parser's callback appends records (rrlist_add), then
 * rrlist_sort puts them in the canonical order of RFC 4034 6.1 and 6.3
 * (owner name, then type, then class, then RDATA in canonical form compared
 * as left-justified octet strings) and drops exact duplicates, as BIND and
 * Knot do silently (RFC 2181 5: an RRset holds no duplicate records).
 *
 * Invariants: records live in large arena blocks that are never moved, so
 * the pointers a view holds stay valid until rrlist_free. Records with the
 * same owner written one after another share one stored owner name. Every
 * record keeps where it came from (file, line, column) and its insertion
 * index (`seq`), so later checks can point at it and know which came first.
 * After rrlist_sort, index order is canonical order, and the records of
 * one owner, and of one RRset, are consecutive.
 *
 * Not thread-safe: one thread builds, sorts and reads a list. A sorted list
 * that nobody modifies may be read from several threads (rrlist_get and the
 * lookups take no scratch space).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "zone/err.h"
#include "zone/zfile.h"

typedef struct rrlist rrlist_t; /* opaque */

/* "No such index", returned by the lookups. */
#define RRLIST_NONE ((size_t)-1)

/* A view of one record. Pointers stay valid until rrlist_free. */
typedef struct rrlist_rr {
	const uint8_t *owner; /* uncompressed wire form, case as written */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata; /* uncompressed wire form, case as written */
	const char *file;     /* where the record was read */
	uint32_t line;
	uint32_t col;
	uint32_t seq; /* insertion index: smaller was added first */
} rrlist_rr_t;

/* Returns an empty list (free with rrlist_free), or NULL when out of
 * memory. */
rrlist_t *rrlist_new(void);

void rrlist_free(rrlist_t *l); /* NULL is fine */

/* Appends a copy of `rr` (borrowed; only valid during the call, which
 * makes it a zfile_rr_cb with the list as context: see rrlist_zfile_cb).
 * The owner and RDATA are checked (dname_check, rdata_check) because the
 * sort relies on them being well-formed; the file name is interned.
 * Appending to a sorted list makes it unsorted again.
 * Returns SN_OK, SN_ENOMEM, SN_EPARSE (malformed owner or RDATA), or
 * SN_ERANGE (over 2^32-1 records or 65535 distinct files). */
SN_MUSTCHECK int rrlist_add(rrlist_t *l, const zfile_rr_t *rr);

/* rrlist_add with the signature of a zfile_rr_cb: `ctx` is the list. */
int rrlist_zfile_cb(void *ctx, const zfile_rr_t *rr);

/* Sorts the list in canonical order and removes duplicates (same owner,
 * type, class and canonical RDATA; the TTL does not matter), keeping the
 * one added first. Input already in order is detected in one linear pass.
 * Returns SN_OK or SN_ENOMEM (the list is then unchanged). */
SN_MUSTCHECK int rrlist_sort(rrlist_t *l);

bool rrlist_is_sorted(const rrlist_t *l);

/* Number of records (after rrlist_sort: without the duplicates). */
size_t rrlist_count(const rrlist_t *l);

/* Number of duplicates the last rrlist_sort removed. */
size_t rrlist_dup_count(const rrlist_t *l);

/* The record at index `i` (< rrlist_count). */
rrlist_rr_t rrlist_get(const rrlist_t *l, size_t i);

/* Overwrites the TTL of record `i` (used to make an RRset's TTLs agree). */
void rrlist_set_ttl(rrlist_t *l, size_t i, uint32_t ttl);

/* Marks record `i` for removal; rrlist_compact removes all marked records
 * and keeps the order of the others. Indices change only in
 * rrlist_compact. */
void rrlist_drop(rrlist_t *l, size_t i);
void rrlist_compact(rrlist_t *l);

/*
 * Navigation in a sorted list (after rrlist_sort and before the next
 * rrlist_add). `i` and `j` are valid indices; owners are compared
 * case-insensitively, in canonical order. Owner and RRset boundaries are
 * recorded by the sort, so walking them reads only the index array.
 */

/* True if records `i` and `j` have the same owner. */
bool rrlist_is_same_owner(const rrlist_t *l, size_t i, size_t j);

/* True if the owner of `i` is the owner of `j` or lies below it. */
bool rrlist_is_below(const rrlist_t *l, size_t i, size_t j);

/* Index past the last record with the owner of `i`. */
size_t rrlist_owner_end(const rrlist_t *l, size_t i);

/* Index past the last record of the RRset (owner, type, class) of `i`. */
size_t rrlist_rrset_end(const rrlist_t *l, size_t i);

/* The type and the class of record `i`, read without touching the record
 * itself (cheap in a pass that needs only these). */
uint16_t rrlist_type(const rrlist_t *l, size_t i);
uint16_t rrlist_rclass(const rrlist_t *l, size_t i);

/* True if rrlist_sort dropped a duplicate of record `i`. */
bool rrlist_had_dup(const rrlist_t *l, size_t i);

/* Index past the last record whose owner is the owner of `i` or below it.
 * Searches forward from `i` in O(log distance), so walking a zone cut by
 * cut costs little. */
size_t rrlist_subtree_end(const rrlist_t *l, size_t i);

/* The records whose owner is `name` (wire form) or below it are the range
 * [*lo, *hi) (empty when lo == hi; *lo is then where `name` would go).
 * Binary search. */
void rrlist_subtree_range(const rrlist_t *l, const uint8_t *name, size_t *lo, size_t *hi);

/* Index of the first record whose owner is `name` (wire form), or
 * RRLIST_NONE. When `hint` is a valid index the search gallops from there
 * (O(log distance)); pass RRLIST_NONE for a plain binary search. */
size_t rrlist_find_owner(const rrlist_t *l, const uint8_t *name, size_t hint);
