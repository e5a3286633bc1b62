// The Prometheus text format 0.0.4 of a metrics snapshot (exposition.hpp says what is printed).
// Every family's samples are printed together under its HELP and TYPE lines, as the format asks.
#include "monitor/exposition.hpp"

#include <fmt/format.h>

#include <array>
#include <iterator>
#include <vector>

#include "net/ipv4_address.hpp"

namespace ics {

namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// `name{labels} value`, or `name value` when there are no labels.
template <typename Value>
void sample(std::string& out, std::string_view name, std::string_view labels, Value value) {
    if (labels.empty()) {
        fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
    } else {
        fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, labels, value);
    }
}

// The labels of a sample with one more label added after `labels`.
std::string with_label(std::string_view labels, std::string_view name, std::string_view value) {
    std::string all(labels);
    append_prom_label(all, name, value);
    return all;
}

// smokeping_prober counts the replies its socket failed to read; ours are the frames the receive
// side had no room for.
uint64_t receive_errors(const counter_totals& c) {
    return c[counter::rx_ring_full] + c[counter::rx_arp_ring_full] + c[counter::rx_nd_ring_full];
}

double seconds(uint64_t us) {
    return double(us) / 1e6;
}

// A histogram's samples: cumulative _bucket{le} counts, then _sum (seconds) and _count.
template <typename Count>
void histogram(std::string& out, std::string_view name, std::string_view labels,
               const prom_histogram<Count>& h) {
    // `name_bucket{labels,le="` once per histogram: most of an exposition is these lines.
    const std::string bucket = fmt::format("{}_bucket{{{}{}le=\"", name, labels, labels.empty() ? "" : ",");
    uint64_t cumulative = 0;
    for (unsigned k = 0; k < prom_finite_buckets; ++k) {
        cumulative += h.counts[k];
        fmt::format_to(std::back_inserter(out), "{}{}\"}} {}\n", bucket, prom_bucket_le[k], cumulative);
    }
    fmt::format_to(std::back_inserter(out), "{}+Inf\"}} {}\n", bucket, uint64_t(h.count));
    sample(out, fmt::format("{}_sum", name), labels, seconds(h.sum_us));
    sample(out, fmt::format("{}_count", name), labels, uint64_t(h.count));
}

void run_level(std::string& out, const run_metrics& run) {
    family(out, "dpdk_icmpscan_rounds_closed_total", "counter", "Rounds of probes closed (timed out).");
    sample(out, "dpdk_icmpscan_rounds_closed_total", "", run.rounds_closed);
    family(out, "dpdk_icmpscan_probes_sent_total", "counter", "Probes sent to all targets.");
    sample(out, "dpdk_icmpscan_probes_sent_total", "", run.probes_sent);
    family(out, "dpdk_icmpscan_targets", "gauge", "Targets monitored.");
    sample(out, "dpdk_icmpscan_targets", "", run.targets);
    family(out, "dpdk_icmpscan_targets_down", "gauge", "Targets down now.");
    sample(out, "dpdk_icmpscan_targets_down", "", run.targets_down);
    family(out, "dpdk_icmpscan_send_lateness_seconds", "gauge",
           "How late the senders sent a probe after its due time at most, over their last 100 ms.");
    sample(out, "dpdk_icmpscan_send_lateness_seconds", "", seconds(run.send_lateness_max_us));
    family(out, "dpdk_icmpscan_snapshot_timestamp_seconds", "gauge",
           "When these figures were taken (Unix time).");
    sample(out, "dpdk_icmpscan_snapshot_timestamp_seconds", "", double(run.snapshot_unix_ms) / 1e3);
    family(out, "smokeping_receive_errors_total", "counter",
           "The number of errors when Pinger attempts to receive packets.");
    sample(out, "smokeping_receive_errors_total", "", receive_errors(run.counters));
    // Every counter under its own name, so that an alert can name what it watches (a gateway claimed
    // by another MAC, forged replies, replies dropped for lack of room).
    for (size_t i = 0; i < counter_count; ++i) {
        const std::string name = fmt::format("dpdk_icmpscan_{}_total", counter_infos[i].name);
        family(out, name, "counter", fmt::format("{}.", counter_infos[i].description));
        sample(out, name, "", run.counters.values[i]);
    }
}

// One family with one sample per group, its value read by `field`.
template <typename Field>
void per_group(std::string& out, const metrics_snapshot& s, std::string_view name, std::string_view type,
               std::string_view help, Field field) {
    family(out, name, type, help);
    for (const group_metrics& g : s.groups) sample(out, name, g.labels, field(g));
}

