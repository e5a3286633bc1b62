#!/usr/bin/env bash
# Bad input gets one clear sentence naming the input (and exit status 2), never a crash.
#
# It all runs in a network and mount namespace of its own (unshare: the kernel removes both when
# the script exits, however it exits), on a veth whose peer is down: a check that regressed and let
# a scan start sends its probes nowhere, never onto a real link or the host's loopback. Root makes
# them directly; any other user through a user namespace (then the cases that need the real root,
# a device node and another owner, say they are skipped). The private mount namespace also lets
# the hugepage cases show the binary a /proc/meminfo without free hugepages and no hugetlbfs mount,
# whatever the machine has reserved.
set -uo pipefail
BIN=${ICS_BIN:?}
if [[ -z ${ICS_BAD_INPUT_ISOLATED:-} ]]; then
    if [[ $(id -u) == 0 ]]; then
        exec env ICS_BAD_INPUT_ISOLATED=root unshare --net --mount --propagation private bash "$0" "$@"
    fi
    exec env ICS_BAD_INPUT_ISOLATED=user unshare --user --map-root-user --net --mount --propagation private \
        bash "$0" "$@"
fi
REAL_ROOT=0; [[ $ICS_BAD_INPUT_ISOLATED == root ]] && REAL_ROOT=1
# /sys as this network namespace sees it (the check that the interface exists reads it), and the
# interface that leads nowhere.
mount -t sysfs sysfs /sys || { echo "FAIL: cannot mount sysfs in the test's namespace"; exit 1; }
IF=nowhere0
ip link add "$IF" type veth peer name nowhere1 && ip link set "$IF" up \
    || { echo "FAIL: cannot create the veth that leads nowhere"; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "198.18.0.0/24" > "$WORK/targets.txt"
printf '198.18.0.0/24\n198.18.300.0/24\n' > "$WORK/bad-targets.txt"
fails=0
# Every case names a device that exists ($IF) so the check under test is the one that fires.
base=(-i "$IF" -S 198.19.255.1 --gateway-ip 198.19.255.254 -b /dev/null --no-huge)
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
check "cannot read blocklist file '/nonexistent'" -i "$IF" -S 198.19.255.1 --gateway-ip 198.19.255.254 -b /nonexistent 198.18.0.0/24
check "-r/--rate '-5' is not valid" "${base[@]}" -r -5 198.18.0.0/24
check "-r/--rate 'fast' is not valid" "${base[@]}" -r fast 198.18.0.0/24
check "a rate of 1 pps cannot be split over 2 sender lcores" "${base[@]}" -r 1 --tx-cores 2 198.18.0.0/24
check "--shard 3 is out of range" "${base[@]}" --shards 2 --shard 3 198.18.0.0/24
check "unknown output field 'nosuch'" "${base[@]}" -f saddr,nosuch 198.18.0.0/24
check "unknown field 'nosuch'" "${base[@]}" --output-filter "nosuch = 1" 198.18.0.0/24
check "interface 'nosuch0' does not exist" -i nosuch0 -S 198.19.255.1 --gateway-ip 198.19.255.254 -b /dev/null 198.18.0.0/24
check "all 256 targets are blocklisted" -i "$IF" -S 198.19.255.1 --gateway-ip 198.19.255.254 198.18.0.0/24
check "no targets" "${base[@]}"
check "no source address" -i "$IF" --gateway-ip 198.19.255.254 -b /dev/null 198.18.0.0/24
check "no gateway" -i "$IF" -S 198.19.255.1 -b /dev/null 198.18.0.0/24
check "-S/--source-ip: '198.19.255.x'" -i "$IF" -S 198.19.255.x --gateway-ip 198.19.255.254 198.18.0.0/24
check "-G/--gateway-mac 'zz'" -i "$IF" -S 198.19.255.1 -b /dev/null -G zz 198.18.0.0/24
check "-O/--output-module 'xml'" "${base[@]}" -O xml 198.18.0.0/24
# The test-only knobs (docs/testing.md) are checked like flags.
ICS_TEST_RECORD_RING=100 check "ICS_TEST_RECORD_RING='100' is not a whole number from 2 to 1048576 and a power of two" \
    "${base[@]}" 198.18.0.0/24
ICS_TEST_AF_PACKET_FRAMES=15 check "ICS_TEST_AF_PACKET_FRAMES=15 is odd" "${base[@]}" 198.18.0.0/24
check "--af-xdp needs the kernel interface" --vdev net_null0 --af-xdp -S 198.19.255.1 -G 02:00:00:00:00:01 198.18.0.0/24
check "interface '$IF' has 1 queue pair(s) but --tx-cores 2 needs" "${base[@]}" --af-xdp --tx-cores 2 198.18.0.0/24
check "none is left to resolve the gateway" "${base[@]}" --af-xdp 198.18.0.0/24
check "cannot write the output file '/nonexistent/out.csv'" "${base[@]}" -o /nonexistent/out.csv 198.18.0.0/24
check "-n/--max-targets '0'" "${base[@]}" -n 0 198.18.0.0/24
check "-M/--mode 'watch' is not available: use -M scan, -M trace or -M monitor" "${base[@]}" -M watch 198.18.0.0/24
check "--min-ttl 1 and --max-ttl 64 must satisfy" "${base[@]}" -M trace --max-ttl 64 198.18.0.0/24
check "--min-ttl 9 and --max-ttl 8 must satisfy" "${base[@]}" -M trace --min-ttl 9 --max-ttl 8 198.18.0.0/24
check "--trace-order 'up' is not known" "${base[@]}" -M trace --trace-order up 198.18.0.0/24
check "--preprobe sets its own order" "${base[@]}" -M trace --preprobe --trace-order ttl 198.18.0.0/24
check "-M trace writes paths as JSON lines" "${base[@]}" -M trace -O csv 198.18.0.0/24
check "--replies-format 'xml' is not known" "${base[@]}" -M trace --replies-file "$WORK/r.csv" --replies-format xml 198.18.0.0/24
check "--probe-ttl does not apply to -M trace" "${base[@]}" -M trace --probe-ttl 5 198.18.0.0/24
check "-n/--max-targets does not apply to -M trace" "${base[@]}" -M trace -n 10 198.18.0.0/24
check "--gap-limit '0' is not valid: give a whole number from 1 to 255" "${base[@]}" -M trace --gap-limit 0 198.18.0.0/24
check "cannot write the replies file '/nonexistent/r.csv'" "${base[@]}" -M trace --replies-file /nonexistent/r.csv 198.18.0.0/24
# --- Options take one value each: -S and --vdev no longer swallow the targets after them ---------
# A run that gets as far as the output file's check has read the targets.
check "cannot write the output file '/nonexistent/o.csv'" -i "$IF" -b /dev/null -S 198.19.255.1 198.18.0.0/24 \
    --gateway-ip 198.19.255.254 --no-huge -o /nonexistent/o.csv
check "cannot write the output file '/nonexistent/o.csv'" --vdev net_null0 198.18.0.0/24 --vdev net_null1 \
    198.18.1.0/24 -b /dev/null -S 198.19.255.1 -G 02:00:00:00:00:01 --no-huge -o /nonexistent/o.csv
check "-S/--source-ip '198.19.255.1,' has an empty item" "${base[@]}" -S 198.19.255.1, 198.18.0.0/24
# Targets an option took as its value are named as such, never "no targets".
check "no targets: '198.18.0.0/24' was read as the value of -o/--output-file" "${base[@]}" -o 198.18.0.0/24
check "-o/--output-file needs a value ('-m' is an option)" "${base[@]}" -o -m "$WORK/m.json" 198.18.0.0/24
# Of two options that took targets, the one first on the command line is named (-u is declared after -o).
check "no targets: '198.18.1.0/24' was read as the value of -u/--status-updates-file" "${base[@]}" \
    -u 198.18.1.0/24 -o 198.18.0.0/24
# -S given twice and --vdev, each followed by targets, run (into a pcap file and into net_null):
# every source and every target is used.
"$BIN" --no-huge -q --dryrun "$WORK/two.pcap" -S 198.19.255.1 198.18.0.0/30 -S 198.19.255.2 -G 02:00:00:00:00:fe \
    -b /dev/null -r 0 -o /dev/null -m "$WORK/two-sources.json" 2>/dev/null \
    || { echo "FAIL: a dry run with -S given twice"; fails=$((fails + 1)); }
"$BIN" --no-huge -q --vdev net_null0,no-rx=1 198.18.0.0/30 -S 198.19.255.1 -G 02:00:00:00:00:fe -b /dev/null \
    -c 0 -r 0 -o /dev/null -m "$WORK/vdev.json" 2>/dev/null \
    || { echo "FAIL: a run with targets after --vdev"; fails=$((fails + 1)); }
python3 - "$WORK/two-sources.json" "$WORK/vdev.json" <<'PY' || fails=$((fails + 1))
import json, sys
src, vdev = (json.load(open(f)) for f in sys.argv[1:3])
ok = (src["source_ip_first"], src["source_ip_last"], src["packets_sent"]) == ("198.19.255.1", "198.19.255.2", 4)
ok = ok and vdev["packets_sent"] == 4
print("ok   targets after -S (twice) and --vdev" if ok else f"FAIL: targets after -S/--vdev: {src} {vdev}")
sys.exit(0 if ok else 1)
PY

# --- Every flag that does nothing in the chosen mode is refused (given, whatever its value) ------
for flag in --min-ttl=1 --max-ttl=16 --preprobe --preprobe-wait=1 --trace-order=random --stop-set=1 \
    --gap-limit=5; do
    check "${flag%%=*} applies to -M trace only: add -M trace, or drop ${flag%%=*}" "${base[@]}" "$flag" 198.18.0.0/24
    check "${flag%%=*} applies to -M trace only: add -M trace, or drop ${flag%%=*}" "${base[@]}" -M monitor "$flag" 198.18.0.0/24
done
for flag in --period=1s --count=3 --timeout=1s --down-after=3 --prometheus=127.0.0.1:9374 \
    --metrics-targets=10 --group-by=/24 --summary-interval=60s; do
    name=${flag%%=*}
    check "$name applies to -M monitor only: add -M monitor, or drop $name" "${base[@]}" "$flag" 198.18.0.0/24
    check "$name applies to -M monitor only: add -M monitor, or drop $name" "${base[@]}" -M trace "$flag" 198.18.0.0/24
done
for flag in --replies-file="$WORK/r.csv" --replies-format=csv; do
    check "${flag%%=*} applies to -M trace and -M monitor only (scan mode writes its rows to -o): drop ${flag%%=*}" \
        "${base[@]}" "$flag" 198.18.0.0/24
done
# Monitor mode: what it sets itself, and its values.
mon=("${base[@]}" -M monitor)
check "-P/--probes does not apply to -M monitor: it sends one probe per target every --period: give --count" "${mon[@]}" -P 2 198.18.0.0/24
check "-n/--max-targets does not apply to -M monitor" "${mon[@]}" -n 5 198.18.0.0/24
check "-c/--cooldown-time does not apply to -M monitor: it waits --timeout for the last replies" "${mon[@]}" -c 1 198.18.0.0/24
check "-B/--bandwidth does not apply to -M monitor" "${mon[@]}" -B 1M 198.18.0.0/24
check "-M monitor writes summaries and events as JSON lines (-O json), not 'csv'" "${mon[@]}" -O csv 198.18.0.0/24
check "-f/--output-fields applies to the reply rows, which -M monitor writes only with --replies-file" "${mon[@]}" -f saddr 198.18.0.0/24
check "--period '0.5ms' is not valid: give a duration from 1ms to 3600s" "${mon[@]}" --period 0.5ms 198.18.0.0/24
check "--period 'soon' is not valid" "${mon[@]}" --period soon 198.18.0.0/24
check "--timeout '11s' is not valid: give a duration from 1ms to 10s" "${mon[@]}" --timeout 11s 198.18.0.0/24
check "--timeout 2s spans 104 periods of 20ms, more than the 60 rounds a target's window holds open: lengthen --period or shorten --timeout" "${mon[@]}" --period 20ms --timeout 2s 198.18.0.0/24
check "-Q/--summary-interval '500ms' is not valid: give a duration from 1s to 86400s" "${mon[@]}" -Q 500ms 198.18.0.0/24
check "--down-after '61' is not valid: give a whole number from 0 to 60" "${mon[@]}" --down-after 61 198.18.0.0/24
check "--group-by '/7' is not valid: give a prefix length from /8 to /32" "${mon[@]}" --group-by /7 198.18.0.0/24
check "--period 1s over 256 targets sends 256 probes a second, more than -r 100 allows: lengthen --period to at least 2560ms, or raise -r" \
    "${mon[@]}" -r 100 198.18.0.0/24
printf '198.18.0.0/24 pop=ams\n198.18.1.0/24 pop\n' > "$WORK/labels.txt"
check "target file '$WORK/labels.txt' line 2: 'pop' is not a label: write labels as key=value after the target" \
    "${mon[@]}" -I "$WORK/labels.txt"
# --prometheus on a port already taken (this test's own network namespace: its loopback only).
ip link set lo up
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 9374)); s.listen(); print("ready", flush=True); time.sleep(60)' > "$WORK/holder.txt" &
holder=$!
for _ in $(seq 50); do grep -q ready "$WORK/holder.txt" 2>/dev/null && break; sleep 0.1; done
check "--prometheus 127.0.0.1:9374: address already in use; pick another port" \
    "${mon[@]}" --prometheus 127.0.0.1:9374 198.18.0.0/24
