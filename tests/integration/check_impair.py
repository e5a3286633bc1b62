#!/usr/bin/env python3
"""Checks fping's view of an impaired testbed prefix against what scripts/testbed-impair.sh logged and
counted (tests/integration/impair.sh): counts and content only, and times only as the logs bound them.

  check_impair.py loss FPING_SUMMARY STATS PCT SENT ECHO_REPLIES_IN
  check_impair.py delay FPING_OUT DELAY_LOG STATS DELAY_MS SENT_PER_TARGET KERNEL_DROPPED ECHO_REPLIES_IN

ECHO_REPLIES_IN: how many Echo Replies the pinger's namespace received (its kernel's InEchoReps),
the witness for counts, since fping itself loses a reply now and then on this loaded machine (it
received 1998-2000 of 2000 that reached its namespace at 2,000 a second).
  check_impair.py outage FPING_OUT OUTAGE_LOG SECONDS
  check_impair.py unreachable FPING_ERR UNREACH_LOG CODE TARGET SENT
"""
import math
import re
import sys


def fail(message):
    raise SystemExit(f"FAIL: impair: {message}")


def require(ok, message):
    if not ok:
        fail(message)


def read_stats(path):
    m = re.fullmatch(r"dropped (\d+) passed (\d+)\n?", open(path).read())
    require(m is not None, f"loss-stats printed {open(path).read()!r}, expected 'dropped N passed M'")
    return int(m[1]), int(m[2])


def check_loss(summary, stats, pct, sent, replies_in):
    """fping -q -c summaries (stderr) of the prefix's targets against loss-stats."""
    pct, sent, replies_in = int(pct), int(sent), int(replies_in)
    xmt = rcv = 0
    for line in open(summary):
        m = re.search(r"xmt/rcv/%loss = (\d+)/(\d+)/", line)
        if m:
            xmt, rcv = xmt + int(m[1]), rcv + int(m[2])
    dropped, passed = read_stats(stats)
    require(xmt == sent, f"fping sent {xmt} requests, expected {sent}")
    require(dropped + passed == sent, f"dropped {dropped} + passed {passed} != {sent} requests sent")
    require(passed == replies_in, f"nft passed {passed} requests but {replies_in} replies came back")
    require(rcv <= replies_in, f"fping counted {rcv} replies, more than the {replies_in} that came back")
    # The 1-in-100,000 two-sided interval (normal approximation): a correct rule fails it that rarely.
    mean, sd = sent * pct / 100, math.sqrt(sent * pct / 100 * (1 - pct / 100))
    low, high = math.floor(mean - 4.42 * sd), math.ceil(mean + 4.42 * sd)
    require(low <= dropped <= high, f"dropped {dropped} of {sent} at {pct} %, outside [{low}, {high}]")
    print(f"  loss {pct} %: dropped {dropped} of {sent} (interval [{low}, {high}]), {replies_in} replies came "
          f"back, fping counted {rcv}")


def fping_vectors(path):
    """fping -C's per-target vectors: {target: [rtt_ms or None, ...]}."""
    vectors = {}
    for line in open(path):
        m = re.fullmatch(r"(\S+)\s+:((?:\s+(?:[\d.]+|-))+)\s*", line)
        if m:
            vectors[m[1]] = [None if v == "-" else float(v) for v in m[2].split()]
    return vectors


