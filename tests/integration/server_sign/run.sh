#!/bin/sh
# SPDX-License-Identifier: MIT
# server_sign: signetd signs zones itself (issue 5), checked by tools no one
# here wrote.
#  - `dnssec-signing: on` makes the keys and signs; the zone fetched by AXFR
#    passes BIND's dnssec-verify and ldns-verify-zone (NSEC3 and NSEC, KSK+ZSK
#    and CSK, Ed25519), and they fail on a copy the test broke;
#  - key-list shows the keys, zone-ds gives the DS that dnssec-dsfromkey
#    computes from the served DNSKEY, --epp the same as RFC 5910 XML;
#  - a restart serves the zone from the store without a single new
#    signature; zone-update and a file reload keep it valid;
#  - DNSSEC records in the unsigned file are dropped with a warning.
set -eu
. "$(dirname "$0")/../lib.sh"
sn_init server_sign
sn_need dig python3 dnssec-verify ldns-verify-zone dnssec-dsfromkey dnssec-keygen
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
policy:
  - id: nsec3
    algorithm: ecdsap256sha256
  - id: nsec-csk
    algorithm: ed25519
    single-type-signing: on
    nsec3: off
  - id: fast
    rrsig-lifetime: 60s
    rrsig-refresh: 50s
    rrsig-pre-refresh: 1s
    rrsig-jitter: 5s
  - id: optout
    algorithm: ecdsap256sha256
    nsec3-opt-out: on
    nsec3-salt-length: 8
template:
  - id: default
    acl: [xfr]
    dnssec-signing: on
zone:
  - domain: example.com.
    file: $T/example.com.zone
    dnssec-policy: nsec3
  - domain: example.net.
    file: $T/example.net.zone
    dnssec-policy: nsec-csk
  - domain: example.org.
    file: $T/example.org.zone
    dnssec-policy: optout
  - domain: example.edu.
    file: $T/example.edu.zone
    dnssec-signing: off
  - domain: example.info.
    file: $T/example.info.zone
    dnssec-policy: fast
YAML

zone_body() {
	cat <<'ZONE'
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
@ MX 10 mail
@ TXT "v=spf1 mx -all"
ns1 A 192.0.2.1
mail A 192.0.2.25
www A 192.0.2.80
www AAAA 2001:db8::80
*.wild A 192.0.2.99
a.b.c.deep TXT "empty non-terminals above"
alias CNAME www
sub NS ns.sub
ns.sub A 192.0.2.53
secure NS ns.secure
secure DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns.secure A 192.0.2.54
insecure NS ns.elsewhere.test.
ZONE
}
for z in example.com example.net example.org example.edu example.info; do
	{ printf '$ORIGIN %s.\n' "$z"; zone_body; } >"$T/$z.zone"
done
# a stale signature in the unsigned input: it must be dropped, not served
printf 'www 300 RRSIG A 13 3 300 20300101000000 20200101000000 1 example.com. AAAA\n' >>"$T/example.com.zone"

start() {
	"$SIGNETD" -c "$T/signet.yaml" >>"$T/log" 2>&1 &
	PID=$!
	sn_track "$PID"
	sn_wait_port "$PORT" 20
}
start || { sn_not_ok "signetd starts" "not listening" "$T/log"; sn_finish; }
sleep 0.5

axfr() { dig @127.0.0.1 -p "$PORT" +tcp +onesoa +nocmd +nostats +nocomments "$1" AXFR >"$2" 2>/dev/null; }

# verify NAME ZONE FILE: both validators accept it (a zone signed by a
# single CSK: dnssec-verify -z, which does not ask for a key without SEP)
verify() {
	name=$1
	z=$2
	f=$3
	zflag=""
	[ "$z" = example.net ] && zflag=-z
	if ! grep -q RRSIG "$f"; then
		sn_not_ok "$name" "no RRSIG in the transfer" "$T/log"
		return
	fi
	if out=$(dnssec-verify $zflag -o "$z" "$f" 2>&1) && out2=$(ldns-verify-zone "$f" 2>&1); then
		sn_ok "$name"
	else
		sn_not_ok "$name" "$out ${out2:-}"
	fi
}

