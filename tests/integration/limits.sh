#!/usr/bin/env bash
# The scan's limits: -n probes exactly that many targets, -N stops after that many results with
# every written row counted, -t stops sending after the given time and says what was not sent.
source "$(dirname "$0")/lib.sh"
testbed_up
scan -q -r 20000 -c 1 -n 1000 -e 7 --output-filter "" -f probe_daddr,repeat -o "$WORK/n.csv" -m "$WORK/n.json" "$ICS_SCAN_RANGE"
scan -q -r 20000 -c 1 -N 100 -o "$WORK/N.csv" -m "$WORK/N.json" "$ICS_SCAN_RANGE"
scan -q -r 5000 -c 0.5 -t 1 -o /dev/null -m "$WORK/t.json" "$ICS_SCAN_RANGE"
python3 - "$WORK" <<'PY'
import csv, json, sys
w = sys.argv[1]
n, N, t = (json.load(open(f"{w}/{x}.json")) for x in ("n", "N", "t"))
rows_n = list(csv.DictReader(open(f"{w}/n.csv")))
assert n["packets_sent"] == 1000 and n["completed"], n["packets_sent"]
assert len({r["probe_daddr"] for r in rows_n}) <= 1000
rows_N = list(csv.DictReader(open(f"{w}/N.csv")))
assert len(rows_N) == 100 and N["stop_reason"] == "max_results", (len(rows_N), N["stop_reason"])
assert N["packets_sent"] < N["packets_planned"] and not N["completed"]
assert t["stop_reason"] == "max_runtime" and not t["completed"], t["stop_reason"]
assert 4000 <= t["packets_sent"] <= 5200, t["packets_sent"]   # about 1 s at 5000 pps
assert t["packets_not_sent"] == t["packets_planned"] - t["packets_sent"]
print(f"  -n 1000: sent {n['packets_sent']}; -N 100: {len(rows_N)} rows, stopped after "
      f"{N['packets_sent']} probes; -t 1: sent {t['packets_sent']} at 5000 pps, "
      f"{t['packets_not_sent']} not sent")
PY
echo "PASS"
