// The live status line (stderr, once a second) and the -u status-update rows, from two snapshots
// of the summed counters. Formatting only: the driver takes the snapshots.
#pragma once
#include <cstdint>
#include <string>

namespace ics {

struct progress_snapshot {
    double elapsed_s = 0;
    uint64_t sent = 0;            // probes sent so far
    uint64_t to_send = 0;         // probes the scan will send in all
    uint64_t received = 0;        // validated replies
    uint64_t hits = 0;            // unique successful targets
    uint64_t dropped = 0;         // every drop: the sum of the next three
    uint64_t nic_missed = 0;      // the NIC's imissed: RX descriptors were full
    uint64_t nic_no_mbuf = 0;     // the NIC's rx_nombuf: the mempool had no mbuf for a frame
    uint64_t ring_full = 0;       // validated replies (and ARP frames) the rings had no room for
    uint64_t tx_alloc_waits = 0;  // TX bursts delayed by an empty mempool (nothing lost)
    bool sending = true;          // false during cooldown
    double cooldown_left_s = 0;
};

// " 0:05 45% (0:06 left); send: 45000 10.0 Kp/s (9.98 Kp/s avg); recv: 1200 ...; hitrate: 2.67%"
std::string format_status_line(const progress_snapshot& now, const progress_snapshot& prev);

// -u rows: a header and one CSV row per second, with ZMap's column names (underscored).
std::string status_update_header();
std::string format_status_update(const progress_snapshot& now, const progress_snapshot& prev,
                                 uint64_t wall_seconds);

// "1.23 Mp/s" style rate.
std::string format_rate(double per_second);

}  // namespace ics
