/* SPDX-License-Identifier: MIT
 * signer.c - full zone signing spread over threads.
 *
 * Three steps. (1) One thread walks the names (nsec_zone_build); for NSEC3
 * all threads hash them, then one sorts the chain. (2) All threads take
 * chunks of work from a shared counter: a chunk is a range of names in
 * canonical order (their RRsets are signed, with their NSEC in an NSEC
 * zone) or a range of the NSEC3 chain (each NSEC3 record is built and
 * signed). A thread writes a chunk's records into that chunk's own buffer,
 * so chunks need no lock and the result does not depend on which thread
 * ran which chunk. (3) One thread copies the chunks, in order, into the
 * output list and sorts it.
 *
 * A thread reuses its scratch buffers for every RRset; they grow only
 * when an RRset is bigger than any before, so signing allocates nothing
 * per signature.
 */
#include "sign/signer.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "sign/dnskey.h"
#include "sign/nsec.h"
#include "sign/rrsig.h"
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"

#define MAX_THREADS 256
/* Names per chunk: large enough that taking a chunk costs nothing, small
 * enough that threads finish together. */
#define CHUNK_NODES 1024
#define CHUNK_NSEC3 2048
#define MAX_APEX_RR 64 /* DNSKEY/CDS/CDNSKEY records we make at the apex */

static const char SIGNER_FILE[] = "signer";

/* A record in a chunk buffer: this header (unaligned, copied), the owner
 * when `ownlen` is not 0 (else the owner of node `node`), the RDATA. */
struct ohdr {
	uint32_t node;
	uint32_t ttl;
	uint16_t type;
	uint16_t rdlen;
	uint8_t ownlen;
};

struct chunk {
	bool nsec3; /* a range of the NSEC3 chain, else of the nodes */
	size_t lo, hi;
	uint8_t *buf;
	size_t len, cap;
	size_t nrec;
	bool done; /* under job.lock */
};

/* A generated RRset at the apex. */
struct gen_set {
	uint16_t type;
	uint32_t ttl;
	size_t count;
	const uint8_t *rdata[MAX_APEX_RR];
	uint16_t rdlen[MAX_APEX_RR];
};

struct job {
	const rrlist_t *l;
	const signer_params_t *p;
	nsec_zone_t z;
	uint8_t signer[DNAME_MAXLEN]; /* the apex, lower-cased */
	const keypair_t *zsk[MAX_APEX_RR];
	size_t nzsk;
	const keypair_t *ksk[MAX_APEX_RR];
	size_t nksk;
	struct gen_set gen[4]; /* DNSKEY, NSEC3PARAM, CDS, CDNSKEY, in that order */
	size_t ngen;
	uint8_t genbuf[MAX_APEX_RR * DS_RDATA_MAXLEN + 512];
	size_t genlen;

	struct chunk *chunks;
	size_t nchunks;
	atomic_size_t next;
	atomic_bool stop;
	atomic_size_t sigs;
	atomic_size_t rrsets;
	pthread_mutex_t lock; /* guards rc, err and chunk.done */
	pthread_cond_t cond;  /* a chunk is done, or the job stops */
	int rc;
	char err[DNAME_MAXTEXT + 256];
};

