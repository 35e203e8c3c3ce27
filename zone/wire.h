/* SPDX-License-Identifier: MIT
 * wire.h - bounded readers and writers for DNS wire data.
 *
 * Both are sticky: the first error is kept in `err`, every later call does
 * nothing, and the caller checks once at the end. A writer that runs out of
 * room sets SN_ENOSPC (the response path turns that into truncation); a reader
 * that runs past its end sets SN_EPARSE (the query path turns that into
 * FORMERR). Everything here is inline because the query path uses it.
 */
#pragma once

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "zone/err.h"

typedef struct wire_out {
	uint8_t *pos;
	uint8_t *end;
	int err; /* SN_OK until something fails */
} wire_out_t;

typedef struct wire_in {
	const uint8_t *pos;
	const uint8_t *end;
	int err;
} wire_in_t;

static inline void
wire_out_init(wire_out_t *w, uint8_t *buf, size_t cap)
{
	w->pos = buf;
	w->end = buf + cap;
	w->err = SN_OK;
}

static inline int
wire_out_room(const wire_out_t *w, size_t n)
{
	return w->err == SN_OK && (size_t)(w->end - w->pos) >= n;
}

static inline void
wire_put_u8(wire_out_t *w, uint8_t v)
{
	if (w->err != SN_OK) {
		return;
	}
	if (w->pos >= w->end) {
		w->err = SN_ENOSPC;
		return;
	}
	*w->pos++ = v;
}

static inline void
wire_put_u16(wire_out_t *w, uint16_t v)
{
	if (w->err != SN_OK) {
		return;
	}
	if (w->end - w->pos < 2) {
		w->err = SN_ENOSPC;
		return;
	}
	w->pos[0] = (uint8_t)(v >> 8);
	w->pos[1] = (uint8_t)v;
	w->pos += 2;
}

static inline void
wire_put_u32(wire_out_t *w, uint32_t v)
{
	if (w->err != SN_OK) {
		return;
	}
	if (w->end - w->pos < 4) {
		w->err = SN_ENOSPC;
		return;
	}
	w->pos[0] = (uint8_t)(v >> 24);
	w->pos[1] = (uint8_t)(v >> 16);
	w->pos[2] = (uint8_t)(v >> 8);
	w->pos[3] = (uint8_t)v;
	w->pos += 4;
}

static inline void
wire_put_bytes(wire_out_t *w, const void *p, size_t n)
{
	if (w->err != SN_OK) {
		return;
	}
	if ((size_t)(w->end - w->pos) < n) {
		w->err = SN_ENOSPC;
		return;
	}
	if (n > 0) {
		memcpy(w->pos, p, n);
	}
	w->pos += n;
}

static inline void
wire_in_init(wire_in_t *r, const uint8_t *buf, size_t len)
{
	r->pos = buf;
	r->end = buf + len;
	r->err = SN_OK;
}

static inline size_t
wire_in_left(const wire_in_t *r)
{
	return r->err == SN_OK ? (size_t)(r->end - r->pos) : 0;
}

static inline uint8_t
wire_get_u8(wire_in_t *r)
{
	if (r->err != SN_OK || r->pos >= r->end) {
		r->err = SN_EPARSE;
		return 0;
	}
	return *r->pos++;
}

static inline uint16_t
wire_get_u16(wire_in_t *r)
{
	if (r->err != SN_OK || r->end - r->pos < 2) {
		r->err = SN_EPARSE;
		return 0;
	}
	uint16_t v = (uint16_t)((r->pos[0] << 8) | r->pos[1]);
	r->pos += 2;
	return v;
}

static inline uint32_t
wire_get_u32(wire_in_t *r)
{
	if (r->err != SN_OK || r->end - r->pos < 4) {
		r->err = SN_EPARSE;
		return 0;
	}
	uint32_t v = ((uint32_t)r->pos[0] << 24) | ((uint32_t)r->pos[1] << 16) |
		     ((uint32_t)r->pos[2] << 8) | r->pos[3];
	r->pos += 4;
	return v;
}

/* Returns a pointer to the next `n` bytes and steps over them, or NULL. */
static inline const uint8_t *
wire_get_bytes(wire_in_t *r, size_t n)
{
	if (r->err != SN_OK || (size_t)(r->end - r->pos) < n) {
		r->err = SN_EPARSE;
		return NULL;
	}
	const uint8_t *p = r->pos;
	r->pos += n;
	return p;
}

static inline uint16_t
wire_read_u16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
wire_read_u32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void
wire_write_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wire_write_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
