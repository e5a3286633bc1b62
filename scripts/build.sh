#!/usr/bin/env bash
# Builds dpdk-icmpscan into build/ (and, with --asan, the engine and its tests with AddressSanitizer
# and UndefinedBehaviorSanitizer into build-asan/). Reuses an existing build directory. build/ needs
# libdpdk and Google Benchmark (set on a directory made earlier with auto too): with `auto` meson
# would quietly leave out the drivers, the app, the benchmarks and every suite that runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
required=(-Ddpdk=enabled -Dbenchmarks=enabled)
if [[ ! -f build/build.ninja ]]; then
    meson setup build --buildtype=release "${required[@]}" >/dev/null
elif ! python3 -c 'import json, sys
opts = {o["name"]: o["value"] for o in json.load(open("build/meson-info/intro-buildoptions.json"))}
sys.exit(opts["dpdk"] != "enabled" or opts["benchmarks"] != "enabled")'; then
    meson configure build "${required[@]}" >/dev/null
fi
ninja -C build >/dev/null
if [[ ${1:-} == --asan ]]; then
    if [[ ! -f build-asan/build.ninja ]]; then
        meson setup build-asan -Ddpdk=disabled -Dbenchmarks=disabled --buildtype=debugoptimized \
            -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
    fi
    ninja -C build-asan >/dev/null
fi
