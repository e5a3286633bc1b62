#!/usr/bin/env python3
"""Checks a run that spray.py sprayed: the scanner's counters against what was sprayed of each kind
(exactly), every frame received in one named counter, and (reflector) that nothing but ARP replies
for the scanner's own address, its probes and its ARP for the gateway came back on the wire.

usage: check_spray.py reflector SPRAY.json META.json CAPTURE.pcap SCANNER_MAC SCANNER_IP GATEWAY_IP
                                GATEWAY_MAC TARGET_CIDR
       check_spray.py scan SPRAY.json META.json CLEAN_META.json RESULTS.csv CLEAN_RESULTS.csv
                           GATEWAY_IP GATEWAY_MAC STDERR CLEAN_STDERR SNMP_BEFORE SNMP_AFTER
       check_spray.py monitor SPRAY.json META.json REPLIES.csv TARGET_CIDR ROUNDS
                              GATEWAY_IP GATEWAY_MAC STDERR SNMP_BEFORE SNMP_AFTER
       check_spray.py trace SPRAY.json META.json REPLIES.csv TRACE_TRUTH CIDR MAX_TTL GATEWAY_IP GATEWAY_MAC
                      STDERR SNMP_BEFORE SNMP_AFTER
STDERR: the run's, whose lines about the gateway must be its one note of the gateway's MAC and, if
the spray claimed the gateway's address, one note of how many times. SNMP_*: the scanner's
namespace's /proc/net/snmp before and after the sprayed run, for the kinds the kernel takes before
the scanner sees them (spray.py's "kernel:" counters).
"""
import csv
import datetime
import ipaddress
import json
import re
import socket
import sys

from frames import records

# Where each frame received ends up: the RX lcore's reasons and the control lcore's ARP reasons.
# rx_stamp_refused and rx_clock_disagrees flag accepted replies, they are not a frame's fate.
RX_FATES = ["rx_arp", "rx_not_ipv4", "rx_truncated", "rx_bad_ip_header", "rx_ip_checksum", "rx_fragment",
            "rx_not_icmp", "rx_icmp_ignored", "rx_not_our_address", "rx_quote_invalid", "rx_cookie_invalid",
            "rx_valid", "rx_ring_full"]
ARP_FATES = ["rx_arp_ring_full", "arp_malformed", "arp_gratuitous", "arp_answered", "arp_not_answered",
             "arp_not_ours", "arp_gateway", "arp_unsolicited"]
# Counters that differ between two runs of one scan for reasons of timing, not of the spray: the
# gateway's own ARP for us (answered), and the frame totals that include it.
TIMING = {"rx_frames", "rx_arp", "arp_answered", "rx_stamp_refused", "rx_clock_disagrees", "tx_alloc_failed",
          "tx_queue_full"}


def require(ok, message):
    if not ok:
        raise SystemExit(f"FAIL: check_spray: {message}")


def ended_in_time(spray, meta, what):
    """The spray's last frame went out while the run still received (its RX stops shortly before its
    end_time): frames after that are no counter's, and every count below would just be short."""
    end = datetime.datetime.fromisoformat(meta["end_time"]).timestamp()
    require(spray["ended"] < end - 0.2, f"{what}: the spray ended {spray['ended'] - end:+.2f} s from the run's end:"
            " too late for its frames to be counted, give the run more time")


def every_frame_counted(meta, what):
    """Every frame received has exactly one fate, and every ARP frame one ARP reason; and none was
    lost to a full ring or port queue (counted, but then no kind's count can be checked)."""
    c, nic = meta["counters"], meta["nic"]
    full = {"rx_missed": nic["rx_missed"], "rx_nombuf": nic["rx_nombuf"], "rx_ring_full": c["rx_ring_full"],
            "rx_arp_ring_full": c["rx_arp_ring_full"]}
    require(not any(full.values()), f"{what}: frames dropped for want of room ({full}): the spray outran the"
            " scanner's lcores, lower its rate")
    require(c["rx_frames"] == sum(c[k] for k in RX_FATES),
            f"{what}: rx_frames {c['rx_frames']} != the sum of its fates {sum(c[k] for k in RX_FATES)}")
    require(c["rx_arp"] == sum(c[k] for k in ARP_FATES),
            f"{what}: rx_arp {c['rx_arp']} != the sum of the ARP reasons {sum(c[k] for k in ARP_FATES)}")


