#!/usr/bin/env python3
"""Compares a scan's results with the testbed's ground truth.

usage: check_scan.py RESULTS.csv GROUND_TRUTH.tsv RANGE|@HITLIST

RESULTS must hold saddr, probe_daddr, type, code and repeat (written with --output-filter "" or
"repeat = 0"); IPv6 results (-6) also outersaddr, the sender (their saddr is ZMapv6's: an error's
quoted destination). Every address of RANGE, or of the hitlist file (one address a line, IPv6),
is checked: answering hosts must appear exactly once as an echo reply from themselves; addresses
that draw an error must appear with the right type, code and sender; dead hosts must not appear;
nothing else may. Prints the counts found/expected per kind and exits 1 on any difference.
"""
import csv
import ipaddress
import sys
from collections import Counter, defaultdict

TYPES = {"echoreply": 0, "unreach": 3, "timxceed": 11}  # ICMP; check_drops.py imports it
TYPES6 = {"echoreply": 129, "unreach": 1, "timxceed": 3}  # ICMPv6


def load_truth(path):
    rules = []
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        prefix, expect, code, sender = line.split()[:4]
        rules.append((ipaddress.ip_network(prefix), expect, code, sender))
    rules.sort(key=lambda r: r[0].prefixlen, reverse=True)
    return rules


def expected_for(rules, addr):
    for net, expect, code, sender in rules:
        if addr in net:
            return expect, code, sender
    return "none", "-", "-"


def targets_of(spec):
    if spec.startswith("@"):
        return [ipaddress.ip_address(line.split()[0]) for line in open(spec[1:])
                if line.strip() and not line.startswith("#")]
    return ipaddress.ip_network(spec)


def main():
    results, truth, rng = sys.argv[1], sys.argv[2], targets_of(sys.argv[3])
    rules = load_truth(truth)
    rows = defaultdict(list)
    for row in csv.DictReader(open(results)):
        if row.get("repeat", "0") != "0":
            continue
        rows[ipaddress.ip_address(row["probe_daddr"])].append(row)

    found, expected, problems = Counter(), Counter(), []
    for addr in rng:
        types = TYPES6 if addr.version == 6 else TYPES
        expect, code, sender = expected_for(rules, addr)
        key = expect if expect in ("none", "echoreply") else f"{expect}/{code}"
        expected[key] += 1
        got = rows.pop(addr, [])
        if expect == "none":
            if got:
                problems.append(f"{addr}: expected no reply, got {len(got)}")
            else:
                found[key] += 1
            continue
        if len(got) != 1:
            problems.append(f"{addr}: expected one {key}, got {len(got)} rows")
            continue
        r = got[0]
        want_sender = str(addr) if sender == "-" else sender
        got_sender = r["outersaddr"] if addr.version == 6 else r["saddr"]
        ok = int(r["type"]) == types[expect] and got_sender == want_sender
        if addr.version == 6:  # ZMapv6's saddr: the address the reply is about
            ok = ok and r["saddr"] == str(addr)
        if expect != "echoreply":
            ok = ok and r["code"] == code
        if ok:
            found[key] += 1
        else:
            problems.append(f"{addr}: expected {key} from {want_sender}, got type {r['type']} "
                            f"code {r['code']} from {got_sender} (saddr {r['saddr']})")
    for addr, extra in rows.items():
        problems.append(f"{addr}: outside {sys.argv[3]} but reported {len(extra)} times")

    for key in sorted(expected):
        print(f"  {key:12} found {found[key]:6} / expected {expected[key]:6}")
    if problems:
        print(f"{len(problems)} differences, first ones:")
        for p in problems[:20]:
            print("   ", p)
        return 1
    print("results match the ground truth exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
