#!/usr/bin/env bash
# AF_XDP on both queues of the scanner's link, one socket (DPDK port) each: TX lcores take the
# ports in turn and the RX lcore polls both, since the link spreads replies over its queues.
# (1) -i --af-xdp with one TX lcore: the second port's queue is left for ARP, so the scanner
# resolves the gateway and answers it. (2) The same ports named with --vdev, two TX lcores: no
# queue is left for ARP, so the gateway gets a permanent entry for the scanner first. Both give
# exactly the ground truth.
source "$(dirname "$0")/lib.sh"
testbed_up
xdp_scan() {
    counted timeout --signal=INT --kill-after=10 120 ip netns exec "$ICS_SCAN_NS" "$BIN" "${HUGE[@]}" \
        -S "$ICS_SCANNER_IP" -b /dev/null -r 50000 -c 2 --output-filter "repeat = 0" \
        -f saddr,probe_daddr,type,code,repeat -o "$WORK/results.csv" -m "$WORK/meta.json" "$@" "$ICS_SCAN_RANGE"
}
check() {  # TX lcores expected
    python3 "$SRC/tests/integration/check_scan.py" "$WORK/results.csv" "$ICS_TESTBED_STATE/ground-truth.tsv" \
        "$ICS_SCAN_RANGE"
    python3 "$SRC/tests/integration/hop_counters.py" left "$WORK/hops.before" "$WORK/hops.after" "$WORK/meta.json"
    python3 - "$WORK/meta.json" "$1" <<'PY'
import json, sys

def require(ok, message):
    if not ok:
        raise SystemExit(f"FAIL: af_xdp_queues: {message}")

m = json.load(open(sys.argv[1]))
tx_lcores = int(sys.argv[2])
require(m["senders"] == tx_lcores and m["completed"],
        f"senders {m['senders']} (expected {tx_lcores}), completed {m['completed']}, stop_reason {m['stop_reason']!r}")
require(m["port"] == "net_af_xdp0,net_af_xdp1", f"port {m['port']!r}, expected 'net_af_xdp0,net_af_xdp1'")
# Replies arrive on both queues, so both sockets must have received; with a TX lcore on each,
# both must have sent.
per_port = ", ".join(f"{p['name']} rx {p['rx_packets']} tx {p['tx_packets']}" for p in m["ports"])
require(all(p["rx_packets"] > 0 for p in m["ports"]), f"a port received nothing: {per_port}")
require(tx_lcores < 2 or all(p["tx_packets"] > 1000 for p in m["ports"]),
        f"with {tx_lcores} TX lcores each port must send more than 1000: {per_port}")
require(m["nic"]["rx_missed"] == 0 and m["counters"]["rx_ring_full"] == 0,
        f"nic rx_missed {m['nic']['rx_missed']}, rx_ring_full {m['counters']['rx_ring_full']}, expected 0 and 0")
print(f"  {m['senders']} TX lcore(s) over 2 af_xdp ports: sent {m['packets_sent']}, "
      f"{m['validation_passed']} valid replies; per port (rx, tx): "
      + ", ".join(f"{p['rx_packets']}/{p['tx_packets']}" for p in m["ports"]))
PY
}

xdp_scan -i "$ICS_SCAN_IF" --af-xdp --gateway-ip "$ICS_GATEWAY_IP" --tx-cores 1 2> "$WORK/err1"
grep -q "gateway $ICS_GATEWAY_IP is at" "$WORK/err1" || fail "the gateway was not resolved: $(cat "$WORK/err1")"
check 1

own_mac=$(ip -n "$ICS_SCAN_NS" -j link show "$ICS_SCAN_IF" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['address'])")
gw_mac=$(ip -n "$ICS_GATEWAY_NS" -j link show "$ICS_GATEWAY_IF" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['address'])")
ip -n "$ICS_GATEWAY_NS" neigh replace "$ICS_SCANNER_IP" lladdr "$own_mac" dev "$ICS_GATEWAY_IF" nud permanent
xdp_scan --vdev "net_af_xdp0,iface=$ICS_SCAN_IF,start_queue=0" --vdev "net_af_xdp1,iface=$ICS_SCAN_IF,start_queue=1" \
    -G "$gw_mac" --tx-cores 2 2> "$WORK/err2"
grep -q "offers no TX queue for ARP answers" "$WORK/err2" || fail "expected the note on ARP: $(cat "$WORK/err2")"
check 2
echo "PASS"
