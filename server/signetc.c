/* SPDX-License-Identifier: MIT
 * signetc.c - the operator's tool: a table of subcommands.
 *
 * `signetc COMMAND [options] [args]`. Each command is one entry of the
 * table below with its own help text and option parser, so adding one
 * (status, reload, zone-status, key-generate...) touches nothing else.
 * Exit status, for every command: 0 success, 1 the thing checked is bad
 * (a zone with errors), 2 usage error or failure to do the job (a file
 * that cannot be read, out of memory). Commands that talk to signetd over
 * its control socket: 1 signetd refused, 3 it cannot be reached.
 * Read commands take --json and then print one JSON object on stdout.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "conf/conf.h"
#include "server/ctl.h"
#include "zone/dname.h"
#include "zone/err.h"
#include "zone/rrlist.h"
#include "zone/rrtype.h"
#include "zone/zcheck.h"
#include "zone/zfile.h"
#include "zone/zprint.h"

#define EXIT_OK 0
#define EXIT_BAD 1
#define EXIT_USAGE 2

struct cmd {
	const char *name;
	const char *summary;
	const char *help; /* full text for `signetc help NAME` */
	int (*run)(int argc, char **argv);
};

static int cmd_zone_check(int argc, char **argv);
static int cmd_conf_check(int argc, char **argv);
static int cmd_ctl(int argc, char **argv);
static int cmd_help(int argc, char **argv);

/* The options of the commands that talk to signetd. */
#define SIGNETC_CTL_OPTS                                                                   \
	"  -s, --socket PATH   signetd's control socket; default: $SIGNET_SOCKET,\n"        \
	"                      else server.control of the configuration\n"                  \
	"  -c, --config FILE   take the socket from this configuration; default:\n"         \
	"                      $SIGNET_CONF, else " CONF_DEFAULT_PATH " if it\n"            \
	"                      exists, else the socket is ./var/signet.sock\n"               \
	"  -t, --timeout SECS  how long to wait for the answer (default: 30, and\n"          \
	"                      600 for commands that change something)\n"                    \
	"  -j, --json          print the answer's data as one JSON object\n"                 \
	"  -h, --help          this text\n"                                                  \
	"\n"                                                                                 \
	"Exit status: 0 done, 1 signetd refused (its reason is printed), 2 usage\n"          \
	"error, 3 signetd cannot be reached or did not answer properly.\n"

