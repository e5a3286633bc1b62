// From what the user typed to a validated scan_config: every check that can fail at start-up
// happens here, each failing with one sentence that names the input and the fix. Nothing here
// creates, truncates or writes a file: the output files are only checked, and opened by the run.
#pragma once
#include "cli_options.hpp"
#include "output_files.hpp"
#include "run/scan_config.hpp"
#include "util/result.hpp"

namespace ics::app {

// The config, plus where the app's own files go (plain data: paths, not handles).
struct built_config {
    scan_config cfg;
    output_paths files;
};

// In order: the mode and the flags that do nothing in it; each flag's value; the targets; the
// host (interface, queues, hugepages); the output files' paths; the per-scan keys.
result<built_config> build_config(const cli_options& o);

}  // namespace ics::app
