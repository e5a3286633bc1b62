#!/usr/bin/env bash
# A hostile wire (issue 15): the same scan (one seed) twice, the second while the gateway's side of
# the scanner's link sprays about 5 frames for each real reply (spray.py hostile: junk, runts,
# truncated and jumbo frames, bad IPv4 headers and checksums, fragments, forged errors and replies,
# ARP claiming the gateway, ARP for other addresses, ...); then a short monitor run and a trace
# under the same spray (the trace's paths against the testbed's truth). check_spray.py: the sprayed scan's results are the clean scan's, row for row; every frame
# received is in one named counter; each counter gained exactly what was sprayed into it; the
# gateway's MAC never changed, and stderr says how often ARP claimed otherwise.
source "$(dirname "$0")/lib.sh"
testbed_up
# Jumbo frames on the scanner's link, so an oversize frame can reach the scanner (the af_packet
# ring cuts it to its frame size: the scanner sees it truncated).
ip netns exec "$ICS_SCAN_NS" ip link set "$ICS_SCAN_IF" mtu 9000
ip netns exec "$ICS_GATEWAY_NS" ip link set "$ICS_GATEWAY_IF" mtu 9000
scanner_mac=$(ip netns exec "$ICS_SCAN_NS" cat "/sys/class/net/$ICS_SCAN_IF/address")
gateway_mac=$(ip netns exec "$ICS_GATEWAY_NS" cat "/sys/class/net/$ICS_GATEWAY_IF/address")

# spray COUNT RATE OUT: each kind COUNT times, about RATE frames a second, while the background run
# goes on (it must still run once the spray is done, or nothing shows every frame was counted).
# The scanner's namespace's kernel counters go to $3.snmp-before and $3.snmp-after.
spray() {
    ip netns exec "$ICS_SCAN_NS" cat /proc/net/snmp > "$3.snmp-before"
    wait_until 60 "the gateway note" grep -q "gateway .* is at" "$WORK/stderr"
    ip netns exec "$ICS_GATEWAY_NS" python3 "$SRC/tests/integration/spray.py" hostile "$ICS_GATEWAY_IF" \
        "$ICS_SCANNER_IP" "$scanner_mac" "$ICS_GATEWAY_IP" "$1" "$2" "$3" jumbo
    kill -0 "$SCAN_JOB" 2>/dev/null || fail "the run ended before the spray did"
    wait "$SCAN_JOB" || fail "scanner failed: $(tail -3 "$WORK/stderr")"
    SCAN_JOB=
    ip netns exec "$ICS_SCAN_NS" cat /proc/net/snmp > "$3.snmp-after"
}

# 1024 targets at 1000 a second: about 1 s of sending, at most 1000 real replies a second; the
# cooldown (2 s) leaves the spray time to end before the run does on a loaded machine.
args=(-r 1000 -c 2 -e 4242 --output-filter "" -f saddr,probe_daddr,type,code,ttl,repeat 198.18.0.0/22)
scan "${args[@]}" -o "$WORK/clean.csv" -m "$WORK/clean.json" 2> "$WORK/clean-stderr" \
    || fail "the clean scan failed: $(tail -3 "$WORK/clean-stderr")"
scan_bg "${args[@]}" -o "$WORK/sprayed.csv" -m "$WORK/sprayed.json" 2> "$WORK/stderr"
spray 300 5000 "$WORK/spray-scan.json"
python3 "$SRC/tests/integration/check_spray.py" scan "$WORK/spray-scan.json" "$WORK/sprayed.json" \
    "$WORK/clean.json" "$WORK/sprayed.csv" "$WORK/clean.csv" "$ICS_GATEWAY_IP" "$gateway_mac" "$WORK/stderr" \
    "$WORK/clean-stderr" "$WORK"/spray-scan.json.snmp-{before,after}

# Monitor: 25 rounds of a /24 in 5 s, 6400 real replies; the spray gives about 3000 frames a second
# for 0.7 s, once spray.py has started and built its frames (a second or more on a loaded machine:
# with 8 rounds, 1.6 s, the run ended before the spray did 3 times in 7 beside two fuzzers).
scan_bg -M monitor --period 200ms --count 25 --timeout 200ms -e 4242 -o "$WORK/summaries.jsonl" \
    --replies-file "$WORK/replies.csv" -f saddr,probe_daddr,type,round,repeat -m "$WORK/monitor.json" \
    198.18.1.0/24 2> "$WORK/stderr"
spray 100 3000 "$WORK/spray-monitor.json"
python3 "$SRC/tests/integration/check_spray.py" monitor "$WORK/spray-monitor.json" "$WORK/monitor.json" \
    "$WORK/summaries.jsonl" "$WORK/replies.csv" 198.18.1.0/24 25 "$ICS_GATEWAY_IP" "$gateway_mac" "$WORK/stderr" \
    "$WORK"/spray-monitor.json.snmp-{before,after}

# Trace: a /24 (paths of 3 hops and dead hosts) against the testbed's truth, under the same spray.
scan_bg -M trace --max-ttl 8 -r 2000 -c 2 -o "$WORK/paths.jsonl" -m "$WORK/trace.json" 198.18.0.0/24 \
    --replies-file "$WORK/trace-replies.csv" -f saddr,probe_daddr,probe_ttl,type,code,icmp_id,seq,ipid,dst_rewritten \
    --output-filter "" 2> "$WORK/stderr"
spray 100 3000 "$WORK/spray-trace.json"
python3 "$SRC/tests/integration/check_trace.py" "$WORK/paths.jsonl" "$ICS_TESTBED_STATE/trace-truth.tsv" \
    198.18.0.0/24
python3 "$SRC/tests/integration/check_spray.py" trace "$WORK/spray-trace.json" "$WORK/trace.json" \
    "$WORK/trace-replies.csv" "$ICS_TESTBED_STATE/trace-truth.tsv" 198.18.0.0/24 8 \
    "$ICS_GATEWAY_IP" "$gateway_mac" "$WORK/stderr" "$WORK"/spray-trace.json.snmp-{before,after}
echo "PASS"
