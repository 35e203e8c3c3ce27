/* SPDX-License-Identifier: MIT
 * conf.h - the YAML configuration, parsed and validated into an immutable
 * snapshot.
 *
 * A conf_t is built whole from a file (or text) and never changed after:
 * a reload builds a new one, conf_diff() says what differs from the running
 * one, and the server swaps pointers. Every problem is reported as
 * "file:line:col: message"; a file with any problem yields no conf_t at
 * all, so a bad file can never replace a running configuration.
 *
 * The schema follows knot.conf, so a Knot user feels at home. Sections may
 * come in any order, and references may point to items defined further down.
 * Lists take a YAML sequence or one value; `comment` is accepted (and
 * ignored) in every mapping, as in Knot.
 *
 *   server:   listen: ADDR[@PORT]...   (default 127.0.0.1@53)
 *             workers: INT             UDP threads, 0..256 (0: one per core)
 *             tcp-workers: INT         0..256 (0: as many as workers)
 *             tcp-idle-timeout: TIME   1s..1d (default 10s)
 *             tcp-max-clients: INT     1..1000000 (default 1024)
 *             udp-max-payload: SIZE    512..65535 (default 1232)
 *             storage: PATH            (default ./var)
 *             control: PATH            UNIX socket; relative to storage
 *                                      (default <storage>/signet.sock)
 *             control-mode: OCTAL      (default 0600)
 *             user: NAME[:GROUP]       to drop privileges to; names or ids
 *             group: NAME              (default: the user's group)
 *             nsid: STR | 0xHEX        RFC 5001 (default: none)
 *             identity: STR            id.server answer (default: refused)
 *             version: STR             version.bind answer (default: refused)
 *   log:      - target: stderr | stdout | syslog | PATH
 *               server|control|zone|any: critical | error | warning |
 *                                      notice | info | debug
 *             (no log section, or an empty one: stderr at info)
 *   key:      - id: DNAME  algorithm: hmac-sha1|-sha224|-sha256|-sha384|-sha512
 *               secret: BASE64
 *   remote:   - id: STR  address: ADDR[@PORT]... (port 53)  via: ADDR[@PORT]...
 *               key: KEY_ID
 *   acl:      - id: STR  address: ADDR | ADDR/LEN | ADDR-ADDR...
 *               key: KEY_ID...  remote: REMOTE_ID...  action: transfer |
 *               notify | update...  deny: BOOL
 *   submission: - id: STR                  KSK submission (RFC 7583 3.3.2)
 *               parent: REMOTE_ID...     servers asked for the DS (all must
 *                                        have it); none: confirm by hand
 *               check-interval: TIME     (default 1h)
 *               timeout: TIME            DS taken as seen after it; 0 never (default)
 *               parent-delay: TIME       wait after the DS is seen (default 0)
 *   template: - id: STR  <any zone option>   (id `default`: for every zone)
 *   policy:   - id: STR                  DNSSEC key and signing policy (KASP)
 *               algorithm: ecdsap256sha256 (default) | ecdsap384sha384 |
 *                          ed25519 | ed448 | rsasha256 | rsasha512
 *               ksk-size: INT  zsk-size: INT   bits; RSA only: 1024..4096
 *                                        (default 2048); others are fixed
 *               single-type-signing: BOOL  one CSK instead of KSK + ZSK
 *                                        (default off, KSK + ZSK, as Knot)
 *               manual: BOOL             no automatic key events (default off)
 *               ksk-lifetime: TIME       0: never rolled (default 0)
 *               zsk-lifetime: TIME       0: never rolled (default 30d)
 *               delete-delay: TIME       keep removed keys (default 0)
 *               propagation-delay: TIME  primary to every secondary (default 1h)
 *               dnskey-ttl: TIME         (default: the SOA TTL)
 *               zone-max-ttl: TIME       (default: computed from the zone)
 *               rrsig-lifetime: TIME     validity of new RRSIGs (default 14d)
 *               rrsig-refresh: TIME      renew this long before expiry
 *                                        (default propagation-delay + zone max TTL)
 *               rrsig-pre-refresh: TIME  renew up to this much earlier, in
 *                                        batches (default 1h)
 *               rrsig-jitter: TIME       spread of expirations, from a hash of
 *                                        owner and type, so the same data
 *                                        signs the same (default lifetime / 28:
 *                                        12h at 14d)
 *               reproducible-signing: BOOL  RFC 6979 ECDSA (default off)
 *               nsec3: BOOL              NSEC3 instead of NSEC (default on)
 *               nsec3-iterations: INT    0..50 (default 0, RFC 9276 3.1)
 *               nsec3-salt-length: INT   0..255 (default 0, RFC 9276 3.1)
 *               nsec3-salt-lifetime: TIME | -1  0 never, -1 with each new
 *                                        ZSK (default 30d)
 *               nsec3-opt-out: BOOL      (default off; needs nsec3)
 *               cds-cdnskey-publish: none | delete-dnssec | rollover |
 *                                    always | double-ds (default rollover)
 *               cds-digest-type: sha256 | sha384 (default sha256)
 *               ksk-submission: SUBMISSION_ID
 *   zone:     - domain: DNAME  template: TEMPLATE_ID  file: PATH (%s, %%)
 *               acl: ACL_ID...  master: REMOTE_ID...  notify: REMOTE_ID...
 *               journal-max-entries: INT  journal-max-size: SIZE
 *               serial-policy: increment | unixtime | dateserial
 *               serial-auto-bump: BOOL  dnssec-signing: BOOL (default off)
 *               dnssec-policy: POLICY_ID (Knot's name; default: the policy
 *                              with id `default`, else the built-in one)
 *
 * TIME takes s, m, h, d, w suffixes; SIZE takes B, K, M, G (powers of 1024);
 * BOOL is on/off or true/false.
 *
 * Where signet's defaults differ from Knot's: nsec3 is on (Knot: off) and
 * nsec3-salt-length is 0 (Knot: 8), per RFC 9276 3.1; rrsig-jitter is
 * signet's own. Knot policy options that signet does not have (keystore,
 * ksk-shared, offline-ksk, ds-push, dnskey-management, unsafe-operation,
 * signing-threads) are refused by name.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include "zone/dname.h"
#include "zone/err.h"

#define CONF_ERRLEN 512
/* Problems reported at most by one load; one more line says how many were left out. */
#define CONF_MAX_ERRORS 50
/* Where signetc looks without -c and without $SIGNET_CONF. */
#define CONF_DEFAULT_PATH "/etc/signet/signet.yaml"

