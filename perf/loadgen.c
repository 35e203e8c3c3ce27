/* SPDX-License-Identifier: MIT
 * loadgen.c - a batching DNS load generator (UDP and TCP) for perf/.
 *
 * Closed loop: it keeps a fixed number of queries in flight and sends a new
 * one for every answer or timeout, so the rate it reports is the rate the
 * server sustains, not an offered load. Queries come from a file in the
 * dnsperf format ("name type" per line), are encoded once at start (with an
 * EDNS0 OPT record, RFC 6891 6.1.2, unless -e 0) and are sent in file order,
 * round and round. UDP goes out with sendmmsg and comes back with recvmmsg
 * in batches over several connected sockets; TCP keeps several connections,
 * each with several queries pipelined (RFC 7766 6.2.1.1), 2-octet framing
 * (RFC 1035 4.2.2). Answers are matched by socket and message ID, and the
 * question section must come back as sent. Latency goes into a log-linear
 * histogram: nothing is allocated per query.
 *
 * stdout gets one key=value line for scripts, stderr a line for people.
 * With -P NAME it only waits for the first authoritative answer for NAME SOA
 * (a query every 10 ms) and prints when it came: the start-time probe.
 * -l bounds the wait there.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_QLEN 512   /* a question of 255 octets + header + OPT fits */
#define MAX_BATCH 256
#define MAX_RESP 65535 /* room for one UDP datagram or TCP message */
#define TCP_RBUF (2 * (MAX_RESP + 2))

/* Latency histogram: values below 2^SUB_BITS ns have a bucket each, above
 * that 2^SUB_BITS buckets per power of two (about 3% resolution). */
#define SUB_BITS 5
#define SUB (1u << SUB_BITS)
#define HIST_LEN ((64 - SUB_BITS + 1) * SUB)

typedef struct opts {
	const char *server;
	const char *port;
	const char *file;
	const char *probe;
	double duration;
	double warmup;
	unsigned inflight;  /* UDP: total across sockets */
	unsigned nsock;     /* UDP sockets, or TCP connections */
	unsigned per_conn;  /* TCP: queries in flight per connection */
	unsigned timeout_ms;
	unsigned batch;
	unsigned edns;      /* 0: no OPT */
	bool dobit;
	bool tcp;
	bool probe_any; /* -a: any NOERROR answer will do (the echo responder) */
} opts_t;

typedef struct slot {
	uint64_t sent_ns;
	uint32_t qidx;
	uint16_t id;
	bool busy;
} slot_t;

/* A UDP socket or a TCP connection, with its own ID space: the low bits of
 * an ID are the slot, the high bits count the slot's uses, so a late answer
 * to a query that timed out does not match the slot's next query. */
typedef struct flow {
	int fd;
	unsigned bits;     /* slot index bits */
	unsigned window;   /* queries in flight at most */
	unsigned inflight;
	slot_t *slots;     /* 1 << bits */
	uint16_t *free;    /* stack of free slot indexes */
	unsigned nfree;
	uint16_t *uses;    /* per slot, for the high ID bits */
	/* TCP only */
	uint8_t *rbuf;
	size_t rlen;
	uint8_t *wbuf;
	size_t wlen, woff;
} flow_t;

typedef struct stats {
	uint64_t sent, recv, lost, unexpected, qmismatch, malformed, tc, reconnects, reset_lost;
	uint64_t rcode[16];
	uint64_t hist[HIST_LEN];
} stats_t;

typedef struct queries {
	uint8_t *data; /* encoded messages, ID 0 */
	uint32_t *off;
	uint16_t *len;
	uint16_t *qsect; /* length of the question section */
	size_t count;
	size_t next;
} queries_t;

static stats_t st;
static queries_t qs;
static struct sockaddr_storage srv_addr;
static socklen_t srv_addrlen;

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned
hist_index(uint64_t v)
{
	if (v < SUB) {
		return (unsigned)v;
	}
	unsigned e = 63u - (unsigned)__builtin_clzll(v);
	unsigned m = (unsigned)(v >> (e - SUB_BITS)); /* in [SUB, 2 SUB) */
	return (e - SUB_BITS + 1) * SUB + (m - SUB);
}

