/* SPDX-License-Identifier: MIT
 * keypair.c - DNSSEC key pairs on OpenSSL 3 EVP.
 *
 * Everything a signature needs is worked out when the key is made (the
 * digest, fetched once; the DNSKEY RDATA; the tag; the signature length;
 * for RSA and ECDSA an EVP_PKEY_CTX on which sign_init was done), so
 * keypair_sign hashes, duplicates that template context, signs, and for
 * ECDSA turns the DER ECDSA-Sig-Value into the fixed-width r | s of
 * RFC 6605 4. Duplicating only reads the template (and takes references
 * with atomic counts), which is what lets threads share a key; it costs
 * a small fraction of a fresh EVP_DigestSignInit, which fetches the
 * signature method from the provider store on every call.
 */
#include "sign/keypair.h"

#include "sign/dnskey.h"
#include "sign/rrsig.h"
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

struct keypair {
	EVP_PKEY *pkey;
	EVP_MD *md;         /* NULL for EdDSA (RFC 8032 hashes internally) */
	EVP_PKEY_CTX *tmpl; /* RSA and ECDSA private keys: sign_init done, read only */
	uint8_t alg;
	bool priv; /* holds the private key */
	uint16_t flags;
	uint16_t tag;
	size_t half;   /* ECDSA: octets of r and of s; else 0 */
	size_t siglen; /* every signature's length (RSA: the modulus') */
	size_t dnskey_len;
	uint8_t dnskey[KEYPAIR_DNSKEY_MAXLEN];
};

/* What each algorithm is in OpenSSL terms. */
typedef struct alg_info {
	uint8_t alg;
	const char *keytype; /* EVP_PKEY type name */
	const char *group;   /* EC curve, else NULL */
	const char *digest;  /* NULL for EdDSA */
	size_t publen;       /* EC and EdDSA public key octets in DNSKEY */
	size_t privlen;      /* EC and EdDSA private key octets */
	size_t siglen;       /* EC and EdDSA signature octets */
} alg_info_t;

static const alg_info_t ALGS[] = {
    {DNSSEC_ALG_RSASHA256, "RSA", NULL, "SHA256", 0, 0, 0}, /* RFC 5702 */
    {DNSSEC_ALG_RSASHA512, "RSA", NULL, "SHA512", 0, 0, 0},
    {DNSSEC_ALG_ECDSAP256SHA256, "EC", "P-256", "SHA256", 64, 32, 64}, /* RFC 6605 */
    {DNSSEC_ALG_ECDSAP384SHA384, "EC", "P-384", "SHA384", 96, 48, 96},
    {DNSSEC_ALG_ED25519, "ED25519", NULL, NULL, 32, 32, 64}, /* RFC 8080 */
    {DNSSEC_ALG_ED448, "ED448", NULL, NULL, 57, 57, 114},
};

static const alg_info_t *
alg_info(uint8_t alg)
{
	for (size_t i = 0; i < sizeof(ALGS) / sizeof(ALGS[0]); i++) {
		if (ALGS[i].alg == alg) {
			return &ALGS[i];
		}
	}
	return NULL;
}

static bool
is_rsa(const alg_info_t *ai)
{
	return ai->group == NULL && ai->digest != NULL;
}

bool
keypair_alg_is_supported(uint8_t alg)
{
	return alg_info(alg) != NULL;
}

/* RFC 4034 2.1.1: bit 7 zone key, bit 8 revoked (RFC 5011 3), bit 15
 * secure entry point; the others are reserved and must be zero. A key we
 * sign with must be a zone key. */
static bool
flags_ok_for_signing(uint16_t flags)
{
	return (flags & KEYPAIR_FLAG_ZONE) != 0 &&
	       (flags & ~(KEYPAIR_FLAG_ZONE | KEYPAIR_FLAG_REVOKE | KEYPAIR_FLAG_SEP)) == 0;
}

/* RFC 5702 2.1 and 3.1: RSA moduli of 512 (1024 for SHA-512) to 4096
 * bits. Keys we sign with get at least KEYPAIR_RSA_MINBITS; public keys
 * read for verifying get the widest range either algorithm allows, as
 * rrsig_verify always did: refusing a short key is a policy for the
 * caller, not a parse error. */
static bool
rsa_bits_ok(int bits, bool signing)
{
	int min = signing ? KEYPAIR_RSA_MINBITS : 512;
	return bits >= min && bits <= KEYPAIR_RSA_MAXBITS;
}

