// The live status line (stderr, once a second) and the -u status-update rows, from two snapshots
// of the summed counters. Formatting only: the driver takes the snapshots.
#pragma once
#include <cstdint>
#include <string>

#include "stats/counters.hpp"

namespace ics {

// How full the run's buffers are at a snapshot, read by the control lcore once a second
// (rte_mempool_avail_count, rte_ring_count: no work on the data path). Summed over the ports'
// mempools and over the rings of each kind; a ring kind the run does not have reads 0. A soak
// shows with them that nothing leaks (mempool_free back at its level) and nothing backs up.
struct buffer_levels {
    uint64_t mempool_free = 0;         // mbufs free in the pools, per-lcore caches included
    uint64_t mempool_size = 0;         // mbufs the pools hold in all
    uint64_t record_ring_depth = 0;    // records waiting for the output lcore
    uint64_t arp_ring_depth = 0;       // ARP frames waiting for the control lcore
    uint64_t feedback_ring_depth = 0;  // trace: feedback messages waiting for the TX lcores
};

struct progress_snapshot {
    double elapsed_s = 0;  // since the run started
    // Time spent sending: from the first probe to now, or to the last probe once sending ended.
    // The average send rate is taken over it, so that a cooldown does not dilute it.
    double send_s = 0;
    uint64_t wall_ns = 0;         // Unix time of the snapshot
    uint64_t sent = 0;            // probes sent so far
    uint64_t skipped = 0;         // trace: probes not sent because the stop set made them useless
    uint64_t to_send = 0;         // probes the run will send or skip in all
    uint64_t received = 0;        // validated replies
    uint64_t hits = 0;            // targets whose first reply was a success (Echo Reply)
    uint64_t targets = 0;         // the hit rate's denominator: targets probed so far (trace: all)
    uint64_t dropped = 0;         // every drop: the sum of the next three
    uint64_t nic_missed = 0;      // the NIC's imissed: RX descriptors were full
    uint64_t nic_no_mbuf = 0;     // the NIC's rx_nombuf: the mempool had no mbuf for a frame
    uint64_t ring_full = 0;       // validated replies (and ARP frames) the rings had no room for
    uint64_t tx_alloc_waits = 0;  // TX bursts delayed by an empty mempool (nothing lost)
    bool sending = true;          // false during cooldown
    double cooldown_left_s = 0;
    buffer_levels levels;
    counter_totals counters;  // every counter, summed over the lcores
};

// " 0:05 45% (0:06 left); send: 45000 10.00 Kp/s (9.98 Kp/s avg); recv: 1200 ...; hitrate: 2.67% (1200
// of 45000 targets up)"; after sending, ZMap's "send: 45000 done (9.98 Kp/s avg)". The times left
// are rounded up, as ZMap does.
std::string format_status_line(const progress_snapshot& now, const progress_snapshot& prev);

// True when nothing counted changed between the two (only the time did; every counter compared):
// the run's last snapshot is then not worth a line or a row of its own.
bool same_counts(const progress_snapshot& a, const progress_snapshot& b);

// -u rows: a header and one CSV row per snapshot (once a second, and a last one at the end), with
// ZMap's column names (underscored) in ZMap's order. real_time (Unix seconds) and time_elapsed are
// given to the millisecond, so the last row, taken less than a second after the one before, has its
// own time. Ours follow ZMap's: the NIC's two losses (nic_missed, nic_no_mbuf), the buffer levels
// (buffer_levels' names), then every counter of stats/counters.hpp under its own name, in the
// list's order (so a counter added there gets its column here).
std::string status_update_header();
std::string format_status_update(const progress_snapshot& now, const progress_snapshot& prev);

// "1.23 Mp/s" style rate.
std::string format_rate(double per_second);

}  // namespace ics
