// monitor/target_state.hpp: every verdict of on_reply (accepted, duplicate, late by RTT, late after
// the round closed, late for a round older than the window, ahead), out-of-order replies inside
// the window, outage events (one down after N losses, one up with the outage's length), counters
// that add up at every close, and the 8-bit round extension.
#include "monitor/target_state.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

using namespace ics;

namespace {

constexpr uint32_t timeout_us = 2'000'000;
constexpr uint32_t down_after = 3;

void expect_counts(const target_state& s, uint32_t sent, uint32_t received, uint32_t lost, uint32_t late,
                   uint32_t dups) {
    EXPECT_EQ(s.sent(), sent);
    EXPECT_EQ(s.received(), received);
    EXPECT_EQ(s.lost(), lost);
    EXPECT_EQ(s.late(), late);
    EXPECT_EQ(s.duplicates(), dups);
}

}  // namespace

TEST(TargetState, FitsOneCacheLine) {
    EXPECT_LE(sizeof(target_state), 64u);
}

TEST(TargetState, ReplyThenDuplicate) {
    target_state s(10);
    EXPECT_EQ(s.on_reply(10, 500, timeout_us), reply_verdict::accepted);
    EXPECT_EQ(s.on_reply(10, 700, timeout_us), reply_verdict::duplicate);
    expect_counts(s, 0, 0, 0, 0, 1);  // rounds count when they close
    EXPECT_EQ(s.close_next_round(down_after), std::nullopt);
    expect_counts(s, 1, 1, 0, 0, 1);
    // A duplicate after its round closed is still a duplicate, never late or received.
    EXPECT_EQ(s.on_reply(10, 2'500'000, timeout_us), reply_verdict::duplicate);
    expect_counts(s, 1, 1, 0, 0, 2);
}

TEST(TargetState, ReplyAfterTimeoutIsLateAndItsRoundLost) {
    target_state s(0);
    EXPECT_EQ(s.on_reply(0, timeout_us + 1, timeout_us), reply_verdict::late);
    EXPECT_EQ(s.on_reply(0, timeout_us, timeout_us), reply_verdict::accepted);  // at the timeout: in time
    EXPECT_EQ(s.close_next_round(down_after), std::nullopt);
    EXPECT_EQ(s.on_reply(1, timeout_us + 1, timeout_us), reply_verdict::late);
    EXPECT_EQ(s.close_next_round(down_after), std::nullopt);
    expect_counts(s, 2, 1, 1, 2, 0);
    // The same round's reply after it closed lost: late even with an RTT under the timeout (it
    // waited in a queue), so the round is not counted twice.
    EXPECT_EQ(s.on_reply(1, 900, timeout_us), reply_verdict::late);
    expect_counts(s, 2, 1, 1, 3, 0);
}

TEST(TargetState, OutOfOrderRepliesInsideTheWindow) {
    target_state s(100);
    // Four rounds open (timeout over several periods); replies come back in a shuffled order.
    EXPECT_EQ(s.on_reply(103, 10, timeout_us), reply_verdict::accepted);
    EXPECT_EQ(s.on_reply(101, 10, timeout_us), reply_verdict::accepted);
    EXPECT_EQ(s.on_reply(100, 10, timeout_us), reply_verdict::accepted);
    EXPECT_EQ(s.on_reply(103, 10, timeout_us), reply_verdict::duplicate);
    EXPECT_EQ(s.on_reply(100, 10, timeout_us), reply_verdict::duplicate);
    for (uint32_t r = 100; r < 104; ++r) {
        EXPECT_EQ(s.next_round_to_close(), r);
        EXPECT_EQ(s.close_next_round(down_after), std::nullopt);
    }
    expect_counts(s, 4, 3, 1, 0, 2);  // 102 never answered
    // The furthest round ahead the window allows, then one beyond it.
    EXPECT_EQ(s.on_reply(104 + 63, 10, timeout_us), reply_verdict::accepted);
    EXPECT_EQ(s.on_reply(104 + 64, 10, timeout_us), reply_verdict::ahead);
    expect_counts(s, 4, 3, 1, 0, 2);  // ahead is counted by the caller, not here
}

TEST(TargetState, ReplyOlderThanTheWindowIsLate) {
    target_state s(0);
    EXPECT_EQ(s.on_reply(0, 10, timeout_us), reply_verdict::accepted);
    EXPECT_EQ(s.on_reply(7, 10, timeout_us), reply_verdict::accepted);
    for (uint32_t r = 0; r < 70; ++r) s.close_next_round(0);
    EXPECT_EQ(s.on_reply(70, 10, timeout_us), reply_verdict::accepted);  // newest is 70
    EXPECT_EQ(s.on_reply(8, 10, timeout_us), reply_verdict::late);       // closed without a reply
    EXPECT_EQ(s.on_reply(7, 10, timeout_us), reply_verdict::duplicate);  // 70 - 63: the window's oldest
    EXPECT_EQ(s.on_reply(6, 10, timeout_us), reply_verdict::late);       // 70 - 64: outside
    // Round 0 was answered, but it left the window: whether this repeats it is no longer known.
    EXPECT_EQ(s.on_reply(0, 10, timeout_us), reply_verdict::late);
    expect_counts(s, 70, 2, 68, 3, 1);
}

