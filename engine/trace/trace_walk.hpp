// Which (target, TTL) pairs one TX lcore probes, in which order (trace mode). Positions are dealt
// to shards and sender lcores exactly as in scan mode (target_walk), so they partition the work.
//
//   random:   one keyed permutation over the T x TTLs pairs, walked once per probe round (-P);
//             position p -> pair q = perm(p) -> target index q / TTLs, TTL min + q % TTLs. No
//             router sees a burst from one target, and probes to a near hop are spread over the
//             whole run (Yarrp).
//   ttl:      layers of T positions; layer L probes every target (permuted) at TTL min + L / P.
//   backward: layers of T positions; layer 0 is the preprobe, layer 1 + r*P.. is schedule round r;
//             the TTL of a target in round r depends on what the output lcore fed back
//             (trace_schedule.hpp), so the walk hands out the round and the TX lcore decides.
//
// next_burst() never mixes layers: it returns a short burst at a layer's end (0 only at the end).
// A walk may start past its first positions (`start`: a resumed run's, run/checkpoint.hpp).
#pragma once
#include <algorithm>
#include <cstdint>

#include "targets/interval_set.hpp"
#include "targets/permutation.hpp"
#include "targets/target_walk.hpp"
#include "trace/trace_plan.hpp"
#include "util/uint128.hpp"

namespace ics {

// q / d by a multiply: exact for q * d < 2^64, which holds for q < 2^40 and d < 2^24.
class fast_divider {
public:
    explicit fast_divider(uint64_t d) : d_(d), m_(d > 1 ? UINT64_MAX / d + 1 : 0) {}
    uint64_t div(uint64_t q) const { return d_ > 1 ? uint64_t(uint128(q) * m_ >> 64) : q; }
    uint64_t d() const { return d_; }

private:
    uint64_t d_, m_;
};

class trace_walk {
public:
    static constexpr unsigned max_burst = permutation::max_burst;

    // The permutation's domain for a set of `targets` under `plan`.
    static uint64_t domain(uint64_t targets, const trace_plan& plan) {
        return plan.order == trace_order::random ? targets * plan.ttls() : targets;
    }

    trace_walk(const interval_set& set, const permutation& perm, const trace_plan& plan, walk_slice slice,
               uint64_t start = 0)
        : set_(&set),
          perm_(&perm),
          plan_(plan),
          ttls_(plan.ttls()),
          domain_(domain(set.size(), plan)),
          first_(uint64_t(slice.shard) + uint64_t(slice.shards) * slice.thread),
          stride_(uint64_t(slice.shards) * slice.threads),
          layers_(plan.layers()),
          pos_(first_) {
        skip(start);
    }

    // Up to n (<= max_burst) next probes: target address, its index in the set, and its slot: the
    // TTL (random, ttl) or the walk layer (backward). Returns how many; 0 when the walk is done.
    unsigned next_burst(ipv4_addr* target, uint32_t* index, uint16_t* slot, unsigned n) {
        if (pos_ >= domain_ && !next_layer()) return 0;
        uint64_t position[max_burst], q[max_burst];
        unsigned got = 0;
        for (; got < n && pos_ < domain_; ++got, pos_ += stride_) position[got] = pos_;
        perm_->map(position, q, got);
        if (plan_.order == trace_order::random) {
            for (unsigned i = 0; i < got; ++i) {
                const uint64_t t = ttls_.div(q[i]);
                index[i] = uint32_t(t);
                slot[i] = uint16_t(plan_.min_ttl + (q[i] - t * ttls_.d()));
            }
        } else {
            const uint16_t s = plan_.order == trace_order::ttl
                                   ? uint16_t(plan_.min_ttl + layer_ / plan_.probes)
                                   : uint16_t(layer_);
            for (unsigned i = 0; i < got; ++i) {
                index[i] = uint32_t(q[i]);
                slot[i] = s;
            }
        }
        if (set_->ranges().size() == 1) {  // one CIDR or range: no lookup at all
            const ipv4_addr first = set_->ranges()[0].first;
            for (unsigned i = 0; i < got; ++i) target[i] = first + index[i];
        } else {
            for (unsigned i = 0; i < got; ++i) target[i] = set_->at(index[i]);
        }
        done_ += got;
        return got;
    }

    uint32_t layer() const { return layer_; }
    bool layer_finished() const { return pos_ >= domain_; }
    // Positions this slice walks in all (what it sends, unless the backward schedule skips some).
    uint64_t total() const { return total_from(set_->size(), plan_, first_, stride_); }
    uint64_t done() const { return done_; }

    static uint64_t total(uint64_t targets, const trace_plan& plan, walk_slice slice) {
        const uint64_t first = uint64_t(slice.shard) + uint64_t(slice.shards) * slice.thread;
        return total_from(targets, plan, first, uint64_t(slice.shards) * slice.threads);
    }

private:
    static uint64_t total_from(uint64_t targets, const trace_plan& plan, uint64_t first, uint64_t stride) {
        return per_layer(domain(targets, plan), first, stride) * plan.layers();
    }
    static uint64_t per_layer(uint64_t domain, uint64_t first, uint64_t stride) {
        return first < domain ? (domain - first + stride - 1) / stride : 0;
    }
    // Starts past the first `n` positions of the walk (all of them: the walk is done).
    void skip(uint64_t n) {
        const uint64_t per = per_layer(domain_, first_, stride_);
        if (n == 0 || per == 0) return;
        done_ = std::min(n, per * layers_);
        layer_ = uint32_t(done_ / per);
        pos_ = first_ + done_ % per * stride_;
        if (layer_ >= layers_) layer_ = layers_, pos_ = domain_;
    }
    bool next_layer() {
        if (layer_ + 1 >= layers_) {
            layer_ = layers_;
            return false;
        }
        ++layer_;
        pos_ = first_;
        return pos_ < domain_;
    }

    const interval_set* set_;
    const permutation* perm_;
    trace_plan plan_;
    fast_divider ttls_;
    uint64_t domain_, first_, stride_;
    uint32_t layers_, layer_ = 0;
    uint64_t pos_;
    uint64_t done_ = 0;
};

}  // namespace ics
