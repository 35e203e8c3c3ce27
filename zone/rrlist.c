/* SPDX-License-Identifier: MIT
 * rrlist.c - the records of a zone in arena blocks, and their canonical sort.
 *
 * Loading a zone of a million names sorts a few million records, so the
 * sort is built around a precomputed key per owner name: the labels in
 * reverse order, lower-cased, each followed by a 0x00 terminator, with the
 * octets 0x00 and 0x01 inside labels escaped as 0x01 0x01 and 0x01 0x02.
 * memcmp on two keys then gives the canonical order of RFC 4034 6.1 (a
 * label that is a prefix of another sorts first because its terminator is
 * the smallest octet; a name sorts before the names below it because its
 * key is a prefix of theirs), and the keys of the names at or below X are
 * exactly the keys that start with the key of X.
 *
 * The array that gets sorted holds 16-octet entries: 8 octets of the key
 * (big-endian, so that integer order is memcmp order) and a pointer to the
 * record. The common prefix of all keys (the apex, in a zone) is skipped.
 * An in-place MSD radix sort (American flag sort) runs on those 8 octets and
 * reloads the next 8 from the key only for groups still tied, so most of
 * the work touches the array alone. Small groups, and the records of one
 * owner, are finished with comparisons. Zone files are often already in
 * order, or in order by owner: both are detected in a linear pass first.
 */
#include <stdlib.h>
#include <string.h>
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrlist.h"

/* Arena blocks: large enough that malloc maps them directly and that the
 * per-block waste (at most one record, 64 KiB) stays small. */
#define BLOCK_SIZE ((size_t)1 << 20)

/* A key has at most 2 octets per label octet plus one terminator per label,
 * which is less than twice the wire length. */
#define KEY_MAXLEN (2 * DNAME_MAXLEN)

/* Groups smaller than this are sorted by comparisons, not by radix. */
#define MSD_SMALL 32
#define INSERTION_MAX 12

#define REC_CANON 0x01 /* RDATA is already in canonical form (RFC 4034 6.2) */
#define REC_DROP 0x02  /* marked by rrlist_drop */

/* An owner name, stored once for a run of records with the same owner. */
struct own {
	uint16_t keylen;
	uint8_t wirelen;
	uint8_t pad[5];
	uint8_t data[]; /* wire form (wirelen), then key (keylen) */
};

#define OWN_WIRE(o) ((o)->data)
#define OWN_KEY(o) ((o)->data + (o)->wirelen)

struct rec {
	const struct own *own;
	uint32_t seq;
	uint32_t ttl;
	uint32_t line;
	uint16_t type;
	uint16_t rclass;
	uint16_t rdlen;
	uint16_t file;
	uint16_t col; /* saturates at 65535 */
	uint8_t flags;
	uint8_t pad;
	uint8_t rdata[];
};

/* While sorting, `pfx` holds 8 key octets from the current depth
 * (big-endian). Once sorted it holds what navigation needs without
 * touching the record, which in a shuffled zone is a cache miss: the type
 * and whether the entry continues the owner and the RRset of the one
 * before it. */
struct ent {
	uint64_t pfx;
	struct rec *r;
};

#define META_TYPE(m) ((uint16_t)((m) & 0xffff))
#define META_CLASS(m) ((uint16_t)((m) >> 32))
#define META_SAME_OWNER ((uint64_t)1 << 16)
#define META_SAME_RRSET ((uint64_t)1 << 17)
#define META_HAD_DUP ((uint64_t)1 << 18)

struct block {
	struct block *next;
	size_t used;
	size_t cap;
	uint64_t data[]; /* 8-aligned */
};

