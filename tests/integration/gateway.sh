#!/usr/bin/env bash
# Gateway handling: a silent gateway fails after 3 ARP requests 1 s apart (counted on the wire)
# with one sentence naming the address asked for and the port (exit 1), leaving the user's
# existing -o, -m, -u and --replies-file files byte for byte as they were (a run opens them only
# once it is about to send); -G skips ARP and the scan still gets its replies (the scanner still
# answers the router's ARP for its own address); JSON lines output parses; -m is written whole
# over a longer old file.
source "$(dirname "$0")/lib.sh"
testbed_up
printf 'saddr\n198.18.0.1\n' > "$WORK/old.csv"
printf '{"old": true}\n' > "$WORK/old.json"
printf 'old status rows\n' > "$WORK/old-status.csv"
printf 'old replies\n' > "$WORK/old-replies.csv"
for f in old.csv old.json old-status.csv old-replies.csv; do cp "$WORK/$f" "$WORK/$f.orig"; done
unchanged() {  # file...
    for f in "$@"; do
        cmp -s "$WORK/$f" "$WORK/$f.orig" || fail "a run that never sent changed $f: $(head -c 200 "$WORK/$f")"
    done
}

# What the scanner asked, seen from the gateway's side of the link (frames.py: an AF_PACKET socket
# in r1, bounded in time): the requests are counted, and their spacing is checked from below only
# ("1 s apart": the scanner waits a full second after each, and a loaded machine only delays the
# next; 0.1 s is left for the capture's own receive stamps).
capture_start "$ICS_GATEWAY_NS" "$ICS_GATEWAY_IF" "$WORK/arp.pcap"
rc=0
scan -q --gateway-ip 198.19.255.77 -o "$WORK/old.csv" -m "$WORK/old.json" -u "$WORK/old-status.csv" \
    198.18.0.0/24 2> "$WORK/err" || rc=$?
capture_stop
[[ $rc == 1 ]] || fail "a silent gateway must fail the scan with status 1, got $rc"
grep -q "the gateway 198.19.255.77 did not answer 3 ARP requests sent from $ICS_SCANNER_IP on port 0" "$WORK/err" \
    || fail "unexpected message: $(cat "$WORK/err")"
unchanged old.csv old.json old-status.csv
PYTHONPATH=$SRC/tests/integration python3 - "$WORK/arp.pcap" "$ICS_SCANNER_IP" <<'PY' \
    || fail "ARP on the wire: $(python3 "$SRC/tests/integration/frames.py" print "$WORK/arp.pcap")"
import socket, sys
from frames import records
asks = [t for t, outgoing, f in records(sys.argv[1])
        if not outgoing and f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01"
        and f[28:32] == socket.inet_aton(sys.argv[2]) and f[38:42] == socket.inet_aton("198.19.255.77")]
gaps = [b - a for a, b in zip(asks, asks[1:])]
print(f"  silent gateway: {len(asks)} ARP requests on the wire, "
      f"{', '.join(f'{g:.3f}' for g in gaps)} s apart ({asks[-1] - asks[0] if asks else 0:.3f} s from first to last)")
if len(asks) != 3 or any(g < 0.9 for g in gaps):
    sys.exit("FAIL: the scanner must ask for the gateway 3 times, 1 s apart")
PY
echo "  silent gateway: exit status $rc, -o/-m/-u untouched: $(cat "$WORK/err")"

rc=0
scan -q -M trace --max-ttl 4 --gateway-ip 198.19.255.77 -o "$WORK/old.csv" --replies-file "$WORK/old-replies.csv" \
    -m "$WORK/old.json" 198.18.0.0/24 2> "$WORK/err" || rc=$?
[[ $rc == 1 ]] || fail "a silent gateway must fail the trace with status 1, got $rc"
unchanged old.csv old.json old-replies.csv
echo "  silent gateway, -M trace: exit status $rc, -o/--replies-file/-m untouched"

gw_mac=$(ip netns exec ics-r1 cat /sys/class/net/r1-scan/address)
# An old metadata file far longer than the new one: a write in place would leave its tail.
head -c 200000 /dev/zero | tr '\0' 'x' > "$WORK/g.json"
scan -q -G "$gw_mac" -c 1 -O json --output-filter "" -o "$WORK/g.jsonl" -m "$WORK/g.json" 198.18.1.0/24 198.18.96.0/30
leftovers=$(find "$WORK" -maxdepth 1 -name '.g.json.*' | wc -l)
[[ $leftovers == 0 ]] || fail "$leftovers temporary metadata file(s) left beside -m"
python3 - "$WORK/g.jsonl" "$WORK/g.json" <<'PY'
import json, sys

def require(ok, message):
    if not ok:
        raise SystemExit(f"FAIL: gateway: {message}")

rows = [json.loads(l) for l in open(sys.argv[1])]
echo = {r["saddr"] for r in rows if r["classification"] == "echoreply"}
unreach = [r for r in rows if r["classification"] == "unreach"]
require(len(echo) == 256, f"{len(echo)} addresses gave an echo reply, expected 256")
require(len(unreach) == 4 and all(r["code"] == 1 and r["saddr"] == "198.19.2.2" for r in unreach),
        f"{len(unreach)} unreach rows, expected 4 of code 1 from 198.19.2.2: {unreach}")
odd = [r for r in rows if not (isinstance(r["rtt_us"], int) and r["timestamp_str"].endswith("+0000"))]
require(not odd, f"{len(odd)} rows without an integer rtt_us and a +0000 timestamp_str, e.g. {odd[:3]}")
print(f"  -G: {len(echo)} echo replies and {len(unreach)} host unreachables from 198.19.2.2, as JSON lines")
meta = json.load(open(sys.argv[2]))  # the whole file is one JSON document
require(meta["completed"] is True and meta["packets_sent"] == 260,
        f"completed {meta['completed']!r}, packets_sent {meta['packets_sent']}, expected True and 260")
print(f"  -m: written whole over a 200 kB old file ({len(open(sys.argv[2]).read())} bytes, completed)")
PY
echo "PASS"
