/* SPDX-License-Identifier: MIT
 * tree.c - persistent (path-copying) B+tree for zone snapshot name indexes.
 *
 * Layout. A leaf holds up to LEAF_MAX entries {key pointer, length, value}
 * sorted by key, in arrays sized to the leaf's capacity, chosen when the
 * leaf is allocated. Most zones are small (a
 * registrar's zone has a few names), so a leaf is allocated for what it
 * holds rather than for LEAF_MAX: building or copying a leaf sizes it to
 * its content, and a transaction that fills its own copy grows it by half.
 * An internal node holds n children and n-1 separators in one allocation
 * sized to n (header, slices, children, offsets, then the separator bytes);
 * child i holds the keys k with sep[i-1] <= k < sep[i]. Separators are the
 * shortest prefix of the right node's first key that is greater than the
 * left node's last key (suffix truncation), so they stay short.
 *
 * Comparisons avoid chasing key pointers. Each node caches the length plen
 * of the prefix common to all its keys (leaves also keep the prefix bytes
 * inline, up to LEAF_PMAX), and for each key a "slice": the bytes that
 * follow the prefix, big-endian, zero-padded, then a byte holding how many
 * bytes follow the prefix, capped. Leaves keep 15 bytes in a 128-bit slice
 * (enough for most host labels after a zone's common prefix), internal
 * nodes 7 bytes in 64 bits (their separators are short). Comparing two
 * slices as integers orders the keys exactly, except when the slices are
 * equal and both keys go on past them: only then are the key bytes read. A
 * search compares the key with the node's prefix (it lies below or above
 * all keys when they differ), then runs a branch-free binary search over
 * the slices. Leaves are arrays (slices, values, keys) so that a search
 * reads a few consecutive lines, prefetched together when the parent hands
 * over the pointer: on a large zone the search costs about one memory
 * latency per level that is not in cache, not one per comparison.
 *
 * Changes. Every node carries the generation of the transaction that made
 * it. A transaction copies a base node the first time it needs to change
 * it (the original goes to the garbage list) and afterwards changes its own
 * copy in place. A change that fits its leaf is done in place; one that
 * overflows or underflows a node rebuilds the affected nodes bottom-up into
 * new allocations (split, or merge with a sibling, or share entries with
 * it), and links them in only once every allocation succeeded, so an
 * SN_ENOMEM leaves the transaction as it was.
 */
#include <stdlib.h>
#include <string.h>
#include "zone/dname.h"
#include "zone/tree.h"

#define LEAF_MAX 64
#define LEAF_MIN (LEAF_MAX / 4)
/* Leaf capacities are multiples of LEAF_STEP. 1: a leaf of a published
 * tree is never changed, only copied, so room for more entries would be
 * used only by the transaction that made it, and is otherwise waste. */
#define LEAF_STEP TREE_LEAF_STEP
/* Leaves of this capacity or more are cache-line aligned (a search of a
 * large zone reads a few consecutive lines of them); smaller ones take
 * malloc's own alignment, which wastes nothing. */
#define LEAF_ALIGN_CAP 32
#define INODE_MAX 64
#define INODE_MIN (INODE_MAX / 4)
/* Leaf prefix bytes kept inline: header and prefix share one cache line. */
#define LEAF_PMAX 48
#define NODE_ALIGN 64

_Static_assert(LEAF_MAX <= 255 && INODE_MAX <= 255, "node counts are uint8_t");
_Static_assert(LEAF_MAX % LEAF_STEP == 0 && LEAF_MAX / LEAF_STEP == TREE_LEAF_CAPS,
	       "tree_stats_t counts leaves per capacity");
_Static_assert(INODE_MIN >= 2 && LEAF_MIN >= 1, "nodes must hold something");
_Static_assert((INODE_MAX - 1) * (size_t)TREE_KEY_MAXLEN <= 65535,
	       "separator offsets are uint16_t");

struct tree_node {
	uint64_t gen;		/* transaction that created this node */
	union {
		uint32_t kbytes;	/* internal nodes: separator bytes stored */
		uint32_t cap;		/* leaves: entries the arrays have room for */
	};
	uint16_t plen;		/* length of the prefix common to all keys */
	uint8_t n;		/* entries (leaf) or children (internal) */
	uint8_t level;		/* 0 for leaves */
};

/* An entry, as the scratch content of a leaf being rebuilt. */
struct ent {
	const uint8_t *key;
	void *val;
	uint16_t len;
};

/* A leaf slice: the 15 key bytes after the prefix, zero-padded, as a
 * big-endian number, then a byte holding min(bytes after the prefix, 16).
 * A 128-bit integer, so that comparing two is branch-free. */
typedef unsigned __int128 slice_t;

/* Arrays, not entries: a search reads the header, the prefix, the slices
 * and then one value, which all lie in the first lines of the node and are
 * prefetched together; key bytes are read only when slices tie. The arrays
 * follow the header, each h.cap long:
 *
 *	slice_t slice[cap] | void *val[cap] | struct lkey k[cap]
 *
 * A key's pointer and length are packed together (10 bytes, not 16), so
 * that reading an entry's key, as an iterator or a tie does, costs one
 * cache line and no padding.
 */
struct lkey {
	const uint8_t *key;
	uint16_t len;
} __attribute__((packed));

struct leaf {
	struct tree_node h;
	uint8_t prefix[LEAF_PMAX];
	slice_t slice[];
};

_Static_assert(sizeof(struct leaf) == 64, "header and prefix fill one cache line");
_Static_assert(sizeof(struct lkey) == 10, "a key pointer and length, unpadded");

/* An internal node of n children is allocated for them: after the header,
 *
 *	uint64_t slice[n - 1] | struct tree_node *child[n] |
 *	uint16_t koff[n - 1] | uint16_t klen[n - 1] | uint8_t keys[kbytes]
 *
 * It is never resized: a change that alters its children other than by
 * pointer builds a new one. */
struct inode {
	struct tree_node h;
	uint64_t slice[];
};

struct tree {
	struct tree_node *root;	/* NULL when empty */
	size_t count;
	unsigned height;
	uint64_t gen;
};

struct tree_garbage {
	tree_t *old;
	struct tree_node **node;
	size_t n, cap;
};

/* Scratch room for the content of one node plus a sibling's. */
#define LBUF (2 * LEAF_MAX + 2)
#define IBUF (2 * INODE_MAX + 2)

struct tree_txn {
	tree_t cur;		/* the transaction's tree; cur.gen is its generation */
	const tree_t *base;
	tree_t *out;		/* reserved for the commit */
	tree_garbage_t *garbage;
	struct ent lbuf[LBUF];
	struct tree_node *ichild[IBUF];
	const uint8_t *isep[IBUF];
	uint16_t iseplen[IBUF];
};

struct path {
	struct tree_node *node[TREE_MAXHEIGHT];
	uint16_t idx[TREE_MAXHEIGHT];	/* child index taken at each internal level */
};

#define LEAF(nd) ((struct leaf *)(nd))
#define INODE(nd) ((struct inode *)(nd))
#define CLEAF(nd) ((const struct leaf *)(nd))
#define CINODE(nd) ((const struct inode *)(nd))

/* The arrays of an internal node (see struct inode); writable for the
 * transaction that made it, as with leaves. */
static inline struct tree_node **
inode_kids(const struct inode *in)
{
	return (struct tree_node **)(uintptr_t)(in->slice + (in->h.n - 1));
}

static inline uint16_t *
inode_koff(const struct inode *in)
{
	return (uint16_t *)(inode_kids(in) + in->h.n);
}

static inline uint16_t *
inode_klen(const struct inode *in)
{
	return inode_koff(in) + (in->h.n - 1);
}

