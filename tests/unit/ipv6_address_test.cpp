#include "net/ipv6_address.hpp"

#include <arpa/inet.h>

#include <array>
#include <random>
#include <string>

#include <gtest/gtest.h>

using namespace ics;

namespace {

ipv6_addr addr(std::string_view text) {
    const auto a = parse_ipv6(text);
    EXPECT_TRUE(a.has_value()) << text;
    return a.value_or(ipv6_addr{});
}

std::string libc_format(const ipv6_addr& a) {
    std::array<uint8_t, 16> wire{};
    a.store(wire.data());
    char buf[INET6_ADDRSTRLEN];
    return inet_ntop(AF_INET6, wire.data(), buf, sizeof buf);
}

std::optional<ipv6_addr> libc_parse(const std::string& text) {
    std::array<uint8_t, 16> wire{};
    if (inet_pton(AF_INET6, text.c_str(), wire.data()) != 1) return std::nullopt;
    return ipv6_addr::load(wire.data());
}

// Addresses rich in what formatting must get right: runs of zero groups of every length and
// place, ties between runs, and the IPv4-compatible and -mapped forms.
ipv6_addr zero_heavy(std::mt19937_64& rng) {
    ipv6_addr a;
    for (unsigned k = 0; k < 8; ++k) {
        const uint64_t r = rng();
        uint16_t g = (r & 3) == 0 ? uint16_t(r >> 16) : 0;
        if ((r & 0x30) == 0x30) g = uint16_t(1u << ((r >> 8) % 16));
        (k < 4 ? a.hi : a.lo) |= uint64_t(g) << (48 - 16 * (k % 4));
    }
    if (rng() % 8 == 0) a = ipv6_addr{0, uint64_t(0xffff) << 32 | (rng() >> 32)};
    if (rng() % 8 == 0) a = ipv6_addr{0, rng() >> 32};
    return a;
}

// A dotted tail ("::ffff:192.0.02.1") with an octet written with a leading zero.
bool dotted_tail_has_leading_zero(const std::string& text) {
    const std::string tail = text.substr(text.rfind(':') + 1);
    if (tail.find('.') == std::string::npos) return false;
    for (size_t at = 0; at < tail.size(); at = tail.find('.', at) + 1) {
        if (tail[at] == '0' && at + 1 < tail.size() && tail[at + 1] != '.') return true;
        if (tail.find('.', at) == std::string::npos) break;
    }
    return false;
}

}  // namespace

TEST(Ipv6Address, ParsesEveryTextForm) {
    EXPECT_EQ(addr("2001:db8::1"), (ipv6_addr{0x20010db800000000ull, 1}));
    EXPECT_EQ(addr("2001:DB8:0:0:0:0:0:1"), addr("2001:db8::1"));
    EXPECT_EQ(addr("2001:0db8:0000:0000:0000:0000:0000:0001"), addr("2001:db8::1"));
    EXPECT_EQ(addr("::"), ipv6_addr{});
    EXPECT_EQ(addr("::1"), (ipv6_addr{0, 1}));
    EXPECT_EQ(addr("2001:db8::"), (ipv6_addr{0x20010db800000000ull, 0}));
    EXPECT_EQ(addr("2001:db8:3:4:5:6:7::"), (ipv6_addr{0x20010db800030004ull, 0x0005000600070000ull}));
    EXPECT_EQ(addr("::2:3:4:5:6:7:8"), (ipv6_addr{0x0000000200030004ull, 0x0005000600070008ull}));
    EXPECT_EQ(addr("::ffff:198.51.100.7"), (ipv6_addr{0, 0x0000ffffc6336407ull}));
    EXPECT_EQ(addr("2001:db8:1:2:3:4:192.0.2.1"), (ipv6_addr{0x20010db800010002ull, 0x00030004c0000201ull}));
}

TEST(Ipv6Address, RejectsMalformed) {
    for (const char* bad : {"",
                            ":",
                            ":::",
                            "1",
                            "1:2:3:4:5:6:7",
                            "1:2:3:4:5:6:7:8:9",
                            "1::2::3",
                            "12345::",
                            "g::",
                            "::1:",
                            ":1::2",
                            "1:2:3:4:5:6:7:8::",
                            "::1 ",
                            " ::1",
                            "2001:db8::1%eth0",
                            "[2001:db8::1]",
                            "192.0.2.4",
                            "::192.0.2",
                            "::192.0.2.4:5",
                            "2001:db8:3:4:5:6:7:192.0.2.4",
                            "::256.0.0.1",
                            "2001:db8::/64",
                            "2001:db8:::1"})
        EXPECT_FALSE(parse_ipv6(bad).has_value()) << bad;
}

