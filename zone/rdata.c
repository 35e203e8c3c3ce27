/* SPDX-License-Identifier: MIT
 * rdata.c - RDATA of every type: one descriptor table, several walks.
 *
 * Each known type is a short list of field kinds (descs[] below). Parsing
 * presentation text, printing it, checking wire data, decompressing it,
 * lower-casing it for canonical form and finding its names are all walks over
 * that list, so they agree on the layout by construction. A few layouts are
 * too irregular for a flat list (LOC, SVCB SvcParams, IPSECKEY, WKS, APL);
 * each is one field kind with its own handlers.
 *
 * The invariant the fuzz target holds us to: whatever rdata_check accepts,
 * rdata_to_text prints, and rdata_from_text turns that text back into the
 * same octets. So the checks refuse the few wire forms that have no exact
 * presentation (BIND refuses the same ones: LOC sizes of 0e1..0e9, bitmaps
 * with trailing zero octets), and APL items of families with no presentation
 * make the printer fall back to the RFC 3597 generic form.
 *
 * rdata_from_text is on the zone-loading hot path: it allocates nothing,
 * looks the type's layout up by index and writes straight into the caller's
 * buffer.
 */
#include "zone/rdata.h"
#include "zone/dname.h"
#include "zone/internal/codec.h"
#include "zone/rrtype.h"
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

/* Field kinds. "To end" kinds take every remaining token (text) or octet
 * (wire) and so come last in a layout. */
enum fk {
	FK_NONE = 0,
	FK_NAME, /* domain name; compression rules come from the type flags */
	FK_U8,
	FK_U16,
	FK_U32,
	FK_PERIOD,   /* u32; text also takes TTL units ("1h30m"), as BIND does */
	FK_TIME,     /* u32 seconds; text YYYYMMDDHHmmSS or a plain integer */
	FK_A,        /* IPv4 address */
	FK_AAAA,     /* IPv6 address */
	FK_STR,      /* <character-string> */
	FK_STROPT,   /* optional final <character-string> (ISDN subaddress) */
	FK_STRS,     /* one or more <character-string>s to the end */
	FK_QTEXT,    /* rest of the RDATA, printed as one quoted string */
	FK_HEX,      /* hex to the end, at least one octet */
	FK_B64,      /* base64 to the end, at least one octet */
	FK_B64_0,    /* base64 to the end, may be empty */
	FK_SALT,     /* u8 length + octets; hex, "-" when empty (RFC 5155) */
	FK_B32,      /* u8 length + octets; base32hex (RFC 5155) */
	FK_BITMAP,   /* RFC 4034 4.1.2 type bitmap, to the end */
	FK_TYPE,     /* u16 type, as a mnemonic */
	FK_ALG,      /* u8 DNSSEC algorithm: number or mnemonic in, number out */
	FK_ALGM,     /* same, mnemonic out (CERT, as BIND prints it) */
	FK_CERTTYPE, /* u16 CERT type: number or mnemonic (RFC 4398 2.1) */
	FK_CAATAG,   /* u8 length + alphanumeric tag (RFC 8659 4.1) */
	FK_EUI48,    /* RFC 7043 */
	FK_EUI64,
	FK_ILNP64,    /* RFC 6742 locator or node id: four 16-bit hex groups */
	FK_LOC,       /* RFC 1876, the whole RDATA */
	FK_SVCPARAMS, /* RFC 9460 SvcParams, to the end */
	FK_IPSECKEY,  /* RFC 4025 from the gateway type on */
	FK_WKS,       /* RFC 1035 3.4.2 protocol + port bitmap */
	FK_APL,       /* RFC 3123, the whole RDATA */
	FK_A6,        /* RFC 2874 3.1, the whole RDATA */
	FK_NXTMAP,    /* RFC 2535 5.2 bitmap of types 1..127, to the end */
};

/* Type flags. */
#define RD_COMPRESS 0x01   /* names may be compressed on output (RFC 3597 4) */
#define RD_DECOMPRESS 0x02 /* names may arrive compressed (RFC 3597 4) */
#define RD_CANON 0x04      /* names lower-cased in canonical form (RFC 4034 6.2, RFC 6840 5.1) */
#define RD_POST 0x08       /* type-specific checks after the layout (post_check) */

#define RD_MAXFIELDS 9

struct rdesc {
	uint8_t flags;
	uint8_t n;
	uint8_t f[RD_MAXFIELDS];
};

