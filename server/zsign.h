/* SPDX-License-Identifier: MIT
 * zsign.h - DNSSEC in the daemon: a zone's keys as the operator sees them.
 *
 * The key store (storage/keystore.h) holds each key's RFC 7583 times; this
 * turns them into the state an operator reads in `signetc key-list` and
 * picks the keys whose DS records go to the registry (`signetc zone-ds`).
 */
#pragma once

#include "sign/kasp.h"
#include "sign/keypair.h"
#include "storage/keystore.h"
#include <stdbool.h>
#include <stdint.h>

/* The key's state at `now` (RFC 7583 3.1): "generated", "published",
 * "ready", "active", "retired" (signatures may still be cached), "revoked",
 * or "removed". */
const char *zsign_key_state(const keystore_key_t *k, int64_t now);

/* Whether the parent should have a DS for `k` at `now`: a KSK or CSK that
 * is published and not yet removed from the zone. During a KSK rollover
 * both keys qualify (RFC 6781 4.1.2, double-DS). */
bool zsign_key_wants_ds(const keystore_key_t *k, int64_t now);

#include "conf/conf.h"
#include "storage/store.h"
#include "zone/rrlist.h"
#include "zone/snap.h"

#define ZSIGN_ERRLEN 256

/* What a signing did, for the log and zone-status. */
typedef struct zsign_info {
	unsigned keys_made;  /* keys generated because the zone had none */
	size_t signatures;   /* RRSIGs made */
	size_t records;      /* signed records stored (DNSKEY, NSEC3..., RRSIG) */
	uint32_t expiration; /* the earliest expiration of a signature made */
	double seconds;      /* signer wall time */
} zsign_info_t;

/* True for the types a signing zone makes itself, which its unsigned input
 * must not hold (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY; CDS and CDNSKEY
 * too when `cds_managed`). */
bool zsign_is_signer_type(uint16_t type, bool cds_managed);

/* Signs zone `apex` whose unsigned records, as stored in `txn` (a write
 * transaction), are `unsigned_sorted`, by `pol`, at time `now`: takes its
 * keys from the key store, making them by the policy when the zone has no
 * keys and no signed records yet (a zone that was signed and lost its keys
 * is an error: new keys would break the chain of trust), signs everything
 * and replaces the zone's signed records with the result, in `txn`.
 * On SN_OK *signed_out (may be NULL) is the new signed list (caller frees)
 * and *info is filled. Returns SN_OK; SN_ENOTFOUND (keys missing);
 * SN_EINVAL (policy or keys that cannot sign); the store's and signer's
 * errors. A message goes to `err`. The zone's writer. */
SN_MUSTCHECK int zsign_zone(store_txn_t *txn, const uint8_t *apex, const conf_policy_t *pol,
			    const rrlist_t *unsigned_sorted, int64_t now, rrlist_t **signed_out,
			    zsign_info_t *info, char err[ZSIGN_ERRLEN]);


/* Adds the key pair `kp` (with its private half) to zone `apex` in the key
 * store as `role`, published and active from `now`: an imported key of a
 * zone signed elsewhere (a migration from BIND or Knot without going
 * insecure), or one made by hand. Writes its tag to *tag (may be NULL).
 * Returns SN_OK; SN_EEXIST (the zone has that key); SN_EINVAL (the SEP flag
 * does not fit the role); the key store's errors. Message in `err`. */
SN_MUSTCHECK int zsign_key_add(store_txn_t *txn, const uint8_t *apex, const keypair_t *kp,
			       keystore_role_t role, int64_t now, uint16_t *tag,
			       char err[ZSIGN_ERRLEN]);

/* The key's times as sign/kasp.h takes them. */
void zsign_key_to_kasp(const keystore_key_t *k, kasp_key_t *out);

/* The policy's clock settings for a zone whose SOA TTL and largest TTL
 * are given (for the policy values the daemon works out). */
void zsign_kasp_policy(const conf_policy_t *pol, uint32_t soa_ttl, uint32_t max_ttl,
		       kasp_policy_t *out);

/* Runs the policy's clock (kasp_step) over the zone's stored keys at `now`,
 * `force` as kasp_step takes it. With `write`, applies the plan in `txn`:
 * makes and stores the keys it asks for (with the plan's times), stores
 * changed times, deletes dropped keys, and sets *changed when any of that
 * happened (the zone must then be signed again). Without `write`, only
 * fills *plan (next event, rollover step). Returns SN_OK; SN_EINVAL for a
 * rollover that cannot be forced now (message in `err`); store and key
 * errors. */
SN_MUSTCHECK int zsign_keys_step(store_txn_t *txn, const uint8_t *apex, const conf_policy_t *pol,
				 const kasp_policy_t *kp, int64_t now, unsigned force, bool write,
				 kasp_plan_t *plan, bool *changed, char err[ZSIGN_ERRLEN]);

/* The parent serves the DS of the KSK (CSK) waiting for it: kasp_ds_seen
 * on the stored keys, in `txn`; *tag (may be NULL) gets the key's tag.
 * Returns SN_OK, SN_ENOTFOUND (no key waits), store errors. */
SN_MUSTCHECK int zsign_ds_seen(store_txn_t *txn, const uint8_t *apex, const kasp_policy_t *kp,
			       int64_t now, uint16_t *tag);

/* Signs the unsigned change `d` (against the stored SOA) of a signed zone
 * whose served snapshot is `cur`, incrementally (signer_sign_incremental:
 * only the changed RRsets and the chain around them), and applies both the
 * change and its signed part in `txn` with store_zone_apply_signed and
 * `new_serial`; RRSIGs expiring before `refresh_before` (0: none) are made
 * again too (the refresh timer: an empty change). On SN_OK *srm and *sadd are the signed records removed and
 * added (caller frees), for the snapshot edit. Returns SN_ENOTSUP when the
 * signer cannot do it incrementally (nothing written: sign the whole zone
 * instead), or the signer's and the store's errors (message in `err`). */
SN_MUSTCHECK int zsign_apply_change(store_txn_t *txn, const uint8_t *apex, const conf_policy_t *pol,
				    const snap_t *cur, const zdiff_t *d, uint32_t new_serial,
				    int64_t now, uint32_t refresh_before, rrlist_t **srm,
				    rrlist_t **sadd, zsign_info_t *info, char err[ZSIGN_ERRLEN]);

/* The KSK (CSK) that waits for its DS at the parent, if any: copies its
 * DNSKEY RDATA to `dnskey` (`cap` octets) with its length in *len, its tag
 * in *tag and when it became ready in *ready. Returns SN_OK, SN_ENOTFOUND
 * (no key waits), store errors. Any transaction. */
SN_MUSTCHECK int zsign_waiting_key(store_txn_t *txn, const uint8_t *apex, int64_t now,
				   uint8_t *dnskey, size_t cap, size_t *len, uint16_t *tag,
				   int64_t *ready);
