// How good the RTTs of a run are: the error bound every reply's RTT carries (rtt_err_us, from
// its arrival window: pace/arrival_window.hpp), summed up for the metadata by the output lcore,
// and the send side's bound (how long after its send stamp a burst was handed to the NIC).
#pragma once
#include <array>
#include <bit>
#include <cstdint>

namespace ics {

class rtt_error_stats {
public:
    // Powers of two of microseconds: bucket b holds bounds in [2^(b-1), 2^b), bucket 0 holds 0.
    static constexpr unsigned buckets = 33;

    void add(uint32_t err_us) {
        ++count_;
        sum_ += err_us;
        if (err_us > max_) max_ = err_us;
        ++histogram_[std::bit_width(err_us)];
    }
    void merge(const rtt_error_stats& o) {
        count_ += o.count_;
        sum_ += o.sum_;
        if (o.max_ > max_) max_ = o.max_;
        for (unsigned b = 0; b < buckets; ++b) histogram_[b] += o.histogram_[b];
    }

    uint64_t count() const { return count_; }
    uint32_t max() const { return max_; }
    double mean() const { return count_ ? double(sum_) / double(count_) : 0.0; }
    // A bound that at least `fraction` of the replies' bounds do not exceed: the top of the power
    // of two bucket where that fraction is reached (never above the maximum).
    uint32_t at_most(double fraction) const {
        const double want = fraction * double(count_);
        uint64_t seen = 0;
        for (unsigned b = 0; b < buckets; ++b) {
            seen += histogram_[b];
            if (double(seen) >= want && seen) {
                const uint32_t top = b == 0 ? 0 : uint32_t((uint64_t(1) << b) - 1);
                return top < max_ ? top : max_;
            }
        }
        return max_;
    }

private:
    uint64_t count_ = 0, sum_ = 0;
    uint32_t max_ = 0;
    std::array<uint64_t, buckets> histogram_{};
};

}  // namespace ics
