/* SPDX-License-Identifier: MIT
 * test_tree.c - canonical keys and the persistent B+tree, against models.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"
#include "zone/dname.h"
#include "zone/tree.h"

/* xorshift32: small and reproducible from test_seed(). */
static unsigned
rnd(unsigned *s)
{
	unsigned x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static unsigned
rng_init(unsigned salt)
{
	unsigned s = test_seed() * 2654435761u + salt;
	return s != 0 ? s : 1;
}

static void
fail_at(int line, const char *what)
{
	printf("\ntree: check failed at line %d: %s (SIGNET_TEST_SEED=%u)\n", line, what,
	       test_seed());
}

#define CHECK(cond)                              \
	do {                                     \
		if (!(cond)) {                   \
			fail_at(__LINE__, #cond); \
			return false;            \
		}                                \
	} while (0)

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

static int
keycmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0) {
		return sign(c);
	}
	return (alen > blen) - (alen < blen);
}

/* ---- Canonical keys ---- */

/* Octets that stress the encoding: the escaped 0x00 and 0x01, their
 * neighbours, both cases, and the bytes around the letters. */
static const uint8_t ALPHA[] = { 0x00, 0x01, 0x02, 'a', 'A', 'b', 'B', 'z', 'Z', '[', '`', '{', '-', 0xff };

static uint8_t
rand_octet(unsigned *s)
{
	if (rnd(s) % 5 == 0) {
		return (uint8_t)rnd(s);
	}
	return ALPHA[rnd(s) % sizeof(ALPHA)];
}

/* Prepends `nl` random labels to the name `suffix` (wire form) into `out`,
 * keeping it within 255 octets. Returns the length. */
static size_t
prepend_labels(unsigned *s, const uint8_t *suffix, unsigned nl, uint8_t *out)
{
	size_t slen = dname_len(suffix), o = 0;
	for (unsigned i = 0; i < nl; i++) {
		size_t room = DNAME_MAXLEN - slen - o;
		if (room < 2) {
			break;
		}
		size_t max = room - 1 < LABEL_MAXLEN ? room - 1 : LABEL_MAXLEN;
		size_t len = rnd(s) % 4 == 0 ? 1 + rnd(s) % max : 1 + rnd(s) % (max < 3 ? max : 3);
		out[o++] = (uint8_t)len;
		for (size_t j = 0; j < len; j++) {
			out[o++] = rand_octet(s);
		}
	}
	memcpy(out + o, suffix, slen);
	return o + slen;
}

#define NNAMES 3000

