#!/usr/bin/env bash
# Coverage-guided fuzzing with clang's libFuzzer (plus ASan and UBSan) of everything that parses
# packets or input: the reply parser and probe decoder, target/blocklist files, output filters.
#   scripts/fuzz.sh [SECONDS per target, default 60]
# CI runs the same targets through the bounded mutation driver (meson suite 'fuzz'); this script
# is for longer, coverage-guided runs. Corpora are kept in build-fuzz/corpus/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=build-fuzz
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Iengine)
engine_sources=$(git ls-files 'engine/*.cpp')
for target in reply_parser_fuzz target_file_fuzz output_filter_fuzz; do
    # The seeds function is linked in but unused here; libFuzzer starts from the corpus.
    clang++ "${flags[@]}" "tests/fuzz/$target.cpp" $engine_sources -lfmt -o "$out/$target"
    mkdir -p "$out/corpus/$target"
    echo "fuzzing $target for $seconds s"
    "$out/$target" -max_total_time="$seconds" -print_final_stats=1 "$out/corpus/$target" 2>&1 | tail -4
done
