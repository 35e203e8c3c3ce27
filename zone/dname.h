/* SPDX-License-Identifier: MIT
 * dname.h - domain names in uncompressed wire form.
 *
 * A name is the RFC 1035 3.1 wire encoding: length-prefixed labels ending in
 * the root label (0). Case is kept as written, so answers echo it; every
 * comparison here is case-insensitive (RFC 4343). A name produced by these
 * functions is always valid: labels of 1..63 octets, 255 octets at most.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "zone/err.h"

#define DNAME_MAXLEN 255
#define LABEL_MAXLEN 63
#define DNAME_MAXLABELS 128
/* Longest presentation form: every octet as \DDD, plus dots and NUL. */
#define DNAME_MAXTEXT (DNAME_MAXLEN * 4 + 2)

/* ASCII lower-casing table: only 'A'..'Z' change. */
extern const uint8_t dname_lower_tab[256];

/* Parses the presentation name `text` (`len` bytes, no NUL needed) into
 * `out`. A name not ending in '.' is relative: `origin` (wire form) is
 * appended; "@" alone is `origin`. Handles \DDD and \X escapes.
 * Writes *out_len only on success. Any thread.
 * Returns SN_OK; SN_EPARSE for an empty label, a bad escape, or a relative
 * name with `origin` NULL; SN_ERANGE for a label over 63 or a name over 255
 * octets. */
SN_MUSTCHECK int dname_from_text(const char *text, size_t len, const uint8_t *origin,
				 uint8_t out[DNAME_MAXLEN], size_t *out_len);

/* Writes the absolute presentation form (trailing dot; "." for the root),
 * NUL-terminated, escaping '.', '\\', '"', '(', ')', ';', '@', '$', space
 * and non-printable octets (\DDD). Returns the length without the NUL, or
 * SN_ENOSPC (buf then holds nothing useful). DNAME_MAXTEXT always fits. */
int dname_to_text(const uint8_t *dn, char *buf, size_t cap);

/* Length in octets of the valid name `dn`, root label included. */
size_t dname_len(const uint8_t *dn);

/* Checks that `p` (at most `max` octets readable) starts with a valid,
 * uncompressed name. On SN_OK writes its length to *out_len.
 * Returns SN_EPARSE for a compression pointer, bad label type or overrun,
 * SN_ERANGE when longer than 255. */
SN_MUSTCHECK int dname_check(const uint8_t *p, size_t max, size_t *out_len);

/* Reads a possibly compressed name at *pos of the message `pkt` into `out`
 * (uncompressed) and advances *pos past the name as it sits in the message.
 * Pointers must point strictly backwards (so loops are impossible).
 * Returns SN_OK or SN_EPARSE/SN_ERANGE; *pos and *out_len change only on OK. */
SN_MUSTCHECK int dname_unpack(const uint8_t *pkt, size_t pktlen, size_t *pos,
			      uint8_t out[DNAME_MAXLEN], size_t *out_len);

/* Case-insensitive equality. */
bool dname_is_equal(const uint8_t *a, const uint8_t *b);

/* Canonical order (RFC 4034 6.1): labels compared right to left as
 * lower-cased octet strings, shorter first on a common prefix.
 * Returns <0, 0, >0. */
int dname_cmp(const uint8_t *a, const uint8_t *b);

/* True if `name` equals `parent` or lies below it. */
bool dname_is_subdomain(const uint8_t *name, const uint8_t *parent);

/* Number of labels, root excluded ("." has 0, "a.b." has 2). */
unsigned dname_label_count(const uint8_t *dn);

/* The name with its first label removed, pointing into `dn`; NULL for the
 * root. */
const uint8_t *dname_parent(const uint8_t *dn);

/* True if the first label is "*" (RFC 4592). */
bool dname_is_wildcard(const uint8_t *dn);

/* Lower-cases `dn` in place (RFC 4034 6.2 canonical form). */
void dname_to_lower(uint8_t *dn);

/* Fills `offs` with the offset of each label in `dn` (root excluded) and
 * returns their count. `offs` must hold DNAME_MAXLABELS entries. */
unsigned dname_label_offsets(const uint8_t *dn, uint8_t offs[DNAME_MAXLABELS]);
