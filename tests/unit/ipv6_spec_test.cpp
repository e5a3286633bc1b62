#include "targets/ipv6_spec.hpp"

#include <gtest/gtest.h>

using namespace ics;

namespace {
ipv6_addr next(const ipv6_addr& a) {
    return {a.hi + (a.lo == ~uint64_t(0)), a.lo + 1};
}
ipv6_addr previous(const ipv6_addr& a) {
    return {a.hi - (a.lo == 0), a.lo - 1};
}
}  // namespace

TEST(Ipv6Spec, TakesALinesFirstWord) {
    EXPECT_EQ(target_line_word("  2001:db8::1  second # comment"), "2001:db8::1");
    EXPECT_EQ(target_line_word("\v2001:db8::/32\f\r"), "2001:db8::/32");
    EXPECT_EQ(target_line_word("# only a comment"), "");
    EXPECT_EQ(target_line_word(" \t\r"), "");
    EXPECT_EQ(target_line_word("2001:db8::1#comment"), "2001:db8::1");
}

// The default blocklist holds each of its entries whole and nothing just outside them.
TEST(Ipv6RangeSet, DefaultBlocklistHoldsItsEntriesAndNoMore) {
    const ipv6_range_set set = default_ipv6_blocklist();
    for (std::string_view entry : default_ipv6_blocklist_entries()) {
        const ipv6_prefix p = parse_ipv6_prefix(entry).value();
        EXPECT_TRUE(set.contains(p.base)) << entry;
        EXPECT_TRUE(set.contains(p.last())) << entry;
    }
    for (const auto& r : set.ranges()) {
        if (r.first != ipv6_addr{}) {
            EXPECT_FALSE(set.contains(previous(r.first))) << format_ipv6(r.first);
        }
        if (r.last != ~ipv6_addr{}) {
            EXPECT_FALSE(set.contains(next(r.last))) << format_ipv6(r.last);
        }
    }
    EXPECT_TRUE(set.contains(parse_ipv6("2001:db8::1").value()));
    EXPECT_TRUE(set.contains(parse_ipv6("::1").value()));
}

TEST(Ipv6RangeSet, ReadsABlocklistFile) {
    const auto set = parse_ipv6_blocklist_lines("# ours\n2001:db8:1::/48  # lab\n\n2001:db8::7\n", "b");
    ASSERT_TRUE(set);
    EXPECT_EQ(set->ranges().size(), 2u);
    EXPECT_TRUE(set->contains(parse_ipv6("2001:db8:1:ffff::1").value()));
    EXPECT_FALSE(set->contains(parse_ipv6("2001:db8::8").value()));
    EXPECT_EQ(parse_ipv6_blocklist_lines("2001:db8::7\n2001:db8::/200\n", "b").error_message(),
              "b line 2: '2001:db8::/200' has no prefix length of 0-128 after its '/'");
}
