/* SPDX-License-Identifier: MIT
 * conf.c - YAML configuration: parse with libyaml, walk the schema, validate.
 *
 * libyaml builds the document tree and keeps each node's position; the
 * schema walk below turns nodes into a conf_t and stops at the first
 * problem, which it reports with the node's file:line:col. Nothing of a
 * half-built conf_t ever escapes: on error it is freed whole.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>
#include "conf/conf.h"

typedef struct walk {
	yaml_document_t *doc;
	const char *name;
	char *err;
	conf_t *conf;
} walk_t;

static int
fail(walk_t *w, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int off = snprintf(w->err, CONF_ERRLEN, "%s:%zu:%zu: ", w->name,
			   n != NULL ? n->start_mark.line + 1 : 0, n != NULL ? n->start_mark.column + 1 : 0);
	if (off < 0 || off >= CONF_ERRLEN) {
		return SN_EPARSE;
	}
	va_start(ap, fmt);
	vsnprintf(w->err + off, CONF_ERRLEN - (size_t)off, fmt, ap);
	va_end(ap);
	return SN_EPARSE;
}

static const char *
scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int
get_string(walk_t *w, const yaml_node_t *n, const char *key, char **out)
{
	const char *s = scalar(n);
	if (s == NULL || *s == '\0') {
		return fail(w, n, "%s: expected a non-empty string", key);
	}
	char *d = strdup(s);
	if (d == NULL) {
		return SN_ENOMEM;
	}
	free(*out);
	*out = d;
	return SN_OK;
}

static int
get_uint(walk_t *w, const yaml_node_t *n, const char *key, unsigned long min, unsigned long max,
	 unsigned long *out)
{
	const char *s = scalar(n);
	char *end;
	if (s == NULL || *s < '0' || *s > '9') {
		return fail(w, n, "%s: expected a number", key);
	}
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0') {
		return fail(w, n, "%s: expected a number", key);
	}
	if (v < min || v > max) {
		return fail(w, n, "%s: %lu is out of range %lu..%lu", key, v, min, max);
	}
	*out = v;
	return SN_OK;
}

/* Calls `fn` on each item of `n`, which may be a sequence or one scalar
 * (knot.conf allows both for lists). */
