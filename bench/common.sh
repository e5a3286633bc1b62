# Shared by the end-to-end benchmark scripts (sourced after scripts/as-root.sh): the --quick / --out DIR
# arguments, dependencies and build (skipped under the meson test, which runs on a finished build),
# and hugepages or --no-huge. Sets QUICK, OUT (absolute, created), BIN and huge.
QUICK=0
OUT=bench-results
while (($#)); do
    case $1 in
        --quick) QUICK=1 ;;
        --out) OUT=$2; shift ;;
        *) echo "$(basename "$0"): unknown argument '$1' (use --quick or --out DIR)" >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BIN=build/apps/dpdk-icmpscan/dpdk-icmpscan
if [[ -z ${ICS_BENCH_PREBUILT:-} ]]; then
    scripts/install-deps.sh
    scripts/build.sh >/dev/null
fi
huge=()
scripts/setup-hugepages.sh >/dev/null || huge=(--no-huge)
