// The shared send rate and hit rate (stats/rates.hpp).
#include "stats/rates.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(Rates, SendRateCountsIntervalsBetweenProbes) {
    EXPECT_DOUBLE_EQ(send_rate(1001, 1.0), 1000.0);  // 1001 probes, 1000 intervals
    EXPECT_DOUBLE_EQ(send_rate(11, 0.5), 20.0);
    EXPECT_EQ(send_rate(1, 1.0), 0.0);  // one probe spans no interval
    EXPECT_EQ(send_rate(0, 1.0), 0.0);
    EXPECT_EQ(send_rate(1000, 0.0), 0.0);  // no sending time yet
}

TEST(Rates, HitRateIsPerTargetProbed) {
    EXPECT_DOUBLE_EQ(hit_rate_percent(800, 1000), 80.0);
    EXPECT_DOUBLE_EQ(hit_rate_percent(15, 16), 93.75);
    EXPECT_EQ(hit_rate_percent(0, 1000), 0.0);
    EXPECT_EQ(hit_rate_percent(5, 0), 0.0);  // nothing probed yet
}
