#!/usr/bin/env bash
# Every drop forced and counted: five short runs of the testbed's range, each with one test-only
# knob (docs/testing.md, "Forcing drops") that makes one loss happen on purpose, and for each run
# check_drops.py checks exactly that every reply the testbed sent back is a row of the output or a
# named loss, that the forced counter moved, and that the metadata and the status line agree:
#   ring    a slow output lcore (a 5 ms nap after each pass) behind a 256-slot record ring:
#           rx_ring_full;
#   missed  af_packet rings of 16 frames, overrun by each burst's replies: nic.rx_missed (the
#           sockets' drops, read with PACKET_STATISTICS);
#   mbufs   a pool of 64 mbufs and no per-lcore cache, while the gateway's namespace sends 300
#           ARP requests for the scanner's address: the RX lcore takes the pool's every mbuf into
#           the ARP ring until the control lcore's next pass (10 ms), so the TX lcore waits
#           (tx_alloc_failed: probes delayed, none lost), frames wait in af_packet's ring, and the
#           control lcore may find no mbuf for a reply (arp_not_answered). Without the requests
#           the pool ran dry only when an RX burst met a TX burst: 0 to 25 times a run here, so
#           "above 0" could not be asked;
#   arp     a 2-slot ARP ring (1 frame) and the same 300 requests: rx_arp_ring_full, and every
#           other request answered;
#   feedback  trace mode's backward order (--preprobe) with 2-slot feedback rings: the output
#           lcore's stop-set messages to the TX lcore overflow (out_feedback_dropped: probes a
#           stop set would have saved are sent; no reply is lost), checked without the ground
#           truth, which is one reply per address for scans only.
# The scanner runs with -G and the gateway gets a permanent neighbour entry for it, so that no ARP
# crosses the link but what the test sends: every frame scan0 receives is then a reply or one of
# those requests, and the equations are exact.
source "$(dirname "$0")/lib.sh"
testbed_up
SCAN_MAC=$(ip netns exec "$ICS_SCAN_NS" cat "/sys/class/net/$ICS_SCAN_IF/address")
GW_MAC=$(ip netns exec "$ICS_GATEWAY_NS" cat "/sys/class/net/$ICS_GATEWAY_IF/address")
ip netns exec "$ICS_GATEWAY_NS" ip neigh replace "$ICS_SCANNER_IP" lladdr "$SCAN_MAC" \
    dev "$ICS_GATEWAY_IF" nud permanent
FIELDS=saddr,probe_daddr,type,code,repeat
FAILED=()

# spray N: N ARP requests for the scanner's address from the gateway's MAC and address, in batches
# of 100 back to back, 20 ms apart: each batch alone is more than the mbufs case's pool, and lands
# apart from the others in the control lcore's 10 ms passes (one pass may drain a whole batch).
spray() {
    ip netns exec "$ICS_GATEWAY_NS" python3 - "$ICS_GATEWAY_IF" "$ICS_GATEWAY_IP" "$ICS_SCANNER_IP" "$1" <<'PY'
import socket, struct, sys, time
iface, sender, target, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
own = s.getsockname()[4]
# Ethernet (broadcast, from us, ARP), then an ARP request: who has target, tell sender.
frame = b"\xff" * 6 + own + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + own \
    + socket.inet_aton(sender) + b"\x00" * 6 + socket.inet_aton(target)
for i in range(n):
    if i and i % 100 == 0:
        time.sleep(0.02)
    s.send(frame.ljust(60, b"\x00"))
PY
}

# run_case NAME COUNTER SPRAYED TRUTH "KNOB=VALUE ..." SCAN_ARGS...: a scan of the range with those
# knobs in its environment (and SPRAYED ARP requests once it has replies), its rows in
# $WORK/NAME.csv (the SCAN_ARGS say so), then its checks (TRUTH "-": a trace run, checked without
# the ground truth). Every case runs and says what it found; the test fails at the end if any did.
run_case() {
    local name=$1 counter=$2 sprayed=$3 truth=$4 out=$WORK/$1 extra=() knobs kv
    read -ra knobs <<< "$5"
    shift 5
    export "${knobs[@]}"
    scan_bg -G "$GW_MAC" -c 1 -m "$out.json" -u "$out.status" "$@" "$ICS_SCAN_RANGE" 2> "$out.log"
    for kv in "${knobs[@]}"; do unset "${kv%%=*}"; done
    if ((sprayed)); then
        wait_until 30 "replies in the status file" status_has_replies "$out.status"
        spray "$sprayed"
        extra=("$sprayed")
    fi
    wait "$SCAN_JOB" || { cat "$out.log" >&2; fail "$name: the scan failed"; }
    SCAN_JOB=
    grep -q "test-only sizes from ICS_TEST_\* in effect" "$out.log" || fail "$name: no note of the knobs"
    python3 "$SRC/tests/integration/check_drops.py" "$name" "$counter" "$out.json" "$out.csv" "$out.log" \
        "$out.status" "$truth" "$ICS_SCAN_RANGE" "$WORK/hops.before" "$WORK/hops.after" "${extra[@]}" \
        || FAILED+=("$name")
}
TRUTH=$ICS_TESTBED_STATE/ground-truth.tsv
# Scans: one probe a target, every record a row.
ROWS=(-P 1 --output-filter "" -f "$FIELDS")
run_case ring rx_ring_full 0 "$TRUTH" "ICS_TEST_RECORD_RING=256 ICS_TEST_OUTPUT_NAP_US=5000" -r 100000 \
    "${ROWS[@]}" -o "$WORK/ring.csv"
run_case missed nic.rx_missed 0 "$TRUTH" ICS_TEST_AF_PACKET_FRAMES=16 -r 100000 "${ROWS[@]}" -o "$WORK/missed.csv"
# 10 kpps: the scan is still sending when its first -u row (after a second) says replies came.
run_case mbufs tx_alloc_failed 300 "$TRUTH" ICS_TEST_MBUFS=64 -r 10000 "${ROWS[@]}" -o "$WORK/mbufs.csv"
run_case arp rx_arp_ring_full 300 "$TRUTH" ICS_TEST_ARP_RING=2 -r 10000 "${ROWS[@]}" -o "$WORK/arp.csv"
run_case feedback out_feedback_dropped 0 - ICS_TEST_FEEDBACK_RING=2 -M trace --preprobe --max-ttl 4 \
    -r 50000 --replies-file "$WORK/feedback.csv" -o "$WORK/feedback.jsonl"
# The hop report (lib.sh) covers the last scan only: each case's lines above name its numbers.
((${#FAILED[@]} == 0)) || fail "losses not accounted for exactly in: ${FAILED[*]} (above)"
echo "PASS"