TEST(TargetState, ConsecutiveLossesMakeOneDownEventAndAReplyOneUp) {
    target_state s(50);
    EXPECT_EQ(s.on_reply(50, 10, timeout_us), reply_verdict::accepted);
    EXPECT_EQ(s.close_next_round(down_after), std::nullopt);  // 50 answered
    EXPECT_EQ(s.close_next_round(down_after), std::nullopt);  // 51 lost
    EXPECT_EQ(s.close_next_round(down_after), std::nullopt);  // 52 lost
    EXPECT_FALSE(s.down());
    const auto down = s.close_next_round(down_after);  // 53: the third loss in a row
    ASSERT_TRUE(down.has_value());
    EXPECT_EQ(down->what, outage_event::kind::down);
    EXPECT_EQ(down->first_lost_round, 51u);
    EXPECT_EQ(down->round, 53u);
    EXPECT_EQ(down->length_rounds, 3u);
    EXPECT_TRUE(s.down());
    EXPECT_EQ(s.down_since(), 51u);
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(s.close_next_round(down_after), std::nullopt);  // 54..63: no repeat
    EXPECT_EQ(s.consecutive_lost(), 13u);
    EXPECT_EQ(s.on_reply(64, 10, timeout_us), reply_verdict::accepted);
    const auto up = s.close_next_round(down_after);
    ASSERT_TRUE(up.has_value());
    EXPECT_EQ(up->what, outage_event::kind::up);
    EXPECT_EQ(up->first_lost_round, 51u);
    EXPECT_EQ(up->round, 64u);
    EXPECT_EQ(up->length_rounds, 13u);  // rounds 51..63
    EXPECT_FALSE(s.down());
    EXPECT_EQ(s.consecutive_lost(), 0u);
    EXPECT_EQ(s.outages(), 1u);
    EXPECT_EQ(s.on_reply(65, 10, timeout_us), reply_verdict::accepted);
    EXPECT_EQ(s.close_next_round(down_after), std::nullopt);  // up stays up: no second up event
    expect_counts(s, 16, 3, 13, 0, 0);
}

TEST(TargetState, LossesShortOfTheThresholdMakeNoEvent) {
    target_state s(0);
    for (int cycle = 0; cycle < 5; ++cycle) {
        for (uint32_t i = 0; i + 1 < down_after; ++i) EXPECT_EQ(s.close_next_round(down_after), std::nullopt);
        EXPECT_EQ(s.on_reply(s.next_round_to_close(), 10, timeout_us), reply_verdict::accepted);
        EXPECT_EQ(s.close_next_round(down_after), std::nullopt);
    }
    EXPECT_EQ(s.outages(), 0u);
    expect_counts(s, 15, 5, 10, 0, 0);
}

// Random replies (some late, some duplicated, some for closed rounds), rounds closed one by one:
// after every close, sent == received + lost, and received equals the rounds that got an in-time
// reply before they closed, counted independently here.
TEST(TargetState, CountersAddUpAtEveryClosedRound) {
    std::mt19937_64 rng(14);
    target_state s(1000);
    std::vector<bool> answered(1000 + 600, false);
    uint32_t expected_received = 0, expected_late = 0, expected_dups = 0;
    for (uint32_t close = 1000; close < 1500; ++close) {
        for (int k = 0; k < 3; ++k) {
            const uint32_t r = close - 2 + uint32_t(rng() % 6);  // two closed, four open rounds
            const uint32_t rtt = rng() % 5 ? 1000 : timeout_us + 1;
            const auto v = s.on_reply(r, rtt, timeout_us);
            if (answered[r]) {
                EXPECT_EQ(v, reply_verdict::duplicate);
                ++expected_dups;
            } else if (r < close || rtt > timeout_us) {
                EXPECT_EQ(v, reply_verdict::late);
                ++expected_late;
            } else {
                EXPECT_EQ(v, reply_verdict::accepted);
                answered[r] = true;
            }
        }
        s.close_next_round(0);
        expected_received += answered[close];
        EXPECT_EQ(s.sent(), close - 1000 + 1);
        EXPECT_EQ(s.sent(), s.received() + s.lost());
        EXPECT_EQ(s.received(), expected_received);
        EXPECT_EQ(s.late(), expected_late);
        EXPECT_EQ(s.duplicates(), expected_dups);
    }
    EXPECT_GT(expected_received, 0u);  // the mix exercised every verdict
    EXPECT_GT(expected_late, 0u);
    EXPECT_GT(expected_dups, 0u);
    EXPECT_GT(s.lost(), 0u);
}

