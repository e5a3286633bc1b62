#!/usr/bin/env bash
# The local testbed: Linux network namespaces joined by veth pairs, the kernel as real hosts and
# real routers. Only 198.18.0.0/15 is used (RFC 2544 benchmarking space).
#
#   testbed.sh up [--rate-limited] [--no-rps] [--wide] [--second-scanner]
#                                    create it and write its ground truth
#   testbed.sh down                  remove everything it created (safe to run twice)
#   testbed.sh truth                 print the ground truth file's path
# (scripts/testbed-impair.sh adds loss, delay, outages and unreachables on command.)
#
#            scan0 (no kernel IP: the scanner owns it through DPDK af_packet)
#              |                      ns ics-scan
#   198.19.255.254/24  r1 ------------------------------------------ ns ics-r1 (router)
#      |  198.19.1.0/30          \  198.19.2.0/30
#     r6 (rate-limits with        r2 (router) ---- 198.19.3.0/30 ---- h2 (AnyIP 198.18.64.0/19)
#      |  --rate-limited)           \  198.19.7.0/30
#     h1 (AnyIP 198.18.0.0/18)      r3 -- r4 (silent: sends no Time Exceeded) -- r5 -- h3 (AnyIP
#        198.19.6.0/30                 198.19.8.0/30                 198.19.9.0/30   198.18.124.0/23)
#
# The scanned range is 198.18.0.0/17; what each part of it does is written to ground-truth.tsv
# (longest prefix wins): echo replies from h1, h2 and h3 (with dead hosts), Destination Unreachable
# codes 0 (no route), 1 (unreachable route) and 13 (prohibit route) from r1 and from r2, and Time
# Exceeded from a routing loop between r1 and r2. trace-truth.tsv has the path to each part: paths
# of 1 to 6 hops, h3's with a gap where the silent r4 is. ICMP error rate limits are switched off so
# the truth is exact; --rate-limited leaves r6 with the kernel's own limits (1 error a second to
# each destination after a burst of 6, and 1000 a second in all), as a real router.
#
# --wide (for bench/monitor_testbed.sh, 100,000 targets) makes 73,728 more addresses answer Echo,
# outside the scanned range and away from every link address: h2 also answers 198.18.128.0/17 and
# h1 198.19.32.0/19, 198.19.64.0/18 and 198.19.128.0/18 (AnyIP, routed there by r1, r2 and r6).
# Both truth files get their lines; without --wide those addresses get no route from r1.
#
# --second-scanner adds a second scanner port for a second scanner running at the same time
# (scripts/soak.sh: a scan and a monitor): scan1, without a kernel address, in a namespace of its
# own (ics-scan2) on a link of its own to r1 (r1-scan1, 198.19.254.254/24; the scanner uses
# 198.19.254.1). Two scanners on one port would each receive the other's replies (af_packet gives
# every socket a copy) and count them as drops. Two ports in one namespace are not enough either:
# DPDK's af_packet opens its socket for every interface and binds it to one only after setting up
# its ring, and the frames of the other port that arrive in between (130 to 970 per scan, measured
# beside a monitor) land in it (counted: rx_not_our_address). The env file names it
# (ICS_SCAN2_NS, ICS_SCAN2_IF, ICS_SCANNER2_IP, ICS_GATEWAY2_IP, ICS_GATEWAY2_IF).
#
# Every router and host receives on every CPU (RPS), as a real network forwards on CPUs of its own;
# --no-rps leaves receive work on the CPU that sent the packet, so the kernel forwards and answers
# each probe inside the sender's own system call. The integration tests use --no-rps because
# with RPS a loaded machine loses replies inside the testbed: a host's echo reply is charged to
# the kernel's per-CPU ICMP socket (a fixed 2 x 64 KiB send buffer, about 170 replies) until the
# next router's receive path takes it, and when that router's CPU is busy with other work the
# replies wait in its backlog, the buffer fills and the host drops replies (its IcmpOutErrors and
# IpOutDiscards count them). Without RPS no queue builds up between hops, at the price of the
# sender's CPU carrying the whole network (a lower top rate: benchmarks use RPS).
set -euo pipefail