kill "$holder"; wait "$holder" 2>/dev/null
trace=("${base[@]}" -M trace)
check "--stop-set works with --preprobe only" "${trace[@]}" --stop-set 1 198.18.0.0/24
check "--preprobe-wait works with --preprobe only" "${trace[@]}" --preprobe-wait 1 198.18.0.0/24
check "--preprobe sets its own order" "${trace[@]}" --preprobe --trace-order random 198.18.0.0/24
check "--probe-module does not apply to -M trace" "${trace[@]}" --probe-module icmp_echo 198.18.0.0/24
check "--probe-ttl does not apply to -M trace" "${trace[@]}" --probe-ttl 255 198.18.0.0/24
for flag in -f/--output-fields=saddr --output-filter= --replies-format=csv -N/--max-results=5; do
    name=${flag%%=*}
    check "$name applies to the reply rows, which -M trace writes only with --replies-file" \
        "${trace[@]}" "${name##*/}=${flag#*=}" 198.18.0.0/24
done
check "-G/--gateway-mac skips ARP, so --gateway-ip would never be resolved" "${base[@]}" -G 02:00:00:00:00:01 198.18.0.0/24
check "-B/--bandwidth sets the rate: give -r/--rate or -B/--bandwidth, not both" "${base[@]}" -r 10 -B 1M 198.18.0.0/24
check "--memory sizes DPDK's memory with --no-huge only" -i "$IF" -S 198.19.255.1 --gateway-ip 198.19.255.254 \
    -b /dev/null --memory 256 198.18.0.0/24
