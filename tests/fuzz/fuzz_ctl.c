/* SPDX-License-Identifier: MIT
 * fuzz_ctl.c - libFuzzer target for the control channel's JSON and requests.
 *
 * The input is one request line as a client would send it. It goes through
 * ctl_req_parse (what the daemon does with it) and through the JSON reader
 * alone; whatever is accepted must hold together:
 *   - a request has a known command, a zone only where the command takes
 *     one (absolute, lower case, and read back the same by the name parser),
 *     and string arguments only;
 *   - a document printed back (compact and indented) reads back, and prints
 *     the second time exactly as the first;
 *   - every string of the document, written by the response builder, reads
 *     back to the same octets.
 * Anything else aborts, so the fuzzer finds wrong output as well as crashes.
 */
#include "server/ctl.h"
#include "zone/dname.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ctl: %s\n", what);
		abort();
	}
}

static char *
print(const ctl_json_t *v, unsigned indent, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	check(f != NULL, "open_memstream");
	check(ctl_json_write(f, v, indent) == SN_OK, "ctl_json_write failed");
	check(fclose(f) == 0, "fclose");
	return out;
}

static void
check_request(const char *text, size_t len)
{
	static const char *const cmds[] = {"status",      "stop",        "reload",
	                                   "zone-status", "zone-reload", "zone-flush",
	                                   "zone-add",    "zone-remove", "stats"};
	char err[CTL_ERRLEN];
	ctl_req_t *req = NULL;

	int rc = ctl_req_parse(text, len, &req, err);
	if (rc != SN_OK) {
		check(req == NULL, "out-param written on failure");
		check(err[0] != 0, "a refusal without a message");
		check(memchr(err, 0, CTL_ERRLEN) != NULL, "message not terminated");
		return;
	}
	bool known = false;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		known = known || strcmp(cmds[i], ctl_req_cmd(req)) == 0;
	}
	check(known, "an unknown command accepted");
	const char *zone = ctl_req_zone(req);
	const uint8_t *apex = ctl_req_apex(req);
	check((zone == NULL) == (apex == NULL), "zone and apex disagree");
	if (zone != NULL) {
		size_t zl = strlen(zone);
		uint8_t back[DNAME_MAXLEN];
		size_t blen;
		check(zl > 0 && zone[zl - 1] == '.', "a zone that is not absolute");
		check(dname_from_text(zone, zl, NULL, back, &blen) == SN_OK,
		      "a zone that does not read back");
		check(blen == dname_len(apex) && memcmp(back, apex, blen) == 0,
		      "a zone that reads back different");
		uint8_t lower[DNAME_MAXLEN];
		memcpy(lower, apex, blen);
		dname_to_lower(lower);
		check(memcmp(lower, apex, blen) == 0, "apex not lower case");
	}
	static const char *const args[] = {"out", "template", "file"};
	for (size_t i = 0; i < 3; i++) {
		const char *a = ctl_req_arg(req, args[i]);
		check(a == NULL || a[0] != 0, "an empty argument accepted");
	}
	ctl_req_free(req);
}

static void
check_strings(const ctl_json_t *v, unsigned *budget)
{
	for (const ctl_json_t *m = ctl_json_first(v); m != NULL && *budget > 0;
	     m = ctl_json_next(m)) {
		check_strings(m, budget);
	}
	size_t len;
	const char *s = ctl_json_str(v, &len);
	if (s == NULL || *budget == 0) {
		return;
	}
	(*budget)--;
	check(strlen(s) == len, "a string with a NUL inside");
	ctl_resp_t *r;
	if (ctl_resp_new(&r) != SN_OK) {
		return;
	}
	ctl_resp_strn(r, "s", s, len);
	const char *key = ctl_json_key(v);
	if (key != NULL) {
		ctl_resp_str(r, key[0] == 's' && key[1] == 0 ? "t" : key, "k");
	}
	check(ctl_resp_status(r) == SN_OK, "the builder refused a string the reader gave");
	const char *text;
	size_t tlen;
	check(ctl_resp_text(r, &text, &tlen) == SN_OK, "ctl_resp_text");
	ctl_jdoc_t *d;
	char err[CTL_ERRLEN];
	check(ctl_jdoc_parse(text, tlen - 1, 0, &d, err) == SN_OK, "builder output refused");
	const ctl_json_t *data = ctl_json_get(ctl_jdoc_root(d), "data");
	size_t blen;
	const char *b = ctl_json_str(ctl_json_get(data, "s"), &blen);
	check(b != NULL && blen == len && memcmp(b, s, len) == 0, "a string changed");
	ctl_jdoc_free(d);
	ctl_resp_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char err[CTL_ERRLEN];
	ctl_jdoc_t *d = NULL, *d2 = NULL;

	check_request(text, size);

	int rc = ctl_jdoc_parse(text, size, size > 0 ? size : 1, &d, err);
	if (rc != SN_OK) {
		check(d == NULL, "out-param written on failure");
		check(rc == SN_EPARSE || rc == SN_ERANGE || rc == SN_ENOMEM, "unexpected error");
		return 0;
	}
	size_t l1, l2, l3;
	char *p1 = print(ctl_jdoc_root(d), 0, &l1);
	check(ctl_jdoc_parse(p1, l1, 0, &d2, err) == SN_OK, "compact print does not read back");
	char *p2 = print(ctl_jdoc_root(d2), 0, &l2);
	check(l1 == l2 && memcmp(p1, p2, l1) == 0, "printing is not stable");
	ctl_jdoc_free(d2);
	free(p2);
	p2 = print(ctl_jdoc_root(d), 2, &l2);
	check(ctl_jdoc_parse(p2, l2, 0, &d2, err) == SN_OK, "indented print does not read back");
	char *p3 = print(ctl_jdoc_root(d2), 0, &l3);
	check(l1 == l3 && memcmp(p1, p3, l1) == 0, "indenting changed the value");
	unsigned budget = 64;
	check_strings(ctl_jdoc_root(d), &budget);
	ctl_jdoc_free(d2);
	ctl_jdoc_free(d);
	free(p1);
	free(p2);
	free(p3);
	return 0;
}
