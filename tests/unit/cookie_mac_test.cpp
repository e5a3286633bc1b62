// The data-path MAC: AES-128 checked against FIPS-197's known answer, bursts equal single calls,
// and both algorithms (AES-NI and the SipHash fallback) keyed and sensitive to every input bit.
#include "probe/cookie_mac.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

using namespace ics;

namespace {
// Every algorithm this CPU has.
std::vector<mac_algorithm> algorithms() {
    std::vector<mac_algorithm> have;
    for (auto a : {mac_algorithm::siphash13, mac_algorithm::aes128_ni, mac_algorithm::aes128_vaes})
        if (cookie_mac::cpu_has(a)) have.push_back(a);
    return have;
}
bool is_aes(mac_algorithm a) {
    return a != mac_algorithm::siphash13;
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
    const cookie_mac mac(k, mac_algorithm::aes128_ni);
    ASSERT_EQ(mac.algorithm(), mac_algorithm::aes128_ni);
    // Block bytes 0-7 are m0 and 8-15 m1, little-endian: FIPS-197's plaintext again.
    const uint64_t m0 = 0x7766554433221100ull, m1 = 0xffeeddccbbaa9988ull;
    EXPECT_EQ(mac(m0, m1), 0xd8e0c469u);
}

TEST(CookieMac, FallbackIsSipHash) {
    const cookie_key k{5, 6};
    const cookie_mac mac(k, mac_algorithm::siphash13);
    EXPECT_EQ(mac.algorithm(), mac_algorithm::siphash13);
    EXPECT_EQ(mac(10, 20), uint32_t(cookie_hash(k, 10, 20) >> 32));
}

TEST(CookieMac, BurstEqualsSingleCalls) {
    for (mac_algorithm aes : algorithms()) {
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

// The VAES path computes four blocks per instruction and the rest one by one: every burst length
// gives what AES-NI gives.
TEST(CookieMac, VaesBurstEqualsAesNiForEveryLength) {
    if (!cookie_mac::cpu_has(mac_algorithm::aes128_vaes)) GTEST_SKIP() << "this CPU has no VAES with AVX-512";
    const cookie_mac wide({0x1234, 0x5678}, mac_algorithm::aes128_vaes),
        narrow({0x1234, 0x5678}, mac_algorithm::aes128_ni);
    ASSERT_EQ(wide.algorithm(), mac_algorithm::aes128_vaes);
    uint64_t m0[cookie_mac::max_burst], m1[cookie_mac::max_burst];
    for (unsigned i = 0; i < cookie_mac::max_burst; ++i) {
        m0[i] = 0xc613ff01c6120000ull + i * 7919;
        m1[i] = uint64_t(i * 977) << 32 | 0xff01;
    }
    for (unsigned n = 0; n <= cookie_mac::max_burst; ++n) {
        uint32_t a[cookie_mac::max_burst + 1], b[cookie_mac::max_burst + 1];
        a[n] = b[n] = 0xdeadbeef;  // nothing past n is written
        wide.burst(m0, m1, a, n);
        narrow.burst(m0, m1, b, n);
        for (unsigned i = 0; i < n; ++i) EXPECT_EQ(a[i], b[i]) << "n " << n << " i " << i;
        EXPECT_EQ(a[n], 0xdeadbeefu) << n;
    }
}

// Trace mode takes four MACs from one block: the burst gives what lane() gives, the four lanes
// differ, and for AES lane 0 is the ordinary MAC.
TEST(CookieMac, LanesBurstEqualsSingleLanes) {
    for (mac_algorithm aes : algorithms()) {
        const cookie_mac mac({0x1234, 0x5678}, aes);
        uint64_t m0[cookie_mac::max_burst], m1[cookie_mac::max_burst];
        uint32_t out[4 * cookie_mac::max_burst];
        for (unsigned i = 0; i < cookie_mac::max_burst; ++i) {
            m0[i] = 0xc613ff0100000054ull;
            m1[i] = uint64_t(i % 16) << 24 | (i * 977);
        }
        mac.lanes_burst(m0, m1, out, cookie_mac::max_burst);
        for (unsigned i = 0; i < cookie_mac::max_burst; ++i) {
            for (unsigned k = 0; k < 4; ++k)
                EXPECT_EQ(out[4 * i + k], mac.lane(m0[i], m1[i], k)) << i << " " << k;
            std::set<uint32_t> distinct(out + 4 * i, out + 4 * i + 4);
            EXPECT_EQ(distinct.size(), 4u) << i;
            if (is_aes(aes)) {
                EXPECT_EQ(out[4 * i], mac(m0[i], m1[i])) << i;
            }
        }
    }
}

TEST(CookieMac, KeyedAndEveryInputBitMatters) {
    for (mac_algorithm aes : algorithms()) {
        const cookie_mac mac({0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull}, aes);
        const cookie_mac other({0x0706050403020100ull, 0x0f0e0d0c0b0a0909ull}, aes);
        const uint64_t m0 = 0xc613ff01c6120005ull, m1 = 0x12345678000fff01ull;
        EXPECT_NE(mac(m0, m1), other(m0, m1));
        for (int bit = 0; bit < 64; ++bit) {
            EXPECT_NE(mac(m0 ^ (1ull << bit), m1), mac(m0, m1))
                << mac_algorithm_name(aes) << " m0 bit " << bit;
            EXPECT_NE(mac(m0, m1 ^ (1ull << bit)), mac(m0, m1))
                << mac_algorithm_name(aes) << " m1 bit " << bit;
        }
    }
}

TEST(CookieMac, OutputsLookUniform) {
    for (mac_algorithm aes : algorithms()) {
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
