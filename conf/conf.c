/* SPDX-License-Identifier: MIT
 * conf.c - YAML configuration: parse with libyaml, walk the schema, validate.
 *
 * libyaml builds the document tree and keeps each node's position. Three
 * passes turn it into a conf_t:
 *   1. declare: the items of the sections others refer to (key, remote,
 *      acl, template, policy) get their place and their id, so a reference
 *      may point to an item further down the file;
 *   2. walk: every section in file order, each mapping through a table of
 *      its keys (key_def_t), references resolved by id;
 *   3. finish: defaults, user and group lookups, zone options resolved
 *      through the templates, the zone index and its duplicates.
 * A problem does not stop the walk: each is recorded with its node's
 * position, and at the end they are sorted into file order and reported.
 * Everything of a conf_t lives in one arena (struct conf_mem), so a half-built
 * one is freed whole and conf_free is one loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>
#include <unistd.h>
#include <yaml.h>
#include "conf/conf.h"

/*
 * The arena: blocks of 64 KiB (bigger requests get a block of their own),
 * zeroed allocations aligned for any type.
 */

#define MEM_BLOCK 65536
#define MEM_ALIGN 16

struct conf_mem {
	struct conf_mem *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

static void *
mem_alloc(struct conf_mem **head, size_t size)
{
	if (size > SIZE_MAX / 2) {
		return NULL;
	}
	size = (size + MEM_ALIGN - 1) & ~(size_t)(MEM_ALIGN - 1);
	struct conf_mem *b = *head;
	if (b == NULL || b->cap - b->used < size) {
		bool big = size > MEM_BLOCK / 4;
		size_t cap = big ? size : MEM_BLOCK;
		struct conf_mem *nb = malloc(sizeof(*nb) + cap);
		if (nb == NULL) {
			return NULL;
		}
		nb->cap = cap;
		nb->used = 0;
		if (big && b != NULL) {
			/* keep the current block for the small allocations to come */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			*head = nb;
		}
		b = nb;
	}
	void *p = (unsigned char *)b->data + b->used;
	b->used += size;
	memset(p, 0, size);
	return p;
}

static void
mem_free(struct conf_mem *m)
{
	while (m != NULL) {
		struct conf_mem *next = m->next;
		free(m);
		m = next;
	}
}

/*
 * The walk state and problem reports.
 */

enum sect {
	S_SERVER,
	S_LOG,
	S_KEY,
	S_REMOTE,
	S_ACL,
	S_SUBMISSION,
	S_TEMPLATE,
	S_POLICY,
	S_ZONE,
	S_COUNT
};

static const char *const sect_names[S_COUNT] = {
	"server", "log", "key", "remote", "acl", "submission", "template", "policy", "zone",
};

/* An item that others can refer to, by id. */
typedef struct ident {
	const char *id; /* for keys: the name in canonical text form */
	void *item;
	const yaml_node_t *node;
} ident_t;

typedef struct errmsg {
	size_t line; /* 1-based; 0 when the problem has no place */
	size_t col;
	size_t seq;
	char *text;
} errmsg_t;

/* Problems kept for sorting; past this many only their count is kept. */
#define ERR_KEEP 4096

typedef struct walk {
	yaml_document_t *doc;
	const char *name;
	struct conf_mem *mem;
	conf_t *conf;
	bool oom;
	errmsg_t *errs;
	size_t nerr;
	size_t total;
	yaml_node_t *sect_key[S_COUNT];
	yaml_node_t *sect_val[S_COUNT];
	ident_t *ids[S_COUNT];
	size_t nids[S_COUNT];
	yaml_node_t **zone_nodes; /* per zone: its domain node */
	conf_zopts_t *zone_own;   /* per zone: its own options, until resolved */
	const yaml_node_t *storage_node;
	const yaml_node_t *control_node;
	const yaml_node_t *user_node;
	const yaml_node_t *group_node;
	conf_policy_t *builtin; /* the built-in default policy, once a zone needs it */
} walk_t;

static void *
walk_alloc(walk_t *w, size_t size)
{
	void *p = mem_alloc(&w->mem, size);
	if (p == NULL) {
		w->oom = true;
	}
	return p;
}

static void *
walk_array(walk_t *w, size_t n, size_t size)
{
	if (n != 0 && size > SIZE_MAX / 2 / n) {
		w->oom = true;
		return NULL;
	}
	return walk_alloc(w, n * size + 1);
}

static char *
walk_strdup(walk_t *w, const char *s)
{
	size_t len = strlen(s);
	char *d = walk_alloc(w, len + 1);
	if (d != NULL) {
		memcpy(d, s, len + 1);
	}
	return d;
}

/* Records a problem at `line`:`col` (1-based; 0 for none). */
static void
vreport(walk_t *w, size_t line, size_t col, const char *fmt, va_list ap)
{
	char buf[CONF_ERRLEN];
	int off = line != 0 ? snprintf(buf, sizeof(buf), "%s:%zu:%zu: ", w->name, line, col)
			    : snprintf(buf, sizeof(buf), "%s: ", w->name);

	w->total++;
	if (w->nerr >= ERR_KEEP) {
		return;
	}
	if (off < 0 || (size_t)off >= sizeof(buf)) {
		off = 0;
	}
	vsnprintf(buf + off, sizeof(buf) - (size_t)off, fmt, ap);
	if (w->nerr % 64 == 0) {
		errmsg_t *e = realloc(w->errs, (w->nerr + 64) * sizeof(*e));
		if (e == NULL) {
			w->oom = true;
			return;
		}
		w->errs = e;
	}
	char *text = strdup(buf);
	if (text == NULL) {
		w->oom = true;
		return;
	}
	w->errs[w->nerr++] = (errmsg_t){.line = line, .col = col, .seq = w->total, .text = text};
}

static void report(walk_t *w, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records a problem at the node `n` (NULL: no place). */
static void
report(walk_t *w, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(w, n != NULL ? n->start_mark.line + 1 : 0, n != NULL ? n->start_mark.column + 1 : 0,
		fmt, ap);
	va_end(ap);
}

static void report_at(walk_t *w, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
report_at(walk_t *w, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(w, line, col, fmt, ap);
	va_end(ap);
}

static int
errmsg_cmp(const void *pa, const void *pb)
{
	const errmsg_t *a = pa, *b = pb;
	if (a->line != b->line) {
		return a->line < b->line ? -1 : 1;
	}
	if (a->col != b->col) {
		return a->col < b->col ? -1 : 1;
	}
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * Node helpers.
 */

static yaml_node_t *
node(walk_t *w, int id)
{
	return yaml_document_get_node(w->doc, id);
}

/* The text of a scalar, or NULL for other nodes and for text with a NUL. */
static const char *
scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE) {
		return NULL;
	}
	const char *s = (const char *)n->data.scalar.value;
	return strlen(s) == n->data.scalar.length ? s : NULL;
}

/* `key:` with nothing after it, or `~` / `null`. */
static bool
is_null(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		return false;
	}
	const char *s = (const char *)n->data.scalar.value;
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0;
}

/* Lists take a sequence or one scalar (as knot.conf does). */
static bool
list_check(walk_t *w, const yaml_node_t *v, const char *key)
{
	if (v->type == YAML_MAPPING_NODE) {
		report(w, v, "%s: expected a list", key);
		return false;
	}
	return true;
}

static size_t
list_count(const yaml_node_t *v)
{
	if (v->type == YAML_SEQUENCE_NODE) {
		return (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	}
	return v->type == YAML_SCALAR_NODE ? 1 : 0;
}

static yaml_node_t *
list_at(walk_t *w, yaml_node_t *v, size_t i)
{
	if (v->type == YAML_SEQUENCE_NODE) {
		return node(w, v->data.sequence.items.start[i]);
	}
	return v;
}

/*
 * Suggestions for unknown keys: Knot's names for what signet calls otherwise,
 * then the nearest known key by edit distance.
 */

static const struct {
	const char *from;
	const char *to;
} aliases[] = {
	{"udp-workers", "workers"},
	{"max-tcp-clients", "tcp-max-clients"},
	{"max-udp-payload", "udp-max-payload"},
	{"max-journal-depth", "journal-max-entries"},
	{"journal-max-depth", "journal-max-entries"},
	{"max-journal-usage", "journal-max-size"},
	{"journal-max-usage", "journal-max-size"},
	{"policy", "dnssec-policy"},
	{"dnssec-signing-policy", "dnssec-policy"},
	{"signatures-validity", "rrsig-lifetime"},
	{"signatures-refresh", "rrsig-refresh"},
	{"signatures-jitter", "rrsig-jitter"},
	{"max-zone-ttl", "zone-max-ttl"},
	{"nsec3-salt", "nsec3-salt-length"},
	{"csk", "single-type-signing"},
	{"primary", "master"},
	{"zonefile-load", "serial-auto-bump"},
};

#define NAME_MAX_EDIT 64

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[NAME_MAX_EDIT + 1];
	if (la > NAME_MAX_EDIT || lb > NAME_MAX_EDIT) {
		return SIZE_MAX;
	}
	for (size_t j = 0; j <= lb; j++) {
		row[j] = j;
	}
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best) {
				best = up + 1;
			}
			if (row[j - 1] + 1 < best) {
				best = row[j - 1] + 1;
			}
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The best of `names` (n of them) for the unknown `key`, or NULL. */
static const char *
suggest(const char *key, const char *const *names, size_t n)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(key, aliases[i].from) != 0) {
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			if (strcmp(names[j], aliases[i].to) == 0) {
				return names[j];
			}
		}
	}
	const char *best = NULL;
	size_t bestd = SIZE_MAX;
	for (size_t j = 0; j < n; j++) {
		size_t d = edit_distance(key, names[j]);
		size_t limit = strlen(names[j]) <= 4 ? 1 : 2;
		if (d <= limit && d < bestd) {
			best = names[j];
			bestd = d;
		}
	}
	return best;
}

/*
 * Values. Each key of a mapping has a key_def_t: its name, the function
 * that reads its value into the field at `off` of the object (`size`
 * octets; `off2` is the count of a list), and its limits.
 */

typedef struct key_def key_def_t;
typedef bool (*val_fn)(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d);

struct key_def {
	const char *name;
	val_fn fn;
	size_t off;
	size_t size;
	size_t off2;
	unsigned bit; /* conf_zopt bit the value sets */
	uint64_t min;
	uint64_t max;
	int arg; /* the section a reference points to; the default port */
	const char *const *names;
};

#define FIELD(obj, d) ((void *)((char *)(obj) + (d)->off))

static void
store_uint(void *p, size_t size, uint64_t v)
{
	if (size == 1) {
		uint8_t x = (uint8_t)v;
		memcpy(p, &x, 1);
	} else if (size == 2) {
		uint16_t x = (uint16_t)v;
		memcpy(p, &x, 2);
	} else if (size == 4) {
		uint32_t x = (uint32_t)v;
		memcpy(p, &x, 4);
	} else {
		memcpy(p, &v, 8);
	}
}

static void
store_ptr(void *p, const void *v)
{
	memcpy(p, &v, sizeof(v));
}

static bool
parse_u64(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	if (*s < '0' || *s > '9') {
		return false;
	}
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned dgt = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - dgt) / 10) {
			return false;
		}
		v = v * 10 + dgt;
	}
	*end = s;
	*out = v;
	return true;
}

static int
parse_suffixed(const char *s, const char *units, const uint64_t *mult, uint64_t *out)
{
	const char *end;
	uint64_t v;
	if (s == NULL || !parse_u64(s, &end, &v)) {
		/* a run of digits too long for 64 bits is out of range, not garbage */
		if (s != NULL && *s >= '0' && *s <= '9') {
			size_t n = strspn(s, "0123456789");
			if (s[n] == '\0' || (s[n + 1] == '\0' && strchr(units, s[n]) != NULL)) {
				return SN_ERANGE;
			}
		}
		return SN_EPARSE;
	}
	if (*end != '\0') {
		const char *u = strchr(units, *end);
		if (u == NULL || end[1] != '\0') {
			return SN_EPARSE;
		}
		uint64_t m = mult[u - units];
		if (v > UINT64_MAX / m) {
			return SN_ERANGE;
		}
		v *= m;
	}
	*out = v;
	return SN_OK;
}

int
conf_parse_size(const char *s, uint64_t *out)
{
	static const uint64_t mult[] = {1, 1024, 1024 * 1024, 1024 * 1024 * 1024,
					1, 1024, 1024 * 1024, 1024 * 1024 * 1024};
	return parse_suffixed(s, "BKMGbkmg", mult, out);
}

int
conf_parse_time(const char *s, uint64_t *out)
{
	static const uint64_t mult[] = {1, 60, 3600, 86400, 7 * 86400};
	return parse_suffixed(s, "smhdw", mult, out);
}

