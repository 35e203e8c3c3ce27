/* SPDX-License-Identifier: MIT
 * tcp.h - TCP workers (RFC 7766): epoll, 2-octet framing, pipelining.
 *
 * Each worker owns one SO_REUSEPORT listening socket per address and an
 * epoll set. Queries on a connection are answered in order; a query whose
 * answer spans several messages (AXFR) is driven to its end before the next
 * query of that connection is read, and only as fast as the client reads
 * (the worker never buffers a whole transfer). Idle connections are closed
 * after the idle timeout; past the connection limit new ones are refused.
 * Workers are RCU (QSBR) readers, offline while they wait in epoll.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "zone/err.h"

#define TCP_MAX_MESSAGE 65535

/* The state of one query while it is answered. `state` is zeroed for each
 * new query and belongs to the answer function between its calls. */
typedef struct tcp_query {
	const uint8_t *q;
	size_t qlen;
	const struct sockaddr *from;
	uint64_t state[8];
} tcp_query_t;

/* Writes the next response message for `tq` into `resp` (room for `cap`)
 * and returns its length (0: nothing to send; the connection is closed if
 * nothing was sent for this query at all). Sets *more when another message
 * follows. Called with `resp` NULL when the connection goes away before the
 * last message, so the function can release what `state` holds.
 * Runs on the worker's thread, inside an RCU read-side section. */
typedef size_t (*tcp_answer_fn)(void *ctx, tcp_query_t *tq, uint8_t *resp, size_t cap, bool *more);

/* Opens a listening TCP socket on `addr` with SO_REUSEPORT, non-blocking.
 * Returns the descriptor or SN_EIO (errno kept). */
int tcp_socket_open(const struct sockaddr *addr, socklen_t addrlen);

typedef struct tcp_worker tcp_worker_t;

typedef struct tcp_limits {
	unsigned idle_timeout_ms; /* RFC 7766 6.2.3: close idle connections */
	unsigned max_clients;     /* connections this worker holds at most */
} tcp_limits_t;

/* Creates a worker serving the listening sockets `fds[0..nfd)` (borrowed;
 * closed by the caller after the worker stopped). */
SN_MUSTCHECK int tcp_worker_new(const int *fds, size_t nfd, const tcp_limits_t *limits,
				tcp_answer_fn answer, void *ctx, tcp_worker_t **out);
void tcp_worker_free(tcp_worker_t *w); /* NULL is fine; closes its connections */

/* Serves until `*stop` is set. Worker thread only. */
void tcp_worker_run(tcp_worker_t *w, atomic_bool *stop);