static int
each_item(walk_t *w, yaml_node_t *n, const char *key, int (*fn)(walk_t *, yaml_node_t *, void *),
	  void *arg)
{
	if (n->type == YAML_SCALAR_NODE) {
		return fn(w, n, arg);
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		return fail(w, n, "%s: expected a list", key);
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		int rc = fn(w, yaml_document_get_node(w->doc, *it), arg);
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

static size_t
item_count(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE) {
		return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	}
	return 1;
}

int
conf_parse_listen(const char *s, uint16_t defport, conf_listen_t *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *at = strrchr(s, '@');
	size_t hlen = at != NULL ? (size_t)(at - s) : strlen(s);
	unsigned long port = defport;
	conf_listen_t l;

	if (hlen == 0 || hlen >= sizeof(host)) {
		return SN_EPARSE;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (at != NULL) {
		char *end;
		if (at[1] < '0' || at[1] > '9') {
			return SN_EPARSE;
		}
		errno = 0;
		port = strtoul(at + 1, &end, 10);
		if (errno != 0 || *end != '\0' || port > 65535) {
			return SN_EPARSE;
		}
	}
	memset(&l, 0, sizeof(l));
	struct sockaddr_in *sin = (struct sockaddr_in *)&l.addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&l.addr;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		l.addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		l.addrlen = sizeof(*sin6);
	} else {
		return SN_EPARSE;
	}
	*out = l;
	return SN_OK;
}

int
conf_parse_net(const char *s, conf_net_t *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	conf_net_t net;

	if (hlen == 0 || hlen >= sizeof(host)) {
		return SN_EPARSE;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	memset(&net, 0, sizeof(net));
	unsigned maxbits;
	if (inet_pton(AF_INET, host, net.addr) == 1) {
		net.family = AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, host, net.addr) == 1) {
		net.family = AF_INET6;
		maxbits = 128;
	} else {
		return SN_EPARSE;
	}
	net.prefix = maxbits;
	if (slash != NULL) {
		char *end;
		if (slash[1] < '0' || slash[1] > '9') {
			return SN_EPARSE;
		}
		errno = 0;
		unsigned long p = strtoul(slash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || p > maxbits) {
			return SN_EPARSE;
		}
		net.prefix = (unsigned)p;
	}
	*out = net;
	return SN_OK;
}

static int
add_listen(walk_t *w, yaml_node_t *n, void *arg)
{
	const char *s = scalar(n);
	if (s == NULL || conf_parse_listen(s, 53, &w->conf->listen[w->conf->listen_count]) != SN_OK) {
		return fail(w, n, "listen: expected address[@port], e.g. 127.0.0.1@5300 or \"::1@5300\"");
	}
	w->conf->listen_count++;
	return SN_OK;
}

static int
walk_server(walk_t *w, yaml_node_t *map)
{
	conf_t *c = w->conf;
	if (map->type != YAML_MAPPING_NODE) {
		return fail(w, map, "server: expected a mapping");
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
		const char *key = scalar(k);
		unsigned long u;
		int rc;
		if (key == NULL) {
			return fail(w, k, "server: expected a key");
		}
		if (strcmp(key, "listen") == 0) {
			free(c->listen);
			c->listen_count = 0;
			c->listen = calloc(item_count(v), sizeof(*c->listen));
			if (c->listen == NULL) {
				return SN_ENOMEM;
			}
			rc = each_item(w, v, key, add_listen, NULL);
		} else if (strcmp(key, "workers") == 0) {
			rc = get_uint(w, v, key, 0, 256, &u);
			c->workers = (unsigned)u;
		} else if (strcmp(key, "tcp-workers") == 0) {
			rc = get_uint(w, v, key, 0, 256, &u);
			c->tcp_workers = (unsigned)u;
		} else if (strcmp(key, "tcp-idle-timeout") == 0) {
			rc = get_uint(w, v, key, 1, 86400, &u);
			c->tcp_idle_timeout = (unsigned)u;
		} else if (strcmp(key, "tcp-max-clients") == 0) {
			rc = get_uint(w, v, key, 1, 1000000, &u);
			c->tcp_max_clients = (unsigned)u;
		} else if (strcmp(key, "udp-max-payload") == 0) {
			/* RFC 6891 6.2.5: values below 512 are treated as 512 */
			rc = get_uint(w, v, key, 512, 65535, &u);
			c->udp_max_payload = (uint16_t)u;
		} else if (strcmp(key, "storage") == 0) {
			rc = get_string(w, v, key, &c->storage);
		} else if (strcmp(key, "nsid") == 0) {
			rc = get_string(w, v, key, &c->nsid);
			if (rc == SN_OK) {
				c->nsid_len = strlen(c->nsid);
			}
		} else if (strcmp(key, "identity") == 0) {
			rc = get_string(w, v, key, &c->identity);
		} else if (strcmp(key, "version") == 0) {
			rc = get_string(w, v, key, &c->version);
		} else {
			return fail(w, k, "server: unknown key '%s'", key);
		}
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

static int
add_net(walk_t *w, yaml_node_t *n, void *arg)
{
	conf_acl_t *acl = arg;
	const char *s = scalar(n);
	if (s == NULL || conf_parse_net(s, &acl->nets[acl->net_count]) != SN_OK) {
		return fail(w, n, "address: expected an address or prefix, e.g. 10.0.0.0/8 or \"::1\"");
	}
	acl->net_count++;
	return SN_OK;
}

static int
add_action(walk_t *w, yaml_node_t *n, void *arg)
{
	conf_acl_t *acl = arg;
	const char *s = scalar(n);
	if (s != NULL && strcmp(s, "transfer") == 0) {
		acl->actions |= CONF_ACT_TRANSFER;
	} else if (s != NULL && strcmp(s, "notify") == 0) {
		acl->actions |= CONF_ACT_NOTIFY;
	} else if (s != NULL && strcmp(s, "update") == 0) {
		acl->actions |= CONF_ACT_UPDATE;
	} else {
		return fail(w, n, "action: expected transfer, notify or update");
	}
	return SN_OK;
}

static int
walk_acl(walk_t *w, yaml_node_t *map, conf_acl_t *acl)
{
	if (map->type != YAML_MAPPING_NODE) {
		return fail(w, map, "acl: each item must be a mapping with an id");
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
		const char *key = scalar(k);
		int rc;
		if (key == NULL) {
			return fail(w, k, "acl: expected a key");
		}
		if (strcmp(key, "id") == 0) {
			rc = get_string(w, v, key, &acl->id);
		} else if (strcmp(key, "address") == 0) {
			free(acl->nets);
			acl->net_count = 0;
			acl->nets = calloc(item_count(v), sizeof(*acl->nets));
			if (acl->nets == NULL) {
				return SN_ENOMEM;
			}
			rc = each_item(w, v, key, add_net, acl);
		} else if (strcmp(key, "action") == 0) {
			rc = each_item(w, v, key, add_action, acl);
		} else if (strcmp(key, "deny") == 0) {
			const char *s = scalar(v);
			if (s != NULL && (strcmp(s, "on") == 0 || strcmp(s, "true") == 0)) {
				acl->deny = true;
				rc = SN_OK;
			} else if (s != NULL && (strcmp(s, "off") == 0 || strcmp(s, "false") == 0)) {
				acl->deny = false;
				rc = SN_OK;
			} else {
				rc = fail(w, v, "deny: expected on or off");
			}
		} else {
			return fail(w, k, "acl: unknown key '%s'", key);
		}
		if (rc != SN_OK) {
			return rc;
		}
	}
	if (acl->id == NULL) {
		return fail(w, map, "acl: missing id");
	}
	for (size_t i = 0; i < w->conf->acl_count; i++) {
		if (strcmp(w->conf->acls[i].id, acl->id) == 0) {
			return fail(w, map, "acl: duplicate id '%s'", acl->id);
		}
	}
	return SN_OK;
}

static int
add_zone_acl(walk_t *w, yaml_node_t *n, void *arg)
{
	conf_zone_t *z = arg;
	const char *s = scalar(n);
	if (s == NULL) {
		return fail(w, n, "acl: expected an acl id");
	}
	for (size_t i = 0; i < w->conf->acl_count; i++) {
		if (strcmp(w->conf->acls[i].id, s) == 0) {
			z->acls[z->acl_count++] = &w->conf->acls[i];
			return SN_OK;
		}
	}
	return fail(w, n, "acl: no acl with id '%s'", s);
}

/* Joins a relative path to the folder of the config file. */
static char *
path_join(const char *conf_path, const char *rel)
{
	if (rel[0] == '/') {
		return strdup(rel);
	}
	const char *slash = strrchr(conf_path, '/');
	if (slash == NULL) {
		return strdup(rel);
	}
	size_t dlen = (size_t)(slash - conf_path);
	size_t rlen = strlen(rel);
	char *p = malloc(dlen + 1 + rlen + 1);
	if (p == NULL) {
		return NULL;
	}
	memcpy(p, conf_path, dlen);
	p[dlen] = '/';
	memcpy(p + dlen + 1, rel, rlen + 1);
	return p;
}

static int
walk_zone(walk_t *w, yaml_node_t *map, conf_zone_t *z)
{
	yaml_node_t *domain_node = map;
	if (map->type != YAML_MAPPING_NODE) {
		return fail(w, map, "zone: each item must be a mapping with a domain");
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
		const char *key = scalar(k);
		int rc;
		if (key == NULL) {
			return fail(w, k, "zone: expected a key");
		}
		if (strcmp(key, "domain") == 0) {
			const char *s = scalar(v);
			size_t len;
			if (s == NULL || dname_from_text(s, strlen(s), (const uint8_t *)"", z->apex,
							 &len) != SN_OK) {
				return fail(w, v, "domain: expected a domain name");
			}
			domain_node = v;
			rc = get_string(w, v, key, &z->domain);
		} else if (strcmp(key, "file") == 0) {
			const char *s = scalar(v);
			if (s == NULL || *s == '\0') {
				return fail(w, v, "file: expected a path");
			}
			free(z->file);
			z->file = path_join(w->name, s);
			rc = z->file != NULL ? SN_OK : SN_ENOMEM;
		} else if (strcmp(key, "acl") == 0) {
			free(z->acls);
			z->acl_count = 0;
			z->acls = calloc(item_count(v), sizeof(*z->acls));
			if (z->acls == NULL) {
				return SN_ENOMEM;
			}
			rc = each_item(w, v, key, add_zone_acl, z);
		} else {
			return fail(w, k, "zone: unknown key '%s'", key);
		}
		if (rc != SN_OK) {
			return rc;
		}
	}
	if (z->domain == NULL) {
		return fail(w, map, "zone: missing domain");
	}
	for (size_t i = 0; i < w->conf->zone_count; i++) {
		if (dname_is_equal(w->conf->zones[i].apex, z->apex)) {
			return fail(w, domain_node, "zone: '%s' is defined twice", z->domain);
		}
	}
	if (z->file == NULL) {
		/* knot.conf's default: <domain>zone in the storage folder */
		char name[DNAME_MAXTEXT + 8];
		dname_to_text(z->apex, name, sizeof(name));
		strcat(name, "zone");
		z->file = path_join(w->name, name);
		if (z->file == NULL) {
			return SN_ENOMEM;
		}
	}
	return SN_OK;
}

static int
walk_list(walk_t *w, yaml_node_t *k, yaml_node_t *v)
{
	conf_t *c = w->conf;
	bool is_acl = strcmp(scalar(k), "acl") == 0;
	int rc = SN_OK;

	if (v->type != YAML_SEQUENCE_NODE) {
		return fail(w, v, "%s: expected a list", scalar(k));
	}
	size_t n = item_count(v);
	if (is_acl) {
		c->acls = calloc(n + 1, sizeof(*c->acls));
	} else {
		c->zones = calloc(n + 1, sizeof(*c->zones));
	}
	if ((is_acl ? (void *)c->acls : (void *)c->zones) == NULL) {
		return SN_ENOMEM;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start;
	     rc == SN_OK && it < v->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(w->doc, *it);
		if (is_acl) {
			rc = walk_acl(w, item, &c->acls[c->acl_count]);
			c->acl_count++; /* counted even on error, so conf_free frees it */
		} else {
			rc = walk_zone(w, item, &c->zones[c->zone_count]);
			c->zone_count++;
		}
	}
	return rc;
}

/* Sections are walked in dependency order (server, acl, zone) whatever their
 * order in the file, so a zone may name an acl defined further down. */
static int
walk_root(walk_t *w, yaml_node_t *root)
{
	static const char *const order[] = {"server", "acl", "zone"};
	yaml_node_t *keys[3] = {NULL}, *vals[3] = {NULL};

	if (root == NULL) {
		return SN_OK; /* an empty file: all defaults */
	}
	if (root->type != YAML_MAPPING_NODE) {
		return fail(w, root, "expected a mapping of sections (server, acl, zone)");
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		const char *key = scalar(k);
		size_t i = 0;
		if (key == NULL) {
			return fail(w, k, "expected a section name");
		}
		while (i < 3 && strcmp(key, order[i]) != 0) {
			i++;
		}
		if (i == 3) {
			return fail(w, k, "unknown section '%s'", key);
		}
		if (keys[i] != NULL) {
			return fail(w, k, "section '%s' given twice", key);
		}
		keys[i] = k;
		vals[i] = yaml_document_get_node(w->doc, p->value);
	}
	for (size_t i = 0; i < 3; i++) {
		if (keys[i] == NULL) {
			continue;
		}
		int rc = i == 0 ? walk_server(w, vals[i]) : walk_list(w, keys[i], vals[i]);
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

static int
load(const char *name, yaml_parser_t *parser, conf_t **out, char err[CONF_ERRLEN])
{
	yaml_document_t doc;
	conf_t *c = NULL;
	int rc;

	if (!yaml_parser_load(parser, &doc)) {
		snprintf(err, CONF_ERRLEN, "%s:%zu:%zu: %s%s%s", name, parser->problem_mark.line + 1,
			 parser->problem_mark.column + 1, parser->problem ? parser->problem : "bad YAML",
			 parser->context ? " " : "", parser->context ? parser->context : "");
		return SN_EPARSE;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->path = strdup(name)) == NULL) {
		yaml_document_delete(&doc);
		free(c);
		snprintf(err, CONF_ERRLEN, "%s: out of memory", name);
		return SN_ENOMEM;
	}
	c->tcp_idle_timeout = 10;
	c->tcp_max_clients = 1024;
	c->udp_max_payload = 1232; /* DNS flag day 2020: no fragmentation */

	walk_t w = {.doc = &doc, .name = name, .err = err, .conf = c};
	rc = walk_root(&w, yaml_document_get_root_node(&doc));
	if (rc == SN_OK && c->storage == NULL) {
		c->storage = strdup("./var");
		rc = c->storage != NULL ? SN_OK : SN_ENOMEM;
	}
	if (rc == SN_OK && c->listen_count == 0) {
		c->listen = calloc(1, sizeof(*c->listen));
		rc = c->listen == NULL ? SN_ENOMEM
				       : conf_parse_listen("127.0.0.1@53", 53, &c->listen[0]);
		c->listen_count = rc == SN_OK ? 1 : 0;
	}
	/* a second document in the stream is a mistake worth reporting */
	if (rc == SN_OK) {
		yaml_document_t next;
		if (yaml_parser_load(parser, &next)) {
			yaml_node_t *r = yaml_document_get_root_node(&next);
			if (r != NULL) {
				rc = fail(&w, r, "only one YAML document is allowed");
			}
			yaml_document_delete(&next);
		}
	}
	yaml_document_delete(&doc);
	if (rc == SN_ENOMEM) {
		snprintf(err, CONF_ERRLEN, "%s: out of memory", name);
	}
	if (rc != SN_OK) {
		conf_free(c);
		return rc;
	}
	*out = c;
	return SN_OK;
}

int
conf_load_mem(const char *name, const char *text, size_t len, conf_t **out, char err[CONF_ERRLEN])
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, CONF_ERRLEN, "%s: out of memory", name);
		return SN_ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	int rc = load(name, &parser, out, err);
	yaml_parser_delete(&parser);
	return rc;
}

int
conf_load(const char *path, conf_t **out, char err[CONF_ERRLEN])
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, CONF_ERRLEN, "%s: cannot open: %s", path, strerror(errno));
		return SN_EIO;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		snprintf(err, CONF_ERRLEN, "%s: out of memory", path);
		return SN_ENOMEM;
	}
	yaml_parser_set_input_file(&parser, f);
	int rc = load(path, &parser, out, err);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

