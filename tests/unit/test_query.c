/* SPDX-License-Identifier: MIT
 * test_query.c - the answer logic: query packets in, responses parsed back.
 *
 * Three zones are loaded from text (example.com, its served child
 * child.example.com, and example.org) into a zone table with a configuration
 * from text, exactly as the daemon builds its view; three more were signed
 * offline by dnssec-signzone (BIND 9.18, ECDSA P-256, signatures valid to
 * 2040) and are kept here as its output: n3.test (NSEC3, no salt, 0
 * iterations), oo.test (the same with opt-out) and nsec.test (NSEC). The
 * DNSSEC tests check denial records against independent oracles: NSEC3
 * owners and next hashes against sign/'s NSEC3 hash of the names they must
 * match or cover (RFC 5155 7.2), NSEC owners and next names against
 * canonical order (dname_cmp), never against remembered record sets. Each test builds a query
 * by hand, calls query_answer, parses the response completely (every name
 * decompressed, every RDATA checked, the counts matching what is there) and
 * checks flags, RCODE and records. SIGNET_QUERY_DUMP=1 prints every response.
 *
 * A check that fails because of a known bug in the server is written with
 * KNOWN_BUG(cond, why): it counts as passed while `cond` is false and fails
 * once `cond` holds, so the marker is removed together with the bug.
 */
#include "conf/conf.h"
#include "server/log.h"
#include "server/query.h"
#include "server/zload.h"
#include "server/zonetab.h"
#include "sign/nsec3hash.h"
#include "tests/unit/suites.h"
#include "zone/dname.h"
#include "zone/rdata.h"
#include "zone/rrtype.h"
#include "zone/wire.h"
#include "zone/zfile.h"
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include <urcu-qsbr.h>

#define F_QR 0x8000
#define F_AA 0x0400
#define F_TC 0x0200
#define F_RD 0x0100
#define F_CD 0x0010

enum { AN = 0, NS = 1, AR = 2 };

#define L60 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define L62 L60 "bb"

/*
 * The zones.
 */

static const char zone_org[] = "$ORIGIN example.org.\n"
                               "$TTL 60\n"
                               "@ SOA ns hostmaster 1 7200 3600 1209600 600\n"
                               "@ NS ns\n"
                               "ns A 192.0.2.201\n"
                               "host A 192.0.2.200\n";

static const char zone_child[] = "$ORIGIN child.example.com.\n"
                                 "$TTL 3600\n"
                                 "@ SOA ns1 hostmaster 7 7200 3600 1209600 300\n"
                                 "@ NS ns1\n"
                                 "ns1 A 192.0.2.100\n"
                                 "www A 192.0.2.101\n";

static const char zone_com_fixed[] =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 2026010101 7200 3600 1209600 300\n"
    "@ NS ns1\n"
    "@ NS ns2\n"
    "@ MX 10 mail\n"
    "@ A 192.0.2.1\n"
    "@ AAAA 2001:db8::1\n"
    "@ TXT \"apex\"\n"
    "ns1 A 192.0.2.53\n"
    "ns1 AAAA 2001:db8::53\n"
    "ns2 A 198.51.100.53\n"
    "mail A 192.0.2.25\n"
    "mail AAAA 2001:db8::25\n"
    "www CNAME @\n"
    "alias CNAME www\n"
    "ext CNAME host.example.org.\n"
    "out CNAME www.example.net.\n"
    "dangling CNAME nothing\n"
    "loop1 CNAME loop2\n"
    "loop2 CNAME loop1\n"
    "self CNAME self\n"
    "*.wild A 192.0.2.80\n"
    "*.wild TXT \"wild\"\n"
    "exists.wild A 192.0.2.81\n"
    "a.b.wild A 192.0.2.82\n"
    "*.wc CNAME mail\n"
    "a.b.c A 192.0.2.83\n"
    "_sip._tcp SRV 10 5 5060 sip\n"
    "sip A 192.0.2.60\n"
    "svc SVCB 1 sip port=8443\n"
    "sub NS ns.sub\n"
    "sub NS ns.other\n"
    "sub DS 12345 13 2 "
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
    "ns.sub A 192.0.2.99\n"
    "ns.sub AAAA 2001:db8::99\n"
    "other NS ns.other\n"
    "ns.other A 192.0.2.98\n"
    "c2sub CNAME www.sub\n"
    "nods NS ns.nods\n"
    "ns.nods A 192.0.2.97\n"
    "child NS ns1.child\n"
    "child DS 54321 13 2 "
    "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n"
    "ns1.child A 192.0.2.100\n"
    "old DNAME example.org.\n"
    "dgrow DNAME sub.dgrow.example.com.\n"
    "long DNAME " L60 "." L60 "." L60 ".example.org.\n";

static char zone_com[8192];

/* Signed offline; see the top of this file. Each has: www A, *.wild TXT,
 * a.b.ent A (empty non-terminals b.ent, ent), sub (a cut without DS, glue
 * ns.sub) and sec (a cut with DS). */
static const char zone_n3[] =
    "n3.test. 3600 IN SOA ns.n3.test. hostmaster.n3.test. 1 7200 3600 1209600 3600\n"
    "n3.test. 3600 IN RRSIG SOA 13 2 3600 20400101000000 20260101000000 5795 n3.test. "
    "gM6bQL/imSHmCAnFte4Ax9GXuf4Sl3N+qH+3RoCUBqk6WDC4w//cbWaT +043AROsQ4nGaGqkjGkZum1/RnNtjg==\n"
    "n3.test. 3600 IN NS ns.n3.test.\n"
    "n3.test. 3600 IN RRSIG NS 13 2 3600 20400101000000 20260101000000 5795 n3.test. "
    "rsqAB3OPqvpzq2lrTCaNW5K2Bts0hbMaC7qUscwMemX8RlcDhmH5vsvy sbWbEe1lmck6yDYT/yWgvhnJj1jyrA==\n"
    "n3.test. 3600 IN DNSKEY 256 3 13 AFQ/8H9lnW+FYS1mpJtA4YCFq5v7nw4SwClVtE7VEU3E57AKkL3iXFO8 "
    "1/xPI6p0y9ZF952M7UsY7Xo/MH4DtQ==\n"
    "n3.test. 3600 IN RRSIG DNSKEY 13 2 3600 20400101000000 20260101000000 5795 n3.test. "
    "ehvtm/7f2rGG9zEwKSTCTrTP/G09xHdT1/GC5hQvjZNzoo0wkwKLWekY f/VdGLER1XA3qtWXBqXsO3ZZddk9bg==\n"
    "n3.test. 0 IN NSEC3PARAM 1 0 0 -\n"
    "n3.test. 0 IN RRSIG NSEC3PARAM 13 2 0 20400101000000 20260101000000 5795 n3.test. "
    "oRvyUnb0/cOg4xfjX3EuJU1mCT4hH7FEVqaXlGreQCaK81z32PZap2JV rw6N2zkTlBPGepbaAoI8EMQZH9MzWg==\n"
    "a.b.ent.n3.test. 3600 IN A 192.0.2.2\n"
    "a.b.ent.n3.test. 3600 IN RRSIG A 13 5 3600 20400101000000 20260101000000 5795 n3.test. "
    "qqLMPiL+uK2ZphjueXv2XCgpX4Q3+NP12MjUAc8GqEY54TIaV2vB0not Gz8J+cIHHeO8pcV7w33ut008GQCtAg==\n"
    "ns.n3.test. 3600 IN A 192.0.2.53\n"
    "ns.n3.test. 3600 IN RRSIG A 13 3 3600 20400101000000 20260101000000 5795 n3.test. "
    "3K151NdjgSaQSzByG9kk5EfQWv63Ra6cUipY/1XUnCnbNhY6QY+1r+aY wOpiee1oGPcRAS5sONMSOzRiDDHtww==\n"
    "sec.n3.test. 3600 IN NS ns.other.\n"
    "sec.n3.test. 3600 IN DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01234567 "
    "89ABCDEF\n"
    "sec.n3.test. 3600 IN RRSIG DS 13 3 3600 20400101000000 20260101000000 5795 n3.test. "
    "BrsEmClo9I7Z/tWINM5te23r3LbxHtHPAFq9oNAtidJpHDiCtSODh0cH fLcp/R9Fa1QnsSCakFXPR8krlbaIog==\n"
    "sub.n3.test. 3600 IN NS ns.sub.n3.test.\n"
    "ns.sub.n3.test. 3600 IN A 192.0.2.3\n"
    "*.wild.n3.test. 3600 IN TXT \"w\"\n"
    "*.wild.n3.test. 3600 IN RRSIG TXT 13 3 3600 20400101000000 20260101000000 5795 n3.test. "
    "ZmigQqTe8UFLW3nmSB2XQrUMUBCB57bviAmacXmUMIS+wKLHURu/rJOW 2fRBrLyzLJBxNHfpFQX1QgdgbrHb9g==\n"
    "www.n3.test. 3600 IN A 192.0.2.1\n"
    "www.n3.test. 3600 IN RRSIG A 13 3 3600 20400101000000 20260101000000 5795 n3.test. "
    "kxQ117Ntcj7dZUIOpEJJO81oslkS8M4gfeN66f7e/iU/iY92hlmt3rE+ linnjMeFFFkJ0GK9sNz6B4bydd5dxg==\n"
    "6R1U9PI33KQQ5EUVK3K59DS56JKIGNG4.n3.test. 3600 IN NSEC3 1 0 0 - "
    "842T23Q88UA1TD583RFAJF3SP81C54T0 NS\n"
    "6R1U9PI33KQQ5EUVK3K59DS56JKIGNG4.n3.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 5795 n3.test. PQD6TQmZuciAPSQmNeKLvbLG9enPcA2X43C1p0c+7K/ibX2KnPGy3Gzo "
    "VvIIW9kYX9PQV3Kn9LfeqemqUp2k4g==\n"
    "842T23Q88UA1TD583RFAJF3SP81C54T0.n3.test. 3600 IN NSEC3 1 0 0 - "
    "96C35UM9133H8C25JLP78S7KEFU9L2K4\n"
    "842T23Q88UA1TD583RFAJF3SP81C54T0.n3.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 5795 n3.test. 5nXUnjVa3OpOG5wUB41/dQbJP3rLVSSw1upbu9G2uOf/QiptSHvm/Twp "
    "DE97dJrbW90sJkCbEZGKeg/WL5vuTw==\n"
    "96C35UM9133H8C25JLP78S7KEFU9L2K4.n3.test. 3600 IN NSEC3 1 0 0 - "
    "B9QTMNA5IK8P6T20EJPPQ21EKJUPGN2L\n"
    "96C35UM9133H8C25JLP78S7KEFU9L2K4.n3.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 5795 n3.test. Do786tzUOcbnOzRs9mK8+tZHjDkZ3pNMzEBMJhAGS/1ppdkpUWGf3YhF "
    "0r4zQB3gW6tSzj9+0n4+BwKGprHPbQ==\n"
    "B9QTMNA5IK8P6T20EJPPQ21EKJUPGN2L.n3.test. 3600 IN NSEC3 1 0 0 - "
    "L2KFES34M5708TICH6LTBLKG8MV98E7U A RRSIG\n"
    "B9QTMNA5IK8P6T20EJPPQ21EKJUPGN2L.n3.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 5795 n3.test. +nXgslBfDwyw6vBwFLrkUoPMYbmp/kmCNJQZUMZ7+GLJNLyKJzpZrYTe "
    "u8B10AHdYzJPHE1paGVe6mwl6H07gg==\n"
    "L2KFES34M5708TICH6LTBLKG8MV98E7U.n3.test. 3600 IN NSEC3 1 0 0 - "
    "N7OJMA9732H0N0SS7E7U4LOEHOQVMJA8 NS DS RRSIG\n"
    "L2KFES34M5708TICH6LTBLKG8MV98E7U.n3.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 5795 n3.test. n0EMApSnZrpegcdvmfaXKcLRflwW5//7w0g0AjRnUIh6QtEGW4g1V8Jj "
    "UUsaqk56cAfwgHCEUAULveTYYJy3cA==\n"
    "N7OJMA9732H0N0SS7E7U4LOEHOQVMJA8.n3.test. 3600 IN NSEC3 1 0 0 - "
    "NJ0SKSN0NGLT434JVLAD1TDROTBEN3QB A RRSIG\n"
    "N7OJMA9732H0N0SS7E7U4LOEHOQVMJA8.n3.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 5795 n3.test. K+fn/lwEYDvxFTGypvqojzWOYBsgoUgzNVT69WYMM+NoBnJn9xxC0IGy "
    "qZRtoJxRMDXSzFdRiJDKZM1ZzMJHpQ==\n"
    "NJ0SKSN0NGLT434JVLAD1TDROTBEN3QB.n3.test. 3600 IN NSEC3 1 0 0 - "
    "RQ9U24KFR6NGAKO8NIGK3CAON1VBD1ML A RRSIG\n"
    "NJ0SKSN0NGLT434JVLAD1TDROTBEN3QB.n3.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 5795 n3.test. Rvjix3nBoydWy6ke/uSh5L9paPVP698I1pAvTvfunJwPTy73QE8xKmdC "
    "r5T9MqAjkt6rrjgZkG22v4tPC0JoqA==\n"
    "RQ9U24KFR6NGAKO8NIGK3CAON1VBD1ML.n3.test. 3600 IN NSEC3 1 0 0 - "
    "SBQ431ER4SHU0T42ID2UK3BTIH3SSB3H\n"
    "RQ9U24KFR6NGAKO8NIGK3CAON1VBD1ML.n3.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 5795 n3.test. RhedJ9QEnoP0/A2lNCDJEFmTnrpbrmb7C+3isYptJ/eqDa8PEIUhtfIC "
    "bbiA5U7vUsDIO2sBSv5jT2J5pFAstg==\n"
    "SBQ431ER4SHU0T42ID2UK3BTIH3SSB3H.n3.test. 3600 IN NSEC3 1 0 0 - "
    "VQUH3BGQ3PDN82E1EC388LG0F7K3DKSV TXT RRSIG\n"
    "SBQ431ER4SHU0T42ID2UK3BTIH3SSB3H.n3.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 5795 n3.test. zB2M6P45rME+DTJKlGSdJ75GmCeU3qt9HLmgkM79EusuCR3SUBEHjL8x "
    "mPr1W2a55JKdcw/8/trBFaDjCk4fXg==\n"
    "VQUH3BGQ3PDN82E1EC388LG0F7K3DKSV.n3.test. 3600 IN NSEC3 1 0 0 - "
    "6R1U9PI33KQQ5EUVK3K59DS56JKIGNG4 NS SOA RRSIG DNSKEY NSEC3PARAM\n"
    "VQUH3BGQ3PDN82E1EC388LG0F7K3DKSV.n3.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 5795 n3.test. b05h4T/c22PBF0cNwEzqeKAJHAV84bJXj/k9h5Tqd2Euzcjh/XThXxXN "
    "DMnLu7e3mkkfTOMzJstca3qt+QX8Hg==\n";

