#!/usr/bin/env bash
# A trace resumed after a crash (issue 15): a trace of 4,096 targets at TTLs 1-8 keeping a
# checkpoint is killed with SIGKILL once it covers a quarter of its probes; --resume finishes it.
# A trace writes its paths only at its end, so the killed run wrote none: the resumed run reads the
# hops back from the journal beside the checkpoint (CK.hops) and writes every path, which must
# equal the testbed's truth as an uninterrupted trace's do. The resumed run sends exactly what the
# checkpoint left; the probes sent twice are printed with their bound (check_trace_resume.py).
# Resumes of other TTLs or order, a scan's resume of it and a cut journal are refused with one
# sentence and exit 2, and leave the checkpoint and its journal as they were.
source "$(dirname "$0")/lib.sh"
testbed_up
rate=8000
range=198.18.0.0/20
truth=$ICS_TESTBED_STATE/trace-truth.tsv
args=(-M trace --max-ttl 8 -r "$rate" -c 1 -q "$range")
scan -e 4242 "${args[@]}" -o "$WORK/whole.jsonl" 2> "$WORK/whole-stderr" ||
    fail "the uninterrupted trace failed: $(tail -3 "$WORK/whole-stderr")"
python3 "$SRC/tests/integration/check_trace.py" "$WORK/whole.jsonl" "$truth" "$range"

kill_at_checkpoint "$WORK/ck.json" 8192 "$WORK/first-stderr" -e 4242 "${args[@]}" --checkpoint "$WORK/ck.json" \
    -o "$WORK/first.jsonl"
cp "$WORK/ck.json" "$WORK/ck-at-kill.json"
cp "$WORK/ck.json.hops" "$WORK/hops-at-kill"

# Refused before anything is sent: each a sentence and exit 2.
refused "a trace of --min-ttl 1 --max-ttl 8 --trace-order random: give the same" --resume "$WORK/ck.json" \
    -M trace --max-ttl 9 -r "$rate" "$range"
refused "a trace of --min-ttl 1 --max-ttl 8 --trace-order random: give the same" --resume "$WORK/ck.json" \
    -M trace --max-ttl 8 --trace-order ttl -r "$rate" "$range"
refused "is a checkpoint of a trace run, not of -M scan" --resume "$WORK/ck.json" -r "$rate" "$range"
cp "$WORK/ck.json" "$WORK/cut.json"
head -c 100 "$WORK/ck.json.hops" > "$WORK/cut.json.hops"
refused "bytes of the trace's hops --resume '$WORK/cut.json' names from '$WORK/cut.json.hops' (it is shorter)" \
    --resume "$WORK/cut.json" "${args[@]}"
cmp -s "$WORK/ck.json" "$WORK/ck-at-kill.json" && cmp -s "$WORK/ck.json.hops" "$WORK/hops-at-kill" ||
    fail "a refused resume changed the checkpoint or its journal"

scan --resume "$WORK/ck.json" "${args[@]}" -o "$WORK/second.jsonl" -m "$WORK/second.json" \
    2> "$WORK/second-stderr" || fail "the resumed trace failed: $(tail -3 "$WORK/second-stderr")"
refused "that trace is complete" --resume "$WORK/ck.json" "${args[@]}"
python3 "$SRC/tests/integration/check_trace.py" "$WORK/second.jsonl" "$truth" "$range"
python3 "$SRC/tests/integration/check_trace_resume.py" "$WORK/ck-at-kill.json" "$WORK/ck.json" "$WORK/second.json" \
    "$KILLED_FRAMES" "$rate" 1 1 "$WORK/first.jsonl" "$WORK/ck.json.hops"
echo "PASS"
