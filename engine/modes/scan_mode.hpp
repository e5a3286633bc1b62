// Scan mode as a plan (modes/plan.hpp): every target of the set probed once per round (-P), in the
// keyed permutation's order, with one probe type from the registry (probe/probe_types.hpp); a
// target's first reply is a result, later ones are repeats; rows to -o. The probe type's family
// picks the target set: IPv4's interval set, or with -6 the IPv6 target list.
#pragma once
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstdio>
#include <span>
#include <type_traits>
#include <utility>

#include "dedup/seen_bitmap.hpp"
#include "modes/plan.hpp"
#include "probe/probe_batch.hpp"
#include "probe/probe_family.hpp"
#include "run/scan_config.hpp"
#include "run/scan_report.hpp"
#include "targets/permutation.hpp"
#include "targets/target_walk.hpp"
#include "util/result.hpp"

namespace ics {

// The target set a probe type's family scans: IPv4's interval set or IPv6's list (-6).
template <typename Probe>
const auto& targets_of(const scan_config& cfg) {
    if constexpr (is_ipv6_probe<Probe>)
        return cfg.targets6;
    else
        return cfg.targets;
}

// One TX lcore's walk over its slice of the targets, a round at a time.
template <typename Set>
class scan_schedule {
public:
    static constexpr bool may_skip = false;
    static constexpr bool may_pause = false;
    using walk = basic_target_walk<Set>;

    scan_schedule(const Set& targets, const permutation& perm, uint64_t limit, uint32_t rounds,
                  walk_slice slice, uint64_t start = 0)
        : walk_(targets, perm, limit, rounds, slice, start) {}

    // Up to n next probes, all of one round; returns how many (0: the walk is done).
    unsigned next(basic_probe_batch<typename walk::address>& b, unsigned n) {
        if constexpr (requires { b.keyed; })
            b.count = walk_.next_burst(b.dst, n, b.round, b.keyed);
        else
            b.count = walk_.next_burst(b.dst, n, b.round);
        return b.count;
    }

private:
    walk walk_;
};

// The output lcore's side: one bit per target; the first reply of a target is its result.
template <typename Probe>
class scan_attribution {
public:
    explicit scan_attribution(const scan_config& cfg)
        : targets_(&targets_of<Probe>(cfg)), seen_(targets_of<Probe>(cfg).size()) {}

    attribution attribute(const record_of<Probe>& rec, no_feedback*, counter_block&) {
        const auto index = targets_->index_of(rec.probe_daddr);
        attribution a;
        a.repeat = index ? seen_.test_and_set(*index) : false;
        a.new_hit = rec.success && !a.repeat;
        return a;
    }

private:
    const std::remove_cvref_t<decltype(targets_of<Probe>(std::declval<const scan_config&>()))>* targets_;
    seen_bitmap seen_;
};

template <typename Probe>
struct scan_mode {
    static constexpr run_mode mode = run_mode::scan;
    using probe = Probe;
    using target_set = std::remove_cvref_t<decltype(targets_of<Probe>(std::declval<const scan_config&>()))>;
    using schedule = scan_schedule<target_set>;
    using feedback = no_feedback;
    using attribution_type = scan_attribution<Probe>;

    static uint64_t permutation_domain(const scan_config& cfg) { return targets_of<Probe>(cfg).size(); }
    static bool uses_feedback(const scan_config&) { return false; }
    static schedule make_schedule(const scan_config& cfg, const permutation& perm, walk_slice slice) {
        const auto& targets = targets_of<Probe>(cfg);
        if constexpr (is_ipv6_probe<Probe>)
            assert(targets.keyed.size() == targets.size());  // echo6_probe::key_targets, by the app
        const uint64_t limit = cfg.max_targets ? cfg.max_targets : targets.size();
        return schedule(targets, perm, limit, cfg.probes, slice, cfg.checkpoint.start(slice.thread));
    }
    // Targets a slice (a shard's TX lcore) visits per round.
    static uint64_t targets_per_round(const scan_config& cfg, walk_slice slice) {
        return target_walk::targets_per_round(targets_of<Probe>(cfg).size(), cfg.max_targets, slice);
    }
    static uint64_t targets_in_shard(const scan_config& cfg) {
        return targets_per_round(cfg, cfg.slice(0, 1));
    }
    // This run's probes: a resumed run's senders start past the checkpoint's positions.
    static uint64_t probes_planned(const scan_config& cfg, walk_slice slice) {
        return targets_per_round(cfg, slice) * cfg.probes - cfg.checkpoint.start(slice.thread);
    }
    // Each TX lcore's first round probes each of its targets once, so after `sent[t]` probes of
    // this run, from its start, TX lcore t has probed min(start + sent[t], its targets per round)
    // less what the run before it probed.
    static uint64_t targets_probed(const scan_config& cfg, std::span<const uint64_t> sent) {
        uint64_t n = 0;
        for (size_t t = 0; t < sent.size(); ++t) {
            const uint64_t per_round = targets_per_round(cfg, cfg.slice(uint32_t(t), uint32_t(sent.size())));
            const uint64_t before = std::min(cfg.checkpoint.start(uint32_t(t)), per_round);
            n += std::min(sent[t], per_round - before);
        }
        return n;
    }
    static status finish(const scan_config&, const Probe&, attribution_type&, std::FILE*, scan_report&) {
        return ok();
    }
};

}  // namespace ics
