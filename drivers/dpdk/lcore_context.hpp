// What each lcore is given: read-only set-up, its own counter block, its own queue and ring ends,
// and the few flags the control lcore uses to stop it. One owner per queue and per ring end. The
// contexts are templates on the run's plan (modes/plan.hpp), so every loop is compiled for one
// plan and tests no mode at run time.
//
// Cache lines, on purpose: each context is allocated apart and starts on a line of its own; what an
// lcore writes that another reads (a TX lcore's send progress, each group of flags) sits on a line
// of its own, so the read-only set-up every loop reads is never on a line another lcore writes,
// the control lcore's once-a-second reads of the send progress never touch the schedule's state,
// and the flags every loop polls stay shared-clean between the control lcore's writes.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "dpdk/rx_stamps.hpp"
#include "monitor/monitor_checkpoint.hpp"
#include "output/filter.hpp"
#include "output/record_writer.hpp"
#include "pace/tsc_clock.hpp"
#include "stats/counters.hpp"
#include "stats/rtt_error_stats.hpp"
#include "targets/interval_set.hpp"
#include "targets/ipv6_range_set.hpp"

namespace ics::dpdk {

inline constexpr unsigned tx_burst_max = 64;
inline constexpr unsigned rx_burst = 32;
inline constexpr unsigned record_ring_size = 1 << 16;  // records per RX lcore ring
inline constexpr unsigned arp_ring_size = 256;
inline constexpr unsigned feedback_ring_size = 1 << 16;  // feedback messages per TX lcore

inline constexpr unsigned max_tx_lcores = 64;

// One TX lcore's progress, a line of its own: the positions of its schedule it has sent, stored once
// a burst (scan: what a checkpoint may claim; time-driven plans: a close cursor of the output lcore
// never passes them), and time-driven plans' recent lateness (us; the cursor waits that much
// longer), stored a few times a second.
struct alignas(64) sender_progress {
    std::atomic<uint64_t> positions{0};
    std::atomic<uint64_t> lateness_us{0};
};

struct scan_flags {
    // Written by the control lcore, polled by every other lcore.
    alignas(64) std::atomic<bool> stop_tx{false};
    std::atomic<bool> stop_rx{false};
    std::atomic<uint64_t> send_end_tsc{UINT64_MAX};  // replies after this are "cooldown"
    std::atomic<uint64_t> send_start_tsc{0};         // when the first burst is due (0: not yet)
    // A checkpoint's flush request (its TSC; 0: none yet): the output lcore answers in flushed_at.
    std::atomic<uint64_t> flush_request{0};
    // Written by the output lcore (once per new hit), read by the control lcore.
    alignas(64) std::atomic<uint64_t> hits{0};
    std::atomic<bool> max_results_reached{false};
    std::atomic<bool> output_failed{false};
    // The last flush request served: every record queued before it is in the output file.
    std::atomic<uint64_t> flushed_at{0};
    // A trace's hop journal: its size once that flush (or the last one, at the end) wrote it out.
    std::atomic<uint64_t> journal_bytes{0};
    std::array<sender_progress, max_tx_lcores> senders;
    // Written by each TX or RX lcore once, as it exits; read by the control and output lcores.
    alignas(64) std::atomic<unsigned> tx_running{0};
    std::atomic<unsigned> rx_running{0};
};

// What every TX lcore has, whatever the plan: read-only once launched, but for its send progress.
struct alignas(64) tx_lcore {
    uint16_t port = 0, queue = 0;
    rte_mempool* pool = nullptr;
    const interval_set* sources = nullptr;     // IPv4 runs
    const ipv6_range_set* sources6 = nullptr;  // IPv6 runs
    uint64_t rate = 0;                         // this lcore's share
    uint64_t start_tsc = 0;
    tsc_clock clock;
    bool backoff = true;
    counter_block* counters = nullptr;
    scan_flags* flags = nullptr;
    sender_progress* progress = nullptr;  // time-driven plans: this lcore's, in flags
    // Written by this TX lcore once per burst, read by the control lcore for the status: a line of
    // their own.
    alignas(64) std::atomic<uint64_t> first_tsc{0};
    std::atomic<uint64_t> last_tsc{0};
    std::atomic<uint64_t> max_send_lag{0};  // TSC cycles from a burst's send stamp to its hand-over
};

template <typename Plan>
struct tx_context : tx_lcore {
    explicit tx_context(typename Plan::schedule s) : schedule(std::move(s)) {}
    // A line of its own, past the send progress (a derived class's members would otherwise fill
    // the base's tail padding, beside the progress the control lcore reads).
    alignas(64) const typename Plan::probe* probe = nullptr;
    typename Plan::schedule schedule;  // this lcore's share of the plan; only this lcore touches it
    rte_ring* feedback = nullptr;      // plans with feedback: the consumer end, this lcore
};

struct port_queue {
    uint16_t port = 0, queue = 0;
};

template <typename Probe>
struct alignas(64) rx_context {
    std::vector<port_queue> queues;
    const Probe* probe = nullptr;
    tsc_clock clock;
    std::vector<rx_ring_stamps> rings;  // each queue's kernel stamps (empty: none)
    unsigned stamped_nap_us = 0;        // the nap between empty polls when stamped (0: rx_backoff)
    bool backoff = true;
    rte_ring* records = nullptr;  // producer end: this lcore
    rte_ring* arp = nullptr;      // producer end: this lcore
    counter_block* counters = nullptr;
    scan_flags* flags = nullptr;
};

template <typename Plan>
struct alignas(64) output_context {
    std::vector<rte_ring*> rings;  // consumer ends: the output lcore
    typename Plan::attribution_type* attribution = nullptr;
    const output_filter* filter = nullptr;
    record_writer* writer = nullptr;  // null: no rows (trace mode without --replies-file)
    std::vector<rte_ring*> feedback;  // plans with feedback: producer ends, one ring per TX lcore
    tsc_clock clock;
    uint64_t max_results = 0;
    bool backoff = true;
    unsigned test_nap_us = 0;  // tests only: a nap after each pass that took records (a slow output)
    unsigned senders = 0;      // TX lcores (their progress in flags->senders)
    counter_block* counters = nullptr;
    scan_flags* flags = nullptr;
    monitor_saved* books = nullptr;  // --checkpoint in -M monitor: where a flush copies the books
    // First replies per target by ICMP type and code (type << 4 | code, both < 16): the summary.
    std::array<uint64_t, 256> unique_by_type_code{};
    rtt_error_stats rtt_error;  // every validated reply's RTT error bound
};

}  // namespace ics::dpdk
