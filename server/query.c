/* SPDX-License-Identifier: MIT
 * query.c - the answer logic.
 *
 * A response is written front to back into the caller's buffer by a small
 * writer that compresses names against every name already in the message
 * and can roll back to a mark: an RRset goes in whole or not at all (RFC
 * 2181 9), and when the answer or authority section does not fit, the
 * message falls back to its question with TC set. The additional section is
 * filled last and simply stops when full (RFC 2181 9: no TC for it). Room
 * for the OPT record is held back from the start, so EDNS answers always
 * carry it.
 *
 * DNSSEC (RFC 4035 3.1, RFC 5155 7.2): with DO set and a signed zone, every
 * RRset goes with its RRSIGs (the snapshot hangs them on the set), and
 * once the chain of names is resolved, the authority section gets the
 * denial records its end needs: NXDOMAIN, NODATA, the no-DS proof of a
 * referral, and the proofs that each wildcard expansion on the way was the
 * best match. Which NSEC/NSEC3 records are chosen follows knotd's choices,
 * so that the differential test can hold both servers to the same answers.
 * Proof records are part of the authority section: if they do not all fit,
 * the answer is truncated like any other (RFC 4035 3.1.1), never sent
 * with half a proof.
 */
#include "server/query.h"
#include "server/resp.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include "zone/wire.h"
#include <string.h>
#include <urcu-qsbr.h>

#define HDR_LEN 12
#define MAX_CHAIN 16  /* CNAME/DNAME links followed, as knotd and named do */
#define MAX_ADD 16    /* RRsets whose targets get additional records */
#define MAX_PROOFS (MAX_CHAIN + 8) /* NSEC/NSEC3 RRsets: 3 + one per wildcard */

#define FLAG_QR 0x8000
#define FLAG_AA 0x0400
#define FLAG_TC 0x0200
#define FLAG_RD 0x0100
#define FLAG_CD 0x0010
#define OPCODE(f) (((f) >> 11) & 0xf)

enum rcode {
	RCODE_NOERROR = 0,
	RCODE_FORMERR = 1,
	RCODE_SERVFAIL = 2,
	RCODE_NXDOMAIN = 3,
	RCODE_NOTIMP = 4,
	RCODE_REFUSED = 5,
	RCODE_YXDOMAIN = 6,
	RCODE_BADVERS = 16,
};

typedef struct add_src {
	const snap_t *snap;
	const snap_rrset_t *rrset;
} add_src_t;

/* How the chain of names ended, for the denial records (RFC 4035 3.1.3). */
enum end {
	END_NONE,     /* nothing to prove: an error, or out of the zones served */
	END_HIT,      /* the data asked for */
	END_NODATA,   /* the name exists, the type does not */
	END_NXDOMAIN, /* the name does not exist */
	END_REFERRAL, /* a zone cut: prove the DS or its absence */
};

/* A wildcard expansion on the way (RFC 4035 3.1.3.3, RFC 5155 7.2.6). */
typedef struct wild_hit {
	const snap_t *snap;
	const snap_node_t *node; /* the wildcard */
	const uint8_t *sname;    /* the name it answered for */
} wild_hit_t;

typedef struct ctx {
	resp_t w;
	const query_view_t *view;
	const uint8_t *q;
	size_t qlen;
	uint8_t qname[DNAME_MAXLEN]; /* as asked, case kept */
	size_t qname_len;
	uint16_t id, flags, qtype, qclass;
	size_t question_end;
	bool tcp;
	bool edns;
	bool do_bit;
	bool nsid;
	uint8_t edns_version;
	uint16_t udp_size; /* the client's */
	size_t max_len;    /* the message may never be longer: min(cap, size limit) */
	uint16_t rcode;
	bool aa;
	add_src_t add[MAX_ADD];
	unsigned nadd;
	/* names synthesised by DNAME live here for the rest of the answer */
	uint8_t synth[MAX_CHAIN][DNAME_MAXLEN];
	unsigned nsynth;
	/* where the chain ended, and the wildcards it went through */
	enum end end;
	const snap_t *end_snap;
	const uint8_t *end_name;
	const snap_node_t *end_node;     /* the match, the wildcard, or the cut */
	const snap_node_t *end_encloser; /* the closest encloser of end_name */
	wild_hit_t wild[MAX_CHAIN];
	unsigned nwild;
	/* NSEC/NSEC3 sets already written: each goes in once (RFC 2181 5) */
	const snap_rrset_t *proofs[MAX_PROOFS];
	unsigned nproofs;
} ctx_t;

/*
 * Parsing the query.
 */

static int
parse_question(const uint8_t *q, size_t qlen, query_info_t *qi)
{
	if (qlen < HDR_LEN) {
		return SN_EPARSE;
	}
	qi->id = wire_read_u16(q);
	qi->flags = wire_read_u16(q + 2);
	if (wire_read_u16(q + 4) != 1) {
		return SN_EPARSE;
	}
	size_t pos = HDR_LEN;
	/* the question is the first name: a pointer could only point into the
	 * header, which holds no name */
	if (dname_unpack(q, qlen, &pos, qi->qname, &qi->qname_len) != SN_OK || pos + 4 > qlen ||
	    pos - HDR_LEN != qi->qname_len) {
		return SN_EPARSE;
	}
	qi->qtype = wire_read_u16(q + pos);
	qi->qclass = wire_read_u16(q + pos + 2);
	qi->question_end = pos + 4;
	return SN_OK;
}

