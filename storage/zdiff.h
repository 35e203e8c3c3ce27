/* SPDX-License-Identifier: MIT
 * zdiff.h - one change of a zone: records removed, records added, SOA before and after.
 *
 * The form of RFC 1995 (IXFR): the SOA before and after stand apart from
 * the removed and added records, which never hold the apex SOA. The lists
 * are rrlists; after zdiff_sort (or when made by store_zone_diff) both are
 * in canonical order and free of duplicates, which is what store_zone_apply,
 * the signer and IXFR read. A changed TTL is a record in both lists.
 *
 * Not thread-safe: one thread builds a diff; a finished diff nobody changes
 * may be read from several threads.
 */
#pragma once

#include "storage/store.h"
#include "zone/err.h"
#include "zone/rrlist.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct zdiff zdiff_t; /* opaque */

/* Makes an empty diff. On SN_OK *out is owned by the caller (zdiff_free).
 * Returns SN_OK or SN_ENOMEM. */
SN_MUSTCHECK int zdiff_new(zdiff_t **out);

void zdiff_free(zdiff_t *d); /* NULL is fine */

/* Sets the SOA before / after (copied; `soa` borrowed). Returns SN_OK or
 * SN_EINVAL (not an SOA, malformed owner or RDATA). */
SN_MUSTCHECK int zdiff_set_soa_before(zdiff_t *d, const store_rr_t *soa);
SN_MUSTCHECK int zdiff_set_soa_after(zdiff_t *d, const store_rr_t *soa);

/* Appends a copy of `rr` (borrowed) to the removed / added records; the
 * diff must then be sorted (zdiff_sort) before it is applied.
 * Returns SN_OK, SN_ENOMEM, SN_EINVAL (malformed), SN_ERANGE. */
SN_MUSTCHECK int zdiff_remove(zdiff_t *d, const store_rr_t *rr);
SN_MUSTCHECK int zdiff_add(zdiff_t *d, const store_rr_t *rr);

/* Sorts both lists in canonical order and drops exact duplicates.
 * Returns SN_OK or SN_ENOMEM. */
SN_MUSTCHECK int zdiff_sort(zdiff_t *d);

/* The removed / added records: read them with rrlist_count and rrlist_get
 * (and the rrlist navigation functions once sorted). Valid until
 * zdiff_free or the next change to `d`. */
const rrlist_t *zdiff_removed(const zdiff_t *d);
const rrlist_t *zdiff_added(const zdiff_t *d);

/* Fills *out with the SOA before / after (pointers valid until zdiff_free
 * or the next zdiff_set_soa_*). Returns false when it was not set. */
bool zdiff_soa_before(const zdiff_t *d, store_rr_t *out);
bool zdiff_soa_after(const zdiff_t *d, store_rr_t *out);

/* Serials of the SOA before / after (0 when not set). */
uint32_t zdiff_serial_before(const zdiff_t *d);
uint32_t zdiff_serial_after(const zdiff_t *d);

/* True when nothing but the SOA serial changed: no record removed or
 * added, and both SOAs are set and equal in TTL, class and every RDATA
 * field but the serial. With equal serials too, the zone did not change;
 * with equal serials and a non-empty diff, the content changed while the
 * serial did not. */
bool zdiff_is_empty(const zdiff_t *d);
