#!/usr/bin/env python3
"""Checks a scan that was killed and resumed (tests/integration/resume.sh) against an uninterrupted one.

usage: check_resume.py WHOLE.csv FIRST.csv SECOND.csv CK_AT_KILL.json CK_END.json SECOND_META.json
                       FRAMES_KILLED RATE COOLDOWN INTERVAL

FIRST.csv is the killed run's output (its last line may be cut short: SIGKILL); SECOND.csv the
resumed run's. Checks: the union of the two equals WHOLE.csv as a set of rows (the resumed run
never probes what the checkpoint covered, so those rows can only be in FIRST.csv: the checkpoint
claimed only rows already flushed); the resumed run sent exactly what the checkpoint left and its
final checkpoint is complete. Prints the probes sent twice (frames the killed run sent, less its
ARP request, less what its checkpoint covered: a few ARP answers may add to it) and the figure
expected, about rate x (cooldown + interval): fewer than half of rate x cooldown fails (the
checkpoint claimed probes inside their cooldown), and so does more than twice the figure (the
checkpoint did not keep up). Writes the union to
stdout as CSV for check_scan.py. Exits 1 on any difference.
"""
import csv
import io
import json
import sys


def fail(message):
    print(f"FAIL: check_resume: {message}", file=sys.stderr)
    sys.exit(1)


def rows(path, allow_cut_tail=False):
    text = open(path).read()
    if allow_cut_tail and text and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]  # the line SIGKILL cut short
    reader = csv.DictReader(io.StringIO(text))
    out = [tuple(r[f] for f in reader.fieldnames) for r in reader]
    return reader.fieldnames, out


def check_resumed_counts(ck_kill_p, ck_end_p, meta_p, frames, rate, cooldown, interval):
    """A killed run's checkpoint, the resumed run's final one and its metadata: the resumed run sent
    exactly what the checkpoint left, ended complete, took the seed; and the probes sent twice lie
    within their bound (a scan's or a trace's: check_trace_resume.py)."""
    ck_kill, ck_end, meta = (json.load(open(p)) for p in (ck_kill_p, ck_end_p, meta_p))
    covered, planned = ck_kill["probes_covered"], ck_kill["probes_planned"]
    if not 0 < covered < planned:
        fail(f"the checkpoint at the kill covers {covered} of {planned} probes: expected a part")
    if not ck_end["complete"] or ck_end["probes_covered"] != planned:
        fail(f"the final checkpoint covers {ck_end['probes_covered']} of {planned}, complete "
             f"{ck_end['complete']}: expected all")
    if meta["packets_sent"] != planned - covered or meta["packets_planned"] != planned - covered:
        fail(f"the resumed run planned {meta['packets_planned']} and sent {meta['packets_sent']} "
             f"probes, expected {planned - covered} (the checkpoint's {planned} less {covered})")
    ck_meta = meta["checkpoint"]
    if ck_meta["probes_before_resume"] != covered or not ck_meta["complete"]:
        fail(f"the resumed run's metadata says {ck_meta}: expected {covered} probes before it and complete")
    if meta["seed"] != ck_kill["run"]["seed"]:
        fail(f"the resumed run used seed {meta['seed']}, the checkpoint's is {ck_kill['run']['seed']}")

    sent_killed = int(frames) - 1  # its one ARP request for the gateway
    twice = sent_killed - covered
    expected = float(rate) * (float(cooldown) + float(interval))
    # A checkpoint covers only probes sent at least the cooldown and 0.1 s before its flush, so at
    # least rate x cooldown probes lie past it. Half that is the bound (room for a sender the
    # machine stalled): a checkpoint that claimed the probes of the moment, with no cooldown, was
    # measured at 643 past it.
    least = 0.5 * float(rate) * float(cooldown)
    print(f"  killed run: sent {sent_killed} probes, checkpoint covered {covered}; resumed run: sent "
          f"{meta['packets_sent']}", file=sys.stderr)
    print(f"  probes sent twice: {twice} (rate x (cooldown + interval) = {expected:.0f}; at least "
          f"{least:.0f})", file=sys.stderr)
    if twice < least:
        fail(f"only {twice} probes past the checkpoint: it claimed probes sent less than the cooldown "
             f"before it (expected at least {least:.0f})")
    if twice > 2 * expected:
        fail(f"{twice} probes were sent twice, over twice rate x (cooldown + interval): the checkpoint "
             "did not keep up")


def main():
    (whole_p, first_p, second_p, ck_kill_p, ck_end_p, meta_p, frames, rate, cooldown,
     interval) = sys.argv[1:11]
    fields, whole = rows(whole_p)
    f1, first = rows(first_p, allow_cut_tail=True)
    f2, second = rows(second_p)
    if not (fields == f1 == f2):
        fail(f"the three outputs have different fields: {fields}, {f1}, {f2}")
    if len(set(whole)) != len(whole):
        fail("the uninterrupted scan wrote a row twice")
    union = set(first) | set(second)
    missing, extra = set(whole) - union, union - set(whole)
    if missing or extra:
        fail(f"the union differs from the uninterrupted scan: {len(missing)} rows missing "
             f"(e.g. {sorted(missing)[:3]}), {len(extra)} extra (e.g. {sorted(extra)[:3]})")
    both = len(set(first) & set(second))

    check_resumed_counts(ck_kill_p, ck_end_p, meta_p, frames, rate, cooldown, interval)
    print(f"  uninterrupted: {len(whole)} rows; killed run: {len(first)} rows; resumed run: {len(second)} rows; "
          f"rows in both: {both}", file=sys.stderr)
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(fields)
    w.writerows(sorted(union))
    print("  the union of the two outputs equals the uninterrupted scan", file=sys.stderr)


if __name__ == "__main__":
    main()
