/* SPDX-License-Identifier: MIT
 * xfr.c - AXFR out.
 *
 * The transfer's state lives in a small heap object hung on the TCP query
 * (allocated once per transfer, not per message): the snapshot reference
 * and a cursor at node, RRset and record granularity, so a message can end
 * anywhere (RFC 5936 2.2: RRsets may span messages). Each message
 * compresses on its own.
 */
#include <stdlib.h>
#include <string.h>
#include <urcu-qsbr.h>
#include "server/resp.h"
#include "server/xfr.h"
#include "zone/rrtype.h"
#include "zone/wire.h"

enum phase { PH_START, PH_BODY, PH_END, PH_DONE };

typedef struct xfr_state {
	snap_t *snap;
	snap_iter_t it;
	uint16_t set;  /* RRset index in the current node */
	uint16_t sig;  /* 0: the RRset's records, 1: its RRSIGs */
	uint16_t rec;  /* record index in that set */
	enum phase phase;
	uint16_t id;
	uint8_t apex[DNAME_MAXLEN];
	uint8_t question[DNAME_MAXLEN + 4];
	size_t question_len;
	bool first;
} xfr_state_t;

#define RCODE_FORMERR 1
#define RCODE_NOTAUTH 9
#define RCODE_REFUSED 5

bool
xfr_is_transfer(const tcp_query_t *tq)
{
	query_info_t qi;
	if (query_parse_question(tq->q, tq->qlen, &qi) != SN_OK) {
		return false;
	}
	return (qi.flags & 0x7800) == 0 && (qi.qtype == RRTYPE_AXFR || qi.qtype == RRTYPE_IXFR);
}

static size_t
refuse(const query_info_t *qi, const uint8_t *q, uint8_t *resp, size_t cap, uint16_t rcode,
       query_stats_t *st)
{
	size_t qlen = qi->question_end - 12;
	if (cap < qi->question_end) {
		return 0;
	}
	memset(resp, 0, 12);
	wire_write_u16(resp, qi->id);
	wire_write_u16(resp + 2, (uint16_t)(0x8000 | (qi->flags & 0x7900) | rcode));
	wire_write_u16(resp + 4, 1);
	memcpy(resp + 12, q + 12, qlen);
	st->rcode[rcode]++;
	return qi->question_end;
}

enum step { STEP_WROTE, STEP_FULL, STEP_DONE };

/* Writes the next record into `r`. When it does not fit, the cursor stays
 * and the record goes in the next message. */
static enum step
put_next(xfr_state_t *x, resp_t *r)
{
	const snap_node_t *apex;
	const snap_rrset_t *soa;
	for (;;) {
		switch (x->phase) {
		case PH_START:
		case PH_END:
			apex = snap_apex_node(x->snap);
			soa = snap_node_rrset(apex, RRTYPE_SOA);
			if (resp_put_rrset(r, RESP_AN, apex->owner, soa, soa->ttl, false) != SN_OK) {
				return STEP_FULL;
			}
			x->phase = x->phase == PH_START ? PH_BODY : PH_DONE;
			return STEP_WROTE;
		case PH_DONE:
			return STEP_DONE;
		case PH_BODY:
			break;
		}
		const snap_node_t *n = snap_iter_node(&x->it);
		if (n == NULL) {
			x->phase = PH_END;
			continue;
		}
		if (x->set >= n->rrset_count) {
			snap_iter_next(&x->it);
			x->set = x->sig = x->rec = 0;
			continue;
		}
		const snap_rrset_t *rs = &n->rrsets[x->set];
		const snap_rrset_t *cur = x->sig == 0 ? rs : rs->rrsig;
		bool skip = (n->flags & SNAP_APEX) && rs->type == RRTYPE_SOA && x->sig == 0;
		if (cur == NULL || skip || x->rec >= cur->count) {
			if (x->sig == 0) {
				x->sig = 1;
			} else {
				x->set++;
				x->sig = 0;
			}
			x->rec = 0;
			continue;
		}
		/* find record x->rec of the set */
		const uint8_t *p = cur->rdata;
		for (uint16_t i = 0; i < x->rec; i++) {
			p += 2 + wire_read_u16(p);
		}
		uint16_t rdlen = wire_read_u16(p);
		resp_mark_t m = resp_mark(r);
		resp_put_name(r, n->owner, true);
		resp_put_u16(r, cur->type);
		resp_put_u16(r, RRCLASS_IN);
		resp_put_u32(r, cur->ttl);
		resp_put_rdata(r, cur->type, p + 2, rdlen);
		if (r->err != SN_OK) {
			resp_rollback(r, m);
			return STEP_FULL;
		}
		r->count[RESP_AN]++;
		x->rec++;
		return STEP_WROTE;
	}
}

