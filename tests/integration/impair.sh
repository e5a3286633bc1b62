#!/usr/bin/env bash
# scripts/testbed-impair.sh does what it logs and counts, checked with fping from the scanner's
# namespace (check_impair.py): injected loss matches its nft counters and fping's replies, only on
# its prefix, and lands in the binomial interval; the delay responder answers every request that
# passed the loss rule, once (the kernel's own replies dropped), never before its delay, and the
# kernel answers again after `delay off` and after the responder's lifetime; an outage loses one run
# of probes inside its logged start and end; unreachable routes answer every probe with the logged
# code from the logged sender; `clear` undoes each, and testbed.sh down stops running jobs.
source "$(dirname "$0")/lib.sh"
testbed_up
IMPAIR=$SRC/scripts/testbed-impair.sh
export ICS_DELAY_RESPONDER=${ICS_DELAY_RESPONDER:-$SRC/build/tests/tools/delay_responder}
CHECK=$SRC/tests/integration/check_impair.py
# fping needs a kernel address on scan0 (the scanner has none); the namespace goes with the testbed.
ip netns exec "$ICS_SCAN_NS" ip addr add "$ICS_SCANNER_IP/24" dev "$ICS_SCAN_IF"
ip netns exec "$ICS_SCAN_NS" ip route add default via "$ICS_GATEWAY_IP"
pinger() { timeout 120 ip netns exec "$ICS_SCAN_NS" fping "$@"; }
echo_replies_in() {  # Echo Replies the pinger's namespace has received so far
    ip netns exec "$ICS_SCAN_NS" awk '/^Icmp:/ { if (!n) { for (i = 1; i <= NF; i++) c[$i] = i; n = 1 }
        else print $c["InEchoReps"] }' /proc/net/snmp
}
answers_all() {  # COUNT TARGET: every probe answered (counted where the replies arrive, see check_impair.py)
    local before got
    before=$(echo_replies_in)
    pinger -q -c "$1" -p 5 "$2" 2>/dev/null || true
    got=$(($(echo_replies_in) - before))
    ((got == $1)) || fail "$2 answered $got of $1 probes"
}
impair_jobs() { for n in ics-h1 ics-h2 ics-h3 ics-r1 ics-r2 ics-r5 ics-r6; do ip netns pids "$n"; done; }
no_jobs() { [[ -z $(impair_jobs) ]]; }
no_tables() {  # NS: no impairment table left there
    if ip netns exec "$1" nft list tables | grep -q ics_; then fail "tables left in $1: $(ip netns exec "$1" nft list tables)"; fi
}

echo "loss"
P=198.18.5.0/24
"$IMPAIR" loss 10 $P
before=$(echo_replies_in)
pinger -q -c 1000 -p 1 -i 1 198.18.5.1 198.18.5.200 2> "$WORK/loss.txt" || true
"$IMPAIR" loss-stats $P > "$WORK/loss.stats"
python3 "$CHECK" loss "$WORK/loss.txt" "$WORK/loss.stats" 10 2000 $(($(echo_replies_in) - before))
answers_all 200 198.18.6.1  # the next /24, same host: untouched and uncounted
cmp -s "$WORK/loss.stats" <("$IMPAIR" loss-stats $P) || fail "probes to 198.18.6.1 changed $P's counters"
for pct in 0 100; do
    "$IMPAIR" loss $pct $P
    before=$(echo_replies_in)
    pinger -q -c 100 -p 1 198.18.5.7 2> "$WORK/loss.txt" || true
    "$IMPAIR" loss-stats $P > "$WORK/loss.stats"
    python3 "$CHECK" loss "$WORK/loss.txt" "$WORK/loss.stats" $pct 100 $(($(echo_replies_in) - before))
done
"$IMPAIR" clear $P
answers_all 50 198.18.5.7
no_tables ics-h1

echo "delay, with loss before it"
Q=198.18.9.0/24
"$IMPAIR" delay 20 $Q 120
"$IMPAIR" loss 30 $Q
before=$(echo_replies_in)
pinger -C 25 -p 100 -t 50 -i 1 198.18.9.1 198.18.9.2 198.18.9.3 198.18.9.4 > "$WORK/delay.txt" 2>&1 || true
"$IMPAIR" loss-stats $Q > "$WORK/delay.stats"
kernel_dropped=$(ip netns exec ics-h1 nft list table ip ics_delay_198_18_9_0_24 | awk '{ for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }')
DLOG=$("$IMPAIR" log delay $Q)
python3 "$CHECK" delay "$WORK/delay.txt" "$DLOG" "$WORK/delay.stats" 20 25 "$kernel_dropped" \
    $(($(echo_replies_in) - before))
"$IMPAIR" delay off $Q
"$IMPAIR" loss 0 $Q
answered=$(wc -l < "$DLOG")
answers_all 50 198.18.9.1
[[ $(wc -l < "$DLOG") == "$answered" ]] || fail "the responder answered after 'delay off'"
[[ -z $(impair_jobs) ]] || fail "processes left after 'delay off': $(impair_jobs)"
"$IMPAIR" clear $Q
no_tables ics-h1
# A responder's lifetime ends it and gives the prefix back to the kernel.
"$IMPAIR" delay 5 $Q 1
wait_until 15 "the responder's end after its 1 s lifetime" no_jobs
no_tables ics-h1
answers_all 50 198.18.9.1

echo "outage"
O=198.18.80.0/24
pinger -D -c 400 -p 20 198.18.80.1 > "$WORK/outage.txt" 2>&1 &
PING_JOB=$!
wait_until 30 "fping's first replies" grep -q '\[4\], ' "$WORK/outage.txt"
"$IMPAIR" outage 2 $O
OLOG=$("$IMPAIR" log outage $O)
wait_until 30 "the outage's end" grep -q '^end ' "$OLOG"
kill -0 $PING_JOB 2>/dev/null || fail "fping ended before the outage did"
wait $PING_JOB || true
python3 "$CHECK" outage "$WORK/outage.txt" "$OLOG" 2
[[ -z $(impair_jobs) ]] || fail "processes left after the outage: $(impair_jobs)"
answers_all 50 198.18.80.1

echo "unreachable"
for case in "198.18.125.0/24 1" "198.18.10.0/24 13"; do
    read -r U code <<< "$case"
    target=${U%0/24}1
    "$IMPAIR" unreachable 60 "$U" "$code"
    pinger -c 50 -p 10 -i 1 "$target" > "$WORK/unreach.txt" 2>&1 || true
    "$IMPAIR" clear "$U"
    python3 "$CHECK" unreachable "$WORK/unreach.txt" "$("$IMPAIR" log unreachable "$U")" "$code" "$target" 50
    answers_all 50 "$target"
done

echo "testbed.sh down stops what still runs"
"$IMPAIR" delay 10 $Q 600
"$IMPAIR" outage 600 $O
mapfile -t jobs < <(impair_jobs)
((${#jobs[@]} >= 3)) || fail "expected a delay job, its responder and an outage job, found ${jobs[*]}"
"$SRC/scripts/testbed.sh" down >/dev/null
for pid in "${jobs[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then fail "process $pid still runs after testbed.sh down"; fi
done
echo "PASS"
