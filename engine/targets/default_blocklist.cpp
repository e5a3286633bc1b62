// The default blocklist: IANA IPv4 Special-Purpose Address Registry entries (RFC 6890 and its
// updates) plus multicast and reserved space, as ZMap ships in its default blocklist.conf.
// `-b FILE` replaces it entirely (`-b /dev/null` for none), exactly as in ZMap.
#include "targets/target_spec.hpp"

namespace ics {

const std::vector<std::string_view>& default_blocklist_entries() {
    static const std::vector<std::string_view> entries = {
        "0.0.0.0/8",           // RFC 1122: "this" network
        "10.0.0.0/8",          // RFC 1918: private-use
        "100.64.0.0/10",       // RFC 6598: shared address space
        "127.0.0.0/8",         // RFC 1122: loopback
        "169.254.0.0/16",      // RFC 3927: link local
        "172.16.0.0/12",       // RFC 1918: private-use
        "192.0.0.0/24",        // RFC 6890: IETF protocol assignments
        "192.0.2.0/24",        // RFC 5737: documentation (TEST-NET-1)
        "192.88.99.0/24",      // RFC 3068: 6to4 relay anycast
        "192.168.0.0/16",      // RFC 1918: private-use
        "198.18.0.0/15",       // RFC 2544: benchmarking
        "198.51.100.0/24",     // RFC 5737: documentation (TEST-NET-2)
        "203.0.113.0/24",      // RFC 5737: documentation (TEST-NET-3)
        "224.0.0.0/4",         // RFC 5771: multicast
        "240.0.0.0/4",         // RFC 1112: reserved for future use
        "255.255.255.255/32",  // RFC 919: limited broadcast
    };
    return entries;
}

interval_set default_blocklist() {
    std::vector<ipv4_range> ranges;
    for (auto entry : default_blocklist_entries()) ranges.push_back(*parse_target_spec(entry));
    return interval_set(std::move(ranges));
}

}  // namespace ics