TEST(Ipv6Address, FormatsAsRfc5952) {
    EXPECT_EQ(format_ipv6(addr("2001:0DB8:0:0:1:0:0:1")), "2001:db8::1:0:0:1");    // the first of equal runs
    EXPECT_EQ(format_ipv6(addr("2001:db8:0:0:0:1:0:0")), "2001:db8::1:0:0");       // the longest run
    EXPECT_EQ(format_ipv6(addr("2001:db8:0:1:1:1:1:1")), "2001:db8:0:1:1:1:1:1");  // never one group
    EXPECT_EQ(format_ipv6(addr("::")), "::");
    EXPECT_EQ(format_ipv6(addr("::1")), "::1");
    EXPECT_EQ(format_ipv6(addr("2001:db8::")), "2001:db8::");
    EXPECT_EQ(format_ipv6(addr("::ffff:c633:6407")), "::ffff:198.51.100.7");
    EXPECT_EQ(format_ipv6(addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).size(), ipv6_text_max);
}

// Every address formats as the C library's inet_ntop formats it and reads back as itself; every
// text the C library reads, we read to the same address (leading zeros in a dotted tail aside:
// inet_pton refuses them, and we read them as decimal, as parse_ipv4 does for IPv4).
TEST(Ipv6Address, AgreesWithTheCLibraryOnManyAddresses) {
    std::mt19937_64 rng(6);
    for (int i = 0; i < 200000; ++i) {
        const ipv6_addr a = i % 2 ? ipv6_addr{rng(), rng()} : zero_heavy(rng);
        const std::string text = format_ipv6(a);
        ASSERT_EQ(text, libc_format(a)) << std::hex << a.hi << " " << a.lo;
        ASSERT_EQ(parse_ipv6(text), a) << text;
        std::string upper = text;
        for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
        ASSERT_EQ(parse_ipv6(upper), a) << upper;
    }
}

TEST(Ipv6Address, ReadsWhatTheCLibraryReadsAndNothingElse) {
    std::mt19937_64 rng(7);
    const std::string alphabet = "0123456789abcdefABCDEF:::::.x/%";
    for (int i = 0; i < 300000; ++i) {
        std::string text;
        const size_t len = rng() % 24;
        for (size_t k = 0; k < len; ++k) text += alphabet[rng() % alphabet.size()];
        if (i % 3 == 0) text = format_ipv6(zero_heavy(rng)), text[rng() % text.size()] = alphabet[rng() % 20];
        const auto ours = parse_ipv6(text);
        const auto theirs = libc_parse(text);
        if (ours && !theirs && dotted_tail_has_leading_zero(text)) continue;
        ASSERT_EQ(ours, theirs) << "'" << text << "'";
    }
}

TEST(Ipv6Address, PrefixesNeedZeroHostBits) {
    const auto p = parse_ipv6_prefix("2001:db8:1::/48");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->len, 48u);
    EXPECT_EQ(p->last(), addr("2001:db8:1:ffff:ffff:ffff:ffff:ffff"));
    EXPECT_TRUE(p->contains(addr("2001:db8:1:2::3")));
    EXPECT_FALSE(p->contains(addr("2001:db8:2::")));
    EXPECT_EQ(parse_ipv6_prefix("2001:db8::5"), (ipv6_prefix{addr("2001:db8::5"), 128}));
    EXPECT_EQ(parse_ipv6_prefix("::/0"), (ipv6_prefix{ipv6_addr{}, 0}));
    EXPECT_EQ(format_ipv6_prefix(*p), "2001:db8:1::/48");
    for (const char* bad : {"2001:db8::1/64", "2001:db8::/129", "2001:db8::/", "2001:db8::/1x",
                            "2001:db8::/0064", "/64", "2001:db8::/-1"})
        EXPECT_FALSE(parse_ipv6_prefix(bad).has_value()) << bad;
}

TEST(Ipv6Address, MasksEveryLength) {
    for (unsigned len = 0; len <= 128; ++len) {
        const ipv6_addr m = ipv6_mask(len);
        for (unsigned bit = 0; bit < 128; ++bit) {  // bit 0: the first on the wire
            const uint64_t half = bit < 64 ? m.hi : m.lo;
            ASSERT_EQ((half >> (63 - bit % 64)) & 1, uint64_t(bit < len)) << len << " " << bit;
        }
    }
}

TEST(Ipv6Address, LoadsAndStoresWireOrder) {
    const uint8_t wire[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd};
    const ipv6_addr a = ipv6_addr::load(wire);
    EXPECT_EQ(a, addr("2001:db8::abcd"));
    uint8_t back[16];
    a.store(back);
    EXPECT_EQ(std::memcmp(back, wire, 16), 0);
    EXPECT_EQ(a.group(0), 0x2001);
    EXPECT_EQ(a.group(7), 0xabcd);
}