/* Writes `v` with the largest unit that divides it. */
static const char *
fmt_unit(char *buf, size_t cap, uint64_t v, bool size)
{
	static const char *const su[] = {"G", "M", "K"};
	static const uint64_t sm[] = {1024ull * 1024 * 1024, 1024 * 1024, 1024};
	static const char *const tu[] = {"d", "h", "m"};
	static const uint64_t tm[] = {86400, 3600, 60};
	for (size_t i = 0; i < 3; i++) {
		uint64_t m = size ? sm[i] : tm[i];
		if (v != 0 && v % m == 0) {
			snprintf(buf, cap, "%llu%s", (unsigned long long)(v / m), size ? su[i] : tu[i]);
			return buf;
		}
	}
	snprintf(buf, cap, "%llu%s", (unsigned long long)v, size ? "" : "s");
	return buf;
}

static bool
h_uint(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	const char *s = scalar(v), *end;
	uint64_t x;
	if (s == NULL || !parse_u64(s, &end, &x) || *end != '\0') {
		if (s != NULL && *s >= '0' && *s <= '9' && s[strspn(s, "0123456789")] == '\0') {
			report(w, v, "%s: %s is out of range %llu..%llu", d->name, s,
			       (unsigned long long)d->min, (unsigned long long)d->max);
		} else {
			report(w, v, "%s: expected a number", d->name);
		}
		return false;
	}
	if (x < d->min || x > d->max) {
		report(w, v, "%s: %llu is out of range %llu..%llu", d->name, (unsigned long long)x,
		       (unsigned long long)d->min, (unsigned long long)d->max);
		return false;
	}
	store_uint(FIELD(obj, d), d->size, x);
	return true;
}

static bool
h_units(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d, bool size)
{
	const char *s = scalar(v);
	char lo[32], hi[32];
	uint64_t x;
	int rc = size ? conf_parse_size(s, &x) : conf_parse_time(s, &x);
	if (rc == SN_EPARSE) {
		report(w, v, "%s: expected %s", d->name,
		       size ? "a size, e.g. 512, 64K, 16M or 1G"
			    : "a time, e.g. 30, 30s, 5m, 2h, 1d or 2w");
		return false;
	}
	if (rc != SN_OK || x < d->min || x > d->max) {
		report(w, v, "%s: %s is out of range %s..%s", d->name, s,
		       fmt_unit(lo, sizeof(lo), d->min, size), fmt_unit(hi, sizeof(hi), d->max, size));
		return false;
	}
	store_uint(FIELD(obj, d), d->size, x);
	return true;
}

static bool
h_size(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	return h_units(w, v, obj, d, true);
}

static bool
h_time(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	return h_units(w, v, obj, d, false);
}

static bool
parse_bool(const char *s, bool *out)
{
	if (s != NULL && (strcmp(s, "on") == 0 || strcmp(s, "true") == 0)) {
		*out = true;
		return true;
	}
	if (s != NULL && (strcmp(s, "off") == 0 || strcmp(s, "false") == 0)) {
		*out = false;
		return true;
	}
	return false;
}

static bool
h_bool(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	bool b;
	if (!parse_bool(scalar(v), &b)) {
		report(w, v, "%s: expected on or off", d->name);
		return false;
	}
	*(bool *)FIELD(obj, d) = b;
	return true;
}

/* One of d->names (NULL-terminated); the index is stored. */
static bool
h_enum(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	const char *s = scalar(v);
	char list[256];
	size_t n = 0, off = 0;
	for (; d->names[n] != NULL; n++) {
		if (s != NULL && strcmp(s, d->names[n]) == 0) {
			store_uint(FIELD(obj, d), d->size, n);
			return true;
		}
	}
	list[0] = '\0';
	for (size_t i = 0; i < n && off < sizeof(list); i++) {
		int k = snprintf(list + off, sizeof(list) - off, "%s%s", d->names[i],
				 i + 2 < n ? ", " : (i + 1 < n ? " or " : ""));
		off += k > 0 ? (size_t)k : 0;
	}
	report(w, v, "%s: expected %s", d->name, list);
	return false;
}

static bool
h_string(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	const char *s = scalar(v);
	if (s == NULL || *s == '\0') {
		report(w, v, "%s: expected a non-empty string", d->name);
		return false;
	}
	char *p = walk_strdup(w, s);
	store_ptr(FIELD(obj, d), p);
	return p != NULL;
}

/* A string where an empty value means "none" (as Knot has it for identity
 * and version). */
static bool
h_optstring(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	const char *s = scalar(v);
	if (s == NULL) {
		report(w, v, "%s: expected a string", d->name);
		return false;
	}
	if (*s == '\0' || is_null(v)) {
		store_ptr(FIELD(obj, d), NULL);
		return true;
	}
	return h_string(w, v, obj, d);
}

static bool
h_skip(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	(void)w;
	(void)v;
	(void)obj;
	(void)d;
	return true;
}

/* A list of address[@port]: d->arg is the default port. */
static bool
h_addrs(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	if (!list_check(w, v, d->name)) {
		return false;
	}
	size_t n = list_count(v), got = 0;
	conf_listen_t *a = walk_array(w, n, sizeof(*a));
	if (a == NULL) {
		return false;
	}
	if (n < d->min) {
		report(w, v, "%s: expected at least one address", d->name);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = list_at(w, v, i);
		const char *s = scalar(it);
		if (s == NULL || conf_parse_listen(s, (uint16_t)d->arg, &a[got]) != SN_OK) {
			report(w, it, "%s: expected address[@port], e.g. 127.0.0.1@5300 or \"::1@5300\"",
			       d->name);
			continue;
		}
		got++;
	}
	store_ptr(FIELD(obj, d), a);
	*(size_t *)((char *)obj + d->off2) = got;
	return got == n;
}

static bool
h_nets(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	if (!list_check(w, v, d->name)) {
		return false;
	}
	size_t n = list_count(v), got = 0;
	conf_net_t *a = walk_array(w, n, sizeof(*a));
	if (a == NULL) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = list_at(w, v, i);
		const char *s = scalar(it);
		if (s == NULL || conf_parse_net(s, &a[got]) != SN_OK) {
			report(w, it,
			       "%s: expected an address, prefix or range, e.g. 10.0.0.0/8, \"::1\" "
			       "or 10.0.0.1-10.0.0.9",
			       d->name);
			continue;
		}
		got++;
	}
	store_ptr(FIELD(obj, d), a);
	*(size_t *)((char *)obj + d->off2) = got;
	return got == n;
}

/* Key ids are domain names (the TSIG key name): compared in canonical text. */
static bool
key_norm(const char *id, char out[DNAME_MAXTEXT], uint8_t wire[DNAME_MAXLEN])
{
	size_t len;
	if (dname_from_text(id, strlen(id), (const uint8_t *)"", wire, &len) != SN_OK) {
		return false;
	}
	dname_to_lower(wire);
	return dname_to_text(wire, out, DNAME_MAXTEXT) >= 0;
}

static int
ident_cmp_id(const void *key, const void *pe)
{
	return strcmp(key, ((const ident_t *)pe)->id);
}

static void *
lookup(walk_t *w, int sect, const char *id)
{
	char norm[DNAME_MAXTEXT];
	uint8_t wire[DNAME_MAXLEN];
	if (sect == S_KEY) {
		if (!key_norm(id, norm, wire)) {
			return NULL;
		}
		id = norm;
	}
	const ident_t *e = w->nids[sect] == 0 ? NULL
					      : bsearch(id, w->ids[sect], w->nids[sect],
							sizeof(ident_t), ident_cmp_id);
	return e != NULL ? e->item : NULL;
}

/* A list of references to items of section d->arg. */
static bool
h_refs(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	if (!list_check(w, v, d->name)) {
		return false;
	}
	size_t n = list_count(v), got = 0;
	const void **a = walk_array(w, n, sizeof(*a));
	if (a == NULL) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = list_at(w, v, i);
		const char *s = scalar(it);
		void *p;
		if (s == NULL || *s == '\0') {
			report(w, it, "%s: expected %s id", d->name,
			       d->arg == S_ACL ? "an acl" : d->arg == S_KEY ? "a key" : "a remote");
			continue;
		}
		p = lookup(w, d->arg, s);
		if (p == NULL) {
			report(w, it, "%s: no %s with id '%s'", d->name, sect_names[d->arg], s);
			continue;
		}
		a[got++] = p;
	}
	store_ptr(FIELD(obj, d), a);
	*(size_t *)((char *)obj + d->off2) = got;
	return got == n;
}

/* One reference to an item of section d->arg. */
static bool
h_ref(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	const char *s = scalar(v);
	void *p;
	if (s == NULL || *s == '\0') {
		report(w, v, "%s: expected an id", d->name);
		return false;
	}
	p = lookup(w, d->arg, s);
	if (p == NULL) {
		report(w, v, "%s: no %s with id '%s'", d->name, sect_names[d->arg], s);
		return false;
	}
	store_ptr(FIELD(obj, d), p);
	return true;
}

/*
 * Addresses.
 */

static bool
parse_addr(const char *s, size_t len, int *family, uint8_t out[16])
{
	char host[INET6_ADDRSTRLEN + 1];
	if (len == 0 || len >= sizeof(host)) {
		return false;
	}
	memcpy(host, s, len);
	host[len] = '\0';
	memset(out, 0, 16);
	if (inet_pton(AF_INET, host, out) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, host, out) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

int
conf_parse_listen(const char *s, uint16_t defport, conf_listen_t *out)
{
	const char *at = strrchr(s, '@');
	size_t hlen = at != NULL ? (size_t)(at - s) : strlen(s);
	uint64_t port = defport;
	uint8_t a[16];
	int family;
	conf_listen_t l;

	if (!parse_addr(s, hlen, &family, a)) {
		return SN_EPARSE;
	}
	if (at != NULL) {
		const char *end;
		if (!parse_u64(at + 1, &end, &port) || *end != '\0' || port > 65535) {
			return SN_EPARSE;
		}
	}
	memset(&l, 0, sizeof(l));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&l.addr;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, a, 4);
		l.addrlen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&l.addr;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, a, 16);
		l.addrlen = sizeof(*sin6);
	}
	*out = l;
	return SN_OK;
}

int
conf_parse_net(const char *s, conf_net_t *out)
{
	const char *dash = strchr(s, '-');
	const char *slash = strchr(s, '/');
	conf_net_t net;

	memset(&net, 0, sizeof(net));
	if (dash != NULL) {
		int f2;
		if (slash != NULL || !parse_addr(s, (size_t)(dash - s), &net.family, net.addr) ||
		    !parse_addr(dash + 1, strlen(dash + 1), &f2, net.last) || f2 != net.family) {
			return SN_EPARSE;
		}
		size_t n = net.family == AF_INET ? 4 : 16;
		if (memcmp(net.addr, net.last, n) > 0) {
			return SN_EPARSE;
		}
		net.prefix = (unsigned)n * 8;
		net.is_range = true;
		*out = net;
		return SN_OK;
	}
	size_t hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (!parse_addr(s, hlen, &net.family, net.addr)) {
		return SN_EPARSE;
	}
	unsigned maxbits = net.family == AF_INET ? 32 : 128;
	uint64_t p = maxbits;
	if (slash != NULL) {
		const char *end;
		if (!parse_u64(slash + 1, &end, &p) || *end != '\0' || p > maxbits) {
			return SN_EPARSE;
		}
	}
	net.prefix = (unsigned)p;
	/* addr keeps the network bits, last sets every host bit */
	for (unsigned i = 0; i < maxbits / 8; i++) {
		unsigned bits = p >= (i + 1) * 8 ? 8 : (p > i * 8 ? (unsigned)p - i * 8 : 0);
		uint8_t mask = (uint8_t)(bits == 0 ? 0 : 0xff << (8 - bits));
		net.addr[i] &= mask;
		net.last[i] = (uint8_t)(net.addr[i] | (uint8_t)~mask);
	}
	*out = net;
	return SN_OK;
}

/*
 * Base64 (RFC 4648 4) for TSIG secrets.
 */

static int
b64_val(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	if (c == '+') {
		return 62;
	}
	if (c == '/') {
		return 63;
	}
	return -1;
}

int
conf_base64_decode(const char *s, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t n = strlen(s), len = 0;
	if (n % 4 != 0) {
		return SN_EPARSE;
	}
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		size_t pad = 0;
		for (size_t j = 0; j < 4; j++) {
			if (s[i + j] == '=' && i + 4 == n && j >= 2) {
				v[j] = 0;
				pad++;
			} else if (pad != 0 || (v[j] = b64_val(s[i + j])) < 0) {
				return SN_EPARSE; /* '=' only at the end, nothing after it */
			}
		}
		uint32_t bits = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
				(uint32_t)v[3];
		size_t k = 3 - pad;
		if (cap - len < k) {
			return SN_ENOSPC;
		}
		for (size_t j = 0; j < k; j++) {
			out[len++] = (uint8_t)(bits >> (16 - 8 * j));
		}
	}
	*out_len = len;
	return SN_OK;
}

