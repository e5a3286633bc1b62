// The idle policy: RX spins a few polls then naps 20 us, four times longer each time polls stay
// empty, up to 640 us, an idle stretch starting at half the last one's naps; the output lcore naps
// 8 ms at once; RX on stamped rings up to 10 kpps naps 8 ms (less for a small ring) at once, always; the
// cooldown's allowance lengthens a nap at once (a regression once kept RX at 20 us naps through a whole
// cooldown, tripling the process's CPU time).
#include "pace/backoff_policy.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(BackoffPolicy, RxSpinsThenNaps) {
    for (unsigned polls = 1; polls <= rx_backoff.spin_polls; ++polls)
        EXPECT_EQ(nap_us(rx_backoff, polls), 0u);
    const unsigned first = rx_backoff.spin_polls + 1;
    const unsigned naps[] = {20, 80, 320, 640, 640, 640};
    for (unsigned k = 0; k < std::size(naps); ++k) EXPECT_EQ(nap_us(rx_backoff, first + k), naps[k]) << k;
    EXPECT_EQ(nap_us(rx_backoff, 100000), 640u);
    EXPECT_EQ(nap_us(rx_backoff, ~0u), 640u);  // no shift past the word
}

TEST(BackoffPolicy, RxOnStampedRingsNapsAtOnceWithinAQuarterRingUpTo10kpps) {
    EXPECT_EQ(stamped_rx_nap_us(1000, 4096), 8000u);   // 1 kpps: 8 ms
    EXPECT_EQ(stamped_rx_nap_us(10000, 4096), 8000u);  // 80 frames in 8 ms
    EXPECT_EQ(stamped_rx_nap_us(10000, 256), 6400u);   // a small ring: a quarter in 6.4 ms
    EXPECT_EQ(stamped_rx_nap_us(10000, 16), 400u);
    EXPECT_EQ(stamped_rx_nap_us(10000, 0), 20u);    // never below 20 us
    EXPECT_EQ(stamped_rx_nap_us(10001, 4096), 0u);  // faster: the ordinary back-off
    EXPECT_EQ(stamped_rx_nap_us(0, 4096), 8000u);
    for (unsigned polls : {1u, 2u, 10u, 100000u, ~0u}) {
        EXPECT_EQ(nap_us(stamped_rx_backoff(8000), polls), 8000u) << polls;
        EXPECT_EQ(nap_us(stamped_rx_backoff(4000), polls, 0, first_nap_us(100000)), 4000u) << polls;
    }
}

TEST(BackoffPolicy, AnIdleStretchStartsAtHalfTheLastOnesNaps) {
    const unsigned first = rx_backoff.spin_polls + 1;
    EXPECT_EQ(first_nap_us(1000), 500u);
    EXPECT_EQ(nap_us(rx_backoff, first, 0, first_nap_us(1000)), 500u);
    EXPECT_EQ(nap_us(rx_backoff, first + 1, 0, first_nap_us(1000)), 640u);  // capped
    EXPECT_EQ(nap_us(rx_backoff, first, 0, first_nap_us(20)), 20u);         // never below the profile's
    EXPECT_EQ(nap_us(rx_backoff, first, 0, first_nap_us(100000)), 640u);    // nor above its cap
    EXPECT_EQ(nap_us(rx_backoff, 1, 0, first_nap_us(1000)), 0u);            // still spins first
}

TEST(BackoffPolicy, OutputNaps8msAtOnce) {
    const unsigned naps[] = {8000, 8000, 8000};
    for (unsigned k = 0; k < std::size(naps); ++k) EXPECT_EQ(nap_us(output_backoff, 1 + k), naps[k]) << k;
}

TEST(BackoffPolicy, CooldownStretchesTheNapAtOnce) {
    EXPECT_EQ(nap_us(rx_backoff, rx_backoff.spin_polls + 1, cooldown_nap_us(500000)), 1000u);
    EXPECT_EQ(nap_us(rx_backoff, rx_backoff.spin_polls + 1, cooldown_nap_us(5000)), 50u);
    EXPECT_EQ(nap_us(rx_backoff, rx_backoff.spin_polls + 1, cooldown_nap_us(1000)), 20u);  // never shorter
    EXPECT_EQ(nap_us(rx_backoff, rx_backoff.spin_polls + 6, cooldown_nap_us(1000)), 640u);
    EXPECT_EQ(nap_us(rx_backoff, 1, cooldown_nap_us(500000)), 0u);  // still spins first
}

TEST(BackoffPolicy, CooldownNapKeepsTimestampsWithinOnePercent) {
    for (uint64_t since : {0ull, 99ull, 100ull, 12345ull, 99999ull, 100000ull, 5000000ull}) {
        const unsigned nap = cooldown_nap_us(since);
        EXPECT_LE(nap, 1000u);
        EXPECT_LE(uint64_t(nap) * 100, since) << since;
    }
}
