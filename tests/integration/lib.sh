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

testbed_up() {
    "$SRC/scripts/testbed.sh" up "$@" >/dev/null
    # shellcheck disable=SC1091
    source "$ICS_TESTBED_STATE/env"
}
cleanup() {
    "$SRC/scripts/testbed.sh" down >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Hugepages when the machine can give them, else DPDK without them.
if "$SRC/scripts/setup-hugepages.sh" >/dev/null 2>&1; then HUGE=(); else HUGE=(--no-huge); fi

# Runs the scanner inside the scanner's namespace, bounded in time. The gateway is the testbed's
# unless the arguments name one (--gateway-ip or -G).
scan() {
    local gw=(--gateway-ip "$ICS_GATEWAY_IP")
    [[ " $* " == *" --gateway-ip "* || " $* " == *" -G "* ]] && gw=()
    timeout --signal=INT --kill-after=10 120 \
        ip netns exec "$ICS_SCAN_NS" "$BIN" "${HUGE[@]}" -i "$ICS_SCAN_IF" -S "$ICS_SCANNER_IP" \
        "${gw[@]}" -b /dev/null "$@"
}
