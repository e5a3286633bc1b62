#!/usr/bin/env python3
"""The closing summary of scripts/run-tests.sh, kept apart so it can be run on any meson logs.

    test-summary.py EXPECTED_SKIPS RUN...      RUN is LABEL:SUITE[,SUITE...]:DIR

Each RUN is one `meson test` call: LABEL names it (the build directory), then the suites it asked
for, and DIR holds the testlog.json it wrote (the runner deletes the log before each call, so a
log that is missing means meson did not run, never an older run counted again) and tests.json,
`meson introspect --tests` of the build. The run fails when a log is missing, when a suite it asked
for registered no test (meson exits 0 when `--suite X` matches nothing, e.g. when libdpdk was not
found and the DPDK suites were never defined), when a registered test did not run, when a test
failed, or when a test skipped without a line of EXPECTED_SKIPS whose machine condition holds
here. It prints every skipped test by name and one closing line counting each test once.
Exit status: 0 when all of that holds, 1 otherwise.
"""
import fnmatch
import json
import os
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}


def cpu_flags():
    """The flags of the first processor in /proc/cpuinfo (every core has the same here)."""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def machine_conditions():
    """Each condition an expected skip may name, and whether it holds on this machine. The CPU
    ones mirror what the code tests before taking a path (engine/util/cpu_features.hpp,
    cookie_mac::cpu_has): AVX-512 lanes need F and DQ, AES-NI needs AES and SSE4.1, VAES needs
    VAES, AVX-512F and AES-NI."""
    flags = cpu_flags()
    aesni = {"aes", "sse4_1"} <= flags
    return {
        "no-avx512": not {"avx512f", "avx512dq"} <= flags,
        "no-aesni": not aesni,
        "no-vaes-avx512": not (aesni and {"vaes", "avx512f"} <= flags),
        "not-root": os.geteuid() != 0,
    }


def read_expected_skips(path, conditions):
    """Lines of PATTERN CONDITION WHY (WHY is free text); '#' starts a comment. PATTERN matches
    SUITE/NAME as the summary prints it. A condition not known here is an error, so a typo can
    never accept a skip."""
    entries = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise SystemExit(f"{path}:{number}: want 'PATTERN CONDITION WHY', got '{line}'")
            if parts[1] not in conditions:
                raise SystemExit(f"{path}:{number}: unknown condition '{parts[1]}' "
                                 f"(known: {', '.join(sorted(conditions))})")
            entries.append((parts[0], parts[1], parts[2]))
    return entries


def read_log(path):
    """The tests of one testlog.json, one JSON object a line."""
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def bare_suites(test):
    """Meson names suites PROJECT:SUITE; the project's name is left out."""
    return [s.split(":", 1)[-1] for s in test["suite"]]


def check_run(label, suites, run_dir, problems):
    """The tests of one run as (label: SUITE/NAME, SUITE/NAME, result), or [] after noting why the
    run cannot be counted. run_dir holds testlog.json (what ran) and tests.json (`meson introspect
    --tests`: what the build registered)."""
    log = os.path.join(run_dir, "testlog.json")
    if not os.path.isfile(log):
        problems.append(f"{label}: meson wrote no test log for suites {','.join(suites)}")
        return []
    with open(os.path.join(run_dir, "tests.json")) as f:
        registered = {}  # test name -> the asked suite it belongs to
        for t in json.load(f):
            asked = [s for s in bare_suites(t) if s in suites]
            if asked:
                registered.setdefault(t["name"], asked[0])
    for suite in suites:
        if suite not in registered.values():
            problems.append(f"{label}: suite '{suite}' registered no test (was it left out of the "
                            "build? meson test passes when a suite has no test)")
    out = []
    for t in read_log(log):
        name = t["name"].split(" / ", 1)[-1]  # meson logs PROJECT:SUITES / NAME
        key = f"{registered.get(name, '?')}/{name}"
        out.append((f"{label}: {key}", key, t["result"]))
    ran = {key.split("/", 1)[1] for _, key, _ in out}
    for name in sorted(set(registered) - ran):
        problems.append(f"{label}: {registered[name]}/{name} is registered but did not run")
    return out


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    conditions = machine_conditions()
    expected = read_expected_skips(argv[1], conditions)
    problems, results, seen = [], [], set()
    for spec in argv[2:]:
        label, suites, run_dir = spec.split(":", 2)
        for shown, key, result in check_run(label, suites.split(","), run_dir, problems):
            if shown in seen:  # the runner never repeats a test: a second entry is not counted again
                problems.append(f"{shown} is in its log twice")
                continue
            seen.add(shown)
            results.append((shown, key, result))
    passed = sum(r in PASSED for _, _, r in results)
    skipped = [(shown, key) for shown, key, r in results if r in SKIPPED]
    failed = [shown for shown, _, r in results if r not in PASSED | SKIPPED]
    unexpected = 0
    for shown, key in skipped:
        declared = [e for e in expected if fnmatch.fnmatchcase(key, e[0])]
        holds = next((e for e in declared if conditions[e[1]]), None)
        if holds:
            print(f"skipped: {shown} (expected here: {holds[1]}: {holds[2]})")
        else:
            unexpected += 1
            names = ", ".join(e[1] for e in declared)
            why = (f"declared for {names}, which does not hold on this machine" if declared
                   else "not declared in tests/expected-skips")
            print(f"skipped: {shown} (UNEXPECTED: {why})")
    for shown in failed:
        print(f"failed: {shown}")
    for p in problems:
        print(f"run problem: {p}")
    print(f"{passed} passed, {len(failed)} failed, {len(skipped)} skipped "
          f"({unexpected} unexpected), {len(problems)} run problems")
    return 1 if failed or unexpected or problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
