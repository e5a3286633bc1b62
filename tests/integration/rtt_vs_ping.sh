#!/usr/bin/env bash
# RTTs measured by the scanner agree with ping's on the same path (median within 50 us): scan a
# /24 behind r1 slowly, then give the scanner's interface a kernel address and ping the same hosts
# through the very same veth and router.
source "$(dirname "$0")/lib.sh"
testbed_up
TARGETS=198.18.1.0/24
scan -r 500 -c 1 -q -f saddr,rtt_us -o "$WORK/rtt.csv" "$TARGETS"
ip netns exec "$ICS_SCAN_NS" ip addr add "$ICS_SCANNER_IP/24" dev "$ICS_SCAN_IF"
ip netns exec "$ICS_SCAN_NS" ip route add 198.18.0.0/15 via "$ICS_GATEWAY_IP"
: > "$WORK/ping.txt"
for host in 198.18.1.1 198.18.1.77 198.18.1.200; do
    ip netns exec "$ICS_SCAN_NS" timeout 30 ping -n -c 100 -i 0.005 "$host" >> "$WORK/ping.txt"
done
python3 - "$WORK/rtt.csv" "$WORK/ping.txt" <<'PY'
import csv, re, statistics, sys
scan = [int(r["rtt_us"]) for r in csv.DictReader(open(sys.argv[1]))]
ping = [float(m) * 1000 for m in re.findall(r"time=([0-9.]+) ms", open(sys.argv[2]).read())]
assert len(scan) >= 250, f"only {len(scan)} scan replies"
assert len(ping) >= 250, f"only {len(ping)} ping replies"
ms, mp = statistics.median(scan), statistics.median(ping)
print(f"  median RTT: scanner {ms:.0f} us over {len(scan)} hosts, ping {mp:.0f} us over {len(ping)} pings; "
      f"difference {ms - mp:+.0f} us")
assert abs(ms - mp) <= 50, "medians differ by more than 50 us"
PY
echo "PASS"
