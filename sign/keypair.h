/* SPDX-License-Identifier: MIT
 * keypair.h - DNSSEC key pairs (OpenSSL 3 EVP): generation, PEM, DNSKEY RDATA, signing.
 *
 * A keypair_t holds an EVP_PKEY and, computed once when it is made, its
 * DNSKEY RDATA and key tag. It is immutable after creation, so any number
 * of threads may sign with the same key at once: keypair_sign parses
 * nothing and shares nothing mutable between calls.
 *
 * Algorithms: 8 RSASHA256 and 10 RSASHA512 (RFC 5702, public key encoded
 * as RFC 3110 2), 13 ECDSAP256SHA256 and 14 ECDSAP384SHA384 (RFC 6605),
 * 15 Ed25519 and 16 Ed448 (RFC 8080).
 *
 * CDS and CDNSKEY (RFC 7344 3): CDNSKEY RDATA is the DNSKEY RDATA of the key
 * (keypair_dnskey); CDS RDATA is DS RDATA, built with dnskey_ds_rdata() of
 * sign/dnskey.h over the apex name and keypair_dnskey().
 */
#pragma once

#include "zone/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct keypair keypair_t; /* opaque; immutable after creation */

/* DNSSEC algorithm numbers (IANA "DNS Security Algorithm Numbers"). */
#define DNSSEC_ALG_RSASHA256 8
#define DNSSEC_ALG_RSASHA512 10
#define DNSSEC_ALG_ECDSAP256SHA256 13
#define DNSSEC_ALG_ECDSAP384SHA384 14
#define DNSSEC_ALG_ED25519 15
#define DNSSEC_ALG_ED448 16

/* DNSKEY flags (RFC 4034 2.1.1, RFC 5011 3). */
#define KEYPAIR_FLAG_ZONE 0x0100
#define KEYPAIR_FLAG_REVOKE 0x0080
#define KEYPAIR_FLAG_SEP 0x0001
#define KEYPAIR_FLAGS_ZSK 256
#define KEYPAIR_FLAGS_KSK 257

/* RSA moduli we generate (RFC 8624 3.1 advises at least 2048 bits; RFC 5702
 * caps both RSA algorithms at 4096). */
#define KEYPAIR_RSA_MINBITS 1024
#define KEYPAIR_RSA_MAXBITS 4096
#define KEYPAIR_RSA_DEFBITS 2048

/* Longest signature of any algorithm here: a 4096-bit RSA one. */
#define KEYPAIR_SIG_MAXLEN 512
/* Longest DNSKEY RDATA taken: header, 3-octet exponent length form, and
 * an exponent and a modulus of up to 4096 bits each. */
#define KEYPAIR_DNSKEY_MAXLEN (4 + 3 + 512 + 512)

/* True if `alg` is one of the algorithms above. Any thread. */
bool keypair_alg_is_supported(uint8_t alg);

/* Generates a new key of algorithm `alg` with DNSKEY `flags`. `bits` is the
 * RSA modulus size (0 = KEYPAIR_RSA_DEFBITS) and must be 0 for the other
 * algorithms. `flags` may only carry the zone, revoke and SEP bits, and
 * must carry the zone bit (RFC 4034 2.1.1: only zone keys sign zones).
 * On SN_OK *out is the caller's (keypair_free). Returns SN_ENOTSUP for an
 * unknown algorithm, SN_ERANGE for `bits` out of
 * [KEYPAIR_RSA_MINBITS, KEYPAIR_RSA_MAXBITS], SN_EINVAL for bad flags,
 * SN_ENOMEM if OpenSSL failed. Any thread. */
SN_MUSTCHECK int keypair_generate(uint8_t alg, unsigned bits, uint16_t flags, keypair_t **out);

/* Imports a private key from PKCS#8 PEM ("BEGIN PRIVATE KEY"; a traditional
 * "BEGIN RSA/EC PRIVATE KEY" is read too; encrypted PEM is refused, never
 * prompted for) of `len` octets at `pem` (need not be NUL-terminated).
 * The key must suit `alg` (RSA for 8 and 10 with a 1024..4096-bit modulus,
 * P-256 for 13, P-384 for 14, Ed25519 for 15, Ed448 for 16). Flags as for
 * keypair_generate. Borrows `pem`. On SN_OK *out is the caller's.
 * Returns SN_EPARSE for unreadable PEM or a key of another kind or size,
 * SN_ENOTSUP, SN_EINVAL, SN_ENOMEM. Any thread. */
SN_MUSTCHECK int keypair_from_pem(const char *pem, size_t len, uint8_t alg, uint16_t flags,
                                  keypair_t **out);

/* Writes the private key as unencrypted PKCS#8 PEM. On SN_OK *out is a
 * malloc'ed NUL-terminated string of *out_len characters (without the NUL);
 * the caller frees it, after wiping it (it is a secret). Returns SN_EINVAL
 * for a public-only key, SN_ENOMEM. Any thread. */
SN_MUSTCHECK int keypair_to_pem(const keypair_t *k, char **out, size_t *out_len);

