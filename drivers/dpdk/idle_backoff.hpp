// What a polling lcore does when a poll finds nothing. Dedicated hosts spin (--busy-poll). By
// default an lcore spins a few polls, then naps in short, growing naps, so that a scanner sharing a
// small host with other work (here: the testbed's kernel routers on the same two cores) does not
// starve it. Each role has its own profile: RX spins briefly and naps at most 10 us, since the
// nap bounds the latency added to RX timestamps; the output lcore never spins and naps 200 us,
// since its records carry their timestamps and its ring holds 64k of them. Measured on this
// 2-core machine at 100 kpps through the testbed: with RX-like spinning on the output lcore too,
// the TX lcore waited up to 194 ms on the run queue and the achieved rate fell to 69-92 kpps.
// Timer slack is set to 1 ns per lcore thread so that a 10 us nap is not stretched to 50 us.
#pragma once
#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <cstdint>

#include <rte_pause.h>

namespace ics::dpdk {

struct backoff_profile {
    unsigned spin_polls;  // empty polls spent spinning before the first nap
    unsigned min_nap_us;  // first nap
    unsigned max_nap_us;  // naps grow by 1 us every 8 empty polls up to this
};
inline constexpr backoff_profile rx_backoff{64, 1, 10};
inline constexpr backoff_profile output_backoff{0, 200, 200};

class idle_backoff {
public:
    idle_backoff(bool enabled, backoff_profile profile) : enabled_(enabled), p_(profile) {}

    static void prepare_thread() { prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); }

    void reset() { idle_polls_ = 0; }

    // Returns true when it napped (the caller may use the pause for housekeeping).
    bool idle() {
        if (!enabled_ || idle_polls_++ < p_.spin_polls) {
            rte_pause();
            return false;
        }
        unsigned us = std::min(p_.max_nap_us, p_.min_nap_us + (idle_polls_ - p_.spin_polls) / 8);
        nap_ns(uint64_t(us) * 1000);
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
};

}  // namespace ics::dpdk
