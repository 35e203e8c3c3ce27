/* SPDX-License-Identifier: MIT
 * zfile.c - the streaming zone-file parser (RFC 1035 5.1, RFC 2308, BIND $GENERATE).
 *
 * Two layers. The lexer reads the file through one buffer (256 KiB, refilled
 * with read(2)) that ends in a NUL sentinel, and cuts one logical record at a
 * time into tokens that point into that buffer: parentheses join lines,
 * comments vanish, quotes are stripped but escapes are left for the RDATA
 * parser. When the buffer runs dry in the middle of a record, the bytes of
 * the record are moved to the front and the token pointers rebased, so a
 * token may straddle any refill boundary. The buffer only grows when a single
 * logical record does not fit, and never past ZF_RECMAX plus one read.
 *
 * The record layer turns tokens into owner, TTL, class, type and RDATA
 * (through rdata_from_text), applies the directives and the TTL rules, and
 * hands each record to the caller. An error is reported with the position of
 * the offending token and the record is skipped: the lexer has already
 * consumed it up to the end of its last line, which is where we resynchronise.
 *
 * Choices where the references disagree (see also zfile.h):
 *  - TTL over 2^31-1 (RFC 2181 8): a warning and the TTL becomes 0, as BIND
 *    does; a TTL that does not fit in 32 bits at all is an error.
 *  - $INCLUDE is scoped: the included file starts with the includer's
 *    origin, owner and TTL state, and none of its changes to them leak back
 *    (RFC 1035 5.1 for the origin; Knot and NSD do the same for $TTL, BIND
 *    lets $TTL and the last TTL leak back).
 *  - A record with no TTL before any $TTL, explicit TTL or SOA gets
 *    opts->default_ttl with a warning (BIND rejects the zone instead); an SOA
 *    in that position gets its MINIMUM, which then acts as $TTL (BIND).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include "zone/wire.h"
#include "zone/zfile.h"

#define ZF_BUFSIZE (256u * 1024)	/* one read(2) */
#define ZF_RECMAX (1024u * 1024)	/* text of one logical record */
#define ZF_CAPMAX (ZF_RECMAX + ZF_BUFSIZE)
#define ZF_TTL_MAX 0x7fffffffu		/* RFC 2181 8 */
#define ZF_GEN_TEXTMAX (256u * 1024)	/* one substituted $GENERATE field */
#define ZF_MSGMAX 512
#ifdef SN_FUZZING
#define ZF_MEMBUF 64u			/* small, so that fuzzing reaches the refill paths */
#define ZF_GEN_MAX (1u << 12)		/* keeps the fuzzer fast */
#else
#define ZF_MEMBUF ZF_BUFSIZE
#define ZF_GEN_MAX (1u << 24)		/* records per $GENERATE */
#endif

/* Character classes of the lexer. Everything that is not listed is part of
 * a token (C_ORD is 0 so the table only names the exceptions). */
enum {
	C_ORD = 0,
	C_SPACE,
	C_NL,
	C_SEMI,
	C_LPAR,
	C_RPAR,
	C_QUOTE,
	C_BSLASH,
	C_NUL, /* the end-of-buffer sentinel, or a NUL byte of the input */
};

static const uint8_t cls[256] = {
	[0] = C_NUL,	    [' '] = C_SPACE, ['\t'] = C_SPACE, ['\r'] = C_SPACE,
	['\n'] = C_NL,	    [';'] = C_SEMI,  ['('] = C_LPAR,   [')'] = C_RPAR,
	['"'] = C_QUOTE,    ['\\'] = C_BSLASH,
};

/* Bytes that stop the scan of a quoted string. */
static const uint8_t qstop[256] = {
	[0] = 1, ['"'] = 1, ['\\'] = 1, ['\n'] = 1,
};

typedef struct zlex {
	/* input: a file descriptor, or a caller's memory */
	int fd;
	const char *mem;
	size_t mem_len, mem_pos;
	bool eof;
	int io_errno;
	char *buf; /* cap + 1 bytes; buf[len] is always NUL */
	size_t cap, len, pos;
	uint64_t base; /* stream offset of buf[0] */
	uint32_t line;
	uint64_t line_start; /* stream offset of the first byte of the line */

	/* the current logical record */
	rdata_tok_t *toks;
	size_t ntok, tokcap;
	bool any;	    /* the record has a token or an error */
	bool owner_omitted; /* its first line starts with blank space */
	bool discard;	    /* over ZF_RECMAX: tokens are dropped */
	uint32_t rec_line, rec_col;
	const char *err; /* first lexical error of the record */
	uint32_t err_line, err_col;
} zlex_t;

/* Per-file state: what $INCLUDE gives to the included file and gets back
 * unchanged. */
typedef struct zctx {
	zlex_t lx;
	const char *name; /* for messages and zfile_rr_t.file */
	const char *dir;  /* base of relative $INCLUDE paths; NULL: cwd */
	unsigned depth;
	uint8_t origin[DNAME_MAXLEN];
	/* RFC 2308 $TTL, or the SOA MINIMUM standing in for it */
	bool default_ttl_known;
	uint32_t default_ttl;
	/* RFC 1035: without $TTL a record inherits the last explicit TTL */
	bool last_ttl_known;
	uint32_t last_ttl;
} zctx_t;

enum { OWNER_NONE, OWNER_OK, OWNER_BAD };

typedef struct zparser {
	const zfile_opts_t *opts;
	zfile_stats_t st;
	uint16_t rclass;
	uint32_t fallback_ttl;
	unsigned max_errors;
	unsigned max_depth;
	bool stop;    /* too many errors, or on_rr said stop */
	int cb_rc;    /* what on_rr returned, when not SN_OK */
	int fatal_rc; /* SN_ENOMEM or SN_EIO that ends the parse */
	bool warned_1035;

	/* The previous owner, for records that omit it, and the text it was
	 * made from: a record whose owner text and origin are those of the
	 * previous one reuses its wire form. */
	int owner_state;
	uint8_t owner[DNAME_MAXLEN];
	char otext[DNAME_MAXTEXT];
	size_t otext_len; /* SIZE_MAX: nothing cached */
	uint64_t otext_gen;
	uint64_t origin_gen; /* bumped whenever the origin in force changes */

	uint8_t rdata[RDATA_MAXLEN];

	/* $GENERATE scratch, allocated on first use */
	char *gen_lhs, *gen_rhs;
	rdata_tok_t *gen_toks;
	size_t gen_tokcap;
} zparser_t;

static int parse_stream(zparser_t *zp, zctx_t *zc);

/* ---- messages ---------------------------------------------------------- */

static void
emit_msg(const zfile_opts_t *opts, zfile_sev_t sev, const char *file, uint32_t line,
	 uint32_t col, const char *msg)
{
	if (opts->on_msg != NULL) {
		opts->on_msg(opts->ctx, sev, file, line, col, msg);
		return;
	}
	const char *what = sev == ZFILE_ERROR ? "error" : "warning";
	if (line == 0) {
		fprintf(stderr, "%s: %s: %s\n", file, what, msg);
	} else {
		fprintf(stderr, "%s:%u:%u: %s: %s\n", file, line, col, what, msg);
	}
}

