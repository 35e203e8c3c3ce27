#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - signetc against a control socket: outputs, --json, exit codes.
#
# ctl_fake (built beside this script) serves the control protocol with
# fixed data through the real ctl_server, so every value signetc prints is
# known here. Checked: the human output and --json (read back with Python's
# json module) of every command; the zone and paths as the daemon receives
# them (normalised, made absolute); the daemon's refusals (exit 1); usage
# errors (exit 2); and exit 3 when there is no daemon, when it answers with
# something that is not the protocol, and when it does not answer. Also: the
# socket is made 0600, a second daemon on a live socket is refused, finding
# the socket from -c, $SIGNET_SOCKET and $SIGNET_CONF, and `stop`.
#
# Prints one TAP-style line per check and a summary; exits 1 if any failed,
# 77 if a tool is missing. SN_KEEP=1 keeps the scratch dir.
set -eu

. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
sn_init ctl
sn_need python3
SIGNETC=$(sn_prog signetc)
FAKE=$(sn_prog tests/integration/ctl/ctl_fake)
T=$SN_TMP
S=$T/s.sock
unset SIGNET_SOCKET SIGNET_CONF

# start_fake MODE SOCKET: starts ctl_fake, waits for its "ready".
start_fake() {
	"$FAKE" "$1" "$2" >"$T/fake-$1.out" 2>>"$T/fake-$1.log" &
	FAKE_PID=$!
	sn_track $FAKE_PID
	for _ in $(seq 100); do
		grep -q ready "$T/fake-$1.out" 2>/dev/null && return 0
		kill -0 $FAKE_PID 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# run NAME WANT_EXIT signetc-args...: runs signetc in $T, keeps out/err.
run() {
	name=$1
	want=$2
	shift 2
	set +e
	(cd "$T" && "$SIGNETC" "$@") >"$T/out" 2>"$T/err"
	got=$?
	set -e
	if [ "$got" -ne "$want" ]; then
		cat "$T/out" "$T/err" >"$T/detail"
		sn_not_ok "$name" "exit $got, expected $want" "$T/detail"
		return 1
	fi
	return 0
}

# has NAME FILE LINE: FILE holds LINE exactly.
has() {
	if grep -qxF -- "$3" "$2"; then
		sn_ok "$1"
	else
		{ echo "wanted: $3"; cat "$2"; } >"$T/detail"
		sn_not_ok "$1" "line missing" "$T/detail"
	fi
}

# json NAME PYTHON-EXPR: evaluates EXPR with d = the JSON on stdout.
json() {
	if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$T/out" "$2" 2>"$T/pyerr"; then
		sn_ok "$1"
	else
		cat "$T/pyerr" "$T/out" >"$T/detail"
		sn_not_ok "$1" "$2 does not hold" "$T/detail"
	fi
}

start_fake serve "$S" || { sn_not_ok "fake daemon starts" "see $T/fake-serve.log"; sn_finish; }
S_PID=$FAKE_PID

mode=$(stat -c %a "$S")
if [ -S "$S" ] && [ "$mode" = 600 ]; then sn_ok "socket is 0600"; else sn_not_ok "socket is 0600" "mode $mode"; fi

set +e
"$FAKE" serve "$S" >/dev/null 2>"$T/second.err"
second=$?
set -e
if [ $second -ne 0 ] && grep -q "another signetd listens on it" "$T/second.err" && [ -S "$S" ]; then
	sn_ok "a second daemon on a live socket is refused"
else
	sn_not_ok "a second daemon on a live socket is refused" "exit $second" "$T/second.err"
fi

# status
if run "status" 0 status -s "$S"; then
	has "status: version" "$T/out" "version  0.0-test"
	has "status: uptime" "$T/out" "uptime   1h 2m 5s"
	has "status: workers" "$T/out" "workers  udp 2, tcp 1"
fi
if run "status --json" 0 status --json -s "$S"; then
	json "status --json: data" 'd == {"version": "0.0-test", "uptime": 3725, "zones": 2, "workers": {"udp": 2, "tcp": 1}}'
fi

# zone-status, found with $SIGNET_SOCKET
export SIGNET_SOCKET=$S
if run "zone-status" 0 zone-status; then
	has "zone-status: header" "$T/out" "zone          serial      records  load-time             journal-size  next-event"
	has "zone-status: example.com" "$T/out" "example.com.  2024010101  12       2023-11-14T22:13:20Z  2.0 KiB       refresh"
	has "zone-status: example.org" "$T/out" "example.org.  7           3        2023-11-14T23:13:20Z  0             -"
fi
if run "zone-status ZONE --json" 0 zone-status EXAMPLE.com -j; then
	json "zone-status: the zone arrives normalised" 'len(d["zones"]) == 1 and d["zones"][0]["zone"] == "example.com." and d["zones"][0]["serial"] == 2024010101'
fi
if run "zone-status of a zone not served" 1 zone-status missing.example; then
	has "zone-status: the daemon's reason" "$T/err" "signetc zone-status missing.example: zone missing.example. is not served"
fi
if run "zone-status of a zone not served, --json" 1 zone-status --json missing.example; then
	json "zone-status: the error as JSON" 'd == {"ok": False, "error": "zone missing.example. is not served", "code": -6}'
fi
unset SIGNET_SOCKET

# changes
if run "zone-reload" 0 zone-reload -s "$S" example.com; then
	has "zone-reload: done" "$T/out" "zone-reload example.com: done"
	has "zone-reload: serial" "$T/out" "  serial  2024010102"
fi
mkdir -p "$T/flushdir"
if run "zone-flush --out" 0 zone-flush -s "$S" --out flushdir example.com --json; then
	json "zone-flush: --out made absolute" "d == {'file': '$T/flushdir/example.com.zone'}"
fi
if run "zone-flush of a zone not served" 1 zone-flush -s "$S" nope.example; then
	has "zone-flush: the server words a bare error" "$T/err" "signetc zone-flush nope.example: not found"
fi
if run "zone-add" 0 zone-add -s "$S" -T tmpl --file rel.zone New.Example --json; then
	json "zone-add: template, absolute file, zone" "d == {'zone': 'new.example.', 'template': 'tmpl', 'file': '$T/rel.zone'}"
fi
if run "zone-add of a zone served" 1 zone-add -s "$S" example.com.; then
	has "zone-add: refused" "$T/err" "signetc zone-add example.com.: zone example.com. is served already"
fi
if run "zone-remove, not offered" 1 zone-remove -s "$S" example.com; then
	has "zone-remove: refused" "$T/err" "signetc zone-remove example.com: this signetd does not do 'zone-remove'"
fi
if run "reload" 0 reload -s "$S"; then
	has "reload: done" "$T/out" "reload: done"
fi
if run "stats" 0 stats -s "$S"; then
	has "stats: counters" "$T/out" "counters:"
	has "stats: a counter" "$T/out" "  nxdomain  30"
fi
if run "stats --json" 0 stats -s "$S" --json; then
	json "stats --json" 'd["counters"]["udp"] == 1000 and d["counters"]["nxdomain"] == 30'
fi

# an unknown command: signetc's own table, and the daemon's answer
if run "unknown command" 2 frobnicate -s "$S"; then
	has "unknown command: named" "$T/err" "signetc: unknown command 'frobnicate'"
fi
if python3 - "$S" >"$T/out" 2>&1 <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"cmd":"dance"}\n')
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(4096)
    if not chunk:
        break
    buf += chunk
