#!/usr/bin/env python3
"""Sprays frames at the scanner from its own segment (inside the gateway's namespace, through an
AF_PACKET socket on the gateway's end of the scanner's link), each kind built to land in one named
counter of the scanner (engine/stats/counters.hpp), and writes what it sent and what each counter
must therefore gain. A count, never a time, bounds it; `rate` only spaces the frames out.

usage: spray.py PROFILE IFACE SCANNER_IP SCANNER_MAC GATEWAY_IP COUNT RATE OUT.json [jumbo]
  PROFILE  reflector: what a reflector would answer (echo requests, TCP SYNs, UDP, ARP for other
                      addresses, frames to other addresses) and ARP requests for the scanner's
                      own address, each from its own sender (checked against a capture: answered
                      exactly once each)
           hostile:   junk, truncated and oversize frames, bad IPv4 headers, fragments, forged
                      replies and errors, ARP claiming the gateway, ARP for other addresses
  COUNT    frames of each kind;  RATE  frames a second, about
  jumbo    the link's MTU was raised: oversize frames are 9014 bytes (else 1514)

OUT.json: {"sent": {kind: n}, "expect": {counter: n}, "arp_for_us": [[sender_ip, sender_mac]...],
"seconds": s}; a counter named "kernel:Ip.NAME" is the kernel's (/proc/net/snmp in the scanner's
namespace), for frames the kernel takes before the scanner's sockets. Addresses used: the
scanner's /24 (198.19.255.0/24), 198.18.0.0/15 outside the scanned targets the tests give
(198.18.100.0/24, 198.18.101.0/24), 192.0.2.0/24, 203.0.113.0/24.
"""
import json
import random
import socket
import struct
import sys
import time

from frames import arp, ether, icmp, ipv4, mac_bytes, tcp_syn, udp

BROADCAST = b"\xff" * 6
IPV4, ARP = 0x0800, 0x0806


class Spray:
    """The frames of one profile, each kind with the counter it must land in."""

    def __init__(self, scanner_ip, scanner_mac, gateway_ip, own_mac, jumbo, rng):
        self.ip, self.mac, self.gw, self.own = scanner_ip, scanner_mac, gateway_ip, own_mac
        self.jumbo, self.rng = jumbo, rng
        self.kinds = {}       # kind -> (counter, builder(i), counters it also lands in)
        self.arp_for_us = []  # (sender ip, sender mac) of each request for the scanner's address

    def rand_mac(self):
        return bytes([0x02]) + self.rng.randbytes(5)

    def to_scanner(self, payload, src=None):
        return ether(self.mac, src or self.own, IPV4, payload)

    def peer(self, i):
        return ["203.0.113.7", "192.0.2.33", self.gw, f"198.18.100.{i % 250 + 1}"][i % 4]

    def echo(self, type_, src, dst, i, payload_len=56):
        return ipv4(src, dst, 1, icmp(type_, 0, struct.pack("!HH", 0xBAD0 + i % 16, i & 0xFFFF),
                                      self.rng.randbytes(payload_len)))

    def add(self, kind, counter, build, also=()):
        self.kinds[kind] = (counter, build, also)


