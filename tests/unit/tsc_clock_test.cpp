#include "pace/tsc_clock.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(TscClock, ConvertsCyclesToMicrosecondsAndWallTime) {
    tsc_clock c(2'500'000'000, 1000, 1'700'000'000'000'000'000ull);
    EXPECT_EQ(c.elapsed_us(1000), 0u);
    EXPECT_NEAR(double(c.elapsed_us(1000 + 2500000000ull)), 1e6, 1.0);
    EXPECT_NEAR(double(c.elapsed_us(1000 + 2500)), 1.0, 1.0);
    EXPECT_NEAR(double(c.wall_ns(1000 + 2500000000ull) - 1700000000000000000ull), 1e9, 1.0);
    // Ten hours in: no overflow, still microsecond exact to within one.
    uint64_t ten_hours = 2'500'000'000ull * 36000;
    EXPECT_NEAR(double(c.elapsed_us(1000 + ten_hours)), 36e9, 1.0);
    EXPECT_LE(uint32_t(uint32_t(36000000000ull) - c.probe_time_us(1000 + ten_hours)), 1u);
}
