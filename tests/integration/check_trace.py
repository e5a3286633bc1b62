#!/usr/bin/env python3
"""Checks trace paths (scamper-style JSON lines) against the testbed's path truth and, optionally,
against scamper's own traces of some of the same targets.

usage: check_trace.py PATHS TRACE_TRUTH RANGE [--scamper SCAMPER_JSON] [--gaplimit N]

Every target of RANGE must have exactly one path whose stop reason, stop data, hop count and
address per TTL equal the truth. With --scamper, each target scamper traced must show the same
address at every TTL scamper probed, the same stop reason and hop count; the match rate is printed
and must be 100 %. Every check exits non-zero with what differed (never `assert`, which
PYTHONOPTIMIZE removes).
"""
import argparse
import collections
import ipaddress
import json
import sys


def require(ok, message):
    if not ok:
        raise SystemExit(f"check_trace: {message}")


def load_truth(path):
    rows = []
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        prefix, reason, data, hops = line.rstrip("\n").split("\t")[:4]
        rows.append((ipaddress.ip_network(prefix), reason, int(data), hops.split(",")))
    rows.sort(key=lambda r: r[0].prefixlen, reverse=True)
    return rows


def expected(truth, addr, gaplimit):
    a = ipaddress.ip_address(addr)
    for net, reason, data, hops in truth:
        if a in net:
            by_ttl = {ttl: (addr if h == "dst" else h) for ttl, h in enumerate(hops, 1) if h != "*"}
            count = len(hops) + (gaplimit if reason == "GAPLIMIT" else 0)
            return reason, data, count, by_ttl
    raise SystemExit(f"{addr} is outside the truth table")


def hops_by_ttl(path, upto=None):
    return {h["probe_ttl"]: h["addr"] for h in path.get("hops", [])
            if upto is None or h["probe_ttl"] <= upto}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("paths")
    ap.add_argument("truth")
    ap.add_argument("range")
    ap.add_argument("--scamper")
    ap.add_argument("--gaplimit", type=int, default=5)
    ap.add_argument("--ends-only", action="store_true",
                    help="compare only where paths end (COMPLETED, UNREACH): for --preprobe, which skips hops")
    args = ap.parse_args()

    ours = {}
    for line in open(args.paths):
        p = json.loads(line)
        require(p.get("type") == "trace", f"{args.paths}: a line of type {p.get('type')!r}, not 'trace': {p}")
        require(p["dst"] not in ours, f"{args.paths}: two paths for {p['dst']}")
        ours[p["dst"]] = p
    truth = load_truth(args.truth)
    targets = [str(a) for a in ipaddress.ip_network(args.range)]
    missing = [t for t in targets if t not in ours]
    require(not missing, f"{len(missing)} targets of {args.range} have no path line, e.g. {missing[:3]}")

    wrong = []
    reasons = collections.Counter()
    for t in targets:
        p = ours[t]
        reason, data, count, by_ttl = expected(truth, t, args.gaplimit)
        got = (p["stop_reason"], p["stop_data"], p["hop_count"], hops_by_ttl(p))
        reasons[p["stop_reason"]] += 1
        if args.ends_only:
            if reason in ("COMPLETED", "UNREACH") and got[:3] != (reason, data, count):
                wrong.append((t, got[:3], (reason, data, count)))
        elif got != (reason, data, count, by_ttl):
            wrong.append((t, got, (reason, data, count, by_ttl)))
    what = "end where the truth does not" if args.ends_only else "differ from the truth"
    print(f"  {len(targets)} paths; stop reasons {dict(reasons)}; {len(wrong)} {what}")
    for t, got, exp in wrong[:5]:
        print(f"    {t}: got {got}, expected {exp}")

    mismatched = []
    if args.scamper:
        compared = 0
        for line in open(args.scamper):
            s = json.loads(line)
            if s.get("type") != "trace":
                continue
            compared += 1
            p = ours.get(s["dst"])
            upto = s["hop_count"]
            theirs = (s["stop_reason"], s["hop_count"], hops_by_ttl(s))
            mine = p and (p["stop_reason"], p["hop_count"], hops_by_ttl(p, upto))
            if mine != theirs:
                mismatched.append((s["dst"], mine, theirs))
        require(compared, f"{args.scamper}: scamper traced nothing (no line of type 'trace')")
        rate = 100.0 * (compared - len(mismatched)) / compared
        print(f"  scamper: {compared} targets compared, {compared - len(mismatched)} match ({rate:.1f} %)")
        for t, mine, theirs in mismatched[:5]:
            print(f"    {t}: ours {mine}, scamper {theirs}")
    if wrong or mismatched:
        sys.exit(1)


if __name__ == "__main__":
    main()
