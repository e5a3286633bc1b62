// What a monitor checkpoint keeps (--checkpoint in -M monitor, run/checkpoint.hpp): every target's
// counters and RTT totals (and its Prometheus histogram with --prometheus), every group's ICMP error
// counts and RTT histogram, and the round a resumed run numbers on from. A resumed run starts its
// books there, so fping's final lines, the summaries' counts and the Prometheus counters go on
// from the run before instead of starting at zero.
//
// The table follows the checkpoint's JSON header, one line of whole numbers per target in the
// shard's target order, then one per group:
//   target: sent received lost late duplicates consecutive_lost down_since outages down
//           rtt_min_us rtt_max_us rtt_sum_us [21 bucket counts, count, sum_us (with histograms)]
//   group:  21 bucket counts, count, sum_us, n, then n triples of ICMP type, code, count
// A target's line is 33 bytes at the start, some 55 after a month of 1 s rounds (79 and some 140
// with histograms): a million targets' checkpoint is 35-150 MB (docs/usage.md, measured figures).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "monitor/metrics_snapshot.hpp"
#include "monitor/monitor_settings.hpp"
#include "monitor/target_state.hpp"
#include "util/result.hpp"

namespace ics {

struct saved_group {
    prom_histogram<uint64_t> rtt;
    std::vector<icmp_error_count> errors;
};

struct monitor_saved {
    uint32_t next_round = 0;  // every round before it closed (or never ran) for every target
    uint32_t count = 0;       // --count of the run that wrote it (0: until stopped)
    uint64_t groups_fingerprint = 0;
    std::vector<target_counts> counts;  // by target (this shard's order)
    std::vector<target_totals> totals;
    std::vector<prom_histogram<uint32_t>> histograms;  // by target with --prometheus, else empty
    std::vector<saved_group> groups;
    bool complete() const { return count != 0 && next_round >= count; }
};

// FNV-1a over every group's labels and every target's group: the same grouping, the same print.
uint64_t groups_fingerprint(const monitor_settings& s);

// The table (one line a target, then one a group), appended to the checkpoint's header.
void append_monitor_table(std::string& out, const monitor_saved& m);
// Reads the table into `m`, whose next_round, count and sizes the header gave (m.counts.size()
// targets, m.groups.size() groups, histograms when m.histograms is non-empty). False when the
// text is not exactly that table or its numbers cannot be (sent != received + lost, a histogram's
// count not its buckets' sum, a round past next_round, a target down without an outage, a type or
// code over 255).
bool parse_monitor_table(std::string_view text, monitor_saved& m);

}  // namespace ics
