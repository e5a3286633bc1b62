#!/usr/bin/env bash
# An IPv6 scan (-6) killed and resumed (issues 15 and 16), as resume.sh does for IPv4: the testbed's
# hitlist and 16,384 keyed-random addresses of its aliased /64 (one in each /120 of a /106, all of
# which answer), killed with SIGKILL once the checkpoint covers 4,000 probes, finished by --resume
# without -e, so the resumed run draws the same random interface ids from the checkpoint's seed.
# The union of the two outputs must equal an uninterrupted scan with the same seed, and the resumed
# run must send exactly what the checkpoint left (check_resume.py). Resumes with another -e or another
# --ipv6-per-prefix rule (other targets) are refused with one sentence and exit 2.
source "$(dirname "$0")/lib.sh"
testbed_up --ipv6
scan() { scan6 "$@"; }  # scan_bg and refused run scan
rate=4000
targets=(-I "$ICS_HITLIST6" --ipv6-per-prefix /120:1:random 2001:db8:2:a11a::/106)
args=(-r "$rate" -c 1 -q --output-filter "repeat = 0" -f saddr,outersaddr,probe_daddr,type,code,repeat "${targets[@]}")
scan -e 4242 "${args[@]}" -o "$WORK/whole.csv" -m "$WORK/whole.json" 2> "$WORK/whole-stderr" \
    || fail "the uninterrupted scan failed: $(tail -3 "$WORK/whole-stderr")"
python3 - "$WORK/whole.csv" <<'PY'
import collections, csv, ipaddress, sys
rows = list(csv.DictReader(open(sys.argv[1])))
aliased = ipaddress.ip_network("2001:db8:2:a11a::/106")
inside = {r["saddr"] for r in rows if ipaddress.ip_address(r["saddr"]) in aliased and r["type"] == "129"}
per_120 = collections.Counter(int(ipaddress.ip_address(a)) >> 8 for a in inside)
# Every /120 of the /106 answered, each once (the first /120 also holds the hitlist's ::1), and
# the hitlist's other 40 answers (scan6_ground_truth checks them against the truth).
if len(per_120) != 16384 or len(inside) - 16384 > 1 or len(rows) != len(inside) + 40:
    sys.exit(f"FAIL: the uninterrupted scan: {len(per_120)} of 16384 /120s answered, {len(inside)} "
             f"addresses, {len(rows)} rows")
PY

kill_at_checkpoint "$WORK/ck.json" 4000 "$WORK/first-stderr" -e 4242 "${args[@]}" --checkpoint "$WORK/ck.json" \
    -o "$WORK/first.csv"
cp "$WORK/ck.json" "$WORK/ck-at-kill.json"

refused "-e/--seed 7 is not the seed" --resume "$WORK/ck.json" -e 7 "${args[@]}"
refused "the targets are not those" --resume "$WORK/ck.json" -r "$rate" -c 1 -I "$ICS_HITLIST6" \
    --ipv6-per-prefix /120:1 2001:db8:2:a11a::/106
cmp -s "$WORK/ck.json" "$WORK/ck-at-kill.json" || fail "a refused resume changed the checkpoint"

scan --resume "$WORK/ck.json" "${args[@]}" -o "$WORK/second.csv" -m "$WORK/second.json" \
    2> "$WORK/second-stderr" || fail "the resumed scan failed: $(tail -3 "$WORK/second-stderr")"
python3 "$SRC/tests/integration/check_resume.py" "$WORK/whole.csv" "$WORK/first.csv" "$WORK/second.csv" \
    "$WORK/ck-at-kill.json" "$WORK/ck.json" "$WORK/second.json" "$KILLED_FRAMES" "$rate" 1 1 > /dev/null
echo "PASS"
