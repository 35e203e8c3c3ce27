/* SPDX-License-Identifier: MIT
 * ctl.c - the control channel: a strict JSON reader and writer, requests,
 * responses, the daemon's socket and the client's call.
 *
 * Invariants. A parsed document is one array of values in document order
 * (a container's first child follows it; siblings are linked by offsets)
 * plus one string area sized from the input up front, so decoded strings
 * never move and the document is freed in three calls. Decoding only
 * shrinks text (an escape is never shorter than what it stands for, a
 * string loses its quotes and gains a NUL), so len + 1 octets always hold
 * every string and number of a `len`-octet input. Everything the writer
 * emits is valid UTF-8 JSON that the reader takes back unchanged: both
 * check UTF-8 with the same function.
 *
 * The server serves one connection at a time on the control thread: control
 * requests are rare, and serving them in order means two reloads never run
 * at once. A client that connects and stays silent holds the channel for
 * CTL_IO_TIMEOUT_MS at most.
 */
#include "server/ctl.h"

#include "server/log.h"
#include "zone/dname.h"
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/*
 * UTF-8 (RFC 3629 4): the well-formed sequences, so overlong forms,
 * surrogates (U+D800..U+DFFF) and code points past U+10FFFF are refused.
 */

/* Length of the well-formed sequence at `p` (`avail` > 0 octets), or 0. */
static size_t
utf8_len(const uint8_t *p, size_t avail)
{
	uint8_t c = p[0];
	uint8_t lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80) {
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0) {
			lo = 0xa0;
		} else if (c == 0xed) {
			hi = 0x9f;
		}
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0) {
			lo = 0x90;
		} else if (c == 0xf4) {
			hi = 0x8f;
		}
	} else {
		return 0;
	}
	if (avail < n || p[1] < lo || p[1] > hi) {
		return 0;
	}
	for (size_t i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf) {
			return 0;
		}
	}
	return n;
}

static size_t
utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Copies `s` into `out` (`cap` > 0) for a message: printable ASCII kept,
 * anything else shown as '?', cut at 40 characters. */
static void
printable(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 4 < cap && n < 40; i++) {
		unsigned char c = (unsigned char)s[i];
		out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (n < len && n + 4 < cap) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = 0;
}

/*
 * The reader
 */

struct ctl_json {
	uint8_t type;
	bool b;         /* CTL_JBOOL */
	bool is_int;    /* CTL_JNUM written without fraction or exponent */
	uint32_t count; /* members or elements */
	size_t next;    /* offset to the next sibling; 0: the last */
	const char *key;
	const char *s; /* a string, decoded, or a number as written */
	size_t len;
};

struct ctl_jdoc {
	ctl_json_t *v;
	size_t n;
	size_t cap;
	char *strs; /* len + 2 octets: see the file comment */
	size_t slen;
};

struct parser {
	const char *start;
	const char *p;
	const char *end;
	ctl_jdoc_t *doc;
	unsigned depth;
	int rc;
	char *err;
};

static void fail(struct parser *ps, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct parser *ps, int rc, const char *fmt, ...)
{
	if (ps->rc != SN_OK) {
		return;
	}
	ps->rc = rc;
	if (ps->err == NULL) {
		return;
	}
	int n = snprintf(ps->err, CTL_ERRLEN, "offset %zu: ", (size_t)(ps->p - ps->start));
	if (n < 0 || n >= CTL_ERRLEN) {
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, CTL_ERRLEN - (size_t)n, fmt, ap);
	va_end(ap);
}

static void
skip_ws(struct parser *ps)
{
	/* RFC 8259 2: space, tab, line feed, carriage return; nothing else */
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) {
		ps->p++;
	}
}

/* A new value; its index (the array may move until the parse ends). */
static bool
new_value(struct parser *ps, size_t *idx)
{
	ctl_jdoc_t *d = ps->doc;
	if (d->n == d->cap) {
		size_t cap = d->cap == 0 ? 16 : d->cap * 2;
		ctl_json_t *v = realloc(d->v, cap * sizeof(*v));
		if (v == NULL) {
			fail(ps, SN_ENOMEM, "out of memory");
			return false;
		}
		d->v = v;
		d->cap = cap;
	}
	*idx = d->n++;
	memset(&d->v[*idx], 0, sizeof(d->v[*idx]));
	return true;
}

static int
hex4(const char *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') {
			v |= (uint32_t)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			v |= (uint32_t)(c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			v |= (uint32_t)(c - 'A' + 10);
		} else {
			return SN_EPARSE;
		}
	}
	*out = v;
	return SN_OK;
}

/* The string at ps->p (on its opening quote), decoded into the string area. */
static bool
parse_string(struct parser *ps, const char **out, size_t *out_len)
{
	ctl_jdoc_t *d = ps->doc;
	char *dst = d->strs + d->slen;
	size_t n = 0;

	ps->p++;
	for (;;) {
		if (ps->p >= ps->end) {
			fail(ps, SN_EPARSE, "unterminated string");
			return false;
		}
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20) {
			fail(ps, SN_EPARSE, "control character 0x%02x in a string (escape it)", c);
			return false;
		}
		if (c >= 0x80) {
			size_t l = utf8_len((const uint8_t *)ps->p, (size_t)(ps->end - ps->p));
			if (l == 0) {
				fail(ps, SN_EPARSE, "invalid UTF-8 in a string");
				return false;
			}
			memcpy(dst + n, ps->p, l);
			n += l;
			ps->p += l;
			continue;
		}
		if (c != '\\') {
			dst[n++] = (char)c;
			ps->p++;
			continue;
		}
		if (ps->end - ps->p < 2) {
			fail(ps, SN_EPARSE, "unterminated string");
			return false;
		}
		char e = ps->p[1], c1;
		switch (e) {
		case '"':
		case '\\':
		case '/':
			c1 = e;
			break;
		case 'b':
			c1 = '\b';
			break;
		case 'f':
			c1 = '\f';
			break;
		case 'n':
			c1 = '\n';
			break;
		case 'r':
			c1 = '\r';
			break;
		case 't':
			c1 = '\t';
			break;
		case 'u':
			c1 = 0;
			break;
		default:
			fail(ps, SN_EPARSE, "unknown escape '\\%c'",
			     e >= 0x20 && e < 0x7f ? e : '?');
			return false;
		}
		if (c1 != 0) {
			dst[n++] = c1;
			ps->p += 2;
			continue;
		}
		uint32_t cp, lo;
		if (ps->end - ps->p < 6 || hex4(ps->p + 2, &cp) != SN_OK) {
			fail(ps, SN_EPARSE, "\\u needs four hex digits");
			return false;
		}
		if (cp >= 0xdc00 && cp <= 0xdfff) {
			fail(ps, SN_EPARSE, "lone low surrogate \\u%04x", cp);
			return false;
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			/* RFC 8259 7: a character past U+FFFF is a surrogate pair */
			if (ps->end - ps->p < 12 || ps->p[6] != '\\' || ps->p[7] != 'u' ||
			    hex4(ps->p + 8, &lo) != SN_OK || lo < 0xdc00 || lo > 0xdfff) {
				fail(ps, SN_EPARSE, "high surrogate \\u%04x without a low one", cp);
				return false;
			}
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			ps->p += 6;
		}
		if (cp == 0) {
			/* strings are handed out NUL-terminated: a NUL inside would
			 * cut them silently */
			fail(ps, SN_EPARSE, "\\u0000 is not allowed in a string");
			return false;
		}
		n += utf8_put(cp, dst + n);
		ps->p += 6;
	}
	dst[n] = 0;
	d->slen += n + 1;
	*out = dst;
	*out_len = n;
	return true;
}

