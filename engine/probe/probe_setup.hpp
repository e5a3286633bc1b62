// What every probe type is built from: fixed per scan, validated by the app, read-only afterwards.
#pragma once
#include <cstdint>

#include "net/arp.hpp"
#include "probe/cookie.hpp"
#include "targets/interval_set.hpp"
#include "targets/ipv6_range_set.hpp"

namespace ics {

struct probe_setup {
    mac src_mac{};
    mac dst_mac{};                             // the gateway's
    const interval_set* sources = nullptr;     // -S: any number of addresses, contiguous or not
    const ipv6_range_set* sources6 = nullptr;  // -S with -6: our IPv6 addresses
    uint8_t ttl = 255;                         // --probe-ttl
    uint8_t min_ttl = 1, max_ttl = 63;         // trace: every probe's TTL lies in this range
    cookie_key key{};
};

// ZMap's rule for spreading sources over targets: the same target always uses the same source.
inline ipv4_addr source_for(const interval_set& sources, ipv4_addr target) {
    uint64_t n = sources.size();
    return n == 1 ? sources.ranges()[0].first : sources.at(target % n);
}

}  // namespace ics
