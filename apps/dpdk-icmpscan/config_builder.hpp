// From what the user typed to a validated scan_config: every check that can fail at start-up
// happens here, each failing with one sentence that names the input and the fix.
#pragma once
#include <cstdio>
#include <string>

#include "cli_options.hpp"
#include "scan/scan_config.hpp"
#include "util/result.hpp"

namespace ics::app {

// The config plus the files it writes, closed when this goes away.
struct built_config {
    scan_config cfg;
    std::string metadata_path;
    built_config() = default;
    built_config(built_config&& o) noexcept;
    built_config& operator=(built_config&&) = delete;
    ~built_config();
};

result<built_config> build_config(const cli_options& o);

}  // namespace ics::app
