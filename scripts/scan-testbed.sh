#!/usr/bin/env bash
# The main job on its embedded default: installs what is missing, builds, creates the local testbed
# (network namespaces, see testbed.sh), scans its whole range at 100 kpps through DPDK's af_packet
# PMD, prints a summary and compares it with the testbed's ground truth, then removes the testbed.
# Results stay in ./results/ (scan.csv, meta.json, status.csv).
set -euo pipefail
source "$(dirname "$0")/as-root.sh"
cd "$(dirname "$0")/.."
# Installs what is missing, then stops with one sentence if a program it needs is not on the PATH.
scripts/install-deps.sh
scripts/build.sh
huge=()
scripts/setup-hugepages.sh || huge=(--no-huge)
trap 'scripts/testbed.sh down >/dev/null' EXIT
scripts/testbed.sh up
# shellcheck disable=SC1091
source /run/dpdk-icmpscan-testbed/env
mkdir -p results
timeout --signal=INT 120 ip netns exec "$ICS_SCAN_NS" build/apps/dpdk-icmpscan/dpdk-icmpscan "${huge[@]}" \
    -i "$ICS_SCAN_IF" -S "$ICS_SCANNER_IP" --gateway-ip "$ICS_GATEWAY_IP" -b /dev/null \
    -r "${RATE:-100000}" -c 2 --output-filter "repeat = 0" \
    -o results/scan.csv -m results/meta.json -u results/status.csv "$ICS_SCAN_RANGE"
echo "results: results/scan.csv ($(($(wc -l < results/scan.csv) - 1)) rows), results/meta.json, results/status.csv"
echo "compared with the testbed's ground truth:"
python3 tests/integration/check_scan.py results/scan.csv /run/dpdk-icmpscan-testbed/ground-truth.tsv "$ICS_SCAN_RANGE"
