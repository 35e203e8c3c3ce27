#!/bin/bash
# SPDX-License-Identifier: MIT
# bench_server.sh - signetd against knotd and nsd on the same zones, same
# thread count, same core, same load; prints medians and ratios.
#
# usage: perf/bench_server.sh [-d SECONDS] [-r REPS] [-w WORKERS] [-n NAMES]
#                             [-z ZONES] [-p udp|tcp|both] [-S SIGNETD]
#                             [-s SIGNZONE] [-c SERVER_CPU,LOAD_CPU] [-N NICE] [-k]
#   -d  seconds measured per run (10), after 1 s of warm-up
#   -r  repetitions (3); servers take turns, the median is printed
#   -w  UDP workers of each server, and TCP workers (1: one core)
#   -n  names in the big zone (1000000)
#   -z  zones, comma-separated: small, big (or 1m), small-signed, big-signed
#       (or 1m-signed); both = small,big; signed = small-signed,big-signed;
#       all (default: both)
#   -p  which transports (both)
#   -S  the signetd binary (default: ./signetd, or $SIGNETD)
#   -s  the signer for the signed zones (default: ./perf/signzone, or $SIGNZONE)
#   -c  cores for the servers and for the load generator (0,1)
#   -N  scheduling weight of the benchmark's processes, as a nice value (-15)
#   -k  skip the dnsperf check
#
# The signed zones are the same zones signed once by perf/signzone (NSEC3,
# 0 iterations, no salt, algorithm 13) and cached in perf/out/zones/; every
# server serves that file as it is (presigned: no signing of its own), and
# the queries carry the DO bit (EDNS0 1232). Before the load, a sample of
# DO=1 answers from each server is checked for RRSIG and NSEC3 records
# (a server answering without proofs must not look fast).
#
# Everything generated (zones, query files, tools, configs, raw results)
# goes to perf/out/ and is reused when its inputs did not change. Servers
# listen on 127.0.0.1 only, on free ports, and are stopped by PID.
#
# Every server runs under `taskset` and under clamp_affinity.so, because
# knotd pins its workers to cores of its own choosing. The load generator
# (perf/loadgen.c) runs alone on the other core, and its ceiling is shown
# by perf/echo.c, which answers without looking at the query.
#
# On a shared machine the kernel groups processes by session (autogroup)
# and shares the CPU between sessions, so `nice` alone does nothing against
# other users' jobs. Each server and each load run is started in a session
# of its own whose autogroup nice is -N, the same for every server: the
# measured processes get most of their core and the ratios stay fair.set -eu

PERF=$(cd "$(dirname "$0")" && pwd)
OUT=$PERF/out
BIN=$OUT/bin
DUR=10
REPS=3
WORKERS=1
NAMES=1000000
ZONES=both
PROTOS=both
SIGNETD=${SIGNETD:-./signetd}
SIGNZONE=${SIGNZONE:-./perf/signzone}
CPUS=0,1
DNSPERF=yes
NICE=-15

while getopts d:r:w:n:z:p:S:s:c:N:kh opt; do
	case $opt in
	d) DUR=$OPTARG ;;
	r) REPS=$OPTARG ;;
	w) WORKERS=$OPTARG ;;
	n) NAMES=$OPTARG ;;
	z) ZONES=$OPTARG ;;
	p) PROTOS=$OPTARG ;;
	S) SIGNETD=$OPTARG ;;
	s) SIGNZONE=$OPTARG ;;
	c) CPUS=$OPTARG ;;
	N) NICE=$OPTARG ;;
	k) DNSPERF=no ;;
	h) sed -n '3,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
SCPU=${CPUS%,*}
LCPU=${CPUS#*,}
ZLIST=""
for z in ${ZONES//,/ }; do
	case $z in
	small) ZLIST="$ZLIST small" ;;
	big | 1m) ZLIST="$ZLIST big" ;;
	both) ZLIST="$ZLIST small big" ;;
	small-signed) ZLIST="$ZLIST small-signed" ;;
	big-signed | 1m-signed) ZLIST="$ZLIST big-signed" ;;
	signed) ZLIST="$ZLIST small-signed big-signed" ;;
	all) ZLIST="$ZLIST small big small-signed big-signed" ;;
	*) echo "bench_server: bad -z $z" >&2; exit 2 ;;
	esac