/* Per-thread scratch. */
struct worker {
	struct job *j;
	uint8_t *scratch;
	size_t scap;
	const uint8_t **rd;
	uint16_t *rdl;
	size_t rcap;
	uint8_t sig[RRSIG_RDATA_MAXLEN];
	uint8_t den[NSEC3_RDATA_MAXLEN];
	size_t sigs, rrsets;
};

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (err == NULL || errlen == 0) {
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void
job_fail(struct job *j, int rc, const uint8_t *owner, uint16_t type, const char *what)
{
	char nb[DNAME_MAXTEXT], tb[RRTYPE_MAXTEXT];
	pthread_mutex_lock(&j->lock);
	if (j->rc == SN_OK) {
		j->rc = rc;
		if (owner != NULL) {
			if (dname_to_text(owner, nb, sizeof(nb)) < 0) {
				snprintf(nb, sizeof(nb), "(name)");
			}
			rrtype_to_text(type, tb, sizeof(tb));
			snprintf(j->err, sizeof(j->err), "%s %s: %s: %s", nb, tb, what,
				 sn_strerror(rc));
		} else {
			snprintf(j->err, sizeof(j->err), "%s: %s", what, sn_strerror(rc));
		}
	}
	atomic_store(&j->stop, true);
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint32_t
signer_expiration(const signer_params_t *p, const uint8_t *owner, uint16_t type)
{
	if (p->jitter == 0) {
		return p->expiration;
	}
	/* FNV-1a over the lower-cased owner and the type: cheap, stable
	 * across runs and machines, and spread enough for timing. */
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t len = dname_len(owner);
	for (size_t i = 0; i < len; i++) {
		h = (h ^ dname_lower_tab[owner[i]]) * 0x100000001b3ULL;
	}
	h = (h ^ (type >> 8)) * 0x100000001b3ULL;
	h = (h ^ (type & 0xff)) * 0x100000001b3ULL;
	h ^= h >> 29;
	return p->expiration - (uint32_t)(h % ((uint64_t)p->jitter + 1));
}

static int
chunk_reserve(struct chunk *c, size_t need)
{
	if (c->cap - c->len >= need) {
		return SN_OK;
	}
	size_t nc = c->cap != 0 ? c->cap : 64 * 1024;
	while (nc - c->len < need) {
		nc *= 2;
	}
	uint8_t *nb = realloc(c->buf, nc);
	if (nb == NULL) {
		return SN_ENOMEM;
	}
	c->buf = nb;
	c->cap = nc;
	return SN_OK;
}

static int
emit(struct chunk *c, uint32_t node, const uint8_t *owner, size_t ownlen, uint16_t type,
     uint32_t ttl, const uint8_t *rd, size_t rdlen)
{
	struct ohdr h = {node, ttl, type, (uint16_t)rdlen, (uint8_t)ownlen};
	int rc = chunk_reserve(c, sizeof(h) + ownlen + rdlen);
	if (rc != SN_OK) {
		return rc;
	}
	memcpy(c->buf + c->len, &h, sizeof(h));
	c->len += sizeof(h);
	if (ownlen > 0) {
		memcpy(c->buf + c->len, owner, ownlen);
		c->len += ownlen;
	}
	memcpy(c->buf + c->len, rd, rdlen);
	c->len += rdlen;
	c->nrec++;
	return SN_OK;
}

static int
worker_room(struct worker *w, size_t n)
{
	if (n <= w->rcap) {
		return SN_OK;
	}
	size_t nc = w->rcap != 0 ? w->rcap : 64;
	while (nc < n) {
		nc *= 2;
	}
	const uint8_t **rd = realloc(w->rd, nc * sizeof(*rd));
	if (rd == NULL) {
		return SN_ENOMEM;
	}
	w->rd = rd;
	uint16_t *rdl = realloc(w->rdl, nc * sizeof(*rdl));
	if (rdl == NULL) {
		return SN_ENOMEM;
	}
	w->rdl = rdl;
	w->rcap = nc;
	return SN_OK;
}

static bool
is_ksk_type(uint16_t t)
{
	return t == RRTYPE_DNSKEY || t == RRTYPE_CDS || t == RRTYPE_CDNSKEY;
}

/* Signs `set` with each key of its role and emits the RRSIGs at node
 * `node` (or at the inline owner `own`). */
static int
sign_set(struct worker *w, struct chunk *c, uint32_t node, const uint8_t *own, size_t ownlen,
	 const rrsig_rrset_t *set, uint32_t ttl)
{
	struct job *j = w->j;
	const keypair_t *const *keys = is_ksk_type(set->type) ? j->ksk : j->zsk;
	size_t nkeys = is_ksk_type(set->type) ? j->nksk : j->nzsk;
	size_t need = rrsig_sign_scratch_len(set);
	if (need > w->scap) {
		uint8_t *s = realloc(w->scratch, need);
		if (s == NULL) {
			return SN_ENOMEM;
		}
		w->scratch = s;
		w->scap = need;
	}
	uint32_t exp = signer_expiration(j->p, set->owner, set->type);
	for (size_t k = 0; k < nkeys; k++) {
		size_t sl = 0;
		int rc = rrsig_sign(keys[k], set, j->signer, ttl, j->p->inception, exp, w->scratch,
				    w->scap, w->sig, sizeof(w->sig), &sl);
		if (rc != SN_OK) {
			return rc;
		}
		rc = emit(c, node, own, ownlen, RRTYPE_RRSIG, ttl, w->sig, sl);
		if (rc != SN_OK) {
			return rc;
		}
		w->sigs++;
	}
	w->rrsets++;
	return SN_OK;
}

static int
do_nodes(struct worker *w, struct chunk *c)
{
	struct job *j = w->j;
	const rrlist_t *l = j->l;
	const nsec_zone_t *z = &j->z;
	int rc = SN_OK;

	for (size_t i = c->lo; i < c->hi && rc == SN_OK; i++) {
		const nsec_node_t *nd = &z->nodes[i];
		if (nd->flags & NSEC_NODE_ENT) {
			continue;
		}
		for (size_t r = nd->first; r < nd->end && rc == SN_OK;) {
			size_t e = rrlist_rrset_end(l, r);
			uint16_t t = rrlist_type(l, r);
			/* RFC 4035 2.2: at a cut only the DS RRset is
			 * authoritative and signed. */
			if ((nd->flags & NSEC_NODE_CUT) && t != RRTYPE_DS) {
				r = e;
				continue;
			}
			rc = worker_room(w, e - r);
			if (rc != SN_OK) {
				break;
			}
			rrlist_rr_t first = rrlist_get(l, r);
			for (size_t k = r; k < e; k++) {
				rrlist_rr_t rr = k == r ? first : rrlist_get(l, k);
				w->rd[k - r] = rr.rdata;
				w->rdl[k - r] = rr.rdlen;
			}
			rrsig_rrset_t set = {nd->owner, t, first.rclass, e - r, w->rd, w->rdl};
			rc = sign_set(w, c, (uint32_t)i, NULL, 0, &set, first.ttl);
			if (rc != SN_OK) {
				job_fail(j, rc, nd->owner, t, "signing failed");
				return rc;
			}
			r = e;
		}
		if ((nd->flags & NSEC_NODE_APEX) && rc == SN_OK) {
			for (size_t g = 0; g < j->ngen && rc == SN_OK; g++) {
				const struct gen_set *gs = &j->gen[g];
				for (size_t k = 0; k < gs->count && rc == SN_OK; k++) {
					rc = emit(c, (uint32_t)i, NULL, 0, gs->type, gs->ttl,
						  gs->rdata[k], gs->rdlen[k]);
				}
				rrsig_rrset_t set = {nd->owner, gs->type, z->rclass, gs->count,
						     gs->rdata, gs->rdlen};
				if (rc == SN_OK) {
					rc = sign_set(w, c, (uint32_t)i, NULL, 0, &set, gs->ttl);
				}
				if (rc != SN_OK) {
					job_fail(j, rc, nd->owner, gs->type, "signing failed");
					return rc;
				}
			}
		}
		if (!z->nsec3) {
			/* In an NSEC zone the chain is the node list. */
			size_t dl = 0;
			rc = nsec_rdata(z, l, i, w->den, sizeof(w->den), &dl);
			if (rc == SN_OK) {
				rc = emit(c, (uint32_t)i, NULL, 0, RRTYPE_NSEC, z->ttl, w->den, dl);
			}
			if (rc == SN_OK) {
				const uint8_t *rdp[1] = {w->den};
				uint16_t rdl[1] = {(uint16_t)dl};
				rrsig_rrset_t set = {nd->owner, RRTYPE_NSEC, z->rclass, 1, rdp, rdl};
				rc = sign_set(w, c, (uint32_t)i, NULL, 0, &set, z->ttl);
			}
			if (rc != SN_OK) {
				job_fail(j, rc, nd->owner, RRTYPE_NSEC, "NSEC failed");
				return rc;
			}
		}
	}
	return rc;
}

static int
do_nsec3(struct worker *w, struct chunk *c)
{
	struct job *j = w->j;
	const nsec_zone_t *z = &j->z;
	uint8_t own[DNAME_MAXLEN];

	for (size_t pos = c->lo; pos < c->hi; pos++) {
		size_t ol = 0, dl = 0;
		int rc = nsec3_owner(z, pos, own, &ol);
		if (rc == SN_OK) {
			rc = nsec3_rdata(z, j->l, pos, w->den, sizeof(w->den), &dl);
		}
		if (rc == SN_OK) {
			rc = emit(c, 0, own, ol, RRTYPE_NSEC3, z->ttl, w->den, dl);
		}
		if (rc == SN_OK) {
			const uint8_t *rdp[1] = {w->den};
			uint16_t rdl[1] = {(uint16_t)dl};
			rrsig_rrset_t set = {own, RRTYPE_NSEC3, z->rclass, 1, rdp, rdl};
			rc = sign_set(w, c, 0, own, ol, &set, z->ttl);
		}
		if (rc != SN_OK) {
			job_fail(j, rc, z->nodes[z->chain[pos]].owner, RRTYPE_NSEC3,
				 "NSEC3 failed");
			return rc;
		}
	}
	return SN_OK;
}

static void *
sign_thread(void *arg)
{
	struct worker *w = arg;
	struct job *j = w->j;
	while (!atomic_load(&j->stop)) {
		size_t ci = atomic_fetch_add(&j->next, 1);
		if (ci >= j->nchunks) {
			break;
		}
		struct chunk *c = &j->chunks[ci];
		if ((c->nsec3 ? do_nsec3(w, c) : do_nodes(w, c)) != SN_OK) {
			break;
		}
		pthread_mutex_lock(&j->lock);
		c->done = true;
		pthread_cond_broadcast(&j->cond);
		pthread_mutex_unlock(&j->lock);
	}
	atomic_fetch_add(&j->sigs, w->sigs);
	atomic_fetch_add(&j->rrsets, w->rrsets);
	return NULL;
}

static void *
hash_thread(void *arg)
{
	struct worker *w = arg;
	struct job *j = w->j;
	while (!atomic_load(&j->stop)) {
		size_t ci = atomic_fetch_add(&j->next, 1);
		size_t lo = ci * CHUNK_NODES * 4;
		if (lo >= j->z.count) {
			break;
		}
		int rc = nsec3_zone_hash(&j->z, lo, lo + CHUNK_NODES * 4);
		if (rc != SN_OK) {
			job_fail(j, rc, j->z.nodes[lo].owner, RRTYPE_NSEC3, "hashing failed");
			break;
		}
	}
	return NULL;
}

/* Runs `fn` on `n` threads (the calling thread is one of them). */
static int
run_threads(struct worker *ws, unsigned n, void *(*fn)(void *))
{
	pthread_t tid[MAX_THREADS];
	unsigned started = 0;
	int rc = SN_OK;
	atomic_store(&ws[0].j->next, 0);
	for (unsigned t = 1; t < n; t++) {
		if (pthread_create(&tid[t], NULL, fn, &ws[t]) != 0) {
			rc = SN_EIO;
			break;
		}
		started++;
	}
	fn(&ws[0]);
	for (unsigned t = 1; t <= started; t++) {
		pthread_join(tid[t], NULL);
	}
	return rc;
}

static int
key_cmp(const void *pa, const void *pb)
{
	const keypair_t *a = *(const keypair_t *const *)pa;
	const keypair_t *b = *(const keypair_t *const *)pb;
	if (keypair_alg(a) != keypair_alg(b)) {
		return keypair_alg(a) < keypair_alg(b) ? -1 : 1;
	}
	return (keypair_tag(a) > keypair_tag(b)) - (keypair_tag(a) < keypair_tag(b));
}

static int
gen_add(struct job *j, struct gen_set *gs, const uint8_t *rd, size_t len, bool copy)
{
	if (gs->count >= MAX_APEX_RR) {
		return SN_ERANGE;
	}
	if (copy) {
		if (sizeof(j->genbuf) - j->genlen < len) {
			return SN_ERANGE;
		}
		memcpy(j->genbuf + j->genlen, rd, len);
		rd = j->genbuf + j->genlen;
		j->genlen += len;
	}
	gs->rdata[gs->count] = rd;
	gs->rdlen[gs->count] = (uint16_t)len;
	gs->count++;
	return SN_OK;
}

/* Checks the keys and parameters and fills the key lists and the apex
 * RRsets we generate. */
static int
setup_keys(struct job *j, const signer_key_t *keys, size_t nkeys, const signer_params_t *p,
	   const uint8_t *apex, char *err, size_t errlen)
{
	struct gen_set *dk = &j->gen[j->ngen++];
	dk->type = RRTYPE_DNSKEY;
	if (nkeys > MAX_APEX_RR) {
		set_err(err, errlen, "too many keys (%zu; at most %d)", nkeys, MAX_APEX_RR);
		return SN_ERANGE;
	}
	size_t ncds = 0;
	for (size_t i = 0; i < nkeys; i++) {
		const signer_key_t *k = &keys[i];
		if (k->key == NULL) {
			set_err(err, errlen, "key %zu: no key", i);
			return SN_EINVAL;
		}
		uint16_t tag = keypair_tag(k->key);
		if (!(keypair_flags(k->key) & KEYPAIR_FLAG_ZONE)) {
			set_err(err, errlen, "key %u: not a zone key (RFC 4034 2.1.1)", tag);
			return SN_EINVAL;
		}
		if (k->sign && !k->publish) {
			set_err(err, errlen, "key %u signs but is not published", tag);
			return SN_EINVAL;
		}
		if (k->sign && !k->ksk && !k->zsk) {
			set_err(err, errlen, "key %u signs but is neither KSK nor ZSK", tag);
			return SN_EINVAL;
		}
		if (k->sign && !keypair_has_private(k->key)) {
			set_err(err, errlen, "key %u signs but has no private key", tag);
			return SN_EINVAL;
		}
		if (k->publish) {
			int rc = gen_add(j, dk, keypair_dnskey(k->key), keypair_dnskey_len(k->key),
					 false);
			if (rc != SN_OK) {
				set_err(err, errlen, "too many keys");
				return rc;
			}
		}
		if (k->sign && k->ksk) {
			j->ksk[j->nksk++] = k->key;
		}
		if (k->sign && k->zsk) {
			j->zsk[j->nzsk++] = k->key;
		}
		ncds += p->cds && k->cds;
	}
	if (j->nksk == 0 || j->nzsk == 0) {
		set_err(err, errlen, "no signing %s", j->nksk == 0 ? "KSK" : "ZSK");
		return SN_EINVAL;
	}
	/* RFC 4035 2.2, RFC 6840 5.11: every algorithm in the DNSKEY RRset
	 * signs every RRset, or validators may treat the zone as bogus. */
	for (size_t i = 0; i < nkeys; i++) {
		if (!keys[i].publish) {
			continue;
		}
		uint8_t alg = keypair_alg(keys[i].key);
		bool zk = false, kk = false;
		for (size_t m = 0; m < j->nzsk; m++) {
			zk = zk || keypair_alg(j->zsk[m]) == alg;
		}
		for (size_t m = 0; m < j->nksk; m++) {
			kk = kk || keypair_alg(j->ksk[m]) == alg;
		}
		if (!zk || !kk) {
			set_err(err, errlen,
				"algorithm %u is published (key %u) but has no signing %s "
				"(RFC 6840 5.11)",
				alg, keypair_tag(keys[i].key), zk ? "KSK" : "ZSK");
			return SN_EINVAL;
		}
	}
	qsort(j->zsk, j->nzsk, sizeof(j->zsk[0]), key_cmp);
	qsort(j->ksk, j->nksk, sizeof(j->ksk[0]), key_cmp);

	if (p->cds && p->cds_delete) {
		set_err(err, errlen, "CDS for keys and the CDS delete form at once");
		return SN_EINVAL;
	}
	if (p->cds && ncds == 0) {
		set_err(err, errlen, "CDS asked for but no key is marked for it");
		return SN_EINVAL;
	}
	if (p->cds || p->cds_delete) {
		struct gen_set *cds = &j->gen[j->ngen++];
		struct gen_set *cdk = &j->gen[j->ngen++];
		cds->type = RRTYPE_CDS;
		cdk->type = RRTYPE_CDNSKEY;
		if (p->cds_delete) {
			/* RFC 8078 4: CDS 0 0 0 00 and CDNSKEY 0 3 0 AA==. */
			static const uint8_t del_cds[] = {0, 0, 0, 0, 0};
			static const uint8_t del_cdnskey[] = {0, 0, 3, 0, 0};
			if (gen_add(j, cds, del_cds, sizeof(del_cds), false) != SN_OK ||
			    gen_add(j, cdk, del_cdnskey, sizeof(del_cdnskey), false) != SN_OK) {
				return SN_ERANGE;
			}
		}
		uint8_t dig = p->cds_digest != 0 ? p->cds_digest : DS_DIGEST_SHA256;
		for (size_t i = 0; p->cds && i < nkeys; i++) {
			if (!keys[i].cds) {
				continue;
			}
			uint8_t ds[DS_RDATA_MAXLEN];
			size_t dl = 0;
			const uint8_t *kr = keypair_dnskey(keys[i].key);
			size_t kl = keypair_dnskey_len(keys[i].key);
			int rc = dnskey_ds_rdata(apex, kr, kl, dig, ds, sizeof(ds), &dl);
			if (rc != SN_OK) {
				set_err(err, errlen, "CDS of key %u: %s", keypair_tag(keys[i].key),
					sn_strerror(rc));
				return rc == SN_ENOTSUP ? SN_EINVAL : rc;
			}
			if (gen_add(j, cds, ds, dl, true) != SN_OK ||
			    gen_add(j, cdk, kr, kl, false) != SN_OK) {
				set_err(err, errlen, "too many CDS keys");
				return SN_ERANGE;
			}
		}
	}
	return SN_OK;
}

int
signer_sign_full(const rrlist_t *unsigned_sorted, const uint8_t *apex, const signer_key_t *keys,
		 size_t nkeys, const signer_params_t *p, rrlist_t **signed_out, char *err,
		 size_t errlen)
{
	return signer_sign_full_stats(unsigned_sorted, apex, keys, nkeys, p, signed_out, NULL, err,
				      errlen);
}

/* Copies chunk `c`'s records into `out`. */
static int
merge_chunk(const struct job *j, const struct chunk *c, rrlist_t *out)
{
	size_t off = 0;
	for (size_t r = 0; r < c->nrec; r++) {
		struct ohdr h;
		memcpy(&h, c->buf + off, sizeof(h));
		off += sizeof(h);
		const uint8_t *owner = j->z.nodes[h.node].owner;
		if (h.ownlen > 0) {
			owner = c->buf + off;
			off += h.ownlen;
		}
		zfile_rr_t rr = {.owner = owner,
				 .type = h.type,
				 .rclass = j->z.rclass,
				 .ttl = h.ttl,
				 .rdlen = h.rdlen,
				 .rdata = c->buf + off,
				 .file = SIGNER_FILE};
		off += h.rdlen;
		int rc = rrlist_add(out, &rr);
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

/* Runs the signing threads and, on the calling thread meanwhile, copies
 * each finished chunk into `out` in chunk order. The copy is the one part
 * that cannot be shared (the list is single-threaded), so it overlaps the
 * signing instead of following it; chunk buffers are freed as they are
 * copied, which also keeps the peak memory down. Sets *t_signed when the
 * last chunk was signed. On failure j->rc and j->err say why. */
static int
sign_and_merge(struct job *j, struct worker *ws, unsigned nt, rrlist_t *out, double *t_signed)
{
	pthread_t tid[MAX_THREADS];
	unsigned started = 0;

	atomic_store(&j->next, 0);
	for (unsigned t = 0; t < nt; t++) {
		if (pthread_create(&tid[t], NULL, sign_thread, &ws[t]) != 0) {
			break;
		}
		started++;
	}
	if (started == 0) {
		/* No thread at all: sign here, then copy. */
		sign_thread(&ws[0]);
	}
	for (size_t c = 0; c < j->nchunks; c++) {
		struct chunk *ch = &j->chunks[c];
		pthread_mutex_lock(&j->lock);
		while (!ch->done && !atomic_load(&j->stop)) {
			pthread_cond_wait(&j->cond, &j->lock);
		}
		pthread_mutex_unlock(&j->lock);
		if (atomic_load(&j->stop)) {
			break;
		}
		if (c + 1 == j->nchunks) {
			*t_signed = now_s();
		}
		int rc = merge_chunk(j, ch, out);
		if (rc != SN_OK) {
			job_fail(j, rc, NULL, 0, "building the output");
			break;
		}
		free(ch->buf);
		ch->buf = NULL;
	}
	for (unsigned t = 0; t < started; t++) {
		pthread_join(tid[t], NULL);
	}
	if (j->nchunks == 0) {
		*t_signed = now_s();
	}
	return j->rc;
}

int
signer_sign_full_stats(const rrlist_t *unsigned_sorted, const uint8_t *apex,
		       const signer_key_t *keys, size_t nkeys, const signer_params_t *p,
		       rrlist_t **signed_out, signer_stats_t *stats, char *err, size_t errlen)
{
	struct job *j = NULL;
	struct worker *ws = NULL;
	rrlist_t *out = NULL;
	unsigned nt = 0;
	int rc;
	double t0 = now_s(), t1, t2 = 0;

	if (unsigned_sorted == NULL || apex == NULL || (keys == NULL && nkeys > 0) || p == NULL ||
	    signed_out == NULL) {
		set_err(err, errlen, "bad arguments");
		return SN_EINVAL;
	}
	if ((int32_t)(p->expiration - p->inception) <= 0) {
		set_err(err, errlen, "the expiration is not after the inception (RFC 4034 3.1.5)");
		return SN_EINVAL;
	}
	if (p->jitter >= p->expiration - p->inception) {
		set_err(err, errlen, "the jitter is not less than the validity period");
		return SN_EINVAL;
	}
	if (!p->nsec3 && (p->opt_out || p->salt_len > 0 || p->iterations > 0)) {
		set_err(err, errlen, "NSEC3 parameters given for an NSEC zone");
		return SN_EINVAL;
	}
	if (p->nsec3 && p->iterations > NSEC3_MAX_ITERATIONS) {
		set_err(err, errlen, "%u NSEC3 iterations is over the limit of %d (RFC 9276 3.1 "
			"advises 0)", p->iterations, NSEC3_MAX_ITERATIONS);
		return SN_ERANGE;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		set_err(err, errlen, "out of memory");
		return SN_ENOMEM;
	}
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	j->l = unsigned_sorted;
	j->p = p;
	size_t al = 0;
	if (dname_check(apex, DNAME_MAXLEN, &al) != SN_OK) {
		set_err(err, errlen, "bad apex name");
		rc = SN_EINVAL;
		goto out;
	}
	memcpy(j->signer, apex, al);
	dname_to_lower(j->signer);
	rc = setup_keys(j, keys, nkeys, p, apex, err, errlen);
	if (rc != SN_OK) {
		goto out;
	}

	/* The input may carry its own CDS/CDNSKEY only when we make none. */
	if (p->cds || p->cds_delete) {
		size_t n = rrlist_count(unsigned_sorted);
		for (size_t i = 0; i < n && rrlist_is_same_owner(unsigned_sorted, 0, i); i++) {
			uint16_t t = rrlist_type(unsigned_sorted, i);
			if (t == RRTYPE_CDS || t == RRTYPE_CDNSKEY) {
				set_err(err, errlen, "the input has a %s RRset and the signer is "
					"asked to make one", t == RRTYPE_CDS ? "CDS" : "CDNSKEY");
				rc = SN_EINVAL;
				goto out;
			}
		}
	}

	uint16_t at[8];
	size_t nat = 0;
	at[nat++] = RRTYPE_DNSKEY;
	if (p->nsec3) {
		at[nat++] = RRTYPE_NSEC3PARAM;
	}
	if (p->cds || p->cds_delete) {
		at[nat++] = RRTYPE_CDS;
		at[nat++] = RRTYPE_CDNSKEY;
	}
	nsec3_param_t n3;
	memset(&n3, 0, sizeof(n3));
	n3.iterations = p->iterations;
	n3.salt_len = p->salt_len;
	memcpy(n3.salt, p->salt, p->salt_len);
	n3.opt_out = p->opt_out;
	rc = nsec_zone_build(&j->z, unsigned_sorted, apex, p->nsec3 ? &n3 : NULL, at, nat, err,
			     errlen);
	if (rc != SN_OK) {
		goto out;
	}
	/* RFC 2308/9077 aside, the DNSKEY TTL defaults to the SOA's. */
	uint32_t kttl = p->dnskey_ttl != 0 ? p->dnskey_ttl : j->z.soa_ttl;
	for (size_t g = 0; g < j->ngen; g++) {
		j->gen[g].ttl = kttl;
	}
	uint8_t n3p[5 + NSEC3_MAX_SALT];
	if (p->nsec3) {
		size_t nl = 0;
		struct gen_set *gs = &j->gen[j->ngen++];
		gs->type = RRTYPE_NSEC3PARAM;
		/* RFC 5155 4 leaves the TTL open; the chain's own TTL keeps
		 * the parameters and the records they describe together. */
		gs->ttl = j->z.ttl;
		if (nsec3param_rdata(&n3, n3p, sizeof(n3p), &nl) != SN_OK ||
		    gen_add(j, gs, n3p, nl, true) != SN_OK) {
			set_err(err, errlen, "NSEC3PARAM");
			rc = SN_ERANGE;
			goto out;
		}
	}

	nt = p->threads;
	if (nt == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		nt = c > 0 ? (unsigned)c : 1;
	}
	if (nt > MAX_THREADS) {
		nt = MAX_THREADS;
	}
	ws = calloc(nt, sizeof(*ws));
	if (ws == NULL) {
		rc = SN_ENOMEM;
		set_err(err, errlen, "out of memory");
		goto out;
	}
	for (unsigned t = 0; t < nt; t++) {
		ws[t].j = j;
	}

	if (p->nsec3) {
		rc = run_threads(ws, nt, hash_thread);
		if (rc == SN_OK) {
			rc = j->rc;
		}
		if (rc != SN_OK) {
			set_err(err, errlen, "%s", j->rc != SN_OK ? j->err : "cannot start threads");
			goto out;
		}
		rc = nsec3_zone_order(&j->z, err, errlen);
		if (rc != SN_OK) {
			goto out;
		}
	}
	t1 = now_s();

	size_t nn = (j->z.count + CHUNK_NODES - 1) / CHUNK_NODES;
	size_t n3c = p->nsec3 ? (j->z.chain_count + CHUNK_NSEC3 - 1) / CHUNK_NSEC3 : 0;
	j->nchunks = nn + n3c;
	j->chunks = calloc(j->nchunks, sizeof(*j->chunks));
	if (j->chunks == NULL) {
		rc = SN_ENOMEM;
		set_err(err, errlen, "out of memory");
		goto out;
	}
	for (size_t c = 0; c < nn; c++) {
		j->chunks[c].lo = c * CHUNK_NODES;
		j->chunks[c].hi = c + 1 < nn ? (c + 1) * CHUNK_NODES : j->z.count;
	}
	for (size_t c = 0; c < n3c; c++) {
		struct chunk *ch = &j->chunks[nn + c];
		ch->nsec3 = true;
		ch->lo = c * CHUNK_NSEC3;
		ch->hi = c + 1 < n3c ? (c + 1) * CHUNK_NSEC3 : j->z.chain_count;
	}
	out = rrlist_new();
	if (out == NULL) {
		rc = SN_ENOMEM;
		set_err(err, errlen, "out of memory");
		goto out;
	}
	rc = sign_and_merge(j, ws, nt, out, &t2);
	if (rc != SN_OK) {
		set_err(err, errlen, "%s", j->err);
		goto out;
	}
	size_t denial = p->nsec3 ? j->z.chain_count : j->z.count;
	rc = rrlist_sort(out);
	if (rc != SN_OK) {
		set_err(err, errlen, "sorting the output: %s", sn_strerror(rc));
		goto out;
	}
	if (stats != NULL) {
		stats->signatures = atomic_load(&j->sigs);
		stats->rrsets = atomic_load(&j->rrsets);
		stats->denial = denial;
		stats->threads = nt;
		stats->t_chain = t1 - t0;
		stats->t_sign = t2 - t1;
		stats->t_merge = now_s() - t2;
	}
	*signed_out = out;
	out = NULL;
	rc = SN_OK;
out:
	rrlist_free(out);
	if (ws != NULL) {
		for (unsigned t = 0; t < nt; t++) {
			free(ws[t].scratch);
			free(ws[t].rd);
			free(ws[t].rdl);
		}
		free(ws);
	}
	if (j->chunks != NULL) {
		for (size_t c = 0; c < j->nchunks; c++) {
			free(j->chunks[c].buf);
		}
		free(j->chunks);
	}
	nsec_zone_clear(&j->z);
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->lock);
	free(j);
	return rc;
}

/*
 * Incremental signing (DESIGN.md decision 4).
 *
 * The change names a few owners. Their RRsets that changed are signed
 * again; then the denial chain is repaired around the "touched" names: the
 * owners and (NSEC3) their ancestors, whose existence as empty
 * non-terminals may change (RFC 5155 7.1). For each touched name we know
 * whether it had a denial record (the old chain, read from the snapshot)
 * and whether it must have one now. Names that join the chain (A) and
 * names that leave it (R) change the "next" field of their predecessor in
 * the new chain; touched names that stay may change their bitmap. The new
 * chain is never built: the old one is walked through the next fields of
 * its records, skipping what R removes, and merged with A.
 *
 * Keys compare as the chain orders them: canonical order of names (NSEC,
 * RFC 4034 6.1) or the order of the hashes (NSEC3, RFC 5155 3).
 */

/* One owner of the change and its records in the two lists. */
struct iown {
	const uint8_t *owner;
	size_t r_lo, r_hi; /* in removed */
	size_t a_lo, a_hi; /* in added */
};

/* A name of the old or the new chain. */
struct dent {
	uint8_t name[DNAME_MAXLEN];   /* NSEC: the owner; NSEC3: the hashed name (touched) */
	uint8_t hash[NSEC3_HASH_LEN]; /* NSEC3 */
	const snap_node_t *rec;	      /* the node holding the old NSEC/NSEC3, or NULL */
	bool touched;		      /* its new bitmap comes from the new records */
	bool m_old, m_new;	      /* in the old / the new chain */
	bool cut, ds, ent;	      /* new state, touched names only */
};

struct inc {
	const snap_t *s;
	const rrlist_t *rm, *ad;
	const signer_params_t *p;
	struct job *j; /* keys and signer name, as signer_sign_full sets them up */
	bool nsec3;
	const uint8_t *apex;
	uint16_t rclass;
	uint32_t dttl; /* TTL of NSEC/NSEC3 */
	uint16_t at[8];
	size_t nat;
	struct iown *own;
	size_t nown, cown;
	struct dent **t, **a, **r, **extra;
	size_t nt, ct, na, nr, nextra, cextra;
	const snap_node_t **rkept;   /* the old node staying in the chain before r[i] */
	uint8_t (*flip)[DNAME_MAXLEN]; /* names whose authority may change */
	size_t nflip, cflip;
	rrlist_t *orm, *oadd;
	uint8_t *sc1, *sc2; /* canonical RDATA for comparisons */
	uint8_t *sigscr;
	size_t sigcap;
	const uint8_t **rd;
	uint16_t *rdl;
	bool *gone;
	size_t rcap;
	char *err;
	size_t errlen;
};

static _Thread_local const struct inc *cmp_ctx; /* for qsort: writers of several zones run at once */

static int
kcmp(const struct inc *c, const struct dent *a, const struct dent *b)
{
	if (c->nsec3) {
		return memcmp(a->hash, b->hash, NSEC3_HASH_LEN);
	}
	return dname_cmp(a->name, b->name);
}

static int
dent_qcmp(const void *pa, const void *pb)
{
	return kcmp(cmp_ctx, *(struct dent *const *)pa, *(struct dent *const *)pb);
}

static bool
is_strict_sub(const uint8_t *name, const uint8_t *parent)
{
	return dname_is_subdomain(name, parent) && !dname_is_equal(name, parent);
}

static uint32_t
be32_of(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int
inc_add(struct inc *c, rrlist_t *l, const uint8_t *owner, uint16_t type, uint32_t ttl,
	const uint8_t *rd, size_t rdlen)
{
	zfile_rr_t rr = {.owner = owner,
			 .type = type,
			 .rclass = c->rclass,
			 .ttl = ttl,
			 .rdlen = (uint16_t)rdlen,
			 .rdata = rd,
			 .file = SIGNER_FILE};
	return rrlist_add(l, &rr);
}

/* Puts every record of the snapshot set `rs` into `l`. */
static int
inc_add_set(struct inc *c, rrlist_t *l, const uint8_t *owner, uint16_t type,
	    const snap_rrset_t *rs)
{
	const uint8_t *q = rs->rdata;
	for (uint16_t i = 0; i < rs->count; i++) {
		uint16_t len = rd16(q);
		int rc = inc_add(c, l, owner, type, rs->ttl, q + 2, len);
		if (rc != SN_OK) {
			return rc;
		}
		q += 2 + len;
	}
	return SN_OK;
}

/* The first record of a snapshot set (NSEC and NSEC3 sets hold one). */
static const uint8_t *
set_first(const snap_rrset_t *rs, uint16_t *len)
{
	*len = rd16(rs->rdata);
	return rs->rdata + 2;
}

static bool
is_generated(const struct inc *c, uint16_t t)
{
	if (t == RRTYPE_DNSKEY || t == RRTYPE_NSEC || t == RRTYPE_NSEC3 ||
	    t == RRTYPE_NSEC3PARAM || t == RRTYPE_RRSIG) {
		return true;
	}
	return (c->p->cds || c->p->cds_delete) && (t == RRTYPE_CDS || t == RRTYPE_CDNSKEY);
}

static bool
is_dnssec_input(uint16_t t)
{
	return t == RRTYPE_DNSKEY || t == RRTYPE_NSEC || t == RRTYPE_NSEC3 ||
	       t == RRTYPE_NSEC3PARAM || t == RRTYPE_RRSIG;
}

/* The change's owner `name`, or NULL. */
static const struct iown *
own_find(const struct inc *c, const uint8_t *name)
{
	size_t lo = 0, hi = c->nown;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		int d = dname_cmp(c->own[m].owner, name);
		if (d == 0) {
			return &c->own[m];
		}
		if (d < 0) {
			lo = m + 1;
		} else {
			hi = m;
		}
	}
	return NULL;
}

/* Index of the first owner of the change not before `name`. */
static size_t
own_lower(const struct inc *c, const uint8_t *name)
{
	size_t lo = 0, hi = c->nown;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (dname_cmp(c->own[m].owner, name) < 0) {
			lo = m + 1;
		} else {
			hi = m;
		}
	}
	return lo;
}

static size_t
count_type(const rrlist_t *l, size_t lo, size_t hi, uint16_t t, size_t *first)
{
	size_t n = 0;
	for (size_t i = lo; i < hi; i++) {
		if (rrlist_type(l, i) == t) {
			if (n == 0 && first != NULL) {
				*first = i;
			}
			n++;
		}
	}
	return n;
}

#define INC_MAXTYPES 512

/* The unsigned types at `name` after the change, sorted (the types the
 * signer makes are left out). SN_EINVAL when the change removes more
 * records of a type than the snapshot holds. */
static int
types_new(const struct inc *c, const uint8_t *name, uint16_t *out, size_t *n)
{
	const snap_node_t *nd = snap_find(c->s, name);
	const struct iown *o = own_find(c, name);
	size_t k = 0;
	uint16_t cand[INC_MAXTYPES];
	size_t nc = 0;
	if (nd != NULL) {
		for (uint16_t i = 0; i < nd->rrset_count && nc < INC_MAXTYPES; i++) {
			if (!is_generated(c, nd->rrsets[i].type)) {
				cand[nc++] = nd->rrsets[i].type;
			}
		}
	}
	if (o != NULL) {
		for (size_t i = o->a_lo; i < o->a_hi && nc < INC_MAXTYPES; i++) {
			cand[nc++] = rrlist_type(c->ad, i);
		}
		for (size_t i = o->r_lo; i < o->r_hi && nc < INC_MAXTYPES; i++) {
			cand[nc++] = rrlist_type(c->rm, i);
		}
	}
	if (nc >= INC_MAXTYPES) {
		return SN_ERANGE;
	}
	/* insertion sort and de-duplication: a handful of types */
	for (size_t i = 1; i < nc; i++) {
		uint16_t v = cand[i];
		size_t m = i;
		while (m > 0 && cand[m - 1] > v) {
			cand[m] = cand[m - 1];
			m--;
		}
		cand[m] = v;
	}
	for (size_t i = 0; i < nc; i++) {
		uint16_t t = cand[i];
		if (i > 0 && cand[i - 1] == t) {
			continue;
		}
		size_t cold = 0;
		if (nd != NULL) {
			const snap_rrset_t *rs = snap_node_rrset(nd, t);
			cold = rs != NULL ? rs->count : 0;
		}
		size_t r = o != NULL ? count_type(c->rm, o->r_lo, o->r_hi, t, NULL) : 0;
		size_t a = o != NULL ? count_type(c->ad, o->a_lo, o->a_hi, t, NULL) : 0;
		if (r > cold) {
			return SN_EINVAL;
		}
		if (cold - r + a > 0) {
			out[k++] = t;
		}
	}
	*n = k;
	return SN_OK;
}

static bool
has_type(const uint16_t *t, size_t n, uint16_t ty)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i] == ty) {
			return true;
		}
	}
	return false;
}

