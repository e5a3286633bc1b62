#!/usr/bin/env bash
# Installs what dpdk-icmpscan needs to build, test and run, from Debian 12 packages only, then
# checks that every program the scripts, tests and benchmarks call is on the PATH. Idempotent and
# quiet when everything is already there.
#
#   install-deps.sh           install what is missing, then check
#   install-deps.sh --check   only check
#
# This is the one list of what the project calls: add a program here when a script starts using it.
set -euo pipefail

# program=package: every program a script, test or benchmark runs (beyond bash, coreutils, grep,
# sed and awk, which every Debian system has). The check looks for each on the PATH.
programs=(
    g++=g++ meson=meson ninja=ninja-build pkg-config=pkg-config            # build
    ip=iproute2 ethtool=ethtool sysctl=procps nft=nftables                 # the testbed and its tests
    ping=iputils-ping bc=bc python3=python3 flock=util-linux mount=mount   # (python3: standard library only)
    chrt=util-linux                                                        # scripts/run-tests.sh (the idle-priority build)
    git=git clang-format=clang-format clang-tidy=clang-tidy                # scripts/lint.sh
    clang++=clang                                                          # scripts/fuzz.sh (libFuzzer)
    zmap=zmap masscan=masscan scamper=scamper fping=fping                  # the peers the tests and bench compare with
    prometheus-smokeping-prober=prometheus-smokeping-prober                # bench/monitor_peers.sh (CI does not run it)
    promtool=prometheus                                                    # checks our /metrics exposition (exposition_test)
    gnuplot=gnuplot-nox                                                    # scripts/soak.sh (its plot)
)
# Packages with no program of their own to look for: libraries, headers, DPDK's drivers.
libraries=(
    build-essential libdpdk-dev dpdk libnuma-dev                          # DPDK 22.11 and NUMA
    libcli11-dev libfmt-dev nlohmann-json3-dev                            # CLI parsing, formatting, JSON
    libcpp-httplib-dev                                                    # the Prometheus endpoint (drivers/http)
    libgtest-dev libgmock-dev libbenchmark-dev                            # tests and benchmarks
    llvm                                                                  # llvm-symbolizer for sanitizer reports
    libclang-rt-14-dev                                                    # libFuzzer and clang's sanitizer runtimes (scripts/fuzz.sh)
)

check_programs() {
    local entry
    for entry in "${programs[@]}"; do
        # ethtool, sysctl, nft and zmap live in /usr/sbin, which a non-root user's PATH often lacks;
        # the tests run them as root, whose PATH has it.
        if ! PATH="$PATH:/usr/sbin:/sbin" command -v "${entry%%=*}" >/dev/null 2>&1; then
            echo "${entry%%=*} is not on the PATH: install the Debian package ${entry#*=} (scripts/install-deps.sh does)" >&2
            exit 1
        fi
    done
}

if [[ ${1:-} == --check ]]; then
    check_programs
    exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps.sh installs Debian packages with apt-get, which this machine does not have: install the packages it lists by hand" >&2
    exit 1
fi
packages=("${libraries[@]}")
for entry in "${programs[@]}"; do packages+=("${entry#*=}"); done
missing=()
for p in $(printf '%s\n' "${packages[@]}" | sort -u); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    as_root=()
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || {
            echo "installing ${missing[*]} needs root, and this machine has no sudo: run scripts/install-deps.sh as root" >&2
            exit 1
        }
        as_root=(sudo)
    fi
    echo "installing: ${missing[*]}"
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
check_programs
