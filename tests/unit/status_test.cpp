#include "output/status.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(Status, LineShowsProgressRatesAndHits) {
    progress_snapshot prev{1.0, 10000, 100000, 100, 90, 0, true, 0};
    progress_snapshot now{2.0, 20000, 100000, 300, 250, 5, true, 0};
    auto line = format_status_line(now, prev);
    EXPECT_NE(line.find("20%"), std::string::npos) << line;
    EXPECT_NE(line.find("0:08 left"), std::string::npos) << line;
    EXPECT_NE(line.find("send: 20000 10.00 Kp/s"), std::string::npos) << line;
    EXPECT_NE(line.find("recv: 300 200 p/s"), std::string::npos) << line;
    EXPECT_NE(line.find("hitrate: 1.25%"), std::string::npos) << line;
}

TEST(Status, CooldownLine) {
    progress_snapshot now{12.0, 100000, 100000, 300, 250, 0, false, 3.2};
    auto line = format_status_line(now, now);
    EXPECT_NE(line.find("cooldown, 0:03 left"), std::string::npos) << line;
}

TEST(Status, UpdateRowsMatchHeader) {
    progress_snapshot prev{1.0, 10, 100, 1, 1, 0, true, 0}, now{2.0, 20, 100, 2, 2, 0, true, 0};
    auto header = status_update_header(), row = format_status_update(now, prev, 1700000000);
    EXPECT_EQ(std::count(header.begin(), header.end(), ','), std::count(row.begin(), row.end(), ','));
}
