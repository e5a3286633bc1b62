#!/usr/bin/env bash
# Installs what dpdk-icmpscan needs to build, test and run, from Debian 12 packages only.
# Idempotent and quiet when everything is already there.
set -euo pipefail
packages=(
    build-essential g++ meson ninja-build pkg-config        # build
    libdpdk-dev dpdk libnuma-dev                           # DPDK 22.11 and NUMA
    libcli11-dev libfmt-dev nlohmann-json3-dev              # CLI parsing, formatting, JSON
    libgtest-dev libgmock-dev libbenchmark-dev              # tests and benchmarks
    iproute2 iputils-ping ethtool procps psmisc bc python3  # the namespace testbed and its tests
    clang-format clang-tidy                                 # scripts/lint.sh
    zmap masscan nftables clang llvm                        # bench/run.sh: peers and the sink
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