static void
test_tree_key_order(void)
{
	static uint8_t names[NNAMES][DNAME_MAXLEN];
	static uint8_t keys[NNAMES][TREE_KEY_MAXLEN];
	static size_t klen[NNAMES];
	unsigned s = rng_init(1);
	bool ok = true;

	/* Names grow from earlier ones (a shared suffix, or the same name in
	 * another case), so that comparisons often go deep. */
	names[0][0] = 0;
	for (size_t i = 1; i < NNAMES; i++) {
		const uint8_t *base = names[rnd(&s) % i];
		unsigned what = rnd(&s) % 8;
		if (what == 0) {
			size_t len = dname_len(base);
			memcpy(names[i], base, len);
			for (size_t j = 0; j < len; j++) {
				if (rnd(&s) % 2 && names[i][j] >= 'a' && names[i][j] <= 'z') {
					names[i][j] = (uint8_t)(names[i][j] - 32);
				}
			}
		} else {
			unsigned strip = rnd(&s) % 3;
			while (strip-- > 0 && base[0] != 0) {
				base = dname_parent(base);
			}
			(void)prepend_labels(&s, base, 1 + rnd(&s) % 3, names[i]);
		}
	}
	/* A longest key: labels of 63, 63, 63 and 61 octets 0x00 and 0x01 fill
	 * 255 octets, and the key doubles every octet. */
	{
		uint8_t *n = names[NNAMES - 1];
		size_t o = 0;
		for (int l = 0; l < 4; l++) {
			uint8_t len = l == 3 ? 61 : 63;
			n[o++] = len;
			memset(n + o, l % 2, len);
			o += len;
		}
		n[o++] = 0;
		CU_ASSERT_EQUAL(o, DNAME_MAXLEN);
	}

	for (size_t i = 0; i < NNAMES; i++) {
		uint8_t back[DNAME_MAXLEN], lower[DNAME_MAXLEN];
		size_t blen = 0;
		CU_ASSERT_FATAL(tree_key_from_dname(names[i], keys[i], &klen[i]) == SN_OK);
		CU_ASSERT_FATAL(klen[i] <= TREE_KEY_MAXLEN);
		/* The inverse gives back the lower-cased name. */
		CU_ASSERT_FATAL(tree_key_to_dname(keys[i], klen[i], back, &blen) == SN_OK);
		memcpy(lower, names[i], dname_len(names[i]));
		dname_to_lower(lower);
		CU_ASSERT_EQUAL(blen, dname_len(names[i]));
		CU_ASSERT(memcmp(back, lower, blen) == 0);
		/* The parent's key is the key up to the next-to-last label end. */
		const uint8_t *par = dname_parent(names[i]);
		if (par != NULL) {
			uint8_t pk[TREE_KEY_MAXLEN];
			size_t pkl = 0;
			CU_ASSERT_FATAL(tree_key_from_dname(par, pk, &pkl) == SN_OK);
			CU_ASSERT_EQUAL(tree_key_parent_len(keys[i], klen[i]), pkl);
			CU_ASSERT(memcmp(pk, keys[i], pkl) == 0);
		}
	}
	CU_ASSERT_EQUAL(klen[NNAMES - 1], 504);

	/* memcmp order of keys == RFC 4034 §6.1 order of names, and prefix ==
	 * subdomain, on random pairs plus every pair among the first 300. */
	size_t pairs = 0;
	for (size_t t = 0; t < 400000 && ok; t++) {
		size_t a, b;
		if (t < 300 * 300) {
			a = t / 300;
			b = t % 300;
		} else {
			a = rnd(&s) % NNAMES;
			b = rnd(&s) % NNAMES;
		}
		int want = sign(dname_cmp(names[a], names[b]));
		int got = keycmp(keys[a], klen[a], keys[b], klen[b]);
		bool sub = dname_is_subdomain(names[a], names[b]);
		bool ksub = tree_key_is_subdomain(keys[a], klen[a], keys[b], klen[b]);
		if (want != got || sub != ksub) {
			char ta[DNAME_MAXTEXT], tb[DNAME_MAXTEXT];
			(void)dname_to_text(names[a], ta, sizeof(ta));
			(void)dname_to_text(names[b], tb, sizeof(tb));
			printf("\ntree: %s vs %s: dname_cmp %d key %d, subdomain %d key %d (SIGNET_TEST_SEED=%u)\n",
			       ta, tb, want, got, sub, ksub, test_seed());
			ok = false;
		}
		pairs += want != 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT(pairs > 100000);	/* the test compared distinct names */
}

static void
test_tree_key_errors(void)
{
	uint8_t key[TREE_KEY_MAXLEN], name[DNAME_MAXLEN + 70];
	size_t len = 7;

	/* The root is the empty key. */
	CU_ASSERT_EQUAL(tree_key_from_dname((const uint8_t *)"", key, &len), SN_OK);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(tree_key_from_dname((const uint8_t *)"\003WwW\007Example\003com", key,
					    &len), SN_OK);
	CU_ASSERT_EQUAL(len, 16);
	CU_ASSERT(memcmp(key, "com\0example\0www\0", 16) == 0);
	/* "a\001" under "\000": octets 0x00 and 0x01 are escaped. */
	CU_ASSERT_EQUAL(tree_key_from_dname((const uint8_t *)"\002a\001\001\000", key, &len), SN_OK);
	CU_ASSERT_EQUAL(len, 7);
	CU_ASSERT(memcmp(key, "\001\001\000a\001\002\000", 7) == 0);

	/* A label of 64 octets and a name over 255 octets are refused. */
	len = 99;
	memset(name, 'a', sizeof(name));
	name[0] = 64;
	name[65] = 0;
	CU_ASSERT_EQUAL(tree_key_from_dname(name, key, &len), SN_EINVAL);
	name[65] = 'a';
	for (int i = 0; i < 4; i++) {
		name[i * 64] = 63;
	}
	name[256] = 0;
	CU_ASSERT_EQUAL(tree_key_from_dname(name, key, &len), SN_EINVAL);
	name[192] = 61;
	name[254] = 0;
	CU_ASSERT_EQUAL(tree_key_from_dname(name, key, &len), SN_OK);
	CU_ASSERT_EQUAL(len, 254);

	/* Malformed keys. */
	uint8_t out[DNAME_MAXLEN];
	size_t olen = 5;
	CU_ASSERT_EQUAL(tree_key_to_dname((const uint8_t *)"abc", 3, out, &olen), SN_EPARSE);
	CU_ASSERT_EQUAL(tree_key_to_dname((const uint8_t *)"\000", 1, out, &olen), SN_EPARSE);
	CU_ASSERT_EQUAL(tree_key_to_dname((const uint8_t *)"a\001\003\000", 4, out, &olen), SN_EPARSE);
	CU_ASSERT_EQUAL(tree_key_to_dname((const uint8_t *)"a\001", 2, out, &olen), SN_EPARSE);
	CU_ASSERT_EQUAL(olen, 5);
	CU_ASSERT_EQUAL(tree_key_to_dname((const uint8_t *)"", 0, out, &olen), SN_OK);
	CU_ASSERT_EQUAL(olen, 1);
	CU_ASSERT_EQUAL(out[0], 0);
	CU_ASSERT_EQUAL(tree_key_parent_len((const uint8_t *)"com\0", 4), 0);
	CU_ASSERT_EQUAL(tree_key_parent_len((const uint8_t *)"", 0), 0);
}

/* ---- Trees against a model ---- */

/* A value: its key lives inside it, as in a zone snapshot. */
struct rec {
	size_t len;
	unsigned id;
	uint8_t key[];
};

static struct rec *
rec_new(const uint8_t *key, size_t len, unsigned id)
{
	struct rec *r = malloc(sizeof(*r) + len + 1);
	if (r != NULL) {
		r->len = len;
		r->id = id;
		memcpy(r->key, key, len);
	}
	return r;
}

/* Random byte-string keys with long shared prefixes (one past the leaf's
 * inline prefix) and tails over a tiny alphabet, so that keys often agree on
 * the 7 bytes a node keeps inline. */
static size_t
rand_key(unsigned *s, uint8_t *k)
{
	static const uint8_t TAIL[] = { 0x00, 0x01, 0x02, 'a', 'b', 0xfe, 0xff };
	static const size_t PLEN[] = { 0, 3, 12, 30, 60 };
	size_t p = PLEN[rnd(s) % 5], o = 0;
	for (size_t i = 0; i < p; i++) {
		k[o++] = (uint8_t)('a' + (i * 7 + p) % 26);
	}
	size_t tail = rnd(s) % 4 == 0 ? rnd(s) % 24 : rnd(s) % 10;
	for (size_t i = 0; i < tail; i++) {
		k[o++] = TAIL[rnd(s) % (rnd(s) % 3 == 0 ? 2 : sizeof(TAIL))];
	}
	return o;
}

struct model {
	struct rec **r;
	size_t n, cap;
};

/* Index of the first record >= key. */
static size_t
model_lower(const struct model *m, const uint8_t *k, size_t len)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (keycmp(m->r[mid]->key, m->r[mid]->len, k, len) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static bool
model_has(const struct model *m, size_t i, const uint8_t *k, size_t len)
{
	return i < m->n && keycmp(m->r[i]->key, m->r[i]->len, k, len) == 0;
}

static void
model_set(struct model *m, struct rec *r)
{
	size_t i = model_lower(m, r->key, r->len);
	if (model_has(m, i, r->key, r->len)) {
		m->r[i] = r;
		return;
	}
	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 1024 : 2 * m->cap;
		m->r = realloc(m->r, m->cap * sizeof(*m->r));
		CU_ASSERT_FATAL(m->r != NULL);
	}
	memmove(m->r + i + 1, m->r + i, (m->n - i) * sizeof(*m->r));
	m->r[i] = r;
	m->n++;
}

static void
model_del(struct model *m, size_t i)
{
	memmove(m->r + i, m->r + i + 1, (m->n - i - 1) * sizeof(*m->r));
	m->n--;
}

static void
model_copy(struct model *dst, const struct model *src)
{
	if (dst->cap < src->n) {
		dst->cap = src->n;
		dst->r = realloc(dst->r, dst->cap * sizeof(*dst->r));
		CU_ASSERT_FATAL(dst->r != NULL);
	}
	if (src->n > 0) {
		memcpy(dst->r, src->r, src->n * sizeof(*src->r));
	}
	dst->n = src->n;
}

static bool
same_entry(const uint8_t *k, size_t len, void *val, const struct rec *want)
{
	return val == want && len == want->len && memcmp(k, want->key, len) == 0;
}

/* Checks one neighbour search against the model: `want` is the model index
 * expected, or m->n for none. */
static bool
check_near(void *got, const uint8_t *fk, size_t fl, const struct model *m, size_t want)
{
	if (want >= m->n) {
		CHECK(got == NULL);
		return true;
	}
	CHECK(got != NULL);
	CHECK(same_entry(fk, fl, got, m->r[want]));
	return true;
}

/* Compares the whole tree with the model: shape, count, both iteration
 * orders, every get, and neighbour searches on random probes. */
static bool
check_tree(const tree_t *t, const struct model *m, unsigned *s, unsigned probes)
{
	tree_iter_t it;
	size_t i = 0;

	CHECK(tree_check(t) == SN_OK);
	CHECK(tree_count(t) == m->n);
	for (tree_iter_first(&it, t); tree_iter_is_valid(&it); tree_iter_next(&it), i++) {
		size_t len;
		const uint8_t *k = tree_iter_key(&it, &len);
		CHECK(i < m->n);
		CHECK(same_entry(k, len, tree_iter_val(&it), m->r[i]));
	}
	CHECK(i == m->n);
	for (tree_iter_last(&it, t); tree_iter_is_valid(&it); tree_iter_prev(&it)) {
		size_t len;
		const uint8_t *k = tree_iter_key(&it, &len);
		CHECK(i > 0);
		i--;
		CHECK(same_entry(k, len, tree_iter_val(&it), m->r[i]));
	}
	CHECK(i == 0);
	for (i = 0; i < m->n; i++) {
		uint8_t copy[TREE_KEY_MAXLEN];
		memcpy(copy, m->r[i]->key, m->r[i]->len);
		CHECK(tree_get(t, copy, m->r[i]->len) == m->r[i]);
	}
	for (unsigned p = 0; p < probes; p++) {
		uint8_t k[TREE_KEY_MAXLEN];
		size_t len = rand_key(s, k);
		if (m->n > 0 && rnd(s) % 3 == 0) {	/* an existing key, exactly */
			const struct rec *r = m->r[rnd(s) % m->n];
			memcpy(k, r->key, r->len);
			len = r->len;
		}
		size_t lo = model_lower(m, k, len);
		bool has = model_has(m, lo, k, len);
		const uint8_t *fk = NULL;
		size_t fl = 0;
		void *v = tree_get(t, k, len);
		CHECK(v == (has ? m->r[lo] : NULL));
		v = tree_get_le(t, k, len, &fk, &fl);
		CHECK(check_near(v, fk, fl, m, has ? lo : (lo > 0 ? lo - 1 : m->n)));
		v = tree_get_lt(t, k, len, &fk, &fl);
		CHECK(check_near(v, fk, fl, m, lo > 0 ? lo - 1 : m->n));
		v = tree_get_ge(t, k, len, &fk, &fl);
		CHECK(check_near(v, fk, fl, m, lo));
		v = tree_get_gt(t, k, len, &fk, &fl);
		CHECK(check_near(v, fk, fl, m, has ? lo + 1 : lo));
		/* Seek, then walk a little both ways. */
		tree_iter_seek_ge(&it, t, k, len);
		for (size_t j = lo; j < lo + 3; j++) {
			CHECK(tree_iter_is_valid(&it) == (j < m->n));
			if (j >= m->n) {
				break;
			}
			size_t kl;
			const uint8_t *kk = tree_iter_key(&it, &kl);
			CHECK(same_entry(kk, kl, tree_iter_val(&it), m->r[j]));
			tree_iter_next(&it);
		}
		tree_iter_seek_le(&it, t, k, len);
		size_t le = has ? lo + 1 : lo;
		for (size_t j = le; j > 0 && j + 3 > le; j--) {
			CHECK(tree_iter_is_valid(&it));
			size_t kl;
			const uint8_t *kk = tree_iter_key(&it, &kl);
			CHECK(same_entry(kk, kl, tree_iter_val(&it), m->r[j - 1]));
			tree_iter_prev(&it);
		}
		if (le < 3) {
			CHECK(!tree_iter_is_valid(&it));
		}
	}
	return true;
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec *x = *(struct rec *const *)a, *y = *(struct rec *const *)b;
	return keycmp(x->key, x->len, y->key, y->len);
}

static void
free_recs(struct rec **r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i]);
	}
}

