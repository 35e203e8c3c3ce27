/* SPDX-License-Identifier: MIT
 * test_conf.c - the YAML configuration: each section, defaults, templates,
 * forward references, every kind of error with its file:line:col, the
 * diff used by reloads, and the value parsers (units, ranges, base64).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "conf/conf.h"
#include "tests/unit/suites.h"

static conf_t *
load_ok(const char *text)
{
	conf_t *c = NULL;
	char err[CONF_ERRLEN] = "";
	int rc = conf_load_mem("/etc/signet/signet.yaml", text, strlen(text), &c, err);
	if (rc != SN_OK) {
		fprintf(stderr, "\n  unexpected error: %s\n", err);
	}
	CU_ASSERT_EQUAL(rc, SN_OK);
	return c;
}

/* Loads `text`, expecting a failure whose first message is exactly `want`. */
static void
load_bad(const char *text, const char *want)
{
	conf_t *c = NULL;
	char err[CONF_ERRLEN] = "";
	int rc = conf_load_mem("t.yaml", text, strlen(text), &c, err);
	CU_ASSERT_EQUAL(rc, SN_EPARSE);
	CU_ASSERT_PTR_NULL(c);
	if (strcmp(err, want) != 0) {
		fprintf(stderr, "\n  text: %s\n  got:  %s\n  want: %s\n", text, err, want);
	}
	CU_ASSERT_STRING_EQUAL(err, want);
	conf_free(c);
}

static struct sockaddr_storage
addr(const char *s)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, s, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
	} else {
		CU_FAIL("bad test address");
	}
	return ss;
}

static bool
allows(const conf_zone_t *z, const char *a, const char *key, unsigned action)
{
	struct sockaddr_storage ss = addr(a);
	uint8_t name[DNAME_MAXLEN];
	size_t len;
	if (key != NULL && dname_from_text(key, strlen(key), (const uint8_t *)"", name, &len) != SN_OK) {
		CU_FAIL("bad test key name");
		return false;
	}
	return conf_zone_allows_key(z, (const struct sockaddr *)&ss, key != NULL ? name : NULL,
				    action);
}

static const conf_zone_t *
zone(const conf_t *c, const char *name)
{
	uint8_t apex[DNAME_MAXLEN];
	size_t len;
	if (dname_from_text(name, strlen(name), (const uint8_t *)"", apex, &len) != SN_OK) {
		return NULL;
	}
	return conf_zone_find(c, apex);
}

static void
test_conf_full_example(void)
{
	const char *text = "server:\n"
			   "  listen: [127.0.0.1@5300, \"::1@5300\"]\n"
			   "  workers: 2\n"
			   "  storage: ./var\n"
			   "  nsid: ns1\n"
			   "zone:\n"
			   "  - domain: example.com.\n"
			   "    file: zones/example.com.zone\n"
			   "    acl: [xfr]\n"
			   "  - domain: Example.NET\n"
			   "    file: /srv/net.zone\n"
			   "acl:\n"
			   "  - id: xfr\n"
			   "    address: [127.0.0.0/8, \"::1\"]\n"
			   "    action: [transfer]\n";
	conf_t *c = load_ok(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->listen_count, 2);
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&c->listen[0].addr;
	CU_ASSERT_EQUAL(sin->sin_family, AF_INET);
	CU_ASSERT_EQUAL(ntohs(sin->sin_port), 5300);
	CU_ASSERT_EQUAL(c->listen[1].addr.ss_family, AF_INET6);
	CU_ASSERT_EQUAL(c->workers, 2);
	CU_ASSERT_STRING_EQUAL(c->storage, "./var");
	CU_ASSERT_EQUAL(c->nsid_len, 3);
	CU_ASSERT_EQUAL(c->udp_max_payload, 1232);
	CU_ASSERT_EQUAL_FATAL(c->zone_count, 2);
	CU_ASSERT_STRING_EQUAL(c->zones[0].file, "/etc/signet/zones/example.com.zone");
	CU_ASSERT_STRING_EQUAL(c->zones[1].file, "/srv/net.zone");
	CU_ASSERT_EQUAL(memcmp(c->zones[1].apex, "\007Example\003NET", 13), 0);
	CU_ASSERT_PTR_EQUAL(conf_zone_find(c, (const uint8_t *)"\007example\003net"), &c->zones[1]);
	CU_ASSERT_PTR_EQUAL(conf_zone_find(c, (const uint8_t *)"\007EXAMPLE\003com"), &c->zones[0]);
	CU_ASSERT_PTR_NULL(conf_zone_find(c, (const uint8_t *)"\003org"));
	CU_ASSERT_PTR_NULL(conf_zone_find(c, (const uint8_t *)"\003www\007example\003com"));

	/* the acl section comes after the zones that use it */
	const conf_zone_t *z = &c->zones[0];
	CU_ASSERT_EQUAL(z->acl_count, 1);
	CU_ASSERT(allows(z, "127.1.2.3", NULL, CONF_ACT_TRANSFER));
	CU_ASSERT_FALSE(allows(z, "127.1.2.3", NULL, CONF_ACT_UPDATE));
	CU_ASSERT_FALSE(allows(z, "128.0.0.1", NULL, CONF_ACT_TRANSFER));
	CU_ASSERT(allows(z, "::1", NULL, CONF_ACT_TRANSFER));
	CU_ASSERT(allows(z, "::ffff:127.0.0.9", NULL, CONF_ACT_TRANSFER));
	CU_ASSERT_FALSE(allows(z, "::2", NULL, CONF_ACT_TRANSFER));
	/* the address-only entry point is the unsigned case */
	struct sockaddr_storage ss = addr("127.0.0.1");
	CU_ASSERT(conf_zone_allows(z, (struct sockaddr *)&ss, CONF_ACT_TRANSFER));
	/* an acl without keys is for unsigned requests only (as in Knot) */
	CU_ASSERT_FALSE(allows(z, "127.0.0.1", "k.", CONF_ACT_TRANSFER));
	/* a zone with no acl allows nothing */
	CU_ASSERT_FALSE(allows(&c->zones[1], "::1", NULL, CONF_ACT_TRANSFER));
	conf_free(c);
}

