// Path assembly with scamper's stop reasons, the trace collector's attribution, repeats and
// feedback, and the scamper-style JSON line.
#include "trace/path_assembly.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "trace/path_writer.hpp"
#include "trace/trace_collector.hpp"

using namespace ics;

namespace {
constexpr ipv4_addr dst = 0xc6127c09;

hop_slot hop(ipv4_addr addr, uint8_t type, uint8_t code = 0) {
    hop_slot h{};
    h.addr = addr;
    h.type = type;
    h.code = code;
    h.present = 1;
    h.rtt_us = 1234;
    h.reply_ttl = 60;
    h.quoted_ttl = 1;
    return h;
}

result_record record(ipv4_addr from, ipv4_addr target, uint8_t type, uint8_t probe_ttl,
                     uint8_t reply_ttl = 64, uint8_t quoted_ttl = 1) {
    result_record r{};
    r.saddr = from;
    r.probe_daddr = target;
    r.type = type;
    r.probe_ttl = probe_ttl;
    r.ttl = reply_ttl;
    r.quoted_ttl = quoted_ttl;
    r.success = type == 0;
    return r;
}
}  // namespace

TEST(PathAssembly, CompletedWithASilentHop) {
    std::vector<hop_slot> row(8);
    row[0] = hop(1, 11);
    row[1] = hop(2, 11);
    row[3] = hop(4, 11);  // TTL 3 silent
    row[4] = hop(dst, 0);
    row[5] = hop(dst, 0);  // TTLs past the end answer too; the path ends at the first
    auto p = assemble_path(row.data(), 1, 8, 5);
    EXPECT_EQ(p.reason, stop_reason::completed);
    EXPECT_EQ(p.hop_count, 5);
    EXPECT_EQ(p.responses, 4);
}

TEST(PathAssembly, StopReasons) {
    std::vector<hop_slot> row(8);
    row[0] = hop(1, 11);
    row[1] = hop(2, 3, 13);
    auto p = assemble_path(row.data(), 1, 8, 5);
    EXPECT_EQ(stop_reason_name(p.reason), "UNREACH");
    EXPECT_EQ(p.stop_data, 13);
    EXPECT_EQ(p.hop_count, 2);

    row[1] = hop(2, 11);
    row[2] = hop(1, 11);  // back at the first router
    p = assemble_path(row.data(), 1, 8, 5);
    EXPECT_EQ(stop_reason_name(p.reason), "LOOP");
    EXPECT_EQ(p.hop_count, 3);

    row[2] = hop(3, 12);
    p = assemble_path(row.data(), 1, 8, 5);
    EXPECT_EQ(stop_reason_name(p.reason), "ICMP");
    EXPECT_EQ(p.stop_data, 12);

    row[2] = hop_slot{};  // silent from TTL 3: five gaps end it at 7
    p = assemble_path(row.data(), 1, 8, 5);
    EXPECT_EQ(stop_reason_name(p.reason), "GAPLIMIT");
    EXPECT_EQ(p.hop_count, 7);

    for (int i = 2; i < 8; ++i) row[size_t(i)] = hop(ipv4_addr(10 + i), 11);
    p = assemble_path(row.data(), 1, 8, 5);
    EXPECT_EQ(stop_reason_name(p.reason), "HOPLIMIT");
    EXPECT_EQ(p.hop_count, 8);

    std::vector<hop_slot> late(8);  // backward order: TTLs below a stop-set hit were never probed
    late[6] = hop(7, 11);
    EXPECT_EQ(stop_reason_name(assemble_path(late.data(), 1, 8, 5).reason), "GAPLIMIT");
    p = assemble_path(late.data(), 1, 8, 5, false);
    EXPECT_EQ(stop_reason_name(p.reason), "HOPLIMIT");
    EXPECT_EQ(p.hop_count, 8);

    std::vector<hop_slot> none(8);  // no reply at all still makes a path
    p = assemble_path(none.data(), 1, 8, 5);
    EXPECT_EQ(stop_reason_name(p.reason), "GAPLIMIT");
    EXPECT_EQ(p.hop_count, 5);
    EXPECT_EQ(p.responses, 0);
}

