#!/usr/bin/env bash
# Scan-mode behaviours that docs/usage.md claims, on the testbed, each checked by counts and
# content (no timing threshold):
# - -P 2: every target answering gets exactly one repeat = 0 row, its earliest, and its later
#   replies repeat = 1; hits count each target once; each row's round is its probe's (0 or 1). Replies received again (real duplicates: the
#   frames the gateway sent, captured and sent once more during the cooldown) are repeat = 1 too.
# - cooldown: rows received after sending ended have cooldown = 1, rows before it 0. The replays
#   go out only once the status line says "cooldown", so they are after; every reply that arrived
#   before the last probe left (its send time, which every row carries as timestamp - rtt_us, is
#   a lower bound of the end of sending) is before.
# - -u: the columns as documented; every row's time_elapsed is real_time since the metadata's
#   start_time; the last row holds the metadata's final counts.
# - -b FILE (not empty): blocked targets are never probed (they are live hosts: a probe would bring
#   a row) and not counted as targets.
# - several sources (-S twice, 4 addresses) with --source-mac: target T uses source T mod 4, every
#   target answers to its own source, which needs the gateway to resolve each source by ARP: the
#   scanner's ARP answers (seen on the wire) and the gateway's neighbour table carry --source-mac.
# - --probe-ttl: TTL 1 draws Time Exceeded from the gateway r1 for every target, 2 from r6 (hop 2),
#   3 reaches the hosts.
source "$(dirname "$0")/lib.sh"
testbed_up
IT=$SRC/tests/integration
export PYTHONPATH=$IT
failed=()  # the behaviours whose check failed: every section runs, the test fails at the end

# --- -P 2, real duplicates in the cooldown, the cooldown field, -u ---------------------------------
capture_start "$ICS_GATEWAY_NS" "$ICS_GATEWAY_IF" "$WORK/dup.pcap"
scan_bg -r 400 -c 4 -P 2 --output-filter "" \
    -f saddr,daddr,probe_daddr,type,code,repeat,cooldown,round,timestamp_ts,timestamp_us,rtt_us,rtt_err_us \
    -o "$WORK/dup.csv" -m "$WORK/dup.json" -u "$WORK/dup-status.csv" 198.18.0.0/26 2> "$WORK/dup.err"
# 128 probes at 400 pps: sending ends after 0.3 s; the status line says "cooldown" after that.
wait_until 30 "the status line in the cooldown" grep -q "(cooldown, " "$WORK/dup.err"
seen_cooldown=$(date +%s.%N)
capture_stop
replayed=$(ip netns exec "$ICS_GATEWAY_NS" python3 "$IT/frames.py" replay "$ICS_GATEWAY_IF" "$WORK/dup.pcap" \
    "$ICS_SCANNER_IP")
wait "$SCAN_JOB" || fail "the -P 2 scan failed: $(tail -3 "$WORK/dup.err")"
SCAN_JOB=
python3 "$IT/check_scan.py" "$WORK/dup.csv" "$ICS_TESTBED_STATE/ground-truth.tsv" 198.18.0.0/26 \
    || failed+=("-P 2: the first replies (repeat = 0) against the ground truth")
python3 - "$WORK/dup.csv" "$WORK/dup.json" "$WORK/dup-status.csv" "$WORK/dup.pcap" "$seen_cooldown" \
    "$replayed" <<'PY' || failed+=("-P 2, cooldown, -u")
import collections, csv, json, socket, sys
from frames import records
rows = list(csv.DictReader(open(sys.argv[1])))
m = json.load(open(sys.argv[2]))
status = list(csv.DictReader(open(sys.argv[3])))
seen_cooldown, replayed = float(sys.argv[5]), int(sys.argv[6])
fails = []
def expect(what, cond):
    if not cond:
        fails.append(what)

def when(r):  # receive time, microseconds since the epoch
    return int(r["timestamp_ts"]) * 1000000 + int(r["timestamp_us"])

# Replays: every echo reply the gateway sent the scanner during the scan, once more.
sent_back = collections.Counter(socket.inet_ntoa(f[26:30]) for _, out, f in records(sys.argv[4])
                                if out and f[12:14] == b"\x08\x00" and f[23] == 1 and f[34] == 0)