static int
put_bn(const BIGNUM *bn, uint8_t *out, size_t len)
{
	return BN_bn2binpad(bn, out, (int)len) == (int)len ? SN_OK : SN_ENOMEM;
}

/* Writes the public key part of the DNSKEY RDATA for `pkey`. */
static int
encode_public(const alg_info_t *ai, EVP_PKEY *pkey, uint8_t *out, size_t cap, size_t *out_len)
{
	int rc = SN_ENOMEM;
	BIGNUM *a = NULL, *b = NULL;

	if (is_rsa(ai)) {
		/* RFC 3110 2: exponent length (one octet, or zero then two),
		 * exponent, modulus; no leading zero octets. */
		if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &a) != 1 ||
		    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &b) != 1) {
			goto out;
		}
		size_t elen = (size_t)BN_num_bytes(a), nlen = (size_t)BN_num_bytes(b);
		size_t hl = elen <= 255 ? 1 : 3;
		if (elen == 0 || elen > 65535 || hl + elen + nlen > cap) {
			rc = SN_EPARSE;
			goto out;
		}
		if (hl == 1) {
			out[0] = (uint8_t)elen;
		} else {
			out[0] = 0;
			out[1] = (uint8_t)(elen >> 8);
			out[2] = (uint8_t)elen;
		}
		if (put_bn(a, out + hl, elen) != SN_OK ||
		    put_bn(b, out + hl + elen, nlen) != SN_OK) {
			goto out;
		}
		*out_len = hl + elen + nlen;
	} else if (ai->group != NULL) {
		/* RFC 6605 4: X | Y, each padded to the field size. */
		size_t half = ai->publen / 2;
		if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &a) != 1 ||
		    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &b) != 1 ||
		    ai->publen > cap || put_bn(a, out, half) != SN_OK ||
		    put_bn(b, out + half, half) != SN_OK) {
			goto out;
		}
		*out_len = ai->publen;
	} else {
		/* RFC 8080 3: the raw public key of RFC 8032. */
		size_t len = cap;
		if (EVP_PKEY_get_raw_public_key(pkey, out, &len) != 1 || len != ai->publen) {
			goto out;
		}
		*out_len = len;
	}
	rc = SN_OK;
out:
	BN_free(a);
	BN_free(b);
	return rc;
}

/* Checks that `pkey` is a key of algorithm `ai` (type, curve, size). */
static int
check_kind(const alg_info_t *ai, EVP_PKEY *pkey, bool signing)
{
	if (!EVP_PKEY_is_a(pkey, ai->keytype)) {
		return SN_EPARSE;
	}
	if (is_rsa(ai)) {
		return rsa_bits_ok(EVP_PKEY_get_bits(pkey), signing) ? SN_OK : SN_EPARSE;
	}
	if (ai->group != NULL) {
		char group[64];
		size_t glen = 0;
		if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
		                                   sizeof(group), &glen) != 1) {
			return SN_EPARSE; /* explicit curve parameters: refused */
		}
		/* OpenSSL names the curves by their SEC 2 / X9.62 names. */
		const char *alt =
		    ai->alg == DNSSEC_ALG_ECDSAP256SHA256 ? "prime256v1" : "secp384r1";
		if (strcmp(group, ai->group) != 0 && strcmp(group, alt) != 0) {
			return SN_EPARSE;
		}
	}
	return SN_OK;
}

