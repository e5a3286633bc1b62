#include "net/arp.hpp"

#include <cstdio>
#include <cstring>
#include <string>

#include "net/byte_order.hpp"
#include "net/headers.hpp"

namespace ics {
namespace {
// ARP body offsets after the Ethernet header.
constexpr size_t htype = 0, ptype = 2, hlen = 4, plen = 5, oper = 6, sha = 8, spa = 14, tha = 18, tpa = 24,
                 body_len = 28;

void write_frame(uint8_t* f, const mac& eth_dst, const mac& eth_src, uint16_t op, const mac& sender_mac,
                 ipv4_addr sender_ip, const mac& target_mac, ipv4_addr target_ip) {
    std::memcpy(f, eth_dst.data(), 6);
    std::memcpy(f + 6, eth_src.data(), 6);
    store_be16(f + 12, ethertype_arp);
    uint8_t* a = f + eth_header_len;
    store_be16(a + htype, 1);
    store_be16(a + ptype, ethertype_ipv4);
    a[hlen] = 6;
    a[plen] = 4;
    store_be16(a + oper, op);
    std::memcpy(a + sha, sender_mac.data(), 6);
    store_be32(a + spa, sender_ip);
    std::memcpy(a + tha, target_mac.data(), 6);
    store_be32(a + tpa, target_ip);
}
}  // namespace

std::optional<arp_message> parse_arp(std::span<const uint8_t> frame) {
    if (frame.size() < eth_header_len + body_len) return std::nullopt;
    if (load_be16(frame.data() + 12) != ethertype_arp) return std::nullopt;
    const uint8_t* a = frame.data() + eth_header_len;
    if (load_be16(a + htype) != 1 || load_be16(a + ptype) != ethertype_ipv4 || a[hlen] != 6 || a[plen] != 4)
        return std::nullopt;
    arp_message m;
    m.op = load_be16(a + oper);
    if (m.op != arp_op_request && m.op != arp_op_reply) return std::nullopt;
    std::memcpy(m.sender_mac.data(), a + sha, 6);
    m.sender_ip = load_be32(a + spa);
    std::memcpy(m.target_mac.data(), a + tha, 6);
    m.target_ip = load_be32(a + tpa);
    return m;
}

size_t build_arp_reply(std::span<uint8_t, arp_frame_len> out, const arp_message& request, const mac& own_mac,
                       ipv4_addr own_ip) {
    write_frame(out.data(), request.sender_mac, own_mac, arp_op_reply, own_mac, own_ip, request.sender_mac,
                request.sender_ip);
    return arp_frame_len;
}

size_t build_arp_request(std::span<uint8_t, arp_frame_len> out, const mac& own_mac, ipv4_addr own_ip,
                         ipv4_addr wanted_ip) {
    const mac broadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    write_frame(out.data(), broadcast, own_mac, arp_op_request, own_mac, own_ip, mac{}, wanted_ip);
    return arp_frame_len;
}

std::optional<mac> parse_mac(std::string_view text) {
    mac m{};
    if (text.size() != 17) return std::nullopt;
    for (size_t i = 0; i < 6; ++i) {
        auto hex = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        int hi = hex(text[i * 3]), lo = hex(text[i * 3 + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        if (i < 5 && text[i * 3 + 2] != ':' && text[i * 3 + 2] != '-') return std::nullopt;
        m[i] = uint8_t(hi * 16 + lo);
    }
    return m;
}

std::string format_mac(const mac& m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

}  // namespace ics
