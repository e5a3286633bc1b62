// The monitor plan on the driver's loops over a net_ring port: the timed TX loop sends every
// (target, round) once, in the schedule's due order, none before its due time (the send time each
// probe carries against the schedule's), and stops after --count rounds or at a stop request with
// a prefix of the sequence sent; then the whole way back: the probes answered (a known set
// dropped, one duplicated) go through rx_loop and the monitor plan's output loop, and the books'
// summaries and fping lines say exactly what was sent back.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../unit/packet_craft.hpp"
#include "dpdk/output_loop.hpp"
#include "dpdk/rx_loop.hpp"
#include "dpdk/tx_loop.hpp"
#include "modes/monitor_mode.hpp"
#include "ring_port.hpp"

namespace ics::dpdk {
namespace {

constexpr ipv4_addr net_198_18 = 0xc6120000;  // 198.18.0.0

// 198.18.0.0 .. 198.18.0.<n-1>, every `period_us` for `count` rounds (0: until stopped).
scan_config monitor_cfg(uint32_t n, uint32_t count, uint64_t period_us) {
    scan_config cfg;
    cfg.mode = run_mode::monitor;
    cfg.targets = interval_set({{net_198_18, net_198_18 + n - 1}});
    cfg.seed = 9;
    cfg.monitor.period_us = period_us;
    cfg.monitor.count = count;
    cfg.monitor.timeout_us = 5000000;  // far beyond the test's length: every reply is in time
    cfg.monitor.down_after = 2;
    return cfg;
}

// One TX lcore of the monitor plan on `port`. The clock's epoch is the send start, so a probe's
// send time is its time on the schedule's clock.
struct monitor_tx_rig {
    scan_config cfg;
    permutation perm;
    echo_probe probe{test::test_probe_setup()};
    counter_block counters;
    scan_flags flags;
    tx_context<monitor_mode> c;

