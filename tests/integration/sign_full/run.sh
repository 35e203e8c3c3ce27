#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - full signing judged by BIND's dnssec-verify and ldns-verify-zone.
#
# perf/signzone signs zones/example.org.zone (delegations secure and
# insecure, glue, empty non-terminals, wildcards, DNAME, mixed case) and a
# generated hosting-style zone with NSEC, NSEC3, NSEC3 Opt-Out, salt and
# iterations, a CSK, several algorithms and thread counts. Each signed zone
# must pass both `dnssec-verify -o ZONE FILE` and `ldns-verify-zone FILE`.
# Then the checks are shown to bite: copies with one signature altered,
# one record's data changed, one NSEC3 removed, or one NSEC removed must be
# refused by both tools. Last, what must not be signed is not: no RRSIG on
# a delegation's NS RRset or on glue.
#
# SN_KEEP=1 keeps the scratch files.
set -eu

. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
sn_init sign_full
sn_need dnssec-verify ldns-verify-zone python3
SIGNZONE=$(sn_prog perf/signzone)
HERE=$top_srcdir/tests/integration/sign_full

# verify NAME ORIGIN FILE: both verifiers must accept FILE. $BIND_OPTS goes
# to dnssec-verify (-z for a CSK: its SEP flag does not make it KSK-only).
BIND_OPTS=
verify() {
	local name=$1 origin=$2 file=$3
	if ! dnssec-verify -q $BIND_OPTS -o "$origin" "$file" >"$SN_TMP/$name.bind" 2>&1; then
		sn_not_ok "$name: dnssec-verify" "refused" "$SN_TMP/$name.bind"
		return
	fi
	if ! ldns-verify-zone "$file" >"$SN_TMP/$name.ldns" 2>&1; then
		sn_not_ok "$name: ldns-verify-zone" "refused" "$SN_TMP/$name.ldns"
		return
	fi
	sn_ok "$name: dnssec-verify and ldns-verify-zone accept it"
}

# refuse NAME ORIGIN FILE: both verifiers must refuse FILE.
refuse() {
	local name=$1 origin=$2 file=$3
	if dnssec-verify -q -o "$origin" "$file" >"$SN_TMP/$name.bind" 2>&1; then
		sn_not_ok "$name: dnssec-verify" "accepted a broken zone"
	elif ldns-verify-zone "$file" >"$SN_TMP/$name.ldns" 2>&1; then
		sn_not_ok "$name: ldns-verify-zone" "accepted a broken zone"
	else
		sn_ok "$name: both verifiers refuse it"
	fi
}

# sign NAME ORIGIN ZONEFILE [signzone options...]
sign() {
	local name=$1 origin=$2 zone=$3
	shift 3
	if ! "$SIGNZONE" -q "$@" -o "$origin" -w "$SN_TMP/$name.signed" "$zone" \
		>"$SN_TMP/$name.err" 2>&1; then
		sn_not_ok "$name: signzone" "failed" "$SN_TMP/$name.err"
		return 1
	fi
	verify "$name" "$origin" "$SN_TMP/$name.signed"
}

SMALL=$HERE/zones/example.org.zone
sign nsec example.org "$SMALL" || :
sign nsec3 example.org "$SMALL" -3 || :
sign nsec3-optout example.org "$SMALL" -3 -A || :
sign nsec3-salt-iter example.org "$SMALL" -3 -S a1b2c3d4 -H 5 || :
BIND_OPTS=-z
sign csk-1thread example.org "$SMALL" -3 -C -t 1 || :
BIND_OPTS=
sign rsasha256 example.org "$SMALL" -a 8 -t 3 || :
sign ed25519 example.org "$SMALL" -3 -A -a 15 || :
sign ecdsap384 example.org "$SMALL" -a 14 -j 86400 || :

# A generated zone of a few thousand names, the shape the benchmark signs.
python3 "$top_srcdir/perf/gen_zone.py" --names 3000 --origin gen.example. "$SN_TMP/gen.zone" \
	2>/dev/null
sign gen-nsec3 gen.example "$SN_TMP/gen.zone" -3 -t 2 || :
sign gen-nsec3-optout gen.example "$SN_TMP/gen.zone" -3 -A -t 4 || :
sign gen-nsec gen.example "$SN_TMP/gen.zone" -t 2 || :

