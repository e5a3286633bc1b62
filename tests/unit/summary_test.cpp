// The closing summary: every figure counts what its words say (targets, not probes; first replies
// per target, or per target and TTL in trace mode; rows or paths written).
#include "run/summary.hpp"

#include <gtest/gtest.h>

using namespace ics;

namespace {
void set(scan_report& r, counter c, uint64_t v) {
    r.counters.values[size_t(c)] = v;
}

bool has(const std::vector<std::string>& lines, const std::string& text) {
    for (const auto& l : lines)
        if (l.find(text) != std::string::npos) return true;
    return false;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) {
        s += l;
        s += '\n';
    }
    return s;
}

scan_config scan_cfg(uint32_t probes, std::string output_path) {
    scan_config c;
    c.targets = interval_set({{0xc6120000, 0xc612000f}});  // 16 targets
    c.probes = probes;
    c.output_path = std::move(output_path);
    return c;
}
}  // namespace

TEST(Summary, ScanCountsHostsUpPerTargetProbed) {
    scan_report r;
    set(r, counter::tx_probes, 32768);
    set(r, counter::rx_valid, 32382);
    set(r, counter::out_written, 24702);
    set(r, counter::out_filtered, 7680);
    r.probes_planned = 32768;
    r.targets_probed = 32768;
    r.hits = 24702;
    r.send_seconds = 0.32767;
    r.unique_by_type_code[0x00] = 24702;
    r.unique_by_type_code[0x31] = 3072;
    const auto lines = format_summary(scan_cfg(1, "results.csv"), r);
    ASSERT_EQ(lines.size(), 3u) << joined(lines);
    EXPECT_EQ(lines[0], "completed: sent 32768 of 32768 probes in 0.33 s (100.00 Kp/s)");
    EXPECT_TRUE(has(lines, "32382 valid replies")) << joined(lines);
    EXPECT_TRUE(has(lines, "first reply per target: echoreply 24702, unreach/code 1 3072")) << joined(lines);
    EXPECT_TRUE(has(lines, "hosts up: 24702 of 32768 targets probed (hitrate 75.38%)")) << joined(lines);
    EXPECT_EQ(lines[2],
              "results written: 24702 rows to results.csv (7680 replies left out by --output-filter)");
}

TEST(Summary, TwoProbesPerTargetDivideByTargetsNotProbes) {
    scan_report r;
    set(r, counter::tx_probes, 32);
    set(r, counter::rx_valid, 30);
    set(r, counter::out_written, 15);
    r.probes_planned = 32;
    r.targets_probed = 16;
    r.hits = 15;
    r.send_seconds = 0.0031;
    r.unique_by_type_code[0x00] = 15;
    const auto lines = format_summary(scan_cfg(2, "-"), r);
    EXPECT_TRUE(has(lines, "sent 32 of 32 probes (2 per target)")) << joined(lines);
    EXPECT_TRUE(has(lines, "hosts up: 15 of 16 targets probed (hitrate 93.75%)")) << joined(lines);
    EXPECT_TRUE(has(lines, "results written: 15 rows to stdout")) << joined(lines);
    EXPECT_FALSE(has(lines, "46.88")) << joined(lines);
}

TEST(Summary, TraceCountsTargetsAndPathsNotProbes) {
    scan_config cfg;
    cfg.mode = run_mode::trace;
    cfg.targets = interval_set({{0xc6120000, 0xc6120fff}});  // 4096 targets
    cfg.output_path = "paths.jsonl";
    scan_report r;
    set(r, counter::tx_probes, 65536);
    set(r, counter::rx_valid, 66000);
    r.probes_planned = 65536;
    r.targets_probed = 4096;
    r.hits = 3839;
    r.send_seconds = 1.31;
    r.trace_interfaces = 5;
    r.unique_by_type_code[0x00] = 53746;  // per (target, TTL): every TTL past the target answers
    r.unique_by_type_code[0xb0] = 12000;
    r.paths_written = 4096;
    r.paths_by_stop_reason[size_t(stop_reason::completed)] = 3839;
    r.paths_by_stop_reason[size_t(stop_reason::gaplimit)] = 200;
    r.paths_by_stop_reason[size_t(stop_reason::unreach)] = 57;
    const auto lines = format_summary(cfg, r);
    ASSERT_EQ(lines.size(), 3u) << joined(lines);
    EXPECT_TRUE(has(lines, "first reply per target and TTL: echoreply 53746, timxceed/code 0 12000"))
        << joined(lines);
    EXPECT_TRUE(has(lines, "hosts up: 3839 of 4096 targets (hitrate 93.73%")) << joined(lines);
    EXPECT_TRUE(has(lines, "5 router interfaces sent Time Exceeded")) << joined(lines);
    EXPECT_EQ(lines[2],
              "paths written: 4096 to paths.jsonl; 3839 COMPLETED (reached their target: 93.73%), "
              "57 UNREACH, 200 GAPLIMIT");
    EXPECT_FALSE(has(lines, "results written")) << "trace writes paths, not rows: " << joined(lines);
    EXPECT_FALSE(has(lines, "reply rows")) << "no --replies-file: " << joined(lines);
}

TEST(Summary, TracePreprobeSkipsAndAnUnfinishedRunSayWhatWasLeft) {
    scan_config cfg;
    cfg.mode = run_mode::trace;
    cfg.trace.order = trace_order::backward;
    cfg.targets = interval_set({{0xc6120000, 0xc61200ff}});
    cfg.output_path = "paths.jsonl";
    scan_report r;
    set(r, counter::tx_probes, 1000);
    set(r, counter::tx_trace_skipped, 500);
    r.probes_planned = 4096;
    r.targets_probed = 256;
    r.completed = false;
    r.stop_reason = run_end::signal;
    r.paths_written = 256;
    r.paths_by_stop_reason[size_t(stop_reason::gaplimit)] = 256;
    const auto lines = format_summary(cfg, r);
    EXPECT_TRUE(has(lines, "signal: sent 1000 of 4096 probes")) << joined(lines);
    EXPECT_TRUE(has(lines, "500 skipped by the preprobe and stop set")) << joined(lines);
    EXPECT_TRUE(has(lines, "paths written: 256 to paths.jsonl; 256 GAPLIMIT")) << joined(lines);
    EXPECT_EQ(lines.back(), "not finished: 2596 probes were not sent (stopped by signal)");
}
