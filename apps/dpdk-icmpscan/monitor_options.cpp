// -M monitor's flags (monitor_options.hpp).
#include "monitor_options.hpp"

#include <map>

#include <fmt/format.h>

#include "modes/monitor_mode.hpp"
#include "monitor/rtt_summary.hpp"
#include "monitor/target_state.hpp"
#include "option_values.hpp"

namespace ics::app {

status check_monitor_flags(const cli_options& o) {
    for (auto [name, flag, why] :
         {std::tuple{"--probes", "-P/--probes", "it sends one probe per target every --period: give --count"},
          std::tuple{"--max-targets", "-n/--max-targets",
                     "it probes every target: give a smaller target set"},
          std::tuple{"--probe-module", "--probe-module", "its probes are always ICMP Echo"},
          std::tuple{"--bandwidth", "-B/--bandwidth", "the rate is the targets per --period"},
          std::tuple{"--cooldown-time", "-c/--cooldown-time", "it waits --timeout for the last replies"},
          std::tuple{"--max-results", "-N/--max-results", "it ends after --count rounds or -t"}})
        if (o.was_given(name)) return error{fmt::format("{} does not apply to -M monitor: {}", flag, why)};
    if (o.output_module && *o.output_module != "json")
        return error{fmt::format(
            "-M monitor writes summaries and events as JSON lines (-O json), not '{}': per-reply rows go "
            "to --replies-file in --replies-format csv or json",
            *o.output_module)};
    return ok();
}

namespace {

result<unsigned> prefix_length(const std::string& text) {
    const std::string digits = !text.empty() && text[0] == '/' ? text.substr(1) : text;
    const auto n = parse_number<unsigned>(digits);
    if (!n || *n < 8 || *n > 32)
        return error{fmt::format("--group-by '{}' is not valid: give a prefix length from /8 to /32", text)};
    return *n;
}

// The window of rounds a target keeps (target_state.hpp) must hold every round still open.
status check_timeout_fits(const monitor_settings& m) {
    const uint64_t open_us = m.timeout_us + monitor_close_margin_us;
    const uint64_t rounds_open = open_us / m.period_us + 2;
    if (rounds_open > target_state::window_rounds - 4)
        return error{fmt::format(
            "--timeout {} spans {} periods of {}, more than the {} rounds a target's window holds open: "
            "lengthen --period or shorten --timeout",
            format_duration(m.timeout_us), rounds_open, format_duration(m.period_us),
            target_state::window_rounds - 4)};
    return ok();
}

}  // namespace

status read_monitor(const cli_options& o, scan_config& c) {
    monitor_settings& m = c.monitor;
    ICS_TRY(m.period_us, duration_us(o.period, "--period", 1000, 3600000000ull));
    ICS_TRY(m.count, whole_number(o.count, "--count", 0, 1u << 30));
    // RTTs are exact up to 15.7 s (the probe's 24-bit send time), the RTT summaries to 16.8 s.
    ICS_TRY(m.timeout_us, duration_us(o.timeout, "--timeout", 1000, 10000000));
    if (!o.summary_interval.empty()) {
        ICS_TRY(m.summary_us,
                duration_us(o.summary_interval, "-Q/--summary-interval", m.period_us, 86400000000ull));
    }
    ICS_TRY(m.down_after, whole_number(o.down_after, "--down-after", 0, 60));
    ICS_TRY(m.metrics_targets, whole_number(o.metrics_targets, "--metrics-targets", 0, 1000000));
    ICS_TRY(m.group_by, prefix_length(o.group_by));
    m.prometheus = o.prometheus;
    ICS_CHECK(check_timeout_fits(m));
    c.probe_type = std::string(echo_probe::name);
    c.cooldown_s = double(m.timeout_us + monitor_close_margin_us) / 1e6;
    return ok();
}

status check_monitor_rate(const cli_options& o, scan_config& c) {
    const uint64_t targets = monitor_mode::targets_in_shard(c);
    const double needed = double(targets) * 1e6 / double(c.monitor.period_us);
    if (o.was_given("--rate") && c.rate != 0 && needed > double(c.rate))
        return error{
            fmt::format("--period {} over {} targets sends {:.0f} probes a second, more than -r {} allows: "
                        "lengthen --period "
                        "to at least {}, or raise -r",
                        format_duration(c.monitor.period_us), targets, needed, c.rate,
                        format_duration((targets * 1000000 + c.rate - 1) / c.rate))};
    c.rate = std::max<uint64_t>(1, uint64_t(std::ceil(needed)));
    return ok();
}

result<monitor_target_list> read_labelled_targets(const cli_options& o, const scan_config& c) {
    if (o.list_of_ips_file.empty()) return monitor_target_list{};
    return read_monitor_target_file(o.list_of_ips_file, c.monitor.group_by);
}

namespace {

// The targets outside the labelled file, one range a line, for the parser's prefix grouping.
std::string unlabelled_lines(const interval_set& targets, const interval_set& labelled) {
    std::string text;
    const interval_set rest = targets.subtract(labelled);
    for (const ipv4_range& r : rest.ranges()) text += format_ipv4(r.first) + "-" + format_ipv4(r.last) + "\n";
    return text;
}

}  // namespace

status assign_monitor_groups(const monitor_target_list& labelled, scan_config& c) {
    ICS_TRY(const monitor_target_list rest,
            parse_monitor_targets(unlabelled_lines(c.targets, labelled.targets), "the targets",
                                  c.monitor.group_by));
    // One group per label string, whichever list named it first.
    std::map<std::string, uint32_t, std::less<>> by_labels;
    std::vector<uint32_t> ids[2];
    const monitor_target_list* lists[2] = {&labelled, &rest};
    for (int l = 0; l < 2; ++l)
        for (const monitor_group& g : lists[l]->groups) {
            auto [it, added] = by_labels.try_emplace(g.prometheus_labels, uint32_t(c.monitor.groups.size()));
            if (added) {
                label_set set;
                for (const monitor_label& m : g.labels) set.emplace_back(m.key, m.value);
                c.monitor.groups.push_back(std::move(set));
            }
            ids[l].push_back(it->second);
        }
    if (c.monitor.groups.size() > max_monitor_groups)
        return error{
            fmt::format("the targets fall into {} groups, more than {}: give a shorter --group-by than /{}",
                        c.monitor.groups.size(), max_monitor_groups, c.monitor.group_by)};
    c.monitor.target_group.resize(c.targets.size());
    for (uint64_t i = 0; i < c.targets.size(); ++i) {
        const ipv4_addr a = c.targets.at(i);
        const int l = labelled.targets.contains(a) ? 0 : 1;
        c.monitor.target_group[i] = ids[l][lists[l]->group_of(*lists[l]->targets.index_of(a))];
    }
    return ok();
}

}  // namespace ics::app
