# SPDX-License-Identifier: MIT
# check.py - the answers of a running signetd, case by case, checked with dig.
#
# Usage: check.py PORT
# Prints one line per check: "PASS<TAB>name", "FAIL<TAB>name<TAB>reason",
# "XFAIL<TAB>name<TAB>bug" (a known server bug, counted as passed) or
# "XPASS<TAB>name<TAB>bug" (the bug is gone: remove the marker). The zones
# are those of zones/ (see run.sh for the configuration).
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnsq import dig  # noqa: E402

PORT = int(sys.argv[1])
V4 = "127.0.0.1"
V6 = "::1"
L60 = "a" * 60
L62 = L60 + "bb"


def emit(status, name, why=""):
    print("%s\t%s\t%s" % (status, name, why.replace("\t", " ").replace("\n", " | ")))
    sys.stdout.flush()


def check(name, r, rcode=None, aa=None, tc=None, an=None, ns=None, ar=None, has=(),
          lacks=(), fn=None, edns=None, known=None):
    """Checks the answer `r`. has/lacks: (section, owner, type[, rdata[,
    ttl]]). fn(r) returns a complaint or None. edns: True/False for an OPT
    present or not. known: the bug that makes this check fail."""
    errs = []
    if r.rcode is None:
        errs.append("no answer: %s" % r.error)
    else:
        if r.error:
            errs.append("dig: %s" % r.error)
        if rcode is not None and r.rcode != rcode:
            errs.append("rcode %s, want %s" % (r.rcode, rcode))
        if "qr" not in r.flags:
            errs.append("QR clear")
        if aa is not None and ("aa" in r.flags) != aa:
            errs.append("AA %s, want %s" % ("aa" in r.flags, aa))
        if tc is not None and ("tc" in r.flags) != tc:
            errs.append("TC %s, want %s" % ("tc" in r.flags, tc))
        for sec, want in (("ANSWER", an), ("AUTHORITY", ns), ("ADDITIONAL", ar)):
            if want is not None and len(r.sections[sec]) != want:
                errs.append("%s has %d records, want %d" % (sec, len(r.sections[sec]), want))
        for h in has:
            sec, owner, rtype = h[0], h[1], h[2]
            rdata = h[3] if len(h) > 3 else None
            ttl = h[4] if len(h) > 4 else None
            found = [x for x in r.sections[sec] if x[0] == owner.lower() and x[3] == rtype
                     and (rdata is None or x[4] == rdata)]
            if not found:
                errs.append("no %s %s %s in %s" % (owner, rtype, rdata or "", sec))
            elif ttl is not None and found[0][1] != ttl:
                errs.append("%s %s TTL %d, want %d" % (owner, rtype, found[0][1], ttl))
        for h in lacks:
            if r.has(*h):
                errs.append("unexpected %s" % " ".join(h))
        if edns is not None and (r.edns is not None) != edns:
            errs.append("OPT %s, want %s" % ("present" if r.edns else "absent",
                                             "present" if edns else "absent"))
        if fn is not None:
            e = fn(r)
            if e:
                errs.append(e)
    why = "; ".join(errs)
    if errs:
        why += " [got %s]" % r.summary()
    if known is not None:
        emit("XPASS" if not errs else "XFAIL", name, known + (" -- " + why if errs else ""))
    elif errs:
        emit("FAIL", name, why)
    else:
        emit("PASS", name)


def q(name, rtype="A", *opts, tcp=False, server=V4):
    return dig(server, PORT, name, rtype, *opts, tcp=tcp)


def neg(r, apex, ttl):
    """A negative answer: the zone's SOA alone in authority with TTL
    min(SOA TTL, MINIMUM) (RFC 2308 3, 5)."""
    soa = r.rrs("AUTHORITY", "SOA")
    if len(soa) != 1 or soa[0][0] != apex or soa[0][1] != ttl:
        return "want one SOA of %s with TTL %d in authority, got %s" % (apex, ttl, soa)
    return None


def no_dups(r):
    for sec, rrs in r.sections.items():
        if len(set(rrs)) != len(rrs):
            return "a record repeated in %s" % sec
    return None


def one_rrset(r):
    keys = {(x[0], x[3]) for x in r.sections["ANSWER"]}
    return None if len(keys) == 1 else "ANSWER holds %d RRsets, want 1" % len(keys)


def additional_whole(r):
    """No name has its AAAA without its A: RRsets are dropped whole and in
    order (RFC 2181 9)."""
    names_a = {x[0] for x in r.rrs("ADDITIONAL", "A")}
    for x in r.rrs("ADDITIONAL", "AAAA"):
        if x[0] not in names_a:
            return "AAAA of %s without its A" % x[0]
    return None