int
query_parse_question(const uint8_t *q, size_t qlen, query_info_t *out)
{
	query_info_t qi;
	int rc = parse_question(q, qlen, &qi);
	if (rc == SN_OK) {
		*out = qi;
	}
	return rc;
}

/* Takes the EDNS parameters of an OPT record (RFC 6891 6.1.2, 6.1.3).
 * Returns SN_OK or SN_EPARSE when its options overrun the RDATA. */
static int
take_opt(ctx_t *c, uint16_t rclass, uint32_t ttl, const uint8_t *rd, uint16_t rdlen)
{
	c->edns = true;
	c->udp_size = rclass < 512 ? 512 : rclass;
	c->edns_version = (uint8_t)(ttl >> 16);
	c->do_bit = (ttl & 0x8000) != 0;
	size_t o = 0;
	while (o < rdlen) {
		if (o + 4 > rdlen) {
			return SN_EPARSE;
		}
		uint16_t code = wire_read_u16(rd + o);
		uint16_t olen = wire_read_u16(rd + o + 2);
		if (o + 4 + olen > rdlen) {
			return SN_EPARSE;
		}
		if (code == 3) { /* NSID, RFC 5001 */
			c->nsid = true;
		}
		o += 4 + (size_t)olen;
	}
	return SN_OK;
}

/* Walks the records from `pos` (after `qd` questions when pos is the
 * header's end) and picks up the OPT record. Strict: SN_EPARSE for
 * anything malformed, a second OPT, OPT outside the additional section or
 * not at the root, records in the answer section, trailing octets. Lenient
 * (for error replies, which must carry an OPT when the query did: RFC 6891
 * 6.1.1): takes the first plausible OPT and stops quietly at any problem. */
static int
walk_records(ctx_t *c, size_t pos, unsigned qd, bool strict)
{
	const uint8_t *q = c->q;
	uint16_t an = wire_read_u16(q + 6), ns = wire_read_u16(q + 8), ar = wire_read_u16(q + 10);
	unsigned total = (unsigned)an + ns + ar;
	uint8_t name[DNAME_MAXLEN];
	size_t nlen;

	if (strict && an != 0) {
		return SN_EPARSE;
	}
	for (unsigned i = 0; i < qd; i++) {
		if (dname_unpack(q, c->qlen, &pos, name, &nlen) != SN_OK || pos + 4 > c->qlen) {
			return SN_EPARSE;
		}
		pos += 4;
	}
	for (unsigned i = 0; i < total; i++) {
		if (dname_unpack(q, c->qlen, &pos, name, &nlen) != SN_OK || pos + 10 > c->qlen) {
			return SN_EPARSE;
		}
		uint16_t type = wire_read_u16(q + pos);
		uint16_t rclass = wire_read_u16(q + pos + 2);
		uint32_t ttl = wire_read_u32(q + pos + 4);
		uint16_t rdlen = wire_read_u16(q + pos + 8);
		pos += 10;
		if (pos + rdlen > c->qlen) {
			return SN_EPARSE;
		}
		if (type == RRTYPE_OPT) {
			/* RFC 6891 6.1.1: one OPT, in the additional section, at the root */
			bool placed = i >= (unsigned)an + ns && nlen == 1;
			if (strict && (c->edns || !placed)) {
				return SN_EPARSE;
			}
			if (!c->edns && placed &&
			    take_opt(c, rclass, ttl, q + pos, rdlen) != SN_OK && strict) {
				return SN_EPARSE;
			}
		}
		pos += rdlen;
	}
	if (strict && pos != c->qlen) {
		return SN_EPARSE;
	}
	return SN_OK;
}

/* The OPT of a query that gets an error reply, if it has one. */
static void
find_opt_lenient(ctx_t *c)
{
	c->edns = c->do_bit = c->nsid = false;
	(void)walk_records(c, HDR_LEN, wire_read_u16(c->q + 4), false);
}

/*
 * Finishing the message.
 */

/* Octets held back for the OPT record: its fixed part. The NSID option
 * goes in only if there is room left once the answer is written, so a long
 * NSID can never push a reply past the client's size (RFC 6891 6.2.3). */
static size_t
opt_len(const ctx_t *c)
{
	return c->edns ? 11 : 0;
}

static void
put_opt(ctx_t *c)
{
	resp_t *w = &c->w;
	uint16_t our_size = c->view != NULL ? c->view->conf->udp_max_payload : 1232;
	w->limit = c->max_len; /* the room held back for it */
	resp_put_bytes(w, "", 1);
	resp_put_u16(w, RRTYPE_OPT);
	resp_put_u16(w, our_size);
	/* extended RCODE (upper 8 bits), version 0, DO echoed (RFC 3225) */
	resp_put_u32(w, ((uint32_t)(c->rcode >> 4) << 24) | (c->do_bit ? 0x8000u : 0));
	const char *nsid = c->view != NULL ? c->view->conf->nsid : NULL;
	size_t nsid_len = nsid != NULL ? c->view->conf->nsid_len : 0;
	if (c->nsid && nsid != NULL && w->len + 11 + 4 + nsid_len <= c->max_len) {
		size_t n = c->view->conf->nsid_len;
		resp_put_u16(w, (uint16_t)(4 + n));
		resp_put_u16(w, 3);
		resp_put_u16(w, (uint16_t)n);
		resp_put_bytes(w, nsid, n);
	} else {
		resp_put_u16(w, 0);
	}
	w->count[RESP_AR]++;
}