/* The middle of bucket i, in ns. */
static double
hist_value(unsigned i)
{
	if (i < SUB) {
		return i;
	}
	unsigned g = i / SUB;
	unsigned e = g + SUB_BITS - 1;
	uint64_t lo = (uint64_t)(SUB + i % SUB) << (e - SUB_BITS);
	uint64_t width = 1ull << (e - SUB_BITS);
	return (double)lo + (double)width / 2;
}

static double
hist_pct(const uint64_t *h, uint64_t total, double p)
{
	if (total == 0) {
		return 0;
	}
	uint64_t want = (uint64_t)(p * (double)total);
	if (want >= total) {
		want = total - 1;
	}
	uint64_t acc = 0;
	for (unsigned i = 0; i < HIST_LEN; i++) {
		acc += h[i];
		if (acc > want) {
			return hist_value(i);
		}
	}
	return 0;
}

static const struct {
	const char *name;
	uint16_t type;
} types[] = {
	{"A", 1},       {"NS", 2},       {"CNAME", 5},    {"SOA", 6},    {"PTR", 12},
	{"HINFO", 13},  {"MX", 15},      {"TXT", 16},     {"AAAA", 28},  {"LOC", 29},
	{"SRV", 33},    {"NAPTR", 35},   {"DNAME", 39},   {"DS", 43},    {"SSHFP", 44},
	{"RRSIG", 46},  {"NSEC", 47},    {"DNSKEY", 48},  {"NSEC3", 50}, {"NSEC3PARAM", 51},
	{"TLSA", 52},   {"CDS", 59},     {"CDNSKEY", 60}, {"SVCB", 64},  {"HTTPS", 65},
	{"SPF", 99},    {"IXFR", 251},   {"AXFR", 252},   {"ANY", 255},  {"CAA", 257},
};

static int
parse_type(const char *s, uint16_t *out)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcasecmp(s, types[i].name) == 0) {
			*out = types[i].type;
			return 0;
		}
	}
	if (strncasecmp(s, "TYPE", 4) == 0 && s[4] != '\0') {
		char *end;
		unsigned long v = strtoul(s + 4, &end, 10);
		if (*end == '\0' && v <= 65535) {
			*out = (uint16_t)v;
			return 0;
		}
	}
	return -1;
}

/* Presentation name to wire form (RFC 1035 5.1 escapes). Returns the
 * length, or -1. */
static int
name_to_wire(const char *s, uint8_t *out)
{
	size_t len = 0, lab = 0;
	out[0] = 0;
	if (strcmp(s, ".") == 0) {
		return 1;
	}
	while (*s != '\0') {
		if (*s == '.') {
			if (out[lab] == 0) {
				return -1; /* empty label */
			}
			lab = ++len;
			out[lab] = 0;
			s++;
			if (*s == '\0') {
				return (int)len + 1;
			}
			continue;
		}
		uint8_t c;
		if (*s == '\\') {
			if (s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' && s[3] >= '0' &&
			    s[3] <= '9') {
				unsigned v = (unsigned)(s[1] - '0') * 100 + (unsigned)(s[2] - '0') * 10 +
					     (unsigned)(s[3] - '0');
				if (v > 255) {
					return -1;
				}
				c = (uint8_t)v;
				s += 4;
			} else if (s[1] != '\0') {
				c = (uint8_t)s[1];
				s += 2;
			} else {
				return -1;
			}
		} else {
			c = (uint8_t)*s++;
		}
		if (out[lab] == 63 || len + 2 >= 255) {
			return -1;
		}
		out[lab]++;
		out[++len] = c;
	}
	/* no final dot: the name is taken as absolute all the same */
	if (out[lab] == 0) {
		return -1;
	}
	out[++len] = 0;
	return (int)len + 1;
}

