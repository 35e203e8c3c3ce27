/* SPDX-License-Identifier: MIT
 * signetd.c - the signet daemon.
 *
 * The main thread loads the configuration and the zones, starts the UDP
 * and TCP workers, then waits for signals: SIGTERM/SIGINT stop, SIGHUP
 * reloads the configuration and every zone file that changed, SIGUSR1 logs
 * the counters. Workers only read: the zones and the configuration they
 * answer from are one RCU-published view, replaced whole on reload, and an
 * old view is freed only after a grace period.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <urcu-qsbr.h>
#include "conf/conf.h"
#include "server/ctl.h"
#include "server/dsquery.h"
#include "server/log.h"
#include "server/query.h"
#include "server/tcp.h"
#include "server/udp.h"
#include "server/xfr.h"
#include "server/zload.h"
#include "server/zonetab.h"
#include "server/zsign.h"
#include "server/zupdate.h"
#include "sign/dnskey.h"
#include "sign/keyfile.h"
#include "sign/keypair.h"
#include "sign/rrsig.h"
#include "storage/keystore.h"
#include "storage/store.h"
#include "storage/zdiff.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include "zone/wire.h"
#include "zone/zfile.h"
#include "zone/zprint.h"

/* The embedded demo: what `signetd` with no -c (and `make demo`) serves. */
static const char demo_conf[] = "server:\n"
				"  listen: [127.0.0.1@5300, \"::1@5300\"]\n"
				"  storage: ./var\n"
				"  identity: signet-demo\n"
				"  nsid: signet-demo\n"
				"acl:\n"
				"  - id: local\n"
				"    address: [127.0.0.0/8, \"::1\"]\n"
				"    action: [transfer]\n"
				"zone:\n"
				"  - domain: example.com.\n"
				"    acl: [local]\n"
				"    dnssec-signing: on\n";

static const char demo_zone[] =
	"$ORIGIN example.com.\n"
	"$TTL 3600\n"
	"@\tIN SOA ns1 hostmaster ( 2026112701 7200 3600 1209600 300 )\n"
	"\tIN NS ns1\n"
	"\tIN NS ns2\n"
	"\tIN MX 10 mail\n"
	"\tIN TXT \"v=spf1 mx -all\"\n"
	"\tIN A 192.0.2.1\n"
	"\tIN AAAA 2001:db8::1\n"
	"ns1\tIN A 192.0.2.53\n"
	"ns1\tIN AAAA 2001:db8::53\n"
	"ns2\tIN A 198.51.100.53\n"
	"mail\tIN A 192.0.2.25\n"
	"www\tIN CNAME @\n"
	"*.apps\tIN A 192.0.2.80\n"
	"_sip._tcp\tIN SRV 10 5 5060 sip\n"
	"sip\tIN A 192.0.2.60\n"
	"sub\tIN NS ns.sub\n"
	"ns.sub\tIN A 192.0.2.99\n"
	"old\tIN DNAME example.net.\n";

typedef struct zone_state {
	zone_t zone; /* first: workers see this part */
	bool runtime; /* added by signetc zone-add: kept in the store's catalogue */
	char *path;
	bool loaded;
	/* during a reload, the zone's new configuration (zone.conf moves to it
	 * when the new view is published) */
	const conf_zone_t *cz_next;
	/* when the served signatures need refreshing (Unix seconds; 0: never):
	 * the earliest RRSIG expiration less the policy's rrsig-refresh */
	int64_t resign_at;
	/* the policy's clock: next key event, the rollover step in progress,
	 * and the TTLs it works with (from the last publish) */
	int64_t key_event_at;
	char rollover[KASP_STEP_LEN];
	uint32_t soa_ttl, max_ttl;
	/* KSK submission: when to ask the parent's servers for the new DS */
	int64_t ds_check_at;
} zone_state_t;

typedef struct server {
	const char *conf_path; /* NULL for the demo */
	conf_t *conf;
	query_view_t *view; /* RCU pointer */
	zone_state_t **zones;
	size_t nzones;
	atomic_bool stop;
	size_t nthreads;
	pthread_t *threads;
	query_stats_t *stats; /* one per worker thread */
	int *fds;
	size_t nfds;
	store_t *store; /* the one source of truth (DESIGN.md decision 1) */
	time_t started;
	bool stop_requested; /* by `signetc stop` */
} server_t;

typedef struct worker {
	server_t *srv;
	query_stats_t *stats;
	udp_worker_t *udp;
	tcp_worker_t *tcp;
} worker_t;

static size_t
udp_answer(void *ctx, const uint8_t *q, size_t qlen, uint8_t *resp, size_t cap,
	   const struct sockaddr *from)
{
	worker_t *w = ctx;
	const query_view_t *v = rcu_dereference(w->srv->view);
	return query_answer(v, q, qlen, resp, cap, from, false, w->stats);
}

static size_t
tcp_answer(void *ctx, tcp_query_t *tq, uint8_t *resp, size_t cap, bool *more)
{
	worker_t *w = ctx;
	const query_view_t *v = rcu_dereference(w->srv->view);
	*more = false;
	if (tq->state[0] != 0 || (resp != NULL && xfr_is_transfer(tq))) {
		return xfr_answer(v, tq, resp, cap, more, w->stats);
	}
	if (resp == NULL) {
		return 0;
	}
	return query_answer(v, tq->q, tq->qlen, resp, cap, tq->from, true, w->stats);
}

static void *
udp_thread(void *arg)
{
	worker_t *w = arg;
	udp_worker_run(w->udp, &w->srv->stop);
	return NULL;
}

static void *
tcp_thread(void *arg)
{
	worker_t *w = arg;
	tcp_worker_run(w->tcp, &w->srv->stop);
	return NULL;
}

/* What a zone file looks like on disk, to tell whether it changed since it
 * was imported. The demo zone has no file: its text's hash stands in. */
typedef struct file_id {
	int64_t mtime_ns;
	uint64_t size, inode, dev;
	uint8_t hash[STORE_HASH_LEN];
} file_id_t;

static int
file_identify(const zone_state_t *zs, file_id_t *id)
{
	struct stat st;
	memset(id, 0, sizeof(*id));
	if (zs->path == NULL) {
		uint64_t h = 1469598103934665603ull; /* FNV-1a */
		for (size_t i = 0; i < sizeof(demo_zone) - 1; i++) {
			h = (h ^ (uint8_t)demo_zone[i]) * 1099511628211ull;
		}
		memcpy(id->hash, &h, sizeof(h));
		return SN_OK;
	}
	if (stat(zs->path, &st) != 0) {
		return SN_EIO;
	}
	id->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	id->size = (uint64_t)st.st_size;
	id->inode = (uint64_t)st.st_ino;
	id->dev = (uint64_t)st.st_dev;
	return SN_OK;
}

/* Has the key time `t` (0: not set) come at `now`? */
static bool
reached(int64_t t, int64_t now)
{
	return t != 0 && t <= now;
}

static bool
file_unchanged(const file_id_t *id, const store_zone_meta_t *m)
{
	return id->mtime_ns == m->file_mtime_ns && id->size == m->file_size &&
	       id->inode == m->file_inode && id->dev == m->file_dev &&
	       memcmp(id->hash, m->file_hash, STORE_HASH_LEN) == 0;
}

static void
meta_set_file(store_zone_meta_t *m, const zone_state_t *zs, const file_id_t *id)
{
	snprintf(m->file, sizeof(m->file), "%s", zs->path != NULL ? zs->path : "");
	m->file_mtime_ns = id->mtime_ns;
	m->file_size = id->size;
	m->file_inode = id->inode;
	m->file_dev = id->dev;
	memcpy(m->file_hash, id->hash, STORE_HASH_LEN);
	m->last_load = (int64_t)time(NULL);
	m->flags = zs->runtime ? STORE_ZONE_RUNTIME : 0;
	if (zs->zone.conf != NULL) {
		m->journal_max_entries = zs->zone.conf->journal_max_entries;
		m->journal_max_bytes = zs->zone.conf->journal_max_size;
	}
}

/* Builds the zone's snapshot from the store and publishes it: what a
 * restart does, parsing nothing (DESIGN.md decision 1). */
/* The zone's configuration as the change in progress sees it. */
static const conf_zone_t *
zone_cz(const zone_state_t *zs)
{
	return zs->cz_next != NULL ? zs->cz_next : zs->zone.conf;
}

/* The policy the zone is signed by, or NULL when it is not signed. */
static const conf_policy_t *
zone_policy(const zone_state_t *zs)
{
	const conf_zone_t *cz = zone_cz(zs);
	return cz != NULL && cz->dnssec_signing ? cz->policy : NULL;
}

/* Appends the zone's signed records to `l` and sorts it: the union is what
 * the zone serves. */
static int
read_signed_into(store_txn_t *txn, const uint8_t *apex, rrlist_t *l)
{
	rrlist_t *sl = NULL;
	int rc = store_zone_read_signed(txn, apex, &sl);
	for (size_t i = 0; rc == SN_OK && i < rrlist_count(sl); i++) {
		rrlist_rr_t r = rrlist_get(sl, i);
		zfile_rr_t z = {.owner = r.owner, .type = r.type, .rclass = r.rclass,
				.ttl = r.ttl, .rdlen = r.rdlen, .rdata = r.rdata, .file = "store"};
		rc = rrlist_add(l, &z);
	}
	rrlist_free(sl);
	return rc == SN_OK ? rrlist_sort(l) : rc;
}

/* When the signatures in `l` (a zone's records, signed ones included)
 * must be made again: the earliest RRSIG expiration less rrsig-refresh
 * (RFC 6781 4.4.2), or 0 for a zone that is not signed. */
static int64_t
resign_time(zone_state_t *zs, const rrlist_t *l)
{
	const conf_policy_t *pol = zone_policy(zs);
	int64_t now = (int64_t)time(NULL), first = 0;
	uint32_t max_ttl = 0;
	for (size_t i = 0; i < rrlist_count(l); i++) {
		rrlist_rr_t r = rrlist_get(l, i);
		if (r.type == RRTYPE_SOA) {
			zs->soa_ttl = r.ttl;
		}
		if (r.type == RRTYPE_RRSIG || r.type == RRTYPE_DNSKEY || r.type == RRTYPE_NSEC3 ||
		    r.type == RRTYPE_NSEC || r.type == RRTYPE_NSEC3PARAM) {
			continue; /* the zone's own data sets the max TTL */
		}
		max_ttl = r.ttl > max_ttl ? r.ttl : max_ttl;
	}
	zs->max_ttl = max_ttl;
	if (pol == NULL) {
		return 0;
	}
	for (size_t i = 0; i < rrlist_count(l); i++) {
		rrlist_rr_t r = rrlist_get(l, i);
		if (r.type == RRTYPE_RRSIG && r.rdlen >= RRSIG_FIXEDLEN) {
			/* RFC 4034 3.1.5: serial arithmetic around now */
			int64_t exp = now + (int32_t)(wire_read_u32(r.rdata + 8) - (uint32_t)now);
			first = first == 0 || exp < first ? exp : first;
		}
	}
	if (first == 0) {
		return 0;
	}
	return first - (int64_t)conf_policy_rrsig_refresh(pol, max_ttl);
}

/* Looks at the zone's keys under its policy (without changing them) to
 * know when the next key event is and which rollover step is in progress. */
static void
zone_plan_keys(server_t *srv, zone_state_t *zs)
{
	const conf_policy_t *pol = zone_policy(zs);
	store_txn_t *txn;
	kasp_policy_t kp;
	kasp_plan_t plan;
	bool changed;
	char err[ZSIGN_ERRLEN];

	zs->key_event_at = 0;
	zs->rollover[0] = '\0';
	if (pol == NULL || store_txn_begin(srv->store, false, &txn) != SN_OK) {
		return;
	}
	zsign_kasp_policy(pol, zs->soa_ttl, zs->max_ttl, &kp);
	int64_t now = (int64_t)time(NULL);
	if (zsign_keys_step(txn, zs->zone.apex, pol, &kp, now, 0, false, &plan, &changed, err) ==
	    SN_OK) {
		zs->key_event_at = plan.make_key ? now : plan.next;
		snprintf(zs->rollover, sizeof(zs->rollover), "%s", plan.step);
	}
	/* a key waits for its DS: ask the parent when the policy names it */
	uint8_t dk[KEYPAIR_DNSKEY_MAXLEN];
	size_t dklen;
	uint16_t tag;
	int64_t ready;
	bool waits = zsign_waiting_key(txn, zs->zone.apex, now, dk, sizeof(dk), &dklen, &tag,
				       &ready) == SN_OK;
	if (!waits || pol->ksk_submission == NULL) {
		zs->ds_check_at = 0;
	} else if (zs->ds_check_at == 0) {
		zs->ds_check_at = now;
	}
	store_txn_abort(txn);
}

