/* SPDX-License-Identifier: MIT
 * test_zfile.c - unit tests for zone/zfile, the zone-file parser.
 *
 * Each test parses a text (or files under a mkdtemp directory), collects
 * the records and messages, and checks them against values written out by
 * hand: owner and RDATA in wire form, TTLs, and the file:line:col of every
 * message. The $GENERATE and TTL expectations were taken from what
 * named-checkzone 9.18 does with the same input.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"
#include "zone/dname.h"
#include "zone/rrtype.h"
#include "zone/zfile.h"

/* mkdtemp directory of the suite, for $INCLUDE and big files */
static char tmpdir[256];

typedef struct trec {
	uint8_t owner[DNAME_MAXLEN];
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t *rdata;
	char file[512];
	uint32_t line, col;
} trec_t;

typedef struct tmsg {
	zfile_sev_t sev;
	char file[512];
	uint32_t line, col;
	char text[512];
} tmsg_t;

typedef struct coll {
	trec_t *rec;
	size_t nrec, caprec;
	tmsg_t *msg;
	size_t nmsg, capmsg;
	size_t stop_after; /* on_rr fails after this many records; 0: never */
	uint8_t origin[DNAME_MAXLEN];
	zfile_opts_t opts;
	zfile_stats_t st;
} coll_t;

static int
on_rr(void *ctx, const zfile_rr_t *rr)
{
	coll_t *c = ctx;
	if (c->nrec == c->caprec) {
		c->caprec = c->caprec ? c->caprec * 2 : 64;
		c->rec = realloc(c->rec, c->caprec * sizeof(*c->rec));
		if (c->rec == NULL) {
			abort();
		}
	}
	trec_t *r = &c->rec[c->nrec++];
	memcpy(r->owner, rr->owner, dname_len(rr->owner));
	r->type = rr->type;
	r->rclass = rr->rclass;
	r->ttl = rr->ttl;
	r->rdlen = rr->rdlen;
	r->rdata = malloc(rr->rdlen + 1u);
	if (r->rdata == NULL) {
		abort();
	}
	memcpy(r->rdata, rr->rdata, rr->rdlen);
	snprintf(r->file, sizeof(r->file), "%s", rr->file);
	r->line = rr->line;
	r->col = rr->col;
	if (c->stop_after != 0 && c->nrec >= c->stop_after) {
		return SN_ERANGE;
	}
	return SN_OK;
}

static void
on_msg(void *ctx, zfile_sev_t sev, const char *file, uint32_t line, uint32_t col, const char *text)
{
	coll_t *c = ctx;
	if (c->nmsg == c->capmsg) {
		c->capmsg = c->capmsg ? c->capmsg * 2 : 16;
		c->msg = realloc(c->msg, c->capmsg * sizeof(*c->msg));
		if (c->msg == NULL) {
			abort();
		}
	}
	tmsg_t *m = &c->msg[c->nmsg++];
	m->sev = sev;
	snprintf(m->file, sizeof(m->file), "%s", file);
	m->line = line;
	m->col = col;
	snprintf(m->text, sizeof(m->text), "%s", text);
}

static void
coll_init(coll_t *c, const char *origin)
{
	size_t len;
	memset(c, 0, sizeof(*c));
	if (dname_from_text(origin, strlen(origin), NULL, c->origin, &len) != SN_OK) {
		abort();
	}
	c->opts.origin = c->origin;
	c->opts.on_rr = on_rr;
	c->opts.on_msg = on_msg;
	c->opts.ctx = c;
	c->opts.allow_include = true;
}

static void
coll_clear(coll_t *c)
{
	for (size_t i = 0; i < c->nrec; i++) {
		free(c->rec[i].rdata);
	}
	free(c->rec);
	free(c->msg);
	c->rec = NULL;
	c->msg = NULL;
	c->nrec = c->nmsg = 0;
	c->caprec = c->capmsg = 0;
}

static int
parse(coll_t *c, const char *text)
{
	return zfile_parse_mem("t.zone", text, strlen(text), &c->opts, &c->st);
}

/* Prints what was collected, to make a failure readable. */
static void
dump(const coll_t *c)
{
	char name[DNAME_MAXTEXT];
	for (size_t i = 0; i < c->nmsg; i++) {
		printf("\n  msg %s:%u:%u: %s: %s", c->msg[i].file, c->msg[i].line, c->msg[i].col,
		       c->msg[i].sev == ZFILE_ERROR ? "error" : "warning", c->msg[i].text);
	}
	for (size_t i = 0; i < c->nrec && i < 40; i++) {
		(void)dname_to_text(c->rec[i].owner, name, sizeof(name));
		printf("\n  rr %s %u type %u rdlen %u @%u:%u", name, c->rec[i].ttl, c->rec[i].type,
		       c->rec[i].rdlen, c->rec[i].line, c->rec[i].col);
	}
}

/* ---- expected RDATA, built by hand ------------------------------------- */

typedef struct rdbuf {
	uint8_t b[70000];
	size_t n;
} rdbuf_t;

static void
rd_u8(rdbuf_t *r, unsigned v)
{
	r->b[r->n++] = (uint8_t)v;
}

static void
rd_u16(rdbuf_t *r, unsigned v)
{
	rd_u8(r, v >> 8);
	rd_u8(r, v & 0xff);
}

static void
rd_u32(rdbuf_t *r, uint32_t v)
{
	rd_u16(r, v >> 16);
	rd_u16(r, v & 0xffff);
}

static void
rd_name(rdbuf_t *r, const char *abs)
{
	size_t len;
	if (dname_from_text(abs, strlen(abs), NULL, r->b + r->n, &len) != SN_OK) {
		abort();
	}
	r->n += len;
}

static void
rd_str(rdbuf_t *r, const char *s, size_t len)
{
	rd_u8(r, (unsigned)len);
	memcpy(r->b + r->n, s, len);
	r->n += len;
}

/* TXT RDATA of the NULL-terminated list of strings. */
static rdbuf_t *
rd_txt(rdbuf_t *r, ...)
{
	va_list ap;
	const char *s;
	r->n = 0;
	va_start(ap, r);
	while ((s = va_arg(ap, const char *)) != NULL) {
		rd_str(r, s, strlen(s));
	}
	va_end(ap);
	return r;
}

static rdbuf_t *
rd_a(rdbuf_t *r, const char *addr)
{
	r->n = 4;
	if (inet_pton(AF_INET, addr, r->b) != 1) {
		abort();
	}
	return r;
}

static rdbuf_t *
rd_soa(rdbuf_t *r, const char *mname, const char *rname, uint32_t serial, uint32_t refresh,
       uint32_t retry, uint32_t expire, uint32_t minimum)
{
	r->n = 0;
	rd_name(r, mname);
	rd_name(r, rname);
	rd_u32(r, serial);
	rd_u32(r, refresh);
	rd_u32(r, retry);
	rd_u32(r, expire);
	rd_u32(r, minimum);
	return r;
}

static rdbuf_t *
rd_n(rdbuf_t *r, const char *abs)
{
	r->n = 0;
	rd_name(r, abs);
	return r;
}

static rdbuf_t *
rd_mx(rdbuf_t *r, unsigned pref, const char *abs)
{
	r->n = 0;
	rd_u16(r, pref);
	rd_name(r, abs);
	return r;
}