check "--dryrun sends nothing, so --gateway-ip is never resolved" -S 198.19.255.1 --gateway-ip 198.19.255.254 \
    -b /dev/null --no-huge --dryrun "$WORK/d.pcap" 198.18.0.0/24
check "--dryrun receives nothing, so -c/--cooldown-time has nothing to wait for" -S 198.19.255.1 -c 1 \
    -b /dev/null --no-huge --dryrun "$WORK/d.pcap" 198.18.0.0/24

# --- The parser's errors in our words, naming the flag and what it takes --------------------------
check "cannot read list of IPs '$WORK': it is a directory" "${base[@]}" -I "$WORK"
check "cannot read allowlist file '/nonexistent': No such file or directory" "${base[@]}" -w /nonexistent
check "-c/--cooldown-time '-1' is not valid: give a number of seconds, 0 or more" "${base[@]}" -c -1 198.18.0.0/24
check "-r/--rate needs a value: give probes per second" "${base[@]}" 198.18.0.0/24 -r
check "-S/--source-ip needs a value: give an address, range or CIDR" "${base[@]}" 198.18.0.0/24 -S
check "-P/--probes 'x' is not valid: give a whole number from 1 to 65535" "${base[@]}" -P x 198.18.0.0/24
check "--tx-cores '-1' is not valid: give a whole number from 1 to 64" "${base[@]}" --tx-cores -1 198.18.0.0/24
check "-t/--max-runtime 'soon' is not valid: give a number of seconds" "${base[@]}" -t soon 198.18.0.0/24
check "unknown option '--no-flag': see --help" "${base[@]}" --no-flag 198.18.0.0/24
# Checkpoints (the resume itself: resume.sh on the testbed).
check "--checkpoint-interval applies to --checkpoint or --resume" "${base[@]}" --checkpoint-interval 5 198.18.0.0/24
check "--checkpoint-interval '0.05' is under 0.1 s" "${base[@]}" --checkpoint "$WORK/ck" --checkpoint-interval 0.05 198.18.0.0/24
check "--checkpoint '-' is not a file" "${base[@]}" --checkpoint - 198.18.0.0/24
check "-N/--max-results cannot go with --checkpoint" "${base[@]}" --checkpoint "$WORK/ck" -N 5 198.18.0.0/24
check "--checkpoint does not apply to --dryrun" --dryrun "$WORK/p.pcap" -S 198.19.255.1 -b /dev/null --checkpoint "$WORK/ck" 198.18.0.0/24
check "cannot read --resume '/nonexistent'" "${base[@]}" --resume /nonexistent 198.18.0.0/24
check "--checkpoint cannot go with --preprobe yet" "${trace[@]}" --preprobe --checkpoint "$WORK/ck" 198.18.0.0/24
[[ ! -e $WORK/ck ]] || { echo "FAIL: a refused --checkpoint created its file"; fails=$((fails + 1)); }
check "-r/--rate is given more than once: give it once" "${base[@]}" -r 5 -r 6 198.18.0.0/24
check "--preprobe takes no value: write it alone" "${trace[@]}" --preprobe=maybe 198.18.0.0/24
# The default blocklist names the ranges that cover the targets, not an unrelated one.
check "by the default list of IANA special-purpose ranges (192.0.2.0/24)" -i "$IF" -S 198.19.255.1 \
    --gateway-ip 198.19.255.254 192.0.2.0/24
