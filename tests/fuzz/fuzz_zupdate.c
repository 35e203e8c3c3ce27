/* SPDX-License-Identifier: MIT
 * fuzz_zupdate.c - libFuzzer target for the zone-update text (zupdate.h).
 *
 * The input is the text of `signetc zone-update`, read against a fixed zone.
 * A refused change must come with a message; an accepted one must remove
 * only records the zone holds, add only records inside it, and apply to the
 * snapshot with snap_edit. Anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "server/log.h"
#include "server/zload.h"
#include "server/zupdate.h"
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char zone_text[] = "$ORIGIN example.com.\n"
				"$TTL 3600\n"
				"@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
				"@ NS ns1\n"
				"@ NS ns2\n"
				"@ MX 10 mail\n"
				"ns1 A 192.0.2.53\n"
				"ns2 A 198.51.100.53\n"
				"mail A 192.0.2.25\n"
				"mail TXT \"v=spf1 -all\"\n"
				"www CNAME @\n"
				"*.apps A 192.0.2.80\n"
				"sub NS ns.sub\n"
				"ns.sub A 192.0.2.99\n"
				"a.b.c TXT \"ent\"\n";

static snap_t *zone;

/* Is the record `r` in the snapshot? */
static int
held(const rrlist_rr_t *r)
{
	const snap_node_t *n = snap_find(zone, r->owner);
	const snap_rrset_t *rs = n != NULL ? snap_node_rrset(n, r->type) : NULL;
	if (rs == NULL) {
		return 0;
	}
	const uint8_t *p = rs->rdata;
	for (uint16_t i = 0; i < rs->count; i++) {
		uint16_t len = wire_read_u16(p);
		if (len == r->rdlen && memcmp(p + 2, r->rdata, len) == 0) {
			return 1;
		}
		p += 2 + (size_t)len;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t apex[DNAME_MAXLEN];
	size_t alen;
	log_set_level(LOG_LVL_ERROR);
	/* a new lineage each run: edits must start from its newest version */
	if (dname_from_text("example.com.", 12, NULL, apex, &alen) != SN_OK ||
	    zload(apex, "example.com.", "fuzz.zone", zone_text, sizeof(zone_text) - 1, &zone) !=
		SN_OK) {
		abort();
	}
	zupdate_t u;
	char err[ZUPDATE_ERRLEN];
	int rc = zupdate_build(zone, (const char *)data, size, &u, err);
	if (rc != SN_OK) {
		if (err[0] == '\0' && rc != SN_ENOMEM) {
			abort(); /* a refusal says why */
		}
		snap_unref(zone);
		return 0;
	}
	for (size_t i = 0; i < rrlist_count(u.removed); i++) {
		rrlist_rr_t r = rrlist_get(u.removed, i);
		if (!held(&r)) {
			abort();
		}
	}
	for (size_t i = 0; i < rrlist_count(u.added); i++) {
		rrlist_rr_t r = rrlist_get(u.added, i);
		if (!dname_is_subdomain(r.owner, snap_apex(zone)) ||
		    rdata_check(r.type, r.rdata, r.rdlen) != SN_OK) {
			abort();
		}
	}
	snap_t *next = NULL;
	if (snap_edit(zone, u.removed, u.added, &next) != SN_OK) {
		abort();
	}
	snap_unref(zone);
	snap_unref(next);
	zupdate_free(&u);
	return 0;
}