expect(f"the capture holds 2 echo replies from each of 63 hosts, {sum(sent_back.values())} replayed "
       f"({replayed} sent)", len(sent_back) == 63 and set(sent_back.values()) == {2} and replayed == 126)
by_target = collections.defaultdict(list)
for r in rows:
    by_target[r["probe_daddr"]].append(r)
expect(f"rows for 63 targets (not the dead 198.18.0.13), got {len(by_target)}",
       len(by_target) == 63 and "198.18.0.13" not in by_target)
per_target = []
for t, rs in sorted(by_target.items()):
    first = [r for r in rs if r["repeat"] == "0"]
    if len(rs) != 4 or len(first) != 1:
        per_target.append(f"{t}: {len(rs)} rows, {len(first)} with repeat = 0 (want 4 and 1: 2 probes, 2 replays)")
    elif when(first[0]) != min(when(r) for r in rs):
        per_target.append(f"{t}: the repeat = 0 row is not its first reply")
    elif sorted(r["round"] for r in rs) != ["0", "0", "1", "1"] or first[0]["round"] != "0":
        # Each probe carries its round; a replayed reply is the same reply, so the same round.
        per_target.append(f"{t}: rounds {[r['round'] for r in rs]}, first reply's {first[0]['round']} "
                          f"(want 0, 0, 1, 1, the first of round 0)")
if per_target:
    fails.append(f"{len(per_target)} targets: " + "; ".join(per_target[:3]))
expect(f"hits counted once per target with -P 2: success_unique {m['success_unique']}, targets_scanned "
       f"{m['targets_scanned']}, packets_sent {m['packets_sent']}",
       (m["success_unique"], m["targets_scanned"], m["packets_sent"]) == (63, 64, 128))

# The cooldown field. The end of sending is after the last probe's send time and before the test
# saw the status line say "cooldown".
late = [r for r in rows if when(r) > seen_cooldown * 1e6]
last_send = max(when(r) - int(r["rtt_us"]) - int(r["rtt_err_us"]) for r in rows if r not in late)
before = [r for r in rows if when(r) < last_send - 2]
expect(f"{len(late)} rows after the status said cooldown: the 126 replays, each repeat = 1 and cooldown = 1",
       len(late) == 126 and all(r["repeat"] == "1" and r["cooldown"] == "1" for r in late))
expect(f"{sum(r['cooldown'] == '1' for r in before)} of the {len(before)} rows received before the last "
       f"probe left have cooldown = 1", before and all(r["cooldown"] == "0" for r in before))
expect("the cooldown column goes from 0 to 1 once, in file order (one RX lcore)",
       [r["cooldown"] for r in rows] == sorted(r["cooldown"] for r in rows))

# -u: ZMap's columns first, then ours (docs/usage.md: every counter of the metadata among them);
# times consistent with the metadata; the last row is the final count.
expect(f"-u columns: {list(status[0]) if status else None}", status and list(status[0])[:21] == [
    "real_time", "time_elapsed", "time_remaining", "percent_complete", "hit_rate", "sent_total",
    "sent_last_one_sec", "sent_avg_per_sec", "recv_success_total", "recv_total",
    "recv_total_last_one_sec", "recv_total_avg_per_sec", "drop_total", "drop_last_one_sec",
    "nic_missed", "nic_no_mbuf", "mempool_free", "mempool_size", "record_ring_depth", "arp_ring_depth",
    "feedback_ring_depth"] and sorted(list(status[0])[21:]) == sorted(m["counters"]))
import calendar, time
st = m["start_time"]
start = calendar.timegm(time.strptime(st[:19], "%Y-%m-%dT%H:%M:%S")) + int(st[20:23]) / 1000
for s in status:
    for col in ("real_time", "time_elapsed"):
        if len(s[col].split(".")[-1]) != 3:
            fails.append(f"-u {col} {s[col]} is not to the millisecond")
    if abs(float(s["real_time"]) - float(s["time_elapsed"]) - start) > 0.0025:
        fails.append(f"-u row at {s['real_time']}: time_elapsed {s['time_elapsed']} is not the time since "
                     f"the start, {st}")
