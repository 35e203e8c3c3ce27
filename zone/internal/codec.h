/* SPDX-License-Identifier: MIT
 * codec.h - hex, base64 (RFC 4648 4) and base32hex (RFC 4648 7) for RDATA.
 *
 * Private to zone/. Encoders write exactly codec_*_len(n) characters and no
 * NUL. Decoders of hex and base64 stream: presentation RDATA may split one
 * value over several tokens ("AQ ID" is one base64 value), so a decoder keeps
 * its state between calls and is finished once at the end.
 */
#pragma once

#include "zone/err.h"
#include "zone/wire.h"
#include <stddef.h>
#include <stdint.h>

/* Decoder state for one value; zero it (codec_dec_init) before the first
 * feed. */
typedef struct codec_dec {
	uint32_t acc; /* bits not yet written */
	uint8_t n;    /* characters in acc */
	uint8_t pad;  /* '=' seen (base64) */
} codec_dec_t;

static inline void
codec_dec_init(codec_dec_t *d)
{
	d->acc = 0;
	d->n = 0;
	d->pad = 0;
}

static inline size_t
codec_hex_len(size_t n)
{
	return 2 * n;
}

static inline size_t
codec_b64_len(size_t n)
{
	return 4 * ((n + 2) / 3);
}

/* Unpadded, as NSEC3 uses it (RFC 5155 3.3). */
static inline size_t
codec_b32hex_len(size_t n)
{
	return (8 * n + 4) / 5;
}

/* Upper-case hex, as BIND and Knot print it. */
void codec_hex_encode(const uint8_t *in, size_t n, char *out);
void codec_b64_encode(const uint8_t *in, size_t n, char *out);
/* Upper-case base32hex without padding. */
void codec_b32hex_encode(const uint8_t *in, size_t n, char *out);

/* Feed `len` characters; decoded octets go to `out` (its sticky error says
 * when it is full). Returns SN_OK or SN_EPARSE on a bad character. */
SN_MUSTCHECK int codec_hex_feed(codec_dec_t *d, const char *s, size_t len, wire_out_t *out);
/* SN_EPARSE when an odd number of digits was fed. */
SN_MUSTCHECK int codec_hex_finish(const codec_dec_t *d);

/* Base64 with '=' padding; data after padding is an error. */
SN_MUSTCHECK int codec_b64_feed(codec_dec_t *d, const char *s, size_t len, wire_out_t *out);
/* SN_EPARSE when the last quantum is incomplete. */
SN_MUSTCHECK int codec_b64_finish(const codec_dec_t *d);

/* Decodes the unpadded base32hex token `s` (either case) into `out`, at most
 * `cap` octets, and writes the length to *out_len. Returns SN_OK, SN_EPARSE
 * for a bad character, length or non-zero trailing bits, SN_ERANGE when the
 * value is over `cap`. */
SN_MUSTCHECK int codec_b32hex_decode(const char *s, size_t len, uint8_t *out, size_t cap,
                                     size_t *out_len);

/* Value of a hex digit, or -1. */
int codec_hex_digit(uint8_t c);
