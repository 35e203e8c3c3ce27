/* SPDX-License-Identifier: MIT
 * tcp.c - TCP workers: epoll loop, framing, pipelining, idle and LRU limits.
 *
 * Connections sit on a list in order of last activity, so the idle sweep
 * looks only at the head and a full worker makes room by closing the
 * connection that has been quiet longest (RFC 7766 6.2.3 lets a server close
 * idle connections when it must). Responses to pipelined queries are
 * gathered in one buffer and written together; what the socket does not
 * take waits in a per-connection buffer, and nothing more is read from that
 * connection until it is drained (the client's reading speed is the limit).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include <urcu-qsbr.h>
#include "server/tcp.h"
#include "zone/wire.h"

#define RBUF_SMALL 1024
#define OUTBUF_LEN (2 * (2 + TCP_MAX_MESSAGE))
#define EVENTS_MAX 64

typedef struct conn {
	int fd;
	struct sockaddr_storage peer;
	uint64_t last_ms;
	struct conn *prev, *next; /* activity list, oldest first */
	uint8_t *rbuf;            /* rsmall, or a heap buffer for a large query */
	size_t rcap, rlen;
	bool answering; /* tq holds a query with more messages to come */
	bool closing;
	tcp_query_t tq;
	uint8_t *pend; /* output the socket has not taken yet */
	size_t pend_len, pend_off;
	uint8_t rsmall[RBUF_SMALL];
} conn_t;

/* epoll data for a listening socket points at one of these */
typedef struct listener {
	int fd;
} listener_t;

struct tcp_worker {
	int ep;
	listener_t *listeners;
	size_t nlisten;
	tcp_limits_t lim;
	tcp_answer_fn answer;
	void *ctx;
	conn_t *head, *tail;
	conn_t *dead; /* closed during this batch of events, freed after it */
	size_t nconn;
	uint8_t *out; /* gathered responses: OUTBUF_LEN */
	size_t out_len;
	uint8_t *msg; /* one response message: TCP_MAX_MESSAGE */
};

static uint64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
tcp_socket_open(const struct sockaddr *addr, socklen_t addrlen)
{
	int one = 1;
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return SN_EIO;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
		goto fail;
	}
	if (addr->sa_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) {
		goto fail;
	}
	if (bind(fd, addr, addrlen) != 0 || listen(fd, 1024) != 0) {
		goto fail;
	}
	return fd;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return SN_EIO;
}

int
tcp_worker_new(const int *fds, size_t nfd, const tcp_limits_t *limits, tcp_answer_fn answer,
	       void *ctx, tcp_worker_t **out)
{
	tcp_worker_t *w = calloc(1, sizeof(*w));
	if (w == NULL) {
		return SN_ENOMEM;
	}
	w->ep = -1;
	w->lim = *limits;
	w->answer = answer;
	w->ctx = ctx;
	w->out = malloc(OUTBUF_LEN);
	w->msg = malloc(TCP_MAX_MESSAGE);
	w->listeners = calloc(nfd, sizeof(*w->listeners));
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (w->out == NULL || w->msg == NULL || w->listeners == NULL || w->ep < 0) {
		tcp_worker_free(w);
		return w->ep < 0 ? SN_EIO : SN_ENOMEM;
	}
	for (size_t i = 0; i < nfd; i++) {
		w->listeners[i].fd = fds[i];
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &w->listeners[i]};
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fds[i], &ev) != 0) {
			tcp_worker_free(w);
			return SN_EIO;
		}
		w->nlisten++;
	}
	*out = w;
	return SN_OK;
}

static void
list_unlink(tcp_worker_t *w, conn_t *c)
{
	if (c->prev != NULL) {
		c->prev->next = c->next;
	} else {
		w->head = c->next;
	}
	if (c->next != NULL) {
		c->next->prev = c->prev;
	} else {
		w->tail = c->prev;
	}
	c->prev = c->next = NULL;
}

static void
list_append(tcp_worker_t *w, conn_t *c)
{
	c->prev = w->tail;
	c->next = NULL;
	if (w->tail != NULL) {
		w->tail->next = c;
	} else {
		w->head = c;
	}
	w->tail = c;
}

static void
conn_close(tcp_worker_t *w, conn_t *c)
{
	if (c->answering) {
		bool more;
		w->answer(w->ctx, &c->tq, NULL, 0, &more); /* let it release its state */
	}
	list_unlink(w, c);
	close(c->fd); /* also removes it from the epoll set */
	c->closing = true;
	/* a later event of this same batch may still name it: free it after */
	c->next = w->dead;
	w->dead = c;
	w->nconn--;
}

