// The exposition of a small snapshot, line for line; label escaping and label names; and
// `promtool check metrics` (Debian package prometheus) on the exposition of a large snapshot.
#include "monitor/exposition.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

using namespace ics;

namespace {
metrics_snapshot small_snapshot() {
    metrics_snapshot s;
    s.run = {.rounds_closed = 3,
             .targets = 2,
             .targets_down = 1,
             .probes_sent = 6,
             .send_lateness_max_us = 1500,
             .snapshot_unix_ms = 1764585600123,
             .counters = {},
             .source = "198.18.0.1",
             .tos = 0};
    s.run.counters.values[size_t(counter::rx_ring_full)] = 3;
    s.run.counters.values[size_t(counter::rx_arp_ring_full)] = 1;
    s.run.counters.values[size_t(counter::rx_nd_ring_full)] = 2;
    s.run.counters.values[size_t(counter::arp_gateway_claims)] = 5;
    group_metrics& g = s.groups.emplace_back();
    append_prom_label(g.labels, "pop", "ams");
    append_prom_label(g.labels, "customer", "4\"2");
    g.counters = {.sent = 6, .received = 4, .lost = 2, .late = 1, .duplicate = 1};
    g.targets = 2;
    g.targets_down = 1;
    g.icmp_errors.push_back({.type = 3, .code = 1, .count = 2});
    for (const uint32_t us : {40u, 120u, 120u, 3000u}) g.rtt.add(us);
    target_metrics& t = s.targets.emplace_back();
    t.ip = 0xc6120007;  // 198.18.0.7
    t.group = 0;
    t.counters = {.sent = 3, .received = 2, .lost = 1, .late = 1, .duplicate = 1};
    t.rtt.add(120);
    t.rtt.add(3000);
    return s;
}

// Checked by hand: the group's RTTs 40, 120, 120 and 3000 us fall in the buckets le=5e-05, 0.0002
// (twice) and 0.0032, sum 3280 us; the target's 120 and 3000 us in 0.0002 and 0.0032, sum 3120 us.
const char* const small_exposition =
    R"(# HELP dpdk_icmpscan_rounds_closed_total Rounds of probes closed (timed out).
# TYPE dpdk_icmpscan_rounds_closed_total counter
dpdk_icmpscan_rounds_closed_total 3
# HELP dpdk_icmpscan_probes_sent_total Probes sent to all targets.
# TYPE dpdk_icmpscan_probes_sent_total counter
dpdk_icmpscan_probes_sent_total 6
# HELP dpdk_icmpscan_targets Targets monitored.
# TYPE dpdk_icmpscan_targets gauge
dpdk_icmpscan_targets 2
# HELP dpdk_icmpscan_targets_down Targets down now.
# TYPE dpdk_icmpscan_targets_down gauge
dpdk_icmpscan_targets_down 1
# HELP dpdk_icmpscan_send_lateness_seconds How late the senders sent a probe after its due time at most, over their last 100 ms.
# TYPE dpdk_icmpscan_send_lateness_seconds gauge
dpdk_icmpscan_send_lateness_seconds 0.0015
# HELP dpdk_icmpscan_snapshot_timestamp_seconds When these figures were taken (Unix time).
# TYPE dpdk_icmpscan_snapshot_timestamp_seconds gauge
dpdk_icmpscan_snapshot_timestamp_seconds 1764585600.123
# HELP smokeping_receive_errors_total The number of errors when Pinger attempts to receive packets.
# TYPE smokeping_receive_errors_total counter
smokeping_receive_errors_total 6
@COUNTERS@# HELP dpdk_icmpscan_group_probes_sent_total Probes to the group's targets whose round has closed (answered or lost).
# TYPE dpdk_icmpscan_group_probes_sent_total counter
dpdk_icmpscan_group_probes_sent_total{pop="ams",customer="4\"2"} 6
# HELP dpdk_icmpscan_group_replies_received_total Replies received in time.
# TYPE dpdk_icmpscan_group_replies_received_total counter
dpdk_icmpscan_group_replies_received_total{pop="ams",customer="4\"2"} 4
# HELP dpdk_icmpscan_group_probes_lost_total Probes with no reply before the timeout.
# TYPE dpdk_icmpscan_group_probes_lost_total counter
dpdk_icmpscan_group_probes_lost_total{pop="ams",customer="4\"2"} 2
# HELP dpdk_icmpscan_group_replies_late_total Replies after the timeout (their probes count as lost).
# TYPE dpdk_icmpscan_group_replies_late_total counter
dpdk_icmpscan_group_replies_late_total{pop="ams",customer="4\"2"} 1
# HELP dpdk_icmpscan_group_replies_duplicate_total Replies beyond the first to a probe.
# TYPE dpdk_icmpscan_group_replies_duplicate_total counter
dpdk_icmpscan_group_replies_duplicate_total{pop="ams",customer="4\"2"} 1
# HELP dpdk_icmpscan_group_icmp_errors_total ICMP errors about the group's probes, by ICMP type and code.
# TYPE dpdk_icmpscan_group_icmp_errors_total counter
dpdk_icmpscan_group_icmp_errors_total{pop="ams",customer="4\"2",type="3",code="1"} 2
# HELP dpdk_icmpscan_group_rtt_seconds Round-trip times of the group's replies.
# TYPE dpdk_icmpscan_group_rtt_seconds histogram
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="5e-05"} 1
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.0001"} 1
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.0002"} 3
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.0004"} 3
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.0008"} 3
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.0016"} 3
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.0032"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.0064"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.0128"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.0256"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.0512"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.1024"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.2048"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.4096"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="0.8192"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="1.6384"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="3.2768"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="6.5536"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="13.1072"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="26.2144"} 4
dpdk_icmpscan_group_rtt_seconds_bucket{pop="ams",customer="4\"2",le="+Inf"} 4
dpdk_icmpscan_group_rtt_seconds_sum{pop="ams",customer="4\"2"} 0.00328
dpdk_icmpscan_group_rtt_seconds_count{pop="ams",customer="4\"2"} 4
# HELP dpdk_icmpscan_group_targets Targets in the group.
# TYPE dpdk_icmpscan_group_targets gauge
dpdk_icmpscan_group_targets{pop="ams",customer="4\"2"} 2
# HELP dpdk_icmpscan_group_targets_down The group's targets down now.
# TYPE dpdk_icmpscan_group_targets_down gauge
dpdk_icmpscan_group_targets_down{pop="ams",customer="4\"2"} 1
# HELP smokeping_requests_total Number of ping requests sent
# TYPE smokeping_requests_total counter
smokeping_requests_total{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2"} 3
# HELP smokeping_response_duration_seconds A histogram of latencies for ping responses.
# TYPE smokeping_response_duration_seconds histogram
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="5e-05"} 0
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.0001"} 0
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.0002"} 1
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.0004"} 1
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.0008"} 1
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.0016"} 1
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.0032"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.0064"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.0128"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.0256"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.0512"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.1024"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.2048"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.4096"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="0.8192"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="1.6384"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="3.2768"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="6.5536"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="13.1072"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="26.2144"} 2
smokeping_response_duration_seconds_bucket{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2",le="+Inf"} 2
smokeping_response_duration_seconds_sum{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2"} 0.00312
smokeping_response_duration_seconds_count{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2"} 2
# HELP smokeping_response_duplicates_total The number of duplicated response packets.
# TYPE smokeping_response_duplicates_total counter
smokeping_response_duplicates_total{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2"} 1
# HELP dpdk_icmpscan_target_probes_lost_total Probes to the target with no reply before the timeout.
# TYPE dpdk_icmpscan_target_probes_lost_total counter
dpdk_icmpscan_target_probes_lost_total{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2"} 1
# HELP dpdk_icmpscan_target_replies_late_total Replies from the target after the timeout (their probes count as lost).
# TYPE dpdk_icmpscan_target_replies_late_total counter
dpdk_icmpscan_target_replies_late_total{host="198.18.0.7",ip="198.18.0.7",source="198.18.0.1",tos="0",pop="ams",customer="4\"2"} 1
)";
}  // namespace

// Every counter of stats/counters.hpp in the list's order, each a family of its own named after it,
// with its description as its help: the part of an exposition @COUNTERS@ stands for.
std::string counter_families(const counter_totals& values) {
    std::string out;
    for (size_t i = 0; i < counter_count; ++i) {
        const std::string name = "dpdk_icmpscan_" + std::string(counter_infos[i].name) + "_total";
        out += "# HELP " + name + " " + std::string(counter_infos[i].description) + ".\n# TYPE " + name +
               " counter\n" + name + " " + std::to_string(values.values[i]) + "\n";
    }
    return out;
}

TEST(Exposition, SmallSnapshotLineForLine) {
    const metrics_snapshot s = small_snapshot();
    std::string expected = small_exposition;
    expected.replace(expected.find("@COUNTERS@"), 10, counter_families(s.run.counters));
    EXPECT_EQ(format_exposition(s), expected);
    // Two of them as an alert would read them, letter for letter.
    const std::string got = format_exposition(s);
    EXPECT_NE(
        got.find("\n# HELP dpdk_icmpscan_arp_gateway_claims_total ARP giving the gateway's address another "
                 "MAC (also under its reason).\n# TYPE dpdk_icmpscan_arp_gateway_claims_total counter\n"
                 "dpdk_icmpscan_arp_gateway_claims_total 5\n"),
        std::string::npos);
    EXPECT_NE(got.find("\ndpdk_icmpscan_rx_ring_full_total 3\n"), std::string::npos);
}

TEST(Exposition, EachCounterCarriesItsOwnValue) {
    metrics_snapshot s;
    for (size_t i = 0; i < counter_count; ++i) s.run.counters.values[i] = 1000 + i;
    const std::string got = format_exposition(s);
    EXPECT_NE(got.find(counter_families(s.run.counters)), std::string::npos);
    const uint64_t ring_full = 3000 + size_t(counter::rx_ring_full) + size_t(counter::rx_arp_ring_full) +
                               size_t(counter::rx_nd_ring_full);
    EXPECT_NE(got.find("\nsmokeping_receive_errors_total " + std::to_string(ring_full) + "\n"),
              std::string::npos);
}

TEST(Exposition, NoGroupsNoTargetsLeavesOnlyTheirHelpAndType) {
    const std::string got = format_exposition(metrics_snapshot{});
    EXPECT_NE(got.find("\ndpdk_icmpscan_rounds_closed_total 0\n"), std::string::npos);
    EXPECT_NE(got.find("# TYPE smokeping_requests_total counter\n"), std::string::npos);
    EXPECT_EQ(got.find("smokeping_requests_total{"), std::string::npos);
    EXPECT_EQ(got.find("dpdk_icmpscan_group_probes_sent_total{"), std::string::npos);
}

TEST(PromLabel, ValuesAreEscapedAsTheFormatAsks) {
    std::string labels;
    append_prom_label(labels, "a", "plain");
    EXPECT_EQ(labels, "a=\"plain\"");
    append_prom_label(labels, "b", "back\\slash \"quoted\"\nnext line");
    EXPECT_EQ(labels, "a=\"plain\",b=\"back\\\\slash \\\"quoted\\\"\\nnext line\"");
    std::string empty_value;
    append_prom_label(empty_value, "c", "");
    EXPECT_EQ(empty_value, "c=\"\"");
}

TEST(PromLabel, NamesOfOurOwnAndMalformedNamesAreRefused) {
    for (const char* ok : {"pop", "customer", "_x", "a1", "Region_2"})
        EXPECT_TRUE(prom_label_name_ok(ok)) << ok;
    for (const char* bad : {"", "1a", "a-b", "a.b", "__name", "host", "ip", "source", "tos", "le", "type",
                            "code", "p\u00f6p"}) {
        EXPECT_FALSE(prom_label_name_ok(bad)) << bad;
    }
}

namespace {
// 50 groups, each with ICMP errors of two kinds, and 1,000 targets: what a real run exports (a
// double quote in every customer value, so promtool also reads our escaping).
metrics_snapshot large_snapshot() {
    metrics_snapshot s = small_snapshot();
    s.groups.clear();
    s.targets.clear();
    for (uint32_t g = 0; g < 50; ++g) {
        group_metrics& gm = s.groups.emplace_back();
        append_prom_label(gm.labels, "pop", "pop" + std::to_string(g % 5));
        append_prom_label(gm.labels, "customer", std::to_string(g) + "\"");
        gm.counters = {.sent = 100 * g, .received = 90 * g, .lost = 10 * g, .late = g, .duplicate = g / 2};
        gm.targets = 20;
        gm.targets_down = g % 3;
        gm.icmp_errors = {{.type = 3, .code = 1, .count = g}, {.type = 11, .code = 0, .count = 2 * g}};
        for (uint32_t us = 10; us < 40000000; us = us * 3 + g) gm.rtt.add(us);
    }
    for (uint32_t i = 0; i < 1000; ++i) {
        target_metrics& t = s.targets.emplace_back();
        t.ip = 0xc6120000 + i;  // 198.18.0.0 + i
        t.group = i % 50;
        t.counters = {.sent = 60, .received = 60 - i % 7, .lost = i % 7, .late = i % 2, .duplicate = i % 3};
        for (uint32_t us = 30 + i; us < 30000000; us *= 5) t.rtt.add(us);
    }
    return s;
}

// Runs a shell command, returns its exit status and what it printed (stdout and stderr).
int run(const std::string& command, std::string& printed) {
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr) return -1;
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof buf, p)) printed.append(buf, n);
    return pclose(p);
}
}  // namespace

// promtool is a build dependency (scripts/install-deps.sh installs it): a machine without it fails
// here rather than skipping, so CI never passes without this check.
TEST(Exposition, PromtoolAcceptsALargeSnapshot) {
    std::string where;
    ASSERT_EQ(run("command -v promtool", where), 0) << "promtool is not on the PATH: install the Debian "
                                                       "package prometheus (scripts/install-deps.sh does)";
    char path[] = "/tmp/exposition_test_XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    const std::string text = format_exposition(large_snapshot());
    std::ofstream(path) << text;
    std::string printed;
    const int status = run(std::string("promtool check metrics < ") + path, printed);
    std::remove(path);
    EXPECT_EQ(status, 0) << printed;
    EXPECT_EQ(printed, "");            // no lint complaint either
    EXPECT_GT(text.size(), 1000000u);  // the large snapshot did go through
}