static const struct cmd cmds[] = {
	{
		"zone-check",
		"check a zone file as named-checkzone does; optionally print it",
		"usage: signetc zone-check [-o NAME] [--print | --json] FILE\n"
		"\n"
		"Parses FILE ($INCLUDE allowed), sorts its records in canonical order\n"
		"(RFC 4034 6.1), drops duplicates, and runs the semantic checks of\n"
		"named-checkzone: one SOA at the apex, NS at the apex, CNAME beside other\n"
		"data, DNAME with names below it, glue for name servers below their\n"
		"delegation, out-of-zone and occluded data, TTLs differing in an RRset...\n"
		"Problems are printed on stderr as `file:line:col: error: message`.\n"
		"\n"
		"  -o, --origin NAME  the zone apex; default: the file's base name without\n"
		"                     a trailing \".zone\" (as kzonecheck does), so\n"
		"                     example.com.zone is checked as example.com.\n"
		"  -p, --print        when the zone is good, write it to stdout in canonical\n"
		"                     form: one record a line, `owner TTL CLASS TYPE rdata`,\n"
		"                     tab-separated, absolute names, canonical order\n"
		"  -j, --json         write {\"zone\", \"records\", \"errors\", \"warnings\"} to\n"
		"                     stdout instead of messages on stderr\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 the zone is good (warnings allowed), 1 it has errors,\n"
		"2 usage error or the file cannot be read.\n",
		cmd_zone_check,
	},
	{
		"conf-check",
		"check a configuration file without starting the server",
		"usage: signetc conf-check [-c FILE]\n"
		"\n"
		"Reads the configuration as signetd would and checks it all: the schema\n"
		"(unknown keys, wrong types, numbers out of range), references between\n"
		"sections (acl, key, remote, template, policy), duplicate ids and zones,\n"
		"and the user and group to run as. Every problem is printed on stderr as\n"
		"`file:line:col: message`, in file order (at most 50, then a count).\n"
		"Zone files are not read: check them with zone-check.\n"
		"\n"
		"  -c, --config FILE  the file; default: $SIGNET_CONF, else\n"
		"                     " CONF_DEFAULT_PATH "\n"
		"  -h, --help         this text\n"
		"\n"
		"On success prints `ok: N zones`. Exit status: 0 the configuration is good,\n"
		"1 it has problems, 2 usage error or the file cannot be read.\n",
		cmd_conf_check,
	},
	{
		"status",
		"signetd's version, uptime, zones and workers",
		"usage: signetc status [options]\n"
		"\n"
		"Asks the running signetd for its version, uptime, number of zones and\n"
		"worker threads.\n"
		"\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"stop",
		"stop signetd",
		"usage: signetc stop [options]\n"
		"\n"
		"Asks signetd to stop, as SIGTERM does; answered before it stops.\n"
		"\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"reload",
		"reload the configuration and the changed zone files",
		"usage: signetc reload [options]\n"
		"\n"
		"Reloads the configuration and every zone file that changed, as SIGHUP\n"
		"does, and answers when it is done. A bad configuration is refused with its\n"
		"file:line:col and the running one stays.\n"
		"\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"zone-status",
		"serial, records, last load, journal and next event of zones",
		"usage: signetc zone-status [options] [ZONE]\n"
		"\n"
		"One line per zone (or just ZONE): its serial, record count, when it was\n"
		"last loaded, the size of its journal and its next event.\n"
		"\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"zone-reload",
		"reload one zone from its file",
		"usage: signetc zone-reload [options] ZONE\n"
		"\n"
		"Reads ZONE's file again and applies the difference; answers when the\n"
		"change is committed.\n"
		"\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"zone-flush",
		"write a zone as it is served to a file",
		"usage: signetc zone-flush [options] [--out DIR] ZONE\n"
		"\n"
		"Writes ZONE, as it is served now, to its file, or into DIR.\n"
		"\n"
		"  -o, --out DIR       the folder to write to (made absolute here)\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"zone-add",
		"serve a new zone (kept across restarts)",
		"usage: signetc zone-add [options] [--template T] [--file F] ZONE\n"
		"\n"
		"Adds ZONE at run time, with the options of template T and the zone file F.\n"
		"It is kept in the store, so it is still served after a restart.\n"
		"\n"
		"  -T, --template T    the template to take the zone's options from\n"
		"  -f, --file F        its zone file (made absolute here)\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"zone-remove",
		"stop serving a zone",
		"usage: signetc zone-remove [options] ZONE\n"
		"\n"
		"Stops serving ZONE and removes it from the store.\n"
		"\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"zone-update",
		"add and delete records of a zone",
		"usage: signetc zone-update [options] ZONE [--add RR]... [--del RR]... [--input F]\n"
		"\n"
		"Changes a few records of ZONE without its zone file, in one commit with a\n"
		"new serial (by the zone's serial-policy); answers once it is committed.\n"
		"Changes apply in the order given (all --add and --del first, then F):\n"
		"  add RR            a record as in a zone file, with its owner (relative\n"
		"                    to ZONE, @ for the apex); no TTL: that of its RRset\n"
		"  del RR            that record\n"
		"  del OWNER TYPE    the RRset\n"
		"  del OWNER         every RRset of the name\n"
		"The zone file is not rewritten: signetc zone-flush writes the zone out.\n"
		"\n"
		"  -a, --add RR        add RR\n"
		"  -d, --del WHAT      delete WHAT (RR, OWNER TYPE or OWNER)\n"
		"  -i, --input F       more changes, one a line ('add ...', 'del ...');\n"
		"                      - reads them from standard input\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"key-list",
		"the DNSSEC keys of a zone and their states",
		"usage: signetc key-list [options] ZONE\n"
		"\n"
		"One line per key of ZONE in the key store: key tag, role (ksk, zsk, csk),\n"
		"algorithm, flags, state (RFC 7583: generated, published, ready, active,\n"
		"retired, revoked, removed), its times, and its id.\n"
		"\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"zone-ds",
		"the DS records to give the parent zone's registry",
		"usage: signetc zone-ds [options] [--digest D] [--epp] ZONE\n"
		"\n"
		"Prints the DS records of ZONE's published KSKs or CSKs (during a KSK\n"
		"rollover, both keys), one per line in zone-file form.\n"
		"\n"
		"      --digest D      2 (SHA-256, the default), 4 (SHA-384) or all\n"
		"      --epp           print them as the secDNS-1.1 extension of an EPP\n"
		"                      <domain:update> (RFC 5910 5.2.5, dsData interface)\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"key-import",
		"import a BIND key pair into a zone's keys",
		"usage: signetc key-import [options] --file K<zone>+<alg>+<tag> [--role R] ZONE\n"
		"\n"
		"Reads the key pair BIND's dnssec-keygen (or Knot's keymgr, ldns-keygen)\n"
		"wrote, K...private and K...key, and adds it to ZONE's keys, published and\n"
		"active now; a signed zone is signed again with it. Moving a signed zone\n"
		"from BIND or Knot this way keeps the DS at the parent right.\n"
		"\n"
		"  -f, --file BASE     the key files, with or without .private or .key\n"
		"  -r, --role R        ksk, zsk or csk (default: ksk when the key has the\n"
		"                      SEP flag, else zsk)\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"key-generate",
		"make a new key for a zone",
		"usage: signetc key-generate [options] [--role R] [--algorithm A] ZONE\n"
		"\n"
		"Makes a key for ZONE, published and active now; a signed zone is signed\n"
		"again with it.\n"
		"\n"
		"  -r, --role R        ksk, zsk (default) or csk\n"
		"  -A, --algorithm A   8, 10, 13, 14, 15 or 16 (default: the zone's policy)\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"key-export",
		"the public keys of a zone as DNSKEY records",
		"usage: signetc key-export [options] ZONE\n"
		"\n"
		"Prints the DNSKEY records of ZONE's published keys, as BIND's .key files\n"
		"hold them. Private keys never leave signetd this way.\n"
		"\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"zone-key-rollover",
		"start a key rollover now",
		"usage: signetc zone-key-rollover [options] ZONE zsk|ksk\n"
		"\n"
		"Starts a rollover of ZONE's ZSK (pre-publication) or KSK (CSK with single-\n"
		"type signing; double signature, then the new DS at the parent) now, as\n"
		"the policy would at the end of the key's lifetime. zone-status shows\n"
		"each step.\n"
		"\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"zone-ksk-submitted",
		"tell signetd that the parent serves the new KSK's DS",
		"usage: signetc zone-ksk-submitted [options] ZONE\n"
		"\n"
		"The registry now publishes the DS of ZONE's new KSK (see zone-ds): the new\n"
		"key becomes active and the old one retires once caches have moved on.\n"
		"\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"stats",
		"signetd's counters",
		"usage: signetc stats [options]\n"
		"\n"
		"The query counters of the running signetd (by protocol and by RCODE...).\n"
		"\n" SIGNETC_CTL_OPTS,
		cmd_ctl,
	},
	{
		"help",
		"show the commands, or the help of one",
		"usage: signetc help [COMMAND]\n",
		cmd_help,
	},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: signetc COMMAND [options] [args]\n"
		   "       signetc help COMMAND\n\n"
		   "commands:\n");
	for (size_t i = 0; i < NCMDS; i++) {
		fprintf(f, "  %-12s %s\n", cmds[i].name, cmds[i].summary);
	}
	fprintf(f, "\noptions: -h, --help   this text;  -V, --version   the version\n");
}

static const struct cmd *
find_cmd(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++) {
		if (strcmp(cmds[i].name, name) == 0) {
			return &cmds[i];
		}
	}
	return NULL;
}

static int
cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	const struct cmd *c = find_cmd(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "signetc: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	fputs(c->help, stdout);
	return EXIT_OK;
}

/*
 * zone-check
 */

struct msg {
	size_t order; /* arrival */
	zfile_sev_t sev;
	char *file;
	uint32_t line;
	uint32_t col;
	char *text;
};

struct zc_ctx {
	rrlist_t *l;
	bool json;
	bool buffer;	   /* keep messages to sort them (the checker's) */
	const char *path; /* the zone file named on the command line */
	int add_rc;	   /* first failure of rrlist_add */
	struct msg *msgs; /* kept for --json */
	size_t nmsgs;
	size_t cap;
	bool oom;
	unsigned errors;
	unsigned warnings;
	unsigned not_shown; /* past the checker's message cap */
};

static int
on_rr(void *ctx, const zfile_rr_t *rr)
{
	struct zc_ctx *c = ctx;
	int rc = rrlist_add(c->l, rr);
	if (rc != SN_OK && c->add_rc == SN_OK) {
		c->add_rc = rc;
	}
	return rc;
}

static void
print_msg(zfile_sev_t sev, const char *file, uint32_t line, uint32_t col, const char *text)
{
	const char *what = sev == ZFILE_ERROR ? "error" : "warning";
	if (line == 0) {
		fprintf(stderr, "%s: %s: %s\n", file, what, text);
	} else {
		fprintf(stderr, "%s:%u:%u: %s: %s\n", file, line, col, what, text);
	}
}