static const char zone_oo[] =
    "oo.test. 3600 IN SOA ns.oo.test. hostmaster.oo.test. 1 7200 3600 1209600 3600\n"
    "oo.test. 3600 IN RRSIG SOA 13 2 3600 20400101000000 20260101000000 32648 oo.test. "
    "5X4nq6l4rK8fKg20O9pbZ4b4dP+dZxHo59AWjABCVikYwRyLEtCSOHSo DYQRoTseQlspE3fA/g18XGAkKryk2A==\n"
    "oo.test. 3600 IN NS ns.oo.test.\n"
    "oo.test. 3600 IN RRSIG NS 13 2 3600 20400101000000 20260101000000 32648 oo.test. "
    "MNjUATx4EE9UZiLCRiReaFUS8znj1MIhvJAoLwAq5PCJbRQygrxnYF8L gp8VKHftVTHZ53j/qOsiOMm81r8vbA==\n"
    "oo.test. 3600 IN DNSKEY 256 3 13 d1i/fuoS2NL8kGp577BYHIU4rpAUuCjzctP2FU3MtEIZfxyoWNxATVYX "
    "HKWZQ1FnufUMAKzlgK+bGfwxakvUnw==\n"
    "oo.test. 3600 IN RRSIG DNSKEY 13 2 3600 20400101000000 20260101000000 32648 oo.test. "
    "9zvYeFFmkwjefIjMwyzWb+RrGaMFmSyn+OvejVXwXyK8UajpP2sVV98h B2rFGa3ID5wdBwme3t0e5yItYMVkAA==\n"
    "oo.test. 0 IN NSEC3PARAM 1 0 0 -\n"
    "oo.test. 0 IN RRSIG NSEC3PARAM 13 2 0 20400101000000 20260101000000 32648 oo.test. "
    "7L414Px95IMufMsgMAb6F9lI708uXF5/BlWqWznRVgebFdRuxo5TJ4Rv DLKvYAXMGUzSVzVf4NAs5PYskjMXJQ==\n"
    "a.b.ent.oo.test. 3600 IN A 192.0.2.2\n"
    "a.b.ent.oo.test. 3600 IN RRSIG A 13 5 3600 20400101000000 20260101000000 32648 oo.test. "
    "jWy37OgsoqfD0WNqVb4oM23VdvtWE2qOLZocc4eGVAOW6fuRObWNdkLS w2SekVPjYckfwyApM6krqww5JFvxTw==\n"
    "ns.oo.test. 3600 IN A 192.0.2.53\n"
    "ns.oo.test. 3600 IN RRSIG A 13 3 3600 20400101000000 20260101000000 32648 oo.test. "
    "CFlhnP9LwihgbwNvigILUi0FeBWS6GHKYjR9cWclqJozcso9ANl1rtZy SlkjXBBlKtMqtA8V8IAr6xYIm2Iakg==\n"
    "sec.oo.test. 3600 IN NS ns.other.\n"
    "sec.oo.test. 3600 IN DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01234567 "
    "89ABCDEF\n"
    "sec.oo.test. 3600 IN RRSIG DS 13 3 3600 20400101000000 20260101000000 32648 oo.test. "
    "GpEdUyfZxLJVvBWHCLVdqKOntmwweg6lPKHZxLW9rJhQ5jzSQHHcuiny ARAd3fssImO8lHqQ2NoSZI9kfk0nTQ==\n"
    "sub.oo.test. 3600 IN NS ns.sub.oo.test.\n"
    "ns.sub.oo.test. 3600 IN A 192.0.2.3\n"
    "*.wild.oo.test. 3600 IN TXT \"w\"\n"
    "*.wild.oo.test. 3600 IN RRSIG TXT 13 3 3600 20400101000000 20260101000000 32648 oo.test. "
    "X//hZpN3En3h+z+lLZ5qR6Pfh75xOGZfBLhGDUVfADIwpkFtlSv69X5r QFnzhGAH6c1TuETizjudifPpJaFKjQ==\n"
    "www.oo.test. 3600 IN A 192.0.2.1\n"
    "www.oo.test. 3600 IN RRSIG A 13 3 3600 20400101000000 20260101000000 32648 oo.test. "
    "ZRI0wHni+7wFr9135sLKr0oTjdVgPz0Ou3UeJ6ym+5OEC9a1mb4Om6aI pobuLBFYE3+Ezmmt8AF5nEitdhC7Jw==\n"
    "0NB6I20ADS3A82KJI6ILC5NOUIQQGT26.oo.test. 3600 IN NSEC3 1 1 0 - "
    "10F6FISQ1ETQFQRCO9T5T3SM9BJN62R6\n"
    "0NB6I20ADS3A82KJI6ILC5NOUIQQGT26.oo.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 32648 oo.test. s+PMMBpk+Qzt9UUTSnVIOuwhd51zDg0PNDswNCfK2ce/MoZd8+idisE9 "
    "cR1SNalTFgp5oGCEizp4tggaNDaTkw==\n"
    "10F6FISQ1ETQFQRCO9T5T3SM9BJN62R6.oo.test. 3600 IN NSEC3 1 1 0 - "
    "1BEUQPQT1TAATAT32GT9T3K6PEGPPJH6\n"
    "10F6FISQ1ETQFQRCO9T5T3SM9BJN62R6.oo.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 32648 oo.test. DjUxa5mZyc30/CUAfWIrSTp1puzJXueFzBFJ4bol7/tBvYs2HqOwKvbR "
    "1O/sqBHw61LY6q87pwrC8S1ysljLZQ==\n"
    "1BEUQPQT1TAATAT32GT9T3K6PEGPPJH6.oo.test. 3600 IN NSEC3 1 1 0 - "
    "5D959T38H6N2S9UMUDTH54D55KN0VR2B A RRSIG\n"
    "1BEUQPQT1TAATAT32GT9T3K6PEGPPJH6.oo.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 32648 oo.test. hT0nPD74dTLl2c+TnsoWf34YTIGatmaA9bq7ZlBvFeRHLWAUAOlSf5ba "
    "PqHOzX10dKkh6dmFhO0vCQkG6897gA==\n"
    "5D959T38H6N2S9UMUDTH54D55KN0VR2B.oo.test. 3600 IN NSEC3 1 1 0 - "
    "7R7SV3EDIE0RL3KQS4OEMAIKAVCAUKSH TXT RRSIG\n"
    "5D959T38H6N2S9UMUDTH54D55KN0VR2B.oo.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 32648 oo.test. IYdcTG/9GSTzoTEuU52GzX8Evly7fno+EzTEH64tqsuHVvLSUPlCaYgP "
    "xcBUuDrctU2rPRJ65p6P/JceeQnHjg==\n"
    "7R7SV3EDIE0RL3KQS4OEMAIKAVCAUKSH.oo.test. 3600 IN NSEC3 1 1 0 - "
    "F5IHGL3PLR92GV8B9OKS1G5223D9RKPU NS DS RRSIG\n"
    "7R7SV3EDIE0RL3KQS4OEMAIKAVCAUKSH.oo.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 32648 oo.test. LrVs/pql4MUlvc/KKN4J2Ofc4/So7JIQ4tsbXoVpn1JGZ6LxGRJG640w "
    "lQqrtQgC+iVr/nq9IRhiwXpZegTkAg==\n"
    "F5IHGL3PLR92GV8B9OKS1G5223D9RKPU.oo.test. 3600 IN NSEC3 1 1 0 - "
    "JM6FFUVR70TUONSH8125UKG8DF780F3N\n"
    "F5IHGL3PLR92GV8B9OKS1G5223D9RKPU.oo.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 32648 oo.test. 9uK1zoKJAyyVP5hx6jS1tIPlFqDkJLhQjiMOzhv4rbYQ2TslaYresE+G "
    "0vTeTLdTeWZTC912LJhKucpbTU99PQ==\n"
    "JM6FFUVR70TUONSH8125UKG8DF780F3N.oo.test. 3600 IN NSEC3 1 1 0 - "
    "NOF0TN71SEC7D1DJJUTQU01U1O69QQ7G NS SOA RRSIG DNSKEY NSEC3PARAM\n"
    "JM6FFUVR70TUONSH8125UKG8DF780F3N.oo.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 32648 oo.test. xc++KMqvt9C0Fgmg+5hqcxZAT3SbYwYcijKRMECrhelngfzNh9anJFx5 "
    "HQvJPUvWx9qqg69eZgQK3+J3j5Tl3A==\n"
    "NOF0TN71SEC7D1DJJUTQU01U1O69QQ7G.oo.test. 3600 IN NSEC3 1 1 0 - "
    "TEQD6MHPR3PNDRAHEH91FMPJ6NEQ4VLA A RRSIG\n"
    "NOF0TN71SEC7D1DJJUTQU01U1O69QQ7G.oo.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 32648 oo.test. Y9TDS9YThBZhVb1+ZcawZumi0+MkA++Uo0qhNu/U4REJif8+/lPAFmu1 "
    "iuLCbyAaRsgyoAadRxDqBXNnz2oP7w==\n"
    "TEQD6MHPR3PNDRAHEH91FMPJ6NEQ4VLA.oo.test. 3600 IN NSEC3 1 1 0 - "
    "0NB6I20ADS3A82KJI6ILC5NOUIQQGT26 A RRSIG\n"
    "TEQD6MHPR3PNDRAHEH91FMPJ6NEQ4VLA.oo.test. 3600 IN RRSIG NSEC3 13 3 3600 20400101000000 "
    "20260101000000 32648 oo.test. 5kqbaKwqsZ0i0FVbOvu+ndvrn31M8FGCgjUPI3eN7vnQmrwl3yVs2sd5 "
    "Jxh0s7wg5xf6LiUW4U4ONypDdDXqgA==\n";