/* Bytes of an internal node of n children and kbytes of separators. */
static inline size_t
inode_bytes(size_t n, size_t kbytes)
{
	return sizeof(struct inode) + (n - 1) * (sizeof(uint64_t) + 2 * sizeof(uint16_t)) +
	       n * sizeof(struct tree_node *) + kbytes;
}

/* The separator bytes, the last array: one multiply-add from the node, and
 * the first separator (whose prefix a search compares first) is at
 * offset 0. */
static inline uint8_t *
inode_keys(const struct inode *in)
{
	return (uint8_t *)(uintptr_t)in + inode_bytes(in->h.n, 0);
}

/* The arrays of a leaf (see struct leaf). A leaf is changed only by the
 * transaction that made it, through these same accessors, so they hand out
 * writable pointers for a const leaf too. */
static inline void **
leaf_val(const struct leaf *lf)
{
	return (void **)(uintptr_t)(lf->slice + lf->h.cap);
}

static inline struct lkey *
leaf_k(const struct leaf *lf)
{
	return (struct lkey *)(uintptr_t)(leaf_val(lf) + lf->h.cap);
}

static inline size_t
leaf_size(size_t cap)
{
	return sizeof(struct leaf) + cap * (sizeof(slice_t) + sizeof(void *) + sizeof(struct lkey));
}

/* The capacity a new leaf gets for `n` entries: just enough. */
static inline unsigned
leaf_fit(size_t n)
{
	size_t cap = (n + LEAF_STEP - 1) / LEAF_STEP * LEAF_STEP;
	return (unsigned)(cap < LEAF_STEP ? LEAF_STEP : cap);
}

/* The capacity a transaction's own full leaf of capacity `cap` grows to
 * for `need` entries: half as much again, so that a transaction inserting
 * many keys into one leaf copies it O(log) times, not once per key. */
static inline unsigned
leaf_grow(size_t cap, size_t need)
{
	size_t c = leaf_fit(cap + cap / 2);
	if (c < need) {
		c = leaf_fit(need);
	}
	return (unsigned)(c > LEAF_MAX ? LEAF_MAX : c);
}

/* ---- Keys ---- */

static inline int
keycmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0) {
		return c;
	}
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

static inline size_t
lcp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t m = alen < blen ? alen : blen;
	size_t i = 0;
	while (i + 8 <= m) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y) {
			return i + (size_t)__builtin_ctzll(x ^ y) / 8;
		}
		i += 8;
	}
	while (i < m && a[i] == b[i]) {
		i++;
	}
	return i;
}

/* The slice of `k` after its first `off` bytes (off <= len): see the top of
 * the file. */
static inline uint64_t
mkslice(const uint8_t *k, size_t len, size_t off)
{
	size_t rem = len - off;
	uint64_t s = 0;

	if (rem >= 8) {
		memcpy(&s, k + off, 8);
		return (__builtin_bswap64(s) & ~(uint64_t)0xff) | 8;
	}
	for (size_t i = 0; i < rem; i++) {
		s |= (uint64_t)k[off + i] << (56 - 8 * i);
	}
	return s | rem;
}

/* Compares the searched key (slice ks) with a stored key (slice es), both
 * with the node's prefix of `plen` bytes. */
static inline int
slicecmp(uint64_t ks, const uint8_t *k, size_t klen, uint64_t es, const uint8_t *e, size_t elen,
	 size_t plen)
{
	if (ks != es) {
		return ks < es ? -1 : 1;
	}
	if ((ks & 0xff) < 8) {
		return 0;
	}
	return keycmp(k + plen + 7, klen - plen - 7, e + plen + 7, elen - plen - 7);
}

static inline uint64_t
load_be64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

/* The leaf slice of `k` after its first `off` bytes (off <= len). */
static inline slice_t
mkslice16(const uint8_t *k, size_t len, size_t off)
{
	size_t rem = len - off;
	uint64_t hi, lo;

	if (rem >= 16) {
		hi = load_be64(k + off);
		lo = (load_be64(k + off + 8) & ~(uint64_t)0xff) | 16;
	} else {
		uint8_t buf[16] = { 0 };
		memcpy(buf, k + off, rem);
		hi = load_be64(buf);
		lo = (load_be64(buf + 8) & ~(uint64_t)0xff) | rem;
	}
	return (slice_t)hi << 64 | lo;
}

/* First index of the sorted a[0..n) >= k, n > 0, without branches to
 * mispredict: the searches of a large tree are memory-bound, and a
 * mispredicted branch throws away the loads issued after it. */
static inline unsigned
lower_u64(const uint64_t *a, unsigned n, uint64_t k)
{
	const uint64_t *base = a;
	while (n > 1) {
		unsigned half = n / 2;
		base = base[half] < k ? base + half : base;
		n -= half;
	}
	return (unsigned)(base - a) + (*base < k);
}

static inline unsigned
lower_slice(const slice_t *a, unsigned n, slice_t k)
{
	const slice_t *base = a;
	while (n > 1) {
		unsigned half = n / 2;
		base = base[half] < k ? base + half : base;
		n -= half;
	}
	return (unsigned)(base - a) + (*base < k);
}

/* Compares `key` with a node prefix: <0 if key is below every key having
 * that prefix, >0 if above, 0 if key starts with it. */
static inline int
prefixcmp(const uint8_t *key, size_t keylen, const uint8_t *prefix, size_t plen)
{
	if (keylen < plen) {
		int c = memcmp(key, prefix, keylen);
		return c != 0 ? c : -1;
	}
	return memcmp(key, prefix, plen);
}

int
tree_key_from_dname(const uint8_t *dname, uint8_t *key, size_t *keylen)
{
	uint8_t offs[DNAME_MAXLABELS];
	unsigned nl = 0;
	size_t pos = 0, out = 0;

	if (dname == NULL) {
		return SN_EINVAL;
	}
	while (dname[pos] != 0) {
		if (dname[pos] > LABEL_MAXLEN || nl == DNAME_MAXLABELS) {
			return SN_EINVAL;
		}
		offs[nl++] = (uint8_t)pos;
		pos += (size_t)dname[pos] + 1;
		if (pos >= DNAME_MAXLEN) {	/* the root label must fit too */
			return SN_EINVAL;
		}
	}
	/* RFC 4034 §6.1: labels compare from the root down, as lower-cased
	 * octet strings, a shorter label first. The escape keeps 0x00 free to
	 * end a label, and maps octets to byte strings that sort like them. */
	while (nl > 0) {
		const uint8_t *lab = dname + offs[--nl];
		for (unsigned j = 1; j <= lab[0]; j++) {
			uint8_t c = dname_lower_tab[lab[j]];
			if (c <= 1) {
				key[out++] = 1;
				key[out++] = (uint8_t)(c + 1);
			} else {
				key[out++] = c;
			}
		}
		key[out++] = 0;
	}
	*keylen = out;
	return SN_OK;
}

int
tree_key_to_dname(const uint8_t *key, size_t keylen, uint8_t *out, size_t *out_len)
{
	size_t start[DNAME_MAXLABELS], end[DNAME_MAXLABELS];
	unsigned nl = 0;
	size_t i = 0, total = 1;

	/* First pass: find the labels and check them; they come root first. */
	while (i < keylen) {
		size_t s = i, octets = 0;
		while (i < keylen && key[i] != 0) {
			if (key[i] == 1) {
				if (i + 1 >= keylen || (key[i + 1] != 1 && key[i + 1] != 2)) {
					return SN_EPARSE;
				}
				i++;
			}
			i++;
			octets++;
		}
		if (i == keylen || octets == 0 || octets > LABEL_MAXLEN || nl == DNAME_MAXLABELS) {
			return SN_EPARSE;
		}
		total += octets + 1;
		if (total > DNAME_MAXLEN) {
			return SN_EPARSE;
		}
		start[nl] = s;
		end[nl++] = i;
		i++;	/* the 0x00 ending the label */
	}
	size_t o = 0;
	while (nl > 0) {
		nl--;
		size_t lenpos = o++;
		for (size_t j = start[nl]; j < end[nl]; j++) {
			if (key[j] == 1) {
				out[o++] = (uint8_t)(key[++j] - 1);
			} else {
				out[o++] = key[j];
			}
		}
		out[lenpos] = (uint8_t)(o - lenpos - 1);
	}
	out[o++] = 0;
	*out_len = o;
	return SN_OK;
}