static void __attribute__((format(printf, 6, 7)))
zmsg(zparser_t *zp, zfile_sev_t sev, const char *file, uint32_t line, uint32_t col,
     const char *fmt, ...)
{
	char msg[ZF_MSGMAX];
	va_list ap;

	if (zp->stop) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit_msg(zp->opts, sev, file, line, col, msg);
	if (sev == ZFILE_WARNING) {
		zp->st.warnings++;
		return;
	}
	zp->st.errors++;
	if (zp->st.errors >= zp->max_errors) {
		/* Not counted: it is about the parse, not about the file. */
		emit_msg(zp->opts, ZFILE_ERROR, file, line, col, "too many errors, giving up");
		zp->stop = true;
	}
}

#define zerr(zp, zc, line, col, ...) zmsg((zp), ZFILE_ERROR, (zc)->name, (line), (col), __VA_ARGS__)
#define zwarn(zp, zc, line, col, ...) \
	zmsg((zp), ZFILE_WARNING, (zc)->name, (line), (col), __VA_ARGS__)

/* Copies a token into `out` for a message: printable ASCII as is, the rest
 * as \DDD, cut at about 60 characters. */
static const char *
tok_show(const rdata_tok_t *t, char out[80])
{
	size_t n = 0;
	for (uint32_t i = 0; i < t->len; i++) {
		uint8_t c = (uint8_t)t->s[i];
		if (n > 60) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f) {
			out[n++] = (char)c;
		} else {
			n += (size_t)snprintf(out + n, 80 - n, "\\%03u", c);
		}
	}
	out[n] = '\0';
	return out;
}

/* Column just past a token, for "something is missing after this". */
static uint32_t
tok_end_col(const rdata_tok_t *t)
{
	return t->col + t->len + ((t->flags & RDATA_TOK_QUOTED) ? 2 : 0);
}

/* ---- input ------------------------------------------------------------- */

static int
lx_init(zlex_t *lx, int fd, const char *mem, size_t mem_len)
{
	memset(lx, 0, sizeof(*lx));
	lx->fd = fd;
	lx->mem = mem;
	lx->mem_len = mem_len;
	lx->cap = ZF_BUFSIZE;
	if (fd < 0) {
		/* A small text needs no 256 KiB. */
		lx->cap = mem_len < ZF_MEMBUF ? (mem_len > 16 ? mem_len : 16) : ZF_MEMBUF;
	}
	lx->buf = malloc(lx->cap + 1);
	lx->tokcap = 64;
	lx->toks = malloc(lx->tokcap * sizeof(*lx->toks));
	if (lx->buf == NULL || lx->toks == NULL) {
		free(lx->buf);
		free(lx->toks);
		lx->buf = NULL;
		lx->toks = NULL;
		return SN_ENOMEM;
	}
	lx->buf[0] = '\0';
	lx->line = 1;
	return SN_OK;
}

static void
lx_clear(zlex_t *lx)
{
	free(lx->buf);
	free(lx->toks);
	lx->buf = NULL;
	lx->toks = NULL;
}

