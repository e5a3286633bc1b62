// The fixed-size record an RX lcore hands to the output lcore through an rte_ring, by value.
// It holds everything any output field needs, so the output lcore never looks at a packet.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

#include "net/ipv4_address.hpp"

namespace ics {

// ICMP's (and ICMPv6's: toobig and paramprob) kinds of reply; `other` stays last.
enum class classification : uint8_t {
    echoreply,
    unreach,
    timxceed,
    redirect,
    sourcequench,
    toobig,
    paramprob,
    other
};

inline std::string_view classification_name(classification c) {
    switch (c) {
        case classification::echoreply:
            return "echoreply";
        case classification::unreach:
            return "unreach";
        case classification::timxceed:
            return "timxceed";
        case classification::redirect:
            return "redirect";
        case classification::sourcequench:
            return "sourcequench";
        case classification::toobig:
            return "toobig";
        case classification::paramprob:
            return "paramprob";
        default:
            return "other";
    }
}

namespace record_flag {
inline constexpr uint8_t extensions = 1;       // the error carried RFC 4884 extension objects
inline constexpr uint8_t dst_rewritten = 2;    // trace: the quote's destination is not the probe's
inline constexpr uint8_t clock_disagrees = 4;  // came before its send stamp: TX, RX clocks differ
}  // namespace record_flag

struct result_record {
    ipv4_addr saddr;        // who sent the reply
    ipv4_addr daddr;        // the reply's destination (one of our sources)
    ipv4_addr probe_daddr;  // the target the probe was sent to (from the echo or the quote)
    uint32_t rtt_us;        // estimated arrival minus the send stamp (pace/arrival_window.hpp)
    uint64_t rx_tsc;        // receive timestamp (TSC), turned into wall time by the output lcore
    uint16_t ipid;          // the reply's IP ID
    uint16_t icmp_id;       // echo reply: its id; error: the quoted probe's id
    uint16_t seq;           // echo reply: its seq; error: the quoted probe's seq
    uint8_t ttl;            // the reply's IP TTL
    uint8_t type;           // the reply's ICMP type
    uint8_t code;           // the reply's ICMP code
    uint8_t probe_ttl;      // the TTL the probe was sent with
    uint8_t quoted_ttl;     // errors: TTL left in the quoted probe (0 for echo replies)
    classification cls;
    uint16_t round;                // probe round (-P) the reply answers, where the probe carries it
    uint8_t success;               // 1 when the probe type counts this reply as the target answering
    uint8_t flags;                 // record_flag bits
    uint32_t rtt_err_us;           // the true RTT is within rtt_us +- this
    std::array<uint32_t, 3> mpls;  // errors with RFC 4950 objects: label stack entries, top first
    uint8_t mpls_count;
    uint8_t mpls_object_len;  // the MPLS object's length field (0: none)
    uint16_t quote_ip_len;    // errors: the quoted probe's IP total length (0 otherwise)
};
static_assert(sizeof(result_record) == 64, "records cross rte_rings by value: one cache line each");
static_assert(sizeof(result_record) % 4 == 0, "rte_ring element size must be a multiple of 4");

}  // namespace ics
