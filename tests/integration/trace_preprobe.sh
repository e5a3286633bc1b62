#!/usr/bin/env bash
# --preprobe (FlashRoute-style: distance first, then backwards with a stop set, and no probes past
# a path's end) against an exhaustive randomized trace of the same range: how many probes it saves
# and how many router interfaces it loses; every path end (Echo Reply, Unreachable) must still be
# found at the same hop. The preprobe run uses two sender lcores, so every feedback message must
# reach both (one ring each).
source "$(dirname "$0")/lib.sh"
testbed_up
for mode in exhaustive preprobe; do
    extra=()
    [[ $mode == preprobe ]] && extra=(--preprobe --tx-cores 2)
    scan -M trace "${extra[@]}" --max-ttl 8 -r 50000 -c 1 -q -o "$WORK/$mode.jsonl" -m "$WORK/$mode-meta.json" \
        "$ICS_SCAN_RANGE" 2>/dev/null
done
python3 - "$WORK" <<'PY'
import collections, json, sys

def require(ok, message):
    if not ok:
        raise SystemExit(f"FAIL: trace_preprobe: {message}")

work = sys.argv[1]
def load(mode):
    paths = {}
    for line in open(f"{work}/{mode}.jsonl"):
        p = json.loads(line)
        paths[p["dst"]] = p
    return paths, json.load(open(f"{work}/{mode}-meta.json"))
ex, exm = load("exhaustive")
pp, ppm = load("preprobe")
def interfaces(paths):
    return {h["addr"] for p in paths.values() for h in p["hops"] if h["icmp_type"] == 11}
lost = interfaces(ex) - interfaces(pp)
sent_ex, sent_pp = exm["packets_sent"], ppm["packets_sent"]
print(f"  exhaustive: {sent_ex} probes, {len(interfaces(ex))} interfaces; preprobe: {sent_pp} probes "
      f"({ppm['trace']['probes_saved']} skipped by the schedule, {100 * (1 - sent_pp / sent_ex):.0f} % fewer), "
      f"{len(interfaces(pp))} interfaces, {len(lost)} lost {sorted(lost)}")
ends = ("COMPLETED", "UNREACH")
changed = collections.Counter((ex[t]["stop_reason"], pp[t]["stop_reason"]) for t in ex
                              if (ex[t]["stop_reason"], ex[t]["hop_count"]) != (pp[t]["stop_reason"], pp[t]["hop_count"]))
print(f"  paths whose end differs: {dict(changed)}")
require(not lost, f"the preprobe run lost {len(lost)} interfaces: {sorted(lost)}")
require(sent_pp < 0.5 * sent_ex,
        f"the preprobe and stop set sent {sent_pp} probes against {sent_ex} exhaustive: expected fewer than half")
require(ppm["completed"] and ppm["stop_reason"] == "completed",
        f"preprobe run: completed {ppm['completed']}, stop_reason {ppm['stop_reason']!r}, "
        f"expected true and 'completed'")
bad = [t for t in ex if ex[t]["stop_reason"] in ends and
       (pp[t]["stop_reason"], pp[t]["hop_count"], pp[t]["stop_data"]) !=
       (ex[t]["stop_reason"], ex[t]["hop_count"], ex[t]["stop_data"])]
require(not bad, f"{len(bad)} path ends moved, e.g. " + "; ".join(
    f"{t}: exhaustive {(ex[t]['stop_reason'], ex[t]['hop_count'], ex[t]['stop_data'])}, "
    f"preprobe {(pp[t]['stop_reason'], pp[t]['hop_count'], pp[t]['stop_data'])}" for t in bad[:3]))
PY
echo "PASS"