[[ $("$BIN" -i "$IF" -S 198.19.255.1 --gateway-ip 198.19.255.254 192.0.2.0/24 2>&1) != *198.18.0.0/15* ]] \
    || { echo "FAIL: 192.0.2.0/24 blocklisted names 198.18.0.0/15"; fails=$((fails + 1)); }

# --- Output files: checked at start-up, never touched by a run that fails before sending ----------
check "cannot write the metadata file '/nonexistent/m.json': directory '/nonexistent' does not exist" \
    "${base[@]}" -m /nonexistent/m.json 198.18.0.0/24
check "cannot write the status updates file '$WORK': it is a directory" "${base[@]}" -u "$WORK" 198.18.0.0/24
check "cannot write the output file '$WORK': it is a directory" "${base[@]}" -o "$WORK" 198.18.0.0/24
check "-o/--output-file '$WORK/same' and -m/--metadata-file '$WORK/same' are the same file" "${base[@]}" \
    -o "$WORK/same" -m "$WORK/same" 198.18.0.0/24
# The same file however it is spelled: a new file through "." and "..", an existing one through a
# symbolic link and a hard link.
mkdir "$WORK/sub"
check "-o/--output-file '$WORK/new.csv' and -u/--status-updates-file '$WORK/./sub/../new.csv' are the same file" \
    "${base[@]}" -o "$WORK/new.csv" -u "$WORK/./sub/../new.csv" 198.18.0.0/24