static int
publish_from_store(server_t *srv, zone_state_t *zs)
{
	store_txn_t *txn = NULL;
	rrlist_t *l = NULL;
	snap_t *s = NULL;
	store_zone_meta_t m;
	int rc = store_txn_begin(srv->store, false, &txn);
	if (rc == SN_OK) {
		rc = store_zone_get(txn, zs->zone.apex, &m);
		if (rc == SN_OK) {
			rc = store_zone_read(txn, zs->zone.apex, &l);
		}
		if (rc == SN_OK && m.signed_count > 0) {
			rc = read_signed_into(txn, zs->zone.apex, l);
		}
		store_txn_abort(txn);
	}
	if (rc == SN_OK) {
		rc = snap_build(zs->zone.apex, l, &s);
	}
	if (rc == SN_OK) {
		zs->resign_at = resign_time(zs, l);
	}
	if (rc != SN_OK) {
		log_error("zone %s: cannot read it from the store: %s", zs->zone.name,
			  sn_strerror(rc));
		rrlist_free(l);
		return rc;
	}
	log_info("zone %s: serving serial %u, %zu records, %zu names", zs->zone.name,
		 snap_serial(s), rrlist_count(l), snap_name_count(s));
	rrlist_free(l);
	zs->loaded = true;
	zone_retire(zone_publish(&zs->zone, s));
	zone_plan_keys(srv, zs);
	return SN_OK;
}

/* What a change did to a signed zone's signatures. */
typedef struct sign_out {
	bool incremental;  /* signed incrementally: srm/sadd hold the change */
	rrlist_t *srm, *sadd;
	zsign_info_t info;
} sign_out_t;

static void
sign_out_reset(sign_out_t *so)
{
	rrlist_free(so->srm);
	rrlist_free(so->sadd);
	memset(so, 0, sizeof(*so));
}

/* One change, applied in one write transaction (store_write may run it
 * again after growing the map, so it starts from scratch each time). */
typedef struct import_job {
	zone_state_t *zs;
	const rrlist_t *records;
	const file_id_t *id;
	bool changed; /* out: the zone's records changed */
	uint32_t serial_from, serial_to;
	size_t removed, added;
	zdiff_t *diff; /* out: the change applied (NULL for a first import) */
	const conf_policy_t *policy; /* sign by it; NULL: the zone is not signed */
	bool resigned;		     /* out: the signed records were replaced */
	bool unsigned_now;	     /* out: signing was turned off: records dropped */
	zsign_info_t sign;	     /* out, when resigned */
	char sign_err[ZSIGN_ERRLEN]; /* out */
	sign_out_t so;		     /* out: an incremental signing */
} import_job_t;

/* RFC 1982 serial arithmetic: is `a` newer than `b`? */
static bool
serial_newer(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}

static uint32_t serial_next(const zone_state_t *zs, uint32_t from);

/* Applies the unsigned change `d` with serial `serial`. A signed zone's
 * signatures follow it in the same transaction: incrementally when the
 * signer can (only the changed RRsets and the chain around them), else the
 * caller signs the whole zone again (so->incremental false). */
static int
apply_change_in_txn(store_txn_t *txn, zone_state_t *zs, const conf_policy_t *pol,
		    const zdiff_t *d, uint32_t serial, uint32_t refresh_before, sign_out_t *so,
		    char *err)
{
	store_zone_meta_t m;
	sign_out_reset(so);
	if (pol != NULL && zs->zone.snap != NULL && snap_is_signed(zs->zone.snap) &&
	    store_zone_get(txn, zs->zone.apex, &m) == SN_OK && m.signed_count > 0) {
		int rc = zsign_apply_change(txn, zs->zone.apex, pol, zs->zone.snap, d, serial,
					    (int64_t)time(NULL), refresh_before, &so->srm, &so->sadd,
					    &so->info, err);
		if (rc == SN_OK) {
			so->incremental = true;
			return SN_OK;
		}
		if (rc != SN_ENOTSUP) {
			return rc;
		}
		err[0] = '\0';
	}
	return store_zone_apply(txn, zs->zone.apex, d, serial);
}

/* Moves the stored SOA serial on by the zone's serial policy, journalled as
 * a change of nothing else: for changes of signed data only (keys, signing
 * turned on or off). */
/* The change of nothing but the serial, moved on by the zone's serial
 * policy: *out (caller frees) and the new serial in *to. */
static int
bump_diff(store_txn_t *txn, zone_state_t *zs, zdiff_t **out, uint32_t *to)
{
	store_rr_t soa, after;
	uint8_t rd[RDATA_MAXLEN];
	zdiff_t *d = NULL;
	int rc = store_zone_soa(txn, zs->zone.apex, &soa);
	if (rc != SN_OK) {
		return rc;
	}
	if (soa.rdlen < 20) {
		return SN_EINVAL;
	}
	*to = serial_next(zs, wire_read_u32(soa.rdata + soa.rdlen - 20));
	memcpy(rd, soa.rdata, soa.rdlen);
	wire_write_u32(rd + soa.rdlen - 20, *to);
	after = soa;
	after.rdata = rd;
	if ((rc = zdiff_new(&d)) == SN_OK && (rc = zdiff_set_soa_before(d, &soa)) == SN_OK &&
	    (rc = zdiff_set_soa_after(d, &after)) == SN_OK) {
		*out = d;
		return SN_OK;
	}
	zdiff_free(d);
	return rc;
}

static int
bump_serial_in_txn(store_txn_t *txn, zone_state_t *zs)
{
	zdiff_t *d = NULL;
	uint32_t to;
	int rc = bump_diff(txn, zs, &d, &to);
	if (rc == SN_OK) {
		rc = store_zone_apply(txn, zs->zone.apex, d, to);
	}
	zdiff_free(d);
	return rc;
}

/* Signs the zone again after a change (or for the first time), or drops
 * its signatures when signing was turned off, in the change's transaction
 * (DESIGN.md decision 3).
 * Until incremental signing lands, a change re-signs the whole zone. */
static int
resign_in_txn(store_txn_t *txn, zone_state_t *zs, const conf_policy_t *pol, bool changed,
	      zsign_info_t *info, char *err, bool *resigned, bool *dropped)
{
	const uint8_t *apex = zs->zone.apex;
	store_zone_meta_t m;
	int rc = store_zone_get(txn, apex, &m);
	*resigned = *dropped = false;
	if (rc != SN_OK) {
		return rc;
	}
	bool is_signed = m.signed_count > 0;
	if ((pol == NULL && !is_signed) || (pol != NULL && is_signed && !changed)) {
		return SN_OK;
	}
	if (!changed && m.has_soa) {
		/* the signed data changes: secondaries must see a new serial */
		rc = bump_serial_in_txn(txn, zs);
		if (rc != SN_OK) {
			return rc;
		}
	}
	if (pol == NULL) {
		rrlist_t *none = rrlist_new();
		rc = none != NULL ? store_zone_import_signed(txn, apex, none) : SN_ENOMEM;
		rrlist_free(none);
		*dropped = true;
		return rc;
	}
	rrlist_t *u = NULL;
	rc = store_zone_read(txn, apex, &u);
	if (rc == SN_OK) {
		rc = zsign_zone(txn, apex, pol, u, (int64_t)time(NULL), NULL, info, err);
	}
	rrlist_free(u);
	if (rc != SN_OK) {
		return rc;
	}
	*resigned = true;
	return SN_OK;
}

static int
sign_in_txn(store_txn_t *txn, const uint8_t *apex, import_job_t *job)
{
	return resign_in_txn(txn, job->zs, job->policy, job->changed, &job->sign, job->sign_err,
			     &job->resigned, &job->unsigned_now);
}

static int
import_txn(store_txn_t *txn, void *ctx)
{
	import_job_t *job = ctx;
	zone_state_t *zs = job->zs;
	store_zone_meta_t m;
	int rc = store_zone_get(txn, zs->zone.apex, &m);

	job->changed = false;
	zdiff_free(job->diff); /* from an attempt store_write had to redo */
	job->diff = NULL;
	if (rc == SN_ENOTFOUND) {
		memset(&m, 0, sizeof(m));
		meta_set_file(&m, zs, job->id);
		rc = store_zone_add(txn, zs->zone.apex, &m);
		if (rc == SN_OK) {
			rc = store_zone_import(txn, zs->zone.apex, job->records);
		}
		job->changed = true;
		job->added = rrlist_count(job->records);
		return rc == SN_OK ? sign_in_txn(txn, zs->zone.apex, job) : rc;
	}
	if (rc != SN_OK) {
		return rc;
	}
	zdiff_t *d = NULL;
	rc = store_zone_diff(txn, zs->zone.apex, job->records, &d);
	if (rc != SN_OK) {
		return rc;
	}
	if (!zdiff_is_empty(d)) {
		uint32_t from = zdiff_serial_before(d), to = zdiff_serial_after(d);
		if (!serial_newer(to, from)) {
			/* the content changed but the serial did not move: secondaries
			 * would never see it */
			if (zs->zone.conf == NULL || !zs->zone.conf->serial_auto_bump) {
				log_error("zone %s: the file changed but its serial %u is not "
					  "newer than %u; not loaded (set serial-auto-bump: on to "
					  "let signet bump it)",
					  zs->zone.name, to, from);
				zdiff_free(d);
				return SN_EINVAL;
			}
			to = from + 1;
			log_warning("zone %s: same serial, different content: serial bumped "
				    "to %u",
				    zs->zone.name, to);
		}
		rc = apply_change_in_txn(txn, zs, job->policy, d, to, 0, &job->so, job->sign_err);
		job->changed = true;
		job->serial_from = from;
		job->serial_to = to;
		job->removed = rrlist_count(zdiff_removed(d));
		job->added = rrlist_count(zdiff_added(d));
		job->diff = d;
		d = NULL;
	}
	zdiff_free(d);
	if (rc != SN_OK) {
		return rc;
	}
	/* the file's identity is kept even when nothing changed, so the next
	 * start does not parse it again */
	if (store_zone_get(txn, zs->zone.apex, &m) == SN_OK) {
		meta_set_file(&m, zs, job->id);
		rc = store_zone_put_meta(txn, zs->zone.apex, &m);
	}
	if (rc != SN_OK || job->so.incremental) {
		return rc;
	}
	return sign_in_txn(txn, zs->zone.apex, job);
}

/* Appends a copy of `rr` to `l`. */
static int
list_add(rrlist_t *l, const store_rr_t *rr, uint32_t serial)
{
	uint8_t rd[RDATA_MAXLEN];
	zfile_rr_t z = {.owner = rr->owner, .type = rr->type, .rclass = rr->rclass,
			.ttl = rr->ttl, .rdlen = rr->rdlen, .rdata = rr->rdata, .file = "store"};
	if (serial != 0 && rr->type == RRTYPE_SOA && rr->rdlen >= 20) {
		/* the serial the store committed (it may have been bumped) */
		memcpy(rd, rr->rdata, rr->rdlen);
		wire_write_u32(rd + rr->rdlen - 20, serial);
		z.rdata = rd;
	}
	return rrlist_add(l, &z);
}

