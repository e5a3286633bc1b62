# Shared by the integration tests: brings the testbed up for one test and always takes it down,
# finds the binary, and picks hugepages or --no-huge. Sourced, not run.
set -euo pipefail
SRC=${ICS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ICS_BIN:-$SRC/build/apps/dpdk-icmpscan/dpdk-icmpscan}
WORK=$(mktemp -d /tmp/ics-it.XXXXXX)
export ICS_TESTBED_STATE=$WORK/testbed

fail() { echo "FAIL: $*" >&2; exit 1; }

if [[ $(id -u) != 0 ]]; then
    echo "SKIP: integration tests need root (network namespaces)"; exit 77
fi

# The testbed without RPS: the kernel forwards inside the sender's system calls, so nothing waits
# in a queue between hops and a loaded machine loses no reply (scripts/testbed.sh says why).
testbed_up() {
    "$SRC/scripts/testbed.sh" up --no-rps "$@" >/dev/null
    # shellcheck disable=SC1091
    source "$ICS_TESTBED_STATE/env"
}
# A failing test that ran a scan through `counted` says where packets were lost (hop_counters.py).
cleanup() {
    local rc=$?
    if (( rc != 0 )) && [[ -f $WORK/hops.after ]]; then
        python3 "$SRC/tests/integration/hop_counters.py" report "$WORK/hops.before" "$WORK/hops.after" \
            "$HOPS_META" >&2 || true
    fi
    "$SRC/scripts/testbed.sh" down >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Hugepages when the machine can give them, else DPDK without them.
if "$SRC/scripts/setup-hugepages.sh" >/dev/null 2>&1; then HUGE=(); else HUGE=(--no-huge); fi

# Runs a command between two snapshots of every hop's counters (and notes the metadata file its
# -m names), for the report cleanup prints if the test then fails.
HOPS_META=
counted() {
    local args=("$@") i rc=0
    for ((i = 0; i + 1 < ${#args[@]}; i++)); do
        if [[ ${args[i]} == -m ]]; then HOPS_META=${args[i + 1]}; fi
    done
    python3 "$SRC/tests/integration/hop_counters.py" snapshot "$WORK/hops.before" $ICS_NAMESPACES
    "$@" || rc=$?
    python3 "$SRC/tests/integration/hop_counters.py" snapshot "$WORK/hops.after" $ICS_NAMESPACES
    return $rc
}

# Runs the scanner inside the scanner's namespace, bounded in time. The gateway is the testbed's
# unless the arguments name one (--gateway-ip or -G).
scan() {
    local gw=(--gateway-ip "$ICS_GATEWAY_IP")
    [[ " $* " == *" --gateway-ip "* || " $* " == *" -G "* ]] && gw=()
    counted timeout --signal=INT --kill-after=10 120 \
        ip netns exec "$ICS_SCAN_NS" "$BIN" "${HUGE[@]}" -i "$ICS_SCAN_IF" -S "$ICS_SCANNER_IP" \
        "${gw[@]}" -b /dev/null "$@"
}