bool
tree_key_is_subdomain(const uint8_t *key, size_t keylen, const uint8_t *parent, size_t parentlen)
{
	return parentlen <= keylen && memcmp(key, parent, parentlen) == 0;
}

size_t
tree_key_parent_len(const uint8_t *key, size_t keylen)
{
	if (keylen < 2) {
		return 0;
	}
	for (size_t i = keylen - 1; i-- > 0;) {
		if (key[i] == 0) {
			return i + 1;
		}
	}
	return 0;
}

/* ---- Nodes ---- */

static void *
node_alloc(size_t align, size_t size)
{
	void *p = NULL;
	if (posix_memalign(&p, align, size) != 0) {
		return NULL;
	}
	return p;
}

static size_t
inode_size(const struct tree_node *nd)
{
	return inode_bytes(nd->n, nd->kbytes);
}

/* Copies internal node `nd` for generation `gen`. */
static struct tree_node *
inode_dup(const struct tree_node *nd, uint64_t gen)
{
	size_t size = inode_size(nd);
	struct tree_node *c = node_alloc(NODE_ALIGN, size);
	if (c != NULL) {
		memcpy(c, nd, size);
		c->gen = gen;
	}
	return c;
}

/* An uninitialised leaf with room for `cap` entries, its header set. */
static struct leaf *
leaf_alloc(uint64_t gen, unsigned cap)
{
	struct leaf *lf = node_alloc(cap >= LEAF_ALIGN_CAP ? NODE_ALIGN : 16, leaf_size(cap));
	if (lf == NULL) {
		return NULL;
	}
	memset(&lf->h, 0, sizeof(lf->h));
	lf->h.gen = gen;
	lf->h.cap = cap;
	return lf;
}

/* Copies leaf `src` for generation `gen` into a leaf of capacity `cap`,
 * leaving out the entry at index `skip` (none if skip >= its count); cap
 * must hold the rest. The arrays move apart, the slices stay valid (the
 * caller fixes the prefix if it left out the first or last entry). */
static struct leaf *
leaf_dup(const struct leaf *src, uint64_t gen, unsigned cap, unsigned skip)
{
	struct leaf *lf = leaf_alloc(gen, cap);
	unsigned n = src->h.n;
	if (lf == NULL) {
		return NULL;
	}
	if (skip > n) {
		skip = n;
	}
	unsigned rest = skip < n ? n - skip - 1 : 0;
	lf->h.plen = src->h.plen;
	lf->h.n = (uint8_t)(skip + rest);
	memcpy(lf->prefix, src->prefix, sizeof(lf->prefix));
	memcpy(lf->slice, src->slice, skip * sizeof(src->slice[0]));
	memcpy(leaf_val(lf), leaf_val(src), skip * sizeof(void *));
	memcpy(leaf_k(lf), leaf_k(src), skip * sizeof(struct lkey));
	if (rest > 0) {
		memcpy(lf->slice + skip, src->slice + skip + 1, rest * sizeof(src->slice[0]));
		memcpy(leaf_val(lf) + skip, leaf_val(src) + skip + 1, rest * sizeof(void *));
		memcpy(leaf_k(lf) + skip, leaf_k(src) + skip + 1, rest * sizeof(struct lkey));
	}
	return lf;
}

static void
node_free_rec(struct tree_node *nd)
{
	if (nd == NULL) {
		return;
	}
	if (nd->level > 0) {
		for (unsigned i = 0; i < nd->n; i++) {
			node_free_rec(inode_kids(INODE(nd))[i]);
		}
	}
	free(nd);
}

/* Frees the nodes reachable from `nd` that generation `gen` created: the
 * base nodes they point to are not ours, and base nodes never point to ours. */
static void
node_free_gen(struct tree_node *nd, uint64_t gen)
{
	if (nd == NULL || nd->gen != gen) {
		return;
	}
	if (nd->level > 0) {
		for (unsigned i = 0; i < nd->n; i++) {
			node_free_gen(inode_kids(INODE(nd))[i], gen);
		}
	}
	free(nd);
}

static inline const uint8_t *
sep_key(const struct inode *in, unsigned i)
{
	return inode_keys(in) + inode_koff(in)[i];
}

/* Stores entry `e` at index i of `lf`, slice aside. */
static inline void
leaf_put(struct leaf *lf, unsigned i, const struct ent *e)
{
	leaf_val(lf)[i] = e->val;
	leaf_k(lf)[i].key = e->key;
	leaf_k(lf)[i].len = e->len;
}

static inline struct ent
leaf_ent(const struct leaf *lf, unsigned i)
{
	const struct lkey *k = &leaf_k(lf)[i];
	return (struct ent){ k->key, leaf_val(lf)[i], k->len };
}

/* Copies `cnt` entries of `lf` from index `from` to dst. */
static void
leaf_get_ents(const struct leaf *lf, unsigned from, size_t cnt, struct ent *dst)
{
	for (size_t i = 0; i < cnt; i++) {
		dst[i] = leaf_ent(lf, from + (unsigned)i);
	}
}

/* Moves `cnt` entries (slices included) of `lf` from index src to dst. */
static void
leaf_move(struct leaf *lf, unsigned dst, unsigned src, size_t cnt)
{
	void **val = leaf_val(lf);
	struct lkey *k = leaf_k(lf);
	memmove(&lf->slice[dst], &lf->slice[src], cnt * sizeof(lf->slice[0]));
	memmove(&val[dst], &val[src], cnt * sizeof(val[0]));
	memmove(&k[dst], &k[src], cnt * sizeof(k[0]));
}

/* Recomputes a leaf's prefix and every slice. */
static void
leaf_fix(struct leaf *lf)
{
	unsigned n = lf->h.n;
	const struct lkey *k = leaf_k(lf);
	size_t plen = 0;

	if (n > 0) {
		plen = lcp(k[0].key, k[0].len, k[n - 1].key, k[n - 1].len);
		if (plen > LEAF_PMAX) {
			plen = LEAF_PMAX;
		}
		memcpy(lf->prefix, k[0].key, plen);
	}
	lf->h.plen = (uint16_t)plen;
	for (unsigned i = 0; i < n; i++) {
		lf->slice[i] = mkslice16(k[i].key, k[i].len, plen);
	}
}

/* After the first or last entry changed: recomputes the prefix, and all the
 * slices only if its length changed. Returns true if it did. */
static bool
leaf_refix(struct leaf *lf)
{
	unsigned n = lf->h.n;
	const struct lkey *k = leaf_k(lf);
	size_t plen = lcp(k[0].key, k[0].len, k[n - 1].key, k[n - 1].len);
	if (plen > LEAF_PMAX) {
		plen = LEAF_PMAX;
	}
	if (plen == lf->h.plen) {
		return false;
	}
	leaf_fix(lf);
	return true;
}

/* A new leaf holding `n` entries, sized to them. */
static struct leaf *
leaf_build(uint64_t gen, const struct ent *ents, size_t n)
{
	struct leaf *lf = leaf_alloc(gen, leaf_fit(n));
	if (lf == NULL) {
		return NULL;
	}
	lf->h.n = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		leaf_put(lf, (unsigned)i, &ents[i]);
	}
	leaf_fix(lf);
	return lf;
}

