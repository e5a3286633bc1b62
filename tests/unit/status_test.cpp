#include "output/status.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(Status, LineShowsProgressRatesAndHits) {
    progress_snapshot prev{.elapsed_s = 1.0, .sent = 10000, .to_send = 100000, .received = 100, .hits = 90};
    progress_snapshot now{.elapsed_s = 2.0, .sent = 20000, .to_send = 100000, .received = 300, .hits = 250};
    auto line = format_status_line(now, prev);
    EXPECT_NE(line.find("20%"), std::string::npos) << line;
    EXPECT_NE(line.find("0:08 left"), std::string::npos) << line;
    EXPECT_NE(line.find("send: 20000 10.00 Kp/s"), std::string::npos) << line;
    EXPECT_NE(line.find("recv: 300 200 p/s"), std::string::npos) << line;
    EXPECT_NE(line.find("hitrate: 1.25%"), std::string::npos) << line;
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

TEST(Status, CooldownLine) {
    progress_snapshot now{.elapsed_s = 12.0,
                          .sent = 100000,
                          .to_send = 100000,
                          .received = 300,
                          .hits = 250,
                          .sending = false,
                          .cooldown_left_s = 3.2};
    auto line = format_status_line(now, now);
    EXPECT_NE(line.find("cooldown, 0:03 left"), std::string::npos) << line;
}

TEST(Status, UpdateRowsMatchHeader) {
    progress_snapshot prev{.elapsed_s = 1.0, .sent = 10, .to_send = 100, .received = 1, .hits = 1};
    progress_snapshot now{.elapsed_s = 2.0, .sent = 20, .to_send = 100, .received = 2, .hits = 2};
    auto header = status_update_header(), row = format_status_update(now, prev, 1700000000);
    EXPECT_EQ(std::count(header.begin(), header.end(), ','), std::count(row.begin(), row.end(), ','));
}
