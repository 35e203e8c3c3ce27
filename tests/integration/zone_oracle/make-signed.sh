#!/bin/sh
# SPDX-License-Identifier: MIT
# make-signed.sh - regenerates the two signed zones of the oracle test.
#
# Not run by the test: its output is checked in (zones/good-signed-*.zone)
# so that the DNSKEY, RRSIG, NSEC, NSEC3, DS, CDS and CDNSKEY records the test
# feeds signet are real, verifiable material. Run it by hand only to change
# those zones; the keys are thrown away afterwards. Signatures are valid
# from 2025-01-01 to 2045-01-01 so that kzonecheck's DNSSEC checks (on for a
# signed zone) keep passing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$here/zones
for t in dnssec-keygen dnssec-signzone dnssec-dsfromkey; do
	command -v "$t" >/dev/null || { echo "make-signed: needs $t (bind9-utils)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

keyrr() { grep -v '^;' "$1.key"; }
dsrd() { dnssec-dsfromkey "$@" 2>/dev/null | awk '{ $1 = ""; $2 = ""; $3 = ""; print }'; }

# NSEC, ECDSA P-256 (algorithm 13), with CDS/CDNSKEY for the KSK and a
# secure delegation (DS digests SHA-256 and SHA-384 of an Ed25519 child key).
ksk=$(dnssec-keygen -q -a ECDSAP256SHA256 -f KSK signed.example)
zsk=$(dnssec-keygen -q -a ECDSAP256SHA256 signed.example)
child=$(dnssec-keygen -q -a ED25519 -f KSK child.signed.example)
cat >signed.db <<EOF
\$TTL 3600
@	SOA	ns1 hostmaster 2024010101 7200 3600 1209600 300
	NS	ns1
	NS	ns2.nsec3.example.
	MX	10 mail
	CDS	$(dsrd -2 "$ksk.key")
	CDNSKEY	$(keyrr "$ksk" | sed 's/.* DNSKEY //')
ns1	A	192.0.2.53
	AAAA	2001:db8::53
mail	A	192.0.2.25
www	A	192.0.2.80
*.wild	TXT	"wildcard"
child	NS	ns.child
	DS	$(dsrd -2 "$child.key")
	DS	$(dsrd -a SHA-384 "$child.key")
ns.child	A	192.0.2.54
insecure	NS	ns1.nsec3.example.
EOF
keyrr "$ksk" >>signed.db
keyrr "$zsk" >>signed.db
dnssec-signzone -q -o signed.example. -s 20250101000000 -e 20450101000000 \
	-f signed.out signed.db "$ksk" "$zsk" >/dev/null
{
	echo "; origin: signed.example."
	echo "; A zone signed by dnssec-signzone (NSEC, ECDSA P-256): DNSKEY, RRSIG,"
	echo "; NSEC, CDS, CDNSKEY, DS at a secure delegation; multi-line records in"
	echo "; parentheses with comments. Regenerate with ../make-signed.sh."
	grep -v '^; File written on' signed.out
} >"$out/good-signed-nsec.zone"

# NSEC3 (RFC 9276: no salt, no extra iterations), RSA/SHA-256 (algorithm 8).
ksk=$(dnssec-keygen -q -a RSASHA256 -b 2048 -f KSK nsec3.example)
zsk=$(dnssec-keygen -q -a RSASHA256 -b 1280 nsec3.example)
cat >nsec3.db <<'EOF'
$ORIGIN nsec3.example.
$TTL 1d
@	IN	SOA	ns1 hostmaster.nsec3.example. ( 1 3h 1h 4w 10m )
	IN	NS	ns1
	IN	NS	ns2
ns1	IN	A	198.51.100.1
ns2	IN	AAAA	2001:db8:1::2
host	IN	A	198.51.100.10
	IN	SSHFP	4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
_443._tcp.host	IN	TLSA	3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
deleg	IN	NS	ns.deleg
ns.deleg	IN	A	198.51.100.20
EOF
keyrr "$ksk" >>nsec3.db
keyrr "$zsk" >>nsec3.db
dnssec-signzone -q -3 - -H 0 -o nsec3.example. -s 20250101000000 -e 20450101000000 \
	-f nsec3.out nsec3.db "$ksk" "$zsk" >/dev/null
{
	echo "; origin: nsec3.example."
	echo "; A zone signed by dnssec-signzone with NSEC3 (no salt, 0 iterations) and"
	echo "; RSA/SHA-256: NSEC3, NSEC3PARAM, long RSA keys and signatures, an"
	echo "; insecure delegation. Regenerate with ../make-signed.sh."
	grep -v '^; File written on' nsec3.out
} >"$out/good-signed-nsec3.zone"
echo "make-signed: wrote $out/good-signed-nsec.zone and $out/good-signed-nsec3.zone"
