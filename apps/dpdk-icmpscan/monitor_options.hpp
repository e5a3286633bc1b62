// -M monitor's part of the configuration (config_builder.cpp calls these in its steps): the flags
// that do nothing in monitor mode, the monitor flags' values, and the checks that need the targets.
#pragma once
#include "cli_options.hpp"
#include "monitor/monitor_targets.hpp"
#include "run/scan_config.hpp"
#include "util/result.hpp"

namespace ics::app {

// Flags of other modes, or that monitor mode sets itself, refused with the reason.
status check_monitor_flags(const cli_options& o);
// --period, --count, --timeout, -Q, --down-after, --prometheus, --metrics-targets, --group-by;
// and the cooldown, which is the timeout's.
status read_monitor(const cli_options& o, scan_config& c);
// Once the targets are known: the rate the period asks for against -r.
status check_monitor_rate(const cli_options& o, scan_config& c);
// -I in monitor mode: the target file with labels (its targets, to unite with the others).
result<monitor_target_list> read_labelled_targets(const cli_options& o, const scan_config& c);
// Every target's group, once the blocklist is applied: the labelled file's groups, and the
// --group-by prefix for every other target (and unlabelled line).
status assign_monitor_groups(const monitor_target_list& labelled, scan_config& c);

}  // namespace ics::app