/* Checks record i: owner (absolute text), type, TTL and RDATA. */
static bool
rr_is(const coll_t *c, size_t i, const char *owner, uint16_t type, uint32_t ttl, const rdbuf_t *rd)
{
	uint8_t o[DNAME_MAXLEN];
	size_t len;
	char got[DNAME_MAXTEXT];

	if (i >= c->nrec) {
		printf("\n  record %zu missing (have %zu)", i, c->nrec);
		return false;
	}
	const trec_t *r = &c->rec[i];
	if (dname_from_text(owner, strlen(owner), NULL, o, &len) != SN_OK) {
		abort();
	}
	(void)dname_to_text(r->owner, got, sizeof(got));
	/* case as written: compare the octets, not case-insensitively */
	if (dname_len(r->owner) != len || memcmp(r->owner, o, len) != 0) {
		printf("\n  record %zu: owner %s, want %s", i, got, owner);
		return false;
	}
	if (r->type != type || r->ttl != ttl || r->rclass == 0) {
		printf("\n  record %zu (%s): type %u ttl %u, want type %u ttl %u", i, got, r->type,
		       r->ttl, type, ttl);
		return false;
	}
	if (rd != NULL && (r->rdlen != rd->n || memcmp(r->rdata, rd->b, rd->n) != 0)) {
		printf("\n  record %zu (%s): rdata differs (%u octets, want %zu)", i, got, r->rdlen,
		       rd->n);
		return false;
	}
	return true;
}

/* True if a message of `sev` at line:col contains `needle`. */
static bool
has_msg(const coll_t *c, zfile_sev_t sev, uint32_t line, uint32_t col, const char *needle)
{
	for (size_t i = 0; i < c->nmsg; i++) {
		const tmsg_t *m = &c->msg[i];
		if (m->sev == sev && m->line == line && m->col == col && strstr(m->text, needle)) {
			return true;
		}
	}
	printf("\n  no %s at %u:%u containing '%s'", sev == ZFILE_ERROR ? "error" : "warning",
	       line, col, needle);
	dump(c);
	return false;
}

static size_t
count_sev(const coll_t *c, zfile_sev_t sev)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nmsg; i++) {
		n += c->msg[i].sev == sev;
	}
	return n;
}

#define SOA_LINE "@ 3600 IN SOA ns1 host 1 7200 900 1209600 300\n"

/* ---- the record path ------------------------------------------------------ */

static void
test_zfile_basic(void)
{
	coll_t c;
	rdbuf_t rd;
	coll_init(&c, "example.");
	int rc = parse(&c, "$TTL 1h\n"
			   "@ IN SOA ns1.example. hostmaster ( 2024010101 7200 900 1209600 300 )\n"
			   "@ NS ns1\n"
			   "ns1 A 192.0.2.1\n"
			   "www.example. 60 IN A 192.0.2.2\n"
			   "Mail IN 120 MX 10 ns1\n"
			   "t TXT \"hello world\" x\n");
	CU_ASSERT_EQUAL(rc, SN_OK);
	CU_ASSERT_EQUAL(c.nrec, 6);
	CU_ASSERT(rr_is(&c, 0, "example.", RRTYPE_SOA, 3600,
			rd_soa(&rd, "ns1.example.", "hostmaster.example.", 2024010101, 7200, 900,
			       1209600, 300)));
	CU_ASSERT(rr_is(&c, 1, "example.", RRTYPE_NS, 3600, rd_n(&rd, "ns1.example.")));
	CU_ASSERT(rr_is(&c, 2, "ns1.example.", RRTYPE_A, 3600, rd_a(&rd, "192.0.2.1")));
	CU_ASSERT(rr_is(&c, 3, "www.example.", RRTYPE_A, 60, rd_a(&rd, "192.0.2.2")));
	CU_ASSERT(rr_is(&c, 4, "Mail.example.", RRTYPE_MX, 120, rd_mx(&rd, 10, "ns1.example.")));
	CU_ASSERT(rr_is(&c, 5, "t.example.", RRTYPE_TXT, 3600, rd_txt(&rd, "hello world", "x", NULL)));
	CU_ASSERT_EQUAL(c.st.records, 6);
	CU_ASSERT_EQUAL(c.st.lines, 7);
	CU_ASSERT_EQUAL(c.st.errors, 0);
	CU_ASSERT_EQUAL(c.st.warnings, 0);
	/* where each record starts */
	CU_ASSERT(c.nrec == 6 && c.rec[2].line == 4 && c.rec[2].col == 1);
	CU_ASSERT(c.nrec == 6 && strcmp(c.rec[2].file, "t.zone") == 0);
	CU_ASSERT(c.nrec == 6 && c.rec[0].rclass == RRCLASS_IN);
	if (c.nmsg != 0) {
		dump(&c);
	}
	coll_clear(&c);
}

static void
test_zfile_omitted_fields(void)
{
	coll_t c;
	rdbuf_t rd;
	coll_init(&c, "example.");
	int rc = parse(&c, "$TTL 100\n" SOA_LINE
			   "a 10 IN A 192.0.2.1\n"	 /* name ttl class type */
			   "\t20 A 192.0.2.2\n"		 /* omitted owner, ttl */
			   "  IN 30 A 192.0.2.3\n"	 /* class ttl */
			   " IN A 192.0.2.4\n"		 /* class only: $TTL */
			   "b IN 40 A 192.0.2.5\n"	 /* name class ttl type */
			   "c A 192.0.2.6\n"		 /* name type */
			   "d 50 A 192.0.2.7\n"		 /* name ttl type */
			   "e in A 192.0.2.8\n"		 /* class in lower case */
			   "f CLASS1 A 192.0.2.9\n"	 /* RFC 3597 class */
			   "\n \n\t; only a comment\n"	 /* blank lines */
			   "  A 192.0.2.10\n");		 /* still owner f */
	CU_ASSERT_EQUAL(rc, SN_OK);
	CU_ASSERT_EQUAL(c.nrec, 11);
	CU_ASSERT(rr_is(&c, 1, "a.example.", RRTYPE_A, 10, rd_a(&rd, "192.0.2.1")));
	CU_ASSERT(rr_is(&c, 2, "a.example.", RRTYPE_A, 20, rd_a(&rd, "192.0.2.2")));
	CU_ASSERT(rr_is(&c, 3, "a.example.", RRTYPE_A, 30, rd_a(&rd, "192.0.2.3")));
	CU_ASSERT(rr_is(&c, 4, "a.example.", RRTYPE_A, 100, rd_a(&rd, "192.0.2.4")));
	CU_ASSERT(rr_is(&c, 5, "b.example.", RRTYPE_A, 40, rd_a(&rd, "192.0.2.5")));
	CU_ASSERT(rr_is(&c, 6, "c.example.", RRTYPE_A, 100, rd_a(&rd, "192.0.2.6")));
	CU_ASSERT(rr_is(&c, 7, "d.example.", RRTYPE_A, 50, rd_a(&rd, "192.0.2.7")));
	CU_ASSERT(rr_is(&c, 8, "e.example.", RRTYPE_A, 100, rd_a(&rd, "192.0.2.8")));
	CU_ASSERT(rr_is(&c, 9, "f.example.", RRTYPE_A, 100, rd_a(&rd, "192.0.2.9")));
	CU_ASSERT(rr_is(&c, 10, "f.example.", RRTYPE_A, 100, rd_a(&rd, "192.0.2.10")));
	/* an omitted owner: the record starts at its first token */
	CU_ASSERT(c.nrec == 11 && c.rec[2].line == 4 && c.rec[2].col == 2);
	CU_ASSERT_EQUAL(c.st.lines, 15);
	coll_clear(&c);
}

