/* SPDX-License-Identifier: MIT
 * zupdate.c - a change to one zone written as text, checked against its
 * snapshot (see zupdate.h).
 *
 * The lines are applied to a small model of the RRsets they touch, each
 * loaded from the snapshot the first time a line names it; the difference
 * between that model and the snapshot is the change. A change touches few
 * RRsets, so the model is a plain array searched linearly.
 */
#include "server/zupdate.h"

#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include "zone/wire.h"
#include "zone/zfile.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct zu_rr {
	uint8_t *rd;    /* as written or stored */
	uint8_t *canon; /* canonical form (RFC 4034 6.2), for comparing */
	uint16_t len;
	bool orig; /* in the snapshot */
	bool live; /* in the zone after the change */
};

struct zu_set {
	uint8_t owner[DNAME_MAXLEN]; /* case as stored, or as first written */
	uint8_t key[DNAME_MAXLEN];   /* lower case */
	uint16_t type;
	uint32_t ttl_orig, ttl;
	unsigned line; /* the last line that touched it */
	struct zu_rr *rr;
	size_t n, cap;
};

struct zu {
	const snap_t *cur;
	const uint8_t *apex;
	struct zu_set *sets;
	size_t nsets, cap;
	unsigned line;
	char *err;
	zupdate_t *out;
};

static int zu_fail(struct zu *z, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
zu_fail(struct zu *z, int rc, const char *fmt, ...)
{
	int n = snprintf(z->err, ZUPDATE_ERRLEN, "line %u: ", z->line);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && n < ZUPDATE_ERRLEN) {
		vsnprintf(z->err + n, ZUPDATE_ERRLEN - (size_t)n, fmt, ap);
	}
	va_end(ap);
	return rc;
}

/* Types a change by hand may not name: the signer makes them. */
static bool
is_signer_type(uint16_t type)
{
	return type == RRTYPE_RRSIG || type == RRTYPE_NSEC || type == RRTYPE_NSEC3 ||
	       type == RRTYPE_NSEC3PARAM || type == RRTYPE_DNSKEY;
}

static int
rr_push(struct zu_set *set, const uint8_t *rd, uint16_t len, bool orig)
{
	if (set->n == set->cap) {
		size_t cap = set->cap == 0 ? 4 : set->cap * 2;
		struct zu_rr *rr = realloc(set->rr, cap * sizeof(*rr));
		if (rr == NULL) {
			return SN_ENOMEM;
		}
		set->rr = rr;
		set->cap = cap;
	}
	uint8_t *buf = malloc(2 * (size_t)len + 2);
	if (buf == NULL) {
		return SN_ENOMEM;
	}
	memcpy(buf, rd, len);
	memcpy(buf + len + 1, rd, len);
	rdata_to_canonical(set->type, buf + len + 1, len);
	set->rr[set->n++] = (struct zu_rr){
		.rd = buf, .canon = buf + len + 1, .len = len, .orig = orig, .live = orig};
	return SN_OK;
}

/* The RRset (owner, type) of the model, loaded from the snapshot the first
 * time. */
static int
set_get(struct zu *z, const uint8_t *owner, uint16_t type, struct zu_set **out)
{
	uint8_t key[DNAME_MAXLEN];
	size_t olen = dname_len(owner);
	memcpy(key, owner, olen);
	dname_to_lower(key);
	for (size_t i = 0; i < z->nsets; i++) {
		if (z->sets[i].type == type && dname_is_equal(z->sets[i].key, key)) {
			z->sets[i].line = z->line;
			*out = &z->sets[i];
			return SN_OK;
		}
	}
	if (z->nsets == z->cap) {
		size_t cap = z->cap == 0 ? 16 : z->cap * 2;
		struct zu_set *s = realloc(z->sets, cap * sizeof(*s));
		if (s == NULL) {
			return SN_ENOMEM;
		}
		z->sets = s;
		z->cap = cap;
	}
	struct zu_set *set = &z->sets[z->nsets++];
	memset(set, 0, sizeof(*set));
	memcpy(set->key, key, olen);
	memcpy(set->owner, owner, olen);
	set->type = type;
	set->line = z->line;
	const snap_node_t *node = snap_find(z->cur, owner);
	const snap_rrset_t *rs = node != NULL ? snap_node_rrset(node, type) : NULL;
	if (node != NULL) {
		memcpy(set->owner, node->owner, node->owner_len);
	}
	if (rs != NULL) {
		set->ttl_orig = set->ttl = rs->ttl;
		const uint8_t *p = rs->rdata;
		for (uint16_t i = 0; i < rs->count; i++) {
			uint16_t len = wire_read_u16(p);
			int rc = rr_push(set, p + 2, len, true);
			if (rc != SN_OK) {
				return rc;
			}
			p += 2 + (size_t)len;
		}
	}
	*out = set;
	return SN_OK;
}