/* Whether `name` (below the apex) is a delegation after the change. */
static int
is_cut_new(const struct inc *c, const uint8_t *name, bool *cut)
{
	uint16_t t[INC_MAXTYPES];
	size_t n = 0;
	if (dname_is_equal(name, c->apex)) {
		*cut = false;
		return SN_OK;
	}
	int rc = types_new(c, name, t, &n);
	if (rc == SN_OK) {
		*cut = has_type(t, n, RRTYPE_NS);
	}
	return rc;
}

/* Whether a delegation lies strictly between the apex and `name` after the
 * change (RFC 4035 2.3: such names are not authoritative). */
static int
below_cut_new(const struct inc *c, const uint8_t *name, bool *below)
{
	const uint8_t *q = dname_parent(name);
	while (q != NULL && is_strict_sub(q, c->apex)) {
		bool cut = false;
		int rc = is_cut_new(c, q, &cut);
		if (rc != SN_OK) {
			return rc;
		}
		if (cut) {
			*below = true;
			return SN_OK;
		}
		q = dname_parent(q);
	}
	*below = false;
	return SN_OK;
}

/* Whether the name `d` below a touched name keeps that name in the chain
 * after the change: it has records, is authoritative, and is no insecure
 * delegation left out by Opt-Out (RFC 5155 7.1, 6). */