/* Builds an internal node of `level` from n children and the n-1
 * separators between them (copied). */
static struct inode *
inode_build(uint64_t gen, unsigned level, struct tree_node *const *child, const uint8_t *const *sep,
	    const uint16_t *seplen, size_t n)
{
	size_t kbytes = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		kbytes += seplen[i];
	}
	struct inode *in = node_alloc(NODE_ALIGN, inode_bytes(n, kbytes));
	if (in == NULL) {
		return NULL;
	}
	memset(&in->h, 0, sizeof(in->h));
	in->h.gen = gen;
	in->h.level = (uint8_t)level;
	in->h.n = (uint8_t)n;
	in->h.kbytes = (uint32_t)kbytes;
	memcpy(inode_kids(in), child, n * sizeof(*child));
	size_t off = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		inode_koff(in)[i] = (uint16_t)off;
		inode_klen(in)[i] = seplen[i];
		memcpy(inode_keys(in) + off, sep[i], seplen[i]);
		off += seplen[i];
	}
	size_t plen = lcp(sep_key(in, 0), inode_klen(in)[0], sep_key(in, (unsigned)n - 2),
			  inode_klen(in)[n - 2]);
	in->h.plen = (uint16_t)plen;
	for (size_t i = 0; i + 1 < n; i++) {
		in->slice[i] = mkslice(sep_key(in, (unsigned)i), inode_klen(in)[i], plen);
	}
	return in;
}

/* ---- Searches ---- */

/* Index of the child of `in` whose range holds `key`: the number of
 * separators <= key. */
static inline unsigned
inode_find(const struct inode *in, const uint8_t *key, size_t keylen)
{
	unsigned nsep = in->h.n - 1u;
	size_t plen = in->h.plen;
	const uint8_t *keys = inode_keys(in);
	int c = prefixcmp(key, keylen, keys, plen);
	if (c != 0) {
		return c < 0 ? 0 : nsep;
	}
	uint64_t ks = mkslice(key, keylen, plen);
	unsigned i = lower_u64(in->slice, nsep, ks);
	if (i == nsep || in->slice[i] != ks) {
		return i;
	}
	/* Separators with the same slice as the key: count those <= key. The
	 * arrays' places depend on the node's size: find them once. */
	const uint16_t *koff = inode_koff(in), *klen = koff + nsep;
	while (i < nsep && in->slice[i] == ks &&
	       slicecmp(ks, key, keylen, ks, keys + koff[i], klen[i], plen) >= 0) {
		i++;
	}
	return i;
}

/* Index of the first entry of `lf` >= key; *eq tells whether it is equal. */
static inline unsigned
leaf_find(const struct leaf *lf, const uint8_t *key, size_t keylen, bool *eq)
{
	size_t plen = lf->h.plen;
	int c = prefixcmp(key, keylen, lf->prefix, plen);
	*eq = false;
	if (c != 0) {
		return c < 0 ? 0 : lf->h.n;
	}
	slice_t ks = mkslice16(key, keylen, plen);
	unsigned n = lf->h.n;
	unsigned i = lower_slice(lf->slice, n, ks);
	if (i == n || lf->slice[i] != ks) {
		return i;
	}
	if ((uint8_t)ks < 16) {
		*eq = true;
		return i;
	}
	/* Entries with the same slice as the key, which goes on past it: the
	 * bytes after decide. */
	const struct lkey *k = leaf_k(lf);
	while (i < n && lf->slice[i] == ks) {
		const struct lkey *e = &k[i];
		c = keycmp(key + plen + 15, keylen - plen - 15, e->key + plen + 15,
			   e->len - plen - 15);
		if (c <= 0) {
			*eq = c == 0;
			break;
		}
		i++;
	}
	return i;
}

/* Asks for the lines a search of `nd` reads (header, prefix, slices) all at
 * once: a binary search would otherwise wait for them one after another,
 * and in a large zone each is a cache miss. */
static inline void
node_prefetch(const struct tree_node *nd)
{
	uintptr_t p = (uintptr_t)nd;
	uintptr_t end;
	if (nd->level == 0) {
		end = (uintptr_t)leaf_k(CLEAF(nd));	/* slices and values */
	} else {
		end = (uintptr_t)inode_kids(CINODE(nd));	/* the slices */
	}
	/* Small leaves are not line-aligned: count lines, not bytes. */
	for (p &= ~(uintptr_t)63; p < end; p += 64) {
		__builtin_prefetch((const void *)p);
	}
}

static inline const struct tree_node *
descend(const struct tree_node *nd, const uint8_t *key, size_t keylen)
{
	nd = inode_kids(CINODE(nd))[inode_find(CINODE(nd), key, keylen)];
	node_prefetch(nd);
	return nd;
}

void *
tree_get(const tree_t *t, const uint8_t *key, size_t keylen)
{
	const struct tree_node *nd = t->root;
	bool eq;

	if (nd == NULL) {
		return NULL;
	}
	while (nd->level > 0) {
		nd = descend(nd, key, keylen);
	}
	unsigned i = leaf_find(CLEAF(nd), key, keylen, &eq);
	return eq ? leaf_val(CLEAF(nd))[i] : NULL;
}

/* ---- Iteration ---- */

static void
iter_descend(tree_iter_t *it, unsigned d, bool last)
{
	while (d + 1 < it->height) {
		const struct inode *in = CINODE(it->node[d]);
		it->pos[d] = last ? in->h.n - 1u : 0;
		it->node[d + 1] = inode_kids(in)[it->pos[d]];
		d++;
	}
	it->pos[d] = last ? it->node[d]->n - 1u : 0;
}

void
tree_iter_first(tree_iter_t *it, const tree_t *t)
{
	it->height = (uint8_t)t->height;
	if (t->root != NULL) {
		it->node[0] = t->root;
		iter_descend(it, 0, false);
	}
}

void
tree_iter_last(tree_iter_t *it, const tree_t *t)
{
	it->height = (uint8_t)t->height;
	if (t->root != NULL) {
		it->node[0] = t->root;
		iter_descend(it, 0, true);
	}
}

void
tree_iter_next(tree_iter_t *it)
{
	if (it->height == 0) {
		return;
	}
	unsigned d = it->height - 1u;
	if (it->pos[d] + 1u < it->node[d]->n) {
		it->pos[d]++;
		return;
	}
	while (d-- > 0) {
		if (it->pos[d] + 1u < it->node[d]->n) {
			it->pos[d]++;
			it->node[d + 1] = inode_kids(CINODE(it->node[d]))[it->pos[d]];
			iter_descend(it, d + 1, false);
			return;
		}
	}
	it->height = 0;
}

void
tree_iter_prev(tree_iter_t *it)
{
	if (it->height == 0) {
		return;
	}
	unsigned d = it->height - 1u;
	if (it->pos[d] > 0) {
		it->pos[d]--;
		return;
	}
	while (d-- > 0) {
		if (it->pos[d] > 0) {
			it->pos[d]--;
			it->node[d + 1] = inode_kids(CINODE(it->node[d]))[it->pos[d]];
			iter_descend(it, d + 1, true);
			return;
		}
	}
	it->height = 0;
}

enum seek { SEEK_LT, SEEK_LE, SEEK_GE, SEEK_GT };

