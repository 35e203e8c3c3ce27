/* SPDX-License-Identifier: MIT
 * keyfile.c - BIND key files (.private and .key) to key pairs and back.
 *
 * The texts are read in place, by length, never assuming a NUL. Every
 * failure names the file and line. Decoded private parts live in one
 * buffer that is wiped before we return, whatever happened.
 */
#include "sign/keyfile.h"

#include "sign/dnskey.h"
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include "zone/wire.h"
#include "zone/zfile.h"
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(keyfile_err_t *err, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fills *err (if any) and returns SN_EPARSE. */
static int
fail(keyfile_err_t *err, const char *file, unsigned line, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		snprintf(err->file, sizeof(err->file), "%s", file);
		err->line = line;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return SN_EPARSE;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool
ieq(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	if (len != n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (dname_lower_tab[(uint8_t)s[i]] != dname_lower_tab[(uint8_t)lit[i]]) {
			return false;
		}
	}
	return true;
}

/* ---- .key: one DNSKEY RR in zone-file syntax ---- */

#define MAXTOK 64

static int
parse_dnskey(const char *text, size_t len, const char *f, uint8_t *owner, uint8_t *rd, size_t cap,
             size_t *rd_len, uint32_t *ttl, keyfile_err_t *err)
{
	rdata_tok_t toks[MAXTOK];
	size_t ntok = 0;
	unsigned line = 1, first_line = 0;
	int depth = 0;
	bool done = false;

	/* Cut the first record into tokens: ';' starts a comment, '(' and
	 * ')' let it run over lines (RFC 1035 5.1). */
	size_t i = 0;
	while (i < len) {
		char c = text[i];
		if (c == '\n') {
			if (depth == 0 && ntok > 0) {
				done = true;
			}
			line++;
			i++;
			if (done) {
				break;
			}
			continue;
		}
		if (is_blank(c)) {
			i++;
			continue;
		}
		if (c == ';') {
			while (i < len && text[i] != '\n') {
				i++;
			}
			continue;
		}
		if (c == '(' || c == ')') {
			depth += c == '(' ? 1 : -1;
			if (depth < 0 || depth > 1) {
				return fail(err, f, line, "unbalanced parentheses");
			}
			i++;
			continue;
		}
		if (c == '"' || c == '\0') {
			return fail(err, f, line, "unexpected character in a DNSKEY record");
		}
		if (ntok == 0 && i > 0 && text[i - 1] != '\n') {
			return fail(err, f, line, "the owner name must start the line");
		}
		if (ntok == MAXTOK) {
			return fail(err, f, line, "too many fields");
		}
		size_t s = i;
		while (i < len && !is_blank(text[i]) && text[i] != '\n' && text[i] != ';' &&
		       text[i] != '(' && text[i] != ')' && text[i] != '\0' && text[i] != '"') {
			/* RFC 1035 5.1: "\X" and "\DDD" stay in the token
			 * (an owner name may need them); the name parser
			 * decodes them. */
			i += (text[i] == '\\' && i + 1 < len && text[i + 1] != '\n') ? 2 : 1;
		}
		if (ntok == 0) {
			first_line = line;
		}
		toks[ntok] = (rdata_tok_t){text + s, (uint32_t)(i - s), 0, line, (uint32_t)(s + 1)};
		ntok++;
	}
	if (depth != 0) {
		return fail(err, f, line, "missing ')'");
	}
	if (ntok == 0) {
		return fail(err, f, 0, "no DNSKEY record");
	}
	/* Anything after the record other than comments is refused: a .key
	 * file holds one key. */
	for (; i < len; i++) {
		if (text[i] == '\n') {
			line++;
		} else if (text[i] == ';') {
			while (i < len && text[i] != '\n') {
				i++;
			}
			line++;
		} else if (!is_blank(text[i])) {
			return fail(err, f, line, "more than one record");
		}
	}

	uint8_t own[DNAME_MAXLEN];
	size_t olen = 0;
	if (toks[0].len == 0 || toks[0].s[toks[0].len - 1] != '.') {
		return fail(err, f, first_line, "the owner name must be absolute");
	}
	if (dname_from_text(toks[0].s, toks[0].len, NULL, own, &olen) != SN_OK) {
		return fail(err, f, first_line, "bad owner name");
	}
	size_t t = 1;
	uint32_t ttl_v = 0;
	bool have_ttl = false, have_class = false;
	while (t < ntok && t < 3) {
		if (!have_class && ieq(toks[t].s, toks[t].len, "IN")) {
			have_class = true;
		} else if (!have_ttl && toks[t].s[0] >= '0' && toks[t].s[0] <= '9') {
			if (zfile_parse_ttl(toks[t].s, toks[t].len, &ttl_v) != SN_OK) {
				return fail(err, f, toks[t].line, "bad TTL");
			}
			have_ttl = true;
		} else {
			break;
		}
		t++;
	}
	if (t == ntok || !ieq(toks[t].s, toks[t].len, "DNSKEY")) {
		return fail(err, f, t < ntok ? toks[t].line : first_line,
		            "expected 'DNSKEY' (class IN only)");
	}
	t++;
	/* Room for any key we could use; a longer one is refused below. */
	uint8_t buf[KEYPAIR_DNSKEY_MAXLEN];
	wire_out_t w;
	size_t et = 0;
	const char *em = NULL;
	wire_out_init(&w, buf, sizeof(buf));
	int rc = rdata_from_text(RRTYPE_DNSKEY, toks + t, ntok - t, NULL, &w, &et, &em);
	if (rc == SN_ENOSPC || (rc == SN_OK && w.err == SN_ENOSPC)) {
		return fail(err, f, first_line, "public key too long");
	}
	if (rc != SN_OK) {
		unsigned l = et + t < ntok ? toks[et + t].line : toks[ntok - 1].line;
		return fail(err, f, l, "bad DNSKEY data: %s", em != NULL ? em : sn_strerror(rc));
	}
	size_t n = (size_t)(w.pos - buf);
	if (n < DNSKEY_HDRLEN + 1) {
		return fail(err, f, first_line, "DNSKEY without a public key");
	}
	if (n > cap) {
		return SN_ENOSPC;
	}
	memcpy(rd, buf, n);
	*rd_len = n;
	if (owner != NULL) {
		memcpy(owner, own, olen);
	}
	if (ttl != NULL) {
		*ttl = ttl_v;
	}
	return SN_OK;
}

int
keyfile_parse_dnskey(const char *text, size_t len, uint8_t *owner, uint8_t *rd, size_t cap,
                     size_t *rd_len, uint32_t *ttl, keyfile_err_t *err)
{
	if (text == NULL || rd == NULL || rd_len == NULL) {
		return SN_EINVAL;
	}
	return parse_dnskey(text, len, "key", owner, rd, cap, rd_len, ttl, err);
}

/* ---- .private: BIND Private-key-format ---- */

static const struct {
	const char *name;
	enum keypair_part part;
} FIELDS[] = {
    {"Modulus", KEYPAIR_P_MODULUS},         {"PublicExponent", KEYPAIR_P_PUBEXP},
    {"PrivateExponent", KEYPAIR_P_PRIVEXP}, {"Prime1", KEYPAIR_P_PRIME1},
    {"Prime2", KEYPAIR_P_PRIME2},           {"Exponent1", KEYPAIR_P_EXP1},
    {"Exponent2", KEYPAIR_P_EXP2},          {"Coefficient", KEYPAIR_P_COEFF},
    {"PrivateKey", KEYPAIR_P_PRIVKEY},
};

/* Room for every decoded part of a 4096-bit RSA key, with slack. */
#define SECRET_MAX 4096

static int
b64val(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	if (c == '+') {
		return 62;
	}
	if (c == '/') {
		return 63;
	}
	return -1;
}

/* Strict base64 (RFC 4648 4): padded to a multiple of four, no spaces,
 * unused bits zero. Returns the decoded length or -1. */
static long
b64_decode(const char *s, size_t len, uint8_t *out, size_t cap)
{
	if (len == 0 || len % 4 != 0) {
		return -1;
	}
	size_t pad = 0;
	if (s[len - 1] == '=') {
		pad = s[len - 2] == '=' ? 2 : 1;
	}
	size_t n = len / 4 * 3 - pad;
	if (n > cap) {
		return -1;
	}
	size_t o = 0;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		for (size_t j = 0; j < 4; j++) {
			bool padpos = i + 4 == len && j >= 4 - pad;
			v[j] = padpos ? (s[i + j] == '=' ? 0 : -1) : b64val(s[i + j]);
			if (v[j] < 0) {
				return -1;
			}
		}
		uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
		             (uint32_t)v[3];
		uint8_t b[3] = {(uint8_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x};
		size_t take = i + 4 == len ? 3 - pad : 3;
		/* RFC 4648 3.5: the bits under the padding must be zero, so
		 * that each value has one encoding. */
		if (take < 3 && b[take] != 0) {
			return -1;
		}
		if (take == 1 && b[2] != 0) {
			return -1;
		}
		memcpy(out + o, b, take);
		o += take;
	}
	return (long)o;
}

typedef struct priv_file {
	uint8_t alg;
	bool have_alg, have_fmt;
	unsigned alg_line;
	keypair_raw_t raw;
	unsigned lines[KEYPAIR_P_COUNT];
} priv_file_t;

/* Parses the Private-key-format text into `pf`, decoding the parts into
 * `secret` (SECRET_MAX octets). */
static int
parse_private(const char *text, size_t len, const char *f, priv_file_t *pf, uint8_t *secret,
              keyfile_err_t *err)
{
	size_t used = 0;
	unsigned line = 0;
	size_t i = 0;
	while (i < len) {
		size_t s = i;
		while (i < len && text[i] != '\n') {
			i++;
		}
		size_t e = i;
		i++; /* past the newline */
		line++;
		while (e > s && is_blank(text[e - 1])) {
			e--;
		}
		while (s < e && is_blank(text[s])) {
			s++;
		}
		if (s == e) {
			continue;
		}
		const char *colon = memchr(text + s, ':', e - s);
		if (colon == NULL) {
			return fail(err, f, line, "expected 'Name: value'");
		}
		size_t klen = (size_t)(colon - (text + s));
		const char *v = colon + 1;
		while (v < text + e && is_blank(*v)) {
			v++;
		}
		size_t vlen = (size_t)(text + e - v);
		const char *k = text + s;
		if (memchr(k, '\0', e - s) != NULL) {
			return fail(err, f, line, "NUL character");
		}
		if (ieq(k, klen, "Private-key-format")) {
			/* v1.2 and v1.3 differ only in timing fields; v1.x
			 * keeps the fields we read. */
			if (vlen < 3 || v[0] != 'v' || v[1] != '1' || v[2] != '.' || pf->have_fmt) {
				return fail(err, f, line, "unsupported Private-key-format '%.*s'",
				            (int)(vlen > 16 ? 16 : vlen), v);
			}
			pf->have_fmt = true;
			continue;
		}
		if (ieq(k, klen, "Algorithm")) {
			unsigned long a = 0;
			size_t d = 0;
			while (d < vlen && d < 4 && v[d] >= '0' && v[d] <= '9') {
				a = a * 10 + (unsigned long)(v[d] - '0');
				d++;
			}
			if (d == 0 || d == 4 || a > 255 || (d < vlen && !is_blank(v[d])) ||
			    pf->have_alg) {
				return fail(err, f, line, "bad Algorithm line");
			}
			pf->alg = (uint8_t)a;
			pf->have_alg = true;
			pf->alg_line = line;
			continue;
		}
		if (ieq(k, klen, "Engine") || ieq(k, klen, "Label")) {
			/* BIND's PKCS #11 keys: the key is in a token. */
			fail(err, f, line, "keys held in a PKCS #11 token are not supported");
			return SN_ENOTSUP;
		}
		size_t fi;
		for (fi = 0; fi < sizeof(FIELDS) / sizeof(FIELDS[0]); fi++) {
			if (ieq(k, klen, FIELDS[fi].name)) {
				break;
			}
		}
		if (fi == sizeof(FIELDS) / sizeof(FIELDS[0])) {
			/* Timing metadata (Created, Publish, Activate...) and
			 * fields of other tools: not ours to judge. */
			continue;
		}
		enum keypair_part p = FIELDS[fi].part;
		if (pf->raw.v[p] != NULL) {
			return fail(err, f, line, "%s given twice", FIELDS[fi].name);
		}
		long n = b64_decode(v, vlen, secret + used, SECRET_MAX - used);
		if (n <= 0) {
			return fail(err, f, line, "bad base64 in %s", FIELDS[fi].name);
		}
		pf->raw.v[p] = secret + used;
		pf->raw.len[p] = (size_t)n;
		pf->lines[p] = line;
		used += (size_t)n;
	}
	if (!pf->have_fmt) {
		return fail(err, f, 0, "not a BIND private key file (no Private-key-format)");
	}
	if (!pf->have_alg) {
		return fail(err, f, 0, "no Algorithm line");
	}
	return SN_OK;
}

static bool
starts_pem(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && (is_blank(s[i]) || s[i] == '\n')) {
		i++;
	}
	return len - i >= 10 && memcmp(s + i, "-----BEGIN", 10) == 0;
}

static int
parse_pair(const char *priv, size_t priv_len, const char *pub, size_t pub_len, const char *privname,
           const char *pubname, uint8_t *owner, keypair_t **out, keyfile_err_t *err)
{
	uint8_t rd[KEYPAIR_DNSKEY_MAXLEN], own[DNAME_MAXLEN];
	size_t rdlen = 0;

	int rc = parse_dnskey(pub, pub_len, pubname, own, rd, sizeof(rd), &rdlen, NULL, err);
	if (rc == SN_ENOSPC) {
		return fail(err, pubname, 0, "public key too long");
	}
	if (rc != SN_OK) {
		return rc;
	}
	uint16_t flags = (uint16_t)(rd[0] << 8 | rd[1]);
	uint8_t alg = rd[3];
	if (!keypair_alg_is_supported(alg)) {
		fail(err, pubname, 0, "algorithm %u is not supported", alg);
		return SN_ENOTSUP;
	}
	if ((flags & KEYPAIR_FLAG_ZONE) == 0 || rd[2] != 3 ||
	    (flags & ~(KEYPAIR_FLAG_ZONE | KEYPAIR_FLAG_REVOKE | KEYPAIR_FLAG_SEP)) != 0) {
		return fail(err, pubname, 0, "flags %u protocol %u: not a DNSSEC zone key", flags,
		            rd[2]);
	}

	keypair_t *k = NULL;
	if (starts_pem(priv, priv_len)) {
		rc = keypair_from_pem(priv, priv_len, alg, flags, &k);
		if (rc == SN_EPARSE) {
			return fail(err, privname, 0,
			            "unreadable PEM, encrypted, or not a key of algorithm %u", alg);
		}
	} else {
		uint8_t *secret = malloc(SECRET_MAX);
		priv_file_t pf;
		if (secret == NULL) {
			return SN_ENOMEM;
		}
		memset(&pf, 0, sizeof(pf));
		rc = parse_private(priv, priv_len, privname, &pf, secret, err);
		if (rc == SN_OK && pf.alg != alg) {
			rc = fail(err, privname, pf.alg_line,
			          "algorithm %u, but the .key file says %u", pf.alg, alg);
		}
		if (rc == SN_OK) {
			rc = keypair_from_raw(alg, flags, &pf.raw, &k);
			if (rc == SN_EPARSE) {
				rc = fail(err, privname, 0,
				          "missing, malformed or inconsistent key fields for "
				          "algorithm %u",
				          alg);
			}
		}
		OPENSSL_cleanse(secret, SECRET_MAX);
		OPENSSL_cleanse(&pf, sizeof(pf));
		free(secret);
	}
	if (rc != SN_OK) {
		return rc;
	}
	if (keypair_dnskey_len(k) != rdlen || memcmp(keypair_dnskey(k), rd, rdlen) != 0) {
		keypair_free(k);
		return fail(err, privname, 0, "the private key does not match the .key file");
	}
	if (owner != NULL) {
		memcpy(owner, own, dname_len(own));
	}
	*out = k;
	return SN_OK;
}

int
keyfile_parse(const char *priv, size_t priv_len, const char *pub, size_t pub_len, uint8_t *owner,
              keypair_t **out, keyfile_err_t *err)
{
	if (priv == NULL || pub == NULL || out == NULL) {
		return SN_EINVAL;
	}
	return parse_pair(priv, priv_len, pub, pub_len, "private", "key", owner, out, err);
}

/* Reads all of `path` into a malloc'ed buffer. */
static int
read_file(const char *path, char **out, size_t *out_len, keyfile_err_t *err)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		if (err != NULL) {
			snprintf(err->file, sizeof(err->file), "%s", path);
			err->line = 0;
			snprintf(err->msg, sizeof(err->msg), "cannot open: %s", strerror(errno));
		}
		return SN_EIO;
	}
	char *buf = malloc(KEYFILE_MAXLEN + 1);
	if (buf == NULL) {
		fclose(fp);
		return SN_ENOMEM;
	}
	size_t n = fread(buf, 1, KEYFILE_MAXLEN + 1, fp);
	int bad = ferror(fp);
	fclose(fp);
	if (bad || n > KEYFILE_MAXLEN) {
		OPENSSL_cleanse(buf, n);
		free(buf);
		if (err != NULL) {
			snprintf(err->file, sizeof(err->file), "%s", path);
			err->line = 0;
			snprintf(err->msg, sizeof(err->msg), "%s",
			         bad ? "read error" : "file too large for a key file");
		}
		return bad ? SN_EIO : SN_ERANGE;
	}
	*out = buf;
	*out_len = n;
	return SN_OK;
}

