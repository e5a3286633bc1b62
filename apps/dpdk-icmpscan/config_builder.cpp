#include "config_builder.hpp"

#include <sys/random.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <tuple>

#include <fmt/format.h>

#include "dpdk/driver.hpp"
#include "ipv6_options.hpp"
#include "monitor/monitor_book.hpp"
#include "monitor_options.hpp"
#include "option_values.hpp"
#include "pace/backoff_policy.hpp"
#include "pace/pacer.hpp"
#include "probe/probe_types.hpp"
#include "probe/trace_probe.hpp"
#include "run/checkpoint.hpp"
#include "targets/target_spec.hpp"
#include "test_knobs.hpp"
#include "trace/hop_journal.hpp"
#include "trace/trace_walk.hpp"

namespace ics::app {
namespace {

// "10M", "1.5G", "500000" bits per second.
std::optional<uint64_t> parse_bandwidth(std::string s) {
    double mult = 1;
    if (!s.empty()) {
        char u = char(std::toupper(static_cast<unsigned char>(s.back())));
        if (u == 'K' || u == 'M' || u == 'G') {
            mult = u == 'K' ? 1e3 : u == 'M' ? 1e6 : 1e9;
            s.pop_back();
        }
    }
    auto v = parse_number<double>(s);
    if (!v || *v <= 0 || !std::isfinite(*v)) return std::nullopt;
    return uint64_t(*v * mult);
}

result<std::vector<unsigned>> parse_cpu_list(const std::string& text) {
    std::vector<unsigned> cpus;
    std::string_view rest = text;
    while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        size_t dash = item.find('-');
        auto first = parse_number<unsigned>(item.substr(0, dash));
        auto last = dash == std::string_view::npos ? first : parse_number<unsigned>(item.substr(dash + 1));
        if (!first || !last || *last < *first || *last > 4095)
            return error{fmt::format("--cpus '{}' is not a CPU list: write it like 2-5,8", text)};
        for (unsigned c = *first; c <= *last; ++c) cpus.push_back(c);
    }
    return cpus;
}

// --- Step 1: the mode, and the flags that would do nothing in it -------------------------------

status read_mode(const cli_options& o, scan_config& c) {
    const std::optional<run_mode> mode = parse_run_mode(o.mode);
    if (!mode)
        return error{
            fmt::format("-M/--mode '{}' is not available: use -M scan, -M trace or -M monitor", o.mode)};
    c.mode = *mode;
    if (!with_probe_type(o.probe_module, [](auto) {}))
        return error{fmt::format("unknown --probe-module '{}': see --list-probe-modules", o.probe_module)};
    c.probe_type = c.tracing() ? std::string(trace_probe::name) : o.probe_module;
    return ok();
}

// Flags are judged by whether the parser counted them, not by their value: "--max-ttl 16" in scan
// mode is refused although 16 is the default.
status check_trace_flags(const cli_options& o) {
    if (o.was_given("--probe-module"))
        return error{
            "--probe-module does not apply to -M trace: its probes are always Paris-style ICMP Echo"};
    if (o.was_given("--probe-ttl"))
        return error{
            "--probe-ttl does not apply to -M trace: give the TTL range with --min-ttl and --max-ttl"};
    if (o.was_given("--max-targets"))
        return error{
            "-n/--max-targets does not apply to -M trace: give a smaller target set, or split it with "
            "--shards"};
    if (o.output_module && *o.output_module != "json")
        return error{fmt::format(
            "-M trace writes paths as JSON lines (-O json), not '{}': per-reply rows go to --replies-file in "
            "--replies-format csv or json",
            *o.output_module)};
    if (!o.preprobe)
        for (const char* flag : {"--stop-set", "--preprobe-wait"})
            if (o.was_given(flag))
                return error{
                    fmt::format("{} works with --preprobe only: add --preprobe, or drop {}", flag, flag)};
    if (o.preprobe && o.was_given("--trace-order"))
        return error{
            "--preprobe sets its own order (backwards from each target's distance): drop --trace-order"};
    return ok();
}

// Trace and monitor write per-reply rows only to --replies-file: the row flags need it.
status check_reply_row_flags(const cli_options& o, run_mode mode) {
    if (o.was_given("--replies-file")) return ok();
    for (auto [name, flag] :
         {std::pair{"--output-fields", "-f/--output-fields"}, std::pair{"--output-filter", "--output-filter"},
          std::pair{"--replies-format", "--replies-format"}, std::pair{"--max-results", "-N/--max-results"}})
        if (o.was_given(name))
            return error{
                fmt::format("{} applies to the reply rows, which -M {} writes only with "
                            "--replies-file: add --replies-file, or drop {}",
                            flag, run_mode_name(mode), flag)};
    return ok();
}

// The flags of a mode's own group (cli_options.hpp) given in another mode.
status check_mode_groups(const cli_options& o, run_mode mode) {
    for (auto [group, owner] :
         {std::pair{trace_only_group, run_mode::trace}, std::pair{monitor_only_group, run_mode::monitor}})
        if (auto flags = o.given_in_group(group); mode != owner && !flags.empty())
            return error{fmt::format("{} applies to -M {} only: add -M {}, or drop {}", flags.front(),
                                     run_mode_name(owner), run_mode_name(owner), flags.front())};
    // A resumed --preprobe trace could not know which preprobe answers its lcores took before their
    // pause (trace_schedule.hpp), and so which TTLs they went on from.
    if (auto flags = o.given_in_group(checkpoint_group); o.preprobe && !flags.empty())
        return error{
            fmt::format("{} cannot go with --preprobe yet (a resumed trace would not know which "
                        "preprobe answers came in time): drop --preprobe, or drop {}",
                        flags.front(), flags.front())};
    if (auto flags = o.given_in_group(replies_group); mode == run_mode::scan && !flags.empty())
        return error{
            fmt::format("{} applies to -M trace and -M monitor only (scan mode writes its rows to -o): "
                        "drop {}",
                        flags.front(), flags.front())};
    return ok();
}

status check_flags_apply(const cli_options& o, run_mode mode) {
    ICS_CHECK(check_mode_groups(o, mode));
    if (mode == run_mode::trace) ICS_CHECK(check_trace_flags(o));
    if (mode == run_mode::monitor) ICS_CHECK(check_monitor_flags(o));
    if (mode != run_mode::scan) ICS_CHECK(check_reply_row_flags(o, mode));
    if (o.was_given("--rate") && o.was_given("--bandwidth"))
        return error{"-B/--bandwidth sets the rate: give -r/--rate or -B/--bandwidth, not both"};
    if (o.was_given("--gateway-ip") && o.was_given("--gateway-mac"))
        return error{"-G/--gateway-mac skips ARP, so --gateway-ip would never be resolved: give one of them"};
    if (o.was_given("--dryrun") && o.was_given("--gateway-ip"))
        return error{
            "--dryrun sends nothing, so --gateway-ip is never resolved: drop it (-G sets the "
            "probes' destination MAC)"};
    if (o.was_given("--dryrun") && o.was_given("--cooldown-time"))
        return error{"--dryrun receives nothing, so -c/--cooldown-time has nothing to wait for: drop it"};
    if (o.was_given("--memory") && !o.no_huge)
        return error{"--memory sizes DPDK's memory with --no-huge only: add --no-huge, or drop --memory"};
    if (o.af_xdp && o.interface.empty())
        return error{"--af-xdp needs the kernel interface: give it with -i IFACE"};
    return ok();
}

// --- Step 2: each flag's value -------------------------------------------------------------------

status read_device(const cli_options& o, scan_config& c) {
    const int devices = !o.interface.empty() + !o.pci.empty() + !o.vdev.empty();
    if (!o.dryrun.empty()) {
        if (devices)
            return error{"--dryrun writes probes to a file instead of a device: drop -i/--pci/--vdev"};
        if (c.lcores.tx_cores != 1) return error{"--dryrun writes one pcap file: use --tx-cores 1"};
        c.port.dryrun_pcap = o.dryrun;
        return ok();
    }
    if (devices != 1)
        return error{devices == 0 ? "no device given: name the interface with -i IFACE (or --pci / --vdev)"
                                  : "more than one device given: use only one of -i, --pci and --vdev"};
    c.port.iface = o.interface;
    c.port.pci = o.pci;
    c.port.vdevs = o.vdev;
    return ok();
}

// -G and --source-mac.
status read_mac_addresses(const cli_options& o, scan_config& c) {
    for (auto [text, flag, out] : {std::tuple{&o.gateway_mac, "-G/--gateway-mac", &c.gateway_mac},
                                   std::tuple{&o.source_mac, "--source-mac", &c.source_mac}}) {
        if (text->empty()) continue;
        auto m = parse_mac(*text);
        if (!m)
            return error{
                fmt::format("{} '{}' is not a MAC address: write it as 02:00:00:aa:bb:cc", flag, *text)};
        *out = *m;
    }
    return ok();
}

status read_addresses(const cli_options& o, scan_config& c) {
    if (c.family == ip_family::ipv6) {
        ICS_CHECK(read_mac_addresses(o, c));
        return read_addresses6(o, c);
    }
    ICS_CHECK(check_no_ipv6_given(o));
    if (o.source_ips.empty())
        return error{"no source address: give the address(es) probes are sent from with -S/--source-ip"};
    // Each -S is one argument: an address, range or CIDR, or a comma-separated list of them.
    std::vector<std::string> specs;
    for (const std::string& arg : o.source_ips) {
        std::string_view rest = arg;
        for (size_t comma; (comma = rest.find(',')) != std::string_view::npos; rest.remove_prefix(comma + 1))
            specs.emplace_back(rest.substr(0, comma));
        specs.emplace_back(rest);
        if (std::find(specs.begin(), specs.end(), "") != specs.end())
            return error{fmt::format(
                "-S/--source-ip '{}' has an empty item: separate addresses with single commas", arg)};
    }
    ICS_TRY(c.sources, parse_target_specs(specs, "-S/--source-ip"));
    ICS_CHECK(read_mac_addresses(o, c));
    if (!o.gateway_ip.empty()) {
        auto g = parse_ipv4(o.gateway_ip);
        if (!g) return error{fmt::format("--gateway-ip '{}' is not an IPv4 address", o.gateway_ip)};
        c.gateway_ip = *g;
    }
    if (!c.gateway_ip && !c.gateway_mac && o.dryrun.empty())
        return error{"no gateway: give --gateway-ip (resolved by ARP) or -G/--gateway-mac"};
    // The control lcore answers ARP for every -S address: never for the gateway's.
    if (c.gateway_ip && c.sources.contains(*c.gateway_ip))
        return error{
            fmt::format("-S/--source-ip covers the gateway {}: give -S the scanner's own addresses only "
                        "(it answers ARP for each)",
                        o.gateway_ip)};
    return ok();
}

status read_rate(const cli_options& o, scan_config& c) {
    auto rate = parse_number<long long>(o.rate);
    if (!rate || *rate < 0)
        return error{
            fmt::format("-r/--rate '{}' is not valid: give 0 (as fast as possible) or a positive number of "
                        "probes per second",
                        o.rate)};
    c.rate = uint64_t(*rate);
    if (!o.bandwidth.empty()) {
        auto bw = parse_bandwidth(o.bandwidth);
        if (!bw)
            return error{fmt::format("-B/--bandwidth '{}' is not valid: write bits per second like 10M or 1G",
                                     o.bandwidth)};
        c.bandwidth_bps = *bw;
        size_t frame = 0;
        if (c.tracing())
            frame = trace_probe::frame_len;
        else
            with_probe_type(c.probe_type, [&](auto t) { frame = decltype(t)::type::frame_len; });
        c.rate = std::max<uint64_t>(1, bandwidth_to_rate(*bw, unsigned(frame)));
    }
    return ok();
}

result<trace_plan> read_trace_plan(const cli_options& o, uint32_t probes) {
    trace_plan p;
    uint64_t min_ttl = 0, max_ttl = 0;
    ICS_TRY(min_ttl, whole_number(o.min_ttl, "--min-ttl", 0, 255));
    ICS_TRY(max_ttl, whole_number(o.max_ttl, "--max-ttl", 0, 255));
    if (min_ttl < 1 || max_ttl > trace_probe::max_ttl || min_ttl > max_ttl)
        return error{
            fmt::format("--min-ttl {} and --max-ttl {} must satisfy 1 <= min <= max <= {} (the TTL "
                        "travels in 6 bits of the probe)",
                        min_ttl, max_ttl, trace_probe::max_ttl)};
    p.min_ttl = uint8_t(min_ttl);
    p.max_ttl = uint8_t(max_ttl);
    p.probes = probes;
    if (o.trace_order == "random")
        p.order = trace_order::random;
    else if (o.trace_order == "ttl")
        p.order = trace_order::ttl;
    else
        return error{fmt::format("--trace-order '{}' is not known: use random or ttl", o.trace_order)};
    if (o.preprobe) p.order = trace_order::backward;
    p.default_split = uint8_t(std::clamp<unsigned>(16, p.min_ttl, p.max_ttl));
    ICS_TRY(p.stop_threshold, whole_number(o.stop_set, "--stop-set", 0, 0xffffffffu));
    ICS_TRY(p.preprobe_wait_s, seconds(o.preprobe_wait, "--preprobe-wait", 60));
    ICS_TRY(p.gaplimit, whole_number(o.gap_limit, "--gap-limit", 1, 255));
    return p;
}

// -n as a count (set now) or a percentage of the targets (returned, applied once they are known).
result<std::optional<double>> read_volume(const cli_options& o, scan_config& c) {
    ICS_TRY(c.probes, whole_number(o.probes, "-P/--probes", 1, 65535));
    ICS_TRY(c.probe_ttl, whole_number(o.probe_ttl, "--probe-ttl", 1, 255));
    if (c.tracing()) {
        ICS_TRY(c.trace, read_trace_plan(o, c.probes));
    }
    ICS_TRY(c.shards, whole_number(o.shards, "--shards", 1, 0xffffffffu));
    ICS_TRY(c.shard, whole_number(o.shard, "--shard", 0, 0xffffffffu));
    if (c.shard >= c.shards)
        return error{fmt::format("--shard {} is out of range: shards are numbered 0 to {} (--shards {})",
                                 c.shard, c.shards - 1, c.shards)};
    if (!o.seed.empty()) {
        auto s = parse_number<unsigned long long>(o.seed);
        if (!s) return error{fmt::format("-e/--seed '{}' is not valid: give an unsigned integer", o.seed)};
        c.seed = *s;
        c.seed_given = true;
    }
    ICS_TRY(c.cooldown_s, seconds(o.cooldown, "-c/--cooldown-time"));
    ICS_TRY(c.max_runtime_s, seconds(o.max_runtime, "-t/--max-runtime"));
    ICS_TRY(c.max_results, whole_number(o.max_results, "-N/--max-results", 0));
    if (c.mode == run_mode::monitor) ICS_CHECK(read_monitor(o, c));  // after the cooldown: it sets its own
    std::optional<double> percent;
    if (std::string_view t = o.max_targets; !t.empty() && t.back() == '%') {
        percent = parse_number<double>(t.substr(0, t.size() - 1));
        if (!percent || !(*percent > 0 && *percent <= 100))
            return error{
                fmt::format("-n/--max-targets '{}' is not a percentage between 0 and 100", o.max_targets)};
    } else if (!t.empty()) {
        auto n = parse_number<unsigned long long>(t);
        if (!n || *n == 0)
            return error{
                fmt::format("-n/--max-targets '{}' is not a positive number or percentage", o.max_targets)};
        c.max_targets = *n;
    }
    return percent;
}

status read_output(const cli_options& o, scan_config& c) {
    const bool trace = c.tracing();
    // Rows: scan results (-O), or trace and monitor modes' per-reply rows (--replies-format); their
    // own -o output (paths, summaries) is always JSON lines.
    const bool rows_apart = c.mode != run_mode::scan;
    const std::string row_format = rows_apart ? o.replies_format : o.output_module.value_or("csv");
    if (row_format == "csv")
        c.format = output_format::csv;
    else if (row_format == "json")
        c.format = output_format::json;
    else
        return error{fmt::format("{} '{}' is not known: use csv or json",
                                 rows_apart ? "--replies-format" : "-O/--output-module", row_format)};
    auto fields = parse_field_list(
        o.output_fields.empty() ? default_field_list(trace, c.family) : o.output_fields, c.family);
    if (!fields) return error{"-f/--output-fields: " + fields.error_message()};
    c.fields = *fields;
    c.output_filter_text = o.output_filter.value_or(rows_apart ? "repeat = 0" : "success = 1 && repeat = 0");
    ICS_TRY(c.filter, output_filter::parse(c.output_filter_text, c.family));
    c.replies_path = o.replies_file;
    c.output_path = o.output_file;
    c.quiet = o.quiet;
    return ok();
}

status read_lcores(const cli_options& o, scan_config& c) {
    ICS_TRY(c.lcores.tx_cores, whole_number(o.tx_cores, "--tx-cores", 1, 64));
    ICS_TRY(c.lcores.rx_cores, whole_number(o.rx_cores, "--rx-cores", 1, 64));
    // Each sender lcore paces its share of the rate; a share of 0 would mean "unpaced".
    if (c.rate > 0 && c.rate < c.lcores.tx_cores)
        return error{fmt::format(
            "a rate of {} pps cannot be split over {} sender lcores: lower --tx-cores or raise -r", c.rate,
            c.lcores.tx_cores)};
    ICS_TRY(c.lcores.mem_mb, whole_number(o.memory_mb, "--memory", 1, 1u << 20));
    c.lcores.busy_poll = o.busy_poll;
    c.lcores.no_huge = o.no_huge;
    c.lcores.verbose_eal = o.verbose_eal;
    if (!o.cpus.empty()) {
        ICS_TRY(c.lcores.cpus, parse_cpu_list(o.cpus));
    }
    return ok();
}

// --- Step 3: the targets -------------------------------------------------------------------------

// Why there are no targets: an option that took them as its value, if one did.
std::string no_targets_sentence(const cli_options& o) {
    for (const auto& [flag, value] : o.values)
        if (flag != "-S/--source-ip" && flag != "--gateway-ip" && parse_target_spec(value))
            return fmt::format(
                "no targets: '{}' was read as the value of {}; give {} its own value and the targets as "
                "arguments",
                value, flag, flag);
    return "no targets: give CIDR blocks, addresses or ranges as arguments, or -w/-I files";
}

// The default list's entries that cover the targets, named (ZMap's list is long).
std::string covering_entries(const interval_set& targets) {
    std::vector<std::string_view> names;
    for (std::string_view entry : default_blocklist_entries())
        if (!targets.intersect(interval_set({*parse_target_spec(entry)})).empty()) names.push_back(entry);
    if (names.size() <= 3) return fmt::format("{}", fmt::join(names, ", "));
    return fmt::format("{} and {} more", fmt::join(names.begin(), names.begin() + 3, ", "), names.size() - 3);
}

status read_targets(const cli_options& o, scan_config& c) {
    if (c.family == ip_family::ipv6) return read_targets6(o, c);
    interval_set targets;
    ICS_TRY(targets, parse_target_specs(o.targets, "target"));
    const bool monitor = c.mode == run_mode::monitor;  // its -I file has labels
    monitor_target_list labelled;
    if (monitor) {
        ICS_TRY(labelled, read_labelled_targets(o, c));
        targets = targets.unite(labelled.targets);
    }
    for (auto [path, what] :
         {std::pair{&o.allowlist_file, "allowlist file"}, std::pair{&o.list_of_ips_file, "list of IPs"}})
        if (!path->empty() && !(monitor && path == &o.list_of_ips_file)) {
            interval_set more;
            ICS_TRY(more, read_target_file(*path, what));
            targets = targets.unite(more);
        }
    if (targets.empty()) return error{no_targets_sentence(o)};
    interval_set blocklist = default_blocklist();
    if (o.blocklist_file) {
        ICS_TRY(blocklist, read_target_file(*o.blocklist_file, "blocklist file"));
    }
    c.targets = targets.subtract(blocklist);
    if (!c.targets.empty()) return monitor ? assign_monitor_groups(labelled, c) : ok();
    if (o.blocklist_file)
        return error{
            fmt::format("all {} targets are blocklisted by -b '{}': pass another -b FILE "
                        "(-b /dev/null for none)",
                        targets.size(), *o.blocklist_file)};
    return error{
        fmt::format("all {} targets are blocklisted by the default list of IANA special-purpose ranges "
                    "({}): pass -b FILE to use another blocklist (-b /dev/null for none)",
                    targets.size(), covering_entries(targets))};
}

// --- Step 3b: checkpoints ------------------------------------------------------------------------

// The text of the --resume file, or why it cannot be read.
result<std::string> read_checkpoint_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string text;
    if (in) text.assign(std::istreambuf_iterator<char>(in), {});
    if (!in && !in.eof())
        return error{fmt::format("cannot read --resume '{}': {}: give the file --checkpoint wrote", path,
                                 std::strerror(errno))};
    return text;
}

