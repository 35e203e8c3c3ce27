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

int
signer_sign_incremental(const snap_t *cur, const rrlist_t *removed, const rrlist_t *added,
			const signer_key_t *keys, size_t nkeys, const signer_params_t *p,
			uint32_t refresh_before, rrlist_t **rm_out, rrlist_t **add_out, char *err,
			size_t errlen)
{
	(void)cur;
	(void)removed;
	(void)added;
	(void)keys;
	(void)nkeys;
	(void)p;
	(void)refresh_before;
	(void)rm_out;
	(void)add_out;
	/* TODO(#5): the contract is in signer.h; until then a change is
	 * signed by signing the whole zone again. */
	set_err(err, errlen, "incremental signing is not implemented yet: sign the whole zone");
	return SN_ENOTSUP;
}