/* One run of the model test: the model, the open transaction, and the
 * values it made and dropped (freed on abort and after commit). */
struct run {
	struct model m;
	tree_txn_t *txn;
	struct model made, gone;	/* unsorted lists */
	unsigned id;
};

static void
list_push(struct model *l, struct rec *r)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 256 : 2 * l->cap;
		l->r = realloc(l->r, l->cap * sizeof(*l->r));
		CU_ASSERT_FATAL(l->r != NULL);
	}
	l->r[l->n++] = r;
}

static void
run_set(struct run *rn, const uint8_t *k, size_t len)
{
	size_t i = model_lower(&rn->m, k, len);
	bool has = model_has(&rn->m, i, k, len);
	void *ov = (void *)1;
	struct rec *r = rec_new(k, len, rn->id++);

	CU_ASSERT_FATAL(r != NULL);
	list_push(&rn->made, r);
	CU_ASSERT_FATAL(tree_txn_set(rn->txn, r->key, r->len, r, &ov) == SN_OK);
	CU_ASSERT_FATAL(ov == (has ? rn->m.r[i] : NULL));
	if (has) {
		list_push(&rn->gone, rn->m.r[i]);
	}
	model_set(&rn->m, r);
}

static void
run_del(struct run *rn, const uint8_t *key, size_t len)
{
	uint8_t k[TREE_KEY_MAXLEN];
	memcpy(k, key, len);	/* `key` may be the record's own */
	size_t i = model_lower(&rn->m, k, len);
	bool has = model_has(&rn->m, i, k, len);
	void *ov = (void *)1;
	int rc = tree_txn_del(rn->txn, k, len, &ov);

	CU_ASSERT_FATAL(rc == (has ? SN_OK : SN_ENOTFOUND));
	if (has) {
		CU_ASSERT_FATAL(ov == rn->m.r[i]);
		list_push(&rn->gone, rn->m.r[i]);
		model_del(&rn->m, i);
	} else {
		CU_ASSERT_FATAL(ov == (void *)1);	/* untouched */
	}
}

/* Random transactions from a tree built with tree_build_sorted, checked
 * against a sorted-array model after each one; the old tree must still read
 * as before (persistence) until its garbage is freed. Most transactions are
 * a few random sets and deletes; some delete a run of neighbours or insert
 * many keys into one narrow range, which splits and merges internal nodes;
 * some are aborted. The size swings between empty and three levels. */
