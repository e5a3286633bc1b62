#include "probe/cookie.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace ics;

TEST(Cookie, DeterministicAndKeyed) {
    cookie_key k1{1, 2}, k2{1, 3};
    EXPECT_EQ(cookie_hash(k1, 10, 20), cookie_hash(k1, 10, 20));
    EXPECT_NE(cookie_hash(k1, 10, 20), cookie_hash(k2, 10, 20));
}

TEST(Cookie, EveryInputBitMatters) {
    cookie_key k{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    const uint64_t m0 = 0xc613ff01c6120005ull, m1 = 0x12345678000fff01ull;
    const uint64_t base = cookie_hash(k, m0, m1);
    for (int bit = 0; bit < 64; ++bit) {
        uint64_t a = cookie_hash(k, m0 ^ (1ull << bit), m1), b = cookie_hash(k, m0, m1 ^ (1ull << bit));
        // Each truncated half must change too: probes carry 32 bits of it.
        EXPECT_NE(uint32_t(a >> 32), uint32_t(base >> 32)) << "m0 bit " << bit;
        EXPECT_NE(uint32_t(b >> 32), uint32_t(base >> 32)) << "m1 bit " << bit;
    }
}

TEST(Cookie, OutputsLookUniform) {
    cookie_key k{11, 12};
    std::set<uint32_t> top;
    int ones = 0;
    for (uint64_t i = 0; i < 4096; ++i) {
        uint64_t h = cookie_hash(k, i, 0);
        top.insert(uint32_t(h >> 32));
        ones += __builtin_popcountll(h);
    }
    EXPECT_EQ(top.size(), 4096u);
    EXPECT_NEAR(double(ones) / (4096 * 64), 0.5, 0.01);
}
