/* SPDX-License-Identifier: MIT
 * zprint.c - canonical presentation of a zone.
 *
 * Printing a million-name zone must take well under a second, so lines are
 * formatted straight into one large output buffer (RDATA included: the
 * buffer always has room for the longest line before a record is
 * formatted), the owner text is made once per name, and the buffer goes to
 * the FILE in big writes.
 */
#include <stdlib.h>
#include <string.h>
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include "zone/zprint.h"

#define OUT_CAP (2 * (size_t)ZPRINT_LINE_MAX)

static size_t
put_u32(char *p, uint32_t v)
{
	char tmp[10];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n; i++) {
		p[i] = tmp[n - 1 - i];
	}
	return n;
}

/* Writes the fields after the owner: "\tTTL\tCLASS\tTYPE\trdata\n". */
static int
put_fields(const rrlist_rr_t *rr, char *buf, size_t cap)
{
	size_t n = 0;
	if (cap < 3 * RRTYPE_MAXTEXT + 16) {
		return SN_ENOSPC;
	}
	buf[n++] = '\t';
	n += put_u32(buf + n, rr->ttl);
	buf[n++] = '\t';
	int k = rrclass_to_text(rr->rclass, buf + n, RRTYPE_MAXTEXT);
	if (k < 0) {
		return SN_ENOSPC;
	}
	n += (size_t)k;
	buf[n++] = '\t';
	k = rrtype_to_text(rr->type, buf + n, RRTYPE_MAXTEXT);
	if (k < 0) {
		return SN_ENOSPC;
	}
	n += (size_t)k;
	buf[n++] = '\t';
	k = rdata_to_text(rr->type, rr->rdata, rr->rdlen, buf + n, cap - n - 1);
	if (k < 0) {
		return k;
	}
	n += (size_t)k;
	if (cap - n < 2) {
		return SN_ENOSPC;
	}
	buf[n++] = '\n';
	buf[n] = '\0';
	return (int)n;
}

int
zprint_rr(const rrlist_rr_t *rr, const uint8_t *owner, char *buf, size_t cap)
{
	int n = dname_to_text(owner, buf, cap);
	if (n < 0) {
		return n;
	}
	int k = put_fields(rr, buf + n, cap - (size_t)n);
	if (k < 0) {
		return k;
	}
	return n + k;
}

static int
flush(FILE *f, const char *buf, size_t len)
{
	if (len > 0 && fwrite(buf, 1, len, f) != len) {
		return SN_EIO;
	}
	return SN_OK;
}

int
zprint_list(const rrlist_t *l, FILE *f)
{
	size_t n = rrlist_count(l);
	char owner[DNAME_MAXTEXT];
	size_t olen = 0;
	int rc = SN_OK;
	char *out = malloc(OUT_CAP);
	size_t used = 0;

	if (out == NULL) {
		return SN_ENOMEM;
	}
	for (size_t i = 0; i < n;) {
		size_t j = rrlist_owner_end(l, i);
		/* the owner as first written */
		size_t first = i;
		uint32_t seq = rrlist_get(l, i).seq;
		for (size_t k = i + 1; k < j; k++) {
			uint32_t s = rrlist_get(l, k).seq;
			if (s < seq) {
				seq = s;
				first = k;
			}
		}
		int t = dname_to_text(rrlist_get(l, first).owner, owner, sizeof(owner));
		if (t < 0) {
			rc = SN_EPARSE;
			goto out;
		}
		olen = (size_t)t;
		for (size_t k = i; k < j; k++) {
			if (OUT_CAP - used < ZPRINT_LINE_MAX) {
				rc = flush(f, out, used);
				if (rc != SN_OK) {
					goto out;
				}
				used = 0;
			}
			rrlist_rr_t v = rrlist_get(l, k);
			memcpy(out + used, owner, olen);
			int w = put_fields(&v, out + used + olen, OUT_CAP - used - olen);
			if (w < 0) {
				rc = w == SN_ENOSPC ? SN_EPARSE : w;
				goto out;
			}
			used += olen + (size_t)w;
		}
		i = j;
	}
	rc = flush(f, out, used);
	if (rc == SN_OK && fflush(f) != 0) {
		rc = SN_EIO;
	}
out:
	free(out);
	return rc;
}