def reflector_kinds(s):
    """What a reflector answers: none of it may be answered, each is counted."""
    other = lambda i: ["198.19.255.77", "192.0.2.10", "203.0.113.99"][i % 3]  # noqa: E731
    s.add("echo_request", "rx_icmp_ignored", lambda i: s.to_scanner(s.echo(8, s.peer(i), s.ip, i)))
    s.add("tcp_syn", "rx_not_icmp", lambda i: s.to_scanner(
        ipv4(s.peer(i), s.ip, 6, tcp_syn(s.peer(i), s.ip, 40000 + i, [22, 80, 443][i % 3], i))))
    s.add("udp", "rx_not_icmp", lambda i: s.to_scanner(
        ipv4(s.peer(i), s.ip, 17, udp(40000 + i, [53, 123, 161][i % 3], s.rng.randbytes(24)))))
    s.add("arp_not_ours", "arp_not_ours", lambda i: ether(
        BROADCAST if i % 2 else s.mac, s.own, ARP,
        arp(1, s.own, s.gw, b"\0" * 6, f"198.19.255.{i % 200 + 20}")))
    s.add("other_ip_echo_request", "rx_icmp_ignored", lambda i: s.to_scanner(s.echo(8, s.peer(i), other(i), i)))
    s.add("other_ip_echo_reply", "rx_not_our_address",
          lambda i: s.to_scanner(s.echo(0, s.peer(i), other(i), i)))
    s.add("other_ip_udp", "rx_not_icmp", lambda i: s.to_scanner(
        ipv4(s.peer(i), other(i), 17, udp(40000 + i, 53, s.rng.randbytes(24)))))

    def arp_for_us(i):
        sender_ip, sender_mac = f"198.19.255.{100 + i % 100}", bytes([0x02, 0, 0, 0xAB, i >> 8 & 0xFF, i & 0xFF])
        s.arp_for_us.append((sender_ip, sender_mac.hex(":")))
        return ether(BROADCAST, sender_mac, ARP, arp(1, sender_mac, sender_ip, b"\0" * 6, s.ip))
    s.add("arp_for_us", "arp_answered", arp_for_us)


def malformed_ip_kinds(s):
    """Frames that fail the IPv4 parse, one reason each."""
    ethertypes = [t for t in range(0x0600, 0x10000) if t not in (IPV4, ARP, 0x8100, 0x88A8, 0x9100)]
    s.add("random_bytes", "rx_not_ipv4", lambda i: ether(
        s.mac, s.rand_mac(), s.rng.choice(ethertypes), s.rng.randbytes(s.rng.randrange(46, 1500))))
    s.add("runt", "rx_truncated", lambda i: ether(s.mac, s.own, IPV4, s.rng.randbytes(i % 20)))
    s.add("truncated", "rx_truncated", lambda i: s.to_scanner(s.echo(0, s.peer(i), s.ip, i)[:20 + i % 30]))
    big = 9000 if s.jumbo else 1500
    s.add("oversize", "rx_truncated" if s.jumbo else "rx_cookie_invalid",
          lambda i: s.to_scanner(s.echo(0, s.peer(i), s.ip, i, big - 28)))
    s.add("bad_ihl", "rx_bad_ip_header", lambda i: s.to_scanner(
        ipv4(s.peer(i), s.ip, 1, icmp(0, 0, b"\0" * 4, b""), ver_ihl=[0x43, 0x65, 0x4F][i % 3])))
    s.add("bad_checksum", "rx_ip_checksum", lambda i: s.to_scanner(
        ipv4(s.peer(i), s.ip, 1, icmp(0, 0, struct.pack("!HH", 1, i & 0xFFFF), b"\0" * 56), bad_sum=True)))
    # af_packet's fanout group (the PMD's) defragments before its sockets see a frame: a fragment
    # that never completes stays in the scanner's namespace's reassembly queue, where the kernel
    # counts it (Ip ReasmReqds), and never reaches the scanner (whose rx_fragment counts fragments
    # on ports that pass them: af_xdp, PCI). First and later fragments, each of its own datagram.
    s.add("fragment", "kernel:Ip.ReasmReqds", lambda i: s.to_scanner(
        ipv4(s.peer(i), s.ip, 1, icmp(0, 0, struct.pack("!HH", 1, i & 0xFFFF), b"\0" * 56),
             ident=i & 0xFFFF, frag=0x2000 if i % 2 else 0x0100 + i % 50)))


