#!/usr/bin/env python3
"""Checks the dry-run pcaps written by dryrun.sh: counts, coverage, checksums, sources."""
import ipaddress
import struct
import sys
from collections import Counter

from inet_checksum import ones_sum as csum


def frames(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "not a pcap file"
    off = 24
    while off < len(data):
        _, _, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def check(path):
    dsts = Counter()
    for f in frames(path):
        assert f[12:14] == b"\x08\x00", "not IPv4"
        ip = f[14:34]
        assert csum(ip) == 0xFFFF, "bad IP checksum"
        total = struct.unpack("!H", ip[2:4])[0]
        icmp = f[34:14 + total]
        assert icmp[0] == 8 and csum(icmp) == 0xFFFF, "bad ICMP echo request"
        src, dst = ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
        assert ipaddress.ip_address("198.19.255.1") <= src <= ipaddress.ip_address("198.19.255.4")
        # ZMap's rule: the same target always gets the same source.
        assert int(src) - int(ipaddress.ip_address("198.19.255.1")) == int(dst) % 4
        dsts[dst] += 1
    return dsts


work = sys.argv[1]
expected = set(ipaddress.ip_network("198.18.0.0/22")) | {ipaddress.ip_address("198.18.9.7")} | \
    {ipaddress.ip_address(f"198.18.10.{i}") for i in range(10)}
everything = check(f"{work}/all.pcap")
assert set(everything) == expected, "targets differ"
assert set(everything.values()) == {2}, "each target must get exactly one probe per round (-P 2)"
shards = [check(f"{work}/shard{s}.pcap") for s in range(3)]
union = Counter()
for s in shards:
    assert set(s.values()) == {1}
    union.update(s)
assert set(union) == expected and set(union.values()) == {1}, "shards must partition the targets"
print(f"dry run: {sum(everything.values())} probes for {len(expected)} targets x 2 rounds; "
      f"shards {[sum(s.values()) for s in shards]} partition them; checksums valid")
