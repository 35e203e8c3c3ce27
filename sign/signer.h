/* SPDX-License-Identifier: MIT
 * signer.h - full and incremental zone signing: DNSKEY, NSEC/NSEC3 chain and every RRSIG.
 *
 * The signer works on record sets and never touches storage (DESIGN.md
 * decision 4): it reads the unsigned records of one zone as a sorted
 * rrlist and returns only what DNSSEC adds (DNSKEY, CDS/CDNSKEY when asked,
 * NSEC3PARAM, NSEC or NSEC3, and all RRSIGs) as a second sorted rrlist.
 * The caller stores both; the union is the signed zone.
 *
 * What is signed (RFC 4035 2.2): every authoritative RRset, by the ZSKs;
 * the DNSKEY, CDS and CDNSKEY RRsets by the KSKs (RFC 7344 4.1 asks CDS
 * and CDNSKEY to be signed by a key the parent's DS points at). At a
 * delegation only the DS RRset (and the NSEC there) is signed; the NS
 * RRset and the glue below the cut are not. A CSK is a key with both ksk
 * and zsk set.
 *
 * The work is split over threads by ranges of names in canonical order
 * (and of the NSEC3 chain in hash order); each thread has its own buffers,
 * so no lock is taken and nothing is allocated per signature. Output is
 * identical whatever the thread count, except for the signature octets of
 * algorithms that are randomised (ECDSA).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sign/keypair.h"
#include "zone/err.h"
#include "zone/rrlist.h"
#include "zone/snap.h"

/* One key of the zone and what it does now. A key may be published but not
 * yet signing (pre-publication, RFC 6781 4.1.1) or signing... never
 * signing while unpublished: that is refused. */
typedef struct signer_key {
	const keypair_t *key; /* borrowed; needs the private key when `sign` */
	bool ksk;	      /* signs DNSKEY, CDS, CDNSKEY */
	bool zsk;	      /* signs everything else */
	bool publish;	      /* in the DNSKEY RRset */
	bool sign;	      /* makes signatures now */
	bool cds;	      /* published as CDS and CDNSKEY when signer_params_t.cds */
} signer_key_t;

typedef struct signer_params {
	bool nsec3; /* NSEC3 (RFC 5155) instead of NSEC */
	uint16_t iterations; /* RFC 9276 3.1: use 0 */
	uint8_t salt_len;    /* RFC 9276 3.1: use none */
	uint8_t salt[255];
	bool opt_out; /* NSEC3 Opt-Out (RFC 5155 6): no NSEC3 for insecure delegations */
	/* Signature validity, absolute times in seconds since the epoch (mod
	 * 2^32, RFC 4034 3.1.5); expiration must come after inception. */
	uint32_t inception;
	uint32_t expiration;
	/* Up to this many seconds are taken off each RRset's expiration so
	 * that re-signing spreads out; the amount is a hash of owner and type,
	 * so reruns agree. Must be less than expiration - inception. */
	uint32_t jitter;
	uint32_t dnskey_ttl; /* TTL of DNSKEY, CDS, CDNSKEY; 0 = the SOA TTL */
	unsigned threads;    /* 0 = number of online CPUs */
	/* RFC 7344: publish CDS (digest `cds_digest`, 0 = SHA-256) and CDNSKEY
	 * for the keys marked `cds`; at least one must be. With `cds_delete`
	 * instead, publish the RFC 8078 4 delete form (CDS 0 0 0 00, CDNSKEY
	 * 0 3 0 AA==). The input must then hold no CDS or CDNSKEY of its
	 * own; without either flag, any CDS/CDNSKEY in the input is signed as
	 * it is, by the KSKs. */
	bool cds;
	bool cds_delete;
	uint8_t cds_digest;
} signer_params_t;

/* What a run did, and where the time went (seconds of wall time). */
typedef struct signer_stats {
	size_t signatures; /* RRSIGs made */
	size_t rrsets;	   /* RRsets signed (each by one or more keys) */
	size_t denial;	   /* NSEC or NSEC3 records made */
	unsigned threads;  /* threads used */
	double t_chain;	   /* names, hashes and chain order */
	double t_sign;	   /* denial records and signatures (parallel) */
	double t_merge;	   /* building and sorting the output list */
} signer_stats_t;

/* Signs the zone `apex` (wire form) whose unsigned records are
 * `unsigned_sorted` (after rrlist_sort; not modified, read from several
 * threads). The input holds no DNSKEY, RRSIG, NSEC, NSEC3 or NSEC3PARAM
 * (the caller strips them) and is otherwise what the zone serves; the TTLs
 * of each RRset must agree (the first RR's TTL is signed).
 * `keys[0..nkeys)` are borrowed. The KSK and ZSK roles must each have a
 * signing key, and every algorithm of a published key must have a signing
 * KSK and ZSK (RFC 4035 2.2, RFC 6840 5.11).
 * On SN_OK, *signed_out is a new sorted list (free with rrlist_free) of the
 * added records only. On failure a message goes to `err` (`errlen` octets;
 * may be 0) and *signed_out is untouched.
 * Returns SN_OK; SN_EINVAL for input or parameters that cannot be signed
 * (see nsec_zone_build for the input checks; also bad key roles, a signing
 * key without its private half, jitter over the validity); SN_ECHECK for
 * an NSEC3 hash collision; SN_ERANGE; SN_ENOMEM; SN_EIO when threads
 * cannot be started. Any thread; starts and joins its own threads. */
