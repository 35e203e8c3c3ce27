/* SPDX-License-Identifier: MIT
 * snap.c - building and reading zone snapshots.
 *
 * A full build walks the sorted record list once. Canonical order is a
 * depth-first pre-order of the name tree, so a stack of the current name's
 * ancestors is enough to create every missing empty non-terminal and to
 * carry flags down (below a cut, below a DNAME) without any lookup. All the
 * memory of a built snapshot comes from one arena of large blocks, freed
 * together.
 *
 * Lookups rely on empty non-terminals being present: the canonical
 * predecessor of a missing name then shares with it exactly the labels of
 * its closest encloser, so one ordered search finds both.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "zone/rrtype.h"
#include "zone/nhash.h"
#include "zone/snap.h"
#include "zone/tree.h"
#include "zone/wire.h"

#define ARENA_BLOCK (1u << 20)

typedef struct block {
	struct block *next;
	size_t used, cap;
	_Alignas(16) uint8_t data[];
} block_t;

/* A name node as stored: the public part first, then its tree key. */
typedef struct node {
	snap_node_t pub;
	const uint8_t *key;
	uint16_t keylen;
} node_t;

struct snap {
	atomic_uint refs;
	uint8_t apex[DNAME_MAXLEN];
	uint8_t apex_key[TREE_KEY_MAXLEN];
	size_t apex_keylen;
	tree_t *names;  /* canonical order: predecessor, transfers */
	nhash_t *index; /* the same nodes by key: exact lookups */
	const snap_node_t *apex_node;
	uint32_t serial;
	block_t *blocks;
};