static bool
parse_number(struct parser *ps, size_t idx)
{
	const char *s = ps->p;
	bool is_int = true;

	if (ps->p < ps->end && *ps->p == '-') {
		ps->p++;
	}
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
		fail(ps, SN_EPARSE, "a number needs digits");
		return false;
	}
	if (*ps->p == '0') {
		ps->p++;
		if (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
			fail(ps, SN_EPARSE, "leading zero in a number");
			return false;
		}
	} else {
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
			ps->p++;
		}
	}
	if (ps->p < ps->end && *ps->p == '.') {
		is_int = false;
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			fail(ps, SN_EPARSE, "a fraction needs digits");
			return false;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
			ps->p++;
		}
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		is_int = false;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) {
			ps->p++;
		}
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			fail(ps, SN_EPARSE, "an exponent needs digits");
			return false;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
			ps->p++;
		}
	}
	ctl_jdoc_t *d = ps->doc;
	size_t len = (size_t)(ps->p - s);
	char *dst = d->strs + d->slen;
	memcpy(dst, s, len);
	dst[len] = 0;
	d->slen += len + 1;
	ctl_json_t *v = &d->v[idx];
	v->type = CTL_JNUM;
	v->is_int = is_int;
	v->s = dst;
	v->len = len;
	return true;
}

static bool parse_value(struct parser *ps, size_t *idx);

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* RFC 8259 4 leaves duplicate names to the reader: refuse them, so that
 * no two programs can read one request differently. */
static bool
check_dups(struct parser *ps, size_t idx)
{
	ctl_jdoc_t *d = ps->doc;
	size_t count = d->v[idx].count;
	if (count < 2) {
		return true;
	}
	const char **keys = malloc(count * sizeof(*keys));
	if (keys == NULL) {
		fail(ps, SN_ENOMEM, "out of memory");
		return false;
	}
	size_t i = 0;
	for (size_t c = idx + 1; i < count; c += d->v[c].next) {
		keys[i++] = d->v[c].key;
	}
	qsort(keys, count, sizeof(*keys), cmp_keys);
	for (i = 1; i < count; i++) {
		if (strcmp(keys[i - 1], keys[i]) == 0) {
			char show[64];
			printable(keys[i], strlen(keys[i]), show, sizeof(show));
			fail(ps, SN_EPARSE, "duplicate key \"%s\"", show);
			free(keys);
			return false;
		}
	}
	free(keys);
	return true;
}

/* An array or an object at ps->p (on its opening bracket). */
static bool
parse_container(struct parser *ps, size_t idx, bool is_obj)
{
	char close = is_obj ? '}' : ']';
	size_t prev = 0;
	bool have_prev = false;

	if (++ps->depth > CTL_MAX_DEPTH) {
		fail(ps, SN_ERANGE, "nested deeper than %d", CTL_MAX_DEPTH);
		return false;
	}
	ps->doc->v[idx].type = is_obj ? CTL_JOBJ : CTL_JARR;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return true;
	}
	for (;;) {
		const char *key = NULL;
		size_t klen, child;
		skip_ws(ps);
		if (is_obj) {
			if (ps->p >= ps->end) {
				fail(ps, SN_EPARSE, "unexpected end of input in an object");
				return false;
			}
			if (*ps->p != '"') {
				fail(ps, SN_EPARSE,
				     *ps->p == '}' ? "trailing comma in an object"
				                   : "expected a key (a string)");
				return false;
			}
			if (!parse_string(ps, &key, &klen)) {
				return false;
			}
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				fail(ps, SN_EPARSE, "expected ':' after a key");
				return false;
			}
			ps->p++;
		} else {
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == ']') {
				fail(ps, SN_EPARSE, "trailing comma in an array");
				return false;
			}
		}
		if (!parse_value(ps, &child)) {
			return false;
		}
		ctl_jdoc_t *d = ps->doc;
		d->v[child].key = key;
		if (have_prev) {
			d->v[prev].next = child - prev;
		}
		prev = child;
		have_prev = true;
		if (d->v[idx].count == UINT32_MAX) {
			fail(ps, SN_ERANGE, "too many members");
			return false;
		}
		d->v[idx].count++;
		skip_ws(ps);
		if (ps->p >= ps->end) {
			fail(ps, SN_EPARSE, "unexpected end of input in an %s",
			     is_obj ? "object" : "array");
			return false;
		}
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			break;
		}
		fail(ps, SN_EPARSE, "expected ',' or '%c'", close);
		return false;
	}
	ps->depth--;
	return !is_obj || check_dups(ps, idx);
}

static bool
parse_literal(struct parser *ps, const char *word)
{
	size_t len = strlen(word);
	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len) != 0) {
		fail(ps, SN_EPARSE, "expected '%s'", word);
		return false;
	}
	ps->p += len;
	return true;
}

static bool
parse_value(struct parser *ps, size_t *idx_out)
{
	size_t idx;

	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, SN_EPARSE, "unexpected end of input: expected a value");
		return false;
	}
	if (!new_value(ps, &idx)) {
		return false;
	}
	*idx_out = idx;
	unsigned char c = (unsigned char)*ps->p;
	switch (c) {
	case '{':
	case '[':
		return parse_container(ps, idx, c == '{');
	case '"': {
		const char *s;
		size_t len;
		if (!parse_string(ps, &s, &len)) {
			return false;
		}
		ctl_json_t *v = &ps->doc->v[idx];
		v->type = CTL_JSTR;
		v->s = s;
		v->len = len;
		return true;
	}
	case 't':
	case 'f':
		if (!parse_literal(ps, c == 't' ? "true" : "false")) {
			return false;
		}
		ps->doc->v[idx].type = CTL_JBOOL;
		ps->doc->v[idx].b = c == 't';
		return true;
	case 'n':
		if (!parse_literal(ps, "null")) {
			return false;
		}
		ps->doc->v[idx].type = CTL_JNULL;
		return true;
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			return parse_number(ps, idx);
		}
		if (c >= 0x20 && c < 0x7f) {
			fail(ps, SN_EPARSE, "unexpected character '%c'", c);
		} else {
			fail(ps, SN_EPARSE, "unexpected octet 0x%02x", c);
		}
		return false;
	}
}

void
ctl_jdoc_free(ctl_jdoc_t *doc)
{
	if (doc == NULL) {
		return;
	}
	free(doc->v);
	free(doc->strs);
	free(doc);
}