SN_MUSTCHECK int signer_sign_full(const rrlist_t *unsigned_sorted, const uint8_t *apex,
				  const signer_key_t *keys, size_t nkeys, const signer_params_t *p,
				  rrlist_t **signed_out, char *err, size_t errlen);

/* signer_sign_full that also fills *stats (may be NULL) on SN_OK. */
SN_MUSTCHECK int signer_sign_full_stats(const rrlist_t *unsigned_sorted, const uint8_t *apex,
					const signer_key_t *keys, size_t nkeys,
					const signer_params_t *p, rrlist_t **signed_out,
					signer_stats_t *stats, char *err, size_t errlen);

/* The expiration signer_sign_full gives the RRSIGs of (owner, type): the
 * configured expiration minus the deterministic jitter. Any thread. */
uint32_t signer_expiration(const signer_params_t *p, const uint8_t *owner, uint16_t type);

/*
 * Incremental signing (DESIGN.md decision 4): the change a zone's writer
 * applies after an UPDATE, a reload or a re-signing timer, signed.
 */

/* Given `cur`, the zone's current signed snapshot (its unsigned records,
 * DNSKEY/CDS/CDNSKEY, NSEC3PARAM, NSEC or NSEC3 chain and RRSIGs, as
 * served), and an unsigned change `removed`/`added` (sorted lists, as
 * zdiff_removed/zdiff_added of storage/zdiff.h give them: no DNSKEY, RRSIG,
 * NSEC, NSEC3 or NSEC3PARAM; the old and the new SOA among them when the
 * serial changes), makes the signed change: *rm_out, the DNSSEC records to
 * remove from `cur`, and *add_out, those to add, so that `cur` with both
 * changes applied is what signer_sign_full would make of the new unsigned
 * records, except that the signatures of RRsets that did not change are
 * kept. That is:
 *  - every RRset that changed loses its old RRSIGs and gets new ones (one
 *    that disappears just loses them), the new SOA included;
 *  - RRSIGs in `cur` expiring before `refresh_before` are made again (0:
 *    none), so the re-signing timer is the same call with an empty change;
 *  - NSEC: the NSEC of each name that appears or disappears, of its
 *    predecessor, and of each name whose set of types changed;
 *  - NSEC3: the NSEC3 of each hashed name (ENTs included, RFC 5155 7.1)
 *    that appears or disappears, of its predecessor in hash order, and of
 *    each name whose bitmap changed; with Opt-Out, delegations that turn
 *    secure or insecure (a DS added or removed) gain or lose theirs;
 *  - a delegation added occludes what lies below it (its RRSIGs and
 *    NSEC/NSEC3 go), a delegation removed uncovers it (they are made).
 * `keys` and `p` must be those `cur` was signed with (inception and
 * expiration may move on); a change of keys, algorithm or NSEC3 parameters
 * is a full signing. Borrows everything; `cur` must stay alive during the
 * call. On SN_OK both lists are new and sorted (free with rrlist_free);
 * on failure neither is written and `err` says why.
 * Returns SN_OK; SN_EINVAL for a change that does not apply to `cur`
 * (removing a record it does not hold; adding one it holds is found by
 * snap_edit), DNSSEC types in the change, or a `cur` not signed with
 * these parameters; SN_ECHECK for an NSEC3 hash collision; SN_ENOMEM;
 * SN_ENOTSUP, with the caller falling back to signer_sign_full, when the
 * SOA TTL or MINIMUM changes (every NSEC/NSEC3 TTL, RFC 9077 3, and, with
 * dnskey_ttl 0, the DNSKEY TTL change).
 * Cost: about the changed RRsets' signatures plus a few lookups per
 * touched name; a delegation added or removed costs its subtree; a
 * `refresh_before` one walk of the zone plus what it re-signs. In an
 * NSEC3 zone a hashed name that leaves the chain costs one predecessor
 * lookup (snap_nsec3_prev).
 * Writer of this zone only; writers of other zones may call it at once. */
SN_MUSTCHECK int signer_sign_incremental(const snap_t *cur, const rrlist_t *removed,
					 const rrlist_t *added, const signer_key_t *keys,
					 size_t nkeys, const signer_params_t *p,
					 uint32_t refresh_before, rrlist_t **rm_out,
					 rrlist_t **add_out, char *err, size_t errlen);
