#!/usr/bin/env bash
# Makes the testbed (scripts/testbed.sh) misbehave on command, for one prefix at a time, and records
# what it did so tests check every monitor figure against it. PREFIX is a /24 or smaller inside one
# host's range: 198.18.0.0/18 (h1, behind r6), 198.18.64.0/19 (h2, behind r2) or 198.18.124.0/23
# (h3, behind r5).
#
#   testbed-impair.sh loss PCT PREFIX               drop PCT % (integer) of Echo Requests to PREFIX
#   testbed-impair.sh loss-stats PREFIX             print "dropped N passed M" (requests so far)
#   testbed-impair.sh delay MS PREFIX [SECONDS]     answer PREFIX after MS ms for SECONDS (600)
#   testbed-impair.sh delay off PREFIX              stop that; the kernel answers again
#   testbed-impair.sh outage SECONDS PREFIX         PREFIX silent for SECONDS (returns at once)
#   testbed-impair.sh unreachable SECONDS PREFIX [CODE]  Destination Unreachable CODE (1 or 13)
#   testbed-impair.sh clear PREFIX                  undo every impairment of PREFIX
#   testbed-impair.sh log delay|outage|unreachable PREFIX   print that log's path
#   testbed-impair.sh stop-all                      stop every timed impairment (testbed.sh down)
#
# How, and why that way (no tc netem in this kernel):
# - loss: an nft table ics_loss_TAG in the host's namespace, prerouting hook: `numgen random mod
#   100 < PCT` drops, with named counters `dropped` and `passed` for Echo Requests to PREFIX only.
# - delay: tests/tools/delay_responder (ICS_DELAY_RESPONDER, or build/ under the source tree) in the
#   host's namespace reads requests on a raw ICMP socket and answers after MS ms; an nft table
#   ics_delay_TAG (output hook) drops the kernel's own replies from PREFIX unless they carry the
#   responder's socket mark. Not icmp_echo_ignore_all, which would silence the host's whole range;
#   and a raw socket, unlike an AF_PACKET tap, sees requests after prerouting, so loss composes.
#   Log: one line per answer, "dst id seq received_us sent_us" (epoch us).
# - outage: a blackhole route for PREFIX in the router before the host (nothing comes back).
# - unreachable: an `unreachable` (code 1) or `prohibit` (code 13) route there instead. The router
#   has ICMP error limits lifted (testbed.sh icmp_limits); on a --rate-limited testbed h1's router r6
#   keeps the kernel's limits, so r1 answers for h1's prefixes there.
#   Logs: "start EPOCH_MS" ("start EPOCH_MS code CODE from SENDER" for unreachable: SENDER is the
#   router's address towards the scanner, the errors' source), then "end EPOCH_MS", each stamped
#   right after the route changed; appended, one pair per use.
# Timed impairments run as a job (bash, named ics-impair-job) inside the router's or host's
# namespace that restores on its own at the end, on `clear` and on SIGTERM; stop-all finds them
# there by name, so testbed.sh down stops them whatever the state directory.
set -euo pipefail

STATE=${ICS_TESTBED_STATE:-/run/dpdk-icmpscan-testbed}
DIR=$STATE/impair
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESPONDER=${ICS_DELAY_RESPONDER:-$SRC/build/tests/tools/delay_responder}
MARK=0x1c5  # the delay responder's socket mark: its replies pass the rule that drops the kernel's
MAX_SECONDS=3600

bad() { echo "testbed-impair.sh: $*" >&2; exit 2; }
now_ms() { date +%s%3N; }
ip2int() { local a b c d; IFS=. read -r a b c d <<< "$1"; echo $(((a << 24) | (b << 16) | (c << 8) | d)); }
inside() {  # addr_int len prefix: true when addr_int/len lies inside prefix
    local net=${3%/*} plen=${3#*/}
    ((${2} >= plen && ($1 >> (32 - plen)) == ($(ip2int "$net") >> (32 - plen))))
}

