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
# -t 1 at 5000 pps over 32,768 targets (6.5 s of probes): counts that hold on a loaded machine, not
# "about 5000": sending stopped long before the set was done (5.5 s of margin), the pacer never ran
# ahead of 5000 pps over the run (a late sender only catches up, 64 at a time), and it
# sent for more than a fifth of the second (a sender starved for 0.8 s of 1 s is beyond what this
# machine shows under load; -t read as milliseconds would send 5).
if not 1000 < t["packets_sent"] < 32768:
    sys.exit(f"FAIL: -t 1 at 5000 pps sent {t['packets_sent']} of 32768 probes")
if t["packets_sent"] > 5000 * t["duration"] + 64:
    sys.exit(f"FAIL: -t 1: {t['packets_sent']} probes in a {t['duration']:.3f} s run, ahead of 5000 pps")
assert t["packets_not_sent"] == t["packets_planned"] - t["packets_sent"]
print(f"  -n 1000: sent {n['packets_sent']}; -N 100: {len(rows_N)} rows, stopped after "
      f"{N['packets_sent']} probes; -t 1: sent {t['packets_sent']} at 5000 pps, "
      f"{t['packets_not_sent']} not sent")
PY
echo "PASS"