static const char *main_path; /* for msg_cmp */

/* The checker reports in canonical order; people read files top down:
 * the zone file first, then included files, by line; messages about the
 * zone as a whole last. */
static int
msg_cmp(const void *pa, const void *pb)
{
	const struct msg *a = pa, *b = pb;
	int za = a->line == 0, zb = b->line == 0;
	if (za != zb) {
		return za - zb;
	}
	int ma = strcmp(a->file, main_path) != 0, mb = strcmp(b->file, main_path) != 0;
	if (ma != mb) {
		return ma - mb;
	}
	int c = strcmp(a->file, b->file);
	if (c != 0) {
		return c;
	}
	if (a->line != b->line) {
		return a->line < b->line ? -1 : 1;
	}
	if (a->col != b->col) {
		return a->col < b->col ? -1 : 1;
	}
	return (a->order > b->order) - (a->order < b->order);
}

static void
on_msg(void *ctx, zfile_sev_t sev, const char *file, uint32_t line, uint32_t col,
       const char *text)
{
	struct zc_ctx *c = ctx;

	if (sev == ZFILE_ERROR) {
		c->errors++;
	} else {
		c->warnings++;
	}
	if (file == NULL) {
		file = "";
	}
	if (!c->json && !c->buffer) {
		print_msg(sev, file, line, col, text);
		return;
	}
	if (c->nmsgs == c->cap) {
		size_t cap = c->cap == 0 ? 16 : c->cap * 2;
		struct msg *m = realloc(c->msgs, cap * sizeof(*m));
		if (m == NULL) {
			c->oom = true;
			return;
		}
		c->msgs = m;
		c->cap = cap;
	}
	struct msg *m = &c->msgs[c->nmsgs];
	m->order = c->nmsgs;
	m->sev = sev;
	m->file = strdup(file);
	m->text = strdup(text);
	m->line = line;
	m->col = col;
	if (m->file == NULL || m->text == NULL) {
		free(m->file);
		free(m->text);
		c->oom = true;
		return;
	}
	c->nmsgs++;
}

/* A JSON string: quotes, backslash and every octet outside printable
 * ASCII escaped, so any file name gives valid JSON. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p != 0; p++) {
		if (*p == '"' || *p == '\\') {
			fputc('\\', f);
			fputc(*p, f);
		} else if (*p < 0x20 || *p >= 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void
json_msgs(FILE *f, const struct zc_ctx *c, zfile_sev_t sev)
{
	bool first = true;
	fputc('[', f);
	for (size_t i = 0; i < c->nmsgs; i++) {
		const struct msg *m = &c->msgs[i];
		if (m->sev != sev) {
			continue;
		}
		fputs(first ? "\n    {" : ",\n    {", f);
		first = false;
		fputs("\"file\": ", f);
		json_str(f, m->file);
		fprintf(f, ", \"line\": %u, \"col\": %u, \"message\": ", m->line, m->col);
		json_str(f, m->text);
		fputc('}', f);
	}
	fputs(first ? "]" : "\n  ]", f);
}

/* kzonecheck's rule: the base name of the file without a ".zone" suffix. */
static int
origin_from_path(const char *path, uint8_t out[DNAME_MAXLEN])
{
	const char *base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	size_t len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".zone") == 0) {
		len -= 5;
	}
	size_t olen;
	if (len == 0 || dname_from_text(base, len, (const uint8_t *)"", out, &olen) != SN_OK) {
		return SN_EPARSE;
	}
	return SN_OK;
}

static int
cmd_zone_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"origin", required_argument, NULL, 'o'},
		{"print", no_argument, NULL, 'p'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *origin_text = NULL;
	bool print = false;
	int opt;
	struct zc_ctx c;
	uint8_t origin[DNAME_MAXLEN];
	char origin_name[DNAME_MAXTEXT];
	int status = EXIT_USAGE;

	memset(&c, 0, sizeof(c));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:pjh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			origin_text = optarg;
			break;
		case 'p':
			print = true;
			break;
		case 'j':
			c.json = true;
			break;
		case 'h':
			fputs(cmds[0].help, stdout);
			return EXIT_OK;
		default:
			if (optopt != 0) {
				fprintf(stderr,
					"signetc zone-check: bad or incomplete option '-%c'\n",
					optopt);
			} else {
				fprintf(stderr, "signetc zone-check: unknown option '%s'\n",
					argv[optind - 1]);
			}
			fputs(cmds[0].help, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "signetc zone-check: expected one zone file\n");
		fputs(cmds[0].help, stderr);
		return EXIT_USAGE;
	}
	if (print && c.json) {
		fprintf(stderr, "signetc zone-check: --print and --json both write to stdout: "
				"choose one\n");
		return EXIT_USAGE;
	}
	const char *path = argv[optind];

	if (origin_text != NULL) {
		size_t olen;
		/* a relative origin is taken as absolute */
		if (dname_from_text(origin_text, strlen(origin_text), (const uint8_t *)"", origin,
				    &olen) != SN_OK) {
			fprintf(stderr, "signetc zone-check: bad origin '%s'\n", origin_text);
			return EXIT_USAGE;
		}
	} else if (origin_from_path(path, origin) != SN_OK) {
		fprintf(stderr,
			"signetc zone-check: cannot take the origin from the file name '%s': "
			"give it with --origin\n",
			path);
		return EXIT_USAGE;
	}
	if (dname_to_text(origin, origin_name, sizeof(origin_name)) < 0) {
		return EXIT_USAGE;
	}

	c.l = rrlist_new();
	if (c.l == NULL) {
		fprintf(stderr, "signetc zone-check: out of memory\n");
		return EXIT_USAGE;
	}
	zfile_opts_t zo = {
		.origin = origin,
		.rclass = RRCLASS_IN,
		.allow_include = true,
		.on_rr = on_rr,
		.on_msg = on_msg,
		.ctx = &c,
	};
	zfile_stats_t zs;
	int rc = zfile_parse(path, &zo, &zs);
	bool checked = false;
	if (rc == SN_OK) {
		rc = rrlist_sort(c.l);
	}
	if (rc == SN_OK) {
		zcheck_opts_t co = {
			.origin = origin,
			.rclass = RRCLASS_IN,
			.file = path,
			.on_msg = on_msg,
			.ctx = &c,
		};
		zcheck_stats_t cs;
		unsigned pe = c.errors, pw = c.warnings;
		size_t first = c.nmsgs;
		c.buffer = true;
		rc = zcheck_run(c.l, &co, &cs);
		checked = true;
		main_path = path;
		if (c.nmsgs > first) {
			qsort(c.msgs + first, c.nmsgs - first, sizeof(*c.msgs), msg_cmp);
		}
		if (!c.json) {
			for (size_t i = first; i < c.nmsgs; i++) {
				print_msg(c.msgs[i].sev, c.msgs[i].file, c.msgs[i].line,
					  c.msgs[i].col, c.msgs[i].text);
			}
		}
		/* past the cap problems are counted, not shown: count them too */
		c.not_shown = cs.suppressed;
		c.errors = pe + cs.errors;
		c.warnings = pw + cs.warnings;
		if (cs.suppressed > 0 && !c.json) {
			fprintf(stderr, "%s: note: %u more problems not shown\n", path,
				cs.suppressed);
		}
	}

	switch (rc) {
	case SN_OK:
		status = EXIT_OK;
		break;
	case SN_EPARSE:
	case SN_ECHECK:
		status = EXIT_BAD;
		break;
	case SN_EIO:
		status = EXIT_USAGE;
		break;
	default:
		/* a callback's failure or out of memory: the check did not run */
		if (c.add_rc != SN_OK) {
			rc = c.add_rc;
		}
		fprintf(stderr, "%s: error: %s\n", path, sn_strerror(rc));
		status = rc == SN_EPARSE ? EXIT_BAD : EXIT_USAGE;
		break;
	}
	if (c.oom) {
		fprintf(stderr, "signetc zone-check: out of memory keeping messages\n");
		status = EXIT_USAGE;
	}

	if (c.json) {
		printf("{\n  \"zone\": ");
		json_str(stdout, origin_name);
		printf(",\n  \"records\": %zu,\n  \"ok\": %s,\n  \"errors\": ",
		       checked ? rrlist_count(c.l) : (size_t)0,
		       status == EXIT_OK ? "true" : "false");
		json_msgs(stdout, &c, ZFILE_ERROR);
		printf(",\n  \"warnings\": ");
		json_msgs(stdout, &c, ZFILE_WARNING);
		printf(",\n  \"not_shown\": %u\n}\n", c.not_shown);
	} else if (status == EXIT_OK) {
		fprintf(stderr, "zone %s: OK, %zu records, %u warnings\n", origin_name,
			rrlist_count(c.l), c.warnings);
	} else if (status == EXIT_BAD) {
		fprintf(stderr, "zone %s: %u errors, %u warnings\n", origin_name, c.errors,
			c.warnings);
	}

	if (print && status == EXIT_OK) {
		rc = zprint_list(c.l, stdout);
		if (rc != SN_OK) {
			fprintf(stderr, "signetc zone-check: cannot print the zone: %s\n",
				sn_strerror(rc));
			status = EXIT_USAGE;
		}
	}
	if (fflush(stdout) != 0) {
		status = EXIT_USAGE;
	}

	for (size_t i = 0; i < c.nmsgs; i++) {
		free(c.msgs[i].file);
		free(c.msgs[i].text);
	}
	free(c.msgs);
	rrlist_free(c.l);
	return status;
}

