/* SPDX-License-Identifier: MIT
 * test_nhash.c - the persistent hash trie against a model, with forced collisions.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"
#include "zone/dname.h"
#include "zone/nhash.h"
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
	printf("\nnhash: check failed at line %d: %s (SIGNET_TEST_SEED=%u)\n", line, what,
	       test_seed());
}

#define CHECK(cond)                              \
	do {                                     \
		if (!(cond)) {                   \
			fail_at(__LINE__, #cond); \
			return false;            \
		}                                \
	} while (0)

/* Allocation failures on demand. nhash.c allocates its nodes with memalign
 * and nothing else linked into the unit tests calls it, so the test binary
 * brings its own: it fails from the fail_after-th call on while armed (>= 0)
 * and otherwise is the C library's aligned_alloc. */
static long fail_after = -1;

void *
memalign(size_t align, size_t size)
{
	if (fail_after == 0) {
		return NULL;
	}
	if (fail_after > 0) {
		fail_after--;
	}
	size_t rounded = (size + align - 1) / align * align;
	return aligned_alloc(align, rounded == 0 ? align : rounded);
}

/* ---- The hash function ---- */

/* Every length from 0 to 100 bytes (each code path of nhash_hash): flipping
 * any one input bit flips about half of the output bits, keys that differ
 * only in length hash apart, and the low 6-bit chunks the trie uses are
 * evenly spread over a million names of the form h<i>.example.com. */
static void
test_nhash_hash(void)
{
	unsigned s = rng_init(1);
	uint8_t k[128];
	double flips = 0;
	unsigned trials = 0, worst = 64, best = 0;

	for (size_t len = 0; len <= 100; len++) {
		for (unsigned t = 0; t < 20; t++) {
			for (size_t i = 0; i < len; i++) {
				k[i] = (uint8_t)rnd(&s);
			}
			uint64_t h = nhash_hash(k, len);
			CU_ASSERT_EQUAL(h, nhash_hash(k, len));	/* deterministic */
			for (size_t bitpos = 0; bitpos < len * 8; bitpos += 1 + rnd(&s) % 5) {
				k[bitpos / 8] ^= (uint8_t)(1u << (bitpos % 8));
				unsigned d = (unsigned)__builtin_popcountll(h ^ nhash_hash(k, len));
				k[bitpos / 8] ^= (uint8_t)(1u << (bitpos % 8));
				flips += d;
				trials++;
				worst = d < worst ? d : worst;
				best = d > best ? d : best;
			}
		}
	}
	double mean = flips / trials;
	CU_ASSERT(trials > 10000);
	CU_ASSERT(mean > 31.0 && mean < 33.0);
	CU_ASSERT(worst >= 8 && best <= 56);

	/* A key and its prefixes (as when probing ancestors) all differ. */
	memset(k, 0, sizeof(k));
	uint64_t seen[101];
	for (size_t len = 0; len <= 100; len++) {
		seen[len] = nhash_hash(k, len);
		for (size_t j = 0; j < len; j++) {
			CU_ASSERT(seen[j] != seen[len]);
		}
	}

	/* Chunks of 6 bits at depths 0..2 over a million zone-like names:
	 * chi-square against the uniform law, 63 degrees of freedom (the
	 * 99.99% quantile is about 120). */
	static unsigned cnt[3][64];
	memset(cnt, 0, sizeof(cnt));
	for (unsigned i = 0; i < 1000000; i++) {
		char text[64];
		uint8_t name[DNAME_MAXLEN], key[TREE_KEY_MAXLEN];
		size_t nl = 0, kl = 0;
		int tl = snprintf(text, sizeof(text), "h%u.example.com.", i);
		CU_ASSERT_FATAL(dname_from_text(text, (size_t)tl, NULL, name, &nl) == SN_OK);
		CU_ASSERT_FATAL(tree_key_from_dname(name, key, &kl) == SN_OK);
		uint64_t h = nhash_hash(key, kl);
		for (int d = 0; d < 3; d++) {
			cnt[d][(h >> (6 * d)) & 63]++;
		}
	}
	for (int d = 0; d < 3; d++) {
		double chi = 0, want = 1000000.0 / 64;
		for (int j = 0; j < 64; j++) {
			chi += (cnt[d][j] - want) * (cnt[d][j] - want) / want;
		}
		CU_ASSERT(chi < 130);
	}
}

/* ---- Maps against a model ---- */

/* A value: its key lives inside it, as in a zone snapshot. */
struct rec {
	uint64_t hash;
	size_t len;
	unsigned id;
	uint8_t key[];
};

/* The hash a test feeds the map: the real one, or one that forces
 * collisions and deep paths. */
enum hmode { H_REAL, H_FEW, H_DEEP, H_HIGH };

static uint64_t
test_hash(enum hmode m, const uint8_t *k, size_t len)
{
	uint64_t h = nhash_hash(k, len);
	switch (m) {
	case H_FEW:	/* 512 values: collision nodes everywhere */
		return h & 0x1ff;
	case H_DEEP:	/* 16 values differing only in bits 0-1 and 60-61: full-depth paths */
		return (h & 3) | ((h >> 2 & 3) << 60);
	case H_HIGH:	/* 24 bits, high up: chains of single-child nodes above them */
		return h << 40;
	default:
		return h;
	}
}

