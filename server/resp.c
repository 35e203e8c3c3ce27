/* SPDX-License-Identifier: MIT
 * resp.c - the message writer: compression, marks, whole RRsets.
 *
 * Compression looks for the longest suffix of a name among the labels
 * already written, comparing case-insensitively through pointers. A
 * response holds few names, so a linear scan over at most RESP_MAX_CMP
 * label offsets is cheaper than any index.
 */
#include <string.h>
#include "server/resp.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include "zone/wire.h"

#define MAX_NAME_OFFS 8

void
resp_init(resp_t *r, uint8_t *buf, size_t limit)
{
	r->buf = buf;
	r->limit = limit;
	r->len = 12;
	r->err = SN_OK;
	r->ncmp = 0;
	memset(r->count, 0, sizeof(r->count));
	memset(buf, 0, 12);
}


static bool
name_at_equals(const uint8_t *buf, size_t p, const uint8_t *s)
{
	for (;;) {
		while ((buf[p] & 0xc0) == 0xc0) {
			p = ((size_t)(buf[p] & 0x3f) << 8) | buf[p + 1];
		}
		uint8_t l = buf[p];
		if (l != *s) {
			return false;
		}
		if (l == 0) {
			return true;
		}
		for (uint8_t i = 1; i <= l; i++) {
			if (dname_lower_tab[buf[p + i]] != dname_lower_tab[s[i]]) {
				return false;
			}
		}
		p += (size_t)l + 1;
		s += l + 1;
	}
}

/* Writes `name`, compressed against the names already in the message when
 * `compress` is set (RFC 1035 4.1.4), and remembers its labels. */
void
resp_put_name(resp_t *w, const uint8_t *name, bool compress)
{
	if (w->err != SN_OK) {
		return;
	}
	const uint8_t *s = name;
	size_t ptr = 0;
	bool found = false;
	if (compress) {
		for (; *s != 0 && !found; s += *s + 1) {
			for (unsigned i = 0; i < w->ncmp; i++) {
				if (name_at_equals(w->buf, w->cmp[i], s)) {
					ptr = w->cmp[i];
					found = true;
					break;
				}
			}
			if (found) {
				break;
			}
		}
	} else {
		s = name + dname_len(name) - 1; /* the root label */
	}
	size_t prefix = (size_t)(s - name);
	size_t need = prefix + (found ? 2 : 1);
	if (w->len + need > w->limit) {
		w->err = SN_ENOSPC;
		return;
	}
	/* remember where each new label starts, for later names */
	for (size_t o = 0; o < prefix; o += name[o] + 1) {
		if (w->ncmp < RESP_MAX_CMP && w->len + o < 0x4000) {
			w->cmp[w->ncmp++] = (uint16_t)(w->len + o);
		}
	}
	memcpy(w->buf + w->len, name, prefix);
	w->len += prefix;
	if (found) {
		w->buf[w->len++] = (uint8_t)(0xc0 | (ptr >> 8));
		w->buf[w->len++] = (uint8_t)ptr;
	} else {
		w->buf[w->len++] = 0;
	}
}

void
resp_put_bytes(resp_t *w, const void *p, size_t n)
{
	if (w->err != SN_OK) {
		return;
	}
	if (w->len + n > w->limit) {
		w->err = SN_ENOSPC;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void
resp_put_u16(resp_t *w, uint16_t v)
{
	uint8_t b[2];
	wire_write_u16(b, v);
	resp_put_bytes(w, b, 2);
}

void
resp_put_u32(resp_t *w, uint32_t v)
{
	uint8_t b[4];
	wire_write_u32(b, v);
	resp_put_bytes(w, b, 4);
}

/* Writes RDATA, compressing the names of the RFC 1035 types. */
void
resp_put_rdata(resp_t *w, uint16_t type, const uint8_t *rd, uint16_t rdlen)
{
	size_t lenpos = w->len;
	resp_put_u16(w, 0);
	if (!rdata_has_compressible_names(type)) {
		resp_put_bytes(w, rd, rdlen);
	} else {
		uint16_t offs[MAX_NAME_OFFS];
		size_t n = rdata_name_offsets(type, rd, rdlen, offs, MAX_NAME_OFFS);
		size_t at = 0;
		for (size_t i = 0; i < n; i++) {
			resp_put_bytes(w, rd + at, offs[i] - at);
			resp_put_name(w, rd + offs[i], true);
			at = offs[i] + dname_len(rd + offs[i]);
		}
		resp_put_bytes(w, rd + at, rdlen - at);
	}
	if (w->err == SN_OK) {
		wire_write_u16(w->buf + lenpos, (uint16_t)(w->len - lenpos - 2));
	}
}

resp_mark_t
resp_mark(const resp_t *w)
{
	resp_mark_t m = {.len = w->len, .ncmp = w->ncmp};
	memcpy(m.count, w->count, sizeof(m.count));
	return m;
}

void
resp_rollback(resp_t *w, resp_mark_t m)
{
	w->len = m.len;
	w->ncmp = m.ncmp;
	memcpy(w->count, m.count, sizeof(m.count));
	w->err = SN_OK;
}

/* Writes every record of `rs` with owner `owner` (and its RRSIGs when
 * `sigs`), all or nothing. Returns SN_OK or SN_ENOSPC (nothing written). */
int
resp_put_rrset(resp_t *w, int sec, const uint8_t *owner, const snap_rrset_t *rs, uint32_t ttl,
	  bool sigs)
{
	resp_mark_t m = resp_mark(w);
	for (int pass = 0; pass < 2; pass++) {
		const snap_rrset_t *set = pass == 0 ? rs : rs->rrsig;
		if (set == NULL || (pass == 1 && !sigs)) {
			continue;
		}
		const uint8_t *p = set->rdata;
		for (uint16_t i = 0; i < set->count; i++) {
			uint16_t rdlen = wire_read_u16(p);
			resp_put_name(w, owner, true);
			resp_put_u16(w, set->type);
			resp_put_u16(w, RRCLASS_IN);
			resp_put_u32(w, pass == 0 ? ttl : set->ttl);
			resp_put_rdata(w, set->type, p + 2, rdlen);
			p += 2 + rdlen;
			w->count[sec]++;
		}
	}
	if (w->err != SN_OK) {
		resp_rollback(w, m);
		return SN_ENOSPC;
	}
	return SN_OK;
}