// Each sender's saved position within what its slice sends, and the saved plan this run's (a file
// edited by hand, or damaged, could otherwise start a sender past its end).
status check_positions_fit(const checkpoint& saved, const scan_config& c, const std::string& path) {
    uint64_t planned = 0;
    for (uint32_t t = 0; t < saved.positions.size(); ++t) {
        const walk_slice slice = c.slice(t, uint32_t(saved.positions.size()));
        const uint64_t total =
            c.mode == run_mode::trace
                ? trace_walk::total(c.targets.size(), c.trace, slice)
                : target_walk::targets_per_round(c.target_count(), c.max_targets, slice) * c.probes;
        if (saved.positions[t] > total) planned = UINT64_MAX;
        if (planned != UINT64_MAX) planned += total;
    }
    if (planned != saved.planned)
        return error{
            fmt::format("--resume '{}' is a damaged checkpoint (its positions do not fit its run): "
                        "resume from an intact copy, or start the scan again",
                        path)};
    return ok();
}

// A monitor's books go on from the checkpoint's: its targets (the identity checked them) in the
// same groups, from its next round, moved up to a -Q summary period's start so that every summary
// covers a whole period; --count is the whole monitor's, so the rounds left are those after it.
status resume_monitor(const checkpoint& saved, scan_config& c, const std::string& path) {
    const monitor_saved& m = *saved.monitor;
    if (m.counts.size() != shard_targets(c))
        return error{
            fmt::format("--resume '{}' is a damaged checkpoint (its table of targets does not fit "
                        "its run): resume from an intact copy, or start again",
                        path)};
    if (m.groups.size() != c.monitor.groups.size() || m.groups_fingerprint != groups_fingerprint(c.monitor))
        return error{
            fmt::format("the targets' groups are not those of the run in --resume '{}' ({} groups "
                        "there, {} here): give the same target file labels and --group-by",
                        path, m.groups.size(), c.monitor.groups.size())};
    const uint32_t per_summary = c.monitor.summary_rounds();
    const uint64_t first =
        per_summary ? (uint64_t(m.next_round) + per_summary - 1) / per_summary * per_summary : m.next_round;
    if (first > UINT32_MAX || (c.monitor.count != 0 && first >= c.monitor.count))
        return error{
            fmt::format("--resume '{}': that monitor is complete ({} of --count {} rounds done{}): "
                        "nothing is left to send; give a larger --count to go on",
                        path, m.next_round, c.monitor.count,
                        first != m.next_round ? ", the rest of a -Q period skipped" : "")};
    c.checkpoint.first_round = uint32_t(first);
    c.checkpoint.monitor_start = saved.monitor;
    return ok();
}

