#!/bin/sh
# SPDX-License-Identifier: MIT
# install-deps.sh - installs the Debian packages signet needs to build and test.
# Idempotent: packages already present are left alone, and apt is not touched
# at all when nothing is missing.
set -eu

BUILD="autoconf automake libtool pkg-config make gcc clang libclang-rt-14-dev
libssl-dev liburcu-dev libyaml-dev liblmdb-dev libcunit1-dev"
# Reference tools the tests and benchmarks use as oracles and peers.
ORACLES="knot knot-dnsutils knot-dnssecutils bind9-utils bind9-dnsutils ldnsutils nsd unbound
dnsperf python3 time valgrind"

missing=""
for p in $BUILD $ORACLES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo

# The reference servers must not start as system services on port 53 when
# installed: our tests start them on loopback ports of their own.
cleanup=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 755 /usr/sbin/policy-rc.d
	cleanup=yes
fi
echo "install-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
[ -n "$cleanup" ] && $SUDO rm -f /usr/sbin/policy-rc.d
exit 0
