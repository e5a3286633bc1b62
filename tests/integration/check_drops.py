#!/usr/bin/env python3
"""Checks one drop_counters.sh run: every reply the testbed sent back is either a row of the output
or a loss the scanner named, and the metadata and the status line name the same losses.

usage: check_drops.py CASE COUNTER META.json ROWS.csv STDERR.log STATUS.csv TRUTH.tsv RANGE
                      HOPS_BEFORE.json HOPS_AFTER.json [ARP_SPRAYED]

COUNTER is the loss the case forces (rx_ring_full, nic.rx_missed, tx_alloc_failed,
rx_arp_ring_full, out_feedback_dropped): it must be above 0, and the metadata must list the test
sizes in effect. TRUTH "-" (a trace run) leaves out the checks against the truth (wire, truth, and
the rows' targets): output then checks rows = out_written = out_records - out_filtered. ROWS must hold saddr, probe_daddr, type, code, repeat and
be written with --output-filter "" (every record a row). The scanner ran with -G and the gateway
had a permanent neighbour entry for it, so no ARP crossed the link but the ARP_SPRAYED requests
the test sent itself. Checks, each exact:
  wire:      frames that reached scan0 (its kernel RX count) = the truth's replies + ARP_SPRAYED
             (the testbed lost nothing: a failure here is the testbed's, not the scanner's);
  port:      frames that reached scan0 = rx_frames + nic.rx_missed + nic.rx_nombuf;
  frames:    rx_frames = rx_valid + rx_ring_full + every named reason a frame was not a result;
  truth:     the truth's replies + ARP_SPRAYED = rx_valid + rx_arp + rx_ring_full + nic.rx_missed
             + nic.rx_nombuf;
  output:    out_records = rx_valid, out_written = out_records, rows = out_written, and the rows
             are correct replies, one per target, the targets missing = the counted losses of
             replies (the port's drops less the sprayed ARP frames the RX lcore never saw);
  forced:    COUNTER > 0;
  reported:  the last status line's "[nic missed, no mbuf, ring full, tx alloc waits]" and the last
             -u row's drop_total equal the metadata's counters;
  sent:      every planned probe was sent or skipped by a trace schedule (a tiny pool delays
             probes, never loses them);
  arp:       with ARP_SPRAYED, rx_arp = ARP_SPRAYED and rx_arp_ring_full + arp_not_answered +
             the ARP replies the scanner sent (its ports' tx_packets - tx_probes) = ARP_SPRAYED.
Prints the numbers it checked; exits 1 on any failure.
"""
import csv
import ipaddress
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_scan import TYPES, expected_for, load_truth  # noqa: E402

# Every reason rx_process_burst counts a frame under instead of queueing a record (rx_arp counts
# ARP frames whether queued for the control lcore or dropped, so rx_arp_ring_full is within it).
NOT_RESULTS = ["rx_arp", "rx_not_ipv4", "rx_truncated", "rx_bad_ip_header", "rx_ip_checksum",
               "rx_fragment", "rx_not_icmp", "rx_icmp_ignored", "rx_not_our_address",
               "rx_quote_invalid", "rx_cookie_invalid"]
STATUS_DETAIL = re.compile(r"\[nic missed (\d+), no mbuf (\d+), ring full (\d+), tx alloc waits (\d+)\]")


def truth_replies(truth, rng):
    """Each address of the range that answers, with the (type, code, sender) it answers with."""
    rules, out = load_truth(truth), {}
    for addr in rng:
        expect, code, sender = expected_for(rules, addr)
        if expect != "none":
            out[addr] = (TYPES[expect], code, str(addr) if sender == "-" else sender)
    return out


def check_rows(rows_path, want):
    """Problems with the rows (wrong reply, repeated target), and the targets missing."""
    problems, seen = [], set()
    for r in csv.DictReader(open(rows_path)):
        addr = ipaddress.ip_address(r["probe_daddr"])
        w = want.get(addr)
        got = (int(r["type"]), r["code"], r["saddr"])
        if w is None or got[0] != w[0] or got[2] != w[2] or (w[0] != 0 and got[1] != w[1]):
            problems.append(f"row for {addr}: {got}, the truth says {w}")
        if addr in seen:
            problems.append(f"two rows for {addr}")
        seen.add(addr)
    return problems, len(seen), len(set(want) - seen)


def last_status(stderr_path, status_path):
    lines = [line for line in open(stderr_path) if "; drops: " in line]
    rows = list(csv.DictReader(open(status_path)))
    return (lines[-1] if lines else None), (rows[-1] if rows else None)


def scan0_rx(before, after):
    a, b = json.load(open(before)), json.load(open(after))
    return b["ns"]["ics-scan"]["dev"]["scan0"]["rx_packets"] - a["ns"]["ics-scan"]["dev"]["scan0"]["rx_packets"]


