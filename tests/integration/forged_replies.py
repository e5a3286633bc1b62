#!/usr/bin/env python3
"""Sends forged ICMP Echo Replies and Destination Unreachables to the scanner from inside a testbed
namespace: right addresses, wrong cookies. usage: forged_replies.py SCANNER_IP COUNT"""
import os
import socket
import struct
import sys

from frames import icmp, ipv4

scanner, count = sys.argv[1], int(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for i in range(count):
    src = "198.18.0.5" if i % 2 else "198.18.1.9"
    if i % 4 < 2:
        # An echo reply carrying a made-up id/seq and send time.
        pkt = icmp(0, 0, struct.pack("!HH", 0xF00D, i), os.urandom(8))
    else:
        # An unreachable quoting a probe we never sent.
        quoted = ipv4(scanner, src, 1, struct.pack("!BBHHH", 8, 0, 0xBEEF, 0xF00D, i), ident=0x1234)
        pkt = icmp(3, 1, b"\0\0\0\0", quoted)
    sock.sendto(ipv4(src, scanner, 1, pkt), (scanner, 0))
print(f"sent {count} forged replies")
