/* SPDX-License-Identifier: MIT
 * keyfile.h - BIND key files: K<zone>+<alg>+<tag>.private and .key, in and out.
 *
 * Import reads the private key in BIND's Private-key-format v1.2/v1.3
 * (what dnssec-keygen, ldns-keygen and Knot's keymgr write), or a PKCS#8
 * PEM, together with the `.key` file: the DNSKEY RR that gives the owner
 * and the flags, and that the private key must match. Export writes the
 * `.key`-style DNSKEY line. Every function is pure (text in, text or a key
 * out, no globals) and safe from any thread, except keyfile_load, which
 * also reads two files. Bad input gets SN_EPARSE and a message with the
 * line it is about in a keyfile_err_t; nothing in a key file can crash us.
 */
#pragma once

#include "sign/keypair.h"
#include "zone/err.h"
#include <stddef.h>
#include <stdint.h>

/* The longest key file we read (a 4096-bit RSA .private is under 4 KiB). */
#define KEYFILE_MAXLEN 65536

/* Where and why parsing failed: `file` is the path, or "private" / "key"
 * for text given in memory; `line` is 1-based, 0 when the problem is not
 * on one line (a missing field, a key that does not match). */
typedef struct keyfile_err {
	char file[256];
	unsigned line;
	char msg[160];
} keyfile_err_t;

/* Parses the public `.key` text: the first record that is not a comment
 * must be `<owner> [ttl] [class IN] DNSKEY <flags> <protocol> <alg>
 * <base64>` (TTL and class in either order; parentheses may spread it
 * over lines, as in a zone file). The owner must be absolute. Writes the
 * owner (wire form, as written) to `owner` if not NULL, the RDATA to `rd`
 * (`cap` octets; KEYPAIR_DNSKEY_MAXLEN is enough for every algorithm we
 * sign with) and its length to *rd_len, the TTL to *ttl if not NULL (0 if
 * none was given), all only on success. Returns SN_OK, SN_EPARSE (details
 * in *err if not NULL; RDATA over KEYPAIR_DNSKEY_MAXLEN is refused so),
 * SN_ENOSPC. */
SN_MUSTCHECK int keyfile_parse_dnskey(const char *text, size_t len, uint8_t *owner, uint8_t *rd,
                                      size_t cap, size_t *rd_len, uint32_t *ttl,
                                      keyfile_err_t *err);

/* Builds the key pair from the text of a `.private` file (`priv`, BIND
 * Private-key-format v1.2 or v1.3, or a PKCS#8 PEM) and of its `.key`
 * file (`pub`). The algorithm of both must agree; the flags come from the
 * `.key` file and must mark a zone key; the private key must give the
 * very public key of the `.key` file. Writes the owner to `owner` if not
 * NULL. Borrows the texts. On SN_OK *out is the caller's (keypair_free).
 * Returns SN_OK; SN_EPARSE with *err filled (if not NULL) for anything
 * wrong in either text; SN_ENOTSUP for an algorithm we do not sign with
 * or a key kept in a PKCS #11 token (Engine/Label fields);
 * SN_ENOMEM. Secrets decoded here are wiped before returning. */
SN_MUSTCHECK int keyfile_parse(const char *priv, size_t priv_len, const char *pub, size_t pub_len,
                               uint8_t *owner, keypair_t **out, keyfile_err_t *err);

/* Reads `<base>.private` and `<base>.key` and parses them as
 * keyfile_parse does. `base` may also end in ".private" or ".key"
 * (e.g. "Kexample.com.+013+12345.private"): the suffix is dropped.
 * Returns as keyfile_parse, plus SN_EIO when a file cannot be read
 * (err->msg says why) and SN_ERANGE for a file over KEYFILE_MAXLEN. */
SN_MUSTCHECK int keyfile_load(const char *base, uint8_t *owner, keypair_t **out,
                              keyfile_err_t *err);

/* Writes the `.key`-style line for `k` at `owner`, NUL-terminated:
 * "<owner> <ttl> IN DNSKEY <flags> 3 <alg> <base64>\n", the owner in
 * lower case (a key export for registrars and for BIND). Returns the
 * length written without the NUL, SN_ENOSPC if `cap` is too small, or
 * SN_EPARSE for a bad owner name. */
int keyfile_dnskey_line(const uint8_t *owner, uint32_t ttl, const keypair_t *k, char *buf,
                        size_t cap);

/* Writes BIND's file name stem for `k` at `owner`: "K<owner>+<alg>+<tag>"
 * with the algorithm in three digits and the tag in five, the owner in
 * lower case with its final dot, as dnssec-keygen names them. Returns the
 * length without the NUL, SN_ENOSPC, or SN_EPARSE. */
int keyfile_name(const uint8_t *owner, const keypair_t *k, char *buf, size_t cap);

/* Writes the private key `k` in BIND's Private-key-format v1.3 (the
 * `.private` file dnssec-keygen writes, without timing fields, which BIND
 * then reads as an active key), for moving keys to BIND or Knot. On SN_OK
 * *out is a malloc'ed NUL-terminated string of *out_len characters: a
 * secret, which the caller wipes and frees. Returns SN_EINVAL for a
 * public-only key, SN_ENOMEM. Any thread. */
SN_MUSTCHECK int keyfile_private_text(const keypair_t *k, char **out, size_t *out_len);