static struct rec *
rec_new(enum hmode m, const uint8_t *key, size_t len, unsigned id)
{
	struct rec *r = malloc(sizeof(*r) + len + 1);
	if (r != NULL) {
		r->len = len;
		r->id = id;
		memcpy(r->key, key, len);
		r->hash = test_hash(m, r->key, len);
	}
	return r;
}

/* Random keys over a tiny alphabet, so that sets often hit existing keys;
 * the empty key included. */
static size_t
rand_key(unsigned *s, uint8_t *k)
{
	static const uint8_t ALPHA[] = { 0x00, 0x01, 'a', 'b', 'c', 0xff };
	size_t len = rnd(s) % 8 == 0 ? rnd(s) % 40 : rnd(s) % 7;
	for (size_t i = 0; i < len; i++) {
		k[i] = ALPHA[rnd(s) % sizeof(ALPHA)];
	}
	return len;
}

static int
keycmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0) {
		return c;
	}
	return (alen > blen) - (alen < blen);
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
model_set(struct model *m, struct rec *r)
{
	size_t i = model_lower(m, r->key, r->len);
	if (model_has(m, i, r->key, r->len)) {
		m->r[i] = r;
		return;
	}
	list_push(m, r);	/* grows the array */
	memmove(m->r + i + 1, m->r + i, (m->n - 1 - i) * sizeof(*m->r));
	m->r[i] = r;
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

/* Compares the map with the model: invariants, count, every key (looked up
 * through a copy, so the map must compare bytes, not pointers), and random
 * probes, present or not. */
static bool
check_map(const nhash_t *h, const struct model *m, enum hmode hm, unsigned *s, unsigned probes)
{
	nhash_stats_t st;

	CHECK(nhash_check(h) == SN_OK);
	CHECK(nhash_count(h) == m->n);
	nhash_stats(h, &st);
	CHECK(st.count == m->n);
	CHECK(st.depth <= NHASH_MAXDEPTH);
	for (size_t i = 0; i < m->n; i++) {
		uint8_t copy[64];
		memcpy(copy, m->r[i]->key, m->r[i]->len);
		CHECK(nhash_get(h, m->r[i]->hash, copy, m->r[i]->len) == m->r[i]);
		if (hm == H_REAL) {
			CHECK(nhash_find(h, copy, m->r[i]->len) == m->r[i]);
		}
	}
	for (unsigned p = 0; p < probes; p++) {
		uint8_t k[64];
		size_t len = rand_key(s, k);
		size_t i = model_lower(m, k, len);
		void *want = model_has(m, i, k, len) ? m->r[i] : NULL;
		CHECK(nhash_get(h, test_hash(hm, k, len), k, len) == want);
	}
	return true;
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
	nhash_txn_t *txn;
	struct model made, gone;	/* unsorted lists */
	enum hmode hm;
	unsigned id;
	size_t maxcopy;		/* most copies one change made */
};

static void
run_set(struct run *rn, const uint8_t *k, size_t len)
{
	size_t i = model_lower(&rn->m, k, len);
	bool has = model_has(&rn->m, i, k, len);
	void *ov = (void *)1;
	struct rec *r = rec_new(rn->hm, k, len, rn->id++);
	size_t before = nhash_txn_copied(rn->txn);

	CU_ASSERT_FATAL(r != NULL);
	list_push(&rn->made, r);
	CU_ASSERT_FATAL(nhash_txn_set(rn->txn, r->hash, r->key, r->len, r, &ov) == SN_OK);
	CU_ASSERT_FATAL(ov == (has ? rn->m.r[i] : NULL));
	size_t cost = nhash_txn_copied(rn->txn) - before;
	CU_ASSERT_FATAL(cost <= NHASH_MAXDEPTH);
	rn->maxcopy = cost > rn->maxcopy ? cost : rn->maxcopy;
	if (has) {
		list_push(&rn->gone, rn->m.r[i]);
	}
	model_set(&rn->m, r);
}

static void
run_del(struct run *rn, const uint8_t *key, size_t len)
{
	uint8_t k[64];
	memcpy(k, key, len);	/* `key` may be the record's own */
	size_t i = model_lower(&rn->m, k, len);
	bool has = model_has(&rn->m, i, k, len);
	void *ov = (void *)1;
	size_t before = nhash_txn_copied(rn->txn);
	int rc = nhash_txn_del(rn->txn, test_hash(rn->hm, k, len), k, len, &ov);

	CU_ASSERT_FATAL(nhash_txn_copied(rn->txn) - before <= NHASH_MAXDEPTH);
	CU_ASSERT_FATAL(rc == (has ? SN_OK : SN_ENOTFOUND));
	if (has) {
		CU_ASSERT_FATAL(ov == rn->m.r[i]);
		list_push(&rn->gone, rn->m.r[i]);
		model_del(&rn->m, i);
	} else {
		CU_ASSERT_FATAL(ov == (void *)1);	/* untouched */
	}
}

/* Random transactions from a map made by nhash_build, checked against a
 * sorted-array model after each one; the old map must still read as before
 * (persistence) until its garbage is freed. Transactions are a few random
 * sets and deletes, sometimes hundreds, sometimes a run of deletes; some
 * are aborted. The size swings between empty and several thousand, so
 * nodes grow, split, and fold back. Run once per hash mode. */
static void
model_run(enum hmode hm, unsigned rounds)
{
	static const size_t TARGET[] = { 5000, 40, 0, 3000, 300, 0, 2000 };
	struct run rn = { .hm = hm };
	struct model old = { 0 };
	unsigned s = rng_init(10 + hm);
	nhash_t *h = NULL;
	size_t commits = 0, aborts = 0;
	unsigned maxdepth = 0;

	/* Initial contents, deduplicated through the model. */
	size_t n0 = 1000 + rnd(&s) % 3000;
	for (size_t i = 0; i < n0; i++) {
		uint8_t k[64];
		size_t len = rand_key(&s, k);
		size_t at = model_lower(&rn.m, k, len);
		if (!model_has(&rn.m, at, k, len)) {
			struct rec *r = rec_new(hm, k, len, rn.id++);
			CU_ASSERT_FATAL(r != NULL);
			model_set(&rn.m, r);
		}
	}
	nhash_entry_t *ents = malloc((rn.m.n + 1) * sizeof(*ents));
	CU_ASSERT_FATAL(ents != NULL);
	for (size_t i = 0; i < rn.m.n; i++) {
		/* Reversed pairs: build takes any order. */
		struct rec *r = rn.m.r[(i ^ 1) < rn.m.n ? (i ^ 1) : i];
		ents[i] = (nhash_entry_t){ r->key, r->len, r, r->hash };
	}
	CU_ASSERT_FATAL(nhash_build(ents, rn.m.n, &h) == SN_OK);
	free(ents);
	CU_ASSERT_FATAL(check_map(h, &rn.m, hm, &s, 200));

	for (unsigned round = 0; round < rounds; round++) {
		size_t target = TARGET[round / 150 % (sizeof(TARGET) / sizeof(TARGET[0]))];
		unsigned kind = rnd(&s) % 16;
		bool abort_it = rnd(&s) % 10 == 0;
		struct model *m = &rn.m;

		model_copy(&old, m);	/* for the persistence check */
		rn.made.n = rn.gone.n = 0;
		CU_ASSERT_FATAL(nhash_txn_begin(h, &rn.txn) == SN_OK);
		if (kind == 0 && m->n > 0) {
			/* A run of deletes. */
			size_t cnt = 1 + rnd(&s) % 800;
			while (cnt-- > 0 && m->n > 0) {
				size_t at = rnd(&s) % m->n;
				run_del(&rn, m->r[at]->key, m->r[at]->len);
			}
		} else {
			unsigned nops = rnd(&s) % 10 == 0 ? 1 + rnd(&s) % 400 : 1 + rnd(&s) % 12;
			for (unsigned op = 0; op < nops; op++) {
				uint8_t k[64];
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
			CU_ASSERT_FATAL(check_map(nhash_txn_map(rn.txn), m, hm, &s, 20));
		}
		if (abort_it) {
			nhash_txn_abort(rn.txn);
			/* The base is as it was; what the txn made is not in it. */
			free_recs(rn.made.r, rn.made.n);
			model_copy(m, &old);
			CU_ASSERT_FATAL(check_map(h, m, hm, &s, 20));
			aborts++;
			continue;
		}
		nhash_t *nh = NULL;
		nhash_garbage_t *g = NULL;
		CU_ASSERT_FATAL(nhash_txn_commit(rn.txn, &nh, &g) == SN_OK);
		CU_ASSERT_FATAL(check_map(nh, m, hm, &s, 40));
		CU_ASSERT_FATAL(check_map(h, &old, hm, &s, 10));
		nhash_garbage_free(g);	/* also frees the old handle */
		h = nh;
		/* Values replaced or removed are freed only now, so a map still
		 * pointing into them would be caught by ASan. */
		free_recs(rn.gone.r, rn.gone.n);
		commits++;
		nhash_stats_t st;
		nhash_stats(h, &st);
		maxdepth = st.depth > maxdepth ? st.depth : maxdepth;
	}
	CU_ASSERT(commits > 0 && aborts > 0);
	/* The modes reach what they are for. */
	if (hm == H_DEEP) {
		CU_ASSERT(maxdepth == NHASH_MAXDEPTH);
	} else if (hm == H_HIGH) {
		CU_ASSERT(maxdepth >= 8);
	} else {
		CU_ASSERT(maxdepth >= 3);
	}
	CU_ASSERT(rn.maxcopy >= 2);
	nhash_free(h);
	free_recs(rn.m.r, rn.m.n);
	free(rn.m.r);
	free(old.r);
	free(rn.made.r);
	free(rn.gone.r);
}

static void
test_nhash_model(void)
{
	model_run(H_REAL, 1200);
}

/* The same with hashes that collide on purpose: 512 values, 16 values that
 * differ only in the first and the last chunk, and 24 bits at the top. */
static void
test_nhash_model_collisions(void)
{
	model_run(H_FEW, 500);
	model_run(H_DEEP, 300);
	model_run(H_HIGH, 500);
}

/* A hand-made walk down to the deepest node and back: two keys whose
 * hashes differ only in bit 63 need a node at every depth, a third key
 * with the first one's hash a collision node below them; removing keys
 * folds the chain back up into the root. */
static void
test_nhash_deep(void)
{
	static const uint8_t ka[] = "a", kb[] = "b", kc[] = "c";
	nhash_t *h = NULL, *nh = NULL;
	nhash_txn_t *txn = NULL;
	nhash_garbage_t *g = NULL;
	nhash_stats_t st;
	int va, vb, vc;
	void *ov = NULL;
	uint64_t hb = (uint64_t)1 << 63;

	CU_ASSERT_FATAL(nhash_new(&h) == SN_OK);
	CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, 0, ka, 1, &va, NULL), SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, hb, kb, 1, &vb, NULL), SN_OK);
	nhash_stats(nhash_txn_map(txn), &st);
	CU_ASSERT_EQUAL(st.depth, NHASH_MAXDEPTH - 1);
	CU_ASSERT_EQUAL(st.nodes, NHASH_MAXDEPTH - 1);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, 0, kc, 1, &vc, &ov), SN_OK);
	CU_ASSERT_PTR_NULL(ov);
	nhash_stats(nhash_txn_map(txn), &st);
	CU_ASSERT_EQUAL(st.depth, NHASH_MAXDEPTH);
	CU_ASSERT_EQUAL(st.coll_nodes, 1);
	CU_ASSERT_EQUAL(nhash_check(nhash_txn_map(txn)), SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_copied(txn), 0);	/* the base was empty */
	CU_ASSERT_EQUAL(nhash_txn_commit(txn, &nh, &g), SN_OK);
	nhash_garbage_free(g);
	h = nh;
	CU_ASSERT_PTR_EQUAL(nhash_get(h, 0, ka, 1), &va);
	CU_ASSERT_PTR_EQUAL(nhash_get(h, hb, kb, 1), &vb);
	CU_ASSERT_PTR_EQUAL(nhash_get(h, 0, kc, 1), &vc);
	CU_ASSERT_PTR_NULL(nhash_get(h, hb, ka, 1));	/* right key, wrong hash */
	CU_ASSERT_PTR_NULL(nhash_get(h, 0, kb, 1));
	CU_ASSERT_PTR_NULL(nhash_get(h, 1, ka, 1));
	CU_ASSERT_PTR_NULL(nhash_get(h, (uint64_t)1 << 62, ka, 1));

	/* Removing b leaves a and c, equal hashes: one collision node right
	 * under the root, the chain freed. */
	CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_del(txn, hb, kb, 1, &ov), SN_OK);
	CU_ASSERT_PTR_EQUAL(ov, &vb);
	CU_ASSERT_EQUAL(nhash_txn_copied(txn), NHASH_MAXDEPTH - 1);	/* every regular node */
	nhash_stats(nhash_txn_map(txn), &st);
	CU_ASSERT_EQUAL(st.depth, 2);
	CU_ASSERT_EQUAL(st.nodes, 2);
	CU_ASSERT_EQUAL(nhash_check(nhash_txn_map(txn)), SN_OK);
	/* Then removing c leaves a alone in the root. */
	CU_ASSERT_EQUAL(nhash_txn_del(txn, 0, kc, 1, &ov), SN_OK);
	CU_ASSERT_PTR_EQUAL(ov, &vc);
	CU_ASSERT_EQUAL(nhash_txn_copied(txn), NHASH_MAXDEPTH);
	CU_ASSERT_EQUAL(nhash_txn_del(txn, 0, kc, 1, &ov), SN_ENOTFOUND);
	nhash_stats(nhash_txn_map(txn), &st);
	CU_ASSERT_EQUAL(st.depth, 1);
	CU_ASSERT_EQUAL(st.nodes, 1);
	CU_ASSERT_EQUAL(nhash_check(nhash_txn_map(txn)), SN_OK);
	CU_ASSERT_PTR_EQUAL(nhash_get(nhash_txn_map(txn), 0, ka, 1), &va);
	CU_ASSERT_EQUAL(nhash_txn_commit(txn, &nh, &g), SN_OK);
	/* The old map is intact until its garbage goes. */
	CU_ASSERT_PTR_EQUAL(nhash_get(h, hb, kb, 1), &vb);
	CU_ASSERT_PTR_EQUAL(nhash_get(h, 0, kc, 1), &vc);
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);
	nhash_garbage_free(g);
	h = nh;
	CU_ASSERT_EQUAL(nhash_count(h), 1);
	nhash_free(h);
}

