// A keyed pseudo-random permutation of [0, n) for any n up to 2^63, evaluated at any position
// (random access, so shards, threads and resume points are just position arithmetic).
//
// Construction: a balanced Feistel network over 2^(2h) >= n (h = half the bit width, rounded up)
// with six rounds of a keyed 64-bit mixer, plus cycle walking: a value that lands outside [0, n) is
// enciphered again until it lands inside. A Feistel network is a bijection on its domain whatever
// the round function, and cycle walking restricts a bijection to a subset, so every position maps
// to exactly one index and every index is reached once. The domain is < 4n, so the expected number
// of walks is below 4 (about 1.5 on average over sizes).
#pragma once
#include <array>
#include <cstdint>

namespace ics {

// splitmix64's finalizer: a fast, well-mixing 64-bit bijection.
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
    static constexpr int rounds = 6;

    permutation(uint64_t n, uint64_t seed) : n_(n) {
        unsigned bits = 1;
        while (bits < 63 && (uint64_t(1) << bits) < n) ++bits;
        half_bits_ = (bits + 1) / 2;
        half_mask_ = (uint64_t(1) << half_bits_) - 1;
        uint64_t s = seed;
        for (auto& k : keys_) {
            s += 0x9e3779b97f4a7c15ull;
            k = mix64(s);
        }
    }

    uint64_t size() const { return n_; }

    // The index at position `pos` (pos < size()).
    uint64_t operator()(uint64_t pos) const {
        if (n_ <= 1) return pos;
        uint64_t x = pos;
        do x = encipher(x);
        while (x >= n_);
        return x;
    }

private:
    uint64_t encipher(uint64_t x) const {
        uint64_t left = x >> half_bits_, right = x & half_mask_;
        for (int r = 0; r < rounds; ++r) {
            uint64_t next = left ^ (mix64(right ^ keys_[r]) & half_mask_);
            left = right;
            right = next;
        }
        return (left << half_bits_) | right;
    }

    uint64_t n_;
    unsigned half_bits_ = 1;
    uint64_t half_mask_ = 1;
    std::array<uint64_t, rounds> keys_{};
};

}  // namespace ics
