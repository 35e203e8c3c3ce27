/* SPDX-License-Identifier: MIT
 * signetc.c - the operator's tool: a table of subcommands.
 *
 * `signetc COMMAND [options] [args]`. Each command is one entry of the
 * table below with its own help text and option parser, so adding one
 * (status, reload, zone-status, key-generate...) touches nothing else.
 * Exit status, for every command: 0 success, 1 the thing checked is bad
 * (a zone with errors), 2 usage error or failure to do the job (a file
 * that cannot be read, out of memory).
 * Read commands take --json and then print one JSON object on stdout.
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf/conf.h"
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
static int cmd_help(int argc, char **argv);

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