/*
 * conf-check
 */

static void
conf_check_report(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

static int
cmd_conf_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct cmd *self = find_cmd("conf-check");
	const char *path = getenv("SIGNET_CONF");
	int opt;

	if (path == NULL || *path == '\0') {
		path = CONF_DEFAULT_PATH;
	}
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			fputs(self->help, stdout);
			return EXIT_OK;
		default:
			if (optopt != 0) {
				fprintf(stderr, "signetc conf-check: bad or incomplete option '-%c'\n",
					optopt);
			} else {
				fprintf(stderr, "signetc conf-check: unknown option '%s'\n",
					argv[optind - 1]);
			}
			fputs(self->help, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr,
			"signetc conf-check: unexpected argument '%s' (the file goes after -c)\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	conf_opts_t opts = {.report = conf_check_report};
	conf_t *conf = NULL;
	char err[CONF_ERRLEN];
	int rc = conf_load_opts(path, &opts, &conf, err);
	if (rc == SN_EPARSE) {
		return EXIT_BAD; /* each problem is on stderr already */
	}
	if (rc != SN_OK) {
		fprintf(stderr, "signetc conf-check: %s\n", err);
		return EXIT_USAGE;
	}
	printf("ok: %zu zones\n", conf->zone_count);
	conf_free(conf);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
}

/*
 * Commands that talk to signetd over its control socket (server/ctl.h).
 * Their exit status: 0 done, 1 signetd said no (its reason on stderr),
 * 2 usage error, 3 signetd cannot be reached or did not answer properly.
 */

#define EXIT_UNREACHABLE 3
#define CTL_READ_TIMEOUT_MS 30000 /* reads may wait behind a change in progress */

enum ctl_zone_rule { CZ_NONE, CZ_OPTIONAL, CZ_REQUIRED };

enum {
	COPT_OUT = 1u << 0,
	COPT_TEMPLATE = 1u << 1,
	COPT_FILE = 1u << 2,
	COPT_CHANGES = 1u << 3, /* --add, --del, --input */
	COPT_DS = 1u << 4,      /* --digest, --epp */
	COPT_ROLE = 1u << 5,
	COPT_ALG = 1u << 6,
	COPT_KEYFILE = 1u << 7, /* --file is a key pair, read here and sent */
	COPT_KIND = 1u << 8,    /* a second argument after ZONE: zsk or ksk */
};

enum { OPT_DIGEST = 1000, OPT_EPP };

static const struct ctl_cmd {
	const char *name;
	enum ctl_zone_rule zone;
	bool changes; /* waits for a commit: the long timeout */
	unsigned opts;
} ctl_cmds[] = {
	{"status", CZ_NONE, false, 0},
	{"stop", CZ_NONE, true, 0},
	{"reload", CZ_NONE, true, 0},
	{"zone-status", CZ_OPTIONAL, false, 0},
	{"zone-reload", CZ_REQUIRED, true, 0},
	{"zone-flush", CZ_REQUIRED, true, COPT_OUT},
	{"zone-add", CZ_REQUIRED, true, COPT_TEMPLATE | COPT_FILE},
	{"zone-remove", CZ_REQUIRED, true, 0},
	{"stats", CZ_NONE, false, 0},
	{"zone-update", CZ_REQUIRED, true, COPT_CHANGES},
	{"key-list", CZ_REQUIRED, false, 0},
	{"zone-ds", CZ_REQUIRED, false, COPT_DS},
	{"key-import", CZ_REQUIRED, true, COPT_KEYFILE | COPT_ROLE},
	{"key-generate", CZ_REQUIRED, true, COPT_ROLE | COPT_ALG},
	{"key-export", CZ_REQUIRED, false, 0},
	{"zone-key-rollover", CZ_REQUIRED, true, COPT_KIND},
	{"zone-ksk-submitted", CZ_REQUIRED, true, 0},
};

/* A path the daemon can use whatever its working folder: absolute. */
static char *
absolute(const char *path)
{
	if (path[0] == '/') {
		return strdup(path);
	}
	char *cwd = getcwd(NULL, 0);
	char *out = NULL;
	if (cwd != NULL && asprintf(&out, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path) < 0) {
		out = NULL;
	}
	free(cwd);
	return out;
}

/* Where signetd listens: -s, else the -c configuration's server.control,
 * else $SIGNET_SOCKET, else $SIGNET_CONF's, else the default configuration's
 * if there is one, else ./var/signet.sock (the default storage). Returns a
 * new string, or NULL after printing why. */
static char *
find_socket(const char *cmd, const char *sock, const char *conf_path)
{
	const char *env;

	if (sock != NULL) {
		return strdup(sock);
	}
	if (conf_path == NULL) {
		env = getenv("SIGNET_SOCKET");
		if (env != NULL && *env != '\0') {
			return strdup(env);
		}
		env = getenv("SIGNET_CONF");
		if (env != NULL && *env != '\0') {
			conf_path = env;
		} else if (access(CONF_DEFAULT_PATH, F_OK) == 0) {
			conf_path = CONF_DEFAULT_PATH;
		} else {
			return strdup("./var/signet.sock");
		}
	}
	conf_t *conf = NULL;
	char err[CONF_ERRLEN];
	if (conf_load(conf_path, &conf, err) != SN_OK) {
		fprintf(stderr, "signetc %s: cannot take the socket from the configuration: %s\n",
			cmd, err);
		fprintf(stderr, "signetc %s: fix it, or give the socket with -s\n", cmd);
		return NULL;
	}
	char *s = conf->control != NULL ? strdup(conf->control) : NULL;
	conf_free(conf);
	return s;
}

/* Text safe for a terminal: control characters shown as '?'. */
static void
put_text(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != 0; p++) {
		putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
	}
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A scalar for people: times (`*-time`, unix seconds) in UTC, `uptime` as
 * days/hours/minutes/seconds, sizes (`*-size`) with a binary unit. */
static void
fmt_scalar(const char *key, const ctl_json_t *v, char *out, size_t cap)
{
	uint64_t u;
	switch (ctl_json_type(v)) {
	case CTL_JNULL:
		snprintf(out, cap, "-");
		return;
	case CTL_JBOOL: {
		bool b = false;
		snprintf(out, cap, "%s", ctl_json_bool(v, &b) == SN_OK && b ? "yes" : "no");
		return;
	}
	case CTL_JSTR:
		snprintf(out, cap, "%s", ctl_json_str(v, NULL));
		return;
	case CTL_JNUM:
		break;
	case CTL_JARR: {
		/* a list of small objects (zone-status' keys): their values,
		 * an element a group */
		size_t o = 0;
		out[0] = '\0';
		for (const ctl_json_t *e = ctl_json_first(v); e != NULL && o < cap; e = ctl_json_next(e)) {
			for (const ctl_json_t *m = ctl_json_first(e); m != NULL && o < cap;
			     m = ctl_json_next(m)) {
				char one[64];
				if (ctl_json_type(m) == CTL_JARR || ctl_json_type(m) == CTL_JOBJ) {
					continue;
				}
				fmt_scalar(ctl_json_key(m), m, one, sizeof(one));
				o += (size_t)snprintf(out + o, cap - o, "%s%s",
						      m == ctl_json_first(e) ? "" : " ", one);
			}
			if (o < cap && ctl_json_next(e) != NULL) {
				o += (size_t)snprintf(out + o, cap - o, ", ");
			}
		}
		return;
	}
	default:
		snprintf(out, cap, "...");
		return;
	}
	if (key != NULL && ctl_json_uint(v, &u) == SN_OK) {
		if (ends_with(key, "-time") && u > 0 && u < (1ull << 40)) {
			time_t t = (time_t)u;
			struct tm tm;
			if (gmtime_r(&t, &tm) != NULL) {
				strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
				return;
			}
		}
		if (strcmp(key, "uptime") == 0) {
			unsigned long long d = u / 86400, h = u / 3600 % 24, m = u / 60 % 60,
					   s = u % 60;
			if (d > 0) {
				snprintf(out, cap, "%llud %lluh %llum %llus", d, h, m, s);
			} else if (h > 0) {
				snprintf(out, cap, "%lluh %llum %llus", h, m, s);
			} else if (m > 0) {
				snprintf(out, cap, "%llum %llus", m, s);
			} else {
				snprintf(out, cap, "%llus", s);
			}
			return;
		}
		if (ends_with(key, "-size") && u >= 1024) {
			static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
			double x = (double)u / 1024;
			int i = 0;
			while (x >= 1024 && i < 3) {
				x /= 1024;
				i++;
			}
			snprintf(out, cap, "%.1f %s", x, units[i]);
			return;
		}
	}
	snprintf(out, cap, "%s", ctl_json_num_text(v));
}

static bool
is_scalar(const ctl_json_t *v)
{
	return ctl_json_type(v) != CTL_JOBJ && ctl_json_type(v) != CTL_JARR;
}

static bool
all_scalars(const ctl_json_t *v)
{
	for (const ctl_json_t *m = ctl_json_first(v); m != NULL; m = ctl_json_next(m)) {
		if (!is_scalar(m)) {
			return false;
		}
	}
	return true;
}

static bool
all_objects(const ctl_json_t *v)
{
	for (const ctl_json_t *m = ctl_json_first(v); m != NULL; m = ctl_json_next(m)) {
		if (ctl_json_type(m) != CTL_JOBJ || !all_scalars(m)) {
			return false;
		}
	}
	return true;
}

/* An array of flat objects as a table: one column per key, in the order
 * they first appear; "-" where a row has none. */
static void
show_table(const ctl_json_t *arr, int indent)
{
	enum { MAXCOL = 32 };
	const char *cols[MAXCOL];
	size_t width[MAXCOL];
	size_t ncol = 0;
	char buf[256];

	for (const ctl_json_t *row = ctl_json_first(arr); row; row = ctl_json_next(row)) {
		for (const ctl_json_t *c = ctl_json_first(row); c; c = ctl_json_next(c)) {
			size_t i = 0;
			while (i < ncol && strcmp(cols[i], ctl_json_key(c)) != 0) {
				i++;
			}
			if (i == ncol && ncol < MAXCOL) {
				cols[ncol] = ctl_json_key(c);
				width[ncol] = strlen(cols[ncol]);
				ncol++;
			}
			if (i < ncol) {
				fmt_scalar(cols[i], c, buf, sizeof(buf));
				width[i] = strlen(buf) > width[i] ? strlen(buf) : width[i];
			}
		}
	}
	printf("%*s", indent, "");
	for (size_t i = 0; i < ncol; i++) {
		printf("%-*s", i + 1 < ncol ? (int)width[i] + 2 : 0, cols[i]);
	}
	putchar('\n');
	for (const ctl_json_t *row = ctl_json_first(arr); row; row = ctl_json_next(row)) {
		printf("%*s", indent, "");
		for (size_t i = 0; i < ncol; i++) {
			const ctl_json_t *c = ctl_json_get(row, cols[i]);
			if (c != NULL) {
				fmt_scalar(cols[i], c, buf, sizeof(buf));
			} else {
				snprintf(buf, sizeof(buf), "-");
			}
			put_text(buf);
			if (i + 1 < ncol) {
				printf("%*s", (int)(width[i] + 2 - strlen(buf)), "");
			}
		}
		putchar('\n');
	}
}

/* An object for people: `key  value` lines with the keys aligned; flat
 * objects and arrays of scalars on one line; arrays of flat objects as
 * tables; anything deeper indented below its key. */
static void
show_object(const ctl_json_t *obj, int indent)
{
	size_t kw = 0;
	char buf[256];

	for (const ctl_json_t *m = ctl_json_first(obj); m != NULL; m = ctl_json_next(m)) {
		size_t l = strlen(ctl_json_key(m));
		kw = l > kw ? l : kw;
	}
	for (const ctl_json_t *m = ctl_json_first(obj); m != NULL; m = ctl_json_next(m)) {
		const char *key = ctl_json_key(m);
		printf("%*s", indent, "");
		put_text(key);
		if (is_scalar(m)) {
			fmt_scalar(key, m, buf, sizeof(buf));
			printf("%*s", (int)(kw + 2 - strlen(key)), "");
			put_text(buf);
			putchar('\n');
		} else if (ctl_json_count(m) == 0) {
			printf("%*s(none)\n", (int)(kw + 2 - strlen(key)), "");
		} else if (all_scalars(m) && (ctl_json_type(m) == CTL_JARR || ctl_json_count(m) <= 3)) {
			/* {"udp":4,"tcp":2} -> "udp 4, tcp 2"; [1,2] -> "1, 2" */
			printf("%*s", (int)(kw + 2 - strlen(key)), "");
			bool first = true;
			for (const ctl_json_t *e = ctl_json_first(m); e; e = ctl_json_next(e)) {
				fputs(first ? "" : ", ", stdout);
				first = false;
				if (ctl_json_key(e) != NULL) {
					put_text(ctl_json_key(e));
					putchar(' ');
				}
				fmt_scalar(ctl_json_key(e), e, buf, sizeof(buf));
				put_text(buf);
			}
			putchar('\n');
		} else if (ctl_json_type(m) == CTL_JARR && all_objects(m)) {
			puts(":");
			show_table(m, indent + 2);
		} else if (ctl_json_type(m) == CTL_JOBJ) {
			puts(":");
			show_object(m, indent + 2);
		} else {
			/* a mixed array: one element a line */
			puts(":");
			for (const ctl_json_t *e = ctl_json_first(m); e; e = ctl_json_next(e)) {
				if (is_scalar(e)) {
					fmt_scalar(NULL, e, buf, sizeof(buf));
					printf("%*s", indent + 2, "");
					put_text(buf);
					putchar('\n');
				} else if (ctl_json_type(e) == CTL_JOBJ) {
					show_object(e, indent + 2);
				} else {
					printf("%*s[%zu items]\n", indent + 2, "", ctl_json_count(e));
				}
			}
		}
	}
}

/* Reads a whole small file into a new string. */
static char *
slurp(const char *path, const char *cmd)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	if (f == NULL) {
		fprintf(stderr, "signetc %s: %s: %s\n", cmd, path, strerror(errno));
		return NULL;
	}
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while (m != NULL && (n = fread(chunk, 1, sizeof(chunk), f)) > 0 && len < 65536) {
		fwrite(chunk, 1, n, m);
	}
	bool bad = m == NULL || ferror(f) != 0;
	fclose(f);
	if (m != NULL && fclose(m) != 0) {
		bad = true;
	}
	if (bad || len >= 65536) {
		fprintf(stderr, "signetc %s: %s: cannot read it (or over 64 KiB)\n", cmd, path);
		if (buf != NULL) {
			explicit_bzero(buf, len);
		}
		free(buf);
		return NULL;
	}
	return buf;
}

