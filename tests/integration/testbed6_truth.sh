#!/usr/bin/env bash
# The IPv6 testbed's ground truth against the kernel's own tools (no scanner binary needed):
# `testbed.sh up --ipv6`, then scan0 gets kernel addresses for a while (2001:db8:ff::1/64 and
# 198.19.255.1/24, IPv6 enabled on it for this test only) and
# - every line of ground-truth6.tsv is checked with `ping -6 -c 1 -W 1 -t 255` (hop limit 255, as
#   the scanner sends) to every hitlist address it covers (longest prefix) and one random address
#   of its own, five more of the aliased /64: reply kind, code (from ping's words) and sender;
# - every line of pmtu-truth.tsv with `ping -M do -s SIZE`: a probe of exactly the path MTU is
#   answered, one byte more draws Packet Too Big / Fragmentation Needed with that MTU from the
#   named router, or nothing (black hole), to each hitlist address in it and two random ones;
# - every line of trace-truth6.tsv with scamper's `trace -P icmp-paris` to the same addresses: stop
#   reason and data, hop count, the address at each hop limit, no answer where the truth has '*';
# - the hitlist keeps its promises (every single answering address, every unreachable prefix, the
#   aliased /64 and dead addresses in it), and r1 sent nothing on the scanner's link unprompted.
# One line per failed check, then PASS or a non-zero exit. ICS_SEED fixes the random addresses.
source "$(dirname "$0")/lib.sh"
testbed_up --ipv6
[[ ${ICS_IPV6:-0} == 1 && -s ${ICS_HITLIST6:-} ]] || fail "testbed.sh up --ipv6 wrote no IPv6 env or hitlist"

# Nothing unprompted on the scanner's link: r1-scan has sent no frame since it was made (its MLD
# reports are dropped, DAD and router solicitations are off), nor in two more seconds.
tx() { ip netns exec "$ICS_GATEWAY_NS" cat "/sys/class/net/$ICS_GATEWAY_IF/statistics/tx_packets"; }
[[ $(tx) == 0 ]] || fail "r1 sent $(tx) frames to scan0 during up"
[[ $(ip netns exec "$ICS_SCAN_NS" cat "/proc/sys/net/ipv6/conf/$ICS_SCAN_IF/disable_ipv6") == 1 ]] ||
    fail "IPv6 is enabled on $ICS_SCAN_IF"
sleep 2
[[ $(tx) == 0 ]] || fail "r1 sent $(tx) frames to scan0 unprompted in the 2 s after up"

# Kernel addresses on scan0 for ping and scamper (gone with the namespace at cleanup).
in_scan() { ip netns exec "$ICS_SCAN_NS" "$@"; }
in_scan sysctl -qw "net.ipv6.conf.$ICS_SCAN_IF.accept_dad=0" "net.ipv6.conf.$ICS_SCAN_IF.accept_ra=0" \
    "net.ipv6.conf.$ICS_SCAN_IF.router_solicitations=0" "net.ipv6.conf.$ICS_SCAN_IF.disable_ipv6=0"
in_scan ip -6 addr add "$ICS_SCANNER_IP6/64" dev "$ICS_SCAN_IF" nodad
in_scan ip -6 route add 2001:db8::/32 via "$ICS_GATEWAY_IP6"
in_scan ip addr add "$ICS_SCANNER_IP/24" dev "$ICS_SCAN_IF"
for p in $ICS_PMTU4_PREFIXES; do in_scan ip route add "$p" via "$ICS_GATEWAY_IP"; done

python3 - "$ICS_SCAN_NS" "$ICS_GROUND_TRUTH6" "$ICS_PMTU_TRUTH" "$ICS_TRACE_TRUTH6" "$ICS_HITLIST6" \
    "$WORK" <<'PY'
import concurrent.futures, ipaddress, json, os, random, re, subprocess, sys, time

scan_ns, gt_path, pmtu_path, trace_path, hitlist_path, work = sys.argv[1:]
seed = int(os.environ.get("ICS_SEED", time.time_ns() % 10**6))
rng = random.Random(seed)
failures = []


def bad(msg):
    failures.append(msg)
    print(f"FAIL: {msg}", flush=True)


def rows(path):
    for line in open(path):
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


def lpm(table, addr):
    """The longest prefix of table (rows whose first field is a prefix) holding addr."""
    best = None
    for r in table:
        net = ipaddress.ip_network(r[0])
        if addr.version == net.version and addr in net and (best is None or net.prefixlen > best[0]):
            best = (net.prefixlen, r)
    return best[1] if best else None


gt = list(rows(gt_path))
pmtu = list(rows(pmtu_path))
trace = list(rows(trace_path))
hitlist = [ipaddress.ip_address(l.strip()) for l in open(hitlist_path) if l.strip()]
doc = ipaddress.ip_network("2001:db8::/32")
links = [ipaddress.ip_network(p) for p in ("2001:db8:ff::/64", "2001:db8:f0::/48")]


