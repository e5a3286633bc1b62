#include "stats/counters.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace ics;

TEST(Counters, NamesUniqueAndDescribed) {
    std::set<std::string_view> names;
    for (const auto& c : counter_infos) {
        EXPECT_TRUE(names.insert(c.name).second) << c.name;
        EXPECT_FALSE(c.description.empty());
    }
}

TEST(Counters, BlocksSum) {
    counter_block a, b;
    a.add(counter::rx_valid, 3);
    b.add(counter::rx_valid);
    b.add(counter::rx_ring_full, 2);
    counter_totals t;
    t.add(a);
    t.add(b);
    EXPECT_EQ(t[counter::rx_valid], 4u);
    EXPECT_EQ(t[counter::rx_ring_full], 2u);
    EXPECT_EQ(alignof(counter_block), 64u);
}
