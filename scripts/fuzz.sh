#!/usr/bin/env bash
# Coverage-guided fuzzing with clang's libFuzzer, under ASan and UBSan, of everything that parses
# packets or input: the reply parser and the probes' decoders, target and label files, output
# filters (tests/fuzz/*_fuzz.cpp; each also checks properties of what it parsed, not only that it
# did not crash). Each target starts from its corpus kept in the repository, tests/fuzz/corpus/
# TARGET: the seeds its fuzz_seeds() gives (tests/fuzz/mutation_driver.cpp --write-seeds) and the
# inputs earlier runs found that add coverage.
#
#   scripts/fuzz.sh [--ci] [--runs N] [SECONDS] [TARGET...]
#
#   SECONDS     per target (default 60; --ci: 20); --runs N: N executions per target instead, or
#               with SECONDS too, whichever comes first (a long run that must end by a given time
#               still stops on its own and merges what it found)
#   --ci        the test command's form: two targets at a time, each on a copy of its corpus (the
#               repository stays as it is); fails on a finding, and on a target that did not load
#               its whole corpus or ran nothing
#   otherwise   one target at a time; the inputs a run found that add coverage are merged into
#               tests/fuzz/corpus/TARGET (libFuzzer -merge=1), ready to be committed
#
# Inputs are capped per target (-max_len, max_len_of below) at what the parsed thing can sensibly be:
# an Ethernet frame up to 1514 bytes; a filter up to 512 bytes of row and text (a filter's text of
# some 440 characters); target and label files up to 1024 bytes (some 50 lines); checkpoints up to
# 2048 bytes (a header of some 750 and a monitor's table of a few targets). Longer inputs add no
# code paths, only time per execution.
#
# Builds into build-fuzz/ with ninja (of the engine only the sources the targets need,
# scripts/fuzz_sources.py; compiled once, then only what changed; linked from
# an archive, so a target carries only the engine objects it uses and libFuzzer scans only their
# coverage counters after each execution). Prints
# per target: executions, executions a second, coverage (edges), corpus size, findings. A finding
# is saved as build-fuzz/findings/TARGET/crash-*; make it a unit test (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ci=0 runs= seconds= seconds_given=0
targets=()
while (($#)); do
    case $1 in
        --ci) ci=1 ;;
        --runs) runs=${2:-}; shift ;;
        [0-9]*) seconds=$1 seconds_given=1 ;;
        *_fuzz) targets+=("$1") ;;
        *) echo "fuzz.sh: unknown argument '$1': give --ci, --runs N, SECONDS or target names (*_fuzz)" >&2; exit 2 ;;
    esac
    shift
done
seconds=${seconds:-$((ci ? 20 : 60))}
for n in "$seconds" ${runs:+"$runs"}; do  # libFuzzer takes 0 as "no limit"
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: '$n' is not a count above 0: give SECONDS or --runs N as one" >&2; exit 2; }
done
((${#targets[@]})) || targets=(reply_parser_fuzz target_file_fuzz output_filter_fuzz monitor_targets_fuzz checkpoint_fuzz
    ipv6_target_fuzz)
for t in "${targets[@]}"; do
    [[ -f tests/fuzz/$t.cpp ]] || { echo "fuzz.sh: no fuzz target '$t': the targets are tests/fuzz/*_fuzz.cpp" >&2; exit 2; }
done
out=build-fuzz

# The build: one ninja file, rewritten each run (cheap), the objects kept.
write_ninja() {
    local flags="-std=c++20 -O1 -g1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -I../engine"
    {
        echo "flags = $flags"
        echo "rule cxx"
        echo "  command = clang++ \$flags -fsanitize=fuzzer-no-link -MD -MF \$out.d -c \$in -o \$out"
        echo "  depfile = \$out.d"
        echo "  deps = gcc"
        echo "rule archive"
        echo "  command = rm -f \$out && ar rcs \$out \$in"
        echo "rule link"
        echo "  command = clang++ \$flags -fsanitize=fuzzer \$in -o \$out -lfmt"
        local objs=() src
        for src in $(python3 scripts/fuzz_sources.py "${targets[@]}"); do
            echo "build obj/${src%.cpp}.o: cxx ../$src"
            objs+=("obj/${src%.cpp}.o")
        done
        echo "build obj/engine.a: archive ${objs[*]}"
        for t in "${targets[@]}"; do
            echo "build obj/$t.o: cxx ../tests/fuzz/$t.cpp"
            echo "build $t: link obj/$t.o obj/engine.a"
        done
    } > "$out/build.ninja"
}
mkdir -p "$out/logs"
write_ninja
ninja -C "$out" -j2 --quiet "${targets[@]}" > "$out/logs/build.log" 2>&1 || { cat "$out/logs/build.log" >&2; exit 1; }

# The longest input libFuzzer makes for a target (see the top of this file).
max_len_of() {
    case $1 in
        reply_parser_fuzz) echo 1514 ;;
        output_filter_fuzz) echo 512 ;;
        checkpoint_fuzz) echo 2048 ;;
        *) echo 1024 ;;
    esac
}

