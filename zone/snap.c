/* SPDX-License-Identifier: MIT
 * snap.c - building, editing and reading zone snapshots.
 *
 * A full build walks the sorted record list once. Canonical order is a
 * depth-first pre-order of the name tree, so a stack of the current name's
 * ancestors is enough to create every missing empty non-terminal and to
 * carry flags down (below a cut, below a DNAME) without any lookup. The
 * nodes of a full build come from one arena of large blocks, owned by the
 * lineage and freed with it.
 *
 * An edit (snap_edit) is one tree transaction and one hash transaction on
 * the base's indexes, in three passes over the changed owners: rebuild
 * each owner's node from its old records and the diff (a heap node of its
 * own), adding missing ancestors; remove the nodes left empty and
 * childless, deepest first; then recompute the flags of every touched
 * name in canonical order (parents first), walking the subtree of a name
 * whose cut or DNAME status changed. A node already visible is never
 * written: a flag change on it is a copy.
 *
 * Reclamation: each version records what its successor dropped (tree and
 * hash garbage, the heap nodes replaced or removed). Versions queue in
 * their lineage oldest first, and the queue is freed from the head while
 * the head's reference count is zero, which is the only order in which a
 * node shared by N and N+1 cannot be freed under a reader of N.
 *
 * Lookups rely on empty non-terminals being present: the canonical
 * predecessor of a missing name then shares with it exactly the labels of
 * its closest encloser, so one ordered search finds both.
 *
 * NSEC3 records (and the RRSIGs covering them) are split off their owner
 * when a node is made and kept in a second tree, keyed like the names; an
 * edit changes it in a transaction of its own, begun only when the diff
 * touches NSEC3 records, so a version that changed none shares the tree
 * handle with its predecessor. Finding the NSEC3 of a name needs its hash:
 * SHA-1 (RFC 5155 5, algorithm 1) is done here, on the stack, because the
 * query path may neither allocate nor depend on a crypto library.
 */
#include "zone/snap.h"
#include "zone/nhash.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include "zone/tree.h"
#include "zone/wire.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Blocks grow from ARENA_FIRST to ARENA_BLOCK: a 20-record zone takes a
 * few KiB, not a megabyte (a hosting provider has 100,000 of them). */
#define ARENA_FIRST (4u << 10)
#define ARENA_BLOCK (1u << 20)

typedef struct block {
	struct block *next;
	size_t used, cap;
	_Alignas(16) uint8_t data[];
} block_t;

/* Where a node's memory comes from (node_t.mem). */
enum {
	NODE_HEAP = 1u << 0,  /* its own malloc block, freed alone; else the arena */
	NODE_FRESH = 1u << 1, /* made by the edit in progress: no reader sees it yet */
	NODE_DEAD = 1u << 2,  /* fresh, then replaced in the same edit: freed at its end */
};

/* A name node as stored: the public part first (the query path reads only
 * that and the key), then its tree key and the bookkeeping of edits. The
 * RRSIG sets follow the plain RRsets in the same array, in covered-type
 * order, including those whose covered type is absent (kept so that a
 * later edit adding the type finds them, as a full build would). */
typedef struct node {
	snap_node_t pub;
	const uint8_t *key;
	uint16_t keylen;
	uint16_t sigsets; /* RRSIG sets at pub.rrsets[rrset_count...] */
	uint8_t mem;      /* NODE_* */
} node_t;

/* Flags a node takes from its parent, and those it owns. */
#define INHERITED ((uint32_t)(SNAP_NONAUTH | SNAP_BELOW_DNAME))

/* The versions made from one full build. */
typedef struct lineage {
	pthread_mutex_t lock; /* guards the queue and every refs-to-zero */
	snap_t *head;         /* oldest version not yet freed */
	snap_t *tail;         /* newest version */
	block_t *blocks;      /* the full build's arena */
	size_t first_cap;     /* size of the first block (0: ARENA_FIRST) */
} lineage_t;

struct snap {
	atomic_uint refs;
	/* the apex node's own owner and key: no copies (a hosting provider
	 * has many small zones) */
	const uint8_t *apex;
	const uint8_t *apex_key;
	size_t apex_keylen;
	tree_t *names;  /* canonical order: predecessor, transfers */
	nhash_t *index; /* the same nodes by key: exact lookups */
	tree_t *nsec3;  /* NSEC3 owners, same keys; NULL if the lineage never had any */
	const snap_node_t *apex_node;
	const uint8_t *n3param; /* RDATA of the NSEC3PARAM in use (in the apex node), or NULL */
	uint32_t serial;

	/* Versions; never read by queries. */
	lineage_t *lin;
	snap_t *next;                  /* the version edited from this one */
	tree_garbage_t *tree_garbage;  /* what `next` no longer uses of this one */
	nhash_garbage_t *hash_garbage; /* (both own this version's handles) */
	tree_garbage_t *nsec3_garbage; /* NULL when `next` shares the NSEC3 tree */
	node_t **dead;                 /* heap nodes `next` dropped */
	size_t ndead;
	snap_edit_stats_t stats;
};

/* ---- Memory ---- */

static lineage_t *
lineage_new(void)
{
	lineage_t *lin = calloc(1, sizeof(*lin));
	if (lin == NULL) {
		return NULL;
	}
	if (pthread_mutex_init(&lin->lock, NULL) != 0) {
		free(lin);
		return NULL;
	}
	return lin;
}

static void
lineage_free(lineage_t *lin)
{
	block_t *b = lin->blocks;
	while (b != NULL) {
		block_t *next = b->next;
		free(b);
		b = next;
	}
	pthread_mutex_destroy(&lin->lock);
	free(lin);
}

