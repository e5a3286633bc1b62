// ThreadSanitizer on what lcores hand each other (issue 15): the record rings from RX to the output
// lcore, the run's flags (scan_flags: stop, running counts, send end, hits, each TX lcore's send
// progress), the counter blocks the control lcore sums while their lcores write them, and monitor
// mode's snapshots from the output lcore to the Prometheus endpoint's thread. Built only in a build
// without other sanitizers (tests/drivers/meson.build), with the engine's and the endpoint's
// sources compiled again under -fsanitize=thread, so that TSan sees both sides of every handoff.
//
// No EAL: each lcore is a std::thread, the rings are rte_ring_init'ed on ordinary memory, and the
// real output_loop consumes them. The producers do what rx_loop and tx_loop do at their ends
// (enqueue a burst or count it as ring-full; publish progress; leave the running count with
// release), and the test does what the control loop does (sum counters and send spans while they
// change, end sending, stop RX). Beyond TSan's verdict, every record is accounted for: handled by
// the output lcore and in the file once, or counted as ring-full by its producer.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <rte_cycles.h>
#include <rte_ring_elem.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dpdk/output_loop.hpp"
#include "dpdk/run_control.hpp"
#include "http/metrics_server.hpp"
#include "modes/monitor_mode.hpp"
#include "modes/scan_mode.hpp"
#include "probe/echo_probe.hpp"

namespace ics::dpdk {
namespace {

constexpr ipv4_addr net_198_18 = 0xc6120000;  // 198.18.0.0
constexpr unsigned rx_threads = 3, tx_threads = 2;
constexpr unsigned ring_slots = 1024;  // small: the producers find it full at times
constexpr unsigned burst = 32;

// A single-producer, single-consumer ring of records on heap memory: rte_ring_init needs no EAL.
struct record_ring {
    rte_ring* ring = nullptr;
    record_ring() {
        const size_t size = size_t(rte_ring_get_memsize_elem(sizeof(result_record), ring_slots));
        ring = static_cast<rte_ring*>(std::aligned_alloc(RTE_CACHE_LINE_SIZE, (size + 127) / 128 * 128));
        EXPECT_EQ(rte_ring_init(ring, "tsan", ring_slots, RING_F_SP_ENQ | RING_F_SC_DEQ), 0);
    }
    ~record_ring() { std::free(ring); }
};

// An RX lcore's end of the handoff: records into its ring in bursts, the rest of a burst counted as
// ring-full as rx_loop counts it (`enqueued`: how many went in); then polling until stop_rx, and
// leaving with release.
struct rx_producer {
    counter_block counters;
    uint64_t enqueued = 0;

    void run(rte_ring* ring, scan_flags& flags, const std::vector<result_record>& recs) {
        for (size_t i = 0; i < recs.size(); i += burst) {
            const unsigned n = unsigned(std::min<size_t>(burst, recs.size() - i));
            const unsigned put =
                rte_ring_sp_enqueue_burst_elem(ring, &recs[i], sizeof(result_record), n, nullptr);
            counters.add(counter::rx_valid, put);
            if (put < n) counters.add(counter::rx_ring_full, n - put);
            enqueued += put;
            if (i % 1024 == 0) std::this_thread::yield();
        }
        while (!flags.stop_rx.load(std::memory_order_relaxed)) std::this_thread::yield();
        flags.rx_running.fetch_sub(1, std::memory_order_release);
    }
};

// A TX lcore's end: its status fields and send progress once a "burst" (`pause` apart), its
// counter, then leaving with release, as tx_loop does.
void tx_producer(tx_lcore& c, sender_progress& progress, scan_flags& flags, uint64_t probes,
                 std::chrono::microseconds pause) {
    for (uint64_t sent = 0; sent < probes && !flags.stop_tx.load(std::memory_order_relaxed); sent += burst) {
        const uint64_t now = rte_rdtsc();
        if (!c.first_tsc.load(std::memory_order_relaxed)) c.first_tsc.store(now, std::memory_order_relaxed);
        c.last_tsc.store(now, std::memory_order_relaxed);
        c.max_send_lag.store(sent % 7, std::memory_order_relaxed);
        c.counters->add(counter::tx_probes, burst);
        progress.positions.store(sent + burst, std::memory_order_release);
        progress.lateness_us.store(sent % 100, std::memory_order_relaxed);
        if (pause.count())
            std::this_thread::sleep_for(pause);
        else if (sent % 1024 == 0)
            std::this_thread::yield();
    }
    flags.tx_running.fetch_sub(1, std::memory_order_release);
}

// Everything one run's lcores share, and their threads.
template <typename Plan>
struct lcore_rig {
    scan_flags flags;
    std::vector<record_ring> rings{rx_threads};
    std::vector<rx_producer> rx{rx_threads};
    std::vector<counter_block> tx_counters{tx_threads};
    std::vector<std::unique_ptr<tx_lcore>> tx;
    counter_block out_counters;
    output_context<Plan> out;
    uint64_t sum_reads = 0;

