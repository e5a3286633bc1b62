#!/usr/bin/env bash
# The local testbed: Linux network namespaces joined by veth pairs, the kernel as real hosts and
# real routers. Only 198.18.0.0/15 is used (RFC 2544 benchmarking space) and, with --ipv6,
# 2001:db8::/32 (documentation; and the fe80:: link-local addresses the kernel makes).
#
#   testbed.sh up [--rate-limited] [--no-rps] [--wide] [--second-scanner] [--ipv6]
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
# --ipv6 makes the same namespaces dual-stack and adds both families' Path MTU cases. Without it
# IPv6 stays disabled in every namespace: the IPv4 tests count every frame scan0 receives, and
# kernel IPv6 chatter would be among them. L is 2001:db8:f0; each router link 198.19.N.0/30 also
# carries L:N::/64 (the router nearer the scanner ::1, the other ::2: r1 L:1::1, r6 L:1::2):
#
#            scan0 (the scanner uses 2001:db8:ff::1; IPv6 stays disabled on scan0 itself)
#              |
#   2001:db8:ff::fe/64  r1 -------------------------------- r1: unreachables in 2001:db8:4::/48
#      |  L:1::/64               \  L:2::/64
#     r6 (drops its own          r2 ---- L:3::/64 ----------------- h2 (2001:db8:2::/48)
#      |  Packet Too Big and      |\---- L:11::/64, MTU 1280 ------- h2 (2001:db8:2:1280::/120)
#      |  Frag. Needed)           |\---- 198.19.11.0/30, MTU 1400 -- h2 (198.19.224.0/24)
#      |  L:6::/64                 \  L:7::/64                r2: unreachables in 2001:db8:5::/48
#     h1 (2001:db8:1::/48)          r3 -- r4 (silent) -- r5 -- h3 (2001:db8:3::/48)
#      |- L:12::/64, MTU 1280, to r6: 2001:db8:1:1280::/120 (a black hole above 1280 bytes)
#      |- 198.19.12.0/30, MTU 1400, to r6: 198.19.225.0/24 (a black hole above 1400 bytes)
#
# (r3-r4 L:8::/64, r4-r5 L:9::/64, r5-h3 L:10::/64.) The hosts are ordinary: h1 answers
# 2001:db8:1::1, ::2, 2001:db8:1:1::1 and 2001:db8:1:7::/120 but ::13; h2 2001:db8:2::1,
# 2001:db8:2:40::5, 2001:db8:2:64::/120 and every address of 2001:db8:2:a11a::/64 (aliased); h3
# 2001:db8:3::1, 2001:db8:3:1::1 and 2001:db8:3:2::/120; any other address of their /48s is dead
# (hosts do not forward: silence). Destination Unreachable: r1 has no route for the rest of
# 2001:db8::/32 (code 0), an unreachable route for 2001:db8:4:2::/64 (0) and a prohibit route for
# 2001:db8:4:1::/64 (1); nftables' reject (prerouting) answers 2001:db8:4:1N::/64 with code N for
# N = 0, 1, 2, 3, 5 and 6 (no-route, admin-prohibited, beyond-scope, addr-unreachable, policy-fail,
# reject-route); r2 does all that for 2001:db8:5::/48, plus code 3 the natural way for
# 2001:db8:5:dead::/120, routed onto its link to h2 where no neighbour answers (three Neighbour
# Solicitations 100 ms apart, so about 0.3 s; a trace sees r2 twice: Time Exceeded, then code 3).
# Port unreachable (4) answers no Echo. 2001:db8:6::/64 loops between r1 and r2: Time Exceeded from
# r1 for the scanner's hop limit 255 (from r2 for an even one), and from r1's 2001:db8:f0:2::1:
# Linux takes an ICMPv6 error's source address from the interface the probe came in by (IPv4: the
# way out), so each router answers from its address towards the scanner, and r1 answers the loop's
# last probe from its side towards r2 (a trace sees r1, r2, r1 by 2001:db8:f0:2::1, r2).
# Path MTU: probes larger than 1280 bytes to 2001:db8:2:1280::/120 get Packet Too Big (mtu=1280)
# from r2; to 2001:db8:1:1280::/120 they vanish (r6 drops its own Packet Too Big; smaller ones are
# answered); and in IPv4, outside the scanned range and every --wide prefix, DF probes larger than
# 1400 bytes to 198.19.224.0/24 get Fragmentation Needed (mtu 1400) from r2 (198.19.2.2) and to
# 198.19.225.0/24 vanish the same way. ICMPv6 error limits are off (net.ipv6.icmp.ratelimit=0) but
# on r6 with --rate-limited (the kernel's: 100 ms per destination on 6.18).
# $STATE gets ground-truth6.tsv and trace-truth6.tsv (as the IPv4 files; the aliased /64's line has
# a fifth column, 'aliased'), pmtu-truth.tsv (both families: prefix, family, path MTU, what a larger
# probe gets: ptb or fragneeded with the mtu and sender, or blackhole), and hitlist6.txt, the
# addresses to scan, one a line as public IPv6 hitlists are (every single answering address, some
# of each /120 and of the aliased /64, dead ones, some of every unreachable prefix, the loop and
# the MTU prefixes). The env file adds ICS_IPV6=1, ICS_SCANNER_IP6, ICS_GATEWAY_IP6, ICS_HITLIST6,
# ICS_GROUND_TRUTH6, ICS_TRACE_TRUTH6, ICS_PMTU_TRUTH and ICS_PMTU4_PREFIXES (without --ipv6 it is
# as it was). scan1 (--second-scanner) stays IPv4-only.
# r1 sends nothing on the scanner's link unprompted: no DAD (nodad, accept_dad=0), no router
# solicitations (a router; router_solicitations=0, accept_ra=0), and its MLD reports, which no
# sysctl stops (8 MLDv2 reports to ff02::16 during `up`), dropped by nftables in r1 (table
# ics_quiet, with a counter). Measured on kernel 6.18: a capture on scan0 in the 5 s after
# `up --ipv6` saw no frame, and r1-scan had sent none since it was made (testbed6_truth.sh checks
# that counter). r1 finds the scanner by ordinary Neighbour Solicitation (from its fe80:: address
# for forwarded replies, from 2001:db8:ff::fe for its own), which the scanner answers, as ARP.
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
    RATE_LIMITED=0 RPS=1 WIDE=0 SECOND=0 IPV6=0
    local opt
    for opt in "$@"; do
        case $opt in
            --rate-limited) RATE_LIMITED=1 ;;
            --no-rps) RPS=0 ;;
            --wide) WIDE=1 ;;
            --second-scanner) SECOND=1 ;;
            --ipv6) IPV6=1 ;;
            *) echo "testbed.sh: unknown option '$opt': use --rate-limited, --no-rps, --wide, --second-scanner or --ipv6" >&2
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
    if (( IPV6 )); then ipv6_up; fi
    echo "testbed up: scan from $SCANNER_IP via $GATEWAY_IP on $SCAN_IF in namespace $SCAN_NS;" \
         "range $SCAN_RANGE; ground truth in $STATE/ground-truth.tsv"
    if (( IPV6 )); then
        echo "  IPv6: scan from $SCANNER_IP6 via $GATEWAY_IP6; targets in $STATE/hitlist6.txt;" \
             "ground truth in $STATE/ground-truth6.tsv; Path MTU in $STATE/pmtu-truth.tsv"
    fi
}

