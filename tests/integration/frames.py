#!/usr/bin/env python3
"""Frames on a testbed link, seen and sent from inside one of its namespaces (an AF_PACKET socket,
as tcpdump would use, which the machine does not have), for the tests that need what went over
the wire or a real frame sent twice.

usage: frames.py capture IFACE OUT.pcap SECONDS READY_FILE
         every frame IFACE sends or receives, until SIGTERM or SECONDS passed (a bound: a test that
         fails never leaves it running); READY_FILE is created once the socket listens, so a test
         starts its scan after that. Kernel receive stamps (SO_TIMESTAMPNS), not Python's.
       frames.py replay IFACE IN.pcap DST_IP
         sends IFACE's outgoing IPv4 ICMP frames of IN.pcap addressed to DST_IP again, as they were
       frames.py print IN.pcap
         one line per frame: time, direction, and what it is (for a failing test's report)

The builders below (ether, ipv4, icmp, udp, tcp_syn, arp) make frames byte by byte for the tests
that send their own (spray.py, forged_replies.py): every field given, nothing filled in by a kernel.

The capture is a pcap file whose record headers carry the direction (1: IFACE sent it) in the
field that pcap keeps for the original length: a private format between these subcommands and the
tests that import records() from here.
"""
import signal
import socket
import struct
import sys
import time

from inet_checksum import checksum

ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35
PACKET_OUTGOING = 4


def capture(iface, out, seconds, ready):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    # Room for a spray's burst (thousands of frames a second) while Python writes the file: FORCE,
    # as root, past net.core.rmem_max (which caps SO_RCVBUF silently). Linux's SO_RCVBUFFORCE is 33.
    sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 8 << 20)
    sock.bind((iface, 0))
    sock.settimeout(0.05)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    deadline = time.monotonic() + seconds
    with open(out, "wb") as f:
        # pcap header, nanosecond stamps (magic a1b23c4d), Ethernet.
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        f.flush()
        open(ready, "w").close()
        while not stop and time.monotonic() < deadline:
            try:
                data, anc, _, addr = sock.recvmsg(65535, socket.CMSG_SPACE(16))
            except (socket.timeout, InterruptedError):
                continue
            sec, nsec = int(time.time()), 0
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", value[:16])
            outgoing = 1 if addr[2] == PACKET_OUTGOING else 0
            f.write(struct.pack("<IIII", sec, nsec, len(data), outgoing) + data)
            f.flush()


def records(path):
    data = open(path, "rb").read()
    off = 24
    while off + 16 <= len(data):
        sec, nsec, incl, outgoing = struct.unpack("<IIII", data[off:off + 16])
        yield sec + nsec / 1e9, bool(outgoing), data[off + 16:off + 16 + incl]
        off += 16 + incl


def replay(iface, path, dst):
    want = socket.inet_aton(dst)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((iface, 0))
    sent = 0
    for _, outgoing, frame in records(path):
        if outgoing and frame[12:14] == b"\x08\x00" and frame[23] == 1 and frame[30:34] == want:
            sock.send(frame)
            sent += 1
    print(sent)


def show(path):
    for t, outgoing, f in records(path):
        kind = f[12:14].hex()
        if kind == "0806":
            what = f"ARP op {f[21]} {socket.inet_ntoa(f[28:32])} ({f[22:28].hex(':')}) asks/tells {socket.inet_ntoa(f[38:42])}"
        elif kind == "0800":
            what = f"IPv4 {socket.inet_ntoa(f[26:30])} -> {socket.inet_ntoa(f[30:34])} ttl {f[22]} proto {f[23]}"
        else:
            what = f"ethertype {kind}"
        print(f"{t:.6f} {'out' if outgoing else 'in '} {f[6:12].hex(':')} -> {f[0:6].hex(':')} {what}")


def mac_bytes(text):
    return bytes.fromhex(text.replace(":", ""))


def ether(dst, src, ethertype, payload):
    """An Ethernet II frame (no FCS, no padding: the link pads nothing on a veth)."""
    return dst + src + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, proto, payload, ident=0x7777, ttl=60, frag=0, ver_ihl=0x45, total=None, bad_sum=False):
    """An IPv4 header and payload; `total` overrides the total length, `bad_sum` breaks the checksum.
    With ver_ihl other than 0x45 the header is still 20 bytes (what a liar sends)."""
    total = 20 + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", ver_ihl, 0, total, ident, frag, ttl, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    c = checksum(h) ^ (0x5555 if bad_sum else 0)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def icmp(type_, code, rest, body):
    """An ICMP message: type, code, the 4 bytes after the checksum, then the body."""
    msg = struct.pack("!BBH4s", type_, code, 0, rest) + body
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


def udp(sport, dport, payload):
    """A UDP datagram with no checksum (0: allowed over IPv4)."""
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp_syn(src, dst, sport, dport, seq):
    """A TCP SYN with its checksum over the pseudo-header."""
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 65535, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(seg))
    return seg[:16] + struct.pack("!H", checksum(pseudo + seg)) + seg[18:]


def arp(op, sender_mac, sender_ip, target_mac, target_ip, ptype=0x0800):
    """An IPv4-over-Ethernet ARP body (op 1 request, 2 reply); `ptype` to make it something else."""
    return struct.pack("!HHBBH6s4s6s4s", 1, ptype, 6, 4, op, sender_mac, socket.inet_aton(sender_ip),
                       target_mac, socket.inet_aton(target_ip))


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "capture":
        capture(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) == 5 and sys.argv[1] == "replay":
        replay(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "print":
        show(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
