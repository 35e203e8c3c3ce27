#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - signetd answers on the wire: every case of the answer logic asked
# with dig over UDP and TCP, IPv4 and IPv6, and AXFR checked with kdig.
#
# signetd serves zones/ (example.com with every case, its served child
# child.example.com, example.org as a CNAME/DNAME target) and a generated
# zone big.test large enough for an AXFR of many 64 KiB messages, on a free
# port of 127.0.0.1 and ::1. check.py asks the questions and judges the
# answers (dig parses them, so a malformed message fails too). AXFR is
# allowed from 127.0.0.0/8 only: from ::1 it is REFUSED.
#
# Prints one TAP-style line per check and a summary; exits 1 if any failed,
# 77 if a tool is missing. SN_KEEP=1 keeps the scratch dir (and the log).
set -eu

. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
sn_init server_answers
sn_need dig kdig python3
SIGNETD=$(sn_prog signetd)
HERE=$top_srcdir/tests/integration/server_answers
PORT=$(sn_pick_port)
T=$SN_TMP
# IPv6 loopback, when the machine has it (some containers do not;
# SN_NO_V6=1 tries that path)
if [ -z "${SN_NO_V6:-}" ] &&
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	V6=1
	LISTEN="127.0.0.1@$PORT, \"::1@$PORT\""
else
	V6=0
	LISTEN="127.0.0.1@$PORT"
fi
export V6

