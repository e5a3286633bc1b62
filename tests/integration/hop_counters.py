#!/usr/bin/env python3
"""Where packets were lost on the testbed: the kernel's counters of every hop, before and after a scan.

usage: hop_counters.py snapshot OUT.json NAMESPACE...
       hop_counters.py report BEFORE.json AFTER.json [META.json]
       hop_counters.py left BEFORE.json AFTER.json META.json

snapshot reads, inside each namespace, /proc/net/dev (each interface's packets and drops),
/proc/net/snmp and /proc/net/netstat (IP and ICMP counters), and the root namespace's
/proc/net/softnet_stat (each CPU's input backlog: packets, drops when it held more than
net.core.netdev_max_backlog) and /proc/net/stat/arp_cache (packets dropped waiting for ARP). report prints what changed in between: every drop counter that
moved, then the scanner's link counted from both ends, so a test that lost replies says where:
  - scan0 TX vs the scanner's tx_probes: probes the af_packet/af_xdp socket did not hand to the link;
  - r1-scan RX vs scan0 TX: probes dropped entering the gateway (its backlog or NAPI ring);
  - scan0 RX vs r1-scan TX: replies dropped entering scan0 (counted as scan0's RX drops);
  - the ports' rx_packets vs scan0 RX: replies the kernel queued for the scanner's sockets but
    the sockets never gave to DPDK (both af_packet, whose ring drops the scanner reads with
    PACKET_STATISTICS, and af_xdp count these as rx_missed);
  - rx_frames, rx_valid, rx_ring_full, out_records: the scanner's own counters (metadata -m).
left checks that every frame the scanner's ports counted as sent, its probes among them, left on
scan0, and that scan0 carried nothing else (exit 1 if not).
"""
import ctypes
import json
import os
import sys

CLONE_NEWNET = 0x40000000
# Counters printed whenever they moved: losses, and what each host and router did.
SNMP_DROPS = {
    "Ip": ["InHdrErrors", "InAddrErrors", "InDiscards", "OutDiscards", "OutNoRoutes"],
    "Icmp": ["InErrors", "OutErrors", "OutRateLimitGlobal", "OutRateLimitHost"],
    "IpExt": ["InNoRoutes", "InTruncatedPkts"],
    "TcpExt": ["PFMemallocDrop"],
}
SNMP_WORK = {
    "Ip": ["InReceives", "ForwDatagrams", "OutRequests"],
    "Icmp": ["InEchos", "OutEchoReps", "OutDestUnreachs", "OutTimeExcds"],
}


def read_table(path):
    """/proc/net/snmp and netstat: pairs of lines, a header of names then the values."""
    out = {}
    lines = open(path).read().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        proto, names = names.split(":", 1)
        out[proto] = dict(zip(names.split(), map(int, values.split(":", 1)[1].split())))
    return out


def read_snmp6():
    """/proc/net/snmp6: one "Name value" pair a line; absent when the kernel has no IPv6."""
    try:
        return {k: int(v) for k, v in (line.split() for line in open("/proc/net/snmp6") if line.strip())}
    except FileNotFoundError:
        return {}


def read_dev():
    out = {}
    for line in open("/proc/net/dev").read().splitlines()[2:]:
        name, rest = line.split(":", 1)
        v = list(map(int, rest.split()))
        out[name.strip()] = {"rx_packets": v[1], "rx_drop": v[3], "tx_packets": v[9], "tx_drop": v[11]}
    return out


def snapshot(out, namespaces):
    libc = ctypes.CDLL(None, use_errno=True)
    root = os.open("/proc/self/ns/net", os.O_RDONLY)
    snap = {"softnet": [], "ns": {}}
    for line in open("/proc/net/softnet_stat"):
        v = [int(x, 16) for x in line.split()]
        snap["softnet"].append({"processed": v[0], "dropped": v[1], "time_squeeze": v[2]})
    # The ARP table is one for every namespace: packets dropped while their next hop was resolved.
    arp = open("/proc/net/stat/arp_cache").read().split("\n")
    col = arp[0].split().index("unresolved_discards")
    snap["arp_unresolved_discards"] = sum(int(line.split()[col], 16) for line in arp[1:] if line)
    for ns in namespaces:
        try:
            fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
        except FileNotFoundError:
            continue
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
        os.close(fd)
        snmp = read_table("/proc/net/snmp")
        snmp.update(read_table("/proc/net/netstat"))
        snap["ns"][ns] = {"dev": read_dev(), "snmp": snmp, "snmp6": read_snmp6()}
        libc.setns(root, CLONE_NEWNET)
    os.close(root)
    json.dump(snap, open(out, "w"))


def delta(a, b):
    return {k: b[k] - a.get(k, 0) for k in b}


