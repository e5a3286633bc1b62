// The output lcore's part of trace mode: every validated reply is attributed to its (target, TTL)
// slot (the first reply per slot is kept for the path, later ones are repeats), counted into the
// stop set, and turned into feedback for the backward schedule. No allocation per reply (the hop
// table is sized at start; the stop set doubles rarely).
#pragma once
#include <cstdint>

#include "targets/interval_set.hpp"
#include "trace/interface_counts.hpp"
#include "trace/path_assembly.hpp"
#include "trace/trace_plan.hpp"
#include "trace/trace_schedule.hpp"

namespace ics {

struct trace_outcome {
    bool attributed = false;  // false: not one of this trace's (target, TTL) slots (rewritten, foreign)
    bool first = false;       // the first reply for its slot
    unsigned feedback = 0;    // messages written to the caller's array (at most max_feedback)
    uint64_t index = 0;       // attributed: the target's index in the target set
    unsigned slot = 0;        // attributed: the TTL less the plan's first
};

class trace_collector {
public:
    static constexpr unsigned max_feedback = 2;

    trace_collector(const interval_set& targets, const trace_plan& plan)
        : targets_(&targets), plan_(plan), hops_(targets.size(), plan.ttls()) {}

    trace_outcome add(const result_record& rec, trace_feedback* out) {
        trace_outcome o;
        if ((rec.flags & record_flag::dst_rewritten) || rec.probe_ttl < plan_.min_ttl ||
            rec.probe_ttl > plan_.max_ttl)
            return o;
        const auto index = targets_->index_of(rec.probe_daddr);
        if (!index) return o;
        o.attributed = true;
        o.index = *index;
        o.slot = rec.probe_ttl - plan_.min_ttl;
        if (hops_.has(o.index, o.slot)) return o;  // a repeat: not copied into a hop at all
        return take(o, o.slot, hop_from(rec), out);
    }

    // A hop a run before this one kept (a resumed trace's journal, trace/hop_journal.hpp): taken as
    // add() takes a reply, stop set and feedback included. `slot` < the plan's TTLs, `index` < the
    // targets (the journal's reader checked both).
    trace_outcome restore(uint64_t index, unsigned slot, const hop_slot& hop, trace_feedback* out) {
        trace_outcome o;
        o.attributed = true;
        o.index = index;
        o.slot = slot;
        return take(o, slot, hop, out);
    }

    const hop_table& hops() const { return hops_; }
    size_t interfaces_in_stop_set() const { return stop_set_.size(); }

private:
    trace_outcome take(trace_outcome o, unsigned slot, const hop_slot& hop, trace_feedback* out) {
        o.first = hops_.add(o.index, slot, hop);
        if (!o.first) return o;
        // Every interface that sent Time Exceeded is counted (the stop set, and the report).
        const uint32_t seen_before = hop.type == 11 ? stop_set_.bump(hop.addr) : 0;
        if (plan_.order != trace_order::backward) return o;

        const uint32_t ti = uint32_t(o.index);
        const uint8_t probe_ttl = uint8_t(plan_.min_ttl + slot);
        const bool ends = hop.type == 0 || hop.type == 3;
        if (probe_ttl == plan_.max_ttl) {  // the preprobe's TTL: where does the path end?
            if (uint8_t d = distance_estimate(hop.type, probe_ttl, hop.reply_ttl, hop.quoted_ttl))
                out[o.feedback++] = {ti, feedback_kind::split, d};
        }
        if (ends) {
            out[o.feedback++] = {ti, feedback_kind::end, probe_ttl};
        } else if (hop.type == 11 && plan_.stop_threshold > 0 && seen_before >= plan_.stop_threshold) {
            out[o.feedback++] = {ti, feedback_kind::stop, probe_ttl};
        }
        return o;
    }

    const interval_set* targets_;
    trace_plan plan_;
    hop_table hops_;
    interface_counts stop_set_;
};

}  // namespace ics
