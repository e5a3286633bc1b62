#include "targets/ipv6_range_set.hpp"

#include <random>

#include <gtest/gtest.h>

using namespace ics;

namespace {
ipv6_addr next(const ipv6_addr& a) {
    return {a.hi + (a.lo == ~uint64_t(0)), a.lo + 1};
}
}  // namespace

// Random prefixes, some nested, some touching: contains() agrees with asking every prefix, and the
// ranges come out sorted, disjoint and not touching.
TEST(Ipv6RangeSet, AgreesWithEveryPrefixAskedInTurn) {
    std::mt19937_64 rng(11);
    for (int round = 0; round < 200; ++round) {
        std::vector<ipv6_prefix> prefixes;
        const size_t n = 1 + rng() % 12;
        for (size_t k = 0; k < n; ++k) {
            const unsigned len = 100 + unsigned(rng() % 29);  // near each other in one /100
            const ipv6_addr a{0x20010db800000000ull, rng() & 0xfffffff};
            prefixes.push_back({a & ipv6_mask(len), len});
        }
        const ipv6_range_set set(prefixes);
        const auto& r = set.ranges();
        for (size_t k = 1; k < r.size(); ++k) ASSERT_LT(next(r[k - 1].last), r[k].first);
        for (int probe = 0; probe < 400; ++probe) {
            ipv6_addr a{0x20010db800000000ull, rng() & 0xfffffff};
            if (probe % 4 == 0) a = prefixes[rng() % n].base;
            if (probe % 4 == 1) a = next(prefixes[rng() % n].last());
            bool expected = false;
            for (const ipv6_prefix& p : prefixes) expected = expected || p.contains(a);
            ASSERT_EQ(set.contains(a), expected) << format_ipv6(a);
        }
    }
}

TEST(Ipv6RangeSet, HoldsTheTopAndTheBottom) {
    const ipv6_range_set all({{ipv6_addr{}, 0}});
    EXPECT_TRUE(all.contains(ipv6_addr{}));
    EXPECT_TRUE(all.contains(~ipv6_addr{}));
    const ipv6_range_set ends({{~ipv6_addr{}, 128}, {ipv6_addr{}, 128}, {parse_ipv6("ff00::").value(), 8}});
    EXPECT_EQ(ends.ranges().size(), 2u);
    EXPECT_TRUE(ends.contains(~ipv6_addr{}));
    EXPECT_FALSE(ends.contains(ipv6_addr{0, 1}));
    EXPECT_FALSE(ipv6_range_set{}.contains(ipv6_addr{}));
}

// Ranges that touch across the halves' boundary (the low half's carry into the high half) merge.
TEST(Ipv6RangeSet, MergesAcrossTheHalvesBoundary) {
    const ipv6_range_set set({{parse_ipv6("fe80::").value(), 10}, {parse_ipv6("fec0::").value(), 10}});
    ASSERT_EQ(set.ranges().size(), 1u);
    EXPECT_EQ(set.ranges()[0].first, parse_ipv6("fe80::").value());
    EXPECT_EQ(set.ranges()[0].last, parse_ipv6("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").value());
    const ipv6_range_set halves(
        {{parse_ipv6("2001:db8::").value(), 64}, {parse_ipv6("2001:db8:0:1::").value(), 64}});
    EXPECT_EQ(halves.ranges().size(), 1u);
    EXPECT_TRUE(halves.contains(parse_ipv6("2001:db8:0:1::").value()));
    EXPECT_FALSE(halves.contains(parse_ipv6("2001:db8:0:2::").value()));
}
