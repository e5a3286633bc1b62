// The trace probe: its bytes against a known answer computed outside the engine (checked by the
// test's own RFC 1071 sum and against the drawing in probe/trace_probe.hpp), the Paris flow
// identity over every TTL, its checksums, and stateless decoding of everything (target, TTL, send
// time, cookie) from Echo Replies and from ICMP error quotes of every length, truncated and
// corrupted quotes, and quotes whose destination was rewritten.
#include "probe/trace_probe.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "known_answer.hpp"
#include "packet_craft.hpp"
#include "reply/mpls_entry.hpp"

using namespace ics;
using namespace ics::test;

namespace {
constexpr ipv4_addr scanner = 0xc613ff01;  // 198.19.255.1
constexpr ipv4_addr target = 0xc6127c09;   // 198.18.124.9
constexpr ipv4_addr router = 0xc6130702;   // 198.19.7.2

std::vector<uint8_t> build(const trace_probe& p, ipv4_addr dst, uint8_t ttl, uint32_t send_us) {
    std::vector<uint8_t> f(trace_probe::frame_len);
    p.build(f.data(), scanner, dst, ttl, send_us);
    return f;
}

constexpr size_t icmp_at = eth_header_len + ipv4_min_header_len;
}  // namespace

namespace {
// The known answer: fixed inputs and the frame they must give, byte for byte. The bytes were
// computed apart from the engine (AES-128 from OpenSSL, SipHash-1-3, the flow multiplier and the
// checksums written from their definitions: known_answer_frames.py) and are the one place to change
// when the layout changes. The key and MACs are test_probe_setup()'s.
struct trace_known_answer {
    static constexpr ipv4_addr source = scanner;  // 198.19.255.1
    static constexpr ipv4_addr dest = target;     // 198.18.124.9
    static constexpr uint8_t ttl = 13;
    static constexpr uint32_t send_us = 0x7fabcdef;  // bits above 24 must not matter
    // W = TTL 13 | send_us mod 2^24 = 0xabcdef | mac (18 bits), for each MAC algorithm
    static constexpr uint64_t w_aes = 0x36af37bfac37, w_siphash = 0x36af37bc33dd;
    static constexpr uint16_t flow = 0x9ef3;  // bits 32..47 of target * M
    // The bytes that depend on the MAC algorithm: ICMP id|seq = W[31:0] and the fixup word.
    struct cookie_bytes {
        uint8_t id_seq[4], fixup[2];
    };
    static constexpr cookie_bytes aes{{0x37, 0xbf, 0xac, 0x37}, {0x3e, 0x66}};
    static constexpr cookie_bytes siphash{{0x37, 0xbc, 0x33, 0xdd}, {0xb6, 0xc3}};

    static std::vector<uint8_t> frame(const cookie_bytes& c) {
        return {// Ethernet: to the gateway 02:00:00:00:00:fe, from 02:00:00:00:00:01, type IPv4
                0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
                // IPv4: version 4, IHL 5, TOS 0, total length 32; ID 0x36af = W[47:32]; DF, offset 0;
                // TTL 13 (the probe TTL), protocol 1 (ICMP), checksum 0x2ffd;
                // 198.19.255.1 -> 198.18.124.9
                0x45, 0x00, 0x00, 0x20, 0x36, 0xaf, 0x40, 0x00, 0x0d, 0x01, 0x2f, 0xfd, 0xc6, 0x13, 0xff,
                0x01, 0xc6, 0x12, 0x7c, 0x09,
                // ICMP: type 8 (echo request), code 0, checksum field 0x9ef3 = flow(target),
                // identifier | sequence = W[31:0]
                0x08, 0x00, 0x9e, 0xf3, c.id_seq[0], c.id_seq[1], c.id_seq[2], c.id_seq[3],
                // payload: W[47:32] again, the checksum fixup
                0x36, 0xaf, c.fixup[0], c.fixup[1]};
    }
    static bool aes_probe() { return probe_mac_is_aes(test_probe_setup().key); }
    static std::vector<uint8_t> expected() { return frame(aes_probe() ? aes : siphash); }
    static uint64_t w() { return aes_probe() ? w_aes : w_siphash; }
};
using kat = trace_known_answer;
constexpr size_t ip_at = 14;  // written out rather than taken from the engine's headers
}  // namespace

