#!/usr/bin/env bash
# The end-to-end benchmark behind docs/performance.md. Prints one table and writes it, with every
# raw figure, as JSON (bench-results/results.json).
#
#   bench/run.sh [--quick] [--out DIR]
#
#   1. micro-benchmarks: every hot stage alone (engine_bench, dataplane_bench), repetitions
#      interleaved in random order;
#   2. TX: one TX lcore of the real binary into net_null, and the reference loop (dataplane_bench's
#      TxReference), alternated in rounds: the ratio is taken within each round;
#   3. RX and output: dataplane_bench's RxEngine (net_ring -> parse, validate, enqueue) and
#      OutputCsv (ring -> dedup, filter, CSV file);
#   4. the full loop through the testbed (the kernel answers): a rate ladder, and the highest rate
#      at which the scan matched the ground truth exactly (no reply lost);
#   5. side by side with zmap and masscan, tools interleaved within each round (this VM drifts):
#      (a) into a veth whose peer drops everything (nftables ingress drop), the same 1,048,576
#      probes each; (b) through the testbed, 32,768 probes each, flat out and at 100 kpps;
#   6. memory: resident set sampled through a long scan into net_null.
# Traffic goes only to 198.18.0.0/15, inside namespaces this script creates and removes.
set -euo pipefail
source "$(dirname "$0")/../scripts/as-root.sh"
cd "$(dirname "$0")/.."
source bench/common.sh
ROUNDS=$((QUICK ? 1 : 3))
REPS=$((QUICK ? 1 : 5))
MIN_TIME=1; ((QUICK)) && MIN_TIME=0.05
SAMPLER=bench/rate_sampler.py
rm -f "$OUT"/*.jsonl

log() { echo "bench: $*" >&2; }

SRC_NS=ics-bench-src SINK_NS=ics-bench-sink
cleanup() {
    ip netns del "$SRC_NS" 2>/dev/null || true
    ip netns del "$SINK_NS" 2>/dev/null || true
    scripts/testbed.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Runs a command under run_measured.py (wall, CPU, peak RSS) with a rate sampler on an interface
# counter; appends one JSON line: {stage, tool, round, pps (where the packets pass), packets, wall,
# cpu, rss_kb}. After TIMEOUT seconds the command gets SIGINT, then SIGKILL.
#   measure STAGE TOOL ROUND NS COUNTER_FILE TIMEOUT -- command...
measure() {
    local stage=$1 tool=$2 round=$3 ns=$4 counter=$5 limit=$6
    shift 7
    local rate=$OUT/rate.json tm=$OUT/time.json
    ip netns exec "$ns" python3 "$SAMPLER" "$counter" --idle 1.5 --timeout 90 > "$rate" &
    local sampler=$!
    sleep 0.3
    python3 bench/run_measured.py --timeout "$limit" -- "$@" > "$tm" 2> "$OUT/tool.err" || true
    wait "$sampler" || true
    python3 - "$stage" "$tool" "$round" "$rate" "$tm" >> "$OUT/$stage.jsonl" <<'PY'
import json, sys
stage, tool, rnd, rate, tm = sys.argv[1:]
r = json.load(open(rate)); t = json.load(open(tm))
print(json.dumps({"stage": stage, "tool": tool, "round": int(rnd), "pps": r["pps"], "packets": r["packets"],
                  "wall": t["wall"], "cpu": t["cpu"], "rss_kb": t["rss_kb"], "stopped": t["stopped"]}))
PY
}

# --- 1 and 3: micro-benchmarks (RX and output come from dataplane_bench) ------------------------
log "1/6 micro-benchmarks"
bench_args=(--benchmark_repetitions="$REPS" --benchmark_enable_random_interleaving=true
            --benchmark_min_time="$MIN_TIME" --benchmark_report_aggregates_only=true)
# Quick (the test command's bench_script): only the rows of the table's RX, output and TX lines;
# the engine_bench and dataplane_bench tests run every benchmark once already.
if ((QUICK)); then
    rm -f "$OUT/engine_bench.json"
    bench_args+=(--benchmark_filter='^BM_(RxEngine|OutputCsv|TxEngine|TxReference)')
else
    build/bench/engine_bench "${bench_args[@]}" --benchmark_format=json > "$OUT/engine_bench.json" 2>/dev/null
fi
build/bench/dataplane_bench "${bench_args[@]}" --benchmark_format=json > "$OUT/dataplane_bench.json" 2>/dev/null

# --- 2: the binary's TX lcore into net_null against the reference loop -------------------------
log "2/6 TX into net_null, alternating with the reference loop"
# Five rounds of about a second each: this VM's speed swings within seconds, and a half-second run
# caught one such swing in a third of the rounds.
TX_ROUNDS=$((QUICK ? 1 : 5))
TX_SCALE=$((QUICK ? 1 : 3))
for round in $(seq "$TX_ROUNDS"); do
    for shape in cidr intervals ipv6; do
        targets=(198.18.0.0/15)
        family=(-S 198.19.255.1)
        probes=$((200 * TX_SCALE))
        if [[ $shape == intervals ]]; then
            python3 - "$OUT/intervals.txt" <<'PY'
import ipaddress, sys
# 10,000 disjoint ranges: every 13th address of 198.18.0.0/15, a run of 6 each.
base = int(ipaddress.ip_address("198.18.0.0"))
with open(sys.argv[1], "w") as f:
    for i in range(10000):
        first = base + i * 13
        print(f"{ipaddress.ip_address(first)}-{ipaddress.ip_address(first + 5)}", file=f)
PY
            targets=(-w "$OUT/intervals.txt")
            probes=$((437 * TX_SCALE))  # 60,000 targets: about the same number of probes as the CIDR
        fi
        if [[ $shape == ipv6 ]]; then  # issue 16: ICMPv6 Echo over a list of as many addresses as the /15
            targets=(--ipv6-per-prefix /128:1 2001:db8::/111)
            family=(-6 -S 2001:db8:ff::1)
        fi
        timeout 120 "$BIN" "${huge[@]}" --vdev net_null0,no-rx=1 -r 0 "${family[@]}" -G 02:00:00:00:00:01 \
            -b /dev/null -o /dev/null -m "$OUT/tx_meta.json" -c 0 -P "$probes" "${targets[@]}" 2>/dev/null
        python3 - "$round" "$shape" "$OUT/tx_meta.json" >> "$OUT/tx.jsonl" <<'PY'
import json, sys
m = json.load(open(sys.argv[3]))
print(json.dumps({"stage": "tx", "tool": "engine-" + sys.argv[2], "round": int(sys.argv[1]),
                  "pps": m["achieved_rate"], "packets": m["packets_sent"],
                  "target_ranges": m.get("target_ranges", m["targets_allowed"])}))
PY
    done
    build/bench/dataplane_bench --benchmark_filter='BM_TxReference$' --benchmark_min_time="$MIN_TIME" \
        --benchmark_format=json 2>/dev/null |
        python3 -c "
import json, sys
b = json.load(sys.stdin)['benchmarks'][0]
print(json.dumps({'stage': 'tx', 'tool': 'reference', 'round': $round, 'pps': b['items_per_second']}))" \
        >> "$OUT/tx.jsonl"
done

# --- 4: the full loop through the testbed: the highest rate with nothing lost -------------------
log "4/6 full loop through the testbed"
scripts/testbed.sh up >/dev/null
# shellcheck disable=SC1091
source /run/dpdk-icmpscan-testbed/env
TRUTH=/run/dpdk-icmpscan-testbed/ground-truth.tsv
ladder=(100000 150000 200000 300000 400000)
((QUICK)) && ladder=(100000 200000)
for rate in "${ladder[@]}"; do
    timeout --signal=INT 120 ip netns exec "$ICS_SCAN_NS" "$BIN" "${huge[@]}" -i "$ICS_SCAN_IF" \
        -S "$ICS_SCANNER_IP" --gateway-ip "$ICS_GATEWAY_IP" -b /dev/null -r "$rate" -c 2 \
        --output-filter "repeat = 0" -o "$OUT/loop.csv" -m "$OUT/loop_meta.json" "$ICS_SCAN_RANGE" 2>/dev/null || true
    exact=false
    python3 tests/integration/check_scan.py "$OUT/loop.csv" "$TRUTH" "$ICS_SCAN_RANGE" > "$OUT/loop_check.txt" 2>&1 && exact=true
    python3 - "$rate" "$exact" "$OUT/loop_meta.json" >> "$OUT/loop.jsonl" <<'PY'
import json, sys
m = json.load(open(sys.argv[3])); c = m["counters"]
print(json.dumps({"stage": "loop", "rate": int(sys.argv[1]), "exact": sys.argv[2] == "true",
                  "achieved": m["achieved_rate"], "hits": m["success_unique"],
                  "nic_rx_missed": m["nic"]["rx_missed"], "nic_rx_nombuf": m["nic"]["rx_nombuf"],
                  "rx_ring_full": c["rx_ring_full"], "tx_alloc_failed": c["tx_alloc_failed"]}))
PY
done

# --- 5b: side by side through the testbed ---------------------------------------------------------
log "5/6 side by side: through the testbed"
# The peers need a kernel address on the scanner's interface (zmap asks for it) and the gateway
# must know the scanner's MAC (they do not answer ARP for an address the kernel does not hold).
ip -n "$ICS_SCAN_NS" addr add "$ICS_SCANNER_IP/24" dev "$ICS_SCAN_IF"
scan_mac=$(ip -n "$ICS_SCAN_NS" -j link show "$ICS_SCAN_IF" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['address'])")
gw_mac=$(ip -n "$ICS_GATEWAY_NS" -j link show "$ICS_GATEWAY_IF" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['address'])")
ip -n "$ICS_GATEWAY_NS" neigh replace "$ICS_SCANNER_IP" lladdr "$scan_mac" dev "$ICS_GATEWAY_IF" nud permanent
: > "$OUT/empty-blocklist"
GW_COUNTER=/sys/class/net/$ICS_GATEWAY_IF/statistics/rx_packets
hits_row() {  # tool results-file format -> appends hits to the last line of testbed.jsonl
    python3 bench/count_hits.py "$TRUTH" "$ICS_SCAN_RANGE" "$2" "$3" > "$OUT/hits.json"
    python3 - "$OUT/testbed.jsonl" "$OUT/hits.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rows[-1].update(json.load(open(sys.argv[2])))
open(sys.argv[1], "w").write("".join(json.dumps(r) + "\n" for r in rows))
PY
}
testbed_rates=(max 100000)
((QUICK)) && testbed_rates=(max)
echo "${testbed_rates[*]}" > "$OUT/testbed_rates"
for round in $(seq "$ROUNDS"); do
    for rate in "${testbed_rates[@]}"; do
        ours_rate=$rate zmap_rate=$rate masscan_rate=$rate
        [[ $rate == max ]] && ours_rate=0 zmap_rate=10000000 masscan_rate=100000000
        measure testbed "engine-af_packet@$rate" "$round" "$ICS_GATEWAY_NS" "$GW_COUNTER" 60 -- \
            ip netns exec "$ICS_SCAN_NS" "$BIN" "${huge[@]}" -i "$ICS_SCAN_IF" \
            -S "$ICS_SCANNER_IP" -G "$gw_mac" -b /dev/null -r "$ours_rate" -c 2 -o "$OUT/ours.csv" "$ICS_SCAN_RANGE"
        hits_row ours "$OUT/ours.csv" engine
        measure testbed "engine-af_xdp@$rate" "$round" "$ICS_GATEWAY_NS" "$GW_COUNTER" 60 -- \
            ip netns exec "$ICS_SCAN_NS" "$BIN" "${huge[@]}" -i "$ICS_SCAN_IF" --af-xdp \
            -S "$ICS_SCANNER_IP" -G "$gw_mac" -b /dev/null -r "$ours_rate" -c 2 -o "$OUT/ours.csv" "$ICS_SCAN_RANGE"
        hits_row ours "$OUT/ours.csv" engine
        measure testbed "zmap@$rate" "$round" "$ICS_GATEWAY_NS" "$GW_COUNTER" 60 -- \
            ip netns exec "$ICS_SCAN_NS" zmap -q -i "$ICS_SCAN_IF" -S "$ICS_SCANNER_IP" \
            -G "$gw_mac" -M icmp_echoscan -r "$zmap_rate" -T 1 -b "$OUT/empty-blocklist" -c 2 \
            -f saddr -o "$OUT/zmap.csv" "$ICS_SCAN_RANGE"
        hits_row zmap "$OUT/zmap.csv" zmap
        # masscan does not exit on its own here (its wait counts down below zero): it is stopped
        # after 4 s (sending takes under 0.5 s, then its 2 s wait), so its wall time is that bound.
        measure testbed "masscan@$rate" "$round" "$ICS_GATEWAY_NS" "$GW_COUNTER" 4 -- \
            ip netns exec "$ICS_SCAN_NS" masscan --ping "$ICS_SCAN_RANGE" \
            --rate "$masscan_rate" --adapter "$ICS_SCAN_IF" --adapter-ip "$ICS_SCANNER_IP" \
            --router-mac "$gw_mac" --wait 2 -oL "$OUT/masscan.txt"
        hits_row masscan "$OUT/masscan.txt" masscan
    done
done
scripts/testbed.sh down >/dev/null

# --- 5a: side by side into a sink -----------------------------------------------------------------
log "5/6 side by side: into a veth whose peer drops everything"
ip netns add "$SRC_NS"
ip netns add "$SINK_NS"
# Two queue pairs: af_packet gets one per lcore (TX lcore and control). DPDK's af_xdp driver finds
# no combined channel on a veth and opens one queue per port: "af_xdp" is one port (its TX lcore
# has the only queue, so the control lcore none), "af_xdp-2q" (--af-xdp) one port per queue, a TX
# lcore each.
ip link add snk0 netns "$SRC_NS" numtxqueues 2 numrxqueues 2 type veth peer name snk1 netns "$SINK_NS" \
    numtxqueues 2 numrxqueues 2
ip -n "$SRC_NS" link set snk0 up
ip -n "$SINK_NS" link set snk1 up
ip -n "$SRC_NS" addr add 198.19.255.1/24 dev snk0  # zmap and masscan want a kernel address
ip netns exec "$SINK_NS" nft -f - <<'NFT'
table netdev sink {
    chain drop_all { type filter hook ingress device snk1 priority 0; policy drop; }
}
NFT
peer=$(ip -n "$SINK_NS" -j link show snk1 | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['address'])")
SINK_COUNTER=/sys/class/net/snk1/statistics/rx_packets
# Quick: a /18, 131,072 probes each (8 per address), enough to see every tool send.
SINK_RANGE=198.18.0.0/15
((QUICK)) && SINK_RANGE=198.18.0.0/18
echo "$SINK_RANGE" > "$OUT/sink_range"
ours_sink=(ip netns exec "$SRC_NS" "$BIN" "${huge[@]}" -S 198.19.255.1 -G "$peer" -P 8 -r 0 -c 0 -b /dev/null
           -o /dev/null "$SINK_RANGE")
for round in $(seq "$ROUNDS"); do
    measure sink engine-af_packet "$round" "$SINK_NS" "$SINK_COUNTER" 60 -- "${ours_sink[@]}" -i snk0
    measure sink engine-af_packet-2tx "$round" "$SINK_NS" "$SINK_COUNTER" 60 -- "${ours_sink[@]}" -i snk0 --tx-cores 2
    measure sink engine-af_xdp "$round" "$SINK_NS" "$SINK_COUNTER" 60 -- "${ours_sink[@]}" --vdev net_af_xdp0,iface=snk0
    measure sink engine-af_xdp-2q "$round" "$SINK_NS" "$SINK_COUNTER" 60 -- "${ours_sink[@]}" -i snk0 --af-xdp \
        --tx-cores 2
    measure sink zmap-1thread "$round" "$SINK_NS" "$SINK_COUNTER" 60 -- ip netns exec "$SRC_NS" \
        zmap -q -i snk0 -S 198.19.255.1 -G "$peer" -M icmp_echoscan -P 8 -r 10000000 -T 1 \
        -b "$OUT/empty-blocklist" -c 0 -o /dev/null "$SINK_RANGE"
    # masscan sends one ICMP probe per address: TCP SYNs to 7 ports make up the same 8 per address.
    measure sink masscan "$round" "$SINK_NS" "$SINK_COUNTER" 30 -- ip netns exec "$SRC_NS" \
        masscan --ping -p1-7 "$SINK_RANGE" --rate 100000000 --adapter snk0 --adapter-ip 198.19.255.1 \
        --router-mac "$peer" --wait 0 -oL /dev/null
done
ip netns del "$SRC_NS"
ip netns del "$SINK_NS"

# --- 6: memory through a long scan --------------------------------------------------------------
log "6/6 memory through a long scan"
seconds=$((QUICK ? 3 : 20))
"$BIN" "${huge[@]}" --vdev net_null0,no-rx=1 -r 20000000 -S 198.19.255.1 -G 02:00:00:00:00:01 \
    -b /dev/null -o /dev/null -c 0 -t "$seconds" -P 65535 198.18.0.0/15 2> "$OUT/memory.err" &
pid=$!
python3 - "$pid" "$seconds" > "$OUT/memory.json" <<'PY'
import json, sys, time
pid, seconds = int(sys.argv[1]), float(sys.argv[2])
samples = []
start = time.monotonic()
while True:
    try:
        status = open(f"/proc/{pid}/status").read()
    except FileNotFoundError:
        break
    rss = next((l.split()[1] for l in status.splitlines() if l.startswith("VmRSS:")), None)
    if rss is None:  # it exited and waits to be reaped (a zombie has no memory lines)
        break
    samples.append((round(time.monotonic() - start, 2), int(rss)))
    time.sleep(0.25)
steady = [r for t, r in samples if 1.0 <= t <= seconds]
print(json.dumps({"stage": "memory", "seconds": seconds, "rss_kb_after_1s": steady[0] if steady else 0,
                  "rss_kb_max": max(steady) if steady else 0,
                  "growth_kb": (max(steady) - steady[0]) if steady else 0, "samples": samples}))
PY
wait "$pid" || true

python3 bench/report.py "$OUT"
