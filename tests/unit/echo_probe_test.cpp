// The echo probe's bytes against a known answer computed outside the engine (checked by the test's
// own RFC 1071 sum and against the drawing in probe/echo_probe.hpp), its checksums, and decoding of
// the replies it draws: echo replies and ICMP errors with quotes of every length from 28 bytes.
#include "probe/echo_probe.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "known_answer.hpp"
#include "packet_craft.hpp"

using namespace ics;
using namespace ics::test;

namespace {
std::vector<uint8_t> build(const echo_probe& p, ipv4_addr dst, uint32_t send_us) {
    std::vector<uint8_t> f(echo_probe::frame_len);
    p.build(f.data(), 0xc613ff01, dst, send_us);
    return f;
}

// The known answer: fixed inputs and the frame they must give, byte for byte. The bytes were
// computed apart from the engine (AES-128 from OpenSSL, SipHash-1-3 and the checksums written from
// their specifications: known_answer_frames.py) and are the one place to change when the layout
// changes. The key, MACs and gateway are test_probe_setup()'s.
struct echo_known_answer {
    static constexpr ipv4_addr source = 0xc613ff01;  // 198.19.255.1
    static constexpr ipv4_addr target = 0xc6120005;  // 198.18.0.5
    static constexpr uint32_t send_us = 0x3a5c9e17;  // the probe carries its low 24 bits
    static constexpr uint32_t round = 0x2b;          // -P round 43
    static constexpr uint32_t stamp = 0x2b5c9e17;    // S = round mod 2^8 | send_us mod 2^24
    static constexpr uint8_t ttl = 255;              // --probe-ttl's default
    // The bytes that depend on the MAC algorithm: the cookie (ICMP id|seq) and the fixup word.
    struct cookie_bytes {
        uint8_t mac[4], fixup[2];
    };
    static constexpr cookie_bytes aes{{0xd1, 0xc3, 0x02, 0x72}, {0xbc, 0x3e}};
    static constexpr cookie_bytes siphash{{0x08, 0x3e, 0x40, 0x3f}, {0x47, 0xf7}};

    static std::vector<uint8_t> frame(const cookie_bytes& c) {
        return {// Ethernet: to the gateway 02:00:00:00:00:fe, from 02:00:00:00:00:01, type IPv4
                0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
                // IPv4: version 4, IHL 5, TOS 0, total length 36; ID 0x2b5c = S[31:16]; DF,
                // offset 0; TTL 255, protocol 1 (ICMP), checksum 0xc54f; 198.19.255.1 -> 198.18.0.5
                0x45, 0x00, 0x00, 0x24, 0x2b, 0x5c, 0x40, 0x00, 0xff, 0x01, 0xc5, 0x4f, 0xc6, 0x13, 0xff,
                0x01, 0xc6, 0x12, 0x00, 0x05,
                // ICMP: type 8 (echo request), code 0, checksum field 0x9e17 = S[15:0],
                // identifier | sequence = the cookie's MAC
                0x08, 0x00, 0x9e, 0x17, c.mac[0], c.mac[1], c.mac[2], c.mac[3],
                // payload: S, the checksum fixup, 0
                0x2b, 0x5c, 0x9e, 0x17, c.fixup[0], c.fixup[1], 0x00, 0x00};
    }
    static std::vector<uint8_t> expected() {
        return frame(probe_mac_is_aes(test_probe_setup().key) ? aes : siphash);
    }
};
using kat = echo_known_answer;

// Offsets in the frame (Ethernet 14, IPv4 20, then ICMP), written out rather than taken from the
// engine's headers.
constexpr size_t ip_at = 14, icmp_at = 34;
}  // namespace

TEST(EchoProbe, BuildGivesTheKnownAnswerFrame) {
    echo_probe p(test_probe_setup());
    ASSERT_EQ(p.ttl(), kat::ttl);
    std::vector<uint8_t> f(echo_probe::frame_len);
    p.build(f.data(), kat::source, kat::target, kat::send_us, kat::round);
    EXPECT_EQ(hex(f), hex(kat::expected()))
        << (probe_mac_is_aes(test_probe_setup().key) ? "AES" : "SipHash") << " cookie";
}

// The expected frames are right in themselves: both checksums verify by RFC 1071 (the test's own
// sum), for either algorithm's bytes.
TEST(EchoProbe, KnownAnswerChecksumsVerifyByRfc1071) {
    for (const auto& c : {kat::aes, kat::siphash}) {
        const auto f = kat::frame(c);
        ASSERT_EQ(f.size(), echo_probe::frame_len);
        EXPECT_EQ(rfc1071_sum(f.data() + ip_at, 20), 0xffff) << "IP header";
        EXPECT_EQ(rfc1071_sum(f.data() + icmp_at, f.size() - icmp_at), 0xffff) << "ICMP message";
    }
}