static size_t
live_count(const struct zu_set *set)
{
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++) {
		n += set->rr[i].live;
	}
	return n;
}

static struct zu_rr *
rr_find(struct zu_set *set, const uint8_t *canon, uint16_t len)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->rr[i].len == len && memcmp(set->rr[i].canon, canon, len) == 0) {
			return &set->rr[i];
		}
	}
	return NULL;
}

/* ---- one record from text ---- */

struct one_rr {
	struct zu *z;
	unsigned count;
	uint8_t owner[DNAME_MAXLEN];
	uint16_t type, rclass, rdlen;
	uint32_t ttl;
	uint8_t rdata[RDATA_MAXLEN];
	bool failed;
};

static int
one_rr_cb(void *ctx, const zfile_rr_t *rr)
{
	struct one_rr *o = ctx;
	if (o->count++ > 0) {
		return SN_OK;
	}
	memcpy(o->owner, rr->owner, dname_len(rr->owner));
	o->type = rr->type;
	o->rclass = rr->rclass;
	o->ttl = rr->ttl;
	o->rdlen = rr->rdlen;
	memcpy(o->rdata, rr->rdata, rr->rdlen);
	return SN_OK;
}

static void
one_rr_msg(void *ctx, zfile_sev_t sev, const char *file, uint32_t line, uint32_t col,
	   const char *msg)
{
	struct one_rr *o = ctx;
	(void)file;
	(void)line;
	if (sev == ZFILE_ERROR && !o->failed) {
		o->failed = true;
		(void)zu_fail(o->z, SN_EPARSE, "column %u: %s", col, msg);
	}
}

/* Cuts `s` (`len` octets) into at most `max` blank-separated tokens before
 * a comment; returns how many there were (possibly more than `max`). */
static size_t
tokens(const char *s, size_t len, const char **tok, size_t *tlen, size_t max)
{
	size_t n = 0, i = 0;
	while (i < len) {
		while (i < len && (s[i] == ' ' || s[i] == '\t')) {
			i++;
		}
		if (i == len || s[i] == ';') {
			break;
		}
		size_t start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t') {
			i++;
		}
		if (n < max) {
			tok[n] = s + start;
			tlen[n] = i - start;
		}
		n++;
	}
	return n;
}

static int
parse_rr(struct zu *z, const char *text, size_t len, struct one_rr *o)
{
	zfile_opts_t opts = {.origin = z->apex,
			     .default_ttl = 1,
			     .max_errors = 1,
			     .allow_include = false,
			     .on_rr = one_rr_cb,
			     .on_msg = one_rr_msg,
			     .ctx = o};
	zfile_stats_t st;
	o->z = z;
	if (len > 0 && (text[0] == '$' || text[0] == '(')) {
		return zu_fail(z, SN_EPARSE, "a record must start with its owner name");
	}
	int rc = zfile_parse_mem("zone-update", text, len, &opts, &st);
	if (o->failed) {
		return SN_EPARSE;
	}
	if (rc != SN_OK) {
		return zu_fail(z, rc, "cannot read the record: %s", sn_strerror(rc));
	}
	if (o->count != 1) {
		return zu_fail(z, SN_EPARSE, "expected one record, found %u", o->count);
	}
	return SN_OK;
}

static int
check_name(struct zu *z, const uint8_t *owner)
{
	if (!dname_is_subdomain(owner, z->apex)) {
		char t[DNAME_MAXTEXT];
		(void)dname_to_text(owner, t, sizeof(t));
		return zu_fail(z, SN_EINVAL, "%s is not in the zone", t);
	}
	return SN_OK;
}

static int
check_type(struct zu *z, uint16_t type, const uint8_t *owner, bool del)
{
	char t[RRTYPE_MAXTEXT];
	(void)rrtype_to_text(type, t, sizeof(t));
	if (rrtype_is_meta(type)) {
		return zu_fail(z, SN_EINVAL, "%s is not a type a zone holds", t);
	}
	if (is_signer_type(type)) {
		return zu_fail(z, SN_EINVAL, "%s records are the signer's, not a change's", t);
	}
	bool apex = dname_is_equal(owner, z->apex);
	if (type == RRTYPE_SOA && (!apex || del)) {
		return zu_fail(z, SN_EINVAL,
			       apex ? "the SOA cannot be deleted" : "a SOA belongs at the apex only");
	}
	return SN_OK;
}