/* Wraps `pkey` (taken whatever happens). */
static int
wrap(EVP_PKEY *pkey, const alg_info_t *ai, uint16_t flags, bool priv, keypair_t **out)
{
	int rc = check_kind(ai, pkey, priv);
	keypair_t *k = NULL;
	if (rc != SN_OK) {
		goto fail;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		rc = SN_ENOMEM;
		goto fail;
	}
	k->pkey = pkey;
	pkey = NULL;
	k->alg = ai->alg;
	k->flags = flags;
	k->priv = priv;
	if (ai->digest != NULL) {
		/* Fetched once: an implicit fetch on every signature costs a
		 * lock and a lookup in the provider store. */
		k->md = EVP_MD_fetch(NULL, ai->digest, NULL);
		if (k->md == NULL) {
			rc = SN_ENOMEM;
			goto fail;
		}
	}
	if (priv && k->md != NULL) {
		k->tmpl = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
		if (k->tmpl == NULL || EVP_PKEY_sign_init(k->tmpl) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(k->tmpl, k->md) != 1 ||
		    (is_rsa(ai) && EVP_PKEY_CTX_set_rsa_padding(k->tmpl, RSA_PKCS1_PADDING) != 1)) {
			ERR_clear_error();
			rc = SN_ENOMEM;
			goto fail;
		}
	}
	if (is_rsa(ai)) {
		k->siglen = (size_t)EVP_PKEY_get_size(k->pkey);
	} else {
		k->siglen = ai->siglen;
		k->half = ai->group != NULL ? ai->siglen / 2 : 0;
	}
	k->dnskey[0] = (uint8_t)(flags >> 8);
	k->dnskey[1] = (uint8_t)flags;
	k->dnskey[2] = 3; /* RFC 4034 2.1.2 */
	k->dnskey[3] = ai->alg;
	size_t plen = 0;
	rc = encode_public(ai, k->pkey, k->dnskey + DNSKEY_HDRLEN,
	                   sizeof(k->dnskey) - DNSKEY_HDRLEN, &plen);
	if (rc != SN_OK) {
		goto fail;
	}
	k->dnskey_len = DNSKEY_HDRLEN + plen;
	rc = dnskey_keytag(k->dnskey, k->dnskey_len, &k->tag);
	if (rc != SN_OK) {
		goto fail;
	}
	*out = k;
	return SN_OK;
fail:
	EVP_PKEY_free(pkey);
	keypair_free(k);
	return rc;
}

int
keypair_generate(uint8_t alg, unsigned bits, uint16_t flags, keypair_t **out)
{
	const alg_info_t *ai = alg_info(alg);
	EVP_PKEY *pkey = NULL;

	if (out == NULL) {
		return SN_EINVAL;
	}
	if (ai == NULL) {
		return SN_ENOTSUP;
	}
	if (!flags_ok_for_signing(flags)) {
		return SN_EINVAL;
	}
	if (is_rsa(ai)) {
		if (bits == 0) {
			bits = KEYPAIR_RSA_DEFBITS;
		}
		if (bits < KEYPAIR_RSA_MINBITS || bits > KEYPAIR_RSA_MAXBITS) {
			return SN_ERANGE;
		}
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	} else if (bits != 0) {
		return SN_ERANGE;
	} else if (ai->group != NULL) {
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", ai->group);
	} else {
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, ai->keytype);
	}
	if (pkey == NULL) {
		return SN_ENOMEM;
	}
	return wrap(pkey, ai, flags, true, out);
}

/* Never prompt for a passphrase: encrypted PEM is simply unreadable. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int
keypair_from_pem(const char *pem, size_t len, uint8_t alg, uint16_t flags, keypair_t **out)
{
	const alg_info_t *ai = alg_info(alg);

	if (pem == NULL || out == NULL) {
		return SN_EINVAL;
	}
	if (ai == NULL) {
		return SN_ENOTSUP;
	}
	if (!flags_ok_for_signing(flags)) {
		return SN_EINVAL;
	}
	if (len == 0 || len > INT_MAX) {
		return SN_EPARSE;
	}
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL) {
		return SN_ENOMEM;
	}
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase, NULL, NULL, NULL);
	BIO_free(bio);
	/* Failures leave errors on this thread's OpenSSL queue: drop them so
	 * a later, unrelated call does not report them. */
	ERR_clear_error();
	if (pkey == NULL) {
		return SN_EPARSE;
	}
	return wrap(pkey, ai, flags, true, out);
}

