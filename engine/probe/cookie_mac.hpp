// The probe cookie as used on the data path: a 32-bit MAC of two 64-bit words under the scan's
// 128-bit key. Where the CPU has AES-NI it is AES-128 (all ten rounds) of the 16-byte block,
// truncated to 32 bits, computed a burst at a time so that the rounds of different probes overlap
// in the pipeline (about 3 ns a probe, against 10 for SipHash). Without AES-NI it is SipHash-1-3
// (cookie.hpp). Both are keyed PRFs; which one runs is fixed at start-up and the same for TX and
// RX, since probes are only ever checked by the process that sent them.
#pragma once
#include <array>
#include <cstdint>

#include "probe/cookie.hpp"

namespace ics {

enum class mac_algorithm { aes128_ni, siphash13 };

class cookie_mac {
public:
    static constexpr unsigned max_burst = 64;
    // AES-NI when the CPU has it, unless `allow_aesni` is false (tests of the fallback).
    explicit cookie_mac(const cookie_key& key = {}, bool allow_aesni = true);

    mac_algorithm algorithm() const { return aesni_ ? mac_algorithm::aes128_ni : mac_algorithm::siphash13; }

    // The MAC of (m0, m1).
    uint32_t operator()(uint64_t m0, uint64_t m1) const;
    // out[i] = MAC of (m0[i], m1[i]) for i < n (n <= max_burst).
    void burst(const uint64_t* m0, const uint64_t* m1, uint32_t* out, unsigned n) const;

    // AES-128 of one block (FIPS-197 byte order); the known-answer tests check the AES-NI path
    // with it. Requires AES-NI.
    static void aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);
    static bool cpu_has_aesni();

private:
    alignas(16) std::array<std::array<uint8_t, 16>, 11> round_keys_{};
    cookie_key key_;
    bool aesni_ = false;
};

}  // namespace ics
