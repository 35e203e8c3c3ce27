/* SPDX-License-Identifier: MIT
 * kasp.c - the key and signing policy's clock (see kasp.h).
 */
#include "sign/kasp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool
reached(int64_t t, int64_t now)
{
	return t != 0 && t <= now;
}

bool
kasp_key_publishes(const kasp_key_t *k, int64_t now)
{
	return reached(k->publish, now) && !reached(k->remove, now);
}

bool
kasp_key_signs(const kasp_key_t *k, int64_t now)
{
	return kasp_key_publishes(k, now) && reached(k->active, now) && !reached(k->retire, now);
}

bool
kasp_key_cds(const kasp_key_t *k, int64_t now, bool always)
{
	if (k->role == KASP_ZSK || !kasp_key_publishes(k, now)) {
		return false;
	}
	return kasp_key_waits_ds(k, now) || (always && kasp_key_signs(k, now));
}

bool
kasp_key_waits_ds(const kasp_key_t *k, int64_t now)
{
	/* a KSK rolling in is not active yet; one of an algorithm rollover
	 * signs from the start (RFC 4035 2.2: every algorithm in the DNSKEY
	 * RRset signs everything) and is marked by ds_submitted */
	return k->role != KASP_ZSK && kasp_key_publishes(k, now) && reached(k->ready, now) &&
	       k->ds_seen == 0 && (k->active == 0 || k->ds_submitted != 0);
}

bool
kasp_key_wants_ds(const kasp_key_t *k, int64_t now)
{
	return k->role != KASP_ZSK && kasp_key_publishes(k, now);
}

const char *
kasp_key_state(const kasp_key_t *k, int64_t now)
{
	if (reached(k->remove, now)) {
		return "removed";
	}
	if (reached(k->retire, now)) {
		return "retired";
	}
	if (reached(k->active, now)) {
		return "active";
	}
	if (reached(k->ready, now)) {
		return "ready";
	}
	if (reached(k->publish, now)) {
		return "published";
	}
	return "generated";
}

/* Which rollovers a zone has: KSK and ZSK, or the CSK alone (rolled as a
 * KSK, since its DS is at the parent). */
static bool
of_kind(const kasp_key_t *k, kasp_role_t kind)
{
	if (kind == KASP_ZSK) {
		return k->role == KASP_ZSK;
	}
	return k->role == KASP_KSK || k->role == KASP_CSK;
}

/* Interval of publication (RFC 7583 3.2.1): until every cache has the new
 * DNSKEY RRset. */
static int64_t
ipub(const kasp_policy_t *p)
{
	return (int64_t)p->propagation_delay + p->dnskey_ttl;
}

/* Interval of retirement (RFC 7583 3.2.1): until no cache holds a
 * signature or a DNSKEY RRset that needs the old key. */
static int64_t
iret(const kasp_policy_t *p)
{
	uint32_t ttl = p->zone_max_ttl > p->dnskey_ttl ? p->zone_max_ttl : p->dnskey_ttl;
	return (int64_t)p->propagation_delay + ttl;
}

static void
next_at(int64_t *next, int64_t t, int64_t now)
{
	if (t > now && (*next == 0 || t < *next)) {
		*next = t;
	}
}

/* The key of `kind` that signs now (the one activated last), and the one
 * rolling in after it: published, not active yet. */
static kasp_key_t *
leaving_key(kasp_key_t *keys, size_t n, kasp_role_t kind, const kasp_key_t *cur, int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		kasp_key_t *k = &keys[i];
		if (k != cur && of_kind(&keys[i], kind) && !k->drop && kasp_key_publishes(k, now) &&
		    reached(k->active, now) && k->remove != 0) {
			return k;
		}
	}
	return NULL;
}

static void
find_keys(kasp_key_t *keys, size_t n, kasp_role_t kind, int64_t now, kasp_key_t **cur,
	  kasp_key_t **succ)
{
	*cur = *succ = NULL;
	for (size_t i = 0; i < n; i++) {
		kasp_key_t *k = &keys[i];
		if (!of_kind(k, kind) || k->drop) {
			continue;
		}
		if (kasp_key_signs(k, now)) {
			if (*cur == NULL || k->active > (*cur)->active) {
				*cur = k;
			}
		} else if (k->publish != 0 && !reached(k->remove, now) && !reached(k->active, now)) {
			*succ = k;
		}
	}
}

static void
fmt_time(char *buf, size_t cap, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(buf, cap, "%lld", (long long)t);
	}
}

