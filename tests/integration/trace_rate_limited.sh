#!/usr/bin/env bash
# Against a router that keeps the kernel's ICMP limits (r6, in front of h1: 1 Time Exceeded a second
# to each destination after a burst of 6), the randomized (target, TTL) order gets more hop replies
# out of it than probing TTL by TTL at the same rate: its probes to r6 are spread over the whole run
# instead of one TTL's slice of it. Both numbers are printed.
source "$(dirname "$0")/lib.sh"
testbed_up --rate-limited
RANGE=198.18.0.0/20  # 4096 targets behind r6; r6 is hop 2
declare -A answered
for order in random ttl; do
    scan -M trace --trace-order "$order" --max-ttl 6 -r 2000 -c 1 -q -o "$WORK/$order.jsonl" \
        -m "$WORK/$order-meta.json" "$RANGE" 2>/dev/null
    answered[$order]=$(python3 - "$WORK/$order.jsonl" "$ICS_LIMITED_ROUTER_IP" <<'PY'
import json, sys
print(sum(1 for line in open(sys.argv[1]) for h in json.loads(line)["hops"]
          if h["probe_ttl"] == 2 and h["addr"] == sys.argv[2]))
PY
)
    [[ $order == random ]] && sleep 7  # let r6's token bucket fill up again (1 a second, up to 6)
done
r=${answered[random]} t=${answered[ttl]}
echo "  r6 answered $r of 4096 TTL-2 probes in random order, $t TTL by TTL (same rate, 2000 pps, 24576 probes)"
echo "  hop replies lost: random $((4096 - r)), TTL by TTL $((4096 - t))"
(( r < 4096 && t < 4096 )) || fail "r6 is not rate-limiting"
(( r >= t + 4 )) || fail "the randomized order did not lose fewer hop replies ($r against $t)"
echo "PASS"