static size_t
finish(ctx_t *c, bool tc, query_stats_t *st)
{
	resp_t *w = &c->w;
	uint16_t flags = FLAG_QR | (c->flags & (0x7800 | FLAG_RD | FLAG_CD));
	if (c->aa) {
		flags |= FLAG_AA;
	}
	if (tc) {
		flags |= FLAG_TC;
		st->truncated++;
	}
	flags |= c->rcode & 0xf;
	if (c->edns) {
		put_opt(c);
	}
	wire_write_u16(w->buf, c->id);
	wire_write_u16(w->buf + 2, flags);
	wire_write_u16(w->buf + 6, w->count[RESP_AN]);
	wire_write_u16(w->buf + 8, w->count[RESP_NS]);
	wire_write_u16(w->buf + 10, w->count[RESP_AR]);
	st->rcode[c->rcode < QUERY_RCODE_MAX ? c->rcode : QUERY_RCODE_MAX - 1]++;
	return w->len;
}

/* Header and question only: the start of every answer and of errors. */
static void
restart(ctx_t *c, bool with_question)
{
	resp_t *w = &c->w;
	w->len = HDR_LEN;
	w->ncmp = 0;
	w->err = SN_OK;
	memset(w->count, 0, sizeof(w->count));
	memset(w->buf, 0, HDR_LEN);
	if (with_question) {
		/* the question as asked, case kept (it is never compressed: see
		 * parse_question) */
		memcpy(w->buf + HDR_LEN, c->q + HDR_LEN, c->question_end - HDR_LEN);
		w->len = c->question_end;
		wire_write_u16(w->buf + 4, 1);
		/* the question's labels are compression targets for the rest */
		for (size_t o = 0; c->qname[o] != 0 && w->ncmp < RESP_MAX_CMP;
		     o += c->qname[o] + 1) {
			w->cmp[w->ncmp++] = (uint16_t)(HDR_LEN + o);
		}
	}
}

static size_t
error_reply(ctx_t *c, uint16_t rcode, bool with_question, query_stats_t *st)
{
	c->rcode = rcode;
	c->aa = false;
	restart(c, with_question);
	return finish(c, false, st);
}

/*
 * The answer logic.
 */

static uint32_t
negative_ttl(const snap_rrset_t *soa)
{
	/* RFC 2308 5: the SOA's own TTL or its MINIMUM, whichever is less */
	const uint8_t *rd = soa->rdata + 2;
	uint16_t rdlen = wire_read_u16(soa->rdata);
	uint32_t minimum = wire_read_u32(rd + rdlen - 4);
	return soa->ttl < minimum ? soa->ttl : minimum;
}

static int
put_soa_authority(ctx_t *c, const snap_t *s)
{
	const snap_node_t *apex = snap_apex_node(s);
	const snap_rrset_t *soa = snap_node_rrset(apex, RRTYPE_SOA);
	if (soa == NULL) {
		return SN_OK;
	}
	return resp_put_rrset(&c->w, RESP_NS, apex->owner, soa, negative_ttl(soa), c->do_bit);
}

static void
want_additional(ctx_t *c, const snap_t *s, const snap_rrset_t *rs)
{
	if (c->nadd < MAX_ADD) {
		c->add[c->nadd].snap = s;
		c->add[c->nadd].rrset = rs;
		c->nadd++;
	}
}

/* Adds A and AAAA of in-zone targets of NS, MX and SRV RRsets (RFC 1035
 * 3.3.9, 3.3.11; RFC 2782), glue below zone cuts included. Stops quietly
 * when the message is full. */
static void
put_additional(ctx_t *c)
{
	const snap_node_t *done[32];
	unsigned ndone = 0;
	for (unsigned i = 0; i < c->nadd; i++) {
		const snap_rrset_t *rs = c->add[i].rrset;
		const snap_t *s = c->add[i].snap;
		const uint8_t *p = rs->rdata;
		for (uint16_t r = 0; r < rs->count; r++) {
			uint16_t rdlen = wire_read_u16(p);
			uint16_t off;
			const uint8_t *rd = p + 2;
			p += 2 + rdlen;
			if (rdata_name_offsets(rs->type, rd, rdlen, &off, 1) != 1) {
				continue;
			}
			const uint8_t *target = rd + off;
			if (target[0] == 0 || !dname_is_subdomain(target, snap_apex(s))) {
				continue;
			}
			const snap_node_t *n = snap_find(s, target);
			if (n == NULL) {
				continue;
			}
			bool seen = false;
			for (unsigned d = 0; d < ndone; d++) {
				seen = seen || done[d] == n;
			}
			if (seen) {
				continue;
			}
			if (ndone < 32) {
				done[ndone++] = n;
			}
			const snap_rrset_t *a = snap_node_rrset(n, RRTYPE_A);
			const snap_rrset_t *aaaa = snap_node_rrset(n, RRTYPE_AAAA);
			if (a != NULL && resp_put_rrset(&c->w, RESP_AR, n->owner, a, a->ttl,
			                                c->do_bit) != SN_OK) {
				return;
			}
			if (aaaa != NULL && resp_put_rrset(&c->w, RESP_AR, n->owner, aaaa,
			                                   aaaa->ttl, c->do_bit) != SN_OK) {
				return;
			}
		}
	}
}

static bool
has_targets(uint16_t type)
{
	/* RFC 1035 3.3.9, 3.3.11; RFC 2782; RFC 9460 4.2 (SVCB, HTTPS) */
	return type == RRTYPE_NS || type == RRTYPE_MX || type == RRTYPE_SRV ||
	       type == RRTYPE_SVCB || type == RRTYPE_HTTPS;
}

