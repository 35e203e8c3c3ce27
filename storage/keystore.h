/* SPDX-License-Identifier: MIT
 * keystore.h - the DNSSEC keys of each zone, with their RFC 7583 timing, in the LMDB store.
 *
 * The keys live in the `keys` named database of the store (store.h), keyed
 * by zone id + key id, so a zone's keys are contiguous and leave with it
 * (store_zone_remove). A key is written and read inside a store_txn_t like
 * everything else: a key event (a new key, a timing step, a DS seen at the
 * parent) commits in the same write transaction as the signed change it
 * causes, so a restart never finds a DNSKEY in the zone without its key or
 * a key whose state the zone does not reflect (DESIGN.md, decision 1).
 *
 * The store checks what it can without cryptography: the DNSKEY RDATA is
 * well formed and agrees with the algorithm, the flags and the key tag
 * given beside it (RFC 4034 2.1, appendix B), and the flags agree with the
 * role. The private key is opaque bytes (PKCS#8 PEM from sign/keypair.h);
 * the store files are 0600 in a 0700 folder (store_open), which is the
 * protection it gets at rest.
 *
 * Times are Unix seconds (int64); 0 means "not set" (RFC 7583 3.1 names:
 * a key is Generated, then Published, Ready, Active, Retired, Dead,
 * Removed).
 */
#pragma once

#include "storage/store.h"
#include "zone/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A key id: random octets, stable for the key's life; shown as hex. */
#define KEYSTORE_ID_LEN 20
#define KEYSTORE_ID_HEXLEN (2 * KEYSTORE_ID_LEN)
/* Largest private key accepted (a PEM RSA-4096 key is about 3.3 KiB). */
#define KEYSTORE_PRIVKEY_MAX 16384

/* DNSKEY flags (RFC 4034 2.1.1, RFC 5011 3). */
#define KEYSTORE_FLAG_ZONE 0x0100
#define KEYSTORE_FLAG_REVOKE 0x0080
#define KEYSTORE_FLAG_SEP 0x0001

typedef enum keystore_role {
	KEYSTORE_KSK = 1, /* signs the DNSKEY RRset; SEP flag set (257) */
	KEYSTORE_ZSK = 2, /* signs everything else; SEP clear (256) */
	KEYSTORE_CSK = 3, /* single-type signing: both; SEP set (257) */
} keystore_role_t;

typedef struct keystore_key {
	uint8_t id[KEYSTORE_ID_LEN];
	uint8_t algorithm; /* DNSSEC algorithm number (RFC 8624) */
	uint16_t flags;    /* DNSKEY flags: 256 or 257, maybe with REVOKE */
	keystore_role_t role;
	uint16_t key_tag;      /* RFC 4034 appendix B, of `dnskey` */
	const uint8_t *dnskey; /* DNSKEY RDATA, wire form */
	uint16_t dnskey_len;
	const uint8_t *privkey; /* PKCS#8 PEM; opaque to the store; may be empty */
	size_t privkey_len;
	/* RFC 7583 timing, Unix seconds, 0 = not set. */
	int64_t created;       /* generated */
	int64_t publish;       /* DNSKEY in the zone */
	int64_t ready;         /* published long enough to be in every cache */
	int64_t active;        /* signs */
	int64_t retire_active; /* a retiring KSK still signs until retire */
	int64_t retire;        /* stops signing */
	int64_t post_active;   /* retired: signatures it made may still be cached */
	int64_t revoke;        /* RFC 5011 7: published with the REVOKE bit */
	int64_t remove;        /* DNSKEY leaves the zone */
	/* KSK submission (RFC 7583 3.3.2): DS asked for at the parent, DS seen there. */
	int64_t ds_submitted;
	int64_t ds_seen;
} keystore_key_t;

/* Writes `k` (borrowed) under zone `apex`: a new key, or an update of the
 * key with the same id (every field replaced). Write transaction; writer
 * of this zone only. Returns SN_OK; SN_ENOTFOUND (no such zone);
 * SN_EINVAL (a bad apex, an unknown role, flags without the ZONE bit or
 * with bits other than SEP and REVOKE, the SEP bit not matching the role,
 * DNSKEY RDATA that is malformed or disagrees with algorithm, flags or
 * key_tag, a private key over KEYSTORE_PRIVKEY_MAX); SN_ENOMEM; SN_ENOSPC
 * (map grown: redo the change); SN_ESTORE. */
SN_MUSTCHECK int keystore_put(store_txn_t *txn, const uint8_t *apex, const keystore_key_t *k);

/* Reads the key `id` of zone `apex` into *out. Its dnskey and privkey point
 * into LMDB's pages: valid until the transaction ends or, in a write
 * transaction, until the next write. Any transaction. Returns SN_OK,
 * SN_ENOTFOUND (no such zone or key), SN_EINVAL, SN_ESTORE (corrupt). */
SN_MUSTCHECK int keystore_get(store_txn_t *txn, const uint8_t *apex,
                              const uint8_t id[KEYSTORE_ID_LEN], keystore_key_t *out);

/* Calls `cb(ctx, k)` for each key of zone `apex`, in key id order; `k` and
 * what it points to are valid during the call, which must not write to
 * the store. A result other than SN_OK from `cb` stops the walk and is
 * returned. Returns SN_OK (also for a zone without keys), SN_ENOTFOUND (no
 * such zone), SN_EINVAL, SN_ESTORE, or cb's result. */
SN_MUSTCHECK int keystore_list(store_txn_t *txn, const uint8_t *apex,
                               int (*cb)(void *ctx, const keystore_key_t *k), void *ctx);

/* Deletes the key `id` of zone `apex`. Write transaction. Returns SN_OK,
 * SN_ENOTFOUND (no such zone or key), SN_EINVAL, SN_ENOSPC, SN_ESTORE. */
SN_MUSTCHECK int keystore_delete(store_txn_t *txn, const uint8_t *apex,
                                 const uint8_t id[KEYSTORE_ID_LEN]);

/* Fills `id` with fresh random octets (getrandom). Returns SN_OK or SN_EIO.
 * Any thread. */
SN_MUSTCHECK int keystore_id_generate(uint8_t id[KEYSTORE_ID_LEN]);

/* Writes `id` as KEYSTORE_ID_HEXLEN lower-case hex digits and a NUL. */
void keystore_id_to_hex(const uint8_t id[KEYSTORE_ID_LEN], char out[KEYSTORE_ID_HEXLEN + 1]);

/* Parses KEYSTORE_ID_HEXLEN hex digits (either case, nothing else).
 * Returns SN_OK or SN_EPARSE. */
SN_MUSTCHECK int keystore_id_from_hex(const char *s, uint8_t id[KEYSTORE_ID_LEN]);

/* "ksk", "zsk", "csk", or "unknown". */
const char *keystore_role_name(keystore_role_t role);
