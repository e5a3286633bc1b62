// The TX lcore, for any plan (modes/plan.hpp): paced bursts of probes built straight into mbufs
// from the probe type's template. Per burst: one TSC read, one schedule step for the whole burst
// (the plan's targets, TTLs and round), one bulk allocation, one tx_burst (retried for what the
// queue did not take). Per probe: one cookie, a template copy and a few stores. What only some
// plans do (feedback from the output lcore, a pause, probes the schedule skips) is compiled in
// for those plans alone.
#pragma once
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring_elem.h>

#include "dpdk/idle_backoff.hpp"
#include "dpdk/lcore_context.hpp"
#include "modes/plan.hpp"
#include "pace/pacer.hpp"
#include "probe/probe_batch.hpp"
#include "probe/probe_family.hpp"
#include "probe/probe_setup.hpp"

namespace ics::dpdk {

static_assert(probe_batch::max == tx_burst_max && probe_batch6::max == tx_burst_max);

// The first of a source set, and whether it is the only one.
inline bool single_source(const interval_set& sources) {
    return sources.size() == 1;
}
inline bool single_source(const ipv6_range_set& sources) {
    return sources.ranges().size() == 1 && sources.ranges()[0].first == sources.ranges()[0].last;
}

// Sizes n fresh mbufs for frames of `frame_len` bytes and gives their data pointers, and the
// source address of each target (ZMap's rule; one test when there is a single source).
template <typename Sources, typename Addr>
inline void prepare_frames(rte_mbuf** bufs, unsigned n, uint16_t frame_len, uint8_t** frames,
                           const Sources& sources, const Addr* targets, Addr* src) {
    const bool one_source = single_source(sources);
    const Addr only_source = sources.ranges()[0].first;
    for (unsigned i = 0; i < n; ++i) {
        rte_mbuf* m = bufs[i];
        frames[i] = rte_pktmbuf_mtod(m, uint8_t*);
        m->data_len = frame_len;
        m->pkt_len = frame_len;
        src[i] = one_source ? only_source : source_for(sources, targets[i]);
    }
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
// was handed over: the send side's share of the RTTs' error. Returns how many were sent.
inline unsigned send_all(tx_lcore& c, rte_mbuf** bufs, unsigned n, uint64_t now) {
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
    return sent;
}

// Allocates n mbufs, waiting while the pool is empty; false on a stop request. A burst that had to
// wait counts once (tx_alloc_failed counts delayed bursts, not the spins of the wait).
inline bool alloc_burst(tx_lcore& c, rte_mbuf** bufs, unsigned n) {
    if (rte_pktmbuf_alloc_bulk(c.pool, bufs, n) == 0) return true;
    c.counters->add(counter::tx_alloc_failed);
    do {
        if (c.flags->stop_tx.load(std::memory_order_relaxed)) return false;
        rte_pause();
    } while (rte_pktmbuf_alloc_bulk(c.pool, bufs, n) != 0);
    return true;
}

// Plans with feedback: everything the output lcore sent this lcore so far (its ring's only consumer).
template <typename Plan>
inline void take_feedback(tx_context<Plan>& c) {
    if constexpr (has_feedback<Plan>) {
        if (!c.feedback) return;
        typename Plan::feedback msgs[64];
        unsigned n;
        while ((n = rte_ring_sc_dequeue_burst_elem(c.feedback, msgs, sizeof(msgs[0]), 64, nullptr)) > 0)
            c.schedule.take_feedback(msgs, n);
    }
}

// Plans that pause (trace's backward order, after its preprobe round): sleeps, still taking
// feedback, until the pause is over or a stop request; the pacer then starts afresh.
template <typename Plan>
inline void pause_if_due(tx_context<Plan>& c, pacer& pace) {
    if constexpr (Plan::schedule::may_pause) {
        const double seconds = c.schedule.pause_due();
        if (seconds <= 0) return;
        const uint64_t until = rte_rdtsc() + uint64_t(seconds * double(c.clock.hz()));
        while (rte_rdtsc() < until && !c.flags->stop_tx.load(std::memory_order_relaxed)) {
            take_feedback(c);
            idle_backoff::nap_ns(1000000);
        }
        take_feedback(c);
        c.schedule.paused();
        pace = pacer(c.clock.hz(), c.rate, rte_rdtsc(), tx_burst_max);
    }
}

// How far ahead of its due time a time-driven sender that woke from a nap sends a probe.
inline constexpr uint64_t send_ahead_us = 1000;

// Time-driven plans (monitor): waits for the schedule's next due time, napping while it is more
// than 40 us off (unless busy-polling), at most 10 ms at a time so that a stop request is seen
// promptly; true if it napped. It naps to the due time itself rather than waking early to spin up
// to it: at 1,000 targets a second the spin was a fifth of the process's CPU, and a probe that
// leaves a wake-up's latency late is counted in the lateness the schedule measures.
inline bool wait_until_due(const tx_lcore& c, uint64_t due_in_us) {
    if (c.backoff && due_in_us > 40) {
        idle_backoff::nap_ns(std::min<uint64_t>(due_in_us, 10000) * 1000);
        return true;
    }
    rte_pause();
    return false;
}

// A TX lcore's sources, of its probe type's family.
template <typename Plan>
inline const auto& sources_of(const tx_context<Plan>& c) {
    if constexpr (is_ipv6_probe<typename Plan::probe>)
        return *c.sources6;
    else
        return *c.sources;
}
template <typename Plan>
using batch_of = typename probe_family<typename Plan::probe>::batch;

// Builds a batch's probes into fresh mbufs and sends them; how many were sent (0 on a stop request
// while waiting for mbufs).
template <typename Plan, typename Sources>
inline unsigned send_batch(tx_context<Plan>& c, const typename Plan::probe& probe, const Sources& sources,
                           const batch_of<Plan>& batch) {
    rte_mbuf* bufs[tx_burst_max];
    if (!alloc_burst(c, bufs, batch.count)) return 0;
    uint8_t* frames[tx_burst_max];
    typename probe_family<typename Plan::probe>::address src[tx_burst_max];
    prepare_frames(bufs, batch.count, Plan::probe::frame_len, frames, sources, batch.dst, src);
    // Stamped as late as it can be: after the schedule and any wait for mbufs, right before the build.
    const uint64_t stamp = rte_rdtsc();
    probe.build_burst(frames, src, batch, c.clock.probe_time_us(stamp));
    return send_all(c, bufs, batch.count, stamp);
}

// The TX loop of a plan whose schedule hands out what the pacer allows (scan, trace).
template <typename Plan>
int paced_tx_loop(tx_context<Plan>& c) {
    using Probe = typename Plan::probe;
    pacer pace(c.clock.hz(), c.rate, c.start_tsc, tx_burst_max);
    // Locals, not loads through c: the probe writes bytes, which the compiler must otherwise assume
    // may alias every field of the context.
    const Probe probe = *c.probe;
    const auto& sources = sources_of(c);
    batch_of<Plan> batch;
    uint64_t positions = c.progress->positions.load(std::memory_order_relaxed);  // a resumed run's start
    while (!c.flags->stop_tx.load(std::memory_order_relaxed)) {
        pause_if_due(c, pace);
        take_feedback(c);
        const uint64_t now = rte_rdtsc();
        const unsigned n = pace.allowed(now);
        if (n == 0) {
            wait_for_schedule(c, pace, now);
            continue;
        }
        const unsigned consumed = c.schedule.next(batch, n);
        if (consumed == 0) break;
        if constexpr (Plan::schedule::may_skip)
            if (consumed > batch.count) c.counters->add(counter::tx_trace_skipped, consumed - batch.count);
        pace.account(batch.count);
        if (batch.count == 0) continue;
        const unsigned sent = send_batch(c, probe, sources, batch);
        // A burst cut by a stop request sent its first `sent` probes, the first positions of it.
        positions += sent == batch.count ? consumed : sent;
        c.progress->positions.store(positions, std::memory_order_release);
        if (sent < batch.count) break;
    }
    c.flags->tx_running.fetch_sub(1, std::memory_order_release);
    return 0;
}

// The TX loop of a time-driven plan: each burst is what the schedule says is due by now (it
// measures how late each leaves); no pacer. Waking from a nap for a probe, it takes what falls due
// in the next send_ahead_us with it (those leave up to 1 ms early, never late for it): at monitor
// mode's small end a wake-up for every few probes, not one each. A sender that does not nap (due
// times under 40 us apart) sends each burst when due. It publishes the positions it has sent after
// each burst and its recent lateness every 100 ms (sender_progress: the output lcore's close
// cursors).
template <typename Plan>
int timed_tx_loop(tx_context<Plan>& c) {
    const typename Plan::probe probe = *c.probe;  // a local: see paced_tx_loop
    const auto& sources = sources_of(c);
    const uint64_t start_us = c.clock.elapsed_us(c.start_tsc);
    const uint64_t publish_every = c.clock.cycles_from_us(100000);
    uint64_t next_publish = c.start_tsc, positions = 0;
    batch_of<Plan> batch;
    bool woke = false;  // from a nap for the next due time
    while (!c.flags->stop_tx.load(std::memory_order_relaxed)) {
        const uint64_t now = rte_rdtsc();
        if (now < c.start_tsc) {
            wait_until_due(c, c.clock.elapsed_us(c.start_tsc) - c.clock.elapsed_us(now));
            continue;
        }
        if (now >= next_publish) {
            c.progress->lateness_us.store(c.schedule.take_recent_lateness(), std::memory_order_relaxed);
            next_publish = now + publish_every;
        }
        const uint64_t now_us = c.clock.elapsed_us(now) - start_us;
        const auto step = c.schedule.next(batch, tx_burst_max, now_us, woke ? send_ahead_us : 0);
        if (step.count == 0) {
            if (step.done) break;
            woke = wait_until_due(c, step.next_due_us - now_us);
            continue;
        }
        woke = false;
        const unsigned sent = send_batch(c, probe, sources, batch);
        positions += sent;
        c.progress->positions.store(positions, std::memory_order_release);
        if (sent < batch.count) break;  // a stop request
    }
    c.flags->tx_running.fetch_sub(1, std::memory_order_release);
    return 0;
}

template <typename Plan>
int tx_loop(tx_context<Plan>& c) {
    idle_backoff::prepare_thread();
    if constexpr (is_time_driven<typename Plan::schedule>)
        return timed_tx_loop(c);
    else
        return paced_tx_loop(c);
}

}  // namespace ics::dpdk