static void
iter_seek(tree_iter_t *it, const tree_t *t, const uint8_t *key, size_t keylen, enum seek mode)
{
	const struct tree_node *nd = t->root;
	unsigned d = 0;
	bool eq;

	it->height = (uint8_t)t->height;
	if (nd == NULL) {
		return;
	}
	while (nd->level > 0) {
		unsigned i = inode_find(CINODE(nd), key, keylen);
		it->node[d] = nd;
		it->pos[d++] = (uint16_t)i;
		nd = inode_kids(CINODE(nd))[i];
		node_prefetch(nd);
	}
	it->node[d] = nd;
	unsigned n = nd->n;
	unsigned ge = leaf_find(CLEAF(nd), key, keylen, &eq);
	/* In positions "before ge": the greatest entry < key is ge - 1. */
	unsigned want;
	switch (mode) {
	case SEEK_LT:
		want = ge;
		break;
	case SEEK_LE:
		want = ge + eq;
		break;
	case SEEK_GE:
		want = ge;
		break;
	default:
		want = ge + eq;
		break;
	}
	if (mode == SEEK_LT || mode == SEEK_LE) {
		/* The leaf's range may begin below its first entry, so the
		 * answer can be the last entry of the previous leaf. */
		if (want == 0) {
			it->pos[d] = 0;
			tree_iter_prev(it);
		} else {
			it->pos[d] = (uint16_t)(want - 1);
		}
	} else {
		if (want == n) {
			it->pos[d] = (uint16_t)(n - 1);
			tree_iter_next(it);
		} else {
			it->pos[d] = (uint16_t)want;
		}
	}
}

void
tree_iter_seek_ge(tree_iter_t *it, const tree_t *t, const uint8_t *key, size_t keylen)
{
	iter_seek(it, t, key, keylen, SEEK_GE);
}

void
tree_iter_seek_le(tree_iter_t *it, const tree_t *t, const uint8_t *key, size_t keylen)
{
	iter_seek(it, t, key, keylen, SEEK_LE);
}

bool
tree_iter_is_valid(const tree_iter_t *it)
{
	return it->height > 0;
}

const uint8_t *
tree_iter_key(const tree_iter_t *it, size_t *keylen)
{
	const struct leaf *lf = CLEAF(it->node[it->height - 1]);
	unsigned i = it->pos[it->height - 1];
	const struct lkey *k = &leaf_k(lf)[i];
	*keylen = k->len;
	return k->key;
}

void *
tree_iter_val(const tree_iter_t *it)
{
	return leaf_val(CLEAF(it->node[it->height - 1]))[it->pos[it->height - 1]];
}

static void *
get_near(const tree_t *t, const uint8_t *key, size_t keylen, const uint8_t **found_key,
	 size_t *found_len, enum seek mode)
{
	tree_iter_t it;
	iter_seek(&it, t, key, keylen, mode);
	if (!tree_iter_is_valid(&it)) {
		return NULL;
	}
	size_t len;
	const uint8_t *k = tree_iter_key(&it, &len);
	if (found_key != NULL) {
		*found_key = k;
	}
	if (found_len != NULL) {
		*found_len = len;
	}
	return tree_iter_val(&it);
}

void *
tree_get_le(const tree_t *t, const uint8_t *key, size_t keylen, const uint8_t **found_key,
	    size_t *found_len)
{
	return get_near(t, key, keylen, found_key, found_len, SEEK_LE);
}

void *
tree_get_lt(const tree_t *t, const uint8_t *key, size_t keylen, const uint8_t **found_key,
	    size_t *found_len)
{
	return get_near(t, key, keylen, found_key, found_len, SEEK_LT);
}

void *
tree_get_ge(const tree_t *t, const uint8_t *key, size_t keylen, const uint8_t **found_key,
	    size_t *found_len)
{
	return get_near(t, key, keylen, found_key, found_len, SEEK_GE);
}

void *
tree_get_gt(const tree_t *t, const uint8_t *key, size_t keylen, const uint8_t **found_key,
	    size_t *found_len)
{
	return get_near(t, key, keylen, found_key, found_len, SEEK_GT);
}

/* ---- Whole trees ---- */

int
tree_new(tree_t **out)
{
	tree_t *t = calloc(1, sizeof(*t));
	if (t == NULL) {
		return SN_ENOMEM;
	}
	*out = t;
	return SN_OK;
}

size_t
tree_count(const tree_t *t)
{
	return t->count;
}

unsigned
tree_height(const tree_t *t)
{
	return t->height;
}

void
tree_free(tree_t *t)
{
	if (t == NULL) {
		return;
	}
	node_free_rec(t->root);
	free(t);
}

/* The separator between a left node ending with key a and a right node
 * starting with key b (a < b): the shortest prefix of b greater than a. */
static inline uint16_t
sep_len(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return (uint16_t)(lcp(a, alen, b, blen) + 1);
}

int
tree_build_sorted(const tree_entry_t *e, size_t n, tree_t **out)
{
	struct tree_node **nodes = NULL;
	const uint8_t **sep = NULL;
	uint16_t *seplen = NULL;
	struct ent ents[LEAF_MAX];
	tree_t *t = NULL;
	size_t count = 0, built = 0, failed_at = 0;
	unsigned height = 0;
	int rc = SN_ENOMEM;

	for (size_t i = 0; i < n; i++) {
		if (e[i].keylen > TREE_KEY_MAXLEN || e[i].val == NULL || e[i].key == NULL) {
			return SN_EINVAL;
		}
		if (i > 0 && keycmp(e[i - 1].key, e[i - 1].keylen, e[i].key, e[i].keylen) >= 0) {
			return SN_EINVAL;
		}
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		return SN_ENOMEM;
	}
	if (n == 0) {
		*out = t;
		return SN_OK;
	}
	/* Leaves as full as possible, sizes differing by at most one so that
	 * the last is not left nearly empty. */
	count = (n + LEAF_MAX - 1) / LEAF_MAX;
	nodes = malloc(count * sizeof(*nodes));
	sep = malloc(count * sizeof(*sep));
	seplen = malloc(count * sizeof(*seplen));
	if (nodes == NULL || sep == NULL || seplen == NULL) {
		goto out;
	}
	for (built = 0; built < count; built++) {
		size_t s = built * n / count, end = (built + 1) * n / count;
		for (size_t i = s; i < end; i++) {
			ents[i - s] = (struct ent){ e[i].key, e[i].val, (uint16_t)e[i].keylen };
		}
		struct leaf *lf = leaf_build(0, ents, end - s);
		if (lf == NULL) {
			failed_at = count;	/* nothing beyond `built` exists */
			goto out;
		}
		nodes[built] = &lf->h;
		if (s > 0) {
			sep[built] = e[s].key;
			seplen[built] = sep_len(e[s - 1].key, e[s - 1].keylen, e[s].key, e[s].keylen);
		}
	}
	height = 1;
	/* Upper levels: groups of children, in place (group g is written at
	 * index g <= its first child's index, which was already read). */
	while (count > 1) {
		size_t groups = (count + INODE_MAX - 1) / INODE_MAX;
		for (built = 0; built < groups; built++) {
			size_t s = built * count / groups, end = (built + 1) * count / groups;
			struct inode *in = inode_build(0, height, nodes + s, sep + s + 1, seplen + s + 1,
						       end - s);
			if (in == NULL) {
				failed_at = s;
				goto out;
			}
			nodes[built] = &in->h;
			sep[built] = sep[s];
			seplen[built] = seplen[s];
		}
		count = groups;
		height++;
	}
	t->root = nodes[0];
	t->count = n;
	t->height = height;
	*out = t;
	t = NULL;
	rc = SN_OK;
	count = 0;
out:
	if (rc != SN_OK && nodes != NULL) {
		/* The nodes built at this level own the ones below them; the
		 * children not yet grouped are still on their own. */
		for (size_t i = 0; i < built; i++) {
			node_free_rec(nodes[i]);
		}
		for (size_t i = failed_at; i < count; i++) {
			node_free_rec(nodes[i]);
		}
	}
	free(nodes);
	free(sep);
	free(seplen);
	free(t);
	return rc;
}

