#!/usr/bin/env python3
"""Checks every RTT a run produced, not a summary of them.

usage: check_rtt.py META.json [--rows CSV] [--paths JSONL]

- metadata: no reply was received before its send stamp (rx_clock_disagrees = 0), and the
  RTT error summary covers every validated reply;
- every row (--rows, a CSV with rtt_us and optionally rtt_err_us): 0 <= rtt_us <= the cooldown
  (a value above 2^31 is a negative one stored unsigned), and 1 <= rtt_err_us <= rtt_us + 1
  (the estimate never sits closer to the send stamp than its own error bound allows);
- every hop of every path (--paths, scamper-style JSON lines, rtt in ms): 0 <= rtt <= the cooldown.
Exits 1 naming the first bad values and how many there were.
"""
import argparse
import csv
import json
import sys


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check_meta(m):
    c = m["counters"]
    if c["rx_clock_disagrees"] != 0:
        fail(f"{c['rx_clock_disagrees']} replies were received before their send stamp")
    bound = m["rtt_error_bound_us"]
    if bound["replies"] != m["validation_passed"]:
        fail(f"the RTT error summary covers {bound['replies']} replies of {m['validation_passed']}")
    return m["cooldown_secs"] * 1e6


def check_rows(path, limit_us):
    bad, n, worst = [], 0, (0, 0)
    for row in csv.DictReader(open(path)):
        n += 1
        rtt = int(row["rtt_us"])
        err = int(row["rtt_err_us"]) if "rtt_err_us" in row else None
        ok = 0 <= rtt <= limit_us and (err is None or 1 <= err <= rtt + 1)
        if not ok:
            bad.append((row.get("saddr"), rtt, err))
        worst = max(worst, (rtt, err or 0))
    if bad:
        fail(f"{len(bad)} of {n} rows have an RTT out of [0, {limit_us:.0f}] us or a bound that does not fit "
             f"it, for example (saddr, rtt_us, rtt_err_us) {bad[:5]}")
    if n == 0:
        fail(f"{path} has no rows")
    print(f"  RTTs: {n} rows, all within [0, {limit_us / 1e6:g} s]; the largest {worst[0]} us "
          f"(bound {worst[1]} us)")


def check_paths(path, limit_us):
    bad, n, largest = [], 0, 0.0
    for line in open(path):
        p = json.loads(line)
        for h in p.get("hops", []):
            n += 1
            rtt_us = h["rtt"] * 1000
            largest = max(largest, rtt_us)
            if not 0 <= rtt_us <= limit_us:
                bad.append((p["dst"], h["probe_ttl"], h["rtt"]))
    if bad:
        fail(f"{len(bad)} of {n} hops have an RTT out of [0, {limit_us / 1000:.0f}] ms, for example "
             f"(dst, probe_ttl, rtt ms) {bad[:5]}")
    if n == 0:
        fail(f"{path} has no hops")
    print(f"  hop RTTs: {n} hops, all within [0, {limit_us / 1e6:g} s]; the largest {largest:.0f} us")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("meta")
    ap.add_argument("--rows")
    ap.add_argument("--paths")
    a = ap.parse_args()
    m = json.load(open(a.meta))
    limit_us = check_meta(m)
    b = m["rtt_error_bound_us"]
    print(f"  RTT error bound: max {b['max']} us, mean {b['mean']:.1f} us, p99 <= {b['p99_at_most']} us; "
          f"longest send stamp lag {m['send_stamp_lag_max_us']:.0f} us")
    if a.rows:
        check_rows(a.rows, limit_us)
    if a.paths:
        check_paths(a.paths, limit_us)


if __name__ == "__main__":
    main()