static void
test_tree_model(void)
{
	static const size_t TARGET[] = { 9000, 40, 0, 14000, 300, 5000, 0, 2000 };
	struct run rn = { 0 };
	struct model old = { 0 };
	unsigned s = rng_init(2);
	tree_t *t = NULL;
	tree_entry_t *ents = NULL;
	size_t rounds = 1600, commits = 0, aborts = 0, maxh = 0;

	/* Initial zone: random keys, sorted and deduplicated. */
	size_t n0 = 3000 + rnd(&s) % 3000;
	struct rec **init = malloc(n0 * sizeof(*init));
	CU_ASSERT_FATAL(init != NULL);
	for (size_t i = 0; i < n0; i++) {
		uint8_t k[TREE_KEY_MAXLEN];
		size_t len = rand_key(&s, k);
		init[i] = rec_new(k, len, rn.id++);
		CU_ASSERT_FATAL(init[i] != NULL);
	}
	qsort(init, n0, sizeof(*init), rec_cmp);
	ents = malloc(n0 * sizeof(*ents));
	CU_ASSERT_FATAL(ents != NULL);
	size_t n = 0;
	for (size_t i = 0; i < n0; i++) {
		if (n > 0 && rec_cmp(&init[i], &rn.m.r[n - 1]) == 0) {
			free(init[i]);
			continue;
		}
		model_set(&rn.m, init[i]);
		ents[n++] = (tree_entry_t){ init[i]->key, init[i]->len, init[i] };
	}
	free(init);
	CU_ASSERT_FATAL(tree_build_sorted(ents, n, &t) == SN_OK);
	free(ents);
	CU_ASSERT_FATAL(check_tree(t, &rn.m, &s, 200));

	for (size_t round = 0; round < rounds; round++) {
		size_t target = TARGET[round / 200 % (sizeof(TARGET) / sizeof(TARGET[0]))];
		unsigned kind = rnd(&s) % 16;
		bool abort_it = rnd(&s) % 10 == 0;
		struct model *m = &rn.m;

		model_copy(&old, m);	/* for the persistence check */
		rn.made.n = rn.gone.n = 0;
		CU_ASSERT_FATAL(tree_txn_begin(t, &rn.txn) == SN_OK);
		if (kind == 0 && m->n > 0) {
			/* A run of neighbours. */
			size_t at = rnd(&s) % m->n, cnt = 1 + rnd(&s) % 1500;
			while (cnt-- > 0 && at < m->n) {
				run_del(&rn, m->r[at]->key, m->r[at]->len);
			}
		} else if (kind == 1) {
			/* Many keys in a narrow range. */
			uint8_t k[TREE_KEY_MAXLEN];
			size_t blen = rand_key(&s, k), cnt = 1 + rnd(&s) % 1500;
			for (size_t c = 0; c < cnt; c++) {
				size_t tail = 1 + rnd(&s) % 4;
				for (size_t j = 0; j < tail; j++) {
					k[blen + j] = (uint8_t)rnd(&s);
				}
				run_set(&rn, k, blen + tail);
			}
		} else {
			unsigned nops = rnd(&s) % 10 == 0 ? 1 + rnd(&s) % 400 : 1 + rnd(&s) % 12;
			for (unsigned op = 0; op < nops; op++) {
				uint8_t k[TREE_KEY_MAXLEN];
				size_t len = rand_key(&s, k);
				bool grow = m->n < target ? rnd(&s) % 4 != 0 : rnd(&s) % 4 == 0;
				if (m->n > 0 && rnd(&s) % 10 < (grow ? 3u : 9u)) {
					const struct rec *r = m->r[rnd(&s) % m->n];
					memcpy(k, r->key, r->len);
					len = r->len;
				}
				if (grow) {
					run_set(&rn, k, len);
				} else {
					run_del(&rn, k, len);
				}
			}
		}
		if (rnd(&s) % 8 == 0) {
			CU_ASSERT_FATAL(check_tree(tree_txn_tree(rn.txn), m, &s, 20));
		}
		if (abort_it) {
			tree_txn_abort(rn.txn);
			/* The base is as it was; what the txn made is not in it. */
			free_recs(rn.made.r, rn.made.n);
			model_copy(m, &old);
			CU_ASSERT_FATAL(check_tree(t, m, &s, 20));
			aborts++;
			continue;
		}
		tree_t *nt = NULL;
		tree_garbage_t *g = NULL;
		CU_ASSERT_FATAL(tree_txn_commit(rn.txn, &nt, &g) == SN_OK);
		CU_ASSERT_FATAL(check_tree(nt, m, &s, 40));
		CU_ASSERT_FATAL(check_tree(t, &old, &s, 10));
		tree_garbage_free(g);	/* also frees the old handle */
		t = nt;
		/* Values replaced or removed are freed only now, so a tree still
		 * pointing into them would be caught by ASan below. A value
		 * both made and dropped in this txn is freed once. */
		free_recs(rn.gone.r, rn.gone.n);
		if (rnd(&s) % 4 == 0) {
			CU_ASSERT_FATAL(check_tree(t, m, &s, 10));
		}
		commits++;
		if (tree_height(t) > maxh) {
			maxh = tree_height(t);
		}
	}
	CU_ASSERT(commits > 0 && aborts > 0);
	CU_ASSERT(maxh >= 3);	/* the test reached several levels */
	tree_free(t);
	free_recs(rn.m.r, rn.m.n);
	free(rn.m.r);
	free(old.r);
	free(rn.made.r);
	free(rn.gone.r);
}

/* ---- Leaf capacities ---- */

/* Versions kept readable at once by test_tree_caps. */
#define KEEP 4

/* An older version of the tree, still readable: the garbage of the commit
 * that replaced it has not been freed. */
struct version {
	tree_t *t;
	tree_garbage_t *g;	/* frees the nodes only t uses, and t's handle */
	struct model m;		/* what t holds */
	struct model gone;	/* values that commit removed: freed with g */
};

static void
version_drop(struct version *v)
{
	tree_garbage_free(v->g);
	free_recs(v->gone.r, v->gone.n);
	free(v->gone.r);
	free(v->m.r);
	memset(v, 0, sizeof(*v));
}

/* Tree shape from tree_stats: consistent with the tree, and the classes
 * its leaves use added to *seen (bit i: capacity TREE_LEAF_STEP * (i + 1)).
 * When `tight`, every leaf must be sized to its content (room for fewer
 * than TREE_LEAF_STEP more entries). */
static bool
check_caps(const tree_t *t, bool tight, uint64_t *seen)
{
	tree_stats_t st;
	size_t leaves = 0, room = 0;

	tree_stats(t, &st);
	CHECK(st.count == tree_count(t));
	for (unsigned i = 0; i < TREE_LEAF_CAPS; i++) {
		leaves += st.leaf_caps[i];
		room += st.leaf_caps[i] * TREE_LEAF_STEP * (i + 1);
		if (st.leaf_caps[i] > 0) {
			*seen |= (uint64_t)1 << i;
		}
	}
	CHECK(leaves == st.leaves);
	CHECK(room == st.count + st.slack);
	CHECK(tree_count(t) == 0 ? st.leaves == 0 : st.leaves >= 1);
	CHECK(st.inodes == 0 || tree_height(t) > 1);
	if (tight) {
		CHECK(st.slack <= (TREE_LEAF_STEP - 1) * st.leaves);
	}
	return true;
}

/* A tree of `n` random keys (fewer if some repeat) from tree_build_sorted;
 * rn->m receives its records. */