def forged_kinds(s):
    """Well-formed ICMP that answers nothing we sent, and ARP claiming the gateway's address."""
    def forged_error(i):
        target = f"198.18.{i % 4}.{i % 250 + 1}"  # inside the scanned targets: the right shape
        probe = ipv4(s.ip, target, 1, struct.pack("!BBHHH", 8, 0, s.rng.getrandbits(16),
                                                  s.rng.getrandbits(16), s.rng.getrandbits(16)),
                     ident=s.rng.getrandbits(16), total=84)
        return s.to_scanner(ipv4(s.gw if i % 2 else "198.19.2.2", s.ip, 1,
                                 icmp([3, 11][i % 2], [1, 0][i % 2], b"\0" * 4, probe)))
    s.add("forged_error", "rx_cookie_invalid", forged_error)
    s.add("unprobed_echo_reply", "rx_cookie_invalid", lambda i: s.to_scanner(
        s.echo(0, [f"198.18.101.{i % 250 + 1}", "203.0.113.5", "192.0.2.200"][i % 3], s.ip, i)))
    s.add("quote_not_ours", "rx_quote_invalid", lambda i: s.to_scanner(ipv4(
        s.gw, s.ip, 1, icmp(11, 0, b"\0" * 4, ipv4(s.ip, "198.18.1.1", 17, udp(33434 + i, 53, b"")[:8])))))
    # Both give the gateway's address another MAC: counted apart as well (arp_gateway_claims).
    s.add("gratuitous_gateway", "arp_gratuitous", lambda i: ether(
        BROADCAST, s.rand_mac(), ARP, arp(1 + i % 2, s.rand_mac(), s.gw, BROADCAST if i % 2 else b"\0" * 6, s.gw)),
        also=["arp_gateway_claims"])
    s.add("gateway_claim_reply", "arp_unsolicited", lambda i: ether(
        s.mac, s.rand_mac(), ARP, arp(2, s.rand_mac(), s.gw, s.mac, s.ip)), also=["arp_gateway_claims"])
    s.add("arp_for_others", "arp_not_ours", lambda i: ether(
        BROADCAST, s.rand_mac(), ARP, arp(1, s.rand_mac(), f"198.19.255.{i % 200 + 20}", b"\0" * 6,
                                          f"198.19.255.{(i + 7) % 200 + 20}")))
    s.add("arp_malformed", "arp_malformed", lambda i: ether(
        s.mac, s.rand_mac(), ARP, arp(1, s.rand_mac(), s.gw, b"\0" * 6, s.ip, ptype=0x86DD)))


def main():
    if len(sys.argv) not in (9, 10) or sys.argv[1] not in ("reflector", "hostile"):
        sys.exit(__doc__)
    profile, iface, scanner_ip, scanner_mac, gateway_ip = sys.argv[1:6]
    count, rate, out = int(sys.argv[6]), float(sys.argv[7]), sys.argv[8]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    sock.bind((iface, 0))
    own_mac = sock.getsockname()[4]
    s = Spray(scanner_ip, mac_bytes(scanner_mac), gateway_ip, own_mac, len(sys.argv) == 10, random.Random(15))
    if profile == "reflector":
        reflector_kinds(s)
    else:
        malformed_ip_kinds(s)
        forged_kinds(s)
        reflector_kinds(s)
        del s.kinds["arp_for_us"]  # the reflector test's: answered frames are its business
    frames = [(kind, build(i)) for kind, (_, build, _) in s.kinds.items() for i in range(count)]
    s.rng.shuffle(frames)
    sent, expect = {k: 0 for k in s.kinds}, {}
    start, per_tick = time.monotonic(), max(1, int(rate / 100))
    for n, (kind, frame) in enumerate(frames):
        if sock.send(frame) != len(frame):
            sys.exit(f"spray.py: the kernel took part of a {kind} frame")
        sent[kind] += 1
        for counter in [s.kinds[kind][0], *s.kinds[kind][2]]:
            expect[counter] = expect.get(counter, 0) + 1
        if (n + 1) % per_tick == 0:  # about `rate` a second: a pause every hundredth of a second
            time.sleep(max(0.0, start + (n + 1) / rate - time.monotonic()))
    json.dump({"sent": sent, "expect": expect, "arp_for_us": s.arp_for_us,
               "seconds": round(time.monotonic() - start, 3), "ended": time.time()}, open(out, "w"), indent=1)
    print(f"sprayed {len(frames)} frames of {len(sent)} kinds in {time.monotonic() - start:.2f} s")


if __name__ == "__main__":
    main()
