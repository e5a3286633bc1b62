// The data path's stages on DPDK, each alone, in items per second, in one process so that ratios
// hold within one run (this VM's speed drifts between runs):
//   TxReference  the ceiling: bulk-allocate mbufs, copy one fixed 42-byte ICMP frame into each,
//                change nothing, send bursts of 32 to net_null;
//   TxEngine     the engine's TX burst (walk step, probe build, tx_burst) into the same net_null,
//                for one CIDR and for 10,000 ranges;
//   RxEngine     the RX lcore's burst (rte_eth_rx_burst from net_ring, parse, validate,
//                timestamp, enqueue) over prebuilt replies;
//   RecordRing   records through an SP/SC rte_ring, enqueue and dequeue in bursts;
//   OutputCsv    the output lcore's loop (dedup, filter, CSV) draining a ring into a file.
// EAL runs on the calling thread: every stage runs on one core, as on its lcore.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
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
#include "dpdk/rx_loop.hpp"
#include "dpdk/tx_loop.hpp"
#include "modes/scan_mode.hpp"
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
        scan_attribution attribution(cfg);
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