static void
free_dead(tcp_worker_t *w)
{
	while (w->dead != NULL) {
		conn_t *c = w->dead;
		w->dead = c->next;
		if (c->rbuf != c->rsmall) {
			free(c->rbuf);
		}
		free(c->pend);
		free(c);
	}
}

void
tcp_worker_free(tcp_worker_t *w)
{
	if (w == NULL) {
		return;
	}
	while (w->head != NULL) {
		conn_close(w, w->head);
	}
	free_dead(w);
	if (w->ep >= 0) {
		close(w->ep);
	}
	free(w->listeners);
	free(w->out);
	free(w->msg);
	free(w);
}

static void
touch(tcp_worker_t *w, conn_t *c)
{
	c->last_ms = now_ms();
	if (w->tail != c) {
		list_unlink(w, c);
		list_append(w, c);
	}
}

static void
accept_all(tcp_worker_t *w, int lfd)
{
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			return; /* EAGAIN, or a transient error (EMFILE...): try again later */
		}
		if (w->nconn >= w->lim.max_clients && w->head != NULL) {
			conn_close(w, w->head); /* the one quiet for longest makes room */
		}
		conn_t *c = malloc(sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		memset(c, 0, offsetof(conn_t, rsmall));
		c->fd = fd;
		c->peer = peer;
		c->rbuf = c->rsmall;
		c->rcap = RBUF_SMALL;
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			free(c);
			continue;
		}
		w->nconn++;
		c->last_ms = now_ms();
		list_append(w, c);
	}
}

/* Writes `len` octets, keeping what the socket does not take in c->pend.
 * Returns false when the connection failed. */
static bool
conn_send(conn_t *c, const uint8_t *p, size_t len)
{
	if (c->pend_len > c->pend_off) {
		/* already waiting: queue behind what is pending */
		size_t keep = c->pend_len - c->pend_off;
		uint8_t *n = malloc(keep + len);
		if (n == NULL) {
			return false;
		}
		memcpy(n, c->pend + c->pend_off, keep);
		memcpy(n + keep, p, len);
		free(c->pend);
		c->pend = n;
		c->pend_off = 0;
		c->pend_len = keep + len;
		return true;
	}
	while (len > 0) {
		ssize_t r = send(c->fd, p, len, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				return false;
			}
			break;
		}
		p += r;
		len -= (size_t)r;
	}
	if (len > 0) {
		free(c->pend);
		c->pend = malloc(len);
		if (c->pend == NULL) {
			return false;
		}
		memcpy(c->pend, p, len);
		c->pend_off = 0;
		c->pend_len = len;
	}
	return true;
}

static bool
flush_out(tcp_worker_t *w, conn_t *c)
{
	bool ok = true;
	if (w->out_len > 0) {
		ok = conn_send(c, w->out, w->out_len);
		w->out_len = 0;
	}
	return ok;
}

static bool
has_pending(const conn_t *c)
{
	return c->pend_len > c->pend_off;
}

/* Drives the current query: gathers its messages until it is done or the
 * socket is backed up. Returns false when the connection must close. */
static bool
answer_query(tcp_worker_t *w, conn_t *c)
{
	bool sent_any = c->answering; /* a continued query already sent something */
	for (;;) {
		bool more = false;
		size_t len = w->answer(w->ctx, &c->tq, w->msg, TCP_MAX_MESSAGE, &more);
		if (len > 0) {
			if (OUTBUF_LEN - w->out_len < len + 2 && !flush_out(w, c)) {
				return false;
			}
			wire_write_u16(w->out + w->out_len, (uint16_t)len);
			memcpy(w->out + w->out_len + 2, w->msg, len);
			w->out_len += len + 2;
			sent_any = true;
		}
		c->answering = more;
		if (!more) {
			return sent_any;
		}
		if (w->out_len > OUTBUF_LEN / 2) {
			if (!flush_out(w, c)) {
				return false;
			}
			if (has_pending(c)) {
				return true; /* continue when the socket drains */
			}
		}
	}
}

