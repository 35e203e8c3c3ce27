/* SPDX-License-Identifier: MIT
 * test_ctl.c - the control channel: JSON reader and writer, requests,
 * responses, and the daemon's socket with fake handlers.
 *
 * The JSON checks pair each input with what RFC 8259 and RFC 3629 say of it
 * (fixed vectors for escapes and UTF-8, a list of malformed inputs that must
 * be refused), and random round trips: whatever the writer emits the reader
 * must take back unchanged. The socket checks run a real ctl_server on a
 * socket in a temporary folder, on a thread of its own, and talk to it with
 * ctl_call and with raw sockets; handlers record what they saw and the
 * assertions run on the test's thread.
 */
#include "server/ctl.h"
#include "server/log.h"
#include "tests/unit/suites.h"
#include <CUnit/CUnit.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* xorshift32 from the runner's seed. */
static unsigned rng_state;

static unsigned
rng(void)
{
	unsigned x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

static ctl_jdoc_t *
parse_ok(const char *text)
{
	char err[CTL_ERRLEN];
	ctl_jdoc_t *d = NULL;
	int rc = ctl_jdoc_parse(text, strlen(text), 0, &d, err);
	if (rc != SN_OK) {
		fprintf(stderr, "\nunexpected failure on %s: %s\n", text, err);
	}
	CU_ASSERT_EQUAL(rc, SN_OK);
	return d;
}

static void
test_ctl_parse_values(void)
{
	ctl_jdoc_t *d = parse_ok(" {\"a\": [1, -2.5e3, true, false, null, \"x\"],\r\n\t\"b\": {}, "
	                         "\"c\": [], \"\": \"empty key\"} ");
	if (d == NULL) {
		return;
	}
	const ctl_json_t *r = ctl_jdoc_root(d);
	CU_ASSERT_EQUAL(ctl_json_type(r), CTL_JOBJ);
	CU_ASSERT_EQUAL(ctl_json_count(r), 4);
	const ctl_json_t *a = ctl_json_get(r, "a");
	CU_ASSERT_EQUAL(ctl_json_type(a), CTL_JARR);
	CU_ASSERT_EQUAL(ctl_json_count(a), 6);
	CU_ASSERT_STRING_EQUAL(ctl_json_key(a), "a");

	const ctl_json_t *e = ctl_json_first(a);
	int64_t i;
	double dbl;
	bool b;
	CU_ASSERT_EQUAL(ctl_json_int(e, &i), SN_OK);
	CU_ASSERT_EQUAL(i, 1);
	CU_ASSERT_PTR_NULL(ctl_json_key(e));
	e = ctl_json_next(e);
	CU_ASSERT_EQUAL(ctl_json_int(e, &i), SN_EINVAL); /* not an integer */
	CU_ASSERT_EQUAL(ctl_json_double(e, &dbl), SN_OK);
	CU_ASSERT_EQUAL(dbl, -2500.0);
	CU_ASSERT_STRING_EQUAL(ctl_json_num_text(e), "-2.5e3");
	e = ctl_json_next(e);
	CU_ASSERT_EQUAL(ctl_json_bool(e, &b), SN_OK);
	CU_ASSERT_TRUE(b);
	e = ctl_json_next(e);
	CU_ASSERT_EQUAL(ctl_json_bool(e, &b), SN_OK);
	CU_ASSERT_FALSE(b);
	e = ctl_json_next(e);
	CU_ASSERT_EQUAL(ctl_json_type(e), CTL_JNULL);
	CU_ASSERT_EQUAL(ctl_json_bool(e, &b), SN_EINVAL);
	e = ctl_json_next(e);
	size_t len;
	CU_ASSERT_STRING_EQUAL(ctl_json_str(e, &len), "x");
	CU_ASSERT_EQUAL(len, 1);
	CU_ASSERT_PTR_NULL(ctl_json_next(e));

	CU_ASSERT_EQUAL(ctl_json_count(ctl_json_get(r, "b")), 0);
	CU_ASSERT_PTR_NULL(ctl_json_first(ctl_json_get(r, "b")));
	CU_ASSERT_EQUAL(ctl_json_type(ctl_json_get(r, "c")), CTL_JARR);
	CU_ASSERT_STRING_EQUAL(ctl_json_str(ctl_json_get(r, ""), NULL), "empty key");
	CU_ASSERT_PTR_NULL(ctl_json_get(r, "nope"));
	CU_ASSERT_PTR_NULL(ctl_json_get(a, "a")); /* not an object */
	CU_ASSERT_PTR_NULL(ctl_json_str(a, NULL));
	ctl_jdoc_free(d);

	/* scalars at the top */
	const char *tops[] = {"0", "-0", "\"\"", "null", "true", " 12 ", "1E+2", "0.5e-1"};
	for (size_t k = 0; k < sizeof(tops) / sizeof(tops[0]); k++) {
		ctl_jdoc_free(parse_ok(tops[k]));
	}
	ctl_jdoc_free(NULL);
}

static void
test_ctl_parse_malformed(void)
{
	/* each must be refused with SN_EPARSE and a message with its offset */
	static const struct {
		const char *text;
		size_t len; /* 0: strlen */
	} bad[] = {
	    {"", 0},
	    {"   ", 0},
	    {"{", 0},
	    {"[1,]", 0},
	    {"{\"a\":1,}", 0},
	    {"[1 2]", 0},
	    {"{\"a\" 1}", 0},
	    {"{a:1}", 0},
	    {"{'a':1}", 0},
	    {"\"abc", 0},
	    {"\"a\tb\"", 0},  /* raw control character */
	    {"\"\\x\"", 0},   /* unknown escape */
	    {"\"\\u12\"", 0}, /* short \u */
	    {"\"\\u12G4\"", 0},
	    {"\"\\ud800\"", 0},        /* lone high surrogate */
	    {"\"\\udc00\"", 0},        /* lone low surrogate */
	    {"\"\\ud800\\u0041\"", 0}, /* high surrogate, then not a low one */
	    {"\"\\u0000\"", 0},
	    {"\"\xc0\x80\"", 0},         /* overlong NUL */
	    {"\"\xe0\x80\xaf\"", 0},     /* overlong '/' */
	    {"\"\xed\xa0\x80\"", 0},     /* a surrogate in UTF-8 */
	    {"\"\xf4\x90\x80\x80\"", 0}, /* past U+10FFFF */
	    {"\"\xf5\x80\x80\x80\"", 0},
	    {"\"\xc3\"", 0}, /* cut short */
	    {"\"\x80\"", 0}, /* a continuation alone */
	    {"01", 0},
	    {"-", 0},
	    {"-01", 0},
	    {"1.", 0},
	    {".5", 0},
	    {"+1", 0},
	    {"1e", 0},
	    {"1e+", 0},
	    {"NaN", 0},
	    {"Infinity", 0},
	    {"tru", 0},
	    {"nul", 0},
	    {"True", 0},
	    {"[1] [2]", 0},
	    {"{} x", 0},
	    {"// c\n1", 0},
	    {"/* c */ 1", 0},
	    {"\v1", 0},            /* not JSON whitespace */
	    {"\xef\xbb\xbf{}", 0}, /* a byte order mark */
	    {"[1,\x00 2]", 6},
	    {"\"a\x00b\"", 5},
	    {"{\"a\":1,\"a\":2}", 0}, /* duplicate key */
	    {"{\"b\":{\"x\":1,\"y\":2,\"x\":3}}", 0},
	    {"{\"\\u00e9\":1,\"\xc3\xa9\":2}", 0}, /* the same key, written two ways */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[CTL_ERRLEN] = "";
		ctl_jdoc_t *d = NULL;
		size_t len = bad[i].len != 0 ? bad[i].len : strlen(bad[i].text);
		int rc = ctl_jdoc_parse(bad[i].text, len, 0, &d, err);
		if (rc != SN_EPARSE) {
			fprintf(stderr, "\nbad input %zu was not refused: rc %d\n", i, rc);
		}
		CU_ASSERT_EQUAL(rc, SN_EPARSE);
		CU_ASSERT_PTR_NULL(d);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "offset "));
	}
	/* the message says where and what */
	char err[CTL_ERRLEN];
	ctl_jdoc_t *d = NULL;
	CU_ASSERT_EQUAL(ctl_jdoc_parse("[1,]", 4, 0, &d, err), SN_EPARSE);
	CU_ASSERT_STRING_EQUAL(err, "offset 3: trailing comma in an array");
	CU_ASSERT_EQUAL(ctl_jdoc_parse("{\"k\":1,\"k\":2}", 13, 0, &d, err), SN_EPARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "duplicate key \"k\""));
	CU_ASSERT_EQUAL(ctl_jdoc_parse("007", 3, 0, &d, err), SN_EPARSE);
	CU_ASSERT_STRING_EQUAL(err, "offset 1: leading zero in a number");
	/* a NULL err is fine */
	CU_ASSERT_EQUAL(ctl_jdoc_parse("[", 1, 0, &d, NULL), SN_EPARSE);
}

