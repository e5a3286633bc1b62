#include "output/status.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

using namespace ics;

namespace {
// The CSV row's first n columns.
std::string columns(const std::string& row, int n) {
    size_t pos = 0;
    for (int i = 0; i < n && pos != std::string::npos; ++i) pos = row.find(',', pos + 1);
    return row.substr(0, pos);
}
}  // namespace

TEST(Status, LineShowsProgressRatesAndHits) {
    progress_snapshot prev{.elapsed_s = 1.0,
                           .send_s = 1.0,
                           .sent = 10000,
                           .to_send = 100000,
                           .received = 100,
                           .hits = 90,
                           .targets = 10000};
    progress_snapshot now{.elapsed_s = 2.0,
                          .send_s = 2.0,
                          .sent = 20000,
                          .to_send = 100000,
                          .received = 300,
                          .hits = 250,
                          .targets = 20000};
    auto line = format_status_line(now, prev);
    EXPECT_NE(line.find("20%"), std::string::npos) << line;
    EXPECT_NE(line.find("0:08 left"), std::string::npos) << line;
    EXPECT_NE(line.find("send: 20000 10.00 Kp/s (10.00 Kp/s avg)"), std::string::npos) << line;
    EXPECT_NE(line.find("recv: 300 200 p/s"), std::string::npos) << line;
    EXPECT_NE(line.find("hitrate: 1.25% (250 of 20000 targets up)"), std::string::npos) << line;
    EXPECT_EQ(line.find("nic missed"), std::string::npos) << "no breakdown without drops: " << line;
}

TEST(Status, DropsAreNamedByStage) {
    progress_snapshot prev{.elapsed_s = 1.0, .sent = 10000, .to_send = 100000};
    progress_snapshot now{.elapsed_s = 2.0,
                          .sent = 20000,
                          .to_send = 100000,
                          .received = 300,
                          .hits = 250,
                          .dropped = 12,
                          .nic_missed = 7,
                          .nic_no_mbuf = 2,
                          .ring_full = 3,
                          .tx_alloc_waits = 4};
    auto line = format_status_line(now, prev);
    EXPECT_NE(line.find("drops: 12 p/s"), std::string::npos) << line;
    EXPECT_NE(line.find("[nic missed 7, no mbuf 2, ring full 3, tx alloc waits 4]"), std::string::npos)
        << line;
}

// A /17 at 100 kpps is sent in 0.33 s; one second into the run the average send rate is still the
// rate it was sent at, not the probes divided by the time since the start (32.77 Kp/s).
TEST(Status, CooldownLineAveragesTheSendRateOverTheSendingTime) {
    progress_snapshot prev{.elapsed_s = 0.0, .to_send = 32768};
    progress_snapshot now{.elapsed_s = 1.0,
                          .send_s = 0.32767,
                          .sent = 32768,
                          .to_send = 32768,
                          .received = 300,
                          .hits = 250,
                          .targets = 32768,
                          .sending = false,
                          .cooldown_left_s = 7.3};
    auto line = format_status_line(now, prev);
    EXPECT_NE(line.find("100% (cooldown, 0:08 left)"), std::string::npos) << "7.3 s, rounded up: " << line;
    EXPECT_NE(line.find("send: 32768 done (100.00 Kp/s avg)"), std::string::npos) << line;
    EXPECT_EQ(line.find("32.77"), std::string::npos) << line;
    auto row = format_status_update(now, prev);
    EXPECT_NE(row.find(",32768,32768,100000,"), std::string::npos) << "sent_total, last second, avg: " << row;
    EXPECT_EQ(columns(row, 3), "0.000,1.000,8") << "the time left rounded up, as on stderr: " << row;
}

TEST(Status, HitRateIsPerTargetNotPerProbe) {
    progress_snapshot now{
        .elapsed_s = 1.0, .send_s = 0.01, .sent = 32, .to_send = 32, .hits = 15, .targets = 16};
    auto line = format_status_line(now, progress_snapshot{});
    EXPECT_NE(line.find("hitrate: 93.75% (15 of 16 targets up)"), std::string::npos) << line;
    auto row = format_status_update(now, progress_snapshot{});
    EXPECT_NE(row.find(",93.7500,"), std::string::npos) << row;
}

TEST(Status, TraceProgressCountsSkippedProbesButTheRateOnlySentOnes) {
    progress_snapshot now{.elapsed_s = 2.0, .send_s = 1.0, .sent = 501, .skipped = 500, .to_send = 2002};
    auto line = format_status_line(now, progress_snapshot{});
    EXPECT_NE(line.find(" 50% (0:01 left)"), std::string::npos) << line;
    EXPECT_NE(line.find("(500 p/s avg); skipped: 500"), std::string::npos) << line;
}

