#!/bin/bash
# SPDX-License-Identifier: MIT
# bench_incr.sh - changes to a signed 1,000,000-name zone: how long from the
# change to its signed answer, signetd beside knotd.
#
# usage: perf/bench_incr.sh [-n CHANGES] [-z NAMES] [-S SIGNETD] [-C SIGNETC] [-c SERVER_CPU,CLIENT_CPU] [-K]
#   -n  changes of each kind (30)
#   -z  names in the generated zone (1000000)
#   -S  the signetd binary (default: ./signetd, or $SIGNETD)
#   -C  the signetc binary (default: ./signetc, or $SIGNETC)
#   -c  cores for the server and for the client (0,1)
#   -K  leave knotd out
#
# Both servers sign the same zone (perf/gen_zone.py, cached in perf/out/)
# themselves when they start: ECDSAP256SHA256, NSEC3 with 0 iterations and
# no salt. Then, one change at a time, three kinds of change:
#   add     a new name with an A record
#   change  an existing name's A record replaced
#   remove  an existing name with all its records
# signetd gets each as one `signetc zone-update`; knotd as zone-begin,
# zone-set/zone-unset, zone-commit given to one knotc process on its
# standard input. The time is from the start of the client to the first
# answer (DO=1, polled every 0.5 ms) that shows the change signed: the new
# address with its RRSIG, or NXDOMAIN with its NSEC3 proof; the time until
# the client returned is shown beside it. Servers run one at a time on the
# server core; prints medians, p90, and knotd / signetd.
set -eu

PERF=$(cd "$(dirname "$0")" && pwd)
OUT=$PERF/out
N=30
NAMES=1000000
SIGNETD=${SIGNETD:-./signetd}
SIGNETC=${SIGNETC:-./signetc}
CPUS=0,1
KNOT=yes

while getopts n:z:S:C:c:Kh opt; do
	case $opt in
	n) N=$OPTARG ;;
	z) NAMES=$OPTARG ;;
	S) SIGNETD=$OPTARG ;;
	C) SIGNETC=$OPTARG ;;
	c) CPUS=$OPTARG ;;
	K) KNOT=no ;;
	h) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
for v in "$N" "$NAMES"; do
	case $v in '' | *[!0-9]*) echo "bench_incr: -n and -z take numbers" >&2; exit 2 ;; esac
done
SCPU=${CPUS%,*}
LCPU=${CPUS#*,}
for b in SIGNETD SIGNETC; do
	p=${!b}
	[ -x "$p" ] || { echo "bench_incr: no $(echo $b | tr A-Z a-z) at $p (run from the build folder, or -S/-C PATH)" >&2; exit 2; }
	eval "$b=\$(cd \"\$(dirname \"\$p\")\" && pwd)/\$(basename \"\$p\")"
done
need="python3 taskset"
[ $KNOT = yes ] && need="$need knotd knotc"
for t in $need; do
	command -v $t >/dev/null || { echo "bench_incr: $t is missing (or -K)" >&2; exit 2; }
done

mkdir -p "$OUT/zones"
ORIGIN=perf.example.
Z=$OUT/zones/big-$NAMES.zone
if [ ! -s "$Z" ] || [ "$PERF/gen_zone.py" -nt "$Z" ]; then
	python3 "$PERF/gen_zone.py" --names "$NAMES" --origin $ORIGIN "$Z"
fi
RUN=$OUT/incr-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RUN"

PID=""
stop() {
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null || true
	for _ in $(seq 300); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=""
}
trap stop EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket
for _ in range(100):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p); break'
}

# the names changed: existing names with an A record, two disjoint sets
awk -v n="$N" '$1 ~ /^[a-z.]+-[0-9a-f]+$/ && $2 == "A" { c++; if (c % 997 == 0) print $1; if (c / 997 >= 2 * n) exit }' "$Z" >"$RUN/names"
[ "$(wc -l <"$RUN/names")" -ge $((2 * N)) ] || { echo "bench_incr: the zone has too few names for -n $N" >&2; exit 1; }

cat >"$RUN/drive.py" <<'EOF'
import random, select, socket, statistics, struct, subprocess, sys, time

server, port, client, origin, names_file, n, out = sys.argv[1:8]
port, n = int(port), int(n)
names = [l.strip() for l in open(names_file) if l.strip()]
chg, rem = names[:n], names[n:2 * n]


