/* SPDX-License-Identifier: MIT
 * rrsig.h - RRSIG signed data (RFC 4034 3.1.8.1) and signature verification.
 *
 * Pure functions (bytes in, bytes out, no global state); any thread. RRSIG
 * RDATA is type covered(2) algorithm(1) labels(1) original TTL(4)
 * expiration(4) inception(4) key tag(2) signer's name, signature (RFC 4034
 * 3.1). Validity times are not checked here: that needs a clock, and the
 * caller owns it.
 */
#pragma once

#include "sign/keypair.h"
#include "zone/err.h"
#include <stddef.h>
#include <stdint.h>

/* The DNSSEC_ALG_* algorithm numbers are in sign/keypair.h. */

/* Offset of the signer's name in RRSIG RDATA. */
#define RRSIG_FIXEDLEN 18

/* One RRset to sign or verify: every RR shares owner, type and class. The
 * RDATAs are uncompressed wire form and need not be sorted, lower-cased or
 * free of duplicates: that is done here (RFC 4034 6.2, 6.3). */
typedef struct rrsig_rrset {
	const uint8_t *owner; /* wire form; case does not matter */
	uint16_t type;
	uint16_t rclass;
	size_t count;
	const uint8_t *const *rdata;
	const uint16_t *rdlen;
} rrsig_rrset_t;

/* Writes the data the signature of `rrsig` (`rlen` octets of RRSIG RDATA)
 * covers for `set` (RFC 4034 3.1.8.1): the RRSIG RDATA up to and including
 * the canonical signer's name, then each RR in canonical form and order
 * with the RRSIG's original TTL; the owner of a wildcard expansion is
 * rebuilt from the labels field (RFC 4035 5.3.2). Writes *out_len only on
 * success. Returns SN_OK; SN_EPARSE for malformed RRSIG RDATA, owner or
 * RDATA, or a labels field over the owner's label count; SN_EINVAL if the
 * type covered is not `set->type`; SN_ENOSPC if `cap` is too small;
 * SN_ENOMEM. */
SN_MUSTCHECK int rrsig_signed_data(const uint8_t *rrsig, size_t rlen, const rrsig_rrset_t *set,
                                   uint8_t *out, size_t cap, size_t *out_len);

/* Verifies the signature in `rrsig` over `set` with the DNSKEY RDATA
 * `key` (`klen` octets). The key must be a zone key of protocol 3 and of
 * the RRSIG's algorithm (else SN_ECHECK); the key tag is not compared (the
 * caller picked the key by it). Returns SN_OK
 * if the signature is good; SN_ECHECK if it is not; SN_ENOTSUP for an
 * algorithm not handled (8, 10, 13, 14, 15 and 16 are); SN_EPARSE for malformed
 * input (including a public key or signature of the wrong length);
 * SN_ENOMEM. */
SN_MUSTCHECK int rrsig_verify(const uint8_t *rrsig, size_t rlen, const uint8_t *key, size_t klen,
                              const rrsig_rrset_t *set);

/* An upper bound of the scratch rrsig_sign needs for `set`: the signed data
 * with every owner at its longest, plus a canonical copy of each RDATA and
 * room to sort them. Any thread. */
size_t rrsig_sign_scratch_len(const rrsig_rrset_t *set);

/* RRSIG RDATA with a signature of `key` over a set with this signer fits in
 * RRSIG_FIXEDLEN + DNAME_MAXLEN + keypair_sig_maxlen(key) octets. */
#define RRSIG_RDATA_MAXLEN (RRSIG_FIXEDLEN + 255 + KEYPAIR_SIG_MAXLEN)

/* Builds the whole RRSIG RDATA for `set` signed by `key` with signer name
 * `signer` (the zone apex, written lower-case, RFC 6840 5.1): type covered,
 * algorithm, labels (owner label count, minus one for a wildcard owner,
 * RFC 4034 3.1.3), original TTL `ttl`, expiration, inception, key tag,
 * signer, signature. `scratch` (scratch_cap octets, rrsig_sign_scratch_len
 * is always enough) holds the signed data so the hot path does not
 * allocate; SN_ENOSPC if it or `out` (`cap` octets; RRSIG_RDATA_MAXLEN is
 * always enough) is too small. Writes *out_len only on success.
 * Borrows everything. Any thread, concurrently on one key.
 * Returns SN_OK; SN_EINVAL for a public-only key, an empty set, a set of
 * type RRSIG (RFC 4035 2.2), or an expiration not after the inception in
 * serial number arithmetic (RFC 4034 3.1.5); SN_EPARSE for a malformed
 * owner, signer or RDATA; SN_ENOMEM if OpenSSL failed. */
SN_MUSTCHECK int rrsig_sign(const keypair_t *key, const rrsig_rrset_t *set, const uint8_t *signer,
                            uint32_t ttl, uint32_t inception, uint32_t expiration, uint8_t *scratch,
                            size_t scratch_cap, uint8_t *out, size_t cap, size_t *out_len);

/* Verifies `rrsig` (`rlen` octets of RRSIG RDATA) over `set` with `key`,
 * which may be public-only: rrsig_verify without re-reading the DNSKEY.
 * Same checks and return codes as rrsig_verify. Any thread. */
SN_MUSTCHECK int rrsig_verify_key(const uint8_t *rrsig, size_t rlen, const keypair_t *key,
                                  const rrsig_rrset_t *set);
