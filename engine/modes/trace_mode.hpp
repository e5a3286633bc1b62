// Trace mode as a plan (modes/plan.hpp): (target, TTL) pairs in the order --order asks (Yarrp's
// random, TTL by TTL, or FlashRoute's backward schedule fed by the replies), TTL-limited Echo
// probes (trace_probe), replies attributed to their hop, paths written to -o at the end and
// per-reply rows to --replies-file.
#pragma once
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "dedup/seen_bitmap.hpp"
#include "modes/plan.hpp"
#include "output/record_writer.hpp"
#include "probe/probe_batch.hpp"
#include "probe/trace_probe.hpp"
#include "run/scan_config.hpp"
#include "run/scan_report.hpp"
#include "targets/permutation.hpp"
#include "trace/hop_journal.hpp"
#include "trace/trace_collector.hpp"
#include "trace/trace_schedule.hpp"
#include "trace/trace_walk.hpp"
#include "util/result.hpp"

namespace ics {

// One TX lcore's share of the trace. In the backward order it keeps a target_progress per target,
// written only by its own lcore from the feedback the output lcore sends, and pauses once after
// the preprobe round so that the preprobe's replies set each target's split first.
class trace_schedule {
public:
    static constexpr bool may_skip = true;
    static constexpr bool may_pause = true;

    // `start`: positions of the slice a resumed run's checkpoint covered (random and ttl orders).
    trace_schedule(const interval_set& targets, const permutation& perm, const trace_plan& plan,
                   walk_slice slice, uint64_t start = 0)
        : walk_(targets, perm, plan, slice, start),
          plan_(plan),
          backward_(plan.order == trace_order::backward),
          main_phase_(!backward_),
          progress_(backward_ ? targets.size() : 0) {}

    // Up to n next (target, TTL) positions; the TTLs the backward schedule still needs go into b
    // (b.count of them), the rest are skipped. Returns the positions consumed (0: done).
    unsigned next(probe_batch& b, unsigned n) {
        uint32_t index[probe_batch::max];
        uint16_t slot[probe_batch::max];
        const unsigned got = walk_.next_burst(b.dst, index, slot, n);
        b.round = 0;
        if (!backward_) {
            for (unsigned i = 0; i < got; ++i) b.ttl[i] = uint8_t(slot[i]);
            b.count = got;
            return got;
        }
        unsigned keep = 0;
        for (unsigned i = 0; i < got; ++i) {
            const uint8_t t = slot[i] == 0
                                  ? plan_.max_ttl
                                  : scheduled_ttl(progress_[index[i]], (slot[i] - 1u) / plan_.probes, plan_);
            b.dst[keep] = b.dst[i];
            b.ttl[keep] = t;
            keep += t != 0;
        }
        b.count = keep;
        return got;
    }

    // Seconds to pause before the next burst: the preprobe wait, once the preprobe round is out.
    double pause_due() const {
        return backward_ && !main_phase_ && walk_.layer() == 0 && walk_.layer_finished()
                   ? plan_.preprobe_wait_s
                   : 0.0;
    }
    // The pause is over: the schedule proper starts, and splits no longer move.
    void paused() { main_phase_ = true; }

    void take_feedback(const trace_feedback* f, unsigned n) {
        for (unsigned i = 0; i < n; ++i)
            if (f[i].index < progress_.size()) progress_[f[i].index].apply(f[i], main_phase_);
    }

private:
    trace_walk walk_;
    trace_plan plan_;
    bool backward_, main_phase_;
    std::vector<target_progress> progress_;  // backward order: one entry per target
};

// The output lcore's side: the hop table and stop set (trace_collector), and one bit per target
// for hits (a target whose own Echo Reply came back, at any TTL). With a checkpoint, every hop kept
// also goes to the journal (trace/hop_journal.hpp); a resumed trace starts from the hops its
// journal kept (their hits are the run before's, not counted again).
class trace_attribution {
public:
    static_assert(trace_collector::max_feedback <= max_feedback_per_record);
    explicit trace_attribution(const scan_config& cfg)
        : collector_(cfg.targets, cfg.trace), hit_(cfg.targets.size()), restored_(cfg.checkpoint.trace_hops) {
        trace_feedback unused[trace_collector::max_feedback];  // random and ttl orders: none
        if (restored_)
            for (const journal_entry& e : *restored_) {
                collector_.restore(e.index, e.slot, e.hop, unused);
                if (e.hop.type == 0) hit_.test_and_set(e.index);
            }
    }

