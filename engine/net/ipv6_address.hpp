// IPv6 addresses as two host-order 64-bit halves: parsing every text form of RFC 4291 section 2.2
// (groups of 1-4 hex digits, one "::", a dotted IPv4 tail), formatting as RFC 5952 and glibc's
// inet_ntop do (so our output reads the same as ZMapv6's and scamper's), prefixes and their masks.
#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/byte_order.hpp"

namespace ics {

struct ipv6_addr {
    uint64_t hi = 0, lo = 0;  // hi: the first 8 bytes on the wire, host order
    // Written out: clang-tidy reads a defaulted <=> as comparing with a literal 0 (modernize-use-nullptr).
    constexpr std::strong_ordering operator<=>(const ipv6_addr& o) const {
        return hi != o.hi ? hi <=> o.hi : lo <=> o.lo;
    }
    constexpr bool operator==(const ipv6_addr&) const = default;

    static ipv6_addr load(const uint8_t* wire) { return {load_be64(wire), load_be64(wire + 8)}; }
    void store(uint8_t* wire) const {
        store_be64(wire, hi);
        store_be64(wire + 8, lo);
    }
    uint16_t group(unsigned i) const {  // the i-th of the eight 16-bit groups, 0 first
        return uint16_t((i < 4 ? hi : lo) >> (48 - 16 * (i % 4)));
    }
};

// The longest text format_ipv6_to writes ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").
inline constexpr size_t ipv6_text_max = 39;

std::optional<ipv6_addr> parse_ipv6(std::string_view text);
std::string format_ipv6(const ipv6_addr& addr);
// Writes the text into `out` (at least ipv6_text_max bytes), returns the length. No allocation.
size_t format_ipv6_to(const ipv6_addr& addr, char* out);

// The mask of a prefix length 0..128 (its first `len` bits set).
inline ipv6_addr ipv6_mask(unsigned len) {
    const auto half = [](unsigned bits) { return bits == 0 ? 0 : ~uint64_t(0) << (64 - bits); };
    return len >= 64 ? ipv6_addr{~uint64_t(0), half(len - 64)} : ipv6_addr{half(len), 0};
}
inline ipv6_addr operator&(const ipv6_addr& a, const ipv6_addr& b) {
    return {a.hi & b.hi, a.lo & b.lo};
}
inline ipv6_addr operator|(const ipv6_addr& a, const ipv6_addr& b) {
    return {a.hi | b.hi, a.lo | b.lo};
}
inline ipv6_addr operator~(const ipv6_addr& a) {
    return {~a.hi, ~a.lo};
}

// A prefix: `base` with no bits set past `len` (0..128); a single address is a /128.
struct ipv6_prefix {
    ipv6_addr base;
    unsigned len = 128;
    ipv6_addr last() const { return base | ~ipv6_mask(len); }
    bool contains(const ipv6_addr& a) const { return (a & ipv6_mask(len)) == base; }
    bool operator==(const ipv6_prefix&) const = default;
};

// "ADDR" (a /128) or "ADDR/LEN"; nullopt when the text is neither, LEN is over 128, or host bits
// are set (a mistyped prefix is refused, never silently widened: as for IPv4).
std::optional<ipv6_prefix> parse_ipv6_prefix(std::string_view text);
std::string format_ipv6_prefix(const ipv6_prefix& p);

}  // namespace ics
