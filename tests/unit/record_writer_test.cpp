#include "output/record_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cerrno>
#include <csignal>
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

// A write that fails is kept with its errno (the app names it), and the rows after it are dropped,
// not retried: a file that later takes writes again would hold a gap in the middle.
TEST(RecordWriter, AFullDiskIsKeptWithItsErrno) {
    std::FILE* full = std::fopen("/dev/full", "w");
    ASSERT_NE(full, nullptr);
    record_writer w(full, output_format::csv, *parse_field_list("saddr"));
    EXPECT_FALSE(w.failed());
    EXPECT_EQ(w.error_number(), 0);
    w.write_header();
    EXPECT_FALSE(w.flush());
    EXPECT_TRUE(w.failed());
    EXPECT_EQ(w.error_number(), ENOSPC);
    std::fclose(full);
}

// Rows a failed write took, and every row after, are counted lost (the metadata's out_write_lost),
// so that the rows in the file are never overstated; none while writes succeed.
TEST(RecordWriter, RowsAFailedWriteTookAreCountedLost) {
    result_record r{};
    r.saddr = 0xc6120005;
    std::FILE* ok = std::tmpfile();
    ASSERT_NE(ok, nullptr);
    {
        record_writer w(ok, output_format::csv, *parse_field_list("saddr"));
        for (int i = 0; i < 5; ++i) w.write({&r, 0, 0, 0});
        EXPECT_TRUE(w.flush());
        EXPECT_EQ(w.rows_lost(), 0u);
    }
    std::fclose(ok);
    std::FILE* full = std::fopen("/dev/full", "w");
    ASSERT_NE(full, nullptr);
    record_writer w(full, output_format::csv, *parse_field_list("saddr"));
    for (int i = 0; i < 7; ++i) w.write({&r, 0, 0, 0});
    EXPECT_EQ(w.rows_lost(), 0u) << "nothing failed yet: the rows wait in the buffer";
    EXPECT_FALSE(w.flush());
    EXPECT_EQ(w.rows_lost(), 7u);
    w.write({&r, 0, 0, 0});
    w.write({&r, 0, 0, 0});
    EXPECT_EQ(w.rows_lost(), 9u);
    EXPECT_FALSE(w.flush());
    EXPECT_EQ(w.rows_lost(), 9u) << "each row counted once";
    std::fclose(full);
}

TEST(RecordWriter, AClosedPipeIsKeptWithItsErrno) {
    const auto old = std::signal(SIGPIPE, SIG_IGN);  // as the app: EPIPE, not death
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::FILE* out = fdopen(fds[1], "w");
    std::FILE* in = fdopen(fds[0], "r");
    result_record r{};
    r.saddr = 0xc6120005;
    {
        record_writer w(out, output_format::csv, *parse_field_list("saddr"));
        w.write({&r, 0, 0, 0});
        ASSERT_TRUE(w.flush());
        char line[32] = {};
        ASSERT_NE(std::fgets(line, sizeof line, in), nullptr);
        EXPECT_STREQ(line, "198.18.0.5\n");
        std::fclose(in);  // the reader leaves
        w.write({&r, 0, 0, 0});
        EXPECT_FALSE(w.flush());
        EXPECT_EQ(w.error_number(), EPIPE);
    }
    std::fclose(out);
    std::signal(SIGPIPE, old);
}

// A disk that was full and has room again (fopencookie: a stream whose writes fail while `full`):
// nothing after the failure reaches it, so the file holds a prefix of the rows, never a gap.
TEST(RecordWriter, NothingIsWrittenAfterAFailureEvenOnceWritesWorkAgain) {
    struct sink {
        bool full = false;
        std::string data;
    } s;
    cookie_io_functions_t io{};
    io.write = [](void* c, const char* buf, size_t n) -> ssize_t {
        auto* k = static_cast<sink*>(c);
        if (k->full) {
            errno = ENOSPC;
            return -1;
        }
        k->data.append(buf, n);
        return ssize_t(n);
    };
    std::FILE* out = fopencookie(&s, "w", io);
    ASSERT_NE(out, nullptr);
    result_record r{};
    {
        record_writer w(out, output_format::csv, *parse_field_list("saddr"));
        for (uint32_t i : {1u, 2u, 3u}) {
            r.saddr = 0xc6120000 + i;
            w.write({&r, 0, 0, 0});
            s.full = i == 2;
            EXPECT_EQ(w.flush(), i == 1) << "row " << i;
            s.full = false;
        }
        EXPECT_EQ(w.error_number(), ENOSPC);
    }
    std::fclose(out);
    EXPECT_EQ(s.data, "198.18.0.1\n") << "row 3 came after the failure";
}

// IPv6 rows: ZMapv6's saddr (an error's quoted destination) and outersaddr (who sent it), the
// Packet Too Big's MTU, RFC 5952 text.
TEST(RecordWriter, Ipv6Rows) {
    char* data = nullptr;
    size_t size = 0;
    std::FILE* mem = open_memstream(&data, &size);
    {
        const char* fields = "saddr,outersaddr,daddr,probe_daddr,type,code,classification,mtu,success";
        record_writer w(mem, output_format::csv, *parse_field_list(fields, ip_family::ipv6));
        w.write_header();
        result_record6 r{};
        r.saddr = *parse_ipv6("2001:db8:f0:1::1");
        r.daddr = *parse_ipv6("2001:db8:ff::1");
        r.probe_daddr = *parse_ipv6("2001:db8:1:0:0:2::5");
        r.type = 2;
        r.error_word = 1280;
        r.cls = classification::toobig;
        w.write(output_row6{&r, 0, 0, 0});
        r.saddr = r.probe_daddr;
        r.type = 129;
        r.error_word = 0;
        r.cls = classification::echoreply;
        r.success = 1;
        w.write(output_row6{&r, 0, 0, 0});
        EXPECT_TRUE(w.flush());
    }
    std::fclose(mem);
    EXPECT_EQ(std::string(data, size),
              "saddr,outersaddr,daddr,probe_daddr,type,code,classification,mtu,success\n"
              "2001:db8:1::2:0:5,2001:db8:f0:1::1,2001:db8:ff::1,2001:db8:1::2:0:5,2,0,toobig,1280,0\n"
              "2001:db8:1::2:0:5,2001:db8:1::2:0:5,2001:db8:ff::1,2001:db8:1::2:0:5,129,0,echoreply,0,1\n");
    std::free(data);
}