int
kasp_step(kasp_key_t *keys, size_t n, const kasp_policy_t *p, int64_t now, unsigned force,
	  kasp_plan_t *plan)
{
	static const kasp_role_t split[] = {KASP_KSK, KASP_ZSK};
	size_t nkinds = p->single_type ? 1 : 2;
	int64_t next = 0;
	char t1[32], t2[32];

	memset(plan, 0, sizeof(*plan));
	for (size_t i = 0; i < n; i++) {
		keys[i].changed = false;
		keys[i].drop = reached(keys[i].remove, now) &&
			       keys[i].remove + (int64_t)p->delete_delay <= now;
	}
	for (size_t c = 0; c < nkinds; c++) {
		kasp_role_t kind = split[c];
		bool forced = (force & (kind == KASP_ZSK ? KASP_FORCE_ZSK : KASP_FORCE_KSK)) != 0;
		const char *name = kind == KASP_ZSK ? "ZSK" : p->single_type ? "CSK" : "KSK";
		kasp_key_t *cur, *succ;
		find_keys(keys, n, kind, now, &cur, &succ);
		kasp_key_t *alg_new = NULL;
		for (size_t i = 0; i < n; i++) {
			if (keys[i].ds_submitted != 0 && keys[i].ds_seen == 0 && !keys[i].drop &&
			    of_kind(&keys[i], KASP_KSK) && kasp_key_publishes(&keys[i], now)) {
				alg_new = &keys[i];
			}
		}
		if (alg_new != NULL && succ == NULL) {
			/* an algorithm rollover waits for the new DS */
			if (forced) {
				return SN_EINVAL;
			}
			if (plan->step[0] == '\0') {
				fmt_time(t1, sizeof(t1), alg_new->ready);
				if (reached(alg_new->ready, now)) {
					snprintf(plan->step, sizeof(plan->step),
						 "algorithm rollover: key %u (algorithm %u) ready, waiting "
						 "for its DS at the parent (signetc zone-ksk-submitted)",
						 alg_new->tag, alg_new->algorithm);
				} else {
					snprintf(plan->step, sizeof(plan->step),
						 "algorithm rollover: keys of algorithm %u sign, key %u "
						 "ready at %s",
						 alg_new->algorithm, alg_new->tag, t1);
				}
			}
			if (kind == KASP_ZSK) {
				/* the new algorithm's ZSK may still be to make */
				bool has = false;
				for (size_t i = 0; i < n; i++) {
					has = has || (keys[i].role == KASP_ZSK &&
						      keys[i].algorithm == p->algorithm &&
						      kasp_key_publishes(&keys[i], now));
				}
				if (!has && !plan->make_key) {
					kasp_key_t *nk = &plan->new_key;
					memset(nk, 0, sizeof(*nk));
					nk->role = KASP_ZSK;
					nk->algorithm = p->algorithm;
					nk->created = nk->publish = nk->ready = nk->active = now;
					plan->make_key = true;
				}
			}
			continue;
		}
		if (cur == NULL) {
			if (forced) {
				return SN_EINVAL;
			}
			continue;
		}
		if (succ != NULL) {
			if (forced) {
				return SN_EINVAL; /* one rollover at a time */
			}
			if (plan->step[0] != '\0') {
				continue;
			}
			if (kind == KASP_ZSK) {
				fmt_time(t1, sizeof(t1), succ->active);
				snprintf(plan->step, sizeof(plan->step),
					 "ZSK rollover: key %u published, active at %s", succ->tag, t1);
			} else if (!reached(succ->ready, now)) {
				fmt_time(t1, sizeof(t1), succ->ready);
				snprintf(plan->step, sizeof(plan->step),
					 "%s rollover: key %u published, ready at %s", name, succ->tag,
					 t1);
			} else {
				snprintf(plan->step, sizeof(plan->step),
					 "%s rollover: key %u ready, waiting for its DS at the parent "
					 "(signetc zone-ksk-submitted)",
					 name, succ->tag);
			}
			continue;
		}
		kasp_key_t *old = leaving_key(keys, n, kind, cur, now);
		if (old != NULL || cur->retire != 0) {
			/* the last steps of a rollover: a key on its way out */
			if (forced) {
				return SN_EINVAL;
			}
			if (plan->step[0] == '\0' && old != NULL) {
				fmt_time(t1, sizeof(t1), old->retire > now ? old->retire : old->remove);
				snprintf(plan->step, sizeof(plan->step), "%s rollover: key %u %s at %s",
					 name, old->tag, old->retire > now ? "retires" : "is removed", t1);
			}
			continue;
		}
		if (cur->algorithm != p->algorithm) {
			if (kind == KASP_ZSK) {
				continue; /* the KSK (or CSK) leads an algorithm rollover */
			}
			if (plan->make_key) {
				continue;
			}
			/* an algorithm rollover (RFC 6781 4.1.4, liberal): keys of
			 * the new algorithm publish and sign at once, the new KSK
			 * waits for its DS, then the old algorithm leaves */
			kasp_key_t *nk = &plan->new_key;
			memset(nk, 0, sizeof(*nk));
			nk->role = cur->role;
			nk->algorithm = p->algorithm;
			nk->created = nk->publish = nk->active = now;
			nk->ready = now + ipub(p);
			nk->ds_submitted = nk->ready;
			plan->make_key = true;
			snprintf(plan->step, sizeof(plan->step),
				 "algorithm rollover: %u -> %u started", cur->algorithm, p->algorithm);
			continue;
		}
		uint32_t life = kind == KASP_ZSK ? p->zsk_lifetime : p->ksk_lifetime;
		int64_t start = 0;
		if (forced) {
			start = now;
		} else if (life != 0 && !p->manual) {
			start = cur->active + (int64_t)life - ipub(p);
		}
		if (start == 0) {
			continue;
		}
		if (start > now || plan->make_key) {
			next_at(&next, start > now ? start : now + 1, now);
			continue;
		}
		kasp_key_t *nk = &plan->new_key;
		memset(nk, 0, sizeof(*nk));
		nk->role = cur->role;
		nk->algorithm = p->algorithm;
		nk->created = now;
		nk->publish = now;
		nk->ready = now + ipub(p);
		if (kind == KASP_ZSK) {
			/* pre-publication: the new key signs when the old one's
			 * lifetime ends, and Ipub after it was published at least */
			int64_t end = forced ? now : cur->active + (int64_t)life;
			nk->active = end > nk->ready ? end : nk->ready;
			cur->retire = nk->active;
			cur->remove = nk->active + iret(p);
			cur->changed = true;
			fmt_time(t1, sizeof(t1), nk->active);
			fmt_time(t2, sizeof(t2), cur->remove);
			snprintf(plan->step, sizeof(plan->step),
				 "ZSK rollover: new key published, active at %s; key %u removed at %s",
				 t1, cur->tag, t2);
		} else {
			fmt_time(t1, sizeof(t1), nk->ready);
			snprintf(plan->step, sizeof(plan->step),
				 "%s rollover: new key published, ready at %s, then waits for its DS",
				 name, t1);
		}
		plan->make_key = true;
	}
	for (size_t i = 0; i < n; i++) {
		const kasp_key_t *k = &keys[i];
		if (k->drop) {
			continue;
		}
		next_at(&next, k->publish, now);
		next_at(&next, k->ready, now);
		next_at(&next, k->active, now);
		next_at(&next, k->retire, now);
		next_at(&next, k->remove, now);
		if (k->remove != 0) {
			next_at(&next, k->remove + (int64_t)p->delete_delay, now);
		}
	}
	if (plan->make_key) {
		next_at(&next, plan->new_key.ready, now);
		next_at(&next, plan->new_key.active, now);
	}
	plan->next = next;
	return SN_OK;
}

