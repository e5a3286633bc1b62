#!/usr/bin/env bash
# Signals (docs/usage.md, "Stopping and exit status"): SIGTERM mid-scan does what SIGINT does
# (sigint.sh): it stops sending, writes every reply received as a row and the metadata, which says
# stop_reason "signal" and what was not sent, and exits 0. A second signal exits at once with
# 128 + its own number: here the first signal finds the scanner unable to finish (its rows go to a
# pipe nobody reads, as when a reader hangs), so only the second can end it, and the order of the
# two is fixed by waiting for the scanner's "stopping" line before sending the second.
source "$(dirname "$0")/lib.sh"
testbed_up

# --- SIGTERM mid-scan: every row and the metadata ------------------------------------------------
scan_bg -r 4000 -c 20 -f saddr,probe_daddr,type,code,repeat --output-filter "" \
    -o "$WORK/rows.csv" -m "$WORK/meta.json" -u "$WORK/status.csv" "$ICS_SCAN_RANGE" 2> "$WORK/stderr"
# Mid-scan: once a status row shows replies (the 32,768 probes take 8 s at 4,000 pps).
wait_until 60 "a status row with replies" status_has_replies "$WORK/status.csv"
signal_scan TERM
wait "$SCAN_JOB" && rc=0 || rc=$?
SCAN_JOB=
[[ $rc == 0 ]] || fail "exit status $rc after SIGTERM: $(tail -3 "$WORK/stderr")"
grep -q "stopping: finishing in-flight replies and writing results" "$WORK/stderr" \
    || fail "no 'stopping' line after SIGTERM: $(tail -3 "$WORK/stderr")"
grep -q "not finished: [0-9]* probes were not sent (stopped by signal)" "$WORK/stderr" \
    || fail "no 'not finished' line after SIGTERM: $(tail -3 "$WORK/stderr")"
python3 - "$WORK/rows.csv" "$WORK/meta.json" "$WORK/status.csv" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
m = json.load(open(sys.argv[2]))
status = list(csv.DictReader(open(sys.argv[3])))
c = m["counters"]
fails = []
if m["stop_reason"] != "signal" or m["completed"]:
    fails.append(f"metadata says stop_reason {m['stop_reason']}, completed {m['completed']}")
if not 0 < m["packets_sent"] < m["packets_planned"] == 32768:
    fails.append(f"sent {m['packets_sent']} of {m['packets_planned']}: the signal came mid-scan")
if m["packets_not_sent"] != m["packets_planned"] - m["packets_sent"]:
    fails.append(f"packets_not_sent {m['packets_not_sent']}")
# Every reply validated was taken from the rings and written (the filter keeps everything).
if not len(rows) == c["out_records"] == c["out_written"] == m["validation_passed"] > 0:
    fails.append(f"{len(rows)} rows, {c['out_records']} records, {c['out_written']} written, "
                 f"{m['validation_passed']} valid replies")
if c["rx_ring_full"]:
    fails.append(f"{c['rx_ring_full']} records lost to a full ring")
first = [r for r in rows if r["repeat"] == "0"]
if len({r["probe_daddr"] for r in first}) != len(first) or not all(r["saddr"] and r["type"] in ("0", "3", "11") for r in rows):
    fails.append("rows are not whole replies, one first reply per target")
if not status or int(status[-1]["recv_total"]) != m["validation_passed"]:
    fails.append(f"the last status row does not hold the final count {m['validation_passed']}")
print(f"  SIGTERM: sent {m['packets_sent']} of {m['packets_planned']}, {len(rows)} rows = "
      f"{m['validation_passed']} valid replies, metadata stop_reason {m['stop_reason']}")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY

# --- A second signal: 128 + its number -----------------------------------------------------------
replies_at_least() {  # N FILE: the -u file FILE has a row with recv_total (column 10) >= N
    [[ -f $2 ]] && awk -F, -v n="$1" 'NR > 1 && $10 >= n { f = 1 } END { exit !f }' "$2"
}
mkfifo "$WORK/stuck"
for pair in "INT TERM 143" "TERM INT 130"; do
    read -r first second want <<< "$pair"
    # A reader that never reads: once its 64 KiB are full, the output lcore waits in write().
    exec 3<> "$WORK/stuck"
    rm -f "$WORK/stuck.status"
    scan_bg -r 4000 -c 20 -f '*' --output-filter "" -o - -u "$WORK/stuck.status" "$ICS_SCAN_RANGE" \
        > "$WORK/stuck" 2> "$WORK/stuck.err"
    # 2,000 rows of every field are far more than the pipe holds: the writer is blocked.
    wait_until 60 "2000 replies" replies_at_least 2000 "$WORK/stuck.status"
    signal_scan "$first"
    wait_until 30 "the scanner's 'stopping' line" grep -q "stopping: finishing" "$WORK/stuck.err"
    kill "-$second" "$(cat "$WORK/scanner.pid")"
    wait "$SCAN_JOB" && rc=0 || rc=$?
    SCAN_JOB=
    exec 3>&-
    [[ $rc == "$want" ]] || fail "SIG$first then SIG$second: exit status $rc, expected $want (128 + SIG$second)"
    echo "  SIG$first, then SIG$second while the first could not finish: exit status $rc"
done
echo "PASS"