// A trace's hops so far: the first `journal_bytes` bytes of the journal beside the checkpoint
// (trace/hop_journal.hpp), which a resumed trace goes on appending to.
status resume_trace_hops(const checkpoint& saved, scan_config& c, const std::string& path) {
    const std::string journal = path + ".hops";
    const uint64_t want = *saved.journal_bytes;
    std::ifstream in(journal, std::ios::binary | std::ios::ate);  // its size first: `want` is the file's word
    const auto size = in ? uint64_t(std::streamoff(in.tellg())) : 0;
    std::string bytes;
    if (in && size >= want) {
        bytes.resize(want);
        in.seekg(0);
        in.read(bytes.data(), std::streamsize(want));
    }
    if (!in || size < want)
        return error{fmt::format(
            "cannot read the {} bytes of the trace's hops --resume '{}' names from '{}' ({}): keep "
            "that file beside the checkpoint, as the run wrote it",
            want, path, journal, in && size < want ? "it is shorter" : std::strerror(errno))};
    std::vector<journal_entry> hops;
    ICS_TRY(hops, parse_hop_journal(bytes, c.targets.size(), c.trace.ttls(), journal));
    c.checkpoint.trace_hops = std::make_shared<const std::vector<journal_entry>>(std::move(hops));
    c.checkpoint.journal_bytes = *saved.journal_bytes;
    return ok();
}

