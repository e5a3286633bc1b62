#include "dedup/seen_bitmap.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(SeenBitmap, FirstSightThenRepeat) {
    seen_bitmap b(1000);
    EXPECT_FALSE(b.test_and_set(0));
    EXPECT_TRUE(b.test_and_set(0));
    EXPECT_FALSE(b.test_and_set(999));
    EXPECT_FALSE(b.test_and_set(64));
    EXPECT_TRUE(b.test(64));
    EXPECT_FALSE(b.test(63));
}

TEST(SeenBitmap, WholeIpv4SpaceIsLazy) {
    seen_bitmap b(uint64_t(1) << 32);  // 512 MiB of address space, untouched pages stay virtual
    EXPECT_FALSE(b.test_and_set(0xffffffffull));
    EXPECT_TRUE(b.test_and_set(0xffffffffull));
}
