# Shared by the integration tests: brings the testbed up for one test and always takes it down,
# finds the binary, and picks hugepages or --no-huge. Sourced, not run.
set -euo pipefail
# Not root: exit 77, which meson reports as SKIP and scripts/run-tests.sh lists by name and fails
# unless tests/expected-skips accepts it here (not-root; never in the runner, which runs as root).
# Checked before anything is made, so a skip leaves nothing behind.
if [[ $(id -u) != 0 ]]; then
    echo "SKIP: integration tests need root (network namespaces)"; exit 77
fi
SRC=${ICS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ICS_BIN:-$SRC/build/apps/dpdk-icmpscan/dpdk-icmpscan}
WORK=$(mktemp -d /tmp/ics-it.XXXXXX)
export ICS_TESTBED_STATE=$WORK/testbed

fail() { echo "FAIL: $*" >&2; exit 1; }

# The testbed without RPS: the kernel forwards inside the sender's system calls, so nothing waits
# in a queue between hops and a loaded machine loses no reply (scripts/testbed.sh says why).
testbed_up() {
    "$SRC/scripts/testbed.sh" up --no-rps "$@" >/dev/null
    # shellcheck disable=SC1091
    source "$ICS_TESTBED_STATE/env"
}
# A failing test that ran a scan through `counted` says where packets were lost (hop_counters.py).
cleanup() {
    local rc=$?
    # A test that failed while its background scan ran stops that scan, and only that one.
    if [[ -n ${SCAN_JOB:-} && -s $WORK/scanner.pid ]] && kill -0 "$SCAN_JOB" 2>/dev/null; then
        kill -KILL "$(cat "$WORK/scanner.pid")" 2>/dev/null || true
        wait "$SCAN_JOB" 2>/dev/null || true
    fi
    [[ -z ${CAPTURE_PID:-} ]] || kill -TERM "$CAPTURE_PID" 2>/dev/null || true
    if (( rc != 0 )) && [[ -f $WORK/hops.after ]]; then
        python3 "$SRC/tests/integration/hop_counters.py" report "$WORK/hops.before" "$WORK/hops.after" \
            "$HOPS_META" >&2 || true
    fi
    "$SRC/scripts/testbed.sh" down >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Hugepages when the machine can give them, else DPDK without them.
if "$SRC/scripts/setup-hugepages.sh" >/dev/null 2>&1; then HUGE=(); else HUGE=(--no-huge); fi

# Runs a command between two snapshots of every hop's counters (and notes the metadata file its
# -m names), for the report cleanup prints if the test then fails.
HOPS_META=
note_meta() {
    local args=("$@") i
    for ((i = 0; i + 1 < ${#args[@]}; i++)); do
        if [[ ${args[i]} == -m ]]; then HOPS_META=${args[i + 1]}; fi
    done
}
counted() {
    local rc=0
    note_meta "$@"
    python3 "$SRC/tests/integration/hop_counters.py" snapshot "$WORK/hops.before" $ICS_NAMESPACES
    "$@" || rc=$?
    python3 "$SRC/tests/integration/hop_counters.py" snapshot "$WORK/hops.after" $ICS_NAMESPACES
    return $rc
}

# Runs the scanner inside the scanner's namespace, bounded in time (ICS_SCAN_LIMIT seconds, 120 by
# default; timeout's 124 when it ran out). The gateway is the testbed's
# unless the arguments name one (--gateway-ip or -G); no blocklist unless they give one (-b).
scan_from() {  # SOURCE GATEWAY ARGS...
    local src=$1 gw=(--gateway-ip "$2") pid=() bl=(-b /dev/null)
    shift 2
    [[ " $* " == *" --gateway-ip "* || " $* " == *" -G "* ]] && gw=()
    [[ " $* " == *" -b "* ]] && bl=()
    # With SCAN_PIDFILE set, a shell writes its PID there and becomes the scanner (exec keeps it).
    # shellcheck disable=SC2016
    [[ -n ${SCAN_PIDFILE:-} ]] && pid=(sh -c 'echo $$ > "$0" && exec "$@"' "$SCAN_PIDFILE")
    counted timeout --signal=INT --kill-after=10 "${ICS_SCAN_LIMIT:-120}" \
        ip netns exec "$ICS_SCAN_NS" "${pid[@]}" "$BIN" "${HUGE[@]}" -i "$ICS_SCAN_IF" \
        -S "$src" "${gw[@]}" "${bl[@]}" "$@"
}
scan() { scan_from "$ICS_SCANNER_IP" "$ICS_GATEWAY_IP" "$@"; }
# The same over IPv6 (-6; the testbed made with --ipv6).
scan6() { scan_from "$ICS_SCANNER_IP6" "$ICS_GATEWAY_IP6" -6 "$@"; }

# `scan` in the background; SCAN_JOB is the job to `wait` for. The metadata file is noted here,
# as a background job's assignments never reach this shell.
scan_bg() {
    note_meta "$@"
    rm -f "$WORK/scanner.pid"
    SCAN_PIDFILE=$WORK/scanner.pid scan "$@" &
    SCAN_JOB=$!
}

# Frames that reached the gateway's side of the scanner's link: what the scanner sent.
gateway_rx() { ip netns exec "$ICS_GATEWAY_NS" cat "/sys/class/net/$ICS_GATEWAY_IF/statistics/rx_packets"; }

# checkpoint_covers CK N: the checkpoint CK exists and covers at least N probes.
checkpoint_covers() {
    # shellcheck disable=SC2016
    python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["probes_covered"] < int(sys.argv[2]))' \
        "$1" "$2" 2>/dev/null
}

# kill_at_checkpoint CK N STDERR ARGS...: `scan ARGS` (which keeps its checkpoint in CK) in the
# background, killed with SIGKILL once CK covers N probes; KILLED_FRAMES: the frames it sent.
kill_at_checkpoint() {
    local ck=$1 n=$2 err=$3 before
    shift 3
    before=$(gateway_rx)
    scan_bg "$@" 2> "$err"
    wait_until 60 "a checkpoint covering $n probes" checkpoint_covers "$ck" "$n"
    signal_scan KILL
    wait "$SCAN_JOB" && fail "the killed scan exited 0"
    SCAN_JOB=
    KILLED_FRAMES=$(($(gateway_rx) - before))
}

# signal_scan SIGNAL: signals the background scan's own process, never processes found by name
# (another test's or a CI run's scanner has the same name).
signal_scan() {
    wait_until 30 "the scanner's PID" test -s "$WORK/scanner.pid"
    kill "-$1" "$(cat "$WORK/scanner.pid")"
}

# refused WANT ARGS...: `scan ARGS` is refused before it sends anything: exit 2, WANT in its
# sentence, and its -o ($WORK/refused.out) never created.
refused() {
    local want=$1 rc=0
    shift
    scan "$@" -o "$WORK/refused.out" 2> "$WORK/refused-stderr" || rc=$?
    ((rc == 2)) || fail "'$*' exited $rc, expected 2: $(cat "$WORK/refused-stderr")"
    grep -q -- "$want" "$WORK/refused-stderr" || fail "'$*' said: $(cat "$WORK/refused-stderr")"
    [[ ! -e $WORK/refused.out ]] || fail "a refused run created its output file"
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND until it succeeds; fails the test if that takes
# longer than SECONDS or if the background scan (SCAN_JOB) ends first.
wait_until() {
    local limit=$1 what=$2 deadline=$((SECONDS + $1))
    shift 2
    until "$@"; do
        [[ -z ${SCAN_JOB:-} ]] || kill -0 "$SCAN_JOB" 2>/dev/null || fail "the scan ended before $what"
        ((SECONDS < deadline)) || fail "no sign of $what within $limit s"
        sleep 0.05
    done
}

# True once the -u status file FILE has a row with replies (recv_total > 0).
status_has_replies() {
    [[ -f $1 ]] && awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "recv_total") c = i }
        NR > 1 && c && $c > 0 { found = 1 } END { exit !found }' "$1"
}

# capture_start NS IFACE FILE: records every frame IFACE in namespace NS sends and receives
# (frames.py capture, at most 120 s) until capture_stop; returns once it listens. One at a time.
capture_start() {
    ip netns exec "$1" python3 "$SRC/tests/integration/frames.py" capture "$2" "$3" 120 "$3.ready" &
    CAPTURE_PID=$!
    wait_until 30 "the capture on $2" test -e "$3.ready"
}
capture_stop() {
    kill -TERM "$CAPTURE_PID"
    wait "$CAPTURE_PID" || fail "the capture failed"
    CAPTURE_PID=
}