static int
copy_list(rrlist_t *dst, const rrlist_t *src)
{
	for (size_t i = 0; i < rrlist_count(src); i++) {
		rrlist_rr_t r = rrlist_get(src, i);
		store_rr_t s = {.owner = r.owner, .type = r.type, .rclass = r.rclass,
				.ttl = r.ttl, .rdlen = r.rdlen, .rdata = r.rdata};
		int rc = list_add(dst, &s, 0);
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

/* Publishes the committed change `d` by editing the current snapshot
 * (DESIGN.md decision 2: about k log N for k records, sharing the rest).
 * The zdiff keeps the apex SOA apart (RFC 1995 form); the snapshot edit
 * takes it as one more record removed and added. */
static int
publish_edit(zone_state_t *zs, const zdiff_t *d, uint32_t serial_to, const sign_out_t *so)
{
	store_rr_t soa_before, soa_after;
	rrlist_t *rem = rrlist_new(), *add = rrlist_new();
	snap_t *s = NULL;
	int rc = SN_ENOMEM;

	if (rem == NULL || add == NULL || zs->zone.snap == NULL || !zdiff_soa_before(d, &soa_before) ||
	    !zdiff_soa_after(d, &soa_after)) {
		rc = SN_EINVAL;
		goto out;
	}
	if ((rc = copy_list(rem, zdiff_removed(d))) != SN_OK ||
	    (rc = copy_list(add, zdiff_added(d))) != SN_OK ||
	    (rc = list_add(rem, &soa_before, 0)) != SN_OK ||
	    (rc = list_add(add, &soa_after, serial_to)) != SN_OK ||
	    (so != NULL && so->incremental &&
	     ((rc = copy_list(rem, so->srm)) != SN_OK || (rc = copy_list(add, so->sadd)) != SN_OK)) ||
	    (rc = rrlist_sort(rem)) != SN_OK ||
	    (rc = rrlist_sort(add)) != SN_OK) {
		goto out;
	}
	rc = snap_edit(zs->zone.snap, rem, add, &s);
	if (rc == SN_OK) {
		zone_retire(zone_publish(&zs->zone, s));
		log_info("zone %s: serving serial %u, %zu names", zs->zone.name, snap_serial(s),
			 snap_name_count(s));
	}
out:
	rrlist_free(rem);
	rrlist_free(add);
	return rc;
}

/* A signed zone's file may not bring DNSSEC records of its own: the signer
 * makes them. They are dropped with a warning, never mixed in. */
static void
strip_signer_records(const zone_state_t *zs, rrlist_t *l, const conf_policy_t *pol)
{
	bool cds = pol->cds_cdnskey_publish != CONF_CDS_NONE;
	size_t n = 0;
	for (size_t i = 0; i < rrlist_count(l); i++) {
		if (zsign_is_signer_type(rrlist_type(l, i), cds)) {
			rrlist_drop(l, i);
			n++;
		}
	}
	if (n > 0) {
		rrlist_compact(l);
		log_warning("zone %s: %zu DNSSEC records in the file ignored: the signer makes "
			    "its own",
			    zs->zone.name, n);
	}
}

/* Room in the store for a load of `l`: its records with their keys and
 * indexes, and when signed its signatures and NSEC/NSEC3 chain as well (a
 * 1M-name zone signed with NSEC3 takes 7.7 times the bytes of its
 * records). Grown before the transaction, the map does not fill in the
 * middle of it, which would sign the whole zone again after each doubling. */
static void
reserve(server_t *srv, const zone_state_t *zs, size_t bytes)
{
	if (store_reserve(srv->store, bytes) == SN_ESTORE) {
		char msg[STORE_ERRMSG_LEN];
		store_errmsg(srv->store, msg, sizeof(msg));
		log_warning("zone %s: %s", zs->zone.name, msg);
	}
}

static void
reserve_for(server_t *srv, const zone_state_t *zs, const rrlist_t *l, bool sign)
{
	size_t b = 0;
	for (size_t i = 0; i < rrlist_count(l); i++) {
		rrlist_rr_t r = rrlist_get(l, i);
		b += dname_len(r.owner) + r.rdlen + 32;
	}
	reserve(srv, zs, b * (sign ? 12 : 3));
}

/* Room for signing the zone again in full: LMDB keeps the pages of the old
 * signatures until the commit (about 124 bytes a record in a signed 1M-name
 * zone, indexes included). */
static void
reserve_resign(server_t *srv, const zone_state_t *zs)
{
	store_txn_t *txn;
	store_zone_meta_t m;
	if (store_txn_begin(srv->store, false, &txn) != SN_OK) {
		return;
	}
	int rc = store_zone_get(txn, zs->zone.apex, &m);
	store_txn_abort(txn);
	if (rc == SN_OK) {
		reserve(srv, zs, (size_t)(m.record_count + m.signed_count) * 128);
	}
}

/* Loads (or reloads, when its file changed) one zone: at the first call
 * after a start, from the store; then from the file when it changed, as a
 * diff against the store committed in one transaction. A failing file
 * keeps the snapshot the zone had. Main thread (the zones' writer). */
static void
zone_refresh(server_t *srv, zone_state_t *zs, bool force)
{
	store_zone_meta_t meta;
	bool in_store = false;
	store_txn_t *txn;

	if (store_txn_begin(srv->store, false, &txn) == SN_OK) {
		in_store = store_zone_get(txn, zs->zone.apex, &meta) == SN_OK && meta.has_soa;
		store_txn_abort(txn);
	}
	if (!zs->loaded && in_store) {
		(void)publish_from_store(srv, zs);
	}
	file_id_t id;
	if (file_identify(zs, &id) != SN_OK) {
		log_error("zone %s: %s: %s%s", zs->zone.name, zs->path, strerror(errno),
			  zs->loaded ? "; keeps serving what it has" : "");
		return;
	}
	const conf_policy_t *pol = zone_policy(zs);
	bool sign_state_ok = (meta.signed_count > 0) == (pol != NULL);
	if (!force && in_store && zs->loaded && file_unchanged(&id, &meta) && sign_state_ok) {
		return;
	}
	if (zone_cz(zs) != NULL && zone_cz(zs)->dnssec_signing && pol == NULL) {
		log_error("zone %s: dnssec-signing is on but no policy applies; not signed",
			  zs->zone.name);
	}
	rrlist_t *l = NULL;
	const char *text = zs->path == NULL ? demo_zone : NULL;
	if (zload_parse(zs->zone.apex, zs->zone.name, zs->path != NULL ? zs->path : "demo.zone", text,
			text != NULL ? sizeof(demo_zone) - 1 : 0, &l) != SN_OK) {
		if (zs->loaded) {
			log_warning("zone %s: keeps serving serial %u", zs->zone.name,
				    snap_serial(zs->zone.snap));
		}
		return;
	}
	if (pol != NULL) {
		strip_signer_records(zs, l, pol);
	}
	reserve_for(srv, zs, l, pol != NULL);
	import_job_t job = {.zs = zs, .records = l, .id = &id, .policy = pol};
	int rc = store_write(srv->store, import_txn, &job);
	rrlist_free(l);
	if (rc != SN_OK) {
		zdiff_free(job.diff);
		sign_out_reset(&job.so);
		char msg[STORE_ERRMSG_LEN];
		store_errmsg(srv->store, msg, sizeof(msg));
		if (job.sign_err[0] != '\0') {
			log_error("zone %s: not signed, so not loaded: %s", zs->zone.name,
				  job.sign_err);
		} else if (rc != SN_EINVAL) {
			log_error("zone %s: not stored: %s", zs->zone.name, msg);
		}
		if (zs->loaded) {
			log_warning("zone %s: keeps serving serial %u", zs->zone.name,
				    snap_serial(zs->zone.snap));
		}
		return;
	}
	if (job.changed && job.serial_to != 0) {
		log_info("zone %s: serial %u -> %u: %zu records removed, %zu added",
			 zs->zone.name, job.serial_from, job.serial_to, job.removed, job.added);
	}
	if (job.resigned) {
		log_info("zone %s: signed: %zu signatures in %.2f s, %zu DNSSEC records%s",
			 zs->zone.name, job.sign.signatures, job.sign.seconds, job.sign.records,
			 job.sign.keys_made > 0 ? " (keys made: the zone had none)" : "");
	}
	if (job.unsigned_now) {
		log_warning("zone %s: dnssec-signing is off: its signatures are gone, so a DS "
			    "at the parent now breaks it (remove the DS first)",
			    zs->zone.name);
	}
	if (job.so.incremental) {
		log_info("zone %s: signed incrementally: %zu signatures in %.3f s", zs->zone.name,
			 job.so.info.signatures, job.so.info.seconds);
	}
	if (job.diff != NULL && zs->loaded && !job.resigned && !job.unsigned_now &&
	    publish_edit(zs, job.diff, job.serial_to, &job.so) == SN_OK) {
		zdiff_free(job.diff);
		sign_out_reset(&job.so);
		return;
	}
	zdiff_free(job.diff);
	sign_out_reset(&job.so);
	if (job.changed || !zs->loaded || job.resigned || job.unsigned_now) {
		(void)publish_from_store(srv, zs); /* a first load, or an edit failed */
	}
}

static zone_state_t *
zone_state_new(const conf_zone_t *cz, bool demo)
{
	zone_state_t *zs = calloc(1, sizeof(*zs));
	if (zs == NULL) {
		return NULL;
	}
	size_t len = dname_len(cz->apex);
	memcpy(zs->zone.apex, cz->apex, len);
	dname_to_lower(zs->zone.apex);
	zs->zone.apex_len = len;
	char name[DNAME_MAXTEXT];
	dname_to_text(cz->apex, name, sizeof(name));
	zs->zone.name = strdup(name);
	if (zs->zone.name == NULL) {
		free(zs);
		return NULL;
	}
	zs->zone.conf = cz;
	if (!demo) {
		zs->path = strdup(cz->file);
		if (zs->path == NULL) {
			free(zs->zone.name);
			free(zs);
			return NULL;
		}
	}
	return zs;
}

/* A zone added at run time: no configuration of its own (no ACL, so no
 * transfers, and default journal limits) until templates apply to it. */
static zone_state_t *
zone_state_new_runtime(const uint8_t *apex, const char *path)
{
	zone_state_t *zs = calloc(1, sizeof(*zs));
	if (zs == NULL) {
		return NULL;
	}
	size_t len = dname_len(apex);
	memcpy(zs->zone.apex, apex, len);
	dname_to_lower(zs->zone.apex);
	zs->zone.apex_len = len;
	char name[DNAME_MAXTEXT];
	dname_to_text(apex, name, sizeof(name));
	zs->zone.name = strdup(name);
	if (zs->zone.name == NULL) {
		free(zs);
		return NULL;
	}
	zs->runtime = true;
	/* never NULL: a NULL path means the embedded demo zone */
	zs->path = strdup(path != NULL ? path : "");
	if (zs->path == NULL) {
		free(zs->zone.name);
		free(zs);
		return NULL;
	}
	return zs;
}

/* The runtime zones of the store's catalogue, collected for apply_conf. */
typedef struct runtime_list {
	store_zone_meta_t *v;
	size_t n, cap;
} runtime_list_t;

static int
collect_runtime(void *ctx, const store_zone_meta_t *m)
{
	runtime_list_t *rl = ctx;
	if (!(m->flags & STORE_ZONE_RUNTIME)) {
		return 0;
	}
	if (rl->n == rl->cap) {
		size_t cap = rl->cap != 0 ? rl->cap * 2 : 16;
		store_zone_meta_t *v = realloc(rl->v, cap * sizeof(*v));
		if (v == NULL) {
			return SN_ENOMEM;
		}
		rl->v = v;
		rl->cap = cap;
	}
	rl->v[rl->n++] = *m;
	return 0;
}

static void
zone_state_free(zone_state_t *zs)
{
	if (zs == NULL) {
		return;
	}
	snap_unref(zs->zone.snap);
	free(zs->path);
	free(zs->zone.name);
	free(zs);
}

/* Builds the zone list and view for `conf`, reusing the zones that
 * `srv` already serves, and publishes it. Main thread only. */
static int
apply_conf(server_t *srv, conf_t *conf)
{
	runtime_list_t rl = {0};
	store_txn_t *txn;
	if (store_txn_begin(srv->store, false, &txn) == SN_OK) {
		if (store_zone_list(txn, collect_runtime, &rl) != SN_OK) {
			log_error("cannot list the store's zones; runtime zones are not served");
			rl.n = 0;
		}
		store_txn_abort(txn);
	}
	size_t total = conf->zone_count + rl.n;
	zone_state_t **zones = calloc(total + 1, sizeof(*zones));
	zone_t **tab = calloc(total + 1, sizeof(*tab));
	query_view_t *view = calloc(1, sizeof(*view));
	bool *kept = calloc(srv->nzones + 1, sizeof(*kept));
	zonetab_t *zt = NULL;
	size_t n = 0;
	int rc = SN_ENOMEM;

	if (zones == NULL || tab == NULL || view == NULL || kept == NULL) {
		goto fail;
	}
	for (size_t i = 0; i < conf->zone_count; i++) {
		const conf_zone_t *cz = &conf->zones[i];
		zone_state_t *zs = NULL;
		for (size_t j = 0; j < srv->nzones; j++) {
			if (!kept[j] && dname_is_equal(srv->zones[j]->zone.apex, cz->apex)) {
				zs = srv->zones[j];
				kept[j] = true;
				break;
			}
		}
		if (zs != NULL && srv->conf_path != NULL && strcmp(zs->path, cz->file) != 0) {
			char *p = strdup(cz->file);
			if (p == NULL) {
				goto fail;
			}
			free(zs->path);
			zs->path = p;
			zs->loaded = zs->zone.snap != NULL;
		}
		if (zs == NULL) {
			zs = zone_state_new(cz, srv->conf_path == NULL);
			if (zs == NULL) {
				goto fail;
			}
		}
		zones[n] = zs;
		tab[n] = &zs->zone;
		n++;
		zs->cz_next = cz;
		zone_refresh(srv, zs, false);
		zs->cz_next = NULL;
	}
	/* runtime zones, unless the configuration now has them itself */
	for (size_t i = 0; i < rl.n; i++) {
		if (conf_zone_find(conf, rl.v[i].apex) != NULL) {
			continue;
		}
		zone_state_t *zs = NULL;
		for (size_t j = 0; j < srv->nzones; j++) {
			if (!kept[j] && dname_is_equal(srv->zones[j]->zone.apex, rl.v[i].apex)) {
				zs = srv->zones[j];
				kept[j] = true;
				break;
			}
		}
		if (zs == NULL) {
			zs = zone_state_new_runtime(rl.v[i].apex, rl.v[i].file);
			if (zs == NULL) {
				goto fail;
			}
		}
		zones[n] = zs;
		tab[n] = &zs->zone;
		n++;
		zone_refresh(srv, zs, false);
	}
	rc = zonetab_new(tab, n, &zt);
	if (rc != SN_OK) {
		goto fail;
	}
	view->conf = conf;
	view->zones = zt;
	/* the zones' configuration moves to the new conf with the view */
	for (size_t i = 0; i < n; i++) {
		rcu_assign_pointer(zones[i]->zone.conf, conf_zone_find(conf, zones[i]->zone.apex));
	}
	/* a new policy may move the key clock (an algorithm rollover...) */
	for (size_t i = 0; i < n; i++) {
		if (zones[i]->loaded) {
			zone_plan_keys(srv, zones[i]);
		}
	}
	query_view_t *old = rcu_xchg_pointer(&srv->view, view);
	synchronize_rcu();
	if (old != NULL) {
		zonetab_free(old->zones);
		free(old);
	}
	for (size_t j = 0; j < srv->nzones; j++) {
		if (!kept[j]) {
			log_info("zone %s: removed", srv->zones[j]->zone.name);
			zone_state_free(srv->zones[j]);
		}
	}
	if (srv->conf != conf) {
		conf_free(srv->conf);
	}
	srv->conf = conf;
	free(srv->zones);
	srv->zones = zones;
	srv->nzones = n;
	free(tab);
	free(kept);
	free(rl.v);
	return SN_OK;
fail:
	/* zones made for this conf and not published: drop them */
	for (size_t i = 0; i < n; i++) {
		bool existing = false;
		for (size_t j = 0; j < srv->nzones; j++) {
			existing = existing || srv->zones[j] == zones[i];
		}
		if (!existing) {
			zone_state_free(zones[i]);
		}
	}
	free(zones);
	free(tab);
	free(view);
	free(kept);
	free(rl.v);
	return rc;
}

static int
load_conf(const server_t *srv, conf_t **out)
{
	char err[CONF_ERRLEN];
	int rc;
	if (srv->conf_path == NULL) {
		rc = conf_load_mem("demo.yaml", demo_conf, sizeof(demo_conf) - 1, out, err);
	} else {
		rc = conf_load(srv->conf_path, out, err);
	}
	if (rc != SN_OK) {
		log_error("%s", err);
	}
	return rc;
}

static bool verbose; /* -v: debug lines on stderr whatever the config says */

static void
apply_log(const conf_t *conf)
{
	log_apply_conf(conf);
	if (verbose) {
		log_set_level(LOG_LVL_DEBUG);
	}
}

/* Logs what a new configuration changes that only a restart applies. */
static void
warn_restart_only(const conf_t *old, const conf_t *next)
{
	conf_diff_t d;
	if (conf_diff(old, next, &d) != SN_OK) {
		return;
	}
	if (d.needs_restart) {
		log_warning("the new configuration changes listen addresses, workers, TCP limits, "
			    "storage, control socket or user: those apply at the next restart");
	}
	log_info("configuration: %zu zones added, %zu removed, %zu changed", d.added_count,
		 d.removed_count, d.changed_count);
	conf_diff_clear(&d);
}

static void
reload(server_t *srv)
{
	conf_t *conf;
	log_info("reloading");
	if (load_conf(srv, &conf) != SN_OK) {
		log_error("configuration refused; the running one stays");
		/* zone files may still have changed */
		for (size_t i = 0; i < srv->nzones; i++) {
			zone_refresh(srv, srv->zones[i], false);
		}
		return;
	}
	warn_restart_only(srv->conf, conf);
	apply_log(conf);
	if (apply_conf(srv, conf) != SN_OK) {
		log_error("cannot apply the new configuration; the running one stays");
		conf_free(conf);
		apply_log(srv->conf);
	}
}

/* The workers' counters added up. Any thread (the counters are read
 * without synchronisation: a figure may lag by a few queries). */
static void
sum_stats(const server_t *srv, query_stats_t *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < srv->nthreads; i++) {
		const query_stats_t *s = &srv->stats[i];
		t->udp += s->udp;
		t->tcp += s->tcp;
		t->dropped += s->dropped;
		t->truncated += s->truncated;
		for (int r = 0; r < QUERY_RCODE_MAX; r++) {
			t->rcode[r] += s->rcode[r];
		}
	}
}

static void
log_stats(const server_t *srv)
{
	query_stats_t t;
	sum_stats(srv, &t);
	log_info("stats: udp=%lu tcp=%lu dropped=%lu truncated=%lu noerror=%lu formerr=%lu "
		 "servfail=%lu nxdomain=%lu notimp=%lu refused=%lu",
		 (unsigned long)t.udp, (unsigned long)t.tcp, (unsigned long)t.dropped,
		 (unsigned long)t.truncated, (unsigned long)t.rcode[0], (unsigned long)t.rcode[1],
		 (unsigned long)t.rcode[2], (unsigned long)t.rcode[3], (unsigned long)t.rcode[4],
		 (unsigned long)t.rcode[5]);
}

static int
start_workers(server_t *srv, worker_t **out_workers)
{
	const conf_t *c = srv->conf;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned nudp = c->workers != 0 ? c->workers : (cores > 0 ? (unsigned)cores : 1);
	unsigned ntcp = c->tcp_workers != 0 ? c->tcp_workers : nudp;
	size_t nl = c->listen_count;
	size_t nthreads = (size_t)nudp * nl + ntcp;

	srv->threads = calloc(nthreads, sizeof(*srv->threads));
	srv->stats = aligned_alloc(64, nthreads * sizeof(query_stats_t));
	worker_t *workers = calloc(nthreads, sizeof(*workers));
	srv->fds = calloc((size_t)(nudp + ntcp) * nl, sizeof(int));
	if (srv->threads == NULL || srv->stats == NULL || workers == NULL || srv->fds == NULL) {
		free(workers);
		return SN_ENOMEM;
	}
	memset(srv->stats, 0, nthreads * sizeof(query_stats_t));
	size_t t = 0;
	for (unsigned i = 0; i < nudp; i++) {
		for (size_t a = 0; a < nl; a++) {
			const conf_listen_t *l = &c->listen[a];
			int fd = udp_socket_open((const struct sockaddr *)&l->addr, l->addrlen);
			if (fd < 0) {
				log_error("cannot listen on UDP: %s", strerror(errno));
				free(workers);
				return SN_EIO;
			}
			srv->fds[srv->nfds++] = fd;
			worker_t *w = &workers[t];
			w->srv = srv;
			w->stats = &srv->stats[t];
			if (udp_worker_new(fd, udp_answer, w, &w->udp) != SN_OK) {
				free(workers);
				return SN_ENOMEM;
			}
			t++;
		}
	}
	tcp_limits_t lim = {.idle_timeout_ms = c->tcp_idle_timeout * 1000,
			    .max_clients = c->tcp_max_clients};
	for (unsigned i = 0; i < ntcp; i++) {
		int *fds = srv->fds + srv->nfds;
		for (size_t a = 0; a < nl; a++) {
			const conf_listen_t *l = &c->listen[a];
			int fd = tcp_socket_open((const struct sockaddr *)&l->addr, l->addrlen);
			if (fd < 0) {
				log_error("cannot listen on TCP: %s", strerror(errno));
				free(workers);
				return SN_EIO;
			}
			srv->fds[srv->nfds++] = fd;
		}
		worker_t *w = &workers[t];
		w->srv = srv;
		w->stats = &srv->stats[t];
		if (tcp_worker_new(fds, nl, &lim, tcp_answer, w, &w->tcp) != SN_OK) {
			free(workers);
			return SN_ENOMEM;
		}
		t++;
	}
	for (size_t i = 0; i < t; i++) {
		void *(*fn)(void *) = workers[i].udp != NULL ? udp_thread : tcp_thread;
		if (pthread_create(&srv->threads[i], NULL, fn, &workers[i]) != 0) {
			log_error("cannot start a worker thread");
			atomic_store(&srv->stop, true);
			for (size_t j = 0; j < i; j++) {
				pthread_join(srv->threads[j], NULL);
			}
			free(workers);
			return SN_ENOMEM;
		}
		srv->nthreads = i + 1;
	}
	log_info("serving: %u UDP and %u TCP workers on %zu addresses", nudp, ntcp, nl);
	*out_workers = workers;
	return SN_OK;
}

/*
 * The control channel. Requests are served on the main thread, between
 * signals, so a change asked for by signetc is applied by the zones' one
 * writer and acknowledged only after it committed.
 */

static zone_state_t *
find_zone(server_t *srv, const uint8_t *apex)
{
	for (size_t i = 0; i < srv->nzones; i++) {
		if (dname_is_equal(srv->zones[i]->zone.apex, apex)) {
			return srv->zones[i];
		}
	}
	return NULL;
}

/* The zone a request names, or NULL after answering "no such zone". */
static zone_state_t *
req_zone(server_t *srv, const ctl_req_t *req, ctl_resp_t *r)
{
	zone_state_t *zs = ctl_req_apex(req) != NULL ? find_zone(srv, ctl_req_apex(req)) : NULL;
	if (zs == NULL) {
		ctl_resp_error(r, SN_ENOTFOUND, "no such zone: %s", ctl_req_zone(req));
	}
	return zs;
}

static int
ctl_status(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	ctl_resp_str(r, "version", PACKAGE_VERSION);
	ctl_resp_int(r, "pid", (int64_t)getpid());
	ctl_resp_int(r, "uptime", (int64_t)(time(NULL) - srv->started));
	ctl_resp_uint(r, "zones", srv->nzones);
	ctl_resp_uint(r, "threads", srv->nthreads);
	ctl_resp_str(r, "config", srv->conf_path != NULL ? srv->conf_path : "(embedded demo)");
	return SN_OK;
}

static int
ctl_stop(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	srv->stop_requested = true;
	ctl_resp_bool(r, "stopping", true);
	return SN_OK;
}

static int
ctl_reload(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	conf_t *conf;
	if (load_conf(srv, &conf) != SN_OK) {
		ctl_resp_error(r, SN_EPARSE, "configuration refused; the running one stays (see the log)");
		return SN_OK;
	}
	warn_restart_only(srv->conf, conf);
	apply_log(conf);
	if (apply_conf(srv, conf) != SN_OK) {
		apply_log(srv->conf);
		conf_free(conf);
		ctl_resp_error(r, SN_ENOMEM, "cannot apply the new configuration; the running one stays");
		return SN_OK;
	}
	ctl_resp_uint(r, "zones", srv->nzones);
	return SN_OK;
}

/* ---- DNSSEC keys and DS for the registry ---- */

typedef struct key_walk {
	ctl_resp_t *r;
	const uint8_t *apex;
	int64_t now;
	int digest; /* zone-ds: DS_DIGEST_SHA256, _SHA384, or 0 for both */
	size_t count;
	bool brief; /* key-list in zone-status: tag, role, algorithm, state */
} key_walk_t;

static void
resp_time(ctl_resp_t *r, const char *key, int64_t t)
{
	if (t != 0) {
		ctl_resp_int(r, key, t);
	} else {
		ctl_resp_null(r, key);
	}
}

static int
key_list_one(void *ctx, const keystore_key_t *k)
{
	key_walk_t *w = ctx;
	char id[KEYSTORE_ID_HEXLEN + 1];
	keystore_id_to_hex(k->id, id);
	ctl_resp_obj_begin(w->r, NULL);
	ctl_resp_uint(w->r, "tag", k->key_tag);
	ctl_resp_str(w->r, "role", keystore_role_name(k->role));
	ctl_resp_uint(w->r, "algorithm", k->algorithm);
	ctl_resp_uint(w->r, "flags", k->flags);
	ctl_resp_str(w->r, "state", zsign_key_state(k, w->now));
	if (w->brief) {
		ctl_resp_obj_end(w->r);
		w->count++;
		return SN_OK;
	}
	resp_time(w->r, "created-time", k->created);
	resp_time(w->r, "publish-time", k->publish);
	resp_time(w->r, "active-time", k->active);
	resp_time(w->r, "retire-time", k->retire);
	resp_time(w->r, "remove-time", k->remove);
	ctl_resp_str(w->r, "id", id);
	ctl_resp_obj_end(w->r);
	w->count++;
	return SN_OK;
}

static void
zone_status_one(server_t *srv, zone_state_t *zs, ctl_resp_t *r, bool detail)
{
	store_zone_meta_t m;
	store_txn_t *txn;
	bool have = false;
	if (store_txn_begin(srv->store, false, &txn) == SN_OK) {
		have = store_zone_get(txn, zs->zone.apex, &m) == SN_OK;
		store_txn_abort(txn);
	}
	const snap_t *s = zs->zone.snap; /* the writer's own pointer: no RCU needed */
	ctl_resp_obj_begin(r, NULL);
	ctl_resp_str(r, "zone", zs->zone.name);
	ctl_resp_bool(r, "loaded", s != NULL);
	if (s != NULL) {
		ctl_resp_uint(r, "serial", snap_serial(s));
		ctl_resp_uint(r, "names", snap_name_count(s));
	}
	if (have) {
		ctl_resp_uint(r, "records", m.record_count);
		ctl_resp_int(r, "load-time", m.last_load);
		ctl_resp_uint(r, "journal-entries", m.journal_count);
		ctl_resp_uint(r, "journal-size", m.journal_bytes);
	}
	ctl_resp_str(r, "file", zs->path != NULL ? zs->path : "(embedded)");
	if (zs->key_event_at != 0 && (zs->resign_at == 0 || zs->key_event_at <= zs->resign_at)) {
		ctl_resp_str(r, "next-event", "key event");
		ctl_resp_int(r, "next-event-time", zs->key_event_at);
	} else if (zs->resign_at != 0) {
		ctl_resp_str(r, "next-event", "re-sign");
		ctl_resp_int(r, "next-event-time", zs->resign_at);
	} else {
		ctl_resp_null(r, "next-event");
	}
	if (zone_policy(zs) != NULL) {
		ctl_resp_str(r, "rollover", zs->rollover[0] != '\0' ? zs->rollover : "none");
	}
	if (detail && store_txn_begin(srv->store, false, &txn) == SN_OK) {
		/* each key's state, for the zone asked about */
		key_walk_t w = {.r = r, .now = (int64_t)time(NULL), .brief = true};
		ctl_resp_arr_begin(r, "keys");
		if (keystore_list(txn, zs->zone.apex, key_list_one, &w) != SN_OK) {
			log_warning("zone %s: cannot read its keys", zs->zone.name);
		}
		ctl_resp_arr_end(r);
		store_txn_abort(txn);
	}
	ctl_resp_obj_end(r);
}

static int
ctl_zone_status(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	const uint8_t *apex = ctl_req_apex(req);
	ctl_resp_arr_begin(r, "zones");
	for (size_t i = 0; i < srv->nzones; i++) {
		if (apex == NULL || dname_is_equal(srv->zones[i]->zone.apex, apex)) {
			zone_status_one(srv, srv->zones[i], r, apex != NULL);
		}
	}
	ctl_resp_arr_end(r);
	if (apex != NULL && find_zone(srv, apex) == NULL) {
		ctl_resp_error(r, SN_ENOTFOUND, "no such zone: %s", ctl_req_zone(req));
	}
	return SN_OK;
}

static int
ctl_zone_reload(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	zone_state_t *zs = req_zone(srv, req, r);
	if (zs == NULL) {
		return SN_OK; /* answered */
	}
	uint32_t before = zs->zone.snap != NULL ? snap_serial(zs->zone.snap) : 0;
	zone_refresh(srv, zs, true);
	ctl_resp_uint(r, "serial-before", before);
	if (zs->zone.snap != NULL) {
		ctl_resp_uint(r, "serial", snap_serial(zs->zone.snap));
	}
	return SN_OK;
}

/* The serial after `from` by the zone's serial policy (knot.conf's
 * serial-policy): the next number, or the time as Unix seconds or as
 * YYYYMMDDnn (UTC) when that is newer (RFC 1982). */
static uint32_t
serial_next(const zone_state_t *zs, uint32_t from)
{
	enum conf_serial_policy p =
	    zs->zone.conf != NULL ? zs->zone.conf->serial_policy : CONF_SERIAL_INCREMENT;
	time_t now = time(NULL);
	uint32_t t = 0;
	if (p == CONF_SERIAL_UNIXTIME) {
		t = (uint32_t)now;
	} else if (p == CONF_SERIAL_DATESERIAL) {
		struct tm tm;
		if (gmtime_r(&now, &tm) != NULL) {
			t = (uint32_t)(tm.tm_year + 1900) * 1000000u + (uint32_t)(tm.tm_mon + 1) * 10000u +
			    (uint32_t)tm.tm_mday * 100u;
		}
	}
	return t != 0 && serial_newer(t, from) ? t : from + 1;
}

/* A zone-update, committed in one write transaction like a reload diff. */
typedef struct update_job {
	zone_state_t *zs;
	const zupdate_t *u;
	uint32_t serial_from, serial_to;
	zdiff_t *diff; /* out: the change applied */
	const conf_policy_t *policy;
	bool resigned, dropped;
	zsign_info_t sign;
	char sign_err[ZSIGN_ERRLEN];
	sign_out_t so;
} update_job_t;

static int
diff_add_list(zdiff_t *d, const rrlist_t *l, bool add)
{
	for (size_t i = 0; i < rrlist_count(l); i++) {
		rrlist_rr_t r = rrlist_get(l, i);
		store_rr_t s = {.owner = r.owner, .type = r.type, .rclass = r.rclass,
				.ttl = r.ttl, .rdlen = r.rdlen, .rdata = r.rdata};
		int rc = add ? zdiff_add(d, &s) : zdiff_remove(d, &s);
		if (rc != SN_OK) {
			return rc;
		}
	}
	return SN_OK;
}

static int
update_txn(store_txn_t *txn, void *ctx)
{
	update_job_t *job = ctx;
	const zupdate_t *u = job->u;
	store_rr_t soa, after;
	uint8_t rd[sizeof(u->soa_rdata)];
	zdiff_t *d = NULL;

	zdiff_free(job->diff); /* from an attempt store_write had to redo */
	job->diff = NULL;
	int rc = store_zone_soa(txn, job->zs->zone.apex, &soa);
	if (rc != SN_OK) {
		return rc;
	}
	if (soa.rdlen < 20 || soa.rdlen > sizeof(rd) ||
	    wire_read_u32(soa.rdata + soa.rdlen - 20) != job->serial_from) {
		return SN_EINVAL; /* the store and the snapshot disagree: not ours to fix */
	}
	after = soa;
	if (u->soa_changed) {
		after.ttl = u->soa_ttl;
		after.rdlen = u->soa_rdlen;
		memcpy(rd, u->soa_rdata, u->soa_rdlen);
	} else {
		memcpy(rd, soa.rdata, soa.rdlen);
	}
	wire_write_u32(rd + after.rdlen - 20, job->serial_to);
	after.rdata = rd;
	if ((rc = zdiff_new(&d)) != SN_OK || (rc = zdiff_set_soa_before(d, &soa)) != SN_OK ||
	    (rc = zdiff_set_soa_after(d, &after)) != SN_OK ||
	    (rc = diff_add_list(d, u->removed, false)) != SN_OK ||
	    (rc = diff_add_list(d, u->added, true)) != SN_OK || (rc = zdiff_sort(d)) != SN_OK) {
		zdiff_free(d);
		return rc;
	}
	job->diff = d;
	job->sign_err[0] = '\0';
	rc = apply_change_in_txn(txn, job->zs, job->policy, d, job->serial_to, 0, &job->so,
				 job->sign_err);
	if (rc != SN_OK || job->so.incremental) {
		return rc;
	}
	return resign_in_txn(txn, job->zs, job->policy, true, &job->sign,
			     job->sign_err, &job->resigned, &job->dropped);
}

/* Applies a few record changes without the zone file (server/zupdate.h):
 * what a hosting provider's panel does all day. Answered once committed. */
static int
ctl_zone_update(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	zone_state_t *zs = req_zone(srv, req, r);
	const char *text = ctl_req_arg(req, "changes");
	char err[ZUPDATE_ERRLEN];
	zupdate_t u;

	if (zs == NULL) {
		return SN_OK; /* answered */
	}
	if (zs->zone.snap == NULL) {
		ctl_resp_error(r, SN_EINVAL, "zone %s is not loaded", zs->zone.name);
		return SN_OK;
	}
	if (text == NULL) {
		ctl_resp_error(r, SN_EINVAL, "no changes given");
		return SN_OK;
	}
	int rc = zupdate_build(zs->zone.snap, text, strlen(text), &u, err);
	if (rc != SN_OK) {
		ctl_resp_error(r, rc, "zone %s: %s", zs->zone.name, err);
		return SN_OK;
	}
	uint32_t from = snap_serial(zs->zone.snap);
	ctl_resp_uint(r, "serial-before", from);
	if (zupdate_is_empty(&u)) {
		ctl_resp_uint(r, "serial", from);
		ctl_resp_uint(r, "removed", 0);
		ctl_resp_uint(r, "added", 0);
		zupdate_free(&u);
		return SN_OK;
	}
	update_job_t job = {.zs = zs,
			    .u = &u,
			    .serial_from = from,
			    .serial_to = serial_next(zs, from),
			    .policy = zone_policy(zs)};
	rc = store_write(srv->store, update_txn, &job);
	size_t removed = rrlist_count(u.removed), added = rrlist_count(u.added);
	zupdate_free(&u);
	if (rc != SN_OK) {
		char msg[STORE_ERRMSG_LEN];
		store_errmsg(srv->store, msg, sizeof(msg));
		zdiff_free(job.diff);
		sign_out_reset(&job.so);
		const char *why = job.sign_err[0] != '\0' ? job.sign_err
				  : msg[0] != '\0'	      ? msg
							      : sn_strerror(rc);
		log_error("zone %s: update not stored: %s", zs->zone.name, why);
		ctl_resp_error(r, rc, "zone %s: not stored: %s", zs->zone.name, why);
		return SN_OK;
	}
	log_info("zone %s: serial %u -> %u: %zu records removed, %zu added (update)", zs->zone.name,
		 from, job.serial_to, removed, added);
	if (job.so.incremental) {
		log_info("zone %s: signed incrementally: %zu signatures in %.3f s", zs->zone.name,
			 job.so.info.signatures, job.so.info.seconds);
	}
	if (job.resigned || job.dropped ||
	    publish_edit(zs, job.diff, job.serial_to, &job.so) != SN_OK) {
		(void)publish_from_store(srv, zs);
	}
	sign_out_reset(&job.so);
	zdiff_free(job.diff);
	ctl_resp_uint(r, "serial", job.serial_to);
	ctl_resp_uint(r, "removed", removed);
	ctl_resp_uint(r, "added", added);
	return SN_OK;
}

static int
zone_ds_one(void *ctx, const keystore_key_t *k)
{
	static const uint8_t digests[] = {DS_DIGEST_SHA256, DS_DIGEST_SHA384};
	key_walk_t *w = ctx;
	if (!zsign_key_wants_ds(k, w->now)) {
		return SN_OK;
	}
	for (size_t i = 0; i < sizeof(digests); i++) {
		uint8_t ds[DS_RDATA_MAXLEN];
		size_t len;
		char hex[2 * DS_DIGEST_MAXLEN + 1], owner[DNAME_MAXTEXT];
		if (w->digest != 0 && w->digest != digests[i]) {
			continue;
		}
		int rc = dnskey_ds_rdata(w->apex, k->dnskey, k->dnskey_len, digests[i], ds,
					 sizeof(ds), &len);
		if (rc != SN_OK) {
			return rc;
		}
		for (size_t j = 4; j < len; j++) {
			snprintf(hex + 2 * (j - 4), 3, "%02X", ds[j]);
		}
		(void)dname_to_text(w->apex, owner, sizeof(owner));
		ctl_resp_obj_begin(w->r, NULL);
		ctl_resp_uint(w->r, "key-tag", k->key_tag);
		ctl_resp_uint(w->r, "algorithm", k->algorithm);
		ctl_resp_uint(w->r, "digest-type", digests[i]);
		ctl_resp_str(w->r, "digest", hex);
		ctl_resp_str(w->r, "state", zsign_key_state(k, w->now));
		ctl_resp_strf(w->r, "record", "%s IN DS %u %u %u %s", owner, k->key_tag,
			      k->algorithm, digests[i], hex);
		ctl_resp_obj_end(w->r);
		w->count++;
	}
	return SN_OK;
}

/* key-list and zone-ds: a walk over the zone's keys in a read transaction. */
static int
ctl_keys(server_t *srv, const ctl_req_t *req, ctl_resp_t *r, bool ds)
{
	zone_state_t *zs = req_zone(srv, req, r);
	const char *digest = ds ? ctl_req_arg(req, "digest") : NULL;
	key_walk_t w = {.r = r, .now = (int64_t)time(NULL), .digest = DS_DIGEST_SHA256};
	store_txn_t *txn;

	if (zs == NULL) {
		return SN_OK; /* answered */
	}
	w.apex = zs->zone.apex;
	if (digest != NULL) {
		if (strcmp(digest, "all") == 0) {
			w.digest = 0;
		} else if (strcmp(digest, "2") == 0 || strcasecmp(digest, "sha256") == 0) {
			w.digest = DS_DIGEST_SHA256;
		} else if (strcmp(digest, "4") == 0 || strcasecmp(digest, "sha384") == 0) {
			w.digest = DS_DIGEST_SHA384;
		} else {
			ctl_resp_error(r, SN_EINVAL, "digest: 2 (SHA-256), 4 (SHA-384) or all");
			return SN_OK;
		}
	}
	int rc = store_txn_begin(srv->store, false, &txn);
	if (rc == SN_OK) {
		ctl_resp_arr_begin(r, ds ? "ds" : "keys");
		rc = keystore_list(txn, zs->zone.apex, ds ? zone_ds_one : key_list_one, &w);
		ctl_resp_arr_end(r);
		store_txn_abort(txn);
	}
	if (rc == SN_ENOTFOUND) {
		ctl_resp_error(r, rc, "zone %s is not in the store yet", zs->zone.name);
	} else if (rc != SN_OK) {
		ctl_resp_error(r, rc, "zone %s: cannot read its keys: %s", zs->zone.name,
			       sn_strerror(rc));
	} else if (ds && w.count == 0) {
		ctl_resp_error(r, SN_ENOTFOUND, "zone %s has no KSK or CSK published%s",
			       zs->zone.name,
			       zs->zone.conf != NULL && zs->zone.conf->dnssec_signing
				   ? ""
				   : " (dnssec-signing is off)");
	}
	return SN_OK;
}

static int
ctl_key_list(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	return ctl_keys(ctx, req, r, false);
}

static int
ctl_zone_ds(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	return ctl_keys(ctx, req, r, true);
}

/* key-import and key-generate: a key added to the store, and the zone
 * signed again with it (a new serial) in the same transaction. */
typedef struct key_job {
	zone_state_t *zs;
	const keypair_t *kp;
	keystore_role_t role;
	const conf_policy_t *policy;
	uint16_t tag;
	bool resigned, dropped;
	zsign_info_t sign;
	char err[ZSIGN_ERRLEN];
} key_job_t;

static int
key_add_txn(store_txn_t *txn, void *ctx)
{
	key_job_t *job = ctx;
	store_zone_meta_t m;
	int rc = store_zone_get(txn, job->zs->zone.apex, &m);
	job->resigned = job->dropped = false;
	if (rc != SN_OK || !m.has_soa) {
		snprintf(job->err, sizeof(job->err), "zone %s is not in the store yet",
			 job->zs->zone.name);
		return SN_ENOTFOUND;
	}
	rc = zsign_key_add(txn, job->zs->zone.apex, job->kp, job->role, (int64_t)time(NULL),
			   &job->tag, job->err);
	if (rc != SN_OK || job->policy == NULL) {
		return rc;
	}
	/* "changed": the DNSKEY RRset is; the serial moves first */
	rc = bump_serial_in_txn(txn, job->zs);
	if (rc != SN_OK) {
		return rc;
	}
	return resign_in_txn(txn, job->zs, job->policy, true, &job->sign, job->err, &job->resigned,
			     &job->dropped);
}

static int
parse_role(const char *s, keystore_role_t *out)
{
	static const keystore_role_t roles[] = {KEYSTORE_KSK, KEYSTORE_ZSK, KEYSTORE_CSK};
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(s, keystore_role_name(roles[i])) == 0) {
			*out = roles[i];
			return SN_OK;
		}
	}
	return SN_EINVAL;
}