static int
load_queries(const char *path, const opts_t *o)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 1024, dcap = 64 * 1024, dlen = 0;
	qs.off = malloc(cap * sizeof(*qs.off));
	qs.len = malloc(cap * sizeof(*qs.len));
	qs.qsect = malloc(cap * sizeof(*qs.qsect));
	qs.data = malloc(dcap);
	if (qs.off == NULL || qs.len == NULL || qs.qsect == NULL || qs.data == NULL) {
		fclose(f);
		return -1;
	}
	char line[2048];
	unsigned lineno = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		char name[1100], type[64];
		char *p = line;
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (*p == '\0' || *p == '\n' || *p == '#' || *p == ';') {
			continue;
		}
		if (sscanf(p, "%1099s %63s", name, type) != 2) {
			fprintf(stderr, "loadgen: %s:%u: expected \"name type\"\n", path, lineno);
			fclose(f);
			return -1;
		}
		uint16_t qtype;
		if (parse_type(type, &qtype) != 0) {
			fprintf(stderr, "loadgen: %s:%u: unknown type %s\n", path, lineno, type);
			fclose(f);
			return -1;
		}
		if (qs.count == cap) {
			cap *= 2;
			uint32_t *no = realloc(qs.off, cap * sizeof(*no));
			if (no != NULL) {
				qs.off = no;
			}
			uint16_t *nl = realloc(qs.len, cap * sizeof(*nl));
			if (nl != NULL) {
				qs.len = nl;
			}
			uint16_t *nq = realloc(qs.qsect, cap * sizeof(*nq));
			if (nq != NULL) {
				qs.qsect = nq;
			}
			if (no == NULL || nl == NULL || nq == NULL) {
				fclose(f);
				return -1;
			}
		}
		if (dlen + MAX_QLEN > dcap) {
			dcap *= 2;
			uint8_t *nd = realloc(qs.data, dcap);
			if (nd == NULL) {
				fclose(f);
				return -1;
			}
			qs.data = nd;
		}
		uint8_t *m = qs.data + dlen;
		memset(m, 0, 12);
		m[5] = 1; /* QDCOUNT; RD clear: the servers are authoritative */
		int nl = name_to_wire(name, m + 12);
		if (nl < 0) {
			fprintf(stderr, "loadgen: %s:%u: bad name %s\n", path, lineno, name);
			fclose(f);
			return -1;
		}
		size_t n = 12 + (size_t)nl;
		m[n++] = (uint8_t)(qtype >> 8);
		m[n++] = (uint8_t)qtype;
		m[n++] = 0;
		m[n++] = 1; /* IN */
		qs.qsect[qs.count] = (uint16_t)(n - 12);
		if (o->edns != 0) {
			m[11] = 1; /* ARCOUNT */
			m[n++] = 0; /* root owner */
			m[n++] = 0;
			m[n++] = 41; /* OPT */
			m[n++] = (uint8_t)(o->edns >> 8);
			m[n++] = (uint8_t)o->edns;
			m[n++] = 0; /* extended RCODE */
			m[n++] = 0; /* version */
			m[n++] = o->dobit ? 0x80 : 0;
			m[n++] = 0;
			m[n++] = 0; /* RDLENGTH */
			m[n++] = 0;
		}
		qs.off[qs.count] = (uint32_t)dlen;
		qs.len[qs.count] = (uint16_t)n;
		qs.count++;
		dlen += n;
		if (dlen > UINT32_MAX - MAX_QLEN) {
			break;
		}
	}
	fclose(f);
	if (qs.count == 0) {
		fprintf(stderr, "loadgen: %s: no queries\n", path);
		return -1;
	}
	return 0;
}

static int
resolve(const opts_t *o)
{
	struct addrinfo hints, *ai;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = o->tcp ? SOCK_STREAM : SOCK_DGRAM;
	int rc = getaddrinfo(o->server, o->port, &hints, &ai);
	if (rc != 0) {
		fprintf(stderr, "loadgen: %s port %s: %s\n", o->server, o->port, gai_strerror(rc));
		return -1;
	}
	memcpy(&srv_addr, ai->ai_addr, ai->ai_addrlen);
	srv_addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int
flow_init(flow_t *f, unsigned window)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->window = window;
	f->bits = 1;
	while ((1u << f->bits) < window) {
		f->bits++;
	}
	unsigned n = 1u << f->bits;
	f->slots = calloc(n, sizeof(*f->slots));
	f->free = malloc(n * sizeof(*f->free));
	f->uses = calloc(n, sizeof(*f->uses));
	if (f->slots == NULL || f->free == NULL || f->uses == NULL) {
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		f->free[i] = (uint16_t)(n - 1 - i);
	}
	f->nfree = n;
	return 0;
}

/* Takes a slot for query `qidx` and returns the ID to send it with. */
static uint16_t
flow_take(flow_t *f, uint32_t qidx, uint64_t now)
{
	unsigned s = f->free[--f->nfree];
	uint16_t id = (uint16_t)((unsigned)f->uses[s]++ << f->bits | s);
	f->slots[s] = (slot_t){.sent_ns = now, .qidx = qidx, .id = id, .busy = true};
	f->inflight++;
	return id;
}