static void *
arena_alloc(snap_t *s, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	block_t *b = s->blocks;
	if (b == NULL || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (b == NULL) {
			return NULL;
		}
		b->used = 0;
		b->cap = cap;
		b->next = s->blocks;
		s->blocks = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

void
snap_free(snap_t *s)
{
	if (s == NULL) {
		return;
	}
	tree_free(s->names);
	nhash_free(s->index);
	block_t *b = s->blocks;
	while (b != NULL) {
		block_t *next = b->next;
		free(b);
		b = next;
	}
	free(s);
}

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

/* Makes a node for `owner` with room for `nsets` RRsets and `rdata_len`
 * octets of RDATA (handed back in *rdata). */
static node_t *
node_new(snap_t *s, const uint8_t *owner, size_t nsets, size_t rdata_len, uint8_t **rdata)
{
	uint8_t key[TREE_KEY_MAXLEN];
	size_t keylen;
	size_t olen = dname_len(owner);
	if (tree_key_from_dname(owner, key, &keylen) != SN_OK) {
		return NULL;
	}
	size_t need = sizeof(node_t) + nsets * sizeof(snap_rrset_t) + olen + keylen + rdata_len;
	uint8_t *p = arena_alloc(s, need);
	if (p == NULL) {
		return NULL;
	}
	node_t *n = (node_t *)p;
	memset(n, 0, sizeof(*n));
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
covered_type(const rrlist_rr_t *rr)
{
	return rr->rdlen >= 2 ? wire_read_u16(rr->rdata) : 0;
}

/* Builds the node for the records [lo, hi) of one owner. RRsets are in type
 * order already (rrlist canonical order); RRSIGs are split by the type they
 * cover and hung on that RRset. */
static node_t *
build_node(snap_t *s, const rrlist_t *rrs, size_t lo, size_t hi)
{
	size_t nsets = 0, rdata_len = 0, nsigsets = 0;
	uint16_t last = 0;
	bool have_last = false;
	for (size_t i = lo; i < hi; i++) {
		rrlist_rr_t rr = rrlist_get(rrs, i);
		rdata_len += 2 + (size_t)rr.rdlen;
		if (rr.type == RRTYPE_RRSIG) {
			nsigsets++; /* at most one per record; counted generously */
			continue;
		}
		if (!have_last || rr.type != last) {
			nsets++;
			last = rr.type;
			have_last = true;
		}
	}
	uint8_t *rd;
	rrlist_rr_t first = rrlist_get(rrs, lo);
	node_t *n = node_new(s, first.owner, nsets + nsigsets, rdata_len, &rd);
	if (n == NULL) {
		return NULL;
	}
	snap_rrset_t *sets = (snap_rrset_t *)n->pub.rrsets;
	snap_rrset_t *sigs = sets + nsets;
	size_t ns = 0, nsig = 0;

	/* plain RRsets first */
	for (size_t i = lo; i < hi; i++) {
		rrlist_rr_t rr = rrlist_get(rrs, i);
		if (rr.type == RRTYPE_RRSIG) {
			continue;
		}
		if (ns == 0 || sets[ns - 1].type != rr.type) {
			snap_rrset_t *cur = &sets[ns++];
			cur->type = rr.type;
			cur->count = 0;
			cur->ttl = rr.ttl;
			cur->rdata = rd;
			cur->rdata_len = 0;
			cur->rrsig = NULL;
		}
		snap_rrset_t *cur = &sets[ns - 1];
		wire_write_u16(rd, rr.rdlen);
		memcpy(rd + 2, rr.rdata, rr.rdlen);
		rd += 2 + (size_t)rr.rdlen;
		cur->rdata_len += 2 + (uint32_t)rr.rdlen;
		cur->count++;
		if (rr.ttl < cur->ttl) {
			cur->ttl = rr.ttl; /* RFC 2181 5.2: one TTL per RRset */
		}
	}
	/* then the signatures, grouped by covered type (several passes: a
	 * node has few types) */
	for (size_t t = 0; t < ns; t++) {
		snap_rrset_t *sig = NULL;
		for (size_t i = lo; i < hi; i++) {
			rrlist_rr_t rr = rrlist_get(rrs, i);
			if (rr.type != RRTYPE_RRSIG || covered_type(&rr) != sets[t].type) {
				continue;
			}
			if (sig == NULL) {
				sig = &sigs[nsig++];
				sig->type = RRTYPE_RRSIG;
				sig->count = 0;
				sig->ttl = rr.ttl;
				sig->rdata = rd;
				sig->rdata_len = 0;
				sig->rrsig = NULL;
			}
			wire_write_u16(rd, rr.rdlen);
			memcpy(rd + 2, rr.rdata, rr.rdlen);
			rd += 2 + (size_t)rr.rdlen;
			sig->rdata_len += 2 + (uint32_t)rr.rdlen;
			sig->count++;
		}
		sets[t].rrsig = sig;
	}
	n->pub.rrset_count = (uint16_t)ns;
	return n;
}

/* The ancestors of the name being placed, root-most first. */
typedef struct path {
	node_t *node[DNAME_MAXLABELS + 1];
	unsigned depth;
} path_t;

static uint32_t
inherited_flags(const node_t *parent)
{
	uint32_t f = 0;
	if (parent->pub.flags & (SNAP_DELEG | SNAP_NONAUTH)) {
		f |= SNAP_NONAUTH;
	}
	if (parent->pub.flags & (SNAP_DNAME | SNAP_BELOW_DNAME)) {
		f |= SNAP_BELOW_DNAME;
	}
	return f;
}

/* Places `n` in canonical order: adds the empty non-terminals between its
 * deepest existing ancestor and it, then sets its flags. */
static int
place(snap_t *s, entries_t *e, path_t *path, node_t *n, bool is_apex)
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
			for (unsigned skip = dname_label_count(name) - (have + 1); skip > 0; skip--) {
				anc += *anc + 1;
			}
			node_t *ent = node_new(s, anc, 0, 0, NULL);
			if (ent == NULL) {
				return SN_ENOMEM;
			}
			ent->pub.flags = SNAP_ENT | inherited_flags(top);
			if (entries_push(e, ent) != SN_OK) {
				return SN_ENOMEM;
			}
			path->node[path->depth++] = ent;
			top = ent;
			have++;
		}
		n->pub.flags |= inherited_flags(top);
		if (dname_is_wildcard(name)) {
			top->pub.flags |= SNAP_WILDCARD_CHILD;
		}
	} else {
		n->pub.flags |= SNAP_APEX;
	}
	if (n->pub.rrset_count == 0) {
		n->pub.flags |= SNAP_ENT;
	}
	if (!is_apex && snap_node_rrset(&n->pub, RRTYPE_NS) != NULL) {
		n->pub.flags |= SNAP_DELEG;
	}
	if (snap_node_rrset(&n->pub, RRTYPE_DNAME) != NULL) {
		n->pub.flags |= SNAP_DNAME;
	}
	if (entries_push(e, n) != SN_OK) {
		return SN_ENOMEM;
	}
	path->node[path->depth++] = n;
	return SN_OK;
}

