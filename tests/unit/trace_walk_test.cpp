// Property tests of the trace walk: every (target, TTL) pair exactly once per probe round in
// every order, shards and sender lcores partition the pairs, the random order spreads a target's
// TTLs over the run, and the backward schedule obeys its feedback.
#include "trace/trace_walk.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "trace/trace_schedule.hpp"

using namespace ics;

namespace {
interval_set sample_set() {
    return interval_set({{0xc6120000, 0xc61200ff}, {0xc6120300, 0xc6120340}, {0xc6130000, 0xc6130000}});
}

// Walks every slice; returns (target, slot) -> count and checks indices and totals on the way.
std::map<std::pair<ipv4_addr, uint16_t>, int> walk_all(const interval_set& set, const trace_plan& plan,
                                                       uint32_t shards, uint32_t threads) {
    permutation perm(trace_walk::domain(set.size(), plan), 99);
    std::map<std::pair<ipv4_addr, uint16_t>, int> seen;
    for (uint32_t s = 0; s < shards; ++s)
        for (uint32_t t = 0; t < threads; ++t) {
            trace_walk w(set, perm, plan, {s, shards, t, threads});
            EXPECT_EQ(w.total(), trace_walk::total(set.size(), plan, {s, shards, t, threads}));
            ipv4_addr a[64];
            uint32_t idx[64];
            uint16_t slot[64];
            unsigned n;
            while ((n = w.next_burst(a, idx, slot, 1 + (s + t) % 64)) > 0)
                for (unsigned i = 0; i < n; ++i) {
                    EXPECT_EQ(set.at(idx[i]), a[i]);
                    ++seen[{a[i], slot[i]}];
                }
            EXPECT_EQ(w.done(), w.total());
        }
    return seen;
}
}  // namespace

TEST(FastDivider, ExactAgainstDivision) {
    std::mt19937_64 rng(5);
    for (uint64_t d : {1ull, 2ull, 3ull, 7ull, 16ull, 33ull, 63ull}) {
        fast_divider f(d);
        for (int i = 0; i < 100000; ++i) {
            const uint64_t q = rng() >> 24;  // below 2^40
            ASSERT_EQ(f.div(q), q / d) << q << "/" << d;
        }
        ASSERT_EQ(f.div((uint64_t(1) << 40) - 1), ((uint64_t(1) << 40) - 1) / d);
    }
}

TEST(TraceWalk, EveryPairOncePerRoundInEveryOrderAndSlicing) {
    const auto set = sample_set();
    for (trace_order order : {trace_order::random, trace_order::ttl})
        for (uint32_t probes : {1u, 2u})
            for (auto [shards, threads] : {std::pair{1u, 1u}, {2u, 1u}, {3u, 2u}}) {
                trace_plan plan;
                plan.order = order;
                plan.min_ttl = 2;
                plan.max_ttl = 9;
                plan.probes = probes;
                auto seen = walk_all(set, plan, shards, threads);
                ASSERT_EQ(seen.size(), set.size() * plan.ttls()) << trace_order_name(order);
                for (auto& [key, count] : seen) {
                    ASSERT_GE(key.second, 2);
                    ASSERT_LE(key.second, 9);
                    ASSERT_EQ(count, int(probes));
                }
            }
}

TEST(TraceWalk, BackwardLayersAreThePreprobeThenTheRounds) {
    const auto set = sample_set();
    trace_plan plan;
    plan.order = trace_order::backward;
    plan.max_ttl = 8;
    auto seen = walk_all(set, plan, 2, 2);
    ASSERT_EQ(seen.size(), set.size() * (1 + plan.ttls()));  // layer 0 and one layer per TTL
    for (auto& [key, count] : seen) EXPECT_EQ(count, 1);
}