done
ZLIST=$(echo $ZLIST | tr ' ' '\n' | awk '!seen[$0]++' | tr '\n' ' ')
case $PROTOS in udp) PLIST="udp" ;; tcp) PLIST="tcp" ;; both) PLIST="udp tcp" ;; *) echo "bad -p" >&2; exit 2 ;; esac

if [ ! -x "$SIGNETD" ]; then
	echo "bench_server: no signetd at $SIGNETD (run from the build folder, or -S PATH)" >&2
	exit 2
fi
SIGNETD=$(cd "$(dirname "$SIGNETD")" && pwd)/$(basename "$SIGNETD")
case " $ZLIST " in *-signed" "*)
	if [ ! -x "$SIGNZONE" ]; then
		echo "bench_server: no signzone at $SIGNZONE for the signed zones (make perf/signzone in the build folder, or -s PATH)" >&2
		exit 2
	fi
	SIGNZONE=$(cd "$(dirname "$SIGNZONE")" && pwd)/$(basename "$SIGNZONE")
	command -v kdig >/dev/null || { echo "bench_server: kdig is missing (scripts/install-deps.sh)" >&2; exit 2; }
	;;
esac
for t in knotd nsd python3 taskset setsid cc; do
	command -v $t >/dev/null || { echo "bench_server: $t is missing (scripts/install-deps.sh)" >&2; exit 2; }
done
if [ "$(nproc)" -lt 2 ] && [ "$SCPU" != "$LCPU" ]; then
	echo "bench_server: needs 2 cores" >&2
	exit 2
fi

mkdir -p "$BIN" "$OUT/zones"
RUN=$OUT/run-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RUN"

# ---- tools ----
build() { # out src flags...
	local o=$1 s=$2
	shift 2
	if [ ! -e "$o" ] || [ "$s" -nt "$o" ]; then
		cc -std=gnu11 -O2 -D_GNU_SOURCE -Wall -o "$o" "$s" "$@"
	fi
}
build "$BIN/loadgen" "$PERF/loadgen.c"
build "$BIN/echo" "$PERF/echo.c" -pthread
build "$BIN/clamp_affinity.so" "$PERF/clamp_affinity.c" -shared -fPIC -ldl
LOADGEN=$BIN/loadgen
CLAMP=$BIN/clamp_affinity.so

# ---- zones and queries (cached) ----
SMALL_ORIGIN=hosting.example.
BIG_ORIGIN=perf.example.
SMALL_ZONE=$OUT/zones/small.zone
BIG_ZONE=$OUT/zones/big-$NAMES.zone
if [ ! -s "$SMALL_ZONE" ] || [ "$PERF/gen_queries.py" -nt "$SMALL_ZONE" ]; then
	python3 "$PERF/gen_queries.py" small-zone --origin $SMALL_ORIGIN "$SMALL_ZONE"
fi
if [ ! -s "$SMALL_ZONE.q" ] || [ "$SMALL_ZONE" -nt "$SMALL_ZONE.q" ]; then
	python3 "$PERF/gen_queries.py" queries --zone "$SMALL_ZONE" --origin $SMALL_ORIGIN \
		--count 100000 "$SMALL_ZONE.q"
fi
case " $ZLIST " in *" big "* | *" big-signed "*)
	if [ ! -s "$BIG_ZONE" ] || [ "$PERF/gen_zone.py" -nt "$BIG_ZONE" ]; then
		python3 "$PERF/gen_zone.py" --names "$NAMES" --origin $BIG_ORIGIN "$BIG_ZONE"
	fi
	if [ ! -s "$BIG_ZONE.q" ] || [ "$BIG_ZONE" -nt "$BIG_ZONE.q" ] ||
		[ "$PERF/gen_queries.py" -nt "$BIG_ZONE.q" ]; then
		python3 "$PERF/gen_queries.py" queries --zone "$BIG_ZONE" --origin $BIG_ORIGIN \
			--count 1000000 "$BIG_ZONE.q"
	fi
	;;
esac