static void
flow_release(flow_t *f, unsigned s)
{
	f->slots[s].busy = false;
	f->free[f->nfree++] = (uint16_t)s;
	f->inflight--;
}

static uint32_t
next_query(void)
{
	uint32_t q = (uint32_t)qs.next;
	if (++qs.next == qs.count) {
		qs.next = 0;
	}
	return q;
}

/* One response from flow f. */
static void
on_response(flow_t *f, const uint8_t *m, size_t len, uint64_t now)
{
	if (len < 12) {
		st.malformed++;
		return;
	}
	uint16_t id = (uint16_t)(m[0] << 8 | m[1]);
	unsigned s = id & ((1u << f->bits) - 1);
	slot_t *sl = &f->slots[s];
	if (!sl->busy || sl->id != id || (m[2] & 0x80) == 0) {
		st.unexpected++; /* late (after its timeout) or not ours */
		return;
	}
	const uint8_t *q = qs.data + qs.off[sl->qidx];
	size_t ql = qs.qsect[sl->qidx];
	/* The question must come back as asked (RFC 1035 4.1.1; servers keep
	 * the case, RFC 4343 4.1), except with FORMERR, which may drop it. */
	if (len < 12 + ql || m[4] != 0 || m[5] != 1 || memcmp(m + 12, q + 12, ql) != 0) {
		if ((m[3] & 0x0f) != 1) {
			st.qmismatch++;
		}
	}
	if ((m[2] & 0x02) != 0) {
		st.tc++;
	}
	st.rcode[m[3] & 0x0f]++;
	st.recv++;
	uint64_t lat = now > sl->sent_ns ? now - sl->sent_ns : 0;
	st.hist[hist_index(lat)]++;
	flow_release(f, s);
}

/* Queries of `f` older than the timeout are lost: free their slots. */
static void
expire(flow_t *f, uint64_t now, uint64_t timeout_ns)
{
	unsigned n = 1u << f->bits;
	for (unsigned s = 0; s < n; s++) {
		if (f->slots[s].busy && now > f->slots[s].sent_ns &&
		    now - f->slots[s].sent_ns > timeout_ns) {
			st.lost++;
			flow_release(f, s);
		}
	}
}

/* ---- UDP ---- */

static struct mmsghdr smsg[MAX_BATCH], rmsg[MAX_BATCH];
static struct iovec siov[MAX_BATCH], riov[MAX_BATCH];
static uint8_t sbuf[MAX_BATCH][MAX_QLEN];
static uint8_t (*rbuf)[MAX_RESP + 1];

static int
udp_open(void)
{
	int fd = socket(srv_addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -1;
	}
	/* Room for a whole window of answers: a drop here would be counted
	 * against the server. */
	int sz = 4 << 20;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (connect(fd, (struct sockaddr *)&srv_addr, srv_addrlen) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned
udp_send(flow_t *f, unsigned batch, uint64_t now)
{
	unsigned n = 0;
	while (f->inflight < f->window && n < batch) {
		uint32_t qi = next_query();
		uint16_t id = flow_take(f, qi, now);
		memcpy(sbuf[n], qs.data + qs.off[qi], qs.len[qi]);
		sbuf[n][0] = (uint8_t)(id >> 8);
		sbuf[n][1] = (uint8_t)id;
		siov[n].iov_len = qs.len[qi];
		n++;
	}
	if (n == 0) {
		return 0;
	}
	int k = sendmmsg(f->fd, smsg, n, 0);
	if (k < 0) {
		k = 0;
	}
	/* what the kernel did not take was not sent: give the slots back */
	for (unsigned i = (unsigned)k; i < n; i++) {
		uint16_t id = (uint16_t)(sbuf[i][0] << 8 | sbuf[i][1]);
		flow_release(f, id & ((1u << f->bits) - 1));
	}
	st.sent += (unsigned)k;
	return (unsigned)k;
}

static unsigned
udp_recv(flow_t *f, unsigned batch)
{
	unsigned total = 0;
	for (;;) {
		int k = recvmmsg(f->fd, rmsg, batch, MSG_DONTWAIT, NULL);
		if (k <= 0) {
			break; /* EAGAIN; ECONNREFUSED when nobody listens yet */
		}
		uint64_t now = now_ns();
		for (int i = 0; i < k; i++) {
			on_response(f, rbuf[i], rmsg[i].msg_len, now);
		}
		total += (unsigned)k;
		if ((unsigned)k < batch) {
			break;
		}
	}
	return total;
}

/* ---- TCP ---- */

/* Connects, blocking (on loopback this takes microseconds), then makes the
 * socket non-blocking. On failure f->fd stays -1 and the next timeout scan
 * tries again. */
static int
tcp_connect(flow_t *f)
{
	f->rlen = 0;
	f->wlen = 0;
	f->woff = 0;
	int fd = socket(srv_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -1;
	}
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&srv_addr, srv_addrlen) != 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		close(fd);
		return -1;
	}
	f->fd = fd;
	return 0;
}

