#!/usr/bin/env python3
"""scripts/soak.sh's sampler, verdict and plot (standard library only; the plot runs gnuplot).

  soak_report.py sample OUT.csv STATE_DIR SECONDS
      Once a second until SECONDS have passed (or STATE_DIR/stop exists): for each process that
      STATE_DIR/*.proc names ("PID RUN STATUS.csv" on one line: soak.sh rewrites scan.proc for each
      scan), a row of OUT.csv: t_s (since the sampler started), process (the .proc file's name),
      run, pid, vmrss_kb (/proc/PID/status) and every column of the last row of the process's -u
      file (docs/usage.md: mempool free and size, ring depths, every counter). Rows are flushed
      as they are written, so a soak cut short keeps what it sampled.
  soak_report.py verdict CSV WARMUP_S EVENTS META.json...
      Prints the verdict and exits 1 if any run's metadata breaks an identity or EVENTS (lines
      "NAME exit CODE" or "NAME died ...", written by soak.sh) shows a process that failed:
        identities (each run's metadata, exact):
          rx_frames = rx_valid + rx_ring_full + every reason a frame was not a result (RX_FATES);
          rx_arp    = the ARP reasons (ARP_FATES);
          out_records = rx_valid (every record queued reached the output lcore);
        status: each run's last -u row (META.json's STATUS.csv beside it; the run writes its final
          counts there) equals its metadata in every counter column and the NIC's drops, so what
          was sampled each second is what the run counted; every non-zero drop counter of the
          metadata listed by name;
        flat (a failure when not): after WARMUP_S, with W = the last
          10 minutes, or a third of what follows the warm-up if that is shorter:
          resident memory: max over the last W - the first sample after the warm-up (monitor), or
            the same over each scan's peak (scans are new processes: growth from run to run);
          mempool: min of mempool_free over the first W after the warm-up - min over the last W
            (a leak of mbufs lowers the free count; each scan's last row for scans);
          flat when the growth is at most 1 MiB and 1 % (memory), 1 % of mempool_size (mbufs).
  soak_report.py plot CSV PNG
      Memory, mempool free, ring depths and drops over time, one panel each (gnuplot, PNG).
"""
import csv
import glob
import json
import os
import subprocess
import sys
import time

RX_FATES = ["rx_arp", "rx_not_ipv4", "rx_truncated", "rx_bad_ip_header", "rx_ip_checksum", "rx_fragment",
            "rx_not_icmp", "rx_icmp_ignored", "rx_not_our_address", "rx_quote_invalid", "rx_cookie_invalid",
            "rx_valid", "rx_ring_full"]
ARP_FATES = ["rx_arp_ring_full", "arp_malformed", "arp_gratuitous", "arp_answered", "arp_not_answered",
             "arp_not_ours", "arp_gateway", "arp_unsolicited"]
# Counters that name a frame, record, probe or row lost or turned away (the metadata's "nic" adds
# rx_missed and rx_nombuf).
DROPS = ["tx_dropped_at_stop", "rx_arp_ring_full", "arp_malformed", "arp_not_answered", "rx_not_ipv4",
         "rx_truncated", "rx_bad_ip_header", "rx_ip_checksum", "rx_fragment", "rx_not_icmp", "rx_icmp_ignored",
         "rx_not_our_address", "rx_quote_invalid", "rx_cookie_invalid", "rx_ring_full", "out_feedback_dropped",
         "out_write_lost"]
HEAD = ["t_s", "process", "run", "pid", "vmrss_kb"]
KB_FLAT, PCT_FLAT = 1024, 1.0


def fail(message):
    raise SystemExit(f"soak_report: {message}")


def vmrss_kb(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def last_status_row(path):
    """The -u file's header and its last complete row (None, None before it has one)."""
    try:
        with open(path, "rb") as f:
            header = f.readline().decode().strip()
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 65536))
            lines = f.read().decode(errors="replace").split("\n")
    except OSError:
        return None, None
    rows = [x for x in lines[:-1] if x and x != header]  # lines[-1]: after the last newline
    if not header or not rows:
        return None, None
    return header.split(","), rows[-1].split(",")


