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
    slots_.resize(ranges_.size());
    total_ = 0;
    for (size_t i = 0; i < ranges_.size(); ++i) {
        slots_[i] = {total_, ranges_[i].first};
        total_ += ranges_[i].size();
    }
    // Buckets of 2^shift indexes, the smallest power of two that gives at most two buckets per
    // range; bucket_range_[b] is the range holding index b << shift.
    bucket_shift_ = 0;
    const uint64_t target_buckets = std::max<uint64_t>(1, 2 * ranges_.size());
    while (bucket_shift_ < 63 && (total_ >> bucket_shift_) >= target_buckets) ++bucket_shift_;
    const uint64_t buckets = total_ ? ((total_ - 1) >> bucket_shift_) + 1 : 0;
    bucket_range_.assign(buckets, 0);
    uint32_t r = 0, widest = 1;  // most ranges one bucket touches
    for (uint64_t b = 0; b < buckets; ++b) {
        const uint64_t first_index = b << bucket_shift_;
        const uint32_t first_range = r;
        while (r + 1 < slots_.size() && slots_[r + 1].start_index <= first_index) ++r;
        bucket_range_[b] = r;
        if (b > 0) widest = std::max(widest, r - first_range + 1);
    }
    if (!slots_.empty()) widest = std::max(widest, uint32_t(slots_.size()) - r);  // the last bucket
    search_window_ = 1;
    while (search_window_ < widest) search_window_ *= 2;
    // Sentinels: a window may reach past the last range.
    slots_.resize(ranges_.size() + search_window_, slot{UINT64_MAX, 0});
    pairs_.clear();
    allow_avx512(true);
    if (search_window_ <= 2 && buckets > 0) {
        auto offset = [&](size_t r) { return uint32_t(slots_[r].first - uint32_t(slots_[r].start_index)); };
        pairs_.resize(buckets);
        for (uint64_t b = 0; b < buckets; ++b) {
            const uint32_t here = bucket_range_[b];
            const bool last = here + 1 >= ranges_.size();
            pairs_[b] = {last ? UINT64_MAX : slots_[here + 1].start_index, offset(here),
                         last ? offset(here) : offset(here + 1)};
        }
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
    return slots_[i].start_index + (addr - it->first);
}

}  // namespace ics
