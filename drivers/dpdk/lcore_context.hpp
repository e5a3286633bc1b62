// What each lcore is given: read-only set-up, its own counter block, its own queue and ring ends,
// and the few flags the control lcore uses to stop it. One owner per queue and per ring end.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "dedup/seen_bitmap.hpp"
#include "output/filter.hpp"
#include "output/record_writer.hpp"
#include "pace/tsc_clock.hpp"
#include "stats/counters.hpp"
#include "stats/rtt_error_stats.hpp"
#include "targets/interval_set.hpp"
#include "targets/permutation.hpp"
#include "targets/target_walk.hpp"
#include "trace/trace_collector.hpp"

namespace ics::dpdk {

inline constexpr unsigned tx_burst_max = 64;
inline constexpr unsigned rx_burst = 32;
inline constexpr unsigned record_ring_size = 1 << 16;  // records per RX lcore ring
inline constexpr unsigned arp_ring_size = 256;
inline constexpr unsigned feedback_ring_size = 1 << 16;  // trace feedback messages per TX lcore

// Written by the control lcore, read by the others (and the reverse for the *_done flags).
struct alignas(64) scan_flags {
    std::atomic<bool> stop_tx{false};
    std::atomic<bool> stop_rx{false};
    std::atomic<unsigned> tx_running{0};
    std::atomic<unsigned> rx_running{0};
    std::atomic<uint64_t> send_end_tsc{UINT64_MAX};  // replies after this are "cooldown"
    std::atomic<uint64_t> hits{0};                   // output lcore: unique successes
    std::atomic<bool> max_results_reached{false};
    std::atomic<bool> output_failed{false};
};

// What every TX lcore has, whatever the mode.
struct tx_lcore {
    uint16_t port = 0, queue = 0;
    rte_mempool* pool = nullptr;
    const interval_set* targets = nullptr;
    const interval_set* sources = nullptr;
    const permutation* perm = nullptr;
    walk_slice slice;
    uint64_t rate = 0;  // this lcore's share
    uint64_t start_tsc = 0;
    tsc_clock clock;
    bool backoff = true;
    counter_block* counters = nullptr;
    scan_flags* flags = nullptr;
    std::atomic<uint64_t> first_tsc{0}, last_tsc{0};
    std::atomic<uint64_t> max_send_lag{0};  // TSC cycles from a burst's send stamp to its hand-over
};

template <typename Probe>
struct tx_context : tx_lcore {
    const Probe* probe = nullptr;
    uint64_t limit = 0;
    uint32_t rounds = 1;
};

struct port_queue {
    uint16_t port = 0, queue = 0;
};

template <typename Probe>
struct rx_context {
    std::vector<port_queue> queues;
    const Probe* probe = nullptr;
    tsc_clock clock;
    bool backoff = true;
    rte_ring* records = nullptr;  // producer end: this lcore
    rte_ring* arp = nullptr;      // producer end: this lcore
    counter_block* counters = nullptr;
    scan_flags* flags = nullptr;
};

struct output_context {
    std::vector<rte_ring*> rings;  // consumer ends: the output lcore
    const interval_set* targets = nullptr;
    seen_bitmap* seen = nullptr;
    const output_filter* filter = nullptr;
    record_writer* writer = nullptr;   // null: no rows (trace mode without --replies-file)
    trace_collector* trace = nullptr;  // trace mode: attribution, paths and feedback
    std::vector<rte_ring*> feedback;   // trace mode: producer ends, one ring per TX lcore
    tsc_clock clock;
    uint64_t max_results = 0;
    bool backoff = true;
    counter_block* counters = nullptr;
    scan_flags* flags = nullptr;
    // First replies per target by ICMP type and code (type << 4 | code, both < 16): the summary.
    std::array<uint64_t, 256> unique_by_type_code{};
    rtt_error_stats rtt_error;  // every validated reply's RTT error bound
};

int output_loop(output_context& ctx);

}  // namespace ics::dpdk