SCAN_NS=ics-scan R1=ics-r1 R2=ics-r2 R3=ics-r3 R4=ics-r4 R5=ics-r5 R6=ics-r6 H1=ics-h1 H2=ics-h2 H3=ics-h3
ALL_NS=("$SCAN_NS" "$R1" "$R2" "$R3" "$R4" "$R5" "$R6" "$H1" "$H2" "$H3")
SCAN2_NS=ics-scan2  # --second-scanner's; `down` removes it too
STATE=${ICS_TESTBED_STATE:-/run/dpdk-icmpscan-testbed}
# The root namespace's route error limits before the testbed changed them. A fixed path, whatever
# STATE is: the namespaces have fixed names, so there is only ever one testbed to restore from.
SAVED_LIMITS=/run/dpdk-icmpscan-route-error-limits
SCAN_IF=scan0
# What the scanner uses on the testbed (also read by the scripts that run scans on it).
SCANNER_IP=198.19.255.1
GATEWAY_IP=198.19.255.254
SCAN_RANGE=198.18.0.0/17
# --second-scanner's port (outside every --wide prefix: h1's AnyIP 198.19.128.0/18 ends at .191).
SCAN2_IF=scan1
SCANNER2_IP=198.19.254.1
GATEWAY2_IP=198.19.254.254

ns() { ip netns exec "$1" "${@:2}"; }

sysctl_in() {  # namespace, key=value...
    local n=$1; shift
    for kv in "$@"; do ns "$n" sysctl -qw "$kv" >/dev/null; done
}

link() {  # ns_a if_a ns_b if_b [queue pairs]
    local q=(numtxqueues "${5:-1}" numrxqueues "${5:-1}")
    ip link add "$2" netns "$1" "${q[@]}" type veth peer name "$4" netns "$3" "${q[@]}"
    ns "$1" ip link set "$2" up
    ns "$3" ip link set "$4" up
}

icmp_limits() {  # namespace: no ICMP error limits (r6 keeps the kernel's with --rate-limited)
    if [[ $RATE_LIMITED == 1 && $1 == "$R6" ]]; then return; fi
    sysctl_in "$1" net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000000 \
        net.ipv4.icmp_msgs_burst=100000000
}

