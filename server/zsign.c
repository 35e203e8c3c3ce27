/* SPDX-License-Identifier: MIT
 * zsign.c - DNSSEC in the daemon: key states (see zsign.h).
 */
#include "server/zsign.h"

static bool
reached(int64_t t, int64_t now)
{
	return t != 0 && t <= now;
}

void
zsign_key_to_kasp(const keystore_key_t *k, kasp_key_t *out)
{
	*out = (kasp_key_t){
	    .role = (kasp_role_t)k->role,
	    .algorithm = k->algorithm,
	    .tag = k->key_tag,
	    .created = k->created,
	    .publish = k->publish,
	    .ready = k->ready,
	    .active = k->active,
	    .retire = k->retire,
	    .remove = k->remove,
	    .ds_submitted = k->ds_submitted,
	    .ds_seen = k->ds_seen,
	};
}

const char *
zsign_key_state(const keystore_key_t *k, int64_t now)
{
	kasp_key_t kk;
	if (reached(k->revoke, now) && !reached(k->remove, now)) {
		return "revoked";
	}
	zsign_key_to_kasp(k, &kk);
	return kasp_key_state(&kk, now);
}

bool
zsign_key_wants_ds(const keystore_key_t *k, int64_t now)
{
	kasp_key_t kk;
	zsign_key_to_kasp(k, &kk);
	return kasp_key_wants_ds(&kk, now) && !reached(k->revoke, now);
}

/* ---- signing ---- */

#include "sign/keypair.h"
#include "sign/signer.h"
#include "storage/zdiff.h"
#include "zone/rrtype.h"
#include "zone/rdata.h"
#include "zone/wire.h"
#include "zone/zfile.h"
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