static const char zone_nsec[] =
    "nsec.test. 3600 IN SOA ns.nsec.test. hostmaster.nsec.test. 1 7200 3600 1209600 3600\n"
    "nsec.test. 3600 IN RRSIG SOA 13 2 3600 20400101000000 20260101000000 19064 nsec.test. "
    "uVxntheRsQcAqQHFcBRx1dXa2tn+Symzr4rcsKJDQ0K6eb0SkpHer0+S 74VI+8I5zOAUndxxnA9Kgl+KXZvuWg==\n"
    "nsec.test. 3600 IN NS ns.nsec.test.\n"
    "nsec.test. 3600 IN RRSIG NS 13 2 3600 20400101000000 20260101000000 19064 nsec.test. "
    "ky6lnkrUa+rlEdEgCfaMyYgmBd9ztINAzPayrQpXJY7rmIQGP5pvBaa+ QR2ruy/a1Vsf6i5HLURIUS+dqrZmHQ==\n"
    "nsec.test. 3600 IN NSEC a.b.ent.nsec.test. NS SOA RRSIG NSEC DNSKEY\n"
    "nsec.test. 3600 IN RRSIG NSEC 13 2 3600 20400101000000 20260101000000 19064 nsec.test. "
    "AzG3PbFGx6MAoEXoBzGrcwloRESamrcmpsrftnOFUqFW1eKcm3N7zwOp MaYPZcc+kwssFb6550IjOgVEddkrxw==\n"
    "nsec.test. 3600 IN DNSKEY 256 3 13 2jCjImt75NsUUrnKJrCvMB5rQlyuUABMtM+ApbdWoKKBsfhW9nK+bd8D "
    "wyVgVr6HnCP8+wZol4B8avdwgloawQ==\n"
    "nsec.test. 3600 IN RRSIG DNSKEY 13 2 3600 20400101000000 20260101000000 19064 nsec.test. "
    "lc5z9Q8GxWpd0aSkBNV98/SWfzG/fRJjDgeRD4wHYXx12jfVAbPt1b4V AswUiaNs4hYJ18MktH1f+TFwILXMuw==\n"
    "a.b.ent.nsec.test. 3600 IN A 192.0.2.2\n"
    "a.b.ent.nsec.test. 3600 IN RRSIG A 13 5 3600 20400101000000 20260101000000 19064 nsec.test. "
    "l4C8EffRekclUIaL20lvyg5TMFzKdKN4eiGCscdyfUi8vSOistU52DER O2O7Y7JiDMNB3FXrK6qm/2cs/A2zXw==\n"
    "a.b.ent.nsec.test. 3600 IN NSEC ns.nsec.test. A RRSIG NSEC\n"
    "a.b.ent.nsec.test. 3600 IN RRSIG NSEC 13 5 3600 20400101000000 20260101000000 19064 "
    "nsec.test. ojwZq8dKs7pvKqw2boulgIlm8FZbhq+vzYFsGcpo1WNlNW1/ZuLrTsxb "
    "w6CysfnubOc4HM/U6+4B1n2gfmwsPA==\n"
    "ns.nsec.test. 3600 IN A 192.0.2.53\n"
    "ns.nsec.test. 3600 IN RRSIG A 13 3 3600 20400101000000 20260101000000 19064 nsec.test. "
    "XxB28DnSDxb1aLuNliCRxjaJ3f5yoZsXW1jwXZhhP1mPPkJV9Y/UDSEM QESYbMejVCPPj24UysBoQtieGstagw==\n"
    "ns.nsec.test. 3600 IN NSEC sec.nsec.test. A RRSIG NSEC\n"
    "ns.nsec.test. 3600 IN RRSIG NSEC 13 3 3600 20400101000000 20260101000000 19064 nsec.test. "
    "ylM1/bnALSuFdCEoWx2AtQ8pMqawiimeSmxvaClXsyDw6D38LPeWE1m9 wPlh7JVjrgh63S+6MOPCrz+KaH5Ktg==\n"
    "sec.nsec.test. 3600 IN NS ns.other.\n"
    "sec.nsec.test. 3600 IN DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01234567 "
    "89ABCDEF\n"
    "sec.nsec.test. 3600 IN RRSIG DS 13 3 3600 20400101000000 20260101000000 19064 nsec.test. "
    "K4NC9usyolDIaFT7r20fk4uoIRpj60JDw8kDN6l98i88Uw4Dh89HpxIl ylK9FFwNr3oJJ828SQx0xUKZa1vYZw==\n"
    "sec.nsec.test. 3600 IN NSEC sub.nsec.test. NS DS RRSIG NSEC\n"
    "sec.nsec.test. 3600 IN RRSIG NSEC 13 3 3600 20400101000000 20260101000000 19064 nsec.test. "
    "nRIzUHBTJHhGEicaVIA3SW3EUTLXbmY8zH4AUL/K9udV1yLXcc9Tv92k ewULLHqMIWLLVdIkkWiBNftoaGfniQ==\n"
    "sub.nsec.test. 3600 IN NS ns.sub.nsec.test.\n"
    "sub.nsec.test. 3600 IN NSEC *.wild.nsec.test. NS RRSIG NSEC\n"
    "sub.nsec.test. 3600 IN RRSIG NSEC 13 3 3600 20400101000000 20260101000000 19064 nsec.test. "
    "bRtM8c/xW0hsjUGcEM1hu3j8FqsQ+MIkrlAG3Oc0pzNx83p9P+QyX0Bj pc94wv1SJj/36fLNa9GlQU3vHFeNlA==\n"
    "ns.sub.nsec.test. 3600 IN A 192.0.2.3\n"
    "*.wild.nsec.test. 3600 IN TXT \"w\"\n"
    "*.wild.nsec.test. 3600 IN RRSIG TXT 13 3 3600 20400101000000 20260101000000 19064 nsec.test. "
    "FpV0JmdwLi3gufrWY8n1X1D/fF5VCgybHxtakvfYWNUaralJF2/R88Rb 2wLNEQ6VuTtCecESEks2NoOUCK9awQ==\n"
    "*.wild.nsec.test. 3600 IN NSEC www.nsec.test. TXT RRSIG NSEC\n"
    "*.wild.nsec.test. 3600 IN RRSIG NSEC 13 3 3600 20400101000000 20260101000000 19064 nsec.test. "
    "gITb6UEDUZJvrW3xS1iPDN7K4Nq0xWQRPePpNJqa8jot6wKNtGqCLaR+ m5SJ6TPj32nDItKAUqIXuPCtXSRX6g==\n"
    "www.nsec.test. 3600 IN A 192.0.2.1\n"
    "www.nsec.test. 3600 IN RRSIG A 13 3 3600 20400101000000 20260101000000 19064 nsec.test. "
    "7dNeR9M0nqAvrm5GbzCwesu2WDxC8xBTnn+Go3y3VeSI9395JkwftbKi qdViDufM14Rk5knKqUaeRVzOqp48Hw==\n"
    "www.nsec.test. 3600 IN NSEC nsec.test. A RRSIG NSEC\n"
    "www.nsec.test. 3600 IN RRSIG NSEC 13 3 3600 20400101000000 20260101000000 19064 nsec.test. "
    "BCKW58PREi1KTPVKV9Xdejjvx2LkYmvNEYPsmoS6eYJEx2ioxEEb06dC /8sY32bb2KP1dGyeJiKZYDXrs5MVKg==\n";

/* Appends the generated parts: a TXT RRset too big for 512 octets and an
 * MX RRset whose targets' addresses do not all fit. */
static void
make_zone_com(void)
{
	size_t n = 0;
	n += (size_t)snprintf(zone_com + n, sizeof(zone_com) - n, "%s", zone_com_fixed);
	for (int i = 0; i < 8; i++) {
		n += (size_t)snprintf(zone_com + n, sizeof(zone_com) - n, "big TXT \"%d", i);
		for (int j = 0; j < 119; j++) {
			zone_com[n++] = (char)('a' + (i + j) % 26);
		}
		n += (size_t)snprintf(zone_com + n, sizeof(zone_com) - n, "\"\n");
	}
	for (int i = 1; i <= 10; i++) {
		n += (size_t)snprintf(zone_com + n, sizeof(zone_com) - n,
		                      "mx MX %d m%d\nm%d A 192.0.2.%d\nm%d AAAA 2001:db8::%d\n", i,
		                      i, i, 110 + i, i, 110 + i);
	}
}

static const char conf_text[] = "server:\n"
                                "  listen: [127.0.0.1@53000]\n"
                                "  udp-max-payload: 1400\n"
                                "  nsid: signet-test\n"
                                "  identity: ns.test\n"
                                "acl:\n"
                                "  - id: local\n"
                                "    address: [127.0.0.0/8]\n"
                                "    action: [transfer]\n"
                                "zone:\n"
                                "  - domain: example.com.\n"
                                "    acl: [local]\n"
                                "  - domain: child.example.com.\n"
                                "  - domain: example.org.\n"
                                "  - domain: unloaded.test.\n"
                                "  - domain: n3.test.\n"
                                "  - domain: oo.test.\n"
                                "  - domain: nsec.test.\n";

static conf_t *conf;
#define NZONES 7
static zone_t zones[NZONES];
static zonetab_t *tab;
static query_view_t view;

static int
setup_zone(zone_t *z, const char *apex_text, const char *text)
{
	size_t len;
	memset(z, 0, sizeof(*z));
	if (dname_from_text(apex_text, strlen(apex_text), NULL, z->apex, &len) != SN_OK) {
		return -1;
	}
	z->apex_len = len;
	z->name = strdup(apex_text); /* lives as long as the static zones */
	if (z->name == NULL) {
		abort(); /* suite set-up: no test to fail yet */
	}
	z->conf = conf_zone_find(conf, z->apex);
	if (text == NULL) {
		return 0; /* configured, not loaded */
	}
	snap_t *s;
	if (zload(z->apex, z->name, z->name, text, strlen(text), &s) != SN_OK) {
		return -1;
	}
	zone_publish(z, s);
	return 0;
}