static int
counts_new(const struct inc *c, const uint8_t *d, const uint16_t *t, size_t n, bool *out)
{
	bool below = false;
	int rc;
	if (n == 0) {
		*out = false;
		return SN_OK;
	}
	rc = below_cut_new(c, d, &below);
	if (rc != SN_OK) {
		return rc;
	}
	bool insecure = has_type(t, n, RRTYPE_NS) && !has_type(t, n, RRTYPE_DS);
	*out = !below && !(c->p->opt_out && insecure);
	return SN_OK;
}

/* Whether `name` is in the NSEC3 zone's names after the change: it has
 * records, or a name below it counts (counts_new; then it is an empty
 * non-terminal). The names below it that had records and may have lost
 * them are all owners of the change, so the walk back through the old
 * descendants stops soon, at the first one that still counts. */
static int
exists_new(const struct inc *c, const uint8_t *name, unsigned depth, bool *ex)
{
	uint16_t t[INC_MAXTYPES];
	size_t n = 0;
	bool cnt = false;
	int rc = types_new(c, name, t, &n);
	if (rc != SN_OK) {
		return rc;
	}
	if (n > 0 && depth == 0) {
		*ex = true;
		return SN_OK;
	}
	if (depth > 0) {
		rc = counts_new(c, name, t, n, &cnt);
		if (rc != SN_OK || cnt) {
			*ex = cnt;
			return rc;
		}
	}
	/* owners of the change below it */
	for (size_t i = own_lower(c, name); i < c->nown; i++) {
		const uint8_t *o = c->own[i].owner;
		if (!dname_is_subdomain(o, name)) {
			break;
		}
		if (dname_is_equal(o, name)) {
			continue;
		}
		rc = types_new(c, o, t, &n);
		if (rc == SN_OK) {
			rc = counts_new(c, o, t, n, &cnt);
		}
		if (rc != SN_OK) {
			return rc;
		}
		if (cnt) {
			*ex = true;
			return SN_OK;
		}
	}
	/* old names below it, from the last one back: "\xff...\xff.name" sorts
	 * after every name below `name` except itself and what is below it */
	size_t nl = dname_len(name);
	if (nl + 2 > DNAME_MAXLEN || depth > DNAME_MAXLABELS) {
		*ex = false;
		return SN_OK;
	}
	size_t ll = DNAME_MAXLEN - nl - 1;
	if (ll > LABEL_MAXLEN) {
		ll = LABEL_MAXLEN;
	}
	uint8_t x[DNAME_MAXLEN];
	x[0] = (uint8_t)ll;
	memset(x + 1, 0xff, ll);
	memcpy(x + 1 + ll, name, nl);
	if (snap_find(c->s, x) != NULL) {
		bool sub = false;
		rc = exists_new(c, x, depth + 1, &sub);
		if (rc != SN_OK || sub) {
			*ex = sub;
			return rc;
		}
	}
	const snap_node_t *nd = snap_prev(c->s, x);
	while (nd != NULL && is_strict_sub(nd->owner, name)) {
		if (!(nd->flags & SNAP_ENT)) {
			rc = types_new(c, nd->owner, t, &n);
			if (rc == SN_OK) {
				rc = counts_new(c, nd->owner, t, n, &cnt);
			}
			if (rc != SN_OK) {
				return rc;
			}
			if (cnt) {
				*ex = true;
				return SN_OK;
			}
		}
		nd = snap_prev(c->s, nd->owner);
	}
	*ex = false;
	return SN_OK;
}