static void
test_zfile_parentheses_comments(void)
{
	coll_t c;
	rdbuf_t rd;
	coll_init(&c, "example.");
	int rc = parse(&c, "$TTL 300 ; default\n"
			   "@ IN SOA ( ns1 ; primary\n"
			   "  host.example. ; ( not a paren\n"
			   "\n"
			   "  ; a comment line inside\n"
			   "  1 ; serial\n"
			   "  2 3 4 (5) ) ; nested parentheses\n"
			   "t TXT ( \"a\" ; c\n"
			   "  \"b\" )\n"
			   "u A ( 192.0.2.1 )\n"
			   "(v) A 192.0.2.2\n"
			   "; last line: a comment without a newline");
	CU_ASSERT_EQUAL(rc, SN_OK);
	CU_ASSERT_EQUAL(c.nrec, 4);
	CU_ASSERT(rr_is(&c, 0, "example.", RRTYPE_SOA, 300,
			rd_soa(&rd, "ns1.example.", "host.example.", 1, 2, 3, 4, 5)));
	CU_ASSERT(rr_is(&c, 1, "t.example.", RRTYPE_TXT, 300, rd_txt(&rd, "a", "b", NULL)));
	CU_ASSERT(rr_is(&c, 2, "u.example.", RRTYPE_A, 300, rd_a(&rd, "192.0.2.1")));
	/* '(' at the start of a line is not blank space: v is the owner */
	CU_ASSERT(rr_is(&c, 3, "v.example.", RRTYPE_A, 300, rd_a(&rd, "192.0.2.2")));
	CU_ASSERT_EQUAL(c.st.lines, 12);
	if (rc != SN_OK) {
		dump(&c);
	}
	coll_clear(&c);
}

static void
test_zfile_quoted_strings(void)
{
	coll_t c;
	rdbuf_t rd;
	coll_init(&c, "example.");
	int rc = parse(&c, "$TTL 300\n"
			   "a TXT \"semi ; colon\" \"(paren\" \"close)\"\n"
			   "b TXT \"q\\\"q\" \"back\\\\slash\" \"\\065\\066\"\n"
			   "c TXT abc\"def\" \"x\"y\"z\"\n" /* BIND: quotes split tokens */
			   "d TXT \"\" plain\\ space\n"
			   "e TXT \"multi\\\nline\"\n");
	CU_ASSERT_EQUAL(rc, SN_OK);
	CU_ASSERT_EQUAL(c.nrec, 5);
	CU_ASSERT(rr_is(&c, 0, "a.example.", RRTYPE_TXT, 300,
			rd_txt(&rd, "semi ; colon", "(paren", "close)", NULL)));
	CU_ASSERT(rr_is(&c, 1, "b.example.", RRTYPE_TXT, 300,
			rd_txt(&rd, "q\"q", "back\\slash", "AB", NULL)));
	CU_ASSERT(rr_is(&c, 2, "c.example.", RRTYPE_TXT, 300,
			rd_txt(&rd, "abc", "def", "x", "y", "z", NULL)));
	CU_ASSERT(rr_is(&c, 3, "d.example.", RRTYPE_TXT, 300, rd_txt(&rd, "", "plain space", NULL)));
	/* an escaped newline is part of the string (named-checkzone: "multi\010line") */
	CU_ASSERT(rr_is(&c, 4, "e.example.", RRTYPE_TXT, 300, rd_txt(&rd, "multi\nline", NULL)));
	CU_ASSERT_EQUAL(c.st.lines, 7);
	if (rc != SN_OK) {
		dump(&c);
	}
	coll_clear(&c);
}

static void
test_zfile_origin(void)
{
	coll_t c;
	rdbuf_t rd;
	coll_init(&c, "example.");
	int rc = parse(&c, "$TTL 300\n"
			   "a A 192.0.2.1\n"
			   "$ORIGIN sub\n" /* relative: sub.example. */
			   "b A 192.0.2.2\n"
			   "@ NS b\n"
			   "$origin Other.Test.\n"
			   "c CNAME @\n"
			   "a A 192.0.2.3\n"); /* same text as before, new origin */
	CU_ASSERT_EQUAL(rc, SN_OK);
	CU_ASSERT_EQUAL(c.nrec, 5);
	CU_ASSERT(rr_is(&c, 0, "a.example.", RRTYPE_A, 300, rd_a(&rd, "192.0.2.1")));
	CU_ASSERT(rr_is(&c, 1, "b.sub.example.", RRTYPE_A, 300, rd_a(&rd, "192.0.2.2")));
	CU_ASSERT(rr_is(&c, 2, "sub.example.", RRTYPE_NS, 300, rd_n(&rd, "b.sub.example.")));
	CU_ASSERT(rr_is(&c, 3, "c.Other.Test.", RRTYPE_CNAME, 300, rd_n(&rd, "Other.Test.")));
	CU_ASSERT(rr_is(&c, 4, "a.Other.Test.", RRTYPE_A, 300, rd_a(&rd, "192.0.2.3")));
	coll_clear(&c);
}

static void
test_zfile_crlf(void)
{
	coll_t c1, c2;
	const char *lf = "$TTL 300\n" SOA_LINE "a TXT ( \"x\" ; c\n \"y\" )\n  A 192.0.2.1\n";
	const char *crlf = "$TTL 300\r\n@ 3600 IN SOA ns1 host 1 7200 900 1209600 300\r\n"
			   "a TXT ( \"x\" ; c\r\n \"y\" )\r\n  A 192.0.2.1\r\n";
	coll_init(&c1, "example.");
	coll_init(&c2, "example.");
	CU_ASSERT_EQUAL(parse(&c1, lf), SN_OK);
	CU_ASSERT_EQUAL(parse(&c2, crlf), SN_OK);
	CU_ASSERT_EQUAL(c1.nrec, 3);
	CU_ASSERT_EQUAL(c2.nrec, c1.nrec);
	for (size_t i = 0; i < c1.nrec && i < c2.nrec; i++) {
		CU_ASSERT(c1.rec[i].rdlen == c2.rec[i].rdlen &&
			  memcmp(c1.rec[i].rdata, c2.rec[i].rdata, c1.rec[i].rdlen) == 0);
		CU_ASSERT(dname_is_equal(c1.rec[i].owner, c2.rec[i].owner));
		CU_ASSERT(c1.rec[i].ttl == c2.rec[i].ttl && c1.rec[i].line == c2.rec[i].line);
	}
	CU_ASSERT_EQUAL(c2.st.lines, 5);
	coll_clear(&c1);
	coll_clear(&c2);
}

/* ---- TTLs ----------------------------------------------------------------- */