expect("-u rows in time order", [float(s["real_time"]) for s in status] == sorted(float(s["real_time"]) for s in status))
if status:
    last = status[-1]
    c, nic = m["counters"], m["nic"]
    final = {"sent_total": m["packets_sent"], "recv_total": m["validation_passed"],
             "recv_success_total": m["success_unique"], "percent_complete": "100.00",
             "hit_rate": f"{m['hitrate']:.4f}",
             "drop_total": nic["rx_missed"] + nic["rx_nombuf"] + c["rx_ring_full"] + c["rx_arp_ring_full"],
             "nic_missed": nic["rx_missed"], "nic_no_mbuf": nic["rx_nombuf"], "tx_probes": c["tx_probes"],
             "rx_valid": c["rx_valid"], "rx_ring_full": c["rx_ring_full"]}
    for col, want in final.items():
        if last[col] != str(want):
            fails.append(f"-u last row: {col} {last[col]}, metadata's final count {want}")
    expect(f"the metadata counts the 126 replays: validation_passed {m['validation_passed']} = 252",
           m["validation_passed"] == 252)
if not fails:
    print(f"  -P 2 on 198.18.0.0/26: {len(rows)} rows, one repeat = 0 per host; {len(late)} replayed "
          f"duplicates in the cooldown (cooldown = 1), {len(before)} rows before the last probe left "
          f"(cooldown = 0); {len(status)} -u rows, the last one = the metadata")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY

# --- -b FILE ---------------------------------------------------------------------------------------
printf '# blocked on purpose\n198.18.1.0/26\n198.18.1.200-198.18.1.210\n198.18.1.77\n' > "$WORK/block.txt"
scan -r 5000 -c 1 -b "$WORK/block.txt" -f saddr,probe_daddr -o "$WORK/b.csv" -m "$WORK/b.json" 198.18.1.0/24 \
    2> "$WORK/b.err" || fail "the -b scan failed: $(tail -3 "$WORK/b.err")"
python3 - "$WORK/b.csv" "$WORK/b.json" "$WORK/b.err" <<'PY' || failed+=("-b FILE")
import csv, ipaddress, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
m = json.load(open(sys.argv[2]))
err = open(sys.argv[3]).read()
blocked = set(ipaddress.ip_network("198.18.1.0/26")) | {ipaddress.ip_address("198.18.1.77")} | \
    {ipaddress.ip_address(f"198.18.1.{i}") for i in range(200, 211)}
allowed = set(ipaddress.ip_network("198.18.1.0/24")) - blocked
got = [ipaddress.ip_address(r["probe_daddr"]) for r in rows]
fails = []
if set(got) != allowed or len(got) != len(allowed):
    fails.append(f"{len(got)} rows: {len(set(got) & blocked)} from blocked targets, "
                 f"{len(allowed - set(got))} allowed targets missing")
counts = (m["packets_sent"], m["targets_scanned"], m["targets_allowed"])
if counts != (180, 180, 180):
    fails.append(f"packets_sent, targets_scanned, targets_allowed {counts}: 256 less 76 blocked is 180")
if "probing 180 targets (180 probes)" not in err or "of 180 targets probed" not in err:
    fails.append("the start line and the summary must count 180 targets")
if not fails:
    print(f"  -b FILE: {len(got)} of 256 targets probed and answered, none of the 76 blocked")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY

# --- Several sources and --source-mac, ARP answered for each ---------------------------------------
MAC=02:00:00:00:00:77
capture_start "$ICS_GATEWAY_NS" "$ICS_GATEWAY_IF" "$WORK/arp.pcap"
scan -q -r 5000 -c 1 -S 198.19.255.2-198.19.255.3 -S 198.19.255.4 --source-mac "$MAC" --output-filter "" \
    -f saddr,daddr,probe_daddr,type -o "$WORK/s.csv" -m "$WORK/s.json" 198.18.1.0/27 \
    || fail "the scan from four sources failed"
