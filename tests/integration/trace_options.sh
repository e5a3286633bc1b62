#!/usr/bin/env bash
# Trace-mode options that docs/usage.md describes, on the testbed, checked by counts and content:
# - --stop-set N (with --preprobe) over 128 hosts 3 hops away (r1, r6, host): the first N targets
#   whose TTL-2 reply names r6 probe TTL 1 too, every later one skips it; 0 never skips. So with
#   N = 3 exactly 3 paths have a TTL-1 hop and 384 + 3 probes go out (preprobe, TTL 3, TTL 2 for
#   each, and those 3), with 0 all 128 do (512). Every probe is answered here, so the reply rows
#   count what was sent, and probes_saved is exactly what the schedule left out of the planned
#   128 x (1 + 8). The skip is decided from a target's own TTL-2 reply, fed back before its TTL-1
#   probe: the walk takes the targets in the same order every round, so that is one round later
#   (128 probes at 200 pps: 640 ms; at 500 pps, 256 ms, a fresh-clone run once saw a fourth
#   target's TTL-1 probe leave before its stop feedback, on a machine also compiling the
#   sanitizer build). The status line's "skipped" is probes_saved.
# - --min-ttl 2: no probe below TTL 2 (r1 never answers), 3 TTLs per target, paths from TTL 2.
# - --gap-limit: h3's path has one silent router (r4, TTL 4): --gap-limit 1 ends it there
#   (GAPLIMIT, 3 hops and the silent TTL), 2 lets it complete (the truth); dead hosts behind r6
#   end after r1, r6 and exactly gap-limit silent TTLs.
# - -P 3: three probes per (target, TTL), all answered, one repeat = 0 row each, paths as the truth.
source "$(dirname "$0")/lib.sh"
testbed_up
IT=$SRC/tests/integration
TRUTH=$ICS_TESTBED_STATE/trace-truth.tsv
failed=()  # the behaviours whose check failed: every section runs, the test fails at the end

# --- --stop-set and probes_saved --------------------------------------------------------------------
for n in 3 0; do
    scan -M trace --preprobe --stop-set "$n" --max-ttl 8 -r 200 -c 1 -o "$WORK/ss$n.jsonl" \
        --replies-file "$WORK/ss$n.csv" --output-filter "" -m "$WORK/ss$n.json" 198.18.1.0/25 \
        2> "$WORK/ss$n.err" || fail "the --stop-set $n trace failed: $(tail -3 "$WORK/ss$n.err")"
done
python3 - "$WORK" <<'PY' || failed+=("--stop-set, probes_saved")
import csv, json, sys
work = sys.argv[1]
fails = []
for n, sent in ((3, 387), (0, 512)):
    paths = [json.loads(l) for l in open(f"{work}/ss{n}.jsonl")]
    rows = list(csv.DictReader(open(f"{work}/ss{n}.csv")))
    m = json.load(open(f"{work}/ss{n}.json"))
    t = m["trace"]
    with_ttl1 = sum(any(h["probe_ttl"] == 1 for h in p["hops"]) for p in paths)
    want_ttl1 = n or 128
    got = (m["packets_planned"], m["packets_sent"], len(rows), t["probes_saved"], m["packets_not_sent"])
    want = (128 * 9, sent, sent, 128 * 9 - sent, 0)
    if got != want:
        fails.append(f"--stop-set {n}: planned, sent, reply rows, probes_saved, not sent {got}, want {want}")
    if with_ttl1 != want_ttl1 or len(paths) != 128:
        fails.append(f"--stop-set {n}: {with_ttl1} of {len(paths)} paths probed TTL 1, want {want_ttl1} of 128")
    if t["stop_set_threshold"] != n or m["counters"]["tx_trace_skipped"] != t["probes_saved"]:
        fails.append(f"--stop-set {n}: metadata stop_set_threshold {t['stop_set_threshold']}, "
                     f"tx_trace_skipped {m['counters']['tx_trace_skipped']}")
    # The status line (docs/usage.md, "Status line and summary"): in trace mode "skipped" follows
    # "send", the probes the schedule left out; the last line has the final counts.
    status = [l for l in open(f"{work}/ss{n}.err") if "; send: " in l]
    if not status or f"; skipped: {t['probes_saved']};" not in status[-1]:
        fails.append(f"--stop-set {n}: the last status line does not say 'skipped: {t['probes_saved']}': "
                     f"{status[-1:] or 'no status line'}")
    bad = [p["dst"] for p in paths if (p["stop_reason"], p["hop_count"]) != ("COMPLETED", 3)
           or {h["probe_ttl"]: h["addr"] for h in p["hops"] if h["probe_ttl"] > 1}
           != {2: "198.19.1.2", 3: p["dst"]}]
    if bad:
        fails.append(f"--stop-set {n}: {len(bad)} paths are not r6 then the host, e.g. {bad[:3]}")
    if not fails:
        print(f"  --stop-set {n}: {with_ttl1} of 128 paths probed TTL 1; sent {m['packets_sent']} of "
              f"{m['packets_planned']}, probes_saved {t['probes_saved']}")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY

# --- --min-ttl ---------------------------------------------------------------------------------------
scan -q -M trace --min-ttl 2 --max-ttl 4 -r 2000 -c 1 -o "$WORK/min.jsonl" --replies-file "$WORK/min.csv" \
    --output-filter "" -m "$WORK/min.json" 198.18.1.0/28 || fail "the --min-ttl trace failed"