struct rrlist {
	struct ent *ents;
	size_t n;
	size_t cap;
	struct block *blocks; /* newest first */
	const struct own *last_own;
	const struct own *first_own; /* for the common key prefix */
	size_t lcp;		     /* common prefix of every key so far */
	char **files;
	size_t nfiles;
	size_t files_cap;
	size_t last_file; /* index of the file of the last record */
	uint32_t nextseq;
	bool sorted;
	size_t dups;
	/* Room for canonicalizing two RDATA during comparisons and for
	 * checking whether new RDATA is canonical already. */
	uint8_t *scratch_a;
	uint8_t *scratch_b;
};

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Builds the sort key of the valid name `dn` into `key`; returns its
 * length. */
static size_t
make_key(const uint8_t *dn, uint8_t key[KEY_MAXLEN])
{
	uint8_t offs[DNAME_MAXLABELS];
	unsigned n = dname_label_offsets(dn, offs);
	size_t k = 0;

	while (n > 0) {
		const uint8_t *lab = dn + offs[--n];
		for (unsigned i = 1; i <= lab[0]; i++) {
			uint8_t c = dname_lower_tab[lab[i]];
			if (c <= 1) {
				/* keep 0x00 free for the terminator */
				key[k++] = 1;
				key[k++] = (uint8_t)(c + 1);
			} else {
				key[k++] = c;
			}
		}
		key[k++] = 0;
	}
	return k;
}

static int
key_cmp_raw(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);
	if (c != 0) {
		return c;
	}
	return (la > lb) - (la < lb);
}

static int
own_cmp(const struct own *a, const struct own *b)
{
	if (a == b) {
		return 0;
	}
	return key_cmp_raw(OWN_KEY(a), a->keylen, OWN_KEY(b), b->keylen);
}

/* True if the name of `a` equals or lies below the name of `b`. */
static bool
own_is_below(const struct own *a, const struct own *b)
{
	if (a == b) {
		return true;
	}
	return a->keylen >= b->keylen && memcmp(OWN_KEY(a), OWN_KEY(b), b->keylen) == 0;
}

static void *
arena_alloc(rrlist_t *l, size_t size)
{
	struct block *b = l->blocks;

	size = align8(size);
	if (b == NULL || b->cap - b->used < size) {
		size_t cap = size > BLOCK_SIZE ? size : BLOCK_SIZE;
		b = malloc(sizeof(*b) + cap);
		if (b == NULL) {
			return NULL;
		}
		b->used = 0;
		b->cap = cap;
		b->next = l->blocks;
		l->blocks = b;
	}
	void *p = (uint8_t *)b->data + b->used;
	b->used += size;
	return p;
}

rrlist_t *
rrlist_new(void)
{
	rrlist_t *l = calloc(1, sizeof(*l));
	if (l == NULL) {
		return NULL;
	}
	l->scratch_a = malloc(RDATA_MAXLEN);
	l->scratch_b = malloc(RDATA_MAXLEN);
	if (l->scratch_a == NULL || l->scratch_b == NULL) {
		rrlist_free(l);
		return NULL;
	}
	l->sorted = true;
	return l;
}

void
rrlist_free(rrlist_t *l)
{
	if (l == NULL) {
		return;
	}
	struct block *b = l->blocks;
	while (b != NULL) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
	for (size_t i = 0; i < l->nfiles; i++) {
		free(l->files[i]);
	}
	free(l->files);
	free(l->ents);
	free(l->scratch_a);
	free(l->scratch_b);
	free(l);
}

/* Finds or adds `name` in the file table. Records come in long runs from
 * one file, so the last one is tried first. */
static int
intern_file(rrlist_t *l, const char *name, size_t *out)
{
	if (name == NULL) {
		name = "";
	}
	if (l->nfiles > 0 && strcmp(l->files[l->last_file], name) == 0) {
		*out = l->last_file;
		return SN_OK;
	}
	for (size_t i = 0; i < l->nfiles; i++) {
		if (strcmp(l->files[i], name) == 0) {
			l->last_file = i;
			*out = i;
			return SN_OK;
		}
	}
	if (l->nfiles > UINT16_MAX) {
		return SN_ERANGE;
	}
	if (l->nfiles == l->files_cap) {
		size_t cap = l->files_cap == 0 ? 4 : l->files_cap * 2;
		char **f = realloc(l->files, cap * sizeof(*f));
		if (f == NULL) {
			return SN_ENOMEM;
		}
		l->files = f;
		l->files_cap = cap;
	}
	char *copy = strdup(name);
	if (copy == NULL) {
		return SN_ENOMEM;
	}
	l->files[l->nfiles] = copy;
	l->last_file = l->nfiles;
	*out = l->nfiles++;
	return SN_OK;
}

