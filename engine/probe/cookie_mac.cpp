#include "probe/cookie_mac.hpp"

#include "util/cpu_features.hpp"

#include <cstring>

#include <immintrin.h>

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

// One block an instruction; independent blocks, so the loop keeps several in flight in the AES
// unit. Lanes: out[4i..4i+3] is the whole block; otherwise out[i] is its first 32-bit word.
template <bool Lanes>
__attribute__((target("aes,sse4.1"))) void aes_burst(const __m128i* rk, const uint64_t* m0,
                                                     const uint64_t* m1, uint32_t* out, unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
        const __m128i x = encrypt(rk, _mm_set_epi64x(int64_t(m1[i]), int64_t(m0[i])));
        if constexpr (Lanes)
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + size_t(4) * i), x);
        else
            out[i] = uint32_t(_mm_cvtsi128_si32(x));
    }
}

// Four blocks per instruction: block i is (m0[i], m1[i]) as in encrypt(); the tail goes one by one.
// Lanes: out[4i..4i+3] is the whole block; otherwise out[i] is its first 32-bit word.
// (GCC 12's AVX-512 headers start some intrinsics from an undefined register and then warn of it.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
template <bool Lanes>
__attribute__((target("aes,vaes,avx512f"))) void vaes_burst(const __m128i* rk, const uint64_t* m0,
                                                            const uint64_t* m1, uint32_t* out, unsigned n) {
    __m512i k[11];
    for (int r = 0; r < 11; ++r) k[r] = _mm512_broadcast_i32x4(_mm_load_si128(rk + r));
    // Interleave four m0 words (a) and four m1 words (b) into blocks a0 b0 a1 b1 ...; then gather
    // the first 32-bit word of each block.
    const __m512i interleave = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
    const __m512i first_words = _mm512_set_epi32(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 8, 4, 0);
    unsigned i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m512i a =
            _mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(m0 + i)));
        const __m512i b =
            _mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(m1 + i)));
        __m512i x = _mm512_xor_si512(_mm512_permutex2var_epi64(a, interleave, b), k[0]);
        for (int r = 1; r < 10; ++r) x = _mm512_aesenc_epi128(x, k[r]);
        x = _mm512_aesenclast_epi128(x, k[10]);
        if constexpr (Lanes)
            _mm512_storeu_si512(out + size_t(4) * i, x);
        else
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                             _mm512_castsi512_si128(_mm512_permutexvar_epi32(first_words, x)));
    }
    aes_burst<Lanes>(rk, m0 + i, m1 + i, out + (Lanes ? size_t(4) * i : i), n - i);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// One shuffle moves the wanted lane to the bottom: the only step the lane adds to the AES latency
// that RX waits for (an extract, a select and a shift cost a trace reply 1.5 ns more than scan's).
__attribute__((target("aes,ssse3,sse4.1"))) uint32_t aes_lane(const __m128i* rk, uint64_t m0, uint64_t m1,
                                                              unsigned lane) {
    alignas(16) static constexpr uint8_t to_bottom[4][16] = {
        {0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}, {12, 13, 14, 15}};
    const __m128i pick = _mm_load_si128(reinterpret_cast<const __m128i*>(to_bottom[lane & 3]));
    const __m128i b = encrypt(rk, _mm_set_epi64x(int64_t(m1), int64_t(m0)));
    return uint32_t(_mm_cvtsi128_si32(_mm_shuffle_epi8(b, pick)));
}

__attribute__((target("aes,sse4.1"))) uint32_t aes_one(const __m128i* rk, uint64_t m0, uint64_t m1) {
    return uint32_t(_mm_cvtsi128_si32(encrypt(rk, _mm_set_epi64x(int64_t(m1), int64_t(m0)))));
}

