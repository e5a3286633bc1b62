// tx_loop on a net_ring port, for both plans: what reaches the port's TX ring (every planned probe
// once, each frame a valid probe of its round or (target, TTL)), what the loop counts (probes,
// mempool waits, a full queue, probes dropped at a stop), the send span it publishes, that no
// mbuf is leaked, and that a paced loop never sends ahead of the pacer's allowance.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "../unit/packet_craft.hpp"
#include "dpdk/tx_loop.hpp"
#include "modes/scan_mode.hpp"
#include "modes/trace_mode.hpp"
#include "probe/echo_probe.hpp"
#include "ring_port.hpp"

namespace ics::dpdk {
namespace {

using scan_plan = scan_mode<echo_probe>;
using test::expect_counters;

constexpr ipv4_addr net_198_18 = 0xc6120000;  // 198.18.0.0

scan_config scan_cfg(uint32_t targets, uint32_t rounds) {
    scan_config cfg;
    cfg.targets = interval_set({{net_198_18, net_198_18 + targets - 1}});
    cfg.probes = rounds;
    return cfg;
}

scan_config trace_cfg(uint32_t targets, uint8_t max_ttl) {
    scan_config cfg;
    cfg.mode = run_mode::trace;
    cfg.targets = interval_set({{net_198_18, net_198_18 + targets - 1}});
    cfg.trace.order = trace_order::random;
    cfg.trace.min_ttl = 1;
    cfg.trace.max_ttl = max_ttl;
    return cfg;
}

probe_setup setup_for(const scan_config& cfg) {
    probe_setup s = test::test_probe_setup();
    s.min_ttl = cfg.trace.min_ttl;
    s.max_ttl = cfg.trace.max_ttl;
    return s;
}

// One TX lcore's context for `Plan` over the whole of `cfg`, sending on `port` from `pool`. The
// clock's epoch is the pacer's start, so a probe's send time is its time in the pacer's schedule.
template <typename Plan>
struct tx_rig {
    scan_config cfg;
    permutation perm;
    typename Plan::probe probe;
    counter_block counters;
    scan_flags flags;
    tx_context<Plan> c;