static const struct own *
add_owner(rrlist_t *l, const uint8_t *owner, size_t wl)
{
	const struct own *last = l->last_own;
	if (last != NULL && last->wirelen == wl && memcmp(OWN_WIRE(last), owner, wl) == 0) {
		return last;
	}

	uint8_t key[KEY_MAXLEN];
	size_t kl = make_key(owner, key);
	struct own *o = arena_alloc(l, sizeof(*o) + wl + kl);
	if (o == NULL) {
		return NULL;
	}
	o->keylen = (uint16_t)kl;
	o->wirelen = (uint8_t)wl;
	memcpy(OWN_WIRE(o), owner, wl);
	memcpy(OWN_KEY(o), key, kl);

	if (l->first_own == NULL) {
		l->first_own = o;
		l->lcp = kl;
	} else {
		const uint8_t *fk = OWN_KEY(l->first_own);
		size_t m = l->lcp < kl ? l->lcp : kl;
		size_t i = 0;
		while (i < m && fk[i] == key[i]) {
			i++;
		}
		l->lcp = i;
	}
	l->last_own = o;
	return o;
}

int
rrlist_add(rrlist_t *l, const zfile_rr_t *rr)
{
	size_t wl, file;
	int rc;

	if (dname_check(rr->owner, DNAME_MAXLEN, &wl) != SN_OK) {
		return SN_EPARSE;
	}
	if (rdata_check(rr->type, rr->rdata, rr->rdlen) != SN_OK) {
		return SN_EPARSE;
	}
	if (l->nextseq == UINT32_MAX) {
		return SN_ERANGE;
	}
	rc = intern_file(l, rr->file, &file);
	if (rc != SN_OK) {
		return rc;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap == 0 ? 1024 : l->cap * 2;
		struct ent *e = realloc(l->ents, cap * sizeof(*e));
		if (e == NULL) {
			return SN_ENOMEM;
		}
		l->ents = e;
		l->cap = cap;
	}
	const struct own *o = add_owner(l, rr->owner, wl);
	if (o == NULL) {
		return SN_ENOMEM;
	}
	struct rec *r = arena_alloc(l, sizeof(*r) + rr->rdlen);
	if (r == NULL) {
		return SN_ENOMEM;
	}
	r->own = o;
	r->seq = l->nextseq++;
	r->ttl = rr->ttl;
	r->line = rr->line;
	r->col = rr->col > UINT16_MAX ? UINT16_MAX : (uint16_t)rr->col;
	r->type = rr->type;
	r->rclass = rr->rclass;
	r->rdlen = rr->rdlen;
	r->file = (uint16_t)file;
	r->flags = 0;
	r->pad = 0;
	if (rr->rdlen > 0) {
		memcpy(r->rdata, rr->rdata, rr->rdlen);
		memcpy(l->scratch_a, rr->rdata, rr->rdlen);
		rdata_to_canonical(rr->type, l->scratch_a, rr->rdlen);
		if (memcmp(l->scratch_a, rr->rdata, rr->rdlen) == 0) {
			r->flags |= REC_CANON;
		}
	} else {
		r->flags |= REC_CANON;
	}
	l->ents[l->n].pfx = 0;
	l->ents[l->n].r = r;
	l->n++;
	l->sorted = false;
	return SN_OK;
}

int
rrlist_zfile_cb(void *ctx, const zfile_rr_t *rr)
{
	return rrlist_add(ctx, rr);
}