/*
 * Sections: server.
 */

static bool
h_nsid(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	conf_t *c = obj;
	const char *s = scalar(v);
	(void)d;
	if (s == NULL) {
		report(w, v, "nsid: expected a string or 0x and hex digits");
		return false;
	}
	size_t len = strlen(s);
	if (len == 0 || is_null(v)) {
		c->nsid = NULL;
		c->nsid_len = 0;
		return true;
	}
	/* RFC 5001 2.3: the payload is opaque; Knot takes 0x... as hex */
	bool hex = len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	size_t n = hex ? (len - 2) / 2 : len;
	if (hex && (len % 2 != 0 || strspn(s + 2, "0123456789abcdefABCDEF") != len - 2)) {
		report(w, v, "nsid: expected an even number of hex digits after 0x");
		return false;
	}
	if (n > 4096) {
		report(w, v, "nsid: %zu octets is longer than 4096", n);
		return false;
	}
	char *p = walk_alloc(w, n + 1);
	if (p == NULL) {
		return false;
	}
	if (hex) {
		for (size_t i = 0; i < n; i++) {
			char b[3] = {s[2 + 2 * i], s[3 + 2 * i], '\0'};
			p[i] = (char)strtoul(b, NULL, 16);
		}
	} else {
		memcpy(p, s, n);
	}
	c->nsid = p;
	c->nsid_len = n;
	return true;
}

static bool
h_mode(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	const char *s = scalar(v);
	size_t n = s != NULL ? strlen(s) : 0;
	(void)d;
	if (n == 0 || n > 4 || strspn(s, "01234567") != n || strtoul(s, NULL, 8) > 0777) {
		report(w, v, "control-mode: expected permission bits in octal, e.g. 0600 or 0660");
		return false;
	}
	((conf_t *)obj)->control_mode = (unsigned)strtoul(s, NULL, 8);
	return true;
}

static bool
h_user(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	conf_t *c = obj;
	const char *s = scalar(v);
	(void)d;
	if (s == NULL || *s == '\0' || *s == ':') {
		report(w, v, "user: expected a user name, or user:group");
		return false;
	}
	char *u = walk_strdup(w, s);
	if (u == NULL) {
		return false;
	}
	char *colon = strchr(u, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (colon[1] == '\0') {
			report(w, v, "user: expected a group name after ':'");
			return false;
		}
		if (c->group != NULL) {
			report(w, v, "user: the group is given twice (here and in group)");
			return false;
		}
		c->group = colon + 1;
		w->group_node = v;
	}
	c->user = u;
	w->user_node = v;
	return true;
}

static bool
h_group(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	conf_t *c = obj;
	if (c->group != NULL) {
		report(w, v, "group: the group is given twice (here and in user)");
		return false;
	}
	if (!h_string(w, v, obj, d)) {
		return false;
	}
	w->group_node = v;
	return true;
}

static bool
h_storage(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	w->storage_node = v;
	return h_string(w, v, obj, d);
}

static bool
h_control(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	w->control_node = v;
	return h_string(w, v, obj, d);
}

#define SRV(f) .off = offsetof(conf_t, f), .size = sizeof(((conf_t *)0)->f)

static const key_def_t server_defs[] = {
	{.name = "listen", .fn = h_addrs, SRV(listen), .off2 = offsetof(conf_t, listen_count),
	 .arg = 53, .min = 1},
	{.name = "workers", .fn = h_uint, SRV(workers), .min = 0, .max = 256},
	{.name = "tcp-workers", .fn = h_uint, SRV(tcp_workers), .min = 0, .max = 256},
	{.name = "tcp-idle-timeout", .fn = h_time, SRV(tcp_idle_timeout), .min = 1, .max = 86400},
	{.name = "tcp-max-clients", .fn = h_uint, SRV(tcp_max_clients), .min = 1, .max = 1000000},
	/* RFC 6891 6.2.5: values below 512 are treated as 512 */
	{.name = "udp-max-payload", .fn = h_size, SRV(udp_max_payload), .min = 512, .max = 65535},
	{.name = "storage", .fn = h_storage, SRV(storage)},
	{.name = "control", .fn = h_control, SRV(control)},
	{.name = "control-mode", .fn = h_mode},
	{.name = "user", .fn = h_user},
	{.name = "group", .fn = h_group, SRV(group)},
	{.name = "nsid", .fn = h_nsid},
	{.name = "identity", .fn = h_optstring, SRV(identity)},
	{.name = "version", .fn = h_optstring, SRV(version)},
	{.name = NULL},
};

/*
 * log
 */

static const char *const level_names[] = {"none",   "critical", "error", "warning",
					  "notice", "info",     "debug", NULL};

static bool
h_level(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	const char *s = scalar(v);
	/* "none" is the unset value, not something to write */
	for (size_t i = 1; s != NULL && level_names[i] != NULL; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			store_uint(FIELD(obj, d), d->size, i);
			return true;
		}
	}
	report(w, v, "%s: expected critical, error, warning, notice, info or debug", d->name);
	return false;
}

static bool
h_target(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	conf_log_t *l = obj;
	if (!h_string(w, v, obj, d)) {
		return false;
	}
	if (strcmp(l->target, "stderr") == 0) {
		l->kind = CONF_LOG_STDERR;
	} else if (strcmp(l->target, "stdout") == 0) {
		l->kind = CONF_LOG_STDOUT;
	} else if (strcmp(l->target, "syslog") == 0) {
		l->kind = CONF_LOG_SYSLOG;
	} else {
		l->kind = CONF_LOG_FILE;
	}
	return true;
}

#define LOG(f) .off = offsetof(conf_log_t, f), .size = sizeof(((conf_log_t *)0)->f)

static const key_def_t log_defs[] = {
	{.name = "target", .fn = h_target, LOG(target)},
	{.name = "server", .fn = h_level, LOG(server)},
	{.name = "control", .fn = h_level, LOG(control)},
	{.name = "zone", .fn = h_level, LOG(zone)},
	{.name = "any", .fn = h_level, LOG(any)},
	{.name = NULL},
};

/*
 * key
 */

static const char *const tsig_names[] = {NULL,          "hmac-sha1",   "hmac-sha224",
					 "hmac-sha256", "hmac-sha384", "hmac-sha512"};

const char *
conf_tsig_alg_name(enum conf_tsig_alg alg)
{
	if ((unsigned)alg >= 1 && (unsigned)alg <= CONF_TSIG_HMAC_SHA512) {
		return tsig_names[alg];
	}
	return "unknown";
}

static bool
h_algorithm(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	conf_key_t *k = obj;
	const char *s = scalar(v);
	(void)d;
	for (unsigned i = CONF_TSIG_HMAC_SHA1; s != NULL && i <= CONF_TSIG_HMAC_SHA512; i++) {
		if (strcasecmp(s, tsig_names[i]) == 0) {
			k->alg = (enum conf_tsig_alg)i;
			return true;
		}
	}
	if (s != NULL && (strcasecmp(s, "hmac-md5") == 0 ||
			  strcasecmp(s, "hmac-md5.sig-alg.reg.int") == 0)) {
		report(w, v, "algorithm: hmac-md5 must not be used (RFC 8945 6); use hmac-sha256");
		return false;
	}
	report(w, v, "algorithm: expected hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224 or "
		     "hmac-sha1");
	return false;
}

static bool
h_secret(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	conf_key_t *k = obj;
	const char *s = scalar(v);
	size_t len;
	(void)d;
	if (s == NULL || *s == '\0') {
		report(w, v, "secret: expected the key in base64");
		return false;
	}
	size_t cap = strlen(s) / 4 * 3 + 3;
	uint8_t *buf = walk_alloc(w, cap);
	if (buf == NULL) {
		return false;
	}
	if (conf_base64_decode(s, buf, cap, &len) != SN_OK || len == 0) {
		report(w, v, "secret: not valid base64 (RFC 4648 4: A-Z a-z 0-9 + /, padded with = "
			     "to a multiple of 4)");
		return false;
	}
	k->secret = buf;
	k->secret_len = len;
	return true;
}

static const key_def_t key_defs[] = {
	{.name = "id", .fn = h_skip},
	{.name = "algorithm", .fn = h_algorithm},
	{.name = "secret", .fn = h_secret},
	{.name = NULL},
};

/*
 * remote, acl
 */

#define RMT(f) .off = offsetof(conf_remote_t, f), .size = sizeof(((conf_remote_t *)0)->f)

static const key_def_t remote_defs[] = {
	{.name = "id", .fn = h_skip},
	{.name = "address", .fn = h_addrs, RMT(addrs), .off2 = offsetof(conf_remote_t, addr_count),
	 .arg = 53, .min = 1},
	{.name = "via", .fn = h_addrs, RMT(via), .off2 = offsetof(conf_remote_t, via_count),
	 .arg = 0},
	{.name = "key", .fn = h_ref, RMT(key), .arg = S_KEY},
	{.name = NULL},
};

static bool
h_actions(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	conf_acl_t *acl = obj;
	bool ok = true;
	if (!list_check(w, v, d->name)) {
		return false;
	}
	for (size_t i = 0; i < list_count(v); i++) {
		yaml_node_t *it = list_at(w, v, i);
		const char *s = scalar(it);
		if (s != NULL && strcmp(s, "transfer") == 0) {
			acl->actions |= CONF_ACT_TRANSFER;
		} else if (s != NULL && strcmp(s, "notify") == 0) {
			acl->actions |= CONF_ACT_NOTIFY;
		} else if (s != NULL && strcmp(s, "update") == 0) {
			acl->actions |= CONF_ACT_UPDATE;
		} else {
			report(w, it, "action: expected transfer, notify or update");
			ok = false;
		}
	}
	return ok;
}

#define ACL(f) .off = offsetof(conf_acl_t, f), .size = sizeof(((conf_acl_t *)0)->f)

static const key_def_t acl_defs[] = {
	{.name = "id", .fn = h_skip},
	{.name = "address", .fn = h_nets, ACL(nets), .off2 = offsetof(conf_acl_t, net_count)},
	{.name = "key", .fn = h_refs, ACL(keys), .off2 = offsetof(conf_acl_t, key_count),
	 .arg = S_KEY},
	{.name = "remote", .fn = h_refs, ACL(remotes), .off2 = offsetof(conf_acl_t, remote_count),
	 .arg = S_REMOTE},
	{.name = "action", .fn = h_actions},
	{.name = "deny", .fn = h_bool, ACL(deny)},
	{.name = NULL},
};

/*
 * Zone options (zone and template), policy, zone.
 */

static bool
h_file(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	const char *s = scalar(v);
	if (s == NULL || *s == '\0') {
		report(w, v, "file: expected a path");
		return false;
	}
	for (const char *p = strchr(s, '%'); p != NULL; p = strchr(p + 2, '%')) {
		if (p[1] != 's' && p[1] != '%') {
			report(w, v, "file: unknown formatter '%%%.1s' (signet knows %%s, the zone "
				     "name, and %%%%)",
			       p + 1);
			return false;
		}
	}
	return h_string(w, v, obj, d);
}

static const char *const serial_names[] = {"increment", "unixtime", "dateserial", NULL};

#define ZO(f) .off = offsetof(conf_zopts_t, f), .size = sizeof(((conf_zopts_t *)0)->f)

static const key_def_t zopt_defs[] = {
	{.name = "file", .fn = h_file, ZO(file), .bit = CONF_ZOPT_FILE},
	{.name = "acl", .fn = h_refs, ZO(acls), .off2 = offsetof(conf_zopts_t, acl_count),
	 .arg = S_ACL, .bit = CONF_ZOPT_ACL},
	{.name = "master", .fn = h_refs, ZO(masters), .off2 = offsetof(conf_zopts_t, master_count),
	 .arg = S_REMOTE, .bit = CONF_ZOPT_MASTER},
	{.name = "notify", .fn = h_refs, ZO(notify), .off2 = offsetof(conf_zopts_t, notify_count),
	 .arg = S_REMOTE, .bit = CONF_ZOPT_NOTIFY},
	{.name = "journal-max-entries", .fn = h_uint, ZO(journal_max_entries), .min = 1,
	 .max = UINT32_MAX, .bit = CONF_ZOPT_JOURNAL_ENTRIES},
	{.name = "journal-max-size", .fn = h_size, ZO(journal_max_size), .min = 64 * 1024,
	 .max = 1024ull * 1024 * 1024 * 1024, .bit = CONF_ZOPT_JOURNAL_SIZE},
	{.name = "serial-policy", .fn = h_enum, ZO(serial_policy), .names = serial_names,
	 .bit = CONF_ZOPT_SERIAL_POLICY},
	{.name = "serial-auto-bump", .fn = h_bool, ZO(serial_auto_bump),
	 .bit = CONF_ZOPT_SERIAL_AUTO_BUMP},
	{.name = "dnssec-signing", .fn = h_bool, ZO(dnssec_signing),
	 .bit = CONF_ZOPT_DNSSEC_SIGNING},
	{.name = "dnssec-policy", .fn = h_ref, ZO(policy), .arg = S_POLICY,
	 .bit = CONF_ZOPT_POLICY},
	{.name = NULL},
};

