/* SPDX-License-Identifier: MIT
 * nsec.h - the names of a zone as NSEC and NSEC3 chains see them (RFC 4034 4, RFC 5155).
 *
 * nsec_zone_build walks a sorted record list once and lists the names that
 * authenticated denial covers, in canonical order: every authoritative
 * owner (the apex, ordinary names, delegation points), and for NSEC3 also
 * the empty non-terminals (RFC 5155 7.1). Names below a zone cut (glue and
 * other occluded data) are not authoritative and are left out (RFC 4035
 * 2.3: they get no NSEC; RFC 5155 7.1: no NSEC3). For NSEC3 the names are
 * then hashed (in ranges, so that several threads can share the work) and
 * put in hash order, which is the chain.
 *
 * The nodes point into the list: the list must stay alive and unmodified
 * while the nsec_zone_t is used. After nsec_zone_build and (for NSEC3)
 * nsec3_zone_order, a zone is read-only and the RDATA builders may be
 * called from any number of threads.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sign/nsec3hash.h"
#include "zone/dname.h"
#include "zone/err.h"
#include "zone/rrlist.h"

/* Longest type bitmap: 256 windows of 2 + 32 octets (RFC 4034 4.1.2). */
#define NSEC_BITMAP_MAXLEN (256 * 34)
/* Longest NSEC RDATA: next name and bitmap. */
#define NSEC_RDATA_MAXLEN (DNAME_MAXLEN + NSEC_BITMAP_MAXLEN)
/* Longest NSEC3 RDATA: alg, flags, iterations, salt, hash, bitmap. */
#define NSEC3_RDATA_MAXLEN (5 + NSEC3_MAX_SALT + 1 + NSEC3_HASH_LEN + NSEC_BITMAP_MAXLEN)
/* NSEC3 Opt-Out flag (RFC 5155 3.1.2.1). */
#define NSEC3_FLAG_OPTOUT 0x01

#define NSEC_NODE_APEX 0x01u	 /* the zone apex */
#define NSEC_NODE_CUT 0x02u	 /* NS below the apex: a delegation point */
#define NSEC_NODE_DS 0x04u	 /* a cut with a DS RRset: a secure delegation */
#define NSEC_NODE_ENT 0x08u	 /* empty non-terminal (NSEC3 zones only) */
#define NSEC_NODE_UNHASHED 0x10u /* NSEC3 Opt-Out leaves this name out */

/* One name. For an ENT, `owner` points into the owner of a name below it
 * and first == end. */
typedef struct nsec_node {
	const uint8_t *owner; /* wire form, case as in the list */
	size_t first;	      /* the records of this owner in the list: [first, end) */
	size_t end;
	uint32_t flags;		       /* NSEC_NODE_* */
	uint8_t hash[NSEC3_HASH_LEN]; /* NSEC3 owner hash, after nsec3_zone_hash */
} nsec_node_t;

/* NSEC3 parameters (RFC 5155 3, 4). Hash algorithm 1 is implied. */
typedef struct nsec3_param {
	uint16_t iterations; /* RFC 9276 3.1: 0 is what operators should use */
	uint8_t salt_len;
	uint8_t salt[NSEC3_MAX_SALT];
	bool opt_out;
} nsec3_param_t;

typedef struct nsec_zone {
	nsec_node_t *nodes; /* canonical order; nodes[0] is the apex */
	size_t count;
	/* The chain: indexes into `nodes`. NSEC: every node, in canonical
	 * order. NSEC3: the hashed nodes in hash order (after
	 * nsec3_zone_order; empty before). */
	uint32_t *chain;
	size_t chain_count;
	bool nsec3;
	nsec3_param_t n3;
	const uint8_t *apex; /* the list's owner of the apex */
	uint16_t rclass;
	uint32_t soa_ttl;
	/* TTL of NSEC and NSEC3 records: the lesser of the SOA MINIMUM field
	 * and the SOA TTL (RFC 9077 3, updating RFC 4034 4 and RFC 5155 3). */
	uint32_t ttl;
	/* Types the caller adds at the apex (DNSKEY, NSEC3PARAM, CDS...), put
	 * in the apex bitmap. */
	uint16_t apex_types[8];
	size_t apex_ntypes;
} nsec_zone_t;

