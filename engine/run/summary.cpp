#include "run/summary.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "output/status.hpp"
#include "run/metadata.hpp"

namespace ics {
namespace {

std::string file_name(const std::string& path) {
    return path == "-" ? "stdout" : path;
}

double percent(uint64_t part, uint64_t whole) {
    return whole ? 100.0 * double(part) / double(whole) : 0.0;
}

// "completed: sent 32 of 32 probes (2 per target) in 0.01 s (3.10 Kp/s)"
// Result rows known to be in the file: those given to it, less those a failed write lost.
uint64_t rows_in_file(const scan_report& r) {
    return r.counters[counter::out_written] - r.counters[counter::out_write_lost];
}

std::string sent_line(const scan_config& cfg, const scan_report& r) {
    const bool unbounded = cfg.mode == run_mode::monitor && cfg.monitor.count == 0;
    std::string line = unbounded ? fmt::format("{}: sent {} probes (no --count: until stopped)",
                                               run_end_name(r.stop_reason), r.probes_sent())
                                 : fmt::format("{}: sent {} of {} probes", run_end_name(r.stop_reason),
                                               r.probes_sent(), r.probes_planned);
    if (!cfg.tracing() && cfg.probes > 1) line += fmt::format(" ({} per target)", cfg.probes);
    line += fmt::format(" in {:.2f} s ({})", r.send_seconds, format_rate(r.achieved_rate()));
    const uint64_t skipped = r.counters[counter::tx_trace_skipped];
    if (cfg.tracing() && (skipped || cfg.trace.order == trace_order::backward))
        line += fmt::format("; {} skipped by the preprobe and stop set", skipped);
    if (!cfg.port.dryrun_pcap.empty())
        line += fmt::format("; dry run: the probes are in {}", cfg.port.dryrun_pcap);
    return line;
}

// Scan: replies, the first reply of each target by type, and the targets that answered Echo.
std::string scan_replies_line(const scan_report& r) {
    return fmt::format(
        "{} valid replies; first reply per target: {}; hosts up: {} of {} targets probed "
        "(hitrate {:.2f}%)",
        r.counters[counter::rx_valid], summarize_replies(r), r.hits, r.targets_probed, r.hit_rate_percent());
}

std::string scan_written_line(const scan_config& cfg, const scan_report& r) {
    std::string line =
        fmt::format("results written: {} rows to {}", rows_in_file(r), file_name(cfg.output_path));
    if (const uint64_t filtered = r.counters[counter::out_filtered])
        line += fmt::format(" ({} replies left out by --output-filter)", filtered);
    return line;
}

// Trace: the hop table holds the first reply per (target, TTL), so its counts are per hop.
std::string trace_replies_line(const scan_report& r) {
    return fmt::format(
        "{} valid replies; first reply per target and TTL: {}; {} router interfaces sent Time "
        "Exceeded; hosts up: {} of {} targets (hitrate {:.2f}%: an Echo Reply from the target at "
        "some TTL)",
        r.counters[counter::rx_valid], summarize_replies(r), r.trace_interfaces, r.hits, r.targets_probed,
        r.hit_rate_percent());
}

// "paths written: 4096 to paths.jsonl; 3839 COMPLETED (reached their target: 93.73%), 257 GAPLIMIT"
std::string trace_written_line(const scan_config& cfg, const scan_report& r) {
    std::string line = fmt::format("paths written: {} to {}", r.paths_written, file_name(cfg.output_path));
    const char* sep = "; ";
    for (size_t i = 0; i < r.paths_by_stop_reason.size(); ++i) {
        const uint64_t n = r.paths_by_stop_reason[i];
        if (!n) continue;
        const auto reason = stop_reason(i);
        line += fmt::format("{}{} {}", sep, n, stop_reason_name(reason));
        if (reason == stop_reason::completed)
            line += fmt::format(" (reached their target: {:.2f}%)", percent(n, r.paths_written));
        sep = ", ";
    }
    if (!cfg.replies_path.empty())
        line += fmt::format("; reply rows written: {} to {}", rows_in_file(r), file_name(cfg.replies_path));
    return line;
}

// "monitor: 2560 probes answered or lost over 256 targets: 2550 received, 10 lost (0.39%), ..."
std::string monitor_line(const scan_report& r) {
    const monitor_figures f = r.monitor.value_or(monitor_figures{});
    std::string line = fmt::format(
        "monitor: {} probes answered or lost over {} targets: {} received, {} lost ({:.2f}%), {} late, {} "
        "duplicates; {} outages, {} recoveries, {} targets down at the end",
        f.rounds_closed, r.targets_probed, f.received, f.lost, percent(f.lost, f.rounds_closed), f.late,
        f.duplicates, f.outages, f.recoveries, f.targets_down);
    if (r.lateness)
        line += fmt::format("; send lateness p50 {:.0f} us, p99 {:.0f} us, max {:.0f} us", r.lateness->p50_us,
                            r.lateness->p99_us, r.lateness->max_us);
    return line;
}

std::string monitor_written_line(const scan_config& cfg, const scan_report& r) {
    const monitor_figures f = r.monitor.value_or(monitor_figures{});
    std::string line = fmt::format("summaries written: {} (and {} outage events) to {}", f.summaries,
                                   f.outages + f.recoveries, file_name(cfg.output_path));
    if (!cfg.replies_path.empty())
        line += fmt::format("; reply rows written: {} to {}", rows_in_file(r), file_name(cfg.replies_path));
    return line;
}

}  // namespace

std::vector<std::string> format_summary(const scan_config& cfg, const scan_report& r) {
    std::vector<std::string> lines{sent_line(cfg, r)};
    if (cfg.tracing()) {
        lines.push_back(trace_replies_line(r));
        lines.push_back(trace_written_line(cfg, r));
    } else if (cfg.mode == run_mode::monitor) {
        lines.push_back(monitor_line(r));
        lines.push_back(monitor_written_line(cfg, r));
    } else {
        lines.push_back(scan_replies_line(r));
        lines.push_back(scan_written_line(cfg, r));
    }
    if (!r.completed) {
        const uint64_t done = r.probes_sent() + r.counters[counter::tx_trace_skipped];
        lines.push_back(fmt::format("not finished: {} probes were not sent (stopped by {})",
                                    r.probes_planned - std::min(done, r.probes_planned),
                                    run_end_name(r.stop_reason)));
    }
    return lines;
}

}  // namespace ics
