#!/usr/bin/env bash
# Bad input gets one clear sentence naming the input (and exit status 2), never a crash.
set -uo pipefail
BIN=${ICS_BIN:?}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "198.18.0.0/24" > "$WORK/targets.txt"
printf '198.18.0.0/24\n198.18.300.0/24\n' > "$WORK/bad-targets.txt"
fails=0
# Every case names a device that exists (lo) so the check under test is the one that fires.
base=(-i lo -S 198.19.255.1 --gateway-ip 198.19.255.254 -b /dev/null --no-huge)
check() {  # expected-substring, args...
    local want=$1; shift
    out=$("$BIN" "$@" 2>&1 >/dev/null); rc=$?
    if [[ $rc != 2 || $out != *"$want"* || $(wc -l <<< "$out") -gt 2 ]]; then
        echo "FAIL: '$*' gave status $rc and: $out"; fails=$((fails + 1))
    else
        echo "ok   $want"
    fi
}
check "'198.18.0.1/16' has host bits set" "${base[@]}" 198.18.0.1/16
check "'198.18.0.300' is not an IPv4 address" "${base[@]}" 198.18.0.300
check "'198.18.0.9-198.18.0.1' is an empty range" "${base[@]}" 198.18.0.9-198.18.0.1
check "cannot read allowlist file '/nonexistent'" "${base[@]}" -w /nonexistent
check "line 2" "${base[@]}" -w "$WORK/bad-targets.txt"
check "cannot read blocklist file '/nonexistent'" -i lo -S 198.19.255.1 --gateway-ip 198.19.255.254 -b /nonexistent 198.18.0.0/24
check "-r/--rate '-5' is not valid" "${base[@]}" -r -5 198.18.0.0/24
check "-r/--rate 'fast' is not valid" "${base[@]}" -r fast 198.18.0.0/24
check "a rate of 1 pps cannot be split over 2 sender lcores" "${base[@]}" -r 1 --tx-cores 2 198.18.0.0/24
check "--shard 3 is out of range" "${base[@]}" --shards 2 --shard 3 198.18.0.0/24
check "unknown output field 'nosuch'" "${base[@]}" -f saddr,nosuch 198.18.0.0/24
check "unknown field 'nosuch'" "${base[@]}" --output-filter "nosuch = 1" 198.18.0.0/24
check "interface 'nosuch0' does not exist" -i nosuch0 -S 198.19.255.1 --gateway-ip 198.19.255.254 198.18.0.0/24
check "all 256 targets are blocklisted" -i lo -S 198.19.255.1 --gateway-ip 198.19.255.254 198.18.0.0/24
check "no targets" "${base[@]}"
check "no source address" -i lo --gateway-ip 198.19.255.254 -b /dev/null 198.18.0.0/24
check "no gateway" -i lo -S 198.19.255.1 -b /dev/null 198.18.0.0/24
check "-S/--source-ip: '198.19.255.x'" -i lo -S 198.19.255.x --gateway-ip 198.19.255.254 198.18.0.0/24
check "-G/--gateway-mac 'zz'" "${base[@]}" -G zz 198.18.0.0/24
check "-O/--output-module 'xml'" "${base[@]}" -O xml 198.18.0.0/24
check "--af-xdp needs the kernel interface" --vdev net_null0 --af-xdp -S 198.19.255.1 -G 02:00:00:00:00:01 198.18.0.0/24
check "interface 'lo' has 1 queue pair(s) but --tx-cores 2 needs" "${base[@]}" --af-xdp --tx-cores 2 198.18.0.0/24
check "none is left to resolve the gateway" "${base[@]}" --af-xdp 198.18.0.0/24
check "cannot write the output file '/nonexistent/out.csv'" "${base[@]}" -o /nonexistent/out.csv 198.18.0.0/24
check "-n/--max-targets '0'" "${base[@]}" -n 0 198.18.0.0/24
check "-M/--mode 'monitor' is not available" "${base[@]}" -M monitor 198.18.0.0/24
check "--min-ttl 1 and --max-ttl 64 must satisfy" "${base[@]}" -M trace --max-ttl 64 198.18.0.0/24
check "--min-ttl 9 and --max-ttl 8 must satisfy" "${base[@]}" -M trace --min-ttl 9 --max-ttl 8 198.18.0.0/24
check "--trace-order 'up' is not known" "${base[@]}" -M trace --trace-order up 198.18.0.0/24
check "--preprobe sets its own order" "${base[@]}" -M trace --preprobe --trace-order ttl 198.18.0.0/24
check "-M trace writes paths as JSON lines" "${base[@]}" -M trace -O csv 198.18.0.0/24
check "--replies-format 'xml' is not known" "${base[@]}" -M trace --replies-format xml 198.18.0.0/24
check "--probe-ttl does not apply to -M trace" "${base[@]}" -M trace --probe-ttl 5 198.18.0.0/24
check "-n/--max-targets does not apply to -M trace" "${base[@]}" -M trace -n 10 198.18.0.0/24
check "--replies-file is for -M trace" "${base[@]}" --replies-file "$WORK/r.csv" 198.18.0.0/24
check "-N/--max-results counts reply rows" "${base[@]}" -M trace -N 5 198.18.0.0/24
check "--gap-limit must be between 1 and 255" "${base[@]}" -M trace --gap-limit 0 198.18.0.0/24
check "cannot write the replies file '/nonexistent/r.csv'" "${base[@]}" -M trace --replies-file /nonexistent/r.csv 198.18.0.0/24
check "--no-flag" "${base[@]}" --no-flag 198.18.0.0/24
# With neither hugepages nor --no-huge the scan must say how to get them (only checkable where none
# are reserved).
if [[ $(awk '/HugePages_Free/ {print $2}' /proc/meminfo) == 0 ]]; then
    check "no free hugepages" -i lo -S 198.19.255.1 --gateway-ip 198.19.255.254 -b /dev/null 198.18.0.0/24
fi
"$BIN" --list-output-fields | grep -q '^rtt_us' || { echo "FAIL: --list-output-fields"; fails=$((fails + 1)); }
"$BIN" --list-output-fields | grep -q '^mpls_labels' || { echo "FAIL: --list-output-fields (trace)"; fails=$((fails + 1)); }
echo "$fails failures"
[[ $fails == 0 ]]