# Runs one target; prints its line; returns libFuzzer's status, or 3 if the run is void.
fuzz_one() {
    local t=$1 corpus=tests/fuzz/corpus/$1 work=$out/work/$1 log=$out/logs/$1.log
    # libFuzzer's -timeout is wall time: a run at idle priority (chrt --idle 0) on a busy machine can
    # wait minutes for a CPU, and 10 s then reported an input that runs in 3 ms as a hang. --ci:
    # 120 s, so that a real hang still ends as a finding (saved and reported) well within the meson
    # test's timeout.
    local files limit=(-max_total_time="$seconds") timeout=$((ci ? 120 : 600))
    [[ -n $runs ]] && limit=(-runs="$runs")
    [[ -n $runs ]] && ((seconds_given)) && limit+=(-max_total_time="$seconds")
    rm -rf "$work" && mkdir -p "$work/new" "$out/logs" "$out/findings/$t"
    files=$(find "$corpus" -type f | wc -l)
    if ((ci)); then cp -r "$corpus/." "$work/new/"; fi
    local rc=0
    "$out/$t" "${limit[@]}" -max_len="$(max_len_of "$t")" -timeout="$timeout" -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/findings/$t/" "$work/new" $( ((ci)) || echo "$corpus") > "$log" 2>&1 || rc=$?
    python3 - "$t" "$log" "$files" "$rc" <<'PY' || return $?
import re, sys
t, log, files, rc = sys.argv[1], open(sys.argv[2], errors="replace").read(), int(sys.argv[3]), int(sys.argv[4])
stat = dict(re.findall(r"^stat::(\w+):\s+(\d+)", log, re.M))
cov = re.findall(r"cov: (\d+) ft: \d+ corp: (\d+)", log)
seen = re.search(r"INFO: seed corpus: files: (\d+)", log)
loaded = int(seen[1]) if seen else 0
execs, rate = int(stat.get("number_of_executed_units", 0)), int(stat.get("average_exec_per_sec", 0))
edges, corp = (cov[-1] if cov else ("0", "0"))
print(f"  {t}: {execs} executions ({rate}/s), {edges} edges covered, corpus {corp} inputs "
      f"(from {loaded} files), {'no finding' if rc == 0 else 'A FINDING (exit ' + str(rc) + ')'}")
if rc != 0:
    print("\n".join(log.splitlines()[-25:]))
    sys.exit(rc)
if execs == 0 or loaded < files:
    print(f"  {t}: void run: {execs} executions, {loaded} of {files} corpus files loaded")
    sys.exit(3)
PY
    if ((!ci)); then  # keep what added coverage: a minimised merge into the repository's corpus
        "$out/$t" -merge=1 "$corpus" "$work/new" >> "$log" 2>&1
    fi
}

if [[ -n $runs ]]; then limit="$runs executions"; else limit="$seconds s"; fi
if [[ -n $runs ]] && ((seconds_given)); then limit="$runs executions or $seconds s"; fi
echo "fuzzing ${targets[*]}: $limit each (ASan, UBSan)"
status=0
if ((ci)); then
    pids=()
    for t in "${targets[@]}"; do
        fuzz_one "$t" > "$out/logs/$t.line" 2>&1 &
        pids+=($!)
        if ((${#pids[@]} == 2)); then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
    done
    for p in "${pids[@]}"; do wait "$p" || status=1; done
    for t in "${targets[@]}"; do  # a lane that died before its line says so
        [[ -s $out/logs/$t.line ]] && cat "$out/logs/$t.line" || echo "  $t: the run failed before it could report"
    done
else
    for t in "${targets[@]}"; do fuzz_one "$t" || status=1; done
fi
exit $status