def sample(out_path, state_dir, seconds):
    start = time.monotonic()
    columns, pending = None, []
    with open(out_path, "w") as out:
        tick = 0
        while tick <= seconds and not os.path.exists(os.path.join(state_dir, "stop")):
            t = round(time.monotonic() - start, 3)
            for proc in sorted(glob.glob(os.path.join(state_dir, "*.proc"))):
                try:
                    pid, run, status = open(proc).read().split()
                except (OSError, ValueError):
                    continue  # being rewritten
                rss = vmrss_kb(pid)
                if rss is None:
                    continue  # ended
                header, row = last_status_row(status)
                if columns is None and header and row:
                    columns = header
                    out.write(",".join(HEAD + columns) + "\n")
                values = dict(zip(header, row)) if header and row else {}
                pending.append(([str(t), os.path.basename(proc)[:-5], run, pid, str(rss)], values))
            if columns is not None:
                for head, values in pending:
                    out.write(",".join(head + [values.get(c, "") for c in columns]) + "\n")
                pending = []
                out.flush()
            tick += 1
            time.sleep(max(0.0, start + tick - time.monotonic()))
    return 0


def load_samples(path):
    rows = []
    for r in csv.DictReader(open(path)):
        rows.append(r)
    if not rows:
        fail(f"{path} has no samples")
    return rows


def num(r, key):
    v = r.get(key, "")
    return float(v) if v not in ("", None) else None


def windows(ts, warmup):
    """(first-window end, last-window start) over times ts after the warm-up, W as the doc says."""
    after = [t for t in ts if t >= warmup]
    if len(after) < 3:
        return None
    w = min(600.0, (after[-1] - after[0]) / 3)
    return after[0], after[0] + w, after[-1] - w


def flat_line(name, first, last_max, scale, unit, limit):
    growth = last_max - first
    ok = growth <= limit
    pct = 100.0 * growth / scale if scale else 0.0
    return ok, f"  {name}: {first:.0f} {unit} first after warm-up, {last_max:.0f} last-window peak: " \
               f"{growth:+.0f} {unit} ({pct:+.2f} %) -> {'flat' if ok else 'NOT FLAT'}"


def monitor_flatness(rows, warmup):
    m = [r for r in rows if r["process"] == "monitor"]
    if not m:
        return ["  monitor: no samples"], False
    t0 = float(m[0]["t_s"])
    ts = [float(r["t_s"]) - t0 for r in m]
    win = windows(ts, warmup)
    if not win:
        return [f"  monitor: {len(m)} samples, too few after the {warmup:.0f} s warm-up to judge"], False
    start, first_end, last_start = win
    first = [r for r, t in zip(m, ts) if start <= t <= first_end]
    last = [r for r, t in zip(m, ts) if t >= last_start]
    rss0 = float(first[0]["vmrss_kb"])
    ok1, l1 = flat_line("monitor VmRSS", rss0, max(float(r["vmrss_kb"]) for r in last), rss0, "kB",
                        max(KB_FLAT, rss0 * PCT_FLAT / 100))
    lines = [f"  monitor: {len(m)} samples over {ts[-1]:.0f} s; warm-up {warmup:.0f} s, window "
             f"{first_end - start:.0f} s", l1]
    free_first = [num(r, "mempool_free") for r in first if num(r, "mempool_free") is not None]
    free_last = [num(r, "mempool_free") for r in last if num(r, "mempool_free") is not None]
    ok2 = True
    if free_first and free_last:
        size = num(last[-1], "mempool_size") or 0
        # Lower free is growth in use: report the fall of the minimum as the growth.
        ok2, l2 = flat_line("monitor mbufs in use (mempool_size - min free)", size - min(free_first),
                            size - min(free_last), size, "mbufs", size * PCT_FLAT / 100)
        lines.append(l2 + f" (of {size:.0f})")
    for ring in ("record_ring_depth", "arp_ring_depth", "feedback_ring_depth"):
        lines.append(f"  monitor {ring}: max {max(num(r, ring) or 0 for r in first):.0f} in the first "
                     f"window, {max(num(r, ring) or 0 for r in last):.0f} in the last")
    return lines, ok1 and ok2


