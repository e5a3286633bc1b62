#!/usr/bin/env python3
"""Counts the hosts a tool found answering Echo, against the testbed's ground truth.

usage: count_hits.py GROUND_TRUTH.tsv RANGE RESULTS FORMAT
FORMAT: engine (our CSV: saddr, classification), zmap (CSV with saddr), masscan (-oL lines).
Prints {"hits": found and expected, "expected": ..., "false_hits": found but not expected}.
"""
import csv
import ipaddress
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from check_scan import expected_for, load_truth  # noqa: E402


def found_addresses(path, fmt):
    if not os.path.exists(path):
        return set()
    if fmt == "engine":
        return {r["saddr"] for r in csv.DictReader(open(path)) if r.get("classification") == "echoreply"}
    if fmt == "zmap":  # one saddr per line; a header only without -q
        return {line.strip() for line in open(path)} - {"saddr", ""}
    # masscan -oL: "open icmp 0 198.18.0.5 1700000000"
    return {f[3] for f in (line.split() for line in open(path)) if len(f) >= 4 and f[0] in ("open", "up")}


def main():
    truth, rng, path, fmt = sys.argv[1:5]
    rules = load_truth(truth)
    expected = {str(a) for a in ipaddress.ip_network(rng) if expected_for(rules, a)[0] == "echoreply"}
    found = found_addresses(path, fmt)
    print(json.dumps({"hits": len(found & expected), "expected": len(expected),
                      "false_hits": len(found - expected)}))


if __name__ == "__main__":
    main()
