// Property tests of monitor mode's send schedule (engine/monitor/monitor_schedule.hpp): every
// target once per round in due order, due times spread flat, no two targets of one /24 back to
// back, slices partitioning the set, --count rounds then done, and a late caller getting every
// overdue probe once with its lateness, and the existing pacer keeping to the due times. Time is simulated
// (plain numbers), never measured.
#include "monitor/monitor_schedule.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "pace/pacer.hpp"

using namespace ics;

namespace {

// Several ranges of different shapes, so the set lookup (not only the one-range path) is covered.
interval_set mixed_set() {
    return interval_set({{0xc6120000, 0xc61200ff},
                         {0xc6120300, 0xc6120340},
                         {0xc6130000, 0xc6130000},
                         {0xc6121000, 0xc61213e7}});
}

struct sent {
    ipv4_addr dst;
    uint32_t round;
    uint64_t at_us;  // simulated time it was handed out
};

// Drives a schedule with the clock stepping by `tick_us` from `from_us` until done or `until_us`,
// bursts of at most n; checks every step's own figures and returns what was handed out.
std::vector<sent> drive(monitor_schedule& s, uint64_t from_us, uint64_t until_us, uint64_t tick_us,
                        unsigned n) {
    std::vector<sent> out;
    probe_batch b;
    for (uint64_t now = from_us; now < until_us; now += tick_us) {
        for (;;) {
            const monitor_step st = s.next(b, n, now);
            EXPECT_EQ(st.count, b.count);
            EXPECT_LE(st.count, n);
            if (st.count == 0) {
                if (!st.done) {
                    EXPECT_GT(st.next_due_us, now) << "nothing handed out although due";
                }
                break;
            }
            for (unsigned i = 0; i < b.count; ++i) out.push_back({b.dst[i], b.round, now});
            if (st.done) return out;
        }
        if (s.done()) break;
    }
    return out;
}

}  // namespace

TEST(MonitorSchedule, EveryTargetOncePerRoundInDueOrder) {
    const auto set = mixed_set();
    const uint64_t period = 10000, start = 500;
    monitor_schedule s(set, 42, period, 4, {}, start);
    ASSERT_EQ(s.targets_per_round(), set.size());
    const auto out = drive(s, 0, start + 5 * period, 1, 64);
    ASSERT_EQ(out.size(), 4 * set.size());
    ASSERT_TRUE(s.done());
    const uint64_t m = set.size();
    for (uint32_t r = 0; r < 4; ++r) {
        std::set<ipv4_addr> seen;
        for (uint64_t k = 0; k < m; ++k) {
            const sent& p = out[r * m + k];
            EXPECT_EQ(p.round, r);
            EXPECT_TRUE(seen.insert(p.dst).second) << "twice in round " << r;
            EXPECT_TRUE(set.index_of(p.dst).has_value());
            // Stepping by 1 us, each probe goes out exactly when due, in the round's due order,
            // and each target keeps its position (its phase) in every round.
            EXPECT_EQ(p.at_us, s.due_us(r, k));
            EXPECT_EQ(p.dst, s.target_at(k));
            EXPECT_EQ(p.dst, out[k].dst);
            if (k) {
                EXPECT_LE(out[r * m + k - 1].at_us, p.at_us);
            }
            EXPECT_GE(p.at_us, start + r * period);
            EXPECT_LT(p.at_us, start + (r + 1) * period);
        }
        EXPECT_EQ(seen.size(), m);
    }
}

TEST(MonitorSchedule, DueTimesAreSpreadFlatOverThePeriod) {
    for (uint64_t m_size : {256ull, 1000ull, 65536ull}) {
        const interval_set set({{0xc6120000, uint32_t(0xc6120000 + m_size - 1)}});
        const uint64_t period = 1000000;
        monitor_schedule s(set, 7, period, 1, {}, 0);
        const uint64_t m = s.targets_per_round();
        ASSERT_EQ(m, m_size);
        const uint64_t window = period / 100, slack = 1;
        std::vector<uint64_t> per_window(100, 0);
        for (uint64_t k = 0; k < m; ++k) ++per_window[s.due_us(0, k) / window];
        for (unsigned w = 0; w < 100; ++w)
            EXPECT_LE(per_window[w], m / 100 + slack) << "window " << w << " of " << m;
        // No empty stretch either: at least floor(m/100) due in each window.
        for (unsigned w = 0; w < 100; ++w) EXPECT_GE(per_window[w], m / 100) << "window " << w;
    }
}

