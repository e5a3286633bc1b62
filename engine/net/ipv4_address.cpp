// Strict IPv4 parsing: four decimal octets, no leading '+', no empty parts, no octal surprises
// (a leading zero is accepted as decimal, as inet_pton rejects it but users type it).
#include "net/ipv4_address.hpp"

namespace ics {

std::optional<ipv4_addr> parse_ipv4(std::string_view text) {
    uint32_t addr = 0;
    unsigned parts = 0;
    size_t i = 0;
    while (parts < 4) {
        if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
        unsigned v = 0, digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            v = v * 10 + unsigned(text[i] - '0');
            if (++digits > 3 || v > 255) return std::nullopt;
            ++i;
        }
        addr = (addr << 8) | v;
        ++parts;
        if (parts < 4) {
            if (i >= text.size() || text[i] != '.') return std::nullopt;
            ++i;
        }
    }
    if (i != text.size()) return std::nullopt;
    return addr;
}

size_t format_ipv4_to(ipv4_addr addr, char* out) {
    char* p = out;
    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned v = (addr >> shift) & 0xff;
        if (v >= 100) *p++ = char('0' + v / 100);
        if (v >= 10) *p++ = char('0' + (v / 10) % 10);
        *p++ = char('0' + v % 10);
        if (shift) *p++ = '.';
    }
    return size_t(p - out);
}

std::string format_ipv4(ipv4_addr addr) {
    char buf[16];
    return std::string(buf, format_ipv4_to(addr, buf));
}

}  // namespace ics