static int
key_add(server_t *srv, zone_state_t *zs, const keypair_t *kp, keystore_role_t role, ctl_resp_t *r)
{
	key_job_t job = {.zs = zs, .kp = kp, .role = role, .policy = zone_policy(zs)};
	reserve_resign(srv, zs);
	int rc = store_write(srv->store, key_add_txn, &job);
	if (rc != SN_OK) {
		ctl_resp_error(r, rc, "zone %s: %s", zs->zone.name,
			       job.err[0] != '\0' ? job.err : sn_strerror(rc));
		return SN_OK;
	}
	log_info("zone %s: key %u (%s, algorithm %u) added%s", zs->zone.name, job.tag,
		 keystore_role_name(role), keypair_alg(kp),
		 job.resigned ? "; zone signed again" : "");
	if (job.resigned) {
		(void)publish_from_store(srv, zs);
	}
	ctl_resp_uint(r, "tag", job.tag);
	ctl_resp_str(r, "role", keystore_role_name(role));
	ctl_resp_uint(r, "algorithm", keypair_alg(kp));
	if (zs->zone.snap != NULL) {
		ctl_resp_uint(r, "serial", snap_serial(zs->zone.snap));
	}
	return SN_OK;
}

/* Imports a BIND key pair (the texts of K*.private and K*.key, sent by
 * signetc): moving a signed zone from BIND or Knot keeps its keys, so the
 * DS at the parent stays right. */
