#!/usr/bin/env bash
# Resume after a crash (issue 15): a scan of the testbed's range keeping a checkpoint is killed
# with SIGKILL once the checkpoint covers a quarter of it; --resume finishes it. The union of the
# two outputs must equal an uninterrupted scan with the same seed and the testbed's ground truth,
# the resumed run must send exactly what the checkpoint left, and the probes sent twice (the killed
# run's probes past its checkpoint, counted on the gateway's side of the link) are printed with
# the bound they are expected under. Resumes of another seed, target set, sender count or probe
# type, a damaged checkpoint and a completed one are refused with one sentence and exit 2.
source "$(dirname "$0")/lib.sh"
testbed_up
rate=4000
args=(-r "$rate" -c 1 -q --output-filter "repeat = 0" -f saddr,probe_daddr,type,code,repeat "$ICS_SCAN_RANGE")
scan -e 4242 "${args[@]}" -o "$WORK/whole.csv" -m "$WORK/whole.json" 2> "$WORK/whole-stderr" \
    || fail "the uninterrupted scan failed: $(tail -3 "$WORK/whole-stderr")"

# The frames the killed scan sent are counted where they arrive (the gateway's side of the link):
# probes and the ARP request for the gateway.
kill_at_checkpoint "$WORK/ck.json" 8000 "$WORK/first-stderr" -e 4242 "${args[@]}" --checkpoint "$WORK/ck.json" \
    -o "$WORK/first.csv"
cp "$WORK/ck.json" "$WORK/ck-at-kill.json"

# Refused before anything is sent: each a sentence and exit 2.
refused "-e/--seed 7 is not the seed" --resume "$WORK/ck.json" -e 7 "${args[@]}"
refused "the targets are not those" --resume "$WORK/ck.json" -r "$rate" -c 1 198.18.0.0/18
refused "give --tx-cores 1" --resume "$WORK/ck.json" --tx-cores 2 "${args[@]}"
refused "with -P 1 and no -n: give the same" --resume "$WORK/ck.json" -P 2 "${args[@]}"
head -c 100 "$WORK/ck.json" > "$WORK/damaged.json"
refused "is not a dpdk-icmpscan checkpoint" --resume "$WORK/damaged.json" "${args[@]}"
refused "is a checkpoint of a scan run, not of -M trace" -M trace --resume "$WORK/ck.json" -r "$rate" \
    "$ICS_SCAN_RANGE"
cmp -s "$WORK/ck.json" "$WORK/ck-at-kill.json" || fail "a refused resume changed the checkpoint"

# No -e: the seed comes from the checkpoint.
scan --resume "$WORK/ck.json" "${args[@]}" -o "$WORK/second.csv" -m "$WORK/second.json" \
    2> "$WORK/second-stderr" || fail "the resumed scan failed: $(tail -3 "$WORK/second-stderr")"
refused "that scan is complete" --resume "$WORK/ck.json" "${args[@]}"
python3 "$SRC/tests/integration/check_resume.py" "$WORK/whole.csv" "$WORK/first.csv" "$WORK/second.csv" \
    "$WORK/ck-at-kill.json" "$WORK/ck.json" "$WORK/second.json" "$KILLED_FRAMES" "$rate" 1 1 \
    > "$WORK/union.csv"
python3 "$SRC/tests/integration/check_scan.py" "$WORK/union.csv" "$ICS_TESTBED_STATE/ground-truth.tsv" \
    "$ICS_SCAN_RANGE"
echo "PASS"