/* RFC 4034 6.3: RDATA compared as left-justified octet strings, in
 * canonical form (names lower-cased where 6.2 says so). */
static int
rdata_cmp(rrlist_t *l, const struct rec *a, const struct rec *b)
{
	const uint8_t *da = a->rdata, *db = b->rdata;
	if ((a->flags & REC_CANON) == 0) {
		memcpy(l->scratch_a, da, a->rdlen);
		rdata_to_canonical(a->type, l->scratch_a, a->rdlen);
		da = l->scratch_a;
	}
	if ((b->flags & REC_CANON) == 0) {
		memcpy(l->scratch_b, db, b->rdlen);
		rdata_to_canonical(b->type, l->scratch_b, b->rdlen);
		db = l->scratch_b;
	}
	return key_cmp_raw(da, a->rdlen, db, b->rdlen);
}

/* Order of records: owner, type, class, canonical RDATA. 0 means the two
 * are duplicates. */
static int
rec_cmp(rrlist_t *l, const struct rec *a, const struct rec *b)
{
	int c = own_cmp(a->own, b->own);
	if (c != 0) {
		return c;
	}
	if (a->type != b->type) {
		return a->type < b->type ? -1 : 1;
	}
	if (a->rclass != b->rclass) {
		return a->rclass < b->rclass ? -1 : 1;
	}
	return rdata_cmp(l, a, b);
}

/* The sort order: rec_cmp, then insertion order, so that of duplicates
 * the first added comes first and is the one kept. */
static int
ent_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct ent *a = pa, *b = pb;
	if (a->pfx != b->pfx) {
		return a->pfx < b->pfx ? -1 : 1;
	}
	int c = rec_cmp(ctx, a->r, b->r);
	if (c != 0) {
		return c;
	}
	return (a->r->seq > b->r->seq) - (a->r->seq < b->r->seq);
}

static void
cmp_sort(rrlist_t *l, struct ent *a, size_t n)
{
	if (n <= INSERTION_MAX) {
		for (size_t i = 1; i < n; i++) {
			struct ent e = a[i];
			size_t j = i;
			while (j > 0 && ent_cmp(&a[j - 1], &e, l) > 0) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = e;
		}
		return;
	}
	qsort_r(a, n, sizeof(*a), ent_cmp, l);
}

static uint64_t
load_pfx(const struct own *o, size_t off)
{
	const uint8_t *k = OWN_KEY(o);
	size_t len = o->keylen;
	uint64_t v = 0;

	if (off >= len) {
		return 0;
	}
	size_t m = len - off;
	if (m >= 8) {
		memcpy(&v, k + off, 8);
		return __builtin_bswap64(v);
	}
	for (size_t i = 0; i < m; i++) {
		v |= (uint64_t)k[off + i] << (56 - 8 * i);
	}
	return v;
}

/* Sorts a[0..n), whose keys agree on their first depth+byte octets, by
 * octet `byte` of the prefix window that starts at key offset `depth`.
 * Recurses into every bucket but the largest and loops on that one, so
 * the recursion is at most log2(n) deep. */
