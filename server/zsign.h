/* SPDX-License-Identifier: MIT
 * zsign.h - DNSSEC in the daemon: a zone's keys as the operator sees them.
 *
 * The key store (storage/keystore.h) holds each key's RFC 7583 times; this
 * turns them into the state an operator reads in `signetc key-list` and
 * picks the keys whose DS records go to the registry (`signetc zone-ds`).
 */
#pragma once

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
