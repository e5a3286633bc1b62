// Crafting ICMPv6 replies in tests as hosts and routers build them (the IPv6 sibling of
// packet_craft.hpp): an Echo Reply from a probe (addresses swapped, type 129, checksum over the
// pseudo-header recomputed) and ICMPv6 errors quoting a probe.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "net/byte_order.hpp"
#include "net/checksum.hpp"
#include "net/headers.hpp"
#include "net/ipv6_address.hpp"
#include "probe/probe_setup.hpp"
#include "targets/ipv6_range_set.hpp"

namespace ics::test {

// The scanner's IPv6 address in tests (2001:db8:ff::1) and a probe set-up around it with a fixed key.
inline ipv6_addr test_source6() {
    return {0x20010db800ff0000ull, 1};
}
inline const ipv6_range_set& test_sources6() {
    static const ipv6_range_set s({{test_source6(), 128}});
    return s;
}
inline probe_setup test_probe_setup6() {
    probe_setup setup;
    setup.src_mac = {2, 0, 0, 0, 0, 1};
    setup.dst_mac = {2, 0, 0, 0, 0, 0xfe};
    setup.sources6 = &test_sources6();
    setup.ttl = 64;
    setup.key = {0x0123456789abcdefull, 0xfedcba9876543210ull};
    return setup;
}

// The ICMPv6 checksum over the pseudo-header verifies.
inline bool icmp6_checksum_verifies(const uint8_t* frame) {
    return icmpv6_checksum(frame + eth_header_len) == 0;
}

inline void set_icmp6_checksum(uint8_t* frame) {
    uint8_t* icmp = frame + eth_header_len + ipv6_header_len;
    store_be16(icmp + icmp_off::checksum, 0);
    store_be16(icmp + icmp_off::checksum, icmpv6_checksum(frame + eth_header_len));
}

// The reply a host sends to `probe`: addresses swapped, type 129, its own hop limit.
inline std::vector<uint8_t> echo6_reply_to(const std::vector<uint8_t>& probe) {
    std::vector<uint8_t> f = probe;
    uint8_t* ip = f.data() + eth_header_len;
    std::swap_ranges(ip + ip6_off::src, ip + ip6_off::dst, ip + ip6_off::dst);
    ip[ip6_off::hop_limit] = 61;
    ip[ipv6_header_len + icmp_off::type] = icmp6_type::echo_reply;
    set_icmp6_checksum(f.data());
    return f;
}

// An ICMPv6 error from `router` quoting the first `quote_len` bytes of the probe's IPv6 packet, the
// probe's hop limit left at `hops_left`.
inline std::vector<uint8_t> icmp6_error_about(const std::vector<uint8_t>& probe, uint8_t type, uint8_t code,
                                              uint32_t word, const ipv6_addr& router, size_t quote_len,
                                              uint8_t hops_left = 1) {
    std::vector<uint8_t> quote(probe.begin() + eth_header_len,
                               probe.begin() + long(eth_header_len + quote_len));
    quote[ip6_off::hop_limit] = hops_left;
    std::vector<uint8_t> f(eth_header_len + ipv6_header_len + icmp_header_len + quote.size());
    std::copy(probe.begin(), probe.begin() + eth_header_len, f.begin());
    uint8_t* ip = f.data() + eth_header_len;
    store_be32(ip, uint32_t(6) << 28);
    store_be16(ip + ip6_off::payload_len, uint16_t(icmp_header_len + quote.size()));
    ip[ip6_off::next_header] = ip_proto_icmpv6;
    ip[ip6_off::hop_limit] = 64;
    router.store(ip + ip6_off::src);
    std::copy(probe.begin() + long(eth_header_len + ip6_off::src),
              probe.begin() + long(eth_header_len + ip6_off::dst),
              ip + ip6_off::dst);  // to the probe's source
    uint8_t* icmp = ip + ipv6_header_len;
    icmp[icmp_off::type] = type;
    icmp[icmp_off::code] = code;
    store_be32(icmp + 4, word);
    std::copy(quote.begin(), quote.end(), icmp + icmp_header_len);
    set_icmp6_checksum(f.data());
    return f;
}

}  // namespace ics::test