// The options a checkpoint cannot go with: a dry run receives nothing (its cooldown is 0), and -N
// would count its results anew in a resumed run.
status check_checkpoint_options(const cli_options& o, const scan_config& c) {
    const bool keeping = !c.checkpoint.path.empty();
    if (!keeping && o.was_given("--checkpoint-interval"))
        return error{"--checkpoint-interval applies to --checkpoint or --resume: add one, or drop it"};
    if (keeping && !o.dryrun.empty())
        return error{fmt::format("{} does not apply to --dryrun (nothing is received): drop it",
                                 o.checkpoint.empty() ? "--resume" : "--checkpoint")};
    if (keeping && c.max_results)
        return error{
            fmt::format("-N/--max-results cannot go with {}: a resumed run would count its "
                        "results anew; drop -N",
                        o.checkpoint.empty() ? "--resume" : "--checkpoint")};
    return ok();
}

// The checkpoint --resume names (none without --resume), read before the targets: a resumed run
// takes its seed unless -e was given (-6's keyed-random interface ids are drawn with it).
result<std::optional<checkpoint>> read_resumed(const cli_options& o, scan_config& c) {
    if (o.resume.empty() || o.resume == "-") return std::optional<checkpoint>{};
    std::string text;
    ICS_TRY(text, read_checkpoint_file(o.resume));
    checkpoint saved;
    ICS_TRY(saved, parse_checkpoint(text, o.resume));
    if (!c.seed_given) {
        c.seed = saved.identity.seed;
        c.seed_given = true;
    }
    return std::optional<checkpoint>(std::move(saved));
}

