// The output lcore: the only consumer of the record rings and the only writer of the results.
// It marks repeats (one bit per target), marks cooldown replies, applies the output filter,
// formats and writes. It stops once the RX lcores have stopped and every ring is empty, so every
// record that was queued is written.
#include <rte_ring_elem.h>

#include "dpdk/idle_backoff.hpp"
#include "dpdk/lcore_context.hpp"

namespace ics::dpdk {

namespace {
constexpr unsigned dequeue_burst = 64;

// Trace mode: repeat means "its (target, TTL) already answered"; a hit is a target whose own Echo
// Reply came back. Feedback goes to every TX lcore (any of them may probe the target next).
bool trace_attribute(output_context& c, const result_record& rec) {
    trace_feedback fb[trace_collector::max_feedback];
    const trace_outcome o = c.trace->add(rec, fb);
    for (unsigned i = 0; i < o.feedback; ++i)
        for (rte_ring* ring : c.feedback)
            if (rte_ring_sp_enqueue_elem(ring, &fb[i], sizeof(trace_feedback)) != 0)
                c.counters->add(counter::out_feedback_dropped);
    if (!o.attributed) c.counters->add(counter::out_not_attributed);
    if (o.first && rec.success && !c.seen->test_and_set(o.index))
        c.flags->hits.store(c.flags->hits.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return o.attributed && !o.first;
}

// Scan mode: repeat means "this target already answered".
bool scan_attribute(output_context& c, const result_record& rec) {
    auto index = c.targets->index_of(rec.probe_daddr);
    const bool repeat = index ? c.seen->test_and_set(*index) : false;
    if (rec.success && !repeat)
        c.flags->hits.store(c.flags->hits.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return repeat;
}

void handle(output_context& c, const result_record& rec, uint64_t& written) {
    c.counters->add(counter::out_records);
    c.rtt_error.add(rec.rtt_err_us);
    const bool repeat = c.trace ? trace_attribute(c, rec) : scan_attribute(c, rec);
    if (repeat)
        c.counters->add(counter::out_repeats);
    else if (rec.type < 16 && rec.code < 16)
        ++c.unique_by_type_code[size_t(rec.type) << 4 | rec.code];
    if (!c.writer) return;
    output_row row{&rec, uint8_t(repeat),
                   uint8_t(rec.rx_tsc >= c.flags->send_end_tsc.load(std::memory_order_relaxed)),
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
}  // namespace

int output_loop(output_context& c) {
    idle_backoff::prepare_thread();
    idle_backoff backoff(c.backoff, output_backoff);
    unsigned naps_since_flush = 0;
    result_record recs[dequeue_burst];
    uint64_t written = 0;
    while (true) {
        unsigned got = 0;
        for (rte_ring* ring : c.rings) {
            unsigned n =
                rte_ring_sc_dequeue_burst_elem(ring, recs, sizeof(result_record), dequeue_burst, nullptr);
            for (unsigned i = 0; i < n; ++i) handle(c, recs[i], written);
            got += n;
        }
        if (got) {
            backoff.reset();
            continue;
        }
        // RX lcores publish their exit with release; after it, an empty ring stays empty.
        if (c.flags->rx_running.load(std::memory_order_acquire) == 0) {
            bool empty = true;
            for (rte_ring* ring : c.rings) empty = empty && rte_ring_empty(ring);
            if (empty) break;
        }
        // Rows reach the file within ~20 ms of a lull (for tail -f), without a write per nap.
        if (backoff.idle() && ++naps_since_flush >= 20 && c.writer) {
            c.writer->flush();
            naps_since_flush = 0;
        }
    }
    if (c.writer && !c.writer->flush()) c.flags->output_failed.store(true);
    return 0;
}

}  // namespace ics::dpdk