static void
test_ctl_parse_limits(void)
{
	char buf[256];
	char err[CTL_ERRLEN];
	ctl_jdoc_t *d = NULL;
	size_t n = 0;

	/* CTL_MAX_DEPTH nested arrays are fine, one more is not */
	for (int i = 0; i < CTL_MAX_DEPTH; i++) {
		buf[n++] = '[';
	}
	for (int i = 0; i < CTL_MAX_DEPTH; i++) {
		buf[n++] = ']';
	}
	CU_ASSERT_EQUAL(ctl_jdoc_parse(buf, n, 0, &d, err), SN_OK);
	ctl_jdoc_free(d);
	d = NULL;
	memmove(buf + 1, buf, n);
	buf[0] = '[';
	buf[n + 1] = ']';
	CU_ASSERT_EQUAL(ctl_jdoc_parse(buf, n + 2, 0, &d, err), SN_ERANGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nested deeper"));

	/* the length limit is exact */
	CU_ASSERT_EQUAL(ctl_jdoc_parse("[1, 2]", 6, 6, &d, err), SN_OK);
	ctl_jdoc_free(d);
	d = NULL;
	CU_ASSERT_EQUAL(ctl_jdoc_parse("[1, 2]", 6, 5, &d, err), SN_ERANGE);
	CU_ASSERT_PTR_NULL(d);

	/* integers: int64 and uint64 ranges */
	static const struct {
		const char *text;
		int irc;
		int64_t i;
		int urc;
		uint64_t u;
	} nums[] = {
	    {"0", SN_OK, 0, SN_OK, 0},
	    {"-0", SN_OK, 0, SN_OK, 0},
	    {"9223372036854775807", SN_OK, INT64_MAX, SN_OK, 9223372036854775807ull},
	    {"-9223372036854775808", SN_OK, INT64_MIN, SN_ERANGE, 0},
	    {"9223372036854775808", SN_ERANGE, 0, SN_OK, 9223372036854775808ull},
	    {"-9223372036854775809", SN_ERANGE, 0, SN_ERANGE, 0},
	    {"18446744073709551615", SN_ERANGE, 0, SN_OK, UINT64_MAX},
	    {"18446744073709551616", SN_ERANGE, 0, SN_ERANGE, 0},
	    {"-1", SN_OK, -1, SN_ERANGE, 0},
	    {"1.0", SN_EINVAL, 0, SN_EINVAL, 0},
	    {"1e2", SN_EINVAL, 0, SN_EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		d = parse_ok(nums[i].text);
		if (d == NULL) {
			continue;
		}
		int64_t iv = 12345;
		uint64_t uv = 12345;
		CU_ASSERT_EQUAL(ctl_json_int(ctl_jdoc_root(d), &iv), nums[i].irc);
		CU_ASSERT_EQUAL(iv, nums[i].irc == SN_OK ? nums[i].i : 12345);
		CU_ASSERT_EQUAL(ctl_json_uint(ctl_jdoc_root(d), &uv), nums[i].urc);
		CU_ASSERT_EQUAL(uv, nums[i].urc == SN_OK ? nums[i].u : 12345);
		ctl_jdoc_free(d);
	}
	double x;
	d = parse_ok("1e400");
	CU_ASSERT_EQUAL(ctl_json_double(ctl_jdoc_root(d), &x), SN_ERANGE);
	ctl_jdoc_free(d);
	d = parse_ok("1e-400"); /* underflow rounds to zero: fine */
	CU_ASSERT_EQUAL(ctl_json_double(ctl_jdoc_root(d), &x), SN_OK);
	CU_ASSERT_EQUAL(x, 0.0);
	ctl_jdoc_free(d);
	d = parse_ok("\"1\"");
	CU_ASSERT_EQUAL(ctl_json_double(ctl_jdoc_root(d), &x), SN_EINVAL);
	ctl_jdoc_free(d);

	/* a long input of many values: "[0,0,...,0]" */
	size_t big = CTL_MAX_REQUEST - 1;
	char *p = malloc(big);
	if (p == NULL) {
		return;
	}
	p[0] = '[';
	for (size_t i = 1; i + 1 < big; i += 2) {
		p[i] = '0';
		p[i + 1] = ',';
	}
	p[big - 1] = ']';
	d = NULL;
	CU_ASSERT_EQUAL(ctl_jdoc_parse(p, big, big, &d, err), SN_OK);
	CU_ASSERT_EQUAL(ctl_json_count(ctl_jdoc_root(d)), (big - 1) / 2);
	ctl_jdoc_free(d);
	free(p);
}

/* Known vectors: RFC 8259 7 escapes and RFC 3629 encodings. */
static void
test_ctl_unicode(void)
{
	static const struct {
		const char *json;
		const char *utf8;
	} vec[] = {
	    {"\"\\u00e9\"", "\xc3\xa9"},
	    {"\"\\u00E9\"", "\xc3\xa9"},
	    {"\"\\u0041\\u007f\"", "A\x7f"},
	    {"\"\\u0080\"", "\xc2\x80"},
	    {"\"\\u07ff\"", "\xdf\xbf"},
	    {"\"\\u0800\"", "\xe0\xa0\x80"},
	    {"\"\\u20ac\"", "\xe2\x82\xac"},
	    {"\"\\uffff\"", "\xef\xbf\xbf"},
	    {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80"},
	    {"\"\\ud800\\udc00\"", "\xf0\x90\x80\x80"},
	    {"\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf"},
	    {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t"},
	    {"\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "caf\xc3\xa9 \xf0\x9f\x98\x80"},
	    {"\"\xef\xbb\xbf\"", "\xef\xbb\xbf"},
	    {"\"a\\u0001b\"", "a\x01"
	                      "b"},
	};
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		ctl_jdoc_t *d = parse_ok(vec[i].json);
		if (d == NULL) {
			continue;
		}
		size_t len;
		const char *s = ctl_json_str(ctl_jdoc_root(d), &len);
		CU_ASSERT_EQUAL(len, strlen(vec[i].utf8));
		CU_ASSERT_TRUE(s != NULL && memcmp(s, vec[i].utf8, len) == 0 && s[len] == 0);
		ctl_jdoc_free(d);
	}
}

/* UTF-8 of code point `cp` (RFC 3629 3), written here for the test. */
static size_t
enc(unsigned cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static unsigned
random_cp(void)
{
	for (;;) {
		unsigned cp;
		switch (rng() % 5) {
		case 0:
			cp = 1 + rng() % 0x7f; /* control characters, quotes, backslash */
			break;
		case 1:
			cp = "\"\\/\n\t\x01\x1f\x7f"[rng() % 8];
			break;
		case 2:
			cp = 0x80 + rng() % 0x780;
			break;
		case 3:
			cp = 0x800 + rng() % 0xf800;
			break;
		default:
			cp = 0x10000 + rng() % 0x100000;
			break;
		}
		if (cp != 0 && (cp < 0xd800 || cp > 0xdfff)) {
			return cp;
		}
	}
}

/* Parses a response line and returns its data object (or NULL). */
static const ctl_json_t *
resp_data(ctl_resp_t *r, ctl_jdoc_t **doc)
{
	const char *text;
	size_t len;
	char err[CTL_ERRLEN];
	*doc = NULL;
	CU_ASSERT_EQUAL_FATAL(ctl_resp_text(r, &text, &len), SN_OK);
	CU_ASSERT_TRUE(len > 0 && text[len - 1] == '\n');
	CU_ASSERT_PTR_NULL(memchr(text, '\n', len - 1)); /* one line */
	int rc = ctl_jdoc_parse(text, len - 1, 0, doc, err);
	if (rc != SN_OK) {
		fprintf(stderr, "\nthe writer wrote what the reader refuses: %s\n%.*s\n", err,
		        (int)len, text);
	}
	CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
	const ctl_json_t *root = ctl_jdoc_root(*doc);
	bool ok = false;
	CU_ASSERT_EQUAL(ctl_json_bool(ctl_json_get(root, "ok"), &ok), SN_OK);
	return ok ? ctl_json_get(root, "data") : NULL;
}

/* Random strings, integers and doubles written and read back. */
static void
test_ctl_roundtrip(void)
{
	enum { N = 300 };
	static char strs[N][200];
	static size_t lens[N];
	static int64_t ints[N];
	static uint64_t uints[N];
	static double dbls[N];
	ctl_resp_t *r;

	rng_state = test_seed() * 2654435761u + 77;
	if (rng_state == 0) {
		rng_state = 1;
	}
	CU_ASSERT_EQUAL_FATAL(ctl_resp_new(&r), SN_OK);
	ctl_resp_arr_begin(r, "items");
	for (int i = 0; i < N; i++) {
		size_t n = 0;
		/* not one character: it could clash with the keys below */
		size_t want = rng() % 40;
		want += want == 1;
		for (size_t k = 0; k < want; k++) {
			n += enc(random_cp(), strs[i] + n);
		}
		strs[i][n] = 0;
		lens[i] = n;
		ints[i] = (int64_t)((uint64_t)rng() << 32 | rng());
		uints[i] = (uint64_t)rng() << 32 | rng();
		uint64_t bits = (uint64_t)rng() << 32 | rng();
		memcpy(&dbls[i], &bits, sizeof(bits));
		if (dbls[i] != dbls[i] || dbls[i] - dbls[i] != 0) {
			dbls[i] = (double)ints[i] / 7.0; /* NaN and infinities are not JSON */
		}
		ctl_resp_obj_begin(r, NULL);
		ctl_resp_strn(r, strs[i], strs[i], n); /* the string as a key too */
		ctl_resp_int(r, "i", ints[i]);
		ctl_resp_uint(r, "u", uints[i]);
		ctl_resp_double(r, "d", dbls[i]);
		ctl_resp_bool(r, "b", (i & 1) != 0);
		ctl_resp_null(r, "n");
		ctl_resp_obj_end(r);
	}
	ctl_resp_arr_end(r);
	ctl_resp_int(r, "min", INT64_MIN);
	ctl_resp_uint(r, "max", UINT64_MAX);
	CU_ASSERT_EQUAL(ctl_resp_status(r), SN_OK);

	ctl_jdoc_t *doc;
	const ctl_json_t *data = resp_data(r, &doc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	const ctl_json_t *items = ctl_json_get(data, "items");
	CU_ASSERT_EQUAL(ctl_json_count(items), N);
	int i = 0;
	for (const ctl_json_t *o = ctl_json_first(items); o != NULL && i < N;
	     o = ctl_json_next(o), i++) {
		const ctl_json_t *s = ctl_json_first(o);
		size_t len = 0;
		const char *got = ctl_json_str(s, &len);
		if (got == NULL || len != lens[i] || memcmp(got, strs[i], len) != 0 ||
		    strcmp(ctl_json_key(s), strs[i]) != 0) {
			fprintf(stderr, "\nseed %u: string %d does not read back\n", test_seed(),
			        i);
			CU_FAIL("string round trip");
		}
		int64_t iv;
		uint64_t uv;
		double dv;
		bool bv;
		CU_ASSERT_EQUAL(ctl_json_int(ctl_json_get(o, "i"), &iv), SN_OK);
		CU_ASSERT_EQUAL(iv, ints[i]);
		CU_ASSERT_EQUAL(ctl_json_uint(ctl_json_get(o, "u"), &uv), SN_OK);
		CU_ASSERT_EQUAL(uv, uints[i]);
		CU_ASSERT_EQUAL(ctl_json_double(ctl_json_get(o, "d"), &dv), SN_OK);
		if (memcmp(&dv, &dbls[i], sizeof(dv)) != 0 && !(dv == 0 && dbls[i] == 0)) {
			fprintf(stderr, "\nseed %u: double %.17g read back as %.17g\n", test_seed(),
			        dbls[i], dv);
			CU_FAIL("double round trip");
		}
		CU_ASSERT_EQUAL(ctl_json_bool(ctl_json_get(o, "b"), &bv), SN_OK);
		CU_ASSERT_EQUAL(bv, (i & 1) != 0);
		CU_ASSERT_EQUAL(ctl_json_type(ctl_json_get(o, "n")), CTL_JNULL);
	}
	CU_ASSERT_EQUAL(i, N);
	int64_t mn;
	uint64_t mx;
	CU_ASSERT_EQUAL(ctl_json_int(ctl_json_get(data, "min"), &mn), SN_OK);
	CU_ASSERT_EQUAL(mn, INT64_MIN);
	CU_ASSERT_EQUAL(ctl_json_uint(ctl_json_get(data, "max"), &mx), SN_OK);
	CU_ASSERT_EQUAL(mx, UINT64_MAX);

	/* printing the document back gives the writer's bytes exactly, and the
	 * indented form reads back to the same */
	const char *text;
	size_t tlen;
	CU_ASSERT_EQUAL(ctl_resp_text(r, &text, &tlen), SN_OK);
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(ctl_json_write(f, ctl_jdoc_root(doc), 0), SN_OK);
	fclose(f);
	CU_ASSERT_EQUAL(olen, tlen - 1);
	CU_ASSERT_TRUE(olen == tlen - 1 && memcmp(out, text, olen) == 0);
	free(out);
	f = open_memstream(&out, &olen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(ctl_json_write(f, ctl_jdoc_root(doc), 2), SN_OK);
	fclose(f);
	ctl_jdoc_t *doc2 = NULL;
	char err[CTL_ERRLEN];
	CU_ASSERT_EQUAL(ctl_jdoc_parse(out, olen, 0, &doc2, err), SN_OK);
	CU_ASSERT_PTR_NOT_NULL(memchr(out, '\n', olen));
	free(out);
	if (doc2 != NULL) {
		f = open_memstream(&out, &olen);
		CU_ASSERT_EQUAL(ctl_json_write(f, ctl_jdoc_root(doc2), 0), SN_OK);
		fclose(f);
		CU_ASSERT_TRUE(olen == tlen - 1 && memcmp(out, text, olen) == 0);
		free(out);
	}
	ctl_jdoc_free(doc2);
	ctl_jdoc_free(doc);
	ctl_resp_free(r);
}

static void
test_ctl_writer_escapes(void)
{
	ctl_resp_t *r;
	const char *text;
	size_t len;
	CU_ASSERT_EQUAL_FATAL(ctl_resp_new(&r), SN_OK);
	ctl_resp_str(r, "s", "a\"b\\c\n\x01\x7f\xc3\xa9/");
	ctl_resp_double(r, "nan", 0.0 / 0.0);
	ctl_resp_double(r, "inf", 1.0 / 0.0);
	ctl_resp_double(r, "half", 0.5);
	ctl_resp_strf(r, "f", "%s-%d", "x", 7);
	ctl_resp_obj_begin(r, "o");
	ctl_resp_arr_begin(r, "a");
	ctl_resp_int(r, NULL, -3);
	ctl_resp_arr_begin(r, NULL);
	ctl_resp_arr_end(r);
	/* left open: ctl_resp_text closes them */
	CU_ASSERT_EQUAL(ctl_resp_text(r, &text, &len), SN_OK);
	CU_ASSERT_STRING_EQUAL(
	    text, "{\"ok\":true,\"data\":{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u007f\xc3\xa9/\","
	          "\"nan\":null,\"inf\":null,\"half\":0.5,\"f\":\"x-7\","
	          "\"o\":{\"a\":[-3,[]]}}}\n");
	/* nothing may be added after */
	ctl_resp_int(r, "late", 1);
	CU_ASSERT_EQUAL(ctl_resp_status(r), SN_EINVAL);
	ctl_resp_free(r);
	ctl_resp_free(NULL);
}

/* The error response of a builder after `misuse`. */
static void
check_misuse(void (*misuse)(ctl_resp_t *), int want)
{
	ctl_resp_t *r;
	const char *text;
	size_t len;
	CU_ASSERT_EQUAL_FATAL(ctl_resp_new(&r), SN_OK);
	ctl_resp_int(r, "before", 1);
	misuse(r);
	ctl_resp_int(r, "after", 2);
	CU_ASSERT_EQUAL(ctl_resp_status(r), want);
	CU_ASSERT_EQUAL(ctl_resp_text(r, &text, &len), SN_OK);
	char expect[200];
	snprintf(expect, sizeof(expect),
	         "{\"ok\":false,\"error\":\"cannot build the answer: %s\",\"code\":%d}\n",
	         sn_strerror(want), want);
	CU_ASSERT_STRING_EQUAL(text, expect);
	ctl_resp_free(r);
}

static void
m_key_in_array(ctl_resp_t *r)
{
	ctl_resp_arr_begin(r, "a");
	ctl_resp_int(r, "k", 1);
}

static void
m_no_key_in_object(ctl_resp_t *r)
{
	ctl_resp_int(r, NULL, 1);
}

static void
m_bad_utf8(ctl_resp_t *r)
{
	ctl_resp_str(r, "s", "\xff");
}

static void
m_bad_utf8_key(ctl_resp_t *r)
{
	ctl_resp_str(r, "\xc3", "s");
}

static void
m_nul(ctl_resp_t *r)
{
	ctl_resp_strn(r, "s", "a\0b", 3);
}

static void
m_null_str(ctl_resp_t *r)
{
	ctl_resp_str(r, "s", NULL);
}

static void
m_too_many_ends(ctl_resp_t *r)
{
	ctl_resp_obj_end(r); /* would close "data" */
}

static void
m_wrong_end(ctl_resp_t *r)
{
	ctl_resp_arr_begin(r, "a");
	ctl_resp_obj_end(r);
}

static void
m_too_deep(ctl_resp_t *r)
{
	for (int i = 0; i < CTL_MAX_DEPTH; i++) {
		ctl_resp_arr_begin(r, i == 0 ? "deep" : NULL);
	}
}

static void
m_too_big(ctl_resp_t *r)
{
	static char chunk[1 << 20];
	memset(chunk, 'x', sizeof(chunk) - 1);
	ctl_resp_arr_begin(r, "big");
	for (unsigned i = 0; i <= CTL_MAX_RESPONSE / (sizeof(chunk) - 1) + 1; i++) {
		ctl_resp_str(r, NULL, chunk);
	}
}

static void
test_ctl_writer_misuse(void)
{
	check_misuse(m_key_in_array, SN_EINVAL);
	check_misuse(m_no_key_in_object, SN_EINVAL);
	check_misuse(m_bad_utf8, SN_EINVAL);
	check_misuse(m_bad_utf8_key, SN_EINVAL);
	check_misuse(m_nul, SN_EINVAL);
	check_misuse(m_null_str, SN_EINVAL);
	check_misuse(m_too_many_ends, SN_EINVAL);
	check_misuse(m_wrong_end, SN_EINVAL);
	check_misuse(m_too_deep, SN_ERANGE);
	check_misuse(m_too_big, SN_ERANGE);

	/* CTL_MAX_DEPTH - 2 levels inside "data" are fine: the whole line
	 * stays within what the reader takes */
	ctl_resp_t *r;
	ctl_jdoc_t *doc;
	CU_ASSERT_EQUAL_FATAL(ctl_resp_new(&r), SN_OK);
	for (int i = 0; i < CTL_MAX_DEPTH - 2; i++) {
		ctl_resp_arr_begin(r, i == 0 ? "deep" : NULL);
	}
	CU_ASSERT_EQUAL(ctl_resp_status(r), SN_OK);
	CU_ASSERT_PTR_NOT_NULL(resp_data(r, &doc));
	ctl_jdoc_free(doc);
	ctl_resp_free(r);

	/* an error set by the handler: data dropped, the first error wins, and
	 * what cannot go in a JSON string is replaced */
	const char *text;
	size_t len;
	CU_ASSERT_EQUAL_FATAL(ctl_resp_new(&r), SN_OK);
	ctl_resp_int(r, "serial", 5);
	ctl_resp_error(r, SN_ENOTFOUND, "zone %s: not served", "a\"b\xff.");
	ctl_resp_error(r, SN_EIO, "second");
	CU_ASSERT_EQUAL(ctl_resp_status(r), SN_OK);
	CU_ASSERT_EQUAL(ctl_resp_text(r, &text, &len), SN_OK);
	CU_ASSERT_STRING_EQUAL(
	    text, "{\"ok\":false,\"error\":\"zone a\\\"b?.: not served\",\"code\":-6}\n");
	ctl_resp_free(r);
	CU_ASSERT_EQUAL_FATAL(ctl_resp_new(&r), SN_OK);
	ctl_resp_error(r, 42, "positive codes are not errors");
	CU_ASSERT_EQUAL(ctl_resp_text(r, &text, &len), SN_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"code\":-2}"));
	ctl_resp_free(r);
}

static int
req_rc(const char *text, char *err)
{
	ctl_req_t *req = NULL;
	int rc = ctl_req_parse(text, strlen(text), &req, err);
	CU_ASSERT_TRUE((rc == SN_OK) == (req != NULL));
	ctl_req_free(req);
	return rc;
}

static void
test_ctl_request(void)
{
	char err[CTL_ERRLEN];
	ctl_req_t *req = NULL;
	const char *t = "{\"cmd\":\"zone-add\",\"zone\":\"Example.COM\","
	                "\"args\":{\"template\":\"t1\",\"file\":\"/z/e.zone\"}}";

	CU_ASSERT_EQUAL_FATAL(ctl_req_parse(t, strlen(t), &req, err), SN_OK);
	CU_ASSERT_STRING_EQUAL(ctl_req_cmd(req), "zone-add");
	CU_ASSERT_STRING_EQUAL(ctl_req_zone(req), "example.com.");
	CU_ASSERT_EQUAL(memcmp(ctl_req_apex(req), "\7example\3com", 13), 0);
	CU_ASSERT_STRING_EQUAL(ctl_req_arg(req, "template"), "t1");
	CU_ASSERT_STRING_EQUAL(ctl_req_arg(req, "file"), "/z/e.zone");
	CU_ASSERT_PTR_NULL(ctl_req_arg(req, "out"));
	ctl_req_free(req);

	/* made by ctl_req_format and read back */
	const char *keys[] = {"out"}, *vals[] = {"/tmp/d\xc3\xa9\"x"};
	char *line;
	size_t len;
	CU_ASSERT_EQUAL_FATAL(ctl_req_format("zone-flush", "a.b.", keys, vals, 1, &line, &len),
	                      SN_OK);
	CU_ASSERT_EQUAL(line[len - 1], '\n');
	CU_ASSERT_EQUAL_FATAL(ctl_req_parse(line, len - 1, &req, err), SN_OK);
	CU_ASSERT_STRING_EQUAL(ctl_req_cmd(req), "zone-flush");
	CU_ASSERT_STRING_EQUAL(ctl_req_zone(req), "a.b.");
	CU_ASSERT_STRING_EQUAL(ctl_req_arg(req, "out"), vals[0]);
	ctl_req_free(req);
	free(line);
	CU_ASSERT_EQUAL(ctl_req_format("status", NULL, NULL, NULL, 0, &line, &len), SN_OK);
	CU_ASSERT_STRING_EQUAL(line, "{\"cmd\":\"status\"}\n");
	free(line);
	vals[0] = "\xc3";
	line = NULL;
	CU_ASSERT_EQUAL(ctl_req_format("zone-flush", "a.", keys, vals, 1, &line, &len), SN_EINVAL);
	CU_ASSERT_PTR_NULL(line);

	/* zone-status takes a zone or none; null is none */
	CU_ASSERT_EQUAL(req_rc("{\"cmd\":\"zone-status\"}", err), SN_OK);
	CU_ASSERT_EQUAL(req_rc("{\"cmd\":\"zone-status\",\"zone\":null}", err), SN_OK);
	CU_ASSERT_EQUAL(req_rc("{\"cmd\":\"zone-status\",\"zone\":\".\"}", err), SN_OK);
	CU_ASSERT_EQUAL(req_rc(" {\"args\":{},\"cmd\":\"stats\"}\r", err), SN_OK);

	static const struct {
		const char *text;
		int rc;
		const char *msg;
	} bad[] = {
	    {"[]", SN_EPARSE, "a request is a JSON object"},
	    {"{}", SN_EPARSE, "the request has no \"cmd\""},
	    {"{\"cmd\":1}", SN_EPARSE, "\"cmd\" must be a string"},
	    {"{\"cmd\":\"status\",\"verbose\":true}", SN_EPARSE,
	     "unknown member \"verbose\" in the request"},
	    {"{\"cmd\":\"frobnicate\"}", SN_ENOTSUP, "unknown command 'frobnicate'"},
	    {"{\"cmd\":\"\"}", SN_ENOTSUP, "unknown command ''"},
	    {"{\"cmd\":\"status\",\"zone\":\"a.\"}", SN_EINVAL, "status takes no zone"},
	    {"{\"cmd\":\"zone-reload\"}", SN_EINVAL, "zone-reload needs a zone"},
	    {"{\"cmd\":\"zone-reload\",\"zone\":null}", SN_EINVAL, "zone-reload needs a zone"},
	    {"{\"cmd\":\"zone-reload\",\"zone\":5}", SN_EPARSE, "\"zone\" must be a string"},
	    {"{\"cmd\":\"zone-reload\",\"zone\":\"a..b\"}", SN_EINVAL,
	     "'a..b' is not a valid zone name"},
	    {"{\"cmd\":\"zone-reload\",\"zone\":\"\"}", SN_EINVAL, "'' is not a valid zone name"},
	    {"{\"cmd\":\"zone-reload\",\"zone\":\"" /* a label of 64 octets */
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b\"}",
	     SN_EINVAL, "is not a valid zone name"},
	    {"{\"cmd\":\"zone-reload\",\"zone\":\"a.\",\"args\":[]}", SN_EPARSE,
	     "\"args\" must be an object"},
	    {"{\"cmd\":\"zone-reload\",\"zone\":\"a.\",\"args\":{\"out\":\"/x\"}}", SN_EINVAL,
	     "zone-reload takes no argument 'out'"},
	    {"{\"cmd\":\"zone-flush\",\"zone\":\"a.\",\"args\":{\"out\":1}}", SN_EINVAL,
	     "argument 'out' must be a string"},
	    {"{\"cmd\":\"zone-flush\",\"zone\":\"a.\",\"args\":{\"out\":\"\"}}", SN_EINVAL,
	     "argument 'out' is empty"},
	    {"{\"cmd\":\"status\"", SN_EPARSE, "malformed request: offset 15: "},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		int rc = req_rc(bad[i].text, err);
		if (rc != bad[i].rc || strstr(err, bad[i].msg) == NULL) {
			fprintf(stderr, "\nrequest %s: rc %d, '%s'\n", bad[i].text, rc, err);
		}
		CU_ASSERT_EQUAL(rc, bad[i].rc);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].msg));
	}

	/* the size limit */
	size_t big = CTL_MAX_REQUEST + 1;
	char *p = malloc(big + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(p, ' ', big);
	memcpy(p, "{\"cmd\":\"status\"}", 16);
	p[big] = 0;
	CU_ASSERT_EQUAL(req_rc(p, err), SN_ERANGE);
	p[big - 1] = 0;
	CU_ASSERT_EQUAL(req_rc(p, err), SN_OK);
	free(p);
}

/*
 * The socket
 */

struct fake {
	atomic_int calls;
	char cmd[32];
	char zone[300];
	char out[300];
	bool had_zone;
	atomic_bool stop;
};

static int
h_status(void *ctx, const ctl_req_t *req, ctl_resp_t *resp)
{
	struct fake *f = ctx;
	atomic_fetch_add(&f->calls, 1);
	snprintf(f->cmd, sizeof(f->cmd), "%s", ctl_req_cmd(req));
	f->had_zone = ctl_req_zone(req) != NULL;
	ctl_resp_str(resp, "version", "9.9.9");
	ctl_resp_uint(resp, "uptime", 42);
	return SN_OK;
}

static int
h_zone_status(void *ctx, const ctl_req_t *req, ctl_resp_t *resp)
{
	struct fake *f = ctx;
	atomic_fetch_add(&f->calls, 1);
	const char *z = ctl_req_zone(req);
	f->had_zone = z != NULL;
	snprintf(f->zone, sizeof(f->zone), "%s", z != NULL ? z : "");
	if (z != NULL && strcmp(z, "missing.") == 0) {
		ctl_resp_error(resp, SN_ENOTFOUND, "zone %s is not served", z);
		return SN_ENOTFOUND;
	}
	ctl_resp_arr_begin(resp, "zones");
	ctl_resp_obj_begin(resp, NULL);
	ctl_resp_str(resp, "zone", z != NULL ? z : "all.");
	ctl_resp_uint(resp, "serial", 2024010101);
	ctl_resp_obj_end(resp);
	ctl_resp_arr_end(resp);
	return SN_OK;
}

/* fails without saying why: the server says it */
static int
h_zone_reload(void *ctx, const ctl_req_t *req, ctl_resp_t *resp)
{
	struct fake *f = ctx;
	atomic_fetch_add(&f->calls, 1);
	return SN_ESTORE;
}

static int
h_zone_flush(void *ctx, const ctl_req_t *req, ctl_resp_t *resp)
{
	struct fake *f = ctx;
	atomic_fetch_add(&f->calls, 1);
	const char *o = ctl_req_arg(req, "out");
	snprintf(f->out, sizeof(f->out), "%s", o != NULL ? o : "(none)");
	ctl_resp_str(resp, "file", "/flushed");
	return SN_OK;
}

static int
h_stop(void *ctx, const ctl_req_t *req, ctl_resp_t *resp)
{
	struct fake *f = ctx;
	atomic_fetch_add(&f->calls, 1);
	atomic_store(&f->stop, true); /* the answer still goes out */
	return SN_OK;
}

static const ctl_handlers_t fake_handlers = {
    .status = h_status,
    .stop = h_stop,
    .zone_status = h_zone_status,
    .zone_reload = h_zone_reload,
    .zone_flush = h_zone_flush,
    /* reload, zone-add, zone-remove, stats: not offered */
};

struct runner {
	ctl_server_t *srv;
	struct fake *f;
	pthread_t th;
};

static void *
run_thread(void *arg)
{
	struct runner *rn = arg;
	ctl_server_run(rn->srv, &rn->f->stop);
	return NULL;
}

static char tmpdir[64];

static int
suite_init(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/signet-ctl-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		return 1;
	}
	log_set_level(LOG_LVL_ERROR);
	return 0;
}

static int
suite_clean(void)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/file", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/stale.sock", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/ctl.sock", tmpdir);
	unlink(p);
	rmdir(tmpdir);
	log_set_level(LOG_LVL_INFO);
	return 0;
}

/* Calls `line` on `path`; returns the rc and the response's code (0 if ok). */
static int
call(const char *path, const char *line, int timeout_ms, ctl_jdoc_t **doc, char *err)
{
	*doc = NULL;
	return ctl_call(path, line, strlen(line), timeout_ms, doc, err);
}

static int64_t
code_of(const ctl_jdoc_t *doc, const char **msg)
{
	int64_t code = 0;
	const ctl_json_t *root = ctl_jdoc_root(doc);
	bool ok = false;
	if (ctl_json_bool(ctl_json_get(root, "ok"), &ok) != SN_OK || ok) {
		*msg = "";
		return 0;
	}
	*msg = ctl_json_str(ctl_json_get(root, "error"), NULL);
	if (ctl_json_int(ctl_json_get(root, "code"), &code) != SN_OK) {
		return 1;
	}
	return code;
}

/* Sends raw octets on a new connection and returns the answer line. */
static char *
raw(const char *path, const char *data, size_t len, bool shut)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0) {
			close(fd);
		}
		return NULL;
	}
	struct timeval tv = {.tv_sec = 10};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	size_t off = 0;
	while (off < len) {
		ssize_t n = send(fd, data + off, len - off, MSG_NOSIGNAL);
		if (n <= 0) {
			break; /* the server may refuse before reading it all */
		}
		off += (size_t)n;
	}
	if (shut) {
		shutdown(fd, SHUT_WR);
	}
	char *buf = calloc(1, 4096);
	size_t got = 0;
	while (buf != NULL && got < 4095) {
		ssize_t n = recv(fd, buf + got, 4095 - got, 0);
		if (n <= 0) {
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	return buf;
}

static void
test_ctl_server(void)
{
	char path[128], err[CTL_ERRLEN];
	struct fake f;
	struct runner rn;
	struct stat st;
	ctl_jdoc_t *doc;
	const char *msg;

	memset(&f, 0, sizeof(f));
	snprintf(path, sizeof(path), "%s/ctl.sock", tmpdir);
	/* a loose umask must not widen the socket */
	mode_t old = umask(0);
	int rc = ctl_server_new(path, 0600, &fake_handlers, &f, &rn.srv);
	umask(old);
	CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
	CU_ASSERT_EQUAL(lstat(path, &st), 0);
	CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	CU_ASSERT_TRUE(ctl_server_fd(rn.srv) >= 0);

	/* a second daemon on the same path is refused while the first listens */
	ctl_server_t *second = NULL;
	CU_ASSERT_EQUAL(ctl_server_new(path, 0600, &fake_handlers, &f, &second), SN_EEXIST);
	CU_ASSERT_PTR_NULL(second);
	CU_ASSERT_EQUAL(lstat(path, &st), 0);

	rn.f = &f;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&rn.th, NULL, run_thread, &rn), 0);

	/* status */
	CU_ASSERT_EQUAL(call(path, "{\"cmd\":\"status\"}\n", 5000, &doc, err), SN_OK);
	if (doc != NULL) {
		const ctl_json_t *data = ctl_json_get(ctl_jdoc_root(doc), "data");
		CU_ASSERT_STRING_EQUAL(ctl_json_str(ctl_json_get(data, "version"), NULL), "9.9.9");
		uint64_t up = 0;
		CU_ASSERT_EQUAL(ctl_json_uint(ctl_json_get(data, "uptime"), &up), SN_OK);
		CU_ASSERT_EQUAL(up, 42);
		CU_ASSERT_STRING_EQUAL(f.cmd, "status");
		CU_ASSERT_FALSE(f.had_zone);
	}
	ctl_jdoc_free(doc);

	/* zone-status, with a zone that the server normalises, and without */
	CU_ASSERT_EQUAL(
	    call(path, "{\"cmd\":\"zone-status\",\"zone\":\"EXAMPLE.org\"}\n", 5000, &doc, err),
	    SN_OK);
	CU_ASSERT_STRING_EQUAL(f.zone, "example.org.");
	CU_ASSERT_EQUAL(code_of(doc, &msg), 0);
	ctl_jdoc_free(doc);
	CU_ASSERT_EQUAL(call(path, "{\"cmd\":\"zone-status\"}\n", 5000, &doc, err), SN_OK);
	CU_ASSERT_FALSE(f.had_zone);
	ctl_jdoc_free(doc);

	/* a handler's own error, and one it only returns */
	CU_ASSERT_EQUAL(
	    call(path, "{\"cmd\":\"zone-status\",\"zone\":\"missing\"}\n", 5000, &doc, err), SN_OK);
	CU_ASSERT_EQUAL(code_of(doc, &msg), SN_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(msg, "zone missing. is not served");
	ctl_jdoc_free(doc);
	CU_ASSERT_EQUAL(call(path, "{\"cmd\":\"zone-reload\",\"zone\":\"a\"}\n", 5000, &doc, err),
	                SN_OK);
	CU_ASSERT_EQUAL(code_of(doc, &msg), SN_ESTORE);
	CU_ASSERT_STRING_EQUAL(msg, sn_strerror(SN_ESTORE));
	ctl_jdoc_free(doc);

	/* arguments reach the handler */
	CU_ASSERT_EQUAL(
	    call(path, "{\"cmd\":\"zone-flush\",\"zone\":\"a\",\"args\":{\"out\":\"/tmp/x\"}}\n",
	         5000, &doc, err),
	    SN_OK);
	CU_ASSERT_STRING_EQUAL(f.out, "/tmp/x");
	ctl_jdoc_free(doc);

	/* refused before any handler runs */
	int before = atomic_load(&f.calls);
	CU_ASSERT_EQUAL(call(path, "{\"cmd\":\"reload\"}\n", 5000, &doc, err), SN_OK);
	CU_ASSERT_EQUAL(code_of(doc, &msg), SN_ENOTSUP); /* no handler */
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "does not do 'reload'"));
	ctl_jdoc_free(doc);
	CU_ASSERT_EQUAL(call(path, "{\"cmd\":\"dance\"}\n", 5000, &doc, err), SN_OK);
	CU_ASSERT_EQUAL(code_of(doc, &msg), SN_ENOTSUP);
	CU_ASSERT_STRING_EQUAL(msg, "unknown command 'dance'");
	ctl_jdoc_free(doc);
	CU_ASSERT_EQUAL(call(path, "{\"cmd\":\"zone-flush\"}\n", 5000, &doc, err), SN_OK);
	CU_ASSERT_EQUAL(code_of(doc, &msg), SN_EINVAL);
	ctl_jdoc_free(doc);
	CU_ASSERT_EQUAL(atomic_load(&f.calls), before);

	/* raw octets: malformed, two lines, too long, no newline but shut */
	char *ans = raw(path, "{\"cmd\":\n", 8, false);
	CU_ASSERT_PTR_NOT_NULL(ans);
	if (ans != NULL) {
		CU_ASSERT_PTR_NOT_NULL(strstr(ans, "\"ok\":false"));
		CU_ASSERT_PTR_NOT_NULL(strstr(ans, "malformed request: offset 7"));
		CU_ASSERT_PTR_NOT_NULL(strstr(ans, "\"code\":-3}\n"));
	}
	free(ans);
	ans = raw(path, "{\"cmd\":\"status\"}\n{\"cmd\":\"stop\"}\n", 32, false);
	CU_ASSERT_TRUE(ans != NULL && strstr(ans, "one request a connection") != NULL);
	free(ans);
	ans = raw(path, "{\"cmd\":\"status\"}", 16, true);
	CU_ASSERT_TRUE(ans != NULL && strstr(ans, "\"version\":\"9.9.9\"") != NULL);
	free(ans);
	ans = raw(path, "", 0, true);
	CU_ASSERT_TRUE(ans != NULL && strstr(ans, "empty request") != NULL);
	free(ans);
	size_t big = CTL_MAX_REQUEST + 100;
	char *p = malloc(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(p, ' ', big);
	ans = raw(path, p, big, false);
	free(p);
	CU_ASSERT_TRUE(ans != NULL && strstr(ans, "request longer than 65536 octets") != NULL &&
	               strstr(ans, "\"code\":-5") != NULL);
	free(ans);

	/* stop: answered, then the loop ends */
	CU_ASSERT_EQUAL(call(path, "{\"cmd\":\"stop\"}\n", 5000, &doc, err), SN_OK);
	CU_ASSERT_EQUAL(code_of(doc, &msg), 0);
	ctl_jdoc_free(doc);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_join(rn.th, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT_TRUE(t1.tv_sec - t0.tv_sec < 2);

	/* freeing removes the socket: a client is told nobody is there */
	ctl_server_free(rn.srv);
	CU_ASSERT_EQUAL(lstat(path, &st), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	rc = call(path, "{\"cmd\":\"status\"}\n", 1000, &doc, err);
	CU_ASSERT_EQUAL(rc, SN_EIO);
	CU_ASSERT_PTR_NULL(doc);
	char want[256];
	snprintf(want, sizeof(want), "cannot connect to %s: %s (is signetd running?)", path,
	         strerror(ENOENT));
	CU_ASSERT_STRING_EQUAL(err, want);
}

/* A peer that accepts and answers what `answer` says (NULL: nothing). */
struct bad_peer {
	int fd;
	const char *answer;
};

static void *
bad_peer_thread(void *arg)
{
	struct bad_peer *b = arg;
	int c = accept(b->fd, NULL, NULL);
	if (c < 0) {
		return NULL;
	}
	char buf[256];
	(void)recv(c, buf, sizeof(buf), 0);
	if (b->answer != NULL) {
		(void)send(c, b->answer, strlen(b->answer), MSG_NOSIGNAL);
		close(c);
	} else {
		usleep(1500 * 1000); /* past the client's timeout */
		close(c);
	}
	return NULL;
}

static int
listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 4) != 0) {
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

static void
test_ctl_client_errors(void)
{
	char path[128], err[CTL_ERRLEN];
	ctl_jdoc_t *doc;
	static const struct {
		const char *answer;
		int rc;
		const char *msg;
	} cases[] = {
	    {"hello\n", SN_EPARSE, "malformed answer from signetd: offset 0"},
	    {"{\"ok\":true}\n", SN_EPARSE, "no \"data\" object"},
	    {"{\"ok\":\"yes\",\"data\":{}}\n", SN_EPARSE, "no boolean \"ok\""},
	    {"{\"ok\":false,\"error\":\"x\"}\n", SN_EPARSE, "without \"error\" and \"code\""},
	    {"[1]\n", SN_EPARSE, "not an object"},
	    {"{\"ok\":true,\"data\":{}}", SN_EPARSE, "cut short"},
	    {"{\"ok\":true,\"data\":{}}\n{}\n", SN_EPARSE, "more than one line"},
	    {"", SN_EIO, "closed the connection without an answer"},
	    {"{\"ok\":true,\"data\":{},\"extra\":1}\n", SN_OK, ""},
	    {NULL, SN_EIO, "no answer from signetd within 1 s"},
	};
	snprintf(path, sizeof(path), "%s/ctl.sock", tmpdir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bad_peer b = {.fd = listen_at(path), .answer = cases[i].answer};
		pthread_t th;
		CU_ASSERT_TRUE_FATAL(b.fd >= 0);
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, bad_peer_thread, &b), 0);
		err[0] = 0;
		int rc = call(path, "{\"cmd\":\"status\"}\n", 1000, &doc, err);
		if (rc != cases[i].rc || strstr(err, cases[i].msg) == NULL) {
			fprintf(stderr, "\nanswer %zu: rc %d, '%s'\n", i, rc, err);
		}
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].msg));
		CU_ASSERT_TRUE((rc == SN_OK) == (doc != NULL));
		ctl_jdoc_free(doc);
		pthread_join(th, NULL);
		close(b.fd);
		unlink(path);
	}
}

