// Device receive stamps to TSC (pace/device_stamp.hpp): a stamp's age on the wall clock is taken
// off the TSC reading made with it; stamps after the reading or older than 100 ms are refused;
// the arrival found from a stamp gives the RTT within its bound (a microsecond, and 244 ppm of the
// stamp's age), whatever the poll window.
#include "pace/device_stamp.hpp"

#include <random>

#include <gtest/gtest.h>

using namespace ics;

namespace {
constexpr uint64_t hz = 2'500'000'000;  // 2.5 cycles a nanosecond
}

TEST(DeviceStamp, AgeOnTheWallClockIsTakenOffTheTsc) {
    const clock_pair now{10'000'000'000, 1'796'000'000'000'000'000};
    EXPECT_EQ(stamp_tsc(now.wall_ns, now, hz), now.tsc);
    EXPECT_EQ(stamp_tsc(now.wall_ns - 1'000, now, hz), now.tsc - 2'500);           // 1 us old
    EXPECT_EQ(stamp_tsc(now.wall_ns - 4'000'000, now, hz), now.tsc - 10'000'000);  // 4 ms old
    EXPECT_EQ(stamp_tsc(now.wall_ns - max_stamp_age_ns, now, hz), now.tsc - 250'000'000);
}

TEST(DeviceStamp, RefusesStampsAfterTheReadingOrOlderThanTheLimit) {
    const clock_pair now{10'000'000'000, 1'796'000'000'000'000'000};
    EXPECT_EQ(stamp_tsc(now.wall_ns + 1, now, hz), 0u);
    EXPECT_EQ(stamp_tsc(now.wall_ns - max_stamp_age_ns - 1, now, hz), 0u);
    EXPECT_EQ(stamp_tsc(0, now, hz), 0u);  // a wall clock stepped far back
    // An age longer than the TSC has run: no arrival before the TSC's zero.
    EXPECT_EQ(stamp_tsc(now.wall_ns - 50'000'000, clock_pair{1'000, now.wall_ns}, hz), 0u);
}

// Replies sent at random times and stamped after a random RTT (floored to the microsecond, coarser
// than the kernel's nanoseconds), read in a poll whose window opened long before the send and
// closed up to 8 ms after the arrival, with the TSC's frequency off by up to 200 ppm: every estimate is
// within its bound of the true RTT, and the bound is 4 us at most.
TEST(DeviceStamp, RttFromAStampIsWithinItsMicrosecondWhateverTheNap) {
    const uint64_t epoch_tsc = 1'000'000, epoch_wall = 1'796'000'000'000'000'000;
    const tsc_clock clock(hz, epoch_tsc, epoch_wall);
    std::mt19937_64 rng(7);
    for (int i = 0; i < 100'000; ++i) {
        const uint64_t send_tsc = epoch_tsc + rng() % (hz * 3600);  // within the first hour
        const uint64_t rtt_ns = rng() % 300'000'000;                // up to 300 ms
        const uint64_t nap_ns = rng() % 8'000'000;                  // read up to 8 ms later
        const uint64_t arrival_wall = clock.wall_ns(send_tsc) + rtt_ns;
        const uint64_t stamp_ns = arrival_wall / 1000 * 1000;  // microseconds, floored
        const uint64_t read_wall = arrival_wall + nap_ns;
        const uint64_t read_tsc = send_tsc + (rtt_ns + nap_ns) * hz / 1'000'000'000;
        // The clock believes the TSC runs up to 200 ppm faster or slower than it does.
        const uint64_t believed_hz = hz + hz / 5000 * (rng() % 3) - hz / 5000;
        const uint64_t t = stamp_tsc(stamp_ns, clock_pair{read_tsc, read_wall}, believed_hz);
        ASSERT_NE(t, 0u);
        const rtt_estimate e = estimate_rtt<24>(clock.probe_time_us(send_tsc) & 0xffffff,
                                                stamped_arrival(clock, t, read_wall - stamp_ns));
        const double true_us = double(rtt_ns) / 1000;
        ASSERT_FALSE(e.clock_disagrees) << i;
        ASSERT_LE(e.err_us, 4u) << i;
        ASSERT_LE(std::abs(double(e.rtt_us) - true_us), double(e.err_us)) << i << " rtt " << true_us;
    }
}
