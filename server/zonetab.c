/* SPDX-License-Identifier: MIT
 * zonetab.c - open-addressing hash of zone apexes.
 *
 * Keys are lower-case wire names, so a probe for a query name hashes each of
 * its suffixes once. The table is sized to twice the zone count (power of
 * two) and never changes after it is built.
 */
#include <stdlib.h>
#include <string.h>
#include <urcu-qsbr.h>
#include "server/zonetab.h"

struct zonetab {
	size_t mask;
	zone_t **slots;
	zone_t **list; /* in the order given */
	size_t count;
};

/* FNV-1a over the lower-cased name. */
static uint32_t
name_hash(const uint8_t *name, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= dname_lower_tab[name[i]];
		h *= 16777619u;
	}
	return h;
}

int
zonetab_new(zone_t *const *zones, size_t n, zonetab_t **out)
{
	zonetab_t *t = calloc(1, sizeof(*t));
	if (t == NULL) {
		return SN_ENOMEM;
	}
	size_t size = 8;
	while (size < n * 2) {
		size *= 2;
	}
	t->mask = size - 1;
	t->slots = calloc(size, sizeof(*t->slots));
	t->list = calloc(n + 1, sizeof(*t->list));
	if (t->slots == NULL || t->list == NULL) {
		zonetab_free(t);
		return SN_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		zone_t *z = zones[i];
		size_t h = name_hash(z->apex, z->apex_len) & t->mask;
		while (t->slots[h] != NULL) {
			if (dname_is_equal(t->slots[h]->apex, z->apex)) {
				zonetab_free(t);
				return SN_EEXIST;
			}
			h = (h + 1) & t->mask;
		}
		t->slots[h] = z;
		t->list[t->count++] = z;
	}
	*out = t;
	return SN_OK;
}

void
zonetab_free(zonetab_t *t)
{
	if (t == NULL) {
		return;
	}
	free(t->slots);
	free(t->list);
	free(t);
}

static zone_t *
probe(const zonetab_t *t, const uint8_t *name, size_t len)
{
	size_t h = name_hash(name, len) & t->mask;
	while (t->slots[h] != NULL) {
		zone_t *z = t->slots[h];
		if (z->apex_len == len && dname_is_equal(z->apex, name)) {
			return z;
		}
		h = (h + 1) & t->mask;
	}
	return NULL;
}

zone_t *
zonetab_find(const zonetab_t *t, const uint8_t *name)
{
	size_t len = dname_len(name);
	for (;;) {
		zone_t *z = probe(t, name, len);
		if (z != NULL) {
			return z;
		}
		if (*name == 0) {
			return NULL;
		}
		len -= (size_t)*name + 1;
		name += *name + 1;
	}
}

zone_t *
zonetab_get(const zonetab_t *t, const uint8_t *apex)
{
	return probe(t, apex, dname_len(apex));
}

size_t
zonetab_count(const zonetab_t *t)
{
	return t->count;
}

zone_t *
zonetab_at(const zonetab_t *t, size_t i)
{
	return t->list[i];
}

snap_t *
zone_publish(zone_t *z, snap_t *snap)
{
	return rcu_xchg_pointer(&z->snap, snap);
}

typedef struct retired {
	struct rcu_head head;
	snap_t *snap;
} retired_t;

static void
retire_cb(struct rcu_head *head)
{
	retired_t *r = caa_container_of(head, retired_t, head);
	snap_unref(r->snap); /* a transfer may still hold it */
	free(r);
}

void
zone_retire(snap_t *old)
{
	if (old == NULL) {
		return;
	}
	retired_t *r = malloc(sizeof(*r));
	if (r == NULL) {
		/* cannot defer: wait for the grace period here instead */
		synchronize_rcu();
		snap_unref(old);
		return;
	}
	r->snap = old;
	call_rcu(&r->head, retire_cb);
}
