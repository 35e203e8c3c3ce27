/* SPDX-License-Identifier: MIT
 * kasp.h - the key and signing policy's clock: when a zone's keys are made,
 * published, activated, retired and removed (RFC 6781 4.1, RFC 7583).
 *
 * Pure: the caller gives the keys' times and the policy, kasp_step moves
 * the times on and says what to do (make a key, drop a key) and when to
 * come back; it reads no clock, so a test drives it with any `now`. The
 * caller applies the plan to its key store and signs the zone with the
 * keys as the times say (kasp_key_publishes / kasp_key_signs / _cds).
 *
 * Rollovers:
 *  - ZSK by pre-publication (RFC 6781 4.1.1.1, RFC 7583 3.2): the successor
 *    is published Ipub = propagation-delay + DNSKEY TTL before the old key's
 *    lifetime ends, becomes active when the old one retires, and the old
 *    key leaves the zone Iret = propagation-delay + zone max TTL later,
 *    when no cached signature of it is left.
 *  - KSK and CSK by double signature with CDS/CDNSKEY (RFC 7583 3.3.2,
 *    RFC 7344): the successor is published, and once Ipub has passed it is
 *    "ready" and waits for its DS at the parent (CDS/CDNSKEY published for
 *    it). When the DS is seen (kasp_ds_seen: `signetc zone-ksk-submitted`,
 *    or a check of the parent), it becomes active; the old key keeps
 *    signing (the DNSKEY RRset, and for a CSK everything) for another
 *    parent-delay + Ipub, so that resolvers that got the old DS from any
 *    of the parent's servers still validate, then retires and is removed
 *    Iret later.
 *  - algorithm (RFC 6781 4.1.4, the liberal way): when the policy's
 *    algorithm differs from the active KSK's (CSK's), keys of the new
 *    algorithm are made, published and signing at once (every algorithm
 *    in the DNSKEY RRset signs every RRset, RFC 4035 2.2); the new KSK
 *    waits for its DS (marked by ds_submitted); once it is seen, the old
 *    algorithm's keys keep signing parent-delay + Ipub + Iret longer, then
 *    leave, DNSKEY
 *    and signatures in the same version.
 */
#pragma once

#include "zone/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum kasp_role {
	KASP_KSK = 1,
	KASP_ZSK = 2,
	KASP_CSK = 3,
} kasp_role_t;

/* One key's times, Unix seconds, 0 = not set (RFC 7583 3.1 names). */
typedef struct kasp_key {
	kasp_role_t role;
	uint8_t algorithm;
	uint16_t tag; /* for messages */
	int64_t created;
	int64_t publish;
	int64_t ready;
	int64_t active;
	int64_t retire;
	int64_t remove;
	int64_t ds_submitted; /* when its CDS was first published (waiting) */
	int64_t ds_seen;      /* when the parent's DS was confirmed */
	bool changed;         /* out: kasp_step or kasp_ds_seen changed a time */
	bool drop;            /* out: removed long enough: delete it */
} kasp_key_t;

typedef struct kasp_policy {
	uint8_t algorithm;
	bool single_type;  /* one CSK instead of KSK + ZSK */
	bool manual;       /* no automatic rollovers (forced ones still run) */
	uint32_t ksk_lifetime; /* seconds; 0: never rolled */
	uint32_t zsk_lifetime;
	uint32_t propagation_delay;
	uint32_t dnskey_ttl;
	uint32_t zone_max_ttl;
	uint32_t delete_delay; /* keep a removed key this long */
	uint32_t parent_delay; /* after the DS is seen, until every server of
				* the parent has it (the submission's
				* parent-delay) */
} kasp_policy_t;

/* kasp_step's `force`: start a rollover now. */
#define KASP_FORCE_ZSK 1u
#define KASP_FORCE_KSK 2u /* the KSK, or the CSK */

#define KASP_STEP_LEN 160

typedef struct kasp_plan {
	bool make_key;      /* make a key with new_key's role, algorithm and times */
	kasp_key_t new_key;
	int64_t next;       /* call kasp_step again then; 0: nothing planned */
	char step[KASP_STEP_LEN]; /* the rollover in progress, for zone-status;
				   * "" when none */
} kasp_plan_t;

/* Moves the keys `keys[0..n)` of one zone on to `now` under `p`: sets the
 * times of a rollover that starts or goes on (marking those keys
 * `changed`), marks keys removed for longer than delete-delay `drop`, and
 * fills *plan. At most one new key is asked for per call; the caller makes
 * it, stores it and calls again (until make_key is false) before signing.
 * Returns SN_OK; SN_EINVAL when `force` asks for a rollover of a role the
 * zone has no active key of, or one is in progress already. */
SN_MUSTCHECK int kasp_step(kasp_key_t *keys, size_t n, const kasp_policy_t *p, int64_t now,
			   unsigned force, kasp_plan_t *plan);

/* The DS of the KSK (or CSK) that waits for it has been seen at the parent
 * at `now`: that key becomes active and the old one retires after Ipub.
 * Returns SN_OK, or SN_ENOTFOUND when no key waits for its DS. */
SN_MUSTCHECK int kasp_ds_seen(kasp_key_t *keys, size_t n, const kasp_policy_t *p, int64_t now);

/* What the signer does with a key at `now`. */
bool kasp_key_publishes(const kasp_key_t *k, int64_t now); /* DNSKEY in the zone */
bool kasp_key_signs(const kasp_key_t *k, int64_t now);     /* makes RRSIGs */
/* CDS/CDNSKEY for it (RFC 7344): a KSK or CSK that is ready and waits for
 * its DS, or, when `always`, the active one too. */
bool kasp_key_cds(const kasp_key_t *k, int64_t now, bool always);
/* It waits for its DS at the parent (CDS/CDNSKEY are published for it). */
bool kasp_key_waits_ds(const kasp_key_t *k, int64_t now);
/* Its DS should be at the parent: published KSK/CSK not yet removed. */
bool kasp_key_wants_ds(const kasp_key_t *k, int64_t now);
/* "generated", "published", "ready", "active", "retired", "removed". */
const char *kasp_key_state(const kasp_key_t *k, int64_t now);
