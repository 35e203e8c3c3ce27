#!/bin/sh
# SPDX-License-Identifier: MIT
# server_rollover: key rollovers run by signetd's policy clock (issue 5),
# with short timers (propagation-delay 1 s, DNSKEY and zone TTLs 2 s) so a
# whole cycle takes seconds of real time; signatures keep real validity
# times, so validators judge them as they would any zone.
#  - ZSK pre-publication, automatic at the end of its lifetime: published
#    first, then signing, then the old key leaves;
#  - KSK double signature with CDS/CDNSKEY, forced by zone-key-rollover,
#    waiting for the DS until zone-ksk-submitted; zone-status shows the step;
#  - CSK rollover the same way;
#  - at every serial seen, the zone passes dnssec-verify and ldns-verify-zone.
set -eu
. "$(dirname "$0")/../lib.sh"
sn_init server_rollover
sn_need dig python3 dnssec-verify ldns-verify-zone
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
  - id: fastzsk
    zsk-lifetime: 14s
    propagation-delay: 1s
    dnskey-ttl: 2s
  - id: fastcsk
    single-type-signing: on
    propagation-delay: 1s
    dnskey-ttl: 2s
template:
  - id: default
    acl: [xfr]
    dnssec-signing: on
zone:
  - domain: example.com.
    file: $T/example.com.zone
    dnssec-policy: fastzsk
  - domain: example.net.
    file: $T/example.net.zone
    dnssec-policy: fastcsk
YAML
for z in example.com example.net; do
	cat >"$T/$z.zone" <<ZONE
\$ORIGIN $z.
\$TTL 2
@ SOA ns1 hostmaster 1 7200 3600 1209600 2
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.80
*.wild TXT "wildcard"
sub NS ns.sub
ns.sub A 192.0.2.53
ZONE
done

"$SIGNETD" -c "$T/signet.yaml" >"$T/log" 2>&1 &
PID=$!
sn_track "$PID"
sn_wait_port "$PORT" 20 || { sn_not_ok "signetd starts" "not listening" "$T/log"; sn_finish; }
sleep 0.3

BAD=""
SEEN=""
# look ZONE: fetch the zone; at a serial not seen before, check it with both
# validators and note its key phase "DNSKEY tags / RRSIG(SOA) tags / CDS"
look() {
	z=$1
	f=$T/$z.cur
	dig @127.0.0.1 -p "$PORT" +tcp +onesoa +nocmd +nostats +nocomments "$z" AXFR >"$f" 2>/dev/null || return 0
	s=$(awk '$4 == "SOA" { print $7; exit }' "$f")
	[ -n "$s" ] || return 0
	case " $SEEN " in *" $z/$s "*) return 0 ;; esac
	SEEN="$SEEN $z/$s"
	cp "$f" "$T/$z.$s"
	zflag=""
	[ "$z" = example.net ] && zflag=-z
	if ! dnssec-verify $zflag -o "$z" "$f" >"$T/v.out" 2>&1 || ! ldns-verify-zone "$f" >>"$T/v.out" 2>&1; then
		BAD="$BAD $z/$s"
		cp "$T/v.out" "$T/$z.$s.verify"
	fi
	python3 - "$f" >>"$T/$z.phases" <<'PY'
import sys, base64, struct
def tag(rd):
    w = rd
    ac = 0
    for i, b in enumerate(w):
        ac += b if i & 1 else b << 8
    ac += (ac >> 16) & 0xFFFF
    return ac & 0xFFFF
keys, sigs, cds, serial = [], set(), 0, "?"
for l in open(sys.argv[1]):
    f = l.split()
    if len(f) < 5:
        continue
    if f[3] == "SOA":
        serial = f[6]
    if f[3] == "DNSKEY":
        flags, proto, alg = int(f[4]), int(f[5]), int(f[6])
        rd = struct.pack("!HBB", flags, proto, alg) + base64.b64decode("".join(f[7:]))
        keys.append("%d%s" % (tag(rd), "k" if flags & 1 else "z"))
    if f[3] == "RRSIG" and f[4] in ("SOA", "DNSKEY"):
        sigs.add(f[4][0] + f[10])
    if f[3] == "CDS":
        cds += 1
