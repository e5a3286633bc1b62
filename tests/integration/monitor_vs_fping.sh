#!/usr/bin/env bash
# Monitor mode side by side with fping 5.1 (issue 14's acceptance): the same 1,000 targets (four
# /24s of h1, .1-.250 each) and the same rounds (10 at a 1 s period, 900 ms timeout), with 10 %
# loss injected on one /24 (scripts/testbed-impair.sh, nft counters). One after the other, never at
# once (both would share scan0 and the routers): ours first, as it runs, with no kernel address on
# scan0; then fping -C 10 -p 1000 -i 1 -t 900 from the same namespace with the scanner's address
# given to the kernel for its run only (fping's -i 1 keeps the period: its default -i 10 caps it
# at 100 probes a second). The loss rule's counters are reset between the two runs.
#
# check_vs_fping.py checks every target, not a median: where nothing is injected, the same
# sent/received counts and RTT min/avg/max within the bound it states; on the lossy /24, both
# tools' losses inside the 99 % binomial interval, and ours exactly the nft dropped counter of our
# run (no reply lost or invented, none late, none duplicate).
source "$(dirname "$0")/lib.sh"
testbed_up
IMPAIR=$SRC/scripts/testbed-impair.sh
LOSSY=198.18.3.0/24
ROUNDS=10
python3 -c 'print("\n".join(f"198.18.{n}.{h}" for n in (1, 2, 3, 4) for h in range(1, 251)))' > "$WORK/targets.txt"
echo_replies_in() {  # Echo Replies the scanner's namespace kernel has received so far
    ip netns exec "$ICS_SCAN_NS" awk '/^Icmp:/ { if (!n) { for (i = 1; i <= NF; i++) c[$i] = i; n = 1 }
        else print $c["InEchoReps"] }' /proc/net/snmp
}

"$IMPAIR" loss 10 "$LOSSY"
scan -M monitor -I "$WORK/targets.txt" --period 1s --count "$ROUNDS" --timeout 900ms --down-after 0 -O json \
    -o "$WORK/ours.jsonl" -m "$WORK/meta.json" --replies-file "$WORK/replies.csv" \
    -f probe_daddr,saddr,success,repeat,rtt_us,rtt_err_us --output-filter "" 2> "$WORK/ours.txt" ||
    fail "the monitor run failed: $(tail -3 "$WORK/ours.txt")"
"$IMPAIR" loss-stats "$LOSSY" > "$WORK/ours.stats"

"$IMPAIR" loss 10 "$LOSSY"  # the table anew: counters from zero for fping's run
ip netns exec "$ICS_SCAN_NS" ip addr add "$ICS_SCANNER_IP/24" dev "$ICS_SCAN_IF"
ip netns exec "$ICS_SCAN_NS" ip route add 198.18.0.0/15 via "$ICS_GATEWAY_IP"
before=$(echo_replies_in)
rc=0
timeout 60 ip netns exec "$ICS_SCAN_NS" fping -C "$ROUNDS" -p 1000 -i 1 -t 900 -q -f "$WORK/targets.txt" \
    2> "$WORK/fping.txt" || rc=$?
# fping exits 1 when a target answered nothing (the lossy /24 may do that); anything else failed.
((rc == 0 || rc == 1)) || fail "fping exited $rc: $(tail -3 "$WORK/fping.txt")"
echo $(($(echo_replies_in) - before)) > "$WORK/fping.replies_in"
"$IMPAIR" loss-stats "$LOSSY" > "$WORK/fping.stats"
ip netns exec "$ICS_SCAN_NS" ip route del 198.18.0.0/15 via "$ICS_GATEWAY_IP"
ip netns exec "$ICS_SCAN_NS" ip addr del "$ICS_SCANNER_IP/24" dev "$ICS_SCAN_IF"

python3 "$SRC/tests/integration/check_vs_fping.py" --targets "$WORK/targets.txt" --lossy "$LOSSY" \
    --rounds "$ROUNDS" --pct 10 --ours-text "$WORK/ours.txt" --ours-json "$WORK/ours.jsonl" \
    --ours-replies "$WORK/replies.csv" --ours-stats "$WORK/ours.stats" --fping "$WORK/fping.txt" \
    --fping-stats "$WORK/fping.stats" --fping-replies-in "$(cat "$WORK/fping.replies_in")"
echo "PASS"