static int
suite_init(void)
{
	char err[CONF_ERRLEN];
	zone_t *list[NZONES];
	for (int i = 0; i < NZONES; i++) {
		list[i] = &zones[i];
	}

	log_set_level(LOG_LVL_WARNING);
	rcu_register_thread();
	make_zone_com();
	if (conf_load_mem("test.yaml", conf_text, strlen(conf_text), &conf, err) != SN_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (setup_zone(&zones[0], "example.com.", zone_com) != 0 ||
	    setup_zone(&zones[1], "child.example.com.", zone_child) != 0 ||
	    setup_zone(&zones[2], "example.org.", zone_org) != 0 ||
	    setup_zone(&zones[3], "unloaded.test.", NULL) != 0 ||
	    setup_zone(&zones[4], "n3.test.", zone_n3) != 0 ||
	    setup_zone(&zones[5], "oo.test.", zone_oo) != 0 ||
	    setup_zone(&zones[6], "nsec.test.", zone_nsec) != 0) {
		return -1;
	}
	if (zonetab_new(list, NZONES, &tab) != SN_OK) {
		return -1;
	}
	view.conf = conf;
	view.zones = tab;
	return 0;
}

static int
suite_clean(void)
{
	zonetab_free(tab);
	for (int i = 0; i < NZONES; i++) {
		snap_free(zones[i].snap);
	}
	conf_free(conf);
	rcu_unregister_thread();
	return 0;
}

/*
 * Queries.
 */

typedef struct qopt {
	uint16_t flags;  /* header flags; RD when the option is 0 */
	uint16_t qclass; /* 0 means IN */
	bool edns;
	uint16_t udp; /* EDNS size; 0 means 1232 */
	uint8_t version;
	bool do_bit;
	bool nsid;
} qopt_t;

static const qopt_t plain = {0};
static const qopt_t edns0 = {.edns = true};

static size_t
put_name(uint8_t *buf, const char *name)
{
	uint8_t dn[DNAME_MAXLEN];
	size_t len = 0;
	int rc = dname_from_text(name, strlen(name), NULL, dn, &len);
	CU_ASSERT_EQUAL_FATAL(rc, SN_OK);
	memcpy(buf, dn, len);
	return len;
}

static size_t
put_opt(uint8_t *p, const qopt_t *o)
{
	size_t n = 0;
	p[n++] = 0;
	wire_write_u16(p + n, RRTYPE_OPT);
	wire_write_u16(p + n + 2, o->udp != 0 ? o->udp : 1232);
	wire_write_u32(p + n + 4, ((uint32_t)o->version << 16) | (o->do_bit ? 0x8000u : 0));
	wire_write_u16(p + n + 8, o->nsid ? 4 : 0);
	n += 10;
	if (o->nsid) {
		wire_write_u16(p + n, 3);
		wire_write_u16(p + n + 2, 0);
		n += 4;
	}
	return n;
}

/* Writes a query for `name` `type` into `buf`; returns its length. */
static size_t
mkquery(uint8_t *buf, const char *name, uint16_t type, const qopt_t *o)
{
	memset(buf, 0, 12);
	wire_write_u16(buf, 0xbeef);
	wire_write_u16(buf + 2, o->flags != 0 ? o->flags : F_RD);
	wire_write_u16(buf + 4, 1);
	size_t n = 12 + put_name(buf + 12, name);
	wire_write_u16(buf + n, type);
	wire_write_u16(buf + n + 2, o->qclass != 0 ? o->qclass : RRCLASS_IN);
	n += 4;
	if (o->edns) {
		wire_write_u16(buf + 10, 1);
		n += put_opt(buf + n, o);
	}
	return n;
}

static query_stats_t stats;

static size_t
run(const uint8_t *q, size_t qlen, bool tcp, uint8_t *resp, size_t cap)
{
	struct sockaddr_in from = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	rcu_read_lock();
	size_t n =
	    query_answer(&view, q, qlen, resp, cap, (const struct sockaddr *)&from, tcp, &stats);
	rcu_read_unlock();
	return n;
}

/*
 * Responses, parsed back.
 */

typedef struct rr {
	int sec;
	char owner[DNAME_MAXTEXT];
	uint16_t type, rclass;
	uint32_t ttl;
	size_t owner_off; /* where the owner sits in the message */
	char rdata[1024];
} rr_t;

#define MAX_RR 80

typedef struct msg {
	size_t len;
	uint16_t id, flags, count[4];
	char qname[DNAME_MAXTEXT];
	uint16_t qtype, qclass;
	size_t question_end;
	size_t nrr;
	rr_t rr[MAX_RR];
	bool opt;
	uint16_t opt_size;
	uint32_t opt_ttl;
	uint8_t opt_rdata[512];
	size_t opt_rdlen;
} msg_t;

/* Parses a whole response; returns NULL or what is wrong with it. Every
 * name (owner and RDATA) must decompress with backward pointers only, and
 * the counts must describe exactly the octets present. */
static const char *
parse_msg(const uint8_t *p, size_t len, msg_t *m)
{
	uint8_t dn[DNAME_MAXLEN];
	size_t dlen;
	memset(m, 0, sizeof(*m));
	m->len = len;
	if (len < 12) {
		return "shorter than a header";
	}
	m->id = wire_read_u16(p);
	m->flags = wire_read_u16(p + 2);
	for (int i = 0; i < 4; i++) {
		m->count[i] = wire_read_u16(p + 4 + 2 * i);
	}
	size_t pos = 12;
	if (m->count[0] > 1) {
		return "more than one question";
	}
	if (m->count[0] == 1) {
		if (dname_unpack(p, len, &pos, dn, &dlen) != SN_OK || pos + 4 > len) {
			return "bad question";
		}
		dname_to_text(dn, m->qname, sizeof(m->qname));
		m->qtype = wire_read_u16(p + pos);
		m->qclass = wire_read_u16(p + pos + 2);
		pos += 4;
	}
	m->question_end = pos;
	for (int sec = 0; sec < 3; sec++) {
		for (unsigned i = 0; i < m->count[sec + 1]; i++) {
			if (m->nrr == MAX_RR) {
				return "too many records for the test";
			}
			rr_t *r = &m->rr[m->nrr++];
			r->sec = sec;
			r->owner_off = pos;
			if (dname_unpack(p, len, &pos, dn, &dlen) != SN_OK || pos + 10 > len) {
				return "bad owner name";
			}
			dname_to_text(dn, r->owner, sizeof(r->owner));
			r->type = wire_read_u16(p + pos);
			r->rclass = wire_read_u16(p + pos + 2);
			r->ttl = wire_read_u32(p + pos + 4);
			uint16_t rdlen = wire_read_u16(p + pos + 8);
			pos += 10;
			if (pos + rdlen > len) {
				return "RDATA past the end";
			}
			if (r->type == RRTYPE_OPT) {
				if (m->opt || sec != AR || dlen != 1 ||
				    rdlen > sizeof(m->opt_rdata)) {
					return "bad OPT";
				}
				m->opt = true;
				m->opt_size = r->rclass;
				m->opt_ttl = r->ttl;
				memcpy(m->opt_rdata, p + pos, rdlen);
				m->opt_rdlen = rdlen;
			} else {
				uint8_t rd[65535];
				size_t rl;
				if (rdata_unpack(r->type, p, len, pos, rdlen, rd, sizeof(rd),
				                 &rl) != SN_OK) {
					return "bad RDATA";
				}
				if (rdata_to_text(r->type, rd, rl, r->rdata, sizeof(r->rdata)) <
				    0) {
					return "RDATA does not print";
				}
			}
			pos += rdlen;
		}
	}
	if (pos != len) {
		return "octets after the last record";
	}
	return NULL;
}

static void
dump(const msg_t *m)
{
	static const char *secs[] = {"AN", "NS", "AR"};
	printf("\n;; id %04x flags %04x rcode %u qd %u an %u ns %u ar %u len %zu q %s/%u\n", m->id,
	       m->flags, m->flags & 0xf, m->count[0], m->count[1], m->count[2], m->count[3], m->len,
	       m->qname, m->qtype);
	for (size_t i = 0; i < m->nrr; i++) {
		const rr_t *r = &m->rr[i];
		char t[RRTYPE_MAXTEXT];
		rrtype_to_text(r->type, t, sizeof(t));
		printf(";; %s %s %u %u %s %s\n", secs[r->sec], r->owner, r->ttl, r->rclass, t,
		       r->rdata);
	}
}

static msg_t resp_msg; /* the last response */
static uint8_t resp_buf[65535];

/* Runs the query `q` and parses the answer into resp_msg; false when there
 * was no answer or it did not parse (a test failure unless expected). */
static bool
answer_raw(const uint8_t *q, size_t qlen, bool tcp)
{
	size_t n = run(q, qlen, tcp, resp_buf, sizeof(resp_buf));
	memset(&resp_msg, 0, sizeof(resp_msg));
	if (n == 0) {
		return false;
	}
	const char *bad = parse_msg(resp_buf, n, &resp_msg);
	if (bad != NULL) {
		fprintf(stderr, "\nmalformed response: %s\n", bad);
		CU_FAIL("response does not parse");
		return false;
	}
	if (getenv("SIGNET_QUERY_DUMP") != NULL) {
		dump(&resp_msg);
	}
	return true;
}

/* Asks `name` `type` and returns the parsed answer (fails the test when
 * there is none). */
static const msg_t *
ask(const char *name, uint16_t type, const qopt_t *o, bool tcp)
{
	uint8_t q[1024];
	size_t qlen = mkquery(q, name, type, o);
	bool ok = answer_raw(q, qlen, tcp);
	CU_ASSERT(ok);
	if (ok) {
		/* the ID and the question always come back as asked */
		CU_ASSERT_EQUAL(resp_msg.id, 0xbeef);
		CU_ASSERT(resp_msg.flags & F_QR);
		CU_ASSERT_EQUAL(resp_msg.count[0], 1);
		size_t qend = 12 + dname_len(q + 12) + 4;
		CU_ASSERT_EQUAL(resp_msg.question_end, qend);
		CU_ASSERT(resp_msg.question_end == qend &&
		          memcmp(resp_buf + 12, q + 12, qend - 12) == 0);
	}
	return &resp_msg;
}

static const msg_t *
udp(const char *name, uint16_t type)
{
	return ask(name, type, &plain, false);
}

static unsigned
rcode(const msg_t *m)
{
	unsigned ext = m->opt ? (m->opt_ttl >> 24) << 4 : 0;
	return ext | (m->flags & 0xf);
}

/* Records in section `sec` of `type` (0: any type). */
static unsigned
nrr(const msg_t *m, int sec, uint16_t type)
{
	unsigned n = 0;
	for (size_t i = 0; i < m->nrr; i++) {
		if (m->rr[i].sec == sec && m->rr[i].type != RRTYPE_OPT &&
		    (type == 0 || m->rr[i].type == type)) {
			n++;
		}
	}
	return n;
}

/* The record `owner` `type` `rdata` (NULL: any) in `sec`, or NULL. Owners
 * compare case-insensitively; RDATA as printed. */
static const rr_t *
find(const msg_t *m, int sec, const char *owner, uint16_t type, const char *rdata)
{
	for (size_t i = 0; i < m->nrr; i++) {
		const rr_t *r = &m->rr[i];
		if (r->sec == sec && r->type == type && strcasecmp(r->owner, owner) == 0 &&
		    (rdata == NULL || strcmp(r->rdata, rdata) == 0)) {
			return r;
		}
	}
	return NULL;
}

static bool
has(const msg_t *m, int sec, const char *owner, uint16_t type, const char *rdata)
{
	return find(m, sec, owner, type, rdata) != NULL;
}

/* No record appears twice in one section (RFC 2181 5). */
static bool
no_duplicates(const msg_t *m)
{
	for (size_t i = 0; i < m->nrr; i++) {
		for (size_t j = i + 1; j < m->nrr; j++) {
			const rr_t *a = &m->rr[i], *b = &m->rr[j];
			if (a->sec == b->sec && a->type == b->type &&
			    strcasecmp(a->owner, b->owner) == 0 &&
			    strcmp(a->rdata, b->rdata) == 0 && a->type != RRTYPE_OPT) {
				return false;
			}
		}
	}
	return true;
}

static bool
is_flags(const msg_t *m, uint16_t set, uint16_t clear)
{
	return (m->flags & set) == set && (m->flags & clear) == 0;
}

/* A check that a known server bug makes fail: passes while the bug is
 * there (printing a note), fails when the check starts to hold. */
#define KNOWN_BUG(cond, why)                                                                       \
	do {                                                                                       \
		if (cond) {                                                                        \
			CU_FAIL("known bug fixed: remove the KNOWN_BUG marker: " why);             \
		} else {                                                                           \
			fprintf(stderr, "\n  known bug (%s:%d): %s\n", __FILE__, __LINE__, why);   \
		}                                                                                  \
	} while (0)

/* A negative answer: the zone's SOA alone in authority with TTL
 * min(SOA TTL, MINIMUM) (RFC 2308 3 and 5), nothing in answer. */
static void
check_negative(const msg_t *m, unsigned rc, const char *apex, uint32_t ttl)
{
	CU_ASSERT_EQUAL(rcode(m), rc);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);
	CU_ASSERT_EQUAL(nrr(m, NS, 0), 1);
	const rr_t *soa = find(m, NS, apex, RRTYPE_SOA, NULL);
	CU_ASSERT_PTR_NOT_NULL(soa);
	if (soa != NULL) {
		CU_ASSERT_EQUAL(soa->ttl, ttl);
	}
}

/*
 * The tests.
 */