size_t
xfr_answer(const query_view_t *view, tcp_query_t *tq, uint8_t *resp, size_t cap, bool *more,
	   query_stats_t *st)
{
	xfr_state_t *x = (xfr_state_t *)(uintptr_t)tq->state[0];
	*more = false;
	if (resp == NULL) {
		/* the connection went away mid-transfer */
		if (x != NULL) {
			snap_unref(x->snap);
			free(x);
			tq->state[0] = 0;
		}
		return 0;
	}
	if (x == NULL) {
		query_info_t qi;
		if (query_parse_question(tq->q, tq->qlen, &qi) != SN_OK) {
			return 0;
		}
		st->tcp++;
		zone_t *z = zonetab_get(view->zones, qi.qname);
		if (z == NULL) {
			bool inside = zonetab_find(view->zones, qi.qname) != NULL;
			return refuse(&qi, tq->q, resp, cap, inside ? RCODE_NOTAUTH : RCODE_REFUSED, st);
		}
		if (z->conf == NULL || !conf_zone_allows(z->conf, tq->from, CONF_ACT_TRANSFER)) {
			return refuse(&qi, tq->q, resp, cap, RCODE_REFUSED, st);
		}
		snap_t *s = rcu_dereference(z->snap);
		if (s == NULL || snap_node_rrset(snap_apex_node(s), RRTYPE_SOA) == NULL) {
			return refuse(&qi, tq->q, resp, cap, 2 /* SERVFAIL */, st);
		}
		x = calloc(1, sizeof(*x));
		if (x == NULL) {
			return refuse(&qi, tq->q, resp, cap, 2, st);
		}
		snap_ref(s);
		x->snap = s;
		snap_iter_first(&x->it, s);
		x->phase = PH_START;
		x->id = qi.id;
		x->first = true;
		x->question_len = qi.question_end - 12;
		memcpy(x->question, tq->q + 12, x->question_len);
		tq->state[0] = (uint64_t)(uintptr_t)x;
		st->rcode[0]++;
	}

	resp_t r;
	resp_init(&r, resp, cap);
	wire_write_u16(resp, x->id);
	wire_write_u16(resp + 2, 0x8000 | 0x0400); /* QR, AA */
	if (x->first) {
		/* RFC 5936 2.2.1: the question goes in the first message */
		resp_put_bytes(&r, x->question, x->question_len);
		for (size_t o = 0; x->question[o] != 0 && r.ncmp < RESP_MAX_CMP; o += x->question[o] + 1) {
			r.cmp[r.ncmp++] = (uint16_t)(12 + o);
		}
		wire_write_u16(resp + 4, 1);
		x->first = false;
	}
	while (r.count[RESP_AN] < 0xffff && put_next(x, &r) == STEP_WROTE) {
	}
	if (r.count[RESP_AN] == 0 && x->phase != PH_DONE) {
		/* a single record larger than a message: cannot be sent */
		snap_unref(x->snap);
		free(x);
		tq->state[0] = 0;
		return 0;
	}
	wire_write_u16(resp + 6, r.count[RESP_AN]);
	if (x->phase == PH_DONE) {
		snap_unref(x->snap);
		free(x);
		tq->state[0] = 0;
	} else {
		*more = true;
	}
	return r.len;
}