/* Built-in zone defaults, used when neither the zone, its template nor the
 * `default` template says. */
#define CONF_JOURNAL_MAX_ENTRIES 1000
#define CONF_JOURNAL_MAX_SIZE (100u * 1024 * 1024)

/* An address and port to listen on or to talk to. */
typedef struct conf_listen {
	struct sockaddr_storage addr;
	socklen_t addrlen;
} conf_listen_t;

/* An address range: `addr`..`last` inclusive, in network order, of one
 * family. Written as an address, a prefix (addr/len) or a range (a-b). */
typedef struct conf_net {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t last[16];
	unsigned prefix; /* as written; the full length for a single address or a range */
	bool is_range;   /* written as a-b */
} conf_net_t;

enum conf_action {
	CONF_ACT_TRANSFER = 1u << 0,
	CONF_ACT_NOTIFY = 1u << 1,
	CONF_ACT_UPDATE = 1u << 2,
};

/* TSIG algorithms (RFC 8945 6). HMAC-MD5 is refused: RFC 8945 6 says it
 * MUST NOT be used; the truncated variants are not supported. */
enum conf_tsig_alg {
	CONF_TSIG_HMAC_SHA1 = 1,
	CONF_TSIG_HMAC_SHA224,
	CONF_TSIG_HMAC_SHA256,
	CONF_TSIG_HMAC_SHA384,
	CONF_TSIG_HMAC_SHA512,
};

enum conf_serial_policy {
	CONF_SERIAL_INCREMENT = 0,
	CONF_SERIAL_UNIXTIME,
	CONF_SERIAL_DATESERIAL,
};

/* Log levels, least to most verbose; NONE logs nothing of the category. */
enum conf_log_level {
	CONF_LOG_NONE = 0,
	CONF_LOG_CRITICAL,
	CONF_LOG_ERROR,
	CONF_LOG_WARNING,
	CONF_LOG_NOTICE,
	CONF_LOG_INFO,
	CONF_LOG_DEBUG,
};

enum conf_log_kind {
	CONF_LOG_STDERR = 0,
	CONF_LOG_STDOUT,
	CONF_LOG_SYSLOG,
	CONF_LOG_FILE,
};