/* key-import: BASE.private and BASE.key, BASE given with or without either
 * suffix. */
static int
read_key_pair(const char *cmd, const char *file, char **priv, char **pub)
{
	size_t len = strlen(file);
	if (ends_with(file, ".private")) {
		len -= 8;
	} else if (ends_with(file, ".key")) {
		len -= 4;
	}
	char *p = malloc(len + 9);
	if (p == NULL) {
		return EXIT_FAILURE;
	}
	snprintf(p, len + 9, "%.*s.private", (int)len, file);
	*priv = slurp(p, cmd);
	snprintf(p, len + 9, "%.*s.key", (int)len, file);
	*pub = *priv != NULL ? slurp(p, cmd) : NULL;
	free(p);
	if (*pub == NULL) {
		if (*priv != NULL) {
			explicit_bzero(*priv, strlen(*priv));
			free(*priv);
			*priv = NULL;
		}
		return EXIT_FAILURE;
	}
	return EXIT_OK;
}

/* zone-ds: the records, or the secDNS-1.1 <secDNS:update> of an EPP
 * <domain:update> adding them (RFC 5910 5.2.5, 4.1 dsData interface). */
static void
show_ds(const ctl_json_t *ds, bool epp)
{
	if (!epp) {
		for (const ctl_json_t *d = ctl_json_first(ds); d; d = ctl_json_next(d)) {
			const char *rec = ctl_json_str(ctl_json_get(d, "record"), NULL);
			if (rec != NULL) {
				put_text(rec);
				putchar('\n');
			}
		}
		return;
	}
	printf("<secDNS:update xmlns:secDNS=\"urn:ietf:params:xml:ns:secDNS-1.1\">\n"
	       "  <secDNS:add>\n");
	for (const ctl_json_t *d = ctl_json_first(ds); d; d = ctl_json_next(d)) {
		uint64_t tag = 0, alg = 0, type = 0;
		const char *hex = ctl_json_str(ctl_json_get(d, "digest"), NULL);
		if (ctl_json_uint(ctl_json_get(d, "key-tag"), &tag) != SN_OK ||
		    ctl_json_uint(ctl_json_get(d, "algorithm"), &alg) != SN_OK ||
		    ctl_json_uint(ctl_json_get(d, "digest-type"), &type) != SN_OK || hex == NULL ||
		    strspn(hex, "0123456789ABCDEFabcdef") != strlen(hex)) {
			continue; /* not from a signetd that knows zone-ds */
		}
		printf("    <secDNS:dsData>\n"
		       "      <secDNS:keyTag>%llu</secDNS:keyTag>\n"
		       "      <secDNS:alg>%llu</secDNS:alg>\n"
		       "      <secDNS:digestType>%llu</secDNS:digestType>\n"
		       "      <secDNS:digest>%s</secDNS:digest>\n"
		       "    </secDNS:dsData>\n",
		       (unsigned long long)tag, (unsigned long long)alg, (unsigned long long)type,
		       hex);
	}
	printf("  </secDNS:add>\n"
	       "</secDNS:update>\n");
}

