// The trace probe: Paris flow identity over every TTL, its checksums, and stateless decoding of
// everything (target, TTL, send time, cookie) from Echo Replies and from ICMP error quotes of every
// length, truncated and corrupted quotes, and quotes whose destination was rewritten.
#include "probe/trace_probe.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

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
        wide.build_burst(fa, src, dst, ttl, n, 0x123456);
        ranged.build_burst(fb, src, dst, ttl, n, 0x123456);
        multi.build_burst(fc, src, dst, ttl, n, 0x123456);
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
