// monitor/rtt_summary.hpp: the bucket layout, the stated quantile bound against exact quantiles of
// sorted samples (several distributions and sizes), exact min/max/avg/mdev, merge equal to the
// union's summary, and 16-bit saturation.
#include "monitor/rtt_summary.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

using namespace ics;

namespace {

using summary = target_rtt_summary;

// Every quantile this test checks: the reported ones, the ends and a fine grid between.
std::vector<double> checked_quantiles() {
    std::vector<double> qs = {0.0, 0.001, 0.01, 0.5, 0.9, 0.99, 0.999, 1.0};
    for (int i = 1; i < 200; ++i) qs.push_back(i / 200.0);
    return qs;
}

struct distribution {
    std::string name;
    std::vector<uint32_t> (*make)(std::mt19937_64&, size_t);
};

std::vector<uint32_t> constant(std::mt19937_64&, size_t n) {
    return std::vector<uint32_t>(n, 1234);
}
std::vector<uint32_t> tiny(std::mt19937_64& rng, size_t n) {  // below 2^S: exact buckets
    std::vector<uint32_t> v(n);
    for (auto& x : v) x = uint32_t(rng() % 8);
    return v;
}
std::vector<uint32_t> uniform(std::mt19937_64& rng, size_t n) {
    std::uniform_int_distribution<uint32_t> d(0, 200'000);
    std::vector<uint32_t> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}
std::vector<uint32_t> heavy_tail(std::mt19937_64& rng, size_t n) {  // Pareto, alpha 1.1, from 300 us
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<uint32_t> v(n);
    for (auto& x : v) x = uint32_t(std::min(300.0 * std::pow(1.0 - u(rng), -1.0 / 1.1), 16'000'000.0));
    return v;
}
std::vector<uint32_t> bimodal(std::mt19937_64& rng, size_t n) {  // two paths: 5 ms and 80 ms, jittered
    std::normal_distribution<double> a(5000, 200), b(80'000, 3000);
    std::vector<uint32_t> v(n);
    for (auto& x : v) x = uint32_t(std::max(0.0, rng() % 4 ? a(rng) : b(rng)));
    return v;
}

const distribution distributions[] = {
    {"constant", constant},     {"tiny", tiny},       {"uniform", uniform},
    {"heavy_tail", heavy_tail}, {"bimodal", bimodal},
};

summary summarise(const std::vector<uint32_t>& v) {
    summary s;
    for (uint32_t x : v) s.add(x);
    return s;
}

// The stated bound: x <= reported < x + x / 2^S, and exact when x < 2^S.
void expect_within_bound(uint32_t reported, uint32_t exact, const std::string& where) {
    EXPECT_GE(reported, exact) << where;
    // Compared in 64 bits so that the check cannot wrap: (reported - exact) * 2^S < exact, or equal.
    const uint64_t over = reported >= exact ? uint64_t(reported - exact) : 0;
    EXPECT_TRUE(over == 0 || (over << summary::sub_bits) < exact) << where << " reported " << reported;
}

void expect_exact_moments(const summary& s, const std::vector<uint32_t>& v, const std::string& where) {
    long double sum = 0, sq = 0;
    for (uint32_t x : v) sum += x;
    const long double mean = sum / v.size();
    for (uint32_t x : v) sq += (x - mean) * (x - mean);
    EXPECT_EQ(s.count(), v.size()) << where;
    EXPECT_EQ(s.min(), *std::min_element(v.begin(), v.end())) << where;
    EXPECT_EQ(s.max(), *std::max_element(v.begin(), v.end())) << where;
    EXPECT_EQ(s.sum(), uint64_t(sum)) << where;
    EXPECT_NEAR(s.avg(), double(mean), 1e-9 * double(mean) + 1e-12) << where;
    const double mdev = double(std::sqrt(sq / v.size()));
    EXPECT_NEAR(s.mdev(), mdev, 1e-6 * mdev + 1e-6) << where;
}

}  // namespace

TEST(RttSummary, BucketsAreContiguousAndEachValueLiesInItsBucket) {
    EXPECT_EQ(summary::buckets, 176u);
    EXPECT_EQ(summary::bucket_of(0), 0u);
    EXPECT_EQ(summary::bucket_of(summary::top_value), summary::buckets - 1);
    EXPECT_EQ(summary::bucket_of(UINT32_MAX), summary::buckets - 1);  // above the range: the top bucket
    for (unsigned b = 0; b + 1 < summary::buckets; ++b) {
        const uint32_t top = summary::upper_bound(b);
        EXPECT_EQ(summary::bucket_of(top), b) << b;
        EXPECT_EQ(summary::bucket_of(top + 1), b + 1) << b;
    }
    EXPECT_EQ(summary::upper_bound(summary::buckets - 1), summary::top_value);
    // Widths as drawn: exact below 2^S, then 2^S sub-buckets per power of two.
    EXPECT_EQ(summary::upper_bound(7), 7u);
    EXPECT_EQ(summary::upper_bound(15), 15u);
    EXPECT_EQ(summary::upper_bound(16), 17u);
    EXPECT_EQ(summary::bucket_of(1000), summary::bucket_of(1023));
    EXPECT_NE(summary::bucket_of(1023), summary::bucket_of(1024));
}

TEST(RttSummary, EveryQuantileIsWithinTheStatedBoundOfTheExactOne) {
    std::mt19937_64 rng(20261201);
    for (const auto& d : distributions) {
        for (size_t n : {size_t(1), size_t(2), size_t(7), size_t(100), size_t(1000), size_t(50'000)}) {
            auto v = d.make(rng, n);
            const summary s = summarise(v);
            std::sort(v.begin(), v.end());
            for (double q : checked_quantiles()) {
                const uint32_t exact = v[summary::rank_of(q, n) - 1];
                expect_within_bound(s.quantile(q), exact,
                                    d.name + " n=" + std::to_string(n) + " q=" + std::to_string(q));
            }
            EXPECT_EQ(s.quantile(0.0), v.front()) << d.name;  // the ends are exact
            EXPECT_EQ(s.quantile(1.0), v.back()) << d.name;
            expect_exact_moments(s, v, d.name + " n=" + std::to_string(n));
            EXPECT_FALSE(s.saturated());
        }
    }
}

TEST(RttSummary, MergeEqualsTheSummaryOfTheUnion) {
    std::mt19937_64 rng(7);
    for (const auto& d : distributions) {
        const auto v = d.make(rng, 5000);
        summary a, b;
        group_rtt_summary group;
        for (size_t i = 0; i < v.size(); ++i) (rng() % 3 ? a : b).add(v[i]);
        const summary all = summarise(v);
        summary merged = a;
        merged.merge(b);
        group.merge(a);  // targets' summaries into a group's, 16-bit counts into 32-bit ones
        group.merge(b);
        for (unsigned k = 0; k < summary::buckets; ++k) {
            EXPECT_EQ(merged.bucket_count(k), all.bucket_count(k)) << d.name << " bucket " << k;
            EXPECT_EQ(group.bucket_count(k), all.bucket_count(k)) << d.name << " bucket " << k;
        }
        for (double q : checked_quantiles()) {
            EXPECT_EQ(merged.quantile(q), all.quantile(q)) << d.name << " q=" << q;
            EXPECT_EQ(group.quantile(q), all.quantile(q)) << d.name << " q=" << q;
        }
        expect_exact_moments(merged, v, d.name + " merged");
        EXPECT_EQ(group.count(), all.count());
        EXPECT_EQ(group.min(), all.min());
        EXPECT_EQ(group.max(), all.max());
        EXPECT_EQ(group.sum(), all.sum());
        EXPECT_DOUBLE_EQ(group.mdev(), all.mdev());
    }
}

TEST(RttSummary, EmptyAndMergeWithEmpty) {
    summary s;
    EXPECT_EQ(s.count(), 0u);
    EXPECT_EQ(s.quantile(0.5), 0u);
    EXPECT_EQ(s.min(), 0u);
    EXPECT_EQ(s.max(), 0u);
    EXPECT_EQ(s.avg(), 0.0);
    EXPECT_EQ(s.mdev(), 0.0);
    s.add(500);
    s.merge(summary());
    EXPECT_EQ(s.count(), 1u);
    EXPECT_EQ(s.min(), 500u);
    EXPECT_EQ(s.max(), 500u);
    EXPECT_EQ(s.quantile(0.5), 500u);
    EXPECT_EQ(s.mdev(), 0.0);
    s.reset();
    EXPECT_EQ(s.count(), 0u);
    EXPECT_EQ(s.bucket_count(summary::bucket_of(500)), 0u);
}

TEST(RttSummary, SixteenBitCountsSaturateAndSaySo) {
    summary s;
    for (int i = 0; i < 65'535; ++i) s.add(900);
    EXPECT_FALSE(s.saturated());
    EXPECT_EQ(s.bucket_count(summary::bucket_of(900)), 65'535u);
    s.add(900);
    s.add(900);
    EXPECT_TRUE(s.saturated());
    EXPECT_EQ(s.bucket_count(summary::bucket_of(900)), 65'535u);  // held, not wrapped to 0
    EXPECT_EQ(s.count(), 65'537u);                                // still exact
    EXPECT_EQ(s.quantile(1.0), 900u);  // short of count_ in the buckets: the exact max
    EXPECT_EQ(s.quantile(0.5), 900u);
}