# --ipv6: what the header describes. Every interface is made with IPv6 disabled, as without
# --ipv6; this enables it interface by interface, after DAD, router solicitations and (on r1-scan)
# MLD reports are switched off, so nothing reaches scan0 unprompted. scan0 and scan1 stay IPv4-only.
SCANNER_IP6=2001:db8:ff::1
GATEWAY_IP6=2001:db8:ff::fe
L6=2001:db8:f0  # router links: $L6:N::/64 for the IPv4 link 198.19.N.0/30; upper router ::1, lower ::2
PMTU6_PTB=2001:db8:2:1280::/120 PMTU6_HOLE=2001:db8:1:1280::/120  # behind MTU 1280 links
PMTU4_FRAG=198.19.224.0/24 PMTU4_HOLE=198.19.225.0/24           # behind MTU 1400 links
# The hosts' single addresses and /120s, and the aliased /64.
H1_ADDRS=(2001:db8:1::1 2001:db8:1::2 2001:db8:1:1::1)
H1_NETS=(2001:db8:1:7::/120)
H2_ADDRS=(2001:db8:2::1 2001:db8:2:40::5)
H2_NETS=(2001:db8:2:64::/120)
H3_ADDRS=(2001:db8:3::1 2001:db8:3:1::1)
H3_NETS=(2001:db8:3:2::/120)
ALIASED6=2001:db8:2:a11a::/64