    tx_rig(scan_config config, uint16_t port, rte_mempool* pool, uint64_t rate)
        : cfg(std::move(config)),
          perm(Plan::permutation_domain(cfg), 7),
          probe(setup_for(cfg)),
          c(Plan::make_schedule(cfg, perm, cfg.slice(0, 1))) {
        const uint64_t now = rte_rdtsc();
        c.port = port;
        c.pool = pool;
        c.sources = &test::test_sources();
        c.rate = rate;
        c.start_tsc = now;
        c.clock = tsc_clock(rte_get_tsc_hz(), now, 0);
        c.counters = &counters;
        c.flags = &flags;
        c.progress = &flags.senders[0];  // as init_sender gives every TX lcore
        c.probe = &probe;
        flags.tx_running.store(1);
    }
    int operator()() { return tx_loop(c); }
};

// What a sent echo probe says of itself, read the way the RX side reads it: from the Echo Reply a
// host would send (so the cookie must validate).
struct echo_sent {
    ipv4_addr target;
    uint32_t round, send_us;
};

echo_sent read_echo(const echo_probe& probe, const std::vector<uint8_t>& frame) {
    EXPECT_EQ(frame.size(), echo_probe::frame_len);
    EXPECT_EQ(load_be32(frame.data() + eth_header_len + ip_off::src), test::test_sources().ranges()[0].first);
    result_record rec{};
    counter why{};
    EXPECT_TRUE(test::decode(probe, test::echo_reply_to(frame), 0, rec, why))
        << counter_infos[size_t(why)].name;
    const uint32_t s = load_be32(frame.data() + eth_header_len + ipv4_min_header_len + icmp_off::payload);
    EXPECT_EQ(rec.round, s >> 24);
    return {rec.probe_daddr, s >> 24, s & 0xffffff};
}

// Every (target, round) of `cfg` exactly once, rounds in order (one lcore walks them in turn).
void expect_every_probe_once(const scan_config& cfg, const echo_probe& probe,
                             const std::vector<std::vector<uint8_t>>& frames) {
    ASSERT_EQ(frames.size(), cfg.targets.size() * cfg.probes);
    std::set<std::pair<uint32_t, ipv4_addr>> seen;
    for (size_t i = 0; i < frames.size(); ++i) {
        const echo_sent p = read_echo(probe, frames[i]);
        EXPECT_TRUE(cfg.targets.contains(p.target)) << i;
        EXPECT_EQ(p.round, i / cfg.targets.size()) << i;
        EXPECT_TRUE(seen.insert({p.round, p.target}).second) << "sent twice: probe " << i;
    }
}

TEST(TxLoop, ScanSendsEveryProbeOfEveryRoundOnce) {
    auto pool = test::make_pool(1023);
    test::ring_port port(64, 1024, pool.get());
    ASSERT_TRUE(port.ok());
    auto rig = std::make_unique<tx_rig<scan_plan>>(scan_cfg(256, 2), port.id, pool.get(), 0);
    const uint64_t before = rte_rdtsc();
    EXPECT_EQ((*rig)(), 0);
    const uint64_t after = rte_rdtsc();
    const auto frames = port.sent();
    expect_every_probe_once(rig->cfg, rig->probe, frames);
    expect_counters(rig->counters, {{counter::tx_probes, 512}});
    EXPECT_EQ(rig->flags.tx_running.load(), 0u);
    // The send span: the first burst's stamp is first_tsc, the last one's last_tsc, and each
    // probe carries its burst's stamp.
    const uint64_t first = rig->c.first_tsc.load(), last = rig->c.last_tsc.load();
    EXPECT_GE(first, before);
    EXPECT_GE(last, first);
    EXPECT_LE(last, after);
    EXPECT_GT(rig->c.max_send_lag.load(), 0u);
    EXPECT_LE(rig->c.max_send_lag.load(), after - first);
    EXPECT_EQ(read_echo(rig->probe, frames.front()).send_us, rig->c.clock.probe_time_us(first) & 0xffffff);
    EXPECT_EQ(read_echo(rig->probe, frames.back()).send_us, rig->c.clock.probe_time_us(last) & 0xffffff);
    for (size_t i = 1; i < frames.size(); ++i)
        EXPECT_LE(read_echo(rig->probe, frames[i - 1]).send_us, read_echo(rig->probe, frames[i]).send_us)
            << i;
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

TEST(TxLoop, TraceSendsEveryTargetAndTtlOnce) {
    auto pool = test::make_pool(1023);
    test::ring_port port(64, 1024, pool.get());
    ASSERT_TRUE(port.ok());
    auto rig = std::make_unique<tx_rig<trace_mode>>(trace_cfg(16, 8), port.id, pool.get(), 0);
    EXPECT_EQ((*rig)(), 0);
    const auto frames = port.sent();
    ASSERT_EQ(frames.size(), 16u * 8u);
    std::set<std::pair<ipv4_addr, uint8_t>> seen;
    for (const auto& f : frames) {
        EXPECT_EQ(f.size(), trace_probe::frame_len);
        result_record rec{};
        counter why{};
        ASSERT_TRUE(test::decode(rig->probe, test::echo_reply_to(f), 0, rec, why))
            << counter_infos[size_t(why)].name;
        EXPECT_EQ(rec.probe_ttl, f[eth_header_len + ip_off::ttl]);  // the TTL the cookie carries is the IP's
        EXPECT_TRUE(rig->cfg.targets.contains(rec.probe_daddr));
        EXPECT_GE(rec.probe_ttl, 1);
        EXPECT_LE(rec.probe_ttl, 8);
        EXPECT_TRUE(seen.insert({rec.probe_daddr, rec.probe_ttl}).second) << "sent twice";
    }
    expect_counters(rig->counters, {{counter::tx_probes, 128}});
    EXPECT_EQ(rig->flags.tx_running.load(), 0u);
    EXPECT_NE(rig->c.first_tsc.load(), 0u);
    EXPECT_GE(rig->c.last_tsc.load(), rig->c.first_tsc.load());
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// FlashRoute's backward order, with feedback the output lcore sent before the preprobe round:
// target 0's path ends at TTL 2 (split 2), target 1 has its hops below 3 in the stop set. The loop
// sends the preprobe round (every target at max TTL) first, pauses, then one TTL per target and
// round: split, split-1 .. 1, then split+1 .. max, skipping (and counting) what the feedback made
// useless.
TEST(TxLoop, TraceBackwardFollowsTheFeedbackAndCountsSkips) {
    auto pool = test::make_pool(1023);
    test::ring_port port(64, 1024, pool.get());
    ASSERT_TRUE(port.ok());
    scan_config cfg = trace_cfg(16, 8);
    cfg.trace.order = trace_order::backward;
    cfg.trace.default_split = 4;
    cfg.trace.preprobe_wait_s = 0.001;
    auto rig = std::make_unique<tx_rig<trace_mode>>(cfg, port.id, pool.get(), 0);
    test::ring_ptr feedback = test::make_ring(64, sizeof(trace_feedback));
    const trace_feedback fb[] = {
        {0, feedback_kind::split, 2}, {0, feedback_kind::end, 2}, {1, feedback_kind::stop, 3}};
    ASSERT_EQ(rte_ring_enqueue_bulk_elem(feedback.get(), fb, sizeof(trace_feedback), 3, nullptr), 3u);
    rig->c.feedback = feedback.get();
    EXPECT_EQ((*rig)(), 0);
    EXPECT_TRUE(rte_ring_empty(feedback.get()));

    const auto frames = port.sent();
    std::map<ipv4_addr, std::vector<unsigned>> ttls;  // by target, in sending order
    for (size_t i = 0; i < frames.size(); ++i) {
        result_record rec{};
        counter why{};
        ASSERT_TRUE(test::decode(rig->probe, test::echo_reply_to(frames[i]), 0, rec, why));
        EXPECT_EQ(rec.probe_ttl, frames[i][eth_header_len + ip_off::ttl]);
        EXPECT_TRUE(i >= 16 || rec.probe_ttl == 8) << "the preprobe round comes first: " << i;
        ttls[rec.probe_daddr].push_back(rec.probe_ttl);
    }
    ASSERT_EQ(ttls.size(), 16u);
    for (const auto& [target, sent] : ttls) {
        const std::vector<unsigned> want = target == net_198_18 ? std::vector<unsigned>{8, 2, 1}
                                           : target == net_198_18 + 1
                                               ? std::vector<unsigned>{8, 4, 3, 5, 6, 7, 8}
                                               : std::vector<unsigned>{8, 4, 3, 2, 1, 5, 6, 7, 8};
        EXPECT_EQ(sent, want) << format_ipv4(target);
    }
    // 16 preprobes and 8 rounds of 16 planned; target 0 skips 6, target 1 skips 2.
    EXPECT_EQ(trace_mode::probes_planned(rig->cfg, rig->cfg.slice(0, 1)), 144u);
    expect_counters(rig->counters, {{counter::tx_probes, 136}, {counter::tx_trace_skipped, 8}});
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// Takes every mbuf of `pool`, so that the next allocation fails.
std::vector<rte_mbuf*> drain_pool(rte_mempool* pool) {
    std::vector<rte_mbuf*> held(rte_mempool_avail_count(pool));
    EXPECT_EQ(rte_pktmbuf_alloc_bulk(pool, held.data(), unsigned(held.size())), 0);
    return held;
}

// With the pool empty at the start, the first burst waits (one burst delayed, counted once) and,
// once mbufs are back, every probe still goes out once.
TEST(TxLoop, EmptyMempoolDelaysTheBurstAndLosesNothing) {
    auto pool = test::make_pool(600);  // enough for the whole scan once the test gives its mbufs back
    test::ring_port port(64, 1024, pool.get());
    ASSERT_TRUE(port.ok());
    auto rig = std::make_unique<tx_rig<scan_plan>>(scan_cfg(256, 2), port.id, pool.get(), 0);
    std::vector<rte_mbuf*> held = drain_pool(pool.get());
    ASSERT_TRUE(test::launch_on_worker(*rig));
    EXPECT_TRUE(test::wait_until([&] { return rig->counters.get(counter::tx_alloc_failed) > 0; }));
    EXPECT_EQ(rig->counters.get(counter::tx_probes), 0u);
    rte_pktmbuf_free_bulk(held.data(), unsigned(held.size()));
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    expect_every_probe_once(rig->cfg, rig->probe, port.sent());
    expect_counters(rig->counters, {{counter::tx_probes, 512}, {counter::tx_alloc_failed, 1}});
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// A stop while waiting for mbufs ends the loop: nothing built, nothing sent, nothing held.
TEST(TxLoop, StopWhileWaitingForMbufsEndsTheLoop) {
    auto pool = test::make_pool(128);
    test::ring_port port(64, 1024, pool.get());
    ASSERT_TRUE(port.ok());
    auto rig = std::make_unique<tx_rig<scan_plan>>(scan_cfg(256, 2), port.id, pool.get(), 0);
    std::vector<rte_mbuf*> held = drain_pool(pool.get());
    ASSERT_TRUE(test::launch_on_worker(*rig));
    EXPECT_TRUE(test::wait_until([&] { return rig->counters.get(counter::tx_alloc_failed) > 0; }));
    rig->flags.stop_tx.store(true);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    EXPECT_EQ(rig->flags.tx_running.load(), 0u);
    EXPECT_TRUE(port.sent().empty());
    expect_counters(rig->counters, {{counter::tx_alloc_failed, 1}});
    EXPECT_EQ(rig->c.first_tsc.load(), 0u);
    rte_pktmbuf_free_bulk(held.data(), unsigned(held.size()));
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// A TX queue smaller than a burst takes each burst in part: each of the 8 bursts (512 probes, 64
// at a time) counts once, and the retries still send every probe once while the test drains.
TEST(TxLoop, FullQueueIsRetriedAndCountedOncePerBurst) {
    auto pool = test::make_pool(1023);
    test::ring_port port(64, 32, pool.get());  // the TX ring holds 31 frames
    ASSERT_TRUE(port.ok());
    auto rig = std::make_unique<tx_rig<scan_plan>>(scan_cfg(256, 2), port.id, pool.get(), 0);
    ASSERT_TRUE(test::launch_on_worker(*rig));
    std::vector<std::vector<uint8_t>> frames;
    EXPECT_TRUE(test::wait_until([&] {
        const bool done = rig->flags.tx_running.load(std::memory_order_acquire) == 0;
        for (auto& f : port.sent()) frames.push_back(std::move(f));
        return done;
    }));
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    for (auto& f : port.sent()) frames.push_back(std::move(f));
    expect_every_probe_once(rig->cfg, rig->probe, frames);
    expect_counters(rig->counters, {{counter::tx_probes, 512}, {counter::tx_queue_full, 8}});
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// A stop while the queue stays full: the part the queue took is sent, the rest of the burst is
// counted as dropped at the stop and freed; no mbuf is left in use once the ring is drained.
TEST(TxLoop, StopWithAFullQueueCountsAndFreesTheRestOfTheBurst) {
    auto pool = test::make_pool(1023);
    test::ring_port port(64, 32, pool.get());
    ASSERT_TRUE(port.ok());
    auto rig = std::make_unique<tx_rig<scan_plan>>(scan_cfg(256, 2), port.id, pool.get(), 0);
    ASSERT_TRUE(test::launch_on_worker(*rig));
    EXPECT_TRUE(test::wait_until([&] { return rig->counters.get(counter::tx_queue_full) > 0; }));
    rig->flags.stop_tx.store(true);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    expect_counters(
        rig->counters,
        {{counter::tx_probes, 31}, {counter::tx_queue_full, 1}, {counter::tx_dropped_at_stop, 33}});
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 31u);  // on the TX ring
    const auto frames = port.sent();
    ASSERT_EQ(frames.size(), 31u);
    for (const auto& f : frames) EXPECT_EQ(read_echo(rig->probe, f).round, 0u);
    EXPECT_NE(rig->c.first_tsc.load(), 0u);
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// Paced at 50 kpps (bursts of 5 owed probes): by each probe's send time, no more probes have gone
// out than the schedule allowed by then, and every burst but the last is a whole scheduled burst.
// Counts against the probes' own stamps, so a loaded machine cannot fail it.
TEST(TxLoop, PacedBurstsStayWithinThePacersAllowance) {
    constexpr uint64_t rate = 50000;
    auto pool = test::make_pool(1023);
    test::ring_port port(64, 1024, pool.get());
    ASSERT_TRUE(port.ok());
    auto rig = std::make_unique<tx_rig<scan_plan>>(scan_cfg(256, 1), port.id, pool.get(), rate);
    EXPECT_EQ((*rig)(), 0);
    const auto frames = port.sent();
    expect_every_probe_once(rig->cfg, rig->probe, frames);
    expect_counters(rig->counters, {{counter::tx_probes, 256}});
    std::map<uint32_t, uint64_t> by_stamp;  // send_us -> probes stamped with it
    for (const auto& f : frames) ++by_stamp[read_echo(rig->probe, f).send_us];
    const unsigned scheduled_burst = pacer(rte_get_tsc_hz(), rate, 0, tx_burst_max).burst();
    ASSERT_EQ(scheduled_burst, 5u);
    uint64_t sent = 0;
    for (auto it = by_stamp.begin(); it != by_stamp.end(); ++it) {
        sent += it->second;
        // A stamp of us microseconds (a floor, within 1 us) was taken before us + 2 us of schedule.
        EXPECT_LE(sent, (uint64_t(it->first) + 2) * rate / 1000000) << "at " << it->first << " us";
        const bool last = std::next(it) == by_stamp.end();
        EXPECT_TRUE(last || it->second >= scheduled_burst)
            << it->second << " probes at " << it->first << " us";
    }
}

}  // namespace
}  // namespace ics::dpdk