d = json.loads(buf)
print(d)
sys.exit(0 if d == {"ok": False, "error": "unknown command 'dance'", "code": -10} else 1)
EOF
then sn_ok "the daemon refuses an unknown command"; else sn_not_ok "the daemon refuses an unknown command" "wrong answer" "$T/out"; fi

# usage errors
run "zone-reload without a zone" 2 zone-reload -s "$S" && has "which zone" "$T/err" "signetc zone-reload: which zone?"
run "a bad zone name" 2 zone-status -s "$S" "a..b" && has "bad zone name" "$T/err" "signetc zone-status: 'a..b' is not a valid zone name"
run "an option of another command" 2 zone-reload -s "$S" --out /tmp example.com && sn_ok "--out refused on zone-reload"
run "a zone where none is taken" 2 status -s "$S" example.com && sn_ok "status takes no zone"
run "a bad timeout" 2 status -s "$S" -t 0 && sn_ok "-t 0 refused"
run "help of a command" 0 zone-add --help && has "zone-add --help" "$T/out" "usage: signetc zone-add [options] [--template T] [--file F] ZONE"

# the socket from the configuration
mkdir -p "$T/conf"
cat >"$T/conf/signet.yaml" <<EOF
server:
  storage: $T
  control: s.sock
EOF
run "-c FILE" 0 status -c "$T/conf/signet.yaml" && sn_ok "-c finds server.control"
SIGNET_CONF=$T/conf/signet.yaml run "\$SIGNET_CONF" 0 status && sn_ok "\$SIGNET_CONF finds server.control"
SIGNET_SOCKET=$T/none.sock run "-s wins over \$SIGNET_SOCKET" 0 status -s "$S" && sn_ok "-s wins"
printf 'server:\n  bogus: 1\n' >"$T/conf/bad.yaml"
if run "a bad configuration" 2 status -c "$T/conf/bad.yaml"; then
	if grep -q "bad.yaml:2:" "$T/err"; then sn_ok "a bad configuration is named with its line"; else sn_not_ok "a bad configuration is named with its line" "no file:line" "$T/err"; fi
