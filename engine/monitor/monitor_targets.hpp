// The monitor's target file: one target spec per line (address, CIDR or first-last range, as
// target_spec.hpp reads them) with optional Prometheus labels after it, and the grouping of the
// targets that the exporter aggregates over:
//
//     198.18.4.0/24            pop=ams customer=42   # one group: customer="42",pop="ams"
//     198.18.9.1-198.18.9.20   customer=42 pop=ams   # the same label set, so the same group
//     192.0.2.0/25                                   # no labels: grouped by --group-by
//
// Targets of a line without labels fall in the group of their /N prefix (--group-by, 8..32), named
// prefix="192.0.2.0/24". Lines with the same label set (same keys and values, in any order) share a
// group. A label set that equals a prefix group's ({prefix="192.0.2.0/24"} written by hand) is that
// group: distinct groups always print distinct label strings, so no two series collide. Each
// address belongs to one line only (overlapping lines are an error naming both), hence to exactly
// one group. Groups are bounded (max_monitor_groups) because each is a set of Prometheus series.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "targets/interval_set.hpp"
#include "util/result.hpp"

namespace ics {

inline constexpr unsigned max_labels_per_line = 16;
inline constexpr size_t max_monitor_groups = 100'000;
inline constexpr unsigned default_group_by_prefix = 24;
inline constexpr unsigned min_group_by_prefix = 8;

// Label names the exporter sets itself (smokeping_prober's host/ip, histogram and summary labels,
// its own group/ICMP-error labels): a user label of one of these names would clash with them.
inline constexpr std::array<std::string_view, 8> exporter_label_names = {
    "host", "ip", "source", "le", "group", "type", "code", "quantile"};

struct monitor_label {
    std::string key;
    std::string value;
    bool operator==(const monitor_label&) const = default;
};

struct monitor_group {
    std::vector<monitor_label> labels;  // sorted by key; {prefix, "198.18.4.0/24"} for a prefix group
    // Ready to print between the braces of a series: customer="42",pop="ams". Values hold no '"',
    // '\\' or newline (the parser refuses them), so nothing needs escaping.
    std::string prometheus_labels;
    uint64_t target_count = 0;
};

// From target index first_target on (up to the next run's), targets belong to `group`.
struct monitor_group_run {
    uint64_t first_target = 0;
    uint32_t group = 0;
};

struct monitor_target_list {
    interval_set targets;                 // every address, in address order (index_of gives the index)
    std::vector<monitor_group> groups;    // numbered by their first target in address order
    std::vector<monitor_group_run> runs;  // sorted by first_target, first one at 0, neighbours differ

    // The group of targets.at(target_index); target_index < targets.size(). A binary search over
    // the runs: 16 bytes a run, at most one per line plus one per /N prefix of an unlabelled line,
    // so memory grows with the file and the groups, not with the addresses (a labelled /8 is one run).
    uint32_t group_of(uint64_t target_index) const;

    // One group id per target, by target index: 4 bytes per target (1 M targets: 4 MB), for the
    // output lcore, where a lookup must be one load. targets.size() entries (the caller bounds it).
    std::vector<uint32_t> group_ids() const;
};

// `origin` names the text in errors ("target file 'x.txt'"): "<origin> line N: <what and the fix>".
// group_by_prefix is --group-by's length, 8..32. max_groups is the cap on groups: the scanner's is
// max_monitor_groups; the fuzz target passes a smaller one, so that the same code (the cap met on
// the way, lists just under it) runs in milliseconds, not a second, per input.
result<monitor_target_list> parse_monitor_targets(std::string_view text, std::string_view origin,
                                                  unsigned group_by_prefix,
                                                  size_t max_groups = max_monitor_groups);

// The file at `path`, read whole, parsed as above with origin "target file '<path>'".
result<monitor_target_list> read_monitor_target_file(const std::string& path, unsigned group_by_prefix);

}  // namespace ics