def scan_flatness(rows, warmup):
    runs = {}
    for r in rows:
        if r["process"] == "scan":
            runs.setdefault(r["run"], []).append(r)
    if not runs:
        return ["  scans: no samples"], False
    t0 = min(float(r["t_s"]) for rs in runs.values() for r in rs)
    per = sorted((float(rs[0]["t_s"]) - t0, max(float(r["vmrss_kb"]) for r in rs), rs[-1]) for rs in runs.values())
    win = windows([p[0] for p in per], warmup)
    if not win:
        return [f"  scans: {len(per)} runs sampled, too few after the warm-up to judge"], False
    start, first_end, last_start = win
    after = [p for p in per if p[0] >= start]
    last = [p for p in after if p[0] >= last_start]
    ok1, l1 = flat_line("scan peak VmRSS per run", after[0][1], max(p[1] for p in last), after[0][1], "kB",
                        max(KB_FLAT, after[0][1] * PCT_FLAT / 100))
    frees = [num(p[2], "mempool_free") for p in after if num(p[2], "mempool_free") is not None]
    lines = [f"  scans: {len(per)} runs sampled, {len(after)} after the warm-up", l1]
    ok2 = True
    if frees:
        size = num(after[-1][2], "mempool_size") or 0
        ok2 = max(frees) - min(frees) <= size * PCT_FLAT / 100
        lines.append(f"  scan mempool_free at each run's last sample: {min(frees):.0f}-{max(frees):.0f} of "
                     f"{size:.0f} -> {'flat' if ok2 else 'NOT FLAT'}")
    return lines, ok1 and ok2


def identity_problems(meta, name):
    c = meta.get("counters")
    if not isinstance(c, dict) or "nic" not in meta:
        return [f"{name}: no counters in the metadata"]
    missing = [k for k in RX_FATES + ARP_FATES + ["rx_frames", "out_records"] if k not in c]
    if missing:
        return [f"{name}: the metadata lacks {', '.join(missing)}"]
    out = []
    fates = sum(c[k] for k in RX_FATES)
    if c["rx_frames"] != fates:
        out.append(f"{name}: rx_frames {c['rx_frames']} != accepted + dropped by reason {fates}")
    arp = sum(c[k] for k in ARP_FATES)
    if c["rx_arp"] != arp:
        out.append(f"{name}: rx_arp {c['rx_arp']} != the ARP reasons' sum {arp}")
    if c["out_records"] != c["rx_valid"]:
        out.append(f"{name}: out_records {c['out_records']} != rx_valid {c['rx_valid']}")
    return out


def drop_totals(metas):
    totals = {}
    for m in metas:
        c, nic = m.get("counters", {}), m.get("nic", {})
        for k in DROPS:
            totals[k] = totals.get(k, 0) + int(c.get(k, 0))
        for k in ("rx_missed", "rx_nombuf"):
            totals["nic." + k] = totals.get("nic." + k, 0) + int(nic.get(k, 0))
    return totals


def status_disagreements(loaded):
    out = []
    for path, m in loaded:
        status = path[:-len(".json")] + ".status.csv"
        header, row = last_status_row(status)
        if header is None:
            out.append(f"{os.path.basename(status)}: no status row to compare with the metadata")
            continue
        r = dict(zip(header, row))
        c, nic = m.get("counters", {}), m.get("nic", {})
        pairs = [(k, c[k]) for k in header if k in c]
        pairs += [("nic_missed", nic.get("rx_missed")), ("nic_no_mbuf", nic.get("rx_nombuf"))]
        for k, want in pairs:
            if want is not None and k in r and int(float(r[k])) != int(want):
                out.append(f"{os.path.basename(status)}: {k} {r[k]} in the last status row, {want} in the metadata")
    return out


def verdict(csv_path, warmup, events_path, metas):
    rows = load_samples(csv_path)
    failures = []
    for line in open(events_path):
        if line.split()[1:] != ["exit", "0"]:
            failures.append(f"process failed: {line.strip()}")
    loaded, broken = [], []
    for path in metas:
        try:
            loaded.append((path, json.load(open(path))))
        except (OSError, ValueError) as e:
            broken.append(f"{path}: unreadable metadata ({e})")
    for path, m in loaded:
        broken += identity_problems(m, os.path.basename(path))
    failures += broken
    print(f"soak verdict: {len(rows)} samples, {len(metas)} runs' metadata")
    print("identities (received = accepted + dropped by reason, per run): "
          + (f"BROKEN in {len(broken)} checks" if broken else f"hold in all {len(loaded)} runs"))
    for path, m in loaded:
        mon = m.get("monitor") or {}
        if "rounds_closed" in mon:
            print(f"monitor ({os.path.basename(path)}): {mon['rounds_closed']} probes closed, {mon['received']} "
                  f"answered, {mon['lost']} lost ({mon['loss_percent']:.3f} %), {mon['late']} late, "
                  f"{mon['duplicates']} duplicates (the testbed's losses are not the scanner's drops)")
            late = mon.get("send_lateness_us") or {}
            if late:
                print(f"monitor send lateness: p50 <= {late['p50_at_most']:.0f} us, p99 <= {late['p99_at_most']:.0f} "
                      f"us, max {late['max']:.0f} us (how well the machine carried the rate)")
    scans = [m for p, m in loaded if os.path.basename(p).startswith("scan")]
    if scans:
        valid = [m["counters"].get("rx_valid", 0) for m in scans if "counters" in m]
        print(f"scans: {len(scans)} runs, validated replies per run {min(valid, default=0)}-{max(valid, default=0)}")
    disagree = status_disagreements(loaded)
    failures += disagree
    print("status rows against the metadata: " + (f"{len(disagree)} differences" if disagree
                                                    else f"the same counts in all {len(loaded)} runs"))
    for kind in ("monitor", "scan"):
        d = drop_totals([m for p, m in loaded if os.path.basename(p).startswith(kind)])
        moved = {k: v for k, v in d.items() if v}
        print(f"drops, {kind}: " + (", ".join(f"{k} {v}" for k, v in sorted(moved.items())) or "none"))
    flat = True
    for lines, ok in (monitor_flatness(rows, warmup), scan_flatness(rows, warmup)):
        print("\n".join(lines))
        flat = flat and ok
    print(f"memory and mempool: {'flat' if flat else 'NOT FLAT (see above)'}")
    if not flat:
        failures.append("memory or mempool not flat after the warm-up (see above)")
    for f in failures:
        print(f"FAIL: {f}")
    print("verdict: " + ("PASS" if not failures else "FAIL"))
    return 1 if failures else 0


