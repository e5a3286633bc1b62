#include "net/ndp.hpp"

#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "net/byte_order.hpp"
#include "net/checksum.hpp"
#include "net/headers.hpp"

using namespace ics;

namespace {

const mac own_mac{2, 0, 0, 0, 0, 1};
const mac gateway_mac{2, 0, 0, 0, 0, 0xfe};

ipv6_addr addr(std::string_view text) {
    return parse_ipv6(text).value();
}

std::vector<uint8_t> solicit(const mac& from_mac, const ipv6_addr& from, const ipv6_addr& wanted) {
    std::array<uint8_t, nd_frame_len> f{};
    build_neighbor_solicit(f, from_mac, from, wanted);
    return {f.begin(), f.end()};
}

template <typename Frame>
mac eth_dst(const Frame& f) {
    return {f[0], f[1], f[2], f[3], f[4], f[5]};
}

uint8_t* icmp_of(std::vector<uint8_t>& f) {
    return f.data() + eth_header_len + ipv6_header_len;
}

void fix_checksum(std::vector<uint8_t>& f) {
    uint8_t* icmp = icmp_of(f);
    store_be16(icmp + icmp_off::checksum, 0);
    store_be16(icmp + icmp_off::checksum, icmpv6_checksum(f.data() + eth_header_len));
}

}  // namespace

TEST(Ndp, SolicitsTheGatewayAtItsSolicitedNodeGroup) {
    const auto f = solicit(own_mac, addr("2001:db8:ff::1"), addr("2001:db8:ff::1:fe"));
    const uint8_t* ip = f.data() + eth_header_len;
    EXPECT_EQ(eth_dst(f), (mac{0x33, 0x33, 0xff, 0x01, 0x00, 0xfe}));
    EXPECT_EQ(ipv6_addr::load(ip + ip6_off::dst), addr("ff02::1:ff01:fe"));
    EXPECT_EQ(ip[ip6_off::hop_limit], 255);
    EXPECT_EQ(icmpv6_checksum(ip), 0);
    const auto m = parse_nd(f);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, nd_neighbor_solicit);
    EXPECT_EQ(m->src, addr("2001:db8:ff::1"));
    EXPECT_EQ(m->target, addr("2001:db8:ff::1:fe"));
    EXPECT_TRUE(m->has_link_addr);
    EXPECT_EQ(m->link_addr, own_mac);
    EXPECT_EQ(m->eth_src, own_mac);
}

TEST(Ndp, AdvertisesOurAddressToTheSolicitor) {
    const auto ns = parse_nd(solicit(gateway_mac, addr("2001:db8:ff::fe"), addr("2001:db8:ff::1")));
    ASSERT_TRUE(ns);
    std::array<uint8_t, nd_frame_len> out{};
    ASSERT_EQ(build_neighbor_advert(out, *ns, own_mac, addr("2001:db8:ff::1")), nd_frame_len);
    EXPECT_EQ(eth_dst(out), gateway_mac);
    const auto na = parse_nd(out);
    ASSERT_TRUE(na);
    EXPECT_EQ(na->type, nd_neighbor_advert);
    EXPECT_EQ(na->src, addr("2001:db8:ff::1"));
    EXPECT_EQ(na->dst, addr("2001:db8:ff::fe"));
    EXPECT_EQ(na->target, addr("2001:db8:ff::1"));
    EXPECT_TRUE(na->solicited);
    EXPECT_TRUE(na->override);
    EXPECT_FALSE(na->router);
    EXPECT_TRUE(na->has_link_addr);
    EXPECT_EQ(na->link_addr, own_mac);
}

