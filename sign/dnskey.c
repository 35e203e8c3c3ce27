/* SPDX-License-Identifier: MIT
 * dnskey.c - key tags and DS digests of DNSKEY RDATA.
 */
#include "sign/dnskey.h"

#include <string.h>
#include <openssl/evp.h>
#include "zone/dname.h"

int
dnskey_keytag(const uint8_t *rd, size_t len, uint16_t *out)
{
	if (rd == NULL || out == NULL || len < DNSKEY_HDRLEN) {
		return SN_EPARSE;
	}
	if (rd[3] == 1) {
		/* RFC 4034 B.1: RSA/MD5 keys take the tag from the modulus:
		 * the 3rd- and 2nd-to-last octets of the public key. */
		if (len < DNSKEY_HDRLEN + 3) {
			return SN_EPARSE;
		}
		*out = (uint16_t)((rd[len - 3] << 8) | rd[len - 2]);
		return SN_OK;
	}
	/* RFC 4034 Appendix B: ones-complement-style sum of 16-bit words,
	 * carries folded once. A 64 KiB RDATA cannot overflow 32 bits. */
	uint32_t ac = 0;
	for (size_t i = 0; i < len; i++) {
		ac += (i & 1) ? rd[i] : (uint32_t)rd[i] << 8;
	}
	ac += (ac >> 16) & 0xffff;
	*out = (uint16_t)(ac & 0xffff);
	return SN_OK;
}

static const EVP_MD *
digest_md(uint8_t digest_type)
{
	switch (digest_type) {
	case DS_DIGEST_SHA1:
		return EVP_sha1();
	case DS_DIGEST_SHA256:
		return EVP_sha256();
	case DS_DIGEST_SHA384:
		return EVP_sha384();
	default:
		return NULL;
	}
}

int
dnskey_digest_len(uint8_t digest_type)
{
	switch (digest_type) {
	case DS_DIGEST_SHA1:
		return 20;
	case DS_DIGEST_SHA256:
		return 32;
	case DS_DIGEST_SHA384:
		return 48;
	default:
		return SN_ENOTSUP;
	}
}

int
dnskey_ds_digest(const uint8_t *owner, const uint8_t *rd, size_t len, uint8_t digest_type,
		 uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t name[DNAME_MAXLEN];
	size_t nlen = 0;

	if (owner == NULL || rd == NULL || out == NULL || out_len == NULL) {
		return SN_EINVAL;
	}
	if (dname_check(owner, DNAME_MAXLEN, &nlen) != SN_OK || len < DNSKEY_HDRLEN) {
		return SN_EPARSE;
	}
	const EVP_MD *md = digest_md(digest_type);
	int dlen = dnskey_digest_len(digest_type);
	if (md == NULL || dlen < 0) {
		return SN_ENOTSUP;
	}
	if (cap < (size_t)dlen) {
		return SN_ENOSPC;
	}
	/* RFC 4034 5.1.4: digest = hash(canonical owner name | DNSKEY RDATA);
	 * canonical means lower-cased (6.2). */
	memcpy(name, owner, nlen);
	dname_to_lower(name);

	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		return SN_ENOMEM;
	}
	unsigned int got = 0;
	int ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		 EVP_DigestUpdate(ctx, name, nlen) == 1 &&
		 EVP_DigestUpdate(ctx, rd, len) == 1 &&
		 EVP_DigestFinal_ex(ctx, out, &got) == 1 && got == (unsigned int)dlen;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		return SN_ENOMEM;
	}
	*out_len = got;
	return SN_OK;
}

int
dnskey_ds_rdata(const uint8_t *owner, const uint8_t *rd, size_t len, uint8_t digest_type,
		uint8_t *out, size_t cap, size_t *out_len)
{
	uint16_t tag = 0;
	size_t dlen = 0;

	if (out == NULL || out_len == NULL) {
		return SN_EINVAL;
	}
	if (cap < 4) {
		return SN_ENOSPC;
	}
	int rc = dnskey_keytag(rd, len, &tag);
	if (rc != SN_OK) {
		return rc;
	}
	rc = dnskey_ds_digest(owner, rd, len, digest_type, out + 4, cap - 4, &dlen);
	if (rc != SN_OK) {
		return rc;
	}
	out[0] = (uint8_t)(tag >> 8);
	out[1] = (uint8_t)tag;
	out[2] = rd[3];
	out[3] = digest_type;
	*out_len = 4 + dlen;
	return SN_OK;
}
