/* SPDX-License-Identifier: MIT
 * rdata.h - RDATA of every type: presentation <-> wire, checks, canonical form.
 *
 * RDATA is held in uncompressed wire form. Each known type is described by
 * a list of fields (names, integers, strings, base64, bitmaps...), and the
 * conversions walk that description, so a new type is one table entry.
 * Every type, known or not, also reads and writes the RFC 3597 generic form
 * `\# <len> <hex>`; for a known type the generic form is checked against
 * the type's layout. Types whose RDATA holds domain names know it: the
 * compression and canonical-form helpers use that (RFC 3597 4, RFC 4034 6.2).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "zone/err.h"
#include "zone/wire.h"

#define RDATA_MAXLEN 65535

/* One token of presentation RDATA, as the zone-file lexer cut it. `s` points
 * at the raw text: escapes (\X, \DDD) are not yet decoded; a quoted token
 * has its quotes removed and RDATA_TOK_QUOTED set. */
typedef struct rdata_tok {
	const char *s;
	uint32_t len;
	uint32_t flags;
	uint32_t line; /* 1-based line and column of the token's first char */
	uint32_t col;
} rdata_tok_t;

#define RDATA_TOK_QUOTED 1u

/* Parses the presentation RDATA of `type` from `toks[0..ntok)` and appends
 * its wire form to `out`. Relative names get `origin` (wire form) appended.
 * On failure sets *err_tok to the index of the offending token (ntok when
 * tokens ran out) and *err_msg to a static message such as
 * "bad IPv4 address" or "too many fields", and returns SN_EPARSE or
 * SN_ERANGE; on SN_ENOSPC the RDATA was over 65535 octets. `out` is then
 * left in an unspecified state. Any thread; allocates nothing. */
SN_MUSTCHECK int rdata_from_text(uint16_t type, const rdata_tok_t *toks, size_t ntok,
				 const uint8_t *origin, wire_out_t *out, size_t *err_tok,
				 const char **err_msg);

/* Writes the presentation form of `rd` (`len` octets of uncompressed wire
 * RDATA of `type`), NUL-terminated, fields separated by one space. Types
 * without a presentation format of their own use the RFC 3597 form. Returns
 * the length written, SN_ENOSPC, or SN_EPARSE when `rd` is malformed. */
int rdata_to_text(uint16_t type, const uint8_t *rd, size_t len, char *buf, size_t cap);

/* Checks that `rd` is well-formed uncompressed RDATA for `type` (unknown
 * types: anything goes). Returns SN_OK or SN_EPARSE. */
SN_MUSTCHECK int rdata_check(uint16_t type, const uint8_t *rd, size_t len);

/* Reads the RDATA of `type` that sits at `pos` in message `pkt` and is
 * `rdlen` octets long, decompressing the names of the types that allow it
 * (RFC 3597 4: NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR, MINFO, MX, and the
 * types RFC 3597 lets decoders handle: RP, AFSDB, RT, SIG, PX, NXT, NAPTR,
 * SRV), and checks it. Writes the uncompressed form to `out` (`cap`
 * octets) and its length to *out_len. Returns SN_OK, SN_EPARSE, SN_ENOSPC. */
SN_MUSTCHECK int rdata_unpack(uint16_t type, const uint8_t *pkt, size_t pktlen, size_t pos,
			      size_t rdlen, uint8_t *out, size_t cap, size_t *out_len);

/* Lower-cases, in place, the names that RFC 4034 6.2 (as amended by RFC 6840
 * 5.1) puts in canonical form for `type`. `rd` must have passed
 * rdata_check. */
void rdata_to_canonical(uint16_t type, uint8_t *rd, size_t len);

/* True if the RDATA of `type` holds a domain name that may be compressed on
 * output (RFC 3597 4: the RFC 1035 types only). */
bool rdata_has_compressible_names(uint16_t type);

/* For types whose RDATA holds names, writes the offset of each name in `rd`
 * to `offs` (up to `max`) and returns how many there are (0 for other types).
 * `rd` must have passed rdata_check. Used for compression and for additional
 * section processing (MX, SRV, NS targets). */
size_t rdata_name_offsets(uint16_t type, const uint8_t *rd, size_t len, uint16_t *offs,
			  size_t max);