/* Hundreds of keys under one hash, built and changed: one collision node. */
static void
test_nhash_same_hash(void)
{
	enum { N = 300 };
	static uint8_t keys[N][4];
	static int vals[N];
	nhash_entry_t e[N];
	nhash_t *h = NULL, *nh = NULL;
	nhash_txn_t *txn = NULL;
	nhash_garbage_t *g = NULL;
	nhash_stats_t st;
	void *ov = NULL;
	const uint64_t H = 0x0123456789abcdefull;

	for (unsigned i = 0; i < N; i++) {
		keys[i][0] = (uint8_t)'k';
		keys[i][1] = (uint8_t)(i >> 8);
		keys[i][2] = (uint8_t)i;
		e[i] = (nhash_entry_t){ keys[i], 3, &vals[i], H };
	}
	CU_ASSERT_FATAL(nhash_build(e, N, &h) == SN_OK);
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);
	/* The checker notices two equal keys in a collision node (here by
	 * changing key bytes the map borrows, which callers must not do). */
	keys[1][2] = 0;
	CU_ASSERT_EQUAL(nhash_check(h), SN_ECHECK);
	keys[1][2] = 1;
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);
	nhash_stats(h, &st);
	CU_ASSERT_EQUAL(st.nodes, 2);
	CU_ASSERT_EQUAL(st.coll_nodes, 1);
	for (unsigned i = 0; i < N; i++) {
		CU_ASSERT_PTR_EQUAL(nhash_get(h, H, keys[i], 3), &vals[i]);
		CU_ASSERT_PTR_NULL(nhash_get(h, H, keys[i], 2));
		CU_ASSERT_PTR_NULL(nhash_get(h, H ^ 1, keys[i], 3));
	}
	CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
	for (unsigned i = 0; i < N; i += 2) {
		CU_ASSERT_EQUAL(nhash_txn_del(txn, H, keys[i], 3, &ov), SN_OK);
		CU_ASSERT_PTR_EQUAL(ov, &vals[i]);
	}
	/* The first change copied the collision node and the root; later ones
	 * change those copies. */
	CU_ASSERT_EQUAL(nhash_txn_copied(txn), 2);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, H, keys[1], 3, &vals[0], &ov), SN_OK);
	CU_ASSERT_PTR_EQUAL(ov, &vals[1]);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, H + 1, keys[1], 2, &vals[0], &ov), SN_OK);
	CU_ASSERT_PTR_NULL(ov);
	CU_ASSERT_EQUAL(nhash_check(nhash_txn_map(txn)), SN_OK);
	CU_ASSERT_EQUAL(nhash_count(nhash_txn_map(txn)), N / 2 + 1);
	CU_ASSERT_EQUAL(nhash_txn_commit(txn, &nh, &g), SN_OK);
	CU_ASSERT_EQUAL(nhash_count(h), N);
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);
	nhash_garbage_free(g);
	h = nh;
	for (unsigned i = 0; i < N; i++) {
		void *want = i % 2 ? &vals[i] : NULL;
		if (i == 1) {
			want = &vals[0];
		}
		CU_ASSERT_PTR_EQUAL(nhash_get(h, H, keys[i], 3), want);
	}
	CU_ASSERT_PTR_EQUAL(nhash_get(h, H + 1, keys[1], 2), &vals[0]);
	nhash_free(h);
}

