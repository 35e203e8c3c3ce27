/* SPDX-License-Identifier: MIT
 * test_kasp.c - the policy clock (sign/kasp.h) driven by a test clock:
 * whole rollovers stepped through in simulated time.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include "sign/kasp.h"
#include "tests/unit/suites.h"

#define T0 1800000000 /* a fixed "now" to start from */
#define MAXKEYS 16

static const kasp_policy_t zsk_policy = {
    .algorithm = 13,
    .zsk_lifetime = 30 * 86400,
    .propagation_delay = 3600,
    .dnskey_ttl = 3600,
    .zone_max_ttl = 86400,
};

struct zone {
	kasp_key_t k[MAXKEYS];
	size_t n;
	uint16_t next_tag;
};

static void
add_key(struct zone *z, kasp_role_t role, int64_t t)
{
	kasp_key_t *k = &z->k[z->n++];
	memset(k, 0, sizeof(*k));
	k->role = role;
	k->algorithm = 13;
	k->tag = ++z->next_tag;
	k->created = k->publish = k->ready = k->active = t;
}

/* Runs the clock at `now`, making keys as the plan asks and dropping the
 * dropped: what signetd does with the store. */
static kasp_plan_t
step(struct zone *z, const kasp_policy_t *p, int64_t now, unsigned force)
{
	kasp_plan_t plan;
	for (int round = 0; round < 4; round++) {
		CU_ASSERT_EQUAL_FATAL(kasp_step(z->k, z->n, p, now, round == 0 ? force : 0, &plan),
				      SN_OK);
		size_t w = 0;
		for (size_t i = 0; i < z->n; i++) {
			if (!z->k[i].drop) {
				z->k[w++] = z->k[i];
			}
		}
		z->n = w;
		if (!plan.make_key) {
			break;
		}
		CU_ASSERT_FATAL(z->n < MAXKEYS);
		z->k[z->n] = plan.new_key;
		z->k[z->n].tag = ++z->next_tag;
		z->n++;
	}
	return plan;
}

static size_t
count(const struct zone *z, int64_t now, bool (*pred)(const kasp_key_t *, int64_t), kasp_role_t role)
{
	size_t c = 0;
	for (size_t i = 0; i < z->n; i++) {
		c += z->k[i].role == role && pred(&z->k[i], now);
	}
	return c;
}

/* At every second of a ZSK's life and its successor's, exactly one ZSK
 * signs, and a ZSK signs only after it was published for Ipub. */
static void
test_kasp_zsk_prepublication(void)
{
	struct zone z = {0};
	add_key(&z, KASP_KSK, T0);
	add_key(&z, KASP_ZSK, T0);
	int64_t ipub = 7200, life = 30 * 86400;
	int64_t now = T0, end = T0 + 3 * life;
	unsigned rollovers = 0;
	uint16_t signer = 2;
	while (now < end) {
		kasp_plan_t plan = step(&z, &zsk_policy, now, 0);
		CU_ASSERT_EQUAL(count(&z, now, kasp_key_signs, KASP_ZSK), 1);
		CU_ASSERT_EQUAL(count(&z, now, kasp_key_signs, KASP_KSK), 1);
		CU_ASSERT(count(&z, now, kasp_key_publishes, KASP_ZSK) <= 2);
		for (size_t i = 0; i < z.n; i++) {
			const kasp_key_t *k = &z.k[i];
			if (k->role == KASP_ZSK && kasp_key_signs(k, now)) {
				CU_ASSERT(k->tag == 2 || now - k->publish >= ipub);
				if (k->tag != signer) {
					rollovers++;
					signer = k->tag;
					/* the switch happens at the end of a lifetime */
					CU_ASSERT_EQUAL((now - T0) % life, 0);
				}
			}
		}
		CU_ASSERT_FATAL(plan.next > now || plan.next == 0);
		/* the test clock jumps to the next event (or an hour on) */
		now = plan.next != 0 && plan.next < now + 3600 ? plan.next : now + 3600;
	}
	CU_ASSERT_EQUAL(rollovers, 2);
	CU_ASSERT(z.n <= 4); /* removed keys are dropped, not kept forever */
}