def random_in(line, table, tries=500):
    """A random address whose longest prefix in table is line."""
    net = ipaddress.ip_network(line[0])
    for _ in range(tries):
        a = net[rng.randrange(net.num_addresses)]
        if lpm(table, a) is line:
            return a
    return None


# The hitlist's promises.
for a in hitlist:
    if a not in doc or any(a in l for l in links):
        bad(f"hitlist address {a} is outside 2001:db8::/32 or on a link")
by_line = {id(r): [a for a in hitlist if lpm(gt, a) is r] for r in gt}
for r in gt:
    net, expect = ipaddress.ip_network(r[0]), r[1]
    found = by_line[id(r)]
    if expect == "echoreply" and net.prefixlen == 128 and net[0] not in hitlist:
        bad(f"hitlist lacks the answering address {net[0]}")
    if expect in ("unreach", "timxceed") and not found:
        bad(f"hitlist has no address in {r[0]} ({expect} {r[2]})")
    if len(r) > 4 and r[4] == "aliased" and len(found) < 2:
        bad(f"hitlist has {len(found)} addresses in the aliased {r[0]}")
if not any(r[1] == "none" for a in hitlist for r in [lpm(gt, a)]):
    bad("hitlist has no dead address")

# Samples: every hitlist address, one random address of each line, five more of an aliased one.
samples = {}  # address -> ground-truth line
for r in gt:
    picked = list(by_line[id(r)])
    for _ in range(1 + (5 if len(r) > 4 and r[4] == "aliased" else 0)):
        a = random_in(r, gt)
        if a is not None:
            picked.append(a)
    if not picked:
        bad(f"no address of its own to check {r[0]}")
    for a in picked:
        samples[a] = r

MESSAGES = [
    (r"Destination unreachable: No route", "unreach", 0),
    (r"Destination unreachable: Administratively prohibited", "unreach", 1),
    (r"Destination unreachable: Beyond scope of source address", "unreach", 2),
    (r"Destination unreachable: Address unreachable", "unreach", 3),
    (r"Destination unreachable: Port unreachable", "unreach", 4),
    (r"Destination unreachable: Unknown code (\d+)", "unreach", None),
    (r"Time exceeded: Hop limit", "timxceed", 0),
    (r"Packet too big: mtu=(\d+)", "ptb", None),
    (r"Frag needed and DF set \(mtu = (\d+)\)", "fragneeded", None),
]


def ping(addr, size=None):
    """(kind, code or mtu, sender, ping's answer lines) for one probe; kind 'none' if nothing came."""
    cmd = ["ip", "netns", "exec", scan_ns, "ping", f"-{addr.version}", "-n", "-c", "1", "-W", "1",
           "-t", "255"]
    if size is not None:
        cmd += ["-M", "do", "-s", str(size)]
    out = subprocess.run(cmd + [str(addr)], capture_output=True, text=True, timeout=20,
                         env=dict(os.environ, LC_ALL="C")).stdout
    answers = [l for l in out.splitlines() if re.match(r"(\d+ bytes from |From )", l)]
    if not answers:
        return "none", None, None, answers
    if len(answers) > 1:
        return "several", None, None, answers
    m = re.match(r"\d+ bytes from ([0-9a-fA-F:.]+): icmp_seq=", answers[0])
    if m:
        return "echoreply", 0, m.group(1), answers
    m = re.match(r"From ([0-9a-fA-F:.]+)(?: icmp_seq=\d+)? (.*)$", answers[0])
    if m:
        for pattern, kind, code in MESSAGES:
            k = re.fullmatch(pattern, m.group(2).strip())
            if k:
                return kind, code if code is not None else int(k.group(1)), m.group(1), answers
    return "unknown", None, None, answers


def check_gt(addr, r):
    kind, code, sender, said = ping(addr)
    expect = r[1]
    if expect == "echoreply":
        ok = kind == "echoreply" and ipaddress.ip_address(sender) == addr
        want = f"an echo reply from {addr}"
    elif expect == "none":
        ok, want = kind == "none", "no answer"
    else:
        ok = (kind == expect and str(code) == r[2] and sender is not None
              and ipaddress.ip_address(sender) == ipaddress.ip_address(r[3]))
        want = f"{expect} code {r[2]} from {r[3]}"
    if not ok:
        bad(f"{addr} ({r[0]}): want {want}, got {kind} {code} from {sender}: {said}")
    return r[0]


# Path MTU: each line's hitlist addresses and two random ones; at the MTU, then one byte above.
pmtu_samples = []
for r in pmtu:
    net = ipaddress.ip_network(r[0])
    picked = [a for a in hitlist if a in net] + [net[rng.randrange(1, net.num_addresses)] for _ in range(2)]
    pmtu_samples += [(a, r) for a in dict.fromkeys(picked)]


