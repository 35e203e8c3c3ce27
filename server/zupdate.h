/* SPDX-License-Identifier: MIT
 * zupdate.h - a change to one zone written as text: `signetc zone-update`.
 *
 * A hosting provider's control panel changes records one by one, far more
 * often than it rewrites zone files. This turns a few lines of change into
 * the records to remove and add, checked against the zone as it is served,
 * so the daemon can commit them like a reload diff without reading the
 * zone file (RFC 2136 3.4.2 semantics, as knotc zone-set/zone-unset).
 *
 * One change a line; blank lines and lines starting with ';' are skipped:
 *	add RR            the record, written as in a zone file with an
 *	                  explicit owner (relative to the zone, "@" for the
 *	                  apex); without a TTL it takes that of the RRset it
 *	                  joins, else that of the SOA
 *	del RR            that record (owner, type and RDATA; a TTL is ignored)
 *	del OWNER TYPE    the RRset
 *	del OWNER         every RRset of the name (at the apex: all but the SOA
 *	                  and NS, RFC 2136 3.4.2.3)
 * Lines apply in order, so "del www A" then "add www A 192.0.2.1" replaces
 * the RRset. A record added with another TTL than its RRset's gives the
 * whole RRset that TTL (RFC 2181 5.2). Adding a record present already and
 * deleting an absent one change nothing (RFC 2136 3.4.2.2/3.4.2.4).
 * "add @ SOA ..." replaces the SOA fields, not its serial: the daemon sets
 * the serial by the zone's serial policy. Refused, with the line number:
 * names outside the zone, deleting the SOA or the apex NS RRset, DNSSEC
 * records (the signer's), meta types, CNAME beside other data or twice, and
 * more than one DNAME at a name.
 */
#pragma once

#include "zone/err.h"
#include "zone/rrlist.h"
#include "zone/snap.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZUPDATE_ERRLEN 256
#define ZUPDATE_MAX_LINES 10000

typedef struct zupdate {
	rrlist_t *removed; /* sorted; records as stored (their TTL) */
	rrlist_t *added;   /* sorted */
	bool soa_changed;  /* "add @ SOA": soa_rdata holds the new fields */
	uint16_t soa_rdlen;
	uint32_t soa_ttl;
	uint8_t soa_rdata[512];
} zupdate_t;

/* Reads the change `text` (`len` octets) for the zone `cur` serves and
 * fills *out (free with zupdate_free), only on success. Nothing in the
 * result touches the apex SOA but soa_changed. Returns SN_OK (the lists may
 * be empty: nothing changes); SN_EPARSE or SN_EINVAL with "line N: why" in
 * `err` for a line that cannot be read or is refused; SN_ERANGE for more
 * than ZUPDATE_MAX_LINES changes; SN_ENOMEM. The zone's writer. */
SN_MUSTCHECK int zupdate_build(const snap_t *cur, const char *text, size_t len, zupdate_t *out,
			       char err[ZUPDATE_ERRLEN]);

void zupdate_free(zupdate_t *u); /* the lists; NULL is fine */

/* True when the change leaves the zone as it is. */
bool zupdate_is_empty(const zupdate_t *u);