static void
test_kasp_manual_and_forced(void)
{
	kasp_policy_t p = zsk_policy;
	p.manual = true;
	struct zone z = {0};
	add_key(&z, KASP_KSK, T0);
	add_key(&z, KASP_ZSK, T0);
	kasp_plan_t plan = step(&z, &p, T0 + 365 * 86400, 0);
	CU_ASSERT_EQUAL(z.n, 2); /* manual: no rollover however old */
	CU_ASSERT_STRING_EQUAL(plan.step, "");
	plan = step(&z, &p, T0 + 365 * 86400, KASP_FORCE_ZSK);
	CU_ASSERT_EQUAL(z.n, 3);
	CU_ASSERT(strstr(plan.step, "ZSK rollover") != NULL);
	kasp_plan_t again;
	CU_ASSERT_EQUAL(kasp_step(z.k, z.n, &p, T0 + 365 * 86400, KASP_FORCE_ZSK, &again), SN_EINVAL);
	CU_ASSERT_EQUAL(kasp_ds_seen(z.k, z.n, &p, T0), SN_ENOTFOUND);
}

/* KSK: published, ready after Ipub with CDS, waits as long as the DS is not
 * seen, then both sign the DNSKEY RRset for Ipub, then the old one goes. */
static void
test_kasp_ksk_double_signature(void)
{
	kasp_policy_t p = zsk_policy;
	p.zsk_lifetime = 0;
	struct zone z = {0};
	add_key(&z, KASP_KSK, T0);
	add_key(&z, KASP_ZSK, T0);
	int64_t now = T0 + 100;
	kasp_plan_t plan = step(&z, &p, now, KASP_FORCE_KSK);
	CU_ASSERT_EQUAL(z.n, 3);
	kasp_key_t *nk = &z.k[2];
	CU_ASSERT(kasp_key_publishes(nk, now) && !kasp_key_signs(nk, now));
	CU_ASSERT(!kasp_key_cds(nk, now, false));
	CU_ASSERT_EQUAL(plan.next, now + 7200);
	now = plan.next;
	plan = step(&z, &p, now, 0);
	nk = &z.k[2];
	CU_ASSERT(kasp_key_cds(nk, now, false));
	CU_ASSERT(strstr(plan.step, "waiting for its DS") != NULL);
	/* a week later it still waits: no DS, no switch */
	now += 7 * 86400;
	plan = step(&z, &p, now, 0);
	CU_ASSERT_EQUAL(count(&z, now, kasp_key_signs, KASP_KSK), 1);
	CU_ASSERT_EQUAL(kasp_ds_seen(z.k, z.n, &p, now), SN_OK);
	CU_ASSERT_EQUAL(count(&z, now, kasp_key_signs, KASP_KSK), 2);
	CU_ASSERT(!kasp_key_cds(&z.k[2], now, false));
	plan = step(&z, &p, now, 0);
	CU_ASSERT(strstr(plan.step, "retires") != NULL);
	now += 7200;
	step(&z, &p, now, 0);
	CU_ASSERT_EQUAL(count(&z, now, kasp_key_signs, KASP_KSK), 1);
	CU_ASSERT_EQUAL(count(&z, now, kasp_key_publishes, KASP_KSK), 1 + 1);
	now += 3600 + 86400;
	step(&z, &p, now, 0);
	CU_ASSERT_EQUAL(count(&z, now, kasp_key_publishes, KASP_KSK), 1);
	CU_ASSERT_EQUAL(z.n, 2); /* delete-delay 0: the old key is gone */
	CU_ASSERT_EQUAL(z.k[1].tag, 3);
}

/* parent-delay: the parent's other servers may serve the old DS that much
 * longer, so the old KSK signs beside the new one parent-delay + Ipub after
 * the DS is seen; the old algorithm's keys the same in an algorithm roll. */
static void
test_kasp_parent_delay(void)
{
	kasp_policy_t p = zsk_policy;
	p.zsk_lifetime = 0;
	p.parent_delay = 5000;
	struct zone z = {0};
	add_key(&z, KASP_KSK, T0);
	add_key(&z, KASP_ZSK, T0);
	int64_t now = T0 + 100;
	kasp_plan_t plan = step(&z, &p, now, KASP_FORCE_KSK);
	now = plan.next;
	step(&z, &p, now, 0);
	CU_ASSERT_EQUAL_FATAL(kasp_ds_seen(z.k, z.n, &p, now), SN_OK);
	CU_ASSERT_EQUAL(z.k[0].retire, now + 5000 + 7200);
	step(&z, &p, now + 7200, 0);
	CU_ASSERT_EQUAL(count(&z, now + 7200, kasp_key_signs, KASP_KSK), 2);
	step(&z, &p, now + 5000 + 7200, 0);
	CU_ASSERT_EQUAL(count(&z, now + 5000 + 7200, kasp_key_signs, KASP_KSK), 1);

	/* algorithm rollover 8 -> 13 */
	struct zone a = {0};
	add_key(&a, KASP_KSK, T0);
	add_key(&a, KASP_ZSK, T0);
	a.k[0].algorithm = a.k[1].algorithm = 8;
	p.algorithm = 13;
	now = T0 + 100;
	for (int i = 0; i < 10; i++) {
		plan = step(&a, &p, now, 0);
		now = plan.next != 0 ? plan.next : now + 86400;
	}
	CU_ASSERT_EQUAL_FATAL(kasp_ds_seen(a.k, a.n, &p, now), SN_OK);
	for (size_t i = 0; i < a.n; i++) {
		if (a.k[i].algorithm == 8) {
			/* Ipub 7200, Iret = propagation 3600 + max TTL 86400 */
			CU_ASSERT_EQUAL(a.k[i].retire, now + 5000 + 7200 + 3600 + 86400);
		}
	}
}

