/* SPDX-License-Identifier: MIT
 * fuzz_dsquery.c - libFuzzer target for the parent's DS answer reader
 * (server/dsquery.h): a response from the network, read against the
 * question for example.com. with id 0x1234. What it accepts must be DS
 * RDATA it copied within bounds; anything else is refused, never a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "server/dsquery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t apex[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dsquery_ds_t ds[DSQUERY_MAX];
	size_t n = 0;
	int rc = dsquery_parse(data, size, apex, 0x1234, ds, &n);
	if (rc == SN_OK) {
		if (n > DSQUERY_MAX) {
			abort();
		}
		for (size_t i = 0; i < n; i++) {
			if (ds[i].len < 5 || ds[i].len > sizeof(ds[i].rdata)) {
				abort();
			}
		}
	} else if (rc != SN_EPARSE && rc != SN_EIO) {
		abort();
	}
	return 0;
}
