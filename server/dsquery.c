/* SPDX-License-Identifier: MIT
 * dsquery.c - a parent's DS RRset, asked for (see dsquery.h).
 */
#include "server/dsquery.h"

#include "zone/dname.h"
#include "zone/rrtype.h"
#include "zone/wire.h"
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define HDR 12

int
dsquery_build(const uint8_t *apex, uint16_t id, uint8_t *out, size_t cap, size_t *len)
{
	size_t alen = dname_len(apex);
	if (cap < HDR + alen + 4) {
		return SN_ENOSPC;
	}
	memset(out, 0, HDR);
	wire_write_u16(out, id);
	wire_write_u16(out + 4, 1); /* QDCOUNT; RD clear: an authoritative question */
	memcpy(out + HDR, apex, alen);
	wire_write_u16(out + HDR + alen, RRTYPE_DS);
	wire_write_u16(out + HDR + alen + 2, RRCLASS_IN);
	*len = HDR + alen + 4;
	return SN_OK;
}

int
dsquery_parse(const uint8_t *msg, size_t len, const uint8_t *apex, uint16_t id,
	      dsquery_ds_t out[DSQUERY_MAX], size_t *n)
{
	uint8_t name[DNAME_MAXLEN];
	size_t nlen, pos = HDR, found = 0;
	if (len < HDR || wire_read_u16(msg) != id) {
		return SN_EPARSE;
	}
	uint16_t flags = wire_read_u16(msg + 2);
	uint16_t qd = wire_read_u16(msg + 4), an = wire_read_u16(msg + 6);
	if (!(flags & 0x8000) || ((flags >> 11) & 0xf) != 0 || qd != 1) {
		return SN_EPARSE; /* not a response to a QUERY with our question */
	}
	if (dname_unpack(msg, len, &pos, name, &nlen) != SN_OK || pos + 4 > len ||
	    !dname_is_equal(name, apex) || wire_read_u16(msg + pos) != RRTYPE_DS) {
		return SN_EPARSE;
	}
	pos += 4;
	if ((flags & 0x0200) != 0 || (flags & 0xf) != 0) {
		*n = 0;
		return SN_EIO; /* truncated, or an error: ask again another way */
	}
	for (uint16_t i = 0; i < an; i++) {
		if (dname_unpack(msg, len, &pos, name, &nlen) != SN_OK || pos + 10 > len) {
			return SN_EPARSE;
		}
		uint16_t type = wire_read_u16(msg + pos), rdlen = wire_read_u16(msg + pos + 8);
		pos += 10;
		if (pos + rdlen > len) {
			return SN_EPARSE;
		}
		if (type == RRTYPE_DS && dname_is_equal(name, apex) && rdlen >= 5 &&
		    rdlen <= sizeof(out[0].rdata) && found < DSQUERY_MAX) {
			out[found].len = rdlen;
			memcpy(out[found].rdata, msg + pos, rdlen);
			found++;
		}
		pos += rdlen;
	}
	*n = found;
	return SN_OK;
}

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for `fd` to be ready for `events` until `deadline`. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			return SN_EIO;
		}
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, (int)left);
		if (r > 0) {
			return SN_OK;
		}
		if (r < 0 && errno != EINTR) {
			return SN_EIO;
		}
	}
}

static int
ask_udp(const struct sockaddr *addr, socklen_t addrlen, const uint8_t *q, size_t qlen,
	int64_t deadline, uint8_t *resp, size_t cap, size_t *rlen)
{
	int fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = SN_EIO;
	if (fd < 0) {
		return SN_EIO;
	}
	if (connect(fd, addr, addrlen) == 0 && send(fd, q, qlen, 0) == (ssize_t)qlen) {
		while ((rc = wait_fd(fd, POLLIN, deadline)) == SN_OK) {
			ssize_t r = recv(fd, resp, cap, 0);
			if (r >= HDR && memcmp(resp, q, 2) == 0) {
				*rlen = (size_t)r;
				break;
			}
		}
	}
	close(fd);
	return rc;
}

static int
io_all(int fd, uint8_t *buf, size_t len, bool write_it, int64_t deadline)
{
	size_t done = 0;
	while (done < len) {
		if (wait_fd(fd, write_it ? POLLOUT : POLLIN, deadline) != SN_OK) {
			return SN_EIO;
		}
		ssize_t r = write_it ? send(fd, buf + done, len - done, MSG_NOSIGNAL)
				     : recv(fd, buf + done, len - done, 0);
		if (r <= 0) {
			if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
				continue;
			}
			return SN_EIO;
		}
		done += (size_t)r;
	}
	return SN_OK;
}

static int
ask_tcp(const struct sockaddr *addr, socklen_t addrlen, const uint8_t *q, size_t qlen,
	int64_t deadline, uint8_t *resp, size_t cap, size_t *rlen)
{
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	uint8_t buf[2 + 512];
	int rc = SN_EIO;
	if (fd < 0) {
		return SN_EIO;
	}
	if (connect(fd, addr, addrlen) != 0 && errno != EINPROGRESS) {
		close(fd);
		return SN_EIO;
	}
	wire_write_u16(buf, (uint16_t)qlen);
	memcpy(buf + 2, q, qlen);
	uint8_t l2[2];
	if (io_all(fd, buf, qlen + 2, true, deadline) == SN_OK &&
	    io_all(fd, l2, 2, false, deadline) == SN_OK) {
		size_t n = wire_read_u16(l2);
		if (n <= cap && io_all(fd, resp, n, false, deadline) == SN_OK) {
			*rlen = n;
			rc = SN_OK;
		}
	}
	close(fd);
	return rc;
}

int
dsquery_ask(const struct sockaddr *addr, socklen_t addrlen, const uint8_t *apex, int timeout_ms,
	    dsquery_ds_t out[DSQUERY_MAX], size_t *n)
{
	uint8_t q[512], resp[65535];
	size_t qlen, rlen = 0;
	uint16_t id;
	int64_t deadline = now_ms() + timeout_ms;
	if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id)) {
		return SN_EIO;
	}
	int rc = dsquery_build(apex, id, q, sizeof(q), &qlen);
	if (rc == SN_OK) {
		rc = ask_udp(addr, addrlen, q, qlen, deadline, resp, sizeof(resp), &rlen);
	}
	if (rc == SN_OK) {
		rc = dsquery_parse(resp, rlen, apex, id, out, n);
	}
	if (rc == SN_EIO && rlen >= 4 && (wire_read_u16(resp + 2) & 0x0200) != 0) {
		/* truncated: the whole RRset over TCP (RFC 7766) */
		rc = ask_tcp(addr, addrlen, q, qlen, deadline, resp, sizeof(resp), &rlen);
		if (rc == SN_OK) {
			rc = dsquery_parse(resp, rlen, apex, id, out, n);
		}
	}
	return rc;
}
