#!/usr/bin/env bash
# The local testbed: Linux network namespaces joined by veth pairs, the kernel as real hosts and
# real routers. Only 198.18.0.0/15 is used (RFC 2544 benchmarking space).
#
#   testbed.sh up [--rate-limited]   create it and write its ground truth
#   testbed.sh down                  remove everything it created (safe to run twice)
#   testbed.sh truth                 print the ground truth file's path
#
#            scan0 (no kernel IP: the scanner owns it through DPDK af_packet)
#              |                      ns ics-scan
#   198.19.255.254/24  r1 ------------------------------------------ ns ics-r1 (router)
#      |  198.19.1.0/30          \  198.19.2.0/30
#     h1 (AnyIP 198.18.0.0/18)    r2 (router) ---- 198.19.3.0/30 ---- h2 (AnyIP 198.18.64.0/19)
#
# The scanned range is 198.18.0.0/17; what each part of it does is written to ground-truth.tsv
# (longest prefix wins): echo replies from h1 and h2 (with dead hosts), Destination Unreachable
# codes 0 (no route), 1 (unreachable route) and 13 (prohibit route) from r1 and from r2, and Time
# Exceeded from a routing loop between r1 and r2. ICMP error rate limits are switched off so the
# truth is exact; --rate-limited keeps the kernel's defaults (routers then answer a few errors).
set -euo pipefail

SCAN_NS=ics-scan R1=ics-r1 R2=ics-r2 H1=ics-h1 H2=ics-h2
ALL_NS=("$SCAN_NS" "$R1" "$R2" "$H1" "$H2")
STATE=${ICS_TESTBED_STATE:-/run/dpdk-icmpscan-testbed}
# The root namespace's route error limits before the testbed changed them. A fixed path, whatever
# STATE is: the namespaces have fixed names, so there is only ever one testbed to restore from.
SAVED_LIMITS=/run/dpdk-icmpscan-route-error-limits
SCAN_IF=scan0
# What the scanner uses on the testbed (also read by the scripts that run scans on it).
SCANNER_IP=198.19.255.1
GATEWAY_IP=198.19.255.254
SCAN_RANGE=198.18.0.0/17

ns() { ip netns exec "$1" "${@:2}"; }

sysctl_in() {  # namespace, key=value...
    local n=$1; shift
    for kv in "$@"; do ns "$n" sysctl -qw "$kv" >/dev/null; done
}

link() {  # ns_a if_a ns_b if_b
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
    ns "$1" ip link set "$2" up
    ns "$3" ip link set "$4" up
}

icmp_limits() {  # namespace
    if [[ $RATE_LIMITED == 1 ]]; then return; fi
    sysctl_in "$1" net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000000 \
        net.ipv4.icmp_msgs_burst=100000000
}