static void
test_query_exact_match(void)
{
	const msg_t *m = udp("mail.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_AA | F_RD, F_TC));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
	CU_ASSERT(has(m, AN, "mail.example.com.", RRTYPE_A, "192.0.2.25"));
	CU_ASSERT_EQUAL(m->rr[0].ttl, 3600);
	CU_ASSERT_EQUAL(m->rr[0].rclass, RRCLASS_IN);
	CU_ASSERT_EQUAL(nrr(m, NS, 0), 0);
	CU_ASSERT_EQUAL(nrr(m, AR, 0), 0);
	CU_ASSERT_FALSE(m->opt); /* no EDNS asked, none given */
	/* the owner is a pointer to the question (RFC 1035 4.1.4) */
	CU_ASSERT_EQUAL(wire_read_u16(resp_buf + m->rr[0].owner_off), 0xc00c);

	m = udp("example.com.", RRTYPE_AAAA);
	CU_ASSERT(has(m, AN, "example.com.", RRTYPE_AAAA, "2001:db8::1"));

	/* RD clear in the query: clear in the answer; CD is copied too */
	qopt_t o = {.flags = F_CD};
	m = ask("mail.example.com.", RRTYPE_A, &o, false);
	CU_ASSERT(is_flags(m, F_AA | F_CD, F_RD));

	/* class ANY is answered as IN */
	o = (qopt_t){.qclass = 255};
	m = ask("mail.example.com.", RRTYPE_A, &o, false);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(has(m, AN, "mail.example.com.", RRTYPE_A, "192.0.2.25"));
}

static void
test_query_cname(void)
{
	/* a chain inside the zone: every link, then the data (RFC 1034 4.3.2) */
	const msg_t *m = udp("alias.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 3);
	CU_ASSERT(has(m, AN, "alias.example.com.", RRTYPE_CNAME, "www.example.com."));
	CU_ASSERT(has(m, AN, "www.example.com.", RRTYPE_CNAME, "example.com."));
	CU_ASSERT(has(m, AN, "example.com.", RRTYPE_A, "192.0.2.1"));
	CU_ASSERT(m->nrr >= 3 && m->rr[0].type == RRTYPE_CNAME && m->rr[2].type == RRTYPE_A);

	/* asking for the CNAME itself stops there */
	m = udp("alias.example.com.", RRTYPE_CNAME);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
	CU_ASSERT(has(m, AN, "alias.example.com.", RRTYPE_CNAME, "www.example.com."));

	/* across two served zones */
	m = udp("ext.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_AA, 0));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 2);
	CU_ASSERT(has(m, AN, "ext.example.com.", RRTYPE_CNAME, "host.example.org."));
	CU_ASSERT(has(m, AN, "host.example.org.", RRTYPE_A, "192.0.2.200"));

	/* to a zone we do not serve: the CNAME alone, the resolver goes on */
	m = udp("out.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
	CU_ASSERT_EQUAL(nrr(m, NS, 0), 0);

	/* to a name that does not exist: RFC 6604 2.1, the last name's RCODE,
	 * with the CNAME kept and the SOA of the target's zone */
	m = udp("dangling.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT(has(m, AN, "dangling.example.com.", RRTYPE_CNAME, "nothing.example.com."));
	CU_ASSERT(has(m, NS, "example.com.", RRTYPE_SOA, NULL));

	/* to a name without the type: NODATA after the CNAME */
	m = udp("www.example.com.", RRTYPE_SRV);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
	CU_ASSERT(has(m, NS, "example.com.", RRTYPE_SOA, NULL));
}

static void
test_query_cname_loop(void)
{
	/* a loop ends: the answer is finite, well-formed, and NOERROR */
	const msg_t *m = udp("loop1.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(has(m, AN, "loop1.example.com.", RRTYPE_CNAME, "loop2.example.com."));
	CU_ASSERT(has(m, AN, "loop2.example.com.", RRTYPE_CNAME, "loop1.example.com."));
	CU_ASSERT(nrr(m, AN, 0) <= 16);
	/* each link once, as knotd answers: RFC 2181 5 makes a record a set
	 * member, and repeating it only grows the message */
	CU_ASSERT(no_duplicates(m));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 2);

	m = udp("self.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(has(m, AN, "self.example.com.", RRTYPE_CNAME, "self.example.com."));
	CU_ASSERT(no_duplicates(m));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
}

static void
test_query_dname(void)
{
	/* RFC 6672 3.1: the DNAME, a CNAME synthesised with its TTL, then the
	 * target's data in the served zone example.org */
	const msg_t *m = udp("host.old.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 3);
	CU_ASSERT(has(m, AN, "old.example.com.", RRTYPE_DNAME, "example.org."));
	const rr_t *c = find(m, AN, "host.old.example.com.", RRTYPE_CNAME, "host.example.org.");
	CU_ASSERT_PTR_NOT_NULL(c);
	if (c != NULL) {
		CU_ASSERT_EQUAL(c->ttl, 3600);
	}
	CU_ASSERT(has(m, AN, "host.example.org.", RRTYPE_A, "192.0.2.200"));

	/* the DNAME's own name is not redirected (RFC 6672 2.3) */
	m = udp("old.example.com.", RRTYPE_DNAME);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
	CU_ASSERT(has(m, AN, "old.example.com.", RRTYPE_DNAME, "example.org."));
	m = udp("old.example.com.", RRTYPE_A);
	check_negative(m, 0, "example.com.", 300);

	/* redirected to a name that does not exist: NXDOMAIN from the target's
	 * zone, the DNAME and CNAME kept */
	m = udp("x.y.old.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 2);
	CU_ASSERT(has(m, AN, "x.y.old.example.com.", RRTYPE_CNAME, "x.y.example.org."));
	const rr_t *soa = find(m, NS, "example.org.", RRTYPE_SOA, NULL);
	CU_ASSERT_PTR_NOT_NULL(soa);
	if (soa != NULL) {
		CU_ASSERT_EQUAL(soa->ttl, 60);
	}

	/* RFC 6672 2.2: a result over 255 octets is YXDOMAIN, DNAME included */
	m = udp(L62 "." L62 ".long.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 6);
	CU_ASSERT(has(m, AN, "long.example.com.", RRTYPE_DNAME, NULL));
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_CNAME), 0);
	/* a DNAME into its own subtree: every substitution lands below it
	 * again, until the chain limit; the DNAME record is sent once (RFC
	 * 2181 5), each synthesised CNAME once */
	m = ask("host.dgrow.example.com.", RRTYPE_A, &plain, true);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(has(m, AN, "dgrow.example.com.", RRTYPE_DNAME, "sub.dgrow.example.com."));
	CU_ASSERT(
	    has(m, AN, "host.dgrow.example.com.", RRTYPE_CNAME, "host.sub.dgrow.example.com."));
	CU_ASSERT(nrr(m, AN, RRTYPE_CNAME) >= 1 && nrr(m, AN, RRTYPE_CNAME) <= 16);
	CU_ASSERT(nrr(m, AN, RRTYPE_DNAME) == 1 && no_duplicates(m));

	/* one that fits is substituted */
	m = udp("x.long.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT(has(m, AN, "x.long.example.com.", RRTYPE_CNAME,
	              "x." L60 "." L60 "." L60 ".example.org."));
}

static void
test_query_wildcard(void)
{
	/* RFC 4592 3.3.1: the owner of a synthesised answer is the query name */
	const msg_t *m = udp("x.wild.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
	CU_ASSERT(has(m, AN, "x.wild.example.com.", RRTYPE_A, "192.0.2.80"));
	m = udp("y.x.wild.example.com.", RRTYPE_TXT);
	CU_ASSERT(has(m, AN, "y.x.wild.example.com.", RRTYPE_TXT, "\"wild\""));

	/* wildcard NODATA */
	m = udp("x.wild.example.com.", RRTYPE_MX);
	check_negative(m, 0, "example.com.", 300);

	/* wildcard CNAME: synthesised, then followed */
	m = udp("foo.wc.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 2);
	CU_ASSERT(has(m, AN, "foo.wc.example.com.", RRTYPE_CNAME, "mail.example.com."));
	CU_ASSERT(has(m, AN, "mail.example.com.", RRTYPE_A, "192.0.2.25"));

	/* RFC 4592 2.2.1: no wildcard match below an existing name... */
	m = udp("x.exists.wild.example.com.", RRTYPE_A);
	check_negative(m, 3, "example.com.", 300);
	/* ...nor for the existing name itself */
	m = udp("exists.wild.example.com.", RRTYPE_TXT);
	check_negative(m, 0, "example.com.", 300);
	/* ...nor below an empty non-terminal (b.wild exists through a.b.wild) */
	m = udp("x.b.wild.example.com.", RRTYPE_A);
	check_negative(m, 3, "example.com.", 300);
	m = udp("b.wild.example.com.", RRTYPE_A);
	check_negative(m, 0, "example.com.", 300);

	/* the wildcard's own name matches it literally */
	m = udp("*.wild.example.com.", RRTYPE_A);
	CU_ASSERT(has(m, AN, "*.wild.example.com.", RRTYPE_A, "192.0.2.80"));
}

static void
test_query_referral(void)
{
	/* RFC 1034 4.3.2 3b: below a cut, NS in authority, AA clear, glue in
	 * additional: in-bailiwick and sibling (ns.other is under another cut) */
	const msg_t *m = udp("www.sub.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, 0, F_AA | F_TC));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);
	CU_ASSERT_EQUAL(nrr(m, NS, 0), 2);
	CU_ASSERT(has(m, NS, "sub.example.com.", RRTYPE_NS, "ns.sub.example.com."));
	CU_ASSERT(has(m, NS, "sub.example.com.", RRTYPE_NS, "ns.other.example.com."));
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_DS), 0); /* DS only with DO */
	CU_ASSERT(has(m, AR, "ns.sub.example.com.", RRTYPE_A, "192.0.2.99"));
	CU_ASSERT(has(m, AR, "ns.sub.example.com.", RRTYPE_AAAA, "2001:db8::99"));
	CU_ASSERT(has(m, AR, "ns.other.example.com.", RRTYPE_A, "192.0.2.98"));
	CU_ASSERT_EQUAL(nrr(m, AR, 0), 3);

	/* the glue name itself is below the cut: referral too */
	m = udp("ns.sub.example.com.", RRTYPE_A);
	CU_ASSERT(is_flags(m, 0, F_AA));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_NS), 2);

	/* NS at the cut: the parent is not authoritative for it */
	m = udp("sub.example.com.", RRTYPE_NS);
	CU_ASSERT(is_flags(m, 0, F_AA));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_NS), 2);
	CU_ASSERT(has(m, AR, "ns.sub.example.com.", RRTYPE_A, NULL));

	/* a CNAME into a delegation: RFC 1034 4.3.2 restarts at step 1 with
	 * the target, and step 3b makes the referral; knotd and BIND answer
	 * the CNAME, then NS in authority and glue in additional */
	m = udp("c2sub.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(has(m, AN, "c2sub.example.com.", RRTYPE_CNAME, "www.sub.example.com."));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
	CU_ASSERT(is_flags(m, F_AA, F_TC)); /* the AA of the first name */
	CU_ASSERT_EQUAL(nrr(m, NS, 0), 2);
	CU_ASSERT(has(m, NS, "sub.example.com.", RRTYPE_NS, "ns.sub.example.com."));
	CU_ASSERT(has(m, AR, "ns.sub.example.com.", RRTYPE_A, "192.0.2.99"));
	CU_ASSERT(has(m, AR, "ns.other.example.com.", RRTYPE_A, "192.0.2.98"));

	/* any other type at the cut too */
	m = udp("nods.example.com.", RRTYPE_A);
	CU_ASSERT(is_flags(m, 0, F_AA));
	CU_ASSERT(has(m, NS, "nods.example.com.", RRTYPE_NS, "ns.nods.example.com."));
}

static void
test_query_ds(void)
{
	/* RFC 4035 3.1.4.1: DS is answered by the parent, authoritatively */
	const msg_t *m = udp("sub.example.com.", RRTYPE_DS);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
	CU_ASSERT(has(m, AN, "sub.example.com.", RRTYPE_DS, NULL));
	CU_ASSERT_EQUAL(nrr(m, NS, 0), 0);

	/* no DS at the cut: NODATA with the parent's SOA */
	m = udp("nods.example.com.", RRTYPE_DS);
	check_negative(m, 0, "example.com.", 300);

	/* the child is served too: still the parent's DS, not the child's NODATA */
	m = udp("child.example.com.", RRTYPE_DS);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_AA, 0));
	CU_ASSERT(has(m, AN, "child.example.com.", RRTYPE_DS, NULL));

	/* DS below a cut: a referral like any other type */
	m = udp("x.sub.example.com.", RRTYPE_DS);
	CU_ASSERT(is_flags(m, 0, F_AA));
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_NS), 2);
}

static void
test_query_negative(void)
{
	/* RFC 2308 3: NXDOMAIN, SOA TTL = min(3600, MINIMUM 300) */
	const msg_t *m = udp("nope.example.com.", RRTYPE_A);
	check_negative(m, 3, "example.com.", 300);
	/* example.org has SOA TTL 60 and MINIMUM 600 */
	m = udp("nope.example.org.", RRTYPE_A);
	check_negative(m, 3, "example.org.", 60);
	/* NODATA */
	m = udp("mail.example.com.", RRTYPE_TXT);
	check_negative(m, 0, "example.com.", 300);
	m = udp("host.example.org.", RRTYPE_AAAA);
	check_negative(m, 0, "example.org.", 60);

	/* empty non-terminals: NODATA, never NXDOMAIN (RFC 8020) */
	m = udp("c.example.com.", RRTYPE_A);
	check_negative(m, 0, "example.com.", 300);
	m = udp("b.c.example.com.", RRTYPE_TXT);
	check_negative(m, 0, "example.com.", 300);
	m = udp("_tcp.example.com.", RRTYPE_SRV);
	check_negative(m, 0, "example.com.", 300);
	/* but below one, NXDOMAIN */
	m = udp("x.b.c.example.com.", RRTYPE_A);
	check_negative(m, 3, "example.com.", 300);
}

static void
test_query_additional(void)
{
	/* MX: addresses of the in-zone exchange (RFC 1035 3.3.9) */
	const msg_t *m = udp("example.com.", RRTYPE_MX);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
	CU_ASSERT(has(m, AN, "example.com.", RRTYPE_MX, "10 mail.example.com."));
	CU_ASSERT(has(m, AR, "mail.example.com.", RRTYPE_A, "192.0.2.25"));
	CU_ASSERT(has(m, AR, "mail.example.com.", RRTYPE_AAAA, "2001:db8::25"));
	CU_ASSERT_EQUAL(nrr(m, AR, 0), 2);

	/* SRV (RFC 2782) */
	m = udp("_sip._tcp.example.com.", RRTYPE_SRV);
	CU_ASSERT(has(m, AN, "_sip._tcp.example.com.", RRTYPE_SRV, "10 5 5060 sip.example.com."));
	CU_ASSERT(has(m, AR, "sip.example.com.", RRTYPE_A, "192.0.2.60"));
	CU_ASSERT_EQUAL(nrr(m, AR, 0), 1);

	/* SVCB: the target's addresses (RFC 9460 4.2) */
	m = udp("svc.example.com.", RRTYPE_SVCB);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_SVCB), 1);
	CU_ASSERT(has(m, AR, "sip.example.com.", RRTYPE_A, "192.0.2.60"));
	CU_ASSERT_EQUAL(nrr(m, AR, 0), 1);

	/* NS at the apex: authoritative, with the servers' addresses */
	m = udp("example.com.", RRTYPE_NS);
	CU_ASSERT(is_flags(m, F_AA, 0));
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_NS), 2);
	CU_ASSERT(has(m, AR, "ns1.example.com.", RRTYPE_A, "192.0.2.53"));
	CU_ASSERT(has(m, AR, "ns1.example.com.", RRTYPE_AAAA, "2001:db8::53"));
	CU_ASSERT(has(m, AR, "ns2.example.com.", RRTYPE_A, "198.51.100.53"));
	CU_ASSERT_EQUAL(nrr(m, AR, 0), 3);

	/* other types get no additional records */
	m = udp("mail.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(nrr(m, AR, 0), 0);
}

static void
test_query_most_specific_zone(void)
{
	/* child.example.com is served: its data, authoritatively, not the
	 * parent's referral */
	const msg_t *m = udp("www.child.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_AA, 0));
	CU_ASSERT(has(m, AN, "www.child.example.com.", RRTYPE_A, "192.0.2.101"));
	m = udp("child.example.com.", RRTYPE_NS);
	CU_ASSERT(is_flags(m, F_AA, 0));
	CU_ASSERT(has(m, AN, "child.example.com.", RRTYPE_NS, "ns1.child.example.com."));
	m = udp("nope.child.example.com.", RRTYPE_A);
	check_negative(m, 3, "child.example.com.", 300);
	m = udp("child.example.com.", RRTYPE_SOA);
	CU_ASSERT(has(m, AN, "child.example.com.", RRTYPE_SOA, NULL));
}

static void
test_query_any(void)
{
	/* RFC 8482 4.2: over UDP one RRset is enough */
	const msg_t *m = udp("example.com.", RRTYPE_ANY);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT(nrr(m, AN, 0) >= 1);
	if (m->nrr >= 1) {
		uint16_t t = m->rr[0].type;
		CU_ASSERT_EQUAL(nrr(m, AN, t), nrr(m, AN, 0));
	}
	/* over TCP, everything at the name */
	m = ask("example.com.", RRTYPE_ANY, &plain, true);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_SOA), 1);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_NS), 2);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_MX), 1);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_A), 1);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_AAAA), 1);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_TXT), 1);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 7);
	/* ANY at an empty non-terminal and at a missing name */
	m = udp("c.example.com.", RRTYPE_ANY);
	check_negative(m, 0, "example.com.", 300);
	m = udp("nope.example.com.", RRTYPE_ANY);
	check_negative(m, 3, "example.com.", 300);
}

