// The IPv4 decoder every probe of the Echo family shares (echo_probe in scan mode, trace_probe in
// trace mode, and next the monitor's): which Echo Request a reply answers, read from the reply
// itself (an Echo Reply returns our identifier, sequence and payload) or from an ICMP error's
// quote (our IP header and first 8 ICMP bytes, all RFC 792 guarantees), and the record fields that
// do not depend on how a probe type lays out its cookie. A probe type then checks its cookie in
// the four 16-bit words this hands it and adds what the cookie carried (TTL, round, send time).
// An ICMPv6 sibling of this file is where IPv6 plugs in (docs/design.md, "Adding an address family").
#pragma once
#include <cstddef>
#include <cstdint>

#include "reply/reply_parser.hpp"
#include "reply/result_record.hpp"
#include "stats/counters.hpp"
#include "targets/interval_set.hpp"

namespace ics {

// The Echo Request a reply answers, as far as the reply shows it.
struct echo_request_seen {
    ipv4_addr src = 0, target = 0;  // the probe's source (one of ours) and destination
    uint16_t id = 0, seq = 0;       // the probe's ICMP identifier and sequence number
    // The two words a probe type may choose beyond id and seq, wherever the reply returns them:
    // Echo Reply: payload bytes 0-1 and 2-3; error: the quoted IP ID and ICMP checksum.
    uint16_t hi = 0, lo = 0;
    uint8_t quoted_ttl = 0;  // errors: the TTL the probe had left (0 for an Echo Reply)
    bool quoted = false;     // read from an error's quote
};

// Finds the Echo Request `r` answers, sent from one of `sources` with at least `payload_len`
// payload bytes; false with `why` set when the reply cannot answer one of our probes.
inline bool match_echo_request(const parsed_reply& r, const interval_set& sources, size_t payload_len,
                               echo_request_seen& m, counter& why) {
    if (!sources.contains(r.daddr)) return why = counter::rx_not_our_address, false;
    if (r.type == icmp_type::echo_reply) {
        if (r.payload_len < payload_len) return why = counter::rx_cookie_invalid, false;
        m = {r.daddr, r.saddr, r.id(), r.seq(), load_be16(r.payload), load_be16(r.payload + 2), 0, false};
        return true;
    }
    const quoted_probe& q = r.quote;
    if (!r.has_quote || q.protocol() != ip_proto_icmp || q.type() != icmp_type::echo_request ||
        q.code() != 0 || q.saddr() != r.daddr)
        return why = counter::rx_quote_invalid, false;
    m = {q.saddr(), q.daddr(), q.id(), q.seq(), q.ipid(), q.checksum(), q.ttl(), true};
    return true;
}

// The record's fields that come from the reply and the matched request; the probe type adds
// probe_ttl, round, the RTT and its own flags.
inline void fill_echo_record(const parsed_reply& r, const echo_request_seen& m, result_record& rec) {
    rec.saddr = r.saddr;
    rec.daddr = r.daddr;
    rec.probe_daddr = m.target;
    rec.ipid = r.ipid;
    rec.icmp_id = m.id;
    rec.seq = m.seq;
    rec.ttl = r.ttl;
    rec.type = r.type;
    rec.code = r.code;
    rec.quoted_ttl = m.quoted_ttl;
    rec.cls = classify_icmp(r.type);
    rec.success = r.type == icmp_type::echo_reply;
    copy_error_details(r, rec);
}

}  // namespace ics
