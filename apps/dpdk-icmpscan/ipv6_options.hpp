// -6's part of the configuration (config_builder.cpp calls these in its steps): the family, the
// IPv6 sources and gateway, and the IPv6 targets; and, without -6, the sentence that names -6 when
// an IPv6 address is given where an IPv4 one belongs.
#pragma once
#include "cli_options.hpp"
#include "run/scan_config.hpp"
#include "util/result.hpp"

namespace ics::app {

// -6 sets the family and its probe type; the flags it does not take (yet), and the -6 flags
// without it, are refused with the reason.
status read_family(const cli_options& o, scan_config& c);
// -6: -S (addresses or prefixes, in one /64) and --gateway-ip, as IPv6.
status read_addresses6(const cli_options& o, scan_config& c);
// -6: the arguments and the -I and -w files (hitlist lines and prefixes, --ipv6-per-prefix),
// less -b's list or the default IPv6 blocklist; each target keyed for the probes (echo6_probe::
// key_targets). Needs the seed (keyed-random interface ids) and the cookie key.
status read_targets6(const cli_options& o, scan_config& c);
// Without -6: an IPv6 -S, --gateway-ip or target named, with the fix (add -6).
status check_no_ipv6_given(const cli_options& o);

}  // namespace ics::app
