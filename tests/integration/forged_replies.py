#!/usr/bin/env python3
"""Sends forged ICMP Echo Replies and Destination Unreachables to the scanner from inside a testbed
namespace: right addresses, wrong cookies. usage: forged_replies.py SCANNER_IP COUNT"""
import os
import socket
import struct
import sys

from inet_checksum import checksum


def ip_header(src, dst, payload_len, ident=0x7777, ttl=60):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, 0, ttl, 1, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", checksum(h)) + h[12:]


def icmp(type_, code, rest, body):
    msg = struct.pack("!BBH4s", type_, code, 0, rest) + body
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


scanner, count = sys.argv[1], int(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for i in range(count):
    src = "198.18.0.5" if i % 2 else "198.18.1.9"
    if i % 4 < 2:
        # An echo reply carrying a made-up id/seq and send time.
        pkt = icmp(0, 0, struct.pack("!HH", 0xF00D, i), os.urandom(8))
    else:
        # An unreachable quoting a probe we never sent.
        quoted = ip_header(scanner, src, 8, ident=0x1234) + struct.pack("!BBHHH", 8, 0, 0xBEEF, 0xF00D, i)
        pkt = icmp(3, 1, b"\0\0\0\0", quoted)
    sock.sendto(ip_header(src, scanner, len(pkt)) + pkt, (scanner, 0))
print(f"sent {count} forged replies")
