// What one run holds on the control lcore while its lcores run: what EAL set up (released on every
// exit path), the run's environment (config, hooks, lcore and queue plans, clock, per-lcore
// counters, flags) and the rings between lcores.
#pragma once
#include <memory>
#include <vector>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <fmt/format.h>

#include "dpdk/clocks.hpp"
#include "dpdk/dpdk_port.hpp"
#include "dpdk/driver.hpp"
#include "dpdk/eal_args.hpp"
#include "dpdk/lcore_context.hpp"
#include "output/status.hpp"
#include "probe/probe_setup.hpp"

namespace ics::dpdk {

// rte_eal_remote_launch takes a C function of a void*: this adapts an lcore loop over its context.
template <typename Ctx, int (*Loop)(Ctx&)>
int launch_trampoline(void* arg) {
    return Loop(*static_cast<Ctx*>(arg));
}

// Owns what EAL set up so that every exit path releases it.
struct dpdk_session {
    bool eal = false;
    std::vector<port_handle> ports;
    std::vector<rte_ring*> rings;
    ~dpdk_session() {
        for (port_handle& p : ports) close_port(p);
        for (rte_ring* r : rings) rte_ring_free(r);
        for (port_handle& p : ports)
            if (p.pool) rte_mempool_free(p.pool);
        if (eal) rte_eal_cleanup();
    }
};

// Every lcore's counters, summed.
inline counter_totals sum(const std::vector<std::unique_ptr<counter_block>>& blocks) {
    counter_totals t;
    for (const auto& b : blocks) t.add(*b);
    return t;
}

// The rings whose depths the status reports, by kind (filled in as the run creates them).
struct watched_rings {
    std::vector<rte_ring*> records, arp, feedback;
};

// The buffers' levels, for the status once a second. Read by the control lcore only:
// rte_ring_count and rte_mempool_avail_count read the rings' heads and tails (and the per-lcore
// caches' lengths) as they are, a moment's view that costs the data path nothing.
inline buffer_levels read_buffer_levels(const std::vector<port_handle>& ports, const watched_rings& w) {
    buffer_levels b;
    for (const port_handle& p : ports) {
        if (!p.pool) continue;
        b.mempool_free += rte_mempool_avail_count(p.pool);
        b.mempool_size += p.pool->size;
    }
    const auto depth = [](const std::vector<rte_ring*>& rings) {
        uint64_t n = 0;
        for (const rte_ring* r : rings) n += rte_ring_count(r);
        return n;
    };
    b.record_ring_depth = depth(w.records);
    b.arp_ring_depth = depth(w.arp);
    b.feedback_ring_depth = depth(w.feedback);
    return b;
}

// What every step of one run shares: the config, the hooks, the session, the lcore and queue
// plans, the clock, the per-lcore counters, the flags and the rings the status watches.
struct run_env {
    const scan_config& cfg;
    const run_hooks& hooks;
    dpdk_session& s;
    const lcore_plan& lcores;
    const queue_plan& queues;
    const uint64_t hz;  // the TSC's measured frequency (clocks.hpp), not DPDK's nominal one
    const tsc_clock clock;
    // One counter block per lcore (index 0: control), each on its own cache lines.
    std::vector<std::unique_ptr<counter_block>> blocks;
    scan_flags flags;
    watched_rings watched;

    run_env(const scan_config& c, const run_hooks& h, dpdk_session& session, const lcore_plan& l,
            const queue_plan& q)
        : cfg(c),
          hooks(h),
          s(session),
          lcores(l),
          queues(q),
          hz(measured_tsc_hz()),
          clock(hz, rte_rdtsc(), wall_now_ns()) {
        for (unsigned i = 0; i < lcores.total(); ++i) blocks.push_back(std::make_unique<counter_block>());
    }
    bool dryrun() const { return !cfg.port.dryrun_pcap.empty(); }
    int signals() const { return hooks.stop_signals ? hooks.stop_signals->load() : 0; }
    const port_handle& control_port() const { return s.ports[queues.tx_port(queues.control_slot())]; }
    // Stops the RX (and, once launched, output and TX) lcores and waits for them.
    void stop_lcores() {
        flags.stop_tx.store(true);
        flags.stop_rx.store(true);
        rte_eal_mp_wait_lcore();
    }
};

// One record ring and one ARP ring per RX lcore, single producer, single consumer (each holds one
// less than its size; a test may ask for smaller ones).
struct rx_rings {
    std::vector<rte_ring*> records, arp;
};

// `record_size`: the run's family's record (reply/result_record.hpp, result_record6.hpp).
inline result<rx_rings> create_rx_rings(dpdk_session& s, size_t rx_lcores, int socket, unsigned record_size,
                                        const test_sizes& test) {
    rx_rings rings;
    const unsigned rec_size = test.record_ring ? test.record_ring : record_ring_size;
    const unsigned arp_size = test.arp_ring ? test.arp_ring : arp_ring_size;
    for (size_t i = 0; i < rx_lcores; ++i) {
        rte_ring* rec = rte_ring_create_elem(fmt::format("ics_rec_{}", i).c_str(), record_size, rec_size,
                                             socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
        rte_ring* arp = rte_ring_create(fmt::format("ics_arp_{}", i).c_str(), arp_size, socket,
                                        RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (!rec || !arp)
            return error{fmt::format("cannot create the RX rings: {}", rte_strerror(rte_errno))};
        s.rings.push_back(rec);
        s.rings.push_back(arp);
        rings.records.push_back(rec);
        rings.arp.push_back(arp);
    }
    return rings;
}

// Plans with feedback: one SP/SC ring per TX lcore, the output lcore producing into all of them
// (`test_size`: a test's smaller ring, 0 otherwise).
inline status create_feedback_rings(dpdk_session& s, unsigned tx_lcores, int socket, unsigned elem_size,
                                    unsigned test_size, std::vector<rte_ring*>& rings) {
    for (unsigned t = 0; t < tx_lcores; ++t) {
        rte_ring* fb = rte_ring_create_elem(fmt::format("ics_fb_{}", t).c_str(), elem_size,
                                            test_size ? test_size : feedback_ring_size, socket,
                                            RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (!fb) return error{fmt::format("cannot create the feedback rings: {}", rte_strerror(rte_errno))};
        s.rings.push_back(fb);
        rings.push_back(fb);
    }
    return ok();
}

// The gateway's MAC is unknown until ARP answered (dst_mac is then filled in): RX decodes with a
// probe built from this before, TX with one built after, so no lcore reads an object being rebuilt.
inline probe_setup make_probe_setup(const scan_config& cfg, mac source_mac) {
    probe_setup setup;
    setup.src_mac = source_mac;
    setup.dst_mac = cfg.gateway_mac.value_or(mac{});
    setup.sources = &cfg.sources;
    setup.sources6 = &cfg.sources6;
    setup.ttl = cfg.probe_ttl;
    setup.min_ttl = cfg.trace.min_ttl;
    setup.max_ttl = cfg.trace.max_ttl;
    setup.key = cfg.key;
    return setup;
}

}  // namespace ics::dpdk
