// What the CPU offers beyond the x86-64 baseline, checked once at start-up so that hot loops pick a
// vector path per burst, not per item. (GCC's checks include the OS's support for the registers.)
#pragma once

namespace ics {

// AVX-512 with 64-bit lane multiplies (F + DQ): the permutation and set lookups, eight at a time.
inline bool cpu_has_avx512_lanes() {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

}  // namespace ics
