// permutation::map() eight positions at a time with AVX-512 (64-bit lane multiplies, AVX512DQ):
// the same Feistel rounds and cycle walking as the scalar code, lane by lane, so both give the
// same indices (a unit test compares them). Chosen once per permutation, at construction.
#include <immintrin.h>

#include "targets/permutation.hpp"

namespace ics {

// (GCC 12's AVX-512 headers start some intrinsics from an undefined register and then warn of it.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
namespace {
// permutation::encipher() on eight lanes.
struct lanes_feistel {
    __m512i keys[permutation::rounds], mult, low_mask, high;
    __m128i low_bits, low_shift, high_shift;

    __attribute__((target("avx512f,avx512dq"))) __m512i hash(__m512i half, int r) const {
        return _mm512_mullo_epi64(_mm512_xor_si512(half, keys[r]), mult);
    }

    template <bool HighPow2>
    __attribute__((target("avx512f,avx512dq"))) __m512i encipher(__m512i x) const {
        __m512i hi = _mm512_srl_epi64(x, low_bits), lo = _mm512_and_si512(x, low_mask);
        for (int r = 0; r < permutation::rounds; r += 2) {
            lo = _mm512_xor_si512(lo, _mm512_srl_epi64(hash(hi, r), low_shift));
            const __m512i h = hash(lo, r + 1);
            if constexpr (HighPow2) {
                hi = _mm512_xor_si512(hi, _mm512_srl_epi64(h, high_shift));
            } else {
                // hi + G(lo) mod a, G = ((h >> 32) * a) >> 32; the unsigned minimum of sum and
                // sum - a is sum - a exactly when sum >= a.
                const __m512i g = _mm512_srli_epi64(_mm512_mul_epu32(_mm512_srli_epi64(h, 32), high), 32);
                const __m512i sum = _mm512_add_epi64(hi, g);
                hi = _mm512_min_epu64(sum, _mm512_sub_epi64(sum, high));
            }
        }
        return _mm512_or_si512(_mm512_sll_epi64(hi, low_bits), lo);
    }
};

// f by value: a local copy whose keys stay in registers (through a pointer, every store to out
// could alias them and force reloads).
template <bool HighPow2>
__attribute__((target("avx512f,avx512dq"))) void map_lanes(const lanes_feistel f, const uint64_t* pos,
                                                           uint64_t* out, unsigned count, uint64_t n_scalar) {
    const __m512i n = _mm512_set1_epi64(int64_t(n_scalar));
    for (unsigned i = 0; i < count; i += 8) {
        const __mmask8 in = count - i >= 8 ? __mmask8(0xff) : __mmask8((1u << (count - i)) - 1);
        __m512i x = f.template encipher<HighPow2>(_mm512_maskz_loadu_epi64(in, pos + i));
        // Cycle walking: re-encipher the lanes that fell outside [0, n) (rare) until none is.
        for (__mmask8 outside = _mm512_mask_cmpge_epu64_mask(in, x, n); outside != 0;
             outside = _mm512_mask_cmpge_epu64_mask(outside, x, n))
            x = _mm512_mask_mov_epi64(x, outside, f.template encipher<HighPow2>(x));
        _mm512_mask_storeu_epi64(out + i, in, x);
    }
}
}  // namespace

__attribute__((target("avx512f,avx512dq"))) void permutation::map_avx512(const uint64_t* pos, uint64_t* out,
                                                                         unsigned count) const {
    lanes_feistel f;
    for (int r = 0; r < rounds; ++r) f.keys[r] = _mm512_set1_epi64(int64_t(keys_[r]));
    f.mult = _mm512_set1_epi64(int64_t(feistel_mult));
    f.low_mask = _mm512_set1_epi64(int64_t(low_mask_));
    f.high = _mm512_set1_epi64(int64_t(high_));
    f.low_bits = _mm_cvtsi32_si128(int(low_bits_));
    f.low_shift = _mm_cvtsi32_si128(int(64 - low_bits_));
    f.high_shift = _mm_cvtsi32_si128(int(high_shift_));
    if (high_pow2_)
        map_lanes<true>(f, pos, out, count, n_);
    else
        map_lanes<false>(f, pos, out, count, n_);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace ics
