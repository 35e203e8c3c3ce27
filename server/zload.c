/* SPDX-License-Identifier: MIT
 * zload.c - the zone loading pipeline of the daemon.
 */
#include <string.h>
#include "server/log.h"
#include "server/zload.h"
#include "zone/rrlist.h"
#include "zone/zcheck.h"
#include "zone/zfile.h"

typedef struct load_ctx {
	rrlist_t *l;
	const char *zone;
} load_ctx_t;

static int
on_rr(void *ctx, const zfile_rr_t *rr)
{
	load_ctx_t *lc = ctx;
	return rrlist_add(lc->l, rr);
}

static void
on_msg(void *ctx, zfile_sev_t sev, const char *file, uint32_t line, uint32_t col, const char *msg)
{
	const char *zone = ((load_ctx_t *)ctx)->zone;
	if (line == 0) {
		log_msg(sev == ZFILE_ERROR ? LOG_LVL_ERROR : LOG_LVL_WARNING, "zone %s: %s: %s", zone,
			file, msg);
	} else {
		log_msg(sev == ZFILE_ERROR ? LOG_LVL_ERROR : LOG_LVL_WARNING,
			"zone %s: %s:%u:%u: %s", zone, file, line, col, msg);
	}
}

int
zload_parse(const uint8_t *apex, const char *zone_name, const char *path, const char *text,
	    size_t len, rrlist_t **out)
{
	rrlist_t *l = rrlist_new();
	zfile_stats_t fst;
	zcheck_stats_t cst;
	int rc;

	if (l == NULL) {
		return SN_ENOMEM;
	}
	load_ctx_t lc = {.l = l, .zone = zone_name};
	zfile_opts_t fo = {
		.origin = apex,
		.allow_include = true,
		.on_rr = on_rr,
		.on_msg = on_msg,
		.ctx = &lc,
	};
	if (text != NULL) {
		rc = zfile_parse_mem(path, text, len, &fo, &fst);
	} else {
		rc = zfile_parse(path, &fo, &fst);
	}
	if (rc != SN_OK) {
		log_error("zone %s: %s: not loaded (%u errors)", zone_name, path, fst.errors);
		goto out;
	}
	rc = rrlist_sort(l);
	if (rc != SN_OK) {
		goto out;
	}
	zcheck_opts_t co = {
		.origin = apex,
		.file = path,
		.on_msg = on_msg,
		.ctx = &lc,
	};
	rc = zcheck_run(l, &co, &cst);
	if (rc != SN_OK) {
		log_error("zone %s: %s: not loaded (%u errors)", zone_name, path, cst.errors);
		goto out;
	}
	*out = l;
	l = NULL;
out:
	rrlist_free(l);
	return rc;
}

int
zload(const uint8_t *apex, const char *zone_name, const char *path, const char *text, size_t len,
      snap_t **out)
{
	rrlist_t *l = NULL;
	snap_t *s = NULL;
	int rc = zload_parse(apex, zone_name, path, text, len, &l);
	if (rc != SN_OK) {
		return rc;
	}
	rc = snap_build(apex, l, &s);
	if (rc != SN_OK) {
		log_error("zone %s: cannot build the snapshot: %s", zone_name, sn_strerror(rc));
	} else {
		log_info("zone %s: loaded serial %u, %zu records, %zu names", zone_name,
			 snap_serial(s), rrlist_count(l), snap_name_count(s));
		*out = s;
	}
	rrlist_free(l);
	return rc;
}
