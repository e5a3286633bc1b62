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
                                {"type = 3 &&", "field name"},
                                {"type = 3 junk", "junk"}}) {
        auto f = output_filter::parse(expr);
        ASSERT_FALSE(f) << expr;
        EXPECT_NE(f.error_message().find(needle), std::string::npos) << f.error_message();
    }
}