static void *
arena_alloc(lineage_t *lin, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	block_t *b = lin->blocks;
	if (b == NULL || b->cap - b->used < n) {
		size_t first = lin->first_cap != 0 ? lin->first_cap : ARENA_FIRST;
		size_t cap = b == NULL ? first : (b->cap < ARENA_BLOCK ? b->cap * 2 : ARENA_BLOCK);
		if (cap < n) {
			cap = n;
		}
		b = malloc(sizeof(*b) + cap);
		if (b == NULL) {
			return NULL;
		}
		b->used = 0;
		b->cap = cap;
		b->next = lin->blocks;
		lin->blocks = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

/* Frees what version `v` held alone, once it and every older version are
 * out of reach: the nodes its successor dropped, and its handles. */
static void
version_free_garbage(snap_t *v)
{
	tree_garbage_free(v->tree_garbage);
	nhash_garbage_free(v->hash_garbage);
	tree_garbage_free(v->nsec3_garbage);
	for (size_t i = 0; i < v->ndead; i++) {
		free(v->dead[i]);
	}
	free(v->dead);
	free(v);
}

/* Frees the newest version of a lineage, once every older one is gone:
 * everything still alive is reachable from it. */
static void
free_heap_nodes(tree_t *t)
{
	if (t == NULL) {
		return;
	}
	tree_iter_t it;
	tree_iter_first(&it, t);
	while (tree_iter_is_valid(&it)) {
		node_t *n = tree_iter_val(&it);
		tree_iter_next(&it);
		if (n->mem & NODE_HEAP) {
			free(n);
		}
	}
}

static void
version_free_all(snap_t *v)
{
	free_heap_nodes(v->names);
	free_heap_nodes(v->nsec3);
	tree_free(v->names);
	tree_free(v->nsec3);
	nhash_free(v->index);
	free(v->dead);
	free(v);
}

/* Unlinks, oldest first, the versions no one holds; stops at the first one
 * held. Returns true when the newest went too (the lineage is done).
 * Called with the lineage's lock held; the caller frees what was unlinked
 * (free_versions) after unlocking. */
static bool
reap(lineage_t *lin)
{
	while (lin->head != NULL &&
	       atomic_load_explicit(&lin->head->refs, memory_order_acquire) == 0) {
		if (lin->head->next == NULL) {
			lin->head = NULL;
			lin->tail = NULL;
			return true;
		}
		lin->head = lin->head->next;
	}
	return false;
}

/* Frees the unlinked versions [v, stop). Out of the lock, so that a long
 * queue released at once (a transfer held an old version through many
 * edits) never stalls the writer. Safe next to another thread doing the
 * same: garbage lists are freed without being walked, and what two
 * versions' garbage lists hold is disjoint (a node dropped from a version
 * is in no later one). */
static void
free_versions(snap_t *v, snap_t *stop)
{
	while (v != stop) {
		snap_t *next = v->next;
		if (next == NULL) {
			version_free_all(v);
		} else {
			version_free_garbage(v);
		}
		v = next;
	}
}

void
snap_ref(snap_t *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void
snap_unref(snap_t *s)
{
	if (s == NULL) {
		return;
	}
	/* The decrement is made under the lock: otherwise a thread reaping
	 * for another version could see this count at zero, free the whole
	 * lineage, and leave us locking freed memory. */
	lineage_t *lin = s->lin;
	snap_t *first = NULL, *stop = NULL;
	bool done = false;
	pthread_mutex_lock(&lin->lock);
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) {
		first = lin->head;
		done = reap(lin);
		stop = lin->head;
	}
	pthread_mutex_unlock(&lin->lock);
	free_versions(first, stop);
	if (done) {
		lineage_free(lin); /* no one else can reach it: every count is zero */
	}
}

void
snap_free(snap_t *s)
{
	snap_unref(s);
}

/* ---- Nodes ---- */

/* One record while a node is being made: a view, not a copy. */
typedef struct rec {
	const uint8_t *owner;
	const uint8_t *rdata;
	uint32_t ttl;
	uint16_t type;
	uint16_t rdlen;
} rec_t;

/* A growable array of records. */
typedef struct recs {
	rec_t *v;
	size_t n, cap;
} recs_t;

static int
recs_push(recs_t *r, const rec_t *rec)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		rec_t *v = realloc(r->v, cap * sizeof(*v));
		if (v == NULL) {
			return SN_ENOMEM;
		}
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *rec;
	return SN_OK;
}

static rec_t
rec_from_list(const rrlist_t *l, size_t i)
{
	rrlist_rr_t rr = rrlist_get(l, i);
	return (rec_t){.owner = rr.owner,
	               .rdata = rr.rdata,
	               .ttl = rr.ttl,
	               .type = rr.type,
	               .rdlen = rr.rdlen};
}

/* Makes a node for `owner` with room for `nsets` RRsets and `rdata_len`
 * octets of RDATA (handed back in *rdata), in the arena of `lin`, or on
 * the heap when `lin` is NULL. */
static node_t *
node_new(lineage_t *lin, const uint8_t *owner, size_t nsets, size_t rdata_len, uint8_t **rdata)
{
	uint8_t key[TREE_KEY_MAXLEN];
	size_t keylen;
	size_t olen = dname_len(owner);
	if (tree_key_from_dname(owner, key, &keylen) != SN_OK) {
		return NULL;
	}
	size_t need = sizeof(node_t) + nsets * sizeof(snap_rrset_t) + olen + keylen + rdata_len;
	uint8_t *p = lin != NULL ? arena_alloc(lin, need) : malloc(need);
	if (p == NULL) {
		return NULL;
	}
	node_t *n = (node_t *)p;
	memset(n, 0, sizeof(*n));
	n->mem = lin != NULL ? 0 : NODE_HEAP;
	p += sizeof(node_t);
	n->pub.rrsets = nsets > 0 ? (snap_rrset_t *)p : NULL;
	p += nsets * sizeof(snap_rrset_t);
	memcpy(p, owner, olen);
	n->pub.owner = p;
	n->pub.owner_len = (uint16_t)olen;
	p += olen;
	memcpy(p, key, keylen);
	n->key = p;
	n->keylen = (uint16_t)keylen;
	p += keylen;
	if (rdata != NULL) {
		*rdata = p;
	}
	return n;
}

/* RRSIG records cover the type in their first two octets (RFC 4034 3.1). */
static uint16_t
covered_type(const rec_t *r)
{
	return r->rdlen >= 2 ? wire_read_u16(r->rdata) : 0;
}

/* The type a stored RRSIG set covers (that of its first record). */
static uint16_t
sig_covered(const snap_rrset_t *set)
{
	return wire_read_u16(set->rdata) >= 2 ? wire_read_u16(set->rdata + 2) : 0;
}

/* True for the records that live in the NSEC3 tree: NSEC3 and the RRSIGs
 * covering NSEC3. */
static bool
rec_is_nsec3(const rec_t *r)
{
	return r->type == RRTYPE_NSEC3 ||
	       (r->type == RRTYPE_RRSIG && covered_type(r) == RRTYPE_NSEC3);
}

static void
set_append(snap_rrset_t *set, uint8_t **rd, const rec_t *r)
{
	wire_write_u16(*rd, r->rdlen);
	memcpy(*rd + 2, r->rdata, r->rdlen);
	*rd += 2 + (size_t)r->rdlen;
	set->rdata_len += 2 + (uint32_t)r->rdlen;
	set->count++;
}

/* Builds the node of `owner` from its records r[0..n), in canonical order
 * (type, then RDATA; the RRSIGs, type 46, then sit between the lower and
 * the higher types, grouped by covered type since it leads their RDATA).
 * RRSIGs are hung on the RRset they cover. Flags are left to the caller. */
static node_t *
node_build(lineage_t *lin, const uint8_t *owner, const rec_t *r, size_t n)
{
	size_t nsets = 0, nsig = 0, rdata_len = 0;
	for (size_t i = 0; i < n; i++) {
		rdata_len += 2 + (size_t)r[i].rdlen;
		bool first = i == 0 || r[i - 1].type != r[i].type;
		if (r[i].type != RRTYPE_RRSIG) {
			nsets += first;
		} else if (first || covered_type(&r[i - 1]) != covered_type(&r[i])) {
			nsig++;
		}
	}
	uint8_t *rd;
	node_t *node = node_new(lin, owner, nsets + nsig, rdata_len, &rd);
	if (node == NULL) {
		return NULL;
	}
	snap_rrset_t *sets = (snap_rrset_t *)node->pub.rrsets;
	snap_rrset_t *sigs = sets + nsets;
	size_t ns = 0, ng = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i].type == RRTYPE_RRSIG) {
			if (ng == 0 || covered_type(&r[i - 1]) != covered_type(&r[i]) ||
			    r[i - 1].type != RRTYPE_RRSIG) {
				/* RFC 4034 3: the RRSIG's TTL is that of the covered set;
				 * take the first, as the set's records agree */
				sigs[ng++] = (snap_rrset_t){
				    .type = RRTYPE_RRSIG, .ttl = r[i].ttl, .rdata = rd};
			}
			set_append(&sigs[ng - 1], &rd, &r[i]);
			continue;
		}
		if (ns == 0 || sets[ns - 1].type != r[i].type) {
			sets[ns++] =
			    (snap_rrset_t){.type = r[i].type, .ttl = r[i].ttl, .rdata = rd};
		}
		snap_rrset_t *cur = &sets[ns - 1];
		set_append(cur, &rd, &r[i]);
		if (r[i].ttl < cur->ttl) {
			cur->ttl = r[i].ttl; /* RFC 2181 5.2: one TTL per RRset */
		}
	}
	/* both in type order: one merge hangs each signature set on its RRset */
	size_t g = 0;
	for (size_t t = 0; t < ns; t++) {
		while (g < ng && sig_covered(&sigs[g]) < sets[t].type) {
			g++;
		}
		if (g < ng && sig_covered(&sigs[g]) == sets[t].type) {
			sets[t].rrsig = &sigs[g];
		}
	}
	node->pub.rrset_count = (uint16_t)ns;
	node->sigsets = (uint16_t)ng;
	return node;
}

/* Appends the records of one stored set to `out`, each with the set's TTL. */
static int
set_records(recs_t *out, const uint8_t *owner, const snap_rrset_t *set)
{
	const uint8_t *p = set->rdata, *end = set->rdata + set->rdata_len;
	while (p < end) {
		rec_t r = {.owner = owner,
		           .rdata = p + 2,
		           .ttl = set->ttl,
		           .type = set->type,
		           .rdlen = wire_read_u16(p)};
		if (recs_push(out, &r) != SN_OK) {
			return SN_ENOMEM;
		}
		p += 2 + (size_t)r.rdlen;
	}
	return SN_OK;
}

/* Appends the records of `n` to `out` in canonical order: the types below
 * RRSIG, the RRSIGs, the types above. */
static int
node_records(recs_t *out, const node_t *n)
{
	const snap_rrset_t *sets = n->pub.rrsets;
	size_t np = n->pub.rrset_count, i = 0;
	int rc = SN_OK;
	for (; rc == SN_OK && i < np && sets[i].type < RRTYPE_RRSIG; i++) {
		rc = set_records(out, n->pub.owner, &sets[i]);
	}
	for (size_t g = 0; rc == SN_OK && g < n->sigsets; g++) {
		rc = set_records(out, n->pub.owner, &sets[np + g]);
	}
	for (; rc == SN_OK && i < np; i++) {
		rc = set_records(out, n->pub.owner, &sets[i]);
	}
	return rc;
}

static bool
node_has_records(const node_t *n)
{
	return n->pub.rrset_count > 0 || n->sigsets > 0;
}

/* The flags a node owns, from its own records. */
static uint32_t
own_flags(const node_t *n, bool is_apex)
{
	uint32_t f = is_apex ? SNAP_APEX : 0;
	if (n->pub.rrset_count == 0) {
		f |= SNAP_ENT;
	}
	/* RFC 1034 4.2.1: NS at the apex is the zone's own, not a cut */
	if (!is_apex && snap_node_rrset(&n->pub, RRTYPE_NS) != NULL) {
		f |= SNAP_DELEG;
	}
	if (snap_node_rrset(&n->pub, RRTYPE_DNAME) != NULL) {
		f |= SNAP_DNAME;
	}
	return f;
}

/* The flags the children of a node with flags `f` inherit. */
static uint32_t
child_flags(uint32_t f)
{
	uint32_t c = 0;
	if (f & (SNAP_DELEG | SNAP_NONAUTH)) {
		c |= SNAP_NONAUTH;
	}
	if (f & (SNAP_DNAME | SNAP_BELOW_DNAME)) {
		c |= SNAP_BELOW_DNAME; /* RFC 6672 2.3 */
	}
	return c;
}

/* The serial of the SOA at `apex`, or 0. */
static uint32_t
soa_serial(const snap_node_t *apex)
{
	const snap_rrset_t *soa = snap_node_rrset(apex, RRTYPE_SOA);
	if (soa == NULL || soa->rdata_len < 22 || wire_read_u16(soa->rdata) < 20) {
		return 0;
	}
	uint16_t len = wire_read_u16(soa->rdata);
	return wire_read_u32(soa->rdata + 2 + len - 20);
}

/* The RDATA of the NSEC3PARAM record that names the chain in use: the
 * first with hash algorithm 1, flags 0 (RFC 5155 4.1.2: other flags mean
 * the record is not for queries) and iterations within RFC 5155 10.3, or
 * NULL. */
static const uint8_t *
nsec3param_of(const snap_node_t *apex)
{
	const snap_rrset_t *p = snap_node_rrset(apex, RRTYPE_NSEC3PARAM);
	if (p == NULL) {
		return NULL;
	}
	const uint8_t *r = p->rdata, *end = p->rdata + p->rdata_len;
	while (end - r >= 2) {
		uint16_t len = wire_read_u16(r);
		const uint8_t *rd = r + 2;
		if ((size_t)(end - rd) < len) {
			break;
		}
		if (len >= 5 && (size_t)len == 5u + rd[4] && rd[0] == 1 && rd[1] == 0 &&
		    wire_read_u16(rd + 2) <= 2500) {
			return rd;
		}
		r = rd + len;
	}
	return NULL;
}

/* ---- Full build ---- */