# What must not be signed is not (RFC 4035 2.2): no RRSIG over NS below the
# apex, no RRSIG at glue owners; and the secure delegation's DS is signed.
if [ -s "$SN_TMP/nsec3.signed" ]; then
	bad=$(awk '$4 == "RRSIG" && (($5 == "NS" && $1 != "example.org.") ||
		$1 ~ /^ns\.(sub|sec|more\.ins\.x)\.example\.org\.$/)' "$SN_TMP/nsec3.signed")
	ds=$(awk '$1 == "sec.example.org." && $4 == "RRSIG" && $5 == "DS"' \
		"$SN_TMP/nsec3.signed" | wc -l)
	if [ -z "$bad" ] && [ "$ds" -eq 2 -o "$ds" -eq 1 ]; then
		sn_ok "no RRSIG on delegation NS or glue; DS signed"
	else
		echo "$bad" >"$SN_TMP/unsigned.txt"
		sn_not_ok "delegation signing" "RRSIG where none belongs, or DS unsigned ($ds)" \
			"$SN_TMP/unsigned.txt"
	fi
fi

# The checks bite: each broken copy must be refused by both verifiers.
# mutate IN OUT KIND: KIND is sig (alter one signature of an A RRset), data
# (change the address of an A record that is signed), nsec3 or nsec (drop
# the first such record).
mutate() {
	python3 - "$1" "$2" "$3" <<'EOF'
import sys
src, dst, kind = sys.argv[1:4]
lines = open(src).read().split("\n")
done = False
for i, l in enumerate(lines):
    f = l.split("\t")
    if len(f) < 5 or done:
        continue
    if kind == "sig" and f[3] == "RRSIG" and f[4].startswith("A "):
        parts = f[4].split(" ")
        s = parts[-1]
        parts[-1] = s[:10] + ("B" if s[10] != "B" else "C") + s[11:]
        f[4] = " ".join(parts)
        lines[i] = "\t".join(f)
        done = True
    elif kind == "data" and f[3] == "A" and f[0].startswith("www."):
        f[4] = "192.0.2.200"
        lines[i] = "\t".join(f)
        done = True
    elif kind in ("nsec", "nsec3") and f[3] == kind.upper():
        lines[i] = ""
        done = True
if not done:
    sys.exit("nothing to mutate for " + kind)
open(dst, "w").write("\n".join(lines))
EOF
}
for k in sig data nsec3; do
	if [ -s "$SN_TMP/nsec3.signed" ] &&
		mutate "$SN_TMP/nsec3.signed" "$SN_TMP/broken-$k.zone" $k; then
		refuse "broken copy ($k)" example.org "$SN_TMP/broken-$k.zone"
	else
		sn_not_ok "broken copy ($k)" "could not make it"
	fi
done
if [ -s "$SN_TMP/nsec.signed" ] && mutate "$SN_TMP/nsec.signed" "$SN_TMP/broken-nsec.zone" nsec; then
	refuse "broken copy (nsec)" example.org "$SN_TMP/broken-nsec.zone"
else
	sn_not_ok "broken copy (nsec)" "could not make it"
fi

# Input the signer must refuse, with a message and no output.
printf '$TTL 60\n@ SOA a. b. 1 2 3 4 5\nx DS 1 13 2 %s\n' \
	A107F14659595E515DBCCB18E8B77C5678C89B3F8527B36C21B7E105F6341954 >"$SN_TMP/bad-ds.zone"
if "$SIGNZONE" -q -o bad.example -w "$SN_TMP/bad-ds.signed" "$SN_TMP/bad-ds.zone" \
	>"$SN_TMP/bad-ds.err" 2>&1; then
	sn_not_ok "DS without a delegation" "signed anyway"
elif grep -q "not a delegation" "$SN_TMP/bad-ds.err" && [ ! -e "$SN_TMP/bad-ds.signed" ]; then
	sn_ok "DS without a delegation is refused with a message"
else
	sn_not_ok "DS without a delegation" "no message" "$SN_TMP/bad-ds.err"
fi

sn_finish
