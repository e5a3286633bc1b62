// monitor/monitor_book: the output lcore's books fed records as the RX lcores make them, with time
// simulated in 1 ms ticks as the output loop ticks it. Checked on the bytes written: the JSON lines
// (-o) parsed back, and the fping-style lines compared as text. A hand-made scenario checks each
// kind of reply and event with literal values (every (target, round) closed once, at its due time
// plus timeout and margin, in due order; late, duplicate, ahead and unattributed replies; outage
// events with lengths and the last ICMP error; summaries at every -Q boundary and the partial one
// at finish; group totals; fping's rounding); a stop checks that nothing closes past the send end
// and that finish closes exactly what was sent, per TX lcore slice; a property test compares random
// runs with a naive model of the rules (a set of replies per (target, round), no window, no cursor).
#include "monitor/monitor_book.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "monitor/metrics_publisher.hpp"
#include "monitor/snapshot_exchange.hpp"
#include "net/headers.hpp"
#include "net/ipv4_address.hpp"

using namespace ics;
using nlohmann::json;

namespace {

constexpr ipv4_addr first_target = 0xc6120001;  // 198.18.0.1
constexpr ipv4_addr router = 0xc6120101;        // 198.18.1.1
constexpr ipv4_addr stranger = 0xc6120201;      // 198.18.2.1: in no target set here
constexpr uint64_t tick_us = 1000;              // the output loop's tick
constexpr uint64_t timeout_us = 200000;
constexpr uint64_t delay_us = timeout_us + monitor_close_margin_us;  // due time to close
constexpr uint64_t wall0_ns = 1700000000123000000ull;                // the send start's wall time

// 198.18.0.1 .. 198.18.0.<n>: the first half in group pop=ams, the rest in pop=fra.
scan_config monitor_cfg(uint64_t period_us, uint32_t n, uint32_t count, uint32_t summary_rounds,
                        uint32_t down_after, uint64_t seed = 5) {
    scan_config cfg;
    cfg.mode = run_mode::monitor;
    cfg.targets = interval_set({{first_target, first_target + n - 1}});
    cfg.seed = seed;
    cfg.monitor.period_us = period_us;
    cfg.monitor.timeout_us = timeout_us;
    cfg.monitor.count = count;
    cfg.monitor.summary_us = summary_rounds * period_us;
    cfg.monitor.down_after = down_after;
    cfg.monitor.groups = {{{"pop", "ams"}}, {{"pop", "fra"}}};
    for (uint32_t i = 0; i < n; ++i) cfg.monitor.target_group.push_back(i < n / 2 ? 0 : 1);
    return cfg;
}

struct pending {
    uint64_t at_us;  // when the record reaches the output lcore
    result_record rec;
};

std::vector<std::string> lines_of(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::vector<std::string> out;
    std::string line;
    for (int c; (c = std::fgetc(f)) != EOF;) {
        if (c != '\n') {
            line += char(c);
            continue;
        }
        out.push_back(line);
        line.clear();
    }
    EXPECT_EQ(line, "") << "a line without its newline";
    return out;
}

// One TX lcore's schedule and the books, with records queued for the simulated output lcore. The
// output loop's order each tick: the records that arrived, then tick().
struct book_sim {
    scan_config cfg;
    monitor_schedule order;  // the sender's sequence: each target's position and due times
    monitor_book book;
    counter_block counters;
    std::FILE* json_file = std::tmpfile();
    std::FILE* text_file = std::tmpfile();
    std::vector<pending> queue;
    std::vector<uint64_t> pos;  // target index -> its position in every round
    std::vector<attribution> seen_attr;
    uint64_t now = 0, send_end = UINT64_MAX;

    explicit book_sim(scan_config c)
        : cfg(std::move(c)), order(schedule_of_slice(cfg, cfg.slice(0, 1))), book(cfg) {
        book.set_outputs(json_file, text_file);
        pos.resize(cfg.targets.size());
        for (uint64_t k = 0; k < pos.size(); ++k) pos[*cfg.targets.index_of(order.target_at(k))] = k;
    }
    ~book_sim() {
        std::fclose(json_file);
        std::fclose(text_file);
    }
    uint64_t due(uint64_t i, uint32_t r) const { return order.due_us(r, pos[i]); }
    plan_clock clock() const { return plan_clock{now, send_end, wall0_ns, 0}; }

    // An Echo Reply to (target i, round r) with this RTT, reaching the output lcore `queued` us
    // after the reply arrived (a wait in the rings).
    void echo(uint64_t i, uint32_t r, uint32_t rtt_us, uint64_t queued = 0) {
        result_record rec{};
        rec.saddr = rec.probe_daddr = first_target + uint32_t(i);
        rec.daddr = 0xc613ff01;
        rec.rtt_us = rtt_us;
        rec.type = icmp_type::echo_reply;
        rec.cls = classification::echoreply;
        rec.success = 1;
        rec.round = uint16_t(r & 0xff);  // the probe carries the round's low 8 bits
        queue.push_back({due(i, r) + rtt_us + queued, rec});
    }
    // Destination Unreachable (host) from the router about (target i, round r).
    void unreachable(uint64_t i, uint32_t r, uint32_t after_us) {
        result_record rec{};
        rec.saddr = router;
        rec.daddr = 0xc613ff01;
        rec.probe_daddr = first_target + uint32_t(i);
        rec.rtt_us = after_us;
        rec.type = icmp_type::dest_unreach;
        rec.code = 1;
        rec.cls = classification::unreach;
        rec.round = uint16_t(r & 0xff);
        queue.push_back({due(i, r) + after_us, rec});
    }
    void raw(uint64_t at_us, const result_record& rec) { queue.push_back({at_us, rec}); }

