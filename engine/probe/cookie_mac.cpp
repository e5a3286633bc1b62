#include "probe/cookie_mac.hpp"

#include <cstring>

#include <wmmintrin.h>

namespace ics {
namespace {

// One step of the AES-128 key schedule (FIPS-197 5.2) with AESKEYGENASSIST's help: the new round
// key is the old one with each 32-bit word xored with all the words before it, then xored with
// SubWord(RotWord(last word)) ^ rcon, which `assist` carries in its top word.
__attribute__((target("aes,sse2"))) __m128i next_round_key(__m128i key, __m128i assist) {
    assist = _mm_shuffle_epi32(assist, 0xff);
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    return _mm_xor_si128(key, assist);
}

__attribute__((target("aes,sse2"))) void expand_key(const uint8_t key[16], __m128i rk[11]) {
    rk[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
    // AESKEYGENASSIST needs its round constant as an immediate.
    rk[1] = next_round_key(rk[0], _mm_aeskeygenassist_si128(rk[0], 0x01));
    rk[2] = next_round_key(rk[1], _mm_aeskeygenassist_si128(rk[1], 0x02));
    rk[3] = next_round_key(rk[2], _mm_aeskeygenassist_si128(rk[2], 0x04));
    rk[4] = next_round_key(rk[3], _mm_aeskeygenassist_si128(rk[3], 0x08));
    rk[5] = next_round_key(rk[4], _mm_aeskeygenassist_si128(rk[4], 0x10));
    rk[6] = next_round_key(rk[5], _mm_aeskeygenassist_si128(rk[5], 0x20));
    rk[7] = next_round_key(rk[6], _mm_aeskeygenassist_si128(rk[6], 0x40));
    rk[8] = next_round_key(rk[7], _mm_aeskeygenassist_si128(rk[7], 0x80));
    rk[9] = next_round_key(rk[8], _mm_aeskeygenassist_si128(rk[8], 0x1b));
    rk[10] = next_round_key(rk[9], _mm_aeskeygenassist_si128(rk[9], 0x36));
}

__attribute__((target("aes,sse2"))) inline __m128i encrypt(const __m128i* rk, __m128i b) {
    b = _mm_xor_si128(b, rk[0]);
    for (int r = 1; r < 10; ++r) b = _mm_aesenc_si128(b, rk[r]);
    return _mm_aesenclast_si128(b, rk[10]);
}

__attribute__((target("aes,sse4.1"))) void aes_burst(const __m128i* rk, const uint64_t* m0,
                                                     const uint64_t* m1, uint32_t* out, unsigned n) {
    // Independent blocks: the loop keeps several in flight in the AES unit.
    for (unsigned i = 0; i < n; ++i)
        out[i] = uint32_t(_mm_cvtsi128_si32(encrypt(rk, _mm_set_epi64x(int64_t(m1[i]), int64_t(m0[i])))));
}

__attribute__((target("aes,sse4.1"))) uint32_t aes_one(const __m128i* rk, uint64_t m0, uint64_t m1) {
    return uint32_t(_mm_cvtsi128_si32(encrypt(rk, _mm_set_epi64x(int64_t(m1), int64_t(m0)))));
}

}  // namespace

bool cookie_mac::cpu_has_aesni() {
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1");
}

cookie_mac::cookie_mac(const cookie_key& key, bool allow_aesni) : key_(key) {
    aesni_ = allow_aesni && cpu_has_aesni();
    if (!aesni_) return;
    uint8_t bytes[16];
    std::memcpy(bytes, &key.k0, 8);  // little-endian words: k0 is bytes 0-7
    std::memcpy(bytes + 8, &key.k1, 8);
    alignas(16) __m128i rk[11];
    expand_key(bytes, rk);
    std::memcpy(round_keys_.data(), rk, sizeof rk);
}

uint32_t cookie_mac::operator()(uint64_t m0, uint64_t m1) const {
    // In registers, not through burst()'s arrays: RX validates one reply at a time, and a store and
    // reload here put the AES latency of each reply on the critical path.
    if (aesni_) return aes_one(reinterpret_cast<const __m128i*>(round_keys_.data()), m0, m1);
    return uint32_t(cookie_hash(key_, m0, m1) >> 32);
}

void cookie_mac::burst(const uint64_t* m0, const uint64_t* m1, uint32_t* out, unsigned n) const {
    if (aesni_) {
        aes_burst(reinterpret_cast<const __m128i*>(round_keys_.data()), m0, m1, out, n);
        return;
    }
    for (unsigned i = 0; i < n; ++i) out[i] = uint32_t(cookie_hash(key_, m0[i], m1[i]) >> 32);
}

void cookie_mac::aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
    alignas(16) __m128i rk[11];
    expand_key(key, rk);
    const __m128i b = encrypt(rk, _mm_loadu_si128(reinterpret_cast<const __m128i*>(in)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), b);
}

}  // namespace ics
