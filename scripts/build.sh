#!/usr/bin/env bash
# Builds dpdk-icmpscan into build/ (and, with --asan, everything again with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-asan/). Reuses an existing build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build/build.ninja ]]; then
    meson setup build --buildtype=release >/dev/null
fi
ninja -C build >/dev/null
if [[ ${1:-} == --asan ]]; then
    # DPDK included (drivers, the app, the dpdk suite): the driver loops run under the sanitizers
    # too. -Db_lundef=false, as meson asks with sanitizers (their runtime is not in our objects).
    # A build-asan made before DPDK was in it is reconfigured, not reused as it was.
    asan_options=(-Ddpdk=enabled -Dbenchmarks=disabled -Dbuildtype=debugoptimized
                  -Db_sanitize=address,undefined -Db_lundef=false)
    if [[ ! -f build-asan/build.ninja ]]; then
        meson setup build-asan "${asan_options[@]}" >/dev/null
    else
        meson configure build-asan "${asan_options[@]}" >/dev/null
    fi
    ninja -C build-asan >/dev/null
fi
