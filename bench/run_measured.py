#!/usr/bin/env python3
"""Runs a command in its own process group and measures it the same way whatever it is: wall
time, CPU seconds (user + system, summed over every process of the group, sampled every 20 ms
and at the end, so that a tool that must be killed is still counted) and peak resident memory
(the largest VmHWM of any of its processes). After --timeout seconds it sends SIGINT, and SIGKILL
2 s later (masscan does not exit on its own on the testbed). Prints one JSON object.

    run_measured.py [--timeout S] -- command...
"""
import argparse
import json
import os
import signal
import subprocess
import time

TICKS = os.sysconf("SC_CLK_TCK")


def group_usage(pgid, seen):
    """Updates seen[pid] = (cpu_seconds, hwm_kb) for every live process of the group."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = open(f"/proc/{name}/stat").read()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) != pgid:  # field 5: pgrp
                continue
            cpu = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
            hwm = 0
            for line in open(f"/proc/{name}/status"):
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
            seen[int(name)] = (cpu, max(hwm, seen.get(int(name), (0, 0))[1]))
        except (OSError, ValueError, IndexError):
            continue


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.command[1:] if args.command and args.command[0] == "--" else args.command
    start = time.monotonic()
    proc = subprocess.Popen(cmd, start_new_session=True)
    seen = {}
    signalled = None
    while proc.poll() is None:
        group_usage(proc.pid, seen)
        elapsed = time.monotonic() - start
        if signalled is None and elapsed > args.timeout:
            os.killpg(proc.pid, signal.SIGINT)
            signalled = elapsed
        elif signalled is not None and elapsed > signalled + 2:
            group_usage(proc.pid, seen)
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.02)
    wall = time.monotonic() - start
    # Children reaped by the group leader are in its own cumulative times; count those too.
    try:
        children = os.times()
        reaped = children.children_user + children.children_system
    except OSError:
        reaped = 0
    sampled = sum(cpu for cpu, _ in seen.values())
    print(json.dumps({"wall": round(wall, 2), "cpu": round(max(sampled, reaped), 2),
                      "rss_kb": max((h for _, h in seen.values()), default=0),
                      "exit": proc.returncode, "stopped": signalled is not None}))


if __name__ == "__main__":
    main()