for z in example.com example.net example.org; do
	axfr "$z" "$T/$z.axfr"
	verify "$z: the signed zone passes dnssec-verify and ldns-verify-zone" "$z" "$T/$z.axfr"
done
grep -q 'NSEC3PARAM' "$T/example.com.axfr" && ! grep -qw 'NSEC' "$T/example.com.axfr" &&
	sn_ok "example.com: NSEC3 (the policy's default)" || sn_not_ok "example.com NSEC3" "$(grep -c NSEC "$T/example.com.axfr")"
grep -qw 'NSEC' "$T/example.net.axfr" && ! grep -q 'NSEC3' "$T/example.net.axfr" &&
	sn_ok "example.net: NSEC, as its policy says" || sn_not_ok "example.net NSEC" ""
p=$(awk '$4 == "NSEC3PARAM" { print $5, $6, $7, length($8) }' "$T/example.com.axfr")
[ "$p" = "1 0 0 1" ] && sn_ok "NSEC3PARAM 1 0 0 - (RFC 9276: no iterations, no salt)" || sn_not_ok "NSEC3PARAM" "$p"
p=$(awk '$4 == "NSEC3PARAM" { print $6, length($8) }' "$T/example.org.axfr")
[ "$p" = "0 16" ] && sn_ok "opt-out policy: an 8-octet salt" || sn_not_ok "salt" "$p"
awk '$4 == "NSEC3" && $6 == 1' "$T/example.org.axfr" | grep -q . &&
	sn_ok "opt-out policy: NSEC3 records with the Opt-Out flag" || sn_not_ok "opt-out flag" ""
if grep -q 'RRSIG.*20300101000000' "$T/example.com.axfr"; then
	sn_not_ok "the RRSIG from the file is not served" "served"
elif grep -q 'DNSSEC records in the file ignored' "$T/log"; then
	sn_ok "DNSSEC records in the unsigned file are dropped with a warning"
else
	sn_not_ok "warning about DNSSEC records in the file" "" "$T/log"
fi

# the check bites: a broken signature fails both validators
python3 - "$T/example.com.axfr" "$T/broken.axfr" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
for i, l in enumerate(lines):
    f = l.split()
    if len(f) > 5 and f[3] == "RRSIG" and f[4] == "A" and f[0].startswith("www."):
        sig = f[-1]
        f[-1] = ("B" if sig[0] != "B" else "C") + sig[1:]
        lines[i] = " ".join(f)
        break
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
if dnssec-verify -o example.com "$T/broken.axfr" >/dev/null 2>&1 || ldns-verify-zone "$T/broken.axfr" >/dev/null 2>&1; then
	sn_not_ok "a zone with a broken signature fails the validators" "one accepted it"
else
	sn_ok "a zone with a broken signature fails the validators"
fi

# keys and DS
kl=$("$SIGNETC" key-list -s "$SOCK" example.com 2>&1) || :
if printf '%s\n' "$kl" | grep -q ' ksk .*active' && printf '%s\n' "$kl" | grep -q ' zsk .*active'; then
	sn_ok "key-list: an active KSK and ZSK"
else
	sn_not_ok "key-list" "$kl"
fi
kl=$("$SIGNETC" key-list --json -s "$SOCK" example.net 2>&1) || :
printf '%s' "$kl" | python3 -c 'import json,sys; k=json.load(sys.stdin)["keys"]; sys.exit(0 if len(k)==1 and k[0]["role"]=="csk" and k[0]["algorithm"]==15 else 1)' &&
	sn_ok "key-list --json: one Ed25519 CSK for the single-type policy" || sn_not_ok "CSK" "$kl"
