// Property tests: the permutation visits every index exactly once, for many sizes and seeds, and its
// burst map (scalar, and AVX-512 where the CPU has it) gives the single-position walk.
#include "targets/permutation.hpp"
#include "util/cpu_features.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace ics;

namespace {
void expect_bijection(uint64_t n, uint64_t seed) {
    permutation p(n, seed);
    std::vector<uint8_t> seen(n, 0);
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t x = p(i);
        ASSERT_LT(x, n) << "n=" << n << " seed=" << seed;
        ASSERT_EQ(seen[x], 0) << "index " << x << " visited twice, n=" << n << " seed=" << seed;
        seen[x] = 1;
    }
}
}  // namespace

TEST(Permutation, EveryIndexExactlyOnceSmallSizes) {
    for (uint64_t n = 0; n <= 600; ++n)
        for (uint64_t seed : {0ull, 1ull, 0xdeadbeefull}) expect_bijection(n, seed);
}

TEST(Permutation, EveryIndexExactlyOnceAwkwardSizes) {
    for (uint64_t n :
         {1023ull, 1024ull, 1025ull, 65535ull, 65536ull, 65537ull, 100003ull, (1ull << 20) + 7, 3000000ull})
        for (uint64_t seed : {5ull, 77ull}) expect_bijection(n, seed);
}

TEST(Permutation, SeedChangesOrderAndIsReproducible) {
    permutation a(100000, 1), b(100000, 2), a2(100000, 1);
    int same = 0;
    for (uint64_t i = 0; i < 1000; ++i) {
        EXPECT_EQ(a(i), a2(i));
        same += a(i) == b(i);
    }
    EXPECT_LT(same, 5);
}

TEST(Permutation, ScattersConsecutivePositions) {
    // Neighbouring positions should not map to neighbouring indices (no router sees a sweep).
    permutation p(1 << 16, 9);
    int adjacent = 0;
    for (uint64_t i = 0; i + 1 < 10000; ++i) {
        uint64_t d = p(i) > p(i + 1) ? p(i) - p(i + 1) : p(i + 1) - p(i);
        adjacent += d < 16;
    }
    EXPECT_LT(adjacent, 20);
}

TEST(Permutation, HugeDomainStaysInRange) {
    permutation p((1ull << 32) - 592708864ull, 11);  // about IPv4 minus the default blocklist
    for (uint64_t i = 0; i < 100000; ++i) ASSERT_LT(p(i * 40000), p.size());
}

namespace {
// The sizes the burst tests cover: with and without cycle walking, and the size of a real scan.
const uint64_t burst_sizes[] = {2ull,     3ull,      100ull,     1000ull,
                                65536ull, 100003ull, 3000000ull, (1ull << 32) - 592708864ull};

// Checks map() of `p` against the scalar walk of `scalar`, one position at a time, for every burst
// length from two starts; nothing past the burst is written.
void expect_burst_equals_scalar(const permutation& p, const permutation& scalar, uint64_t n) {
    for (uint64_t start : {uint64_t(0), n / 3}) {
        for (unsigned count = 0; count <= permutation::max_burst; ++count) {
            uint64_t pos[permutation::max_burst], out[permutation::max_burst + 1];
            for (unsigned i = 0; i < count; ++i) pos[i] = (start + i * 977) % n;
            out[count] = 12345;  // nothing past count is written
            p.map(pos, out, count);
            for (unsigned i = 0; i < count; ++i)
                ASSERT_EQ(out[i], scalar(pos[i])) << "n " << n << " count " << count << " i " << i;
            ASSERT_EQ(out[count], 12345u);
        }
    }
}
}  // namespace

// The scalar map() (bursts, cycle walking by rounds) gives what the scalar walk gives, one position
// at a time, for sizes with and without cycle walking and every burst length.
TEST(Permutation, ScalarBurstMapEqualsSinglePositions) {
    for (uint64_t n : burst_sizes) {
        const permutation narrow(n, 7, false);
        expect_burst_equals_scalar(narrow, narrow, n);
    }
}

// The AVX-512 map() gives what the scalar walk gives. Without AVX-512 both would be the scalar
// code, so the test skips (tests/expected-skips: no-avx512) instead of comparing it with itself.
TEST(Permutation, Avx512BurstMapEqualsScalar) {
    if (!cpu_has_avx512_lanes()) GTEST_SKIP() << "this CPU has no AVX-512 F+DQ: no vector path to compare";
    for (uint64_t n : burst_sizes) expect_burst_equals_scalar(permutation(n, 7), permutation(n, 7, false), n);
}
