/* SPDX-License-Identifier: MIT
 * signzone.c - signs a zone file with signet's signer: the benchmark's and the tests' driver.
 *
 * Usage: signzone [options] -o ORIGIN ZONEFILE
 *   -3            NSEC3 (default NSEC)
 *   -A            NSEC3 Opt-Out
 *   -H N          NSEC3 iterations (default 0)
 *   -S HEX        NSEC3 salt (default none)
 *   -a ALG        algorithm number for generated keys (default 13)
 *   -k FILE       KSK private key, PKCS#8 PEM (default: generate one)
 *   -z FILE       ZSK private key, PKCS#8 PEM (default: generate one)
 *   -C            one key as CSK instead of a KSK and a ZSK
 *   -K DIR        write the keys used as DIR/ksk.pem and DIR/zsk.pem
 *   -t N          threads (default: all online CPUs)
 *   -i TIME -e TIME  inception and expiration, seconds since the epoch
 *                 (default now - 1h and now + 30 days)
 *   -j SECS       expiration jitter (default 0)
 *   -w FILE       write the signed zone there ("-" = stdout)
 *   -q            no summary on stderr
 * Without -w only counts. The summary line on stderr is key=value pairs,
 * which perf/bench_sign.sh reads.
 *
 * DNSSEC records in the input (an already signed zone) are dropped with a
 * warning, and each RRset's TTLs are made to agree (RFC 2181 5.2) before
 * signing, as BIND and Knot do.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "sign/keypair.h"
#include "sign/rrsig.h"
#include "sign/signer.h"
#include "zone/dname.h"
#include "zone/rrlist.h"
#include "zone/rrtype.h"
#include "zone/zfile.h"
#include "zone/zprint.h"

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr, "usage: signzone [-3] [-A] [-H iter] [-S salt] [-a alg] [-k ksk.pem] "
			"[-z zsk.pem] [-C] [-K dir] [-t threads] [-i inception] [-e expiration] "
			"[-j jitter] [-w out] [-q] -o origin zonefile\n");
	exit(2);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

static int
load_key(const char *path, uint8_t alg, uint16_t flags, keypair_t **out)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "signzone: %s: %s\n", path, strerror(errno));
		return -1;
	}
	char buf[16384];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	int rc = keypair_from_pem(buf, n, alg, flags, out);
	memset(buf, 0, sizeof(buf));
	if (rc != SN_OK) {
		fprintf(stderr, "signzone: %s: %s\n", path, sn_strerror(rc));
		return -1;
	}
	return 0;
}

static int
save_key(const char *dir, const char *name, const keypair_t *k)
{
	char path[4096];
	char *pem = NULL;
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (keypair_to_pem(k, &pem, &len) != SN_OK) {
		return -1;
	}
	FILE *f = fopen(path, "w");
	int rc = -1;
	if (f != NULL) {
		rc = fwrite(pem, 1, len, f) == len ? 0 : -1;
		rc |= fclose(f);
	}
	memset(pem, 0, len);
	free(pem);
	if (rc != 0) {
		fprintf(stderr, "signzone: cannot write %s\n", path);
	}
	return rc;
}

static bool
is_dnssec(uint16_t t)
{
	return t == RRTYPE_DNSKEY || t == RRTYPE_RRSIG || t == RRTYPE_NSEC || t == RRTYPE_NSEC3 ||
	       t == RRTYPE_NSEC3PARAM;
}

/* Writing the signed zone is a large part of the run, so records are
 * formatted by several threads, a block each, and written in order. */
#define WBLOCK 8192

struct wjob {
	const rrlist_t *lists[2];
	size_t counts[2];
	size_t total;
	size_t base; /* first record of this round */
	unsigned nt;
	char **buf;
	size_t *len;
	size_t *cap;
	int rc;
	pthread_mutex_t lock;
};

struct warg {
	struct wjob *w;
	unsigned t;
};