static void
test_query_refused(void)
{
	const msg_t *m = udp("www.example.net.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 5);
	CU_ASSERT(is_flags(m, 0, F_AA));
	CU_ASSERT_EQUAL(m->nrr, 0);
	m = udp(".", RRTYPE_NS);
	CU_ASSERT_EQUAL(rcode(m), 5);
	/* a zone that is configured but has no data yet */
	m = udp("unloaded.test.", RRTYPE_SOA);
	CU_ASSERT_EQUAL(rcode(m), 2);
	CU_ASSERT(is_flags(m, 0, F_AA));
	/* other classes (CH is answered separately) */
	qopt_t o = {.qclass = 4};
	m = ask("mail.example.com.", RRTYPE_A, &o, false);
	CU_ASSERT_EQUAL(rcode(m), 5);
}

/* A query with the opcode `op`, asking mail.example.com A. */
static void
check_notimp(unsigned op)
{
	qopt_t o = {.flags = (uint16_t)(op << 11)};
	const msg_t *m = ask("mail.example.com.", RRTYPE_A, &o, false);
	CU_ASSERT_EQUAL(rcode(m), 4);
	CU_ASSERT_EQUAL((m->flags >> 11) & 0xf, op); /* RFC 1035 4.1.1: copied */
	CU_ASSERT_EQUAL(m->nrr, 0);
}

static void
test_query_notimp(void)
{
	/* RFC 6891 6.1.1: an OPT in the query means an OPT in the response */
	qopt_t o = {.flags = 2 << 11, .edns = true};
	const msg_t *e = ask("mail.example.com.", RRTYPE_A, &o, false);
	CU_ASSERT_EQUAL(rcode(e), 4);
	CU_ASSERT(e->opt);

	check_notimp(1); /* IQUERY */
	check_notimp(2); /* STATUS */
	check_notimp(4); /* NOTIFY, not yet */
	check_notimp(5); /* UPDATE, not yet */
	check_notimp(15);
	/* MAILA, MAILB */
	const msg_t *m = udp("mail.example.com.", 254);
	CU_ASSERT_EQUAL(rcode(m), 4);
}

/* Runs `q` and expects FORMERR; `question` tells whether it is echoed. */
static void
check_formerr(const uint8_t *q, size_t qlen, bool question)
{
	bool ok = answer_raw(q, qlen, false);
	CU_ASSERT(ok);
	if (!ok) {
		return;
	}
	CU_ASSERT_EQUAL(rcode(&resp_msg), 1);
	CU_ASSERT_EQUAL(resp_msg.id, wire_read_u16(q));
	CU_ASSERT(is_flags(&resp_msg, F_QR, F_AA));
	CU_ASSERT_EQUAL(resp_msg.count[0], question ? 1 : 0);
	CU_ASSERT_EQUAL(nrr(&resp_msg, AN, 0) + nrr(&resp_msg, NS, 0) + nrr(&resp_msg, AR, 0), 0);
}

static void
test_query_formerr(void)
{
	uint8_t q[1024];
	size_t n;

	/* QDCOUNT 0 and 2 */
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	wire_write_u16(q + 4, 0);
	check_formerr(q, 12, false);
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	wire_write_u16(q + 4, 2);
	memcpy(q + n, q + 12, n - 12);
	check_formerr(q, n + n - 12, false);

	/* QDCOUNT 0 with an OPT: FORMERR, and RFC 6891 6.1.1 wants the OPT */
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	wire_write_u16(q + 4, 0);
	wire_write_u16(q + 10, 1);
	n = 12 + put_opt(q + 12, &edns0);
	check_formerr(q, n, false);
	CU_ASSERT(resp_msg.opt);
	/* without an OPT in the query, none in the answer */
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	wire_write_u16(q + 4, 0);
	check_formerr(q, 12, false);
	CU_ASSERT_FALSE(resp_msg.opt);

	/* trailing garbage */
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	q[n] = 0x42;
	check_formerr(q, n + 1, true);
	/* a question cut short, a label past the end, a label of type 01 */
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	check_formerr(q, n - 2, false);
	check_formerr(q, 15, false);
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	q[12] = 0x44;
	check_formerr(q, n, false);

	/* two OPT records (RFC 6891 6.1.1) */
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &edns0);
	n += put_opt(q + n, &edns0);
	wire_write_u16(q + 10, 2);
	check_formerr(q, n, true);
	/* OPT not at the root */
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	wire_write_u16(q + 10, 1);
	q[n++] = 1;
	q[n++] = 'a';
	n += put_opt(q + n, &edns0);
	check_formerr(q, n, true);
	/* OPT in the authority section */
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &edns0);
	wire_write_u16(q + 8, 1);
	wire_write_u16(q + 10, 0);
	check_formerr(q, n, true);
	/* an OPT option running past its RDATA */
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &(qopt_t){.edns = true, .nsid = true});
	wire_write_u16(q + n - 2, 8);
	check_formerr(q, n, true);
	/* a record counted but missing */
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	wire_write_u16(q + 10, 1);
	check_formerr(q, n, true);
	/* records in the answer section of a query */
	n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	wire_write_u16(q + 6, 1);
	memcpy(q + n, "\0\0\1\0\1\0\0\0\0\0\4\1\2\3\4", 15);
	check_formerr(q, n + 15, true);
	/* meta types that are never asked this way */
	const msg_t *m = udp("mail.example.com.", RRTYPE_OPT);
	CU_ASSERT_EQUAL(rcode(m), 1);
	m = udp("example.com.", RRTYPE_AXFR); /* AXFR over UDP */
	CU_ASSERT_EQUAL(rcode(m), 1);
}

static void
test_query_no_answer(void)
{
	uint8_t q[512];
	uint8_t r[1024];
	size_t n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	uint64_t dropped = stats.dropped;

	/* a response (QR set) is never answered: no loops between servers */
	wire_write_u16(q + 2, F_QR | F_RD);
	CU_ASSERT_EQUAL(run(q, n, false, r, sizeof(r)), 0);
	CU_ASSERT_EQUAL(run(q, n, true, r, sizeof(r)), 0);
	/* shorter than a header */
	wire_write_u16(q + 2, F_RD);
	for (size_t len = 0; len < 12; len++) {
		CU_ASSERT_EQUAL(run(q, len, false, r, sizeof(r)), 0);
	}
	CU_ASSERT_EQUAL(stats.dropped, dropped + 14);
	/* a header alone with QDCOUNT 1 is FORMERR, not silence */
	CU_ASSERT(run(q, 12, false, r, sizeof(r)) >= 12);
}

static void
test_query_edns(void)
{
	/* OPT comes back with our size (udp-max-payload: 1400), version 0 */
	const msg_t *m = ask("mail.example.com.", RRTYPE_A, &edns0, false);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(m->opt);
	CU_ASSERT_EQUAL(m->opt_size, 1400);
	CU_ASSERT_EQUAL(m->opt_ttl, 0);
	CU_ASSERT_EQUAL(m->opt_rdlen, 0);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
	/* the OPT is the last record (RFC 6891 6.1.1 lets it be anywhere in
	 * additional; we put it last) */
	CU_ASSERT(m->nrr >= 1 && m->rr[m->nrr - 1].type == RRTYPE_OPT);

	/* DO echoed (RFC 3225 3) */
	qopt_t o = {.edns = true, .do_bit = true};
	m = ask("mail.example.com.", RRTYPE_A, &o, false);
	CU_ASSERT(m->opt);
	CU_ASSERT_EQUAL(m->opt_ttl, 0x8000);

	/* BADVERS for version 1 (RFC 6891 6.1.3): extended RCODE 16, version 0 */
	o = (qopt_t){.edns = true, .version = 1};
	m = ask("mail.example.com.", RRTYPE_A, &o, false);
	CU_ASSERT(m->opt);
	CU_ASSERT_EQUAL(rcode(m), 16);
	CU_ASSERT_EQUAL(m->flags & 0xf, 0);
	CU_ASSERT_EQUAL((m->opt_ttl >> 16) & 0xff, 0);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);

	/* NSID when asked (RFC 5001) */
	o = (qopt_t){.edns = true, .nsid = true};
	m = ask("mail.example.com.", RRTYPE_A, &o, false);
	CU_ASSERT(m->opt);
	CU_ASSERT_EQUAL(m->opt_rdlen, 4 + 11);
	if (m->opt_rdlen == 15) {
		CU_ASSERT_EQUAL(wire_read_u16(m->opt_rdata), 3);
		CU_ASSERT_EQUAL(wire_read_u16(m->opt_rdata + 2), 11);
		CU_ASSERT(memcmp(m->opt_rdata + 4, "signet-test", 11) == 0);
	}
	/* and not when not asked (checked above: empty RDATA) */

	/* a negative answer carries the OPT too */
	m = ask("nope.example.com.", RRTYPE_A, &edns0, false);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT(m->opt);
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_SOA), 1);
	/* and so do errors of the answer logic */
	m = ask("www.example.net.", RRTYPE_A, &edns0, false);
	CU_ASSERT_EQUAL(rcode(m), 5);
	CU_ASSERT(m->opt);
}

static void
test_query_truncation(void)
{
	/* 8 TXT records of ~130 octets: over 512 without EDNS. RFC 2181 9:
	 * the RRset goes whole or not at all, and TC says so */
	uint64_t truncated = stats.truncated;
	const msg_t *m = udp("big.example.com.", RRTYPE_TXT);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_TC, 0));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);
	CU_ASSERT_EQUAL(nrr(m, NS, 0), 0);
	CU_ASSERT(m->len <= 512);
	CU_ASSERT_EQUAL(stats.truncated, truncated + 1);

	/* EDNS with 512: the same, and the OPT still fits */
	qopt_t o = {.edns = true, .udp = 512};
	m = ask("big.example.com.", RRTYPE_TXT, &o, false);
	CU_ASSERT(is_flags(m, F_TC, 0));
	CU_ASSERT(m->opt);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);
	CU_ASSERT(m->len <= 512);
	/* with 1232 it fits */
	m = ask("big.example.com.", RRTYPE_TXT, &edns0, false);
	CU_ASSERT(is_flags(m, 0, F_TC));
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_TXT), 8);
	/* a client size over ours is cut to ours (1400) */
	o = (qopt_t){.edns = true, .udp = 65000};
	m = ask("big.example.com.", RRTYPE_TXT, &o, false);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_TXT), 8);
	CU_ASSERT(m->len <= 1400);
	/* over TCP it fits */
	m = ask("big.example.com.", RRTYPE_TXT, &plain, true);
	CU_ASSERT(is_flags(m, 0, F_TC));
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_TXT), 8);

	/* the additional section is cut first, silently: 10 MX fit in 512,
	 * their 20 addresses do not (RFC 2181 9: no TC for additional data) */
	m = udp("mx.example.com.", RRTYPE_MX);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_MX), 10);
	CU_ASSERT(nrr(m, AR, 0) < 20);
	CU_ASSERT(m->len <= 512);
	/* an address RRset is not split either: each name has its A, and its
	 * AAAA only if the A is there */
	for (size_t i = 0; i < m->nrr; i++) {
		if (m->rr[i].sec == AR && m->rr[i].type == RRTYPE_AAAA) {
			CU_ASSERT(has(m, AR, m->rr[i].owner, RRTYPE_A, NULL));
		}
	}
	m = ask("mx.example.com.", RRTYPE_MX, &plain, true);
	CU_ASSERT_EQUAL(nrr(m, AR, 0), 20);
}

static void
test_query_case(void)
{
	/* 0x20: the question comes back octet for octet (ask() compares it),
	 * and the answer's owner is the name as asked */
	const msg_t *m = udp("MaIl.ExAmPlE.cOm.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_STRING_EQUAL(m->qname, "MaIl.ExAmPlE.cOm.");
	CU_ASSERT(m->nrr >= 1 && strcmp(m->rr[0].owner, "MaIl.ExAmPlE.cOm.") == 0);
	m = udp("X.WiLd.ExAmPlE.cOm.", RRTYPE_A);
	CU_ASSERT(m->nrr >= 1 && strcmp(m->rr[0].owner, "X.WiLd.ExAmPlE.cOm.") == 0);
	m = udp("NOPE.EXAMPLE.COM.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 3);
	m = udp("WWW.CHILD.EXAMPLE.COM.", RRTYPE_A);
	CU_ASSERT(has(m, AN, "www.child.example.com.", RRTYPE_A, "192.0.2.101"));
}

static void
test_query_chaos(void)
{
	qopt_t o = {.qclass = 3};
	const msg_t *m = ask("id.server.", RRTYPE_TXT, &o, false);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_TXT), 1);
	CU_ASSERT(has(m, AN, "id.server.", RRTYPE_TXT, "\"ns.test\""));
	CU_ASSERT(m->nrr >= 1 && m->rr[0].rclass == 3);
	m = ask("hostname.bind.", RRTYPE_TXT, &o, false);
	CU_ASSERT(has(m, AN, "hostname.bind.", RRTYPE_TXT, "\"ns.test\""));
	/* no version configured: refused */
	m = ask("version.bind.", RRTYPE_TXT, &o, false);
	CU_ASSERT_EQUAL(rcode(m), 5);
	CU_ASSERT_EQUAL(m->nrr, 0);
	m = ask("example.com.", RRTYPE_TXT, &o, false);
	CU_ASSERT_EQUAL(rcode(m), 5);
}

/* A child that tries a known crash keeps the sanitizer's report to itself:
 * the parent reports the failure. */
static void
quiet_child(void)
{
	int fd = open("/dev/null", O_WRONLY);
	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
}

/* Runs `q` in a child process, so that a crash in the server code is a
 * test failure and not the end of the runner. Returns true when the child
 * got a well-formed answer. */
