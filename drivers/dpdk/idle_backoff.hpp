// What a polling lcore does when a poll finds nothing: spin, or nap for as long as the role's
// profile says (pace/backoff_policy.hpp: the policy and why, unit-tested). Timer slack is 1 ns per
// lcore thread so that a 20 us nap is not stretched to 50 us.
#pragma once
#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <cstdint>

#include <rte_pause.h>

#include "pace/backoff_policy.hpp"

namespace ics::dpdk {

class idle_backoff {
public:
    idle_backoff(bool enabled, backoff_profile profile) : enabled_(enabled), p_(profile) {}

    static void prepare_thread() { prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); }

    // Something came: the next idle stretch starts from how long this one napped.
    void reset() {
        if (idle_polls_) first_us_ = first_nap_us(napped_us_);
        idle_polls_ = 0;
        napped_us_ = 0;
    }

    // Returns true when it napped (the caller may use the pause for housekeeping). `stretch_us`:
    // the cooldown's allowance (backoff_policy.hpp).
    bool idle(unsigned stretch_us = 0) {
        const unsigned us = enabled_ ? nap_us(p_, ++idle_polls_, stretch_us, first_us_) : 0;
        if (us == 0) {
            rte_pause();
            return false;
        }
        nap_ns(uint64_t(us) * 1000);
        napped_us_ = std::min(napped_us_ + us, 1u << 30);
        return true;
    }

    static void nap_ns(uint64_t ns) {
        timespec ts{time_t(ns / 1000000000), long(ns % 1000000000)};
        nanosleep(&ts, nullptr);
    }

private:
    bool enabled_;
    backoff_profile p_;
    unsigned idle_polls_ = 0;
    unsigned napped_us_ = 0;  // in this idle stretch
    unsigned first_us_ = 0;   // the first nap of the next stretch (0: the profile's)
};

}  // namespace ics::dpdk