static void *
wformat(void *arg)
{
	struct warg *a = arg;
	struct wjob *w = a->w;
	size_t lo = w->base + (size_t)a->t * WBLOCK;
	size_t hi = lo + WBLOCK < w->total ? lo + WBLOCK : w->total;
	w->len[a->t] = 0;
	for (size_t i = lo; i < hi; i++) {
		int li = i < w->counts[0] ? 0 : 1;
		rrlist_rr_t rr = rrlist_get(w->lists[li], li == 0 ? i : i - w->counts[0]);
		if (w->cap[a->t] - w->len[a->t] < ZPRINT_LINE_MAX) {
			size_t nc = w->cap[a->t] * 2 + ZPRINT_LINE_MAX;
			char *nb = realloc(w->buf[a->t], nc);
			if (nb == NULL) {
				pthread_mutex_lock(&w->lock);
				w->rc = SN_ENOMEM;
				pthread_mutex_unlock(&w->lock);
				return NULL;
			}
			w->buf[a->t] = nb;
			w->cap[a->t] = nc;
		}
		int n = zprint_rr(&rr, rr.owner, w->buf[a->t] + w->len[a->t],
				  w->cap[a->t] - w->len[a->t]);
		if (n < 0) {
			pthread_mutex_lock(&w->lock);
			w->rc = n;
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		w->len[a->t] += (size_t)n;
	}
	return NULL;
}

/* Writes the records of `a` then those of `b` to `f` with `nt` threads. */
static int
write_zone(const rrlist_t *a, const rrlist_t *b, FILE *f, unsigned nt)
{
	struct wjob w;
	pthread_t tid[64];
	struct warg args[64];
	int rc = SN_OK;

	if (nt == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		nt = c > 0 ? (unsigned)c : 1;
	}
	if (nt > 64) {
		nt = 64;
	}
	memset(&w, 0, sizeof(w));
	w.lists[0] = a;
	w.lists[1] = b;
	w.counts[0] = rrlist_count(a);
	w.counts[1] = rrlist_count(b);
	w.total = w.counts[0] + w.counts[1];
	w.nt = nt;
	w.buf = calloc(nt, sizeof(*w.buf));
	w.len = calloc(nt, sizeof(*w.len));
	w.cap = calloc(nt, sizeof(*w.cap));
	pthread_mutex_init(&w.lock, NULL);
	if (w.buf == NULL || w.len == NULL || w.cap == NULL) {
		rc = SN_ENOMEM;
	}
	for (w.base = 0; rc == SN_OK && w.base < w.total; w.base += (size_t)nt * WBLOCK) {
		unsigned started = 0;
		for (unsigned t = 0; t < nt; t++) {
			args[t] = (struct warg){&w, t};
			w.len[t] = 0;
		}
		for (unsigned t = 1; t < nt; t++) {
			if (pthread_create(&tid[t], NULL, wformat, &args[t]) != 0) {
				break;
			}
			started = t;
		}
		wformat(&args[0]);
		/* Blocks of threads that did not start are formatted here. */
		for (unsigned t = started + 1; t < nt; t++) {
			wformat(&args[t]);
		}
		for (unsigned t = 1; t <= started; t++) {
			pthread_join(tid[t], NULL);
		}
		rc = w.rc;
		for (unsigned t = 0; rc == SN_OK && t < nt; t++) {
			if (w.len[t] > 0 && fwrite(w.buf[t], 1, w.len[t], f) != w.len[t]) {
				rc = SN_EIO;
			}
		}
	}
	for (unsigned t = 0; w.buf != NULL && t < nt; t++) {
		free(w.buf[t]);
	}
	free(w.buf);
	free(w.len);
	free(w.cap);
	pthread_mutex_destroy(&w.lock);
	return rc;
}

int
main(int argc, char **argv)
{
	signer_params_t p;
	const char *origin_text = NULL, *ksk_path = NULL, *zsk_path = NULL, *keydir = NULL;
	const char *out_path = NULL;
	unsigned alg = DNSSEC_ALG_ECDSAP256SHA256;
	bool csk = false, quiet = false, have_inc = false, have_exp = false;
	int c;

	memset(&p, 0, sizeof(p));
	while ((c = getopt(argc, argv, "3AH:S:a:k:z:CK:t:i:e:j:w:qo:")) != -1) {
		switch (c) {
		case '3':
			p.nsec3 = true;
			break;
		case 'A':
			p.opt_out = true;
			break;
		case 'H':
			p.iterations = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		case 'S': {
			size_t n = strlen(optarg);
			if (strcmp(optarg, "-") == 0) {
				break;
			}
			if (n % 2 != 0 || n / 2 > sizeof(p.salt)) {
				usage();
			}
			for (size_t i = 0; i < n / 2; i++) {
				int hi = hexval(optarg[2 * i]), lo = hexval(optarg[2 * i + 1]);
				if (hi < 0 || lo < 0) {
					usage();
				}
				p.salt[i] = (uint8_t)(hi << 4 | lo);
			}
			p.salt_len = (uint8_t)(n / 2);
			break;
		}
		case 'a':
			alg = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			ksk_path = optarg;
			break;
		case 'z':
			zsk_path = optarg;
			break;
		case 'C':
			csk = true;
			break;
		case 'K':
			keydir = optarg;
			break;
		case 't':
			p.threads = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			p.inception = (uint32_t)strtoul(optarg, NULL, 10);
			have_inc = true;
			break;
		case 'e':
			p.expiration = (uint32_t)strtoul(optarg, NULL, 10);
			have_exp = true;
			break;
		case 'j':
			p.jitter = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			out_path = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'o':
			origin_text = optarg;
			break;
		default:
			usage();
		}
	}
	if (origin_text == NULL || optind + 1 != argc || alg > 255) {
		usage();
	}
	uint32_t now = (uint32_t)time(NULL);
	if (!have_inc) {
		p.inception = now - 3600;
	}
	if (!have_exp) {
		p.expiration = now + 30 * 86400;
	}

	uint8_t origin[DNAME_MAXLEN];
	size_t ol = 0;
	char otext[DNAME_MAXTEXT + 2];
	/* Like dnssec-signzone -o, take the origin as absolute either way. */
	snprintf(otext, sizeof(otext), "%s%s", origin_text,
		 origin_text[0] != '\0' && origin_text[strlen(origin_text) - 1] == '.' ? "" : ".");
	if (dname_from_text(otext, strlen(otext), NULL, origin, &ol) != SN_OK) {
		fprintf(stderr, "signzone: bad origin %s\n", origin_text);
		return 2;
	}

	keypair_t *ksk = NULL, *zsk = NULL;
	int rc = 0;
	if (ksk_path != NULL) {
		rc |= load_key(ksk_path, (uint8_t)alg, KEYPAIR_FLAGS_KSK, &ksk);
	} else if (keypair_generate((uint8_t)alg, 0, KEYPAIR_FLAGS_KSK, &ksk) != SN_OK) {
		rc = -1;
	}
	if (!csk && zsk_path != NULL) {
		rc |= load_key(zsk_path, (uint8_t)alg, KEYPAIR_FLAGS_ZSK, &zsk);
	} else if (!csk && keypair_generate((uint8_t)alg, 0, KEYPAIR_FLAGS_ZSK, &zsk) != SN_OK) {
		rc = -1;
	}
	if (rc != 0) {
		fprintf(stderr, "signzone: no keys\n");
		return 1;
	}
	if (keydir != NULL && (save_key(keydir, "ksk.pem", ksk) != 0 ||
			       (zsk != NULL && save_key(keydir, "zsk.pem", zsk) != 0))) {
		return 1;
	}
	signer_key_t keys[2];
	size_t nkeys = 0;
	keys[nkeys++] = (signer_key_t){
		.key = ksk, .ksk = true, .zsk = csk, .publish = true, .sign = true};
	if (zsk != NULL) {
		keys[nkeys++] =
			(signer_key_t){.key = zsk, .zsk = true, .publish = true, .sign = true};
	}

	double t0 = now_s();
	rrlist_t *l = rrlist_new();
	if (l == NULL) {
		return 1;
	}
	zfile_opts_t zo = {.origin = origin, .on_rr = rrlist_zfile_cb, .ctx = l};
	zfile_stats_t zs;
	rc = zfile_parse(argv[optind], &zo, &zs);
	if (rc != SN_OK) {
		fprintf(stderr, "signzone: %s: %s\n", argv[optind], sn_strerror(rc));
		return 1;
	}
	if (rrlist_sort(l) != SN_OK) {
		return 1;
	}
	size_t dropped = 0, ttlfix = 0;
	for (size_t i = 0; i < rrlist_count(l);) {
		size_t e = rrlist_rrset_end(l, i);
		uint16_t t = rrlist_type(l, i);
		uint32_t ttl = rrlist_get(l, i).ttl;
		for (size_t k = i; k < e; k++) {
			if (is_dnssec(t)) {
				rrlist_drop(l, k);
				dropped++;
			} else if (rrlist_get(l, k).ttl != ttl) {
				rrlist_set_ttl(l, k, ttl);
				ttlfix++;
			}
		}
		i = e;
	}
	if (dropped > 0) {
		rrlist_compact(l);
		fprintf(stderr, "signzone: %zu DNSSEC records in the input dropped\n", dropped);
	}
	if (ttlfix > 0) {
		fprintf(stderr, "signzone: %zu TTLs changed to agree with their RRset's first\n",
			ttlfix);
	}
	double t1 = now_s();

	rrlist_t *sl = NULL;
	char err[512];
	signer_stats_t st;
	rc = signer_sign_full_stats(l, origin, keys, nkeys, &p, &sl, &st, err, sizeof(err));
	if (rc != SN_OK) {
		fprintf(stderr, "signzone: %s: %s\n", argv[optind], err);
		return 1;
	}
	double t2 = now_s();

	if (out_path != NULL) {
		FILE *f = strcmp(out_path, "-") == 0 ? stdout : fopen(out_path, "w");
		if (f == NULL || write_zone(l, sl, f, p.threads) != SN_OK ||
		    (f != stdout && fclose(f) != 0)) {
			fprintf(stderr, "signzone: cannot write %s\n", out_path);
			return 1;
		}
	}
	double t3 = now_s();
	if (!quiet) {
		double sign = t2 - t1;
		fprintf(stderr,
			"signzone: records=%zu added=%zu signatures=%zu denial=%zu threads=%u "
			"load_s=%.3f sign_s=%.3f chain_s=%.3f parallel_s=%.3f merge_s=%.3f "
			"write_s=%.3f sigs_per_s=%.0f ksk=%u zsk=%u\n",
			rrlist_count(l), rrlist_count(sl), st.signatures, st.denial, st.threads,
			t1 - t0, sign, st.t_chain, st.t_sign, st.t_merge, t3 - t2,
			sign > 0 ? (double)st.signatures / sign : 0.0, keypair_tag(ksk),
			zsk != NULL ? keypair_tag(zsk) : keypair_tag(ksk));
	}
	rrlist_free(sl);
	rrlist_free(l);
	keypair_free(ksk);
	keypair_free(zsk);
	return 0;
}
