#!/bin/sh
# SPDX-License-Identifier: MIT
# server_chain: rollovers seen by a validating resolver through a real
# chain of trust (issue 5). signetd serves and signs a parent zone, test.,
# and two children: child.test. (KSK + ZSK, ZSK lifetime 12 s) and
# csk.test. (one CSK). The children's DS go into the parent with
# zone-update, as a registrar would send them to a registry; unbound has
# only test.'s DS as trust anchor and caches for a second at most.
#  - while a ZSK rollover runs by itself, then a KSK and a CSK rollover run
#    by the double-DS dance (new DS added at the parent from zone-ds, then
#    zone-ksk-submitted, or for child.test. the policy's KSK submission check
#    asking the parent's server, the old DS removed when the old key is gone),
#    then an algorithm rollover of csk.test. (13 -> 15) by a new policy,
#    unbound validates positive, NXDOMAIN, NODATA, wildcard and wildcard
#    NODATA answers of the children every half second: every one must be
#    secure;
#  - a DS at the parent that matches no key makes unbound answer SERVFAIL.
set -eu
. "$(dirname "$0")/../lib.sh"
sn_init server_chain
sn_need dig unbound python3
SIGNETD=$(sn_prog signetd)
SIGNETC=$(sn_prog signetc)
T=$SN_TMP
PORT=$(sn_pick_port)
UPORT=$(sn_pick_port)
while [ "$UPORT" = "$PORT" ]; do UPORT=$(sn_pick_port); done
SOCK=$T/var/signet.sock

cat >"$T/signet.yaml" <<YAML
server:
  listen: [127.0.0.1@$PORT]
  workers: 1
  storage: $T/var
remote:
  - id: self
    address: [127.0.0.1@$PORT]
submission:
  - id: parent
    parent: [self]
    check-interval: 1s
policy:
  - id: parent
    single-type-signing: on
    propagation-delay: 1s
    dnskey-ttl: 2s
  - id: fast
    zsk-lifetime: 12s
    propagation-delay: 1s
    dnskey-ttl: 2s
    ksk-submission: parent
  - id: fastcsk
    single-type-signing: on
    propagation-delay: 1s
    dnskey-ttl: 2s
zone:
  - domain: test.
    file: $T/test.zone
    dnssec-signing: on
    dnssec-policy: parent
  - domain: child.test.
    file: $T/child.test.zone
    dnssec-signing: on
    dnssec-policy: fast
  - domain: csk.test.
    file: $T/csk.test.zone
    dnssec-signing: on
    dnssec-policy: fastcsk
YAML
cat >"$T/test.zone" <<'ZONE'
$ORIGIN test.
$TTL 2
@ SOA ns hostmaster 1 7200 3600 1209600 2
@ NS ns
ns A 127.0.0.1
child NS ns.child
ns.child A 127.0.0.1
csk NS ns.csk
ns.csk A 127.0.0.1
ZONE
for z in child.test csk.test; do
	cat >"$T/$z.zone" <<ZONE
\$ORIGIN $z.
\$TTL 2
@ SOA ns hostmaster 1 7200 3600 1209600 2
@ NS ns
ns A 127.0.0.1
www A 192.0.2.80
*.wild A 192.0.2.99
ZONE
done

"$SIGNETD" -c "$T/signet.yaml" >"$T/log" 2>&1 &
PID=$!
sn_track "$PID"
sn_wait_port "$PORT" 20 || { sn_not_ok "signetd starts" "not listening" "$T/log"; sn_finish; }
sleep 0.3

# set_ds CHILD: the parent's DS RRset for CHILD becomes what zone-ds says now
set_ds() {
	c=$1
	"$SIGNETC" zone-ds -s "$SOCK" "$c" >"$T/ds.$c" 2>&1 || return 1
	{
		printf 'del %s DS\n' "${c%.test}"
		awk '{ print "add", $1, "2", $3, $4, $5, $6, $7 }' "$T/ds.$c"
	} >"$T/upd.$c"
	"$SIGNETC" zone-update -s "$SOCK" test --input "$T/upd.$c" >/dev/null 2>&1
}
set_ds child.test && set_ds csk.test && sn_ok "the children's DS go into the parent (zone-ds, zone-update)" ||
	sn_not_ok "DS into the parent" "$(cat "$T"/ds.* 2>&1)" "$T/log"

