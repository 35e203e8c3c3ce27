/* SPDX-License-Identifier: MIT
 * query.h - the query engine: (zones, query bytes) -> response bytes.
 *
 * query_answer is a pure function of the published state and the query: it
 * allocates nothing, makes no system calls, takes no locks, and writes the
 * response into the caller's buffer. It implements RFC 1034 4.3.2 with RFC
 * 2181, CNAME and DNAME (RFC 6672) chains inside the zones served, wildcards
 * (RFC 4592), referrals with glue, negative answers with the SOA (RFC 2308),
 * RFC 8482 for ANY, EDNS(0) (RFC 6891) with NSID (RFC 5001), and
 * truncation for UDP. With DO set, answers from signed zones carry the
 * RRSIGs of their RRsets and the NSEC or NSEC3 records that prove
 * NXDOMAIN, NODATA, wildcard expansions and the absence of DS at a cut
 * (RFC 4035 3.1, RFC 5155 7.2), or TC when those do not fit; without DO an
 * answer holds no DNSSEC record the query did not ask for.
 */
#pragma once

#include "conf/conf.h"
#include "server/zonetab.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* What the workers answer from: published as one RCU pointer, so a reload
 * switches zones and configuration together. */
typedef struct query_view {
	const conf_t *conf;
	zonetab_t *zones;
} query_view_t;

#define QUERY_RCODE_MAX 24

/* Per-worker counters, on cache lines of their own. */
typedef struct query_stats {
	uint64_t udp;
	uint64_t tcp;
	uint64_t dropped;   /* not answered: no header, or a response */
	uint64_t truncated; /* TC set */
	uint64_t rcode[QUERY_RCODE_MAX];
} __attribute__((aligned(64))) query_stats_t;

/* Answers `q` (`qlen` octets) into `resp` (room for `cap`; at least 512).
 * `tcp` selects the size limit (65535, else the EDNS or 512-octet UDP
 * limit). Returns the response length, or 0 when nothing must be sent.
 * Any thread, inside an RCU read-side section; `view` stays valid for it. */
size_t query_answer(const query_view_t *view, const uint8_t *q, size_t qlen, uint8_t *resp,
                    size_t cap, const struct sockaddr *from, bool tcp, query_stats_t *stats);

/* What a query asks, as query_parse finds it (for the transfer code). */
typedef struct query_info {
	uint16_t id;
	uint16_t flags;
	uint16_t qtype;
	uint16_t qclass;
	size_t qname_len;
	size_t question_end; /* offset just past the question */
	uint8_t qname[DNAME_MAXLEN];
} query_info_t;

/* Parses the header and question of a query. Returns SN_OK or SN_EPARSE. */
SN_MUSTCHECK int query_parse_question(const uint8_t *q, size_t qlen, query_info_t *out);