typedef struct conf_log {
	enum conf_log_kind kind;
	char *target; /* "stderr", "stdout", "syslog" or a file path (absolute, or
		       * relative to the config file's folder) */
	/* Resolved: a category not given takes `any` (NONE if `any` is not given). */
	enum conf_log_level server, control, zone, any;
} conf_log_t;

typedef struct conf_key {
	char *id;                   /* as written */
	uint8_t *name;              /* the key name (wire form, lower case): must
				     * match the peer's TSIG key name */
	enum conf_tsig_alg alg;
	uint8_t *secret;            /* decoded */
	size_t secret_len;
} conf_key_t;

typedef struct conf_remote {
	char *id;
	conf_listen_t *addrs; /* tried in order; at least one */
	size_t addr_count;
	conf_listen_t *via; /* source addresses (port 0: any) */
	size_t via_count;
	const conf_key_t *key; /* NULL: no TSIG */
} conf_remote_t;

typedef struct conf_acl {
	char *id;
	conf_net_t *nets; /* none (and no remotes) means any address */
	size_t net_count;
	const conf_key_t **keys; /* none means the request must not be signed */
	size_t key_count;
	const conf_remote_t **remotes; /* instead of nets and keys: a remote's
					* addresses with its key */
	size_t remote_count;
	unsigned actions; /* conf_action bits; 0 only with deny, meaning all */
	bool deny;
} conf_acl_t;

/* DNSSEC algorithms a policy signs with (RFC 8624 3.1). */
enum conf_dnssec_alg {
	CONF_ALG_RSASHA256 = 8,
	CONF_ALG_RSASHA512 = 10,
	CONF_ALG_ECDSAP256SHA256 = 13,
	CONF_ALG_ECDSAP384SHA384 = 14,
	CONF_ALG_ED25519 = 15,
	CONF_ALG_ED448 = 16,
};

/* When CDS and CDNSKEY are in the zone (RFC 7344, 8078), as Knot has it. */
enum conf_cds_publish {
	CONF_CDS_NONE = 0,      /* never */
	CONF_CDS_DELETE_DNSSEC, /* the RFC 8078 4 delete records */
	CONF_CDS_ROLLOVER,      /* for a ready KSK not yet active (submission) */
	CONF_CDS_ALWAYS,        /* for the active KSK, always */
	CONF_CDS_DOUBLE_DS,     /* for ready and active KSKs */
};

/* "Not written: the daemon decides" for dnskey-ttl (the SOA TTL),
 * zone-max-ttl (computed from the zone) and rrsig-refresh
 * (conf_policy_rrsig_refresh). Written values are at most INT32_MAX. */
#define CONF_POLICY_AUTO UINT32_MAX
/* nsec3-salt-lifetime -1: a new salt with each new ZSK. */
#define CONF_NSEC3_SALT_PER_ZSK UINT32_MAX

typedef struct conf_submission {
	char *id;
	const conf_remote_t **parents; /* all must serve the DS; none: by hand */
	size_t parent_count;
	uint32_t check_interval; /* seconds (default 3600) */
	uint32_t timeout;        /* seconds; 0: never taken as seen */
	uint32_t parent_delay;   /* seconds */
} conf_submission_t;

/* A DNSSEC policy with every value resolved: times in seconds. */
typedef struct conf_policy {
	char *id;       /* "default" for the built-in one */
	bool builtin;   /* not written in the file */
	bool manual;    /* no automatic key events */
	uint8_t algorithm;       /* enum conf_dnssec_alg */
	uint16_t ksk_size;       /* bits (of the CSK with single-type signing) */
	uint16_t zsk_size;       /* bits */
	bool single_type_signing;
	uint32_t ksk_lifetime;   /* 0: never rolled */
	uint32_t zsk_lifetime;   /* 0: never rolled */
	uint32_t delete_delay;
	uint32_t propagation_delay;
	uint32_t dnskey_ttl;     /* CONF_POLICY_AUTO: the SOA TTL */
	uint32_t zone_max_ttl;   /* CONF_POLICY_AUTO: computed from the zone */
	uint32_t rrsig_lifetime;
	uint32_t rrsig_refresh;  /* CONF_POLICY_AUTO: see conf_policy_rrsig_refresh */
	uint32_t rrsig_pre_refresh;
	uint32_t rrsig_jitter;
	bool reproducible_signing;
	bool nsec3;
	uint16_t nsec3_iterations;
	uint8_t nsec3_salt_length;
	bool nsec3_opt_out;
	uint32_t nsec3_salt_lifetime; /* 0: never; CONF_NSEC3_SALT_PER_ZSK */
	enum conf_cds_publish cds_cdnskey_publish;
	uint8_t cds_digest_type;      /* DS digest type: 2 (SHA-256) or 4 (SHA-384) */
	const conf_submission_t *ksk_submission; /* NULL: none */
} conf_policy_t;

