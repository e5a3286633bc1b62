#!/usr/bin/env bash
# Every dpdk-icmpscan example in README.md and docs/usage.md runs as typed on the testbed. An
# example is the code block (indented or fenced, one command) after a `<!-- example -->` line; one
# the testbed cannot run says why in `<!-- example-not-run: REASON -->`, and is counted. A code line
# that starts with `dpdk-icmpscan ` under neither marker fails the test, and so does finding no
# example to run. Each runs as the docs say: in a shell inside the scanner's namespace with the
# binary on the PATH (checked against the docs' own line), in a directory of its own, bounded in
# time. It must exit 0, every file it names (-o, -m, -u, --replies-file, --dryrun) must be
# non-empty, its stdout too when its rows go there, and its metadata must say it completed.
source "$(dirname "$0")/lib.sh"

python3 - "$WORK/examples" "$SRC/README.md" "$SRC/docs/usage.md" <<'PY'
import os, re, shlex, sys

out_dir, docs = sys.argv[1], sys.argv[2:]
RUN, NOT_RUN = re.compile(r"^<!-- example -->$"), re.compile(r"^<!-- example-not-run: (.+) -->$")
FILE_FLAGS = {"-o", "--output-file", "-m", "--metadata-file", "-u", "--status-updates-file",
              "--replies-file", "--dryrun"}
problems, examples, not_run = [], [], []


def code_blocks(lines):
    """(first line number, dedented lines) of every indented or fenced code block."""
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            yield i + 1, lines[i + 1:j]
            i = j + 1
        elif lines[i].startswith("    ") and (i == 0 or not lines[i - 1].strip()):
            j = i
            while j < len(lines) and lines[j].startswith("    "):
                j += 1
            yield i, [l[4:] for l in lines[i:j]]
            i = j
        else:
            i += 1


for doc in docs:
    name = os.path.relpath(doc, os.path.dirname(docs[0]))
    lines = open(doc).read().split("\n")
    marked = {}  # line index of the block's first code line -> (run?, reason, marker line number)
    for n, line in enumerate(lines):
        m_run, m_not = RUN.match(line), NOT_RUN.match(line)
        if not (m_run or m_not):
            continue
        k = n + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        marked[k] = (bool(m_run), m_not.group(1) if m_not else "", n + 1)
    found_markers = set()
    for start, block in code_blocks(lines):
        fence = lines[start - 1].startswith("```") if start > 0 else False
        key = start - 1 if fence else start
        where = f"{name}:{start + 1}"
        is_example = any(re.match(r"dpdk-icmpscan\s", l) for l in block)
        if key not in marked:
            if is_example:
                problems.append(f"{where}: a dpdk-icmpscan example without <!-- example --> or "
                                "<!-- example-not-run: REASON --> before it")
            continue
        found_markers.add(key)
        run, reason, _ = marked[key]
        if not block or not block[0].startswith("dpdk-icmpscan "):
            problems.append(f"{where}: the block after the example marker is not a dpdk-icmpscan command")
            continue
        if not run:
            not_run.append(f"{where} ({reason})")
            continue
        if any(not l.rstrip().endswith("\\") for l in block[:-1]):
            problems.append(f"{where}: one command per example block (continue lines with a backslash)")
            continue
        command = "\n".join(block).strip()
        words = shlex.split(command.replace("\\\n", " "))
        files, metadata, output = [], None, "-"  # the rows go to stdout unless -o names a file
        for i, w in enumerate(words):
            flag, eq, value = w.partition("=")
            if flag in FILE_FLAGS and (eq or i + 1 < len(words)):
                value = value if eq else words[i + 1]
                if value != "-":
                    files.append(value)
                if flag in ("-m", "--metadata-file") and value != "-":
                    metadata = value
                if flag in ("-o", "--output-file"):
                    output = value
        rows_to_stdout = output == "-"
        examples.append((where, command, files, metadata, rows_to_stdout))
    for key, (_, _, marker_line) in marked.items():
        if key not in found_markers:
            problems.append(f"{name}:{marker_line}: an example marker with no code block after it")

for p in problems:
    print(f"FAIL: {p}", file=sys.stderr)
if not examples:
    print("FAIL: no runnable example found in " + ", ".join(docs), file=sys.stderr)
if problems or not examples:
    sys.exit(1)
for i, (where, command, files, metadata, to_stdout) in enumerate(examples):
    d = os.path.join(out_dir, f"{i:02d}")
    os.makedirs(d)
    for key, value in (("where", where), ("command", command), ("files", "\n".join(files)),
                       ("metadata", metadata or ""), ("stdout", "1" if to_stdout else "")):
        with open(os.path.join(d, key), "w") as f:
            f.write(value)
with open(os.path.join(out_dir, "not-run"), "w") as f:
    f.write("".join(x + "\n" for x in not_run))
PY
[[ -d $WORK/examples ]] || fail "the examples could not be extracted (see above)"

testbed_up --ipv6  # the -6 example needs the IPv6 side
# The docs' line for running the examples must name the testbed's namespace.
run_line="ip netns exec $ICS_SCAN_NS env PATH=\"\$PWD/build/apps/dpdk-icmpscan:\$PATH\" bash"
for doc in README.md docs/usage.md; do
    grep -qF "$run_line" "$SRC/$doc" || fail "$doc does not say how to run its examples: '$run_line'"
done
# The binary under the name the examples use, whatever the build called it.
mkdir -p "$WORK/bin"
ln -s "$BIN" "$WORK/bin/dpdk-icmpscan"

ran=0
for ex in "$WORK"/examples/[0-9]*; do
    where=$(cat "$ex/where")
    command=$(cat "$ex/command")
    if ((${#HUGE[@]})); then  # the docs' own advice when the machine gives no hugepages
        command="dpdk-icmpscan --no-huge ${command#dpdk-icmpscan }"
    fi
    echo "$where: $command"
    mkdir "$ex/run"
    touch "$ex/started"
    rc=0
    (cd "$ex/run" && timeout --signal=INT --kill-after=10 90 ip netns exec "$ICS_SCAN_NS" \
        env PATH="$WORK/bin:$PATH" bash -c "$command" > "$ex/stdout.txt" 2> "$ex/stderr.txt") || rc=$?
    ((rc != 124)) || fail "$where: did not finish within 90 s"
    ((rc == 0)) || fail "$where: exit $rc: $(tail -3 "$ex/stderr.txt")"
    while read -r f; do
        [[ -z $f ]] && continue
        # A relative name is in the example's directory; an absolute one must be this run's.
        if [[ $f == /* ]]; then
            [[ -s $f && $f -nt $ex/started ]] || fail "$where: it wrote nothing to $f"
        else
            [[ -s $ex/run/$f ]] || fail "$where: it wrote nothing to $f"
        fi
    done < "$ex/files"
    [[ ! -s $ex/stdout || -s $ex/stdout.txt ]] || fail "$where: it printed nothing on stdout"
    if [[ -s $ex/metadata ]]; then
        meta=$(cat "$ex/metadata")
        [[ $meta == /* ]] || meta=$ex/run/$meta
        python3 -c "import json,sys; m=json.load(open(sys.argv[1])); sys.exit(0 if m['completed'] else 1)" \
            "$meta" || fail "$where: its metadata does not say it completed"
    fi
    ran=$((ran + 1))
done
not_run=$(grep -c . "$WORK/examples/not-run" || true)
echo "doc examples: $ran run on the testbed, exit 0 and non-empty output; $not_run not run:"
sed 's/^/  /' "$WORK/examples/not-run"
((ran > 0)) || fail "no example ran"
