/* SPDX-License-Identifier: MIT
 * fuzz_keyfile.c - libFuzzer target for sign/keyfile: BIND .private and .key texts.
 *
 * Input: the .private text, a line "%%", then the .key text (no "%%" line:
 * all of it is the .key text and the .private is empty). Both go through
 * keyfile_parse, the .key text alone through keyfile_parse_dnskey. What
 * must hold: an error fills the message and leaves *out NULL; a key that
 * parses has the .key file's DNSKEY RDATA, signs, and its signature
 * verifies; its exported .key line parses back to the same RDATA. Any
 * broken invariant calls abort(), so the fuzzer reports it.
 */
#include "sign/keyfile.h"
#include "sign/keypair.h"
#include "zone/dname.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_keyfile: %s\n", what);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *priv = "", *pub = text;
	size_t priv_len = 0, pub_len = size;
	for (size_t i = 0; i + 3 <= size; i++) {
		if ((i == 0 || text[i - 1] == '\n') && memcmp(text + i, "%%\n", 3) == 0) {
			priv = text;
			priv_len = i;
			pub = text + i + 3;
			pub_len = size - i - 3;
			break;
		}
	}

	uint8_t rd[KEYPAIR_DNSKEY_MAXLEN], rd2[KEYPAIR_DNSKEY_MAXLEN], owner[DNAME_MAXLEN];
	size_t rl = 0, rl2 = 0;
	uint32_t ttl = 0;
	keyfile_err_t err;
	memset(&err, 0, sizeof(err));
	int prc = keyfile_parse_dnskey(pub, pub_len, owner, rd, sizeof(rd), &rl, &ttl, &err);
	if (prc == SN_EPARSE && err.msg[0] == '\0') {
		die("keyfile_parse_dnskey failed without a message");
	}

	keypair_t *k = NULL;
	memset(&err, 0, sizeof(err));
	int rc = keyfile_parse(priv, priv_len, pub, pub_len, NULL, &k, &err);
	if (rc != SN_OK) {
		if (k != NULL) {
			die("*out written on failure");
		}
		if (rc == SN_EPARSE && err.msg[0] == '\0') {
			die("SN_EPARSE without a message");
		}
		return 0;
	}
	if (prc != SN_OK || keypair_dnskey_len(k) != rl || memcmp(keypair_dnskey(k), rd, rl) != 0) {
		die("the key is not the .key file's");
	}
	uint8_t sig[KEYPAIR_SIG_MAXLEN];
	size_t sl = 0;
	if (keypair_sign(k, data, size, sig, sizeof(sig), &sl) != SN_OK ||
	    keypair_verify(k, data, size, sig, sl) != SN_OK) {
		die("a parsed key does not sign and verify");
	}
	char line[4096];
	int n = keyfile_dnskey_line(owner, ttl, k, line, sizeof(line));
	if (n <= 0 ||
	    keyfile_parse_dnskey(line, (size_t)n, NULL, rd2, sizeof(rd2), &rl2, NULL, &err) !=
	        SN_OK ||
	    rl2 != rl || memcmp(rd, rd2, rl) != 0) {
		die("the exported .key line does not read back");
	}
	keypair_free(k);
	return 0;
}
