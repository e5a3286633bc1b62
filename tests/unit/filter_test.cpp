#include "output/filter.hpp"

#include <gtest/gtest.h>

using namespace ics;

namespace {
result_record rec(uint8_t type, uint8_t success) {
    result_record r{};
    r.saddr = 0xc6120005;
    r.probe_daddr = 0xc6120005;
    r.type = type;
    r.success = success;
    r.cls = type == 0 ? classification::echoreply : classification::unreach;
    r.rtt_us = 120;
    return r;
}
bool accepts(const char* expr, const result_record& r, uint8_t repeat = 0) {
    auto f = output_filter::parse(expr);
    EXPECT_TRUE(f) << expr << ": " << f.error_message();
    output_row row{&r, repeat, 0, 1'700'000'000'123'000'000ull};
    return f->accepts(row);
}
}  // namespace

TEST(OutputFilter, ZmapDefault) {
    auto ok = rec(0, 1), err = rec(3, 0);
    EXPECT_TRUE(accepts("success = 1 && repeat = 0", ok));
    EXPECT_FALSE(accepts("success = 1 && repeat = 0", ok, 1));
    EXPECT_FALSE(accepts("success = 1 && repeat = 0", err));
    EXPECT_TRUE(accepts("", err));
}

TEST(OutputFilter, OperatorsPrecedenceAndParentheses) {
    auto r = rec(3, 0);
    EXPECT_TRUE(accepts("type = 3", r));
    EXPECT_TRUE(accepts("type == 3", r));
    EXPECT_TRUE(accepts("type != 0", r));
    EXPECT_TRUE(accepts("rtt_us < 121 && rtt_us > 119 && rtt_us <= 120 && rtt_us >= 120", r));
    EXPECT_TRUE(accepts("success = 1 || type = 3 && repeat = 0", r));  // && binds tighter
    EXPECT_FALSE(accepts("(success = 1 || type = 3) && repeat = 1", r));
    EXPECT_TRUE(accepts("classification = unreach", r));
    EXPECT_TRUE(accepts("saddr = 198.18.0.5", r));
    EXPECT_TRUE(accepts("probe_daddr != 198.18.0.6", r));
    EXPECT_TRUE(accepts("saddr-raw = 83890886", r));  // ZMap 2.x hyphenated names work
    EXPECT_TRUE(accepts("timestamp_str > \"2023\"", r));
}

TEST(OutputFilter, ErrorsNameTheProblem) {
    for (auto [expr, needle] : {std::pair{"nosuch = 1", "nosuch"},
                                {"type = x", "'x'"},
                                {"type 3", "expected"},
                                {"(type = 3", "')'"},
                                {"saddr = 1.2.3", "1.2.3"},
                                {"classification = up", "up"},
                                {"classification = toobig", "ICMPv6 classification"},
                                {"type = 3 &&", "field name"},
                                {"type = 3 junk", "junk"}}) {
        auto f = output_filter::parse(expr);
        ASSERT_FALSE(f) << expr;
        EXPECT_NE(f.error_message().find(needle), std::string::npos) << f.error_message();
    }
}

// -6: addresses compare as 128 bits, in RFC 5952 or any RFC 4291 text; IPv4's fields and
// addresses are refused, by name.
TEST(OutputFilter, Ipv6Rows) {
    result_record6 r{};
    r.saddr = *parse_ipv6("2001:db8:f0::1");
    r.probe_daddr = *parse_ipv6("2001:db8:1::1");
    r.type = 1;
    r.code = 3;
    r.cls = classification::unreach;
    const output_row6 row{&r, 0, 0, 0};
    const auto accepts6 = [&](const char* expr) {
        auto f = output_filter::parse(expr, ip_family::ipv6);
        EXPECT_TRUE(f) << expr << ": " << f.error_message();
        return f && f->accepts(row);
    };
    EXPECT_TRUE(accepts6("saddr = 2001:db8:1::1 && outersaddr = 2001:db8:f0:0:0:0:0:1"));
    EXPECT_TRUE(accepts6("outersaddr < 2001:db8:f0::2 && outersaddr > 2001:db8:ef:ffff:ffff:ffff:ffff:ffff"));
    EXPECT_FALSE(accepts6("outersaddr >= 2001:db8:f0::2"));
    EXPECT_TRUE(accepts6("probe_daddr != 2001:db8:1::2 && classification = unreach && code = 3"));
    EXPECT_TRUE(accepts6("mtu = 0"));
    EXPECT_FALSE(accepts6("classification = toobig"));
    for (auto [expr, needle] : {std::pair{"saddr = 198.18.0.1", "not an IPv6 address"},
                                {"ipid = 1", "exists only in IPv4"},
                                {"saddr_raw = 1", "exists only in IPv4"}}) {
        auto f = output_filter::parse(expr, ip_family::ipv6);
        ASSERT_FALSE(f) << expr;
        EXPECT_NE(f.error_message().find(needle), std::string::npos) << f.error_message();
    }
    EXPECT_FALSE(output_filter::parse("mtu = 1280"));  // IPv4 rows have none
}