/* ---- Transactions ---- */

int
tree_txn_begin(const tree_t *base, tree_txn_t **out)
{
	tree_txn_t *txn = malloc(sizeof(*txn));
	tree_t *nt = malloc(sizeof(*nt));
	tree_garbage_t *g = calloc(1, sizeof(*g));

	if (txn == NULL || nt == NULL || g == NULL) {
		free(txn);
		free(nt);
		free(g);
		return SN_ENOMEM;
	}
	txn->cur = *base;
	txn->cur.gen = base->gen + 1;
	txn->base = base;
	txn->out = nt;
	txn->garbage = g;
	*out = txn;
	return SN_OK;
}

const tree_t *
tree_txn_tree(const tree_txn_t *txn)
{
	return &txn->cur;
}

size_t
tree_txn_copied(const tree_txn_t *txn)
{
	return txn->garbage->n;
}

/* Makes room in the garbage list for everything one change can drop: the
 * path and one sibling per level. */
static int
garbage_reserve(tree_txn_t *txn)
{
	tree_garbage_t *g = txn->garbage;
	size_t need = g->n + 2 * (size_t)txn->cur.height + 2;
	if (need <= g->cap) {
		return SN_OK;
	}
	size_t cap = g->cap < 64 ? 64 : g->cap * 2;
	while (cap < need) {
		cap *= 2;
	}
	struct tree_node **p = realloc(g->node, cap * sizeof(*p));
	if (p == NULL) {
		return SN_ENOMEM;
	}
	g->node = p;
	g->cap = cap;
	return SN_OK;
}

/* Disposes of a node the transaction's tree no longer uses. */
static void
drop_node(tree_txn_t *txn, struct tree_node *nd)
{
	if (nd->gen == txn->cur.gen) {
		free(nd);
	} else {
		txn->garbage->node[txn->garbage->n++] = nd;	/* reserved */
	}
}

/* Walks to the leaf for `key`, making every internal node on the way the
 * transaction's own; the leaf (p->node[height - 1]) may still be the
 * base's: the caller knows what size its copy needs (leaf_own), or it
 * rebuilds it anyway. Each copy is linked in at once, so stopping halfway
 * on SN_ENOMEM leaves a consistent tree. */
static int
cow_path(tree_txn_t *txn, const uint8_t *key, size_t keylen, struct path *p)
{
	struct tree_node **slot = &txn->cur.root;
	unsigned h = txn->cur.height;

	for (unsigned d = 0; d < h; d++) {
		struct tree_node *nd = *slot;
		if (nd->gen != txn->cur.gen && d + 1 < h) {
			struct tree_node *c = inode_dup(nd, txn->cur.gen);
			if (c == NULL) {
				return SN_ENOMEM;
			}
			drop_node(txn, nd);
			*slot = c;
			nd = c;
		}
		p->node[d] = nd;
		if (d + 1 < h) {
			unsigned i = inode_find(INODE(nd), key, keylen);
			p->idx[d] = (uint16_t)i;
			slot = &inode_kids(INODE(nd))[i];
		}
	}
	return SN_OK;
}

/* Links leaf `lf` in place of the leaf at the end of path `p` and drops
 * the one it replaces. */
static void
leaf_relink(tree_txn_t *txn, struct path *p, struct leaf *lf)
{
	unsigned h = txn->cur.height;
	struct tree_node *old = p->node[h - 1];

	if (h == 1) {
		txn->cur.root = &lf->h;
	} else {
		inode_kids(INODE(p->node[h - 2]))[p->idx[h - 2]] = &lf->h;
	}
	p->node[h - 1] = &lf->h;
	drop_node(txn, old);
}

/* Makes the leaf at the end of path `p` the transaction's own with room for
 * `need` entries, leaving out entry `skip` (or none if skip is its count):
 * a base leaf is copied into a leaf sized to what it will hold, an own leaf
 * too small grows by half. Returns the leaf, or NULL (SN_ENOMEM, nothing
 * changed). */
static struct leaf *
leaf_own(tree_txn_t *txn, struct path *p, size_t need, unsigned skip)
{
	struct leaf *lf = LEAF(p->node[txn->cur.height - 1]);
	unsigned cap;

	if (lf->h.gen == txn->cur.gen) {
		if (lf->h.cap >= need) {
			return lf;
		}
		cap = leaf_grow(lf->h.cap, need);
	} else {
		cap = leaf_fit(need);
	}
	struct leaf *c = leaf_dup(lf, txn->cur.gen, cap, skip);
	if (c != NULL) {
		leaf_relink(txn, p, c);
	}
	return c;
}

/* Builds the node(s) for the content of one level (txn->lbuf for leaves,
 * txn->ichild/isep for internal nodes) split in two halves: *a and *b, and
 * the separator to put between them. */
static int
build_split(tree_txn_t *txn, unsigned level, size_t cnt, struct tree_node **a,
	    struct tree_node **b, const uint8_t **sep, uint16_t *seplen)
{
	uint64_t gen = txn->cur.gen;
	size_t m = cnt / 2;

	if (level == 0) {
		struct leaf *la = leaf_build(gen, txn->lbuf, m);
		struct leaf *lb = la == NULL ? NULL : leaf_build(gen, txn->lbuf + m, cnt - m);
		if (lb == NULL) {
			free(la);
			return SN_ENOMEM;
		}
		const struct ent *l = &txn->lbuf[m - 1], *r = &txn->lbuf[m];
		*a = &la->h;
		*b = &lb->h;
		*sep = r->key;
		*seplen = sep_len(l->key, l->len, r->key, r->len);
		return SN_OK;
	}
	/* The middle separator moves up. */
	struct inode *ia = inode_build(gen, level, txn->ichild, txn->isep, txn->iseplen, m);
	struct inode *ib = ia == NULL ? NULL
				      : inode_build(gen, level, txn->ichild + m, txn->isep + m,
						    txn->iseplen + m, cnt - m);
	if (ib == NULL) {
		free(ia);
		return SN_ENOMEM;
	}
	*a = &ia->h;
	*b = &ib->h;
	*sep = txn->isep[m - 1];
	*seplen = txn->iseplen[m - 1];
	return SN_OK;
}

static struct tree_node *
build_one(tree_txn_t *txn, unsigned level, size_t cnt)
{
	if (level == 0) {
		return (struct tree_node *)leaf_build(txn->cur.gen, txn->lbuf, cnt);
	}
	return (struct tree_node *)inode_build(txn->cur.gen, level, txn->ichild, txn->isep,
					       txn->iseplen, cnt);
}

/* Appends (right) or prepends (left) the content of sibling `s` to the
 * level content of `cnt` items, with the parent's separator `ps` between
 * them for internal nodes. Returns the new count. */
static size_t
concat_sibling(tree_txn_t *txn, size_t cnt, const struct tree_node *s, bool left,
	       const uint8_t *ps, uint16_t pslen)
{
	size_t sn = s->n;

	if (s->level == 0) {
		const struct leaf *ls = CLEAF(s);
		if (left) {
			memmove(txn->lbuf + sn, txn->lbuf, cnt * sizeof(txn->lbuf[0]));
			leaf_get_ents(ls, 0, sn, txn->lbuf);
		} else {
			leaf_get_ents(ls, 0, sn, txn->lbuf + cnt);
		}
		return cnt + sn;
	}
	const struct inode *is = CINODE(s);
	if (left) {
		memmove(txn->ichild + sn, txn->ichild, cnt * sizeof(txn->ichild[0]));
		memmove(txn->isep + sn, txn->isep, (cnt - 1) * sizeof(txn->isep[0]));
		memmove(txn->iseplen + sn, txn->iseplen, (cnt - 1) * sizeof(txn->iseplen[0]));
		memcpy(txn->ichild, inode_kids(is), sn * sizeof(struct tree_node *));
		for (size_t i = 0; i + 1 < sn; i++) {
			txn->isep[i] = sep_key(is, (unsigned)i);
			txn->iseplen[i] = inode_klen(is)[i];
		}
		txn->isep[sn - 1] = ps;
		txn->iseplen[sn - 1] = pslen;
	} else {
		txn->isep[cnt - 1] = ps;
		txn->iseplen[cnt - 1] = pslen;
		memcpy(txn->ichild + cnt, inode_kids(is), sn * sizeof(struct tree_node *));
		for (size_t i = 0; i + 1 < sn; i++) {
			txn->isep[cnt + i] = sep_key(is, (unsigned)i);
			txn->iseplen[cnt + i] = inode_klen(is)[i];
		}
	}
	return cnt + sn;
}

