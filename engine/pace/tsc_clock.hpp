// Converting TSC readings to the scan's time bases without a syscall: microseconds since the scan
// epoch (what probes carry, 32 bits, wrapping after 71 minutes; RTTs are differences modulo 2^32)
// and wall-clock nanoseconds (what result rows print). The driver reads the TSC; the engine only
// does arithmetic on it.
#pragma once
#include <cstdint>

#include "util/uint128.hpp"

namespace ics {

class tsc_clock {
public:
    tsc_clock() = default;
    tsc_clock(uint64_t tsc_hz, uint64_t epoch_tsc, uint64_t epoch_wall_ns)
        : hz_(tsc_hz),
          epoch_tsc_(epoch_tsc),
          epoch_wall_ns_(epoch_wall_ns),
          us_mult_(uint64_t((uint128(1000000) << 64) / tsc_hz)),
          ns_mult_(uint64_t((uint128(1000000000) << 64) / tsc_hz)) {}

    uint64_t hz() const { return hz_; }
    uint64_t epoch_tsc() const { return epoch_tsc_; }

    uint64_t elapsed_us(uint64_t tsc) const { return scale(tsc - epoch_tsc_, us_mult_); }
    uint32_t probe_time_us(uint64_t tsc) const { return uint32_t(elapsed_us(tsc)); }
    uint64_t wall_ns(uint64_t tsc) const { return epoch_wall_ns_ + scale(tsc - epoch_tsc_, ns_mult_); }
    uint64_t cycles_from_us(uint64_t us) const { return us * hz_ / 1000000; }

private:
    // delta * (units per cycle), the rate held as a 0.64 fixed-point fraction: exact to within
    // one unit after days of cycles. Needs tsc_hz > 10^9 (true of every TSC DPDK runs on).
    static uint64_t scale(uint64_t delta, uint64_t mult) { return uint64_t((uint128)delta * mult >> 64); }
    uint64_t hz_ = 1, epoch_tsc_ = 0, epoch_wall_ns_ = 0, us_mult_ = 0, ns_mult_ = 0;
};

}  // namespace ics