def answers(tcp):
    """The answer logic, over UDP or TCP: the same expectations."""
    t = " (tcp)" if tcp else " (udp)"
    SOA300 = lambda r: neg(r, "example.com.", 300)  # noqa: E731

    check("exact match" + t, q("mail.example.com", "A", tcp=tcp), "NOERROR", aa=True, tc=False,
          an=1, ns=0, has=[("ANSWER", "mail.example.com.", "A", "192.0.2.25", 3600)])
    check("exact match AAAA at the apex" + t, q("example.com", "AAAA", tcp=tcp), "NOERROR",
          aa=True, an=1, has=[("ANSWER", "example.com.", "AAAA", "2001:db8::1")])
    check("CNAME chain in the zone" + t, q("alias.example.com", "A", tcp=tcp), "NOERROR",
          aa=True, an=3, has=[("ANSWER", "alias.example.com.", "CNAME", "www.example.com."),
                              ("ANSWER", "www.example.com.", "CNAME", "example.com."),
                              ("ANSWER", "example.com.", "A", "192.0.2.1")])
    check("CNAME across two served zones" + t, q("ext.example.com", "A", tcp=tcp), "NOERROR",
          aa=True, an=2, has=[("ANSWER", "ext.example.com.", "CNAME", "host.example.org."),
                              ("ANSWER", "host.example.org.", "A", "192.0.2.200")])
    check("CNAME out of the served zones" + t, q("out.example.com", "A", tcp=tcp), "NOERROR",
          an=1, ns=0, has=[("ANSWER", "out.example.com.", "CNAME", "www.example.net.")])
    check("CNAME to a missing name: NXDOMAIN (RFC 6604)" + t,
          q("dangling.example.com", "A", tcp=tcp), "NXDOMAIN", an=1, fn=SOA300,
          has=[("ANSWER", "dangling.example.com.", "CNAME", "nothing.example.com.")])
    check("CNAME loop stops, each link once" + t, q("loop1.example.com", "A", tcp=tcp),
          "NOERROR", an=2, fn=no_dups,
          has=[("ANSWER", "loop1.example.com.", "CNAME", "loop2.example.com."),
               ("ANSWER", "loop2.example.com.", "CNAME", "loop1.example.com.")])
    check("CNAME to itself stops" + t, q("self.example.com", "A", tcp=tcp), "NOERROR", an=1)
    check("DNAME substitution into a served zone" + t,
          q("host.old.example.com", "A", tcp=tcp), "NOERROR", aa=True, an=3,
          has=[("ANSWER", "old.example.com.", "DNAME", "example.org."),
               ("ANSWER", "host.old.example.com.", "CNAME", "host.example.org.", 3600),
               ("ANSWER", "host.example.org.", "A", "192.0.2.200")])
    check("DNAME to a missing name: NXDOMAIN from the target zone" + t,
          q("x.y.old.example.com", "A", tcp=tcp), "NXDOMAIN", an=2,
          fn=lambda r: neg(r, "example.org.", 60))
    check("DNAME owner itself is not redirected" + t, q("old.example.com", "DNAME", tcp=tcp),
          "NOERROR", an=1, has=[("ANSWER", "old.example.com.", "DNAME", "example.org.")])
    check("DNAME result over 255 octets: YXDOMAIN (RFC 6672 2.2)" + t,
          q("%s.%s.long.example.com" % (L62, L62), "A", tcp=tcp), "YXDOMAIN",
          has=[("ANSWER", "long.example.com.", "DNAME")],
          lacks=[("ANSWER", "%s.%s.long.example.com." % (L62, L62), "CNAME")])
    check("wildcard" + t, q("x.wild.example.com", "A", tcp=tcp), "NOERROR", aa=True, an=1,
          has=[("ANSWER", "x.wild.example.com.", "A", "192.0.2.80")])
    check("wildcard, two labels deep" + t, q("y.x.wild.example.com", "TXT", tcp=tcp),
          "NOERROR", an=1, has=[("ANSWER", "y.x.wild.example.com.", "TXT", '"wild"')])
    check("wildcard CNAME" + t, q("foo.wc.example.com", "A", tcp=tcp), "NOERROR", an=2,
          has=[("ANSWER", "foo.wc.example.com.", "CNAME", "mail.example.com."),
               ("ANSWER", "mail.example.com.", "A", "192.0.2.25")])
    check("wildcard NODATA" + t, q("x.wild.example.com", "MX", tcp=tcp), "NOERROR", aa=True,
          an=0, ns=1, fn=SOA300)
    check("no wildcard below an existing name (RFC 4592 2.2.1)" + t,
          q("x.exists.wild.example.com", "A", tcp=tcp), "NXDOMAIN", an=0, fn=SOA300)
    check("no wildcard below an empty non-terminal" + t,
          q("x.b.wild.example.com", "A", tcp=tcp), "NXDOMAIN", an=0, fn=SOA300)
    check("empty non-terminal: NODATA" + t, q("b.c.example.com", "A", tcp=tcp), "NOERROR",
          aa=True, an=0, ns=1, fn=SOA300)
    check("referral with glue and sibling glue" + t, q("www.sub.example.com", "A", tcp=tcp),
          "NOERROR", aa=False, an=0, ns=2,
          has=[("AUTHORITY", "sub.example.com.", "NS", "ns.sub.example.com."),
               ("AUTHORITY", "sub.example.com.", "NS", "ns.other.example.com."),
               ("ADDITIONAL", "ns.sub.example.com.", "A", "192.0.2.99"),
               ("ADDITIONAL", "ns.sub.example.com.", "AAAA", "2001:db8::99"),
               ("ADDITIONAL", "ns.other.example.com.", "A", "192.0.2.98")])
    check("NS at a cut: referral" + t, q("sub.example.com", "NS", tcp=tcp), "NOERROR",
          aa=False, an=0, ns=2, has=[("ADDITIONAL", "ns.sub.example.com.", "A", "192.0.2.99")])
    check("DS at a cut from the parent (RFC 4035 3.1.4.1)" + t,
          q("sub.example.com", "DS", tcp=tcp), "NOERROR", aa=True, an=1, ns=0,
          has=[("ANSWER", "sub.example.com.", "DS")])
    check("no DS at a cut: NODATA with the parent SOA" + t,
          q("nods.example.com", "DS", tcp=tcp), "NOERROR", aa=True, an=0, fn=SOA300)
    check("DS of a served child from the parent" + t, q("child.example.com", "DS", tcp=tcp),
          "NOERROR", aa=True, an=1, has=[("ANSWER", "child.example.com.", "DS")])
    check("most specific zone wins" + t, q("www.child.example.com", "A", tcp=tcp), "NOERROR",
          aa=True, an=1, has=[("ANSWER", "www.child.example.com.", "A", "192.0.2.101")])
    check("NXDOMAIN, SOA TTL = MINIMUM < TTL" + t, q("nope.example.com", "A", tcp=tcp),
          "NXDOMAIN", aa=True, an=0, ns=1, fn=SOA300)
    check("NXDOMAIN, SOA TTL = TTL < MINIMUM" + t, q("nope.example.org", "A", tcp=tcp),
          "NXDOMAIN", aa=True, an=0, ns=1, fn=lambda r: neg(r, "example.org.", 60))
    check("NODATA" + t, q("mail.example.com", "TXT", tcp=tcp), "NOERROR", aa=True, an=0, ns=1,
          fn=SOA300)
    check("additional for MX" + t, q("example.com", "MX", tcp=tcp), "NOERROR", an=1,
          has=[("ADDITIONAL", "mail.example.com.", "A", "192.0.2.25"),
               ("ADDITIONAL", "mail.example.com.", "AAAA", "2001:db8::25")])
    check("additional for SRV" + t, q("_sip._tcp.example.com", "SRV", tcp=tcp), "NOERROR",
          an=1, has=[("ADDITIONAL", "sip.example.com.", "A", "192.0.2.60")])
    check("additional for NS" + t, q("example.com", "NS", tcp=tcp), "NOERROR", aa=True, an=2,
          has=[("ADDITIONAL", "ns1.example.com.", "A", "192.0.2.53"),
               ("ADDITIONAL", "ns1.example.com.", "AAAA", "2001:db8::53"),
               ("ADDITIONAL", "ns2.example.com.", "A", "198.51.100.53")])
    check("out of zone: REFUSED" + t, q("www.example.net", "A", tcp=tcp), "REFUSED", aa=False,
          an=0)
    check("case preserved (0x20)" + t, q("MaIl.ExAmPlE.cOm", "A", tcp=tcp), "NOERROR",
          fn=lambda r: None if (r.question and r.question[0][0] == "MaIl.ExAmPlE.cOm."
                                and "\nMaIl.ExAmPlE.cOm." in r.text)
          else "question or owner case changed: %s" % r.question)
    check("EDNS: OPT with our size, DO echoed" + t,
          q("mail.example.com", "A", "+dnssec", "+bufsize=4096", tcp=tcp), "NOERROR", edns=True,
          fn=lambda r: None if r.edns["udp"] == 1400 and "do" in r.edns["flags"]
          and r.edns["version"] == 0 else "OPT %s" % r.edns)
    check("EDNS: no OPT asked, none given" + t, q("mail.example.com", "A", "+noedns", tcp=tcp),
          "NOERROR", edns=False)
    check("EDNS: BADVERS for version 1" + t,
          q("mail.example.com", "A", "+edns=1", tcp=tcp), "BADVERS", an=0, edns=True,
          fn=lambda r: None if r.edns["version"] == 0 else "OPT version %d" % r.edns["version"])
    check("EDNS: NSID" + t, q("mail.example.com", "A", "+nsid", tcp=tcp), "NOERROR",
          fn=lambda r: None if r.nsid == "signet-it" else "NSID %r" % r.nsid)
    check("EDNS: no NSID unless asked" + t, q("mail.example.com", "A", tcp=tcp), "NOERROR",
          fn=lambda r: None if r.nsid is None else "NSID %r" % r.nsid)
    check("opcode NOTIFY: NOTIMP, OPT kept" + t,
          q("example.com", "SOA", "+opcode=notify", tcp=tcp), "NOTIMP", an=0, edns=True)
    check("opcode STATUS: NOTIMP, OPT kept" + t,
          q("example.com", "SOA", "+opcode=status", tcp=tcp), "NOTIMP", an=0, edns=True)
    check("no question: FORMERR, OPT kept" + t,
          q("example.com", "SOA", "+header-only", tcp=tcp), "FORMERR", an=0, edns=True)
    check("no question, no EDNS: FORMERR without OPT" + t,
          q("example.com", "SOA", "+header-only", "+noedns", tcp=tcp), "FORMERR", an=0,
          edns=False)
    check("CNAME into a delegation: referral after the chain" + t,
          q("c2sub.example.com", "A", tcp=tcp), "NOERROR", aa=True, an=1, ns=2,
          has=[("ANSWER", "c2sub.example.com.", "CNAME", "www.sub.example.com."),
               ("AUTHORITY", "sub.example.com.", "NS", "ns.sub.example.com."),
               ("ADDITIONAL", "ns.sub.example.com.", "A", "192.0.2.99")])
    check("CH TXT id.server" + t, q("id.server", "TXT", "-c", "CH", tcp=tcp), "NOERROR", an=1,
          fn=lambda r: None if r.sections["ANSWER"][0][4] == '"signet-it-id"'
          else "TXT %s" % r.sections["ANSWER"][0][4])
    check("CH TXT version.bind" + t, q("version.bind", "TXT", "-c", "CH", tcp=tcp), "NOERROR",
          an=1, fn=lambda r: None if r.sections["ANSWER"][0][4] == '"signet-it-version"'
          else "TXT %s" % r.sections["ANSWER"][0][4])