TEST(TraceProbe, BuildGivesTheKnownAnswerFrame) {
    trace_probe p(test_probe_setup());
    std::vector<uint8_t> f(trace_probe::frame_len);
    p.build(f.data(), kat::source, kat::dest, kat::ttl, kat::send_us);
    EXPECT_EQ(hex(f), hex(kat::expected())) << (kat::aes_probe() ? "AES" : "SipHash") << " cookie";
}

// The expected frames are right in themselves: both checksums verify by RFC 1071 (the test's own
// sum), for either algorithm's bytes, and each W holds its algorithm's MAC lane.
TEST(TraceProbe, KnownAnswerIsConsistent) {
    for (const auto& c : {kat::aes, kat::siphash}) {
        const auto f = kat::frame(c);
        ASSERT_EQ(f.size(), trace_probe::frame_len);
        EXPECT_EQ(rfc1071_sum(f.data() + ip_at, 20), 0xffff) << "IP header";
        EXPECT_EQ(rfc1071_sum(f.data() + icmp_at, f.size() - icmp_at), 0xffff) << "ICMP message";
    }
    const uint64_t m0 = uint64_t(kat::source) << 32 | 'T', m1 = uint64_t(kat::ttl >> 2) << 24 | 0xabcdef;
    const cookie_key key = test_probe_setup().key;
    const unsigned lane = kat::ttl & 3;
    EXPECT_EQ(kat::w_siphash & trace_probe::mac_mask,
              cookie_mac(key, mac_algorithm::siphash13).lane(m0, m1, lane) & trace_probe::mac_mask);
    for (auto a : {mac_algorithm::aes128_ni, mac_algorithm::aes128_vaes}) {
        if (!cookie_mac::cpu_has(a)) continue;
        EXPECT_EQ(kat::w_aes & trace_probe::mac_mask,
                  cookie_mac(key, a).lane(m0, m1, lane) & trace_probe::mac_mask)
            << mac_algorithm_name(a);
    }
}

// The built frame's fields against the drawing in probe/trace_probe.hpp, W's MAC against its
// definition computed outside the probe.
TEST(TraceProbe, KnownAnswerFieldsFollowTheDrawing) {
    trace_probe p(test_probe_setup());
    std::vector<uint8_t> f(trace_probe::frame_len);
    p.build(f.data(), kat::source, kat::dest, kat::ttl, kat::send_us);
    const uint64_t w = uint64_t(be16_at(f, ip_at + 4)) << 32 | be32_at(f, icmp_at + 4);
    EXPECT_EQ(w, kat::w());
    EXPECT_EQ(w >> 42, kat::ttl) << "W[47:42] = probe TTL";
    EXPECT_EQ(w >> 18 & 0xffffff, kat::send_us & 0xffffff) << "W[41:18] = send_us mod 2^24";
    // mac = low 18 bits of lane (TTL mod 4) of MAC(source << 32 | 'T', (TTL div 4) << 24 | send_us mod 2^24)
    const auto block = mac_block(test_probe_setup().key, uint64_t(kat::source) << 32 | 'T',
                                 uint64_t(kat::ttl >> 2) << 24 | (kat::send_us & 0xffffff));
    EXPECT_EQ(w & 0x3ffff, block[kat::ttl & 3] & 0x3ffff) << "W[17:0] = mac";
    EXPECT_EQ(f[ip_at + 8], kat::ttl) << "IP TTL = the probe TTL";
    EXPECT_EQ(be32_at(f, ip_at + 12), kat::source);
    EXPECT_EQ(be32_at(f, ip_at + 16), kat::dest);
    EXPECT_EQ(f[icmp_at], 8) << "type: echo request";
    EXPECT_EQ(f[icmp_at + 1], 0) << "code";
    EXPECT_EQ(be16_at(f, icmp_at + 2), kat::flow) << "checksum field = flow(target)";
    EXPECT_EQ(be16_at(f, icmp_at + 2), p.flow_checksum(kat::dest));
    EXPECT_EQ(be16_at(f, icmp_at + 8), w >> 32) << "payload: W[47:32] again";
    EXPECT_EQ(rfc1071_sum(f.data() + icmp_at, f.size() - icmp_at), 0xffff) << "the fixup makes it verify";
    EXPECT_EQ(rfc1071_sum(f.data() + ip_at, 20), 0xffff) << "IP checksum";
}