static void
test_nhash_small(void)
{
	nhash_t *h = NULL, *nh = NULL;
	nhash_txn_t *txn = NULL;
	nhash_garbage_t *g = NULL;
	void *ov = (void *)1;
	int a = 1, b = 2, c = 3;
	static uint8_t big[NHASH_KEY_MAXLEN + 1];
	const uint8_t *kb = (const uint8_t *)"b";
	uint64_t hb = nhash_hash(kb, 1), he = nhash_hash(NULL, 0);

	CU_ASSERT_FATAL(nhash_new(&h) == SN_OK);
	CU_ASSERT_EQUAL(nhash_count(h), 0);
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);
	CU_ASSERT_PTR_NULL(nhash_find(h, kb, 1));
	CU_ASSERT_PTR_NULL(nhash_find(h, NULL, 0));

	CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_del(txn, hb, kb, 1, &ov), SN_ENOTFOUND);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, hb, kb, 1, NULL, &ov), SN_EINVAL);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, 7, big, sizeof(big), &a, &ov), SN_EINVAL);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, 7, NULL, 1, &a, &ov), SN_EINVAL);
	CU_ASSERT_PTR_EQUAL(ov, (void *)1);	/* untouched on error */
	CU_ASSERT_EQUAL(nhash_txn_set(txn, 7, big, NHASH_KEY_MAXLEN, &a, &ov), SN_OK);
	CU_ASSERT_PTR_NULL(ov);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, hb, kb, 1, &b, &ov), SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, he, NULL, 0, &c, NULL), SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, hb, kb, 1, &c, &ov), SN_OK);
	CU_ASSERT_PTR_EQUAL(ov, &b);
	CU_ASSERT_EQUAL(nhash_txn_copied(txn), 0);
	CU_ASSERT_EQUAL(nhash_txn_del(txn, nhash_hash((const uint8_t *)"c", 1),
				      (const uint8_t *)"c", 1, &ov), SN_ENOTFOUND);
	CU_ASSERT_PTR_EQUAL(nhash_find(nhash_txn_map(txn), NULL, 0), &c);
	CU_ASSERT_EQUAL(nhash_txn_del(txn, he, (const uint8_t *)"", 0, &ov), SN_OK);
	CU_ASSERT_PTR_EQUAL(ov, &c);
	CU_ASSERT_EQUAL(nhash_count(nhash_txn_map(txn)), 2);
	CU_ASSERT_EQUAL(nhash_count(h), 0);	/* the base did not move */
	CU_ASSERT_EQUAL(nhash_txn_commit(txn, &nh, &g), SN_OK);
	nhash_garbage_free(g);
	h = nh;
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);
	CU_ASSERT_PTR_EQUAL(nhash_get(h, 7, big, NHASH_KEY_MAXLEN), &a);
	CU_ASSERT_PTR_NULL(nhash_get(h, 7, big, NHASH_KEY_MAXLEN - 1));
	CU_ASSERT_PTR_EQUAL(nhash_find(h, kb, 1), &c);
	CU_ASSERT_PTR_NULL(nhash_find(h, NULL, 0));

	/* Deleting everything leaves an empty map; aborting keeps the base. */
	CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_del(txn, hb, kb, 1, NULL), SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_del(txn, 7, big, NHASH_KEY_MAXLEN, NULL), SN_OK);
	CU_ASSERT_EQUAL(nhash_count(nhash_txn_map(txn)), 0);
	CU_ASSERT_EQUAL(nhash_check(nhash_txn_map(txn)), SN_OK);
	CU_ASSERT_PTR_NULL(nhash_find(nhash_txn_map(txn), kb, 1));
	CU_ASSERT_EQUAL(nhash_txn_set(txn, hb, kb, 1, &a, NULL), SN_OK);	/* and again */
	CU_ASSERT_PTR_EQUAL(nhash_find(nhash_txn_map(txn), kb, 1), &a);
	nhash_txn_abort(txn);
	CU_ASSERT_EQUAL(nhash_count(h), 2);
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);
	CU_ASSERT_PTR_EQUAL(nhash_find(h, kb, 1), &c);

	/* Emptied and committed. */
	CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_del(txn, hb, kb, 1, NULL), SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_del(txn, 7, big, NHASH_KEY_MAXLEN, NULL), SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_commit(txn, &nh, &g), SN_OK);
	nhash_garbage_free(g);
	h = nh;
	CU_ASSERT_EQUAL(nhash_count(h), 0);
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);
	nhash_txn_abort(NULL);
	nhash_garbage_free(NULL);
	nhash_free(h);
	nhash_free(NULL);
}