for z in example.com example.net; do
	ds=$("$SIGNETC" zone-ds -s "$SOCK" "$z" 2>&1) || :
	grep -w DNSKEY "$T/$z.axfr" | awk '$5 == 257' >"$T/ksk.$z"
	want=$(dnssec-dsfromkey -2 -f "$T/ksk.$z" "$z" 2>&1 | awk '{ print $4, $5, $6, $7 }')
	got=$(printf '%s\n' "$ds" | awk '{ print $4, $5, $6, $7 }')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		sn_ok "$z: zone-ds equals dnssec-dsfromkey of the served KSK ($got)"
	else
		sn_not_ok "$z: zone-ds" "got '$got' want '$want'"
	fi
done
"$SIGNETC" zone-ds --epp -s "$SOCK" example.com >"$T/epp.xml" 2>&1 || :
python3 - "$T/epp.xml" "$got" <<'PY' && sn_ok "zone-ds --epp: RFC 5910 secDNS-1.1 dsData" || sn_not_ok "zone-ds --epp" "$(cat "$T/epp.xml")"
import sys, xml.etree.ElementTree as ET
ns = {"s": "urn:ietf:params:xml:ns:secDNS-1.1"}
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{urn:ietf:params:xml:ns:secDNS-1.1}update"
d = root.findall("s:add/s:dsData", ns)
assert len(d) == 1
vals = [d[0].find("s:" + k, ns).text for k in ("keyTag", "alg", "digestType", "digest")]
PY
"$SIGNETC" zone-ds --json --digest all -s "$SOCK" example.com 2>&1 |
	python3 -c 'import json,sys; d=json.load(sys.stdin)["ds"]; sys.exit(0 if sorted(x["digest-type"] for x in d)==[2,4] and all(len(x["digest"])==(64 if x["digest-type"]==2 else 96) for x in d) else 1)' &&
	sn_ok "zone-ds --digest all: SHA-256 and SHA-384" || sn_not_ok "zone-ds --digest all" ""

# restart: served from the store, no signature made
grep RRSIG "$T/example.com.axfr" | sort >"$T/sigs.before"
kill "$PID"
wait "$PID" 2>/dev/null || :
: >"$T/log"
start || { sn_not_ok "restart" "not listening" "$T/log"; sn_finish; }
sleep 0.5
axfr example.com "$T/after.axfr"
grep RRSIG "$T/after.axfr" | sort >"$T/sigs.after"
if [ -s "$T/sigs.after" ] && cmp -s "$T/sigs.before" "$T/sigs.after" && ! grep -q 'signed:' "$T/log"; then
	sn_ok "restart: the same signatures, none made (ECDSA would differ)"
else
	sn_not_ok "restart without signing" "$(diff "$T/sigs.before" "$T/sigs.after" | head -3)" "$T/log"
fi

# changes keep the zone valid
"$SIGNETC" zone-update -s "$SOCK" example.com --add 'new A 198.51.100.7' --del www >/dev/null 2>&1 || :
axfr example.com "$T/upd.axfr"
s=$(awk '$4 == "SOA" { print $7; exit }' "$T/upd.axfr")
[ "$s" = 2 ] && grep -q '^new\.example\.com\..*198.51.100.7' "$T/upd.axfr" &&
	sn_ok "zone-update on a signed zone: serial 2, record served" || sn_not_ok "zone-update on signed zone" "serial $s" "$T/log"