# sign_zone ZONEFILE ORIGIN: ZONEFILE signed once (NSEC3, 0 iterations, no
# salt, RFC 9276; algorithm 13; a KSK and a ZSK kept beside it), cached as
# ZONEFILE with .signed before .zone. Signed again when the zone changed or
# when the signatures (30 days by default) are older than 20 days: a
# server must not be measured on expired data.
sign_zone() {
	local z=$1 o=$2 sz=${1%.zone}.signed.zone keys=${1%.zone}.keys
	if [ -s "$sz" ] && [ ! "$z" -nt "$sz" ] && [ -z "$(find "$sz" -mtime +20)" ]; then
		return 0
	fi
	echo "bench_server: signing $z with NSEC3 (0 iterations, no salt), algorithm 13 -> $sz" >&2
	rm -rf "$keys"
	mkdir -p "$keys"
	"$SIGNZONE" -3 -H 0 -K "$keys" -o "$o" -w "$sz.tmp" "$z" >"$sz.log" 2>&1 || {
		echo "bench_server: signzone failed on $z:" >&2
		tail -5 "$sz.log" >&2
		exit 1
	}
	mv "$sz.tmp" "$sz"
}
SMALL_SIGNED=${SMALL_ZONE%.zone}.signed.zone
BIG_SIGNED=${BIG_ZONE%.zone}.signed.zone
case " $ZLIST " in *" small-signed "*) sign_zone "$SMALL_ZONE" $SMALL_ORIGIN ;; esac
case " $ZLIST " in *" big-signed "*) sign_zone "$BIG_ZONE" $BIG_ORIGIN ;; esac

# prio CPU CMD...: runs CMD on CPU in a session (autogroup) of its own with
# the benchmark's weight. It execs: call it in a subshell, `( prio ...)`,
# `$(prio ...)` or `prio ... &`, and the PID ($!) is the command's.
prio() {
	local cpu=$1
	shift
	exec setsid sh -c 'echo "$0" >/proc/self/autogroup 2>/dev/null; exec "$@"' "$NICE" \
		taskset -c "$cpu" "$@"
}

# tree PID: PID and all its descendants (nsd runs as xfrd > main > servers)
tree() {
	local c
	echo "$1"
	for c in $(pgrep -P "$1"); do
		tree "$c"
	done
}

# cpu_ticks PID: user+system clock ticks of PID and its descendants so far
cpu_ticks() {
	local t=0 c
	for c in $(tree "$1"); do
		# fields 14 and 15, counted after the command name, which may
		# hold spaces ("nsd: server 1")
		t=$((t + $(sed 's/.*) //' /proc/$c/stat 2>/dev/null | awk '{s = $12 + $13} END {print s + 0}')))
	done
	echo $t
}
HZ=$(getconf CLK_TCK)

# ---- servers ----
declare -A PID PORT
STARTED=""

free_port() {
	python3 - <<'EOF'
import socket
for _ in range(100):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p))
    except OSError:
        t.close()
        continue
    u.close()
    t.close()
    print(p)
    break
EOF
}

stop() { # name
	local n=$1 p=${PID[$1]:-} all c
	[ -n "$p" ] || return 0
	all=$(tree "$p")
	kill -TERM "$p" 2>/dev/null || true
	for c in $all; do
		for _ in $(seq 100); do
			kill -0 "$c" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$c" 2>/dev/null || true
	done
	wait "$p" 2>/dev/null || true
	PID[$n]=""
}

stop_all() {
	for n in $STARTED; do
		stop "$n"
	done
	STARTED=""
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# write_conf SERVER ZONEFILE ORIGIN PORT DIR
write_conf() {
	local s=$1 z=$2 o=$3 p=$4 d=$5
	mkdir -p "$d"
	case $s in
	signetd)
		cat >"$d/signet.yaml" <<EOF
server:
  listen: [127.0.0.1@$p]
  workers: $WORKERS
  tcp-workers: $WORKERS
  udp-max-payload: 1232
  storage: $d/var
zone:
  - domain: $o
    file: $z
EOF
		;;
	knotd)
		mkdir -p "$d/db"
		cat >"$d/knot.conf" <<EOF
server:
    rundir: "$d"
    listen: 127.0.0.1@$p
    udp-workers: $WORKERS
    tcp-workers: $WORKERS
    background-workers: 1
    udp-max-payload: 1232
log:
  - target: stderr
    any: warning
database:
    storage: "$d/db"
template:
  - id: default
    storage: "$d"
    semantic-checks: off
    journal-content: none
    zonefile-sync: -1
