/* SPDX-License-Identifier: MIT
 * fuzz_query.c - libFuzzer target for the answer logic (query_answer).
 *
 * The input is a DNS query. It is answered from two fixed zones (a demo-like
 * example.com with a wildcard, a delegation with glue, CNAME chains and a
 * DNAME into example.org) as UDP and as TCP, and each response is parsed
 * back: it must be a response to this query (ID, QR, opcode), its counts
 * must describe exactly the octets present, every name must decompress with
 * backward pointers, every RDATA must be well-formed, and a UDP response must
 * respect the size limit. Anything else aborts, so the fuzzer finds wrong
 * output as well as crashes.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <urcu-qsbr.h>
#include "conf/conf.h"
#include "server/log.h"
#include "server/query.h"
#include "server/zload.h"
#include "server/zonetab.h"
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include "zone/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char conf_text[] = "server:\n"
				"  listen: [127.0.0.1@53]\n"
				"  nsid: fuzz\n"
				"  identity: fuzz.test\n"
				"  version: \"1.0\"\n"
				"zone:\n"
				"  - domain: example.com.\n"
				"  - domain: example.org.\n";

static const char zone_com[] = "$ORIGIN example.com.\n"
			       "$TTL 3600\n"
			       "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
			       "@ NS ns1\n"
			       "@ NS ns2\n"
			       "@ MX 10 mail\n"
			       "@ TXT \"v=spf1 mx -all\"\n"
			       "@ A 192.0.2.1\n"
			       "@ AAAA 2001:db8::1\n"
			       "ns1 A 192.0.2.53\n"
			       "ns1 AAAA 2001:db8::53\n"
			       "ns2 A 198.51.100.53\n"
			       "mail A 192.0.2.25\n"
			       "www CNAME @\n"
			       "alias CNAME www\n"
			       "ext CNAME host.example.org.\n"
			       "loop CNAME loop\n"
			       "*.apps A 192.0.2.80\n"
			       "*.wc CNAME www\n"
			       "a.b.c TXT \"ent\"\n"
			       "_sip._tcp SRV 10 5 5060 sip\n"
			       "sip A 192.0.2.60\n"
			       "sub NS ns.sub\n"
			       "sub NS ns.other\n"
			       "sub DS 12345 13 2 "
			       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
			       "ns.sub A 192.0.2.99\n"
			       "other NS ns.other\n"
			       "ns.other A 192.0.2.98\n"
			       "old DNAME example.org.\n"
			       "big TXT \"0123456789012345678901234567890123456789012345678901234567890123"
			       "4567890123456789012345678901234567890123456789012345678901234567\"\n"
			       "big TXT \"1123456789012345678901234567890123456789012345678901234567890123"
			       "4567890123456789012345678901234567890123456789012345678901234567\"\n"
			       "big TXT \"2123456789012345678901234567890123456789012345678901234567890123"
			       "4567890123456789012345678901234567890123456789012345678901234567\"\n"
			       "big TXT \"3123456789012345678901234567890123456789012345678901234567890123"
			       "4567890123456789012345678901234567890123456789012345678901234567\"\n";

static const char zone_org[] = "$ORIGIN example.org.\n"
			       "$TTL 60\n"
			       "@ SOA ns hostmaster 1 7200 3600 1209600 600\n"
			       "@ NS ns\n"
			       "ns A 192.0.2.201\n"
			       "host A 192.0.2.200\n"
			       "* MX 10 host\n";

static conf_t *conf;
static zone_t zones[2];
static zonetab_t *tab;
static query_view_t view;

static void
load_zone(zone_t *z, const char *apex, const char *text)
{
	size_t len;
	snap_t *s;
	if (dname_from_text(apex, strlen(apex), NULL, z->apex, &len) != SN_OK) {
		abort();
	}
	z->apex_len = len;
	z->name = strdup(apex); /* lives as long as the static zones */
	if (z->name == NULL) {
		abort();
	}
	z->conf = conf_zone_find(conf, z->apex);
	if (zload(z->apex, z->name, z->name, text, strlen(text), &s) != SN_OK) {
		abort();
	}
	zone_publish(z, s);
}

