// Turning what users type into IPv6 address sets: an address or a prefix a line ("2001:db8::1",
// "2001:db8::/48"), '#' comments and blank lines, as ZMap reads its files; blocklist files; the
// default blocklist. Target files, with their generation rules, are targets/ipv6_targets.hpp.
#pragma once
#include <string_view>
#include <vector>

#include "net/ipv6_address.hpp"
#include "targets/ipv6_range_set.hpp"
#include "util/result.hpp"

namespace ics {

// A line's first word, without its '#' comment and surrounding blanks; empty for a blank line.
std::string_view target_line_word(std::string_view line);

// A prefix or address, or one sentence saying what is wrong with it (no origin).
result<ipv6_prefix> parse_ipv6_prefix_spec(std::string_view text);

// A blocklist file's text; errors name `origin` and the line.
result<ipv6_range_set> parse_ipv6_blocklist_lines(std::string_view text, std::string_view origin);

const std::vector<std::string_view>& default_ipv6_blocklist_entries();
ipv6_range_set default_ipv6_blocklist();

}  // namespace ics