/* Builds "prefix of `name` above `owner`" + `target` for DNAME (RFC 6672
 * 2.2). Returns SN_OK or SN_ERANGE when the result is over 255 octets. */
static int
dname_substitute(const uint8_t *name, const uint8_t *owner, const uint8_t *target,
                 uint8_t out[DNAME_MAXLEN])
{
	size_t nlen = dname_len(name), olen = dname_len(owner), tlen = dname_len(target);
	size_t prefix = nlen - olen;
	if (prefix + tlen > DNAME_MAXLEN) {
		return SN_ERANGE;
	}
	memcpy(out, name, prefix);
	memcpy(out + prefix, target, tlen);
	return SN_OK;
}

/* Adds the referral for a name at or below `cut` (RFC 1034 4.3.2 step 3b):
 * NS in authority, glue in additional, AA clear. */
static int
put_referral(ctx_t *c, const snap_t *s, const snap_node_t *cut)
{
	const snap_rrset_t *ns = snap_node_rrset(cut, RRTYPE_NS);
	if (ns == NULL) {
		return SN_OK;
	}
	if (resp_put_rrset(&c->w, RESP_NS, cut->owner, ns, ns->ttl, false) != SN_OK) {
		return SN_ENOSPC;
	}
	/* RFC 4035 3.1.4: the DS RRset (signed) goes with a referral from a
	 * signed zone; its absence is proved once the chain is done */
	const snap_rrset_t *ds = snap_node_rrset(cut, RRTYPE_DS);
	if (c->do_bit && ds != NULL && snap_is_signed(s) &&
	    resp_put_rrset(&c->w, RESP_NS, cut->owner, ds, ds->ttl, true) != SN_OK) {
		return SN_ENOSPC;
	}
	want_additional(c, s, ns);
	return SN_OK;
}

/* Records where the chain of names ended. */
static void
set_end(ctx_t *c, enum end end, const snap_t *s, const uint8_t *name, const snap_node_t *node,
        const snap_node_t *encloser)
{
	c->end = end;
	c->end_snap = s;
	c->end_name = name;
	c->end_node = node;
	c->end_encloser = encloser;
}

/* Answers `qtype` at `node` for the name `owner` (the query name, or the
 * wildcard's expansion). Sets *next when the answer is a CNAME to follow,
 * and records how the answer ended (`encloser`: the name's closest
 * encloser). */
static int
answer_node(ctx_t *c, const snap_t *s, const snap_node_t *node, const uint8_t *owner,
            const snap_node_t *encloser, const uint8_t **next)
{
	*next = NULL;
	set_end(c, END_HIT, s, owner, node, encloser);
	if (c->qtype == RRTYPE_RRSIG) {
		/* RFC 4035 3.1.5: RRSIG is asked like any type, with DO or
		 * without; a CNAME beside the signatures is not followed (RFC
		 * 4035 2.5). One signed type's RRSIGs answer, those of the
		 * lowest type, as knotd does: like ANY (RFC 8482), a query for
		 * every signature of a name is a cheap amplifier, and a
		 * resolver never needs it (it gets RRSIGs with their sets). */
		uint16_t n;
		const snap_rrset_t *sigs = snap_node_sigs(node, &n);
		if (n > 0 &&
		    resp_put_rrset(&c->w, RESP_AN, owner, &sigs[0], sigs[0].ttl, false) != SN_OK) {
			return SN_ENOSPC;
		}
		if (n == 0) {
			set_end(c, END_NODATA, s, owner, node, encloser);
			return put_soa_authority(c, s);
		}
		return SN_OK;
	}
	if (c->qtype == RRTYPE_ANY) {
		/* RFC 8482 4.2: over UDP, one RRset is enough; over TCP, all */
		bool any = false;
		for (uint16_t i = 0; i < node->rrset_count; i++) {
			const snap_rrset_t *rs = &node->rrsets[i];
			if (rs->type == RRTYPE_RRSIG) {
				continue;
			}
			if (resp_put_rrset(&c->w, RESP_AN, owner, rs, rs->ttl, c->do_bit) !=
			    SN_OK) {
				return SN_ENOSPC;
			}
			any = true;
			if (!c->tcp) {
				break;
			}
		}
		if (!any) {
			set_end(c, END_NODATA, s, owner, node, encloser);
			return put_soa_authority(c, s);
		}
		return SN_OK;
	}
	const snap_rrset_t *rs = snap_node_rrset(node, c->qtype);
	if (rs != NULL) {
		if (resp_put_rrset(&c->w, RESP_AN, owner, rs, rs->ttl, c->do_bit) != SN_OK) {
			return SN_ENOSPC;
		}
		if (has_targets(rs->type)) {
			want_additional(c, s, rs);
		}
		return SN_OK;
	}
	/* RFC 4035 2.5: NSEC lives beside a CNAME and is asked for itself */
	const snap_rrset_t *cname =
	    c->qtype == RRTYPE_NSEC ? NULL : snap_node_rrset(node, RRTYPE_CNAME);
	if (cname != NULL) {
		if (resp_put_rrset(&c->w, RESP_AN, owner, cname, cname->ttl, c->do_bit) != SN_OK) {
			return SN_ENOSPC;
		}
		*next = cname->rdata + 2;
		return SN_OK;
	}
	/* NODATA (RFC 2308 2.2) */
	set_end(c, END_NODATA, s, owner, node, encloser);
	return put_soa_authority(c, s);
}

/* Answers for the zone found for c->qname; follows CNAME and DNAME chains
 * through every zone served. Returns SN_OK or SN_ENOSPC. */
