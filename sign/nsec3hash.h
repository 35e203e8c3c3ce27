/* SPDX-License-Identifier: MIT
 * nsec3hash.h - the NSEC3 owner-name hash (RFC 5155 5) and base32hex.
 *
 * Pure functions, no global state; any thread.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "zone/err.h"

/* NSEC3 hash algorithm 1, SHA-1 (RFC 5155 11), the only one defined. */
#define NSEC3_ALG_SHA1 1
#define NSEC3_HASH_LEN 20
/* Base32hex of a 20-octet hash: 32 characters, no padding. */
#define NSEC3_B32_LEN 32
/* RFC 5155 10.3 caps iterations at 2500 for the largest keys; more is
 * refused so that a hostile NSEC3PARAM cannot make hashing unbounded. */
#define NSEC3_MAX_ITERATIONS 2500
/* The salt length field is one octet (RFC 5155 3.2). */
#define NSEC3_MAX_SALT 255

/* Computes IH(salt, owner, iterations) of RFC 5155 5 with algorithm `alg`:
 * x0 = H(canonical owner | salt), xi = H(x(i-1) | salt). `owner` is an
 * uncompressed wire name (DNAME_MAXLEN octets readable at most); it is
 * lower-cased here (RFC 4034 6.2). Writes `out` only on success.
 * Returns SN_OK; SN_EPARSE for a bad owner name; SN_ENOTSUP for an
 * algorithm other than 1; SN_ERANGE for iterations over
 * NSEC3_MAX_ITERATIONS or a salt over 255 octets; SN_ENOMEM if OpenSSL
 * failed. */
SN_MUSTCHECK int nsec3_hash(uint8_t alg, const uint8_t *owner, const uint8_t *salt,
			    size_t salt_len, uint16_t iterations,
			    uint8_t out[NSEC3_HASH_LEN]);

/* Writes the lower-case, unpadded base32hex (RFC 4648 7) form of
 * `in[0..len)`, NUL-terminated, as NSEC3 owner labels and the Next Hashed
 * Owner field are presented (RFC 5155 3.3). Returns the length without the
 * NUL, or SN_ENOSPC when `cap` is too small (`out` then holds nothing
 * useful). */
int nsec3_base32hex(const uint8_t *in, size_t len, char *out, size_t cap);

/* Decodes unpadded base32hex (either case) into `out` (`cap` octets);
 * writes *out_len only on success. Returns SN_OK, SN_EPARSE for a bad
 * character or a length no encoder produces (trailing bits not zero
 * included), SN_ENOSPC. */
SN_MUSTCHECK int nsec3_base32hex_decode(const char *in, size_t len, uint8_t *out, size_t cap,
					size_t *out_len);