def snmp(path):
    """/proc/net/snmp as {"Ip.ReasmReqds": n, ...}."""
    lines, out = open(path).read().splitlines(), {}
    for names, values in zip(lines[::2], lines[1::2]):
        proto = names.split(":")[0]
        out.update({f"{proto}.{k}": int(v) for k, v in zip(names.split()[1:], values.split()[1:])})
    return out


def kernel_counted(spray, before, after, what):
    """The kinds the kernel takes before the scanner: its counter gained exactly what was sprayed."""
    b, a = snmp(before), snmp(after)
    for name, n in spray["expect"].items():
        if name.startswith("kernel:"):
            key = name.split(":", 1)[1]
            require(a[key] - b[key] == n, f"{what}: the kernel's {key} gained {a[key] - b[key]}, {n} sprayed")


def spray_counted(spray, c, base, what, extra=None):
    """Each sprayed counter gained exactly what was sprayed into it (plus `extra`); every other
    drop reason gained nothing. `base`: the same run without the spray (or zeros)."""
    extra = extra or {}
    unknown = [k for k in spray["expect"] if k not in c and not k.startswith("kernel:")]
    require(not unknown, f"{what}: sprayed into counters the scanner does not have: {unknown}")
    wrong = []
    for name in sorted(c):
        if name in TIMING or name.startswith(("tx_", "out_")):
            continue
        want = base.get(name, 0) + spray["expect"].get(name, 0) + extra.get(name, 0)
        if c[name] != want:
            wrong.append(f"{name} is {c[name]}, expected {want} ({base.get(name, 0)} without the spray + "
                         f"{spray['expect'].get(name, 0)} sprayed)")
    # Every wrong counter at once, and the totals beside them: a frame counted under another reason
    # shows as one counter short and one over; one short alone was lost before the scanner's
    # counters, or taken as a valid reply (rx_valid is the real replies', so it cannot say which).
    require(not wrong, f"{what}: " + "; ".join(wrong) + f" (rx_frames {c['rx_frames']}, rx_valid {c['rx_valid']},"
            f" rx_arp {c['rx_arp']})")
    print(f"  {what}: " + ", ".join(f"{k} +{v}" for k, v in sorted(spray["expect"].items())))


def gateway_kept(meta, gateway_mac, what):
    require(meta["gateway_mac"] == gateway_mac,
            f"{what}: gateway_mac {meta['gateway_mac']} in the metadata, the gateway is at {gateway_mac}")


def gateway_noted(stderr, gateway_ip, gateway_mac, claims, what):
    """The gateway's lines on stderr: its MAC once; if ARP claimed otherwise, a line when the first
    claim came (its MAC, one the spray made up) and one with the count at the end."""
    said = [line.strip() for line in open(stderr) if "gateway" in line]
    want = [re.escape(f"gateway {gateway_ip} is at {gateway_mac}")]
    if claims:
        want.append(re.escape(f"ARP says the gateway {gateway_ip} is at ") + "[0-9a-f:]{17}" +
                    re.escape(f", not {gateway_mac} as this run uses: ignored, and counted (arp_gateway_claims; "
                              "ARP spoofing, or a new gateway: then run again)"))
        want.append(re.escape(f"{claims} ARP messages said the gateway {gateway_ip} is at another MAC than "
                              f"{gateway_mac}: ignored (ARP spoofing, or a new gateway: then run again)"))
    require(len(said) == len(want) and all(re.search(w, s) for w, s in zip(want, said)),
            f"{what}: stderr says of the gateway {said}, expected {want}")


