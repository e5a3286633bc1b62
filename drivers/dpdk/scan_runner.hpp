// The driver's one entry point. The app hands it a validated scan_config; it starts DPDK, the
// port and the lcores, runs the scan and returns what happened. No DPDK type appears here, so
// the app (and anything else) never includes rte_*.h.
#pragma once
#include <atomic>
#include <functional>
#include <string>

#include "output/status.hpp"
#include "scan/scan_config.hpp"
#include "scan/scan_report.hpp"
#include "util/result.hpp"

namespace ics::dpdk {

struct run_hooks {
    // Incremented by the app's signal handler; the scan stops sending once it is non-zero.
    const std::atomic<int>* stop_signals = nullptr;
    // Called about once a second (and once at the end) with the current and previous snapshot.
    std::function<void(const progress_snapshot& now, const progress_snapshot& prev)> on_progress;
    // Start-up notes worth a line on stderr (the resolved gateway, NUMA placement).
    std::function<void(const std::string&)> on_note;
};

result<scan_report> run_scan(const scan_config& cfg, const run_hooks& hooks);

}  // namespace ics::dpdk
