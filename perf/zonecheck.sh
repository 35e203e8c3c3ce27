#!/bin/bash
# SPDX-License-Identifier: MIT
# zonecheck.sh - signetc zone-check against kzonecheck on a 1,000,000-name zone.
#
# Usage: perf/zonecheck.sh [-n RUNS] [-c CPU] [-s SIGNETC] [-z NAMES] [-B]
#   -n RUNS    timed runs of each tool (default 5)
#   -c CPU     the CPU both tools are pinned to (default: the last one)
#   -s SIGNETC the signetc binary (default: $SIGNETC, else ./signetc, else
#              $top_builddir/signetc)
#   -z NAMES   names in the generated zone (default 1000000)
#   -B         skip the single named-checkzone reference run
#
# The zone is generated once by gen_zone.py and cached in perf/out/. Both
# tools must accept it (exit 0) before anything is timed. Then they run
# alternately, RUNS times each, on the same CPU, under /usr/bin/time for the
# wall time and the peak resident set; the table gives median, min and max.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
runs=5
cpu=""
names=1000000
bind_ref=yes
signetc=${SIGNETC:-}
origin=perf.example.

usage() {
	sed -n '3,10s/^# \{0,1\}//p' "$0" >&2
	exit 2
}
while getopts n:c:s:z:Bh opt; do
	case $opt in
	n) runs=$OPTARG ;;
	c) cpu=$OPTARG ;;
	s) signetc=$OPTARG ;;
	z) names=$OPTARG ;;
	B) bind_ref="" ;;
	*) usage ;;
	esac
done
case $runs in '' | *[!0-9]* | 0) echo "zonecheck: -n wants a positive count" >&2; exit 2 ;; esac
case $names in '' | *[!0-9]* | 0) echo "zonecheck: -z wants a positive count" >&2; exit 2 ;; esac

die() {
	echo "zonecheck: $*" >&2
	exit 1
}
for t in kzonecheck taskset python3 timeout; do
	command -v "$t" >/dev/null || die "needs $t (scripts/install-deps.sh installs it)"
done
[ -x /usr/bin/time ] || die "needs GNU time as /usr/bin/time (package time)"
if [ -z "$signetc" ]; then
	for c in ./signetc "${top_builddir:-.}/signetc"; do
		if [ -x "$c" ]; then
			signetc=$c
			break
		fi
	done
fi
[ -n "$signetc" ] && [ -x "$signetc" ] || die "signetc not found: build it and give -s PATH"
signetc=$(cd "$(dirname "$signetc")" && pwd)/$(basename "$signetc")
if [ -z "$cpu" ]; then
	cpu=$(($(nproc) - 1))
fi

out=$here/out
mkdir -p "$out"
zone=$out/zone-$names.zone
if [ ! -s "$zone" ] || [ ! -s "$zone.count" ]; then
	echo "zonecheck: generating $zone (once; cached)"
	python3 "$here/gen_zone.py" --names "$names" --origin "$origin" "$zone.tmp"
	mv "$zone.tmp.count" "$zone.count"
	mv "$zone.tmp" "$zone"
fi
records=$(cat "$zone.count")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run TOOL: one pinned, timed run; appends "wall-s KiB user-s sys-s" to
# $tmp/TOOL.
# A failing run stops the benchmark: a time for a refused zone means nothing.
run() {
	case $1 in
	signet) set -- "$1" "$signetc" zone-check --origin "$origin" "$zone" ;;
	kzonecheck) set -- "$1" kzonecheck -o "$origin" "$zone" ;;
	named-checkzone) set -- "$1" timeout 300 named-checkzone -q "$origin" "$zone" ;;
	esac
	tool=$1
	shift
	rc=0
	taskset -c "$cpu" /usr/bin/time -f '%e %M %U %S' -o "$tmp/last" "$@" >"$tmp/$tool.out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "zonecheck: $tool failed (exit $rc) on $zone: $*" >&2
		head -n 20 "$tmp/$tool.out" >&2
		return 1
	fi
	tail -n 1 "$tmp/last" >>"$tmp/$tool"
}

echo "zonecheck: $zone: $names names, $records records"
echo "zonecheck: both tools pinned to CPU $cpu (taskset -c $cpu) of $(nproc); $runs runs each, alternating"
echo "zonecheck: signetc = $signetc"
echo "zonecheck: kzonecheck = $(command -v kzonecheck) ($(kzonecheck -V 2>&1 | head -n 1))"
# First, each must accept the zone; this also warms the page cache.
for t in signet kzonecheck; do
	run "$t" || exit 1
	: >"$tmp/$t"
done
for i in $(seq 1 "$runs"); do
	run signet || exit 1
	run kzonecheck || exit 1
	printf 'zonecheck: run %d/%d: signet %s s, kzonecheck %s s\n' "$i" "$runs" \
		"$(tail -n 1 "$tmp/signet" | cut -d' ' -f1)" "$(tail -n 1 "$tmp/kzonecheck" | cut -d' ' -f1)"
done
# named-checkzone, once, as a third reference (BIND is much slower).
if [ -n "$bind_ref" ] && command -v named-checkzone >/dev/null; then
	run named-checkzone || echo "zonecheck: named-checkzone reference left out (failed or over 300 s)"
fi

python3 - "$tmp" "$records" <<'EOF'
import os, statistics, sys
tmp, records = sys.argv[1], int(sys.argv[2])
rows = {}
for tool in ("signet", "kzonecheck", "named-checkzone"):
    p = os.path.join(tmp, tool)
    if not os.path.exists(p):
        continue
    runs = [[float(x) for x in l.split()] for l in open(p) if l.strip()]
    wall = [r[0] for r in runs]
    rss = [r[1] / 1024 for r in runs]
    cpu = [r[2] + r[3] for r in runs]
    rows[tool] = dict(n=len(runs), med=statistics.median(wall), lo=min(wall), hi=max(wall),
                      cpu=statistics.median(cpu), rss=statistics.median(rss))
print()
print(f"{'tool':<16} {'runs':>4} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7}"
      f" {'records/s':>11} {'peak RSS MiB':>13}")
for tool, r in rows.items():
    rps = records / r["med"] if r["med"] > 0 else float("inf")
    print(f"{tool:<16} {r['n']:>4} {r['med']:>9.2f} {r['lo']:>7.2f} {r['hi']:>7.2f} {r['cpu']:>7.2f}"
          f" {rps:>11,.0f} {r['rss']:>13.1f}")
s, k = rows["signet"], rows["kzonecheck"]
print()
print("(median s: wall time; cpu s: median user+sys, which other load on the machine")
print(" disturbs less; records/s from the median wall time; RSS: median of peaks)")
print(f"time ratio   kzonecheck / signet = {k['med'] / s['med']:.2f} wall, "
      f"{k['cpu'] / max(s['cpu'], 0.01):.2f} cpu  (>= 1.0: signet at least as fast)")
print(f"memory ratio kzonecheck / signet = {k['rss'] / s['rss']:.2f}  (>= 1.0: signet uses no more memory)")
EOF
