#!/usr/bin/env python3
"""The answers of ours (-6), scamper (ping -P icmp-echo) and fping -6 to the same IPv6 targets,
target by target, against the testbed's ground truth and against one another
(bench/ipv6_peers.sh runs the tools).

usage: peers6_answers.py GROUND_TRUTH6.tsv HITLIST OURS.csv SCAMPER.json FPING.txt

OURS.csv holds saddr, outersaddr, type, code (every reply: --output-filter "repeat = 0"); ZMapv6's
saddr is the target an error is about, outersaddr its sender. SCAMPER.json is scamper's -O json of
one `ping -c 1` a target; FPING.txt is fping's stdout ("ADDR is alive (RTT ms)" / "ADDR is unreachable":
fping 5.1 reports no ICMPv6 error, so it is compared on which targets answered). Prints one line
a tool and each difference; exits 1 on any.
"""
import csv
import ipaddress
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from check_scan import TYPES6, expected_for, load_truth  # noqa: E402


def addr(text):
    return str(ipaddress.ip_address(text))


def ours(path):
    return {addr(r["saddr"]): (int(r["type"]), int(r["code"]), addr(r["outersaddr"]))
            for r in csv.DictReader(open(path))}


def scamper(path):
    got = {}
    for line in open(path):
        j = json.loads(line)
        if j.get("type") == "ping" and j.get("responses"):
            r = j["responses"][0]
            got[addr(j["dst"])] = (r["icmp_type"], r["icmp_code"], addr(r["from"]))
    return got


def fping(path):
    return {addr(line.split()[0]) for line in open(path) if " is alive" in line}


def main():
    truth_path, hitlist, ours_path, scamper_path, fping_path = sys.argv[1:6]
    rules = load_truth(truth_path)
    targets = [addr(line.split()[0]) for line in open(hitlist) if line.strip() and not line.startswith("#")]
    truth = {}
    for t in targets:
        expect, code, sender = expected_for(rules, ipaddress.ip_address(t))
        if expect != "none":
            truth[t] = (TYPES6[expect], int(code), t if sender == "-" else addr(sender))
    fails = []
    for tool, got in (("ours", ours(ours_path)), ("scamper", scamper(scamper_path))):
        wrong = [t for t in targets if got.get(t) != truth.get(t)]
        fails += [f"{tool}: {t}: {got.get(t)}, the truth {truth.get(t)}" for t in wrong]
        print(f"{tool}: {len(got)} of {len(targets)} targets answered ({sum(v[0] == 129 for v in got.values())} "
              f"echo replies, {sum(v[0] != 129 for v in got.values())} errors), {len(wrong)} differ from the truth")
    alive = fping(fping_path)
    echo = {t for t, v in truth.items() if v[0] == TYPES6["echoreply"]}
    fails += [f"fping: {t} alive, the truth {truth.get(t)}" for t in sorted(alive - echo)]
    fails += [f"fping: {t} not alive, the truth an echo reply" for t in sorted(echo - alive)]
    print(f"fping: {len(alive)} of {len(targets)} targets alive, {len(alive ^ echo)} differ from the truth's "
          f"{len(echo)} echo replies")
    print("\n".join(f"  DIFF {f}" for f in fails) or "  all three agree with the truth on every target")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