#define D(fl, ...)                                                                                 \
	{                                                                                          \
		(fl), sizeof((const uint8_t[]){__VA_ARGS__}),                                      \
		{                                                                                  \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}

/* RFC 1035 types: compressible, decompressible, canonical. */
#define RD_1035 (RD_COMPRESS | RD_DECOMPRESS | RD_CANON)
/* Types RFC 3597 4 lets decoders decompress; all are canonical too. */
#define RD_LATER (RD_DECOMPRESS | RD_CANON)

#define RD_NTYPES 262

/* Types rrtype.h has no constant for. */
#define RRTYPE_NXT_ 30
#define RRTYPE_A6_ 38

static const struct rdesc descs[RD_NTYPES] = {
    [RRTYPE_A] = D(0, FK_A),
    [RRTYPE_NS] = D(RD_1035, FK_NAME),
    [RRTYPE_MD] = D(RD_1035, FK_NAME),
    [RRTYPE_MF] = D(RD_1035, FK_NAME),
    [RRTYPE_CNAME] = D(RD_1035, FK_NAME),
    [RRTYPE_SOA] = D(RD_1035, FK_NAME, FK_NAME, FK_U32, FK_PERIOD, FK_PERIOD, FK_PERIOD, FK_PERIOD),
    [RRTYPE_MB] = D(RD_1035, FK_NAME),
    [RRTYPE_MG] = D(RD_1035, FK_NAME),
    [RRTYPE_MR] = D(RD_1035, FK_NAME),
    [RRTYPE_WKS] = D(0, FK_A, FK_WKS),
    [RRTYPE_PTR] = D(RD_1035, FK_NAME),
    [RRTYPE_HINFO] = D(0, FK_STR, FK_STR),
    [RRTYPE_MINFO] = D(RD_1035, FK_NAME, FK_NAME),
    [RRTYPE_MX] = D(RD_1035, FK_U16, FK_NAME),
    [RRTYPE_TXT] = D(0, FK_STRS),
    [RRTYPE_RP] = D(RD_LATER, FK_NAME, FK_NAME),
    [RRTYPE_AFSDB] = D(RD_LATER, FK_U16, FK_NAME),
    [RRTYPE_X25] = D(0, FK_STR),
    [RRTYPE_ISDN] = D(0, FK_STR, FK_STROPT),
    [RRTYPE_RT] = D(RD_LATER, FK_U16, FK_NAME),
    [RRTYPE_SIG] =
        D(RD_LATER, FK_TYPE, FK_ALG, FK_U8, FK_U32, FK_TIME, FK_TIME, FK_U16, FK_NAME, FK_B64),
    [RRTYPE_KEY] = D(RD_POST, FK_U16, FK_U8, FK_ALG, FK_B64_0),
    [RRTYPE_PX] = D(RD_LATER, FK_U16, FK_NAME, FK_NAME),
    [RRTYPE_AAAA] = D(0, FK_AAAA),
    [RRTYPE_NXT_] = D(RD_LATER, FK_NAME, FK_NXTMAP),
    [RRTYPE_A6_] = D(RD_CANON, FK_A6),
    [RRTYPE_LOC] = D(0, FK_LOC),
    [RRTYPE_SRV] = D(RD_LATER, FK_U16, FK_U16, FK_U16, FK_NAME),
    [RRTYPE_NAPTR] = D(RD_LATER, FK_U16, FK_U16, FK_STR, FK_STR, FK_STR, FK_NAME),
    /* KX is canonical (RFC 4034 6.2) but not decompressible (RFC 2230). */
    [RRTYPE_KX] = D(RD_CANON, FK_U16, FK_NAME),
    [RRTYPE_CERT] = D(0, FK_CERTTYPE, FK_U16, FK_ALGM, FK_B64),
    /* RFC 6672 2.5: the DNAME target is never compressed. */
    [RRTYPE_DNAME] = D(RD_CANON, FK_NAME),
    [RRTYPE_APL] = D(0, FK_APL),
    [RRTYPE_DS] = D(RD_POST, FK_U16, FK_ALG, FK_U8, FK_HEX),
    [RRTYPE_SSHFP] = D(0, FK_U8, FK_U8, FK_HEX),
    [RRTYPE_IPSECKEY] = D(0, FK_U8, FK_IPSECKEY),
    [RRTYPE_RRSIG] =
        D(RD_CANON, FK_TYPE, FK_ALG, FK_U8, FK_U32, FK_TIME, FK_TIME, FK_U16, FK_NAME, FK_B64),
    /* RFC 6840 5.1: the NSEC next name is not lower-cased. */
    [RRTYPE_NSEC] = D(RD_POST, FK_NAME, FK_BITMAP),
    [RRTYPE_DNSKEY] = D(0, FK_U16, FK_U8, FK_ALG, FK_B64),
    [RRTYPE_DHCID] = D(0, FK_B64),
    [RRTYPE_NSEC3] = D(RD_POST, FK_U8, FK_U8, FK_U16, FK_SALT, FK_B32, FK_BITMAP),
    [RRTYPE_NSEC3PARAM] = D(0, FK_U8, FK_U8, FK_U16, FK_SALT),
    [RRTYPE_TLSA] = D(0, FK_U8, FK_U8, FK_U8, FK_HEX),
    [RRTYPE_SMIMEA] = D(0, FK_U8, FK_U8, FK_U8, FK_HEX),
    [RRTYPE_CDS] = D(RD_POST, FK_U16, FK_ALG, FK_U8, FK_HEX),
    [RRTYPE_CDNSKEY] = D(0, FK_U16, FK_U8, FK_ALG, FK_B64),
    [RRTYPE_OPENPGPKEY] = D(0, FK_B64),
    [RRTYPE_CSYNC] = D(0, FK_U32, FK_U16, FK_BITMAP),
    [RRTYPE_ZONEMD] = D(RD_POST, FK_U32, FK_U8, FK_U8, FK_HEX),
    [RRTYPE_SVCB] = D(0, FK_U16, FK_NAME, FK_SVCPARAMS),
    [RRTYPE_HTTPS] = D(0, FK_U16, FK_NAME, FK_SVCPARAMS),
    [RRTYPE_SPF] = D(0, FK_STRS),
    [RRTYPE_NID] = D(0, FK_U16, FK_ILNP64),
    [RRTYPE_L32] = D(0, FK_U16, FK_A),
    [RRTYPE_L64] = D(0, FK_U16, FK_ILNP64),
    [RRTYPE_LP] = D(0, FK_U16, FK_NAME),
    [RRTYPE_EUI48] = D(0, FK_EUI48),
    [RRTYPE_EUI64] = D(0, FK_EUI64),
    [RRTYPE_URI] = D(0, FK_U16, FK_U16, FK_QTEXT),
    [RRTYPE_CAA] = D(0, FK_U8, FK_CAATAG, FK_QTEXT),
};

/* TA and DLV (32768, 32769) have the DS layout. */
#define RRTYPE_TA_ 32768
#define RRTYPE_DLV_ 32769
static const struct rdesc ds_like = D(RD_POST, FK_U16, FK_ALG, FK_U8, FK_HEX);

static inline const struct rdesc *
desc_of(uint16_t type)
{
	if (type < RD_NTYPES) {
		return descs[type].n != 0 ? &descs[type] : NULL;
	}
	return type == RRTYPE_TA_ || type == RRTYPE_DLV_ ? &ds_like : NULL;
}

/* ------------------------------------------------------------------------ */
/* Mnemonic tables for numeric fields                                       */

struct mnem {
	uint16_t v;
	const char *name;
};

/* DNSSEC algorithms (IANA registry; BIND's spellings first, as printed). */
static const struct mnem alg_names[] = {
    {1, "RSAMD5"},
    {2, "DH"},
    {3, "DSA"},
    {5, "RSASHA1"},
    {6, "NSEC3DSA"},
    {7, "NSEC3RSASHA1"},
    {8, "RSASHA256"},
    {10, "RSASHA512"},
    {12, "ECCGOST"},
    {13, "ECDSAP256SHA256"},
    {14, "ECDSAP384SHA384"},
    {15, "ED25519"},
    {16, "ED448"},
    {252, "INDIRECT"},
    {253, "PRIVATEDNS"},
    {254, "PRIVATEOID"},
    {6, "DSA-NSEC3-SHA1"},
    {7, "RSASHA1-NSEC3-SHA1"},
    {12, "ECC-GOST"},
    {0, NULL},
};

/* RFC 4398 2.1 certificate types. */
static const struct mnem cert_names[] = {
    {1, "PKIX"},   {2, "SPKI"},    {3, "PGP"},   {4, "IPKIX"}, {5, "ISPKI"}, {6, "IPGP"},
    {7, "ACPKIX"}, {8, "IACPKIX"}, {253, "URI"}, {254, "OID"}, {0, NULL},
};

/* A few well-known services for WKS, since BIND accepts names there. */
static const struct mnem service_names[] = {
    {20, "ftp-data"}, {21, "ftp"},          {22, "ssh"},         {23, "telnet"}, {25, "smtp"},
    {37, "time"},     {43, "whois"},        {53, "domain"},      {69, "tftp"},   {70, "gopher"},
    {79, "finger"},   {80, "http"},         {88, "kerberos"},    {110, "pop3"},  {119, "nntp"},
    {123, "ntp"},     {143, "imap"},        {161, "snmp"},       {179, "bgp"},   {389, "ldap"},
    {443, "https"},   {465, "submissions"}, {587, "submission"}, {636, "ldaps"}, {853, "domain-s"},
    {993, "imaps"},   {995, "pop3s"},       {0, NULL},
};

static bool
equal_nocase(const char *a, size_t alen, const char *b)
{
	size_t i = 0;
	for (; i < alen; i++) {
		if (b[i] == '\0' ||
		    dname_lower_tab[(uint8_t)a[i]] != dname_lower_tab[(uint8_t)b[i]]) {
			return false;
		}
	}
	return b[i] == '\0';
}

static int
mnem_lookup(const struct mnem *tab, const char *s, size_t len, uint16_t *out)
{
	for (; tab->name != NULL; tab++) {
		if (equal_nocase(s, len, tab->name)) {
			*out = tab->v;
			return SN_OK;
		}
	}
	return SN_ENOTFOUND;
}

static const char *
mnem_name(const struct mnem *tab, uint16_t v)
{
	for (; tab->name != NULL; tab++) {
		if (tab->v == v) {
			return tab->name;
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Text output: a sticky writer like wire_out_t, keeping room for the NUL.  */

typedef struct tout {
	char *start;
	char *p;
	char *end; /* last usable byte is end[-1]; *end is for the NUL */
	int err;
} tout_t;

static inline char *
t_reserve(tout_t *t, size_t n)
{
	if (t->err != SN_OK) {
		return NULL;
	}
	if ((size_t)(t->end - t->p) < n) {
		t->err = SN_ENOSPC;
		return NULL;
	}
	char *r = t->p;
	t->p += n;
	return r;
}

static inline void
t_putc(tout_t *t, char c)
{
	char *r = t_reserve(t, 1);
	if (r != NULL) {
		*r = c;
	}
}

static inline void
t_put(tout_t *t, const char *s, size_t n)
{
	char *r = t_reserve(t, n);
	if (r != NULL) {
		memcpy(r, s, n);
	}
}

static inline void
t_puts(tout_t *t, const char *s)
{
	t_put(t, s, strlen(s));
}

/* One space between fields, none before the first. */
static inline void
t_sep(tout_t *t)
{
	if (t->p != t->start) {
		t_putc(t, ' ');
	}
}

static void
t_u32(tout_t *t, uint32_t v)
{
	char d[10];
	size_t n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	char *r = t_reserve(t, n);
	if (r != NULL) {
		while (n > 0) {
			*r++ = d[--n];
		}
	}
}

/* Zero-padded to `width` digits. */
static void
t_u32w(tout_t *t, uint32_t v, unsigned width)
{
	char *r = t_reserve(t, width);
	if (r != NULL) {
		for (unsigned i = width; i > 0; i--) {
			r[i - 1] = (char)('0' + v % 10);
			v /= 10;
		}
	}
}

static void
t_ddd(tout_t *t, uint8_t c)
{
	char *r = t_reserve(t, 4);
	if (r != NULL) {
		r[0] = '\\';
		r[1] = (char)('0' + c / 100);
		r[2] = (char)('0' + (c / 10) % 10);
		r[3] = (char)('0' + c % 10);
	}
}

/* The inside of a quoted <character-string>: '"' and '\' are escaped with a
 * backslash, octets outside printable ASCII as \DDD (RFC 1035 5.1). */
static void
t_strbody(tout_t *t, const uint8_t *s, size_t n)
{
	size_t run = 0; /* printable octets not yet copied */
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			run++;
			continue;
		}
		t_put(t, (const char *)s + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			t_putc(t, '\\');
			t_putc(t, (char)c);
		} else {
			t_ddd(t, c);
		}
	}
	t_put(t, (const char *)s + n - run, run);
}

static void
t_qstr(tout_t *t, const uint8_t *s, size_t n)
{
	t_putc(t, '"');
	t_strbody(t, s, n);
	t_putc(t, '"');
}

static void
t_hex(tout_t *t, const uint8_t *p, size_t n)
{
	char *r = t_reserve(t, codec_hex_len(n));
	if (r != NULL) {
		codec_hex_encode(p, n, r);
	}
}

static void
t_b64(tout_t *t, const uint8_t *p, size_t n)
{
	char *r = t_reserve(t, codec_b64_len(n));
	if (r != NULL) {
		codec_b64_encode(p, n, r);
	}
}

static void
t_name(tout_t *t, const uint8_t *dn)
{
	if (t->err != SN_OK) {
		return;
	}
	size_t room = (size_t)(t->end - t->p) + 1; /* dname_to_text writes its own NUL */
	int n;
	if (room >= DNAME_MAXTEXT) {
		n = dname_to_text(dn, t->p, room);
	} else {
		char tmp[DNAME_MAXTEXT];
		n = dname_to_text(dn, tmp, sizeof(tmp));
		if (n >= 0 && (size_t)n < room) {
			memcpy(t->p, tmp, (size_t)n);
		} else {
			n = SN_ENOSPC;
		}
	}
	if (n < 0) {
		t->err = SN_ENOSPC;
		return;
	}
	t->p += n;
}

static void
t_ipv4(tout_t *t, const uint8_t *p)
{
	for (int i = 0; i < 4; i++) {
		if (i > 0) {
			t_putc(t, '.');
		}
		t_u32(t, p[i]);
	}
}

/* The text form inet_ntop(3) gives (and so BIND): lower-case hex without
 * leading zeros, the first longest run of two or more zero groups as "::",
 * and a dotted quad after ::ffff: or a 6-group zero prefix. Written out so
 * that printing stays off stdio. */
static void
t_ipv6(tout_t *t, const uint8_t *p)
{
	static const char hexl[] = "0123456789abcdef";
	uint16_t w[8];
	int best = -1, bestlen = 0;
	for (int k = 0; k < 8; k++) {
		w[k] = (uint16_t)(p[2 * k] << 8 | p[2 * k + 1]);
	}
	for (int k = 0; k < 8;) {
		if (w[k] != 0) {
			k++;
			continue;
		}
		int e = k;
		while (e < 8 && w[e] == 0) {
			e++;
		}
		if (e - k > bestlen) {
			best = k;
			bestlen = e - k;
		}
		k = e;
	}
	if (bestlen < 2) {
		best = -1;
	}
	for (int k = 0; k < 8; k++) {
		if (k == best) {
			t_putc(t, ':');
			k += bestlen - 1;
			if (k == 7) {
				t_putc(t, ':');
			}
			continue;
		}
		if (k > 0) {
			t_putc(t, ':');
		}
		if (k == 6 && best == 0 && (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
			t_ipv4(t, p + 12);
			return;
		}
		bool lead = true;
		for (int sh = 12; sh >= 0; sh -= 4) {
			unsigned d = (w[k] >> sh) & 15;
			if (d == 0 && lead && sh > 0) {
				continue;
			}
			lead = false;
			t_putc(t, hexl[d]);
		}
	}
}

static void
t_type(tout_t *t, uint16_t type)
{
	char tmp[RRTYPE_MAXTEXT];
	int n = rrtype_to_text(type, tmp, sizeof(tmp));
	if (n > 0) {
		t_put(t, tmp, (size_t)n);
	}
}

/* ------------------------------------------------------------------------ */
/* Text input helpers                                                       */

/* Parser state shared by the field parsers. */
struct tin {
	const rdata_tok_t *toks;
	size_t ntok;
	size_t i; /* next token */
	const uint8_t *origin;
	wire_out_t *out;
	size_t etok;
	const char *msg;
};

static int
fail(struct tin *c, size_t tok, int rc, const char *msg)
{
	c->etok = tok;
	c->msg = msg;
	return rc;
}

/* Decimal without sign; leading zeros are fine (BIND takes "010"). */
static int
parse_uint(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	if (len == 0) {
		return SN_EPARSE;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)((uint8_t)s[i] - '0');
		if (d > 9) {
			return SN_EPARSE;
		}
		v = v * 10 + d;
		if (v > max) {
			/* keep scanning so "12x" with a huge prefix still says why */
			for (i++; i < len; i++) {
				if ((unsigned)((uint8_t)s[i] - '0') > 9) {
					return SN_EPARSE;
				}
			}
			return SN_ERANGE;
		}
	}
	*out = (uint32_t)v;
	return SN_OK;
}

static int
tok_uint(struct tin *c, const rdata_tok_t *t, uint32_t max, uint32_t *out)
{
	int rc = parse_uint(t->s, t->len, max, out);
	if (rc == SN_EPARSE) {
		return fail(c, c->i, rc, "bad number");
	}
	if (rc == SN_ERANGE) {
		return fail(c, c->i, rc, "number out of range");
	}
	return SN_OK;
}

/* Number with optional TTL units s/m/h/d/w, combined as in "1h30m". */
static int
parse_period(const char *s, size_t len, uint32_t *out)
{
	uint64_t total = 0, v = 0;
	bool digits = false;
	if (len == 0) {
		return SN_EPARSE;
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t ch = (uint8_t)s[i];
		if (ch >= '0' && ch <= '9') {
			v = v * 10 + (ch - '0');
			if (v > UINT32_MAX) {
				return SN_ERANGE;
			}
			digits = true;
			continue;
		}
		uint64_t mul;
		switch (ch | 0x20) {
		case 's':
			mul = 1;
			break;
		case 'm':
			mul = 60;
			break;
		case 'h':
			mul = 3600;
			break;
		case 'd':
			mul = 86400;
			break;
		case 'w':
			mul = 604800;
			break;
		default:
			return SN_EPARSE;
		}
		if (!digits) {
			return SN_EPARSE;
		}
		total += v * mul;
		if (total > UINT32_MAX) {
			return SN_ERANGE;
		}
		v = 0;
		digits = false;
	}
	total += v;
	if (total > UINT32_MAX) {
		return SN_ERANGE;
	}
	*out = (uint32_t)total;
	return SN_OK;
}

/* Dotted quad, four decimal octets without leading zeros (BIND refuses
 * "01.2.3.4", which some resolvers read as octal). */
static int
parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || s[i] != '.') {
				return SN_EPARSE;
			}
			i++;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
		}
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1)) {
			return SN_EPARSE;
		}
		out[part] = (uint8_t)v;
	}
	return i == len ? SN_OK : SN_EPARSE;
}

/* RFC 4291 2.2 text forms, including "::" and a trailing dotted quad; the
 * same forms inet_pton(3) takes, without its NUL-terminated copy. */
static int
parse_ipv6(const char *s, size_t len, uint8_t out[16])
{
	uint16_t w[8];
	int n = 0, gap = -1;
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (len == 0 || s[0] == ':') {
		return SN_EPARSE;
	}
	while (i < len) {
		size_t start = i;
		unsigned v = 0;
		int hd;
		while (i < len && i - start < 5 && (hd = codec_hex_digit((uint8_t)s[i])) >= 0) {
			v = v << 4 | (unsigned)hd;
			i++;
		}
		if (i < len && s[i] == '.') {
			/* the last 32 bits as a dotted quad (RFC 4291 2.2 form 3) */
			uint8_t a[4];
			if (n > 6 || parse_ipv4(s + start, len - start, a) != SN_OK) {
				return SN_EPARSE;
			}
			w[n++] = (uint16_t)(a[0] << 8 | a[1]);
			w[n++] = (uint16_t)(a[2] << 8 | a[3]);
			i = len;
			break;
		}
		if (i == start || i - start > 4 || n >= 8) {
			return SN_EPARSE;
		}
		w[n++] = (uint16_t)v;
		if (i == len) {
			break;
		}
		if (s[i] != ':' || ++i == len) {
			return SN_EPARSE;
		}
		if (s[i] == ':') {
			if (gap >= 0) {
				return SN_EPARSE;
			}
			gap = n;
			i++;
		}
	}
	if (gap >= 0) {
		if (n >= 8) {
			return SN_EPARSE; /* "::" stands for at least one group */
		}
		int tail = n - gap;
		memmove(w + 8 - tail, w + gap, (size_t)tail * sizeof(w[0]));
		for (int k = gap; k < 8 - tail; k++) {
			w[k] = 0;
		}
	} else if (n != 8) {
		return SN_EPARSE;
	}
	for (int k = 0; k < 8; k++) {
		out[2 * k] = (uint8_t)(w[k] >> 8);
		out[2 * k + 1] = (uint8_t)w[k];
	}
	return SN_OK;
}

/* Decodes the escapes of a <character-string> token (\X and \DDD, RFC 1035
 * 5.1) into `out`. Returns the decoded length, -1 for a bad escape, -2 when
 * over `cap`. */
static long
cs_decode(const char *s, size_t len, uint8_t *out, size_t cap)
{
	size_t n = 0;
	const char *bs = memchr(s, '\\', len);
	if (bs == NULL) {
		/* the common case: nothing to decode */
		if (len > cap) {
			return -2;
		}
		memcpy(out, s, len);
		return (long)len;
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c == '\\') {
			if (++i >= len) {
				return -1;
			}
			c = (uint8_t)s[i];
			if (c >= '0' && c <= '9') {
				if (len - i < 3 || s[i + 1] < '0' || s[i + 1] > '9' ||
				    s[i + 2] < '0' || s[i + 2] > '9') {
					return -1;
				}
				unsigned v = (unsigned)(c - '0') * 100 +
				             (unsigned)(s[i + 1] - '0') * 10 +
				             (unsigned)(s[i + 2] - '0');
				if (v > 255) {
					return -1;
				}
				c = (uint8_t)v;
				i += 2;
			}
		}
		if (n >= cap) {
			return -2;
		}
		out[n++] = c;
	}
	return (long)n;
}

