#!/usr/bin/env bash
# A soak (issue 15): HOURS (fractional: 0.05 = 3 minutes) of a scan repeating back to back and a
# monitor run for the whole time, on the namespace testbed, sampled once a second; at the end a
# CSV, a PNG plot and a verdict. It holds the testbed lock (/tmp/ics-testbed.lock) for the whole
# soak, waiting for it first:
#
#   scripts/soak.sh [options] HOURS
#
#   --scan-rate PPS         each scan's rate (default 10000)
#   --scan-range CIDR       what each scan probes (default 198.18.0.0/17, the testbed's range)
#   --monitor-targets CIDR  what the monitor probes every period (default 198.18.0.0/19: 8,192)
#   --period D              the monitor's period, as its --period takes it (default 1s)
#   --warmup S              seconds left out of the flatness figures (default 60, or a sixth of a
#                           soak shorter than 6 minutes)
#   --out DIR               where everything goes (default soak-results/YYYYmmdd-HHMMSS)
#
# Defaults: 10 kpps of scan plus 8,192 probes a second of monitor, about 18 kpps in all: what this
# 2-CPU VM carried with other people's builds running beside it. The testbed runs without RPS (as
# the integration tests use it: a loaded machine loses no reply in it), so every packet's trip
# through the namespaces runs in the sending scanner's system calls, on the same two CPUs as both
# scanners. Measured there (docs/performance.md, "Soak"): a scan asked for 50 kpps alone sent 14.6
# kpps; 50 kpps of scan beside a monitor of 32,768 targets a second carried about 10 + 12 kpps and
# the monitor fell minutes behind its schedule. On a quiet machine the figures in docs/performance.md
# ("Full loop", "Monitor mode": 100-150 kpps) say how far to raise them. A monitor that falls behind
# (still running a minute after its last round was due) fails the soak.
#
# The testbed comes up with --second-scanner: the scan uses scan0 (198.19.255.1, ns ics-scan), the
# monitor scan1 (198.19.254.1, ns ics-scan2), so neither sees the other's replies (testbed.sh says
# why two ports in one namespace are not enough). Each scan: -c 1, its own -u rows and metadata
# (scan-N.status.csv, scan-N.json); the monitor: --count of periods to fill the soak, -u and -m.
# scripts/soak_report.py samples every second into soak.csv (VmRSS from /proc/PID/status and the
# -u rows' mempool free and size, ring depths and every counter: docs/usage.md), then plots
# soak.png and prints the verdict (its header defines flat). Exits 1 if a run's metadata breaks
# "received = accepted + dropped by reason", a process failed or the monitor ended early; 2 on bad
# arguments. Every loop ends by itself; the EXIT trap stops what this started and takes the testbed
# down.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${ICS_BIN:-$SRC/build/apps/dpdk-icmpscan/dpdk-icmpscan}
SCAN_RATE=10000 SCAN_RANGE=198.18.0.0/17 MONITOR_RANGE=198.18.0.0/19 PERIOD=1s WARMUP='' OUT=''

usage() {
    echo "soak.sh: $1; usage: soak.sh [--scan-rate PPS] [--scan-range CIDR] [--monitor-targets CIDR]" \
         "[--period D] [--warmup S] [--out DIR] HOURS" >&2
    exit 2
}
HOURS=
while (($#)); do
    case $1 in
        --scan-rate|--scan-range|--monitor-targets|--period|--warmup|--out)
            (($# >= 2)) || usage "$1 needs a value"
            case $1 in
                --scan-rate) SCAN_RATE=$2 ;; --scan-range) SCAN_RANGE=$2 ;;
                --monitor-targets) MONITOR_RANGE=$2 ;; --period) PERIOD=$2 ;;
                --warmup) WARMUP=$2 ;; --out) OUT=$2 ;;
            esac
            shift ;;
        -*) usage "unknown option '$1'" ;;
        *) [[ -z $HOURS ]] || usage "one HOURS only"; HOURS=$1 ;;
    esac
    shift
