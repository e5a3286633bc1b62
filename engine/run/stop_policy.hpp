// When a run stops sending early and when its cooldown ends: the control lcore's decisions
// (drivers/dpdk/run_control.hpp asks them every 10 ms), apart from DPDK so that each is
// unit-tested. A failed write ends sending first, then a signal, then --max-results, then
// --max-runtime; after a signal or a failed write the cooldown is at most a second (to drain what
// is in flight into the counters and the files that still work), after --max-results none. A
// write that fails during the cooldown cuts it to a second too, and the run fails for it.
#pragma once
#include <algorithm>
#include <cstdint>
#include <optional>

#include "run/run_mode.hpp"

namespace ics {

// What the control lcore sees while probes are still going out.
struct sending_state {
    int signals = 0;                                 // SIGINT/SIGTERM received so far
    bool max_results_reached = false;                // the output lcore wrote -N rows
    uint64_t now = 0, max_runtime_end = UINT64_MAX;  // TSC; -t's end counts from the first probe
    bool output_failed = false;                      // a file the run writes failed
};

// Why sending must end before every probe is out, if it must.
// A failed write outranks the rest: the run then fails (exit 1), and its metadata must say why.
inline std::optional<run_end> early_end(const sending_state& s) {
    if (s.output_failed) return run_end::output_error;
    if (s.signals > 0) return run_end::signal;
    if (s.max_results_reached) return run_end::max_results;
    if (s.now >= s.max_runtime_end) return run_end::max_runtime;
    return std::nullopt;
}

// The cooldown once sending ended for `why`: in full, but at most a second after a signal or a
// failed write and none once --max-results is reached.
inline double cooldown_after(run_end why, double cooldown_s) {
    return why == run_end::signal || why == run_end::output_error ? std::min(cooldown_s, 1.0)
           : why == run_end::max_results                          ? 0.0
                                                                  : cooldown_s;
}

// A write that failed during the cooldown, after sending had ended for another reason: the run
// fails for it (the reason becomes output_error) and the cooldown ends within a second (what is
// left of it, `left_s`, at most 1 s; returned). Nothing once the reason is output_error already.
inline std::optional<double> cooldown_after_failure(bool output_failed, run_end& reason, double left_s) {
    if (!output_failed || reason == run_end::output_error) return std::nullopt;
    reason = run_end::output_error;
    return std::min(left_s, 1.0);
}

// Whether the cooldown ends early: --max-results reached (the reason, if sending completed), or
// a signal that did not already end sending (the reason becomes signal, unless a failed write ended
// sending: the run fails for that). Updates `reason`.
inline bool cooldown_cut(int signals, bool max_results_reached, run_end& reason) {
    if (max_results_reached) {
        if (reason == run_end::completed) reason = run_end::max_results;
        return true;
    }
    if (signals > 0 && reason != run_end::signal) {
        if (reason != run_end::output_error) reason = run_end::signal;
        return true;
    }
    return false;
}

}  // namespace ics