"$SIGNETC" zone-ds -s "$SOCK" test >"$T/anchors" 2>&1
cat >"$T/unbound.conf" <<EOF
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
  cache-max-ttl: 1
  cache-max-negative-ttl: 1
  val-bogus-ttl: 1
  infra-host-ttl: 1
  module-config: "validator iterator"
  trust-anchor-file: "$T/anchors"
  access-control: 127.0.0.0/8 allow
  # test. is an RFC 6761 special-use name unbound answers itself
  local-zone: "test." nodefault
stub-zone:
  name: "test."
  stub-addr: 127.0.0.1@$PORT
stub-zone:
  name: "child.test."
  stub-addr: 127.0.0.1@$PORT
stub-zone:
  name: "csk.test."
  stub-addr: 127.0.0.1@$PORT
EOF
unbound -d -c "$T/unbound.conf" >"$T/unbound.out" 2>&1 &
UPID=$!
sn_track "$UPID"
sn_wait_port "$UPORT" 10 || { sn_not_ok "unbound starts" "not listening" "$T/unbound.out"; sn_finish; }

CHECKS=0
FAILS=""
# probe: positive, NXDOMAIN, NODATA, wildcard and wildcard NODATA answers of
# the children, all secure
probe() {
	for q in "www.child.test A NOERROR" "nx.child.test A NXDOMAIN" "www.csk.test A NOERROR" "nx.csk.test A NXDOMAIN" \
		"www.child.test TXT NOERROR" "a.wild.csk.test A NOERROR" "a.wild.child.test TXT NOERROR"; do
		set -- $q
		dig @127.0.0.1 -p "$UPORT" +dnssec +tries=1 +time=3 "$1" "$2" >"$T/last" 2>&1 || :
		rc=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$T/last" | head -n 1)
		fl=$(sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' "$T/last" | head -n 1)
		CHECKS=$((CHECKS + 1))
		case " $fl " in *" ad "*) ad=yes ;; *) ad=no ;; esac
		if [ "$rc" != "$3" ] || [ "$ad" != yes ]; then
			FAILS="$FAILS $(date +%T):$1:$rc:ad=$ad"
			cp "$T/last" "$T/fail.$CHECKS"
		fi
	done
}
probe_for() {
	i=0
	while [ "$i" -lt "$(($1 * 2))" ]; do
		probe
		sleep 0.5
		i=$((i + 1))
	done
}
waiting() {
	i=0
	while [ "$i" -lt 40 ]; do
		"$SIGNETC" zone-status -s "$SOCK" "$1" 2>/dev/null | grep -q "waiting for its DS" && return 0
		probe
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}
probe
[ -z "$FAILS" ] && sn_ok "unbound validates both children through test." ||
	sn_not_ok "validation at start" "$FAILS" "$T/unbound.log"

# a ZSK rollover of child.test. happens by itself within 12 s
probe_for 16
grep -q 'child.test.: ZSK rollover' "$T/log" && sn_ok "a ZSK rollover ran while unbound validated" ||
	sn_not_ok "ZSK rollover ran" "" "$T/log"

