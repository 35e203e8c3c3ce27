/* SPDX-License-Identifier: MIT
 * udp.h - UDP workers: one SO_REUSEPORT socket per thread, batched I/O.
 *
 * Each worker owns its socket (the kernel spreads flows over the sockets of
 * one address), receives a batch with recvmmsg, answers each query through
 * the answer function, and sends the batch with sendmmsg from the address the
 * query came to (IP_PKTINFO / IPV6_RECVPKTINFO), so a server bound to a
 * wildcard address still answers from the right one (a socket bound to one
 * address needs no packet info and gets none: it costs per packet). A worker is an RCU
 * (QSBR) reader: it is online only while answering a batch and offline while
 * it blocks in recvmmsg.
 */
#pragma once

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "zone/err.h"

#define UDP_BATCH 64
#define UDP_MAX_QUERY 65535
#define UDP_MAX_RESPONSE 65535

/* Answers the query `q` (`qlen` octets) from `from` into `resp` (room for
 * `cap` octets). Returns the response length, or 0 to send nothing.
 * Runs on the worker's thread, inside an RCU read-side section. */
typedef size_t (*udp_answer_fn)(void *ctx, const uint8_t *q, size_t qlen, uint8_t *resp,
				size_t cap, const struct sockaddr *from);

/* Opens a UDP socket bound to `addr` with SO_REUSEPORT and the packet-info
 * options set. Returns the descriptor, or SN_EIO (errno kept). */
int udp_socket_open(const struct sockaddr *addr, socklen_t addrlen);

typedef struct udp_worker udp_worker_t; /* opaque */

/* Creates a worker over `fd` (borrowed: the caller closes it after the
 * worker stopped). `ctx` is passed to `answer`. */
SN_MUSTCHECK int udp_worker_new(int fd, udp_answer_fn answer, void *ctx, udp_worker_t **out);
void udp_worker_free(udp_worker_t *w); /* NULL is fine */

/* The worker loop: registers the thread with RCU, serves until `*stop` is
 * set, unregisters. Wakes up at least every 200 ms to look at `stop`.
 * Worker thread only. */
void udp_worker_run(udp_worker_t *w, atomic_bool *stop);