/* Calls `fn` for every old name strictly below `name` (empty
 * non-terminals included), from the last back. */
static int
for_below(struct inc *c, const uint8_t *name, unsigned depth,
	  int (*fn)(struct inc *c, const uint8_t *n))
{
	size_t nl = dname_len(name);
	if (nl + 2 > DNAME_MAXLEN || depth > DNAME_MAXLABELS) {
		return SN_OK;
	}
	size_t ll = DNAME_MAXLEN - nl - 1;
	if (ll > LABEL_MAXLEN) {
		ll = LABEL_MAXLEN;
	}
	uint8_t x[DNAME_MAXLEN];
	x[0] = (uint8_t)ll;
	memset(x + 1, 0xff, ll);
	memcpy(x + 1 + ll, name, nl);
	int rc;
	if (snap_find(c->s, x) != NULL) {
		rc = fn(c, x);
		if (rc == SN_OK) {
			rc = for_below(c, x, depth + 1, fn);
		}
		if (rc != SN_OK) {
			return rc;
		}
	}
	for (const snap_node_t *nd = snap_prev(c->s, x); nd != NULL && is_strict_sub(nd->owner, name);
	     nd = snap_prev(c->s, nd->owner)) {
		rc = fn(c, nd->owner);
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

static int
hash_name(const struct inc *c, const uint8_t *name, uint8_t out[NSEC3_HASH_LEN])
{
	return nsec3_hash(NSEC3_ALG_SHA1, name, c->p->salt, c->p->salt_len, c->p->iterations, out);
}

/* The owner of the NSEC3 record of hash `h`. */
static void
n3_owner(const struct inc *c, const uint8_t *h, uint8_t out[DNAME_MAXLEN])
{
	char b32[NSEC3_B32_LEN + 1];
	(void)nsec3_base32hex(h, NSEC3_HASH_LEN, b32, sizeof(b32));
	out[0] = NSEC3_B32_LEN;
	memcpy(out + 1, b32, NSEC3_B32_LEN);
	memcpy(out + 1 + NSEC3_B32_LEN, c->apex, dname_len(c->apex));
}

/* Offset of the next hash in NSEC3 RDATA, or 0 if malformed. */
static size_t
n3_next_off(const uint8_t *rd, size_t len)
{
	if (len < 5 || len < 5 + (size_t)rd[4] + 1) {
		return 0;
	}
	size_t o = 5 + (size_t)rd[4];
	if (rd[o] != NSEC3_HASH_LEN || len < o + 1 + NSEC3_HASH_LEN) {
		return 0;
	}
	return o + 1;
}

/* Fills the key of the old chain node `rec` into `d`. */
static int
rec_key(const struct inc *c, const snap_node_t *rec, struct dent *d)
{
	if (c->nsec3) {
		size_t hl = 0;
		if (nsec3_base32hex_decode((const char *)rec->owner + 1, rec->owner[0], d->hash,
					   NSEC3_HASH_LEN, &hl) != SN_OK ||
		    hl != NSEC3_HASH_LEN) {
			return SN_EINVAL;
		}
		memcpy(d->name, rec->owner, dname_len(rec->owner));
	} else {
		memcpy(d->name, rec->owner, dname_len(rec->owner));
	}
	return SN_OK;
}

static struct dent *
bsearch_dent(const struct inc *c, struct dent **arr, size_t n, const struct dent *k)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		int d = kcmp(c, arr[m], k);
		if (d == 0) {
			return arr[m];
		}
		if (d < 0) {
			lo = m + 1;
		} else {
			hi = m;
		}
	}
	return NULL;
}

/* The denial RRset of an old chain node. */
static const snap_rrset_t *
rec_set(const struct inc *c, const snap_node_t *rec)
{
	return snap_node_rrset(rec, c->nsec3 ? RRTYPE_NSEC3 : RRTYPE_NSEC);
}

/* The old chain's node after `rec`, through its next field. */
static const snap_node_t *
old_next(const struct inc *c, const snap_node_t *rec)
{
	const snap_rrset_t *rs = rec_set(c, rec);
	if (rs == NULL) {
		return NULL;
	}
	uint16_t len;
	const uint8_t *rd = set_first(rs, &len);
	if (c->nsec3) {
		size_t o = n3_next_off(rd, len);
		if (o == 0) {
			return NULL;
		}
		uint8_t own[DNAME_MAXLEN];
		n3_owner(c, rd + o, own);
		return snap_nsec3_find(c->s, own);
	}
	size_t nl = 0;
	if (dname_check(rd, len, &nl) != SN_OK) {
		return NULL;
	}
	return snap_find(c->s, rd);
}

/* The index in R of the old chain node `rec`, or RRLIST_NONE when it
 * stays in the chain. */
static size_t
r_index(const struct inc *c, const snap_node_t *rec)
{
	struct dent k;
	if (rec_key(c, rec, &k) != SN_OK) {
		return RRLIST_NONE;
	}
	size_t lo = 0, hi = c->nr;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		int d = kcmp(c, c->r[m], &k);
		if (d == 0) {
			return m;
		}
		if (d < 0) {
			lo = m + 1;
		} else {
			hi = m;
		}
	}
	return RRLIST_NONE;
}

/* The old chain's node before the old chain node `rec`. */
static const snap_node_t *
old_prev(const struct inc *c, const snap_node_t *rec)
{
	return c->nsec3 ? snap_nsec3_prev(c->s, rec->owner) : snap_nsec_prev(c->s, rec->owner);
}

/* The old chain node whose interval covers the key of `d` (not in it). */
static const snap_node_t *
old_cover(const struct inc *c, const struct dent *d)
{
	if (c->nsec3) {
		bool m = false;
		return snap_nsec3_lookup(c->s, d->name, &m);
	}
	return snap_nsec_prev(c->s, d->name);
}

/* The entry for the old chain node `rec`: the touched one of that key, or
 * a new untouched entry. */
static int
dent_of_rec(struct inc *c, const snap_node_t *rec, struct dent **out)
{
	struct dent k;
	memset(&k, 0, sizeof(k));
	int rc = rec_key(c, rec, &k);
	if (rc != SN_OK) {
		return rc;
	}
	struct dent *d = bsearch_dent(c, c->t, c->nt, &k);
	if (d != NULL) {
		*out = d;
		return SN_OK;
	}
	for (size_t i = 0; i < c->nextra; i++) {
		if (c->extra[i]->rec == rec) {
			*out = c->extra[i];
			return SN_OK;
		}
	}
	if (c->nextra == c->cextra) {
		size_t nc = c->cextra != 0 ? c->cextra * 2 : 16;
		struct dent **ne = realloc(c->extra, nc * sizeof(*ne));
		if (ne == NULL) {
			return SN_ENOMEM;
		}
		c->extra = ne;
		c->cextra = nc;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		return SN_ENOMEM;
	}
	*d = k;
	d->rec = rec;
	d->m_old = d->m_new = true;
	c->extra[c->nextra++] = d;
	*out = d;
	return SN_OK;
}

/* a is a better predecessor of x than b (going back from x, wrapping) */
static bool
better_pred(const struct inc *c, const struct dent *x, const struct dent *a, const struct dent *b)
{
	bool ra = kcmp(c, a, x) < 0, rb = kcmp(c, b, x) < 0;
	if (ra != rb) {
		return ra;
	}
	return kcmp(c, a, b) > 0;
}

static bool
better_next(const struct inc *c, const struct dent *x, const struct dent *a, const struct dent *b)
{
	bool ra = kcmp(c, a, x) > 0, rb = kcmp(c, b, x) > 0;
	if (ra != rb) {
		return ra;
	}
	return kcmp(c, a, b) < 0;
}

/* Skips the old chain nodes that leave it, going back (dir < 0) or on.
 * Going back, the node found for each removed one is remembered, so that
 * a run of k removed names (a subtree a new delegation occludes) costs
 * O(k), not O(k^2). */
static int
skip_removed(struct inc *c, const snap_node_t **n, int dir)
{
	size_t guard = c->nr + 1;
	size_t first = RRLIST_NONE, i;
	const snap_node_t *cur = *n;
	while (cur != NULL && (i = r_index(c, cur)) != RRLIST_NONE) {
		if (guard-- == 0) {
			return SN_EINVAL;
		}
		if (dir < 0) {
			if (c->rkept[i] != NULL) {
				cur = c->rkept[i];
				break;
			}
			if (first == RRLIST_NONE) {
				first = i;
			}
			cur = old_prev(c, cur);
		} else {
			cur = old_next(c, cur);
		}
	}
	if (dir < 0 && first != RRLIST_NONE && cur != NULL) {
		/* every removed node from `first` back to `cur` has `cur` before it */
		const snap_node_t *w = *n;
		while (w != NULL && (i = r_index(c, w)) != RRLIST_NONE && c->rkept[i] == NULL) {
			c->rkept[i] = cur;
			w = old_prev(c, w);
		}
	}
	*n = cur;
	return SN_OK;
}

/* The predecessor of `x` (in A or R) in the new chain. */
static int
new_pred(struct inc *c, struct dent *x, struct dent **out)
{
	const snap_node_t *n = x->m_old ? old_prev(c, x->rec) : old_cover(c, x);
	int rc = skip_removed(c, &n, -1);
	if (rc != SN_OK) {
		return rc;
	}
	struct dent *best = NULL;
	if (n != NULL) {
		rc = dent_of_rec(c, n, &best);
		if (rc != SN_OK) {
			return rc;
		}
	}
	if (c->na > 0) {
		size_t lo = 0, hi = c->na;
		while (lo < hi) {
			size_t m = lo + (hi - lo) / 2;
			if (kcmp(c, c->a[m], x) < 0) {
				lo = m + 1;
			} else {
				hi = m;
			}
		}
		struct dent *cand = c->a[(lo + c->na - 1) % c->na];
		if (kcmp(c, cand, x) != 0 && (best == NULL || better_pred(c, x, cand, best))) {
			best = cand;
		}
	}
	if (best == NULL) {
		return SN_EINVAL;
	}
	*out = best;
	return SN_OK;
}

/* The successor of `y` (in the new chain) in the new chain. */
static int
new_next(struct inc *c, struct dent *y, struct dent **out)
{
	const snap_node_t *n = y->m_old ? y->rec : old_cover(c, y);
	n = n != NULL ? old_next(c, n) : NULL;
	int rc = skip_removed(c, &n, 1);
	if (rc != SN_OK) {
		return rc;
	}
	struct dent *best = NULL;
	if (n != NULL) {
		rc = dent_of_rec(c, n, &best);
		if (rc != SN_OK) {
			return rc;
		}
	}
	if (c->na > 0) {
		size_t lo = 0, hi = c->na;
		while (lo < hi) {
			size_t m = lo + (hi - lo) / 2;
			if (kcmp(c, c->a[m], y) <= 0) {
				lo = m + 1;
			} else {
				hi = m;
			}
		}
		struct dent *cand = c->a[lo % c->na];
		if (kcmp(c, cand, y) != 0 && (best == NULL || better_next(c, y, cand, best))) {
			best = cand;
		}
	}
	if (best == NULL) {
		best = y; /* a chain of one */
	}
	*out = best;
	return SN_OK;
}

