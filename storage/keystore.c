/* SPDX-License-Identifier: MIT
 * keystore.c - DNSSEC keys per zone in the `keys` database: encode, check, put, get, list.
 *
 * A value, as stored (integers big-endian):
 *	u8 version, u8 algorithm, u16 flags, u8 role, u16 key tag,
 *	u8 number of times (KS_TIMES today), that many i64 times in the
 *	order of keystore_key_t, u16 DNSKEY RDATA length, RDATA,
 *	u32 private key length, private key.
 * The count of times lets a later version add one without a new layout:
 * a reader takes the times it knows and skips the others.
 */
#include "storage/keystore.h"
#include "storage/internal/store_int.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define KS_VERSION 1
#define KS_TIMES 11
#define KS_KEYLEN (4 + KEYSTORE_ID_LEN)

/* The times of `k` in stored order. */
static int64_t *
times_of(keystore_key_t *k, size_t i)
{
	int64_t *t[KS_TIMES] = {
	    &k->created,       &k->publish,      &k->ready,       &k->active,
	    &k->retire_active, &k->retire,       &k->post_active, &k->revoke,
	    &k->remove,        &k->ds_submitted, &k->ds_seen,
	};
	return t[i];
}

/* RFC 4034 appendix B: the key tag of DNSKEY RDATA (algorithm 1 is gone
 * and refused by the caller's algorithm check). */
static uint16_t
key_tag(const uint8_t *rd, size_t len)
{
	uint32_t ac = 0;
	for (size_t i = 0; i < len; i++) {
		ac += (i & 1) ? rd[i] : (uint32_t)rd[i] << 8;
	}
	ac += (ac >> 16) & 0xffff;
	return (uint16_t)(ac & 0xffff);
}

static int
check_key(const keystore_key_t *k)
{
	if (k->role != KEYSTORE_KSK && k->role != KEYSTORE_ZSK && k->role != KEYSTORE_CSK) {
		return SN_EINVAL;
	}
	/* RFC 4034 2.1.1: a zone key has bit 7; RFC 5011 adds REVOKE; the
	 * SEP bit marks the key that signs the DNSKEY RRset (KSK, CSK). */
	uint16_t known = KEYSTORE_FLAG_ZONE | KEYSTORE_FLAG_REVOKE | KEYSTORE_FLAG_SEP;
	if ((k->flags & KEYSTORE_FLAG_ZONE) == 0 || (k->flags & ~known) != 0) {
		return SN_EINVAL;
	}
	bool sep = (k->flags & KEYSTORE_FLAG_SEP) != 0;
	if (sep != (k->role != KEYSTORE_ZSK)) {
		return SN_EINVAL;
	}
	/* RFC 4034 2.1.2: protocol 3; the RDATA must say what the fields say. */
	if (k->dnskey == NULL || k->dnskey_len < 5 ||
	    rdata_check(RRTYPE_DNSKEY, k->dnskey, k->dnskey_len) != SN_OK ||
	    st_get_u16(k->dnskey) != k->flags || k->dnskey[2] != 3 ||
	    k->dnskey[3] != k->algorithm || k->algorithm == 0 || k->algorithm == 1 ||
	    key_tag(k->dnskey, k->dnskey_len) != k->key_tag) {
		return SN_EINVAL;
	}
	if (k->privkey_len > KEYSTORE_PRIVKEY_MAX || (k->privkey_len > 0 && k->privkey == NULL)) {
		return SN_EINVAL;
	}
	return SN_OK;
}

static void
encode(sbuf_t *b, const keystore_key_t *k)
{
	keystore_key_t c = *k;
	sbuf_u8(b, KS_VERSION);
	sbuf_u8(b, k->algorithm);
	sbuf_u16(b, k->flags);
	sbuf_u8(b, (uint8_t)k->role);
	sbuf_u16(b, k->key_tag);
	sbuf_u8(b, KS_TIMES);
	for (size_t i = 0; i < KS_TIMES; i++) {
		sbuf_u64(b, (uint64_t)*times_of(&c, i));
	}
	sbuf_u16(b, k->dnskey_len);
	sbuf_put(b, k->dnskey, k->dnskey_len);
	sbuf_u32(b, (uint32_t)k->privkey_len);
	sbuf_put(b, k->privkey, k->privkey_len);
}

static int
decode(const MDB_val *kv, const MDB_val *v, keystore_key_t *out)
{
	srd_t r = {.p = v->mv_data, .left = v->mv_size};
	keystore_key_t k;

	memset(&k, 0, sizeof(k));
	if (kv->mv_size != KS_KEYLEN || srd_u8(&r) != KS_VERSION) {
		return SN_ESTORE;
	}
	memcpy(k.id, (const uint8_t *)kv->mv_data + 4, KEYSTORE_ID_LEN);
	k.algorithm = srd_u8(&r);
	k.flags = srd_u16(&r);
	k.role = (keystore_role_t)srd_u8(&r);
	k.key_tag = srd_u16(&r);
	uint8_t nt = srd_u8(&r);
	for (size_t i = 0; i < nt; i++) {
		int64_t t = (int64_t)srd_u64(&r);
		if (i < KS_TIMES) {
			*times_of(&k, i) = t;
		}
	}
	k.dnskey_len = srd_u16(&r);
	k.dnskey = srd_take(&r, k.dnskey_len);
	k.privkey_len = srd_u32(&r);
	k.privkey = srd_take(&r, k.privkey_len);
	if (r.bad || r.left != 0 || check_key(&k) != SN_OK) {
		return SN_ESTORE;
	}
	*out = k;
	return SN_OK;
}

