#!/usr/bin/env bash
# Monitor mode until stopped (--count 0) ends on SIGINT and on SIGTERM as issue 14 asks: exit 0,
# the last partial period summarised and flushed, metadata stop_reason "signal". Checked by
# check_monitor.py signal: each target's summaries cover every round it was sent once (fping's xmt
# is their sum, the metadata's probes sent their total), full -Q periods before the last one.
source "$(dirname "$0")/lib.sh"
testbed_up
summaries_at_least() { [[ -f $1 ]] && (($(wc -l < "$1") >= $2)); }
for sig in INT TERM; do
    out=$WORK/$sig
    scan_bg -M monitor --period 200ms --count 0 --timeout 300ms -Q 1s -o "$out.jsonl" -m "$out.json" \
        198.18.1.0/24 2> "$out.txt"
    # Two periods summarised for every target, then the signal at some point in the third.
    wait_until 30 "two periods' summaries" summaries_at_least "$out.jsonl" 512
    sleep 0.3
    signal_scan "$sig"
    rc=0
    wait "$SCAN_JOB" || rc=$?
    ((rc == 0)) || { cat "$out.txt" >&2; fail "SIG$sig: the monitor run exited $rc, expected 0"; }
    python3 "$SRC/tests/integration/check_monitor.py" signal "$out.jsonl" "$out.json" "$out.txt"
done
echo "PASS"
