#include "targets/interval_set.hpp"

#include <algorithm>

namespace ics {

interval_set::interval_set(std::vector<ipv4_range> ranges) {
    std::sort(ranges.begin(), ranges.end(),
              [](const ipv4_range& a, const ipv4_range& b) { return a.first < b.first; });
    for (const auto& r : ranges) {
        // Merge overlapping and adjacent ranges (uint64 arithmetic: last may be 2^32-1).
        if (!ranges_.empty() && uint64_t(r.first) <= uint64_t(ranges_.back().last) + 1)
            ranges_.back().last = std::max(ranges_.back().last, r.last);
        else
            ranges_.push_back(r);
    }
    rebuild_index();
}

void interval_set::rebuild_index() {
    start_index_.resize(ranges_.size());
    total_ = 0;
    for (size_t i = 0; i < ranges_.size(); ++i) {
        start_index_[i] = total_;
        total_ += ranges_[i].size();
    }
}

interval_set interval_set::unite(const interval_set& other) const {
    std::vector<ipv4_range> all = ranges_;
    all.insert(all.end(), other.ranges_.begin(), other.ranges_.end());
    return interval_set(std::move(all));
}

interval_set interval_set::subtract(const interval_set& other) const {
    std::vector<ipv4_range> out;
    size_t j = 0;
    const auto& cut = other.ranges_;
    for (ipv4_range r : ranges_) {
        uint64_t first = r.first;
        const uint64_t last = r.last;
        while (j < cut.size() && cut[j].last < first) ++j;
        size_t k = j;
        while (first <= last && k < cut.size() && cut[k].first <= last) {
            if (cut[k].first > first) out.push_back({uint32_t(first), cut[k].first - 1});
            first = uint64_t(cut[k].last) + 1;
            ++k;
        }
        if (first <= last) out.push_back({uint32_t(first), uint32_t(last)});
    }
    interval_set s;
    s.ranges_ = std::move(out);  // already sorted and disjoint
    s.rebuild_index();
    return s;
}

interval_set interval_set::intersect(const interval_set& other) const {
    return subtract(subtract(other));
}

std::optional<uint64_t> interval_set::index_of(ipv4_addr addr) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), addr,
                               [](ipv4_addr a, const ipv4_range& r) { return a < r.first; });
    if (it == ranges_.begin()) return std::nullopt;
    --it;
    if (addr > it->last) return std::nullopt;
    size_t i = size_t(it - ranges_.begin());
    return start_index_[i] + (addr - it->first);
}

}  // namespace ics
