# SPDX-License-Identifier: MIT
# lib.sh - shared helpers for the integration tests (source it, do not run it).
#
# A test script does:
#	. "$(dirname "$0")/../lib.sh"
#	sn_init zone_oracle          # locates the tree, makes $SN_TMP
#	sn_need named-checkzone      # exit 77 (skip) when a tool is missing
#	sn_ok "case" / sn_not_ok "case" "reason"
#	sn_finish                    # summary line; exit 0 or 1
#
# Exit codes follow the automake test driver: 0 pass, 1 fail, 77 skip. A test
# skips only when a tool it needs is missing (scripts/install-deps.sh installs
# them all), and says which, so a skip is never silent.

# The tests run under `make check` with top_builddir/top_srcdir exported
# (tests/Makefile.inc). Run by hand, they fall back to the source tree of the
# script and to a build directory given in $top_builddir or the current one.
sn_init() {
	SN_NAME=${1:-test}
	SN_PASS=0
	SN_FAIL=0
	SN_FAILED=""
	if [ -z "${top_srcdir:-}" ]; then
		top_srcdir=$(cd "$(dirname "$0")/../../.." && pwd)
	fi
	if [ -z "${top_builddir:-}" ]; then
		top_builddir=$(pwd)
	fi
	top_srcdir=$(cd "$top_srcdir" && pwd)
	top_builddir=$(cd "$top_builddir" && pwd)
	export top_srcdir top_builddir
	SN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/signet-$SN_NAME.XXXXXX")
	SN_PIDS=""
	# the pid of this shell itself ($$ is the same in subshells)
	SN_MAIN_PID=$(exec sh -c 'echo $PPID')
	# Children we started are stopped by pid, then the scratch dir goes.
	trap 'sn_cleanup' EXIT
	trap 'exit 1' HUP INT TERM
}

sn_cleanup() {
	# a subshell that inherited the EXIT trap must not clean up for us
	[ "$(exec sh -c 'echo $PPID')" = "$SN_MAIN_PID" ] || return 0
	for p in $SN_PIDS; do
		kill "$p" 2>/dev/null || :
	done
	if [ -n "${SN_KEEP:-}" ]; then
		echo "# kept scratch dir $SN_TMP" >&2
	else
		rm -rf "$SN_TMP"
	fi
}

# sn_track PID: stop this process when the test ends.
sn_track() {
	SN_PIDS="$SN_PIDS $1"
}

# sn_need TOOL...: skip the whole test (exit 77) when a tool is missing.
sn_need() {
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			echo "SKIP: $SN_NAME needs '$t' (install it with scripts/install-deps.sh)" >&2
			exit 77
		fi
	done
}

# sn_prog NAME: path of one of our programs in the build tree; fails the test
# (not skip: the build is ours) when it has not been built.
sn_prog() {
	p="$top_builddir/$1"
	if [ ! -x "$p" ]; then
		echo "FAIL: $p not built (run make in $top_builddir)" >&2
		exit 1
	fi
	printf '%s\n' "$p"
}

# sn_pick_port: prints a free TCP+UDP port on 127.0.0.1. The kernel picks it
# (bind to port 0), so parallel tests do not collide on a fixed number; the
# window between closing and reuse is small and accepted.
sn_pick_port() {
	python3 - <<'EOF'
import socket
for _ in range(50):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close()
        continue
    u.close()
    t.close()
    print(port)
    break
else:
    raise SystemExit("no free port")
EOF
}

# sn_wait_port PORT [SECONDS]: waits until something listens on TCP PORT.
sn_wait_port() {
	python3 - "$1" "${2:-10}" <<'EOF'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
}

# Results, one line per case in TAP style.
sn_ok() {
	SN_PASS=$((SN_PASS + 1))
	echo "ok - $1"
}

# sn_not_ok NAME REASON [DETAIL-FILE]: the detail (a diff excerpt) is
# indented under the line, at most 20 lines.
sn_not_ok() {
	SN_FAIL=$((SN_FAIL + 1))
	SN_FAILED="$SN_FAILED $1"
	echo "not ok - $1: $2"
	if [ -n "${3:-}" ] && [ -s "$3" ]; then
		head -n 20 "$3" | sed 's/^/#   /'
		n=$(wc -l <"$3")
		[ "$n" -gt 20 ] && echo "#   ... ($n lines in all)"
	fi
	return 0
}

sn_finish() {
	echo "# $SN_NAME: $SN_PASS passed, $SN_FAIL failed"
	if [ "$SN_FAIL" -ne 0 ]; then
		echo "# failed:$SN_FAILED"
		exit 1
	fi
	exit 0
}