static tree_t *
build_random(struct run *rn, unsigned *s, size_t n)
{
	struct rec **init = malloc((n + 1) * sizeof(*init));
	tree_entry_t *ents = malloc((n + 1) * sizeof(*ents));
	tree_t *t = NULL;
	size_t k = 0;

	CU_ASSERT_FATAL(init != NULL && ents != NULL);
	for (size_t i = 0; i < n; i++) {
		uint8_t key[TREE_KEY_MAXLEN];
		size_t len = rand_key(s, key);
		init[i] = rec_new(key, len, rn->id++);
		CU_ASSERT_FATAL(init[i] != NULL);
	}
	qsort(init, n, sizeof(*init), rec_cmp);
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && rec_cmp(&init[i], &rn->m.r[k - 1]) == 0) {
			free(init[i]);
			continue;
		}
		model_set(&rn->m, init[i]);
		ents[k++] = (tree_entry_t){ init[i]->key, init[i]->len, init[i] };
	}
	CU_ASSERT_FATAL(tree_build_sorted(ents, k, &t) == SN_OK);
	free(init);
	free(ents);
	return t;
}

/* Leaves of every capacity, against the model, with several versions
 * readable at once. Each life builds a tree of 0-300 random keys (0, 1 and
 * 2 for the first ones) and then
 * (1) changes it one key per transaction: every leaf built or copied is
 * sized to its content, so the tree must stay tight as leaves grow
 * through the classes, split at 65 entries and merge; (2) runs
 * transactions of many changes: bursts of inserts into one narrow range
 * (a leaf the transaction owns grows in place from class to class, then
 * splits), runs of deletes (merges), mixes, some aborted. After every
 * commit the KEEP older versions must still read exactly as they did:
 * copying a leaf into another class never touches the original. */
static void
test_tree_caps(void)
{
	struct run rn = { 0 };
	struct version hist[KEEP];
	struct model old = { 0 };
	unsigned s = rng_init(4), maxh = 0;
	uint64_t seen = 0;
	size_t nhist = 0, commits = 0, aborts = 0;

	memset(hist, 0, sizeof(hist));
	for (unsigned life = 0; life < 10; life++) {
		/* The first lives start from a handful of keys, so that one
		 * leaf grows through every class before it splits. */
		tree_t *t = build_random(&rn, &s, life < 3 ? life : rnd(&s) % 301);
		CU_ASSERT_FATAL(check_tree(t, &rn.m, &s, 20));
		CU_ASSERT_FATAL(check_caps(t, true, &seen));
		for (unsigned round = 0; round < 300; round++) {
			bool single = round < 150, tight = single;
			bool abort_it = !single && rnd(&s) % 8 == 0;
			unsigned kind = rnd(&s) % 4;
			struct model *m = &rn.m;

			model_copy(&old, m);
			rn.made.n = rn.gone.n = 0;
			CU_ASSERT_FATAL(tree_txn_begin(t, &rn.txn) == SN_OK);
			if (single) {
				/* Grow towards 300 keys in the first half, then
				 * shrink, with replaces and misses mixed in. */
				uint8_t k[TREE_KEY_MAXLEN];
				size_t len = rand_key(&s, k);
				bool grow = round < 75 ? kind != 0 : kind == 0;
				if (m->n > 0 && (rnd(&s) % 4 == 0 || !grow)) {
					const struct rec *r = m->r[rnd(&s) % m->n];
					memcpy(k, r->key, r->len);
					len = r->len;
				}
				if (grow) {
					run_set(&rn, k, len);
				} else {
					run_del(&rn, k, len);
				}
			} else if (kind == 0 && m->n > 0) {
				size_t at = rnd(&s) % m->n, cnt = 1 + rnd(&s) % 150;
				while (cnt-- > 0 && at < m->n) {
					run_del(&rn, m->r[at]->key, m->r[at]->len);
				}
			} else if (kind <= 2) {
				uint8_t k[TREE_KEY_MAXLEN];
				size_t blen = rand_key(&s, k), cnt = 1 + rnd(&s) % 150;
				for (size_t c = 0; c < cnt; c++) {
					k[blen] = (uint8_t)rnd(&s);
					k[blen + 1] = (uint8_t)rnd(&s);
					run_set(&rn, k, blen + 1 + rnd(&s) % 2);
				}
			} else {
				unsigned nops = 1 + rnd(&s) % 40;
				for (unsigned op = 0; op < nops; op++) {
					uint8_t k[TREE_KEY_MAXLEN];
					size_t len = rand_key(&s, k);
					if (m->n > 0 && rnd(&s) % 2 == 0) {
						const struct rec *r = m->r[rnd(&s) % m->n];
						memcpy(k, r->key, r->len);
						len = r->len;
					}
					if (rnd(&s) % 2 == 0) {
						run_set(&rn, k, len);
					} else {
						run_del(&rn, k, len);
					}
				}
			}
			const tree_t *cur = tree_txn_tree(rn.txn);
			CU_ASSERT_FATAL(check_tree(cur, m, &s, 5));
			CU_ASSERT_FATAL(check_caps(cur, false, &seen));
			if (abort_it) {
				tree_txn_abort(rn.txn);
				free_recs(rn.made.r, rn.made.n);
				model_copy(m, &old);
				CU_ASSERT_FATAL(check_tree(t, m, &s, 5));
				aborts++;
				continue;
			}
			tree_t *nt = NULL;
			tree_garbage_t *g = NULL;
			CU_ASSERT_FATAL(tree_txn_commit(rn.txn, &nt, &g) == SN_OK);
			if (nhist == KEEP) {
				version_drop(&hist[0]);
				memmove(hist, hist + 1, (KEEP - 1) * sizeof(hist[0]));
				memset(&hist[KEEP - 1], 0, sizeof(hist[0]));	/* moved, not shared */
				nhist--;
			}
			struct version *v = &hist[nhist++];
			v->t = t;
			v->g = g;
			model_copy(&v->m, &old);
			model_copy(&v->gone, &rn.gone);
			t = nt;
			commits++;
			CU_ASSERT_FATAL(check_tree(t, m, &s, 10));
			CU_ASSERT_FATAL(check_caps(t, tight, &seen));
			for (size_t i = 0; i < nhist; i++) {
				CU_ASSERT_FATAL(check_tree(hist[i].t, &hist[i].m, &s, 3));
			}
			if (tree_height(t) > maxh) {
				maxh = tree_height(t);
			}
		}
		/* Tight again: a fresh build of the same keys. */
		while (nhist > 0) {
			version_drop(&hist[--nhist]);
		}
		tree_free(t);
		free_recs(rn.m.r, rn.m.n);
		rn.m.n = 0;
	}
	uint64_t all = TREE_LEAF_CAPS == 64 ? ~(uint64_t)0 : ((uint64_t)1 << TREE_LEAF_CAPS) - 1;
	if (seen != all) {
		printf("\ntree: leaf classes used: %#llx (SIGNET_TEST_SEED=%u)\n",
		       (unsigned long long)seen, test_seed());
	}
	CU_ASSERT(seen == all);	/* every class was used */
	CU_ASSERT(maxh >= 3);
	CU_ASSERT(commits > 1000 && aborts > 0);
	free(rn.m.r);
	free(rn.made.r);
	free(rn.gone.r);
	free(old.r);
}