verify "after zone-update the zone still verifies" example.com "$T/upd.axfr"
# incremental: only what changed is signed again
r1=$(awk '$1 == "ns1.example.com." && $4 == "RRSIG" && $5 == "A"' "$T/after.axfr")
r2=$(awk '$1 == "ns1.example.com." && $4 == "RRSIG" && $5 == "A"' "$T/upd.axfr")
s1=$(awk '$1 == "example.com." && $4 == "RRSIG" && $5 == "SOA"' "$T/after.axfr")
s2=$(awk '$1 == "example.com." && $4 == "RRSIG" && $5 == "SOA"' "$T/upd.axfr")
if grep -q 'example.com.: signed incrementally' "$T/log" && [ -n "$r1" ] && [ "$r1" = "$r2" ] && [ "$s1" != "$s2" ]; then
	sn_ok "zone-update signs incrementally: an unchanged RRset keeps its RRSIG, the SOA gets a new one"
else
	sn_not_ok "incremental signing" "ns1 A RRSIG kept: $([ "$r1" = "$r2" ] && echo yes || echo no)" "$T/log"
fi
{ printf '$ORIGIN example.net.\n'; zone_body | sed 's/ 1 7200/ 5 7200/'; printf 'extra TXT "added in the file"\n'; } >"$T/example.net.zone"
"$SIGNETC" zone-reload -s "$SOCK" example.net >/dev/null 2>&1 || :
axfr example.net "$T/rel.axfr"
grep -q '^extra\.example\.net\.' "$T/rel.axfr" && sn_ok "a file reload of a signed zone serves the change" ||
	sn_not_ok "reload of signed zone" "" "$T/log"
verify "after a reload the zone still verifies" example.net "$T/rel.axfr"

# signatures refreshed before they expire: lifetime 60 s, refresh 50 s,
# jitter 5 s, so within about 10 s of the first signing
axfr example.info "$T/info1.axfr"
st=$("$SIGNETC" zone-status -s "$SOCK" example.info 2>&1) || :
case $st in *re-sign*) sn_ok "zone-status shows the next re-sign" ;; *) sn_not_ok "zone-status next event" "$st" ;; esac
python3 - "$T/info1.axfr" <<'PY' && sn_ok "jitter: expirations spread over the jitter window, not one instant" || sn_not_ok "jitter" ""
import sys, calendar, time
exps = set()
for l in open(sys.argv[1]):
    f = l.split()
    if len(f) > 9 and f[3] == "RRSIG":
        exps.add(calendar.timegm(time.strptime(f[8], "%Y%m%d%H%M%S")))
sys.exit(0 if len(exps) >= 3 and max(exps) - min(exps) <= 5 else 1)
PY
# wait for a refresh after the first look (one may have run before it)
n0=$(grep -c 'example.info.: signatures refreshed' "$T/log" || :)
i=0
while [ $i -lt 40 ] && [ "$(grep -c 'example.info.: signatures refreshed' "$T/log" || :)" -le "$n0" ]; do
	sleep 0.5
	i=$((i + 1))
done
sleep 0.2
axfr example.info "$T/info2.axfr"
s1=$(awk '$4 == "SOA" { print $7; exit }' "$T/info1.axfr")
s2=$(awk '$4 == "SOA" { print $7; exit }' "$T/info2.axfr")
e1=$(awk '$4 == "RRSIG" { print $9 }' "$T/info1.axfr" | sort | head -n 1)
e2=$(awk '$4 == "RRSIG" { print $9 }' "$T/info2.axfr" | sort | head -n 1)
if [ "$(grep -c 'example.info.: signatures refreshed' "$T/log" || :)" -gt "$n0" ] && [ "$s2" -gt "$s1" ] && [ "$e2" \> "$e1" ]; then
	sn_ok "signatures refreshed before expiry, with a new serial ($s1 -> $s2)"
else
	sn_not_ok "signature refresh" "serial $s1 -> $s2, first expiration $e1 -> $e2" "$T/log"
fi
verify "the refreshed zone verifies" example.info "$T/info2.axfr"

