// The registry of modes: the one place that maps a run's mode (and, in scan mode, its probe type)
// to a plan type. The driver instantiates its loops once per plan reachable from here, so adding a
// mode is one plan header and one case below (docs/design.md, "Adding a mode").
#pragma once
#include <type_traits>

#include "modes/monitor_mode.hpp"
#include "modes/scan_mode.hpp"
#include "modes/trace_mode.hpp"
#include "probe/probe_types.hpp"
#include "run/scan_config.hpp"

namespace ics {

// Calls f(std::type_identity<Plan>{}) for the plan `cfg` asks for; false if its probe type is unknown.
template <typename F>
bool with_plan(const scan_config& cfg, F&& f) {
    switch (cfg.mode) {
        case run_mode::scan:
            return with_probe_type(cfg.probe_type, [&](auto probe) {
                f(std::type_identity<scan_mode<typename decltype(probe)::type>>{});
            });
        case run_mode::trace:
            f(std::type_identity<trace_mode>{});
            return true;
        case run_mode::monitor:
            f(std::type_identity<monitor_mode>{});
            return true;
    }
    return false;
}

// The run's size for this shard, all TX lcores together: targets per round, probes to send.
struct plan_size {
    uint64_t targets = 0, probes = 0;
};
inline plan_size size_of_plan(const scan_config& cfg) {
    plan_size s;
    with_plan(cfg, [&](auto plan) {
        using Plan = typename decltype(plan)::type;
        s.probes = Plan::probes_planned(cfg, cfg.slice(0, 1));
        s.targets = Plan::targets_in_shard(cfg);
    });
    return s;
}

}  // namespace ics