/* Zone options as written in a zone or a template; `set` says which. */
enum conf_zopt {
	CONF_ZOPT_FILE = 1u << 0,
	CONF_ZOPT_ACL = 1u << 1,
	CONF_ZOPT_MASTER = 1u << 2,
	CONF_ZOPT_NOTIFY = 1u << 3,
	CONF_ZOPT_JOURNAL_ENTRIES = 1u << 4,
	CONF_ZOPT_JOURNAL_SIZE = 1u << 5,
	CONF_ZOPT_SERIAL_POLICY = 1u << 6,
	CONF_ZOPT_SERIAL_AUTO_BUMP = 1u << 7,
	CONF_ZOPT_DNSSEC_SIGNING = 1u << 8,
	CONF_ZOPT_POLICY = 1u << 9,
};

typedef struct conf_zopts {
	unsigned set;    /* conf_zopt bits */
	char *file;      /* as written: may hold %s (the zone name) and %% */
	const conf_acl_t **acls;
	size_t acl_count;
	const conf_remote_t **masters;
	size_t master_count;
	const conf_remote_t **notify;
	size_t notify_count;
	uint32_t journal_max_entries;
	uint64_t journal_max_size;
	enum conf_serial_policy serial_policy;
	bool serial_auto_bump;
	bool dnssec_signing;
	const conf_policy_t *policy;
} conf_zopts_t;

typedef struct conf_template {
	char *id;
	conf_zopts_t opts;
} conf_template_t;

/* A zone with its options resolved: its own, else its template's, else the
 * `default` template's, else the built-in defaults. */
typedef struct conf_zone {
	const uint8_t *apex;      /* wire form, as written (compare with dname_*) */
	char *domain;             /* as written, for messages */
	char *file;               /* absolute, or relative to the config file's folder;
				   * default "%s.zone" (%s: the name in lower case,
				   * without the final dot) */
	const conf_template_t *tmpl; /* the template that applies, or NULL */
	const conf_acl_t **acls;  /* in order: the first that matches decides */
	size_t acl_count;
	const conf_remote_t **masters; /* primaries to transfer from (secondary zones) */
	size_t master_count;
	const conf_remote_t **notify;  /* where to send NOTIFY */
	size_t notify_count;
	uint32_t journal_max_entries;  /* default CONF_JOURNAL_MAX_ENTRIES */
	uint64_t journal_max_size;     /* bytes; default CONF_JOURNAL_MAX_SIZE */
	enum conf_serial_policy serial_policy; /* default increment */
	bool serial_auto_bump; /* same serial, different content: bump it (default off) */
	bool dnssec_signing;   /* default off */
	/* The policy the zone is signed with, NULL exactly when signing is
	 * off: the one named (zone, template, `default` template), else the
	 * policy with id `default`, else the built-in one (all defaults). */
	const conf_policy_t *policy;
	unsigned own_set;      /* conf_zopt bits the zone gives itself (the others
				* come from templates or the built-in defaults) */
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
	char *control;              /* UNIX socket path */
	unsigned control_mode;      /* permission bits of the socket */
	char *user;                 /* NULL: keep the user we run as */
	uid_t uid;                  /* valid if user != NULL */
	char *group;                /* as written; NULL with a user: the user's group */
	gid_t gid;                  /* valid if user != NULL or group != NULL */
	char *nsid;                 /* NULL: no NSID option (RFC 5001); binary, nsid_len octets */
	size_t nsid_len;
	char *identity;             /* NULL: refuse id.server / hostname.bind */
	char *version;              /* NULL: refuse version.bind */
	conf_log_t *logs;
	size_t log_count;
	conf_key_t *keys;
	size_t key_count;
	conf_remote_t *remotes;
	size_t remote_count;
	conf_acl_t *acls;
	size_t acl_count;
	conf_template_t *templates;
	size_t template_count;
	conf_submission_t *submissions;
	size_t submission_count;
	conf_policy_t *policies;
	size_t policy_count;
	conf_zone_t *zones; /* in file order */
	size_t zone_count;
	const conf_zone_t **zone_index; /* private: zones in canonical order */
	const conf_key_t **key_index;   /* private: keys in canonical order */
	struct conf_mem *mem;           /* private: everything above lives here */
} conf_t;