// --checkpoint and --resume (`saved`: read_resumed's): a resumed run must walk the same probes (-e,
// if given, must be the checkpoint's seed), and keeps its checkpoint in the same file unless
// --checkpoint names another.
status read_checkpoint(const cli_options& o, scan_config& c, const std::optional<checkpoint>& resumed) {
    checkpoint_settings& k = c.checkpoint;
    k.path = o.checkpoint.empty() ? o.resume : o.checkpoint;
    if (k.path == "-")
        return error{"--checkpoint '-' is not a file: name a file, which is replaced at each checkpoint"};
    ICS_TRY(k.interval_s, seconds(o.checkpoint_interval, "--checkpoint-interval"));
    // Positions are sampled every 0.1 s: a shorter interval would only sync the disk more often.
    if (!(k.interval_s >= 0.1))
        return error{fmt::format("--checkpoint-interval '{}' is under 0.1 s: give at least 0.1",
                                 o.checkpoint_interval)};
    ICS_CHECK(check_checkpoint_options(o, c));
    if (!resumed) return ok();
    const checkpoint& saved = *resumed;
    if (auto why = identity_mismatch(saved.identity, identity_of(c), o.resume)) return error{*why};
    k.resumed_from = o.resume;
    if (c.mode == run_mode::monitor) return resume_monitor(saved, c, o.resume);
    ICS_CHECK(check_positions_fit(saved, c, o.resume));
    if (saved.complete())
        return error{
            fmt::format("--resume '{}': that {} is complete (all {} probes covered): nothing is "
                        "left to send",
                        o.resume, c.mode == run_mode::trace ? "trace" : "scan", saved.planned)};
    k.start_positions = saved.positions;
    if (c.mode == run_mode::trace) return resume_trace_hops(saved, c, o.resume);
    return ok();
}