__attribute__((target("aes,sse4.1"))) uint64_t aes_word64(const __m128i* rk, uint64_t m0, uint64_t m1) {
    return uint64_t(_mm_cvtsi128_si64(encrypt(rk, _mm_set_epi64x(int64_t(m1), int64_t(m0)))));
}

}  // namespace

const char* mac_algorithm_name(mac_algorithm a) {
    switch (a) {
        case mac_algorithm::siphash13:
            return "SipHash-1-3";
        case mac_algorithm::aes128_ni:
            return "AES-128 (AES-NI)";
        case mac_algorithm::aes128_vaes:
            return "AES-128 (VAES, AVX-512)";
    }
    return "?";
}

bool cookie_mac::cpu_has(mac_algorithm a) {
    switch (a) {
        case mac_algorithm::siphash13:
            return true;
        case mac_algorithm::aes128_ni:
            return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1");
        case mac_algorithm::aes128_vaes:
            return cpu_has(mac_algorithm::aes128_ni) && cpu_has_vaes_avx512();
    }
    return false;
}

cookie_mac::cookie_mac(const cookie_key& key, mac_algorithm best) : key_(key) {
    for (auto a : {mac_algorithm::aes128_vaes, mac_algorithm::aes128_ni, mac_algorithm::siphash13})
        if (a <= best && cpu_has(a)) {
            algorithm_ = a;
            break;
        }
    if (!aes()) return;
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
    if (aes()) return aes_one(reinterpret_cast<const __m128i*>(round_keys_.data()), m0, m1);
    return uint32_t(cookie_hash(key_, m0, m1) >> 32);
}

uint64_t cookie_mac::word64(uint64_t m0, uint64_t m1) const {
    if (aes()) return aes_word64(reinterpret_cast<const __m128i*>(round_keys_.data()), m0, m1);
    return cookie_hash(key_, m0, m1);
}

template <bool Lanes>
void cookie_mac::any_burst(const uint64_t* m0, const uint64_t* m1, uint32_t* out, unsigned n) const {
    const auto* rk = reinterpret_cast<const __m128i*>(round_keys_.data());
    if (algorithm_ == mac_algorithm::aes128_vaes) return vaes_burst<Lanes>(rk, m0, m1, out, n);
    if (aes()) return aes_burst<Lanes>(rk, m0, m1, out, n);
    for (unsigned i = 0; i < n; ++i) {
        if constexpr (Lanes) {
            const uint64_t lo = cookie_hash(key_, m0[i], m1[i]),
                           hi = cookie_hash(key_, m0[i], m1[i] | 1ull << 63);
            uint32_t* lanes = out + size_t(4) * i;
            lanes[0] = uint32_t(lo);
            lanes[1] = uint32_t(lo >> 32);
            lanes[2] = uint32_t(hi);
            lanes[3] = uint32_t(hi >> 32);
        } else {
            out[i] = uint32_t(cookie_hash(key_, m0[i], m1[i]) >> 32);
        }
    }
}

void cookie_mac::burst(const uint64_t* m0, const uint64_t* m1, uint32_t* out, unsigned n) const {
    any_burst<false>(m0, m1, out, n);
}

void cookie_mac::lanes_burst(const uint64_t* m0, const uint64_t* m1, uint32_t* out, unsigned n) const {
    any_burst<true>(m0, m1, out, n);
}

uint32_t cookie_mac::lane(uint64_t m0, uint64_t m1, unsigned lane) const {
    if (aes()) return aes_lane(reinterpret_cast<const __m128i*>(round_keys_.data()), m0, m1, lane);
    const uint64_t h = cookie_hash(key_, m0, lane & 2 ? m1 | 1ull << 63 : m1);
    return uint32_t(h >> (lane & 1) * 32);
}

void cookie_mac::aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
    alignas(16) __m128i rk[11];
    expand_key(key, rk);
    const __m128i b = encrypt(rk, _mm_loadu_si128(reinterpret_cast<const __m128i*>(in)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), b);
}

}  // namespace ics
