/* SPDX-License-Identifier: MIT
 * nhash.c - persistent hash array mapped trie for exact name lookups.
 *
 * Layout. A node has 64 slots, one per value of a 6-bit chunk of the hash:
 * the root uses bits 0-5, a node at depth d bits 6d..6d+5 (depth 10 has only
 * bits 60-63, so 16 slots). Two bitmaps say which slots hold an entry (dmap)
 * and which a child node (cmap); the contents are packed in slot order after
 * the header, so a node is as large as what it holds:
 *
 *	header {dmap, cmap, gen} | key lengths (uint16, k of them, padded
 *	to 8 bytes) | entries {hash, key, val} (k) | children (c)
 *
 * The lengths sit next to the header, apart from the entries, so that an
 * entry takes 24 bytes and a small node's lengths share the header's cache
 * line. An entry keeps the full 64-bit hash, so a search rejects a different
 * key without touching its bytes; the key bytes are read only when the hashes
 * are equal.
 *
 * A collision node holds two or more entries whose hashes are equal in all
 * 64 bits (dmap is then their count, cmap 0); it can sit at any depth below
 * the root, and the child pointer to it carries a tag in its low bit, so a
 * search knows what it reaches without another load.
 *
 * Canonical form. What a slot holds depends only on the set S of entries
 * whose hashes select it: nothing if S is empty, the entry if it is alone, a
 * collision node if every hash in S is the same, a node of the next depth
 * otherwise. The root is a node whenever the map is not empty. So a node
 * other than the root never holds just one entry, nor just one collision
 * node, and removing entries folds such nodes back into their parent.
 *
 * Changes. Every node carries the generation of the transaction that made
 * it. A change finds the path to its slot, then works upwards: it builds the
 * new version of each node on the path into fresh memory (or folds the node
 * away), until it reaches a node of its own generation whose slot keeps its
 * kind, which it then edits in place; base nodes left behind go to the
 * garbage, nodes of its own generation are freed. Every allocation happens
 * before the first write to a reachable node, so an SN_ENOMEM leaves the
 * transaction as it was.
 *
 * Size. With a million names the root and about 4,000 nodes of depth 1 lead
 * to some 260,000 small nodes that hold most entries: a hit reads the root
 * and a depth-1 node (both likely in cache), one node of 2 or 3 cache lines,
 * and the key. Nodes take about 35 bytes per entry (39 with malloc's own
 * overhead).
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "zone/nhash.h"

#define CHUNK_BITS 6
/* Depths of regular nodes are 0..LAST_DEPTH; a collision node may sit one
 * deeper. */
#define LAST_DEPTH 10
#define COLL_TAG ((uintptr_t)1)

_Static_assert((LAST_DEPTH + 1) * CHUNK_BITS >= 64, "the depths use up the hash");
_Static_assert(LAST_DEPTH * CHUNK_BITS < 64, "every depth has a hash bit left");
_Static_assert(NHASH_MAXDEPTH == LAST_DEPTH + 2, "regular levels plus a collision node");

struct nnode {
	uint64_t dmap;	/* slots holding an entry; collision node: the entry count */
	uint64_t cmap;	/* slots holding a child; collision node: 0 */
	uint64_t gen;	/* transaction that made this node */
	uint16_t lens[];
};

struct nent {
	uint64_t hash;
	const uint8_t *key;
	void *val;
};

struct nhash {
	struct nnode *root;	/* NULL when empty */
	size_t count;
	uint64_t gen;
};

struct nhash_garbage {
	nhash_t *old;
	struct nnode **node;
	size_t n, cap;
};

struct nhash_txn {
	nhash_t cur;		/* the transaction's map; cur.gen is its generation */
	const nhash_t *base;
	nhash_t *out;		/* reserved for the commit */
	nhash_garbage_t *garbage;
};

/* ---- Bits ---- */