static inline uint32_t
lx_col(const zlex_t *lx, const char *p)
{
	uint64_t c = lx->base + (uint64_t)(p - lx->buf) - lx->line_start + 1;
	return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

static inline void
lx_newline(zlex_t *lx, const char *after)
{
	lx->line++;
	lx->line_start = lx->base + (uint64_t)(after - lx->buf);
}

static void
lx_error(zlex_t *lx, const char *msg, uint32_t line, uint32_t col)
{
	lx->any = true;
	if (lx->err == NULL) {
		lx->err = msg;
		lx->err_line = line;
		lx->err_col = col;
	}
}

/* Called when the scan reached the sentinel at buf + len. Keeps the bytes
 * of the current record (from its first token, or from the token being
 * scanned, `*tsp`), moves them to the front, growing the buffer if they fill
 * most of it, rebases every pointer into the buffer and reads more.
 * Returns 1 when bytes were added, 0 at the end of the input, or
 * SN_EIO / SN_ENOMEM. */
static int
lx_more(zlex_t *lx, const char **pp, const char **tsp)
{
	if (lx->eof) {
		return 0;
	}
	size_t pos = (size_t)(*pp - lx->buf);
	size_t keep = pos;
	if (!lx->discard) {
		if (lx->ntok > 0) {
			keep = (size_t)(lx->toks[0].s - lx->buf);
		} else if (tsp != NULL) {
			keep = (size_t)(*tsp - lx->buf);
		}
		if (pos - keep >= ZF_RECMAX) {
			/* Give up on this record but keep lexing it, so that we
			 * resynchronise at its end like after any other error. */
			lx_error(lx, "record too long (over 1 MiB of text)", lx->rec_line,
				 lx->rec_col);
			lx->discard = true;
			lx->ntok = 0;
			keep = pos;
		}
	}

	size_t kept = lx->len - keep;
	char *nb = lx->buf;
	size_t ncap = lx->cap;
	if (lx->cap - kept < lx->cap / 2 && lx->cap < ZF_CAPMAX) {
		ncap = lx->cap * 2 < ZF_CAPMAX ? lx->cap * 2 : ZF_CAPMAX;
		nb = malloc(ncap + 1);
		if (nb == NULL) {
			return SN_ENOMEM;
		}
		memcpy(nb, lx->buf + keep, kept);
	} else if (keep > 0) {
		memmove(nb, lx->buf + keep, kept);
	}
	for (size_t i = 0; i < lx->ntok; i++) {
		lx->toks[i].s = nb + (lx->toks[i].s - lx->buf - (ptrdiff_t)keep);
	}
	if (tsp != NULL) {
		*tsp = lx->discard ? nb + kept : nb + (*tsp - lx->buf - (ptrdiff_t)keep);
	}
	if (nb != lx->buf) {
		free(lx->buf);
		lx->buf = nb;
		lx->cap = ncap;
	}
	lx->base += keep;
	lx->len = kept;

	size_t got;
	if (lx->fd >= 0) {
		ssize_t n;
		do {
			n = read(lx->fd, lx->buf + lx->len, lx->cap - lx->len);
		} while (n < 0 && errno == EINTR);
		if (n < 0) {
			lx->io_errno = errno;
			lx->eof = true;
			lx->buf[lx->len] = '\0';
			*pp = lx->buf + lx->len;
			return SN_EIO;
		}
		got = (size_t)n;
	} else {
		got = lx->mem_len - lx->mem_pos;
		if (got > lx->cap - lx->len) {
			got = lx->cap - lx->len;
		}
		memcpy(lx->buf + lx->len, lx->mem + lx->mem_pos, got);
		lx->mem_pos += got;
	}
	lx->len += got;
	lx->buf[lx->len] = '\0';
	*pp = lx->buf + kept;
	if (got == 0) {
		lx->eof = true;
		return 0;
	}
	return 1;
}

static inline int
lx_add(zlex_t *lx, const char *s, size_t len, uint32_t flags, uint32_t line, uint32_t col)
{
	if (lx->discard) {
		return SN_OK;
	}
	if (lx->ntok == lx->tokcap) {
		size_t ncap = lx->tokcap * 2;
		rdata_tok_t *nt = realloc(lx->toks, ncap * sizeof(*nt));
		if (nt == NULL) {
			return SN_ENOMEM;
		}
		lx->toks = nt;
		lx->tokcap = ncap;
	}
	rdata_tok_t *t = &lx->toks[lx->ntok++];
	t->s = s;
	t->len = (uint32_t)len;
	t->flags = flags;
	t->line = line;
	t->col = col;
	return SN_OK;
}

/* Cuts the next logical record into lx->toks. Returns 1 for a record (which
 * may carry a lexical error in lx->err), 0 at the end of the input, or
 * SN_EIO / SN_ENOMEM. This is the hot loop of zone loading: one table lookup
 * per byte inside tokens, and the sentinel spares a bounds check. */
static int
lex_record(zlex_t *lx)
{
	const char *p = lx->buf + lx->pos;
	unsigned paren = 0;
	uint32_t pline = 0, pcol = 0;
	bool bol = true; /* p is at the first byte of a line */
	bool lead_ws = false;
	int r;

	lx->ntok = 0;
	lx->any = false;
	lx->discard = false;
	lx->owner_omitted = false;
	lx->err = NULL;

/* Gets more input; on EOF jumps to `eof_label`. */
#define MORE(tsp, eof_label)                     \
	do {                                     \
		r = lx_more(lx, &p, (tsp));      \
		if (r < 0) {                     \
			lx->pos = (size_t)(p - lx->buf); \
			return r;                \
		}                                \
		if (r == 0) {                    \
			goto eof_label;          \
		}                                \
	} while (0)

/* Bookkeeping when a token starts. */
#define TOKEN_START(line_, col_)                   \
	do {                                       \
		if (!lx->any) {                    \
			lx->any = true;            \
			lx->owner_omitted = lead_ws; \
			lx->rec_line = (line_);    \
			lx->rec_col = (col_);      \
		}                                  \
	} while (0)

	for (;;) {
		uint8_t c = (uint8_t)*p;
		if (c == 0 && p == lx->buf + lx->len) {
			MORE(NULL, eof);
			continue;
		}
		if (bol) {
			bol = false;
			if (!lx->any && paren == 0) {
				lead_ws = cls[c] == C_SPACE;
			}
		}
		switch (cls[c]) {
		case C_SPACE:
			p++;
			break;
		case C_NL:
			p++;
			lx_newline(lx, p);
			bol = true;
			if (paren == 0 && lx->any) {
				lx->pos = (size_t)(p - lx->buf);
				return 1;
			}
			break;
		case C_SEMI:
			for (;;) {
				const char *end = lx->buf + lx->len;
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				if (nl != NULL) {
					p = nl;
					break;
				}
				p = end;
				MORE(NULL, eof);
			}
			break;
		case C_LPAR:
			if (paren == 0) {
				pline = lx->line;
				pcol = lx_col(lx, p);
			}
			if (paren < 1000) {
				paren++;
			}
			p++;
			break;
		case C_RPAR:
			if (paren == 0) {
				lx_error(lx, "')' without '('", lx->line, lx_col(lx, p));
			} else {
				paren--;
			}
			p++;
			break;
		case C_QUOTE: {
			uint32_t tline = lx->line, tcol = lx_col(lx, p);
			bool closed = false;
			TOKEN_START(tline, tcol);
			p++;
			const char *ts = p;
			for (;;) {
				while (qstop[(uint8_t)*p] == 0) {
					p++;
				}
				c = (uint8_t)*p;
				if (c == '"') {
					closed = true;
					break;
				}
				if (c == '\\') {
					p++;
					if (p == lx->buf + lx->len) {
						MORE(&ts, qeof);
					}
					if (*p == '\n') {
						lx_newline(lx, p + 1);
					}
					p++;
					continue;
				}
				if (c == '\n') {
					break; /* BIND: a quoted string ends on its line */
				}
				if (p == lx->buf + lx->len) {
					MORE(&ts, qeof);
					continue;
				}
				p++; /* a NUL byte of the input */
			}
		qeof:
			if (lx_add(lx, ts, (size_t)(p - ts), RDATA_TOK_QUOTED, tline, tcol) != SN_OK) {
				return SN_ENOMEM;
			}
			if (closed) {
				p++;
			} else {
				lx_error(lx, "unterminated quoted string", tline, tcol);
			}
			break;
		}
		default: {
			/* C_ORD, C_BSLASH, or a NUL byte inside the data */
			uint32_t tline = lx->line, tcol = lx_col(lx, p);
			const char *ts = p;
			TOKEN_START(tline, tcol);
			for (;;) {
				while (cls[(uint8_t)*p] == C_ORD) {
					p++;
				}
				c = (uint8_t)*p;
				if (c == '\\') {
					p++;
					if (p == lx->buf + lx->len) {
						MORE(&ts, teof);
					}
					if (*p == '\n') {
						lx_newline(lx, p + 1);
					}
					p++;
					continue;
				}
				if (c == 0) {
					if (p == lx->buf + lx->len) {
						MORE(&ts, teof);
						continue;
					}
					p++;
					continue;
				}
				break;
			}
		teof:
			if (lx_add(lx, ts, (size_t)(p - ts), 0, tline, tcol) != SN_OK) {
				return SN_ENOMEM;
			}
			break;
		}
		}
	}
#undef MORE
#undef TOKEN_START

eof:
	if (paren > 0) {
		lx_error(lx, "unterminated '(': no matching ')' before the end of the file", pline,
			 pcol);
	}
	lx->pos = (size_t)(p - lx->buf);
	return lx->any ? 1 : 0;
}

/* ---- TTLs ---------------------------------------------------------------- */

/* Parses "3600" or "1w2d3h4m5s" (units in any case, repeats allowed as in
 * BIND; a number after a unit must have a unit too) into 32 bits.
 * Returns SN_OK, SN_EPARSE, or SN_ERANGE when over 2^32-1. */
static int
ttl_from_text(const char *s, size_t len, uint32_t *out)
{
	uint64_t total = 0, num = 0;
	bool digits = false, units = false;

	if (len == 0) {
		return SN_EPARSE;
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c >= '0' && c <= '9') {
			num = num * 10 + (c - '0');
			if (num > UINT32_MAX) {
				return SN_ERANGE;
			}
			digits = true;
			continue;
		}
		uint64_t mult;
		switch (c | 0x20) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = 86400;
			break;
		case 'w':
			mult = 604800;
			break;
		default:
			return SN_EPARSE;
		}
		if (!digits) {
			return SN_EPARSE;
		}
		total += num * mult;
		if (total > UINT32_MAX) {
			return SN_ERANGE;
		}
		num = 0;
		digits = false;
		units = true;
	}
	if (digits) {
		if (units) {
			return SN_EPARSE; /* "1h30": BIND refuses it too */
		}
		total = num;
	}
	*out = (uint32_t)total;
	return SN_OK;
}