/* A small zone's tree costs what it holds: one leaf sized to its names,
 * not one of 64 entries; past 64 names, two leaves and an internal node
 * sized to its two children, not to 64. */
static void
test_tree_small_size(void)
{
	static uint8_t keys[128][4];
	tree_entry_t e[128];
	char v = 0;

	for (unsigned n = 1; n <= 128; n++) {
		tree_t *t = NULL;
		tree_stats_t st;
		size_t leafbytes = 0;
		for (unsigned i = 0; i < n; i++) {
			keys[i][0] = 'a';
			keys[i][1] = (uint8_t)('a' + i / 26);
			keys[i][2] = (uint8_t)('a' + i % 26);
			e[i] = (tree_entry_t){ keys[i], 3, &v };
		}
		CU_ASSERT_FATAL(tree_build_sorted(e, n, &t) == SN_OK);
		tree_stats(t, &st);
		CU_ASSERT_EQUAL(st.count, n);
		CU_ASSERT_EQUAL(st.leaves, n <= 64 ? 1 : 2);
		CU_ASSERT_EQUAL(st.inodes, n <= 64 ? 0 : 1);
		/* Leaves built sorted are sized to their content. */
		CU_ASSERT(st.slack <= (TREE_LEAF_STEP - 1) * st.leaves);
		if (n <= 64) {
			unsigned cls = (n + TREE_LEAF_STEP - 1) / TREE_LEAF_STEP;
			CU_ASSERT_EQUAL(st.slack, cls * TREE_LEAF_STEP - n);
			CU_ASSERT_EQUAL(st.leaf_caps[cls - 1], 1);
		}
		/* Per leaf entry: a 16-byte slice, a value pointer, a packed key
		 * pointer and length; per leaf one line of header and prefix.
		 * The internal node: a header, one slice, two children, and a
		 * separator of at most 3 bytes. Plus the handle. */
		for (unsigned i = 0; i < TREE_LEAF_CAPS; i++) {
			leafbytes += st.leaf_caps[i] * (64 + TREE_LEAF_STEP * (i + 1) * 34);
		}
		CU_ASSERT(st.bytes <= 64 + leafbytes + st.inodes * (16 + 12 + 16 + 3));
		tree_free(t);
	}
}

/* Allocation failures on demand. tree.c allocates its nodes with
 * posix_memalign and nothing else linked into the unit tests calls it, so
 * the test binary brings its own: it fails from the fail_after-th call on
 * while armed (>= 0) and otherwise is the C library's aligned_alloc. */
static long fail_after = -1;

int
posix_memalign(void **p, size_t align, size_t size)
{
	if (fail_after == 0) {
		return ENOMEM;
	}
	if (fail_after > 0) {
		fail_after--;
	}
	size_t rounded = (size + align - 1) / align * align;
	void *q = aligned_alloc(align, rounded == 0 ? align : rounded);
	if (q == NULL) {
		return ENOMEM;
	}
	*p = q;
	return 0;
}

/* Every node allocation of a change fails in turn: the change must report
 * SN_ENOMEM and leave the transaction exactly as it was (and leak nothing),
 * through splits, merges and shares at every level. */
static void
test_tree_enomem(void)
{
	struct model m = { 0 }, gone = { 0 };
	unsigned s = rng_init(3), id = 0;
	tree_t *t = NULL, *nt = NULL;
	tree_txn_t *txn = NULL;
	tree_garbage_t *g = NULL;
	size_t failures = 0;
	int rc;

	while (m.n < 6000) {	/* three levels */
		uint8_t k[TREE_KEY_MAXLEN];
		size_t len = rand_key(&s, k);
		size_t i = model_lower(&m, k, len);
		if (!model_has(&m, i, k, len)) {
			struct rec *r = rec_new(k, len, id++);
			CU_ASSERT_FATAL(r != NULL);
			model_set(&m, r);
		}
	}
	tree_entry_t *e = malloc(m.n * sizeof(*e));
	CU_ASSERT_FATAL(e != NULL);
	for (size_t i = 0; i < m.n; i++) {
		e[i] = (tree_entry_t){ m.r[i]->key, m.r[i]->len, m.r[i] };
	}
	for (long k = 0;; k++) {
		fail_after = k;
		rc = tree_build_sorted(e, m.n, &t);
		fail_after = -1;
		if (rc == SN_OK) {
			CU_ASSERT(k > 90);	/* every node allocation failed once */
			break;
		}
		CU_ASSERT_FATAL(rc == SN_ENOMEM);
		CU_ASSERT_FATAL(t == NULL);
	}
	free(e);
	CU_ASSERT_FATAL(check_tree(t, &m, &s, 50));
	CU_ASSERT(tree_height(t) == 3);

	CU_ASSERT_FATAL(tree_txn_begin(t, &txn) == SN_OK);
	size_t at = rnd(&s) % m.n;
	uint8_t base[TREE_KEY_MAXLEN];
	size_t blen = m.r[at]->len;
	memcpy(base, m.r[at]->key, blen);
	for (unsigned op = 0; op < 1600; op++) {
		/* First many keys next to one another (splits up the tree), then
		 * a run of deletes (merges and shares), with random ones mixed in. */
		bool del = op >= 800;
		uint8_t k[TREE_KEY_MAXLEN];
		size_t len;
		if (rnd(&s) % 4 == 0) {
			len = rand_key(&s, k);
		} else if (!del) {
			memcpy(k, base, blen);
			len = blen + 1 + rnd(&s) % 3;
			for (size_t j = blen; j < len; j++) {
				k[j] = (uint8_t)rnd(&s);
			}
		} else {
			size_t i = at < m.n ? at : m.n - 1;
			memcpy(k, m.r[i]->key, m.r[i]->len);
			len = m.r[i]->len;
		}
		size_t i = model_lower(&m, k, len);
		bool has = model_has(&m, i, k, len);
		struct rec *r = del ? NULL : rec_new(k, len, id++);
		for (long f = 0;; f++) {
			void *ov = (void *)1;
			fail_after = f;
			if (del) {
				rc = tree_txn_del(txn, k, len, &ov);
			} else {
				rc = tree_txn_set(txn, r->key, r->len, r, &ov);
			}
			fail_after = -1;
			if (rc == SN_ENOMEM) {
				failures++;
				CU_ASSERT_FATAL(ov == (void *)1);
				CU_ASSERT_FATAL(check_tree(tree_txn_tree(txn), &m, &s, 2));
				continue;
			}
			if (del && !has) {
				CU_ASSERT_FATAL(rc == SN_ENOTFOUND);
				break;
			}
			CU_ASSERT_FATAL(rc == SN_OK);
			if (has) {
				CU_ASSERT_FATAL(ov == m.r[i]);
				list_push(&gone, m.r[i]);
			}
			if (del) {
				model_del(&m, i);
			} else {
				model_set(&m, r);
			}
			break;
		}
	}
	CU_ASSERT_FATAL(check_tree(tree_txn_tree(txn), &m, &s, 100));
	CU_ASSERT_FATAL(tree_txn_commit(txn, &nt, &g) == SN_OK);
	tree_garbage_free(g);
	CU_ASSERT(check_tree(nt, &m, &s, 100));
	CU_ASSERT(failures > 100);
	tree_free(nt);
	free_recs(gone.r, gone.n);
	free_recs(m.r, m.n);
	free(gone.r);
	free(m.r);
}