int
ctl_jdoc_parse(const char *text, size_t len, size_t max_len, ctl_jdoc_t **out, char err[CTL_ERRLEN])
{
	struct parser ps = {.start = text, .p = text, .end = text + len, .err = err};
	size_t root;

	if (max_len == 0) {
		max_len = CTL_MAX_RESPONSE;
	}
	if (err != NULL) {
		err[0] = 0;
	}
	if (len > max_len) {
		fail(&ps, SN_ERANGE, "%zu octets, more than the %zu allowed", len, max_len);
		return ps.rc;
	}
	ps.doc = calloc(1, sizeof(*ps.doc));
	if (ps.doc == NULL) {
		return SN_ENOMEM;
	}
	ps.doc->strs = malloc(len + 2);
	if (ps.doc->strs == NULL) {
		ctl_jdoc_free(ps.doc);
		return SN_ENOMEM;
	}
	if (parse_value(&ps, &root)) {
		skip_ws(&ps);
		if (ps.p != ps.end) {
			fail(&ps, SN_EPARSE, "more after the value");
		}
	}
	if (ps.rc != SN_OK) {
		ctl_jdoc_free(ps.doc);
		return ps.rc;
	}
	*out = ps.doc;
	return SN_OK;
}

const ctl_json_t *
ctl_jdoc_root(const ctl_jdoc_t *doc)
{
	return &doc->v[0];
}

ctl_jtype_t
ctl_json_type(const ctl_json_t *v)
{
	return (ctl_jtype_t)v->type;
}

const ctl_json_t *
ctl_json_first(const ctl_json_t *v)
{
	if (v == NULL || (v->type != CTL_JOBJ && v->type != CTL_JARR) || v->count == 0) {
		return NULL;
	}
	return v + 1;
}

const ctl_json_t *
ctl_json_next(const ctl_json_t *v)
{
	return v == NULL || v->next == 0 ? NULL : v + v->next;
}

size_t
ctl_json_count(const ctl_json_t *v)
{
	return v != NULL && (v->type == CTL_JOBJ || v->type == CTL_JARR) ? v->count : 0;
}

const char *
ctl_json_key(const ctl_json_t *v)
{
	return v != NULL ? v->key : NULL;
}

const ctl_json_t *
ctl_json_get(const ctl_json_t *obj, const char *key)
{
	if (obj == NULL || obj->type != CTL_JOBJ) {
		return NULL;
	}
	for (const ctl_json_t *m = ctl_json_first(obj); m != NULL; m = ctl_json_next(m)) {
		if (strcmp(m->key, key) == 0) {
			return m;
		}
	}
	return NULL;
}

const char *
ctl_json_str(const ctl_json_t *v, size_t *len)
{
	if (v == NULL || v->type != CTL_JSTR) {
		return NULL;
	}
	if (len != NULL) {
		*len = v->len;
	}
	return v->s;
}

const char *
ctl_json_num_text(const ctl_json_t *v)
{
	return v != NULL && v->type == CTL_JNUM ? v->s : NULL;
}

int
ctl_json_int(const ctl_json_t *v, int64_t *out)
{
	if (v == NULL || v->type != CTL_JNUM || !v->is_int) {
		return SN_EINVAL;
	}
	errno = 0;
	long long x = strtoll(v->s, NULL, 10);
	if (errno == ERANGE) {
		return SN_ERANGE;
	}
	*out = (int64_t)x;
	return SN_OK;
}

int
ctl_json_uint(const ctl_json_t *v, uint64_t *out)
{
	if (v == NULL || v->type != CTL_JNUM || !v->is_int) {
		return SN_EINVAL;
	}
	if (v->s[0] == '-') {
		/* "-0" is zero; anything else below zero does not fit */
		if (strcmp(v->s, "-0") == 0) {
			*out = 0;
			return SN_OK;
		}
		return SN_ERANGE;
	}
	errno = 0;
	unsigned long long x = strtoull(v->s, NULL, 10);
	if (errno == ERANGE) {
		return SN_ERANGE;
	}
	*out = (uint64_t)x;
	return SN_OK;
}

int
ctl_json_double(const ctl_json_t *v, double *out)
{
	if (v == NULL || v->type != CTL_JNUM) {
		return SN_EINVAL;
	}
	errno = 0;
	double x = strtod(v->s, NULL);
	/* underflow to zero or a denormal is a fine approximation; overflow is not */
	if (errno == ERANGE && (x > 1.0 || x < -1.0)) {
		return SN_ERANGE;
	}
	*out = x;
	return SN_OK;
}

int
ctl_json_bool(const ctl_json_t *v, bool *out)
{
	if (v == NULL || v->type != CTL_JBOOL) {
		return SN_EINVAL;
	}
	*out = v->b;
	return SN_OK;
}

/*
 * The writer: a growing buffer with a sticky error and a stack of open
 * containers.
 */

struct jw {
	char *buf;
	size_t len;
	size_t cap;
	size_t max;
	int err;
	unsigned depth;
	bool is_obj[CTL_MAX_DEPTH + 1];
	bool first[CTL_MAX_DEPTH + 1];
};

static void
jw_put(struct jw *w, const char *s, size_t n)
{
	if (w->err != SN_OK) {
		return;
	}
	if (n > w->max - w->len) {
		w->err = SN_ERANGE;
		return;
	}
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap == 0 ? 256 : w->cap;
		while (cap < w->len + n + 1) {
			cap *= 2;
		}
		char *b = realloc(w->buf, cap);
		if (b == NULL) {
			w->err = SN_ENOMEM;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

static void
jw_puts(struct jw *w, const char *s)
{
	jw_put(w, s, strlen(s));
}

/* Is `s` fit for a JSON string: valid UTF-8 without NUL? */
static bool
str_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		if (s[i] == 0) {
			return false;
		}
		size_t l = utf8_len((const uint8_t *)s + i, len - i);
		if (l == 0) {
			return false;
		}
		i += l;
	}
	return true;
}

typedef void (*put_fn)(void *ctx, const char *s, size_t n);

/* RFC 8259 7: the quote, the backslash and the control characters must be
 * escaped; everything else (valid UTF-8) is written as is. */
static void
escape(const char *s, size_t len, put_fn put, void *ctx)
{
	size_t run = 0;
	put(ctx, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = NULL;
		char u[8];
		if (c == '"') {
			e = "\\\"";
		} else if (c == '\\') {
			e = "\\\\";
		} else if (c == '\n') {
			e = "\\n";
		} else if (c == '\t') {
			e = "\\t";
		} else if (c == '\r') {
			e = "\\r";
		} else if (c == '\b') {
			e = "\\b";
		} else if (c == '\f') {
			e = "\\f";
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(u, sizeof(u), "\\u%04x", c);
			e = u;
		}
		if (e == NULL) {
			continue;
		}
		put(ctx, s + run, i - run);
		put(ctx, e, strlen(e));
		run = i + 1;
	}
	put(ctx, s + run, len - run);
	put(ctx, "\"", 1);
}

static void
jw_put_cb(void *ctx, const char *s, size_t n)
{
	jw_put(ctx, s, n);
}

