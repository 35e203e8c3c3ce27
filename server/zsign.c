/* SPDX-License-Identifier: MIT
 * zsign.c - DNSSEC in the daemon: key states (see zsign.h).
 */
#include "server/zsign.h"

static bool
reached(int64_t t, int64_t now)
{
	return t != 0 && t <= now;
}

const char *
zsign_key_state(const keystore_key_t *k, int64_t now)
{
	if (reached(k->remove, now)) {
		return "removed";
	}
	if (reached(k->revoke, now)) {
		return "revoked";
	}
	if (reached(k->retire, now)) {
		return "retired";
	}
	if (reached(k->active, now)) {
		return "active";
	}
	if (reached(k->ready, now)) {
		return "ready";
	}
	if (reached(k->publish, now)) {
		return "published";
	}
	return "generated";
}

bool
zsign_key_wants_ds(const keystore_key_t *k, int64_t now)
{
	return (k->role == KEYSTORE_KSK || k->role == KEYSTORE_CSK) && reached(k->publish, now) &&
	       !reached(k->remove, now) && !reached(k->revoke, now);
}

/* ---- signing ---- */

#include "sign/keypair.h"
#include "sign/signer.h"
#include "zone/rrtype.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

bool
zsign_is_signer_type(uint16_t type, bool cds_managed)
{
	switch (type) {
	case RRTYPE_RRSIG:
	case RRTYPE_NSEC:
	case RRTYPE_NSEC3:
	case RRTYPE_NSEC3PARAM:
	case RRTYPE_DNSKEY:
		return true;
	case RRTYPE_CDS:
	case RRTYPE_CDNSKEY:
		return cds_managed;
	default:
		return false;
	}
}

/* A key read from the store, with what the signer needs. */
struct zkey {
	keystore_key_t k; /* dnskey and privkey point into `mem` */
	uint8_t *mem;
	keypair_t *pair;
};

struct zkeys {
	struct zkey *v;
	size_t n, cap;
	int rc;
};

static int
collect_key(void *ctx, const keystore_key_t *k)
{
	struct zkeys *ks = ctx;
	if (ks->n == ks->cap) {
		size_t cap = ks->cap == 0 ? 4 : 2 * ks->cap;
		struct zkey *v = realloc(ks->v, cap * sizeof(*v));
		if (v == NULL) {
			return SN_ENOMEM;
		}
		ks->v = v;
		ks->cap = cap;
	}
	struct zkey *z = &ks->v[ks->n];
	memset(z, 0, sizeof(*z));
	z->mem = malloc((size_t)k->dnskey_len + k->privkey_len + 1);
	if (z->mem == NULL) {
		return SN_ENOMEM;
	}
	z->k = *k;
	memcpy(z->mem, k->dnskey, k->dnskey_len);
	memcpy(z->mem + k->dnskey_len, k->privkey, k->privkey_len);
	z->k.dnskey = z->mem;
	z->k.privkey = z->mem + k->dnskey_len;
	ks->n++;
	return SN_OK;
}

static void
zkeys_free(struct zkeys *ks)
{
	for (size_t i = 0; i < ks->n; i++) {
		keypair_free(ks->v[i].pair);
		/* the private key was in there */
		explicit_bzero(ks->v[i].mem, ks->v[i].k.dnskey_len + ks->v[i].k.privkey_len);
		free(ks->v[i].mem);
	}
	free(ks->v);
}

static int zs_fail(char *err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
zs_fail(char *err, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, ZSIGN_ERRLEN, fmt, ap);
	va_end(ap);
	return rc;
}

/* Does zone `apex` hold a key with this DNSKEY already? */
struct dup_walk {
	const uint8_t *rd;
	size_t len;
	bool found;
};

static int
dup_cb(void *ctx, const keystore_key_t *k)
{
	struct dup_walk *w = ctx;
	/* the REVOKE bit aside, a key is the same key (RFC 5011 7) */
	if (k->dnskey_len == w->len && k->dnskey_len >= 4 && w->len >= 4 &&
	    memcmp(k->dnskey + 2, w->rd + 2, w->len - 2) == 0) {
		w->found = true;
	}
	return SN_OK;
}

