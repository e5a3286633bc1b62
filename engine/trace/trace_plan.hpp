// What a trace is asked to do, fixed at start: TTL range, probes per hop, the order of probes,
// and the FlashRoute-style savings (preprobe and stop set). Read-only once built.
#pragma once
#include <cstdint>
#include <string_view>

namespace ics {

enum class trace_order : uint8_t {
    random,    // Yarrp: one keyed permutation over every (target, TTL) pair
    ttl,       // TTL by TTL: every target at the first TTL, then the next (the baseline)
    backward,  // FlashRoute: a preprobe round, then from each target's distance backwards and on
};

inline std::string_view trace_order_name(trace_order o) {
    return o == trace_order::random ? "random" : o == trace_order::ttl ? "ttl" : "backward";
}

struct trace_plan {
    trace_order order = trace_order::random;
    uint8_t min_ttl = 1, max_ttl = 16;
    uint32_t probes = 1;           // -P: probes per (target, TTL)
    uint8_t default_split = 16;    // backward: where to start when the preprobe got no answer
    uint32_t stop_threshold = 1;   // backward: an interface seen on the way to this many targets stops
                                   // lower TTLs of later targets (0: no stop set)
    double preprobe_wait_s = 1.0;  // backward: pause between the preprobe round and the rest
    unsigned gaplimit = 5;         // path assembly: this many silent TTLs in a row end a path

    unsigned ttls() const { return unsigned(max_ttl) - min_ttl + 1; }
    // Walk layers: random walks each pair once per probe round; the others walk every target once
    // per layer (the backward order's layer 0 is the preprobe).
    uint32_t layers() const {
        return order == trace_order::random ? probes
                                            : (order == trace_order::backward ? 1 : 0) + ttls() * probes;
    }
};

}  // namespace ics