/* Iterates over the decoded octets of a <character-string>, for values that
 * need a second level of parsing (SvcParam value lists). */
struct csi {
	const char *p;
	const char *end;
	bool comma; /* the last item ended at a comma */
};

/* 1: an octet in *c (*esc says it came from an escape); 0: end; -1: bad escape. */
static int
csi_next(struct csi *it, uint8_t *c, bool *esc)
{
	if (it->p >= it->end) {
		return 0;
	}
	uint8_t ch = (uint8_t)*it->p++;
	*esc = false;
	if (ch == '\\') {
		if (it->p >= it->end) {
			return -1;
		}
		ch = (uint8_t)*it->p++;
		*esc = true;
		if (ch >= '0' && ch <= '9') {
			if (it->end - it->p < 2 || it->p[0] < '0' || it->p[0] > '9' ||
			    it->p[1] < '0' || it->p[1] > '9') {
				return -1;
			}
			unsigned v = (unsigned)(ch - '0') * 100 + (unsigned)(it->p[0] - '0') * 10 +
			             (unsigned)(it->p[1] - '0');
			if (v > 255) {
				return -1;
			}
			ch = (uint8_t)v;
			it->p += 2;
		}
	}
	*c = ch;
	return 1;
}

/* Appends one <character-string> (length octet + octets). */
static int
put_str(struct tin *c, const rdata_tok_t *t)
{
	wire_out_t *w = c->out;
	if (w->err != SN_OK) {
		return w->err;
	}
	if (w->pos >= w->end) {
		w->err = SN_ENOSPC;
		return fail(c, c->i, SN_ENOSPC, "RDATA over 65535 octets");
	}
	size_t room = (size_t)(w->end - w->pos) - 1;
	long n = cs_decode(t->s, t->len, w->pos + 1, room < 255 ? room : 255);
	if (n == -1) {
		return fail(c, c->i, SN_EPARSE, "bad escape in character-string");
	}
	if (n == -2) {
		if (room < 255) {
			uint8_t tmp[256];
			if (cs_decode(t->s, t->len, tmp, 255) >= 0) {
				w->err = SN_ENOSPC;
				return fail(c, c->i, SN_ENOSPC, "RDATA over 65535 octets");
			}
		}
		return fail(c, c->i, SN_ERANGE, "character-string over 255 octets");
	}
	w->pos[0] = (uint8_t)n;
	w->pos += 1 + n;
	return SN_OK;
}

static int
name_from_text(struct tin *c, const rdata_tok_t *t)
{
	wire_out_t *w = c->out;
	uint8_t tmp[DNAME_MAXLEN];
	bool direct = wire_out_room(w, DNAME_MAXLEN);
	size_t dl;
	int rc = dname_from_text(t->s, t->len, c->origin, direct ? w->pos : tmp, &dl);
	if (rc != SN_OK) {
		if (rc == SN_ERANGE) {
			return fail(c, c->i, SN_ERANGE, "domain name or label too long");
		}
		return fail(c, c->i, SN_EPARSE, "bad domain name");
	}
	if (direct) {
		w->pos += dl;
	} else {
		wire_put_bytes(w, tmp, dl);
	}
	return SN_OK;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm), and back. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* RFC 4034 3.2: YYYYMMDDHHmmSS in UTC, or seconds since the epoch as a
 * plain number. The value is kept modulo 2^32 (serial arithmetic, 3.1.5). */
static int
parse_time(const char *s, size_t len, uint32_t *out)
{
	static const uint8_t mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (len != 14) {
		return parse_uint(s, len, UINT32_MAX, out);
	}
	unsigned v[6];
	static const uint8_t width[6] = {4, 2, 2, 2, 2, 2};
	size_t k = 0;
	for (int f = 0; f < 6; f++) {
		v[f] = 0;
		for (unsigned j = 0; j < width[f]; j++, k++) {
			unsigned dg = (unsigned)((uint8_t)s[k] - '0');
			if (dg > 9) {
				return SN_EPARSE;
			}
			v[f] = v[f] * 10 + dg;
		}
	}
	unsigned y = v[0], mo = v[1], d = v[2];
	/* Years before 1970 are fine: BIND prints a value as the date nearest
	 * to now, which can be in the 1960s, and the value is modulo 2^32. */
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || v[3] > 23 || v[4] > 59 ||
	    v[5] > 59) {
		return SN_EPARSE;
	}
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap) {
		return SN_EPARSE;
	}
	int64_t t = days_from_civil(y, mo, d) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
	*out = (uint32_t)((uint64_t)t & 0xffffffffu);
	return SN_OK;
}

static void
t_time(tout_t *t, uint32_t v)
{
	int64_t y;
	unsigned mo, d;
	uint32_t secs = v % 86400;
	civil_from_days((int64_t)(v / 86400), &y, &mo, &d);
	t_u32w(t, (uint32_t)y, 4);
	t_u32w(t, mo, 2);
	t_u32w(t, d, 2);
	t_u32w(t, secs / 3600, 2);
	t_u32w(t, (secs / 60) % 60, 2);
	t_u32w(t, secs % 60, 2);
}

/* ------------------------------------------------------------------------ */
/* Wire checks of the irregular kinds                                       */

/* RFC 4034 4.1.2: windows in increasing order, 1..32 octets each, no
 * trailing zero octet (so a bitmap has exactly one encoding). */
static int
bitmap_check(const uint8_t *p, size_t n)
{
	int prev = -1;
	size_t i = 0;
	while (i < n) {
		if (n - i < 2) {
			return SN_EPARSE;
		}
		unsigned win = p[i], blen = p[i + 1];
		if ((int)win <= prev || blen == 0 || blen > 32 || n - i - 2 < blen) {
			return SN_EPARSE;
		}
		if (p[i + 1 + blen] == 0) {
			return SN_EPARSE;
		}
		prev = (int)win;
		i += 2 + blen;
	}
	return SN_OK;
}

static bool
is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* RFC 1876 2: precision octets are mantissa (high nibble) and power of ten,
 * both 0..9. A zero mantissa with a non-zero power is refused, as BIND does:
 * it would print as 0 and read back as a different octet. */
static bool
loc_prec_ok(uint8_t v)
{
	return (v >> 4) <= 9 && (v & 15) <= 9 && ((v >> 4) != 0 || (v & 15) == 0);
}

#define LOC_EQUATOR 0x80000000u
#define LOC_MAXLAT (90u * 3600000u)
#define LOC_MAXLON (180u * 3600000u)

static int
loc_check(const uint8_t *p, size_t n)
{
	if (n != 16 || p[0] != 0 || !loc_prec_ok(p[1]) || !loc_prec_ok(p[2]) ||
	    !loc_prec_ok(p[3])) {
		return SN_EPARSE;
	}
	uint32_t lat = wire_read_u32(p + 4), lon = wire_read_u32(p + 8);
	if (lat < LOC_EQUATOR - LOC_MAXLAT || lat > LOC_EQUATOR + LOC_MAXLAT ||
	    lon < LOC_EQUATOR - LOC_MAXLON || lon > LOC_EQUATOR + LOC_MAXLON) {
		return SN_EPARSE;
	}
	return SN_OK;
}

/* SvcParamKeys (RFC 9460 14.3.2). */
enum svc_key {
	SVC_MANDATORY = 0,
	SVC_ALPN = 1,
	SVC_NDALPN = 2,
	SVC_PORT = 3,
	SVC_IPV4HINT = 4,
	SVC_ECH = 5,
	SVC_IPV6HINT = 6,
	SVC_DOHPATH = 7, /* RFC 9461; printed as key7, as BIND 9.18 does */
	SVC_OHTTP = 8,   /* RFC 9540; printed as key8 */
};

static const char *const svc_names[] = {
    "mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint",
};
#define SVC_NAMED 7

/* Checks the value of one SvcParam against its key's format (RFC 9460 7). */
static bool
svc_value_ok(uint16_t key, const uint8_t *v, size_t n)
{
	switch (key) {
	case SVC_MANDATORY:
		/* 8: a non-empty, strictly increasing list without "mandatory" */
		if (n == 0 || n % 2 != 0) {
			return false;
		}
		for (size_t i = 0; i < n; i += 2) {
			uint16_t k = wire_read_u16(v + i);
			if (k == SVC_MANDATORY || (i > 0 && k <= wire_read_u16(v + i - 2))) {
				return false;
			}
		}
		return true;
	case SVC_ALPN:
		/* 7.1.1: a non-empty list of non-empty alpn-ids */
		if (n == 0) {
			return false;
		}
		for (size_t i = 0; i < n; i += 1 + (size_t)v[i]) {
			if (v[i] == 0 || n - i - 1 < v[i]) {
				return false;
			}
		}
		return true;
	case SVC_NDALPN:
		return n == 0;
	case SVC_PORT:
		return n == 2;
	case SVC_IPV4HINT:
		return n > 0 && n % 4 == 0;
	case SVC_IPV6HINT:
		return n > 0 && n % 16 == 0;
	default:
		return true; /* ech and unknown keys: opaque */
	}
}

/* Checks SvcParams `p[0..n)`; on failure *msg says why. */
static int
svc_check(const uint8_t *p, size_t n, const char **msg)
{
	size_t i = 0;
	long prev = -1;
	bool alpn = false, ndalpn = false;
	const uint8_t *mand = NULL;
	size_t mandlen = 0;

	while (i < n) {
		if (n - i < 4) {
			*msg = "truncated SvcParam";
			return SN_EPARSE;
		}
		uint16_t key = wire_read_u16(p + i), vlen = wire_read_u16(p + i + 2);
		if (n - i - 4 < vlen) {
			*msg = "truncated SvcParam";
			return SN_EPARSE;
		}
		/* RFC 9460 2.2: keys in strictly increasing order */
		if ((long)key <= prev) {
			*msg = key == prev ? "duplicate SvcParam key" : "SvcParams out of order";
			return SN_EPARSE;
		}
		if (!svc_value_ok(key, p + i + 4, vlen)) {
			*msg = "bad SvcParam value";
			return SN_EPARSE;
		}
		if (key == SVC_MANDATORY) {
			mand = p + i + 4;
			mandlen = vlen;
		}
		alpn |= key == SVC_ALPN;
		ndalpn |= key == SVC_NDALPN;
		prev = key;
		i += 4 + (size_t)vlen;
	}
	/* 7.1.1: no-default-alpn without alpn is not self-consistent */
	if (ndalpn && !alpn) {
		*msg = "no-default-alpn without alpn";
		return SN_EPARSE;
	}
	/* 8: every key named in mandatory must be present */
	for (size_t m = 0; m < mandlen; m += 2) {
		uint16_t want = wire_read_u16(mand + m);
		bool found = false;
		for (size_t j = 0; j < n && !found; j += 4 + (size_t)wire_read_u16(p + j + 2)) {
			found = wire_read_u16(p + j) == want;
		}
		if (!found) {
			*msg = "mandatory SvcParam key missing";
			return SN_EPARSE;
		}
	}
	return SN_OK;
}

/* From the gateway type on: type, algorithm, gateway, key (RFC 4025 2). */
static int
ipseckey_check(const uint8_t *p, size_t n, size_t *gwlen)
{
	size_t g;
	if (n < 2) {
		return SN_EPARSE;
	}
	switch (p[0]) {
	case 0:
		g = 0;
		break;
	case 1:
		g = 4;
		break;
	case 2:
		g = 16;
		break;
	case 3:
		if (dname_check(p + 2, n - 2, &g) != SN_OK) {
			return SN_EPARSE;
		}
		break;
	default:
		return SN_EPARSE; /* no known format: cannot be presented */
	}
	if (n - 2 < g) {
		return SN_EPARSE;
	}
	*gwlen = g;
	return SN_OK;
}

/* RFC 3123 4: items of family, prefix, N|AFDLENGTH, AFDPART. */
static int
apl_check(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (n - i < 4) {
			return SN_EPARSE;
		}
		uint16_t afi = wire_read_u16(p + i);
		uint8_t prefix = p[i + 2], afdlen = p[i + 3] & 0x7f;
		if (n - i - 4 < afdlen) {
			return SN_EPARSE;
		}
		if ((afi == 1 && (prefix > 32 || afdlen > 4)) ||
		    (afi == 2 && (prefix > 128 || afdlen > 16))) {
			return SN_EPARSE;
		}
		/* RFC 3123 4: trailing zero octets of AFDPART are not sent */
		if (afdlen > 0 && p[i + 4 + afdlen - 1] == 0) {
			return SN_EPARSE;
		}
		i += 4 + (size_t)afdlen;
	}
	return SN_OK;
}

/* RFC 2874 3.1: prefix length, the address suffix in as few octets as hold
 * 128 - prefix bits (pad bits zero), then the prefix name when the prefix is
 * not empty. Writes the suffix length to *sl. */