/* True if `name` was already a link of the chain: a CNAME loop. The chain
 * stops there, each record of the loop sent once, as knotd does. */
static bool
chain_has(const uint8_t *const *chain, unsigned n, const uint8_t *name)
{
	for (unsigned i = 0; i < n; i++) {
		if (dname_is_equal(chain[i], name)) {
			return true;
		}
	}
	return false;
}

static int
answer(ctx_t *c, zone_t *zone)
{
	const uint8_t *name = c->qname;
	const uint8_t *chain[MAX_CHAIN];
	const snap_node_t *dnames[MAX_CHAIN];
	unsigned ndname = 0;
	for (unsigned link = 0; link < MAX_CHAIN; link++) {
		if (chain_has(chain, link, name)) {
			return SN_OK;
		}
		chain[link] = name;
		const snap_t *s = rcu_dereference(zone->snap);
		if (s == NULL) {
			if (link == 0) {
				c->rcode = RCODE_SERVFAIL; /* configured but not loaded */
				c->aa = false;
			}
			return SN_OK;
		}
		snap_lookup_t lk;
		snap_lookup(s, name, &lk);

		/* Below a zone cut, or at it unless DS is asked (RFC 4035 3.1.4.1:
		 * the parent answers DS): refer. In a chain, stop: the resolver
		 * follows the last link itself. */
		if (lk.cut != NULL && !(c->qtype == RRTYPE_DS && lk.match == lk.cut)) {
			if (link == 0) {
				c->aa = false;
			}
			/* after a CNAME, step 1 restarts and 3b refers (RFC 1034
			 * 4.3.2); the answer keeps the AA of its first name */
			set_end(c, END_REFERRAL, s, name, lk.cut, lk.encloser);
			return put_referral(c, s, lk.cut);
		}
		if (lk.dname != NULL) {
			const snap_rrset_t *dn = snap_node_rrset(lk.dname, RRTYPE_DNAME);
			/* a DNAME into its own subtree is passed again and again:
			 * its record goes in once (RFC 2181 5), the CNAMEs each once */
			bool sent = false;
			for (unsigned i = 0; i < ndname; i++) {
				sent = sent || dnames[i] == lk.dname;
			}
			if (!sent) {
				if (resp_put_rrset(&c->w, RESP_AN, lk.dname->owner, dn, dn->ttl,
				                   c->do_bit) != SN_OK) {
					return SN_ENOSPC;
				}
				dnames[ndname++] = lk.dname;
			}
			if (c->nsynth == MAX_CHAIN) {
				return SN_OK;
			}
			uint8_t *target = c->synth[c->nsynth++];
			if (dname_substitute(name, lk.dname->owner, dn->rdata + 2, target) !=
			    SN_OK) {
				c->rcode = RCODE_YXDOMAIN; /* RFC 6672 2.2 */
				return SN_OK;
			}
			/* the synthesised CNAME (RFC 6672 3.1), TTL of the DNAME */
			resp_mark_t m = resp_mark(&c->w);
			resp_put_name(&c->w, name, true);
			resp_put_u16(&c->w, RRTYPE_CNAME);
			resp_put_u16(&c->w, RRCLASS_IN);
			resp_put_u32(&c->w, dn->ttl);
			size_t lenpos = c->w.len;
			resp_put_u16(&c->w, 0);
			resp_put_name(&c->w, target, true);
			if (c->w.err != SN_OK) {
				resp_rollback(&c->w, m);
				return SN_ENOSPC;
			}
			wire_write_u16(c->w.buf + lenpos, (uint16_t)(c->w.len - lenpos - 2));
			c->w.count[RESP_AN]++;
			name = target;
		} else if (lk.match != NULL && !(lk.match->flags & SNAP_ENT)) {
			const uint8_t *next;
			int rc = answer_node(c, s, lk.match, name, lk.match, &next);
			if (rc != SN_OK || next == NULL) {
				return rc;
			}
			name = next;
		} else if (lk.match != NULL) {
			/* an empty non-terminal exists: NODATA, never NXDOMAIN (RFC 8020) */
			set_end(c, END_NODATA, s, name, lk.match, lk.match);
			return put_soa_authority(c, s);
		} else if (lk.encloser != NULL && (lk.encloser->flags & SNAP_WILDCARD_CHILD)) {
			uint8_t wild[DNAME_MAXLEN];
			size_t elen = lk.encloser->owner_len;
			if (elen + 2 > DNAME_MAXLEN) {
				return put_soa_authority(c, s);
			}
			wild[0] = 1;
			wild[1] = '*';
			memcpy(wild + 2, lk.encloser->owner, elen);
			const snap_node_t *wn = snap_find(s, wild);
			if (wn == NULL) {
				return put_soa_authority(c, s);
			}
			/* the expansion must be proved the best match (RFC 4035
			 * 3.1.3.3), once per wildcard, for the first name it
			 * answered (as knotd does) */
			bool seen = false;
			for (unsigned i = 0; i < c->nwild; i++) {
				seen = seen || c->wild[i].node == wn;
			}
			if (!seen && c->nwild < MAX_CHAIN) {
				c->wild[c->nwild++] =
				    (wild_hit_t){.snap = s, .node = wn, .sname = name};
			}
			if (wn->flags & SNAP_ENT) {
				/* RFC 4592 4.2: an empty non-terminal wildcard: NODATA */
				set_end(c, END_NODATA, s, name, wn, lk.encloser);
				return put_soa_authority(c, s);
			}
			/* RFC 4592 3.3.1: the answer's owner is the query name */
			const uint8_t *next;
			int rc = answer_node(c, s, wn, name, lk.encloser, &next);
			if (rc != SN_OK || next == NULL) {
				return rc;
			}
			name = next;
		} else {
			/* RFC 6604 2.1: the RCODE is that of the last name of a chain */
			c->rcode = RCODE_NXDOMAIN;
			set_end(c, END_NXDOMAIN, s, name, NULL, lk.encloser);
			return put_soa_authority(c, s);
		}

		/* Follow the chain into whichever served zone holds the target. */
		const query_view_t *v = c->view;
		zone_t *z = zonetab_find(v->zones, name);
		if (z == NULL) {
			return SN_OK;
		}
		zone = z;
	}
	return SN_OK;
}

