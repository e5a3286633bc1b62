// What -M monitor is asked to do (the config's monitor part): the period and rounds of the
// schedule, when a probe counts as lost, how often targets are summarised, when a target is down,
// and how targets are grouped for aggregation and for Prometheus.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ics {

// A group's labels, sorted by key: from the target file's `key=value` words, or one `prefix`
// label when targets are grouped by --group-by.
using label_set = std::vector<std::pair<std::string, std::string>>;

struct monitor_settings {
    uint64_t period_us = 1000000;        // --period: each target once per period
    uint32_t count = 0;                  // --count: rounds (0: until stopped)
    uint64_t timeout_us = 1000000;       // --timeout: a reply after it is late, and its probe lost
    uint64_t summary_us = 0;             // -Q: a summary per target this often (0: one, at the end)
    uint32_t down_after = 3;             // --down-after: consecutive losses that make an outage
    uint32_t metrics_targets = 1000;     // --metrics-targets: per-target series, the worst first
    std::string prometheus;              // --prometheus ADDR:PORT ("": no endpoint)
    unsigned group_by = 24;              // --group-by: prefix length grouping unlabelled targets
    std::vector<label_set> groups;       // group id -> labels
    std::vector<uint32_t> target_group;  // target index (address order) -> group id

    // Rounds per summary (0: a single summary at the end).
    uint32_t summary_rounds() const {
        return summary_us ? uint32_t(std::max<uint64_t>(1, summary_us / period_us)) : 0;
    }
};

// How long after a probe's due time its round closes on the output lcore: the timeout, plus a
// margin for the way from the wire to the output lcore (rings, bursts) and a sender's lateness.
inline constexpr uint64_t monitor_close_margin_us = 50000;

}  // namespace ics