done
[[ $HOURS =~ ^[0-9]*\.?[0-9]+$ ]] || usage "HOURS must be a positive number (0.05 = 3 minutes), not '$HOURS'"
[[ $SCAN_RATE =~ ^[1-9][0-9]*$ ]] || usage "--scan-rate must be a positive integer, not '$SCAN_RATE'"
[[ -z $WARMUP || $WARMUP =~ ^[0-9]+$ ]] || usage "--warmup must be whole seconds, not '$WARMUP'"
if [[ $PERIOD =~ ^([0-9]+)ms$ ]]; then PERIOD_MS=${BASH_REMATCH[1]}
elif [[ $PERIOD =~ ^([0-9]+)s?$ ]]; then PERIOD_MS=$((BASH_REMATCH[1] * 1000))
else usage "--period must be like 1s or 500ms, not '$PERIOD'"; fi
((PERIOD_MS > 0)) || usage "--period must be above 0"
DURATION=$(awk -v h="$HOURS" 'BEGIN { printf "%d", h * 3600 + 0.5 }')
((DURATION >= 60)) || usage "HOURS $HOURS is under a minute: use at least 0.017"
[[ -n $WARMUP ]] || WARMUP=$((DURATION < 360 ? DURATION / 6 : 60))
[[ -x $BIN ]] || { echo "soak.sh: no binary at $BIN: build it (scripts/build.sh) or set ICS_BIN" >&2; exit 2; }
# The network rule: what the soak probes lies in the testbed's benchmarking space.
for range in "$SCAN_RANGE" "$MONITOR_RANGE"; do
    python3 -c 'import ipaddress, sys; sys.exit(not ipaddress.ip_network(sys.argv[1]).subnet_of(
        ipaddress.ip_network("198.18.0.0/15")))' "$range" 2>/dev/null \
        || usage "'$range' is not a CIDR inside the testbed's 198.18.0.0/15"
done
# The testbed lock, on a descriptor of this shell's own: held until the shell exits, which is after
# the EXIT trap took the testbed down.
exec {lock_fd}>>/tmp/ics-testbed.lock
if ! flock -n "$lock_fd"; then
    echo "soak.sh: waiting for the testbed lock (another test holds it), at most an hour" >&2
    flock -w 3600 "$lock_fd" || { echo "soak.sh: the testbed lock stayed taken for an hour" >&2; exit 2; }
fi
if ip netns list | grep -q '^ics-'; then
    echo "soak.sh: a testbed already exists (ip netns list shows ics-*): another test holds it" \
         "without the testbed lock: remove it (scripts/testbed.sh down)" >&2
    exit 2
