#!/usr/bin/env bash
# What the probes look like on the wire and in which order, from dry runs (the probes go to a pcap
# file; no network, no root): -e fixes the target order (the same seed twice gives the same
# destinations in the same order, another seed another order, and -P 2 walks that order twice),
# -n N% probes floor(N % of the set) targets, the same ones as -n with that count and the same
# ones however sharded, --probe-ttl is the IP TTL of every probe (default 255), and --source-mac
# is every frame's Ethernet source (default: the port's, as the metadata says). Counts and
# content only: about 2 s in all.
set -euo pipefail
BIN=${ICS_BIN:?}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
common=(--no-huge -q -S 198.19.255.1 -G 02:00:00:00:00:fe -b /dev/null -r 0 -o /dev/null)
dry() {  # name, arguments...
    local name=$1; shift
    "$BIN" "${common[@]}" --dryrun "$WORK/$name.pcap" -m "$WORK/$name.json" "$@" 2> "$WORK/$name.err" \
        || { cat "$WORK/$name.err"; echo "FAIL: the dry run '$name' failed"; exit 1; }
}
SET=198.18.0.0/20  # 4096 targets
dry seed5a -e 5 "$SET"
dry seed5b -e 5 "$SET"
dry seed6 -e 6 "$SET"
dry rounds -e 5 -P 2 "$SET"
dry pct -e 5 -n 10% "$SET"
dry count -e 5 -n 409 "$SET"
dry pct_other_seed -e 6 -n 10% "$SET"
dry shard0 -e 5 -n 10% --shards 2 --shard 0 "$SET"
dry shard1 -e 5 -n 10% --shards 2 --shard 1 "$SET"
dry ttl7 --probe-ttl 7 --source-mac 02:00:00:00:00:77 198.18.0.0/24
dry defaults 198.18.0.0/24
python3 - "$WORK" <<'PY'
import ipaddress, json, struct, sys

work = sys.argv[1]
fails = []


def frames(name):
    data = open(f"{work}/{name}.pcap", "rb").read()
    off, out = 24, []
    while off < len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def dsts(name):
    return [str(ipaddress.ip_address(f[30:34])) for f in frames(name)]


def meta(name):
    return json.load(open(f"{work}/{name}.json"))


def expect(what, cond):
    if not cond:
        fails.append(what)


whole = {str(a) for a in ipaddress.ip_network("198.18.0.0/20")}
a, b, c = dsts("seed5a"), dsts("seed5b"), dsts("seed6")
expect("-e 5: 4096 distinct targets of the set", len(a) == 4096 and set(a) == whole)
expect("-e 5 twice: the same destinations in the same order", a == b)
expect("-e 6: the same set as -e 5", len(c) == 4096 and set(c) == whole)
expect("-e 6: another order than -e 5", c != a)
expect("-e 5 in the order of the set (not permuted)", a != sorted(a, key=ipaddress.ip_address))
r = dsts("rounds")
expect("-P 2: two rounds of 4096, each the order -e 5 gives", r[:4096] == a and r[4096:] == a)

pct, cnt, other = dsts("pct"), dsts("count"), dsts("pct_other_seed")
expect(f"-n 10% of 4096: 409 distinct targets of the set (got {len(pct)}, {len(set(pct))} distinct)",
       len(pct) == 409 and len(set(pct)) == 409 and set(pct) <= whole)
expect("-n 10%: metadata max_targets 409 and 409 targets scanned",
       meta("pct")["max_targets"] == 409 and meta("pct")["targets_scanned"] == 409)
expect("-n 409 probes the same targets as -n 10% (same seed)", set(cnt) == set(pct))
expect("-n 10% with another seed: another subset", len(other) == 409 and set(other) != set(pct))
s0, s1 = dsts("shard0"), dsts("shard1")
expect(f"-n 10% over 2 shards: disjoint parts ({len(set(s0) & set(s1))} shared)", not set(s0) & set(s1))
expect(f"-n 10% over 2 shards: together the unsharded subset ({len(s0)} + {len(s1)} targets)",
       len(s0) + len(s1) == 409 and set(s0) | set(s1) == set(pct))


def ip_checksum_ok(f):
    words = struct.unpack("!10H", f[14:34])
    s = sum(words)
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


ttl7, plain = frames("ttl7"), frames("defaults")
expect("--probe-ttl 7: 256 probes, every IP TTL 7 with a valid header checksum",
       len(ttl7) == 256 and all(f[22] == 7 and ip_checksum_ok(f) for f in ttl7))
expect(f"default probe TTL: 255 (got {sorted({f[22] for f in plain})})",
       len(plain) == 256 and all(f[22] == 255 for f in plain))
expect("--probe-ttl 7: metadata probe_ttl 7", meta("ttl7")["probe_ttl"] == 7)
mac = bytes.fromhex("020000000077")
expect(f"--source-mac: every frame from 02:00:00:00:00:77 to -G's 02:00:00:00:00:fe "
       f"(got {sorted({f[6:12].hex(':') for f in ttl7})})",
       all(f[6:12] == mac and f[0:6] == bytes.fromhex("0200000000fe") for f in ttl7))
expect("--source-mac: metadata source_mac", meta("ttl7")["source_mac"] == "02:00:00:00:00:77")
port_mac = meta("defaults")["source_mac"]
expect(f"default source MAC: the port's ({port_mac}), on every frame, and not --source-mac's",
       all(f[6:12].hex(":") == port_mac for f in plain) and port_mac != "02:00:00:00:00:77")

if not fails:
    print(f"  -e 5 twice: same order of 4096; -e 6: another; -P 2: the order twice; -n 10%: {len(pct)} "
          f"targets = -n 409's, shards {len(s0)} + {len(s1)}; --probe-ttl 7 and --source-mac on every frame")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
echo "PASS"
