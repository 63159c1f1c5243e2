#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""realmix.py - merge public real captures into one Ethernet pcap for `make bench`.

Usage: realmix.py [--cap BYTES] OUT.pcap SOURCES.txt LABEL=DIR [LABEL=DIR ...]

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
  - with --cap BYTES, merges only a selection whose output fits in BYTES,
    chosen for protocol diversity (select() says how); without it, every
    usable capture;
  - writes SOURCES.txt: one line per capture taken (LABEL/path, link type,
    packets, the protocols seen in it) under a header with the totals.
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


# Protocol tags of a packet (classify) and of a capture (capture_tags): what
# the --cap selection spreads its budget over.  Ports and first payload bytes
# only; a label, not a dissector.
TAGS = ("ARP", "DHCP", "DHCPv6", "DNS", "mDNS", "LLMNR", "NBNS", "TLS", "QUIC",
        "HTTP", "RDP", "SSH", "VNC", "SMB", "IPv6", "ICMP", "bulk-TCP", "bulk-UDP",
        "other-TCP", "other-UDP", "other")
UDP_PORTS = {53: "DNS", 5353: "mDNS", 67: "DHCP", 68: "DHCP", 546: "DHCPv6",
             547: "DHCPv6", 5355: "LLMNR", 137: "NBNS", 443: "QUIC", 3389: "RDP"}
TCP_PORTS = {53: "DNS", 443: "TLS", 80: "HTTP", 8080: "HTTP", 3389: "RDP", 22: "SSH",
             445: "SMB", 139: "SMB"}
BULK_PACKETS = 200


def classify(frame):
    """(tags, flow key or None) of one Ethernet frame."""
    et, off = struct.unpack(">H", frame[12:14])[0] if len(frame) >= 14 else 0, 14
    while et in (0x8100, 0x88A8) and len(frame) >= off + 4:
        et, off = struct.unpack(">H", frame[off + 2:off + 4])[0], off + 4
    if et == 0x0806:
        return {"ARP"}, None
    tags, ip = set(), frame[off:]
    if et == 0x0800 and len(ip) >= 20:
        proto, l4 = ip[9], ip[(ip[0] & 15) * 4:]
        src, dst = ip[12:16], ip[16:20]
    elif et == 0x86DD and len(ip) >= 40:
        tags.add("IPv6")
        proto, l4, src, dst = ip[6], ip[40:], ip[8:24], ip[24:40]
    else:
        return {"other"}, None
    if proto in (1, 58):
        return tags | {"ICMP"}, None
    if proto not in (6, 17) or len(l4) < 8:
        return tags | {"other"}, None
    sp, dp = struct.unpack(">HH", l4[:4])
    flow = (proto,) + tuple(sorted(((src, sp), (dst, dp))))
    if proto == 17:
        pl = l4[8:]
        t = UDP_PORTS.get(dp) or UDP_PORTS.get(sp)
        return tags | {t or "other-UDP"}, flow
    pl = l4[(l4[12] >> 4) * 4:] if len(l4) >= 20 else b""
    t = TCP_PORTS.get(dp) or TCP_PORTS.get(sp)
    if 5900 <= dp <= 5906 or 5900 <= sp <= 5906 or pl[:4] == b"RFB ":
        t = "VNC"
    elif pl[:4] == b"SSH-":
        t = "SSH"
    elif len(pl) >= 3 and pl[0] == 0x16 and pl[1] == 3:
        t = "TLS"
    elif re.match(rb"(GET|POST|HEAD|PUT) \S+ HTTP/1|HTTP/1\.[01] ", pl[:32]):
        t = "HTTP"
    return tags | {t or "other-TCP"}, flow


def capture_tags(pk):
    """{tag: packets} of one capture; bulk-TCP/UDP when one flow holds
    BULK_PACKETS or more of its packets."""
    count, flows = {}, {}
    for _ts, frame in pk:
        tags, flow = classify(frame)
        for t in tags:
            count[t] = count.get(t, 0) + 1
        if flow:
            flows[flow] = flows.get(flow, 0) + 1
    for flow, n in flows.items():
        if n >= BULK_PACKETS:
            t = "bulk-TCP" if flow[0] == 6 else "bulk-UDP"
            count[t] = count.get(t, 0) + n
    return count


