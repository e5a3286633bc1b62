// Property tests: shards and sender threads partition the target set exactly, -n caps it, and
// each probe round visits every target once.
#include "targets/target_walk.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace ics;

namespace {
interval_set sample_set() {
    return interval_set({{0xc6120000, 0xc61200ff},
                         {0xc6120300, 0xc6120340},
                         {0xc6130000, 0xc6130000},
                         {0xc6121000, 0xc61213e7}});
}
}  // namespace

TEST(TargetWalk, ShardsAndThreadsPartitionTheSet) {
    auto set = sample_set();
    permutation perm(set.size(), 1234);
    for (uint32_t shards : {1u, 2u, 3u, 7u})
        for (uint32_t threads : {1u, 2u, 5u}) {
            std::map<uint32_t, int> seen;
            uint64_t total = 0;
            for (uint32_t s = 0; s < shards; ++s)
                for (uint32_t t = 0; t < threads; ++t) {
                    target_walk w(set, perm, set.size(), 1, {s, shards, t, threads});
                    total += w.total();
                    EXPECT_EQ(w.total(),
                              target_walk::targets_per_round(set.size(), 0, {s, shards, t, threads}));
                    ipv4_addr a;
                    uint32_t round;
                    while (w.next(a, round)) ++seen[a];
                    EXPECT_EQ(w.done(), w.total());
                }
            EXPECT_EQ(total, set.size());
            ASSERT_EQ(seen.size(), set.size()) << shards << "x" << threads;
            for (auto [addr, count] : seen) {
                EXPECT_EQ(count, 1);
                EXPECT_TRUE(set.contains(addr));
            }
        }
}

TEST(TargetWalk, MaxTargetsPicksTheSameSubsetHoweverSplit) {
    auto set = sample_set();
    permutation perm(set.size(), 99);
    auto collect = [&](uint32_t shards, uint32_t threads) {
        std::map<uint32_t, int> seen;
        for (uint32_t s = 0; s < shards; ++s)
            for (uint32_t t = 0; t < threads; ++t) {
                target_walk w(set, perm, 100, 1, {s, shards, t, threads});
                EXPECT_EQ(w.total(),
                          target_walk::targets_per_round(set.size(), 100, {s, shards, t, threads}));
                ipv4_addr a;
                uint32_t r;
                while (w.next(a, r)) ++seen[a];
            }
        return seen;
    };
    auto one = collect(1, 1), split = collect(3, 2);
    EXPECT_EQ(one.size(), 100u);
    EXPECT_EQ(one, split);
}

TEST(TargetWalk, RoundsRepeatTheOrder) {
    auto set = sample_set();
    permutation perm(set.size(), 5);
    target_walk w(set, perm, set.size(), 3, {});
    std::vector<ipv4_addr> order[3];
    ipv4_addr a;
    uint32_t r;
    while (w.next(a, r)) order[r].push_back(a);
    EXPECT_EQ(order[0].size(), set.size());
    EXPECT_EQ(order[0], order[1]);
    EXPECT_EQ(order[1], order[2]);
    EXPECT_EQ(w.total(), 3 * set.size());
}

TEST(TargetWalk, MoreSlicesThanTargets) {
    interval_set set({{10, 12}});
    permutation perm(3, 1);
    uint64_t total = 0;
    for (uint32_t s = 0; s < 8; ++s) {
        target_walk w(set, perm, 3, 1, {s, 8, 0, 1});
        total += w.total();
        ipv4_addr a;
        uint32_t r;
        uint64_t n = 0;
        while (w.next(a, r)) ++n;
        EXPECT_EQ(n, w.total());
    }
    EXPECT_EQ(total, 3u);
}
