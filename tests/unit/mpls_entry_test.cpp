// MPLS label stack entries decoded from the four bytes a router quotes (RFC 3032 section 2.1,
// drawn in reply/mpls_entry.hpp): each field on its own, written out by hand, so that a field
// read from the wrong bits, or spilling into a neighbour, shows.
#include "reply/mpls_entry.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "net/byte_order.hpp"

using namespace ics;

namespace {
struct vector_case {
    std::array<uint8_t, 4> wire;  // the entry as it arrives, network byte order
    mpls_entry_fields expected;
    const char* what;
};

// label = bits 0-19, TC = 20-22, S = 23, TTL = 24-31 (bit 0 the first on the wire).
constexpr vector_case cases[] = {
    {{0x05, 0xdc, 0x10, 0x01}, {24001, 0, 0, 1}, "label 24001 (0x05dc1), TC 0, S 0, TTL 1"},
    {{0x00, 0x01, 0x0b, 0xfe}, {16, 5, 1, 254}, "label 16, TC 5 (101), S 1, TTL 254"},
    {{0xff, 0xff, 0xf0, 0x00}, {0xfffff, 0, 0, 0}, "label only, every bit set"},
    {{0x00, 0x00, 0x0e, 0x00}, {0, 7, 0, 0}, "TC only, every bit set"},
    {{0x00, 0x00, 0x01, 0x00}, {0, 0, 1, 0}, "S only"},
    {{0x00, 0x00, 0x00, 0xff}, {0, 0, 0, 255}, "TTL only, every bit set"},
    {{0xff, 0xff, 0xff, 0xff}, {0xfffff, 7, 1, 255}, "every bit set"},
    {{0x00, 0x00, 0x00, 0x00}, {0, 0, 0, 0}, "no bit set"},
    {{0x00, 0x00, 0x31, 0x40}, {3, 0, 1, 64}, "implicit null (3) at the bottom, TTL 64"},
};
}  // namespace

TEST(MplsEntry, DecodesEachFieldFromTheWireBytes) {
    for (const vector_case& c : cases) {
        const mpls_entry_fields got = decode_mpls_entry(load_be32(c.wire.data()));
        EXPECT_EQ(got.label, c.expected.label) << c.what;
        EXPECT_EQ(got.tc, c.expected.tc) << c.what;
        EXPECT_EQ(got.s, c.expected.s) << c.what;
        EXPECT_EQ(got.ttl, c.expected.ttl) << c.what;
    }
}

// Every single bit of the word lands in exactly one field, at the place the drawing gives it.
TEST(MplsEntry, EveryBitBelongsToOneField) {
    for (unsigned bit = 0; bit < 32; ++bit) {
        const mpls_entry_fields e = decode_mpls_entry(1u << bit);
        mpls_entry_fields expected{};
        if (bit >= 12)
            expected.label = 1u << (bit - 12);
        else if (bit >= 9)
            expected.tc = uint8_t(1u << (bit - 9));
        else if (bit == 8)
            expected.s = 1;
        else
            expected.ttl = uint8_t(1u << bit);
        EXPECT_EQ(e, expected) << "bit " << bit;
    }
}
