#!/usr/bin/env python3
"""Turns bench/run.sh's raw figures (DIR/*.json, DIR/*.jsonl) into one table on stdout and
DIR/results.json. Medians over rounds; ratios are taken within a round, then their median."""
import ipaddress
import json
import os
import platform
import statistics
import subprocess
import sys
import time


def load_jsonl(path):
    return [json.loads(line) for line in open(path)] if os.path.exists(path) else []


def bench_medians(path):
    """Google Benchmark JSON -> {run_name: {items_per_second, label}} (the median aggregate when
    there were repetitions, the single run otherwise)."""
    if not os.path.exists(path):
        return {}
    out = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        if b.get("run_type") == "aggregate" or name not in out:
            out[name] = {"items_per_second": b.get("items_per_second", 0), "label": b.get("label", "")}
    return out


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def by_round(rows, tool):
    return {r["round"]: r for r in rows if r["tool"] == tool}


def ratio_median(rows, tool, base):
    a, b = by_round(rows, tool), by_round(rows, base)
    return median([a[k]["pps"] / b[k]["pps"] for k in a if k in b and b[k]["pps"]])


def summarize(rows):
    """Medians of one tool's side-by-side runs."""
    return {"pps": median([r["pps"] for r in rows]), "cpu_s": median([r["cpu"] for r in rows]),
            "wall_s": median([r["wall"] for r in rows]), "rss_kb": median([r["rss_kb"] for r in rows])}


def rate(v):
    if v is None:
        return "-"
    return f"{v / 1e6:.2f} M/s" if v >= 1e6 else f"{v / 1e3:.0f} k/s"


