// prom_bucket_of against the definition of smokeping_prober's buckets, and prom_histogram's sums.
#include "monitor/metrics_snapshot.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace ics;

namespace {
// The definition, read directly: the first bucket whose bound the RTT does not exceed, else +Inf.
unsigned naive_bucket(uint32_t rtt_us) {
    for (unsigned k = 0; k < prom_finite_buckets; ++k) {
        if (rtt_us <= prom_bucket_bound_us(k)) return k;
    }
    return prom_finite_buckets;
}
}  // namespace

static_assert(prom_bucket_of(0) == 0 && prom_bucket_of(50) == 0 && prom_bucket_of(51) == 1);

TEST(PromBucket, BoundsAreSmokepingProbersDefault) {
    EXPECT_EQ(prom_bucket_bound_us(0), 50u);
    EXPECT_EQ(prom_bucket_bound_us(19), 26214400u);  // 26.2144 s
    for (unsigned k = 0; k < prom_finite_buckets; ++k) {
        // The `le` text is the bound in seconds.
        EXPECT_DOUBLE_EQ(std::stod(prom_bucket_le[k]), prom_bucket_bound_us(k) / 1e6) << k;
    }
}

TEST(PromBucket, EveryBoundAndTheMicrosecondPastItMatchTheDefinition) {
    for (unsigned k = 0; k < prom_finite_buckets; ++k) {
        const uint32_t bound = prom_bucket_bound_us(k);
        EXPECT_EQ(prom_bucket_of(bound), naive_bucket(bound)) << bound;
        EXPECT_EQ(prom_bucket_of(bound), k) << bound;
        EXPECT_EQ(prom_bucket_of(bound + 1), naive_bucket(bound + 1)) << bound + 1;
        EXPECT_EQ(prom_bucket_of(bound + 1), k + 1) << bound + 1;
        EXPECT_EQ(prom_bucket_of(bound - 1), naive_bucket(bound - 1)) << bound - 1;
    }
}

TEST(PromBucket, EdgesOfTheRange) {
    for (const uint32_t us : {0u, 1u, 49u, 0x7fffffffu, 0xfffffffeu, 0xffffffffu}) {
        EXPECT_EQ(prom_bucket_of(us), naive_bucket(us)) << us;
    }
    EXPECT_EQ(prom_bucket_of(0xffffffffu), prom_finite_buckets);
}

TEST(PromBucket, EveryRttUpToTheLastBoundAndBeyond) {
    // Every microsecond up to 2^20 us, then a stride through the rest of the range.
    for (uint32_t us = 0; us <= (1u << 20); ++us) ASSERT_EQ(prom_bucket_of(us), naive_bucket(us)) << us;
    for (uint64_t us = 1u << 20; us <= 0xffffffffu; us += 9973) {
        ASSERT_EQ(prom_bucket_of(uint32_t(us)), naive_bucket(uint32_t(us))) << us;
    }
}

TEST(PromHistogram, AddCountsPerBucketAndSums) {
    prom_histogram<uint32_t> h;
    h.add(10);
    h.add(50);
    h.add(51);
    h.add(30000000);
    EXPECT_EQ(h.counts[0], 2u);
    EXPECT_EQ(h.counts[1], 1u);
    EXPECT_EQ(h.counts[prom_finite_buckets], 1u);
    EXPECT_EQ(h.count, 4u);
    EXPECT_EQ(h.sum_us, 30000111u);
    uint32_t in_buckets = 0;
    for (const uint32_t c : h.counts) in_buckets += c;
    EXPECT_EQ(in_buckets, 4u);
}

TEST(PromHistogram, MergeAddsATargetsFiguresToAGroups) {
    prom_histogram<uint32_t> a;
    a.add(100);
    a.add(200);
    prom_histogram<uint64_t> g;
    g.add(100);
    g.merge(a);
    EXPECT_EQ(g.counts[1], 2u);
    EXPECT_EQ(g.counts[2], 1u);
    EXPECT_EQ(g.count, 3u);
    EXPECT_EQ(g.sum_us, 400u);
}
