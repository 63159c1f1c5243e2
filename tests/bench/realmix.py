#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""realmix.py - merge public real captures into one Ethernet pcap for `make bench`.

Usage: realmix.py OUT.pcap SOURCES.txt LABEL=DIR [LABEL=DIR ...]

Why: pcapgen --bench writes generated bulk, which flatters a reader that is
fast on long TCP streams.  The --pcap budget (issue 14, DESIGN §8) is about a
real mix: many short flows of many protocols, odd link types, IPv6, tunnels.
The test suites of tcpdump and Zeek (both BSD licensed) hold hundreds of real
captures; this script turns every usable one into a single file.

What it does, deterministically (same inputs, same bytes out):
  - walks each DIR in sorted order and takes every classic pcap (either byte
    order, micro- or nanosecond magic) whose link type farmhound reads:
    Ethernet, Linux cooked v1/v2, raw IP (101, 228, 229, 12, 14) and BSD
    loopback (0); pcapng files and other link types are left out;
  - leaves out captures written to crash dissectors (names with fuzz, oobr,
    crash, overflow, ...): the mix is about real traffic, the hostile cases
    are covered by tests/integration/net_pcap.sh and tests/fuzz/;
  - rewrites every packet to Ethernet (cooked: its protocol and source
    address; raw/loopback: fixed locally administered MACs and the IP
    version's ethertype), so one file holds every link type;
  - re-times each capture to start 0.25 s after the previous one, gaps
    inside a capture kept but capped at 10 s, and merges all packets by time,
    so long captures overlap the short ones as flows on a busy laptop do;
  - writes SOURCES.txt: one line per capture taken (LABEL/path, link type,
    packets).
"""
import os
import re
import struct
import sys

SKIP = re.compile(r"fuzz|oobr|crash|overflow|overread|underflow|invalid|malformed|"
                  r"bogus|corrupt|truncat|heapover|leak|-bad|bad-|_bad|bad_", re.I)
ETH_MAC_DST = bytes.fromhex("020000000001")
ETH_MAC_SRC = bytes.fromhex("020000000002")
GAP_CAP_US = 10_000_000
STEP_US = 250_000
BASE_US = 1_767_225_600 * 1_000_000  # 2026-01-01T00:00:00Z


def eth(src, etype, payload):
    return ETH_MAC_DST + src + struct.pack(">H", etype) + payload


def ip_etype(payload):
    v = payload[0] >> 4 if payload else 0
    return 0x0800 if v == 4 else 0x86DD if v == 6 else None


def to_ethernet(lt, data):
    """One packet of link type LT as an Ethernet frame, or None to drop it."""
    if lt == 1:
        return data
    if lt == 113 and len(data) >= 16:            # Linux cooked v1
        halen, proto = struct.unpack(">H", data[4:6])[0], struct.unpack(">H", data[14:16])[0]
        src = data[6:12] if halen == 6 else ETH_MAC_SRC
        return eth(src, proto, data[16:]) if proto >= 0x0600 else None
    if lt == 276 and len(data) >= 20:            # Linux cooked v2
        proto, halen = struct.unpack(">H", data[0:2])[0], data[11]
        src = data[12:18] if halen == 6 else ETH_MAC_SRC
        return eth(src, proto, data[20:]) if proto >= 0x0600 else None
    if lt in (101, 228, 229, 12, 14):            # raw IP
        t = ip_etype(data)
        return eth(ETH_MAC_SRC, t, data) if t else None
    if lt == 0 and len(data) >= 4:               # BSD loopback, either order
        t = ip_etype(data[4:])
        return eth(ETH_MAC_SRC, t, data[4:]) if t else None
    return None


def read_pcap(path):
    """(link type, [(ts_us, frame)]) of a classic pcap, or None."""
    with open(path, "rb") as f:
        d = f.read()
    if len(d) < 24:
        return None
    magic = d[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None
    nsec = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    lt = struct.unpack(e + "I", d[20:24])[0] & 0xFFFF
    out, off = [], 24
    while off + 16 <= len(d):
        sec, frac, incl, _orig = struct.unpack(e + "IIII", d[off:off + 16])
        off += 16
        if incl > 262144 or off + incl > len(d):
            break
        frame = to_ethernet(lt, d[off:off + incl])
        off += incl
        if frame is not None:
            out.append((sec * 1_000_000 + (frac // 1000 if nsec else frac), frame))
    return lt, out


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    out_path, sources_path = argv[1], argv[2]
    packets, sources, start = [], [], BASE_US
    for fi, spec in enumerate(argv[3:]):
        label, top = spec.split("=", 1)
        paths = sorted(os.path.join(r, f) for r, _, fs in os.walk(top) for f in fs)
        for p in paths:
            rel = os.path.relpath(p, top)
            if SKIP.search(rel):
                continue
            got = read_pcap(p)
            if not got or not got[1]:
                continue
            lt, pk = got
            # Re-time: keep the capture's own rhythm, cap long idle gaps.
            t, prev = start, pk[0][0]
            for seq, (ts, frame) in enumerate(pk):
                t += min(max(ts - prev, 0), GAP_CAP_US)
                prev = ts
                packets.append((t, fi, len(sources), seq, frame))
            sources.append(f"{label}/{rel}\tlinktype {lt}\t{len(pk)} packets")
            start += STEP_US
    packets.sort(key=lambda r: r[:4])
    with open(out_path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for t, _fi, _si, _seq, frame in packets:
            f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
            f.write(frame)
    with open(sources_path, "w") as f:
        f.write(f"# {os.path.basename(out_path)}: the captures merged (repository@commit:path, link type,\n"
                "# packets); sources and licences: tests/bench/realmix.sh\n")
        f.write("\n".join(sources) + "\n")
    print(f"{out_path}: {len(packets)} packets from {len(sources)} captures")


if __name__ == "__main__":
    main(sys.argv)