void group_level(std::string& out, const metrics_snapshot& s) {
    const auto counters = [&](std::string_view name, std::string_view help, uint64_t probe_counters::*c) {
        per_group(out, s, name, "counter", help, [c](const group_metrics& g) { return g.counters.*c; });
    };
    counters("dpdk_icmpscan_group_probes_sent_total",
             "Probes to the group's targets whose round has closed (answered or lost).",
             &probe_counters::sent);
    counters("dpdk_icmpscan_group_replies_received_total", "Replies received in time.",
             &probe_counters::received);
    counters("dpdk_icmpscan_group_probes_lost_total", "Probes with no reply before the timeout.",
             &probe_counters::lost);
    counters("dpdk_icmpscan_group_replies_late_total",
             "Replies after the timeout (their probes count as lost).", &probe_counters::late);
    counters("dpdk_icmpscan_group_replies_duplicate_total", "Replies beyond the first to a probe.",
             &probe_counters::duplicate);
    family(out, "dpdk_icmpscan_group_icmp_errors_total", "counter",
           "ICMP errors about the group's probes, by ICMP type and code.");
    for (const group_metrics& g : s.groups) {
        for (const icmp_error_count& e : g.icmp_errors) {
            const std::string labels = with_label(with_label(g.labels, "type", fmt::format("{}", e.type)),
                                                  "code", fmt::format("{}", e.code));
            sample(out, "dpdk_icmpscan_group_icmp_errors_total", labels, e.count);
        }
    }
    family(out, "dpdk_icmpscan_group_rtt_seconds", "histogram", "Round-trip times of the group's replies.");
    for (const group_metrics& g : s.groups)
        histogram(out, "dpdk_icmpscan_group_rtt_seconds", g.labels, g.rtt);
    per_group(out, s, "dpdk_icmpscan_group_targets", "gauge", "Targets in the group.",
              [](const group_metrics& g) { return g.targets; });
    per_group(out, s, "dpdk_icmpscan_group_targets_down", "gauge", "The group's targets down now.",
              [](const group_metrics& g) { return g.targets_down; });
}

// smokeping_prober's labels of a target (host and ip both its address, as when it is given by
// address), then its group's.
std::string target_labels(const metrics_snapshot& s, const target_metrics& t) {
    const std::string ip = format_ipv4(t.ip);
    std::string labels;
    append_prom_label(labels, "host", ip);
    append_prom_label(labels, "ip", ip);
    append_prom_label(labels, "source", s.run.source);
    append_prom_label(labels, "tos", fmt::format("{}", s.run.tos));
    if (t.group < s.groups.size() && !s.groups[t.group].labels.empty()) {
        labels += ',';
        labels += s.groups[t.group].labels;
    }
    return labels;
}

void target_level(std::string& out, const metrics_snapshot& s) {
    std::vector<std::string> labels;
    labels.reserve(s.targets.size());
    for (const target_metrics& t : s.targets) labels.push_back(target_labels(s, t));
    const auto counters = [&](std::string_view name, std::string_view help, uint64_t probe_counters::*c) {
        family(out, name, "counter", help);
        for (size_t i = 0; i < s.targets.size(); ++i) sample(out, name, labels[i], s.targets[i].counters.*c);
    };
    counters("smokeping_requests_total", "Number of ping requests sent", &probe_counters::sent);
    family(out, "smokeping_response_duration_seconds", "histogram",
           "A histogram of latencies for ping responses.");
    for (size_t i = 0; i < s.targets.size(); ++i) {
        histogram(out, "smokeping_response_duration_seconds", labels[i], s.targets[i].rtt);
    }
    counters("smokeping_response_duplicates_total", "The number of duplicated response packets.",
             &probe_counters::duplicate);
    counters("dpdk_icmpscan_target_probes_lost_total",
             "Probes to the target with no reply before the timeout.", &probe_counters::lost);
    counters("dpdk_icmpscan_target_replies_late_total",
             "Replies from the target after the timeout (their probes count as lost).",
             &probe_counters::late);
}

}  // namespace

std::string format_exposition(const metrics_snapshot& snapshot) {
    std::string out;
    out.reserve(4096 + counter_count * 160 + snapshot.groups.size() * 3072 + snapshot.targets.size() * 4096);
    run_level(out, snapshot.run);
    group_level(out, snapshot);
    target_level(out, snapshot);
    return out;
}

void append_prom_label(std::string& labels, std::string_view name, std::string_view value) {
    if (!labels.empty()) labels += ',';
    labels += name;
    labels += "=\"";
    for (const char c : value) {
        switch (c) {
            case '\\':
                labels += "\\\\";
                break;
            case '"':
                labels += "\\\"";
                break;
            case '\n':
                labels += "\\n";
                break;
            default:
                labels += c;
        }
    }
    labels += '"';
}

bool prom_label_name_ok(std::string_view name) {
    constexpr std::array<std::string_view, 7> ours = {"host", "ip", "source", "tos", "le", "type", "code"};
    if (name.empty() || name.starts_with("__")) return false;
    for (const std::string_view o : ours) {
        if (name == o) return false;
    }
    const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!letter(name[0])) return false;
    for (const char c : name) {
        if (!letter(c) && !(c >= '0' && c <= '9')) return false;
    }
    return true;
}

}  // namespace ics