/* The separator and key before a value; false if the value must not go. */
static bool
jw_prefix(struct jw *w, const char *key)
{
	if (w->err != SN_OK) {
		return false;
	}
	if (w->depth == 0) {
		if (key != NULL || w->len != 0) {
			w->err = SN_EINVAL; /* one top-level value, without a key */
			return false;
		}
		return true;
	}
	if (w->is_obj[w->depth] != (key != NULL)) {
		w->err = SN_EINVAL;
		return false;
	}
	if (key != NULL && !str_ok(key, strlen(key))) {
		w->err = SN_EINVAL;
		return false;
	}
	if (!w->first[w->depth]) {
		jw_put(w, ",", 1);
	}
	w->first[w->depth] = false;
	if (key != NULL) {
		escape(key, strlen(key), jw_put_cb, w);
		jw_put(w, ":", 1);
	}
	return w->err == SN_OK;
}

static void
jw_strn(struct jw *w, const char *key, const char *s, size_t len)
{
	if (w->err == SN_OK && (s == NULL || !str_ok(s, len))) {
		w->err = SN_EINVAL;
	}
	if (jw_prefix(w, key)) {
		escape(s, len, jw_put_cb, w);
	}
}

static void
jw_raw(struct jw *w, const char *key, const char *text)
{
	if (jw_prefix(w, key)) {
		jw_puts(w, text);
	}
}

static void
jw_open(struct jw *w, const char *key, bool is_obj)
{
	if (!jw_prefix(w, key)) {
		return;
	}
	if (w->depth == CTL_MAX_DEPTH) {
		w->err = SN_ERANGE; /* the reader would refuse it */
		return;
	}
	jw_put(w, is_obj ? "{" : "[", 1);
	w->depth++;
	w->is_obj[w->depth] = is_obj;
	w->first[w->depth] = true;
}

static void
jw_close(struct jw *w, bool is_obj)
{
	if (w->err != SN_OK) {
		return;
	}
	if (w->depth == 0 || w->is_obj[w->depth] != is_obj) {
		w->err = SN_EINVAL;
		return;
	}
	jw_put(w, is_obj ? "}" : "]", 1);
	w->depth--;
}

