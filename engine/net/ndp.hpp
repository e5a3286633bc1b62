// Neighbour Discovery for IPv6 over Ethernet (RFC 4861), the part a scanner needs, as net/arp.hpp
// is for IPv4: parsing Neighbor Solicitations and Advertisements (validated as section 7.1 asks: hop
// limit 255, code 0, a checksum that verifies, no multicast target, well-formed options), building
// the Advertisement that answers a solicitation for one of our addresses, and the Solicitation that
// resolves the gateway. Which solicitations to answer (only for our own addresses: never a
// reflector) and which advertisements to believe is the driver's decision.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "net/arp.hpp"
#include "net/ipv6_address.hpp"
#include "targets/ipv6_range_set.hpp"

namespace ics {

// Ethernet 14 + IPv6 40 + the ICMPv6 message 24 + one link-layer address option 8.
inline constexpr size_t nd_frame_len = 86;

inline constexpr uint8_t nd_neighbor_solicit = 135, nd_neighbor_advert = 136;

struct nd_message {
    uint8_t type = 0;    // nd_neighbor_solicit or nd_neighbor_advert
    mac eth_src{};       // the frame's Ethernet source
    ipv6_addr src, dst;  // the IPv6 header's addresses
    ipv6_addr target;    // the address asked about (NS) or announced (NA)
    bool has_link_addr = false;
    mac link_addr{};  // NS: the sender's (Source Link-Layer Address); NA: the target's
    bool router = false, solicited = false, override = false;  // NA flags
};

// Parses an Ethernet frame holding a valid Neighbor Solicitation or Advertisement; nullopt for
// anything else, or anything RFC 4861 7.1 says to discard silently.
std::optional<nd_message> parse_nd(std::span<const uint8_t> frame);

// Writes the Advertisement answering `solicit` for `own_ip` (which must be its target) at
// `own_mac`: to the solicitor with the Solicited flag, or, when it solicited from :: (duplicate
// address detection), to all nodes without it; Override set; returns its length.
size_t build_neighbor_advert(std::span<uint8_t, nd_frame_len> out, const nd_message& solicit,
                             const mac& own_mac, const ipv6_addr& own_ip);

// Writes a Solicitation from `own_ip` asking for `wanted`'s link-layer address, to its
// solicited-node multicast group; returns its length.
size_t build_neighbor_solicit(std::span<uint8_t, nd_frame_len> out, const mac& own_mac,
                              const ipv6_addr& own_ip, const ipv6_addr& wanted);

// ff02::1:ffXX:XXXX, the solicited-node multicast address of `a` (RFC 4291 2.7.1).
ipv6_addr solicited_node(const ipv6_addr& a);
// 33:33 and the last four bytes of multicast address `a` (RFC 2464 7).
mac multicast_mac(const ipv6_addr& a);

// The Ethernet groups a NIC must take for the solicited-node groups of every address in `own`
// (33:33:ff and each address's last 24 bits), each once; empty if there would be more than `max`
// (the NIC then takes every multicast frame instead).
std::vector<mac> solicited_node_macs(const ipv6_range_set& own, size_t max);

}  // namespace ics
