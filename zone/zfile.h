/* SPDX-License-Identifier: MIT
 * zfile.h - the zone-file parser (RFC 1035 5.1, RFC 2308 $TTL, BIND $GENERATE).
 *
 * The parser streams: it reads the file through a fixed buffer, cuts each
 * logical record into tokens (joining parenthesised lines), turns it into
 * wire form and hands it to a callback. It keeps nothing per record, so its
 * memory does not grow with the file; the caller decides what to keep.
 *
 * Every problem is reported as `file:line:col: message` through the message
 * callback, and parsing goes on with the next record so that all errors in a
 * file are seen at once (up to max_errors). A file with any error is failed
 * as a whole: the caller must drop what it received.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "zone/err.h"

/* One record, valid only during the callback. */
typedef struct zfile_rr {
	const uint8_t *owner; /* uncompressed wire form, case as written */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata; /* uncompressed wire form */
	const char *file;     /* where the record starts */
	uint32_t line;
	uint32_t col;
} zfile_rr_t;

typedef enum zfile_sev {
	ZFILE_WARNING,
	ZFILE_ERROR,
} zfile_sev_t;

/* Called for each record. Returning anything but SN_OK stops the parse and
 * zfile_parse returns that value. */
typedef int (*zfile_rr_cb)(void *ctx, const zfile_rr_t *rr);

/* Called for each warning and error; `msg` is the bare message ("bad IPv4
 * address"), `file`/`line`/`col` say where. When NULL, messages are printed
 * to stderr as "file:line:col: error: msg". */
typedef void (*zfile_msg_cb)(void *ctx, zfile_sev_t sev, const char *file, uint32_t line,
			     uint32_t col, const char *msg);

typedef struct zfile_opts {
	const uint8_t *origin; /* the zone apex, wire form; required */
	uint16_t rclass;       /* class of the zone; 0 means IN */
	uint32_t default_ttl;  /* used before any $TTL or SOA; 0 means 3600 */
	unsigned max_errors;   /* stop after this many errors; 0 means 100 */
	unsigned max_include_depth; /* $INCLUDE nesting; 0 means 16 */
	bool allow_include;    /* honour $INCLUDE (off for untrusted input) */
	zfile_rr_cb on_rr;
	zfile_msg_cb on_msg;
	void *ctx; /* passed to both callbacks */
} zfile_opts_t;

typedef struct zfile_stats {
	uint64_t records;  /* records handed to on_rr */
	unsigned errors;
	unsigned warnings;
	uint64_t lines;
} zfile_stats_t;

/* Parses the zone file at `path`. $INCLUDE paths are relative to the
 * directory of the including file. Fills *stats (may be NULL) in any case.
 * Returns SN_OK when the file had no error; SN_EPARSE when it had errors
 * (all reported); SN_EIO when it cannot be read (reported); or the value an
 * on_rr callback returned. Any thread; one parse per opts. */
SN_MUSTCHECK int zfile_parse(const char *path, const zfile_opts_t *opts, zfile_stats_t *stats);

/* Same for an in-memory text; `name` is used in messages. $INCLUDE is
 * relative to the current directory. */
SN_MUSTCHECK int zfile_parse_mem(const char *name, const char *text, size_t len,
				 const zfile_opts_t *opts, zfile_stats_t *stats);

/* Parses a TTL such as "3600", "1h30m" or "2W" (units s, m, h, d, w, any
 * case; RFC 2308 limits the value to 2^31-1). Returns SN_OK or SN_EPARSE /
 * SN_ERANGE. */
SN_MUSTCHECK int zfile_parse_ttl(const char *s, size_t len, uint32_t *out);