static int
inc_room(struct inc *c, size_t n)
{
	if (n <= c->rcap) {
		return SN_OK;
	}
	size_t nc = c->rcap != 0 ? c->rcap : 64;
	while (nc < n) {
		nc *= 2;
	}
	const uint8_t **rd = realloc(c->rd, nc * sizeof(*rd));
	if (rd == NULL) {
		return SN_ENOMEM;
	}
	c->rd = rd;
	uint16_t *rdl = realloc(c->rdl, nc * sizeof(*rdl));
	if (rdl == NULL) {
		return SN_ENOMEM;
	}
	c->rdl = rdl;
	bool *g = realloc(c->gone, nc * sizeof(*g));
	if (g == NULL) {
		return SN_ENOMEM;
	}
	c->gone = g;
	c->rcap = nc;
	return SN_OK;
}

/* Signs `set` with the keys of its role into the list of additions. */
static int
inc_sign(struct inc *c, const rrsig_rrset_t *set, uint32_t ttl)
{
	struct job *j = c->j;
	const keypair_t *const *keys = is_ksk_type(set->type) ? j->ksk : j->zsk;
	size_t nkeys = is_ksk_type(set->type) ? j->nksk : j->nzsk;
	size_t need = rrsig_sign_scratch_len(set);
	if (need > c->sigcap) {
		uint8_t *s = realloc(c->sigscr, need);
		if (s == NULL) {
			return SN_ENOMEM;
		}
		c->sigscr = s;
		c->sigcap = need;
	}
	uint32_t exp = signer_expiration(c->p, set->owner, set->type);
	uint8_t sig[RRSIG_RDATA_MAXLEN];
	for (size_t k = 0; k < nkeys; k++) {
		size_t sl = 0;
		int rc = rrsig_sign(keys[k], set, j->signer, ttl, c->p->inception, exp, c->sigscr,
				    c->sigcap, sig, sizeof(sig), &sl);
		if (rc == SN_OK) {
			rc = inc_add(c, c->oadd, set->owner, RRTYPE_RRSIG, ttl, sig, sl);
		}
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

static bool
rdata_same(struct inc *c, uint16_t type, const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	if (al == bl && memcmp(a, b, al) == 0) {
		return true;
	}
	if (al != bl) {
		return false;
	}
	memcpy(c->sc1, a, al);
	memcpy(c->sc2, b, bl);
	rdata_to_canonical(type, c->sc1, al);
	rdata_to_canonical(type, c->sc2, bl);
	return memcmp(c->sc1, c->sc2, al) == 0;
}

/* Removes the old RRSIGs of (owner, type) and, when `sign`, signs the
 * RRset the change leaves there. */
static int
resign_set(struct inc *c, const struct iown *o, const snap_node_t *nd, uint16_t type, bool sign)
{
	const snap_rrset_t *rs = nd != NULL ? snap_node_rrset(nd, type) : NULL;
	int rc;
	if (rs != NULL && rs->rrsig != NULL) {
		rc = inc_add_set(c, c->orm, nd->owner, RRTYPE_RRSIG, rs->rrsig);
		if (rc != SN_OK) {
			return rc;
		}
	}
	size_t rf = 0, af = 0;
	size_t nr = count_type(c->rm, o->r_lo, o->r_hi, type, &rf);
	size_t na = count_type(c->ad, o->a_lo, o->a_hi, type, &af);
	size_t cold = rs != NULL ? rs->count : 0;
	rc = inc_room(c, cold + na);
	if (rc != SN_OK) {
		return rc;
	}
	const uint8_t *q = rs != NULL ? rs->rdata : NULL;
	for (size_t i = 0; i < cold; i++) {
		c->rdl[i] = rd16(q);
		c->rd[i] = q + 2;
		c->gone[i] = false;
		q += 2 + c->rdl[i];
	}
	/* every removed record must be in the set (the caller's diff and the
	 * snapshot agree), or the result would not be the new zone */
	for (size_t i = rf; nr > 0 && i < o->r_hi; i++) {
		if (rrlist_type(c->rm, i) != type) {
			continue;
		}
		rrlist_rr_t x = rrlist_get(c->rm, i);
		bool found = false;
		for (size_t m = 0; m < cold && !found; m++) {
			if (!c->gone[m] && rdata_same(c, type, c->rd[m], c->rdl[m], x.rdata, x.rdlen)) {
				c->gone[m] = true;
				found = true;
			}
		}
		if (!found) {
			return SN_EINVAL;
		}
	}
	if (!sign) {
		return SN_OK;
	}
	size_t n = 0;
	for (size_t i = 0; i < cold; i++) {
		if (!c->gone[i]) {
			c->rd[n] = c->rd[i];
			c->rdl[n++] = c->rdl[i];
		}
	}
	uint32_t ttl = rs != NULL ? rs->ttl : 0;
	for (size_t i = af; na > 0 && i < o->a_hi; i++) {
		if (rrlist_type(c->ad, i) != type) {
			continue;
		}
		rrlist_rr_t x = rrlist_get(c->ad, i);
		if (i == af) {
			ttl = x.ttl; /* a TTL change is every record removed and added */
		}
		c->rd[n] = x.rdata;
		c->rdl[n++] = x.rdlen;
	}
	if (n == 0) {
		return SN_OK;
	}
	rrsig_rrset_t set = {o->owner, type, c->rclass, n, c->rd, c->rdl};
	return inc_sign(c, &set, ttl);
}

static int
add_flip(struct inc *c, const uint8_t *name)
{
	if (c->nflip == c->cflip) {
		size_t nc = c->cflip != 0 ? c->cflip * 2 : 16;
		uint8_t(*nf)[DNAME_MAXLEN] = realloc(c->flip, nc * sizeof(*nf));
		if (nf == NULL) {
			return SN_ENOMEM;
		}
		c->flip = nf;
		c->cflip = nc;
	}
	memcpy(c->flip[c->nflip++], name, dname_len(name));
	return SN_OK;
}

static int
flip_qcmp(const void *a, const void *b)
{
	return dname_cmp(a, b);
}

/* The RRsets of `name` that the change leaves as they were, signed or
 * not as the new cuts say: RRSIGs go where a cut now occludes them, and
 * come where one no longer does. */
static int
flip_node(struct inc *c, const uint8_t *name)
{
	const snap_node_t *nd = snap_find(c->s, name);
	const struct iown *o = own_find(c, name);
	bool below = false, cut = false;
	int rc;
	if (nd == NULL) {
		return SN_OK;
	}
	rc = below_cut_new(c, name, &below);
	if (rc == SN_OK) {
		rc = is_cut_new(c, name, &cut);
	}
	if (rc != SN_OK) {
		return rc;
	}
	for (uint16_t i = 0; i < nd->rrset_count; i++) {
		const snap_rrset_t *rs = &nd->rrsets[i];
		if (is_generated(c, rs->type)) {
			continue;
		}
		if (o != NULL && (count_type(c->rm, o->r_lo, o->r_hi, rs->type, NULL) > 0 ||
				  count_type(c->ad, o->a_lo, o->a_hi, rs->type, NULL) > 0)) {
			continue; /* resign_set did it */
		}
		bool sign = !below && (!cut || rs->type == RRTYPE_DS);
		if (rs->rrsig != NULL && !sign) {
			rc = inc_add_set(c, c->orm, nd->owner, RRTYPE_RRSIG, rs->rrsig);
		} else if (rs->rrsig == NULL && sign) {
			rc = inc_room(c, rs->count);
			const uint8_t *q = rs->rdata;
			for (uint16_t k = 0; rc == SN_OK && k < rs->count; k++) {
				c->rdl[k] = rd16(q);
				c->rd[k] = q + 2;
				q += 2 + c->rdl[k];
			}
			rrsig_rrset_t set = {nd->owner, rs->type, c->rclass, rs->count, c->rd,
					     c->rdl};
			if (rc == SN_OK) {
				rc = inc_sign(c, &set, rs->ttl);
			}
		}
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

/* Signs again what changed at each owner of the change. */
static int
inc_rrsets(struct inc *c)
{
	uint16_t t[INC_MAXTYPES];
	for (size_t i = 0; i < c->nown; i++) {
		const struct iown *o = &c->own[i];
		const snap_node_t *nd = snap_find(c->s, o->owner);
		bool below = false, cut = false, cut_old;
		size_t n = 0;
		int rc = below_cut_new(c, o->owner, &below);
		if (rc == SN_OK) {
			rc = is_cut_new(c, o->owner, &cut);
		}
		if (rc == SN_OK) {
			rc = types_new(c, o->owner, t, &n);
		}
		if (rc != SN_OK) {
			return rc;
		}
		cut_old = nd != NULL && (nd->flags & SNAP_DELEG);
		bool apex = dname_is_equal(o->owner, c->apex);
		/* what signer_sign_full refuses (nsec_zone_build): no SOA at
		 * the apex, one below it, a DS where there is no delegation
		 * (RFC 4035 2.4) */
		if ((apex && !has_type(t, n, RRTYPE_SOA)) || (!apex && has_type(t, n, RRTYPE_SOA)) ||
		    (has_type(t, n, RRTYPE_DS) && !cut && !below)) {
			char nb[DNAME_MAXTEXT];
			if (dname_to_text(o->owner, nb, sizeof(nb)) < 0) {
				snprintf(nb, sizeof(nb), "(name)");
			}
			set_err(c->err, c->errlen, "%s: %s", nb,
				has_type(t, n, RRTYPE_DS) && !cut && !below
					? "DS at a name that is not a delegation"
					: (apex ? "no SOA at the apex" : "SOA below the apex"));
			return SN_EINVAL;
		}
		if (cut != cut_old) {
			/* a delegation added occludes what is below it, one
			 * removed uncovers it (RFC 4035 2.2, 2.3) */
			rc = add_flip(c, o->owner);
			if (rc == SN_OK) {
				rc = for_below(c, o->owner, 0, add_flip);
			}
			if (rc != SN_OK) {
				return rc;
			}
		}
		/* each type of the change at this owner, once */
		for (size_t k = 0; k < 2; k++) {
			const rrlist_t *l = k == 0 ? c->rm : c->ad;
			size_t lo = k == 0 ? o->r_lo : o->a_lo, hi = k == 0 ? o->r_hi : o->a_hi;
			for (size_t m = lo; m < hi; m = rrlist_rrset_end(l, m)) {
				uint16_t ty = rrlist_type(l, m);
				if (k == 1 && count_type(c->rm, o->r_lo, o->r_hi, ty, NULL) > 0) {
					continue; /* done with the removals */
				}
				/* RFC 4035 2.2: at a cut only DS is signed; below
				 * one nothing is */
				bool sign = !below && (!cut || ty == RRTYPE_DS);
				rc = resign_set(c, o, nd, ty, sign);
				if (rc != SN_OK) {
					char nb[DNAME_MAXTEXT], tb[RRTYPE_MAXTEXT];
					if (dname_to_text(o->owner, nb, sizeof(nb)) < 0) {
						snprintf(nb, sizeof(nb), "(name)");
					}
					rrtype_to_text(ty, tb, sizeof(tb));
					set_err(c->err, c->errlen, "%s %s: %s", nb, tb,
						rc == SN_EINVAL ? "the change does not apply to "
								  "the zone"
								: sn_strerror(rc));
					return rc;
				}
			}
		}
	}
	if (c->nflip > 0) {
		qsort(c->flip, c->nflip, sizeof(*c->flip), flip_qcmp);
		size_t w = 0;
		for (size_t i = 0; i < c->nflip; i++) {
			if (w == 0 || dname_cmp(c->flip[w - 1], c->flip[i]) != 0) {
				memmove(c->flip[w++], c->flip[i], DNAME_MAXLEN);
			}
		}
		c->nflip = w;
		for (size_t i = 0; i < c->nflip; i++) {
			int rc = flip_node(c, c->flip[i]);
			if (rc != SN_OK) {
				return rc;
			}
		}
	}
	return SN_OK;
}

static int
push_t(struct inc *c, const uint8_t *name)
{
	if (c->nt == c->ct) {
		size_t nc = c->ct != 0 ? c->ct * 2 : 16;
		struct dent **nt = realloc(c->t, nc * sizeof(*nt));
		if (nt == NULL) {
			return SN_ENOMEM;
		}
		c->t = nt;
		c->ct = nc;
	}
	struct dent *d = calloc(1, sizeof(*d));
	if (d == NULL) {
		return SN_ENOMEM;
	}
	memcpy(d->name, name, dname_len(name));
	d->touched = true;
	c->t[c->nt++] = d;
	return SN_OK;
}

static int
name_qcmp(const void *pa, const void *pb)
{
	return dname_cmp((*(struct dent *const *)pa)->name, (*(struct dent *const *)pb)->name);
}

/* Lists the touched names with their old and new membership. */
static int
inc_touched(struct inc *c)
{
	int rc;
	for (size_t i = 0; i < c->nown; i++) {
		const uint8_t *q = c->own[i].owner;
		rc = push_t(c, q);
		if (rc != SN_OK) {
			return rc;
		}
		/* RFC 5155 7.1: the empty non-terminals above an owner come and go with it */
		for (q = dname_parent(q); c->nsec3 && q != NULL && is_strict_sub(q, c->apex);
		     q = dname_parent(q)) {
			rc = push_t(c, q);
			if (rc != SN_OK) {
				return rc;
			}
		}
	}
	/* the names whose authority changes join or leave the chain */
	for (size_t i = 0; i < c->nflip; i++) {
		rc = push_t(c, c->flip[i]);
		if (rc != SN_OK) {
			return rc;
		}
	}
	if (c->nt == 0) {
		return SN_OK;
	}
	/* one entry per name */
	qsort(c->t, c->nt, sizeof(*c->t), name_qcmp);
	size_t w = 0;
	for (size_t i = 0; i < c->nt; i++) {
		if (w > 0 && dname_cmp(c->t[w - 1]->name, c->t[i]->name) == 0) {
			free(c->t[i]);
			continue;
		}
		c->t[w++] = c->t[i];
	}
	c->nt = w;
	uint16_t ty[INC_MAXTYPES];
	for (size_t i = 0; i < c->nt; i++) {
		struct dent *d = c->t[i];
		const snap_node_t *nd = snap_find(c->s, d->name);
		bool apex = dname_is_equal(d->name, c->apex);
		bool ex = false, below = false;
		size_t n = 0;
		rc = types_new(c, d->name, ty, &n);
		if (rc == SN_OK) {
			rc = below_cut_new(c, d->name, &below);
		}
		if (rc == SN_OK && c->nsec3) {
			rc = exists_new(c, d->name, 0, &ex);
		}
		if (rc != SN_OK) {
			return rc;
		}
		d->cut = !apex && has_type(ty, n, RRTYPE_NS);
		d->ds = d->cut && has_type(ty, n, RRTYPE_DS);
		d->ent = n == 0;
		if (c->nsec3) {
			d->m_new = apex || (ex && !below && !(c->p->opt_out && d->cut && !d->ds));
			rc = hash_name(c, d->name, d->hash);
			if (rc != SN_OK) {
				return rc;
			}
			bool match = false;
			const snap_node_t *r = snap_nsec3_lookup(c->s, d->name, &match);
			if (match) {
				/* RFC 5155 7.1: a hash already in the chain for another name */
				if (nd == NULL || (nd->flags & SNAP_NONAUTH)) {
					set_err(c->err, c->errlen, "NSEC3 hash collision");
					return SN_ECHECK;
				}
				d->rec = r;
				d->m_old = true;
			}
		} else {
			d->m_new = apex || (n > 0 && !below);
			if (nd != NULL && snap_node_rrset(nd, RRTYPE_NSEC) != NULL) {
				d->rec = nd;
				d->m_old = true;
			}
		}
	}
	cmp_ctx = c;
	qsort(c->t, c->nt, sizeof(*c->t), dent_qcmp);
	for (size_t i = 1; i < c->nt; i++) {
		if (kcmp(c, c->t[i - 1], c->t[i]) == 0) {
			set_err(c->err, c->errlen, "NSEC3 hash collision");
			return SN_ECHECK;
		}
	}
	c->a = calloc(c->nt + 1, sizeof(*c->a));
	c->r = calloc(c->nt + 1, sizeof(*c->r));
	c->rkept = calloc(c->nt + 1, sizeof(*c->rkept));
	if (c->a == NULL || c->r == NULL || c->rkept == NULL) {
		return SN_ENOMEM;
	}
	for (size_t i = 0; i < c->nt; i++) {
		struct dent *d = c->t[i];
		if (d->m_new && !d->m_old) {
			c->a[c->na++] = d;
		} else if (d->m_old && !d->m_new) {
			c->r[c->nr++] = d;
		}
	}
	return SN_OK;
}

/* The bitmap of `d` in the new chain: from the new records for a touched
 * name, from its old record otherwise (nsec.c node_types makes the same). */
static int
dent_bitmap(struct inc *c, const struct dent *d, uint8_t *out, size_t cap, size_t *len)
{
	if (!d->touched) {
		const snap_rrset_t *rs = rec_set(c, d->rec);
		if (rs == NULL) {
			return SN_EINVAL;
		}
		uint16_t rl;
		const uint8_t *rd = set_first(rs, &rl);
		size_t off;
		if (c->nsec3) {
			off = n3_next_off(rd, rl);
			if (off == 0) {
				return SN_EINVAL;
			}
			off += NSEC3_HASH_LEN;
		} else {
			size_t nl = 0;
			if (dname_check(rd, rl, &nl) != SN_OK) {
				return SN_EINVAL;
			}
			off = nl;
		}
		if (rl - off > cap) {
			return SN_ENOSPC;
		}
		memcpy(out, rd + off, rl - off);
		*len = rl - off;
		return SN_OK;
	}
	uint16_t t[INC_MAXTYPES + 16];
	size_t n = 0;
	int rc = types_new(c, d->name, t, &n);
	if (rc != SN_OK) {
		return rc;
	}
	if (d->cut) {
		n = 0;
		t[n++] = RRTYPE_NS;
		if (d->ds) {
			t[n++] = RRTYPE_DS;
		}
		if (!c->nsec3 || d->ds) {
			t[n++] = RRTYPE_RRSIG;
		}
	} else if (n > 0 || dname_is_equal(d->name, c->apex)) {
		if (dname_is_equal(d->name, c->apex)) {
			for (size_t i = 0; i < c->nat; i++) {
				t[n++] = c->at[i];
			}
		}
		t[n++] = RRTYPE_RRSIG;
	}
	if (!c->nsec3) {
		t[n++] = RRTYPE_NSEC;
	}
	return nsec_bitmap(t, n, out, cap, len);
}

/* Removes the old denial record of `d` and its RRSIGs. */
static int
drop_rec(struct inc *c, const struct dent *d)
{
	const snap_rrset_t *rs = rec_set(c, d->rec);
	if (rs == NULL) {
		return SN_OK;
	}
	uint16_t ty = c->nsec3 ? RRTYPE_NSEC3 : RRTYPE_NSEC;
	int rc = inc_add_set(c, c->orm, d->rec->owner, ty, rs);
	if (rc == SN_OK && rs->rrsig != NULL) {
		rc = inc_add_set(c, c->orm, d->rec->owner, RRTYPE_RRSIG, rs->rrsig);
	}
	return rc;
}

/* Writes (if it changed) the denial record of `u` in the new chain. */
static int
write_denial(struct inc *c, struct dent *u)
{
	struct dent *nx = NULL;
	int rc = new_next(c, u, &nx);
	if (rc != SN_OK) {
		return rc;
	}
	uint8_t rd[NSEC3_RDATA_MAXLEN > NSEC_RDATA_MAXLEN ? NSEC3_RDATA_MAXLEN : NSEC_RDATA_MAXLEN];
	size_t o = 0, bl = 0;
	uint8_t owner[DNAME_MAXLEN];
	if (c->nsec3) {
		rd[o++] = NSEC3_ALG_SHA1;
		rd[o++] = c->p->opt_out ? NSEC3_FLAG_OPTOUT : 0;
		rd[o++] = (uint8_t)(c->p->iterations >> 8);
		rd[o++] = (uint8_t)c->p->iterations;
		rd[o++] = c->p->salt_len;
		memcpy(rd + o, c->p->salt, c->p->salt_len);
		o += c->p->salt_len;
		rd[o++] = NSEC3_HASH_LEN;
		memcpy(rd + o, nx->hash, NSEC3_HASH_LEN);
		o += NSEC3_HASH_LEN;
		if (u->rec != NULL) {
			memcpy(owner, u->rec->owner, dname_len(u->rec->owner));
		} else {
			n3_owner(c, u->hash, owner);
		}
	} else {
		const uint8_t *nn = nx->rec != NULL && !nx->touched ? nx->rec->owner : nx->name;
		size_t nl = dname_len(nn);
		memcpy(rd, nn, nl);
		o = nl;
		memcpy(owner, u->rec != NULL ? u->rec->owner : u->name,
		       dname_len(u->rec != NULL ? u->rec->owner : u->name));
	}
	rc = dent_bitmap(c, u, rd + o, sizeof(rd) - o, &bl);
	if (rc != SN_OK) {
		return rc;
	}
	o += bl;
	if (u->m_old && u->rec != NULL) {
		const snap_rrset_t *rs = rec_set(c, u->rec);
		uint16_t ol = 0;
		const uint8_t *od = rs != NULL ? set_first(rs, &ol) : NULL;
		/* RFC 6840 5.1: the next name's case does not matter; keep a
		 * record whose only difference would be that */
		if (od != NULL && rs->ttl == c->dttl &&
		    rdata_same(c, c->nsec3 ? RRTYPE_NSEC3 : RRTYPE_NSEC, od, ol, rd, o) &&
		    (c->nsec3 || dname_is_equal(od, rd))) {
			return SN_OK;
		}
		rc = drop_rec(c, u);
		if (rc != SN_OK) {
			return rc;
		}
	}
	uint16_t ty = c->nsec3 ? RRTYPE_NSEC3 : RRTYPE_NSEC;
	rc = inc_add(c, c->oadd, owner, ty, c->dttl, rd, o);
	if (rc != SN_OK) {
		return rc;
	}
	const uint8_t *rdp[1] = {rd};
	uint16_t rdl[1] = {(uint16_t)o};
	rrsig_rrset_t set = {owner, ty, c->rclass, 1, rdp, rdl};
	return inc_sign(c, &set, c->dttl);
}

/* Repairs the chain around the touched names. */
static int
inc_chain(struct inc *c)
{
	size_t cap = c->nt * 2 + 1, nu = 0;
	struct dent **u = calloc(cap, sizeof(*u));
	int rc = SN_OK;
	if (u == NULL) {
		return SN_ENOMEM;
	}
	for (size_t i = 0; i < c->nt && rc == SN_OK; i++) {
		struct dent *d = c->t[i];
		if (d->m_new) {
			u[nu++] = d;
		}
		if (d->m_new != d->m_old) {
			struct dent *pr = NULL;
			rc = new_pred(c, d, &pr);
			if (rc == SN_OK) {
				u[nu++] = pr;
			}
		}
		if (rc == SN_OK && d->m_old && !d->m_new) {
			rc = drop_rec(c, d);
		}
	}
	if (rc == SN_OK) {
		cmp_ctx = c;
		qsort(u, nu, sizeof(*u), dent_qcmp);
	}
	for (size_t i = 0; i < nu && rc == SN_OK; i++) {
		if (i > 0 && u[i] == u[i - 1]) {
			continue;
		}
		rc = write_denial(c, u[i]);
	}
	free(u);
	if (rc != SN_OK && rc != SN_ENOMEM) {
		set_err(c->err, c->errlen, "the denial chain of the zone is not what the change "
			"expects: %s", sn_strerror(rc));
	}
	return rc;
}

/* Whether the list `l` (sorted) removes the RRSIGs of (owner, type). */
static bool
sig_removed(const rrlist_t *l, const uint8_t *owner, uint16_t type)
{
	size_t i = rrlist_find_owner(l, owner, RRLIST_NONE);
	if (i == RRLIST_NONE) {
		return false;
	}
	for (size_t e = rrlist_owner_end(l, i); i < e; i++) {
		rrlist_rr_t r = rrlist_get(l, i);
		if (r.type == RRTYPE_RRSIG && r.rdlen >= 2 && rd16(r.rdata) == type) {
			return true;
		}
	}
	return false;
}

/* RRSIGs expiring before `before` are made again, over the data they
 * cover, unless the change already replaced them. One walk of the zone:
 * this is the re-signing timer's work. */
static int
inc_refresh(struct inc *c, uint32_t before)
{
	int rc = rrlist_sort(c->orm);
	if (rc != SN_OK) {
		return rc;
	}
	/* what the refresh removes is kept apart until the end: c->orm must
	 * stay sorted for sig_removed */
	rrlist_t *gone = rrlist_new();
	if (gone == NULL) {
		return SN_ENOMEM;
	}
	snap_iter_t it;
	const snap_node_t *nd;
	for (snap_iter_first(&it, c->s); (nd = snap_iter_node(&it)) != NULL;
	     snap_iter_next(&it)) {
		for (uint16_t i = 0; i < nd->rrset_count; i++) {
			const snap_rrset_t *rs = &nd->rrsets[i];
			const snap_rrset_t *sg = rs->rrsig;
			if (sg == NULL) {
				continue;
			}
			bool old = false;
			const uint8_t *q = sg->rdata;
			for (uint16_t k = 0; k < sg->count; k++) {
				uint16_t len = rd16(q);
				/* RFC 4034 3.1.5: serial number arithmetic */
				old = old || (len >= 12 && (int32_t)(be32_of(q + 2 + 8) - before) < 0);
				q += 2 + len;
			}
			if (!old || sig_removed(c->orm, nd->owner, rs->type)) {
				continue;
			}
			rc = inc_add_set(c, gone, nd->owner, RRTYPE_RRSIG, sg);
			if (rc == SN_OK) {
				rc = inc_room(c, rs->count);
			}
			q = rs->rdata;
			for (uint16_t k = 0; rc == SN_OK && k < rs->count; k++) {
				c->rdl[k] = rd16(q);
				c->rd[k] = q + 2;
				q += 2 + c->rdl[k];
			}
			rrsig_rrset_t set = {nd->owner, rs->type, c->rclass, rs->count, c->rd, c->rdl};
			if (rc == SN_OK) {
				rc = inc_sign(c, &set, rs->ttl);
			}
			if (rc != SN_OK) {
				rrlist_free(gone);
				return rc;
			}
		}
	}
	for (size_t i = 0; i < rrlist_count(gone) && rc == SN_OK; i++) {
		rrlist_rr_t r = rrlist_get(gone, i);
		rc = inc_add(c, c->orm, r.owner, r.type, r.ttl, r.rdata, r.rdlen);
	}
	rrlist_free(gone);
	return rc;
}

/* Splits the change into owners, checking its types. */
static int
inc_owners(struct inc *c)
{
	size_t i = 0, k = 0, nr = rrlist_count(c->rm), na = rrlist_count(c->ad);
	while (i < nr || k < na) {
		const uint8_t *o;
		int d;
		if (i < nr && k < na) {
			d = dname_cmp(rrlist_get(c->rm, i).owner, rrlist_get(c->ad, k).owner);
		} else {
			d = i < nr ? -1 : 1;
		}
		o = d <= 0 ? rrlist_get(c->rm, i).owner : rrlist_get(c->ad, k).owner;
		if (c->nown == c->cown) {
			size_t ncap = c->cown != 0 ? c->cown * 2 : 16;
			struct iown *no = realloc(c->own, ncap * sizeof(*no));
			if (no == NULL) {
				return SN_ENOMEM;
			}
			c->own = no;
			c->cown = ncap;
		}
		struct iown *w = &c->own[c->nown++];
		w->owner = o;
		w->r_lo = w->r_hi = i;
		w->a_lo = w->a_hi = k;
		if (d <= 0) {
			w->r_hi = i = rrlist_owner_end(c->rm, i);
		}
		if (d >= 0) {
			w->a_hi = k = rrlist_owner_end(c->ad, k);
		}
		if (!dname_is_subdomain(o, c->apex)) {
			set_err(c->err, c->errlen, "a record of the change is outside the zone");
			return SN_EINVAL;
		}
	}
	for (size_t l = 0; l < 2; l++) {
		const rrlist_t *x = l == 0 ? c->rm : c->ad;
		for (size_t m = 0; m < rrlist_count(x); m++) {
			uint16_t t = rrlist_type(x, m);
			if (is_dnssec_input(t) ||
			    ((c->p->cds || c->p->cds_delete) &&
			     (t == RRTYPE_CDS || t == RRTYPE_CDNSKEY))) {
				set_err(c->err, c->errlen, "DNSSEC records in the unsigned change");
				return SN_EINVAL;
			}
			if (c->rclass == 0) {
				c->rclass = rrlist_rclass(x, m);
			}
		}
	}
	return SN_OK;
}

/* The TTL of the SOA and of NSEC/NSEC3 (RFC 9077 3) before and after. */
static int
soa_ttls(struct inc *c, uint32_t *soa_old, uint32_t *d_old, uint32_t *soa_new, uint32_t *d_new)
{
	const snap_rrset_t *rs = snap_node_rrset(snap_apex_node(c->s), RRTYPE_SOA);
	if (rs == NULL) {
		return SN_EINVAL;
	}
	uint16_t l;
	const uint8_t *rd = set_first(rs, &l);
	if (l < 20) {
		return SN_EINVAL;
	}
	uint32_t min = be32_of(rd + l - 4);
	*soa_old = *soa_new = rs->ttl;
	*d_old = *d_new = min < rs->ttl ? min : rs->ttl;
	const struct iown *o = own_find(c, c->apex);
	size_t af = 0;
	if (o != NULL && count_type(c->ad, o->a_lo, o->a_hi, RRTYPE_SOA, &af) > 0) {
		rrlist_rr_t s = rrlist_get(c->ad, af);
		if (s.rdlen < 20) {
			return SN_EINVAL;
		}
		min = be32_of(s.rdata + s.rdlen - 4);
		*soa_new = s.ttl;
		*d_new = min < s.ttl ? min : s.ttl;
	}
	return SN_OK;
}

int
signer_sign_incremental(const snap_t *cur, const rrlist_t *removed, const rrlist_t *added,
			const signer_key_t *keys, size_t nkeys, const signer_params_t *p,
			uint32_t refresh_before, rrlist_t **rm_out, rrlist_t **add_out, char *err,
			size_t errlen)
{
	struct inc c;
	int rc;

	if (cur == NULL || removed == NULL || added == NULL || (keys == NULL && nkeys > 0) ||
	    p == NULL || rm_out == NULL || add_out == NULL) {
		set_err(err, errlen, "bad arguments");
		return SN_EINVAL;
	}
	if (!snap_is_signed(cur) || snap_has_nsec3(cur) != p->nsec3) {
		set_err(err, errlen, "the zone is not signed with these parameters");
		return SN_EINVAL;
	}
	if ((int32_t)(p->expiration - p->inception) <= 0 ||
	    p->jitter >= p->expiration - p->inception) {
		set_err(err, errlen, "bad signature validity");
		return SN_EINVAL;
	}
	if (!rrlist_is_sorted(removed) || !rrlist_is_sorted(added)) {
		set_err(err, errlen, "the change is not sorted");
		return SN_EINVAL;
	}
	memset(&c, 0, sizeof(c));
	c.s = cur;
	c.rm = removed;
	c.ad = added;
	c.p = p;
	c.nsec3 = p->nsec3;
	c.apex = snap_apex(cur);
	c.err = err;
	c.errlen = errlen;
	c.j = calloc(1, sizeof(*c.j));
	c.sc1 = malloc(65536);
	c.sc2 = malloc(65536);
	c.orm = rrlist_new();
	c.oadd = rrlist_new();
	if (c.j == NULL || c.sc1 == NULL || c.sc2 == NULL || c.orm == NULL || c.oadd == NULL) {
		rc = SN_ENOMEM;
		set_err(err, errlen, "out of memory");
		goto out;
	}
	c.j->p = p;
	memcpy(c.j->signer, c.apex, dname_len(c.apex));
	dname_to_lower(c.j->signer);
	rc = setup_keys(c.j, keys, nkeys, p, c.apex, err, errlen);
	if (rc != SN_OK) {
		goto out;
	}
	c.at[c.nat++] = RRTYPE_DNSKEY;
	if (p->nsec3) {
		c.at[c.nat++] = RRTYPE_NSEC3PARAM;
	}
	if (p->cds || p->cds_delete) {
		c.at[c.nat++] = RRTYPE_CDS;
		c.at[c.nat++] = RRTYPE_CDNSKEY;
	}
	rc = inc_owners(&c);
	if (rc != SN_OK) {
		goto out;
	}
	if (c.rclass == 0) {
		c.rclass = RRCLASS_IN;
	}
	uint32_t so, dold, sn, dnew;
	rc = soa_ttls(&c, &so, &dold, &sn, &dnew);
	if (rc != SN_OK) {
		set_err(err, errlen, "malformed SOA");
		goto out;
	}
	if (dold != dnew || (p->dnskey_ttl == 0 && so != sn)) {
		/* every NSEC/NSEC3 (RFC 9077 3), or the DNSKEY set, changes */
		set_err(err, errlen, "the SOA TTL or MINIMUM changed: sign the whole zone");
		rc = SN_ENOTSUP;
		goto out;
	}
	c.dttl = dnew;
	rc = inc_rrsets(&c);
	if (rc != SN_OK) {
		goto out;
	}
	rc = inc_touched(&c);
	if (rc == SN_OK) {
		rc = inc_chain(&c);
	} else if (rc == SN_EINVAL) {
		set_err(err, errlen, "the change does not apply to the zone");
	} else if (rc == SN_ENOMEM) {
		set_err(err, errlen, "out of memory");
	}
	if (rc == SN_OK && refresh_before != 0) {
		rc = inc_refresh(&c, refresh_before);
		if (rc != SN_OK) {
			set_err(err, errlen, "refreshing signatures: %s", sn_strerror(rc));
		}
	}
	if (rc != SN_OK) {
		goto out;
	}
	rc = rrlist_sort(c.orm);
	if (rc == SN_OK) {
		rc = rrlist_sort(c.oadd);
	}
	if (rc != SN_OK) {
		set_err(err, errlen, "sorting the output: %s", sn_strerror(rc));
		goto out;
	}
	*rm_out = c.orm;
	*add_out = c.oadd;
	c.orm = c.oadd = NULL;
out:
	rrlist_free(c.orm);
	rrlist_free(c.oadd);
	for (size_t i = 0; i < c.nt; i++) {
		free(c.t[i]);
	}
	for (size_t i = 0; i < c.nextra; i++) {
		free(c.extra[i]);
	}
	free(c.t);
	free(c.a);
	free(c.r);
	free(c.extra);
	free(c.rkept);
	free(c.flip);
	free(c.own);
	free(c.sc1);
	free(c.sc2);
	free(c.sigscr);
	free(c.rd);
	free(c.rdl);
	free(c.gone);
	free(c.j);
	return rc;
}
