// The keyed probe cookie: SipHash-1-3 (Aumasson and Bernstein) over two 64-bit words, keyed
// with 128 random bits drawn per scan. Without the key a third party cannot forge a reply that
// validates, and a reply whose covered fields changed by one bit fails (2^-32 odds of a false
// pass for a 32-bit truncation).
#pragma once
#include <cstdint>
#include <initializer_list>

namespace ics {

struct cookie_key {
    uint64_t k0 = 0, k1 = 0;
};

namespace detail {
inline uint64_t rotl(uint64_t x, int b) {
    return (x << b) | (x >> (64 - b));
}
inline void sip_round(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3) {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
}
}  // namespace detail

// SipHash-1-3 of the 16-byte message (m0, m1).
inline uint64_t cookie_hash(const cookie_key& key, uint64_t m0, uint64_t m1) {
    uint64_t v0 = key.k0 ^ 0x736f6d6570736575ull, v1 = key.k1 ^ 0x646f72616e646f6dull;
    uint64_t v2 = key.k0 ^ 0x6c7967656e657261ull, v3 = key.k1 ^ 0x7465646279746573ull;
    for (uint64_t m : {m0, m1}) {
        v3 ^= m;
        detail::sip_round(v0, v1, v2, v3);
        v0 ^= m;
    }
    const uint64_t last = uint64_t(16) << 56;  // message length in the top byte, no tail bytes
    v3 ^= last;
    detail::sip_round(v0, v1, v2, v3);
    v0 ^= last;
    v2 ^= 0xff;
    for (int i = 0; i < 3; ++i) detail::sip_round(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

}  // namespace ics