TEST(TargetState, EightBitRoundsExtendAroundTheReference) {
    EXPECT_EQ(extend_round(1000, uint8_t(1000)), 1000u);
    EXPECT_EQ(extend_round(1000, uint8_t(1000 + 127)), 1127u);  // furthest ahead
    EXPECT_EQ(extend_round(1000, uint8_t(1000 + 128)), 872u);   // 128 ahead reads as 128 behind
    EXPECT_EQ(extend_round(1000, uint8_t(1000 - 128)), 872u);   // furthest behind
    EXPECT_EQ(extend_round(255, 0), 256u);                      // across the 8-bit wrap
    EXPECT_EQ(extend_round(256, 255), 255u);
    EXPECT_EQ(extend_round(3, 250), uint32_t(-6));  // before round 0: far outside any window
    // Every round the window can hold (63 behind to 63 ahead of the oldest open one) extends exactly.
    for (uint32_t ref : {0u, 200u, 70'000u})
        for (int d = -63; d <= 63; ++d) {
            const uint32_t r = ref + uint32_t(d);
            EXPECT_EQ(extend_round(ref, uint8_t(r)), r) << ref << " " << d;
        }
}

// A reply from 200 rounds back extends to a round inside the window, but its RTT, measured from
// the send time the probe carries, is 200 periods: over the timeout, so it is late, not accepted.
TEST(TargetState, AReplyFromBeyondTheExtensionRangeIsLateByItsRtt) {
    constexpr uint32_t period_us = 1'000'000;
    target_state s(0);
    for (uint32_t r = 0; r < 300; ++r) EXPECT_EQ(s.close_next_round(0), std::nullopt);  // 0: never down
    EXPECT_FALSE(s.down());
    const uint32_t round = extend_round(s.next_round_to_close(), uint8_t(100));
    EXPECT_EQ(round, 356u);
    EXPECT_EQ(s.on_reply(round, 200 * period_us, timeout_us), reply_verdict::late);
    EXPECT_EQ(s.close_next_round(0), std::nullopt);
    expect_counts(s, 301, 0, 301, 1, 0);
}

// A resumed run's target: the saved counters go on, its rounds start where the run resumes; an
// outage goes on (its first lost round the old one, no second down event), a run of losses short of
// an outage does not (the rounds across the restart are not consecutive).
TEST(TargetState, ResumedStateGoesOnFromTheSavedCounters) {
    target_counts down_target{.sent = 10,
                              .received = 6,
                              .lost = 4,
                              .late = 2,
                              .duplicates = 1,
                              .consecutive_lost = 4,
                              .down_since = 6,
                              .outages = 1,
                              .down = true};
    target_state s(12, down_target);
    EXPECT_EQ(s.counts(), down_target);
    EXPECT_EQ(s.next_round_to_close(), 12u);
    EXPECT_EQ(s.close_next_round(down_after), std::nullopt);  // 12 lost: still down, no repeat
    EXPECT_EQ(s.on_reply(13, 10, timeout_us), reply_verdict::accepted);
    const auto up = s.close_next_round(down_after);
    ASSERT_TRUE(up.has_value());
    EXPECT_EQ(up->what, outage_event::kind::up);
    EXPECT_EQ(up->first_lost_round, 6u);
    EXPECT_EQ(up->length_rounds, 7u);  // 6 .. 12, across the restart
    expect_counts(s, 12, 7, 5, 2, 1);
    EXPECT_EQ(s.outages(), 1u);

    // Resumed with a larger --down-after than the streak that made the outage: no second down.
    target_state longer(12, down_target);
    for (int r = 0; r < 20; ++r) EXPECT_EQ(longer.close_next_round(10), std::nullopt) << r;
    EXPECT_EQ(longer.outages(), 1u);

    target_counts losing{.sent = 10, .received = 8, .lost = 2, .consecutive_lost = 2};
    target_state t(12, losing);
    EXPECT_EQ(t.consecutive_lost(), 0u);
    EXPECT_EQ(t.close_next_round(down_after), std::nullopt);  // 12 lost: the first of a new run
    EXPECT_EQ(t.close_next_round(down_after), std::nullopt);  // 13
    const auto down = t.close_next_round(down_after);         // 14: the third in a row
    ASSERT_TRUE(down.has_value());
    EXPECT_EQ(down->first_lost_round, 12u);
    EXPECT_EQ(t.outages(), 1u);
    expect_counts(t, 13, 8, 5, 0, 0);
}
