#!/usr/bin/env bash
# Lint: clang-format (the style in .clang-format) over every C++ file; clang-tidy (the checks in
# .clang-tidy, functions at most 80 lines among them) over engine/, drivers/ and apps/, headers
# included (scripts/lint-tidy.py); benchmarks report failed checks through bench_checks.hpp, never
# a bare SkipWithError (which leaves main's exit status 0); Python checks in tests, benchmarks and
# scripts never use `assert` (PYTHONOPTIMIZE removes it: the check would pass silently). Prints "lint: clean" and nothing else
# when all holds; otherwise what failed, and exits 1, also when clang-tidy itself cannot run.
# `lint.sh --fix` reformats in place. ICS_LINT_BUILD names the build directory (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${ICS_LINT_BUILD:-build}
files=$(git ls-files '*.cpp' '*.hpp')
if [[ ${1:-} == --fix ]]; then
    clang-format -i $files
    exit 0
fi
clang-format --dry-run --Werror $files
if bare=$(git grep -n 'SkipWithError' -- 'bench/*.cpp'); then
    echo "$bare"
    echo "lint: a benchmark calls SkipWithError itself: use fail_check or skip_unsupported (bench/bench_checks.hpp)"
    exit 1
fi
if asserts=$(git grep -nE '^\s*assert ' -- 'tests/*' 'bench/*' 'scripts/*'); then
    echo "$asserts"
    echo "lint: a Python check uses assert, which PYTHONOPTIMIZE removes: exit non-zero naming the values instead"
    exit 1
fi
[[ -f $build/compile_commands.json ]] || scripts/build.sh
python3 scripts/lint-tidy.py "$build"
echo "lint: clean"
