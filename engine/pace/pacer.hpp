// Send pacing on TSC deadlines. The pacer never counts spins: it computes how many probes the
// schedule allows by now, exactly, from the scan start: owed = floor(elapsed * rate / hz) - sent.
// Error does not accumulate, so the achieved rate over a scan is the requested one to within a
// burst whatever the rate.
//
// Bursts: on schedule the sender waits until a whole scheduled burst is owed (1 probe below
// 10 kpps, rate/10000 up to `max_burst` above: a burst never spans more than ~100 us of the
// schedule, so there are no long bursts at low rates, and a device whose TX costs a syscall per
// burst is not called per probe). A sender that fell behind catches up `max_burst` at a time.
#pragma once
#include <algorithm>
#include <cstdint>

#include "util/uint128.hpp"

namespace ics {

class pacer {
public:
    // rate_pps 0 means unpaced (every call allows a full burst).
    pacer(uint64_t tsc_hz, uint64_t rate_pps, uint64_t start_tsc, unsigned max_burst)
        : hz_(tsc_hz),
          rate_(rate_pps),
          start_(start_tsc),
          max_burst_(max_burst),
          burst_(rate_pps == 0 ? max_burst : unsigned(std::clamp<uint64_t>(rate_pps / 10000, 1, max_burst))) {
    }

    unsigned burst() const { return burst_; }
    uint64_t rate() const { return rate_; }

    // How many probes may be sent at `now`: 0 until a scheduled burst is owed, then up to
    // max_burst.
    unsigned allowed(uint64_t now) const {
        if (rate_ == 0) return max_burst_;
        if (now <= start_) return 0;
        uint64_t due = uint64_t((uint128)(now - start_) * rate_ / hz_);
        uint64_t owed = due > sent_ ? due - sent_ : 0;
        if (owed < burst_) return 0;
        return unsigned(std::min<uint64_t>(owed, max_burst_));
    }

    // TSC at which the next scheduled burst falls due (for sleeping until then).
    uint64_t next_due(uint64_t /*now*/) const {
        if (rate_ == 0) return 0;
        // Smallest t with floor(t * rate / hz) >= sent + burst.
        return start_ + uint64_t(((uint128)(sent_ + burst_) * hz_ + rate_ - 1) / rate_);
    }

    void account(unsigned sent) { sent_ += sent; }
    uint64_t sent() const { return sent_; }

private:
    uint64_t hz_, rate_, start_;
    unsigned max_burst_, burst_;
    uint64_t sent_ = 0;
};

// -B/--bandwidth in bits per second to probes per second for frames of `frame_len` bytes: each
// frame occupies frame + FCS (4) + preamble and inter-frame gap (20) on the wire, padded to 64.
inline uint64_t bandwidth_to_rate(uint64_t bits_per_second, unsigned frame_len) {
    unsigned on_wire = std::max(frame_len + 4u, 64u) + 20u;
    return bits_per_second / (uint64_t(on_wire) * 8);
}

}  // namespace ics
