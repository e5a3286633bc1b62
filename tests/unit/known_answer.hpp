// What the probes' known-answer tests check frames with, written apart from the engine's code: an
// RFC 1071 checksum summed byte pair by byte pair, big-endian reads, and the cookie's MAC block
// computed from its definition (AES-128 of the block, FIPS-197-checked in cookie_mac_test.cpp, or
// the test's own SipHash-1-3) rather than through the probe.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "probe/cookie_mac.hpp"
#include "siphash_reference.hpp"

namespace ics::test {

// RFC 1071 section 4.1's loop: 16-bit words added with the carries folded back at the end; a
// region holding its own checksum verifies when this is 0xffff.
inline uint16_t rfc1071_sum(const uint8_t* p, size_t n) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2) sum += uint32_t(p[i]) << 8 | p[i + 1];
    if (n % 2) sum += uint32_t(p[n - 1]) << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(sum);
}

inline uint16_t be16_at(const std::vector<uint8_t>& f, size_t at) {
    return uint16_t(f.at(at) << 8 | f.at(at + 1));
}
inline uint32_t be32_at(const std::vector<uint8_t>& f, size_t at) {
    return uint32_t(be16_at(f, at)) << 16 | be16_at(f, at + 2);
}

// Bytes as "45 00 00 24 ...", so that a failing comparison shows which byte differs.
inline std::string hex(const std::vector<uint8_t>& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i) s += i % 16 ? ' ' : '\n';
        s += digits[bytes[i] >> 4];
        s += digits[bytes[i] & 15];
    }
    return s;
}

// Whether a probe keyed with `key` on this CPU uses AES (AES-NI or VAES: the same function) or
// SipHash-1-3: the two give different cookies, so each has its own expected bytes.
inline bool probe_mac_is_aes(const cookie_key& key) {
    return cookie_mac(key).algorithm() != mac_algorithm::siphash13;
}

// The four 32-bit words of the MAC block of (m0, m1), as cookie_mac.hpp defines them. AES: the
// ciphertext of the 16 bytes m0 | m1 (little-endian) under the key's 16 bytes (k0 first,
// little-endian), as four little-endian words. SipHash: words 0-1 the low and high halves of
// SipHash-1-3 of those bytes, 2-3 the same with m1's bit 63 set.
inline std::array<uint32_t, 4> mac_block(const cookie_key& key, uint64_t m0, uint64_t m1) {
    uint8_t k[16], in[16];
    for (int b = 0; b < 8; ++b) {
        k[b] = uint8_t(key.k0 >> 8 * b);
        k[8 + b] = uint8_t(key.k1 >> 8 * b);
        in[b] = uint8_t(m0 >> 8 * b);
        in[8 + b] = uint8_t(m1 >> 8 * b);
    }
    std::array<uint32_t, 4> w{};
    if (probe_mac_is_aes(key)) {
        uint8_t out[16];
        cookie_mac::aes128_encrypt(k, in, out);
        for (int i = 0; i < 4; ++i)
            w[i] = uint32_t(out[4 * i]) | uint32_t(out[4 * i + 1]) << 8 | uint32_t(out[4 * i + 2]) << 16 |
                   uint32_t(out[4 * i + 3]) << 24;
        return w;
    }
    const uint64_t lo = siphash_reference(k, in, 16, 1, 3);
    in[15] |= 0x80;
    const uint64_t hi = siphash_reference(k, in, 16, 1, 3);
    return {uint32_t(lo), uint32_t(lo >> 32), uint32_t(hi), uint32_t(hi >> 32)};
}

// cookie_mac's 32-bit MAC of (m0, m1): AES's first word, SipHash's high half (probe/cookie_mac.cpp).
inline uint32_t mac32(const cookie_key& key, uint64_t m0, uint64_t m1) {
    return mac_block(key, m0, m1)[probe_mac_is_aes(key) ? 0 : 1];
}

}  // namespace ics::test
