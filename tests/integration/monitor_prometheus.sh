#!/usr/bin/env bash
# A real Prometheus server (Debian's prometheus) scrapes monitor mode's /metrics once a second in
# the scanner's namespace while 10 % loss is injected on one labelled /24 and none on another;
# afterwards its HTTP API is asked for each group's loss. The lossy group's answer must lie inside
# the 99 % binomial interval of the injected rate for the probes it counted, and equal the nft rule's
# drops; the clean group's must be exactly 0 (each allowing only the replies the scanner's host
# counted as dropped, nic.rx_missed); the per-target series (smokeping_prober's names) must all be
# of the lossy group's targets and of a /30 answered by Destination Unreachable (the
# --metrics-targets worst by loss); promtool must accept a scrape of ours; and every query of the
# Grafana dashboard (docs/grafana-monitor.json) must run and find data.
source "$(dirname "$0")/lib.sh"
testbed_up
NS=$ICS_SCAN_NS
ip netns exec "$NS" ip link set lo up
LOSSY=198.18.10.0/24 CLEAN=198.18.11.0/24 DARK=198.18.12.0/30
"$SRC/scripts/testbed-impair.sh" loss 10 "$LOSSY"
"$SRC/scripts/testbed-impair.sh" unreachable 60 "$DARK" 1  # ICMP errors for the dashboard's panel
cat > "$WORK/targets.txt" <<TARGETS
$LOSSY pop=lossy
$CLEAN pop=clean
$DARK pop=dark
TARGETS
cat > "$WORK/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: dpdk-icmpscan
    static_configs:
      - targets: ['127.0.0.1:9374']
YML
promtool check config "$WORK/prometheus.yml" >/dev/null
ip netns exec "$NS" timeout 120 prometheus --config.file="$WORK/prometheus.yml" \
    --storage.tsdb.path="$WORK/tsdb" --web.listen-address=127.0.0.1:9090 > "$WORK/prometheus.log" 2>&1 &
PROM=$!
trap 'kill $PROM 2>/dev/null; wait $PROM 2>/dev/null; cleanup' EXIT
query() {  # PromQL [evaluation time, Unix seconds; default now] -> JSON on stdout
    ip netns exec "$NS" python3 -c 'import sys, urllib.parse, urllib.request
q = {"query": sys.argv[1]} | ({"time": sys.argv[2]} if sys.argv[2] else {})
print(urllib.request.urlopen("http://127.0.0.1:9090/api/v1/query?" + urllib.parse.urlencode(q), timeout=5).read().decode())' "$1" "${2:-}"
}
wait_until 60 "Prometheus to answer" query up
scan_bg -M monitor --period 250ms --count 40 --timeout 500ms -I "$WORK/targets.txt" --prometheus 127.0.0.1:9374 \
    --metrics-targets 20 -q -o "$WORK/summaries.jsonl" -m "$WORK/meta.json"
# While it runs: a scrape of our own for promtool, and the per-target series Prometheus has now.
sleep 7
ip netns exec "$NS" python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:9374/metrics").read().decode(), end="")' > "$WORK/scrape.txt"
# The queries below are all evaluated at this moment, while the run is live: asked at their own
# moments, the last of them (each takes about half a second) could come after the run had ended and
# its series had gone stale.
LIVE=$(date +%s.%N)
query 'count by (pop) (smokeping_requests_total)' "$LIVE" > "$WORK/targets-by-pop.json"
# Every query of the Grafana dashboard in docs/ must run and find data.
python3 -c 'import json, sys
for panel in json.load(open(sys.argv[1]))["panels"]:
    for t in panel["targets"]:
        print(t["expr"].replace("$job", ".*"))' "$SRC/docs/grafana-monitor.json" > "$WORK/dashboard-queries.txt"
n=0
while IFS= read -r expr; do
    n=$((n + 1))
    query "$expr" "$LIVE" > "$WORK/dashboard-$n.json"
done < "$WORK/dashboard-queries.txt"
wait "$SCAN_JOB"
promtool check metrics < "$WORK/scrape.txt"
"$SRC/scripts/testbed-impair.sh" loss-stats "$LOSSY" > "$WORK/loss-stats.txt"
# Once the scanner is gone its series are stale, so ask for their last values: the counters only
# grow, so the largest sample of the last minute is the last scrape's.
for g in lossy clean; do
    query "max_over_time(dpdk_icmpscan_group_probes_lost_total{pop=\"$g\"}[1m])" > "$WORK/lost-$g.json"
    query "max_over_time(dpdk_icmpscan_group_probes_sent_total{pop=\"$g\"}[1m])" > "$WORK/sent-$g.json"
