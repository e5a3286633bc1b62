#!/usr/bin/env bash
# Files that fail during the run (docs/usage.md, "Stopping and exit status"), in every mode: each
# run exits 1 with one sentence naming the file and why, ends on its own (every run is bounded by
# ICS_SCAN_LIMIT; running out of it fails the case), and leaves the metadata (-m, on a disk with
# room) whole, saying what was sent and received and what failed (output_error). A write that
# fails during the run also ends sending (stop_reason output_error): checked where the run would
# otherwise go on for long (a slow scan, monitor mode without --count).
#   scan:    -o on a 64 KiB tmpfs the rows fill, -o /dev/full, -o - into a pipe whose reader leaves,
#            -o FILE removed while the scan sends, and -m /dev/full (the rows file still complete)
#   trace:   -o (paths) and --replies-file on /dev/full, -o - into a closed pipe
#   monitor: -o (summaries), --replies-file and -u on /dev/full, -o - into a closed pipe
source "$(dirname "$0")/lib.sh"
testbed_up
# Every run here takes seconds; one still going after 30 s hangs (timeout then exits 124).
export ICS_SCAN_LIMIT=30
mkdir "$WORK/small"
mount -t tmpfs -o size=64k,mode=0755 ics-small "$WORK/small"
# The tmpfs goes before lib.sh's cleanup removes $WORK (which keeps the test's exit status).
trap 'rc=$?; umount "$WORK/small" 2>/dev/null; set +e; (exit $rc); cleanup' EXIT
failed=()

# check_failed_run NAME RC SENTENCE [STOP_REASON]: exit 1 (124: the run hung), stderr
# ($WORK/NAME.err) one line holding SENTENCE, the metadata ($WORK/NAME.json) whole with probes
# sent, its output_error holding SENTENCE's start and, if given, that stop reason (and completed
# only for "completed").
check_failed_run() {
    local name=$1 rc=$2 want=$3 stop=${4:-} err=$WORK/$1.err
    if [[ $rc == 124 ]]; then
        echo "FAIL: $name: the run did not end within $ICS_SCAN_LIMIT s"; failed+=("$name"); return
    fi
    if [[ $rc != 1 ]]; then
        echo "FAIL: $name: exit status $rc, want 1: $(cat "$err")"; failed+=("$name"); return
    fi
    if [[ $(wc -l < "$err") != 1 || $(cat "$err") != *"$want"* ]]; then
        echo "FAIL: $name: stderr is not one sentence with \"$want\": $(cat "$err")"; failed+=("$name"); return
    fi
    if ! python3 - "$name" "$WORK/$name.json" "$want" "$stop" <<'PY'; then
import json, sys
name, path, want, stop = sys.argv[1:]
try:
    m = json.load(open(path))
except (OSError, ValueError) as e:
    sys.exit(f"FAIL: {name}: no whole metadata file after the write failure: {e}")
if not m.get("packets_sent") or "validation_passed" not in m:
    sys.exit(f"FAIL: {name}: the metadata does not say what was sent and received: {m.get('packets_sent')}")
if want.split(" (")[0] not in (m.get("output_error") or ""):
    sys.exit(f"FAIL: {name}: the metadata's output_error {m.get('output_error')!r} does not say {want!r}")
if stop and (m["stop_reason"] != stop or m["completed"] != (stop == "completed")):
    sys.exit(f"FAIL: {name}: stop_reason {m['stop_reason']!r}, completed {m['completed']}: want {stop!r}")
print(f"  {name}: metadata written: {m['packets_sent']} of {m['packets_planned']} probes sent, "
      f"{m['validation_passed']} valid replies, stop_reason {m['stop_reason']}")
PY
        failed+=("$name: metadata"); return
    fi
    echo "  $name: exit status 1, '$(cat "$err")'"
}

# run_case NAME SCAN-ARGS...: a run with its stderr and metadata under NAME; sets rc.
run_case() {
    local name=$1
    shift
    rc=0
    scan -q "$@" -m "$WORK/$name.json" 2> "$WORK/$name.err" || rc=$?
}
# piped_case NAME SCAN-ARGS...: the same with -o - into a reader that leaves at once.
piped_case() {
    local name=$1
    shift
    set +o pipefail
    scan -q "$@" -o - -m "$WORK/$name.json" 2> "$WORK/$name.err" | true
    rc=${PIPESTATUS[0]}
    set -o pipefail
}