static int
ctl_key_import(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	zone_state_t *zs = req_zone(srv, req, r);
	const char *priv = ctl_req_arg(req, "private"), *pub = ctl_req_arg(req, "public");
	const char *role_s = ctl_req_arg(req, "role");
	uint8_t owner[DNAME_MAXLEN];
	keyfile_err_t kerr = {0};
	keypair_t *kp = NULL;

	if (zs == NULL) {
		return SN_OK; /* answered */
	}
	if (priv == NULL || pub == NULL) {
		ctl_resp_error(r, SN_EINVAL, "key-import needs the private and the public key");
		return SN_OK;
	}
	int rc = keyfile_parse(priv, strlen(priv), pub, strlen(pub), owner, &kp, &kerr);
	if (rc != SN_OK) {
		if (kerr.line > 0) {
			ctl_resp_error(r, rc, "%s:%u: %s", kerr.file[0] ? kerr.file : "key", kerr.line,
				       kerr.msg);
		} else {
			ctl_resp_error(r, rc, "%s", kerr.msg[0] ? kerr.msg : sn_strerror(rc));
		}
		return SN_OK;
	}
	if (!dname_is_equal(owner, zs->zone.apex)) {
		ctl_resp_error(r, SN_EINVAL, "the key belongs to another zone than %s",
			       zs->zone.name);
		keypair_free(kp);
		return SN_OK;
	}
	keystore_role_t role = (keypair_flags(kp) & KEYSTORE_FLAG_SEP) ? KEYSTORE_KSK : KEYSTORE_ZSK;
	if (role_s != NULL && parse_role(role_s, &role) != SN_OK) {
		ctl_resp_error(r, SN_EINVAL, "role: ksk, zsk or csk");
		keypair_free(kp);
		return SN_OK;
	}
	rc = key_add(srv, zs, kp, role, r);
	keypair_free(kp);
	return rc;
}