/* Called once per problem, in file order, with "file:line:col: message". */
typedef void (*conf_report_fn)(void *ctx, const char *msg);

typedef struct conf_opts {
	conf_report_fn report; /* NULL: only the first problem, in err */
	void *ctx;
	unsigned max_errors;   /* 0: CONF_MAX_ERRORS */
} conf_opts_t;

/* Reads and validates the configuration at `path`. On SN_OK *out is owned by
 * the caller (conf_free). On failure writes "file:line:col: message" (the
 * first problem in the file) to `err` and returns SN_EPARSE (bad YAML or
 * schema), SN_EIO (cannot read) or SN_ENOMEM. Any thread; allocates; looks
 * user and group names up in the system's databases. */
SN_MUSTCHECK int conf_load(const char *path, conf_t **out, char err[CONF_ERRLEN]);

/* Same from text; `name` is used in messages and as the base for relative
 * paths (its folder). */
SN_MUSTCHECK int conf_load_mem(const char *name, const char *text, size_t len, conf_t **out,
			       char err[CONF_ERRLEN]);

/* As conf_load / conf_load_mem, and every problem (up to opts->max_errors,
 * then one line with the count left out) also goes to opts->report.
 * `opts` may be NULL. */
SN_MUSTCHECK int conf_load_opts(const char *path, const conf_opts_t *opts, conf_t **out,
				char err[CONF_ERRLEN]);
SN_MUSTCHECK int conf_load_mem_opts(const char *name, const char *text, size_t len,
				    const conf_opts_t *opts, conf_t **out, char err[CONF_ERRLEN]);

/* Frees `conf` and everything it holds. NULL is fine. The caller makes sure
 * no reader still uses it (after an RCU grace period). */
void conf_free(conf_t *conf);

/* The zone whose apex is `apex` exactly (case-insensitive), or NULL.
 * O(log zones). Any thread; the result lives as long as `conf`. */
const conf_zone_t *conf_zone_find(const conf_t *conf, const uint8_t *apex);

/* The key named `name` (wire form, any case), or NULL: for TSIG. */
const conf_key_t *conf_key_find(const conf_t *conf, const uint8_t *name);

/* The template, remote, acl or policy with that id, or NULL. */
const conf_template_t *conf_template_find(const conf_t *conf, const char *id);
const conf_policy_t *conf_policy_find(const conf_t *conf, const char *id);
const conf_remote_t *conf_remote_find(const conf_t *conf, const char *id);
const conf_acl_t *conf_acl_find(const conf_t *conf, const char *id);

/* True if the zone's ACLs allow `action` (a conf_action bit) from `addr` for
 * an unsigned request: the first ACL that matches the address, the key and
 * the action decides (deny or allow); no match means no. Any thread. */
bool conf_zone_allows(const conf_zone_t *zone, const struct sockaddr *addr, unsigned action);

/* Same for a request signed with the TSIG key `key_name` (wire form), which
 * the caller has verified; NULL for an unsigned request. An ACL with keys
 * matches only requests signed with one of them; one without keys only
 * unsigned requests; one with remotes, a request from a remote's address
 * signed with that remote's key (or unsigned if it has none). */
bool conf_zone_allows_key(const conf_zone_t *zone, const struct sockaddr *addr,
			  const uint8_t *key_name, unsigned action);

/* Parses "address@port" / "address" (IPv4 or IPv6) with `defport`.
 * Returns SN_OK or SN_EPARSE. */
SN_MUSTCHECK int conf_parse_listen(const char *s, uint16_t defport, conf_listen_t *out);

/* Parses "addr", "addr/prefix" or "addr-addr" into a range.
 * Returns SN_OK or SN_EPARSE. */
SN_MUSTCHECK int conf_parse_net(const char *s, conf_net_t *out);

/* Parses a size with an optional B, K, M or G suffix (powers of 1024).
 * Returns SN_OK, SN_EPARSE, or SN_ERANGE past UINT64_MAX. */
SN_MUSTCHECK int conf_parse_size(const char *s, uint64_t *out);