static int
a6_check(const uint8_t *p, size_t n, size_t *sl)
{
	if (n == 0 || p[0] > 128) {
		return SN_EPARSE;
	}
	size_t suffix = (size_t)(128 - p[0] + 7) / 8, nl = 0;
	if (n - 1 < suffix) {
		return SN_EPARSE;
	}
	if (suffix > 0 && p[0] % 8 != 0 && (p[1] & (0xff << (8 - p[0] % 8))) != 0) {
		return SN_EPARSE;
	}
	if (p[0] > 0 && (dname_check(p + 1 + suffix, n - 1 - suffix, &nl) != SN_OK)) {
		return SN_EPARSE;
	}
	if (1 + suffix + nl != n) {
		return SN_EPARSE;
	}
	*sl = suffix;
	return SN_OK;
}

/* Validates the field of kind `k` at the start of p[0..n) and writes its
 * length to *flen. Every caller passes only the octets of this RDATA, so a
 * field can never read past it. */
static int
field_check(uint8_t k, const uint8_t *p, size_t n, size_t *flen)
{
	size_t l;
	const char *msg;
	switch (k) {
	case FK_NAME:
		if (dname_check(p, n, &l) != SN_OK) {
			return SN_EPARSE;
		}
		break;
	case FK_U8:
	case FK_ALG:
	case FK_ALGM:
		l = 1;
		break;
	case FK_U16:
	case FK_TYPE:
	case FK_CERTTYPE:
		l = 2;
		break;
	case FK_U32:
	case FK_PERIOD:
	case FK_TIME:
	case FK_A:
		l = 4;
		break;
	case FK_AAAA:
		l = 16;
		break;
	case FK_EUI48:
		l = 6;
		break;
	case FK_EUI64:
	case FK_ILNP64:
		l = 8;
		break;
	case FK_STROPT:
		if (n == 0) {
			l = 0;
			break;
		}
		/* fall through */
	case FK_STR:
		if (n == 0) {
			return SN_EPARSE;
		}
		l = 1 + (size_t)p[0];
		break;
	case FK_STRS:
		if (n == 0) {
			return SN_EPARSE;
		}
		for (l = 0; l < n; l += 1 + (size_t)p[l]) {
		}
		break;
	case FK_QTEXT:
	case FK_B64_0:
	case FK_APL:
		if (k == FK_APL && apl_check(p, n) != SN_OK) {
			return SN_EPARSE;
		}
		l = n;
		break;
	case FK_HEX:
	case FK_B64:
		if (n == 0) {
			return SN_EPARSE;
		}
		l = n;
		break;
	case FK_SALT:
		if (n == 0) {
			return SN_EPARSE;
		}
		l = 1 + (size_t)p[0];
		break;
	case FK_B32:
		/* RFC 5155 3.2: the hash is at least one octet */
		if (n == 0 || p[0] == 0) {
			return SN_EPARSE;
		}
		l = 1 + (size_t)p[0];
		break;
	case FK_CAATAG:
		/* RFC 8659 4.1: tag length at least 1, letters and digits */
		if (n == 0 || p[0] == 0 || n - 1 < p[0]) {
			return SN_EPARSE;
		}
		for (size_t i = 1; i <= p[0]; i++) {
			if (!is_alnum(p[i])) {
				return SN_EPARSE;
			}
		}
		l = 1 + (size_t)p[0];
		break;
	case FK_BITMAP:
		if (bitmap_check(p, n) != SN_OK) {
			return SN_EPARSE;
		}
		l = n;
		break;
	case FK_LOC:
		if (loc_check(p, n) != SN_OK) {
			return SN_EPARSE;
		}
		l = n;
		break;
	case FK_SVCPARAMS:
		if (svc_check(p, n, &msg) != SN_OK) {
			return SN_EPARSE;
		}
		l = n;
		break;
	case FK_IPSECKEY:
		if (ipseckey_check(p, n, &l) != SN_OK) {
			return SN_EPARSE;
		}
		l = n;
		break;
	case FK_WKS:
		/* protocol, then a bitmap without trailing zero octets (so it has
		 * one presentation; BIND refuses them too) */
		if (n == 0 || (n > 1 && p[n - 1] == 0)) {
			return SN_EPARSE;
		}
		l = n;
		break;
	case FK_A6:
		if (a6_check(p, n, &l) != SN_OK) {
			return SN_EPARSE;
		}
		l = n;
		break;
	case FK_NXTMAP:
		/* RFC 2535 5.2: types 1..127; bit 0 set means another format */
		if (n > 16 || (n > 0 && ((p[0] & 0x80) != 0 || p[n - 1] == 0))) {
			return SN_EPARSE;
		}
		l = n;
		break;
	default:
		return SN_EPARSE;
	}
	if (l > n) {
		return SN_EPARSE;
	}
	*flen = l;
	return SN_OK;
}

/* Digest lengths the algorithm fixes: a DS with a SHA-256 digest of 20
 * octets is a typo, and BIND refuses it too. 0 means "any". */
static size_t
ds_digest_len(uint8_t type)
{
	switch (type) {
	case 1:
		return 20; /* SHA-1, RFC 4034 5.1.4 */
	case 2:
		return 32; /* SHA-256, RFC 4509 */
	case 3:
		return 32; /* GOST R 34.11-94, RFC 5933 */
	case 4:
		return 48; /* SHA-384, RFC 6605 */
	default:
		return 0;
	}
}

/* Checks beyond the layout for the types flagged RD_POST; `rd` has passed
 * the layout check. */
static int
post_check(uint16_t type, const uint8_t *rd, size_t len, const char **msg)
{
	switch (type) {
	case RRTYPE_DS:
	case RRTYPE_CDS:
	case RRTYPE_TA_:
	case RRTYPE_DLV_: {
		size_t want = ds_digest_len(rd[3]);
		if (want != 0 && len - 4 != want) {
			*msg = "wrong digest length for the digest type";
			return SN_EPARSE;
		}
		return SN_OK;
	}
	case RRTYPE_NSEC:
		/* an NSEC always covers at least itself (RFC 4035 2.3); BIND
		 * refuses an empty bitmap */
		if (dname_len(rd) == len) {
			*msg = "empty NSEC type bitmap";
			return SN_EPARSE;
		}
		return SN_OK;
	case RRTYPE_NSEC3: {
		/* the hash is the first label of an owner name, so at most 63
		 * base32hex characters (RFC 5155 3.3), and SHA-1 gives 20 octets */
		size_t hl = rd[5 + (size_t)rd[4]];
		if (hl > 39 || (rd[0] == 1 && hl != 20)) {
			*msg = "wrong next hashed owner length";
			return SN_EPARSE;
		}
		return SN_OK;
	}
	case RRTYPE_KEY:
		/* RFC 2535 3.1.2: only a NOKEY key (flags 0xC000) may omit the key */
		if (len == 4 && (wire_read_u16(rd) & 0xc000) != 0xc000) {
			*msg = "missing key data";
			return SN_EPARSE;
		}
		return SN_OK;
	case RRTYPE_ZONEMD:
		/* RFC 8976 2.2.4: at least 12 octets; SHA384 48, SHA512 64 */
		if (len - 6 < 12 || (rd[5] == 1 && len - 6 != 48) ||
		    (rd[5] == 2 && len - 6 != 64)) {
			*msg = "wrong digest length for the hash algorithm";
			return SN_EPARSE;
		}
		return SN_OK;
	default:
		return SN_OK;
	}
}

static int
check_desc(uint16_t type, const struct rdesc *d, const uint8_t *rd, size_t len)
{
	size_t pos = 0;
	for (unsigned i = 0; i < d->n; i++) {
		size_t fl;
		if (field_check(d->f[i], rd + pos, len - pos, &fl) != SN_OK) {
			return SN_EPARSE;
		}
		pos += fl;
	}
	if (pos != len) {
		return SN_EPARSE;
	}
	if (d->flags & RD_POST) {
		const char *msg;
		return post_check(type, rd, len, &msg);
	}
	return SN_OK;
}

int
rdata_check(uint16_t type, const uint8_t *rd, size_t len)
{
	const struct rdesc *d = desc_of(type);
	if (len > RDATA_MAXLEN) {
		return SN_EPARSE;
	}
	if (d == NULL) {
		return SN_OK;
	}
	return check_desc(type, d, rd, len);
}

/* ------------------------------------------------------------------------ */
/* Text -> wire for the irregular kinds                                     */

/* Type bitmap from the remaining tokens (RFC 4034 4.1.2). The windows are
 * built in a stack bitmap, zeroing only the windows that get used. */
static int
bitmap_from_text(struct tin *c)
{
	uint8_t bits[256][32];
	uint8_t used[256];         /* octets used in each window, 0 when empty */
	unsigned lo = 256, hi = 0; /* windows in use: [lo, hi] */
	for (; c->i < c->ntok; c->i++) {
		const rdata_tok_t *t = &c->toks[c->i];
		uint16_t type;
		if (rrtype_from_text(t->s, t->len, &type) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "unknown RR type in type bitmap");
		}
		unsigned w = type >> 8, o = (type & 0xff) >> 3;
		if (w < lo || w > hi) {
			/* widen the range, clearing the windows it gains */
			unsigned from = lo > hi ? w : (w < lo ? w : hi + 1);
			unsigned to = lo > hi ? w : (w < lo ? lo - 1 : w);
			memset(used + from, 0, to - from + 1);
			lo = w < lo ? w : lo;
			hi = w > hi ? w : hi;
		}
		if (used[w] == 0) {
			memset(bits[w], 0, 32);
		}
		bits[w][o] |= (uint8_t)(0x80 >> (type & 7));
		if (used[w] < o + 1) {
			used[w] = (uint8_t)(o + 1);
		}
	}
	for (unsigned w = lo; w <= hi && w < 256; w++) {
		if (used[w] != 0) {
			wire_put_u8(c->out, (uint8_t)w);
			wire_put_u8(c->out, used[w]);
			wire_put_bytes(c->out, bits[w], used[w]);
		}
	}
	return SN_OK;
}

static void
bitmap_to_text(tout_t *t, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2 + (size_t)p[i + 1]) {
		unsigned w = p[i], blen = p[i + 1];
		for (unsigned o = 0; o < blen; o++) {
			uint8_t b = p[i + 2 + o];
			for (unsigned bit = 0; bit < 8; bit++) {
				if (b & (0x80 >> bit)) {
					t_sep(t);
					t_type(t, (uint16_t)(w << 8 | o << 3 | bit));
				}
			}
		}
	}
}

/* Decimal with up to `maxfrac` fraction digits, as an integer scaled by
 * 10^maxfrac ("23.5" with 3 -> 23500). */
static int
parse_fixed(const char *s, size_t len, unsigned maxfrac, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	unsigned frac = 0;
	bool digits = false;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max) {
			return SN_ERANGE;
		}
		digits = true;
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (frac == maxfrac) {
				return SN_EPARSE;
			}
			v = v * 10 + (uint64_t)(s[i] - '0');
			frac++;
			digits = true;
		}
	}
	if (!digits || i != len) {
		return SN_EPARSE;
	}
	for (; frac < maxfrac; frac++) {
		v *= 10;
	}
	if (v > max) {
		return SN_ERANGE;
	}
	*out = v;
	return SN_OK;
}

/* Length token of LOC: metres with up to two decimals and an optional 'm'. */
static int
loc_metres(const rdata_tok_t *t, uint64_t max_cm, uint64_t *cm)
{
	size_t len = t->len;
	if (len > 0 && (t->s[len - 1] == 'm' || t->s[len - 1] == 'M')) {
		len--;
	}
	return parse_fixed(t->s, len, 2, max_cm, cm);
}

/* Size and precisions: centimetres as mantissa * 10^exponent (RFC 1876 2).
 * Values between representable ones are rounded down, as BIND does. */
static uint8_t
loc_prec_encode(uint64_t cm)
{
	unsigned e = 0;
	while (e < 9 && cm >= 10) {
		cm /= 10;
		e++;
	}
	return (uint8_t)(cm << 4 | e);
}

/* One of latitude/longitude: degrees [minutes [seconds]] hemisphere. */
static int
loc_angle(struct tin *c, unsigned maxdeg, char pos, char neg, uint32_t *out)
{
	uint32_t deg, min = 0;
	uint64_t ms = 0;
	size_t start = c->i;
	if (c->i >= c->ntok ||
	    parse_uint(c->toks[c->i].s, c->toks[c->i].len, maxdeg, &deg) != SN_OK) {
		return fail(c, c->i, SN_EPARSE, "bad LOC degrees");
	}
	c->i++;
	for (int part = 0; part < 2; part++) {
		if (c->i >= c->ntok) {
			return fail(c, c->i, SN_EPARSE, "missing LOC hemisphere");
		}
		const rdata_tok_t *t = &c->toks[c->i];
		if (t->len == 1 &&
		    ((t->s[0] | 0x20) == (pos | 0x20) || (t->s[0] | 0x20) == (neg | 0x20))) {
			break;
		}
		if (part == 0) {
			if (parse_uint(t->s, t->len, 59, &min) != SN_OK) {
				return fail(c, c->i, SN_EPARSE, "bad LOC minutes");
			}
		} else if (parse_fixed(t->s, t->len, 3, 59999, &ms) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad LOC seconds");
		}
		c->i++;
	}
	if (c->i >= c->ntok) {
		return fail(c, c->i, SN_EPARSE, "missing LOC hemisphere");
	}
	const rdata_tok_t *h = &c->toks[c->i];
	if (h->len != 1 || ((h->s[0] | 0x20) != (pos | 0x20) && (h->s[0] | 0x20) != (neg | 0x20))) {
		return fail(c, c->i, SN_EPARSE, "bad LOC hemisphere");
	}
	uint64_t v = ((uint64_t)deg * 60 + min) * 60000 + ms;
	if (v > (uint64_t)maxdeg * 3600000) {
		return fail(c, start, SN_ERANGE, "LOC angle out of range");
	}
	*out = (h->s[0] | 0x20) == (pos | 0x20) ? LOC_EQUATOR + (uint32_t)v
	                                        : LOC_EQUATOR - (uint32_t)v;
	c->i++;
	return SN_OK;
}

