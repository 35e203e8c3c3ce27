/* SPDX-License-Identifier: MIT
 * fuzz_rdata.c - libFuzzer target for zone/rdata: wire and text round trips.
 *
 * Input: a 2-octet RR type (network order) followed by a body. The body is
 * used twice:
 *   1. as wire RDATA: rdata_check, rdata_unpack (the input is the message),
 *      and for RDATA that passes the check, rdata_to_text and back through
 *      rdata_from_text, which must give the same octets;
 *   2. as presentation text: rdata_from_text, and when it succeeds the
 *      result must pass rdata_check and survive the same text round trip.
 * Any broken invariant calls abort(), so the fuzzer reports it.
 */
#include "zone/dname.h"
#include "zone/rdata.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXTOK 70000

static rdata_tok_t toks[MAXTOK];
static uint8_t wire1[RDATA_MAXLEN + 1024];
static uint8_t wire2[RDATA_MAXLEN + 1024];
/* \DDD for every octet of a 65535-octet TXT, plus quotes and spaces. */
static char text[RDATA_MAXLEN * 5 + 1024];
static char input_text[RDATA_MAXLEN * 5 + 1024];
static const uint8_t origin[] = "\007example\003com";

static void
die(const char *what, uint16_t type, const char *detail)
{
	fprintf(stderr, "fuzz_rdata: type %u: %s%s%s\n", type, what, detail ? ": " : "",
	        detail ? detail : "");
	abort();
}

/* Splits presentation text the way a zone-file lexer would: on blanks, a
 * token opening with '"' is quoted (quotes removed, RDATA_TOK_QUOTED set),
 * a backslash protects the next character, and a '"' inside a token (as in
 * SvcParam key="a b") keeps blanks until the closing quote. Returns the
 * token count, or -1 for an unterminated quote. */
static long
tokenize(const char *s, size_t len)
{
	size_t n = 0, i = 0;
	while (i < len) {
		while (i < len && (s[i] == ' ' || s[i] == '\t')) {
			i++;
		}
		if (i >= len) {
			break;
		}
		if (n >= MAXTOK) {
			return -1;
		}
		rdata_tok_t *t = &toks[n++];
		memset(t, 0, sizeof(*t));
		t->col = (uint32_t)i + 1;
		t->line = 1;
		if (s[i] == '"') {
			size_t start = ++i;
			while (i < len && s[i] != '"') {
				i += (s[i] == '\\' && i + 1 < len) ? 2 : 1;
			}
			if (i >= len) {
				return -1;
			}
			t->s = s + start;
			t->len = (uint32_t)(i - start);
			t->flags = RDATA_TOK_QUOTED;
			i++;
			continue;
		}
		size_t start = i;
		bool quoted = false;
		while (i < len && (quoted || (s[i] != ' ' && s[i] != '\t'))) {
			if (s[i] == '\\' && i + 1 < len) {
				i += 2;
				continue;
			}
			if (s[i] == '"') {
				quoted = !quoted;
			}
			i++;
		}
		if (quoted) {
			return -1;
		}
		t->s = s + start;
		t->len = (uint32_t)(i - start);
	}
	return (long)n;
}

/* wire -> text -> wire must give `rd` back. */
static void
text_roundtrip(uint16_t type, const uint8_t *rd, size_t len)
{
	int tl = rdata_to_text(type, rd, len, text, sizeof(text));
	if (tl < 0) {
		die("rdata_to_text failed on checked RDATA", type, NULL);
	}
	if ((size_t)tl != strlen(text)) {
		die("rdata_to_text length differs from the string", type, text);
	}
	long n = tokenize(text, (size_t)tl);
	if (n < 0) {
		die("printed text does not tokenize", type, text);
	}
	wire_out_t w;
	size_t et;
	const char *em;
	wire_out_init(&w, wire2, RDATA_MAXLEN);
	if (rdata_from_text(type, toks, (size_t)n, origin, &w, &et, &em) != SN_OK) {
		fprintf(stderr, "reparse error at token %zu: %s\n", et, em);
		die("printed text does not parse", type, text);
	}
	if ((size_t)(w.pos - wire2) != len || (len > 0 && memcmp(wire2, rd, len) != 0)) {
		die("text round trip changed the RDATA", type, text);
	}

	/* the RFC 3597 form of the same RDATA reads back the same too */
	char *g = text;
	g += sprintf(g, "\\# %zu ", len);
	for (size_t i = 0; i < len; i++) {
		g += sprintf(g, "%02x", rd[i]);
	}
	n = tokenize(text, (size_t)(g - text));
	wire_out_init(&w, wire2, RDATA_MAXLEN);
	if (n < 0 || rdata_from_text(type, toks, (size_t)n, origin, &w, &et, &em) != SN_OK ||
	    (size_t)(w.pos - wire2) != len || (len > 0 && memcmp(wire2, rd, len) != 0)) {
		die("generic form round trip failed", type, NULL);
	}
}

