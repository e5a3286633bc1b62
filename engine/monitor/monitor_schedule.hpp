// Monitor mode's send schedule (issue 14): one TX lcore's slice of the targets, each probed once
// per --period for --count rounds (0: until stopped), each at its own fixed phase inside the
// period, with the same next(probe_batch&, n) shape as scan_schedule and trace_schedule.
//
// Slice. Target index t of the set (address order) belongs to slice (shard I of S, TX lcore T of
// Tn) when t = first + stride*i with first = I + S*T and stride = S*Tn, as target_walk deals
// positions: the slices partition the set exactly, and every slice draws from every /24.
//
// Order and phase. The slice's m targets are visited, every round, in the order of a keyed affine
// permutation of [0, m): position k holds slice index i(k) = (c + k*A) mod m, with c keyed and A a
// keyed stride coprime with m near m*(golden ratio - 1). Position k is due at
//     due(r, k) = start + r*period + floor(k * period / m)
// so the send rate is flat (due times evenly spaced, no burst at a period's start), and each target
// keeps one phase, exactly one period between its probes. Why affine and not the Feistel
// permutation that scan mode walks: a random order puts two targets of one /24 back to back about
// once per (number of /24s) sends, and nothing bounds it. Here consecutive positions (also across
// a round's end) differ in slice index by A or m - A, both at least 0.35*m, so in target index by
// at least 0.35*m*stride: once that is >= 256 (m*stride >= ~730) two consecutive probes never share
// a /24, and a /24's own targets are spread evenly over the period (its router sees a flat rate).
// Cost per probe: an add and a compare, plus the set lookup.
//
// Fitting the TX loop. Two ways to ask, handing out the same sequence:
//  - next(batch, n): the existing TX loop, unchanged. The monitor plan gives that lcore's pacer the
//    schedule's rate, rate = m / period (targets_per_second()), and the schedule's start as its
//    start: the pacer's owed count floor(elapsed*m/period) is then the number of positions due,
//    to within one (the sends trail by up to a pacer burst more, as in scan mode), so the pacer
//    does the timing and the schedule the order, phases and rounds.
//    The pacer's rate is whole probes per second, so where m / period is not, its clock drifts
//    from the phases by the fraction dropped (333 for 333.3/s: 0.1 %, a period per 1,000); the
//    time-driven form has no such drift and is the one a monitor TX loop should use.
//  - next(batch, n, now_us, ahead_us): time-driven, for a monitor TX loop that measures send
//    lateness. It hands out only what is due by now + ahead_us (at most n, one round), how late
//    the earliest of them is (0 when early), and when the next one falls due (so the loop can nap
//    until then). ahead_us lets a sender that wakes for one probe take those due soon after it
//    too: at small rates, a wake-up for every few probes instead of each.
// A TX lcore that falls behind (a stall, a full queue) catches up without skipping: every overdue
// position is handed out, n at a time, in order; the lateness of each burst grows and is reported
// (the loop keeps it for the p99), and the rate returns to flat once caught up. Skipping would
// turn a sender's stall into false losses in the monitor's figures.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>

#include "probe/probe_batch.hpp"
#include "targets/interval_set.hpp"
#include "targets/permutation.hpp"
#include "targets/target_walk.hpp"
#include "util/uint128.hpp"

namespace ics {

// What one time-driven step handed out.
struct monitor_step {
    unsigned count = 0;        // probes in the batch (batch.count); 0: nothing due yet, or done
    bool done = false;         // every round has been handed out
    uint64_t lateness_us = 0;  // now - due time of the batch's first probe (0 when count == 0)
    uint64_t next_due_us = 0;  // due time of the next position (max when done)
};

class monitor_schedule {
public:
    static constexpr bool may_skip = false;
    static constexpr bool may_pause = false;
    static constexpr uint64_t never = std::numeric_limits<uint64_t>::max();

    // Rounds first_round to rounds - 1 (`rounds` 0: until stopped; first_round > 0: a resumed run,
    // which numbers its rounds on from the run before). `period_us` > 0. `start_us`: due time of
    // the first round's first probe.
    monitor_schedule(const interval_set& targets, uint64_t key, uint64_t period_us, uint32_t rounds,
                     walk_slice slice, uint64_t start_us, uint32_t first_round = 0)
        : set_(&targets),
          first_(uint64_t(slice.shard) + uint64_t(slice.shards) * slice.thread),
          stride_(uint64_t(slice.shards) * slice.threads),
          m_(target_walk::targets_per_round(targets.size(), 0, slice)),
          period_(period_us),
          start_(start_us),
          rounds_(rounds),
          first_round_(first_round),
          round_(first_round) {
        offset_ = m_ ? mix64(key ^ 0x6d6f6e69746f72ull) % m_ : 0;  // "monitor": apart from scan's keys
        step_ = pick_step(m_, mix64(key + 0x9e3779b97f4a7c15ull));
        slot_ = offset_;
    }

    uint64_t targets_per_round() const { return m_; }
    uint64_t period_us() const { return period_; }
    // The pacer's rate for the untimed next(): this slice's targets per period, per second.
    double targets_per_second() const { return double(m_) * 1e6 / double(period_); }
    // A: the slice-index step between consecutive positions (the /24 spacing tests read it).
    uint64_t order_step() const { return step_; }

