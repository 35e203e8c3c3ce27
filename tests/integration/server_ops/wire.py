# SPDX-License-Identifier: MIT
# wire.py - raw DNS over sockets, for what dig cannot send or see: pipelined
# TCP queries, idle and surplus connections, responses as queries, and
# malformed packets.
#
# Usage: wire.py PORT CHECK...   (checks: pipeline idle limit qr malformed)
# Prints "PASS<TAB>name" or "FAIL<TAB>name<TAB>reason" per check. The server
# must serve example.com (mail, ns1, www as in run.sh), with
# tcp-idle-timeout 1 and tcp-max-clients 2 on a single TCP worker.
import socket
import struct
import sys
import time

PORT = int(sys.argv[1])
HOST = "127.0.0.1"


def emit(ok, name, why=""):
    print("%s\t%s\t%s" % ("PASS" if ok else "FAIL", name, why))
    sys.stdout.flush()


def qname(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qid, name, qtype=1, flags=0x0100):
    return struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 0) + qname(name) + struct.pack("!HH", qtype, 1)


def header(msg):
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    return {"id": qid, "flags": flags, "rcode": flags & 0xF, "qr": bool(flags & 0x8000),
            "qd": qd, "an": an, "ns": ns, "ar": ar}


def question_name(msg):
    """The question name of a response, lower-cased text (no pointers)."""
    pos, labels = 12, []
    while msg[pos] != 0:
        n = msg[pos]
        labels.append(msg[pos + 1:pos + 1 + n].decode().lower())
        pos += 1 + n
    return ".".join(labels) + "."


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def tcp_read(s):
    ln = recv_exact(s, 2)
    if ln is None:
        return None
    return recv_exact(s, struct.unpack("!H", ln)[0])


def tcp_connect():
    s = socket.create_connection((HOST, PORT), 2)
    s.settimeout(3)
    return s


def tcp_ask(s, msg):
    s.sendall(struct.pack("!H", len(msg)) + msg)
    return tcp_read(s)