static void
test_zfile_parse_ttl(void)
{
	static const struct {
		const char *s;
		int rc;
		uint32_t v;
	} cases[] = {
		{"0", SN_OK, 0},
		{"3600", SN_OK, 3600},
		{"1h30m", SN_OK, 5400},
		{"1H30M", SN_OK, 5400},
		{"2W", SN_OK, 1209600},
		{"1w2d3h4m5s", SN_OK, 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5},
		{"1h1h", SN_OK, 7200}, /* BIND allows repeats */
		{"10s", SN_OK, 10},
		{"2147483647", SN_OK, 2147483647},
		{"2147483648", SN_ERANGE, 0},
		{"4294967295", SN_ERANGE, 0},
		{"99999999999", SN_ERANGE, 0},
		{"3550w", SN_OK, 3550u * 604800u},
		{"3551w", SN_ERANGE, 0}, /* 2147644800 */
		{"", SN_EPARSE, 0},
		{"h", SN_EPARSE, 0},
		{"1h30", SN_EPARSE, 0}, /* BIND refuses a bare number after a unit */
		{"1x", SN_EPARSE, 0},
		{"-1", SN_EPARSE, 0},
		{"1 h", SN_EPARSE, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v = 12345;
		int rc = zfile_parse_ttl(cases[i].s, strlen(cases[i].s), &v);
		if (rc != cases[i].rc || (rc == SN_OK && v != cases[i].v) ||
		    (rc != SN_OK && v != 12345)) {
			printf("\n  zfile_parse_ttl(\"%s\") = %d, %u", cases[i].s, rc, v);
		}
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		CU_ASSERT_EQUAL(v, rc == SN_OK ? cases[i].v : 12345u);
	}
}

static void
test_zfile_ttl_units_and_limits(void)
{
	coll_t c;
	coll_init(&c, "example.");
	int rc = parse(&c, "$TTL 1D\n" SOA_LINE
			   "a 1h30m A 192.0.2.1\n"
			   "b 2W A 192.0.2.2\n"
			   "c 3000000000 A 192.0.2.3\n" /* BIND: warning, TTL 0 */
			   "d 4294967296 A 192.0.2.4\n" /* does not fit: error */
			   "e 1h30 A 192.0.2.5\n"	/* bad */
			   "f A 192.0.2.6\n"
			   "$TTL 2147483648\n"		/* warning, 0 */
			   "g A 192.0.2.7\n"
			   "$TTL 1x\n");
	CU_ASSERT_EQUAL(rc, SN_EPARSE);
	CU_ASSERT_EQUAL(c.nrec, 6);
	CU_ASSERT(rr_is(&c, 1, "a.example.", RRTYPE_A, 5400, NULL));
	CU_ASSERT(rr_is(&c, 2, "b.example.", RRTYPE_A, 1209600, NULL));
	CU_ASSERT(rr_is(&c, 3, "c.example.", RRTYPE_A, 0, NULL));
	CU_ASSERT(rr_is(&c, 4, "f.example.", RRTYPE_A, 86400, NULL));
	CU_ASSERT(rr_is(&c, 5, "g.example.", RRTYPE_A, 0, NULL));
	CU_ASSERT(has_msg(&c, ZFILE_WARNING, 5, 3, "3000000000"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 6, 3, "does not fit"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 7, 3, "bad TTL '1h30'"));
	CU_ASSERT(has_msg(&c, ZFILE_WARNING, 9, 6, "2147483648"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 11, 6, "bad $TTL '1x'"));
	CU_ASSERT_EQUAL(c.st.errors, 3);
	CU_ASSERT_EQUAL(c.st.warnings, 2);
	coll_clear(&c);
}

static void
test_zfile_default_ttl_rules(void)
{
	coll_t c;
	rdbuf_t rd;

	/* No $TTL, SOA without TTL: its MINIMUM acts as $TTL (named-checkzone
	 * gives b 300, not the 60 of the record before it). */
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(parse(&c, "example. SOA ns1 host 1 2 3 4 300\n"
				  "\tNS ns1\n"
				  "ns1 60 A 192.0.2.1\n"
				  "b A 192.0.2.2\n"
				  "$TTL 100\n"
				  "c 50 A 192.0.2.3\n"
				  "d A 192.0.2.4\n"),
			SN_OK);
	CU_ASSERT_EQUAL(c.nrec, 6);
	CU_ASSERT(rr_is(&c, 0, "example.", RRTYPE_SOA, 300,
			rd_soa(&rd, "ns1.example.", "host.example.", 1, 2, 3, 4, 300)));
	CU_ASSERT(rr_is(&c, 1, "example.", RRTYPE_NS, 300, NULL));
	CU_ASSERT(rr_is(&c, 2, "ns1.example.", RRTYPE_A, 60, NULL));
	CU_ASSERT(rr_is(&c, 3, "b.example.", RRTYPE_A, 300, NULL));
	CU_ASSERT(rr_is(&c, 4, "c.example.", RRTYPE_A, 50, NULL));
	CU_ASSERT(rr_is(&c, 5, "d.example.", RRTYPE_A, 100, NULL));
	CU_ASSERT(has_msg(&c, ZFILE_WARNING, 1, 1, "SOA MINIMUM"));
	CU_ASSERT_EQUAL(c.st.warnings, 1);
	coll_clear(&c);

	/* No $TTL, explicit TTLs: RFC 1035, the last one carries over. */
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(parse(&c, "example. 3600 SOA ns1 host 1 2 3 4 300\n"
				  "\tNS ns1\n"
				  "ns1 A 192.0.2.1\n"
				  "b 60 A 192.0.2.2\n"
				  "c A 192.0.2.3\n"),
			SN_OK);
	CU_ASSERT(rr_is(&c, 1, "example.", RRTYPE_NS, 3600, NULL));
	CU_ASSERT(rr_is(&c, 2, "ns1.example.", RRTYPE_A, 3600, NULL));
	CU_ASSERT(rr_is(&c, 4, "c.example.", RRTYPE_A, 60, NULL));
	/* one warning, at the first record that relies on it (BIND's line 2) */
	CU_ASSERT(has_msg(&c, ZFILE_WARNING, 2, 2, "RFC 1035"));
	CU_ASSERT_EQUAL(c.st.warnings, 1);
	coll_clear(&c);

	/* Nothing at all before a record: opts.default_ttl, with a warning. */
	coll_init(&c, "example.");
	c.opts.default_ttl = 1234;
	CU_ASSERT_EQUAL(parse(&c, "a A 192.0.2.1\nb 5 A 192.0.2.2\nc A 192.0.2.3\n"), SN_OK);
	CU_ASSERT(rr_is(&c, 0, "a.example.", RRTYPE_A, 1234, NULL));
	CU_ASSERT(rr_is(&c, 2, "c.example.", RRTYPE_A, 5, NULL));
	CU_ASSERT(has_msg(&c, ZFILE_WARNING, 1, 1, "default TTL 1234"));
	coll_clear(&c);

	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(parse(&c, "a A 192.0.2.1\n"), SN_OK);
	CU_ASSERT(rr_is(&c, 0, "a.example.", RRTYPE_A, 3600, NULL));
	coll_clear(&c);
}

/* ---- class --------------------------------------------------------------- */

static void
test_zfile_class(void)
{
	coll_t c;
	coll_init(&c, "example.");
	int rc = parse(&c, "$TTL 300\n"
			   "a CH A 192.0.2.1\n"
			   "b 30 HS A 192.0.2.2\n"
			   "c IN A 192.0.2.3\n"
			   "d ANY A 192.0.2.4\n");
	CU_ASSERT_EQUAL(rc, SN_EPARSE);
	CU_ASSERT_EQUAL(c.nrec, 1);
	CU_ASSERT(rr_is(&c, 0, "c.example.", RRTYPE_A, 300, NULL));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 2, 3, "class CH does not match the zone class IN"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 3, 6, "class HS"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 5, 3, "class ANY"));
	coll_clear(&c);

	/* A CH zone takes CH records and refuses IN ones. */
	coll_init(&c, "example.");
	c.opts.rclass = RRCLASS_CH;
	rc = parse(&c, "$TTL 300\na CH TXT x\nb TXT y\nc IN TXT z\n");
	CU_ASSERT_EQUAL(rc, SN_EPARSE);
	CU_ASSERT_EQUAL(c.nrec, 2);
	CU_ASSERT(c.nrec == 2 && c.rec[0].rclass == RRCLASS_CH && c.rec[1].rclass == RRCLASS_CH);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 4, 3, "class IN does not match the zone class CH"));
	coll_clear(&c);
}