static const key_def_t template_defs[] = {
	{.name = "id", .fn = h_skip},
	{.name = NULL},
};

/*
 * submission, policy
 */

static yaml_node_t *map_get(walk_t *w, const yaml_node_t *map, const char *key);

#define SUB(f) .off = offsetof(conf_submission_t, f), .size = sizeof(((conf_submission_t *)0)->f)
#define T_MAX ((uint64_t)INT32_MAX)

static const key_def_t submission_defs[] = {
	{.name = "id", .fn = h_skip},
	{.name = "parent", .fn = h_refs, SUB(parents),
	 .off2 = offsetof(conf_submission_t, parent_count), .arg = S_REMOTE},
	{.name = "check-interval", .fn = h_time, SUB(check_interval), .min = 1, .max = T_MAX},
	{.name = "timeout", .fn = h_time, SUB(timeout), .min = 0, .max = T_MAX},
	{.name = "parent-delay", .fn = h_time, SUB(parent_delay), .min = 0, .max = T_MAX},
	{.name = NULL},
};

static const struct {
	const char *name;
	unsigned alg;
	unsigned bits; /* the fixed key size; 0 for RSA */
} dnssec_algs[] = {
	{"rsasha256", CONF_ALG_RSASHA256, 0},
	{"rsasha512", CONF_ALG_RSASHA512, 0},
	{"ecdsap256sha256", CONF_ALG_ECDSAP256SHA256, 256},
	{"ecdsap384sha384", CONF_ALG_ECDSAP384SHA384, 384},
	{"ed25519", CONF_ALG_ED25519, 256},
	{"ed448", CONF_ALG_ED448, 456}, /* a 57-octet public key (RFC 8080 3) */
};

#define NALGS (sizeof(dnssec_algs) / sizeof(dnssec_algs[0]))
#define RSA_MIN_BITS 1024
#define RSA_MAX_BITS 4096
#define RSA_DEFAULT_BITS 2048

const char *
conf_dnssec_alg_name(unsigned alg)
{
	for (size_t i = 0; i < NALGS; i++) {
		if (dnssec_algs[i].alg == alg) {
			return dnssec_algs[i].name;
		}
	}
	return NULL;
}

static bool
h_dnssec_alg(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	conf_policy_t *p = obj;
	const char *s = scalar(v);
	(void)d;
	for (size_t i = 0; s != NULL && i < NALGS; i++) {
		if (strcasecmp(s, dnssec_algs[i].name) == 0) {
			p->algorithm = (uint8_t)dnssec_algs[i].alg;
			return true;
		}
	}
	static const char *const refused[] = {"rsasha1", "rsasha1-nsec3-sha1", "rsamd5",
					      "dsa",     "dsa-nsec3-sha1",     "ecc-gost"};
	for (size_t i = 0; s != NULL && i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (strcasecmp(s, refused[i]) == 0) {
			report(w, v, "algorithm: signet does not sign with %s (RFC 8624 3.1: not to "
				     "be used for signing); use ecdsap256sha256",
			       s);
			return false;
		}
	}
	report(w, v, "algorithm: expected ecdsap256sha256, ecdsap384sha384, ed25519, ed448, "
		     "rsasha256 or rsasha512");
	return false;
}

static bool
h_digest(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	const char *s = scalar(v);
	(void)d;
	/* RFC 8624 3.3: SHA-1 (1) must not be used for new DS */
	if (s != NULL && strcasecmp(s, "sha256") == 0) {
		((conf_policy_t *)obj)->cds_digest_type = 2;
		return true;
	}
	if (s != NULL && strcasecmp(s, "sha384") == 0) {
		((conf_policy_t *)obj)->cds_digest_type = 4;
		return true;
	}
	report(w, v, "cds-digest-type: expected sha256 or sha384");
	return false;
}

/* A time, or -1: a new salt with each new ZSK (as Knot). */
static bool
h_salt_life(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	const char *s = scalar(v);
	if (s != NULL && strcmp(s, "-1") == 0) {
		((conf_policy_t *)obj)->nsec3_salt_lifetime = CONF_NSEC3_SALT_PER_ZSK;
		return true;
	}
	return h_time(w, v, obj, d);
}

static const char *const cds_names[] = {"none", "delete-dnssec", "rollover", "always",
					"double-ds", NULL};

#define POL(f) .off = offsetof(conf_policy_t, f), .size = sizeof(((conf_policy_t *)0)->f)

static const key_def_t policy_defs[] = {
	{.name = "id", .fn = h_skip},
	{.name = "algorithm", .fn = h_dnssec_alg},
	{.name = "ksk-size", .fn = h_uint, POL(ksk_size), .min = 1, .max = 65535},
	{.name = "zsk-size", .fn = h_uint, POL(zsk_size), .min = 1, .max = 65535},
	{.name = "single-type-signing", .fn = h_bool, POL(single_type_signing)},
	{.name = "manual", .fn = h_bool, POL(manual)},
	{.name = "ksk-lifetime", .fn = h_time, POL(ksk_lifetime), .max = T_MAX},
	{.name = "zsk-lifetime", .fn = h_time, POL(zsk_lifetime), .max = T_MAX},
	{.name = "delete-delay", .fn = h_time, POL(delete_delay), .max = T_MAX},
	{.name = "propagation-delay", .fn = h_time, POL(propagation_delay), .max = T_MAX},
	/* RFC 2181 8: a TTL is at most 2^31 - 1 */
	{.name = "dnskey-ttl", .fn = h_time, POL(dnskey_ttl), .max = T_MAX},
	{.name = "zone-max-ttl", .fn = h_time, POL(zone_max_ttl), .max = T_MAX},
	/* RFC 4034 3.1.5: RRSIG times compare in serial arithmetic, so a
	 * validity must stay well under 68 years; a minute is the least
	 * that leaves room for refreshing */
	{.name = "rrsig-lifetime", .fn = h_time, POL(rrsig_lifetime), .min = 60, .max = T_MAX},
	{.name = "rrsig-refresh", .fn = h_time, POL(rrsig_refresh), .min = 1, .max = T_MAX},
	{.name = "rrsig-pre-refresh", .fn = h_time, POL(rrsig_pre_refresh), .max = T_MAX},
	{.name = "rrsig-jitter", .fn = h_time, POL(rrsig_jitter), .max = T_MAX},
	{.name = "reproducible-signing", .fn = h_bool, POL(reproducible_signing)},
	{.name = "nsec3", .fn = h_bool, POL(nsec3)},
	/* RFC 9276 3.2: validators treat higher counts as insecure */
	{.name = "nsec3-iterations", .fn = h_uint, POL(nsec3_iterations), .max = 50},
	{.name = "nsec3-salt-length", .fn = h_uint, POL(nsec3_salt_length), .max = 255},
	{.name = "nsec3-salt-lifetime", .fn = h_salt_life, POL(nsec3_salt_lifetime), .max = T_MAX},
	{.name = "nsec3-opt-out", .fn = h_bool, POL(nsec3_opt_out)},
	{.name = "cds-cdnskey-publish", .fn = h_enum, POL(cds_cdnskey_publish), .names = cds_names},
	{.name = "cds-digest-type", .fn = h_digest},
	{.name = "ksk-submission", .fn = h_ref, POL(ksk_submission), .arg = S_SUBMISSION},
	{.name = NULL},
};

/* Knot's policy options that signet does not have: named, not guessed at. */
static const char *const knot_only[] = {
	"keystore", "ksk-shared", "offline-ksk", "ds-push", "dnskey-management", "unsafe-operation",
	"signing-threads", NULL,
};

static void
policy_defaults(conf_policy_t *p)
{
	p->algorithm = CONF_ALG_ECDSAP256SHA256;
	p->zsk_lifetime = 30 * 86400;
	p->propagation_delay = 3600;
	p->dnskey_ttl = CONF_POLICY_AUTO;
	p->zone_max_ttl = CONF_POLICY_AUTO;
	p->rrsig_lifetime = 14 * 86400;
	p->rrsig_refresh = CONF_POLICY_AUTO;
	p->rrsig_pre_refresh = 3600;
	p->rrsig_jitter = CONF_POLICY_AUTO;
	/* RFC 9276 3.1: NSEC3 with no extra iterations and no salt */
	p->nsec3 = true;
	p->nsec3_salt_lifetime = 30 * 86400;
	p->cds_cdnskey_publish = CONF_CDS_ROLLOVER;
	p->cds_digest_type = 2;
}

static unsigned
alg_bits(unsigned alg)
{
	for (size_t i = 0; i < NALGS; i++) {
		if (dnssec_algs[i].alg == alg) {
			return dnssec_algs[i].bits;
		}
	}
	return 0;
}

/* Values left to the defaults that depend on others. */
static void
policy_resolve(conf_policy_t *p)
{
	unsigned bits = alg_bits(p->algorithm);
	if (p->ksk_size == 0) {
		p->ksk_size = (uint16_t)(bits != 0 ? bits : RSA_DEFAULT_BITS);
	}
	if (p->zsk_size == 0) {
		p->zsk_size = (uint16_t)(bits != 0 ? bits : RSA_DEFAULT_BITS);
	}
	if (p->rrsig_jitter == CONF_POLICY_AUTO) {
		p->rrsig_jitter = p->rrsig_lifetime / 28;
	}
}

uint32_t
conf_policy_rrsig_refresh(const conf_policy_t *p, uint32_t zone_max_ttl)
{
	if (p->rrsig_refresh != CONF_POLICY_AUTO) {
		return p->rrsig_refresh;
	}
	uint64_t t = (uint64_t)p->propagation_delay +
		     (p->zone_max_ttl != CONF_POLICY_AUTO ? p->zone_max_ttl : zone_max_ttl);
	return t >= CONF_POLICY_AUTO ? CONF_POLICY_AUTO - 1 : (uint32_t)t;
}

static void
check_size(walk_t *w, const yaml_node_t *it, const conf_policy_t *p, const char *key,
	   uint16_t size)
{
	const yaml_node_t *v = map_get(w, it, key);
	unsigned bits = alg_bits(p->algorithm);
	if (v == NULL) {
		return;
	}
	if (bits == 0 && (size < RSA_MIN_BITS || size > RSA_MAX_BITS)) {
		report(w, v, "%s: RSA keys must have %u to %u bits", key, RSA_MIN_BITS,
		       RSA_MAX_BITS);
	} else if (bits != 0 && size != bits) {
		report(w, v, "%s: %s keys have %u bits; only RSA sizes can be chosen", key,
		       conf_dnssec_alg_name(p->algorithm), bits);
	}
}

