// A set of IPv4 addresses as sorted, disjoint, non-adjacent inclusive ranges, with a prefix count
// so that the i-th address of the set is found without a walk over 2^32: a scan of ten /24s costs
// ten ranges. at() is the TX hot path and must cost the same for one CIDR and for 10,000 ranges,
// so it does not binary-search all ranges: the index space is cut into buckets of equal size (about
// two per range), and a bucket table names the range holding each bucket's first index. A lookup
// reads one bucket entry and searches only the ranges that start inside that bucket (usually none)
// with a fixed number of branch-free steps, so that no branch depends on the address. When no
// bucket spans more than two ranges (ranges are at least half a bucket long, the usual case) each
// bucket carries both ranges' offsets and a lookup is one 16-byte read and a conditional move.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "net/ipv4_address.hpp"

namespace ics {

class interval_set {
public:
    interval_set() = default;
    // Any ranges, in any order, overlapping or not.
    explicit interval_set(std::vector<ipv4_range> ranges);

    interval_set unite(const interval_set& other) const;
    interval_set subtract(const interval_set& other) const;
    interval_set intersect(const interval_set& other) const;

    uint64_t size() const { return total_; }
    bool empty() const { return total_ == 0; }
    const std::vector<ipv4_range>& ranges() const { return ranges_; }
    bool contains(ipv4_addr addr) const { return index_of(addr).has_value(); }

    // The index-th address in ascending order; index < size().
    ipv4_addr at(uint64_t index) const {
        if (!pairs_.empty()) {
            const bucket_pair& p = pairs_[index >> bucket_shift_];
            const uint32_t offset = index >= p.next_start ? p.offset_next : p.offset_here;
            return uint32_t(index) + offset;
        }
        // The largest range from the bucket's first one on whose starting index is <= index. Slots
        // past the bucket's ranges start later (or are sentinels), so a power-of-two window that
        // covers the bucket's ranges can be searched by halving.
        const slot* base = &slots_[bucket_range_[index >> bucket_shift_]];
        for (uint32_t half = search_window_ / 2; half > 0; half /= 2)
            base += size_t(half) * size_t(base[half].start_index <= index);  // arithmetic, not a branch
        return base->first + uint32_t(index - base->start_index);
    }

    // out[i] = at(index[i]) for i < n; eight lookups an instruction where the CPU has AVX-512 and
    // the lookup is direct (interval_set_avx512.cpp).
    void at_burst(const uint64_t* index, ipv4_addr* out, unsigned n) const {
        if (wide_ && !pairs_.empty()) return at_pairs_avx512(index, out, n);
        if (lookup_misses_cache())
            for (unsigned i = 0; i < n; ++i) prefetch(index[i]);
        for (unsigned i = 0; i < n; ++i) out[i] = at(index[i]);
    }

    // Hints the cache about the entries at(index) will read (for lookups done a burst at a time);
    // worth it only when the lookup tables outgrow the L1 cache.
    void prefetch(uint64_t index) const {
        if (!pairs_.empty())
            __builtin_prefetch(&pairs_[index >> bucket_shift_]);
        else
            __builtin_prefetch(&bucket_range_[index >> bucket_shift_]);
    }
    bool lookup_misses_cache() const { return ranges_.size() > 4096; }
    // Whether at() reads one bucket pair (true) or searches the bucket's ranges (tests).
    bool lookup_is_direct() const { return !pairs_.empty(); }

    // The position of `addr` in ascending order, if it is in the set.
    std::optional<uint64_t> index_of(ipv4_addr addr) const;

    bool operator==(const interval_set& o) const { return ranges_ == o.ranges_; }

    // Tests: false keeps at_burst() on the scalar lookups.
    void allow_avx512(bool allow);

private:
    void rebuild_index();
    void at_pairs_avx512(const uint64_t* index, ipv4_addr* out, unsigned n) const;
    bool wide_ = false;  // set by rebuild_index()
    struct slot {
        uint64_t start_index;  // index of the range's first address in the set
        ipv4_addr first;
    };
    std::vector<ipv4_range> ranges_;
    std::vector<slot> slots_;             // one per range, then search_window_ sentinels
    std::vector<uint32_t> bucket_range_;  // per bucket: the range holding its first index
    // Per bucket, when none spans more than two ranges: address = index + offset (mod 2^32) with
    // the offset of the range holding the bucket's first index, or of the next range from
    // next_start on.
    struct bucket_pair {
        uint64_t next_start;  // the next range's first index (UINT64_MAX after the last range)
        uint32_t offset_here, offset_next;
    };
    std::vector<bucket_pair> pairs_;
    unsigned bucket_shift_ = 63;
    uint32_t search_window_ = 1;  // power of two >= the most ranges one bucket's indexes fall in
    uint64_t total_ = 0;
};

}  // namespace ics
