/* SPDX-License-Identifier: MIT
 * fuzz_zfile.c - libFuzzer target for the zone-file parser.
 *
 * The input is a zone file for example. with $INCLUDE refused. Records are
 * checked on the way out (owner and RDATA must be well-formed wire data),
 * so that the fuzzer finds wrong output as well as crashes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/zfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_rr(void *ctx, const zfile_rr_t *rr)
{
	size_t len;
	(void)ctx;
	if (dname_check(rr->owner, DNAME_MAXLEN, &len) != SN_OK ||
	    rdata_check(rr->type, rr->rdata, rr->rdlen) != SN_OK) {
		abort();
	}
	return SN_OK;
}

static void
on_msg(void *ctx, zfile_sev_t sev, const char *file, uint32_t line, uint32_t col, const char *msg)
{
	(void)ctx;
	(void)sev;
	(void)file;
	(void)line;
	(void)col;
	(void)msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t origin[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
	zfile_opts_t opts = {
		.origin = origin,
		.allow_include = false,
		.on_rr = on_rr,
		.on_msg = on_msg,
	};
	zfile_stats_t st;
	int rc = zfile_parse_mem("fuzz", (const char *)data, size, &opts, &st);
	/* errors and the result must agree: a failed parse reported why */
	if ((rc == SN_OK) != (st.errors == 0)) {
		abort();
	}
	return 0;
}
