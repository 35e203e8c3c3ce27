#!/bin/bash
# SPDX-License-Identifier: MIT
# bench_sign.sh - full signing of a large zone: signet beside kzonesign and dnssec-signzone.
#
# usage: perf/bench_sign.sh [-n RUNS] [-s NAMES] [-t THREADS] [-S SIGNZONE] [-K] [-B] [-k]
#   -n  runs of each tool, taking turns (3)
#   -s  names in the generated zone (1000000; 100000 for a quick run)
#   -t  threads for every tool (all online CPUs)
#   -S  signet's driver (default: ./perf/signzone, or $SIGNZONE)
#   -K  leave kzonesign (Knot) out
#   -B  leave dnssec-signzone (BIND) out
#   -k  keep the signed zones (they are large: about 800 bytes a name)
#
# Every tool signs the same file (perf/gen_zone.py, cached in perf/out/)
# with NSEC3, 0 iterations, no salt (RFC 9276) and ECDSAP256SHA256 (13),
# one KSK and one ZSK made before the timed runs, and writes the signed
# zone as text: perf/signzone -3, kzonesign with a policy of
# `signing-threads: THREADS` (its first, untimed run makes the keys), and
# `dnssec-signzone -n THREADS -3 - -H 0 -P -S` (-P: no verification pass
# afterwards, which the others do not make either). The ceiling is
# `openssl speed -multi THREADS -seconds 3 ecdsap256`, run in each round so
# that it meets the same load: no signer can make ECDSA signatures faster.
#
# Wall time, CPU time (user+sys) and peak RSS come from /usr/bin/time. Each
# tool's signature count is read from its output (signet prints it), so
# signatures/s compares the work each really did. Prints a table of
# medians and the ratios the issue sets as targets.
set -eu

PERF=$(cd "$(dirname "$0")" && pwd)
OUT=$PERF/out
RUNS=3
NAMES=1000000
THREADS=$(nproc)
SIGNZONE=${SIGNZONE:-./perf/signzone}
KNOT=yes
BIND=yes
KEEP=no

while getopts n:s:t:S:KBkh opt; do
	case $opt in
	n) RUNS=$OPTARG ;;
	s) NAMES=$OPTARG ;;
	t) THREADS=$OPTARG ;;
	S) SIGNZONE=$OPTARG ;;
	K) KNOT=no ;;
	B) BIND=no ;;
	k) KEEP=yes ;;
	h) sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
for v in "$RUNS" "$NAMES" "$THREADS"; do
	case $v in '' | *[!0-9]*) echo "bench_sign: -n, -s and -t take numbers" >&2; exit 2 ;; esac
done
[ "$RUNS" -ge 1 ] && [ "$NAMES" -ge 1 ] && [ "$THREADS" -ge 1 ] || {
	echo "bench_sign: -n, -s and -t must be at least 1" >&2
	exit 2
}
if [ ! -x "$SIGNZONE" ]; then
	echo "bench_sign: no signzone at $SIGNZONE (run from the build folder, or -S PATH)" >&2
	exit 2
