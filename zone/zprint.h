/* SPDX-License-Identifier: MIT
 * zprint.h - a zone in canonical presentation form, one record per line.
 *
 * Each line is `owner<TAB>TTL<TAB>CLASS<TAB>TYPE<TAB>rdata`, names absolute,
 * RDATA as rdata_to_text writes it, in the order of the list (canonical
 * order once rrlist_sort ran). It is the form named-checkzone -D writes,
 * with single tabs instead of padding, so the two compare field by field.
 * An owner is printed in the case of the first record of that name that was
 * added (named keeps the case of the first occurrence too).
 */
#pragma once

#include <stddef.h>
#include <stdio.h>
#include "zone/dname.h"
#include "zone/err.h"
#include "zone/rrlist.h"

/* Longest line zprint_rr can write: the owner, the fixed fields and the
 * presentation form of 65535 octets of RDATA (at most 4 characters an
 * octet, as \DDD), plus the newline and NUL. */
#define ZPRINT_LINE_MAX (DNAME_MAXTEXT + 64 + 4 * 65535 + 2048)

/* Formats the record `rr`, printing `owner` (wire form) as its owner,
 * as one line ending in '\n', NUL-terminated, into `buf` (`cap` octets).
 * Returns the length without the NUL, SN_ENOSPC, or SN_EPARSE when the
 * RDATA is malformed. Any thread. */
int zprint_rr(const rrlist_rr_t *rr, const uint8_t *owner, char *buf, size_t cap);

/* Writes every record of `l` to `f` through an internal buffer of about a
 * megabyte (allocated and freed here). Borrows both.
 * Returns SN_OK, SN_ENOMEM, SN_EIO when writing fails, or SN_EPARSE when a
 * record's RDATA cannot be printed. */
SN_MUSTCHECK int zprint_list(const rrlist_t *l, FILE *f);
