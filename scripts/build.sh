#!/usr/bin/env bash
# Builds dpdk-icmpscan into build/ (and, with --asan, everything again, DPDK drivers and app
# included, with AddressSanitizer and UndefinedBehaviorSanitizer into build-asan/; --asan-only
# builds that one alone). Reuses an existing build directory. Both need libdpdk (build/ Google
# Benchmark too; set on a directory made earlier with auto as well): with `auto` meson would quietly
# leave out the drivers, the app, the benchmarks and every suite that runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
required=(-Ddpdk=enabled -Dbenchmarks=enabled)
# Meson's own words when a required dependency is missing (its ERROR line), and nothing otherwise.
quiet() { local out; out=$("$@" 2>&1) || { grep -E 'ERROR|not found' <<<"$out" >&2; return 1; }; }
if [[ ${1:-} == --asan-only ]]; then
    :  # build/ is left alone (the test command runs its tests meanwhile)
elif [[ ! -f build/build.ninja ]]; then
    quiet meson setup build --buildtype=release "${required[@]}"
elif ! python3 -c 'import json, sys
opts = {o["name"]: o["value"] for o in json.load(open("build/meson-info/intro-buildoptions.json"))}
sys.exit(opts["dpdk"] != "enabled" or opts["benchmarks"] != "enabled")'; then
    quiet meson configure build "${required[@]}"
fi
[[ ${1:-} == --asan-only ]] || ninja -C build >/dev/null
if [[ ${1:-} == --asan || ${1:-} == --asan-only ]]; then
    # DPDK included (drivers, the app, the dpdk suite): the driver loops run under the sanitizers
    # too. -Db_lundef=false, as meson asks with sanitizers (their runtime is not in our objects).
    # A build-asan made before DPDK was in it is reconfigured, not reused as it was. -O0 and line
    # tables only (-g1: sanitizer reports still name file and line): compiling is most of this
    # build's cost (-O2 -g: 14 of the test command's minutes, monitor_book_test.cpp alone 165 s;
    # -O1: 8 minutes, 48 s; -O0: 21 s), the sanitizers find the same faults unoptimised, and the
    # tests it runs are short (asserts stay on: -Db_ndebug=false).
    asan_options=(-Ddpdk=enabled -Dbenchmarks=disabled -Doptimization=0 -Ddebug=false -Db_ndebug=false -Dcpp_args=-g1
                  -Db_sanitize=address,undefined -Db_lundef=false)
    if [[ ! -f build-asan/build.ninja ]]; then
        meson setup build-asan "${asan_options[@]}" >/dev/null
    else
        meson configure build-asan "${asan_options[@]}" >/dev/null
    fi
    ninja -C build-asan >/dev/null
fi
