// The data path's stages on DPDK, each alone, in items per second, in one process so that ratios
// hold within one run (this VM's speed drifts between runs):
//   TxReference  the ceiling: bulk-allocate mbufs, copy one fixed 42-byte ICMP frame into each,
//                change nothing, send bursts of 32 to net_null;
//   TxEngine     the engine's TX burst (walk step, probe build, tx_burst) into the same net_null,
//                for one CIDR and for 10,000 ranges;
//   RxEngine     the RX lcore's burst (rte_eth_rx_burst from net_ring, parse, validate,
//                timestamp, enqueue) over prebuilt replies;
//   RecordRing   records through an SP/SC rte_ring, enqueue and dequeue in bursts;
//   OutputCsv    the output lcore's loop (dedup, filter, CSV) draining a ring into a file;
//   MonitorEndToEnd  monitor mode's replies from a net_ring port through the RX lcore's burst and
//                the record ring into the output lcore's books, with its ticks (below).
// EAL runs on the calling thread: every stage runs on one core, as on its lcore.
#include <benchmark/benchmark.h>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring_elem.h>

#include "bench_checks.hpp"
#include "bench_inputs.hpp"
#include "dpdk/driver.hpp"
#include "dpdk/lcore_context.hpp"
#include "dpdk/output_loop.hpp"
#include "dpdk/run_env.hpp"
#include "dpdk/rx_loop.hpp"
#include "dpdk/tx_loop.hpp"
#include "modes/monitor_mode.hpp"
#include "modes/scan_mode.hpp"
#include "monitor_inputs.hpp"
#include "probe/echo_probe.hpp"
#include "targets/target_spec.hpp"

using namespace ics;
using namespace ics::bench;
using namespace ics::dpdk;