def mac(b):
    return b.hex(":")


def reflector(spray_path, meta_path, results, pcap, scanner_mac, scanner_ip, gateway_ip, gateway_mac, cidr):
    spray, meta = json.load(open(spray_path)), json.load(open(meta_path))
    net = ipaddress.ip_network(cidr)
    asked = {(ip, m): 0 for ip, m in spray["arp_for_us"]}
    gateway_answers = probes = own_requests = 0
    for t, outgoing, f in records(pcap):
        if outgoing:
            continue  # what the gateway's side sent (the spray among it)
        where = f"frame at {t:.6f} from {mac(f[6:12])}"
        require(mac(f[6:12]) == scanner_mac, f"{where}: not the scanner's MAC on the scanner's link")
        kind = f[12:14].hex()
        if kind == "0806":
            op, sha, spa, tha, tpa = f[20:22].hex(), mac(f[22:28]), socket.inet_ntoa(f[28:32]), mac(f[32:38]), \
                socket.inet_ntoa(f[38:42])
            require(sha == scanner_mac and spa == scanner_ip, f"{where}: ARP for {spa} at {sha}, not the scanner's own")
            if op == "0001":
                require(tpa == gateway_ip, f"{where}: an ARP request for {tpa}, not the gateway")
                own_requests += 1
            elif (tpa, tha) in asked:
                require(mac(f[0:6]) == tha, f"{where}: an ARP reply to {tha} sent to {mac(f[0:6])}")
                asked[(tpa, tha)] += 1
            else:
                require((tpa, tha) == (gateway_ip, gateway_mac), f"{where}: an ARP reply to {tpa} ({tha}), never asked")
                gateway_answers += 1
            continue
        ok = kind == "0800" and f[23] == 1 and f[34] == 8 and socket.inet_ntoa(f[26:30]) == scanner_ip \
            and ipaddress.ip_address(socket.inet_ntoa(f[30:34])) in net and mac(f[0:6]) == gateway_mac
        require(ok, f"{where}: ethertype {kind}, neither ARP nor one of the scanner's probes: the scanner answered")
        probes += 1
    wrong = {k: n for k, n in asked.items() if n != 1}
    require(not wrong, f"ARP requests for the scanner's address answered other than once: {list(wrong.items())[:5]}")
    c = meta["counters"]
    require(probes == c["tx_probes"], f"{probes} probes on the wire, the scanner says it sent {c['tx_probes']}")
    require(own_requests >= 1, "the scanner's ARP request for its gateway is not in the capture")
    every_frame_counted(meta, "reflector")
    # The real traffic beside the spray: the gateway's answers to our requests, and the replies
    # (every one a row: the scan's filter keeps successes, and a /24 answers once per host).
    found = list(csv.DictReader(open(results)))
    require(c["rx_valid"] == len(found) > 0, f"reflector: rx_valid {c['rx_valid']}, {len(found)} rows")
    require(c["arp_gateway"] == own_requests, f"reflector: arp_gateway {c['arp_gateway']}, {own_requests} requests")
    # The gateway's own requests for us were answered too: the capture has each answer.
    spray_counted(spray, c, {}, "reflector", {"rx_valid": c["rx_valid"], "arp_gateway": c["arp_gateway"]})
    require(c["arp_answered"] == len(asked) + gateway_answers,
            f"arp_answered {c['arp_answered']}, but {len(asked)} sprayed requests and {gateway_answers}"
            " of the gateway's were answered on the wire")
    gateway_kept(meta, gateway_mac, "reflector")
    print(f"  wire: {probes} probes, {own_requests} ARP request(s) for the gateway, {len(asked)} sprayed ARP "
          f"requests for {scanner_ip} answered once each, {gateway_answers} of the gateway's answered, nothing else")