zone:
  - domain: $o
    file: "$z"
EOF
		;;
	nsd)
		# RRL is on by default in NSD (200 qps per source): off, or it
		# would answer a benchmark from one address with truncations.
		cat >"$d/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$p
    server-count: $WORKERS
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$d"
    database: ""
    zonelistfile: "$d/zone.list"
    xfrdfile: "$d/xfrd.state"
    xfrdir: "$d"
    pidfile: "$d/nsd.pid"
    logfile: "$d/nsd.log"
    verbosity: 0
    ipv4-edns-size: 1232
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: $o
    zonefile: "$z"
EOF
		;;
	esac
}

# start SERVER ZONEFILE ORIGIN TAG: starts it pinned to the server core and
# waits for an authoritative answer; sets START_MS.
start() {
	local s=$1 z=$2 o=$3 tag=$4
	local d=$RUN/$tag-$s p
	p=$(free_port)
	write_conf "$s" "$z" "$o" "$p" "$d"
	local cmd
	case $s in
	signetd) cmd=("$SIGNETD" -c "$d/signet.yaml") ;;
	knotd) cmd=(knotd -c "$d/knot.conf") ;;
	nsd) cmd=(nsd -d -c "$d/nsd.conf") ;;
	echo) cmd=("$BIN/echo" -p "$p" -w "$WORKERS") ;;
	esac
	local t0
	t0=$(date +%s%N)
	SN_CLAMP_CPUS=$SCPU LD_PRELOAD=$CLAMP prio "$SCPU" "${cmd[@]}" \
		>"$d/stdout.log" 2>"$d/stderr.log" &
	PID[$s]=$!
	PORT[$s]=$p
	STARTED="$STARTED $s"
	local r any=()
	[ "$s" = echo ] && any=(-a)
	r=$(prio "$LCPU" "$LOADGEN" -p "$p" -P "$o" -l 600 "${any[@]}") || {
		echo "bench_server: $s did not answer for $o; see $d/stderr.log" >&2
		tail -5 "$d/stderr.log" >&2
		exit 1
	}
	local t1=${r#*answered_at_ns=}
	t1=${t1%% *}
	START_MS=$(((t1 - t0) / 1000000))
	check_pinned "$s"
}

# Every thread of the server (and of its children, for nsd) must be allowed
# on the server core only, or the comparison is void.
check_pinned() {
	local s=$1 p=${PID[$1]} t bad=""
	for t in $(tree "$p" | sed 's|^|/proc/|; s|$|/task/*|'); do
		[ -r "$t/status" ] || continue
		local c
		c=$(awk '/^Cpus_allowed_list/ {print $2}' "$t/status")
		[ "$c" = "$SCPU" ] || bad="$bad ${t##*/}:$c"
	done
	if [ -n "$bad" ]; then
		echo "bench_server: $s has threads off core $SCPU:$bad" >&2
		exit 1
	fi
}

# Resident memory of a server after load: the largest VmRSS among its
# processes, and the proportional set size of all of them (nsd forks
# processes that share the zone copy-on-write; PSS counts each page once).
mem_of() {
	local rss=0 pss=0 c v
	for c in $(tree "${PID[$1]}"); do
		v=$(awk '/^VmRSS/ {print $2}' /proc/$c/status 2>/dev/null || echo 0)
		[ "${v:-0}" -gt "$rss" ] && rss=$v
		pss=$((pss + $(awk '/^Pss:/ {print $2}' /proc/$c/smaps_rollup 2>/dev/null || echo 0)))
	done
	echo "$((rss / 1024)) $((pss / 1024))"
}

# load TARGET PROTO QFILE OUTFILE [DO]: DO=1 sets the DO bit (RFC 3225)
load() {
	local s=$1 proto=$2 q=$3 f=$4 args=()
	[ "$proto" = tcp ] && args=(-T -c 16 -k 16)
	[ "${5:-0}" = 1 ] && args+=(-D)
	local c0 c1 t0 t1
	c0=$(cpu_ticks "${PID[$s]}")
	t0=$(date +%s%N)
	(prio "$LCPU" "$LOADGEN" -p "${PORT[$s]}" -d "$q" -l "$DUR" -W 1 "${args[@]}" \
		>"$f" 2>>"$RUN/loadgen.log")
	t1=$(date +%s%N)
	c1=$(cpu_ticks "${PID[$s]}")
	# the server's CPU use over the run: near 100% means it was the bottleneck
	echo "srv_cpu_pct=$(((c1 - c0) * 100000000000 / HZ / (t1 - t0)))" >>"$f"
}