    // When position k (< m) of round r (>= the first) is due.
    uint64_t due_us(uint32_t r, uint64_t k) const {
        return start_ + uint64_t(r - first_round_) * period_ + uint64_t((uint128)k * period_ / m_);
    }
    // The target at position k (< m) of every round.
    ipv4_addr target_at(uint64_t k) const {
        return set_->at(first_ + stride_ * uint64_t((offset_ + (uint128)k * step_) % m_));
    }
    bool done() const { return m_ == 0 || (rounds_ != 0 && round_ >= rounds_); }

    // Untimed: the next up to n positions in due order, all of one round (the pacer times them).
    // Returns how many (0: done).
    unsigned next(probe_batch& b, unsigned n) {
        if (done()) return b.count = 0;
        return take(b, unsigned(std::min<uint64_t>(n, m_ - pos_)));
    }

    // Time-driven: up to n positions due by now_us + ahead_us, all of one round.
    monitor_step next(probe_batch& b, unsigned n, uint64_t now_us, uint64_t ahead_us = 0) {
        monitor_step s;
        b.count = 0;
        if (done()) {
            s.done = true;
            s.next_due_us = never;
            return s;
        }
        const uint64_t first_due = due_us(round_, pos_);
        if (now_us + ahead_us >= first_due) {
            s.lateness_us = now_us > first_due ? now_us - first_due : 0;
            s.count = take(b, unsigned(std::min<uint64_t>(n, due_by(now_us + ahead_us) - pos_)));
        }
        s.done = done();
        s.next_due_us = s.done ? never : due_us(round_, pos_);
        return s;
    }

    // The close cursor's form (the output lcore walks the same sequence, a timeout behind, to
    // close each target's rounds in due order): up to n positions due by now_us, as target
    // indices with their due times, all of one round (returned in `round`).
    unsigned next_indices(uint64_t* index, uint64_t* due, uint32_t& round, unsigned n, uint64_t now_us) {
        if (done() || now_us < due_us(round_, pos_)) return 0;
        return take_indices(index, due, round, unsigned(std::min<uint64_t>(n, due_by(now_us) - pos_)));
    }
    // Positions handed out so far, over every round (a TX lcore's probes sent, when all went out).
    uint64_t handed_out() const { return uint64_t(round_ - first_round_) * m_ + pos_; }

private:
    // A stride coprime with m (so k -> c + k*A mod m is a bijection) near m*0.618, keyed within
    // +-m/32 so that both A and m - A stay >= 0.35*m (see the top of the file).
    static uint64_t pick_step(uint64_t m, uint64_t key) {
        if (m < 3) return m == 2 ? 1 : 0;
        uint64_t a = uint64_t((uint128)m * 0x9e3779b97f4a7c15ull >> 64);  // m * (golden ratio - 1)
        const uint64_t jitter = m / 16;
        if (jitter) a = a - m / 32 + key % jitter;
        while (std::gcd(a, m) != 1) a = a + 1 < m ? a + 1 : 1;
        return a;
    }

    // Positions of the current round due by `now` (those with floor(k*period/m) <= now - base):
    // k <= ((now - base + 1) * m - 1) / period, capped at m.
    uint64_t due_by(uint64_t now_us) const {
        const uint64_t base = start_ + uint64_t(round_ - first_round_) * period_;
        if (now_us < base) return 0;
        const uint128 last = ((uint128)(now_us - base + 1) * m_ - 1) / period_;
        return last + 1 >= m_ ? m_ : uint64_t(last) + 1;
    }

    // Hands out the next `n` positions (all inside the current round) and moves past them; the
    // round advances when its last position is out.
    unsigned take(probe_batch& b, unsigned n) {
        uint64_t index[probe_batch::max];
        uint32_t round = 0;
        take_indices(index, nullptr, round, n);
        if (set_->ranges().size() == 1) {  // one CIDR or range: no lookup at all
            const ipv4_addr base = set_->ranges()[0].first;
            for (unsigned i = 0; i < n; ++i) b.dst[i] = base + uint32_t(index[i]);
        } else {
            set_->at_burst(index, b.dst, n);
        }
        b.round = round;
        b.count = n;
        return n;
    }
    // The target indices (and, if asked, due times) of the next n positions of this round.
    unsigned take_indices(uint64_t* index, uint64_t* due, uint32_t& round, unsigned n) {
        round = round_;
        for (unsigned i = 0; i < n; ++i) {
            index[i] = first_ + stride_ * slot_;
            slot_ += step_;
            slot_ = slot_ >= m_ ? slot_ - m_ : slot_;
        }
        if (due)
            for (unsigned i = 0; i < n; ++i) due[i] = due_us(round_, pos_ + i);
        pos_ += n;
        if (pos_ == m_) {
            pos_ = 0;
            ++round_;
            slot_ = offset_;  // every round the same order: each target keeps its phase
        }
        return n;
    }

    const interval_set* set_;
    uint64_t first_, stride_, m_;
    uint64_t period_, start_;
    uint32_t rounds_;
    uint32_t first_round_;
    uint64_t offset_ = 0, step_ = 0;
    uint32_t round_;
    uint64_t pos_ = 0;   // next position of the round
    uint64_t slot_ = 0;  // its slice index, (offset + pos*step) mod m
};

}  // namespace ics