def transport():
    """What depends on UDP or TCP: truncation and ANY."""
    check("UDP: big TXT RRset over 512: TC, no partial RRset",
          q("big.example.com", "TXT", "+noedns"), "NOERROR", tc=True, an=0,
          fn=lambda r: None if r.size <= 512 else "%d octets" % r.size)
    check("UDP: EDNS 512: TC, OPT kept",
          q("big.example.com", "TXT", "+bufsize=512"), "NOERROR", tc=True, an=0, edns=True)
    check("UDP: EDNS 1232: it fits", q("big.example.com", "TXT", "+bufsize=1232"), "NOERROR",
          tc=False, an=8)
    check("TCP: big TXT whole", q("big.example.com", "TXT", "+noedns", tcp=True), "NOERROR",
          tc=False, an=8)
    check("UDP: additional dropped first, without TC",
          q("mx.example.com", "MX", "+noedns"), "NOERROR", tc=False, an=10,
          fn=lambda r: additional_whole(r) or (None if len(r.sections["ADDITIONAL"]) < 20
                                                  else "all additional records fit?"))
    check("TCP: all additional records", q("mx.example.com", "MX", tcp=True), "NOERROR",
          an=10, ar=20)
    check("UDP: ANY gives one RRset (RFC 8482)", q("example.com", "ANY"), "NOERROR", aa=True,
          fn=one_rrset)
    check("TCP: ANY gives every RRset", q("example.com", "ANY", tcp=True), "NOERROR", aa=True,
          an=7)


def ipv6():
    if os.environ.get("V6", "1") != "1":
        emit("PASS", "IPv6 checks # SKIP no IPv6 loopback here")
        return
    check("IPv6: exact match over UDP", q("mail.example.com", "A", server=V6), "NOERROR",
          aa=True, an=1)
    check("IPv6: referral over TCP", q("www.sub.example.com", "A", tcp=True, server=V6),
          "NOERROR", aa=False, ns=2)


answers(False)
answers(True)
transport()
ipv6()
