// SipHash-c-d written from the paper (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
// 2012) for tests only: any message length, any number of rounds, bytes in and a 64-bit tag out,
// kept apart from the engine's cookie_hash() (probe/cookie.hpp) so that the two can check each
// other. It is itself checked against the published vectors (cookie_test.cpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ics::test {

inline uint64_t siphash_reference(const uint8_t key[16], const uint8_t* msg, size_t len, int c, int d) {
    auto le64 = [](const uint8_t* p) {
        uint64_t x = 0;
        for (int i = 7; i >= 0; --i) x = x << 8 | p[i];
        return x;
    };
    auto rotl = [](uint64_t x, int b) { return (x << b) | (x >> (64 - b)); };
    const uint64_t k0 = le64(key), k1 = le64(key + 8);
    uint64_t v[4] = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull, k0 ^ 0x6c7967656e657261ull,
                     k1 ^ 0x7465646279746573ull};
    auto round = [&] {
        v[0] += v[1], v[1] = rotl(v[1], 13), v[1] ^= v[0], v[0] = rotl(v[0], 32);
        v[2] += v[3], v[3] = rotl(v[3], 16), v[3] ^= v[2];
        v[0] += v[3], v[3] = rotl(v[3], 21), v[3] ^= v[0];
        v[2] += v[1], v[1] = rotl(v[1], 17), v[1] ^= v[2], v[2] = rotl(v[2], 32);
    };
    auto compress = [&](uint64_t m) {
        v[3] ^= m;
        for (int i = 0; i < c; ++i) round();
        v[0] ^= m;
    };
    size_t off = 0;
    for (; off + 8 <= len; off += 8) compress(le64(msg + off));
    uint8_t last[8] = {};
    std::memcpy(last, msg + off, len - off);
    last[7] = uint8_t(len);  // the length mod 256 in the last word's top byte
    compress(le64(last));
    v[2] ^= 0xff;
    for (int i = 0; i < d; ++i) round();
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

}  // namespace ics::test