// --- Step 4: the host ----------------------------------------------------------------------------

status check_host(const cli_options& o, scan_config& c) {
    if (!c.port.iface.empty())
        if (auto st = dpdk::check_interface_exists(c.port.iface); !st) return error{st.error_message()};
    // On af_packet, monitor mode takes its RTTs from the kernel's receive stamps in af_packet's ring
    // (rx_stamps.hpp; docs/design.md, "Timestamps"), and so do scans and traces slow enough for RX to
    // nap 8 ms with them (stamped_rx_nap_us): faster ones keep their measured path (short naps, poll
    // windows), where reading the stamps would only add to each burst's cost.
    const bool napping_rate = c.rate != 0 && c.rate <= stamped_nap_max_rate;
    c.port.kernel_stamps =
        !c.port.iface.empty() && !o.af_xdp && (c.mode == run_mode::monitor || napping_rate);
    // AF_XDP: one socket (DPDK port) per queue of the interface, as DPDK's af_xdp driver opens
    // only one queue per port on devices that report no combined channels (veth).
    if (o.af_xdp) {
        const unsigned queues = dpdk::interface_queue_pairs(c.port.iface);
        if (queues < c.lcores.tx_cores)
            return error{fmt::format(
                "interface '{}' has {} queue pair(s) but --tx-cores {} needs an AF_XDP socket on a queue of "
                "its own for each: lower --tx-cores, or give the interface more queues (ethtool -L; "
                "numtxqueues and numrxqueues for a veth)",
                c.port.iface, queues, c.lcores.tx_cores)};
        if (queues == c.lcores.tx_cores && !c.gateway_mac)
            return error{fmt::format(
                "with --af-xdp every queue of '{}' goes to a TX lcore and none is left to resolve the "
                "gateway or answer ARP: give -G/--gateway-mac (and a static ARP entry for the source on the "
                "gateway), or use one TX lcore fewer",
                c.port.iface)};
        c.port.vdevs = dpdk::af_xdp_vdevs(c.port.iface, queues);
        c.port.iface.clear();
    }
    if (!o.no_huge)
        if (auto st = dpdk::check_hugepages(); !st) return error{st.error_message()};
    return ok();
}

