// What a mode is: a plan, a bundle of types and static functions chosen once at start-up, that the
// driver's generic lcore loops are compiled against (drivers/dpdk/run_plan.cpp, run_lcores.hpp). The driver
// asks a plan these questions and nothing else, so a new mode is a new plan, not a branch in the loops:
//
//   probe          how a probe is built and how a reply becomes a record (probe/*.hpp; the reply
//                  decoding itself is shared by every mode: reply/echo_match.hpp)
//   schedule       what one TX lcore sends next: next(probe_batch&, n) -> positions consumed (0:
//                  done), with take_feedback / pause hooks the TX loop calls only where the plan
//                  declares them (compile time)
//   attribution    what the output lcore does with a record before the shared row writer: whether
//                  it repeats an earlier one, whether it is a new hit, and the feedback it makes
//   feedback       the message type from the output lcore to the TX schedules, or no_feedback
//   finish()       what the plan writes once every lcore has stopped (trace: the paths)
//   probes_planned / targets_probed / permutation_domain: the run's size, for the status and report
//
// The run ends the same way for every plan (every planned probe sent, then the cooldown, or a limit
// or signal first); monitor's schedule is done after --count rounds, or never (0 probes planned).
#pragma once
#include <cstdint>
#include <cstdio>
#include <span>

#include <type_traits>

#include "reply/result_record.hpp"
#include "stats/counters.hpp"

namespace ics {

// What the output lcore learns of a record from the plan's attribution.
struct attribution {
    bool repeat = false;    // an earlier record answered the same probe slot (target; trace: target, TTL)
    bool new_hit = false;   // the first success of its target
    unsigned feedback = 0;  // feedback messages written for the TX lcores (plans with feedback only)
};

// The most feedback messages an attribution writes for one record.
inline constexpr unsigned max_feedback_per_record = 2;

// A plan whose TX schedules learn from the replies names its message type as Plan::feedback (a
// trivially copyable struct, a multiple of 4 bytes: rte_ring elements); the loops then carry one
// SP/SC ring of those per TX lcore. Plans without feedback name this.
struct no_feedback {};
template <typename Plan>
inline constexpr bool has_feedback = !std::is_same_v<typename Plan::feedback, no_feedback>;

// A schedule that says itself what is due by a time (monitor mode), instead of handing out what
// the pacer allows: next(probe_batch&, n, now_us) -> monitor_step. The TX loop then waits for its
// due times and measures how late each burst leaves; the output lcore's attribution gets a
// tick(clock) to act on time passing (closing rounds).
template <typename Schedule>
inline constexpr bool is_time_driven = requires {
    requires Schedule::time_driven;
};

// Where the output lcore is in time, for an attribution's tick(): microseconds since the send
// start (the time-driven schedules' own clock).
struct plan_clock {
    uint64_t now_us = 0;
    uint64_t send_end_us = UINT64_MAX;  // sending ended here (a stop, or the last round)
    uint64_t start_wall_ns = 0;         // the send start's wall time
    uint64_t lateness_us = 0;           // the senders' recent lateness (the largest)
    // Each sender's positions sent so far: nothing past them closes (empty: no such limit).
    std::span<const uint64_t> sent;
};

}  // namespace ics