namespace {

constexpr uint16_t null_port = 0;  // --vdev net_null0 (the first port)
rte_mempool* g_tx_pool = nullptr;
rte_mempool* g_rx_pool = nullptr;
uint64_t g_hz = 0;

// Configures and starts a port with one queue each way; returns it, or -1.
int start_port(int port) {
    rte_eth_conf conf{};
    if (port < 0 || rte_eth_dev_configure(uint16_t(port), 1, 1, &conf) != 0 ||
        rte_eth_rx_queue_setup(uint16_t(port), 0, 512, SOCKET_ID_ANY, nullptr, g_tx_pool) != 0 ||
        rte_eth_tx_queue_setup(uint16_t(port), 0, 512, SOCKET_ID_ANY, nullptr) != 0 ||
        rte_eth_dev_start(uint16_t(port)) != 0)
        return -1;
    return port;
}

void send_all(rte_mbuf** bufs, unsigned n) {
    unsigned sent = 0;
    while (sent < n) sent += rte_eth_tx_burst(null_port, 0, bufs + sent, uint16_t(n - sent));
}

// The ceiling the issue defines: bursts of 32, whatever burst size the engine uses.
constexpr unsigned reference_burst = 32;

void BM_TxReference(benchmark::State& state) {
    // Ethernet + IPv4 + ICMP Echo header, 42 bytes, sent unchanged.
    std::vector<uint8_t> probe(echo_probe::frame_len);
    echo_probe(test::test_probe_setup()).build(probe.data(), 0xc613ff01, 0xc6120001, 0);
    constexpr unsigned frame_len = eth_header_len + ipv4_min_header_len + icmp_header_len;
    rte_mbuf* bufs[reference_burst];
    for (auto _ : state) {
        if (rte_pktmbuf_alloc_bulk(g_tx_pool, bufs, reference_burst) != 0) {
            fail_check(state, "TX: the mempool ran empty");
            break;
        }
        for (unsigned i = 0; i < reference_burst; ++i) {
            std::memcpy(rte_pktmbuf_mtod(bufs[i], uint8_t*), probe.data(), frame_len);
            bufs[i]->data_len = bufs[i]->pkt_len = frame_len;
        }
        send_all(bufs, reference_burst);
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * reference_burst);
}
BENCHMARK(BM_TxReference);

// One TX lcore burst, exactly as tx_loop does it once the pacer allows a full burst: the scan
// plan's schedule step, allocation, frames, build, tx_burst.
void BM_TxEngine(benchmark::State& state) {
    const interval_set targets = shaped_set(int(state.range(0)));
    const permutation perm(targets.size(), 42);
    const echo_probe probe(test::test_probe_setup());
    const interval_set& sources = test::test_sources();
    scan_schedule schedule(targets, perm, targets.size(), UINT32_MAX, {});
    rte_mbuf* bufs[tx_burst_max];
    probe_batch batch;
    uint8_t* frames[tx_burst_max];
    ipv4_addr src[tx_burst_max];
    uint32_t t = 0;
    for (auto _ : state) {
        const unsigned n = schedule.next(batch, tx_burst_max);
        if (rte_pktmbuf_alloc_bulk(g_tx_pool, bufs, n) != 0) {
            fail_check(state, "TX: the mempool ran empty");
            break;
        }
        prepare_frames(bufs, n, echo_probe::frame_len, frames, sources, batch.dst, src);
        probe.build_burst(frames, src, batch, t++);
        send_all(bufs, n);
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * tx_burst_max);
    state.SetLabel(shape_label(state.range(0)));
}
BENCHMARK(BM_TxEngine)->Arg(0)->Arg(1);  // only sets inside 198.18.0.0/15, even into net_null

using scan_plan = scan_mode<echo_probe>;

rte_ring* make_record_ring(const char* name, unsigned size) {
    return rte_ring_create_elem(name, sizeof(result_record), size, SOCKET_ID_ANY,
                                RING_F_SP_ENQ | RING_F_SC_DEQ);
}

// The RX lcore's work per burst, fed by a net_ring port whose ring is refilled (untimed) with
// copies of prebuilt replies; the record ring is emptied (untimed) between batches.
void BM_RxEngine(benchmark::State& state) {
    constexpr unsigned batch = 1 << 16;
    static rte_ring* wire =
        rte_ring_create("bench_wire", batch * 2, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    static int ring_port = start_port(rte_eth_from_ring(wire));
    rte_ring* records = make_record_ring("bench_rx_records", batch * 2);
    rte_ring* arp = rte_ring_create("bench_rx_arp", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (ring_port < 0 || !records || !arp) {
        fail_check(state, "BM_RxEngine: cannot create the net_ring port or rings");
        return;
    }
    const auto replies = prebuilt_replies(4096);
    const echo_probe probe(test::test_probe_setup());
    counter_block counters;
    scan_flags flags;
    rx_context<echo_probe> c;
    c.queues = {{uint16_t(ring_port), 0}};
    c.probe = &probe;
    c.clock = tsc_clock(g_hz, rte_rdtsc(), 0);
    c.records = records;
    c.arp = arp;
    c.counters = &counters;
    c.flags = &flags;
    std::vector<rte_mbuf*> fill(batch);
    std::vector<result_record> sink(batch);
    uint64_t processed = 0;
    for (auto _ : state) {
        state.PauseTiming();
        rte_ring_dequeue_burst_elem(records, sink.data(), sizeof(result_record), batch, nullptr);
        if (rte_pktmbuf_alloc_bulk(g_rx_pool, fill.data(), batch) != 0) {
            fail_check(state, "BM_RxEngine: the RX mempool ran empty");
            break;
        }
        for (unsigned i = 0; i < batch; ++i) {
            const auto& r = replies[i % replies.size()];
            std::memcpy(rte_pktmbuf_mtod(fill[i], uint8_t*), r.data(), r.size());
            fill[i]->data_len = fill[i]->pkt_len = uint16_t(r.size());
        }
        if (rte_ring_enqueue_burst(wire, reinterpret_cast<void**>(fill.data()), batch, nullptr) != batch) {
            fail_check(state, "BM_RxEngine: the wire ring took only part of a batch");
            break;
        }
        state.ResumeTiming();
        rte_mbuf* bufs[rx_burst];
        arrival_window window(rte_rdtsc());
        while (true) {  // as rx_loop polls: a TSC read before the poll and one after a non-empty one
            const uint64_t began = rte_rdtsc();
            const unsigned n = rte_eth_rx_burst(uint16_t(ring_port), 0, bufs, rx_burst);
            if (n == 0) break;
            rx_process_burst(c, bufs, n, window.polled(began, rte_rdtsc(), n, rx_burst));
            processed += n;
        }
    }
    // Every reply put on the wire came back out of the port and validated (none were lost, so the
    // rate counts real work).
    const uint64_t sent = uint64_t(state.iterations()) * batch;
    if (!state.error_occurred() && (processed != sent || counters.get(counter::rx_valid) != processed))
        fail_check(state, "BM_RxEngine: " + std::to_string(processed) + " of " + std::to_string(sent) +
                              " replies received, " + std::to_string(counters.get(counter::rx_valid)) +
                              " validated");
    state.SetItemsProcessed(int64_t(processed));
    rte_ring_free(records);
    rte_ring_free(arp);
}
BENCHMARK(BM_RxEngine)->UseRealTime();

void BM_RecordRing(benchmark::State& state) {
    rte_ring* ring = make_record_ring("bench_ring", 1 << 12);
    result_record in[rx_burst]{}, out[rx_burst];
    for (auto _ : state) {
        rte_ring_sp_enqueue_burst_elem(ring, in, sizeof(result_record), rx_burst, nullptr);
        benchmark::DoNotOptimize(
            rte_ring_sc_dequeue_burst_elem(ring, out, sizeof(result_record), rx_burst, nullptr));
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * rx_burst);
    rte_ring_free(ring);
}
BENCHMARK(BM_RecordRing);

// The output lcore's loop over a full record ring: de-duplication, a filter, CSV rows
// of the default fields into a file, and the final flush.
void BM_OutputCsv(benchmark::State& state) {
    constexpr unsigned batch = 1 << 20;
    rte_ring* ring = make_record_ring("bench_out_records", batch * 2);
    const interval_set targets({{0xc6120000, 0xc613ffff}});  // 198.18.0.0/15
    std::vector<result_record> recs(batch);
    for (unsigned i = 0; i < batch; ++i) {
        result_record& r = recs[i];
        r = {};
        r.saddr = r.probe_daddr = 0xc6120000 + (i * 2654435761u & 0x1ffff);
        r.daddr = 0xc613ff01;
        r.rtt_us = 100 + i % 1000;
        r.ttl = 60;
        r.type = 0;
        r.success = 1;
        r.rx_tsc = rte_rdtsc();
    }
    const std::string path = "/tmp/dpdk-icmpscan-bench-" + std::to_string(getpid()) + ".csv";
    const auto fields = *parse_field_list(default_field_list());
    // 1 M records over 131,072 targets: most are repeats, so the filter lets repeats through to
    // write a row per record (dedup and the filter still run on each).
    const output_filter filter = *output_filter::parse("success = 1");
    counter_block counters;
    scan_config cfg;
    cfg.targets = targets;
    uint64_t processed = 0;
    for (auto _ : state) {
        state.PauseTiming();
        std::FILE* f = std::fopen(path.c_str(), "w");
        auto writer = std::make_unique<record_writer>(f, output_format::csv, fields);
        scan_attribution<echo_probe> attribution(cfg);
        scan_flags flags;  // rx_running 0: the loop ends once the ring is empty
        output_context<scan_plan> c;
        c.rings = {ring};
        c.attribution = &attribution;
        c.filter = &filter;
        c.writer = writer.get();
        c.clock = tsc_clock(g_hz, rte_rdtsc(), 0);
        c.counters = &counters;
        c.flags = &flags;
        rte_ring_enqueue_burst_elem(ring, recs.data(), sizeof(result_record), batch, nullptr);
        state.ResumeTiming();
        output_loop(c);
        processed += batch;
        state.PauseTiming();
        writer.reset();
        std::fclose(f);
        state.ResumeTiming();
    }
    std::remove(path.c_str());
    state.SetItemsProcessed(int64_t(processed));
    rte_ring_free(ring);
}
BENCHMARK(BM_OutputCsv)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- Monitor mode end to end (issue 14's "Scale": the output lcore's aggregation, fed through
// the RX lcore). Echo Replies to the monitor plan's own probes (its schedule's order, rounds and
// due times; echo_probe's cookies and send stamps), turned into the replies a host sends, reach a
// net_ring port in the order they would arrive on the wire at a 1 s period, a virtual millisecond
// at a time; then, timed, as the lcores would run: the output lcore's tick (rounds closed a
// timeout behind, the metrics publisher's share), and per RX burst rx_process_burst (parse,
// validate, stamp, enqueue on the record ring) followed by the output lcore's pass over that ring
// (poll_records: the book's match and per-target update). Both on this one thread, so the figure
// is RX + output per reply. Virtual time: the RX lcore's clock is re-anchored each millisecond so
// that its stamps read that millisecond's end (the RTTs come out as on the wire, within 1 ms);
// the output lcore is ticked with the same millisecond. What is not timed: building the probes
// and replies, and putting the frames into mbufs on the wire (the NIC's work).

// A reply on the wire: when it arrives (virtual microseconds) and its frame.
struct wire_reply {
    uint64_t at_us;
    const uint8_t* frame;  // echo_probe::frame_len bytes
};

constexpr uint64_t late_rtt_us = monitor_timeout_us + monitor_close_margin_us + 10000;  // after its close
constexpr uint64_t duplicate_after_us = 100;

// One monitor run's plan, lcore contexts and wire. It keeps pointers into itself: never moved.
struct monitor_feed {
    scan_config cfg;
    std::optional<echo_probe> probe;
    std::optional<monitor_send_schedule> schedule;  // the only TX lcore's
    std::unique_ptr<monitor_attribution> plan;
    snapshot_exchange<metrics_snapshot> exchange;  // what the HTTP thread would read
    bool inject = false;                           // a duplicate and a late reply per 100 each
    uint64_t m = 0;                                // targets per round
    std::array<std::vector<uint8_t>, 3> frames;    // round r's replies in frames[r % 3]
    std::vector<wire_reply> pending;               // by arrival; [next, end) still to come
    size_t next = 0;
    uint32_t rounds = 0;                     // rounds built (sent)
    uint64_t now_us = 0;                     // virtual: where the next millisecond starts
    uint64_t duplicates = 0, late = 0;       // injected
    uint64_t fed = 0;                        // replies put on the wire
    uint64_t rx_cycles = 0, out_cycles = 0;  // timed, while `timing`
    uint64_t tick_cycles = 0;                // of out_cycles: the ticks
    bool timing = false;
    uint64_t timed_replies = 0;
    int port = -1;
    rte_ring* records = nullptr;
    rte_ring* arp = nullptr;
    counter_block rx_counters, out_counters;
    scan_flags flags;
    rx_context<echo_probe> rx;
    output_context<monitor_mode> out;
};

// Round r's probes as its TX lcore sends them (each at its due time: a sender never late), each
// turned into its target's Echo Reply, on their way: arrivals after 0.2-20.2 ms (by position),
// with injected duplicates (100 us after) and late replies (after their round's close).
void build_round(monitor_feed& f) {
    const uint32_t r = f.rounds++;
    std::vector<uint8_t>& buf = f.frames[r % 3];
    buf.resize(f.m * echo_probe::frame_len);
    f.pending.erase(f.pending.begin(), f.pending.begin() + ptrdiff_t(f.next));
    f.next = 0;
    probe_batch batch;
    uint64_t now = uint64_t(r) * monitor_period_us, k = 0;
    while (k < f.m) {
        const monitor_step step = f.schedule->next(batch, probe_batch::max, now);
        uint8_t* frames[probe_batch::max];
        ipv4_addr src[probe_batch::max];
        for (unsigned i = 0; i < step.count; ++i) {
            frames[i] = buf.data() + (k + i) * echo_probe::frame_len;
            src[i] = source_for(f.cfg.sources, batch.dst[i]);
        }
        f.probe->build_burst(frames, src, batch, uint32_t(now));
        for (unsigned i = 0; i < step.count; ++i, ++k) {
            test::make_echo_reply(frames[i]);
            const uint64_t rtt = 200 + ((k * 2654435761u) >> 7) % 20000;
            const uint32_t pick = uint32_t(((batch.dst[i] * 2654435761u) >> 16) + r) % 100;
            const bool late = f.inject && pick == 0, duplicate = f.inject && pick == 50;
            f.pending.push_back({now + (late ? late_rtt_us : rtt), frames[i]});
            if (duplicate) f.pending.push_back({now + rtt + duplicate_after_us, frames[i]});
            f.late += late;
            f.duplicates += duplicate;
        }
        if (!step.done) now = std::max(now, step.next_due_us);
    }
    std::sort(f.pending.begin(), f.pending.end(),
              [](const wire_reply& a, const wire_reply& b) { return a.at_us < b.at_us; });
}

// Puts the replies arriving before `end_us` on the wire; false if the pool or the ring ran short.
bool put_on_wire(monitor_feed& f, rte_ring* wire, uint64_t end_us) {
    rte_mbuf* bufs[512];
    while (f.next < f.pending.size() && f.pending[f.next].at_us < end_us) {
        unsigned n = 0;
        while (n < 512 && f.next + n < f.pending.size() && f.pending[f.next + n].at_us < end_us) ++n;
        if (rte_pktmbuf_alloc_bulk(g_rx_pool, bufs, n) != 0) return false;
        for (unsigned i = 0; i < n; ++i) {
            std::memcpy(rte_pktmbuf_mtod(bufs[i], uint8_t*), f.pending[f.next + i].frame,
                        echo_probe::frame_len);
            bufs[i]->data_len = bufs[i]->pkt_len = echo_probe::frame_len;
        }
        if (rte_ring_enqueue_burst(wire, reinterpret_cast<void**>(bufs), n, nullptr) != n) return false;
        f.next += n;
        f.fed += n;
    }
    return true;
}

// The TX lcore's positions sent by `now_us` (due by then, of the rounds built): the close limit.
uint64_t positions_sent(const monitor_feed& f, uint64_t now_us) {
    const uint64_t round = now_us / monitor_period_us, into = now_us % monitor_period_us;
    const uint64_t due = std::min(f.m, ((into + 1) * f.m - 1) / monitor_period_us + 1);
    return std::min(round * f.m + due, uint64_t(f.rounds) * f.m);
}

// The lcores' work for one virtual millisecond ending at `end_us`, whose replies are on the wire:
// the output lcore's tick, then RX bursts, each followed by the output lcore's pass.
void run_millisecond(monitor_feed& f, uint64_t end_us) {
    const tsc_clock unit(g_hz, 0, 0);
    const uint64_t anchor = rte_rdtsc();
    f.rx.clock = tsc_clock(g_hz, anchor - unit.cycles_from_us(end_us), 0);
    uint64_t sent = positions_sent(f, end_us), written = 0;
    plan_clock clock;
    clock.now_us = end_us;
    clock.sent = std::span<const uint64_t>(&sent, 1);
    uint64_t t = rte_rdtsc();
    f.plan->tick(clock);
    const uint64_t ticked = rte_rdtsc() - t;
    uint64_t rx = 0, out = ticked;
    arrival_window window(anchor);
    rte_mbuf* bufs[rx_burst];
    while (true) {  // as rx_loop polls, and output_loop drains the ring
        const uint64_t began = rte_rdtsc();
        const unsigned n = rte_eth_rx_burst(uint16_t(f.port), 0, bufs, rx_burst);
        if (n == 0) {
            rx += rte_rdtsc() - began;
            break;
        }
        rx_process_burst(f.rx, bufs, n, window.polled(began, rte_rdtsc(), n, rx_burst));
        t = rte_rdtsc();
        rx += t - began;
        poll_records(f.out, written);
        out += rte_rdtsc() - t;
        if (f.timing) f.timed_replies += n;
    }
    if (f.timing) f.rx_cycles += rx, f.out_cycles += out, f.tick_cycles += ticked;
}

// Feeds and runs every virtual millisecond up to `end_us`; false if the wire could not take them.
bool feed_until(monitor_feed& f, rte_ring* wire, uint64_t end_us) {
    for (; f.now_us < end_us; f.now_us += 1000) {
        if (!put_on_wire(f, wire, f.now_us + 1000)) return false;
        run_millisecond(f, f.now_us + 1000);
    }
    return true;
}

// A monitor run over 198.18.0.0/15 fed through `port`; `resident`: the bytes its books and
// publisher took (resident set before and after). Null if a ring cannot be made.
std::unique_ptr<monitor_feed> make_monitor_feed(int port, bool prometheus, bool inject, uint64_t& resident) {
    auto f = std::make_unique<monitor_feed>();
    monitor_config(f->cfg, 7, 0, prometheus);
    f->inject = inject;
    f->port = port;
    f->probe.emplace(make_probe_setup(f->cfg, mac{0x02, 0, 0, 0, 0, 0x01}));
    const permutation perm(monitor_mode::permutation_domain(f->cfg), f->cfg.seed);  // not walked
    f->schedule.emplace(monitor_mode::make_schedule(f->cfg, perm, f->cfg.slice(0, 1)));
    f->m = monitor_mode::targets_per_round(f->cfg, f->cfg.slice(0, 1));
    // Large blocks from fresh mappings (see monitor_aggregate_bench.cpp), so the delta is the books'.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    const uint64_t before = resident_bytes();
    f->plan = std::make_unique<monitor_attribution>(f->cfg);
    f->plan->set_outputs(nullptr, nullptr);
    f->plan->set_metrics(prometheus ? &f->exchange : nullptr);  // without: as -q, no publisher
    resident = resident_bytes() - before;
    f->pending.reserve(f->m * 3);
    f->records = make_record_ring("bench_mon_records", 4096);
    f->arp = rte_ring_create("bench_mon_arp", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (!f->records || !f->arp) return nullptr;
    f->rx.queues = {{uint16_t(port), 0}};
    f->rx.probe = &*f->probe;
    f->rx.records = f->records;
    f->rx.arp = f->arp;
    f->rx.counters = &f->rx_counters;
    f->rx.flags = &f->flags;
    f->out.rings = {f->records};
    f->out.attribution = f->plan.get();
    f->out.clock = tsc_clock(g_hz, rte_rdtsc(), 0);
    f->out.senders = 1;
    f->out.counters = &f->out_counters;
    f->out.flags = &f->flags;
    return f;
}

void free_monitor_feed(monitor_feed& f) {
    rte_ring_free(f.records);
    rte_ring_free(f.arp);
}

// Every round built closed, as the last ticks after sending ended close them.
void close_all(monitor_feed& f) {
    uint64_t sent = uint64_t(f.rounds) * f.m;
    plan_clock clock;
    clock.send_end_us = uint64_t(f.rounds) * monitor_period_us + monitor_close_margin_us - 1;
    clock.now_us = clock.send_end_us + monitor_timeout_us + monitor_close_margin_us;
    clock.sent = std::span<const uint64_t>(&sent, 1);
    f.plan->tick(clock);
}

// Every reply put on the wire reached the book, which took what was injected as such and nothing
// else as anything but a reply in time, and closed every (target, round) sent; "" when that holds.
std::string check_monitor_feed(monitor_feed& f) {
    const monitor_figures g = f.plan->book().figures();
    const uint64_t sent = uint64_t(f.rounds) * f.m;
    const auto n = [](uint64_t v) { return std::to_string(v); };
    if (f.rx_counters.get(counter::rx_frames) != f.fed || f.rx_counters.get(counter::rx_valid) != f.fed ||
        f.out_counters.get(counter::out_records) != f.fed)
        return n(f.fed) + " replies on the wire, " + n(f.rx_counters.get(counter::rx_frames)) +
               " received, " + n(f.rx_counters.get(counter::rx_valid)) + " valid, " +
               n(f.out_counters.get(counter::out_records)) + " reached the output lcore";
    if (g.rounds_closed != sent || g.received != sent - f.late || g.lost != f.late || g.late != f.late ||
        g.duplicates != f.duplicates || g.outages != 0 ||
        f.out_counters.get(counter::out_round_ahead) + f.out_counters.get(counter::out_not_attributed) != 0)
        return "closed " + n(g.rounds_closed) + " of " + n(sent) + ", received " + n(g.received) + ", lost " +
               n(g.lost) + ", late " + n(g.late) + " (" + n(f.late) + " injected), duplicates " +
               n(g.duplicates) + " (" + n(f.duplicates) + "), outages " + n(g.outages) + ", ahead " +
               n(f.out_counters.get(counter::out_round_ahead)) + ", unattributed " +
               n(f.out_counters.get(counter::out_not_attributed));
    for (uint64_t i = 0; i < f.m; ++i)
        if (f.plan->book().target(i).state.sent() != f.rounds)
            return "target " + n(i) + " sent " + n(f.plan->book().target(i).state.sent()) + " of " +
                   n(f.rounds);
    return "";
}

// With --prometheus: a snapshot was published while the replies came, and the last one holds the
// 1,000 worst targets, the 512 groups and every round closed; "" when that holds.
std::string check_monitor_snapshots(monitor_feed& f, bool published_during_run) {
    f.plan->publish_final();
    const metrics_snapshot* s = f.exchange.take();
    const uint64_t closed = f.plan->book().figures().rounds_closed;
    if (published_during_run && s && s->targets.size() == 1000 && s->groups.size() == 512 &&
        s->run.rounds_closed == closed)
        return "";
    return std::string(published_during_run ? "" : "none published during the run; ") +
           (s ? std::to_string(s->targets.size()) + " targets of 1000, " + std::to_string(s->groups.size()) +
                    " groups of 512, rounds closed " + std::to_string(s->run.rounds_closed) + " of " +
                    std::to_string(closed)
              : "none at the end");
}

// Args: --prometheus (1: its publisher and per-target histograms; 0: none, as with -q), and
// injected duplicates and late replies (1: one of each per 100 replies). Each iteration is one
// virtual second: a round sent, and what arrives in that second (mostly its replies); the time is
// the timed work alone (manual time). Counters: ns a reply in the RX burst and in the output lcore
// (of which its ticks: closes and the publisher), and the resident bytes a target of the books.
// Checks (fail the program): every reply on the wire received, valid and handled by the book; every
// (target, round) sent closed, lost only where a late reply was injected; the book's late and
// duplicate counts equal to those injected, none ahead or unattributed, no outage; each target sent
// every round; with --prometheus, a snapshot published during the run and a final one holding the
// 1,000 worst targets, the 512 groups and every round closed.
void BM_MonitorEndToEnd(benchmark::State& state) {
    static rte_ring* wire =
        rte_ring_create("bench_mon_wire", 4096, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    static int port = wire ? start_port(rte_eth_from_ring(wire)) : -1;
    const bool prometheus = state.range(0) != 0, inject = state.range(1) != 0;
    uint64_t resident = 0;
    std::unique_ptr<monitor_feed> f =
        port < 0 ? nullptr : make_monitor_feed(port, prometheus, inject, resident);
    if (!f) {
        fail_check(state, "BM_MonitorEndToEnd: cannot create the net_ring port or rings");
        return;
    }
    // Two seconds before timing: from the third on, every reply meets one round's close.
    bool fed = true;
    for (int warm = 0; warm < 2 && fed; ++warm) {
        build_round(*f);
        fed = feed_until(*f, wire, uint64_t(f->rounds) * monitor_period_us);
    }
    f->timing = true;
    for (auto _ : state) {
        if (!fed) break;
        build_round(*f);
        const uint64_t before = f->rx_cycles + f->out_cycles;
        fed = feed_until(*f, wire, uint64_t(f->rounds) * monitor_period_us);
        state.SetIterationTime(double(f->rx_cycles + f->out_cycles - before) / double(g_hz));
    }
    f->timing = false;
    const bool published = prometheus && f->exchange.take() != nullptr;
    // The replies still on their way (the last round's tail, late replies), then every round closed.
    if (fed && !f->pending.empty()) fed = feed_until(*f, wire, f->pending.back().at_us + 1000);
    close_all(*f);
    std::string failed = fed ? check_monitor_feed(*f) : "the wire ring or the RX mempool ran short";
    if (failed.empty() && prometheus) failed = check_monitor_snapshots(*f, published);
    if (!failed.empty()) fail_check(state, "BM_MonitorEndToEnd: " + failed);
    const double replies = double(std::max<uint64_t>(f->timed_replies, 1));
    state.SetItemsProcessed(int64_t(f->timed_replies));
    state.counters["rx_ns_per_reply"] = double(f->rx_cycles) * 1e9 / double(g_hz) / replies;
    state.counters["output_ns_per_reply"] = double(f->out_cycles) * 1e9 / double(g_hz) / replies;
    state.counters["of_which_ticks_ns"] = double(f->tick_cycles) * 1e9 / double(g_hz) / replies;
    state.counters["bytes_per_target"] = double(resident) / double(f->m);
    state.SetLabel(std::to_string(f->m) + " targets, 1 s period" + (prometheus ? ", --prometheus" : ", -q") +
                   (inject ? ", 1% duplicate + 1% late" : ""));
    free_monitor_feed(*f);
}
BENCHMARK(BM_MonitorEndToEnd)
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({0, 0})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    std::vector<std::string> args = {"dataplane_bench",  "-l", "0", "--no-pci", "--vdev=net_null0,no-rx=1",
                                     "--log-level=error"};
    if (ics::dpdk::check_hugepages(256)) {
        args.push_back("--in-memory");
    } else {
        args.insert(args.end(), {"--no-huge", "--no-shconf", "-m", "1024"});
        std::fprintf(stderr, "dataplane_bench: no hugepages free, running with --no-huge (slower)\n");
    }
    std::vector<char*> eal_argv;
    for (auto& a : args) eal_argv.push_back(a.data());
    if (rte_eal_init(int(eal_argv.size()), eal_argv.data()) < 0) {
        std::fprintf(stderr,
                     "dataplane_bench: DPDK could not start (run as root, with hugepages or --no-huge)\n");
        return 1;
    }
    g_hz = rte_get_tsc_hz();
    g_tx_pool = rte_pktmbuf_pool_create("bench_tx", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    g_rx_pool = rte_pktmbuf_pool_create("bench_rx", (1 << 17) - 1, 256, 0, 256, SOCKET_ID_ANY);
    if (!g_tx_pool || !g_rx_pool || start_port(null_port) < 0) {
        std::fprintf(stderr, "dataplane_bench: cannot set up the mempools or the net_null port\n");
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    rte_eal_cleanup();
    return checks_exit_status("dataplane_bench");
}