/* The combinations no key or signature schedule can follow. */
static void
policy_check(walk_t *w, const yaml_node_t *it, conf_policy_t *p)
{
	const yaml_node_t *v;
	char a[32], b[32], c[32], e[32];

	check_size(w, it, p, "ksk-size", p->ksk_size);
	check_size(w, it, p, "zsk-size", p->zsk_size);
	if (p->single_type_signing) {
		static const char *const zsk_keys[] = {"zsk-lifetime", "zsk-size"};
		for (size_t i = 0; i < 2; i++) {
			if ((v = map_get(w, it, zsk_keys[i])) != NULL) {
				report(w, v,
				       "%s: there is no ZSK with single-type-signing: on (the "
				       "CSK follows ksk-lifetime and ksk-size)",
				       zsk_keys[i]);
			}
		}
	}
	if (!p->nsec3 && p->nsec3_opt_out && (v = map_get(w, it, "nsec3-opt-out")) != NULL) {
		report(w, v,
		       "nsec3-opt-out: opt-out is an NSEC3 feature (RFC 5155 6); set nsec3: on");
	}
	policy_resolve(p);

	/* A key must outlive its own introduction: RFC 7583 3.2 (ZSK
	 * pre-publication) and 3.3 (KSK) need the new DNSKEY in every cache,
	 * propagation-delay + dnskey-ttl, before it can take over. */
	if (p->dnskey_ttl != CONF_POLICY_AUTO) {
		uint64_t intro = (uint64_t)p->propagation_delay + p->dnskey_ttl;
		static const char *const life_keys[] = {"ksk-lifetime", "zsk-lifetime"};
		for (size_t i = 0; i < 2; i++) {
			uint32_t life = i == 0 ? p->ksk_lifetime : p->zsk_lifetime;
			if (life == 0 || life > intro || (i == 1 && p->single_type_signing)) {
				continue;
			}
			v = map_get(w, it, life_keys[i]);
			report(w, v != NULL ? v : it,
			       "%s: %s is not longer than propagation-delay + dnskey-ttl (%s): the "
			       "next key would be due before it is in every cache (RFC 7583 3)",
			       life_keys[i], fmt_unit(a, sizeof(a), life, false),
			       fmt_unit(b, sizeof(b), intro, false));
		}
	}

	/* A signature must not be due for refresh the moment it is made. */
	if (p->rrsig_refresh != CONF_POLICY_AUTO && p->rrsig_refresh >= p->rrsig_lifetime) {
		report(w, map_get(w, it, "rrsig-refresh"),
		       "rrsig-refresh: %s is not shorter than rrsig-lifetime (%s)",
		       fmt_unit(a, sizeof(a), p->rrsig_refresh, false),
		       fmt_unit(b, sizeof(b), p->rrsig_lifetime, false));
		return;
	}
	if (p->rrsig_jitter >= p->rrsig_lifetime) {
		v = map_get(w, it, "rrsig-jitter");
		report(w, v != NULL ? v : it,
		       "rrsig-jitter: %s is not shorter than rrsig-lifetime (%s)",
		       fmt_unit(a, sizeof(a), p->rrsig_jitter, false),
		       fmt_unit(b, sizeof(b), p->rrsig_lifetime, false));
		return;
	}
	bool known = p->rrsig_refresh != CONF_POLICY_AUTO || p->zone_max_ttl != CONF_POLICY_AUTO;
	uint64_t refresh = conf_policy_rrsig_refresh(p, 0);
	if (known && refresh + p->rrsig_pre_refresh + p->rrsig_jitter >= p->rrsig_lifetime) {
		report(w, it,
		       "policy '%s': rrsig-refresh (%s) + rrsig-pre-refresh (%s) + rrsig-jitter "
		       "(%s) must be shorter than rrsig-lifetime (%s): new signatures would be "
		       "due for refresh at once",
		       p->id != NULL ? p->id : "", fmt_unit(a, sizeof(a), refresh, false),
		       fmt_unit(b, sizeof(b), p->rrsig_pre_refresh, false),
		       fmt_unit(c, sizeof(c), p->rrsig_jitter, false),
		       fmt_unit(e, sizeof(e), p->rrsig_lifetime, false));
	}
}

static bool
h_domain(walk_t *w, yaml_node_t *v, void *obj, const key_def_t *d)
{
	conf_zone_t *z = obj;
	const char *s = scalar(v);
	uint8_t apex[DNAME_MAXLEN];
	size_t len;
	(void)d;
	if (s == NULL || *s == '\0' ||
	    dname_from_text(s, strlen(s), (const uint8_t *)"", apex, &len) != SN_OK) {
		report(w, v, "domain: expected a domain name");
		return false;
	}
	uint8_t *a = walk_alloc(w, len);
	z->domain = walk_strdup(w, s);
	if (a == NULL || z->domain == NULL) {
		return false;
	}
	memcpy(a, apex, len);
	z->apex = a;
	w->zone_nodes[z - w->conf->zones] = v;
	return true;
}

#define ZN(f) .off = offsetof(conf_zone_t, f), .size = sizeof(((conf_zone_t *)0)->f)

static const key_def_t zone_defs[] = {
	{.name = "domain", .fn = h_domain},
	{.name = "template", .fn = h_ref, ZN(tmpl), .arg = S_TEMPLATE},
	{.name = NULL},
};

/*
 * The walk of one mapping: each key through `defs` (for `obj`), then
 * `defs2` (for `obj2`, whose `set` bits record what was given).
 */

#define MAX_DEFS 32

static void
unknown_key(walk_t *w, const yaml_node_t *k, const char *ctx, const char *key,
	    const key_def_t *defs, const key_def_t *defs2, bool policy)
{
	const char *names[MAX_DEFS * 2];
	size_t n = 0;
	for (const key_def_t *d = defs; d != NULL && d->name != NULL; d++) {
		names[n++] = d->name;
	}
	for (const key_def_t *d = defs2; d != NULL && d->name != NULL; d++) {
		names[n++] = d->name;
	}
	const char *best = suggest(key, names, n);
	bool knot = false;
	for (size_t i = 0; policy && knot_only[i] != NULL; i++) {
		knot = knot || strcmp(key, knot_only[i]) == 0;
	}
	if (knot) {
		report(w, k, "%s: '%s' is a Knot DNS option that signet does not have", ctx, key);
	} else if (best != NULL) {
		report(w, k, "%s: unknown key '%s' (did you mean '%s'?)", ctx, key, best);
	} else {
		report(w, k, "%s: unknown key '%s'", ctx, key);
	}
}

static void
walk_map(walk_t *w, yaml_node_t *map, const char *ctx, const key_def_t *defs, void *obj,
	 const key_def_t *defs2, void *obj2, unsigned *set)
{
	const yaml_node_t *seen[MAX_DEFS * 2] = {NULL};
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(w, p->key);
		yaml_node_t *v = node(w, p->value);
		const char *key = scalar(k);
		const key_def_t *d = NULL;
		void *target = obj;
		size_t idx = 0;
		if (key == NULL || v == NULL) {
			report(w, k, "%s: expected a key", ctx);
			continue;
		}
		if (strcmp(key, "comment") == 0) {
			continue;
		}
		for (const key_def_t *e = defs; e != NULL && e->name != NULL; e++, idx++) {
			if (strcmp(e->name, key) == 0) {
				d = e;
				break;
			}
		}
		if (d == NULL) {
			idx = MAX_DEFS;
			for (const key_def_t *e = defs2; e != NULL && e->name != NULL; e++, idx++) {
				if (strcmp(e->name, key) == 0) {
					d = e;
					target = obj2;
					break;
				}
			}
		}
		if (d == NULL) {
			unknown_key(w, k, ctx, key, defs, defs2, defs == policy_defs);
			continue;
		}
		if (seen[idx] != NULL) {
			report(w, k,
			       "%s: '%s' is given twice (first at line %zu); give several values "
			       "as [a, b]",
			       ctx, key, seen[idx]->start_mark.line + 1);
			continue;
		}
		seen[idx] = k;
		if (d->fn(w, v, target, d) && d->bit != 0 && set != NULL) {
			*set |= d->bit;
		}
	}
}

/*
 * Pass 1: declare the items others refer to.
 */

static int
ident_cmp(const void *pa, const void *pb)
{
	const ident_t *a = pa, *b = pb;
	int c = strcmp(a->id, b->id);
	if (c != 0) {
		return c;
	}
	if (a->node->start_mark.index != b->node->start_mark.index) {
		return a->node->start_mark.index < b->node->start_mark.index ? -1 : 1;
	}
	return 0;
}

static size_t
item_size(int sect)
{
	switch (sect) {
	case S_KEY:
		return sizeof(conf_key_t);
	case S_REMOTE:
		return sizeof(conf_remote_t);
	case S_ACL:
		return sizeof(conf_acl_t);
	case S_TEMPLATE:
		return sizeof(conf_template_t);
	case S_SUBMISSION:
		return sizeof(conf_submission_t);
	default:
		return sizeof(conf_policy_t);
	}
}

_Static_assert(offsetof(conf_key_t, id) == 0, "id first");
_Static_assert(offsetof(conf_remote_t, id) == 0, "id first");
_Static_assert(offsetof(conf_acl_t, id) == 0, "id first");
_Static_assert(offsetof(conf_template_t, id) == 0, "id first");
_Static_assert(offsetof(conf_policy_t, id) == 0, "id first");
_Static_assert(offsetof(conf_submission_t, id) == 0, "id first");

static void
declare(walk_t *w, int sect)
{
	conf_t *c = w->conf;
	yaml_node_t *v = w->sect_val[sect];
	const char *name = sect_names[sect];
	size_t n = 0;
	void *items;

	if (v != NULL && !is_null(v) && v->type != YAML_SEQUENCE_NODE) {
		report(w, v, "%s: expected a list of items, each with an id", name);
		w->sect_val[sect] = NULL;
	} else if (v != NULL && v->type == YAML_SEQUENCE_NODE) {
		n = list_count(v);
	}
	items = walk_array(w, n, item_size(sect));
	w->ids[sect] = malloc((n + 1) * sizeof(ident_t));
	if (items == NULL || w->ids[sect] == NULL) {
		w->oom = true;
		return;
	}
	switch (sect) {
	case S_KEY:
		c->keys = items;
		c->key_count = n;
		break;
	case S_REMOTE:
		c->remotes = items;
		c->remote_count = n;
		break;
	case S_ACL:
		c->acls = items;
		c->acl_count = n;
		break;
	case S_TEMPLATE:
		c->templates = items;
		c->template_count = n;
		break;
	case S_SUBMISSION:
		c->submissions = items;
		c->submission_count = n;
		break;
	default:
		c->policies = items;
		c->policy_count = n;
		break;
	}
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = list_at(w, v, i);
		void *item = (char *)items + i * item_size(sect);
		yaml_node_t *idv = NULL;
		const char *id;
		if (it->type != YAML_MAPPING_NODE) {
			report(w, it, "%s: each item must be a mapping with an id", name);
			continue;
		}
		for (yaml_node_pair_t *p = it->data.mapping.pairs.start;
		     idv == NULL && p < it->data.mapping.pairs.top; p++) {
			const char *k = scalar(node(w, p->key));
			if (k != NULL && strcmp(k, "id") == 0) {
				idv = node(w, p->value);
			}
		}
		if (idv == NULL) {
			report(w, it, "%s: missing id", name);
			continue;
		}
		id = scalar(idv);
		if (id == NULL || *id == '\0' || is_null(idv)) {
			report(w, idv, "id: expected a non-empty string");
			continue;
		}
		char *copy = walk_strdup(w, id);
		const char *key = copy;
		if (copy == NULL) {
			return;
		}
		if (sect == S_KEY) {
			char norm[DNAME_MAXTEXT];
			uint8_t wire[DNAME_MAXLEN];
			conf_key_t *k = item;
			if (!key_norm(id, norm, wire)) {
				report(w, idv, "id: expected a domain name (the TSIG key name)");
				continue;
			}
			size_t len = dname_len(wire);
			k->name = walk_alloc(w, len);
			key = walk_strdup(w, norm);
			if (k->name == NULL || key == NULL) {
				return;
			}
			memcpy(k->name, wire, len);
		}
		*(char **)item = copy;
		w->ids[sect][w->nids[sect]++] = (ident_t){.id = key, .item = item, .node = idv};
	}
	/* sorted for lookups; a repeated id is reported where it repeats */
	qsort(w->ids[sect], w->nids[sect], sizeof(ident_t), ident_cmp);
	size_t out = 0;
	for (size_t i = 0; i < w->nids[sect]; i++) {
		ident_t *e = &w->ids[sect][i];
		if (out > 0 && strcmp(w->ids[sect][out - 1].id, e->id) == 0) {
			if (w->ids[sect][out - 1].node == e->node) {
				report(w, e->node, "%s: item '%s' is listed twice (a YAML alias)",
				       name, *(char **)e->item);
			} else {
				report(w, e->node, "%s: duplicate id '%s' (first at line %zu)", name,
				       *(char **)e->item,
				       w->ids[sect][out - 1].node->start_mark.line + 1);
			}
			continue;
		}
		w->ids[sect][out++] = *e;
	}
	w->nids[sect] = out;
}

/*
 * Pass 2: the sections, in file order.
 */

/* The value of `key` in the mapping `map`, or NULL. */
static yaml_node_t *
map_get(walk_t *w, const yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(node(w, p->key));
		if (k != NULL && strcmp(k, key) == 0) {
			return node(w, p->value);
		}
	}
	return NULL;
}

