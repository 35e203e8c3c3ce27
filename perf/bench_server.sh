#!/bin/bash
# SPDX-License-Identifier: MIT
# bench_server.sh - signetd against knotd and nsd on the same zones, same
# thread count, same core, same load; prints medians and ratios.
#
# usage: perf/bench_server.sh [-d SECONDS] [-r REPS] [-w WORKERS] [-n NAMES]
#                             [-z small|big|both] [-p udp|tcp|both] [-S SIGNETD]
#                             [-c SERVER_CPU,LOAD_CPU] [-N NICE] [-k]
#   -d  seconds measured per run (10), after 1 s of warm-up
#   -r  repetitions (3); servers take turns, the median is printed
#   -w  UDP workers of each server, and TCP workers (1: one core)
#   -n  names in the big zone (1000000)
#   -z  which zones (both);  -p  which transports (both)
#   -S  the signetd binary (default: ./signetd, or $SIGNETD)
#   -c  cores for the servers and for the load generator (0,1)
#   -N  scheduling weight of the benchmark's processes, as a nice value (-15)
#   -k  skip the dnsperf check
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
CPUS=0,1
DNSPERF=yes
NICE=-15

while getopts d:r:w:n:z:p:S:c:N:kh opt; do
	case $opt in
	d) DUR=$OPTARG ;;
	r) REPS=$OPTARG ;;
	w) WORKERS=$OPTARG ;;
	n) NAMES=$OPTARG ;;
	z) ZONES=$OPTARG ;;
	p) PROTOS=$OPTARG ;;
	S) SIGNETD=$OPTARG ;;
	c) CPUS=$OPTARG ;;
	N) NICE=$OPTARG ;;
	k) DNSPERF=no ;;
	h) sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
SCPU=${CPUS%,*}
LCPU=${CPUS#*,}
case $ZONES in small) ZLIST="small" ;; big) ZLIST="big" ;; both) ZLIST="small big" ;; *) echo "bad -z" >&2; exit 2 ;; esac
case $PROTOS in udp) PLIST="udp" ;; tcp) PLIST="tcp" ;; both) PLIST="udp tcp" ;; *) echo "bad -p" >&2; exit 2 ;; esac

if [ ! -x "$SIGNETD" ]; then
	echo "bench_server: no signetd at $SIGNETD (run from the build folder, or -S PATH)" >&2
	exit 2
fi
SIGNETD=$(cd "$(dirname "$SIGNETD")" && pwd)/$(basename "$SIGNETD")
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
case " $ZLIST " in *" big "*)
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

# load TARGET PROTO QFILE OUTFILE
load() {
	local s=$1 proto=$2 q=$3 f=$4 args=()
	[ "$proto" = tcp ] && args=(-T -c 16 -k 16)
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

bench_zone() { # tag zonefile origin title
	local tag=$1 z=$2 o=$3 title=$4 s proto rep
	declare -gA STARTMS MEM
	for s in echo $SERVERS; do
		start "$s" "$z" "$o" "$tag"
		STARTMS[$s]=$START_MS
	done
	for proto in $PLIST; do
		local q=$z.q
		for rep in $(seq "$REPS"); do
			# servers take turns, starting with a different one each time
			local order
			order=$(echo echo $SERVERS $SERVERS | awk -v r="$rep" '{n = (NF - 1) / 2; printf "%s", $1; for (i = 0; i < n; i++) printf " %s", $(2 + (r - 1 + i) % n)}')
			for s in $order; do
				load "$s" "$proto" "$q" "$RUN/$tag-$proto-$s-$rep.kv"
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
			r=$(prio "$LCPU" dnsperf -s 127.0.0.1 -p "${PORT[$s]}" -d "$z.q" -l "$DUR" \
				-c 4 -q 256 -T 1 2>&1 | awk '/Queries per second/ {printf "%.0f", $4}')
			DNSPERF_QPS[$s]=$r
		done
	fi
	stop_all
	report "$tag" "$title"
	if [ "$tag" = big ]; then
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
	if [ "$z" = small ]; then
		bench_zone small "$SMALL_ZONE" $SMALL_ORIGIN \
			"small zone ($SMALL_ORIGIN, $(grep -c . "$SMALL_ZONE") lines)"
	else
		bench_zone big "$BIG_ZONE" $BIG_ORIGIN "big zone ($BIG_ORIGIN, $NAMES names)"
	fi
done
if [ -n "${DNSPERF_QPS[echo]:-}" ]; then
	echo
	echo "dnsperf (1 thread, 4 sockets, 256 in flight, core $LCPU) on the small zone, UDP:" \
		"echo ${DNSPERF_QPS[echo]} qps, signetd ${DNSPERF_QPS[signetd]} qps"
	echo "  dnsperf stops near the same rate against both: it is the bottleneck, so it is not used for ratios."
fi
