#!/usr/bin/env bash
# Builds dpdk-icmpscan into build/ (and, with --asan, the engine and its tests with AddressSanitizer
# and UndefinedBehaviorSanitizer into build-asan/). Reuses an existing build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build/build.ninja ]]; then
    meson setup build --buildtype=release >/dev/null
fi
ninja -C build >/dev/null
if [[ ${1:-} == --asan ]]; then
    if [[ ! -f build-asan/build.ninja ]]; then
        meson setup build-asan -Ddpdk=disabled -Dbenchmarks=disabled --buildtype=debugoptimized \
            -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
    fi
    ninja -C build-asan >/dev/null
fi
