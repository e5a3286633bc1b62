#include "trace/path_writer.hpp"

#include <ctime>

#include "reply/mpls_entry.hpp"

namespace ics {
namespace {

void append_hop(fmt::memory_buffer& out, const hop_slot& h, unsigned ttl, unsigned probe_size) {
    auto it = std::back_inserter(out);
    fmt::format_to(it,
                   R"({{"addr":"{}", "probe_ttl":{}, "probe_id":1, "probe_size":{}, "rtt":{}.{:03}, )"
                   R"("reply_ttl":{}, "icmp_type":{}, "icmp_code":{})",
                   format_ipv4(h.addr), ttl, probe_size, h.rtt_us / 1000, h.rtt_us % 1000, h.reply_ttl,
                   h.type, h.code);
    if (h.type != 0)
        fmt::format_to(it, R"(, "icmp_q_ttl":{}, "icmp_q_ipl":{})", h.quoted_ttl, h.quote_ip_len);
    if (h.mpls_count) {
        fmt::format_to(it, R"(, "icmpext":[{{"ie_cn":1, "ie_ct":1, "ie_dl":{}, "mpls_labels":[)",
                       h.mpls_object_len >= 4 ? h.mpls_object_len - 4 : 0);
        for (unsigned i = 0; i < h.mpls_count; ++i) {
            const mpls_entry_fields e = decode_mpls_entry(h.mpls[i]);
            fmt::format_to(it, R"({}{{"mpls_ttl":{}, "mpls_s":{}, "mpls_exp":{}, "mpls_label":{}}})",
                           i ? "," : "", e.ttl, e.s, e.tc, e.label);
        }
        out.append(std::string_view("]}]"));
    }
    out.push_back('}');
}

}  // namespace

void append_path_json(fmt::memory_buffer& out, const path_header& h, const hop_slot* row,
                      const assembled_path& path, const trace_plan& plan) {
    const time_t sec = time_t(h.start_wall_ns / 1000000000);
    struct tm tm_utc;
    gmtime_r(&sec, &tm_utc);
    char ftime[24];
    std::strftime(ftime, sizeof ftime, "%Y-%m-%d %H:%M:%S", &tm_utc);
    auto it = std::back_inserter(out);
    fmt::format_to(
        it,
        R"({{"type":"trace", "version":"0.1", "method":"icmp-echo-paris", "src":"{}", "dst":"{}", )"
        R"("icmp_sum":{}, "stop_reason":"{}", "stop_data":{}, )"
        R"("start":{{"sec":{}, "usec":{}, "ftime":"{}"}}, "hop_count":{}, "attempts":{}, )"
        R"("hoplimit":{}, "firsthop":{}, "probe_size":{}, "order":"{}", "hops":[)",
        format_ipv4(h.src), format_ipv4(h.dst), h.icmp_sum, stop_reason_name(path.reason), path.stop_data,
        uint64_t(sec), h.start_wall_ns / 1000 % 1000000, ftime, path.hop_count, plan.probes, plan.max_ttl,
        plan.min_ttl, h.probe_size, trace_order_name(plan.order));
    bool first = true;
    for (unsigned ttl = plan.min_ttl; ttl <= path.hop_count; ++ttl) {
        const hop_slot& s = row[ttl - plan.min_ttl];
        if (!s.present) continue;
        if (!first) out.push_back(',');
        first = false;
        append_hop(out, s, ttl, h.probe_size);
    }
    out.append(std::string_view("]}\n"));
}

}  // namespace ics