int
zsign_key_add(store_txn_t *txn, const uint8_t *apex, const keypair_t *kp, keystore_role_t role,
	      int64_t now, uint16_t *tag, char err[ZSIGN_ERRLEN])
{
	char *pem = NULL;
	size_t pem_len = 0;
	struct dup_walk w = {.rd = keypair_dnskey(kp), .len = keypair_dnskey_len(kp)};
	bool sep = (keypair_flags(kp) & KEYSTORE_FLAG_SEP) != 0;
	int rc;

	err[0] = '\0';
	if (sep != (role != KEYSTORE_ZSK)) {
		return zs_fail(err, SN_EINVAL, "a %s must %shave the SEP flag (257)",
			       keystore_role_name(role), sep ? "not " : "");
	}
	if ((rc = keystore_list(txn, apex, dup_cb, &w)) != SN_OK) {
		return zs_fail(err, rc, "cannot read the key store: %s", sn_strerror(rc));
	}
	if (w.found) {
		return zs_fail(err, SN_EEXIST, "the zone has this key already (tag %u)",
			       keypair_tag(kp));
	}
	keystore_key_t k = {
	    .algorithm = keypair_alg(kp),
	    .flags = keypair_flags(kp),
	    .role = role,
	    .key_tag = keypair_tag(kp),
	    .dnskey = keypair_dnskey(kp),
	    .dnskey_len = (uint16_t)keypair_dnskey_len(kp),
	    .created = now,
	    .publish = now,
	    .ready = now,
	    .active = now,
	};
	if ((rc = keystore_id_generate(k.id)) == SN_OK && (rc = keypair_to_pem(kp, &pem, &pem_len)) == SN_OK) {
		k.privkey = (const uint8_t *)pem;
		k.privkey_len = pem_len;
		rc = keystore_put(txn, apex, &k);
	}
	if (rc != SN_OK) {
		zs_fail(err, rc, "cannot store the key: %s", sn_strerror(rc));
	} else if (tag != NULL) {
		*tag = k.key_tag;
	}
	if (pem != NULL) {
		explicit_bzero(pem, pem_len);
		free(pem);
	}
	return rc;
}

/* Makes one key by the policy and stores it, active from `now`. */
static int
make_key(store_txn_t *txn, const uint8_t *apex, const conf_policy_t *pol, keystore_role_t role,
	 int64_t now, char *err)
{
	uint16_t flags = role == KEYSTORE_ZSK ? KEYPAIR_FLAGS_ZSK : KEYPAIR_FLAGS_KSK;
	bool rsa = pol->algorithm == DNSSEC_ALG_RSASHA256 || pol->algorithm == DNSSEC_ALG_RSASHA512;
	unsigned bits = rsa ? (role == KEYSTORE_ZSK ? pol->zsk_size : pol->ksk_size) : 0;
	keypair_t *kp = NULL;
	int rc = keypair_generate(pol->algorithm, bits, flags, &kp);
	if (rc != SN_OK) {
		return zs_fail(err, rc, "cannot make a key of algorithm %u: %s", pol->algorithm,
			       sn_strerror(rc));
	}
	rc = zsign_key_add(txn, apex, kp, role, now, NULL, err);
	keypair_free(kp);
	return rc;
}

static bool
reached_at(int64_t t, int64_t now)
{
	return t != 0 && t <= now;
}

