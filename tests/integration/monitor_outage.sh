#!/usr/bin/env bash
# Monitor mode's outage events (issue 14's acceptance), checked by check_monitor.py against
# scripts/testbed-impair.sh's logs: three /24s of h1 monitored every 200 ms (--down-after 3) while
# one goes silent for 5 s (a blackhole route before the host) and another answers Destination
# Unreachable code 1 for 3 s. Every target of each impaired prefix has exactly one down and one up
# event, the outage's length within one period of the logged one (its start and end too) and its lost
# rounds those the summaries count; the unreachable prefix's down events carry type 3 code 1 from
# the logged sender and its summaries count one ICMP error per lost round; the third prefix has no
# event, loss or error.
source "$(dirname "$0")/lib.sh"
testbed_up
IMPAIR=$SRC/scripts/testbed-impair.sh
O=198.18.12.0/24 U=198.18.13.0/24 C=198.18.14.0/24
scan_bg -M monitor --period 200ms --count 50 --timeout 500ms --down-after 3 -Q 1s -o "$WORK/sum.jsonl" \
    -m "$WORK/meta.json" $O $U $C 2> "$WORK/stderr.txt"
# Once the first summaries are out, every target has answered rounds before the outages.
wait_until 30 "the first summaries" test -s "$WORK/sum.jsonl"
"$IMPAIR" outage 5 $O
"$IMPAIR" unreachable 3 $U 1
OLOG=$("$IMPAIR" log outage $O) ULOG=$("$IMPAIR" log unreachable $U)
wait_until 30 "the outage's end" grep -q '^end ' "$OLOG"
wait_until 30 "the unreachable time's end" grep -q '^end ' "$ULOG"
kill -0 "$SCAN_JOB" 2>/dev/null || fail "the monitor run ended before the outage did"
wait "$SCAN_JOB" || { cat "$WORK/stderr.txt" >&2; fail "the monitor run failed"; }
python3 "$SRC/tests/integration/check_monitor.py" outage "$WORK/sum.jsonl" "$WORK/meta.json" "$WORK/stderr.txt" \
    200 $O "$OLOG" $U "$ULOG"
echo "PASS"
