// The -m metadata file: ZMap's keys where they apply (underscored, as current ZMap writes them),
// plus every named counter, the NIC's counters, replies by ICMP type and code, and the achieved
// rate. Built from the config and the report; written once at the end.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "run/scan_config.hpp"
#include "run/scan_report.hpp"

namespace ics {

nlohmann::json build_metadata(const scan_config& cfg, const scan_report& report, const std::string& version);

// "echoreply 16300, unreach/0 4096, unreach/1 ..." for the closing summary.
std::string summarize_replies(const scan_report& report);

}  // namespace ics