/* ---- the lines ---- */

static int
do_add(struct zu *z, const char *text, size_t len)
{
	const char *tok[4];
	size_t tl[4];
	size_t nt = tokens(text, len, tok, tl, 4);
	struct one_rr *o = calloc(1, sizeof(*o));
	int rc;
	if (o == NULL) {
		return SN_ENOMEM;
	}
	if ((rc = parse_rr(z, text, len, o)) != SN_OK || (rc = check_name(z, o->owner)) != SN_OK ||
	    (rc = check_type(z, o->type, o->owner, false)) != SN_OK) {
		goto out;
	}
	/* was a TTL written? It is the second or third token (RFC 1035 5.1:
	 * owner, then TTL and class in either order) */
	bool has_ttl = false;
	for (size_t i = 1; i < nt && i < 3; i++) {
		uint32_t ttl;
		uint16_t cls;
		if (rrclass_from_text(tok[i], tl[i], &cls) == SN_OK) {
			continue;
		}
		if (zfile_parse_ttl(tok[i], tl[i], &ttl) != SN_OK) {
			break; /* the type: what follows is RDATA */
		}
		has_ttl = true;
	}
	if (o->type == RRTYPE_SOA) {
		if (o->rdlen > sizeof(z->out->soa_rdata)) {
			rc = zu_fail(z, SN_EINVAL, "SOA too long");
			goto out;
		}
		const snap_rrset_t *cur = snap_node_rrset(snap_apex_node(z->cur), RRTYPE_SOA);
		z->out->soa_changed = true;
		z->out->soa_ttl = has_ttl || cur == NULL ? o->ttl : cur->ttl;
		z->out->soa_rdlen = o->rdlen;
		memcpy(z->out->soa_rdata, o->rdata, o->rdlen);
		goto out;
	}
	struct zu_set *set;
	if ((rc = set_get(z, o->owner, o->type, &set)) != SN_OK) {
		goto out;
	}
	if (has_ttl) {
		set->ttl = o->ttl; /* RFC 2181 5.2: one TTL for the RRset */
	} else if (live_count(set) == 0) {
		const snap_rrset_t *soa = snap_node_rrset(snap_apex_node(z->cur), RRTYPE_SOA);
		set->ttl = soa != NULL ? soa->ttl : 3600;
	}
	uint8_t canon[RDATA_MAXLEN];
	memcpy(canon, o->rdata, o->rdlen);
	rdata_to_canonical(o->type, canon, o->rdlen);
	struct zu_rr *rr = rr_find(set, canon, o->rdlen);
	if (rr != NULL) {
		rr->live = true;
	} else {
		rc = rr_push(set, o->rdata, o->rdlen, false);
		if (rc == SN_OK) {
			set->rr[set->n - 1].live = true;
		}
	}
out:
	free(o);
	return rc;
}

/* Deletes the records of `set` (all of them, or the one equal to `canon`). */
static void
set_delete(struct zu_set *set, const uint8_t *canon, uint16_t len)
{
	for (size_t i = 0; i < set->n; i++) {
		if (canon == NULL ||
		    (set->rr[i].len == len && memcmp(set->rr[i].canon, canon, len) == 0)) {
			set->rr[i].live = false;
		}
	}
}