static size_t
kkey(uint32_t zid, const uint8_t id[KEYSTORE_ID_LEN], uint8_t out[KS_KEYLEN])
{
	st_put_u32(out, zid);
	memcpy(out + 4, id, KEYSTORE_ID_LEN);
	return KS_KEYLEN;
}

int
keystore_put(store_txn_t *t, const uint8_t *apex, const keystore_key_t *k)
{
	zrec_t z;
	sbuf_t b = {0};
	uint8_t key[KS_KEYLEN];
	int rc = st_usable(t, true);
	if (rc != SN_OK) {
		return rc;
	}
	rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	if (k == NULL || check_key(k) != SN_OK) {
		return SN_EINVAL;
	}
	encode(&b, k);
	if (b.oom) {
		sbuf_free(&b);
		return SN_ENOMEM;
	}
	MDB_val kv = {.mv_size = kkey(z.m.id, k->id, key), .mv_data = key};
	MDB_val v = {.mv_size = b.len, .mv_data = b.p};
	rc = st_mdb_err(t, mdb_put(t->mdb, t->s->dbi_keys, &kv, &v, 0), "writing a key");
	sbuf_free(&b);
	return st_poison(t, rc == SN_ENOTFOUND ? SN_ESTORE : rc);
}

int
keystore_get(store_txn_t *t, const uint8_t *apex, const uint8_t id[KEYSTORE_ID_LEN],
             keystore_key_t *out)
{
	zrec_t z;
	uint8_t key[KS_KEYLEN];
	int rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	if (id == NULL) {
		return SN_EINVAL;
	}
	MDB_val kv = {.mv_size = kkey(z.m.id, id, key), .mv_data = key}, v;
	rc = st_mdb_err(t, mdb_get(t->mdb, t->s->dbi_keys, &kv, &v), "reading a key");
	if (rc != SN_OK) {
		return rc;
	}
	if (decode(&kv, &v, out) != SN_OK) {
		st_set_err(t->s, "zone %u: corrupt key", z.m.id);
		return SN_ESTORE;
	}
	return SN_OK;
}

int
keystore_list(store_txn_t *t, const uint8_t *apex, int (*cb)(void *ctx, const keystore_key_t *k),
              void *ctx)
{
	zrec_t z;
	MDB_cursor *c;
	uint8_t pfx[4];
	keystore_key_t k;
	int rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	rc = st_mdb_err(t, mdb_cursor_open(t->mdb, t->s->dbi_keys, &c), "opening a cursor");
	if (rc != SN_OK) {
		return rc == SN_ENOTFOUND ? SN_ESTORE : rc;
	}
	st_put_u32(pfx, z.m.id);
	MDB_val kv = {.mv_size = 4, .mv_data = pfx}, v;
	int mrc = mdb_cursor_get(c, &kv, &v, MDB_SET_RANGE);
	while (mrc == 0 && kv.mv_size >= 4 && memcmp(kv.mv_data, pfx, 4) == 0) {
		if (decode(&kv, &v, &k) != SN_OK) {
			st_set_err(t->s, "zone %u: corrupt key", z.m.id);
			rc = SN_ESTORE;
			break;
		}
		rc = cb(ctx, &k);
		if (rc != SN_OK) {
			break;
		}
		mrc = mdb_cursor_get(c, &kv, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc == SN_OK && mrc != 0 && mrc != MDB_NOTFOUND) {
		rc = st_mdb_err(t, mrc, "reading keys");
	}
	return rc;
}

int
keystore_delete(store_txn_t *t, const uint8_t *apex, const uint8_t id[KEYSTORE_ID_LEN])
{
	zrec_t z;
	uint8_t key[KS_KEYLEN];
	int rc = st_usable(t, true);
	if (rc != SN_OK) {
		return rc;
	}
	rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	if (id == NULL) {
		return SN_EINVAL;
	}
	MDB_val kv = {.mv_size = kkey(z.m.id, id, key), .mv_data = key};
	rc = st_mdb_err(t, mdb_del(t->mdb, t->s->dbi_keys, &kv, NULL), "deleting a key");
	if (rc == SN_ENOTFOUND) {
		return SN_ENOTFOUND; /* nothing changed: the transaction stays usable */
	}
	return st_poison(t, rc);
}

int
keystore_id_generate(uint8_t id[KEYSTORE_ID_LEN])
{
	size_t got = 0;
	while (got < KEYSTORE_ID_LEN) {
		ssize_t n = getrandom(id + got, KEYSTORE_ID_LEN - got, 0);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return SN_EIO;
		}
		got += (size_t)n;
	}
	return SN_OK;
}

void
keystore_id_to_hex(const uint8_t id[KEYSTORE_ID_LEN], char out[KEYSTORE_ID_HEXLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < KEYSTORE_ID_LEN; i++) {
		out[2 * i] = hex[id[i] >> 4];
		out[2 * i + 1] = hex[id[i] & 15];
	}
	out[KEYSTORE_ID_HEXLEN] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

int
keystore_id_from_hex(const char *s, uint8_t id[KEYSTORE_ID_LEN])
{
	uint8_t v[KEYSTORE_ID_LEN];
	if (s == NULL || strlen(s) != KEYSTORE_ID_HEXLEN) {
		return SN_EPARSE;
	}
	for (size_t i = 0; i < KEYSTORE_ID_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			return SN_EPARSE;
		}
		v[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(id, v, KEYSTORE_ID_LEN);
	return SN_OK;
}

const char *
keystore_role_name(keystore_role_t role)
{
	switch (role) {
	case KEYSTORE_KSK:
		return "ksk";
	case KEYSTORE_ZSK:
		return "zsk";
	case KEYSTORE_CSK:
		return "csk";
	}
	return "unknown";
}