TEST(Status, UpdateRowsMatchHeader) {
    progress_snapshot prev{.elapsed_s = 1.0, .sent = 10, .to_send = 100, .received = 1, .hits = 1};
    progress_snapshot now{.elapsed_s = 2.0, .sent = 20, .to_send = 100, .received = 2, .hits = 2};
    auto header = status_update_header(), row = format_status_update(now, prev);
    EXPECT_EQ(std::count(header.begin(), header.end(), ','), std::count(row.begin(), row.end(), ','));
}

// The last row comes when the cooldown ends, often within the same second as the periodic row
// before it: its time must still be its own.
TEST(Status, LastRowWithinTheSameSecondHasItsOwnTime) {
    progress_snapshot prev{
        .elapsed_s = 9.0, .wall_ns = 1'700'000'005'100'000'000ull, .sent = 100, .to_send = 100};
    progress_snapshot last = prev;
    last.elapsed_s = 9.3;
    last.wall_ns = 1'700'000'005'400'000'000ull;
    last.sending = false;
    const std::string a = format_status_update(prev, progress_snapshot{}),
                      b = format_status_update(last, prev);
    EXPECT_EQ(columns(a, 2), "1700000005.100,9.000") << a;
    EXPECT_EQ(columns(b, 2), "1700000005.400,9.300") << b;
}

TEST(Status, ALastSnapshotWithTheSameCountsIsNotNew) {
    progress_snapshot prev{.elapsed_s = 8.0, .sent = 100, .to_send = 100, .received = 90, .hits = 80};
    progress_snapshot last = prev;
    last.elapsed_s = 8.4;
    last.sending = false;
    EXPECT_TRUE(same_counts(last, prev));
    last.received = 91;
    EXPECT_FALSE(same_counts(last, prev));
    last = prev;
    last.dropped = 1;
    EXPECT_FALSE(same_counts(last, prev));
    last = prev;  // a counter only a -u row shows (a soak found an ARP answer missing from the last row)
    last.counters.values[size_t(counter::arp_answered)] = 1;
    EXPECT_FALSE(same_counts(last, prev));
}

// Ours follow ZMap's 14 columns in ZMap's order: the NIC's losses, the buffer levels, then every
// counter by its name, in counters.hpp's order; each row has as many fields as the header.
TEST(Status, UpdateRowsAddBufferLevelsAndEveryCounterAfterZmapsColumns) {
    const std::string header = status_update_header();
    const std::string zmap =
        "real_time,time_elapsed,time_remaining,percent_complete,hit_rate,sent_total,"
        "sent_last_one_sec,sent_avg_per_sec,recv_success_total,recv_total,"
        "recv_total_last_one_sec,recv_total_avg_per_sec,drop_total,drop_last_one_sec,";
    ASSERT_EQ(header.substr(0, zmap.size()), zmap);
    std::string ours =
        "nic_missed,nic_no_mbuf,mempool_free,mempool_size,record_ring_depth,arp_ring_depth,"
        "feedback_ring_depth";
    for (const counter_info& c : counter_infos) {
        ours += ',';
        ours += c.name;
    }
    EXPECT_EQ(header.substr(zmap.size()), ours + "\n");

    progress_snapshot prev{.elapsed_s = 1.0, .to_send = 100};
    progress_snapshot now{.elapsed_s = 2.0,
                          .wall_ns = 5000000000,
                          .sent = 100,
                          .to_send = 100,
                          .nic_missed = 3,
                          .nic_no_mbuf = 4};
    now.levels = {.mempool_free = 8000,
                  .mempool_size = 8191,
                  .record_ring_depth = 17,
                  .arp_ring_depth = 2,
                  .feedback_ring_depth = 9};
    for (size_t i = 0; i < counter_count; ++i) now.counters.values[i] = 1000 + i;
    const std::string row = format_status_update(now, prev);
    ASSERT_EQ(row.back(), '\n');
    std::vector<std::string> fields;
    size_t start = 0;
    for (size_t comma; (comma = row.find(',', start)) != std::string::npos; start = comma + 1)
        fields.push_back(row.substr(start, comma - start));
    fields.push_back(row.substr(start, row.size() - 1 - start));
    ASSERT_EQ(fields.size(), 14 + 7 + counter_count) << row;
    const std::vector<std::string> levels = {"3", "4", "8000", "8191", "17", "2", "9"};
    for (size_t i = 0; i < levels.size(); ++i) EXPECT_EQ(fields[14 + i], levels[i]) << "column " << 14 + i;
    for (size_t i = 0; i < counter_count; ++i)
        EXPECT_EQ(fields[21 + i], std::to_string(1000 + i)) << counter_infos[i].name;
}
