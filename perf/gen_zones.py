#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen_zones.py - writes many small hosting zones and the zone lists of a
# signet and a knotd configuration that serve them.
#
# Usage: gen_zones.py [--zones N] [--seed S] OUTDIR
#
# Writes OUTDIR/zones/NNN/<zone>zone (at most 1000 files a folder), each
# zone exactly 20 records: SOA, 2 NS, MX, 2 TXT, and A/AAAA for the apex,
# www, mail, ns1, ns2, ftp, shop, a CNAME and an SRV, and a wildcard A.
# Next to them OUTDIR/signet-zones.yaml (the `zone:` section of a signet
# configuration), OUTDIR/knot-zones.conf (the `zone:` section of a
# knot.conf), OUTDIR/zones.txt (one zone name a line, in the order of both
# lists) and OUTDIR/done (written last: the set is complete). The caller
# puts its own `server:` section in front. Same arguments, same files.
# Stdlib only.
import argparse
import os
import random
import sys

SYL = ["ka", "lo", "mi", "ne", "ru", "ta", "shi", "po", "ve", "da", "zen",
       "bri", "cor", "fax", "gul", "hex", "jo", "qua", "xi", "wy", "stor"]
TLDS = ["com", "net", "org", "example", "test"]


def word(rng):
    return "".join(rng.choice(SYL) for _ in range(rng.randint(1, 3)))


def zone_text(name, i, rng):
    a = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
    v6 = f"2001:db8:{(i >> 16) & 0xffff:x}:{i & 0xffff:x}"
    return (
        f"$ORIGIN {name}\n$TTL 3600\n"
        f"@\tIN\tSOA\tns1 hostmaster ({2024060100 + i % 100} 10800 3600 1209600 300)\n"
        "\tNS\tns1\n\tNS\tns2\n\tMX\t10 mail\n"
        "\tTXT\t\"v=spf1 mx -all\"\n"
        f"\tTXT\t\"site-verification={rng.getrandbits(64):016x}\"\n"
        f"\tA\t{a}\n\tAAAA\t{v6}::1\n"
        f"www\tA\t{a}\n\tAAAA\t{v6}::1\n"
        f"mail\tA\t192.0.2.{1 + i % 250}\n\tAAAA\t{v6}::25\n"
        f"ns1\tA\t198.51.100.{1 + i % 250}\nns2\tA\t203.0.113.{1 + i % 250}\n"
        f"ftp\tA\t{a}\nshop\tA\t192.0.2.{1 + (i >> 8) % 250}\n"
        f"blog\tCNAME\twww\n"
        f"_sip._tcp\tSRV\t10 60 5060 www\n"
        f"*.cdn\tA\t192.0.2.{1 + (i >> 4) % 250}\n"
        f"static\tAAAA\t{v6}::80\n"
    )


def main():
    ap = argparse.ArgumentParser(description="writes many small zones and their zone lists")
    ap.add_argument("--zones", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("outdir")
    a = ap.parse_args()
    if a.zones < 1:
        ap.error("--zones must be at least 1")
    rng = random.Random(a.seed)
    out = os.path.abspath(a.outdir)
    os.makedirs(out, exist_ok=True)
    done = os.path.join(out, "done")
    if os.path.exists(done):
        os.unlink(done)
    seen = set()
    sy = open(os.path.join(out, "signet-zones.yaml"), "w", buffering=1 << 20)
    kn = open(os.path.join(out, "knot-zones.conf"), "w", buffering=1 << 20)
    tx = open(os.path.join(out, "zones.txt"), "w", buffering=1 << 20)
    sy.write("zone:\n")
    kn.write("zone:\n")
    for i in range(a.zones):
        while True:
            name = f"{word(rng)}{i:x}.{rng.choice(TLDS)}."
            if name not in seen:
                break
        seen.add(name)
        d = os.path.join(out, "zones", f"{i // 1000:03d}")
        if i % 1000 == 0:
            os.makedirs(d, exist_ok=True)
        path = os.path.join(d, name + "zone")
        with open(path, "w") as f:
            f.write(zone_text(name, i, rng))
        sy.write(f"  - domain: {name}\n    file: {path}\n")
        kn.write(f"  - domain: {name}\n    file: \"{path}\"\n")
        tx.write(name + "\n")
    for f in (sy, kn, tx):
        f.close()
    with open(done, "w") as f:
        f.write(f"{a.zones} {a.seed}\n")
    print(f"gen_zones: {out}: {a.zones} zones of 20 records", file=sys.stderr)


if __name__ == "__main__":
    main()
