#!/usr/bin/env bash
# Two builds of dpdk-icmpscan side by side, interleaved (this VM's speed drifts between runs, so
# only ratios within a round mean anything): TX into net_null, scan (-P 256 over 198.18.0.0/15)
# and trace (TTLs 1-32, -P 8), 33,554,432 probes each; then scans of the testbed's 198.18.0.0/17
# at 100 kpps and flat out, with CPU time (bench/run_measured.py) and whether the result equals
# the ground truth. Prints per-round ratios and their medians; raw rows in OUT/compare.jsonl.
#
#   bench/compare_builds.sh BEFORE_BIN AFTER_BIN [ROUNDS (5)] [OUT (bench-results)]
# Traffic goes only to 198.18.0.0/15, into net_null or the namespaces scripts/testbed.sh makes.
set -euo pipefail
source "$(dirname "$0")/../scripts/as-root.sh"
cd "$(dirname "$0")/.."
(($# >= 2)) || { echo "usage: bench/compare_builds.sh BEFORE_BIN AFTER_BIN [ROUNDS] [OUT]" >&2; exit 2; }
declare -A BIN=([before]=$(realpath "$1") [after]=$(realpath "$2"))
ROUNDS=${3:-5}
OUT=$(mkdir -p "${4:-bench-results}" && cd "${4:-bench-results}" && pwd)
: > "$OUT/compare.jsonl"
: > "$OUT/runs.log"  # the scanners' own lines
huge=()
scripts/setup-hugepages.sh >/dev/null 2>&1 || huge=(--no-huge)
trap 'scripts/testbed.sh down >/dev/null 2>&1 || true' EXIT

record() {  # tool stage round metadata [measured.json exact-rc]
    python3 - "$@" >> "$OUT/compare.jsonl" <<'PY'
import json, sys
tool, stage, rnd, meta = sys.argv[1:5]
m = json.load(open(meta))
row = {"tool": tool, "stage": stage, "round": int(rnd), "rate": m["achieved_rate"], "sent": m["packets_sent"]}
if len(sys.argv) > 6:
    row.update(json.load(open(sys.argv[5])))
    row["exact"] = sys.argv[6] == "0"
print(json.dumps(row))
PY
}
# Each round alternates which build goes first.
order() { if (($1 % 2)); then echo before after; else echo after before; fi; }
null_args=(-q --vdev net_null0,no-rx=1 -r 0 -S 198.19.255.1 -G 02:00:00:00:00:01 -b /dev/null -o /dev/null -c 0)
for r in $(seq "$ROUNDS"); do
    for tool in $(order "$r"); do
        "${BIN[$tool]}" "${huge[@]}" "${null_args[@]}" -P 256 -m "$OUT/m.json" 198.18.0.0/15 \
            2>> "$OUT/runs.log"
        record "$tool" null-scan "$r" "$OUT/m.json"
        "${BIN[$tool]}" "${huge[@]}" "${null_args[@]}" -M trace --max-ttl 32 -P 8 -m "$OUT/m.json" 198.18.0.0/15 \
            2>> "$OUT/runs.log"
        record "$tool" null-trace "$r" "$OUT/m.json"
    done
done
scripts/testbed.sh up --no-rps >/dev/null
# shellcheck disable=SC1091
source /run/dpdk-icmpscan-testbed/env
for r in $(seq "$ROUNDS"); do
    for rate in 100000 0; do
        for tool in $(order "$r"); do
            python3 bench/run_measured.py --timeout 60 -- ip netns exec "$ICS_SCAN_NS" "${BIN[$tool]}" "${huge[@]}" \
                -q -i "$ICS_SCAN_IF" -S "$ICS_SCANNER_IP" --gateway-ip "$ICS_GATEWAY_IP" -b /dev/null -r "$rate" \
                -c 2 --output-filter "repeat = 0" -o "$OUT/loop.csv" -m "$OUT/m.json" "$ICS_SCAN_RANGE" \
                > "$OUT/measured.json" 2>> "$OUT/runs.log"
            exact=0
            python3 tests/integration/check_scan.py "$OUT/loop.csv" /run/dpdk-icmpscan-testbed/ground-truth.tsv \
                "$ICS_SCAN_RANGE" > /dev/null 2>&1 || exact=1
            record "$tool" "testbed@$rate" "$r" "$OUT/m.json" "$OUT/measured.json" "$exact"
        done
    done
done
python3 - "$OUT/compare.jsonl" <<'PY'
import collections, json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
pairs = collections.defaultdict(dict)
for r in rows:
    pairs[(r["stage"], r["round"])][r["tool"]] = r
by_stage = collections.defaultdict(list)
for (stage, rnd), p in sorted(pairs.items()):
    b, a = p["before"], p["after"]
    row = {"rate": a["rate"] / b["rate"]}
    if "cpu" in b:
        row["cpu_per_probe"] = (a["cpu"] / a["sent"]) / (b["cpu"] / b["sent"])
        row["exact"] = (b["exact"], a["exact"])
    by_stage[stage].append(row)
for stage, rs in by_stage.items():
    rounds = ", ".join(f"{r['rate']:.2f}" for r in rs)
    line = f"{stage:16s} after/before rate: median {statistics.median(r['rate'] for r in rs):.2f} (rounds {rounds})"
    if "cpu_per_probe" in rs[0]:
        line += f"; CPU per probe: median {statistics.median(r['cpu_per_probe'] for r in rs):.2f}; exact " \
                f"before {sum(r['exact'][0] for r in rs)}/{len(rs)}, after {sum(r['exact'][1] for r in rs)}/{len(rs)}"
    print(line)
PY
