/* SPDX-License-Identifier: MIT
 * echo.c - the cheapest possible DNS "server", for the benchmark's ceiling.
 *
 * It answers every query by setting QR and sending the message back: no
 * lookup, no parsing. UDP workers batch with recvmmsg/sendmmsg on
 * SO_REUSEPORT sockets as a real server would; one TCP thread serves
 * framed messages (RFC 1035 4.2.2) with epoll. What is left is the
 * kernel's own per-packet cost, which no server can beat on the same setup.
 *
 * usage: echo [-s ADDR] [-p PORT] [-w UDP_THREADS]; SIGTERM stops it.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define MAXMSG 65535

static struct sockaddr_storage addr;
static socklen_t addrlen;

static int
bound_socket(int type)
{
	int one = 1;
	int fd = socket(addr.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&addr, addrlen) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void *
udp_loop(void *arg)
{
	int fd = (int)(intptr_t)arg;
	static __thread struct mmsghdr msg[BATCH];
	static __thread struct iovec iov[BATCH];
	static __thread struct sockaddr_storage from[BATCH];
	uint8_t(*buf)[MAXMSG] = malloc(sizeof(*buf) * BATCH);
	if (buf == NULL) {
		return NULL;
	}
	for (;;) {
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = MAXMSG;
			msg[i].msg_hdr = (struct msghdr){.msg_name = &from[i],
							 .msg_namelen = sizeof(from[i]),
							 .msg_iov = &iov[i],
							 .msg_iovlen = 1};
		}
		int n = recvmmsg(fd, msg, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0) {
			continue;
		}
		for (int i = 0; i < n; i++) {
			iov[i].iov_len = msg[i].msg_len;
			if (msg[i].msg_len >= 12) {
				buf[i][2] |= 0x80; /* QR */
			}
		}
		int done = 0;
		while (done < n) {
			int k = sendmmsg(fd, msg + done, (unsigned)(n - done), 0);
			if (k <= 0) {
				break;
			}
			done += k;
		}
	}
	return NULL;
}

typedef struct conn {
	int fd;
	size_t rlen;
	size_t wlen, woff;
	uint8_t rbuf[2 * (MAXMSG + 2)];
	uint8_t wbuf[2 * (MAXMSG + 2)];
} conn_t;

static void
conn_close(int ep, conn_t *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* Reads what is there, echoes every whole message, keeps the rest.
 * Returns -1 when the connection is done. */
static int
conn_serve(conn_t *c)
{
	for (;;) {
		if (c->woff < c->wlen) {
			ssize_t w = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
			if (w < 0) {
				return errno == EAGAIN ? 0 : -1;
			}
			c->woff += (size_t)w;
			if (c->woff < c->wlen) {
				return 0; /* wait for EPOLLOUT */
			}
		}
		c->woff = c->wlen = 0;
		ssize_t r = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			return -1;
		}
		if (r < 0) {
			return 0;
		}
		c->rlen += (size_t)r;
		size_t p = 0;
		while (c->rlen - p >= 2) {
			size_t l = (size_t)c->rbuf[p] << 8 | c->rbuf[p + 1];
			if (c->rlen - p - 2 < l) {
				break;
			}
			if (l >= 12) {
				c->rbuf[p + 4] |= 0x80; /* QR of the message at p + 2 */
			}
			memcpy(c->wbuf + c->wlen, c->rbuf + p, l + 2);
			c->wlen += l + 2;
			p += l + 2;
		}
		memmove(c->rbuf, c->rbuf + p, c->rlen - p);
		c->rlen -= p;
	}
}

static void *
tcp_loop(void *arg)
{
	int lfd = (int)(intptr_t)arg;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
		return NULL;
	}
	struct epoll_event evs[64];
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);
		for (int i = 0; i < n; i++) {
			conn_t *c = evs[i].data.ptr;
			if (c == NULL) {
				int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (fd < 0) {
					continue;
				}
				int one = 1;
				(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				c = calloc(1, sizeof(*c));
				if (c == NULL) {
					close(fd);
					continue;
				}
				c->fd = fd;
				struct epoll_event cev = {.events = EPOLLIN | EPOLLOUT | EPOLLET,
							  .data.ptr = c};
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) != 0) {
					close(fd);
					free(c);
				}
				continue;
			}
			if (conn_serve(c) != 0) {
				conn_close(ep, c);
			}
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *port = "5353";
	int nudp = 1, opt;
	while ((opt = getopt(argc, argv, "s:p:w:h")) != -1) {
		switch (opt) {
		case 's':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'w':
			nudp = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: echo [-s ADDR] [-p PORT] [-w UDP_THREADS]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (nudp < 1 || nudp > 256) {
		fprintf(stderr, "echo: -w wants 1..256\n");
		return 2;
	}
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *ai;
	int rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		fprintf(stderr, "echo: %s port %s: %s\n", host, port, gai_strerror(rc));
		return 1;
	}
	memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
	addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	signal(SIGPIPE, SIG_IGN);

	int lfd = bound_socket(SOCK_STREAM);
	if (lfd < 0 || listen(lfd, 1024) != 0 || fcntl(lfd, F_SETFL, O_NONBLOCK) != 0) {
		fprintf(stderr, "echo: TCP %s port %s: %s\n", host, port, strerror(errno));
		return 1;
	}
	pthread_t t;
	for (int i = 0; i < nudp; i++) {
		int fd = bound_socket(SOCK_DGRAM);
		if (fd < 0) {
			fprintf(stderr, "echo: UDP %s port %s: %s\n", host, port, strerror(errno));
			return 1;
		}
		if (pthread_create(&t, NULL, udp_loop, (void *)(intptr_t)fd) != 0) {
			return 1;
		}
	}
	tcp_loop((void *)(intptr_t)lfd);
	return 0;
}
