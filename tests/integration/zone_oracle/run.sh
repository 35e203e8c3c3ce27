#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - zone-file parser test with BIND, Knot and NSD as oracles.
#
# For every zones/*.zone (the first line says "; origin: NAME"):
#
# 1. The verdict comes from the reference checkers, never from us:
#    named-checkzone, kzonecheck and nsd-checkzone each load the file, and
#    the zone is bad if any of them refuses it. (A primary's zone goes to
#    secondaries of every make, so signet refuses what any of them would.)
#    A case may list fewer checkers ("; oracles: bind") when the others do
#    not know a construct ($GENERATE). The file name says what the case was
#    written to be (good-*, bad-*); if the checkers disagree with it, the
#    case itself is broken and fails.
# 2. `signetc zone-check --origin NAME --print FILE` must exit 1 on a bad
#    zone (and name a line one of the checkers named, if they named one),
#    and 0 on a good one.
# 3. For a good zone, BIND is the judge of what the records mean:
#    named-checkzone -D dumps its reading of the file (A.txt) and its reading
#    of signetc's output (B.txt); the two must hold the same records, and
#    signetc must have printed as many records as BIND read (duplicates
#    merged, RFC 2181 5). Knot must accept signetc's output too (for the
#    signed zones that checks every RRSIG against the printed data), and a
#    zone with ZONEMD must still verify with ldns-verify-zone.
#
# Prints one TAP-style line per case and a summary; exits 1 if any failed,
# 77 if a checker is missing. SN_KEEP=1 keeps the scratch files.
set -eu

. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
sn_init zone_oracle
sn_need named-checkzone kzonecheck nsd-checkzone ldns-verify-zone python3
SIGNETC=$(sn_prog signetc)
HERE=$top_srcdir/tests/integration/zone_oracle
COMPARE=$HERE/compare.py
start=$(date +%s)

# $INCLUDE paths are relative to the including file for signet and Knot and
# to the working directory for BIND and NSD: running in zones/ makes them
# agree, and makes every message name the file the same way.
cd "$HERE/zones"

# header FILE KEY: the value of a "; KEY: value" line in the leading comment.
header() {
	sed -n "/^;/!q; s/^; $2: *//p" "$1" | tr -d '\r' | head -n 1
}

# lines_named FILE...: the line numbers the messages in FILE name, one per
# line ("zone.zone:12:" from BIND and NSD, "line 12" from Knot).
lines_named() {
	sed -n -e "s/.*$case_file:\([0-9][0-9]*\):.*/\1/p" \
		-e 's/.*, line \([0-9][0-9]*\).*/\1/p' "$@" | sort -un
}

# count_records FILE: records in signetc's output (one per line).
count_records() {
	grep -cv -e '^[[:space:]]*$' -e '^[[:space:]]*;' "$1" || :
}

firstline() {
	grep -v -e '^[[:space:]]*$' "$1" | head -n 1 | cut -c1-160
}

