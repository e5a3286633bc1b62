// The target set: merging, size, lookups by index (direct and searched, scalar and AVX-512 bursts)
// and back by address.
#include "targets/interval_set.hpp"
#include "util/cpu_features.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

using namespace ics;

namespace {
std::set<uint32_t> expand(const interval_set& s) {
    std::set<uint32_t> out;
    for (auto r : s.ranges())
        for (uint64_t a = r.first; a <= r.last; ++a) out.insert(uint32_t(a));
    return out;
}
interval_set random_set(std::mt19937& rng, int n, uint32_t span) {
    std::vector<ipv4_range> rs;
    for (int i = 0; i < n; ++i) {
        uint32_t a = rng() % span, len = rng() % 40;
        rs.push_back({a, a + len});
    }
    return interval_set(rs);
}
}  // namespace

TEST(IntervalSet, MergesOverlappingAndAdjacent) {
    interval_set s({{10, 20}, {21, 30}, {5, 12}, {40, 40}});
    ASSERT_EQ(s.ranges().size(), 2u);
    EXPECT_EQ(s.ranges()[0], (ipv4_range{5, 30}));
    EXPECT_EQ(s.ranges()[1], (ipv4_range{40, 40}));
    EXPECT_EQ(s.size(), 27u);
}

TEST(IntervalSet, WholeSpace) {
    interval_set all({{0, 0xffffffffu}});
    EXPECT_EQ(all.size(), uint64_t(1) << 32);
    EXPECT_EQ(all.at(0xffffffffull), 0xffffffffu);
    EXPECT_EQ(all.index_of(0xffffffffu), 0xffffffffull);
    interval_set cut = all.subtract(interval_set({{0, 0}, {0xffffffffu, 0xffffffffu}}));
    EXPECT_EQ(cut.size(), (uint64_t(1) << 32) - 2);
}

TEST(IntervalSet, SetArithmeticMatchesBruteForce) {
    std::mt19937 rng(42);
    for (int iter = 0; iter < 300; ++iter) {
        auto a = random_set(rng, 1 + rng() % 12, 600);
        auto b = random_set(rng, rng() % 12, 600);
        auto ea = expand(a), eb = expand(b);
        std::set<uint32_t> diff, uni = ea, inter;
        for (auto x : ea) (eb.count(x) ? inter : diff).insert(x);
        uni.insert(eb.begin(), eb.end());
        EXPECT_EQ(expand(a.subtract(b)), diff);
        EXPECT_EQ(expand(a.unite(b)), uni);
        EXPECT_EQ(expand(a.intersect(b)), inter);
        EXPECT_EQ(a.subtract(b).size(), diff.size());
    }
}

TEST(IntervalSet, AtAndIndexOfAreInverse) {
    std::mt19937 rng(3);
    auto s = random_set(rng, 50, 100000);
    uint64_t i = 0;
    for (auto addr : expand(s)) {
        ASSERT_EQ(s.at(i), addr);
        ASSERT_EQ(s.index_of(addr), i);
        ++i;
    }
    EXPECT_EQ(i, s.size());
    EXPECT_FALSE(s.index_of(200000).has_value());
}

// at() has two paths: one bucket pair when no bucket spans more than two ranges, a branch-free
// search of the bucket's ranges otherwise. Both must give every address, in order, exactly.
TEST(IntervalSet, BothLookupPathsGiveEveryAddressInOrder) {
    std::mt19937 rng(17);
    int direct = 0, searched = 0;
    for (int trial = 0; trial < 60; ++trial) {
        std::vector<ipv4_range> rs;
        const int kind = trial % 3;
        for (uint32_t i = 0; i < 300; ++i) {
            const uint32_t base = i * 1000;
            if (kind == 0) rs.push_back({base, base + 99});                     // equal ranges
            if (kind == 1) rs.push_back({base, base + uint32_t(rng() % 500)});  // mixed lengths
            if (kind == 2) rs.push_back({base, base + (i % 50 ? 0u : 900u)});   // mostly single addresses
        }
        const interval_set s(rs);
        (s.lookup_is_direct() ? direct : searched)++;
        uint64_t i = 0;
        for (auto addr : expand(s)) ASSERT_EQ(s.at(i++), addr) << "trial " << trial;
    }
    EXPECT_GT(direct, 0);
    EXPECT_GT(searched, 0);
}

namespace {
// The sets the burst tests cover: the whole space, one at the top of the address space, and random
// ones of growing size (direct and searched lookups).
std::vector<interval_set> burst_sets() {
    std::mt19937 rng(23);
    std::vector<interval_set> sets = {
        interval_set({{0, 0xffffffff}}),
        interval_set({{0xfffffff0, 0xffffffff}, {0x0, 0x3}, {0x80000000, 0x80000000}})};
    for (int trial = 0; trial < 6; ++trial)
        sets.push_back(random_set(rng, 50 + trial * 2000, 1u << (20 + trial)));
    return sets;
}

// at_burst() gives at() for every burst length, the last index included; nothing past n is written.
void expect_burst_equals_single(const interval_set& s, bool wide) {
    std::mt19937 rng(29);
    for (unsigned n = 0; n <= 64; ++n) {
        uint64_t index[64];
        ipv4_addr out[65];
        for (unsigned i = 0; i < n; ++i) index[i] = (uint64_t(rng()) * 7919 + i) % s.size();
        if (n > 0) index[0] = s.size() - 1;
        out[n] = 12345;
        s.at_burst(index, out, n);
        for (unsigned i = 0; i < n; ++i) ASSERT_EQ(out[i], s.at(index[i])) << "wide " << wide << " n " << n;
        ASSERT_EQ(out[n], 12345u);
    }
}
}  // namespace

// The scalar at_burst() gives at(), for both lookup paths.
TEST(IntervalSet, ScalarBurstLookupEqualsSingleLookups) {
    for (interval_set s : burst_sets()) {
        s.allow_avx512(false);
        expect_burst_equals_single(s, false);
    }
}

// at_burst() with AVX-512 gathers (where the lookup is direct) gives at(). Without AVX-512 it
// would be the scalar code again, so the test skips (tests/expected-skips: no-avx512).
TEST(IntervalSet, Avx512BurstLookupEqualsSingleLookups) {
    if (!cpu_has_avx512_lanes()) GTEST_SKIP() << "this CPU has no AVX-512 F+DQ: no vector path to compare";
    int direct = 0;  // sets whose lookup is direct, the ones that take the gathers
    for (interval_set s : burst_sets()) {
        s.allow_avx512(true);
        direct += s.lookup_is_direct();
        expect_burst_equals_single(s, true);
    }
    EXPECT_GT(direct, 0);
}

TEST(IntervalSet, LookupAtTheTopOfTheAddressSpace) {
    const interval_set s({{0xfffffff0, 0xffffffff}, {0x0, 0x3}, {0x80000000, 0x80000000}});
    EXPECT_EQ(s.at(0), 0x0u);
    EXPECT_EQ(s.at(4), 0x80000000u);
    EXPECT_EQ(s.at(5), 0xfffffff0u);
    EXPECT_EQ(s.at(20), 0xffffffffu);
}