static int
loc_from_text(struct tin *c)
{
	uint32_t lat, lon;
	uint8_t prec[3] = {0x12, 0x16, 0x13}; /* 1m, 10000m, 10m: RFC 1876 defaults */
	int rc = loc_angle(c, 90, 'N', 'S', &lat);
	if (rc != SN_OK) {
		return rc;
	}
	rc = loc_angle(c, 180, 'E', 'W', &lon);
	if (rc != SN_OK) {
		return rc;
	}
	if (c->i >= c->ntok) {
		return fail(c, c->i, SN_EPARSE, "missing LOC altitude");
	}
	/* altitude: -100000.00 .. 42849672.95 m, stored +100000 m in cm */
	const rdata_tok_t *t = &c->toks[c->i];
	bool negative = t->len > 0 && t->s[0] == '-';
	rdata_tok_t abs = *t;
	if (negative) {
		abs.s++;
		abs.len--;
	}
	uint64_t cm;
	rc = loc_metres(&abs, negative ? 10000000u : 4284967295u, &cm);
	if (rc != SN_OK) {
		return fail(c, c->i, rc,
		            rc == SN_ERANGE ? "LOC altitude out of range" : "bad LOC altitude");
	}
	uint32_t alt = negative ? (uint32_t)(10000000u - cm) : (uint32_t)(10000000u + cm);
	c->i++;
	for (int k = 0; k < 3 && c->i < c->ntok; k++, c->i++) {
		rc = loc_metres(&c->toks[c->i], 9000000000u, &cm);
		if (rc != SN_OK) {
			return fail(c, c->i, rc,
			            rc == SN_ERANGE ? "LOC size or precision out of range"
			                            : "bad LOC size or precision");
		}
		prec[k] = loc_prec_encode(cm);
	}
	wire_put_u8(c->out, 0);
	wire_put_bytes(c->out, prec, 3);
	wire_put_u32(c->out, lat);
	wire_put_u32(c->out, lon);
	wire_put_u32(c->out, alt);
	return SN_OK;
}

static const uint32_t pow10_tab[10] = {1,      10,      100,      1000,      10000,
                                       100000, 1000000, 10000000, 100000000, 1000000000};

/* Prints a size or precision the way BIND does: whole metres from 1 m up,
 * else metres with two decimals. */
static void
loc_prec_to_text(tout_t *t, uint8_t v)
{
	uint32_t man = v >> 4, e = v & 15;
	if (e >= 2) {
		t_u32(t, man * pow10_tab[e - 2]);
	} else {
		uint32_t cm = man * pow10_tab[e];
		t_u32(t, cm / 100);
		t_putc(t, '.');
		t_u32w(t, cm % 100, 2);
	}
	t_putc(t, 'm');
}

static void
loc_angle_to_text(tout_t *t, uint32_t v, char pos, char neg)
{
	uint32_t a = v >= LOC_EQUATOR ? v - LOC_EQUATOR : LOC_EQUATOR - v;
	t_u32(t, a / 3600000);
	t_putc(t, ' ');
	t_u32(t, (a / 60000) % 60);
	t_putc(t, ' ');
	t_u32(t, (a / 1000) % 60);
	t_putc(t, '.');
	t_u32w(t, a % 1000, 3);
	t_putc(t, ' ');
	t_putc(t, v >= LOC_EQUATOR ? pos : neg);
}

static int
loc_to_text(tout_t *t, const uint8_t *p)
{
	t_sep(t);
	loc_angle_to_text(t, wire_read_u32(p + 4), 'N', 'S');
	t_putc(t, ' ');
	loc_angle_to_text(t, wire_read_u32(p + 8), 'E', 'W');
	t_putc(t, ' ');
	uint32_t alt = wire_read_u32(p + 12);
	uint32_t cm = alt >= 10000000u ? alt - 10000000u : 10000000u - alt;
	if (alt < 10000000u) {
		t_putc(t, '-');
	}
	t_u32(t, cm / 100);
	t_putc(t, '.');
	t_u32w(t, cm % 100, 2);
	t_putc(t, 'm');
	for (int i = 1; i <= 3; i++) {
		t_putc(t, ' ');
		loc_prec_to_text(t, p[i]);
	}
	return SN_OK;
}

/* --- SVCB / HTTPS (RFC 9460) --- */

static int
svc_key_from_text(const char *s, size_t len, uint16_t *key)
{
	for (unsigned k = 0; k < SVC_NAMED; k++) {
		if (strlen(svc_names[k]) == len && memcmp(svc_names[k], s, len) == 0) {
			*key = (uint16_t)k;
			return SN_OK;
		}
	}
	if (len == 7 && memcmp(s, "dohpath", 7) == 0) {
		*key = SVC_DOHPATH;
		return SN_OK;
	}
	if (len == 5 && memcmp(s, "ohttp", 5) == 0) {
		*key = SVC_OHTTP;
		return SN_OK;
	}
	uint32_t v;
	if (len > 3 && memcmp(s, "key", 3) == 0 && parse_uint(s + 3, len - 3, 65535, &v) == SN_OK) {
		*key = (uint16_t)v;
		return SN_OK;
	}
	return SN_EPARSE;
}

static void
svc_key_to_text(tout_t *t, uint16_t key)
{
	if (key < SVC_NAMED) {
		t_puts(t, svc_names[key]);
	} else {
		t_put(t, "key", 3);
		t_u32(t, key);
	}
}

/* Reads one item of a comma-separated value into `buf`. The value is first
 * decoded as a character-string; then, with `list_esc`, RFC 9460 A.1
 * value-list rules apply ("\\," in the text is a literal comma, "\\\\" a
 * backslash); without, it is a plain split on ','. Returns 1 for an item
 * (possibly empty), 0 at the end, -1 on a bad escape, -2 when over `cap`. */
static int
svc_item(struct csi *it, bool list_esc, uint8_t *buf, size_t cap, size_t *n)
{
	uint8_t ch;
	bool esc;
	size_t k = 0;
	bool any = false;
	for (;;) {
		int r = csi_next(it, &ch, &esc);
		if (r < 0) {
			return -1;
		}
		if (r == 0) {
			if (!any && !it->comma) {
				return 0;
			}
			it->comma = false;
			*n = k;
			return 1;
		}
		any = true;
		if (ch == ',') {
			it->comma = true; /* an item must follow, even an empty one */
			*n = k;
			return 1;
		}
		it->comma = false;
		if (list_esc && ch == '\\') {
			if (csi_next(it, &ch, &esc) != 1) {
				return -1;
			}
		}
		if (k >= cap) {
			return -2;
		}
		buf[k++] = ch;
	}
}

/* Parses the value of `key` from the character-string text v[0..vlen) and
 * appends it to the output. `has_value` is false for a bare key. */
static int
svc_value_from_text(struct tin *c, size_t tok, uint16_t key, const char *v, size_t vlen)
{
	struct csi it = {v, v + vlen, false};
	wire_out_t *w = c->out;
	uint8_t item[256];
	size_t n;
	int r;
	bool first = true;

	switch (key) {
	case SVC_MANDATORY: {
		uint8_t *list = w->pos;
		size_t count = 0;
		while ((r = svc_item(&it, true, item, 64, &n)) == 1) {
			uint16_t k;
			if (svc_key_from_text((const char *)item, n, &k) != SN_OK) {
				return fail(c, tok, SN_EPARSE, "bad key in mandatory");
			}
			if (k == SVC_MANDATORY) {
				return fail(c, tok, SN_EPARSE, "mandatory lists itself");
			}
			/* insertion into the sorted list, refusing duplicates */
			if (!wire_out_room(w, 2)) {
				w->err = SN_ENOSPC;
				return SN_ENOSPC;
			}
			size_t j = count;
			while (j > 0 && wire_read_u16(list + 2 * (j - 1)) > k) {
				j--;
			}
			if (j > 0 && wire_read_u16(list + 2 * (j - 1)) == k) {
				return fail(c, tok, SN_EPARSE, "duplicate key in mandatory");
			}
			memmove(list + 2 * j + 2, list + 2 * j, 2 * (count - j));
			wire_write_u16(list + 2 * j, k);
			w->pos += 2;
			count++;
		}
		if (r == -2 || (r == 0 && count == 0)) {
			return fail(c, tok, SN_EPARSE, "bad mandatory value");
		}
		if (r == -1) {
			return fail(c, tok, SN_EPARSE, "bad escape in SvcParam value");
		}
		return SN_OK;
	}
	case SVC_ALPN:
		while ((r = svc_item(&it, true, item, 255, &n)) == 1) {
			if (n == 0) {
				return fail(c, tok, SN_EPARSE, "empty alpn-id");
			}
			wire_put_u8(w, (uint8_t)n);
			wire_put_bytes(w, item, n);
			first = false;
		}
		if (r == -1) {
			return fail(c, tok, SN_EPARSE, "bad escape in SvcParam value");
		}
		if (r == -2) {
			return fail(c, tok, SN_ERANGE, "alpn-id over 255 octets");
		}
		if (first) {
			return fail(c, tok, SN_EPARSE, "alpn needs a value");
		}
		return SN_OK;
	case SVC_NDALPN:
		if (vlen != 0) {
			return fail(c, tok, SN_EPARSE, "no-default-alpn takes no value");
		}
		return SN_OK;
	case SVC_PORT: {
		uint32_t port;
		size_t extra;
		r = svc_item(&it, false, item, 8, &n);
		if (r != 1 || svc_item(&it, false, item + 8, 0, &extra) != 0 ||
		    parse_uint((const char *)item, n, 65535, &port) != SN_OK) {
			return fail(c, tok, SN_EPARSE, "bad port");
		}
		wire_put_u16(w, (uint16_t)port);
		return SN_OK;
	}
	case SVC_IPV4HINT:
	case SVC_IPV6HINT:
		while ((r = svc_item(&it, false, item, 64, &n)) == 1) {
			uint8_t a[16];
			if (key == SVC_IPV4HINT ? parse_ipv4((const char *)item, n, a) != SN_OK
			                        : parse_ipv6((const char *)item, n, a) != SN_OK) {
				return fail(c, tok, SN_EPARSE,
				            key == SVC_IPV4HINT ? "bad ipv4hint" : "bad ipv6hint");
			}
			wire_put_bytes(w, a, key == SVC_IPV4HINT ? 4 : 16);
			first = false;
		}
		if (r != 0 || first) {
			return fail(c, tok, SN_EPARSE,
			            key == SVC_IPV4HINT ? "bad ipv4hint" : "bad ipv6hint");
		}
		return SN_OK;
	case SVC_ECH: {
		codec_dec_t dec;
		uint8_t ch;
		bool esc;
		codec_dec_init(&dec);
		while ((r = csi_next(&it, &ch, &esc)) == 1) {
			if (codec_b64_feed(&dec, (const char *)&ch, 1, w) != SN_OK) {
				return fail(c, tok, SN_EPARSE, "bad base64 in ech");
			}
		}
		if (r != 0 || codec_b64_finish(&dec) != SN_OK) {
			return fail(c, tok, SN_EPARSE, "bad base64 in ech");
		}
		return SN_OK;
	}
	default: {
		if (w->err != SN_OK) {
			return w->err;
		}
		long got = cs_decode(v, vlen, w->pos, (size_t)(w->end - w->pos));
		if (got == -1) {
			return fail(c, tok, SN_EPARSE, "bad escape in SvcParam value");
		}
		if (got == -2) {
			w->err = SN_ENOSPC;
			return SN_ENOSPC;
		}
		w->pos += got;
		return SN_OK;
	}
	}
}

/* Where the value starts in "key=value", with surrounding quotes removed.
 * Returns false for an unbalanced quote. */
static bool
svc_unquote(const char **v, size_t *vlen)
{
	const char *s = *v;
	size_t n = *vlen;
	if (n == 0 || s[0] != '"') {
		return true;
	}
	for (size_t i = 1; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '"') {
			if (i != n - 1) {
				return false;
			}
			*v = s + 1;
			*vlen = n - 2;
			return true;
		}
	}
	return false;
}

/* Rotates p[0..a+b) so that the `b` octets at p+a come first. */
static void
rotate(uint8_t *p, size_t a, size_t b)
{
	for (size_t i = 0, j = a - 1; a > 0 && i < j; i++, j--) {
		uint8_t x = p[i];
		p[i] = p[j];
		p[j] = x;
	}
	for (size_t i = a, j = a + b - 1; b > 0 && i < j; i++, j--) {
		uint8_t x = p[i];
		p[i] = p[j];
		p[j] = x;
	}
	for (size_t i = 0, j = a + b - 1; a + b > 0 && i < j; i++, j--) {
		uint8_t x = p[i];
		p[i] = p[j];
		p[j] = x;
	}
}

