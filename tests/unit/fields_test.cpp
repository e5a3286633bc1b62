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
    EXPECT_EQ(parse_field_list("*")->size(), all_fields().size());
}

TEST(Fields, RawIsNetworkOrderAsZmapPrintsIt) {
    result_record r{};
    r.saddr = 0xc6120001;  // 198.18.0.1: bytes c6 12 00 01, read as a little-endian integer
    output_row row{&r, 0, 0, 0};
    EXPECT_EQ(integer_value(field_id::saddr_raw, row), 0x010012c6u);
}
