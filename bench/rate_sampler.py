#!/usr/bin/env python3
"""Measures a sender's rate where its packets pass: polls an interface counter (a sysfs
statistics file, read in the namespace that owns the interface) every 2 ms, from the first change
until it has been still for --idle seconds (or --timeout passes), and prints one JSON object:
packets, and the rate over the middle 98 % of them (stray frames before or after a run, such as
ARP, do not stretch the time), with the seconds that took.

    ip netns exec NS bench/rate_sampler.py /sys/class/net/IF/statistics/rx_packets
"""
import argparse
import json
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("counter")
    ap.add_argument("--idle", type=float, default=1.0)
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()
    f = open(args.counter)

    def read():
        f.seek(0)
        return int(f.read())

    start = read()
    deadline = time.monotonic() + args.timeout
    timeline = []  # (time, count) at every change
    last = start
    while time.monotonic() < deadline:
        v = read()
        now = time.monotonic()
        if v != last:
            timeline.append((now, v - start))
            last = v
        elif timeline and now - timeline[-1][0] > args.idle:
            break
        time.sleep(0.002)
    packets = last - start

    def crossing(count):  # first time the counter reached `count`
        return next(t for t, v in timeline if v >= count)

    seconds = pps = 0
    if packets >= 100:
        lo, hi = packets * 0.01, packets * 0.99
        seconds = crossing(hi) - crossing(lo)
        pps = round((hi - lo) / seconds) if seconds > 0 else 0
    print(json.dumps({"packets": packets, "seconds": round(seconds, 4), "pps": pps}))


if __name__ == "__main__":
    main()
