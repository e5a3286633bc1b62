// The reply parser on crafted frames: valid replies, and every malformed shape it must refuse
// with the right drop counter (never reading past the frame).
#include "reply/reply_parser.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "packet_craft.hpp"

using namespace ics;
using namespace ics::test;

namespace {
// Ethernet + IPv4 (20) + ICMP echo reply (8) + 8 bytes payload, 198.18.0.5 -> 198.19.255.1.
std::vector<uint8_t> echo_reply() {
    std::vector<uint8_t> f = {// Ethernet: dst, src, IPv4
                              2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0xfe, 0x08, 0x00,
                              // IPv4: 45, tos, len 36, id 0x0102, no flags, ttl 62, ICMP, checksum, src, dst
                              0x45, 0, 0, 36, 1, 2, 0, 0, 62, 1, 0, 0, 198, 18, 0, 5, 198, 19, 255, 1,
                              // ICMP: echo reply, code 0, checksum, id 0xaabb, seq 0xccdd
                              0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd,
                              // payload
                              1, 2, 3, 4, 5, 6, 7, 8};
    fix_ip_checksum(f.data() + 14);
    fix_icmp_checksum(f.data() + 34, 16);
    return f;
}
counter parse_fails(const std::vector<uint8_t>& f) {
    parsed_reply r;
    counter why = counter::rx_valid;
    EXPECT_FALSE(parse_reply(f.data(), f.size(), r, why));
    return why;
}
}  // namespace

TEST(ReplyParser, EchoReplyFields) {
    auto f = echo_reply();
    parsed_reply r;
    counter why;
    ASSERT_TRUE(parse_reply(f.data(), f.size(), r, why));
    EXPECT_EQ(r.saddr, 0xc6120005u);
    EXPECT_EQ(r.daddr, 0xc613ff01u);
    EXPECT_EQ(r.ipid, 0x0102);
    EXPECT_EQ(r.ttl, 62);
    EXPECT_EQ(r.type, 0);
    EXPECT_EQ(r.id(), 0xaabb);
    EXPECT_EQ(r.seq(), 0xccdd);
    EXPECT_EQ(r.payload_len, 8);
    EXPECT_EQ(r.payload[0], 1);
    EXPECT_FALSE(r.has_quote);
}

TEST(ReplyParser, EthernetPaddingIsIgnored) {
    auto f = echo_reply();
    f.resize(80, 0xee);  // a NIC's padding after the IP packet
    parsed_reply r;
    counter why;
    ASSERT_TRUE(parse_reply(f.data(), f.size(), r, why));
    EXPECT_EQ(r.payload_len, 8);
}

TEST(ReplyParser, MalformedFrames) {
    auto f = echo_reply();
    for (size_t len = 0; len < f.size(); ++len) {
        std::vector<uint8_t> cut(f.begin(), f.begin() + long(len));
        counter why = parse_fails(cut);
        EXPECT_TRUE(why == counter::rx_truncated || why == counter::rx_not_ipv4) << len;
    }
    auto v6 = f;
    v6[14] = 0x65;
    EXPECT_EQ(parse_fails(v6), counter::rx_bad_ip_header);
    auto short_ihl = f;
    short_ihl[14] = 0x44;
    EXPECT_EQ(parse_fails(short_ihl), counter::rx_bad_ip_header);
    auto long_total = f;
    long_total[17] = 200;
    fix_ip_checksum(long_total.data() + 14);
    EXPECT_EQ(parse_fails(long_total), counter::rx_truncated);
    auto bad_sum = f;
    bad_sum[24] ^= 0xff;
    EXPECT_EQ(parse_fails(bad_sum), counter::rx_ip_checksum);
    auto frag = f;
    frag[20] = 0x20;  // more fragments
    fix_ip_checksum(frag.data() + 14);
    EXPECT_EQ(parse_fails(frag), counter::rx_fragment);
    auto udp = f;
    udp[23] = 17;
    fix_ip_checksum(udp.data() + 14);
    EXPECT_EQ(parse_fails(udp), counter::rx_not_icmp);
    auto request = f;
    request[34] = 8;
    EXPECT_EQ(parse_fails(request), counter::rx_icmp_ignored);
    auto arp = f;
    arp[12] = 0x08, arp[13] = 0x06;
    EXPECT_EQ(parse_fails(arp), counter::rx_not_ipv4);
    auto tiny_icmp = f;
    tiny_icmp[17] = 24;  // IP total length leaves 4 bytes of ICMP
    fix_ip_checksum(tiny_icmp.data() + 14);
    EXPECT_EQ(parse_fails(tiny_icmp), counter::rx_truncated);
}

TEST(ReplyParser, QuoteWithIpOptions) {
    // Time Exceeded quoting a probe whose IP header carried 4 bytes of options (IHL 6).
    std::vector<uint8_t> f = {
        2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0xfe, 0x08, 0x00,
        // outer IPv4: len 20 + 8 + 24 + 8 = 60, from 198.19.2.2 to 198.19.255.1
        0x45, 0, 0, 60, 0, 9, 0, 0, 63, 1, 0, 0, 198, 19, 2, 2, 198, 19, 255, 1,
        // ICMP time exceeded, code 0, checksum, unused
        11, 0, 0, 0, 0, 0, 0, 0,
        // quoted IPv4 with IHL 6: id 0x0001, ttl 1, ICMP, 198.19.255.1 -> 198.18.4.5, NOP options
        0x46, 0, 0, 44, 0, 1, 0x40, 0, 1, 1, 0, 0, 198, 19, 255, 1, 198, 18, 4, 5, 1, 1, 1, 0,
        // quoted ICMP: echo request, checksum 0x2345, id 0xa1a2, seq 0xb1b2
        8, 0, 0x23, 0x45, 0xa1, 0xa2, 0xb1, 0xb2};
    fix_ip_checksum(f.data() + 14);
    parsed_reply r;
    counter why;
    ASSERT_TRUE(parse_reply(f.data(), f.size(), r, why));
    ASSERT_TRUE(r.has_quote);
    EXPECT_EQ(r.quote.daddr(), 0xc6120405u);
    EXPECT_EQ(r.quote.ipid(), 1);
    EXPECT_EQ(r.quote.ttl(), 1);
    EXPECT_EQ(r.quote.type(), 8);
    EXPECT_EQ(r.quote.checksum(), 0x2345);
    EXPECT_EQ(r.quote.id(), 0xa1a2);
    EXPECT_EQ(r.quote.seq(), 0xb1b2);
    // The same quote cut one byte short of the quoted ICMP header is refused.
    f.pop_back();
    f[17] = 59;
    fix_ip_checksum(f.data() + 14);
    EXPECT_EQ(parse_fails(f), counter::rx_quote_invalid);
}