fi

# no daemon, a daemon that speaks something else, one that does not answer
if run "no daemon" 3 status -s "$T/none.sock"; then
	has "no daemon: the reason" "$T/err" "signetc status: cannot connect to $T/none.sock: No such file or directory (is signetd running?)"
fi
if start_fake garbage "$T/g.sock"; then
	G_PID=$FAKE_PID
	if run "a malformed answer" 3 status -s "$T/g.sock"; then
		has "a malformed answer: the reason" "$T/err" "signetc status: malformed answer from signetd: offset 0: expected 'true'"
	fi
	kill $G_PID
else
	sn_not_ok "garbage daemon starts" "see $T/fake-garbage.log"
fi
if start_fake silent "$T/q.sock"; then
	Q_PID=$FAKE_PID
	start=$(date +%s%N)
	if run "no answer" 3 status -s "$T/q.sock" -t 1; then
		has "no answer: the reason" "$T/err" "signetc status: no answer from signetd within 1 s"
		ms=$((($(date +%s%N) - start) / 1000000))
		if [ $ms -ge 900 ] && [ $ms -lt 3000 ]; then sn_ok "the timeout is kept ($ms ms)"; else sn_not_ok "the timeout is kept" "$ms ms"; fi
	fi
	kill $Q_PID
else
	sn_not_ok "silent daemon starts" "see $T/fake-silent.log"
fi

# stop: answered, then the daemon ends and removes its socket
if run "stop" 0 stop -s "$S"; then
	has "stop: done" "$T/out" "stop: done"
	# a watchdog kills it if it does not end by itself within 3 s
	# (a process of its own, not a subshell: a subshell carries the test's
	# traps, and killing it could run the test's cleanup)
	sh -c 'sleep 3; kill "$1" 2>/dev/null' watchdog "$S_PID" &
	DOG=$!
	set +e
	wait $S_PID
	ended=$?
	set -e
	kill $DOG 2>/dev/null || :
	SN_PIDS=${SN_PIDS// $S_PID/} # reaped: nothing left to stop
	if [ $ended -eq 0 ] && [ ! -e "$S" ]; then sn_ok "the daemon stopped and removed its socket"; else sn_not_ok "the daemon stopped and removed its socket" "exit $ended"; fi
fi
grep -q "control (uid [0-9]*, pid [0-9]*): zone-reload example.com.: done" "$T/fake-serve.log" &&
	sn_ok "changes are logged with the client's uid and pid" ||
	sn_not_ok "changes are logged with the client's uid and pid" "not in the log" "$T/fake-serve.log"

sn_finish