PLOT = """set terminal pngcairo size 1200,1400 font ",9" noenhanced
set output '{png}'
set datafile separator ","
set multiplot layout 4,1 title "soak: {title}"
set key outside right
set offsets 0, 0, graph 0.05, graph 0.05
set xlabel "seconds"
set ylabel "VmRSS (MiB)"
plot {rss}
set ylabel "mempool free (mbufs)"
plot {free}
set ylabel "ring depth (entries)"
plot {rings}
set ylabel "drops (cumulative per run)"
plot {drops}
unset multiplot
"""


def plot(csv_path, png):
    rows = load_samples(csv_path)
    base = os.path.splitext(png)[0]
    series = {"rss": [], "free": [], "rings": [], "drops": []}
    for kind in ("monitor", "scan"):
        mine = [r for r in rows if r["process"] == kind]
        if not mine:
            continue
        dat = f"{base}.{kind}.dat"
        with open(dat, "w") as f:
            run = None
            for r in mine:
                if run is not None and r["run"] != run:
                    f.write("\n")  # a gap between scans: each run its own line
                run = r["run"]
                other = sum(num(r, k) or 0 for k in DROPS if k not in ("rx_ring_full", "rx_arp_ring_full"))
                vals = [r["t_s"], str(float(r["vmrss_kb"]) / 1024)] + [r.get(k) or "NaN" for k in (
                    "mempool_free", "record_ring_depth", "arp_ring_depth", "feedback_ring_depth", "drop_total")]
                f.write(",".join(vals + [str(other)]) + "\n")
        series["rss"].append(f"'{dat}' using 1:2 with lines title '{kind}'")
        series["free"].append(f"'{dat}' using 1:3 with lines title '{kind}'")
        for col, ring in ((4, "record"), (5, "arp"), (6, "feedback")):
            series["rings"].append(f"'{dat}' using 1:{col} with lines title '{kind} {ring}'")
        series["drops"].append(f"'{dat}' using 1:7 with lines title '{kind} nic+ring (drop_total)'")
        series["drops"].append(f"'{dat}' using 1:8 with lines title '{kind} other named reasons'")
    script = PLOT.format(png=png, title=os.path.basename(csv_path),
                         **{k: ", ".join(v) or "NaN notitle" for k, v in series.items()})
    with open(f"{base}.gp", "w") as f:
        f.write(script)
    subprocess.run(["gnuplot", f"{base}.gp"], check=True)
    return 0


def main(argv):
    if len(argv) == 5 and argv[1] == "sample":
        try:
            return sample(argv[2], argv[3], float(argv[4]))
        except KeyboardInterrupt:  # soak.sh's trap: the rows written so far are already flushed
            return 0
    if len(argv) >= 5 and argv[1] == "verdict":
        return verdict(argv[2], float(argv[3]), argv[4], argv[5:])
    if len(argv) == 4 and argv[1] == "plot":
        return plot(argv[2], argv[3])
    fail("usage: soak_report.py sample OUT.csv STATE_DIR SECONDS | verdict CSV WARMUP_S EVENTS META... | "
         "plot CSV PNG")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
