// What the CPU offers beyond the x86-64 baseline, checked once at start-up so that hot loops pick a
// vector path per burst, not per item. (GCC's checks include the OS's support for the registers.)
#pragma once
#include <cpuid.h>

namespace ics {

// AVX-512 with 64-bit lane multiplies (F + DQ): the permutation and set lookups, eight at a time.
inline bool cpu_has_avx512_lanes() {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

// VAES (leaf 7, ECX bit 9; a feature name not every compiler's __builtin_cpu_supports knows) with
// AVX-512 F: the cookie's AES, four blocks an instruction.
inline bool cpu_has_vaes_avx512() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    return __builtin_cpu_supports("avx512f") && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
           (c & (1u << 9)) != 0;
}

}  // namespace ics