// Both cookie byte tables are the MAC of the known-answer inputs under their algorithm, whichever
// one this CPU gives the probe (AES-NI and VAES compute the same function).
TEST(EchoProbe, KnownAnswerCookiesAreEachAlgorithmsMac) {
    const uint64_t m0 = uint64_t(kat::source) << 32 | kat::target,
                   m1 = uint64_t(kat::stamp) << 32 | uint32_t(kat::ttl) << 8 | 1;
    auto bytes = [](uint32_t m) {
        return std::vector<uint8_t>{uint8_t(m >> 24), uint8_t(m >> 16), uint8_t(m >> 8), uint8_t(m)};
    };
    auto table = [](const kat::cookie_bytes& c) { return std::vector<uint8_t>(c.mac, c.mac + 4); };
    const cookie_key key = test_probe_setup().key;
    EXPECT_EQ(bytes(cookie_mac(key, mac_algorithm::siphash13)(m0, m1)), table(kat::siphash));
    for (auto a : {mac_algorithm::aes128_ni, mac_algorithm::aes128_vaes}) {
        if (!cookie_mac::cpu_has(a)) continue;
        EXPECT_EQ(bytes(cookie_mac(key, a)(m0, m1)), table(kat::aes)) << mac_algorithm_name(a);
    }
}

// The built frame's cookie fields against the drawing in probe/echo_probe.hpp, and its MAC against
// its definition computed outside the probe.
TEST(EchoProbe, CookieFieldsFollowTheDrawing) {
    echo_probe p(test_probe_setup());
    std::vector<uint8_t> f(echo_probe::frame_len);
    p.build(f.data(), kat::source, kat::target, kat::send_us, kat::round);
    EXPECT_EQ(be16_at(f, ip_at + 4), kat::stamp >> 16) << "IP ID = S[31:16]";
    EXPECT_EQ(f[ip_at + 8], kat::ttl) << "IP TTL = --probe-ttl";
    EXPECT_EQ(be32_at(f, ip_at + 12), kat::source);
    EXPECT_EQ(be32_at(f, ip_at + 16), kat::target);
    EXPECT_EQ(f[icmp_at], 8) << "type: echo request";
    EXPECT_EQ(f[icmp_at + 1], 0) << "code";
    EXPECT_EQ(be16_at(f, icmp_at + 2), kat::stamp & 0xffff) << "checksum field = S[15:0]";
    // mac = MAC(source << 32 | target, S << 32 | probe TTL << 8 | 1), 32 bits
    const uint32_t mac = mac32(test_probe_setup().key, uint64_t(kat::source) << 32 | kat::target,
                               uint64_t(kat::stamp) << 32 | uint32_t(kat::ttl) << 8 | 1);
    EXPECT_EQ(be16_at(f, icmp_at + 4), mac >> 16) << "identifier = mac[31:16]";
    EXPECT_EQ(be16_at(f, icmp_at + 6), mac & 0xffff) << "sequence = mac[15:0]";
    EXPECT_EQ(be32_at(f, icmp_at + 8), kat::stamp) << "payload: S[31:0]";
    EXPECT_EQ(be16_at(f, icmp_at + 14), 0) << "payload: 0 after the fixup";
    EXPECT_EQ(rfc1071_sum(f.data() + icmp_at, f.size() - icmp_at), 0xffff) << "the fixup makes it verify";
    EXPECT_EQ(rfc1071_sum(f.data() + ip_at, 20), 0xffff) << "IP checksum";
}

// decode() of replies to the known-answer frame: everything the record says comes from the frame.
TEST(EchoProbe, RepliesToTheKnownAnswerFrameDecode) {
    echo_probe p(test_probe_setup());
    const auto probe = kat::expected();
    const uint16_t id = be16_at(probe, icmp_at + 4), seq = be16_at(probe, icmp_at + 6);
    result_record rec{};
    counter why{};
    ASSERT_TRUE(decode(p, echo_reply_to(probe, 0x0102, 57), kat::send_us + 1500, rec, why))
        << counter_infos[size_t(why)].name;
    EXPECT_EQ(rec.saddr, kat::target);
    EXPECT_EQ(rec.daddr, kat::source);
    EXPECT_EQ(rec.probe_daddr, kat::target);
    EXPECT_EQ(rec.icmp_id, id);
    EXPECT_EQ(rec.seq, seq);
    EXPECT_EQ(rec.rtt_us, 1500u);
    EXPECT_EQ(rec.ttl, 57);
    EXPECT_EQ(rec.ipid, 0x0102);
    EXPECT_EQ(rec.probe_ttl, kat::ttl);
    EXPECT_EQ(rec.round, kat::round);
    EXPECT_EQ(rec.success, 1);
    // A router's error quoting the first 28 bytes: the send time comes back from the IP ID and the
    // ICMP checksum field.
    const auto err = icmp_error_about(probe, icmp_type::dest_unreach, 1, 0xc6130702, 28, 9);
    ASSERT_TRUE(decode(p, err, kat::send_us + 700, rec, why)) << counter_infos[size_t(why)].name;
    EXPECT_EQ(rec.saddr, 0xc6130702u);
    EXPECT_EQ(rec.probe_daddr, kat::target);
    EXPECT_EQ(rec.icmp_id, id);
    EXPECT_EQ(rec.seq, seq);
    EXPECT_EQ(rec.rtt_us, 700u);
    EXPECT_EQ(rec.quoted_ttl, 9);
    EXPECT_EQ(rec.round, kat::round);
    EXPECT_EQ(rec.success, 0);
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