    void deliver() {
        std::stable_sort(queue.begin(), queue.end(),
                         [](const pending& a, const pending& b) { return a.at_us < b.at_us; });
        size_t n = 0;
        while (n < queue.size() && queue[n].at_us <= now)
            seen_attr.push_back(book.on_record(queue[n++].rec, counters));
        queue.erase(queue.begin(), queue.begin() + long(n));
    }
    // Rounds of target i closed by now: due + timeout + margin passed, and (after a stop) due no
    // later than the send end less the margin; at most `count`.
    // (A resumed run's rounds start at its first round.)
    uint32_t closed_by_ticks(uint64_t i) const {
        const uint32_t first = cfg.checkpoint.first_round;
        if (now < delay_us) return first;
        uint64_t until = now - delay_us;
        if (send_end != UINT64_MAX) {
            if (send_end < monitor_close_margin_us) return first;
            until = std::min(until, send_end - monitor_close_margin_us);
        }
        if (until < due(i, first)) return first;
        auto r = uint32_t(first + (until - due(i, first)) / cfg.monitor.period_us + 1);
        return cfg.monitor.count ? std::min(r, cfg.monitor.count) : r;
    }
    // Ticks every 1 ms until `t`; after each, every target has closed exactly its due rounds.
    void run_to(uint64_t t) {
        while (now + tick_us <= t) {
            now += tick_us;
            deliver();
            book.tick(clock());
            for (uint64_t i = 0; i < pos.size(); ++i)
                ASSERT_EQ(book.target(i).state.next_round_to_close(), closed_by_ticks(i))
                    << format_ipv4(book.address(i)) << " at " << now << " us";
        }
    }
    bool finish(uint64_t sent) {
        deliver();
        const uint64_t s[] = {sent};
        return book.finish(s, clock());
    }
    std::vector<json> records() {
        std::vector<json> out;
        for (const std::string& l : lines_of(json_file)) out.push_back(json::parse(l));
        return out;
    }
    // The JSON lines of one target (by type), in the order written.
    std::vector<json> of(const std::vector<json>& all, uint64_t i, const char* type) const {
        std::vector<json> out;
        for (const json& j : all)
            if (j.at("target") == format_ipv4(first_target + uint32_t(i)) && j.at("type") == type)
                out.push_back(j);
        return out;
    }
    uint64_t wall_ms(uint64_t us) const { return (wall0_ns + us * 1000) / 1000000; }
};

// Every counter of the books' counter block: only the ones named are non-zero.
void expect_counters(const counter_block& b, std::initializer_list<std::pair<counter, uint64_t>> want) {
    for (size_t c = 0; c < counter_count; ++c) {
        uint64_t v = 0;
        for (const auto& [k, n] : want)
            if (size_t(k) == c) v = n;
        EXPECT_EQ(b.get(counter(c)), v) << counter_infos[c].name;
    }
}

// `rtt`: whether the RTT figures are there exactly when a round was received (only when rounds do
// not overlap: see SummaryRttHoldsOnlyItsOwnRounds).
void expect_summary(const json& j, uint32_t first, uint32_t rounds, uint32_t received, uint32_t late,
                    uint32_t dups, const char* pop, bool rtt = true) {
    EXPECT_EQ(j.at("first_round"), first) << j;
    EXPECT_EQ(j.at("rounds"), rounds) << j;
    EXPECT_EQ(j.at("sent"), rounds) << j;
    EXPECT_EQ(j.at("received"), received) << j;
    EXPECT_EQ(j.at("lost"), rounds - received) << j;
    EXPECT_NEAR(j.at("loss_pct").get<double>(), 100.0 * (rounds - received) / rounds, 0.0005) << j;
    EXPECT_EQ(j.at("late"), late) << j;
    EXPECT_EQ(j.at("duplicates"), dups) << j;
    EXPECT_EQ(j.at("labels"), json({{"pop", pop}})) << j;
    if (rtt) {
        EXPECT_EQ(j.contains("rtt_min_ms"), received > 0) << j;
    }
}

// The hand-made run: 12 targets, a 300 ms period (so that each round closes before the next is
// due: every figure belongs to one summary), 7 rounds, a summary every 3 rounds, down after 2 losses.
//   0  every round, RTTs 410, 520, 800 us in turn
//   1  rounds 1-3 lost (down at 2, up at 4 after 3 lost rounds), 1.5 ms otherwise
//   2  round 0's reply after --timeout, round 1's in time but queued past its close: both late
//   3  round 1 answered twice (one duplicate), 700 us
//   4  a reply carrying round 100, ahead of any sent; 123.456 ms in every round
//   5  rounds 4-5 answered by Destination Unreachable from 198.18.1.1 (down at 5 with the error)
//   6-10  every round, 1000 + i us;  11  never
TEST(MonitorBook, ScenarioEveryKindOfReplyAndEvent) {
    book_sim s(monitor_cfg(300000, 12, 7, 3, 2));
    ASSERT_EQ(s.cfg.monitor.summary_rounds(), 3u);
    const uint32_t rtt0[] = {410, 520, 800};
    for (uint32_t r = 0; r < 7; ++r) {
        s.echo(0, r, rtt0[r % 3]);
        if (r == 0 || r >= 4) s.echo(1, r, 1500);
        if (r == 0)
            s.echo(2, r, 250000);
        else if (r == 1)
            s.echo(2, r, 900, 300000);
        else
            s.echo(2, r, 12345);
        s.echo(3, r, 700);
        if (r == 1) s.echo(3, r, 750);
        s.echo(4, r, 123456);
        if (r == 4 || r == 5)
            s.unreachable(5, r, 5000);
        else
            s.echo(5, r, 2000);
        for (uint32_t i = 6; i <= 10; ++i) s.echo(i, r, 1000 + i);
    }
    result_record ahead = s.queue.front().rec;
    ahead.probe_daddr = ahead.saddr = first_target + 4;
    ahead.round = 100;
    s.raw(1000, ahead);
    result_record unknown = ahead;
    unknown.probe_daddr = unknown.saddr = stranger;
    s.raw(2000, unknown);

    s.run_to(2400000);  // the last position is due at 2,075 ms and closes at 2,325 ms
    for (uint64_t i = 0; i < 12; ++i) EXPECT_EQ(s.book.target(i).state.next_round_to_close(), 7u);
    ASSERT_TRUE(s.finish(84));
    for (uint64_t i = 0; i < 12; ++i) EXPECT_EQ(s.book.target(i).state.sent(), 7u) << "finish closed more";
    EXPECT_TRUE(s.queue.empty());

    expect_counters(s.counters, {{counter::out_late, 2},
                                 {counter::out_duplicates, 1},
                                 {counter::out_round_ahead, 1},
                                 {counter::out_not_attributed, 1}});
    // A new hit once per answering target; repeats: the late, duplicate, ahead and unattributed
    // records; the errors neither.
    unsigned hits = 0, repeats = 0;
    for (const attribution& a : s.seen_attr) hits += a.new_hit, repeats += a.repeat;
    EXPECT_EQ(hits, 11u);
    EXPECT_EQ(repeats, 5u);
    EXPECT_EQ(s.seen_attr.size(), 7u + 4 + 7 + 8 + 7 + 7 + 35 + 2);

    const std::vector<json> all = s.records();
    // Summaries: rounds 0-2 and 3-5 at their last round's close, round 6 alone at finish.
    for (uint64_t i = 0; i < 12; ++i) {
        const auto sums = s.of(all, i, "summary");
        ASSERT_EQ(sums.size(), 3u) << i;
        EXPECT_EQ(sums[0].at("time_ms"), s.wall_ms(s.due(i, 2) + timeout_us));
        EXPECT_EQ(sums[1].at("time_ms"), s.wall_ms(s.due(i, 5) + timeout_us));
        EXPECT_EQ(sums[2].at("time_ms"), s.wall_ms(2400000));
    }
    auto sum = [&](uint64_t i, size_t k) { return s.of(all, i, "summary").at(k); };
    expect_summary(sum(0, 0), 0, 3, 3, 0, 0, "ams");
    EXPECT_EQ(sum(0, 0).at("rtt_min_ms"), 0.41);
    EXPECT_EQ(sum(0, 0).at("rtt_avg_ms"), 0.577);  // 1730 / 3 us
    EXPECT_EQ(sum(0, 0).at("rtt_max_ms"), 0.8);
    EXPECT_EQ(sum(0, 0).at("rtt_mdev_ms"), 0.164);  // sqrt(359500 - 576.67^2) = 164.2 us
    EXPECT_EQ(sum(0, 0).at("rtt_p50_ms"), 0.52);    // exact: a period of 3 rounds keeps its samples
    EXPECT_EQ(sum(0, 0).at("rtt_p90_ms"), 0.8);     // rank 3 of 3: the exact max
    EXPECT_EQ(sum(0, 0).at("rtt_p99_ms"), 0.8);
    expect_summary(sum(0, 1), 3, 3, 3, 0, 0, "ams");
    expect_summary(sum(0, 2), 6, 1, 1, 0, 0, "ams");
    EXPECT_EQ(sum(0, 2).at("rtt_min_ms"), 0.41);
    EXPECT_EQ(sum(0, 2).at("rtt_max_ms"), 0.41);
    expect_summary(sum(1, 0), 0, 3, 1, 0, 0, "ams");
    expect_summary(sum(1, 1), 3, 3, 2, 0, 0, "ams");
    expect_summary(sum(1, 2), 6, 1, 1, 0, 0, "ams");
    expect_summary(sum(2, 0), 0, 3, 1, 2, 0, "ams");
    EXPECT_EQ(sum(2, 0).at("rtt_min_ms"), 12.345);  // the late replies are no samples
    EXPECT_EQ(sum(2, 0).at("rtt_max_ms"), 12.345);
    expect_summary(sum(2, 1), 3, 3, 3, 0, 0, "ams");
    expect_summary(sum(3, 0), 0, 3, 3, 0, 1, "ams");
    EXPECT_EQ(sum(3, 0).at("rtt_max_ms"), 0.7);  // the duplicate's 750 us is no sample
    expect_summary(sum(3, 1), 3, 3, 3, 0, 0, "ams");
    for (size_t k = 0; k < 3; ++k)
        expect_summary(sum(4, k), uint32_t(3 * k), k < 2 ? 3 : 1, k < 2 ? 3 : 1, 0, 0, "ams");
    expect_summary(sum(5, 0), 0, 3, 3, 0, 0, "ams");
    EXPECT_FALSE(sum(5, 0).contains("icmp_errors"));
    expect_summary(sum(5, 1), 3, 3, 1, 0, 0, "ams");
    EXPECT_EQ(sum(5, 1).at("icmp_errors"), 2);
    EXPECT_EQ(sum(5, 1).at("last_error"), json({{"type", 3}, {"code", 1}, {"sender", "198.18.1.1"}}));
    expect_summary(sum(5, 2), 6, 1, 1, 0, 0, "ams");
    EXPECT_FALSE(sum(5, 2).contains("icmp_errors"));
    for (uint64_t i = 6; i <= 10; ++i)
        for (size_t k = 0; k < 3; ++k) {
            expect_summary(sum(i, k), uint32_t(3 * k), k < 2 ? 3 : 1, k < 2 ? 3 : 1, 0, 0, "fra");
            EXPECT_EQ(sum(i, k).at("rtt_min_ms").get<double>(), double(1000 + i) / 1000.0);
        }
    for (size_t k = 0; k < 3; ++k) expect_summary(sum(11, k), uint32_t(3 * k), k < 2 ? 3 : 1, 0, 0, 0, "fra");

    // Outage events.
    const auto down1 = s.of(all, 1, "down"), up1 = s.of(all, 1, "up");
    ASSERT_EQ(down1.size(), 1u);
    ASSERT_EQ(up1.size(), 1u);
    EXPECT_EQ(down1[0].at("first_lost_round"), 1);
    EXPECT_EQ(down1[0].at("round"), 2);
    EXPECT_EQ(down1[0].at("lost_rounds"), 2);
    EXPECT_EQ(down1[0].at("start_ms"), s.wall_ms(s.due(1, 1)));
    EXPECT_EQ(down1[0].at("labels"), json({{"pop", "ams"}}));
    EXPECT_FALSE(down1[0].contains("last_error"));
    EXPECT_EQ(up1[0].at("first_lost_round"), 1);
    EXPECT_EQ(up1[0].at("end_round"), 4);
    EXPECT_EQ(up1[0].at("lost_rounds"), 3);
    EXPECT_EQ(up1[0].at("length_s"), 0.9);
    EXPECT_EQ(up1[0].at("start_ms"), s.wall_ms(s.due(1, 1)));
    EXPECT_EQ(up1[0].at("end_ms"), s.wall_ms(s.due(1, 4)));
    const auto down5 = s.of(all, 5, "down"), up5 = s.of(all, 5, "up");
    ASSERT_EQ(down5.size(), 1u);
    ASSERT_EQ(up5.size(), 1u);
    EXPECT_EQ(down5[0].at("first_lost_round"), 4);
    EXPECT_EQ(down5[0].at("round"), 5);
    EXPECT_EQ(down5[0].at("lost_rounds"), 2);
    EXPECT_EQ(down5[0].at("last_error"), json({{"type", 3}, {"code", 1}, {"sender", "198.18.1.1"}}));
    EXPECT_EQ(up5[0].at("end_round"), 6);
    EXPECT_EQ(up5[0].at("lost_rounds"), 2);
    EXPECT_EQ(up5[0].at("length_s"), 0.6);
    const auto down11 = s.of(all, 11, "down");
    ASSERT_EQ(down11.size(), 1u);
    EXPECT_EQ(down11[0].at("first_lost_round"), 0);
    EXPECT_EQ(down11[0].at("round"), 1);
    EXPECT_EQ(down11[0].at("labels"), json({{"pop", "fra"}}));
    EXPECT_TRUE(s.of(all, 11, "up").empty());
    const auto down2 = s.of(all, 2, "down"), up2 = s.of(all, 2, "up");  // rounds 0 and 1 late: lost
    ASSERT_EQ(down2.size(), 1u);
    ASSERT_EQ(up2.size(), 1u);
    EXPECT_EQ(down2[0].at("first_lost_round"), 0);
    EXPECT_EQ(down2[0].at("round"), 1);
    EXPECT_EQ(up2[0].at("end_round"), 2);
    EXPECT_EQ(up2[0].at("lost_rounds"), 2);
    size_t events = 0;
    for (const json& j : all) events += j.at("type") != "summary";
    EXPECT_EQ(events, 7u);
    EXPECT_EQ(all.size(), 12u * 3 + 7);

    // Group totals: ams = targets 0-5, fra = 6-11.
    const auto& g = s.book.groups();
    ASSERT_EQ(g.size(), 2u);
    EXPECT_EQ(g[0].sent, 42u);
    EXPECT_EQ(g[0].received, 35u);
    EXPECT_EQ(g[0].lost, 7u);
    EXPECT_EQ(g[0].late, 2u);
    EXPECT_EQ(g[0].duplicates, 1u);
    EXPECT_EQ(g[0].targets, 6u);
    EXPECT_EQ(g[0].down, 0u);
    ASSERT_EQ(g[0].errors.size(), 1u);
    EXPECT_EQ(g[0].errors[0].type, 3);
    EXPECT_EQ(g[0].errors[0].code, 1);
    EXPECT_EQ(g[0].errors[0].count, 2u);
    EXPECT_EQ(g[0].prom_rtt.count, 35u);
    EXPECT_GT(g[0].prom_rtt.counts[prom_bucket_of(410)], 0u);  // the smallest and the largest
    EXPECT_GT(g[0].prom_rtt.counts[prom_bucket_of(123456)], 0u);
    EXPECT_EQ(g[1].sent, 42u);
    EXPECT_EQ(g[1].received, 35u);
    EXPECT_EQ(g[1].lost, 7u);
    EXPECT_EQ(g[1].late + g[1].duplicates, 0u);
    EXPECT_EQ(g[1].targets, 6u);
    EXPECT_EQ(g[1].down, 1u);
    EXPECT_TRUE(g[1].errors.empty());
    EXPECT_EQ(g[1].prom_rtt.sum_us, 7u * (1006 + 1007 + 1008 + 1009 + 1010));
    const monitor_figures f = s.book.figures();
    EXPECT_EQ(f.rounds_closed, 84u);
    EXPECT_EQ(f.received, 70u);
    EXPECT_EQ(f.lost, 14u);
    EXPECT_EQ(f.late, 2u);
    EXPECT_EQ(f.duplicates, 1u);
    EXPECT_EQ(f.outages, 4u);
    EXPECT_EQ(f.recoveries, 3u);
    EXPECT_EQ(f.targets_down, 1u);
    EXPECT_EQ(f.summaries, 36u);
    EXPECT_EQ(f.groups, 2u);

    // fping's summary: address order, names padded to the longest (fping's "%-*s :"), integer
    // loss, three significant digits.
    const std::vector<std::string> want = {
        "198.18.0.1  : xmt/rcv/%loss = 7/7/0%, min/avg/max = 0.410/0.553/0.800",
        "198.18.0.2  : xmt/rcv/%loss = 7/4/42%, min/avg/max = 1.50/1.50/1.50",
        "198.18.0.3  : xmt/rcv/%loss = 7/5/28%, min/avg/max = 12.3/12.3/12.3",
        "198.18.0.4  : xmt/rcv/%loss = 7/7/0%, min/avg/max = 0.700/0.700/0.700",
        "198.18.0.5  : xmt/rcv/%loss = 7/7/0%, min/avg/max = 123/123/123",
        "198.18.0.6  : xmt/rcv/%loss = 7/5/28%, min/avg/max = 2.00/2.00/2.00",
        "198.18.0.7  : xmt/rcv/%loss = 7/7/0%, min/avg/max = 1.01/1.01/1.01",
        "198.18.0.8  : xmt/rcv/%loss = 7/7/0%, min/avg/max = 1.01/1.01/1.01",
        "198.18.0.9  : xmt/rcv/%loss = 7/7/0%, min/avg/max = 1.01/1.01/1.01",
        "198.18.0.10 : xmt/rcv/%loss = 7/7/0%, min/avg/max = 1.01/1.01/1.01",
        "198.18.0.11 : xmt/rcv/%loss = 7/7/0%, min/avg/max = 1.01/1.01/1.01",
        "198.18.0.12 : xmt/rcv/%loss = 7/0/100%",
    };
    EXPECT_EQ(lines_of(s.text_file), want);
}

// A stop at 1 s (--count 0: until stopped) with 12 targets every 300 ms: 41 positions were due by
// then (rounds 0-2 and positions 0-4 of round 3). Ticks close only what was due by the send end
// less the margin (39 positions), however long they go on; finish() closes exactly the 41 sent.
TEST(MonitorBook, StopClosesNothingPastTheSendEndAndFinishClosesWhatWasSent) {
    book_sim s(monitor_cfg(300000, 12, 0, 0, 3));
    uint64_t sent = 0;
    for (uint64_t p = 0;; ++p) {
        const auto r = uint32_t(p / 12);
        const uint64_t k = p % 12;
        if (s.order.due_us(r, k) > 1000000) break;
        s.echo(*s.cfg.targets.index_of(s.order.target_at(k)), r, 1000);
        ++sent;
    }
    ASSERT_EQ(sent, 41u);
    s.run_to(1000000);
    s.send_end = 1000000;
    s.run_to(3000000);  // run_to checks each tick: rounds due after 950 ms stay open
    uint64_t closed = 0;
    for (uint64_t i = 0; i < 12; ++i) closed += s.book.target(i).state.next_round_to_close();
    EXPECT_EQ(closed, 39u);
    ASSERT_TRUE(s.finish(sent));
    const std::vector<json> all = s.records();
    ASSERT_EQ(all.size(), 12u);
    for (uint64_t i = 0; i < 12; ++i) {
        const uint32_t rounds = s.pos[i] < 5 ? 4 : 3;
        EXPECT_EQ(s.book.target(i).state.sent(), rounds) << i;
        EXPECT_EQ(s.book.target(i).state.received(), rounds) << i;
        const auto sums = s.of(all, i, "summary");
        ASSERT_EQ(sums.size(), 1u);
        expect_summary(sums[0], 0, rounds, rounds, 0, 0, i < 6 ? "ams" : "fra");
        EXPECT_EQ(sums[0].at("time_ms"), s.wall_ms(3000000));
    }
    EXPECT_EQ(s.book.figures().rounds_closed, 41u);
    EXPECT_EQ(s.book.figures().summaries, 12u);
}

// Two TX lcores, each with its own slice and close cursor: after a stop at 1 s, ticks close each
// slice's positions due by 950 ms; finish() then closes exactly what each sender says it sent (the
// first sender 5 more, the second none), and no target gets a round its sender did not send.
TEST(MonitorBook, FinishClosesEachSlicesOwnCount) {
    scan_config cfg = monitor_cfg(300000, 13, 0, 0, 0);
    cfg.lcores.tx_cores = 2;
    monitor_book book(cfg);
    counter_block counters;
    const monitor_schedule slices[2] = {schedule_of_slice(cfg, cfg.slice(0, 2)),
                                        schedule_of_slice(cfg, cfg.slice(1, 2))};
    ASSERT_EQ(slices[0].targets_per_round(), 7u);  // targets 0, 2 .. 12
    ASSERT_EQ(slices[1].targets_per_round(), 6u);  // targets 1, 3 .. 11
    // Rounds of each target among the first `n` positions of its slice.
    const auto rounds_in = [&](unsigned t, uint64_t n, std::vector<uint32_t>& per_target) {
        const uint64_t m = slices[t].targets_per_round();
        for (uint64_t p = 0; p < n; ++p) ++per_target[*cfg.targets.index_of(slices[t].target_at(p % m))];
    };
    const auto due_by = [&](unsigned t, uint64_t until) {
        uint64_t n = 0;
        while (slices[t].due_us(uint32_t(n / slices[t].targets_per_round()),
                                n % slices[t].targets_per_round()) <= until)
            ++n;
        return n;
    };
    for (uint64_t now = 0; now <= 3000000; now += tick_us)
        book.tick(plan_clock{now, now >= 1000000 ? 1000000 : UINT64_MAX, wall0_ns, 0});
    std::vector<uint32_t> by_ticks(13);
    rounds_in(0, due_by(0, 950000), by_ticks);
    rounds_in(1, due_by(1, 950000), by_ticks);
    for (uint64_t i = 0; i < 13; ++i) EXPECT_EQ(book.target(i).state.next_round_to_close(), by_ticks[i]) << i;
    const uint64_t sent[2] = {due_by(0, 950000) + 5, due_by(1, 950000)};
    ASSERT_TRUE(book.finish(sent, plan_clock{3000000, 1000000, wall0_ns, 0}));
    std::vector<uint32_t> want(13);
    rounds_in(0, sent[0], want);
    rounds_in(1, sent[1], want);
    uint64_t total = 0;
    for (uint64_t i = 0; i < 13; ++i) {
        EXPECT_EQ(book.target(i).state.sent(), want[i]) << i;
        EXPECT_EQ(book.target(i).state.lost(), want[i]) << i;
        total += want[i];
    }
    EXPECT_EQ(total, sent[0] + sent[1]);
    EXPECT_EQ(book.figures().rounds_closed, total);
}

// fping's sprint_tm (fping 5), written apart from monitor_book's: three significant digits.
std::string fping_time(double us) {
    const double ms = us / 1000.0;
    char buf[32];
    std::snprintf(buf, sizeof buf, ms < 1 ? "%.3f" : ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
    return buf;
}

// The naive model: every record in delivery order against a set of answered (target, round)
// pairs, each round closed at its own tick, every figure counted by hand.
struct model {
    struct target {
        std::vector<uint64_t> close_tick;  // per round sent
        std::vector<bool> answered;
        std::vector<uint32_t> rtt;  // the accepted reply's RTT, per round
        uint32_t late = 0, dups = 0;
        uint32_t min_us = UINT32_MAX, max_us = 0;
        uint64_t sum_us = 0;
        std::vector<std::pair<uint64_t, int>> as_they_come;  // (tick, 0 late / 1 duplicate / 2 error)
    };
    std::vector<target> t;
};

uint64_t tick_of(uint64_t us) {
    return (us + tick_us - 1) / tick_us * tick_us;
}

// A summary the model expects: its rounds, when it is written (tick and time_ms), its figures.
struct model_summary {
    uint32_t first, rounds;
    uint64_t tick, time_ms;
    uint32_t received = 0, late = 0, dups = 0, errors = 0;
    uint32_t min_us = UINT32_MAX, max_us = 0;
};

// A time in ms as the JSON lines print it (three decimals), read back.
double ms3(uint32_t us) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", us / 1000.0);
    return std::strtod(buf, nullptr);
}

std::vector<model_summary> model_summaries(const book_sim& s, const model::target& t, uint64_t i, uint32_t S,
                                           uint64_t fin) {
    const auto C = uint32_t(t.close_tick.size());
    std::vector<model_summary> out;
    uint32_t w = 0;
    for (; S && w + S <= C; w += S)
        out.push_back({w, S, t.close_tick[w + S - 1], s.wall_ms(s.due(i, w + S - 1) + timeout_us)});
    if (C > w) out.push_back({w, C - w, fin, s.wall_ms(fin)});
    for (model_summary& m : out)
        for (uint32_t r = m.first; r < m.first + m.rounds; ++r) {
            m.received += t.answered[r];
            if (!t.answered[r]) continue;
            m.min_us = std::min(m.min_us, t.rtt[r]);
            m.max_us = std::max(m.max_us, t.rtt[r]);
        }
    // Late, duplicate and error records count in the summary being gathered when they come.
    for (const auto& [d, kind] : t.as_they_come)
        for (model_summary& m : out)
            if (m.tick >= d) {
                ++(kind == 0 ? m.late : kind == 1 ? m.dups : m.errors);
                break;
            }
    return out;
}

// Outage events from the rounds' answers in round order: (down?, first lost, round, lost rounds).
std::vector<std::tuple<bool, uint32_t, uint32_t, uint32_t>> model_events(const std::vector<bool>& answered,
                                                                         uint32_t down_after) {
    std::vector<std::tuple<bool, uint32_t, uint32_t, uint32_t>> out;
    uint32_t run = 0;
    bool down = false;
    for (uint32_t r = 0; r < answered.size(); ++r) {
        if (answered[r]) {
            if (down) out.emplace_back(false, r - run, r, run);
            down = false;
            run = 0;
            continue;
        }
        if (++run == down_after && down_after) {
            down = true;
            out.emplace_back(true, r - run + 1, r, run);
        }
    }
    return out;
}

void check_target(const book_sim& s, const std::vector<json>& all, const model::target& t, uint64_t i,
                  uint32_t S, uint32_t down_after, uint64_t fin) {
    const target_state& st = s.book.target(i).state;
    const auto C = uint32_t(t.close_tick.size());
    const auto R = uint32_t(std::count(t.answered.begin(), t.answered.end(), true));
    EXPECT_EQ(st.sent(), C);
    EXPECT_EQ(st.received(), R);
    EXPECT_EQ(st.lost(), C - R);
    EXPECT_EQ(st.late(), t.late);
    EXPECT_EQ(st.duplicates(), t.dups);
    EXPECT_EQ(s.book.totals(i).sum_us, t.sum_us);
    EXPECT_EQ(s.book.totals(i).min_us, t.min_us);
    EXPECT_EQ(s.book.totals(i).max_us, t.max_us);
    const auto want = model_summaries(s, t, i, S, fin);
    // Each round closes before the next is due: no reply can reach another round's summary.
    const bool exact_rtt = s.cfg.monitor.period_us >= delay_us;
    const auto got = s.of(all, i, "summary");
    ASSERT_EQ(got.size(), want.size());
    for (size_t k = 0; k < want.size(); ++k) {
        expect_summary(got[k], want[k].first, want[k].rounds, want[k].received, want[k].late, want[k].dups,
                       i < s.pos.size() / 2 ? "ams" : "fra", exact_rtt);
        EXPECT_EQ(got[k].value("icmp_errors", 0u), want[k].errors) << got[k];
        if (exact_rtt && want[k].received) {
            EXPECT_EQ(got[k].at("rtt_min_ms"), ms3(want[k].min_us)) << got[k];
            EXPECT_EQ(got[k].at("rtt_max_ms"), ms3(want[k].max_us)) << got[k];
        }
        EXPECT_EQ(got[k].at("time_ms"), want[k].time_ms) << got[k];
    }
    const auto events = model_events(t.answered, down_after);
    std::vector<json> got_events;
    for (const json& j : all)
        if (j.at("target") == format_ipv4(first_target + uint32_t(i)) && j.at("type") != "summary")
            got_events.push_back(j);
    ASSERT_EQ(got_events.size(), events.size());
    for (size_t k = 0; k < events.size(); ++k) {
        const auto& [down, first, round, lost] = events[k];
        const json& j = got_events[k];
        EXPECT_EQ(j.at("type"), down ? "down" : "up");
        EXPECT_EQ(j.at("first_lost_round"), first);
        EXPECT_EQ(j.at(down ? "round" : "end_round"), round);
        EXPECT_EQ(j.at("lost_rounds"), lost);
        EXPECT_EQ(j.at("start_ms"), s.wall_ms(s.due(i, first)));
        if (!down) {
            EXPECT_EQ(j.at("end_ms"), s.wall_ms(s.due(i, round)));
        }
    }
}

// Every figure of the books against the model: per target, per group, the run, the counters and
// fping's lines.
void check_against_model(book_sim& s, const model& m, uint32_t S, uint32_t down_after, uint64_t fin) {
    const std::vector<json> all = s.records();
    group_totals want[2];
    uint64_t hits = 0, errors = 0;
    size_t width = 0;
    for (uint64_t i = 0; i < m.t.size(); ++i) {
        check_target(s, all, m.t[i], i, S, down_after, fin);
        const model::target& t = m.t[i];
        group_totals& g = want[i < m.t.size() / 2 ? 0 : 1];
        const auto R = uint64_t(std::count(t.answered.begin(), t.answered.end(), true));
        g.sent += t.close_tick.size();
        g.received += R;
        g.lost += t.close_tick.size() - R;
        g.late += t.late;
        g.duplicates += t.dups;
        hits += R > 0;
        for (const auto& e : t.as_they_come) errors += e.second == 2;
        if (!t.close_tick.empty()) width = std::max(width, format_ipv4(first_target + uint32_t(i)).size());
    }
    uint64_t late = 0, dups = 0;
    for (unsigned g = 0; g < 2; ++g) {
        const group_totals& got = s.book.groups()[g];
        EXPECT_EQ(got.sent, want[g].sent);
        EXPECT_EQ(got.received, want[g].received);
        EXPECT_EQ(got.lost, want[g].lost);
        EXPECT_EQ(got.late, want[g].late);
        EXPECT_EQ(got.duplicates, want[g].duplicates);
        EXPECT_EQ(got.prom_rtt.count, want[g].received);
        late += want[g].late;
        dups += want[g].duplicates;
    }
    EXPECT_EQ(s.book.figures().rounds_closed, want[0].sent + want[1].sent);
    EXPECT_EQ(s.book.figures().received, want[0].received + want[1].received);
    uint64_t got_errors = 0;
    for (const group_totals& g : s.book.groups())
        for (const icmp_error_count& e : g.errors) got_errors += e.count;
    EXPECT_EQ(got_errors, errors);
    expect_counters(s.counters, {{counter::out_late, late}, {counter::out_duplicates, dups}});
    unsigned got_hits = 0;
    for (const attribution& a : s.seen_attr) got_hits += a.new_hit;
    EXPECT_EQ(got_hits, hits);
    std::vector<std::string> lines;
    for (uint64_t i = 0; i < m.t.size(); ++i) {
        const model::target& t = m.t[i];
        if (t.close_tick.empty()) continue;
        const auto C = t.close_tick.size();
        const auto R = size_t(std::count(t.answered.begin(), t.answered.end(), true));
        std::string name = format_ipv4(first_target + uint32_t(i));
        name.resize(width, ' ');
        std::string line = name + " : xmt/rcv/%loss = " + std::to_string(C) + "/" + std::to_string(R) + "/" +
                           std::to_string((C - R) * 100 / C) + "%";
        if (R)
            line += ", min/avg/max = " + fping_time(t.min_us) + "/" +
                    fping_time(double(t.sum_us) / double(R)) + "/" + fping_time(t.max_us);
        lines.push_back(line);
    }
    EXPECT_EQ(lines_of(s.text_file), lines);
}

// One random run: targets, period, rounds, -Q, --down-after, replies of every kind, a stop.
void random_run(std::mt19937_64& rng) {
    const auto n = uint32_t(1 + rng() % 20);
    const uint64_t periods[] = {40000, 100000, 300000};
    const uint64_t period = periods[rng() % 3];
    const auto count = uint32_t(rng() % 3 ? 1 + rng() % 12 : 0);
    const auto S = uint32_t(rng() % 5), down_after = uint32_t(rng() % 5);
    book_sim s(monitor_cfg(period, n, count, S, down_after, rng()));
    const uint64_t stop = tick_of(rng() % ((count ? count : 10) * period + period));
    const uint64_t fin = tick_of(stop + delay_us + period);
    model m;
    m.t.resize(n);
    for (uint64_t p = 0;; ++p) {  // the positions sent, each with its replies
        const auto r = uint32_t(p / n);
        const uint64_t k = p % n;
        const uint64_t due = s.order.due_us(r, k);
        if (due > stop || (count && r >= count)) break;
        const uint64_t i = *s.cfg.targets.index_of(s.order.target_at(k));
        m.t[i].close_tick.push_back(due + monitor_close_margin_us <= stop ? tick_of(due + delay_us) : fin);
        m.t[i].answered.push_back(false);
        m.t[i].rtt.push_back(0);
        const unsigned kind = unsigned(rng() % 10), replies = kind < 2   ? 0
                                                              : kind < 8 ? 1
                                                                         : 1 + unsigned(rng() % 3);
        for (unsigned k2 = 0; k2 < replies; ++k2) {
            const auto rtt =
                uint32_t(kind == 7 ? timeout_us + 1 + rng() % timeout_us : 50 + rng() % timeout_us);
            s.echo(i, r, rtt, kind == 6 ? rng() % (2 * period + monitor_close_margin_us) : 0);
        }
        if (rng() % 20 == 0) s.unreachable(i, r, uint32_t(100 + rng() % 10000));
    }
    // The model reads the records in the order the simulation will deliver them.
    std::vector<pending> order = s.queue;
    std::stable_sort(order.begin(), order.end(),
                     [](const pending& a, const pending& b) { return a.at_us < b.at_us; });
    uint64_t delivered = 0;
    for (const pending& p : order) {
        const uint64_t d = tick_of(p.at_us);
        if (d > fin) continue;
        ++delivered;
        model::target& t = m.t[p.rec.probe_daddr - first_target];
        if (!p.rec.success) {
            t.as_they_come.push_back({d, 2});
            continue;
        }
        const uint32_t r = p.rec.round;  // fewer than 256 rounds: the low 8 bits are the round
        if (t.answered[r]) {
            ++t.dups;
            t.as_they_come.push_back({d, 1});
        } else if (p.rec.rtt_us > timeout_us || d > t.close_tick[r]) {
            ++t.late;
            t.as_they_come.push_back({d, 0});
        } else {
            t.answered[r] = true;
            t.rtt[r] = p.rec.rtt_us;
            t.min_us = std::min(t.min_us, p.rec.rtt_us);
            t.max_us = std::max(t.max_us, p.rec.rtt_us);
            t.sum_us += p.rec.rtt_us;
        }
    }

    s.run_to(stop);
    s.send_end = stop;
    s.run_to(fin);
    uint64_t sent = 0;
    for (const auto& t : m.t) sent += t.close_tick.size();
    ASSERT_TRUE(s.finish(sent));
    EXPECT_EQ(s.seen_attr.size(), delivered);
    check_against_model(s, m, S, down_after, fin);
}

}  // namespace

