// Wire constants and offsets for the frames the engine builds and parses. Frames are byte arrays;
// fields are read with byte_order.hpp at these offsets.
//
//  Ethernet II (14)          IPv4 (20, no options on probes)        ICMP (8 + payload)
//  0  dst mac (6)            0  ver/ihl  1 tos  2 total length       0 type 1 code 2 checksum
//  6  src mac (6)            4  id       6 flags/fragment offset     4 id (echo) 6 seq (echo)
//  12 ethertype (2)          8  ttl      9 protocol 10 checksum      8 payload
//                            12 source   16 destination
#pragma once
#include <cstddef>
#include <cstdint>

namespace ics {

inline constexpr size_t eth_header_len = 14;
inline constexpr size_t eth_addr_len = 6;
inline constexpr uint16_t ethertype_ipv4 = 0x0800;
inline constexpr uint16_t ethertype_arp = 0x0806;
inline constexpr uint16_t ethertype_vlan = 0x8100;

inline constexpr size_t ipv4_min_header_len = 20;
inline constexpr uint8_t ip_proto_icmp = 1;
namespace ip_off {
inline constexpr size_t ver_ihl = 0, tos = 1, total_len = 2, id = 4, frag = 6, ttl = 8, proto = 9,
                        checksum = 10, src = 12, dst = 16;
}

inline constexpr size_t icmp_header_len = 8;
namespace icmp_off {
inline constexpr size_t type = 0, code = 1, checksum = 2, id = 4, seq = 6, payload = 8;
}

namespace icmp_type {
inline constexpr uint8_t echo_reply = 0, dest_unreach = 3, source_quench = 4, redirect = 5, echo_request = 8,
                         time_exceeded = 11, param_problem = 12;
}

// RFC 792: an ICMP error quotes the offending IP header and at least the first 8 bytes after it.
inline constexpr size_t icmp_min_quote_len = ipv4_min_header_len + icmp_header_len;

// IPv6 (RFC 8200) and ICMPv6 (RFC 4443). The ICMPv6 header has the ICMP layout above.
//  IPv6 (40)
//  0  version/traffic class/flow label (4)   4 payload length   6 next header   7 hop limit
//  8  source (16)                             24 destination (16)
inline constexpr uint16_t ethertype_ipv6 = 0x86dd;
inline constexpr size_t ipv6_header_len = 40;
inline constexpr uint8_t ip_proto_icmpv6 = 58;
namespace ip6_off {
inline constexpr size_t ver_tc_flow = 0, payload_len = 4, next_header = 6, hop_limit = 7, src = 8, dst = 24;
}
namespace icmp6_type {
inline constexpr uint8_t dest_unreach = 1, packet_too_big = 2, time_exceeded = 3, param_problem = 4,
                         echo_request = 128, echo_reply = 129;
}

using mac_addr = uint8_t[eth_addr_len];

}  // namespace ics
