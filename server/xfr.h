/* SPDX-License-Identifier: MIT
 * xfr.h - zone transfers out: AXFR (RFC 5936) over TCP.
 *
 * A transfer holds a reference on the snapshot it started from, so it
 * sends one consistent version of the zone however slowly the client
 * reads, while newer versions are published beside it. IXFR queries get
 * the whole zone in AXFR form (RFC 1995 4 allows it) until the journal
 * exists.
 */
#pragma once

#include <stdbool.h>
#include "server/query.h"
#include "server/tcp.h"

/* True if the query in `tq` asks for a transfer (AXFR or IXFR). */
bool xfr_is_transfer(const tcp_query_t *tq);

/* A tcp_answer_fn body for transfer queries: checks the zone's ACL, then
 * writes the zone message by message. `view` is the current published view.
 * Runs on a TCP worker, inside an RCU read-side section. */
size_t xfr_answer(const query_view_t *view, tcp_query_t *tq, uint8_t *resp, size_t cap, bool *more,
		  query_stats_t *stats);