/* SvcParams from the remaining tokens. Each is written as it comes and then
 * moved into key order (RFC 9460 2.2: presentation may list them in any
 * order, the wire must not), refusing a key seen twice. */
static int
svc_from_text(struct tin *c)
{
	wire_out_t *w = c->out;
	uint8_t *base = w->pos;
	size_t first_tok = c->i;

	for (; c->i < c->ntok; c->i++) {
		const rdata_tok_t *t = &c->toks[c->i];
		size_t tok = c->i;
		const char *eq = memchr(t->s, '=', t->len);
		size_t klen = eq != NULL ? (size_t)(eq - t->s) : t->len;
		const char *v = eq != NULL ? eq + 1 : t->s + t->len;
		size_t vlen = eq != NULL ? t->len - klen - 1 : 0;
		uint16_t key;

		if (svc_key_from_text(t->s, klen, &key) != SN_OK) {
			return fail(c, tok, SN_EPARSE, "unknown SvcParam key");
		}
		if (eq != NULL && vlen == 0 && c->i + 1 < c->ntok &&
		    (c->toks[c->i + 1].flags & RDATA_TOK_QUOTED)) {
			/* key="value" cut by the lexer at the quote */
			c->i++;
			v = c->toks[c->i].s;
			vlen = c->toks[c->i].len;
		} else if (!svc_unquote(&v, &vlen)) {
			return fail(c, tok, SN_EPARSE, "unbalanced quote in SvcParam value");
		}
		if (!wire_out_room(w, 4)) {
			w->err = SN_ENOSPC;
			return fail(c, tok, SN_ENOSPC, "RDATA over 65535 octets");
		}
		uint8_t *param = w->pos;
		wire_put_u16(w, key);
		wire_put_u16(w, 0);
		int rc = svc_value_from_text(c, tok, key, v, vlen);
		if (rc != SN_OK) {
			return rc;
		}
		size_t plen = (size_t)(w->pos - param);
		if (w->err != SN_OK || plen - 4 > 65535) {
			w->err = SN_ENOSPC;
			return fail(c, tok, SN_ENOSPC, "RDATA over 65535 octets");
		}
		wire_write_u16(param + 2, (uint16_t)(plen - 4));

		/* find the first earlier param with a key >= this one */
		uint8_t *q = base;
		while (q < param && wire_read_u16(q) < key) {
			q += 4 + wire_read_u16(q + 2);
		}
		if (q < param) {
			if (wire_read_u16(q) == key) {
				return fail(c, tok, SN_EPARSE, "duplicate SvcParam key");
			}
			rotate(q, (size_t)(param - q), plen);
		}
	}
	const char *msg = NULL;
	if (svc_check(base, (size_t)(w->pos - base), &msg) != SN_OK) {
		return fail(c, first_tok, SN_EPARSE, msg);
	}
	return SN_OK;
}

/* A value-list item inside a quoted value: ',' and '\' get a list-level
 * backslash, which the string level then doubles (RFC 9460 A.1). */
static void
svc_list_item_to_text(tout_t *t, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = s[i];
		if (ch == ',') {
			t_put(t, "\\\\,", 3);
		} else if (ch == '\\') {
			t_put(t, "\\\\\\\\", 4);
		} else if (ch == ' ') {
			t_ddd(t, ch); /* BIND escapes blanks in value lists too */
		} else {
			t_strbody(t, &ch, 1);
		}
	}
}

static void
svc_to_text(tout_t *t, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint16_t key = wire_read_u16(p + i), vlen = wire_read_u16(p + i + 2);
		const uint8_t *v = p + i + 4;
		t_sep(t);
		svc_key_to_text(t, key);
		switch (key) {
		case SVC_MANDATORY:
			t_putc(t, '=');
			for (size_t j = 0; j < vlen; j += 2) {
				if (j > 0) {
					t_putc(t, ',');
				}
				svc_key_to_text(t, wire_read_u16(v + j));
			}
			break;
		case SVC_ALPN:
			t_put(t, "=\"", 2);
			for (size_t j = 0; j < vlen; j += 1 + (size_t)v[j]) {
				if (j > 0) {
					t_putc(t, ',');
				}
				svc_list_item_to_text(t, v + j + 1, v[j]);
			}
			t_putc(t, '"');
			break;
		case SVC_NDALPN:
			break;
		case SVC_PORT:
			t_putc(t, '=');
			t_u32(t, wire_read_u16(v));
			break;
		case SVC_IPV4HINT:
		case SVC_IPV6HINT:
			t_putc(t, '=');
			for (size_t j = 0; j < vlen; j += key == SVC_IPV4HINT ? 4 : 16) {
				if (j > 0) {
					t_putc(t, ',');
				}
				if (key == SVC_IPV4HINT) {
					t_ipv4(t, v + j);
				} else {
					t_ipv6(t, v + j);
				}
			}
			break;
		case SVC_ECH:
			if (vlen > 0) {
				t_putc(t, '=');
				t_b64(t, v, vlen);
			}
			break;
		default:
			if (vlen > 0) {
				t_putc(t, '=');
				t_qstr(t, v, vlen);
			}
			break;
		}
		i += 4 + (size_t)vlen;
	}
}

/* --- IPSECKEY (RFC 4025 3) --- */

static int
ipseckey_from_text(struct tin *c)
{
	uint32_t gwtype, alg;
	if (c->ntok - c->i < 3) {
		return fail(c, c->ntok, SN_EPARSE, "too few fields");
	}
	if (tok_uint(c, &c->toks[c->i], 255, &gwtype) != SN_OK) {
		return SN_EPARSE;
	}
	if (gwtype > 3) {
		return fail(c, c->i, SN_EPARSE, "unknown IPSECKEY gateway type");
	}
	c->i++;
	if (tok_uint(c, &c->toks[c->i], 255, &alg) != SN_OK) {
		return SN_EPARSE;
	}
	c->i++;
	wire_put_u8(c->out, (uint8_t)gwtype);
	wire_put_u8(c->out, (uint8_t)alg);
	const rdata_tok_t *g = &c->toks[c->i];
	uint8_t a[16];
	switch (gwtype) {
	case 0:
		if (g->len != 1 || g->s[0] != '.') {
			return fail(c, c->i, SN_EPARSE, "gateway must be \".\" for gateway type 0");
		}
		break;
	case 1:
		if (parse_ipv4(g->s, g->len, a) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad IPv4 address");
		}
		wire_put_bytes(c->out, a, 4);
		break;
	case 2:
		if (parse_ipv6(g->s, g->len, a) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad IPv6 address");
		}
		wire_put_bytes(c->out, a, 16);
		break;
	default: {
		uint8_t dn[DNAME_MAXLEN];
		size_t dl;
		int rc = dname_from_text(g->s, g->len, c->origin, dn, &dl);
		if (rc != SN_OK) {
			return fail(c, c->i, rc == SN_ERANGE ? SN_ERANGE : SN_EPARSE,
			            rc == SN_ERANGE ? "domain name or label too long"
			                            : "bad domain name");
		}
		wire_put_bytes(c->out, dn, dl);
		break;
	}
	}
	c->i++;
	codec_dec_t dec;
	codec_dec_init(&dec);
	for (; c->i < c->ntok; c->i++) {
		if (codec_b64_feed(&dec, c->toks[c->i].s, c->toks[c->i].len, c->out) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad base64");
		}
	}
	if (codec_b64_finish(&dec) != SN_OK) {
		return fail(c, c->ntok - 1, SN_EPARSE, "bad base64");
	}
	return SN_OK;
}

static void
ipseckey_to_text(tout_t *t, const uint8_t *p, size_t n)
{
	size_t g = 0;
	if (ipseckey_check(p, n, &g) != SN_OK) {
		t->err = SN_EPARSE;
		return;
	}
	t_sep(t);
	t_u32(t, p[0]);
	t_putc(t, ' ');
	t_u32(t, p[1]);
	t_putc(t, ' ');
	switch (p[0]) {
	case 0:
		t_putc(t, '.');
		break;
	case 1:
		t_ipv4(t, p + 2);
		break;
	case 2:
		t_ipv6(t, p + 2);
		break;
	default:
		t_name(t, p + 2);
		break;
	}
	if (n - 2 - g > 0) {
		t_putc(t, ' ');
		t_b64(t, p + 2 + g, n - 2 - g);
	}
}

/* --- WKS (RFC 1035 3.4.2) --- */

static int
wks_from_text(struct tin *c)
{
	uint8_t bits[8192];
	size_t used = 0;
	uint32_t proto;
	if (c->i >= c->ntok) {
		return fail(c, c->ntok, SN_EPARSE, "too few fields");
	}
	const rdata_tok_t *t = &c->toks[c->i];
	if (equal_nocase(t->s, t->len, "tcp")) {
		proto = 6;
	} else if (equal_nocase(t->s, t->len, "udp")) {
		proto = 17;
	} else if (tok_uint(c, t, 255, &proto) != SN_OK) {
		return SN_EPARSE;
	}
	wire_put_u8(c->out, (uint8_t)proto);
	for (c->i++; c->i < c->ntok; c->i++) {
		t = &c->toks[c->i];
		uint32_t port;
		uint16_t named;
		if (mnem_lookup(service_names, t->s, t->len, &named) == SN_OK) {
			port = named;
		} else if (parse_uint(t->s, t->len, 65535, &port) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad port or unknown service");
		}
		size_t o = port >> 3;
		if (o >= used) {
			memset(bits + used, 0, o + 1 - used);
			used = o + 1;
		}
		bits[o] |= (uint8_t)(0x80 >> (port & 7));
	}
	wire_put_bytes(c->out, bits, used);
	return SN_OK;
}

static int
wks_to_text(tout_t *t, const uint8_t *p, size_t n)
{
	t_sep(t);
	t_u32(t, p[0]);
	for (size_t o = 1; o < n; o++) {
		for (unsigned b = 0; b < 8; b++) {
			if (p[o] & (0x80 >> b)) {
				t_putc(t, ' ');
				t_u32(t, (uint32_t)((o - 1) * 8 + b));
			}
		}
	}
	return SN_OK;
}

/* --- APL (RFC 3123 5) --- */

static int
apl_from_text(struct tin *c)
{
	for (; c->i < c->ntok; c->i++) {
		const rdata_tok_t *t = &c->toks[c->i];
		const char *s = t->s, *end = t->s + t->len;
		bool neg = s < end && *s == '!';
		s += neg;
		const char *colon = memchr(s, ':', (size_t)(end - s));
		const char *slash = memrchr(s, '/', (size_t)(end - s));
		uint32_t afi, prefix;
		uint8_t a[16];
		if (colon == NULL || slash == NULL || slash < colon ||
		    parse_uint(s, (size_t)(colon - s), 65535, &afi) != SN_OK ||
		    parse_uint(slash + 1, (size_t)(end - slash - 1), 255, &prefix) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad APL item");
		}
		size_t alen;
		if (afi == 1 && parse_ipv4(colon + 1, (size_t)(slash - colon - 1), a) == SN_OK &&
		    prefix <= 32) {
			alen = 4;
		} else if (afi == 2 &&
		           parse_ipv6(colon + 1, (size_t)(slash - colon - 1), a) == SN_OK &&
		           prefix <= 128) {
			alen = 16;
		} else {
			return fail(c, c->i, SN_EPARSE, "bad APL item");
		}
		/* RFC 3123 4: trailing zero octets of the address are not sent */
		while (alen > 0 && a[alen - 1] == 0) {
			alen--;
		}
		wire_put_u16(c->out, (uint16_t)afi);
		wire_put_u8(c->out, (uint8_t)prefix);
		wire_put_u8(c->out, (uint8_t)((neg ? 0x80 : 0) | alen));
		wire_put_bytes(c->out, a, alen);
	}
	return SN_OK;
}

static int
apl_to_text(tout_t *t, const uint8_t *p, size_t n)
{
	/* only families 1 and 2 have a presentation (RFC 3123 5) */
	for (size_t i = 0; i < n; i += 4 + (size_t)(p[i + 3] & 0x7f)) {
		uint16_t afi = wire_read_u16(p + i);
		if (afi != 1 && afi != 2) {
			return SN_ENOTSUP;
		}
	}
	for (size_t i = 0; i < n; i += 4 + (size_t)(p[i + 3] & 0x7f)) {
		uint16_t afi = wire_read_u16(p + i);
		size_t alen = p[i + 3] & 0x7f;
		uint8_t a[16] = {0};
		memcpy(a, p + i + 4, alen);
		t_sep(t);
		if (p[i + 3] & 0x80) {
			t_putc(t, '!');
		}
		t_u32(t, afi);
		t_putc(t, ':');
		if (afi == 1) {
			t_ipv4(t, a);
		} else {
			t_ipv6(t, a);
		}
		t_putc(t, '/');
		t_u32(t, p[i + 2]);
	}
	return SN_OK;
}

/* --- A6 (RFC 2874 3.1) and NXT (RFC 2535 5.2), obsolete but in the
 * canonical-form list of RFC 4034 6.2 --- */

