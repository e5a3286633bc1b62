// Receive stamps that the kernel (or a device) took when a frame arrived, turned into the TSC the
// rest of the RX path uses. The kernel writes one into each frame's header in an af_packet ring:
// its wall clock at arrival, in nanoseconds (drivers/dpdk/rx_stamps.hpp reads it). With it a
// reply's RTT no longer depends on how long the RX lcore napped (its poll window,
// pace/arrival_window.hpp), so RX may nap milliseconds.
//
// A wall-clock reading and a TSC reading taken together after each poll that returned frames
// anchor the conversion: a stamp's age (a few milliseconds: the RX nap) is measured on the wall
// clock and taken off the TSC reading, so the clocks' rates (the TSC's measured frequency, NTP's
// slewing: a few hundred ppm at most) matter only over that age: the arrival's window widens by
// 1/4096 of it (244 ppm) either way. A stamp after the reading, or older than max_stamp_age_ns (a
// stalled RX lcore, or a wall clock stepped back), is refused: the frame keeps its poll window and
// is counted. A forward step of the wall clock shorter than that makes a reply look early: at
// worst before its send stamp, which is flagged (clock_disagrees).
#pragma once
#include <cstdint>

#include "pace/arrival_window.hpp"
#include "pace/tsc_clock.hpp"

namespace ics {

struct clock_pair {
    uint64_t tsc = 0;
    uint64_t wall_ns = 0;
};

inline constexpr uint64_t max_stamp_age_ns = 100'000'000;

// The TSC when the frame stamped `stamp_ns` (wall clock) arrived, or 0 when the stamp is refused.
inline uint64_t stamp_tsc(uint64_t stamp_ns, clock_pair now, uint64_t tsc_hz) {
    if (stamp_ns > now.wall_ns || now.wall_ns - stamp_ns > max_stamp_age_ns) return 0;
    // age <= 10^8 ns and tsc_hz < 1.8 * 10^11: the product fits in 64 bits.
    const uint64_t age_cycles = (now.wall_ns - stamp_ns) * tsc_hz / 1'000'000'000;
    return age_cycles < now.tsc ? now.tsc - age_cycles : 0;
}

// The arrival of a stamped frame in the probes' microsecond clock: the stamp's microsecond and the
// next (a stamp in microseconds is a floor), widened either way by the rates' allowance over its
// age (`age_ns`: how long before the clock reading it was stamped; 1 us per 4.096 ms, rounded up).
inline arrival_us stamped_arrival(const tsc_clock& clock, uint64_t arrival_tsc, uint64_t age_ns) {
    const uint32_t us = clock.probe_time_us(arrival_tsc);
    const auto allowance = uint32_t((age_ns / 1000 + 4095) / 4096);
    return {us - allowance, us + 1 + allowance};
}

}  // namespace ics
