// The Internet checksum (RFC 1071) as 16-bit big-endian words summed into 32 bits, folded late.
// Probe stamping starts from a template's precomputed partial sum and adds only the words it
// changes, so no per-probe pass over the frame is needed.
#pragma once
#include <cstddef>
#include <cstdint>

#include "net/byte_order.hpp"

namespace ics {

// Adds the bytes [p, p+n) as big-endian 16-bit words to `sum` (an odd last byte is padded with 0).
inline uint32_t checksum_add(uint32_t sum, const uint8_t* p, size_t n) {
    uint64_t s = sum;
    for (; n >= 2; p += 2, n -= 2) s += load_be16(p);
    if (n) s += uint32_t(p[0]) << 8;
    while (s >> 32) s = (s & 0xffffffffu) + (s >> 32);
    return uint32_t(s);
}

// Folds a 32-bit partial sum to 16 bits (end-around carry), not complemented.
inline uint16_t checksum_fold(uint32_t sum) {
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(sum);
}

// The value for a checksum field: the complement of the folded sum.
inline uint16_t checksum_finish(uint32_t sum) {
    return uint16_t(~checksum_fold(sum));
}

// True when a region that includes its own checksum field sums to 0xffff (i.e. it verifies).
inline bool checksum_verifies(const uint8_t* p, size_t n) {
    return checksum_fold(checksum_add(0, p, n)) == 0xffff;
}

// The ICMPv6 checksum of the IPv6 packet at `ip` (a 40-byte header, then ICMPv6 of the payload
// length it gives), over the pseudo-header (RFC 8200 8.1: addresses, upper-layer length, next
// header 58) and the message with its checksum field as it is: with the field 0, the value to
// write there; with the field filled, 0 when it verifies. Cold paths and tests; the echo probe sums
// its few changing words instead.
inline uint16_t icmpv6_checksum(const uint8_t* ip) {
    const size_t len = load_be16(ip + 4);
    uint32_t sum = checksum_add(0, ip + 8, 32);  // source and destination
    sum = checksum_add(sum, ip + 40, len);
    return checksum_finish(sum + uint32_t(len) + 58);
}

// RFC 1624 eqn. 3: the new checksum field after one 16-bit word changed from `old_word` to `new_word`.
inline uint16_t checksum_update16(uint16_t field, uint16_t old_word, uint16_t new_word) {
    uint32_t s = uint16_t(~field);
    s += uint16_t(~old_word);
    s += new_word;
    return uint16_t(~checksum_fold(s));
}

}  // namespace ics