static int
do_del(struct zu *z, const char *text, size_t len)
{
	const char *tok[3];
	size_t tl[3];
	size_t nt = tokens(text, len, tok, tl, 3);
	uint8_t owner[DNAME_MAXLEN];
	size_t olen;
	uint16_t type;
	struct zu_set *set;
	int rc;

	if (nt == 0) {
		return zu_fail(z, SN_EPARSE, "del: which name?");
	}
	bool rrset = nt == 2 && rrtype_from_text(tok[1], tl[1], &type) == SN_OK;
	if (nt == 1 || rrset) {
		if (dname_from_text(tok[0], tl[0], z->apex, owner, &olen) != SN_OK) {
			return zu_fail(z, SN_EPARSE, "'%.*s' is not a domain name", (int)tl[0],
				       tok[0]);
		}
		if ((rc = check_name(z, owner)) != SN_OK) {
			return rc;
		}
		bool apex = dname_is_equal(owner, z->apex);
		if (rrset) {
			if ((rc = check_type(z, type, owner, true)) != SN_OK) {
				return rc;
			}
			if (apex && type == RRTYPE_NS) {
				return zu_fail(z, SN_EINVAL, "the apex NS RRset cannot be deleted");
			}
			if ((rc = set_get(z, owner, type, &set)) != SN_OK) {
				return rc;
			}
			set_delete(set, NULL, 0);
			return SN_OK;
		}
		/* the whole name: every type the model or the snapshot has */
		const snap_node_t *node = snap_find(z->cur, owner);
		for (uint16_t i = 0; node != NULL && i < node->rrset_count; i++) {
			uint16_t t = node->rrsets[i].type;
			if (is_signer_type(t) || (apex && (t == RRTYPE_SOA || t == RRTYPE_NS))) {
				continue;
			}
			if ((rc = set_get(z, owner, t, &set)) != SN_OK) {
				return rc;
			}
		}
		uint8_t key[DNAME_MAXLEN];
		memcpy(key, owner, olen);
		dname_to_lower(key);
		for (size_t i = 0; i < z->nsets; i++) {
			struct zu_set *s = &z->sets[i];
			if (dname_is_equal(s->key, key) &&
			    !(apex && (s->type == RRTYPE_SOA || s->type == RRTYPE_NS))) {
				set_delete(s, NULL, 0);
			}
		}
		return SN_OK;
	}
	struct one_rr *o = calloc(1, sizeof(*o));
	if (o == NULL) {
		return SN_ENOMEM;
	}
	if ((rc = parse_rr(z, text, len, o)) == SN_OK && (rc = check_name(z, o->owner)) == SN_OK &&
	    (rc = check_type(z, o->type, o->owner, true)) == SN_OK &&
	    (rc = set_get(z, o->owner, o->type, &set)) == SN_OK) {
		rdata_to_canonical(o->type, o->rdata, o->rdlen);
		set_delete(set, o->rdata, o->rdlen);
	}
	free(o);
	return rc;
}

/* ---- checks on the result ---- */

/* Is `type` present at the name of `set` after the change? */
static bool
type_after(struct zu *z, const struct zu_set *set, uint16_t type)
{
	for (size_t i = 0; i < z->nsets; i++) {
		if (z->sets[i].type == type && dname_is_equal(z->sets[i].key, set->key)) {
			return live_count(&z->sets[i]) > 0;
		}
	}
	const snap_node_t *node = snap_find(z->cur, set->key);
	return node != NULL && snap_node_rrset(node, type) != NULL;
}

/* Does the name of `set` hold anything but `type` (and DNSSEC records)
 * after the change? */
static bool
other_data_after(struct zu *z, const struct zu_set *set, uint16_t type)
{
	const snap_node_t *node = snap_find(z->cur, set->key);
	for (uint16_t i = 0; node != NULL && i < node->rrset_count; i++) {
		uint16_t t = node->rrsets[i].type;
		if (t != type && !is_signer_type(t) && type_after(z, set, t)) {
			return true;
		}
	}
	for (size_t i = 0; i < z->nsets; i++) {
		const struct zu_set *s = &z->sets[i];
		if (s->type != type && dname_is_equal(s->key, set->key) && live_count(s) > 0) {
			return true;
		}
	}
	return false;
}

static int
check_result(struct zu *z)
{
	for (size_t i = 0; i < z->nsets; i++) {
		struct zu_set *s = &z->sets[i];
		size_t live = live_count(s);
		z->line = s->line;
		if (live == 0) {
			if (s->type == RRTYPE_NS && dname_is_equal(s->key, z->apex)) {
				return zu_fail(z, SN_EINVAL, "the apex must keep an NS record");
			}
			continue;
		}
		if ((s->type == RRTYPE_CNAME || s->type == RRTYPE_DNAME) && live > 1) {
			return zu_fail(z, SN_EINVAL, "a name holds one %s record at most",
				       s->type == RRTYPE_CNAME ? "CNAME" : "DNAME");
		}
		if (s->type == RRTYPE_CNAME && other_data_after(z, s, RRTYPE_CNAME)) {
			return zu_fail(z, SN_EINVAL,
				       "a CNAME cannot stand beside other data (RFC 1034 3.6.2)");
		}
		if (s->type != RRTYPE_CNAME && type_after(z, s, RRTYPE_CNAME)) {
			return zu_fail(z, SN_EINVAL,
				       "the name holds a CNAME: no other data (RFC 1034 3.6.2)");
		}
	}
	return SN_OK;
}

static int
emit(rrlist_t *l, const struct zu_set *s, const struct zu_rr *rr, uint32_t ttl)
{
	zfile_rr_t r = {.owner = s->owner,
			.type = s->type,
			.rclass = RRCLASS_IN,
			.ttl = ttl,
			.rdlen = rr->len,
			.rdata = rr->rd,
			.file = "zone-update"};
	return rrlist_add(l, &r);
}

