#!/usr/bin/env bash
# Gateway handling: a silent gateway fails in about 3 s with one sentence naming the address asked
# for and the port (exit 1, no partial output); -G skips ARP and the scan still gets its replies
# (the scanner still answers the router's ARP for its own address); JSON lines output parses.
source "$(dirname "$0")/lib.sh"
testbed_up
start=$(date +%s)
rc=0
scan -q --gateway-ip 198.19.255.77 -o "$WORK/none.csv" 198.18.0.0/24 2> "$WORK/err" || rc=$?
[[ $rc == 1 ]] || fail "a silent gateway must fail the scan with status 1, got $rc"
took=$(( $(date +%s) - start ))
grep -q "the gateway 198.19.255.77 did not answer 3 ARP requests sent from $ICS_SCANNER_IP on port 0" "$WORK/err" \
    || fail "unexpected message: $(cat "$WORK/err")"
[[ ! -s "$WORK/none.csv" ]] || fail "rows or a header were written for a scan that never ran"
(( took <= 6 )) || fail "took $took s to give up"
echo "  silent gateway: exit status $rc after ${took} s: $(cat "$WORK/err")"

gw_mac=$(ip netns exec ics-r1 cat /sys/class/net/r1-scan/address)
scan -q -G "$gw_mac" -c 1 -O json --output-filter "" -o "$WORK/g.jsonl" 198.18.1.0/24 198.18.96.0/30
python3 - "$WORK/g.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
echo = {r["saddr"] for r in rows if r["classification"] == "echoreply"}
unreach = [r for r in rows if r["classification"] == "unreach"]
assert len(echo) == 256, len(echo)
assert len(unreach) == 4 and all(r["code"] == 1 and r["saddr"] == "198.19.2.2" for r in unreach), unreach
assert all(isinstance(r["rtt_us"], int) and r["timestamp_str"].endswith("+0000") for r in rows)
print(f"  -G: {len(echo)} echo replies and {len(unreach)} host unreachables from 198.19.2.2, as JSON lines")
PY
echo "PASS"
