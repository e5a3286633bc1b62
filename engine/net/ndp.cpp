#include "net/ndp.hpp"

#include <algorithm>
#include <cstring>

#include "net/byte_order.hpp"
#include "net/checksum.hpp"
#include "net/headers.hpp"

namespace ics {
namespace {

// The ICMPv6 message's offsets: type, code, checksum, then flags (NA) or 4 reserved bytes, the
// target address, and options of 8-byte units.
constexpr size_t flags_at = 4, target_at = 8, options_at = 24;
constexpr uint8_t option_source_link_addr = 1, option_target_link_addr = 2;
constexpr uint32_t flag_router = 1u << 31, flag_solicited = 1u << 30, flag_override = 1u << 29;

bool is_multicast(const ipv6_addr& a) {
    return (a.hi >> 56) == 0xff;
}

// Reads the options; false if one is malformed (a zero length, or past the message: RFC 4861 7.1),
// or if the link-layer address is a group address (an answer must never go to a group). The first
// link-layer address option counts (as Linux does); `saw_link_option` is set for one of any length.
bool read_options(const uint8_t* opt, size_t len, nd_message& m, bool& saw_link_option) {
    const uint8_t wanted = m.type == nd_neighbor_solicit ? option_source_link_addr : option_target_link_addr;
    while (len > 0) {
        if (len < 2 || opt[1] == 0 || size_t(opt[1]) * 8 > len) return false;
        if (opt[0] == wanted && !saw_link_option) {
            saw_link_option = true;
            if (opt[1] == 1) {
                if (opt[2] & 1) return false;  // the group bit
                m.has_link_addr = true;
                std::memcpy(m.link_addr.data(), opt + 2, 6);
            }
        }
        len -= size_t(opt[1]) * 8;
        opt += size_t(opt[1]) * 8;
    }
    return true;
}

// Addresses a Neighbour Discovery message may come from: never a group (RFC 4291 2.7), never
// loopback; :: only for a solicitation (duplicate address detection).
bool plausible_source(const nd_message& m) {
    const ipv6_addr loopback{0, 1};
    if (is_multicast(m.src) || m.src == loopback || (m.eth_src[0] & 1)) return false;
    return m.src != ipv6_addr{} || m.type == nd_neighbor_solicit;
}

// Ethernet, the IPv6 header (hop limit 255, as RFC 4861 requires), and the ICMPv6 message with one
// link-layer address option; the checksum last.
void write_frame(uint8_t* f, const mac& eth_dst, const mac& eth_src, const ipv6_addr& src,
                 const ipv6_addr& dst, uint8_t type, uint32_t flags, const ipv6_addr& target, uint8_t option,
                 const mac& link_addr) {
    std::memset(f, 0, nd_frame_len);
    std::memcpy(f, eth_dst.data(), 6);
    std::memcpy(f + 6, eth_src.data(), 6);
    store_be16(f + 12, ethertype_ipv6);
    uint8_t* ip = f + eth_header_len;
    store_be32(ip, uint32_t(6) << 28);
    store_be16(ip + ip6_off::payload_len, uint16_t(nd_frame_len - eth_header_len - ipv6_header_len));
    ip[ip6_off::next_header] = ip_proto_icmpv6;
    ip[ip6_off::hop_limit] = 255;
    src.store(ip + ip6_off::src);
    dst.store(ip + ip6_off::dst);
    uint8_t* icmp = ip + ipv6_header_len;
    icmp[icmp_off::type] = type;
    store_be32(icmp + flags_at, flags);
    target.store(icmp + target_at);
    icmp[options_at] = option;
    icmp[options_at + 1] = 1;
    std::memcpy(icmp + options_at + 2, link_addr.data(), 6);
    store_be16(icmp + icmp_off::checksum, icmpv6_checksum(ip));
}

}  // namespace

std::optional<nd_message> parse_nd(std::span<const uint8_t> frame) {
    constexpr size_t min_len = eth_header_len + ipv6_header_len + options_at;
    if (frame.size() < min_len || load_be16(frame.data() + 12) != ethertype_ipv6) return std::nullopt;
    const uint8_t* ip = frame.data() + eth_header_len;
    const size_t icmp_len = load_be16(ip + ip6_off::payload_len);
    if ((ip[0] >> 4) != 6 || ip[ip6_off::next_header] != ip_proto_icmpv6 || ip[ip6_off::hop_limit] != 255 ||
        icmp_len < options_at || frame.size() - eth_header_len - ipv6_header_len < icmp_len)
        return std::nullopt;
    const uint8_t* icmp = ip + ipv6_header_len;
    nd_message m;
    m.type = icmp[icmp_off::type];
    if ((m.type != nd_neighbor_solicit && m.type != nd_neighbor_advert) || icmp[icmp_off::code] != 0 ||
        icmpv6_checksum(ip) != 0)
        return std::nullopt;
    std::memcpy(m.eth_src.data(), frame.data() + 6, 6);
    m.src = ipv6_addr::load(ip + ip6_off::src);
    m.dst = ipv6_addr::load(ip + ip6_off::dst);
    m.target = ipv6_addr::load(icmp + target_at);
    const uint32_t flags = load_be32(icmp + flags_at);
    m.router = flags & flag_router;
    m.solicited = flags & flag_solicited;
    m.override = flags & flag_override;
    bool saw_link_option = false;
    if (is_multicast(m.target) || !plausible_source(m) ||
        !read_options(icmp + options_at, icmp_len - options_at, m, saw_link_option))
        return std::nullopt;
    // A solicitation from :: (duplicate address detection) goes to the target's solicited-node
    // group and carries no source link-layer address option at all; an advertisement to a
    // multicast group is never a solicited one.
    if (m.type == nd_neighbor_solicit && m.src == ipv6_addr{} &&
        (saw_link_option || m.dst != solicited_node(m.target)))
        return std::nullopt;
    if (m.type == nd_neighbor_advert && is_multicast(m.dst) && m.solicited) return std::nullopt;
    return m;
}

size_t build_neighbor_advert(std::span<uint8_t, nd_frame_len> out, const nd_message& solicit,
                             const mac& own_mac, const ipv6_addr& own_ip) {
    const bool dad = solicit.src == ipv6_addr{};
    const ipv6_addr all_nodes{0xff02000000000000ull, 1};
    const ipv6_addr to = dad ? all_nodes : solicit.src;
    const mac eth_to = dad                     ? multicast_mac(all_nodes)
                       : solicit.has_link_addr ? solicit.link_addr
                                               : solicit.eth_src;
    write_frame(out.data(), eth_to, own_mac, own_ip, to, nd_neighbor_advert,
                flag_override | (dad ? 0 : flag_solicited), own_ip, option_target_link_addr, own_mac);
    return nd_frame_len;
}

size_t build_neighbor_solicit(std::span<uint8_t, nd_frame_len> out, const mac& own_mac,
                              const ipv6_addr& own_ip, const ipv6_addr& wanted) {
    const ipv6_addr group = solicited_node(wanted);
    write_frame(out.data(), multicast_mac(group), own_mac, own_ip, group, nd_neighbor_solicit, 0, wanted,
                option_source_link_addr, own_mac);
    return nd_frame_len;
}

ipv6_addr solicited_node(const ipv6_addr& a) {
    return {0xff02000000000000ull, 0x00000001ff000000ull | (a.lo & 0xffffff)};
}

mac multicast_mac(const ipv6_addr& a) {
    return {0x33, 0x33, uint8_t(a.lo >> 24), uint8_t(a.lo >> 16), uint8_t(a.lo >> 8), uint8_t(a.lo)};
}

std::vector<mac> solicited_node_macs(const ipv6_range_set& own, size_t max) {
    std::vector<mac> out;
    for (const auto& r : own.ranges()) {
        // Past 2^24 addresses every group is taken; stop well before (out.size() > max).
        for (ipv6_addr a = r.first; out.size() <= max; ++a.lo) {
            const mac m = multicast_mac(solicited_node(a));
            if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
            if (a == r.last) break;
        }
        if (out.size() > max) return {};
    }
    return out;
}

}  // namespace ics