// --- Step 5: the output files, checked but not opened ---------------------------------------------

// Which file a path names, so that two spellings of one file compare equal: an existing file by
// device and inode (a symbolic or hard link to it, "./f" and "f"), a new one by its path made
// absolute with symbolic links resolved; stdout ("-") as itself.
std::tuple<dev_t, ino_t, std::string> file_identity(const std::string& path) {
    struct stat st {};
    if (path != "-" && stat(path.c_str(), &st) == 0) return {st.st_dev, st.st_ino, ""};
    std::error_code ec;
    const auto canonical = path == "-" ? path : std::filesystem::weakly_canonical(path, ec).string();
    return {0, 0, ec ? path : canonical};
}

status check_output_files(const cli_options& o, const scan_config& c, output_paths& files) {
    files = {o.output_file, o.replies_file, o.status_updates_file, o.metadata_file,
             o.checkpoint.empty() ? o.resume : o.checkpoint};
    // A trace's journal: kept up to the checkpoint's count when the run goes on in the same one,
    // written anew (with the restored hops first) in another.
    if (c.mode == run_mode::trace && !files.checkpoint.empty()) {
        files.journal = files.checkpoint + ".hops";
        if (!c.checkpoint.resumed_from.empty() &&
            file_identity(files.checkpoint) == file_identity(c.checkpoint.resumed_from))
            files.journal_kept = c.checkpoint.journal_bytes;
    }
    const std::pair<const std::string*, const char*> named[] = {
        {&files.output, "-o/--output-file"},
        {&files.replies, "--replies-file"},
        {&files.status_updates, "-u/--status-updates-file"},
        {&files.metadata, "-m/--metadata-file"},
        {&files.checkpoint, o.checkpoint.empty() ? "--resume" : "--checkpoint"},
        {&files.journal, "the trace's hop journal"}};
    for (size_t i = 0; i < std::size(named); ++i)
        for (size_t j = i + 1; j < std::size(named); ++j)
            if (!named[i].first->empty() && !named[j].first->empty() &&
                file_identity(*named[i].first) == file_identity(*named[j].first))
                return error{fmt::format("{} '{}' and {} '{}' are the same file: give each its own file",
                                         named[i].second, *named[i].first, named[j].second, *named[j].first)};
    for (auto [path, what, renamed] : {std::tuple{&files.output, "the output file", false},
                                       std::tuple{&files.replies, "the replies file", false},
                                       std::tuple{&files.status_updates, "the status updates file", false},
                                       std::tuple{&files.metadata, "the metadata file", true},
                                       std::tuple{&files.checkpoint, "the checkpoint file", true},
                                       std::tuple{&files.journal, "the trace's hop journal", false}})
        if (!path->empty())
            if (auto st = check_writable(*path, what, renamed); !st) return st;
    return ok();
}

