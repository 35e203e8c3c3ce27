#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - signetd as operators and clients meet it: reloads, signals, TCP
# connection management, and packets that are not proper queries.
#
# SIGHUP reloads the configuration and every changed zone file: a good new
# zone file is served, a broken one is refused with file:line:col in the log
# while the old serial keeps being served, a broken configuration is refused
# with file:line and the server keeps answering, and zones come and go with
# the configuration. SIGUSR1 logs the counters; SIGTERM stops within 2 s with
# status 0. wire.py checks TCP pipelining (answers in order), the idle
# timeout (1 s here), the connection limit (2 here: a third connection makes
# the quietest one close), that QR=1 messages get no answer, and that
# malformed packets get FORMERR while the server stays up.
#
# Prints one TAP-style line per check and a summary; exits 1 if any failed,
# 77 if a tool is missing. SN_KEEP=1 keeps the scratch dir (and the log).
set -eu

. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
sn_init server_ops
sn_need dig python3
SIGNETD=$(sn_prog signetd)
HERE=$top_srcdir/tests/integration/server_ops
PORT=$(sn_pick_port)
T=$SN_TMP
LOG=$T/signetd.log

# zone_file NAME SERIAL [EXTRA-LINE]: writes NAME.zone (through a rename, so
# the reload sees a new file whatever the clock's resolution).
zone_file() {
	cat >"$T/$1.zone.tmp" <<EOF
\$ORIGIN $1.
\$TTL 300
@ SOA ns1 hostmaster $2 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.53
mail A 192.0.2.25
www CNAME @
@ A 192.0.2.1
${3:-}
EOF
	mv "$T/$1.zone.tmp" "$T/$1.zone"
}

# config ZONE...: writes signet.yaml serving the zones given.
config() {
	{
		cat <<EOF
server:
  listen: [127.0.0.1@$PORT]
  workers: 1
  tcp-workers: 1
  tcp-idle-timeout: 1
  tcp-max-clients: 2
  storage: $T
zone:
EOF
		for z in "$@"; do
			printf '  - domain: %s.\n    file: %s.zone\n' "$z" "$z"
		done
	} >"$T/signet.yaml.tmp"
	mv "$T/signet.yaml.tmp" "$T/signet.yaml"
}

# serial ZONE: the serial signetd serves for ZONE, or its RCODE.
serial() {
	out=$(dig @127.0.0.1 -p "$PORT" +tries=1 +time=1 +nocookie "$1" SOA 2>&1 || :)
	s=$(printf '%s\n' "$out" | awk '$4 == "SOA" && $1 ~ /^[^;]/ { print $7; exit }')
	if [ -n "$s" ]; then
		echo "$s"
	else
		printf '%s\n' "$out" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n 1
	fi
}