static bool
answers_in_child(const uint8_t *q, size_t qlen)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		return false;
	}
	if (pid == 0) {
		quiet_child();
		uint8_t r[1024];
		msg_t *m = malloc(sizeof(*m));
		size_t n = run(q, qlen, false, r, sizeof(r));
		_exit(m != NULL && n > 0 && parse_msg(r, n, m) == NULL ? 0 : 1);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid) {
		return false;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void
test_query_long_names(void)
{
	uint8_t q[1024];
	char name[DNAME_MAXTEXT];
	size_t n = 0;

	/* a question of 127 labels: more labels than the compression table of
	 * the writer holds */
	for (int i = 0; i < 120; i++) {
		n += (size_t)snprintf(name + n, sizeof(name) - n, "a.");
	}
	snprintf(name + n, sizeof(name) - n, "example.com.");
	size_t qlen = mkquery(q, name, RRTYPE_A, &plain);
	CU_ASSERT(answers_in_child(q, qlen));
	const msg_t *m = ask(name, RRTYPE_A, &plain, false);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT(has(m, NS, "example.com.", RRTYPE_SOA, NULL));

	/* a 255-octet name in four long labels is fine */
	m = udp(L62 "." L62 "." L62 ".x.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 3);
}

static void
test_query_compressed_question(void)
{
	/* a question name can only point into the header, which holds no
	 * name: FORMERR without the question, never a question echoed with a
	 * pointer that reads the response header */
	uint8_t q[64];
	size_t n = mkquery(q, "mail.example.com.", RRTYPE_A, &plain);
	CU_ASSERT_EQUAL(n, 12 + 18 + 4);
	memcpy(q + 12, "\001a\300\002\000\001\000\001", 8);
	CU_ASSERT(answers_in_child(q, 20));
	check_formerr(q, 20, false);
}

/* Answers `q` over UDP from a view whose NSID is `nsid_len` octets long,
 * in a child process with a response buffer of exactly `cap` octets.
 * Returns the response length, or -1 when the child crashed. */
static long
answer_long_nsid(const uint8_t *q, size_t qlen, size_t nsid_len, size_t cap)
{
	char text[2048];
	size_t n = (size_t)snprintf(text, sizeof(text), "server:\n  nsid: ");
	memset(text + n, 'x', nsid_len);
	n += nsid_len;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\n");
	conf_t *c2 = NULL;
	char err[CONF_ERRLEN];
	if (conf_load_mem("nsid.yaml", text, n, &c2, err) != SN_OK) {
		CU_FAIL("configuration with a long NSID refused");
		return -1;
	}
	int fds[2];
	if (pipe(fds) != 0) {
		conf_free(c2);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		quiet_child();
		query_view_t v2 = {.conf = c2, .zones = tab};
		uint8_t *r = malloc(cap);
		struct sockaddr_in from = {.sin_family = AF_INET};
		long len = -1;
		if (r != NULL) {
			len = (long)query_answer(&v2, q, qlen, r, cap,
			                         (const struct sockaddr *)&from, false, &stats);
		}
		if (write(fds[1], &len, sizeof(len)) != sizeof(len)) {
			_exit(1);
		}
		free(r); /* ASan checks the heap here too */
		_exit(0);
	}
	close(fds[1]);
	long len = -1;
	int status = 0;
	if (pid < 0 || read(fds[0], &len, sizeof(len)) != sizeof(len)) {
		len = -1;
	}
	if (pid > 0) {
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			len = -1;
		}
	}
	close(fds[0]);
	conf_free(c2);
	return len;
}

static void
test_query_long_nsid(void)
{
	/* RFC 6891 6.2.3: a UDP response never exceeds the requestor's size;
	 * an NSID too long for 512 octets must not make the room negative */
	uint8_t q[512];
	qopt_t o = {.edns = true, .udp = 512, .nsid = true};
	size_t qlen = mkquery(q, "big.example.com.", RRTYPE_TXT, &o);
	long n = answer_long_nsid(q, qlen, 100, 4096);
	CU_ASSERT(n > 0 && n <= 512);
	/* an NSID over 497 octets cannot fit: it is left out rather than
	 * making the room negative (found here: the limit wrapped around) */
	n = answer_long_nsid(q, qlen, 600, 4096);
	CU_ASSERT(n > 0 && n <= 512);
	/* and never past the caller's buffer (the answer is ~1100 octets) */
	n = answer_long_nsid(q, qlen, 600, 1024);
	CU_ASSERT(n > 0 && n <= 512);
}

static void
test_query_stats(void)
{
	uint64_t udp0 = stats.udp, tcp0 = stats.tcp, nx = stats.rcode[3];
	udp("nope.example.com.", RRTYPE_A);
	ask("nope.example.com.", RRTYPE_A, &plain, true);
	CU_ASSERT_EQUAL(stats.udp, udp0 + 1);
	CU_ASSERT_EQUAL(stats.tcp, tcp0 + 1);
	CU_ASSERT_EQUAL(stats.rcode[3], nx + 2);
}

/*
 * DNSSEC: answers with DO from the signed zones.
 */

static const qopt_t dnssec = {.edns = true, .do_bit = true};

static const msg_t *
ask_do(const char *name, uint16_t type)
{
	return ask(name, type, &dnssec, false);
}

/* The base32hex NSEC3 hash (no salt, 0 iterations) of `name`, lower case,
 * by sign/'s implementation: the oracle for the server's own. */
static void
hash_of(const char *name, char out[NSEC3_B32_LEN + 1])
{
	uint8_t dn[DNAME_MAXLEN], h[NSEC3_HASH_LEN];
	size_t len;
	out[0] = 0;
	CU_ASSERT_FATAL(dname_from_text(name, strlen(name), NULL, dn, &len) == SN_OK);
	CU_ASSERT_FATAL(nsec3_hash(NSEC3_ALG_SHA1, dn, NULL, 0, 0, h) == SN_OK);
	CU_ASSERT_FATAL(nsec3_base32hex(h, sizeof(h), out, NSEC3_B32_LEN + 1) == NSEC3_B32_LEN);
}

/* Field `i` (0-based) of a record's presentation RDATA, lower-cased. */
static void
field(const rr_t *r, unsigned i, char *out, size_t cap)
{
	const char *p = r->rdata;
	out[0] = 0;
	for (unsigned k = 0; k < i && p != NULL; k++) {
		p = strchr(p, ' ');
		p = p != NULL ? p + 1 : NULL;
	}
	if (p == NULL) {
		return;
	}
	size_t n = 0;
	while (p[n] != 0 && p[n] != ' ' && n + 1 < cap) {
		out[n] = (char)(p[n] >= 'A' && p[n] <= 'Z' ? p[n] + 32 : p[n]);
		n++;
	}
	out[n] = 0;
}

/* The owner's first label of an NSEC3 record, lower-cased. */
static void
owner_hash(const rr_t *r, char out[64])
{
	size_t n = 0;
	while (r->owner[n] != 0 && r->owner[n] != '.' && n < 63) {
		char ch = r->owner[n];
		out[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	out[n] = 0;
}

/* The NSEC3 in `sec` whose owner hash is the hash of `name` (cover false)
 * or whose span covers it, wrapping at the end (cover true). */
static const rr_t *
nsec3_for(const msg_t *m, int sec, const char *name, bool cover)
{
	char h[NSEC3_B32_LEN + 1], o[64], nx[64];
	hash_of(name, h);
	for (size_t i = 0; i < m->nrr; i++) {
		const rr_t *r = &m->rr[i];
		if (r->sec != sec || r->type != RRTYPE_NSEC3) {
			continue;
		}
		owner_hash(r, o);
		field(r, 4, nx, sizeof(nx));
		bool covers = strcmp(o, nx) < 0 ? strcmp(o, h) < 0 && strcmp(h, nx) < 0
		                                : strcmp(h, o) > 0 || strcmp(h, nx) < 0;
		if (cover ? covers : strcmp(o, h) == 0) {
			return r;
		}
	}
	return NULL;
}

/* canonical order of two presentation names */
static int
name_cmp(const char *a, const char *b)
{
	uint8_t da[DNAME_MAXLEN], db[DNAME_MAXLEN];
	size_t la, lb;
	CU_ASSERT_FATAL(dname_from_text(a, strlen(a), NULL, da, &la) == SN_OK);
	CU_ASSERT_FATAL(dname_from_text(b, strlen(b), NULL, db, &lb) == SN_OK);
	return dname_cmp(da, db);
}

/* The NSEC in `sec` owned by `name` (cover false) or covering it. */
static const rr_t *
nsec_for(const msg_t *m, int sec, const char *name, bool cover)
{
	for (size_t i = 0; i < m->nrr; i++) {
		const rr_t *r = &m->rr[i];
		if (r->sec != sec || r->type != RRTYPE_NSEC) {
			continue;
		}
		char nx[DNAME_MAXTEXT];
		field(r, 0, nx, sizeof(nx));
		int on = name_cmp(r->owner, nx), oq = name_cmp(r->owner, name);
		int qn = name_cmp(name, nx);
		bool covers = on < 0 ? oq < 0 && qn < 0 : oq < 0 || qn < 0;
		if (cover ? covers : oq == 0) {
			return r;
		}
	}
	return NULL;
}

/* Every NSEC, NSEC3, SOA, DS and answer RRset in `m` has an RRSIG of its
 * type beside it in the same section, with the same owner (RFC 4035 3.1). */
static bool
all_signed(const msg_t *m)
{
	for (size_t i = 0; i < m->nrr; i++) {
		const rr_t *r = &m->rr[i];
		if (r->type == RRTYPE_RRSIG || r->type == RRTYPE_OPT || r->sec == AR ||
		    (r->sec == NS && r->type == RRTYPE_NS)) {
			continue;
		}
		char t[RRTYPE_MAXTEXT], ct[RRTYPE_MAXTEXT + 1];
		rrtype_to_text(r->type, t, sizeof(t));
		bool found = false;
		for (size_t j = 0; j < m->nrr && !found; j++) {
			const rr_t *g = &m->rr[j];
			size_t tl = strlen(t);
			snprintf(ct, sizeof(ct), "%s", g->rdata);
			found = g->type == RRTYPE_RRSIG && g->sec == r->sec &&
			        strcasecmp(g->owner, r->owner) == 0 &&
			        strncmp(g->rdata, t, tl) == 0 && g->rdata[tl] == ' ';
		}
		if (!found) {
			fprintf(stderr, "\n  unsigned in the answer: %s type %u\n", r->owner,
			        r->type);
			return false;
		}
	}
	return true;
}

static void
test_query_dnssec_positive(void)
{
	/* RFC 4035 3.1.1: the RRSIGs go with the RRset, with DO only */
	const msg_t *m = ask_do("www.n3.test.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT(has(m, AN, "www.n3.test.", RRTYPE_A, "192.0.2.1"));
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_RRSIG), 1);
	CU_ASSERT(all_signed(m));
	CU_ASSERT(m->opt && (m->opt_ttl & 0x8000));
	m = ask("www.n3.test.", RRTYPE_A, &edns0, false);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 1);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_RRSIG), 0);

	/* DNSKEY at the apex, signed */
	m = ask_do("n3.test.", RRTYPE_DNSKEY);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_DNSKEY), 1);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_RRSIG), 1);
	CU_ASSERT(all_signed(m));

	/* without DO, negative answers carry the SOA alone, as before */
	check_negative(udp("nx.n3.test.", RRTYPE_A), 3, "n3.test.", 3600);
	check_negative(udp("www.n3.test.", RRTYPE_TXT), 0, "n3.test.", 3600);
	check_negative(udp("b.ent.nsec.test.", RRTYPE_A), 0, "nsec.test.", 3600);
	m = udp("www.sub.n3.test.", RRTYPE_A);
	CU_ASSERT_EQUAL(nrr(m, NS, 0), 1);

	/* RFC 4035 3.1.5: RRSIG asked, with or without DO: the RRSIGs of
	 * one type (the lowest, as knotd) */
	m = udp("www.n3.test.", RRTYPE_RRSIG);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_EQUAL(nrr(m, AN, RRTYPE_RRSIG), 1);
	CU_ASSERT(m->nrr > 0 && strncmp(m->rr[0].rdata, "A ", 2) == 0);
	check_negative(udp("ent.n3.test.", RRTYPE_RRSIG), 0, "n3.test.", 3600);
	m = udp("ns.sub.n3.test.", RRTYPE_RRSIG); /* glue: a referral */
	CU_ASSERT(is_flags(m, 0, F_AA));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);

	/* RFC 5155 7.2.8: a hashed owner name is no name of the zone */
	char h[NSEC3_B32_LEN + 1], q[DNAME_MAXTEXT];
	hash_of("www.n3.test.", h);
	snprintf(q, sizeof(q), "%s.n3.test.", h);
	m = ask_do(q, RRTYPE_NSEC3);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);
	/* but its own NSEC3 is found for the proofs: the owner's hash is
	 * covered, and "x.<hash>" has the apex as closest encloser */
	m = ask_do(q, RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "n3.test.", false));
}

static void
test_query_dnssec_nsec3_nxdomain(void)
{
	/* RFC 5155 7.2.2: closest encloser match, next closer cover,
	 * wildcard at the closest encloser covered */
	const msg_t *m = ask_do("nx.n3.test.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);
	CU_ASSERT(has(m, NS, "n3.test.", RRTYPE_SOA, NULL));
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "n3.test.", false));
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "nx.n3.test.", true));
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "*.n3.test.", true));
	CU_ASSERT(nrr(m, NS, RRTYPE_NSEC3) >= 2 && nrr(m, NS, RRTYPE_NSEC3) <= 3);
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_NSEC3) + 1, nrr(m, NS, RRTYPE_RRSIG));
	CU_ASSERT(all_signed(m));
	CU_ASSERT(no_duplicates(m));

	/* deeper: the closest encloser is www, the next closer b.www */
	m = ask_do("a.b.www.n3.test.", RRTYPE_TXT);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "www.n3.test.", false));
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "b.www.n3.test.", true));
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "*.www.n3.test.", true));
	CU_ASSERT(all_signed(m));

	/* below an empty non-terminal: it is the closest encloser */
	m = ask_do("x.ent.n3.test.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "ent.n3.test.", false));
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "x.ent.n3.test.", true));
}

