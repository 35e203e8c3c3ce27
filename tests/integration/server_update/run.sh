#!/bin/sh
# SPDX-License-Identifier: MIT
# server_update: `signetc zone-update` changes records without the zone file.
#  - adds, deletes (record, RRset, name), replaces, TTL rules (RFC 2181 5.2);
#  - each change is one commit with a new serial by serial-policy, kept in
#    the journal, served at once and still there after a restart;
#  - refused changes (CNAME beside data, outside the zone, the SOA, the apex
#    NS, signer's types, bad syntax) say which line and change nothing;
#  - random changes checked against a model of the zone: what AXFR gives
#    after them is exactly the model.
set -eu
. "$(dirname "$0")/../lib.sh"
sn_init server_update
sn_need dig python3
SIGNETD=$(sn_prog signetd)
SIGNETC=$(sn_prog signetc)
T=$SN_TMP
PORT=$(sn_pick_port)
SOCK=$T/var/signet.sock

cat >"$T/signet.yaml" <<YAML
server:
  listen: [127.0.0.1@$PORT]
  workers: 1
  storage: $T/var
acl:
  - id: xfr
    address: [127.0.0.1]
    action: [transfer]
zone:
  - domain: example.com.
    file: $T/example.com.zone
    acl: [xfr]
  - domain: example.net.
    file: $T/example.net.zone
    serial-policy: unixtime
YAML
cat >"$T/example.com.zone" <<'ZONE'
$ORIGIN example.com.
$TTL 300
@ SOA ns1 host 10 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.1
www 600 A 192.0.2.10
www 600 A 192.0.2.11
mail A 192.0.2.20
mail TXT "v=spf1 -all"
alias CNAME www
ZONE
cat >"$T/example.net.zone" <<'ZONE'
$ORIGIN example.net.
$TTL 300
@ SOA ns1 host 5 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.1
ZONE