    explicit lcore_rig(uint64_t hz) {
        for (record_ring& r : rings) out.rings.push_back(r.ring);
        out.clock = tsc_clock(hz, rte_rdtsc(), 0);
        out.counters = &out_counters;
        out.flags = &flags;
        out.senders = tx_threads;
        for (unsigned t = 0; t < tx_threads; ++t) {
            tx.push_back(std::make_unique<tx_lcore>());
            tx.back()->counters = &tx_counters[t];
        }
        flags.rx_running.store(rx_threads);
        flags.tx_running.store(tx_threads);
        flags.send_start_tsc.store(rte_rdtsc(), std::memory_order_release);
    }

    // Runs the lcores: each RX thread sends its share of `recs`; the control part (this thread)
    // sums counters and spans until the TX threads are done, ends sending, waits for the RX
    // threads to have queued everything, stops them; the output loop drains and returns.
    void run(const std::vector<std::vector<result_record>>& recs, uint64_t probes_per_tx,
             std::chrono::microseconds tx_pause = {}) {
        std::thread output([this] { EXPECT_EQ(output_loop(out), 0); });
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < tx_threads; ++t)
            threads.emplace_back(tx_producer, std::ref(*tx[t]), std::ref(flags.senders[t]), std::ref(flags),
                                 probes_per_tx, tx_pause);
        std::vector<std::thread> receivers;
        for (unsigned r = 0; r < rx_threads; ++r)
            receivers.emplace_back([this, r, &recs] { rx[r].run(rings[r].ring, flags, recs[r]); });
        while (flags.tx_running.load(std::memory_order_acquire) != 0) read_like_the_control_lcore();
        flags.send_end_tsc.store(rte_rdtsc());
        for (;;) {  // the cooldown: until every record has been offered
            read_like_the_control_lcore();
            uint64_t offered = 0;
            for (unsigned r = 0; r < rx_threads; ++r)
                offered += rx[r].counters.get(counter::rx_valid) + rx[r].counters.get(counter::rx_ring_full);
            uint64_t total = 0;
            for (const auto& v : recs) total += v.size();
            if (offered == total) break;
        }
        flags.stop_tx.store(true);
        flags.stop_rx.store(true);
        for (std::thread& t : threads) t.join();
        for (std::thread& t : receivers) t.join();
        output.join();
    }

    // The status line's reads: every lcore's counters, the send span, hits.
    void read_like_the_control_lcore() {
        counter_totals t;
        for (const rx_producer& p : rx) t.add(p.counters);
        for (const counter_block& b : tx_counters) t.add(b);
        t.add(out_counters);
        std::vector<const tx_lcore*> senders;
        for (const auto& c : tx) senders.push_back(c.get());
        const send_span span = span_of(senders);
        sum_reads += t[counter::out_records] + span.max_lag + flags.hits.load(std::memory_order_relaxed);
        std::this_thread::yield();
    }