# wait_serial ZONE WANT: waits up to 5 s for ZONE to be served with WANT.
wait_serial() {
	for _ in $(seq 50); do
		if [ "$(serial "$1")" = "$2" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# wait_log PATTERN: waits up to 5 s for an extended regex in the log.
wait_log() {
	for _ in $(seq 50); do
		if grep -q -E "$1" "$LOG"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

zone_file example.com 1
zone_file example.net 10
zone_file example.org 100
config example.com example.net

"$SIGNETD" -c "$T/signet.yaml" >"$LOG" 2>&1 &
PID=$!
sn_track $PID
if ! sn_wait_port "$PORT" 10; then
	sn_not_ok "signetd starts" "not listening on $PORT" "$LOG"
	sn_finish
fi
# a loaded machine may lose the first one-second try: ask up to 5 times
for _ in 1 2 3 4 5; do
	[ "$(serial example.com)" = 1 ] && [ "$(serial example.net)" = 10 ] && break
done
if [ "$(serial example.com)" = 1 ] && [ "$(serial example.net)" = 10 ]; then
	sn_ok "signetd serves example.com serial 1 and example.net serial 10"
else
	sn_not_ok "signetd serves the zones" "serials $(serial example.com) $(serial example.net)" "$LOG"
fi

# 1. a changed zone file
zone_file example.com 2 "new A 192.0.2.2"
kill -HUP $PID
if wait_serial example.com 2; then
	sn_ok "SIGHUP: a changed zone file is served (serial 2)"
else
	sn_not_ok "SIGHUP: a changed zone file is served" "serial $(serial example.com)" "$LOG"
fi
if dig @127.0.0.1 -p "$PORT" +short new.example.com A | grep -q 192.0.2.2; then
	sn_ok "SIGHUP: the new record is there"
else
	sn_not_ok "SIGHUP: the new record is there" "no new.example.com A"
fi
if [ "$(serial example.net)" = 10 ]; then
	sn_ok "SIGHUP: the unchanged zone still serves serial 10"
else
	sn_not_ok "SIGHUP: the unchanged zone" "serial $(serial example.net)"
fi

# 2. a broken zone file: line 9 has a bad address
zone_file example.com 3 "bad A 192.0.2.300"
kill -HUP $PID
if wait_log "example\.com\.zone:9:[0-9]+:"; then
	sn_ok "SIGHUP: a broken zone file is logged with file:line:col"
else
	sn_not_ok "SIGHUP: a broken zone file is logged with file:line:col" "no example.com.zone:9:COL in the log" "$LOG"
fi
sleep 0.2
if [ "$(serial example.com)" = 2 ]; then
	sn_ok "SIGHUP: the old serial (2) keeps serving after a broken zone file"
else
	sn_not_ok "SIGHUP: the old serial keeps serving" "serial $(serial example.com)" "$LOG"
fi

# 3. a broken configuration: line 4 has a bad value
zone_file example.com 4
cp "$T/signet.yaml" "$T/signet.yaml.good"
sed -i 's/^  tcp-workers: 1$/  tcp-workers: many/' "$T/signet.yaml"
if [ "$(sed -n 4p "$T/signet.yaml")" != "  tcp-workers: many" ]; then
	sn_not_ok "test setup" "the broken config line is not line 4" "$T/signet.yaml"
fi
kill -HUP $PID
if wait_log "signet\.yaml:4(:[0-9]+)?:"; then
	sn_ok "SIGHUP: a broken configuration is logged with file:line"
else
	sn_not_ok "SIGHUP: a broken configuration is logged with file:line" "no signet.yaml:4 in the log" "$LOG"
fi
if [ "$(serial example.net)" = 10 ] && dig @127.0.0.1 -p "$PORT" +short mail.example.com A | grep -q 192.0.2.25; then
	sn_ok "SIGHUP: answers continue after a broken configuration"
else
	sn_not_ok "SIGHUP: answers continue after a broken configuration" "no answer" "$LOG"
fi
# the changed zone file is still picked up (the reload goes on with the
# running configuration)
if wait_serial example.com 4; then
	sn_ok "SIGHUP: with a broken configuration, changed zone files still reload"
else
	sn_not_ok "SIGHUP: with a broken configuration, changed zone files still reload" "serial $(serial example.com)" "$LOG"
fi
mv "$T/signet.yaml.good" "$T/signet.yaml"

# 4. zones added and removed with the configuration
config example.com example.org
kill -HUP $PID
if wait_serial example.org 100; then
	sn_ok "SIGHUP: a zone added to the configuration is served"
else
	sn_not_ok "SIGHUP: a zone added to the configuration is served" "example.org: $(serial example.org)" "$LOG"
fi
if [ "$(serial example.net)" = REFUSED ]; then
	sn_ok "SIGHUP: a zone removed from the configuration is REFUSED"
else
	sn_not_ok "SIGHUP: a zone removed from the configuration is REFUSED" "example.net: $(serial example.net)" "$LOG"
fi
if [ "$(serial example.com)" = 4 ]; then
	sn_ok "SIGHUP: a zone kept in the configuration keeps its data"
else
	sn_not_ok "SIGHUP: a zone kept in the configuration keeps its data" "example.com: $(serial example.com)"
fi

# 5. TCP and odd packets
python3 "$HERE/wire.py" "$PORT" pipeline idle limit qr malformed >"$T/wire" 2>&1 || :
while IFS=$'\t' read -r st name why; do
	case $st in
	PASS) sn_ok "$name" ;;
	FAIL) sn_not_ok "$name" "$why" ;;
	*) sn_not_ok "wire.py" "$st $name $why" ;;
	esac
done <"$T/wire"

# 6. SIGUSR1 logs the counters
kill -USR1 $PID
if wait_log "stats: udp=[1-9][0-9]* tcp=[1-9][0-9]* .*formerr=[1-9]"; then
	sn_ok "SIGUSR1: the counters are logged"
else
	sn_not_ok "SIGUSR1: the counters are logged" "no stats line with queries and FORMERRs" "$LOG"
fi

# 7. SIGTERM: exit status 0 within 2 s
start=$(date +%s%N)
kill -TERM $PID
rc=0
for _ in $(seq 40); do
	if ! kill -0 $PID 2>/dev/null; then
		break
	fi
	sleep 0.05
done
if kill -0 $PID 2>/dev/null; then
	sn_not_ok "SIGTERM: stops within 2 s" "still running" "$LOG"
else
	wait $PID || rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	if [ "$rc" -eq 0 ] && [ "$ms" -le 2000 ]; then
		sn_ok "SIGTERM: exits 0 within 2 s ($ms ms)"
	else
		sn_not_ok "SIGTERM: exits 0 within 2 s" "status $rc after $ms ms" "$LOG"
	fi
fi
# A build with --enable-sanitizers reports into the log: none may appear.
if grep -q -E "runtime error|AddressSanitizer|LeakSanitizer|ThreadSanitizer" "$LOG"; then
	sn_not_ok "no sanitizer report in the signetd log" "see the log" "$LOG"
else
	sn_ok "no sanitizer report in the signetd log"
fi
sn_finish
