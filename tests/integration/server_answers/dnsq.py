# SPDX-License-Identifier: MIT
# dnsq.py - ask a server with dig and parse what dig prints.
#
# dig is the oracle for the wire format: it refuses malformed responses, so
# a parsed answer is also a well-formed one. Queries go out one by one
# (dig(...)) or in one dig process for many (dig_batch(...)). Records come
# back as tuples (owner lower-cased, ttl, class, type, rdata with single
# spaces), so two servers' answers compare as sets.
import re
import subprocess

DIG = "dig"
# Same query, same wire form, whatever the defaults of the dig installed:
# no cookie, no AD flag, no EDNS version negotiation, no retry over TCP
# when TC is set, one try with a short timeout. The transport is always
# given (dig 9.18 sends ANY over TCP unless told +notcp).
BASE = ["+nocookie", "+noad", "+noednsneg", "+ignore", "+tries=1", "+timeout=2",
        "+nottlunits", "+nomultiline"]


class Resp:
    def __init__(self):
        self.args = ""
        self.opcode = None
        self.rcode = None
        self.id = None
        self.flags = set()
        self.counts = {}
        self.question = []
        self.sections = {"ANSWER": [], "AUTHORITY": [], "ADDITIONAL": []}
        self.edns = None      # dict: version, flags (set), udp; None: no OPT
        self.nsid = None
        self.size = None      # MSG SIZE rcvd
        self.error = None     # dig's complaint, when it had one
        self.transport = None  # "UDP" or "TCP", as dig reports it
        self.text = ""

    def rrs(self, section, rtype=None):
        return [r for r in self.sections[section] if rtype is None or r[3] == rtype]

    def has(self, section, owner, rtype, rdata=None):
        for r in self.sections[section]:
            if r[0] == owner.lower() and r[3] == rtype and (rdata is None or r[4] == rdata):
                return True
        return False

    def summary(self):
        return "%s %s an=%d ns=%d ar=%d" % (self.rcode, "+".join(sorted(self.flags)),
                                            len(self.sections["ANSWER"]),
                                            len(self.sections["AUTHORITY"]),
                                            len(self.sections["ADDITIONAL"]))


def _rr(line):
    f = line.split()
    if len(f) < 4:
        return None
    # owner ttl class type rdata...
    return (f[0].lower(), int(f[1]), f[2], f[3], " ".join(f[4:]))


def parse(text):
    """Parses one dig answer block (from "; <<>> DiG" to the next)."""
    r = Resp()
    r.text = text
    sec = None
    for line in text.splitlines():
        m = re.match(r"; <<>> DiG \S+ <<>> (.*)$", line)
        if m:
            r.args = m.group(1).strip()
            continue
        m = re.match(r";; ->>HEADER<<- opcode: (\S+), status: (\S+), id: (\d+)", line)
        if m:
            r.opcode, r.rcode, r.id = m.group(1), m.group(2), int(m.group(3))
            continue
        m = re.match(r";; flags:([^;]*); (.*)$", line)
        if m:
            r.flags = set(m.group(1).split())
            for part in m.group(2).split(","):
                k, v = part.strip().split(":")
                r.counts[k.strip()] = int(v)
            continue
        m = re.match(r"; EDNS: version: (\d+), flags:([^;]*); udp: (\d+)", line)
        if m:
            r.edns = {"version": int(m.group(1)), "flags": set(m.group(2).split()),
                      "udp": int(m.group(3))}
            continue
        m = re.match(r'; NSID: .*\("(.*)"\)', line)
        if m:
            r.nsid = m.group(1)
            continue
        m = re.match(r";; SERVER: .*\((UDP|TCP)\)\s*$", line)
        if m:
            r.transport = m.group(1)
            continue
        m = re.match(r";; MSG SIZE\s+rcvd: (\d+)", line)
        if m:
            r.size = int(m.group(1))
            continue
        m = re.match(r";; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL) SECTION:", line)
        if m:
            sec = m.group(1)
            continue
        if line.startswith(";; ") and ("error" in line or "timed out" in line
                                       or "no servers" in line or "Warning" in line
                                       or "WARNING: Message" in line):
            r.error = (r.error + "; " if r.error else "") + line[3:]
        if not line.strip():
            sec = None
            continue
        if sec == "QUESTION" and line.startswith(";"):
            r.question.append(line[1:].split())
        elif sec in r.sections and not line.startswith(";"):
            rr = _rr(line)
            if rr is not None:
                r.sections[sec].append(rr)
    if r.rcode is None and r.error is None:
        r.error = "no answer"
    return r


def dig(server, port, *args, tcp=False, extra=()):
    """Runs one query; returns a Resp (rcode None and error set when there
    was no answer)."""
    cmd = [DIG, "@" + server, "-p", str(port)] + BASE + list(extra)
    # explicit both ways: dig sends ANY over TCP unless told +notcp
    cmd.append("+tcp" if tcp else "+notcp")
    cmd += list(args)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=30)
    return parse(p.stdout)


def dig_batch(server, port, lines, extra=()):
    """Runs every query line (dig arguments) through one dig process and
    returns the answers in order; a query without an answer gives a Resp
    with rcode None. When dig -f loses answers (it gives up on the rest of
    a file now and then on a loaded machine), the lines are asked again in
    chunks, and a chunk that still comes back short one query at a time."""
    try:
        return _dig_batch(server, port, lines, extra)
    except RuntimeError:
        pass
    out = []
    for i in range(0, len(lines), 200):
        chunk = lines[i:i + 200]
        try:
            out += _dig_batch(server, port, chunk, extra)
        except RuntimeError:
            for ln in chunk:
                try:
                    out += _dig_batch(server, port, [ln], extra, tries=2)
                except RuntimeError:
                    out.append(parse(""))  # no answer at all
    return out


def _dig_batch(server, port, lines, extra=(), tries=3):
    import os
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".dig", delete=False) as f:
        for ln in lines:
            f.write(ln + "\n")
        path = f.name
    try:
        cmd = [DIG, "@" + server, "-p", str(port)] + BASE + list(extra) + ["-f", path]
        # on a loaded machine dig -f now and then loses the output of a
        # query it gave up on: the batch is run again (at most twice more)
        for attempt in range(tries):
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, timeout=300)
            blocks = re.split(r"(?m)^(?=; <<>> DiG )", p.stdout)
            blocks = [b for b in blocks if b.startswith("; <<>> DiG ")]
            out = [parse(b) for b in blocks]
            if len(out) == len(lines):
                return out
    finally:
        os.unlink(path)
    raise RuntimeError("dig -f: %d queries, %d answers" % (len(lines), len(out)))