int
keypair_to_pem(const keypair_t *k, char **out, size_t *out_len)
{
	OSSL_ENCODER_CTX *ectx = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	int rc = SN_ENOMEM;

	if (k == NULL || out == NULL || out_len == NULL || !k->priv) {
		return SN_EINVAL;
	}
	/* PrivateKeyInfo is PKCS#8 (RFC 5208 5), unencrypted. */
	ectx =
	    OSSL_ENCODER_CTX_new_for_pkey(k->pkey, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", NULL);
	if (ectx == NULL || OSSL_ENCODER_CTX_get_num_encoders(ectx) == 0 ||
	    OSSL_ENCODER_to_data(ectx, &data, &len) != 1) {
		goto out;
	}
	char *s = malloc(len + 1);
	if (s == NULL) {
		goto out;
	}
	memcpy(s, data, len);
	s[len] = '\0';
	*out = s;
	*out_len = len;
	rc = SN_OK;
out:
	OPENSSL_clear_free(data, len);
	OSSL_ENCODER_CTX_free(ectx);
	return rc;
}

/* EVP_PKEY_fromdata for `keytype` with `params`; a key OpenSSL refuses is
 * bad input. */
static int
from_params(const char *keytype, int selection, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, keytype, NULL);
	int rc = SN_ENOMEM;
	if (params == NULL || pctx == NULL || EVP_PKEY_fromdata_init(pctx) != 1) {
		goto out;
	}
	rc = EVP_PKEY_fromdata(pctx, out, selection, params) == 1 ? SN_OK : SN_EPARSE;
out:
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(pctx);
	ERR_clear_error();
	return rc;
}

int
keypair_from_dnskey(const uint8_t *rd, size_t len, keypair_t **out)
{
	if (rd == NULL || out == NULL) {
		return SN_EINVAL;
	}
	if (len < DNSKEY_HDRLEN || rd[2] != 3) {
		return SN_EPARSE;
	}
	const alg_info_t *ai = alg_info(rd[3]);
	if (ai == NULL) {
		return SN_ENOTSUP;
	}
	if (len > KEYPAIR_DNSKEY_MAXLEN) {
		return SN_EPARSE;
	}
	uint16_t flags = (uint16_t)((rd[0] << 8) | rd[1]);
	const uint8_t *pub = rd + DNSKEY_HDRLEN;
	size_t plen = len - DNSKEY_HDRLEN;
	EVP_PKEY *pkey = NULL;
	int rc = SN_ENOMEM;
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *e = NULL, *n = NULL;

	if (is_rsa(ai)) {
		/* RFC 3110 2. */
		size_t elen, off;
		if (plen < 1) {
			return SN_EPARSE;
		}
		if (pub[0] != 0) {
			elen = pub[0];
			off = 1;
		} else {
			if (plen < 3) {
				return SN_EPARSE;
			}
			elen = ((size_t)pub[1] << 8) | pub[2];
			off = 3;
		}
		if (elen == 0 || plen - off <= elen) {
			return SN_EPARSE;
		}
		size_t mlen = plen - off - elen;
		if (mlen < 64 || mlen > 512) {
			return SN_EPARSE;
		}
		e = BN_bin2bn(pub + off, (int)elen, NULL);
		n = BN_bin2bn(pub + off + elen, (int)mlen, NULL);
		bld = OSSL_PARAM_BLD_new();
		if (e == NULL || n == NULL || bld == NULL ||
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1) {
			goto out;
		}
		rc = from_params("RSA", EVP_PKEY_PUBLIC_KEY, bld, &pkey);
	} else if (ai->group != NULL) {
		/* RFC 6605 4: X | Y; OpenSSL wants an uncompressed SEC 1 point. */
		uint8_t pt[1 + 96];
		if (plen != ai->publen) {
			return SN_EPARSE;
		}
		pt[0] = 0x04;
		memcpy(pt + 1, pub, plen);
		bld = OSSL_PARAM_BLD_new();
		if (bld == NULL ||
		    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, ai->group,
		                                    0) != 1 ||
		    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, plen + 1) !=
		        1) {
			goto out;
		}
		rc = from_params("EC", EVP_PKEY_PUBLIC_KEY, bld, &pkey);
	} else {
		if (plen != ai->publen) {
			return SN_EPARSE;
		}
		pkey = EVP_PKEY_new_raw_public_key_ex(NULL, ai->keytype, NULL, pub, plen);
		ERR_clear_error();
		rc = pkey != NULL ? SN_OK : SN_EPARSE;
	}
	if (rc != SN_OK) {
		goto out;
	}
	keypair_t *k = NULL;
	rc = wrap(pkey, ai, flags, false, &k);
	pkey = NULL;
	if (rc == SN_OK) {
		/* Keep the RDATA as given: RFC 3110 2 forbids leading zeros
		 * in the exponent and modulus but keys with them exist, and
		 * the tag and DS digests are over the octets published. */
		memcpy(k->dnskey, rd, len);
		k->dnskey_len = len;
		rc = dnskey_keytag(k->dnskey, len, &k->tag);
		if (rc != SN_OK) {
			keypair_free(k);
			goto out;
		}
		*out = k;
	}
