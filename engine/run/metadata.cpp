#include "run/metadata.hpp"

#include <fmt/format.h>

#include "output/record_writer.hpp"
#include "reply/echo6_match.hpp"
#include "reply/reply_parser.hpp"

namespace ics {
namespace {
using nlohmann::json;

// What a first replies' slot (type << 4 | code) holds, by the run's family (scan_report.hpp).
classification slot_class(unsigned slot, ip_family family) {
    const uint8_t type = uint8_t(slot >> 4);
    if (family == ip_family::ipv6) return type == 0 ? classification::echoreply : classify_icmp6(type);
    return classify_icmp(type);
}

std::string iso_time(uint64_t wall_ns) {
    char buf[40];
    return std::string(buf, format_timestamp(wall_ns, buf));
}

// What the run was asked to do: modules, fields, interfaces, addresses, limits, lcores, shards.
// The run's family, its gateway and sources (-S).
void add_addresses(json& m, const scan_config& cfg) {
    const bool v6 = cfg.family == ip_family::ipv6;
    m["ip_family"] = v6 ? "ipv6" : "ipv4";
    if (v6) {
        m["gateway_ip"] = cfg.gateway_ip6 ? format_ipv6(*cfg.gateway_ip6) : "";
        m["source_ip_first"] = format_ipv6(cfg.sources6.ranges().front().first);
        m["source_ip_last"] = format_ipv6(cfg.sources6.ranges().back().last);
        return;
    }
    m["gateway_ip"] = cfg.gateway_ip ? format_ipv4(*cfg.gateway_ip) : "";
    m["source_ip_first"] = format_ipv4(cfg.sources.ranges().front().first);
    m["source_ip_last"] = format_ipv4(cfg.sources.ranges().back().last);
    m["source_ip_count"] = cfg.sources.size();
}

// The target set: IPv4's ranges, or IPv6's list with what its lines made of it (listed =
// targets_allowed + duplicates + blocklisted).
void add_targets(json& m, const scan_config& cfg) {
    m["targets_allowed"] = cfg.target_count();
    if (cfg.family == ip_family::ipv4) {
        m["target_ranges"] = cfg.targets.ranges().size();
        return;
    }
    m["targets_listed"] = cfg.targets6.listed;
    m["targets_duplicates"] = cfg.targets6.duplicates;
    m["targets_blocklisted"] = cfg.targets6.blocklisted;
}

void add_settings(json& m, const scan_config& cfg, const scan_report& r, const std::string& version) {
    m["dpdk_icmpscan_version"] = version;
    m["mode"] = run_mode_name(cfg.mode);
    m["probe_module"] = cfg.probe_type;
    m["output_module"] = cfg.format == output_format::csv ? "csv" : "json";
    m["output_fields"] = json::array();
    for (auto f : cfg.fields) m["output_fields"].push_back(info(f).name);
    m["output_filter"] = cfg.output_filter_text;
    std::string port_names;
    for (const port_traffic& p : r.ports) port_names += (port_names.empty() ? "" : ",") + p.name;
    m["port"] = port_names;
    m["device"] = cfg.port.describe();
    m["iface"] = cfg.port.iface;
    m["source_mac"] = format_mac(r.source_mac);
    m["gateway_mac"] = format_mac(r.gateway_mac);
    add_addresses(m, cfg);
    m["rate"] = cfg.rate;
    m["bandwidth"] = cfg.bandwidth_bps;
    m["probes"] = cfg.probes;
    m["probe_ttl"] = cfg.probe_ttl;
    m["max_targets"] = cfg.max_targets;
    m["max_runtime"] = cfg.max_runtime_s;
    m["max_results"] = cfg.max_results;
    m["cooldown_secs"] = cfg.cooldown_s;
    m["senders"] = cfg.lcores.tx_cores;
    m["receivers"] = cfg.lcores.rx_cores;
    m["seed"] = cfg.seed;
    m["seed_provided"] = cfg.seed_given;
    m["shard_num"] = cfg.shard;
    m["total_shards"] = cfg.shards;
    m["dryrun"] = !cfg.port.dryrun_pcap.empty();
    add_targets(m, cfg);
    // Only when a test shrank them (docs/testing.md): the losses such a run counts are on purpose.
    const test_sizes& t = cfg.test;
    if (t.any() || cfg.port.af_packet_frames)
        m["test_sizes"] = {{"record_ring", t.record_ring},
                           {"arp_ring", t.arp_ring},
                           {"mbufs", t.mbufs},
                           {"output_nap_us", t.output_nap_us},
                           {"feedback_ring", t.feedback_ring},
                           {"af_packet_frames", cfg.port.af_packet_frames}};
}

// When it ran, why it stopped, and what it sent of what it planned.
void add_sending(json& m, const scan_report& r) {
    m["start_time"] = iso_time(r.start_wall_ns);
    m["end_time"] = iso_time(r.end_wall_ns);
    m["duration"] = double(r.end_wall_ns - r.start_wall_ns) / 1e9;
    m["send_duration"] = r.send_seconds;
    m["completed"] = r.completed;
    m["stop_reason"] = run_end_name(r.stop_reason);
    m["output_error"] = r.output_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.output_error);
    const uint64_t sent = r.probes_sent();
    m["packets_planned"] = r.probes_planned;
    m["packets_sent"] = sent;
    const uint64_t handled = sent + r.counters[counter::tx_trace_skipped];
    m["packets_not_sent"] = r.probes_planned > handled ? r.probes_planned - handled : 0;
    m["achieved_rate"] = r.achieved_rate();
    m["send_stamp_lag_max_us"] = r.send_stamp_lag_max_us;
}

// Trace mode's plan and what it saved and found.
json trace_section(const scan_config& cfg, const scan_report& r) {
    const trace_plan& t = cfg.trace;
    return {{"order", trace_order_name(t.order)},
            {"min_ttl", t.min_ttl},
            {"max_ttl", t.max_ttl},
            {"probes_per_hop", t.probes},
            {"stop_set_threshold", t.order == trace_order::backward ? t.stop_threshold : 0},
            {"preprobe_wait", t.order == trace_order::backward ? t.preprobe_wait_s : 0.0},
            {"gap_limit", t.gaplimit},
            {"probes_saved", r.counters[counter::tx_trace_skipped]},
            {"interfaces", r.trace_interfaces},
            {"paths_file", cfg.output_path},
            {"replies_file", cfg.replies_path}};
}

// Monitor mode's settings and what its books found.
json monitor_section(const scan_config& cfg, const scan_report& r) {
    const monitor_settings& m = cfg.monitor;
    json j = {{"period_s", double(m.period_us) / 1e6},
              {"count", m.count},
              {"timeout_s", double(m.timeout_us) / 1e6},
              {"summary_interval_s", double(m.summary_us) / 1e6},
              {"summary_rounds", m.summary_rounds()},
              {"down_after", m.down_after},
              {"group_by", m.group_by},
              {"metrics_targets", m.metrics_targets},
              {"prometheus", m.prometheus},
              {"summaries_file", cfg.output_path},
              {"replies_file", cfg.replies_path}};
    if (r.monitor) {
        const monitor_figures& f = *r.monitor;
        j["rounds_closed"] = f.rounds_closed;
        j["received"] = f.received;
        j["lost"] = f.lost;
        j["loss_percent"] = f.rounds_closed ? 100.0 * double(f.lost) / double(f.rounds_closed) : 0.0;
        j["late"] = f.late;
        j["duplicates"] = f.duplicates;
        j["outages"] = f.outages;
        j["recoveries"] = f.recoveries;
        j["targets_down_at_end"] = f.targets_down;
        j["summaries"] = f.summaries;
        j["groups"] = f.groups;
    }
    if (r.lateness)
        j["send_lateness_us"] = {{"bursts", r.lateness->bursts},
                                 {"p50_at_most", r.lateness->p50_us},
                                 {"p99_at_most", r.lateness->p99_us},
                                 {"max", r.lateness->max_us}};
    return j;
}

// Every named counter, the NICs' counters and each port's packets.
void add_counters(json& m, const scan_report& r) {
    json counters = json::object();
    for (size_t i = 0; i < counter_count; ++i)
        counters[std::string(counter_infos[i].name)] = r.counters.values[i];
    m["counters"] = counters;
    m["nic"] = {{"rx_missed", r.nic_rx_missed},
                {"rx_errors", r.nic_rx_errors},
                {"rx_nombuf", r.nic_rx_nombuf},
                {"tx_errors", r.nic_tx_errors}};
    json ports = json::array();
    for (const port_traffic& p : r.ports)
        ports.push_back({{"name", p.name}, {"rx_packets", p.rx_packets}, {"tx_packets", p.tx_packets}});
    m["ports"] = ports;
    json tx = json::array(), rx = json::array();
    for (const tx_lcore_traffic& t : r.tx_lcores)
        tx.push_back(
            {{"lcore", t.lcore}, {"port", t.port}, {"queue", t.queue}, {"probes_sent", t.probes_sent}});
    for (const rx_queue_traffic& q : r.rx_queues)
        rx.push_back({{"port", q.port},
                      {"queue", q.queue},
                      {"lcore", q.lcore},
                      {"rx_packets", q.rx_packets ? json(*q.rx_packets) : json(nullptr)}});
    m["tx_lcores"] = tx;
    m["rx_queues"] = rx;
}

// What came back: validated replies, hits, first replies by type and code, and how good the RTTs are.
void add_replies(json& m, const scan_report& r) {
    m["packets_recv"] = r.counters[counter::rx_frames];
    m["validation_passed"] = r.counters[counter::rx_valid];
    m["validation_failed"] = r.counters[counter::rx_cookie_invalid] + r.counters[counter::rx_quote_invalid];
    m["success_unique"] = r.hits;
    m["targets_scanned"] = r.targets_probed;  // hitrate = success_unique / targets_scanned
    m["hitrate"] = r.hit_rate_percent();
    json by_type = json::object();
    for (unsigned i = 0; i < 256; ++i)
        if (r.unique_by_type_code[i])
            by_type[fmt::format("{}/{}", classification_name(slot_class(i, r.family)), i & 15)] =
                r.unique_by_type_code[i];
    m["unique_replies_by_type_code"] = by_type;
    // docs/design.md, "Timestamps": what rtt_us estimates and how far off it can be.
    const std::string window = "midpoint of [max(poll window start, send stamp), poll window end]";
    const bool stamped = r.kernel_stamps;
    m["timestamp_source"] = stamped ? "kernel receive stamps (af_packet), tsc" : "tsc";
    m["rtt_estimate"] =
        stamped ? "the kernel's receive stamp; where refused (rx_stamp_refused): the " + window : window;
    m["rtt_error_bound_us"] = {{"replies", r.rtt_error.count()},
                               {"max", r.rtt_error.max()},
                               {"mean", r.rtt_error.mean()},
                               {"p50_at_most", r.rtt_error.at_most(0.50)},
                               {"p99_at_most", r.rtt_error.at_most(0.99)}};
    m["tsc_hz"] = r.tsc_hz;
    m["tsc_hz_nominal"] = r.tsc_hz_nominal;
}

// --checkpoint / --resume: the file, what its last checkpoint covers of the whole scan, and what
// the run resumed from. A monitor's covers rounds: it holds the books of every round before
// next_round (of --count, 0: until stopped).
json checkpoint_section(const scan_config& cfg, const scan_report& r) {
    const bool monitor = cfg.mode == run_mode::monitor;
    json j = {{"file", cfg.checkpoint.path},
              {"interval_secs", cfg.checkpoint.interval_s},
              {monitor ? "next_round" : "probes_covered", r.checkpoint_covered},
              {monitor ? "count" : "probes_planned", r.checkpoint_planned},
              {"complete", r.checkpoint_planned > 0 && r.checkpoint_covered >= r.checkpoint_planned},
              {"resumed_from",
               cfg.checkpoint.resumed_from.empty() ? json(nullptr) : json(cfg.checkpoint.resumed_from)}};
    if (monitor)
        j["first_round"] = cfg.checkpoint.first_round;
    else
        j["probes_before_resume"] = cfg.checkpoint.start_total();
    return j;
}

}  // namespace

// The keys are kept sorted by nlohmann::json, so the sections may add them in any order.
nlohmann::json build_metadata(const scan_config& cfg, const scan_report& r, const std::string& version) {
    json m;
    add_settings(m, cfg, r, version);
    add_sending(m, r);
    if (cfg.tracing()) m["trace"] = trace_section(cfg, r);
    if (cfg.mode == run_mode::monitor) m["monitor"] = monitor_section(cfg, r);
    if (!cfg.checkpoint.path.empty()) m["checkpoint"] = checkpoint_section(cfg, r);
    add_counters(m, r);
    add_replies(m, r);
    return m;
}

std::string summarize_replies(const scan_report& r) {
    std::string out;
    for (unsigned i = 0; i < 256; ++i) {
        if (!r.unique_by_type_code[i]) continue;
        if (!out.empty()) out += ", ";
        const classification c = slot_class(i, r.family);
        if (c == classification::echoreply)
            out += fmt::format("echoreply {}", r.unique_by_type_code[i]);
        else
            out += fmt::format("{}/code {} {}", classification_name(c), i & 15, r.unique_by_type_code[i]);
    }
    return out.empty() ? "no replies" : out;
}

}  // namespace ics