# resolve PREFIX: checks it and sets TAG (a name for files and tables), HOST_NS and ROUTER_NS.
resolve() {
    local p=$1 re='^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})$'
    [[ $p =~ $re ]] || bad "'$p' is not an IPv4 prefix: write it as 198.18.5.0/24"
    local len=${BASH_REMATCH[5]} i
    for i in 1 2 3 4; do ((BASH_REMATCH[i] <= 255)) || bad "'$p' has an octet over 255"; done
    ((len >= 24 && len <= 32)) || bad "'$p' is larger than a /24: impair a /24 or smaller"
    local addr; addr=$(ip2int "${p%/*}")
    ((addr & ((1 << (32 - len)) - 1))) && bad "'$p' has host bits set: give its network address"
    if inside "$addr" "$len" 198.18.0.0/18; then HOST_NS=ics-h1 ROUTER_NS=ics-r6
    elif inside "$addr" "$len" 198.18.64.0/19; then HOST_NS=ics-h2 ROUTER_NS=ics-r2
    elif inside "$addr" "$len" 198.18.124.0/23; then HOST_NS=ics-h3 ROUTER_NS=ics-r5
    else bad "'$p' is not inside a host's range: use 198.18.0.0/18, 198.18.64.0/19 or 198.18.124.0/23"
    fi
    ip netns list | grep -qw "$HOST_NS" || bad "the testbed is not up: run scripts/testbed.sh up first"
    TAG=${p//[.\/]/_}
    mkdir -p "$DIR"
}

seconds_arg() {  # value what
    [[ $1 =~ ^[0-9]+$ ]] && (($1 >= 1 && $1 <= MAX_SECONDS)) || bad "$2 '$1' is not a whole number of seconds from 1 to $MAX_SECONDS"
}

# The job run inside a namespace: starts RUN (if any) in the background and waits for READY, applies
# APPLY, logs the start, waits SECONDS (or less if RUN ends first) and then, or on SIGTERM/SIGINT,
# restores with RESTORE and logs the end: the two stamps are at least SECONDS apart.
# shellcheck disable=SC2016
JOB='pidf=$1 log=$2 run=$3 ready=$4 apply=$5 restore=$6 note=$7 secs=$8 child= timer=
finish() {
    trap - TERM INT
    kill -TERM $child $timer 2>/dev/null || true
    wait || true
    eval "$restore" || true
    [[ -z $log ]] || echo "end $(date +%s%3N)" >> "$log"
    rm -f "$pidf"
    exit 0
}
trap finish TERM INT
if [[ -n $run ]]; then eval "$run" & child=$!; fi
eval "$ready"
eval "$apply"
[[ -z $log ]] || echo "start $(date +%s%3N)$note" >> "$log"
echo $$ > "$pidf"
sleep "$secs" & timer=$!
wait -n $child $timer || true
finish'

# start_job NS KIND LOG RUN READY APPLY RESTORE NOTE SECONDS: one job per prefix and kind (a new one replaces
# the old); returns once the impairment is in place.
start_job() {
    local pidf=$DIR/$TAG.$2.pid i
    stop_job "$2"
    ip netns exec "$1" setsid bash -c "$JOB" ics-impair-job "$pidf" "${@:3}" </dev/null >/dev/null 2>>"$DIR/jobs.err" &
    for ((i = 0; i < 500; i++)); do [[ -s $pidf ]] && return 0; sleep 0.01; done
    bad "the $2 job for $TAG did not start within 5 s (see $DIR/jobs.err)"
}

is_job() { [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -q 'ics-impair-job'; }

# stop_pid PID: SIGTERM (the job restores and logs), then SIGKILL to its session after 5 s.
stop_pid() {
    local i
    kill -TERM "$1" 2>/dev/null || return 0
    for ((i = 0; i < 500; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.01; done
    kill -KILL -- "-$1" 2>/dev/null || true
}

stop_job() {  # kind
    local pidf=$DIR/$TAG.$1.pid pid
    [[ -s $pidf ]] || return 0
    pid=$(cat "$pidf")
    if is_job "$pid"; then stop_pid "$pid"; fi
    rm -f "$pidf"
}

loss() {
    local pct=$1; resolve "$2"
    [[ $pct =~ ^[0-9]+$ ]] && ((pct <= 100)) || bad "loss '$pct' is not a whole percentage from 0 to 100"
    local pick="numgen random mod 100 < $pct"
    ((pct < 100)) || pick=""  # nft refuses "< 100" (the value's range is 0-99)
    ip netns exec "$HOST_NS" nft delete table ip "ics_loss_$TAG" 2>/dev/null || true
    ip netns exec "$HOST_NS" nft -f - <<NFT
table ip ics_loss_$TAG {
    counter dropped {}
    counter passed {}
    chain pre {
        type filter hook prerouting priority -300; policy accept;
        ip daddr $2 icmp type echo-request $pick counter name dropped drop
        ip daddr $2 icmp type echo-request counter name passed
    }
}
NFT
}

loss_stats() {
    resolve "$1"
    local n d p
    for n in dropped passed; do
        ip netns exec "$HOST_NS" nft list counter ip "ics_loss_$TAG" "$n" >/dev/null 2>&1 ||
            bad "no loss is set on $1: run 'loss PCT $1' first"
    done
    d=$(ip netns exec "$HOST_NS" nft list counter ip "ics_loss_$TAG" dropped | awk '/packets/ { print $2 }')
    p=$(ip netns exec "$HOST_NS" nft list counter ip "ics_loss_$TAG" passed | awk '/packets/ { print $2 }')
    echo "dropped $d passed $p"
}

delay() {
    if [[ $1 == off ]]; then resolve "$2"; stop_job delay; return; fi
    local ms=$1 secs=${3:-600}; resolve "$2"
    [[ $ms =~ ^[0-9]+$ ]] && ((ms <= 60000)) || bad "delay '$ms' is not a whole number of ms from 0 to 60000"
    seconds_arg "$secs" "the delay's lifetime"
    [[ -x $RESPONDER ]] || bad "no delay responder at $RESPONDER: build it (ninja -C build tests/tools/delay_responder) or set ICS_DELAY_RESPONDER"
    local log=$DIR/$TAG.delay.log table=ics_delay_$TAG
    stop_job delay
    rm -f "$log"
    local rule="table ip $table { chain out { type filter hook output priority 0; policy accept;
        ip saddr $2 icmp type echo-reply meta mark != $MARK counter drop; }; }"
    start_job "$HOST_NS" delay "" "exec '$RESPONDER' $2 $ms $secs '$log' $MARK" \
        "for i in \$(seq 500); do [[ -e '$log' ]] && break; sleep 0.01; done" \
        "nft '$rule'" "nft delete table ip $table" "" "$secs"
}

outage() {
    seconds_arg "$1" "the outage's length"; resolve "$2"
    start_job "$ROUTER_NS" outage "$DIR/$TAG.outage.log" "" : \
        "ip route replace blackhole $2" "ip route del blackhole $2" "" "$1"
}

unreachable() {
    local code=${3:-1} type
    seconds_arg "$1" "the unreachable time"; resolve "$2"
    case $code in 1) type=unreachable ;; 13) type=prohibit ;; *) bad "code '$code' is not 1 (host unreachable) or 13 (prohibited)" ;; esac
    # shellcheck disable=SC1091
    [[ -f $STATE/env ]] && source "$STATE/env"
    [[ ${ICS_RATE_LIMITED:-0} == 1 && $ROUTER_NS == ics-r6 ]] && ROUTER_NS=ics-r1
    local from
    from=$(ip netns exec "$ROUTER_NS" ip -o route get "${ICS_SCANNER_IP:-198.19.255.1}" | sed -n 's/.* src \([0-9.]*\).*/\1/p')
    start_job "$ROUTER_NS" unreachable "$DIR/$TAG.unreachable.log" "" : \
        "ip route replace $type $2" "ip route del $type $2" " code $code from $from" "$1"
}

