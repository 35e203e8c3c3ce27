/* SPDX-License-Identifier: MIT
 * dnskey.h - DNSKEY RDATA: key tag and DS digests (RFC 4034, 4509, 6605).
 *
 * Everything here is pure: bytes in, bytes out, no global state; any thread.
 * DNSKEY RDATA is flags(2) protocol(1) algorithm(1) public key (RFC 4034 2.1).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "zone/err.h"

/* DS digest types (IANA "Delegation Signer (DS) Resource Record Digest
 * Algorithms"). */
#define DS_DIGEST_SHA1 1   /* RFC 4034 5.1.4; kept for reading old DS */
#define DS_DIGEST_SHA256 2 /* RFC 4509 */
#define DS_DIGEST_SHA384 4 /* RFC 6605 */

/* Longest digest of the types above (SHA-384). */
#define DS_DIGEST_MAXLEN 48
/* DS RDATA: key tag(2) algorithm(1) digest type(1) digest. */
#define DS_RDATA_MAXLEN (4 + DS_DIGEST_MAXLEN)

/* Fixed part of DNSKEY RDATA before the public key. */
#define DNSKEY_HDRLEN 4

/* Computes the key tag of the DNSKEY RDATA `rd` (`len` octets), RFC 4034
 * Appendix B (B.1 for algorithm 1, RSA/MD5). Writes *out only on success.
 * Returns SN_OK, or SN_EPARSE when `rd` is shorter than the fixed part (or,
 * for algorithm 1, has no room for the modulus octets the tag is taken
 * from). */
SN_MUSTCHECK int dnskey_keytag(const uint8_t *rd, size_t len, uint16_t *out);

/* Length in octets of the digest of `digest_type`, or SN_ENOTSUP. */
int dnskey_digest_len(uint8_t digest_type);

/* Computes the DS digest (RFC 4034 5.1.4): digest_type's hash over the
 * canonical (lower-cased) form of the owner name `owner` (uncompressed wire
 * form, at most DNAME_MAXLEN octets readable) followed by the DNSKEY RDATA
 * `rd`. Writes the digest to `out` (`cap` octets) and its length to
 * *out_len, only on success. Returns SN_OK; SN_EPARSE for a bad owner name
 * or RDATA shorter than DNSKEY_HDRLEN; SN_ENOTSUP for an unknown digest
 * type; SN_ENOSPC if `cap` is too small; SN_ENOMEM if OpenSSL failed. */
SN_MUSTCHECK int dnskey_ds_digest(const uint8_t *owner, const uint8_t *rd, size_t len,
				  uint8_t digest_type, uint8_t *out, size_t cap,
				  size_t *out_len);

/* Builds the whole DS RDATA (RFC 4034 5.1) for the DNSKEY `rd` at `owner`:
 * key tag, algorithm, digest type, digest. Same contract and errors as
 * dnskey_ds_digest; DS_RDATA_MAXLEN always fits. */
SN_MUSTCHECK int dnskey_ds_rdata(const uint8_t *owner, const uint8_t *rd, size_t len,
				 uint8_t digest_type, uint8_t *out, size_t cap, size_t *out_len);