/* The server closed (or reset) the connection: what was in flight on it is
 * lost; open a new one. */
static void
tcp_reset(flow_t *f)
{
	unsigned n = 1u << f->bits;
	for (unsigned s = 0; s < n; s++) {
		if (f->slots[s].busy) {
			st.reset_lost++;
			flow_release(f, s);
		}
	}
	close(f->fd);
	f->fd = -1;
	st.reconnects++;
	(void)tcp_connect(f);
}

static void
tcp_fill(flow_t *f, uint64_t now)
{
	/* drop what was written: the buffer holds at most a window */
	memmove(f->wbuf, f->wbuf + f->woff, f->wlen - f->woff);
	f->wlen -= f->woff;
	f->woff = 0;
	while (f->inflight < f->window) {
		uint32_t qi = next_query();
		size_t l = qs.len[qi];
		uint8_t *p = f->wbuf + f->wlen;
		uint16_t id = flow_take(f, qi, now);
		p[0] = (uint8_t)(l >> 8);
		p[1] = (uint8_t)l;
		memcpy(p + 2, qs.data + qs.off[qi], l);
		p[2] = (uint8_t)(id >> 8);
		p[3] = (uint8_t)id;
		f->wlen += l + 2;
		st.sent++;
	}
}

static void
tcp_write(flow_t *f)
{
	while (f->woff < f->wlen) {
		ssize_t w = send(f->fd, f->wbuf + f->woff, f->wlen - f->woff, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				tcp_reset(f);
			}
			return;
		}
		f->woff += (size_t)w;
	}
}

static unsigned
tcp_read(flow_t *f)
{
	unsigned got = 0;
	for (;;) {
		ssize_t r = recv(f->fd, f->rbuf + f->rlen, TCP_RBUF - f->rlen, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			tcp_reset(f);
			return got;
		}
		if (r < 0) {
			return got;
		}
		f->rlen += (size_t)r;
		uint64_t now = now_ns();
		size_t p = 0;
		while (f->rlen - p >= 2) {
			size_t l = (size_t)f->rbuf[p] << 8 | f->rbuf[p + 1];
			if (f->rlen - p - 2 < l) {
				break;
			}
			on_response(f, f->rbuf + p + 2, l, now);
			got++;
			p += 2 + l;
		}
		memmove(f->rbuf, f->rbuf + p, f->rlen - p);
		f->rlen -= p;
		if ((size_t)r < TCP_RBUF / 2) {
			return got;
		}
	}
}

/* ---- the run ---- */

