// The backward (FlashRoute) schedule and the feedback that drives it. The output lcore learns
// three things per target and sends them to every TX lcore through a lock-free ring:
//   split: the target's distance, from the preprobe (Echo Reply TTL, or where an error came from);
//   stop:  a hop at TTL h was an interface already in the stop set: TTLs below h need no probe;
//   end:   the path ended at TTL h (Echo Reply from the target, Destination Unreachable): TTLs
//          above h need no probe.
// Each TX lcore keeps its own target_progress per target (one writer: that lcore) and asks
// scheduled_ttl() which TTL, if any, a target gets in round r: split, split-1, .. min, then
// split+1, .. max, one TTL a round, skipping what the feedback made useless.
#pragma once
#include <cstdint>

#include "trace/trace_plan.hpp"

namespace ics {

enum class feedback_kind : uint8_t { split = 1, stop = 2, end = 3 };

struct trace_feedback {
    uint32_t index;  // the target's index in the target set
    feedback_kind kind;
    uint8_t ttl;
    uint16_t reserved = 0;
};
static_assert(sizeof(trace_feedback) == 8, "rte_ring elements are multiples of 4 bytes");

struct target_progress {
    uint8_t split = 0;    // 0: unknown (use the plan's default)
    uint8_t stop_at = 0;  // TTLs below this are covered by the stop set
    uint8_t end_at = 0;   // 0: no end seen; else TTLs above this are past the end

    void apply(const trace_feedback& f, bool main_phase) {
        switch (f.kind) {
            case feedback_kind::split:
                if (!main_phase) split = f.ttl;  // the schedule must not move under a running round
                break;
            case feedback_kind::stop:
                if (f.ttl > stop_at) stop_at = f.ttl;
                break;
            case feedback_kind::end:
                if (end_at == 0 || f.ttl < end_at) end_at = f.ttl;
                break;
        }
    }
};

// The TTL for a target in schedule round r (0-based), or 0 when that probe is not needed.
inline uint8_t scheduled_ttl(const target_progress& p, uint32_t round, const trace_plan& plan) {
    const unsigned lo = plan.min_ttl, hi = plan.max_ttl;
    unsigned split = p.split ? p.split : plan.default_split;
    split = split < lo ? lo : split > hi ? hi : split;
    const unsigned back = split - lo + 1;
    unsigned ttl;
    if (round < back) {
        ttl = split - round;
        if (ttl < p.stop_at) return 0;
    } else {
        ttl = split + 1 + (round - back);
        if (ttl > hi) return 0;
    }
    if (p.end_at && ttl > p.end_at) return 0;
    return uint8_t(ttl);
}

// The hop of the end of a path seen by a probe at probe_ttl: an Echo Reply's TTL tells how many
// routers the reply crossed (initial TTL 64, 128 or 255); an error quotes the TTL the probe had
// left when it arrived. 0 when neither says anything.
inline uint8_t distance_estimate(uint8_t type, uint8_t probe_ttl, uint8_t reply_ttl, uint8_t quoted_ttl) {
    if (type == 0) {
        const unsigned initial = reply_ttl <= 64 ? 64 : reply_ttl <= 128 ? 128 : 255;
        const unsigned d = initial - reply_ttl + 1;
        return uint8_t(d < 255 ? d : 255);
    }
    if (quoted_ttl >= 1 && quoted_ttl <= probe_ttl) return uint8_t(probe_ttl - quoted_ttl + 1);
    return 0;
}

}  // namespace ics
