// What a polling lcore does when a poll finds nothing. Dedicated hosts spin (--busy-poll); by
// default an lcore spins briefly, then sleeps in short, growing naps, so that a scanner sharing a
// small host with other work (here: the testbed's kernel routers on the same two cores) does not
// starve it. The sleep cap bounds the latency added to RX timestamps. Timer slack is set to 1 ns
// per lcore thread so that a 10 us nap is not stretched to the kernel's default 50 us.
#pragma once
#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <cstdint>

#include <rte_pause.h>

namespace ics::dpdk {

class idle_backoff {
public:
    idle_backoff(bool enabled, unsigned max_sleep_us) : enabled_(enabled), max_sleep_us_(max_sleep_us) {}

    static void prepare_thread() { prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); }

    void reset() { idle_polls_ = 0; }

    void idle() {
        if (!enabled_ || ++idle_polls_ < spin_polls) {
            rte_pause();
            return;
        }
        unsigned us = std::min<unsigned>(max_sleep_us_, 1 + (idle_polls_ - spin_polls) / 8);
        nap_ns(uint64_t(us) * 1000);
    }

    static void nap_ns(uint64_t ns) {
        timespec ts{time_t(ns / 1000000000), long(ns % 1000000000)};
        nanosleep(&ts, nullptr);
    }

private:
    static constexpr unsigned spin_polls = 256;
    bool enabled_;
    unsigned max_sleep_us_;
    unsigned idle_polls_ = 0;
};

}  // namespace ics::dpdk
