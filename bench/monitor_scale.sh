#!/usr/bin/env bash
# Monitor mode at scale, end to end (issue 14's "Scale"): the real binary in -M monitor over
# 198.18.0.0/15 (131,072 targets, the largest set the project may name) on one TX lcore into
# net_null (no-rx=1: nothing comes back, so every round closes lost and every target goes down
# once), for SECONDS at each --period asked: 1s (131 kpps) and 131ms (1.0 Mpps, the issue's
# probe rate). Per run: resident memory (VmRSS, and DPDK's hugepages apart) and the process's CPU
# time sampled every second into a CSV, and from the metadata the send lateness and the rounds.
#
# Checks (exit 1): every round sent (packets_sent == targets x --count, completed) and every one
# closed (monitor.rounds_closed == packets_sent, all lost: net_null answers nothing). Printed, not
# checked (this VM's speed drifts): RSS growth while sending (from 5 s in to 3 s before the end),
# send lateness p50/p99/max, CPU per probe over the whole process and over that steady window, and
# CPU by thread (TX, RX, output lcores, main).
#
#   bench/monitor_scale.sh [--quick] [--out DIR] [--seconds N] [--periods "1s 131ms"]
# --quick: 3 s per period (what the meson 'bench' suite runs). CPU-heavy: run it alone on the
# machine (not beside CI or another benchmark). ICS_BIN overrides the binary.
set -euo pipefail
source "$(dirname "$0")/../scripts/as-root.sh"
cd "$(dirname "$0")/.."
OUT=bench-results
SECONDS_PER_RUN=60
PERIODS="1s 131ms"
while (($#)); do
    case $1 in
        --quick) SECONDS_PER_RUN=3 ;;
        --out) OUT=$2; shift ;;
        --seconds) SECONDS_PER_RUN=$2; shift ;;
        --periods) PERIODS=$2; shift ;;
        *) echo "$(basename "$0"): unknown argument '$1' (use --quick, --out DIR, --seconds N or --periods LIST)" >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BIN=${ICS_BIN:-build/apps/dpdk-icmpscan/dpdk-icmpscan}
[[ -x $BIN ]] || { echo "$(basename "$0"): no binary at $BIN: build it (scripts/build.sh) or set ICS_BIN" >&2; exit 2; }
huge=()
scripts/setup-hugepages.sh >/dev/null || huge=(--no-huge)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

status=0
for period in $PERIODS; do
    cmd=("$BIN" "${huge[@]}" --vdev net_null0,no-rx=1 -M monitor -S 198.19.255.1 -G 02:00:00:00:00:01
         -b /dev/null -o "$WORK/summaries.jsonl" -m "$OUT/monitor_scale_$period.json" --period "$period"
         198.18.0.0/15)
    python3 - "$period" "$SECONDS_PER_RUN" "$OUT" "$WORK" "${cmd[@]}" <<'PY' || status=1
import csv, json, os, subprocess, sys, time

period, seconds, out, work, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
unit = next(u for u in ("us", "ms", "s") if period.endswith(u))
period_us = round(float(period[:-len(unit)]) * {"us": 1, "ms": 1e3, "s": 1e6}[unit])
targets = 131072
count = max(1, round(seconds * 1e6 / period_us))
tick = os.sysconf("SC_CLK_TCK")

def cpu_of(stat_path):
    fields = open(stat_path).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14 and 15)

