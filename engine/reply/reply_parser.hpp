// Parsing a received Ethernet frame into the fields that can answer a probe: the outer IPv4 and
// ICMP headers and, for ICMP errors, the quoted probe (its IP header and first 8 ICMP bytes, all
// that RFC 792 guarantees). Pure function over bytes: no allocation, no state. Which probe a
// reply answers is decided after it: reply/echo_match.hpp finds the Echo Request in the reply or
// its quote, and the probe type checks its cookie.
#pragma once
#include <cstddef>
#include <cstdint>

#include "net/byte_order.hpp"
#include "net/checksum.hpp"
#include "net/headers.hpp"
#include "pace/arrival_window.hpp"
#include "reply/icmp_extensions.hpp"
#include "reply/result_record.hpp"
#include "stats/counters.hpp"

namespace ics {

// The fields are read from the frame when asked, not copied by the parser: a decoder that loads a
// field the parser has just stored waits on that store, and the wait put every reply's cookie
// (AES) latency on the critical path (measured: 24 against 13 ns a reply). Valid while the frame is.

// An ICMP error's quote: the quoted IPv4 header and the first 8 bytes after it.
struct quoted_probe {
    const uint8_t* ip = nullptr;
    const uint8_t* icmp = nullptr;
    ipv4_addr saddr() const { return load_be32(ip + ip_off::src); }
    ipv4_addr daddr() const { return load_be32(ip + ip_off::dst); }
    uint16_t ipid() const { return load_be16(ip + ip_off::id); }
    uint8_t ttl() const { return ip[ip_off::ttl]; }
    uint8_t protocol() const { return ip[ip_off::proto]; }
    uint16_t total_len() const { return load_be16(ip + ip_off::total_len); }  // as the router received it
    uint8_t type() const { return icmp[icmp_off::type]; }
    uint8_t code() const { return icmp[icmp_off::code]; }
    uint16_t checksum() const { return load_be16(icmp + icmp_off::checksum); }
    uint16_t id() const { return load_be16(icmp + icmp_off::id); }
    uint16_t seq() const { return load_be16(icmp + icmp_off::seq); }
};

struct parsed_reply {
    ipv4_addr saddr, daddr;
    uint16_t ipid;
    uint8_t ttl;
    uint8_t type, code;
    const uint8_t* icmp;     // the ICMP header
    const uint8_t* payload;  // ICMP bytes after the 8-byte header
    uint16_t payload_len;
    bool has_quote;  // set for ICMP errors whose quote was parsed
    quoted_probe quote;
    icmp_extensions ext;  // errors: RFC 4884 objects after the quote