out:
	EVP_PKEY_free(pkey);
	OSSL_PARAM_BLD_free(bld);
	BN_free(e);
	BN_free(n);
	return rc;
}

/* A big-endian unsigned integer part, 1..`max` octets. */
static BIGNUM *
part_bn(const keypair_raw_t *raw, enum keypair_part p, size_t max)
{
	if (raw->v[p] == NULL || raw->len[p] == 0 || raw->len[p] > max) {
		return NULL;
	}
	BIGNUM *bn = BN_secure_new();
	if (bn != NULL && BN_bin2bn(raw->v[p], (int)raw->len[p], bn) == NULL) {
		BN_clear_free(bn);
		bn = NULL;
	}
	return bn;
}

static int
raw_rsa(const keypair_raw_t *raw, EVP_PKEY **out)
{
	static const struct {
		enum keypair_part part;
		const char *param;
	} crt[] = {
	    {KEYPAIR_P_PRIME1, OSSL_PKEY_PARAM_RSA_FACTOR1},
	    {KEYPAIR_P_PRIME2, OSSL_PKEY_PARAM_RSA_FACTOR2},
	    {KEYPAIR_P_EXP1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
	    {KEYPAIR_P_EXP2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
	    {KEYPAIR_P_COEFF, OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
	};
	BIGNUM *bn[3 + 5] = {NULL};
	int rc = SN_EPARSE;
	OSSL_PARAM_BLD *bld = NULL;
	size_t ncrt = 0;

	for (size_t i = 0; i < 5; i++) {
		ncrt += raw->v[crt[i].part] != NULL;
	}
	/* OpenSSL's pairwise check needs the primes, and a key without its
	 * CRT parts signs several times slower: BIND and ldns always write
	 * all eight parts, so all eight are required. */
	if (ncrt != 5) {
		return SN_EPARSE;
	}
	bn[0] = part_bn(raw, KEYPAIR_P_MODULUS, 512);
	bn[1] = part_bn(raw, KEYPAIR_P_PUBEXP, 512);
	bn[2] = part_bn(raw, KEYPAIR_P_PRIVEXP, 512);
	if (bn[0] == NULL || bn[1] == NULL || bn[2] == NULL) {
		goto out;
	}
	rc = SN_ENOMEM;
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn[0]) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn[1]) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, bn[2]) != 1) {
		goto out;
	}
	for (size_t i = 0; i < ncrt; i++) {
		bn[3 + i] = part_bn(raw, crt[i].part, 512);
		if (bn[3 + i] == NULL) {
			rc = SN_EPARSE;
			goto out;
		}
		if (OSSL_PARAM_BLD_push_BN(bld, crt[i].param, bn[3 + i]) != 1) {
			goto out;
		}
	}
	rc = from_params("RSA", EVP_PKEY_KEYPAIR, bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	for (size_t i = 0; i < 8; i++) {
		BN_clear_free(bn[i]);
	}
	return rc;
}

/* RFC 6605 6: the private key is the scalar d; the public point Q = dG is
 * not in BIND's file and is computed here. */
static int
raw_ec(const alg_info_t *ai, const keypair_raw_t *raw, EVP_PKEY **out)
{
	const uint8_t *pv = raw->v[KEYPAIR_P_PRIVKEY];
	size_t plen = raw->len[KEYPAIR_P_PRIVKEY];
	int nid = ai->alg == DNSSEC_ALG_ECDSAP256SHA256 ? NID_X9_62_prime256v1 : NID_secp384r1;
	EC_GROUP *grp = NULL;
	EC_POINT *q = NULL;
	BIGNUM *d = NULL;
	BN_CTX *bctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	uint8_t pt[1 + 96];
	int rc = SN_EPARSE;

	/* Some tools write d as a minimal integer, without leading zeros. */
	if (pv == NULL || plen == 0 || plen > ai->privlen) {
		return SN_EPARSE;
	}
	rc = SN_ENOMEM;
	grp = EC_GROUP_new_by_curve_name(nid);
	d = BN_secure_new();
	bctx = BN_CTX_new();
	if (grp == NULL || d == NULL || bctx == NULL || BN_bin2bn(pv, (int)plen, d) == NULL ||
	    (q = EC_POINT_new(grp)) == NULL) {
		goto out;
	}
	/* d must lie in [1, n-1] (SEC 1 3.2.1). */
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0) {
		rc = SN_EPARSE;
		goto out;
	}
	if (EC_POINT_mul(grp, q, d, NULL, NULL, bctx) != 1 ||
	    EC_POINT_point2oct(grp, q, POINT_CONVERSION_UNCOMPRESSED, pt, sizeof(pt), bctx) !=
	        1 + ai->publen) {
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, ai->group, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, 1 + ai->publen) !=
	        1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1) {
		goto out;
	}
	rc = from_params("EC", EVP_PKEY_KEYPAIR, bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(q);
	EC_GROUP_free(grp);
	BN_clear_free(d);
	BN_CTX_free(bctx);
	ERR_clear_error();
	return rc;
}

