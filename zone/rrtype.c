/* SPDX-License-Identifier: MIT
 * rrtype.c - RR type and class mnemonics, both ways.
 *
 * Type lookup by mnemonic is on the zone-loading hot path (one per record),
 * so it goes through a small open-addressing hash keyed on the lower-cased
 * mnemonic and its length, built once before main() from the same table that
 * names the types. Number -> name is a direct index for 0..RRTYPE_DIRECT and
 * a short scan for the few larger numbers.
 */
#include "zone/rrtype.h"
#include "zone/dname.h"
#include <stdbool.h>
#include <string.h>

struct tname {
	uint16_t type;
	uint8_t len;
	const char *name;
};

#define T(num, str)                                                                                \
	{                                                                                          \
		num, sizeof(str) - 1, str                                                          \
	}

/* Every type with a mnemonic. The names follow the IANA registry, spelled as
 * BIND and Knot print them. */
static const struct tname types[] = {
    T(1, "A"),           T(2, "NS"),       T(3, "MD"),        T(4, "MF"),       T(5, "CNAME"),
    T(6, "SOA"),         T(7, "MB"),       T(8, "MG"),        T(9, "MR"),       T(10, "NULL"),
    T(11, "WKS"),        T(12, "PTR"),     T(13, "HINFO"),    T(14, "MINFO"),   T(15, "MX"),
    T(16, "TXT"),        T(17, "RP"),      T(18, "AFSDB"),    T(19, "X25"),     T(20, "ISDN"),
    T(21, "RT"),         T(22, "NSAP"),    T(23, "NSAP-PTR"), T(24, "SIG"),     T(25, "KEY"),
    T(26, "PX"),         T(27, "GPOS"),    T(28, "AAAA"),     T(29, "LOC"),     T(30, "NXT"),
    T(31, "EID"),        T(32, "NIMLOC"),  T(33, "SRV"),      T(34, "ATMA"),    T(35, "NAPTR"),
    T(36, "KX"),         T(37, "CERT"),    T(38, "A6"),       T(39, "DNAME"),   T(40, "SINK"),
    T(41, "OPT"),        T(42, "APL"),     T(43, "DS"),       T(44, "SSHFP"),   T(45, "IPSECKEY"),
    T(46, "RRSIG"),      T(47, "NSEC"),    T(48, "DNSKEY"),   T(49, "DHCID"),   T(50, "NSEC3"),
    T(51, "NSEC3PARAM"), T(52, "TLSA"),    T(53, "SMIMEA"),   T(55, "HIP"),     T(56, "NINFO"),
    T(57, "RKEY"),       T(58, "TALINK"),  T(59, "CDS"),      T(60, "CDNSKEY"), T(61, "OPENPGPKEY"),
    T(62, "CSYNC"),      T(63, "ZONEMD"),  T(64, "SVCB"),     T(65, "HTTPS"),   T(66, "DSYNC"),
    T(67, "HHIT"),       T(68, "BRID"),    T(99, "SPF"),      T(100, "UINFO"),  T(101, "UID"),
    T(102, "GID"),       T(103, "UNSPEC"), T(104, "NID"),     T(105, "L32"),    T(106, "L64"),
    T(107, "LP"),        T(108, "EUI48"),  T(109, "EUI64"),   T(249, "TKEY"),   T(250, "TSIG"),
    T(251, "IXFR"),      T(252, "AXFR"),   T(253, "MAILB"),   T(254, "MAILA"),  T(255, "ANY"),
    T(256, "URI"),       T(257, "CAA"),    T(258, "AVC"),     T(259, "DOA"),    T(260, "AMTRELAY"),
    T(261, "RESINFO"),   T(262, "WALLET"), T(32768, "TA"),    T(32769, "DLV"),
};

static const struct tname classes[] = {
    T(1, "IN"), T(3, "CH"), T(4, "HS"), T(254, "NONE"), T(255, "ANY"),
};

#undef T

#define NTYPES (sizeof(types) / sizeof(types[0]))
#define RRTYPE_DIRECT 263
#define HASH_SLOTS 256 /* power of two, over twice the number of names */

/* by_number[t] is index+1 into types[] for t < RRTYPE_DIRECT, 0 for none. */
static uint8_t by_number[RRTYPE_DIRECT];
/* by_name[h] is index+1 into types[], 0 for an empty slot. */
static uint8_t by_name[HASH_SLOTS];

/* Mnemonics are letters, digits and '-': OR-ing 0x20 lower-cases the letters
 * and leaves the others as they are, which is all the hash needs. Any other
 * byte hashes to something and then fails the exact comparison. */
