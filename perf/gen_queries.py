#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen_queries.py - query files (dnsperf format) for a zone, and the small
# hosting-style zone of the server benchmark.
#
# Usage:
#   gen_queries.py small-zone [--origin NAME] OUTPUT
#   gen_queries.py queries --zone FILE --origin NAME [--count N] [--seed S]
#                  [--mix EXIST,NX,WILD,REF] OUTPUT
#
# "queries" reads the zone file (the subset of RFC 1035 5.1 that zone
# generators write: $ORIGIN, $TTL, relative and omitted owners, optional TTL
# and class, parentheses) and writes "name type" lines, shuffled:
#   EXIST%  names that exist, with a type that exists at them (a CNAME owner
#           is asked for A, as a browser would);
#   NX%     names that do not exist and no wildcard covers (RFC 4592 3.3.1
#           closest encloser has no "*" child): NXDOMAIN;
#   WILD%   names that only a wildcard covers, asked for a type it holds;
#   REF%    names at or under a delegation: referrals (RFC 1034 4.3.2 3b).
# Default mix 70,20,5,5. The same arguments always give the same file.
# Stdlib only.
import argparse
import random
import sys

KNOWN_CLASSES = {"IN", "CH", "HS", "CS"}


def absolute(name, origin):
    if name == "@":
        return origin
    if name.endswith("."):
        return name.lower()
    return (name + "." + origin).lower()


def is_ttl(tok):
    return tok[:1].isdigit()


def read_zone(path, origin):
    """Yields (owner, type) for every record, owners absolute and lower case."""
    last_owner = None
    pending = ""
    depth = 0
    with open(path) as f:
        for raw in f:
            # Comments end a line except inside quotes.
            line, q = [], False
            for ch in raw.rstrip("\n"):
                if ch == '"':
                    q = not q
                elif ch == ";" and not q:
                    break
                line.append(ch)
            line = "".join(line)
            depth += line.count("(") - line.count(")")
            pending += line + " "
            if depth > 0:
                continue
            text, pending = pending.replace("(", " ").replace(")", " "), ""
            if not text.strip():
                continue
            toks = text.split()
            if toks[0].upper() == "$ORIGIN":
                origin = absolute(toks[1], origin)
                continue
            if toks[0].upper() == "$TTL":
                continue
            if toks[0].startswith("$"):
                raise SystemExit(f"gen_queries: {path}: {toks[0]} not supported")
            if text[0] in " \t":
                owner = last_owner
            else:
                owner = absolute(toks.pop(0), origin)
            if owner is None:
                raise SystemExit(f"gen_queries: {path}: record without an owner")
            last_owner = owner
            # [TTL] [CLASS] TYPE or [CLASS] [TTL] TYPE
            for _ in range(2):
                if toks and (is_ttl(toks[0]) or toks[0].upper() in KNOWN_CLASSES):
                    toks.pop(0)
            if not toks:
                raise SystemExit(f"gen_queries: {path}: record without a type")
            yield owner, toks[0].upper()


def ancestors(name, apex):
    """Proper ancestors of name down to (not including) apex."""
    out = []
    while name != apex:
        name = name.split(".", 1)[1]
        if name == apex or not name.endswith(apex):
            break
        out.append(name)
    return out


