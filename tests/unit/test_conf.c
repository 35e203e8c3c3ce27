/* SPDX-License-Identifier: MIT
 * test_conf.c - the YAML configuration: schema, defaults, errors with
 * file:line:col, ACL matching.
 */
#include <arpa/inet.h>
#include <string.h>
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
		fprintf(stderr, "unexpected error: %s\n", err);
	}
	CU_ASSERT_EQUAL(rc, SN_OK);
	return c;
}

/* Loads `text`, expecting a failure whose message is exactly `want`. */
static void
load_bad(const char *text, const char *want)
{
	conf_t *c = NULL;
	char err[CONF_ERRLEN] = "";
	int rc = conf_load_mem("t.yaml", text, strlen(text), &c, err);
	CU_ASSERT_EQUAL(rc, SN_EPARSE);
	CU_ASSERT_PTR_NULL(c);
	if (strcmp(err, want) != 0) {
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", err, want);
	}
	CU_ASSERT_STRING_EQUAL(err, want);
	conf_free(c);
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
	CU_ASSERT_EQUAL(c->zone_count, 2);
	CU_ASSERT_STRING_EQUAL(c->zones[0].file, "/etc/signet/zones/example.com.zone");
	CU_ASSERT_STRING_EQUAL(c->zones[1].file, "/srv/net.zone");
	CU_ASSERT_EQUAL(memcmp(c->zones[1].apex, "\007Example\003NET", 13), 0);
	CU_ASSERT_PTR_NOT_NULL(conf_zone_find(c, (const uint8_t *)"\007example\003net"));
	CU_ASSERT_PTR_NULL(conf_zone_find(c, (const uint8_t *)"\003org"));

	/* the acl section comes after the zones that use it */
	const conf_zone_t *z = &c->zones[0];
	CU_ASSERT_EQUAL(z->acl_count, 1);
	struct sockaddr_in in4 = {.sin_family = AF_INET};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
	inet_pton(AF_INET, "127.1.2.3", &in4.sin_addr);
	CU_ASSERT(conf_zone_allows(z, (struct sockaddr *)&in4, CONF_ACT_TRANSFER));
	CU_ASSERT_FALSE(conf_zone_allows(z, (struct sockaddr *)&in4, CONF_ACT_UPDATE));
	inet_pton(AF_INET, "128.0.0.1", &in4.sin_addr);
	CU_ASSERT_FALSE(conf_zone_allows(z, (struct sockaddr *)&in4, CONF_ACT_TRANSFER));
	inet_pton(AF_INET6, "::1", &in6.sin6_addr);
	CU_ASSERT(conf_zone_allows(z, (struct sockaddr *)&in6, CONF_ACT_TRANSFER));
	inet_pton(AF_INET6, "::ffff:127.0.0.9", &in6.sin6_addr);
	CU_ASSERT(conf_zone_allows(z, (struct sockaddr *)&in6, CONF_ACT_TRANSFER));
	inet_pton(AF_INET6, "::2", &in6.sin6_addr);
	CU_ASSERT_FALSE(conf_zone_allows(z, (struct sockaddr *)&in6, CONF_ACT_TRANSFER));
	/* a zone with no acl allows nothing */
	CU_ASSERT_FALSE(conf_zone_allows(&c->zones[1], (struct sockaddr *)&in6, CONF_ACT_TRANSFER));
	conf_free(c);
}

static void
test_conf_defaults(void)
{
	conf_t *c = load_ok("");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->listen_count, 1);
	CU_ASSERT_EQUAL(c->workers, 0);
	CU_ASSERT_EQUAL(c->zone_count, 0);
	CU_ASSERT_EQUAL(c->tcp_idle_timeout, 10);
	CU_ASSERT_STRING_EQUAL(c->storage, "./var");
	CU_ASSERT_PTR_NULL(c->nsid);
	conf_free(c);
}

static void
test_conf_errors(void)
{
	load_bad("server:\n  listen: 127.0.0.1@99999\n",
		 "t.yaml:2:11: listen: expected address[@port], e.g. 127.0.0.1@5300 or \"::1@5300\"");
	load_bad("server:\n  workerz: 2\n", "t.yaml:2:3: server: unknown key 'workerz'");
	load_bad("server:\n  workers: two\n", "t.yaml:2:12: workers: expected a number");
	load_bad("server:\n  workers: 1000\n", "t.yaml:2:12: workers: 1000 is out of range 0..256");
	load_bad("zones:\n  - domain: a.\n", "t.yaml:1:1: unknown section 'zones'");
	load_bad("zone:\n  - domain: a..b\n", "t.yaml:2:13: domain: expected a domain name");
	load_bad("zone:\n  - file: x\n", "t.yaml:2:5: zone: missing domain");
	load_bad("zone:\n  - domain: a.\n  - domain: A\n", "t.yaml:3:13: zone: 'A' is defined twice");
	load_bad("zone:\n  - domain: a.\n    acl: nope\n", "t.yaml:3:10: acl: no acl with id 'nope'");
	load_bad("acl:\n  - id: x\n    action: axfr\n",
		 "t.yaml:3:13: action: expected transfer, notify or update");
	load_bad("acl:\n  - id: x\n    address: 10.0.0.0/33\n",
		 "t.yaml:3:14: address: expected an address or prefix, e.g. 10.0.0.0/8 or \"::1\"");
	load_bad("acl:\n  - id: x\n  - id: x\n", "t.yaml:3:5: acl: duplicate id 'x'");
	load_bad("server: [1, 2]\n", "t.yaml:1:9: server: expected a mapping");
	load_bad("server:\n  listen: [a\n", "t.yaml:3:1: did not find expected ',' or ']' while parsing a flow sequence");
}

static void
test_conf_file_missing(void)
{
	conf_t *c = NULL;
	char err[CONF_ERRLEN];
	CU_ASSERT_EQUAL(conf_load("/nonexistent/signet.yaml", &c, err), SN_EIO);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(strstr(err, "/nonexistent/signet.yaml: cannot open") == err);
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
	CU_add_test(s, "test_conf_errors", test_conf_errors);
	CU_add_test(s, "test_conf_file_missing", test_conf_file_missing);
	return CU_get_error();
}
