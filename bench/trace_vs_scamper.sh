#!/usr/bin/env bash
# Trace mode against scamper on the testbed: every target of 198.18.0.0/17 (32,768 targets, paths
# of 1 to 6 hops), TTLs 1-8. Ours exhaustive (random order) and with --preprobe, scamper
# (trace -P icmp-paris) at its highest rate (-p 10000); wall time, CPU seconds and probes of each, and the
# match of every path (ours against the truth table, ours against scamper's, target by target).
# Rounds alternate the tools (this VM drifts). Writes bench-results/trace.jsonl and prints a table.
#
#   bench/trace_vs_scamper.sh [--quick] [--out DIR]
set -euo pipefail
source "$(dirname "$0")/../scripts/as-root.sh"
cd "$(dirname "$0")/.."
source bench/common.sh
ROUNDS=$((QUICK ? 1 : 3))
OURS_RATE=100000
SCAMPER_RATES=(10000)  # scamper's highest -p: it refuses more
WORK=$(mktemp -d)
export ICS_TESTBED_STATE=$WORK/testbed
cleanup() { scripts/testbed.sh down >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
scripts/testbed.sh up >/dev/null
source "$ICS_TESTBED_STATE/env"
RANGE=$ICS_SCAN_RANGE
((QUICK)) && RANGE=198.18.0.0/19  # 8,192 targets: every stage once, in the test command
python3 -c "
import ipaddress, sys
print('\n'.join(str(a) for a in ipaddress.ip_network(sys.argv[1])))" "$RANGE" > "$WORK/targets.txt"
rm -f "$OUT/trace.jsonl"

kernel_ip() {  # add|del: scamper needs the scanner's address in the kernel; ours must not have it
    ip netns exec "$ICS_SCAN_NS" ip addr "$1" "$ICS_SCANNER_IP/24" dev "$ICS_SCAN_IF" 2>/dev/null || true
    [[ $1 == add ]] && ip netns exec "$ICS_SCAN_NS" ip route replace 198.18.0.0/15 via "$ICS_GATEWAY_IP"
    return 0
}
record() {  # tool round measured.json paths.jsonl probes [--ends-only]
    local tool=$1 round=$2 measured=$3 paths=$4 probes=$5 match
    match=$( (python3 tests/integration/check_trace.py "$paths" "$ICS_TESTBED_STATE/trace-truth.tsv" "$RANGE" \
        "${@:6}" 2>&1 || true) | sed -n 's/.*; \([0-9]*\) \(differ from\|end where\) the truth.*/\1/p')
    python3 - "$tool" "$round" "$measured" "$probes" "${match:-$(python3 -c 'import ipaddress, sys; print(ipaddress.ip_network(sys.argv[1]).num_addresses)' "$RANGE")}" >> "$OUT/trace.jsonl" <<'PY'
import json, sys
m = json.load(open(sys.argv[3]))
print(json.dumps({"stage": "trace", "tool": sys.argv[1], "round": int(sys.argv[2]), "wall": m["wall"],
                  "cpu": m["cpu"], "rss_kb": m["rss_kb"], "probes": int(sys.argv[4]),
                  "paths_wrong": int(sys.argv[5])}))
PY
}

for round in $(seq 1 "$ROUNDS"); do
    kernel_ip del
    for mode in exhaustive preprobe; do
        extra=()
        [[ $mode == preprobe ]] && extra=(--preprobe)
        rm -f "$WORK/ours.jsonl" "$WORK/meta.json"
        python3 bench/run_measured.py --timeout 120 -- ip netns exec "$ICS_SCAN_NS" "$BIN" "${huge[@]}" -q \
            -M trace "${extra[@]}" --max-ttl 8 -r "$OURS_RATE" -c 1 -i "$ICS_SCAN_IF" -S "$ICS_SCANNER_IP" \
            --gateway-ip "$ICS_GATEWAY_IP" -b /dev/null -o "$WORK/ours.jsonl" -m "$WORK/meta.json" "$RANGE" \
            > "$WORK/measured.json" 2>/dev/null
        probes=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['packets_sent'])" "$WORK/meta.json")
        ends=()
        [[ $mode == preprobe ]] && ends=(--ends-only)  # it skips near hops by design: compare path ends
        record "ours-$mode-${OURS_RATE}pps" "$round" "$WORK/measured.json" "$WORK/ours.jsonl" "$probes" "${ends[@]}"
        [[ $mode == exhaustive ]] && cp "$WORK/ours.jsonl" "$WORK/ours-exhaustive.jsonl"
    done
    kernel_ip add
    for rate in "${SCAMPER_RATES[@]}"; do
        rm -f "$WORK/scamper.json"
        python3 bench/run_measured.py --timeout 600 -- ip netns exec "$ICS_SCAN_NS" scamper -O json -p "$rate" \
            -c "trace -P icmp-paris -q 1 -w 1 -m 8" -f "$WORK/targets.txt" -o "$WORK/scamper.json" \
            > "$WORK/measured.json" 2>/dev/null
        [[ -s $WORK/scamper.json ]] || { echo "scamper -p $rate wrote nothing" >&2; exit 1; }
        grep '"type":"trace"' "$WORK/scamper.json" > "$WORK/scamper-paths.jsonl" || true
        probes=$(python3 -c "
import json, sys
print(sum(json.loads(l)['probe_count'] for l in open(sys.argv[1])))" "$WORK/scamper-paths.jsonl")
        record "scamper-${rate}pps" "$round" "$WORK/measured.json" "$WORK/scamper-paths.jsonl" "$probes"
        (python3 tests/integration/check_trace.py "$WORK/ours-exhaustive.jsonl" "$ICS_TESTBED_STATE/trace-truth.tsv" \
            "$RANGE" --scamper "$WORK/scamper.json" || true) | sed -n 's/^  scamper: /  ours (exhaustive) against scamper-'"$rate"'pps: /p'
    done
done

python3 - "$OUT/trace.jsonl" "$RANGE" <<'PY'
import collections, ipaddress, json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
targets = ipaddress.ip_network(sys.argv[2]).num_addresses
by = collections.defaultdict(list)
for r in rows:
    by[r["tool"]].append(r)
print(f"| tool | wall s | CPU s | probes | peak RSS MiB | paths wrong against the truth per round (of {targets:,}; "
      "preprobe: ends only) |")
print("|---|---|---|---|---|---|")
for tool, rs in by.items():
    med = lambda k: statistics.median(r[k] for r in rs)
    print(f"| {tool} | {med('wall'):.2f} | {med('cpu'):.2f} | {int(med('probes'))} | {med('rss_kb') / 1024:.0f} "
          f"| {', '.join(str(r['paths_wrong']) for r in rs)} |")
PY
