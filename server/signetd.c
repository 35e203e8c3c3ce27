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
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <urcu-qsbr.h>
#include "conf/conf.h"
#include "server/log.h"
#include "server/query.h"
#include "server/tcp.h"
#include "server/udp.h"
#include "server/xfr.h"
#include "server/zload.h"
#include "server/zonetab.h"

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
				"    acl: [local]\n";

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
	char *path;
	struct stat st; /* of the file last loaded */
	bool loaded;
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

/* Loads (or reloads, when its file changed) one zone. Keeps the snapshot
 * it had when the new version fails. */
static void
zone_refresh(server_t *srv, zone_state_t *zs, bool force)
{
	const char *text = NULL;
	size_t len = 0;
	struct stat st;
	if (zs->path == NULL) {
		text = demo_zone;
		len = sizeof(demo_zone) - 1;
		if (zs->loaded && !force) {
			return;
		}
		memset(&st, 0, sizeof(st));
	} else {
		if (stat(zs->path, &st) != 0) {
			log_error("zone %s: %s: %s", zs->zone.name, zs->path, strerror(errno));
			return;
		}
		if (zs->loaded && !force && st.st_mtim.tv_sec == zs->st.st_mtim.tv_sec &&
		    st.st_mtim.tv_nsec == zs->st.st_mtim.tv_nsec && st.st_size == zs->st.st_size &&
		    st.st_ino == zs->st.st_ino) {
			return;
		}
	}
	snap_t *s = NULL;
	if (zload(zs->zone.apex, zs->zone.name, zs->path != NULL ? zs->path : "demo.zone", text,
		  len, &s) != SN_OK) {
		if (zs->loaded) {
			log_warning("zone %s: keeps serving serial %u", zs->zone.name,
				    snap_serial(zs->zone.snap));
		}
		return;
	}
	zs->st = st;
	zs->loaded = true;
	zone_retire(zone_publish(&zs->zone, s));
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
	dname_to_text(cz->apex, zs->zone.name, sizeof(zs->zone.name));
	zs->zone.conf = cz;
	if (!demo) {
		zs->path = strdup(cz->file);
		if (zs->path == NULL) {
			free(zs);
			return NULL;
		}
	}
	return zs;
}

static void
zone_state_free(zone_state_t *zs)
{
	if (zs == NULL) {
		return;
	}
	snap_unref(zs->zone.snap);
	free(zs->path);
	free(zs);
}

/* Builds the zone list and view for `conf`, reusing the zones that
 * `srv` already serves, and publishes it. Main thread only. */
static int
apply_conf(server_t *srv, conf_t *conf)
{
	zone_state_t **zones = calloc(conf->zone_count + 1, sizeof(*zones));
	zone_t **tab = calloc(conf->zone_count + 1, sizeof(*tab));
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
			memset(&zs->st, 0, sizeof(zs->st)); /* a new file: load it */
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
	conf_free(srv->conf);
	srv->conf = conf;
	free(srv->zones);
	srv->zones = zones;
	srv->nzones = n;
	free(tab);
	free(kept);
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
	if (apply_conf(srv, conf) != SN_OK) {
		log_error("cannot apply the new configuration; the running one stays");
		conf_free(conf);
	}
}

static void
log_stats(const server_t *srv)
{
	query_stats_t t;
	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < srv->nthreads; i++) {
		const query_stats_t *s = &srv->stats[i];
		t.udp += s->udp;
		t.tcp += s->tcp;
		t.dropped += s->dropped;
		t.truncated += s->truncated;
		for (int r = 0; r < QUERY_RCODE_MAX; r++) {
			t.rcode[r] += s->rcode[r];
		}
	}
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
	while ((opt = getopt(argc, argv, "c:dvh")) != -1) {
		switch (opt) {
		case 'c':
			srv.conf_path = optarg;
			break;
		case 'd':
			daemonize = true;
			break;
		case 'v':
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

	if (apply_conf(&srv, conf) != SN_OK) {
		log_error("cannot start");
		conf_free(conf);
		return 1;
	}
	if (start_workers(&srv, &workers) != SN_OK) {
		goto out;
	}
	rc = 0;
	for (;;) {
		int sig;
		if (sigwait(&sigs, &sig) != 0) {
			continue;
		}
		if (sig == SIGHUP) {
			reload(&srv);
		} else if (sig == SIGUSR1) {
			log_stats(&srv);
		} else {
			log_info("stopping");
			break;
		}
	}
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
	free(srv.zones);
	free(srv.threads);
	free(srv.stats);
	free(srv.fds);
	free(workers);
	return rc;
}
