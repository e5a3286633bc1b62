#!/usr/bin/env bash
# A scan of the whole testbed range at 100 kpps finds every answering address exactly once and
# nothing else, and every Destination Unreachable / Time Exceeded with its code, sender and probed
# target; the achieved rate is within 2 % of the requested one and nothing was dropped.
source "$(dirname "$0")/lib.sh"
testbed_up
scan -r 100000 -c 2 -q --output-filter "repeat = 0" -f saddr,probe_daddr,type,code,rtt_us,rtt_err_us,repeat \
    -o "$WORK/results.csv" -m "$WORK/meta.json" "$ICS_SCAN_RANGE"
python3 "$SRC/tests/integration/check_scan.py" "$WORK/results.csv" "$ICS_TESTBED_STATE/ground-truth.tsv" \
    "$ICS_SCAN_RANGE"
python3 "$SRC/tests/integration/check_rtt.py" "$WORK/meta.json" --rows "$WORK/results.csv"
python3 - "$WORK/meta.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
c = m["counters"]
rate = m["achieved_rate"]
print(f"  sent {m['packets_sent']} at {rate:.0f} pps (asked 100000); valid replies {m['validation_passed']}")
assert m["completed"] and m["stop_reason"] == "completed", m["stop_reason"]
assert abs(rate - 100000) <= 2000, f"achieved rate {rate:.0f} pps is not within 2% of 100000"
drops = {k: v for k, v in c.items() if k in ("rx_ring_full", "rx_arp_ring_full", "tx_alloc_failed") and v}
assert not drops and not m["nic"]["rx_missed"], f"drops: {drops} {m['nic']}"
assert c["rx_cookie_invalid"] == 0 and c["rx_quote_invalid"] == 0, c
PY
echo "PASS"