q() { dig @127.0.0.1 -p "$PORT" +tries=2 +time=1 +short "$@" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//'; }
ttl() { dig @127.0.0.1 -p "$PORT" +tries=2 +time=1 +noall +answer "$@" 2>/dev/null | awk '{ print $2 }' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
serial() { q "$1" SOA | awk '{ print $3 }'; }
upd() { "$SIGNETC" zone-update -s "$SOCK" "$@"; }

start() {
	"$SIGNETD" -c "$T/signet.yaml" >>"$T/log" 2>&1 &
	PID=$!
	sn_track "$PID"
	sn_wait_port "$PORT" 10
}
start || { sn_not_ok "signetd starts" "not listening" "$T/log"; sn_finish; }

# check NAME CONDITION-COMMAND... : ok when the command succeeds
check() {
	name=$1
	shift
	if "$@"; then sn_ok "$name"; else sn_not_ok "$name" "$(tail -n 5 "$T/log")"; fi
}

out=$(upd example.com --add 'new 120 A 198.51.100.1' 2>&1) || :
check "--add: the record is served at once" [ "$(q new.example.com A)" = 198.51.100.1 ]
check "--add: serial 10 -> 11 (increment)" [ "$(serial example.com)" = 11 ]
if printf '%s\n' "$out" | grep -Eq '^ *serial +11$'; then sn_ok "signetc prints the new serial"; else sn_not_ok "signetc output" "$out"; fi

upd example.com --add 'www A 192.0.2.12' >/dev/null 2>&1 || :
check "no TTL: the record takes its RRset's TTL" [ "$(ttl www.example.com A)" = 600 ]
upd example.com --add 'www 60 A 192.0.2.13' >/dev/null 2>&1 || :
check "a new TTL moves the whole RRset (RFC 2181 5.2)" \
	[ "$(ttl www.example.com A)" = 60 -a "$(q www.example.com A)" = "192.0.2.10 192.0.2.11 192.0.2.12 192.0.2.13" ]

upd example.com --del 'www A' --add 'www 300 A 203.0.113.5' >/dev/null 2>&1 || :
check "del RRset then add: the RRset is replaced in one change" \
	[ "$(q www.example.com A)" = 203.0.113.5 -a "$(serial example.com)" = 14 ]
upd example.com --del 'mail TXT "v=spf1 -all"' >/dev/null 2>&1 || :
check "del RR removes that record only" \
	[ -z "$(q mail.example.com TXT)" -a "$(q mail.example.com A)" = 192.0.2.20 ]
upd example.com --del mail >/dev/null 2>&1 || :
rc=$(dig @127.0.0.1 -p "$PORT" +tries=2 +time=1 mail.example.com A | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
check "del OWNER removes the name (NXDOMAIN)" [ "$rc" = NXDOMAIN ]

s=$(serial example.com)
out=$(upd example.com --del 'nothere A 192.0.2.99' --add 'ns1 A 192.0.2.1' 2>&1) || :
check "deleting what is absent and adding what is there change nothing (no new serial)" \
	[ "$(serial example.com)" = "$s" ]

# refused changes: exit 1, the line in the message, nothing applied
refused() {
	what=$1
	shift
	s=$(serial example.com)
	if out=$("$SIGNETC" zone-update -s "$SOCK" example.com "$@" 2>&1); then
		sn_not_ok "refused: $what" "accepted: $out"
	elif [ $? -ne 1 ] || [ "$(serial example.com)" != "$s" ]; then
		sn_not_ok "refused: $what" "exit status or serial moved: $out"
	else
		case $out in *line*) sn_ok "refused: $what ($(printf '%s' "$out" | head -n 1 | cut -c1-90))" ;;
		*) sn_not_ok "refused: $what" "no line in: $out" ;; esac
	fi
}
refused "CNAME beside other data" --add 'alias A 192.0.2.50'
refused "data beside a CNAME" --add 'ns1 CNAME www'
refused "a second CNAME" --add 'alias CNAME mail'
refused "a name outside the zone" --add 'www.example.org. A 192.0.2.1'
refused "deleting the SOA" --del '@ SOA'
refused "deleting the apex NS RRset" --del '@ NS'
refused "deleting the last apex NS record" --del '@ NS ns1'
refused "signer's records" --add '@ NSEC3PARAM 1 0 0 -'
refused "bad RDATA" --add 'x A 300.1.2.3'
refused "not add or del" --input /dev/null --add 'x A 192.0.2.1' --del 'x' --input "$T/example.net.zone"
printf 'add ok1 A 192.0.2.61\nadd bad A\n' >"$T/two"
refused "a bad second line refuses the first too" --input "$T/two"
[ -z "$(q ok1.example.com A)" ] && sn_ok "nothing of a refused change is served" ||
	sn_not_ok "refused change leaked" "$(q ok1.example.com A)"

printf '; comment\nadd a1 A 192.0.2.71\n\nadd a2 TXT "two words"\ndel alias\n' |
	upd example.com --input - >/dev/null 2>&1 || :
check "--input - reads changes from standard input" \
	[ "$(q a1.example.com A)" = 192.0.2.71 -a "$(q a2.example.com TXT)" = '"two words"' -a -z "$(q alias.example.com CNAME)" ]

upd example.com --add '@ 600 SOA ns1 hostmaster 1 3600 900 604800 60' >/dev/null 2>&1 || :
soa=$(q example.com SOA)
s_now=$(echo "$soa" | awk '{ print $3 }')
check "add @ SOA changes its fields; the serial still moves by policy ($soa)" \
	[ "$(echo "$soa" | awk '{ print $2, $4, $7 }')" = "hostmaster.example.com. 3600 60" -a "$s_now" -gt 14 ]

now=$(date +%s)
upd example.net --add 'x A 192.0.2.1' >/dev/null 2>&1 || :
s=$(serial example.net)
check "serial-policy unixtime: the serial is the time ($s)" [ "$s" -ge "$now" -a "$s" -le $((now + 5)) ]

js=$("$SIGNETC" zone-status --json -s "$SOCK" example.com 2>&1) || :
printf '%s' "$js" | python3 -c 'import json,sys; z=json.load(sys.stdin)["zones"][0]; sys.exit(0 if z["journal-entries"] >= 6 else 1)' &&
	sn_ok "each update is a journal entry" || sn_not_ok "journal entries" "$js"

# random changes against a model of the zone (SIGNET_TEST_SEED repeats a run)
SEED=${SIGNET_TEST_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d " ")}
echo "# server_update: seed $SEED"
python3 - "$T" "$SIGNETC" "$SOCK" "$PORT" "$SEED" >"$T/model.out" 2>&1 <<'PY' && sn_ok "random updates: AXFR equals the model ($(tail -n 1 "$T/model.out"))" || sn_not_ok "random updates against the model" "$(tail -n 5 "$T/model.out")"
import random, subprocess, sys
T, signetc, sock, port, seed = sys.argv[1:6]
rnd = random.Random(int(seed))
def axfr():
    out = subprocess.run(["dig", "@127.0.0.1", "-p", port, "+tcp", "+noall", "+answer",
                          "example.com", "AXFR"], capture_output=True, text=True, check=True).stdout
    recs = set()
    global soa_ttl
    for line in out.splitlines():
        f = line.split(None, 4)
        if len(f) == 5 and f[3] == "SOA":
            soa_ttl = int(f[1])
        elif len(f) == 5:
            recs.add((f[0].lower(), int(f[1]), f[3], f[4]))
    return recs
