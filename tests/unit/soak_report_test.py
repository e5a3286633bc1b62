#!/usr/bin/env python3
"""scripts/soak_report.py's verdict on made-up soaks: a consistent one passes; a metadata file whose
counters break "received = accepted + dropped by reason", a failed process, a last status row that
disagrees with its run's metadata, and memory growth after the warm-up (reported NOT FLAT with its
numbers) each fail it; the sampler reads a -u file's last complete row.
Exits 1 naming the first check that did not hold."""
import io
import json
import os
import sys
import tempfile
from contextlib import redirect_stdout

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import soak_report  # noqa: E402

STATUS_COLS = ["drop_total", "nic_missed", "nic_no_mbuf", "mempool_free", "mempool_size", "record_ring_depth",
               "arp_ring_depth", "feedback_ring_depth", "rx_ring_full", "rx_arp_ring_full"]


def check(ok, message):
    if not ok:
        raise SystemExit(f"FAIL: soak_report_test: {message}")


def counters(**changes):
    """A run's metadata counters that add up: 1000 frames, 990 valid, 6 ARP, 3 forged, 1 lost to the ring."""
    c = {k: 0 for k in soak_report.RX_FATES + soak_report.ARP_FATES}
    c.update(rx_frames=1000, rx_valid=990, rx_arp=6, arp_answered=5, arp_gateway=1, rx_cookie_invalid=3,
             rx_ring_full=1, out_records=990)
    c.update(changes)
    return {"counters": c, "nic": {"rx_missed": 2, "rx_nombuf": 0}}


def write_soak(d, rss_growth_kb=0):
    """600 s of monitor samples (VmRSS 100 MB, growing by rss_growth_kb over the run) and 100 scans of 5 s."""
    rows = [",".join(soak_report.HEAD + STATUS_COLS)]
    for t in range(600):
        rss = 100000 + rss_growth_kb * t // 599
        drop = [4, 1, 0]
        rows.append(",".join(map(str, [t, "monitor", "monitor", 11, rss] + drop + [8000, 8191, 3, 0, 0, 3, 0])))
        rows.append(",".join(map(str, [t, "scan", t // 5 + 1, 100 + t // 5, 50000, 0, 0, 0, 8100, 8191, 1, 0, 0,
                                        0, 0])))
    path = os.path.join(d, "soak.csv")
    open(path, "w").write("\n".join(rows) + "\n")
    return path


def run_verdict(d, csv_path, metas, events="monitor exit 0\nscan-1 exit 0\n", status_changes=None):
    """Each run's metadata, and its -u file whose last row has the metadata's counts (with
    status_changes, a dict of columns to change, in the last run's)."""
    ev = os.path.join(d, "events")
    open(ev, "w").write(events)
    paths = []
    for i, m in enumerate(metas):
        p = os.path.join(d, f"{'monitor' if i == 0 else 'scan-' + str(i)}.json")
        json.dump(m, open(p, "w"))
        paths.append(p)
        row = dict(m["counters"], nic_missed=m["nic"]["rx_missed"], nic_no_mbuf=m["nic"]["rx_nombuf"])
        if i == len(metas) - 1 and status_changes:
            row.update(status_changes)
        open(p[:-len(".json")] + ".status.csv", "w").write(
            ",".join(row) + "\n" + ",".join(map(str, row.values())) + "\n")
    out = io.StringIO()
    with redirect_stdout(out):
        rc = soak_report.verdict(csv_path, 60, ev, paths)
    return rc, out.getvalue()


def main():
    with tempfile.TemporaryDirectory() as d:
        good = write_soak(d)
        rc, text = run_verdict(d, good, [counters(), counters()])
        check(rc == 0 and "verdict: PASS" in text, f"a consistent soak fails:\n{text}")
        check("hold in all 2 runs" in text, f"the identities' line:\n{text}")
        check("rx_cookie_invalid 3" in text and "nic.rx_missed 2" in text and "rx_ring_full 1" in text,
              f"every drop by name:\n{text}")
        check("monitor VmRSS: 100000 kB first after warm-up, 100000 last-window peak: +0 kB" in text
              and "memory and mempool: flat" in text, f"flat memory:\n{text}")

        # A run whose frames do not add up (one frame with no reason), and one whose ARP reasons do not.
        rc, text = run_verdict(d, good, [counters(), counters(rx_frames=1001), counters(arp_answered=4)])
        check(rc == 1 and "verdict: FAIL" in text, f"broken identities pass:\n{text}")
        check("scan-1.json: rx_frames 1001 != accepted + dropped by reason 1000" in text, text)
        check("scan-2.json: rx_arp 6 != the ARP reasons' sum 5" in text, text)
        rc, text = run_verdict(d, good, [counters(), counters(out_records=989)])
        check(rc == 1 and "out_records 989 != rx_valid 990" in text, f"a record lost on the way out:\n{text}")

        rc, text = run_verdict(d, good, [counters()], events="scan-1 exit 0\nscan-2 exit 139\nmonitor exit 0\n")
        check(rc == 1 and "process failed: scan-2 exit 139" in text, f"a crashed scan passes:\n{text}")
        rc, text = run_verdict(d, good, [counters()], events="monitor died: ended 30 s early (exit 0)\n")
        check(rc == 1 and "monitor died" in text, f"an early monitor passes:\n{text}")

        rc, text = run_verdict(d, good, [counters(), counters()], status_changes={"rx_ring_full": 0})
        check(rc == 1 and "scan-1.status.csv: rx_ring_full 0 in the last status row, 1 in the metadata" in text,
              f"a status row that disagrees with its metadata passes:\n{text}")
        rc, text = run_verdict(d, good, [counters()], status_changes={"nic_missed": 3})
        check(rc == 1 and "nic_missed 3 in the last status row, 2 in the metadata" in text,
              f"a NIC drop the status row misses passes:\n{text}")

        # 6 MB of growth over the run: reported with its numbers, and a failure.
        rc, text = run_verdict(d, write_soak(d, rss_growth_kb=6000), [counters()])
        check(rc == 1 and "NOT FLAT" in text and "memory and mempool: NOT FLAT" in text
              and "FAIL: memory or mempool not flat" in text, f"growth:\n{text}")

        status = os.path.join(d, "status.csv")
        open(status, "w").write("real_time,mempool_free\n1.000,10\n2.000,20\n3.0")  # the last row half written
        check(soak_report.last_status_row(status) == (["real_time", "mempool_free"], ["2.000", "20"]),
              f"the last complete row: {soak_report.last_status_row(status)}")
        open(status, "w").write("real_time,mempool_free\n")
        check(soak_report.last_status_row(status) == (None, None), "a -u file with no row yet")
    print("soak_report_test: PASS")


if __name__ == "__main__":
    main()