static void
walk_items(walk_t *w, int sect)
{
	conf_t *c = w->conf;
	yaml_node_t *v = w->sect_val[sect];
	size_t n = v != NULL && v->type == YAML_SEQUENCE_NODE ? list_count(v) : 0;
	const char *name = sect_names[sect];

	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = list_at(w, v, i);
		if (it->type != YAML_MAPPING_NODE) {
			continue; /* reported by declare() */
		}
		switch (sect) {
		case S_KEY: {
			conf_key_t *k = &c->keys[i];
			walk_map(w, it, name, key_defs, k, NULL, NULL, NULL);
			/* a value given but bad was reported where it is */
			if (map_get(w, it, "algorithm") == NULL) {
				report(w, it, "key: missing algorithm");
			}
			if (map_get(w, it, "secret") == NULL) {
				report(w, it, "key: missing secret");
			}
			break;
		}
		case S_REMOTE: {
			conf_remote_t *r = &c->remotes[i];
			walk_map(w, it, name, remote_defs, r, NULL, NULL, NULL);
			if (map_get(w, it, "address") == NULL) {
				report(w, it, "remote: missing address");
			}
			break;
		}
		case S_ACL: {
			conf_acl_t *a = &c->acls[i];
			walk_map(w, it, name, acl_defs, a, NULL, NULL, NULL);
			if (a->remotes != NULL && (a->nets != NULL || a->keys != NULL)) {
				report(w, it, "acl: give remote, or address and key, not both (a "
					      "remote brings its addresses and key)");
			}
			/* Knot: an acl without action that denies, denies everything;
			 * one that allows nothing is a mistake worth reporting */
			yaml_node_t *act = map_get(w, it, "action");
			if (a->actions == 0 && !a->deny &&
			    (act == NULL || (act->type == YAML_SEQUENCE_NODE && list_count(act) == 0))) {
				report(w, it, "acl: missing action (transfer, notify or update)");
			}
			break;
		}
		case S_TEMPLATE: {
			conf_template_t *t = &c->templates[i];
			walk_map(w, it, name, template_defs, t, zopt_defs, &t->opts, &t->opts.set);
			break;
		}
		case S_SUBMISSION: {
			conf_submission_t *sub = &c->submissions[i];
			sub->check_interval = 3600;
			walk_map(w, it, name, submission_defs, sub, NULL, NULL, NULL);
			break;
		}
		default: {
			conf_policy_t *p = &c->policies[i];
			policy_defaults(p);
			walk_map(w, it, name, policy_defs, p, NULL, NULL, NULL);
			policy_check(w, it, p);
			break;
		}
		}
	}
}

static void
walk_logs(walk_t *w, yaml_node_t *v)
{
	conf_t *c = w->conf;
	if (is_null(v)) {
		return;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		report(w, v, "log: expected a list of targets");
		return;
	}
	size_t n = list_count(v);
	c->logs = walk_array(w, n, sizeof(*c->logs));
	if (c->logs == NULL) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = list_at(w, v, i);
		conf_log_t *l = &c->logs[c->log_count];
		if (it->type != YAML_MAPPING_NODE) {
			report(w, it, "log: each item must be a mapping with a target");
			continue;
		}
		walk_map(w, it, "log", log_defs, l, NULL, NULL, NULL);
		if (l->target == NULL) {
			report(w, it, "log: missing target");
			continue;
		}
		for (size_t j = 0; j < c->log_count; j++) {
			if (strcmp(c->logs[j].target, l->target) == 0) {
				report(w, it, "log: target '%s' is given twice", l->target);
			}
		}
		c->log_count++;
	}
}

static void
walk_zones(walk_t *w, yaml_node_t *v)
{
	conf_t *c = w->conf;
	if (is_null(v)) {
		return;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		report(w, v, "zone: expected a list of zones");
		return;
	}
	size_t n = list_count(v);
	c->zones = walk_array(w, n, sizeof(*c->zones));
	w->zone_nodes = calloc(n + 1, sizeof(*w->zone_nodes));
	w->zone_own = calloc(n + 1, sizeof(*w->zone_own));
	if (c->zones == NULL || w->zone_nodes == NULL || w->zone_own == NULL) {
		w->oom = true;
		return;
	}
	c->zone_count = n;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = list_at(w, v, i);
		conf_zone_t *z = &c->zones[i];
		if (it->type != YAML_MAPPING_NODE) {
			report(w, it, "zone: each item must be a mapping with a domain");
			continue;
		}
		walk_map(w, it, "zone", zone_defs, z, zopt_defs, &w->zone_own[i],
			 &w->zone_own[i].set);
		if (map_get(w, it, "domain") == NULL) {
			report(w, it, "zone: missing domain");
		}
	}
}

/*
 * Pass 3: defaults, lookups and resolution.
 */

/* Joins a relative path to the folder of `base` (a file) or to `base` itself
 * (a folder, dir = true). */
static char *
path_join(walk_t *w, const char *base, const char *rel, bool dir)
{
	if (rel[0] == '/') {
		return walk_strdup(w, rel);
	}
	size_t dlen;
	if (dir) {
		dlen = strlen(base);
		while (dlen > 0 && base[dlen - 1] == '/') {
			dlen--; /* "/srv/" and "/" join without doubled slashes */
		}
	} else {
		const char *slash = strrchr(base, '/');
		if (slash == NULL) {
			return walk_strdup(w, rel);
		}
		dlen = (size_t)(slash - base);
	}
	size_t rlen = strlen(rel);
	char *p = walk_alloc(w, dlen + 1 + rlen + 1);
	if (p == NULL) {
		return NULL;
	}
	memcpy(p, base, dlen);
	p[dlen] = '/';
	memcpy(p + dlen + 1, rel, rlen + 1);
	return p;
}

static size_t
pw_bufsize(void)
{
	long n = sysconf(_SC_GETPW_R_SIZE_MAX);
	long g = sysconf(_SC_GETGR_R_SIZE_MAX);
	if (g > n) {
		n = g;
	}
	return n > 0 && n < 1 << 20 ? (size_t)n : 16384;
}

static bool
all_digits(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789") == strlen(s) && strlen(s) < 10;
}

/* Looks the user up: its uid and primary group. False if unknown. */
static bool
find_user(const char *name, uid_t *uid, gid_t *gid, bool *has_gid)
{
	size_t cap = pw_bufsize();
	struct passwd pw, *res = NULL;
	bool found = false;
	for (int tries = 0; tries < 6; tries++, cap *= 2) {
		char *buf = malloc(cap);
		if (buf == NULL) {
			return false;
		}
		int rc = all_digits(name) ? getpwuid_r((uid_t)strtoul(name, NULL, 10), &pw, buf,
						       cap, &res)
					  : getpwnam_r(name, &pw, buf, cap, &res);
		if (rc == 0 && res != NULL) {
			*uid = pw.pw_uid;
			*gid = pw.pw_gid;
			*has_gid = true;
			found = true;
		}
		free(buf);
		if (rc != ERANGE) {
			break;
		}
	}
	if (!found && all_digits(name)) {
		/* a numeric id with no entry is still an id to switch to */
		*uid = (uid_t)strtoul(name, NULL, 10);
		*has_gid = false;
		return true;
	}
	return found;
}

static bool
find_group(const char *name, gid_t *gid)
{
	size_t cap = pw_bufsize();
	struct group gr, *res = NULL;
	if (all_digits(name)) {
		*gid = (gid_t)strtoul(name, NULL, 10);
		return true;
	}
	for (int tries = 0; tries < 6; tries++, cap *= 2) {
		char *buf = malloc(cap);
		if (buf == NULL) {
			return false;
		}
		int rc = getgrnam_r(name, &gr, buf, cap, &res);
		bool found = rc == 0 && res != NULL;
		if (found) {
			*gid = gr.gr_gid;
		}
		free(buf);
		if (found) {
			return true;
		}
		if (rc != ERANGE) {
			break;
		}
	}
	return false;
}

static void
finish_server(walk_t *w)
{
	conf_t *c = w->conf;
	const size_t maxpath = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;

	if (c->storage == NULL) {
		c->storage = walk_strdup(w, "./var");
	}
	if (c->listen_count == 0 && c->listen == NULL) {
		c->listen = walk_alloc(w, sizeof(*c->listen));
		if (c->listen != NULL && conf_parse_listen("127.0.0.1", 53, c->listen) == SN_OK) {
			c->listen_count = 1;
		}
	}
	if (c->storage != NULL) {
		c->control = path_join(w, c->storage, c->control != NULL ? c->control : "signet.sock",
				       true);
	}
	if (c->control != NULL && strlen(c->control) > maxpath) {
		report(w, w->control_node != NULL ? w->control_node : w->storage_node,
		       "control: '%s' is too long for a UNIX socket (%zu bytes, at most %zu)",
		       c->control, strlen(c->control), maxpath);
	}
	if (c->user != NULL) {
		bool has_gid = false;
		if (!find_user(c->user, &c->uid, &c->gid, &has_gid)) {
			report(w, w->user_node, "user: no user '%s' on this system", c->user);
		} else if (!has_gid && c->group == NULL) {
			report(w, w->user_node, "user: uid %s has no entry to take a group from; "
						"give one as user: %s:GROUP",
			       c->user, c->user);
		}
	}
	if (c->group != NULL && !find_group(c->group, &c->gid)) {
		report(w, w->group_node, "group: no group '%s' on this system", c->group);
	}
	if (c->log_count == 0) {
		/* no log section, or an empty one: everything from info up on
		 * stderr (a daemon that logs nothing hides its errors) */
		c->logs = walk_alloc(w, sizeof(*c->logs));
		if (c->logs != NULL) {
			c->logs[0] = (conf_log_t){.kind = CONF_LOG_STDERR,
						  .target = walk_strdup(w, "stderr"),
						  .any = CONF_LOG_INFO};
			c->log_count = 1;
		}
	}
	for (size_t i = 0; i < c->log_count; i++) {
		conf_log_t *l = &c->logs[i];
		l->server = l->server != CONF_LOG_NONE ? l->server : l->any;
		l->control = l->control != CONF_LOG_NONE ? l->control : l->any;
		l->zone = l->zone != CONF_LOG_NONE ? l->zone : l->any;
		if (l->kind == CONF_LOG_FILE && l->target != NULL) {
			l->target = path_join(w, w->name, l->target, false);
		}
	}
}

/* The zone file: `fmt` with %s the zone name (lower case, no trailing dot,
 * "" for the root, as Knot has it) and %% a '%'. */
static char *
zone_file(walk_t *w, const conf_zone_t *z, const char *fmt)
{
	char name[DNAME_MAXTEXT];
	uint8_t lower[DNAME_MAXLEN];
	/* lower case, as Knot has it: a zone written Example.COM keeps its file */
	memcpy(lower, z->apex, dname_len(z->apex));
	dname_to_lower(lower);
	if (dname_to_text(lower, name, sizeof(name)) < 0) {
		return NULL;
	}
	size_t nlen = strlen(name);
	if (nlen > 0 && name[nlen - 1] == '.') {
		name[--nlen] = '\0';
	}
	size_t cap = 1;
	for (const char *p = fmt; *p != '\0'; p++) {
		cap += p[0] == '%' && p[1] == 's' ? nlen : 1;
	}
	char *out = malloc(cap), *o = out;
	if (out == NULL) {
		w->oom = true;
		return NULL;
	}
	for (const char *p = fmt; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 's') {
			memcpy(o, name, nlen);
			o += nlen;
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			*o++ = '%';
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	char *path = path_join(w, w->name, out, false);
	free(out);
	return path;
}

static const conf_zopts_t *
pick(const conf_zopts_t *const layers[3], unsigned bit)
{
	for (size_t i = 0; i < 3; i++) {
		if (layers[i] != NULL && (layers[i]->set & bit) != 0) {
			return layers[i];
		}
	}
	return NULL;
}

static void
resolve_zone(walk_t *w, conf_zone_t *z, const conf_zopts_t *own, const conf_template_t *def)
{
	const conf_zopts_t *o;
	if (z->tmpl == NULL) {
		z->tmpl = def;
	}
	z->own_set = own->set;
	const conf_zopts_t *layers[3] = {own, z->tmpl != NULL ? &z->tmpl->opts : NULL,
					 def != NULL && def != z->tmpl ? &def->opts : NULL};

	o = pick(layers, CONF_ZOPT_FILE);
	z->file = zone_file(w, z, o != NULL ? o->file : "%s.zone");
	if ((o = pick(layers, CONF_ZOPT_ACL)) != NULL) {
		z->acls = o->acls;
		z->acl_count = o->acl_count;
	}
	if ((o = pick(layers, CONF_ZOPT_MASTER)) != NULL) {
		z->masters = o->masters;
		z->master_count = o->master_count;
	}
	if ((o = pick(layers, CONF_ZOPT_NOTIFY)) != NULL) {
		z->notify = o->notify;
		z->notify_count = o->notify_count;
	}
	o = pick(layers, CONF_ZOPT_JOURNAL_ENTRIES);
	z->journal_max_entries = o != NULL ? o->journal_max_entries : CONF_JOURNAL_MAX_ENTRIES;
	o = pick(layers, CONF_ZOPT_JOURNAL_SIZE);
	z->journal_max_size = o != NULL ? o->journal_max_size : CONF_JOURNAL_MAX_SIZE;
	o = pick(layers, CONF_ZOPT_SERIAL_POLICY);
	z->serial_policy = o != NULL ? o->serial_policy : CONF_SERIAL_INCREMENT;
	o = pick(layers, CONF_ZOPT_SERIAL_AUTO_BUMP);
	z->serial_auto_bump = o != NULL && o->serial_auto_bump;
	o = pick(layers, CONF_ZOPT_DNSSEC_SIGNING);
	z->dnssec_signing = o != NULL && o->dnssec_signing;
	o = pick(layers, CONF_ZOPT_POLICY);
	z->policy = NULL;
	if (z->dnssec_signing) {
		/* Knot's order: the policy named, else one with id `default`,
		 * else the built-in defaults */
		z->policy = o != NULL ? o->policy : lookup(w, S_POLICY, "default");
		if (z->policy == NULL && w->builtin == NULL) {
			w->builtin = walk_alloc(w, sizeof(conf_policy_t));
			if (w->builtin != NULL) {
				policy_defaults(w->builtin);
				policy_resolve(w->builtin);
				w->builtin->id = walk_strdup(w, "default");
				w->builtin->builtin = true;
			}
		}
		if (z->policy == NULL) {
			z->policy = w->builtin;
		}
	}
}

static int
zone_ptr_cmp(const void *pa, const void *pb)
{
	const conf_zone_t *a = *(const conf_zone_t *const *)pa;
	const conf_zone_t *b = *(const conf_zone_t *const *)pb;
	int c = dname_cmp(a->apex, b->apex);
	if (c != 0) {
		return c;
	}
	return a < b ? -1 : a > b; /* file order among duplicates */
}

static int
key_ptr_cmp(const void *pa, const void *pb)
{
	const conf_key_t *a = *(const conf_key_t *const *)pa;
	const conf_key_t *b = *(const conf_key_t *const *)pb;
	return dname_cmp(a->name, b->name);
}

static void
finish(walk_t *w)
{
	conf_t *c = w->conf;
	finish_server(w);

	const conf_template_t *def = lookup(w, S_TEMPLATE, "default");
	size_t n = 0;
	c->zone_index = walk_array(w, c->zone_count, sizeof(*c->zone_index));
	if (c->zone_index == NULL) {
		return;
	}
	for (size_t i = 0; i < c->zone_count; i++) {
		conf_zone_t *z = &c->zones[i];
		if (z->apex == NULL) {
			continue; /* reported */
		}
		resolve_zone(w, z, &w->zone_own[i], def);
		((const conf_zone_t **)c->zone_index)[n++] = z;
	}
	qsort((void *)c->zone_index, n, sizeof(*c->zone_index), zone_ptr_cmp);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		const conf_zone_t *z = c->zone_index[i];
		if (out > 0 && dname_is_equal(c->zone_index[out - 1]->apex, z->apex)) {
			const yaml_node_t *first = w->zone_nodes[c->zone_index[out - 1] - c->zones];
			const yaml_node_t *again = w->zone_nodes[z - c->zones];
			if (first == again) {
				report(w, again, "zone: '%s' is listed twice (a YAML alias)",
				       z->domain);
			} else {
				report(w, again, "zone: '%s' is defined twice (first at line %zu)",
				       z->domain, first->start_mark.line + 1);
			}
			continue;
		}
		((const conf_zone_t **)c->zone_index)[out++] = z;
	}

	/* keys sorted by name for TSIG lookups */
	const conf_key_t **keys = walk_array(w, c->key_count, sizeof(*keys));
	if (keys == NULL) {
		return;
	}
	n = 0;
	for (size_t i = 0; i < c->key_count; i++) {
		if (c->keys[i].name != NULL) {
			keys[n++] = &c->keys[i];
		}
	}
	qsort(keys, n, sizeof(*keys), key_ptr_cmp);
	c->key_index = keys;
}