// --- The per-scan keys (drawn before the targets: build_config) -----------------------------------

status draw_keys(scan_config& c) {
    uint64_t random_words[3];
    if (getrandom(random_words, sizeof random_words, 0) != sizeof random_words)
        return error{"cannot draw the per-scan cookie key from the kernel (getrandom failed)"};
    c.key = {random_words[0], random_words[1]};
    if (!c.seed_given) c.seed = random_words[2];
    return ok();
}

}  // namespace

result<built_config> build_config(const cli_options& o) {
    built_config b;
    scan_config& c = b.cfg;
    ICS_CHECK(read_mode(o, c));
    ICS_CHECK(read_family(o, c));
    ICS_CHECK(check_flags_apply(o, c.mode));
    // Each step may use what the earlier ones read (the rate before the lcores that share it, the
    // lcores before the dry run's single sender).
    ICS_CHECK(read_rate(o, c));
    ICS_CHECK(read_lcores(o, c));
    ICS_CHECK(read_device(o, c));
    ICS_CHECK(read_test_knobs(c));
    ICS_CHECK(read_addresses(o, c));
    std::optional<double> max_targets_percent;
    ICS_TRY(max_targets_percent, read_volume(o, c));
    ICS_CHECK(read_output(o, c));
    // The seed before the targets: -6's keyed-random interface ids need it (a resumed run takes the
    // checkpoint's, unless -e was given).
    std::optional<checkpoint> resumed;
    ICS_TRY(resumed, read_resumed(o, c));
    ICS_CHECK(draw_keys(c));
    ICS_CHECK(read_targets(o, c));
    if (c.mode == run_mode::monitor) ICS_CHECK(check_monitor_rate(o, c));
    if (max_targets_percent)
        c.max_targets =
            std::max<uint64_t>(1, uint64_t(double(c.target_count()) * *max_targets_percent / 100.0));
    ICS_CHECK(read_checkpoint(o, c, resumed));
    ICS_CHECK(check_host(o, c));
    ICS_CHECK(check_output_files(o, c, b.files));
    return b;
}

#undef ICS_CHECK
#undef ICS_TRY
#undef ICS_CAT
#undef ICS_CAT2

}  // namespace ics::app