def capture_bytes(pk):
    return sum(16 + len(frame) for _ts, frame in pk)


def select(caps, cap):
    """Indexes (sorted) of the captures to merge under CAP bytes of output.
    Why this order: diversity first -- ROUNDS passes over TAGS, each taking
    the capture not yet taken with the most packets of the tag per byte that
    still fits (at most CAP/8: no one capture eats the budget), so each
    protocol comes with real conversations from several sources, not only
    with the tiniest one-packet files -- then every remaining capture
    smallest first while it fits, so the budget buys as many distinct
    captures as possible.  Ties break on the capture's name: deterministic."""
    if cap is None:
        return list(range(len(caps)))
    order = sorted(range(len(caps)), key=lambda i: (caps[i]["bytes"], caps[i]["name"]))
    taken, left = set(), cap - 24
    for _round in range(ROUNDS):
        for tag in TAGS:
            fit = [i for i in order if i not in taken and tag in caps[i]["tags"]
                   and caps[i]["bytes"] <= min(left, cap // 8)]
            if fit:
                i = min(fit, key=lambda i: (-caps[i]["tags"][tag] / caps[i]["bytes"],
                                            caps[i]["name"]))
                taken.add(i)
                left -= caps[i]["bytes"]
    for i in order:
        if i not in taken and caps[i]["bytes"] <= left:
            taken.add(i)
            left -= caps[i]["bytes"]
    return sorted(taken)


ROUNDS = 4


def main(argv):
    cap = None
    if len(argv) > 2 and argv[1] == "--cap":
        cap, argv = int(argv[2]), argv[:1] + argv[3:]
    if len(argv) < 4:
        sys.exit(__doc__)
    out_path, sources_path = argv[1], argv[2]
    caps = []
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
            caps.append({"name": f"{label}/{rel}", "fi": fi, "lt": got[0], "pk": got[1],
                         "bytes": capture_bytes(got[1]), "tags": capture_tags(got[1])})
    packets, sources, start, total = [], [], BASE_US, {}
    for ci in select(caps, cap):
        c = caps[ci]
        pk = c["pk"]
        # Re-time: keep the capture's own rhythm, cap long idle gaps.
        t, prev = start, pk[0][0]
        for seq, (ts, frame) in enumerate(pk):
            t += min(max(ts - prev, 0), GAP_CAP_US)
            prev = ts
            packets.append((t, c["fi"], len(sources), seq, frame))
        for tag, n in c["tags"].items():
            total[tag] = total.get(tag, 0) + n
        tags = " ".join(t for t in TAGS if t in c["tags"])
        sources.append(f"{c['name']}\tlinktype {c['lt']}\t{len(pk)} packets\t{tags}")
        start += STEP_US
    packets.sort(key=lambda r: r[:4])
    with open(out_path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for t, _fi, _si, _seq, frame in packets:
            f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
            f.write(frame)
    summary = ", ".join(f"{t} {total[t]}" for t in TAGS if t in total)
    size = os.path.getsize(out_path)
    with open(sources_path, "w") as f:
        f.write(f"# {os.path.basename(out_path)}: {len(packets)} packets, {size} bytes, from the "
                f"{len(sources)} captures below\n"
                "# (repository@commit:path, link type, packets, protocols seen), rewritten to\n"
                "# Ethernet and merged by time by tests/bench/realmix.py"
                + (f" --cap {cap}" if cap is not None else "") + ".\n"
                "# Licences and copyright notices of the sources: tests/bench/realmix.LICENSES\n"
                f"# Packets per protocol (a packet may count twice, e.g. IPv6 and DNS): {summary}\n")
        f.write("\n".join(sources) + "\n")
    print(f"{out_path}: {len(packets)} packets, {size} bytes, from {len(sources)} of "
          f"{len(caps)} captures\n  {summary}")


if __name__ == "__main__":
    main(sys.argv)
