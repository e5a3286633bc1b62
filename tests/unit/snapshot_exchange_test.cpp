// The triple buffer between the output lcore and the HTTP thread: the newest snapshot wins, nothing
// is seen before the first publish, and under two threads no snapshot is ever seen half written.
#include "monitor/snapshot_exchange.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <thread>

using namespace ics;

namespace {
// A snapshot whose every field is the same sequence number: a torn read shows as two numbers.
struct numbered {
    std::array<uint64_t, 61> fields{};  // a few cache lines, so a torn copy is possible at all

    void fill(uint64_t seq) { fields.fill(seq); }
    bool whole() const {
        for (const uint64_t f : fields) {
            if (f != fields[0]) return false;
        }
        return true;
    }
};
}  // namespace

TEST(SnapshotExchange, NothingBeforeTheFirstPublish) {
    snapshot_exchange<numbered> x;
    EXPECT_EQ(x.take(), nullptr);
    EXPECT_EQ(x.take(), nullptr);
}

TEST(SnapshotExchange, TheConsumerTakesTheNewestAndKeepsItUntilANewerOne) {
    snapshot_exchange<numbered> x;
    x.back().fill(1);
    x.publish();
    const numbered* first = x.take();
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(first->fields[0], 1u);
    EXPECT_EQ(x.take(), first);  // nothing new: the same snapshot
    for (uint64_t seq = 2; seq <= 4; ++seq) {
        x.back().fill(seq);
        x.publish();
    }
    const numbered* newest = x.take();
    ASSERT_NE(newest, nullptr);
    EXPECT_EQ(newest->fields[0], 4u);  // 2 and 3 were never taken: skipped, not queued
    EXPECT_TRUE(newest->whole());
    EXPECT_EQ(x.take()->fields[0], 4u);
}

TEST(SnapshotExchange, TheProducerNeverGetsTheBufferTheConsumerHolds) {
    snapshot_exchange<numbered> x;
    x.back().fill(1);
    x.publish();
    const numbered* held = x.take();
    for (uint64_t seq = 2; seq < 100; ++seq) {
        EXPECT_NE(&x.back(), held) << seq;
        x.back().fill(seq);
        x.publish();
        EXPECT_EQ(held->fields[0], 1u) << seq;
    }
}

TEST(SnapshotExchange, InitialValueFillsEveryBuffer) {
    numbered seven;
    seven.fill(7);
    snapshot_exchange<numbered> x(seven);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(x.back().fields[0], 7u) << i;
        x.publish();
    }
}

TEST(SnapshotExchange, TwoThreadsNeverTearASnapshotAndSequenceOnlyGrows) {
    constexpr uint64_t publishes = 2000000;
    snapshot_exchange<numbered> x;
    std::atomic<bool> done{false};
    std::thread producer([&] {
        for (uint64_t seq = 1; seq <= publishes; ++seq) {
            x.back().fill(seq);
            x.publish();
        }
        done.store(true, std::memory_order_release);
    });
    uint64_t torn = 0, backwards = 0, takes = 0, last = 0;
    for (;;) {
        const bool finished = done.load(std::memory_order_acquire);
        if (const numbered* s = x.take()) {
            ++takes;
            if (!s->whole()) ++torn;
            if (s->fields[0] < last) ++backwards;
            last = s->fields[0];
        }
        if (finished) break;  // this take came after the last publish
    }
    producer.join();
    EXPECT_EQ(torn, 0u);
    EXPECT_EQ(backwards, 0u);
    EXPECT_EQ(last, publishes);  // the final take saw the last publish
    EXPECT_GT(takes, 0u);
}
