/* SPDX-License-Identifier: MIT
 * udp.c - batched UDP workers.
 *
 * Buffers for a whole batch are allocated once when the worker is made; the
 * loop itself allocates nothing. The reply to message i of a batch goes out
 * in slot i with the destination address of the query as its source.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <urcu-qsbr.h>
#include "server/udp.h"

/* Room for IP_PKTINFO or IPV6_PKTINFO ancillary data. */
#define CMSG_ROOM                                                                                  \
	(CMSG_SPACE(sizeof(struct in6_pktinfo)) > CMSG_SPACE(sizeof(struct in_pktinfo))           \
		 ? CMSG_SPACE(sizeof(struct in6_pktinfo))                                          \
		 : CMSG_SPACE(sizeof(struct in_pktinfo)))

typedef struct slot {
	struct sockaddr_storage from;
	struct iovec in_iov;
	struct iovec out_iov;
	union {
		char buf[CMSG_ROOM];
		struct cmsghdr align;
	} in_cmsg, out_cmsg;
} slot_t;

struct udp_worker {
	int fd;
	bool pktinfo; /* bound to a wildcard address: replies need a source */
	udp_answer_fn answer;
	void *ctx;
	struct mmsghdr in[UDP_BATCH];
	struct mmsghdr out[UDP_BATCH];
	slot_t slots[UDP_BATCH];
	uint8_t *inbuf;  /* UDP_BATCH x UDP_MAX_QUERY */
	uint8_t *outbuf; /* UDP_BATCH x UDP_MAX_RESPONSE */
};

/* True for 0.0.0.0 and ::, where the kernel would pick a reply's source
 * address itself and might pick another than the query went to. */
static bool
is_wildcard(const struct sockaddr *addr)
{
	if (addr->sa_family == AF_INET) {
		return ((const struct sockaddr_in *)addr)->sin_addr.s_addr == htonl(INADDR_ANY);
	}
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)addr)->sin6_addr);
}

int
udp_socket_open(const struct sockaddr *addr, socklen_t addrlen)
{
	int one = 1;
	/* packet info costs a control message per packet: only where needed */
	int info = is_wildcard(addr) ? 1 : 0;
	int fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return SN_EIO;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
		goto fail;
	}
	if (addr->sa_family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &info, sizeof(info)) != 0) {
			goto fail;
		}
	} else {
		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &info, sizeof(info)) != 0) {
			goto fail;
		}
	}
	/* Wake up now and then so the loop can see a stop request. */
	struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
		goto fail;
	}
	if (bind(fd, addr, addrlen) != 0) {
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
udp_worker_new(int fd, udp_answer_fn answer, void *ctx, udp_worker_t **out)
{
	udp_worker_t *w = calloc(1, sizeof(*w));
	if (w == NULL) {
		return SN_ENOMEM;
	}
	w->inbuf = malloc((size_t)UDP_BATCH * UDP_MAX_QUERY);
	w->outbuf = malloc((size_t)UDP_BATCH * UDP_MAX_RESPONSE);
	if (w->inbuf == NULL || w->outbuf == NULL) {
		udp_worker_free(w);
		return SN_ENOMEM;
	}
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	w->fd = fd;
	w->pktinfo = getsockname(fd, (struct sockaddr *)&local, &llen) != 0 ||
		     is_wildcard((const struct sockaddr *)&local);
	w->answer = answer;
	w->ctx = ctx;
	for (size_t i = 0; i < UDP_BATCH; i++) {
		slot_t *s = &w->slots[i];
		s->in_iov.iov_base = w->inbuf + i * UDP_MAX_QUERY;
		s->in_iov.iov_len = UDP_MAX_QUERY;
		s->out_iov.iov_base = w->outbuf + i * UDP_MAX_RESPONSE;
	}
	*out = w;
	return SN_OK;
}

void
udp_worker_free(udp_worker_t *w)
{
	if (w == NULL) {
		return;
	}
	free(w->inbuf);
	free(w->outbuf);
	free(w);
}

/* Builds the reply's control message so that it leaves from the address the
 * query was sent to: the destination taken from the query's pktinfo becomes
 * the source in the reply's pktinfo. Returns the control length, 0 if none. */
static size_t
reply_pktinfo(struct msghdr *in, void *out_buf)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(in); c != NULL; c = CMSG_NXTHDR(in, c)) {
		struct msghdr tmp = {.msg_control = out_buf, .msg_controllen = CMSG_ROOM};
		struct cmsghdr *o = CMSG_FIRSTHDR(&tmp);
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi6_ifindex = 0;
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
	}
	return 0;
}

void
udp_worker_run(udp_worker_t *w, atomic_bool *stop)
{
	rcu_register_thread();
	rcu_thread_offline();
	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		for (size_t i = 0; i < UDP_BATCH; i++) {
			slot_t *s = &w->slots[i];
			struct msghdr *h = &w->in[i].msg_hdr;
			h->msg_name = &s->from;
			h->msg_namelen = sizeof(s->from);
			h->msg_iov = &s->in_iov;
			h->msg_iovlen = 1;
			h->msg_control = w->pktinfo ? s->in_cmsg.buf : NULL;
			h->msg_controllen = w->pktinfo ? sizeof(s->in_cmsg.buf) : 0;
			h->msg_flags = 0;
		}
		int n = recvmmsg(w->fd, w->in, UDP_BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0) {
			continue; /* timeout (to look at stop), EINTR, or a transient error */
		}
		rcu_thread_online();
		unsigned nout = 0;
		for (int i = 0; i < n; i++) {
			slot_t *s = &w->slots[i];
			struct msghdr *in = &w->in[i].msg_hdr;
			if (in->msg_flags & MSG_TRUNC) {
				continue; /* a query over 64 KiB: nothing sensible to answer */
			}
			size_t len = w->answer(w->ctx, s->in_iov.iov_base, w->in[i].msg_len,
					       s->out_iov.iov_base, UDP_MAX_RESPONSE,
					       (const struct sockaddr *)&s->from);
			if (len == 0) {
				continue;
			}
			s->out_iov.iov_len = len;
			struct msghdr *o = &w->out[nout].msg_hdr;
			o->msg_name = &s->from;
			o->msg_namelen = in->msg_namelen;
			o->msg_iov = &s->out_iov;
			o->msg_iovlen = 1;
			o->msg_controllen = w->pktinfo ? reply_pktinfo(in, s->out_cmsg.buf) : 0;
			o->msg_control = o->msg_controllen != 0 ? s->out_cmsg.buf : NULL;
			o->msg_flags = 0;
			nout++;
		}
		rcu_thread_offline(); /* also a quiescent state: old snapshots may go */
		unsigned sent = 0;
		while (sent < nout) {
			int r = sendmmsg(w->fd, w->out + sent, nout - sent, 0);
			if (r < 0) {
				if (errno == EINTR) {
					continue;
				}
				sent++; /* drop the one that failed and go on with the rest */
				continue;
			}
			sent += (unsigned)r;
		}
	}
	rcu_thread_online();
	rcu_unregister_thread();
}
