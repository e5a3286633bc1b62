// Parsing with CLI11, and its errors said in our words. Every option takes exactly one value per
// use (CLI11 2.1's vector options otherwise keep taking the arguments that follow, targets
// included); -S and --vdev may be repeated, as ZMap's -S.
#include "cli_options.hpp"

#include <cstdio>
#include <map>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

namespace ics::app {
namespace {

// Adds options to the app in one group, remembering what each takes (for "needs a value").
struct option_adder {
    CLI::App& app;
    std::map<const CLI::Option*, std::string>& takes;
    std::string group;

    // An option with one value; a second use is an error (as ZMap's gengetopt says).
    template <typename T>
    CLI::Option* value(const std::string& names, T& into, const char* type, const char* what,
                       const std::string& help) {
        CLI::Option* op = app.add_option(names, into, help)->group(group)->type_name(type);
        if constexpr (std::is_same_v<T, std::string>)
            if (!into.empty()) op->capture_default_str();
        takes[op] = what;
        return op;
    }
    // An option with one value per use, repeatable; every use is kept.
    CLI::Option* repeated(const std::string& names, std::vector<std::string>& into, const char* type,
                          const char* what, const std::string& help) {
        return value(names, into, type, what, help)
            ->expected(1)
            ->allow_extra_args(false)
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    }
    CLI::Option* flag(const std::string& names, bool& into, const std::string& help) {
        return app.add_flag(names, into, help)->group(group);
    }
};

void add_basic_options(option_adder add, cli_options& o) {
    add.group = "Basic arguments";
    add.value("-M,--mode", o.mode, "MODE", "scan, trace or monitor",
              "scan (reachability), trace (paths) or monitor (loss and latency over time)");
    add.value("-r,--rate", o.rate, "PPS", "probes per second in all (0: as fast as possible)",
              "probes per second in all (0: as fast as possible)");
    add.value("-B,--bandwidth", o.bandwidth, "BPS", "bits per second like 10M or 1G",
              "send rate as bandwidth (bits/s; suffixes K, M, G), instead of -r");
    add.value("-n,--max-targets", o.max_targets, "N|N%", "a number of targets, or N% of the target set",
              "probe at most N targets (a number, or N% of the target set)");
    add.value("-t,--max-runtime", o.max_runtime, "SECONDS", "a number of seconds",
              "stop sending after this many seconds (0: no limit)");
    add.value("-N,--max-results", o.max_results, "N", "a number of results (0: no limit)",
              "stop after this many results are written (0: no limit)");
    add.value("-c,--cooldown-time", o.cooldown, "SECONDS", "a number of seconds",
              "seconds to keep receiving after sending ends");
    add.value("-e,--seed", o.seed, "N", "an unsigned integer",
              "seed of the target permutation (same seed, same order)");
    add.value("--shards", o.shards, "N", "the number of shards",
              "split the scan into this many shards (one per machine)");
    add.value("--shard", o.shard, "I", "this shard's number, 0 to shards-1",
              "which shard this scan is (0 to shards-1)");
    add.value("-o,--output-file", o.output_file, "FILE", "a file name ('-': stdout)",
              "write results here ('-': stdout)");
    add.value("-b,--blocklist-file", o.blocklist_file, "FILE", "a file of ranges never to probe",
              "addresses never to probe; replaces the built-in IANA special-purpose list (/dev/null: none)");
    add.value("-w,--allowlist-file", o.allowlist_file, "FILE", "a file of targets",
              "file of targets (CIDRs, addresses, ranges)");
    add.value("-I,--list-of-ips", o.list_of_ips_file, "FILE", "a file of target addresses",
              "file of individual target addresses");
    add.value("-P,--probes", o.probes, "N", "a number of probe rounds",
              "probe rounds: each target (trace: each hop) is probed this many times");
    add.value("--probe-ttl", o.probe_ttl, "TTL", "an IP TTL from 1 to 255", "IP TTL of probes (scan mode)");
    add.value("--probe-module", o.probe_module, "NAME", "a probe type (see --list-probe-modules)",
              "probe type, scan mode (see --list-probe-modules)");
    add.flag("--list-probe-modules", o.list_probe_modules, "list probe types and exit");
    add.flag("-6,--ipv6", o.ipv6,
             "IPv6 (scan mode): ICMPv6 Echo (probe type icmp6_echo) to the IPv6 addresses and prefixes "
             "of the arguments and -I/-w files (hitlists); -S, --gateway-ip and -b are IPv6 too");
    add.value("--ipv6-per-prefix", o.ipv6_per_prefix, "/LEN:COUNT[:random]",
              "a rule like /64:1 or /64:4:random",
              "with -6: a prefix line makes COUNT addresses in each /LEN of it (::1 up, or keyed-random "
              "interface ids; default /64:1); a line longer than /LEN is one such part; /128:1 takes every "
              "address");
}

void add_trace_options(option_adder add, cli_options& o) {
    add.group = trace_only_group;
    add.value("--min-ttl", o.min_ttl, "TTL", "a TTL from 1 to 63", "first TTL probed");
    add.value("--max-ttl", o.max_ttl, "TTL", "a TTL from 1 to 63", "last TTL probed (at most 63)");
    add.value("--trace-order", o.trace_order, "ORDER", "random or ttl",
              "random: every (target, TTL) in one keyed random order; ttl: all targets TTL by TTL "
              "(not with --preprobe)");
    add.flag("--preprobe", o.preprobe,
             "estimate each target's distance first, then probe backwards from it with a stop set");
    add.value("--stop-set", o.stop_set, "N", "a number of targets (0: never)",
              "with --preprobe: stop probing lower TTLs once a hop was seen on the way to this many "
              "other targets (0: never)");
    add.value("--preprobe-wait", o.preprobe_wait, "SECONDS", "a number of seconds from 0 to 60",
              "with --preprobe: seconds to wait for preprobe replies");
    add.value("--gap-limit", o.gap_limit, "N", "a number of TTLs from 1 to 255",
              "silent TTLs in a row that end a path (as scamper -g)");
    add.group = replies_group;
    add.value("--replies-file", o.replies_file, "FILE", "a file name ('-': stdout)",
              "also write every reply as a row here (-f, --output-filter, -N apply to these rows)");
    add.value("--replies-format", o.replies_format, "FORMAT", "csv or json",
              "csv or json (JSON lines) for --replies-file");
}

void add_monitor_options(option_adder add, cli_options& o) {
    add.group = monitor_only_group;
    add.value("--period", o.period, "DURATION", "a duration like 1s or 500ms",
              "probe each target once per period (fping -p), each at its own phase");
    add.value("--count", o.count, "N", "a number of rounds (0: until stopped)",
              "rounds to send, one per period (0: until stopped; fping -C)");
    add.value("--timeout", o.timeout, "DURATION", "a duration like 1s or 500ms",
              "a reply later than this counts as late and its probe as lost (fping -t)");
    add.value("-Q,--summary-interval", o.summary_interval, "DURATION", "a duration like 60s",
              "a summary per target this often to -o (fping -Q; default: one at the end)");
    add.value("--down-after", o.down_after, "N", "a number of rounds from 0 to 60 (0: never)",
              "consecutive lost rounds that make a target down (an outage event)");
    add.value("--prometheus", o.prometheus, "ADDR:PORT", "a listen address like 127.0.0.1:9374",
              "serve Prometheus metrics at http://ADDR:PORT/metrics");
    add.value("--metrics-targets", o.metrics_targets, "N", "a number of targets (0: none)",
              "per-target Prometheus series for at most this many targets, the worst first");
    add.value("--group-by", o.group_by, "/N", "a prefix length from /8 to /32",
              "group unlabelled targets by this prefix for the group totals and metrics");
}

void add_network_options(option_adder add, cli_options& o) {
    add.group = "Network";
    add.value("-i,--interface", o.interface, "IFACE", "a kernel interface name",
              "kernel interface to own through DPDK's af_packet PMD");
    add.flag("--af-xdp", o.af_xdp,
             "with -i: use AF_XDP sockets instead of af_packet, one on each queue of the interface "
             "(TX lcores take the first, ARP answers the next if one is left; RX polls all)");
    add.value("--pci", o.pci, "BDF", "a PCI address like 0000:3b:00.0",
              "PCI address of a DPDK-bound NIC (e.g. 0000:3b:00.0)");
    add.repeated("--vdev", o.vdev, "SPEC", "a DPDK virtual device like net_null0",
                 "a DPDK virtual device (e.g. net_null0); one per --vdev: repeat it for queues of one link "
                 "opened as separate ports, which TX lcores take in turn");
    add.repeated("-S,--source-ip", o.source_ips, "ADDRS",
                 "an address, range or CIDR, or a comma-separated list of them",
                 "source addresses: an address, range, CIDR or comma-separated list; repeatable");
    add.value("--gateway-ip", o.gateway_ip, "ADDR", "the gateway's IP address (-6: IPv6)",
              "gateway to resolve by ARP (-6: Neighbour Solicitation; not with -G)");
    add.value("-G,--gateway-mac", o.gateway_mac, "MAC", "a MAC address like 02:00:00:aa:bb:cc",
              "gateway MAC (skips ARP; not with --gateway-ip)");
    add.value("--source-mac", o.source_mac, "MAC", "a MAC address like 02:00:00:aa:bb:cc",
              "source MAC (default: the port's)");
    add.value("--dryrun", o.dryrun, "FILE", "a pcap file name",
              "write the probes to this pcap file instead of sending them");
}

void add_checkpoint_options(option_adder add, cli_options& o) {
    add.group = checkpoint_group;
    add.value("--checkpoint", o.checkpoint, "FILE", "a file name",
              "keep a checkpoint here (replaced atomically), to finish the scan with --resume after a "
              "crash (-M trace: with its hops in FILE.hops; -M monitor: its counters, to go on with them)");
    add.value("--checkpoint-interval", o.checkpoint_interval, "SECONDS", "a number of seconds, at least 0.1",
              "seconds between checkpoints");
    add.value(
        "--resume", o.resume, "FILE", "a checkpoint file",
        "finish the scan or trace this checkpoint is of (same targets and options; -e is taken from it), "
        "or go on with the monitor's counters; the checkpoint is kept in it unless --checkpoint "
        "names another file");
}

void add_output_options(option_adder add, cli_options& o) {
    add.group = "Output";
    add.value("-O,--output-module", o.output_module, "FORMAT", "csv or json",
              "csv or json (JSON lines); trace mode writes paths as scamper-style JSON (json)");
    add.value("-f,--output-fields", o.output_fields, "FIELDS", "comma-separated field names",
              "comma-separated fields (see --list-output-fields; * for all)");
    add.flag("--list-output-fields", o.list_output_fields, "list the output fields and exit");
    add.value("--output-filter", o.output_filter, "EXPR", "a filter expression ('' keeps every reply)",
              "ZMap filter expression; '' keeps every reply (default: \"success = 1 && repeat = 0\"; "
              "trace: \"repeat = 0\")");
    add.value("-m,--metadata-file", o.metadata_file, "FILE", "a file name ('-': stdout)",
              "write scan metadata (JSON) here");
    add.value("-u,--status-updates-file", o.status_updates_file, "FILE", "a file name ('-': stdout)",
              "write per-second status rows (CSV) here");
    add.flag("-q,--quiet", o.quiet, "no status line");
}

void add_placement_options(option_adder add, cli_options& o) {
    add.group = "DPDK placement";
    add.value("--tx-cores", o.tx_cores, "N", "a number of lcores from 1 to 64",
              "sender lcores (one TX queue each)");
    add.value("--rx-cores", o.rx_cores, "N", "a number of lcores from 1 to 64", "receiver lcores");
    add.value("--cpus", o.cpus, "LIST", "a CPU list like 2-5,8",
              "CPUs for the lcores, e.g. 2-5 (default: all this process may use)");
    add.flag("--busy-poll", o.busy_poll, "never back off when idle (dedicated hosts)");
    add.flag("--no-huge", o.no_huge, "run DPDK without hugepages (slower)");
    add.value("--memory", o.memory_mb, "MB", "a number of megabytes", "MB of memory with --no-huge");
    add.flag("--verbose-eal", o.verbose_eal, "let DPDK (and libbpf, libxdp) log its start-up");
}

// "-r/--rate" (every name of the option).
std::string label(const CLI::Option* op) {
    std::string out;
    for (const auto& s : op->get_snames()) out += (out.empty() ? "-" : "/-") + s;
    for (const auto& l : op->get_lnames()) out += (out.empty() ? "--" : "/--") + l;
    return out.empty() ? op->get_name() : out;
}

// CLI11's exception in our words: the flag, and what it takes.
std::string explain(const CLI::App& app, const CLI::ParseError& e,
                    const std::map<const CLI::Option*, std::string>& takes) {
    const std::string what = e.what();
    // CLI11 2.1 names the option in the message: ArgumentMismatch's starts "--name: ",
    // ConversionError's "Could not convert: --name = value".
    const CLI::Option* op = nullptr;
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) {
        op = app.get_option_no_throw(what.substr(0, what.find(':')));
    } else if (dynamic_cast<const CLI::ConversionError*>(&e)) {
        const size_t from = what.find(": "), to = what.find(" = ");
        if (from != std::string::npos && to != std::string::npos && to > from)
            op = app.get_option_no_throw(what.substr(from + 2, to - from - 2));
    }
    auto it = op ? takes.find(op) : takes.end();
    if (op && what.find(" missing") != std::string::npos && it != takes.end())
        return fmt::format("{} needs a value: give {}", label(op), it->second);
    if (op && what.find("At Most") != std::string::npos)
        return fmt::format("{} is given more than once: give it once", label(op));
    if (op && it == takes.end() && dynamic_cast<const CLI::ConversionError*>(&e))
        return fmt::format("{} takes no value: write it alone", label(op));
    if (dynamic_cast<const CLI::ExtrasError*>(&e) && !app.remaining().empty()) {
        const std::string extra = app.remaining().front();
        if (extra.size() > 1 && extra[0] == '-')
            return fmt::format("unknown option '{}': see --help for the options", extra);
        return fmt::format("unexpected argument '{}': see --help", extra);
    }
    return fmt::format("the command line could not be read ({}): see --help", what);
}

// Every value of an option that takes one, in command-line order: the parser lists an option once
// per value it took, in the order it took them.
std::vector<std::pair<const CLI::Option*, std::string>> values_in_order(
    const CLI::App& app, const std::map<const CLI::Option*, std::string>& takes) {
    std::vector<std::pair<const CLI::Option*, std::string>> out;
    std::map<const CLI::Option*, size_t> next;
    for (const CLI::Option* op : app.parse_order()) {
        if (!takes.count(op)) continue;
        const size_t i = next[op]++;
        if (i < op->results().size()) out.emplace_back(op, op->results()[i]);
    }
    return out;
}

// An option whose value is another option's name ("-o -m meta.json") took it for want of a value.
std::optional<std::string> option_taken_as_value(const CLI::App& app,
                                                 const std::map<const CLI::Option*, std::string>& takes) {
    for (const auto& [op, v] : values_in_order(app, takes))
        if (v.size() > 1 && v[0] == '-' && app.get_option_no_throw(v.substr(0, v.find('='))))
            return fmt::format("{} needs a value ('{}' is an option): give {}", label(op), v, takes.at(op));
    return std::nullopt;
}

// What the parser saw: which options were given (and their groups), and every option's values.
void record_given(const CLI::App& app, const std::map<const CLI::Option*, std::string>& takes,
                  cli_options& o) {
    for (const CLI::Option* op : app.get_options())
        if (op->count() > 0) o.given.emplace(op->get_name(), op->get_group());
    for (const auto& [op, v] : values_in_order(app, takes)) o.values.emplace_back(label(op), v);
}

}  // namespace

