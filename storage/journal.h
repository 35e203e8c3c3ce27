/* SPDX-License-Identifier: MIT
 * journal.h - per-zone change history in LMDB, the source of IXFR.
 *
 * An entry maps serial_from -> serial_to and holds, in RFC 1995 order, the
 * SOA before, the removed records, the SOA after and the added records.
 * store_zone_apply writes it in the same write transaction as the change it
 * describes, so a reader sees whole entries or none, and the newest entry
 * always ends at the zone's current serial. Entries are keyed by zone id and
 * a sequence number, not by serial: serials wrap (RFC 1982) and sequence
 * order is the order of the changes. Each entry's serial_from is the
 * serial_to of the one before.
 *
 * The journal of a zone is bounded by entries and by bytes (the zone's
 * journal_max_entries / journal_max_bytes; defaults 1000 and 16 MiB): the
 * oldest entries are dropped in the transaction that appends. An entry
 * larger than the byte bound by itself empties the journal, and a zone
 * import empties it too; a secondary older than the journal then needs a
 * full transfer (AXFR).
 */
#pragma once

#include "storage/store.h"
#include "zone/err.h"
#include <stddef.h>
#include <stdint.h>

typedef struct journal_iter journal_iter_t; /* opaque */

/* The section a record of an entry belongs to (RFC 1995 4). */
typedef enum journal_part {
	JOURNAL_SOA_BEFORE,
	JOURNAL_REMOVED,
	JOURNAL_SOA_AFTER,
	JOURNAL_ADDED,
} journal_part_t;

/* The entry the iterator is at. */
typedef struct journal_entry {
	uint32_t serial_from;
	uint32_t serial_to;
	uint32_t removed_count; /* records in JOURNAL_REMOVED */
	uint32_t added_count;   /* records in JOURNAL_ADDED */
	size_t len;             /* stored size in bytes */
} journal_entry_t;

/* Opens an iterator over the entries of zone `apex` (wire form, borrowed)
 * from the one whose serial_from is `serial` to the newest. When `serial`
 * is the zone's current serial the iterator has no entry (the secondary is
 * up to date). On SN_OK *out is owned by the caller (journal_iter_free,
 * before the transaction ends). Any thread, in a read or write txn.
 * Returns SN_OK, SN_ENOTFOUND (no such zone, or `serial` is not kept: older
 * than the journal, or unknown), SN_EINVAL, SN_ENOMEM, SN_ESTORE. */
SN_MUSTCHECK int journal_iter_new(store_txn_t *txn, const uint8_t *apex, uint32_t serial,
                                  journal_iter_t **out);

/* Moves to the next entry (the first call gives the entry that starts at
 * `serial`) and describes it in *e. Returns SN_OK, SN_ENOTFOUND past the
 * newest, SN_ESTORE (corrupt entry or broken serial chain). */
SN_MUSTCHECK int journal_iter_next(journal_iter_t *it, journal_entry_t *e);

/* Gives the next record of the current entry in IXFR order with the part
 * it belongs to. Pointers in *rr stay valid until the transaction ends.
 * Returns SN_OK, SN_ENOTFOUND after the last record of the entry,
 * SN_EINVAL (no current entry), SN_ESTORE (corrupt entry). */
SN_MUSTCHECK int journal_iter_rr(journal_iter_t *it, store_rr_t *rr, journal_part_t *part);

void journal_iter_free(journal_iter_t *it); /* NULL is fine */
