/* SPDX-License-Identifier: MIT
 * resp.h - writing DNS messages: names compressed, RRsets whole or not at all.
 *
 * The writer appends to a caller's buffer up to a limit. Errors are sticky
 * (the first SN_ENOSPC stays), and a mark taken before an RRset lets the
 * caller roll back to it, so a message never holds part of an RRset (RFC
 * 2181 9). Every label written is remembered as a compression target (RFC
 * 1035 4.1.4) for the names that follow. Allocates nothing.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "zone/snap.h"

#define RESP_MAX_CMP 64

enum resp_section { RESP_AN, RESP_NS, RESP_AR };

typedef struct resp {
	uint8_t *buf;
	size_t len;
	size_t limit; /* the message may not grow past this */
	int err;      /* SN_OK or SN_ENOSPC */
	uint16_t count[3];
	uint16_t cmp[RESP_MAX_CMP]; /* offsets of labels: each starts a suffix */
	unsigned ncmp;
} resp_t;

typedef struct resp_mark {
	size_t len;
	unsigned ncmp;
	uint16_t count[3];
} resp_mark_t;

/* Starts a message in `buf` with room up to `limit`: the 12-octet header
 * (zeroed) and nothing else. */
void resp_init(resp_t *r, uint8_t *buf, size_t limit);

/* Writes `name` (wire form), compressed against earlier names when
 * `compress` is set. */
void resp_put_name(resp_t *r, const uint8_t *name, bool compress);
void resp_put_bytes(resp_t *r, const void *p, size_t n);
void resp_put_u16(resp_t *r, uint16_t v);
void resp_put_u32(resp_t *r, uint32_t v);

/* Writes RDATA of `type` with its length, compressing the names of the
 * RFC 1035 types (RFC 3597 4). */
void resp_put_rdata(resp_t *r, uint16_t type, const uint8_t *rd, uint16_t rdlen);

resp_mark_t resp_mark(const resp_t *r);
void resp_rollback(resp_t *r, resp_mark_t m); /* also clears the error */

/* Writes every record of `rs` under `owner` in section `sec` with TTL
 * `ttl`, then its RRSIGs when `sigs` is set; all or nothing.
 * Returns SN_OK or SN_ENOSPC (then nothing was written). */
int resp_put_rrset(resp_t *r, int sec, const uint8_t *owner, const snap_rrset_t *rs,
		   uint32_t ttl, bool sigs);