int
keypair_from_raw(uint8_t alg, uint16_t flags, const keypair_raw_t *raw, keypair_t **out)
{
	const alg_info_t *ai = alg_info(alg);
	EVP_PKEY *pkey = NULL;
	int rc;

	if (raw == NULL || out == NULL) {
		return SN_EINVAL;
	}
	if (ai == NULL) {
		return SN_ENOTSUP;
	}
	if (!flags_ok_for_signing(flags)) {
		return SN_EINVAL;
	}
	if (is_rsa(ai)) {
		rc = raw_rsa(raw, &pkey);
	} else if (ai->group != NULL) {
		rc = raw_ec(ai, raw, &pkey);
	} else {
		const uint8_t *pv = raw->v[KEYPAIR_P_PRIVKEY];
		if (pv == NULL || raw->len[KEYPAIR_P_PRIVKEY] != ai->privlen) {
			return SN_EPARSE;
		}
		pkey = EVP_PKEY_new_raw_private_key_ex(NULL, ai->keytype, NULL, pv, ai->privlen);
		ERR_clear_error();
		rc = pkey != NULL ? SN_OK : SN_ENOMEM;
	}
	if (rc != SN_OK) {
		return rc;
	}
	/* An RSA file whose parts do not belong together would sign with
	 * garbage; so would an EC key whose point we got wrong. */
	EVP_PKEY_CTX *cctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (cctx == NULL) {
		EVP_PKEY_free(pkey);
		return SN_ENOMEM;
	}
	int ok = EVP_PKEY_pairwise_check(cctx);
	EVP_PKEY_CTX_free(cctx);
	ERR_clear_error();
	if (ok != 1) {
		EVP_PKEY_free(pkey);
		return SN_EPARSE;
	}
	return wrap(pkey, ai, flags, true, out);
}

/* Appends the BIGNUM parameter `param` of `pkey` to buf at *used, as a
 * big-endian integer of `pad` octets (0: minimal). */
static int
raw_bn(EVP_PKEY *pkey, const char *param, size_t pad, uint8_t *buf, size_t cap, size_t *used,
       const uint8_t **v, size_t *len)
{
	BIGNUM *bn = NULL;
	if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1) {
		ERR_clear_error();
		return SN_ENOMEM;
	}
	size_t n = pad != 0 ? pad : (size_t)BN_num_bytes(bn);
	int rc = SN_OK;
	if (n == 0 || (size_t)BN_num_bytes(bn) > n) {
		rc = SN_ENOMEM; /* a zero or oversized part: not a key we made */
	} else if (cap - *used < n) {
		rc = SN_ENOSPC;
	} else if (BN_bn2binpad(bn, buf + *used, (int)n) != (int)n) {
		rc = SN_ENOMEM;
	} else {
		*v = buf + *used;
		*len = n;
		*used += n;
	}
	BN_clear_free(bn);
	return rc;
}