/* Is `z` (by id) one of `ks`? */
static bool
has_key(const struct zkeys *ks, const struct zkey *z)
{
	for (size_t i = 0; i < ks->n; i++) {
		if (memcmp(ks->v[i].k.id, z->k.id, KEYSTORE_ID_LEN) == 0) {
			return true;
		}
	}
	return false;
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

/* The signer's keys (loaded from `ks`, by their states at `now`) and its
 * parameters by the policy. *sk is the caller's (free); the key pairs stay
 * in `ks`. */
static int
signer_setup(struct zkeys *ks, const conf_policy_t *pol, int64_t now, signer_key_t **sk_out,
	     size_t *nsk_out, signer_params_t *p, char *err)
{
	signer_key_t *sk = calloc(ks->n + 1, sizeof(*sk));
	size_t nsk = 0, ncds = 0;
	bool cds_always = pol->cds_cdnskey_publish == CONF_CDS_ALWAYS ||
			  pol->cds_cdnskey_publish == CONF_CDS_DOUBLE_DS;
	int rc = SN_OK;
	if (sk == NULL) {
		return SN_ENOMEM;
	}
	for (size_t i = 0; i < ks->n; i++) {
		struct zkey *z = &ks->v[i];
		kasp_key_t kk;
		zsign_key_to_kasp(&z->k, &kk);
		bool publish = kasp_key_publishes(&kk, now);
		bool sign = kasp_key_signs(&kk, now);
		bool cds = pol->cds_cdnskey_publish != CONF_CDS_NONE &&
			   pol->cds_cdnskey_publish != CONF_CDS_DELETE_DNSSEC &&
			   kasp_key_cds(&kk, now, cds_always);
		if (!publish) {
			continue;
		}
		ncds += cds;
		if (sign) {
			rc = keypair_from_pem((const char *)z->k.privkey, z->k.privkey_len,
					      z->k.algorithm, z->k.flags, &z->pair);
		} else {
			rc = keypair_from_dnskey(z->k.dnskey, z->k.dnskey_len, &z->pair);
		}
		if (rc != SN_OK) {
			free(sk);
			return zs_fail(err, rc, "key %u (%s): cannot load it: %s", z->k.key_tag,
				       keystore_role_name(z->k.role), sn_strerror(rc));
		}
		sk[nsk++] = (signer_key_t){
		    .key = z->pair,
		    .ksk = z->k.role == KEYSTORE_KSK || z->k.role == KEYSTORE_CSK,
		    .zsk = z->k.role == KEYSTORE_ZSK || z->k.role == KEYSTORE_CSK,
		    .publish = true,
		    .sign = sign,
		    .cds = cds,
		};
	}
	*p = (signer_params_t){
	    .nsec3 = pol->nsec3,
	    .iterations = pol->nsec3_iterations,
	    .salt_len = pol->nsec3_salt_length,
	    .opt_out = pol->nsec3_opt_out,
	    /* an hour back for clocks behind ours (RFC 6781 4.4.2.2) */
	    .inception = (uint32_t)(now - 3600),
	    .expiration = (uint32_t)(now + (int64_t)pol->rrsig_lifetime),
	    .jitter = pol->rrsig_jitter,
	    .dnskey_ttl = pol->dnskey_ttl == CONF_POLICY_AUTO ? 0 : pol->dnskey_ttl,
	    .cds = ncds > 0,
	    .cds_delete = pol->cds_cdnskey_publish == CONF_CDS_DELETE_DNSSEC,
	    .cds_digest = pol->cds_digest_type,
	};
	*sk_out = sk;
	*nsk_out = nsk;
	return SN_OK;
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
	size_t nsk = 0;
	signer_params_t p;
	rc = signer_setup(&ks, pol, now, &sk, &nsk, &p, err);
	if (rc != SN_OK) {
		goto out;
	}
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

/* ---- the policy's clock ---- */

void
zsign_kasp_policy(const conf_policy_t *pol, uint32_t soa_ttl, uint32_t max_ttl, kasp_policy_t *out)
{
	*out = (kasp_policy_t){
	    .algorithm = pol->algorithm,
	    .single_type = pol->single_type_signing,
	    .manual = pol->manual,
	    .ksk_lifetime = pol->ksk_lifetime,
	    .zsk_lifetime = pol->zsk_lifetime,
	    .propagation_delay = pol->propagation_delay,
	    .dnskey_ttl = pol->dnskey_ttl == CONF_POLICY_AUTO ? soa_ttl : pol->dnskey_ttl,
	    .zone_max_ttl = pol->zone_max_ttl == CONF_POLICY_AUTO ? max_ttl : pol->zone_max_ttl,
	    .delete_delay = pol->delete_delay,
	    .parent_delay = pol->ksk_submission != NULL ? pol->ksk_submission->parent_delay : 0,
	};
}

/* Writes the times of `kk` back to the stored key `z`. */
static int
put_times(store_txn_t *txn, const uint8_t *apex, struct zkey *z, const kasp_key_t *kk)
{
	z->k.ready = kk->ready;
	z->k.active = kk->active;
	z->k.retire = kk->retire;
	z->k.remove = kk->remove;
	z->k.ds_submitted = kk->ds_submitted;
	z->k.ds_seen = kk->ds_seen;
	return keystore_put(txn, apex, &z->k);
}

static int
kasp_load(store_txn_t *txn, const uint8_t *apex, struct zkeys *ks, kasp_key_t **kk)
{
	int rc = keystore_list(txn, apex, collect_key, ks);
	if (rc != SN_OK) {
		return rc;
	}
	*kk = calloc(ks->n + 1, sizeof(**kk));
	if (*kk == NULL) {
		return SN_ENOMEM;
	}
	for (size_t i = 0; i < ks->n; i++) {
		zsign_key_to_kasp(&ks->v[i].k, &(*kk)[i]);
	}
	return SN_OK;
}

int
zsign_keys_step(store_txn_t *txn, const uint8_t *apex, const conf_policy_t *pol,
		const kasp_policy_t *kp, int64_t now, unsigned force, bool write,
		kasp_plan_t *plan, bool *changed, char err[ZSIGN_ERRLEN])
{
	int rc = SN_OK;
	*changed = false;
	err[0] = '\0';
	/* one new key per round: make it, store it, look again */
	for (int round = 0; round < 4; round++) {
		struct zkeys ks = {0};
		kasp_key_t *kk = NULL;
		rc = kasp_load(txn, apex, &ks, &kk);
		if (rc == SN_OK) {
			rc = kasp_step(kk, ks.n, kp, now, round == 0 ? force : 0, plan);
			if (rc == SN_EINVAL) {
				zs_fail(err, rc, "no rollover can start now: %s",
					plan->step[0] != '\0' ? plan->step
							      : "no active key of that kind, or one "
								"is rolling already");
			}
		}
		for (size_t i = 0; rc == SN_OK && write && i < ks.n; i++) {
			if (kk[i].drop) {
				rc = keystore_delete(txn, apex, ks.v[i].k.id);
				*changed = true;
			} else if (kk[i].changed) {
				rc = put_times(txn, apex, &ks.v[i], &kk[i]);
				*changed = true;
			}
		}
		bool again = rc == SN_OK && write && plan->make_key;
		if (again) {
			const kasp_key_t *nk = &plan->new_key;
			keystore_role_t role = (keystore_role_t)nk->role;
			uint16_t flags = role == KEYSTORE_ZSK ? KEYPAIR_FLAGS_ZSK : KEYPAIR_FLAGS_KSK;
			bool rsa = nk->algorithm == DNSSEC_ALG_RSASHA256 ||
				   nk->algorithm == DNSSEC_ALG_RSASHA512;
			unsigned bits = rsa ? (role == KEYSTORE_ZSK ? pol->zsk_size : pol->ksk_size) : 0;
			keypair_t *pair = NULL;
			rc = keypair_generate(nk->algorithm, bits, flags, &pair);
			if (rc == SN_OK) {
				rc = zsign_key_add(txn, apex, pair, role, now, NULL, err);
			}
			keypair_free(pair);
			if (rc == SN_OK) {
				/* the new key's times are the plan's, not "active now" */
				struct zkeys ks2 = {0};
				rc = keystore_list(txn, apex, collect_key, &ks2);
				for (size_t i = 0; rc == SN_OK && i < ks2.n; i++) {
					if (ks2.v[i].k.created == now && ks2.v[i].k.active == now &&
					    ks2.v[i].k.role == role && !has_key(&ks, &ks2.v[i])) {
						rc = put_times(txn, apex, &ks2.v[i], nk);
					}
				}
				zkeys_free(&ks2);
			}
			*changed = true;
		}
		zkeys_free(&ks);
		free(kk);
		if (!again) {
			break;
		}
	}
	return rc;
}

int
zsign_ds_seen(store_txn_t *txn, const uint8_t *apex, const kasp_policy_t *kp, int64_t now,
	      uint16_t *tag)
{
	struct zkeys ks = {0};
	kasp_key_t *kk = NULL;
	int rc = kasp_load(txn, apex, &ks, &kk);
	if (rc == SN_OK) {
		rc = kasp_ds_seen(kk, ks.n, kp, now);
	}
	for (size_t i = 0; rc == SN_OK && i < ks.n; i++) {
		if (kk[i].changed) {
			rc = put_times(txn, apex, &ks.v[i], &kk[i]);
			if (kk[i].ds_seen == now && tag != NULL) {
				*tag = kk[i].tag;
			}
		}
	}
	zkeys_free(&ks);
	free(kk);
	return rc;
}

/* ---- a change signed incrementally ---- */

/* Appends the records of `src` to `dst`. */
static int
append(rrlist_t *dst, const rrlist_t *src)
{
	for (size_t i = 0; i < rrlist_count(src); i++) {
		rrlist_rr_t r = rrlist_get(src, i);
		zfile_rr_t z = {.owner = r.owner, .type = r.type, .rclass = r.rclass,
				.ttl = r.ttl, .rdlen = r.rdlen, .rdata = r.rdata, .file = "change"};
		int rc = rrlist_add(dst, &z);
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

static int
add_soa(rrlist_t *dst, const store_rr_t *soa, uint32_t serial)
{
	uint8_t rd[RDATA_MAXLEN];
	if (soa->rdlen < 20) { /* rdlen is 16 bits: RDATA_MAXLEN holds any */
		return SN_EINVAL;
	}
	memcpy(rd, soa->rdata, soa->rdlen);
	if (serial != 0) {
		wire_write_u32(rd + soa->rdlen - 20, serial);
	}
	zfile_rr_t z = {.owner = soa->owner, .type = RRTYPE_SOA, .rclass = soa->rclass,
			.ttl = soa->ttl, .rdlen = soa->rdlen, .rdata = rd, .file = "change"};
	return rrlist_add(dst, &z);
}

/* The NSEC3 parameters the zone is signed with: its NSEC3PARAM. */
static void
nsec3_params_of(const snap_t *cur, signer_params_t *p)
{
	const snap_rrset_t *np = snap_node_rrset(snap_apex_node(cur), RRTYPE_NSEC3PARAM);
	if (np == NULL || np->count < 1) {
		return;
	}
	uint16_t len = wire_read_u16(np->rdata);
	const uint8_t *rd = np->rdata + 2;
	if (len >= 5 && 5u + rd[4] <= len) {
		p->iterations = wire_read_u16(rd + 2);
		p->salt_len = rd[4];
		memcpy(p->salt, rd + 5, rd[4]);
	}
}

int
zsign_apply_change(store_txn_t *txn, const uint8_t *apex, const conf_policy_t *pol,
		   const snap_t *cur, const zdiff_t *d, uint32_t new_serial, int64_t now,
		   uint32_t refresh_before, rrlist_t **srm_out, rrlist_t **sadd_out,
		   zsign_info_t *info, char err[ZSIGN_ERRLEN])
{
	struct zkeys ks = {0};
	signer_key_t *sk = NULL;
	size_t nsk = 0;
	signer_params_t p;
	rrlist_t *rem = rrlist_new(), *add = rrlist_new(), *srm = NULL, *sadd = NULL;
	zdiff_t *sd = NULL;
	store_rr_t before, after;
	struct timespec t0, t1;
	int rc = rem != NULL && add != NULL ? SN_OK : SN_ENOMEM;

	err[0] = '\0';
	if (rc == SN_OK && (!zdiff_soa_before(d, &before) || !zdiff_soa_after(d, &after))) {
		rc = zs_fail(err, SN_EINVAL, "a change without its SOA");
	}
	/* the signer sees the SOA change like any other, with the new serial */
	if (rc == SN_OK && (rc = append(rem, zdiff_removed(d))) == SN_OK &&
	    (rc = append(add, zdiff_added(d))) == SN_OK && (rc = add_soa(rem, &before, 0)) == SN_OK &&
	    (rc = add_soa(add, &after, new_serial)) == SN_OK && (rc = rrlist_sort(rem)) == SN_OK) {
		rc = rrlist_sort(add);
	}
	if (rc == SN_OK && (rc = keystore_list(txn, apex, collect_key, &ks)) == SN_OK) {
		rc = signer_setup(&ks, pol, now, &sk, &nsk, &p, err);
	}
	if (rc != SN_OK) {
		goto out;
	}
	nsec3_params_of(cur, &p);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = signer_sign_incremental(cur, rem, add, sk, nsk, &p, refresh_before, &srm, &sadd, err,
				     ZSIGN_ERRLEN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc != SN_OK) {
		goto out; /* SN_ENOTSUP: the caller signs the whole zone */
	}
	if ((rc = zdiff_new(&sd)) != SN_OK) {
		goto out;
	}
	for (int side = 0; side < 2 && rc == SN_OK; side++) {
		const rrlist_t *l = side == 0 ? srm : sadd;
		for (size_t i = 0; rc == SN_OK && i < rrlist_count(l); i++) {
			rrlist_rr_t r = rrlist_get(l, i);
			store_rr_t x = {.owner = r.owner, .type = r.type, .rclass = r.rclass,
					.ttl = r.ttl, .rdlen = r.rdlen, .rdata = r.rdata};
			rc = side == 0 ? zdiff_remove(sd, &x) : zdiff_add(sd, &x);
		}
	}
	if (rc == SN_OK && (rc = zdiff_sort(sd)) == SN_OK) {
		rc = store_zone_apply_signed(txn, apex, d, sd, new_serial);
		if (rc != SN_OK) {
			zs_fail(err, rc, "cannot store the signed change: %s", sn_strerror(rc));
		}
	}
	if (rc == SN_OK) {
		size_t n = 0;
		for (size_t i = 0; i < rrlist_count(sadd); i++) {
			n += rrlist_type(sadd, i) == RRTYPE_RRSIG;
		}
		if (info != NULL) {
			*info = (zsign_info_t){
			    .signatures = n,
			    .records = rrlist_count(sadd),
			    .seconds = (double)(t1.tv_sec - t0.tv_sec) +
				       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
			};
		}
		*srm_out = srm;
		*sadd_out = sadd;
		srm = sadd = NULL;
	}
out:
	zdiff_free(sd);
	rrlist_free(srm);
	rrlist_free(sadd);
	rrlist_free(rem);
	rrlist_free(add);
	free(sk);
	zkeys_free(&ks);
	return rc;
}

int
zsign_waiting_key(store_txn_t *txn, const uint8_t *apex, int64_t now, uint8_t *dnskey, size_t cap,
		  size_t *len, uint16_t *tag, int64_t *ready)
{
	struct zkeys ks = {0};
	int rc = keystore_list(txn, apex, collect_key, &ks);
	if (rc == SN_OK) {
		rc = SN_ENOTFOUND;
		for (size_t i = 0; i < ks.n; i++) {
			kasp_key_t kk;
			zsign_key_to_kasp(&ks.v[i].k, &kk);
			if (kasp_key_cds(&kk, now, false) && ks.v[i].k.dnskey_len <= cap) {
				memcpy(dnskey, ks.v[i].k.dnskey, ks.v[i].k.dnskey_len);
				*len = ks.v[i].k.dnskey_len;
				*tag = ks.v[i].k.key_tag;
				*ready = ks.v[i].k.ready;
				rc = SN_OK;
				break;
			}
		}
	}
	zkeys_free(&ks);
	return rc;
}
