#!/usr/bin/env bash
# A SIGINT mid-trace stops sending, drains in-flight replies, and still writes every reply row, a
# path line for every target and the metadata, which says what was not finished.
source "$(dirname "$0")/lib.sh"
testbed_up
scan_bg -M trace --max-ttl 8 -r 20000 -c 8 -o "$WORK/paths.jsonl" --replies-file "$WORK/replies.csv" \
    -m "$WORK/meta.json" -u "$WORK/status.csv" "$ICS_SCAN_RANGE" 2> "$WORK/stderr"
# Mid-trace: once a status row shows replies (the 262,144 probes take 13 s at 20,000 pps).
wait_until 60 "a status row with replies" status_has_replies "$WORK/status.csv"
signal_scan INT || fail "tracer not running"
wait "$SCAN_JOB" && rc=0 || rc=$?
tail -3 "$WORK/stderr"
[[ $rc == 0 ]] || fail "exit status $rc after SIGINT"
grep -q "not finished" "$WORK/stderr" || fail "no 'not finished' line"
python3 - "$WORK/paths.jsonl" "$WORK/replies.csv" "$WORK/meta.json" <<'PY'
import csv, json, sys

def require(ok, message):
    if not ok:
        raise SystemExit(f"FAIL: trace_sigint: {message}")

paths = [json.loads(l) for l in open(sys.argv[1])]
rows = list(csv.DictReader(open(sys.argv[2])))
m = json.load(open(sys.argv[3]))
hops = sum(len(p["hops"]) for p in paths)
print(f"  sent {m['packets_sent']} of {m['packets_planned']}; {len(rows)} reply rows; {len(paths)} paths with "
      f"{hops} hops")
require(m["stop_reason"] == "signal" and not m["completed"],
        f"stop_reason {m['stop_reason']!r}, completed {m['completed']}, expected 'signal' and false")
require(0 < m["packets_sent"] < m["packets_planned"],
        f"sent {m['packets_sent']} of {m['packets_planned']} planned, expected some but not all")
require(len(paths) == 32768, f"{len(paths)} path lines, expected 32768: every target gets one, finished or not")
require(len(rows) == m["counters"]["out_written"] == m["validation_passed"] > 0,
        f"{len(rows)} reply rows, out_written {m['counters']['out_written']}, validation_passed "
        f"{m['validation_passed']}: expected all equal and above 0")
require(0 < hops <= len(rows), f"{hops} hops in the paths, expected above 0 and at most the {len(rows)} reply rows")
PY
echo "PASS"
