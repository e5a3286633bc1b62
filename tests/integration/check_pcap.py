#!/usr/bin/env python3
"""Checks the dry-run pcaps written by dryrun.sh: counts, coverage, checksums, sources.

Every check raises SystemExit with what differed (never `assert`, which PYTHONOPTIMIZE removes).
"""
import ipaddress
import struct
import sys
from collections import Counter

from inet_checksum import ones_sum as csum

FIRST_SOURCE = ipaddress.ip_address("198.19.255.1")
LAST_SOURCE = ipaddress.ip_address("198.19.255.4")


def require(ok, message):
    if not ok:
        raise SystemExit(f"check_pcap: {message}")


def frames(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    require(magic in (0xA1B2C3D4, 0xA1B23C4D), f"{path}: not a pcap file (magic {magic:#010x})")
    off = 24
    while off < len(data):
        _, _, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def check(path):
    dsts = Counter()
    for n, f in enumerate(frames(path)):
        where = f"{path} frame {n}"
        require(f[12:14] == b"\x08\x00", f"{where}: ethertype {f[12:14].hex()}, not IPv4 (0800)")
        ip = f[14:34]
        require(csum(ip) == 0xFFFF, f"{where}: IP checksum does not verify (sum {csum(ip):#06x}, not 0xffff)")
        total = struct.unpack("!H", ip[2:4])[0]
        icmp = f[34:14 + total]
        require(icmp[0] == 8, f"{where}: ICMP type {icmp[0]}, not 8 (echo request)")
        require(csum(icmp) == 0xFFFF,
                f"{where}: ICMP checksum does not verify (sum {csum(icmp):#06x}, not 0xffff)")
        src, dst = ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
        require(FIRST_SOURCE <= src <= LAST_SOURCE, f"{where}: source {src} outside {FIRST_SOURCE}-{LAST_SOURCE}")
        # ZMap's rule: the same target always gets the same source.
        want = FIRST_SOURCE + int(dst) % 4
        require(src == want, f"{where}: {dst} sent from {src}, not from {want} (target mod 4)")
        dsts[dst] += 1
    return dsts


def same_targets(got, expected, what):
    extra, missing = sorted(set(got) - expected), sorted(expected - set(got))
    require(not extra and not missing,
            f"{what}: {len(extra)} targets not expected (e.g. {extra[:3]}), {len(missing)} missing (e.g. {missing[:3]})")


def probes_each(counts, want, what):
    wrong = sorted((a, n) for a, n in counts.items() if n != want)
    require(not wrong, f"{what}: {len(wrong)} targets not probed exactly {want} times, e.g. {wrong[:3]}")


work = sys.argv[1]
expected = set(ipaddress.ip_network("198.18.0.0/22")) | {ipaddress.ip_address("198.18.9.7")} | \
    {ipaddress.ip_address(f"198.18.10.{i}") for i in range(10)}
everything = check(f"{work}/all.pcap")
same_targets(everything, expected, "all.pcap")
probes_each(everything, 2, "all.pcap (one probe per round, -P 2)")
shards = [check(f"{work}/shard{s}.pcap") for s in range(3)]
union = Counter()
for s, counts in enumerate(shards):
    probes_each(counts, 1, f"shard{s}.pcap")
    union.update(counts)
same_targets(union, expected, "the shards together")
probes_each(union, 1, "the shards together (they must partition the targets)")
print(f"dry run: {sum(everything.values())} probes for {len(expected)} targets x 2 rounds; "
      f"shards {[sum(s.values()) for s in shards]} partition them; checksums valid")