int
zsign_zone(store_txn_t *txn, const uint8_t *apex, const conf_policy_t *pol,
	   const rrlist_t *unsigned_sorted, int64_t now, rrlist_t **signed_out,
	   zsign_info_t *info, char err[ZSIGN_ERRLEN])
{
	struct zkeys ks = {0};
	signer_key_t *sk = NULL;
	rrlist_t *signed_list = NULL;
	zsign_info_t inf = {0};
	int rc;

	err[0] = '\0';
	if (!keypair_alg_is_supported(pol->algorithm)) {
		return zs_fail(err, SN_EINVAL, "algorithm %u cannot sign", pol->algorithm);
	}
	rc = keystore_list(txn, apex, collect_key, &ks);
	if (rc != SN_OK) {
		zs_fail(err, rc, "cannot read the key store: %s", sn_strerror(rc));
		goto out;
	}
	if (ks.n == 0) {
		rrlist_t *old = NULL;
		size_t had = 0;
		if (store_zone_read_signed(txn, apex, &old) == SN_OK) {
			had = rrlist_count(old);
		}
		rrlist_free(old);
		if (had > 0) {
			rc = zs_fail(err, SN_ENOTFOUND,
				     "the zone is signed but its keys are not in the store; "
				     "refusing to make new ones (import the keys)");
			goto out;
		}
		if (pol->single_type_signing) {
			rc = make_key(txn, apex, pol, KEYSTORE_CSK, now, err);
			inf.keys_made = 1;
		} else {
			rc = make_key(txn, apex, pol, KEYSTORE_KSK, now, err);
			if (rc == SN_OK) {
				rc = make_key(txn, apex, pol, KEYSTORE_ZSK, now, err);
			}
			inf.keys_made = 2;
		}
		if (rc == SN_OK) {
			rc = keystore_list(txn, apex, collect_key, &ks);
		}
		if (rc != SN_OK) {
			goto out;
		}
	}
	sk = calloc(ks.n, sizeof(*sk));
	if (sk == NULL) {
		rc = SN_ENOMEM;
		goto out;
	}
	size_t nsk = 0;
	for (size_t i = 0; i < ks.n; i++) {
		struct zkey *z = &ks.v[i];
		bool publish = reached_at(z->k.publish, now) && !reached_at(z->k.remove, now);
		bool sign = publish && reached_at(z->k.active, now) && !reached_at(z->k.retire, now);
		if (!publish) {
			continue;
		}
		if (sign) {
			rc = keypair_from_pem((const char *)z->k.privkey, z->k.privkey_len,
					      z->k.algorithm, z->k.flags, &z->pair);
		} else {
			rc = keypair_from_dnskey(z->k.dnskey, z->k.dnskey_len, &z->pair);
		}
		if (rc != SN_OK) {
			zs_fail(err, rc, "key %u (%s): cannot load it: %s", z->k.key_tag,
				keystore_role_name(z->k.role), sn_strerror(rc));
			goto out;
		}
		sk[nsk++] = (signer_key_t){
		    .key = z->pair,
		    .ksk = z->k.role == KEYSTORE_KSK || z->k.role == KEYSTORE_CSK,
		    .zsk = z->k.role == KEYSTORE_ZSK || z->k.role == KEYSTORE_CSK,
		    .publish = true,
		    .sign = sign,
		    .cds = z->k.role != KEYSTORE_ZSK && sign,
		};
	}
	signer_params_t p = {
	    .nsec3 = pol->nsec3,
	    .iterations = pol->nsec3_iterations,
	    .salt_len = pol->nsec3_salt_length,
	    .opt_out = pol->nsec3_opt_out,
	    /* an hour back for clocks behind ours (RFC 6781 4.4.2.2) */
	    .inception = (uint32_t)(now - 3600),
	    .expiration = (uint32_t)(now + (int64_t)pol->rrsig_lifetime),
	    .jitter = pol->rrsig_jitter,
	    .dnskey_ttl = pol->dnskey_ttl == CONF_POLICY_AUTO ? 0 : pol->dnskey_ttl,
	    .cds = pol->cds_cdnskey_publish == CONF_CDS_ALWAYS ||
		   pol->cds_cdnskey_publish == CONF_CDS_DOUBLE_DS,
	    .cds_delete = pol->cds_cdnskey_publish == CONF_CDS_DELETE_DNSSEC,
	    .cds_digest = pol->cds_digest_type,
	};
	if (p.salt_len > 0 && getrandom(p.salt, p.salt_len, 0) != (ssize_t)p.salt_len) {
		rc = zs_fail(err, SN_EIO, "no random salt");
		goto out;
	}
	signer_stats_t st;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = signer_sign_full_stats(unsigned_sorted, apex, sk, nsk, &p, &signed_list, &st, err,
				    ZSIGN_ERRLEN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc != SN_OK) {
		goto out;
	}
	rc = store_zone_import_signed(txn, apex, signed_list);
	if (rc != SN_OK) {
		zs_fail(err, rc, "cannot store the signed records: %s", sn_strerror(rc));
		goto out;
	}
	inf.signatures = st.signatures;
	inf.records = rrlist_count(signed_list);
	inf.expiration = p.expiration - p.jitter;
	inf.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (info != NULL) {
		*info = inf;
	}
	if (signed_out != NULL) {
		*signed_out = signed_list;
		signed_list = NULL;
	}
out:
	rrlist_free(signed_list);
	free(sk);
	zkeys_free(&ks);
	return rc;
}
