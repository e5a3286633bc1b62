// What a finished (or stopped) scan reports: the app turns it into the metadata file and the
// closing summary (run/summary.hpp).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/arp.hpp"
#include "net/ip_family.hpp"
#include "run/run_mode.hpp"
#include "stats/counters.hpp"
#include "stats/rates.hpp"
#include "stats/rtt_error_stats.hpp"
#include "trace/path_assembly.hpp"

namespace ics {

// Packets through one DPDK port (a scan over one link's queues has several).
struct port_traffic {
    std::string name;
    uint64_t rx_packets = 0, tx_packets = 0;
    std::vector<uint64_t> rx_queue_packets;  // per RX queue, where the driver counts them
};

// What each TX lcore sent, and each RX queue received (and which RX lcore polled it): the work
// is really shared, not done by one lcore.
struct tx_lcore_traffic {
    unsigned lcore = 0;
    std::string port;
    unsigned queue = 0;
    uint64_t probes_sent = 0;
};
struct rx_queue_traffic {
    std::string port;
    unsigned queue = 0;
    unsigned lcore = 0;
    std::optional<uint64_t> rx_packets;  // none where the driver keeps no per-queue count
};

// Monitor mode's own figures: its books at the end.
struct monitor_figures {
    uint64_t rounds_closed = 0;  // (target, round) pairs counted received or lost
    uint64_t received = 0, lost = 0, late = 0, duplicates = 0;
    uint64_t outages = 0, recoveries = 0;  // down and up events
    uint64_t targets_down = 0;             // at the end
    uint64_t summaries = 0, groups = 0;
};

// Time-driven plans (monitor): how long after its due time each burst left.
struct send_lateness {
    uint64_t bursts = 0;
    double p50_us = 0, p99_us = 0, max_us = 0;
};

struct scan_report {
    counter_totals counters;
    // Targets whose first reply was a success (an Echo Reply); trace mode: targets that sent an Echo
    // Reply at any TTL.
    uint64_t hits = 0;
    uint64_t probes_planned = 0;  // probes the run was to send (trace: or skip)
    // The hit rate's denominator. Scan: targets sent at least one probe (with -P, each round walks
    // every target again). Trace: every target of the trace (each gets a path, probed or not).
    uint64_t targets_probed = 0;
    uint64_t start_wall_ns = 0, send_end_wall_ns = 0, end_wall_ns = 0;
    double send_seconds = 0;  // first probe to last probe
    bool completed = true;    // every planned probe was sent
    run_end stop_reason = run_end::completed;
    mac source_mac{}, gateway_mac{};
    // NIC-level counters (rte_eth_stats)
    uint64_t nic_rx_missed = 0, nic_rx_errors = 0, nic_rx_nombuf = 0, nic_tx_errors = 0;
    std::vector<port_traffic> ports;  // every DPDK port the scan used, in port order
    std::vector<tx_lcore_traffic> tx_lcores;
    std::vector<rx_queue_traffic> rx_queues;
    uint64_t tsc_hz = 0;          // measured against the kernel's clock, what the run converted with
    uint64_t tsc_hz_nominal = 0;  // what the CPU reports (rte_get_tsc_hz)
    bool kernel_stamps = false;   // RX read the kernel's receive stamps (af_packet's rings)
    // First replies per probed target by ICMP type and code: index type << 4 | code (both < 16);
    // of the run's family (ICMPv6's Echo Reply, 129, is kept at type 0, which ICMPv6 leaves unused).
    std::array<uint64_t, 256> unique_by_type_code{};
    ip_family family = ip_family::ipv4;
    rtt_error_stats rtt_error;         // the error bounds of the replies' RTTs (receive side)
    double send_stamp_lag_max_us = 0;  // the longest a burst waited from its send stamp to the NIC
    uint64_t trace_interfaces = 0;     // trace mode: distinct router interfaces that sent Time Exceeded
    // Trace mode: paths written to -o, and how many ended for each reason (index: stop_reason).
    uint64_t paths_written = 0;
    // Empty, or why the results (rows, paths) could not all be written: the run then exits 1,
    // after its metadata is written.
    std::string output_error;
    // --checkpoint: probes of the whole scan (every run of it) whose replies the last checkpoint
    // says are in an output, of all it plans.
    uint64_t checkpoint_covered = 0, checkpoint_planned = 0;
    std::array<uint64_t, stop_reason_count> paths_by_stop_reason{};
    std::optional<monitor_figures> monitor;  // monitor mode
    std::optional<send_lateness> lateness;   // time-driven plans

    uint64_t probes_sent() const { return counters[counter::tx_probes]; }
    // Probes per second from the first probe to the last.
    double achieved_rate() const { return send_rate(probes_sent(), send_seconds); }
    // Hits per target probed, in percent.
    double hit_rate_percent() const { return ics::hit_rate_percent(hits, targets_probed); }
};

}  // namespace ics