// decode() of replies to the known-answer frame: target, TTL and send time all come from the frame.
TEST(TraceProbe, RepliesToTheKnownAnswerFrameDecode) {
    trace_probe p(test_probe_setup());
    const auto probe = kat::expected();
    result_record rec{};
    counter why{};
    ASSERT_TRUE(decode(p, echo_reply_to(probe, 0x0102, 50), kat::send_us + 321, rec, why))
        << counter_infos[size_t(why)].name;
    EXPECT_EQ(rec.saddr, kat::dest);
    EXPECT_EQ(rec.probe_daddr, kat::dest);
    EXPECT_EQ(rec.probe_ttl, kat::ttl);
    EXPECT_EQ(rec.icmp_id, uint16_t(kat::w() >> 16));
    EXPECT_EQ(rec.seq, uint16_t(kat::w()));
    EXPECT_EQ(rec.rtt_us, 321u);
    EXPECT_EQ(rec.ttl, 50);
    EXPECT_EQ(rec.success, 1);
    EXPECT_EQ(rec.flags, 0);
    const auto err = icmp_error_about(probe, icmp_type::time_exceeded, 0, router, 28, 1);
    ASSERT_TRUE(decode(p, err, kat::send_us + 654, rec, why)) << counter_infos[size_t(why)].name;
    EXPECT_EQ(rec.saddr, router);
    EXPECT_EQ(rec.probe_daddr, kat::dest);
    EXPECT_EQ(rec.probe_ttl, kat::ttl);
    EXPECT_EQ(rec.quoted_ttl, 1);
    EXPECT_EQ(rec.rtt_us, 654u);
    EXPECT_EQ(rec.cls, classification::timxceed);
    EXPECT_EQ(rec.flags & record_flag::dst_rewritten, 0);
}

TEST(TraceProbe, ParisFlowIdentityIsTheSameForEveryTtlAndTime) {
    trace_probe p(test_probe_setup());
    for (ipv4_addr dst : {target, target + 1, 0xc6120000u, 0xc613ffffu}) {
        std::set<std::vector<uint8_t>> first4;  // ICMP type, code, checksum
        std::set<uint16_t> ipids;
        for (unsigned ttl = 1; ttl <= trace_probe::max_ttl; ++ttl) {
            auto f = build(p, dst, uint8_t(ttl), 1000 + ttl * 7777);
            first4.insert({f.begin() + icmp_at, f.begin() + icmp_at + 4});
            ASSERT_EQ(f[eth_header_len + ip_off::ttl], ttl);
            ASSERT_TRUE(checksum_verifies(f.data() + eth_header_len, ipv4_min_header_len)) << ttl;
            ASSERT_TRUE(checksum_verifies(f.data() + icmp_at, icmp_header_len + trace_probe::payload_len))
                << ttl;
            ipids.insert(load_be16(f.data() + eth_header_len + ip_off::id));
        }
        EXPECT_EQ(first4.size(), 1u) << "type, code and checksum must not change with the TTL";
        EXPECT_EQ(load_be16(&*first4.begin()->begin() + 2), p.flow_checksum(dst));
        EXPECT_GT(ipids.size(), 1u);
    }
    EXPECT_NE(p.flow_checksum(target), p.flow_checksum(target + 1));
}

