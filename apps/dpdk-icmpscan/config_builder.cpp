#include "config_builder.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "dpdk/eal_args.hpp"
#include "dpdk/host_checks.hpp"
#include "pace/pacer.hpp"
#include "probe/probe_types.hpp"
#include "probe/trace_probe.hpp"
#include "targets/target_spec.hpp"

namespace ics::app {
namespace {

template <typename T>
std::optional<T> parse_number(std::string_view s) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

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

result<std::FILE*> open_for_writing(const std::string& path, const char* what) {
    if (path == "-") return stdout;
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f)
        return error{
            fmt::format("cannot write {} '{}': check that its directory exists and is writable", what, path)};
    return f;
}

result<trace_plan> build_trace_plan(const cli_options& o) {
    trace_plan p;
    if (o.min_ttl < 1 || o.max_ttl > trace_probe::max_ttl || o.min_ttl > o.max_ttl)
        return error{
            fmt::format("--min-ttl {} and --max-ttl {} must satisfy 1 <= min <= max <= {} (the TTL "
                        "travels in 6 bits of the probe)",
                        o.min_ttl, o.max_ttl, trace_probe::max_ttl)};
    p.min_ttl = uint8_t(o.min_ttl);
    p.max_ttl = uint8_t(o.max_ttl);
    p.probes = o.probes;
    if (o.trace_order == "random")
        p.order = trace_order::random;
    else if (o.trace_order == "ttl")
        p.order = trace_order::ttl;
    else
        return error{fmt::format("--trace-order '{}' is not known: use random or ttl", o.trace_order)};
    if (o.preprobe) {
        if (o.trace_order != "random")
            return error{
                "--preprobe sets its own order (backwards from each target's distance): drop --trace-order"};
        p.order = trace_order::backward;
    }
    p.default_split = uint8_t(std::clamp<unsigned>(16, p.min_ttl, p.max_ttl));
    p.stop_threshold = o.stop_set;
    if (o.preprobe_wait < 0 || o.preprobe_wait > 60 || !std::isfinite(o.preprobe_wait))
        return error{"--preprobe-wait must be between 0 and 60 seconds"};
    p.preprobe_wait_s = o.preprobe_wait;
    if (o.gap_limit < 1 || o.gap_limit > 255) return error{"--gap-limit must be between 1 and 255"};
    p.gaplimit = o.gap_limit;
    return p;
}

}  // namespace

built_config::built_config(built_config&& o) noexcept
    : cfg(std::move(o.cfg)), metadata_path(std::move(o.metadata_path)) {
    o.cfg.output = nullptr;
    o.cfg.status_updates = nullptr;
    o.cfg.replies = nullptr;
}

built_config::~built_config() {
    if (cfg.output && cfg.output != stdout) std::fclose(cfg.output);
    if (cfg.status_updates && cfg.status_updates != stdout) std::fclose(cfg.status_updates);
    if (cfg.replies && cfg.replies != stdout) std::fclose(cfg.replies);
}