static void
msd_sort(rrlist_t *l, struct ent *a, size_t n, size_t depth, unsigned byte)
{
	for (;;) {
		if (n < MSD_SMALL) {
			cmp_sort(l, a, n);
			return;
		}
		if (byte == 8) {
			/* The window is used up. If every key ended inside it, the
			 * keys are all equal (a key never holds two 0x00 in a
			 * row, so padding cannot match a longer key): one owner. */
			bool ended = true;
			for (size_t i = 0; i < n; i++) {
				if (a[i].r->own->keylen > depth + 8) {
					ended = false;
					break;
				}
			}
			if (ended) {
				for (size_t i = 0; i < n; i++) {
					a[i].pfx = 0;
				}
				cmp_sort(l, a, n);
				return;
			}
			depth += 8;
			byte = 0;
			for (size_t i = 0; i < n; i++) {
				a[i].pfx = load_pfx(a[i].r->own, depth);
			}
		}

		unsigned shift = 56 - 8 * byte;
		size_t cnt[256] = {0};
		for (size_t i = 0; i < n; i++) {
			cnt[(a[i].pfx >> shift) & 0xff]++;
		}
		if (cnt[(a[0].pfx >> shift) & 0xff] == n) {
			byte++;
			continue;
		}

		size_t next[256], end[256];
		size_t s = 0;
		for (unsigned b = 0; b < 256; b++) {
			next[b] = s;
			s += cnt[b];
			end[b] = s;
		}
		for (unsigned b = 0; b < 256; b++) {
			while (next[b] < end[b]) {
				struct ent e = a[next[b]];
				unsigned d = (e.pfx >> shift) & 0xff;
				while (d != b) {
					struct ent t = a[next[d]];
					a[next[d]++] = e;
					e = t;
					d = (e.pfx >> shift) & 0xff;
				}
				a[next[b]++] = e;
			}
		}

		unsigned big = 0;
		for (unsigned b = 1; b < 256; b++) {
			if (cnt[b] > cnt[big]) {
				big = b;
			}
		}
		size_t start = 0;
		size_t big_start = 0;
		for (unsigned b = 0; b < 256; b++) {
			if (b == big) {
				big_start = start;
			} else if (cnt[b] > 1) {
				msd_sort(l, a + start, cnt[b], depth, byte + 1);
			}
			start += cnt[b];
		}
		a += big_start;
		n = cnt[big];
		byte++;
	}
}

/* Loops over the sorted array touch records in random memory order: fetch
 * the record 16 entries on and the owner 8 on (its record was fetched 8
 * iterations ago). */
static inline void
prefetch_ahead(const struct ent *a, size_t i, size_t n)
{
	if (i + 16 < n) {
		__builtin_prefetch(a[i + 16].r);
		__builtin_prefetch(a[i + 8].r->own);
	}
}

static uint64_t
rec_meta(const struct rec *r)
{
	return (uint64_t)r->type | (uint64_t)r->rclass << 32;
}

/* Compares `b` with the entry `a` before it as rec_cmp does, and adds to
 * *meta the flags saying what the two share. */
static int
set_meta(rrlist_t *l, const struct ent *a, const struct ent *b, uint64_t *meta)
{
	const struct rec *ra = a->r, *rb = b->r;
	int c = own_cmp(ra->own, rb->own);
	if (c != 0) {
		return c;
	}
	*meta |= META_SAME_OWNER;
	if (ra->type != rb->type) {
		return ra->type < rb->type ? -1 : 1;
	}
	if (ra->rclass != rb->rclass) {
		return ra->rclass < rb->rclass ? -1 : 1;
	}
	*meta |= META_SAME_RRSET;
	return rdata_cmp(l, ra, rb);
}