static void
test_query_dnssec_nsec3_nodata(void)
{
	/* RFC 5155 7.2.3: the NSEC3 matching the name, type not in its bitmap */
	const msg_t *m = ask_do("www.n3.test.", RRTYPE_TXT);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);
	const rr_t *r = nsec3_for(m, NS, "www.n3.test.", false);
	CU_ASSERT_PTR_NOT_NULL(r);
	CU_ASSERT(r != NULL && strstr(r->rdata, " A ") != NULL && strstr(r->rdata, "TXT") == NULL);
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_NSEC3), 1);
	CU_ASSERT(all_signed(m));

	/* an empty non-terminal has an NSEC3 of its own (RFC 5155 7.1) */
	m = ask_do("b.ent.n3.test.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "b.ent.n3.test.", false));
	CU_ASSERT(all_signed(m));

	/* RFC 5155 7.2.4: DS at a cut without one: its NSEC3 */
	m = ask_do("sub.n3.test.", RRTYPE_DS);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "sub.n3.test.", false));
	/* at an opt-out cut (no NSEC3 of its own): the closest provable
	 * encloser's NSEC3 and the opt-out NSEC3 covering the cut */
	m = ask_do("sub.oo.test.", RRTYPE_DS);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_PTR_NULL(nsec3_for(m, NS, "sub.oo.test.", false));
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "oo.test.", false));
	r = nsec3_for(m, NS, "sub.oo.test.", true);
	CU_ASSERT_PTR_NOT_NULL(r);
	char flags[8];
	if (r != NULL) {
		field(r, 1, flags, sizeof(flags));
		CU_ASSERT_STRING_EQUAL(flags, "1");
	}
	CU_ASSERT(all_signed(m));
}

static void
test_query_dnssec_wildcard(void)
{
	/* RFC 4035 3.1.3.3, 5.3.4: the expansion is signed by the wildcard's
	 * RRSIG (labels field 3: *.wild.n3.test), owner rewritten; RFC 5155
	 * 7.2.6: the next closer name (x.wild) is covered */
	const msg_t *m = ask_do("a.x.wild.n3.test.", RRTYPE_TXT);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT(has(m, AN, "a.x.wild.n3.test.", RRTYPE_TXT, "\"w\""));
	const rr_t *sig = find(m, AN, "a.x.wild.n3.test.", RRTYPE_RRSIG, NULL);
	CU_ASSERT_PTR_NOT_NULL(sig);
	char labels[8];
	if (sig != NULL) {
		field(sig, 2, labels, sizeof(labels));
		CU_ASSERT_STRING_EQUAL(labels, "3");
	}
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "x.wild.n3.test.", true));
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_NSEC3), 1);
	CU_ASSERT(all_signed(m));

	/* RFC 5155 7.2.5: wildcard NODATA: closest encloser, next closer,
	 * and the wildcard's own NSEC3 */
	m = ask_do("x.wild.n3.test.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_EQUAL(nrr(m, AN, 0), 0);
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "wild.n3.test.", false));
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "x.wild.n3.test.", true));
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "*.wild.n3.test.", false));
	CU_ASSERT(all_signed(m));
	CU_ASSERT(no_duplicates(m));

	/* NSEC: the NSEC covering the name proves no closer match */
	m = ask_do("x.wild.nsec.test.", RRTYPE_TXT);
	CU_ASSERT(has(m, AN, "x.wild.nsec.test.", RRTYPE_TXT, "\"w\""));
	CU_ASSERT_PTR_NOT_NULL(nsec_for(m, NS, "x.wild.nsec.test.", true));
	CU_ASSERT(all_signed(m));
}

static void
test_query_dnssec_nsec(void)
{
	/* RFC 4035 3.1.3.2: the name and the wildcard at its closest
	 * encloser are covered */
	const msg_t *m = ask_do("nx.nsec.test.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT_PTR_NOT_NULL(nsec_for(m, NS, "nx.nsec.test.", true));
	CU_ASSERT_PTR_NOT_NULL(nsec_for(m, NS, "*.nsec.test.", true));
	CU_ASSERT(all_signed(m));
	CU_ASSERT(no_duplicates(m));
	m = ask_do("a.b.www.nsec.test.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 3);
	CU_ASSERT_PTR_NOT_NULL(nsec_for(m, NS, "a.b.www.nsec.test.", true));
	CU_ASSERT_PTR_NOT_NULL(nsec_for(m, NS, "*.www.nsec.test.", true));

	/* RFC 4035 3.1.3.1: NODATA, the name's own NSEC */
	m = ask_do("www.nsec.test.", RRTYPE_TXT);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_PTR_NOT_NULL(nsec_for(m, NS, "www.nsec.test.", false));
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_NSEC), 1);
	/* an empty non-terminal has none: the NSEC covering it */
	m = ask_do("b.ent.nsec.test.", RRTYPE_A);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_PTR_NOT_NULL(nsec_for(m, NS, "b.ent.nsec.test.", true));
	CU_ASSERT(all_signed(m));
	/* glue has no NSEC either: the walk back skips it (the cover of a
	 * name just after ns.sub is sub's NSEC) */
	m = ask_do("nt.sub.nsec.test.", RRTYPE_A);
	CU_ASSERT(is_flags(m, 0, F_AA));
	CU_ASSERT_PTR_NOT_NULL(nsec_for(m, NS, "sub.nsec.test.", false));
}

static void
test_query_dnssec_referral(void)
{
	/* RFC 4035 3.1.4: a cut with DS: DS and its RRSIG, no denial */
	const msg_t *m = ask_do("www.sec.n3.test.", RRTYPE_A);
	CU_ASSERT(is_flags(m, 0, F_AA | F_TC));
	CU_ASSERT(has(m, NS, "sec.n3.test.", RRTYPE_NS, NULL));
	CU_ASSERT(has(m, NS, "sec.n3.test.", RRTYPE_DS, NULL));
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_RRSIG), 1);
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_NSEC3), 0);
	CU_ASSERT(all_signed(m));

	/* without DS: the cut's NSEC3 (RFC 5155 7.2.7), its NSEC */
	m = ask_do("www.sub.n3.test.", RRTYPE_A);
	CU_ASSERT(is_flags(m, 0, F_AA));
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_DS), 0);
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "sub.n3.test.", false));
	CU_ASSERT(has(m, AR, "ns.sub.n3.test.", RRTYPE_A, "192.0.2.3"));
	CU_ASSERT(all_signed(m));
	m = ask_do("www.sub.nsec.test.", RRTYPE_A);
	const rr_t *r = nsec_for(m, NS, "sub.nsec.test.", false);
	CU_ASSERT_PTR_NOT_NULL(r);
	CU_ASSERT(r != NULL && strstr(r->rdata, " DS") == NULL);
	/* opt-out: the closest provable encloser proof */
	m = ask_do("www.sub.oo.test.", RRTYPE_A);
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "oo.test.", false));
	CU_ASSERT_PTR_NOT_NULL(nsec3_for(m, NS, "sub.oo.test.", true));
	CU_ASSERT(all_signed(m));

	/* an unsigned zone sends no DS with DO (no chain of trust to prove) */
	m = ask_do("www.sub.example.com.", RRTYPE_A);
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_DS), 0);
	CU_ASSERT_EQUAL(nrr(m, NS, RRTYPE_NS), 2);
}

static void
test_query_dnssec_truncation(void)
{
	/* RFC 4035 3.1.1: a proof that does not fit is not half-sent: TC,
	 * the question alone */
	qopt_t o = {.edns = true, .do_bit = true, .udp = 512};
	const msg_t *m = ask("nx.n3.test.", RRTYPE_A, &o, false);
	CU_ASSERT(m->len <= 512);
	CU_ASSERT(is_flags(m, F_TC, 0));
	CU_ASSERT_EQUAL(nrr(m, AN, 0) + nrr(m, NS, 0), 0);
	/* the same over TCP, whole */
	m = ask("nx.n3.test.", RRTYPE_A, &o, true);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT(nrr(m, NS, RRTYPE_NSEC3) >= 2);
	CU_ASSERT(all_signed(m));
	/* and with room for it over UDP */
	m = ask_do("nx.n3.test.", RRTYPE_A);
	CU_ASSERT(is_flags(m, F_AA, F_TC));
	CU_ASSERT(nrr(m, NS, RRTYPE_NSEC3) >= 2);
}

/* Records from text, sorted (origin n3.test.). */
static rrlist_t *
n3_records(const char *text)
{
	uint8_t origin[DNAME_MAXLEN];
	size_t len;
	rrlist_t *l = rrlist_new();
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(dname_from_text("n3.test.", 8, NULL, origin, &len) == SN_OK);
	zfile_opts_t o = {.origin = origin, .on_rr = rrlist_zfile_cb, .ctx = l};
	CU_ASSERT_FATAL(zfile_parse_mem("edit", text, strlen(text), &o, NULL) == SN_OK);
	CU_ASSERT_FATAL(rrlist_sort(l) == SN_OK);
	return l;
}

/* A signer changes NSEC3 records one at a time (snap_edit): the answers
 * follow. A new name with its NSEC3 gets its NODATA proof from the new
 * record, and removing www's NSEC3 leaves www's NODATA with no matching
 * record (the snapshot never serves a record it no longer holds). */
static void
test_query_dnssec_edit(void)
{
	char h[NSEC3_B32_LEN + 1], text[DNAME_MAXTEXT + sizeof(((rr_t *)0)->rdata) + 32];
	hash_of("new.n3.test.", h);
	snprintf(text, sizeof(text),
	         "new.n3.test. 3600 IN A 192.0.2.9\n"
	         "%s.n3.test. 3600 IN NSEC3 1 0 0 - 00000000000000000000000000000000 A RRSIG\n",
	         h);
	rrlist_t *add = n3_records(text);
	snap_t *base = zones[4].snap, *next = NULL;
	CU_ASSERT_FATAL(snap_edit(base, NULL, add, &next) == SN_OK);
	rrlist_free(add);
	CU_ASSERT(snap_check(next) == SN_OK);
	snap_t *old = zone_publish(&zones[4], next);
	CU_ASSERT(old == base);

	const msg_t *m = ask_do("new.n3.test.", RRTYPE_TXT);
	CU_ASSERT_EQUAL(rcode(m), 0);
	const rr_t *r = nsec3_for(m, NS, "new.n3.test.", false);
	CU_ASSERT_PTR_NOT_NULL(r);
	CU_ASSERT(r != NULL && strstr(r->rdata, "00000000000000000000000000000000") != NULL);
	m = ask_do("new.n3.test.", RRTYPE_A);
	CU_ASSERT(has(m, AN, "new.n3.test.", RRTYPE_A, "192.0.2.9"));

	/* www's NSEC3 goes (its RRSIG stays: a record of its own) */
	m = ask_do("www.n3.test.", RRTYPE_TXT);
	r = nsec3_for(m, NS, "www.n3.test.", false);
	CU_ASSERT_FATAL(r != NULL);
	snprintf(text, sizeof(text), "%s 3600 IN NSEC3 %s\n", r->owner, r->rdata);
	rrlist_t *rem = n3_records(text);
	snap_t *third = NULL;
	CU_ASSERT_FATAL(snap_edit(next, rem, NULL, &third) == SN_OK);
	rrlist_free(rem);
	CU_ASSERT(snap_check(third) == SN_OK);
	CU_ASSERT(zone_publish(&zones[4], third) == next);
	m = ask_do("www.n3.test.", RRTYPE_TXT);
	CU_ASSERT_EQUAL(rcode(m), 0);
	CU_ASSERT_PTR_NULL(nsec3_for(m, NS, "www.n3.test.", false));

	/* back to the zone as loaded, for the other tests; the versions go
	 * when the base does (suite clean-up) */
	CU_ASSERT(zone_publish(&zones[4], base) == third);
	snap_unref(next);
	snap_unref(third);
}

int
test_query_register(void)
{
	CU_pSuite s = CU_add_suite("query", suite_init, suite_clean);
	if (s == NULL) {
		return CU_get_error();
	}
	CU_add_test(s, "test_query_exact_match", test_query_exact_match);
	CU_add_test(s, "test_query_cname", test_query_cname);
	CU_add_test(s, "test_query_cname_loop", test_query_cname_loop);
	CU_add_test(s, "test_query_dname", test_query_dname);
	CU_add_test(s, "test_query_wildcard", test_query_wildcard);
	CU_add_test(s, "test_query_referral", test_query_referral);
	CU_add_test(s, "test_query_ds", test_query_ds);
	CU_add_test(s, "test_query_negative", test_query_negative);
	CU_add_test(s, "test_query_additional", test_query_additional);
	CU_add_test(s, "test_query_most_specific_zone", test_query_most_specific_zone);
	CU_add_test(s, "test_query_any", test_query_any);
	CU_add_test(s, "test_query_refused", test_query_refused);
	CU_add_test(s, "test_query_notimp", test_query_notimp);
	CU_add_test(s, "test_query_formerr", test_query_formerr);
	CU_add_test(s, "test_query_no_answer", test_query_no_answer);
	CU_add_test(s, "test_query_edns", test_query_edns);
	CU_add_test(s, "test_query_truncation", test_query_truncation);
	CU_add_test(s, "test_query_case", test_query_case);
	CU_add_test(s, "test_query_chaos", test_query_chaos);
	CU_add_test(s, "test_query_long_names", test_query_long_names);
	CU_add_test(s, "test_query_compressed_question", test_query_compressed_question);
	CU_add_test(s, "test_query_long_nsid", test_query_long_nsid);
	CU_add_test(s, "test_query_stats", test_query_stats);
	CU_add_test(s, "test_query_dnssec_positive", test_query_dnssec_positive);
	CU_add_test(s, "test_query_dnssec_nsec3_nxdomain", test_query_dnssec_nsec3_nxdomain);
	CU_add_test(s, "test_query_dnssec_nsec3_nodata", test_query_dnssec_nsec3_nodata);
	CU_add_test(s, "test_query_dnssec_wildcard", test_query_dnssec_wildcard);
	CU_add_test(s, "test_query_dnssec_nsec", test_query_dnssec_nsec);
	CU_add_test(s, "test_query_dnssec_referral", test_query_dnssec_referral);
	CU_add_test(s, "test_query_dnssec_truncation", test_query_dnssec_truncation);
	CU_add_test(s, "test_query_dnssec_edit", test_query_dnssec_edit);
	return CU_get_error();
}
