#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - answers with DO=1 from signed zones: signetd against knotd and
# against a validating resolver.
#
# At test time, zones are signed offline with dnssec-keygen and
# dnssec-signzone: one with NSEC, one with NSEC3 (no salt, 0 iterations,
# RFC 9276), one with NSEC3 opt-out, each with wildcards, empty
# non-terminals, CNAME chains, a DNAME, a delegation to a signed child (with DS) and
# one to an unsigned child (without); the children are served too. A copy
# of the NSEC3 zone gets one signature broken before it is loaded. Two more
# zones of the same content are signed by signetd itself (dnssec-signing:
# on; NSEC3 and NSEC policies), fetched by AXFR and given to knotd as files.
#
# 1. signetd and knotd serve the same files; server_knot_diff/diff.py, in
#    its DNSSEC mode, asks both many DO=1 queries (every name x the DNSSEC
#    types, NXDOMAIN, NODATA, wildcards, referrals, hashed owner names,
#    small UDP sizes) and compares each section as a set of records.
# 2. unbound validates signetd's answers (trust anchors: the zones' DS,
#    stub zones pointing at signetd): positive, NXDOMAIN, NODATA, wildcard,
#    wildcard NODATA, empty non-terminal, DS and no-DS answers must come back
#    secure (AD), the unsigned child insecure (no AD, no SERVFAIL), and the
#    broken signature SERVFAIL; the same for the zones signetd signed
#    (their trust anchors from the DNSKEYs served, by dnssec-dsfromkey).
#
# Exits 77 when a tool is missing. SN_KEEP=1 keeps the scratch dir.
set -eu

. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
sn_init server_dnssec
sn_need knotd unbound dig dnssec-keygen dnssec-signzone dnssec-dsfromkey named-checkzone python3
SIGNETD=$(sn_prog signetd)
DIFF=$top_srcdir/tests/integration/server_knot_diff/diff.py
T=$SN_TMP
SPORT=$(sn_pick_port)
KPORT=$(sn_pick_port)
UPORT=$(sn_pick_port)
while [ "$KPORT" = "$SPORT" ]; do KPORT=$(sn_pick_port); done
while [ "$UPORT" = "$SPORT" ] || [ "$UPORT" = "$KPORT" ]; do UPORT=$(sn_pick_port); done

mkdir -p "$T/keys" "$T/dsset"
PARENTS="nsec.dnssec. nsec3.dnssec. optout.dnssec."

# The parent zones' content ($ORIGIN set by the caller). The negative TTL
# (SOA MINIMUM) equals the TTL, so NSEC/NSEC3 TTLs match the SOA's.
parent_body() {
	cat <<'EOF'
$TTL 3600
@ SOA ns1 hostmaster 1 7200 3600 1209600 3600
@ NS ns1
@ A 192.0.2.1
@ MX 10 mail
ns1 A 192.0.2.53
mail A 192.0.2.25
mail AAAA 2001:db8::25
www A 192.0.2.2
www AAAA 2001:db8::2
txt TXT "hello"
alias CNAME www
chain1 CNAME alias
towild CNAME x.wild
dangling CNAME nothing
*.wild A 192.0.2.80
*.wild TXT "wild"
exists.wild A 192.0.2.81
*.wc CNAME www
dn DNAME wild
a.b.ent A 192.0.2.83
_sip._tcp SRV 10 5 5060 mail
sec NS ns.sec
ns.sec A 127.0.0.1
insec NS ns.insec
ns.insec A 127.0.0.1
u1 NS ns.u1
ns.u1 A 127.0.0.1
u2 NS ns.elsewhere.example.
EOF
}

child_body() {
	cat <<'EOF'
$TTL 3600
@ SOA ns hostmaster 1 7200 3600 1209600 3600
@ NS ns
ns A 127.0.0.1
www A 192.0.2.200
EOF
}

keygen() {
	dnssec-keygen -q -K "$T/keys" -a ECDSAP256SHA256 "$1" >/dev/null &&
		dnssec-keygen -q -K "$T/keys" -a ECDSAP256SHA256 -f KSK "$1" >/dev/null
}

# sign ZONE INFILE OUTFILE [dnssec-signzone options...]
sign() {
	z=$1 in=$2 out=$3
	shift 3
	keygen "$z" &&
		dnssec-signzone -q -S -K "$T/keys" -d "$T/dsset" -o "$z" -f "$out" \
			-e +2592000 "$@" "$in" >"$T/sign-$z.log" 2>&1
}

