// The RTT error summary of the metadata (stats/rtt_error_stats.hpp): count, maximum, mean and a
// power-of-two upper bound for a share of the replies, merged across lcores.
#include "stats/rtt_error_stats.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(RttErrorStats, EmptyReportsZeros) {
    rtt_error_stats s;
    EXPECT_EQ(s.count(), 0u);
    EXPECT_EQ(s.max(), 0u);
    EXPECT_EQ(s.mean(), 0.0);
    EXPECT_EQ(s.at_most(0.99), 0u);
}

TEST(RttErrorStats, CountMaxMeanAndShares) {
    rtt_error_stats s;
    for (int i = 0; i < 98; ++i) s.add(6);  // bucket [4, 8)
    s.add(300);                             // bucket [256, 512)
    s.add(40000);                           // bucket [32768, 65536)
    s.add(3000000);                         // a 3 s stall: bucket [2^21, 2^22)
    EXPECT_EQ(s.count(), 101u);
    EXPECT_EQ(s.max(), 3000000u);
    EXPECT_DOUBLE_EQ(s.mean(), (98.0 * 6 + 300 + 40000 + 3000000) / 101);
    EXPECT_EQ(s.at_most(0.50), 7u);
    EXPECT_EQ(s.at_most(0.97), 7u);
    EXPECT_EQ(s.at_most(0.98), 511u);
    EXPECT_EQ(s.at_most(0.99), 65535u);
    EXPECT_EQ(s.at_most(1.0), 3000000u);  // never above the maximum
}

// Property: at_most(f) is never below the true f-quantile and never above the maximum.
TEST(RttErrorStats, AtMostBoundsTheQuantile) {
    rtt_error_stats s;
    std::vector<uint32_t> all;
    for (uint32_t i = 0; i < 5000; ++i) {
        const uint32_t v = (i * 2654435761u) >> (i % 3 == 0 ? 8 : 20);
        s.add(v);
        all.push_back(v);
    }
    std::sort(all.begin(), all.end());
    for (double f : {0.1, 0.5, 0.9, 0.99, 1.0}) {
        const uint32_t q = all[size_t(f * double(all.size())) - 1];
        EXPECT_GE(s.at_most(f), q) << f;
        EXPECT_LE(s.at_most(f), s.max()) << f;
    }
}

TEST(RttErrorStats, MergeAddsUp) {
    rtt_error_stats a, b;
    a.add(1);
    a.add(9);
    b.add(100);
    a.merge(b);
    EXPECT_EQ(a.count(), 3u);
    EXPECT_EQ(a.max(), 100u);
    EXPECT_DOUBLE_EQ(a.mean(), 110.0 / 3);
}
