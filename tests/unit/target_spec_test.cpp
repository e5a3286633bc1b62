#include "targets/target_spec.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace ics;

TEST(TargetSpec, CidrAddressAndRange) {
    EXPECT_EQ(*parse_target_spec("198.18.0.0/16"), (ipv4_range{0xc6120000, 0xc612ffff}));
    EXPECT_EQ(*parse_target_spec("198.18.0.7"), (ipv4_range{0xc6120007, 0xc6120007}));
    EXPECT_EQ(*parse_target_spec("198.18.0.7/32"), (ipv4_range{0xc6120007, 0xc6120007}));
    EXPECT_EQ(*parse_target_spec("0.0.0.0/0"), (ipv4_range{0, 0xffffffff}));
    EXPECT_EQ(*parse_target_spec("198.18.0.10-198.18.0.20"), (ipv4_range{0xc612000a, 0xc6120014}));
    EXPECT_EQ(*parse_target_spec(" 198.18.0.10 - 198.18.0.20 "), (ipv4_range{0xc612000a, 0xc6120014}));
}

TEST(TargetSpec, ErrorsNameTheInputAndTheFix) {
    auto host_bits = parse_target_spec("198.18.0.1/16");
    ASSERT_FALSE(host_bits);
    EXPECT_NE(host_bits.error_message().find("198.18.0.1/16"), std::string::npos);
    EXPECT_NE(host_bits.error_message().find("198.18.0.0/16"), std::string::npos);
    for (auto bad : {"198.18.0.0/33", "198.18.0.0/", "198.18.0/24", "x", "198.18.0.9-198.18.0.1", "1.2.3.4-",
                     "1.2.3.4/1a"}) {
        auto r = parse_target_spec(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error_message().find(bad), std::string::npos) << r.error_message();
    }
}

TEST(TargetSpec, SeveralSpecs) {
    auto s = parse_target_specs({"198.18.0.0/24", "198.18.0.128/25", "198.18.2.1"}, "target");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->size(), 257u);
    auto bad = parse_target_specs({"198.18.0.0/24", "x"}, "-S/--source-ip");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error_message().rfind("-S/--source-ip: 'x'", 0), 0u) << bad.error_message();
}

TEST(TargetSpec, FileWithCommentsAndLineNumbers) {
    auto s = parse_target_lines(
        "# comment\n198.18.0.0/24 # trailing\n\n198.18.1.1\r\n"
        "198.18.2.0-198.18.2.3 extra-column\n",
        "test");
    ASSERT_TRUE(s) << s.error_message();
    EXPECT_EQ(s->size(), 256u + 1 + 4);
    auto bad = parse_target_lines("198.18.0.0/24\n198.18.300.1\n", "blocklist file 'x'");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error_message().find("line 2"), std::string::npos);
    EXPECT_NE(bad.error_message().find("blocklist file 'x'"), std::string::npos);
}

TEST(TargetSpec, MissingFileSaysSo) {
    auto r = read_target_file("/nonexistent/blocklist.conf", "blocklist file");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error_message().find("/nonexistent/blocklist.conf"), std::string::npos);
    EXPECT_NE(r.error_message().find("No such file or directory"), std::string::npos);
    auto dir = read_target_file("/tmp", "list of IPs");
    ASSERT_FALSE(dir);
    EXPECT_EQ(dir.error_message(),
              "cannot read list of IPs '/tmp': it is a directory; name a file of targets");
    auto empty = read_target_file("/dev/null", "blocklist file");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

TEST(DefaultBlocklist, CoversSpecialPurposeRanges) {
    auto b = default_blocklist();
    for (auto a : {"10.1.2.3", "127.0.0.1", "192.168.1.1", "198.18.0.1", "198.19.255.255", "192.0.2.5",
                   "224.0.0.1", "255.255.255.255", "0.1.2.3", "100.64.0.1"})
        EXPECT_TRUE(b.contains(*parse_ipv4(a))) << a;
    // Just outside the listed ranges (membership only: nothing is sent anywhere).
    for (auto a : {"11.0.0.1", "100.128.0.0", "198.20.0.1", "223.255.255.255"})
        EXPECT_FALSE(b.contains(*parse_ipv4(a))) << a;
}
