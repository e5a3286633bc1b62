#include "net/checksum.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace ics;

TEST(Checksum, KnownIpv4Header) {
    // A textbook IPv4 header (Wikipedia's example), checksum 0xb861 at bytes 10-11.
    uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                     0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    EXPECT_EQ(checksum_finish(checksum_add(0, h, 20)), 0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    EXPECT_TRUE(checksum_verifies(h, 20));
    h[19] ^= 1;
    EXPECT_FALSE(checksum_verifies(h, 20));
}

TEST(Checksum, OddLengthPadsWithZero) {
    uint8_t a[3] = {0x12, 0x34, 0x56};
    uint8_t b[4] = {0x12, 0x34, 0x56, 0x00};
    EXPECT_EQ(checksum_add(0, a, 3), checksum_add(0, b, 4));
}

TEST(Checksum, IncrementalUpdateMatchesRecompute) {
    std::mt19937 rng(7);
    for (int iter = 0; iter < 2000; ++iter) {
        std::vector<uint8_t> buf(40);
        for (auto& x : buf) x = uint8_t(rng());
        store_be16(buf.data() + 10, 0);
        store_be16(buf.data() + 10, checksum_finish(checksum_add(0, buf.data(), buf.size())));
        size_t word = (rng() % 20) * 2;
        if (word == 10) continue;
        uint16_t old_word = load_be16(buf.data() + word);
        uint16_t new_word = uint16_t(rng());
        uint16_t updated = checksum_update16(load_be16(buf.data() + 10), old_word, new_word);
        store_be16(buf.data() + word, new_word);
        store_be16(buf.data() + 10, updated);
        EXPECT_TRUE(checksum_verifies(buf.data(), buf.size())) << "iteration " << iter;
    }
}
