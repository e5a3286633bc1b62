#!/usr/bin/env python3
"""The engine sources the given fuzz targets need (scripts/fuzz.sh builds only these): the headers
each target includes, transitively, and every engine .cpp whose first include, its own header by the
project's convention, is one of them (target_spec.hpp brings default_blocklist.cpp, interval_set.hpp
interval_set_avx512.cpp). A source missed this way fails the target's link, loudly, never silently.

usage: fuzz_sources.py TARGET...    (run from the repository's root; prints one path a line)
"""
import os
import re
import subprocess
import sys


def includes(path):
    with open(path) as f:
        return [m[1] for line in f if (m := re.match(r'\s*#include "([^"]+)"', line))]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sources = subprocess.check_output(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "engine/*.cpp"], text=True).split()
    owned_by = {}  # header -> the sources whose first include it is
    for src in sources:
        first = includes(src)[:1]
        if first:
            owned_by.setdefault(os.path.normpath(os.path.join("engine", first[0])), []).append(src)
    needed = set()
    for target in sys.argv[1:]:
        stack, seen = [f"tests/fuzz/{target}.cpp"], set()
        while stack:
            path = stack.pop()
            if path in seen:
                continue
            seen.add(path)
            for src in owned_by.get(path, []):
                needed.add(src)
                stack.append(src)
            for inc in includes(path):
                found = [p for p in (os.path.normpath(os.path.join(base, inc)) for base in ("engine", os.path.dirname(path)))
                         if os.path.exists(p)]
                stack.extend(found[:1])
    print("\n".join(sorted(needed)))


if __name__ == "__main__":
    main()