    uint64_t enqueued() const {
        uint64_t n = 0;
        for (const rx_producer& p : rx) n += p.enqueued;
        return n;
    }
    uint64_t ring_full() const {
        uint64_t n = 0;
        for (const rx_producer& p : rx) n += p.counters.get(counter::rx_ring_full);
        return n;
    }
};

std::vector<std::string> lines_of(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::vector<std::string> out;
    char line[4096];
    while (std::fgets(line, sizeof line, f)) out.emplace_back(line);
    return out;
}

// Echo replies from 198.18.0.0 + (id % targets), the id in rtt_us, round `id / targets`.
std::vector<std::vector<result_record>> replies(uint32_t per_rx, uint32_t targets) {
    std::vector<std::vector<result_record>> recs(rx_threads);
    for (uint32_t r = 0; r < rx_threads; ++r)
        for (uint32_t i = 0; i < per_rx; ++i) {
            const uint32_t id = r * per_rx + i;
            result_record rec{};
            rec.saddr = rec.probe_daddr = net_198_18 + id % targets;
            rec.rtt_us = id;
            rec.rx_tsc = rte_rdtsc();
            rec.type = icmp_type::echo_reply;
            rec.cls = classify_icmp(rec.type);
            rec.success = 1;
            rec.round = uint16_t(id / targets);
            recs[r].push_back(rec);
        }
    return recs;
}

// Scan: 3 RX threads x 40,000 records through rings of 1,024 to the output lcore writing rows,
// while 2 TX threads send and the control part reads. Every record enqueued is one row, every other
// is counted ring-full, and the hits are the distinct targets among the rows.
TEST(HandoffTsan, ScanRecordsFlagsAndCountersCrossLcoresCleanly) {
    using plan = scan_mode<echo_probe>;
    scan_config cfg;
    cfg.targets = interval_set({{net_198_18, net_198_18 + 65535}});
    scan_attribution<echo_probe> attribution(cfg);
    const output_filter filter = *output_filter::parse("");
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    record_writer writer(file, output_format::csv, *parse_field_list("rtt_us,probe_daddr"));
    lcore_rig<plan> rig(measured_tsc_hz());
    rig.out.attribution = &attribution;
    rig.out.filter = &filter;
    rig.out.writer = &writer;

    const auto recs = replies(40000, 65536);
    rig.run(recs, 100000);

    EXPECT_EQ(rig.enqueued() + rig.ring_full(), uint64_t(rx_threads) * 40000);
    EXPECT_EQ(rig.out_counters.get(counter::out_records), rig.enqueued());
    EXPECT_EQ(rig.out_counters.get(counter::out_written), rig.enqueued());
    std::set<uint32_t> ids, targets;
    for (const std::string& line : lines_of(file)) {
        const size_t comma = line.find(',');
        ASSERT_NE(comma, std::string::npos) << line;
        const uint32_t id = uint32_t(std::stoul(line.substr(0, comma)));
        EXPECT_TRUE(ids.insert(id).second) << "two rows for record " << id;
        targets.insert(id % 65536);
    }
    EXPECT_EQ(ids.size(), rig.enqueued());
    EXPECT_EQ(rig.flags.hits.load(), targets.size());
    EXPECT_EQ(rig.out_counters.get(counter::out_repeats), rig.enqueued() - targets.size());
    for (const auto& t : rig.tx_counters)
        EXPECT_EQ(t.get(counter::tx_probes), 100000u);  // 3,125 bursts of 32
    EXPECT_GT(rig.sum_reads, 0u);
    std::fclose(file);
}

// Monitor: the output lcore ticks on the senders' progress, closes rounds and publishes snapshots
// that the real Prometheus endpoint serves while a client scrapes it. Every record is handled, and
// every scrape is a whole exposition.
TEST(HandoffTsan, MonitorSnapshotsReachTheEndpointCleanly) {
    scan_config cfg;
    cfg.mode = run_mode::monitor;
    cfg.targets = interval_set({{net_198_18, net_198_18 + 255}});
    cfg.sources = interval_set({{0xc613ff01, 0xc613ff01}});
    cfg.seed = 9;
    cfg.monitor.period_us = 10000;
    cfg.monitor.timeout_us = 20000;
    cfg.monitor.count = 300;  // 3 s of rounds: more than the run sends
    cfg.monitor.down_after = 3;
    monitor_attribution attribution(cfg);
    std::FILE* json = std::tmpfile();
    attribution.set_outputs(json, nullptr);
    snapshot_exchange<metrics_snapshot> exchange;
    attribution.set_metrics(&exchange);
    auto server = start_metrics_server("127.0.0.1:0", exchange);
    ASSERT_TRUE(server) << server.error_message();
    const output_filter filter = *output_filter::parse("");
    lcore_rig<monitor_mode> rig(measured_tsc_hz());
    rig.out.attribution = &attribution;
    rig.out.filter = &filter;

    // Before the first publication a scrape is empty; from then on each is a whole exposition.
    std::atomic<bool> scraping{true};
    unsigned whole = 0, bad = 0;
    std::thread client([&] {
        httplib::Client http("127.0.0.1", (*server)->port());
        while (scraping.load()) {
            const auto res = http.Get("/metrics");
            const bool ok = res && res->status == 200 &&
                            res->body.find("smokeping_requests_total") != std::string::npos &&
                            res->body.ends_with("\n");
            whole += ok;
            bad += !ok && (whole > 0 || !res || res->status != 200 || !res->body.empty());
        }
    });
    // About 2.5 s of sending (the snapshots are published once a second of the plan's clock).
    rig.run(replies(4000, 256), 10016, std::chrono::microseconds(8000));
    scraping.store(false);
    client.join();
    (*server)->stop();

    EXPECT_EQ(rig.enqueued() + rig.ring_full(), uint64_t(rx_threads) * 4000);
    EXPECT_EQ(rig.out_counters.get(counter::out_records), rig.enqueued());
    EXPECT_GT(whole, 0u);
    EXPECT_EQ(bad, 0u) << "scrapes that were not a whole exposition";
    // The books' own file, written on the output lcore meanwhile: whole JSON lines.
    for (const std::string& line : lines_of(json)) EXPECT_TRUE(nlohmann::json::accept(line)) << line;
    std::fclose(json);
}

}  // namespace
}  // namespace ics::dpdk
