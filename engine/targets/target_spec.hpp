// Turning what users type into address sets: "198.18.0.0/16", "198.18.0.1",
// "198.18.0.10-198.18.0.20", and files of them (one per line, '#' comments) as ZMap reads its
// allowlist, blocklist and list-of-ips files.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "net/ipv4_address.hpp"
#include "targets/interval_set.hpp"
#include "util/result.hpp"

namespace ics {

// One CIDR (host bits must be zero), single address or "first-last" range.
result<ipv4_range> parse_target_spec(std::string_view text);

// Several specs (command-line arguments); an error names `what` ("target", "-S/--source-ip").
result<interval_set> parse_target_specs(const std::vector<std::string>& specs, std::string_view what);

// A file of specs. `what` names the option for error messages ("blocklist file").
// CIDRs with host bits set are rejected in files too: a mistyped prefix is caught,
// never silently widened.
result<interval_set> read_target_file(const std::string& path, std::string_view what);

// Whether `path` names something a file of targets can be read from: not missing, not a directory;
// errors name `what` and the path.
status check_readable_file(const std::string& path, std::string_view what);

// The whole content of a file of targets; errors name `what` and the path (a missing file, a
// directory, an unreadable one). Shared by read_target_file and the monitor's labelled target file.
result<std::string> read_text_file(const std::string& path, std::string_view what);

// Parses text (the file's content) with line numbers for errors; used by read_target_file.
result<interval_set> parse_target_lines(std::string_view text, std::string_view origin);

// The IANA special-purpose ranges that a scan skips unless -b replaces them (ZMap's default).
interval_set default_blocklist();
const std::vector<std::string_view>& default_blocklist_entries();

}  // namespace ics
