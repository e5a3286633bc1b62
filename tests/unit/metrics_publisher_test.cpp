// monitor/metrics_publisher: the snapshots it publishes from a monitor_book of 3,000 targets with
// known figures. The top K is the K worst by loss, then by mean RTT, then by address, wherever they
// sit in the set (the ranking pass covers every slice); groups and run figures are the books';
// a pass spread over 1 ms ticks publishes once, then once per every_us; publish_now publishes at
// once. Time is simulated.
#include "monitor/metrics_publisher.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "monitor/monitor_book.hpp"
#include "net/headers.hpp"

using namespace ics;

namespace {

constexpr ipv4_addr first_target = 0xc6120000;  // 198.18.0.0
constexpr uint32_t targets = 3000;
constexpr uint32_t rounds = 4;

scan_config publisher_cfg() {
    scan_config cfg;
    cfg.mode = run_mode::monitor;
    cfg.targets = interval_set({{first_target, first_target + targets - 1}});
    cfg.monitor.period_us = 300000;
    cfg.monitor.timeout_us = 200000;
    cfg.monitor.count = rounds;
    cfg.monitor.down_after = 3;
    cfg.monitor.prometheus = "127.0.0.1:9374";  // per-target histograms kept
    cfg.monitor.groups = {{{"pop", "ams"}}, {{"pop", "fra"}}};
    for (uint32_t i = 0; i < targets; ++i) cfg.monitor.target_group.push_back(i < targets / 2 ? 0 : 1);
    return cfg;
}

result_record reply(uint32_t i, uint32_t round, uint32_t rtt_us, bool success = true) {
    result_record r{};
    r.probe_daddr = first_target + i;
    r.saddr = success ? r.probe_daddr : 0xc6120101;
    r.rtt_us = rtt_us;
    r.round = uint16_t(round);
    r.success = success;
    r.type = success ? icmp_type::echo_reply : icmp_type::dest_unreach;
    r.code = success ? 0 : 1;
    return r;
}

// The books after 4 rounds: every target answers each round in 300 us, but for
//   5: never (loss 1, down)            1500: rounds 1, 2 lost (0.5), and one duplicate
//   2999: round 3 lost, 900 us (0.25)  1024: round 0 lost, 500 us (0.25)
//   7: 5 ms, and one late reply        2000, 2001: 4 ms (a tie: the lower address first)
// and a Destination Unreachable about target 5.
struct books {
    scan_config cfg = publisher_cfg();
    monitor_book book{cfg};
    counter_block counters;

    books() {
        book.on_record(reply(7, 1, 250000), counters);  // late (before round 1's reply in time)
        for (uint32_t r = 0; r < rounds; ++r)
            for (uint32_t i = 0; i < targets; ++i) {
                uint32_t rtt = 300;
                if (i == 5 || (i == 1500 && (r == 1 || r == 2)) || (i == 2999 && r == 3) ||
                    (i == 1024 && r == 0))
                    continue;
                if (i == 2999) rtt = 900;
                if (i == 1024) rtt = 500;
                if (i == 7) rtt = 5000;
                if (i == 2000 || i == 2001) rtt = 4000;
                book.on_record(reply(i, r, rtt), counters);
            }
        book.on_record(reply(1500, 0, 300), counters);      // duplicate
        book.on_record(reply(5, 0, 0, false), counters);    // ICMP error
        book.tick(plan_clock{10000000, UINT64_MAX, 0, 0});  // every round's timeout has passed
    }
};

const std::vector<std::string> group_labels = {"pop=\"ams\"", "pop=\"fra\""};

void expect_snapshot(const metrics_snapshot& s, const monitor_book& b, const std::vector<uint64_t>& top,
                     uint64_t wall_ms, uint64_t lateness) {
    EXPECT_EQ(s.run.rounds_closed, uint64_t(targets) * rounds);
    EXPECT_EQ(s.run.probes_sent, uint64_t(targets) * rounds);
    EXPECT_EQ(s.run.targets, targets);
    EXPECT_EQ(s.run.targets_down, 1u);
    EXPECT_EQ(s.run.send_lateness_max_us, lateness);
    EXPECT_EQ(s.run.snapshot_unix_ms, wall_ms);
    EXPECT_EQ(s.run.source, "198.19.255.1");
    ASSERT_EQ(s.groups.size(), 2u);
    // ams (0-1499): 5 and 1024 lost 4 + 1, 7's late reply; fra (1500-2999): 1500 and 2999 lost
    // 2 + 1, 1500's duplicate.
    const probe_counters want_groups[2] = {{6000, 5995, 5, 1, 0}, {6000, 5997, 3, 0, 1}};
    for (unsigned g = 0; g < 2; ++g) {
        const group_metrics& m = s.groups[g];
        EXPECT_EQ(m.labels, group_labels[g]);
        EXPECT_EQ(m.counters.sent, want_groups[g].sent);
        EXPECT_EQ(m.counters.received, want_groups[g].received);
        EXPECT_EQ(m.counters.lost, want_groups[g].lost);
        EXPECT_EQ(m.counters.late, want_groups[g].late);
        EXPECT_EQ(m.counters.duplicate, want_groups[g].duplicate);
        EXPECT_EQ(m.targets, 1500u);
        EXPECT_EQ(m.targets_down, g == 0 ? 1u : 0u);
        EXPECT_EQ(m.rtt.counts, b.groups()[g].prom_rtt.counts);
        EXPECT_EQ(m.rtt.count, want_groups[g].received);
        EXPECT_EQ(m.rtt.sum_us, b.groups()[g].prom_rtt.sum_us);
    }
    ASSERT_EQ(s.groups[0].icmp_errors.size(), 1u);
    EXPECT_EQ(s.groups[0].icmp_errors[0].type, 3);
    EXPECT_EQ(s.groups[0].icmp_errors[0].code, 1);
    EXPECT_EQ(s.groups[0].icmp_errors[0].count, 1u);
    EXPECT_TRUE(s.groups[1].icmp_errors.empty());
    ASSERT_EQ(s.targets.size(), top.size());
    for (size_t k = 0; k < top.size(); ++k) {
        const target_metrics& t = s.targets[k];
        const target_state& st = b.target(top[k]).state;
        EXPECT_EQ(t.ip, first_target + top[k]) << k;
        EXPECT_EQ(t.group, top[k] < targets / 2 ? 0u : 1u);
        EXPECT_EQ(t.counters.sent, rounds);
        EXPECT_EQ(t.counters.received, st.received());
        EXPECT_EQ(t.counters.lost, rounds - st.received());
        EXPECT_EQ(t.counters.late, top[k] == 7 ? 1u : 0u);
        EXPECT_EQ(t.counters.duplicate, top[k] == 1500 ? 1u : 0u);
        EXPECT_EQ(t.rtt.count, st.received());
        EXPECT_EQ(t.rtt.sum_us, b.totals(top[k]).sum_us);
        if (st.received()) {
            EXPECT_EQ(t.rtt.counts[prom_bucket_of(b.totals(top[k]).max_us)], st.received());
        }
    }
}

}  // namespace