void
conf_free(conf_t *c)
{
	if (c == NULL) {
		return;
	}
	for (size_t i = 0; i < c->acl_count; i++) {
		free(c->acls[i].id);
		free(c->acls[i].nets);
	}
	for (size_t i = 0; i < c->zone_count; i++) {
		free(c->zones[i].domain);
		free(c->zones[i].file);
		free(c->zones[i].acls);
	}
	free(c->acls);
	free(c->zones);
	free(c->listen);
	free(c->storage);
	free(c->nsid);
	free(c->identity);
	free(c->version);
	free(c->path);
	free(c);
}

const conf_zone_t *
conf_zone_find(const conf_t *conf, const uint8_t *apex)
{
	for (size_t i = 0; i < conf->zone_count; i++) {
		if (dname_is_equal(conf->zones[i].apex, apex)) {
			return &conf->zones[i];
		}
	}
	return NULL;
}

static bool
net_matches(const conf_net_t *net, const struct sockaddr *sa)
{
	const uint8_t *a;
	if (sa->sa_family != net->family) {
		/* an IPv4-mapped IPv6 client matches IPv4 ranges */
		if (net->family == AF_INET && sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
			if (!IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
				return false;
			}
			a = s6->sin6_addr.s6_addr + 12;
		} else {
			return false;
		}
	} else if (sa->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else {
		a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	}
	unsigned bits = net->prefix, i = 0;
	for (; bits >= 8; bits -= 8, i++) {
		if (a[i] != net->addr[i]) {
			return false;
		}
	}
	if (bits > 0) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits));
		if ((a[i] & mask) != (net->addr[i] & mask)) {
			return false;
		}
	}
	return true;
}

bool
conf_zone_allows(const conf_zone_t *zone, const struct sockaddr *addr, unsigned action)
{
	for (size_t i = 0; i < zone->acl_count; i++) {
		const conf_acl_t *acl = zone->acls[i];
		if ((acl->actions & action) == 0) {
			continue;
		}
		bool match = acl->net_count == 0;
		for (size_t j = 0; !match && j < acl->net_count; j++) {
			match = net_matches(&acl->nets[j], addr);
		}
		if (match) {
			return !acl->deny;
		}
	}
	return false;
}