int
zfile_parse_ttl(const char *s, size_t len, uint32_t *out)
{
	uint32_t v;
	int rc = ttl_from_text(s, len, &v);
	if (rc != SN_OK) {
		return rc;
	}
	if (v > ZF_TTL_MAX) {
		return SN_ERANGE;
	}
	*out = v;
	return SN_OK;
}

/* A TTL token of a record or of $TTL: an error when it does not parse, and
 * BIND's warning and 0 when it is over 2^31-1. */
static int
ttl_token(zparser_t *zp, zctx_t *zc, const rdata_tok_t *t, const char *what, uint32_t *out)
{
	char show[80];
	uint32_t v;
	int rc = (t->flags & RDATA_TOK_QUOTED) ? SN_EPARSE : ttl_from_text(t->s, t->len, &v);
	if (rc == SN_ERANGE) {
		zerr(zp, zc, t->line, t->col, "%s '%s' does not fit in 32 bits", what,
		     tok_show(t, show));
		return rc;
	}
	if (rc != SN_OK) {
		zerr(zp, zc, t->line, t->col, "bad %s '%s'", what, tok_show(t, show));
		return rc;
	}
	if (v > ZF_TTL_MAX) {
		zwarn(zp, zc, t->line, t->col, "%s %u > 2147483647 (RFC 2181 8), using 0", what, v);
		v = 0;
	}
	*out = v;
	return SN_OK;
}

/* ---- records ------------------------------------------------------------- */

static bool
tok_is(const rdata_tok_t *t, const char *word)
{
	size_t n = strlen(word);
	if (t->len != n || (t->flags & RDATA_TOK_QUOTED)) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (dname_lower_tab[(uint8_t)t->s[i]] != (uint8_t)word[i]) {
			return false;
		}
	}
	return true;
}

/* Why dname_from_text refused `s`: for SN_ERANGE, whether a label or the
 * whole name is too long (each \DDD or \X is one octet). */
static const char *
dname_errmsg(int rc, const char *s, size_t len)
{
	if (rc != SN_ERANGE) {
		return "bad escape or empty label";
	}
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			label = 0;
			continue;
		}
		if (s[i] == '\\' && i + 1 < len) {
			i += (s[i + 1] >= '0' && s[i + 1] <= '9') ? 3 : 1;
		}
		if (++label > LABEL_MAXLEN) {
			return "label over 63 octets";
		}
	}
	return "name over 255 octets";
}

/* Reads a name token relative to the current origin. */
static int
name_token(zparser_t *zp, zctx_t *zc, const rdata_tok_t *t, const char *what, uint8_t *out)
{
	char show[80];
	size_t len;
	int rc = SN_EPARSE;
	if (!(t->flags & RDATA_TOK_QUOTED)) {
		rc = dname_from_text(t->s, t->len, zc->origin, out, &len);
	}
	if (rc != SN_OK) {
		zerr(zp, zc, t->line, t->col, "bad %s '%s': %s", what, tok_show(t, show),
		     (t->flags & RDATA_TOK_QUOTED) ? "quoted" : dname_errmsg(rc, t->s, t->len));
	}
	return rc;
}

/* Picks the TTL of a record that has none, by the rules of RFC 2308 and
 * BIND; SOA records are handled by the caller, which knows the MINIMUM. */
static uint32_t
implicit_ttl(zparser_t *zp, zctx_t *zc, uint32_t line, uint32_t col)
{
	if (zc->default_ttl_known) {
		return zc->default_ttl;
	}
	if (zc->last_ttl_known) {
		if (!zp->warned_1035) {
			zp->warned_1035 = true;
			zwarn(zp, zc, line, col,
			      "no $TTL: using the TTL of the previous record (RFC 1035 semantics)");
		}
		return zc->last_ttl;
	}
	zwarn(zp, zc, line, col, "no TTL specified and no $TTL: using the default TTL %u",
	      zp->fallback_ttl);
	return zp->fallback_ttl;
}

/* The tail shared by ordinary and generated records: RDATA, TTL rules, and
 * the callback. `prefix` starts error messages ("" or "$GENERATE: "). */
static void
emit_record(zparser_t *zp, zctx_t *zc, const uint8_t *owner, uint16_t type, bool have_ttl,
	    uint32_t ttl, const rdata_tok_t *typetok, const rdata_tok_t *rd, size_t nrd,
	    uint32_t line, uint32_t col, const char *prefix)
{
	wire_out_t w;
	size_t etok = 0;
	const char *emsg = NULL;
	char tname[RRTYPE_MAXTEXT];

	wire_out_init(&w, zp->rdata, sizeof(zp->rdata));
	int rc = rdata_from_text(type, rd, nrd, zc->origin, &w, &etok, &emsg);
	if (rc == SN_OK && w.err != SN_OK) {
		rc = w.err;
	}
	if (rc != SN_OK) {
		uint32_t eline = typetok->line, ecol = tok_end_col(typetok);
		if (etok < nrd) {
			eline = rd[etok].line;
			ecol = rd[etok].col;
		} else if (nrd > 0) {
			eline = rd[nrd - 1].line;
			ecol = tok_end_col(&rd[nrd - 1]);
		}
		if (rc == SN_ENOSPC) {
			emsg = "RDATA over 65535 octets";
		} else if (emsg == NULL) {
			emsg = sn_strerror(rc);
		}
		(void)rrtype_to_text(type, tname, sizeof(tname));
		zerr(zp, zc, eline, ecol, "%sbad %s record: %s", prefix, tname, emsg);
		return;
	}
	size_t rdlen = (size_t)(w.pos - zp->rdata);

	if (!have_ttl) {
		if (type == RRTYPE_SOA && !zc->default_ttl_known && !zc->last_ttl_known &&
		    rdlen >= 4) {
			/* BIND: the SOA MINIMUM (its last field) stands in for
			 * $TTL when nothing else gave a TTL. */
			const uint8_t *m = zp->rdata + rdlen - 4;
			ttl = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
			if (ttl > ZF_TTL_MAX) {
				ttl = 0;
			}
			zwarn(zp, zc, line, col, "no TTL specified: using the SOA MINIMUM %u", ttl);
			zc->default_ttl = ttl;
			zc->default_ttl_known = true;
		} else {
			ttl = implicit_ttl(zp, zc, line, col);
		}
	}

	zfile_rr_t rr = {
		.owner = owner,
		.type = type,
		.rclass = zp->rclass,
		.ttl = ttl,
		.rdlen = (uint16_t)rdlen,
		.rdata = zp->rdata,
		.file = zc->name,
		.line = line,
		.col = col,
	};
	rc = zp->opts->on_rr != NULL ? zp->opts->on_rr(zp->opts->ctx, &rr) : SN_OK;
	zp->st.records++;
	if (rc != SN_OK) {
		zp->cb_rc = rc;
		zp->stop = true;
	}
}

/* Reads the optional TTL and class, in either order (RFC 1035 5.1), and the
 * type, from toks[*i]. Returns SN_OK with *i on the first RDATA token. */