int
rrlist_sort(rrlist_t *l)
{
	size_t n = l->n;
	struct ent *a = l->ents;

	if (l->sorted) {
		return SN_OK;
	}

	/* Already in order? Records of one owner usually come together, so
	 * most comparisons end at the shared owner pointer. */
	bool in_order = true;
	for (size_t i = 0; i < n; i++) {
		a[i].pfx = 0; /* left over from an earlier sort */
	}
	for (size_t i = 1; i < n; i++) {
		if (ent_cmp(&a[i - 1], &a[i], l) > 0) {
			in_order = false;
			break;
		}
	}
	if (!in_order) {
		bool owners_in_order = true;
		for (size_t i = 1; i < n; i++) {
			if (own_cmp(a[i - 1].r->own, a[i].r->own) > 0) {
				owners_in_order = false;
				break;
			}
		}
		if (owners_in_order) {
			for (size_t i = 0; i < n;) {
				size_t j = i + 1;
				while (j < n && own_cmp(a[i].r->own, a[j].r->own) == 0) {
					j++;
				}
				for (size_t k = i; k < j; k++) {
					a[k].pfx = 0;
				}
				cmp_sort(l, a + i, j - i);
				i = j;
			}
		} else {
			for (size_t i = 0; i < n; i++) {
				prefetch_ahead(a, i, n);
				a[i].pfx = load_pfx(a[i].r->own, l->lcp);
			}
			msd_sort(l, a, n, l->lcp, 0);
		}
	}

	/* Drop duplicates (after the sort, the first added of equal records
	 * comes first) and fill in the navigation data. */
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		prefetch_ahead(a, i, n);
		uint64_t meta = rec_meta(a[i].r);
		if (w > 0) {
			int c = set_meta(l, &a[w - 1], &a[i], &meta);
			if (c == 0) {
				a[w - 1].pfx |= META_HAD_DUP;
				l->dups++;
				continue;
			}
		}
		a[w].r = a[i].r;
		a[w].pfx = meta;
		w++;
	}
	l->n = w;
	l->sorted = true;
	return SN_OK;
}

bool
rrlist_is_sorted(const rrlist_t *l)
{
	return l->sorted;
}

size_t
rrlist_count(const rrlist_t *l)
{
	return l->n;
}

size_t
rrlist_dup_count(const rrlist_t *l)
{
	return l->dups;
}

rrlist_rr_t
rrlist_get(const rrlist_t *l, size_t i)
{
	const struct rec *r = l->ents[i].r;

	/* Passes over a sorted list read records in index order, which is
	 * random in memory when the input was unsorted. A wasted hint costs
	 * nothing. */
	prefetch_ahead(l->ents, i, l->n);
	rrlist_rr_t v = {
		.owner = OWN_WIRE(r->own),
		.type = r->type,
		.rclass = r->rclass,
		.ttl = r->ttl,
		.rdlen = r->rdlen,
		.rdata = r->rdata,
		.file = l->files[r->file],
		.line = r->line,
		.col = r->col,
		.seq = r->seq,
	};
	return v;
}

void
rrlist_set_ttl(rrlist_t *l, size_t i, uint32_t ttl)
{
	l->ents[i].r->ttl = ttl;
}

void
rrlist_drop(rrlist_t *l, size_t i)
{
	l->ents[i].r->flags |= REC_DROP;
}

void
rrlist_compact(rrlist_t *l)
{
	size_t w = 0;
	bool gap = false;
	for (size_t i = 0; i < l->n; i++) {
		if ((l->ents[i].r->flags & REC_DROP) != 0) {
			gap = true;
			continue;
		}
		l->ents[w] = l->ents[i];
		if (gap && l->sorted) {
			/* its neighbour changed: redo what it shares with it */
			uint64_t meta = rec_meta(l->ents[w].r) | (l->ents[w].pfx & META_HAD_DUP);
			if (w > 0) {
				(void)set_meta(l, &l->ents[w - 1], &l->ents[w], &meta);
			}
			l->ents[w].pfx = meta;
		}
		gap = false;
		w++;
	}
	l->n = w;
}

bool
rrlist_is_same_owner(const rrlist_t *l, size_t i, size_t j)
{
	if (j == i + 1) {
		return (l->ents[j].pfx & META_SAME_OWNER) != 0;
	}
	return own_cmp(l->ents[i].r->own, l->ents[j].r->own) == 0;
}

bool
rrlist_is_below(const rrlist_t *l, size_t i, size_t j)
{
	return own_is_below(l->ents[i].r->own, l->ents[j].r->own);
}

size_t
rrlist_owner_end(const rrlist_t *l, size_t i)
{
	size_t j = i + 1;
	while (j < l->n && (l->ents[j].pfx & META_SAME_OWNER) != 0) {
		j++;
	}
	return j;
}