echo old > "$WORK/linked.csv"; ln -s "$WORK/linked.csv" "$WORK/symlink.csv"; ln "$WORK/linked.csv" "$WORK/hard.csv"
check "-o/--output-file '$WORK/symlink.csv' and -m/--metadata-file '$WORK/linked.csv' are the same file" \
    "${base[@]}" -o "$WORK/symlink.csv" -m "$WORK/linked.csv" 198.18.0.0/24
check "-u/--status-updates-file '$WORK/hard.csv' and -m/--metadata-file '$WORK/linked.csv' are the same file" \
    "${base[@]}" -u "$WORK/hard.csv" -m "$WORK/linked.csv" 198.18.0.0/24
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$WORK/sock"
check "cannot write the status updates file '$WORK/sock': it is a socket; name a file" "${base[@]}" \
    -u "$WORK/sock" 198.18.0.0/24
# The last start-up check fails (-u): -o and -m, checked before it, keep their bytes.
printf 'saddr\n198.18.0.1\n' > "$WORK/keep.csv"
printf '{"kept": true}\n' > "$WORK/keep.json"
cp "$WORK/keep.csv" "$WORK/keep.csv.orig"; cp "$WORK/keep.json" "$WORK/keep.json.orig"
check "cannot write the status updates file '/nonexistent/u.csv'" "${base[@]}" -o "$WORK/keep.csv" \
    -m "$WORK/keep.json" -u /nonexistent/u.csv 198.18.0.0/24
cmp -s "$WORK/keep.csv" "$WORK/keep.csv.orig" && cmp -s "$WORK/keep.json" "$WORK/keep.json.orig" \
    && echo "ok   -o and -m untouched by a failed start" \
    || { echo "FAIL: a failed start changed -o or -m"; fails=$((fails + 1)); }