// A burst of one source uses a table per TTL of the set-up range; TTLs outside it, and bursts of
// several sources, go probe by probe. All three give the same frames, byte for byte.
TEST(TraceProbe, EveryBuildPathGivesTheSameFrames) {
    probe_setup narrow = test_probe_setup();
    narrow.min_ttl = 3;
    narrow.max_ttl = 9;
    static const interval_set two_sources({{scanner, scanner + 1}});
    probe_setup several = test_probe_setup();
    several.sources = &two_sources;
    const trace_probe wide(test_probe_setup()), ranged(narrow), multi(several);
    constexpr unsigned n = 64;
    std::vector<uint8_t> a(n * trace_probe::frame_len), b(a.size()), c(a.size()), d(a.size());
    uint8_t* fa[n];
    uint8_t* fb[n];
    uint8_t* fc[n];
    uint8_t* fd[n];
    ipv4_addr src[n], dst[n];
    uint8_t in_range[n], mixed[n];
    for (unsigned i = 0; i < n; ++i) {
        fa[i] = &a[i * trace_probe::frame_len];
        fb[i] = &b[i * trace_probe::frame_len];
        fc[i] = &c[i * trace_probe::frame_len];
        fd[i] = &d[i * trace_probe::frame_len];
        src[i] = scanner;
        dst[i] = target + i * 977;
        in_range[i] = uint8_t(3 + i % 7);
        mixed[i] = uint8_t(1 + (i * 13) % trace_probe::max_ttl);
    }
    for (const uint8_t* ttl : {in_range, mixed}) {
        probe_batch batch;
        batch.count = n;
        std::copy(dst, dst + n, batch.dst);
        std::copy(ttl, ttl + n, batch.ttl);
        wide.build_burst(fa, src, batch, 0x123456);
        ranged.build_burst(fb, src, batch, 0x123456);
        multi.build_burst(fc, src, batch, 0x123456);
        for (unsigned i = 0; i < n; ++i) wide.build(fd[i], src[i], dst[i], ttl[i], 0x123456);
        EXPECT_EQ(a, b);
        EXPECT_EQ(a, c);
        EXPECT_EQ(a, d);
    }
}

TEST(TraceProbe, FieldsFollowTheDocumentedLayout) {
    trace_probe p(test_probe_setup());
    const uint32_t send_us = 0x00abcdef;
    auto f = build(p, target, 13, send_us);
    const uint64_t w = trace_probe::pack(13, send_us, p.mac(scanner, 13, send_us));
    const uint8_t* ip = f.data() + eth_header_len;
    EXPECT_EQ(load_be16(ip + ip_off::id), uint16_t(w >> 32));
    EXPECT_EQ(load_be16(ip + icmp_at - eth_header_len + icmp_off::id), uint16_t(w >> 16));
    EXPECT_EQ(load_be16(ip + icmp_at - eth_header_len + icmp_off::seq), uint16_t(w));
    EXPECT_EQ(load_be16(ip + icmp_at - eth_header_len + icmp_off::payload), uint16_t(w >> 32));
    EXPECT_EQ(w >> 42, 13u);
    EXPECT_EQ((w >> 18) & 0xffffff, send_us);
    EXPECT_EQ(load_be32(ip + ip_off::dst), target);
    EXPECT_EQ(ip[ip_off::ttl], 13);
}

TEST(TraceProbe, EchoReplyGivesTargetTtlAndRtt) {
    trace_probe p(test_probe_setup());
    for (unsigned ttl : {1u, 6u, 63u}) {
        auto reply = echo_reply_to(build(p, target, uint8_t(ttl), 5000), 0x99, 59);
        result_record rec{};
        counter why{};
        ASSERT_TRUE(decode(p, reply, 5321, rec, why)) << counter_infos[size_t(why)].name;
        EXPECT_EQ(rec.probe_daddr, target);
        EXPECT_EQ(rec.saddr, target);
        EXPECT_EQ(rec.probe_ttl, ttl);
        EXPECT_EQ(rec.rtt_us, 321u);
        EXPECT_EQ(rec.ttl, 59);
        EXPECT_EQ(rec.success, 1);
        EXPECT_EQ(rec.flags, 0);
    }
}

TEST(TraceProbe, RttNeverPrecedesTheSendAndCarriesItsBound) {
    trace_probe p(test_probe_setup());
    const auto probe = build(p, target, 4, 0x00fffff0);
    const auto err = icmp_error_about(probe, icmp_type::time_exceeded, 0, router, 28, 1);
    result_record rec{};
    counter why{};
    // The window opened 0x100 us before the send and closed 0x40 after it (across the 24-bit wrap).
    ASSERT_TRUE(decode(p, err, arrival_us{0x00fffef0, 0x01000030}, rec, why));
    EXPECT_EQ(rec.rtt_us, 0x20u);
    EXPECT_EQ(rec.rtt_err_us, 0x21u);
    EXPECT_EQ(rec.flags & record_flag::clock_disagrees, 0);
}