def report(before_path, after_path, meta_path=None):
    a, b = json.load(open(before_path)), json.load(open(after_path))
    print("where packets went during the scan (kernel counters of each hop, and the scanner's):")
    for cpu, (x, y) in enumerate(zip(a["softnet"], b["softnet"])):
        d = delta(x, y)
        print(f"  cpu{cpu} input backlog: {d['processed']} packets, {d['dropped']} dropped "
              f"(net.core.netdev_max_backlog full), {d['time_squeeze']} times out of budget")
    print(f"  packets dropped waiting for ARP (all namespaces): "
          f"{b['arp_unresolved_discards'] - a['arp_unresolved_discards']}")
    dev = {}
    for ns, after in b["ns"].items():
        before = a["ns"].get(ns, {"dev": {}, "snmp": {}})
        moved = []
        for ifname, c in after["dev"].items():
            d = delta(before["dev"].get(ifname, {}), c)
            dev[ifname] = d
            if ifname != "lo" and any(d.values()):
                moved.append(f"{ifname} rx {d['rx_packets']} (drop {d['rx_drop']}) "
                             f"tx {d['tx_packets']} (drop {d['tx_drop']})")
        for kind in (SNMP_WORK, SNMP_DROPS):
            for proto, names in kind.items():
                d = delta(before["snmp"].get(proto, {}), after["snmp"].get(proto, {}))
                moved += [f"{proto}{n} {d[n]}" for n in names if d.get(n)]
        if moved:
            print(f"  {ns}: " + ", ".join(moved))
    if not meta_path or not os.path.exists(meta_path) or "scan0" not in dev or "r1-scan" not in dev:
        return
    m = scanner_metadata(meta_path)
    if m is None:
        print(f"  {meta_path} holds no scanner counters (the run wrote no metadata there): the "
              "scanner's side of the link is left out")
        return
    c, s0, r1 = m["counters"], dev["scan0"], dev["r1-scan"]
    rx_ports = sum(p["rx_packets"] for p in m.get("ports", []))
    print("  the scanner's link, both ends:")
    rows = [
        ("probes handed to the NIC (tx_probes)", c["tx_probes"]),
        ("  scan0 TX (dropped by scan0)", f"{s0['tx_packets']} ({s0['tx_drop']})"),
        ("  r1-scan RX (dropped entering the gateway)", f"{r1['rx_packets']} ({r1['rx_drop']})"),
        ("frames sent back by the gateway (r1-scan TX)", f"{r1['tx_packets']} ({r1['tx_drop']} dropped)"),
        ("  scan0 RX (dropped entering scan0)", f"{s0['rx_packets']} ({s0['rx_drop']})"),
        ("  taken by the scanner's sockets (ports' rx_packets)", rx_ports),
        ("  lost between the kernel and the sockets' rings", s0["rx_packets"] - rx_ports),
        ("  dropped and counted by the port (rx_missed, rx_nombuf)",
         f"{m['nic']['rx_missed']}, {m['nic']['rx_nombuf']}"),
        ("frames the RX lcores parsed (rx_frames)", c["rx_frames"]),
        ("  valid replies queued (rx_valid), ring full (rx_ring_full)", f"{c['rx_valid']}, {c['rx_ring_full']}"),
        ("  records the output lcore took (out_records)", c["out_records"]),
    ]
    for name, value in rows:
        print(f"    {name:58} {value}")


def scanner_metadata(path):
    """The scanner's metadata (-m), or None when the file is something else (a test may keep an
    older file there on purpose) or cannot be read."""
    try:
        m = json.load(open(path))
    except (OSError, ValueError):
        return None
    ok = isinstance(m, dict) and isinstance(m.get("counters"), dict) and isinstance(m.get("ports"), list)
    return m if ok else None


def left(before_path, after_path, meta_path):
    """Exact, not a bound: scan0 has no kernel address and IPv6 is off in its namespace (testbed.sh),
    so every frame it sends came from the scanner's ports, and each port counts in its tx_packets
    every frame it took: the probes (what tx_probes counts) and the control lcore's ARP requests
    and replies. So scan0's TX equals the ports' tx_packets exactly when every frame they took,
    each probe among them, left on the link; a lost probe cannot hide behind an ARP frame, which is
    counted on both sides. The kernel's own output in the namespace (IPv4 and IPv6 packets, each
    of which may also cost ARP or neighbour discovery frames that no counter tells apart) must
    not have moved, or the count would no longer be the scanner's alone."""
    a, b = json.load(open(before_path)), json.load(open(after_path))
    m = scanner_metadata(meta_path)
    if m is None:
        print(f"  {meta_path} is not the scanner's metadata (no counters or ports): cannot check")
        return 1
    before, after = a["ns"]["ics-scan"], b["ns"]["ics-scan"]
    frames = after["dev"]["scan0"]["tx_packets"] - before["dev"]["scan0"]["tx_packets"]
    kernel = (after["snmp"]["Ip"]["OutRequests"] - before["snmp"]["Ip"]["OutRequests"]
              + after["snmp6"].get("Ip6OutRequests", 0) - before["snmp6"].get("Ip6OutRequests", 0))
    handed = sum(p["tx_packets"] for p in m["ports"])
    probes = m["counters"]["tx_probes"]
    print(f"  scan0 sent {frames} frames; the scanner's ports took {handed}: {probes} probes and "
          f"{handed - probes} ARP frames; the namespace's kernel sent {kernel} packets of its own")
    fails = []
    if kernel:
        fails.append("the kernel of the scanner's namespace sent packets of its own, so scan0's count "
                     "is not the scanner's alone")
    if frames != handed:
        fails.append(f"{handed - frames} frames the ports took never left on scan0" if frames < handed
                     else f"scan0 sent {frames - handed} frames more than the ports took")
    if handed < probes:
        fails.append(f"the ports counted {probes - handed} fewer frames than the probes counted as sent")
    for f in fails:
        print(f"  FAIL: {f}")
    return 1 if fails else 0


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "snapshot":
        snapshot(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 5 and sys.argv[1] == "left":
        return left(*sys.argv[2:])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "report":
        report(*sys.argv[2:])
    else:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
