// A metrics snapshot in the Prometheus text exposition format 0.0.4, what /metrics serves. The
// per-target series use smokeping_prober's names and labels (smokeping_requests_total,
// smokeping_response_duration_seconds, ... with host, ip, source, tos), so its dashboards and rules
// work unchanged; per-group and run-level series are ours, prefixed dpdk_icmpscan_.
#pragma once
#include <string>
#include <string_view>

#include "monitor/metrics_snapshot.hpp"

namespace ics {

// The whole exposition, HELP and TYPE lines included. Runs in the HTTP thread, never on an lcore.
std::string format_exposition(const metrics_snapshot& snapshot);

// Appends `name="value"` to a label list (a comma first when `labels` is not empty), escaping the
// value as the format asks (backslash, double quote, line feed). Builds group_metrics::labels.
void append_prom_label(std::string& labels, std::string_view name, std::string_view value);

// Whether a user's label name can go on our series: [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__"
// (reserved by Prometheus), and none of the names the exposition adds itself (host, ip, source,
// tos, le, type, code), which would give a series the same label twice.
bool prom_label_name_ok(std::string_view name);

}  // namespace ics
