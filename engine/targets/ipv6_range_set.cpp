#include "targets/ipv6_range_set.hpp"

#include <algorithm>

namespace ics {

ipv6_range_set::ipv6_range_set(const std::vector<ipv6_prefix>& prefixes) {
    std::vector<range> all;
    all.reserve(prefixes.size());
    for (const ipv6_prefix& p : prefixes) all.push_back({p.base, p.last()});
    std::sort(all.begin(), all.end(), [](const range& a, const range& b) { return a.first < b.first; });
    for (const range& r : all) {
        // Merge what overlaps or touches the previous range (last + 1 == first; no overflow: a
        // range ending at the top address absorbs everything after it).
        if (!ranges_.empty()) {
            range& prev = ranges_.back();
            const bool top = prev.last == ~ipv6_addr{};
            const ipv6_addr after = {prev.last.hi + (prev.last.lo == ~uint64_t(0)), prev.last.lo + 1};
            if (top || r.first <= after) {
                prev.last = std::max(prev.last, r.last);
                continue;
            }
        }
        ranges_.push_back(r);
    }
}

bool ipv6_range_set::contains_searched(const ipv6_addr& a) const {
    // The last range starting at or before a.
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), a,
                               [](const ipv6_addr& x, const range& r) { return x < r.first; });
    return it != ranges_.begin() && a <= std::prev(it)->last;
}

}  // namespace ics