/* The growing array of tree entries, in canonical order. */
typedef struct entries {
	tree_entry_t *v;
	size_t n, cap;
} entries_t;

static int
entries_push(entries_t *e, node_t *node)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4096;
		tree_entry_t *v = realloc(e->v, cap * sizeof(*v));
		if (v == NULL) {
			return SN_ENOMEM;
		}
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n].key = node->key;
	e->v[e->n].keylen = node->keylen;
	e->v[e->n].val = node;
	e->n++;
	return SN_OK;
}

/* The ancestors of the name being placed, root-most first. */
typedef struct path {
	node_t *node[DNAME_MAXLABELS + 1];
	unsigned depth;
} path_t;

/* Places `n` in canonical order: adds the empty non-terminals between its
 * deepest existing ancestor and it, then sets its flags. */
static int
place(lineage_t *lin, entries_t *e, path_t *path, node_t *n, bool is_apex)
{
	const uint8_t *name = n->pub.owner;
	/* pop what is not an ancestor of this name */
	while (path->depth > 0 &&
	       !dname_is_subdomain(name, path->node[path->depth - 1]->pub.owner)) {
		path->depth--;
	}
	if (!is_apex) {
		if (path->depth == 0) {
			return SN_EINVAL; /* not below the apex: the caller filters these */
		}
		node_t *top = path->node[path->depth - 1];
		unsigned want = dname_label_count(name) - 1; /* labels of the parent */
		unsigned have = dname_label_count(top->pub.owner);
		/* missing ancestors, shallowest first */
		while (have < want) {
			const uint8_t *anc = name;
			for (unsigned skip = dname_label_count(name) - (have + 1); skip > 0;
			     skip--) {
				anc += *anc + 1;
			}
			node_t *ent = node_new(lin, anc, 0, 0, NULL);
			if (ent == NULL) {
				return SN_ENOMEM;
			}
			ent->pub.flags = SNAP_ENT | child_flags(top->pub.flags);
			/* RFC 4592 4.2: an empty non-terminal wildcard is a
			 * wildcard too (its matches get NODATA) */
			if (dname_is_wildcard(anc)) {
				top->pub.flags |= SNAP_WILDCARD_CHILD;
			}
			if (entries_push(e, ent) != SN_OK) {
				return SN_ENOMEM;
			}
			path->node[path->depth++] = ent;
			top = ent;
			have++;
		}
		n->pub.flags |= child_flags(top->pub.flags);
		if (dname_is_wildcard(name)) {
			top->pub.flags |= SNAP_WILDCARD_CHILD;
		}
	}
	n->pub.flags |= own_flags(n, is_apex);
	if (entries_push(e, n) != SN_OK) {
		return SN_ENOMEM;
	}
	path->node[path->depth++] = n;
	return SN_OK;
}

/* Indexes the nodes of `e` (canonical order) into s->names and s->index. */
static int
index_entries(snap_t *s, const entries_t *e)
{
	int rc = tree_build_sorted(e->v, e->n, &s->names);
	if (rc != SN_OK) {
		return rc;
	}
	nhash_entry_t *he = malloc((e->n + 1) * sizeof(*he));
	if (he == NULL) {
		return SN_ENOMEM;
	}
	for (size_t k = 0; k < e->n; k++) {
		he[k].key = e->v[k].key;
		he[k].keylen = e->v[k].keylen;
		he[k].val = e->v[k].val;
		he[k].hash = nhash_hash(e->v[k].key, e->v[k].keylen);
	}
	rc = nhash_build(he, e->n, &s->index);
	free(he);
	return rc;
}

int
snap_build(const uint8_t *apex, const rrlist_t *rrs, snap_t **out)
{
	entries_t e = {0}, e3 = {0};
	recs_t recs = {0}, recs3 = {0};
	path_t path = {.depth = 0};
	lineage_t *lin = NULL;
	snap_t *s = calloc(1, sizeof(*s));
	int rc = SN_ENOMEM;

	if (s == NULL || (lin = lineage_new()) == NULL) {
		goto out;
	}
	atomic_init(&s->refs, 1);
	s->lin = lin;
	lin->head = lin->tail = s;
	{
		uint8_t akey[TREE_KEY_MAXLEN];
		size_t akeylen;
		if (tree_key_from_dname(apex, akey, &akeylen) != SN_OK) {
			rc = SN_EINVAL;
			goto out;
		}
	}

	size_t n = rrlist_count(rrs), i = 0;
	/* Size the first arena block to the zone (an upper bound: a node per
	 * record, empty non-terminals included), so a small zone takes what it
	 * needs and a large one starts with full blocks. */
	size_t need = 0;
	for (size_t k = 0; k < n && need < ARENA_BLOCK; k++) {
		rrlist_rr_t rr = rrlist_get(rrs, k);
		need += 2 + (size_t)rr.rdlen + sizeof(snap_rrset_t);
		if (k == 0 || !rrlist_is_same_owner(rrs, k - 1, k)) {
			need += sizeof(node_t) + 3 * dname_len(rr.owner) + 32;
		}
	}
	need += need / 4; /* empty non-terminals, alignment */
	lin->first_cap = need < 1024 ? 1024 : (need > ARENA_BLOCK ? ARENA_BLOCK : need);
	/* skip what sorts before the apex; it is outside the zone */
	while (i < n && !dname_is_subdomain(rrlist_get(rrs, i).owner, apex)) {
		i++;
	}
	bool have_apex = false;
	while (i < n) {
		size_t end = rrlist_owner_end(rrs, i);
		rrlist_rr_t rr = rrlist_get(rrs, i);
		if (!dname_is_subdomain(rr.owner, apex)) {
			i = end;
			continue;
		}
		bool is_apex = dname_is_equal(rr.owner, apex);
		if (!is_apex && !have_apex) {
			/* the apex has no records of its own: make it anyway */
			node_t *a = node_new(lin, apex, 0, 0, NULL);
			if (a == NULL) {
				rc = SN_ENOMEM;
				goto out;
			}
			if ((rc = place(lin, &e, &path, a, true)) != SN_OK) {
				goto out;
			}
			s->apex_node = &a->pub;
			have_apex = true;
		}
		recs.n = 0;
		recs3.n = 0;
		for (size_t k = i; k < end; k++) {
			rec_t r = rec_from_list(rrs, k);
			if (recs_push(rec_is_nsec3(&r) ? &recs3 : &recs, &r) != SN_OK) {
				rc = SN_ENOMEM;
				goto out;
			}
		}
		if (recs3.n > 0) {
			node_t *n3 = node_build(lin, rr.owner, recs3.v, recs3.n);
			if (n3 == NULL || entries_push(&e3, n3) != SN_OK) {
				rc = SN_ENOMEM;
				goto out;
			}
			n3->pub.flags = SNAP_NSEC3;
		}
		if (recs.n == 0 && !is_apex) {
			i = end; /* a hashed owner only: not a name of the zone */
			continue;
		}
		node_t *node = node_build(lin, rr.owner, recs.v, recs.n);
		if (node == NULL) {
			rc = SN_ENOMEM;
			goto out;
		}
		if ((rc = place(lin, &e, &path, node, is_apex)) != SN_OK) {
			goto out;
		}
		if (is_apex) {
			s->apex_node = &node->pub;
			have_apex = true;
			s->serial = soa_serial(&node->pub);
		}
		i = end;
	}
	if (!have_apex) {
		node_t *a = node_new(lin, apex, 0, 0, NULL);
		if (a == NULL) {
			rc = SN_ENOMEM;
			goto out;
		}
		if ((rc = place(lin, &e, &path, a, true)) != SN_OK) {
			goto out;
		}
		s->apex_node = &a->pub;
	}
	/* the apex node is the first entry: canonical order puts it first */
	{
		const node_t *an = (const node_t *)s->apex_node;
		s->apex = an->pub.owner;
		s->apex_key = an->key;
		s->apex_keylen = an->keylen;
	}
	rc = index_entries(s, &e);
	if (rc != SN_OK) {
		goto out;
	}
	if (e3.n > 0 && (rc = tree_build_sorted(e3.v, e3.n, &s->nsec3)) != SN_OK) {
		goto out;
	}
	s->n3param = nsec3param_of(s->apex_node);
	*out = s;
	s = NULL;
	lin = NULL;
out:
	free(e.v);
	free(e3.v);
	free(recs.v);
	free(recs3.v);
	if (s != NULL) {
		/* nothing else refers to a failed build: no heap nodes, no queue */
		tree_free(s->names);
		tree_free(s->nsec3);
		nhash_free(s->index);
		free(s);
	}
	if (lin != NULL) {
		lineage_free(lin);
	}
	return rc;
}

/* ---- Edits ---- */

/* A set of canonical keys, stored back to back. */
typedef struct keyset {
	uint8_t *buf;
	size_t used, cap;
	size_t *off; /* start of each key in buf; its length is at off[i] - 2 */
	size_t n, ncap;
} keyset_t;

static int
keyset_add(keyset_t *ks, const uint8_t *key, size_t len)
{
	if (ks->used + len + 2 > ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 4096;
		while (cap < ks->used + len + 2) {
			cap *= 2;
		}
		uint8_t *b = realloc(ks->buf, cap);
		if (b == NULL) {
			return SN_ENOMEM;
		}
		ks->buf = b;
		ks->cap = cap;
	}
	if (ks->n == ks->ncap) {
		size_t ncap = ks->ncap ? ks->ncap * 2 : 64;
		size_t *o = realloc(ks->off, ncap * sizeof(*o));
		if (o == NULL) {
			return SN_ENOMEM;
		}
		ks->off = o;
		ks->ncap = ncap;
	}
	wire_write_u16(ks->buf + ks->used, (uint16_t)len);
	memcpy(ks->buf + ks->used + 2, key, len);
	ks->off[ks->n++] = ks->used + 2;
	ks->used += len + 2;
	return SN_OK;
}