int
kasp_ds_seen(kasp_key_t *keys, size_t n, const kasp_policy_t *p, int64_t now)
{
	kasp_key_t *waiting = NULL;
	for (size_t i = 0; i < n; i++) {
		kasp_key_t *k = &keys[i];
		k->changed = false;
		if (kasp_key_waits_ds(k, now) ||
		    (k->role != KASP_ZSK && kasp_key_publishes(k, now) && k->active == 0 &&
		     k->ds_seen == 0)) {
			waiting = k;
		}
	}
	if (waiting == NULL) {
		return SN_ENOTFOUND;
	}
	for (size_t i = 0; i < n; i++) {
		kasp_key_t *k = &keys[i];
		if (k != waiting && k->algorithm != waiting->algorithm && kasp_key_signs(k, now) &&
		    k->retire == 0) {
			/* an algorithm rollover: the old algorithm's keys sign
			 * until they leave, all at once, when no cache can need
			 * them (the signer wants every published algorithm to
			 * sign everything) */
			k->retire = k->remove = now + p->parent_delay + ipub(p) + iret(p);
			k->changed = true;
		} else if (k != waiting && of_kind(k, KASP_KSK) && kasp_key_signs(k, now) &&
			   k->retire == 0) {
			/* the parent's other servers may serve the old DS
			 * for parent-delay yet, and resolvers hold it for a
			 * while after: the old key signs beside the new one
			 * until then */
			k->retire = now + p->parent_delay + ipub(p);
			k->remove = k->retire + iret(p);
			k->changed = true;
		}
	}
	waiting->ds_seen = now;
	waiting->active = now;
	if (waiting->ready == 0 || waiting->ready > now) {
		waiting->ready = now;
	}
	waiting->changed = true;
	return SN_OK;
}