def wire(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"


def skip_name(m, o):
    while True:
        l = m[o]
        if l == 0:
            return o + 1
        if l & 0xC0 == 0xC0:
            return o + 2
        o += 1 + l


def sections(m):
    """rcode, and the (type, rdata) of the answer and authority sections"""
    qd, an, ns = struct.unpack(">HHH", m[4:10])
    o = 12
    for _ in range(qd):
        o = skip_name(m, o) + 4
    rrs = []
    for i in range(an + ns):
        o = skip_name(m, o)
        t, _, _, rdl = struct.unpack(">HHIH", m[o:o + 10])
        rrs.append((i < an, t, m[o + 10:o + 10 + rdl]))
        o += 10 + rdl
    return m[3] & 0xF, rrs


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(("127.0.0.1", port))


def ask(name):
    qid = random.getrandbits(16)
    # EDNS0 with DO, 4096 octets
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1) + wire(name) + struct.pack(">HH", 1, 1)
    q += b"\0" + struct.pack(">HHIH", 41, 4096, 0x8000, 0)
    sock.send(q)
    end = time.monotonic() + 0.0005
    while True:
        left = end - time.monotonic()
        r, _, _ = select.select([sock], [], [], max(left, 0))
        if not r:
            return None
        m = sock.recv(65535)
        if len(m) >= 12 and struct.unpack(">H", m[:2])[0] == qid:
            try:
                return sections(m)
            except (IndexError, struct.error):
                return None


def signed_a(name, ip):
    def ok():
        a = ask(name)
        if a is None or a[0] != 0:
            return False
        ans = [(t, rd) for sec, t, rd in a[1] if sec]
        return (1, ip) in ans and any(t == 46 for t, _ in ans)
    return ok


def gone(name):
    def ok():
        a = ask(name)
        return a is not None and a[0] == 3 and any(t == 50 for sec, t, _ in a[1] if not sec)
    return ok


def apply(lines):
    """one change through the server's own client; returns its exit status"""
    if server == "signetd":
        args = [client, "zone-update", "-s", sock_path, origin]
        for op, rr in lines:
            args += ["--" + op, rr]
        return subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    text = f"zone-begin {origin}\n"
    for op, rr in lines:
        text += f"zone-{'set' if op == 'add' else 'unset'} {origin} {rr}\n"
    text += f"zone-commit {origin}\n"
    p = subprocess.run([client, "-s", sock_path], input=text.encode(), capture_output=True)
    return 0 if p.returncode == 0 and b"error" not in p.stdout + p.stderr else 1


sock_path = sys.argv[8]
res = {"add": [], "change": [], "remove": []}
for i in range(n):
    ip = bytes([198, 18, i >> 8 & 255, i & 255])
    ips = ".".join(str(b) for b in ip)
    new = f"bench-incr-{i}.{origin}"
    old = chg[i] + "." + origin
    cases = [
        ("add", [("add", f"{new} 300 A {ips}")], signed_a(new, ip)),
        ("change", [("del", f"{old} A"), ("add", f"{old} 300 A {ips}")], signed_a(old, ip)),
        ("remove", [("del", rem[i] + "." + origin)], gone(rem[i] + "." + origin)),
    ]
    for kind, lines, ok in cases:
        t0 = time.monotonic()
        rc = apply(lines)
        t1 = time.monotonic()
        if rc != 0:
            sys.exit(f"{server}: {kind} {lines} failed")
        while not ok():
            if time.monotonic() - t0 > 30:
                sys.exit(f"{server}: {kind} not visible 30 s after it was sent")
        res[kind].append(((time.monotonic() - t0) * 1000, (t1 - t0) * 1000))
with open(out, "a") as f:
    for kind, v in res.items():
        vis = sorted(x[0] for x in v)
        cli = sorted(x[1] for x in v)
        f.write(f"{server} {kind} {statistics.median(vis):.2f} {vis[int(len(vis) * 0.9)]:.2f} "
                f"{vis[-1]:.2f} {statistics.median(cli):.2f}\n")
EOF