def threads(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
            out[f"{name}/{tid}"] = cpu_of(f"/proc/{pid}/task/{tid}/stat")
        except OSError:
            pass
    return out

err = open(f"{work}/stderr.txt", "w")
proc = subprocess.Popen(cmd + ["--count", str(count), "-t", str(int(seconds) + 30)], stderr=err)
start = time.monotonic()
samples, last_threads = [], {}
# wait4() reaps the child with its resource usage (Popen.poll() would reap it without).
while (ended := os.wait4(proc.pid, os.WNOHANG))[0] == 0:
    if time.monotonic() - start > seconds + 120:  # bounded whatever happens
        proc.kill()
    try:
        status = open(f"/proc/{proc.pid}/status").read()
        kb = {l.split(":")[0]: int(l.split()[1]) for l in status.splitlines()
              if l.startswith(("VmRSS:", "HugetlbPages:"))}
        samples.append((round(time.monotonic() - start, 2), kb.get("VmRSS", 0), kb.get("HugetlbPages", 0),
                        cpu_of(f"/proc/{proc.pid}/stat")))
        last_threads = threads(proc.pid)
    except (OSError, IndexError, ValueError):
        pass  # the process ended between poll() and the read
    time.sleep(1.0)
_, wstatus, usage = ended
proc.returncode = os.waitstatus_to_exitcode(wstatus)
err.close()
with open(f"{out}/monitor_scale_{period}.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["t_s", "vmrss_kb", "hugetlb_kb", "cpu_s"])
    w.writerows(samples)

fails = []
if proc.returncode != 0:
    fails.append(f"exit status {proc.returncode} (its stderr: {work}/stderr.txt)")
meta = json.load(open(f"{out}/monitor_scale_{period}.json"))
mon = meta.get("monitor", {})
sent = meta["packets_sent"]
if not meta["completed"] or sent != targets * count:
    fails.append(f"sent {sent} probes, not targets x rounds = {targets} x {count} = {targets * count}")
if mon.get("rounds_closed") != sent or mon.get("lost") != sent:
    fails.append(f"rounds closed {mon.get('rounds_closed')}, lost {mon.get('lost')}, of {sent} sent")
late = mon.get("send_lateness_us", {})
cpu = usage.ru_utime + usage.ru_stime
# Steady sending: from 5 s in (start-up done) to 3 s before the end (the cooldown of --timeout plus
# the close margin, and the last summaries, come after sending).
steady = [s for s in samples if 5 <= s[0] <= samples[-1][0] - 3] if seconds >= 10 and samples else []
rate = targets * 1e6 / period_us
steady_us = ((steady[-1][3] - steady[0][3]) / (steady[-1][0] - steady[0][0]) / rate * 1e6
             if len(steady) >= 2 else None)
# Memory while sending: the steady window, or in a short run every sample but the first (start-up)
# and the last (the books may be freed by then).
rss = [s[1] for s in (steady or samples[1:-1] or samples)]
result = {
    "stage": "monitor_scale", "period": period, "targets": targets, "rounds": count, "probes_sent": sent,
    "rounds_closed": mon.get("rounds_closed"), "achieved_rate": meta["achieved_rate"],
    "send_duration_s": meta["send_duration"], "lateness_us": late,
    "rss_kb_first": samples[0][1] if samples else None, "rss_kb_window_start": rss[0] if rss else None,
    "rss_kb_last": rss[-1] if rss else None, "rss_kb_max": max(rss) if rss else None,
    "hugetlb_kb": samples[-1][2] if samples else None, "max_rss_kb": usage.ru_maxrss,
    "cpu_s": round(cpu, 3), "cpu_us_per_probe": round(cpu / sent * 1e6, 4) if sent else None,
    "steady_cpu_us_per_probe": round(steady_us, 4) if steady_us else None,
    "failed": fails,
}
print(f"--period {period}: {sent} probes ({targets} x {count} rounds) in {meta['send_duration']:.2f} s at "
      f"{meta['achieved_rate'] / 1e6:.3f} Mpps; rounds closed {mon.get('rounds_closed')}")
print(f"  send lateness: p50 <= {late.get('p50_at_most')} us, p99 <= {late.get('p99_at_most')} us, "
      f"max {late.get('max')} us over {late.get('bursts')} bursts")
print(f"  VmRSS while sending: {result['rss_kb_window_start']} kB first, {result['rss_kb_last']} kB last, max "
      f"{result['rss_kb_max']} kB (growth {(result['rss_kb_max'] or 0) - (result['rss_kb_window_start'] or 0)} kB); "
      f"hugepages {result['hugetlb_kb']} kB apart")
print(f"  CPU: {cpu:.2f} s in all, {result['cpu_us_per_probe']} us/probe; steady sending "
      f"{result['steady_cpu_us_per_probe']} us/probe")
# DPDK names an lcore's thread rte-worker-N (N: the lcore id); the metadata says which are TX and RX.
roles = {f"rte-worker-{t['lcore']}": "TX" for t in meta["tx_lcores"]}
roles.update({f"rte-worker-{q['lcore']}": "RX" for q in meta["rx_queues"]})
def role(name):
    thread = name.split("/")[0]
    return roles.get(thread, "output" if thread.startswith("rte-worker-") else "main" if thread == "dpdk-icmpscan" else thread)
by_role = {}
for name, v in last_threads.items():
    by_role[role(name)] = by_role.get(role(name), 0) + v
result["threads_cpu_s_last_sample"] = by_role
print("  CPU by thread (s, at the last sample): " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(by_role.items())))
print(json.dumps(result), file=open(f"{out}/monitor_scale.jsonl", "a"))
for f in fails:
    print(f"FAIL: --period {period}: {f}")
sys.exit(1 if fails else 0)
PY
done
exit "$status"
