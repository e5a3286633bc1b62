// The trace TX lcore: like tx_loop (paced bursts built straight into mbufs), but each probe gets
// its own TTL from the trace walk, and in the backward order the TTL comes from the per-target
// schedule that the output lcore's feedback ring keeps up to date. The ring is drained once per
// burst; this lcore is its only consumer and the only writer of its target_progress array.
#pragma once
#include <vector>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring_elem.h>

#include "dpdk/idle_backoff.hpp"
#include "dpdk/lcore_context.hpp"
#include "dpdk/tx_loop.hpp"
#include "pace/pacer.hpp"
#include "probe/probe_setup.hpp"
#include "probe/trace_probe.hpp"
#include "trace/trace_schedule.hpp"
#include "trace/trace_walk.hpp"

namespace ics::dpdk {

struct trace_tx_context : tx_lcore {
    const trace_probe* probe = nullptr;
    trace_plan plan;
    rte_ring* feedback = nullptr;           // consumer end: this lcore (backward order only)
    std::vector<target_progress> progress;  // backward order: one entry per target
};

namespace detail {
inline void drain_feedback(trace_tx_context& c, bool main_phase) {
    if (!c.feedback) return;
    trace_feedback msgs[64];
    unsigned n;
    while ((n = rte_ring_sc_dequeue_burst_elem(c.feedback, msgs, sizeof(trace_feedback), 64, nullptr)) > 0)
        for (unsigned i = 0; i < n; ++i)
            if (msgs[i].index < c.progress.size()) c.progress[msgs[i].index].apply(msgs[i], main_phase);
}

// Sleeps (draining feedback) until `until` or a stop request.
inline void pause_until(trace_tx_context& c, uint64_t until) {
    while (rte_rdtsc() < until && !c.flags->stop_tx.load(std::memory_order_relaxed)) {
        drain_feedback(c, false);
        idle_backoff::nap_ns(1000000);
    }
    drain_feedback(c, false);
}
}  // namespace detail

inline int trace_tx_loop(trace_tx_context& c) {
    idle_backoff::prepare_thread();
    trace_walk walk(*c.targets, *c.perm, c.plan, c.slice);
    pacer pace(c.clock.hz(), c.rate, c.start_tsc, tx_burst_max);
    const trace_probe probe = *c.probe;
    const interval_set& sources = *c.sources;
    const bool backward = c.plan.order == trace_order::backward;
    bool main_phase = !backward;
    rte_mbuf* bufs[tx_burst_max];
    while (!c.flags->stop_tx.load(std::memory_order_relaxed)) {
        if (backward && !main_phase && walk.layer() == 0 && walk.layer_finished()) {
            // The preprobe round is out: wait for its replies, then start the schedule afresh.
            detail::pause_until(c, rte_rdtsc() + uint64_t(c.plan.preprobe_wait_s * double(c.clock.hz())));
            main_phase = true;
            pace = pacer(c.clock.hz(), c.rate, rte_rdtsc(), tx_burst_max);
        }
        detail::drain_feedback(c, main_phase);
        uint64_t now = rte_rdtsc();
        unsigned n = pace.allowed(now);
        if (n == 0) {
            wait_for_schedule(c, pace, now);
            continue;
        }
        ipv4_addr dst[tx_burst_max];
        uint32_t index[tx_burst_max];
        uint16_t slot[tx_burst_max];
        const unsigned got = walk.next_burst(dst, index, slot, n);
        if (got == 0) break;
        uint8_t ttl[tx_burst_max];
        unsigned keep = got;
        if (backward) {
            keep = 0;
            for (unsigned i = 0; i < got; ++i) {
                const uint8_t t = slot[i] == 0 ? c.plan.max_ttl
                                               : scheduled_ttl(c.progress[index[i]],
                                                               (slot[i] - 1u) / c.plan.probes, c.plan);
                dst[keep] = dst[i];
                ttl[keep] = t;
                keep += t != 0;
            }
            if (keep < got) c.counters->add(counter::tx_trace_skipped, got - keep);
        } else {
            for (unsigned i = 0; i < got; ++i) ttl[i] = uint8_t(slot[i]);
        }
        pace.account(keep);
        if (keep == 0) continue;
        bool allocated = true;
        while (rte_pktmbuf_alloc_bulk(c.pool, bufs, keep) != 0) {
            c.counters->add(counter::tx_alloc_failed);
            if (c.flags->stop_tx.load(std::memory_order_relaxed)) {
                allocated = false;
                break;
            }
            rte_pause();
        }
        if (!allocated) break;
        uint8_t* frames[tx_burst_max];
        ipv4_addr src[tx_burst_max];
        prepare_frames(bufs, keep, trace_probe::frame_len, frames, sources, dst, src);
        // Stamped as late as it can be: after any wait for mbufs, right before the build.
        const uint64_t stamp = rte_rdtsc();
        probe.build_burst(frames, src, dst, ttl, keep, c.clock.probe_time_us(stamp));
        send_all(c, bufs, keep, stamp);
    }
    c.flags->tx_running.fetch_sub(1, std::memory_order_release);
    return 0;
}

}  // namespace ics::dpdk
