#!/usr/bin/env bash
# Monitor mode resumes its counters after a crash (issue 15): a monitor of 272 targets (198.18.0.0/24,
# whose 198.18.0.13 never answers, and 198.18.7.0/28, which never answers: the testbed's ground
# truth) for 40 rounds of 200 ms, keeping a checkpoint, is killed with SIGKILL once the checkpoint
# holds 12 rounds; --resume runs the rest. check_monitor_resume.py checks that the resumed run's
# counters go on from the checkpoint's, target by target (fping's lines, the metadata's figures,
# the last checkpoint), that its rounds number on from the next -Q period, and that the dead
# targets' outages go on without a second down event. A resume with other targets or other groups,
# and one of a finished monitor, are refused with one sentence and exit 2.
source "$(dirname "$0")/lib.sh"
testbed_up
targets=(198.18.0.0/24 198.18.7.0/28)
args=(-M monitor --period 200ms --count 40 --timeout 500ms -Q 1s --checkpoint-interval 0.5)
# The header's next round (the file is the checkpoint's JSON, then its table of targets).
next_round() {
    python3 -c 'import json,sys; t=open(sys.argv[1]).read(); print(json.loads(t[:t.index("\n}\n")+3])["monitor"]["next_round"])' \
        "$1" 2>/dev/null
}
holds_rounds() { local n; n=$(next_round "$1") && ((n >= $2)); }

scan_bg "${args[@]}" --checkpoint "$WORK/ck" -o "$WORK/first.jsonl" "${targets[@]}" 2> "$WORK/first-stderr"
wait_until 60 "a checkpoint of 12 rounds" holds_rounds "$WORK/ck" 12
signal_scan KILL
wait "$SCAN_JOB" && fail "the killed monitor exited 0"
SCAN_JOB=
cp "$WORK/ck" "$WORK/ck-at-kill"

refused "the targets are not those" "${args[@]}" --resume "$WORK/ck" 198.18.0.0/24
refused "the targets' groups are not those" "${args[@]}" --group-by 16 --resume "$WORK/ck" "${targets[@]}"
cmp -s "$WORK/ck" "$WORK/ck-at-kill" || fail "a refused resume changed the checkpoint"

scan "${args[@]}" --resume "$WORK/ck" -o "$WORK/second.jsonl" -m "$WORK/second.json" "${targets[@]}" \
    2> "$WORK/second-stderr" || fail "the resumed monitor failed: $(tail -3 "$WORK/second-stderr")"
refused "that monitor is complete" "${args[@]}" --resume "$WORK/ck" "${targets[@]}"
python3 "$SRC/tests/integration/check_monitor_resume.py" "$WORK/ck-at-kill" "$WORK/ck" "$WORK/first.jsonl" \
    "$WORK/second.jsonl" "$WORK/second.json" "$WORK/second-stderr" 40 5 "$ICS_TESTBED_STATE/ground-truth.tsv" \
    "${targets[@]}"
echo "PASS"