TEST(MonitorBook, RandomRunsEqualANaiveModel) {
    std::mt19937_64 rng(14);
    for (int run = 0; run < 60; ++run) {
        SCOPED_TRACE(run);
        random_run(rng);
        if (HasFatalFailure()) return;
    }
}

// Where rounds overlap (--timeout + margin longer than --period, as with -M monitor's defaults of
// 1 s and 1 s), round r + 1's reply arrives before round r closes; it must still land in round
// r + 1's summary, not in round r's (with -Q every round here; with a longer -Q, the last rounds
// of each summary against the next). Once a bug: the summary took the replies that came while it
// was gathered.
TEST(MonitorBook, SummaryRttHoldsOnlyItsOwnRounds) {
    book_sim s(monitor_cfg(100000, 1, 4, 1, 0));
    for (uint32_t r = 0; r < 4; ++r) s.echo(0, r, 1000 * (r + 1));
    s.run_to(1000000);
    ASSERT_TRUE(s.finish(4));
    const auto sums = s.of(s.records(), 0, "summary");
    ASSERT_EQ(sums.size(), 4u);
    for (uint32_t r = 0; r < 4; ++r) {
        expect_summary(sums[r], r, 1, 1, 0, 0, "fra");
        EXPECT_EQ(sums[r].value("rtt_min_ms", 0.0), double(r + 1)) << sums[r];
    }
}