fi
OUT=${OUT:-soak-results/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
STATE=$OUT/state
mkdir -p "$STATE"
: > "$OUT/events"
export ICS_TESTBED_STATE=$OUT/testbed

MONITOR_PID='' SCAN_PID='' SAMPLER_PID=''
# stop_process PID: SIGINT (a scanner then writes its metadata), SIGKILL 10 s later if still there.
stop_process() {
    kill -INT "$1" 2>/dev/null || true
    timeout 10 tail --pid="$1" -f /dev/null 2>/dev/null || true
    kill -KILL "$1" 2>/dev/null || true
}
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
    local rc=$? p
    touch "$STATE/stop"
    # Only the PIDs this script started (SIGINT first: a scanner then writes its metadata).
    for p in "$SCAN_PID" "$MONITOR_PID" "$SAMPLER_PID"; do
        if [[ -n $p ]]; then kill -INT "$p" 2>/dev/null || true; fi
    done
    for p in "$SCAN_PID" "$MONITOR_PID" "$SAMPLER_PID"; do
        if [[ -n $p ]]; then
            timeout 10 tail --pid="$p" -f /dev/null 2>/dev/null || true
            kill -KILL "$p" 2>/dev/null || true
        fi
    done
    "$SRC/scripts/testbed.sh" down >/dev/null 2>&1 || true
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if "$SRC/scripts/setup-hugepages.sh" >/dev/null 2>&1; then HUGE=(); else HUGE=(--no-huge); fi
"$SRC/scripts/testbed.sh" up --no-rps --second-scanner >/dev/null
# shellcheck disable=SC1091
source "$ICS_TESTBED_STATE/env"

END=$((SECONDS + DURATION))
ROUNDS=$(( (DURATION * 1000 + PERIOD_MS - 1) / PERIOD_MS ))
echo "soak.sh: $DURATION s: scans of $SCAN_RANGE at $SCAN_RATE pps back to back on $ICS_SCAN_IF," \
     "a monitor of $MONITOR_RANGE every $PERIOD ($ROUNDS rounds) on $ICS_SCAN2_IF; results in $OUT"

python3 "$SRC/scripts/soak_report.py" sample "$OUT/soak.csv" "$STATE" "$((DURATION + 120))" &
SAMPLER_PID=$!

# The monitor: ip netns exec execs the binary, so $! is its PID (a shell function in between would
# hold that PID instead, and a signal to it would never reach the scanner). --timeout a period (at most 1 s).
TIMEOUT_MS=$((PERIOD_MS < 1000 ? PERIOD_MS : 1000))
ip netns exec "$ICS_SCAN2_NS" "$BIN" "${HUGE[@]}" -M monitor -i "$ICS_SCAN2_IF" -S "$ICS_SCANNER2_IP" --gateway-ip "$ICS_GATEWAY2_IP" \
    -b /dev/null --period "${PERIOD_MS}ms" --count "$ROUNDS" --timeout "${TIMEOUT_MS}ms" -q \
    -o "$OUT/monitor-summaries.jsonl" -u "$OUT/monitor.status.csv" -m "$OUT/monitor.json" \
    "$MONITOR_RANGE" 2> "$OUT/monitor.stderr" &
MONITOR_PID=$!
echo "$MONITOR_PID monitor $OUT/monitor.status.csv" > "$STATE/monitor.proc"

# Scans back to back until too little time is left for one more (its sending time plus a second
# of cooldown and a few of start-up).
SCAN_TARGETS=$(python3 -c "import ipaddress, sys; print(ipaddress.ip_network(sys.argv[1]).num_addresses)" \
    "$SCAN_RANGE")
SCAN_S=$((SCAN_TARGETS / SCAN_RATE + 6))
n=0
while ((SECONDS + SCAN_S < END)); do
    n=$((n + 1))
    ip netns exec "$ICS_SCAN_NS" "$BIN" "${HUGE[@]}" -i "$ICS_SCAN_IF" -S "$ICS_SCANNER_IP" --gateway-ip "$ICS_GATEWAY_IP" -b /dev/null \
        -r "$SCAN_RATE" -c 1 -e "$n" -q -o /dev/null -u "$OUT/scan-$n.status.csv" -m "$OUT/scan-$n.json" \
        "$SCAN_RANGE" 2> "$OUT/scan-$n.stderr" &
    SCAN_PID=$!
    echo "$SCAN_PID $n $OUT/scan-$n.status.csv" > "$STATE/scan.proc.new"
    mv "$STATE/scan.proc.new" "$STATE/scan.proc"
    # Bounded: a scan still running at twice its time and a minute is hung, and stopped.
    deadline=$((SECONDS + 2 * SCAN_S + 60))
    while kill -0 "$SCAN_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
    if kill -0 "$SCAN_PID" 2>/dev/null; then
        echo "scan-$n died: hung (still running after $((2 * SCAN_S + 60)) s)" >> "$OUT/events"
        stop_process "$SCAN_PID"
    fi
    rc=0
    wait "$SCAN_PID" || rc=$?
    SCAN_PID=
    echo "scan-$n exit $rc" >> "$OUT/events"
    if ! kill -0 "$MONITOR_PID" 2>/dev/null; then break; fi
done
rm -f "$STATE/scan.proc"

# The monitor ends on its own after its rounds (and --timeout plus 50 ms); a minute more is a hang.
rc=0
deadline=$((END + 60))
while kill -0 "$MONITOR_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 1; done
if kill -0 "$MONITOR_PID" 2>/dev/null; then
    echo "monitor died: still running 60 s after its last round was due (behind its schedule: the" \
         "testbed did not carry the rate; lower --monitor-targets or --scan-rate)" >> "$OUT/events"
    stop_process "$MONITOR_PID"
fi
wait "$MONITOR_PID" || rc=$?
MONITOR_PID=
((SECONDS + 5 >= END)) || echo "monitor died: ended $((END - SECONDS)) s early (exit $rc)" >> "$OUT/events"
echo "monitor exit $rc" >> "$OUT/events"
touch "$STATE/stop"
wait "$SAMPLER_PID" || echo "sampler died: exit $?" >> "$OUT/events"
SAMPLER_PID=

python3 "$SRC/scripts/soak_report.py" plot "$OUT/soak.csv" "$OUT/soak.png" \
    || echo "soak.sh: the plot failed (is gnuplot installed? scripts/install-deps.sh)" >&2
metas=("$OUT/monitor.json")
for ((i = 1; i <= n; i++)); do metas+=("$OUT/scan-$i.json"); done
python3 "$SRC/scripts/soak_report.py" verdict "$OUT/soak.csv" "$WARMUP" "$OUT/events" "${metas[@]}" \
    | tee "$OUT/verdict.txt"
exit "${PIPESTATUS[0]}"