clear_all() {
    resolve "$1"
    local kind
    for kind in delay outage unreachable; do stop_job "$kind"; done
    ip netns exec "$HOST_NS" nft delete table ip "ics_loss_$TAG" 2>/dev/null || true
}

log_path() {
    [[ $1 =~ ^(delay|outage|unreachable)$ ]] || bad "no '$1' log: ask for delay, outage or unreachable"
    resolve "$2"
    echo "$DIR/$TAG.$1.log"
}

# Every job in the testbed's namespaces, found by name (the state directory may be another's).
stop_all() {
    local n pid
    for n in $(ip netns list | awk '$1 ~ /^ics-/ { print $1 }'); do
        for pid in $(ip netns pids "$n"); do
            if is_job "$pid"; then stop_pid "$pid"; fi
        done
    done
}

usage() { sed -n '7,16p' "$0" | sed 's/^#//' >&2; exit 2; }

case "${1:-}" in
    loss) (($# == 3)) || usage; loss "$2" "$3" ;;
    loss-stats) (($# == 2)) || usage; loss_stats "$2" ;;
    delay) (($# == 3 || $# == 4)) || usage; delay "$2" "$3" "${4:-}" ;;
    outage) (($# == 3)) || usage; outage "$2" "$3" ;;
    unreachable) (($# == 3 || $# == 4)) || usage; unreachable "$2" "$3" "${4:-1}" ;;
    clear) (($# == 2)) || usage; clear_all "$2" ;;
    log) (($# == 3)) || usage; log_path "$2" "$3" ;;
    stop-all) stop_all ;;
    *) usage ;;
esac
