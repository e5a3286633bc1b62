#!/usr/bin/env bash
# Builds dpdk-icmpscan into build/ (and, with --asan, the engine and its tests with AddressSanitizer
# and UndefinedBehaviorSanitizer into build-asan/). Reuses an existing build directory. build/ needs
# libdpdk and Google Benchmark (set on a directory made earlier with auto too): with `auto` meson
# would quietly leave out the drivers, the app, the benchmarks and every suite that runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
required=(-Ddpdk=enabled -Dbenchmarks=enabled)
# Meson's own words when a required dependency is missing (its ERROR line), and nothing otherwise.
quiet() { local out; out=$("$@" 2>&1) || { grep -E 'ERROR|not found' <<<"$out" >&2; return 1; }; }
if [[ ! -f build/build.ninja ]]; then
    quiet meson setup build --buildtype=release "${required[@]}"
elif ! python3 -c 'import json, sys
opts = {o["name"]: o["value"] for o in json.load(open("build/meson-info/intro-buildoptions.json"))}
sys.exit(opts["dpdk"] != "enabled" or opts["benchmarks"] != "enabled")'; then
    quiet meson configure build "${required[@]}"
fi
ninja -C build >/dev/null
if [[ ${1:-} == --asan ]]; then
    if [[ ! -f build-asan/build.ninja ]]; then
        meson setup build-asan -Ddpdk=disabled -Dbenchmarks=disabled --buildtype=debugoptimized \
            -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
    fi
    ninja -C build-asan >/dev/null
fi
