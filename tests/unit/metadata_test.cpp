// The metadata file's content and the closing summary, from a config and a report.
#include "run/metadata.hpp"
#include "modes/plans.hpp"

#include <gtest/gtest.h>

using namespace ics;

namespace {
scan_config config() {
    scan_config c;
    c.port.iface = "scan0";
    c.targets = interval_set({{0xc6120000, 0xc61203ff}});
    c.sources = interval_set({{0xc613ff01, 0xc613ff04}});
    c.gateway_ip = 0xc613fffe;
    c.rate = 1000;
    c.fields = *parse_field_list("saddr,rtt_us");
    c.output_filter_text = "success = 1 && repeat = 0";
    return c;
}
scan_report report() {
    scan_report r;
    r.counters.values[size_t(counter::tx_probes)] = 1000;
    r.counters.values[size_t(counter::rx_valid)] = 900;
    r.counters.values[size_t(counter::rx_cookie_invalid)] = 7;
    r.hits = 800;
    r.probes_planned = 1024;
    r.targets_probed = 1000;  // hitrate: hits per target probed
    r.completed = false;
    r.stop_reason = run_end::signal;
    r.send_seconds = 0.999;
    r.start_wall_ns = 1'700'000'000'000'000'000ull;
    r.end_wall_ns = r.start_wall_ns + 3'000'000'000ull;
    r.unique_by_type_code[0x00] = 800;  // echo reply
    r.unique_by_type_code[0x3d] = 50;   // unreachable, code 13
    r.unique_by_type_code[0xb0] = 2;    // time exceeded
    r.ports = {{"net_af_xdp0", 600, 1000}, {"net_af_xdp1", 400, 3}};
    return r;
}
}  // namespace

TEST(Metadata, ZmapKeysCountersAndWhatWasNotSent) {
    auto m = build_metadata(config(), report(), "0.1.0");
    EXPECT_EQ(m["packets_sent"], 1000);
    EXPECT_EQ(m["packets_planned"], 1024);
    EXPECT_EQ(m["packets_not_sent"], 24);
    EXPECT_EQ(m["completed"], false);
    EXPECT_EQ(m["stop_reason"], "signal");
    EXPECT_EQ(m["success_unique"], 800);
    EXPECT_EQ(m["targets_scanned"], 1000);
    EXPECT_DOUBLE_EQ(m["hitrate"].get<double>(), 80.0);
    EXPECT_NEAR(m["achieved_rate"].get<double>(), 1000.0, 0.01);
    EXPECT_EQ(m["validation_failed"], 7);
    EXPECT_EQ(m["source_ip_first"], "198.19.255.1");
    EXPECT_EQ(m["source_ip_last"], "198.19.255.4");
    EXPECT_EQ(m["gateway_ip"], "198.19.255.254");
    EXPECT_EQ(m["output_fields"].size(), 2u);
    EXPECT_EQ(m["duration"], 3.0);
    EXPECT_EQ(m["start_time"], "2023-11-14T22:13:20.000+0000");
    for (const auto& c : counter_infos) EXPECT_TRUE(m["counters"].contains(std::string(c.name))) << c.name;
    EXPECT_EQ(m["unique_replies_by_type_code"]["unreach/13"], 50);
    EXPECT_EQ(m["unique_replies_by_type_code"]["timxceed/0"], 2);
    EXPECT_EQ(m["port"], "net_af_xdp0,net_af_xdp1");
    ASSERT_EQ(m["ports"].size(), 2u);
    EXPECT_EQ(m["ports"][1]["name"], "net_af_xdp1");
    EXPECT_EQ(m["ports"][1]["rx_packets"], 400);
    EXPECT_EQ(m["ports"][0]["tx_packets"], 1000);
}

// What an RTT was taken from: the kernel's receive stamps only where RX read them, and the TSC's
// counted frequency beside DPDK's nominal one.
TEST(Metadata, SaysWhereRttsCameFrom) {
    scan_report r = report();
    r.tsc_hz = 2'096'018'000;
    r.tsc_hz_nominal = 2'100'000'000;
    scan_config c = config();
    auto windows = build_metadata(c, r, "0.1.0");
    EXPECT_EQ(windows["timestamp_source"], "tsc");
    EXPECT_EQ(windows["rtt_estimate"], "midpoint of [max(poll window start, send stamp), poll window end]");
    EXPECT_EQ(windows["tsc_hz"], 2'096'018'000u);
    EXPECT_EQ(windows["tsc_hz_nominal"], 2'100'000'000u);
    r.kernel_stamps = true;
    auto stamped = build_metadata(c, r, "0.1.0");
    EXPECT_EQ(stamped["timestamp_source"], "kernel receive stamps (af_packet), tsc");
    EXPECT_EQ(
        stamped["rtt_estimate"],
        "the kernel's receive stamp; where refused (rx_stamp_refused): the midpoint of [max(poll window "
        "start, send stamp), poll window end]");
}

TEST(Metadata, Summary) {
    EXPECT_EQ(summarize_replies(report()), "echoreply 800, unreach/code 13 50, timxceed/code 0 2");
    EXPECT_EQ(summarize_replies(scan_report{}), "no replies");
}

TEST(PlanSize, ProbesPerShard) {
    auto c = config();  // 1024 targets
    EXPECT_EQ(size_of_plan(c).targets, 1024u);
    c.probes = 3;
    EXPECT_EQ(size_of_plan(c).probes, 3072u);
    c.probes = 1;
    c.shards = 3;
    uint64_t total = 0;
    for (uint32_t s = 0; s < 3; ++s) {
        c.shard = s;
        total += size_of_plan(c).targets;
    }
    EXPECT_EQ(total, 1024u);
    c.shards = 1;
    c.shard = 0;
    c.max_targets = 100;
    EXPECT_EQ(size_of_plan(c).targets, 100u);
}
