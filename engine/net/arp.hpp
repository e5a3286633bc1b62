// ARP for IPv4 over Ethernet (RFC 826): parsing requests and replies, building both. The driver
// answers requests for the scanner's own addresses and resolves its gateway with these.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/ipv4_address.hpp"

namespace ics {

using mac = std::array<uint8_t, 6>;

inline constexpr size_t arp_frame_len = 42;  // Ethernet 14 + ARP 28 (the NIC pads to 60)

struct arp_message {
    uint16_t op = 0;  // 1 request, 2 reply
    mac sender_mac{};
    ipv4_addr sender_ip = 0;
    mac target_mac{};
    ipv4_addr target_ip = 0;
};

inline constexpr uint16_t arp_op_request = 1;
inline constexpr uint16_t arp_op_reply = 2;

// Parses an Ethernet frame holding IPv4-over-Ethernet ARP; nullopt for anything else.
std::optional<arp_message> parse_arp(std::span<const uint8_t> frame);

// Writes a reply to `request` saying that `own_ip` is at `own_mac`; returns its length.
size_t build_arp_reply(std::span<uint8_t, arp_frame_len> out, const arp_message& request, const mac& own_mac,
                       ipv4_addr own_ip);

// Writes a broadcast request asking who has `wanted_ip`; returns its length.
size_t build_arp_request(std::span<uint8_t, arp_frame_len> out, const mac& own_mac, ipv4_addr own_ip,
                         ipv4_addr wanted_ip);

std::optional<mac> parse_mac(std::string_view text);
std::string format_mac(const mac& m);

}  // namespace ics
