/* SPDX-License-Identifier: MIT
 * zonetab.h - the table of served zones and their current snapshots.
 *
 * A zone_t lives as long as the zone is configured; its `snap` pointer is an
 * RCU pointer that a writer replaces (zone_publish) while readers keep
 * answering from whichever snapshot they loaded. The table itself is
 * immutable: adding or removing a zone builds a new table, published the
 * same way. Readers find the most specific zone for a name with one hash
 * probe per label.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "conf/conf.h"
#include "zone/dname.h"
#include "zone/snap.h"

typedef struct zone {
	uint8_t apex[DNAME_MAXLEN]; /* lower-case wire form */
	size_t apex_len;
	char *name;               /* presentation, for logs (heap: a zone is small) */
	snap_t *snap;             /* RCU pointer: rcu_dereference to read; NULL until loaded */
	const conf_zone_t *conf;  /* RCU-protected with the conf snapshot */
} zone_t;

typedef struct zonetab zonetab_t;

/* Builds a table over `zones[0..n)` (borrowed: they must outlive the
 * table). Returns SN_OK, SN_ENOMEM, or SN_EEXIST for a repeated apex. */
SN_MUSTCHECK int zonetab_new(zone_t *const *zones, size_t n, zonetab_t **out);
void zonetab_free(zonetab_t *t); /* frees the table, not the zones */

/* The zone whose apex is `name` or its closest ancestor, or NULL. `name`
 * is wire form, any case. Any thread, RCU reader; allocates nothing. */
zone_t *zonetab_find(const zonetab_t *t, const uint8_t *name);

/* The zone with apex exactly `apex`, or NULL. */
zone_t *zonetab_get(const zonetab_t *t, const uint8_t *apex);

size_t zonetab_count(const zonetab_t *t);
zone_t *zonetab_at(const zonetab_t *t, size_t i);

/* Publishes `snap` as the zone's current snapshot and returns the one it
 * replaced (free it after a grace period: zone_retire). Writer of the zone
 * only. */
snap_t *zone_publish(zone_t *z, snap_t *snap);

/* Frees `old` after an RCU grace period, without waiting (call_rcu). */
void zone_retire(snap_t *old);
