#!/usr/bin/env bash
# Lint: clang-format (the style in .clang-format) over every C++ file; clang-tidy (the checks in
# .clang-tidy, functions at most 80 lines among them) over engine/, drivers/ and apps/, headers
# included (scripts/lint-tidy.py); benchmarks report failed checks through bench_checks.hpp, never
# a bare SkipWithError (which leaves main's exit status 0); Python checks in tests, benchmarks and
# scripts never use `assert` (PYTHONOPTIMIZE removes it: the check would pass silently); a test
# that may skip runs as a meson test of its own. Ends with "lint: clean" when all holds (a missing
# build is built first); otherwise says what failed and exits 1, also when clang-tidy cannot run.
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
if asserts=$(git grep -nE '^\s*assert\b' -- 'tests/*' 'bench/*' 'scripts/*'); then
    echo "$asserts"
    echo "lint: a Python check uses assert, which PYTHONOPTIMIZE removes: exit non-zero naming the values instead"
    exit 1
fi
# A test that may skip runs as a meson test of its own (tests/unit/meson.build, unit_cpu_tests), so
# that the skip is reported by name; among other tests it would fail the run (or, in a program
# with its own main, pass unnoticed).
python3 - <<'PY'
import re, subprocess, sys
listed = open("tests/unit/meson.build").read()
bad = []
for path in subprocess.check_output(["git", "ls-files", "tests/*.cpp"], text=True).split():
    test = None
    for n, line in enumerate(open(path), 1):
        if m := re.match(r"TEST(?:_F|_P)?\((\w+), (\w+)\)", line):
            test = f"{m[1]}.{m[2]}"
        if "GTEST_SKIP()" in line and (test is None or f"'{test}'" not in listed):
            bad.append(f"{path}:{n}: {test} may skip but is not in unit_cpu_tests (tests/unit/meson.build)")
if bad:
    sys.exit("\n".join(bad + ["lint: a test that may skip must run as a meson test of its own"]))
PY
[[ -f $build/compile_commands.json ]] || scripts/build.sh
python3 scripts/lint-tidy.py "$build"
echo "lint: clean"