done
python3 - "$WORK" <<'PY'
import json, math, sys
work = sys.argv[1]
def value(name):
    r = json.load(open(f"{work}/{name}.json"))["data"]["result"]
    if len(r) != 1:
        raise SystemExit(f"FAIL: {name}: {len(r)} series from Prometheus, expected 1")
    return float(r[0]["value"][1])
fails = []
lost, sent = value("lost-lossy"), value("sent-lossy")
lost_clean, sent_clean = value("lost-clean"), value("sent-clean")
dropped, passed = (int(x) for x in open(f"{work}/loss-stats.txt").read().split()[1::2])
# Replies the scanner's own host dropped before it could see them are counted (nic.rx_missed: the
# RX ring's drops, when the RX lcore is starved for longer than the ring holds): each
# is a probe lost beyond the injected ones. Nothing else may add to the loss.
missed = json.load(open(f"{work}/meta.json"))["nic"]["rx_missed"]
# 99 % interval of a binomial(sent, 0.10) count: normal approximation with continuity, z = 2.576.
mean, sd = sent * 0.10, math.sqrt(sent * 0.10 * 0.90)
lo, hi = mean - 2.576 * sd - 0.5, mean + 2.576 * sd + 0.5
if sent == dropped + passed:  # the last scrape had every round: Prometheus must say exactly what nft did
    if not dropped <= lost <= dropped + missed or lost - dropped + lost_clean > missed:
        fails.append(f"lossy group: {lost:.0f} lost of {sent:.0f} in Prometheus, the nft rule dropped {dropped}, "
                     f"the clean group lost {lost_clean:.0f}, the scanner's host dropped {missed} replies")
    if not lo <= lost <= hi:  # the injector's draw, outside the 99 % interval about 1 run in 100
        print(f"note: {lost:.0f} of {sent:.0f} dropped, outside [{lo:.0f}, {hi:.0f}] by the injector's draw")
elif not (sent >= 5000 and lo <= lost <= hi):
    fails.append(f"lossy group: {lost:.0f} lost of {sent:.0f} in Prometheus, outside [{lo:.0f}, {hi:.0f}] (10 %)")
if lost_clean > missed or sent_clean < 5000:
    fails.append(f"clean group: {lost_clean:.0f} lost of {sent_clean:.0f}: expected 0 of 5000 or more "
                 f"(or as many as the {missed} replies the scanner's host dropped)")
# Every counter of the metadata is in our own scrape (taken mid-run) under its name, at most its final
# value, and the frames received by then were counted.
scraped = dict(line.rsplit(" ", 1) for line in open(f"{work}/scrape.txt").read().splitlines()
               if line and not line.startswith("#"))
final = json.load(open(f"{work}/meta.json"))["counters"]
for name, last in final.items():
    got = scraped.get(f"dpdk_icmpscan_{name}_total")
    if got is None or not 0 <= int(got) <= last:
        fails.append(f"counter {name}: {got} in the mid-run scrape, {last} at the end")
if int(scraped.get("dpdk_icmpscan_rx_frames_total", 0)) == 0:
    fails.append("the mid-run scrape counted no frame received")
ring_full = sum(int(scraped.get(f"dpdk_icmpscan_{n}_total", 0)) for n in ("rx_ring_full", "rx_arp_ring_full", "rx_nd_ring_full"))
if int(scraped.get("smokeping_receive_errors_total", -1)) != ring_full:
    fails.append(f"smokeping_receive_errors_total {scraped.get('smokeping_receive_errors_total')}, expected the "
                 f"ring-full counters' {ring_full}")
queries = open(f"{work}/dashboard-queries.txt").read().splitlines()
for n, expr in enumerate(queries, 1):
    r = json.load(open(f"{work}/dashboard-{n}.json"))
    if r.get("status") != "success" or not r["data"]["result"]:
        fails.append(f"dashboard query {expr!r}: {r.get('status')}, {len(r.get('data', {}).get('result', []))} series")
by_pop = {s["metric"].get("pop"): float(s["value"][1])
          for s in json.load(open(f"{work}/targets-by-pop.json"))["data"]["result"]}
if by_pop != {"dark": 4.0, "lossy": 16.0}:
    fails.append(f"per-target series by group: {by_pop}, expected the 4 of pop=dark (all lost) and 16 of "
                 "pop=lossy (the worst by loss)")
print("\n".join(f"FAIL: {f}" for f in fails) or
      f"ok   Prometheus: lossy group {lost:.0f} of {sent:.0f} lost ({100 * lost / sent:.2f} %, interval "
      f"[{lo:.0f}, {hi:.0f}]; nft dropped {dropped}); clean group {lost_clean:.0f} lost; the scanner's host "
      f"dropped {missed} replies; 20 per-target series: the 4 dark and 16 lossy; "
      f"{len(queries)} dashboard queries found data")
sys.exit(1 if fails else 0)
PY