/* Once per process: the zones stay for its whole life. */
static void
setup(void)
{
	char err[CONF_ERRLEN];
	zone_t *list[2] = {&zones[0], &zones[1]};
	log_set_level(LOG_LVL_ERROR);
	rcu_register_thread();
	if (conf_load_mem("fuzz.yaml", conf_text, strlen(conf_text), &conf, err) != SN_OK) {
		abort();
	}
	load_zone(&zones[0], "example.com.", zone_com);
	load_zone(&zones[1], "example.org.", zone_org);
	if (zonetab_new(list, 2, &tab) != SN_OK) {
		abort();
	}
	view.conf = conf;
	view.zones = tab;
}

/* An upper bound of the UDP size limit the response must respect: 512
 * without an additional record (no EDNS), else our size (RFC 6891 6.2.5:
 * the smaller of the client's and ours). */
static size_t
udp_limit(const uint8_t *q, size_t qlen)
{
	if (qlen < 12 || wire_read_u16(q + 10) == 0) {
		return 512;
	}
	return 1232; /* udp-max-payload, by default */
}

/* Aborts unless `r` (`n` octets) is a well-formed response to `q`. */
static void
check_response(const uint8_t *q, size_t qlen, const uint8_t *r, size_t n, size_t limit)
{
	uint8_t dn[DNAME_MAXLEN];
	size_t dlen;
	static uint8_t rd[65535];
	size_t rl;

	if (n < 12 || n > 65535 || (limit != 0 && n > limit)) {
		abort();
	}
	/* RFC 1035 4.1.1: the ID and opcode copied, QR set */
	if (wire_read_u16(r) != wire_read_u16(q) || !(r[2] & 0x80) ||
	    ((r[2] >> 3) & 0xf) != ((q[2] >> 3) & 0xf)) {
		abort();
	}
	uint16_t qd = wire_read_u16(r + 4);
	unsigned total = (unsigned)wire_read_u16(r + 6) + wire_read_u16(r + 8) + wire_read_u16(r + 10);
	size_t pos = 12;
	if (qd > 1) {
		abort();
	}
	if (qd == 1) {
		/* the question as asked: the same name, type and class */
		uint8_t qn[DNAME_MAXLEN];
		size_t qnlen, qpos = 12;
		if (dname_unpack(r, n, &pos, dn, &dlen) != SN_OK || pos + 4 > n) {
			abort();
		}
		if (dname_unpack(q, qlen, &qpos, qn, &qnlen) != SN_OK || qpos + 4 > qlen ||
		    qnlen != dlen || memcmp(qn, dn, dlen) != 0 || memcmp(q + qpos, r + pos, 4) != 0) {
			abort();
		}
		pos += 4;
	}
	bool opt = false;
	for (unsigned i = 0; i < total; i++) {
		if (dname_unpack(r, n, &pos, dn, &dlen) != SN_OK || pos + 10 > n) {
			abort();
		}
		uint16_t type = wire_read_u16(r + pos);
		uint16_t rdlen = wire_read_u16(r + pos + 8);
		pos += 10;
		if (pos + rdlen > n) {
			abort();
		}
		if (type == RRTYPE_OPT) {
			/* one, in additional, at the root */
			if (opt || i < total - wire_read_u16(r + 10) || dlen != 1) {
				abort();
			}
			opt = true;
		} else if (rdata_unpack(type, r, n, pos, rdlen, rd, sizeof(rd), &rl) != SN_OK) {
			abort();
		}
		pos += rdlen;
	}
	if (pos != n) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static uint8_t resp[65535];
	query_stats_t st;
	struct sockaddr_in6 from = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};

	if (!ready) {
		setup();
		ready = true;
	}
	memset(&st, 0, sizeof(st));
	for (int tcp = 0; tcp < 2; tcp++) {
		rcu_read_lock();
		size_t n = query_answer(&view, data, size, resp, sizeof(resp),
				       (const struct sockaddr *)&from, tcp != 0, &st);
		rcu_read_unlock();
		if (n == 0) {
			/* silence only for no header or a response (RFC 1035 4.1.1) */
			if (size >= 12 && !(data[2] & 0x80)) {
				abort();
			}
			continue;
		}
		if (size < 12 || (data[2] & 0x80)) {
			abort();
		}
		check_response(data, size, resp, n, tcp ? 0 : udp_limit(data, size));
	}
	rcu_quiescent_state();
	return 0;
}
