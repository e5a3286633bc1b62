// The RX arrival estimate: the midpoint of the gap since the previous poll, the previous poll's
// time after a full burst, the poll's own time when there is no previous poll.
#include "pace/arrival_estimate.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(ArrivalEstimate, FirstPollStampsItsOwnTime) {
    arrival_estimate a;
    EXPECT_EQ(a.polled(1000, 3, 32), 1000u);
}

TEST(ArrivalEstimate, MidpointOfTheGapSinceAnEmptyingPoll) {
    arrival_estimate a;
    a.polled(1000, 0, 32);
    EXPECT_EQ(a.polled(1400, 2, 32), 1200u);
    EXPECT_EQ(a.polled(1500, 1, 32), 1450u);
}

TEST(ArrivalEstimate, AfterAFullBurstTheRestWasWaitingAtThatPoll) {
    arrival_estimate a;
    a.polled(1000, 0, 32);
    EXPECT_EQ(a.polled(2000, 32, 32), 1500u);
    EXPECT_EQ(a.polled(2100, 5, 32), 2000u);
    EXPECT_EQ(a.polled(2300, 1, 32), 2200u);
}

// Whatever the gap, the estimate errs by at most half of it for a frame that arrived within it.
TEST(ArrivalEstimate, ErrorIsAtMostHalfTheGap) {
    for (uint64_t gap : {1ull, 7ull, 1000ull, 123456ull})
        for (uint64_t offset = 0; offset <= gap; offset += gap / 7 + 1) {
            arrival_estimate a;
            a.polled(5000, 0, 32);
            const uint64_t arrived = 5000 + offset, stamp = a.polled(5000 + gap, 1, 32);
            const uint64_t err = stamp > arrived ? stamp - arrived : arrived - stamp;
            EXPECT_LE(err, (gap + 1) / 2) << gap << " " << offset;
        }
}

TEST(ArrivalEstimate, ATimeGoingBackwardsStampsThePollTime) {
    arrival_estimate a;
    a.polled(5000, 0, 32);
    EXPECT_EQ(a.polled(4000, 1, 32), 4000u);
}