static int
cmd_ctl(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"config", required_argument, NULL, 'c'},
		{"timeout", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{"out", required_argument, NULL, 'o'},
		{"template", required_argument, NULL, 'T'},
		{"file", required_argument, NULL, 'f'},
		{"add", required_argument, NULL, 'a'},
		{"del", required_argument, NULL, 'd'},
		{"input", required_argument, NULL, 'i'},
		{"digest", required_argument, NULL, OPT_DIGEST},
		{"epp", no_argument, NULL, OPT_EPP},
		{"role", required_argument, NULL, 'r'},
		{"algorithm", required_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct cmd *self = find_cmd(argv[0]);
	const struct ctl_cmd *cc = NULL;
	const char *sock = NULL, *conf_path = NULL, *out = NULL, *tmpl = NULL, *file = NULL;
	bool json = false;
	int timeout_ms = 0;
	char *changes = NULL;
	size_t changes_len = 0;
	FILE *chg = open_memstream(&changes, &changes_len);
	const char *input = NULL;
	const char *digest = NULL, *role = NULL, *alg = NULL;
	char *key_priv = NULL, *key_pub = NULL;
	bool epp = false;
	unsigned given = 0;
	int opt, status = EXIT_USAGE;

	for (size_t i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++) {
		if (strcmp(ctl_cmds[i].name, argv[0]) == 0) {
			cc = &ctl_cmds[i];
		}
	}
	if (self == NULL || cc == NULL || chg == NULL) {
		if (chg != NULL) {
			fclose(chg);
		}
		free(changes);
		return EXIT_USAGE;
	}
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "s:c:t:jo:T:f:a:d:i:r:A:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			conf_path = optarg;
			break;
		case 't': {
			char *end;
			unsigned long t = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' || t == 0 || t > 86400) {
				fprintf(stderr, "signetc %s: --timeout takes seconds, 1 to 86400\n",
					cc->name);
				fclose(chg);
				free(changes);
				return EXIT_USAGE;
			}
			timeout_ms = (int)t * 1000;
			break;
		}
		case 'j':
			json = true;
			break;
		case 'o':
			out = optarg;
			given |= COPT_OUT;
			break;
		case 'T':
			tmpl = optarg;
			given |= COPT_TEMPLATE;
			break;
		case 'f':
			file = optarg;
			given |= (cc->opts & COPT_KEYFILE) != 0 ? COPT_KEYFILE : COPT_FILE;
			break;
		case 'r':
			role = optarg;
			given |= COPT_ROLE;
			break;
		case 'A':
			alg = optarg;
			given |= COPT_ALG;
			break;
		case 'a':
		case 'd':
			if (strchr(optarg, '\n') != NULL) {
				fprintf(stderr, "signetc %s: one change an option (use --input for more)\n",
					cc->name);
				goto usage_fail;
			}
			fprintf(chg, "%s %s\n", opt == 'a' ? "add" : "del", optarg);
			given |= COPT_CHANGES;
			break;
		case 'i':
			input = optarg;
			given |= COPT_CHANGES;
			break;
		case OPT_DIGEST:
			digest = optarg;
			given |= COPT_DS;
			break;
		case OPT_EPP:
			epp = true;
			given |= COPT_DS;
			break;
		case 'h':
			fputs(self->help, stdout);
			fclose(chg);
			free(changes);
			return EXIT_OK;
		default:
			if (optopt != 0) {
				fprintf(stderr, "signetc %s: bad or incomplete option '-%c'\n",
					cc->name, optopt);
			} else {
				fprintf(stderr, "signetc %s: unknown option '%s'\n", cc->name,
					argv[optind - 1]);
			}
			goto usage_fail;
		}
	}
	if ((given & ~cc->opts) != 0) {
		unsigned bad = given & ~cc->opts;
		fprintf(stderr, "signetc %s: --%s is not an option of this command\n", cc->name,
			(bad & COPT_OUT)	    ? "out"
			: (bad & COPT_TEMPLATE) ? "template"
			: (bad & COPT_FILE)	    ? "file"
			: (bad & COPT_DS)	    ? "digest or --epp"
			: (bad & COPT_ROLE)	    ? "role"
			: (bad & COPT_ALG)	    ? "algorithm"
						    : "add, --del or --input");
		goto usage_fail;
	}
	if (input != NULL) {
		FILE *in = strcmp(input, "-") == 0 ? stdin : fopen(input, "r");
		char buf[8192];
		size_t n;
		if (in == NULL) {
			fprintf(stderr, "signetc %s: %s: %s\n", cc->name, input, strerror(errno));
			fclose(chg);
			free(changes);
			return EXIT_FAILURE;
		}
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
			fwrite(buf, 1, n, chg);
		}
		bool bad = ferror(in) != 0;
		if (in != stdin) {
			fclose(in);
		}
		if (bad) {
			fprintf(stderr, "signetc %s: cannot read %s\n", cc->name, input);
			fclose(chg);
			free(changes);
			return EXIT_FAILURE;
		}
	}
	if (fclose(chg) != 0 || changes == NULL) {
		fprintf(stderr, "signetc %s: out of memory\n", cc->name);
		free(changes);
		return EXIT_FAILURE;
	}
	chg = NULL;
	if ((cc->opts & COPT_KEYFILE) != 0) {
		if (file == NULL) {
			fprintf(stderr, "signetc %s: which key? (--file)\n", cc->name);
			free(changes);
			fputs(self->help, stderr);
			return EXIT_USAGE;
		}
		if (read_key_pair(cc->name, file, &key_priv, &key_pub) != EXIT_OK) {
			free(changes);
			return EXIT_FAILURE;
		}
		file = NULL; /* sent as texts, not as a path */
	}
	if ((cc->opts & COPT_CHANGES) != 0 && changes_len == 0) {
		fprintf(stderr, "signetc %s: what to change? (--add, --del, --input)\n", cc->name);
		free(changes);
		fputs(self->help, stderr);
		return EXIT_USAGE;
	}
	const char *zone = NULL, *kind = NULL;
	if (optind < argc && cc->zone != CZ_NONE) {
		zone = argv[optind++];
	}
	if (optind < argc && (cc->opts & COPT_KIND) != 0) {
		kind = argv[optind++];
	}
	if (kind == NULL && (cc->opts & COPT_KIND) != 0 && zone != NULL) {
		fprintf(stderr, "signetc %s: which key, zsk or ksk?\n", cc->name);
		free(changes);
		fputs(self->help, stderr);
		return EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "signetc %s: unexpected argument '%s'\n", cc->name, argv[optind]);
		free(changes);
		fputs(self->help, stderr);
		return EXIT_USAGE;
	}
	if (zone == NULL && cc->zone == CZ_REQUIRED) {
		fprintf(stderr, "signetc %s: which zone?\n", cc->name);
		free(changes);
		fputs(self->help, stderr);
		return EXIT_USAGE;
	}
	if (zone != NULL) {
		uint8_t apex[DNAME_MAXLEN];
		size_t alen;
		if (*zone == '\0' ||
		    dname_from_text(zone, strlen(zone), (const uint8_t *)"", apex, &alen) != SN_OK) {
			fprintf(stderr, "signetc %s: '%s' is not a valid zone name\n", cc->name,
				zone);
			free(changes);
			return EXIT_USAGE;
		}
	}

	/* the daemon has its own working folder: send it absolute paths */
	const char *keys[6], *vals[6];
	char *abs[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
	size_t nargs = 0;
	if (out != NULL) {
		keys[nargs] = "out";
		abs[nargs] = absolute(out);
		vals[nargs] = abs[nargs];
		nargs++;
	}
	if (tmpl != NULL) {
		keys[nargs] = "template";
		vals[nargs] = tmpl;
		nargs++;
	}
	if (file != NULL) {
		keys[nargs] = "file";
		abs[nargs] = absolute(file);
		vals[nargs] = abs[nargs];
		nargs++;
	}
	if ((cc->opts & COPT_CHANGES) != 0) {
		keys[nargs] = "changes";
		vals[nargs] = changes;
		nargs++;
	}
	if (digest != NULL) {
		keys[nargs] = "digest";
		vals[nargs] = digest;
		nargs++;
	}
	if (key_priv != NULL) {
		keys[nargs] = "private";
		vals[nargs] = key_priv;
		nargs++;
		keys[nargs] = "public";
		vals[nargs] = key_pub;
		nargs++;
	}
	if (role != NULL) {
		keys[nargs] = "role";
		vals[nargs] = role;
		nargs++;
	}
	if (alg != NULL) {
		keys[nargs] = "algorithm";
		vals[nargs] = alg;
		nargs++;
	}
	if (kind != NULL) {
		keys[nargs] = "kind";
		vals[nargs] = kind;
		nargs++;
	}
	char *path = NULL, *line = NULL;
	ctl_jdoc_t *doc = NULL;
	size_t len;
	char err[CTL_ERRLEN];
	for (size_t i = 0; i < nargs; i++) {
		if (vals[i] == NULL) {
			fprintf(stderr, "signetc %s: out of memory\n", cc->name);
			goto out;
		}
	}
	int rc = ctl_req_format(cc->name, zone, keys, vals, nargs, &line, &len);
	if (rc != SN_OK) {
		fprintf(stderr, "signetc %s: %s\n", cc->name,
			rc == SN_EINVAL ? "names and paths must be UTF-8"
			: rc == SN_ERANGE ? "the request is too long"
					  : sn_strerror(rc));
		goto out;
	}
	path = find_socket(cc->name, sock, conf_path);
	if (path == NULL) {
		goto out;
	}
	if (timeout_ms == 0) {
		timeout_ms = cc->changes ? CTL_CHANGE_TIMEOUT_MS : CTL_READ_TIMEOUT_MS;
	}
	rc = ctl_call(path, line, len, timeout_ms, &doc, err);
	if (rc != SN_OK) {
		fprintf(stderr, "signetc %s: %s\n", cc->name, err);
		status = EXIT_UNREACHABLE;
		goto out;
	}

	const ctl_json_t *root = ctl_jdoc_root(doc);
	bool ok = false;
	if (ctl_json_bool(ctl_json_get(root, "ok"), &ok) != SN_OK || !ok) {
		/* ctl_call checked that an error has a message and a code */
		fprintf(stderr, "signetc %s%s%s: ", cc->name, zone != NULL ? " " : "",
			zone != NULL ? zone : "");
		fflush(stdout);
		const char *msg = ctl_json_str(ctl_json_get(root, "error"), NULL);
		for (const unsigned char *p = (const unsigned char *)msg; *p != 0; p++) {
			fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
		}
		fputc('\n', stderr);
		status = EXIT_BAD;
		if (json && (ctl_json_write(stdout, root, 2) != SN_OK || putchar('\n') == EOF ||
			     fflush(stdout) != 0)) {
			status = EXIT_USAGE;
		}
		goto out;
	}
	const ctl_json_t *data = ctl_json_get(root, "data");
	if (json) {
		if (ctl_json_write(stdout, data, 2) != SN_OK) {
			goto out; /* EXIT_USAGE: stdout failed */
		}
		putchar('\n');
	} else if ((cc->opts & COPT_DS) != 0) {
		show_ds(ctl_json_get(data, "ds"), epp);
	} else if (strcmp(cc->name, "key-export") == 0) {
		const ctl_json_t *ks = ctl_json_get(data, "keys");
		for (const ctl_json_t *k = ctl_json_first(ks); k; k = ctl_json_next(k)) {
			const char *rec = ctl_json_str(ctl_json_get(k, "record"), NULL);
			if (rec != NULL) {
				put_text(rec);
				putchar('\n');
			}
		}
	} else {
		const ctl_json_t *only = ctl_json_first(data);
		if (cc->changes) {
			printf("%s%s%s: done\n", cc->name, zone != NULL ? " " : "",
			       zone != NULL ? zone : "");
		}
		if (ctl_json_count(data) == 1 && ctl_json_type(only) == CTL_JARR &&
		    ctl_json_count(only) > 0 && all_objects(only)) {
			show_table(only, 0); /* zone-status: the table alone */
		} else if (ctl_json_count(data) == 1 && ctl_json_type(only) == CTL_JARR &&
			   ctl_json_count(only) == 0) {
			printf("no %s\n", ctl_json_key(only));
		} else {
			show_object(data, cc->changes ? 2 : 0);
		}
	}
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
out:
	ctl_jdoc_free(doc);
	free(line);
	free(path);
	for (size_t i = 0; i < 6; i++) {
		free(abs[i]);
	}
	free(changes);
	if (key_priv != NULL) {
		explicit_bzero(key_priv, strlen(key_priv));
		free(key_priv);
	}
	free(key_pub);
	return status;

usage_fail:
	fclose(chg);
	free(changes);
	fputs(self->help, stderr);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
		printf("signetc %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	const struct cmd *c = find_cmd(name);
	if (c == NULL) {
		fprintf(stderr, "signetc: unknown command '%s'\n\n", name);
		usage(stderr);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