/* rrsig-refresh of `p`: as written, or (CONF_POLICY_AUTO) propagation-delay
 * plus the zone's largest TTL: zone-max-ttl when written, else
 * `zone_max_ttl` (computed by the caller). Saturates at UINT32_MAX - 1.
 * Any thread. */
uint32_t conf_policy_rrsig_refresh(const conf_policy_t *p, uint32_t zone_max_ttl);

/* "ecdsap256sha256"... for an algorithm number, or NULL if not one of
 * enum conf_dnssec_alg. */
const char *conf_dnssec_alg_name(unsigned alg);

/* Parses a time in seconds with an optional s, m, h, d or w suffix.
 * Returns SN_OK, SN_EPARSE, or SN_ERANGE past UINT64_MAX. */
SN_MUSTCHECK int conf_parse_time(const char *s, uint64_t *out);

/* Decodes base64 (RFC 4648 4, padding required, no spaces) into `out`
 * (`cap` octets). Returns SN_OK and the length in *out_len, SN_EPARSE, or
 * SN_ENOSPC. */
SN_MUSTCHECK int conf_base64_decode(const char *s, uint8_t *out, size_t cap, size_t *out_len);

/* "hmac-sha256"... */
const char *conf_tsig_alg_name(enum conf_tsig_alg alg);

/* Server settings that changed between two configurations. */
enum conf_change {
	CONF_CHG_LISTEN = 1u << 0,
	CONF_CHG_WORKERS = 1u << 1,  /* workers, tcp-workers */
	CONF_CHG_TCP = 1u << 2,      /* tcp-idle-timeout, tcp-max-clients */
	CONF_CHG_STORAGE = 1u << 3,
	CONF_CHG_CONTROL = 1u << 4,  /* control, control-mode */
	CONF_CHG_USER = 1u << 5,     /* user, group */
	CONF_CHG_UDP_PAYLOAD = 1u << 6,
	CONF_CHG_IDENTITY = 1u << 7, /* nsid, identity, version */
	CONF_CHG_LOG = 1u << 8,
	CONF_CHG_KEYS = 1u << 9,     /* TSIG keys */
};

/* The changes a running server cannot apply without a restart: sockets,
 * threads and privileges are set up once, and the TCP limits are given to
 * the TCP workers when they start. The others apply with the new snapshot
 * (answers read udp-max-payload, NSID, identity and version from it). */
#define CONF_CHG_NEEDS_RESTART                                                                     \
	(CONF_CHG_LISTEN | CONF_CHG_WORKERS | CONF_CHG_TCP | CONF_CHG_STORAGE | CONF_CHG_CONTROL | \
	 CONF_CHG_USER)

/* What changed in a zone kept across a reload (resolved options compared). */
enum conf_zone_change {
	CONF_ZCHG_FILE = 1u << 0,
	CONF_ZCHG_ACL = 1u << 1, /* the ACLs, or a key or remote they use */
	CONF_ZCHG_MASTER = 1u << 2,
	CONF_ZCHG_NOTIFY = 1u << 3,
	CONF_ZCHG_JOURNAL = 1u << 4,
	CONF_ZCHG_SERIAL = 1u << 5, /* serial-policy, serial-auto-bump */
	CONF_ZCHG_DNSSEC = 1u << 6, /* dnssec-signing, or what its policy says
				     * (compared by value, not id) */
};

typedef struct conf_zone_diff {
	const conf_zone_t *old_zone;
	const conf_zone_t *new_zone;
	unsigned what; /* conf_zone_change bits, never 0 */
} conf_zone_diff_t;

typedef struct conf_diff {
	const conf_zone_t **added; /* point into the new conf, canonical order */
	size_t added_count;
	const conf_zone_t **removed; /* point into the old conf */
	size_t removed_count;
	conf_zone_diff_t *changed;
	size_t changed_count;
	unsigned server; /* conf_change bits */
	bool needs_restart; /* server & CONF_CHG_NEEDS_RESTART */
} conf_diff_t;

/* Compares the running configuration `old` with `next`. On SN_OK *out holds
 * the zones added, removed and changed and the server settings that changed;
 * free its lists with conf_diff_clear. Pointers in it live as long as the
 * confs. O(zones). Returns SN_OK or SN_ENOMEM. Any thread. */
SN_MUSTCHECK int conf_diff(const conf_t *old, const conf_t *next, conf_diff_t *out);

void conf_diff_clear(conf_diff_t *d);
