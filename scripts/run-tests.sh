#!/usr/bin/env bash
# The test command (README, CI): installs what is missing, builds, and runs every test: engine
# unit tests, fuzzing (bounded mutations, and each target 20 s under libFuzzer with ASan + UBSan),
# the binary and the driver loops on virtual devices (these two suites also under ASan + UBSan; the
# lcores' handoffs under TSan), the namespace testbed integration tests, each benchmark once, the
# linters. Ends with the closing summary of
# scripts/test-summary.py: every skipped test by name, then "N passed, N failed, N skipped ...".
# It fails on a failed test, on a suite that registered no test, on a run that wrote no log, and on
# a skip that tests/expected-skips does not declare for this machine.
#
# ICS_TEST_RUNS (for working on the runner itself) replaces the list of runs, e.g.
# "build:unit,fuzz"; the closing line then says PARTIAL. CI unsets it (.ci/run).
set -uo pipefail
source "$(dirname "$0")/as-root.sh"
cd "$(dirname "$0")/.."
# A run marked idle: runs in the background at SCHED_IDLE from the start (lint: clang-tidy's minutes
# of CPU, which need no timing), on the CPU the other runs leave idle; the rest run in order.
# A run marked quiet: runs once nothing is left in the background (the sanitizer build, the idle
# runs). The rtt suite compares our RTTs with ping's and fping's, measured one after the other, and
# work at idle priority beside one run and not the other still slows the kernel's forwarding in
# it: with two idle busy loops our least RTT of ten rose from 16 to 38 us here, and beside the
# sanitizer build monitor_vs_fping's came out 80 us long on CI. The other testbed tests check
# counts and paths, and leave that build most of the CPU (about 70 %).
all_runs="idle:build:lint build:unit,fuzz,libfuzzer,dpdk,bench build:integration build-asan:unit,dpdk quiet:build:rtt"
runs=${ICS_TEST_RUNS:-$all_runs}
# Installs what is missing, then stops with one sentence if a program the tests call is not on the PATH.
scripts/install-deps.sh || exit 1
# Without libdpdk meson would leave out the dpdk, lint, integration and bench suites (the
# summary catches that too, after the build; this says why at once).
if ! pkg-config --exists libdpdk; then
    echo "pkg-config finds no libdpdk, which the dpdk, lint, integration and bench tests need: install libdpdk-dev (scripts/install-deps.sh) or fix PKG_CONFIG_PATH" >&2
    exit 1
fi
scripts/build.sh || { echo "build failed" >&2; exit 1; }
scripts/setup-hugepages.sh || echo "continuing without hugepages: the tests fall back to --no-huge"

status=0
logs=$(mktemp -d)
# The sanitizer build compiles while build/'s tests run, at SCHED_IDLE: on the CPU those tests leave
# idle, never taking it from them. Its runs and any quiet run wait for it.
asan_build=
if [[ " $runs" =~ \ (quiet:)?build-asan: ]]; then
    chrt --idle 0 scripts/build.sh --asan-only > "$logs/asan-build.log" 2>&1 &
    asan_build=$!
fi
asan_built=0  # the sanitizer build's exit status, once waited for
# Waits for the sanitizer build (once); its status.
finish_asan_build() {
    if [[ -n $asan_build ]]; then
        wait "$asan_build"
        asan_built=$?
        asan_build=
    fi
    return "$asan_built"
}
idle_jobs=()  # PID:DIR:SUITES:LOGBASE of each idle run
# A run that ends early (an error, ^C) stops what runs in the background: ninja stops its
# compilers, meson its tests.
stop_background() {
    local job
    [[ -n $asan_build ]] && { pkill -TERM -P "$asan_build"; kill "$asan_build"; } 2>/dev/null
    for job in "${idle_jobs[@]}"; do kill "${job%%:*}" 2>/dev/null; done
    rm -rf "$logs"
}
trap stop_background EXIT
summary_args=()
# Keeps what a run wrote (LOG, meson-logs/LOGBASE.json) and what the build registered, for the
# summary, which checks one against the other.
keep_run_logs() {  # DIR SUITES LOGBASE
    local run_dir=$logs/${#summary_args[@]}
    mkdir "$run_dir"
    if [[ -f $1/meson-logs/$3.json ]]; then mv "$1/meson-logs/$3.json" "$run_dir/testlog.json"; fi
    meson introspect "$1" --tests > "$run_dir/tests.json" || status=1
    summary_args+=("$1:$2:$run_dir")
}
# The arguments of `meson test` for a run: DIR LOGBASE SUITES (each suite, and the log's name).
meson_args() {
    local s
    printf '%s\n' -C "$1" --print-errorlogs --num-processes 2 --logbase "$2"
    for s in ${3//,/ }; do printf '%s\n' --suite "$s"; done
}
# Waits for the idle runs and keeps their results (shown after those of the runs in order they
# ran beside).
finish_idle_runs() {
    local job pid dir suites base
    for job in "${idle_jobs[@]}"; do
        IFS=: read -r pid dir suites base <<< "$job"
        wait "$pid" || status=1
        cat "$logs/$base.out"
        keep_run_logs "$dir" "$suites" "$base"
    done
    idle_jobs=()
}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1
for spec in $runs; do  # [idle:]build-dir:suite,suite...
    if [[ $spec == idle:* ]]; then
        spec=${spec#idle:}
        base=idle${#idle_jobs[@]}
        rm -f "${spec%%:*}/meson-logs/$base.json"
        mapfile -t args < <(meson_args "${spec%%:*}" "$base" "${spec#*:}")
        # meson itself is the job (chrt execs it), so the EXIT trap's TERM reaches it and it stops
        # its tests. No rebuild: the build is done, and the runs in order rebuild in the directory.
        chrt --idle 0 meson test "${args[@]}" --no-rebuild > "$logs/$base.out" 2>&1 &
        idle_jobs+=("$!:${spec%%:*}:${spec#*:}:$base")
        continue
    fi
    if [[ $spec == quiet:* ]]; then
        spec=${spec#quiet:}
        finish_asan_build
        finish_idle_runs
    fi
    dir=${spec%%:*}
    suites=${spec#*:}
    if [[ $dir == build-asan ]] && ! finish_asan_build; then
        cat "$logs/asan-build.log" >&2  # its suites cannot run; the others' summary still comes
        echo "the sanitizer build failed: $spec not run" >&2
        status=1
        continue
    fi
    rm -f "$dir/meson-logs/testlog.json"  # the log this run writes, never one an earlier run left
    mapfile -t args < <(meson_args "$dir" testlog "$suites")
    meson test "${args[@]}" || status=1
    keep_run_logs "$dir" "$suites" testlog
done
finish_idle_runs

python3 scripts/test-summary.py tests/expected-skips "${summary_args[@]}" || status=1
if [[ $runs != "$all_runs" ]]; then
    echo "PARTIAL RUN: ICS_TEST_RUNS=$runs, not every suite ran"
fi
exit $status