// A resumed run's books (--resume in -M monitor) go on from the saved ones: run A is stopped
// without finishing (a crash) after its books were saved; run B starts from the save at its next
// round and runs 3 more. Every target's counters, RTT totals and histograms, the groups' and the
// run's counts are A's plus B's (its outage and recovery events B's own); an outage of A goes on
// in B and ends there with its old first round; B's summaries and events number rounds on from
// A's; fping's lines count both runs; the Prometheus counters B publishes are B's alone.
//   0-9  every round answered, 1000 + i us;  10  lost in A from round 2 (down at 3), back in B
//   11   never (down in A, still down in B: no second down event)
TEST(MonitorBook, ResumedBooksGoOnFromTheSavedOnes) {
    scan_config cfg_a = monitor_cfg(300000, 12, 0, 0, 2);
    cfg_a.monitor.prometheus = "127.0.0.1:0";  // per-target histograms, to carry over too
    book_sim a(cfg_a);
    for (uint32_t r = 0; r < 6; ++r)
        for (uint64_t i = 0; i < 10 || (i == 10 && r < 2); ++i) a.echo(i, r, 1000 + uint32_t(i));
    a.run_to(1700000);  // rounds 0-3 closed for every target (round 4 is due by 1.2 s + 250 ms: some)
    monitor_saved saved;
    a.book.save(saved);
    ASSERT_GE(saved.next_round, 4u);
    for (uint64_t i = 0; i < 12; ++i)
        EXPECT_EQ(saved.counts[i].sent, a.book.target(i).state.next_round_to_close()) << i;
    EXPECT_TRUE(saved.counts[10].down);
    EXPECT_TRUE(saved.counts[11].down);
    EXPECT_EQ(saved.counts[10].down_since, 2u);

    scan_config cfg_b = monitor_cfg(300000, 12, saved.next_round + 3, 0, 2);
    cfg_b.monitor.prometheus = "127.0.0.1:0";
    cfg_b.checkpoint.first_round = saved.next_round;
    cfg_b.checkpoint.monitor_start = std::make_shared<monitor_saved>(saved);
    book_sim b(cfg_b);
    const uint32_t first = saved.next_round;
    for (uint32_t r = first; r < first + 3; ++r)
        for (uint64_t i = 0; i < 11; ++i) b.echo(i, r, 2000 + uint32_t(i));
    b.run_to(2000000);
    ASSERT_TRUE(b.finish(3 * 12));
    for (uint64_t i = 0; i < 12; ++i) {
        const target_counts& was = saved.counts[i];
        const target_state& now = b.book.target(i).state;
        EXPECT_EQ(now.sent(), was.sent + 3) << i;
        EXPECT_EQ(now.received(), was.received + (i < 11 ? 3 : 0)) << i;
        EXPECT_EQ(now.lost(), was.lost + (i < 11 ? 0 : 3)) << i;
        EXPECT_EQ(now.next_round_to_close(), first + 3) << i;
        if (i < 11) {
            EXPECT_EQ(b.book.totals(i).max_us, 2000 + i) << i;
            EXPECT_EQ(b.book.totals(i).sum_us, saved.totals[i].sum_us + 3 * (2000 + i)) << i;
            EXPECT_EQ(b.book.prom_histogram_of(i).count, saved.histograms[i].count + 3) << i;
        }
        if (i < 10) {
            EXPECT_EQ(b.book.totals(i).min_us, 1000 + i) << i;
        }
    }
    const std::vector<json> lines = b.records();
    const auto up = b.of(lines, 10, "up");
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0].at("first_lost_round"), 2u);
    EXPECT_EQ(up[0].at("end_round"), first);
    EXPECT_TRUE(b.of(lines, 11, "down").empty());
    for (uint64_t i = 0; i < 12; ++i) {
        const auto sums = b.of(lines, i, "summary");
        ASSERT_EQ(sums.size(), 1u) << i;
        EXPECT_EQ(sums[0].at("first_round"), first) << i;
        EXPECT_EQ(sums[0].at("rounds"), 3u) << i;  // this run's rounds; the counters are both runs'
        EXPECT_EQ(sums[0].at("received"), i < 11 ? 3u : 0u) << i;
    }
    const monitor_figures fa = a.book.figures(), fb = b.book.figures();
    EXPECT_EQ(fb.rounds_closed, fa.rounds_closed + 36);
    EXPECT_EQ(fb.received, fa.received + 33);
    EXPECT_EQ(fb.outages, 0u);  // this run's events: 10's outage ended, none began
    EXPECT_EQ(fb.recoveries, 1u);
    EXPECT_EQ(fb.targets_down, 1u);
    // Prometheus counters start at zero in the resumed process (metrics_publisher::start_from):
    // every group's and target's published counters are B's alone.
    snapshot_exchange<metrics_snapshot> ex;
    metrics_publisher pub(ex, 12, {"a", "b"}, "198.19.255.1");
    pub.start_from(cfg_b.checkpoint.monitor_start, b.book);
    pub.publish_now(b.book, 1, 0);
    const metrics_snapshot* snap = ex.take();
    ASSERT_NE(snap, nullptr);
    uint64_t sent = 0, received = 0, rtt_count = 0;
    for (const group_metrics& g : snap->groups)
        sent += g.counters.sent, received += g.counters.received, rtt_count += g.rtt.count;
    EXPECT_EQ(sent, 36u);
    EXPECT_EQ(received, 33u);
    EXPECT_EQ(rtt_count, 33u);
    ASSERT_EQ(snap->targets.size(), 12u);
    for (const target_metrics& t : snap->targets) {
        const uint64_t i = t.ip - first_target;
        EXPECT_EQ(t.counters.sent, 3u) << i;
        EXPECT_EQ(t.counters.received, i < 11 ? 3u : 0u) << i;
        EXPECT_EQ(t.rtt.count, i < 11 ? 3u : 0u) << i;
        EXPECT_EQ(t.rtt_sum_us, i < 11 ? 3 * (2000 + i) : 0u) << i;
    }
    uint64_t group_replies = 0;
    for (const group_totals& g : b.book.groups()) group_replies += g.prom_rtt.count;
    EXPECT_EQ(group_replies, saved.groups[0].rtt.count + saved.groups[1].rtt.count + 33);
    // fping's line counts both runs.
    std::string text;
    for (const std::string& l : lines_of(b.text_file)) text += l + "\n";
    EXPECT_NE(text.find(fmt::format("198.18.0.12 : xmt/rcv/%loss = {}/0/100%", saved.counts[11].sent + 3)),
              std::string::npos)
        << text;
}