model = {}
for (o, t, ty, rd) in axfr():
    model.setdefault((o, ty), [t, set()])[1].add(rd)
names = ["r%d" % i for i in range(12)]
for step in range(60):
    lines = []
    for _ in range(rnd.randint(1, 4)):
        n = rnd.choice(names)
        o = n + ".example.com."
        op = rnd.random()
        if op < 0.55:
            ty = rnd.choice(["A", "TXT"])
            rd = "10.9.%d.%d" % (rnd.randint(0, 3), rnd.randint(0, 3)) if ty == "A" else '"t%d"' % rnd.randint(0, 5)
            ttl = rnd.choice([None, 60, 300])
            lines.append("add %s %s%s %s" % (n, "" if ttl is None else "%d " % ttl, ty, rd))
            s = model.get((o, ty))
            if s is None or not s[1]:
                # no TTL and a new RRset: the SOA's TTL
                s = model[(o, ty)] = [ttl if ttl is not None else soa_ttl, set()]
            elif ttl is not None:
                s[0] = ttl
            s[1].add(rd)
        elif op < 0.75:
            ty = rnd.choice(["A", "TXT"])
            lines.append("del %s %s" % (n, ty))
            model.pop((o, ty), None)
        elif op < 0.85:
            lines.append("del %s" % n)
            for k in [k for k in model if k[0] == o]:
                model.pop(k)
        else:
            s = model.get((o, "A"))
            if s and s[1]:
                rd = rnd.choice(sorted(s[1]))
                lines.append("del %s A %s" % (n, rd))
                s[1].discard(rd)
    r = subprocess.run([signetc, "zone-update", "-s", sock, "example.com", "--input", "-"],
                       input="\n".join(lines) + "\n", capture_output=True, text=True)
    if r.returncode != 0:
        print("step", step, "refused:", lines, r.stderr)
        sys.exit(1)
want = set()
for (o, ty), (t, rds) in model.items():
    for rd in rds:
        want.add((o, t, ty, rd))
got = axfr()
if got != want:
    print("missing:", sorted(want - got)[:5])
    print("extra:", sorted(got - want)[:5])
    sys.exit(1)
print("%d records after 60 updates" % len(got))
PY

# restart: the updates come back from the store, the file is not read again
s=$(serial example.com)
kill "$PID"
wait "$PID" 2>/dev/null || :
: >"$T/log"
start || { sn_not_ok "restart" "not listening" "$T/log"; sn_finish; }
check "after a restart the updated zone is served from the store (serial $s)" \
	[ "$(serial example.com)" = "$s" -a "$(q a1.example.com A)" = 192.0.2.71 ]
kill "$PID"
wait "$PID" 2>/dev/null || :
sn_finish
