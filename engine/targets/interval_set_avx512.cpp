// interval_set::at() eight indexes at a time with AVX-512 gathers, for sets whose lookup is one
// bucket pair (the usual case): the same arithmetic as at(), lane by lane (a unit test compares).
#include <immintrin.h>

#include <cstddef>

#include "targets/interval_set.hpp"
#include "util/cpu_features.hpp"

namespace ics {

void interval_set::allow_avx512(bool allow) {
    wide_ = allow && cpu_has_avx512_lanes();
}

// (GCC 12's AVX-512 headers start some intrinsics from an undefined register and then warn of it.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
__attribute__((target("avx512f,avx512dq"))) void interval_set::at_pairs_avx512(const uint64_t* index,
                                                                               ipv4_addr* out,
                                                                               unsigned n) const {
    static_assert(sizeof(bucket_pair) == 16 && offsetof(bucket_pair, offset_here) == 8 &&
                  offsetof(bucket_pair, offset_next) == 12);
    const auto* base = reinterpret_cast<const long long*>(pairs_.data());
    const __m128i shift = _mm_cvtsi32_si128(int(bucket_shift_));
    for (unsigned i = 0; i < n; i += 8) {
        const __mmask8 in = n - i >= 8 ? __mmask8(0xff) : __mmask8((1u << (n - i)) - 1);
        const __m512i idx = _mm512_maskz_loadu_epi64(in, index + i);
        // Element (bucket << 1) is next_start, the one after it both offsets.
        const __m512i at = _mm512_slli_epi64(_mm512_srl_epi64(idx, shift), 1);
        const __m512i next_start = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), in, at, base, 8);
        const __m512i offsets = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), in, at, base + 1, 8);
        const __mmask8 next = _mm512_cmpge_epu64_mask(idx, next_start);
        const __m512i offset = _mm512_mask_srli_epi64(offsets, next, offsets, 32);      // low 32 bits used
        _mm512_mask_cvtepi64_storeu_epi32(out + i, in, _mm512_add_epi64(idx, offset));  // low 32 bits
    }
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace ics