/* Slow path of a change whose leaf content (txn->lbuf, cnt entries) no
 * longer fits its leaf: rebuilds nodes bottom-up until a level fits,
 * then links the new nodes in. The path nodes are the transaction's own. */
static int
rebalance(tree_txn_t *txn, const struct path *p, size_t cnt)
{
	struct tree_node *pend[2 * TREE_MAXHEIGHT + 2];
	struct tree_node *sib[TREE_MAXHEIGHT];
	size_t npend = 0, nsib = 0;
	unsigned h = txn->cur.height;
	unsigned d = h - 1;
	struct tree_node *top = NULL;	/* replaces p->node[d] (or the root) */
	unsigned newh = h;

	for (;;) {
		unsigned level = h - 1 - d;
		size_t max = level == 0 ? LEAF_MAX : INODE_MAX;
		size_t min = level == 0 ? LEAF_MIN : INODE_MIN;
		struct tree_node *r[2];
		const uint8_t *rsep = NULL;
		uint16_t rseplen = 0;
		size_t rn;

		if (d == 0) {
			if (cnt > max) {
				if (h == TREE_MAXHEIGHT) {
					goto fail_range;
				}
				if (build_split(txn, level, cnt, &r[0], &r[1], &rsep, &rseplen) !=
				    SN_OK) {
					goto fail;
				}
				pend[npend++] = r[0];
				pend[npend++] = r[1];
				top = (struct tree_node *)inode_build(txn->cur.gen, level + 1, r, &rsep,
								      &rseplen, 2);
				if (top == NULL) {
					goto fail;
				}
				newh = h + 1;
			} else if (level == 0 && cnt == 0) {
				top = NULL;
				newh = 0;
			} else if (level > 0 && cnt == 1) {
				top = txn->ichild[0];	/* the root had two children, now merged */
				newh = h - 1;
			} else {
				top = build_one(txn, level, cnt);
				if (top == NULL) {
					goto fail;
				}
			}
			break;
		}
		const struct inode *par = CINODE(p->node[d - 1]);
		unsigned i = p->idx[d - 1], lo = i, hi = i;
		if (cnt >= min && cnt <= max) {
			top = build_one(txn, level, cnt);
			if (top == NULL) {
				goto fail;
			}
			break;
		}
		if (cnt < min) {
			/* Merge with a sibling, or share entries with it when
			 * both do not fit in one node. */
			bool left = i > 0;
			unsigned j = left ? i - 1 : i + 1;
			lo = left ? j : i;
			hi = left ? i : j;
			sib[nsib++] = inode_kids(par)[j];
			cnt = concat_sibling(txn, cnt, inode_kids(par)[j], left, sep_key(par, lo),
					     inode_klen(par)[lo]);
		}
		if (cnt <= max) {
			r[0] = build_one(txn, level, cnt);
			if (r[0] == NULL) {
				goto fail;
			}
			pend[npend++] = r[0];
			rn = 1;
		} else {
			if (build_split(txn, level, cnt, &r[0], &r[1], &rsep, &rseplen) != SN_OK) {
				goto fail;
			}
			pend[npend++] = r[0];
			pend[npend++] = r[1];
			rn = 2;
		}
		/* The parent's new content: children lo..hi replaced by r. */
		size_t k = 0, pn = par->h.n;
		for (size_t c = 0; c < lo; c++, k++) {
			txn->ichild[k] = inode_kids(par)[c];
			txn->isep[k] = sep_key(par, (unsigned)c);
			txn->iseplen[k] = inode_klen(par)[c];
		}
		txn->ichild[k] = r[0];
		if (rn == 2) {
			txn->isep[k] = rsep;
			txn->iseplen[k] = rseplen;
			txn->ichild[++k] = r[1];
		}
		for (size_t c = hi + 1; c < pn; c++) {
			txn->isep[k] = sep_key(par, (unsigned)c - 1);
			txn->iseplen[k] = inode_klen(par)[c - 1];
			txn->ichild[++k] = inode_kids(par)[c];
		}
		cnt = k + 1;
		d--;
	}

	/* Every allocation succeeded: link in, then drop what was replaced. */
	if (d == 0) {
		txn->cur.root = top;
		txn->cur.height = newh;
	} else {
		inode_kids(INODE(p->node[d - 1]))[p->idx[d - 1]] = top;
	}
	for (unsigned k = d; k < h; k++) {
		drop_node(txn, p->node[k]);
	}
	for (size_t k = 0; k < nsib; k++) {
		drop_node(txn, sib[k]);
	}
	return SN_OK;

fail_range:
	while (npend > 0) {
		free(pend[--npend]);
	}
	return SN_ERANGE;
fail:
	while (npend > 0) {
		free(pend[--npend]);
	}
	return SN_ENOMEM;
}

int
tree_txn_set(tree_txn_t *txn, const uint8_t *key, size_t keylen, void *val, void **old_val)
{
	struct path p;
	bool eq;
	int rc;

	if (keylen > TREE_KEY_MAXLEN || val == NULL || key == NULL) {
		return SN_EINVAL;
	}
	if (txn->cur.root == NULL) {
		struct ent e = { key, val, (uint16_t)keylen };
		struct leaf *lf = leaf_build(txn->cur.gen, &e, 1);
		if (lf == NULL) {
			return SN_ENOMEM;
		}
		txn->cur.root = &lf->h;
		txn->cur.height = 1;
		txn->cur.count = 1;
		if (old_val != NULL) {
			*old_val = NULL;
		}
		return SN_OK;
	}
	rc = garbage_reserve(txn);
	if (rc == SN_OK) {
		rc = cow_path(txn, key, keylen, &p);
	}
	if (rc != SN_OK) {
		return rc;
	}
	struct leaf *lf = LEAF(p.node[txn->cur.height - 1]);
	unsigned pos = leaf_find(lf, key, keylen, &eq);
	unsigned n = lf->h.n;
	if (eq) {
		lf = leaf_own(txn, &p, n, n);
		if (lf == NULL) {
			return SN_ENOMEM;
		}
		/* The key lives in the value: point at the new one, since the
		 * caller frees the old value after the commit's garbage. */
		if (old_val != NULL) {
			*old_val = leaf_val(lf)[pos];
		}
		leaf_val(lf)[pos] = val;
		leaf_k(lf)[pos].key = key;
		return SN_OK;
	}
	if (n < LEAF_MAX) {
		struct ent e = { key, val, (uint16_t)keylen };
		lf = leaf_own(txn, &p, n + 1, n);
		if (lf == NULL) {
			return SN_ENOMEM;
		}
		leaf_move(lf, pos + 1, pos, n - pos);
		leaf_put(lf, pos, &e);
		lf->h.n++;
		/* A key between the first and the last shares their prefix. */
		if ((pos != 0 && pos != n) || !leaf_refix(lf)) {
			lf->slice[pos] = mkslice16(key, keylen, lf->h.plen);
		}
	} else {
		leaf_get_ents(lf, 0, pos, txn->lbuf);
		txn->lbuf[pos] = (struct ent){ key, val, (uint16_t)keylen };
		leaf_get_ents(lf, pos, n - pos, txn->lbuf + pos + 1);
		rc = rebalance(txn, &p, n + 1);
		if (rc != SN_OK) {
			return rc;
		}
	}
	txn->cur.count++;
	if (old_val != NULL) {
		*old_val = NULL;
	}
	return SN_OK;
}

