// The output lcore, for any plan: the only consumer of the record rings and the only writer of the
// rows. Per record: the plan's attribution (repeat? a new hit? feedback for the TX lcores?), then
// what every plan shares: counts, the cooldown mark, -N, the output filter, the row. It stops once
// the RX lcores have stopped and every ring is empty, so every record that was queued is handled.
#pragma once
#include <algorithm>

#include <rte_cycles.h>
#include <rte_ring_elem.h>

#include "dpdk/idle_backoff.hpp"
#include "dpdk/lcore_context.hpp"
#include "modes/plan.hpp"
#include "net/headers.hpp"
#include "output/output_row.hpp"
#include "probe/probe_family.hpp"

namespace ics::dpdk {

inline constexpr unsigned output_dequeue_burst = 64;

// Plans with feedback: every message goes to every TX lcore (any of them may probe the target next).
template <typename Plan>
inline void send_feedback(output_context<Plan>& c, const typename Plan::feedback* fb, unsigned n) {
    if constexpr (has_feedback<Plan>) {
        for (unsigned i = 0; i < n; ++i)
            for (rte_ring* ring : c.feedback)
                if (rte_ring_sp_enqueue_elem(ring, const_cast<typename Plan::feedback*>(&fb[i]),
                                             sizeof(typename Plan::feedback)) != 0)
                    c.counters->add(counter::out_feedback_dropped);
    }
}

// The records of a plan's family (probe/probe_family.hpp).
template <typename Plan>
using plan_record = record_of<typename Plan::probe>;

// A reply's type as the first replies' table keeps it (scan_report::unique_by_type_code).
template <typename Probe>
constexpr uint8_t first_reply_type(uint8_t type) {
    return is_ipv6_probe<Probe> && type == icmp6_type::echo_reply ? 0 : type;
}

template <typename Plan>
inline void handle_record(output_context<Plan>& c, const plan_record<Plan>& rec, uint64_t& written) {
    c.counters->add(counter::out_records);
    c.rtt_error.add(rec.rtt_err_us);
    typename Plan::feedback fb[max_feedback_per_record];
    const attribution a = c.attribution->attribute(rec, fb, *c.counters);
    send_feedback(c, fb, a.feedback);
    if (a.new_hit)
        c.flags->hits.store(c.flags->hits.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (a.repeat)
        c.counters->add(counter::out_repeats);
    else if (const uint8_t type = first_reply_type<typename Plan::probe>(rec.type);
             type < 16 && rec.code < 16)
        ++c.unique_by_type_code[size_t(type) << 4 | rec.code];
    if (!c.writer) return;
    const basic_output_row<plan_record<Plan>> row{
        &rec, uint8_t(a.repeat), uint8_t(rec.rx_tsc >= c.flags->send_end_tsc.load(std::memory_order_relaxed)),
        c.clock.wall_ns(rec.rx_tsc)};
    if (c.max_results && written >= c.max_results) return;  // -N reached: count, do not write
    if (!c.filter->accepts(row)) {
        c.counters->add(counter::out_filtered);
        return;
    }
    c.writer->write(row);
    c.counters->add(counter::out_written);
    ++written;
    if (c.max_results && written >= c.max_results)
        c.flags->max_results_reached.store(true, std::memory_order_relaxed);
}

// Plans that act on time passing (monitor: closing rounds) get a tick at most once a millisecond
// (every nap, when idle: up to 8 ms), once sending has started, with the send start's clock.
template <typename Plan>
inline void tick_plan(output_context<Plan>& c, uint64_t& next_tick) {
    if constexpr (requires { c.attribution->tick(plan_clock{}); }) {
        const uint64_t now = rte_rdtsc();
        const uint64_t start = c.flags->send_start_tsc.load(std::memory_order_acquire);
        if (now < next_tick || start == 0 || now < start) return;
        next_tick = now + c.clock.cycles_from_us(1000);
        plan_clock clock;
        clock.now_us = c.clock.elapsed_us(now) - c.clock.elapsed_us(start);
        const uint64_t end = c.flags->send_end_tsc.load(std::memory_order_relaxed);
        if (end != UINT64_MAX)
            clock.send_end_us = end > start ? c.clock.elapsed_us(end) - c.clock.elapsed_us(start) : 0;
        clock.start_wall_ns = c.clock.wall_ns(start);
        uint64_t sent[max_tx_lcores];
        for (unsigned t = 0; t < c.senders; ++t) {
            sent[t] = c.flags->senders[t].positions.load(std::memory_order_acquire);
            clock.lateness_us =
                std::max(clock.lateness_us, c.flags->senders[t].lateness_us.load(std::memory_order_relaxed));
        }
        clock.sent = std::span<const uint64_t>(sent, c.senders);
        c.attribution->tick(clock);
    }
}

// RX lcores publish their exit with release; after it, an empty ring stays empty.
template <typename Plan>
inline bool inputs_finished(const output_context<Plan>& c) {
    if (c.flags->rx_running.load(std::memory_order_acquire) != 0) return false;
    for (rte_ring* ring : c.rings)
        if (!rte_ring_empty(ring)) return false;
    return true;
}

// Up to `max` records of one ring (at most a burst), each handled; returns how many.
template <typename Plan>
inline unsigned take_records(output_context<Plan>& c, rte_ring* ring, unsigned max, uint64_t& written) {
    plan_record<Plan> recs[output_dequeue_burst];
    const unsigned n = rte_ring_sc_dequeue_burst_elem(ring, recs, sizeof(recs[0]),
                                                      std::min(max, output_dequeue_burst), nullptr);
    for (unsigned i = 0; i < n; ++i) handle_record(c, recs[i], written);
    return n;
}

// One pass over the record rings: up to a burst from each, every record handled. Returns how many.
// (Apart from output_loop so that a benchmark can drive the same pass on its own clock.)
template <typename Plan>
inline unsigned poll_records(output_context<Plan>& c, uint64_t& written) {
    unsigned got = 0;
    for (rte_ring* ring : c.rings) got += take_records(c, ring, output_dequeue_burst, written);
    return got;
}

// Whether a file this lcore writes failed: the rows, or the plan's own file during the run
// (monitor's summaries). A bool or two read per pass; the control lcore stops the run on it.
template <typename Plan>
inline bool writes_failed(const output_context<Plan>& c) {
    if (c.writer && c.writer->failed()) return true;
    if constexpr (requires { c.attribution->write_failed(); }) return c.attribution->write_failed();
    return false;
}

// A checkpoint's flush (drivers/dpdk/checkpoint_keeper.hpp): once the control lcore asks at time T,
// the records each ring held (every one queued before T, and maybe more) are handled and the rows
// flushed (a plan with books of its own, monitor: its lines flushed and its books copied for the
// checkpoint), then T is published, unless a write failed: the output_failed flag goes up first,
// and no checkpoint claims rows that never reached the file. One load per pass while nothing is
// asked.
template <typename Plan>
inline void serve_flush_request(output_context<Plan>& c, uint64_t& written) {
    const uint64_t asked = c.flags->flush_request.load(std::memory_order_acquire);
    if (asked == c.flags->flushed_at.load(std::memory_order_relaxed)) return;
    for (rte_ring* ring : c.rings)
        for (unsigned left = rte_ring_count(ring), n = 1; left > 0 && n > 0; left -= n)
            n = take_records(c, ring, left, written);
    if (c.writer) c.writer->flush();
    if constexpr (requires { c.attribution->flush(); }) c.attribution->flush();
    if (writes_failed(c)) {
        c.flags->output_failed.store(true, std::memory_order_release);
        return;
    }
    // The keeper asks again only once it saved these (checkpoint_keeper::poll): nothing reads them now.
    if constexpr (requires { c.attribution->save_books(*c.books); })
        if (c.books) c.attribution->save_books(*c.books);
    if constexpr (requires { c.attribution->journal_size(); })
        c.flags->journal_bytes.store(c.attribution->journal_size(), std::memory_order_relaxed);
    c.flags->flushed_at.store(asked, std::memory_order_release);
}

// A trace's journal at the run's end, for the last checkpoint (read after the lcores stopped).
template <typename Plan>
inline void flush_journal(output_context<Plan>& c) {
    if constexpr (requires { c.attribution->journal_size(); }) {
        c.attribution->flush();
        if (c.attribution->write_failed()) c.flags->output_failed.store(true);
        c.flags->journal_bytes.store(c.attribution->journal_size(), std::memory_order_release);
    }
}

template <typename Plan>
int output_loop(output_context<Plan>& c) {
    idle_backoff::prepare_thread();
    idle_backoff backoff(c.backoff, output_backoff);
    unsigned naps_since_flush = 0;
    uint64_t written = 0, next_tick = 0;
    bool failure_told = false;
    while (true) {
        tick_plan(c, next_tick);
        serve_flush_request(c, written);
        const unsigned got = poll_records(c, written);
        if (!failure_told && writes_failed(c)) {
            c.flags->output_failed.store(true, std::memory_order_relaxed);
            failure_told = true;
        }
        if (got) {
            backoff.reset();
            // A test's slow output (docs/testing.md): one branch a pass of up to a burst per ring,
            // never taken in a normal run, and nothing per record.
            if (c.test_nap_us) [[unlikely]]
                idle_backoff::nap_ns(uint64_t(c.test_nap_us) * 1000);
            continue;
        }
        if (inputs_finished(c)) break;
        // Rows reach the file within ~20 ms of a lull (naps of 4, 8, 8 ms; for tail -f), without a
        // write per nap.
        if (backoff.idle() && ++naps_since_flush >= 3 && c.writer) {
            c.writer->flush();
            naps_since_flush = 0;
        }
    }
    if (c.writer && !c.writer->flush()) c.flags->output_failed.store(true);  // the run's end reads it
    flush_journal(c);
    if (c.writer) c.counters->add(counter::out_write_lost, c.writer->rows_lost());
    return 0;
}

}  // namespace ics::dpdk