static int
ttl_class_type(zparser_t *zp, zctx_t *zc, const rdata_tok_t *toks, size_t n, size_t *ip,
	       bool *have_ttl, uint32_t *ttl, uint16_t *type, const rdata_tok_t **typetok)
{
	char show[80], buf1[RRTYPE_MAXTEXT], buf2[RRTYPE_MAXTEXT];
	bool have_class = false;
	size_t i = *ip;

	*have_ttl = false;
	for (; i < n; i++) {
		const rdata_tok_t *t = &toks[i];
		if (t->flags & RDATA_TOK_QUOTED) {
			break;
		}
		uint8_t c0 = (uint8_t)t->s[0];
		if (c0 >= '0' && c0 <= '9' && !*have_ttl) {
			/* No type or class mnemonic starts with a digit. */
			if (ttl_token(zp, zc, t, "TTL", ttl) != SN_OK) {
				return SN_EPARSE;
			}
			*have_ttl = true;
			continue;
		}
		if (have_class) {
			break;
		}
		uint16_t rc;
		if (t->len == 2 && (c0 | 0x20) == 'i' && (t->s[1] | 0x20) == 'n') {
			rc = RRCLASS_IN;
		} else if (rrclass_from_text(t->s, t->len, &rc) != SN_OK) {
			break;
		}
		if (rc != zp->rclass) {
			(void)rrclass_to_text(rc, buf1, sizeof(buf1));
			(void)rrclass_to_text(zp->rclass, buf2, sizeof(buf2));
			zerr(zp, zc, t->line, t->col, "class %s does not match the zone class %s",
			     buf1, buf2);
			return SN_EPARSE;
		}
		have_class = true;
	}
	if (i == n) {
		const rdata_tok_t *last = &toks[n - 1];
		zerr(zp, zc, last->line, tok_end_col(last), "missing RR type");
		return SN_EPARSE;
	}
	const rdata_tok_t *t = &toks[i];
	if ((t->flags & RDATA_TOK_QUOTED) || rrtype_from_text(t->s, t->len, type) != SN_OK) {
		zerr(zp, zc, t->line, t->col, "unknown RR type '%s'%s", tok_show(t, show),
		     (t->flags & RDATA_TOK_QUOTED) ? " (quoted)" : "");
		return SN_EPARSE;
	}
	if (rrtype_is_meta(*type)) {
		zerr(zp, zc, t->line, t->col, "RR type %s is not allowed in zone data",
		     tok_show(t, show));
		return SN_EPARSE;
	}
	*typetok = t;
	*ip = i + 1;
	return SN_OK;
}

static void
directive(zparser_t *zp, zctx_t *zc);

static void
process_record(zparser_t *zp, zctx_t *zc)
{
	zlex_t *lx = &zc->lx;
	const rdata_tok_t *toks = lx->toks;
	size_t n = lx->ntok;
	size_t i = 0;

	if (lx->err != NULL) {
		zerr(zp, zc, lx->err_line, lx->err_col, "%s", lx->err);
		return;
	}
	if (n == 0) {
		return;
	}
	if (!lx->owner_omitted) {
		const rdata_tok_t *t = &toks[0];
		if (t->s[0] == '$' && !(t->flags & RDATA_TOK_QUOTED)) {
			directive(zp, zc);
			return;
		}
		if (t->len == zp->otext_len && zp->otext_gen == zp->origin_gen &&
		    zp->owner_state == OWNER_OK && memcmp(t->s, zp->otext, t->len) == 0) {
			/* same owner as the previous record: keep its wire form */
		} else {
			zp->otext_len = SIZE_MAX;
			if (name_token(zp, zc, t, "owner name", zp->owner) != SN_OK) {
				zp->owner_state = OWNER_BAD;
				return;
			}
			zp->owner_state = OWNER_OK;
			if (t->len <= sizeof(zp->otext)) {
				memcpy(zp->otext, t->s, t->len);
				zp->otext_len = t->len;
				zp->otext_gen = zp->origin_gen;
			}
		}
		i = 1;
		if (n == 1) {
			zerr(zp, zc, t->line, tok_end_col(t), "missing RR type after owner name");
			return;
		}
	} else if (zp->owner_state == OWNER_NONE) {
		zerr(zp, zc, toks[0].line, toks[0].col,
		     "no owner name (the line starts with blank space and no record came before)");
		return;
	} else if (zp->owner_state == OWNER_BAD) {
		return; /* belongs to a bad owner, which was reported */
	}

	bool have_ttl;
	uint32_t ttl = 0;
	uint16_t type;
	const rdata_tok_t *typetok;
	if (ttl_class_type(zp, zc, toks, n, &i, &have_ttl, &ttl, &type, &typetok) != SN_OK) {
		return;
	}
	if (have_ttl) {
		zc->last_ttl = ttl;
		zc->last_ttl_known = true;
	}
	emit_record(zp, zc, zp->owner, type, have_ttl, ttl, typetok, toks + i, n - i,
		    lx->rec_line, lx->rec_col, "");
}

/* ---- $INCLUDE -------------------------------------------------------------- */

/* Decodes the escapes of a file-name token (\X and \DDD). Returns the
 * NUL-terminated copy (free it), or NULL when it is empty, holds a NUL or
 * has a bad escape. `*nomem` says which. */
static char *
path_from_tok(const rdata_tok_t *t, bool *nomem)
{
	char *out = malloc((size_t)t->len + 1);
	size_t n = 0;

	*nomem = out == NULL;
	if (out == NULL) {
		return NULL;
	}
	for (uint32_t i = 0; i < t->len; i++) {
		uint8_t c = (uint8_t)t->s[i];
		if (c == '\\') {
			if (i + 1 >= t->len) {
				goto bad;
			}
			c = (uint8_t)t->s[++i];
			if (c >= '0' && c <= '9') {
				if (i + 2 >= t->len || t->s[i + 1] < '0' || t->s[i + 1] > '9' ||
				    t->s[i + 2] < '0' || t->s[i + 2] > '9') {
					goto bad;
				}
				unsigned v = (unsigned)(c - '0') * 100 + (unsigned)(t->s[i + 1] - '0') * 10 +
					     (unsigned)(t->s[i + 2] - '0');
				if (v > 255) {
					goto bad;
				}
				c = (uint8_t)v;
				i += 2;
			}
		}
		if (c == 0) {
			goto bad;
		}
		out[n++] = (char)c;
	}
	if (n == 0) {
		goto bad;
	}
	out[n] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* Directory part of `path` ("dir/" kept with its slash), or NULL when the
 * path has no directory. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL) {
		return NULL;
	}
	size_t n = (size_t)(slash - path) + 1;
	char *d = malloc(n + 1);
	if (d != NULL) {
		memcpy(d, path, n);
		d[n] = '\0';
	}
	return d;
}