TEST(MonitorSchedule, NoTwoTargetsOfOneSlash24BackToBack) {
    // 64 /24s: consecutive probes (also across the round's end, and in each slice) differ in /24.
    const interval_set many({{0xc6120000, 0xc6123fff}});
    for (uint32_t threads : {1u, 2u, 3u})
        for (uint64_t key : {1ull, 99ull, 12345ull}) {
            monitor_schedule s(many, key, 1000, 2, {0, 1, threads - 1, threads}, 0);
            probe_batch b;
            std::vector<ipv4_addr> order;
            while (s.next(b, 64)) order.insert(order.end(), b.dst, b.dst + b.count);
            ASSERT_EQ(order.size(), 2 * s.targets_per_round());
            for (size_t i = 1; i < order.size(); ++i)
                ASSERT_NE(order[i] >> 8, order[i - 1] >> 8) << "position " << i << " key " << key;
        }
    // One /24: address neighbours (x, x+1) are never sent back to back.
    const interval_set one({{0xc0000200, 0xc00002ff}});
    monitor_schedule s(one, 5, 1000, 2, {}, 0);
    probe_batch b;
    std::vector<ipv4_addr> order;
    while (s.next(b, 64)) order.insert(order.end(), b.dst, b.dst + b.count);
    ASSERT_EQ(order.size(), 512u);
    for (size_t i = 1; i < order.size(); ++i) {
        const uint32_t d = order[i] > order[i - 1] ? order[i] - order[i - 1] : order[i - 1] - order[i];
        EXPECT_GE(d, 2u) << "position " << i;
    }
}

TEST(MonitorSchedule, SlicesPartitionTheTargets) {
    const auto set = mixed_set();
    for (uint32_t shards : {1u, 2u, 3u})
        for (uint32_t threads : {1u, 2u, 4u}) {
            std::map<ipv4_addr, int> seen;
            uint64_t total = 0;
            for (uint32_t sh = 0; sh < shards; ++sh)
                for (uint32_t t = 0; t < threads; ++t) {
                    monitor_schedule s(set, 3, 1000, 1, {sh, shards, t, threads}, 0);
                    total += s.targets_per_round();
                    probe_batch b;
                    while (s.next(b, 64))
                        for (unsigned i = 0; i < b.count; ++i) ++seen[b.dst[i]];
                }
            EXPECT_EQ(total, set.size());
            ASSERT_EQ(seen.size(), set.size()) << shards << "x" << threads;
            for (auto [addr, count] : seen) {
                EXPECT_EQ(count, 1) << format_ipv4(addr);
                EXPECT_TRUE(set.index_of(addr).has_value());
            }
        }
}

TEST(MonitorSchedule, CountRoundsThenDoneAndZeroMeansUntilStopped) {
    const auto set = mixed_set();
    monitor_schedule three(set, 9, 1000, 3, {}, 0);
    probe_batch b;
    uint64_t got = 0;
    uint32_t last_round = 0;
    while (three.next(b, 64)) {
        got += b.count;
        EXPECT_GE(b.round, last_round);
        last_round = b.round;
    }
    EXPECT_EQ(got, 3 * set.size());
    EXPECT_EQ(last_round, 2u);
    const monitor_step st = three.next(b, 64, 1u << 30);
    EXPECT_TRUE(st.done);
    EXPECT_EQ(st.count, 0u);
    EXPECT_EQ(st.next_due_us, monitor_schedule::never);

    monitor_schedule forever(set, 9, 1000, 0, {}, 0);
    got = 0;
    while (got < 10 * set.size() && forever.next(b, 64)) got += b.count;
    EXPECT_EQ(got, 10 * set.size());
    EXPECT_FALSE(forever.done());
    EXPECT_EQ(forever.next(b, 64), 64u);
    EXPECT_EQ(b.round, 10u);
}