up() {
    RATE_LIMITED=0
    [[ ${1:-} == --rate-limited ]] && RATE_LIMITED=1
    down >/dev/null 2>&1 || true
    mkdir -p "$STATE"
    for n in "${ALL_NS[@]}"; do
        ip netns add "$n"
        ns "$n" ip link set lo up
        sysctl_in "$n" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done

    # Route errors (unreachable, prohibit, no route) are also limited by a token bucket whose
    # settings only the initial namespace shows and every namespace obeys (checked on kernel 6.18:
    # with the defaults, 250 and 1250 jiffies, a router sent 1-5 of 3072 unreachables); save them
    # to restore on down.
    if [[ $RATE_LIMITED == 0 && -w /proc/sys/net/ipv4/route/error_cost ]]; then
        echo "$(cat /proc/sys/net/ipv4/route/error_cost) $(cat /proc/sys/net/ipv4/route/error_burst)" \
            > "$SAVED_LIMITS"
        sysctl -qw net.ipv4.route.error_cost=0 net.ipv4.route.error_burst=100000000
    fi

    link "$SCAN_NS" "$SCAN_IF" "$R1" r1-scan
    link "$R1" r1-h1 "$H1" h1-r1
    link "$R1" r1-r2 "$R2" r2-r1
    link "$R2" r2-h2 "$H2" h2-r2
    ns "$SCAN_NS" ethtool -K "$SCAN_IF" tx off rx off >/dev/null 2>&1 || true
    # Spread each router's receive work over every CPU (RPS), as a real router forwards on its
    # own cores: without it the kernel forwards each probe inside the sender's sendto() call.
    local mask
    mask=$(printf '%x' $(( (1 << $(nproc)) - 1 )))
    for pair in "$R1 r1-scan" "$R1 r1-h1" "$R1 r1-r2" "$R2 r2-r1" "$R2 r2-h2" "$H1 h1-r1" "$H2 h2-r2" \
                "$SCAN_NS $SCAN_IF"; do
        read -r n dev <<< "$pair"
        ns "$n" sh -c "echo $mask > /sys/class/net/$dev/queues/rx-0/rps_cpus" 2>/dev/null || true
    done

    # r1: the scanner's gateway.
    sysctl_in "$R1" net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
        net.ipv4.conf.default.send_redirects=0 net.ipv4.conf.all.rp_filter=0
    icmp_limits "$R1"
    ns "$R1" ip addr add "$GATEWAY_IP/24" dev r1-scan
    ns "$R1" ip addr add 198.19.1.1/30 dev r1-h1
    ns "$R1" ip addr add 198.19.2.1/30 dev r1-r2
    ns "$R1" ip route add 198.18.0.0/18 via 198.19.1.2
    ns "$R1" ip route add 198.18.64.0/19 via 198.19.2.2
    ns "$R1" ip route add 198.18.96.0/20 via 198.19.2.2
    ns "$R1" ip route add 198.18.112.0/22 via 198.19.2.2
    ns "$R1" ip route add prohibit 198.18.116.0/22
    ns "$R1" ip route add unreachable 198.18.120.0/22
    ns "$R1" ip route add 198.18.126.0/28 via 198.19.2.2   # loops back from r2: Time Exceeded
    ns "$R1" ip route add 198.19.3.0/30 via 198.19.2.2

    # r2: a second router one hop further.
    sysctl_in "$R2" net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
        net.ipv4.conf.default.send_redirects=0 net.ipv4.conf.all.rp_filter=0
    icmp_limits "$R2"
    ns "$R2" ip addr add 198.19.2.2/30 dev r2-r1
    ns "$R2" ip addr add 198.19.3.1/30 dev r2-h2
    ns "$R2" ip route add 198.19.0.0/16 via 198.19.2.1
    ns "$R2" ip route add 198.18.64.0/19 via 198.19.3.2
    ns "$R2" ip route add unreachable 198.18.96.0/21
    ns "$R2" ip route add prohibit 198.18.104.0/21
    ns "$R2" ip route add 198.18.126.0/28 via 198.19.2.1

    # h1, h2: whole prefixes answer Echo (AnyIP), with dead hosts blackholed.
    ns "$H1" ip addr add 198.19.1.2/30 dev h1-r1
    ns "$H1" ip route add default via 198.19.1.1
    ns "$H1" ip route add local 198.18.0.0/18 dev lo
    ns "$H1" ip route add blackhole 198.18.7.0/24 table local
    ns "$H1" ip route add blackhole 198.18.0.13/32 table local
    ns "$H1" ip route add blackhole 198.18.33.33/32 table local
    ns "$H2" ip addr add 198.19.3.2/30 dev h2-r2
    ns "$H2" ip route add default via 198.19.3.1
    ns "$H2" ip route add local 198.18.64.0/19 dev lo
    ns "$H2" ip route add blackhole 198.18.70.0/25 table local

    cat > "$STATE/ground-truth.tsv" <<TRUTH
# prefix	expect	code	sender	(longest prefix wins; scanned range $SCAN_RANGE)
$SCAN_RANGE	unreach	0	$GATEWAY_IP
198.18.0.0/18	echoreply	0	-
198.18.7.0/24	none	-	-
198.18.0.13/32	none	-	-
198.18.33.33/32	none	-	-
198.18.64.0/19	echoreply	0	-
198.18.70.0/25	none	-	-
198.18.96.0/21	unreach	1	198.19.2.2
198.18.104.0/21	unreach	13	198.19.2.2
198.18.112.0/22	unreach	0	198.19.2.2
198.18.116.0/22	unreach	13	$GATEWAY_IP
198.18.120.0/22	unreach	1	$GATEWAY_IP
198.18.126.0/28	timxceed	0	$GATEWAY_IP
TRUTH
    cat > "$STATE/env" <<ENV
ICS_SCAN_NS=$SCAN_NS
ICS_SCAN_IF=$SCAN_IF
ICS_SCANNER_IP=$SCANNER_IP
ICS_GATEWAY_IP=$GATEWAY_IP
ICS_SCAN_RANGE=$SCAN_RANGE
ICS_RATE_LIMITED=$RATE_LIMITED
ICS_GATEWAY_NS=$R1
ICS_GATEWAY_IF=r1-scan
ENV
    echo "testbed up: scan from $SCANNER_IP via $GATEWAY_IP on $SCAN_IF in namespace $SCAN_NS;" \
         "range $SCAN_RANGE; ground truth in $STATE/ground-truth.tsv"
}

down() {
    for n in "${ALL_NS[@]}"; do
        ip netns del "$n" 2>/dev/null || true
    done
    if [[ -f "$SAVED_LIMITS" ]]; then
        read -r cost burst < "$SAVED_LIMITS"
        sysctl -qw net.ipv4.route.error_cost="$cost" net.ipv4.route.error_burst="$burst" || true
        rm -f "$SAVED_LIMITS"
    fi
    rm -rf "$STATE"
    echo "testbed down"
}

case "${1:-}" in
    up) up "${2:-}" ;;
    down) down ;;
    truth) echo "$STATE/ground-truth.tsv" ;;
    *) echo "usage: $0 up [--rate-limited] | down | truth" >&2; exit 2 ;;
esac