def gen_queries(a):
    origin = a.origin.lower()
    if not origin.endswith("."):
        origin += "."
    types = {}
    for owner, rtype in read_zone(a.zone, origin):
        if not (owner == origin or owner.endswith("." + origin)):
            continue  # out of zone: ignored by servers too
        types.setdefault(owner, set()).add(rtype)
    if origin not in types or "SOA" not in types[origin]:
        raise SystemExit(f"gen_queries: {a.zone}: no SOA at {origin}")
    cuts = {o for o, t in types.items() if "NS" in t and o != origin}

    def under_cut(name):
        if name in cuts:
            return True
        return any(p in cuts for p in ancestors(name, origin))

    wilds = [o for o in types if o.startswith("*.") and not under_cut(o)]
    exist = [o for o in types if not o.startswith("*.") and not under_cut(o)]
    # Empty non-terminals exist too (RFC 4592 2.2.2): a name made up below
    # one is not NXDOMAIN-free of its parent, so remember them.
    ents = set()
    for o in types:
        for p in ancestors(o, origin):
            if p not in types:
                ents.add(p)
    exist.sort()
    wilds.sort()
    cut_list = sorted(cuts)
    rng = random.Random(a.seed)

    def exists(name):
        return name in types or name in ents

    def rand_label():
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))

    def pick_type(owner):
        t = sorted(types[owner] - {"RRSIG", "NSEC", "NSEC3", "NSEC3PARAM"})
        if "CNAME" in t:
            return "A"
        return rng.choice(t)

    def q_exist():
        o = rng.choice(exist)
        return o, pick_type(o)

    def q_nx():
        # Half right under the apex, half under an existing name, so that
        # the closest encloser is not always the apex.
        for _ in range(100):
            parent = origin if rng.random() < 0.5 else rng.choice(exist)
            name = "nx" + rand_label() + "." + parent
            if len(name) > 250 or exists(name) or ("*." + parent) in types or under_cut(name):
                continue
            return name, rng.choice(("A", "AAAA", "MX", "TXT"))
        raise SystemExit("gen_queries: cannot make NXDOMAIN names (wildcard at every level?)")

    def q_wild():
        w = rng.choice(wilds)
        base = w[2:]
        for _ in range(100):
            name = rand_label() + "." + base
            if rng.random() < 0.2:
                name = rand_label() + "." + name
            if not exists(name):
                return name, rng.choice(sorted(types[w]))
        raise SystemExit("gen_queries: cannot make wildcard names")

    def q_ref():
        c = rng.choice(cut_list)
        r = rng.random()
        if r < 0.2:
            return c, "A"
        if r < 0.6:
            return "www." + c, "A"
        return rand_label() + "." + c, rng.choice(("A", "AAAA", "MX"))

    mix = [float(x) for x in a.mix.split(",")]
    if len(mix) != 4 or any(x < 0 for x in mix) or sum(mix) <= 0:
        raise SystemExit("gen_queries: --mix wants four non-negative numbers")
    if mix[2] > 0 and not wilds:
        raise SystemExit(f"gen_queries: {a.zone}: no wildcard for the WILD share")
    if mix[3] > 0 and not cut_list:
        raise SystemExit(f"gen_queries: {a.zone}: no delegation for the REF share")
    total = sum(mix)
    counts = [int(a.count * m / total) for m in mix]
    counts[0] += a.count - sum(counts)
    lines = []
    for fn, n in zip((q_exist, q_nx, q_wild, q_ref), counts):
        for _ in range(n):
            name, t = fn()
            lines.append(f"{name} {t}\n")
    rng.shuffle(lines)
    with open(a.output, "w") as f:
        f.writelines(lines)
    print(f"gen_queries: {a.output}: {len(lines)} queries (exist {counts[0]}, nxdomain "
          f"{counts[1]}, wildcard {counts[2]}, referral {counts[3]}) from {len(exist)} names, "
          f"{len(wilds)} wildcards, {len(cut_list)} delegations", file=sys.stderr)


