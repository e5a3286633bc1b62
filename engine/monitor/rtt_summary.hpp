// A per-target (and per-group) RTT summary for monitor mode with bounded memory and a stated error
// bound: log-linear buckets over microseconds for the percentiles, plus exact count, min, max, sum
// and sum of squares for min/avg/max/mdev as ping, fping and SmokePing report them. It lives on the
// output lcore, one per target, so it must be small, fixed in size and cheap to update.
//
// Buckets (HdrHistogram's layout, with S = SubBits sub-bucket bits and T = range_bits):
//   a value v < 2^S has a bucket of its own (exact);
//   a value v in [2^k, 2^(k+1)), k >= S, falls in one of 2^S equal sub-buckets of width 2^(k-S).
//   index(v) = shift * 2^S + (v >> shift), shift = max(bit_width(v) - S - 1, 0): contiguous
//   indices, computed with one bit scan and a max, no loop and no branch per sample.
//   Buckets: (T - S + 1) * 2^S; values of 2^T us or more (2^24 us = 16.8 s) are counted in the top
//   bucket, so the caller's --timeout must stay below 2^T us (late replies are never samples).
//
// Error bound: quantile(q) returns the upper bound of the bucket holding the exact nearest-rank
// quantile x (the sample of rank ceil(q * count) in sorted order), clamped to the exact max. A
// bucket's width is at most its lower bound / 2^S, so   x <= quantile(q) < x + x / 2^S :
// never under the exact value, over it by less than 1/2^S of it (12.5 % for S = 3); exact below
// 2^S us and at the ends (rank 1 is the exact min, rank count the exact max). Upper bound rather
// than midpoint: the figure is a "no worse than" bound, as Prometheus' histograms (le=) read.
//
// Memory (S = 3, T = 24: 176 buckets): 40 bytes of exact stats plus 176 counts, padded to 16:
// 400 bytes with 16-bit counts (target_rtt_summary, per target and period: 1 M targets = 400 MB)
// and 752 bytes with 32-bit counts (group_rtt_summary). 16-bit counts saturate at 65,535 samples
// in one bucket (a period of 18 hours at 1 s): count() and the exact stats stay exact, and
// saturated() says when a sample was held back (the quantiles may then miss their bound).
#pragma once
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace ics {

template <unsigned SubBits, typename Count>
class rtt_summary {
    static_assert(SubBits >= 1 && SubBits <= 8, "sub-bucket bits outside what the bound was stated for");
    static_assert(std::is_unsigned_v<Count>, "bucket counts are unsigned");
    __extension__ typedef unsigned __int128 wide;  // sum of squares: exact for any count of 2^24 us samples

public:
    static constexpr unsigned sub_bits = SubBits;
    static constexpr unsigned range_bits = 24;
    static constexpr unsigned buckets = (range_bits - SubBits + 1) << SubBits;
    static constexpr uint32_t top_value = (uint32_t(1) << range_bits) - 1;

    // The bucket of a value; the branch-free hot part of add().
    static constexpr unsigned bucket_of(uint32_t us) {
        const uint32_t v = std::min(us, top_value);
        const int shift = std::max(int(std::bit_width(v)) - int(SubBits) - 1, 0);
        return (unsigned(shift) << SubBits) + (v >> shift);
    }
    // The highest value a bucket holds (the inverse of bucket_of, for quantiles and exports).
    static constexpr uint32_t upper_bound(unsigned bucket) {
        const unsigned shift = bucket < (2u << SubBits) ? 0 : (bucket >> SubBits) - 1;
        const uint32_t sub = bucket - (shift << SubBits);
        return ((sub + 1) << shift) - 1;
    }
    // Nearest rank of quantile q among n samples (1-based, at least 1): the definition the bound
    // is stated against.
    static uint64_t rank_of(double q, uint64_t n) {
        const auto r = uint64_t(std::ceil(std::clamp(q, 0.0, 1.0) * double(n)));
        return std::clamp<uint64_t>(r, 1, n);
    }

    void add(uint32_t us) {
        ++count_;
        sum_ += us;
        sum_squares_ += wide(uint64_t(us) * us);
        min_ = std::min(min_, us);
        max_ = std::max(max_, us);
        Count& c = counts_[bucket_of(us)];
        c += Count(c != std::numeric_limits<Count>::max());  // saturate without a branch
    }

    // Adds another summary's samples (a group's summary from its targets'); the result equals the
    // summary of the union of both sample sets (while no bucket saturates).
    template <typename OtherCount>
    void merge(const rtt_summary<SubBits, OtherCount>& o) {
        count_ += o.count_;
        sum_ += o.sum_;
        sum_squares_ += o.sum_squares_;
        min_ = std::min(min_, o.min_);
        max_ = std::max(max_, o.max_);
        constexpr uint64_t cap = std::numeric_limits<Count>::max();
        for (unsigned b = 0; b < buckets; ++b)
            counts_[b] = Count(std::min<uint64_t>(uint64_t(counts_[b]) + o.counts_[b], cap));
    }

    uint64_t count() const { return count_; }
    uint32_t min() const { return count_ ? min_ : 0; }
    uint32_t max() const { return max_; }
    uint64_t sum() const { return sum_; }
    double avg() const { return count_ ? double(sum_) / double(count_) : 0.0; }
    // Population standard deviation, ping's "mdev": sqrt(E[x^2] - E[x]^2).
    double mdev() const {
        if (!count_) return 0.0;
        const long double n = count_, mean = (long double)sum_ / n;
        const long double var = (long double)sum_squares_ / n - mean * mean;
        return double(std::sqrt(std::max(var, 0.0L)));
    }
    Count bucket_count(unsigned b) const { return counts_[b]; }
    // Whether a bucket held back a sample (the buckets sum to less than count()): only then may the
    // quantiles miss their bound.
    bool saturated() const {
        uint64_t held = 0;
        for (Count c : counts_) held += c;
        return held != count_;
    }

    // Within the bound stated at the top of this file; 0 for an empty summary.
    uint32_t quantile(double q) const {
        if (!count_) return 0;
        const uint64_t rank = rank_of(q, count_);
        if (rank == 1) return min();  // the ends are known exactly
        if (rank == count_) return max_;
        uint64_t seen = 0;
        for (unsigned b = 0; b < buckets; ++b) {
            seen += counts_[b];
            if (seen >= rank) return std::min(upper_bound(b), max_);
        }
        return max_;  // only when saturated counts fell short of count_
    }

    void reset() { *this = rtt_summary(); }

private:
    template <unsigned, typename>
    friend class rtt_summary;

    uint64_t count_ = 0;
    uint64_t sum_ = 0;
    wide sum_squares_ = 0;
    uint32_t min_ = std::numeric_limits<uint32_t>::max();
    uint32_t max_ = 0;
    std::array<Count, buckets> counts_{};
};

using target_rtt_summary = rtt_summary<3, uint16_t>;
using group_rtt_summary = rtt_summary<3, uint32_t>;
static_assert(sizeof(target_rtt_summary) == 400, "the memory stated at the top of this file");
static_assert(sizeof(group_rtt_summary) == 752, "the memory stated at the top of this file");

}  // namespace ics