/* Every algorithm in the DNSKEY RRset has a signing KSK and ZSK (RFC 4035
 * 2.2, what the signer asks for), at every moment. */
static void
check_algorithms(const struct zone *z, int64_t now)
{
	for (size_t i = 0; i < z->n; i++) {
		if (!kasp_key_publishes(&z->k[i], now)) {
			continue;
		}
		bool ksk = false, zsk = false;
		for (size_t j = 0; j < z->n; j++) {
			const kasp_key_t *k = &z->k[j];
			if (k->algorithm == z->k[i].algorithm && kasp_key_signs(k, now)) {
				ksk = ksk || k->role != KASP_ZSK;
				zsk = zsk || k->role != KASP_KSK;
			}
		}
		CU_ASSERT(ksk && zsk);
	}
}

static void
test_kasp_algorithm_rollover(void)
{
	kasp_policy_t p = zsk_policy;
	p.zsk_lifetime = 0;
	p.algorithm = 13;
	struct zone z = {0};
	add_key(&z, KASP_KSK, T0);
	add_key(&z, KASP_ZSK, T0);
	z.k[0].algorithm = z.k[1].algorithm = 8;
	int64_t now = T0 + 100;
	kasp_plan_t plan = step(&z, &p, now, 0);
	CU_ASSERT_EQUAL(z.n, 4); /* a KSK and a ZSK of algorithm 13 */
	check_algorithms(&z, now);
	CU_ASSERT(strstr(plan.step, "algorithm rollover") != NULL);
	/* ready after Ipub, then it waits, however long, with CDS */
	for (int i = 0; i < 10; i++) {
		now = plan.next != 0 ? plan.next : now + 86400;
		plan = step(&z, &p, now, 0);
		check_algorithms(&z, now);
	}
	CU_ASSERT(strstr(plan.step, "waiting for its DS") != NULL);
	size_t cds = 0;
	for (size_t i = 0; i < z.n; i++) {
		cds += kasp_key_cds(&z.k[i], now, false);
		CU_ASSERT(!kasp_key_cds(&z.k[i], now, false) || z.k[i].algorithm == 13);
	}
	CU_ASSERT_EQUAL(cds, 1);
	CU_ASSERT_EQUAL(kasp_ds_seen(z.k, z.n, &p, now), SN_OK);
	/* the old algorithm goes, all at once, and nothing else happens */
	int64_t end = now + 7 * 86400;
	while (now < end) {
		plan = step(&z, &p, now, 0);
		check_algorithms(&z, now);
		now = plan.next != 0 ? plan.next : end;
	}
	step(&z, &p, now, 0);
	CU_ASSERT_EQUAL(z.n, 2);
	for (size_t i = 0; i < z.n; i++) {
		CU_ASSERT_EQUAL(z.k[i].algorithm, 13);
		CU_ASSERT(kasp_key_signs(&z.k[i], now));
	}
}

int
test_kasp_register(void)
{
	CU_pSuite s = CU_add_suite("kasp", NULL, NULL);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_kasp_zsk_prepublication", test_kasp_zsk_prepublication);
	CU_add_test(s, "test_kasp_manual_and_forced", test_kasp_manual_and_forced);
	CU_add_test(s, "test_kasp_ksk_double_signature", test_kasp_ksk_double_signature);
	CU_add_test(s, "test_kasp_algorithm_rollover", test_kasp_algorithm_rollover);
	CU_add_test(s, "test_kasp_parent_delay", test_kasp_parent_delay);
	return CU_get_error();
}
