// permutation::map() eight positions at a time with AVX-512 (64-bit lane multiplies, AVX512DQ):
// the same Feistel rounds and cycle walking as the scalar code, lane by lane, so both give the
// same indices (a unit test compares them). Chosen once per permutation, at construction.
#include <immintrin.h>

#include "targets/permutation.hpp"
#include "util/cpu_features.hpp"

namespace ics {

bool permutation::cpu_has_avx512() {
    return cpu_has_avx512_lanes();
}

// (GCC 12's AVX-512 headers start some intrinsics from an undefined register and then warn of it.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
namespace {
struct lanes_feistel {
    __m512i keys[permutation::rounds], mult, right_mask;
    __m128i right_bits, shifts[2];

    __attribute__((target("avx512f,avx512dq"))) __m512i encipher(__m512i x) const {
        __m512i left = _mm512_srl_epi64(x, right_bits), right = _mm512_and_si512(x, right_mask);
        for (int r = 0; r < permutation::rounds; ++r) {
            const __m512i f =
                _mm512_srl_epi64(_mm512_mullo_epi64(_mm512_xor_si512(right, keys[r]), mult), shifts[r & 1]);
            const __m512i next = _mm512_xor_si512(left, f);
            left = right;
            right = next;
        }
        return _mm512_or_si512(_mm512_sll_epi64(left, right_bits), right);
    }
};
}  // namespace

__attribute__((target("avx512f,avx512dq"))) void permutation::map_avx512(const uint64_t* pos, uint64_t* out,
                                                                          unsigned count) const {
    lanes_feistel f;
    for (int r = 0; r < rounds; ++r) f.keys[r] = _mm512_set1_epi64(int64_t(keys_[r]));
    f.mult = _mm512_set1_epi64(int64_t(feistel_mult));
    f.right_mask = _mm512_set1_epi64(int64_t(right_mask_));
    f.right_bits = _mm_cvtsi32_si128(int(right_bits_));
    f.shifts[0] = _mm_cvtsi32_si128(int(shifts_[0]));
    f.shifts[1] = _mm_cvtsi32_si128(int(shifts_[1]));
    const __m512i n = _mm512_set1_epi64(int64_t(n_));
    for (unsigned i = 0; i < count; i += 8) {
        const __mmask8 in = count - i >= 8 ? __mmask8(0xff) : __mmask8((1u << (count - i)) - 1);
        __m512i x = f.encipher(_mm512_maskz_loadu_epi64(in, pos + i));
        // Cycle walking: re-encipher the lanes that fell outside [0, n) until none is left.
        for (__mmask8 outside = _mm512_mask_cmpge_epu64_mask(in, x, n); outside != 0;
             outside = _mm512_mask_cmpge_epu64_mask(outside, x, n))
            x = _mm512_mask_mov_epi64(x, outside, f.encipher(x));
        _mm512_mask_storeu_epi64(out + i, in, x);
    }
}
#pragma GCC diagnostic pop

}  // namespace ics