static void
test_tree_small(void)
{
	tree_t *t = NULL, *nt = NULL;
	tree_txn_t *txn = NULL;
	tree_garbage_t *g = NULL;
	tree_iter_t it;
	void *ov = (void *)1;
	int a = 1, b = 2, c = 3;
	const uint8_t *fk = NULL;
	size_t fl = 0;

	CU_ASSERT_FATAL(tree_new(&t) == SN_OK);
	CU_ASSERT_EQUAL(tree_count(t), 0);
	CU_ASSERT_EQUAL(tree_check(t), SN_OK);
	CU_ASSERT_PTR_NULL(tree_get(t, (const uint8_t *)"a", 1));
	CU_ASSERT_PTR_NULL(tree_get_le(t, (const uint8_t *)"a", 1, &fk, &fl));
	CU_ASSERT_PTR_NULL(tree_get_gt(t, (const uint8_t *)"", 0, NULL, NULL));
	tree_iter_first(&it, t);
	CU_ASSERT_FALSE(tree_iter_is_valid(&it));
	tree_iter_seek_ge(&it, t, (const uint8_t *)"", 0);
	CU_ASSERT_FALSE(tree_iter_is_valid(&it));

	CU_ASSERT_FATAL(tree_txn_begin(t, &txn) == SN_OK);
	CU_ASSERT_EQUAL(tree_txn_set(txn, (const uint8_t *)"b", 1, NULL, &ov), SN_EINVAL);
	uint8_t big[TREE_KEY_MAXLEN + 1] = { 0 };
	CU_ASSERT_EQUAL(tree_txn_set(txn, big, sizeof(big), &a, &ov), SN_EINVAL);
	CU_ASSERT_EQUAL(tree_txn_set(txn, NULL, 0, &a, &ov), SN_EINVAL);
	CU_ASSERT_PTR_EQUAL(ov, (void *)1);	/* untouched on error */
	CU_ASSERT_EQUAL(tree_txn_set(txn, big, TREE_KEY_MAXLEN, &a, &ov), SN_OK);
	CU_ASSERT_PTR_NULL(ov);
	CU_ASSERT_EQUAL(tree_txn_set(txn, (const uint8_t *)"b", 1, &b, &ov), SN_OK);
	CU_ASSERT_EQUAL(tree_txn_set(txn, (const uint8_t *)"", 0, &c, NULL), SN_OK);
	CU_ASSERT_EQUAL(tree_txn_set(txn, (const uint8_t *)"b", 1, &c, &ov), SN_OK);
	CU_ASSERT_PTR_EQUAL(ov, &b);
	CU_ASSERT_EQUAL(tree_txn_del(txn, (const uint8_t *)"c", 1, &ov), SN_ENOTFOUND);
	CU_ASSERT_EQUAL(tree_txn_del(txn, (const uint8_t *)"", 0, &ov), SN_OK);
	CU_ASSERT_PTR_EQUAL(ov, &c);
	CU_ASSERT_EQUAL(tree_count(tree_txn_tree(txn)), 2);
	CU_ASSERT_EQUAL(tree_count(t), 0);	/* the base did not move */
	CU_ASSERT_EQUAL(tree_txn_commit(txn, &nt, &g), SN_OK);
	tree_garbage_free(g);
	t = nt;
	CU_ASSERT_EQUAL(tree_check(t), SN_OK);
	CU_ASSERT_PTR_EQUAL(tree_get(t, big, TREE_KEY_MAXLEN), &a);
	CU_ASSERT_PTR_EQUAL(tree_get(t, (const uint8_t *)"b", 1), &c);
	CU_ASSERT_PTR_NULL(tree_get(t, big, 1));
	/* "" < all-zero key < "b" */
	CU_ASSERT_PTR_NULL(tree_get_lt(t, big, TREE_KEY_MAXLEN, NULL, NULL));
	CU_ASSERT_PTR_EQUAL(tree_get_le(t, big, 3, &fk, &fl), NULL);
	CU_ASSERT_PTR_EQUAL(tree_get_ge(t, big, 3, &fk, &fl), &a);
	CU_ASSERT_EQUAL(fl, TREE_KEY_MAXLEN);
	CU_ASSERT_PTR_EQUAL(tree_get_gt(t, big, TREE_KEY_MAXLEN, &fk, &fl), &c);
	CU_ASSERT_EQUAL(fl, 1);
	CU_ASSERT_PTR_EQUAL(tree_get_le(t, (const uint8_t *)"z", 1, &fk, &fl), &c);

	/* Deleting everything leaves an empty tree; aborting keeps the base. */
	CU_ASSERT_FATAL(tree_txn_begin(t, &txn) == SN_OK);
	CU_ASSERT_EQUAL(tree_txn_del(txn, (const uint8_t *)"b", 1, NULL), SN_OK);
	CU_ASSERT_EQUAL(tree_txn_del(txn, big, TREE_KEY_MAXLEN, NULL), SN_OK);
	CU_ASSERT_EQUAL(tree_count(tree_txn_tree(txn)), 0);
	CU_ASSERT_EQUAL(tree_check(tree_txn_tree(txn)), SN_OK);
	tree_txn_abort(txn);
	CU_ASSERT_EQUAL(tree_count(t), 2);
	CU_ASSERT_EQUAL(tree_check(t), SN_OK);
	tree_txn_abort(NULL);
	tree_garbage_free(NULL);
	tree_free(t);
	tree_free(NULL);
}

