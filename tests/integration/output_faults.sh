#!/usr/bin/env bash
# A write that fails during the run (docs/usage.md, "Stopping and exit status": output write errors
# are runtime failures, exit 1): -o on a 64 KiB tmpfs that 16,384 rows of every field fill early
# in the scan, and -o - into a pipe whose reader leaves after 1,000 bytes. Each run exits 1 with
# one sentence naming the file, and the metadata (-m, on a disk with room) is still written whole:
# what was sent and received is known even though the rows were not all written.
source "$(dirname "$0")/lib.sh"
testbed_up
mkdir "$WORK/small"
mount -t tmpfs -o size=64k,mode=0755 ics-small "$WORK/small"
# The tmpfs goes before lib.sh's cleanup removes $WORK (which keeps the test's exit status).
trap 'rc=$?; umount "$WORK/small" 2>/dev/null; set +e; (exit $rc); cleanup' EXIT
failed=()

check_failed_run() {  # name rc stderr-file metadata-file expected-sentence
    local name=$1 rc=$2 err=$3 meta=$4 want=$5
    if [[ $rc != 1 ]]; then
        echo "FAIL: $name: exit status $rc, want 1"; failed+=("$name"); return
    fi
    if [[ $(wc -l < "$err") != 1 || $(cat "$err") != *"$want"* ]]; then
        echo "FAIL: $name: stderr is not one sentence naming the file: $(cat "$err")"; failed+=("$name"); return
    fi
    if ! python3 - "$meta" <<'PY'; then
import json, sys
try:
    m = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    sys.exit(f"FAIL: no whole metadata file after the write failure: {e}")
if not m.get("packets_sent"):
    sys.exit(f"FAIL: the metadata does not say what was sent: {m.get('packets_sent')}")
print(f"  metadata written: {m['packets_sent']} probes sent, {m['validation_passed']} valid replies")
PY
        failed+=("$name: metadata"); return
    fi
    echo "  $name: exit status 1, '$(cat "$err")'"
}

rc=0
scan -q -r 50000 -c 1 --output-filter "" -f '*' -o "$WORK/small/rows.csv" -m "$WORK/full.json" 198.18.0.0/18 \
    2> "$WORK/full.err" || rc=$?
(( $(df --output=avail "$WORK/small" | tail -1) == 0 )) || fail "the 64 KiB tmpfs did not fill: the test is void"
check_failed_run "disk full" "$rc" "$WORK/full.err" "$WORK/full.json" \
    "writing the results to '$WORK/small/rows.csv' failed"

set +o pipefail
scan -q -r 50000 -c 1 --output-filter "" -f '*' -o - -m "$WORK/pipe.json" 198.18.0.0/18 2> "$WORK/pipe.err" \
    | head -c 1000 > /dev/null
rc=${PIPESTATUS[0]}
set -o pipefail
check_failed_run "closed pipe" "$rc" "$WORK/pipe.err" "$WORK/pipe.json" "writing the results to '-' failed"

(( ${#failed[@]} == 0 )) || fail "${failed[*]}"
echo "PASS"