/* ---- errors ------------------------------------------------------------------ */

static void
test_zfile_errors_reported_and_parse_goes_on(void)
{
	coll_t c;
	coll_init(&c, "example.");
	int rc = parse(&c, "$TTL 300\n"
			   "a A 192.0.2.1\n"
			   "b A 192.0.2.300\n"	    /* 3: bad RDATA */
			   "c FOO 1\n"		    /* 4: unknown type */
			   "d..x A 192.0.2.1\n"	    /* 5: bad owner */
			   "  A 192.0.2.9\n"	    /* 6: skipped with its bad owner */
			   "$FOO bar\n"		    /* 7: unknown directive */
			   "e 1y A 192.0.2.1\n"	    /* 8: bad TTL */
			   "f MX 10\n"		    /* 9: RDATA runs out */
			   "g\n"		    /* 10: no type */
			   "h A 192.0.2.1 extra\n"  /* 11: too many fields */
			   "i ( A\n 192.0.2.x )\n"  /* 12-13: error on the second line */
			   "j A 192.0.2.10\n"	    /* 14: good */
			   "$ORIGIN\n"		    /* 15: missing name */
			   "\"q\" A 192.0.2.1\n"    /* 16: quoted owner */
			   "k \"A\" 192.0.2.1\n"   /* 17: quoted type */
			   "l234567890123456789012345678901234567890123456789012345678901234 A 1.2.3.4\n"
			   /* 19: 3 labels of 63, one of 59, and example.: 261 octets */
			   "m23456789012345678901234567890123456789012345678901234567890123."
			   "m23456789012345678901234567890123456789012345678901234567890123."
			   "m23456789012345678901234567890123456789012345678901234567890123."
			   "m2345678901234567890123456789012345678901234567890123456789 A 1.2.3.4\n");
	CU_ASSERT_EQUAL(rc, SN_EPARSE);
	CU_ASSERT_EQUAL(c.nrec, 2);
	CU_ASSERT(rr_is(&c, 0, "a.example.", RRTYPE_A, 300, NULL));
	CU_ASSERT(rr_is(&c, 1, "j.example.", RRTYPE_A, 300, NULL));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 3, 5, "bad A record: "));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 4, 3, "unknown RR type 'FOO'"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 5, 1, "bad owner name 'd..x'"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 7, 1, "unknown directive '$FOO'"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 8, 3, "bad TTL '1y'"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 9, 8, "bad MX record: "));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 10, 2, "missing RR type"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 11, 15, "bad A record: "));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 13, 2, "bad A record: "));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 15, 8, "$ORIGIN needs a name"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 16, 1, "bad owner name"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 17, 3, "unknown RR type"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 18, 1, "label over 63 octets"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 19, 1, "name over 255 octets"));
	CU_ASSERT_EQUAL(c.st.errors, 14);
	CU_ASSERT_EQUAL(count_sev(&c, ZFILE_ERROR), 14);
	if (c.st.errors != 14) {
		dump(&c);
	}
	for (size_t i = 0; i < c.nmsg; i++) {
		CU_ASSERT_STRING_EQUAL(c.msg[i].file, "t.zone");
	}
	coll_clear(&c);
}

static void
test_zfile_unterminated(void)
{
	coll_t c;

	/* A quote ends on its line (BIND); the error points at the quote, and
	 * the next line is parsed. */
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(parse(&c, "$TTL 300\na TXT \"open\nb A 192.0.2.1\n"), SN_EPARSE);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 2, 7, "unterminated quoted string"));
	CU_ASSERT(rr_is(&c, 0, "b.example.", RRTYPE_A, 300, NULL));
	CU_ASSERT_EQUAL(c.nrec, 1);
	coll_clear(&c);

	/* at the end of the file */
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(parse(&c, "$TTL 300\nb A 192.0.2.1\na TXT x \"open"), SN_EPARSE);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 3, 9, "unterminated quoted string"));
	CU_ASSERT_EQUAL(c.nrec, 1);
	coll_clear(&c);

	/* An open parenthesis swallows the rest of the file; the error points
	 * where it opened. */
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(parse(&c, "$TTL 300\nb A 192.0.2.1\n  c SOA ( ns host 1 2 3 4 5\n"
				  "d A 192.0.2.2\n; the end\n"),
			SN_EPARSE);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 3, 9, "unterminated '('"));
	CU_ASSERT_EQUAL(c.nrec, 1);
	CU_ASSERT_EQUAL(c.st.errors, 1);
	coll_clear(&c);

	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(parse(&c, "$TTL 300\nb A 192.0.2.1 )\nc A 192.0.2.2\n"), SN_EPARSE);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 2, 15, "')' without '('"));
	CU_ASSERT(rr_is(&c, 0, "c.example.", RRTYPE_A, 300, NULL));
	CU_ASSERT_EQUAL(c.nrec, 1);
	coll_clear(&c);

	/* no previous owner */
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(parse(&c, "$TTL 300\n  A 192.0.2.1\n"), SN_EPARSE);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 2, 3, "no owner name"));
	coll_clear(&c);
}

static void
test_zfile_max_errors(void)
{
	coll_t c;
	char text[4096];
	size_t n = 0;
	for (int i = 0; i < 50; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "x%d BAD 1\n", i);
	}
	coll_init(&c, "example.");
	c.opts.max_errors = 5;
	CU_ASSERT_EQUAL(parse(&c, text), SN_EPARSE);
	CU_ASSERT_EQUAL(c.st.errors, 5);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 5, 4, "unknown RR type"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 5, 4, "too many errors"));
	CU_ASSERT_EQUAL(c.nmsg, 6);
	coll_clear(&c);

	/* 0 means 100 */
	n = 0;
	for (int i = 0; i < 150; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%d\n", i);
	}
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(parse(&c, text), SN_EPARSE);
	CU_ASSERT_EQUAL(c.st.errors, 100);
	coll_clear(&c);
}

static void
test_zfile_callback_stops(void)
{
	coll_t c;
	coll_init(&c, "example.");
	c.stop_after = 2;
	CU_ASSERT_EQUAL(parse(&c, "$TTL 1\na A 192.0.2.1\nb A 192.0.2.1\nc A 192.0.2.1\n"),
			SN_ERANGE);
	CU_ASSERT_EQUAL(c.nrec, 2);
	coll_clear(&c);
}

static void
test_zfile_bad_input_bytes(void)
{
	coll_t c;
	static const char text[] = "$TTL 300\na\0b A 192.0.2.1\nc A 192.0.2.2\n\0\0\n\"\0\n";
	coll_init(&c, "example.");
	/* a NUL byte is an ordinary octet of a token: a\000b is a valid label */
	int rc = zfile_parse_mem("t.zone", text, sizeof(text) - 1, &c.opts, &c.st);
	CU_ASSERT_EQUAL(rc, SN_EPARSE);
	CU_ASSERT(c.nrec == 2 && c.rec[0].owner[0] == 3 && c.rec[0].owner[2] == 0);
	CU_ASSERT(rr_is(&c, 1, "c.example.", RRTYPE_A, 300, NULL));
	coll_clear(&c);

	/* an empty text is a valid, empty zone */
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(zfile_parse_mem("t.zone", "", 0, &c.opts, &c.st), SN_OK);
	CU_ASSERT_EQUAL(c.nrec, 0);
	CU_ASSERT_EQUAL(c.st.lines, 0);
	c.opts.origin = NULL;
	CU_ASSERT_EQUAL(zfile_parse_mem("t.zone", "", 0, &c.opts, &c.st), SN_EINVAL);
	coll_clear(&c);
}

