#!/bin/sh
# SPDX-License-Identifier: MIT
# server_store: zones live in the LMDB store (issue 4).
#  - a restart serves the zone from the store, even when its file is broken;
#  - a reload applies the diff and journals it; zone-status shows it;
#  - the control socket is 0600 and signetc talks to it;
#  - SIGKILL while changes are applied, over and over: after each restart
#    every change reported done is there, none half-applied, serials never
#    go back.
set -eu
. "$(dirname "$0")/../lib.sh"
sn_init server_store
sn_need dig python3
SIGNETD=$(sn_prog signetd)
SIGNETC=$(sn_prog signetc)
T=$SN_TMP
PORT=$(sn_pick_port)

cat >"$T/signet.yaml" <<YAML
server:
  listen: [127.0.0.1@$PORT]
  workers: 1
  storage: $T/var
zone:
  - domain: example.com.
    file: $T/example.com.zone
YAML

# write_zone SERIAL: the zone at SERIAL has names n1..nSERIAL (each change
# adds one name), so a served serial says exactly which records must exist.
write_zone() {
	{
		printf '$ORIGIN example.com.\n$TTL 300\n'
		printf '@ SOA ns1 host %s 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n' "$1"
		i=1
		while [ "$i" -le "$1" ]; do
			printf 'n%s A 10.0.%s.%s\n' "$i" $((i / 256)) $((i % 256))
			i=$((i + 1))
		done
	} >"$T/example.com.zone.new"
	mv "$T/example.com.zone.new" "$T/example.com.zone"
}

serial() {
	dig @127.0.0.1 -p "$PORT" +tries=2 +time=1 +short example.com SOA 2>/dev/null | awk '{ print $3 }'
}

start() {
	"$SIGNETD" -c "$T/signet.yaml" >>"$T/log" 2>&1 &
	PID=$!
	sn_track "$PID"
	sn_wait_port "$PORT" 10
}

write_zone 1
start || { sn_not_ok "signetd starts" "not listening" "$T/log"; sn_finish; }
[ "$(serial)" = 1 ] && sn_ok "first load from the file" || sn_not_ok "first load" "serial $(serial)" "$T/log"

mode=$(stat -c %a "$T/var/signet.sock" 2>/dev/null || echo none)
[ "$mode" = 600 ] && sn_ok "control socket is mode 0600" || sn_not_ok "control socket mode" "$mode"

write_zone 2
out=$("$SIGNETC" zone-reload -s "$T/var/signet.sock" example.com 2>&1) || :
if [ "$(serial)" = 2 ] && dig @127.0.0.1 -p "$PORT" +short n2.example.com A | grep -q 10.0.0.2; then
	sn_ok "signetc zone-reload applies the change"
else
	sn_not_ok "zone-reload" "serial $(serial): $out" "$T/log"
fi
js=$("$SIGNETC" zone-status --json -s "$T/var/signet.sock" example.com 2>&1) || :
if printf '%s' "$js" | python3 -c 'import json,sys; z=json.load(sys.stdin)["zones"][0]; sys.exit(0 if z["serial"]==2 and z["journal-entries"]==1 and z["records"]==5 else 1)'; then
	sn_ok "zone-status --json: serial 2, one journal entry, 5 records"
else
	sn_not_ok "zone-status --json" "$js"
fi

# Every command that names a zone says so when the zone is not there.
bad=
nozone() {
	c=$1
	shift
	out=$("$SIGNETC" "$c" -s "$T/var/signet.sock" nosuch.example "$@" 2>&1) && r=0 || r=$?
	case "$r:$out" in
	1:*"no such zone: nosuch.example"*) ;;
	*) bad="$bad $c (exit $r: $out)" ;;
	esac
}
for cmd in zone-reload key-list zone-ds key-generate key-export zone-ksk-submitted zone-flush \
	zone-remove zone-status; do
	nozone "$cmd"
done
nozone zone-update --add 'x A 192.0.2.9'
nozone zone-key-rollover zsk
[ -z "$bad" ] && sn_ok "every zone command on an unknown zone: 'no such zone', exit 1" ||
	sn_not_ok "commands on an unknown zone" "$bad"

# Restart with a broken file: the store still serves serial 2.
kill "$PID"
wait "$PID" 2>/dev/null || :
printf 'this is not a zone\n' >"$T/example.com.zone"
: >"$T/log"
start || { sn_not_ok "restart" "not listening" "$T/log"; sn_finish; }
if [ "$(serial)" = 2 ] && grep -q 'example.com.zone:1:' "$T/log"; then
	sn_ok "restart serves the stored zone although its file is broken (error logged)"
else
	sn_not_ok "restart from the store" "serial $(serial)" "$T/log"
fi
kill "$PID"
wait "$PID" 2>/dev/null || :