static void
test_conf_defaults(void)
{
	conf_t *c = load_ok("");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->listen_count, 1);
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&c->listen[0].addr;
	CU_ASSERT_EQUAL(ntohs(sin->sin_port), 53);
	CU_ASSERT_EQUAL(ntohl(sin->sin_addr.s_addr), 0x7f000001);
	CU_ASSERT_EQUAL(c->workers, 0);
	CU_ASSERT_EQUAL(c->tcp_workers, 0);
	CU_ASSERT_EQUAL(c->zone_count, 0);
	CU_ASSERT_EQUAL(c->tcp_idle_timeout, 10);
	CU_ASSERT_EQUAL(c->tcp_max_clients, 1024);
	CU_ASSERT_EQUAL(c->udp_max_payload, 1232);
	CU_ASSERT_STRING_EQUAL(c->storage, "./var");
	CU_ASSERT_STRING_EQUAL(c->control, "./var/signet.sock");
	CU_ASSERT_EQUAL(c->control_mode, 0600);
	CU_ASSERT_PTR_NULL(c->user);
	CU_ASSERT_PTR_NULL(c->group);
	CU_ASSERT_PTR_NULL(c->nsid);
	CU_ASSERT_PTR_NULL(c->identity);
	CU_ASSERT_PTR_NULL(c->version);
	CU_ASSERT_EQUAL_FATAL(c->log_count, 1);
	CU_ASSERT_EQUAL(c->logs[0].kind, CONF_LOG_STDERR);
	CU_ASSERT_EQUAL(c->logs[0].server, CONF_LOG_INFO);
	CU_ASSERT_EQUAL(c->logs[0].zone, CONF_LOG_INFO);
	CU_ASSERT_EQUAL(c->key_count + c->remote_count + c->acl_count + c->template_count, 0);
	conf_free(c);

	/* sections given empty are the same as absent */
	c = load_ok("server:\nzone:\nacl:\nkey: []\nlog:\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->zone_count, 0);
	CU_ASSERT_EQUAL(c->log_count, 1);
	conf_free(c);
	c = load_ok("log: []\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->zone_count, 0);
	CU_ASSERT_EQUAL(c->log_count, 1);
	conf_free(c);
	c = load_ok("# only a comment\n---\n");
	CU_ASSERT_PTR_NOT_NULL(c);
	conf_free(c);
	c = load_ok("---\nserver:\n  workers: 1\n...\n---\n");
	CU_ASSERT_PTR_NOT_NULL(c);
	conf_free(c);
}

static void
test_conf_server(void)
{
	const char *text = "server:\n"
			   "  listen: 192.0.2.1\n"
			   "  workers: 4\n"
			   "  tcp-workers: 2\n"
			   "  tcp-idle-timeout: 2m\n"
			   "  tcp-max-clients: 500\n"
			   "  udp-max-payload: 4K\n"
			   "  storage: /var/lib/signet/\n"
			   "  control: run/ctl.sock\n"
			   "  control-mode: 0660\n"
			   "  user: root:0\n"
			   "  nsid: 0x6E7331\n"
			   "  identity: ns1.example\n"
			   "  version: \"\"\n"
			   "  comment: as in Knot, ignored\n";
	conf_t *c = load_ok(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->listen_count, 1);
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in *)&c->listen[0].addr)->sin_port), 53);
	CU_ASSERT_EQUAL(c->workers, 4);
	CU_ASSERT_EQUAL(c->tcp_workers, 2);
	CU_ASSERT_EQUAL(c->tcp_idle_timeout, 120);
	CU_ASSERT_EQUAL(c->tcp_max_clients, 500);
	CU_ASSERT_EQUAL(c->udp_max_payload, 4096);
	CU_ASSERT_STRING_EQUAL(c->storage, "/var/lib/signet/");
	CU_ASSERT_STRING_EQUAL(c->control, "/var/lib/signet/run/ctl.sock");
	CU_ASSERT_EQUAL(c->control_mode, 0660);
	CU_ASSERT_STRING_EQUAL(c->user, "root");
	CU_ASSERT_EQUAL(c->uid, 0);
	CU_ASSERT_STRING_EQUAL(c->group, "0");
	CU_ASSERT_EQUAL(c->gid, 0);
	CU_ASSERT_EQUAL_FATAL(c->nsid_len, 3);
	CU_ASSERT_EQUAL(memcmp(c->nsid, "ns1", 3), 0);
	CU_ASSERT_STRING_EQUAL(c->identity, "ns1.example");
	CU_ASSERT_PTR_NULL(c->version); /* empty: refuse, as Knot does */
	conf_free(c);

	/* an absolute control path stays; the user's own group by default */
	c = load_ok("server:\n  control: /run/signet.sock\n  user: root\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->control, "/run/signet.sock");
	CU_ASSERT_EQUAL(c->uid, 0);
	CU_ASSERT_EQUAL(c->gid, 0);
	CU_ASSERT_PTR_NULL(c->group);
	conf_free(c);
	c = load_ok("server:\n  storage: /\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->control, "/signet.sock");
	conf_free(c);
	c = load_ok("server:\n  group: root\n  nsid: plain text\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NULL(c->user);
	CU_ASSERT_EQUAL(c->gid, 0);
	CU_ASSERT_EQUAL(c->nsid_len, 10);
	conf_free(c);
	/* a numeric user with no entry needs a group */
	c = load_ok("server:\n  user: 3999999:3999999\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->uid, 3999999);
	CU_ASSERT_EQUAL(c->gid, 3999999);
	conf_free(c);
}

static void
test_conf_log(void)
{
	const char *text = "log:\n"
			   "  - target: syslog\n"
			   "    any: warning\n"
			   "  - target: stdout\n"
			   "    zone: debug\n"
			   "  - target: logs/signet.log\n"
			   "    any: info\n"
			   "    control: critical\n";
	conf_t *c = load_ok(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(c->log_count, 3);
	CU_ASSERT_EQUAL(c->logs[0].kind, CONF_LOG_SYSLOG);
	CU_ASSERT_EQUAL(c->logs[0].server, CONF_LOG_WARNING);
	CU_ASSERT_EQUAL(c->logs[0].control, CONF_LOG_WARNING);
	CU_ASSERT_EQUAL(c->logs[0].zone, CONF_LOG_WARNING);
	CU_ASSERT_EQUAL(c->logs[1].kind, CONF_LOG_STDOUT);
	CU_ASSERT_EQUAL(c->logs[1].zone, CONF_LOG_DEBUG);
	CU_ASSERT_EQUAL(c->logs[1].server, CONF_LOG_NONE); /* no any: nothing else */
	CU_ASSERT_EQUAL(c->logs[2].kind, CONF_LOG_FILE);
	CU_ASSERT_STRING_EQUAL(c->logs[2].target, "/etc/signet/logs/signet.log");
	CU_ASSERT_EQUAL(c->logs[2].server, CONF_LOG_INFO);
	CU_ASSERT_EQUAL(c->logs[2].control, CONF_LOG_CRITICAL);
	conf_free(c);
}

static void
test_conf_key(void)
{
	const char *text = "key:\n"
			   "  - id: Transfer.Key\n"
			   "    algorithm: hmac-sha256\n"
			   "    secret: Zm9vYmFy\n"
			   "  - id: legacy\n"
			   "    algorithm: HMAC-SHA1\n"
			   "    secret: Zg==\n"
			   "  - id: big.\n"
			   "    algorithm: hmac-sha512\n"
			   "    secret: Zm9vYg==\n";
	conf_t *c = load_ok(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(c->key_count, 3);
	const conf_key_t *k = conf_key_find(c, (const uint8_t *)"\010transfer\003KEY");
	CU_ASSERT_PTR_EQUAL_FATAL(k, &c->keys[0]);
	CU_ASSERT_STRING_EQUAL(k->id, "Transfer.Key");
	CU_ASSERT_EQUAL(memcmp(k->name, "\010transfer\003key", 14), 0); /* lower case */
	CU_ASSERT_EQUAL(k->alg, CONF_TSIG_HMAC_SHA256);
	CU_ASSERT_EQUAL(k->secret_len, 6);
	CU_ASSERT_EQUAL(memcmp(k->secret, "foobar", 6), 0);
	CU_ASSERT_STRING_EQUAL(conf_tsig_alg_name(k->alg), "hmac-sha256");
	k = conf_key_find(c, (const uint8_t *)"\006legacy");
	CU_ASSERT_PTR_EQUAL_FATAL(k, &c->keys[1]);
	CU_ASSERT_EQUAL(k->alg, CONF_TSIG_HMAC_SHA1);
	CU_ASSERT_EQUAL(k->secret_len, 1);
	CU_ASSERT_PTR_EQUAL(conf_key_find(c, (const uint8_t *)"\003big"), &c->keys[2]);
	CU_ASSERT_PTR_NULL(conf_key_find(c, (const uint8_t *)"\003nop"));
	conf_free(c);

	load_bad("key:\n  - id: k\n    algorithm: hmac-md5\n    secret: Zg==\n",
		 "t.yaml:3:16: algorithm: hmac-md5 must not be used (RFC 8945 6); use hmac-sha256");
	load_bad("key:\n  - id: k\n    algorithm: hmac-sha256-128\n    secret: Zg==\n",
		 "t.yaml:3:16: algorithm: expected hmac-sha256, hmac-sha384, hmac-sha512, "
		 "hmac-sha224 or hmac-sha1");
	load_bad("key:\n  - id: k\n    algorithm: hmac-sha256\n    secret: Zm9v!\n",
		 "t.yaml:4:13: secret: not valid base64 (RFC 4648 4: A-Z a-z 0-9 + /, padded with = "
		 "to a multiple of 4)");
	load_bad("key:\n  - id: k\n    algorithm: hmac-sha256\n    secret: Zm9\n",
		 "t.yaml:4:13: secret: not valid base64 (RFC 4648 4: A-Z a-z 0-9 + /, padded with = "
		 "to a multiple of 4)");
	load_bad("key:\n  - id: k\n    algorithm: hmac-sha256\n    secret: \"\"\n",
		 "t.yaml:4:13: secret: expected the key in base64");
	load_bad("key:\n  - id: k\n    algorithm: hmac-sha256\n", "t.yaml:2:5: key: missing secret");
	load_bad("key:\n  - id: k\n    secret: Zg==\n", "t.yaml:2:5: key: missing algorithm");
	load_bad("key:\n  - id: a..b\n    algorithm: hmac-sha256\n    secret: Zg==\n",
		 "t.yaml:2:9: id: expected a domain name (the TSIG key name)");
	/* key ids are names: k and K. are the same key */
	load_bad("key:\n  - id: k\n    algorithm: hmac-sha256\n    secret: Zg==\n"
		 "  - id: K.\n    algorithm: hmac-sha256\n    secret: Zg==\n",
		 "t.yaml:5:9: key: duplicate id 'K.' (first at line 2)");
}

static void
test_conf_remote(void)
{
	const char *text = "remote:\n"
			   "  - id: primary\n"
			   "    address: [192.0.2.1, \"2001:db8::1@5353\"]\n"
			   "    via: 192.0.2.200\n"
			   "    key: k\n"
			   "  - id: plain\n"
			   "    address: 198.51.100.7@53000\n"
			   "key:\n"
			   "  - id: k\n"
			   "    algorithm: hmac-sha384\n"
			   "    secret: Zm9v\n";
	conf_t *c = load_ok(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	const conf_remote_t *r = conf_remote_find(c, "primary");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(r->addr_count, 2);
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in *)&r->addrs[0].addr)->sin_port), 53);
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in6 *)&r->addrs[1].addr)->sin6_port), 5353);
	CU_ASSERT_EQUAL_FATAL(r->via_count, 1);
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in *)&r->via[0].addr)->sin_port), 0);
	CU_ASSERT_PTR_EQUAL(r->key, &c->keys[0]);
	r = conf_remote_find(c, "plain");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NULL(r->key);
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in *)&r->addrs[0].addr)->sin_port), 53000);
	CU_ASSERT_PTR_NULL(conf_remote_find(c, "nope"));
	conf_free(c);

	load_bad("remote:\n  - id: r\n", "t.yaml:2:5: remote: missing address");
	load_bad("remote:\n  - id: r\n    address: []\n",
		 "t.yaml:3:14: address: expected at least one address");
	load_bad("server:\n  listen: []\n", "t.yaml:2:11: listen: expected at least one address");
	load_bad("remote:\n  - id: r\n    address: 192.0.2.1\n    key: nokey\n",
		 "t.yaml:4:10: key: no key with id 'nokey'");
	load_bad("remote:\n  - id: r\n    address: 192.0.2.1@http\n",
		 "t.yaml:3:14: address: expected address[@port], e.g. 127.0.0.1@5300 or \"::1@5300\"");
}