/*
 * The root: sections in any order, each once.
 */

static void
walk_root(walk_t *w, yaml_node_t *root)
{
	if (root == NULL || is_null(root)) {
		finish(w); /* an empty file: all defaults */
		return;
	}
	if (root->type != YAML_MAPPING_NODE) {
		report(w, root, "expected a mapping of sections (server, log, key, remote, acl, "
				"submission, template, policy, zone)");
		return;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(w, p->key);
		const char *key = scalar(k);
		size_t i = 0;
		if (key == NULL) {
			report(w, k, "expected a section name");
			continue;
		}
		while (i < S_COUNT && strcmp(key, sect_names[i]) != 0) {
			i++;
		}
		if (i == S_COUNT) {
			const char *best = suggest(key, sect_names, S_COUNT);
			if (strcmp(key, "control") == 0) {
				report(w, k, "unknown section 'control' (the control socket is set "
					     "in server: control, control-mode)");
			} else if (best != NULL) {
				report(w, k, "unknown section '%s' (did you mean '%s'?)", key, best);
			} else {
				report(w, k, "unknown section '%s'", key);
			}
			continue;
		}
		if (w->sect_key[i] != NULL) {
			report(w, k, "section '%s' is given twice (first at line %zu)", key,
			       w->sect_key[i]->start_mark.line + 1);
			continue;
		}
		w->sect_key[i] = k;
		w->sect_val[i] = node(w, p->value);
	}
	for (int s = S_KEY; s <= S_POLICY; s++) {
		declare(w, s);
	}
	if (w->oom) {
		return;
	}
	/* file order, so that problems come out in order */
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(w, p->key);
		int s = 0;
		while (s < S_COUNT && w->sect_key[s] != k) {
			s++;
		}
		if (s == S_COUNT || w->sect_val[s] == NULL) {
			continue;
		}
		yaml_node_t *v = w->sect_val[s];
		if (s == S_SERVER) {
			if (v->type == YAML_MAPPING_NODE) {
				walk_map(w, v, "server", server_defs, w->conf, NULL, NULL, NULL);
			} else if (!is_null(v)) {
				report(w, v, "server: expected a mapping");
			}
		} else if (s == S_LOG) {
			walk_logs(w, v);
		} else if (s == S_ZONE) {
			walk_zones(w, v);
		} else {
			walk_items(w, s);
		}
	}
	if (!w->oom) {
		finish(w);
	}
}

/* Reports the problems in file order: the first into `err`, up to the cap
 * through opts->report. */
static void
deliver(walk_t *w, const conf_opts_t *opts, char err[CONF_ERRLEN])
{
	qsort(w->errs, w->nerr, sizeof(*w->errs), errmsg_cmp);
	snprintf(err, CONF_ERRLEN, "%s", w->errs[0].text);
	if (opts == NULL || opts->report == NULL) {
		return;
	}
	size_t cap = opts->max_errors != 0 ? opts->max_errors : CONF_MAX_ERRORS;
	size_t shown = w->nerr < cap ? w->nerr : cap;
	for (size_t i = 0; i < shown; i++) {
		opts->report(opts->ctx, w->errs[i].text);
	}
	if (w->total > shown) {
		char line[CONF_ERRLEN];
		snprintf(line, sizeof(line), "%s: %zu more problems not shown", w->name,
			 w->total - shown);
		opts->report(opts->ctx, line);
	}
}

static int
load(const char *name, yaml_parser_t *parser, const conf_opts_t *opts, conf_t **out,
     char err[CONF_ERRLEN])
{
	yaml_document_t doc;
	walk_t w = {.doc = &doc, .name = name};
	int rc = SN_OK;

	if (!yaml_parser_load(parser, &doc)) {
		snprintf(err, CONF_ERRLEN, "%s:%zu:%zu: %s%s%s", name, parser->problem_mark.line + 1,
			 parser->problem_mark.column + 1,
			 parser->problem != NULL ? parser->problem : "bad YAML",
			 parser->context != NULL ? " " : "",
			 parser->context != NULL ? parser->context : "");
		if (opts != NULL && opts->report != NULL) {
			opts->report(opts->ctx, err);
		}
		return parser->error == YAML_MEMORY_ERROR ? SN_ENOMEM : SN_EPARSE;
	}
	w.conf = walk_alloc(&w, sizeof(conf_t));
	if (w.conf != NULL) {
		conf_t *c = w.conf;
		c->path = walk_strdup(&w, name);
		c->tcp_idle_timeout = 10;
		c->tcp_max_clients = 1024;
		c->udp_max_payload = 1232; /* DNS flag day 2020: no fragmentation */
		c->control_mode = 0600;
		walk_root(&w, yaml_document_get_root_node(&doc));
	}
	/* a second document in the stream is a mistake worth reporting */
	if (!w.oom) {
		yaml_document_t next;
		if (yaml_parser_load(parser, &next)) {
			yaml_node_t *r = yaml_document_get_root_node(&next);
			if (r != NULL && !is_null(r)) {
				report(&w, r, "only one YAML document is allowed");
			}
			yaml_document_delete(&next);
		} else {
			report_at(&w, parser->problem_mark.line + 1, parser->problem_mark.column + 1,
				  "%s%s%s", parser->problem != NULL ? parser->problem : "bad YAML",
				  parser->context != NULL ? " " : "",
				  parser->context != NULL ? parser->context : "");
		}
	}
	yaml_document_delete(&doc);
	if (w.oom) {
		snprintf(err, CONF_ERRLEN, "%s: out of memory", name);
		rc = SN_ENOMEM;
	} else if (w.nerr > 0) {
		deliver(&w, opts, err);
		rc = SN_EPARSE;
	}
	for (size_t i = 0; i < w.nerr; i++) {
		free(w.errs[i].text);
	}
	free(w.errs);
	for (int s = 0; s < S_COUNT; s++) {
		free(w.ids[s]);
	}
	free(w.zone_nodes);
	free(w.zone_own);
	if (rc != SN_OK) {
		mem_free(w.mem);
		return rc;
	}
	w.conf->mem = w.mem;
	*out = w.conf;
	return SN_OK;
}

int
conf_load_mem_opts(const char *name, const char *text, size_t len, const conf_opts_t *opts,
		   conf_t **out, char err[CONF_ERRLEN])
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, CONF_ERRLEN, "%s: out of memory", name);
		return SN_ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	int rc = load(name, &parser, opts, out, err);
	yaml_parser_delete(&parser);
	return rc;
}

int
conf_load_mem(const char *name, const char *text, size_t len, conf_t **out, char err[CONF_ERRLEN])
{
	return conf_load_mem_opts(name, text, len, NULL, out, err);
}

