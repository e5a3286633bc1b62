// Pacing on a simulated TSC: the achieved rate is within 2 % at every rate (in fact within one
// probe of the schedule), bursts stay short at low rates, and a sender that keeps up is smooth.
#include "pace/pacer.hpp"

#include <gtest/gtest.h>

using namespace ics;

namespace {
constexpr uint64_t hz = 2'100'000'000;

// Runs a sender that polls every `poll_cycles` for `seconds`; returns probes sent and the largest
// single burst.
std::pair<uint64_t, unsigned> simulate(uint64_t rate, double seconds, uint64_t poll_cycles) {
    pacer p(hz, rate, 1000, 32);
    unsigned biggest = 0;
    const uint64_t end = 1000 + uint64_t(seconds * hz);
    for (uint64_t now = 1000; now < end; now += poll_cycles) {
        unsigned n = p.allowed(now);
        biggest = std::max(biggest, n);
        p.account(n);
    }
    return {p.sent(), biggest};
}
}  // namespace

TEST(Pacer, AccurateAtEveryRate) {
    for (uint64_t rate :
         {1ull, 7ull, 100ull, 1000ull, 9999ull, 10000ull, 100000ull, 1000000ull, 14880000ull}) {
        double seconds = rate < 100 ? 60.0 : rate < 100000 ? 10.0 : 1.0;
        auto [sent, biggest] = simulate(rate, seconds, 2000);
        double expected = double(rate) * seconds;
        EXPECT_NEAR(double(sent), expected, std::max(1.0, expected * 0.02)) << rate;
        EXPECT_LE(std::abs(double(sent) - expected), 1.0 + double(pacer(hz, rate, 0, 32).burst())) << rate;
    }
}

TEST(Pacer, NoLongBurstsAtLowRates) {
    EXPECT_EQ(simulate(1, 30, 2000).second, 1u);
    EXPECT_EQ(simulate(5000, 5, 2000).second, 1u);
    EXPECT_LE(simulate(100000, 1, 2000).second, 10u);
    EXPECT_EQ(pacer(hz, 10'000'000, 0, 32).burst(), 32u);
}

TEST(Pacer, CatchesUpAtMostMaxBurstPerCall) {
    pacer p(hz, 100000, 0, 32);
    EXPECT_EQ(p.burst(), 10u);
    EXPECT_EQ(p.allowed(hz), 32u);  // a second behind: catches up 32 at a time
}

TEST(Pacer, WaitsForAWholeScheduledBurst) {
    pacer p(hz, 100000, 0, 32);  // 10 probes per 100 us
    EXPECT_EQ(p.allowed(hz / 100000 * 9), 0u);
    EXPECT_EQ(p.allowed(hz / 100000 * 10), 10u);
}

TEST(Pacer, NextDueIsTheFirstAllowingInstant) {
    for (uint64_t rate : {3ull, 50000ull, 250000ull}) {
        pacer p(hz, rate, 0, 32);
        uint64_t due = p.next_due(0);
        EXPECT_EQ(p.allowed(due - 1), 0u) << rate;
        EXPECT_EQ(p.allowed(due), p.burst()) << rate;
    }
}

TEST(Pacer, UnpacedAlwaysAllowsABurst) {
    pacer p(hz, 0, 0, 32);
    EXPECT_EQ(p.allowed(0), 32u);
    EXPECT_EQ(p.allowed(1), 32u);
    EXPECT_EQ(p.burst(), 32u);
}

TEST(Pacer, BandwidthToRate) {
    // 50-byte frames pad to 64 + 20 bytes of preamble and gap: 672 bits.
    EXPECT_EQ(bandwidth_to_rate(10'000'000'000ull, 50), 14880952u);
    EXPECT_EQ(bandwidth_to_rate(1'000'000ull, 50), 1488u);
}