def check_delay(out, log, stats, delay_ms, per_target, kernel_dropped, replies_in):
    """fping -C (its stdout and stderr together) against the responder's log and the loss counters."""
    delay_us, per_target, replies_in = int(delay_ms) * 1000, int(per_target), int(replies_in)
    text = open(out).read()
    require("duplicate" not in text, "fping saw duplicate replies: the kernel answered as well as the responder")
    vectors = fping_vectors(out)
    require(len(vectors) > 0, f"no fping -C vectors in {out}")
    lines = [line.split() for line in open(log)]
    require(all(len(f) == 5 for f in lines), f"a log line has not 5 fields: {lines}")
    per_dst = {}
    for dst, _id, _seq, received, sent in lines:
        require(int(sent) - int(received) >= delay_us, f"{dst} answered {int(sent) - int(received)} us after "
                f"receipt, before its delay of {delay_us} us")
        per_dst.setdefault(dst, []).append(int(sent) - int(received))
    require(set(per_dst) <= set(vectors), f"answers for {sorted(set(per_dst) - set(vectors))}, never pinged")
    for target, rtts in vectors.items():
        got = [r for r in rtts if r is not None]
        require(len(rtts) == per_target, f"{target}: {len(rtts)} probes, expected {per_target}")
        require(len(got) <= len(per_dst.get(target, [])), f"{target}: fping got {len(got)} replies, the "
                f"responder sent {len(per_dst.get(target, []))}")
        # fping rounds RTTs of 10-100 ms to 0.1 ms; the kernel's own answer would take about 0.05 ms.
        require(all(r * 1000 >= delay_us - 50 for r in got), f"{target}: RTTs {got} ms, some under the delay")
    dropped, passed = read_stats(stats)
    require(dropped + passed == per_target * len(vectors), f"dropped {dropped} + passed {passed} != probes sent")
    require(passed == len(lines), f"{passed} requests passed the loss rule, the responder answered {len(lines)}")
    require(replies_in == len(lines), f"{replies_in} replies came back, the responder sent {len(lines)}")
    require(int(kernel_dropped) == passed, f"the kernel's own replies dropped: {kernel_dropped}, expected {passed}")
    waits = sorted(w for held in per_dst.values() for w in held)
    print(f"  delay {delay_ms} ms: {len(lines)} answers, held {waits[0]}..{waits[-1]} us, "
          f"{dropped} requests dropped first; fping counted {sum(r is not None for v in vectors.values() for r in v)}")


def check_outage(out, log, seconds):
    """fping -D -c replies against one outage's start and end stamps."""
    events = [line.split() for line in open(log)]
    require([e[0] for e in events] == ["start", "end"], f"outage log {events}, expected one start and one end")
    start, end = int(events[0][1]), int(events[1][1])
    require(end - start >= int(seconds) * 1000, f"outage logged {end - start} ms, shorter than {seconds} s")
    replies = {}
    for line in open(out):
        m = re.match(r"\[(\d+\.\d+)\] \S+ : \[(\d+)\], \d+ bytes", line)
        if m:
            replies[int(m[2])] = float(m[1]) * 1000
    sent = int(re.search(r"xmt/rcv/%loss = (\d+)/", open(out).read())[1])
    lost = [s for s in range(sent) if s not in replies]
    require(lost and lost == list(range(lost[0], lost[-1] + 1)), f"lost probes {lost}: expected one run")
    require(lost[0] > 0 and lost[-1] < sent - 1, f"lost probes {lost[0]}..{lost[-1]} of {sent}: none around them")
    before, after = replies[lost[0] - 1], replies[lost[-1] + 1]
    require(after >= start + int(seconds) * 1000, f"a reply at {after:.0f} ms, before the outage's end "
            f"({start} + {seconds} s)")
    require(before <= end, f"the last reply before the gap at {before:.0f} ms, after the outage's end {end}")
    print(f"  outage {seconds} s: logged {end - start} ms, {len(lost)} probes lost in one run, "
          f"gap between replies {after - before:.0f} ms")


def check_unreachable(err, log, code, target, sent):
    """fping's ICMP error lines against the unreachable log's code and sender."""
    events = [line.split() for line in open(log)]
    require(len(events) == 2 and events[0][0] == "start" and events[1][0] == "end" and events[0][2] == "code"
            and events[0][4] == "from", f"unreachable log {events}, expected 'start MS code C from IP' and 'end MS'")
    require(events[0][3] == code, f"logged code {events[0][3]}, asked {code}")
    name = {"1": "ICMP Host Unreachable", "13": r"ICMP Unreachable \(Communication Administratively Prohibited\)"}
    sender = events[0][5]
    pattern = re.compile(rf"{name[code]} from {re.escape(sender)} for ICMP Echo sent to {re.escape(target)}$")
    text = open(err).read().splitlines()
    seen = sum(1 for line in text if pattern.match(line))
    others = [line for line in text if line.startswith("ICMP") and not pattern.match(line)]
    require(seen == int(sent), f"{seen} errors '{pattern.pattern}', expected one per probe ({sent})")
    require(not others, f"other ICMP errors: {others[:3]}")
    print(f"  unreachable code {code}: {seen} of {sent} probes answered by {sender}")


def main():
    checks = {"loss": check_loss, "delay": check_delay, "outage": check_outage,
              "unreachable": check_unreachable}
    if len(sys.argv) < 2 or sys.argv[1] not in checks:
        fail(f"usage: check_impair.py {'|'.join(checks)} ARGS...")
    checks[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