def rows(path):
    return sorted(tuple(sorted(r.items())) for r in csv.DictReader(open(path)))


def scan(spray_path, meta_path, clean_meta_path, results, clean_results, gateway_ip, gateway_mac, stderr,
         clean_stderr, before, after):
    spray, meta, clean = (json.load(open(p)) for p in (spray_path, meta_path, clean_meta_path))
    got, want = rows(results), rows(clean_results)
    extra, missing = sorted(set(got) - set(want)), sorted(set(want) - set(got))
    require(got == want, f"the sprayed scan's {len(got)} rows differ from the clean scan's {len(want)}: "
            f"{len(extra)} only sprayed (e.g. {extra[:2]}), {len(missing)} only clean (e.g. {missing[:2]})")
    require(len(got) > 0, "the clean scan found nothing")
    ended_in_time(spray, meta, "sprayed scan")
    for m, what in ((clean, "clean scan"), (meta, "sprayed scan")):
        every_frame_counted(m, what)
        gateway_kept(m, gateway_mac, what)
    spray_counted(spray, meta["counters"], clean["counters"], "sprayed scan")
    kernel_counted(spray, before, after, "sprayed scan")
    gateway_noted(clean_stderr, gateway_ip, gateway_mac, 0, "clean scan")
    gateway_noted(stderr, gateway_ip, gateway_mac, spray["expect"].get("arp_gateway_claims", 0), "sprayed scan")
    print(f"  sprayed scan: {len(got)} rows, the clean scan's exactly; gateway {gateway_mac} kept")


def monitor_books(summaries, net, rounds):
    """Every target's summaries: each round sent and received, nothing lost, late or duplicated."""
    books = {}
    for line in open(summaries):
        j = json.loads(line)
        require(j["type"] == "summary", f"monitor: an event under the spray: {j}")
        b = books.setdefault(j["target"], [0, 0, 0])
        b[0], b[1], b[2] = b[0] + j["sent"], b[1] + j["received"], b[2] + j["lost"] + j["late"] + j["duplicates"]
    bad = {t: b for t, b in books.items() if b != [rounds, rounds, 0]}
    require(len(books) == net.num_addresses and not bad,
            f"monitor: {len(books)} targets summarised of {net.num_addresses}; not {rounds} sent and received "
            f"with nothing lost, late or duplicated: {list(bad.items())[:3]}")


def monitor(spray_path, meta_path, summaries, replies, cidr, rounds, gateway_ip, gateway_mac, stderr, before,
            after):
    spray, meta = json.load(open(spray_path)), json.load(open(meta_path))
    net, c = ipaddress.ip_network(cidr), meta["counters"]
    seen = {}
    for r in csv.DictReader(open(replies)):
        require(ipaddress.ip_address(r["probe_daddr"]) in net and r["saddr"] == r["probe_daddr"] and r["type"] == "0",
                f"monitor: a row that no target of {cidr} sent: {r}")
        key = (r["probe_daddr"], r["round"])
        seen[key] = seen.get(key, 0) + 1
    require(all(n == 1 for n in seen.values()), "monitor: a (target, round) reported twice")
    want = net.num_addresses * int(rounds)
    require(len(seen) == want, f"monitor: {len(seen)} (target, round) replies, expected {want}")
    require(c["rx_valid"] == want, f"monitor: rx_valid {c['rx_valid']}, expected {want}")
    monitor_books(summaries, net, int(rounds))
    counts("monitor", spray, meta, gateway_ip, gateway_mac, stderr, before, after)
    print(f"  monitor: {len(seen)} replies, one per target and round; gateway {gateway_mac} kept")