static void
jw_clear(struct jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/*
 * Printing a parsed value back
 */

struct fput {
	FILE *f;
	bool bad;
};

static void
fput_cb(void *ctx, const char *s, size_t n)
{
	struct fput *fp = ctx;
	if (n > 0 && fwrite(s, 1, n, fp->f) != n) {
		fp->bad = true;
	}
}

static void
write_value(struct fput *fp, const ctl_json_t *v, unsigned indent, unsigned level)
{
	switch (v->type) {
	case CTL_JNULL:
		fput_cb(fp, "null", 4);
		return;
	case CTL_JBOOL:
		fput_cb(fp, v->b ? "true" : "false", v->b ? 4 : 5);
		return;
	case CTL_JNUM:
		fput_cb(fp, v->s, v->len);
		return;
	case CTL_JSTR:
		escape(v->s, v->len, fput_cb, fp);
		return;
	default:
		break;
	}
	bool is_obj = v->type == CTL_JOBJ;
	fput_cb(fp, is_obj ? "{" : "[", 1);
	bool first = true;
	for (const ctl_json_t *m = ctl_json_first(v); m != NULL; m = ctl_json_next(m)) {
		if (!first) {
			fput_cb(fp, ",", 1);
		}
		first = false;
		if (indent > 0) {
			fprintf(fp->f, "\n%*s", (int)(indent * (level + 1)), "");
		}
		if (is_obj) {
			escape(m->key, strlen(m->key), fput_cb, fp);
			fput_cb(fp, indent > 0 ? ": " : ":", indent > 0 ? 2 : 1);
		}
		write_value(fp, m, indent, level + 1);
	}
	if (indent > 0 && !first) {
		fprintf(fp->f, "\n%*s", (int)(indent * level), "");
	}
	fput_cb(fp, is_obj ? "}" : "]", 1);
}

int
ctl_json_write(FILE *f, const ctl_json_t *v, unsigned indent)
{
	struct fput fp = {.f = f};
	write_value(&fp, v, indent, 0);
	return fp.bad || ferror(f) ? SN_EIO : SN_OK;
}

/*
 * Requests
 */

enum zone_rule { ZONE_NONE, ZONE_OPTIONAL, ZONE_REQUIRED };

struct cmd_spec {
	const char *name;
	size_t handler; /* offset in ctl_handlers_t */
	enum zone_rule zone;
	bool changes;        /* logged when done; reads are not */
	const char *args[4]; /* the string arguments it takes; NULL-ended */
};

static const struct cmd_spec specs[] = {
    {"status", offsetof(ctl_handlers_t, status), ZONE_NONE, false, {NULL}},
    {"stop", offsetof(ctl_handlers_t, stop), ZONE_NONE, true, {NULL}},
    {"reload", offsetof(ctl_handlers_t, reload), ZONE_NONE, true, {NULL}},
    {"zone-status", offsetof(ctl_handlers_t, zone_status), ZONE_OPTIONAL, false, {NULL}},
    {"zone-reload", offsetof(ctl_handlers_t, zone_reload), ZONE_REQUIRED, true, {NULL}},
    {"zone-flush", offsetof(ctl_handlers_t, zone_flush), ZONE_REQUIRED, true, {"out", NULL}},
    {"zone-add",
     offsetof(ctl_handlers_t, zone_add),
     ZONE_REQUIRED,
     true,
     {"template", "file", NULL}},
    {"zone-remove", offsetof(ctl_handlers_t, zone_remove), ZONE_REQUIRED, true, {NULL}},
    {"stats", offsetof(ctl_handlers_t, stats), ZONE_NONE, false, {NULL}},
    {"zone-update", offsetof(ctl_handlers_t, zone_update), ZONE_REQUIRED, true, {"changes", NULL}},
    {"key-list", offsetof(ctl_handlers_t, key_list), ZONE_REQUIRED, false, {NULL}},
    {"zone-ds", offsetof(ctl_handlers_t, zone_ds), ZONE_REQUIRED, false, {"digest", NULL}},
    {"key-import", offsetof(ctl_handlers_t, key_import), ZONE_REQUIRED, true, {"private", "public", "role", NULL}},
    {"key-generate", offsetof(ctl_handlers_t, key_generate), ZONE_REQUIRED, true, {"role", "algorithm", NULL}},
    {"key-export", offsetof(ctl_handlers_t, key_export), ZONE_REQUIRED, false, {NULL}},
    {"zone-key-rollover", offsetof(ctl_handlers_t, zone_key_rollover), ZONE_REQUIRED, true, {"kind", NULL}},
    {"zone-ksk-submitted", offsetof(ctl_handlers_t, zone_ksk_submitted), ZONE_REQUIRED, true, {NULL}},
};

struct ctl_req {
	ctl_jdoc_t *doc;
	const struct cmd_spec *spec;
	const ctl_json_t *args; /* an object, or NULL */
	bool has_zone;
	uint8_t apex[DNAME_MAXLEN];
	char zone[DNAME_MAXTEXT];
};

static int req_fail(char *err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
req_fail(char *err, int rc, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, CTL_ERRLEN, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static bool
arg_known(const struct cmd_spec *spec, const char *key)
{
	for (size_t i = 0; spec->args[i] != NULL; i++) {
		if (strcmp(spec->args[i], key) == 0) {
			return true;
		}
	}
	return false;
}

/* Checks the parsed request `req->doc` against the command table. */
static int
req_check(ctl_req_t *req, char *err)
{
	const ctl_json_t *root = ctl_jdoc_root(req->doc);
	const ctl_json_t *cmd = NULL, *zone = NULL;
	char show[64];

	if (ctl_json_type(root) != CTL_JOBJ) {
		return req_fail(err, SN_EPARSE, "a request is a JSON object");
	}
	for (const ctl_json_t *m = ctl_json_first(root); m != NULL; m = ctl_json_next(m)) {
		const char *k = ctl_json_key(m);
		if (strcmp(k, "cmd") == 0) {
			cmd = m;
		} else if (strcmp(k, "zone") == 0) {
			zone = m;
		} else if (strcmp(k, "args") == 0) {
			if (ctl_json_type(m) != CTL_JOBJ) {
				return req_fail(err, SN_EPARSE, "\"args\" must be an object");
			}
			req->args = m;
		} else {
			printable(k, strlen(k), show, sizeof(show));
			return req_fail(err, SN_EPARSE, "unknown member \"%s\" in the request",
			                show);
		}
	}
	size_t clen;
	const char *name = ctl_json_str(cmd, &clen);
	if (name == NULL) {
		return req_fail(err, SN_EPARSE,
		                cmd == NULL ? "the request has no \"cmd\""
		                            : "\"cmd\" must be a string");
	}
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (strcmp(specs[i].name, name) == 0) {
			req->spec = &specs[i];
		}
	}
	if (req->spec == NULL) {
		printable(name, clen, show, sizeof(show));
		return req_fail(err, SN_ENOTSUP, "unknown command '%s'", show);
	}
	if (zone != NULL && ctl_json_type(zone) != CTL_JNULL) {
		size_t zlen, wlen;
		const char *z = ctl_json_str(zone, &zlen);
		if (z == NULL) {
			return req_fail(err, SN_EPARSE, "\"zone\" must be a string");
		}
		if (req->spec->zone == ZONE_NONE) {
			return req_fail(err, SN_EINVAL, "%s takes no zone", name);
		}
		printable(z, zlen, show, sizeof(show));
		/* relative names are taken as absolute, as operators type them */
		if (zlen == 0 ||
		    dname_from_text(z, zlen, (const uint8_t *)"", req->apex, &wlen) != SN_OK) {
			return req_fail(err, SN_EINVAL, "'%s' is not a valid zone name", show);
		}
		dname_to_lower(req->apex);
		if (dname_to_text(req->apex, req->zone, sizeof(req->zone)) < 0) {
			return req_fail(err, SN_EINVAL, "'%s' is not a valid zone name", show);
		}
		req->has_zone = true;
	} else if (req->spec->zone == ZONE_REQUIRED) {
		return req_fail(err, SN_EINVAL, "%s needs a zone", name);
	}
	for (const ctl_json_t *a = ctl_json_first(req->args); a != NULL; a = ctl_json_next(a)) {
		const char *k = ctl_json_key(a);
		printable(k, strlen(k), show, sizeof(show));
		if (!arg_known(req->spec, k)) {
			return req_fail(err, SN_EINVAL, "%s takes no argument '%s'", name, show);
		}
		size_t alen;
		if (ctl_json_str(a, &alen) == NULL) {
			return req_fail(err, SN_EINVAL, "argument '%s' must be a string", show);
		}
		if (alen == 0) {
			return req_fail(err, SN_EINVAL, "argument '%s' is empty", show);
		}
	}
	return SN_OK;
}

int
ctl_req_parse(const char *text, size_t len, ctl_req_t **out, char err[CTL_ERRLEN])
{
	char perr[CTL_ERRLEN];
	ctl_req_t *req = calloc(1, sizeof(*req));
	int rc;

	if (req == NULL) {
		return req_fail(err, SN_ENOMEM, "out of memory");
	}
	if (err != NULL) {
		err[0] = 0;
	}
	rc = ctl_jdoc_parse(text, len, CTL_MAX_REQUEST, &req->doc, perr);
	if (rc != SN_OK) {
		free(req);
		if (rc == SN_ENOMEM) {
			return req_fail(err, rc, "out of memory");
		}
		return req_fail(err, rc, "malformed request: %s", perr);
	}
	rc = req_check(req, err);
	if (rc != SN_OK) {
		ctl_req_free(req);
		return rc;
	}
	*out = req;
	return SN_OK;
}

void
ctl_req_free(ctl_req_t *req)
{
	if (req == NULL) {
		return;
	}
	ctl_jdoc_free(req->doc);
	free(req);
}

const char *
ctl_req_cmd(const ctl_req_t *req)
{
	return req->spec->name;
}

const char *
ctl_req_zone(const ctl_req_t *req)
{
	return req->has_zone ? req->zone : NULL;
}

const uint8_t *
ctl_req_apex(const ctl_req_t *req)
{
	return req->has_zone ? req->apex : NULL;
}

const char *
ctl_req_arg(const ctl_req_t *req, const char *key)
{
	return ctl_json_str(ctl_json_get(req->args, key), NULL);
}

int
ctl_req_format(const char *cmd, const char *zone, const char *const *keys,
               const char *const *values, size_t nargs, char **out, size_t *len)
{
	struct jw w = {.max = CTL_MAX_REQUEST + 1}; /* the newline is extra */

	jw_open(&w, NULL, true);
	jw_strn(&w, "cmd", cmd, cmd != NULL ? strlen(cmd) : 0);
	if (zone != NULL) {
		jw_strn(&w, "zone", zone, strlen(zone));
	}
	if (nargs > 0) {
		jw_open(&w, "args", true);
		for (size_t i = 0; i < nargs; i++) {
			if (keys[i] == NULL || values[i] == NULL) {
				w.err = w.err != SN_OK ? w.err : SN_EINVAL;
				break;
			}
			jw_strn(&w, keys[i], values[i], strlen(values[i]));
		}
		jw_close(&w, true);
	}
	jw_close(&w, true);
	jw_put(&w, "\n", 1);
	if (w.err != SN_OK) {
		int rc = w.err;
		jw_clear(&w);
		return rc;
	}
	*out = w.buf;
	*len = w.len;
	return SN_OK;
}

/*
 * Responses
 */

struct ctl_resp {
	struct jw w;    /* {"ok":true,"data":{ ... */
	struct jw text; /* the finished line */
	bool done;
	int code; /* set by ctl_resp_error; 0: none */
	char msg[CTL_ERRLEN];
};

int
ctl_resp_new(ctl_resp_t **out)
{
	ctl_resp_t *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		return SN_ENOMEM;
	}
	r->w.max = CTL_MAX_RESPONSE;
	r->text.max = CTL_MAX_RESPONSE;
	jw_open(&r->w, NULL, true);
	jw_raw(&r->w, "ok", "true");
	jw_open(&r->w, "data", true);
	if (r->w.err != SN_OK) {
		ctl_resp_free(r);
		return SN_ENOMEM;
	}
	*out = r;
	return SN_OK;
}

void
ctl_resp_free(ctl_resp_t *r)
{
	if (r == NULL) {
		return;
	}
	jw_clear(&r->w);
	jw_clear(&r->text);
	free(r);
}

/* The handler's values go inside "data" (depth 2): it may not close it. */
static bool
resp_open(ctl_resp_t *r)
{
	if (r->done && r->w.err == SN_OK) {
		r->w.err = SN_EINVAL; /* added after the text was taken */
	}
	return r->w.err == SN_OK;
}

void
ctl_resp_str(ctl_resp_t *r, const char *key, const char *s)
{
	ctl_resp_strn(r, key, s, s != NULL ? strlen(s) : 0);
}

void
ctl_resp_strn(ctl_resp_t *r, const char *key, const char *s, size_t len)
{
	if (resp_open(r)) {
		jw_strn(&r->w, key, s, len);
	}
}

void
ctl_resp_strf(ctl_resp_t *r, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (!resp_open(r)) {
		return;
	}
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r->w.err = SN_ENOMEM;
		return;
	}
	jw_strn(&r->w, key, s, (size_t)n);
	free(s);
}

