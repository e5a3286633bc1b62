#!/usr/bin/env bash
# Trace mode on the testbed: every target of the range (all branches: paths of 1 to 6 hops, dead
# hosts, unreachable routes, a loop, a silent router) gets exactly the path of the truth table, and
# scamper (icmp-paris) finds the same hop per TTL, stop reason and hop count for a sample of them.
source "$(dirname "$0")/lib.sh"
testbed_up
scan -M trace --max-ttl 8 -r 50000 -c 2 -q -o "$WORK/paths.jsonl" --replies-file "$WORK/replies.csv" \
    -m "$WORK/meta.json" "$ICS_SCAN_RANGE"

# scamper needs a kernel address on the interface: the scanner's, now that our trace is done.
ip netns exec "$ICS_SCAN_NS" ip addr add "$ICS_SCANNER_IP/24" dev "$ICS_SCAN_IF"
ip netns exec "$ICS_SCAN_NS" ip route add 198.18.0.0/15 via "$ICS_GATEWAY_IP"
python3 - "$ICS_TESTBED_STATE/trace-truth.tsv" "$ICS_SCAN_RANGE" > "$WORK/sample.txt" <<'PY'
import ipaddress, random, sys
rng = random.Random(4)
scope = ipaddress.ip_network(sys.argv[2])
picked = set(str(a) for a in rng.sample(list(scope), 200))
for line in open(sys.argv[1]):
    if line.startswith("#"): continue
    net = ipaddress.ip_network(line.split("\t")[0])
    picked.update(str(a) for a in rng.sample(list(net), min(4, net.num_addresses)))
print("\n".join(sorted(picked, key=ipaddress.ip_address)))
PY
timeout 120 ip netns exec "$ICS_SCAN_NS" scamper -O json -p 2000 -c "trace -P icmp-paris -q 1 -w 1 -m 8" \
    -f "$WORK/sample.txt" > "$WORK/scamper.json"
python3 "$SRC/tests/integration/check_trace.py" "$WORK/paths.jsonl" "$ICS_TESTBED_STATE/trace-truth.tsv" \
    "$ICS_SCAN_RANGE" --scamper "$WORK/scamper.json"
python3 "$SRC/tests/integration/check_rtt.py" "$WORK/meta.json" --rows "$WORK/replies.csv" \
    --paths "$WORK/paths.jsonl"
python3 - "$WORK/meta.json" "$WORK/replies.csv" <<'PY'
import csv, json, sys

def require(ok, message):
    if not ok:
        raise SystemExit(f"FAIL: trace_paths: {message}")

m = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
c = m["counters"]
print(f"  sent {m['packets_sent']} probes at {m['achieved_rate']:.0f} pps; {m['validation_passed']} valid "
      f"replies; {len(rows)} reply rows; {m['trace']['interfaces']} router interfaces")
require(m["completed"] and m["packets_sent"] == 32768 * 8,
        f"completed {m['completed']}, sent {m['packets_sent']}, expected true and {32768 * 8}")
require(c["rx_cookie_invalid"] == 0 and c["rx_quote_invalid"] == 0 and c["out_not_attributed"] == 0,
        f"rx_cookie_invalid {c['rx_cookie_invalid']}, rx_quote_invalid {c['rx_quote_invalid']}, "
        f"out_not_attributed {c['out_not_attributed']}, expected 0, 0 and 0")
require(len(rows) == c["out_written"] > 0,
        f"{len(rows)} reply rows, out_written {c['out_written']}: expected equal and above 0")
repeated = [r for r in rows if r["repeat"] != "0"]
require(not repeated, f"{len(repeated)} reply rows with repeat other than 0, e.g. {repeated[:3]}")
ttls = {int(r["probe_ttl"]) for r in rows}
require(ttls == set(range(1, 9)), f"probe TTLs in the rows {sorted(ttls)}, expected 1 to 8")
# r1, r2, r3, r5, r6 (r4 is silent).
require(m["trace"]["interfaces"] == 5, f"{m['trace']['interfaces']} router interfaces, expected 5 (trace {m['trace']})")
PY
echo "PASS"