# A file that passed the start-up check but cannot be opened when the run is about to send (-u, the
# last one opened: a device node whose driver is not loaded, major 60 to 63 being reserved for
# local use): the run fails (exit 1) having truncated nothing and removed the -o file it created.
null_run=(--no-huge -q --vdev net_null0,no-rx=1 -S 198.19.255.1 -G 02:00:00:00:00:fe -b /dev/null -c 0 -r 0
    198.18.0.0/30)
major=$(for m in 60 61 62 63; do grep -q "^ *$m " /proc/devices || { echo $m; break; }; done)
if [[ $REAL_ROOT == 1 && -n $major ]] && mknod "$WORK/nodriver" c "$major" 0 2>/dev/null; then
    for o in "$WORK/keep.csv" "$WORK/created.csv"; do
        rc=0; out=$("$BIN" "${null_run[@]}" -o "$o" -m "$WORK/keep.json" -u "$WORK/nodriver" 2>&1) || rc=$?
        if [[ $rc != 1 || $out != *"cannot write the status updates file '$WORK/nodriver'"* ]]; then
            echo "FAIL: -u failing to open gave status $rc and: $out"; fails=$((fails + 1))
        elif ! cmp -s "$WORK/keep.csv" "$WORK/keep.csv.orig" || ! cmp -s "$WORK/keep.json" "$WORK/keep.json.orig" \
            || [[ -e $WORK/created.csv ]]; then
            echo "FAIL: -u failing to open changed -o ($o) or -m, or left a created file"; fails=$((fails + 1))
        else
            echo "ok   -u failing to open at the start of sending: -o $(basename "$o") and -m as they were"
        fi
    done
else
    echo "skip -u failing to open: needs root and a free major number (60-63) for a device node"
fi
# -m written over a file keeps its owner, group and mode; a new one gets 0666 less the umask.
if [[ $REAL_ROOT == 1 ]]; then
    echo old > "$WORK/owned.json"; chown 65534:65534 "$WORK/owned.json"; chmod 0604 "$WORK/owned.json"
    (umask 027; "$BIN" "${null_run[@]}" -o /dev/null -m "$WORK/owned.json" 2>/dev/null \
        && "$BIN" "${null_run[@]}" -o /dev/null -m "$WORK/new.json" 2>/dev/null)
    got="$(stat -c '%u:%g %a' "$WORK/owned.json") $(stat -c %a "$WORK/new.json" 2>/dev/null)"
    [[ $got == "65534:65534 604 640" ]] && echo "ok   -m kept owner and mode ($got)" \
        || { echo "FAIL: -m owner/mode (old, new under umask 027): $got"; fails=$((fails + 1)); }
else
    echo "skip -m owner: needs root to give the old file another owner"
fi

# With neither hugepages nor --no-huge the scan must say how to get them. The binary reads
# /proc/meminfo (HugePages_Total, HugePages_Free) and /proc/mounts (a hugetlbfs mount): in this
# private mount namespace a copy of meminfo with other hugepage counts is mounted over the real one
# and every hugetlbfs is unmounted, so both cases run whatever the machine has reserved (the test
# runner reserves pages, which used to make this case skip itself).
fake_meminfo() {  # total free: /proc/meminfo with these hugepage counts
    sed -e "s/^HugePages_Total:.*/HugePages_Total:     $1/" -e "s/^HugePages_Free:.*/HugePages_Free:      $2/" \
        /proc/meminfo > "$WORK/meminfo.$1.$2"
    grep -q "^HugePages_Free: *$2\$" "$WORK/meminfo.$1.$2" || { echo "FAIL: no HugePages_Free line to replace"; exit 1; }
    mount --bind "$WORK/meminfo.$1.$2" /proc/meminfo
}
grep ' hugetlbfs ' /proc/mounts | cut -d' ' -f2 | while read -r m; do umount "$m" 2>/dev/null; done
fake_meminfo 0 0
check "no free hugepages are reserved: run 'scripts/setup-hugepages.sh' (or pass --no-huge" -i "$IF" \
    -S 198.19.255.1 --gateway-ip 198.19.255.254 -b /dev/null 198.18.0.0/24
umount /proc/meminfo
fake_meminfo 512 0
check "no free hugepages are reserved" -i "$IF" -S 198.19.255.1 --gateway-ip 198.19.255.254 -b /dev/null 198.18.0.0/24
umount /proc/meminfo
if grep -q ' hugetlbfs ' /proc/mounts; then
    # A user namespace may not unmount what it inherited from the real root's namespace.
    echo "skip hugepages reserved but no hugetlbfs mounted: needs root to unmount the machine's hugetlbfs"
