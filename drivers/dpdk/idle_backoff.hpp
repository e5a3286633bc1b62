// What a polling lcore does when a poll finds nothing. Dedicated hosts spin (--busy-poll). By
// default an lcore spins a few polls, then naps, so that a scanner sharing a small host with other
// work (here: the testbed's kernel routers on the same two cores) does not starve it. Each role has
// its own profile:
// - RX spins 8 polls, then naps 20 us. A nap bounds the error of RX timestamps; since replies are
//   stamped with the midpoint of the gap between polls (pace/arrival_estimate.hpp), a 20 us nap
//   errs by about 10 us, as 10 us naps did when replies were stamped with the poll's time, with half
//   the wake-ups. Measured at 100 kpps through the testbed (32,768 probes): the RX lcore's CPU time
//   went from 0.29 to 0.20 s; the kernel's forwarding runs in whichever thread is on the CPU, so
//   every wake-up also collects some of it.
// - The output lcore never spins and naps 1 ms: its records carry their timestamps, and its 64k
//   ring fills in 1 ms only above 65 M replies/s, over three times one RX lcore's rate.
// Measured on this 2-core machine at 100 kpps through the testbed: with RX-like spinning on the
// output lcore too, the TX lcore waited up to 194 ms on the run queue and the achieved rate fell to
// 69-92 kpps. Timer slack is set to 1 ns per lcore thread so that a 20 us nap is not stretched to
// 50 us. Once sending has ended, a reply that arrives t after the last probe has an RTT of at least
// t, so RX may nap up to 1 % of t (at most 1 ms): the cooldown then costs little CPU (a 2 s cooldown
// went from 1.3 CPU seconds to about 0.1) and no timestamp moves by more than 1 % of its RTT.
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
    unsigned max_nap_us;  // naps grow by growth_us every 8 empty polls up to this
    unsigned growth_us;
};
inline constexpr backoff_profile rx_backoff{8, 20, 20, 0};
inline constexpr backoff_profile output_backoff{0, 1000, 1000, 0};

class idle_backoff {
public:
    idle_backoff(bool enabled, backoff_profile profile) : enabled_(enabled), p_(profile) {}

    static void prepare_thread() { prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); }

    void reset() { idle_polls_ = 0; }

    // Returns true when it napped (the caller may use the pause for housekeeping). A nap may be
    // stretched up to `max_nap_us` (for the cooldown, see above).
    bool idle(unsigned max_nap_us = 0) {
        if (!enabled_ || idle_polls_++ < p_.spin_polls) {
            rte_pause();
            return false;
        }
        const unsigned cap = std::max(p_.max_nap_us, max_nap_us);
        unsigned us = std::min(cap, p_.min_nap_us + (idle_polls_ - p_.spin_polls) / 8 * p_.growth_us);
        nap_ns(uint64_t(us) * 1000);
        return true;
    }

    // The longest nap that keeps timestamps within 1 % of the RTT, `since_send_end_us` after the
    // last probe left (0 while sending), capped at 1 ms.
    static unsigned cooldown_nap_us(uint64_t since_send_end_us) {
        return unsigned(std::min<uint64_t>(since_send_end_us / 100, 1000));
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