/* Makes a key by hand (the policy's algorithm unless told), published and
 * active now. */
static int
ctl_key_generate(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	zone_state_t *zs = req_zone(srv, req, r);
	const char *role_s = ctl_req_arg(req, "role"), *alg_s = ctl_req_arg(req, "algorithm");
	keystore_role_t role = KEYSTORE_ZSK;
	const conf_policy_t *pol;
	unsigned long alg;
	keypair_t *kp = NULL;

	if (zs == NULL) {
		return SN_OK; /* answered */
	}
	pol = zone_policy(zs);
	if (role_s != NULL && parse_role(role_s, &role) != SN_OK) {
		ctl_resp_error(r, SN_EINVAL, "role: ksk, zsk or csk");
		return SN_OK;
	}
	alg = pol != NULL ? pol->algorithm : DNSSEC_ALG_ECDSAP256SHA256;
	if (alg_s != NULL) {
		char *end;
		alg = strtoul(alg_s, &end, 10);
		if (*alg_s == '\0' || *end != '\0' || alg > 255 || !keypair_alg_is_supported((uint8_t)alg)) {
			ctl_resp_error(r, SN_EINVAL, "algorithm: 8, 10, 13, 14, 15 or 16");
			return SN_OK;
		}
	}
	bool rsa = alg == DNSSEC_ALG_RSASHA256 || alg == DNSSEC_ALG_RSASHA512;
	unsigned bits = rsa && pol != NULL ? (role == KEYSTORE_ZSK ? pol->zsk_size : pol->ksk_size) : 0;
	int rc = keypair_generate((uint8_t)alg, bits,
				  role == KEYSTORE_ZSK ? KEYPAIR_FLAGS_ZSK : KEYPAIR_FLAGS_KSK, &kp);
	if (rc != SN_OK) {
		ctl_resp_error(r, rc, "cannot make the key: %s", sn_strerror(rc));
		return SN_OK;
	}
	rc = key_add(srv, zs, kp, role, r);
	keypair_free(kp);
	return rc;
}

typedef struct export_walk {
	ctl_resp_t *r;
	const uint8_t *apex;
	uint32_t ttl;
	int64_t now;
} export_walk_t;

static int
key_export_one(void *ctx, const keystore_key_t *k)
{
	export_walk_t *w = ctx;
	keypair_t *kp = NULL;
	char line[4096];
	if (!reached(k->publish, w->now) || reached(k->remove, w->now)) {
		return SN_OK;
	}
	int rc = keypair_from_dnskey(k->dnskey, k->dnskey_len, &kp);
	if (rc != SN_OK) {
		return rc;
	}
	int n = keyfile_dnskey_line(w->apex, w->ttl, kp, line, sizeof(line));
	keypair_free(kp);
	if (n < 0) {
		return n;
	}
	ctl_resp_obj_begin(w->r, NULL);
	ctl_resp_uint(w->r, "tag", k->key_tag);
	ctl_resp_str(w->r, "role", keystore_role_name(k->role));
	ctl_resp_strn(w->r, "record", line, (size_t)n > 0 && line[n - 1] == '\n' ? (size_t)n - 1 : (size_t)n);
	ctl_resp_obj_end(w->r);
	return SN_OK;
}

/* The public keys in the zone, as DNSKEY records (BIND's .key form). */
static int
ctl_key_export(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	zone_state_t *zs = req_zone(srv, req, r);
	store_txn_t *txn;
	if (zs == NULL) {
		return SN_OK; /* answered */
	}
	export_walk_t w = {.r = r, .apex = zs->zone.apex, .ttl = 3600, .now = (int64_t)time(NULL)};
	const snap_rrset_t *dk =
	    zs->zone.snap != NULL ? snap_node_rrset(snap_apex_node(zs->zone.snap), RRTYPE_DNSKEY) : NULL;
	if (dk != NULL) {
		w.ttl = dk->ttl;
	}
	int rc = store_txn_begin(srv->store, false, &txn);
	if (rc == SN_OK) {
		ctl_resp_arr_begin(r, "keys");
		rc = keystore_list(txn, zs->zone.apex, key_export_one, &w);
		ctl_resp_arr_end(r);
		store_txn_abort(txn);
	}
	if (rc != SN_OK) {
		ctl_resp_error(r, rc, "zone %s: cannot read its keys: %s", zs->zone.name,
			       sn_strerror(rc));
	}
	return SN_OK;
}

static void zone_plan_keys(server_t *srv, zone_state_t *zs);

/* ---- zone events: signature refresh ---- */

typedef struct resign_job {
	zone_state_t *zs;
	const conf_policy_t *policy;
	uint32_t refresh_before; /* RRSIGs expiring before this are made again */
	bool resigned, dropped;
	zsign_info_t sign;
	sign_out_t so;
	char err[ZSIGN_ERRLEN];
} resign_job_t;

static int
resign_txn(store_txn_t *txn, void *ctx)
{
	resign_job_t *job = ctx;
	zdiff_t *d = NULL;
	uint32_t to;
	job->err[0] = '\0';
	/* the expiring signatures alone, with the new SOA's: incrementally */
	int rc = bump_diff(txn, job->zs, &d, &to);
	if (rc == SN_OK) {
		rc = apply_change_in_txn(txn, job->zs, job->policy, d, to, job->refresh_before,
					 &job->so, job->err);
	}
	zdiff_free(d);
	if (rc != SN_OK || job->so.incremental) {
		return rc;
	}
	/* apply_change_in_txn stored the serial; the whole zone is signed */
	return resign_in_txn(txn, job->zs, job->policy, true, &job->sign, job->err, &job->resigned,
			     &job->dropped);
}