# keys made by hand
"$SIGNETC" key-generate -s "$SOCK" --role zsk example.com >"$T/gen.out" 2>&1 || :
n=$("$SIGNETC" key-list --json -s "$SOCK" example.com 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["keys"]))' || echo 0)
axfr example.com "$T/gen.axfr"
[ "$n" = 3 ] && [ "$(awk '$4 == "DNSKEY"' "$T/gen.axfr" | wc -l)" = 3 ] && sn_ok "key-generate: a third key, published" ||
	sn_not_ok "key-generate" "$n keys: $(cat "$T/gen.out")" "$T/log"
verify "after key-generate the zone verifies" example.com "$T/gen.axfr"
"$SIGNETC" key-export -s "$SOCK" example.com >"$T/export.txt" 2>&1 || :
# dig cuts long base64 into pieces: join them
dnskeys() { awk '$4 == "DNSKEY" { k = ""; for (i = 8; i <= NF; i++) k = k $i; print $5, $6, $7, k }' "$1" | sort; }
a=$(dnskeys "$T/export.txt")
b=$(dnskeys "$T/gen.axfr")
[ -n "$a" ] && [ "$a" = "$b" ] && sn_ok "key-export prints the served DNSKEY records" || sn_not_ok "key-export" "$(cat "$T/export.txt")"

# migration from BIND: its keys imported, then signing turned on
( cd "$T" && dnssec-keygen -q -a ECDSAP256SHA256 -f KSK example.edu >ksk.name 2>/dev/null &&
	dnssec-keygen -q -a ECDSAP256SHA256 example.edu >zsk.name 2>/dev/null ) || :
ksk=$(cat "$T/ksk.name" 2>/dev/null || :)
zsk=$(cat "$T/zsk.name" 2>/dev/null || :)
o1=$("$SIGNETC" key-import -s "$SOCK" --file "$T/$ksk.private" example.edu 2>&1) || :
o2=$("$SIGNETC" key-import -s "$SOCK" --file "$T/$zsk" example.edu 2>&1) || :
if out=$("$SIGNETC" key-import -s "$SOCK" --file "$T/$zsk" example.edu 2>&1); then
	sn_not_ok "importing the same key twice is refused" "$out"
else
	sn_ok "importing the same key twice is refused ($(printf '%s' "$out" | head -n 1 | cut -c1-80))"
fi
if out=$("$SIGNETC" key-import -s "$SOCK" --file "$T/$zsk" example.com 2>&1); then
	sn_not_ok "a key of another zone is refused" "$out"
else
	sn_ok "a key of another zone is refused"
fi
sed -i 's/dnssec-signing: off/dnssec-signing: on/' "$T/signet.yaml"
"$SIGNETC" reload -s "$SOCK" >/dev/null 2>&1 || :
axfr example.edu "$T/edu.axfr"
want=$(dnssec-dsfromkey -2 "$T/$ksk.key" 2>/dev/null | awk '{ print $4, $5, $6, $7 }')
got=$("$SIGNETC" zone-ds -s "$SOCK" example.edu 2>/dev/null | awk '{ print $4, $5, $6, $7 }')
tags=$(awk '$4 == "RRSIG" { print $11 }' "$T/edu.axfr" | sort -u | tr '\n' ' ')
ktag=$(echo "$ksk" | sed 's/.*+0*//')
ztag=$(echo "$zsk" | sed 's/.*+0*//')
if [ -n "$want" ] && [ "$got" = "$want" ] && [ "$(awk '$4 == "DNSKEY"' "$T/edu.axfr" | wc -l)" = 2 ] &&
	[ "$tags" = "$(printf '%s\n%s\n' "$ktag" "$ztag" | sort | tr '\n' ' ')" ]; then
	sn_ok "BIND keys imported: the zone is signed by them, DS as BIND computes it"
else
	sn_not_ok "BIND key import" "got '$got' want '$want' tags '$tags' ($ktag $ztag): $o1 $o2" "$T/log"
fi
verify "the zone signed with imported BIND keys verifies" example.edu "$T/edu.axfr"

kill "$PID"
wait "$PID" 2>/dev/null || :
sn_finish