up() {
    RATE_LIMITED=0 RPS=1 WIDE=0 SECOND=0
    local opt
    for opt in "$@"; do
        case $opt in
            --rate-limited) RATE_LIMITED=1 ;;
            --no-rps) RPS=0 ;;
            --wide) WIDE=1 ;;
            --second-scanner) SECOND=1 ;;
            *) echo "testbed.sh: unknown option '$opt': use --rate-limited, --no-rps, --wide or --second-scanner" >&2
               exit 2 ;;
        esac
    done
    down >/dev/null 2>&1 || true
    mkdir -p "$STATE"
    (( SECOND )) && ALL_NS+=("$SCAN2_NS")
    for n in "${ALL_NS[@]}"; do
        ip netns add "$n"
        ns "$n" ip link set lo up
        sysctl_in "$n" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done

    # Route errors (unreachable, prohibit, no route) are also limited by a token bucket whose
    # settings only the initial namespace shows and every namespace obeys (checked on kernel 6.18:
    # with the defaults, 250 and 1250 jiffies, a router sent 1-5 of 3072 unreachables); save them
    # to restore on down.
    if [[ -w /proc/sys/net/ipv4/route/error_cost ]]; then
        echo "$(cat /proc/sys/net/ipv4/route/error_cost) $(cat /proc/sys/net/ipv4/route/error_burst)" \
            > "$SAVED_LIMITS"
        sysctl -qw net.ipv4.route.error_cost=0 net.ipv4.route.error_burst=100000000
    fi

    # Two queue pairs on the scanner's link: af_xdp can open one socket (port) on each.
    link "$SCAN_NS" "$SCAN_IF" "$R1" r1-scan 2
    local scan_links=("$SCAN_NS $SCAN_IF" "$R1 r1-scan")
    if (( SECOND )); then
        link "$SCAN2_NS" "$SCAN2_IF" "$R1" r1-scan1 2
        ns "$SCAN2_NS" ethtool -K "$SCAN2_IF" tx off rx off >/dev/null 2>&1 || true
        scan_links+=("$SCAN2_NS $SCAN2_IF" "$R1 r1-scan1")
    fi
    link "$R1" r1-r6 "$R6" r6-r1
    link "$R6" r6-h1 "$H1" h1-r6
    link "$R1" r1-r2 "$R2" r2-r1
    link "$R2" r2-h2 "$H2" h2-r2
    link "$R2" r2-r3 "$R3" r3-r2
    link "$R3" r3-r4 "$R4" r4-r3
    link "$R4" r4-r5 "$R5" r5-r4
    link "$R5" r5-h3 "$H3" h3-r5
    ns "$SCAN_NS" ethtool -K "$SCAN_IF" tx off rx off >/dev/null 2>&1 || true
    # Spread each router's receive work over every CPU (RPS), as a real router forwards on its
    # own cores: without it the kernel forwards each probe inside the sender's sendto() call.
    local mask=0
    (( RPS )) && mask=$(printf '%x' $(( (1 << $(nproc)) - 1 )))
    for pair in "${scan_links[@]}" "$R1 r1-r6" "$R1 r1-r2" "$R2 r2-r1" "$R2 r2-h2" "$R2 r2-r3" "$R3 r3-r2" \
                "$R3 r3-r4" "$R4 r4-r3" "$R4 r4-r5" "$R5 r5-r4" "$R5 r5-h3" "$R6 r6-r1" "$R6 r6-h1" \
                "$H1 h1-r6" "$H2 h2-r2" "$H3 h3-r5"; do
        read -r n dev <<< "$pair"
        ns "$n" sh -c "for q in /sys/class/net/$dev/queues/rx-*; do echo $mask > \$q/rps_cpus; done" \
            2>/dev/null || true
    done

    # r1: the scanner's gateway.
    sysctl_in "$R1" net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
        net.ipv4.conf.default.send_redirects=0 net.ipv4.conf.all.rp_filter=0
    icmp_limits "$R1"
    ns "$R1" ip addr add "$GATEWAY_IP/24" dev r1-scan
    (( SECOND )) && ns "$R1" ip addr add "$GATEWAY2_IP/24" dev r1-scan1
    ns "$R1" ip addr add 198.19.1.1/30 dev r1-r6
    ns "$R1" ip addr add 198.19.2.1/30 dev r1-r2
    ns "$R1" ip route add 198.18.0.0/18 via 198.19.1.2
    ns "$R1" ip route add 198.18.64.0/19 via 198.19.2.2
    ns "$R1" ip route add 198.18.96.0/20 via 198.19.2.2
    ns "$R1" ip route add 198.18.112.0/22 via 198.19.2.2
    ns "$R1" ip route add prohibit 198.18.116.0/22
    ns "$R1" ip route add unreachable 198.18.120.0/22
    ns "$R1" ip route add 198.18.126.0/28 via 198.19.2.2   # loops back from r2: Time Exceeded
    ns "$R1" ip route add 198.19.3.0/30 via 198.19.2.2
    ns "$R1" ip route add 198.18.124.0/23 via 198.19.2.2

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
    ns "$R2" ip addr add 198.19.7.1/30 dev r2-r3
    ns "$R2" ip route add 198.18.124.0/23 via 198.19.7.2

    # r3, r4, r5: the long way to h3 (6 hops). r4 forwards but never says Time Exceeded.
    local i prev next
    for i in 3 4 5; do
        local n="ics-r$i" up="r$i-r$((i - 1))" down="r$i-r$((i + 1))"
        [[ $i == 3 ]] && up=r3-r2
        [[ $i == 5 ]] && down=r5-h3
        prev="198.19.$((i + 4))" next="198.19.$((i + 5))"
        sysctl_in "$n" net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
            net.ipv4.conf.default.send_redirects=0 net.ipv4.conf.all.rp_filter=0
        icmp_limits "$n"
        ns "$n" ip addr add "$prev.2/30" dev "$up"
        ns "$n" ip addr add "$next.1/30" dev "$down"
        ns "$n" ip route add default via "$prev.1"
        ns "$n" ip route add 198.18.124.0/23 via "$next.2"
    done
    ns "$R4" nft -f - <<'NFT'
table ip silent {
    chain out { type filter hook output priority 0; policy accept; icmp type time-exceeded drop; }
}
NFT
    ns "$H3" ip addr add 198.19.10.2/30 dev h3-r5
    ns "$H3" ip route add default via 198.19.10.1
    ns "$H3" ip route add local 198.18.124.0/23 dev lo

    # r6: h1's router (rate-limits ICMP errors with --rate-limited).
    sysctl_in "$R6" net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
        net.ipv4.conf.default.send_redirects=0 net.ipv4.conf.all.rp_filter=0
    icmp_limits "$R6"
    ns "$R6" ip addr add 198.19.1.2/30 dev r6-r1
    ns "$R6" ip addr add 198.19.6.1/30 dev r6-h1
    ns "$R6" ip route add default via 198.19.1.1
    ns "$R6" ip route add 198.18.0.0/18 via 198.19.6.2

    # h1, h2: whole prefixes answer Echo (AnyIP), with dead hosts blackholed.
    ns "$H1" ip addr add 198.19.6.2/30 dev h1-r6
    ns "$H1" ip route add default via 198.19.6.1
    ns "$H1" ip route add local 198.18.0.0/18 dev lo
    ns "$H1" ip route add blackhole 198.18.7.0/24 table local
    ns "$H1" ip route add blackhole 198.18.0.13/32 table local
    ns "$H1" ip route add blackhole 198.18.33.33/32 table local
    ns "$H2" ip addr add 198.19.3.2/30 dev h2-r2
    ns "$H2" ip route add default via 198.19.3.1
    ns "$H2" ip route add local 198.18.64.0/19 dev lo
    ns "$H2" ip route add blackhole 198.18.70.0/25 table local
    (( WIDE )) && wide_routes

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
198.18.124.0/23	echoreply	0	-
198.18.126.0/28	timxceed	0	$GATEWAY_IP
TRUTH
    # The path to each part, hop by hop from TTL 1 ('*': no reply at that TTL, 'dst': the target).
    local R1A=$GATEWAY_IP R2A=198.19.2.2 R6A=198.19.1.2
    cat > "$STATE/trace-truth.tsv" <<TRUTH
