#include "pace/tsc_calibration.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace ics;

// A machine whose TSC runs at 2.096 GHz, and a preemption that pushes the i-th pair's TSC readings
// `gaps[i]` cycles apart.
struct fake_clocks {
    std::vector<uint64_t> gaps;
    uint64_t tsc = 1'000'000;
    size_t reads = 0;
    uint64_t ns_at(uint64_t t) const { return uint64_t(uint128(t) * 1'000'000'000 / 2'096'000'000); }
    uint64_t read_tsc() {
        const uint64_t t = tsc;
        tsc += (reads++ % 2 == 0) ? gaps[(reads / 2) % gaps.size()] : 50;
        return t;
    }
};

TEST(TscCalibration, KeepsTheNarrowestBracketAndItsMiddle) {
    fake_clocks c{{5000, 40, 9000, 400}};
    auto r = paired_reading([&] { return c.read_tsc(); }, [&] { return c.ns_at(c.tsc); }, 4);
    // The kernel clock is read at the end of each bracket. The second pair's (40 cycles) is the
    // narrowest: its middle is 20 cycles (10 ns) from that reading; the next narrowest's is 95 ns.
    EXPECT_EQ(c.reads, 8u);
    EXPECT_NEAR(double(r.ns), double(c.ns_at(r.tsc)), 20.0);
}

TEST(TscCalibration, MeasuresTheFrequencyBetweenTwoReadings) {
    const tsc_ns_reading a{1'000'000, 5'000'000};
    for (uint64_t hz : {1'000'000'000ull, 2'096'018'000ull, 2'100'000'000ull, 3'999'999'999ull}) {
        const uint64_t ns = 50'000'000;  // 50 ms later
        const tsc_ns_reading b{a.tsc + uint64_t(uint128(hz) * ns / 1'000'000'000), a.ns + ns};
        EXPECT_NEAR(double(tsc_hz_between(a, b)), double(hz), 20.0) << hz;
    }
    // A day of cycles at 4 GHz: no overflow.
    const tsc_ns_reading day{a.tsc + 4'000'000'000ull * 86400, a.ns + 86400ull * 1'000'000'000};
    EXPECT_EQ(tsc_hz_between(a, day), 4'000'000'000ull);
}

TEST(TscCalibration, RefusesReadingsThatSpanNoTime) {
    const tsc_ns_reading a{1000, 1000};
    EXPECT_EQ(tsc_hz_between(a, a), 0u);
    EXPECT_EQ(tsc_hz_between(a, {2000, 999}), 0u);
    EXPECT_EQ(tsc_hz_between(a, {999, 2000}), 0u);
}