# Crash test: a change is reported done by the log line "serial A -> B"
# (written after the commit). Kill -9 at random moments; after each
# restart the served serial must be at least the last one reported, never
# lower than before, and exactly the records of that serial.
write_zone 2
: >"$T/log"
start || { sn_not_ok "crash test start" "not listening" "$T/log"; sn_finish; }
target=2
last_reported=2
last_seen=2
bad=""
for round in 1 2 3 4 5 6 7 8 9 10 11 12; do
	n=$(python3 -c "import random; print(random.randint(1, 6))")
	k=0
	while [ "$k" -lt "$n" ]; do
		target=$((target + 1))
		write_zone "$target"
		kill -HUP "$PID" 2>/dev/null || :
		k=$((k + 1))
	done
	sleep "$(python3 -c 'import random; print(random.choice([0, 0.01, 0.05, 0.1, 0.3]))')"
	kill -9 "$PID" 2>/dev/null || :
	wait "$PID" 2>/dev/null || :
	r=$(sed -n 's/.*: serial [0-9]* -> \([0-9]*\):.*/\1/p' "$T/log" | tail -n 1)
	[ -n "$r" ] && last_reported=$r
	cp "$T/log" "$T/log.round$round"
	# restart with the file unreadable, so what is served is exactly what
	# the store held when the process died
	mv "$T/example.com.zone" "$T/example.com.zone.keep"
	start || { bad="$bad restart $round failed;"; break; }
	s=$(serial)
	if [ -z "$s" ] || [ "$s" -lt "$last_reported" ] || [ "$s" -lt "$last_seen" ]; then
		bad="$bad round $round: serial '$s' after reported $last_reported, seen $last_seen;"
	fi
	# every name of that serial, and none beyond it: no half change
	if [ -n "$s" ]; then
		have=$(dig @127.0.0.1 -p "$PORT" +tries=2 +time=1 +short "n$s.example.com" A)
		over=$(dig @127.0.0.1 -p "$PORT" +tries=2 +time=1 +short "n$((s + 1)).example.com" A)
		[ -n "$have" ] && [ -z "$over" ] || bad="$bad round $round: serial $s but n$s='$have' n$((s + 1))='$over';"
		last_seen=$s
	fi
	kill "$PID" 2>/dev/null || :
	wait "$PID" 2>/dev/null || :
	mv "$T/example.com.zone.keep" "$T/example.com.zone"
	: >"$T/log"
	last_reported=$last_seen
	start || { bad="$bad restart $round failed;"; break; }
done
kill "$PID" 2>/dev/null || :
wait "$PID" 2>/dev/null || :
if [ -z "$bad" ]; then
	sn_ok "12 SIGKILL rounds: no reported change lost, none half-applied, serial never back (last $last_seen)"
else
	echo "$bad" >"$T/bad"
	sn_not_ok "SIGKILL rounds" "$bad" "$T/log"
fi
# Runtime zones: signetc zone-add keeps the zone in the store's catalogue,
# so it is served after a restart too; zone-remove drops it for good; a
# configured zone cannot be removed that way.
printf '$ORIGIN rt.example.\n$TTL 300\n@ SOA ns1 h 7 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.77\n' >"$T/rt.zone"
write_zone 2
: >"$T/log"
start || { sn_not_ok "start for runtime zones" "not listening" "$T/log"; sn_finish; }
SOCK="$T/var/signet.sock"
rt() { dig @127.0.0.1 -p "$PORT" +tries=2 +time=1 +short ns1.rt.example A 2>/dev/null; }
"$SIGNETC" zone-add -s "$SOCK" --file "$T/rt.zone" rt.example >"$T/out" 2>&1 && added=yes || added=no
[ "$added" = yes ] && [ "$(rt)" = 192.0.2.77 ] && sn_ok "zone-add serves a new zone" ||
	sn_not_ok "zone-add" "exit $added, answer '$(rt)'" "$T/out"
"$SIGNETC" zone-remove -s "$SOCK" example.com >"$T/out" 2>&1 && r=0 || r=$?
[ "$r" = 1 ] && [ -n "$(serial)" ] && sn_ok "zone-remove refuses a configured zone (exit 1)" ||
	sn_not_ok "zone-remove of a configured zone" "exit $r" "$T/out"
kill "$PID"
wait "$PID" 2>/dev/null || :
start || { sn_not_ok "restart with a runtime zone" "not listening" "$T/log"; sn_finish; }
[ "$(rt)" = 192.0.2.77 ] && sn_ok "a runtime zone is served after a restart" ||
	sn_not_ok "runtime zone after restart" "answer '$(rt)'" "$T/log"
"$SIGNETC" zone-remove -s "$SOCK" rt.example >"$T/out" 2>&1 || :
st=$(dig @127.0.0.1 -p "$PORT" +tries=2 +time=1 ns1.rt.example A 2>/dev/null | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
kill "$PID"
wait "$PID" 2>/dev/null || :
start || { sn_not_ok "restart after zone-remove" "not listening" "$T/log"; sn_finish; }
st2=$(dig @127.0.0.1 -p "$PORT" +tries=2 +time=1 ns1.rt.example A 2>/dev/null | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
[ "$st" = REFUSED ] && [ "$st2" = REFUSED ] && sn_ok "zone-remove stops serving it, also after a restart" ||
	sn_not_ok "zone-remove" "status '$st' then '$st2'" "$T/log"
kill "$PID"
wait "$PID" 2>/dev/null || :

# Privileges: as root with `user: nobody`, signetd binds, opens the store,
# then runs as nobody (the store's files handed over first).
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	sed -i "s|^  storage: .*|  storage: $T/var\n  user: nobody|" "$T/signet.yaml"
	write_zone 3
	: >"$T/log"
	start || { sn_not_ok "start with user: nobody" "not listening" "$T/log"; sn_finish; }
	who=$(ps -o user= -p "$PID" | tr -d ' ')
	owner=$(stat -c %U "$T/var/data.mdb")
	if [ "$who" = nobody ] && [ "$owner" = nobody ] && [ -n "$(serial)" ]; then
		sn_ok "user: nobody: runs as nobody, owns the store, answers"
	else
		sn_not_ok "user: nobody" "process user '$who', store owner '$owner'" "$T/log"
	fi
	kill "$PID" 2>/dev/null || :
	wait "$PID" 2>/dev/null || :
fi
sn_finish