# KSK of child.test., CSK of csk.test.: double DS at the parent
for c in child.test csk.test; do
	kind=ksk
	[ "$c" = csk.test ] && kind=csk
	"$SIGNETC" zone-key-rollover -s "$SOCK" "$c" $kind >/dev/null 2>&1 || sn_not_ok "$c: rollover starts" ""
	if ! waiting "$c"; then
		sn_not_ok "$c: new key waits for its DS" "$("$SIGNETC" zone-status -s "$SOCK" "$c" 2>&1)" "$T/log"
		continue
	fi
	set_ds "$c"
	n=$(wc -l <"$T/ds.$c")
	probe_for 3 # the parent's old DS RRset leaves the caches
	if [ "$c" = child.test ]; then
		# its policy asks the parent (signetd's own test. zone) every second
		i=0
		while [ "$i" -lt 20 ] && ! grep -q "child.test.: DS of key .* seen at the parent" "$T/log"; do
			probe
			sleep 0.5
			i=$((i + 1))
		done
		grep -q "child.test.: DS of key .* seen at the parent" "$T/log" &&
			sn_ok "child.test: the new DS found at the parent by the submission check, no command" ||
			sn_not_ok "child.test: submission check" "" "$T/log"
	else
		"$SIGNETC" zone-ksk-submitted -s "$SOCK" "$c" >/dev/null 2>&1 || sn_not_ok "$c: zone-ksk-submitted" ""
	fi
	i=0
	while [ "$i" -lt 30 ] && [ "$("$SIGNETC" zone-ds -s "$SOCK" "$c" 2>/dev/null | wc -l)" != 1 ]; do
		probe
		sleep 0.5
		i=$((i + 1))
	done
	set_ds "$c"
	probe_for 3
	m=$(wc -l <"$T/ds.$c")
	[ "$n" = 2 ] && [ "$m" = 1 ] && sn_ok "$c: $kind rollover with the DS at the parent: two DS, then the new one" ||
		sn_not_ok "$c: $kind rollover DS" "$n then $m DS" "$T/log"
done

# algorithm rollover of csk.test.: 13 -> 15 by a new policy and a reload
sed -i '/- id: fastcsk/a\    algorithm: ed25519' "$T/signet.yaml"
"$SIGNETC" reload -s "$SOCK" >/dev/null 2>&1 || sn_not_ok "reload with a new algorithm" "" "$T/log"
if waiting csk.test; then
	set_ds csk.test
	n=$(wc -l <"$T/ds.csk.test")
	probe_for 3
	"$SIGNETC" zone-ksk-submitted -s "$SOCK" csk.test >/dev/null 2>&1 || sn_not_ok "csk.test: zone-ksk-submitted (algorithm)" ""
	i=0
	while [ "$i" -lt 40 ] && [ "$("$SIGNETC" zone-ds -s "$SOCK" csk.test 2>/dev/null | wc -l)" != 1 ]; do
		probe
		sleep 0.5
		i=$((i + 1))
	done
	set_ds csk.test
	probe_for 3
	algs=$(dig @127.0.0.1 -p "$PORT" +short csk.test DNSKEY | awk '{ print $3 }' | sort -u | tr '\n' ' ')
	if [ "$n" = 2 ] && [ "$algs" = "15 " ] && awk '{ print $5 }' "$T/ds.csk.test" | grep -qx 15; then
		sn_ok "csk.test: algorithm rollover 13 -> 15 (two DS, then the new algorithm alone)"
	else
		sn_not_ok "csk.test: algorithm rollover" "$n DS while waiting, DNSKEY algorithms now: $algs" "$T/log"
	fi
else
	sn_not_ok "csk.test: algorithm rollover waits for its DS" "$("$SIGNETC" zone-status -s "$SOCK" csk.test 2>&1)" "$T/log"
fi

if [ -z "$FAILS" ]; then
	sn_ok "every one of $CHECKS validations during the rollovers was secure"
else
	sn_not_ok "validations during the rollovers" "$(echo $FAILS | wc -w) of $CHECKS failed:$(echo $FAILS | cut -c1-300)" "$T/unbound.log"
fi

# the check bites: a DS that matches no key
printf 'del child DS\nadd child 2 DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n' |
	"$SIGNETC" zone-update -s "$SOCK" test --input - >/dev/null 2>&1 || :
sleep 2.5
dig @127.0.0.1 -p "$UPORT" +dnssec +tries=1 +time=3 www.child.test A >"$T/last" 2>&1 || :
rc=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$T/last" | head -n 1)
[ "$rc" = SERVFAIL ] && sn_ok "a DS matching no key: unbound answers SERVFAIL" || sn_not_ok "bogus DS" "rc $rc" "$T/last"

kill "$UPID" "$PID" 2>/dev/null || :
wait "$UPID" "$PID" 2>/dev/null || :
sn_finish