/* Refreshes the signatures of a zone whose time has come. Until
 * incremental signing, the whole zone is signed again; the signer's jitter
 * keeps the next expirations spread. */
static void
zone_resign(server_t *srv, zone_state_t *zs)
{
	resign_job_t job = {.zs = zs, .policy = zone_policy(zs)};
	if (job.policy == NULL) {
		zs->resign_at = 0;
		return;
	}
	/* everything that would come due before the next refresh, and within
	 * rrsig-pre-refresh after it, in one go (knot.conf's meaning) */
	int64_t now = (int64_t)time(NULL);
	job.refresh_before = (uint32_t)(now + (int64_t)conf_policy_rrsig_refresh(job.policy, zs->max_ttl) +
					job.policy->rrsig_pre_refresh);
	reserve_resign(srv, zs);
	int rc = store_write(srv->store, resign_txn, &job);
	if (job.so.incremental) {
		job.sign = job.so.info;
	}
	sign_out_reset(&job.so);
	if (rc != SN_OK) {
		log_error("zone %s: signatures not refreshed: %s; trying again in a minute",
			  zs->zone.name, job.err[0] != '\0' ? job.err : sn_strerror(rc));
		zs->resign_at = (int64_t)time(NULL) + 60;
		return;
	}
	log_info("zone %s: signatures refreshed: %zu in %.2f s", zs->zone.name, job.sign.signatures,
		 job.sign.seconds);
	if (publish_from_store(srv, zs) != SN_OK) {
		zs->resign_at = (int64_t)time(NULL) + 60;
	}
}

/* A key event: the policy's clock moved (a rollover starts or steps on),
 * a rollover is forced, or the parent's DS was confirmed. The key changes
 * and the zone signed again with them share one transaction. */
typedef struct key_event_job {
	zone_state_t *zs;
	const conf_policy_t *policy;
	kasp_policy_t kp;
	unsigned force;
	bool ds_seen;
	uint16_t tag;
	kasp_plan_t plan;
	bool changed, resigned, dropped;
	zsign_info_t sign;
	char err[ZSIGN_ERRLEN];
} key_event_job_t;

static int
key_event_txn(store_txn_t *txn, void *ctx)
{
	key_event_job_t *job = ctx;
	int64_t now = (int64_t)time(NULL);
	int rc;
	job->err[0] = '\0';
	if (job->ds_seen) {
		rc = zsign_ds_seen(txn, job->zs->zone.apex, &job->kp, now, &job->tag);
		if (rc == SN_ENOTFOUND) {
			snprintf(job->err, sizeof(job->err), "no KSK or CSK waits for its DS");
		}
	} else {
		rc = zsign_keys_step(txn, job->zs->zone.apex, job->policy, &job->kp, now, job->force,
				     true, &job->plan, &job->changed, job->err);
	}
	if (rc != SN_OK) {
		return rc;
	}
	/* a key event is also a moment a key starts or stops signing or
	 * being published: the zone is signed again either way */
	rc = bump_serial_in_txn(txn, job->zs);
	if (rc != SN_OK) {
		return rc;
	}
	return resign_in_txn(txn, job->zs, job->policy, true, &job->sign, job->err, &job->resigned,
			     &job->dropped);
}

static int
zone_key_event(server_t *srv, zone_state_t *zs, unsigned force, bool ds_seen, char *err,
	       size_t errlen)
{
	key_event_job_t job = {.zs = zs, .policy = zone_policy(zs), .force = force, .ds_seen = ds_seen};
	if (job.policy == NULL) {
		zs->key_event_at = 0;
		snprintf(err, errlen, "zone %s is not signed", zs->zone.name);
		return SN_EINVAL;
	}
	zsign_kasp_policy(job.policy, zs->soa_ttl, zs->max_ttl, &job.kp);
	reserve_resign(srv, zs);
	int rc = store_write(srv->store, key_event_txn, &job);
	if (rc != SN_OK) {
		snprintf(err, errlen, "zone %s: %s", zs->zone.name,
			 job.err[0] != '\0' ? job.err : sn_strerror(rc));
		if (force == 0 && !ds_seen) {
			log_error("%s; trying again in a minute", err);
			zs->key_event_at = (int64_t)time(NULL) + 60;
		}
		return rc;
	}
	if (ds_seen) {
		log_info("zone %s: DS of key %u seen at the parent: it is active", zs->zone.name,
			 job.tag);
	} else if (job.plan.step[0] != '\0') {
		log_info("zone %s: %s", zs->zone.name, job.plan.step);
	}
	if (publish_from_store(srv, zs) != SN_OK) {
		zs->key_event_at = (int64_t)time(NULL) + 60;
	}
	return SN_OK;
}

/* KSK submission (RFC 7583 3.3.2): asks each parent server of the
 * policy's submission for the zone's DS; once all serve the DS of the key
 * that waits (or the submission timeout has passed), the rollover goes on
 * as if `signetc zone-ksk-submitted` had been said. */
static void
zone_ds_check(server_t *srv, zone_state_t *zs)
{
	const conf_policy_t *pol = zone_policy(zs);
	const conf_submission_t *sub = pol != NULL ? pol->ksk_submission : NULL;
	uint8_t dk[KEYPAIR_DNSKEY_MAXLEN];
	size_t dklen;
	uint16_t tag;
	int64_t ready, now = (int64_t)time(NULL);
	store_txn_t *txn;
	int rc = SN_ENOTFOUND;

	zs->ds_check_at = 0;
	if (sub == NULL || store_txn_begin(srv->store, false, &txn) != SN_OK) {
		return;
	}
	rc = zsign_waiting_key(txn, zs->zone.apex, now, dk, sizeof(dk), &dklen, &tag, &ready);
	store_txn_abort(txn);
	if (rc != SN_OK) {
		return;
	}
	size_t seen = 0;
	for (size_t i = 0; i < sub->parent_count; i++) {
		const conf_remote_t *rm = sub->parents[i];
		bool has = false;
		for (size_t a = 0; a < rm->addr_count && !has; a++) {
			dsquery_ds_t ds[DSQUERY_MAX];
			size_t n = 0;
			if (dsquery_ask((const struct sockaddr *)&rm->addrs[a].addr, rm->addrs[a].addrlen,
					zs->zone.apex, 2000, ds, &n) != SN_OK) {
				continue;
			}
			for (size_t k = 0; k < n && !has; k++) {
				uint8_t want[DS_RDATA_MAXLEN];
				size_t wlen;
				has = dnskey_ds_rdata(zs->zone.apex, dk, dklen, ds[k].rdata[3], want,
						      sizeof(want), &wlen) == SN_OK &&
				      wlen == ds[k].len && memcmp(want, ds[k].rdata, wlen) == 0;
			}
		}
		seen += has;
		if (!has) {
			log_info("zone %s: the DS of key %u is not at parent server %s yet",
				 zs->zone.name, tag, rm->id);
		}
	}
	bool timed_out = sub->timeout != 0 && ready != 0 && now - ready >= (int64_t)sub->timeout;
	if (seen < sub->parent_count && !timed_out) {
		zs->ds_check_at = now + (sub->check_interval > 0 ? sub->check_interval : 3600);
		return;
	}
	if (seen < sub->parent_count) {
		log_warning("zone %s: KSK submission timed out; taking the DS of key %u as published",
			    zs->zone.name, tag);
	}
	char err[ZSIGN_ERRLEN + 64];
	if (zone_key_event(srv, zs, 0, true, err, sizeof(err)) != SN_OK) {
		log_error("%s", err);
		zs->ds_check_at = now + 60;
	}
}

/* Runs the zone events that are due; gives the milliseconds until the next
 * one (-1: none), for the main loop's poll. */
static int
run_zone_events(server_t *srv)
{
	int64_t now = (int64_t)time(NULL), next = 0;
	for (size_t i = 0; i < srv->nzones; i++) {
		zone_state_t *zs = srv->zones[i];
		if (zs->key_event_at != 0 && zs->key_event_at <= now) {
			char err[ZSIGN_ERRLEN + 64];
			(void)zone_key_event(srv, zs, 0, false, err, sizeof(err));
		}
		if (zs->resign_at != 0 && zs->resign_at <= now) {
			zone_resign(srv, zs);
		}
		if (zs->ds_check_at != 0 && zs->ds_check_at <= now) {
			zone_ds_check(srv, zs);
		}
		if (zs->ds_check_at != 0 && (next == 0 || zs->ds_check_at < next)) {
			next = zs->ds_check_at;
		}
		if (zs->resign_at != 0 && (next == 0 || zs->resign_at < next)) {
			next = zs->resign_at;
		}
		if (zs->key_event_at != 0 && (next == 0 || zs->key_event_at < next)) {
			next = zs->key_event_at;
		}
	}
	if (next == 0) {
		return -1;
	}
	now = (int64_t)time(NULL);
	/* a minute at most: the wall clock may jump */
	return next <= now ? 0 : (int)((next - now > 60 ? 60 : next - now) * 1000);
}

/* zone-key-rollover ZONE zsk|ksk: starts a rollover now. */
static int
ctl_zone_key_rollover(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	zone_state_t *zs = req_zone(srv, req, r);
	const char *kind = ctl_req_arg(req, "kind");
	char err[ZSIGN_ERRLEN + 64];
	unsigned force;
	if (zs == NULL) {
		return SN_OK; /* answered */
	}
	if (kind != NULL && strcmp(kind, "zsk") == 0) {
		force = KASP_FORCE_ZSK;
	} else if (kind != NULL && (strcmp(kind, "ksk") == 0 || strcmp(kind, "csk") == 0)) {
		force = KASP_FORCE_KSK;
	} else {
		ctl_resp_error(r, SN_EINVAL, "which key: zsk or ksk (csk)?");
		return SN_OK;
	}
	int rc = zone_key_event(srv, zs, force, false, err, sizeof(err));
	if (rc != SN_OK) {
		ctl_resp_error(r, rc, "%s", err);
		return SN_OK;
	}
	ctl_resp_str(r, "rollover", zs->rollover);
	ctl_resp_uint(r, "serial", snap_serial(zs->zone.snap));
	return SN_OK;
}

/* zone-ksk-submitted ZONE: the parent serves the new DS. */
static int
ctl_zone_ksk_submitted(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	zone_state_t *zs = req_zone(srv, req, r);
	char err[ZSIGN_ERRLEN + 64];
	if (zs == NULL) {
		return SN_OK; /* answered */
	}
	int rc = zone_key_event(srv, zs, 0, true, err, sizeof(err));
	if (rc != SN_OK) {
		ctl_resp_error(r, rc, "%s", err);
		return SN_OK;
	}
	ctl_resp_str(r, "rollover", zs->rollover[0] != '\0' ? zs->rollover : "none");
	ctl_resp_uint(r, "serial", snap_serial(zs->zone.snap));
	return SN_OK;
}

/* Writes the zone as it is served (from the store, in canonical form) to
 * `--out DIR`/<zone>zone, or to the zone's own file. */
static int
ctl_zone_flush(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	zone_state_t *zs = req_zone(srv, req, r);
	if (zs == NULL) {
		return SN_OK; /* answered */
	}
	char path[4096];
	const char *dir = ctl_req_arg(req, "out");
	if (dir != NULL) {
		snprintf(path, sizeof(path), "%s/%szone", dir, zs->zone.name);
	} else if (zs->path != NULL) {
		snprintf(path, sizeof(path), "%s", zs->path);
	} else {
		ctl_resp_error(r, SN_EINVAL, "the demo zone has no file: give --out DIR");
		return SN_OK;
	}
	store_txn_t *txn;
	rrlist_t *l = NULL;
	int rc = store_txn_begin(srv->store, false, &txn);
	if (rc == SN_OK) {
		rc = store_zone_read(txn, zs->zone.apex, &l);
		store_txn_abort(txn);
	}
	if (rc != SN_OK) {
		ctl_resp_error(r, SN_ESTORE, "cannot read the zone from the store: %s", sn_strerror(rc));
		return SN_OK;
	}
	/* write a new file and rename it over, so a reader never sees half */
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.signet-tmp", path);
	FILE *f = fopen(tmp, "w");
	rc = f == NULL ? SN_EIO : zprint_list(l, f);
	if (f != NULL && fclose(f) != 0) {
		rc = SN_EIO;
	}
	if (rc == SN_OK && rename(tmp, path) != 0) {
		rc = SN_EIO;
	}
	if (rc != SN_OK) {
		unlink(tmp);
		ctl_resp_error(r, SN_EIO, "cannot write %s: %s", path, strerror(errno));
	} else {
		ctl_resp_str(r, "file", path);
		ctl_resp_uint(r, "records", rrlist_count(l));
	}
	rrlist_free(l);
	return SN_OK;
}