/*
 * Authenticated denial (RFC 4035 3.1.3, RFC 5155 7.2).
 */

/* Adds the `type` (NSEC or NSEC3) RRset of `n` and its RRSIGs to the
 * authority section, unless it is there already or `n` has none. */
static int
put_denial(ctx_t *c, const snap_node_t *n, uint16_t type)
{
	const snap_rrset_t *rs = n != NULL ? snap_node_rrset(n, type) : NULL;
	if (rs == NULL) {
		return SN_OK;
	}
	for (unsigned i = 0; i < c->nproofs; i++) {
		if (c->proofs[i] == rs) {
			return SN_OK;
		}
	}
	if (resp_put_rrset(&c->w, RESP_NS, n->owner, rs, rs->ttl, true) != SN_OK) {
		return SN_ENOSPC;
	}
	if (c->nproofs < MAX_PROOFS) {
		c->proofs[c->nproofs++] = rs;
	}
	return SN_OK;
}

/* The NSEC3 whose hash is that of `name`, or NULL. */
static const snap_node_t *
nsec3_match(const snap_t *s, const uint8_t *name)
{
	bool match;
	const snap_node_t *n = snap_nsec3_lookup(s, name, &match);
	return match ? n : NULL;
}

/* The NSEC3 covering the hash of `name` (RFC 5155 7.2.1), or NULL when the
 * hash has an NSEC3 of its own. */
static const snap_node_t *
nsec3_cover(const snap_t *s, const uint8_t *name)
{
	bool match;
	const snap_node_t *n = snap_nsec3_lookup(s, name, &match);
	return match ? NULL : n;
}

/* The parent node of `n`, or NULL at the apex. */
static const snap_node_t *
parent_node(const snap_t *s, const snap_node_t *n)
{
	if (n->flags & SNAP_APEX) {
		return NULL;
	}
	return snap_find(s, dname_parent(n->owner));
}

/* The closest provable encloser from the closest encloser `n` (RFC 5155
 * 7.2.1): the first ancestor, `n` included, that is authoritative and has
 * an NSEC3; a delegation without one is an opt-out cut (RFC 5155 6). */
static const snap_node_t *
provable_encloser(const snap_t *s, const snap_node_t *n)
{
	while (n != NULL && !(n->flags & SNAP_APEX)) {
		bool optout = (n->flags & SNAP_DELEG) && nsec3_match(s, n->owner) == NULL;
		if (!(n->flags & SNAP_NONAUTH) && !optout) {
			break;
		}
		n = parent_node(s, n);
	}
	return n != NULL ? n : snap_apex_node(s);
}

/* The next closer name of `name` (RFC 5155 1.3): its ancestor one label
 * below `cpe`, or NULL if `name` is not below `cpe`. A suffix of `name`. */
static const uint8_t *
next_closer(const uint8_t *name, const snap_node_t *cpe)
{
	unsigned nl = dname_label_count(name), cl = dname_label_count(cpe->owner);
	if (nl <= cl) {
		return NULL;
	}
	for (unsigned i = nl - cl - 1; i > 0; i--) {
		name += name[0] + 1;
	}
	return name;
}

/* "*.<name>" in `out`; false when too long. */
static bool
wildcard_of(const uint8_t *name, uint8_t out[DNAME_MAXLEN])
{
	size_t len = dname_len(name);
	if (len + 2 > DNAME_MAXLEN) {
		return false;
	}
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, name, len);
	return true;
}

/* RFC 5155 7.2.1: the NSEC3 matching the closest provable encloser and
 * the one covering the next closer name. */
static int
put_closest_encloser_proof(ctx_t *c, const snap_t *s, const uint8_t *name, const snap_node_t *cpe)
{
	if (put_denial(c, nsec3_match(s, cpe->owner), RRTYPE_NSEC3) != SN_OK) {
		return SN_ENOSPC;
	}
	const uint8_t *nc = next_closer(name, cpe);
	if (nc == NULL) {
		return SN_OK;
	}
	return put_denial(c, nsec3_cover(s, nc), RRTYPE_NSEC3);
}

/* NXDOMAIN for `name` whose closest encloser is `enc`: RFC 4035 3.1.3.2
 * (the NSEC covering the name, the one covering the wildcard that could
 * have matched) or RFC 5155 7.2.2 (closest encloser proof and the NSEC3
 * covering the wildcard at the closest encloser). */