/* Walks the sorted list `l` (rrlist_sort done) of the zone `apex` (wire
 * form) and fills `z` (caller's storage; release with nsec_zone_clear).
 * `n3` NULL means an NSEC zone; otherwise it is copied, and the nodes must
 * then be hashed (nsec3_zone_hash) and ordered (nsec3_zone_order).
 * `apex_types` (up to 8, may be NULL when `apex_ntypes` is 0) are the types
 * the caller will add at the apex. Borrows `l` (which must outlive `z`),
 * `apex` and `n3`. The list must hold unsigned data only.
 * Returns SN_OK; SN_EINVAL with a message in `err` (`errlen` octets, may be
 * 0) when the list is not sorted, has no SOA at the apex, holds a record
 * outside the zone or of another class, holds DNSSEC records (DNSKEY,
 * RRSIG, NSEC, NSEC3, NSEC3PARAM: the caller strips them), a DS at the apex
 * or at a name that is no delegation, or an SOA below the apex; SN_ERANGE
 * for NSEC3 with an apex too long to put a hash label on, or over 2^32-1
 * names; SN_ENOMEM. Not thread-safe. */
SN_MUSTCHECK int nsec_zone_build(nsec_zone_t *z, const rrlist_t *l, const uint8_t *apex,
				 const nsec3_param_t *n3, const uint16_t *apex_types,
				 size_t apex_ntypes, char *err, size_t errlen);

/* Computes the NSEC3 hashes of nodes [lo, hi) (clamped to the count) that
 * get an NSEC3. Threads may hash disjoint ranges at once.
 * Returns SN_OK, SN_ERANGE (iterations over NSEC3_MAX_ITERATIONS),
 * SN_ENOMEM. */
SN_MUSTCHECK int nsec3_zone_hash(nsec_zone_t *z, size_t lo, size_t hi);

/* Builds the NSEC3 chain: the hashed nodes sorted by hash. Returns SN_OK;
 * SN_ECHECK with a message when two names have the same hash (RFC 5155
 * 7.1: another salt is needed); SN_ENOMEM. Not thread-safe. */
SN_MUSTCHECK int nsec3_zone_order(nsec_zone_t *z, char *err, size_t errlen);

/* Writes the type bitmap of the RDATA of an NSEC or NSEC3 record (RFC 4034
 * 4.1.2) for the `n` types `types` (any order; duplicates are fine) to
 * `out` (`cap` octets; NSEC_BITMAP_MAXLEN always fits) and its length to
 * *out_len. Returns SN_OK, SN_ENOSPC, SN_ENOMEM (sorting more than a few
 * hundred types needs a heap copy). Any thread. */
SN_MUSTCHECK int nsec_bitmap(const uint16_t *types, size_t n, uint8_t *out, size_t cap,
			     size_t *out_len);

/* The NSEC RDATA of chain position `pos` (NSEC zone): the next name in the
 * chain (wrapping to the apex) and the bitmap: the types at the name, RRSIG
 * and NSEC; at a delegation only NS, DS if present, RRSIG and NSEC (RFC
 * 4035 2.3). Returns SN_OK, SN_EINVAL (not an NSEC zone or `pos` out of
 * range), SN_ENOSPC. Any thread, once built. */
SN_MUSTCHECK int nsec_rdata(const nsec_zone_t *z, const rrlist_t *l, size_t pos, uint8_t *out,
			    size_t cap, size_t *out_len);

/* The NSEC3 RDATA of chain position `pos` (NSEC3 zone, ordered): hash
 * algorithm 1, the Opt-Out flag when used, the iterations and salt, the
 * next hash in the chain (wrapping) and the bitmap of the original name:
 * its types plus RRSIG when anything there is signed; nothing for an ENT;
 * NS alone for an insecure delegation, NS DS RRSIG for a secure one (RFC
 * 5155 3.2, 7.1). Same returns as nsec_rdata. */
SN_MUSTCHECK int nsec3_rdata(const nsec_zone_t *z, const rrlist_t *l, size_t pos, uint8_t *out,
			     size_t cap, size_t *out_len);

/* The owner of the NSEC3 record of chain position `pos`: the base32hex
 * hash as one label on the apex. Writes *out_len only on success. Returns
 * SN_OK or SN_EINVAL. Any thread, once ordered. */
SN_MUSTCHECK int nsec3_owner(const nsec_zone_t *z, size_t pos, uint8_t out[DNAME_MAXLEN],
			     size_t *out_len);

/* The NSEC3PARAM RDATA for `n3` (RFC 5155 4.2: flags are 0 here; the
 * Opt-Out flag lives in the NSEC3 records only). Returns SN_OK or
 * SN_ENOSPC. Any thread. */
SN_MUSTCHECK int nsec3param_rdata(const nsec3_param_t *n3, uint8_t *out, size_t cap,
				  size_t *out_len);

/* Releases what nsec_zone_build allocated and zeroes `z`; a zeroed `z` is
 * fine. */
void nsec_zone_clear(nsec_zone_t *z);