static void
test_nhash_build_errors(void)
{
	int v = 0;
	nhash_entry_t e[3] = {
		{ (const uint8_t *)"a", 1, &v, 5 },
		{ (const uint8_t *)"ab", 2, &v, 5 },	/* same hash, another key */
		{ (const uint8_t *)"b", 1, &v, 6 },
	};
	nhash_t *h = NULL;
	static uint8_t big[NHASH_KEY_MAXLEN + 1];

	CU_ASSERT_EQUAL(nhash_build(e, 3, &h), SN_OK);
	CU_ASSERT_EQUAL(nhash_count(h), 3);
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);
	CU_ASSERT_PTR_EQUAL(nhash_get(h, 5, (const uint8_t *)"ab", 2), &v);
	nhash_free(h);
	h = NULL;
	CU_ASSERT_EQUAL(nhash_build(e, 0, &h), SN_OK);
	CU_ASSERT_EQUAL(nhash_count(h), 0);
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);
	nhash_free(h);
	h = NULL;
	e[1].key = (const uint8_t *)"a";	/* duplicate */
	e[1].keylen = 1;
	CU_ASSERT_EQUAL(nhash_build(e, 3, &h), SN_EINVAL);
	e[1].key = (const uint8_t *)"ab";
	e[1].keylen = 2;
	e[1].val = NULL;
	CU_ASSERT_EQUAL(nhash_build(e, 3, &h), SN_EINVAL);
	e[1].val = &v;
	e[2].key = big;
	e[2].keylen = sizeof(big);
	CU_ASSERT_EQUAL(nhash_build(e, 3, &h), SN_EINVAL);
	e[2].key = NULL;
	e[2].keylen = 1;
	CU_ASSERT_EQUAL(nhash_build(e, 3, &h), SN_EINVAL);
	CU_ASSERT_PTR_NULL(h);	/* untouched on error */
}

