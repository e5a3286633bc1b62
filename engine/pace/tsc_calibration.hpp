// The TSC's frequency measured against the kernel's clock, rather than taken from what the CPU
// reports. DPDK's rte_get_tsc_hz() reads the nominal frequency (CPUID), and on virtual machines the
// nominal and the real can differ: 2.100 GHz reported against 2.096 GHz counted is 0.19 %, which
// makes a 20 ms RTT read 38 us short and a day of TSC-derived wall time 2.7 minutes off. Two
// readings of both clocks some tens of milliseconds apart measure it to a few parts per million.
// The driver reads the clocks; this is the arithmetic and the choice of reading.
#pragma once
#include <cstdint>

#include "util/uint128.hpp"

namespace ics {

// A TSC reading and a kernel clock's (in nanoseconds) taken together.
struct tsc_ns_reading {
    uint64_t tsc = 0;
    uint64_t ns = 0;
};

// Both clocks read as nearly together as the machine allows: the kernel clock bracketed by two TSC
// readings, the narrowest bracket of `tries` kept (a preemption between the readings widens it), and
// the TSC taken at the bracket's middle. `read_tsc` and `read_ns` are the clocks.
template <typename ReadTsc, typename ReadNs>
tsc_ns_reading paired_reading(ReadTsc&& read_tsc, ReadNs&& read_ns, unsigned tries = 16) {
    tsc_ns_reading best;
    uint64_t best_width = UINT64_MAX;
    for (unsigned i = 0; i < tries; ++i) {
        const uint64_t before = read_tsc();
        const uint64_t ns = read_ns();
        const uint64_t after = read_tsc();
        if (after - before < best_width) {
            best_width = after - before;
            best = {before + (after - before) / 2, ns};
        }
    }
    return best;
}

// The TSC's cycles per second between two paired readings, or 0 when they do not span time.
inline uint64_t tsc_hz_between(tsc_ns_reading first, tsc_ns_reading second) {
    if (second.ns <= first.ns || second.tsc <= first.tsc) return 0;
    return uint64_t(uint128(second.tsc - first.tsc) * 1'000'000'000 / (second.ns - first.ns));
}

}  // namespace ics
