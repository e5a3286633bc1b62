// What the monitor's output lcore publishes for Prometheus: plain data, copied into a snapshot once
// per publish and read by the HTTP thread (monitor/snapshot_exchange.hpp hands it over,
// monitor/exposition.hpp prints it). Counters are cumulative since the run started and never go
// down, as Prometheus counters must. RTT histograms use smokeping_prober's default buckets, so its
// dashboards and recording rules read ours unchanged.
#pragma once
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "stats/counters.hpp"

namespace ics {

// smokeping_prober's default buckets (prometheus.ExponentialBuckets(0.00005, 2, 20)): bucket k holds
// RTTs in (50 us * 2^(k-1), 50 us * 2^k], bucket 0 everything up to 50 us, bucket 20 (+Inf) the rest.
inline constexpr unsigned prom_finite_buckets = 20;
inline constexpr unsigned prom_buckets = prom_finite_buckets + 1;
inline constexpr uint32_t prom_first_bound_us = 50;
constexpr uint32_t prom_bucket_bound_us(unsigned k) {
    return prom_first_bound_us << k;
}
// The `le` label of each finite bucket as smokeping_prober prints it (its defaultBuckets string).
inline constexpr std::array<const char*, prom_finite_buckets> prom_bucket_le = {
    "5e-05",  "0.0001", "0.0002", "0.0004", "0.0008", "0.0016", "0.0032", "0.0064", "0.0128",  "0.0256",
    "0.0512", "0.1024", "0.2048", "0.4096", "0.8192", "1.6384", "3.2768", "6.5536", "13.1072", "26.2144"};

// The bucket of an RTT: the smallest k with rtt <= 50 << k, i.e. with ceil(rtt / 50) <= 2^k, which is
// bit_width(ceil(rtt / 50) - 1) (0 for rtt <= 50); k past the last bound is the +Inf bucket. One
// multiply (the division by a constant), one lzcnt and a cmov: no loop, no branch.
constexpr unsigned prom_bucket_of(uint32_t rtt_us) {
    const uint64_t fifties = (uint64_t(rtt_us) + prom_first_bound_us - 1) / prom_first_bound_us;
    const auto k = unsigned(std::bit_width(fifties - (fifties != 0)));
    return std::min(k, prom_finite_buckets);
}

// An RTT histogram in smokeping_prober's buckets: counts per bucket (not cumulative; the exposition
// sums them), their total and the sum of the RTTs in microseconds. Per target with uint32_t counts
// it is 96 bytes (21 counts, the count, the 8-byte sum and alignment): 96 MB for a million targets.
template <typename Count>
struct prom_histogram {
    std::array<Count, prom_buckets> counts{};
    Count count = 0;
    uint64_t sum_us = 0;

    void add(uint32_t rtt_us) {
        ++counts[prom_bucket_of(rtt_us)];
        ++count;
        sum_us += rtt_us;
    }
    // Adds another histogram's figures (a group's histogram from its targets').
    template <typename Other>
    void merge(const prom_histogram<Other>& o) {
        for (unsigned b = 0; b < prom_buckets; ++b) counts[b] += o.counts[b];
        count += o.count;
        sum_us += o.sum_us;
    }
    // Takes away an earlier state of the same histogram (what a resumed run started from).
    template <typename Other>
    void subtract(const prom_histogram<Other>& o) {
        for (unsigned b = 0; b < prom_buckets; ++b) counts[b] -= Count(o.counts[b]);
        count -= Count(o.count);
        sum_us -= o.sum_us;
    }
};
static_assert(sizeof(prom_histogram<uint32_t>) == 96);

// What happened to the probes of a target or a group, cumulative since the run started. A late reply
// (after --timeout) leaves its probe counted lost; duplicates are replies beyond the first.
struct probe_counters {
    uint64_t sent = 0;
    uint64_t received = 0;
    uint64_t lost = 0;
    uint64_t late = 0;
    uint64_t duplicate = 0;
};

struct icmp_error_count {
    uint8_t type = 0;
    uint8_t code = 0;
    uint64_t count = 0;
};

struct group_metrics {
    // The group's labels ready to print, e.g. `pop="ams",customer="42"` (build them with
    // append_prom_label, exposition.hpp, which escapes the values); empty for no labels.
    std::string labels;
    probe_counters counters;
    uint64_t targets = 0;
    uint64_t targets_down = 0;                  // down now (after the run's consecutive-loss threshold)
    std::vector<icmp_error_count> icmp_errors;  // one entry per (type, code) seen, counts cumulative
    prom_histogram<uint64_t> rtt;  // replies in time only (rtt.count runs ahead of counters.received by the
                                   // replies to rounds not yet closed)
};

// One of the targets exported one by one (the --metrics-targets worst).
struct target_metrics {
    uint32_t ip = 0;     // IPv4 address, host byte order
    uint32_t group = 0;  // index into metrics_snapshot::groups
    probe_counters counters;
    // Replies in time only, as smokeping_prober observes them: its rules take _count over
    // smokeping_requests_total as the success ratio.
    prom_histogram<uint32_t> rtt;
    uint64_t rtt_sum_us = 0;  // every accepted reply's RTT, kept with or without --prometheus
};

struct run_metrics {
    uint64_t rounds_closed = 0;
    uint64_t targets = 0;
    uint64_t targets_down = 0;
    uint64_t probes_sent = 0;
    uint64_t send_lateness_max_us = 0;
    uint64_t snapshot_unix_ms = 0;  // when the output lcore took the snapshot (wall clock)
    // Every named counter of the data path (stats/counters.hpp), summed over the lcores.
    counter_totals counters;
    // smokeping_prober's `source` label on the per-target series (its source address) and `tos`.
    std::string source;
    uint8_t tos = 0;
};

struct metrics_snapshot {
    run_metrics run;
    std::vector<group_metrics> groups;
    std::vector<target_metrics> targets;
};

}  // namespace ics
