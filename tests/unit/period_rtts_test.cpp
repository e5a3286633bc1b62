// A period's RTTs: exact samples while a period holds at most 100 (every figure equals the sorted
// samples' own: nearest-rank quantiles, min, max, mean, population deviation), the log-linear
// summary beyond that (its quantiles within its stated bound), and a reset empties one target only.
#include "monitor/period_rtts.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace ics;

namespace {

uint32_t nearest_rank(std::vector<uint32_t> v, double q) {
    std::sort(v.begin(), v.end());
    const auto r = std::clamp<size_t>(size_t(std::ceil(q * double(v.size()))), 1, v.size());
    return v[r - 1];
}

}  // namespace

TEST(PeriodRtts, ExactUpToAHundredSamplesAPeriod) {
    std::mt19937 rng(7);
    for (uint32_t per_period : {1u, 3u, 60u, 100u}) {
        period_rtts p(3, per_period);
        ASSERT_TRUE(p.exact());
        std::vector<uint32_t> mine;
        for (uint32_t k = 0; k < per_period; ++k) {
            const uint32_t rtt = 100 + rng() % 50000;
            mine.push_back(rtt);
            p.add(1, rtt);
            p.add(2, 7);  // a neighbour's samples stay its own
        }
        const rtt_figures f = p.figures(1);
        EXPECT_EQ(f.count, per_period);
        EXPECT_EQ(f.min, *std::min_element(mine.begin(), mine.end()));
        EXPECT_EQ(f.max, *std::max_element(mine.begin(), mine.end()));
        double sum = 0, squares = 0;
        for (uint32_t v : mine) sum += v, squares += double(v) * v;
        const double mean = sum / double(mine.size());
        EXPECT_NEAR(f.avg, mean, 1e-6);
        EXPECT_NEAR(f.mdev, std::sqrt(std::max(squares / double(mine.size()) - mean * mean, 0.0)), 1e-3);
        EXPECT_EQ(f.p50, nearest_rank(mine, 0.5));
        EXPECT_EQ(f.p90, nearest_rank(mine, 0.9));
        EXPECT_EQ(f.p99, nearest_rank(mine, 0.99));
        EXPECT_EQ(p.figures(2).count, per_period);
        EXPECT_EQ(p.figures(2).p50, 7u);
        EXPECT_EQ(p.figures(0).count, 0u);
        p.reset(1);
        EXPECT_EQ(p.count(1), 0u);
        EXPECT_EQ(p.count(2), per_period);
    }
}

TEST(PeriodRtts, TheSummaryBeyondAHundredOrWithoutABound) {
    for (uint32_t per_period : {101u, 0u}) {
        period_rtts p(1, per_period);
        ASSERT_FALSE(p.exact());
        std::vector<uint32_t> mine;
        for (uint32_t k = 0; k < 500; ++k) {
            mine.push_back(20000 + 7 * k);
            p.add(0, mine.back());
        }
        const rtt_figures f = p.figures(0);
        EXPECT_EQ(f.count, 500u);
        EXPECT_EQ(f.min, 20000u);
        EXPECT_EQ(f.max, 20000u + 7 * 499);
        const uint32_t exact = nearest_rank(mine, 0.5);
        EXPECT_GE(f.p50, exact);
        EXPECT_LT(f.p50, exact + exact / 8);
        p.reset(0);
        EXPECT_EQ(p.count(0), 0u);
    }
}
