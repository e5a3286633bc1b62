// Which targets one TX lcore probes, in which order. Positions 0 .. limit-1 of the keyed
// permutation are dealt round-robin: shard I of S and sender thread T of Tn own the positions
// p = I + S*T + S*Tn*k. Shards and threads therefore partition the positions exactly, and
// `-n/--max-targets` (limit < set size) picks the same pseudo-random subset however the work is
// split. Each of the `rounds` probe rounds (-P) walks the slice again in the same order. A walk
// may start past its first probes (`start`: a resumed run's, run/checkpoint.hpp).
#pragma once
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "targets/interval_set.hpp"
#include "targets/ipv6_targets.hpp"
#include "targets/permutation.hpp"

namespace ics {

struct walk_slice {
    uint32_t shard = 0, shards = 1;    // --shard / --shards
    uint32_t thread = 0, threads = 1;  // sender lcore index / count
};

// Over an IPv4 target set (interval_set) or an IPv6 target list (ipv6_target_list): any set with
// size() and at(index).
template <typename Set>
class basic_target_walk {
public:
    using address = std::remove_cvref_t<decltype(std::declval<const Set&>().at(0))>;

    basic_target_walk(const Set& set, const permutation& perm, uint64_t limit, uint32_t rounds,
                      walk_slice slice, uint64_t start = 0)
        : set_(&set),
          perm_(&perm),
          limit_(limit < set.size() ? limit : set.size()),
          first_(uint64_t(slice.shard) + uint64_t(slice.shards) * slice.thread),
          stride_(uint64_t(slice.shards) * slice.threads),
          rounds_(rounds),
          pos_(first_) {
        skip(start);
    }

    // Next target; false when every round is done.
    bool next(address& target, uint32_t& round) {
        if (pos_ >= limit_ && !next_round()) return false;
        target = set_->at((*perm_)(pos_));
        round = round_;
        pos_ += stride_;
        ++done_;
        return true;
    }

    // Up to n (<= max_burst) next targets into out, all of one round (`round`); returns how many,
    // fewer at the end of a round, 0 when every round is done. The permutation is evaluated for the
    // whole burst first and the set lookups follow, so that the CPU overlaps the independent steps
    // and the lookups' cache misses.
    static constexpr unsigned max_burst = permutation::max_burst;
    // `keyed`: an IPv6 list's keyed words of the same targets, if wanted.
    unsigned next_burst(address* out, unsigned n, uint32_t& round, uint64_t* keyed = nullptr) {
        if (pos_ >= limit_ && !next_round()) return 0;
        round = round_;
        uint64_t position[max_burst], index[max_burst];
        unsigned got = 0;
        if (pos_ + uint64_t(n) * stride_ <= limit_) {  // the usual case: the round goes on past this burst
            for (; got < n; ++got) position[got] = pos_ + got * stride_;
            pos_ += uint64_t(n) * stride_;
        } else {
            for (; got < n && pos_ < limit_; ++got, pos_ += stride_) position[got] = pos_;
        }
// GCC 12 at -O1 (the test programs' level) cannot see that map() reads only the `got` positions
// written above; zeroing 64 of them a burst to quiet it would cost the hot path. (Clang has no
// such warning.)
#if !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
        perm_->map(position, index, got);
#if !defined(__clang__)
#pragma GCC diagnostic pop
#endif
        if constexpr (std::is_same_v<Set, interval_set>) {
            if (set_->ranges().size() == 1) {  // one CIDR or range: no lookup at all
                const ipv4_addr first = set_->ranges()[0].first;
                for (unsigned i = 0; i < got; ++i) out[i] = first + uint32_t(index[i]);
            } else {
                set_->at_burst(index, out, got);
            }
        } else {
            for (unsigned i = 0; i < got; ++i) out[i] = set_->at(index[i]);
            if (keyed)
                for (unsigned i = 0; i < got; ++i) keyed[i] = set_->keyed[index[i]];
        }
        done_ += got;
        return got;
    }

    // Targets a slice visits per round, for a set of `set_size` capped at `max_targets` (0: none),
    // without building a walk.
    static uint64_t targets_per_round(uint64_t set_size, uint64_t max_targets, walk_slice slice) {
        const uint64_t limit = max_targets && max_targets < set_size ? max_targets : set_size;
        const uint64_t first = uint64_t(slice.shard) + uint64_t(slice.shards) * slice.thread;
        const uint64_t stride = uint64_t(slice.shards) * slice.threads;
        return first < limit ? (limit - first + stride - 1) / stride : 0;
    }

    // Probes this slice sends in total, and has handed out so far.
    uint64_t total() const {
        return first_ < limit_ ? (limit_ - first_ + stride_ - 1) / stride_ * rounds_ : 0;
    }
    uint64_t done() const {
        return done_;
    }

private:
    // Starts past the first `n` probes of the walk (all of them: the walk is done).
    void skip(uint64_t n) {
        const uint64_t per_round = first_ < limit_ ? (limit_ - first_ + stride_ - 1) / stride_ : 0;
        if (n == 0 || per_round == 0) return;
        done_ = std::min(n, total());
        round_ = uint32_t(done_ / per_round);
        pos_ = first_ + done_ % per_round * stride_;
        if (round_ >= rounds_) pos_ = limit_, round_ = rounds_;
    }

    // Moves to the start of the next round that has a position; false when none is left.
    bool next_round() {
        while (pos_ >= limit_) {
            if (round_ + 1 >= rounds_) {
                pos_ = limit_;
                round_ = rounds_;
                return false;
            }
            ++round_;
            pos_ = first_;
        }
        return true;
    }

    const Set* set_;
    const permutation* perm_;
    uint64_t limit_, first_, stride_;
    uint32_t rounds_, round_ = 0;
    uint64_t pos_;
    uint64_t done_ = 0;
};

using target_walk = basic_target_walk<interval_set>;
using target_walk6 = basic_target_walk<ipv6_target_list>;

}  // namespace ics
