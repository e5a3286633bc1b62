#include "output/record_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

using namespace ics;

namespace {
std::string write_rows(output_format fmt, const char* fields) {
    char* data = nullptr;
    size_t size = 0;
    std::FILE* mem = open_memstream(&data, &size);
    {
        record_writer w(mem, fmt, *parse_field_list(fields));
        w.write_header();
        result_record r{};
        r.saddr = 0xc6120005;
        r.probe_daddr = 0xc6120005;
        r.rtt_us = 321;
        r.cls = classification::echoreply;
        r.success = 1;
        w.write({&r, 0, 1, 1'700'000'000'123'456'789ull});
        EXPECT_TRUE(w.flush());
    }
    std::fclose(mem);
    std::string out(data, size);
    std::free(data);
    return out;
}
}  // namespace

TEST(RecordWriter, Csv) {
    EXPECT_EQ(
        write_rows(output_format::csv, "saddr,rtt_us,classification,cooldown,timestamp_ts,timestamp_us"),
        "saddr,rtt_us,classification,cooldown,timestamp_ts,timestamp_us\n"
        "198.18.0.5,321,echoreply,1,1700000000,123456\n");
}

TEST(RecordWriter, JsonLinesParse) {
    auto out = write_rows(output_format::json, "saddr,rtt_us,classification,timestamp_str");
    auto j = nlohmann::json::parse(out);
    EXPECT_EQ(j["saddr"], "198.18.0.5");
    EXPECT_EQ(j["rtt_us"], 321);
    EXPECT_EQ(j["classification"], "echoreply");
    EXPECT_EQ(j["timestamp_str"], "2023-11-14T22:13:20.123+0000");
}

TEST(RecordWriter, TimestampFormat) {
    char buf[40];
    size_t n = format_timestamp(0, buf);
    EXPECT_EQ(std::string(buf, n), "1970-01-01T00:00:00.000+0000");
}

TEST(RecordWriter, TimestampsAcrossSecondsMatchTheFullFormat) {
    // The writer formats the date once per second: rows in, across and back over second
    // boundaries must read as format_timestamp() writes them.
    char* data = nullptr;
    size_t size = 0;
    std::FILE* mem = open_memstream(&data, &size);
    const uint64_t times[] = {1'700'000'000'999'000'000ull, 1'700'000'001'000'000'000ull,
                              1'700'000'001'007'999'999ull, 1'700'000'000'500'000'000ull,
                              1'700'086'400'042'000'000ull};
    {
        record_writer w(mem, output_format::csv, *parse_field_list("timestamp_str"));
        result_record r{};
        for (uint64_t t : times) w.write({&r, 0, 0, t});
        EXPECT_TRUE(w.flush());
    }
    std::fclose(mem);
    std::string expected;
    for (uint64_t t : times) {
        char buf[40];
        expected += std::string(buf, format_timestamp(t, buf)) + "\n";
    }
    EXPECT_EQ(std::string(data, size), expected);
    std::free(data);
}

// The mpls_labels field: each entry as label/TC/S/TTL, top of the stack first, ';' between them.
// Entries crafted by hand: 24001 (0x05dc1), TC 0, S 0, TTL 1; 16, TC 5, S 1, TTL 254; and the
// widest values of every field, so that a field spilling into its neighbour shows.
TEST(RecordWriter, MplsLabelsAreDecodedPerEntry) {
    char* data = nullptr;
    size_t size = 0;
    std::FILE* mem = open_memstream(&data, &size);
    {
        record_writer w(mem, output_format::csv, *parse_field_list("mpls_labels"));
        result_record r{};
        r.mpls = {0x05dc1001u, 0x00010bfeu, 0xffffffffu};
        r.mpls_count = 3;
        w.write({&r, 0, 0, 0});
        r.mpls_count = 0;  // no stack: an empty field
        w.write({&r, 0, 0, 0});
        EXPECT_TRUE(w.flush());
    }
    std::fclose(mem);
    EXPECT_EQ(std::string(data, size), "24001/0/0/1;16/5/1/254;1048575/7/1/255\n\n");
    std::free(data);
}
