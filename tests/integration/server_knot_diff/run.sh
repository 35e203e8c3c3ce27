#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - differential test: signetd and knotd serve the same zone files
# and must give the same answers.
#
# Both servers run on loopback on ports of their own, knotd with a minimal
# knot.conf whose rundir and storage are in the scratch dir. diff.py
# generates a corpus of queries from the zones, asks both servers over UDP
# and TCP, and compares RCODE, AA, TC, OPT presence and every section as a
# set of records (TTL included). Differences listed in diff.py's ALLOWED
# table (both answers right, with the RFC reason) or KNOWN_BUGS table (signet
# wrong, bug named) are printed and accepted; any other fails.
#
# Prints one TAP-style line per query category and transport, then every
# difference as a comment; exits 1 on an unexpected difference, 77 if a tool
# is missing. SN_KEEP=1 keeps the scratch dir (logs, knot.conf).
set -eu

. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
sn_init server_knot_diff
sn_need knotd dig named-checkzone python3
SIGNETD=$(sn_prog signetd)
HERE=$top_srcdir/tests/integration/server_knot_diff
T=$SN_TMP
SPORT=$(sn_pick_port)
KPORT=$(sn_pick_port)
while [ "$KPORT" = "$SPORT" ]; do
	KPORT=$(sn_pick_port)
done

cp "$top_srcdir"/tests/integration/server_answers/zones/*.zone "$HERE"/zones/*.zone "$T/"
ZONES="example.com. child.example.com. example.org. diff.test. wild.test."

# Identity, version and NSID alike, so the CH TXT and NSID answers compare.
{
	cat <<EOF
server:
  listen: [127.0.0.1@$SPORT]
  workers: 1
  tcp-workers: 1
  storage: $T
  identity: ns.diff.test
  version: diff-1.0
  nsid: diff-nsid
zone:
EOF
	for z in $ZONES; do
		printf '  - domain: %s\n    file: %szone\n' "$z" "$z"
	done
} >"$T/signet.yaml"

# knotd: no journal, no zone-file write-back, no DNSSEC, no extra semantic
# checks; answer-rotation stays off (its default) so RRset order is stable.
mkdir -p "$T/knot/db"
{
	cat <<EOF
server:
  rundir: $T/knot
  listen: 127.0.0.1@$KPORT
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
  identity: ns.diff.test
  version: diff-1.0
  nsid: diff-nsid
  udp-max-payload: 1232
database:
  storage: $T/knot/db
log:
  - target: stderr
    any: notice
template:
  - id: default
    storage: $T
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
EOF
	for z in $ZONES; do
		printf '  - domain: %s\n' "$z"
	done
} >"$T/knot.conf"

"$SIGNETD" -c "$T/signet.yaml" >"$T/signetd.log" 2>&1 &
SPID=$!
sn_track $SPID
knotd -c "$T/knot.conf" >"$T/knotd.log" 2>&1 &
KPID=$!
sn_track $KPID
if ! sn_wait_port "$SPORT" 10; then
	sn_not_ok "signetd starts" "not listening on $SPORT" "$T/signetd.log"
	sn_finish
fi
if ! sn_wait_port "$KPORT" 10; then
	sn_not_ok "knotd starts" "not listening on $KPORT" "$T/knotd.log"
	sn_finish
fi
# knotd listens before its zones are loaded: wait for the last one
for _ in $(seq 50); do
	if dig @127.0.0.1 -p "$KPORT" +short +tries=1 +time=1 example.org SOA | grep -q .; then
		break
	fi
	sleep 0.1
done
sn_ok "signetd on $SPORT and knotd on $KPORT serve the zones"

args=""
for z in $ZONES; do
	args="$args $T/${z}zone:$z"
done
# shellcheck disable=SC2086
python3 "$HERE/diff.py" "$SPORT" "$KPORT" $args >"$T/results" 2>"$T/diffs" || :
if ! grep -q '^INFO' "$T/results"; then
	sn_not_ok "diff.py runs" "it failed" "$T/diffs"
fi
while IFS=$'\t' read -r st name why; do
	case $st in
	PASS) sn_ok "$name" ;;
	FAIL) sn_not_ok "$name" "$why" ;;
	XFAIL) sn_ok "$name # TODO $why" ;;
	XPASS) sn_not_ok "$name" "no longer seen: remove it from KNOWN_BUGS in diff.py" ;;
	INFO) echo "# $name" ;;
	esac
done <"$T/results"
if [ -s "$T/diffs" ]; then
	echo "# differences (ALLOWED ones carry their reason in diff.py):"
	sed 's/^/#   /' "$T/diffs"
fi
# Stop both and wait, so that knotd is not still writing in the scratch dir
# while it is removed.
kill "$SPID" "$KPID" 2>/dev/null || :
wait "$SPID" "$KPID" 2>/dev/null || :
# A build with --enable-sanitizers reports into the log: none may appear.
if grep -q -E "runtime error|AddressSanitizer|LeakSanitizer|ThreadSanitizer" "$T/signetd.log"; then
	sn_not_ok "no sanitizer report in the signetd log" "see the log" "$T/signetd.log"
else
	sn_ok "no sanitizer report in the signetd log"
fi
sn_finish