ZONES=""
for p in $PARENTS; do
	case $p in
	nsec.*) opts="" ;;
	nsec3.*) opts="-3 - -H 0" ;;
	optout.*) opts="-3 - -H 0 -A" ;;
	esac
	# the children: one signed (its DS goes to the parent), one not
	{ echo "\$ORIGIN sec.$p"; child_body; } >"$T/sec.${p}in"
	{ echo "\$ORIGIN insec.$p"; child_body; } >"$T/insec.${p}zone"
	# shellcheck disable=SC2086
	if ! sign "sec.$p" "$T/sec.${p}in" "$T/sec.${p}zone"; then
		sn_not_ok "sign sec.$p" "dnssec-signzone failed" "$T/sign-sec.$p.log"
		sn_finish
	fi
	{ echo "\$ORIGIN $p"; parent_body; cat "$T/dsset/dsset-sec.$p"; } >"$T/${p}in"
	# shellcheck disable=SC2086
	if ! sign "$p" "$T/${p}in" "$T/${p}zone" $opts; then
		sn_not_ok "sign $p" "dnssec-signzone failed" "$T/sign-$p.log"
		sn_finish
	fi
	ZONES="$ZONES $p sec.$p insec.$p"
done
# broken.dnssec.: NSEC3, and the signature of www's A RRset altered (one
# base64 character of the signature flipped) after signing
{ echo "\$ORIGIN broken.dnssec."; parent_body; } >"$T/broken.dnssec.in"
if ! sign broken.dnssec. "$T/broken.dnssec.in" "$T/broken.dnssec.signed" -3 - -H 0; then
	sn_not_ok "sign broken.dnssec." "dnssec-signzone failed" "$T/sign-broken.dnssec..log"
	sn_finish
fi
named-checkzone -q -D -o - broken.dnssec. "$T/broken.dnssec.signed" | python3 -c '
import sys
done = False
for line in sys.stdin:
    f = line.split()
    if not done and len(f) > 8 and f[0] == "www.broken.dnssec." and f[3] == "RRSIG" and f[4] == "A":
        sig = f[-1]
        c = "A" if sig[10] != "A" else "B"
        f[-1] = sig[:10] + c + sig[11:]
        line = " ".join(f) + "\n"
        done = True
    sys.stdout.write(line)
if not done:
    sys.exit("no RRSIG A at www.broken.dnssec.")
' >"$T/broken.dnssec.zone"
ZONES="$ZONES broken.dnssec."
sn_ok "zones signed with dnssec-signzone (NSEC, NSEC3, NSEC3 opt-out)"

# zones signetd signs itself, from the same unsigned content
INLINE="inline3.dnssec. inline1.dnssec."
for z in $INLINE; do
	{ echo "\$ORIGIN $z"; parent_body; } >"$T/${z}in"
done
{
	cat <<EOF
server:
  listen: [127.0.0.1@$SPORT]
  workers: 1
  tcp-workers: 1
  storage: $T/signet
  identity: ns.dnssec
  version: dnssec-1.0
  nsid: dnssec-nsid
acl:
  - id: xfr
    address: [127.0.0.1]
    action: [transfer]
policy:
  - id: n3
    algorithm: ecdsap256sha256
  - id: nsec
    algorithm: ecdsap256sha256
    nsec3: off
zone:
  - domain: inline3.dnssec.
    file: $T/inline3.dnssec.in
    dnssec-signing: on
    dnssec-policy: n3
    acl: [xfr]
  - domain: inline1.dnssec.
    file: $T/inline1.dnssec.in
    dnssec-signing: on
    dnssec-policy: nsec
    acl: [xfr]
EOF
	for z in $ZONES; do
		printf '  - domain: %s\n    file: %s/%szone\n' "$z" "$T" "$z"
	done
} >"$T/signet.yaml"
mkdir -p "$T/signet"

