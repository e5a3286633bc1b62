// The kernel's clocks a run anchors the TSC to: the wall clock (rows' timestamps) and the raw
// monotonic clock (the TSC's measured frequency, pace/tsc_calibration.hpp).
#pragma once
#include <time.h>

#include <cstdint>

#include <rte_cycles.h>

#include "pace/tsc_calibration.hpp"

namespace ics::dpdk {

inline uint64_t clock_ns(clockid_t id) {
    timespec ts{};
    if (clock_gettime(id, &ts) != 0) return 0;  // clocks every Linux has: not expected
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// The wall clock, in nanoseconds since the Unix epoch: the TSC clock's anchor.
inline uint64_t wall_now_ns() {
    return clock_ns(CLOCK_REALTIME);
}

// The TSC's frequency counted against CLOCK_MONOTONIC_RAW (which NTP does not slew) over at least
// `span_ms` (a signal that cuts a nap short only adds one), or DPDK's nominal one should the count
// fail. 50 ms measure it to a few ppm.
inline uint64_t measured_tsc_hz(unsigned span_ms = 50) {
    auto reading = [] { return paired_reading(rte_rdtsc, [] { return clock_ns(CLOCK_MONOTONIC_RAW); }); };
    const tsc_ns_reading first = reading();
    const uint64_t until = first.ns + uint64_t(span_ms) * 1000000;
    for (uint64_t now = first.ns; now && now < until; now = clock_ns(CLOCK_MONOTONIC_RAW)) {
        const uint64_t left = until - now;
        const timespec nap{time_t(left / 1000000000), long(left % 1000000000)};
        nanosleep(&nap, nullptr);
    }
    const uint64_t hz = tsc_hz_between(first, reading());
    return hz ? hz : rte_get_tsc_hz();
}

}  // namespace ics::dpdk