TEST(TraceProbe, EveryQuoteLengthFrom28BytesDecodes) {
    trace_probe p(test_probe_setup());
    auto probe = build(p, target, 3, 0x00fffff0);  // the send time wraps before the reply
    for (size_t qlen = icmp_min_quote_len; qlen <= trace_probe::ip_len; ++qlen) {
        auto err = icmp_error_about(probe, icmp_type::time_exceeded, 0, router, qlen, 1);
        result_record rec{};
        counter why{};
        ASSERT_TRUE(decode(p, err, 0x01000010, rec, why)) << qlen << " " << counter_infos[size_t(why)].name;
        EXPECT_EQ(rec.saddr, router);
        EXPECT_EQ(rec.probe_daddr, target);
        EXPECT_EQ(rec.probe_ttl, 3);
        EXPECT_EQ(rec.quoted_ttl, 1);
        EXPECT_EQ(rec.rtt_us, 0x20u);
        EXPECT_EQ(rec.quote_ip_len, trace_probe::ip_len);
        EXPECT_EQ(rec.success, 0);
        EXPECT_EQ(rec.cls, classification::timxceed);
    }
}

TEST(TraceProbe, TruncatedQuotesAreRejected) {
    trace_probe p(test_probe_setup());
    auto probe = build(p, target, 3, 100);
    for (size_t qlen = 0; qlen < icmp_min_quote_len; ++qlen) {
        auto err = icmp_error_about(probe, icmp_type::time_exceeded, 0, router, qlen, 1);
        parsed_reply r;
        counter why{};
        EXPECT_FALSE(parse_reply(err.data(), err.size(), r, why)) << qlen;
        EXPECT_EQ(why, counter::rx_quote_invalid) << qlen;
    }
}

TEST(TraceProbe, EveryCorruptedQuoteBitIsCaught) {
    trace_probe p(test_probe_setup());
    auto probe = build(p, target, 9, 777);
    auto good = icmp_error_about(probe, icmp_type::time_exceeded, 0, router, icmp_min_quote_len, 1);
    const size_t quote_at = icmp_at + icmp_header_len;
    // The bits that carry W: the quoted IP ID, ICMP id and seq.
    for (size_t off :
         {size_t(ip_off::id), size_t(ip_off::id + 1), size_t(20 + icmp_off::id),
          size_t(20 + icmp_off::id + 1), size_t(20 + icmp_off::seq), size_t(20 + icmp_off::seq + 1)}) {
        for (int bit = 0; bit < 8; ++bit) {
            auto bad = good;
            bad[quote_at + off] ^= uint8_t(1 << bit);
            fix_icmp_checksum(bad.data() + icmp_at, bad.size() - icmp_at);
            result_record rec{};
            counter why{};
            EXPECT_FALSE(decode(p, bad, 800, rec, why)) << off << ":" << bit;
        }
    }
    // A quote of someone else's packet (not an echo request, or from another source).
    auto other = good;
    other[quote_at + 20] = icmp_type::echo_reply;
    result_record rec{};
    counter why{};
    EXPECT_FALSE(decode(p, other, 800, rec, why));
    EXPECT_EQ(why, counter::rx_quote_invalid);
}

TEST(TraceProbe, RewrittenDestinationIsFlaggedNotAttributed) {
    trace_probe p(test_probe_setup());
    auto err = icmp_error_about(build(p, target, 4, 50), icmp_type::time_exceeded, 0, router, 28, 1);
    uint8_t* quote = err.data() + icmp_at + icmp_header_len;
    store_be32(quote + ip_off::dst, 0xc6120063);  // a NAT on the way sent it to 198.18.0.99
    fix_ip_checksum(quote);
    fix_icmp_checksum(err.data() + icmp_at, err.size() - icmp_at);
    result_record rec{};
    counter why{};
    ASSERT_TRUE(decode(p, err, 60, rec, why));
    EXPECT_EQ(rec.flags & record_flag::dst_rewritten, record_flag::dst_rewritten);
    EXPECT_EQ(rec.probe_daddr, 0xc6120063u);
}