/* Every node allocation of a change fails in turn: the change must report
 * SN_ENOMEM and leave the transaction exactly as it was (and leak nothing),
 * through splits, chains, collision nodes and folds; so must the build. */
static void
enomem_run(enum hmode hm, unsigned nops)
{
	struct model m = { 0 }, gone = { 0 };
	unsigned s = rng_init(3 + hm), id = 0;
	nhash_t *h = NULL, *nh = NULL;
	nhash_txn_t *txn = NULL;
	nhash_garbage_t *g = NULL;
	size_t failures = 0;
	int rc;

	while (m.n < 1500) {
		uint8_t k[64];
		size_t len = rand_key(&s, k);
		size_t i = model_lower(&m, k, len);
		if (!model_has(&m, i, k, len)) {
			struct rec *r = rec_new(hm, k, len, id++);
			CU_ASSERT_FATAL(r != NULL);
			model_set(&m, r);
		}
	}
	nhash_entry_t *e = malloc(m.n * sizeof(*e));
	CU_ASSERT_FATAL(e != NULL);
	for (size_t i = 0; i < m.n; i++) {
		e[i] = (nhash_entry_t){ m.r[i]->key, m.r[i]->len, m.r[i], m.r[i]->hash };
	}
	for (long k = 0;; k++) {
		fail_after = k;
		rc = nhash_build(e, m.n, &h);
		fail_after = -1;
		if (rc == SN_OK) {
			CU_ASSERT(k > 100);	/* every node allocation failed once */
			break;
		}
		CU_ASSERT_FATAL(rc == SN_ENOMEM);
		CU_ASSERT_FATAL(h == NULL);
	}
	free(e);
	CU_ASSERT_FATAL(check_map(h, &m, hm, &s, 50));

	CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
	for (unsigned op = 0; op < nops; op++) {
		bool del = op >= nops / 2 ? rnd(&s) % 4 != 0 : rnd(&s) % 4 == 0;
		uint8_t k[64];
		size_t len = rand_key(&s, k);
		if (del && m.n > 0 && rnd(&s) % 2) {
			const struct rec *r = m.r[rnd(&s) % m.n];
			memcpy(k, r->key, r->len);
			len = r->len;
		}
		size_t i = model_lower(&m, k, len);
		bool has = model_has(&m, i, k, len);
		struct rec *r = rec_new(hm, k, len, id++);
		CU_ASSERT_FATAL(r != NULL);
		for (long f = 0;; f++) {
			void *ov = (void *)1;
			fail_after = f;
			if (del) {
				rc = nhash_txn_del(txn, r->hash, k, len, &ov);
			} else {
				rc = nhash_txn_set(txn, r->hash, r->key, r->len, r, &ov);
			}
			fail_after = -1;
			if (rc == SN_ENOMEM) {
				failures++;
				CU_ASSERT_FATAL(ov == (void *)1);
				CU_ASSERT_FATAL(check_map(nhash_txn_map(txn), &m, hm, &s, 2));
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
				r = NULL;
			}
			break;
		}
		free(r);	/* unused by a delete */
	}
	CU_ASSERT_FATAL(check_map(nhash_txn_map(txn), &m, hm, &s, 100));
	CU_ASSERT_FATAL(nhash_txn_commit(txn, &nh, &g) == SN_OK);
	nhash_garbage_free(g);
	CU_ASSERT(check_map(nh, &m, hm, &s, 100));
	CU_ASSERT(failures > nops / 4);
	nhash_free(nh);
	free_recs(gone.r, gone.n);
	free_recs(m.r, m.n);
	free(gone.r);
	free(m.r);
}