static bool
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

int
keyfile_load(const char *base, uint8_t *owner, keypair_t **out, keyfile_err_t *err)
{
	if (base == NULL || out == NULL) {
		return SN_EINVAL;
	}
	size_t bl = strlen(base);
	if (ends_with(base, bl, ".private")) {
		bl -= 8;
	} else if (ends_with(base, bl, ".key")) {
		bl -= 4;
	}
	if (bl > 200) {
		if (err != NULL) {
			snprintf(err->file, sizeof(err->file), "%.200s...", base);
			err->line = 0;
			snprintf(err->msg, sizeof(err->msg), "path too long");
		}
		return SN_ERANGE;
	}
	char ppath[216], kpath[216];
	snprintf(ppath, sizeof(ppath), "%.*s.private", (int)bl, base);
	snprintf(kpath, sizeof(kpath), "%.*s.key", (int)bl, base);
	char *ptext = NULL, *ktext = NULL;
	size_t plen = 0, klen = 0;
	int rc = read_file(ppath, &ptext, &plen, err);
	if (rc == SN_OK) {
		rc = read_file(kpath, &ktext, &klen, err);
	}
	if (rc == SN_OK) {
		rc = parse_pair(ptext, plen, ktext, klen, ppath, kpath, owner, out, err);
	}
	if (ptext != NULL) {
		OPENSSL_cleanse(ptext, plen);
	}
	free(ptext);
	free(ktext);
	return rc;
}

