// The two figures the live status line, the closing summary and the metadata all report, computed
// once so that they cannot drift apart.
#pragma once
#include <cstdint>

namespace ics {

// Probes per second over the sending time: n probes from the first to the last span n - 1
// intervals, so fewer than two probes have no rate.
constexpr double send_rate(uint64_t sent, double send_seconds) {
    return send_seconds > 0 && sent > 1 ? double(sent - 1) / send_seconds : 0.0;
}

// Hits per target probed, in percent (ZMap's hitrate: success_unique / targets_scanned).
constexpr double hit_rate_percent(uint64_t hits, uint64_t targets_probed) {
    return targets_probed ? 100.0 * double(hits) / double(targets_probed) : 0.0;
}

}  // namespace ics