/* With no on_msg, messages go to stderr as "file:line:col: error: msg". */
static void
test_zfile_default_messages(void)
{
	coll_t c;
	char path[512], out[1024];
	snprintf(path, sizeof(path), "%s/stderr.txt", tmpdir);
	coll_init(&c, "example.");
	c.opts.on_msg = NULL;
	fflush(stderr);
	int saved = dup(2);
	FILE *f = fopen(path, "w+");
	CU_ASSERT_FATAL(saved >= 0 && f != NULL);
	dup2(fileno(f), 2);
	int rc = parse(&c, "a A 192.0.2.1\nb FOO 1\n");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	unlink(path);
	CU_ASSERT_EQUAL(rc, SN_EPARSE);
	CU_ASSERT_STRING_EQUAL(out, "t.zone:1:1: warning: no TTL specified and no $TTL: using the "
				    "default TTL 3600\n"
				    "t.zone:2:3: error: unknown RR type 'FOO'\n");
	CU_ASSERT_EQUAL(c.nrec, 1);
	coll_clear(&c);
}

/* ---- $GENERATE ------------------------------------------------------------- */

static void
test_zfile_generate(void)
{
	coll_t c;
	rdbuf_t rd;
	coll_init(&c, "example.");
	/* expected names and RDATA: named-checkzone -D on the same text */
	int rc = parse(&c, "$TTL 300\n"
			   "$GENERATE 1-3 h$ A 10.0.0.$\n"
			   "$GENERATE 8-12/2 x${0,3,d} 60 IN A 10.0.1.$\n"
			   "$GENERATE 10-11 y${1,4,x}.${-2,0,X}.${0,0,o} IN 70 TXT "
			   "\"v$ \\$ $$ ${0,6,n} b${0,3,N}\"\n"
			   "$GENERATE 250-251 ${0,8,n}z MX \"10 mx$\"\n"
			   "$GENERATE 0-1 w${0,1,n}${0,2,n}${0,0,n}q TXT \"z\"\n"
			   "$GENERATE 4096-4096 ${0,0,n}k${0,3,n}k${0,7,n}k${0,8,n}k TXT z\n"
			   "$GENERATE 5-5 ${+3}.${-5}.${-7} PTR host$.example.net.\n"
			   "$generate 1-1 @ TXT $\n"
			   "$GENERATE 0-0 ${0,2}\\$ TXT a\n");
	CU_ASSERT_EQUAL(rc, SN_OK);
	CU_ASSERT_EQUAL(c.nrec, 16);
	CU_ASSERT(rr_is(&c, 0, "h1.example.", RRTYPE_A, 300, rd_a(&rd, "10.0.0.1")));
	CU_ASSERT(rr_is(&c, 1, "h2.example.", RRTYPE_A, 300, rd_a(&rd, "10.0.0.2")));
	CU_ASSERT(rr_is(&c, 2, "h3.example.", RRTYPE_A, 300, rd_a(&rd, "10.0.0.3")));
	CU_ASSERT(rr_is(&c, 3, "x008.example.", RRTYPE_A, 60, rd_a(&rd, "10.0.1.8")));
	CU_ASSERT(rr_is(&c, 4, "x010.example.", RRTYPE_A, 60, rd_a(&rd, "10.0.1.10")));
	CU_ASSERT(rr_is(&c, 5, "x012.example.", RRTYPE_A, 60, rd_a(&rd, "10.0.1.12")));
	CU_ASSERT(rr_is(&c, 6, "y000b.8.12.example.", RRTYPE_TXT, 70,
			rd_txt(&rd, "v10", "$", "$", "a.0.0.", "bA.0", NULL)));
	CU_ASSERT(rr_is(&c, 7, "y000c.9.13.example.", RRTYPE_TXT, 70,
			rd_txt(&rd, "v11", "$", "$", "b.0.0.", "bB.0", NULL)));
	CU_ASSERT(rr_is(&c, 8, "a.f.0.0.z.example.", RRTYPE_MX, 300,
			rd_mx(&rd, 10, "mx250.example.")));
	CU_ASSERT(rr_is(&c, 9, "b.f.0.0.z.example.", RRTYPE_MX, 300,
			rd_mx(&rd, 10, "mx251.example.")));
	CU_ASSERT(rr_is(&c, 10, "w00.0q.example.", RRTYPE_TXT, 300, rd_txt(&rd, "z", NULL)));
	CU_ASSERT(rr_is(&c, 11, "w11.1q.example.", RRTYPE_TXT, 300, rd_txt(&rd, "z", NULL)));
	CU_ASSERT(rr_is(&c, 12, "0.0.0.1k0.0.0.1k0.0.0.1k0.0.0.1.k.example.", RRTYPE_TXT, 300,
			NULL));
	CU_ASSERT(rr_is(&c, 13, "8.0.\\-2.example.", RRTYPE_PTR, 300,
			rd_n(&rd, "host5.example.net.")));
	CU_ASSERT(rr_is(&c, 14, "example.", RRTYPE_TXT, 300, rd_txt(&rd, "1", NULL)));
	CU_ASSERT(rr_is(&c, 15, "00\\$.example.", RRTYPE_TXT, 300, NULL));
	/* generated records point at the directive */
	CU_ASSERT(c.nrec == 16 && c.rec[4].line == 3 && c.rec[4].col == 1);
	if (rc != SN_OK) {
		dump(&c);
	}
	coll_clear(&c);
}

static void
test_zfile_generate_errors(void)
{
	coll_t c;
	coll_init(&c, "example.");
	int rc = parse(&c, "$TTL 300\n"
			   "$GENERATE 5-1 a$ A 10.0.0.$\n"	       /* 2: stop < start */
			   "$GENERATE 1-2/0 a$ A 10.0.0.$\n"	       /* 3: step 0 */
			   "$GENERATE 0-20000000 a$ A 10.0.0.1\n"      /* 4: too many */
			   "$GENERATE 1-2 a${0,x} A 10.0.0.$\n"	       /* 5: bad modifier */
			   "$GENERATE 1-2 a${0,1,q} A 10.0.0.$\n"      /* 6: bad base */
			   "$GENERATE 250-260 a$ A 10.0.0.$\n"	       /* 7: 256 is bad */
			   "$GENERATE 1-2 a$ A 10.0.0.$ extra\n"       /* 8: extra field */
			   "$GENERATE 1-2 a$ A\n"		       /* 9: no RDATA */
			   "$GENERATE 1-2 a$ CH A 10.0.0.$\n"	       /* 10: class */
			   "$GENERATE 1-2 a${-5,0,x} A 10.0.0.1\n"     /* 11: negative hex */
			   "$GENERATE 1-1 a$ TXT \"$\n"		       /* 12: unterminated */
			   "b A 10.0.0.1\n");
	CU_ASSERT_EQUAL(rc, SN_EPARSE);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 2, 11, "bad $GENERATE range"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 3, 11, "bad $GENERATE range"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 4, 11, "over 16777216 records"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 5, 15, "modifier"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 6, 15, "bad base"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 7, 24, "$GENERATE: bad A record: "));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 8, 29, "one field"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 9, 19, "needs a range, an owner, a type and RDATA"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 10, 18, "class CH"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 11, 15, "negative"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 12, 22, "unterminated quoted string"));
	CU_ASSERT_EQUAL(c.st.errors, 11);
	/* 250..255 were made before 256 failed; then only b */
	CU_ASSERT_EQUAL(c.nrec, 7);
	CU_ASSERT(rr_is(&c, 6, "b.example.", RRTYPE_A, 300, NULL));
	coll_clear(&c);
}