# wait_signed PORT SECONDS: until the SOA comes with its RRSIG
wait_signed() {
	python3 - "$1" "$2" <<'EOF'
import socket, struct, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
q = struct.pack(">HHHHHH", 7, 0, 1, 0, 0, 1) + b"\x04perf\x07example\x00" + struct.pack(">HH", 6, 1)
q += b"\0" + struct.pack(">HHIH", 41, 4096, 0x8000, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
end = time.monotonic() + limit
while time.monotonic() < end:
    try:
        s.sendto(q, ("127.0.0.1", port))
        m = s.recv(65535)
        if m[3] & 0xF == 0 and struct.unpack(">H", m[6:8])[0] >= 2:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit(1)
EOF
}

: >"$RUN/results"
run_signetd() {
	local d=$RUN/signetd port
	mkdir -p "$d"
	port=$(free_port)
	cp "$Z" "$d/zone"
	cat >"$d/signet.yaml" <<EOF
server:
  listen: [127.0.0.1@$port]
  workers: 1
  storage: $d/var
policy:
  - id: p
    algorithm: ecdsap256sha256
zone:
  - domain: $ORIGIN
    file: $d/zone
    dnssec-signing: on
    dnssec-policy: p
EOF
	local t0=$SECONDS
	taskset -c "$SCPU" "$SIGNETD" -c "$d/signet.yaml" >"$d/log" 2>&1 &
	PID=$!
	wait_signed "$port" 1800 || { echo "bench_incr: signetd did not serve the signed zone; see $d/log" >&2; exit 1; }
	for _ in $(seq 100); do [ -S "$d/var/signet.sock" ] && break; sleep 0.1; done
	echo "  signetd: signed and serving after $((SECONDS - t0)) s"
	taskset -c "$LCPU" python3 "$RUN/drive.py" signetd "$port" "$SIGNETC" $ORIGIN "$RUN/names" "$N" \
		"$RUN/results" "$d/var/signet.sock"
	stop
}

run_knotd() {
	local d=$RUN/knotd port
	mkdir -p "$d/db"
	port=$(free_port)
	cp "$Z" "$d/zone"
	cat >"$d/knot.conf" <<EOF
server:
    rundir: "$d"
    listen: 127.0.0.1@$port
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: info
database:
    storage: "$d/db"
    journal-db-max-size: 16G
policy:
  - id: p
    algorithm: ecdsap256sha256
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0
template:
  - id: default
    storage: "$d"
    semantic-checks: off
    zonefile-sync: -1
    # the signing makes a changeset of every signature: room for it, so
    # that each change is journalled as signetd's are
    journal-max-usage: 8G
zone:
  - domain: $ORIGIN
    file: "$d/zone"
    dnssec-signing: on
    dnssec-policy: p
EOF
	local t0=$SECONDS
	taskset -c "$SCPU" knotd -c "$d/knot.conf" >"$d/log" 2>&1 &
	PID=$!
	wait_signed "$port" 1800 || { echo "bench_incr: knotd did not serve the signed zone; see $d/log" >&2; exit 1; }
	echo "  knotd: signed and serving after $((SECONDS - t0)) s"
	taskset -c "$LCPU" python3 "$RUN/drive.py" knotd "$port" knotc $ORIGIN "$RUN/names" "$N" \
		"$RUN/results" "$d/knot.sock"
	stop
}

echo "bench_incr: $NAMES-name zone signed with NSEC3, $N changes of each kind; server on core $SCPU, client on core $LCPU; run in $RUN"
run_signetd
[ $KNOT = yes ] && run_knotd
python3 - "$RUN/results" <<'EOF'
import sys
rows = {}
for l in open(sys.argv[1]):
    s, k, med, p90, mx, cli = l.split()
    rows[(s, k)] = (float(med), float(p90), float(mx), float(cli))
print("\n  to the signed answer (client returned: its median)")
print(f"  {'server':8} {'change':7} {'median_ms':>10} {'p90_ms':>8} {'max_ms':>8} {'client_ms':>10}")
for (s, k), (med, p90, mx, cli) in rows.items():
    print(f"  {s:8} {k:7} {med:10.2f} {p90:8.2f} {mx:8.2f} {cli:10.2f}")
for k in ("add", "change", "remove"):
    if ("knotd", k) in rows and ("signetd", k) in rows:
        print(f"  {k}: knotd / signetd = {rows[('knotd', k)][0] / rows[('signetd', k)][0]:.2f}x (median)")
EOF