ncases=0
for case_file in *.zone; do
	ncases=$((ncases + 1))
	name=${case_file%.zone}
	T=$SN_TMP/$name
	mkdir -p "$T"
	origin=$(header "$case_file" origin)
	oracles=$(header "$case_file" oracles)
	oracles=${oracles:-bind knot nsd}
	cmpmode=$(header "$case_file" compare)
	if [ -z "$origin" ]; then
		sn_not_ok "$name" "no '; origin: NAME' line at the top of the case"
		continue
	fi

	# 1. The checkers' verdict.
	verdict=good
	says=""
	for o in $oracles; do
		rc=0
		case $o in
		bind) named-checkzone -D -o "$T/A.txt" "$origin" "$case_file" >"$T/bind.err" 2>&1 || rc=$? ;;
		knot) kzonecheck -v -o "$origin" "$case_file" >"$T/knot.err" 2>&1 || rc=$? ;;
		nsd) nsd-checkzone "$origin" "$case_file" >"$T/nsd.err" 2>&1 || rc=$? ;;
		*) rc=99 ;;
		esac
		if [ "$rc" -ne 0 ]; then
			verdict=bad
			says="$says $o"
		fi
	done
	case $name in
	good-*) intended=good ;;
	bad-*) intended=bad ;;
	*) intended=$verdict ;;
	esac
	if [ "$verdict" != "$intended" ]; then
		cat "$T"/*.err >"$T/why" 2>/dev/null || :
		sn_not_ok "$name" "case broken: written as $intended but the checkers say $verdict (refused by:${says:- none})" "$T/why"
		continue
	fi
	if [ "$verdict" = good ] && [ ! -s "$T/A.txt" ]; then
		# A good case needs BIND's reading to compare against.
		sn_not_ok "$name" "case broken: good zones must list bind among their oracles"
		continue
	fi

	# 2. signetc's verdict.
	rc=0
	"$SIGNETC" zone-check --origin "$origin" --print "$case_file" >"$T/B.zone" 2>"$T/signet.err" || rc=$?
	# Under --enable-sanitizers a report exits 1, which alone would pass
	# for "zone has errors".
	if grep -q -e 'Sanitizer' -e 'runtime error:' "$T/signet.err"; then
		grep -m1 -A12 -e 'Sanitizer' -e 'runtime error:' "$T/signet.err" >"$T/san"
		sn_not_ok "$name" "sanitizer report from signetc" "$T/san"
		continue
	fi
	if [ "$verdict" = bad ]; then
		if [ "$rc" -ne 1 ]; then
			why=$(for o in $says; do cat "$T/$o.err"; done 2>/dev/null |
				sed 's/^\[[^]]*\] nsd-checkzone\[[0-9]*\]: //' |
				grep -v -e 'Error summary' -e 'not loaded due' |
				grep -i -m1 -e error -e fail -e '^\[' -e "$case_file:" | cut -c1-160 || :)
			sn_not_ok "$name" "signetc exited $rc on a zone refused by$says; want 1 (${why:-see the checkers})" "$T/signet.err"
			continue
		fi
		if [ ! -s "$T/signet.err" ]; then
			sn_not_ok "$name" "signetc refused the zone without a message"
			continue
		fi
		# Where BIND ties the error to a line, signetc must name that
		# line or one Knot names (NSD's lines for zone-wide checks point
		# at the end of the file, so they are not used). An error found
		# at the end of the file (an unclosed parenthesis) may be named
		# where it started: then any line will do.
		bind_lines=$(case " $says " in *" bind "*) lines_named "$T/bind.err" ;; esac)
		if [ -n "$bind_lines" ]; then
			want=$(for o in $says; do
				case $o in bind | knot) lines_named "$T/$o.err" ;; esac
			done | sort -un | tr '\n' ' ')
			got=$(lines_named "$T/signet.err" | tr '\n' ' ')
			last=$(wc -l <"$case_file")
			hit=""
			for w in $want; do
				[ "$w" -gt "$last" ] && [ -n "$got" ] && hit=yes
				for g in $got; do
					[ "$w" = "$g" ] && hit=yes
				done
			done
			if [ -z "$hit" ]; then
				sn_not_ok "$name" "signetc refused it but named line(s) ${got:-none}; the checkers named $want" "$T/signet.err"
				continue
			fi
		fi
		sn_ok "$name (refused by$says; signetc: $(firstline "$T/signet.err"))"
		continue
	fi
	if [ "$rc" -ne 0 ]; then
		sn_not_ok "$name" "signetc exited $rc on a zone the checkers accept" "$T/signet.err"
		continue
	fi

	# 3. BIND reads signetc's output back; the records must be the same.
	rc=0
	named-checkzone -D -o "$T/B.txt" "$origin" "$T/B.zone" >"$T/bindB.err" 2>&1 || rc=$?
	if [ ! -s "$T/B.zone" ]; then
		sn_not_ok "$name" "signetc accepted the zone but printed nothing" "$T/signet.err"
		continue
	fi
	if [ "$rc" -ne 0 ]; then
		sn_not_ok "$name" "BIND refuses signetc's output: $(grep -m1 -v '^zone.*not loaded' "$T/bindB.err" | cut -c1-160)" "$T/B.zone"
		continue
	fi
	rc=0
	python3 "$COMPARE" ${cmpmode:+--$cmpmode} "$T/A.txt" "$T/B.txt" >"$T/diff" || rc=$?
	if [ "$rc" -ne 0 ]; then
		sn_not_ok "$name" "records differ" "$T/diff"
		continue
	fi
	na=$(count_records "$T/A.txt")
	nb=$(count_records "$T/B.zone")
	if [ "$na" != "$nb" ]; then
		# The sets are equal, so signetc printed duplicates (or comments
		# BIND took as records).
		sort "$T/B.zone" | uniq -d >"$T/dups"
		sn_not_ok "$name" "signetc printed $nb records, BIND read $na (duplicates?)" "$T/dups"
		continue
	fi
	extra=""
	case " $oracles " in
	*" knot "*)
		rc=0
		kzonecheck -o "$origin" "$T/B.zone" >"$T/knotB.err" 2>&1 || rc=$?
		if [ "$rc" -ne 0 ]; then
			sn_not_ok "$name" "kzonecheck refuses signetc's output" "$T/knotB.err"
			continue
		fi
		extra="$extra, knot ok"
		;;
	esac
	if grep -q '[[:space:]]ZONEMD[[:space:]]' "$T/A.txt"; then
		rc=0
		timeout 20 ldns-verify-zone -Z "$case_file" >"$T/ldnsA.err" 2>&1 || rc=$?
		if [ "$rc" -ne 0 ]; then
			sn_not_ok "$name" "case broken: its ZONEMD does not verify" "$T/ldnsA.err"
			continue
		fi
		rc=0
		timeout 20 ldns-verify-zone -Z "$T/B.zone" >"$T/ldnsB.err" 2>&1 || rc=$?
		if [ "$rc" -ne 0 ]; then
			sn_not_ok "$name" "ZONEMD no longer verifies over signetc's output" "$T/ldnsB.err"
			continue
		fi
		extra="$extra, zonemd ok"
	fi
	sn_ok "$name ($na records$extra)"
done

if [ "$ncases" -eq 0 ]; then
	sn_not_ok "zones" "no case found in $HERE/zones"
fi
echo "# $ncases cases in $(($(date +%s) - start)) s"
sn_finish