def machine():
    model = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    try:
        dpdk = subprocess.run(["pkg-config", "--modversion", "libdpdk"], capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        dpdk = ""
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": platform.release(), "dpdk": dpdk,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def main():
    d = sys.argv[1]
    res = {"machine": machine()}
    lines = []

    def row(what, value, note=""):
        lines.append(f"  {what:<58} {value:>14}  {note}")

    micro = {**bench_medians(os.path.join(d, "engine_bench.json")),
             **bench_medians(os.path.join(d, "dataplane_bench.json"))}
    res["micro"] = micro

    tx = load_jsonl(os.path.join(d, "tx.jsonl"))
    ref = median([r["pps"] for r in tx if r["tool"] == "reference"])
    cidr = median([r["pps"] for r in tx if r["tool"] == "engine-cidr"])
    intervals = median([r["pps"] for r in tx if r["tool"] == "engine-intervals"])
    ipv6 = median([r["pps"] for r in tx if r["tool"] == "engine-ipv6"])
    res["tx"] = {"reference_pps": ref, "cidr_pps": cidr, "intervals_pps": intervals, "ipv6_pps": ipv6,
                 "cidr_ratio_to_reference": ratio_median(tx, "engine-cidr", "reference"),
                 "intervals_ratio_to_reference": ratio_median(tx, "engine-intervals", "reference"),
                 "ipv6_ratio_to_cidr": ratio_median(tx, "engine-ipv6", "engine-cidr"),
                 "rows": tx}
    lines.append("TX (one TX lcore into net_null)")
    row("reference loop (fixed frame, bulk alloc, bursts of 32)", rate(ref))
    row("dpdk-icmpscan, one CIDR (198.18.0.0/15)", rate(cidr),
        f"ratio {res['tx']['cidr_ratio_to_reference'] or 0:.2f}")
    row("dpdk-icmpscan, 10,000 ranges (-w)", rate(intervals),
        f"ratio {res['tx']['intervals_ratio_to_reference'] or 0:.2f}")
    row("dpdk-icmpscan -6, 131,072 listed addresses", rate(ipv6),
        f"ratio to the CIDR {res['tx']['ipv6_ratio_to_cidr'] or 0:.2f}")
    m_ref = micro.get("BM_TxReference", {}).get("items_per_second")
    for arg, label in (("0", "one CIDR"), ("1", "10k intervals"), ("2", "IPv4 minus blocklist")):
        m = micro.get(f"BM_TxEngine/{arg}", {}).get("items_per_second")
        if m and m_ref:
            row(f"  TX burst in-process ({label})", rate(m), f"ratio {m / m_ref:.2f} to {rate(m_ref)}")

    lines.append("RX and output (one lcore each)")
    row("RX: rx_burst + parse + validate + enqueue", rate(micro.get("BM_RxEngine/real_time", {}).get("items_per_second")))
    row("output: dedup + filter + CSV rows to a file", rate(micro.get("BM_OutputCsv/real_time", {}).get("items_per_second")))

    loop = load_jsonl(os.path.join(d, "loop.jsonl"))
    res["loop"] = loop
    exact = [r for r in loop if r["exact"]]
    lines.append("Full loop through the testbed (kernel forwarding and answering)")
    for r in loop:
        drops = r["nic_rx_missed"] + r["nic_rx_nombuf"] + r["rx_ring_full"]
        row(f"  {r['rate'] / 1000:.0f} kpps asked", rate(r["achieved"]),
            f"{'exact' if r['exact'] else 'NOT exact'}: {r['hits']} hits; drops {drops}")
    best = max(exact, key=lambda r: r["achieved"]) if exact else None
    res["loop_highest_exact_rate"] = best["rate"] if best else None
    row("highest rate with no reply lost", rate(best["achieved"]) if best else "-")

    sink = load_jsonl(os.path.join(d, "sink.jsonl"))
    res["sink"] = {}
    sink_range_file = os.path.join(d, "sink_range")
    sink_probes = 8 * ipaddress.ip_network(open(sink_range_file).read().strip()).num_addresses \
        if os.path.exists(sink_range_file) else 0
    lines.append(f"Side by side (a): into a veth whose peer drops everything, {sink_probes:,} probes")
    for tool in dict.fromkeys(r["tool"] for r in sink):
        s = {**summarize([r for r in sink if r["tool"] == tool]),
             "ratio_to_zmap_1thread": ratio_median(sink, tool, "zmap-1thread")}
        res["sink"][tool] = s
        row(f"  {tool}", rate(s["pps"]),
            f"x{s['ratio_to_zmap_1thread'] or 0:.2f} zmap; cpu {s['cpu_s']:.2f} s; wall {s['wall_s']:.2f} s; "
            f"rss {s['rss_kb'] / 1024:.0f} MiB")

    tb = load_jsonl(os.path.join(d, "testbed.jsonl"))
    res["testbed"] = {}
    lines.append("Side by side (b): through the testbed, 32,768 probes (one per address)")
    for tool in dict.fromkeys(r["tool"] for r in tb):
        rows = [r for r in tb if r["tool"] == tool]
        s = {**summarize(rows), "hits": median([r.get("hits") for r in rows]), "expected": rows[0].get("expected"),
             "false_hits": max(r.get("false_hits", 0) for r in rows),
             "cpu_us_per_probe": median([r["cpu"] / r["packets"] * 1e6 if r["packets"] else None for r in rows])}
        res["testbed"][tool] = s
        row(f"  {tool}", rate(s["pps"]),
            f"hits {s['hits']:.0f}/{s['expected']}; cpu {s['cpu_s']:.2f} s "
            f"({s['cpu_us_per_probe'] or 0:.1f} us/probe); wall {s['wall_s']:.2f} s; rss {s['rss_kb'] / 1024:.0f} MiB")

    mem_path = os.path.join(d, "memory.json")
    if os.path.exists(mem_path):
        mem = json.load(open(mem_path))
        res["memory"] = mem
        lines.append("Memory (a long scan into net_null)")
        row(f"  resident after 1 s -> max over {mem['seconds']} s",
            f"{mem['rss_kb_after_1s'] / 1024:.0f}->{mem['rss_kb_max'] / 1024:.0f} MiB",
            f"growth {mem['growth_kb']} KiB")

    lines.append("Micro-benchmarks (items per second, median)")
    for name, b in micro.items():
        row(f"  {name} {b['label']}", rate(b["items_per_second"]))

    # Every stage must have produced figures: a stage that silently measured nothing is a failure.
    missing = []
    if not cidr or not intervals or not ref:
        missing.append("TX")
    if not micro.get("BM_RxEngine/real_time") or not micro.get("BM_OutputCsv/real_time"):
        missing.append("RX/output")
    if not loop:
        missing.append("full loop")
    missing += [f"sink {t}" for t, v in res["sink"].items() if not v["pps"]]
    missing += [f"testbed {t}" for t, v in res["testbed"].items() if not v["pps"]]
    # Every tool's row, and through the testbed at every rate run.sh asked for.
    rates_file = os.path.join(d, "testbed_rates")
    rates = set(open(rates_file).read().split()) if os.path.exists(rates_file) else set()
    missing += [f"sink {t}" for t in ("engine-af_packet", "engine-af_packet-2tx", "engine-af_xdp",
                                      "engine-af_xdp-2q", "zmap-1thread", "masscan") if t not in res["sink"]]
    missing += [f"testbed {t}@{r}" for t in ("engine-af_packet", "engine-af_xdp", "zmap", "masscan")
                for r in sorted(rates) if f"{t}@{r}" not in res["testbed"]]
    if not rates:
        missing.append("testbed rows")
    if not res.get("memory", {}).get("rss_kb_max"):
        missing.append("memory")
    res["missing"] = missing

    m = res["machine"]
    print(f"dpdk-icmpscan benchmark: {m['cpu']}, {m['cpus']} CPUs, Linux {m['kernel']}, DPDK {m['dpdk']}, {m['date']}")
    print("\n".join(lines))
    json.dump(res, open(os.path.join(d, "results.json"), "w"), indent=1)
    print(f"(written to {os.path.join(d, 'results.json')})")
    if missing:
        print("bench: no figures for: " + ", ".join(missing), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
