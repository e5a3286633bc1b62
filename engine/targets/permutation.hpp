// A keyed pseudo-random permutation of [0, n) for any n up to 2^63, evaluated at any position
// (random access, so shards, threads and resume points are just position arithmetic).
//
// Construction: a Feistel network over the smallest power of two 2^b >= n, with four rounds (a
// strong pseudo-random permutation for random round functions: Luby and Rackoff) of a keyed
// multiplicative hash, plus cycle walking: a value that lands outside [0, n) is enciphered
// again until it lands inside. When b is odd the two halves differ by one bit and swap widths each
// round (an unbalanced, alternating Feistel; an even number of rounds brings them back). A Feistel network is
// a bijection on its domain whatever the round function, and cycle walking restricts a bijection to a subset,
// so every position maps to exactly one index and every index is reached once. The domain is < 2n (or 4 when
// n <= 2), so fewer than 2 walks are expected, 1.4 on average over sizes.
//
// The order only has to look random to the network (no router sees a sweep); it is not a secret,
// so the round function is chosen for speed: TX evaluates it for every probe. map() enciphers a
// whole burst at once so that the CPU overlaps the independent multiplies, and re-walks only the
// values that fell outside, without a branch per value: its cost hardly depends on n. Where the CPU
// has AVX-512 (with 64-bit lane multiplies) it enciphers eight positions an instruction
// (permutation_avx512.cpp), with the same result.
#pragma once
#include <array>
#include <cstdint>

namespace ics {

// splitmix64's finalizer: a fast, well-mixing 64-bit bijection (key derivation).
inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

class permutation {
public:
    static constexpr int rounds = 4;  // even: the halves end at their starting widths
    static constexpr unsigned max_burst = 64;

    // `allow_avx512` false keeps the scalar code (tests compare the two).
    permutation(uint64_t n, uint64_t seed, bool allow_avx512 = true)
        : n_(n), wide_(allow_avx512 && cpu_has_avx512()) {
        unsigned bits = 2;  // both halves at least one bit wide (a shift by 64 is undefined)
        while (bits < 63 && (uint64_t(1) << bits) < n) ++bits;
        right_bits_ = bits / 2;
        right_mask_ = (uint64_t(1) << right_bits_) - 1;
        shifts_ = {64 - (bits - right_bits_), 64 - right_bits_};
        uint64_t s = seed;
        for (auto& k : keys_) {
            s += 0x9e3779b97f4a7c15ull;
            k = mix64(s);
        }
    }

    uint64_t size() const { return n_; }
    bool vectorized() const { return wide_; }
    static bool cpu_has_avx512();

    // The index at position `pos` (pos < size()).
    uint64_t operator()(uint64_t pos) const {
        if (n_ <= 1) return pos;
        uint64_t x = pos;
        do x = encipher(x);
        while (x >= n_);
        return x;
    }

    // out[i] = (*this)(pos[i]) for i < count (count <= max_burst).
    void map(const uint64_t* pos, uint64_t* out, unsigned count) const {
        if (n_ <= 1) {
            for (unsigned i = 0; i < count; ++i) out[i] = pos[i];
            return;
        }
        if (wide_) {
            map_avx512(pos, out, count);
            return;
        }
        uint8_t outside[max_burst];
        unsigned left = 0;
        for (unsigned i = 0; i < count; ++i) {
            out[i] = encipher(pos[i]);
            outside[left] = uint8_t(i);
            left += out[i] >= n_;
        }
        while (left) {
            unsigned still = 0;
            for (unsigned j = 0; j < left; ++j) {
                const unsigned i = outside[j];
                out[i] = encipher(out[i]);
                outside[still] = uint8_t(i);
                still += out[i] >= n_;
            }
            left = still;
        }
    }

private:
    static constexpr uint64_t feistel_mult = 0x9e3779b97f4a7c15ull;
    void map_avx512(const uint64_t* pos, uint64_t* out, unsigned count) const;

    uint64_t encipher(uint64_t x) const {
        uint64_t left = x >> right_bits_, right = x & right_mask_;
        for (int r = 0; r < rounds; ++r) {
            // (left, right) -> (right, left ^ F(right)), F = the top bits of a keyed multiply
            // (Fibonacci hashing: each of them depends on every bit of right and of the key), as
            // many as left has. The halves swap widths each round.
            const uint64_t f = ((right ^ keys_[r]) * feistel_mult) >> shifts_[r & 1];
            const uint64_t next = left ^ f;
            left = right;
            right = next;
        }
        return (left << right_bits_) | right;
    }

    uint64_t n_;
    bool wide_;
    unsigned right_bits_ = 0;
    uint64_t right_mask_ = 0;
    std::array<unsigned, 2> shifts_{};  // 64 minus the left half's width, minus the right half's
    std::array<uint64_t, rounds> keys_{};
};

}  // namespace ics
