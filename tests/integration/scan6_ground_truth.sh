#!/usr/bin/env bash
# An IPv6 scan (-6) of the testbed's hitlist finds its IPv6 ground truth exactly: every answering
# address once (the aliased /64's too), every Destination Unreachable with its code (0, 1, 2, 3, 5
# and 6) and sender, the routing loop's Time Exceeded, and nothing from the dead addresses. The
# scanner resolves the gateway by Neighbour Solicitation, and, when given the gateway's MAC (-G),
# answers the gateway's solicitations for its own address. Every frame received is counted under
# one reason, and every RTT is checked (check_rtt.py).
source "$(dirname "$0")/lib.sh"
testbed_up --ipv6
FIELDS=saddr,outersaddr,probe_daddr,type,code,classification,rtt_us,rtt_err_us,repeat
scan6 -r 1000 -c 2 -q --output-filter "repeat = 0" -f "$FIELDS" -I "$ICS_HITLIST6" \
    -o "$WORK/results.csv" -m "$WORK/meta.json"
python3 "$SRC/tests/integration/check_scan.py" "$WORK/results.csv" "$ICS_GROUND_TRUTH6" "@$ICS_HITLIST6"
python3 "$SRC/tests/integration/check_rtt.py" "$WORK/meta.json" --rows "$WORK/results.csv"

# The gateway's MAC given: nothing is solicited, and the gateway's own solicitations for our
# address are answered (its replies to the probes come back only then).
gw_mac=$(ip netns exec "$ICS_GATEWAY_NS" cat "/sys/class/net/$ICS_GATEWAY_IF/address")
ip netns exec "$ICS_GATEWAY_NS" ip -6 neigh flush dev "$ICS_GATEWAY_IF"
scan6 -G "$gw_mac" -r 1000 -c 2 -q --output-filter "repeat = 0" -f "$FIELDS" -I "$ICS_HITLIST6" \
    -o "$WORK/results-g.csv" -m "$WORK/meta-g.json"
python3 "$SRC/tests/integration/check_scan.py" "$WORK/results-g.csv" "$ICS_GROUND_TRUTH6" "@$ICS_HITLIST6"

python3 - "$WORK/meta.json" "$WORK/meta-g.json" "$ICS_HITLIST6" <<'PY'
import json, sys

def require(ok, message):
    if not ok:
        raise SystemExit(f"FAIL: scan6_ground_truth: {message}")

hitlist = [l for l in open(sys.argv[3]) if l.strip() and not l.startswith("#")]
# Every reason a frame can be counted under instead of becoming a record (rx_loop.hpp).
NOT_RESULTS = ["rx_arp", "rx_nd", "rx_not_ipv6", "rx_truncated", "rx_bad_ip_header", "rx_fragment",
               "rx_not_icmp", "rx_icmp_ignored", "rx_not_our_address", "rx_quote_invalid",
               "rx_cookie_invalid", "rx_ring_full"]
for path, resolved in ((sys.argv[1], True), (sys.argv[2], False)):
    m = json.load(open(path))
    c = m["counters"]
    require(m["ip_family"] == "ipv6" and m["probe_module"] == "icmp6_echo",
            f"{path}: ip_family {m['ip_family']}, probe_module {m['probe_module']}")
    require(m["targets_allowed"] == len(set(hitlist)) and m["packets_sent"] == len(set(hitlist)),
            f"{path}: {m['targets_allowed']} targets, {m['packets_sent']} sent, expected {len(set(hitlist))}")
    require(m["completed"], f"{path}: not completed ({m['stop_reason']})")
    counted = c["rx_valid"] + sum(c[k] for k in NOT_RESULTS)
    require(c["rx_frames"] == counted, f"{path}: rx_frames {c['rx_frames']} != the reasons' sum {counted}")
    nd = sum(c[k] for k in c if k.startswith("nd_") and k != "nd_gateway_claims")  # claims: also a reason
    require(c["rx_nd"] == nd + c["rx_nd_ring_full"], f"{path}: rx_nd {c['rx_nd']} != nd_* {nd}")
    require(c["rx_cookie_invalid"] == 0 and c["rx_quote_invalid"] == 0 and c["rx_not_our_address"] == 0,
            f"{path}: invalid replies {c}")
    if resolved:
        require(c["nd_gateway"] == 1 and m["gateway_ip"] == "2001:db8:ff::fe",
                f"{path}: nd_gateway {c['nd_gateway']}, gateway_ip {m['gateway_ip']}")
    else:
        require(c["nd_gateway"] == 0 and c["nd_answered"] >= 1,
                f"{path}: with -G: nd_gateway {c['nd_gateway']}, nd_answered {c['nd_answered']}")
    by_type = m["unique_replies_by_type_code"]
    require(by_type.get("echoreply/0") == 20 and by_type.get("timxceed/0") == 1 and by_type.get("unreach/3") == 3,
            f"{path}: first replies by type {by_type}")
    print(f"  {path.rsplit('/', 1)[-1]}: {c['rx_frames']} frames, {c['rx_valid']} valid, "
          f"nd_gateway {c['nd_gateway']}, nd_answered {c['nd_answered']}, first replies {by_type}")
PY
echo "PASS"
