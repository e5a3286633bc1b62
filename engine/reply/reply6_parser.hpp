// Parsing a received Ethernet frame carrying IPv6 into the fields that can answer an ICMPv6 probe:
// the outer IPv6 and ICMPv6 headers and, for ICMPv6 errors, the quoted probe. RFC 4443 (2.4 c)
// has an error quote as much of the invoking packet as fits in the minimum MTU, so unlike IPv4's
// 8 bytes the whole probe comes back, payload included. The IPv4 parser's sibling
// (reply/reply_parser.hpp): pure function over bytes, no allocation, fields read when asked.
#pragma once
#include <cstddef>
#include <cstdint>

#include "net/byte_order.hpp"
#include "net/headers.hpp"
#include "net/ipv6_address.hpp"
#include "stats/counters.hpp"

namespace ics {

// An ICMPv6 error's quote: the quoted IPv6 header and what of its ICMPv6 message came back.
struct quoted_probe6 {
    const uint8_t* ip = nullptr;
    const uint8_t* icmp = nullptr;
    size_t icmp_len = 0;  // quoted ICMPv6 bytes (at least the 8-byte header)
    ipv6_addr saddr() const { return ipv6_addr::load(ip + ip6_off::src); }
    ipv6_addr daddr() const { return ipv6_addr::load(ip + ip6_off::dst); }
    uint8_t hop_limit() const { return ip[ip6_off::hop_limit]; }  // what the probe had left
    uint8_t next_header() const { return ip[ip6_off::next_header]; }
    uint32_t flow_label() const { return load_be32(ip) & 0xfffff; }
    uint8_t type() const { return icmp[icmp_off::type]; }
    uint8_t code() const { return icmp[icmp_off::code]; }
    uint16_t id() const { return load_be16(icmp + icmp_off::id); }
    uint16_t seq() const { return load_be16(icmp + icmp_off::seq); }
};

struct parsed_reply6 {
    const uint8_t* ip;       // the outer IPv6 header
    const uint8_t* icmp;     // the ICMPv6 header
    const uint8_t* payload;  // ICMPv6 bytes after the 8-byte header
    uint16_t payload_len;
    uint8_t hop_limit;
    uint8_t type, code;
    bool has_quote;  // set for ICMPv6 errors whose quote was parsed
    quoted_probe6 quote;

    ipv6_addr saddr() const { return ipv6_addr::load(ip + ip6_off::src); }
    ipv6_addr daddr() const { return ipv6_addr::load(ip + ip6_off::dst); }
    uint16_t id() const { return load_be16(icmp + icmp_off::id); }
    uint16_t seq() const { return load_be16(icmp + icmp_off::seq); }
    // Bytes 4-7 of an error: Packet Too Big's MTU, Parameter Problem's pointer (0 otherwise).
    uint32_t error_word() const { return load_be32(icmp + 4); }
};

// An IPv6 frame (ethertype checked) carrying a Neighbour Solicitation or Advertisement, with no
// extension header (RFC 4861 has none): the RX lcore passes it to the control lcore, which
// validates it (net/ndp.hpp); every other IPv6 frame goes to parse_reply6.
inline bool is_nd_frame(const uint8_t* frame, size_t len) {
    constexpr size_t type_at = eth_header_len + ipv6_header_len;
    return len > type_at && frame[eth_header_len + ip6_off::next_header] == ip_proto_icmpv6 &&
           (frame[type_at] == 135 || frame[type_at] == 136);
}

inline bool is_icmp6_error(uint8_t type) {
    return type >= icmp6_type::dest_unreach && type <= icmp6_type::param_problem;
}

// Parses an IPv6/ICMPv6 frame. Returns true with `out` filled, or false with `why` set to the drop
// counter that explains it. A packet with extension headers before ICMPv6 is not a reply to our
// probes (which carry none, and whose replies carry none): rx_fragment for a Fragment header,
// rx_not_icmp for the others.
inline bool parse_reply6(const uint8_t* frame, size_t len, parsed_reply6& out, counter& why) {
    if (len < eth_header_len + ipv6_header_len) return why = counter::rx_truncated, false;
    // The RX loop dispatches by ethertype first; a frame that reaches here otherwise is not ours.
    if (load_be16(frame + 12) != ethertype_ipv6) return why = counter::rx_not_ipv6, false;
    const uint8_t* ip = frame + eth_header_len;
    if ((ip[0] >> 4) != 6) return why = counter::rx_bad_ip_header, false;
    const size_t payload_len = load_be16(ip + ip6_off::payload_len);
    if (len - eth_header_len - ipv6_header_len < payload_len) return why = counter::rx_truncated, false;
    constexpr uint8_t fragment_header = 44;
    if (ip[ip6_off::next_header] == fragment_header) return why = counter::rx_fragment, false;
    if (ip[ip6_off::next_header] != ip_proto_icmpv6) return why = counter::rx_not_icmp, false;
    if (payload_len < icmp_header_len) return why = counter::rx_truncated, false;
    const uint8_t* icmp = ip + ipv6_header_len;
    out.ip = ip;
    out.icmp = icmp;
    out.payload = icmp + icmp_header_len;
    out.payload_len = uint16_t(payload_len - icmp_header_len);
    out.hop_limit = ip[ip6_off::hop_limit];
    out.type = icmp[icmp_off::type];
    out.code = icmp[icmp_off::code];
    out.has_quote = false;
    out.quote = {};
    if (out.type == icmp6_type::echo_reply) return true;
    if (!is_icmp6_error(out.type)) return why = counter::rx_icmp_ignored, false;
    // The quote: an IPv6 header and at least the 8-byte header of the ICMPv6 message after it.
    const uint8_t* q = out.payload;
    if (out.payload_len < ipv6_header_len + icmp_header_len || (q[0] >> 4) != 6)
        return why = counter::rx_quote_invalid, false;
    out.quote = {q, q + ipv6_header_len, size_t(out.payload_len) - ipv6_header_len};
    out.has_quote = true;
    return true;
}

}  // namespace ics