static inline unsigned
name_hash(const char *s, size_t len)
{
	unsigned h = (unsigned)len * 0x9e37u;
	for (size_t i = 0; i < len; i++) {
		h = h * 31u + ((uint8_t)s[i] | 0x20u);
	}
	return (h ^ (h >> 7)) & (HASH_SLOTS - 1);
}

__attribute__((constructor)) static void
rrtype_tables_init(void)
{
	_Static_assert(NTYPES < 255, "by_number and by_name hold uint8_t indexes");
	for (size_t i = 0; i < NTYPES; i++) {
		if (types[i].type < RRTYPE_DIRECT) {
			by_number[types[i].type] = (uint8_t)(i + 1);
		}
		unsigned h = name_hash(types[i].name, types[i].len);
		while (by_name[h] != 0) {
			h = (h + 1) & (HASH_SLOTS - 1);
		}
		by_name[h] = (uint8_t)(i + 1);
	}
}

static bool
equal_nocase(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (dname_lower_tab[(uint8_t)a[i]] != dname_lower_tab[(uint8_t)b[i]]) {
			return false;
		}
	}
	return true;
}

/* Parses the decimal number after a "TYPE" or "CLASS" prefix (RFC 3597 5). */
static int
generic_number(const char *s, size_t len, uint16_t *out)
{
	uint32_t v = 0;
	if (len == 0 || len > 5) {
		return SN_EPARSE;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return SN_EPARSE;
		}
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v > 65535) {
		return SN_EPARSE;
	}
	*out = (uint16_t)v;
	return SN_OK;
}

int
rrtype_from_text(const char *s, size_t len, uint16_t *out)
{
	if (len == 0 || len > RRTYPE_MAXTEXT) {
		return SN_EPARSE;
	}
	unsigned h = name_hash(s, len);
	for (;;) {
		unsigned i = by_name[h];
		if (i == 0) {
			break;
		}
		const struct tname *t = &types[i - 1];
		if (t->len == len && equal_nocase(t->name, s, len)) {
			*out = t->type;
			return SN_OK;
		}
		h = (h + 1) & (HASH_SLOTS - 1);
	}
	if (len > 4 && equal_nocase(s, "TYPE", 4)) {
		return generic_number(s + 4, len - 4, out);
	}
	return SN_EPARSE;
}

const char *
rrtype_name(uint16_t type)
{
	if (type < RRTYPE_DIRECT) {
		unsigned i = by_number[type];
		return i == 0 ? NULL : types[i - 1].name;
	}
	for (size_t i = 0; i < NTYPES; i++) {
		if (types[i].type == type) {
			return types[i].name;
		}
	}
	return NULL;
}

/* Writes `prefix` and the decimal `v`, or `name` when not NULL. */
static int
put_name_or_number(const char *name, const char *prefix, uint16_t v, char *buf, size_t cap)
{
	char tmp[RRTYPE_MAXTEXT];
	size_t n;
	if (name != NULL) {
		n = strlen(name);
		memcpy(tmp, name, n);
	} else {
		char digits[5];
		size_t nd = 0;
		n = strlen(prefix);
		memcpy(tmp, prefix, n);
		do {
			digits[nd++] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0);
		while (nd > 0) {
			tmp[n++] = digits[--nd];
		}
	}
	if (n + 1 > cap) {
		return SN_ENOSPC;
	}
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return (int)n;
}

int
rrtype_to_text(uint16_t type, char *buf, size_t cap)
{
	return put_name_or_number(rrtype_name(type), "TYPE", type, buf, cap);
}

int
rrclass_from_text(const char *s, size_t len, uint16_t *out)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (classes[i].len == len && equal_nocase(classes[i].name, s, len)) {
			*out = classes[i].type;
			return SN_OK;
		}
	}
	if (len > 5 && equal_nocase(s, "CLASS", 5)) {
		return generic_number(s + 5, len - 5, out);
	}
	return SN_EPARSE;
}

int
rrclass_to_text(uint16_t rclass, char *buf, size_t cap)
{
	const char *name = NULL;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (classes[i].type == rclass) {
			name = classes[i].name;
		}
	}
	return put_name_or_number(name, "CLASS", rclass, buf, cap);
}

int
rrtype_is_meta(uint16_t type)
{
	/* RFC 6895 3.1: 128-255 are meta-types and q-types (TKEY, TSIG, IXFR,
	 * AXFR, MAILB, MAILA, ANY among them); OPT (41) is the one meta-type
	 * below 128. */
	return type == RRTYPE_OPT || (type >= 128 && type <= 255);
}
