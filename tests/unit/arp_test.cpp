#include "net/arp.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(Arp, RequestAndReplyRoundTrip) {
    mac ours{0x02, 0, 0, 0, 0, 1}, theirs{0x02, 0, 0, 0, 0, 2};
    std::array<uint8_t, arp_frame_len> req{};
    build_arp_request(req, ours, 0xc613ff01, 0xc613fffe);
    // Ethernet: broadcast destination, our source, ethertype 0x0806.
    for (int i = 0; i < 6; ++i) EXPECT_EQ(req[i], 0xff);
    EXPECT_EQ(req[12], 0x08);
    EXPECT_EQ(req[13], 0x06);
    auto parsed = parse_arp(req);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->op, arp_op_request);
    EXPECT_EQ(parsed->sender_ip, 0xc613ff01u);
    EXPECT_EQ(parsed->target_ip, 0xc613fffeu);
    EXPECT_EQ(parsed->sender_mac, ours);

    std::array<uint8_t, arp_frame_len> rep{};
    build_arp_reply(rep, *parsed, theirs, 0xc613fffe);
    auto reply = parse_arp(rep);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->op, arp_op_reply);
    EXPECT_EQ(reply->sender_mac, theirs);
    EXPECT_EQ(reply->sender_ip, 0xc613fffeu);
    EXPECT_EQ(reply->target_mac, ours);
    EXPECT_EQ(reply->target_ip, 0xc613ff01u);
    EXPECT_TRUE(std::equal(rep.begin(), rep.begin() + 6, ours.begin()));
}

TEST(Arp, RejectsOtherFrames) {
    std::array<uint8_t, arp_frame_len> req{};
    build_arp_request(req, mac{}, 1, 2);
    EXPECT_FALSE(parse_arp(std::span<const uint8_t>(req.data(), 30)));
    req[12] = 0x08, req[13] = 0x00;
    EXPECT_FALSE(parse_arp(req));
}

TEST(Arp, MacText) {
    auto m = parse_mac("02:aB:00:10:ff:9c");
    ASSERT_TRUE(m);
    EXPECT_EQ(format_mac(*m), "02:ab:00:10:ff:9c");
    EXPECT_FALSE(parse_mac("02:ab:00:10:ff"));
    EXPECT_FALSE(parse_mac("02:ab:00:10:ff:9g"));
}
