// The RX lcore: poll its queues in bursts, note each burst's arrival window with the TSC (from the
// last poll that emptied the queue to the end of this one: pace/arrival_window.hpp), parse and
// validate every frame with the probe type, which estimates the RTT within that window and after
// the probe's send time, and hand fixed-size records to the output lcore through its own SP/SC
// ring. When its queues' rings carry the kernel's receive stamps (rx_stamps.hpp), a reply's stamp
// replaces the window, and the lcore naps longer between empty polls (backoff_policy.hpp). ARP
// frames (IPv6 runs: also Neighbour Discovery) go to the control lcore through another SP/SC ring.
// Nothing allocates; every frame that is not a result is counted under a named reason.
#pragma once
#include <time.h>

#include <vector>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring_elem.h>

#include "dpdk/clocks.hpp"
#include "dpdk/idle_backoff.hpp"
#include "dpdk/lcore_context.hpp"
#include "pace/arrival_window.hpp"
#include "pace/device_stamp.hpp"
#include "probe/probe_family.hpp"
#include "reply/reply6_parser.hpp"
#include "reply/reply_parser.hpp"

namespace ics::dpdk {

// When one frame arrived: in the probes' clock (for the RTT) and as the TSC it arrived by.
struct frame_arrival {
    arrival_us at;
    uint64_t closed;
};

// The i-th frame's receive stamp from its queue's ring, when it has one that holds (`now`: clocks
// read after the poll), else the burst's poll window.
template <typename Probe>
inline frame_arrival arrival_of(rx_context<Probe>& c, const rx_ring_stamps* ring, unsigned i,
                                const rte_mbuf* m, const frame_arrival& burst, clock_pair now) {
    if (!ring) return burst;
    const uint64_t stamp_ns = ring->stamp_ns(i, rte_pktmbuf_mtod(m, const uint8_t*), m->data_len);
    if (const uint64_t t = stamp_ns ? stamp_tsc(stamp_ns, now, c.clock.hz()) : 0) {
        const arrival_us at = stamped_arrival(c.clock, t, now.wall_ns - stamp_ns);
        return {at, t + c.clock.cycles_from_us((at.closed - at.opened + 1) / 2)};  // the window's end
    }
    c.counters->add(counter::rx_stamp_refused);
    return burst;
}

// The clocks a burst's stamps are taken from, read together: the wall clock (vDSO: no system call)
// between two TSC reads, at their midpoint. A pair whose reads lie more than 2 us apart (the thread
// was preempted between them: seen on this 2-core machine as replies before their send stamp) is
// read again, up to 4 times; if every try was split, no pair (every stamp of the burst is refused,
// counted, and the burst keeps its poll window). Read only when the queue has stamps.
template <typename Probe>
inline clock_pair read_clocks(const rx_context<Probe>& c, const rx_ring_stamps* ring) {
    if (!ring) return {};
    const uint64_t close_enough = c.clock.cycles_from_us(2);
    for (int tries = 0; tries < 4; ++tries) {
        const uint64_t before = rte_rdtsc();
        const uint64_t wall_ns = wall_now_ns();
        const uint64_t after = rte_rdtsc();
        if (after - before <= close_enough) return {before + (after - before) / 2, wall_ns};
    }
    return {};
}

// A frame for the control lcore (ARP; IPv6 runs: Neighbour Discovery), counted as `kind`; false
// if its ring was full (counted as `full`: the caller frees the frame).
template <typename Probe>
inline bool to_control(rx_context<Probe>& c, rte_mbuf* m, counter kind, counter full) {
    c.counters->add(kind);
    if (rte_ring_sp_enqueue(c.arp, m) == 0) return true;
    c.counters->add(full);
    return false;
}

// A reply of the run's family: parsed, validated and decoded into `rec`, or counted under the
// reason it is not one; true for a record.
template <typename Probe>
inline bool rx_reply(rx_context<Probe>& c, const rte_mbuf* m, unsigned i, const frame_arrival& burst,
                     clock_pair now, rx_ring_stamps* ring, record_of<Probe>& rec) {
    const uint8_t* frame = rte_pktmbuf_mtod(m, const uint8_t*);
    const size_t len = m->data_len;  // single-segment: every reply we care about is small
    std::conditional_t<is_ipv6_probe<Probe>, parsed_reply6, parsed_reply> r;
    counter why;
    bool valid;
    if constexpr (is_ipv6_probe<Probe>)
        valid = parse_reply6(frame, len, r, why);
    else
        valid = parse_reply(frame, len, r, why);
    frame_arrival a = burst;
    if (valid) {  // only replies' stamps: rx_stamp_refused counts nothing else
        a = arrival_of(c, ring, i, m, burst, now);
        valid = c.probe->decode(r, a.at, rec, why);
    }
    if (!valid) {
        c.counters->add(why);
        return false;
    }
    stamp_arrival(c, rec, a.closed);
    return true;
}

// `window`: when the burst's frames arrived (TSC); `ring`: the queue's stamps, if it has them.
// The frame kinds are the run's family's (compile time): the other family's frames are counted as
// rx_not_ipv4 (IPv4 runs) or rx_not_ipv6.
template <typename Probe>
inline void rx_process_burst(rx_context<Probe>& c, rte_mbuf** bufs, unsigned n, poll_window window,
                             rx_ring_stamps* ring = nullptr) {
    constexpr bool v6 = is_ipv6_probe<Probe>;
    constexpr frame_kind ours = v6 ? frame_kind::ipv6 : frame_kind::ipv4;
    const frame_arrival burst{{c.clock.probe_time_us(window.opened), c.clock.probe_time_us(window.closed)},
                              window.closed};
    const clock_pair now = read_clocks(c, ring);
    record_of<Probe> recs[rx_burst];
    rte_mbuf* to_free[rx_burst];
    unsigned nrec = 0, nfree = 0;
    c.counters->add(counter::rx_frames, n);
    for (unsigned i = 0; i < n; ++i) {
        rte_mbuf* m = bufs[i];
        const uint8_t* frame = rte_pktmbuf_mtod(m, const uint8_t*);
        const frame_kind kind = classify_frame(frame, m->data_len);
        if (kind == frame_kind::arp) {
            if (to_control(c, m, counter::rx_arp, counter::rx_arp_ring_full)) continue;
        } else if (v6 && kind == ours && is_nd_frame(frame, m->data_len)) {
            if (to_control(c, m, counter::rx_nd, counter::rx_nd_ring_full)) continue;
        } else if (kind == ours) {
            if (rx_reply(c, m, i, burst, now, ring, recs[nrec])) ++nrec;
        } else {
            c.counters->add(v6 ? counter::rx_not_ipv6 : counter::rx_not_ipv4);
        }
        to_free[nfree++] = m;
    }
    if (ring) ring->advance(n);
    if (nfree) rte_pktmbuf_free_bulk(to_free, nfree);
    if (nrec) {
        unsigned queued = rte_ring_sp_enqueue_burst_elem(c.records, recs, sizeof(recs[0]), nrec, nullptr);
        c.counters->add(counter::rx_valid, queued);
        if (queued < nrec) c.counters->add(counter::rx_ring_full, nrec - queued);
    }
}

// The record's receive time: its arrival estimate, which lies err_us before the window's close
// (half the window, or less when the probe left after the window opened). A record whose stamp
// disagrees with its send time keeps the close and is counted.
template <typename Probe>
inline void stamp_arrival(rx_context<Probe>& c, record_of<Probe>& rec, uint64_t closed) {
    if (rec.flags & record_flag::clock_disagrees) {
        c.counters->add(counter::rx_clock_disagrees);
        rec.rx_tsc = closed;
    } else {
        rec.rx_tsc = closed - c.clock.cycles_from_us(rec.rtt_err_us - 1u);
    }
}

template <typename Probe>
int rx_loop(rx_context<Probe>& c) {
    idle_backoff::prepare_thread();
    idle_backoff backoff(c.backoff, c.stamped_nap_us ? stamped_rx_backoff(c.stamped_nap_us) : rx_backoff);
    rte_mbuf* bufs[rx_burst];
    // Before the loop: nothing allocates in it.
    std::vector<arrival_window> windows(c.queues.size(), arrival_window(rte_rdtsc()));
    auto poll_queues = [&] {
        unsigned got = 0;
        for (size_t k = 0; k < c.queues.size(); ++k) {
            const uint64_t began = rte_rdtsc();
            const unsigned n = rte_eth_rx_burst(c.queues[k].port, c.queues[k].queue, bufs, rx_burst);
            const poll_window w = windows[k].polled(began, n ? rte_rdtsc() : began, n, rx_burst);
            if (n) rx_process_burst(c, bufs, n, w, c.rings.empty() ? nullptr : &c.rings[k]);
            got += n;
        }
        return got;
    };
    while (!c.flags->stop_rx.load(std::memory_order_relaxed)) {
        const unsigned got = poll_queues();
        if (got) {
            backoff.reset();
        } else {
            const uint64_t end = c.flags->send_end_tsc.load(std::memory_order_relaxed), now = rte_rdtsc();
            backoff.idle(now > end ? cooldown_nap_us((now - end) * 1000000 / c.clock.hz()) : 0);
        }
    }
    // What arrived during the last nap (up to 8 ms on stamped rings) before the stop came is still
    // taken: a few bursts at most at the rates that nap that long.
    for (unsigned pass = 0; pass < 16 && poll_queues(); ++pass) {
    }
    c.flags->rx_running.fetch_sub(1, std::memory_order_release);
    return 0;
}

}  // namespace ics::dpdk