static void
do_include(zparser_t *zp, zctx_t *zc)
{
	const rdata_tok_t *toks = zc->lx.toks;
	size_t n = zc->lx.ntok;
	const rdata_tok_t *d = &toks[0];
	char *rel = NULL, *path = NULL, *dir = NULL;
	zctx_t *child = NULL;
	bool nomem;
	int fd = -1;

	if (!zp->opts->allow_include) {
		zerr(zp, zc, d->line, d->col, "$INCLUDE is not allowed here");
		return;
	}
	if (n < 2 || n > 3) {
		zerr(zp, zc, d->line, n < 2 ? tok_end_col(d) : toks[3].col,
		     n < 2 ? "$INCLUDE needs a file name" : "$INCLUDE takes a file name and an "
							    "optional origin");
		return;
	}
	if (zc->depth + 1 > zp->max_depth) {
		zerr(zp, zc, d->line, d->col, "$INCLUDE nested too deeply (limit %u)",
		     zp->max_depth);
		return;
	}
	child = calloc(1, sizeof(*child));
	if (child == NULL) {
		zp->fatal_rc = SN_ENOMEM;
		return;
	}
	memcpy(child->origin, zc->origin, dname_len(zc->origin));
	if (n == 3 && name_token(zp, zc, &toks[2], "$INCLUDE origin", child->origin) != SN_OK) {
		goto out;
	}
	rel = path_from_tok(&toks[1], &nomem);
	if (rel == NULL) {
		if (nomem) {
			zp->fatal_rc = SN_ENOMEM;
		} else {
			zerr(zp, zc, toks[1].line, toks[1].col, "bad $INCLUDE file name");
		}
		goto out;
	}
	if (rel[0] == '/' || zc->dir == NULL) {
		path = rel;
		rel = NULL;
	} else {
		size_t dl = strlen(zc->dir), rl = strlen(rel);
		path = malloc(dl + rl + 1);
		if (path == NULL) {
			zp->fatal_rc = SN_ENOMEM;
			goto out;
		}
		memcpy(path, zc->dir, dl);
		memcpy(path + dl, rel, rl + 1);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		zerr(zp, zc, toks[1].line, toks[1].col, "cannot open $INCLUDE file %s: %s", path,
		     strerror(errno));
		goto out;
	}
	dir = dir_of(path);
	if (lx_init(&child->lx, fd, NULL, 0) != SN_OK) {
		zp->fatal_rc = SN_ENOMEM;
		goto out;
	}
	child->name = path;
	child->dir = dir;
	child->depth = zc->depth + 1;
	child->default_ttl_known = zc->default_ttl_known;
	child->default_ttl = zc->default_ttl;
	child->last_ttl_known = zc->last_ttl_known;
	child->last_ttl = zc->last_ttl;

	/* The included file starts with our owner; whatever it ends with,
	 * ours comes back (BIND does the same). */
	int saved_state = zp->owner_state;
	uint8_t saved_owner[DNAME_MAXLEN];
	memcpy(saved_owner, zp->owner, sizeof(saved_owner));
	zp->origin_gen++;

	int rc = parse_stream(zp, child);
	if (rc == SN_EIO) {
		zerr(zp, zc, toks[1].line, toks[1].col, "cannot read $INCLUDE file %s: %s", path,
		     strerror(child->lx.io_errno));
	}

	zp->owner_state = saved_state;
	memcpy(zp->owner, saved_owner, sizeof(saved_owner));
	zp->origin_gen++;
	lx_clear(&child->lx);
out:
	if (fd >= 0) {
		close(fd);
	}
	free(child);
	free(rel);
	free(path);
	free(dir);
}

/* ---- $GENERATE --------------------------------------------------------- */

/* BIND's nibble form: hex digits, least significant first, each followed by
 * a dot while digits remain or the width is not reached; the width counts
 * the dots. */
static size_t
gen_nibbles(char *out, size_t cap, unsigned width, bool upper, uint64_t v)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t n = 0;
	do {
		if (n < cap) {
			out[n] = hex[v & 0xf];
		}
		n++;
		v >>= 4;
		if (width > 0) {
			width--;
		}
		if (width > 0 || v != 0) {
			if (n < cap) {
				out[n] = '.';
			}
			n++;
			if (width > 0) {
				width--;
			}
		}
	} while (v != 0 || width > 0);
	return n;
}

/* Substitutes the iterator in a $GENERATE field (BIND's rules): `$` is the
 * value, `${offset[,width[,base]]}` shifts and formats it (bases d, o, x, X,
 * n, N), `$$` is a literal `$`, and `\X` is copied as is, so `\$` stays an
 * escaped dollar for the name or RDATA parser. Returns the length, or
 * SN_EPARSE with *why set, or SN_ERANGE when over `cap`. */
static int
gen_subst(const rdata_tok_t *t, int64_t it, char *out, size_t cap, const char **why)
{
	const char *s = t->s, *end = t->s + t->len;
	size_t n = 0;

	while (s < end) {
		char c = *s++;
		if (c == '\\') {
			if (n >= cap) {
				return SN_ERANGE;
			}
			out[n++] = c;
			if (s < end) {
				if (n >= cap) {
					return SN_ERANGE;
				}
				out[n++] = *s++;
			}
			continue;
		}
		if (c != '$') {
			if (n >= cap) {
				return SN_ERANGE;
			}
			out[n++] = c;
			continue;
		}
		if (s < end && *s == '$') {
			if (n >= cap) {
				return SN_ERANGE;
			}
			out[n++] = '$';
			s++;
			continue;
		}
		int64_t delta = 0;
		unsigned width = 0;
		char mode = 'd';
		if (s < end && *s == '{') {
			bool neg = false;
			int fields = 0;
			s++;
			if (s < end && (*s == '-' || *s == '+')) {
				neg = *s == '-';
				s++;
			}
			for (;;) {
				/* fields: 0 offset, 1 width, 2 base */
				if (fields < 2) {
					uint64_t v = 0;
					const char *d0 = s;
					while (s < end && *s >= '0' && *s <= '9' && v <= 0xffffffffu) {
						v = v * 10 + (uint64_t)(*s++ - '0');
					}
					if (s == d0 || v > 0xffffffffu) {
						*why = "bad ${offset,width,base} modifier";
						return SN_EPARSE;
					}
					if (fields == 0) {
						delta = neg ? -(int64_t)v : (int64_t)v;
					} else if (v > 255) {
						*why = "width over 255 in ${offset,width,base}";
						return SN_EPARSE;
					} else {
						width = (unsigned)v;
					}
				} else {
					if (s >= end || strchr("doxXnN", *s) == NULL || *s == '\0') {
						*why = "bad base in ${offset,width,base} (d, o, x, X, n or N)";
						return SN_EPARSE;
					}
					mode = *s++;
				}
				fields++;
				if (s < end && *s == '}') {
					s++;
					break;
				}
				if (fields == 3 || s >= end || *s != ',') {
					*why = "bad ${offset,width,base} modifier";
					return SN_EPARSE;
				}
				s++;
			}
		}
		int64_t v = it + delta;
		char num[600];
		size_t len;
		if (v < 0 && mode != 'd') {
			*why = "negative value with a non-decimal base";
			return SN_EPARSE;
		}
		switch (mode) {
		case 'n':
		case 'N':
			len = gen_nibbles(num, sizeof(num), width, mode == 'N', (uint64_t)v);
			break;
		case 'o':
			len = (size_t)snprintf(num, sizeof(num), "%0*llo", (int)width,
					       (unsigned long long)v);
			break;
		case 'x':
			len = (size_t)snprintf(num, sizeof(num), "%0*llx", (int)width,
					       (unsigned long long)v);
			break;
		case 'X':
			len = (size_t)snprintf(num, sizeof(num), "%0*llX", (int)width,
					       (unsigned long long)v);
			break;
		default:
			len = (size_t)snprintf(num, sizeof(num), "%0*lld", (int)width, (long long)v);
			break;
		}
		if (len > sizeof(num) || cap - n < len) {
			return SN_ERANGE;
		}
		memcpy(out + n, num, len);
		n += len;
	}
	return (int)n;
}

