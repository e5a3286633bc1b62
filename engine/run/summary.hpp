// The closing summary on stderr, from the config and the report: what was sent, what came back,
// what was written. Each figure names what it counts: probes or targets, the first reply per
// target (scan) or per target and TTL (trace), rows or paths. The wording follows ZMap's where
// both count the same thing ("hitrate" is hits per target probed, as in ZMap's metadata).
#pragma once
#include <string>
#include <vector>

#include "run/scan_config.hpp"
#include "run/scan_report.hpp"

namespace ics {

// The summary's lines, without the program's name (the app prefixes and prints them).
std::vector<std::string> format_summary(const scan_config& cfg, const scan_report& report);

}  // namespace ics