static void
test_tree_build_errors(void)
{
	int v = 0;
	tree_entry_t e[3] = {
		{ (const uint8_t *)"a", 1, &v },
		{ (const uint8_t *)"ab", 2, &v },
		{ (const uint8_t *)"b", 1, &v },
	};
	tree_t *t = NULL;
	static uint8_t big[TREE_KEY_MAXLEN + 1];

	CU_ASSERT_EQUAL(tree_build_sorted(e, 3, &t), SN_OK);
	CU_ASSERT_EQUAL(tree_count(t), 3);
	CU_ASSERT_EQUAL(tree_check(t), SN_OK);
	tree_free(t);
	t = NULL;
	CU_ASSERT_EQUAL(tree_build_sorted(e, 0, &t), SN_OK);
	CU_ASSERT_EQUAL(tree_count(t), 0);
	tree_free(t);
	t = NULL;
	e[1].key = (const uint8_t *)"a";	/* duplicate */
	e[1].keylen = 1;
	CU_ASSERT_EQUAL(tree_build_sorted(e, 3, &t), SN_EINVAL);
	e[1].key = (const uint8_t *)"c";	/* out of order */
	CU_ASSERT_EQUAL(tree_build_sorted(e, 3, &t), SN_EINVAL);
	e[1].key = (const uint8_t *)"ab";
	e[1].keylen = 2;
	e[1].val = NULL;
	CU_ASSERT_EQUAL(tree_build_sorted(e, 3, &t), SN_EINVAL);
	e[1].val = &v;
	e[2].key = big;
	e[2].keylen = sizeof(big);
	CU_ASSERT_EQUAL(tree_build_sorted(e, 3, &t), SN_EINVAL);
	e[2].key = NULL;
	e[2].keylen = 0;
	CU_ASSERT_EQUAL(tree_build_sorted(e, 3, &t), SN_EINVAL);
	CU_ASSERT_PTR_NULL(t);	/* untouched on error */
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define BIG 1000000

/* A change in a 1,000,000-name tree copies at most one path, and a second
 * change next to it copies nothing more. */
static void
test_tree_copy_cost(void)
{
	uint8_t *keys = malloc((size_t)BIG * 32);
	uint16_t *klen = malloc(BIG * sizeof(*klen));
	tree_entry_t *e = malloc(BIG * sizeof(*e));
	tree_t *t = NULL, *nt = NULL;
	tree_txn_t *txn = NULL;
	tree_garbage_t *g = NULL;
	void *ov = NULL;
	static char vals[2];

	CU_ASSERT_FATAL(keys != NULL && klen != NULL && e != NULL);
	/* h0000000.example.com. ... in canonical order already. */
	for (unsigned i = 0; i < BIG; i++) {
		uint8_t name[DNAME_MAXLEN];
		size_t len = 0;
		char text[64];
		int tl = snprintf(text, sizeof(text), "h%07u.example.com.", i * 2);
		CU_ASSERT_FATAL(dname_from_text(text, (size_t)tl, NULL, name, &len) == SN_OK);
		size_t kl = 0;
		CU_ASSERT_FATAL(tree_key_from_dname(name, keys + (size_t)i * 32, &kl) == SN_OK);
		klen[i] = (uint16_t)kl;
		e[i] = (tree_entry_t){ keys + (size_t)i * 32, kl, &vals[0] };
	}
	double t0 = now();
	CU_ASSERT_FATAL(tree_build_sorted(e, BIG, &t) == SN_OK);
	double t1 = now();
	unsigned h = tree_height(t);
	CU_ASSERT(h >= 3 && h <= 5);
	CU_ASSERT_EQUAL(tree_count(t), BIG);

	/* Replacing a value copies exactly the path. */
	CU_ASSERT_FATAL(tree_txn_begin(t, &txn) == SN_OK);
	CU_ASSERT_EQUAL(tree_txn_set(txn, e[500000].key, e[500000].keylen, &vals[1], &ov), SN_OK);
	CU_ASSERT_PTR_EQUAL(ov, &vals[0]);
	CU_ASSERT_EQUAL(tree_txn_copied(txn), h);
	tree_txn_abort(txn);
	CU_ASSERT_PTR_EQUAL(tree_get(t, e[500000].key, e[500000].keylen), &vals[0]);

	/* Inserting into a full leaf splits it: still one path of copies. */
	static const uint8_t k1[] = "com\0example\0h0500001\0", k2[] = "com\0example\0h0500003\0";
	double t2 = now();
	CU_ASSERT_FATAL(tree_txn_begin(t, &txn) == SN_OK);
	CU_ASSERT_EQUAL(tree_txn_set(txn, k1, sizeof(k1) - 1, &vals[1], &ov), SN_OK);
	CU_ASSERT_PTR_NULL(ov);
	size_t copied = tree_txn_copied(txn);
	CU_ASSERT_FATAL(tree_txn_commit(txn, &nt, &g) == SN_OK);
	double t3 = now();
	CU_ASSERT(copied >= 1 && copied <= h);
	CU_ASSERT_PTR_EQUAL(tree_get(nt, k1, sizeof(k1) - 1), &vals[1]);
	CU_ASSERT_PTR_NULL(tree_get(t, k1, sizeof(k1) - 1));	/* the old tree did not change */
	tree_garbage_free(g);
	t = nt;

	/* Two changes in one txn, side by side: the second copies nothing. */
	CU_ASSERT_FATAL(tree_txn_begin(t, &txn) == SN_OK);
	CU_ASSERT_EQUAL(tree_txn_set(txn, k2, sizeof(k2) - 1, &vals[1], NULL), SN_OK);
	copied = tree_txn_copied(txn);
	CU_ASSERT(copied >= 1 && copied <= h);
	CU_ASSERT_EQUAL(tree_txn_del(txn, k1, sizeof(k1) - 1, &ov), SN_OK);
	CU_ASSERT_PTR_EQUAL(ov, &vals[1]);
	CU_ASSERT_EQUAL(tree_txn_copied(txn), copied);
	CU_ASSERT_FATAL(tree_txn_commit(txn, &nt, &g) == SN_OK);
	tree_garbage_free(g);
	t = nt;
	CU_ASSERT_EQUAL(tree_count(t), BIG + 1);
	CU_ASSERT_EQUAL(tree_check(t), SN_OK);
	printf("\n  tree: build %u keys %.0f ms, height %u, set+commit %.3f ms ", BIG,
	       (t1 - t0) * 1e3, h, (t3 - t2) * 1e3);
	tree_free(t);
	free(e);
	free(klen);
	free(keys);
}

int
test_tree_register(void)
{
	CU_pSuite s = CU_add_suite("tree", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_tree_key_order", test_tree_key_order);
	CU_add_test(s, "test_tree_key_errors", test_tree_key_errors);
	CU_add_test(s, "test_tree_small", test_tree_small);
	CU_add_test(s, "test_tree_build_errors", test_tree_build_errors);
	CU_add_test(s, "test_tree_model", test_tree_model);
	CU_add_test(s, "test_tree_enomem", test_tree_enomem);
	CU_add_test(s, "test_tree_caps", test_tree_caps);
	CU_add_test(s, "test_tree_small_size", test_tree_small_size);
	CU_add_test(s, "test_tree_copy_cost", test_tree_copy_cost);
	return CU_get_error();
}