static const uint8_t *
keyset_key(const keyset_t *ks, size_t i, size_t *len)
{
	*len = wire_read_u16(ks->buf + ks->off[i] - 2);
	return ks->buf + ks->off[i];
}

static void
keyset_clear(keyset_t *ks)
{
	free(ks->buf);
	free(ks->off);
}

/* qsort context: the keys' buffer (qsort has none of its own). */
static _Thread_local const uint8_t *sort_buf;

static int
keycmp_off(const void *a, const void *b)
{
	size_t oa = *(const size_t *)a, ob = *(const size_t *)b;
	size_t la = wire_read_u16(sort_buf + oa - 2), lb = wire_read_u16(sort_buf + ob - 2);
	int c = memcmp(sort_buf + oa, sort_buf + ob, la < lb ? la : lb);
	if (c != 0) {
		return c;
	}
	return la < lb ? -1 : la > lb;
}

/* Sorts the keys in canonical order and drops repeats. */
static void
keyset_sort(keyset_t *ks)
{
	if (ks->n < 2) {
		return;
	}
	sort_buf = ks->buf;
	qsort(ks->off, ks->n, sizeof(*ks->off), keycmp_off);
	size_t w = 1;
	for (size_t i = 1; i < ks->n; i++) {
		if (keycmp_off(&ks->off[w - 1], &ks->off[i]) != 0) {
			ks->off[w++] = ks->off[i];
		}
	}
	ks->n = w;
}

/* A growable list of node pointers. */
typedef struct nodes {
	node_t **v;
	size_t n, cap;
} nodes_t;

static int
nodes_reserve(nodes_t *l, size_t more)
{
	if (l->n + more <= l->cap) {
		return SN_OK;
	}
	size_t cap = l->cap ? l->cap * 2 : 64;
	while (cap < l->n + more) {
		cap *= 2;
	}
	node_t **v = realloc(l->v, cap * sizeof(*v));
	if (v == NULL) {
		return SN_ENOMEM;
	}
	l->v = v;
	l->cap = cap;
	return SN_OK;
}

/* One edit in progress. */
typedef struct edit {
	snap_t *base;
	tree_txn_t *tt;
	nhash_txn_t *ht;
	tree_txn_t *t3;             /* the NSEC3 tree's, begun at its first change */
	tree_t *t3_base;            /* an empty tree the lineage's first NSEC3 change starts from */
	nodes_t fresh;              /* heap nodes made by this edit (NODE_FRESH) */
	nodes_t dead;               /* heap nodes of the base that this edit drops */
	keyset_t touched;           /* names whose flags must be recomputed */
	keyset_t emptied;           /* names left with no records, in canonical order */
	recs_t recs, out;           /* one owner's records */
	uint8_t *canon_a, *canon_b; /* RDATA in canonical form, for comparisons */
	size_t owners;
	size_t gone;
} edit_t;

static const node_t *
get(const edit_t *e, const uint8_t *key, size_t len)
{
	return nhash_get(nhash_txn_map(e->ht), nhash_hash(key, len), key, len);
}

static const node_t *
get_base(const edit_t *e, const uint8_t *key, size_t len)
{
	return nhash_get(e->base->index, nhash_hash(key, len), key, len);
}

/* True if the name with key `key` has a name below it in the edit's tree. */
static bool
has_children(const edit_t *e, const uint8_t *key, size_t len)
{
	const uint8_t *fk;
	size_t fl;
	if (tree_get_gt(tree_txn_tree(e->tt), key, len, &fk, &fl) == NULL) {
		return false;
	}
	return tree_key_is_subdomain(fk, fl, key, len);
}

/* True if "*.<name>" is a node in the edit's tree. */
static bool
has_wildcard_child(const edit_t *e, const uint8_t *key, size_t len)
{
	uint8_t wk[TREE_KEY_MAXLEN + 2];
	memcpy(wk, key, len);
	wk[len] = '*';
	wk[len + 1] = 0;
	return get(e, wk, len + 2) != NULL;
}

/* Takes a node this edit made into its bookkeeping. */
static int
take_fresh(edit_t *e, node_t *n)
{
	if (nodes_reserve(&e->fresh, 1) != SN_OK) {
		free(n);
		return SN_ENOMEM;
	}
	n->mem |= NODE_FRESH;
	e->fresh.v[e->fresh.n++] = n;
	return SN_OK;
}

/* Disposes of a node the edit's indexes no longer use: a fresh one is
 * freed at the end, a heap node of the base when the base goes. Room in
 * `dead` was reserved. */
static void
drop(edit_t *e, node_t *old)
{
	if (old->mem & NODE_FRESH) {
		old->mem |= NODE_DEAD;
		return;
	}
	e->gone++;
	if (old->mem & NODE_HEAP) {
		e->dead.v[e->dead.n++] = old;
	}
}

/* Puts `n` (fresh) in both indexes, replacing the node of the same name. */
static int
put(edit_t *e, node_t *n)
{
	void *old_t = NULL, *old_h = NULL;
	int rc = nodes_reserve(&e->dead, 1);
	if (rc != SN_OK) {
		return rc;
	}
	rc = tree_txn_set(e->tt, n->key, n->keylen, n, &old_t);
	if (rc != SN_OK) {
		return rc;
	}
	/* on failure the indexes disagree, but the edit is aborted */
	rc = nhash_txn_set(e->ht, nhash_hash(n->key, n->keylen), n->key, n->keylen, n, &old_h);
	if (rc != SN_OK) {
		return rc;
	}
	if (old_t != NULL) {
		drop(e, old_t);
	}
	return SN_OK;
}

/* Removes the name with key `key` from both indexes. */
static int
del(edit_t *e, const uint8_t *key, size_t len)
{
	void *old = NULL;
	int rc = nodes_reserve(&e->dead, 1);
	if (rc != SN_OK) {
		return rc;
	}
	rc = tree_txn_del(e->tt, key, len, &old);
	if (rc != SN_OK) {
		return rc;
	}
	rc = nhash_txn_del(e->ht, nhash_hash(key, len), key, len, NULL);
	if (rc != SN_OK) {
		return rc;
	}
	drop(e, old);
	return SN_OK;
}

/* Marks the name and, for a wildcard, its parent (whose
 * SNAP_WILDCARD_CHILD may flip) for the flag pass. */
static int
touch(edit_t *e, const uint8_t *key, size_t len, const uint8_t *owner)
{
	int rc = keyset_add(&e->touched, key, len);
	if (rc == SN_OK && dname_is_wildcard(owner)) {
		rc = keyset_add(&e->touched, key, tree_key_parent_len(key, len));
	}
	return rc;
}

/* RFC 4034 6.3 order of two records of one owner: type, then RDATA in
 * canonical form compared as left-justified octet strings. */
static int
rec_cmp(edit_t *e, const rec_t *a, const rec_t *b)
{
	if (a->type != b->type) {
		return a->type < b->type ? -1 : 1;
	}
	if (e->canon_a == NULL) {
		e->canon_a = malloc(65536);
		e->canon_b = malloc(65536);
		if (e->canon_a == NULL || e->canon_b == NULL) {
			return 2; /* the caller reports SN_ENOMEM */
		}
	}
	memcpy(e->canon_a, a->rdata, a->rdlen);
	memcpy(e->canon_b, b->rdata, b->rdlen);
	rdata_to_canonical(a->type, e->canon_a, a->rdlen);
	rdata_to_canonical(b->type, e->canon_b, b->rdlen);
	int c = memcmp(e->canon_a, e->canon_b, a->rdlen < b->rdlen ? a->rdlen : b->rdlen);
	if (c != 0) {
		return c < 0 ? -1 : 1;
	}
	return a->rdlen < b->rdlen ? -1 : a->rdlen > b->rdlen;
}

/* e->recs := e->recs minus the records rem[lo, hi) (both in canonical
 * order). SN_EINVAL if one of them is not there. */
static int
subtract(edit_t *e, const rrlist_t *rem, size_t lo, size_t hi, bool n3)
{
	rec_t *v = e->recs.v;
	size_t n = e->recs.n, i = 0, w = 0;
	for (size_t k = lo; k < hi; k++) {
		rec_t r = rec_from_list(rem, k);
		if (rec_is_nsec3(&r) != n3) {
			continue;
		}
		int c = 1;
		while (i < n && (c = rec_cmp(e, &v[i], &r)) < 0) {
			v[w++] = v[i++];
		}
		if (c == 2) {
			return SN_ENOMEM;
		}
		if (i == n || c != 0) {
			return SN_EINVAL; /* removing a record the zone does not have */
		}
		i++;
	}
	while (i < n) {
		v[w++] = v[i++];
	}
	e->recs.n = w;
	return SN_OK;
}

/* e->recs := e->recs plus the records add[lo, hi), merged in canonical
 * order. SN_EINVAL if one of them is there already. */
static int
merge_added(edit_t *e, const rrlist_t *add, size_t lo, size_t hi, bool n3)
{
	const rec_t *v = e->recs.v;
	size_t n = e->recs.n, i = 0;
	e->out.n = 0;
	for (size_t k = lo; k < hi; k++) {
		rec_t a = rec_from_list(add, k);
		if (rec_is_nsec3(&a) != n3) {
			continue;
		}
		int c = 1;
		while (i < n && (c = rec_cmp(e, &v[i], &a)) < 0) {
			if (recs_push(&e->out, &v[i++]) != SN_OK) {
				return SN_ENOMEM;
			}
		}
		if (c == 2) {
			return SN_ENOMEM;
		}
		if (i < n && c == 0) {
			return SN_EINVAL; /* adding a record the zone has */
		}
		if (recs_push(&e->out, &a) != SN_OK) {
			return SN_ENOMEM;
		}
	}
	for (; i < n; i++) {
		if (recs_push(&e->out, &v[i]) != SN_OK) {
			return SN_ENOMEM;
		}
	}
	recs_t t = e->recs;
	e->recs = e->out;
	e->out = t;
	return SN_OK;
}

/* Adds the missing ancestors of the new name `owner` as empty
 * non-terminals, from its parent up to the first one that exists. Their
 * flags are set by the flag pass. */