    uint16_t id() const { return load_be16(icmp + icmp_off::id); }  // bytes 4..7 of the ICMP header
    uint16_t seq() const { return load_be16(icmp + icmp_off::seq); }
};

// The frame kinds the RX loop distinguishes before parsing.
enum class frame_kind { ipv4, ipv6, arp, other };

inline frame_kind classify_frame(const uint8_t* frame, size_t len) {
    if (len < eth_header_len) return frame_kind::other;
    uint16_t et = load_be16(frame + 12);
    if (et == ethertype_ipv4) return frame_kind::ipv4;
    if (et == ethertype_ipv6) return frame_kind::ipv6;
    if (et == ethertype_arp) return frame_kind::arp;
    return frame_kind::other;
}

inline bool is_icmp_error(uint8_t type) {
    return type == icmp_type::dest_unreach || type == icmp_type::time_exceeded ||
           type == icmp_type::param_problem || type == icmp_type::redirect ||
           type == icmp_type::source_quench;
}

// Parses an IPv4/ICMP frame. Returns true with `out` filled, or false with `why` set to the drop
// counter that explains it.
inline bool parse_reply(const uint8_t* frame, size_t len, parsed_reply& out, counter& why) {
    if (len < eth_header_len + ipv4_min_header_len) return why = counter::rx_truncated, false;
    if (load_be16(frame + 12) != ethertype_ipv4) return why = counter::rx_not_ipv4, false;
    const uint8_t* ip = frame + eth_header_len;
    const size_t ip_avail = len - eth_header_len;
    const size_t ihl = size_t(ip[ip_off::ver_ihl] & 0x0f) * 4;
    const size_t total = load_be16(ip + ip_off::total_len);
    if ((ip[ip_off::ver_ihl] >> 4) != 4 || ihl < ipv4_min_header_len || total < ihl)
        return why = counter::rx_bad_ip_header, false;
    if (ip_avail < total || ip_avail < ihl) return why = counter::rx_truncated, false;
    if (!checksum_verifies(ip, ihl)) return why = counter::rx_ip_checksum, false;
    if (load_be16(ip + ip_off::frag) & 0x3fff) return why = counter::rx_fragment, false;
    if (ip[ip_off::proto] != ip_proto_icmp) return why = counter::rx_not_icmp, false;
    const uint8_t* icmp = ip + ihl;
    const size_t icmp_len = total - ihl;
    if (icmp_len < icmp_header_len) return why = counter::rx_truncated, false;

    out.saddr = load_be32(ip + ip_off::src);
    out.daddr = load_be32(ip + ip_off::dst);
    out.ipid = load_be16(ip + ip_off::id);
    out.ttl = ip[ip_off::ttl];
    out.type = icmp[icmp_off::type];
    out.code = icmp[icmp_off::code];
    out.icmp = icmp;
    out.payload = icmp + icmp_header_len;
    out.payload_len = uint16_t(icmp_len - icmp_header_len);
    out.has_quote = false;
    out.quote = {};

    if (out.type == icmp_type::echo_reply) return true;
    if (!is_icmp_error(out.type)) return why = counter::rx_icmp_ignored, false;

    // The quote: an IPv4 header (with options, if any) and at least 8 bytes of what followed it.
    const uint8_t* q = out.payload;
    const size_t qlen = out.payload_len;
    if (qlen < icmp_min_quote_len || (q[0] >> 4) != 4) return why = counter::rx_quote_invalid, false;
    const size_t qihl = size_t(q[0] & 0x0f) * 4;
    if (qihl < ipv4_min_header_len || qlen < qihl + icmp_header_len)
        return why = counter::rx_quote_invalid, false;
    out.quote = {q, q + qihl};
    out.has_quote = true;
    // Extensions follow a quote of at least 128 bytes, or the length byte announces them.
    out.ext = icmp[5] != 0 || qlen >= 132 ? parse_icmp_extensions(icmp, icmp_len) : icmp_extensions{};
    return true;
}

// What an error adds to a record beyond its sender: the quoted length and the RFC 4884/4950 objects.
inline void copy_error_details(const parsed_reply& r, result_record& rec) {
    rec.flags = r.ext.present ? record_flag::extensions : 0;
    rec.quote_ip_len = r.has_quote ? r.quote.total_len() : 0;
    rec.mpls = r.ext.mpls;
    rec.mpls_count = r.ext.mpls_count;
    rec.mpls_object_len = uint8_t(r.ext.mpls_object_len < 256 ? r.ext.mpls_object_len : 255);
}

// The RTT and its error bound; after copy_error_details, which sets the flags.
template <typename Record>  // result_record or result_record6
inline void set_rtt(Record& rec, const rtt_estimate& e) {
    rec.rtt_us = e.rtt_us;
    rec.rtt_err_us = e.err_us;
    if (e.clock_disagrees) rec.flags |= record_flag::clock_disagrees;
}

inline classification classify_icmp(uint8_t type) {
    switch (type) {
        case icmp_type::echo_reply:
            return classification::echoreply;
        case icmp_type::dest_unreach:
            return classification::unreach;
        case icmp_type::time_exceeded:
            return classification::timxceed;
        case icmp_type::redirect:
            return classification::redirect;
        case icmp_type::source_quench:
            return classification::sourcequench;
        default:
            return classification::other;
    }
}

}  // namespace ics