std::vector<std::string> cli_options::given_in_group(std::string_view group) const {
    std::vector<std::string> out;
    for (const auto& [name, in] : given)
        if (in == group) out.push_back(name);
    return out;
}

parse_outcome parse_command_line(int argc, char** argv) {
    cli_options o;
    CLI::App app{"dpdk-icmpscan: a kernel-bypass ICMP scanner (ZMap-compatible flags and output)",
                 "dpdk-icmpscan"};
    app.set_version_flag("-V,--version", ICS_VERSION);
    app.get_formatter()->column_width(34);
    app.add_option("targets", o.targets, "targets: CIDR blocks, addresses, ranges A.B.C.D-E.F.G.H");
    std::map<const CLI::Option*, std::string> takes;
    option_adder add{app, takes};
    add_basic_options(add, o);
    add_trace_options(add, o);
    add_monitor_options(add, o);
    add_network_options(add, o);
    add_output_options(add, o);
    add_checkpoint_options(add, o);
    add_placement_options(add, o);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        std::fputs(app.help().c_str(), stdout);
        return {std::nullopt, 0};
    } catch (const CLI::CallForVersion& e) {
        std::printf("dpdk-icmpscan %s\n", ICS_VERSION);
        return {std::nullopt, 0};
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "dpdk-icmpscan: %s\n", explain(app, e, takes).c_str());
        return {std::nullopt, 2};
    }
    if (auto taken = option_taken_as_value(app, takes)) {
        std::fprintf(stderr, "dpdk-icmpscan: %s\n", taken->c_str());
        return {std::nullopt, 2};
    }
    record_given(app, takes, o);
    return {o, 0};
}

}  // namespace ics::app