size_t
rrlist_rrset_end(const rrlist_t *l, size_t i)
{
	size_t j = i + 1;
	while (j < l->n && (l->ents[j].pfx & META_SAME_RRSET) != 0) {
		j++;
	}
	return j;
}

uint16_t
rrlist_type(const rrlist_t *l, size_t i)
{
	return META_TYPE(l->ents[i].pfx);
}

uint16_t
rrlist_rclass(const rrlist_t *l, size_t i)
{
	return META_CLASS(l->ents[i].pfx);
}

bool
rrlist_had_dup(const rrlist_t *l, size_t i)
{
	return (l->ents[i].pfx & META_HAD_DUP) != 0;
}

size_t
rrlist_subtree_end(const rrlist_t *l, size_t i)
{
	const struct own *top = l->ents[i].r->own;
	size_t lo = rrlist_owner_end(l, i) - 1, hi = l->n, step = 1;

	/* Gallop: own_is_below holds on [i, end) and fails after. */
	for (;;) {
		if (l->n - lo <= step) {
			break;
		}
		size_t probe = lo + step;
		if (!own_is_below(l->ents[probe].r->own, top)) {
			hi = probe;
			break;
		}
		lo = probe;
		step *= 2;
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (own_is_below(l->ents[mid].r->own, top)) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	return hi;
}

/* First index in [lo, hi) whose key is >= key, or hi. */
static size_t
lower_bound(const rrlist_t *l, const uint8_t *key, size_t kl, size_t lo, size_t hi)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct own *o = l->ents[mid].r->own;
		if (key_cmp_raw(OWN_KEY(o), o->keylen, key, kl) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

void
rrlist_subtree_range(const rrlist_t *l, const uint8_t *name, size_t *lo, size_t *hi)
{
	uint8_t key[KEY_MAXLEN];
	size_t kl = make_key(name, key);
	size_t a = lower_bound(l, key, kl, 0, l->n);
	size_t b = l->n;
	size_t x = a;

	/* keys that start with `key` follow a, and then come greater ones */
	while (x < b) {
		size_t mid = x + (b - x) / 2;
		const struct own *o = l->ents[mid].r->own;
		if (o->keylen >= kl && memcmp(OWN_KEY(o), key, kl) == 0) {
			x = mid + 1;
		} else {
			b = mid;
		}
	}
	*lo = a;
	*hi = x;
}

size_t
rrlist_find_owner(const rrlist_t *l, const uint8_t *name, size_t hint)
{
	uint8_t key[KEY_MAXLEN];
	size_t kl = make_key(name, key);
	size_t n = l->n;
	size_t lo = 0, hi = n;

	if (hint < n) {
		const struct own *o = l->ents[hint].r->own;
		size_t step = 1;
		if (key_cmp_raw(OWN_KEY(o), o->keylen, key, kl) < 0) {
			/* the answer is after hint */
			lo = hint + 1;
			size_t base = hint;
			for (;;) {
				if (n - base <= step) {
					break;
				}
				size_t probe = base + step;
				o = l->ents[probe].r->own;
				if (key_cmp_raw(OWN_KEY(o), o->keylen, key, kl) >= 0) {
					hi = probe + 1;
					break;
				}
				lo = probe + 1;
				base = probe;
				step *= 2;
			}
		} else {
			/* the answer is at hint or before */
			hi = hint + 1;
			size_t base = hint;
			for (;;) {
				if (base < step) {
					break;
				}
				size_t probe = base - step;
				o = l->ents[probe].r->own;
				if (key_cmp_raw(OWN_KEY(o), o->keylen, key, kl) < 0) {
					lo = probe + 1;
					break;
				}
				hi = probe + 1;
				base = probe;
				step *= 2;
			}
		}
	}
	size_t i = lower_bound(l, key, kl, lo, hi);
	if (i < n) {
		const struct own *o = l->ents[i].r->own;
		if (key_cmp_raw(OWN_KEY(o), o->keylen, key, kl) == 0) {
			return i;
		}
	}
	return RRLIST_NONE;
}