/* ---- files: $INCLUDE and the read buffer ---------------------------------- */

static void
write_file(const char *rel, const char *text, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	FILE *f = fopen(path, "wb");
	if (f == NULL) {
		abort();
	}
	if (fwrite(text, 1, len, f) != len) {
		abort();
	}
	fclose(f);
}

static void
write_text(const char *rel, const char *text)
{
	write_file(rel, text, strlen(text));
}

static int
suite_init(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/signet-zfile-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		return -1;
	}
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	return mkdir(sub, 0700) == 0 ? 0 : -1;
}

static int
suite_clean(void)
{
	static const char *files[] = {"main.zone", "sub/inc.zone", "sub/deep.zone", "loop.zone",
				      "big.zone", "crlf.zone", "noinc.zone"};
	char path[512];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
	return 0;
}

static int
parse_path(coll_t *c, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	return zfile_parse(path, &c->opts, &c->st);
}

static void
test_zfile_include(void)
{
	coll_t c;
	rdbuf_t rd;
	char path[512];

	write_text("main.zone", "$TTL 300\n"
				SOA_LINE
				"a A 192.0.2.1\n"
				"$INCLUDE sub/inc.zone in\n"
				"  A 192.0.2.2\n" /* owner a again */
				"b A 192.0.2.3\n" /* $TTL 300, origin example. again */
				"$INCLUDE \"sub/inc.zone\" ; no origin: ours\n");
	/* relative to the including file's directory: sub/deep.zone */
	write_text("sub/inc.zone", "\tA 192.0.2.10\n" /* the includer's owner */
				   "x A 192.0.2.11\n"
				   "$TTL 60\n"
				   "$ORIGIN changed.test.\n"
				   "y A 192.0.2.12\n"
				   "$INCLUDE deep.zone\n"
				   "z A 192.0.2.13\n");
	write_text("sub/deep.zone", "d MX 1 @\n");

	coll_init(&c, "example.");
	int rc = parse_path(&c, "main.zone");
	CU_ASSERT_EQUAL(rc, SN_OK);
	CU_ASSERT_EQUAL(c.nrec, 14);
	CU_ASSERT(rr_is(&c, 1, "a.example.", RRTYPE_A, 300, NULL));
	CU_ASSERT(rr_is(&c, 2, "a.example.", RRTYPE_A, 300, rd_a(&rd, "192.0.2.10")));
	CU_ASSERT(rr_is(&c, 3, "x.in.example.", RRTYPE_A, 300, NULL));
	CU_ASSERT(rr_is(&c, 4, "y.changed.test.", RRTYPE_A, 60, NULL));
	CU_ASSERT(rr_is(&c, 5, "d.changed.test.", RRTYPE_MX, 60, rd_mx(&rd, 1, "changed.test.")));
	CU_ASSERT(rr_is(&c, 6, "z.changed.test.", RRTYPE_A, 60, NULL));
	CU_ASSERT(rr_is(&c, 7, "a.example.", RRTYPE_A, 300, rd_a(&rd, "192.0.2.2")));
	CU_ASSERT(rr_is(&c, 8, "b.example.", RRTYPE_A, 300, NULL));
	CU_ASSERT(rr_is(&c, 9, "b.example.", RRTYPE_A, 300, rd_a(&rd, "192.0.2.10")));
	CU_ASSERT(rr_is(&c, 10, "x.example.", RRTYPE_A, 300, NULL));
	/* each record names its own file and line */
	snprintf(path, sizeof(path), "%s/sub/deep.zone", tmpdir);
	CU_ASSERT(c.nrec == 14 && strcmp(c.rec[5].file, path) == 0 && c.rec[5].line == 1);
	snprintf(path, sizeof(path), "%s/main.zone", tmpdir);
	CU_ASSERT(c.nrec == 14 && strcmp(c.rec[8].file, path) == 0 && c.rec[8].line == 6);
	CU_ASSERT_EQUAL(c.st.lines, 7 + 7 + 1 + 7 + 1);
	if (rc != SN_OK) {
		dump(&c);
	}
	coll_clear(&c);
}

static void
test_zfile_include_errors(void)
{
	coll_t c;
	char path[512];

	/* A file including itself: stopped by the depth limit, reported once
	 * at the innermost $INCLUDE; the records around it still come. */
	write_text("loop.zone", "$TTL 1\na A 192.0.2.1\n$INCLUDE loop.zone\n");
	coll_init(&c, "example.");
	c.opts.max_include_depth = 4;
	CU_ASSERT_EQUAL(parse_path(&c, "loop.zone"), SN_EPARSE);
	CU_ASSERT_EQUAL(c.nrec, 5);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 3, 1, "nested too deeply"));
	CU_ASSERT_EQUAL(c.st.errors, 1);
	coll_clear(&c);

	write_text("noinc.zone", "$TTL 1\n$INCLUDE missing.zone\n$INCLUDE\nb A 192.0.2.1\n"
				 "$INCLUDE a b c\n");
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(parse_path(&c, "noinc.zone"), SN_EPARSE);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 2, 10, "cannot open $INCLUDE file"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 3, 9, "needs a file name"));
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 5, 14, "optional origin"));
	CU_ASSERT_EQUAL(c.nrec, 1);
	snprintf(path, sizeof(path), "%s/noinc.zone", tmpdir);
	CU_ASSERT(c.nmsg > 0 && strcmp(c.msg[0].file, path) == 0);
	coll_clear(&c);

	/* allow_include off (untrusted text) */
	coll_init(&c, "example.");
	c.opts.allow_include = false;
	CU_ASSERT_EQUAL(parse(&c, "$TTL 1\n$INCLUDE /etc/passwd\nb A 192.0.2.1\n"), SN_EPARSE);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 2, 1, "not allowed"));
	CU_ASSERT_EQUAL(c.nrec, 1);
	coll_clear(&c);

	/* a file that cannot be opened */
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(parse_path(&c, "does-not-exist.zone"), SN_EIO);
	CU_ASSERT_EQUAL(c.nmsg, 1);
	CU_ASSERT_EQUAL(c.st.errors, 1);
	coll_clear(&c);
}

/* The pieces written around the 256 KiB refill boundary: every kind of
 * token, and what each gives. */
#define WIN_TEXT                                                                  \
	"w%d IN TXT \"a\\\"b;c(d\" plain\\ esc ( \"multi\" ; comment (\n"         \
	"   \"line\" ) ; more\n"                                                      \
	"v%d 3600 A 192.0.2.7\n"                                                      \
	"\\065\\\\x%d TXT \"\\255\"\n"

static void
check_window(const coll_t *c, size_t first, int k, bool *ok)
{
	rdbuf_t rd;
	char owner[64];
	snprintf(owner, sizeof(owner), "w%d.example.", k);
	*ok &= rr_is(c, first, owner, RRTYPE_TXT, 300,
		     rd_txt(&rd, "a\"b;c(d", "plain esc", "multi", "line", NULL));
	snprintf(owner, sizeof(owner), "v%d.example.", k);
	*ok &= rr_is(c, first + 1, owner, RRTYPE_A, 3600, rd_a(&rd, "192.0.2.7"));
	snprintf(owner, sizeof(owner), "A\\\\x%d.example.", k);
	*ok &= rr_is(c, first + 2, owner, RRTYPE_TXT, 300, rd_txt(&rd, "\xff", NULL));
}

