#!/usr/bin/env bash
# The test command (README, CI): installs what is missing, builds, and runs every test: engine
# unit and fuzz tests (also under ASan + UBSan), the binary on virtual devices, the namespace
# testbed integration tests, each benchmark once, and the linters. Ends with "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/as-root.sh"
cd "$(dirname "$0")/.."
# Installs what is missing, then stops with one sentence if a program the tests call is not on the PATH.
scripts/install-deps.sh || exit 1
scripts/build.sh --asan || { echo "build failed" >&2; exit 1; }
scripts/setup-hugepages.sh || echo "continuing without hugepages: the tests fall back to --no-huge"

status=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
run() {  # build-dir, suites...
    local dir=$1; shift
    local args=()
    for s in "$@"; do args+=(--suite "$s"); done
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
        meson test -C "$dir" --print-errorlogs --num-processes 2 "${args[@]}" || status=1
    cp "$dir/meson-logs/testlog.json" "$logs/$(ls "$logs" | wc -l).json"
}
run build-asan unit fuzz
run build unit fuzz dpdk bench lint
run build integration

# One closing line over every test that ran.
python3 - "$logs"/*.json <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"): passed += 1
        elif r == "SKIP": skipped += 1
        else: failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
