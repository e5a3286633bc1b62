// The RTTs of each target's current summary period, kept one of two ways chosen at start-up: the
// samples themselves when a period can hold at most exact_limit of them (4 bytes each: no more
// memory than the histogram, and every figure exact), else the log-linear summary (rtt_summary.hpp:
// quantiles never below the exact nearest rank and less than 12.5 % above it). A period holds at
// most one accepted reply a round, so -Q of up to 100 periods (or --count of up to 100 rounds
// without -Q) reports exact percentiles: at 20 ms a histogram bucket is 2 ms wide.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "monitor/rtt_summary.hpp"

namespace ics {

// One period's figures, in microseconds.
struct rtt_figures {
    uint64_t count = 0;
    uint32_t min = 0, max = 0;
    double avg = 0, mdev = 0;
    uint32_t p50 = 0, p90 = 0, p99 = 0;
};

class period_rtts {
public:
    static constexpr uint32_t exact_limit = 100;

    // `per_period`: the most accepted replies a period can hold (0: no bound).
    period_rtts(uint64_t targets, uint32_t per_period)
        : cap_(per_period != 0 && per_period <= exact_limit ? per_period : 0) {
        if (cap_) {
            samples_.resize(targets * cap_);
            counts_.resize(targets);
        } else {
            summaries_.resize(targets);
        }
    }

    bool exact() const { return cap_ != 0; }

    void add(uint64_t i, uint32_t rtt_us) {
        if (!cap_) return summaries_[i].add(rtt_us);
        uint8_t& n = counts_[i];
        if (n < cap_) samples_[i * cap_ + n++] = rtt_us;  // one a round: never full
    }

    uint64_t count(uint64_t i) const { return cap_ ? counts_[i] : summaries_[i].count(); }

    void reset(uint64_t i) {
        if (cap_)
            counts_[i] = 0;
        else
            summaries_[i] = target_rtt_summary{};
    }

    // The summary line's figures (cold: sorts at most exact_limit samples).
    rtt_figures figures(uint64_t i) const {
        rtt_figures f;
        if (!cap_) {
            const target_rtt_summary& s = summaries_[i];
            return {s.count(), s.min(),         s.max(),         s.avg(),
                    s.mdev(),  s.quantile(0.5), s.quantile(0.9), s.quantile(0.99)};
        }
        const unsigned n = counts_[i];
        if (n == 0) return f;
        uint32_t v[exact_limit];
        std::copy_n(samples_.begin() + long(i * cap_), n, v);
        std::sort(v, v + n);
        double sum = 0, squares = 0;
        for (unsigned k = 0; k < n; ++k) sum += v[k], squares += double(v[k]) * v[k];
        const double mean = sum / n;
        const auto rank = [&](double q) { return v[target_rtt_summary::rank_of(q, n) - 1]; };
        return {n,         v[0],      v[n - 1],  mean, std::sqrt(std::max(squares / n - mean * mean, 0.0)),
                rank(0.5), rank(0.9), rank(0.99)};
    }

private:
    uint32_t cap_;
    std::vector<uint32_t> samples_;  // exact: cap_ a target
    std::vector<uint8_t> counts_;
    std::vector<target_rtt_summary> summaries_;
};

}  // namespace ics