def udp_ask(msg, timeout=1.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(msg, (HOST, PORT))
        return s.recv(65535)
    except socket.timeout:
        return None
    finally:
        s.close()


def closed_by_peer(s, within):
    """True when the server closes `s` within `within` seconds."""
    s.settimeout(within)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def alive():
    r = udp_ask(query(7, "mail.example.com."))
    return r is not None and header(r)["rcode"] == 0 and header(r)["an"] == 1


def check_pipeline():
    """RFC 7766 6.2.1.1: several queries in one write, answered in order."""
    names = ["mail.example.com.", "ns1.example.com.", "nope.example.com.",
             "www.example.com.", "example.com.", "mail.example.com."]
    s = tcp_connect()
    try:
        s.sendall(b"".join(struct.pack("!H", len(m)) + m
                           for m in (query(100 + i, n) for i, n in enumerate(names))))
        errs = []
        for i, n in enumerate(names):
            r = tcp_read(s)
            if r is None:
                errs.append("connection closed after %d answers" % i)
                break
            h = header(r)
            if h["id"] != 100 + i or question_name(r) != n:
                errs.append("answer %d is id %d for %s" % (i, h["id"], question_name(r)))
            want = 3 if n.startswith("nope") else 0
            if h["rcode"] != want:
                errs.append("answer %d rcode %d, want %d" % (i, h["rcode"], want))
        # and the connection still takes queries
        r = tcp_ask(s, query(200, "mail.example.com."))
        if r is None or header(r)["id"] != 200:
            errs.append("no answer to a query after the pipelined ones")
        emit(not errs, "TCP: %d pipelined queries answered in order" % len(names),
             "; ".join(errs))
    finally:
        s.close()


def check_idle():
    """RFC 7766 6.2.3: an idle connection is closed after tcp-idle-timeout."""
    s = tcp_connect()
    try:
        r = tcp_ask(s, query(300, "mail.example.com."))
        t0 = time.monotonic()
        if r is None:
            emit(False, "TCP: idle connection closed after 1 s", "no answer to the first query")
            return
        closed = closed_by_peer(s, 4.0)
        dt = time.monotonic() - t0
        ok = closed and 0.8 <= dt <= 3.0
        emit(ok, "TCP: idle connection closed after 1 s (%.2f s)" % dt,
             "closed=%s after %.2f s" % (closed, dt))
    finally:
        s.close()


def check_limit():
    """tcp-max-clients 2: a third connection makes the quietest one close."""
    c1, c2 = tcp_connect(), tcp_connect()
    c3 = None
    try:
        r1 = tcp_ask(c1, query(401, "mail.example.com."))
        time.sleep(0.05)
        r2 = tcp_ask(c2, query(402, "mail.example.com."))
        c3 = tcp_connect()
        r3 = tcp_ask(c3, query(403, "mail.example.com."))
        errs = []
        if r1 is None or r2 is None or r3 is None:
            errs.append("a connection got no answer (%s %s %s)" % (r1 is not None,
                                                                    r2 is not None,
                                                                    r3 is not None))
        if not closed_by_peer(c1, 0.5):
            errs.append("the oldest idle connection is still open")
        r2b = tcp_ask(c2, query(404, "ns1.example.com."))
        if r2b is None or header(r2b)["id"] != 404:
            errs.append("the second connection was closed too")
        emit(not errs, "TCP: third connection over tcp-max-clients 2 closes the oldest idle",
             "; ".join(errs))
    finally:
        for c in (c1, c2, c3):
            if c is not None:
                c.close()


def check_qr():
    """RFC 1035 4.1.1: a message with QR set is a response: never answered."""
    r = udp_ask(query(500, "mail.example.com.", flags=0x8100), timeout=1.0)
    emit(r is None, "UDP: a query with QR=1 gets no answer",
         "answered with rcode %d" % header(r)["rcode"] if r else "")
    s = tcp_connect()
    try:
        m = query(501, "mail.example.com.", flags=0x8100)
        s.sendall(struct.pack("!H", len(m)) + m)
        s.settimeout(2)
        try:
            data = s.recv(2)
        except socket.timeout:
            data = None
        except ConnectionResetError:
            data = b""
        emit(not data, "TCP: a query with QR=1 gets no answer",
             "got %r" % data if data else "")
    finally:
        s.close()
    emit(alive(), "still answering after QR=1 queries")


def check_malformed():
    good = query(600, "mail.example.com.")
    cases = [
        ("trailing garbage", good + b"\x01\x02\x03"),
        ("a label past the end", good[:12] + b"\x3fabc"),
        ("a label of type 01", good[:12] + b"\x44abc\x00\x00\x01\x00\x01"),
        ("question cut short", good[:-3]),
        ("QDCOUNT 2, one question", struct.pack("!HHHHHH", 601, 0x0100, 2, 0, 0, 0) + good[12:]),
        ("ARCOUNT 1, no record", struct.pack("!HHHHHH", 602, 0x0100, 1, 0, 0, 1) + good[12:]),
        ("two OPT records", struct.pack("!HHHHHH", 603, 0x0100, 1, 0, 0, 2) + good[12:]
         + (b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)) * 2),
    ]
    for name, msg in cases:
        qid = struct.unpack("!H", msg[:2])[0]
        r = udp_ask(msg)
        ok = r is not None and header(r)["rcode"] == 1 and header(r)["id"] == qid \
            and header(r)["qr"]
        emit(ok, "UDP: malformed (%s) gets FORMERR" % name,
             "no answer" if r is None else "rcode %d id %d" % (header(r)["rcode"], header(r)["id"]))
    s = tcp_connect()
    try:
        msg = good + b"\xff"
        r = tcp_ask(s, msg)
        emit(r is not None and header(r)["rcode"] == 1,
             "TCP: malformed (trailing garbage) gets FORMERR",
             "no answer" if r is None else "rcode %d" % header(r)["rcode"])
    finally:
        s.close()
    # a burst of junk of every length, then a normal question
    for n in range(0, 40):
        udp_ask(bytes((i * 37 + n) & 0xFF for i in range(n)), timeout=0.01)
    emit(alive(), "still answering after malformed packets")


CHECKS = {"pipeline": check_pipeline, "idle": check_idle, "limit": check_limit,
          "qr": check_qr, "malformed": check_malformed}
for c in sys.argv[2:]:
    try:
        CHECKS[c]()
    except (OSError, ValueError, IndexError, struct.error) as e:
        emit(False, c, "%s: %s" % (type(e).__name__, e))
