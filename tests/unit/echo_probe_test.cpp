// The echo probe's bytes against a hand-decoded reference, its checksums, and decoding of the
// replies it draws: echo replies and ICMP errors with quotes of every length from 28 bytes.
#include "probe/echo_probe.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "packet_craft.hpp"

using namespace ics;
using namespace ics::test;

namespace {
std::vector<uint8_t> build(const echo_probe& p, ipv4_addr dst, uint32_t send_us) {
    std::vector<uint8_t> f(echo_probe::frame_len);
    p.build(f.data(), 0xc613ff01, dst, send_us);
    return f;
}

}  // namespace

TEST(EchoProbe, BytesMatchHandDecodedReference) {
    echo_probe p(test_probe_setup());
    auto f = build(p, 0xc6120005 /* 198.18.0.5 */, 0x00012345);
    const uint32_t m = p.mac(0xc613ff01, 0xc6120005, 0x00012345);
    const std::vector<uint8_t> expected = {
        // Ethernet: gateway MAC, our MAC, IPv4
        0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
        // IPv4: v4 ihl 5, tos 0, length 36, id = send_us[31:16] = 0x0001, DF, ttl 255, ICMP,
        //       checksum (checked below), 198.19.255.1 -> 198.18.0.5
        0x45, 0x00, 0x00, 0x24, 0x00, 0x01, 0x40, 0x00, 0xff, 0x01, f[24], f[25], 0xc6, 0x13, 0xff, 0x01,
        0xc6, 0x12, 0x00, 0x05,
        // ICMP: echo request, code 0, checksum field = send_us[15:0] = 0x2345, id/seq = cookie
        0x08, 0x00, 0x23, 0x45, uint8_t(m >> 24), uint8_t(m >> 16), uint8_t(m >> 8), uint8_t(m),
        // payload: send_us, fixup (checked below), 0
        0x00, 0x01, 0x23, 0x45, f[46], f[47], 0x00, 0x00};
    EXPECT_EQ(f, expected);
    EXPECT_TRUE(checksum_verifies(f.data() + 14, 20)) << "IP checksum";
    EXPECT_TRUE(checksum_verifies(f.data() + 34, 16)) << "ICMP checksum";
}

TEST(EchoProbe, ChecksumsVerifyForManyProbes) {
    echo_probe p(test_probe_setup());
    for (uint32_t i = 0; i < 5000; ++i) {
        auto f = build(p, 0xc6120000 + i * 7919, i * 2654435761u);
        ASSERT_TRUE(checksum_verifies(f.data() + 14, 20)) << i;
        ASSERT_TRUE(checksum_verifies(f.data() + 34, 16)) << i;
    }
}

TEST(EchoProbe, EchoReplyValidatesWithRtt) {
    echo_probe p(test_probe_setup());
    auto reply = echo_reply_to(build(p, 0xc6120005, 1000), 0x77, 61);
    result_record rec{};
    counter why{};
    ASSERT_TRUE(decode(p, reply, 1250, rec, why)) << counter_infos[size_t(why)].name;
    EXPECT_EQ(rec.saddr, 0xc6120005u);
    EXPECT_EQ(rec.probe_daddr, 0xc6120005u);
    EXPECT_EQ(rec.daddr, 0xc613ff01u);
    EXPECT_EQ(rec.rtt_us, 250u);
    EXPECT_EQ(rec.ttl, 61);
    EXPECT_EQ(rec.ipid, 0x77);
    EXPECT_EQ(rec.cls, classification::echoreply);
    EXPECT_EQ(rec.success, 1);
    EXPECT_EQ(rec.probe_ttl, 255);
}

TEST(EchoProbe, RttAcrossTheClockWrap) {
    echo_probe p(test_probe_setup());
    auto reply = echo_reply_to(build(p, 0xc6120005, 0xffffff00u));
    result_record rec{};
    counter why{};
    ASSERT_TRUE(decode(p, reply, 0x100, rec, why));
    EXPECT_EQ(rec.rtt_us, 0x200u);
}

// A reply found by a poll whose window opened long before the probe left (the RX lcore napped on a
// shared core): the RTT is estimated after the send stamp, never before it, with its bound.
TEST(EchoProbe, RttNeverPrecedesTheSendAndCarriesItsBound) {
    echo_probe p(test_probe_setup());
    const auto reply = echo_reply_to(build(p, 0xc6120005, 9000));
    result_record rec{};
    counter why{};
    ASSERT_TRUE(decode(p, reply, arrival_us{4000, 9300}, rec, why));
    EXPECT_EQ(rec.rtt_us, 150u);
    EXPECT_EQ(rec.rtt_err_us, 151u);
    EXPECT_EQ(rec.flags & record_flag::clock_disagrees, 0);
    // An ICMP error about the same probe gets the same estimate.
    const auto err = icmp_error_about(build(p, 0xc6120005, 9000), icmp_type::dest_unreach, 1, 0xc6120001, 28);
    ASSERT_TRUE(decode(p, err, arrival_us{4000, 9300}, rec, why));
    EXPECT_EQ(rec.rtt_us, 150u);
    // A window that closed before the send stamp: the clocks disagree; flagged, RTT 0 within it.
    ASSERT_TRUE(decode(p, reply, arrival_us{8000, 8990}, rec, why));
    EXPECT_EQ(rec.rtt_us, 0u);
    EXPECT_EQ(rec.rtt_err_us, 11u);
    EXPECT_NE(rec.flags & record_flag::clock_disagrees, 0);
}