# prefix	stop_reason	stop_data	hops	(longest prefix wins; GAPLIMIT paths end after 5 silent TTLs)
$SCAN_RANGE	UNREACH	0	$R1A
198.18.0.0/18	COMPLETED	0	$R1A,$R6A,dst
198.18.7.0/24	GAPLIMIT	0	$R1A,$R6A
198.18.0.13/32	GAPLIMIT	0	$R1A,$R6A
198.18.33.33/32	GAPLIMIT	0	$R1A,$R6A
198.18.64.0/19	COMPLETED	0	$R1A,$R2A,dst
198.18.70.0/25	GAPLIMIT	0	$R1A,$R2A
198.18.96.0/21	UNREACH	1	$R1A,$R2A
198.18.104.0/21	UNREACH	13	$R1A,$R2A
198.18.112.0/22	UNREACH	0	$R1A,$R2A
198.18.116.0/22	UNREACH	13	$R1A
198.18.120.0/22	UNREACH	1	$R1A
198.18.124.0/23	COMPLETED	0	$R1A,$R2A,198.19.7.2,*,198.19.9.2,dst
198.18.126.0/28	LOOP	0	$R1A,$R2A,$R1A
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
ICS_LIMITED_ROUTER_NS=$R6
ICS_LIMITED_ROUTER_IP=198.19.1.2
ICS_NAMESPACES="${ALL_NS[*]}"
ICS_RPS=$RPS
ICS_WIDE=$WIDE
ICS_SECOND_SCANNER=$SECOND
ENV
    if (( SECOND )); then
        cat >> "$STATE/env" <<ENV
ICS_SCAN2_NS=$SCAN2_NS
ICS_SCAN2_IF=$SCAN2_IF
ICS_SCANNER2_IP=$SCANNER2_IP
ICS_GATEWAY2_IP=$GATEWAY2_IP
ICS_GATEWAY2_IF=r1-scan1
ENV
    fi
    if (( WIDE )); then
        printf '%s\techoreply\t0\t-\n' "${WIDE_H2[@]}" "${WIDE_H1[@]}" >> "$STATE/ground-truth.tsv"
        printf "%s\tCOMPLETED\t0\t$R1A,$R2A,dst\n" "${WIDE_H2[@]}" >> "$STATE/trace-truth.tsv"
        printf "%s\tCOMPLETED\t0\t$R1A,$R6A,dst\n" "${WIDE_H1[@]}" >> "$STATE/trace-truth.tsv"
    fi
    echo "testbed up: scan from $SCANNER_IP via $GATEWAY_IP on $SCAN_IF in namespace $SCAN_NS;" \
         "range $SCAN_RANGE; ground truth in $STATE/ground-truth.tsv"
}

# --wide: the prefixes h2 and h1 also answer, and the routes to them (r1 to r2 or r6, on to the host).
WIDE_H2=(198.18.128.0/17)
WIDE_H1=(198.19.32.0/19 198.19.64.0/18 198.19.128.0/18)
wide_routes() {
    local p
    for p in "${WIDE_H2[@]}"; do
        ns "$R1" ip route add "$p" via 198.19.2.2
        ns "$R2" ip route add "$p" via 198.19.3.2
        ns "$H2" ip route add local "$p" dev lo
    done
    for p in "${WIDE_H1[@]}"; do
        ns "$R1" ip route add "$p" via 198.19.1.2
        ns "$R6" ip route add "$p" via 198.19.6.2
        ns "$H1" ip route add local "$p" dev lo
    done
}

down() {
    # Impairment jobs first (testbed-impair.sh): a process left inside a namespace would keep it,
    # and its links, alive after `ip netns del`; their nft tables go with the namespaces.
    "$(dirname "${BASH_SOURCE[0]}")/testbed-impair.sh" stop-all 2>/dev/null || true
    for n in "${ALL_NS[@]}" "$SCAN2_NS"; do
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
    up) shift; up "$@" ;;
    down) down ;;
    truth) echo "$STATE/ground-truth.tsv" ;;
    *) echo "usage: $0 up [--rate-limited] [--no-rps] [--wide] [--second-scanner] | down | truth" >&2; exit 2 ;;
esac
