// The data-path MAC: every algorithm the CPU has checked against known answers through the
// public API (single, burst, lanes): AES-128 against FIPS-197 appendices B and C.1, SipHash-1-3
// against the published 16-byte vector; bursts equal single calls; all keyed and sensitive to
// every input bit.
#include "probe/cookie_mac.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "siphash_reference.hpp"

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

// word64() is lanes 0 and 1 of lanes_burst() (lane 0 low), on every algorithm the CPU has: the
// ICMPv6 probe computes a target's PRF with the one on TX and the other on RX. Inputs with m1's top
// bit set too (IPv6 addresses use all 64 bits).
TEST(CookieMac, Word64IsLanesZeroAndOne) {
    for (mac_algorithm a : algorithms()) {
        const cookie_mac mac({0x1234, 0x5678}, a);
        uint64_t m0[cookie_mac::max_burst], m1[cookie_mac::max_burst];
        uint32_t out[4 * cookie_mac::max_burst];
        for (unsigned i = 0; i < cookie_mac::max_burst; ++i) {
            m0[i] = 0x20010db800000000ull | i;
            m1[i] = (uint64_t(i) << 58) ^ (i * 0x9e3779b97f4a7c15ull);
        }
        mac.lanes_burst(m0, m1, out, cookie_mac::max_burst);
        for (unsigned i = 0; i < cookie_mac::max_burst; ++i)
            EXPECT_EQ(mac.word64(m0[i], m1[i]), uint64_t(out[4 * i + 1]) << 32 | out[4 * i])
                << mac_algorithm_name(a) << " " << i;
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

// Known answers through cookie_mac itself. A block's bytes 0-7 are m0 and 8-15 m1, little-endian,
// and so is the key (k0: bytes 0-7); the MAC is the ciphertext's first 32-bit word (little-endian)
// and lane k its k-th word.
namespace {
struct aes_vector {
    const char* what;
    cookie_key key;
    uint64_t m0, m1;
    uint32_t words[4];  // the ciphertext as four little-endian words
};
// FIPS-197 appendix B: key 2b7e1516 28aed2a6 abf71588 09cf4f3c, input 3243f6a8 885a308d 313198a2
// e0370734, output 3925841d 02dc09fb dc118597 196a0b32. Appendix C.1: key 00 01 .. 0f, input
// 00 11 .. ff, output 69c4e0d8 6a7b0430 d8cdb780 70b4c55a.
constexpr aes_vector fips197[] = {
    {"FIPS-197 B",
     {0xa6d2ae2816157e2bull, 0x3c4fcf098815f7abull},
     0x8d305a88a8f64332ull,
     0x340737e0a2983131ull,
     {0x1d842539u, 0xfb09dc02u, 0x978511dcu, 0x320b6a19u}},
    {"FIPS-197 C.1",
     {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull},
     0x7766554433221100ull,
     0xffeeddccbbaa9988ull,
     {0xd8e0c469u, 0x30047b6au, 0x80b7cdd8u, 0x5ac5b470u}},
};

void expect_aes_known_answers(mac_algorithm algorithm) {
    for (const aes_vector& v : fips197) {
        const cookie_mac mac(v.key, algorithm);
        ASSERT_EQ(mac.algorithm(), algorithm) << mac_algorithm_name(algorithm);
        EXPECT_EQ(mac(v.m0, v.m1), v.words[0]) << v.what;
        for (unsigned k = 0; k < 4; ++k)
            EXPECT_EQ(mac.lane(v.m0, v.m1, k), v.words[k]) << v.what << " lane " << k;
        // Bursts of 1 to 9 blocks: VAES takes four at a time and the rest one by one.
        for (unsigned n = 1; n <= 9; ++n) {
            uint64_t m0[9], m1[9];
            uint32_t out[9], lanes[36];
            for (unsigned i = 0; i < n; ++i) m0[i] = v.m0, m1[i] = v.m1;
            mac.burst(m0, m1, out, n);
            mac.lanes_burst(m0, m1, lanes, n);
            for (unsigned i = 0; i < n; ++i) {
                EXPECT_EQ(out[i], v.words[0]) << v.what << " burst of " << n << " #" << i;
                for (unsigned k = 0; k < 4; ++k)
                    EXPECT_EQ(lanes[4 * i + k], v.words[k]) << v.what << " lanes burst of " << n << " #" << i;
            }
        }
    }
}
}  // namespace

TEST(CookieMac, Aes128MatchesFips197AppendixB) {
    if (!cookie_mac::cpu_has_aesni()) GTEST_SKIP() << "this CPU has no AES-NI";
    const uint8_t key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                             0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
    const uint8_t in[16] = {0x32, 0x43, 0xf6, 0xa8, 0x88, 0x5a, 0x30, 0x8d,
                            0x31, 0x31, 0x98, 0xa2, 0xe0, 0x37, 0x07, 0x34};
    const uint8_t expected[16] = {0x39, 0x25, 0x84, 0x1d, 0x02, 0xdc, 0x09, 0xfb,
                                  0xdc, 0x11, 0x85, 0x97, 0x19, 0x6a, 0x0b, 0x32};
    uint8_t out[16];
    cookie_mac::aes128_encrypt(key, in, out);
    EXPECT_EQ(std::vector<uint8_t>(out, out + 16), std::vector<uint8_t>(expected, expected + 16));
}

TEST(CookieMac, AesNiPathGivesFips197KnownAnswers) {
    if (!cookie_mac::cpu_has(mac_algorithm::aes128_ni)) GTEST_SKIP() << "this CPU has no AES-NI";
    expect_aes_known_answers(mac_algorithm::aes128_ni);
}

TEST(CookieMac, VaesPathGivesFips197KnownAnswers) {
    if (!cookie_mac::cpu_has(mac_algorithm::aes128_vaes)) GTEST_SKIP() << "this CPU has no VAES with AVX-512";
    expect_aes_known_answers(mac_algorithm::aes128_vaes);
}

// The SipHash path on any CPU: the MAC is the top half of SipHash-1-3's published 16-byte vector
// (key 00 .. 0f, message 00 .. 0f: 0xcc4fdd1a7d908b66); lanes 0-1 are its two halves and lanes 2-3
// the halves of the tag of the same message with bit 63 of m1 set (byte 15 = 0x8f), which the
// test's reference SipHash (itself checked against the published vectors) gives.
TEST(CookieMac, SipHashPathGivesThePublishedVector) {
    const cookie_mac mac({0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull}, mac_algorithm::siphash13);
    ASSERT_EQ(mac.algorithm(), mac_algorithm::siphash13);
    const uint64_t m0 = 0x0706050403020100ull, m1 = 0x0f0e0d0c0b0a0908ull;
    EXPECT_EQ(mac(m0, m1), 0xcc4fdd1au);
    uint8_t key[16], msg[16];
    for (unsigned i = 0; i < 16; ++i) key[i] = msg[i] = uint8_t(i);
    msg[15] |= 0x80;
    const uint64_t high = test::siphash_reference(key, msg, 16, 1, 3);
    const uint32_t lanes[4] = {0x7d908b66u, 0xcc4fdd1au, uint32_t(high), uint32_t(high >> 32)};
    uint32_t burst_lanes[4];
    mac.lanes_burst(&m0, &m1, burst_lanes, 1);
    for (unsigned k = 0; k < 4; ++k) {
        EXPECT_EQ(mac.lane(m0, m1, k), lanes[k]) << "lane " << k;
        EXPECT_EQ(burst_lanes[k], lanes[k]) << "lanes_burst lane " << k;
    }
    uint32_t one;
    mac.burst(&m0, &m1, &one, 1);
    EXPECT_EQ(one, 0xcc4fdd1au);
}