TEST(EchoProbe, OneBitChangeAnywhereCoveredIsRejected) {
    echo_probe p(test_probe_setup());
    const auto reply = echo_reply_to(build(p, 0xc6120005, 99999));
    // Covered: source address (26..29), ICMP id/seq (38..41), payload send time (42..45).
    std::vector<size_t> covered = {26, 27, 28, 29, 38, 39, 40, 41, 42, 43, 44, 45};
    for (size_t byte : covered)
        for (int bit = 0; bit < 8; ++bit) {
            auto bad = reply;
            bad[byte] ^= uint8_t(1 << bit);
            fix_ip_checksum(bad.data() + 14);
            result_record rec{};
            counter why{};
            EXPECT_FALSE(decode(p, bad, 100000, rec, why)) << "byte " << byte << " bit " << bit;
            EXPECT_EQ(why, counter::rx_cookie_invalid);
        }
}

TEST(EchoProbe, OtherKeyRejects) {
    echo_probe p(test_probe_setup());
    auto other_setup = test_probe_setup();
    other_setup.key.k1 ^= 1;
    echo_probe other(other_setup);
    auto reply = echo_reply_to(build(other, 0xc6120005, 5));
    result_record rec{};
    counter why{};
    EXPECT_FALSE(decode(p, reply, 10, rec, why));
    EXPECT_EQ(why, counter::rx_cookie_invalid);
}

TEST(EchoProbe, ReplyToAnotherAddressIsNotOurs) {
    echo_probe p(test_probe_setup());
    auto reply = echo_reply_to(build(p, 0xc6120005, 5));
    store_be32(reply.data() + 14 + ip_off::dst, 0xc613ff02);
    fix_ip_checksum(reply.data() + 14);
    result_record rec{};
    counter why{};
    EXPECT_FALSE(decode(p, reply, 10, rec, why));
    EXPECT_EQ(why, counter::rx_not_our_address);
}

TEST(EchoProbe, ErrorsDecodeFromEveryQuoteLength) {
    echo_probe p(test_probe_setup());
    const auto probe = build(p, 0xc6120405, 5000);
    for (size_t qlen = icmp_min_quote_len; qlen <= 36; ++qlen)
        for (auto [type, code] : {std::pair{3, 0}, {3, 1}, {3, 13}, {11, 0}, {12, 0}, {5, 1}, {4, 0}}) {
            auto err = icmp_error_about(probe, uint8_t(type), uint8_t(code), 0xc6130202, qlen, 3);
            result_record rec{};
            counter why{};
            ASSERT_TRUE(decode(p, err, 5400, rec, why))
                << "qlen " << qlen << " type " << type << ": " << counter_infos[size_t(why)].name;
            EXPECT_EQ(rec.saddr, 0xc6130202u);
            EXPECT_EQ(rec.probe_daddr, 0xc6120405u);
            EXPECT_EQ(rec.type, type);
            EXPECT_EQ(rec.code, code);
            EXPECT_EQ(rec.rtt_us, 400u);
            EXPECT_EQ(rec.quoted_ttl, 3);
            EXPECT_EQ(rec.success, 0);
        }
}

TEST(EchoProbe, ErrorClassification) {
    echo_probe p(test_probe_setup());
    const auto probe = build(p, 0xc6120405, 5000);
    auto cls = [&](uint8_t type) {
        result_record rec{};
        counter why{};
        EXPECT_TRUE(decode(p, icmp_error_about(probe, type, 0, 1, 28), 1, rec, why));
        return rec.cls;
    };
    EXPECT_EQ(cls(3), classification::unreach);
    EXPECT_EQ(cls(11), classification::timxceed);
    EXPECT_EQ(cls(5), classification::redirect);
    EXPECT_EQ(cls(4), classification::sourcequench);
    EXPECT_EQ(cls(12), classification::other);
}

TEST(EchoProbe, CorruptedQuoteIsRejected) {
    echo_probe p(test_probe_setup());
    const auto probe = build(p, 0xc6120405, 5000);
    const auto good = icmp_error_about(probe, 11, 0, 0xc6130202, 28);
    const size_t q = 14 + 20 + 8;  // start of the quote
    // Quoted IP id (send time high bits), destination, ICMP checksum (send time low), id, seq.
    for (size_t off : {q + 4, q + 5, q + 16, q + 19, q + 22, q + 23, q + 24, q + 27}) {
        auto bad = good;
        bad[off] ^= 0x10;
        result_record rec{};
        counter why{};
        EXPECT_FALSE(decode(p, bad, 1, rec, why)) << "offset " << off;
    }
    auto not_echo = good;
    not_echo[q + 20] = 13;  // quoted ICMP type: timestamp request, not our probe
    result_record rec{};
    counter why{};
    EXPECT_FALSE(decode(p, not_echo, 1, rec, why));
    EXPECT_EQ(why, counter::rx_quote_invalid);
}

TEST(EchoProbe, TruncatedQuoteIsRejected) {
    echo_probe p(test_probe_setup());
    const auto probe = build(p, 0xc6120405, 5000);
    for (size_t qlen = 0; qlen < icmp_min_quote_len; ++qlen) {
        auto err = icmp_error_about(probe, 3, 1, 0xc6130202, qlen);
        result_record rec{};
        counter why{};
        EXPECT_FALSE(decode(p, err, 1, rec, why)) << qlen;
        EXPECT_EQ(why, counter::rx_quote_invalid) << qlen;
    }
}