TEST(MonitorSchedule, LateCallerGetsEveryOverdueProbeOnceWithItsLateness) {
    const auto set = mixed_set();
    const uint64_t m = set.size(), period = 1000, start = 100;
    monitor_schedule s(set, 11, period, 4, {}, start);
    probe_batch b;
    // Nothing before the start; the next due time is the start.
    monitor_step st = s.next(b, 64, start - 1);
    EXPECT_EQ(st.count, 0u);
    EXPECT_EQ(st.next_due_us, start);
    // Asleep until 2.5 periods in: every position due by then comes out, in order, once.
    const uint64_t now = start + 2 * period + period / 2;
    std::vector<std::pair<uint32_t, ipv4_addr>> out;
    uint64_t pos = 0;  // position over all rounds
    for (;;) {
        st = s.next(b, 64, now);
        if (st.count == 0) break;
        const uint32_t r = uint32_t(pos / m);
        EXPECT_EQ(b.round, r);
        EXPECT_EQ(st.lateness_us, now - s.due_us(r, pos % m));
        for (unsigned i = 0; i < b.count; ++i, ++pos) {
            EXPECT_EQ(b.round, uint32_t(pos / m)) << "a batch mixed rounds";
            EXPECT_EQ(b.dst[i], s.target_at(pos % m));
            EXPECT_LE(s.due_us(uint32_t(pos / m), pos % m), now);
        }
    }
    // Exactly the due ones: two whole rounds and round 2's positions with due <= now.
    uint64_t due_in_round2 = 0;
    for (uint64_t k = 0; k < m; ++k) due_in_round2 += s.due_us(2, k) <= now;
    EXPECT_EQ(pos, 2 * m + due_in_round2);
    EXPECT_FALSE(st.done);
    EXPECT_EQ(st.next_due_us, s.due_us(2, due_in_round2));
    EXPECT_GT(st.next_due_us, now);
    // Caught up: the rest comes out on time (lateness 0 at 1 us steps), nothing lost or repeated.
    const auto rest = drive(s, now + 1, start + 5 * period, 1, 64);
    EXPECT_EQ(pos + rest.size(), 4 * m);
    for (size_t i = 0; i < rest.size(); ++i) {
        const uint64_t p = pos + i;
        EXPECT_EQ(rest[i].dst, s.target_at(p % m));
        EXPECT_EQ(rest[i].round, uint32_t(p / m));
        EXPECT_EQ(rest[i].at_us, s.due_us(uint32_t(p / m), p % m));
    }
    EXPECT_TRUE(s.done());
}

// A sender that wakes at the next due time and asks ahead_us further takes every position due
// within ahead_us of now with it, early (lateness 0), in order, once; a later caller still gets its
// lateness.
TEST(MonitorSchedule, AheadTakesWhatFallsDueSoonWithNoLateness) {
    const auto set = mixed_set();
    const uint64_t m = set.size(), period = 100000, start = 5000, ahead = 1000;
    monitor_schedule s(set, 11, period, 2, {}, start);
    probe_batch b;
    uint64_t pos = 0, now = start, wakes = 0;
    while (!s.done()) {
        const monitor_step st = s.next(b, 64, now, ahead);
        if (st.count == 0) {
            ASSERT_GT(st.next_due_us, now + ahead);
            now = st.next_due_us;  // the nap
            ++wakes;
            continue;
        }
        EXPECT_EQ(st.lateness_us, 0u);
        for (unsigned i = 0; i < b.count; ++i, ++pos) {
            const uint64_t due = s.due_us(b.round, pos % m);
            EXPECT_EQ(b.dst[i], s.target_at(pos % m));
            EXPECT_EQ(b.round, uint32_t(pos / m));
            EXPECT_LE(due, now + ahead);  // never more than ahead_us early
            EXPECT_GE(due, now);          // and never late
        }
    }
    EXPECT_EQ(pos, 2 * m);
    // 1,322 targets over 100 ms: one due every 76 us, so a 1 ms reach takes about 13 a wake-up.
    EXPECT_LE(wakes, 2 * m / 10);
    // Called late, the lateness is the earliest's, ahead or not.
    monitor_schedule late(set, 11, period, 1, {}, start);
    EXPECT_EQ(late.next(b, 1, start + 500, ahead).lateness_us, 500u);
}