python3 - "$WORK" "$ICS_GATEWAY_IP" <<'PY' || failed+=("--min-ttl")
import csv, json, sys
work, r1 = sys.argv[1:3]
paths = [json.loads(l) for l in open(f"{work}/min.jsonl")]
rows = list(csv.DictReader(open(f"{work}/min.csv")))
m = json.load(open(f"{work}/min.json"))
fails = []
if (m["packets_sent"], len(rows), m["trace"]["min_ttl"]) != (48, 48, 2):
    fails.append(f"sent {m['packets_sent']}, {len(rows)} reply rows, min_ttl {m['trace']['min_ttl']}: "
                 f"want 16 targets x TTLs 2-4 = 48")
ttls = sorted({int(r["probe_ttl"]) for r in rows})
if ttls != [2, 3, 4] or any(r["saddr"] == r1 for r in rows):
    fails.append(f"reply rows at TTLs {ttls}, {sum(r['saddr'] == r1 for r in rows)} from r1 (TTL 1)")
bad = [p["dst"] for p in paths if (p["stop_reason"], p["hop_count"], p["firsthop"]) != ("COMPLETED", 3, 2)
       or {h["probe_ttl"]: h["addr"] for h in p["hops"]} != {2: "198.19.1.2", 3: p["dst"]}]
if len(paths) != 16 or bad:
    fails.append(f"{len(paths)} paths; not r6 at TTL 2 then the host at 3 (firsthop 2): {bad[:3]}")
if not fails:
    print(f"  --min-ttl 2: {m['packets_sent']} probes at TTLs {ttls}, 16 paths from TTL 2")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY

# --- --gap-limit -------------------------------------------------------------------------------------
for g in 1 2; do
    scan -q -M trace --gap-limit "$g" --max-ttl 10 -r 2000 -c 1 -o "$WORK/gap$g.jsonl" -m "$WORK/gap$g.json" \
        198.18.124.0/30 198.18.7.0/30 || fail "the --gap-limit $g trace failed"
done
# 2: h3's one silent TTL does not end its path (the truth); the dead hosts end after 2 silent TTLs.
python3 "$IT/check_trace.py" "$WORK/gap2.jsonl" "$TRUTH" 198.18.124.0/30 --gaplimit 2 || failed+=("--gap-limit 2, h3")
python3 "$IT/check_trace.py" "$WORK/gap2.jsonl" "$TRUTH" 198.18.7.0/30 --gaplimit 2 || failed+=("--gap-limit 2, dead")
python3 "$IT/check_trace.py" "$WORK/gap1.jsonl" "$TRUTH" 198.18.7.0/30 --gaplimit 1 || failed+=("--gap-limit 1, dead")
python3 - "$WORK/gap1.jsonl" "$WORK/gap1.json" <<'PY' || failed+=("--gap-limit 1, h3")
import ipaddress, json, sys
paths = {json.loads(l)["dst"]: json.loads(l) for l in open(sys.argv[1])}
m = json.load(open(sys.argv[2]))
fails = []
want_hops = {1: "198.19.255.254", 2: "198.19.2.2", 3: "198.19.7.2"}
for t in map(str, ipaddress.ip_network("198.18.124.0/30")):
    p = paths.get(t)
    got = p and (p["stop_reason"], p["hop_count"], {h["probe_ttl"]: h["addr"] for h in p["hops"]})
    if got != ("GAPLIMIT", 4, want_hops):
        fails.append(f"{t}: {got}, want GAPLIMIT after r1, r2, r3 and the silent r4 (hop_count 4)")
if m["trace"]["gap_limit"] != 1:
    fails.append(f"metadata gap_limit {m['trace']['gap_limit']}")
if not fails:
    print("  --gap-limit 1: h3's paths end at the silent r4 (GAPLIMIT, hop_count 4)")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY

# --- -P in trace mode --------------------------------------------------------------------------------
scan -q -M trace -P 3 --max-ttl 4 -r 2000 -c 1 -o "$WORK/p3.jsonl" --replies-file "$WORK/p3.csv" \
    --output-filter "" -m "$WORK/p3.json" 198.18.1.0/28 || fail "the -P 3 trace failed"
python3 "$IT/check_trace.py" "$WORK/p3.jsonl" "$TRUTH" 198.18.1.0/28 || failed+=("-P 3 paths")
python3 - "$WORK/p3.csv" "$WORK/p3.json" <<'PY' || failed+=("-P 3 replies")
import collections, csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
m = json.load(open(sys.argv[2]))
fails = []
if (m["packets_sent"], len(rows), m["trace"]["probes_per_hop"]) != (16 * 4 * 3, 16 * 4 * 3, 3):
    fails.append(f"sent {m['packets_sent']}, {len(rows)} reply rows, probes_per_hop "
                 f"{m['trace']['probes_per_hop']}: want 16 targets x 4 TTLs x 3 = 192")
per_hop = collections.defaultdict(list)
for r in rows:
    per_hop[(r["probe_daddr"], r["probe_ttl"])].append(r["repeat"])
bad = {k: v for k, v in per_hop.items() if sorted(v) != ["0", "1", "1"]}
if len(per_hop) != 64 or bad:
    fails.append(f"{len(per_hop)} (target, TTL) pairs; not 3 replies with one repeat = 0: {list(bad.items())[:3]}")
if not fails:
    print(f"  -P 3: {len(rows)} replies, 3 per (target, TTL), one repeat = 0 each")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
(( ${#failed[@]} == 0 )) || fail "${failed[*]}"
echo "PASS"
