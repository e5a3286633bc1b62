#include "ipv6_options.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "net/ipv4_address.hpp"
#include "option_values.hpp"
#include "probe/echo6_probe.hpp"
#include "targets/ipv6_spec.hpp"
#include "targets/ipv6_targets.hpp"
#include "targets/target_spec.hpp"

namespace ics::app {
namespace {

// What -6 does not take yet, with the reason; and what only -6 takes.
status check_family_flags(const cli_options& o, run_mode mode) {
    if (!o.ipv6) {
        if (o.was_given("--ipv6-per-prefix"))
            return error{"--ipv6-per-prefix applies to IPv6 targets: add -6, or drop it"};
        if (o.probe_module == echo6_probe::name)
            return error{fmt::format("--probe-module {} is -6's probe type: add -6", echo6_probe::name)};
        return ok();
    }
    if (mode != run_mode::scan)
        return error{
            fmt::format("-6 works with -M scan so far (IPv6 traces and monitoring are not built "
                        "yet): drop -M {}, or -6",
                        run_mode_name(mode))};
    if (o.was_given("--probe-module") && o.probe_module != echo6_probe::name)
        return error{fmt::format("-6 sends ICMPv6 Echo (probe type {}), not '{}': drop --probe-module",
                                 echo6_probe::name, o.probe_module)};
    return ok();
}

// -S's items: each argument an address or prefix, or a comma-separated list of them.
result<std::vector<ipv6_prefix>> source_prefixes(const cli_options& o) {
    std::vector<ipv6_prefix> out;
    for (const std::string& arg : o.source_ips) {
        std::string_view rest = arg;
        while (true) {
            const size_t comma = rest.find(',');
            const std::string_view item = rest.substr(0, comma);
            if (item.empty())
                return error{fmt::format(
                    "-S/--source-ip '{}' has an empty item: separate addresses with single commas", arg)};
            if (parse_ipv4(item))
                return error{fmt::format(
                    "-S/--source-ip '{}' is an IPv4 address: -6 sends from IPv6 addresses", item)};
            auto p = parse_ipv6_prefix_spec(item);
            if (!p) return error{fmt::format("-S/--source-ip: {}", p.error_message())};
            out.push_back(*p);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return out;
}

// The targets of the arguments and of the -I and -w files, merged.
result<ipv6_target_list> listed_targets(const cli_options& o, const ipv6_target_options& options) {
    ipv6_target_list all;
    if (!o.targets.empty()) {
        std::string text;
        for (const std::string& t : o.targets) {  // each checked alone: its own sentence, no line number
            if (parse_ipv4(t) || parse_target_spec(t))
                return error{
                    fmt::format("target '{}' is IPv4: -6 scans IPv6 targets only (scan IPv4 ones in "
                                "a run without -6)",
                                t)};
            if (auto p = parse_ipv6_prefix_spec(t); !p) return error{p.error_message()};
            text += t + "\n";
        }
        ICS_TRY(all, parse_ipv6_target_lines(text, "the target arguments", options));
    }
    for (const std::string* path : {&o.list_of_ips_file, &o.allowlist_file}) {
        if (path->empty()) continue;
        ipv6_target_list more;
        ICS_TRY(more, read_ipv6_target_file(*path, options));
        all = merge_target_lists(std::move(all), more);
    }
    return all;
}

// The blocklist: -b's file of IPv6 prefixes, or the default (IANA's special-purpose space).
result<ipv6_range_set> blocklist6(const cli_options& o) {
    if (!o.blocklist_file) return default_ipv6_blocklist();
    std::string text;
    ICS_TRY(text, read_text_file(*o.blocklist_file, "blocklist file"));
    auto list = parse_ipv6_blocklist_lines(text, *o.blocklist_file);
    if (!list)  // an IPv4 list given to -6, most likely: say what -6 needs
        return error{list.error_message() +
                     " (-6 takes a blocklist of IPv6 prefixes; -b /dev/null for none)"};
    return list;
}

}  // namespace

status read_family(const cli_options& o, scan_config& c) {
    ICS_CHECK(check_family_flags(o, c.mode));
    if (!o.ipv6) return ok();
    c.family = ip_family::ipv6;
    c.probe_type = std::string(echo6_probe::name);
    return ok();
}

status read_addresses6(const cli_options& o, scan_config& c) {
    if (o.source_ips.empty())
        return error{"no source address: give the IPv6 address probes are sent from with -S/--source-ip"};
    std::vector<ipv6_prefix> prefixes;
    ICS_TRY(prefixes, source_prefixes(o));
    c.sources6 = ipv6_range_set(prefixes);
    if (!echo6_probe::sources_supported(c.sources6))
        return error{
            "-S/--source-ip spans more than one /64: give IPv6 sources within one /64 (the probes' "
            "cookie tells them apart by their last 64 bits)"};
    if (!o.gateway_ip.empty()) {
        auto g = parse_ipv6(o.gateway_ip);
        if (!g)
            return error{
                fmt::format("--gateway-ip '{}' is not an IPv6 address (-6 resolves its gateway by "
                            "Neighbour Solicitation)",
                            o.gateway_ip)};
        c.gateway_ip6 = *g;
    }
    if (!c.gateway_ip6 && !c.gateway_mac && o.dryrun.empty())
        return error{
            "no gateway: give --gateway-ip (resolved by Neighbour Solicitation) or -G/--gateway-mac"};
    // The control lcore answers solicitations for every -S address: never for the gateway's.
    if (c.gateway_ip6 && c.sources6.contains(*c.gateway_ip6))
        return error{
            fmt::format("-S/--source-ip covers the gateway {}: give -S the scanner's own addresses only "
                        "(it answers Neighbour Solicitations for each)",
                        o.gateway_ip)};
    return ok();
}

status read_targets6(const cli_options& o, scan_config& c) {
    ipv6_target_options options;
    if (!o.ipv6_per_prefix.empty()) {
        ICS_TRY(options.rule, parse_ipv6_per_prefix(o.ipv6_per_prefix));
    }
    options.seed = c.seed;
    ipv6_range_set blocklist;
    ICS_TRY(blocklist, blocklist6(o));
    options.blocklist = &blocklist;
    ICS_TRY(c.targets6, listed_targets(o, options));
    if (c.targets6.size() > ipv6_max_targets)
        return error{
            fmt::format("the targets make {} IPv6 addresses, more than {}: scan them in parts, or "
                        "make fewer per prefix with --ipv6-per-prefix",
                        c.targets6.size(), ipv6_max_targets)};
    if (c.targets6.size()) {
        echo6_probe::key_targets(c.targets6, c.key);  // the keys are drawn before the targets
        return ok();
    }
    if (c.targets6.blocklisted == 0)
        return error{"no targets: give IPv6 addresses or prefixes as arguments, or -I/-w files of them"};
    return error{
        fmt::format("all {} targets are blocklisted by {}: pass -b FILE to use another blocklist "
                    "(-b /dev/null for none)",
                    c.targets6.blocklisted,
                    o.blocklist_file ? fmt::format("-b '{}'", *o.blocklist_file)
                                     : std::string("the default list of IANA special-purpose "
                                                   "IPv6 ranges (2001:db8::/32 among them)"))};
}

status check_no_ipv6_given(const cli_options& o) {
    const auto is_ipv6 = [](std::string_view text) {
        return text.find(':') != std::string_view::npos && parse_ipv6_prefix_spec(text);
    };
    for (const std::string& arg : o.source_ips)
        for (size_t at = 0; at <= arg.size();) {
            const size_t comma = std::min(arg.find(',', at), arg.size());
            if (is_ipv6(std::string_view(arg).substr(at, comma - at)))
                return error{
                    fmt::format("-S/--source-ip '{}' is an IPv6 address: add -6 to probe IPv6 targets",
                                arg.substr(at, comma - at))};
            at = comma + 1;
        }
    if (is_ipv6(o.gateway_ip))
        return error{
            fmt::format("--gateway-ip '{}' is an IPv6 address: add -6 to probe IPv6 targets", o.gateway_ip)};
    for (const std::string& t : o.targets)
        if (is_ipv6(t)) return error{fmt::format("target '{}' is IPv6: add -6 to probe IPv6 targets", t)};
    return ok();
}

}  // namespace ics::app
