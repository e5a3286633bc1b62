// The driver's public face, the only driver header the app includes: the checks of the host the
// app runs before anything starts, and the one entry point, which takes a validated scan_config,
// starts DPDK, the port and the lcores, runs the plan the config names and returns what happened.
// No DPDK type appears here, so the app (and anything else) never includes rte_*.h.
#pragma once
#include <atomic>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "monitor/metrics_snapshot.hpp"
#include "monitor/snapshot_exchange.hpp"
#include "output/status.hpp"
#include "run/scan_config.hpp"
#include "run/scan_report.hpp"
#include "util/result.hpp"

namespace ics::dpdk {

// Start-up checks of the host, each failing with one sentence that names the problem and the fix
// (host_checks.cpp).
status check_interface_exists(const std::string& iface);
// Queues the interface has in both directions (from sysfs; at least 1).
unsigned interface_queue_pairs(const std::string& iface);
// At least `min_free` free 2 MiB pages and a hugetlbfs mount (the tests and benchmarks that boot
// EAL themselves ask for 256, their -m 512, and fall back to --no-huge otherwise).
status check_hugepages(long min_free = 1);
std::vector<unsigned> allowed_cpus();
// --af-xdp: one af_xdp device on each queue of `iface`, since replies may arrive on any of them:
// the TX lcores take the first, the control lcore the next (if one is left), RX polls them all
// (eal_args.cpp).
std::vector<std::string> af_xdp_vdevs(const std::string& iface, unsigned queue_pairs);

// The files a run writes to, owned by the app; the output lcore is the only writer.
struct run_outputs {
    std::FILE* rows = nullptr;   // per-reply rows (scan: -o; trace: --replies-file), if any
    std::string rows_name;       // its name, for the sentence if writing fails
    std::FILE* paths = nullptr;  // the plan's own output at -o: trace's paths, monitor's summaries
    std::FILE* text = nullptr;   // monitor: fping-style lines at the end (stderr unless -q)
    // trace with a checkpoint: its hop journal (trace/hop_journal.hpp), positioned at `journal_size`
    // bytes (a resumed trace's kept bytes; 0: a new one, its magic not written yet).
    std::FILE* journal = nullptr;
    uint64_t journal_size = 0;
};

struct run_hooks {
    // Incremented by the app's signal handler; the scan stops sending once it is non-zero.
    const std::atomic<int>* stop_signals = nullptr;
    // Called about once a second (and once at the end) with the current and previous snapshot;
    // false when a file it writes (-u) failed: the run then stops as on any failed write, and the
    // app names the file.
    std::function<bool(const progress_snapshot& now, const progress_snapshot& prev)> on_progress;
    // Start-up notes worth a line on stderr (the resolved gateway, NUMA placement).
    std::function<void(const std::string&)> on_note;
    // Called once, after the gateway is resolved and just before the first probe is sent: the app
    // opens (truncates) its files only now, so a run that fails before sending touches none. The
    // driver writes nothing before it; an error here ends the run before sending.
    std::function<result<run_outputs>()> open_outputs;
    // --checkpoint: saves a checkpoint's text durably (the rows synced to disk first, then the
    // file replaced atomically); an error ends the run as a failed write.
    std::function<status(const std::string& text)> save_checkpoint;
    // Monitor mode with --prometheus: where the output lcore publishes its snapshots (the app's
    // HTTP endpoint reads them).
    snapshot_exchange<metrics_snapshot>* metrics = nullptr;
};

result<scan_report> run_scan(const scan_config& cfg, const run_hooks& hooks);

}  // namespace ics::dpdk
