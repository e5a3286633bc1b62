#!/usr/bin/env bash
# Pacing accuracy across rates: within 2 % at 1, 20, 1000 and 50000 pps and with -B (from the packet
# timestamps of dry runs), with probes spaced one by one (no bursts) at low rates; and at 1 and
# 5 Mpps into net_null (from the metadata's achieved rate). Bounded: about 9 s in all.
set -euo pipefail
BIN=${ICS_BIN:?}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
common=(--no-huge -S 198.19.255.1 -G 02:00:00:00:00:fe -b /dev/null -q -o /dev/null)
"$BIN" "${common[@]}" --dryrun "$WORK/r1.pcap" -r 1 -n 4 198.18.0.0/16
"$BIN" "${common[@]}" --dryrun "$WORK/r20.pcap" -r 20 -n 41 198.18.0.0/16
"$BIN" "${common[@]}" --dryrun "$WORK/r1000.pcap" -r 1000 -n 1501 198.18.0.0/16
"$BIN" "${common[@]}" --dryrun "$WORK/r50000.pcap" -r 50000 -n 50001 198.18.0.0/16
"$BIN" "${common[@]}" --dryrun "$WORK/b1m.pcap" -B 1M -n 1489 198.18.0.0/16   # 1488 pps of 84-byte slots
for r in 1000000 5000000; do
    "$BIN" "${common[@]}" --vdev net_null0,no-rx=1 -c 0 -r $r -m "$WORK/null$r.json" 198.18.0.0/15
done
python3 - "$WORK" <<'PY'
import struct, sys
def stamps(path):
    data = open(path, "rb").read()
    nano = struct.unpack("<I", data[:4])[0] == 0xA1B23C4D
    off, out = 24, []
    while off < len(data):
        sec, frac, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        out.append(sec + frac / (1e9 if nano else 1e6))
        off += 16 + incl
    return out
fails = 0
# (pcap, rate, spaced): at rates below 10 kpps the pacer sends one probe at a time, so nearly every
# gap must be a real gap; a rare short one is the catch-up after a late wake-up.
for name, rate, spaced in (("r1", 1, True), ("r20", 20, True), ("r1000", 1000, True), ("r50000", 50000, False), ("b1m", 1488, True)):
    t = stamps(f"{sys.argv[1]}/{name}.pcap")
    achieved = (len(t) - 1) / (t[-1] - t[0])
    gaps = [b - a for a, b in zip(t, t[1:])]
    short = sum(g < 0.25 / rate for g in gaps) / len(gaps)
    ok = abs(achieved - rate) <= 0.02 * rate and (not spaced or short < 0.05)
    fails += not ok
    print(f"  {name}: asked {rate} pps, achieved {achieved:.1f} pps ({100 * (achieved / rate - 1):+.2f} %), "
          f"{100 * short:.1f} % of gaps under a quarter of the schedule's {'ok' if ok else 'FAIL'}")
import json
for rate in (1000000, 5000000):
    achieved = json.load(open(f"{sys.argv[1]}/null{rate}.json"))["achieved_rate"]
    ok = abs(achieved - rate) <= 0.02 * rate
    fails += not ok
    print(f"  net_null: asked {rate} pps, achieved {achieved:.0f} pps ({100 * (achieved / rate - 1):+.2f} %) "
          f"{'ok' if ok else 'FAIL'}")
sys.exit(1 if fails else 0)
PY
