/* SPDX-License-Identifier: MIT
 * ctl_fake.c - a stand-in for signetd's control socket, for signetc's tests.
 *
 *	ctl_fake serve SOCKET	ctl_server with fixed handlers, until `stop`
 *	ctl_fake garbage SOCKET	answers every connection with a line that is
 *				not JSON
 *	ctl_fake silent SOCKET	accepts and never answers
 *
 * Each prints "ready" on stdout once clients can connect. The handlers
 * answer from fixed data, so the test knows every value to expect, and echo
 * what they were given (the zone as the daemon sees it, the arguments), so
 * the test sees what signetc sent. The test does not depend on how signetd
 * wires the channel in.
 */
#include "server/ctl.h"
#include "server/log.h"
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static atomic_bool stop;

struct zone {
	const char *name;
	uint32_t serial;
	uint64_t records;
	uint64_t load_time;
	uint64_t journal_size;
	const char *next_event;
};

static const struct zone zones[] = {
    {"example.com.", 2024010101, 12, 1700000000, 2048, "refresh"},
    {"example.org.", 7, 3, 1700003600, 0, NULL},
};

static void
zone_row(ctl_resp_t *r, const struct zone *z)
{
	ctl_resp_obj_begin(r, NULL);
	ctl_resp_str(r, "zone", z->name);
	ctl_resp_uint(r, "serial", z->serial);
	ctl_resp_uint(r, "records", z->records);
	ctl_resp_uint(r, "load-time", z->load_time);
	ctl_resp_uint(r, "journal-size", z->journal_size);
	if (z->next_event != NULL) {
		ctl_resp_str(r, "next-event", z->next_event);
	}
	ctl_resp_obj_end(r);
}

static const struct zone *
find(const ctl_req_t *req)
{
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		if (strcmp(zones[i].name, ctl_req_zone(req)) == 0) {
			return &zones[i];
		}
	}
	return NULL;
}

static int
h_status(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	ctl_resp_str(r, "version", "0.0-test");
	ctl_resp_uint(r, "uptime", 3725);
	ctl_resp_uint(r, "zones", 2);
	ctl_resp_obj_begin(r, "workers");
	ctl_resp_uint(r, "udp", 2);
	ctl_resp_uint(r, "tcp", 1);
	ctl_resp_obj_end(r);
	return SN_OK;
}

static int
h_stop(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	atomic_store(&stop, true);
	return SN_OK;
}

static int
h_reload(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	ctl_resp_uint(r, "zones", 2);
	return SN_OK;
}

static int
h_zone_status(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	if (ctl_req_zone(req) != NULL) {
		const struct zone *z = find(req);
		if (z == NULL) {
			ctl_resp_error(r, SN_ENOTFOUND, "zone %s is not served", ctl_req_zone(req));
			return SN_ENOTFOUND;
		}
		ctl_resp_arr_begin(r, "zones");
		zone_row(r, z);
		ctl_resp_arr_end(r);
		return SN_OK;
	}
	ctl_resp_arr_begin(r, "zones");
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		zone_row(r, &zones[i]);
	}
	ctl_resp_arr_end(r);
	return SN_OK;
}

static int
h_zone_reload(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	const struct zone *z = find(req);
	if (z == NULL) {
		ctl_resp_error(r, SN_ENOTFOUND, "zone %s is not served", ctl_req_zone(req));
		return SN_ENOTFOUND;
	}
	ctl_resp_uint(r, "serial", z->serial + 1);
	return SN_OK;
}

static int
h_zone_flush(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	const char *out = ctl_req_arg(req, "out");
	if (find(req) == NULL) {
		return SN_ENOTFOUND; /* the server words it */
	}
	ctl_resp_strf(r, "file", "%s/%szone", out != NULL ? out : "/var/zones", ctl_req_zone(req));
	return SN_OK;
}

static int
h_zone_add(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	const char *t = ctl_req_arg(req, "template"), *f = ctl_req_arg(req, "file");
	if (find(req) != NULL) {
		ctl_resp_error(r, SN_EEXIST, "zone %s is served already", ctl_req_zone(req));
		return SN_EEXIST;
	}
	ctl_resp_str(r, "zone", ctl_req_zone(req));
	if (t != NULL) {
		ctl_resp_str(r, "template", t);
	}
	if (f != NULL) {
		ctl_resp_str(r, "file", f);
	}
	return SN_OK;
}

static int
h_stats(void *ctx, const ctl_req_t *req, ctl_resp_t *r)
{
	ctl_resp_obj_begin(r, "counters");
	ctl_resp_uint(r, "udp", 1000);
	ctl_resp_uint(r, "tcp", 20);
	ctl_resp_uint(r, "noerror", 990);
	ctl_resp_uint(r, "nxdomain", 30);
	ctl_resp_obj_end(r);
	return SN_OK;
}

/* zone-remove is left out: the daemon answers that it does not offer it */
static const ctl_handlers_t handlers = {
    .status = h_status,
    .stop = h_stop,
    .reload = h_reload,
    .zone_status = h_zone_status,
    .zone_reload = h_zone_reload,
    .zone_flush = h_zone_flush,
    .zone_add = h_zone_add,
    .stats = h_stats,
};

static int
raw_listen(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path));
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 8) != 0) {
		perror(path);
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ctl_fake serve|garbage|silent SOCKET\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(argv[1], "serve") == 0) {
		ctl_server_t *srv;
		log_set_level(LOG_LVL_DEBUG);
		if (ctl_server_new(argv[2], 0600, &handlers, NULL, &srv) != SN_OK) {
			return 1;
		}
		printf("ready\n");
		fflush(stdout);
		ctl_server_run(srv, &stop);
		ctl_server_free(srv);
		return 0;
	}
	bool garbage = strcmp(argv[1], "garbage") == 0;
	if (!garbage && strcmp(argv[1], "silent") != 0) {
		fprintf(stderr, "ctl_fake: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	int fd = raw_listen(argv[2]);
	if (fd < 0) {
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c < 0) {
			continue;
		}
		if (!garbage) {
			continue; /* kept open, never answered */
		}
		char buf[4096];
		(void)recv(c, buf, sizeof(buf), 0);
		static const char junk[] = "this is not json\n";
		(void)send(c, junk, sizeof(junk) - 1, MSG_NOSIGNAL);
		close(c);
	}
}