cp "$HERE"/zones/*.zone "$T/"

# big.test: 6000 names with an A and a TXT each, about 400 KB of AXFR.
# Written the way kdig prints records, so the transfer compares as text.
python3 - "$T" <<'EOF'
import sys
t = sys.argv[1]
with open(t + "/big.test.zone", "w") as z, open(t + "/big.expected", "w") as e:
    z.write("$ORIGIN big.test.\n$TTL 600\n")
    soa = "big.test. 600 IN SOA ns.big.test. hostmaster.big.test. 42 7200 3600 1209600 300"
    z.write(soa + "\n")
    rrs = ["big.test. 600 IN NS ns.big.test.", "ns.big.test. 600 IN A 192.0.2.1"]
    for i in range(6000):
        rrs.append("h%d.big.test. 600 IN A 10.%d.%d.%d" % (i, i >> 16, (i >> 8) & 255, i & 255))
        rrs.append('h%d.big.test. 600 IN TXT "record number %d of the big zone"' % (i, i))
    for r in rrs:
        z.write(r + "\n")
        e.write(r + "\n")
    e.write(soa + "\n")
EOF

cat >"$T/signet.yaml" <<EOF
server:
  listen: [$LISTEN]
  workers: 1
  tcp-workers: 1
  udp-max-payload: 1400
  storage: $T
  nsid: signet-it
  identity: signet-it-id
  version: signet-it-version
acl:
  - id: local
    address: [127.0.0.0/8]
    action: [transfer]
zone:
  - domain: example.com.
    file: example.com.zone
    acl: [local]
  - domain: child.example.com.
    file: child.example.com.zone
  - domain: example.org.
    file: example.org.zone
  - domain: big.test.
    file: big.test.zone
    acl: [local]
EOF

"$SIGNETD" -c "$T/signet.yaml" >"$T/signetd.log" 2>&1 &
PID=$!
sn_track $PID
if ! sn_wait_port "$PORT" 10; then
	sn_not_ok "signetd starts" "not listening on $PORT" "$T/signetd.log"
	sn_finish
fi
sn_ok "signetd starts on port $PORT"

# The answer logic, one line per check.
python3 "$HERE/check.py" "$PORT" >"$T/results" 2>"$T/check.err" || :
if [ -s "$T/check.err" ]; then
	sn_not_ok "check.py runs" "it failed" "$T/check.err"
fi
while IFS=$'\t' read -r st name why; do
	case $st in
	PASS) sn_ok "$name" ;;
	XFAIL) sn_ok "$name # TODO known bug: $why" ;;
	XPASS) sn_not_ok "$name" "known bug fixed, remove the marker: $why" ;;
	*) sn_not_ok "$name" "$why" ;;
	esac
done <"$T/results"

# AXFR (RFC 5936): every record exactly once, SOA first and last, over
# several messages.
# axfr_check FILE EXPECTED: compares kdig's output with the expected records.
axfr_check() {
	python3 - "$1" "$2" <<'EOF'
import re, sys
from collections import Counter
out = open(sys.argv[1]).read()
want = [" ".join(l.split()) for l in open(sys.argv[2]) if l.strip()]
got = [" ".join(l.split()) for l in out.splitlines() if l.strip() and not l.startswith(";")]
errs = []
if not got:
    errs.append("no records")
else:
    if got[0] != want[-1] or got[-1] != want[-1]:
        errs.append("SOA not first and last: %s ... %s" % (got[0], got[-1]))
    missing = Counter(want) - Counter(got)
    extra = Counter(got) - Counter(want)
    # the SOA is expected twice: want lists it once, at the end, plus the first
    extra.subtract(Counter([want[-1]]))
    extra = +extra
    if missing:
        errs.append("%d missing, e.g. %s" % (sum(missing.values()), list(missing)[:3]))
    if extra:
        errs.append("%d extra or repeated, e.g. %s" % (sum(extra.values()), list(extra)[:3]))
m = re.search(r";; Received (\d+) B \((\d+) messages, (\d+) records\)", out)
if m is None:
    errs.append("no transfer summary from kdig")
elif int(m.group(2)) < 3:
    errs.append("only %s messages: the zone should need several" % m.group(2))
else:
    print("%s messages, %s records" % (m.group(2), m.group(3)))
if errs:
    print("; ".join(errs))
    sys.exit(1)
EOF
}

kdig @127.0.0.1 -p "$PORT" +tcp +timeout=10 big.test AXFR >"$T/axfr.big" 2>&1 || :
if res=$(axfr_check "$T/axfr.big" "$T/big.expected"); then
	sn_ok "AXFR big.test from 127.0.0.1: every record once, SOA first and last ($res)"
else
	sn_not_ok "AXFR big.test from 127.0.0.1" "$res" "$T/axfr.big"
fi

# example.com over AXFR against the file, read back by named-checkzone's
# canonical dump would need BIND; kdig's count of records is enough here.
kdig @127.0.0.1 -p "$PORT" +tcp example.com AXFR >"$T/axfr.com" 2>&1 || :
n=$(grep -c -v '^;' "$T/axfr.com" | tr -d ' ' || :)
want=$(($(grep -c -v -E '^(;|\$|$)' "$T/example.com.zone") + 1))
if grep -q "Received" "$T/axfr.com" && [ "$n" -ge "$want" ]; then
	sn_ok "AXFR example.com from 127.0.0.1 ($n records)"
else
	sn_not_ok "AXFR example.com from 127.0.0.1" "got $n record lines, want $want" "$T/axfr.com"
fi

# the ACL allows 127.0.0.0/8 only: ::1 is REFUSED
if [ "$V6" = 1 ]; then
	kdig @::1 -p "$PORT" +tcp big.test AXFR >"$T/axfr.v6" 2>&1 || :
	if grep -q -E "(status: |error ')REFUSED" "$T/axfr.v6" && ! grep -q -E "IN[[:space:]]+TXT" "$T/axfr.v6"; then
		sn_ok "AXFR from ::1 outside the ACL: REFUSED"
	else
		sn_not_ok "AXFR from ::1 outside the ACL" "not refused" "$T/axfr.v6"
	fi
else
	sn_ok "AXFR from ::1 outside the ACL # SKIP no IPv6 loopback here"
fi
# a zone without an ACL allows no transfer
kdig @127.0.0.1 -p "$PORT" +tcp example.org AXFR >"$T/axfr.org" 2>&1 || :
if grep -q -E "(status: |error ')REFUSED" "$T/axfr.org"; then
	sn_ok "AXFR of a zone without ACL: REFUSED"
else
	sn_not_ok "AXFR of a zone without ACL" "not refused" "$T/axfr.org"
fi
# AXFR of a name inside a zone but not its apex: NOTAUTH, as knotd answers
kdig @127.0.0.1 -p "$PORT" +tcp www.example.com AXFR >"$T/axfr.www" 2>&1 || :
if grep -q -E "(status: |error ')NOTAUTH" "$T/axfr.www"; then
	sn_ok "AXFR of a non-apex name: NOTAUTH"
else
	sn_not_ok "AXFR of a non-apex name" "not refused" "$T/axfr.www"
fi

# still up after all that
if kdig @127.0.0.1 -p "$PORT" +timeout=2 +retry=0 example.com SOA | grep -q "status: NOERROR"; then
	sn_ok "signetd still answers"
else
	sn_not_ok "signetd still answers" "no answer" "$T/signetd.log"
fi
# SIGTERM and wait: a clean exit, and the leak check runs
rc=0
kill -TERM $PID
wait $PID || rc=$?
if [ $rc -eq 0 ]; then
	sn_ok "signetd exits 0 on SIGTERM"
else
	sn_not_ok "signetd exits 0 on SIGTERM" "status $rc" "$T/signetd.log"
fi
# A build with --enable-sanitizers reports into the log: none may appear.
if grep -q -E "runtime error|AddressSanitizer|LeakSanitizer|ThreadSanitizer" "$T/signetd.log"; then
	sn_not_ok "no sanitizer report in the signetd log" "see the log" "$T/signetd.log"
else
	sn_ok "no sanitizer report in the signetd log"
fi
sn_finish