/* zone-add ZONE --file F: loads the zone, keeps it in the store's
 * catalogue as a runtime zone (served after restarts too) and publishes a
 * new zone table. Answered once the zone is committed and served. */
static int
ctl_zone_add(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	const uint8_t *apex = ctl_req_apex(req);
	const char *file = ctl_req_arg(req, "file");
	if (apex == NULL) {
		ctl_resp_error(r, SN_EINVAL, "zone-add needs a zone");
		return SN_OK;
	}
	if (find_zone(srv, apex) != NULL) {
		ctl_resp_error(r, SN_EEXIST, "zone %s is already served", ctl_req_zone(req));
		return SN_OK;
	}
	if (file == NULL) {
		ctl_resp_error(r, SN_EINVAL, "zone-add needs --file FILE (the zone's records)");
		return SN_OK;
	}
	if (ctl_req_arg(req, "template") != NULL) {
		/* TODO(#4): apply a template's options (ACLs, journal) to runtime zones */
		log_warning("zone %s: --template is not applied to runtime zones yet",
			    ctl_req_zone(req));
	}
	zone_state_t *zs = zone_state_new_runtime(apex, file);
	if (zs == NULL) {
		ctl_resp_error(r, SN_ENOMEM, "out of memory");
		return SN_OK;
	}
	zone_refresh(srv, zs, true); /* parse, check, commit to the store */
	bool ok = zs->loaded;
	zone_state_free(zs);
	if (!ok) {
		ctl_resp_error(r, SN_EPARSE, "zone %s not added: see the log for why",
			       ctl_req_zone(req));
		return SN_OK;
	}
	/* the catalogue has it now: the same configuration picks it up */
	if (apply_conf(srv, srv->conf) != SN_OK) {
		ctl_resp_error(r, SN_ENOMEM, "zone stored but not published; reload to retry");
		return SN_OK;
	}
	zone_state_t *now = find_zone(srv, apex);
	ctl_resp_str(r, "zone", now != NULL ? now->zone.name : ctl_req_zone(req));
	if (now != NULL && now->zone.snap != NULL) {
		ctl_resp_uint(r, "serial", snap_serial(now->zone.snap));
	}
	log_info("zone %s: added at run time from %s", ctl_req_zone(req), file);
	return SN_OK;
}

static int
remove_txn(store_txn_t *txn, void *ctx)
{
	return store_zone_remove(txn, ctx);
}

/* zone-remove ZONE: only zones added at run time; a configured zone is
 * removed from the configuration. */
static int
ctl_zone_remove(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	zone_state_t *zs = req_zone(srv, req, r);
	if (zs == NULL) {
		return SN_OK; /* answered */
	}
	if (!zs->runtime) {
		ctl_resp_error(r, SN_EINVAL, "zone %s is in the configuration: remove it there "
					     "and reload",
			       ctl_req_zone(req));
		return SN_OK;
	}
	uint8_t key[DNAME_MAXLEN];
	memcpy(key, zs->zone.apex, zs->zone.apex_len);
	if (store_write(srv->store, remove_txn, key) != SN_OK) {
		char msg[STORE_ERRMSG_LEN];
		store_errmsg(srv->store, msg, sizeof(msg));
		ctl_resp_error(r, SN_ESTORE, "cannot remove it from the store: %s", msg);
		return SN_OK;
	}
	if (apply_conf(srv, srv->conf) != SN_OK) {
		ctl_resp_error(r, SN_ENOMEM, "removed from the store; reload to stop serving it");
		return SN_OK;
	}
	ctl_resp_bool(r, "removed", true);
	return SN_OK;
}

static int
ctl_stats(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	server_t *srv = ctx;
	static const char *const names[] = {"noerror", "formerr", "servfail", "nxdomain",
					    "notimp", "refused"};
	query_stats_t t;
	sum_stats(srv, &t);
	ctl_resp_uint(r, "udp", t.udp);
	ctl_resp_uint(r, "tcp", t.tcp);
	ctl_resp_uint(r, "dropped", t.dropped);
	ctl_resp_uint(r, "truncated", t.truncated);
	ctl_resp_obj_begin(r, "rcode");
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		ctl_resp_uint(r, names[k], t.rcode[k]);
	}
	ctl_resp_uint(r, "badvers", t.rcode[16]);
	ctl_resp_obj_end(r);
	return SN_OK;
}

static const ctl_handlers_t ctl_handlers = {
	.status = ctl_status,
	.stop = ctl_stop,
	.reload = ctl_reload,
	.zone_status = ctl_zone_status,
	.zone_reload = ctl_zone_reload,
	.zone_flush = ctl_zone_flush,
	.zone_add = ctl_zone_add,
	.zone_remove = ctl_zone_remove,
	.zone_update = ctl_zone_update,
	.key_list = ctl_key_list,
	.zone_ds = ctl_zone_ds,
	.key_import = ctl_key_import,
	.key_generate = ctl_key_generate,
	.key_export = ctl_key_export,
	.zone_key_rollover = ctl_zone_key_rollover,
	.zone_ksk_submitted = ctl_zone_ksk_submitted,
	.stats = ctl_stats,
};

/* Drops root to the configured user and group once every socket (the
 * control socket too) is bound and the store is open. The store's folder must belong to
 * that user for later starts. Main thread, before the workers start. */
static int
drop_privileges(const conf_t *c)
{
	if (c->user == NULL && c->group == NULL) {
		return SN_OK;
	}
	/* the store (made by root on a first start) must stay usable by the
	 * user on the next start */
	static const char *const files[] = {"", "/data.mdb", "/lock.mdb"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char p[4096];
		snprintf(p, sizeof(p), "%s%s", c->storage, files[i]);
		if (chown(p, c->user != NULL ? c->uid : (uid_t)-1, c->gid) != 0 && errno != ENOENT) {
			log_warning("cannot give %s to the configured user: %s", p, strerror(errno));
		}
	}
	{
		if (setgroups(0, NULL) != 0 && errno != EPERM) {
			log_error("setgroups: %s", strerror(errno));
			return SN_EIO;
		}
		if (setgid(c->gid) != 0) {
			log_error("cannot switch to group %u: %s", (unsigned)c->gid, strerror(errno));
			return SN_EIO;
		}
	}
	if (c->user != NULL && setuid(c->uid) != 0) {
		log_error("cannot switch to user %s: %s", c->user, strerror(errno));
		return SN_EIO;
	}
	log_info("running as uid %u, gid %u", (unsigned)getuid(), (unsigned)getgid());
	return SN_OK;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: signetd [-c FILE] [-d] [-v]\n"
		   "  -c FILE  configuration (YAML); without it, serve the embedded demo\n"
		   "           (example.com on 127.0.0.1@5300 and ::1@5300)\n"
		   "  -d       run in the background\n"
		   "  -v       log debug messages too\n");
}

int
main(int argc, char **argv)
{
	server_t srv;
	worker_t *workers = NULL;
	bool daemonize = false;
	int opt, rc = 1;

	memset(&srv, 0, sizeof(srv));
	atomic_init(&srv.stop, false);
	srv.started = time(NULL);
	while ((opt = getopt(argc, argv, "c:dvh")) != -1) {
		switch (opt) {
		case 'c':
			srv.conf_path = optarg;
			break;
		case 'd':
			daemonize = true;
			break;
		case 'v':
			verbose = true;
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	conf_t *conf;
	if (load_conf(&srv, &conf) != SN_OK) {
		return 1;
	}
	if (srv.conf_path == NULL) {
		log_info("no -c given: serving the embedded demo zone example.com");
	}
	if (daemonize && daemon(1, 0) != 0) {
		log_error("cannot daemonize: %s", strerror(errno));
		conf_free(conf);
		return 1;
	}
	/* signals go to the main thread only: block them before threads start */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	store_opts_t so = {0};
	char serr[STORE_ERRMSG_LEN] = "";
	so.errbuf = serr;
	so.errbuf_len = sizeof(serr);
	if (store_open(conf->storage, &so, &srv.store) != SN_OK) {
		log_error("cannot open the store in %s: %s", conf->storage, serr);
		conf_free(conf);
		return 1;
	}
	apply_log(conf);
	/* the first load commits zone after zone with nobody waiting on any:
	 * flush once at the end instead of once per zone */
	if (store_batch(srv.store, true) != SN_OK) {
		log_warning("the store cannot batch its first commits; loading goes on");
	}
	int arc = apply_conf(&srv, conf);
	if (store_batch(srv.store, false) != SN_OK) {
		char msg[STORE_ERRMSG_LEN];
		store_errmsg(srv.store, msg, sizeof(msg));
		log_error("cannot flush the store: %s", msg);
		if (arc == SN_OK) {
			goto out; /* srv owns conf now */
		}
	}
	if (arc != SN_OK) {
		log_error("cannot start");
		conf_free(conf);
		store_close(srv.store);
		return 1;
	}
	if (start_workers(&srv, &workers) != SN_OK) {
		goto out;
	}
	/* From now on this thread parses, diffs and commits changes while the
	 * workers answer: answering comes first. A nice of 10 for this thread
	 * alone (Linux schedules threads on their own) leaves the workers about
	 * nine tenths of a core they share with it. */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10) != 0) {
		log_debug("cannot lower the writer thread's priority: %s", strerror(errno));
	}
	/* the control socket: <storage>/signet.sock unless configured */
	char ctl_path[4096];
	const conf_t *c0 = srv.conf;
	/* conf resolves it: <storage>/signet.sock unless configured */
	snprintf(ctl_path, sizeof(ctl_path), "%s",
		 c0->control != NULL ? c0->control : "./var/signet.sock");
	ctl_server_t *ctl = NULL;
	int crc = ctl_server_new(ctl_path, (mode_t)(c0->control_mode != 0 ? c0->control_mode : 0600),
				 &ctl_handlers, &srv, &ctl);
	if (crc != SN_OK) {
		goto out; /* ctl_server_new logged why */
	}
	/* made as root when starting as root: hand it over, then drop */
	if (srv.conf->user != NULL && chown(ctl_path, srv.conf->uid, srv.conf->gid) != 0) {
		log_warning("cannot give %s to the configured user: %s", ctl_path, strerror(errno));
	}
	if (drop_privileges(srv.conf) != SN_OK) {
		ctl_server_free(ctl);
		goto out;
	}
	log_info("control socket %s", ctl_path);
	int sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		ctl_server_free(ctl);
		goto out;
	}
	rc = 0;
	while (!srv.stop_requested) {
		struct pollfd pfd[2] = {{.fd = sfd, .events = POLLIN},
					{.fd = ctl_server_fd(ctl), .events = POLLIN}};
		int wait_ms = run_zone_events(&srv);
		if (poll(pfd, 2, wait_ms) <= 0) {
			continue;
		}
		if (pfd[1].revents & POLLIN) {
			(void)ctl_server_serve_one(ctl, 0);
		}
		if (!(pfd[0].revents & POLLIN)) {
			continue;
		}
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si)) {
			continue;
		}
		if (si.ssi_signo == SIGHUP) {
			reload(&srv);
		} else if (si.ssi_signo == SIGUSR1) {
			log_stats(&srv);
		} else {
			break;
		}
	}
	log_info("stopping");
	close(sfd);
	ctl_server_free(ctl);
out:
	atomic_store(&srv.stop, true);
	for (size_t i = 0; i < srv.nthreads; i++) {
		pthread_join(srv.threads[i], NULL);
	}
	if (srv.nthreads > 0) {
		log_stats(&srv);
	}
	if (workers != NULL) {
		for (size_t i = 0; i < srv.nthreads; i++) {
			udp_worker_free(workers[i].udp);
			tcp_worker_free(workers[i].tcp);
		}
	}
	for (size_t i = 0; i < srv.nfds; i++) {
		close(srv.fds[i]);
	}
	rcu_barrier(); /* let pending call_rcu frees run */
	for (size_t i = 0; i < srv.nzones; i++) {
		zone_state_free(srv.zones[i]);
	}
	if (srv.view != NULL) {
		zonetab_free(srv.view->zones);
		free(srv.view);
	}
	conf_free(srv.conf);
	store_close(srv.store);
	log_close();
	free(srv.zones);
	free(srv.threads);
	free(srv.stats);
	free(srv.fds);
	free(workers);
	return rc;
}
