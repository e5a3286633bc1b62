#!/usr/bin/env bash
# Seeds reply_parser_fuzz's corpus with real frames from the testbed: brings the testbed up, records
# every frame on the scanner's link (tests/integration/frames.py capture) while a scan and a trace
# of the testbed's range run, and keeps a few frames of each kind the scanner received (ARP
# requests and replies; Echo Replies; Destination Unreachable of each code; Time Exceeded from each
# router) and a few of the probes it sent, as tests/fuzz/corpus/reply_parser_fuzz/testbed-*.
# The kernel's routers and hosts made them, not our packet builders: real IP IDs, TTLs, DF bits,
# quote lengths and padding. Frames that make the same file name (the same kind from the same
# sender) are kept once, so a second run adds nothing new but what the testbed answered differently.
#
#   ICS_BIN=build/apps/dpdk-icmpscan/dpdk-icmpscan flock /tmp/ics-testbed.lock scripts/fuzz-corpus-capture.sh
#
# About 30 s: a scan at 20 kpps and a trace of 198.18.0.0/17, the testbed's usual range.
set -euo pipefail
cd "$(dirname "$0")/.."
ICS_SRC=$PWD
export ICS_SRC
# shellcheck disable=SC1091
source tests/integration/lib.sh
testbed_up
# One capture per mode: the file names say which mode's probes (and replies to them) a frame is.
capture_start "$ICS_SCAN_NS" "$ICS_SCAN_IF" "$WORK/scan.pcap"
scan -r 20000 -c 2 -q -o "$WORK/scan.csv" "$ICS_SCAN_RANGE"
capture_stop
capture_start "$ICS_SCAN_NS" "$ICS_SCAN_IF" "$WORK/trace.pcap"
scan -M trace --max-ttl 8 -r 50000 -c 2 -q -o "$WORK/paths.jsonl" "$ICS_SCAN_RANGE"
capture_stop
python3 - "$WORK" tests/fuzz/corpus/reply_parser_fuzz <<'PY'
import os, socket, sys
sys.path.insert(0, "tests/integration")
from frames import records

PER_KIND = 6  # frames kept of one kind (senders differ): enough variety, a corpus of kilobytes
work, out = sys.argv[1], sys.argv[2]
kept, per_kind = {}, {}
for mode in ("scan", "trace"):
    for _, outgoing, f in records(os.path.join(work, mode + ".pcap")):
        ethertype = f[12:14].hex()
        if ethertype == "0806":
            kind, sender = f"{mode}-arp-op{f[21]}", socket.inet_ntoa(f[28:32])
        elif ethertype == "0800" and len(f) >= 34 and f[23] == 1:
            ihl = (f[14] & 0x0F) * 4
            icmp = f[14 + ihl:]
            if len(icmp) < 2:
                continue
            kind = f"{mode}-{'sent' if outgoing else 'icmp'}-type{icmp[0]}-code{icmp[1]}"
            sender = socket.inet_ntoa(f[26:30] if not outgoing else f[30:34])
        else:
            kind, sender = f"{mode}-other-{ethertype}", "x"
        name = f"testbed-{kind}-{sender}"
        if name in kept or per_kind.get(kind, 0) >= PER_KIND:
            continue
        per_kind[kind] = per_kind.get(kind, 0) + 1
        kept[name] = f
for name, frame in sorted(kept.items()):
    with open(os.path.join(out, name), "wb") as fh:
        fh.write(frame)
print(f"{len(kept)} frames kept: " + ", ".join(f"{k} x{n}" for k, n in sorted(per_kind.items())))
PY