TEST(TraceCollector, FirstReplyPerSlotAndRepeats) {
    interval_set targets({{dst, dst + 9}});
    trace_plan plan;
    plan.max_ttl = 8;
    trace_collector c(targets, plan);
    trace_feedback fb[trace_collector::max_feedback];
    auto o = c.add(record(0xc613ff01, dst, 11, 3), fb);
    EXPECT_TRUE(o.attributed);
    EXPECT_TRUE(o.first);
    EXPECT_EQ(o.feedback, 0u) << "random order: no feedback";
    o = c.add(record(0xc613ff02, dst, 11, 3), fb);
    EXPECT_FALSE(o.first) << "same (target, TTL): a repeat";
    EXPECT_EQ(c.hops().row(0)[2].addr, 0xc613ff01u);
    auto outside = record(1, dst + 100, 11, 3);
    EXPECT_FALSE(c.add(outside, fb).attributed);
    auto rewritten = record(1, dst, 11, 4);
    rewritten.flags = record_flag::dst_rewritten;
    EXPECT_FALSE(c.add(rewritten, fb).attributed);
    auto too_far = record(1, dst, 11, 9);
    EXPECT_FALSE(c.add(too_far, fb).attributed);
}

TEST(TraceCollector, BackwardFeedback) {
    interval_set targets({{dst, dst + 9}});
    trace_plan plan;
    plan.order = trace_order::backward;
    plan.max_ttl = 8;
    plan.stop_threshold = 1;
    trace_collector c(targets, plan);
    trace_feedback fb[trace_collector::max_feedback];
    // The preprobe (TTL 8) draws an echo reply with TTL 62: three hops away; the path ends at 8.
    auto o = c.add(record(dst + 1, dst + 1, 0, 8, 62), fb);
    ASSERT_EQ(o.feedback, 2u);
    EXPECT_EQ(fb[0].kind, feedback_kind::split);
    EXPECT_EQ(fb[0].ttl, 3);
    EXPECT_EQ(fb[0].index, 1u);
    EXPECT_EQ(fb[1].kind, feedback_kind::end);
    // Router R seen first on the way to target 0: no stop yet; then on the way to target 2: stop.
    o = c.add(record(0xc6130202, dst, 11, 2), fb);
    EXPECT_EQ(o.feedback, 0u);
    o = c.add(record(0xc6130202, dst + 2, 11, 2), fb);
    ASSERT_EQ(o.feedback, 1u);
    EXPECT_EQ(fb[0].kind, feedback_kind::stop);
    EXPECT_EQ(fb[0].ttl, 2);
    EXPECT_EQ(fb[0].index, 2u);
    EXPECT_EQ(c.interfaces_in_stop_set(), 1u);
}

TEST(PathWriter, ScamperShapedJsonLine) {
    std::vector<hop_slot> row(8);
    row[0] = hop(0xc613fffe, 11);
    row[0].mpls_count = 1;
    row[0].mpls[0] = 24001u << 12 | 1u << 8 | 1;
    row[0].mpls_object_len = 8;
    row[0].quote_ip_len = 32;
    row[2] = hop(dst, 0);
    trace_plan plan;
    plan.max_ttl = 8;
    path_header h{0xc613ff01, dst, 4242, 1795746754000000000ull, 32};
    fmt::memory_buffer buf;
    append_path_json(buf, h, row.data(), assemble_path(row.data(), 1, 8, 5), plan);
    std::string line(buf.data(), buf.size());
    ASSERT_EQ(line.back(), '\n');
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["type"], "trace");
    EXPECT_EQ(j["src"], "198.19.255.1");
    EXPECT_EQ(j["dst"], "198.18.124.9");
    EXPECT_EQ(j["stop_reason"], "COMPLETED");
    EXPECT_EQ(j["hop_count"], 3);
    EXPECT_EQ(j["icmp_sum"], 4242);
    ASSERT_EQ(j["hops"].size(), 2u);
    auto h0 = j["hops"][0];
    EXPECT_EQ(h0["addr"], "198.19.255.254");
    EXPECT_EQ(h0["probe_ttl"], 1);
    EXPECT_DOUBLE_EQ(h0["rtt"].get<double>(), 1.234);
    EXPECT_EQ(h0["reply_ttl"], 60);
    EXPECT_EQ(h0["icmp_type"], 11);
    EXPECT_EQ(h0["icmp_q_ttl"], 1);
    EXPECT_EQ(h0["icmp_q_ipl"], 32);
    EXPECT_EQ(h0["icmpext"][0]["mpls_labels"][0]["mpls_label"], 24001);
    EXPECT_EQ(h0["icmpext"][0]["mpls_labels"][0]["mpls_s"], 1);
    EXPECT_EQ(h0["icmpext"][0]["ie_dl"], 4);
    auto h1 = j["hops"][1];
    EXPECT_EQ(h1["probe_ttl"], 3);
    EXPECT_EQ(h1["icmp_type"], 0);
    EXPECT_FALSE(h1.contains("icmp_q_ttl"));
}
