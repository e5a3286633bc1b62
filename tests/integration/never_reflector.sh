#!/usr/bin/env bash
# Never a reflector (issue 15): while a scan runs, the gateway's side of the scanner's link sends
# the scanner's address and MAC echo requests, TCP SYNs, UDP, ARP requests for other addresses and
# frames to other addresses (spray.py reflector), and ARP requests for the scanner's own address from
# senders of their own. A capture there must see nothing come back but the scanner's probes, its
# ARP for the gateway and exactly one right answer to each ARP request for its address (the
# sprayed ones and the gateway's own); the scanner's counters must name each kind with the exact
# number sent (check_spray.py reflector).
source "$(dirname "$0")/lib.sh"
testbed_up
scanner_mac=$(ip netns exec "$ICS_SCAN_NS" cat "/sys/class/net/$ICS_SCAN_IF/address")
gateway_mac=$(ip netns exec "$ICS_GATEWAY_NS" cat "/sys/class/net/$ICS_GATEWAY_IF/address")
capture_start "$ICS_GATEWAY_NS" "$ICS_GATEWAY_IF" "$WORK/wire.pcap"
# About 1.3 s of sending, then 2 s of cooldown: the spray (0.3 s) lands while the scan runs.
scan_bg -r 200 -c 2 -e 15 -o "$WORK/results.csv" -m "$WORK/meta.json" 198.18.0.0/24 2> "$WORK/stderr"
wait_until 60 "the gateway note" grep -q "gateway .* is at" "$WORK/stderr"
ip netns exec "$ICS_GATEWAY_NS" python3 "$SRC/tests/integration/spray.py" reflector "$ICS_GATEWAY_IF" \
    "$ICS_SCANNER_IP" "$scanner_mac" "$ICS_GATEWAY_IP" 40 1000 "$WORK/spray.json"
kill -0 "$SCAN_JOB" 2>/dev/null || fail "the scan ended before the spray did: nothing shows it was counted"
wait "$SCAN_JOB" || fail "scanner failed: $(tail -3 "$WORK/stderr")"
SCAN_JOB=
capture_stop
python3 "$SRC/tests/integration/check_spray.py" reflector "$WORK/spray.json" "$WORK/meta.json" "$WORK/results.csv" "$WORK/wire.pcap" \
    "$scanner_mac" "$ICS_SCANNER_IP" "$ICS_GATEWAY_IP" "$gateway_mac" 198.18.0.0/24 \
    || { python3 "$SRC/tests/integration/frames.py" print "$WORK/wire.pcap" | grep ' in ' | tail -20 >&2; exit 1; }
echo "PASS"
