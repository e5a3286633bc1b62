// RFC 4291 2.2 parsing and RFC 5952 formatting, the latter exactly as glibc's inet_ntop does it
// (tests/unit/ipv6_address_test.cpp compares both with the C library on many addresses).
#include "net/ipv6_address.hpp"

#include "net/ipv4_address.hpp"

namespace ics {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The groups of the text, in order, and where "::" stood (-1: nowhere).
struct group_list {
    uint16_t g[8] = {};
    int count = 0;
    int gap = -1;
};

// One pass over the text, no searches (it runs once a line of a hitlist of millions): groups of 1-4
// hex digits separated by ':', at most one "::", and a dotted IPv4 tail as the last two groups.
std::optional<group_list> split_groups(std::string_view t) {
    group_list l;
    size_t i = 0;
    if (t.size() >= 2 && t[0] == ':' && t[1] == ':') {
        l.gap = 0;
        i = 2;
        if (i == t.size()) return l;
    }
    for (;;) {
        const size_t start = i;
        unsigned v = 0;
        for (int d; i < t.size() && i - start <= 4 && (d = hex_digit(t[i])) >= 0; ++i)
            v = v << 4 | unsigned(d);
        if (i < t.size() && t[i] == '.') {  // a dotted IPv4 tail ends the text
            const auto v4 = parse_ipv4(t.substr(start));
            if (!v4 || l.count > 6) return std::nullopt;
            l.g[l.count++] = uint16_t(*v4 >> 16);
            l.g[l.count++] = uint16_t(*v4);
            return l;
        }
        if (i == start || i - start > 4 || l.count >= 8) return std::nullopt;
        l.g[l.count++] = uint16_t(v);
        if (i == t.size()) return l;
        if (t[i] != ':' || ++i == t.size()) return std::nullopt;  // not a separator, or a trailing ':'
        if (t[i] == ':') {
            if (l.gap >= 0) return std::nullopt;  // a second "::"
            l.gap = l.count;
            if (++i == t.size()) return l;
        }
    }
}

size_t format_hex_group(uint16_t v, char* out) {
    static constexpr char digits[] = "0123456789abcdef";
    size_t n = 0;
    for (int shift = 12; shift >= 0; shift -= 4)
        if ((v >> shift) != 0 || shift == 0) out[n++] = digits[(v >> shift) & 0xf];
    return n;
}

}  // namespace

std::optional<ipv6_addr> parse_ipv6(std::string_view text) {
    const auto l = split_groups(text);
    if (!l) return std::nullopt;
    if (l->gap < 0 ? l->count != 8 : l->count > 7) return std::nullopt;  // "::" stands for 1+ groups
    uint16_t g[8] = {};
    const int head = l->gap < 0 ? l->count : l->gap;
    for (int k = 0; k < head; ++k) g[k] = l->g[k];
    for (int k = head; k < l->count; ++k) g[8 - (l->count - k)] = l->g[k];
    ipv6_addr a;
    for (int k = 0; k < 8; ++k) (k < 4 ? a.hi : a.lo) |= uint64_t(g[k]) << (48 - 16 * (k % 4));
    return a;
}

size_t format_ipv6_to(const ipv6_addr& addr, char* out) {
    // The longest run of two or more zero groups (the first of equals) becomes "::".
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && addr.group(unsigned(j)) == 0) ++j;
        if (j - i > best_len && j - i >= 2) best = i, best_len = j - i;
        i = j == i ? i + 1 : j;
    }
    char* p = out;
    for (int i = 0; i < 8; ++i) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best) *p++ = ':';
            continue;
        }
        if (i != 0) *p++ = ':';
        // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses end dotted.
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && addr.group(5) == 0xffff))) {
            p += format_ipv4_to(uint32_t(addr.lo), p);
            return size_t(p - out);
        }
        p += format_hex_group(addr.group(unsigned(i)), p);
    }
    if (best >= 0 && best + best_len == 8) *p++ = ':';
    return size_t(p - out);
}

std::string format_ipv6(const ipv6_addr& addr) {
    char buf[ipv6_text_max];
    return std::string(buf, format_ipv6_to(addr, buf));
}

std::optional<ipv6_prefix> parse_ipv6_prefix(std::string_view text) {
    const size_t slash = text.find('/');
    const auto addr = parse_ipv6(text.substr(0, slash));
    if (!addr) return std::nullopt;
    if (slash == std::string_view::npos) return ipv6_prefix{*addr, 128};
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    unsigned len = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        len = len * 10 + unsigned(c - '0');
    }
    if (len > 128 || (*addr & ~ipv6_mask(len)) != ipv6_addr{}) return std::nullopt;
    return ipv6_prefix{*addr, len};
}

std::string format_ipv6_prefix(const ipv6_prefix& p) {
    return format_ipv6(p.base) + "/" + std::to_string(p.len);
}

}  // namespace ics
