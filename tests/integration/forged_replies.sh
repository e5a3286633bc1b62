#!/usr/bin/env bash
# Replies with a wrong cookie, injected on the wire while a scan runs, are counted and never
# reported: only the real replies of the real hosts appear.
source "$(dirname "$0")/lib.sh"
testbed_up
scan_bg -r 1000 -c 2 --output-filter "" -f saddr,probe_daddr,type,code,icmp_id,seq,repeat \
    -o "$WORK/results.csv" -m "$WORK/meta.json" 198.18.0.0/23 2> "$WORK/stderr"
# Once the gateway is resolved the receivers run (its ARP reply came through them) and sending
# starts: the forged replies arrive while the scan sends or cools down.
wait_until 60 "the gateway note" grep -q "gateway .* is at" "$WORK/stderr"
ip netns exec ics-r1 python3 "$SRC/tests/integration/forged_replies.py" "$ICS_SCANNER_IP" 400
wait "$SCAN_JOB" || fail "scanner failed: $(tail -3 "$WORK/stderr")"
python3 - "$WORK/results.csv" "$WORK/meta.json" <<'PY'
import csv, json, sys

def require(ok, message):
    if not ok:
        raise SystemExit(f"FAIL: forged_replies: {message}")

rows = list(csv.DictReader(open(sys.argv[1])))
m = json.load(open(sys.argv[2]))
c = m["counters"]
forged = [r for r in rows if r["icmp_id"] == str(0xF00D)]
print(f"  {len(rows)} rows, {c['rx_cookie_invalid']} rejected by cookie, {c['rx_quote_invalid']} by quote, "
      f"{len(forged)} forged rows reported")
require(not forged, f"{len(forged)} forged rows reported, e.g. {forged[:3]}")
require(c["rx_cookie_invalid"] >= 400, f"rx_cookie_invalid {c['rx_cookie_invalid']}, expected at least the 400 forged")
# Every host of 198.18.0.0/23 but the dead 198.18.0.13.
require(len(rows) == 512 - 1, f"{len(rows)} rows, expected {512 - 1}")
odd = [r for r in rows if not (r["type"] == "0" and r["repeat"] == "0")]
require(not odd, f"{len(odd)} rows not an echo reply with repeat 0, e.g. {odd[:3]}")
PY
echo "PASS"