v6_on() {  # namespace, interface...: IPv6 on, with no DAD, no router solicitations, no RA
    local n=$1 dev
    shift
    for dev in "$@"; do
        if [[ $dev != lo ]]; then
            sysctl_in "$n" "net.ipv6.conf.$dev.accept_dad=0" "net.ipv6.conf.$dev.dad_transmits=0" \
                "net.ipv6.conf.$dev.router_solicitations=0" "net.ipv6.conf.$dev.accept_ra=0"
        fi
        sysctl_in "$n" "net.ipv6.conf.$dev.disable_ipv6=0"
    done
}

addr6() { ns "$1" ip -6 addr add "$2" dev "$3" nodad; }  # namespace, address/length, interface

ipv6_up() {
    local n i pfx who pair dev
    # r1 says nothing on the scanner's link unprompted: no sysctl stops MLD reports (sent for the
    # solicited-node and all-routers groups when IPv6 comes up, and again for each new address), so
    # nftables drops them there before IPv6 is enabled. Neighbour Solicitations still go out.
    ns "$R1" nft -f - <<'NFT'
table ip6 ics_quiet {
    chain out { type filter hook output priority 0; policy accept;
        oifname "r1-scan" icmpv6 type { mld-listener-report, mld-listener-done, mld2-listener-report } \
            counter drop
    }
}
NFT
    # Destination Unreachable from nftables, before routing (prerouting): one /64 for each code.
    for who in "$R1 2001:db8:4" "$R2 2001:db8:5"; do
        read -r n pfx <<< "$who"
        ns "$n" nft -f - <<NFT
table ip6 ics_reject {
    chain pre { type filter hook prerouting priority 0; policy accept;
        ip6 daddr $pfx:10::/64 reject with icmpv6 type no-route
        ip6 daddr $pfx:11::/64 reject with icmpv6 type admin-prohibited
        ip6 daddr $pfx:12::/64 reject with icmpv6 type 2
        ip6 daddr $pfx:13::/64 reject with icmpv6 type addr-unreachable
        ip6 daddr $pfx:15::/64 reject with icmpv6 type policy-fail
        ip6 daddr $pfx:16::/64 reject with icmpv6 type reject-route
    }
}
NFT
    done
    # r4 is silent in IPv6 too; r6 drops its own Packet Too Big and Fragmentation Needed: the black
    # holes (it sends neither for anything else: only its links to h1 below have a small MTU).
    ns "$R4" nft -f - <<'NFT'
table ip6 silent6 {
    chain out { type filter hook output priority 0; policy accept; icmpv6 type time-exceeded drop; }
}
NFT
    ns "$R6" nft -f - <<'NFT'
table inet pmtu_hole {
    chain out { type filter hook output priority 0; policy accept;
        icmpv6 type packet-too-big drop
        icmp type destination-unreachable icmp code frag-needed drop
    }
}
NFT

    # The small-MTU links, beside r2's and r6's links to h2 and h1: 1280 for IPv6, 1400 for IPv4.
    link "$R2" r2-mtu1280 "$H2" h2-mtu1280
    link "$R2" r2-mtu1400 "$H2" h2-mtu1400
    link "$R6" r6-mtu1280 "$H1" h1-mtu1280
    link "$R6" r6-mtu1400 "$H1" h1-mtu1400
    for pair in "$R2 r2-mtu1280" "$H2 h2-mtu1280" "$R6 r6-mtu1280" "$H1 h1-mtu1280"; do
        read -r n dev <<< "$pair"
        ns "$n" ip link set "$dev" mtu 1280
        ns "$n" ip link set "${dev%1280}1400" mtu 1400
        ns "$n" sh -c "for q in /sys/class/net/$dev/queues/rx-* /sys/class/net/${dev%1280}1400/queues/rx-*; do
            echo $mask > \$q/rps_cpus; done" 2>/dev/null || true
    done
    for n in "$H1" "$H2"; do  # replies to the MTU 1400 links' prefixes leave by the other link
        sysctl_in "$n" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
            "net.ipv4.conf.${n#ics-}-mtu1400.rp_filter=0"
    done

    for n in "$R1" "$R2" "$R3" "$R4" "$R5" "$R6"; do
        sysctl_in "$n" net.ipv6.conf.all.forwarding=1 net.ipv6.conf.all.accept_dad=0
        if [[ $RATE_LIMITED == 0 || $n != "$R6" ]]; then sysctl_in "$n" net.ipv6.icmp.ratelimit=0; fi
    done
    for n in "$H1" "$H2" "$H3"; do sysctl_in "$n" net.ipv6.conf.all.accept_dad=0; done
    v6_on "$R1" lo r1-r6 r1-r2 r1-scan
    v6_on "$R2" lo r2-r1 r2-h2 r2-r3 r2-mtu1280
    v6_on "$R3" lo r3-r2 r3-r4
    v6_on "$R4" lo r4-r3 r4-r5
    v6_on "$R5" lo r5-r4 r5-h3
    v6_on "$R6" lo r6-r1 r6-h1 r6-mtu1280
    v6_on "$H1" lo h1-r6 h1-mtu1280
    v6_on "$H2" lo h2-r2 h2-mtu1280
    v6_on "$H3" lo h3-r5

    # r1: the gateway. No route for the rest of 2001:db8::/32: Destination Unreachable code 0.
    addr6 "$R1" "$GATEWAY_IP6/64" r1-scan
    addr6 "$R1" "$L6:1::1/64" r1-r6
    addr6 "$R1" "$L6:2::1/64" r1-r2
    ns "$R1" ip -6 route add 2001:db8:1::/48 via "$L6:1::2"
    for pfx in 2001:db8:2::/48 2001:db8:3::/48 2001:db8:5::/48 2001:db8:6::/64; do
        ns "$R1" ip -6 route add "$pfx" via "$L6:2::2"
    done
    ns "$R1" ip -6 route add prohibit 2001:db8:4:1::/64
    ns "$R1" ip -6 route add unreachable 2001:db8:4:2::/64
    ns "$R1" ip route add "$PMTU4_FRAG" via 198.19.2.2
    ns "$R1" ip route add "$PMTU4_HOLE" via 198.19.1.2

    # r2: back to the scanner by r1 (2001:db8:6::/64 too: a loop), no route for the rest of
    # 2001:db8:5::/48 (code 0), and 2001:db8:5:dead::/120 on its link to h2, where no neighbour
    # answers: Address Unreachable (code 3) after three Neighbour Solicitations 100 ms apart.
    addr6 "$R2" "$L6:2::2/64" r2-r1
    addr6 "$R2" "$L6:3::1/64" r2-h2
    addr6 "$R2" "$L6:7::1/64" r2-r3
    addr6 "$R2" "$L6:11::1/64" r2-mtu1280
    ns "$R2" ip -6 route add 2001:db8:ff::/64 via "$L6:2::1"
    ns "$R2" ip -6 route add 2001:db8:6::/64 via "$L6:2::1"
    ns "$R2" ip -6 route add 2001:db8:2::/48 via "$L6:3::2"
    ns "$R2" ip -6 route add "$PMTU6_PTB" via "$L6:11::2"
    ns "$R2" ip -6 route add 2001:db8:3::/48 via "$L6:7::2"
    ns "$R2" ip -6 route add prohibit 2001:db8:5:1::/64
    ns "$R2" ip -6 route add unreachable 2001:db8:5:2::/64
    ns "$R2" ip -6 route add 2001:db8:5:dead::/120 dev r2-h2
    sysctl_in "$R2" net.ipv6.neigh.r2-h2.retrans_time_ms=100
    ns "$R2" ip addr add 198.19.11.1/30 dev r2-mtu1400
    ns "$R2" ip route add "$PMTU4_FRAG" via 198.19.11.2

    # r3, r4, r5: the long way to h3.
    for i in 3 4 5; do
        local up="r$i-r$((i - 1))" down="r$i-r$((i + 1))"
        [[ $i == 3 ]] && up=r3-r2
        [[ $i == 5 ]] && down=r5-h3
        addr6 "ics-r$i" "$L6:$((i + 4))::2/64" "$up"
        addr6 "ics-r$i" "$L6:$((i + 5))::1/64" "$down"
        ns "ics-r$i" ip -6 route add default via "$L6:$((i + 4))::1"
        ns "ics-r$i" ip -6 route add 2001:db8:3::/48 via "$L6:$((i + 5))::2"
    done

    # r6: h1's router, and the black holes' (its nft table above).
    addr6 "$R6" "$L6:1::2/64" r6-r1
    addr6 "$R6" "$L6:6::1/64" r6-h1
    addr6 "$R6" "$L6:12::1/64" r6-mtu1280
    ns "$R6" ip -6 route add default via "$L6:1::1"
    ns "$R6" ip -6 route add 2001:db8:1::/48 via "$L6:6::2"
    ns "$R6" ip -6 route add "$PMTU6_HOLE" via "$L6:12::2"
    ns "$R6" ip addr add 198.19.12.1/30 dev r6-mtu1400
    ns "$R6" ip route add "$PMTU4_HOLE" via 198.19.12.2

    # The hosts: single addresses (/128 on lo) and small local routes (/120), nothing else; any
    # other address of a host's /48 gets no answer (hosts do not forward). h2 also answers all of
    # 2001:db8:2:a11a::/64 (aliased); h1 and h2 answer the Path MTU prefixes behind the small links.
    local h addrs nets
    for h in 1 2 3; do
        n=ics-h$h
        case $h in
            1) dev=h1-r6 pfx=$L6:6 addrs=("${H1_ADDRS[@]}") nets=("${H1_NETS[@]}" "$PMTU6_HOLE") ;;
            2) dev=h2-r2 pfx=$L6:3 addrs=("${H2_ADDRS[@]}") nets=("${H2_NETS[@]}" "$PMTU6_PTB" "$ALIASED6") ;;
            3) dev=h3-r5 pfx=$L6:10 addrs=("${H3_ADDRS[@]}") nets=("${H3_NETS[@]}") ;;
        esac
        addr6 "$n" "$pfx::2/64" "$dev"
        ns "$n" ip -6 route add default via "$pfx::1"
        for i in "${addrs[@]}"; do ns "$n" ip -6 addr add "$i/128" dev lo; done
        for i in "${nets[@]}"; do ns "$n" ip -6 route add local "$i" dev lo; done
    done
    ns "$H1" ip -6 route add blackhole 2001:db8:1:7::13/128 table local
    addr6 "$H1" "$L6:12::2/64" h1-mtu1280
    addr6 "$H2" "$L6:11::2/64" h2-mtu1280
    ns "$H1" ip addr add 198.19.12.2/30 dev h1-mtu1400
    ns "$H1" ip route add local "$PMTU4_HOLE" dev lo
    ns "$H2" ip addr add 198.19.11.2/30 dev h2-mtu1400
    ns "$H2" ip route add local "$PMTU4_FRAG" dev lo

    ipv6_truth
}

