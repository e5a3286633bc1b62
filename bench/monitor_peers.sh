#!/usr/bin/env bash
# CPU per probe at the small end of monitor mode (issue 14): 1,000 targets (198.18.{1..4}.{1..250},
# behind h1) probed once a second on the testbed by
#   ours     dpdk-icmpscan -M monitor --period 1s --count S --timeout 900ms
#   fping    fping -C S -p 1000 -i 1 -t 900 -q (-i 1: its default -i 10 caps it at 100 probes/s)
#   prober   prometheus-smokeping-prober --privileged, the same hosts at a 1 s interval
# S seconds each, interleaved (ours fping prober, ours fping prober, ...; this VM drifts). CPU is the
# whole process group's user + system time over the whole run (bench/run_measured.py: sampled from
# /proc/PID/stat, start-up included); probes and replies are what scan0 sent and received meanwhile
# (its kernel counters, the same witness for every tool: a tool that falls behind sends fewer).
# Ours runs with no kernel address on scan0, the peers with one (kernel sockets need it).
# Also the steady state alone: CPU of every process in the scanner's namespace and probes sent from
# 5 s into each run to 3 s before its planned end. Writes OUT/monitor_peers.jsonl and prints a
# table: CPU per probe of each, over the whole run and in that window, and the ratios to ours.
#
#   bench/monitor_peers.sh [--quick] [--out DIR]     (--quick: one round of 10 s each)
set -euo pipefail
source "$(dirname "$0")/../scripts/as-root.sh"
cd "$(dirname "$0")/.."
source bench/common.sh
ROUNDS=$((QUICK ? 1 : 2))
SECS=$((QUICK ? 10 : ${ICS_PEERS_SECONDS:-40}))
PROM_PORT=19374
WORK=$(mktemp -d)
export ICS_TESTBED_STATE=$WORK/testbed
cleanup() { scripts/testbed.sh down >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
scripts/testbed.sh up >/dev/null  # with RPS, as benchmarks run it (testbed.sh says why)
source "$ICS_TESTBED_STATE/env"
python3 -c 'print("\n".join(f"198.18.{n}.{h}" for n in (1, 2, 3, 4) for h in range(1, 251)))' > "$WORK/targets.txt"
python3 - "$WORK/targets.txt" > "$WORK/prober.yml" <<'PY'
import sys
hosts = [line.strip() for line in open(sys.argv[1])]
print("targets:\n- hosts:\n" + "".join(f"  - {h}\n" for h in hosts) +
      "  interval: 1s\n  network: ip4\n  protocol: icmp\n  size: 56")
PY
rm -f "$OUT/monitor_peers.jsonl"

kernel_ip() {  # add|del: the peers need the scanner's address in the kernel; ours must not have it
    ip netns exec "$ICS_SCAN_NS" ip addr "$1" "$ICS_SCANNER_IP/24" dev "$ICS_SCAN_IF" 2>/dev/null || true
    [[ $1 == add ]] && ip netns exec "$ICS_SCAN_NS" ip route replace 198.18.0.0/15 via "$ICS_GATEWAY_IP"
    return 0
}
scan0() { ip netns exec "$ICS_SCAN_NS" cat "/sys/class/net/$ICS_SCAN_IF/statistics/$1"; }
ns_cpu_ticks() {  # user + system ticks of every process in the scanner's namespace (the tool alone)
    local p total=0
    for p in $(ip netns pids "$ICS_SCAN_NS"); do
        total=$((total + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
# The steady state, start-up and end left out: CPU ticks and probes sent from 5 s into the run to
# 3 s before its planned end, written to FILE as "ticks probes seconds".
window() {
    local c0 t0 c1 t1 start
    sleep 5
    c0=$(ns_cpu_ticks) t0=$(scan0 tx_packets) start=$SECONDS
    sleep $((SECS - 8))
    c1=$(ns_cpu_ticks) t1=$(scan0 tx_packets)
    echo "$((c1 - c0)) $((t1 - t0)) $((SECONDS - start))" > "$1"
}

# measure TOOL ROUND COMMAND...: runs it (stopped with SIGINT after SECS + 10 s if still running)
# and appends one JSON line.
measure() {
    local tool=$1 round=$2 tx rx
    shift 2
    tx=$(scan0 tx_packets) rx=$(scan0 rx_packets)
    window "$WORK/window" &
    python3 bench/run_measured.py --timeout $((SECS + 10)) -- "$@" > "$WORK/measured.json" 2> "$WORK/$tool.err"
    wait $!
    { head -n 3; echo ...; tail -n 5; } < "$WORK/$tool.err" > "$OUT/monitor_peers-$tool-$round.err"  # for the report
    python3 - "$tool" "$round" "$WORK/measured.json" $(($(scan0 tx_packets) - tx)) $(($(scan0 rx_packets) - rx)) \
        "$SECS" "$(cat "$WORK/window")" "$(getconf CLK_TCK)" >> "$OUT/monitor_peers.jsonl" <<'PY'
import json, sys
m = json.load(open(sys.argv[3]))
probes, replies, secs = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
ticks, wprobes, wsecs = (int(v) for v in sys.argv[7].split())
wcpu = ticks / int(sys.argv[8])
print(json.dumps({"stage": "monitor_peers", "tool": sys.argv[1], "round": int(sys.argv[2]), "wall": m["wall"],
                  "cpu": m["cpu"], "rss_kb": m["rss_kb"], "probes": probes, "replies": replies,
                  "planned": secs * 1000, "us_per_probe": round(m["cpu"] * 1e6 / max(probes, 1), 1),
                  "window_s": wsecs, "window_cpu": wcpu, "window_probes": wprobes,
                  "window_us_per_probe": round(wcpu * 1e6 / max(wprobes, 1), 1)}))
PY
}

for round in $(seq 1 "$ROUNDS"); do
    kernel_ip del
    measure ours "$round" ip netns exec "$ICS_SCAN_NS" "$BIN" "${huge[@]}" -q -M monitor -I "$WORK/targets.txt" \
        --period 1s --count "$SECS" --timeout 900ms -i "$ICS_SCAN_IF" -S "$ICS_SCANNER_IP" \
        --gateway-ip "$ICS_GATEWAY_IP" -b /dev/null -O json -o "$WORK/ours.jsonl"
    kernel_ip add
    measure fping "$round" ip netns exec "$ICS_SCAN_NS" fping -C "$SECS" -p 1000 -i 1 -t 900 -q \
        -f "$WORK/targets.txt"
    # It runs until stopped: SIGINT after SECS s (timeout), its start-up counted as everyone's. Its
    # own count of what it sent and what came back, scraped 1 s before the stop, is printed too.
    (sleep $((SECS - 1)); ip netns exec "$ICS_SCAN_NS" python3 - "$PROM_PORT" <<'PY'
import re, sys, urllib.request
try:
    text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=5).read().decode()
except OSError as e:
    sys.exit(f"bench: the prober's /metrics did not answer 1 s before its stop ({e}): still starting up?")
total = lambda name: sum(float(v) for v in re.findall(rf"^{name}{{[^}}]*}} (\S+)$", text, re.M))
print(f"bench: prober round's own count 1 s before its stop: {total('smokeping_requests_total'):.0f} "
      f"requests, {total('smokeping_response_duration_seconds_count'):.0f} responses", file=sys.stderr)
PY
    ) &
    measure prober "$round" ip netns exec "$ICS_SCAN_NS" timeout --signal=INT "$SECS" \
        prometheus-smokeping-prober --privileged --config.file "$WORK/prober.yml" \
        --web.listen-address "127.0.0.1:$PROM_PORT"
    # It starts one pinger per host, one after the other, and serves /metrics only once all have.
    echo "bench: prober round $round: $(grep -c 'Starting prober' "$WORK/prober.err" || true) of 1000 pingers" \
        "started in $SECS s; /metrics served: $(grep -q 'Listening on' "$WORK/prober.err" && echo yes || echo no)" >&2
done
kernel_ip del

python3 - "$OUT/monitor_peers.jsonl" <<'PY'
import collections, json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
by = collections.defaultdict(list)
for r in rows:
    by[r["tool"]].append(r)
med = {t: {k: statistics.median(r[k] for r in rs) for k in ("us_per_probe", "window_us_per_probe")}
       for t, rs in by.items()}
print("| tool | round | wall s | CPU s | probes sent (planned) | replies | CPU us/probe, whole run (ratio of medians "
      "to ours) | CPU us/probe, steady window (ratio) |")
print("|---|---|---|---|---|---|---|---|")
for tool, rs in by.items():
    ratio = {k: med[tool][k] / med["ours"][k] for k in med[tool]}
    for r in rs:
        print(f"| {tool} | {r['round']} | {r['wall']:.1f} | {r['cpu']:.2f} | {r['probes']} ({r['planned']}) "
              f"| {r['replies']} | {r['us_per_probe']:.1f} ({ratio['us_per_probe']:.2f}) "
              f"| {r['window_us_per_probe']:.1f} over {r['window_s']} s ({ratio['window_us_per_probe']:.2f}) |")
PY