echo "scan"
all=(--output-filter "" -f '*' 198.18.0.0/18)
run_case tmpfs -r 50000 -c 1 "${all[@]}" -o "$WORK/small/rows.csv"
(( $(df --output=avail "$WORK/small" | tail -1) == 0 )) || fail "the 64 KiB tmpfs did not fill: the test is void"
check_failed_run tmpfs "$rc" "writing the results to '$WORK/small/rows.csv' failed (No space left on device)"
# 16,384 probes take 0.8 s at 20,000 a second: the first block of rows fails long before.
run_case full -r 20000 -c 1 "${all[@]}" -o /dev/full
check_failed_run full "$rc" "writing the results to '/dev/full' failed (No space left on device)" output_error

set +o pipefail
scan -q -r 20000 -c 1 "${all[@]}" -o - -m "$WORK/pipe.json" 2> "$WORK/pipe.err" | head -c 1000 > /dev/null
rc=${PIPESTATUS[0]}
set -o pipefail
check_failed_run pipe "$rc" "writing the results to '-' failed (Broken pipe)" output_error

# -o FILE removed while the scan sends (3.3 s at 5,000 a second): writes into it still succeed,
# so only the end of the run can tell; the scan runs to its end and then fails.
rm -f "$WORK/gone.csv"
scan_bg -q -r 5000 -c 1 -o "$WORK/gone.csv" -m "$WORK/gone.json" 198.18.0.0/18 2> "$WORK/gone.err"
wait_until 30 "the rows file" test -e "$WORK/gone.csv"
sleep 0.5
rm "$WORK/gone.csv"
rc=0
wait "$SCAN_JOB" || rc=$?
SCAN_JOB=
check_failed_run gone "$rc" "'$WORK/gone.csv' was removed during the run" completed

# -m /dev/full: the metadata cannot be written, the rows are all there (as many as the -u file's
# last row says were received).
rc=0
scan -q -r 50000 -c 1 --output-filter "" -o "$WORK/kept.csv" -u "$WORK/kept.status" -m /dev/full 198.18.0.0/24 \
    2> "$WORK/meta.err" || rc=$?
if [[ $rc != 1 || $(wc -l < "$WORK/meta.err") != 1 ||
    $(cat "$WORK/meta.err") != *"cannot write the metadata file '/dev/full': No space left on device"* ]]; then
    echo "FAIL: -m /dev/full: exit status $rc, stderr: $(cat "$WORK/meta.err")"; failed+=("metadata full")
else
    rows=$(($(wc -l < "$WORK/kept.csv") - 1))
    received=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "recv_total") c = i } END { print $c }' \
        "$WORK/kept.status")
    if ((rows <= 0 || rows != received)); then
        echo "FAIL: -m /dev/full: $rows rows, $received replies received"; failed+=("metadata full: rows")
    else
        echo "  metadata full: exit status 1, '$(cat "$WORK/meta.err")'; all $rows rows written"
    fi
fi

echo "trace"
trace=(-M trace --max-ttl 8 -r 20000 -c 1 198.18.1.0/24)
run_case trace_full "${trace[@]}" -o /dev/full --replies-file "$WORK/trace.csv"
check_failed_run trace_full "$rc" "writing the paths to '/dev/full' failed (No space left on device)"
run_case trace_replies_full "${trace[@]}" -o "$WORK/paths.jsonl" --replies-file /dev/full
check_failed_run trace_replies_full "$rc" "writing the results to '/dev/full' failed (No space left on device)"
piped_case trace_pipe "${trace[@]}" --replies-file "$WORK/trace.csv"
check_failed_run trace_pipe "$rc" "writing the paths to '-' failed (Broken pipe)"

echo "monitor (no --count: only the failure ends it)"
monitor=(-M monitor --period 200ms --count 0 --timeout 300ms -Q 200ms 198.18.1.0/24)
run_case monitor_full "${monitor[@]}" -o /dev/full
check_failed_run monitor_full "$rc" "writing the monitor summaries to '/dev/full' failed (No space left on device)" \
    output_error
piped_case monitor_pipe "${monitor[@]}"
check_failed_run monitor_pipe "$rc" "writing the monitor summaries to '-' failed (Broken pipe)" output_error
run_case monitor_replies_full "${monitor[@]}" -o "$WORK/summaries.jsonl" --replies-file /dev/full
check_failed_run monitor_replies_full "$rc" "writing the results to '/dev/full' failed (No space left on device)" \
    output_error
run_case monitor_status_full "${monitor[@]}" -o "$WORK/summaries.jsonl" -u /dev/full
check_failed_run monitor_status_full "$rc" \
    "writing the status updates to '/dev/full' failed (No space left on device)" output_error

(( ${#failed[@]} == 0 )) || fail "${failed[*]}"
echo "PASS"