static int
gen_tok_add(zparser_t *zp, size_t *ntok, const char *s, size_t len, uint32_t flags,
	    const rdata_tok_t *at)
{
	if (*ntok == zp->gen_tokcap) {
		size_t ncap = zp->gen_tokcap ? zp->gen_tokcap * 2 : 64;
		rdata_tok_t *nt = realloc(zp->gen_toks, ncap * sizeof(*nt));
		if (nt == NULL) {
			return SN_ENOMEM;
		}
		zp->gen_toks = nt;
		zp->gen_tokcap = ncap;
	}
	rdata_tok_t *t = &zp->gen_toks[(*ntok)++];
	t->s = s;
	t->len = (uint32_t)len;
	t->flags = flags;
	t->line = at->line;
	t->col = at->col; /* all point at the $GENERATE RDATA field */
	return SN_OK;
}

/* Cuts a substituted $GENERATE RDATA field into tokens the way the lexer
 * would (BIND runs its lexer over it too): blanks and parentheses separate,
 * quotes group, escapes are kept, ';' ends it. Returns SN_OK, SN_EPARSE
 * (unterminated quote) or SN_ENOMEM. */
static int
gen_split(zparser_t *zp, const char *s, size_t len, const rdata_tok_t *at, size_t *ntok)
{
	const char *p = s, *end = s + len;

	*ntok = 0;
	while (p < end) {
		uint8_t k = cls[(uint8_t)*p];
		if (k == C_SPACE || k == C_NL || k == C_LPAR || k == C_RPAR) {
			p++;
			continue;
		}
		if (k == C_SEMI) {
			break;
		}
		const char *ts;
		uint32_t flags = 0;
		if (k == C_QUOTE) {
			ts = ++p;
			while (p < end && *p != '"') {
				p += (*p == '\\' && p + 1 < end) ? 2 : 1;
			}
			if (p >= end) {
				return SN_EPARSE;
			}
			flags = RDATA_TOK_QUOTED;
		} else {
			ts = p;
			while (p < end) {
				k = cls[(uint8_t)*p];
				if (k == C_BSLASH) {
					p += p + 1 < end ? 2 : 1;
				} else if (k == C_ORD || k == C_NUL) {
					p++;
				} else {
					break;
				}
			}
		}
		if (gen_tok_add(zp, ntok, ts, (size_t)(p - ts), flags, at) != SN_OK) {
			return SN_ENOMEM;
		}
		if (flags) {
			p++;
		}
	}
	return SN_OK;
}

/* Parses "start-stop[/step]" (BIND: decimal, start <= stop, step >= 1). */
static int
gen_range(const rdata_tok_t *t, uint64_t *start, uint64_t *stop, uint64_t *step)
{
	const char *s = t->s, *end = t->s + t->len;
	uint64_t v[3] = {0, 0, 1};

	for (int f = 0; f < 3; f++) {
		const char *d0 = s;
		uint64_t x = 0;
		while (s < end && *s >= '0' && *s <= '9') {
			x = x * 10 + (uint64_t)(*s++ - '0');
			if (x > 0x7fffffff) {
				return SN_ERANGE;
			}
		}
		if (s == d0) {
			return SN_EPARSE;
		}
		v[f] = x;
		if (s == end && f >= 1) {
			break;
		}
		if (s == end || *s != (f == 0 ? '-' : '/') || f == 2) {
			return SN_EPARSE;
		}
		s++;
	}
	if (v[1] < v[0] || v[2] == 0) {
		return SN_EPARSE;
	}
	*start = v[0];
	*stop = v[1];
	*step = v[2];
	return SN_OK;
}

static void
do_generate(zparser_t *zp, zctx_t *zc)
{
	const rdata_tok_t *toks = zc->lx.toks;
	size_t n = zc->lx.ntok;
	const rdata_tok_t *d = &toks[0];
	char show[80];
	uint64_t start, stop, step;
	int rc;

	if (n < 5) {
		zerr(zp, zc, d->line, tok_end_col(&toks[n - 1]),
		     "$GENERATE needs a range, an owner, a type and RDATA");
		return;
	}
	rc = gen_range(&toks[1], &start, &stop, &step);
	if (rc != SN_OK) {
		zerr(zp, zc, toks[1].line, toks[1].col, "bad $GENERATE range '%s'%s",
		     tok_show(&toks[1], show),
		     rc == SN_ERANGE ? ": over 2147483647" : " (start-stop[/step])");
		return;
	}
	if ((stop - start) / step + 1 > ZF_GEN_MAX) {
		zerr(zp, zc, toks[1].line, toks[1].col,
		     "$GENERATE range '%s' makes over %u records", tok_show(&toks[1], show),
		     ZF_GEN_MAX);
		return;
	}
	const rdata_tok_t *lhs = &toks[2];
	size_t i = 3;
	bool have_ttl;
	uint32_t ttl = 0;
	uint16_t type;
	const rdata_tok_t *typetok;
	if (ttl_class_type(zp, zc, toks, n, &i, &have_ttl, &ttl, &type, &typetok) != SN_OK) {
		return;
	}
	if (i >= n) {
		zerr(zp, zc, typetok->line, tok_end_col(typetok), "$GENERATE needs RDATA");
		return;
	}
	if (i + 1 < n) {
		zerr(zp, zc, toks[i + 1].line, toks[i + 1].col,
		     "$GENERATE takes its RDATA as one field (quote it when it has blanks)");
		return;
	}
	const rdata_tok_t *rhs = &toks[i];
	if (zp->gen_lhs == NULL) {
		zp->gen_lhs = malloc(DNAME_MAXTEXT);
		zp->gen_rhs = malloc(ZF_GEN_TEXTMAX);
		if (zp->gen_lhs == NULL || zp->gen_rhs == NULL) {
			zp->fatal_rc = SN_ENOMEM;
			return;
		}
	}

	for (uint64_t it = start; it <= stop && !zp->stop; it += step) {
		const char *why = "text too long";
		uint8_t owner[DNAME_MAXLEN];
		size_t olen, nrd;

		int ll = gen_subst(lhs, (int64_t)it, zp->gen_lhs, DNAME_MAXTEXT, &why);
		if (ll < 0) {
			zerr(zp, zc, lhs->line, lhs->col, "$GENERATE owner: %s", why);
			return;
		}
		rc = dname_from_text(zp->gen_lhs, (size_t)ll, zc->origin, owner, &olen);
		if (rc != SN_OK) {
			zerr(zp, zc, lhs->line, lhs->col, "$GENERATE: bad owner name for %llu: %s",
			     (unsigned long long)it, dname_errmsg(rc, zp->gen_lhs, (size_t)ll));
			return;
		}
		int rl = gen_subst(rhs, (int64_t)it, zp->gen_rhs, ZF_GEN_TEXTMAX, &why);
		if (rl < 0) {
			zerr(zp, zc, rhs->line, rhs->col, "$GENERATE RDATA: %s", why);
			return;
		}
		rc = gen_split(zp, zp->gen_rhs, (size_t)rl, rhs, &nrd);
		if (rc == SN_ENOMEM) {
			zp->fatal_rc = rc;
			return;
		}
		if (rc != SN_OK) {
			zerr(zp, zc, rhs->line, rhs->col, "$GENERATE RDATA: unterminated quoted string");
			return;
		}
		unsigned errs = zp->st.errors;
		emit_record(zp, zc, owner, type, have_ttl, ttl, typetok, zp->gen_toks, nrd, d->line,
			    d->col, "$GENERATE: ");
		if (zp->st.errors != errs) {
			return; /* one report per directive, not one per value */
		}
		if (stop - it < step) {
			break;
		}
	}
}

