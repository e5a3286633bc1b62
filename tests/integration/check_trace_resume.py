#!/usr/bin/env python3
"""Checks a trace that was killed and resumed (tests/integration/trace_resume.sh): the resumed run
sent exactly what the killed run's checkpoint left and its final checkpoint is complete, the
probes sent twice lie within their bound (check_resume.py's), and the killed run wrote no path (a
trace writes them at its end: its hops are in the journal the resumed run read back). The paths
themselves are check_trace.py's, against the testbed's truth.

usage: check_trace_resume.py CK_AT_KILL.json CK_END.json SECOND_META.json FRAMES_KILLED RATE COOLDOWN
                             INTERVAL FIRST_PATHS JOURNAL
"""
import json
import os
import struct
import sys

from check_resume import check_resumed_counts, fail


def main():
    ck_kill_p, ck_end_p, meta_p, frames, rate, cooldown, interval, first_paths, journal = sys.argv[1:10]
    check_resumed_counts(ck_kill_p, ck_end_p, meta_p, frames, rate, cooldown, interval)
    if os.path.getsize(first_paths) != 0:
        fail(f"the killed trace wrote paths to {first_paths}: a trace writes them only at its end")
    kept, end = json.load(open(ck_kill_p))["journal_bytes"], json.load(open(ck_end_p))["journal_bytes"]
    size = os.path.getsize(journal)
    if not 8 < kept <= end == size:
        fail(f"the journal held {kept} bytes at the kill and {end} at the end, the file {size}: expected "
             "the hops of the killed run, then more, all of them in the file")
    # Each (target, TTL) once: the resumed run took a re-sent probe's reply as a repeat, and the
    # journal was cut where the checkpoint said, not after a hop the killed run wrote past it.
    data = open(journal, "rb").read()
    slots = [struct.unpack_from("<QB", data, at) for at in range(8, len(data), 48)]
    twice = len(slots) - len(set(slots))
    if twice:
        fail(f"the journal holds {twice} hops of a (target, TTL) already in it")
    print(f"  journal: {(kept - 8) // 48} hops at the kill, {(end - 8) // 48} at the end, each (target, TTL) "
          "once", file=sys.stderr)


if __name__ == "__main__":
    main()
