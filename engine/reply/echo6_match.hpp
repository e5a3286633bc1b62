// The ICMPv6 half of the echo-family decoder (the IPv4 half: reply/echo_match.hpp): which Echo
// Request a reply answers, read from the reply itself (an Echo Reply returns our identifier,
// sequence and data) or from an ICMPv6 error's quote (our whole probe: RFC 4443 2.4 c). A probe
// type then checks its cookie in what this hands it.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "reply/reply6_parser.hpp"
#include "reply/result_record6.hpp"
#include "stats/counters.hpp"
#include "targets/ipv6_range_set.hpp"

namespace ics {

// The Echo Request a reply answers, as far as the reply shows it.
struct echo6_request_seen {
    ipv6_addr src, target;             // the probe's source (one of ours) and destination
    uint16_t id = 0, seq = 0;          // the probe's ICMPv6 identifier and sequence number
    const uint8_t* payload = nullptr;  // the probe's data, at least payload_len bytes of it
    uint8_t quoted_hop_limit = 0;      // errors: the hop limit the probe had left (0: Echo Reply)
    bool quoted = false;               // read from an error's quote
};

// Finds the Echo Request `r` answers, sent from one of `sources` with at least `payload_len` data
// bytes (which must have come back); false with `why` set when it cannot be one of our probes.
inline bool match_echo6_request(const parsed_reply6& r, const ipv6_range_set& sources, size_t payload_len,
                                echo6_request_seen& m, counter& why) {
    const ipv6_addr to = r.daddr();
    if (!sources.contains(to)) return why = counter::rx_not_our_address, false;
    if (r.type == icmp6_type::echo_reply) {
        if (r.payload_len < payload_len) return why = counter::rx_cookie_invalid, false;
        m = {to, r.saddr(), r.id(), r.seq(), r.payload, 0, false};
        return true;
    }
    const quoted_probe6& q = r.quote;
    if (!r.has_quote || q.next_header() != ip_proto_icmpv6 || q.type() != icmp6_type::echo_request ||
        q.code() != 0 || q.icmp_len < icmp_header_len + payload_len || q.saddr() != to)
        return why = counter::rx_quote_invalid, false;
    m = {to, q.daddr(), q.id(), q.seq(), q.icmp + icmp_header_len, q.hop_limit(), true};
    return true;
}

inline classification classify_icmp6(uint8_t type) {
    switch (type) {
        case icmp6_type::echo_reply:
            return classification::echoreply;
        case icmp6_type::dest_unreach:
            return classification::unreach;
        case icmp6_type::packet_too_big:
            return classification::toobig;
        case icmp6_type::time_exceeded:
            return classification::timxceed;
        case icmp6_type::param_problem:
            return classification::paramprob;
        default:
            return classification::other;
    }
}

// What the reply and the request it answers say, into a record (the probe type adds the rest).
inline void fill_echo6_record(const parsed_reply6& r, const echo6_request_seen& m, result_record6& rec) {
    rec.saddr = r.saddr();
    rec.daddr = m.src;
    rec.probe_daddr = m.target;
    rec.icmp_id = m.id;
    rec.seq = m.seq;
    rec.ttl = r.hop_limit;
    rec.type = r.type;
    rec.code = r.code;
    rec.quoted_ttl = m.quoted_hop_limit;
    rec.cls = classify_icmp6(r.type);
    rec.success = r.type == icmp6_type::echo_reply;
    rec.error_word = r.has_quote ? r.error_word() : 0;
    const uint32_t quoted = r.has_quote ? ipv6_header_len + load_be16(r.quote.ip + ip6_off::payload_len) : 0;
    rec.quote_ip_len = uint16_t(std::min<uint32_t>(quoted, UINT16_MAX));  // a jumbo quote's length saturates
    rec.flags = 0;
    rec.mpls = {};
    rec.mpls_count = 0;
    rec.mpls_object_len = 0;
}

}  // namespace ics
