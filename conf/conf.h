/* SPDX-License-Identifier: MIT
 * conf.h - the YAML configuration, parsed and validated into an immutable
 * snapshot.
 *
 * A conf_t is built whole from a file (or text) and never changed after:
 * a reload builds a new one and the server swaps pointers. Every problem is
 * reported as "file:line:col: message" and a file with any problem yields no
 * conf_t at all, so a bad file can never replace a running configuration.
 * The schema follows knot.conf: server, acl and zone sections.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "zone/dname.h"
#include "zone/err.h"

#define CONF_ERRLEN 512

/* An address and port to listen on. */
typedef struct conf_listen {
	struct sockaddr_storage addr;
	socklen_t addrlen;
} conf_listen_t;

/* An address range: `prefix` bits of `addr` (IPv4 or IPv6). */
typedef struct conf_net {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefix;
} conf_net_t;

enum conf_action {
	CONF_ACT_TRANSFER = 1u << 0,
	CONF_ACT_NOTIFY = 1u << 1,
	CONF_ACT_UPDATE = 1u << 2,
};

typedef struct conf_acl {
	char *id;
	conf_net_t *nets; /* none means any address */
	size_t net_count;
	unsigned actions; /* conf_action bits */
	bool deny;
} conf_acl_t;

typedef struct conf_zone {
	uint8_t apex[DNAME_MAXLEN]; /* wire form */
	char *domain;               /* as written, for messages */
	char *file;                 /* absolute, or relative to the config file's folder */
	const conf_acl_t **acls;    /* point into conf_t.acls */
	size_t acl_count;
} conf_zone_t;

typedef struct conf {
	char *path; /* the file it came from, or the name given for text */
	conf_listen_t *listen;
	size_t listen_count;
	unsigned workers;           /* UDP threads; 0 means one per core */
	unsigned tcp_workers;       /* 0 means same as workers */
	unsigned tcp_idle_timeout;  /* seconds */
	unsigned tcp_max_clients;
	uint16_t udp_max_payload;   /* our EDNS buffer size */
	char *storage;
	char *nsid;                 /* NULL: no NSID option (RFC 5001) */
	size_t nsid_len;
	char *identity;             /* NULL: refuse id.server / hostname.bind */
	char *version;              /* NULL: refuse version.bind */
	conf_acl_t *acls;
	size_t acl_count;
	conf_zone_t *zones;
	size_t zone_count;
} conf_t;

/* Reads and validates the configuration at `path`. On SN_OK *out is owned by
 * the caller (conf_free). On failure writes "file:line:col: message" (the
 * first problem) to `err` and returns SN_EPARSE (bad YAML or schema) or
 * SN_EIO (cannot read). Any thread; allocates. */
SN_MUSTCHECK int conf_load(const char *path, conf_t **out, char err[CONF_ERRLEN]);

/* Same from text; `name` is used in messages and as the base for relative
 * zone file paths (its folder). */
SN_MUSTCHECK int conf_load_mem(const char *name, const char *text, size_t len, conf_t **out,
			       char err[CONF_ERRLEN]);

void conf_free(conf_t *conf); /* NULL is fine */

/* The zone whose apex is `apex` exactly, or NULL. */
const conf_zone_t *conf_zone_find(const conf_t *conf, const uint8_t *apex);

/* True if the zone's ACLs allow `action` (a conf_action bit) from `addr`:
 * the first ACL that matches the address and the action decides (deny or
 * allow); no match means no. Any thread. */
bool conf_zone_allows(const conf_zone_t *zone, const struct sockaddr *addr, unsigned action);

/* Parses "address@port" / "address" (IPv4 or IPv6) with `defport`.
 * Returns SN_OK or SN_EPARSE. */
SN_MUSTCHECK int conf_parse_listen(const char *s, uint16_t defport, conf_listen_t *out);

/* Parses "addr", "addr/prefix" into a range. Returns SN_OK or SN_EPARSE. */
SN_MUSTCHECK int conf_parse_net(const char *s, conf_net_t *out);
