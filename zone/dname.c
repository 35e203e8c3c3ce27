/* SPDX-License-Identifier: MIT
 * dname.c - domain names: presentation and wire forms, comparison, order.
 *
 * Names are handled in uncompressed wire form. Text parsing is on the zone
 * loading hot path (every owner and every name in rdata), so it works in one
 * pass with no allocation.
 */
#include <string.h>
#include "zone/dname.h"

const uint8_t dname_lower_tab[256] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
	0x40, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
	0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
	0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
	0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
	0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
};

int
dname_from_text(const char *text, size_t len, const uint8_t *origin, uint8_t out[DNAME_MAXLEN],
		size_t *out_len)
{
	uint8_t buf[DNAME_MAXLEN + LABEL_MAXLEN + 2];
	size_t n = 0;     /* octets written to buf */
	size_t label = 0; /* offset of the current label's length octet */
	const char *p = text, *end = text + len;
	bool absolute = false;

	if (len == 0) {
		return SN_EPARSE;
	}
	if (len == 1 && text[0] == '@') {
		if (origin == NULL) {
			return SN_EPARSE;
		}
		size_t olen = dname_len(origin);
		memcpy(out, origin, olen);
		*out_len = olen;
		return SN_OK;
	}
	if (len == 1 && text[0] == '.') {
		out[0] = 0;
		*out_len = 1;
		return SN_OK;
	}

	buf[0] = 0;
	n = 1;
	while (p < end) {
		uint8_t c = (uint8_t)*p++;
		if (c == '.') {
			if (buf[label] == 0) {
				return SN_EPARSE; /* empty label */
			}
			label = n;
			buf[n++] = 0;
			if (p == end) {
				absolute = true;
			}
			continue;
		}
		if (c == '\\') {
			if (p == end) {
				return SN_EPARSE;
			}
			if (*p >= '0' && *p <= '9') {
				if (end - p < 3 || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9') {
					return SN_EPARSE;
				}
				unsigned v = (unsigned)(p[0] - '0') * 100 + (unsigned)(p[1] - '0') * 10 +
					     (unsigned)(p[2] - '0');
				if (v > 255) {
					return SN_EPARSE;
				}
				c = (uint8_t)v;
				p += 3;
			} else {
				c = (uint8_t)*p++;
			}
		}
		if (buf[label] == LABEL_MAXLEN) {
			return SN_ERANGE;
		}
		if (n >= DNAME_MAXLEN) {
			return SN_ERANGE;
		}
		buf[n++] = c;
		buf[label]++;
	}

	if (absolute) {
		/* buf ends with the empty label opened by the final dot */
		if (n > DNAME_MAXLEN) {
			return SN_ERANGE;
		}
		memcpy(out, buf, n);
		*out_len = n;
		return SN_OK;
	}
	if (buf[label] == 0) {
		return SN_EPARSE;
	}
	if (origin == NULL) {
		return SN_EPARSE;
	}
	size_t olen = dname_len(origin);
	if (n + olen > DNAME_MAXLEN) {
		return SN_ERANGE;
	}
	memcpy(out, buf, n);
	memcpy(out + n, origin, olen);
	*out_len = n + olen;
	return SN_OK;
}

static bool
needs_escape(uint8_t c)
{
	switch (c) {
	case '.':
	case '\\':
	case '"':
	case '(':
	case ')':
	case ';':
	case '@':
	case '$':
		return true;
	}
	return c <= ' ' || c >= 0x7f;
}

int
dname_to_text(const uint8_t *dn, char *buf, size_t cap)
{
	size_t n = 0;

	if (*dn == 0) {
		if (cap < 2) {
			return SN_ENOSPC;
		}
		buf[0] = '.';
		buf[1] = '\0';
		return 1;
	}
	while (*dn != 0) {
		uint8_t llen = *dn++;
		for (uint8_t i = 0; i < llen; i++) {
			uint8_t c = dn[i];
			if (needs_escape(c)) {
				if (c <= ' ' || c >= 0x7f) {
					if (cap - n < 5) {
						return SN_ENOSPC;
					}
					buf[n++] = '\\';
					buf[n++] = (char)('0' + c / 100);
					buf[n++] = (char)('0' + (c / 10) % 10);
					buf[n++] = (char)('0' + c % 10);
				} else {
					if (cap - n < 3) {
						return SN_ENOSPC;
					}
					buf[n++] = '\\';
					buf[n++] = (char)c;
				}
			} else {
				if (cap - n < 2) {
					return SN_ENOSPC;
				}
				buf[n++] = (char)c;
			}
		}
		dn += llen;
		if (cap - n < 2) {
			return SN_ENOSPC;
		}
		buf[n++] = '.';
	}
	buf[n] = '\0';
	return (int)n;
}

size_t
dname_len(const uint8_t *dn)
{
	const uint8_t *p = dn;
	while (*p != 0) {
		p += *p + 1;
	}
	return (size_t)(p - dn) + 1;
}