    attribution attribute(const result_record& rec, trace_feedback* fb, counter_block& counters) {
        const trace_outcome o = collector_.add(rec, fb);
        if (!o.attributed) counters.add(counter::out_not_attributed);
        if (o.first && journal_) journal_->append(o.index, o.slot, collector_.hops().row(o.index)[o.slot]);
        attribution a;
        a.repeat = o.attributed && !o.first;
        a.new_hit = o.first && rec.success && !hit_.test_and_set(o.index);
        a.feedback = o.feedback;
        return a;
    }
    const trace_collector& collector() const { return collector_; }

    // The journal (before the output lcore starts): `size` bytes in; a new one gets the restored
    // hops first (a resumed trace keeping its checkpoint in another file).
    void set_journal(std::FILE* out, uint64_t size) {
        if (!out) return;
        journal_.emplace(out, size);
        if (size == 0 && restored_)
            for (const journal_entry& e : *restored_) journal_->append(e.index, e.slot, e.hop);
        restored_.reset();
        flush();
    }
    // At a checkpoint's flush and at the end: the journal written out (its size then, for the
    // checkpoint).
    void flush() {
        if (!journal_) return;
        if (auto size = journal_->flush()) journal_size_ = *size;
    }
    bool write_failed() const { return journal_ && journal_->failed(); }
    uint64_t journal_size() const { return journal_size_; }

private:
    trace_collector collector_;
    seen_bitmap hit_;
    std::shared_ptr<const std::vector<journal_entry>> restored_;
    std::optional<hop_journal_writer> journal_;
    uint64_t journal_size_ = 0;
};

// Writes one path per target to `paths`, in address order, and counts them into the report.
bool write_paths(const scan_config& cfg, const trace_probe& probe, const trace_collector& collector,
                 std::FILE* paths, scan_report& report);

struct trace_mode {
    static constexpr run_mode mode = run_mode::trace;
    using probe = trace_probe;
    using schedule = trace_schedule;
    using feedback = trace_feedback;
    using attribution_type = trace_attribution;

    static uint64_t permutation_domain(const scan_config& cfg) {
        return trace_walk::domain(cfg.targets.size(), cfg.trace);
    }
    // Only the backward order changes course on what comes back.
    static bool uses_feedback(const scan_config& cfg) { return cfg.trace.order == trace_order::backward; }
    static schedule make_schedule(const scan_config& cfg, const permutation& perm, walk_slice slice) {
        return schedule(cfg.targets, perm, cfg.trace, slice, cfg.checkpoint.start(slice.thread));
    }
    // This shard's share of the targets (--shards splits the trace's positions).
    static uint64_t targets_in_shard(const scan_config& cfg) {
        return target_walk::targets_per_round(cfg.targets.size(), 0, cfg.slice(0, 1));
    }
    // Probes sent or skipped (a resumed run's: those its checkpoint did not cover).
    static uint64_t probes_planned(const scan_config& cfg, walk_slice slice) {
        return trace_walk::total(cfg.targets.size(), cfg.trace, slice) - cfg.checkpoint.start(slice.thread);
    }
    // Every target of the trace (each gets a path, probed or not).
    static uint64_t targets_probed(const scan_config& cfg, std::span<const uint64_t>) {
        return cfg.targets.size();
    }
    // The paths, once the output lcore has stopped.
    static status finish(const scan_config& cfg, const trace_probe& probe, trace_attribution& a,
                         std::FILE* paths, scan_report& report) {
        report.trace_interfaces = a.collector().interfaces_in_stop_set();
        errno = 0;  // what write_paths' failed write leaves is the reason
        if (!paths || !write_paths(cfg, probe, a.collector(), paths, report))
            return error{fmt::format("writing the paths to '{}' failed ({})", cfg.output_path,
                                     write_error_reason(paths ? errno : 0))};
        return ok();
    }
};

}  // namespace ics