static void
test_nhash_enomem(void)
{
	nhash_t *h = NULL;
	nhash_txn_t *txn = NULL;
	int v;

	/* The first entry of an empty map. */
	CU_ASSERT_FATAL(nhash_new(&h) == SN_OK);
	CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
	fail_after = 0;
	CU_ASSERT_EQUAL(nhash_txn_set(txn, 1, (const uint8_t *)"a", 1, &v, NULL), SN_ENOMEM);
	fail_after = -1;
	CU_ASSERT_EQUAL(nhash_count(nhash_txn_map(txn)), 0);
	CU_ASSERT_EQUAL(nhash_check(nhash_txn_map(txn)), SN_OK);
	nhash_txn_abort(txn);
	nhash_free(h);

	enomem_run(H_FEW, 2000);
	enomem_run(H_REAL, 1500);
	enomem_run(H_HIGH, 1500);
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define BIG 1000000

/* A 1,000,000-name map (canonical keys of h<i>.example.com.): a change
 * copies at most one path plus one node, a second change next to it copies
 * no more than its own path, and the old map does not move. */
/* A small map costs what it holds: nhash_stats bytes stay within the
 * packed node layout (a 24-byte header, a 2-byte length and a 24-byte
 * entry per key, a pointer per child, up to 6 bytes of padding per node,
 * and the 24-byte handle) while a map grows one key per transaction from
 * empty to 200 keys and shrinks back, with nodes folded away as they empty
 * (canonical form). Each older version must read as before until its
 * garbage is freed. */
static bool
check_small(const nhash_t *h, uint8_t (*keys)[8], size_t lo, size_t hi, const int *vals)
{
	nhash_stats_t st;

	CHECK(nhash_check(h) == SN_OK);
	CHECK(nhash_count(h) == hi - lo);
	for (size_t i = lo; i < hi; i++) {
		CHECK(nhash_find(h, keys[i], 4) == &vals[i]);
	}
	nhash_stats(h, &st);
	CHECK(st.count == hi - lo);
	CHECK(st.bytes <= 24 + st.nodes * (24 + 8 + 6) + st.count * (2 + 24));
	CHECK(st.count == 0 ? st.nodes == 0 : st.nodes >= 1 && st.nodes <= st.count);
	return true;
}

static void
test_nhash_small_size(void)
{
	enum { N = 200 };
	static uint8_t keys[N][8];
	static int vals[N];
	unsigned s = rng_init(9);
	nhash_t *h = NULL;

	for (size_t i = 0; i < N; i++) {
		unsigned r = rnd(&s);
		keys[i][0] = (uint8_t)i;
		keys[i][1] = (uint8_t)(i >> 8);
		memcpy(&keys[i][2], &r, 2);	/* distinct keys, random hashes */
	}
	CU_ASSERT_FATAL(nhash_new(&h) == SN_OK);
	for (size_t step = 0; step < 2 * N; step++) {
		bool grow = step < N;
		size_t i = grow ? step : step - N;	/* deletes go oldest first */
		nhash_txn_t *txn = NULL;
		nhash_t *nh = NULL;
		nhash_garbage_t *g = NULL;
		uint64_t hash = nhash_hash(keys[i], 4);

		CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
		if (grow) {
			CU_ASSERT_FATAL(nhash_txn_set(txn, hash, keys[i], 4, &vals[i], NULL) == SN_OK);
		} else {
			CU_ASSERT_FATAL(nhash_txn_del(txn, hash, keys[i], 4, NULL) == SN_OK);
		}
		CU_ASSERT_FATAL(nhash_txn_commit(txn, &nh, &g) == SN_OK);
		/* The old version is intact until its garbage goes. */
		CU_ASSERT_FATAL(check_small(h, keys, grow ? 0 : i, grow ? i : N, vals));
		nhash_garbage_free(g);
		h = nh;
		CU_ASSERT_FATAL(check_small(h, keys, grow ? 0 : i + 1, grow ? i + 1 : N, vals));
	}
	nhash_free(h);
}

static void
test_nhash_copy_cost(void)
{
	uint8_t *keys = malloc((size_t)BIG * 32);
	nhash_entry_t *e = malloc(BIG * sizeof(*e));
	nhash_t *h = NULL, *nh = NULL;
	nhash_txn_t *txn = NULL;
	nhash_garbage_t *g = NULL;
	nhash_stats_t st;
	void *ov = NULL;
	static char vals[2];

	CU_ASSERT_FATAL(keys != NULL && e != NULL);
	for (unsigned i = 0; i < BIG; i++) {
		uint8_t name[DNAME_MAXLEN];
		size_t len = 0, kl = 0;
		char text[64];
		int tl = snprintf(text, sizeof(text), "h%u.example.com.", i * 2);
		CU_ASSERT_FATAL(dname_from_text(text, (size_t)tl, NULL, name, &len) == SN_OK);
		CU_ASSERT_FATAL(tree_key_from_dname(name, keys + (size_t)i * 32, &kl) == SN_OK);
		e[i] = (nhash_entry_t){ keys + (size_t)i * 32, kl, &vals[0],
					nhash_hash(keys + (size_t)i * 32, kl) };
	}
	double t0 = now();
	CU_ASSERT_FATAL(nhash_build(e, BIG, &h) == SN_OK);
	double t1 = now();
	nhash_stats(h, &st);
	CU_ASSERT_EQUAL(st.count, BIG);
	CU_ASSERT(st.depth >= 3 && st.depth <= 9);	/* about 2 log64(n) */
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);

	/* Replacing a value copies the path to it, nothing more. */
	const nhash_entry_t *x = &e[500000];
	CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, x->hash, x->key, x->keylen, &vals[1], &ov), SN_OK);
	CU_ASSERT_PTR_EQUAL(ov, &vals[0]);
	size_t copied = nhash_txn_copied(txn);
	CU_ASSERT(copied >= 2 && copied <= st.depth);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, x->hash, x->key, x->keylen, &vals[0], &ov), SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_copied(txn), copied);	/* its own copies now */
	nhash_txn_abort(txn);
	CU_ASSERT_PTR_EQUAL(nhash_get(h, x->hash, x->key, x->keylen), &vals[0]);

	/* Inserting a new name: at most the path plus one. */
	static const uint8_t k1[] = "com\0example\0h1\0", k2[] = "com\0example\0h3\0";
	uint64_t h1 = nhash_hash(k1, sizeof(k1) - 1), h2 = nhash_hash(k2, sizeof(k2) - 1);
	double t2 = now();
	CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, h1, k1, sizeof(k1) - 1, &vals[1], &ov), SN_OK);
	CU_ASSERT_PTR_NULL(ov);
	copied = nhash_txn_copied(txn);
	CU_ASSERT_FATAL(nhash_txn_commit(txn, &nh, &g) == SN_OK);
	double t3 = now();
	CU_ASSERT(copied >= 1 && copied <= st.depth + 1);
	CU_ASSERT_PTR_EQUAL(nhash_get(nh, h1, k1, sizeof(k1) - 1), &vals[1]);
	CU_ASSERT_PTR_NULL(nhash_get(h, h1, k1, sizeof(k1) - 1));	/* the old map did not change */
	nhash_garbage_free(g);
	h = nh;

	/* Two changes in one txn: the second copies at most its own path,
	 * less the root already copied. */
	CU_ASSERT_FATAL(nhash_txn_begin(h, &txn) == SN_OK);
	CU_ASSERT_EQUAL(nhash_txn_set(txn, h2, k2, sizeof(k2) - 1, &vals[1], NULL), SN_OK);
	size_t c1 = nhash_txn_copied(txn);
	CU_ASSERT(c1 >= 1 && c1 <= st.depth + 1);
	CU_ASSERT_EQUAL(nhash_txn_del(txn, h1, k1, sizeof(k1) - 1, &ov), SN_OK);
	CU_ASSERT_PTR_EQUAL(ov, &vals[1]);
	CU_ASSERT(nhash_txn_copied(txn) - c1 <= st.depth);
	CU_ASSERT_FATAL(nhash_txn_commit(txn, &nh, &g) == SN_OK);
	nhash_garbage_free(g);
	h = nh;
	CU_ASSERT_EQUAL(nhash_count(h), BIG + 1);
	CU_ASSERT_EQUAL(nhash_check(h), SN_OK);
	for (unsigned i = 0; i < BIG; i += 997) {
		CU_ASSERT_PTR_EQUAL(nhash_get(h, e[i].hash, e[i].key, e[i].keylen), &vals[0]);
	}
	nhash_stats(h, &st);
	printf("\n  nhash: build %u keys %.0f ms, depth %u, %.1f node bytes/entry, "
	       "set+commit %.3f ms ",
	       BIG, (t1 - t0) * 1e3, st.depth, (double)st.bytes / BIG, (t3 - t2) * 1e3);
	nhash_free(h);
	free(e);
	free(keys);
}

int
test_nhash_register(void)
{
	CU_pSuite s = CU_add_suite("nhash", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_nhash_hash", test_nhash_hash);
	CU_add_test(s, "test_nhash_small", test_nhash_small);
	CU_add_test(s, "test_nhash_small_size", test_nhash_small_size);
	CU_add_test(s, "test_nhash_build_errors", test_nhash_build_errors);
	CU_add_test(s, "test_nhash_deep", test_nhash_deep);
	CU_add_test(s, "test_nhash_same_hash", test_nhash_same_hash);
	CU_add_test(s, "test_nhash_model", test_nhash_model);
	CU_add_test(s, "test_nhash_model_collisions", test_nhash_model_collisions);
	CU_add_test(s, "test_nhash_enomem", test_nhash_enomem);
	CU_add_test(s, "test_nhash_copy_cost", test_nhash_copy_cost);
	return CU_get_error();
}
