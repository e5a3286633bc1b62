// The IPv6 record an RX lcore hands to the output lcore (the IPv4 one: reply/result_record.hpp).
// The same members under the same names, so that the output code is one template over the record
// type, with 128-bit addresses, the error's word (Packet Too Big's MTU, Parameter Problem's
// pointer) and no IP ID (IPv6 has none). Two cache lines, by value through the rte_rings.
#pragma once
#include <array>
#include <cstdint>

#include "net/ipv6_address.hpp"
#include "reply/result_record.hpp"

namespace ics {

struct alignas(64) result_record6 {
    ipv6_addr saddr;        // who sent the reply
    ipv6_addr daddr;        // the reply's destination (one of our sources)
    ipv6_addr probe_daddr;  // the target the probe was sent to (from the echo or the quote)
    uint64_t rx_tsc;        // receive timestamp (TSC), turned into wall time by the output lcore
    uint32_t rtt_us;        // estimated arrival minus the send stamp (pace/arrival_window.hpp)
    uint32_t rtt_err_us;    // the true RTT is within rtt_us +- this
    uint32_t error_word;    // errors: bytes 4-7 (Packet Too Big: the MTU; Parameter Problem: the pointer)
    uint16_t icmp_id;       // echo reply: its id; error: the quoted probe's id
    uint16_t seq;           // echo reply: its seq; error: the quoted probe's seq
    uint16_t round;         // probe round (-P) the reply answers
    uint16_t quote_ip_len;  // errors: the quoted probe's IPv6 header plus payload length (0 otherwise)
    uint8_t ttl;            // the reply's hop limit
    uint8_t type;           // the reply's ICMPv6 type
    uint8_t code;           // the reply's ICMPv6 code
    uint8_t probe_ttl;      // the hop limit the probe was sent with
    uint8_t quoted_ttl;     // errors: hop limit left in the quoted probe (0 for echo replies)
    classification cls;
    uint8_t success;               // 1 when the probe type counts this reply as the target answering
    uint8_t flags;                 // record_flag bits
    std::array<uint32_t, 3> mpls;  // errors with RFC 4950 objects: label stack entries, top first
    uint8_t mpls_count;
    uint8_t mpls_object_len;  // the MPLS object's length field (0: none)
};
static_assert(sizeof(result_record6) == 128, "records cross rte_rings by value: two cache lines each");

// Packet Too Big's MTU, 0 for every other reply.
inline uint32_t mtu_of(const result_record6& r) {
    return r.type == 2 ? r.error_word : 0;
}

}  // namespace ics