print(serial, "keys=" + ",".join(sorted(keys)), "sigs=" + ",".join(sorted(sigs)), "cds=%d" % cds)
PY
}

# watch ZONE SECONDS
watch() {
	i=0
	while [ "$i" -lt "$(($2 * 4))" ]; do
		look "$1"
		sleep 0.25
		i=$((i + 1))
	done
}

# ZSK: lifetime 14 s, Ipub 3 s: the successor appears at about 11 s, signs
# at 14 s, the old key goes Iret = 3 s later
watch example.com 22
python3 - "$T/example.com.phases" <<'PY' && sn_ok "ZSK rollover by pre-publication: $(cut -d' ' -f2,3 "$T/example.com.phases" | uniq | tr '\n' '|')" || sn_not_ok "ZSK rollover phases" "$(cat "$T/example.com.phases")" "$T/log"
import sys
rows = [l.split() for l in open(sys.argv[1])]
zsk = lambda r: sorted(k for k in r[1][5:].split(",") if k.endswith("z"))
soa_signer = lambda r: sorted(s[1:] for s in r[2][5:].split(",") if s.startswith("S"))
first = zsk(rows[0])
assert len(first) == 1, first
old = first[0][:-1]
# a row with both ZSKs where the old one signs, then one with both where the
# new one signs, then the new one alone
phase = []
for r in rows:
    z = zsk(r)
    signer = soa_signer(r)
    if len(z) == 1 and z[0][:-1] == old:
        p = "old"
    elif len(z) == 2 and signer == [old]:
        p = "prepublished"
    elif len(z) == 2 and old not in signer:
        p = "new-signs"
    elif len(z) == 1 and z[0][:-1] != old and old not in signer:
        p = "new"
    elif phase[-1:] == ["new"]:
        break  # the next rollover
    else:
        raise SystemExit("unexpected " + " ".join(r))
    if not phase or phase[-1] != p:
        phase.append(p)
# (a next rollover may have begun before the watch ended)
assert phase[:4] == ["old", "prepublished", "new-signs", "new"], phase
PY

# KSK, forced
out=$("$SIGNETC" zone-key-rollover -s "$SOCK" example.com ksk 2>&1) &&
	sn_ok "zone-key-rollover ksk starts it" || sn_not_ok "zone-key-rollover ksk" "$out"
watch example.com 5
st=$("$SIGNETC" zone-status -s "$SOCK" example.com 2>&1) || :
case $st in *"waiting for its DS"*) sn_ok "zone-status: waiting for the DS at the parent" ;; *) sn_not_ok "zone-status during KSK rollover" "$st" ;; esac
"$SIGNETC" zone-status --json -s "$SOCK" example.com 2>&1 | python3 -c '
import json, sys
z = json.load(sys.stdin)["zones"][0]
states = sorted((k["role"], k["state"]) for k in z["keys"])
assert ("ksk", "active") in states and ("ksk", "ready") in states, states
assert "waiting for its DS" in z["rollover"], z["rollover"]
' && sn_ok "zone-status --json: each key with its state (a ready KSK beside the active one)" ||
	sn_not_ok "zone-status --json keys" "$("$SIGNETC" zone-status --json -s "$SOCK" example.com 2>&1 | head -c 600)"
ds=$("$SIGNETC" zone-ds -s "$SOCK" example.com 2>&1 | wc -l)
[ "$ds" = 2 ] && sn_ok "zone-ds gives both KSKs' DS during the rollover" || sn_not_ok "zone-ds during rollover" "$ds lines"
tail -n 1 "$T/example.com.phases" | grep -q 'cds=[1-9]' && sn_ok "CDS published for the new KSK while it waits" ||
	sn_not_ok "CDS while waiting" "$(tail -n 1 "$T/example.com.phases")"