void
ctl_resp_int(ctl_resp_t *r, const char *key, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	if (resp_open(r)) {
		jw_raw(&r->w, key, buf);
	}
}

void
ctl_resp_uint(ctl_resp_t *r, const char *key, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	if (resp_open(r)) {
		jw_raw(&r->w, key, buf);
	}
}

void
ctl_resp_double(ctl_resp_t *r, const char *key, double v)
{
	char buf[40];
	if (v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308) {
		/* JSON has no NaN or infinity (RFC 8259 6) */
		snprintf(buf, sizeof(buf), "null");
	} else {
		/* %.17g reads back to the same double; it never prints "inf" here */
		snprintf(buf, sizeof(buf), "%.17g", v);
	}
	if (resp_open(r)) {
		jw_raw(&r->w, key, buf);
	}
}

void
ctl_resp_bool(ctl_resp_t *r, const char *key, bool v)
{
	if (resp_open(r)) {
		jw_raw(&r->w, key, v ? "true" : "false");
	}
}

void
ctl_resp_null(ctl_resp_t *r, const char *key)
{
	if (resp_open(r)) {
		jw_raw(&r->w, key, "null");
	}
}

void
ctl_resp_obj_begin(ctl_resp_t *r, const char *key)
{
	if (resp_open(r)) {
		jw_open(&r->w, key, true);
	}
}

void
ctl_resp_arr_begin(ctl_resp_t *r, const char *key)
{
	if (resp_open(r)) {
		jw_open(&r->w, key, false);
	}
}

static void
resp_close(ctl_resp_t *r, bool is_obj)
{
	if (!resp_open(r)) {
		return;
	}
	if (r->w.depth <= 2) {
		r->w.err = SN_EINVAL; /* more ends than begins */
		return;
	}
	jw_close(&r->w, is_obj);
}

void
ctl_resp_obj_end(ctl_resp_t *r)
{
	resp_close(r, true);
}

void
ctl_resp_arr_end(ctl_resp_t *r)
{
	resp_close(r, false);
}

void
ctl_resp_error(ctl_resp_t *r, int code, const char *fmt, ...)
{
	if (r->code != 0 || r->done) {
		return;
	}
	r->code = code < 0 ? code : SN_EINVAL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

int
ctl_resp_status(const ctl_resp_t *r)
{
	return r->w.err;
}

/* Replaces what does not fit a JSON string in `msg`, in place: messages
 * quote names from the network and from files. */
static void
sanitize(char *msg)
{
	size_t len = strlen(msg);
	for (size_t i = 0; i < len;) {
		size_t l = utf8_len((const uint8_t *)msg + i, len - i);
		if (l == 0) {
			msg[i] = '?';
			l = 1;
		}
		i += l;
	}
}

int
ctl_resp_text(ctl_resp_t *r, const char **text, size_t *len)
{
	if (!r->done) {
		int code = r->code;
		if (code == 0 && r->w.err != SN_OK) {
			code = r->w.err;
			snprintf(r->msg, sizeof(r->msg), "cannot build the answer: %s",
			         sn_strerror(code));
		}
		if (code != 0) {
			char num[16];
			sanitize(r->msg);
			snprintf(num, sizeof(num), "%d", code);
			jw_open(&r->text, NULL, true);
			jw_raw(&r->text, "ok", "false");
			jw_strn(&r->text, "error", r->msg, strlen(r->msg));
			jw_raw(&r->text, "code", num);
			jw_close(&r->text, true);
			jw_put(&r->text, "\n", 1);
			if (r->text.err != SN_OK) {
				return SN_ENOMEM;
			}
		} else {
			while (r->w.depth > 0) {
				jw_close(&r->w, r->w.is_obj[r->w.depth]);
			}
			jw_put(&r->w, "\n", 1);
			if (r->w.err != SN_OK) {
				/* no room for the last octets: say so instead */
				r->done = false;
				snprintf(r->msg, sizeof(r->msg), "cannot build the answer: %s",
				         sn_strerror(r->w.err));
				r->code = r->w.err;
				return ctl_resp_text(r, text, len);
			}
			r->text.buf = r->w.buf;
			r->text.len = r->w.len;
			r->w.buf = NULL;
			r->w.len = r->w.cap = 0;
		}
		r->done = true;
	}
	*text = r->text.buf;
	*len = r->text.len;
	return SN_OK;
}

/*
 * Sockets: deadlines over non-blocking descriptors
 */

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for `events` on `fd` until `deadline`; 1 ready, 0 timed out, -1 error. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			return 0;
		}
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (n > 0) {
			return 1;
		}
		if (n < 0 && errno != EINTR) {
			return -1;
		}
	}
}

/* Sends all of `buf`; SN_OK, SN_EIO (errno set), or SN_ERANGE on timeout. */
static int
send_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			return SN_EIO;
		}
		int w = wait_fd(fd, POLLOUT, deadline);
		if (w == 0) {
			return SN_ERANGE;
		}
		if (w < 0) {
			return SN_EIO;
		}
	}
	return SN_OK;
}

/*
 * The daemon's side
 */

struct ctl_server {
	int fd;
	char *path;
	dev_t dev;
	ino_t ino;
	ctl_handlers_t h;
	void *ctx;
	char *buf; /* CTL_MAX_REQUEST + 1 */
};

int
ctl_server_fd(const ctl_server_t *srv)
{
	return srv->fd;
}

/* Is something listening on the socket file `path`? 1 yes, 0 no (stale),
 * -1 cannot tell (errno set). */
static int
socket_is_live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return -1;
	}
	int rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	int e = errno;
	close(fd);
	if (rc == 0 || e == EAGAIN) {
		return 1; /* accepted, or a full backlog: a listener is there */
	}
	if (e == ECONNREFUSED || e == ENOENT) {
		return 0;
	}
	errno = e;
	return -1;
}

