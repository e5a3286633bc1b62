// The driver's one entry point. The app hands it a validated scan_config; it starts DPDK, the
// port and the lcores, runs the scan and returns what happened. No DPDK type appears here, so
// the app (and anything else) never includes rte_*.h.
#pragma once
#include <atomic>
#include <cstdio>
#include <functional>
#include <string>

#include "output/status.hpp"
#include "scan/scan_config.hpp"
#include "scan/scan_report.hpp"
#include "util/result.hpp"

namespace ics::dpdk {

// The files a run writes to, owned by the app; the output lcore is the only writer.
struct run_outputs {
    std::FILE* output = nullptr;   // -o: scan rows, or trace paths
    std::FILE* replies = nullptr;  // trace mode's per-reply rows (--replies-file), if given
};

struct run_hooks {
    // Incremented by the app's signal handler; the scan stops sending once it is non-zero.
    const std::atomic<int>* stop_signals = nullptr;
    // Called about once a second (and once at the end) with the current and previous snapshot.
    std::function<void(const progress_snapshot& now, const progress_snapshot& prev)> on_progress;
    // Start-up notes worth a line on stderr (the resolved gateway, NUMA placement).
    std::function<void(const std::string&)> on_note;
    // Called once, after the gateway is resolved and just before the first probe is sent: the app
    // opens (truncates) its files only now, so a run that fails before sending touches none. The
    // driver writes nothing before it; an error here ends the run before sending.
    std::function<result<run_outputs>()> open_outputs;
};

result<scan_report> run_scan(const scan_config& cfg, const run_hooks& hooks);

}  // namespace ics::dpdk