int
tree_txn_del(tree_txn_t *txn, const uint8_t *key, size_t keylen, void **old_val)
{
	struct path p;
	bool eq;
	int rc;

	/* Look first, so that deleting an absent key copies nothing. */
	if (tree_get(&txn->cur, key, keylen) == NULL) {
		return SN_ENOTFOUND;
	}
	rc = garbage_reserve(txn);
	if (rc == SN_OK) {
		rc = cow_path(txn, key, keylen, &p);
	}
	if (rc != SN_OK) {
		return rc;
	}
	unsigned h = txn->cur.height;
	struct leaf *lf = LEAF(p.node[h - 1]);
	unsigned pos = leaf_find(lf, key, keylen, &eq);
	unsigned n = lf->h.n;
	void *val = leaf_val(lf)[pos];
	if (n - 1 >= LEAF_MIN || (h == 1 && n > 1)) {
		if (lf->h.gen == txn->cur.gen) {
			leaf_move(lf, pos, pos + 1, n - pos - 1);
			lf->h.n--;
		} else {
			lf = leaf_own(txn, &p, n - 1, pos);	/* the copy leaves it out */
			if (lf == NULL) {
				return SN_ENOMEM;
			}
		}
		if (pos == 0 || pos == n - 1) {
			(void)leaf_refix(lf);
		}
	} else {
		leaf_get_ents(lf, 0, pos, txn->lbuf);
		leaf_get_ents(lf, pos + 1, n - pos - 1, txn->lbuf + pos);
		rc = rebalance(txn, &p, n - 1);
		if (rc != SN_OK) {
			return rc;
		}
	}
	txn->cur.count--;
	if (old_val != NULL) {
		*old_val = val;
	}
	return SN_OK;
}

int
tree_txn_commit(tree_txn_t *txn, tree_t **new_tree, tree_garbage_t **garbage)
{
	tree_t *nt = txn->out;
	tree_garbage_t *g = txn->garbage;

	*nt = txn->cur;
	g->old = (tree_t *)txn->base;	/* the garbage owns the base handle now */
	*new_tree = nt;
	*garbage = g;
	free(txn);
	return SN_OK;
}

void
tree_txn_abort(tree_txn_t *txn)
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
tree_garbage_free(tree_garbage_t *g)
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

/* ---- Invariant check ---- */

struct bound {
	const uint8_t *key;	/* NULL: unbounded */
	size_t len;
};

static bool
in_bounds(const uint8_t *k, size_t len, struct bound lo, struct bound hi)
{
	if (lo.key != NULL && keycmp(k, len, lo.key, lo.len) < 0) {
		return false;
	}
	if (hi.key != NULL && keycmp(k, len, hi.key, hi.len) >= 0) {
		return false;
	}
	return true;
}

static int
check_node(const struct tree_node *nd, unsigned level, bool root, struct bound lo, struct bound hi,
	   size_t *count)
{
	if (nd->level != level) {
		return SN_ECHECK;
	}
	if (level == 0) {
		const struct leaf *lf = CLEAF(nd);
		unsigned n = nd->n;
		if (n == 0 || n > LEAF_MAX || (!root && n < LEAF_MIN)) {
			return SN_ECHECK;
		}
		if (nd->cap < n || nd->cap > LEAF_MAX || nd->cap % LEAF_STEP != 0) {
			return SN_ECHECK;
		}
		const struct lkey *k = leaf_k(lf);
		size_t plen = lcp(k[0].key, k[0].len, k[n - 1].key, k[n - 1].len);
		if (plen > LEAF_PMAX) {
			plen = LEAF_PMAX;
		}
		if (nd->plen != plen || memcmp(lf->prefix, k[0].key, plen) != 0) {
			return SN_ECHECK;
		}
		for (unsigned i = 0; i < n; i++) {
			if (leaf_val(lf)[i] == NULL || k[i].len > TREE_KEY_MAXLEN ||
			    !in_bounds(k[i].key, k[i].len, lo, hi) ||
			    lf->slice[i] != mkslice16(k[i].key, k[i].len, plen)) {
				return SN_ECHECK;
			}
			if (i > 0 && keycmp(k[i - 1].key, k[i - 1].len, k[i].key, k[i].len) >= 0) {
				return SN_ECHECK;
			}
		}
		*count += n;
		return SN_OK;
	}
	const struct inode *in = CINODE(nd);
	unsigned n = nd->n;
	if (n < 2 || n > INODE_MAX || (!root && n < INODE_MIN)) {
		return SN_ECHECK;
	}
	const uint16_t *klen = inode_klen(in);
	size_t plen = lcp(sep_key(in, 0), klen[0], sep_key(in, n - 2), klen[n - 2]);
	if (nd->plen != plen) {
		return SN_ECHECK;
	}
	size_t bytes = 0;
	for (unsigned i = 0; i + 1 < n; i++) {
		bytes += klen[i];
		if ((size_t)inode_koff(in)[i] + klen[i] > nd->kbytes ||
		    !in_bounds(sep_key(in, i), klen[i], lo, hi) ||
		    in->slice[i] != mkslice(sep_key(in, i), klen[i], plen)) {
			return SN_ECHECK;
		}
		if (i > 0 && keycmp(sep_key(in, i - 1), klen[i - 1], sep_key(in, i), klen[i]) >= 0) {
			return SN_ECHECK;
		}
	}
	if (bytes != nd->kbytes) {
		return SN_ECHECK;
	}
	for (unsigned i = 0; i < n; i++) {
		struct bound clo = lo, chi = hi;
		if (i > 0) {
			clo = (struct bound){ sep_key(in, i - 1), klen[i - 1] };
		}
		if (i + 1 < n) {
			chi = (struct bound){ sep_key(in, i), klen[i] };
		}
		int rc = check_node(inode_kids(in)[i], level - 1, false, clo, chi, count);
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

static void
stats_node(const struct tree_node *nd, tree_stats_t *st)
{
	if (nd->level == 0) {
		st->leaves++;
		st->bytes += leaf_size(nd->cap);
		st->slack += nd->cap - nd->n;
		if (nd->cap >= LEAF_STEP && nd->cap <= LEAF_MAX) {
			st->leaf_caps[nd->cap / LEAF_STEP - 1]++;
		}
		return;
	}
	st->inodes++;
	st->bytes += inode_size(nd);
	for (unsigned i = 0; i < nd->n; i++) {
		stats_node(inode_kids(CINODE(nd))[i], st);
	}
}

void
tree_stats(const tree_t *t, tree_stats_t *st)
{
	memset(st, 0, sizeof(*st));
	st->count = t->count;
	st->bytes = sizeof(*t);
	if (t->root != NULL) {
		stats_node(t->root, st);
	}
}

int
tree_check(const tree_t *t)
{
	size_t count = 0;
	struct bound none = { NULL, 0 };

	if (t->root == NULL) {
		return t->height == 0 && t->count == 0 ? SN_OK : SN_ECHECK;
	}
	if (t->height == 0 || t->height > TREE_MAXHEIGHT) {
		return SN_ECHECK;
	}
	int rc = check_node(t->root, t->height - 1, true, none, none, &count);
	if (rc == SN_OK && count != t->count) {
		rc = SN_ECHECK;
	}
	return rc;
}