int
ctl_server_new(const char *path, mode_t mode, const ctl_handlers_t *h, void *ctx,
               ctl_server_t **out)
{
	struct sockaddr_un sa;
	struct stat st;
	ctl_server_t *srv = NULL;
	int rc;

	if (path == NULL || h == NULL || (mode & ~(mode_t)0777) != 0) {
		return SN_EINVAL;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_error("control socket %s: the path is too long for a UNIX socket (at most %zu "
		          "octets)",
		          path, sizeof(sa.sun_path) - 1);
		return SN_ERANGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));

	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_error("control socket %s: the path exists and is not a socket; "
			          "leaving it alone",
			          path);
			return SN_EEXIST;
		}
		int live = socket_is_live(&sa);
		if (live > 0) {
			log_error("control socket %s: another signetd listens on it", path);
			return SN_EEXIST;
		}
		if (live < 0) {
			log_error("control socket %s: cannot tell whether it is in use: %s", path,
			          strerror(errno));
			return SN_EIO;
		}
		/* nobody listens: a daemon that died left it behind */
		if (unlink(path) != 0 && errno != ENOENT) {
			log_error("control socket %s: cannot remove the stale socket: %s", path,
			          strerror(errno));
			return SN_EIO;
		}
		log_info("control socket %s: removed a stale socket", path);
	} else if (errno != ENOENT) {
		log_error("control socket %s: %s", path, strerror(errno));
		return SN_EIO;
	}

	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		return SN_ENOMEM;
	}
	srv->fd = -1;
	srv->h = *h;
	srv->ctx = ctx;
	srv->path = strdup(path);
	srv->buf = malloc(CTL_MAX_REQUEST + 1);
	if (srv->path == NULL || srv->buf == NULL) {
		rc = SN_ENOMEM;
		goto fail;
	}
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (srv->fd < 0) {
		log_error("control socket %s: %s", path, strerror(errno));
		rc = SN_EIO;
		goto fail;
	}
	/* bind creates the file with 0777 & ~umask: narrow the umask so the
	 * socket never exists with wider bits than asked, even for a moment */
	mode_t old = umask(~mode & 0777);
	int brc = bind(srv->fd, (const struct sockaddr *)&sa, sizeof(sa));
	int berr = errno;
	umask(old);
	if (brc != 0) {
		log_error("control socket %s: %s", path, strerror(berr));
		rc = berr == EADDRINUSE ? SN_EEXIST : SN_EIO;
		goto fail;
	}
	/* and exactly what was asked, whatever the umask was */
	if (chmod(path, mode) != 0 || lstat(path, &st) != 0) {
		log_error("control socket %s: %s", path, strerror(errno));
		unlink(path);
		rc = SN_EIO;
		goto fail;
	}
	srv->dev = st.st_dev;
	srv->ino = st.st_ino;
	if (listen(srv->fd, 16) != 0) {
		log_error("control socket %s: %s", path, strerror(errno));
		unlink(path);
		rc = SN_EIO;
		goto fail;
	}
	*out = srv;
	return SN_OK;
fail:
	if (srv->fd >= 0) {
		close(srv->fd);
	}
	free(srv->path);
	free(srv->buf);
	free(srv);
	return rc;
}

void
ctl_server_free(ctl_server_t *srv)
{
	struct stat st;

	if (srv == NULL) {
		return;
	}
	if (srv->fd >= 0) {
		close(srv->fd);
	}
	/* only our own socket: an operator may have replaced it meanwhile */
	if (lstat(srv->path, &st) == 0 && st.st_dev == srv->dev && st.st_ino == srv->ino) {
		unlink(srv->path);
	}
	free(srv->path);
	free(srv->buf);
	free(srv);
}

/* Reads one request line into srv->buf. Returns its length (newline
 * excluded) or a negative sn_err with a message in `err`. */
static int
read_request(ctl_server_t *srv, int fd, int64_t deadline, size_t *out_len, char *err)
{
	size_t len = 0;
	for (;;) {
		ssize_t n = recv(fd, srv->buf + len, CTL_MAX_REQUEST + 1 - len, 0);
		if (n > 0) {
			char *nl = memchr(srv->buf + len, '\n', (size_t)n);
			len += (size_t)n;
			if (nl != NULL) {
				size_t line = (size_t)(nl - srv->buf);
				if (line + 1 != len) {
					return req_fail(err, SN_EPARSE,
					                "more than one line: one request a "
					                "connection");
				}
				*out_len = line;
				return SN_OK;
			}
			if (len > CTL_MAX_REQUEST) {
				return req_fail(err, SN_ERANGE, "request longer than %u octets",
				                CTL_MAX_REQUEST);
			}
			continue;
		}
		if (n == 0) {
			/* the client shut its side: what came is the request */
			if (len == 0) {
				return req_fail(err, SN_EPARSE, "empty request");
			}
			*out_len = len;
			return SN_OK;
		}
		if (errno == EINTR) {
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			return req_fail(err, SN_EIO, "reading the request: %s", strerror(errno));
		}
		int w = wait_fd(fd, POLLIN, deadline);
		if (w == 0) {
			return req_fail(err, SN_EIO, "no request within %d ms", CTL_IO_TIMEOUT_MS);
		}
		if (w < 0) {
			return req_fail(err, SN_EIO, "reading the request: %s", strerror(errno));
		}
	}
}

static const char oom_answer[] = "{\"ok\":false,\"error\":\"out of memory\",\"code\":-1}\n";

static void
serve(ctl_server_t *srv, int fd)
{
	int64_t deadline = now_ms() + CTL_IO_TIMEOUT_MS;
	char err[CTL_ERRLEN] = "";
	char who[64] = "";
	ctl_req_t *req = NULL;
	ctl_resp_t *resp = NULL;
	size_t len = 0;
	int rc;

	struct ucred cred;
	socklen_t clen = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
		snprintf(who, sizeof(who), " (uid %u, pid %d)", (unsigned)cred.uid, (int)cred.pid);
	}
	if (ctl_resp_new(&resp) != SN_OK) {
		(void)send_all(fd, oom_answer, sizeof(oom_answer) - 1, deadline);
		return;
	}
	rc = read_request(srv, fd, deadline, &len, err);
	if (rc == SN_OK) {
		rc = ctl_req_parse(srv->buf, len, &req, err);
	}
	if (rc != SN_OK) {
		log_info("control%s: refused: %s", who, err);
		ctl_resp_error(resp, rc, "%s", err);
	} else {
		const struct cmd_spec *spec = req->spec;
		ctl_handler_fn fn =
		    *(const ctl_handler_fn *)((const char *)&srv->h + spec->handler);
		const char *zone = ctl_req_zone(req);
		if (fn == NULL) {
			ctl_resp_error(resp, SN_ENOTSUP, "this signetd does not do '%s'",
			               spec->name);
			rc = SN_ENOTSUP;
		} else {
			log_debug("control%s: %s%s%s", who, spec->name, zone ? " " : "",
			          zone ? zone : "");
			rc = fn(srv->ctx, req, resp);
			if (rc != SN_OK) {
				ctl_resp_error(resp, rc, "%s", sn_strerror(rc));
			}
		}
		if (rc != SN_OK || resp->code != 0) {
			log_info("control%s: %s%s%s: %s", who, spec->name, zone ? " " : "",
			         zone ? zone : "", resp->msg);
		} else if (spec->changes) {
			log_info("control%s: %s%s%s: done", who, spec->name, zone ? " " : "",
			         zone ? zone : "");
		}
	}
	const char *text;
	if (ctl_resp_text(resp, &text, &len) != SN_OK) {
		text = oom_answer;
		len = sizeof(oom_answer) - 1;
	}
	/* the answer gets its own time: a handler may have taken long */
	rc = send_all(fd, text, len, now_ms() + CTL_IO_TIMEOUT_MS);
	if (rc != SN_OK) {
		log_info("control%s: the answer was not delivered: %s", who,
		         rc == SN_ERANGE ? "timed out" : strerror(errno));
	}
	ctl_req_free(req);
	ctl_resp_free(resp);
}