def counts(what, spray, meta, gateway_ip, gateway_mac, stderr, before, after, extra=None):
    """A sprayed run without a clean twin: the spray's counters from zero (plus `extra`), the real
    replies aside."""
    c = meta["counters"]
    ended_in_time(spray, meta, what)
    every_frame_counted(meta, what)
    # The gateway answered our one request once (rx_valid is the caller's to check).
    require(c["arp_gateway"] == 1, f"{what}: arp_gateway {c['arp_gateway']}, expected the one answer to our request")
    spray_counted(spray, c, {}, what, {"rx_valid": c["rx_valid"], "arp_gateway": c["arp_gateway"], **(extra or {})})
    kernel_counted(spray, before, after, what)
    gateway_noted(stderr, gateway_ip, gateway_mac, spray["expect"].get("arp_gateway_claims", 0), what)
    gateway_kept(meta, gateway_mac, what)


def trace_reply_explained(truth, net, max_ttl, r):
    """A trace reply the testbed sent: to a probe of TTL 1..max_ttl to a target of `net`, from the
    truth's hop at that TTL, or past the path's hops from one of them or the target (an Echo Reply
    or an Unreachable)."""
    target, ttl = r["probe_daddr"], int(r["probe_ttl"])
    if ipaddress.ip_address(target) not in net or not 1 <= ttl <= max_ttl:
        return False
    for prefix, hops in truth:
        if ipaddress.ip_address(target) in prefix:
            by_ttl = {n: (target if h == "dst" else h) for n, h in enumerate(hops, 1)}
            if ttl in by_ttl:
                return r["saddr"] == by_ttl[ttl]
            return r["saddr"] in {target, *by_ttl.values()}
    return False


def trace_truth(path):
    """The testbed's trace truth as [(prefix, [hop per TTL])], longest prefix first."""
    rows = [line.rstrip("\n").split("\t") for line in open(path) if line.strip() and not line.startswith("#")]
    return sorted(((ipaddress.ip_network(r[0]), r[3].split(",")) for r in rows), key=lambda t: -t[0].prefixlen)


def trace(spray_path, meta_path, replies, truth_path, cidr, max_ttl, gateway_ip, gateway_mac, stderr, before, after):
    """Trace mode's counters (its paths are check_trace.py's, against the testbed's truth), and
    every valid reply one the testbed sent: a forged frame taken as valid is named."""
    spray, meta = json.load(open(spray_path)), json.load(open(meta_path))
    truth, net = trace_truth(truth_path), ipaddress.ip_network(cidr)
    got = list(csv.DictReader(open(replies)))
    # A forged error that hit the 18-bit MAC (one in 262,144) is valid, but its quote's checksum is
    # not the flow of its destination (but one in 65,536): flagged rewritten, never attributed. The
    # testbed rewrites nothing, so every row flagged so is forged, whatever its addresses.
    forged = [r for r in got if r["dst_rewritten"] == "1"]
    attributed = [r for r in got if r["dst_rewritten"] != "1" and not trace_reply_explained(truth, net, int(max_ttl), r)]
    require(not attributed, f"trace: {len(attributed)} valid replies no probe of ours explains were "
            f"attributed: {attributed[:3]}")
    require(len(got) == meta["counters"]["rx_valid"],
            f"trace: {len(got)} reply rows, rx_valid {meta['counters']['rx_valid']}")
    counts("trace", spray, meta, gateway_ip, gateway_mac, stderr, before, after,
           {"rx_cookie_invalid": -len(forged)})
    print(f"  trace: every sprayed frame counted, every one of {len(got) - len(forged)} attributed replies the "
          f"testbed's ({len(forged)} forged errors hit the MAC, flagged rewritten); gateway {gateway_mac} kept")


def main():
    checks = {"reflector": reflector, "scan": scan, "monitor": monitor, "trace": trace}
    check = checks.get(sys.argv[1] if len(sys.argv) > 1 else "")
    if not check or len(sys.argv) - 2 != check.__code__.co_argcount:
        sys.exit(__doc__)
    check(*sys.argv[2:])


if __name__ == "__main__":
    main()
