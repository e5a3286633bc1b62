#!/usr/bin/env bash
# --dryrun writes every probe to a pcap file: one per target and round, each target exactly once
# per round, checksums valid, shards partitioning the set.
set -euo pipefail
BIN=${ICS_BIN:?}
SRC=${ICS_SRC:?}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
common=(--no-huge -S 198.19.255.1-198.19.255.4 -G 02:00:00:00:00:fe -b /dev/null -r 0 -q -o /dev/null)
# The same targets three ways: command line, -w file (with a comment), -I list of addresses.
printf '# part of the set\n198.18.0.0/22\n' > "$WORK/allow.txt"
printf '198.18.9.7\n' > "$WORK/ips.txt"
for i in $(seq 0 9); do echo "198.18.10.$i" >> "$WORK/ips.txt"; done
"$BIN" "${common[@]}" --dryrun "$WORK/all.pcap" -P 2 -w "$WORK/allow.txt" -I "$WORK/ips.txt"
for s in 0 1 2; do
    "$BIN" "${common[@]}" --dryrun "$WORK/shard$s.pcap" --shards 3 --shard $s -e 42 198.18.0.0/22 198.18.9.7 198.18.10.0-198.18.10.9
done
python3 "$SRC/tests/integration/check_pcap.py" "$WORK"
