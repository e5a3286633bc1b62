// Property tests: shards and sender threads partition the target set exactly, -n caps it, and
// each probe round visits every target once.
#include "targets/target_walk.hpp"

#include <gtest/gtest.h>

#include <algorithm>
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

// A resumed walk (started past its first k probes) hands out exactly what the whole walk hands out
// after its first k, for every k across rounds and slices, in bursts and one at a time.
TEST(TargetWalk, StartingPastProbesContinuesTheSameWalk) {
    auto set = sample_set();
    permutation perm(set.size(), 77);
    for (uint64_t limit : {set.size(), uint64_t(500)})
        for (walk_slice slice : {walk_slice{0, 1, 0, 1}, walk_slice{1, 3, 1, 2}, walk_slice{0, 2, 0, 3}}) {
            target_walk whole(set, perm, limit, 3, slice);
            std::vector<std::pair<ipv4_addr, uint32_t>> all;
            ipv4_addr a;
            uint32_t round;
            while (whole.next(a, round)) all.push_back({a, round});
            ASSERT_EQ(all.size(), whole.total());
            // Every k near the start, the end and each round's boundary; every 37th elsewhere.
            const uint64_t per_round = std::max<uint64_t>(all.size() / 3, 1);
            auto next_k = [&](uint64_t k) {
                const uint64_t in_round = k % per_round;
                const bool near = k < 5 || all.size() - k < 5 || in_round < 3 || per_round - in_round <= 3;
                return near ? k + 1 : k + 37;
            };
            for (uint64_t k = 0; k <= all.size(); k = next_k(k)) {
                target_walk resumed(set, perm, limit, 3, slice, k);
                EXPECT_EQ(resumed.done(), k);
                ipv4_addr burst[target_walk::max_burst];
                size_t i = k;
                while (unsigned n = resumed.next_burst(burst, 13, round))
                    for (unsigned j = 0; j < n; ++j, ++i) {
                        ASSERT_LT(i, all.size());
                        ASSERT_EQ(burst[j], all[i].first) << "k " << k << " i " << i;
                        ASSERT_EQ(round, all[i].second);
                    }
                EXPECT_EQ(i, all.size()) << "k " << k;
                EXPECT_EQ(resumed.done(), resumed.total());
            }
            target_walk past_end(set, perm, limit, 3, slice, all.size() + 5);
            EXPECT_FALSE(past_end.next(a, round));
        }
}