int
keypair_to_raw(const keypair_t *k, uint8_t *buf, size_t cap, keypair_raw_t *out)
{
	static const struct {
		enum keypair_part part;
		const char *param;
	} rsa[] = {
	    {KEYPAIR_P_MODULUS, OSSL_PKEY_PARAM_RSA_N},
	    {KEYPAIR_P_PUBEXP, OSSL_PKEY_PARAM_RSA_E},
	    {KEYPAIR_P_PRIVEXP, OSSL_PKEY_PARAM_RSA_D},
	    {KEYPAIR_P_PRIME1, OSSL_PKEY_PARAM_RSA_FACTOR1},
	    {KEYPAIR_P_PRIME2, OSSL_PKEY_PARAM_RSA_FACTOR2},
	    {KEYPAIR_P_EXP1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
	    {KEYPAIR_P_EXP2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
	    {KEYPAIR_P_COEFF, OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
	};
	keypair_raw_t raw;
	size_t used = 0;
	int rc = SN_OK;

	if (k == NULL || buf == NULL || out == NULL || !k->priv) {
		return SN_EINVAL;
	}
	const alg_info_t *ai = alg_info(k->alg);
	memset(&raw, 0, sizeof(raw));
	if (is_rsa(ai)) {
		for (size_t i = 0; i < sizeof(rsa) / sizeof(rsa[0]) && rc == SN_OK; i++) {
			rc = raw_bn(k->pkey, rsa[i].param, 0, buf, cap, &used, &raw.v[rsa[i].part],
			            &raw.len[rsa[i].part]);
		}
	} else if (ai->group != NULL) {
		rc = raw_bn(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, ai->privlen, buf, cap, &used,
		            &raw.v[KEYPAIR_P_PRIVKEY], &raw.len[KEYPAIR_P_PRIVKEY]);
	} else {
		size_t n = cap;
		if (cap < ai->privlen) {
			rc = SN_ENOSPC;
		} else if (EVP_PKEY_get_raw_private_key(k->pkey, buf, &n) != 1 ||
		           n != ai->privlen) {
			ERR_clear_error();
			rc = SN_ENOMEM;
		} else {
			raw.v[KEYPAIR_P_PRIVKEY] = buf;
			raw.len[KEYPAIR_P_PRIVKEY] = n;
		}
	}
	if (rc != SN_OK) {
		OPENSSL_cleanse(buf, used);
		return rc;
	}
	*out = raw;
	return SN_OK;
}

uint8_t
keypair_alg(const keypair_t *k)
{
	return k->alg;
}

uint16_t
keypair_flags(const keypair_t *k)
{
	return k->flags;
}

uint16_t
keypair_tag(const keypair_t *k)
{
	return k->tag;
}

bool
keypair_has_private(const keypair_t *k)
{
	return k->priv;
}

size_t
keypair_dnskey_len(const keypair_t *k)
{
	return k->dnskey_len;
}

const uint8_t *
keypair_dnskey(const keypair_t *k)
{
	return k->dnskey;
}

size_t
keypair_sig_maxlen(const keypair_t *k)
{
	return k->siglen;
}

/* Reads one DER INTEGER (X.690 8.3) at der[*pos] into `out` as `half`
 * octets, big-endian, zero-padded on the left. */
static int
der_int(const uint8_t *der, size_t len, size_t *pos, uint8_t *out, size_t half)
{
	size_t p = *pos;
	if (len - p < 2 || der[p] != 0x02 || der[p + 1] > 0x7f) {
		return SN_EPARSE;
	}
	size_t n = der[p + 1];
	p += 2;
	if (n == 0 || len - p < n) {
		return SN_EPARSE;
	}
	const uint8_t *v = der + p;
	size_t vn = n;
	while (vn > 0 && v[0] == 0) {
		v++;
		vn--;
	}
	if (vn > half) {
		return SN_EPARSE;
	}
	memset(out, 0, half - vn);
	memcpy(out + half - vn, v, vn);
	*pos = p + n;
	return SN_OK;
}

/* ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 2.2.3)
 * to the r | s of RFC 6605 4. Parsed by hand: it is on the signing path
 * and d2i_ECDSA_SIG would allocate three objects per signature. */
static int
der_to_rs(const uint8_t *der, size_t len, size_t half, uint8_t *out)
{
	size_t p = 0, body;
	if (len < 2 || der[0] != 0x30) {
		return SN_EPARSE;
	}
	if (der[1] < 0x80) {
		body = der[1];
		p = 2;
	} else if (der[1] == 0x81 && len >= 3) {
		body = der[2];
		p = 3;
	} else {
		return SN_EPARSE;
	}
	if (len - p != body) {
		return SN_EPARSE;
	}
	if (der_int(der, len, &p, out, half) != SN_OK ||
	    der_int(der, len, &p, out + half, half) != SN_OK || p != len) {
		return SN_EPARSE;
	}
	return SN_OK;
}

/* One DER INTEGER from an unsigned big-endian value: minimal, with a zero
 * octet when the top bit is set (X.690 8.3.2). */
static size_t
put_der_int(const uint8_t *v, size_t n, uint8_t *out)
{
	while (n > 1 && v[0] == 0) {
		v++;
		n--;
	}
	size_t pad = (v[0] & 0x80) != 0;
	out[0] = 0x02;
	out[1] = (uint8_t)(n + pad);
	out[2] = 0;
	memcpy(out + 2 + pad, v, n);
	return 2 + pad + n;
}

/* r | s to DER; `out` has room for 2 * (3 + half) + 3 octets. */
static size_t
rs_to_der(const uint8_t *rs, size_t half, uint8_t *out)
{
	uint8_t body[2 * (3 + 66)];
	size_t n = put_der_int(rs, half, body);
	n += put_der_int(rs + half, half, body + n);
	size_t h = 0;
	out[h++] = 0x30;
	if (n >= 0x80) {
		out[h++] = 0x81;
	}
	out[h++] = (uint8_t)n;
	memcpy(out + h, body, n);
	return h + n;
}

int
keypair_sign(const keypair_t *k, const uint8_t *data, size_t len, uint8_t *sig, size_t cap,
             size_t *sig_len)
{
	if (k == NULL || (data == NULL && len > 0) || sig == NULL || sig_len == NULL || !k->priv) {
		return SN_EINVAL;
	}
	if (cap < k->siglen) {
		return SN_ENOSPC;
	}
	int rc = SN_ENOMEM;
	uint8_t der[2 * (3 + 66) + 3];
	uint8_t *dst = k->half != 0 ? der : sig;
	size_t dlen = k->half != 0 ? sizeof(der) : cap;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	if (k->tmpl != NULL) {
		/* RSA (PKCS #1 v1.5 over the DigestInfo, RFC 5702 3) and
		 * ECDSA sign the hash; the template knows the digest. */
		uint8_t h[EVP_MAX_MD_SIZE];
		unsigned hl = 0;
		if (EVP_Digest(data, len, h, &hl, k->md, NULL) != 1 ||
		    (pctx = EVP_PKEY_CTX_dup(k->tmpl)) == NULL ||
		    EVP_PKEY_sign(pctx, dst, &dlen, h, hl) != 1) {
			ERR_clear_error();
			goto out;
		}
	} else {
		/* EdDSA signs the message itself (RFC 8032 5.1.6). */
		ctx = EVP_MD_CTX_new();
		if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) != 1 ||
		    EVP_DigestSign(ctx, dst, &dlen, data, len) != 1) {
			ERR_clear_error();
			goto out;
		}
	}
	if (k->half != 0) {
		rc = der_to_rs(der, dlen, k->half, sig);
		if (rc != SN_OK) {
			rc = SN_ENOMEM; /* OpenSSL gave us something odd */
			goto out;
		}
		dlen = 2 * k->half;
	} else if (dlen != k->siglen) {
		goto out;
	}
	*sig_len = dlen;
	rc = SN_OK;
out:
	EVP_PKEY_CTX_free(pctx);
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
keypair_verify(const keypair_t *k, const uint8_t *data, size_t len, const uint8_t *sig,
               size_t sig_len)
{
	if (k == NULL || (data == NULL && len > 0) || sig == NULL) {
		return SN_EINVAL;
	}
	/* PKCS #1 signatures are exactly as long as the modulus (RFC 8017
	 * 8.2.2); ECDSA and EdDSA ones have one length per algorithm. */
	if (sig_len != k->siglen) {
		return SN_EPARSE;
	}
	uint8_t der[2 * (3 + 66) + 3];
	const uint8_t *vsig = sig;
	size_t vlen = sig_len;
	if (k->half != 0) {
		vlen = rs_to_der(sig, k->half, der);
		vsig = der;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		return SN_ENOMEM;
	}
	int rc = SN_ENOMEM;
	if (EVP_DigestVerifyInit(ctx, NULL, k->md, NULL, k->pkey) == 1) {
		rc = EVP_DigestVerify(ctx, vsig, vlen, data, len) == 1 ? SN_OK : SN_ECHECK;
	}
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return rc;
}

void
keypair_free(keypair_t *k)
{
	if (k == NULL) {
		return;
	}
	EVP_PKEY_CTX_free(k->tmpl);
	EVP_PKEY_free(k->pkey);
	EVP_MD_free(k->md);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}