fi
SIGNZONE=$(cd "$(dirname "$SIGNZONE")" && pwd)/$(basename "$SIGNZONE")
need="python3 openssl"
[ $KNOT = yes ] && need="$need kzonesign"
[ $BIND = yes ] && need="$need dnssec-signzone dnssec-keygen"
for t in $need; do
	command -v "$t" >/dev/null || { echo "bench_sign: $t is missing" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench_sign: /usr/bin/time is missing" >&2; exit 2; }

ORIGIN=perf.example.
ZONE=$OUT/zone-$NAMES.zone
mkdir -p "$OUT"
if [ ! -s "$ZONE" ]; then
	python3 "$PERF/gen_zone.py" --names "$NAMES" --origin "$ORIGIN" "$ZONE"
fi
RUN=$OUT/sign-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RUN/signet-keys" "$RUN/bind-keys" "$RUN/knot/keys" "$RUN/knot/db" "$RUN/knot/out"
TIMES=$RUN/times.txt
: >"$TIMES"

# count_rrsig FILE: RRSIG records in a zone file written one record a line
# (the type field follows a TTL or the class).
count_rrsig() {
	awk '{ for (i = 2; i <= 4; i++) if ($i == "RRSIG" && ($(i - 1) ~ /^[0-9]+$/ || $(i - 1) == "IN")) { n++; break } }
		END { print n + 0 }' "$1"
}

# timed TOOL RUN CMD...: runs CMD under /usr/bin/time; appends
# "TOOL RUN wall rss_kib user sys" to $TIMES. A failing tool stops the
# benchmark: the time of a failed run means nothing.
timed() {
	local tool=$1 run=$2
	shift 2
	if ! /usr/bin/time -f '%e %M %U %S' -o "$RUN/last.time" "$@" >"$RUN/$tool.log" 2>&1; then
		echo "bench_sign: $tool failed:" >&2
		tail -n 20 "$RUN/$tool.log" >&2
		exit 1
	fi
	echo "$tool $run $(tail -n 1 "$RUN/last.time")" >>"$TIMES"
}

# Keys, made once, outside the timed runs.
printf '$TTL 60\n@ SOA a. b. 1 2 3 4 5\n' >"$RUN/keys.zone"
"$SIGNZONE" -q -K "$RUN/signet-keys" -o "$ORIGIN" "$RUN/keys.zone"
if [ $BIND = yes ]; then
	dnssec-keygen -q -K "$RUN/bind-keys" -a 13 -f KSK "$ORIGIN" >/dev/null
	dnssec-keygen -q -K "$RUN/bind-keys" -a 13 "$ORIGIN" >/dev/null
fi
if [ $KNOT = yes ]; then
	cat >"$RUN/knot/knot.conf" <<EOF
server:
    rundir: "$RUN/knot"
database:
    storage: "$RUN/knot/db"
keystore:
  - id: bench
    config: "$RUN/knot/keys"
policy:
  - id: bench
    keystore: bench
    algorithm: ecdsap256sha256
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0
    signing-threads: $THREADS
    ksk-lifetime: 0
    zsk-lifetime: 0
zone:
  - domain: $ORIGIN
    file: "$ZONE"
    dnssec-signing: on
    dnssec-policy: bench
EOF
	# The first run makes the keys (and signs once); not timed.
	kzonesign -c "$RUN/knot/knot.conf" -o "$RUN/knot/out" "$ORIGIN" >"$RUN/knot-keys.log" 2>&1 || :
	rm -f "$RUN/knot/out"/*
fi

echo "bench_sign: $ZONE ($(cat "$ZONE.count" 2>/dev/null || echo '?') records), NSEC3 0 iterations no salt, alg 13, $THREADS threads, $RUNS runs each, taking turns"
SIGS_KNOT=
SIGS_BIND=
for r in $(seq 1 "$RUNS"); do
	timed signet "$r" "$SIGNZONE" -3 -t "$THREADS" -k "$RUN/signet-keys/ksk.pem" \
		-z "$RUN/signet-keys/zsk.pem" -o "$ORIGIN" -w "$RUN/signet.zone" "$ZONE"
	grep -o 'signatures=[0-9]*' "$RUN/signet.log" | cut -d= -f2 >"$RUN/signet.sigs"
	grep '^signzone:' "$RUN/signet.log" | tail -n 1 >>"$RUN/signet.summary"
	[ $KEEP = yes ] || rm -f "$RUN/signet.zone"
	if [ $KNOT = yes ]; then
		rm -f "$RUN/knot/out"/*
		timed kzonesign "$r" kzonesign -c "$RUN/knot/knot.conf" -o "$RUN/knot/out" "$ORIGIN"
		if [ -z "$SIGS_KNOT" ]; then
			SIGS_KNOT=$(count_rrsig "$RUN/knot/out/$(basename "$ZONE")")
		fi
		[ $KEEP = yes ] || rm -f "$RUN/knot/out"/*
	fi
	if [ $BIND = yes ]; then
		timed dnssec-signzone "$r" dnssec-signzone -q -n "$THREADS" -3 - -H 0 -P -S \
			-K "$RUN/bind-keys" -o "$ORIGIN" -O full -f "$RUN/bind.zone" "$ZONE"
		if [ -z "$SIGS_BIND" ]; then
			SIGS_BIND=$(count_rrsig "$RUN/bind.zone")
		fi
		[ $KEEP = yes ] || rm -f "$RUN/bind.zone"
	fi
	openssl speed -multi "$THREADS" -seconds 3 ecdsap256 2>/dev/null |
		awk '/nistp256/ { print "ceiling '"$r"' " $(NF - 1) }' >>"$TIMES"
done
echo "signet $(cat "$RUN/signet.sigs")" >"$RUN/sigs.txt"
[ -n "$SIGS_KNOT" ] && echo "kzonesign $SIGS_KNOT" >>"$RUN/sigs.txt"
[ -n "$SIGS_BIND" ] && echo "dnssec-signzone $SIGS_BIND" >>"$RUN/sigs.txt"

python3 - "$TIMES" "$RUN/sigs.txt" "$THREADS" "$RUN/signet.summary" <<'EOF'
import statistics, sys
times, sigsf, threads, summary = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
runs, ceil = {}, []
for line in open(times):
    f = line.split()
    if f[0] == "ceiling":
        ceil.append(float(f[2]))
        continue
    runs.setdefault(f[0], []).append((float(f[2]), int(f[3]), float(f[4]) + float(f[5])))
sigs = {l.split()[0]: int(l.split()[1]) for l in open(sigsf)}
print(f"{'tool':<16} {'runs':>4} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7} "
      f"{'signatures':>10} {'sigs/s':>9} {'RSS MiB':>8}")
med = {}
for tool in ("signet", "kzonesign", "dnssec-signzone"):
    if tool not in runs:
        continue
    w = [x[0] for x in runs[tool]]
    m = statistics.median(w)
    med[tool] = m
    cpu = statistics.median(x[2] for x in runs[tool])
    rss = statistics.median(x[1] for x in runs[tool]) / 1024
    s = sigs.get(tool, 0)
    print(f"{tool:<16} {len(w):>4} {m:>9.2f} {min(w):>7.2f} {max(w):>7.2f} {cpu:>7.2f} "
          f"{s:>10} {s / m:>9.0f} {rss:>8.0f}")
c = statistics.median(ceil) if ceil else 0
print(f"{'openssl speed':<16} {len(ceil):>4} {'':>9} {'':>7} {'':>7} {'':>7} {'':>10} {c:>9.0f}"
      f"   (ecdsap256 sign/s, -multi {threads}; min {min(ceil):.0f} max {max(ceil):.0f})"
      if ceil else "openssl speed: no result")
peers = {t: med[t] for t in ("kzonesign", "dnssec-signzone") if t in med}
if peers and "signet" in med:
    best = min(peers, key=peers.get)
    r = peers[best] / med["signet"]
    print(f"time ratio {best} (the faster peer) / signet = {r:.2f}  (target >= 1.5)")
    for t in peers:
        if t != best:
            print(f"time ratio {t} / signet = {peers[t] / med['signet']:.2f}")
if c > 0 and "signet" in med:
    sps = sigs.get("signet", 0) / med["signet"]
    print(f"signet signatures/s = {100 * sps / c:.0f}% of the openssl ceiling (target >= 80%; "
          f"end to end: parsing and writing the zone included)")
    # signer_sign_full alone (names, chain, signing, output list), from
    # signzone's own clock: what the daemon's signer costs without file I/O.
    ss = [float(kv.split("=")[1]) for l in open(summary) for kv in l.split()
          if kv.startswith("sign_s=")]
    if ss:
        m = statistics.median(ss)
        print(f"signet signer alone: median {m:.2f} s, {sigs['signet'] / m:.0f} signatures/s = "
              f"{100 * sigs['signet'] / m / c:.0f}% of the ceiling")
    cpu = statistics.median(x[2] for x in runs["signet"])
    print(f"signet CPU time per signature: {1e6 * cpu / sigs['signet']:.1f} us (all phases); "
          f"the ceiling's per thread: {1e6 * int(threads) / c:.1f} us")
EOF
echo "bench_sign: details in $RUN (signet.summary has signet's own phase times)"