bool
ctl_server_serve_one(ctl_server_t *srv, int timeout_ms)
{
	struct pollfd p = {.fd = srv->fd, .events = POLLIN};
	if (poll(&p, 1, timeout_ms) <= 0) {
		return false;
	}
	int fd = accept4(srv->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED) {
			log_warning("control socket %s: accept: %s", srv->path, strerror(errno));
			/* out of descriptors and the like: do not spin */
			poll(NULL, 0, 100);
		}
		return false;
	}
	serve(srv, fd);
	close(fd);
	return true;
}

void
ctl_server_run(ctl_server_t *srv, atomic_bool *stop)
{
	while (!atomic_load(stop)) {
		(void)ctl_server_serve_one(srv, 200);
	}
}

/*
 * The client's side
 */

static int
check_response(const ctl_jdoc_t *doc, char *err)
{
	const ctl_json_t *root = ctl_jdoc_root(doc);
	bool ok;
	int64_t code;

	if (ctl_json_type(root) != CTL_JOBJ) {
		return req_fail(err, SN_EPARSE, "malformed answer from signetd: not an object");
	}
	if (ctl_json_bool(ctl_json_get(root, "ok"), &ok) != SN_OK) {
		return req_fail(err, SN_EPARSE, "malformed answer from signetd: no boolean \"ok\"");
	}
	if (ok) {
		const ctl_json_t *data = ctl_json_get(root, "data");
		if (data == NULL || ctl_json_type(data) != CTL_JOBJ) {
			return req_fail(err, SN_EPARSE,
			                "malformed answer from signetd: no \"data\" object");
		}
		return SN_OK;
	}
	if (ctl_json_str(ctl_json_get(root, "error"), NULL) == NULL ||
	    ctl_json_int(ctl_json_get(root, "code"), &code) != SN_OK) {
		return req_fail(err, SN_EPARSE,
		                "malformed answer from signetd: an error without \"error\" "
		                "and \"code\"");
	}
	return SN_OK;
}

int
ctl_call(const char *path, const char *req, size_t len, int timeout_ms, ctl_jdoc_t **out,
         char err[CTL_ERRLEN])
{
	struct sockaddr_un sa;
	char *buf = NULL;
	size_t blen = 0, bcap = 0;
	int fd = -1, rc;

	if (timeout_ms <= 0) {
		timeout_ms = CTL_IO_TIMEOUT_MS;
	}
	int64_t deadline = now_ms() + timeout_ms;
	if (err != NULL) {
		err[0] = 0;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		return req_fail(err, SN_EIO,
		                "cannot connect to %s: the path is too long for a "
		                "UNIX socket",
		                path);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return req_fail(err, SN_EIO, "socket: %s", strerror(errno));
	}
	for (;;) {
		if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) == 0) {
			break;
		}
		int e = errno;
		if (e == EINTR) {
			continue;
		}
		/* a UNIX socket with a full backlog says EAGAIN: the daemon is
		 * busy with a long request; try again until the deadline */
		if (e == EAGAIN && now_ms() < deadline) {
			poll(NULL, 0, 20);
			continue;
		}
		close(fd);
		if (e == EACCES || e == EPERM) {
			return req_fail(err, SN_EIO,
			                "cannot connect to %s: %s (run signetc as the user signetd "
			                "runs as)",
			                path, strerror(e));
		}
		if (e == EAGAIN) {
			return req_fail(err, SN_EIO, "cannot connect to %s: signetd is busy", path);
		}
		return req_fail(err, SN_EIO, "cannot connect to %s: %s (is signetd running?)", path,
		                strerror(e));
	}
	rc = send_all(fd, req, len, deadline);
	if (rc != SN_OK) {
		rc = req_fail(err, SN_EIO, "sending the request to %s: %s", path,
		              rc == SN_ERANGE ? "timed out" : strerror(errno));
		goto out;
	}
	for (;;) {
		if (blen == bcap) {
			if (bcap > CTL_MAX_RESPONSE) {
				rc = req_fail(err, SN_EPARSE,
				              "malformed answer from signetd: longer than %u "
				              "octets",
				              CTL_MAX_RESPONSE);
				goto out;
			}
			size_t cap = bcap == 0 ? 4096 : bcap * 2;
			char *b = realloc(buf, cap + 1);
			if (b == NULL) {
				rc = req_fail(err, SN_ENOMEM, "out of memory");
				goto out;
			}
			buf = b;
			bcap = cap;
		}
		ssize_t n = recv(fd, buf + blen, bcap - blen, 0);
		if (n > 0) {
			char *nl = memchr(buf + blen, '\n', (size_t)n);
			blen += (size_t)n;
			if (nl != NULL) {
				if ((size_t)(nl - buf) + 1 != blen) {
					rc = req_fail(err, SN_EPARSE,
					              "malformed answer from signetd: more than "
					              "one line");
					goto out;
				}
				blen--;
				break;
			}
			continue;
		}
		if (n == 0) {
			rc = req_fail(err, blen == 0 ? SN_EIO : SN_EPARSE,
			              blen == 0 ? "signetd closed the connection without an answer"
			                        : "malformed answer from signetd: cut short");
			goto out;
		}
		if (errno == EINTR) {
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			rc = req_fail(err, SN_EIO, "reading the answer from %s: %s", path,
			              strerror(errno));
			goto out;
		}
		int w = wait_fd(fd, POLLIN, deadline);
		if (w == 0) {
			rc = req_fail(err, SN_EIO, "no answer from signetd within %d s",
			              (timeout_ms + 999) / 1000);
			goto out;
		}
		if (w < 0) {
			rc = req_fail(err, SN_EIO, "waiting for signetd: %s", strerror(errno));
			goto out;
		}
	}
	char perr[CTL_ERRLEN];
	ctl_jdoc_t *doc;
	rc = ctl_jdoc_parse(buf, blen, CTL_MAX_RESPONSE, &doc, perr);
	if (rc != SN_OK) {
		rc = req_fail(err, rc == SN_ENOMEM ? SN_ENOMEM : SN_EPARSE,
		              "malformed answer from signetd: %s", perr);
		goto out;
	}
	rc = check_response(doc, err);
	if (rc != SN_OK) {
		ctl_jdoc_free(doc);
		goto out;
	}
	*out = doc;
out:
	free(buf);
	close(fd);
	return rc;
}
