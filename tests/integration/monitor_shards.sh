#!/usr/bin/env bash
# Monitor mode split over hosts (issue 14: --shards N --shard I as in scan mode): shard 0 and shard 1
# of the same target list with the same seed, run one after the other on the testbed. Checked by
# check_monitor.py shards: each run's books agree with themselves, each shard's summarised targets
# are exactly as many as the engine says it probes (its start-up line and metadata) and are the ones
# engine/monitor/monitor_schedule.hpp assigns it (every second target in address order), and the two
# shards together cover every target once, with no target in both.
source "$(dirname "$0")/lib.sh"
testbed_up
args=()
for shard in 0 1; do
    scan -M monitor --period 200ms --count 3 --timeout 200ms -e 4242 --shards 2 --shard $shard \
        -o "$WORK/sum$shard.jsonl" -m "$WORK/meta$shard.json" 198.18.1.0/24 198.18.2.0/24 \
        2> "$WORK/stderr$shard.txt" || { cat "$WORK/stderr$shard.txt" >&2; fail "shard $shard failed"; }
    args+=("$WORK/sum$shard.jsonl" "$WORK/meta$shard.json" "$WORK/stderr$shard.txt")
done
python3 "$SRC/tests/integration/check_monitor.py" shards 198.18.1.0/24,198.18.2.0/24 "${args[@]}"
echo "PASS"