static int
add_ancestors(edit_t *e, const uint8_t *owner)
{
	unsigned apex_labels = dname_label_count(e->base->apex);
	const uint8_t *anc = owner;
	for (unsigned labels = dname_label_count(owner) - 1; labels > apex_labels; labels--) {
		uint8_t key[TREE_KEY_MAXLEN];
		size_t len;
		anc += *anc + 1;
		if (tree_key_from_dname(anc, key, &len) != SN_OK) {
			return SN_EINVAL;
		}
		if (get(e, key, len) != NULL) {
			return SN_OK;
		}
		node_t *ent = node_new(NULL, anc, 0, 0, NULL);
		if (ent == NULL) {
			return SN_ENOMEM;
		}
		int rc = take_fresh(e, ent);
		if (rc != SN_OK) {
			return rc;
		}
		ent->pub.flags = SNAP_ENT;
		if ((rc = put(e, ent)) != SN_OK || (rc = touch(e, key, len, anc)) != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

/* True if l[lo, hi) holds a record of the NSEC3 tree (n3) or of the
 * name index (!n3). */
static bool
range_has(const rrlist_t *l, size_t lo, size_t hi, bool n3)
{
	for (size_t k = lo; k < hi; k++) {
		rec_t r = rec_from_list(l, k);
		if (rec_is_nsec3(&r) == n3) {
			return true;
		}
	}
	return false;
}

/* Pass 1 for the NSEC3 records of one owner (key `key`): its NSEC3 node is
 * rebuilt, or removed when nothing is left. No flags, no ancestors: the
 * NSEC3 tree holds no names of the zone. */
static int
edit_nsec3(edit_t *e, const uint8_t *key, size_t len, const rrlist_t *rem, size_t rlo, size_t rhi,
           const rrlist_t *add, size_t alo, size_t ahi)
{
	int rc;
	if (e->t3 == NULL) {
		const tree_t *b = e->base->nsec3;
		if (b == NULL) {
			if ((rc = tree_new(&e->t3_base)) != SN_OK) {
				return rc;
			}
			b = e->t3_base;
		}
		if ((rc = tree_txn_begin(b, &e->t3)) != SN_OK) {
			return rc;
		}
	}
	const node_t *old = tree_get(tree_txn_tree(e->t3), key, len);
	e->recs.n = 0;
	if (old != NULL && (rc = node_records(&e->recs, old)) != SN_OK) {
		return rc;
	}
	if ((rc = subtract(e, rem, rlo, rhi, true)) != SN_OK ||
	    (rc = merge_added(e, add, alo, ahi, true)) != SN_OK ||
	    (rc = nodes_reserve(&e->dead, 1)) != SN_OK) {
		return rc;
	}
	void *was = NULL;
	if (e->recs.n == 0) {
		if ((rc = tree_txn_del(e->t3, key, len, &was)) != SN_OK) {
			return rc;
		}
	} else {
		node_t *n = node_build(NULL, e->recs.v[0].owner, e->recs.v, e->recs.n);
		if (n == NULL) {
			return SN_ENOMEM;
		}
		if ((rc = take_fresh(e, n)) != SN_OK) {
			return rc;
		}
		n->pub.flags = SNAP_NSEC3;
		if ((rc = tree_txn_set(e->t3, n->key, n->keylen, n, &was)) != SN_OK) {
			return rc;
		}
	}
	if (was != NULL) {
		drop(e, was);
	}
	return SN_OK;
}

/* Pass 1 for one owner: its new records are its old ones minus rem[rlo,
 * rhi) plus add[alo, ahi); its node is rebuilt from them (its NSEC3
 * records go to the NSEC3 tree, and an owner whose other records do not
 * change keeps its node). */
static int
edit_owner(edit_t *e, const uint8_t *owner, const rrlist_t *rem, size_t rlo, size_t rhi,
           const rrlist_t *add, size_t alo, size_t ahi)
{
	uint8_t key[TREE_KEY_MAXLEN];
	size_t len;
	int rc;

	if (!dname_is_subdomain(owner, e->base->apex) ||
	    tree_key_from_dname(owner, key, &len) != SN_OK) {
		return SN_EINVAL;
	}
	if (range_has(rem, rlo, rhi, true) || range_has(add, alo, ahi, true)) {
		rc = edit_nsec3(e, key, len, rem, rlo, rhi, add, alo, ahi);
		if (rc != SN_OK) {
			return rc;
		}
	}
	if (!range_has(rem, rlo, rhi, false) && !range_has(add, alo, ahi, false)) {
		e->owners++;
		return SN_OK;
	}
	bool is_apex = len == e->base->apex_keylen;
	const node_t *old = get(e, key, len);
	e->recs.n = 0;
	if (old != NULL && (rc = node_records(&e->recs, old)) != SN_OK) {
		return rc;
	}
	if ((rc = subtract(e, rem, rlo, rhi, false)) != SN_OK ||
	    (rc = merge_added(e, add, alo, ahi, false)) != SN_OK) {
		return rc;
	}
	/* the owner's case is its first record's, as in a full build */
	const uint8_t *name = e->recs.n > 0 ? e->recs.v[0].owner : old->pub.owner;
	node_t *n = node_build(NULL, name, e->recs.v, e->recs.n);
	if (n == NULL) {
		return SN_ENOMEM;
	}
	if ((rc = take_fresh(e, n)) != SN_OK) {
		return rc;
	}
	n->pub.flags = own_flags(n, is_apex);
	if (old != NULL) {
		n->pub.flags |= old->pub.flags & (INHERITED | SNAP_WILDCARD_CHILD);
	}
	if ((rc = put(e, n)) != SN_OK) {
		return rc;
	}
	if (old == NULL && (rc = add_ancestors(e, owner)) != SN_OK) {
		return rc;
	}
	if (!node_has_records(n) && !is_apex && (rc = keyset_add(&e->emptied, key, len)) != SN_OK) {
		return rc;
	}
	e->owners++;
	return touch(e, key, len, owner);
}

/* Pass 1: every owner of either list, in canonical order. */
static int
apply_records(edit_t *e, const rrlist_t *rem, const rrlist_t *add)
{
	size_t nr = rem != NULL ? rrlist_count(rem) : 0;
	size_t na = add != NULL ? rrlist_count(add) : 0;
	size_t r = 0, a = 0;
	while (r < nr || a < na) {
		const uint8_t *owner = NULL;
		size_t rend = r, aend = a;
		int c = r == nr   ? 1
		        : a == na ? -1
		                  : dname_cmp(rrlist_get(rem, r).owner, rrlist_get(add, a).owner);
		if (c <= 0) {
			owner = rrlist_get(rem, r).owner;
			rend = rrlist_owner_end(rem, r);
		}
		if (c >= 0) {
			owner = rrlist_get(add, a).owner;
			aend = rrlist_owner_end(add, a);
		}
		int rc = edit_owner(e, owner, rem, r, rend, add, a, aend);
		if (rc != SN_OK) {
			return rc;
		}
		r = rend;
		a = aend;
	}
	return SN_OK;
}

/* Pass 2: removes the emptied names that have no children, then their
 * ancestors that are left empty and childless. Deepest first, so that a
 * parent is judged after its children. */
static int
prune(edit_t *e)
{
	for (size_t i = e->emptied.n; i-- > 0;) {
		size_t len;
		const uint8_t *key = keyset_key(&e->emptied, i, &len);
		while (len > e->base->apex_keylen) {
			const node_t *n = get(e, key, len);
			if (n == NULL || node_has_records(n) || has_children(e, key, len)) {
				break;
			}
			bool wild = dname_is_wildcard(n->pub.owner);
			int rc = del(e, key, len);
			if (rc != SN_OK) {
				return rc;
			}
			len = tree_key_parent_len(key, len);
			if (wild && (rc = keyset_add(&e->touched, key, len)) != SN_OK) {
				return rc;
			}
		}
	}
	return SN_OK;
}

/* Gives the node `n`, now in the edit's indexes, the flags `flags`: in
 * place if this edit made it, else on a copy, since readers may see it. */
static int
set_flags(edit_t *e, node_t *n, uint32_t flags)
{
	if (n->mem & NODE_FRESH) {
		n->pub.flags = flags;
		return SN_OK;
	}
	e->recs.n = 0;
	int rc = node_records(&e->recs, n);
	if (rc != SN_OK) {
		return rc;
	}
	node_t *c = node_build(NULL, n->pub.owner, e->recs.v, e->recs.n);
	if (c == NULL) {
		return SN_ENOMEM;
	}
	if ((rc = take_fresh(e, c)) != SN_OK) {
		return rc;
	}
	c->pub.flags = flags;
	return put(e, c);
}

/* One pending flag change of the subtree walk. */
typedef struct reflag {
	node_t *node;
	uint32_t flags;
} reflag_t;

/* Recomputes the inherited flags below the name with key `key`, whose
 * flags become `flags`. The walk skips the subtree of a name whose
 * children inherit what they inherited before: names in it keep their
 * flags, but for touched ones, which the flag pass visits anyway. */
static int
reflag_subtree(edit_t *e, const uint8_t *key, size_t len, uint32_t flags)
{
	size_t slen[DNAME_MAXLABELS + 2];
	uint32_t sflags[DNAME_MAXLABELS + 2]; /* what the children inherit */
	unsigned sp = 0;
	reflag_t *upd = NULL;
	size_t nupd = 0, cap = 0;
	int rc = SN_OK;
	tree_iter_t it;

	slen[0] = len;
	sflags[0] = child_flags(flags);
	tree_iter_seek_ge(&it, tree_txn_tree(e->tt), key, len);
	if (tree_iter_is_valid(&it)) {
		tree_iter_next(&it); /* the name itself */
	}
	while (tree_iter_is_valid(&it)) {
		size_t dlen;
		const uint8_t *dkey = tree_iter_key(&it, &dlen);
		if (!tree_key_is_subdomain(dkey, dlen, key, len)) {
			break;
		}
		node_t *d = tree_iter_val(&it);
		size_t plen = tree_key_parent_len(dkey, dlen);
		while (sp > 0 && slen[sp] > plen) {
			sp--;
		}
		uint32_t nf = (d->pub.flags & ~INHERITED) | sflags[sp];
		if (nf != d->pub.flags) {
			if (nupd == cap) {
				cap = cap ? cap * 2 : 64;
				reflag_t *v = realloc(upd, cap * sizeof(*v));
				if (v == NULL) {
					rc = SN_ENOMEM;
					goto out;
				}
				upd = v;
			}
			upd[nupd++] = (reflag_t){d, nf};
		}
		if (child_flags(nf) == child_flags(d->pub.flags) || sp + 1 >= DNAME_MAXLABELS + 2) {
			/* past the subtree: its keys all start with dkey, whose
			 * last octet (a label end, 0x00) is the least there is */
			uint8_t next[TREE_KEY_MAXLEN];
			memcpy(next, dkey, dlen);
			next[dlen - 1] = 1;
			tree_iter_seek_ge(&it, tree_txn_tree(e->tt), next, dlen);
			continue;
		}
		sp++;
		slen[sp] = dlen;
		sflags[sp] = child_flags(nf);
		tree_iter_next(&it);
	}
	/* the iterator is dead from the first change on: apply after the walk */
	for (size_t i = 0; i < nupd && rc == SN_OK; i++) {
		rc = set_flags(e, upd[i].node, upd[i].flags);
	}
out:
	free(upd);
	return rc;
}

/* Pass 3: the flags of every touched name, parents first. A name's own
 * flags come from its records, SNAP_WILDCARD_CHILD from its children, the
 * rest from its parent, already final when the name is reached. */
static int
reflag(edit_t *e)
{
	keyset_sort(&e->touched);
	for (size_t i = 0; i < e->touched.n; i++) {
		size_t len;
		const uint8_t *key = keyset_key(&e->touched, i, &len);
		node_t *n = (node_t *)get(e, key, len);
		if (n == NULL) {
			continue; /* pruned */
		}
		bool is_apex = len == e->base->apex_keylen;
		uint32_t want = own_flags(n, is_apex);
		if (!is_apex) {
			const node_t *p = get(e, key, tree_key_parent_len(key, len));
			if (p == NULL) {
				return SN_ECHECK; /* cannot happen: ancestors are nodes */
			}
			want |= child_flags(p->pub.flags);
		}
		if (has_wildcard_child(e, key, len)) {
			want |= SNAP_WILDCARD_CHILD;
		}
		int rc = SN_OK;
		if (want != n->pub.flags) {
			rc = set_flags(e, n, want);
		}
		/* the names below a new name are all new, hence touched; below
		 * an old one, only a change of what they inherit matters */
		const node_t *b = get_base(e, key, len);
		if (rc == SN_OK && b != NULL && child_flags(want) != child_flags(b->pub.flags)) {
			rc = reflag_subtree(e, key, len, want);
		}
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

static void
edit_clear(edit_t *e)
{
	keyset_clear(&e->touched);
	keyset_clear(&e->emptied);
	free(e->recs.v);
	free(e->out.v);
	free(e->canon_a);
	free(e->canon_b);
	free(e->fresh.v);
}

int
snap_edit(snap_t *base, const rrlist_t *removed, const rrlist_t *added, snap_t **out)
{
	edit_t e = {.base = base};
	snap_t *s = NULL;
	int rc;

	if (base->next != NULL) {
		return SN_EINVAL; /* edited already: its lineage has moved on */
	}
	if ((removed != NULL && !rrlist_is_sorted(removed)) ||
	    (added != NULL && !rrlist_is_sorted(added))) {
		return SN_EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return SN_ENOMEM;
	}
	if ((rc = tree_txn_begin(base->names, &e.tt)) != SN_OK ||
	    (rc = nhash_txn_begin(base->index, &e.ht)) != SN_OK) {
		goto fail;
	}
	if ((rc = apply_records(&e, removed, added)) != SN_OK || (rc = prune(&e)) != SN_OK ||
	    (rc = reflag(&e)) != SN_OK) {
		goto fail;
	}
	const node_t *apex = get(&e, base->apex_key, base->apex_keylen);
	if (apex == NULL) {
		rc = SN_ECHECK; /* cannot happen: the apex is never pruned */
		goto fail;
	}

	/* Nothing fails from here on. */
	s->stats.owners = e.owners;
	s->stats.nodes_gone = e.gone;
	s->stats.tree_copied = tree_txn_copied(e.tt);
	s->stats.hash_copied = nhash_txn_copied(e.ht);
	tree_garbage_t *tg;
	nhash_garbage_t *hg;
	/* both return SN_OK: their memory was reserved by the changes */
	int crc = tree_txn_commit(e.tt, &s->names, &tg);
	crc |= nhash_txn_commit(e.ht, &s->index, &hg);
	tree_garbage_t *g3 = NULL;
	if (e.t3 != NULL) {
		crc |= tree_txn_commit(e.t3, &s->nsec3, &g3);
	} else {
		s->nsec3 = base->nsec3; /* unchanged: shared, freed by the newest version */
	}
	(void)crc;
	atomic_init(&s->refs, 1);
	s->apex = apex->pub.owner;
	s->apex_key = apex->key;
	s->apex_keylen = apex->keylen;
	s->apex_node = &apex->pub;
	s->n3param = nsec3param_of(&apex->pub);
	s->serial = soa_serial(&apex->pub);
	s->lin = base->lin;
	for (size_t i = 0; i < e.fresh.n; i++) {
		node_t *n = e.fresh.v[i];
		if (n->mem & NODE_DEAD) {
			free(n); /* made and replaced by this edit: never seen */
		} else {
			n->mem &= (uint8_t)~NODE_FRESH;
			s->stats.nodes_new++;
		}
	}
	pthread_mutex_lock(&base->lin->lock);
	base->tree_garbage = tg;
	base->hash_garbage = hg;
	base->nsec3_garbage = g3; /* with an empty t3_base, that handle too */
	base->dead = e.dead.v;
	base->ndead = e.dead.n;
	base->next = s;
	base->lin->tail = s;
	pthread_mutex_unlock(&base->lin->lock);
	edit_clear(&e);
	*out = s;
	return SN_OK;

fail:
	tree_txn_abort(e.tt);
	nhash_txn_abort(e.ht);
	tree_txn_abort(e.t3);
	tree_free(e.t3_base);
	for (size_t i = 0; i < e.fresh.n; i++) {
		free(e.fresh.v[i]);
	}
	free(e.dead.v); /* the nodes listed are the base's, still in use */
	edit_clear(&e);
	free(s);
	return rc;
}

const uint8_t *
snap_apex(const snap_t *s)
{
	return s->apex;
}

const snap_node_t *
snap_apex_node(const snap_t *s)
{
	return s->apex_node;
}

uint32_t
snap_serial(const snap_t *s)
{
	return s->serial;
}

size_t
snap_name_count(const snap_t *s)
{
	return tree_count(s->names);
}

size_t
snap_nsec3_count(const snap_t *s)
{
	return s->nsec3 != NULL ? tree_count(s->nsec3) : 0;
}

const snap_rrset_t *
snap_node_sigs(const snap_node_t *node, uint16_t *count)
{
	/* the public part is the first member of the stored node */
	const node_t *n = (const node_t *)node;
	*count = n->sigsets;
	return n->sigsets > 0 ? n->pub.rrsets + n->pub.rrset_count : NULL;
}

bool
snap_is_signed(const snap_t *s)
{
	const snap_rrset_t *soa = snap_node_rrset(s->apex_node, RRTYPE_SOA);
	return soa != NULL && soa->rrsig != NULL;
}

bool
snap_has_nsec3(const snap_t *s)
{
	return s->n3param != NULL;
}

/* ---- SHA-1 (FIPS 180-4), for NSEC3 hashes ---- */

typedef struct sha1 {
	uint32_t h[5];
	uint64_t len; /* octets so far */
	uint8_t buf[64];
	size_t nbuf;
} sha1_t;

static uint32_t
rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static void
sha1_block(sha1_t *c, const uint8_t *p)
{
	uint32_t w[80];
	for (unsigned i = 0; i < 16; i++) {
		w[i] = wire_read_u32(p + 4 * i);
	}
	for (unsigned i = 16; i < 80; i++) {
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	}
	uint32_t a = c->h[0], b = c->h[1], d = c->h[3], e = c->h[4], cc = c->h[2];
	for (unsigned i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20) {
			f = (b & cc) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ cc ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & cc) | (b & d) | (cc & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ cc ^ d;
			k = 0xca62c1d6;
		}
		uint32_t t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = cc;
		cc = rol(b, 30);
		b = a;
		a = t;
	}
	c->h[0] += a;
	c->h[1] += b;
	c->h[2] += cc;
	c->h[3] += d;
	c->h[4] += e;
}

static void
sha1_init(sha1_t *c)
{
	static const uint32_t h0[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
	memcpy(c->h, h0, sizeof(h0));
	c->len = 0;
	c->nbuf = 0;
}

static void
sha1_update(sha1_t *c, const uint8_t *p, size_t n)
{
	c->len += n;
	while (n > 0) {
		size_t take = 64 - c->nbuf < n ? 64 - c->nbuf : n;
		memcpy(c->buf + c->nbuf, p, take);
		c->nbuf += take;
		p += take;
		n -= take;
		if (c->nbuf == 64) {
			sha1_block(c, c->buf);
			c->nbuf = 0;
		}
	}
}

static void
sha1_final(sha1_t *c, uint8_t out[20])
{
	uint64_t bits = c->len * 8;
	c->buf[c->nbuf++] = 0x80;
	if (c->nbuf > 56) {
		memset(c->buf + c->nbuf, 0, 64 - c->nbuf);
		sha1_block(c, c->buf);
		c->nbuf = 0;
	}
	memset(c->buf + c->nbuf, 0, 56 - c->nbuf);
	for (unsigned i = 0; i < 8; i++) {
		c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	}
	sha1_block(c, c->buf);
	for (unsigned i = 0; i < 5; i++) {
		wire_write_u32(out + 4 * i, c->h[i]);
	}
}

/* IH(salt, name, iterations) of RFC 5155 5 with the chain parameters in
 * `param` (NSEC3PARAM or NSEC3 RDATA: alg, flags, iterations, salt). */
static void
nsec3_hash(const uint8_t *param, const uint8_t *name, uint8_t out[20])
{
	uint8_t low[DNAME_MAXLEN];
	size_t nlen = dname_len(name);
	memcpy(low, name, nlen);
	dname_to_lower(low); /* RFC 4034 6.2: the canonical form is hashed */
	uint16_t iter = wire_read_u16(param + 2);
	const uint8_t *salt = param + 5;
	size_t slen = param[4];
	sha1_t c;
	sha1_init(&c);
	sha1_update(&c, low, nlen);
	sha1_update(&c, salt, slen);
	sha1_final(&c, out);
	for (uint16_t i = 0; i < iter; i++) {
		sha1_init(&c);
		sha1_update(&c, out, 20);
		sha1_update(&c, salt, slen);
		sha1_final(&c, out);
	}
}

/* True if the first NSEC3 record of `n` belongs to the chain of `param`:
 * same algorithm, iterations and salt (RFC 5155 7.2: flags may differ). */
static bool
nsec3_of_chain(const node_t *n, const uint8_t *param)
{
	const snap_rrset_t *rs = snap_node_rrset(&n->pub, RRTYPE_NSEC3);
	if (rs == NULL || rs->rdata_len < 7) {
		return false;
	}
	uint16_t len = wire_read_u16(rs->rdata);
	const uint8_t *rd = rs->rdata + 2;
	size_t plen = 5u + param[4];
	return len >= plen && len <= rs->rdata_len - 2 && rd[0] == param[0] &&
	       memcmp(rd + 2, param + 2, plen - 2) == 0;
}

/* NSEC3 records of other chains skipped before a lookup gives up. */
#define NSEC3_MAX_SKIP 64

/* From `it` (positioned at or before the key `key`, or invalid when
 * nothing is), the first NSEC3 node of the chain in use walking back,
 * wrapping around to the last; *match when that is the key itself. */
static const snap_node_t *
nsec3_back(const snap_t *s, tree_iter_t *it, const uint8_t *key, size_t k, bool *match)
{
	size_t n = tree_count(s->nsec3);
	bool wrapped = false;
	/* Records of another chain are stepped over, a few at most while two
	 * chains interleave; a chain that has no records yet (an NSEC3PARAM
	 * published early) must not turn each lookup into a walk of the
	 * whole tree. */
	if (n > NSEC3_MAX_SKIP) {
		n = NSEC3_MAX_SKIP;
	}
	for (size_t steps = 0; steps <= n; steps++) {
		if (!tree_iter_is_valid(it)) {
			if (wrapped) {
				return NULL;
			}
			/* before the first hash: the last one covers it */
			tree_iter_last(it, s->nsec3);
			wrapped = true;
			continue;
		}
		const node_t *c = tree_iter_val(it);
		/* a hashed owner is one label below the apex (RFC 5155 3):
		 * NSEC3 records elsewhere are data no proof can use */
		bool hashed =
		    c->keylen > s->apex_keylen + 1 &&
		    memchr(c->key + s->apex_keylen, 0, c->keylen - s->apex_keylen - 1) == NULL;
		if (hashed && nsec3_of_chain(c, s->n3param)) {
			*match =
			    steps == 0 && !wrapped && c->keylen == k && memcmp(c->key, key, k) == 0;
			return &c->pub;
		}
		tree_iter_prev(it);
	}
	return NULL;
}

const snap_node_t *
snap_nsec3_lookup(const snap_t *s, const uint8_t *name, bool *match)
{
	static const char b32[] = "0123456789abcdefghijklmnopqrstuv";
	uint8_t hash[20], key[TREE_KEY_MAXLEN];
	size_t nlen;
	*match = false;
	if (s->n3param == NULL || s->nsec3 == NULL || s->apex_keylen + 33 > TREE_KEY_MAXLEN ||
	    dname_check(name, DNAME_MAXLEN, &nlen) != SN_OK) {
		return NULL;
	}
	nsec3_hash(s->n3param, name, hash);
	/* the key of "<base32hex of the hash>.<apex>": the apex's key, the
	 * label (lower case, RFC 5155 3.3), its end */
	memcpy(key, s->apex_key, s->apex_keylen);
	size_t k = s->apex_keylen;
	uint32_t acc = 0;
	unsigned bits = 0;
	for (unsigned i = 0; i < 20; i++) {
		acc = (acc << 8) | hash[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			key[k++] = (uint8_t)b32[(acc >> bits) & 31];
		}
	}
	key[k++] = 0;
	tree_iter_t it;
	tree_iter_seek_le(&it, s->nsec3, key, k);
	return nsec3_back(s, &it, key, k, match);
}

/* Puts `it` at the greatest key of `t` strictly before `key` (invalid when
 * there is none). */
static void
seek_before(tree_iter_t *it, const tree_t *t, const uint8_t *key, size_t keylen)
{
	tree_iter_seek_le(it, t, key, keylen);
	if (tree_iter_is_valid(it)) {
		size_t fl;
		const uint8_t *fk = tree_iter_key(it, &fl);
		if (fl == keylen && memcmp(fk, key, keylen) == 0) {
			tree_iter_prev(it);
		}
	}
}

const snap_node_t *
snap_nsec3_prev(const snap_t *s, const uint8_t *owner)
{
	uint8_t key[TREE_KEY_MAXLEN];
	size_t keylen;
	bool match;
	if (s->n3param == NULL || s->nsec3 == NULL ||
	    tree_key_from_dname(owner, key, &keylen) != SN_OK) {
		return NULL;
	}
	tree_iter_t it;
	seek_before(&it, s->nsec3, key, keylen);
	return nsec3_back(s, &it, key, keylen, &match);
}

const snap_node_t *
snap_nsec3_find(const snap_t *s, const uint8_t *name)
{
	uint8_t key[TREE_KEY_MAXLEN];
	size_t keylen;
	if (s->nsec3 == NULL || tree_key_from_dname(name, key, &keylen) != SN_OK) {
		return NULL;
	}
	const node_t *n = tree_get(s->nsec3, key, keylen);
	return n != NULL ? &n->pub : NULL;
}

const snap_node_t *
snap_nsec_prev(const snap_t *s, const uint8_t *name)
{
	uint8_t key[TREE_KEY_MAXLEN];
	size_t keylen;
	if (tree_key_from_dname(name, key, &keylen) != SN_OK) {
		return NULL;
	}
	tree_iter_t it;
	seek_before(&it, s->names, key, keylen);
	/* empty non-terminals and names below cuts have no NSEC (RFC 4035
	 * 2.3): walk back over them, once around the zone at most */
	bool wrapped = false;
	for (;;) {
		if (!tree_iter_is_valid(&it)) {
			if (wrapped) {
				return NULL;
			}
			tree_iter_last(&it, s->names);
			wrapped = true;
			continue;
		}
		const node_t *n = tree_iter_val(&it);
		if (snap_node_rrset(&n->pub, RRTYPE_NSEC) != NULL) {
			return &n->pub;
		}
		tree_iter_prev(&it);
	}
}

const snap_rrset_t *
snap_node_rrset(const snap_node_t *node, uint16_t type)
{
	for (uint16_t i = 0; i < node->rrset_count; i++) {
		if (node->rrsets[i].type == type) {
			return &node->rrsets[i];
		}
		if (node->rrsets[i].type > type) {
			break;
		}
	}
	return NULL;
}

const snap_node_t *
snap_find(const snap_t *s, const uint8_t *name)
{
	uint8_t key[TREE_KEY_MAXLEN];
	size_t keylen;
	if (tree_key_from_dname(name, key, &keylen) != SN_OK) {
		return NULL;
	}
	const node_t *n = nhash_get(s->index, nhash_hash(key, keylen), key, keylen);
	return n != NULL ? &n->pub : NULL;
}

/* The node whose canonical key is key[0..len), or NULL. */
static const node_t *
get_key(const snap_t *s, const uint8_t *key, size_t len)
{
	return nhash_get(s->index, nhash_hash(key, len), key, len);
}

/* Walks up from `n` (whose key is `key`) through its ancestors to the
 * highest one for which `want` holds, looking only while `go_on` holds. */
static const node_t *
highest_ancestor(const snap_t *s, const node_t *n, uint32_t want, uint32_t go_on)
{
	const node_t *best = (n->pub.flags & want) ? n : NULL;
	uint8_t key[TREE_KEY_MAXLEN];
	size_t keylen = n->keylen;
	memcpy(key, n->key, keylen);
	while ((n->pub.flags & go_on) && keylen > s->apex_keylen) {
		keylen = tree_key_parent_len(key, keylen);
		n = get_key(s, key, keylen);
		if (n == NULL) {
			break; /* cannot happen: every ancestor is a node */
		}
		if (n->pub.flags & want) {
			best = n;
		}
	}
	return best;
}

void
snap_lookup(const snap_t *s, const uint8_t *name, snap_lookup_t *out)
{
	uint8_t key[TREE_KEY_MAXLEN];
	size_t keylen;

	memset(out, 0, sizeof(*out));
	if (tree_key_from_dname(name, key, &keylen) != SN_OK || keylen < s->apex_keylen) {
		return;
	}
	/* Exact match first (the common case), then the closest encloser by
	 * probing ancestors: every ancestor up to the apex is a node, empty
	 * non-terminals included, so the first one found is it. */
	const node_t *enc = get_key(s, key, keylen);
	if (enc != NULL) {
		out->match = &enc->pub;
	} else {
		size_t len = keylen;
		while (enc == NULL && len > s->apex_keylen) {
			len = tree_key_parent_len(key, len);
			if (len < s->apex_keylen) {
				return; /* not below the apex */
			}
			enc = get_key(s, key, len);
		}
		if (enc == NULL) {
			return;
		}
	}
	out->encloser = &enc->pub;

	if (enc->pub.flags & (SNAP_DELEG | SNAP_NONAUTH)) {
		const node_t *cut = highest_ancestor(s, enc, SNAP_DELEG, SNAP_NONAUTH | SNAP_DELEG);
		out->cut = cut != NULL ? &cut->pub : NULL;
	}
	/* a DNAME strictly above the name: the encloser's own DNAME counts
	 * only when the name is below it */
	uint32_t dflags = enc->pub.flags;
	if (out->match != NULL) {
		dflags &= ~(uint32_t)SNAP_DNAME;
	}
	if (dflags & (SNAP_DNAME | SNAP_BELOW_DNAME)) {
		const node_t *start = enc;
		if (out->match != NULL) {
			size_t plen = tree_key_parent_len(enc->key, enc->keylen);
			start = get_key(s, enc->key, plen);
		}
		if (start != NULL) {
			const node_t *d =
			    highest_ancestor(s, start, SNAP_DNAME, SNAP_BELOW_DNAME | SNAP_DNAME);
			out->dname = d != NULL ? &d->pub : NULL;
		}
	}
}

const snap_node_t *
snap_prev(const snap_t *s, const uint8_t *name)
{
	uint8_t key[TREE_KEY_MAXLEN];
	size_t keylen;
	if (tree_key_from_dname(name, key, &keylen) != SN_OK) {
		return NULL;
	}
	const node_t *n = tree_get_lt(s->names, key, keylen, NULL, NULL);
	if (n == NULL) {
		/* before the first name: the chain wraps to the last (RFC 4034 4.1.1) */
		tree_iter_t it;
		tree_iter_last(&it, s->names);
		n = tree_iter_is_valid(&it) ? tree_iter_val(&it) : NULL;
	}
	return n != NULL ? &n->pub : NULL;
}

int
snap_walk(const snap_t *s, int (*fn)(void *ctx, const snap_node_t *node), void *ctx)
{
	snap_iter_t it;
	const snap_node_t *n;
	for (snap_iter_first(&it, s); (n = snap_iter_node(&it)) != NULL; snap_iter_next(&it)) {
		int rc = fn(ctx, n);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

void
snap_iter_first(snap_iter_t *it, const snap_t *s)
{
	tree_iter_first(&it->it, s->names);
	if (s->nsec3 != NULL) {
		tree_iter_first(&it->it3, s->nsec3);
	} else {
		it->it3.height = 0; /* invalid */
	}
}

/* Which cursor is at the current node: 0 the names, 1 the NSEC3 tree, -1
 * past the end. The lesser key goes first; on a tie, the ordinary node. */
static int
iter_pick(const snap_iter_t *it)
{
	bool a = tree_iter_is_valid(&it->it), b = tree_iter_is_valid(&it->it3);
	if (!a || !b) {
		return a ? 0 : (b ? 1 : -1);
	}
	const node_t *x = tree_iter_val(&it->it), *y = tree_iter_val(&it->it3);
	size_t l = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, l);
	if (c == 0) {
		c = x->keylen > y->keylen;
	}
	return c <= 0 ? 0 : 1;
}

void
snap_iter_next(snap_iter_t *it)
{
	int w = iter_pick(it);
	if (w == 0) {
		tree_iter_next(&it->it);
	} else if (w == 1) {
		tree_iter_next(&it->it3);
	}
}

const snap_node_t *
snap_iter_node(const snap_iter_t *it)
{
	int w = iter_pick(it);
	if (w < 0) {
		return NULL;
	}
	const node_t *n = tree_iter_val(w == 0 ? &it->it : &it->it3);
	return &n->pub;
}

void
snap_edit_stats(const snap_t *s, snap_edit_stats_t *st)
{
	*st = s->stats;
}

void
snap_index_shape(const snap_t *s, unsigned *height, unsigned *depth)
{
	nhash_stats_t st;
	nhash_stats(s->index, &st);
	*height = tree_height(s->names);
	*depth = st.depth;
}

/* The invariants of one node, given its parent (NULL for the apex). */
static bool
check_node(const snap_t *s, const node_t *n, const node_t *parent)
{
	uint8_t key[TREE_KEY_MAXLEN];
	size_t len;
	bool is_apex = parent == NULL;
	if (tree_key_from_dname(n->pub.owner, key, &len) != SN_OK || len != n->keylen ||
	    memcmp(key, n->key, len) != 0 || n->pub.owner_len != dname_len(n->pub.owner)) {
		return false;
	}
	if (nhash_get(s->index, nhash_hash(n->key, n->keylen), n->key, n->keylen) != n) {
		return false;
	}
	if (n->mem & (NODE_FRESH | NODE_DEAD)) {
		return false;
	}
	/* RRsets in type order, signatures on the set they cover, NSEC3
	 * records in the NSEC3 tree only */
	const snap_rrset_t *sets = n->pub.rrsets;
	for (size_t g = 0; g < n->sigsets; g++) {
		if (sig_covered(&sets[n->pub.rrset_count + g]) == RRTYPE_NSEC3) {
			return false;
		}
	}
	for (size_t i = 0; i < n->pub.rrset_count; i++) {
		if ((i > 0 && sets[i - 1].type >= sets[i].type) || sets[i].type == RRTYPE_RRSIG ||
		    sets[i].type == RRTYPE_NSEC3) {
			return false;
		}
		const snap_rrset_t *sig = sets[i].rrsig;
		if (sig != NULL && (sig < sets + n->pub.rrset_count ||
		                    sig >= sets + n->pub.rrset_count + n->sigsets ||
		                    sig_covered(sig) != sets[i].type)) {
			return false;
		}
	}
	/* an empty non-terminal is there for its children */
	const uint8_t *fk;
	size_t fl;
	bool children = tree_get_gt(s->names, n->key, n->keylen, &fk, &fl) != NULL &&
	                tree_key_is_subdomain(fk, fl, n->key, n->keylen);
	if (!is_apex && !node_has_records(n) && !children) {
		return false;
	}
	uint8_t wk[TREE_KEY_MAXLEN + 2];
	memcpy(wk, n->key, n->keylen);
	wk[n->keylen] = '*';
	wk[n->keylen + 1] = 0;
	uint32_t want = own_flags(n, is_apex);
	if (parent != NULL) {
		want |= child_flags(parent->pub.flags);
	}
	if (nhash_get(s->index, nhash_hash(wk, n->keylen + 2u), wk, n->keylen + 2u) != NULL) {
		want |= SNAP_WILDCARD_CHILD;
	}
	return want == n->pub.flags;
}

/* The NSEC3 tree: well formed, each node an owner's NSEC3 records and
 * their signatures, under its own key. */
static int
check_nsec3(const snap_t *s)
{
	if (s->n3param != nsec3param_of(s->apex_node)) {
		return SN_ECHECK;
	}
	if (s->nsec3 == NULL) {
		return SN_OK;
	}
	if (tree_check(s->nsec3) != SN_OK) {
		return SN_ECHECK;
	}
	tree_iter_t it;
	for (tree_iter_first(&it, s->nsec3); tree_iter_is_valid(&it); tree_iter_next(&it)) {
		const node_t *n = tree_iter_val(&it);
		uint8_t key[TREE_KEY_MAXLEN];
		size_t len, klen;
		const uint8_t *k = tree_iter_key(&it, &klen);
		if (tree_key_from_dname(n->pub.owner, key, &len) != SN_OK || len != n->keylen ||
		    memcmp(key, n->key, len) != 0 || k != n->key || klen != len ||
		    n->pub.flags != SNAP_NSEC3 || (n->mem & (NODE_FRESH | NODE_DEAD)) ||
		    !node_has_records(n) || n->pub.rrset_count > 1 ||
		    (n->pub.rrset_count == 1 && n->pub.rrsets[0].type != RRTYPE_NSEC3)) {
			return SN_ECHECK;
		}
		for (size_t g = 0; g < n->sigsets; g++) {
			if (sig_covered(&n->pub.rrsets[n->pub.rrset_count + g]) != RRTYPE_NSEC3) {
				return SN_ECHECK;
			}
		}
	}
	return SN_OK;
}

int
snap_check(const snap_t *s)
{
	if (tree_check(s->names) != SN_OK || nhash_check(s->index) != SN_OK ||
	    tree_count(s->names) != nhash_count(s->index) || check_nsec3(s) != SN_OK) {
		return SN_ECHECK;
	}
	const node_t *stack[DNAME_MAXLABELS + 2];
	unsigned sp = 0;
	tree_iter_t it;
	bool first = true;
	for (tree_iter_first(&it, s->names); tree_iter_is_valid(&it); tree_iter_next(&it)) {
		const node_t *n = tree_iter_val(&it);
		if (first) {
			/* the apex sorts first: nothing else is in the zone */
			if (&n->pub != s->apex_node || n->keylen != s->apex_keylen ||
			    memcmp(n->key, s->apex_key, s->apex_keylen) != 0 ||
			    !check_node(s, n, NULL) || s->serial != soa_serial(&n->pub)) {
				return SN_ECHECK;
			}
			stack[sp++] = n;
			first = false;
			continue;
		}
		size_t plen = tree_key_parent_len(n->key, n->keylen);
		while (sp > 0 && stack[sp - 1]->keylen > plen) {
			sp--;
		}
		/* the parent is a node, and it is the last ancestor seen */
		if (sp == 0 || stack[sp - 1]->keylen != plen ||
		    memcmp(stack[sp - 1]->key, n->key, plen) != 0 ||
		    !check_node(s, n, stack[sp - 1]) || sp >= DNAME_MAXLABELS + 1) {
			return SN_ECHECK;
		}
		stack[sp++] = n;
	}
	return first ? SN_ECHECK : SN_OK;
}
