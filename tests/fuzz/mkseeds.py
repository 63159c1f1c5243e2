#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""mkseeds.py - (re)build the seed corpora tests/fuzz/corpus/<target>/.

Usage: tests/fuzz/mkseeds.py PCAPDIR
  PCAPDIR: the output of `build/tests/tools/pcapgen DIR` (the project's own
  capture fixtures), split here into link frames and transport payloads.

Every seed comes from the project's fixtures or unit tests, or is built
here by hand (STUN responses, config files): EDID blobs from
tests/fixtures/display/edid, HID report descriptors from the umockdev
fixtures' report_descriptor attributes, rule files from rules/rules.d and
tests/fixtures/rules, expressions and /proc lines from the unit tests'
string literals.  Each directory is kept small (tens of files); names are
content hashes so a re-run is idempotent.  The seeds are committed; this
script is how they were made, not something the build runs.
"""
import glob
import hashlib
import os
import re
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
MAX_SEEDS = 40


def put(target, data, cap=MAX_SEEDS):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if len(os.listdir(d)) >= cap:
        return
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- C string literals of a unit test (adjacent literals joined) ----
LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def c_unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = s[i + 1]
        if n in "01234567":
            m = re.match(r"[0-7]{1,3}", s[i + 1:])
            out.append(int(m.group(0), 8) & 0xFF)
            i += 1 + len(m.group(0))
        elif n == "x":
            m = re.match(r"[0-9a-fA-F]+", s[i + 2:])
            out.append(int(m.group(0), 16) & 0xFF)
            i += 2 + len(m.group(0))
        else:
            out += {"n": b"\n", "t": b"\t", "r": b"\r", "0": b"\0", "\\": b"\\",
                    '"': b'"', "'": b"'", "a": b"\a"}.get(n, n.encode())
            i += 2
    return bytes(out)


def c_literals(path, minlen=6):
    text = read(path).decode("utf-8", "replace")
    # join "a" "b" across whitespace/newlines
    joined = re.sub(r'"\s*\n\s*"', "", text)
    for m in LIT.finditer(joined):
        b = c_unescape(m.group(1))
        if len(b) >= minlen:
            yield b


# ---- pcap splitting ----
def pcap_frames(path):
    data = read(path)
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(e + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        yield linktype, data[off:off + incl]
        off += incl


DLT_INDEX = {1: 0, 113: 1, 276: 2, 12: 3, 101: 3, 14: 4, 228: 5, 229: 6, 0: 7, 108: 8}


def l3_of(linktype, f):
    """(ethertype-ish, bytes after the link header) or None."""
    if linktype == 1:
        et, p = struct.unpack(">H", f[12:14])[0], 14
        while et in (0x8100, 0x88A8) and len(f) >= p + 4:
            et, p = struct.unpack(">H", f[p + 2:p + 4])[0], p + 4
        return et, f[p:]
    if linktype == 113:
        return struct.unpack(">H", f[14:16])[0], f[16:]
    if linktype == 276:
        return struct.unpack(">H", f[0:2])[0], f[20:]
    if linktype in (12, 101, 14, 228, 229):
        return (0x0800 if f and f[0] >> 4 == 4 else 0x86DD), f
    if linktype in (0, 108):
        return (0x0800 if len(f) > 4 and f[4] >> 4 == 4 else 0x86DD), f[4:]
    return None


def transport(et, p):
    """(proto, sport, dport, payload) or None."""
    if et == 0x0800 and len(p) >= 20:
        ihl = (p[0] & 15) * 4
        proto, p = p[9], p[ihl:]
    elif et == 0x86DD and len(p) >= 40:
        proto, p = p[6], p[40:]
        while proto in (0, 43, 60) and len(p) >= 8:
            proto, p = p[0], p[(p[1] + 1) * 8:]
    else:
        return None
    if proto == 17 and len(p) >= 8:
        s, d = struct.unpack(">HH", p[:4])
        return 17, s, d, p[8:]
    if proto == 6 and len(p) >= 20:
        s, d = struct.unpack(">HH", p[:4])
        return 6, s, d, p[(p[12] >> 4) * 4:]
    return None


def from_pcaps(pcapdir):
    seen = set()
    for path in sorted(glob.glob(os.path.join(pcapdir, "*.pcap"))):
        if os.path.getsize(path) > 100000:
            continue	# the bulk/flood captures add nothing but bytes
        for lt, f in pcap_frames(path):
            if lt in DLT_INDEX:
                # one frame per link type, ethertype and rough size
                key = (lt, len(f) // 256, f[12:14] if lt == 1 else f[:1])
                if key not in seen:
                    seen.add(key)
                    put("net_decode", bytes([DLT_INDEX[lt]]) + f)
            l3 = l3_of(lt, f)
            if not l3:
                continue
            if l3[0] == 0x0806:
                put("dissect_lan", l3[1])
                continue
            t = transport(*l3)
            if not t or not t[3]:
                continue
            proto, s, d, pay = t
            ports = {s, d}
            # one payload per protocol, port pair, first byte and rough size
            key = (proto, min(s, d), pay[:1], len(pay) // 128)
            if key in seen:
                continue
            seen.add(key)
            if ports & {53, 5353, 5355, 137}:
                put("dissect_dns", pay)
            elif ports & {67, 68}:
                put("dissect_lan", pay)
            elif proto == 6 and pay[:1] == b"\x16":
                put("dissect_tls", pay)
            if proto == 6 and pay[:1] != b"\x16" or proto == 17 and not ports & {53, 5353, 5355, 137, 67, 68}:
                srv = min(s, d) if min(s, d) < 49152 else d
                put("dissect_app", bytes([0 if proto == 6 else 1]) + struct.pack(">H", srv) + pay)


# ---- STUN responses (RFC 5389), built here ----
def stun(msgtype, attrs, txid=b"farmhoundtx1", fingerprint=False):
    body = b""
    for t, v in attrs:
        body += struct.pack(">HH", t, len(v)) + v + b"\0" * (-len(v) % 4)
    if fingerprint:
        hdr = struct.pack(">HHI", msgtype, len(body) + 8, 0x2112A442) + txid
        crc = (zlib.crc32(hdr + body) ^ 0x5354554E) & 0xFFFFFFFF
        body += struct.pack(">HHI", 0x8028, 4, crc)
    return struct.pack(">HHI", msgtype, len(body), 0x2112A442) + txid + body


def stun_seeds():
    cookie = 0x2112A442
    x4 = struct.pack(">BBH", 0, 1, 3478 ^ (cookie >> 16)) + struct.pack(">I", 0xC6336407 ^ cookie)
    m4 = struct.pack(">BBH", 0, 1, 3478) + bytes([198, 51, 100, 7])
    tx = b"farmhoundtx1"
    xor6 = struct.pack(">I", cookie) + tx
    a6 = bytes.fromhex("20010db8000000000000000000000001")
    x6 = struct.pack(">BBH", 0, 2, 3478 ^ (cookie >> 16)) + bytes(a ^ b for a, b in zip(a6, xor6))
    put("stun", stun(0x0101, [(0x0020, x4)]))
    put("stun", stun(0x0101, [(0x0001, m4)]))
    put("stun", stun(0x0101, [(0x0020, x6)]))
    put("stun", stun(0x0101, [(0x8022, b"coturn"), (0x0020, x4)], fingerprint=True))
    put("stun", stun(0x0101, [(0x0001, m4), (0x0020, x4), (0x802B, m4)]))
    put("stun", stun(0x0111, [(0x0009, b"\0\0\x04\x00Bad Request")]))
    put("stun", stun(0x0101, [(0x7FFF, b"xx"), (0x0020, x4)]))
    put("stun", stun(0x0101, []))
    put("stun", stun(0x0101, [(0x0020, x4[:6])]))
    put("stun", stun(0x0001, []))


# ---- config files ----
CONFIGS = [
    "[agent]\nhostname = lt-0042\nheartbeat_interval = 1h\nreassert_interval = 24h\n",
    "[output]\nformat = cef\nsyslog_socket = /run/fh.sock\nfacility = local3\nframing = rfc5424\ntag = fh\n",
    "[collector.usb]\nenabled = yes\nrescan_interval = 10m\nsettle = 500ms\n",
    "[collector.net]\nenabled = no\ninterface = any\n\n[collector.host]\nstun_server = stun.example.net:3478\n",
    "[geo]\nexpected_countries = US, CA\ncountry_db = /var/lib/GeoIP/GeoLite2-Country.mmdb\n",
    "[verdict]\nthreshold = 10\nwindow = 1h\n",
    "[agent]\nheartbeat_interval = -5x\n[bogus]\nkey\n[collector.nosuch]\nenabled = maybe\n",
]


def lan_seeds():
    """An ARP reply and a DHCP OFFER (server side), which the captures lack."""
    mac = bytes.fromhex("dca632000001")	# a Raspberry Pi block (oui.c)
    put("dissect_lan", struct.pack(">HHBBH", 1, 0x0800, 6, 4, 2) + mac + bytes([192, 168, 1, 50])
        + bytes.fromhex("020000000001") + bytes([192, 168, 1, 10]))
    bootp = struct.pack(">BBBBIHH", 2, 1, 6, 0, 0x1234, 0, 0) + bytes(4) \
        + bytes([192, 168, 1, 50]) + bytes([192, 168, 1, 1]) + bytes(4) + mac + bytes(10) \
        + bytes(64) + bytes(128) + bytes.fromhex("63825363")
    opts = bytes([53, 1, 2, 54, 4, 192, 168, 1, 1, 12, 5]) + b"pikvm" \
        + bytes([60, 12]) + b"udhcp 1.36.1" + bytes([0, 0, 255])
    put("dissect_lan", bootp + opts)


# evemu-record text (fuzz_evemu): the small input fixtures whole, the head
# of the big ones, and hostile lines built here: a name over the line
# limit, numbers out of range, time going backwards, header after events,
# CRLF and no final newline.
EVEMU_HOSTILE = [
    "N: " + "A" * 3000 + "\nE: 1.0 0001 0010 1\nE: 1.0 0000 0000 -2147483649\n"
    "E: 1.0 0002 0000 2147483647\nE: 1.0 0002 0000 2147483647\nE: 1.0 0000 0000 0\n",
    "N: KB\nI: 0003 1d6b 0104 0100\nB: 01 00 00 fe ff ff ff ff ff\nE: 1.000000 0004 0004 458756\n"
    "E: 1.000000 0001 001e 0001\nE: 1.000000 0000 0000 0000\nE: 1.020000 0001 001e 0000\n"
    "E: 1.020000 0000 0000 0000\nE: 0.5 0001 001e 0001\nE: 2.0000001 0001 001e 0001\n"
    "E: 99999999999999.000000 0001 0000 0000\nN: late\nX: what\n",
    "N: Tab\r\nI: 0003 0627 0001 0001\r\nB: 03 03 00 00 00 00 00 00 00\r\nA: 00 0 32767 0 0 0\r\n"
    "A: 01 0 32767 0 0\r\nE: 0.000000 0003 0000 100\r\nE: 0.000000 0003 0001 100\r\n"
    "E: 0.000000 0000 0000 0000\r\nE: 0.100000 0003 0000 30000\r\nE: 0.100000 0000 0000 0000\r\n"
    "E: 0.200000 0003 0000 100\r\nE: 0.200000 0000 0000 0000",
]


def evemu_seeds():
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/input/*.evemu"))):
        data = read(p)
        put("evemu", data if len(data) < 32768 else data[:8192])
    for s in EVEMU_HOSTILE:
        put("evemu", s)


def tz_seeds():
    """The project's TZif files (tests/fixtures/tz, gen.py) and footers."""
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/tz/root/usr/share/zoneinfo/*/*"))):
        put("tzif", read(p))
    for s in ("EST5EDT,M3.2.0,M11.1.0", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
              "EST5EDT,0/0,J365/25", "AEST-10AEDT,M10.1.0,M4.1.0/3"):
        put("tzif", s)


def hours_state(body):
    """An activity_hours state file: body, then its checksum line (hours.c)."""
    return body + "sum %s\n" % hashlib.sha256(body.encode()).hexdigest()[:16]


def hours_state_seeds():
    """State files for fuzz_hours_state.c (zone UTC, now 1790000000: day 20717)."""
    head = "farmhound activity_hours 1\nzone UTC\n"
    office = ("00" * 60 + "ff" * 60 + "00" * 60)        # 08:00-16:00
    night = ("ff" * 45 + "00" * 120 + "ff" * 15)         # 00:00-06:00, 22:00-24:00
    put("hours_state", hours_state(head))
    put("hours_state", hours_state(head + "day 20717 %s\nday 20716 %s\n" % (office, night)))
    put("hours_state", hours_state(head + "".join("day %d %s\n" % (20711 + i, night)
                                                  for i in range(7))))
    put("hours_state", hours_state(head + "day 20718 %s\n" % office))          # future
    put("hours_state", hours_state("farmhound activity_hours 1\nzone Asia/Seoul\n"))
    put("hours_state", hours_state(head + "day 20717 %s\n" % office)[:-9])     # truncated
    # First byte odd: the target signs the rest itself (fuzz_hours_state.c).
    put("hours_state", "\x01" + head + "day 20717 %s\nday 20717 %s\n" % (office, night))
    put("hours_state", "\x01" + head + "day 20716 %s\n" % night)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for t in glob.glob(os.path.join(OUT, "*")):
        for f in glob.glob(os.path.join(t, "*")):
            os.unlink(f)
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/display/edid/*.bin"))):
        put("edid", read(p))
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/usb/*.umockdev"))):
        for m in re.finditer(r"^H: report_descriptor=([0-9A-Fa-f]+)$", read(p).decode(), re.M):
            put("hid", bytes.fromhex(m.group(1)))
    rules = sorted(glob.glob(os.path.join(ROOT, "rules/rules.d/*.rules")))
    rules += sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/rules/*/*.rules")))
    for p in rules:
        put("rules", read(p), cap=60)
    for p in rules[::3]:
        put("inifile", read(p))
    conf = os.path.join(ROOT, "packaging/farmhound.conf")
    put("inifile", read(conf))
    put("config", read(conf))
    for p in sorted(glob.glob(os.path.join(ROOT, "packaging/examples/*.conf"))):
        put("config", read(p))
    for c in CONFIGS:
        put("config", c)
        put("inifile", c)
    # The expressions the unit test compiles (match/error_of/assert_err
    # arguments), every second one: all operators and types, in ~90 files.
    text = read(os.path.join(ROOT, "tests/unit/test_expr.c")).decode()
    exprs = [c_unescape(m.group(2)) for m in
             re.finditer(r'(match|error_of|assert_err)\("((?:[^"\\]|\\.)*)"', text)]
    for b in exprs[::2]:
        put("expr", b, cap=100)
    for t in ("test_procfs.c", "test_procsock.c"):
        for b in c_literals(os.path.join(ROOT, "tests/unit", t), 8):
            put("procfs", b)
    for b in c_literals(os.path.join(ROOT, "tests/unit/test_host.c"), 8):
        put("host_parse", b, cap=30)
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/host/*/*/**"), recursive=True)):
        if os.path.isfile(p) and not os.path.islink(p) and os.path.getsize(p) < 8192:
            put("host_parse", read(p), cap=50)
    stun_seeds()
    lan_seeds()
    evemu_seeds()
    tz_seeds()
    hours_state_seeds()
    from_pcaps(sys.argv[1])
    for t in sorted(os.listdir(OUT)):
        print("%-12s %3d" % (t, len(os.listdir(os.path.join(OUT, t)))))


main()