static int
put_nxdomain_proof(ctx_t *c, const snap_t *s, const uint8_t *name, const snap_node_t *enc)
{
	uint8_t wild[DNAME_MAXLEN];
	if (enc == NULL) {
		return SN_OK;
	}
	if (snap_has_nsec3(s)) {
		const snap_node_t *cpe = provable_encloser(s, enc);
		if (put_closest_encloser_proof(c, s, name, cpe) != SN_OK) {
			return SN_ENOSPC;
		}
		if (!wildcard_of(cpe->owner, wild)) {
			return SN_OK;
		}
		return put_denial(c, nsec3_cover(s, wild), RRTYPE_NSEC3);
	}
	if (put_denial(c, snap_nsec_prev(s, name), RRTYPE_NSEC) != SN_OK) {
		return SN_ENOSPC;
	}
	/* a wildcard that exists needs no proof: only an empty
	 * non-terminal's NODATA gets here with one (the name exists, so the
	 * wildcard cannot match it), and knotd sends nothing for it */
	if (!wildcard_of(enc->owner, wild) || snap_find(s, wild) != NULL) {
		return SN_OK;
	}
	return put_denial(c, snap_nsec_prev(s, wild), RRTYPE_NSEC);
}

/* NODATA at `node` for `name` (closest encloser `enc`): RFC 4035 3.1.3.1
 * (the NSEC of the name; an empty non-terminal has none, and is proved
 * as RFC 4035 3.1.3.2 would), or RFC 5155 7.2.3-7.2.5 (the NSEC3 matching
 * the name; for a wildcard, or a DS asked at an opt-out cut, the closest
 * encloser proof as well). Also the no-DS proof of a referral (RFC 4035
 * 3.1.4.1, RFC 5155 7.2.7). */
static int
put_nodata_proof(ctx_t *c, const snap_t *s, const uint8_t *name, const snap_node_t *node,
                 const snap_node_t *enc)
{
	if (!snap_has_nsec3(s)) {
		if (node->flags & SNAP_ENT) {
			return put_nxdomain_proof(c, s, name, node);
		}
		return put_denial(c, node, RRTYPE_NSEC);
	}
	const snap_node_t *own = nsec3_match(s, node->owner);
	if (put_denial(c, own, RRTYPE_NSEC3) != SN_OK) {
		return SN_ENOSPC;
	}
	bool expanded = dname_is_wildcard(node->owner) && !dname_is_wildcard(name);
	bool optout = (node->flags & SNAP_DELEG) && own == NULL;
	if ((expanded || optout) && enc != NULL) {
		return put_closest_encloser_proof(c, s, name, provable_encloser(s, enc));
	}
	return SN_OK;
}

/* RFC 4035 3.1.3.3, RFC 5155 7.2.6: no closer match than the wildcard. */
static int
put_wildcard_proof(ctx_t *c, const wild_hit_t *h)
{
	const snap_t *s = h->snap;
	if (!dname_is_wildcard(h->node->owner) || dname_is_wildcard(h->sname)) {
		return SN_OK; /* the wildcard itself was asked: no expansion */
	}
	if (!snap_has_nsec3(s)) {
		return put_denial(c, snap_nsec_prev(s, h->sname), RRTYPE_NSEC);
	}
	const snap_node_t *cpe = provable_encloser(s, parent_node(s, h->node));
	const uint8_t *nc = next_closer(h->sname, cpe);
	return nc != NULL ? put_denial(c, nsec3_cover(s, nc), RRTYPE_NSEC3) : SN_OK;
}

/* True if `s` proves denial at all: signed, with an NSEC3 chain in use or
 * an NSEC chain (which starts at the apex, RFC 4035 2.3). A zone with
 * neither gets no proofs, rather than a walk of the whole zone looking
 * for an NSEC that is not there. */
static bool
has_denial(const snap_t *s)
{
	return snap_is_signed(s) &&
	       (snap_has_nsec3(s) || snap_node_rrset(snap_apex_node(s), RRTYPE_NSEC) != NULL);
}

/* The denial records of the answer, for DO queries to signed zones. */
static int
put_dnssec_authority(ctx_t *c)
{
	const snap_t *s = c->end_snap;
	int rc = SN_OK;
	if (s != NULL && has_denial(s)) {
		switch (c->end) {
		case END_NXDOMAIN:
			rc = put_nxdomain_proof(c, s, c->end_name, c->end_encloser);
			break;
		case END_NODATA:
			rc = put_nodata_proof(c, s, c->end_name, c->end_node, c->end_encloser);
			break;
		case END_REFERRAL:
			if (snap_node_rrset(c->end_node, RRTYPE_DS) == NULL) {
				rc = put_nodata_proof(c, s, c->end_name, c->end_node,
				                      c->end_encloser);
			}
			break;
		default:
			break;
		}
	}
	/* a referral proves nothing of the data above the cut */
	for (unsigned i = 0; rc == SN_OK && c->end != END_REFERRAL && i < c->nwild; i++) {
		if (has_denial(c->wild[i].snap)) {
			rc = put_wildcard_proof(c, &c->wild[i]);
		}
	}
	return rc;
}

/* version.bind, hostname.bind, id.server and friends (CH TXT), when the
 * configuration gives them. */