int
keyfile_dnskey_line(const uint8_t *owner, uint32_t ttl, const keypair_t *k, char *buf, size_t cap)
{
	uint8_t own[DNAME_MAXLEN];
	char name[DNAME_MAXTEXT];
	char rdtext[2 * KEYPAIR_DNSKEY_MAXLEN];
	size_t olen = 0;
	if (owner == NULL || k == NULL || buf == NULL) {
		return SN_EINVAL;
	}
	if (dname_check(owner, DNAME_MAXLEN, &olen) != SN_OK) {
		return SN_EPARSE;
	}
	memcpy(own, owner, olen);
	dname_to_lower(own);
	if (dname_to_text(own, name, sizeof(name)) < 0 ||
	    rdata_to_text(RRTYPE_DNSKEY, keypair_dnskey(k), keypair_dnskey_len(k), rdtext,
	                  sizeof(rdtext)) < 0) {
		return SN_EPARSE;
	}
	int n = snprintf(buf, cap, "%s %u IN DNSKEY %s\n", name, ttl, rdtext);
	if (n < 0 || (size_t)n >= cap) {
		return SN_ENOSPC;
	}
	return n;
}

int
keyfile_name(const uint8_t *owner, const keypair_t *k, char *buf, size_t cap)
{
	uint8_t own[DNAME_MAXLEN];
	char name[DNAME_MAXTEXT];
	size_t olen = 0;
	if (owner == NULL || k == NULL || buf == NULL) {
		return SN_EINVAL;
	}
	if (dname_check(owner, DNAME_MAXLEN, &olen) != SN_OK) {
		return SN_EPARSE;
	}
	memcpy(own, owner, olen);
	dname_to_lower(own);
	if (dname_to_text(own, name, sizeof(name)) < 0) {
		return SN_EPARSE;
	}
	int n = snprintf(buf, cap, "K%s+%03u+%05u", name, keypair_alg(k), keypair_tag(k));
	if (n < 0 || (size_t)n >= cap) {
		return SN_ENOSPC;
	}
	return n;
}

