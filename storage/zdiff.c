/* SPDX-License-Identifier: MIT
 * zdiff.c - one change of a zone: two rrlists and two SOA records.
 */
#include "storage/zdiff.h"
#include "storage/internal/store_int.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include <stdlib.h>
#include <string.h>

struct zsoa {
	bool set;
	uint8_t owner[DNAME_MAXLEN];
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	uint32_t serial;
	uint8_t rdata[ST_SOA_MAXLEN];
};

struct zdiff {
	rrlist_t *removed;
	rrlist_t *added;
	struct zsoa before;
	struct zsoa after;
};

int
zdiff_new(zdiff_t **out)
{
	zdiff_t *d = calloc(1, sizeof(*d));
	if (d == NULL) {
		return SN_ENOMEM;
	}
	d->removed = rrlist_new();
	d->added = rrlist_new();
	if (d->removed == NULL || d->added == NULL) {
		zdiff_free(d);
		return SN_ENOMEM;
	}
	*out = d;
	return SN_OK;
}

void
zdiff_free(zdiff_t *d)
{
	if (d == NULL) {
		return;
	}
	rrlist_free(d->removed);
	rrlist_free(d->added);
	free(d);
}

static int
set_soa(struct zsoa *z, const store_rr_t *rr)
{
	size_t wl;
	uint32_t serial;
	if (rr->type != RRTYPE_SOA || dname_check(rr->owner, DNAME_MAXLEN, &wl) != SN_OK ||
	    rr->rdlen > ST_SOA_MAXLEN || rdata_check(RRTYPE_SOA, rr->rdata, rr->rdlen) != SN_OK ||
	    !st_soa_serial(rr->rdata, rr->rdlen, &serial)) {
		return SN_EINVAL;
	}
	memcpy(z->owner, rr->owner, wl);
	memcpy(z->rdata, rr->rdata, rr->rdlen);
	z->rclass = rr->rclass;
	z->ttl = rr->ttl;
	z->rdlen = rr->rdlen;
	z->serial = serial;
	z->set = true;
	return SN_OK;
}

int
zdiff_set_soa_before(zdiff_t *d, const store_rr_t *soa)
{
	return set_soa(&d->before, soa);
}

int
zdiff_set_soa_after(zdiff_t *d, const store_rr_t *soa)
{
	return set_soa(&d->after, soa);
}

static int
add_to(rrlist_t *l, const store_rr_t *rr)
{
	zfile_rr_t zr = {
	    .owner = rr->owner,
	    .type = rr->type,
	    .rclass = rr->rclass,
	    .ttl = rr->ttl,
	    .rdlen = rr->rdlen,
	    .rdata = rr->rdata,
	};
	int rc = rrlist_add(l, &zr);
	return rc == SN_EPARSE ? SN_EINVAL : rc;
}

int
zdiff_remove(zdiff_t *d, const store_rr_t *rr)
{
	return add_to(d->removed, rr);
}

int
zdiff_add(zdiff_t *d, const store_rr_t *rr)
{
	return add_to(d->added, rr);
}

int
zdiff_sort(zdiff_t *d)
{
	int rc = rrlist_sort(d->removed);
	if (rc == SN_OK) {
		rc = rrlist_sort(d->added);
	}
	return rc;
}

const rrlist_t *
zdiff_removed(const zdiff_t *d)
{
	return d->removed;
}

const rrlist_t *
zdiff_added(const zdiff_t *d)
{
	return d->added;
}

static bool
get_soa(const struct zsoa *z, store_rr_t *out)
{
	if (!z->set) {
		return false;
	}
	*out = (store_rr_t){
	    .owner = z->owner,
	    .type = RRTYPE_SOA,
	    .rclass = z->rclass,
	    .ttl = z->ttl,
	    .rdlen = z->rdlen,
	    .rdata = z->rdata,
	};
	return true;
}

bool
zdiff_soa_before(const zdiff_t *d, store_rr_t *out)
{
	return get_soa(&d->before, out);
}

bool
zdiff_soa_after(const zdiff_t *d, store_rr_t *out)
{
	return get_soa(&d->after, out);
}

uint32_t
zdiff_serial_before(const zdiff_t *d)
{
	return d->before.set ? d->before.serial : 0;
}

uint32_t
zdiff_serial_after(const zdiff_t *d)
{
	return d->after.set ? d->after.serial : 0;
}

bool
zdiff_is_empty(const zdiff_t *d)
{
	const struct zsoa *b = &d->before, *a = &d->after;
	uint8_t cb[ST_SOA_MAXLEN], ca[ST_SOA_MAXLEN];

	if (rrlist_count(d->removed) != 0 || rrlist_count(d->added) != 0) {
		return false;
	}
	if (!b->set || !a->set || b->rclass != a->rclass || b->ttl != a->ttl ||
	    b->rdlen != a->rdlen) {
		return false;
	}
	/* RFC 4034 6.2: the SOA's names compare in lower case. */
	memcpy(cb, b->rdata, b->rdlen);
	memcpy(ca, a->rdata, a->rdlen);
	rdata_to_canonical(RRTYPE_SOA, cb, b->rdlen);
	rdata_to_canonical(RRTYPE_SOA, ca, a->rdlen);
	memset(cb + b->rdlen - 20, 0, 4);
	memset(ca + a->rdlen - 20, 0, 4);
	return memcmp(cb, ca, b->rdlen) == 0;
}
