// One MPLS label stack entry (RFC 3032 section 2.1) as a router quotes it in an ICMP extension
// (RFC 4950): the 32-bit word decoded into its four fields once, here, so that the writers only
// format the values and no caller shifts and masks the word itself.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                Label                  | TC  |S|      TTL      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   TC: traffic class (RFC 5462; "EXP" before it, scamper's mpls_exp). S: bottom of the stack.
#pragma once
#include <cstdint>

namespace ics {

struct mpls_entry_fields {
    uint32_t label = 0;  // 20 bits
    uint8_t tc = 0;      // 3 bits
    uint8_t s = 0;       // 1 bit: 1 on the last entry of the stack
    uint8_t ttl = 0;

    bool operator==(const mpls_entry_fields&) const = default;
};

// `entry` is the entry as a host-order word (load_be32 of the four bytes on the wire).
constexpr mpls_entry_fields decode_mpls_entry(uint32_t entry) {
    return {entry >> 12, uint8_t(entry >> 9 & 7), uint8_t(entry >> 8 & 1), uint8_t(entry & 0xff)};
}

}  // namespace ics
