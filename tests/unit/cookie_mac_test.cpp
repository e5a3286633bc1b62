// The data-path MAC: AES-128 checked against FIPS-197's known answer, bursts equal single calls,
// and both algorithms (AES-NI and the SipHash fallback) keyed and sensitive to every input bit.
#include "probe/cookie_mac.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

using namespace ics;

namespace {
std::vector<bool> algorithms() {
    std::vector<bool> allow = {false};
    if (cookie_mac::cpu_has_aesni()) allow.push_back(true);
    return allow;
}
}  // namespace

TEST(CookieMac, Aes128MatchesFips197KnownAnswer) {
    if (!cookie_mac::cpu_has_aesni()) GTEST_SKIP() << "this CPU has no AES-NI";
    // FIPS-197 appendix C.1.
    const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    const uint8_t in[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                            0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    const uint8_t expected[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                  0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
    uint8_t out[16];
    cookie_mac::aes128_encrypt(key, in, out);
    EXPECT_EQ(std::vector<uint8_t>(out, out + 16), std::vector<uint8_t>(expected, expected + 16));
}

TEST(CookieMac, AesMacIsTheCiphertextsFirstWord) {
    if (!cookie_mac::cpu_has_aesni()) GTEST_SKIP() << "this CPU has no AES-NI";
    const cookie_key k{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    const cookie_mac mac(k);
    ASSERT_EQ(mac.algorithm(), mac_algorithm::aes128_ni);
    // Block bytes 0-7 are m0 and 8-15 m1, little-endian: FIPS-197's plaintext again.
    const uint64_t m0 = 0x7766554433221100ull, m1 = 0xffeeddccbbaa9988ull;
    EXPECT_EQ(mac(m0, m1), 0xd8e0c469u);
}

TEST(CookieMac, FallbackIsSipHash) {
    const cookie_key k{5, 6};
    const cookie_mac mac(k, false);
    EXPECT_EQ(mac.algorithm(), mac_algorithm::siphash13);
    EXPECT_EQ(mac(10, 20), uint32_t(cookie_hash(k, 10, 20) >> 32));
}

TEST(CookieMac, BurstEqualsSingleCalls) {
    for (bool aes : algorithms()) {
        const cookie_mac mac({0x1234, 0x5678}, aes);
        uint64_t m0[cookie_mac::max_burst], m1[cookie_mac::max_burst];
        uint32_t out[cookie_mac::max_burst];
        for (unsigned i = 0; i < cookie_mac::max_burst; ++i) {
            m0[i] = 0xc613ff01c6120000ull + i;
            m1[i] = uint64_t(i * 977) << 32 | 0xff01;
        }
        mac.burst(m0, m1, out, cookie_mac::max_burst);
        for (unsigned i = 0; i < cookie_mac::max_burst; ++i) EXPECT_EQ(out[i], mac(m0[i], m1[i])) << i;
    }
}

TEST(CookieMac, KeyedAndEveryInputBitMatters) {
    for (bool aes : algorithms()) {
        const cookie_mac mac({0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull}, aes);
        const cookie_mac other({0x0706050403020100ull, 0x0f0e0d0c0b0a0909ull}, aes);
        const uint64_t m0 = 0xc613ff01c6120005ull, m1 = 0x12345678000fff01ull;
        EXPECT_NE(mac(m0, m1), other(m0, m1));
        for (int bit = 0; bit < 64; ++bit) {
            EXPECT_NE(mac(m0 ^ (1ull << bit), m1), mac(m0, m1)) << "aes " << aes << " m0 bit " << bit;
            EXPECT_NE(mac(m0, m1 ^ (1ull << bit)), mac(m0, m1)) << "aes " << aes << " m1 bit " << bit;
        }
    }
}

TEST(CookieMac, OutputsLookUniform) {
    for (bool aes : algorithms()) {
        const cookie_mac mac({11, 12}, aes);
        std::set<uint32_t> seen;
        int ones = 0;
        for (uint64_t i = 0; i < 4096; ++i) {
            const uint32_t m = mac(i, 0);
            seen.insert(m);
            ones += __builtin_popcount(m);
        }
        EXPECT_EQ(seen.size(), 4096u);
        EXPECT_NEAR(double(ones) / (4096 * 32), 0.5, 0.01);
    }
}