def main():
    if len(sys.argv) not in (11, 12):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    case, counter, meta, rows_path, stderr_path, status_path, truth, rng, hb, ha = sys.argv[1:11]
    sprayed = int(sys.argv[11]) if len(sys.argv) == 12 else 0
    m = json.load(open(meta))
    c, nic = m["counters"], m["nic"]
    # Trace runs ("-" for TRUTH) have no one-reply-per-address truth: the checks of the port, the
    # frames, the rows' count and the report still hold exactly.
    want = truth_replies(truth, ipaddress.ip_network(rng)) if truth != "-" else None
    expected = len(want) * m["probes"] if want is not None else None
    missed, nombuf, ring_full = nic["rx_missed"], nic["rx_nombuf"], c["rx_ring_full"]
    losses = ring_full + missed + nombuf
    wire = scan0_rx(hb, ha)
    fails = []
    knobs = {k: v for k, v in m.get("test_sizes", {}).items() if v}
    print(f"  [{case}] test sizes in the metadata: {knobs}")

    def check(name, ok, text):
        print(f"  [{case}] {name:9} {'ok  ' if ok else 'FAIL'} {text}")
        if not ok:
            fails.append(name)

    if want is not None:
        check("wire", wire == expected + sprayed,
              f"scan0 received {wire} frames; the truth's replies {expected} + ARP sprayed {sprayed}")
    check("port", wire == c["rx_frames"] + missed + nombuf,
          f"{wire} = rx_frames {c['rx_frames']} + nic.rx_missed {missed} + nic.rx_nombuf {nombuf}")
    named = {k: c[k] for k in NOT_RESULTS if c[k]}
    check("frames", c["rx_frames"] == c["rx_valid"] + ring_full + sum(named.values()),
          f"rx_frames {c['rx_frames']} = rx_valid {c['rx_valid']} + rx_ring_full {ring_full} + {named}")
    if want is not None:
        check("truth", expected + sprayed == c["rx_valid"] + c["rx_arp"] + losses,
              f"replies {expected} + ARP sprayed {sprayed} = rx_valid {c['rx_valid']} + rx_arp {c['rx_arp']} "
              f"+ rx_ring_full {ring_full} + nic.rx_missed {missed} + nic.rx_nombuf {nombuf}")
        # The port's drops may have been sprayed ARP frames: those the RX lcore never saw.
        reply_losses = losses - (sprayed - c["rx_arp"])
        problems, rows, absent = check_rows(rows_path, want)
        check("output", c["out_records"] == c["rx_valid"] and c["out_written"] == c["out_records"]
              and rows == c["out_written"] and not problems and absent == reply_losses,
              f"rx_valid {c['rx_valid']} = out_records {c['out_records']} = out_written {c['out_written']} "
              f"= rows {rows}; targets missing {absent} = replies lost {reply_losses}; {problems[:3]}")
    else:
        rows = sum(1 for _ in csv.DictReader(open(rows_path)))
        kept = c["out_records"] - c["out_filtered"]
        check("output", c["out_records"] == c["rx_valid"] and c["out_written"] == kept and rows == kept,
              f"rx_valid {c['rx_valid']} = out_records {c['out_records']}; out_written {c['out_written']} "
              f"= rows {rows} = out_records - out_filtered {c['out_filtered']}")
    value = nic[counter[4:]] if counter.startswith("nic.") else c[counter]
    check("forced", value > 0 and bool(knobs), f"{counter} = {value}, with {knobs}")
    line, row = last_status(stderr_path, status_path)
    detail = STATUS_DETAIL.search(line) if line else None
    shown = tuple(map(int, detail.groups())) if detail else (0, 0, 0, 0)
    meta_drops = (missed, nombuf, ring_full + c["rx_arp_ring_full"], c["tx_alloc_failed"])
    check("reported", line is not None and row is not None and shown == meta_drops
          and int(row["drop_total"]) == sum(meta_drops[:3]),
          f"status line [missed, no mbuf, ring full, tx alloc waits] {list(shown)}, -u drop_total "
          f"{row and row['drop_total']}; metadata {list(meta_drops)}")
    check("sent", m["completed"] and m["packets_not_sent"] == 0,
          f"sent {m['packets_sent']} of {m['packets_planned']}, {c['tx_trace_skipped']} skipped by a trace "
          f"schedule, {m['packets_not_sent']} not sent (tx_alloc_failed {c['tx_alloc_failed']})")
    if sprayed:
        arp_out = sum(p["tx_packets"] for p in m["ports"]) - c["tx_probes"]
        dropped = c["rx_arp_ring_full"] + c["arp_not_answered"]
        check("arp", c["rx_arp"] == sprayed and dropped + arp_out == sprayed,
              f"rx_arp {c['rx_arp']}, rx_arp_ring_full {c['rx_arp_ring_full']} + arp_not_answered "
              f"{c['arp_not_answered']} + ARP replies sent {arp_out} = sprayed {sprayed}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