static inline unsigned
popc(uint64_t x)
{
#if defined(__POPCNT__) || !defined(__x86_64__)
	return (unsigned)__builtin_popcountll(x);
#else
	/* Without -mpopcnt GCC calls a library function for the builtin; this
	 * is a dozen inline instructions. */
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

static inline uint64_t
slot_bit(uint64_t hash, unsigned depth)
{
	return (uint64_t)1 << ((hash >> (CHUNK_BITS * depth)) & 63);
}

static inline bool
is_coll(const struct nnode *p)
{
	return ((uintptr_t)p & COLL_TAG) != 0;
}

static inline struct nnode *
untag(const struct nnode *p)
{
	return (struct nnode *)((uintptr_t)p & ~COLL_TAG);
}

static inline struct nnode *
tag(struct nnode *p)
{
	return (struct nnode *)((uintptr_t)p | COLL_TAG);
}

/* ---- Nodes ---- */

static inline size_t
lens_size(unsigned k)
{
	return ((size_t)k * sizeof(uint16_t) + 7) & ~(size_t)7;
}

static inline size_t
node_size(unsigned k, unsigned c)
{
	return sizeof(struct nnode) + lens_size(k) + (size_t)k * sizeof(struct nent) +
	       (size_t)c * sizeof(struct nnode *);
}

/* Entries of a node holding k of them; children follow the entries. */
static inline struct nent *
ents_of(const struct nnode *nd, unsigned k)
{
	return (struct nent *)((uintptr_t)nd + sizeof(struct nnode) + lens_size(k));
}

static inline struct nnode **
kids_of(const struct nnode *nd, unsigned k)
{
	return (struct nnode **)(ents_of(nd, k) + k);
}

/* Nodes come from memalign (malloc's own alignment) rather than malloc so
 * that the unit tests can interpose it to make allocations fail. */
static struct nnode *
node_alloc(unsigned k, unsigned c)
{
	return memalign(16, node_size(k, c));
}

/* Frees the subtree at `p` (possibly tagged). */
static void
node_free_rec(struct nnode *p)
{
	if (p == NULL) {
		return;
	}
	struct nnode *nd = untag(p);
	if (!is_coll(p)) {
		unsigned k = popc(nd->dmap), c = popc(nd->cmap);
		struct nnode **kids = kids_of(nd, k);
		for (unsigned i = 0; i < c; i++) {
			node_free_rec(kids[i]);
		}
	}
	free(nd);
}

/* Frees the nodes reachable from `p` that generation `gen` made: the base
 * nodes they point to are not ours, and base nodes never point to ours. */
static void
node_free_gen(struct nnode *p, uint64_t gen)
{
	struct nnode *nd = untag(p);
	if (nd == NULL || nd->gen != gen) {
		return;
	}
	if (!is_coll(p)) {
		unsigned k = popc(nd->dmap), c = popc(nd->cmap);
		struct nnode **kids = kids_of(nd, k);
		for (unsigned i = 0; i < c; i++) {
			node_free_gen(kids[i], gen);
		}
	}
	free(nd);
}

/* What a slot holds, in a change being planned. */
enum { S_EMPTY, S_ENTRY, S_CHILD };
struct slot {
	int kind;
	uint16_t len;		/* S_ENTRY */
	struct nent e;		/* S_ENTRY */
	struct nnode *child;	/* S_CHILD, tagged if a collision node */
};

/* Writes into `dst` the regular node `src` with slot `bit` holding `s`. */
static void
node_fill_edit(struct nnode *dst, const struct nnode *src, uint64_t bit, const struct slot *s,
	       uint64_t gen)
{
	unsigned k = popc(src->dmap), c = popc(src->cmap);
	unsigned ei = popc(src->dmap & (bit - 1)), ci = popc(src->cmap & (bit - 1));
	unsigned ek = ei + ((src->dmap & bit) != 0), ck = ci + ((src->cmap & bit) != 0);
	uint64_t dmap = src->dmap & ~bit, cmap = src->cmap & ~bit;

	if (s->kind == S_ENTRY) {
		dmap |= bit;
	} else if (s->kind == S_CHILD) {
		cmap |= bit;
	}
	unsigned nk = popc(dmap);
	const struct nent *se = ents_of(src, k);
	struct nent *de = ents_of(dst, nk);
	struct nnode *const *sk = kids_of(src, k);
	struct nnode **dk = kids_of(dst, nk);
	unsigned o = ei;

	dst->dmap = dmap;
	dst->cmap = cmap;
	dst->gen = gen;
	memset(dst->lens, 0, lens_size(nk));
	memcpy(dst->lens, src->lens, ei * sizeof(uint16_t));
	memcpy(de, se, ei * sizeof(*de));
	if (s->kind == S_ENTRY) {
		dst->lens[o] = s->len;
		de[o++] = s->e;
	}
	memcpy(dst->lens + o, src->lens + ek, (k - ek) * sizeof(uint16_t));
	memcpy(de + o, se + ek, (k - ek) * sizeof(*de));
	o = ci;
	memcpy(dk, sk, ci * sizeof(*dk));
	if (s->kind == S_CHILD) {
		dk[o++] = s->child;
	}
	memcpy(dk + o, sk + ck, (c - ck) * sizeof(*dk));
}

/* Writes into `dst` a node holding the slots `a` at `ba` and `b` at `bb`
 * (ba != bb; each an entry or a child). */
static void
node_fill_two(struct nnode *dst, uint64_t ba, const struct slot *a, uint64_t bb,
	      const struct slot *b, uint64_t gen)
{
	const struct slot *sl[2] = { a, b };
	unsigned k = (a->kind == S_ENTRY) + (b->kind == S_ENTRY), ek = 0, ck = 0;

	if (ba > bb) {
		sl[0] = b;
		sl[1] = a;
	}
	dst->dmap = (a->kind == S_ENTRY ? ba : 0) | (b->kind == S_ENTRY ? bb : 0);
	dst->cmap = (a->kind == S_CHILD ? ba : 0) | (b->kind == S_CHILD ? bb : 0);
	dst->gen = gen;
	memset(dst->lens, 0, lens_size(k));
	for (unsigned i = 0; i < 2; i++) {
		if (sl[i]->kind == S_ENTRY) {
			dst->lens[ek] = sl[i]->len;
			ents_of(dst, k)[ek++] = sl[i]->e;
		} else {
			kids_of(dst, k)[ck++] = sl[i]->child;
		}
	}
}

/* Writes into `dst` the collision node `src` (k entries) with entry `idx`
 * replaced by `s` (idx < k, s an entry), removed (idx < k, s empty), or `s`
 * appended (idx == k). */
static void
coll_fill_edit(struct nnode *dst, const struct nnode *src, unsigned idx, const struct slot *s,
	       uint64_t gen)
{
	unsigned k = (unsigned)src->dmap;
	unsigned nk = s->kind == S_EMPTY ? k - 1 : (idx == k ? k + 1 : k);
	const struct nent *se = ents_of(src, k);
	struct nent *de = ents_of(dst, nk);
	unsigned o = 0;

	dst->dmap = nk;
	dst->cmap = 0;
	dst->gen = gen;
	memset(dst->lens, 0, lens_size(nk));
	for (unsigned i = 0; i <= k; i++) {
		if (i == idx) {
			if (s->kind == S_ENTRY) {
				dst->lens[o] = s->len;
				de[o++] = s->e;
			}
			continue;
		}
		if (i < k) {
			dst->lens[o] = src->lens[i];
			de[o++] = se[i];
		}
	}
}

static inline bool
key_eq(const struct nent *e, uint16_t elen, const uint8_t *key, size_t len)
{
	return elen == len && (len == 0 || memcmp(e->key, key, len) == 0);
}

/* Index of `key` in collision node `cn`, or its count if absent. */
static unsigned
coll_find(const struct nnode *cn, const uint8_t *key, size_t len)
{
	unsigned k = (unsigned)cn->dmap;
	const struct nent *e = ents_of(cn, k);
	for (unsigned i = 0; i < k; i++) {
		if (key_eq(&e[i], cn->lens[i], key, len)) {
			return i;
		}
	}
	return k;
}

/* ---- Hashing ---- */

/* wyhash's secrets and mixing (Wang Yi's wyhash, final version 4, released
 * into the public domain), fixed seed. */
#define WY0 0xa0761d6478bd642full
#define WY1 0xe7037ed1a0b428dbull
#define WY2 0x8ebc6af09c88c6e3ull
#define WY3 0x589965cc75374cc3ull
#define WYSEED (0x5369676e65744e48ull ^ WY0)

static inline void
mum(uint64_t *a, uint64_t *b)
{
#ifdef __SIZEOF_INT128__
	__uint128_t r = (__uint128_t)*a * *b;
	*a = (uint64_t)r;
	*b = (uint64_t)(r >> 64);
#else
	uint64_t ha = *a >> 32, hb = *b >> 32, la = (uint32_t)*a, lb = (uint32_t)*b;
	uint64_t rh = ha * hb, rm0 = ha * lb, rm1 = hb * la, rl = la * lb, t = rl + (rm0 << 32);
	uint64_t c = t < rl, lo = t + (rm1 << 32);
	c += lo < t;
	*a = lo;
	*b = rh + (rm0 >> 32) + (rm1 >> 32) + c;
#endif
}

static inline uint64_t
mix(uint64_t a, uint64_t b)
{
	mum(&a, &b);
	return a ^ b;
}

static inline uint64_t
rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t
rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

uint64_t
nhash_hash(const uint8_t *p, size_t len)
{
	uint64_t seed = WYSEED, a, b;

	if (len <= 16) {
		if (len >= 4) {
			size_t q = (len >> 3) << 2;
			a = (rd32(p) << 32) | rd32(p + q);
			b = (rd32(p + len - 4) << 32) | rd32(p + len - 4 - q);
		} else if (len > 0) {
			a = ((uint64_t)p[0] << 16) | ((uint64_t)p[len >> 1] << 8) | p[len - 1];
			b = 0;
		} else {
			a = b = 0;
		}
	} else {
		size_t i = len;
		if (i > 48) {
			uint64_t s1 = seed, s2 = seed;
			do {
				seed = mix(rd64(p) ^ WY1, rd64(p + 8) ^ seed);
				s1 = mix(rd64(p + 16) ^ WY2, rd64(p + 24) ^ s1);
				s2 = mix(rd64(p + 32) ^ WY3, rd64(p + 40) ^ s2);
				p += 48;
				i -= 48;
			} while (i > 48);
			seed ^= s1 ^ s2;
		}
		while (i > 16) {
			seed = mix(rd64(p) ^ WY1, rd64(p + 8) ^ seed);
			i -= 16;
			p += 16;
		}
		a = rd64(p + i - 16);
		b = rd64(p + i - 8);
	}
	a ^= WY1;
	b ^= seed;
	mum(&a, &b);
	return mix(a ^ WY0 ^ len, b ^ WY1);
}

/* ---- Reading ---- */

static void *
coll_get(const struct nnode *cn, uint64_t hash, const uint8_t *key, size_t len)
{
	unsigned k = (unsigned)cn->dmap;
	const struct nent *e = ents_of(cn, k);
	if (e[0].hash != hash) {
		return NULL;
	}
	for (unsigned i = 0; i < k; i++) {
		if (key_eq(&e[i], cn->lens[i], key, len)) {
			return e[i].val;
		}
	}
	return NULL;
}

/* The search. `hw` selects the popcount instruction or popc(): the x86-64
 * baseline lacks the instruction, and with it the search runs about 1.5
 * times as fast when the nodes are in cache, so x86-64 builds without
 * -mpopcnt compile this twice and pick at run time (see nhash_get). */
static inline __attribute__((always_inline)) void *
get_impl(const nhash_t *h, uint64_t hash, const uint8_t *key, size_t len, bool hw)
{
#define POPC(x) (hw ? (unsigned)__builtin_popcountll(x) : popc(x))
	const struct nnode *nd = h->root;
	uint64_t hh = hash;

	if (nd == NULL) {
		return NULL;
	}
	for (;;) {
		uint64_t bit = (uint64_t)1 << (hh & 63);
		uint64_t dmap = nd->dmap;
		if (dmap & bit) {
			unsigned i = POPC(dmap & (bit - 1));
			const struct nent *e = ents_of(nd, POPC(dmap)) + i;
			/* The full hash first: the key bytes live in the value,
			 * elsewhere in memory. */
			if (e->hash == hash && key_eq(e, nd->lens[i], key, len)) {
				return e->val;
			}
			return NULL;
		}
		if ((nd->cmap & bit) == 0) {
			return NULL;
		}
		nd = kids_of(nd, POPC(dmap))[POPC(nd->cmap & (bit - 1))];
		if (is_coll(nd)) {
			return coll_get(untag(nd), hash, key, len);
		}
		hh >>= CHUNK_BITS;
	}
#undef POPC
}

#if defined(__x86_64__) && !defined(__POPCNT__)
__attribute__((target("popcnt"))) static void *
get_hw(const nhash_t *h, uint64_t hash, const uint8_t *key, size_t len)
{
	return get_impl(h, hash, key, len, true);
}

static void *
get_sw(const nhash_t *h, uint64_t hash, const uint8_t *key, size_t len)
{
	return get_impl(h, hash, key, len, false);
}

void *
nhash_get(const nhash_t *h, uint64_t hash, const uint8_t *key, size_t len)
{
	if (__builtin_cpu_supports("popcnt")) {
		return get_hw(h, hash, key, len);
	}
	return get_sw(h, hash, key, len);
}
#else
void *
nhash_get(const nhash_t *h, uint64_t hash, const uint8_t *key, size_t len)
{
	return get_impl(h, hash, key, len, false);	/* popc() is the instruction here */
}
#endif

void *
nhash_find(const nhash_t *h, const uint8_t *key, size_t len)
{
	return nhash_get(h, nhash_hash(key, len), key, len);
}

size_t
nhash_count(const nhash_t *h)
{
	return h->count;
}

/* ---- Whole maps ---- */

int
nhash_new(nhash_t **out)
{
	nhash_t *h = calloc(1, sizeof(*h));
	if (h == NULL) {
		return SN_ENOMEM;
	}
	*out = h;
	return SN_OK;
}

void
nhash_free(nhash_t *h)
{
	if (h == NULL) {
		return;
	}
	node_free_rec(h->root);
	free(h);
}

/* An entry while building: 32 bytes, moved by the counting sorts. */
struct bent {
	uint64_t hash;
	const uint8_t *key;
	void *val;
	size_t len;
};

static int
bent_keycmp(const void *x, const void *y)
{
	const struct bent *a = x, *b = y;
	if (a->len != b->len) {
		return a->len < b->len ? -1 : 1;
	}
	return a->len == 0 ? 0 : memcmp(a->key, b->key, a->len);
}

static struct nnode *build_node(struct bent *src, struct bent *tmp, size_t n, unsigned depth,
				int *rc);

/* The child for `n` >= 2 entries sharing a slot at depth-1: a collision node
 * if their hashes are all equal, else a node of `depth`. NULL on error (*rc
 * says which). */
static struct nnode *
build_child(struct bent *src, struct bent *tmp, size_t n, unsigned depth, int *rc)
{
	size_t i = 1;
	while (i < n && src[i].hash == src[0].hash) {
		i++;
	}
	if (i < n) {
		return build_node(src, tmp, n, depth, rc);
	}
	if (n > UINT32_MAX) {
		*rc = SN_ERANGE;
		return NULL;
	}
	/* Equal keys have equal hashes, so duplicates can only be here. */
	qsort(src, n, sizeof(*src), bent_keycmp);
	for (i = 1; i < n; i++) {
		if (bent_keycmp(&src[i - 1], &src[i]) == 0) {
			*rc = SN_EINVAL;
			return NULL;
		}
	}
	struct nnode *cn = node_alloc((unsigned)n, 0);
	if (cn == NULL) {
		*rc = SN_ENOMEM;
		return NULL;
	}
	struct nent *e = ents_of(cn, (unsigned)n);
	cn->dmap = n;
	cn->cmap = 0;
	cn->gen = 0;
	memset(cn->lens, 0, lens_size((unsigned)n));
	for (i = 0; i < n; i++) {
		cn->lens[i] = (uint16_t)src[i].len;
		e[i] = (struct nent){ src[i].hash, src[i].key, src[i].val };
	}
	return tag(cn);
}

/* A node of `depth` holding the `n` >= 1 entries of `src`, whose hashes
 * agree on the bits of the lesser depths. `tmp` is scratch of n entries. */
static struct nnode *
build_node(struct bent *src, struct bent *tmp, size_t n, unsigned depth, int *rc)
{
	size_t cnt[64] = { 0 }, off[64];
	unsigned shift = CHUNK_BITS * depth;
	uint64_t dmap = 0, cmap = 0;

	for (size_t i = 0; i < n; i++) {
		cnt[(src[i].hash >> shift) & 63]++;
	}
	size_t o = 0;
	for (unsigned s = 0; s < 64; s++) {
		off[s] = o;
		o += cnt[s];
		if (cnt[s] == 1) {
			dmap |= (uint64_t)1 << s;
		} else if (cnt[s] > 1) {
			cmap |= (uint64_t)1 << s;
		}
	}
	for (size_t i = 0; i < n; i++) {
		tmp[off[(src[i].hash >> shift) & 63]++] = src[i];
	}
	unsigned k = popc(dmap), ek = 0, ck = 0;
	struct nnode *nd = node_alloc(k, popc(cmap));
	if (nd == NULL) {
		*rc = SN_ENOMEM;
		return NULL;
	}
	struct nent *e = ents_of(nd, k);
	struct nnode **kids = kids_of(nd, k);
	nd->dmap = dmap;
	nd->cmap = 0;	/* grows with the children built, for the cleanup */
	nd->gen = 0;
	memset(nd->lens, 0, lens_size(k));
	o = 0;
	for (unsigned s = 0; s < 64; s++) {
		if (cnt[s] == 1) {
			nd->lens[ek] = (uint16_t)tmp[o].len;
			e[ek++] = (struct nent){ tmp[o].hash, tmp[o].key, tmp[o].val };
		} else if (cnt[s] > 1) {
			struct nnode *ch = build_child(tmp + o, src + o, cnt[s], depth + 1, rc);
			if (ch == NULL) {
				node_free_rec(nd);	/* with the children built so far */
				return NULL;
			}
			kids[ck++] = ch;
			nd->cmap |= (uint64_t)1 << s;
		}
		o += cnt[s];
	}
	return nd;
}

int
nhash_build(const nhash_entry_t *e, size_t n, nhash_t **out)
{
	struct bent *a = NULL, *b = NULL;
	nhash_t *h = NULL;
	int rc = SN_OK;

	for (size_t i = 0; i < n; i++) {
		if (e[i].keylen > NHASH_KEY_MAXLEN || e[i].val == NULL ||
		    (e[i].key == NULL && e[i].keylen > 0)) {
			return SN_EINVAL;
		}
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		return SN_ENOMEM;
	}
	if (n > 0) {
		if (n <= SIZE_MAX / sizeof(*a)) {
			a = malloc(n * sizeof(*a));
			b = malloc(n * sizeof(*b));
		}
		if (a == NULL || b == NULL) {
			rc = SN_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			a[i] = (struct bent){ e[i].hash, e[i].key, e[i].val, e[i].keylen };
		}
		h->root = build_node(a, b, n, 0, &rc);
		if (h->root == NULL) {
			goto out;
		}
		h->count = n;
	}
	*out = h;
	h = NULL;
out:
	free(a);
	free(b);
	free(h);
	return rc;
}

/* ---- Checks and figures ---- */

struct walk {
	size_t count, nodes, coll_nodes, bytes;
	unsigned depth;
	bool ok;
};

static void
walk_coll(const struct nnode *cn, unsigned depth, uint64_t prefix, uint64_t mask,
	  uint64_t gen_max, struct walk *w)
{
	unsigned k = (unsigned)cn->dmap;
	const struct nent *e = ents_of(cn, k);

	w->nodes++;
	w->coll_nodes++;
	w->bytes += node_size(k, 0);
	w->count += k;
	if (depth + 1 > w->depth) {
		w->depth = depth + 1;
	}
	if (k < 2 || cn->cmap != 0 || cn->gen > gen_max || depth == 0 || depth > LAST_DEPTH + 1) {
		w->ok = false;
		return;
	}
	for (unsigned i = 0; i < k; i++) {
		if (e[i].hash != e[0].hash || (e[i].hash & mask) != prefix || e[i].val == NULL ||
		    (e[i].key == NULL && cn->lens[i] > 0)) {
			w->ok = false;
		}
		for (unsigned j = 0; j < i; j++) {
			if (key_eq(&e[j], cn->lens[j], e[i].key, cn->lens[i])) {
				w->ok = false;
			}
		}
	}
}

/* Walks the node `nd` at `depth`, whose entries' hashes must have `prefix`
 * in the bits the path to it used (the low 6 * depth). */
static void
walk_node(const struct nnode *nd, unsigned depth, uint64_t prefix, uint64_t gen_max,
	  struct walk *w)
{
	unsigned k = popc(nd->dmap), c = popc(nd->cmap);
	const struct nent *e = ents_of(nd, k);
	struct nnode *const *kids = kids_of(nd, k);
	unsigned shift = CHUNK_BITS * depth;
	uint64_t used = (nd->dmap | nd->cmap);

	w->nodes++;
	w->bytes += node_size(k, c);
	if (depth + 1 > w->depth) {
		w->depth = depth + 1;
	}
	/* The last depth has 64 - shift bits left, so fewer slots. */
	if ((nd->dmap & nd->cmap) != 0 || nd->gen > gen_max || depth > LAST_DEPTH || used == 0 ||
	    (shift + CHUNK_BITS > 64 && (used >> (1u << (64 - shift))) != 0)) {
		w->ok = false;
		return;
	}
	/* Canonical form: below the root, no node holds a lone entry or a
	 * lone collision node. */
	if (depth > 0 && ((k == 1 && c == 0) || (k == 0 && c == 1 && is_coll(kids[0])))) {
		w->ok = false;
	}
	uint64_t cmask = shift + CHUNK_BITS >= 64 ? ~(uint64_t)0 :
						   ((uint64_t)1 << (shift + CHUNK_BITS)) - 1;
	unsigned ei = 0, ci = 0;
	for (unsigned s = 0; s < 64; s++) {
		uint64_t bit = (uint64_t)1 << s;
		uint64_t sp = prefix | ((uint64_t)s << shift);
		if (nd->dmap & bit) {
			const struct nent *x = &e[ei];
			if ((x->hash & cmask) != sp || x->val == NULL ||
			    (x->key == NULL && nd->lens[ei] > 0)) {
				w->ok = false;
			}
			ei++;
			w->count++;
		} else if (nd->cmap & bit) {
			struct nnode *ch = kids[ci++];
			if (untag(ch) == NULL) {
				w->ok = false;
			} else if (is_coll(ch)) {
				walk_coll(untag(ch), depth + 1, sp, cmask, nd->gen, w);
			} else {
				walk_node(ch, depth + 1, sp, nd->gen, w);
			}
		}
	}
}

static void
walk_map(const nhash_t *h, struct walk *w)
{
	*w = (struct walk){ .ok = true, .bytes = sizeof(*h) };
	if (h->root != NULL) {
		if (is_coll(h->root)) {
			w->ok = false;
			return;
		}
		walk_node(h->root, 0, 0, h->gen, w);
	}
}

int
nhash_check(const nhash_t *h)
{
	struct walk w;
	walk_map(h, &w);
	return w.ok && w.count == h->count ? SN_OK : SN_ECHECK;
}

void
nhash_stats(const nhash_t *h, nhash_stats_t *st)
{
	struct walk w;
	walk_map(h, &w);
	*st = (nhash_stats_t){ .count = w.count,
			       .nodes = w.nodes,
			       .coll_nodes = w.coll_nodes,
			       .bytes = w.bytes,
			       .depth = w.depth };
}

/* ---- Transactions ---- */

int
nhash_txn_begin(const nhash_t *base, nhash_txn_t **out)
{
	nhash_txn_t *txn = malloc(sizeof(*txn));
	nhash_t *nh = malloc(sizeof(*nh));
	nhash_garbage_t *g = calloc(1, sizeof(*g));

	if (txn == NULL || nh == NULL || g == NULL) {
		free(txn);
		free(nh);
		free(g);
		return SN_ENOMEM;
	}
	txn->cur = *base;
	txn->cur.gen = base->gen + 1;
	txn->base = base;
	txn->out = nh;
	txn->garbage = g;
	*out = txn;
	return SN_OK;
}

const nhash_t *
nhash_txn_map(const nhash_txn_t *txn)
{
	return &txn->cur;
}

size_t
nhash_txn_copied(const nhash_txn_t *txn)
{
	return txn->garbage->n;
}

/* Makes room in the garbage list for everything one change can drop: the
 * nodes of its path and a collision node. */
static int
garbage_reserve(nhash_txn_t *txn)
{
	nhash_garbage_t *g = txn->garbage;
	size_t need = g->n + NHASH_MAXDEPTH + 1;
	if (need <= g->cap) {
		return SN_OK;
	}
	size_t cap = g->cap == 0 ? 64 : 2 * g->cap;
	while (cap < need) {
		cap *= 2;
	}
	struct nnode **p = realloc(g->node, cap * sizeof(*p));
	if (p == NULL) {
		return SN_ENOMEM;
	}
	g->node = p;
	g->cap = cap;
	return SN_OK;
}

/* One change being planned: the path from the root to its slot, the nodes
 * it allocated (freed if it fails) and the nodes it leaves behind. */
struct op {
	const struct nnode *node[NHASH_MAXDEPTH];
	uint64_t bit[NHASH_MAXDEPTH];
	struct nnode *fresh[2 * NHASH_MAXDEPTH + 2];
	struct nnode *drop[NHASH_MAXDEPTH + 1];
	unsigned nfresh, ndrop;
};

static struct nnode *
op_alloc(struct op *op, unsigned k, unsigned c)
{
	struct nnode *nd = node_alloc(k, c);
	if (nd != NULL) {
		op->fresh[op->nfresh++] = nd;
	}
	return nd;
}

static int
op_fail(struct op *op)
{
	for (unsigned i = 0; i < op->nfresh; i++) {
		free(op->fresh[i]);
	}
	return SN_ENOMEM;
}

static void
op_drop(struct op *op, const struct nnode *nd)
{
	op->drop[op->ndrop++] = (struct nnode *)nd;
}

/* The change is in: frees the dropped nodes this transaction made and
 * lists the base's in the garbage (room was reserved). */
static void
op_done(nhash_txn_t *txn, struct op *op)
{
	for (unsigned i = 0; i < op->ndrop; i++) {
		struct nnode *nd = op->drop[i];
		if (nd->gen == txn->cur.gen) {
			free(nd);
		} else {
			txn->garbage->node[txn->garbage->n++] = nd;
		}
	}
}

/* A chain of fresh nodes from `depth` down to where the hashes `ha` of slot
 * `a` and `hb` of slot `b` part (they differ), holding both there. Returns
 * the top of the chain, or NULL if an allocation failed. */
static struct nnode *
build_split(struct op *op, unsigned depth, const struct slot *a, uint64_t ha, const struct slot *b,
	    uint64_t hb, uint64_t gen)
{
	unsigned d = depth;
	while (slot_bit(ha, d) == slot_bit(hb, d)) {
		d++;
	}
	struct nnode *nd = op_alloc(op, (a->kind == S_ENTRY) + (b->kind == S_ENTRY),
				    (a->kind == S_CHILD) + (b->kind == S_CHILD));
	if (nd == NULL) {
		return NULL;
	}
	node_fill_two(nd, slot_bit(ha, d), a, slot_bit(hb, d), b, gen);
	while (d-- > depth) {
		struct nnode *up = op_alloc(op, 0, 1);
		if (up == NULL) {
			return NULL;
		}
		up->dmap = 0;
		up->cmap = slot_bit(hb, d);
		up->gen = gen;
		kids_of(up, 0)[0] = nd;
		nd = up;
	}
	return nd;
}

/* Puts `s` in the slot op->bit[d] of op->node[d] and makes the path above
 * it follow: see "Changes" at the top of the file. */
static int
apply_path(nhash_txn_t *txn, struct op *op, int d, struct slot s)
{
	uint64_t gen = txn->cur.gen;
	int stop = -1;
	bool new_root = false;
	struct nnode *root = NULL;

	for (int i = d; i >= 0; i--) {
		const struct nnode *nd = op->node[i];
		uint64_t bit = op->bit[i];
		int was = (nd->dmap & bit) ? S_ENTRY : ((nd->cmap & bit) ? S_CHILD : S_EMPTY);
		uint64_t dmap = nd->dmap & ~bit, cmap = nd->cmap & ~bit;
		if (s.kind == S_ENTRY) {
			dmap |= bit;
		} else if (s.kind == S_CHILD) {
			cmap |= bit;
		}
		unsigned nk = popc(dmap), nc = popc(cmap);
		if (i > 0 && nk == 1 && nc == 0) {
			/* A lone entry moves up into the parent's slot. */
			if (s.kind != S_ENTRY) {
				unsigned k = popc(nd->dmap), j = popc(nd->dmap & (dmap - 1));
				s = (struct slot){ .kind = S_ENTRY,
						   .len = nd->lens[j],
						   .e = ents_of(nd, k)[j] };
			}
			op_drop(op, nd);
			continue;
		}
		if (i > 0 && nk == 0 && nc == 1) {
			struct nnode *only = s.child;
			if (s.kind != S_CHILD) {
				unsigned k = popc(nd->dmap);
				only = kids_of(nd, k)[popc(nd->cmap & (cmap - 1))];
			}
			if (is_coll(only)) {
				/* So does a lone collision node. */
				s = (struct slot){ .kind = S_CHILD, .child = only };
				op_drop(op, nd);
				continue;
			}
		}
		if (i == 0 && nk == 0 && nc == 0) {
			op_drop(op, nd);
			new_root = true;
			break;
		}
		if (nd->gen == gen && was == s.kind && s.kind != S_EMPTY) {
			stop = i;	/* ours, same shape: edit in place below */
			break;
		}
		struct nnode *fresh = op_alloc(op, nk, nc);
		if (fresh == NULL) {
			return op_fail(op);
		}
		node_fill_edit(fresh, nd, bit, &s, gen);
		op_drop(op, nd);
		s = (struct slot){ .kind = S_CHILD, .child = fresh };
		if (i == 0) {
			new_root = true;
			root = fresh;
		}
	}
	/* Nothing can fail from here on. */
	if (stop >= 0) {
		struct nnode *nd = (struct nnode *)op->node[stop];
		uint64_t bit = op->bit[stop];
		unsigned k = popc(nd->dmap);
		if (s.kind == S_ENTRY) {
			unsigned j = popc(nd->dmap & (bit - 1));
			nd->lens[j] = s.len;
			ents_of(nd, k)[j] = s.e;
		} else {
			kids_of(nd, k)[popc(nd->cmap & (bit - 1))] = s.child;
		}
	} else if (new_root) {
		txn->cur.root = root;
	}
	op_done(txn, op);
	return SN_OK;
}

/* Walks from the root to the slot of `hash`, filling op->node/bit. Returns
 * the depth of the last node; the slot is op->bit[depth] of op->node[depth]
 * (the root must not be NULL). */
static int
descend(const nhash_txn_t *txn, struct op *op, uint64_t hash)
{
	const struct nnode *nd = txn->cur.root;
	int d = 0;
	for (;;) {
		uint64_t bit = slot_bit(hash, (unsigned)d);
		op->node[d] = nd;
		op->bit[d] = bit;
		if ((nd->cmap & bit) == 0) {
			return d;
		}
		const struct nnode *ch = kids_of(nd, popc(nd->dmap))[popc(nd->cmap & (bit - 1))];
		if (is_coll(ch)) {
			return d;
		}
		nd = ch;
		d++;
	}
}

int
nhash_txn_set(nhash_txn_t *txn, uint64_t hash, const uint8_t *key, size_t len, void *val,
	      void **old_val)
{
	struct slot s = { .kind = S_ENTRY, .len = (uint16_t)len, .e = { hash, key, val } };
	uint64_t gen = txn->cur.gen;
	struct op op;
	void *old = NULL;
	int rc;

	if (val == NULL || len > NHASH_KEY_MAXLEN || (key == NULL && len > 0)) {
		return SN_EINVAL;
	}
	rc = garbage_reserve(txn);
	if (rc != SN_OK) {
		return rc;
	}
	op.nfresh = op.ndrop = 0;
	if (txn->cur.root == NULL) {
		struct nnode *r = node_alloc(1, 0);
		if (r == NULL) {
			return SN_ENOMEM;
		}
		r->dmap = slot_bit(hash, 0);
		r->cmap = 0;
		r->gen = gen;
		memset(r->lens, 0, lens_size(1));
		r->lens[0] = (uint16_t)len;
		ents_of(r, 1)[0] = s.e;
		txn->cur.root = r;
		txn->cur.count = 1;
		if (old_val != NULL) {
			*old_val = NULL;
		}
		return SN_OK;
	}

	int d = descend(txn, &op, hash);
	const struct nnode *nd = op.node[d];
	uint64_t bit = op.bit[d];
	unsigned k = popc(nd->dmap);
	if (nd->dmap & bit) {
		unsigned j = popc(nd->dmap & (bit - 1));
		const struct nent *e = ents_of(nd, k) + j;
		struct slot a = { .kind = S_ENTRY, .len = nd->lens[j], .e = *e };
		if (e->hash == hash && key_eq(e, nd->lens[j], key, len)) {
			old = e->val;	/* replaced in the slot */
		} else if (e->hash == hash) {
			struct nnode *cn = op_alloc(&op, 2, 0);
			if (cn == NULL) {
				return op_fail(&op);
			}
			cn->dmap = 2;
			cn->cmap = 0;
			cn->gen = gen;
			memset(cn->lens, 0, lens_size(2));
			cn->lens[0] = a.len;
			cn->lens[1] = s.len;
			ents_of(cn, 2)[0] = a.e;
			ents_of(cn, 2)[1] = s.e;
			s = (struct slot){ .kind = S_CHILD, .child = tag(cn) };
		} else {
			struct nnode *top = build_split(&op, (unsigned)d + 1, &a, e->hash, &s, hash, gen);
			if (top == NULL) {
				return op_fail(&op);
			}
			s = (struct slot){ .kind = S_CHILD, .child = top };
		}
	} else if (nd->cmap & bit) {
		struct nnode *ch = kids_of(nd, k)[popc(nd->cmap & (bit - 1))];
		struct nnode *cn = untag(ch);
		unsigned ck = (unsigned)cn->dmap;
		uint64_t chash = ents_of(cn, ck)[0].hash;
		if (chash == hash) {
			unsigned j = coll_find(cn, key, len);
			if (j < ck) {
				old = ents_of(cn, ck)[j].val;
				if (cn->gen == gen) {
					cn->lens[j] = (uint16_t)len;
					ents_of(cn, ck)[j] = s.e;
					goto done;
				}
			} else if (ck == UINT32_MAX) {
				return SN_ERANGE;
			}
			struct nnode *nc = op_alloc(&op, j < ck ? ck : ck + 1, 0);
			if (nc == NULL) {
				return op_fail(&op);
			}
			coll_fill_edit(nc, cn, j, &s, gen);
			op_drop(&op, cn);
			s = (struct slot){ .kind = S_CHILD, .child = tag(nc) };
		} else {
			struct slot a = { .kind = S_CHILD, .child = ch };
			struct nnode *top = build_split(&op, (unsigned)d + 1, &a, chash, &s, hash, gen);
			if (top == NULL) {
				return op_fail(&op);
			}
			s = (struct slot){ .kind = S_CHILD, .child = top };
		}
	}
	rc = apply_path(txn, &op, d, s);
	if (rc != SN_OK) {
		return rc;
	}
done:
	if (old == NULL) {
		txn->cur.count++;
	}
	if (old_val != NULL) {
		*old_val = old;
	}
	return SN_OK;
}

int
nhash_txn_del(nhash_txn_t *txn, uint64_t hash, const uint8_t *key, size_t len, void **old_val)
{
	uint64_t gen = txn->cur.gen;
	struct slot s = { .kind = S_EMPTY };
	struct op op;
	void *old = NULL;
	int rc;

	if (txn->cur.root == NULL || (key == NULL && len > 0)) {
		return SN_ENOTFOUND;
	}
	rc = garbage_reserve(txn);
	if (rc != SN_OK) {
		return rc;
	}
	op.nfresh = op.ndrop = 0;
	int d = descend(txn, &op, hash);
	const struct nnode *nd = op.node[d];
	uint64_t bit = op.bit[d];
	unsigned k = popc(nd->dmap);
	if (nd->dmap & bit) {
		unsigned j = popc(nd->dmap & (bit - 1));
		const struct nent *e = ents_of(nd, k) + j;
		if (e->hash != hash || !key_eq(e, nd->lens[j], key, len)) {
			return SN_ENOTFOUND;
		}
		old = e->val;
	} else if (nd->cmap & bit) {
		struct nnode *cn = untag(kids_of(nd, k)[popc(nd->cmap & (bit - 1))]);
		unsigned ck = (unsigned)cn->dmap;
		const struct nent *ce = ents_of(cn, ck);
		unsigned j = ce[0].hash == hash ? coll_find(cn, key, len) : ck;
		if (j == ck) {
			return SN_ENOTFOUND;
		}
		old = ce[j].val;
		if (ck == 2) {
			/* The other entry moves up into the slot. */
			s = (struct slot){ .kind = S_ENTRY, .len = cn->lens[1 - j], .e = ce[1 - j] };
		} else {
			struct nnode *nc = op_alloc(&op, ck - 1, 0);
			if (nc == NULL) {
				return op_fail(&op);
			}
			coll_fill_edit(nc, cn, j, &s, gen);
			s = (struct slot){ .kind = S_CHILD, .child = tag(nc) };
		}
		op_drop(&op, cn);
	} else {
		return SN_ENOTFOUND;
	}
	rc = apply_path(txn, &op, d, s);
	if (rc != SN_OK) {
		return rc;
	}
	txn->cur.count--;
	if (old_val != NULL) {
		*old_val = old;
	}
	return SN_OK;
}

int
nhash_txn_commit(nhash_txn_t *txn, nhash_t **new_map, nhash_garbage_t **garbage)
{
	nhash_t *nh = txn->out;
	nhash_garbage_t *g = txn->garbage;

	*nh = txn->cur;
	g->old = (nhash_t *)txn->base;	/* the garbage owns the base handle now */
	*new_map = nh;
	*garbage = g;
	free(txn);
	return SN_OK;
}

void
nhash_txn_abort(nhash_txn_t *txn)
{
	if (txn == NULL) {
		return;
	}
	node_free_gen(txn->cur.root, txn->cur.gen);
	free(txn->garbage->node);	/* the nodes listed are the base's */
	free(txn->garbage);
	free(txn->out);
	free(txn);
}

void
nhash_garbage_free(nhash_garbage_t *g)
{
	if (g == NULL) {
		return;
	}
	for (size_t i = 0; i < g->n; i++) {
		free(g->node[i]);
	}
	free(g->node);
	free(g->old);
	free(g);
}
