// The TX lcore: paced bursts of probes built straight into mbufs from the probe type's template.
// Per burst: one TSC read, one bulk allocation, one tx_burst (retried for what the queue did not
// take), one walk step for the whole burst. Per probe: one cookie, a 50-byte copy and a few stores.
#pragma once
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dpdk/idle_backoff.hpp"
#include "dpdk/lcore_context.hpp"
#include "pace/pacer.hpp"
#include "probe/probe_setup.hpp"

namespace ics::dpdk {

// Sizes n fresh mbufs for frames of `frame_len` bytes and gives their data pointers, and the
// source address of each target (ZMap's rule; one test when there is a single source).
inline void prepare_frames(rte_mbuf** bufs, unsigned n, uint16_t frame_len, uint8_t** frames,
                           const interval_set& sources, const ipv4_addr* targets, ipv4_addr* src) {
    const bool one_source = sources.size() == 1;
    const ipv4_addr only_source = sources.ranges()[0].first;
    for (unsigned i = 0; i < n; ++i) {
        rte_mbuf* m = bufs[i];
        frames[i] = rte_pktmbuf_mtod(m, uint8_t*);
        m->data_len = frame_len;
        m->pkt_len = frame_len;
        src[i] = one_source ? only_source : source_for(sources, targets[i]);
    }
}

// Builds n probes into n fresh mbufs. Every probe of a burst carries the burst's send time.
template <typename Probe>
inline void build_burst(const Probe& probe, const interval_set& sources, rte_mbuf** bufs,
                        const ipv4_addr* targets, unsigned n, uint32_t send_us) {
    uint8_t* frames[tx_burst_max];
    ipv4_addr src[tx_burst_max];
    prepare_frames(bufs, n, Probe::frame_len, frames, sources, targets, src);
    probe.build_burst(frames, src, targets, n, send_us);
}

// Waits for the pacer's schedule: naps while the next burst is far off (unless busy-polling), at
// most 10 ms at a time so that a stop request is seen promptly at low rates.
inline void wait_for_schedule(const tx_lcore& c, const pacer& pace, uint64_t now) {
    const uint64_t due = pace.next_due(now);
    const uint64_t margin = c.clock.hz() / 50000;  // 20 us
    if (c.backoff && due > now + 2 * margin)
        idle_backoff::nap_ns(std::min<uint64_t>((due - now - margin) * 1000000000 / c.clock.hz(), 10000000));
    else
        rte_pause();
}

// Hands n probes stamped at `now` to the NIC (retrying what the queue did not take, until a stop
// request), frees what could not be sent, and counts. Notes how long after its stamp the burst
// was handed over: the send side's share of the RTTs' error.
inline void send_all(tx_lcore& c, rte_mbuf** bufs, unsigned n, uint64_t now) {
    unsigned sent = rte_eth_tx_burst(c.port, c.queue, bufs, uint16_t(n));
    if (sent < n) {
        c.counters->add(counter::tx_queue_full);
        while (sent < n && !c.flags->stop_tx.load(std::memory_order_relaxed)) {
            rte_pause();
            sent += rte_eth_tx_burst(c.port, c.queue, bufs + sent, uint16_t(n - sent));
        }
        if (sent < n) {
            c.counters->add(counter::tx_dropped_at_stop, n - sent);
            rte_pktmbuf_free_bulk(bufs + sent, n - sent);
        }
    }
    if (sent) {
        const uint64_t lag = rte_rdtsc() - now;
        if (lag > c.max_send_lag.load(std::memory_order_relaxed))
            c.max_send_lag.store(lag, std::memory_order_relaxed);
        if (c.first_tsc.load(std::memory_order_relaxed) == 0)
            c.first_tsc.store(now, std::memory_order_relaxed);
        c.last_tsc.store(now, std::memory_order_relaxed);
    }
    c.counters->add(counter::tx_probes, sent);
}

template <typename Probe>
int tx_loop(tx_context<Probe>& c) {
    idle_backoff::prepare_thread();
    target_walk walk(*c.targets, *c.perm, c.limit, c.rounds, c.slice);
    pacer pace(c.clock.hz(), c.rate, c.start_tsc, tx_burst_max);
    rte_mbuf* bufs[tx_burst_max];
    // Locals, not loads through c: the probe writes bytes, which the compiler must otherwise assume
    // may alias every field of the context.
    const Probe probe = *c.probe;
    const interval_set& sources = *c.sources;
    bool more = true;
    while (more && !c.flags->stop_tx.load(std::memory_order_relaxed)) {
        uint64_t now = rte_rdtsc();
        unsigned n = pace.allowed(now);
        if (n == 0) {
            wait_for_schedule(c, pace, now);
            continue;
        }
        if (rte_pktmbuf_alloc_bulk(c.pool, bufs, n) != 0) {
            c.counters->add(counter::tx_alloc_failed);
            rte_pause();
            continue;
        }
        ipv4_addr targets[tx_burst_max];
        const unsigned built = walk.next_burst(targets, n);
        if (built < n) {
            more = false;
            rte_pktmbuf_free_bulk(bufs + built, n - built);
        }
        // Stamped as late as it can be: after the allocation and the walk, right before the build.
        const uint64_t stamp = rte_rdtsc();
        build_burst(probe, sources, bufs, targets, built, c.clock.probe_time_us(stamp));
        pace.account(built);
        send_all(c, bufs, built, stamp);
    }
    c.flags->tx_running.fetch_sub(1, std::memory_order_release);
    return 0;
}

}  // namespace ics::dpdk