/* Offsets must point at names; canonical form must keep the RDATA valid. */
static void
names_and_canonical(uint16_t type, const uint8_t *rd, size_t len)
{
	uint16_t offs[16];
	size_t n = rdata_name_offsets(type, rd, len, offs, 16);
	for (size_t i = 0; i < n; i++) {
		size_t nl;
		if (offs[i] >= len || dname_check(rd + offs[i], len - offs[i], &nl) != SN_OK) {
			die("name offset does not point at a name", type, NULL);
		}
	}
	memcpy(wire2, rd, len);
	rdata_to_canonical(type, wire2, len);
	if (rdata_check(type, wire2, len) != SN_OK) {
		die("canonical form fails the check", type, NULL);
	}
}

static void
wire_mode(uint16_t type, const uint8_t *data, size_t size)
{
	const uint8_t *rd = data + 2;
	size_t len = size - 2;
	if (len > RDATA_MAXLEN) {
		return;
	}
	int ok = rdata_check(type, rd, len) == SN_OK;

	/* the whole input as a message, the RDATA at offset 2 */
	size_t ul;
	int urc = rdata_unpack(type, data, size, 2, len, wire1, sizeof(wire1), &ul);
	if (urc == SN_OK && rdata_check(type, wire1, ul) != SN_OK) {
		die("rdata_unpack output fails the check", type, NULL);
	}
	if (ok && (urc != SN_OK || ul != len || (len > 0 && memcmp(wire1, rd, len) != 0))) {
		die("rdata_unpack changed checked RDATA", type, NULL);
	}
	if (!ok) {
		if (rdata_to_text(type, rd, len, text, sizeof(text)) != SN_EPARSE) {
			die("rdata_to_text accepted RDATA that fails the check", type, NULL);
		}
		return;
	}
	memcpy(wire1, rd, len);
	text_roundtrip(type, wire1, len);
	names_and_canonical(type, wire1, len);
}

static void
text_mode(uint16_t type, const uint8_t *data, size_t size)
{
	size_t len = size - 2;
	if (len >= sizeof(input_text)) {
		return;
	}
	memcpy(input_text, data + 2, len);
	for (size_t i = 0; i < len; i++) {
		if (input_text[i] == '\n' || input_text[i] == '\0') {
			input_text[i] = ' ';
		}
	}
	long n = tokenize(input_text, len);
	if (n < 0) {
		return;
	}
	wire_out_t w;
	size_t et;
	const char *em;
	wire_out_init(&w, wire1, RDATA_MAXLEN);
	int rc = rdata_from_text(type, toks, (size_t)n, origin, &w, &et, &em);
	if (rc != SN_OK) {
		if (em == NULL || (n > 0 && et > (size_t)n)) {
			die("error without a message or with a bad token index", type, NULL);
		}
		return;
	}
	size_t wl = (size_t)(w.pos - wire1);
	if (rdata_check(type, wire1, wl) != SN_OK) {
		die("rdata_from_text output fails the check", type, input_text);
	}
	text_roundtrip(type, wire1, wl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2) {
		return 0;
	}
	uint16_t type = (uint16_t)(data[0] << 8 | data[1]);
	wire_mode(type, data, size);
	text_mode(type, data, size);
	return 0;
}
