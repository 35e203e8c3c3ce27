/* SPDX-License-Identifier: MIT
 * codec.c - hex, base64 and base32hex encoders and decoders for RDATA.
 *
 * Decoding goes through 256-entry tables, so each character costs one load
 * and no branch on its class.
 */
#include "zone/internal/codec.h"

static const char hex_upper[] = "0123456789ABCDEF";
static const char b64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b32hex_alpha[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

/* Lookup tables hold value + 1, so that the zero of unlisted entries means
 * "not in the alphabet". */
static const uint8_t hex_val[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

static const uint8_t b64_val[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

static const uint8_t b32hex_val[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
    ['G'] = 17, ['H'] = 18, ['I'] = 19, ['J'] = 20, ['K'] = 21, ['L'] = 22, ['M'] = 23, ['N'] = 24,
    ['O'] = 25, ['P'] = 26, ['Q'] = 27, ['R'] = 28, ['S'] = 29, ['T'] = 30, ['U'] = 31, ['V'] = 32,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['g'] = 17, ['h'] = 18,
    ['i'] = 19, ['j'] = 20, ['k'] = 21, ['l'] = 22, ['m'] = 23, ['n'] = 24, ['o'] = 25, ['p'] = 26,
    ['q'] = 27, ['r'] = 28, ['s'] = 29, ['t'] = 30, ['u'] = 31, ['v'] = 32,
};

int
codec_hex_digit(uint8_t c)
{
	return (int)hex_val[c] - 1;
}

void
codec_hex_encode(const uint8_t *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_upper[in[i] >> 4];
		out[2 * i + 1] = hex_upper[in[i] & 15];
	}
}

void
codec_b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
		*out++ = b64_alpha[v >> 18];
		*out++ = b64_alpha[(v >> 12) & 63];
		*out++ = b64_alpha[(v >> 6) & 63];
		*out++ = b64_alpha[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		*out++ = b64_alpha[v >> 18];
		*out++ = b64_alpha[(v >> 12) & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
		*out++ = b64_alpha[v >> 18];
		*out++ = b64_alpha[(v >> 12) & 63];
		*out++ = b64_alpha[(v >> 6) & 63];
		*out++ = '=';
	}
}

void
codec_b32hex_encode(const uint8_t *in, size_t n, char *out)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			*out++ = b32hex_alpha[(acc >> bits) & 31];
		}
	}
	if (bits > 0) {
		*out++ = b32hex_alpha[(acc << (5 - bits)) & 31];
	}
}

int
codec_hex_feed(codec_dec_t *d, const char *s, size_t len, wire_out_t *out)
{
	size_t i = 0;
	/* fast path: whole pairs straight into the buffer */
	if (d->n == 0 && out->err == SN_OK) {
		uint8_t *o = out->pos;
		size_t room = (size_t)(out->end - o);
		while (len - i >= 2 && room > 0) {
			unsigned hi = hex_val[(uint8_t)s[i]], lo = hex_val[(uint8_t)s[i + 1]];
			if (hi == 0 || lo == 0) {
				break; /* the slow path says which character */
			}
			*o++ = (uint8_t)((hi - 1) << 4 | (lo - 1));
			room--;
			i += 2;
		}
		out->pos = o;
	}
	for (; i < len; i++) {
		int v = (int)hex_val[(uint8_t)s[i]] - 1;
		if (v < 0) {
			return SN_EPARSE;
		}
		if (d->n == 0) {
			d->acc = (uint32_t)v;
			d->n = 1;
		} else {
			wire_put_u8(out, (uint8_t)((d->acc << 4) | (uint32_t)v));
			d->n = 0;
		}
	}
	return SN_OK;
}

int
codec_hex_finish(const codec_dec_t *d)
{
	return d->n == 0 ? SN_OK : SN_EPARSE;
}

int
codec_b64_feed(codec_dec_t *d, const char *s, size_t len, wire_out_t *out)
{
	size_t i = 0;
	/* fast path: whole quanta without padding straight into the buffer */
	if (d->n == 0 && d->pad == 0 && out->err == SN_OK) {
		uint8_t *o = out->pos;
		size_t room = (size_t)(out->end - o);
		while (len - i >= 4 && room >= 3) {
			uint32_t a = b64_val[(uint8_t)s[i]], b = b64_val[(uint8_t)s[i + 1]];
			uint32_t c = b64_val[(uint8_t)s[i + 2]], e = b64_val[(uint8_t)s[i + 3]];
			if (a == 0 || b == 0 || c == 0 || e == 0) {
				break; /* padding or a bad character: the slow path decides */
			}
			uint32_t v = (a - 1) << 18 | (b - 1) << 12 | (c - 1) << 6 | (e - 1);
			o[0] = (uint8_t)(v >> 16);
			o[1] = (uint8_t)(v >> 8);
			o[2] = (uint8_t)v;
			o += 3;
			room -= 3;
			i += 4;
		}
		out->pos = o;
	}
	for (; i < len; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c == '=') {
			/* RFC 4648 4: one '=' after 3 digits of a quantum, two
			 * after 2; nothing may follow. */
			if (d->pad == 0xff || d->n < 2 || d->n + d->pad >= 4) {
				return SN_EPARSE;
			}
			d->pad++;
			if (d->n + d->pad == 4) {
				if (d->n == 2) {
					wire_put_u8(out, (uint8_t)(d->acc >> 4));
				} else {
					wire_put_u8(out, (uint8_t)(d->acc >> 10));
					wire_put_u8(out, (uint8_t)(d->acc >> 2));
				}
				d->n = 0;
				d->pad = 0xff; /* closed: any further character is an error */
			}
			continue;
		}
		int v = (int)b64_val[c] - 1;
		if (v < 0 || d->pad != 0) {
			return SN_EPARSE;
		}
		d->acc = (d->acc << 6) | (uint32_t)v;
		if (++d->n == 4) {
			wire_put_u8(out, (uint8_t)(d->acc >> 16));
			wire_put_u8(out, (uint8_t)(d->acc >> 8));
			wire_put_u8(out, (uint8_t)d->acc);
			d->acc = 0;
			d->n = 0;
		}
	}
	return SN_OK;
}

int
codec_b64_finish(const codec_dec_t *d)
{
	if (d->pad == 0xff) {
		return SN_OK;
	}
	return d->n == 0 && d->pad == 0 ? SN_OK : SN_EPARSE;
}

int
codec_b32hex_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;

	/* RFC 4648 6: a final group of 2, 4, 5 or 7 characters holds 1..4
	 * octets; 1, 3 or 6 characters cannot be produced by an encoder. */
	switch (len % 8) {
	case 1:
	case 3:
	case 6:
		return SN_EPARSE;
	}
	for (size_t i = 0; i < len; i++) {
		int v = (int)b32hex_val[(uint8_t)s[i]] - 1;
		if (v < 0) {
			return SN_EPARSE;
		}
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (n >= cap) {
				return SN_ERANGE;
			}
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	if ((acc & ((1u << bits) - 1)) != 0) {
		return SN_EPARSE; /* non-zero padding bits: not what an encoder writes */
	}
	*out_len = n;
	return SN_OK;
}
