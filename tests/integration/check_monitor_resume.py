#!/usr/bin/env python3
"""Checks a monitor resumed from its checkpoint (monitor_resume.sh): the resumed run's counters go on
from the checkpoint's, target by target.

  check_monitor_resume.py CK_AT_KILL CK_LAST FIRST.jsonl SECOND.jsonl SECOND_META SECOND_STDERR COUNT
                          SUMMARY_ROUNDS TRUTH TARGET_PREFIX...

CK_AT_KILL is the checkpoint the killed run left, CK_LAST the one the resumed run ended with. The
resumed run starts at the killed one's next round moved up to a -Q period's start (FIRST), and runs
to COUNT. For every target (the testbed's ground truth says which answer): fping's line at the end
counts the saved rounds plus COUNT - FIRST, all received or all lost; the last checkpoint holds the
same and is complete; the resumed run's summaries cover FIRST .. COUNT - 1 in whole periods; the
metadata's counts are the saved ones plus the resumed run's (its events and summaries its own); a
dead target went down once, in the killed run, and its outage went on (no second down event, no up
event, still down at the end).
"""
import ipaddress
import json
import sys

from check_monitor import fail, read_fping, read_jsonl, require, truth_of, truth_rules

FIELDS = ("sent", "received", "lost", "late", "duplicates", "consecutive_lost", "down_since", "outages", "down")


def read_checkpoint(path):
    """(header, [per-target dict]) of a monitor checkpoint: the JSON, then one line per target."""
    text = open(path).read()
    end = text.index("\n}\n") + 3
    header = json.loads(text[:end])
    mon = header["monitor"]
    lines = text[end:].splitlines()
    require(len(lines) == mon["targets"] + mon["groups"], f"{path}: {len(lines)} table lines, the header says "
            f"{mon['targets']} targets and {mon['groups']} groups")
    targets = [dict(zip(FIELDS, map(int, line.split()))) for line in lines[:mon["targets"]]]
    return header, targets


def addresses(prefixes):
    out = set()
    for p in prefixes:
        out.update(str(a) for a in ipaddress.ip_network(p))
    return sorted(out, key=lambda a: int(ipaddress.ip_address(a)))


def main(ck_kill, ck_last, first_jsonl, second_jsonl, meta_path, err_path, count, per_summary, truth, *prefixes):
    count, per_summary = int(count), int(per_summary)
    targets = addresses(prefixes)
    rules = truth_rules(truth)
    answers = {t: truth_of(rules, t)[0] == "echoreply" for t in targets}
    kill_header, saved = read_checkpoint(ck_kill)
    last_header, last = read_checkpoint(ck_last)
    require(len(saved) == len(targets), f"{len(saved)} targets in the checkpoint, {len(targets)} monitored")
    next_round = kill_header["monitor"]["next_round"]
    first = -(-next_round // per_summary) * per_summary
    rounds = count - first
    require(0 < next_round < count and rounds > 0, f"the killed run's checkpoint holds {next_round} rounds of {count}")
    meta = json.load(open(meta_path))
    ck = meta["checkpoint"]
    require(ck["first_round"] == first and ck["next_round"] == count and ck["complete"],
            f"metadata checkpoint section {ck}, expected first_round {first}, next_round {count}, complete")
    require(last_header["complete"] and last_header["monitor"]["next_round"] == count,
            f"the last checkpoint is not complete at round {count}: {last_header['monitor']}")
    fping = read_fping(err_path)
    summaries, events = read_jsonl(second_jsonl)
    _, first_events = read_jsonl(first_jsonl, killed=True)
    for t, s, end in zip(targets, saved, last):
        live = answers[t]
        require(s["sent"] <= next_round and s["sent"] >= next_round - 1, f"{t}: {s['sent']} rounds saved, the "
                f"checkpoint's next round is {next_round}")
        require(s["received"] == (s["sent"] if live else 0), f"{t}: saved {s} (the ground truth: "
                f"{'answers' if live else 'never answers'})")
        want = (s["sent"] + rounds, s["received"] + (rounds if live else 0))
        x = fping.get(t)
        require(x is not None and x[:2] == want, f"{t}: fping says xmt/rcv {x and x[:2]}, expected {want} "
                f"(saved {s['sent']}/{s['received']} and {rounds} rounds from round {first})")
        require((end["sent"], end["received"]) == want, f"{t}: the last checkpoint holds {end}, expected {want}")
        recs = summaries.get(t, [])
        require([r["first_round"] for r in recs] == list(range(first, count, per_summary))
                and all(r["rounds"] == per_summary and r["received"] == (per_summary if live else 0) for r in recs),
                f"{t}: summaries {[(r['first_round'], r['rounds'], r['received']) for r in recs]}, expected "
                f"periods of {per_summary} from round {first} to {count}")
        kinds = [e["type"] for e in first_events.get(t, [])] + [e["type"] for e in events.get(t, [])]
        require(kinds == ([] if live else ["down"]) and (live or events.get(t, []) == []),
                f"{t}: events {kinds}, expected {'none' if live else 'one down, in the killed run'}")
        require(live or (s["down"] == 1 and end["down"] == 1 and end["outages"] == 1),
                f"{t}: a dead target's saved {s} and last {end}: one outage, still down")
    mon = meta["monitor"]
    dead = sum(not v for v in answers.values())
    want = {"rounds_closed": sum(s["sent"] for s in saved) + rounds * len(targets),
            "received": sum(s["received"] for s in saved) + rounds * (len(targets) - dead),
            "outages": 0, "recoveries": 0, "targets_down_at_end": dead,  # events: this run's
            "summaries": len(targets) * rounds // per_summary}
    for k, v in want.items():
        require(mon[k] == v, f"metadata monitor.{k} = {mon[k]}, expected {v}")
    require(meta["packets_sent"] == rounds * len(targets), f"the resumed run sent {meta['packets_sent']} probes, "
            f"expected {rounds} rounds x {len(targets)}")
    print(f"  killed at a checkpoint of {next_round} rounds; resumed at round {first} for {rounds} rounds; "
          f"{len(targets)} targets ({dead} dead) counted on from the checkpoint; {dead} outages carried over")


if __name__ == "__main__":
    if len(sys.argv) < 11:
        fail(__doc__)
    main(*sys.argv[1:])