static void
test_conf_acl(void)
{
	const char *text = "key:\n"
			   "  - id: k1\n"
			   "    algorithm: hmac-sha256\n"
			   "    secret: Zm9v\n"
			   "  - id: k2\n"
			   "    algorithm: hmac-sha256\n"
			   "    secret: YmFy\n"
			   "remote:\n"
			   "  - id: sec\n"
			   "    address: [203.0.113.5@5300, \"2001:db8::5\"]\n"
			   "    key: k2\n"
			   "acl:\n"
			   "  - id: block\n"
			   "    address: 10.0.0.66\n"
			   "    deny: on\n"
			   "  - id: range\n"
			   "    address: 10.0.0.10-10.0.0.99\n"
			   "    action: [transfer, notify]\n"
			   "  - id: signed\n"
			   "    address: 192.0.2.0/24\n"
			   "    key: [k1]\n"
			   "    action: update\n"
			   "  - id: by-remote\n"
			   "    remote: sec\n"
			   "    action: transfer\n"
			   "  - id: nonet-update-deny\n"
			   "    action: update\n"
			   "    deny: true\n"
			   "zone:\n"
			   "  - domain: example.\n"
			   "    acl: [block, range, signed, by-remote, nonet-update-deny]\n";
	conf_t *c = load_ok(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	const conf_zone_t *z = zone(c, "example.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(z->acl_count, 5);
	const conf_acl_t *a = conf_acl_find(c, "range");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT(a->nets[0].is_range);
	CU_ASSERT_EQUAL(a->actions, CONF_ACT_TRANSFER | CONF_ACT_NOTIFY);
	/* the range, inclusive */
	CU_ASSERT(allows(z, "10.0.0.10", NULL, CONF_ACT_TRANSFER));
	CU_ASSERT(allows(z, "10.0.0.99", NULL, CONF_ACT_NOTIFY));
	CU_ASSERT_FALSE(allows(z, "10.0.0.9", NULL, CONF_ACT_TRANSFER));
	CU_ASSERT_FALSE(allows(z, "10.0.0.100", NULL, CONF_ACT_TRANSFER));
	/* a deny without actions denies all, and comes first */
	CU_ASSERT_FALSE(allows(z, "10.0.0.66", NULL, CONF_ACT_TRANSFER));
	/* keys: only requests signed with k1 */
	CU_ASSERT(allows(z, "192.0.2.9", "k1", CONF_ACT_UPDATE));
	CU_ASSERT(allows(z, "192.0.2.9", "K1.", CONF_ACT_UPDATE));
	CU_ASSERT_FALSE(allows(z, "192.0.2.9", "k2", CONF_ACT_UPDATE));
	CU_ASSERT_FALSE(allows(z, "192.0.2.9", NULL, CONF_ACT_UPDATE));
	CU_ASSERT_FALSE(allows(z, "192.0.2.9", "k1", CONF_ACT_TRANSFER));
	/* remote: its addresses (any port) with its key */
	CU_ASSERT(allows(z, "203.0.113.5", "k2", CONF_ACT_TRANSFER));
	CU_ASSERT(allows(z, "2001:db8::5", "k2", CONF_ACT_TRANSFER));
	CU_ASSERT(allows(z, "::ffff:203.0.113.5", "k2", CONF_ACT_TRANSFER));
	CU_ASSERT_FALSE(allows(z, "203.0.113.5", NULL, CONF_ACT_TRANSFER));
	CU_ASSERT_FALSE(allows(z, "203.0.113.5", "k1", CONF_ACT_TRANSFER));
	CU_ASSERT_FALSE(allows(z, "203.0.113.6", "k2", CONF_ACT_TRANSFER));
	/* update from anywhere else: the deny rule without address, then no */
	CU_ASSERT_FALSE(allows(z, "198.51.100.1", NULL, CONF_ACT_UPDATE));
	conf_free(c);

	load_bad("acl:\n  - id: x\n    action: axfr\n",
		 "t.yaml:3:13: action: expected transfer, notify or update");
	load_bad("acl:\n  - id: x\n    address: 10.0.0.0/33\n    action: transfer\n",
		 "t.yaml:3:14: address: expected an address, prefix or range, e.g. 10.0.0.0/8, "
		 "\"::1\" or 10.0.0.1-10.0.0.9");
	load_bad("acl:\n  - id: x\n    address: 10.0.0.9-10.0.0.1\n    action: transfer\n",
		 "t.yaml:3:14: address: expected an address, prefix or range, e.g. 10.0.0.0/8, "
		 "\"::1\" or 10.0.0.1-10.0.0.9");
	load_bad("acl:\n  - id: x\n  - id: x\n", "t.yaml:2:5: acl: missing action (transfer, notify or update)");
	load_bad("acl:\n  - id: x\n    deny: on\n  - id: x\n    deny: on\n",
		 "t.yaml:4:9: acl: duplicate id 'x' (first at line 2)");
	load_bad("acl:\n  - id: x\n    action: transfer\n    key: nokey\n",
		 "t.yaml:4:10: key: no key with id 'nokey'");
	load_bad("acl:\n  - id: x\n    action: transfer\n    remote: [nope]\n",
		 "t.yaml:4:14: remote: no remote with id 'nope'");
	load_bad("acl:\n  - id: x\n    action: transfer\n    deny: maybe\n",
		 "t.yaml:4:11: deny: expected on or off");
	load_bad("remote:\n  - id: r\n    address: 192.0.2.1\n"
		 "acl:\n  - id: x\n    action: transfer\n    remote: r\n    address: 10.0.0.1\n",
		 "t.yaml:5:5: acl: give remote, or address and key, not both (a remote brings its "
		 "addresses and key)");
	load_bad("acl:\n  - action: transfer\n", "t.yaml:2:5: acl: missing id");
	load_bad("acl:\n  - id: \"\"\n    action: transfer\n", "t.yaml:2:9: id: expected a non-empty string");
	load_bad("acl:\n  - just-a-name\n", "t.yaml:2:5: acl: each item must be a mapping with an id");
	load_bad("acl:\n  id: x\n", "t.yaml:2:3: acl: expected a list of items, each with an id");
}

static void
test_conf_template_inheritance(void)
{
	const char *text = "template:\n"
			   "  - id: default\n"
			   "    journal-max-entries: 50\n"
			   "    serial-policy: unixtime\n"
			   "    acl: [a1]\n"
			   "    notify: [sec]\n"
			   "  - id: t\n"
			   "    journal-max-size: 16M\n"
			   "    serial-auto-bump: on\n"
			   "    file: /zones/%s.db\n"
			   "    master: [sec]\n"
			   "zone:\n"
			   "  - domain: own.\n"
			   "    template: t\n"
			   "    journal-max-entries: 7\n"
			   "    journal-max-size: 1M\n"
			   "    serial-policy: dateserial\n"
			   "    serial-auto-bump: off\n"
			   "    acl: []\n"
			   "    notify: []\n"
			   "    file: own.zone\n"
			   "  - domain: tmpl.\n"
			   "    template: t\n"
			   "  - domain: dflt.\n"
			   "  - domain: named-default.\n"
			   "    template: default\n"
			   "  - domain: .\n"
			   "acl:\n"
			   "  - id: a1\n"
			   "    action: transfer\n"
			   "remote:\n"
			   "  - id: sec\n"
			   "    address: 192.0.2.2\n";
	conf_t *c = load_ok(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	const conf_template_t *def = conf_template_find(c, "default");
	const conf_template_t *t = conf_template_find(c, "t");
	const conf_acl_t *a1 = conf_acl_find(c, "a1");
	const conf_remote_t *sec = conf_remote_find(c, "sec");
	CU_ASSERT_PTR_NOT_NULL_FATAL(def);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);

	/* the zone's own values win over everything */
	const conf_zone_t *z = zone(c, "own.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_PTR_EQUAL(z->tmpl, t);
	CU_ASSERT_EQUAL(z->journal_max_entries, 7);
	CU_ASSERT_EQUAL(z->journal_max_size, 1024 * 1024);
	CU_ASSERT_EQUAL(z->serial_policy, CONF_SERIAL_DATESERIAL);
	CU_ASSERT_FALSE(z->serial_auto_bump);
	CU_ASSERT_EQUAL(z->acl_count, 0); /* an empty list overrides */
	CU_ASSERT_EQUAL(z->notify_count, 0);
	CU_ASSERT_EQUAL(z->master_count, 1); /* from t */
	CU_ASSERT_STRING_EQUAL(z->file, "/etc/signet/own.zone");
	CU_ASSERT_EQUAL(z->own_set & CONF_ZOPT_MASTER, 0);
	CU_ASSERT_NOT_EQUAL(z->own_set & CONF_ZOPT_ACL, 0);

	/* its template's, then the default template's */
	z = zone(c, "tmpl.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_PTR_EQUAL(z->tmpl, t);
	CU_ASSERT_EQUAL(z->journal_max_entries, 50);
	CU_ASSERT_EQUAL(z->journal_max_size, 16 * 1024 * 1024);
	CU_ASSERT_EQUAL(z->serial_policy, CONF_SERIAL_UNIXTIME);
	CU_ASSERT(z->serial_auto_bump);
	CU_ASSERT_EQUAL_FATAL(z->acl_count, 1);
	CU_ASSERT_PTR_EQUAL(z->acls[0], a1);
	CU_ASSERT_EQUAL_FATAL(z->master_count, 1);
	CU_ASSERT_PTR_EQUAL(z->masters[0], sec);
	CU_ASSERT_EQUAL_FATAL(z->notify_count, 1);
	CU_ASSERT_PTR_EQUAL(z->notify[0], sec);
	CU_ASSERT_STRING_EQUAL(z->file, "/zones/tmpl.db");

	/* no template: the default one, then the built-in values */
	for (int i = 0; i < 2; i++) {
		z = zone(c, i == 0 ? "dflt." : "named-default.");
		CU_ASSERT_PTR_NOT_NULL_FATAL(z);
		CU_ASSERT_PTR_EQUAL(z->tmpl, def);
		CU_ASSERT_EQUAL(z->journal_max_entries, 50);
		CU_ASSERT_EQUAL(z->journal_max_size, CONF_JOURNAL_MAX_SIZE);
		CU_ASSERT_EQUAL(z->serial_policy, CONF_SERIAL_UNIXTIME);
		CU_ASSERT_FALSE(z->serial_auto_bump);
		CU_ASSERT_EQUAL(z->acl_count, 1);
		CU_ASSERT_EQUAL(z->master_count, 0);
	}
	CU_ASSERT_STRING_EQUAL(zone(c, "dflt.")->file, "/etc/signet/dflt.zone");
	/* the root zone: %s is empty, as in Knot */
	CU_ASSERT_STRING_EQUAL(zone(c, ".")->file, "/etc/signet/.zone");
	conf_free(c);

	/* no templates at all: built-in defaults */
	c = load_ok("zone:\n  - domain: x.\n    file: \"%%/%s/%s\"\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	z = &c->zones[0];
	CU_ASSERT_PTR_NULL(z->tmpl);
	CU_ASSERT_EQUAL(z->journal_max_entries, CONF_JOURNAL_MAX_ENTRIES);
	CU_ASSERT_EQUAL(z->journal_max_size, CONF_JOURNAL_MAX_SIZE);
	CU_ASSERT_EQUAL(z->serial_policy, CONF_SERIAL_INCREMENT);
	CU_ASSERT_FALSE(z->serial_auto_bump);
	CU_ASSERT_FALSE(z->dnssec_signing);
	CU_ASSERT_PTR_NULL(z->policy);
	CU_ASSERT_EQUAL(z->acl_count + z->master_count + z->notify_count, 0);
	CU_ASSERT_STRING_EQUAL(z->file, "/etc/signet/%/x/x");
	conf_free(c);

	load_bad("zone:\n  - domain: x.\n    template: nope\n",
		 "t.yaml:3:15: template: no template with id 'nope'");
	load_bad("template:\n  - id: t\n    domain: x.\n",
		 "t.yaml:3:5: template: unknown key 'domain'");
	load_bad("template:\n  - id: t\n    template: u\n",
		 "t.yaml:3:5: template: unknown key 'template'");
	load_bad("template:\n  - id: t\n    acl: [nope]\n", "t.yaml:3:11: acl: no acl with id 'nope'");
	load_bad("template:\n  - id: t\n    file: \"%c[0]/%s\"\n",
		 "t.yaml:3:11: file: unknown formatter '%c' (signet knows %s, the zone name, and %%)");
}

static void
test_conf_policy(void)
{
	/* every option written out */
	conf_t *c = load_ok("zone:\n"
			    "  - domain: a.\n"
			    "    dnssec-signing: on\n"
			    "    dnssec-policy: p\n"
			    "policy:\n"
			    "  - id: p\n"
			    "    algorithm: RSASHA256\n"
			    "    ksk-size: 4096\n"
			    "    zsk-size: 1024\n"
			    "    manual: on\n"
			    "    ksk-lifetime: 52w\n"
			    "    zsk-lifetime: 60d\n"
			    "    delete-delay: 2d\n"
			    "    propagation-delay: 10m\n"
			    "    dnskey-ttl: 2h\n"
			    "    zone-max-ttl: 1d\n"
			    "    rrsig-lifetime: 3w\n"
			    "    rrsig-refresh: 5d\n"
			    "    rrsig-pre-refresh: 2h\n"
			    "    rrsig-jitter: 6h\n"
			    "    reproducible-signing: on\n"
			    "    nsec3: on\n"
			    "    nsec3-iterations: 5\n"
			    "    nsec3-salt-length: 8\n"
			    "    nsec3-salt-lifetime: -1\n"
			    "    nsec3-opt-out: on\n"
			    "    cds-cdnskey-publish: double-ds\n"
			    "    cds-digest-type: sha384\n"
			    "    ksk-submission: s\n"
			    "submission:\n"
			    "  - id: s\n"
			    "    parent: [r1, r2]\n"
			    "    check-interval: 10m\n"
			    "    timeout: 2d\n"
			    "    parent-delay: 1h\n"
			    "remote:\n"
			    "  - id: r1\n    address: 192.0.2.1\n"
			    "  - id: r2\n    address: 192.0.2.2\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	const conf_policy_t *p = c->zones[0].policy;
	CU_ASSERT_PTR_EQUAL_FATAL(p, conf_policy_find(c, "p"));
	CU_ASSERT_TRUE(c->zones[0].dnssec_signing);
	CU_ASSERT_FALSE(p->builtin);
	CU_ASSERT_EQUAL(p->algorithm, 8);
	CU_ASSERT_EQUAL(p->ksk_size, 4096);
	CU_ASSERT_EQUAL(p->zsk_size, 1024);
	CU_ASSERT_TRUE(p->manual);
	CU_ASSERT_FALSE(p->single_type_signing);
	CU_ASSERT_EQUAL(p->ksk_lifetime, 52 * 7 * 86400);
	CU_ASSERT_EQUAL(p->zsk_lifetime, 60 * 86400);
	CU_ASSERT_EQUAL(p->delete_delay, 2 * 86400);
	CU_ASSERT_EQUAL(p->propagation_delay, 600);
	CU_ASSERT_EQUAL(p->dnskey_ttl, 7200);
	CU_ASSERT_EQUAL(p->zone_max_ttl, 86400);
	CU_ASSERT_EQUAL(p->rrsig_lifetime, 21 * 86400);
	CU_ASSERT_EQUAL(p->rrsig_refresh, 5 * 86400);
	CU_ASSERT_EQUAL(conf_policy_rrsig_refresh(p, 999), 5 * 86400);
	CU_ASSERT_EQUAL(p->rrsig_pre_refresh, 7200);
	CU_ASSERT_EQUAL(p->rrsig_jitter, 6 * 3600);
	CU_ASSERT_TRUE(p->reproducible_signing);
	CU_ASSERT_TRUE(p->nsec3);
	CU_ASSERT_EQUAL(p->nsec3_iterations, 5);
	CU_ASSERT_EQUAL(p->nsec3_salt_length, 8);
	CU_ASSERT_EQUAL(p->nsec3_salt_lifetime, CONF_NSEC3_SALT_PER_ZSK);
	CU_ASSERT_TRUE(p->nsec3_opt_out);
	CU_ASSERT_EQUAL(p->cds_cdnskey_publish, CONF_CDS_DOUBLE_DS);
	CU_ASSERT_EQUAL(p->cds_digest_type, 4);
	CU_ASSERT_PTR_EQUAL_FATAL(p->ksk_submission, &c->submissions[0]);
	CU_ASSERT_EQUAL(c->submission_count, 1);
	CU_ASSERT_EQUAL_FATAL(p->ksk_submission->parent_count, 2);
	CU_ASSERT_PTR_EQUAL(p->ksk_submission->parents[1], conf_remote_find(c, "r2"));
	CU_ASSERT_EQUAL(p->ksk_submission->check_interval, 600);
	CU_ASSERT_EQUAL(p->ksk_submission->timeout, 2 * 86400);
	CU_ASSERT_EQUAL(p->ksk_submission->parent_delay, 3600);
	conf_free(c);

	/* the defaults: Knot's, but NSEC3 without salt (RFC 9276) */
	c = load_ok("zone:\n  - domain: a.\n    dnssec-signing: on\n"
		    "  - domain: b.\n    dnssec-signing: on\n"
		    "  - domain: off.\n    dnssec-policy: p\n"
		    "policy:\n  - id: p\n    algorithm: ed25519\n"
		    "submission:\n  - id: s\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	p = c->zones[0].policy;
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_EQUAL(c->zones[1].policy, p); /* one built-in for all */
	CU_ASSERT_PTR_NULL(c->zones[2].policy);     /* signing off: no policy */
	CU_ASSERT_FALSE(c->zones[2].dnssec_signing);
	CU_ASSERT_TRUE(p->builtin);
	CU_ASSERT_STRING_EQUAL(p->id, "default");
	CU_ASSERT_PTR_NULL(conf_policy_find(c, "default"));
	CU_ASSERT_EQUAL(p->algorithm, CONF_ALG_ECDSAP256SHA256);
	CU_ASSERT_EQUAL(p->ksk_size, 256);
	CU_ASSERT_EQUAL(p->zsk_size, 256);
	CU_ASSERT_FALSE(p->single_type_signing);
	CU_ASSERT_FALSE(p->manual);
	CU_ASSERT_EQUAL(p->ksk_lifetime, 0);
	CU_ASSERT_EQUAL(p->zsk_lifetime, 30 * 86400);
	CU_ASSERT_EQUAL(p->delete_delay, 0);
	CU_ASSERT_EQUAL(p->propagation_delay, 3600);
	CU_ASSERT_EQUAL(p->dnskey_ttl, CONF_POLICY_AUTO);
	CU_ASSERT_EQUAL(p->zone_max_ttl, CONF_POLICY_AUTO);
	CU_ASSERT_EQUAL(p->rrsig_lifetime, 14 * 86400);
	CU_ASSERT_EQUAL(p->rrsig_refresh, CONF_POLICY_AUTO);
	CU_ASSERT_EQUAL(conf_policy_rrsig_refresh(p, 86400), 3600 + 86400);
	CU_ASSERT_EQUAL(conf_policy_rrsig_refresh(p, UINT32_MAX), UINT32_MAX - 1);
	CU_ASSERT_EQUAL(p->rrsig_pre_refresh, 3600);
	CU_ASSERT_EQUAL(p->rrsig_jitter, 12 * 3600);
	CU_ASSERT_TRUE(p->nsec3);
	CU_ASSERT_EQUAL(p->nsec3_iterations, 0);
	CU_ASSERT_EQUAL(p->nsec3_salt_length, 0);
	CU_ASSERT_FALSE(p->nsec3_opt_out);
	CU_ASSERT_EQUAL(p->nsec3_salt_lifetime, 30 * 86400);
	CU_ASSERT_EQUAL(p->cds_cdnskey_publish, CONF_CDS_ROLLOVER);
	CU_ASSERT_EQUAL(p->cds_digest_type, 2);
	CU_ASSERT_PTR_NULL(p->ksk_submission);
	const conf_policy_t *ed = conf_policy_find(c, "p");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ed);
	CU_ASSERT_EQUAL(ed->ksk_size, 256);
	CU_ASSERT_EQUAL(c->submissions[0].check_interval, 3600);
	CU_ASSERT_EQUAL(c->submissions[0].parent_count, 0);
	CU_ASSERT_STRING_EQUAL(conf_dnssec_alg_name(15), "ed25519");
	CU_ASSERT_STRING_EQUAL(conf_dnssec_alg_name(8), "rsasha256");
	CU_ASSERT_PTR_NULL(conf_dnssec_alg_name(5));
	conf_free(c);

	/* a policy with id `default` replaces the built-in; templates name
	 * policies too; rsasha512 and ed448 sizes */
	c = load_ok("template:\n  - id: default\n    dnssec-signing: on\n"
		    "  - id: t\n    dnssec-policy: big\n"
		    "zone:\n  - domain: a.\n  - domain: b.\n    template: t\n"
		    "  - domain: c.\n    dnssec-signing: off\n"
		    "policy:\n  - id: default\n    single-type-signing: on\n    algorithm: ed448\n"
		    "  - id: big\n    algorithm: rsasha512\n    zsk-size: 1536\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_EQUAL(c->zones[0].policy, conf_policy_find(c, "default"));
	CU_ASSERT_TRUE(c->zones[0].policy->single_type_signing);
	CU_ASSERT_EQUAL(c->zones[0].policy->ksk_size, 456);
	CU_ASSERT_PTR_EQUAL(c->zones[1].policy, conf_policy_find(c, "big"));
	CU_ASSERT_TRUE(c->zones[1].dnssec_signing); /* from the default template */
	CU_ASSERT_EQUAL(c->zones[1].policy->algorithm, 10);
	CU_ASSERT_EQUAL(c->zones[1].policy->ksk_size, 2048);
	CU_ASSERT_EQUAL(c->zones[1].policy->zsk_size, 1536);
	CU_ASSERT_PTR_NULL(c->zones[2].policy);
	conf_free(c);

	/* bad values, at their exact place */
	load_bad("policy:\n  - id: p\n    algorithm: rsasha1\n",
		 "t.yaml:3:16: algorithm: signet does not sign with rsasha1 (RFC 8624 3.1: not to "
		 "be used for signing); use ecdsap256sha256");
	load_bad("policy:\n  - id: p\n    algorithm: gost\n",
		 "t.yaml:3:16: algorithm: expected ecdsap256sha256, ecdsap384sha384, ed25519, "
		 "ed448, rsasha256 or rsasha512");
	load_bad("policy:\n  - id: p\n    algorithm: rsasha256\n    ksk-size: 512\n",
		 "t.yaml:4:15: ksk-size: RSA keys must have 1024 to 4096 bits");
	load_bad("policy:\n  - id: p\n    zsk-size: 8192\n    algorithm: rsasha256\n",
		 "t.yaml:3:15: zsk-size: RSA keys must have 1024 to 4096 bits");
	load_bad("policy:\n  - id: p\n    zsk-size: 2048\n",
		 "t.yaml:3:15: zsk-size: ecdsap256sha256 keys have 256 bits; only RSA sizes can be "
		 "chosen");
	load_bad("policy:\n  - id: p\n    ksk-size: big\n", "t.yaml:3:15: ksk-size: expected a number");
	load_bad("policy:\n  - id: p\n    rrsig-lifetime: 14x\n",
		 "t.yaml:3:21: rrsig-lifetime: expected a time, e.g. 30, 30s, 5m, 2h, 1d or 2w");
	load_bad("policy:\n  - id: p\n    rrsig-lifetime: 30s\n",
		 "t.yaml:3:21: rrsig-lifetime: 30s is out of range 1m..2147483647s");
	load_bad("policy:\n  - id: p\n    rrsig-lifetime: 5d\n    rrsig-refresh: 7d\n",
		 "t.yaml:4:20: rrsig-refresh: 7d is not shorter than rrsig-lifetime (5d)");
	load_bad("policy:\n  - id: p\n    rrsig-refresh: 2w\n",
		 "t.yaml:3:20: rrsig-refresh: 14d is not shorter than rrsig-lifetime (14d)");
	load_bad("policy:\n  - id: p\n    rrsig-jitter: 3w\n",
		 "t.yaml:3:19: rrsig-jitter: 21d is not shorter than rrsig-lifetime (14d)");
	load_bad("policy:\n  - id: p\n    rrsig-lifetime: 1d\n    rrsig-refresh: 23h\n",
		 "t.yaml:2:5: policy 'p': rrsig-refresh (23h) + rrsig-pre-refresh (1h) + "
		 "rrsig-jitter (3085s) must be shorter than rrsig-lifetime (1d): new signatures "
		 "would be due for refresh at once");
	c = load_ok("policy:\n  - id: p\n    rrsig-lifetime: 1d\n    rrsig-refresh: 20h\n"
		    "  - id: q\n    zone-max-ttl: 13d\n");
	CU_ASSERT_PTR_NOT_NULL(c);
	conf_free(c);
	/* the default refresh is known once zone-max-ttl is written */
	load_bad("policy:\n  - id: p\n    zone-max-ttl: 324h\n",
		 "t.yaml:2:5: policy 'p': rrsig-refresh (325h) + rrsig-pre-refresh (1h) + "
		 "rrsig-jitter (12h) must be shorter than rrsig-lifetime (14d): new signatures "
		 "would be due for refresh at once");
	load_bad("policy:\n  - id: p\n    dnskey-ttl: 2d\n    zsk-lifetime: 1d\n",
		 "t.yaml:4:19: zsk-lifetime: 1d is not longer than propagation-delay + dnskey-ttl "
		 "(49h): the next key would be due before it is in every cache (RFC 7583 3)");
	load_bad("policy:\n  - id: p\n    dnskey-ttl: 40d\n",
		 "t.yaml:2:5: zsk-lifetime: 30d is not longer than propagation-delay + dnskey-ttl "
		 "(961h): the next key would be due before it is in every cache (RFC 7583 3)");
	load_bad("policy:\n  - id: p\n    single-type-signing: on\n    zsk-lifetime: 30d\n",
		 "t.yaml:4:19: zsk-lifetime: there is no ZSK with single-type-signing: on (the CSK "
		 "follows ksk-lifetime and ksk-size)");
	load_bad("policy:\n  - id: p\n    nsec3: off\n    nsec3-opt-out: on\n",
		 "t.yaml:4:20: nsec3-opt-out: opt-out is an NSEC3 feature (RFC 5155 6); set nsec3: "
		 "on");
	load_bad("policy:\n  - id: p\n    nsec3-iterations: 51\n",
		 "t.yaml:3:23: nsec3-iterations: 51 is out of range 0..50");
	load_bad("policy:\n  - id: p\n    nsec3-salt-length: 256\n",
		 "t.yaml:3:24: nsec3-salt-length: 256 is out of range 0..255");
	load_bad("policy:\n  - id: p\n    nsec3-salt-lifetime: -2\n",
		 "t.yaml:3:26: nsec3-salt-lifetime: expected a time, e.g. 30, 30s, 5m, 2h, 1d or 2w");
	load_bad("policy:\n  - id: p\n    cds-cdnskey-publish: sometimes\n",
		 "t.yaml:3:26: cds-cdnskey-publish: expected none, delete-dnssec, rollover, always "
		 "or double-ds");
	load_bad("policy:\n  - id: p\n    cds-digest-type: sha1\n",
		 "t.yaml:3:22: cds-digest-type: expected sha256 or sha384");
	load_bad("policy:\n  - id: p\n    nsec3: maybe\n", "t.yaml:3:12: nsec3: expected on or off");
	load_bad("policy:\n  - id: p\n    ksk-submission: nope\n",
		 "t.yaml:3:21: ksk-submission: no submission with id 'nope'");
	load_bad("policy:\n  - id: p\n    ksk-shared: on\n",
		 "t.yaml:3:5: policy: 'ksk-shared' is a Knot DNS option that signet does not have");
	load_bad("policy:\n  - id: p\n    signatures-validity: 14d\n",
		 "t.yaml:3:5: policy: unknown key 'signatures-validity' (did you mean "
		 "'rrsig-lifetime'?)");
	load_bad("policy:\n  - id: p\n    rrsig-lifetme: 14d\n",
		 "t.yaml:3:5: policy: unknown key 'rrsig-lifetme' (did you mean 'rrsig-lifetime'?)");
	load_bad("submission:\n  - id: s\n    parent: nope\n",
		 "t.yaml:3:13: parent: no remote with id 'nope'");
	load_bad("submission:\n  - id: s\n    check-interval: 0\n",
		 "t.yaml:3:21: check-interval: 0 is out of range 1s..2147483647s");
	load_bad("submission:\n  - id: s\n  - id: s\n",
		 "t.yaml:3:9: submission: duplicate id 's' (first at line 2)");

	/* zone side: dangling references, wrong types, Knot's key name */
	load_bad("zone:\n  - domain: a.\n    dnssec-policy: p\n",
		 "t.yaml:3:20: dnssec-policy: no policy with id 'p'");
	load_bad("template:\n  - id: t\n    dnssec-policy: [p]\n",
		 "t.yaml:3:20: dnssec-policy: expected an id");
	load_bad("zone:\n  - domain: a.\n    dnssec-signing: yes\n",
		 "t.yaml:3:21: dnssec-signing: expected on or off");
	load_bad("zone:\n  - domain: a.\n    policy: p\n",
		 "t.yaml:3:5: zone: unknown key 'policy' (did you mean 'dnssec-policy'?)");
	/* a problem in a policy nobody uses is still a problem */
	load_bad("policy:\n  - id: unused\n    rrsig-refresh: 30d\n",
		 "t.yaml:3:20: rrsig-refresh: 30d is not shorter than rrsig-lifetime (14d)");
}

static void
test_conf_forward_refs(void)
{
	/* every reference points to an item further down the file */
	const char *text = "zone:\n"
			   "  - domain: a.\n"
			   "    template: t\n"
			   "    master: r\n"
			   "    dnssec-policy: p\n"
			   "    dnssec-signing: on\n"
			   "template:\n"
			   "  - id: t\n"
			   "    acl: x\n"
			   "acl:\n"
			   "  - id: x\n"
			   "    key: k\n"
			   "    action: transfer\n"
			   "remote:\n"
			   "  - id: r\n"
			   "    address: 192.0.2.1\n"
			   "    key: k\n"
			   "policy:\n"
			   "  - id: p\n"
			   "    ksk-submission: s\n"
			   "submission:\n"
			   "  - id: s\n"
			   "    parent: r\n"
			   "key:\n"
			   "  - id: k\n"
			   "    algorithm: hmac-sha256\n"
			   "    secret: Zm9v\n";
	conf_t *c = load_ok(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	const conf_zone_t *z = &c->zones[0];
	CU_ASSERT_PTR_EQUAL(z->tmpl, &c->templates[0]);
	CU_ASSERT_EQUAL_FATAL(z->acl_count, 1);
	CU_ASSERT_PTR_EQUAL(z->acls[0], &c->acls[0]);
	CU_ASSERT_PTR_EQUAL(z->acls[0]->keys[0], &c->keys[0]);
	CU_ASSERT_PTR_EQUAL(z->masters[0], &c->remotes[0]);
	CU_ASSERT_PTR_EQUAL(z->masters[0]->key, &c->keys[0]);
	CU_ASSERT_PTR_EQUAL(z->policy, &c->policies[0]);
	CU_ASSERT_PTR_EQUAL(z->policy->ksk_submission, &c->submissions[0]);
	CU_ASSERT_PTR_EQUAL(c->submissions[0].parents[0], &c->remotes[0]);
	CU_ASSERT_STRING_EQUAL(z->masters[0]->key->id, "k");
	conf_free(c);
}

static void
test_conf_errors(void)
{
	/* unknown keys, with a suggestion for near misses and Knot's names */
	load_bad("server:\n  workerz: 2\n",
		 "t.yaml:2:3: server: unknown key 'workerz' (did you mean 'workers'?)");
	load_bad("server:\n  udp-workers: 2\n",
		 "t.yaml:2:3: server: unknown key 'udp-workers' (did you mean 'workers'?)");
	load_bad("server:\n  max-tcp-clients: 2\n",
		 "t.yaml:2:3: server: unknown key 'max-tcp-clients' (did you mean 'tcp-max-clients'?)");
	load_bad("zone:\n  - domain: a.\n    max-journal-depth: 9\n",
		 "t.yaml:3:5: zone: unknown key 'max-journal-depth' (did you mean "
		 "'journal-max-entries'?)");
	load_bad("server:\n  frobnicate: 1\n", "t.yaml:2:3: server: unknown key 'frobnicate'");
	load_bad("zones:\n  - domain: a.\n", "t.yaml:1:1: unknown section 'zones' (did you mean 'zone'?)");
	load_bad("statistics:\n  timer: 1\n", "t.yaml:1:1: unknown section 'statistics'");
	load_bad("control:\n  listen: x.sock\n",
		 "t.yaml:1:1: unknown section 'control' (the control socket is set in server: "
		 "control, control-mode)");
	load_bad("server:\n  workers: 1\nserver:\n  workers: 2\n",
		 "t.yaml:3:1: section 'server' is given twice (first at line 1)");
	load_bad("server:\n  workers: 1\n  workers: 2\n",
		 "t.yaml:3:3: server: 'workers' is given twice (first at line 2); give several "
		 "values as [a, b]");
	load_bad("[server]\n", "t.yaml:1:1: expected a mapping of sections (server, log, key, remote, "
			       "acl, submission, template, policy, zone)");

	/* wrong types */
	load_bad("server:\n  workers: two\n", "t.yaml:2:12: workers: expected a number");
	load_bad("server:\n  workers: -1\n", "t.yaml:2:12: workers: expected a number");
	load_bad("server:\n  workers: [1]\n", "t.yaml:2:12: workers: expected a number");
	load_bad("server:\n  listen: {a: b}\n", "t.yaml:2:11: listen: expected a list");
	load_bad("server:\n  storage: [a]\n", "t.yaml:2:12: storage: expected a non-empty string");
	load_bad("server: [1, 2]\n", "t.yaml:1:9: server: expected a mapping");
	load_bad("server:\n  listen: 127.0.0.1@99999\n",
		 "t.yaml:2:11: listen: expected address[@port], e.g. 127.0.0.1@5300 or \"::1@5300\"");
	load_bad("server:\n  control-mode: 0900\n",
		 "t.yaml:2:17: control-mode: expected permission bits in octal, e.g. 0600 or 0660");
	load_bad("server:\n  nsid: 0x123\n",
		 "t.yaml:2:9: nsid: expected an even number of hex digits after 0x");
	load_bad("server:\n  tcp-idle-timeout: 5x\n",
		 "t.yaml:2:21: tcp-idle-timeout: expected a time, e.g. 30, 30s, 5m, 2h, 1d or 2w");
	load_bad("server:\n  udp-max-payload: lots\n",
		 "t.yaml:2:20: udp-max-payload: expected a size, e.g. 512, 64K, 16M or 1G");
	load_bad("zone:\n  - domain: a.\n    serial-auto-bump: maybe\n",
		 "t.yaml:3:23: serial-auto-bump: expected on or off");
	load_bad("zone:\n  - domain: a.\n    serial-policy: random\n",
		 "t.yaml:3:20: serial-policy: expected increment, unixtime or dateserial");
	load_bad("log:\n  - target: stderr\n    any: loud\n",
		 "t.yaml:3:10: any: expected critical, error, warning, notice, info or debug");

	/* out of range */
	load_bad("server:\n  workers: 1000\n", "t.yaml:2:12: workers: 1000 is out of range 0..256");
	load_bad("server:\n  workers: 99999999999999999999999\n",
		 "t.yaml:2:12: workers: 99999999999999999999999 is out of range 0..256");
	load_bad("server:\n  tcp-max-clients: 0\n",
		 "t.yaml:2:20: tcp-max-clients: 0 is out of range 1..1000000");
	load_bad("server:\n  tcp-idle-timeout: 2d\n",
		 "t.yaml:2:21: tcp-idle-timeout: 2d is out of range 1s..1d");
	load_bad("server:\n  udp-max-payload: 100\n",
		 "t.yaml:2:20: udp-max-payload: 100 is out of range 512..65535");
	load_bad("zone:\n  - domain: a.\n    journal-max-size: 1K\n",
		 "t.yaml:3:23: journal-max-size: 1K is out of range 64K..1024G");
	load_bad("zone:\n  - domain: a.\n    journal-max-size: 99999999999G\n",
		 "t.yaml:3:23: journal-max-size: 99999999999G is out of range 64K..1024G");
	load_bad("zone:\n  - domain: a.\n    journal-max-entries: 0\n",
		 "t.yaml:3:26: journal-max-entries: 0 is out of range 1..4294967295");

	/* zones */
	load_bad("zone:\n  - domain: a..b\n", "t.yaml:2:13: domain: expected a domain name");
	load_bad("zone:\n  - file: x\n", "t.yaml:2:5: zone: missing domain");
	load_bad("zone:\n  - domain: a.\n  - domain: A\n",
		 "t.yaml:3:13: zone: 'A' is defined twice (first at line 2)");
	load_bad("zone:\n  - domain: a.\n    acl: nope\n", "t.yaml:3:10: acl: no acl with id 'nope'");
	load_bad("zone:\n  - domain: a.\n    master: [r1]\n",
		 "t.yaml:3:14: master: no remote with id 'r1'");
	load_bad("zone:\n  - domain: a.\n    notify: r2\n", "t.yaml:3:13: notify: no remote with id 'r2'");
	load_bad("zone:\n  domain: a.\n", "t.yaml:2:3: zone: expected a list of zones");
	load_bad("zone:\n  - a.\n", "t.yaml:2:5: zone: each item must be a mapping with a domain");

	/* duplicate ids, in every section that has them */
	load_bad("template:\n  - id: t\n  - id: t\n", "t.yaml:3:9: template: duplicate id 't' (first at line 2)");
	load_bad("policy:\n  - id: p\n  - id: p\n", "t.yaml:3:9: policy: duplicate id 'p' (first at line 2)");
	load_bad("remote:\n  - id: r\n    address: 192.0.2.1\n  - id: r\n    address: 192.0.2.2\n",
		 "t.yaml:4:9: remote: duplicate id 'r' (first at line 2)");

	/* log */
	load_bad("log:\n  - any: info\n", "t.yaml:2:5: log: missing target");
	load_bad("log:\n  - target: stderr\n  - target: stderr\n",
		 "t.yaml:3:5: log: target 'stderr' is given twice");

	/* the system's users and groups, and the control socket's path */
	load_bad("server:\n  user: no-such-user-signet\n",
		 "t.yaml:2:9: user: no user 'no-such-user-signet' on this system");
	load_bad("server:\n  group: no-such-group-signet\n",
		 "t.yaml:2:10: group: no group 'no-such-group-signet' on this system");
	load_bad("server:\n  user: root:no-such-group-signet\n",
		 "t.yaml:2:9: group: no group 'no-such-group-signet' on this system");
	load_bad("server:\n  user: root:root\n  group: root\n",
		 "t.yaml:3:10: group: the group is given twice (here and in user)");
	load_bad("server:\n  user: 3999999\n",
		 "t.yaml:2:9: user: uid 3999999 has no entry to take a group from; give one as "
		 "user: 3999999:GROUP");
	char text[512];
	snprintf(text, sizeof(text), "server:\n  storage: /%0120d\n", 0);
	char want[512];
	snprintf(want, sizeof(want),
		 "t.yaml:2:12: control: '/%0120d/signet.sock' is too long for a UNIX socket (133 "
		 "bytes, at most 107)",
		 0);
	load_bad(text, want);

	/* YAML itself */
	load_bad("server:\n  listen: [a\n",
		 "t.yaml:3:1: did not find expected ',' or ']' while parsing a flow sequence");
	load_bad("server:\n  workers: 1\n---\nzone: []\n",
		 "t.yaml:4:1: only one YAML document is allowed");
	load_bad("server:\n  workerz: 1\n---\nzone: [\n",
		 "t.yaml:2:3: server: unknown key 'workerz' (did you mean 'workers'?)");
	load_bad("server:\n  nsid: \"a\\0b\"\n", "t.yaml:2:9: nsid: expected a string or 0x and hex digits");
}

typedef struct collected {
	char msgs[64][CONF_ERRLEN];
	size_t n;
} collected_t;

static void
collect(void *ctx, const char *msg)
{
	collected_t *c = ctx;
	if (c->n < 64) {
		snprintf(c->msgs[c->n], CONF_ERRLEN, "%s", msg);
	}
	c->n++;
}

static void
test_conf_all_errors(void)
{
	/* problems found in different passes still come out in file order */
	const char *text = "zone:\n"
			   "  - domain: a.\n"
			   "    acl: missing\n"   /* 3: dangling (pass 2) */
			   "  - domain: A.\n"     /* 4: duplicate zone (pass 3) */
			   "server:\n"
			   "  workers: many\n"    /* 6: wrong type */
			   "  user: no-such-user-signet\n" /* 7: lookup (pass 3) */
			   "acl:\n"
			   "  - id: x\n"
			   "    action: transfer\n"
			   "  - id: x\n"          /* 11: duplicate id (pass 1) */
			   "    action: transfer\n"
			   "    frob: 1\n";       /* 13: unknown key */
	static collected_t col;
	conf_opts_t opts = {.report = collect, .ctx = &col};
	conf_t *c = NULL;
	char err[CONF_ERRLEN];
	memset(&col, 0, sizeof(col));
	CU_ASSERT_EQUAL(conf_load_mem_opts("t.yaml", text, strlen(text), &opts, &c, err), SN_EPARSE);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL_FATAL(col.n, 6);
	CU_ASSERT_STRING_EQUAL(col.msgs[0], "t.yaml:3:10: acl: no acl with id 'missing'");
	CU_ASSERT_STRING_EQUAL(col.msgs[1], "t.yaml:4:13: zone: 'A.' is defined twice (first at line 2)");
	CU_ASSERT_STRING_EQUAL(col.msgs[2], "t.yaml:6:12: workers: expected a number");
	CU_ASSERT_STRING_EQUAL(col.msgs[3], "t.yaml:7:9: user: no user 'no-such-user-signet' on this system");
	CU_ASSERT_STRING_EQUAL(col.msgs[4], "t.yaml:11:9: acl: duplicate id 'x' (first at line 9)");
	CU_ASSERT_STRING_EQUAL(col.msgs[5], "t.yaml:13:5: acl: unknown key 'frob'");
	CU_ASSERT_STRING_EQUAL(err, col.msgs[0]);

	/* the cap: 60 problems, 5 shown, then the count of the others */
	char big[4096];
	size_t off = (size_t)snprintf(big, sizeof(big), "server:\n");
	for (int i = 0; i < 60; i++) {
		off += (size_t)snprintf(big + off, sizeof(big) - off, "  bad%d: 1\n", i);
	}
	memset(&col, 0, sizeof(col));
	opts.max_errors = 5;
	CU_ASSERT_EQUAL(conf_load_mem_opts("t.yaml", big, off, &opts, &c, err), SN_EPARSE);
	CU_ASSERT_EQUAL_FATAL(col.n, 6);
	CU_ASSERT_STRING_EQUAL(col.msgs[0], "t.yaml:2:3: server: unknown key 'bad0'");
	CU_ASSERT_STRING_EQUAL(col.msgs[4], "t.yaml:6:3: server: unknown key 'bad4'");
	CU_ASSERT_STRING_EQUAL(col.msgs[5], "t.yaml: 55 more problems not shown");
	/* default cap */
	memset(&col, 0, sizeof(col));
	opts.max_errors = 0;
	CU_ASSERT_EQUAL(conf_load_mem_opts("t.yaml", big, off, &opts, &c, err), SN_EPARSE);
	CU_ASSERT_EQUAL(col.n, CONF_MAX_ERRORS + 1);
	/* a YAML error is one problem, reported too */
	memset(&col, 0, sizeof(col));
	CU_ASSERT_EQUAL(conf_load_mem_opts("t.yaml", "a: [", 4, &opts, &c, err), SN_EPARSE);
	CU_ASSERT_EQUAL(col.n, 1);
	CU_ASSERT_STRING_EQUAL(col.msgs[0], err);
}

static void
test_conf_units(void)
{
	static const struct {
		const char *text;
		int rc;
		uint64_t v;
	} sizes[] = {
		{"0", SN_OK, 0},
		{"512", SN_OK, 512},
		{"512B", SN_OK, 512},
		{"64K", SN_OK, 65536},
		{"64k", SN_OK, 65536},
		{"16M", SN_OK, 16777216},
		{"2G", SN_OK, 2147483648ull},
		{"18446744073709551615", SN_OK, UINT64_MAX},
		{"18446744073709551616", SN_ERANGE, 0},
		{"17179869184G", SN_ERANGE, 0},
		{"", SN_EPARSE, 0},
		{"M", SN_EPARSE, 0},
		{"1T", SN_EPARSE, 0},
		{"1MB", SN_EPARSE, 0},
		{" 1", SN_EPARSE, 0},
		{"-1", SN_EPARSE, 0},
		{"+1", SN_EPARSE, 0},
		{"1.5M", SN_EPARSE, 0},
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t v = 12345;
		int rc = conf_parse_size(sizes[i].text, &v);
		if (rc != sizes[i].rc) {
			fprintf(stderr, "\n  size '%s': rc %d\n", sizes[i].text, rc);
		}
		CU_ASSERT_EQUAL(rc, sizes[i].rc);
		CU_ASSERT_EQUAL(v, rc == SN_OK ? sizes[i].v : 12345); /* written only on success */
	}
	static const struct {
		const char *text;
		int rc;
		uint64_t v;
	} times[] = {
		{"30", SN_OK, 30}, {"30s", SN_OK, 30},     {"5m", SN_OK, 300},  {"2h", SN_OK, 7200},
		{"1d", SN_OK, 86400}, {"1w", SN_OK, 604800}, {"1H", SN_EPARSE, 0}, {"s", SN_EPARSE, 0},
		{"10ss", SN_EPARSE, 0}, {"3w", SN_OK, 3 * 604800}, {"1y", SN_EPARSE, 0},
		{"30500568904944w", SN_ERANGE, 0}, {"30500568904943w", SN_OK, 30500568904943ull * 604800},
	};
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		uint64_t v = 12345;
		int rc = conf_parse_time(times[i].text, &v);
		CU_ASSERT_EQUAL(rc, times[i].rc);
		CU_ASSERT_EQUAL(v, rc == SN_OK ? times[i].v : 12345);
	}
	/* through the schema */
	conf_t *c = load_ok("server:\n  tcp-idle-timeout: 1d\n  udp-max-payload: 512B\n"
			    "zone:\n  - domain: a.\n    journal-max-size: 1024G\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->tcp_idle_timeout, 86400);
	CU_ASSERT_EQUAL(c->udp_max_payload, 512);
	CU_ASSERT_EQUAL(c->zones[0].journal_max_size, 1024ull * 1024 * 1024 * 1024);
	conf_free(c);
}

static void
test_conf_base64(void)
{
	/* RFC 4648 10 test vectors */
	static const char *const enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const dec[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		uint8_t out[16];
		size_t len = 99;
		CU_ASSERT_EQUAL(conf_base64_decode(enc[i], out, sizeof(out), &len), SN_OK);
		CU_ASSERT_EQUAL(len, strlen(dec[i]));
		CU_ASSERT_EQUAL(memcmp(out, dec[i], len), 0);
	}
	static const char *const bad[] = {"Zg", "Zg=", "Z===", "Zg==Zg==", "Zm9v\n", "Zm 9v", "Zm9-",
					  "=Zg=", "Zm=v"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t out[16];
		size_t len = 99;
		CU_ASSERT_EQUAL(conf_base64_decode(bad[i], out, sizeof(out), &len), SN_EPARSE);
		CU_ASSERT_EQUAL(len, 99);
	}
	uint8_t small[2];
	size_t len;
	CU_ASSERT_EQUAL(conf_base64_decode("Zm9v", small, sizeof(small), &len), SN_ENOSPC);
	/* all 64 symbols, both ways round */
	uint8_t out[48];
	CU_ASSERT_EQUAL(conf_base64_decode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
					   out, sizeof(out), &len),
			SN_OK);
	CU_ASSERT_EQUAL(len, 48);
	CU_ASSERT_EQUAL(out[0], 0x00);
	CU_ASSERT_EQUAL(out[1], 0x10);
	CU_ASSERT_EQUAL(out[47], 0xbf);
}

static void
test_conf_parse_net(void)
{
	conf_net_t n;
	CU_ASSERT_EQUAL_FATAL(conf_parse_net("10.1.2.3/8", &n), SN_OK);
	CU_ASSERT_EQUAL(n.family, AF_INET);
	CU_ASSERT_EQUAL(n.prefix, 8);
	CU_ASSERT_EQUAL(memcmp(n.addr, "\x0a\x00\x00\x00", 4), 0);
	CU_ASSERT_EQUAL(memcmp(n.last, "\x0a\xff\xff\xff", 4), 0);
	CU_ASSERT_EQUAL_FATAL(conf_parse_net("192.0.2.129/25", &n), SN_OK);
	CU_ASSERT_EQUAL(memcmp(n.addr, "\xc0\x00\x02\x80", 4), 0);
	CU_ASSERT_EQUAL(memcmp(n.last, "\xc0\x00\x02\xff", 4), 0);
	CU_ASSERT_EQUAL_FATAL(conf_parse_net("0.0.0.0/0", &n), SN_OK);
	CU_ASSERT_EQUAL(memcmp(n.last, "\xff\xff\xff\xff", 4), 0);
	CU_ASSERT_EQUAL_FATAL(conf_parse_net("2001:db8::/33", &n), SN_OK);
	CU_ASSERT_EQUAL(n.family, AF_INET6);
	CU_ASSERT_EQUAL(n.last[4], 0x7f);
	CU_ASSERT_EQUAL(n.last[5], 0xff);
	CU_ASSERT_EQUAL(n.last[15], 0xff);
	CU_ASSERT_EQUAL(n.addr[3], 0xb8);
	CU_ASSERT_EQUAL(n.addr[4], 0x00);
	CU_ASSERT_EQUAL_FATAL(conf_parse_net("::1", &n), SN_OK);
	CU_ASSERT_EQUAL(n.prefix, 128);
	CU_ASSERT_EQUAL(memcmp(n.addr, n.last, 16), 0);
	CU_ASSERT_EQUAL_FATAL(conf_parse_net("2001:db8::1-2001:db8::ff", &n), SN_OK);
	CU_ASSERT(n.is_range);
	static const char *const bad[] = {"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/8x",
					  "::/129", "10.0.0.1-::1", "10.0.0.2-10.0.0.1", "1-2",
					  "10.0.0.1-", "10.0.0.1-10.0.0.2/8", "host.example", "10.0.0.0/-1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(conf_parse_net(bad[i], &n), SN_EPARSE);
	}
	conf_listen_t l;
	CU_ASSERT_EQUAL(conf_parse_listen("::@0", 53, &l), SN_OK);
	CU_ASSERT_EQUAL(conf_parse_listen("::1@65536", 53, &l), SN_EPARSE);
	CU_ASSERT_EQUAL(conf_parse_listen("@53", 53, &l), SN_EPARSE);
	CU_ASSERT_EQUAL(conf_parse_listen("1.2.3.4@", 53, &l), SN_EPARSE);
}

/* Loads two texts and diffs them. */
static int
diff_texts(const char *a, const char *b, conf_t **ca, conf_t **cb, conf_diff_t *d)
{
	*ca = load_ok(a);
	*cb = load_ok(b);
	if (*ca == NULL || *cb == NULL) {
		return SN_EINVAL;
	}
	return conf_diff(*ca, *cb, d);
}

static void
test_conf_diff(void)
{
	const char *base = "server:\n  listen: 127.0.0.1@5300\n  identity: a\n"
			   "key:\n  - id: k\n    algorithm: hmac-sha256\n    secret: Zm9v\n"
			   "acl:\n  - id: x\n    key: k\n    action: transfer\n"
			   "template:\n  - id: default\n    journal-max-entries: 10\n"
			   "zone:\n  - domain: a.\n    acl: x\n  - domain: b.\n  - domain: c.\n";
	conf_t *ca, *cb;
	conf_diff_t d;

	/* the same text: nothing */
	CU_ASSERT_EQUAL_FATAL(diff_texts(base, base, &ca, &cb, &d), SN_OK);
	CU_ASSERT_EQUAL(d.added_count + d.removed_count + d.changed_count, 0);
	CU_ASSERT_EQUAL(d.server, 0);
	CU_ASSERT_FALSE(d.needs_restart);
	conf_diff_clear(&d);
	conf_free(ca);
	conf_free(cb);

	/* zones added, removed, changed; renamed acl and case changes are no change */
	const char *next = "server:\n  listen: 127.0.0.1@5300\n  identity: b\n"
			   "key:\n  - id: k\n    algorithm: hmac-sha256\n    secret: Zm9v\n"
			   "acl:\n  - id: renamed\n    key: k\n    action: transfer\n"
			   "template:\n  - id: default\n    journal-max-entries: 10\n"
			   "zone:\n  - domain: z.\n  - domain: A.\n    acl: renamed\n"
			   "  - domain: c.\n    file: other.zone\n  - domain: d.\n";
	CU_ASSERT_EQUAL_FATAL(diff_texts(base, next, &ca, &cb, &d), SN_OK);
	CU_ASSERT_EQUAL_FATAL(d.added_count, 2);
	CU_ASSERT_STRING_EQUAL(d.added[0]->domain, "d."); /* canonical order */
	CU_ASSERT_STRING_EQUAL(d.added[1]->domain, "z.");
	CU_ASSERT_EQUAL_FATAL(d.removed_count, 1);
	CU_ASSERT_STRING_EQUAL(d.removed[0]->domain, "b.");
	CU_ASSERT_PTR_EQUAL(d.removed[0], zone(ca, "b."));
	CU_ASSERT_EQUAL_FATAL(d.changed_count, 1);
	CU_ASSERT_PTR_EQUAL(d.changed[0].old_zone, zone(ca, "c."));
	CU_ASSERT_PTR_EQUAL(d.changed[0].new_zone, zone(cb, "c."));
	CU_ASSERT_EQUAL(d.changed[0].what, CONF_ZCHG_FILE);
	CU_ASSERT_EQUAL(d.server, CONF_CHG_IDENTITY);
	CU_ASSERT_FALSE(d.needs_restart);
	conf_diff_clear(&d);
	CU_ASSERT_PTR_NULL(d.added);
	conf_free(ca);
	conf_free(cb);

	/* a key's secret: the keys and every zone whose ACLs use it; the default
	 * template: every zone that takes its value */
	next = "server:\n  listen: 127.0.0.1@5301\n  identity: a\n"
	       "key:\n  - id: k\n    algorithm: hmac-sha256\n    secret: YmFy\n"
	       "acl:\n  - id: x\n    key: k\n    action: transfer\n"
	       "template:\n  - id: default\n    journal-max-entries: 11\n"
	       "zone:\n  - domain: a.\n    acl: x\n  - domain: b.\n  - domain: c.\n"
	       "    journal-max-entries: 10\n";
	CU_ASSERT_EQUAL_FATAL(diff_texts(base, next, &ca, &cb, &d), SN_OK);
	CU_ASSERT_EQUAL(d.added_count + d.removed_count, 0);
	CU_ASSERT_EQUAL_FATAL(d.changed_count, 2);
	CU_ASSERT_STRING_EQUAL(d.changed[0].new_zone->domain, "a.");
	CU_ASSERT_EQUAL(d.changed[0].what, CONF_ZCHG_ACL | CONF_ZCHG_JOURNAL);
	CU_ASSERT_STRING_EQUAL(d.changed[1].new_zone->domain, "b.");
	CU_ASSERT_EQUAL(d.changed[1].what, CONF_ZCHG_JOURNAL);
	CU_ASSERT_EQUAL(d.server, CONF_CHG_KEYS | CONF_CHG_LISTEN);
	CU_ASSERT(d.needs_restart);
	conf_diff_clear(&d);
	conf_free(ca);
	conf_free(cb);

	/* each server setting, restart or live */
	static const struct {
		const char *text;
		unsigned what;
		bool restart;
	} srv[] = {
		{"server:\n  workers: 3\n", CONF_CHG_WORKERS, true},
		{"server:\n  tcp-workers: 3\n", CONF_CHG_WORKERS, true},
		{"server:\n  tcp-idle-timeout: 11\n", CONF_CHG_TCP, true},
		{"server:\n  storage: /x\n", CONF_CHG_STORAGE | CONF_CHG_CONTROL, true},
		{"server:\n  control-mode: 0660\n", CONF_CHG_CONTROL, true},
		{"server:\n  user: root\n", CONF_CHG_USER, true},
		{"server:\n  udp-max-payload: 1400\n", CONF_CHG_UDP_PAYLOAD, false},
		{"server:\n  nsid: x\n", CONF_CHG_IDENTITY, false},
		{"server:\n  version: x\n", CONF_CHG_IDENTITY, false},
		{"log:\n  - target: stderr\n    any: debug\n", CONF_CHG_LOG, false},
		{"key:\n  - id: k\n    algorithm: hmac-sha1\n    secret: Zg==\n", CONF_CHG_KEYS, false},
		{"server:\n  tcp-idle-timeout: 10s\n", 0, false},
	};
	for (size_t i = 0; i < sizeof(srv) / sizeof(srv[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(diff_texts("", srv[i].text, &ca, &cb, &d), SN_OK);
		if (d.server != srv[i].what) {
			fprintf(stderr, "\n  %s: %#x\n", srv[i].text, d.server);
		}
		CU_ASSERT_EQUAL(d.server, srv[i].what);
		CU_ASSERT_EQUAL(d.needs_restart, srv[i].restart);
		conf_diff_clear(&d);
		conf_free(ca);
		conf_free(cb);
	}

	/* each zone option */
	static const struct {
		const char *opt;
		unsigned what;
	} zo[] = {
		{"    file: x.zone\n", CONF_ZCHG_FILE},
		{"    file: a.zone\n", 0}, /* the default, written out */
		{"    master: r\n", CONF_ZCHG_MASTER},
		{"    notify: r\n", CONF_ZCHG_NOTIFY},
		{"    journal-max-size: 1M\n", CONF_ZCHG_JOURNAL},
		{"    serial-policy: unixtime\n", CONF_ZCHG_SERIAL},
		{"    serial-policy: increment\n", 0},
		{"    serial-auto-bump: on\n", CONF_ZCHG_SERIAL},
		{"    dnssec-policy: p\n", 0}, /* signing off: no policy applies */
		{"    dnssec-signing: on\n", CONF_ZCHG_DNSSEC},
		{"    dnssec-signing: off\n", 0},
		{"    acl: [y]\n", CONF_ZCHG_ACL},
	};
	const char *head = "remote:\n  - id: r\n    address: 192.0.2.1\npolicy:\n  - id: p\n"
			   "acl:\n  - id: y\n    action: notify\n"
			   "zone:\n  - domain: a.\n";
	for (size_t i = 0; i < sizeof(zo) / sizeof(zo[0]); i++) {
		char text[1024];
		snprintf(text, sizeof(text), "%s%s", head, zo[i].opt);
		CU_ASSERT_EQUAL_FATAL(diff_texts(head, text, &ca, &cb, &d), SN_OK);
		CU_ASSERT_EQUAL(d.changed_count, zo[i].what != 0);
		if (d.changed_count == 1) {
			CU_ASSERT_EQUAL(d.changed[0].what, zo[i].what);
		}
		CU_ASSERT_EQUAL(d.server, 0);
		conf_diff_clear(&d);
		conf_free(ca);
		conf_free(cb);
	}
}

/* A signed zone's policy is compared by what it says, not by its id. */
static void
test_conf_diff_policy(void)
{
	const char *base = "remote:\n  - id: r\n    address: 192.0.2.1\n"
			   "policy:\n  - id: p\n  - id: q\n    rrsig-lifetime: 21d\n"
			   "zone:\n  - domain: a.\n    dnssec-signing: on\n    dnssec-policy: p\n";
	static const struct {
		const char *text;
		unsigned what;
	} v[] = {
		/* renamed: same meaning */
		{"policy:\n  - id: x\n"
		 "zone:\n  - domain: a.\n    dnssec-signing: on\n    dnssec-policy: x\n", 0},
		/* the built-in says what p says */
		{"zone:\n  - domain: a.\n    dnssec-signing: on\n", 0},
		/* a policy with everything written as the defaults */
		{"policy:\n  - id: p\n    algorithm: ecdsap256sha256\n    zsk-lifetime: 30d\n"
		 "    rrsig-lifetime: 2w\n    rrsig-jitter: 12h\n    nsec3: on\n"
		 "zone:\n  - domain: a.\n    dnssec-signing: on\n    dnssec-policy: p\n", 0},
		{"policy:\n  - id: q\n    rrsig-lifetime: 21d\n"
		 "zone:\n  - domain: a.\n    dnssec-signing: on\n    dnssec-policy: q\n",
		 CONF_ZCHG_DNSSEC},
		{"policy:\n  - id: p\n    nsec3: off\n"
		 "zone:\n  - domain: a.\n    dnssec-signing: on\n    dnssec-policy: p\n",
		 CONF_ZCHG_DNSSEC},
		{"policy:\n  - id: p\n    cds-digest-type: sha384\n"
		 "zone:\n  - domain: a.\n    dnssec-signing: on\n    dnssec-policy: p\n",
		 CONF_ZCHG_DNSSEC},
		{"policy:\n  - id: p\n    ksk-submission: s\nsubmission:\n  - id: s\n"
		 "zone:\n  - domain: a.\n    dnssec-signing: on\n    dnssec-policy: p\n",
		 CONF_ZCHG_DNSSEC},
		{"zone:\n  - domain: a.\n    dnssec-signing: off\n", CONF_ZCHG_DNSSEC},
		{"zone:\n  - domain: a.\n", CONF_ZCHG_DNSSEC},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		conf_t *ca, *cb;
		conf_diff_t d;
		CU_ASSERT_EQUAL_FATAL(diff_texts(base, v[i].text, &ca, &cb, &d), SN_OK);
		if (d.changed_count != (v[i].what != 0)) {
			fprintf(stderr, "\n  case %zu: %zu changed\n", i, d.changed_count);
		}
		CU_ASSERT_EQUAL(d.changed_count, v[i].what != 0);
		if (d.changed_count == 1) {
			CU_ASSERT_EQUAL(d.changed[0].what, v[i].what);
		}
		CU_ASSERT_EQUAL(d.added_count + d.removed_count, 0);
		conf_diff_clear(&d);
		conf_free(ca);
		conf_free(cb);
	}
	/* a change in the submission's parents reaches the zone */
	const char *s1 = "remote:\n  - id: r\n    address: 192.0.2.1\n"
			 "submission:\n  - id: s\n    parent: r\n"
			 "policy:\n  - id: p\n    ksk-submission: s\n"
			 "zone:\n  - domain: a.\n    dnssec-signing: on\n    dnssec-policy: p\n";
	const char *s2 = "remote:\n  - id: r\n    address: 192.0.2.2\n"
			 "submission:\n  - id: s\n    parent: r\n"
			 "policy:\n  - id: p\n    ksk-submission: s\n"
			 "zone:\n  - domain: a.\n    dnssec-signing: on\n    dnssec-policy: p\n";
	conf_t *ca, *cb;
	conf_diff_t d;
	CU_ASSERT_EQUAL_FATAL(diff_texts(s1, s2, &ca, &cb, &d), SN_OK);
	CU_ASSERT_EQUAL_FATAL(d.changed_count, 1);
	CU_ASSERT_EQUAL(d.changed[0].what, CONF_ZCHG_DNSSEC);
	conf_diff_clear(&d);
	conf_free(ca);
	conf_free(cb);
}

/* Random zone sets diffed against a model: which of 300 names each side has
 * and with which of 3 files. */
static void
test_conf_diff_random(void)
{
	unsigned seed = test_seed();
	srand(seed);
	enum { N = 300 };
	for (int round = 0; round < 20; round++) {
		int have[2][N];
		char *text[2];
		conf_t *c[2];
		for (int s = 0; s < 2; s++) {
			size_t cap = N * 64 + 16, off = 0;
			text[s] = malloc(cap);
			CU_ASSERT_PTR_NOT_NULL_FATAL(text[s]);
			off += (size_t)snprintf(text[s], cap, "zone:\n");
			for (int i = 0; i < N; i++) {
				have[s][i] = rand() % 4; /* 0: absent, else the file number */
				if (have[s][i] != 0) {
					off += (size_t)snprintf(text[s] + off, cap - off,
								"  - domain: n%d.%s.\n    file: f%d\n",
								i, i % 2 ? "Example" : "test", have[s][i]);
				}
			}
			c[s] = load_ok(text[s]);
			free(text[s]);
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(c[0]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c[1]);
		conf_diff_t d;
		CU_ASSERT_EQUAL_FATAL(conf_diff(c[0], c[1], &d), SN_OK);
		size_t add = 0, rem = 0, chg = 0;
		for (int i = 0; i < N; i++) {
			add += have[0][i] == 0 && have[1][i] != 0;
			rem += have[0][i] != 0 && have[1][i] == 0;
			chg += have[0][i] != 0 && have[1][i] != 0 && have[0][i] != have[1][i];
		}
		bool ok = d.added_count == add && d.removed_count == rem && d.changed_count == chg;
		for (size_t i = 0; ok && i < d.added_count; i++) {
			int n = atoi(d.added[i]->domain + 1);
			ok = have[0][n] == 0 && have[1][n] != 0 && conf_zone_find(c[1], d.added[i]->apex) == d.added[i];
		}
		for (size_t i = 0; ok && i < d.removed_count; i++) {
			int n = atoi(d.removed[i]->domain + 1);
			ok = have[0][n] != 0 && have[1][n] == 0 && conf_zone_find(c[1], d.removed[i]->apex) == NULL;
		}
		for (size_t i = 0; ok && i < d.changed_count; i++) {
			int n = atoi(d.changed[i].new_zone->domain + 1);
			ok = have[0][n] != have[1][n] && d.changed[i].what == CONF_ZCHG_FILE;
		}
		if (!ok) {
			fprintf(stderr, "\n  diff differs from the model (seed %u, round %d)\n", seed, round);
		}
		CU_ASSERT(ok);
		conf_diff_clear(&d);
		conf_free(c[0]);
		conf_free(c[1]);
	}
}

static void
test_conf_many_zones(void)
{
	enum { N = 50000 };
	size_t cap = (size_t)N * 48 + 64, off = 0;
	char *text = malloc(cap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	off += (size_t)snprintf(text, cap, "template:\n  - id: default\n    file: /z/%%s\nzone:\n");
	for (int i = 0; i < N; i++) {
		off += (size_t)snprintf(text + off, cap - off, "  - domain: zone%d.example\n", i);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	conf_t *c = load_ok(text);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->zone_count, N);
	bool all = true;
	for (int i = 0; i < N; i += 7) {
		char name[64];
		snprintf(name, sizeof(name), "ZONE%d.example.", i);
		const conf_zone_t *z = zone(c, name);
		all = all && z == &c->zones[i];
	}
	CU_ASSERT(all);
	CU_ASSERT_STRING_EQUAL(c->zones[N - 1].file, "/z/zone49999.example");
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("\n  %d zones loaded in %.0f ms\n", N, ms);
	conf_diff_t d;
	CU_ASSERT_EQUAL_FATAL(conf_diff(c, c, &d), SN_OK);
	CU_ASSERT_EQUAL(d.added_count + d.removed_count + d.changed_count + d.server, 0);
	conf_diff_clear(&d);
	conf_free(c);
}

static void
test_conf_file(void)
{
	conf_t *c = NULL;
	char err[CONF_ERRLEN];
	CU_ASSERT_EQUAL(conf_load("/nonexistent/signet.yaml", &c, err), SN_EIO);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(strstr(err, "/nonexistent/signet.yaml: cannot open") == err);

	char dir[] = "/tmp/test_conf.XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/signet.yaml", dir);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("zone:\n  - domain: example.com\n    file: example.com.zone\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(conf_load(path, &c, err), SN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	char want[128];
	snprintf(want, sizeof(want), "%s/example.com.zone", dir);
	CU_ASSERT_STRING_EQUAL(c->zones[0].file, want);
	CU_ASSERT_STRING_EQUAL(c->path, path);
	conf_free(c);
	c = NULL;
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("zone:\n  - domain: example.com\n    fille: x\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(conf_load(path, &c, err), SN_EPARSE);
	CU_ASSERT_PTR_NULL(c);
	snprintf(want, sizeof(want), "%s:3:5: zone: unknown key 'fille' (did you mean 'file'?)", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	unlink(path);
	rmdir(dir);
}

/* conf/signet.example.yaml, the operator's reference, is a configuration
 * signet accepts (the source folder: $top_srcdir, or the one configured). */
static void
test_conf_example(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096], err[CONF_ERRLEN] = "";
	snprintf(path, sizeof(path), "%s/conf/signet.example.yaml",
	         top != NULL ? top : SIGNET_TOP_SRCDIR);
	conf_t *c = NULL;
	int rc = conf_load(path, &c, err);
	if (rc != SN_OK) {
		fprintf(stderr, "\n  %s\n", err);
	}
	CU_ASSERT_EQUAL(rc, SN_OK);
	CU_ASSERT(c != NULL && c->zone_count > 0 && c->policy_count > 0);
	conf_free(c);
}

int
test_conf_register(void)
{
	CU_pSuite s = CU_add_suite("conf", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_conf_full_example", test_conf_full_example);
	CU_add_test(s, "test_conf_defaults", test_conf_defaults);
	CU_add_test(s, "test_conf_server", test_conf_server);
	CU_add_test(s, "test_conf_log", test_conf_log);
	CU_add_test(s, "test_conf_key", test_conf_key);
	CU_add_test(s, "test_conf_remote", test_conf_remote);
	CU_add_test(s, "test_conf_acl", test_conf_acl);
	CU_add_test(s, "test_conf_template_inheritance", test_conf_template_inheritance);
	CU_add_test(s, "test_conf_policy", test_conf_policy);
	CU_add_test(s, "test_conf_diff_policy", test_conf_diff_policy);
	CU_add_test(s, "test_conf_forward_refs", test_conf_forward_refs);
	CU_add_test(s, "test_conf_errors", test_conf_errors);
	CU_add_test(s, "test_conf_all_errors", test_conf_all_errors);
	CU_add_test(s, "test_conf_units", test_conf_units);
	CU_add_test(s, "test_conf_base64", test_conf_base64);
	CU_add_test(s, "test_conf_parse_net", test_conf_parse_net);
	CU_add_test(s, "test_conf_diff", test_conf_diff);
	CU_add_test(s, "test_conf_diff_random", test_conf_diff_random);
	CU_add_test(s, "test_conf_many_zones", test_conf_many_zones);
	CU_add_test(s, "test_conf_file", test_conf_file);
	CU_add_test(s, "test_conf_example", test_conf_example);
	return CU_get_error();
}