/* Answers every complete query in the read buffer, in order. */
static bool
process_queries(tcp_worker_t *w, conn_t *c)
{
	size_t off = 0;
	bool ok = true;
	while (ok && !c->answering && !has_pending(c) && c->rlen - off >= 2) {
		size_t qlen = wire_read_u16(c->rbuf + off);
		if (qlen == 0) {
			ok = false; /* a zero-length message is no DNS message */
			break;
		}
		if (c->rlen - off - 2 < qlen) {
			break;
		}
		memset(&c->tq, 0, sizeof(c->tq));
		c->tq.q = c->rbuf + off + 2;
		c->tq.qlen = qlen;
		c->tq.from = (const struct sockaddr *)&c->peer;
		ok = answer_query(w, c);
		/* tq.q stays valid while answering: the buffer only moves below,
		 * and only when the query is done */
		if (!c->answering) {
			off += 2 + qlen;
		}
		if (ok && !c->answering && w->out_len > OUTBUF_LEN / 2) {
			ok = flush_out(w, c);
		}
	}
	if (ok) {
		ok = flush_out(w, c);
	}
	if (off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
		if (c->answering) {
			c->tq.q -= off;
		}
	}
	return ok;
}

static void
set_events(tcp_worker_t *w, conn_t *c)
{
	/* while output waits, stop reading: backpressure on the client */
	uint32_t ev = has_pending(c) ? EPOLLOUT : EPOLLIN | EPOLLRDHUP;
	struct epoll_event e = {.events = ev, .data.ptr = c};
	epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &e);
}

static void
on_readable(tcp_worker_t *w, conn_t *c)
{
	bool eof = false;
	for (;;) {
		if (c->rlen == c->rcap) {
			/* a query larger than the small buffer: grow once to the max */
			if (c->rbuf != c->rsmall) {
				break;
			}
			uint8_t *big = malloc(2 + TCP_MAX_MESSAGE);
			if (big == NULL) {
				conn_close(w, c);
				return;
			}
			memcpy(big, c->rbuf, c->rlen);
			c->rbuf = big;
			c->rcap = 2 + TCP_MAX_MESSAGE;
		}
		size_t room = c->rcap - c->rlen;
		ssize_t r = recv(c->fd, c->rbuf + c->rlen, room, 0);
		if (r == 0) {
			eof = true; /* answer what was read, then close */
			break;
		}
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				break;
			}
			conn_close(w, c);
			return;
		}
		c->rlen += (size_t)r;
		if ((size_t)r < room) {
			break; /* the socket had less than we asked for: drained */
		}
	}
	touch(w, c);
	if (!process_queries(w, c) || eof) {
		conn_close(w, c);
		return;
	}
	set_events(w, c);
}

static void
on_writable(tcp_worker_t *w, conn_t *c)
{
	while (has_pending(c)) {
		ssize_t r = send(c->fd, c->pend + c->pend_off, c->pend_len - c->pend_off, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				return;
			}
			conn_close(w, c);
			return;
		}
		c->pend_off += (size_t)r;
	}
	free(c->pend);
	c->pend = NULL;
	c->pend_len = c->pend_off = 0;
	touch(w, c);
	bool ok = true;
	if (c->answering) {
		ok = answer_query(w, c) && flush_out(w, c);
	}
	if (ok) {
		ok = process_queries(w, c);
	}
	if (!ok) {
		conn_close(w, c);
		return;
	}
	set_events(w, c);
}

static void
sweep_idle(tcp_worker_t *w)
{
	uint64_t now = now_ms();
	while (w->head != NULL && w->head->last_ms + w->lim.idle_timeout_ms <= now) {
		conn_close(w, w->head);
	}
}

void
tcp_worker_run(tcp_worker_t *w, atomic_bool *stop)
{
	struct epoll_event evs[EVENTS_MAX];

	rcu_register_thread();
	rcu_thread_offline();
	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		int n = epoll_wait(w->ep, evs, EVENTS_MAX, 200);
		rcu_thread_online();
		for (int i = 0; i < n; i++) {
			uintptr_t p = (uintptr_t)evs[i].data.ptr;
			if (p >= (uintptr_t)w->listeners &&
			    p < (uintptr_t)(w->listeners + w->nlisten)) {
				accept_all(w, ((listener_t *)evs[i].data.ptr)->fd);
				continue;
			}
			conn_t *c = evs[i].data.ptr;
			if (c->closing) {
				continue;
			}
			if (evs[i].events & EPOLLOUT) {
				on_writable(w, c);
			} else if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
				on_readable(w, c);
			}
		}
		sweep_idle(w);
		free_dead(w);
		rcu_thread_offline();
	}
	while (w->head != NULL) {
		conn_close(w, w->head);
	}
	free_dead(w);
	rcu_thread_online();
	rcu_unregister_thread();
}