TEST(MetricsPublisher, TopKIsTheWorstByLossThenMeanRtt) {
    books b;
    ASSERT_EQ(b.book.figures().rounds_closed, uint64_t(targets) * rounds);
    snapshot_exchange<metrics_snapshot> ex;
    metrics_publisher p(ex, 6, group_labels, "198.19.255.1");
    p.count_sent(uint64_t(targets) * rounds);
    p.publish_now(b.book, 1234, 56);
    const metrics_snapshot* s = ex.take();
    ASSERT_NE(s, nullptr);
    expect_snapshot(*s, b.book, {5, 1500, 2999, 1024, 7, 2000}, 1234, 56);

    snapshot_exchange<metrics_snapshot> ex2;
    metrics_publisher two(ex2, 2, group_labels, "198.19.255.1");
    two.count_sent(uint64_t(targets) * rounds);
    two.publish_now(b.book, 1, 0);
    ASSERT_NE(ex2.take(), nullptr);
    expect_snapshot(*ex2.take(), b.book, {5, 1500}, 1, 0);

    snapshot_exchange<metrics_snapshot> ex3;  // --metrics-targets 0: groups and run only
    metrics_publisher none(ex3, 0, group_labels, "198.19.255.1");
    none.count_sent(uint64_t(targets) * rounds);
    none.publish_now(b.book, 2, 0);
    ASSERT_NE(ex3.take(), nullptr);
    expect_snapshot(*ex3.take(), b.book, {}, 2, 0);
}

// 3,000 targets rank in slices of 1,024, one per tick: the first snapshot goes out on the fourth
// tick, then one each every_us (the next pass starting pass_lead_us before), and none between.
TEST(MetricsPublisher, PassSpreadOverTicksPublishesOncePerPeriod) {
    books b;
    snapshot_exchange<metrics_snapshot> ex;
    metrics_publisher p(ex, 6, group_labels, "198.19.255.1");
    p.count_sent(uint64_t(targets) * rounds);
    std::vector<uint64_t> published;
    uint64_t last_ms = 0;
    for (uint64_t now = 0; now < 5000000; now += 1000) {
        p.step(b.book, now, now / 1000 + 1, now % 7);
        const metrics_snapshot* s = ex.take();
        if (!s || s->run.snapshot_unix_ms == last_ms) continue;
        last_ms = s->run.snapshot_unix_ms;
        published.push_back(now);
        expect_snapshot(*s, b.book, {5, 1500, 2999, 1024, 7, 2000}, now / 1000 + 1, now % 7);
    }
    const std::vector<uint64_t> want = {3000, 1003000, 2003000, 3003000, 4003000};
    EXPECT_EQ(published, want);
}

// Each publication sums every lcore's counter block as it stands then.
TEST(MetricsPublisher, PublishesTheSumOfEveryLcoresCounters) {
    books b;
    snapshot_exchange<metrics_snapshot> ex;
    metrics_publisher p(ex, 0, group_labels, "198.19.255.1");
    counter_block rx, output, control;
    rx.add(counter::rx_ring_full, 7);
    rx.add(counter::rx_frames, 100);
    output.add(counter::out_written, 90);
    control.add(counter::arp_gateway_claims, 2);
    p.watch_counters({&rx, &output, &control});
    p.publish_now(b.book, 1, 0);
    const metrics_snapshot* s = ex.take();
    ASSERT_NE(s, nullptr);
    for (size_t i = 0; i < counter_count; ++i) {
        const auto c = counter(i);
        EXPECT_EQ(s->run.counters[c], rx.get(c) + output.get(c) + control.get(c)) << counter_infos[i].name;
    }
    EXPECT_EQ(s->run.counters[counter::arp_gateway_claims], 2u);
    rx.add(counter::rx_frames, 5);  // the next publication takes the new sums, not the old plus them
    p.publish_now(b.book, 2, 0);
    s = ex.take();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->run.counters[counter::rx_frames], 105u);
    EXPECT_EQ(s->run.counters[counter::rx_ring_full], 7u);
}