// A resumed run's walk: started past its first k positions, it hands out exactly what the whole
// walk hands out from its k-th position on, with the same layers, for every k, order and slice.
TEST(TraceWalk, AWalkStartedAtKGoesOnAsTheWholeWalkDoesFromK) {
    const auto set = sample_set();
    for (trace_order order : {trace_order::random, trace_order::ttl, trace_order::backward})
        for (auto [shards, threads, thread] : {std::tuple{1u, 1u, 0u}, {2u, 3u, 1u}, {1u, 4u, 3u}}) {
            trace_plan plan;
            plan.order = order;
            plan.min_ttl = 3;
            plan.max_ttl = 7;
            plan.probes = 2;
            permutation perm(trace_walk::domain(set.size(), plan), 11);
            const walk_slice slice{shards - 1, shards, thread, threads};
            using step = std::tuple<uint32_t, uint16_t, uint32_t>;  // index, slot, layer
            auto steps_from = [&](uint64_t start) {
                trace_walk w(set, perm, plan, slice, start);
                EXPECT_EQ(w.done(), std::min(start, w.total()));
                std::vector<step> out;
                ipv4_addr a[16];
                uint32_t idx[16];
                uint16_t slot[16];
                while (unsigned n = w.next_burst(a, idx, slot, 16))
                    for (unsigned i = 0; i < n; ++i) out.emplace_back(idx[i], slot[i], w.layer());
                EXPECT_EQ(w.done(), w.total());
                return out;
            };
            const std::vector<step> whole = steps_from(0);
            ASSERT_EQ(whole.size(), trace_walk::total(set.size(), plan, slice));
            // Every start next to a layer's bounds, and others across the walk.
            const uint64_t per = whole.size() / plan.layers();
            std::vector<uint64_t> starts;
            for (uint64_t k = 0; k <= whole.size() + 2; k += 7) starts.push_back(k);
            for (uint64_t layer = 1; layer <= plan.layers(); ++layer)
                starts.insert(starts.end(), {layer * per - 1, layer * per, layer * per + 1});
            for (uint64_t k : starts) {
                const std::vector<step> rest = steps_from(k);
                const size_t from = std::min<size_t>(k, whole.size());
                ASSERT_TRUE(std::equal(rest.begin(), rest.end(), whole.begin() + from, whole.end()))
                    << trace_order_name(order) << " from " << k << " of " << whole.size();
            }
        }
}

TEST(TraceWalk, RandomOrderSpreadsATargetsTtlsOverTheRun) {
    interval_set set({{0xc6120000, 0xc6120fff}});  // 4096 targets
    trace_plan plan;
    plan.max_ttl = 16;
    permutation perm(trace_walk::domain(set.size(), plan), 7);
    trace_walk w(set, perm, plan, {});
    std::map<ipv4_addr, std::vector<uint64_t>> when;
    ipv4_addr a[32];
    uint32_t idx[32];
    uint16_t slot[32];
    uint64_t pos = 0;
    unsigned n;
    while ((n = w.next_burst(a, idx, slot, 32)) > 0)
        for (unsigned i = 0; i < n; ++i) when[a[i]].push_back(pos++);
    // Consecutive probes to one target are as far apart as random places would be: 4096 positions
    // (a run / 16 TTLs) on average, and closer than 64 about 1 - exp(-64/4096) = 1.6 % of the time.
    uint64_t close = 0, gaps = 0, sum = 0;
    for (auto& [t, ps] : when)
        for (size_t i = 1; i < ps.size(); ++i, ++gaps) {
            close += ps[i] - ps[i - 1] < 64;
            sum += ps[i] - ps[i - 1];
        }
    EXPECT_LT(double(close) / double(gaps), 0.04);
    EXPECT_GT(double(sum) / double(gaps), 3000.0);
}

TEST(TraceSchedule, BackwardFromTheSplitThenForward) {
    trace_plan plan;
    plan.min_ttl = 1;
    plan.max_ttl = 8;
    target_progress p;
    p.split = 4;
    std::vector<unsigned> ttls;
    for (uint32_t r = 0; r < plan.ttls(); ++r) ttls.push_back(scheduled_ttl(p, r, plan));
    EXPECT_EQ(ttls, (std::vector<unsigned>{4, 3, 2, 1, 5, 6, 7, 8}));

    p.apply({0, feedback_kind::stop, 3}, true);   // TTL 3 was a known interface: 2 and 1 are saved
    p.apply({0, feedback_kind::end, 6}, true);    // the target answered at 6: 7 and 8 are saved
    p.apply({0, feedback_kind::split, 2}, true);  // too late: the schedule is running
    ttls.clear();
    for (uint32_t r = 0; r < plan.ttls(); ++r) ttls.push_back(scheduled_ttl(p, r, plan));
    EXPECT_EQ(ttls, (std::vector<unsigned>{4, 3, 0, 0, 5, 6, 0, 0}));

    target_progress unknown;  // no preprobe answer: the plan's default split
    plan.default_split = 16;  // clamped to max_ttl
    EXPECT_EQ(scheduled_ttl(unknown, 0, plan), 8);
    EXPECT_EQ(scheduled_ttl(unknown, 7, plan), 1);
}

TEST(TraceSchedule, DistanceEstimates) {
    EXPECT_EQ(distance_estimate(0, 16, 63, 0), 2);   // Linux host two hops away (initial 64)
    EXPECT_EQ(distance_estimate(0, 16, 120, 0), 9);  // Windows host (initial 128)
    EXPECT_EQ(distance_estimate(0, 16, 250, 0), 6);  // initial 255
    EXPECT_EQ(distance_estimate(3, 16, 64, 15), 2);  // unreachable from the router at hop 2
    EXPECT_EQ(distance_estimate(11, 16, 64, 0), 0);  // nothing to learn
}
