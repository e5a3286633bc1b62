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

The capture is a pcap file whose record headers carry the direction (1: IFACE sent it) in the
field that pcap keeps for the original length: a private format between these subcommands and the
tests that import records() from here.
"""
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35
PACKET_OUTGOING = 4


def capture(iface, out, seconds, ready):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
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