// An Echo Reply whose cookie words are right but whose payload's fixup is not our probe's to that
// target (junk that hit the 18-bit MAC, or another target's reply forged) is refused.
TEST(TraceProbe, AnEchoReplyMustReturnTheFixupOfOurProbeToItsSender) {
    trace_probe p(test_probe_setup());
    auto reply = echo_reply_to(build(p, target, 5, 10));
    result_record rec{};
    counter why{};
    ASSERT_TRUE(decode(p, reply, 20, rec, why)) << counter_infos[size_t(why)].name;
    const size_t fixup_at = reply.size() - 2;  // the payload's second word ends the reply
    for (uint8_t flip : {uint8_t(0x01), uint8_t(0x80)}) {
        auto bad = reply;
        bad[fixup_at] ^= flip;
        fix_icmp_checksum(bad.data() + icmp_at, bad.size() - icmp_at);  // only the fixup is wrong
        EXPECT_FALSE(decode(p, bad, 20, rec, why));
        EXPECT_EQ(why, counter::rx_cookie_invalid);
    }
    auto other_sender = echo_reply_to(build(p, target, 5, 10));  // the same words from another target
    store_be32(other_sender.data() + eth_header_len + 12, target + 1);
    fix_ip_checksum(other_sender.data() + eth_header_len);
    EXPECT_FALSE(decode(p, other_sender, 20, rec, why));
    EXPECT_EQ(why, counter::rx_cookie_invalid);
}

TEST(TraceProbe, AnotherKeyRejectsOurReplies) {
    trace_probe p(test_probe_setup());
    probe_setup other = test_probe_setup();
    other.key.k0 ^= 1;
    trace_probe q(other);
    auto reply = echo_reply_to(build(p, target, 5, 10));
    result_record rec{};
    counter why{};
    EXPECT_FALSE(decode(q, reply, 20, rec, why));
    EXPECT_EQ(why, counter::rx_cookie_invalid);
}

TEST(IcmpExtensions, MplsStackFromAnRfc4884Sender) {
    trace_probe p(test_probe_setup());
    auto probe = build(p, target, 4, 100);
    const std::vector<uint32_t> labels = {mpls_entry(24001, 0, false, 1), mpls_entry(16, 5, true, 254)};
    for (bool compliant : {true, false})
        for (bool with_sum : {true, false}) {
            auto err =
                icmp_error_with_mpls(probe, icmp_type::time_exceeded, router, labels, compliant, with_sum);
            parsed_reply r;
            counter why{};
            ASSERT_TRUE(parse_reply(err.data(), err.size(), r, why));
            ASSERT_TRUE(r.ext.present) << compliant << with_sum;
            EXPECT_EQ(r.ext.objects, 1);
            ASSERT_EQ(r.ext.mpls_count, 2);
            EXPECT_EQ(decode_mpls_entry(r.ext.mpls[0]), (mpls_entry_fields{24001, 0, 0, 1}));
            EXPECT_EQ(decode_mpls_entry(r.ext.mpls[1]), (mpls_entry_fields{16, 5, 1, 254}));
            result_record rec{};
            ASSERT_TRUE(p.decode(r, arrival_us{200, 200}, rec, why));
            EXPECT_EQ(rec.mpls_count, 2);
            EXPECT_EQ(rec.mpls[1], labels[1]);
            EXPECT_EQ(rec.flags & record_flag::extensions, record_flag::extensions);
            EXPECT_EQ(rec.probe_ttl, 4);
        }
}

TEST(IcmpExtensions, BrokenStructuresAreIgnored) {
    trace_probe p(test_probe_setup());
    auto probe = build(p, target, 4, 100);
    auto good =
        icmp_error_with_mpls(probe, icmp_type::time_exceeded, router, {mpls_entry(7, 0, true, 1)}, true);
    const size_t ext_at = icmp_at + icmp_header_len + 128;
    auto check_absent = [&](std::vector<uint8_t> f, const char* what) {
        fix_icmp_checksum(f.data() + icmp_at, f.size() - icmp_at);
        parsed_reply r;
        counter why{};
        ASSERT_TRUE(parse_reply(f.data(), f.size(), r, why)) << what;
        EXPECT_FALSE(r.ext.present) << what;
        EXPECT_EQ(r.ext.mpls_count, 0) << what;
        result_record rec{};
        EXPECT_TRUE(p.decode(r, arrival_us{200, 200}, rec, why)) << what << ": the hop still counts";
    };
    auto bad_version = good;
    bad_version[ext_at] = 0x10;
    check_absent(bad_version, "version 1");
    auto bad_sum = good;
    bad_sum[ext_at + 2] ^= 0xff;
    check_absent(bad_sum, "checksum");
    auto bad_len = good;
    store_be16(bad_len.data() + ext_at + 4, 200);  // object longer than the message
    check_absent(bad_len, "object length");
    auto short_quote = icmp_error_about(probe, icmp_type::time_exceeded, 0, router, 28, 1);
    check_absent(short_quote, "no extension");
}
