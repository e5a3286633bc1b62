#!/usr/bin/env bash
# Monitor mode's RTTs against injected delay, and late replies (issue 14's acceptance), checked by
# check_monitor.py against the delay responder's log (scripts/testbed-impair.sh):
# - 20 ms on one /24 of h1, none on its neighbour (the base RTT, measured in the same run): every
#   reply row of the delayed prefix at least 20 ms (within its stated error bound), once per
#   responder answer; each delayed target's summary p50 within 0.5 ms of the base (the undelayed
#   prefix's p50 of rows) plus the responder's logged p50 hold of its requests (20 ms asked; a
#   loaded machine holds longer), and its p50/p90/p99 exactly its rows' nearest ranks (20 rounds
#   a period: the samples are kept); every target's min and max exact.
# - 300 ms with --timeout 200ms on another /24: every reply late (each target's late count equals the
#   responder's answers to it), none received in any round, every round lost. An outage (a blackhole
#   before the host) cuts the responder off once it has answered 5 rounds, so that every answer it
#   logged reaches the scanner before its run ends.
# - -Q periods: each summary's RTT figures are those of the replies to its own rounds (rows by round),
#   with a timeout (500 ms) longer than the period (200 ms), so that replies to a period's first
#   rounds arrive while the previous period's last round is still open (check_monitor.py period_rtt).
source "$(dirname "$0")/lib.sh"
# Rows with each RTT's error bound (an RTT is an estimate: the reply's arrival is known to a poll window).
FIELDS=(-f "saddr,probe_daddr,type,code,rtt_us,rtt_err_us,success,repeat,round")
testbed_up
IMPAIR=$SRC/scripts/testbed-impair.sh
CHECK=$SRC/tests/integration/check_monitor.py
export ICS_DELAY_RESPONDER=${ICS_DELAY_RESPONDER:-$SRC/build/tests/tools/delay_responder}

echo "delay 20 ms"
D=198.18.9.0/24 B=198.18.10.0/24
"$IMPAIR" delay 20 $D 120
scan -M monitor --period 200ms --count 20 --timeout 500ms -o "$WORK/sum.jsonl" -m "$WORK/meta.json" \
    "${FIELDS[@]}" --replies-file "$WORK/rows.csv" $D $B 2> "$WORK/stderr.txt" || { cat "$WORK/stderr.txt" >&2; fail "the monitor run failed"; }
"$IMPAIR" delay off $D
python3 "$CHECK" delay "$WORK/sum.jsonl" "$WORK/meta.json" "$WORK/stderr.txt" "$WORK/rows.csv" 20 $D $B \
    "$("$IMPAIR" log delay $D)"

echo "late replies: delay 300 ms, timeout 200 ms"
L=198.18.11.0/24
"$IMPAIR" delay 300 $L 120
LOG=$("$IMPAIR" log delay $L)
answered_rounds() { (($(wc -l < "$LOG") >= 256 * $1)); }
scan_bg -M monitor --period 200ms --count 30 --timeout 200ms -o "$WORK/late.jsonl" -m "$WORK/late.json" \
    "${FIELDS[@]}" --replies-file "$WORK/late.csv" $L 2> "$WORK/late.txt"
wait_until 30 "the responder's answers to 5 rounds" answered_rounds 5
"$IMPAIR" outage 600 $L
wait "$SCAN_JOB" || { cat "$WORK/late.txt" >&2; fail "the monitor run failed"; }
python3 "$CHECK" late "$WORK/late.jsonl" "$WORK/late.json" "$WORK/late.txt" "$WORK/late.csv" $L "$LOG"

echo "summary periods: RTTs by round"
scan -M monitor --period 200ms --count 10 --timeout 500ms -Q 1s -o "$WORK/q.jsonl" \
    -m "$WORK/q.json" "${FIELDS[@]}" --replies-file "$WORK/q.csv" 198.18.20.0/24 2> "$WORK/q.txt" ||
    { cat "$WORK/q.txt" >&2; fail "the monitor run failed"; }
python3 "$CHECK" period_rtt "$WORK/q.jsonl" "$WORK/q.json" "$WORK/q.txt" "$WORK/q.csv"
echo "PASS"