/* ---- directives ------------------------------------------------------- */

static void
directive(zparser_t *zp, zctx_t *zc)
{
	const rdata_tok_t *toks = zc->lx.toks;
	size_t n = zc->lx.ntok;
	const rdata_tok_t *d = &toks[0];
	char show[80];

	if (tok_is(d, "$origin")) {
		uint8_t o[DNAME_MAXLEN];
		if (n != 2) {
			zerr(zp, zc, d->line, n < 2 ? tok_end_col(d) : toks[2].col,
			     n < 2 ? "$ORIGIN needs a name" : "$ORIGIN takes one name");
			return;
		}
		/* A relative $ORIGIN is relative to the current one (BIND). */
		if (name_token(zp, zc, &toks[1], "$ORIGIN name", o) != SN_OK) {
			return;
		}
		memcpy(zc->origin, o, dname_len(o));
		zp->origin_gen++;
	} else if (tok_is(d, "$ttl")) {
		uint32_t ttl;
		if (n != 2) {
			zerr(zp, zc, d->line, n < 2 ? tok_end_col(d) : toks[2].col,
			     n < 2 ? "$TTL needs a TTL" : "$TTL takes one TTL");
			return;
		}
		if (ttl_token(zp, zc, &toks[1], "$TTL", &ttl) != SN_OK) {
			return;
		}
		zc->default_ttl = ttl;
		zc->default_ttl_known = true;
	} else if (tok_is(d, "$include")) {
		do_include(zp, zc);
	} else if (tok_is(d, "$generate")) {
		do_generate(zp, zc);
	} else {
		zerr(zp, zc, d->line, d->col, "unknown directive '%s'", tok_show(d, show));
	}
}

/* ---- driver --------------------------------------------------------------- */

static int
parse_stream(zparser_t *zp, zctx_t *zc)
{
	int rc = SN_OK;
	while (!zp->stop && zp->fatal_rc == SN_OK) {
		rc = lex_record(&zc->lx);
		if (rc <= 0) {
			break;
		}
		rc = SN_OK;
		process_record(zp, zc);
	}
	zlex_t *lx = &zc->lx;
	uint64_t lines = lx->line - 1;
	if (lx->base + lx->len > lx->line_start) {
		lines++; /* a last line without a newline */
	}
	zp->st.lines += lines;
	if (rc == SN_ENOMEM) {
		zp->fatal_rc = rc;
	}
	return rc;
}

static int
parse_top(const char *name, const char *dir, int fd, const char *text, size_t len,
	  const zfile_opts_t *opts, zfile_stats_t *stats)
{
	zparser_t *zp = NULL;
	zctx_t *zc = NULL;
	int rc;

	zp = calloc(1, sizeof(*zp));
	zc = calloc(1, sizeof(*zc));
	if (zp == NULL || zc == NULL) {
		rc = SN_ENOMEM;
		goto out;
	}
	zp->opts = opts;
	zp->rclass = opts->rclass != 0 ? opts->rclass : RRCLASS_IN;
	zp->fallback_ttl = opts->default_ttl != 0 ? opts->default_ttl : 3600;
	zp->max_errors = opts->max_errors != 0 ? opts->max_errors : 100;
	zp->max_depth = opts->max_include_depth != 0 ? opts->max_include_depth : 16;
	zp->otext_len = SIZE_MAX;
	zp->owner_state = OWNER_NONE;

	size_t olen;
	if (opts->origin == NULL || dname_check(opts->origin, DNAME_MAXLEN, &olen) != SN_OK) {
		rc = SN_EINVAL;
		goto out;
	}
	memcpy(zc->origin, opts->origin, olen);
	zc->name = name;
	zc->dir = dir;
	if (lx_init(&zc->lx, fd, text, len) != SN_OK) {
		rc = SN_ENOMEM;
		goto out;
	}
	rc = parse_stream(zp, zc);
	if (rc == SN_EIO) {
		zerr(zp, zc, 0, 0, "cannot read: %s", strerror(zc->lx.io_errno));
	}
	lx_clear(&zc->lx);

	if (zp->fatal_rc != SN_OK) {
		rc = zp->fatal_rc;
	} else if (zp->cb_rc != SN_OK) {
		rc = zp->cb_rc;
	} else if (rc == SN_EIO) {
		/* keep it */
	} else if (zp->st.errors > 0) {
		rc = SN_EPARSE;
	} else {
		rc = SN_OK;
	}
out:
	if (stats != NULL) {
		if (zp != NULL) {
			*stats = zp->st;
		} else {
			memset(stats, 0, sizeof(*stats));
		}
	}
	if (zp != NULL) {
		free(zp->gen_lhs);
		free(zp->gen_rhs);
		free(zp->gen_toks);
	}
	free(zp);
	free(zc);
	return rc;
}

int
zfile_parse(const char *path, const zfile_opts_t *opts, zfile_stats_t *stats)
{
	if (path == NULL || opts == NULL) {
		return SN_EINVAL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		char msg[ZF_MSGMAX];
		snprintf(msg, sizeof(msg), "cannot open: %s", strerror(e));
		emit_msg(opts, ZFILE_ERROR, path, 0, 0, msg);
		if (stats != NULL) {
			memset(stats, 0, sizeof(*stats));
			stats->errors = 1;
		}
		return SN_EIO;
	}
	char *dir = dir_of(path);
	if (dir == NULL && strchr(path, '/') != NULL) {
		close(fd);
		return SN_ENOMEM;
	}
	int rc = parse_top(path, dir, fd, NULL, 0, opts, stats);
	free(dir);
	close(fd);
	return rc;
}

int
zfile_parse_mem(const char *name, const char *text, size_t len, const zfile_opts_t *opts,
		zfile_stats_t *stats)
{
	if (opts == NULL || (text == NULL && len > 0)) {
		return SN_EINVAL;
	}
	return parse_top(name != NULL ? name : "<text>", NULL, -1, text, len, opts, stats);
}
