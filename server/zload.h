/* SPDX-License-Identifier: MIT
 * zload.h - from a zone file to a snapshot: parse, sort, check, build.
 *
 * The whole pipeline either yields a snapshot or nothing: a zone with any
 * error is refused whole, its errors logged as file:line:col, and the
 * caller keeps serving what it had.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "zone/err.h"
#include "zone/rrlist.h"
#include "zone/snap.h"

/* Loads the zone `apex` from the file `path`, or from `text` (`len`
 * octets, named `path` in messages) when `text` is not NULL. Logs every
 * problem with `zone_name` as prefix. On SN_OK *out is a new snapshot owned
 * by the caller. Returns SN_OK, SN_EIO, SN_EPARSE, SN_ECHECK or SN_ENOMEM.
 * Any thread (the zone's writer). */
SN_MUSTCHECK int zload(const uint8_t *apex, const char *zone_name, const char *path,
		       const char *text, size_t len, snap_t **out);

/* The first half of zload: parse and check, giving the sorted, checked
 * record list (owned by the caller: rrlist_free) instead of a snapshot. */
SN_MUSTCHECK int zload_parse(const uint8_t *apex, const char *zone_name, const char *path,
			     const char *text, size_t len, rrlist_t **out);