int
dname_check(const uint8_t *p, size_t max, size_t *out_len)
{
	size_t n = 0;
	for (;;) {
		if (n >= max) {
			return SN_EPARSE;
		}
		uint8_t l = p[n];
		if (l == 0) {
			n++;
			break;
		}
		if (l > LABEL_MAXLEN) {
			return SN_EPARSE; /* compression pointer or reserved label type */
		}
		n += (size_t)l + 1;
		if (n > DNAME_MAXLEN) {
			return SN_ERANGE;
		}
	}
	if (n > DNAME_MAXLEN) {
		return SN_ERANGE;
	}
	*out_len = n;
	return SN_OK;
}

int
dname_unpack(const uint8_t *pkt, size_t pktlen, size_t *pos, uint8_t out[DNAME_MAXLEN],
	     size_t *out_len)
{
	size_t p = *pos;
	size_t after = 0; /* where the name ends in the message, once known */
	size_t n = 0;
	size_t limit = p; /* a pointer must point before the label that holds it */

	for (;;) {
		if (p >= pktlen) {
			return SN_EPARSE;
		}
		uint8_t l = pkt[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= pktlen) {
				return SN_EPARSE;
			}
			size_t target = ((size_t)(l & 0x3f) << 8) | pkt[p + 1];
			if (target >= limit) {
				return SN_EPARSE;
			}
			if (after == 0) {
				after = p + 2;
			}
			limit = target;
			p = target;
			continue;
		}
		if (l > LABEL_MAXLEN) {
			return SN_EPARSE;
		}
		if (l == 0) {
			if (n + 1 > DNAME_MAXLEN) {
				return SN_ERANGE;
			}
			out[n++] = 0;
			p++;
			break;
		}
		if (p + 1 + l > pktlen) {
			return SN_EPARSE;
		}
		if (n + 1 + l + 1 > DNAME_MAXLEN) {
			return SN_ERANGE;
		}
		memcpy(out + n, pkt + p, (size_t)l + 1);
		n += (size_t)l + 1;
		p += (size_t)l + 1;
	}
	*pos = after != 0 ? after : p;
	*out_len = n;
	return SN_OK;
}

bool
dname_is_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		uint8_t la = *a, lb = *b;
		if (la != lb) {
			return false;
		}
		if (la == 0) {
			return true;
		}
		a++;
		b++;
		for (uint8_t i = 0; i < la; i++) {
			if (dname_lower_tab[a[i]] != dname_lower_tab[b[i]]) {
				return false;
			}
		}
		a += la;
		b += la;
	}
}

unsigned
dname_label_offsets(const uint8_t *dn, uint8_t offs[DNAME_MAXLABELS])
{
	unsigned n = 0;
	size_t o = 0;
	while (dn[o] != 0) {
		offs[n++] = (uint8_t)o;
		o += (size_t)dn[o] + 1;
	}
	return n;
}

int
dname_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t oa[DNAME_MAXLABELS], ob[DNAME_MAXLABELS];
	unsigned na = dname_label_offsets(a, oa);
	unsigned nb = dname_label_offsets(b, ob);

	while (na > 0 && nb > 0) {
		const uint8_t *la = a + oa[--na];
		const uint8_t *lb = b + ob[--nb];
		unsigned len_a = la[0], len_b = lb[0];
		unsigned min = len_a < len_b ? len_a : len_b;
		for (unsigned i = 1; i <= min; i++) {
			int d = (int)dname_lower_tab[la[i]] - (int)dname_lower_tab[lb[i]];
			if (d != 0) {
				return d;
			}
		}
		if (len_a != len_b) {
			return (int)len_a - (int)len_b;
		}
	}
	return (int)na - (int)nb;
}

bool
dname_is_subdomain(const uint8_t *name, const uint8_t *parent)
{
	unsigned ln = dname_label_count(name), lp = dname_label_count(parent);
	if (ln < lp) {
		return false;
	}
	for (unsigned i = 0; i < ln - lp; i++) {
		name += *name + 1;
	}
	return dname_is_equal(name, parent);
}

unsigned
dname_label_count(const uint8_t *dn)
{
	unsigned n = 0;
	while (*dn != 0) {
		dn += *dn + 1;
		n++;
	}
	return n;
}

const uint8_t *
dname_parent(const uint8_t *dn)
{
	if (*dn == 0) {
		return NULL;
	}
	return dn + *dn + 1;
}

bool
dname_is_wildcard(const uint8_t *dn)
{
	return dn[0] == 1 && dn[1] == '*';
}

void
dname_to_lower(uint8_t *dn)
{
	while (*dn != 0) {
		uint8_t l = *dn++;
		for (uint8_t i = 0; i < l; i++) {
			dn[i] = dname_lower_tab[dn[i]];
		}
		dn += l;
	}
}