TEST(MonitorSchedule, UntimedAndTimedHandOutTheSameSequence) {
    const auto set = mixed_set();
    monitor_schedule a(set, 77, 5000, 2, {1, 2, 0, 1}, 0), t(set, 77, 5000, 2, {1, 2, 0, 1}, 0);
    probe_batch ba, bt;
    std::vector<ipv4_addr> untimed, timed;
    while (a.next(ba, 17)) untimed.insert(untimed.end(), ba.dst, ba.dst + ba.count);
    while (!t.next(bt, 64, 1ull << 40).done) timed.insert(timed.end(), bt.dst, bt.dst + bt.count);
    timed.insert(timed.end(), bt.dst, bt.dst + bt.count);
    EXPECT_EQ(untimed, timed);
    EXPECT_EQ(untimed.size(), 2 * a.targets_per_round());
}

// The existing TX loop unchanged: a pacer at rate m / period from the schedule's start, and the
// untimed next(). At every microsecond the probes handed out never lead the positions due, and
// trail them by at most the pacer's burst (it waits for a whole one) plus one (the pacer owes
// floor(t*m/period) at t, while position 0 is already due at t = 0), over rounds.
TEST(MonitorSchedule, PacerAtTargetsPerPeriodKeepsToTheDueTimes) {
    const auto set = mixed_set();
    const uint64_t period = 10000, start = 300;  // 1322 targets per 10 ms: 132,200 per second
    monitor_schedule s(set, 5, period, 3, {}, start);
    const uint64_t rate = uint64_t(s.targets_per_second());
    ASSERT_EQ(double(rate), s.targets_per_second()) << "the test wants a whole-number rate";
    pacer pace(1000000, rate, start, probe_batch::max);  // a TSC of 1 MHz: ticks are microseconds
    probe_batch b;
    uint64_t handed = 0, due = 0;  // due: positions due by now, over all rounds
    const uint64_t m = s.targets_per_round();
    for (uint64_t now = 0; now < start + 4 * period && !s.done(); ++now) {
        for (unsigned n; (n = pace.allowed(now)) > 0;) {
            const unsigned got = s.next(b, n);
            if (got == 0) break;
            pace.account(got);
            handed += got;
        }
        while (due < 3 * m && s.due_us(uint32_t(due / m), due % m) <= now) ++due;
        EXPECT_LE(handed, due) << "at " << now;
        EXPECT_GE(handed + pace.burst() + 1, due) << "at " << now;
    }
    EXPECT_EQ(handed, 3 * m);
    EXPECT_TRUE(s.done());
}

// A resumed monitor's schedule (first_round > 0) hands out rounds first_round .. rounds - 1, in the
// same order and phases as the whole run's, due from its own start; handed_out() counts this run's.
TEST(MonitorSchedule, FirstRoundNumbersOnWithTheSameOrderAndPhases) {
    const interval_set set = mixed_set();
    const uint64_t period = 1000000, start = 500;
    monitor_schedule whole(set, 42, period, 7, {}, start);
    monitor_schedule resumed(set, 42, period, 7, {}, start, 4);
    const uint64_t m = whole.targets_per_round();
    ASSERT_EQ(resumed.targets_per_round(), m);
    probe_batch a, b;
    for (uint32_t r = 0; r < 4; ++r)
        for (uint64_t k = 0; k < m;) k += whole.next(a, 64);
    for (uint32_t r = 4; r < 7; ++r) {
        for (uint64_t k = 0; k < m;) {
            const monitor_step sb = resumed.next(b, 64, UINT64_MAX / 2);
            const unsigned na = whole.next(a, sb.count);
            ASSERT_EQ(na, sb.count);
            EXPECT_EQ(b.round, r);
            EXPECT_EQ(a.round, r);
            for (unsigned i = 0; i < na; ++i) ASSERT_EQ(b.dst[i], a.dst[i]) << r << " " << k + i;
            k += na;
        }
        EXPECT_EQ(resumed.due_us(r, 0), start + (r - 4) * period);
        EXPECT_EQ(resumed.due_us(r, 1), whole.due_us(r, 1) - 4 * period);
    }
    EXPECT_TRUE(resumed.done());
    EXPECT_EQ(resumed.handed_out(), 3 * m);
    EXPECT_EQ(resumed.next(b, 64), 0u);
}