# check_proofs TAG QFILE: asks every server the same sample of the queries
# with DO=1 through kdig and checks that the answers carry the DNSSEC
# records an authoritative server owes (RFC 4035 3.1, RFC 5155 7.2): an
# RRSIG over every answer RRset, signed NSEC3 records for NXDOMAIN, NODATA
# and wildcard answers, a signed DS or NSEC3 in referrals, and the DO bit
# echoed. A server that fails stops the benchmark: answering without the
# proofs is cheaper and would look fast. Prints what each server sent, the
# median response size, and the answers that differ from knotd's in rcode
# or in the types of the answer and authority sections.
PROOF_SAMPLE=50
check_proofs() {
	local tag=$1 q=$2 s names
	names=$(grep -v '^[;#]' "$q" | awk -v n=$PROOF_SAMPLE 'NF == 2 {l[c++] = $0}
		END {for (i = 0; i < n && i < c; i++) print l[int(i * c / n)]}')
	for s in $SERVERS; do
		# one query per name and type; word splitting is wanted
		# shellcheck disable=SC2086
		kdig @127.0.0.1 -p "${PORT[$s]}" +dnssec +bufsize=1232 +norec +notcp +retry=2 \
			+timeout=2 $names >"$RUN/$tag-$s.proofs" 2>&1 || true
	done
	python3 - "$RUN" "$tag" "$SERVERS" "$(echo "$names" | grep -c .)" <<'EOF'
import statistics, sys
run, tag, servers = sys.argv[1], sys.argv[2], sys.argv[3].split()

def parse(path):
    """kdig's text output: one dict per answer, in query order."""
    out, cur, sect = [], None, None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith(";; ->>HEADER<<-"):
            cur = {"status": line.split("status: ")[1].split(";")[0], "flags": set(),
                   "do": False, "q": None, "size": None,
                   "answer": [], "authority": [], "additional": []}
            out.append(cur)
            sect = None
        elif cur is None:
            continue
        elif line.startswith(";; Flags:"):
            cur["flags"] = set(line[9:].split(";")[0].split())
        elif line.startswith(";; Version:"):
            cur["do"] = "do" in line.split("flags:")[1].split(";")[0].split()
        elif line.startswith(";; QUESTION SECTION:"):
            sect = "question"
        elif line.startswith(";; ANSWER SECTION:"):
            sect = "answer"
        elif line.startswith(";; AUTHORITY SECTION:"):
            sect = "authority"
        elif line.startswith(";; ADDITIONAL SECTION:"):
            sect = "additional"
        elif line.startswith(";; Received "):
            cur["size"] = int(line.split()[2])
        elif sect == "question" and line.startswith(";; "):
            f = line[3:].split()
            cur["q"] = (f[0].lower(), f[-1])
        elif line and not line.startswith(";") and sect in ("answer", "authority", "additional"):
            f = line.split()
            if len(f) >= 4:
                cur[sect].append({"owner": f[0].lower(), "type": f[3], "rdata": f[4:]})
    return out

def kinds(rrs):
    """Sorted types of a section, RRSIGs named by the type they cover."""
    return tuple(sorted(r["type"] + ("(" + r["rdata"][0] + ")" if r["type"] == "RRSIG" and r["rdata"] else "")
                        for r in rrs))

def types(rrs):
    return {r["type"] for r in rrs}

def covered(rrs):
    return {r["rdata"][0] for r in rrs if r["type"] == "RRSIG" and r["rdata"]}

def problems(a):
    """What the answer lacks (RFC 4035 3.1, RFC 5155 7.2), and its kind."""
    p = []
    ans, auth = a["answer"], a["authority"]
    if "tc" in a["flags"]:
        p.append("truncated")
    if not a["do"]:
        p.append("DO bit not echoed (RFC 3225 3)")
    if a["status"] not in ("NOERROR", "NXDOMAIN"):
        p.append("rcode " + a["status"])
        return p, "other"
    nsec3 = "NSEC3" in types(auth) and "NSEC3" in covered(auth)
    if a["status"] == "NXDOMAIN":
        kind = "nxdomain"
        n = len({r["owner"] for r in auth if r["type"] == "NSEC3"})
        if n < 2 or not nsec3 or "SOA" not in covered(auth):
            p.append(f"NXDOMAIN with {n} NSEC3 and RRSIGs over {sorted(covered(auth))} (RFC 5155 7.2.2)")
    elif "aa" not in a["flags"]:
        kind = "referral"
        if not (("DS" in types(auth) and "DS" in covered(auth)) or nsec3):
            p.append("referral without a signed DS or NSEC3 (RFC 5155 7.2.7)")
    elif not ans:
        kind = "nodata"
        if not nsec3:
            p.append("NODATA without a signed NSEC3 (RFC 5155 7.2.3)")
    else:
        kind = "answer"
        missing = types(ans) - {"RRSIG"} - covered(ans)
        if missing:
            p.append(f"answer RRsets {sorted(missing)} without RRSIG (RFC 4035 3.1.1)")
        # an RRSIG whose labels field is below its owner's label count
        # signs a wildcard expansion (RFC 4035 5.3.2)
        for r in ans:
            if r["type"] == "RRSIG" and len(r["rdata"]) > 2 and r["rdata"][2].isdigit() and \
                    int(r["rdata"][2]) < len(r["owner"].rstrip(".").split(".")):
                kind = "wildcard"
        if kind == "wildcard" and not nsec3:
            p.append("wildcard answer without a signed NSEC3 for the next closer name (RFC 5155 7.2.6)")
    return p, kind

res = {s: parse(f"{run}/{tag}-{s}.proofs") for s in servers}
sent = int(sys.argv[4])
bad = False
print(f"\nDNSSEC check ({tag}): {sent} queries with DO=1 (EDNS 1232) sampled evenly from the query file, through kdig")
print("  server    answers  positive wildcard nxdomain nodata referral  RRSIG  NSEC3  size B median (min-max)  problems")
for s in servers:
    ans = res[s]
    count = {"answer": 0, "wildcard": 0, "nxdomain": 0, "nodata": 0, "referral": 0, "other": 0}
    probs = []
    for a in ans:
        p, kind = problems(a)
        count[kind] += 1
        probs += [f"{a['q'][0] if a['q'] else '?'} {a['q'][1] if a['q'] else ''}: {x}" for x in p]
    rrsig = sum(1 for a in ans for sec in ("answer", "authority") for r in a[sec] if r["type"] == "RRSIG")
    nsec3 = sum(1 for a in ans for r in a["authority"] if r["type"] == "NSEC3")
    sizes = [a["size"] for a in ans if a["size"] is not None]
    size = f"{statistics.median(sizes):.0f} ({min(sizes)}-{max(sizes)})" if sizes else "-"
    if len(ans) < sent:
        probs.append(f"{sent - len(ans)} of {sent} queries without an answer")
    print(f"  {s:8} {len(ans):8} {count['answer']:9} {count['wildcard']:8} {count['nxdomain']:8}"
          f" {count['nodata']:6} {count['referral']:8} {rrsig:6} {nsec3:6}  {size:>22}  {len(probs)}")
    for x in probs[:5]:
        print(f"    {s}: {x}")
    if probs:
        bad = True
ref = {a["q"]: a for a in res.get("knotd", [])}
for s in servers:
    if s == "knotd" or not ref:
        continue
    diff = []
    for a in res[s]:
        k = ref.get(a["q"])
        if k is None:
            continue
        mine = (a["status"], kinds(a["answer"]), kinds(a["authority"]))
        theirs = (k["status"], kinds(k["answer"]), kinds(k["authority"]))
        if mine != theirs:
            diff.append(f"{a['q'][0]} {a['q'][1]}: {s} {mine} knotd {theirs}")
    print(f"  {s} against knotd: {len(res[s]) - len(diff)} of {len(res[s])} answers alike"
          " in rcode and in the types of the answer and authority sections")
    for x in diff[:3]:
        print(f"    {x}")
sys.stdout.flush()
if bad:
    print("bench_server: a server answered without the proofs DO=1 asks for: no benchmark",
          file=sys.stderr)
    sys.exit(1)
EOF
}

report() { # zone-tag title
	python3 - "$RUN" "$1" "$2" "$REPS" <<'EOF'
import glob, os, statistics, sys
run, tag, title, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def kv(path):
    d = {}
    with open(path) as f:
        for line in f:
            d.update(x.split("=", 1) for x in line.split() if "=" in x)
    return d
for proto in ("udp", "tcp"):
    rows = {}
    for s in ("echo", "signetd", "knotd", "nsd"):
        runs = [kv(p) for p in sorted(glob.glob(f"{run}/{tag}-{proto}-{s}-*.kv"))]
        runs = [r for r in runs if "qps" in r]
        if runs:
            rows[s] = runs
    if not rows:
        continue
    med = lambda runs, k: statistics.median(float(r[k]) for r in runs)
    # server CPU time per answer: the CPU share the machine gave a run
    # cancels out of it
    cost = lambda runs: statistics.median(
        float(r["srv_cpu_pct"]) * 1e4 / max(1.0, float(r["qps"])) for r in runs)
    echo = med(rows["echo"], "qps") if "echo" in rows else 0
    print(f"\n{title}, {proto.upper()}: medians of {reps} runs")
    if echo:
        e = rows["echo"]
        print(f"  echo ceiling: {echo:,.0f} qps (echo cpu {med(e, 'srv_cpu_pct'):.0f}%, "
              f"{cost(e):.2f} us/answer; loadgen cpu {med(e, 'cpu_pct'):.0f}%)")
    else:
        print("  echo ceiling: not measured")
    print("  server        qps  /echo  loss%  p50us  p99us  NOERR%  NXDOM%  other%  srv-cpu%  us/ans  lg-cpu%  runs (qps)")
    for s, runs in rows.items():
        if s == "echo":
            continue
        q = med(runs, "qps")
        recv = sum(float(r["recv"]) for r in runs) or 1
        pct = lambda k: 100 * sum(float(r[k]) for r in runs) / recv
        other = max(0.0, 100 - pct("noerror") - pct("nxdomain"))
        print(f"  {s:8} {q:10,.0f}  {q / echo if echo else 0:5.2f}  {med(runs, 'lost_pct'):5.2f}"
              f" {med(runs, 'p50_us'):6.0f} {med(runs, 'p99_us'):6.0f}  {pct('noerror'):6.2f}"
              f"  {pct('nxdomain'):6.2f}  {other:6.2f}  {med(runs, 'srv_cpu_pct'):8.0f}"
              f"  {cost(runs):6.2f}  {med(runs, 'cpu_pct'):7.0f}"
              f"  {' '.join(str(round(float(r['qps']))) for r in runs)}")
        bad = sum(int(r["qmismatch"]) + int(r["malformed"]) for r in runs)
        if bad:
            print(f"  {s}: {bad} answers with a wrong question or malformed")
    if "signetd" in rows:
        sq = med(rows["signetd"], "qps")
        parts = [f"signet/{s} {sq / med(rows[s], 'qps'):.2f}x" for s in ("knotd", "nsd") if s in rows]
        cparts = [f"{s} {cost(rows[s]) / cost(rows['signetd']):.2f}x" for s in ("knotd", "nsd")
                  if s in rows and cost(rows["signetd"]) > 0]
        print("  ratios: " + "  ".join(parts) + (f"   (echo ceiling {echo:,.0f} qps)" if echo else ""))
        if cparts:
            print("  CPU per answer, relative to signetd: " + "  ".join(cparts))
    # Servers answering the same queries must agree on the rcode mix.
    mixes = {s: (100 * sum(float(r['nxdomain']) for r in runs) / max(1, sum(float(r['recv']) for r in runs)))
             for s, runs in rows.items() if s != "echo"}
    if mixes and max(mixes.values()) - min(mixes.values()) > 1:
        print("  WARNING: the servers disagree on the NXDOMAIN share: " +
              ", ".join(f"{s} {v:.1f}%" for s, v in mixes.items()))
EOF
}

echo "bench_server: signetd $SIGNETD; knotd $(knotd -V | awk '{print $NF}'); nsd $(nsd -v 2>&1 | awk 'NR==1 {print $NF}')"
echo "bench_server: servers on core $SCPU ($WORKERS UDP + $WORKERS TCP workers each), load on core $LCPU;" \
	"$DUR s per run after 1 s warm-up, $REPS runs each, servers taking turns; results in $RUN"
echo "bench_server: UDP: loadgen keeps 256 queries in flight on 4 sockets; TCP: 16 connections x 16 in flight"

SERVERS="signetd knotd nsd"

bench_zone() { # tag zonefile origin title qfile [DO]
	local tag=$1 z=$2 o=$3 title=$4 q=$5 dobit=${6:-0} s proto rep
	declare -gA STARTMS MEM
	for s in echo $SERVERS; do
		start "$s" "$z" "$o" "$tag"
		STARTMS[$s]=$START_MS
	done
	if [ "$dobit" = 1 ]; then
		check_proofs "$tag" "$q"
	fi
	for proto in $PLIST; do
		for rep in $(seq "$REPS"); do
			# servers take turns, starting with a different one each time
			local order
			order=$(echo echo $SERVERS $SERVERS | awk -v r="$rep" '{n = (NF - 1) / 2; printf "%s", $1; for (i = 0; i < n; i++) printf " %s", $(2 + (r - 1 + i) % n)}')
			for s in $order; do
				load "$s" "$proto" "$q" "$RUN/$tag-$proto-$s-$rep.kv" "$dobit"
				printf '  %s %s %s run %s: %s\n' "$tag" "$proto" "$s" "$rep" \
					"$(tail -1 "$RUN/loadgen.log" | sed 's/^loadgen //')" >&2
			done
		done
	done
	for s in $SERVERS; do
		MEM[$s]=$(mem_of "$s")
	done
	if [ "$tag" = small ] && [ "$DNSPERF" = yes ] && command -v dnsperf >/dev/null; then
		for s in echo signetd; do
			local r
			r=$(prio "$LCPU" dnsperf -s 127.0.0.1 -p "${PORT[$s]}" -d "$q" -l "$DUR" \
				-c 4 -q 256 -T 1 2>&1 | awk '/Queries per second/ {printf "%.0f", $4}')
			DNSPERF_QPS[$s]=$r
		done
	fi
	stop_all
	# signetd's store holds a copy of the zone (640 MB for the signed 1M
	# zone): not a result, and every run would keep one
	rm -rf "$RUN/$tag-signetd/var"
	report "$tag" "$title"
	if [ "$tag" = big ] || [ "$tag" = big-signed ]; then
		echo
		echo "$title: start (exec to first authoritative answer, probed every 10 ms) and memory after load"
		echo "  server     start_s  RSS_MB(largest process)  PSS_MB(all processes)"
		for s in $SERVERS; do
			set -- ${MEM[$s]}
			printf '  %-8s %8.1f  %23s  %21s\n' "$s" "$(echo "${STARTMS[$s]}" | awk '{print $1 / 1000}')" "$1" "$2"
		done
	fi
}

declare -A DNSPERF_QPS
for z in $ZLIST; do
	case $z in
	small)
		bench_zone small "$SMALL_ZONE" $SMALL_ORIGIN \
			"small zone ($SMALL_ORIGIN, $(grep -c . "$SMALL_ZONE") lines)" "$SMALL_ZONE.q"
		;;
	big)
		bench_zone big "$BIG_ZONE" $BIG_ORIGIN "big zone ($BIG_ORIGIN, $NAMES names)" \
			"$BIG_ZONE.q"
		;;
	small-signed)
		bench_zone small-signed "$SMALL_SIGNED" $SMALL_ORIGIN \
			"small zone signed ($SMALL_ORIGIN, NSEC3, alg 13, presigned), DO=1" \
			"$SMALL_ZONE.q" 1
		;;
	big-signed)
		bench_zone big-signed "$BIG_SIGNED" $BIG_ORIGIN \
			"big zone signed ($BIG_ORIGIN, $NAMES names, NSEC3, alg 13, presigned), DO=1" \
			"$BIG_ZONE.q" 1
		;;
	esac
done
if [ -n "${DNSPERF_QPS[echo]:-}" ]; then
	echo
	echo "dnsperf (1 thread, 4 sockets, 256 in flight, core $LCPU) on the small zone, UDP:" \
		"echo ${DNSPERF_QPS[echo]} qps, signetd ${DNSPERF_QPS[signetd]} qps"
	echo "  dnsperf stops near the same rate against both: it is the bottleneck, so it is not used for ratios."
fi
