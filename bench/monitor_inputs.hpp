// What the monitor-mode benchmarks share (engine_bench's BM_MonitorAggregate, dataplane_bench's
// BM_MonitorEndToEnd): a run's config over every target the project's code may name, and the
// process's resident memory, for the bytes a target costs.
//
// Targets: only 198.18.0.0/15 may appear in the project's code, 131,072 addresses, fewer than the
// issue's million (monitor_aggregate_bench.cpp says how it reaches a million's footprint).
#pragma once
#include <cstdint>
#include <cstdio>
#include <utility>

#include "monitor/monitor_targets.hpp"
#include "run/scan_config.hpp"

namespace ics::bench {

inline constexpr uint64_t monitor_period_us = 1000000;   // --period 1s
inline constexpr uint64_t monitor_timeout_us = 1000000;  // --timeout 1s

// -M monitor over 198.18.0.0/15 from -S 198.19.255.1, grouped as the app groups an unlabelled
// target list (by /24: 512 groups), keyed by `seed`. `summary_rounds`: -Q in periods (0: none).
// `prometheus`: --prometheus (its per-target histograms; the address is only read, nothing listens).
inline void monitor_config(scan_config& cfg, uint64_t seed, uint32_t summary_rounds, bool prometheus) {
    const result<monitor_target_list> list =
        parse_monitor_targets("198.18.0.0/15\n", "the benchmark's targets", default_group_by_prefix);
    cfg.targets = list->targets;
    for (const monitor_group& g : list->groups) {
        label_set labels;
        for (const monitor_label& l : g.labels) labels.emplace_back(l.key, l.value);
        cfg.monitor.groups.push_back(std::move(labels));
    }
    cfg.monitor.target_group = list->group_ids();
    cfg.sources = interval_set({{0xc613ff01, 0xc613ff01}});
    cfg.seed = seed;
    cfg.key = {0x1111111111111111ull ^ seed, 0x2222222222222222ull};
    cfg.monitor.period_us = monitor_period_us;
    cfg.monitor.timeout_us = monitor_timeout_us;
    cfg.monitor.summary_us = uint64_t(summary_rounds) * monitor_period_us;
    if (prometheus) cfg.monitor.prometheus = "127.0.0.1:9374";
}

// Resident memory of this process, from /proc/self/statm (0 where it cannot be read).
inline uint64_t resident_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long size = 0, resident = 0;
    const int got = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    return got == 2 ? uint64_t(resident) * 4096 : 0;
}

}  // namespace ics::bench
