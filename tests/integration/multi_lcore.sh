#!/usr/bin/env bash
# Two TX and two RX lcores (three af_packet queue pairs, RX lcores polling two queues and one):
# the permutation split between senders and the replies fanned out over queues still give
# exactly the ground truth, and every probe left on the link. At 50 kpps: on two CPUs six lcores
# share them, so this checks correctness, not speed (on a failure lib.sh prints every hop's counters).
source "$(dirname "$0")/lib.sh"
testbed_up
scan -r 50000 -c 2 -q --tx-cores 2 --rx-cores 2 --output-filter "repeat = 0" \
    -f saddr,probe_daddr,type,code,repeat -o "$WORK/results.csv" -m "$WORK/meta.json" "$ICS_SCAN_RANGE"
python3 "$SRC/tests/integration/check_scan.py" "$WORK/results.csv" "$ICS_TESTBED_STATE/ground-truth.tsv" \
    "$ICS_SCAN_RANGE"
python3 "$SRC/tests/integration/hop_counters.py" left "$WORK/hops.before" "$WORK/hops.after" "$WORK/meta.json"
python3 - "$WORK/meta.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["senders"] == 2 and m["receivers"] == 2 and m["completed"], m
print(f"  2 TX + 2 RX lcores: sent {m['packets_sent']} at {m['achieved_rate']:.0f} pps")
PY
echo "PASS"
