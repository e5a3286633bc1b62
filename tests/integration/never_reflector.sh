#!/usr/bin/env bash
# Never a reflector (issue 15), in every mode: while a scan, a monitor run and a trace run, the
# gateway's side of the scanner's link sends the scanner's address and MAC echo requests, TCP SYNs,
# UDP, ARP requests for other addresses and frames to other addresses (spray.py reflector), and ARP
# requests for the scanner's own address from senders of their own. A capture there must see
# nothing come back but the probes, the ARP for the gateway and exactly one right answer to each
# ARP request for the scanner's address (the sprayed ones and the gateway's own); the counters must
# name each kind with the exact number sent (check_spray.py reflector).
source "$(dirname "$0")/lib.sh"
testbed_up
scanner_mac=$(ip netns exec "$ICS_SCAN_NS" cat "/sys/class/net/$ICS_SCAN_IF/address")
gateway_mac=$(ip netns exec "$ICS_GATEWAY_NS" cat "/sys/class/net/$ICS_GATEWAY_IF/address")
# case NAME ARGS...: a run of ARGS (writing its reply rows to $WORK/NAME.csv, metadata to
# $WORK/NAME.json) while the spray lands, with its own capture.
case_run() {
    local name=$1
    shift
    capture_start "$ICS_GATEWAY_NS" "$ICS_GATEWAY_IF" "$WORK/$name.pcap"
    scan_bg "$@" -m "$WORK/$name.json" 198.18.0.0/24 2> "$WORK/stderr"
    wait_until 60 "the gateway note" grep -q "gateway .* is at" "$WORK/stderr"
    ip netns exec "$ICS_GATEWAY_NS" python3 "$SRC/tests/integration/spray.py" reflector "$ICS_GATEWAY_IF" \
        "$ICS_SCANNER_IP" "$scanner_mac" "$ICS_GATEWAY_IP" 40 1000 "$WORK/$name.spray.json"
    kill -0 "$SCAN_JOB" 2>/dev/null || fail "$name: the run ended before the spray did: nothing shows it was counted"
    wait "$SCAN_JOB" || fail "$name: scanner failed: $(tail -3 "$WORK/stderr")"
    SCAN_JOB=
    capture_stop
    echo "$name:"
    python3 "$SRC/tests/integration/check_spray.py" reflector "$WORK/$name.spray.json" "$WORK/$name.json" \
        "$WORK/$name.csv" "$WORK/$name.pcap" "$scanner_mac" "$ICS_SCANNER_IP" "$ICS_GATEWAY_IP" "$gateway_mac" \
        198.18.0.0/24 \
        || { python3 "$SRC/tests/integration/frames.py" print "$WORK/$name.pcap" | grep ' in ' | tail -20 >&2; exit 1; }
}
# Each about 1.3 s of sending, then 2 s of cooldown: the spray (0.3 s) lands while the run goes on.
# Every reply is a row (--output-filter ""), so the rows count rx_valid.
case_run scan -r 200 -c 2 -e 15 --output-filter "" -o "$WORK/scan.csv"
case_run monitor -M monitor --period 200ms --count 8 --timeout 200ms -e 15 -o "$WORK/summaries.jsonl" \
    --replies-file "$WORK/monitor.csv" --output-filter ""
case_run trace -M trace --max-ttl 4 -r 800 -c 2 -o "$WORK/paths.jsonl" --replies-file "$WORK/trace.csv" \
    --output-filter ""
echo "PASS"
