// IPv4 addresses as host-order uint32_t: parsing (strict dotted quad), CIDR and range parsing,
// and fast formatting for the output path.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ics {

using ipv4_addr = uint32_t;  // host byte order

std::optional<ipv4_addr> parse_ipv4(std::string_view text);
std::string format_ipv4(ipv4_addr addr);
// Writes the dotted quad into `out` (at least 15 bytes), returns the length. No allocation.
size_t format_ipv4_to(ipv4_addr addr, char* out);

// An inclusive range of addresses.
struct ipv4_range {
    ipv4_addr first = 0;
    ipv4_addr last = 0;
    uint64_t size() const { return uint64_t(last) - first + 1; }
    bool operator==(const ipv4_range&) const = default;
};

// Prefix length 0..32 to a mask.
inline uint32_t prefix_mask(unsigned len) {
    return len == 0 ? 0 : ~uint32_t(0) << (32 - len);
}

}  // namespace ics
