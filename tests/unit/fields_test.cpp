#include "output/fields.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace ics;

TEST(Fields, ZmapIcmpEchoscanFieldsArePresent) {
    for (auto name : {"saddr", "saddr_raw", "daddr", "daddr_raw", "ipid", "ttl", "type", "code", "icmp_id",
                      "seq", "classification", "success", "repeat", "cooldown", "timestamp_str",
                      "timestamp_ts", "timestamp_us", "probe_daddr", "rtt_us"})
        EXPECT_TRUE(find_field(name)) << name;
}

TEST(Fields, TableIsConsistent) {
    std::set<std::string_view> names;
    for (size_t i = 0; i < all_fields().size(); ++i) {
        EXPECT_EQ(size_t(all_fields()[i].id), i);
        EXPECT_TRUE(names.insert(all_fields()[i].name).second);
    }
}

TEST(Fields, ParseList) {
    auto l = parse_field_list("saddr, rtt_us,repeat");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->size(), 3u);
    EXPECT_TRUE(parse_field_list(default_field_list()));
    auto bad = parse_field_list("saddr,rtt");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error_message().find("'rtt'"), std::string::npos);
    EXPECT_EQ(parse_field_list("*")->size(), all_fields().size() - 2);  // all but IPv6's mtu and outersaddr
}

// -6: ZMapv6's names, no IP ID, and the MTU; a field of the other family named as such.
TEST(Fields, EachFamilyHasItsFields) {
    const auto v6 = ip_family::ipv6;
    EXPECT_TRUE(parse_field_list(default_field_list(false, v6), v6));
    EXPECT_EQ(parse_field_list("*", v6)->size(), all_fields().size() - 3);  // no ipid, saddr_raw, daddr_raw
    for (const auto& f : all_fields()) {
        const bool ipv4_only = f.name == "ipid" || f.name == "saddr_raw" || f.name == "daddr_raw";
        EXPECT_EQ(field_in_family(f.id, v6), !ipv4_only) << f.name;
        EXPECT_EQ(field_in_family(f.id, ip_family::ipv4), f.name != "mtu" && f.name != "outersaddr")
            << f.name;
    }
    for (const char* name : {"saddr", "daddr", "type", "code", "icmp_id", "seq", "classification", "success",
                             "outersaddr", "probe_daddr", "rtt_us", "mtu"})
        EXPECT_TRUE(parse_field_list(name, v6)) << name;
    auto bad = parse_field_list("saddr,ipid", v6);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error_message().find("'ipid' exists only in IPv4"), std::string::npos)
        << bad.error_message();
    bad = parse_field_list("mtu");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error_message().find("'mtu' exists only in IPv6"), std::string::npos)
        << bad.error_message();
}

// IPv6 address fields: saddr is the address the reply is about (ZMapv6), outersaddr its sender.
TEST(Fields, Ipv6Addresses) {
    result_record6 r{};
    r.saddr = *parse_ipv6("2001:db8:f0::1");
    r.probe_daddr = *parse_ipv6("2001:db8:1::1");
    r.daddr = *parse_ipv6("2001:db8:ff::1");
    r.type = 3;
    const output_row6 row{&r, 0, 0, 0};
    EXPECT_EQ(address_value(field_id::saddr, row), r.probe_daddr);
    EXPECT_EQ(address_value(field_id::outersaddr, row), r.saddr);
    EXPECT_EQ(address_value(field_id::daddr, row), r.daddr);
    EXPECT_EQ(address_value(field_id::probe_daddr, row), r.probe_daddr);
    r.type = 129;
    EXPECT_EQ(address_value(field_id::saddr, row), r.saddr);
    r.type = 2;
    r.error_word = 1400;
    EXPECT_EQ(integer_value(field_id::mtu, row), 1400u);
    r.type = 4;
    EXPECT_EQ(integer_value(field_id::mtu, row), 0u);  // a Parameter Problem's pointer is no MTU
}

TEST(Fields, RawIsNetworkOrderAsZmapPrintsIt) {
    result_record r{};
    r.saddr = 0xc6120001;  // 198.18.0.1: bytes c6 12 00 01, read as a little-endian integer
    output_row row{&r, 0, 0, 0};
    EXPECT_EQ(integer_value(field_id::saddr_raw, row), 0x010012c6u);
}
