/* SPDX-License-Identifier: MIT
 * nsec3hash.c - iterated, salted SHA-1 of owner names (RFC 5155 5).
 */
#include "sign/nsec3hash.h"

#include <string.h>
#include <openssl/evp.h>
#include "zone/dname.h"

int
nsec3_hash(uint8_t alg, const uint8_t *owner, const uint8_t *salt, size_t salt_len,
	   uint16_t iterations, uint8_t out[NSEC3_HASH_LEN])
{
	uint8_t name[DNAME_MAXLEN];
	uint8_t h[EVP_MAX_MD_SIZE];
	size_t nlen = 0;

	if (owner == NULL || out == NULL || (salt == NULL && salt_len > 0)) {
		return SN_EINVAL;
	}
	if (alg != NSEC3_ALG_SHA1) {
		return SN_ENOTSUP;
	}
	if (iterations > NSEC3_MAX_ITERATIONS || salt_len > NSEC3_MAX_SALT) {
		return SN_ERANGE;
	}
	if (dname_check(owner, DNAME_MAXLEN, &nlen) != SN_OK) {
		return SN_EPARSE;
	}
	memcpy(name, owner, nlen);
	dname_to_lower(name);

	/* One context for every round: EVP_DigestInit_ex on a context that
	 * keeps its EVP_MD avoids a fetch per iteration. */
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		return SN_ENOMEM;
	}
	const EVP_MD *md = EVP_sha1();
	const uint8_t *in = name;
	size_t inlen = nlen;
	int ok = 1;
	for (unsigned i = 0; ok && i <= iterations; i++) {
		unsigned int got = 0;
		ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		     EVP_DigestUpdate(ctx, in, inlen) == 1 &&
		     (salt_len == 0 || EVP_DigestUpdate(ctx, salt, salt_len) == 1) &&
		     EVP_DigestFinal_ex(ctx, h, &got) == 1 && got == NSEC3_HASH_LEN;
		in = h;
		inlen = NSEC3_HASH_LEN;
	}
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		return SN_ENOMEM;
	}
	memcpy(out, h, NSEC3_HASH_LEN);
	return SN_OK;
}

static const char B32HEX[] = "0123456789abcdefghijklmnopqrstuv";

int
nsec3_base32hex(const uint8_t *in, size_t len, char *out, size_t cap)
{
	if ((in == NULL && len > 0) || out == NULL) {
		return SN_EINVAL;
	}
	size_t need = (len * 8 + 4) / 5;
	if (cap < need + 1) {
		return SN_ENOSPC;
	}
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = B32HEX[(acc >> bits) & 31];
		}
	}
	if (bits > 0) {
		out[o++] = B32HEX[(acc << (5 - bits)) & 31];
	}
	out[o] = '\0';
	return (int)o;
}

static int
b32val(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'v') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'V') {
		return c - 'A' + 10;
	}
	return -1;
}

int
nsec3_base32hex_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	if ((in == NULL && len > 0) || out_len == NULL || (out == NULL && cap > 0)) {
		return SN_EINVAL;
	}
	/* Unpadded lengths mod 8 of 1, 3 and 6 are never produced (RFC 4648 6). */
	size_t r = len % 8;
	if (r == 1 || r == 3 || r == 6) {
		return SN_EPARSE;
	}
	size_t need = len * 5 / 8;
	if (cap < need) {
		return SN_ENOSPC;
	}
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b32val(in[i]);
		if (v < 0) {
			return SN_EPARSE;
		}
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if ((acc & ((1u << bits) - 1)) != 0) {
		return SN_EPARSE;
	}
	*out_len = o;
	return SN_OK;
}
