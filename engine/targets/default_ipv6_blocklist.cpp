// The default IPv6 blocklist: the IANA IPv6 Special-Purpose Address Registry entries that are not
// globally reachable (and the translation prefixes, which would reach IPv4 hosts), with multicast
// and the deprecated site-local and IPv4-compatible space. `-b FILE` replaces it, as for IPv4.
#include "targets/ipv6_spec.hpp"

namespace ics {

const std::vector<std::string_view>& default_ipv6_blocklist_entries() {
    static const std::vector<std::string_view> entries = {
        "::/96",           // RFC 4291: unspecified, loopback, IPv4-compatible (deprecated)
        "::ffff:0:0/96",   // RFC 4291: IPv4-mapped
        "64:ff9b::/96",    // RFC 6052: IPv4-IPv6 translation (would reach IPv4 hosts)
        "64:ff9b:1::/48",  // RFC 8215: local-use IPv4-IPv6 translation
        "100::/64",        // RFC 6666: discard-only
        "2001::/23",       // RFC 2928: IETF protocol assignments (Teredo, benchmarking, ORCHID, ...)
        "2001:db8::/32",   // RFC 3849: documentation
        "2002::/16",       // RFC 3056: 6to4
        "3fff::/20",       // RFC 9637: documentation
        "5f00::/16",       // RFC 9602: segment routing SIDs
        "fc00::/7",        // RFC 4193: unique-local
        "fe80::/10",       // RFC 4291: link-local
        "fec0::/10",       // RFC 3879: site-local (deprecated)
        "ff00::/8",        // RFC 4291: multicast
    };
    return entries;
}

ipv6_range_set default_ipv6_blocklist() {
    std::vector<ipv6_prefix> prefixes;
    for (std::string_view entry : default_ipv6_blocklist_entries())
        prefixes.push_back(*parse_ipv6_prefix(entry));
    return ipv6_range_set(prefixes);
}

}  // namespace ics