static size_t
answer_chaos(ctx_t *c, query_stats_t *st)
{
	static const uint8_t version_bind[] = "\007version\004bind";
	static const uint8_t version_server[] = "\007version\006server";
	static const uint8_t hostname_bind[] = "\010hostname\004bind";
	static const uint8_t id_server[] = "\002id\006server";
	const conf_t *conf = c->view->conf;
	const char *text = NULL;

	if (dname_is_equal(c->qname, version_bind) || dname_is_equal(c->qname, version_server)) {
		text = conf->version;
	} else if (dname_is_equal(c->qname, hostname_bind) || dname_is_equal(c->qname, id_server)) {
		text = conf->identity;
	}
	if (text == NULL || (c->qtype != RRTYPE_TXT && c->qtype != RRTYPE_ANY)) {
		return error_reply(c, RCODE_REFUSED, true, st);
	}
	size_t len = strlen(text);
	if (len > 255) {
		len = 255;
	}
	c->aa = true;
	resp_put_name(&c->w, c->qname, true);
	resp_put_u16(&c->w, RRTYPE_TXT);
	resp_put_u16(&c->w, 3);
	resp_put_u32(&c->w, 0);
	resp_put_u16(&c->w, (uint16_t)(len + 1));
	uint8_t l = (uint8_t)len;
	resp_put_bytes(&c->w, &l, 1);
	resp_put_bytes(&c->w, text, len);
	if (c->w.err != SN_OK) {
		return error_reply(c, RCODE_SERVFAIL, true, st);
	}
	c->w.count[RESP_AN] = 1;
	return finish(c, false, st);
}

size_t
query_answer(const query_view_t *view, const uint8_t *q, size_t qlen, uint8_t *resp, size_t cap,
             const struct sockaddr *from, bool tcp, query_stats_t *st)
{
	ctx_t c;
	query_info_t qi;

	if (tcp) {
		st->tcp++;
	} else {
		st->udp++;
	}
	/* No header, or a response: never answer (RFC 1035 4.1.1; no loops). */
	if (qlen < HDR_LEN || (wire_read_u16(q + 2) & FLAG_QR) || cap < 512) {
		st->dropped++;
		return 0;
	}
	c.w.buf = resp;
	c.max_len = cap < 512 ? cap : 512;
	c.w.limit = c.max_len;
	c.view = view;
	c.q = q;
	c.qlen = qlen;
	c.id = wire_read_u16(q);
	c.flags = wire_read_u16(q + 2);
	c.tcp = tcp;
	c.edns = c.do_bit = c.nsid = false;
	c.udp_size = 512;
	c.rcode = RCODE_NOERROR;
	c.aa = false;
	c.nadd = 0;
	c.nsynth = 0;
	c.end = END_NONE;
	c.end_snap = NULL;
	c.nwild = 0;
	c.nproofs = 0;
	c.question_end = HDR_LEN;

	int parsed = parse_question(q, qlen, &qi);
	if (parsed == SN_OK) {
		memcpy(c.qname, qi.qname, qi.qname_len);
		c.qname_len = qi.qname_len;
		c.qtype = qi.qtype;
		c.qclass = qi.qclass;
		c.question_end = qi.question_end;
	}
	if (OPCODE(c.flags) != 0) {
		/* NOTIFY and UPDATE come with the transfer and update work */
		find_opt_lenient(&c);
		return error_reply(&c, RCODE_NOTIMP, parsed == SN_OK, st);
	}
	if (parsed != SN_OK) {
		find_opt_lenient(&c);
		return error_reply(&c, RCODE_FORMERR, false, st);
	}
	if (walk_records(&c, c.question_end, 0, true) != SN_OK) {
		find_opt_lenient(&c);
		return error_reply(&c, RCODE_FORMERR, true, st);
	}
	size_t limit = tcp ? 65535 : (c.edns ? c.udp_size : 512);
	if (!tcp && c.edns && limit > view->conf->udp_max_payload) {
		limit = view->conf->udp_max_payload > 512 ? view->conf->udp_max_payload : 512;
	}
	if (limit > cap) {
		limit = cap;
	}
	c.max_len = limit;
	c.w.limit = limit - opt_len(&c);
	if (c.edns && c.edns_version > 0) {
		return error_reply(&c, RCODE_BADVERS, true, st); /* RFC 6891 6.1.3 */
	}
	restart(&c, true);

	if (c.qclass == 3) {
		return answer_chaos(&c, st);
	}
	if (c.qclass != RRCLASS_IN && c.qclass != RRCLASS_ANY) {
		return error_reply(&c, RCODE_REFUSED, true, st);
	}
	if (c.qtype == RRTYPE_OPT || c.qtype == RRTYPE_TSIG || c.qtype == RRTYPE_TKEY) {
		return error_reply(&c, RCODE_FORMERR, true, st);
	}
	if (c.qtype == RRTYPE_AXFR || c.qtype == RRTYPE_IXFR) {
		/* transfers are answered over TCP by the transfer code */
		return error_reply(&c, tcp ? RCODE_REFUSED : RCODE_FORMERR, true, st);
	}
	if (c.qtype == 253 || c.qtype == 254) {
		return error_reply(&c, RCODE_NOTIMP, true, st); /* MAILB, MAILA */
	}
	zone_t *zone = zonetab_find(view->zones, c.qname);
	if (zone != NULL && c.qtype == RRTYPE_DS && c.qname[0] != 0 &&
	    dname_is_equal(zone->apex, c.qname)) {
		/* RFC 4035 3.1.4.1: DS belongs to the parent side of the cut */
		zone_t *parent = zonetab_find(view->zones, dname_parent(c.qname));
		if (parent != NULL) {
			zone = parent;
		}
	}
	if (zone == NULL) {
		return error_reply(&c, RCODE_REFUSED, true, st);
	}
	c.aa = true;
	if (answer(&c, zone) != SN_OK || (c.do_bit && put_dnssec_authority(&c) != SN_OK)) {
		/* RFC 2181 9: what had to go in did not fit */
		restart(&c, true);
		return finish(&c, true, st);
	}
	put_additional(&c);
	return finish(&c, false, st);
}
