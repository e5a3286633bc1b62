// The probe cookie as used on the data path: a 32-bit MAC of two 64-bit words under the scan's
// 128-bit key. Where the CPU has AES-NI it is AES-128 (all ten rounds) of the 16-byte block,
// truncated to 32 bits, computed a burst at a time so that the rounds of different probes overlap
// in the pipeline; where it also has VAES with AVX-512, four blocks go through each instruction.
// Without AES-NI it is SipHash-1-3 (cookie.hpp). All are keyed PRFs; the two AES paths compute the
// same function, and which one runs is fixed at start-up and the same for TX and RX, since probes
// are only ever checked by the process that sent them.
#pragma once
#include <array>
#include <cstdint>

#include "probe/cookie.hpp"

namespace ics {

// In order of preference. aes128_vaes differs from aes128_ni only in how bursts are computed.
enum class mac_algorithm { siphash13, aes128_ni, aes128_vaes };
const char* mac_algorithm_name(mac_algorithm a);

class cookie_mac {
public:
    static constexpr unsigned max_burst = 64;
    // The best algorithm the CPU has, at most `best` (tests and benchmarks ask for the others).
    explicit cookie_mac(const cookie_key& key = {}, mac_algorithm best = mac_algorithm::aes128_vaes);

    mac_algorithm algorithm() const { return algorithm_; }
    static bool cpu_has(mac_algorithm a);

    // The MAC of (m0, m1).
    uint32_t operator()(uint64_t m0, uint64_t m1) const;
    // out[i] = MAC of (m0[i], m1[i]) for i < n (n <= max_burst).
    void burst(const uint64_t* m0, const uint64_t* m1, uint32_t* out, unsigned n) const;

    // Four independent 32-bit MACs from one computation, for callers whose inputs differ in two
    // bits only (trace mode: four TTLs share a block). AES: the four words of the encrypted block,
    // so lane 0 is operator()'s value; SipHash: lanes 0-1 from (m0, m1), 2-3 from (m0, m1 | 2^63),
    // so callers that use lanes 2-3 keep m1's top bit 0 (lanes 0-1 take any m1).
    // out[4i + k] = lane k of (m0[i], m1[i]) for i < n (n <= max_burst).
    void lanes_burst(const uint64_t* m0, const uint64_t* m1, uint32_t* out, unsigned n) const;
    // Lanes 0 and 1 of (m0, m1) as one 64-bit word (lane 0 in the low half): a keyed 64-bit PRF,
    // in registers.
    uint64_t word64(uint64_t m0, uint64_t m1) const;
    // Lane `lane` (0..3) of (m0, m1), in registers.
    uint32_t lane(uint64_t m0, uint64_t m1, unsigned lane) const;

    // AES-128 of one block (FIPS-197 byte order); the known-answer tests check the AES-NI path
    // with it. Requires AES-NI.
    static void aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);
    static bool cpu_has_aesni() { return cpu_has(mac_algorithm::aes128_ni); }

private:
    bool aes() const { return algorithm_ != mac_algorithm::siphash13; }  // either AES path
    template <bool Lanes>
    void any_burst(const uint64_t* m0, const uint64_t* m1, uint32_t* out, unsigned n) const;
    alignas(16) std::array<std::array<uint8_t, 16>, 11> round_keys_{};
    cookie_key key_;
    mac_algorithm algorithm_ = mac_algorithm::siphash13;
};

}  // namespace ics