static int
build_lists(struct zu *z)
{
	zupdate_t *u = z->out;
	for (size_t i = 0; i < z->nsets; i++) {
		const struct zu_set *s = &z->sets[i];
		bool ttl_moved = s->ttl != s->ttl_orig;
		for (size_t j = 0; j < s->n; j++) {
			const struct zu_rr *rr = &s->rr[j];
			int rc = SN_OK;
			if (rr->orig && (!rr->live || ttl_moved)) {
				rc = emit(u->removed, s, rr, s->ttl_orig);
			}
			if (rc == SN_OK && rr->live && (!rr->orig || ttl_moved)) {
				rc = emit(u->added, s, rr, s->ttl);
			}
			if (rc != SN_OK) {
				return rc;
			}
		}
	}
	int rc = rrlist_sort(u->removed);
	return rc == SN_OK ? rrlist_sort(u->added) : rc;
}

/* A new SOA with the same fields as the current one (serial aside) is no
 * change. */
static void
soa_settle(const snap_t *cur, zupdate_t *u)
{
	const snap_rrset_t *soa = snap_node_rrset(snap_apex_node(cur), RRTYPE_SOA);
	if (!u->soa_changed || soa == NULL || soa->count != 1) {
		return;
	}
	uint16_t len = wire_read_u16(soa->rdata);
	const uint8_t *rd = soa->rdata + 2;
	if (len == u->soa_rdlen && len >= 20 && soa->ttl == u->soa_ttl &&
	    memcmp(rd, u->soa_rdata, len - 20u) == 0 &&
	    memcmp(rd + len - 16, u->soa_rdata + len - 16, 16) == 0) {
		u->soa_changed = false;
	}
}

int
zupdate_build(const snap_t *cur, const char *text, size_t len, zupdate_t *out,
	      char err[ZUPDATE_ERRLEN])
{
	zupdate_t u = {.removed = rrlist_new(), .added = rrlist_new()};
	struct zu z = {.cur = cur, .apex = snap_apex(cur), .err = err, .out = &u};
	int rc = u.removed != NULL && u.added != NULL ? SN_OK : SN_ENOMEM;
	unsigned changes = 0;

	err[0] = '\0';
	for (size_t pos = 0; rc == SN_OK && pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		const char *s = text + pos;
		size_t n = end - pos;
		pos = end + 1;
		z.line++;
		if (n > 0 && s[n - 1] == '\r') {
			n--;
		}
		while (n > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (n == 0 || *s == ';') {
			continue;
		}
		if (++changes > ZUPDATE_MAX_LINES) {
			rc = zu_fail(&z, SN_ERANGE, "more than %u changes at once",
				     ZUPDATE_MAX_LINES);
			break;
		}
		size_t w = 0;
		while (w < n && s[w] != ' ' && s[w] != '\t') {
			w++;
		}
		const char *rest = s + w;
		size_t rlen = n - w;
		while (rlen > 0 && (*rest == ' ' || *rest == '\t')) {
			rest++;
			rlen--;
		}
		if (w == 3 && memcmp(s, "add", 3) == 0) {
			rc = do_add(&z, rest, rlen);
		} else if (w == 3 && memcmp(s, "del", 3) == 0) {
			rc = do_del(&z, rest, rlen);
		} else {
			rc = zu_fail(&z, SN_EPARSE, "'%.*s': a change is 'add RR' or 'del ...'",
				     (int)(w > 32 ? 32 : w), s);
		}
	}
	if (rc == SN_OK) {
		rc = check_result(&z);
	}
	if (rc == SN_OK) {
		rc = build_lists(&z);
	}
	if (rc == SN_ENOMEM && err[0] == '\0') {
		snprintf(err, ZUPDATE_ERRLEN, "out of memory");
	}
	for (size_t i = 0; i < z.nsets; i++) {
		for (size_t j = 0; j < z.sets[i].n; j++) {
			free(z.sets[i].rr[j].rd);
		}
		free(z.sets[i].rr);
	}
	free(z.sets);
	if (rc != SN_OK) {
		zupdate_free(&u);
		return rc;
	}
	soa_settle(cur, &u);
	*out = u;
	return SN_OK;
}

void
zupdate_free(zupdate_t *u)
{
	if (u == NULL) {
		return;
	}
	rrlist_free(u->removed);
	rrlist_free(u->added);
	u->removed = u->added = NULL;
}

bool
zupdate_is_empty(const zupdate_t *u)
{
	return rrlist_count(u->removed) == 0 && rrlist_count(u->added) == 0 && !u->soa_changed;
}
