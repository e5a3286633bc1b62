#!/usr/bin/env bash
# Pacing, from the packet timestamps of dry runs at 1, 20, 1000 and 50000 pps and with -B 1M
# (1488 pps of 84-byte slots), and from the metadata of scans into net_null at 1 and 5 Mpps:
# every probe is sent, once, to a distinct target, in time order, and never ahead of the
# schedule: the k-th probe (from 0) leaves at least (k + 1) / rate after the scan's start. That
# holds whatever else the machine runs (a late sender catches up, it never runs early), so it is
# checked; how close the achieved rate comes to the asked one, and how evenly probes are spaced,
# is timing that a loaded 2-core machine spoils (a 30 ms stall moves a 1.5 s dry run's rate by
# 2 %): printed here, checked by the pacer's unit tests on a simulated clock
# (tests/unit/pacer_test.cpp) and measured by bench/run.sh. Bounded: about 9 s in all.
set -euo pipefail
BIN=${ICS_BIN:?}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
common=(--no-huge -S 198.19.255.1 -G 02:00:00:00:00:fe -b /dev/null -q -o /dev/null)
dry() {  # name rate-args... (the rest of the arguments)
    local name=$1; shift
    date +%s.%N > "$WORK/$name.launched"  # before DPDK's pcap driver takes its wall clock (below)
    "$BIN" "${common[@]}" --dryrun "$WORK/$name.pcap" -m "$WORK/$name.json" "$@" 198.18.0.0/16
}
dry r1 -r 1 -n 4
dry r20 -r 20 -n 41
dry r1000 -r 1000 -n 1501
dry r50000 -r 50000 -n 50001
dry b1m -B 1M -n 1489
for r in 1000000 5000000; do
    "$BIN" "${common[@]}" --vdev net_null0,no-rx=1 -c 0 -r $r -m "$WORK/null$r.json" 198.18.0.0/15
done
python3 - "$WORK" <<'PY'
import calendar, ipaddress, json, struct, sys, time

def packets(path):
    data = open(path, "rb").read()
    nano = struct.unpack("<I", data[:4])[0] == 0xA1B23C4D
    off, out = 24, []
    while off < len(data):
        sec, frac, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        out.append((sec + frac / (1e9 if nano else 1e6), data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out

def start_of(meta):  # the run's start, to the millisecond below (the schedule starts after it)
    t = meta["start_time"]
    return calendar.timegm(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) + int(t[20:23]) / 1000

fails = []
net = ipaddress.ip_network("198.18.0.0/16")
for name, rate, n in (("r1", 1, 4), ("r20", 20, 41), ("r1000", 1000, 1501), ("r50000", 50000, 50001),
                      ("b1m", 1488, 1489)):
    meta = json.load(open(f"{sys.argv[1]}/{name}.json"))
    pk = packets(f"{sys.argv[1]}/{name}.pcap")
    # DPDK's pcap driver stamps frames from the TSC with the CPU's nominal frequency, from a wall
    # clock reading at its start (in rte_eal_init): where that frequency is off (0.19 % on this VM),
    # its times stretch from there; ours are counted (tsc_hz). Rescaled about the launch, taken just
    # before that reading: its error is the launch's distance to it times the stretch (microseconds).
    stretch = meta["tsc_hz_nominal"] / meta["tsc_hz"]
    launched = float(open(f"{sys.argv[1]}/{name}.launched").read())
    t = [launched + (p[0] - launched) * stretch for p in pk]
    dsts = {ipaddress.ip_address(f[30:34]) for _, f in pk}
    if meta["rate"] != rate: fails.append(f"{name}: rate {meta['rate']} pps, expected {rate}")
    if len(pk) != n or meta["packets_sent"] != n: fails.append(f"{name}: {len(pk)} probes, expected {n}")
    if any(f[23] != 1 or f[34] != 8 for _, f in pk): fails.append(f"{name}: a frame is not an echo request")
    if len(dsts) != len(pk) or not all(d in net for d in dsts): fails.append(f"{name}: targets repeat or stray")
    if any(b < a for a, b in zip(t, t[1:])): fails.append(f"{name}: timestamps go backwards")
    # 1 ms for the two clocks (the pcap driver's and the scanner's) and the start's rounding.
    start = start_of(meta) - 0.001
    early = [k for k in range(len(t)) if t[k] < start + (k + 1) / rate]
    if early: fails.append(f"{name}: probe {early[0]} left {start + (early[0] + 1) / rate - t[early[0]]:.6f} s "
                           f"before its schedule ({len(early)} early)")
    gaps = [b - a for a, b in zip(t, t[1:])]
    achieved = (len(t) - 1) / (t[-1] - t[0])
    print(f"  {name}: {len(pk)} probes at {achieved:.1f} pps of {rate} ({100 * (achieved / rate - 1):+.2f} %), "
          f"{100 * sum(g < 0.25 / rate for g in gaps) / len(gaps):.1f} % of gaps under a quarter of the "
          f"schedule's, none early: {'no' if early else 'yes'}")
for rate in (1000000, 5000000):
    meta = json.load(open(f"{sys.argv[1]}/null{rate}.json"))
    sent = meta["packets_sent"]
    if not meta["completed"] or sent != 131072: fails.append(f"net_null {rate}: sent {sent} of 131072")
    # The whole run lasts at least as long as the schedule of all but the last burst (64 probes).
    if meta["duration"] < (sent - 64) / rate:
        fails.append(f"net_null {rate}: {sent} probes in {meta['duration']:.4f} s, ahead of the schedule")
    print(f"  net_null: {sent} probes at {meta['achieved_rate']:.0f} pps of {rate} "
          f"({100 * (meta['achieved_rate'] / rate - 1):+.2f} %) in a {meta['duration']:.3f} s run")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
echo "PASS"
