/* SPDX-License-Identifier: MIT
 * dsquery.h - asking a parent's servers for a zone's DS RRset: the KSK
 * submission check (RFC 7583 3.3.2, knot.conf's submission.parent).
 *
 * A new KSK waits until every configured parent server serves its DS; then
 * the rollover goes on by itself, with no `signetc zone-ksk-submitted`.
 * The question is a plain DS query over UDP (over TCP when truncated); the
 * answer is read strictly and only DS records owned by the zone's apex in
 * the answer section count.
 */
#pragma once

#include "zone/err.h"
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DSQUERY_MAX 16 /* DS records taken from one answer */

typedef struct dsquery_ds {
	uint16_t len;
	uint8_t rdata[4 + 64]; /* key tag, algorithm, digest type, digest */
} dsquery_ds_t;

/* Writes the DS query for `apex` (wire form) with message id `id` to `out`
 * (`cap` octets, 512 is plenty); gives its length in *len. Returns SN_OK or
 * SN_ENOSPC. */
SN_MUSTCHECK int dsquery_build(const uint8_t *apex, uint16_t id, uint8_t *out, size_t cap,
			       size_t *len);

/* Reads the response `msg` (`len` octets) to the query of dsquery_build for
 * `apex` with id `id`: copies up to DSQUERY_MAX DS RDATAs owned by the apex
 * from the answer section to `out` and their number to *n. Returns SN_OK (a
 * NOERROR answer, possibly with no DS); SN_EIO for an RCODE other than
 * NOERROR, or TC set (*n is then 0); SN_EPARSE for anything malformed or
 * not an answer to that question. Pure; any thread. */
SN_MUSTCHECK int dsquery_parse(const uint8_t *msg, size_t len, const uint8_t *apex, uint16_t id,
			       dsquery_ds_t out[DSQUERY_MAX], size_t *n);

/* Asks the server at `addr` for the DS of `apex`, waiting `timeout_ms` at
 * most (UDP, then TCP when the answer is truncated). Returns as
 * dsquery_parse, and SN_EIO when the server cannot be reached in time.
 * Blocks; the daemon's main thread. */
SN_MUSTCHECK int dsquery_ask(const struct sockaddr *addr, socklen_t addrlen, const uint8_t *apex,
			     int timeout_ms, dsquery_ds_t out[DSQUERY_MAX], size_t *n);