/* Writes a file of `pad` comment bytes, filler up to near the 256 KiB
 * boundary, then windows, then a long TXT across the next boundary. */
static void
test_zfile_buffer_boundary(void)
{
	const size_t bufsize = 256 * 1024;
	size_t cap = 3 * bufsize;
	char *text = malloc(cap);
	char *big = malloc(60000);
	bool ok = true;
	if (text == NULL || big == NULL) {
		abort();
	}
	/* a TXT of 200 strings of 255 octets: 51200 octets of RDATA */
	size_t bn = 0;
	for (int i = 0; i < 200; i++) {
		big[bn++] = '"';
		for (int j = 0; j < 255; j++) {
			big[bn++] = (char)('a' + (i + j) % 26);
		}
		big[bn++] = '"';
		big[bn++] = (i % 10 == 9) ? '\n' : ' ';
	}
	big[bn] = '\0';

	for (int pad = 0; pad < 140 && ok; pad++) {
		size_t n = 0;
		int fill = 0;
		n += (size_t)snprintf(text + n, cap - n, "$TTL 300\n;%*s\n", pad, "");
		while (n < bufsize - 200) {
			n += (size_t)snprintf(text + n, cap - n, "f%d A 192.0.2.1\n", fill++);
		}
		for (int k = 0; k < 3; k++) {
			n += (size_t)snprintf(text + n, cap - n, WIN_TEXT, k, k, k);
		}
		while (n < 2 * bufsize - 30000) {
			n += (size_t)snprintf(text + n, cap - n, "f%d A 192.0.2.1\n", fill++);
		}
		n += (size_t)snprintf(text + n, cap - n, "big TXT (\n%s)\nlast A 192.0.2.9\n", big);
		write_file("big.zone", text, n);

		coll_t c;
		coll_init(&c, "example.");
		int rc = parse_path(&c, "big.zone");
		ok &= rc == SN_OK;
		size_t first = (size_t)fill;
		/* the windows sit after the first block of filler */
		size_t w = 0;
		while (w < c.nrec && c.rec[w].owner[1] == 'f') {
			w++;
		}
		for (int k = 0; k < 3; k++) {
			check_window(&c, w + 3 * (size_t)k, k, &ok);
		}
		ok &= c.nrec == first + 9 + 2;
		if (c.nrec == first + 11) {
			const trec_t *r = &c.rec[first + 9];
			rdbuf_t rd;
			rd.n = 0;
			for (int i = 0; i < 200; i++) {
				rd_str(&rd, big + (size_t)i * 258 + 1, 255);
			}
			ok &= r->rdlen == rd.n && memcmp(r->rdata, rd.b, rd.n) == 0;
			ok &= r->line > 1 && c.rec[first + 10].ttl == 300;
		}
		if (!ok) {
			printf("\n  failed with pad %d", pad);
			dump(&c);
		}
		CU_ASSERT_EQUAL(c.st.lines, (uint64_t)(fill + 2 + 12 + 1 + 20 + 1 + 1));
		coll_clear(&c);
	}
	CU_ASSERT(ok);
	free(text);
	free(big);
}

static void
test_zfile_record_too_long(void)
{
	size_t cap = 1300 * 1024;
	char *text = malloc(cap);
	if (text == NULL) {
		abort();
	}
	size_t n = (size_t)snprintf(text, cap, "$TTL 300\na A 192.0.2.1\nb TXT (\n");
	while (n < 1200 * 1024) {
		memcpy(text + n, "\"0123456789abcdef\"\n", 19);
		n += 19;
	}
	n += (size_t)snprintf(text + n, cap - n, ")\nc A 192.0.2.3\n");
	coll_t c;
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(zfile_parse_mem("t.zone", text, n, &c.opts, &c.st), SN_EPARSE);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 3, 1, "record too long"));
	CU_ASSERT_EQUAL(c.st.errors, 1);
	CU_ASSERT_EQUAL(c.nrec, 2);
	CU_ASSERT(rr_is(&c, 1, "c.example.", RRTYPE_A, 300, NULL));
	coll_clear(&c);

	/* one token of 1.2 MiB without a blank */
	n = (size_t)snprintf(text, cap, "$TTL 300\nb TXT ");
	memset(text + n, 'x', 1200 * 1024);
	n += 1200 * 1024;
	n += (size_t)snprintf(text + n, cap - n, "\nc A 192.0.2.3\n");
	coll_init(&c, "example.");
	CU_ASSERT_EQUAL(zfile_parse_mem("t.zone", text, n, &c.opts, &c.st), SN_EPARSE);
	CU_ASSERT(has_msg(&c, ZFILE_ERROR, 2, 1, "record too long"));
	CU_ASSERT_EQUAL(c.nrec, 1);
	coll_clear(&c);
	free(text);
}

int
test_zfile_register(void)
{
	CU_pSuite s = CU_add_suite("zfile", suite_init, suite_clean);
	if (s == NULL) {
		return CU_get_error();
	}
	if (CU_add_test(s, "test_zfile_basic", test_zfile_basic) == NULL ||
	    CU_add_test(s, "test_zfile_omitted_fields", test_zfile_omitted_fields) == NULL ||
	    CU_add_test(s, "test_zfile_parentheses_comments", test_zfile_parentheses_comments) ==
		    NULL ||
	    CU_add_test(s, "test_zfile_quoted_strings", test_zfile_quoted_strings) == NULL ||
	    CU_add_test(s, "test_zfile_origin", test_zfile_origin) == NULL ||
	    CU_add_test(s, "test_zfile_crlf", test_zfile_crlf) == NULL ||
	    CU_add_test(s, "test_zfile_parse_ttl", test_zfile_parse_ttl) == NULL ||
	    CU_add_test(s, "test_zfile_ttl_units_and_limits", test_zfile_ttl_units_and_limits) ==
		    NULL ||
	    CU_add_test(s, "test_zfile_default_ttl_rules", test_zfile_default_ttl_rules) == NULL ||
	    CU_add_test(s, "test_zfile_class", test_zfile_class) == NULL ||
	    CU_add_test(s, "test_zfile_errors_reported_and_parse_goes_on",
			test_zfile_errors_reported_and_parse_goes_on) == NULL ||
	    CU_add_test(s, "test_zfile_unterminated", test_zfile_unterminated) == NULL ||
	    CU_add_test(s, "test_zfile_max_errors", test_zfile_max_errors) == NULL ||
	    CU_add_test(s, "test_zfile_callback_stops", test_zfile_callback_stops) == NULL ||
	    CU_add_test(s, "test_zfile_bad_input_bytes", test_zfile_bad_input_bytes) == NULL ||
	    CU_add_test(s, "test_zfile_default_messages", test_zfile_default_messages) == NULL ||
	    CU_add_test(s, "test_zfile_generate", test_zfile_generate) == NULL ||
	    CU_add_test(s, "test_zfile_generate_errors", test_zfile_generate_errors) == NULL ||
	    CU_add_test(s, "test_zfile_include", test_zfile_include) == NULL ||
	    CU_add_test(s, "test_zfile_include_errors", test_zfile_include_errors) == NULL ||
	    CU_add_test(s, "test_zfile_buffer_boundary", test_zfile_buffer_boundary) == NULL ||
	    CU_add_test(s, "test_zfile_record_too_long", test_zfile_record_too_long) == NULL) {
		return CU_get_error();
	}
	return CUE_SUCCESS;
}