// Duplicate address detection: a solicitation from :: is answered to all nodes, not solicited.
TEST(Ndp, AnswersDuplicateAddressDetectionToAllNodes) {
    auto f = solicit(gateway_mac, ipv6_addr{}, addr("2001:db8:ff::1"));
    // Without the source link-layer address option, as RFC 4861 requires from ::.
    store_be16(f.data() + eth_header_len + ip6_off::payload_len, 24);
    f.resize(eth_header_len + ipv6_header_len + 24);
    fix_checksum(f);
    const auto ns = parse_nd(f);
    ASSERT_TRUE(ns);
    EXPECT_FALSE(ns->has_link_addr);
    std::array<uint8_t, nd_frame_len> out{};
    build_neighbor_advert(out, *ns, own_mac, addr("2001:db8:ff::1"));
    const auto na = parse_nd(out);
    ASSERT_TRUE(na);
    EXPECT_EQ(na->dst, addr("ff02::1"));
    EXPECT_FALSE(na->solicited);
    EXPECT_EQ(eth_dst(out), (mac{0x33, 0x33, 0, 0, 0, 1}));
}

// From :: to anything but the target's solicited-node group: discarded.
TEST(Ndp, DiscardsDuplicateAddressDetectionToAnotherGroup) {
    auto f = solicit(gateway_mac, ipv6_addr{}, addr("2001:db8:ff::1"));
    store_be16(f.data() + eth_header_len + ip6_off::payload_len, 24);
    f.resize(eth_header_len + ipv6_header_len + 24);
    fix_checksum(f);
    ASSERT_TRUE(parse_nd(f));
    addr("ff02::1").store(f.data() + eth_header_len + ip6_off::dst);
    fix_checksum(f);
    EXPECT_FALSE(parse_nd(f));
}

// The first source link-layer address counts; a second one does not redirect the answer.
TEST(Ndp, TakesTheFirstLinkAddressOption) {
    auto f = solicit(gateway_mac, addr("2001:db8:ff::fe"), addr("2001:db8:ff::1"));
    const std::vector<uint8_t> second = {1, 1, 2, 0, 0, 0, 0, 0x77};
    f.insert(f.end(), second.begin(), second.end());
    store_be16(f.data() + eth_header_len + ip6_off::payload_len, 40);
    fix_checksum(f);
    const auto m = parse_nd(f);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->link_addr, gateway_mac);
}

TEST(Ndp, ReadsTheLinkAddressAmongOtherOptions) {
    auto f = solicit(gateway_mac, addr("2001:db8:ff::fe"), addr("2001:db8:ff::1"));
    // An unknown option (type 14, the nonce, 8 bytes) before the source link-layer address.
    std::vector<uint8_t> nonce = {14, 1, 1, 2, 3, 4, 5, 6};
    f.insert(f.begin() + long(eth_header_len + ipv6_header_len + 24), nonce.begin(), nonce.end());
    store_be16(f.data() + eth_header_len + ip6_off::payload_len, 40);
    fix_checksum(f);
    const auto m = parse_nd(f);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->link_addr, gateway_mac);
}