def check_pmtu(addr, r):
    mtu = int(r[2])
    header = 48 if addr.version == 6 else 28
    kind, _, sender, said = ping(addr, mtu - header)
    if kind != "echoreply" or ipaddress.ip_address(sender) != addr:
        bad(f"{addr} ({r[0]}): a {mtu}-byte probe with DF: want an echo reply, "
            f"got {kind} from {sender}: {said}")
    kind, got_mtu, sender, said = ping(addr, mtu - header + 1)
    if r[3] == "blackhole":
        if kind != "none":
            bad(f"{addr} ({r[0]}): a {mtu + 1}-byte probe: want nothing (black hole), got {kind}: {said}")
    elif not (kind == r[3] and str(got_mtu) == r[4] and sender is not None
              and ipaddress.ip_address(sender) == ipaddress.ip_address(r[5])):
        bad(f"{addr} ({r[0]}): a {mtu + 1}-byte probe: want {r[3]} mtu {r[4]} from {r[5]}, "
            f"got {kind} {got_mtu} from {sender}: {said}")
    return r[0]


# Traces: scamper, to every sampled address, in the background while the pings run.
targets = sorted(samples, key=int)
with open(f"{work}/trace6-targets.txt", "w") as f:
    f.write("".join(f"{a}\n" for a in targets))
scamper = subprocess.Popen(
    ["timeout", "90", "ip", "netns", "exec", scan_ns, "scamper", "-O", "json", "-p", "500", "-c",
     "trace -P icmp-paris -q 1 -w 1 -m 16", "-f", f"{work}/trace6-targets.txt"],
    stdout=open(f"{work}/trace6.json", "w"), stderr=subprocess.PIPE, text=True)

checked_gt, checked_pmtu = set(), set()
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    gt_jobs = [pool.submit(check_gt, a, r) for a, r in samples.items()]
    pmtu_jobs = [pool.submit(check_pmtu, a, r) for a, r in pmtu_samples]
    checked_gt = {j.result() for j in gt_jobs}
    checked_pmtu = {j.result() for j in pmtu_jobs}
for r in gt:
    if r[0] not in checked_gt:
        bad(f"ground-truth6 line {r[0]} was not checked")
for r in pmtu:
    if r[0] not in checked_pmtu:
        bad(f"pmtu-truth line {r[0]} was not checked")

_, err = scamper.communicate()
if scamper.returncode != 0:
    bad(f"scamper exited {scamper.returncode}: {err.strip()}")
traces = {}
for line in open(f"{work}/trace6.json"):
    o = json.loads(line)
    if o.get("type") == "trace":
        traces[ipaddress.ip_address(o["dst"])] = o
checked_trace = set()
for a in targets:
    r = lpm(trace, a)
    if r is None:
        bad(f"{a} is outside trace-truth6.tsv")
        continue
    o = traces.get(a)
    if o is None:
        bad(f"scamper did not trace {a}")
        continue
    checked_trace.add(r[0])
    reason, data, hops = r[1], int(r[2]), r[3].split(",")
    got = {h["probe_ttl"]: h["addr"] for h in o.get("hops", [])}
    want = {i: (str(a) if h == "dst" else h) for i, h in enumerate(hops, 1) if h != "*"}
    silent = [i for i, h in enumerate(hops, 1) if h == "*"]
    count = len(hops) + (5 if reason == "GAPLIMIT" else 0)
    problems = []
    if o["stop_reason"] != reason or (reason == "UNREACH" and o["stop_data"] != data):
        problems.append(f"stopped {o['stop_reason']} {o['stop_data']}, want {reason} {data}")
    if o["hop_count"] != count:
        problems.append(f"{o['hop_count']} hops, want {count}")
    for ttl in sorted(set(want) | set(got)):
        if ttl in silent or ttl > len(hops) or want.get(ttl) != got.get(ttl):
            if not (ttl in silent and ttl not in got):
                problems.append(f"hop {ttl}: {got.get(ttl, '*')}, want {want.get(ttl, '*')}")
    for ttl in silent:
        if ttl in got:
            problems.append(f"hop {ttl}: {got[ttl]}, want no answer")
    if problems:
        bad(f"trace to {a} ({r[0]}): " + "; ".join(dict.fromkeys(problems)))
for r in trace:
    if r[0] not in checked_trace:
        bad(f"trace-truth6 line {r[0]} was not checked")

print(f"  {len(samples)} addresses against {len(gt)} ground-truth6 lines, {len(pmtu_samples)} against "
      f"{len(pmtu)} pmtu-truth lines, {len(traces)} traces against {len(trace)} trace-truth6 lines "
      f"(seed {seed}): {len(failures)} failures")
sys.exit(1 if failures else 0)
PY
echo "PASS"