/* Mnemonics as BIND writes them after the number (RFC 8624 table 1). */
static const char *
alg_mnemonic(uint8_t alg)
{
	switch (alg) {
	case DNSSEC_ALG_RSASHA256:
		return "RSASHA256";
	case DNSSEC_ALG_RSASHA512:
		return "RSASHA512";
	case DNSSEC_ALG_ECDSAP256SHA256:
		return "ECDSAP256SHA256";
	case DNSSEC_ALG_ECDSAP384SHA384:
		return "ECDSAP384SHA384";
	case DNSSEC_ALG_ED25519:
		return "ED25519";
	case DNSSEC_ALG_ED448:
		return "ED448";
	default:
		return "?";
	}
}

int
keyfile_private_text(const keypair_t *k, char **out, size_t *out_len)
{
	keypair_raw_t raw;
	if (k == NULL || out == NULL || out_len == NULL || !keypair_has_private(k)) {
		return SN_EINVAL;
	}
	uint8_t *secret = malloc(KEYPAIR_RAW_MAXLEN);
	/* Every part in base64 with its name, plus the two header lines. */
	size_t cap = KEYPAIR_RAW_MAXLEN / 3 * 4 + 16 * KEYPAIR_P_COUNT + 20 * 8 + 128;
	char *text = malloc(cap);
	int rc = SN_ENOMEM;
	size_t n = 0;
	if (secret == NULL || text == NULL) {
		goto out;
	}
	rc = keypair_to_raw(k, secret, KEYPAIR_RAW_MAXLEN, &raw);
	if (rc != SN_OK) {
		goto out;
	}
	n = (size_t)snprintf(text, cap, "Private-key-format: v1.3\nAlgorithm: %u (%s)\n",
	                     keypair_alg(k), alg_mnemonic(keypair_alg(k)));
	for (size_t i = 0; i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++) {
		enum keypair_part p = FIELDS[i].part;
		if (raw.v[p] == NULL) {
			continue;
		}
		n += (size_t)snprintf(text + n, cap - n, "%s: ", FIELDS[i].name);
		n += (size_t)EVP_EncodeBlock((unsigned char *)text + n, raw.v[p], (int)raw.len[p]);
		text[n++] = '\n';
	}
	text[n] = '\0';
	*out = text;
	*out_len = n;
	text = NULL;
	rc = SN_OK;
out:
	if (secret != NULL) {
		OPENSSL_cleanse(secret, KEYPAIR_RAW_MAXLEN);
	}
	free(secret);
	free(text);
	return rc;
}