// What RFC 4861 7.1 has a node discard silently, each on its own.
TEST(Ndp, DiscardsWhatRfc4861SaysToDiscard) {
    const auto good = solicit(gateway_mac, addr("2001:db8:ff::fe"), addr("2001:db8:ff::1"));
    ASSERT_TRUE(parse_nd(good));
    const size_t ip = eth_header_len, icmp = eth_header_len + ipv6_header_len;
    const auto discarded = [&](auto&& change, bool fix = true) {
        auto f = good;
        change(f);
        if (fix) fix_checksum(f);
        return !parse_nd(f).has_value();
    };
    EXPECT_TRUE(discarded([&](auto& f) { f[ip + ip6_off::hop_limit] = 254; }));  // forwarded: not on-link
    EXPECT_TRUE(discarded([&](auto& f) { f[icmp + icmp_off::code] = 1; }));
    EXPECT_TRUE(discarded([&](auto& f) { f[icmp + 10] ^= 1; }, false));        // the checksum does not verify
    EXPECT_TRUE(discarded([&](auto& f) { f[icmp + 8] = 0xff; }));              // a multicast target
    EXPECT_TRUE(discarded([&](auto& f) { f[icmp + 25] = 0; }));                // an option of length 0
    EXPECT_TRUE(discarded([&](auto& f) { f[icmp + 25] = 2; }));                // an option past the message
    EXPECT_TRUE(discarded([&](auto& f) { f[icmp + icmp_off::type] = 134; }));  // a router advertisement
    EXPECT_TRUE(discarded([&](auto& f) { f[ip + ip6_off::next_header] = 0; }));
    // A payload length past the frame, and a frame cut short: no checksum to fix (it would read past
    // the frame), and the length is refused before the checksum is read.
    EXPECT_TRUE(discarded([&](auto& f) { store_be16(f.data() + ip + ip6_off::payload_len, 33); }, false));
    EXPECT_TRUE(discarded([&](auto& f) { store_be16(f.data() + 12, ethertype_ipv4); }));
    EXPECT_TRUE(discarded([&](auto& f) { f.resize(icmp + 20); }, false));
    // From :: with a source link-layer address option (of any length).
    EXPECT_TRUE(discarded([&](auto& f) { ipv6_addr{}.store(f.data() + ip + ip6_off::src); }));
    EXPECT_TRUE(discarded([&](auto& f) {
        ipv6_addr{}.store(f.data() + ip + ip6_off::src);
        f.insert(f.end(), 8, 0);
        f[icmp + 25] = 2;
        store_be16(f.data() + ip + ip6_off::payload_len, 40);
    }));
    // From a group address, loopback, or a group Ethernet address; a group link-layer address.
    EXPECT_TRUE(discarded([&](auto& f) { addr("ff02::1").store(f.data() + ip + ip6_off::src); }));
    EXPECT_TRUE(discarded([&](auto& f) { addr("::1").store(f.data() + ip + ip6_off::src); }));
    EXPECT_TRUE(discarded([&](auto& f) { f[6] = 0xff; }));
    EXPECT_TRUE(discarded([&](auto& f) { f[icmp + 26] = 0x01; }));
    // A solicited advertisement to a multicast group.
    std::array<uint8_t, nd_frame_len> na{};
    build_neighbor_advert(na, *parse_nd(good), own_mac, addr("2001:db8:ff::1"));
    std::vector<uint8_t> to_group(na.begin(), na.end());
    addr("ff02::1").store(to_group.data() + ip + ip6_off::dst);
    fix_checksum(to_group);
    EXPECT_FALSE(parse_nd(to_group).has_value());
}

TEST(Ndp, MapsMulticastAddresses) {
    EXPECT_EQ(solicited_node(addr("2001:db8::1:800:200e:8c6c")), addr("ff02::1:ff0e:8c6c"));
    EXPECT_EQ(multicast_mac(addr("ff02::1:ff0e:8c6c")), (mac{0x33, 0x33, 0xff, 0x0e, 0x8c, 0x6c}));
}

// The groups a NIC must take: one per distinct last 24 bits of our addresses, none over the cap.
TEST(Ndp, SolicitedNodeGroupsOfOurAddresses) {
    const ipv6_range_set one({{addr("2001:db8:ff::1"), 128}});
    EXPECT_EQ(solicited_node_macs(one, 64), (std::vector<mac>{{0x33, 0x33, 0xff, 0x00, 0x00, 0x01}}));
    // ::1 and 1::1 share their last 24 bits, so their group.
    const ipv6_range_set two({{addr("2001:db8:ff::1"), 128}, {addr("2001:db8:ff::1:0:1"), 128}});
    EXPECT_EQ(solicited_node_macs(two, 64).size(), 1u);
    const ipv6_range_set range({{addr("2001:db8:ff::100"), 122}});  // 64 addresses
    const auto groups = solicited_node_macs(range, 64);
    ASSERT_EQ(groups.size(), 64u);
    for (unsigned i = 0; i < 64; ++i) EXPECT_EQ(groups[i], (mac{0x33, 0x33, 0xff, 0x00, 0x01, uint8_t(i)}));
    EXPECT_TRUE(solicited_node_macs(range, 63).empty());
    EXPECT_TRUE(
        solicited_node_macs(ipv6_range_set({{addr("2001:db8:ff::"), 64}}), 64).empty());  // a whole /64
}
