/* SPDX-License-Identifier: MIT
 * bench_tree.c - lookups and one-key changes in a zone name index (tree and nhash).
 *
 * Builds the name index of a zone of N names (default 1,000,000) the way a
 * snapshot does (canonical keys, tree_build_sorted, nhash_build), then times
 * exact lookups of present names in random order (tree_get, nhash_get), misses
 * with their predecessor (tree_get_le), and single-key insert+commit. Heap
 * bytes are read from mallinfo2 before and after each build. Not part of the
 * build: compile it against the source tree whose tree.c it measures:
 *
 *	cc -O2 -std=gnu11 -I SRC -o bench_tree perf/bench_tree.c \
 *		SRC/zone/tree.c SRC/zone/nhash.c SRC/zone/dname.c SRC/zone/err.c
 *	./bench_tree [NAMES] [ROUNDS]
 *
 * (-O2 as the default build; give both builds being compared the same
 * flags, and run them in turns.) Prints one line per figure; the lookup
 * figures are the median of ROUNDS (default 5) passes.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "zone/dname.h"
#include "zone/nhash.h"
#include "zone/tree.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long long rs = 88172645463325252ull;

static unsigned long long
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Keys live packed in one pool, as node owners do in a snapshot. */
struct key {
	const uint8_t *k;
	size_t len;
};

static uint8_t *pool;
static size_t pool_used, pool_size;

static int
key_make(const char *text, size_t tl, struct key *out)
{
	uint8_t name[DNAME_MAXLEN], key[TREE_KEY_MAXLEN];
	size_t len, klen;

	if (dname_from_text(text, tl, NULL, name, &len) != SN_OK ||
	    tree_key_from_dname(name, key, &klen) != SN_OK || pool_used + klen > pool_size) {
		return -1;
	}
	memcpy(pool + pool_used, key, klen);
	out->k = pool + pool_used;
	out->len = klen;
	pool_used += klen;
	return 0;
}

static int
keycmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	size_t m = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->k, y->k, m);
	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static size_t
heap(void)
{
	return mallinfo2().uordblks;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct key *keys = malloc(n * sizeof(*keys));
	struct key *miss = malloc(n * sizeof(*miss));
	size_t *order = malloc(n * sizeof(*order));
	tree_entry_t *te = malloc(n * sizeof(*te));
	nhash_entry_t *he = malloc(n * sizeof(*he));
	double *tt = malloc((size_t)rounds * sizeof(double));
	static const char *words[] = { "www", "mail", "host", "a", "shop", "vpn", "ns", "cdn" };

	pool_size = n * 2 * 64;
	pool = malloc(pool_size);
	if (keys == NULL || miss == NULL || order == NULL || te == NULL || he == NULL || tt == NULL ||
	    pool == NULL) {
		return 1;
	}
	/* Names like a hosting zone: <word><number>.<subzone>.perf.example. */
	for (size_t i = 0; i < n; i++) {
		char text[128];
		int tl = snprintf(text, sizeof(text), "%s%llu.d%llu.perf.example.",
				  words[rnd() % 8], rnd() % 100000000, rnd() % 1000);
		if (key_make(text, (size_t)tl, &keys[i]) != 0) {
			return 1;
		}
		tl = snprintf(text, sizeof(text), "x%llu.d%llu.perf.example.", rnd() % 100000000,
			      rnd() % 1000);
		if (key_make(text, (size_t)tl, &miss[i]) != 0) {
			return 1;
		}
	}
	qsort(keys, n, sizeof(*keys), keycmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m == 0 || keycmp(&keys[m - 1], &keys[i]) != 0) {
			keys[m++] = keys[i];
		}
	}
	n = m;
	for (size_t i = 0; i < n; i++) {
		te[i] = (tree_entry_t){ keys[i].k, keys[i].len, &keys[i] };
		he[i] = (nhash_entry_t){ keys[i].k, keys[i].len, &keys[i],
					 nhash_hash(keys[i].k, keys[i].len) };
		order[i] = i;
	}
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd() % i, x = order[i - 1];
		order[i - 1] = order[j];
		order[j] = x;
	}
	tree_t *t = NULL;
	nhash_t *h = NULL;
	size_t h0 = heap();
	double t0 = now();
	if (tree_build_sorted(te, n, &t) != SN_OK) {
		return 1;
	}
	double t1 = now();
	size_t h1 = heap();
	if (nhash_build(he, n, &h) != SN_OK) {
		return 1;
	}
	size_t h2 = heap();
	printf("names %zu  tree height %u  build %.0f ms  tree heap %.1f MiB (%.1f B/name)"
	       "  nhash heap %.1f MiB\n",
	       n, tree_height(t), (t1 - t0) * 1e3, (double)(h1 - h0) / 1048576,
	       (double)(h1 - h0) / (double)n, (double)(h2 - h1) / 1048576);

	size_t found = 0;
	for (int r = 0; r < rounds; r++) {
		double a = now();
		for (size_t i = 0; i < n; i++) {
			const struct key *k = &keys[order[i]];
			found += tree_get(t, k->k, k->len) == k;
		}
		tt[r] = (now() - a) * 1e9 / (double)n;
	}
	qsort(tt, (size_t)rounds, sizeof(double), cmpd);
	printf("tree_get hit      %6.1f ns  (min %.1f)\n", tt[rounds / 2], tt[0]);
	for (int r = 0; r < rounds; r++) {
		double a = now();
		for (size_t i = 0; i < n; i++) {
			const uint8_t *fk;
			size_t fl;
			found += tree_get_le(t, miss[i].k, miss[i].len, &fk, &fl) != NULL;
		}
		tt[r] = (now() - a) * 1e9 / (double)n;
	}
	qsort(tt, (size_t)rounds, sizeof(double), cmpd);
	printf("tree_get_le miss  %6.1f ns  (min %.1f)\n", tt[rounds / 2], tt[0]);
	for (int r = 0; r < rounds; r++) {
		double a = now();
		for (size_t i = 0; i < n; i++) {
			const struct key *k = &keys[order[i]];
			found += nhash_get(h, he[order[i]].hash, k->k, k->len) == k;
		}
		tt[r] = (now() - a) * 1e9 / (double)n;
	}
	qsort(tt, (size_t)rounds, sizeof(double), cmpd);
	printf("nhash_get hit     %6.1f ns  (min %.1f)\n", tt[rounds / 2], tt[0]);

	/* One new name per transaction, committed, garbage freed. */
	int changes = 2000;
	double a = now();
	for (int c = 0; c < changes; c++) {
		tree_txn_t *txn;
		tree_t *nt;
		tree_garbage_t *g;
		const struct key *k = &miss[c];
		if (tree_txn_begin(t, &txn) != SN_OK ||
		    tree_txn_set(txn, k->k, k->len, (void *)k, NULL) != SN_OK ||
		    tree_txn_commit(txn, &nt, &g) != SN_OK) {
			return 1;
		}
		tree_garbage_free(g);
		t = nt;
	}
	printf("insert+commit     %6.2f us  (%d changes)\n", (now() - a) * 1e6 / changes, changes);
	if (tree_check(t) != SN_OK || found == 0) {
		printf("tree_check failed\n");
		return 1;
	}
	tree_free(t);
	nhash_free(h);
	free(keys);
	free(miss);
	free(order);
	free(te);
	free(he);
	free(tt);
	free(pool);
	return 0;
}