else
    fake_meminfo 512 512
    check "hugepages are reserved but no hugetlbfs is mounted: run 'scripts/setup-hugepages.sh' (or pass --no-huge)" \
        -i "$IF" -S 198.19.255.1 --gateway-ip 198.19.255.254 -b /dev/null 198.18.0.0/24
    umount /proc/meminfo
fi
# -6 (issue 16): IPv6 input, and each family's address where the other's belongs.
printf '2001:db8:1::1\n2001:db8:1::zz\n' > "$WORK/bad-hitlist.txt"
base6=(-6 -i "$IF" -S 2001:db8:ff::1 --gateway-ip 2001:db8:ff::fe -b /dev/null --no-huge)
check "line 2" "${base6[@]}" -I "$WORK/bad-hitlist.txt"
check "/129" "${base6[@]}" 2001:db8::/129
check "target '198.18.0.1' is IPv4: -6 scans IPv6 targets only" "${base6[@]}" 198.18.0.1
check "target '198.18.0.0/24' is IPv4" "${base6[@]}" 198.18.0.0/24
check "-S/--source-ip '2001:db8:ff::1' is an IPv6 address: add -6" "${base[@]/198.19.255.1/2001:db8:ff::1}" 198.18.0.0/24
check "target '2001:db8::1' is IPv6: add -6" "${base[@]}" 2001:db8::1
check "-S/--source-ip '198.19.255.1' is an IPv4 address" -6 -i "$IF" -S 198.19.255.1 --gateway-ip 2001:db8:ff::fe 2001:db8::1
check "--gateway-ip '198.19.255.254' is not an IPv6 address" -6 -i "$IF" -S 2001:db8:ff::1 --gateway-ip 198.19.255.254 2001:db8::1
check "-S/--source-ip covers the gateway 198.19.255.254: give -S the scanner's own addresses only (it answers ARP for each)" \
    -i "$IF" -S 198.19.255.0/24 --gateway-ip 198.19.255.254 198.18.0.1
check "-S/--source-ip covers the gateway 2001:db8:ff::fe" -6 -i "$IF" -S 2001:db8:ff::/120 --gateway-ip 2001:db8:ff::fe 2001:db8::1
check "-S/--source-ip '2001:db8:ff::2' is an IPv6 address: add -6" "${base[@]/198.19.255.1/198.19.255.1,2001:db8:ff::2}" 198.18.0.0/24
check "-6 takes a blocklist of IPv6 prefixes" -6 -i "$IF" -S 2001:db8:ff::1 --gateway-ip 2001:db8:ff::fe -b "$WORK/targets.txt" 2001:db8::1
check "-S/--source-ip spans more than one /64" "${base6[@]/2001:db8:ff::1/2001:db8:ff::1,2001:db8:fe::1}" 2001:db8::1
check "-6 works with -M scan so far" "${base6[@]}" -M trace 2001:db8::1
check "--ipv6-per-prefix applies to IPv6 targets" "${base[@]}" --ipv6-per-prefix /64:1 198.18.0.0/24
check "--ipv6-per-prefix" "${base6[@]}" --ipv6-per-prefix /64:x 2001:db8::/48
check "exists only in IPv4" "${base6[@]}" -f saddr,ipid 2001:db8::1
check "all 1 targets are blocklisted by the default list of IANA special-purpose IPv6 ranges" \
    -6 -i "$IF" -S 2001:db8:ff::1 --gateway-ip 2001:db8:ff::fe --no-huge 2001:db8::1
"$BIN" -6 --list-output-fields | grep -q '^outersaddr' || { echo "FAIL: --list-output-fields -6"; fails=$((fails + 1)); }
! "$BIN" -6 --list-output-fields | grep -q '^ipid' || { echo "FAIL: --list-output-fields -6 lists ipid"; fails=$((fails + 1)); }
"$BIN" --list-output-fields | grep -q '^rtt_us' || { echo "FAIL: --list-output-fields"; fails=$((fails + 1)); }
"$BIN" --list-output-fields | grep -q '^mpls_labels' || { echo "FAIL: --list-output-fields (trace)"; fails=$((fails + 1)); }
echo "$fails failures"
[[ $fails == 0 ]]