int
conf_load_opts(const char *path, const conf_opts_t *opts, conf_t **out, char err[CONF_ERRLEN])
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
	int rc = load(path, &parser, opts, out, err);
	if (rc == SN_EPARSE && ferror(f)) {
		snprintf(err, CONF_ERRLEN, "%s: cannot read: %s", path, strerror(errno));
		rc = SN_EIO;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

int
conf_load(const char *path, conf_t **out, char err[CONF_ERRLEN])
{
	return conf_load_opts(path, NULL, out, err);
}

void
conf_free(conf_t *c)
{
	if (c != NULL) {
		mem_free(c->mem);
	}
}

/*
 * Lookups.
 */

static int
zone_find_cmp(const void *key, const void *pe)
{
	return dname_cmp(key, (*(const conf_zone_t *const *)pe)->apex);
}

const conf_zone_t *
conf_zone_find(const conf_t *conf, const uint8_t *apex)
{
	if (conf->zone_index == NULL) {
		return NULL;
	}
	const conf_zone_t *const *z =
		bsearch(apex, conf->zone_index, conf->zone_count, sizeof(*conf->zone_index),
			zone_find_cmp);
	return z != NULL ? *z : NULL;
}

static int
key_find_cmp(const void *key, const void *pe)
{
	return dname_cmp(key, (*(const conf_key_t *const *)pe)->name);
}

const conf_key_t *
conf_key_find(const conf_t *conf, const uint8_t *name)
{
	if (conf->key_index == NULL) {
		return NULL;
	}
	const conf_key_t *const *k = bsearch(name, conf->key_index, conf->key_count,
					     sizeof(*conf->key_index), key_find_cmp);
	return k != NULL ? *k : NULL;
}

const conf_template_t *
conf_template_find(const conf_t *conf, const char *id)
{
	for (size_t i = 0; i < conf->template_count; i++) {
		if (strcmp(conf->templates[i].id, id) == 0) {
			return &conf->templates[i];
		}
	}
	return NULL;
}

const conf_policy_t *
conf_policy_find(const conf_t *conf, const char *id)
{
	for (size_t i = 0; i < conf->policy_count; i++) {
		if (conf->policies[i].id != NULL && strcmp(conf->policies[i].id, id) == 0) {
			return &conf->policies[i];
		}
	}
	return NULL;
}

const conf_remote_t *
conf_remote_find(const conf_t *conf, const char *id)
{
	for (size_t i = 0; i < conf->remote_count; i++) {
		if (strcmp(conf->remotes[i].id, id) == 0) {
			return &conf->remotes[i];
		}
	}
	return NULL;
}

const conf_acl_t *
conf_acl_find(const conf_t *conf, const char *id)
{
	for (size_t i = 0; i < conf->acl_count; i++) {
		if (strcmp(conf->acls[i].id, id) == 0) {
			return &conf->acls[i];
		}
	}
	return NULL;
}

/*
 * ACLs.
 */

static bool
net_matches(const conf_net_t *net, const struct sockaddr *sa)
{
	const uint8_t *a;
	size_t n;
	if (sa->sa_family == AF_INET && net->family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		n = 4;
	} else if (sa->sa_family == AF_INET6 && net->family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		n = 16;
	} else if (sa->sa_family == AF_INET6 && net->family == AF_INET) {
		/* an IPv4-mapped IPv6 client (RFC 4291 2.5.5.2) matches IPv4 ranges */
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		if (!IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			return false;
		}
		a = s6->sin6_addr.s6_addr + 12;
		n = 4;
	} else {
		return false;
	}
	return memcmp(a, net->addr, n) >= 0 && memcmp(a, net->last, n) <= 0;
}

/* The remote's address (port aside) as a one-address range. */
static void
remote_net(const conf_listen_t *l, conf_net_t *net)
{
	memset(net, 0, sizeof(*net));
	net->family = l->addr.ss_family;
	if (net->family == AF_INET) {
		memcpy(net->addr, &((const struct sockaddr_in *)&l->addr)->sin_addr, 4);
		memcpy(net->last, net->addr, 4);
	} else {
		memcpy(net->addr, ((const struct sockaddr_in6 *)&l->addr)->sin6_addr.s6_addr, 16);
		memcpy(net->last, net->addr, 16);
	}
}

static bool
key_matches(const conf_key_t *const *keys, size_t n, const uint8_t *key_name)
{
	if (n == 0) {
		return key_name == NULL;
	}
	for (size_t i = 0; key_name != NULL && i < n; i++) {
		if (dname_is_equal(keys[i]->name, key_name)) {
			return true;
		}
	}
	return false;
}

static bool
acl_matches(const conf_acl_t *acl, const struct sockaddr *addr, const uint8_t *key_name)
{
	if (acl->remote_count > 0) {
		for (size_t i = 0; i < acl->remote_count; i++) {
			const conf_remote_t *r = acl->remotes[i];
			const conf_key_t *k = r->key;
			if (!key_matches(&k, k != NULL ? 1 : 0, key_name)) {
				continue;
			}
			for (size_t j = 0; j < r->addr_count; j++) {
				conf_net_t net;
				remote_net(&r->addrs[j], &net);
				if (net_matches(&net, addr)) {
					return true;
				}
			}
		}
		return false;
	}
	if (!key_matches(acl->keys, acl->key_count, key_name)) {
		return false;
	}
	bool match = acl->net_count == 0;
	for (size_t j = 0; !match && j < acl->net_count; j++) {
		match = net_matches(&acl->nets[j], addr);
	}
	return match;
}

bool
conf_zone_allows_key(const conf_zone_t *zone, const struct sockaddr *addr,
		     const uint8_t *key_name, unsigned action)
{
	for (size_t i = 0; i < zone->acl_count; i++) {
		const conf_acl_t *acl = zone->acls[i];
		/* Knot: a deny rule without actions denies them all */
		bool applies = (acl->actions & action) != 0 || (acl->deny && acl->actions == 0);
		if (applies && acl_matches(acl, addr, key_name)) {
			return !acl->deny;
		}
	}
	return false;
}

bool
conf_zone_allows(const conf_zone_t *zone, const struct sockaddr *addr, unsigned action)
{
	return conf_zone_allows_key(zone, addr, NULL, action);
}

/*
 * Diff. Items are compared by what they mean, not by id: renaming an acl
 * changes nothing, changing a key's secret changes every zone whose ACLs
 * use it.
 */

static bool
str_eq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
addrs_eq(const conf_listen_t *a, size_t na, const conf_listen_t *b, size_t nb)
{
	if (na != nb) {
		return false;
	}
	for (size_t i = 0; i < na; i++) {
		if (a[i].addrlen != b[i].addrlen ||
		    memcmp(&a[i].addr, &b[i].addr, a[i].addrlen) != 0) {
			return false;
		}
	}
	return true;
}

static bool
key_eq(const conf_key_t *a, const conf_key_t *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	return dname_is_equal(a->name, b->name) && a->alg == b->alg &&
	       a->secret_len == b->secret_len && memcmp(a->secret, b->secret, a->secret_len) == 0;
}

static bool
remote_eq(const conf_remote_t *a, const conf_remote_t *b)
{
	return addrs_eq(a->addrs, a->addr_count, b->addrs, b->addr_count) &&
	       addrs_eq(a->via, a->via_count, b->via, b->via_count) && key_eq(a->key, b->key);
}

static bool
remotes_eq(const conf_remote_t *const *a, size_t na, const conf_remote_t *const *b, size_t nb)
{
	if (na != nb) {
		return false;
	}
	for (size_t i = 0; i < na; i++) {
		if (!remote_eq(a[i], b[i])) {
			return false;
		}
	}
	return true;
}

static bool
acl_eq(const conf_acl_t *a, const conf_acl_t *b)
{
	if (a->net_count != b->net_count || a->key_count != b->key_count ||
	    a->actions != b->actions || a->deny != b->deny ||
	    !remotes_eq(a->remotes, a->remote_count, b->remotes, b->remote_count)) {
		return false;
	}
	for (size_t i = 0; i < a->net_count; i++) {
		const conf_net_t *x = &a->nets[i], *y = &b->nets[i];
		if (x->family != y->family || memcmp(x->addr, y->addr, 16) != 0 ||
		    memcmp(x->last, y->last, 16) != 0) {
			return false;
		}
	}
	for (size_t i = 0; i < a->key_count; i++) {
		if (!key_eq(a->keys[i], b->keys[i])) {
			return false;
		}
	}
	return true;
}

static bool
submission_eq(const conf_submission_t *a, const conf_submission_t *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	return remotes_eq(a->parents, a->parent_count, b->parents, b->parent_count) &&
	       a->check_interval == b->check_interval && a->timeout == b->timeout &&
	       a->parent_delay == b->parent_delay;
}

/* Same meaning: every value but the id. */
static bool
policy_eq(const conf_policy_t *a, const conf_policy_t *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	return a->manual == b->manual && a->algorithm == b->algorithm &&
	       a->ksk_size == b->ksk_size && a->zsk_size == b->zsk_size &&
	       a->single_type_signing == b->single_type_signing &&
	       a->ksk_lifetime == b->ksk_lifetime && a->zsk_lifetime == b->zsk_lifetime &&
	       a->delete_delay == b->delete_delay && a->propagation_delay == b->propagation_delay &&
	       a->dnskey_ttl == b->dnskey_ttl && a->zone_max_ttl == b->zone_max_ttl &&
	       a->rrsig_lifetime == b->rrsig_lifetime && a->rrsig_refresh == b->rrsig_refresh &&
	       a->rrsig_pre_refresh == b->rrsig_pre_refresh &&
	       a->rrsig_jitter == b->rrsig_jitter &&
	       a->reproducible_signing == b->reproducible_signing && a->nsec3 == b->nsec3 &&
	       a->nsec3_iterations == b->nsec3_iterations &&
	       a->nsec3_salt_length == b->nsec3_salt_length &&
	       a->nsec3_opt_out == b->nsec3_opt_out &&
	       a->nsec3_salt_lifetime == b->nsec3_salt_lifetime &&
	       a->cds_cdnskey_publish == b->cds_cdnskey_publish &&
	       a->cds_digest_type == b->cds_digest_type &&
	       submission_eq(a->ksk_submission, b->ksk_submission);
}

static unsigned
zone_changes(const conf_zone_t *a, const conf_zone_t *b)
{
	unsigned what = 0;
	if (!str_eq(a->file, b->file)) {
		what |= CONF_ZCHG_FILE;
	}
	bool acl_same = a->acl_count == b->acl_count;
	for (size_t i = 0; acl_same && i < a->acl_count; i++) {
		acl_same = acl_eq(a->acls[i], b->acls[i]);
	}
	if (!acl_same) {
		what |= CONF_ZCHG_ACL;
	}
	if (!remotes_eq(a->masters, a->master_count, b->masters, b->master_count)) {
		what |= CONF_ZCHG_MASTER;
	}
	if (!remotes_eq(a->notify, a->notify_count, b->notify, b->notify_count)) {
		what |= CONF_ZCHG_NOTIFY;
	}
	if (a->journal_max_entries != b->journal_max_entries ||
	    a->journal_max_size != b->journal_max_size) {
		what |= CONF_ZCHG_JOURNAL;
	}
	if (a->serial_policy != b->serial_policy || a->serial_auto_bump != b->serial_auto_bump) {
		what |= CONF_ZCHG_SERIAL;
	}
	/* policy is NULL when signing is off, so this covers both */
	if (a->dnssec_signing != b->dnssec_signing || !policy_eq(a->policy, b->policy)) {
		what |= CONF_ZCHG_DNSSEC;
	}
	return what;
}

static unsigned
server_changes(const conf_t *a, const conf_t *b)
{
	unsigned what = 0;
	if (!addrs_eq(a->listen, a->listen_count, b->listen, b->listen_count)) {
		what |= CONF_CHG_LISTEN;
	}
	if (a->workers != b->workers || a->tcp_workers != b->tcp_workers) {
		what |= CONF_CHG_WORKERS;
	}
	if (a->tcp_idle_timeout != b->tcp_idle_timeout ||
	    a->tcp_max_clients != b->tcp_max_clients) {
		what |= CONF_CHG_TCP;
	}
	if (!str_eq(a->storage, b->storage)) {
		what |= CONF_CHG_STORAGE;
	}
	if (!str_eq(a->control, b->control) || a->control_mode != b->control_mode) {
		what |= CONF_CHG_CONTROL;
	}
	bool ua = a->user != NULL, ub = b->user != NULL;
	bool ga = a->user != NULL || a->group != NULL, gb = b->user != NULL || b->group != NULL;
	if (ua != ub || ga != gb || (ua && a->uid != b->uid) || (ga && a->gid != b->gid)) {
		what |= CONF_CHG_USER;
	}
	if (a->udp_max_payload != b->udp_max_payload) {
		what |= CONF_CHG_UDP_PAYLOAD;
	}
	if (a->nsid_len != b->nsid_len ||
	    (a->nsid_len != 0 && memcmp(a->nsid, b->nsid, a->nsid_len) != 0) ||
	    !str_eq(a->identity, b->identity) || !str_eq(a->version, b->version)) {
		what |= CONF_CHG_IDENTITY;
	}
	bool log_same = a->log_count == b->log_count;
	for (size_t i = 0; log_same && i < a->log_count; i++) {
		const conf_log_t *x = &a->logs[i], *y = &b->logs[i];
		log_same = x->kind == y->kind && str_eq(x->target, y->target) &&
			   x->server == y->server && x->control == y->control &&
			   x->zone == y->zone && x->any == y->any;
	}
	if (!log_same) {
		what |= CONF_CHG_LOG;
	}
	bool keys_same = a->key_count == b->key_count;
	for (size_t i = 0; keys_same && i < a->key_count; i++) {
		keys_same = key_eq(a->key_index[i], b->key_index[i]);
	}
	if (!keys_same) {
		what |= CONF_CHG_KEYS;
	}
	return what;
}

int
conf_diff(const conf_t *old, const conf_t *next, conf_diff_t *out)
{
	conf_diff_t d;
	size_t i = 0, j = 0;

	memset(&d, 0, sizeof(d));
	d.added = malloc((next->zone_count + 1) * sizeof(*d.added));
	d.removed = malloc((old->zone_count + 1) * sizeof(*d.removed));
	d.changed = malloc((old->zone_count + 1) * sizeof(*d.changed));
	if (d.added == NULL || d.removed == NULL || d.changed == NULL) {
		conf_diff_clear(&d);
		return SN_ENOMEM;
	}
	/* both indexes are in canonical order: one merge */
	while (i < old->zone_count || j < next->zone_count) {
		const conf_zone_t *a = i < old->zone_count ? old->zone_index[i] : NULL;
		const conf_zone_t *b = j < next->zone_count ? next->zone_index[j] : NULL;
		int c = a == NULL ? 1 : b == NULL ? -1 : dname_cmp(a->apex, b->apex);
		if (c < 0) {
			d.removed[d.removed_count++] = a;
			i++;
		} else if (c > 0) {
			d.added[d.added_count++] = b;
			j++;
		} else {
			unsigned what = zone_changes(a, b);
			if (what != 0) {
				d.changed[d.changed_count++] =
					(conf_zone_diff_t){.old_zone = a, .new_zone = b, .what = what};
			}
			i++;
			j++;
		}
	}
	d.server = server_changes(old, next);
	d.needs_restart = (d.server & CONF_CHG_NEEDS_RESTART) != 0;
	*out = d;
	return SN_OK;
}

void
conf_diff_clear(conf_diff_t *d)
{
	free(d->added);
	free(d->removed);
	free(d->changed);
	memset(d, 0, sizeof(*d));
}