static int
a6_from_text(struct tin *c)
{
	uint32_t plen;
	uint8_t a[16];
	if (c->i >= c->ntok) {
		return fail(c, c->ntok, SN_EPARSE, "too few fields");
	}
	if (tok_uint(c, &c->toks[c->i], 128, &plen) != SN_OK) {
		return SN_EPARSE;
	}
	c->i++;
	/* RFC 2874 3.2: no address suffix when the prefix is the whole address */
	memset(a, 0, sizeof(a));
	if (plen < 128) {
		if (c->i >= c->ntok) {
			return fail(c, c->ntok, SN_EPARSE, "too few fields");
		}
		if (parse_ipv6(c->toks[c->i].s, c->toks[c->i].len, a) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad IPv6 address");
		}
		c->i++;
	}
	size_t suffix = (128 - plen + 7) / 8;
	if (suffix > 0 && plen % 8 != 0) {
		a[16 - suffix] &= (uint8_t)(0xff >> (plen % 8)); /* the prefix bits are not sent */
	}
	wire_put_u8(c->out, (uint8_t)plen);
	wire_put_bytes(c->out, a + 16 - suffix, suffix);
	if (plen > 0) {
		if (c->i >= c->ntok) {
			return fail(c, c->ntok, SN_EPARSE, "missing A6 prefix name");
		}
		int rc = name_from_text(c, &c->toks[c->i]);
		if (rc != SN_OK) {
			return rc;
		}
		c->i++;
	}
	return SN_OK;
}

static void
a6_to_text(tout_t *t, const uint8_t *p, size_t n)
{
	uint8_t a[16] = {0};
	size_t suffix = (size_t)(128 - p[0] + 7) / 8;
	memcpy(a + 16 - suffix, p + 1, suffix);
	t_sep(t);
	t_u32(t, p[0]);
	if (p[0] < 128) {
		t_putc(t, ' ');
		t_ipv6(t, a);
	}
	if (p[0] > 0) {
		t_putc(t, ' ');
		t_name(t, p + 1 + suffix);
	}
	(void)n;
}

static int
nxtmap_from_text(struct tin *c)
{
	uint8_t bits[16] = {0};
	size_t used = 0;
	for (; c->i < c->ntok; c->i++) {
		uint16_t type;
		const rdata_tok_t *t = &c->toks[c->i];
		if (rrtype_from_text(t->s, t->len, &type) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "unknown RR type in type bitmap");
		}
		if (type == 0 || type > 127) {
			return fail(c, c->i, SN_EPARSE, "NXT bitmap holds types 1 to 127 only");
		}
		bits[type >> 3] |= (uint8_t)(0x80 >> (type & 7));
		if (used < (size_t)(type >> 3) + 1) {
			used = (size_t)(type >> 3) + 1;
		}
	}
	wire_put_bytes(c->out, bits, used);
	return SN_OK;
}

static int
nxtmap_to_text(tout_t *t, const uint8_t *p, size_t n)
{
	for (size_t o = 0; o < n; o++) {
		for (unsigned b = 0; b < 8; b++) {
			if (p[o] & (0x80 >> b)) {
				t_sep(t);
				t_type(t, (uint16_t)(o * 8 + b));
			}
		}
	}
	return SN_OK;
}

/* --- EUI48/EUI64 (RFC 7043 3) and ILNP 64-bit values (RFC 6742 2) --- */

static int
eui_from_text(const rdata_tok_t *t, size_t n, wire_out_t *out)
{
	uint8_t v[8];
	if (t->len != 3 * n - 1) {
		return SN_EPARSE;
	}
	for (size_t i = 0; i < n; i++) {
		int hi = codec_hex_digit((uint8_t)t->s[3 * i]);
		int lo = codec_hex_digit((uint8_t)t->s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i + 1 < n && t->s[3 * i + 2] != '-')) {
			return SN_EPARSE;
		}
		v[i] = (uint8_t)(hi << 4 | lo);
	}
	wire_put_bytes(out, v, n);
	return SN_OK;
}

static void
eui_to_text(tout_t *t, const uint8_t *p, size_t n)
{
	static const char hexl[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		if (i > 0) {
			t_putc(t, '-');
		}
		t_putc(t, hexl[p[i] >> 4]);
		t_putc(t, hexl[p[i] & 15]);
	}
}

static int
ilnp64_from_text(const rdata_tok_t *t, wire_out_t *out)
{
	uint8_t v[8];
	size_t i = 0;
	for (int g = 0; g < 4; g++) {
		unsigned x = 0, nd = 0;
		if (g > 0) {
			if (i >= t->len || t->s[i] != ':') {
				return SN_EPARSE;
			}
			i++;
		}
		while (i < t->len && nd < 4 && codec_hex_digit((uint8_t)t->s[i]) >= 0) {
			x = x << 4 | (unsigned)codec_hex_digit((uint8_t)t->s[i]);
			i++;
			nd++;
		}
		if (nd == 0) {
			return SN_EPARSE;
		}
		wire_write_u16(v + 2 * g, (uint16_t)x);
	}
	if (i != t->len) {
		return SN_EPARSE;
	}
	wire_put_bytes(out, v, 8);
	return SN_OK;
}