mkdir -p "$T/knot/db"
{
	cat <<EOF
server:
  rundir: $T/knot
  listen: 127.0.0.1@$KPORT
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
  identity: ns.dnssec
  version: dnssec-1.0
  nsid: dnssec-nsid
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
if ! sn_wait_port "$SPORT" 10; then
	sn_not_ok "signetd starts" "not listening on $SPORT" "$T/signetd.log"
	sn_finish
fi
# signetd's own signatures, by AXFR, become knotd's zone files
for z in $INLINE; do
	for _ in $(seq 100); do
		if dig @127.0.0.1 -p "$SPORT" +short +tries=1 +time=1 "$z" DNSKEY | grep -q .; then
			break
		fi
		sleep 0.1
	done
	dig @127.0.0.1 -p "$SPORT" +tcp +onesoa +nocmd +nostats +nocomments "$z" AXFR \
		>"$T/${z}zone" 2>/dev/null || :
	if grep -q RRSIG "$T/${z}zone"; then
		sn_ok "$z: signed by signetd, $(grep -c . "$T/${z}zone") records by AXFR"
	else
		sn_not_ok "$z signed by signetd" "no RRSIG in the transfer" "$T/signetd.log"
	fi
done
ZONES="$ZONES $INLINE"
for z in $INLINE; do
	printf '  - domain: %s\n' "$z"
done >>"$T/knot.conf"
knotd -c "$T/knot.conf" >"$T/knotd.log" 2>&1 &
KPID=$!
sn_track $KPID
if ! sn_wait_port "$KPORT" 10; then
	sn_not_ok "knotd starts" "not listening on $KPORT" "$T/knotd.log"
	sn_finish
fi
for z in $ZONES; do
	for _ in $(seq 50); do
		if dig @127.0.0.1 -p "$KPORT" +short +tries=1 +time=1 "$z" SOA | grep -q .; then
			break
		fi
		sleep 0.1
	done
done
sn_ok "signetd on $SPORT and knotd on $KPORT serve the signed zones"

# 1. the differential test, every query with DO
args=""
for z in $ZONES; do
	args="$args $T/${z}zone:$z"
done
# shellcheck disable=SC2086
SN_DIFF_DNSSEC=1 python3 "$DIFF" "$SPORT" "$KPORT" $args >"$T/results" 2>"$T/diffs" || :
if ! grep -q '^INFO' "$T/results"; then
	sn_not_ok "diff.py runs" "it failed" "$T/diffs"
fi
while IFS=$'\t' read -r st name why; do
	case $st in
	PASS) sn_ok "DO=1 $name" ;;
	FAIL) sn_not_ok "DO=1 $name" "$why" ;;
	XFAIL) sn_ok "DO=1 $name # TODO $why" ;;
	XPASS) sn_not_ok "DO=1 $name" "no longer seen: remove it from KNOWN_BUGS in diff.py" ;;
	INFO) echo "# $name" ;;
	esac
done <"$T/results"
if [ -s "$T/diffs" ]; then
	echo "# differences (ALLOWED ones carry their reason in diff.py):"
	sed 's/^/#   /' "$T/diffs" | head -n 200
fi

# 2. a validating resolver in front of signetd
{
	cat <<EOF
server:
  interface: 127.0.0.1
  port: $UPORT
  do-ip6: no
  do-not-query-localhost: no
  username: ""
  chroot: ""
  directory: "$T"
  pidfile: "$T/unbound.pid"
  use-syslog: no
  logfile: "$T/unbound.log"
  verbosity: 1
  val-log-level: 2
  num-threads: 1
  so-reuseport: no
  qname-minimisation: no
  aggressive-nsec: no
  prefetch: no
  module-config: "validator iterator"
  trust-anchor-file: "$T/anchors"
  access-control: 127.0.0.0/8 allow
  local-zone: "dnssec." nodefault
EOF
	for z in $ZONES; do
		printf 'stub-zone:\n  name: "%s"\n  stub-addr: 127.0.0.1@%s\n' "$z" "$SPORT"
	done
} >"$T/unbound.conf"
cat "$T/dsset/dsset-nsec.dnssec." "$T/dsset/dsset-nsec3.dnssec." \
	"$T/dsset/dsset-optout.dnssec." "$T/dsset/dsset-broken.dnssec." >"$T/anchors"
for z in $INLINE; do
	dig @127.0.0.1 -p "$SPORT" +noall +answer "$z" DNSKEY >"$T/$z.dnskey"
	dnssec-dsfromkey -2 -f "$T/$z.dnskey" "$z" >>"$T/anchors" 2>>"$T/dsfromkey.log" ||
		sn_not_ok "DS of $z" "dnssec-dsfromkey failed" "$T/dsfromkey.log"
done
unbound -d -c "$T/unbound.conf" >"$T/unbound.out" 2>&1 &
UPID=$!
sn_track $UPID
if ! sn_wait_port "$UPORT" 10; then
	sn_not_ok "unbound starts" "not listening on $UPORT" "$T/unbound.out"
	sn_finish
fi

