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
check "cannot write the output file '/nonexistent/out.csv'" "${base[@]}" -o /nonexistent/out.csv 198.18.0.0/24
check "-n/--max-targets '0'" "${base[@]}" -n 0 198.18.0.0/24
check "mode 'trace' is not available yet" "${base[@]}" -M trace 198.18.0.0/24
check "--no-flag" "${base[@]}" --no-flag 198.18.0.0/24
# With neither hugepages nor --no-huge the scan must say how to get them (only checkable where none
# are reserved).
if [[ $(awk '/HugePages_Free/ {print $2}' /proc/meminfo) == 0 ]]; then
    check "no free hugepages" -i lo -S 198.19.255.1 --gateway-ip 198.19.255.254 -b /dev/null 198.18.0.0/24
fi
"$BIN" --list-output-fields | grep -q '^rtt_us' || { echo "FAIL: --list-output-fields"; fails=$((fails + 1)); }
echo "$fails failures"
[[ $fails == 0 ]]