/* BIND prints each group without leading zeros. */
static void
ilnp64_to_text(tout_t *t, const uint8_t *p)
{
	static const char hexl[] = "0123456789abcdef";
	for (int g = 0; g < 4; g++) {
		uint16_t x = wire_read_u16(p + 2 * g);
		bool lead = true;
		if (g > 0) {
			t_putc(t, ':');
		}
		for (int s = 12; s >= 0; s -= 4) {
			unsigned d = (x >> s) & 15;
			if (d == 0 && lead && s > 0) {
				continue;
			}
			lead = false;
			t_putc(t, hexl[d]);
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Text -> wire                                                             */

static bool
is_generic(const rdata_tok_t *t)
{
	return !(t->flags & RDATA_TOK_QUOTED) && t->len == 2 && t->s[0] == '\\' && t->s[1] == '#';
}

/* RFC 3597 5: \# <length> <hex>..., the hex possibly split into tokens. */
static int
generic_from_text(struct tin *c)
{
	uint32_t len;
	uint8_t *start = c->out->pos;
	if (c->ntok < 2) {
		return fail(c, c->ntok, SN_EPARSE, "missing RDATA length after \\#");
	}
	c->i = 1;
	int rc = parse_uint(c->toks[1].s, c->toks[1].len, RDATA_MAXLEN, &len);
	if (rc != SN_OK) {
		return fail(c, 1, rc, "bad RDATA length after \\#");
	}
	codec_dec_t dec;
	codec_dec_init(&dec);
	for (c->i = 2; c->i < c->ntok; c->i++) {
		if (codec_hex_feed(&dec, c->toks[c->i].s, c->toks[c->i].len, c->out) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad hex");
		}
	}
	if (codec_hex_finish(&dec) != SN_OK) {
		return fail(c, c->ntok - 1, SN_EPARSE, "odd number of hex digits");
	}
	if (c->out->err != SN_OK) {
		return fail(c, c->ntok - 1, c->out->err, "RDATA over 65535 octets");
	}
	if ((size_t)(c->out->pos - start) != len) {
		return fail(c, c->ntok < 3 ? c->ntok : 2, SN_EPARSE,
		            "RDATA length does not match the hex data");
	}
	return SN_OK;
}

/* Consumes the remaining tokens as one hex or base64 value of at least
 * `min` octets. */
static int
blob_from_text(struct tin *c, bool b64, size_t min)
{
	codec_dec_t dec;
	uint8_t *start = c->out->pos;
	size_t first = c->i;
	codec_dec_init(&dec);
	for (; c->i < c->ntok; c->i++) {
		const rdata_tok_t *t = &c->toks[c->i];
		int rc = b64 ? codec_b64_feed(&dec, t->s, t->len, c->out)
		             : codec_hex_feed(&dec, t->s, t->len, c->out);
		if (rc != SN_OK) {
			return fail(c, c->i, SN_EPARSE, b64 ? "bad base64" : "bad hex");
		}
	}
	if ((b64 ? codec_b64_finish(&dec) : codec_hex_finish(&dec)) != SN_OK) {
		return fail(c, c->ntok - 1, SN_EPARSE,
		            b64 ? "bad base64: incomplete quantum" : "odd number of hex digits");
	}
	if (c->out->err == SN_OK && (size_t)(c->out->pos - start) < min) {
		return fail(c, first, SN_EPARSE, b64 ? "missing base64 data" : "missing hex data");
	}
	return SN_OK;
}

static int
field_from_text(struct tin *c, uint8_t k)
{
	/* kinds that take what is left, possibly nothing */
	switch (k) {
	case FK_STRS:
		if (c->i >= c->ntok) {
			return fail(c, c->ntok, SN_EPARSE, "too few fields");
		}
		for (; c->i < c->ntok; c->i++) {
			int rc = put_str(c, &c->toks[c->i]);
			if (rc != SN_OK) {
				return rc;
			}
		}
		return SN_OK;
	case FK_STROPT:
		if (c->i < c->ntok) {
			int rc = put_str(c, &c->toks[c->i]);
			if (rc != SN_OK) {
				return rc;
			}
			c->i++;
		}
		return SN_OK;
	case FK_HEX:
		if (c->i >= c->ntok) {
			return fail(c, c->ntok, SN_EPARSE, "missing hex data");
		}
		return blob_from_text(c, false, 1);
	case FK_B64:
		if (c->i >= c->ntok) {
			return fail(c, c->ntok, SN_EPARSE, "missing base64 data");
		}
		return blob_from_text(c, true, 1);
	case FK_B64_0:
		return blob_from_text(c, true, 0);
	case FK_BITMAP:
		return bitmap_from_text(c);
	case FK_LOC:
		return loc_from_text(c);
	case FK_SVCPARAMS:
		return svc_from_text(c);
	case FK_IPSECKEY:
		return ipseckey_from_text(c);
	case FK_WKS:
		return wks_from_text(c);
	case FK_APL:
		return apl_from_text(c);
	case FK_A6:
		return a6_from_text(c);
	case FK_NXTMAP:
		return nxtmap_from_text(c);
	}

	if (c->i >= c->ntok) {
		return fail(c, c->ntok, SN_EPARSE, "too few fields");
	}
	const rdata_tok_t *t = &c->toks[c->i];
	wire_out_t *w = c->out;
	uint32_t v;
	uint16_t v16;
	int rc = SN_OK;

	switch (k) {
	case FK_NAME:
		rc = name_from_text(c, t);
		break;
	case FK_U8:
		rc = tok_uint(c, t, 255, &v);
		wire_put_u8(w, (uint8_t)v);
		break;
	case FK_U16:
		rc = tok_uint(c, t, 65535, &v);
		wire_put_u16(w, (uint16_t)v);
		break;
	case FK_U32:
		rc = tok_uint(c, t, UINT32_MAX, &v);
		wire_put_u32(w, v);
		break;
	case FK_PERIOD:
		rc = parse_period(t->s, t->len, &v);
		if (rc != SN_OK) {
			return fail(c, c->i, rc,
			            rc == SN_ERANGE ? "number out of range" : "bad number");
		}
		wire_put_u32(w, v);
		break;
	case FK_TIME:
		rc = parse_time(t->s, t->len, &v);
		if (rc != SN_OK) {
			return fail(c, c->i, rc,
			            rc == SN_ERANGE ? "time out of range"
			                            : "bad time (YYYYMMDDHHmmSS)");
		}
		wire_put_u32(w, v);
		break;
	case FK_A: {
		uint8_t a[4];
		if (parse_ipv4(t->s, t->len, a) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad IPv4 address");
		}
		wire_put_bytes(w, a, 4);
		break;
	}
	case FK_AAAA: {
		uint8_t a[16];
		if (parse_ipv6(t->s, t->len, a) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad IPv6 address");
		}
		wire_put_bytes(w, a, 16);
		break;
	}
	case FK_STR:
		rc = put_str(c, t);
		break;
	case FK_QTEXT: {
		if (w->err != SN_OK) {
			return w->err;
		}
		long n = cs_decode(t->s, t->len, w->pos, (size_t)(w->end - w->pos));
		if (n == -1) {
			return fail(c, c->i, SN_EPARSE, "bad escape in string");
		}
		if (n == -2) {
			w->err = SN_ENOSPC;
			return fail(c, c->i, SN_ENOSPC, "RDATA over 65535 octets");
		}
		w->pos += n;
		break;
	}
	case FK_SALT: {
		if (t->len == 1 && t->s[0] == '-') {
			wire_put_u8(w, 0);
			break;
		}
		if (t->len % 2 != 0 || t->len > 510) {
			return fail(c, c->i, t->len > 510 ? SN_ERANGE : SN_EPARSE,
			            t->len > 510 ? "salt over 255 octets" : "bad salt");
		}
		codec_dec_t dec;
		codec_dec_init(&dec);
		wire_put_u8(w, (uint8_t)(t->len / 2));
		if (codec_hex_feed(&dec, t->s, t->len, w) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad salt");
		}
		break;
	}
	case FK_B32: {
		uint8_t h[255];
		size_t hl;
		rc = codec_b32hex_decode(t->s, t->len, h, sizeof(h), &hl);
		if (rc != SN_OK || hl == 0) {
			return fail(c, c->i, rc == SN_ERANGE ? SN_ERANGE : SN_EPARSE,
			            rc == SN_ERANGE ? "hash over 255 octets" : "bad base32hex");
		}
		wire_put_u8(w, (uint8_t)hl);
		wire_put_bytes(w, h, hl);
		break;
	}
	case FK_TYPE:
		if (rrtype_from_text(t->s, t->len, &v16) == SN_OK) {
			wire_put_u16(w, v16);
			break;
		}
		/* BIND prints the type covered of a SIG as a bare number */
		if (parse_uint(t->s, t->len, 65535, &v) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "unknown RR type");
		}
		wire_put_u16(w, (uint16_t)v);
		break;
	case FK_ALG:
	case FK_ALGM:
		/* numbers first: zone files nearly always have them */
		if (parse_uint(t->s, t->len, 255, &v) == SN_OK) {
			wire_put_u8(w, (uint8_t)v);
			break;
		}
		if (mnem_lookup(alg_names, t->s, t->len, &v16) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad algorithm");
		}
		wire_put_u8(w, (uint8_t)v16);
		break;
	case FK_CERTTYPE:
		if (parse_uint(t->s, t->len, 65535, &v) == SN_OK) {
			wire_put_u16(w, (uint16_t)v);
			break;
		}
		if (mnem_lookup(cert_names, t->s, t->len, &v16) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad certificate type");
		}
		wire_put_u16(w, v16);
		break;
	case FK_CAATAG:
		if (t->len == 0 || t->len > 255) {
			return fail(c, c->i, SN_EPARSE, "bad CAA tag");
		}
		for (size_t i = 0; i < t->len; i++) {
			if (!is_alnum((uint8_t)t->s[i])) {
				return fail(c, c->i, SN_EPARSE,
				            "CAA tag must be letters and digits");
			}
		}
		wire_put_u8(w, (uint8_t)t->len);
		wire_put_bytes(w, t->s, t->len);
		break;
	case FK_EUI48:
	case FK_EUI64:
		if (eui_from_text(t, k == FK_EUI48 ? 6 : 8, w) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad EUI address (xx-xx-...)");
		}
		break;
	case FK_ILNP64:
		if (ilnp64_from_text(t, w) != SN_OK) {
			return fail(c, c->i, SN_EPARSE, "bad locator (xxxx:xxxx:xxxx:xxxx)");
		}
		break;
	default:
		return fail(c, c->i, SN_EINVAL, "internal: unknown field kind");
	}
	if (rc != SN_OK) {
		return rc;
	}
	c->i++;
	return SN_OK;
}

int
rdata_from_text(uint16_t type, const rdata_tok_t *toks, size_t ntok, const uint8_t *origin,
                wire_out_t *out, size_t *err_tok, const char **err_msg)
{
	struct tin c = {toks, ntok, 0, origin, out, 0, NULL};
	const struct rdesc *d = desc_of(type);
	uint8_t *start = out->pos;
	int rc;

	if (out->err != SN_OK) {
		*err_tok = 0;
		*err_msg = "output buffer already failed";
		return out->err;
	}
	if (ntok > 0 && is_generic(&toks[0])) {
		rc = generic_from_text(&c);
		if (rc == SN_OK && d != NULL &&
		    check_desc(type, d, start, (size_t)(out->pos - start)) != SN_OK) {
			rc = fail(&c, 0, SN_EPARSE, "\\# RDATA does not fit the type's format");
		}
	} else if (d == NULL) {
		rc = fail(&c, 0, SN_EPARSE, "type has no presentation format: use \\# (RFC 3597)");
	} else {
		rc = SN_OK;
		for (unsigned i = 0; i < d->n && rc == SN_OK; i++) {
			rc = field_from_text(&c, d->f[i]);
		}
		if (rc == SN_OK && c.i < ntok) {
			rc = fail(&c, c.i, SN_EPARSE, "too many fields");
		}
		if (rc == SN_OK && out->err == SN_OK && (d->flags & RD_POST)) {
			const char *msg = NULL;
			if (post_check(type, start, (size_t)(out->pos - start), &msg) != SN_OK) {
				rc = fail(&c, 0, SN_EPARSE, msg);
			}
		}
	}
	if (rc == SN_OK && (out->err != SN_OK || (size_t)(out->pos - start) > RDATA_MAXLEN)) {
		rc = fail(&c, ntok > 0 ? ntok - 1 : 0, SN_ENOSPC, "RDATA over 65535 octets");
	}
	if (rc != SN_OK) {
		*err_tok = c.etok;
		*err_msg = c.msg != NULL ? c.msg : sn_strerror(rc);
		return rc;
	}
	return SN_OK;
}

/* ------------------------------------------------------------------------ */
/* Wire -> text                                                             */

static void
generic_to_text(tout_t *t, const uint8_t *rd, size_t len)
{
	t_put(t, "\\# ", 3);
	t_u32(t, (uint32_t)len);
	if (len > 0) {
		t_putc(t, ' ');
		t_hex(t, rd, len);
	}
}

/* Prints the field of kind `k` at p (length `fl`, already checked). Returns
 * SN_ENOTSUP when the RDATA must fall back to the generic form. */
static int
field_to_text(tout_t *t, uint8_t k, const uint8_t *p, size_t fl)
{
	const char *name;
	switch (k) {
	case FK_NAME:
		t_sep(t);
		t_name(t, p);
		break;
	case FK_U8:
	case FK_ALG:
		t_sep(t);
		t_u32(t, p[0]);
		break;
	case FK_ALGM:
		t_sep(t);
		name = mnem_name(alg_names, p[0]);
		if (name != NULL) {
			t_puts(t, name);
		} else {
			t_u32(t, p[0]);
		}
		break;
	case FK_U16:
		t_sep(t);
		t_u32(t, wire_read_u16(p));
		break;
	case FK_CERTTYPE:
		t_sep(t);
		name = mnem_name(cert_names, wire_read_u16(p));
		if (name != NULL) {
			t_puts(t, name);
		} else {
			t_u32(t, wire_read_u16(p));
		}
		break;
	case FK_U32:
	case FK_PERIOD:
		t_sep(t);
		t_u32(t, wire_read_u32(p));
		break;
	case FK_TIME:
		t_sep(t);
		t_time(t, wire_read_u32(p));
		break;
	case FK_A:
		t_sep(t);
		t_ipv4(t, p);
		break;
	case FK_AAAA:
		t_sep(t);
		t_ipv6(t, p);
		break;
	case FK_STR:
	case FK_STROPT:
	case FK_STRS:
		for (size_t i = 0; i < fl; i += 1 + (size_t)p[i]) {
			t_sep(t);
			t_qstr(t, p + i + 1, p[i]);
		}
		break;
	case FK_QTEXT:
		t_sep(t);
		t_qstr(t, p, fl);
		break;
	case FK_HEX:
		t_sep(t);
		t_hex(t, p, fl);
		break;
	case FK_B64:
	case FK_B64_0:
		if (fl > 0) {
			t_sep(t);
			t_b64(t, p, fl);
		}
		break;
	case FK_SALT:
		t_sep(t);
		if (p[0] == 0) {
			t_putc(t, '-');
		} else {
			t_hex(t, p + 1, p[0]);
		}
		break;
	case FK_B32: {
		t_sep(t);
		char *r = t_reserve(t, codec_b32hex_len(p[0]));
		if (r != NULL) {
			codec_b32hex_encode(p + 1, p[0], r);
		}
		break;
	}
	case FK_BITMAP:
		bitmap_to_text(t, p, fl);
		break;
	case FK_TYPE:
		t_sep(t);
		t_type(t, wire_read_u16(p));
		break;
	case FK_CAATAG:
		t_sep(t);
		t_put(t, (const char *)p + 1, p[0]);
		break;
	case FK_EUI48:
	case FK_EUI64:
		t_sep(t);
		eui_to_text(t, p, fl);
		break;
	case FK_ILNP64:
		t_sep(t);
		ilnp64_to_text(t, p);
		break;
	case FK_LOC:
		return loc_to_text(t, p);
	case FK_SVCPARAMS:
		svc_to_text(t, p, fl);
		break;
	case FK_IPSECKEY:
		ipseckey_to_text(t, p, fl);
		break;
	case FK_WKS:
		return wks_to_text(t, p, fl);
	case FK_APL:
		return apl_to_text(t, p, fl);
	case FK_A6:
		a6_to_text(t, p, fl);
		break;
	case FK_NXTMAP:
		return nxtmap_to_text(t, p, fl);
	default:
		return SN_EINVAL;
	}
	return SN_OK;
}

int
rdata_to_text(uint16_t type, const uint8_t *rd, size_t len, char *buf, size_t cap)
{
	const struct rdesc *d = desc_of(type);
	tout_t t;

	if (cap == 0) {
		return SN_ENOSPC;
	}
	t.start = buf;
	t.p = buf;
	t.end = buf + cap - 1;
	t.err = SN_OK;

	if (len > RDATA_MAXLEN) {
		return SN_EPARSE;
	}
	if (d != NULL) {
		if (check_desc(type, d, rd, len) != SN_OK) {
			return SN_EPARSE;
		}
		size_t pos = 0;
		int rc = SN_OK;
		for (unsigned i = 0; i < d->n && rc == SN_OK; i++) {
			size_t fl;
			if (field_check(d->f[i], rd + pos, len - pos, &fl) != SN_OK) {
				return SN_EPARSE; /* cannot happen after check_desc */
			}
			rc = field_to_text(&t, d->f[i], rd + pos, fl);
			pos += fl;
		}
		if (rc == SN_ENOTSUP) {
			t.p = buf;
			t.err = SN_OK;
			generic_to_text(&t, rd, len);
		} else if (rc != SN_OK) {
			return rc;
		}
	} else {
		generic_to_text(&t, rd, len);
	}
	if (t.err != SN_OK) {
		return t.err;
	}
	*t.p = '\0';
	return (int)(t.p - buf);
}

/* ------------------------------------------------------------------------ */
/* Wire walks: unpack, canonical form, name offsets                         */

bool
rdata_has_compressible_names(uint16_t type)
{
	const struct rdesc *d = desc_of(type);
	return d != NULL && (d->flags & RD_COMPRESS) != 0;
}

int
rdata_unpack(uint16_t type, const uint8_t *pkt, size_t pktlen, size_t pos, size_t rdlen,
             uint8_t *out, size_t cap, size_t *out_len)
{
	const struct rdesc *d = desc_of(type);
	size_t n = 0;

	if (pos > pktlen || rdlen > pktlen - pos) {
		return SN_EPARSE;
	}
	if (d == NULL || !(d->flags & RD_DECOMPRESS)) {
		if (rdlen > cap) {
			return SN_ENOSPC;
		}
		if (rdata_check(type, pkt + pos, rdlen) != SN_OK) {
			return SN_EPARSE;
		}
		if (rdlen > 0) {
			memcpy(out, pkt + pos, rdlen);
		}
		*out_len = rdlen;
		return SN_OK;
	}

	size_t p = pos, end = pos + rdlen;
	for (unsigned i = 0; i < d->n; i++) {
		if (d->f[i] == FK_NAME) {
			uint8_t dn[DNAME_MAXLEN];
			size_t dl, q = p;
			if (dname_unpack(pkt, pktlen, &q, dn, &dl) != SN_OK || q > end) {
				return SN_EPARSE;
			}
			if (cap - n < dl) {
				return SN_ENOSPC;
			}
			memcpy(out + n, dn, dl);
			n += dl;
			p = q;
		} else {
			size_t fl;
			if (field_check(d->f[i], pkt + p, end - p, &fl) != SN_OK) {
				return SN_EPARSE;
			}
			if (cap - n < fl) {
				return SN_ENOSPC;
			}
			memcpy(out + n, pkt + p, fl);
			n += fl;
			p += fl;
		}
	}
	if (p != end) {
		return SN_EPARSE;
	}
	/* decompression can grow the RDATA past what a record may hold */
	if (n > RDATA_MAXLEN || check_desc(type, d, out, n) != SN_OK) {
		return SN_EPARSE;
	}
	*out_len = n;
	return SN_OK;
}

void
rdata_to_canonical(uint16_t type, uint8_t *rd, size_t len)
{
	const struct rdesc *d = desc_of(type);
	size_t pos = 0;
	if (d == NULL || !(d->flags & RD_CANON)) {
		return;
	}
	for (unsigned i = 0; i < d->n; i++) {
		size_t fl;
		if (field_check(d->f[i], rd + pos, len - pos, &fl) != SN_OK) {
			return; /* not checked RDATA: leave it alone */
		}
		if (d->f[i] == FK_NAME) {
			dname_to_lower(rd + pos);
		} else if (d->f[i] == FK_A6 && rd[pos] > 0) {
			dname_to_lower(rd + pos + 1 + (size_t)(128 - rd[pos] + 7) / 8);
		}
		pos += fl;
	}
}

size_t
rdata_name_offsets(uint16_t type, const uint8_t *rd, size_t len, uint16_t *offs, size_t max)
{
	const struct rdesc *d = desc_of(type);
	size_t pos = 0, count = 0;
	if (d == NULL) {
		return 0;
	}
	for (unsigned i = 0; i < d->n; i++) {
		size_t fl;
		if (field_check(d->f[i], rd + pos, len - pos, &fl) != SN_OK) {
			return count;
		}
		size_t at = SIZE_MAX;
		if (d->f[i] == FK_NAME) {
			at = pos;
		} else if (d->f[i] == FK_IPSECKEY && rd[pos] == 3) {
			at = pos + 2;
		} else if (d->f[i] == FK_A6 && rd[pos] > 0) {
			at = pos + 1 + (size_t)(128 - rd[pos] + 7) / 8;
		}
		if (at != SIZE_MAX) {
			if (count < max) {
				offs[count] = (uint16_t)at;
			}
			count++;
		}
		pos += fl;
	}
	return count < max ? count : max;
}