# ask NAME TYPE: prints "RCODE FLAGS ANSWERCOUNT"
ask() {
	dig @127.0.0.1 -p "$UPORT" +dnssec +tries=2 +time=3 "$1" "$2" >"$T/last" 2>&1 || :
	rc=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$T/last" | head -n 1)
	fl=$(sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' "$T/last" | head -n 1)
	an=$(sed -n 's/.*ANSWER: \([0-9]*\),.*/\1/p' "$T/last" | head -n 1)
	echo "${rc:-none} ${fl:-} ${an:-0}"
}

# expect WHAT NAME TYPE RCODE secure|insecure
expect() {
	what=$1 name=$2 type=$3 want_rc=$4 want_sec=$5
	got=$(ask "$name" "$type")
	rc=${got%% *}
	ad=no
	case " $got " in *" ad "*) ad=yes ;; esac
	if [ "$rc" != "$want_rc" ]; then
		sn_not_ok "$what: $name $type" "unbound says $rc, expected $want_rc" "$T/last"
	elif [ "$want_sec" = secure ] && [ "$ad" != yes ]; then
		sn_not_ok "$what: $name $type" "not validated (no AD)" "$T/last"
	elif [ "$want_sec" = insecure ] && [ "$ad" = yes ]; then
		sn_not_ok "$what: $name $type" "AD set on an insecure answer" "$T/last"
	else
		sn_ok "$what: $name $type -> $rc ($want_sec)"
	fi
}

for p in $PARENTS; do
	# RFC 5155 9.2: a proof whose next closer name is covered by an
	# opt-out NSEC3 cannot rule out an unsigned delegation there; the
	# resolver takes it as insecure (never bogus)
	case $p in
	optout.*) cover=insecure ;;
	*) cover=secure ;;
	esac
	expect "positive" "www.$p" A NOERROR secure
	expect "DNSKEY" "$p" DNSKEY NOERROR secure
	expect "CNAME chain" "chain1.$p" A NOERROR secure
	expect "CNAME to NXDOMAIN" "dangling.$p" A NXDOMAIN $cover
	expect "NXDOMAIN" "nx.$p" A NXDOMAIN $cover
	expect "NXDOMAIN below a name" "a.b.www.$p" TXT NXDOMAIN $cover
	expect "NODATA" "www.$p" TXT NOERROR secure
	expect "NODATA at the apex" "$p" AAAA NOERROR secure
	expect "empty non-terminal" "b.ent.$p" A NOERROR secure
	expect "wildcard" "x.y.wild.$p" A NOERROR $cover
	expect "wildcard NODATA" "x.wild.$p" AAAA NOERROR $cover
	expect "wildcard CNAME" "foo.wc.$p" A NOERROR $cover
	expect "CNAME into a wildcard" "towild.$p" TXT NOERROR $cover
	expect "DNAME into a wildcard" "x.dn.$p" TXT NOERROR $cover
	expect "DS at a signed child" "sec.$p" DS NOERROR secure
	expect "signed child" "www.sec.$p" A NOERROR secure
	expect "no DS at an unsigned child" "insec.$p" A NOERROR insecure
	expect "unsigned child" "www.insec.$p" A NOERROR insecure
	case $p in
	optout.*) expect "DS NODATA (opt-out)" "insec.$p" DS NOERROR insecure ;;
	*) expect "DS NODATA" "insec.$p" DS NOERROR secure ;;
	esac
done
for p in $INLINE; do
	expect "signed by signetd: positive" "www.$p" A NOERROR secure
	expect "signed by signetd: DNSKEY" "$p" DNSKEY NOERROR secure
	expect "signed by signetd: CNAME chain" "chain1.$p" A NOERROR secure
	expect "signed by signetd: NXDOMAIN" "nx.$p" A NXDOMAIN secure
	expect "signed by signetd: NODATA" "www.$p" TXT NOERROR secure
	expect "signed by signetd: empty non-terminal" "b.ent.$p" A NOERROR secure
	expect "signed by signetd: wildcard" "x.y.wild.$p" A NOERROR secure
	expect "signed by signetd: wildcard NODATA" "x.wild.$p" AAAA NOERROR secure
	expect "signed by signetd: CNAME into a wildcard" "towild.$p" TXT NOERROR secure
	expect "signed by signetd: DS NODATA" "u1.$p" DS NOERROR secure
done
expect "broken signature" "www.broken.dnssec." A SERVFAIL any
expect "good signature beside a broken one" "mail.broken.dnssec." A NOERROR secure

kill "$UPID" "$SPID" "$KPID" 2>/dev/null || :
wait "$UPID" "$SPID" "$KPID" 2>/dev/null || :
if grep -q -E "runtime error|AddressSanitizer|LeakSanitizer|ThreadSanitizer" "$T/signetd.log"; then
	sn_not_ok "no sanitizer report in the signetd log" "see the log" "$T/signetd.log"
else
	sn_ok "no sanitizer report in the signetd log"
fi
sn_finish
