#!/usr/bin/env bash
# Lint: clang-format (the style in .clang-format) over every C++ file, clang-tidy (the checks in
# .clang-tidy) over the project's own sources. `lint.sh --fix` reformats in place.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cpp' '*.hpp')
if [[ ${1:-} == --fix ]]; then
    clang-format -i $files
    exit 0
fi
clang-format --dry-run --Werror $files
[[ -f build/compile_commands.json ]] || scripts/build.sh
out=$(clang-tidy -p build --quiet $(git ls-files 'engine/*.cpp' 'drivers/*.cpp' 'apps/*.cpp') 2>/dev/null \
      | grep -E "(warning|error):" || true)
if [[ -n $out ]]; then
    echo "$out"
    exit 1
fi
echo "lint: clean"
