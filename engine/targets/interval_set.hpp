// A set of IPv4 addresses as sorted, disjoint, non-adjacent inclusive ranges, with a prefix count
// so that the i-th address of the set is found by binary search: a scan of ten /24s costs ten
// ranges, not a walk over 2^32.
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
        // Largest range whose starting index is <= index.
        size_t lo = 0, hi = ranges_.size() - 1;
        while (lo < hi) {
            size_t mid = (lo + hi + 1) / 2;
            if (start_index_[mid] <= index)
                lo = mid;
            else
                hi = mid - 1;
        }
        return ranges_[lo].first + uint32_t(index - start_index_[lo]);
    }

    // The position of `addr` in ascending order, if it is in the set.
    std::optional<uint64_t> index_of(ipv4_addr addr) const;

    bool operator==(const interval_set& o) const { return ranges_ == o.ranges_; }

private:
    void rebuild_index();
    std::vector<ipv4_range> ranges_;
    std::vector<uint64_t> start_index_;
    uint64_t total_ = 0;
};

}  // namespace ics