capture_stop
ip netns exec "$ICS_GATEWAY_NS" ip -4 neigh show dev "$ICS_GATEWAY_IF" > "$WORK/neigh.txt"
python3 - "$WORK/s.csv" "$WORK/s.json" "$WORK/arp.pcap" "$WORK/neigh.txt" "$MAC" <<'PY' \
    || failed+=("several sources, --source-mac")
import csv, ipaddress, json, socket, sys
from frames import records
rows = list(csv.DictReader(open(sys.argv[1])))
m = json.load(open(sys.argv[2]))
mac = sys.argv[5]
fails = []
sources = [f"198.19.255.{i}" for i in range(1, 5)]
want = {str(a): sources[int(a) % 4] for a in ipaddress.ip_network("198.18.1.0/27")}
got = {r["probe_daddr"]: r["daddr"] for r in rows if r["type"] == "0" and r["saddr"] == r["probe_daddr"]}
if len(rows) != 32 or got != want:
    bad = [t for t in want if got.get(t) != want[t]][:4]
    fails.append(f"{len(rows)} rows; replies to the wrong source or missing for {bad}")
if (m["source_ip_first"], m["source_ip_last"], m["source_ip_count"], m["source_mac"]) != \
        ("198.19.255.1", "198.19.255.4", 4, mac):
    fails.append(f"metadata sources {m['source_ip_first']}-{m['source_ip_last']} ({m['source_ip_count']}), "
                 f"MAC {m['source_mac']}")
# The scanner's ARP answers seen at the gateway: for each source the gateway had to ask about (it
# learnt the first one from the scanner's own request for the gateway), from --source-mac.
answers = {socket.inet_ntoa(f[28:32]): (f[6:12].hex(":"), f[22:28].hex(":")) for _, out, f in records(sys.argv[3])
           if not out and f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02"}
for s in sources[1:]:
    if answers.get(s) != (mac, mac):
        fails.append(f"ARP answer for {s}: {answers.get(s)} (frame source, sender MAC), want {mac}")
neigh = {l.split()[0]: l.split() for l in open(sys.argv[4])}
for s in sources:
    entry = neigh.get(s, [])
    if "lladdr" not in entry or entry[entry.index("lladdr") + 1] != mac:
        fails.append(f"the gateway's neighbour entry for {s}: {' '.join(entry) or 'none'}")
if not fails:
    print(f"  4 sources: {len(got)} targets answered, each to source T mod 4; ARP answered for "
          f"{sorted(answers)} from {mac}")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY

# --- --probe-ttl --------------------------------------------------------------------------------------
for ttl in 1 2 3; do
    scan -q -r 5000 -c 1 --probe-ttl "$ttl" --output-filter "" -f saddr,probe_daddr,type,code,probe_ttl \
        -o "$WORK/ttl$ttl.csv" -m "$WORK/ttl$ttl.json" 198.18.1.0/28 || fail "the --probe-ttl $ttl scan failed"
done
python3 - "$WORK" "$ICS_GATEWAY_IP" "$ICS_LIMITED_ROUTER_IP" <<'PY' || failed+=("--probe-ttl")
import csv, ipaddress, sys
work, r1, r6 = sys.argv[1:4]
targets = {str(a) for a in ipaddress.ip_network("198.18.1.0/28")}
fails = []
for ttl, kind in ((1, (r1, "11")), (2, (r6, "11")), (3, (None, "0"))):
    rows = list(csv.DictReader(open(f"{work}/ttl{ttl}.csv")))
    ok = {r["probe_daddr"] for r in rows if (r["saddr"], r["type"]) == (kind[0] or r["probe_daddr"], kind[1])
          and r["code"] == "0" and r["probe_ttl"] == str(ttl)}
    if len(rows) != 16 or ok != targets:
        fails.append(f"--probe-ttl {ttl}: {len(rows)} rows, {len(ok)} of 16 the expected type {kind[1]} from "
                     f"{kind[0] or 'the target'}: {rows[:2]}")
if not fails:
    print("  --probe-ttl 1: Time Exceeded from r1 for all 16 targets; 2: from r6; 3: echo replies")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
(( ${#failed[@]} == 0 )) || fail "${failed[*]}"
echo "PASS"