static int
run(const opts_t *o, flow_t *flows, unsigned nflows)
{
	struct pollfd *pfd = calloc(nflows, sizeof(*pfd));
	if (pfd == NULL) {
		return -1;
	}
	uint64_t start = now_ns();
	uint64_t measure = start + (uint64_t)(o->warmup * 1e9);
	uint64_t end = measure + (uint64_t)(o->duration * 1e9);
	uint64_t timeout_ns = (uint64_t)o->timeout_ms * 1000000u;
	uint64_t last_scan = start;
	bool measuring = o->warmup <= 0;
	struct rusage ru0;
	getrusage(RUSAGE_SELF, &ru0);

	for (;;) {
		uint64_t now = now_ns();
		if (!measuring && now >= measure) {
			memset(&st, 0, sizeof(st));
			getrusage(RUSAGE_SELF, &ru0);
			measuring = true;
		}
		if (now >= end) {
			break;
		}
		unsigned got = 0;
		for (unsigned i = 0; i < nflows; i++) {
			flow_t *f = &flows[i];
			if (!o->tcp) {
				got += udp_recv(f, o->batch);
				udp_send(f, o->batch, now_ns());
			} else if (f->fd >= 0) {
				got += tcp_read(f);
				if (f->fd >= 0) {
					tcp_fill(f, now_ns());
					tcp_write(f);
				}
			}
		}
		if (now - last_scan > 10000000u) {
			now = now_ns();
			for (unsigned i = 0; i < nflows; i++) {
				expire(&flows[i], now, timeout_ns);
				if (o->tcp && flows[i].fd < 0) {
					(void)tcp_connect(&flows[i]);
				}
			}
			last_scan = now;
		}
		if (got > 0) {
			continue;
		}
		/* Nothing came back this round: sleep until something does. */
		for (unsigned i = 0; i < nflows; i++) {
			pfd[i].fd = flows[i].fd;
			pfd[i].events = POLLIN;
			if (o->tcp && flows[i].woff < flows[i].wlen) {
				pfd[i].events |= POLLOUT;
			}
			pfd[i].revents = 0;
		}
		if (poll(pfd, nflows, 1) <= 0) {
			continue;
		}
		if (o->tcp) {
			for (unsigned i = 0; i < nflows; i++) {
				if (flows[i].fd >= 0 && (pfd[i].revents & POLLOUT)) {
					tcp_write(&flows[i]);
				}
			}
		}
	}
	uint64_t elapsed = now_ns() - (measuring ? measure : start);
	struct rusage ru1;
	getrusage(RUSAGE_SELF, &ru1);
	double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
		     (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
		     (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
		     (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
	double secs = (double)elapsed / 1e9;
	unsigned inflight = 0, window = 0;
	for (unsigned i = 0; i < nflows; i++) {
		inflight += flows[i].inflight;
		window += flows[i].window;
	}
	double qps = (double)st.recv / secs;
	uint64_t lost = st.lost + st.reset_lost;
	double lost_pct = st.sent > 0 ? 100.0 * (double)lost / (double)st.sent : 0;
	double p50 = hist_pct(st.hist, st.recv, 0.50) / 1000;
	double p90 = hist_pct(st.hist, st.recv, 0.90) / 1000;
	double p99 = hist_pct(st.hist, st.recv, 0.99) / 1000;
	uint64_t other = 0;
	for (int r = 0; r < 16; r++) {
		if (r != 0 && r != 2 && r != 3 && r != 5) {
			other += st.rcode[r];
		}
	}
	printf("mode=%s server=%s port=%s flows=%u window=%u duration=%.3f qps=%.0f sent=%llu "
	       "recv=%llu lost=%llu lost_pct=%.3f inflight_end=%u unexpected=%llu qmismatch=%llu "
	       "malformed=%llu tc=%llu reconnects=%llu p50_us=%.1f p90_us=%.1f p99_us=%.1f "
	       "noerror=%llu nxdomain=%llu servfail=%llu refused=%llu other_rcode=%llu "
	       "cpu_pct=%.1f\n",
	       o->tcp ? "tcp" : "udp", o->server, o->port, nflows, window, secs, qps,
	       (unsigned long long)st.sent, (unsigned long long)st.recv, (unsigned long long)lost,
	       lost_pct, inflight, (unsigned long long)st.unexpected,
	       (unsigned long long)st.qmismatch, (unsigned long long)st.malformed,
	       (unsigned long long)st.tc, (unsigned long long)st.reconnects, p50, p90, p99,
	       (unsigned long long)st.rcode[0], (unsigned long long)st.rcode[3],
	       (unsigned long long)st.rcode[2], (unsigned long long)st.rcode[5],
	       (unsigned long long)other, 100.0 * cpu / secs);
	fprintf(stderr,
		"loadgen %s %s:%s: %.0f answers/s over %.1f s, %llu lost (%.2f%%), latency p50 "
		"%.0f us p99 %.0f us, NOERROR %.1f%% NXDOMAIN %.1f%% other %.1f%%, loadgen cpu "
		"%.0f%%\n",
		o->tcp ? "TCP" : "UDP", o->server, o->port, qps, secs, (unsigned long long)lost,
		lost_pct, p50, p99, st.recv ? 100.0 * (double)st.rcode[0] / (double)st.recv : 0,
		st.recv ? 100.0 * (double)st.rcode[3] / (double)st.recv : 0,
		st.recv ? 100.0 * (double)(st.recv - st.rcode[0] - st.rcode[3]) / (double)st.recv
			: 0,
		100.0 * cpu / secs);
	free(pfd);
	return 0;
}

/* Sends NAME SOA every 10 ms until an authoritative NOERROR answer comes,
 * then prints the wall-clock time of that answer (ns since the epoch), so
 * that a script can subtract the time it started the server. */
static int
probe(const opts_t *o)
{
	uint8_t m[MAX_QLEN], r[MAX_RESP];
	memset(m, 0, 12);
	m[0] = 0x5a;
	m[5] = 1;
	int nl = name_to_wire(o->probe, m + 12);
	if (nl < 0) {
		fprintf(stderr, "loadgen: bad name %s\n", o->probe);
		return -1;
	}
	size_t n = 12 + (size_t)nl;
	m[n++] = 0;
	m[n++] = 6; /* SOA */
	m[n++] = 0;
	m[n++] = 1;
	uint64_t start = now_ns();
	uint64_t limit = start + (uint64_t)(o->duration * 1e9);
	unsigned tries = 0;
	int fd = udp_open();
	if (fd < 0) {
		fprintf(stderr, "loadgen: socket: %s\n", strerror(errno));
		return -1;
	}
	while (now_ns() < limit) {
		m[1] = (uint8_t)++tries;
		(void)send(fd, m, n, 0);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		uint64_t until = now_ns() + 10000000u;
		for (;;) {
			uint64_t t = now_ns();
			if (t >= until) {
				break;
			}
			if (poll(&p, 1, (int)((until - t) / 1000000u) + 1) <= 0) {
				continue;
			}
			ssize_t l = recv(fd, r, sizeof(r), MSG_DONTWAIT);
			if (l < 12 || r[0] != m[0] || r[1] != m[1]) {
				continue;
			}
			/* QR, AA and NOERROR: the zone is loaded */
			unsigned want = o->probe_any ? 0x80 : 0x84;
			if ((r[2] & want) == want && (r[3] & 0x0f) == 0) {
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				printf("probe_ok=1 answered_at_ns=%llu waited_ms=%.1f tries=%u\n",
				       (unsigned long long)ts.tv_sec * 1000000000ull +
					       (unsigned long long)ts.tv_nsec,
				       (double)(now_ns() - start) / 1e6, tries);
				close(fd);
				return 0;
			}
		}
	}
	close(fd);
	printf("probe_ok=0 tries=%u\n", tries);
	return 1;
}

static void
cleanup(flow_t *flows, unsigned n)
{
	for (unsigned i = 0; flows != NULL && i < n; i++) {
		if (flows[i].fd >= 0) {
			close(flows[i].fd);
		}
		free(flows[i].slots);
		free(flows[i].free);
		free(flows[i].uses);
		free(flows[i].rbuf);
		free(flows[i].wbuf);
	}
	free(flows);
	free(qs.data);
	free(qs.off);
	free(qs.len);
	free(qs.qsect);
	free(rbuf);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: loadgen -d FILE [-s ADDR] [-p PORT] [-l SECONDS] [options]\n"
		"       loadgen -P NAME [-s ADDR] [-p PORT] [-l SECONDS]\n"
		"  -d FILE   queries, \"name type\" per line (the dnsperf format)\n"
		"  -s ADDR   server address (127.0.0.1)\n"
		"  -p PORT   server port (53)\n"
		"  -l SEC    measure for SEC seconds (10)\n"
		"  -W SEC    warm up for SEC seconds first, not measured (0)\n"
		"  -q N      UDP: queries in flight in all (256)\n"
		"  -c N      UDP: sockets (4); TCP: connections (16)\n"
		"  -T        TCP instead of UDP\n"
		"  -k N      TCP: queries in flight per connection (16)\n"
		"  -t MS     a query unanswered after MS ms is lost (1000)\n"
		"  -b N      UDP: messages per sendmmsg/recvmmsg (64, at most %d)\n"
		"  -e SIZE   EDNS0 UDP payload size to advertise, 0 for no OPT (1232)\n"
		"  -D        set the DO bit\n"
		"  -P NAME   probe: wait for an authoritative answer to NAME SOA\n"
		"  -a        probe: any NOERROR answer will do, AA or not\n",
		MAX_BATCH);
}

int
main(int argc, char **argv)
{
	opts_t o = {.server = "127.0.0.1", .port = "53", .duration = 10, .inflight = 256,
		    .nsock = 0, .per_conn = 16, .timeout_ms = 1000, .batch = 64, .edns = 1232};
	int c;
	while ((c = getopt(argc, argv, "d:s:p:l:W:q:c:Tk:t:b:e:DP:ah")) != -1) {
		switch (c) {
		case 'd':
			o.file = optarg;
			break;
		case 's':
			o.server = optarg;
			break;
		case 'p':
			o.port = optarg;
			break;
		case 'l':
			o.duration = atof(optarg);
			break;
		case 'W':
			o.warmup = atof(optarg);
			break;
		case 'q':
			o.inflight = (unsigned)atoi(optarg);
			break;
		case 'c':
			o.nsock = (unsigned)atoi(optarg);
			break;
		case 'T':
			o.tcp = true;
			break;
		case 'k':
			o.per_conn = (unsigned)atoi(optarg);
			break;
		case 't':
			o.timeout_ms = (unsigned)atoi(optarg);
			break;
		case 'b':
			o.batch = (unsigned)atoi(optarg);
			break;
		case 'e':
			o.edns = (unsigned)atoi(optarg);
			break;
		case 'D':
			o.dobit = true;
			break;
		case 'P':
			o.probe = optarg;
			break;
		case 'a':
			o.probe_any = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (o.nsock == 0) {
		o.nsock = o.tcp ? 16 : 4;
	}
	if (optind != argc || (o.file == NULL && o.probe == NULL) || o.duration <= 0 ||
	    o.batch == 0 || o.batch > MAX_BATCH || o.nsock == 0 || o.nsock > 4096 ||
	    o.inflight < o.nsock || o.per_conn == 0 || o.per_conn > 4096 || o.edns > 65535 ||
	    (o.edns != 0 && o.edns < 512) || o.timeout_ms == 0) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (resolve(&o) != 0) {
		return 1;
	}
	if (o.probe != NULL) {
		return probe(&o) == 0 ? 0 : 1;
	}
	int rc = 1;
	flow_t *flows = NULL;
	unsigned nflows = 0;
	if (load_queries(o.file, &o) != 0) {
		goto out;
	}
	flows = calloc(o.nsock, sizeof(*flows));
	if (flows == NULL) {
		goto out;
	}
	if (!o.tcp) {
		rbuf = malloc((size_t)MAX_BATCH * sizeof(*rbuf));
		if (rbuf == NULL) {
			goto out;
		}
		for (unsigned i = 0; i < MAX_BATCH; i++) {
			siov[i].iov_base = sbuf[i];
			smsg[i].msg_hdr.msg_iov = &siov[i];
			smsg[i].msg_hdr.msg_iovlen = 1;
			riov[i].iov_base = rbuf[i];
			riov[i].iov_len = MAX_RESP;
			rmsg[i].msg_hdr.msg_iov = &riov[i];
			rmsg[i].msg_hdr.msg_iovlen = 1;
		}
	}
	for (unsigned i = 0; i < o.nsock; i++) {
		flow_t *f = &flows[i];
		/* spread the window over the sockets, the remainder on the first */
		unsigned w = o.tcp ? o.per_conn
				   : o.inflight / o.nsock + (i < o.inflight % o.nsock ? 1 : 0);
		nflows = i + 1;
		if (w > 4096 || flow_init(f, w) != 0) {
			fprintf(stderr, "loadgen: out of memory\n");
			goto out;
		}
		if (o.tcp) {
			f->rbuf = malloc(TCP_RBUF);
			f->wbuf = malloc((size_t)w * (MAX_QLEN + 2));
			if (f->rbuf == NULL || f->wbuf == NULL || tcp_connect(f) != 0) {
				fprintf(stderr, "loadgen: cannot connect: %s\n", strerror(errno));
				goto out;
			}
		} else {
			f->fd = udp_open();
			if (f->fd < 0) {
				fprintf(stderr, "loadgen: socket: %s\n", strerror(errno));
				goto out;
			}
		}
	}
	rc = run(&o, flows, o.nsock) == 0 ? 0 : 1;
out:
	cleanup(flows, nflows);
	return rc;
}
