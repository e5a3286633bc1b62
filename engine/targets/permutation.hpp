// A keyed pseudo-random permutation of [0, n) for any n up to 2^63, evaluated at any position
// (random access, so shards, threads and resume points are just position arithmetic).
//
// Construction: a Feistel network on pairs (L, R), L in [0, a) and R in [0, 2^k), where 2^k is
// about sqrt(n) and a = ceil(n / 2^k), so the domain a * 2^k exceeds n by less than n / a. Four
// rounds (a strong pseudo-random permutation for random round functions: Luby and Rackoff)
// alternate R ^= F(L) (F a keyed multiplicative hash, k bits) and L = (L + G(R)) mod a (G the same
// hash scaled into [0, a)); when a is a power of two the second is an xor too. Each round is a
// bijection whatever its function, so the network is one on the domain, and cycle walking (a value
// that lands outside [0, n) is enciphered again until it lands inside) restricts it to [0, n):
// every position maps to exactly one index and every index is reached once. Since the domain is
// within a factor 1 + 1/a of n (1 + 2^-k or so), a walk is rare for every n, so the cost per
// position hardly depends on n (a power-of-two domain would make n = 2^m + 1 cost two
// encipherments a position on average).
//
// The order only has to look random to the network (no router sees a sweep); it is not a secret,
// so the round function is chosen for speed: TX evaluates it for every probe. map() enciphers a
// whole burst at once so that the CPU overlaps the independent multiplies, and re-walks only the
// values that fell outside, without a branch per value. Where the CPU has AVX-512 (with 64-bit
// lane multiplies) it enciphers eight positions an instruction (permutation_avx512.cpp), with the
// same result.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>

#include "util/cpu_features.hpp"

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
        : n_(n), wide_(allow_avx512 && cpu_has_avx512_lanes()) {
        unsigned bits = 2;  // both halves at least one bit wide (a shift by 64 is undefined)
        while (bits < 63 && (uint64_t(1) << bits) < n) ++bits;
        low_bits_ = bits / 2;
        low_mask_ = (uint64_t(1) << low_bits_) - 1;
        high_ = std::max<uint64_t>((n + low_mask_) >> low_bits_, 2);  // a: at most 2^32
        high_pow2_ = (high_ & (high_ - 1)) == 0;
        high_shift_ = 64 - unsigned(__builtin_ctzll(high_));  // when a is a power of two
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

    // The keyed hash of a half (Fibonacci hashing: its top bits depend on every bit of the half
    // and of the key).
    static uint64_t hash(uint64_t half, uint64_t key) { return (half ^ key) * feistel_mult; }

    uint64_t encipher(uint64_t x) const {
        uint64_t high = x >> low_bits_, low = x & low_mask_;
        for (int r = 0; r < rounds; r += 2) {
            low ^= hash(high, keys_[r]) >> (64 - low_bits_);
            const uint64_t h = hash(low, keys_[r + 1]);
            if (high_pow2_) {
                high ^= h >> high_shift_;
            } else {
                const uint64_t sum = high + (((h >> 32) * high_) >> 32);  // + G(low), G in [0, a)
                high = sum >= high_ ? sum - high_ : sum;
            }
        }
        return (high << low_bits_) | low;
    }

    uint64_t n_;
    bool wide_;
    unsigned low_bits_ = 0;  // k: R in [0, 2^k)
    uint64_t low_mask_ = 0;
    uint64_t high_ = 2;  // a: L in [0, a)
    bool high_pow2_ = true;
    unsigned high_shift_ = 63;
    std::array<uint64_t, rounds> keys_{};
};

}  // namespace ics
