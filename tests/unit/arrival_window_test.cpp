// Arrival windows and RTT estimates (pace/arrival_window.hpp): the window of a poll's frames runs
// from the last poll that emptied the queue to the end of the poll that found them; the RTT is
// the midpoint of that window cut at the send stamp, never before it, with an error bound that
// holds for every arrival inside the window.
#include "pace/arrival_window.hpp"

#include <random>

#include <gtest/gtest.h>

using namespace ics;

TEST(ArrivalWindow, FirstPollOpensAtTheStart) {
    arrival_window a(100);
    const poll_window w = a.polled(1000, 1010, 3, 32);
    EXPECT_EQ(w.opened, 100u);
    EXPECT_EQ(w.closed, 1010u);
}

TEST(ArrivalWindow, OpensAtTheStartOfTheLastPollThatEmptiedTheQueue) {
    arrival_window a(0);
    a.polled(1000, 1000, 0, 32);  // empty
    poll_window w = a.polled(1400, 1410, 2, 32);
    EXPECT_EQ(w.opened, 1000u);
    EXPECT_EQ(w.closed, 1410u);
    w = a.polled(1500, 1505, 1, 32);  // the poll at 1400 returned less than a burst: it emptied it
    EXPECT_EQ(w.opened, 1400u);
}

TEST(ArrivalWindow, AFullBurstDoesNotEmptyTheQueue) {
    arrival_window a(0);
    a.polled(1000, 1000, 0, 32);
    EXPECT_EQ(a.polled(2000, 2050, 32, 32).opened, 1000u);
    EXPECT_EQ(a.polled(2100, 2150, 32, 32).opened, 1000u);  // what is left may be that old
    EXPECT_EQ(a.polled(2200, 2210, 5, 32).opened, 1000u);
    EXPECT_EQ(a.polled(2300, 2301, 1, 32).opened, 2200u);
}

TEST(RttEstimate, MidpointOfTheWindowWhenItOpenedAfterTheSend) {
    const rtt_estimate e = estimate_rtt<32>(1000, arrival_us{1100, 1300});
    EXPECT_EQ(e.rtt_us, 200u);  // arrival 1200
    EXPECT_EQ(e.err_us, 101u);  // half the window, plus a microsecond for the clock's floor
    EXPECT_FALSE(e.clock_disagrees);
}

// The bug this replaces: a window that opened long before the probe left (a nap on a shared core)
// put the arrival estimate before the send, and the RTT came out negative.
TEST(RttEstimate, AWindowOpenedBeforeTheSendIsCutAtTheSend) {
    const rtt_estimate e = estimate_rtt<32>(5000, arrival_us{1000, 5400});
    EXPECT_EQ(e.rtt_us, 200u);
    EXPECT_EQ(e.err_us, 201u);
}

TEST(RttEstimate, ExactWhenTheWindowHasNoWidth) {
    const rtt_estimate e = estimate_rtt<32>(700, arrival_us{950, 950});
    EXPECT_EQ(e.rtt_us, 250u);
    EXPECT_EQ(e.err_us, 1u);
}

TEST(RttEstimate, AcrossTheClockWrap) {
    const rtt_estimate e = estimate_rtt<32>(0xffffff00u, arrival_us{0xffffff80u, 0x80});
    EXPECT_EQ(e.rtt_us, 0x100u);  // the window runs 0x80 to 0x180 after the send
    EXPECT_EQ(e.err_us, 0x81u);
    const rtt_estimate t = estimate_rtt<24>(0xfffff0, arrival_us{0x3000010, 0x3000010});  // 24 bits
    EXPECT_EQ(t.rtt_us, 0x20u);
}

TEST(RttEstimate, AWindowClosedBeforeTheSendIsAClockDisagreement) {
    const rtt_estimate e = estimate_rtt<32>(1000, arrival_us{900, 990});
    EXPECT_TRUE(e.clock_disagrees);
    EXPECT_EQ(e.rtt_us, 0u);
    EXPECT_EQ(e.err_us, 11u);  // the disagreement is in the bound
}

TEST(RttEstimate, TraceRepliesLaterThanHalfTheirClockAreNotMistakenForDisagreements) {
    const uint32_t ten_s = 10000000;  // beyond 2^23 us, within 2^24 - max_clock_disagreement_us
    const rtt_estimate e = estimate_rtt<24>(100, arrival_us{100 + ten_s, 100 + ten_s});
    EXPECT_FALSE(e.clock_disagrees);
    EXPECT_EQ(e.rtt_us, ten_s);
}

TEST(RttEstimate, LongWindowsKeepTheirWholeBound) {
    EXPECT_EQ(estimate_rtt<32>(0, arrival_us{0, 3000000}).err_us, 1500001u);  // a 3 s stall
}

// Property: for any send time, any window that closes after it and any arrival inside both
// (after the send, inside the window), the estimate is within err_us of the true RTT and never
// exceeds the time to the window's close. Times are microseconds; the TSC's sub-microsecond part
// is modelled by flooring times drawn in nanoseconds.
TEST(RttEstimate, TheBoundHoldsForEveryArrivalInsideTheWindow) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200000; ++i) {
        const uint64_t base_ns = rng() % (uint64_t(1) << 45);  // spans several wraps of 2^32 us
        const uint64_t send_ns = base_ns + rng() % 3000000;
        const uint64_t opened_ns = base_ns + rng() % 3000000;
        const uint64_t arrival_ns = std::max(send_ns, opened_ns) + rng() % 2000000;
        const uint64_t closed_ns = arrival_ns + rng() % 2000000;
        const auto us = [](uint64_t ns) { return uint32_t(ns / 1000); };
        const rtt_estimate e = estimate_rtt<32>(us(send_ns), arrival_us{us(opened_ns), us(closed_ns)});
        const double truth = double(arrival_ns - send_ns) / 1000.0;
        ASSERT_FALSE(e.clock_disagrees);
        ASSERT_LE(e.rtt_us, us(closed_ns) - us(send_ns));
        ASSERT_LE(std::abs(double(e.rtt_us) - truth), double(e.err_us))
            << "send " << send_ns << " opened " << opened_ns << " arrival " << arrival_ns << " closed "
            << closed_ns;
    }
}