    monitor_tx_rig(scan_config config, uint16_t port, rte_mempool* pool)
        : cfg(std::move(config)),
          perm(monitor_mode::permutation_domain(cfg), 7),
          c(monitor_mode::make_schedule(cfg, perm, cfg.slice(0, 1))) {
        const uint64_t now = rte_rdtsc();
        c.port = port;
        c.pool = pool;
        c.sources = &test::test_sources();
        c.start_tsc = now;
        c.clock = tsc_clock(rte_get_tsc_hz(), now, 0);
        c.counters = &counters;
        c.flags = &flags;
        c.progress = &flags.senders[0];
        c.probe = &probe;
        flags.tx_running.store(1);
    }
    int operator()() { return tx_loop(c); }
};

struct sent_probe {
    ipv4_addr target;
    uint32_t round, send_us;
};

sent_probe read_probe(const echo_probe& probe, const std::vector<uint8_t>& frame) {
    result_record rec{};
    counter why{};
    EXPECT_TRUE(test::decode(probe, test::echo_reply_to(frame), 0, rec, why))
        << counter_infos[size_t(why)].name;
    const uint32_t s = load_be32(frame.data() + eth_header_len + ipv4_min_header_len + icmp_off::payload);
    return {rec.probe_daddr, s >> 24, s & 0xffffff};
}

// Frame i is position i % m of round i / m: the schedule's target there, sent no earlier than
// send_ahead_us before its due time.
void expect_schedule_order(const monitor_tx_rig& rig, const std::vector<std::vector<uint8_t>>& frames) {
    const monitor_schedule order = schedule_of_slice(rig.cfg, rig.cfg.slice(0, 1));
    const uint64_t m = order.targets_per_round();
    std::set<std::pair<uint32_t, ipv4_addr>> seen;
    uint32_t last_send = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
        const sent_probe p = read_probe(rig.probe, frames[i]);
        const auto r = uint32_t(i / m);
        EXPECT_EQ(p.round, r) << i;
        EXPECT_EQ(p.target, order.target_at(i % m)) << i;
        EXPECT_GE(p.send_us + send_ahead_us, order.due_us(r, i % m)) << "probe " << i << " sent too early";
        EXPECT_GE(p.send_us, last_send) << i;
        EXPECT_TRUE(seen.insert({p.round, p.target}).second) << "sent twice: probe " << i;
        last_send = p.send_us;
    }
}

TEST(MonitorLoop, TimedTxSendsEveryTargetOncePerRoundInDueOrderNeverEarly) {
    auto pool = test::make_pool(1023);
    test::ring_port port(64, 1024, pool.get());
    ASSERT_TRUE(port.ok());
    auto rig = std::make_unique<monitor_tx_rig>(monitor_cfg(64, 3, 30000), port.id, pool.get());
    EXPECT_EQ((*rig)(), 0);  // returns by itself after round 2
    const auto frames = port.sent();
    ASSERT_EQ(frames.size(), 192u);
    expect_schedule_order(*rig, frames);
    test::expect_counters(rig->counters, {{counter::tx_probes, 192}});
    EXPECT_EQ(rig->flags.senders[0].positions.load(), 192u);  // what the close cursors may close
    EXPECT_EQ(rig->flags.tx_running.load(), 0u);
    const group_rtt_summary& late = rig->c.schedule.lateness();
    EXPECT_GE(late.count(), 1u);  // one sample per burst
    EXPECT_LE(late.count(), 192u);
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// --count 0: sending goes on until the stop request, and what went out is the sequence's first
// positions, each once, in order.
TEST(MonitorLoop, TimedTxUntilStoppedSendsAPrefixOfTheSequence) {
    auto pool = test::make_pool(1023);
    test::ring_port port(64, 1024, pool.get());
    ASSERT_TRUE(port.ok());
    auto rig = std::make_unique<monitor_tx_rig>(monitor_cfg(64, 0, 30000), port.id, pool.get());
    ASSERT_TRUE(test::launch_on_worker(*rig));
    EXPECT_TRUE(test::wait_until([&] { return rte_ring_count(port.tx_ring.get()) >= 100; }));
    rig->flags.stop_tx.store(true);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    const auto frames = port.sent();
    EXPECT_GE(frames.size(), 100u);
    EXPECT_EQ(rig->counters.get(counter::tx_probes), frames.size());
    EXPECT_EQ(rig->flags.senders[0].positions.load(), frames.size());
    expect_schedule_order(*rig, frames);
    EXPECT_EQ(rig->flags.tx_running.load(), 0u);
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// Whether target i's reply in round r is dropped: target 7 never answers, targets 0, 5, 10 ...
// miss round 1.
bool dropped(uint32_t i, uint32_t r) {
    return i == 7 || (i % 5 == 0 && r == 1);
}

std::vector<std::string> lines_of(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::vector<std::string> out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, f)) {
        std::string l(buf);
        EXPECT_TRUE(!l.empty() && l.back() == '\n');
        l.pop_back();
        out.push_back(l);
    }
    return out;
}

// Runs rx_loop on the worker lcore until it has turned `frames` frames into records, then stops it.
void receive(rx_context<echo_probe>& rx, scan_flags& flags, counter_block& counters, size_t frames) {
    flags.rx_running.store(1);
    auto run = [&rx] { return rx_loop(rx); };
    ASSERT_TRUE(test::launch_on_worker(run));
    EXPECT_TRUE(test::wait_until([&] { return counters.get(counter::rx_frames) == frames; }));
    flags.stop_rx.store(true);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
}

// 32 targets, 3 rounds: the probes answered as a host would (but the dropped ones; target 3's
// round 2 twice), received by rx_loop, booked by the output loop, closed by the plan's finish.
TEST(MonitorLoop, SummariesSayWhatWasSentBack) {
    auto pool = test::make_pool(1023);
    test::ring_port port(256, 1024, pool.get());
    ASSERT_TRUE(port.ok());
    auto tx = std::make_unique<monitor_tx_rig>(monitor_cfg(32, 3, 20000), port.id, pool.get());
    EXPECT_EQ((*tx)(), 0);
    const auto probes = port.sent();
    ASSERT_EQ(probes.size(), 96u);
    std::vector<std::vector<uint8_t>> replies;
    for (const auto& f : probes) {
        const sent_probe p = read_probe(tx->probe, f);
        if (dropped(p.target - net_198_18, p.round)) continue;
        replies.push_back(test::echo_reply_to(f));
        if (p.target == net_198_18 + 3 && p.round == 2) replies.push_back(test::echo_reply_to(f));
    }
    ASSERT_EQ(replies.size(), 96u - 3 - 7 + 1);
    ASSERT_TRUE(port.inject(pool.get(), replies));

    counter_block counters;
    auto records = test::make_record_ring(1024);
    auto arp = test::make_ring(64);
    rx_context<echo_probe> rx;
    rx.queues = {{port.id, 0}};
    rx.probe = &tx->probe;
    rx.clock = tx->c.clock;  // the senders' clock: the RTTs are reply arrival - send stamp
    rx.records = records.get();
    rx.arp = arp.get();
    rx.counters = &counters;
    rx.flags = &tx->flags;
    receive(rx, tx->flags, counters, replies.size());
    ASSERT_EQ(rte_ring_count(records.get()), replies.size());

    monitor_attribution attribution(tx->cfg);
    std::FILE* json_file = std::tmpfile();
    std::FILE* text_file = std::tmpfile();
    attribution.set_outputs(json_file, text_file);
    const output_filter filter = *output_filter::parse("");
    output_context<monitor_mode> out;
    out.rings = {records.get()};
    out.attribution = &attribution;
    out.filter = &filter;
    out.clock = tx->c.clock;
    out.counters = &counters;
    out.flags = &tx->flags;  // no send start: no tick, finish() closes every round
    EXPECT_EQ(output_loop(out), 0);
    scan_report report;
    report.tx_lcores.push_back({1, "ring", 0, tx->counters.get(counter::tx_probes)});
    ASSERT_TRUE(monitor_mode::finish(tx->cfg, tx->probe, attribution, nullptr, report));

    test::expect_counters(counters, {{counter::rx_frames, 87},
                                     {counter::rx_valid, 87},
                                     {counter::out_records, 87},
                                     {counter::out_repeats, 1},
                                     {counter::out_duplicates, 1}});
    EXPECT_EQ(tx->flags.hits.load(), 31u);
    ASSERT_TRUE(report.monitor.has_value());
    EXPECT_EQ(report.monitor->rounds_closed, 96u);
    EXPECT_EQ(report.monitor->received, 86u);
    EXPECT_EQ(report.monitor->lost, 10u);
    EXPECT_EQ(report.monitor->duplicates, 1u);
    EXPECT_EQ(report.monitor->late, 0u);
    EXPECT_EQ(report.monitor->outages, 1u);
    EXPECT_EQ(report.monitor->targets_down, 1u);
    EXPECT_EQ(report.monitor->summaries, 32u);

    std::vector<std::string> fping;
    size_t summaries = 0, downs = 0;
    for (const std::string& line : lines_of(json_file)) {
        const auto j = nlohmann::json::parse(line);
        const uint32_t i = *parse_ipv4(j.at("target").get<std::string>()) - net_198_18;
        if (j.at("type") == "down") {
            ++downs;
            EXPECT_EQ(i, 7u);
            EXPECT_EQ(j.at("first_lost_round"), 0);
            EXPECT_EQ(j.at("round"), 1);
            continue;
        }
        ASSERT_EQ(j.at("type"), "summary");
        ++summaries;
        uint32_t received = 0;
        for (uint32_t r = 0; r < 3; ++r) received += !dropped(i, r);
        EXPECT_EQ(j.at("first_round"), 0) << line;
        EXPECT_EQ(j.at("sent"), 3) << line;
        EXPECT_EQ(j.at("received"), received) << line;
        EXPECT_EQ(j.at("lost"), 3 - received) << line;
        EXPECT_EQ(j.at("duplicates"), i == 3 ? 1 : 0) << line;
        EXPECT_EQ(j.at("late"), 0) << line;
        EXPECT_EQ(j.contains("rtt_min_ms"), received > 0) << line;
    }
    EXPECT_EQ(summaries, 32u);
    EXPECT_EQ(downs, 1u);
    const std::vector<std::string> text = lines_of(text_file);
    ASSERT_EQ(text.size(), 32u);
    for (uint32_t i = 0; i < 32; ++i) {
        const unsigned received = i == 7 ? 0 : i % 5 == 0 ? 2 : 3;
        std::string name = format_ipv4(net_198_18 + i);
        name.resize(11, ' ');  // 198.18.0.10 is the longest
        const std::string head = name + " : xmt/rcv/%loss = 3/" + std::to_string(received) + "/" +
                                 std::to_string((3 - received) * 100 / 3) + "%";
        EXPECT_EQ(text[i].substr(0, head.size()), head);
        EXPECT_EQ(text[i].size() > head.size(), received > 0) << text[i];  // min/avg/max where answered
    }
    std::fclose(json_file);
    std::fclose(text_file);
}

}  // namespace
}  // namespace ics::dpdk
