/* SPDX-License-Identifier: MIT
 * zcheck.h - the semantic checks a zone must pass before it is served.
 *
 * The checks follow named-checkzone (BIND 9.18): what it refuses is an
 * error here, what it only logs is a warning. A primary's zone must also
 * load on Knot and NSD secondaries, so what kzonecheck or nsd-checkzone
 * refuse is an error too: a name below a DNAME, or NS beside a DNAME (RFC
 * 6672 2.3); a delegation's NS target inside the zone with no address,
 * below the delegation (glue, RFC 1034 4.2.1) or authoritative; out-of-zone
 * data; a record of another class; a SOA record written twice.
 *
 * Errors: no SOA, or several, or one not at the apex; no NS at the apex;
 * an apex NS target inside the zone with no address record or that is a
 * CNAME; a CNAME beside other data (RRSIG, NSEC and KEY excepted: RFC 2181
 * 10.1, RFC 4035 2.5), or several CNAMEs or DNAMEs at one name; a DS at
 * the apex; an NS RRset owned by a wildcard (RFC 4592 4.2); a record of
 * type 0 or of a meta type (RFC 6895 3.1); the ones above.
 * Warnings: TTLs that differ inside one RRset (all set to the TTL of the
 * record that came first in the file, as named does: RFC 2181 5.2); data
 * occluded by a delegation; NS targets below another delegation without
 * glue (sibling glue); in-zone MX and SRV targets that are CNAMEs or have
 * no address; a '*' label that is not the leftmost one.
 * Duplicate records were already dropped silently by rrlist_sort.
 *
 * Every problem is reported through the message callback, up to a cap;
 * counting goes on past it. The pass is linear over the sorted list, plus
 * binary searches for the targets of NS, MX and SRV records.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "zone/err.h"
#include "zone/rrlist.h"
#include "zone/zfile.h"

typedef struct zcheck_opts {
	const uint8_t *origin; /* the zone apex, wire form; required */
	uint16_t rclass;       /* class of the zone; 0 means IN */
	unsigned max_msgs;     /* messages passed to on_msg; 0 means 100 */
	const char *file;      /* named in messages about no record (a missing
				  SOA); NULL means "zone" */
	zfile_msg_cb on_msg;   /* NULL: "file:line:col: error: msg" on stderr */
	void *ctx;
} zcheck_opts_t;

typedef struct zcheck_stats {
	unsigned errors;
	unsigned warnings;
	unsigned suppressed; /* messages past max_msgs, not passed to on_msg */
	size_t ttl_fixed;    /* records whose TTL was set to their RRset's */
} zcheck_stats_t;

/* Checks the zone in `l`, which must be sorted (rrlist_sort). Modifies the
 * list only to make each RRset's TTLs agree. Messages
 * about a record carry its file, line and column; the others line 0.
 * Fills *stats (may be NULL) in any case.
 * Returns SN_OK (warnings allowed), SN_ECHECK if any error was found, or
 * SN_EINVAL when `l` is not sorted or origin is NULL. One thread per list. */
SN_MUSTCHECK int zcheck_run(rrlist_t *l, const zcheck_opts_t *opts, zcheck_stats_t *stats);
