#!/usr/bin/env bash
# The one drop counter the testbed cannot force (issue 15): nic.rx_nombuf. af_packet leaves a frame
# in its socket's ring when it finds no mbuf, so there the loss shows as nic.rx_missed
# (drop_counters.sh). DPDK's pcap driver reads a frame from its file first and then takes an mbuf:
# with none, the frame is gone and counted in the port's rx_nombuf. So a scan reads a file of 4000
# ARP requests for its own address through net_pcap with a pool of 64 mbufs (ICS_TEST_MBUFS): the
# RX lcore queues the first frames for the control lcore, whose mbufs then wait in the ARP ring
# for its next pass (10 ms), while every RX poll loses the next frame of the file to the empty pool.
# Checked exactly: every frame of the file is a frame the scanner received or one rx_nombuf counted,
# every frame received is an ARP frame with one fate, every ARP fate adds up (answered ones are in
# the TX files), and the metadata, the last status line and the last -u row say the same loss.
# No network: the frames come from the file, the probes and answers go to two others (about 4 s; the
# file is read within about 0.5 s, and the 3 s cooldown leaves a loaded machine room for it).
set -euo pipefail
BIN=${ICS_BIN:?}
SRC=${ICS_SRC:?}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FRAMES=4000
SCANNER_IP=198.19.255.1
python3 - "$WORK/in.pcap" "$FRAMES" "$SCANNER_IP" <<'PY'
import socket, struct, sys
path, n, ip = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        mac = bytes([0x02, 0, 0, 0xAB, i >> 8 & 0xFF, i & 0xFF])
        sender = socket.inet_aton(f"198.19.255.{100 + i % 100}")
        arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + sender + b"\0" * 6 + socket.inet_aton(ip)
        frame = b"\xff" * 6 + mac + b"\x08\x06" + arp + b"\0" * 18
        f.write(struct.pack("<IIII", 1, i, len(frame), len(frame)) + frame)
PY
# Two TX files: the second is the control lcore's queue, for its ARP answers (with one, it has none).
ICS_TEST_MBUFS=64 "$BIN" --no-huge \
    --vdev "net_pcap0,rx_pcap=$WORK/in.pcap,tx_pcap=$WORK/probes.pcap,tx_pcap=$WORK/control.pcap" \
    -S "$SCANNER_IP" -G 02:00:00:00:00:fe -b /dev/null -r 100 -c 3 -o /dev/null -m "$WORK/meta.json" \
    -u "$WORK/status.csv" 198.18.0.0/28 2> "$WORK/stderr" || { cat "$WORK/stderr" >&2; echo "FAIL: the scan failed" >&2; exit 1; }
python3 - "$SRC/tests/integration" "$WORK" "$FRAMES" "$SCANNER_IP" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
from check_drops import STATUS_DETAIL, last_status
from check_spray import ARP_FATES, RX_FATES
from frames import records
work, frames, ip = sys.argv[2], int(sys.argv[3]), sys.argv[4]
m = json.load(open(f"{work}/meta.json"))
c, nic = m["counters"], m["nic"]
fails = []
def check(ok, text):
    print(("  ok   " if ok else "  FAIL ") + text)
    if not ok:
        fails.append(text)
nombuf, received = nic["rx_nombuf"], c["rx_frames"]
port_rx = sum(p["rx_packets"] for p in m["ports"])
check(nombuf > 0, f"nic.rx_nombuf {nombuf}, forced with a pool of 64 mbufs")
check(received + nombuf == frames and port_rx == received,
      f"{frames} frames in the file = rx_frames {received} + nic.rx_nombuf {nombuf}; the port's rx_packets {port_rx}"
      + ("" if received + nombuf >= frames else " (short: the run ended before RX read the whole file)"))
check(nic["rx_missed"] == 0 and c["rx_ring_full"] == 0, f"nothing else lost: nic.rx_missed {nic['rx_missed']},"
      f" rx_ring_full {c['rx_ring_full']}")
check(c["rx_arp"] == received == sum(c[k] for k in RX_FATES),
      f"every frame received is ARP (rx_arp {c['rx_arp']}) with one fate ({sum(c[k] for k in RX_FATES)})")
answers = sum(1 for name in ("probes", "control") for _, _, f in records(f"{work}/{name}.pcap")
              if f[12:14] == b"\x08\x06" and f[20:22] == b"\0\2")
check(c["rx_arp"] == sum(c[k] for k in ARP_FATES) and c["arp_answered"] == answers
      and c["arp_answered"] + c["arp_not_answered"] + c["rx_arp_ring_full"] == received,
      f"ARP: answered {c['arp_answered']} ({answers} answers captured) + not answered {c['arp_not_answered']}"
      f" + ring full {c['rx_arp_ring_full']} = {received} received")
line, row = last_status(f"{work}/stderr", f"{work}/status.csv")
detail = STATUS_DETAIL.search(line) if line else None
shown = tuple(map(int, detail.groups())) if detail else None
want = (nic["rx_missed"], nombuf, c["rx_ring_full"] + c["rx_arp_ring_full"], c["tx_alloc_failed"])
check(shown == want and row is not None and int(row["drop_total"]) == sum(want[:3]),
      f"status line [missed, no mbuf, ring full, tx alloc waits] {shown}, -u drop_total "
      f"{row and row['drop_total']}; metadata {list(want)}")
check(m["completed"] and m["packets_not_sent"] == 0, f"every probe sent: {m['packets_sent']} of {m['packets_planned']}")
sys.exit(1 if fails else 0)
PY
echo "PASS"
