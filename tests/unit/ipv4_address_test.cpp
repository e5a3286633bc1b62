#include "net/ipv4_address.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(Ipv4Address, ParsesDottedQuads) {
    EXPECT_EQ(parse_ipv4("198.18.0.1"), 0xc6120001u);
    EXPECT_EQ(parse_ipv4("0.0.0.0"), 0u);
    EXPECT_EQ(parse_ipv4("255.255.255.255"), 0xffffffffu);
    EXPECT_EQ(parse_ipv4("198.018.0.1"), 0xc6120001u);  // leading zero read as decimal
}

TEST(Ipv4Address, RejectsMalformed) {
    for (auto bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.4 ", "a.b.c.d", "1.2.3.-4",
                     "1.2.3.4/", "1234.1.1.1", ".1.2.3"})
        EXPECT_FALSE(parse_ipv4(bad).has_value()) << bad;
}

TEST(Ipv4Address, FormatsAndRoundTrips) {
    EXPECT_EQ(format_ipv4(0xc6120001u), "198.18.0.1");
    EXPECT_EQ(format_ipv4(0), "0.0.0.0");
    for (uint32_t a : {0u, 1u, 0x0a000001u, 0xc0000201u, 0xfffffffeu, 0xffffffffu, 0x64640a0au})
        EXPECT_EQ(parse_ipv4(format_ipv4(a)), a);
}