/* Makes a public-only key from DNSKEY RDATA (`len` octets): for verifying
 * and for handling the public part of keys held elsewhere. Any flags are
 * taken; the protocol must be 3. Borrows `rdata`. On SN_OK *out is the
 * caller's. Returns SN_EPARSE for malformed RDATA or a public key that is
 * not a valid key of its algorithm, SN_ENOTSUP, SN_ENOMEM. Any thread. */
SN_MUSTCHECK int keypair_from_dnskey(const uint8_t *rdata, size_t len, keypair_t **out);

/* Accessors; `k` must not be NULL. Any thread. */
uint8_t keypair_alg(const keypair_t *k);
uint16_t keypair_flags(const keypair_t *k);
uint16_t keypair_tag(const keypair_t *k); /* RFC 4034 Appendix B */
bool keypair_has_private(const keypair_t *k);
size_t keypair_dnskey_len(const keypair_t *k);
/* DNSKEY RDATA: flags, protocol 3, algorithm, public key (RFC 4034 2.1;
 * RFC 3110 2, RFC 6605 4, RFC 8080 3). Valid until keypair_free(k). */
const uint8_t *keypair_dnskey(const keypair_t *k);
/* Length of every signature this key makes (the most for RSA: the modulus
 * length; ECDSA and EdDSA signatures have a fixed length). */
size_t keypair_sig_maxlen(const keypair_t *k);

/* Signs `data[0..len)` and writes the signature in DNSSEC form to `sig`
 * (`cap` octets) and its length to *sig_len: RSA PKCS#1 v1.5 with SHA-256
 * or SHA-512 (RFC 5702 3), ECDSA r | s each padded to the field size
 * (RFC 6605 4), EdDSA raw (RFC 8080 4). Any thread, concurrently on one key.
 * Returns SN_OK; SN_EINVAL for a public-only key; SN_ENOSPC if `cap` is
 * under keypair_sig_maxlen(k); SN_ENOMEM if OpenSSL failed. */
SN_MUSTCHECK int keypair_sign(const keypair_t *k, const uint8_t *data, size_t len, uint8_t *sig,
                              size_t cap, size_t *sig_len);

/* Checks a DNSSEC-form signature made by keypair_sign (or any signer) over
 * `data`. Returns SN_OK if good, SN_ECHECK if not, SN_EPARSE for a
 * signature of the wrong length, SN_ENOMEM. Any thread. */
SN_MUSTCHECK int keypair_verify(const keypair_t *k, const uint8_t *data, size_t len,
                                const uint8_t *sig, size_t sig_len);

/* Frees `k` and wipes its private material; NULL is fine. */
void keypair_free(keypair_t *k);

/* The parts of a private key as BIND's Private-key-format names them:
 * big-endian unsigned integers for RSA (RFC 8017 3.2), the raw private key
 * for ECDSA (the scalar d, RFC 6605 6) and EdDSA (the seed, RFC 8032 5.1.5). */
enum keypair_part {
	KEYPAIR_P_MODULUS,
	KEYPAIR_P_PUBEXP,
	KEYPAIR_P_PRIVEXP,
	KEYPAIR_P_PRIME1,
	KEYPAIR_P_PRIME2,
	KEYPAIR_P_EXP1,
	KEYPAIR_P_EXP2,
	KEYPAIR_P_COEFF,
	KEYPAIR_P_PRIVKEY,
	KEYPAIR_P_COUNT
};

/* Borrowed views of the parts; a part not given has v == NULL. */
typedef struct keypair_raw {
	const uint8_t *v[KEYPAIR_P_COUNT];
	size_t len[KEYPAIR_P_COUNT];
} keypair_raw_t;

/* Builds a key from its raw parts: RSA needs modulus, public and private
 * exponents, both primes, both CRT exponents and the coefficient (BIND
 * writes all eight; OpenSSL checks the pair with them); ECDSA needs the
 * private key of at most the field length (32/48 octets for 13/14; shorter
 * is a value with leading zeros left out), EdDSA of exactly 32/57 octets
 * (15/16). The public key is derived and the pair is checked to agree.
 * Flags as for keypair_generate. Borrows `raw`. On SN_OK *out is the
 * caller's. Returns SN_EPARSE for a missing, out-of-range or inconsistent
 * part, SN_ENOTSUP, SN_EINVAL, SN_ENOMEM. Any thread. */
SN_MUSTCHECK int keypair_from_raw(uint8_t alg, uint16_t flags, const keypair_raw_t *raw,
                                  keypair_t **out);

/* The inverse of keypair_from_raw: writes the parts of the private key `k`
 * into `buf` (`cap` octets; KEYPAIR_RAW_MAXLEN is always enough) and sets
 * *out to views into it: for RSA all eight parts as minimal big-endian
 * integers, for ECDSA the scalar padded to the field length (as BIND
 * writes it), for EdDSA the raw private key. `buf` then holds secrets: the
 * caller wipes it. Returns SN_OK, SN_EINVAL for a public-only key,
 * SN_ENOSPC, SN_ENOMEM. Any thread. */
#define KEYPAIR_RAW_MAXLEN (8 * 512)
SN_MUSTCHECK int keypair_to_raw(const keypair_t *k, uint8_t *buf, size_t cap, keypair_raw_t *out);
