/* SPDX-License-Identifier: MIT
 * fuzz_conf.c - libFuzzer target for the YAML configuration loader.
 *
 * The input is a configuration file. Besides crashes, the target checks
 * what a caller relies on: a refused file says why (file:line:col first)
 * and yields no conf_t; an accepted one has every zone findable by its
 * apex, resolved options inside their ranges and references that point
 * into the same snapshot, and diffs to nothing against itself.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
count(void *ctx, const char *msg)
{
	size_t *n = ctx;
	if (strncmp(msg, "fuzz.yaml", 9) != 0) {
		abort();
	}
	(*n)++;
}

static bool
in_array(const void *p, const void *base, size_t n, size_t size)
{
	return (const char *)p >= (const char *)base &&
	       (const char *)p < (const char *)base + n * size &&
	       ((const char *)p - (const char *)base) % size == 0;
}

static void
check(const conf_t *c)
{
	struct sockaddr_in6 from = {.sin6_family = AF_INET6};
	from.sin6_addr.s6_addr[15] = 1;
	if (c->listen_count == 0 || c->storage == NULL || c->control == NULL || c->log_count == 0) {
		abort();
	}
	for (size_t i = 0; i < c->zone_count; i++) {
		const conf_zone_t *z = &c->zones[i];
		if (conf_zone_find(c, z->apex) != z || z->file == NULL || z->domain == NULL ||
		    z->journal_max_entries == 0 || z->journal_max_size < 65536 ||
		    z->serial_policy > CONF_SERIAL_DATESERIAL) {
			abort();
		}
		/* a policy exactly when signing is on, and one that can sign */
		if ((z->policy != NULL) != z->dnssec_signing ||
		    (z->policy != NULL &&
		     (z->policy->rrsig_lifetime == 0 ||
		      (z->policy->rrsig_refresh != CONF_POLICY_AUTO &&
		       z->policy->rrsig_refresh >= z->policy->rrsig_lifetime) ||
		      z->policy->rrsig_jitter >= z->policy->rrsig_lifetime))) {
			abort();
		}
		for (size_t j = 0; j < z->acl_count; j++) {
			if (!in_array(z->acls[j], c->acls, c->acl_count, sizeof(*c->acls))) {
				abort();
			}
		}
		for (size_t j = 0; j < z->master_count; j++) {
			if (!in_array(z->masters[j], c->remotes, c->remote_count, sizeof(*c->remotes))) {
				abort();
			}
		}
		if (z->tmpl != NULL &&
		    !in_array(z->tmpl, c->templates, c->template_count, sizeof(*c->templates))) {
			abort();
		}
		(void)conf_zone_allows(z, (const struct sockaddr *)&from, CONF_ACT_TRANSFER);
	}
	for (size_t i = 0; i < c->key_count; i++) {
		if (conf_key_find(c, c->keys[i].name) != &c->keys[i] || c->keys[i].secret_len == 0) {
			abort();
		}
	}
	conf_diff_t d;
	if (conf_diff(c, c, &d) != SN_OK) {
		return;
	}
	if (d.added_count + d.removed_count + d.changed_count != 0 || d.server != 0) {
		abort();
	}
	conf_diff_clear(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;
	conf_opts_t opts = {.report = count, .ctx = &n};
	conf_t *c = NULL;
	char err[CONF_ERRLEN] = "";
	int rc = conf_load_mem_opts("fuzz.yaml", (const char *)data, size, &opts, &c, err);
	if (rc == SN_OK) {
		if (c == NULL || n != 0) {
			abort();
		}
		check(c);
		conf_free(c);
		return 0;
	}
	/* refused: no snapshot, at least one reason, the first one in err */
	if (c != NULL || (rc == SN_EPARSE && (n == 0 || n > CONF_MAX_ERRORS + 1 ||
					      strncmp(err, "fuzz.yaml", 9) != 0))) {
		abort();
	}
	return 0;
}