out=$("$SIGNETC" zone-ksk-submitted -s "$SOCK" example.com 2>&1) &&
	sn_ok "zone-ksk-submitted" || sn_not_ok "zone-ksk-submitted" "$out"
watch example.com 9
python3 - "$T/example.com.phases" <<'PY' && sn_ok "KSK rollover: double signature, then the old KSK leaves and CDS is gone" || sn_not_ok "KSK rollover phases" "$(tail -n 8 "$T/example.com.phases")" "$T/log"
import sys
rows = [l.split() for l in open(sys.argv[1])]
ksk = lambda r: sorted(k[:-1] for k in r[1][5:].split(",") if k.endswith("k"))
dk_signers = lambda r: sorted(s[1:] for s in r[2][5:].split(",") if s.startswith("D"))
two = [r for r in rows if len(ksk(r)) == 2]
assert two, "never two KSKs"
both_sign = [r for r in two if len(set(dk_signers(r)) & set(ksk(r))) == 2]
assert both_sign, "never signed by both KSKs"
last = rows[-1]
assert len(ksk(last)) == 1 and last[3] == "cds=0", last
assert ksk(last)[0] != ksk(rows[0])[0]
PY

# CSK, forced
look example.net
out=$("$SIGNETC" zone-key-rollover -s "$SOCK" example.net csk 2>&1) || :
watch example.net 4
"$SIGNETC" zone-ksk-submitted -s "$SOCK" example.net >/dev/null 2>&1 || :
watch example.net 9
python3 - "$T/example.net.phases" <<'PY' && sn_ok "CSK rollover: one key, two, then the new one alone" || sn_not_ok "CSK rollover phases" "$(cat "$T/example.net.phases")" "$T/log"
import sys
rows = [l.split() for l in open(sys.argv[1])]
keys = lambda r: sorted(r[1][5:].split(","))
n = [len(keys(r)) for r in rows]
assert n[0] == 1 and 2 in n and n[-1] == 1, n
assert keys(rows[0]) != keys(rows[-1])
PY

# algorithm rollover of example.net.: 13 -> 15 by a new policy and a reload
sed -i '/- id: fastcsk/a\    algorithm: ed25519' "$T/signet.yaml"
"$SIGNETC" reload -s "$SOCK" >/dev/null 2>&1 || sn_not_ok "reload with a new algorithm" ""
i=0
while [ "$i" -lt 40 ] && ! "$SIGNETC" zone-status -s "$SOCK" example.net 2>/dev/null | grep -q "waiting for its DS"; do
	look example.net
	sleep 0.25
	i=$((i + 1))
done
"$SIGNETC" zone-ksk-submitted -s "$SOCK" example.net >/dev/null 2>&1 || sn_not_ok "zone-ksk-submitted (algorithm)" ""
watch example.net 10
python3 - "$T/example.net.phases" "$T" <<'PY' && sn_ok "algorithm rollover 13 -> 15: both algorithms sign, then 15 alone" || sn_not_ok "algorithm rollover phases" "$(tail -n 6 "$T/example.net.phases")" "$T/log"
import sys, glob
algs = []
for f in sorted(glob.glob(sys.argv[2] + "/example.net.[0-9]*"), key=lambda x: int(x.rsplit(".", 1)[1])):
    if f.endswith(".verify"):
        continue
    a = set()
    for l in open(f):
        x = l.split()
        if len(x) > 6 and x[3] == "DNSKEY":
            a.add(x[6])
    algs.append(tuple(sorted(a)))
assert ("13", "15") in algs, algs
assert algs[-1] == ("15",), algs[-1]
PY

if [ -z "$BAD" ]; then
	sn_ok "every serial seen passes dnssec-verify and ldns-verify-zone ($(echo $SEEN | wc -w) versions)"
else
	sn_not_ok "validators at every step" "failed:$BAD $(cat "$T"/*.verify | head -n 5)"
fi
kill "$PID"
wait "$PID" 2>/dev/null || :
sn_finish