def small_zone(a):
    """A hosting provider's customer zone: mail, web, service records, a
    few hundred sites and hosts, wildcards, and three delegated subzones."""
    o = a.origin if a.origin.endswith(".") else a.origin + "."
    rng = random.Random(7)
    w = []
    w.append(f"$ORIGIN {o}\n$TTL 3600\n")
    w.append("@\tIN\tSOA\tns1 hostmaster (2024060101 7200 3600 1209600 300)\n")
    w.append("\tNS\tns1\n\tNS\tns2\n\tMX\t10 mx1\n\tMX\t20 mx2\n")
    w.append("\tA\t192.0.2.10\n\tAAAA\t2001:db8::10\n")
    w.append("\tTXT\t\"v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all\"\n")
    w.append("\tTXT\t\"site-verification=3f9a7c1e0b2d4a6c8e1f3a5c7e9b0d2f\"\n")
    w.append("\tCAA\t0 issue \"letsencrypt.org\"\n")
    w.append("ns1\tA\t192.0.2.53\n\tAAAA\t2001:db8::53\nns2\tA\t198.51.100.53\n")
    w.append("\tAAAA\t2001:db8:1::53\n")
    w.append("mx1\tA\t192.0.2.25\n\tAAAA\t2001:db8::25\nmx2\tA\t198.51.100.25\n")
    w.append("www\tCNAME\t@\nmail\tA\t192.0.2.26\nwebmail\tCNAME\tmail\n")
    w.append("ftp\tA\t192.0.2.21\ncpanel\tA\t192.0.2.22\nautodiscover\tCNAME\tmail\n")
    w.append("_dmarc\tTXT\t\"v=DMARC1; p=quarantine; rua=mailto:dmarc@" + o[:-1] + "\"\n")
    w.append("default._domainkey\tTXT\t\"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB"
             "CgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0\" "
             "\"TdFkQ9zHvBc4u5aM9wK3i6pY2EGYZ6uWQYrN1xHQIDAQAB\"\n")
    w.append("_sip._tcp\tSRV\t10 60 5060 sip\n_sip._udp\tSRV\t10 60 5060 sip\n")
    w.append("_autodiscover._tcp\tSRV\t0 0 443 mail\n_imaps._tcp\tSRV\t0 1 993 mail\n")
    w.append("_submission._tcp\tSRV\t0 1 587 mail\nsip\tA\t192.0.2.60\n")
    w.append("*.apps\tA\t192.0.2.80\n\tAAAA\t2001:db8::80\n*.preview\tCNAME\twww\n")
    names = 30
    for i in range(1, 181):
        w.append(f"site{i}\tA\t203.0.113.{i}\n")
        if i % 3 == 0:
            w.append(f"\tAAAA\t2001:db8:113::{i:x}\n")
        if i % 7 == 0:
            w.append(f"\tMX\t10 mx1\n\tTXT\t\"v=spf1 mx -all\"\n")
        w.append(f"www.site{i}\tCNAME\tsite{i}\n")
        names += 2
    for i in range(1, 81):
        w.append(f"h{i}\tA\t192.0.2.{100 + i}\n")
        if rng.random() < 0.5:
            w.append(f"\tAAAA\t2001:db8:2::{i:x}\n")
        names += 1
    for n, d in enumerate(("dept1", "dept2", "partner")):
        w.append(f"{d}\tNS\tns1.{d}\n\tNS\tns2.{d}\n")
        w.append(f"ns1.{d}\tA\t192.0.2.{200 + n}\nns2.{d}\tA\t198.51.100.{200 + n}\n")
        names += 3
    with open(a.output, "w") as f:
        f.write(f"; a hosting-style zone of about {names} names, from perf/gen_queries.py\n")
        f.writelines(w)
    print(f"gen_queries: {a.output}: about {names} names", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description="query files and the small zone for perf/")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("small-zone", help="write the small hosting-style zone")
    s.add_argument("--origin", default="hosting.example.")
    s.add_argument("output")
    q = sub.add_parser("queries", help="write a query file for a zone")
    q.add_argument("--zone", required=True)
    q.add_argument("--origin", required=True)
    q.add_argument("--count", type=int, default=100000)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--mix", default="70,20,5,5")
    q.add_argument("output")
    a = ap.parse_args()
    if a.cmd == "small-zone":
        small_zone(a)
    else:
        if a.count <= 0:
            raise SystemExit("gen_queries: --count must be positive")
        gen_queries(a)


if __name__ == "__main__":
    main()