result<built_config> build_config(const cli_options& o) {
    built_config b;
    scan_config& c = b.cfg;

    if (o.mode != "scan" && o.mode != "trace")
        return error{fmt::format("-M/--mode '{}' is not available: use -M scan or -M trace", o.mode)};
    c.mode = o.mode;
    const bool trace = c.tracing();
    if (!with_probe_type(o.probe_module, [](auto) {}))
        return error{fmt::format("unknown --probe-module '{}': see --list-probe-modules", o.probe_module)};
    c.probe_type = o.probe_module;
    if (trace) {
        if (o.probe_module != "icmp_echo")
            return error{
                "--probe-module does not apply to -M trace: its probes are always Paris-style ICMP Echo"};
        c.probe_type = std::string(trace_probe::name);
    }

    // The device.
    const int devices = !o.interface.empty() + !o.pci.empty() + !o.vdev.empty();
    if (!o.dryrun.empty()) {
        if (devices)
            return error{"--dryrun writes probes to a file instead of a device: drop -i/--pci/--vdev"};
        if (o.tx_cores != 1) return error{"--dryrun writes one pcap file: use --tx-cores 1"};
        c.port.dryrun_pcap = o.dryrun;
    } else if (devices != 1) {
        return error{devices == 0 ? "no device given: name the interface with -i IFACE (or --pci / --vdev)"
                                  : "more than one device given: use only one of -i, --pci and --vdev"};
    } else if (!o.interface.empty()) {
        if (auto st = dpdk::check_interface_exists(o.interface); !st) return error{st.error_message()};
        c.port.iface = o.interface;
    } else {
        c.port.pci = o.pci;
        c.port.vdevs = o.vdev;
    }

    // Addresses.
    if (o.source_ips.empty())
        return error{"no source address: give the address(es) probes are sent from with -S/--source-ip"};
    auto sources = parse_target_specs(o.source_ips, "-S/--source-ip");
    if (!sources) return error{sources.error_message()};
    c.sources = *sources;
    for (auto [text, flag, out] : {std::tuple{&o.gateway_mac, "-G/--gateway-mac", &c.gateway_mac},
                                   std::tuple{&o.source_mac, "--source-mac", &c.source_mac}}) {
        if (text->empty()) continue;
        auto m = parse_mac(*text);
        if (!m)
            return error{
                fmt::format("{} '{}' is not a MAC address: write it as 02:00:00:aa:bb:cc", flag, *text)};
        *out = *m;
    }
    if (!o.gateway_ip.empty()) {
        auto g = parse_ipv4(o.gateway_ip);
        if (!g) return error{fmt::format("--gateway-ip '{}' is not an IPv4 address", o.gateway_ip)};
        c.gateway_ip = *g;
    }
    if (!c.gateway_ip && !c.gateway_mac && o.dryrun.empty())
        return error{"no gateway: give --gateway-ip (resolved by ARP) or -G/--gateway-mac"};

    // AF_XDP: one socket (DPDK port) per queue of the interface, as DPDK's af_xdp driver opens
    // only one queue per port on devices that report no combined channels (veth).
    if (o.af_xdp) {
        if (c.port.iface.empty()) return error{"--af-xdp needs the kernel interface: give it with -i IFACE"};
        const unsigned queues = dpdk::interface_queue_pairs(c.port.iface);
        if (queues < o.tx_cores)
            return error{fmt::format(
                "interface '{}' has {} queue pair(s) but --tx-cores {} needs an AF_XDP socket on a queue of "
                "its own for each: lower --tx-cores, or give the interface more queues (ethtool -L; "
                "numtxqueues and numrxqueues for a veth)",
                c.port.iface, queues, o.tx_cores)};
        if (queues == o.tx_cores && !c.gateway_mac)
            return error{fmt::format(
                "with --af-xdp every queue of '{}' goes to a TX lcore and none is left to resolve the "
                "gateway or answer ARP: give -G/--gateway-mac (and a static ARP entry for the source on the "
                "gateway), or use one TX lcore fewer",
                c.port.iface)};
        c.port.vdevs = dpdk::af_xdp_vdevs(c.port.iface, queues);
        c.port.iface.clear();
    }

    // Targets: command line, -w and -I together, minus the blocklist.
    auto parsed_targets = parse_target_specs(o.targets, "target");
    if (!parsed_targets) return error{parsed_targets.error_message()};
    interval_set targets = *parsed_targets;
    if (!o.allowlist_file.empty()) {
        auto f = read_target_file(o.allowlist_file, "allowlist file");
        if (!f) return error{f.error_message()};
        targets = targets.unite(*f);
    }
    if (!o.list_of_ips_file.empty()) {
        auto f = read_target_file(o.list_of_ips_file, "list of IPs");
        if (!f) return error{f.error_message()};
        targets = targets.unite(*f);
    }
    if (targets.empty())
        return error{"no targets: give CIDR blocks, addresses or ranges as arguments, or -w/-I files"};
    interval_set blocklist = default_blocklist();
    if (o.blocklist_file) {
        auto f = read_target_file(*o.blocklist_file, "blocklist file");
        if (!f) return error{f.error_message()};
        blocklist = *f;
    }
    c.targets = targets.subtract(blocklist);
    if (c.targets.empty())
        return error{
            fmt::format("all {} targets are blocklisted{}: pass -b FILE to use another blocklist "
                        "(-b /dev/null for none)",
                        targets.size(),
                        o.blocklist_file ? ""
                                         : " by the default list of IANA special-purpose "
                                           "ranges (it includes 198.18.0.0/15)")};

    // Rate and volume.
    auto rate = parse_number<long long>(o.rate);
    if (!rate || *rate < 0)
        return error{
            fmt::format("-r/--rate '{}' is not valid: give 0 (as fast as possible) or a positive "
                        "number of probes per second",
                        o.rate)};
    c.rate = uint64_t(*rate);
    if (!o.bandwidth.empty()) {
        auto bw = parse_bandwidth(o.bandwidth);
        if (!bw)
            return error{fmt::format("-B/--bandwidth '{}' is not valid: write bits per second like 10M or 1G",
                                     o.bandwidth)};
        c.bandwidth_bps = *bw;
        size_t frame = 0;
        if (trace)
            frame = trace_probe::frame_len;
        else
            with_probe_type(c.probe_type, [&](auto t) { frame = decltype(t)::type::frame_len; });
        c.rate = std::max<uint64_t>(1, bandwidth_to_rate(*bw, unsigned(frame)));
    }
    if (o.probes < 1 || o.probes > 65535) return error{"-P/--probes must be between 1 and 65535"};
    c.probes = o.probes;
    if (o.probe_ttl < 1 || o.probe_ttl > 255) return error{"--probe-ttl must be between 1 and 255"};
    if (trace && o.probe_ttl != 255)
        return error{
            "--probe-ttl does not apply to -M trace: give the TTL range with --min-ttl and --max-ttl"};
    if (trace && !o.max_targets.empty())
        return error{
            "-n/--max-targets does not apply to -M trace: give a smaller target set, or split it with "
            "--shards"};
    if (trace) {
        auto plan = build_trace_plan(o);
        if (!plan) return error{plan.error_message()};
        c.trace = *plan;
    }
    c.probe_ttl = uint8_t(o.probe_ttl);
    if (o.shards < 1) return error{"--shards must be at least 1"};
    if (o.shard >= o.shards)
        return error{fmt::format("--shard {} is out of range: shards are numbered 0 to {} (--shards {})",
                                 o.shard, o.shards - 1, o.shards)};
    c.shard = o.shard;
    c.shards = o.shards;
    if (!o.max_targets.empty()) {
        std::string_view t = o.max_targets;
        if (t.back() == '%') {
            auto pct = parse_number<double>(t.substr(0, t.size() - 1));
            if (!pct || *pct <= 0 || *pct > 100)
                return error{fmt::format("-n/--max-targets '{}' is not a percentage between 0 and 100",
                                         o.max_targets)};
            c.max_targets = std::max<uint64_t>(1, uint64_t(double(c.targets.size()) * *pct / 100.0));
        } else {
            auto n = parse_number<unsigned long long>(t);
            if (!n || *n == 0)
                return error{fmt::format("-n/--max-targets '{}' is not a positive number or percentage",
                                         o.max_targets)};
            c.max_targets = *n;
        }
    }
    if (!o.seed.empty()) {
        auto s = parse_number<unsigned long long>(o.seed);
        if (!s) return error{fmt::format("-e/--seed '{}' is not an unsigned integer", o.seed)};
        c.seed = *s;
        c.seed_given = true;
    }
    uint64_t random_words[3];
    if (getrandom(random_words, sizeof random_words, 0) != sizeof random_words)
        return error{"cannot draw the per-scan cookie key from the kernel (getrandom failed)"};
    c.key = {random_words[0], random_words[1]};
    if (!c.seed_given) c.seed = random_words[2];
    if (o.cooldown < 0 || !std::isfinite(o.cooldown))
        return error{"-c/--cooldown-time must be 0 or more seconds"};
    if (o.max_runtime < 0 || !std::isfinite(o.max_runtime))
        return error{"-t/--max-runtime must be 0 or more seconds"};
    c.cooldown_s = o.cooldown;
    c.max_runtime_s = o.max_runtime;
    c.max_results = o.max_results;

    // Lcores and memory.
    if (o.tx_cores < 1 || o.tx_cores > 64 || o.rx_cores < 1 || o.rx_cores > 64)
        return error{"--tx-cores and --rx-cores must be between 1 and 64"};
    // Each sender lcore paces its share of the rate; a share of 0 would mean "unpaced".
    if (c.rate > 0 && c.rate < o.tx_cores)
        return error{
            fmt::format("a rate of {} pps cannot be split over {} sender lcores: lower --tx-cores "
                        "or raise -r",
                        c.rate, o.tx_cores)};
    c.lcores.tx_cores = o.tx_cores;
    c.lcores.rx_cores = o.rx_cores;
    c.lcores.busy_poll = o.busy_poll;
    c.lcores.no_huge = o.no_huge;
    c.lcores.mem_mb = o.memory_mb;
    c.lcores.verbose_eal = o.verbose_eal;
    if (!o.cpus.empty()) {
        auto cpus = parse_cpu_list(o.cpus);
        if (!cpus) return error{cpus.error_message()};
        c.lcores.cpus = *cpus;
    }
    if (!o.no_huge)
        if (auto st = dpdk::check_hugepages(); !st) return error{st.error_message()};

    // Output.
    // Rows: scan results (-O), or trace mode's per-reply rows (--replies-format); trace paths are
    // always scamper-style JSON lines.
    const std::string row_format = trace ? o.replies_format : o.output_module.value_or("csv");
    const char* row_flag = trace ? "--replies-format" : "-O/--output-module";
    if (trace && o.output_module && *o.output_module != "json")
        return error{
            fmt::format("-M trace writes paths as JSON lines (-O json), not '{}': per-reply rows go to "
                        "--replies-file in --replies-format csv or json",
                        *o.output_module)};
    if (row_format == "csv")
        c.format = output_format::csv;
    else if (row_format == "json")
        c.format = output_format::json;
    else
        return error{fmt::format("{} '{}' is not known: use csv or json", row_flag, row_format)};
    auto fields = parse_field_list(o.output_fields.empty() ? default_field_list(trace) : o.output_fields);
    if (!fields) return error{"-f/--output-fields: " + fields.error_message()};
    c.fields = *fields;
    const std::string filter_text =
        o.output_filter.value_or(trace ? "repeat = 0" : "success = 1 && repeat = 0");
    auto filter = output_filter::parse(filter_text);
    if (!filter) return error{filter.error_message()};
    c.filter = *filter;
    c.output_filter_text = filter_text;
    if (!o.replies_file.empty()) {
        if (!trace) return error{"--replies-file is for -M trace: scan mode writes its rows to -o"};
        if (o.replies_file == o.output_file)
            return error{"--replies-file and -o name the same file: give each its own"};
        auto rf = open_for_writing(o.replies_file, "the replies file");
        if (!rf) return error{rf.error_message()};
        c.replies = *rf;
        c.replies_path = o.replies_file;
    }
    if (trace && c.max_results && !c.replies)
        return error{"-N/--max-results counts reply rows: in -M trace give --replies-file too"};
    c.quiet = o.quiet;
    auto out = open_for_writing(o.output_file, "the output file");
    if (!out) return error{out.error_message()};
    c.output = *out;
    c.output_path = o.output_file;
    if (!o.status_updates_file.empty()) {
        auto su = open_for_writing(o.status_updates_file, "the status updates file");
        if (!su) return error{su.error_message()};
        c.status_updates = *su;
    }
    if (!o.metadata_file.empty()) {
        // Fail now rather than after the scan: the file is written at the end.
        auto md = open_for_writing(o.metadata_file, "the metadata file");
        if (!md) return error{md.error_message()};
        if (*md != stdout) std::fclose(*md);
        b.metadata_path = o.metadata_file;
    }
    return b;
}

}  // namespace ics::app
