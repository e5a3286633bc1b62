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
# A run marked quiet: runs once nothing is left in the background (the builds below, the idle
# runs). The rtt suite compares our RTTs with ping's and fping's, measured one after the other, and
# work at idle priority beside one run and not the other still slows the kernel's forwarding in
# it: with two idle busy loops our least RTT of ten rose from 16 to 38 us here, and beside the
# sanitizer build monitor_vs_fping's came out 80 us long on CI. The other testbed tests check
# counts and paths, and leave the background builds most of the CPU (about 70 %).
all_runs="idle:build:lint build:unit,fuzz,dpdk,bench build:integration build:libfuzzer build-asan:unit,dpdk quiet:build:rtt"
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
# Builds in the background at SCHED_IDLE from the start, on the CPU the runs leave idle (the
# testbed's tests wait on timers and the network much of the time), never taking it from them: the
# sanitizer build (build-asan/), whose runs wait for it, and libFuzzer's (build-fuzz/,
# scripts/fuzz.sh --build-only), which a run of the libfuzzer suite waits for (that suite comes
# after the testbed's, so that the build has their idle CPU). Any quiet run waits for both.
declare -A background_builds=() built_status=()  # NAME -> PID; NAME -> exit status, once waited for
start_build() {  # NAME COMMAND...
    chrt --idle 0 "${@:2}" > "$logs/$1-build.log" 2>&1 &
    background_builds[$1]=$!
}
# Waits for a background build (once); its status (0 for one never started).
finish_build() {  # NAME
    if [[ -n ${background_builds[$1]:-} ]]; then
        wait "${background_builds[$1]}"
        built_status[$1]=$?
        unset "background_builds[$1]"
    fi
    return "${built_status[$1]:-0}"
}
if [[ " $runs" =~ [\ :]build-asan: ]]; then start_build asan scripts/build.sh --asan-only; fi
if [[ $runs == *libfuzzer* ]]; then start_build fuzz scripts/fuzz.sh --build-only; fi
idle_jobs=()  # PID:DIR:SUITES:LOGBASE of each idle run
# A run that ends early (an error, ^C) stops what runs in the background: ninja stops its
# compilers, meson its tests.
stop_background() {
    local job
    for job in "${background_builds[@]}"; do { pkill -TERM -P "$job"; kill "$job"; } 2>/dev/null; done
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
        finish_build asan
        finish_build fuzz
        finish_idle_runs
    fi
    dir=${spec%%:*}
    suites=${spec#*:}
    if [[ $dir == build-asan ]] && ! finish_build asan; then
        cat "$logs/asan-build.log" >&2  # its suites cannot run; the others' summary still comes
        echo "the sanitizer build failed: $spec not run" >&2
        status=1
        continue
    fi
    # A failed fuzz build is the libfuzzer test's to report: fuzz.sh --ci builds again and says why.
    if [[ $suites == *libfuzzer* ]]; then finish_build fuzz; fi
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
