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

// The same for IPv6 sources, which lie in one /64 (probe/echo6_probe.hpp: sources_supported), so
// that each is its low half: the target, folded, picks one.
inline ipv6_addr source_for(const ipv6_range_set& sources, const ipv6_addr& target) {
    const auto& r = sources.ranges();
    if (r.size() == 1 && r[0].first == r[0].last) return r[0].first;
    uint64_t n = 0;  // sources in all; 0 once it wraps: a whole /64
    for (const auto& x : r) n += x.last.lo - x.first.lo + 1;
    const uint64_t fold = target.hi ^ target.lo;
    uint64_t k = n ? fold % n : fold;
    for (const auto& x : r) {
        const uint64_t size = x.last.lo - x.first.lo + 1;
        if (size == 0 || k < size) return {x.first.hi, x.first.lo + k};
        k -= size;
    }
    return r[0].first;  // not reached
}

}  // namespace ics