static void
test_ctl_server_paths(void)
{
	char path[128], file[128];
	struct fake f;
	struct stat st;
	ctl_server_t *srv = NULL;

	memset(&f, 0, sizeof(f));
	/* a stale socket (its daemon died) is replaced */
	snprintf(path, sizeof(path), "%s/stale.sock", tmpdir);
	int fd = listen_at(path);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL(lstat(path, &st), 0);
	CU_ASSERT_EQUAL(ctl_server_new(path, 0660, &fake_handlers, &f, &srv), SN_OK);
	CU_ASSERT_EQUAL(lstat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0660);
	/* an operator replaced our socket: freeing leaves theirs alone */
	if (srv != NULL) {
		CU_ASSERT_EQUAL(unlink(path), 0);
		fd = listen_at(path);
		CU_ASSERT_TRUE(fd >= 0);
		ctl_server_free(srv);
		CU_ASSERT_EQUAL(lstat(path, &st), 0);
		close(fd);
		unlink(path);
	}

	/* a file that is not a socket is never removed */
	snprintf(file, sizeof(file), "%s/file", tmpdir);
	FILE *fp = fopen(file, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs("keep me\n", fp);
	fclose(fp);
	srv = NULL;
	CU_ASSERT_EQUAL(ctl_server_new(file, 0600, &fake_handlers, &f, &srv), SN_EEXIST);
	CU_ASSERT_PTR_NULL(srv);
	CU_ASSERT_EQUAL(lstat(file, &st), 0);
	CU_ASSERT_TRUE(S_ISREG(st.st_mode) && st.st_size == 8);

	/* a path too long for sun_path, a folder that is not there, bad mode */
	char longp[200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	CU_ASSERT_EQUAL(ctl_server_new(longp, 0600, &fake_handlers, &f, &srv), SN_ERANGE);
	CU_ASSERT_EQUAL(
	    ctl_server_new("/nonexistent-signet/dir/s.sock", 0600, &fake_handlers, &f, &srv),
	    SN_EIO);
	CU_ASSERT_EQUAL(ctl_server_new(path, 04600, &fake_handlers, &f, &srv), SN_EINVAL);
	CU_ASSERT_PTR_NULL(srv);
	ctl_server_free(NULL);

	/* serve_one: nothing waiting within the timeout */
	CU_ASSERT_EQUAL_FATAL(ctl_server_new(path, 0600, &fake_handlers, &f, &srv), SN_OK);
	CU_ASSERT_FALSE(ctl_server_serve_one(srv, 10));
	ctl_server_free(srv);
	CU_ASSERT_EQUAL(lstat(path, &st), -1);
}

int
test_ctl_register(void)
{
	CU_pSuite s = CU_add_suite("ctl", suite_init, suite_clean);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_ctl_parse_values", test_ctl_parse_values);
	CU_add_test(s, "test_ctl_parse_malformed", test_ctl_parse_malformed);
	CU_add_test(s, "test_ctl_parse_limits", test_ctl_parse_limits);
	CU_add_test(s, "test_ctl_unicode", test_ctl_unicode);
	CU_add_test(s, "test_ctl_roundtrip", test_ctl_roundtrip);
	CU_add_test(s, "test_ctl_writer_escapes", test_ctl_writer_escapes);
	CU_add_test(s, "test_ctl_writer_misuse", test_ctl_writer_misuse);
	CU_add_test(s, "test_ctl_request", test_ctl_request);
	CU_add_test(s, "test_ctl_server", test_ctl_server);
	CU_add_test(s, "test_ctl_client_errors", test_ctl_client_errors);
	CU_add_test(s, "test_ctl_server_paths", test_ctl_server_paths);
	return CU_get_error();
}
