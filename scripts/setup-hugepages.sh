#!/usr/bin/env bash
# Reserves 2 MiB hugepages for DPDK and mounts hugetlbfs at /dev/hugepages (a fresh machine has
# neither). Idempotent. PAGES (default 512, i.e. 1 GiB) may be set in the environment.
set -euo pipefail
pages=${PAGES:-512}
have=$(cat /proc/sys/vm/nr_hugepages)
if (( have < pages )); then
    echo "$pages" > /proc/sys/vm/nr_hugepages
fi
got=$(awk '/HugePages_Total/ {print $2}' /proc/meminfo)
if (( got == 0 )); then
    echo "setup-hugepages: the kernel reserved no hugepages (memory too fragmented?); run with --no-huge" >&2
    exit 1
fi
mkdir -p /dev/hugepages
if ! grep -q ' /dev/hugepages hugetlbfs ' /proc/mounts; then
    mount -t hugetlbfs nodev /dev/hugepages
fi
echo "hugepages: $got x 2 MiB reserved, hugetlbfs on /dev/hugepages"