ipv6_truth() {
    # Each router answers from its address on the link the probe came in by (Linux picks an ICMPv6
    # error's source by the input interface): r1 from $GATEWAY_IP6, or from $L6:2::1 (R1B)
    # for probes that came back from r2 in the loop.
    local R1A=$GATEWAY_IP6 R1B=$L6:2::1 R2A=$L6:2::2 R3A=$L6:7::2 R5A=$L6:9::2 R6A=$L6:1::2 who pfx n code
    {
        printf '# prefix\texpect\tcode\tsender\t[aliased]\t(longest prefix wins; probes with hop limit\n'
        printf '#   255, as the scanner sends: an even one meets the loop at r2; link addresses\n'
        printf '#   (2001:db8:ff::/64, 2001:db8:f0::/48) are not described; 2001:db8:5:dead::/120\n'
        printf '#   answers after about 0.3 s)\n'
        printf '2001:db8::/32\tunreach\t0\t%s\n' "$R1A"
        printf '2001:db8:1::/48\tnone\t-\t-\n'
        printf '%s/128\techoreply\t0\t-\n' "${H1_ADDRS[@]}"
        printf '%s\techoreply\t0\t-\n' "${H1_NETS[@]}"
        printf '2001:db8:1:7::13/128\tnone\t-\t-\n'
        printf '%s\techoreply\t0\t-\n' "$PMTU6_HOLE"
        printf '2001:db8:2::/48\tnone\t-\t-\n'
        printf '%s/128\techoreply\t0\t-\n' "${H2_ADDRS[@]}"
        printf '%s\techoreply\t0\t-\n' "${H2_NETS[@]}" "$PMTU6_PTB"
        printf '%s\techoreply\t0\t-\taliased\n' "$ALIASED6"
        printf '2001:db8:3::/48\tnone\t-\t-\n'
        printf '%s/128\techoreply\t0\t-\n' "${H3_ADDRS[@]}"
        printf '%s\techoreply\t0\t-\n' "${H3_NETS[@]}"
        for who in "$R1A 2001:db8:4" "$R2A 2001:db8:5"; do
            read -r n pfx <<< "$who"
            [[ $pfx == 2001:db8:5 ]] && printf '%s::/48\tunreach\t0\t%s\n' "$pfx" "$n"  # r2: no route
            printf '%s:1::/64\tunreach\t1\t%s\n%s:2::/64\tunreach\t0\t%s\n' "$pfx" "$n" "$pfx" "$n"
            # nftables' reject: code N for PREFIX:1N::/64
            for code in 0 1 2 3 5 6; do
                printf '%s:1%s::/64\tunreach\t%s\t%s\n' "$pfx" "$code" "$code" "$n"
            done
        done
        printf '2001:db8:5:dead::/120\tunreach\t3\t%s\n' "$R2A"
        printf '2001:db8:6::/64\ttimxceed\t0\t%s\n' "$R1B"
    } > "$STATE/ground-truth6.tsv"
    # The path to each of those prefixes, as trace-truth.tsv: the same lines in the same order.
    python3 - "$STATE/ground-truth6.tsv" "$R1A" "$R1B" "$R2A" "$R3A" "$R5A" "$R6A" \
        > "$STATE/trace-truth6.tsv" <<'PY'
import ipaddress, sys
truth, r1, r1b, r2, r3, r5, r6 = sys.argv[1:]
print("# prefix\tstop_reason\tstop_data\thops\t(longest prefix wins; GAPLIMIT paths end after 5 silent hop "
      "limits; to 2001:db8:5:dead::/120 r2 is hop 2, Time Exceeded, and hop 3, Address Unreachable)")
way = {1: [r1, r6], 2: [r1, r2], 3: [r1, r2, r3, "*", r5]}  # to h1, h2, h3 by the /48's number
for line in open(truth):
    if line.startswith("#"):
        continue
    prefix, expect, code = line.split("\t")[:3]
    net = ipaddress.ip_network(prefix)
    site = net.network_address.packed[5] if net.prefixlen >= 48 else 0
    path = way.get(site, [r1, r2])
    if expect == "echoreply":
        reason, data, hops = "COMPLETED", 0, path + ["dst"]
    elif expect == "none":
        reason, data, hops = "GAPLIMIT", 0, path
    elif expect == "timxceed":
        reason, data, hops = "LOOP", 0, [r1, r2, r1b, r2]
    elif prefix == "2001:db8:5:dead::/120":
        reason, data, hops = "UNREACH", 3, [r1, r2, r2]
    else:
        reason, data, hops = "UNREACH", int(code), [r1] if site in (0, 4) else [r1, r2]
    print(f"{prefix}\t{reason}\t{data}\t{','.join(hops)}")
PY
    cat > "$STATE/pmtu-truth.tsv" <<TRUTH
# prefix	family	path_mtu	above	mtu	sender	(probes of path_mtu bytes or fewer with DF are answered;
#   a larger one gets what 'above' says: ptb (Packet Too Big), fragneeded (type 3 code 4) or blackhole)
$PMTU6_PTB	6	1280	ptb	1280	$R2A
$PMTU6_HOLE	6	1280	blackhole	-	-
$PMTU4_FRAG	4	1400	fragneeded	1400	198.19.2.2
$PMTU4_HOLE	4	1400	blackhole	-	-
TRUTH
    # Targets, one address a line: every single answering address, some of each /120 and of the
    # aliased /64, dead ones, and some of every unreachable prefix, the loop and the MTU prefixes.
    {
        printf '%s\n' "${H1_ADDRS[@]}" "${H2_ADDRS[@]}" "${H3_ADDRS[@]}"
        printf '%s\n' 2001:db8:1:7::1 2001:db8:1:7::ff 2001:db8:2:64::1 2001:db8:2:64::80 \
            2001:db8:3:2::1 2001:db8:3:2::fe
        printf '%s\n' 2001:db8:2:a11a::1 2001:db8:2:a11a::dead:beef 2001:db8:2:a11a:1234:5678:9abc:def0
        printf '%s\n' 2001:db8:1::3 2001:db8:1:1::2 2001:db8:1:7::13 2001:db8:1:7::100 2001:db8:2::2 \
            2001:db8:2:40::6 2001:db8:2:64::100 2001:db8:3::2 2001:db8:3:2::200
        printf '%s\n' 2001:db8:4:1::1 2001:db8:4:2::1 2001:db8:4:10::1 2001:db8:4:11::1 2001:db8:4:12::1 \
            2001:db8:4:13::1 2001:db8:4:15::1 2001:db8:4:16::1 2001:db8:4::1 2001:db8:7::1
        printf '%s\n' 2001:db8:5::1 2001:db8:5:1::1 2001:db8:5:2::1 2001:db8:5:10::1 2001:db8:5:11::1 \
            2001:db8:5:12::1 2001:db8:5:13::1 2001:db8:5:15::1 2001:db8:5:16::1 2001:db8:5:dead::1
        printf '%s\n' 2001:db8:6::1 2001:db8:2:1280::1 2001:db8:2:1280::2 2001:db8:1:1280::1 \
            2001:db8:1:1280::2
    } > "$STATE/hitlist6.txt"
    cat >> "$STATE/env" <<ENV
ICS_IPV6=1
ICS_SCANNER_IP6=$SCANNER_IP6
ICS_GATEWAY_IP6=$GATEWAY_IP6
ICS_HITLIST6=$STATE/hitlist6.txt
ICS_GROUND_TRUTH6=$STATE/ground-truth6.tsv
ICS_TRACE_TRUTH6=$STATE/trace-truth6.tsv
ICS_PMTU_TRUTH=$STATE/pmtu-truth.tsv
ICS_PMTU4_PREFIXES="$PMTU4_FRAG $PMTU4_HOLE"
ENV
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
    *) echo "usage: $0 up [--rate-limited] [--no-rps] [--wide] [--second-scanner] [--ipv6] | down | truth" >&2; exit 2 ;;
esac
