#!/usr/bin/env bash
# IPv6 side by side (issue 16): ours (-6), scamper (ping -P icmp-echo) and fping -6 on the same
# targets through the testbed (made with --ipv6), every tool with hop limit 255.
#   1. Answers: the testbed's 50-address hitlist, one probe a target; every target's answer (ICMPv6
#      type, code, sender) of each tool against the ground truth and so against the others
#      (bench/peers6_answers.py; fping 5.1 reports no ICMPv6 error: only which targets are alive).
#   2. CPU per probe: N addresses of the aliased /64 (2001:db8:2:a11a::/64 answers every address),
#      each probed once at 5,000 and at 10,000 probes a second (scamper's highest -p) by each tool; CPU is the process group's user +
#      system time over the whole run, start-up included (bench/run_measured.py), and replies are
#      what each tool reported. Rounds alternate the tools (this VM drifts). Ours also probes one
#      target alone each round: its start-up (EAL, gateway, the TSC's count) and 1 s cooldown, which
#      the table takes off to give ours' CPU per probe while sending.
# Ours runs with IPv6 off on scan0 (the kernel must not answer for it), the peers with a kernel
# address. Writes OUT/ipv6_peers.jsonl and prints a table.
#
#   bench/ipv6_peers.sh [--quick] [--out DIR]   (--quick: 1 round of 500 targets at 5,000/s; else 3 of 20,000)
set -euo pipefail
source "$(dirname "$0")/../scripts/as-root.sh"
cd "$(dirname "$0")/.."
source bench/common.sh
ROUNDS=$((QUICK ? 1 : 3))
N=$((QUICK ? 500 : 20000))
RATES=(5000 10000)
((QUICK)) && RATES=(5000)
RATE=${RATES[0]}  # the answers' rate
WORK=$(mktemp -d)
export ICS_TESTBED_STATE=$WORK/testbed
cleanup() { scripts/testbed.sh down >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
scripts/testbed.sh up --ipv6 >/dev/null
source "$ICS_TESTBED_STATE/env"
python3 -c "import sys; print('\n'.join(f'2001:db8:2:a11a::{i:x}' for i in range(1, int(sys.argv[1]) + 1)))" "$N" \
    > "$WORK/aliased.txt"
head -1 "$WORK/aliased.txt" > "$WORK/one.txt"
rm -f "$OUT/ipv6_peers.jsonl"

kernel_ip6() {  # add|del: the peers need the scanner's address in the kernel; ours must not have it
    local ns=(ip netns exec "$ICS_SCAN_NS") conf=net.ipv6.conf.$ICS_SCAN_IF
    if [[ $1 == add ]]; then  # quietly: no DAD, no router solicitations onto the testbed's link
        "${ns[@]}" sysctl -qw "$conf.accept_dad=0" "$conf.router_solicitations=0" "$conf.disable_ipv6=0"
        "${ns[@]}" ip -6 addr add "$ICS_SCANNER_IP6/64" dev "$ICS_SCAN_IF" nodad
        "${ns[@]}" ip -6 route replace 2001:db8::/32 via "$ICS_GATEWAY_IP6"
    else
        "${ns[@]}" ip -6 addr del "$ICS_SCANNER_IP6/64" dev "$ICS_SCAN_IF" 2>/dev/null || true
        "${ns[@]}" sysctl -qw "$conf.disable_ipv6=1"
    fi
}
# Each tool's command, into the array CMD, at $RATE probes a second.
ours_cmd() {  # TARGETS OUT.csv META.json
    CMD=(ip netns exec "$ICS_SCAN_NS" "$BIN" "${huge[@]}" -q -6 -i "$ICS_SCAN_IF" -S "$ICS_SCANNER_IP6"
        --gateway-ip "$ICS_GATEWAY_IP6" -b /dev/null -I "$1" -r "$RATE" -c 1 --output-filter "repeat = 0"
        -O csv -f saddr,outersaddr,type,code -o "$2" -m "$3")
}
scamper_cmd() {  # TARGETS OUT.json
    CMD=(ip netns exec "$ICS_SCAN_NS" scamper -O json -p "$RATE" -c "ping -c 1 -P icmp-echo -m 255" -f "$1" -o "$2")
}
fping_cmd() {  # TARGETS (its report on stdout; -i: ms between any two probes)
    CMD=(ip netns exec "$ICS_SCAN_NS" fping -6 -e -r 0 -t 1000 -H 255 -i "$(python3 -c "print(1000 / $RATE)")" -f "$1")
}
# Runs CMD, its stdout to OUT and its stderr to OUT.stderr (OUT removed first), measured into
# $WORK/measured.json; fails unless it exited with one of the EXITS and was not stopped.
run_cmd() {  # OUT EXITS...
    local out=$1
    shift
    rm -f "$out"
    python3 bench/run_measured.py --timeout 120 -- bash -c 'exec "$@" > "$0" 2> "$0.stderr"' "$out" "${CMD[@]}" \
        > "$WORK/measured.json"
    python3 - "$WORK/measured.json" "$@" <<'PY' || { cat "$out.stderr" >&2; exit 1; }
import json, sys
m = json.load(open(sys.argv[1]))
if m["stopped"] or str(m["exit"]) not in sys.argv[2:]:
    sys.exit(f"FAIL: a tool exited {m['exit']} (stopped: {m['stopped']}); expected {' or '.join(sys.argv[2:])}")
PY
}

echo "answers: the testbed's hitlist ($(grep -c . "$ICS_HITLIST6") targets)"
kernel_ip6 del
ours_cmd "$ICS_HITLIST6" "$WORK/ours.csv" "$WORK/ours.json" && run_cmd "$WORK/ours.out" 0
kernel_ip6 add
scamper_cmd "$ICS_HITLIST6" "$WORK/scamper.json" && run_cmd "$WORK/scamper.out" 0
fping_cmd "$ICS_HITLIST6" && run_cmd "$WORK/fping.txt" 1  # 1: some targets are not alive
python3 bench/peers6_answers.py "$ICS_GROUND_TRUTH6" "$ICS_HITLIST6" "$WORK/ours.csv" "$WORK/scamper.json" \
    "$WORK/fping.txt" | tee "$OUT/ipv6_peers_answers.txt"

record() {  # tool round replies: the last run_cmd's figures
    python3 - "$@" "$N" "$RATE" "$WORK/measured.json" >> "$OUT/ipv6_peers.jsonl" <<'PY'
import json, sys
tool, rnd, replies, n, rate, measured = sys.argv[1:7]
m = json.load(open(measured))
print(json.dumps({"stage": "ipv6_peers", "tool": tool, "rate": int(rate), "round": int(rnd), "probes": int(n),
                  "replies": int(replies), "wall": m["wall"], "cpu": m["cpu"], "rss_kb": m["rss_kb"]}))
PY
}
echo "CPU per probe: $N addresses of the aliased /64 at ${RATES[*]} probes/s, $ROUNDS round(s)"
for round in $(seq 1 "$ROUNDS"); do
    kernel_ip6 del
    RATE=${RATES[0]}
    ours_cmd "$WORK/one.txt" "$WORK/one.csv" "$WORK/one.json" && run_cmd "$WORK/one.out" 0
    N=1 record ours-one-target "$round" "$(($(wc -l < "$WORK/one.csv") - 1))"
    for RATE in "${RATES[@]}"; do
        kernel_ip6 del
        ours_cmd "$WORK/aliased.txt" "$WORK/a-ours.csv" "$WORK/a-ours.json" && run_cmd "$WORK/a-ours.out" 0
        record ours "$round" "$(($(wc -l < "$WORK/a-ours.csv") - 1))"
        kernel_ip6 add
        scamper_cmd "$WORK/aliased.txt" "$WORK/a-scamper.json" && run_cmd "$WORK/a-scamper.out" 0
        record scamper "$round" "$(grep -c '"icmp_type":129' "$WORK/a-scamper.json" || true)"
        fping_cmd "$WORK/aliased.txt" && run_cmd "$WORK/a-fping.txt" 0 1
        record fping "$round" "$(grep -c ' is alive' "$WORK/a-fping.txt" || true)"
    done
done

python3 - "$OUT/ipv6_peers.jsonl" <<'PY'
import collections, json, statistics, sys
by = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    by[r["rate"], r["tool"]].append(r)
fixed = statistics.median(r["cpu"] for (_, tool), rs in by.items() if tool == "ours-one-target" for r in rs)
print("| rate /s | tool | probes | replies per round | wall s | CPU s | CPU us per probe | against ours | peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|")
for (rate, tool), rs in by.items():
    if tool == "ours-one-target":
        continue
    med = lambda f, rs=rs: statistics.median(f(r) for r in rs)
    per = med(lambda r: r["cpu"] / r["probes"])
    ours = statistics.median(r["cpu"] / r["probes"] for r in by[rate, "ours"])
    print(f"| {rate} | {tool} | {rs[0]['probes']} | {', '.join(str(r['replies']) for r in rs)} | "
          f"{med(lambda r: r['wall']):.2f} | {med(lambda r: r['cpu']):.2f} | {per * 1e6:.1f} | {per / ours:.2f}x | "
          f"{med(lambda r: r['rss_kb']) / 1024:.0f} |")
    if tool == "ours":
        print(f"| {rate} | ours while sending | | | | {med(lambda r: r['cpu']) - fixed:.2f} | "
              f"{(med(lambda r: r['cpu']) - fixed) / rs[0]['probes'] * 1e6:.1f} | | |")
print(f"\nours' fixed cost (one target: start-up and the 1 s cooldown): {fixed:.2f} CPU s (median)")
PY
