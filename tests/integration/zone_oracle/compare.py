#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# compare.py - compares two named-checkzone -D dumps as multisets of records.
#
# Usage: compare.py [--nocase] A.txt B.txt
# A.txt is BIND's reading of the original zone, B.txt BIND's reading of what
# signetc printed. Both come out of the same printer, so equal records give
# equal lines; only blank lines and comments are dropped and runs of blanks
# outside quotes squeezed (for the report). With --nocase the comparison
# ignores letter case (for zones where which spelling survives is BIND's
# choice). Prints the differences, at most 10 per side, and exits 0 when the
# two are equal, 1 when not, 2 on a usage error.
import collections
import sys


def squeeze(line):
    """Collapses runs of blanks outside double quotes to one space."""
    out = []
    quoted = False
    escaped = False
    blank = False
    for ch in line.strip():
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        if not quoted and ch in " \t":
            if not blank:
                out.append(" ")
            blank = True
            continue
        blank = False
        out.append(ch)
    return "".join(out)


def records(path, nocase):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = [squeeze(l) for l in f if l.strip() and not l.lstrip().startswith(";")]
    if nocase:
        lines = [l.lower() for l in lines]
    return collections.Counter(lines)


def main(argv):
    nocase = False
    if argv and argv[0] == "--nocase":
        nocase = True
        argv = argv[1:]
    if len(argv) != 2:
        print("usage: compare.py [--nocase] A.txt B.txt", file=sys.stderr)
        return 2
    a = records(argv[0], nocase)
    b = records(argv[1], nocase)
    if a == b:
        return 0
    only_a = sorted((a - b).elements())
    only_b = sorted((b - a).elements())
    na, nb = sum(a.values()), sum(b.values())
    print(f"records: {na} read from the file, {nb} read from signetc's output")
    for title, rows in (("only in the file (as BIND reads it):", only_a),
                        ("only in signetc's output (as BIND reads it):", only_b)):
        if not rows:
            continue
        print(f"{title} {len(rows)}")
        for r in rows[:10]:
            print(f"  {r}")
        if len(rows) > 10:
            print(f"  ... {len(rows) - 10} more")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