int
snap_build(const uint8_t *apex, const rrlist_t *rrs, snap_t **out)
{
	entries_t e = {0};
	path_t path = {.depth = 0};
	snap_t *s = calloc(1, sizeof(*s));
	int rc = SN_ENOMEM;

	if (s == NULL) {
		return SN_ENOMEM;
	}
	atomic_init(&s->refs, 1);
	memcpy(s->apex, apex, dname_len(apex));
	if (tree_key_from_dname(apex, s->apex_key, &s->apex_keylen) != SN_OK) {
		rc = SN_EINVAL;
		goto out;
	}

	size_t n = rrlist_count(rrs), i = 0;
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
			node_t *a = node_new(s, apex, 0, 0, NULL);
			if (a == NULL || (rc = place(s, &e, &path, a, true)) != SN_OK) {
				goto out;
			}
			s->apex_node = &a->pub;
			have_apex = true;
		}
		node_t *node = build_node(s, rrs, i, end);
		if (node == NULL) {
			rc = SN_ENOMEM;
			goto out;
		}
		if ((rc = place(s, &e, &path, node, is_apex)) != SN_OK) {
			goto out;
		}
		if (is_apex) {
			s->apex_node = &node->pub;
			have_apex = true;
			const snap_rrset_t *soa = snap_node_rrset(&node->pub, RRTYPE_SOA);
			if (soa != NULL && wire_read_u16(soa->rdata) >= 20) {
				const uint8_t *rd = soa->rdata + 2;
				s->serial = wire_read_u32(rd + wire_read_u16(soa->rdata) - 20);
			}
		}
		i = end;
	}
	if (!have_apex) {
		node_t *a = node_new(s, apex, 0, 0, NULL);
		if (a == NULL || (rc = place(s, &e, &path, a, true)) != SN_OK) {
			rc = SN_ENOMEM;
			goto out;
		}
		s->apex_node = &a->pub;
	}
	rc = tree_build_sorted(e.v, e.n, &s->names);
	if (rc != SN_OK) {
		goto out;
	}
	nhash_entry_t *he = malloc((e.n + 1) * sizeof(*he));
	if (he == NULL) {
		rc = SN_ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < e.n; k++) {
		he[k].key = e.v[k].key;
		he[k].keylen = e.v[k].keylen;
		he[k].val = e.v[k].val;
		he[k].hash = nhash_hash(e.v[k].key, e.v[k].keylen);
	}
	rc = nhash_build(he, e.n, &s->index);
	free(he);
	if (rc != SN_OK) {
		goto out;
	}
	*out = s;
	s = NULL;
out:
	free(e.v);
	snap_free(s);
	return rc;
}

void
snap_ref(snap_t *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void
snap_unref(snap_t *s)
{
	if (s != NULL && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) {
		snap_free(s);
	}
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
			const node_t *d = highest_ancestor(s, start, SNAP_DNAME,
							   SNAP_BELOW_DNAME | SNAP_DNAME);
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
	tree_iter_t it;
	for (tree_iter_first(&it, s->names); tree_iter_is_valid(&it); tree_iter_next(&it)) {
		const node_t *n = tree_iter_val(&it);
		int rc = fn(ctx, &n->pub);
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
}

void
snap_iter_next(snap_iter_t *it)
{
	tree_iter_next(&it->it);
}

const snap_node_t *
snap_iter_node(const snap_iter_t *it)
{
	if (!tree_iter_is_valid(&it->it)) {
		return NULL;
	}
	const node_t *n = tree_iter_val(&it->it);
	return &n->pub;
}
