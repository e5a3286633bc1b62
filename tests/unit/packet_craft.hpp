// Crafting replies in tests the way hosts and routers build them: an Echo Reply from a probe
// (addresses swapped, type 0, checksums recomputed) and ICMP errors that quote a probe.
#pragma once
#include <cstring>
#include <vector>

#include "net/byte_order.hpp"
#include "net/checksum.hpp"
#include "net/headers.hpp"
#include "net/ipv4_address.hpp"
#include "probe/probe_setup.hpp"
#include "reply/reply_parser.hpp"

namespace ics::test {

// The scanner's address in tests (198.19.255.1) and a probe set-up around it with a fixed key.
inline const interval_set& test_sources() {
    static const interval_set sources({{0xc613ff01, 0xc613ff01}});
    return sources;
}
inline probe_setup test_probe_setup() {
    probe_setup s;
    s.src_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    s.dst_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
    s.sources = &test_sources();
    s.ttl = 255;
    s.key = {0x1111111111111111ull, 0x2222222222222222ull};
    return s;
}

inline void fix_ip_checksum(uint8_t* ip) {
    size_t ihl = size_t(ip[0] & 0x0f) * 4;
    store_be16(ip + ip_off::checksum, 0);
    store_be16(ip + ip_off::checksum, checksum_finish(checksum_add(0, ip, ihl)));
}

inline void fix_icmp_checksum(uint8_t* icmp, size_t len) {
    store_be16(icmp + icmp_off::checksum, 0);
    store_be16(icmp + icmp_off::checksum, checksum_finish(checksum_add(0, icmp, len)));
}

// Turns the Echo Request in `f` (a full Ethernet frame) into the responder's Echo Reply, in place.
inline void make_echo_reply(uint8_t* f, uint16_t ipid = 0x1234, uint8_t ttl = 64) {
    uint8_t tmp[6];
    std::memcpy(tmp, f, 6);
    std::memcpy(f, f + 6, 6);
    std::memcpy(f + 6, tmp, 6);
    uint8_t* ip = f + eth_header_len;
    uint32_t src = load_be32(ip + ip_off::src), dst = load_be32(ip + ip_off::dst);
    store_be32(ip + ip_off::src, dst);
    store_be32(ip + ip_off::dst, src);
    store_be16(ip + ip_off::id, ipid);
    ip[ip_off::ttl] = ttl;
    fix_ip_checksum(ip);
    uint8_t* icmp = ip + ipv4_min_header_len;
    icmp[icmp_off::type] = icmp_type::echo_reply;
    fix_icmp_checksum(icmp, load_be16(ip + ip_off::total_len) - ipv4_min_header_len);
}

// The responder's Echo Reply to `probe` (a full Ethernet frame).
inline std::vector<uint8_t> echo_reply_to(const std::vector<uint8_t>& probe, uint16_t ipid = 0x1234,
                                          uint8_t ttl = 64) {
    std::vector<uint8_t> r = probe;
    make_echo_reply(r.data(), ipid, ttl);
    return r;
}

// A router's ICMP error (type/code) about `probe`, quoting `quote_len` bytes of its IP packet
// (28 = RFC 792's minimum; Linux quotes as much as fits), with the quoted TTL as it arrived.
inline std::vector<uint8_t> icmp_error_about(const std::vector<uint8_t>& probe, uint8_t type, uint8_t code,
                                             ipv4_addr router, size_t quote_len, uint8_t quoted_ttl = 1) {
    const uint8_t* pip = probe.data() + eth_header_len;
    size_t probe_ip_len = probe.size() - eth_header_len;
    if (quote_len > probe_ip_len) quote_len = probe_ip_len;
    std::vector<uint8_t> r(eth_header_len + ipv4_min_header_len + icmp_header_len + quote_len);
    uint8_t* f = r.data();
    for (size_t i = 0; i < 6; ++i) {  // (memcpy here trips a false -Warray-bounds in GCC 12 at -O3)
        f[i] = probe[6 + i];
        f[6 + i] = probe[i];
    }
    store_be16(f + 12, ethertype_ipv4);
    uint8_t* ip = f + eth_header_len;
    ip[0] = 0x45;
    store_be16(ip + ip_off::total_len, uint16_t(r.size() - eth_header_len));
    store_be16(ip + ip_off::id, 0x4321);
    ip[ip_off::ttl] = 63;
    ip[ip_off::proto] = ip_proto_icmp;
    store_be32(ip + ip_off::src, router);
    std::memcpy(ip + ip_off::dst, pip + ip_off::src, 4);
    fix_ip_checksum(ip);
    uint8_t* icmp = ip + ipv4_min_header_len;
    icmp[0] = type;
    icmp[1] = code;
    uint8_t* quote = icmp + icmp_header_len;
    std::memcpy(quote, pip, quote_len);
    if (quote_len >= ipv4_min_header_len) {
        quote[ip_off::ttl] = quoted_ttl;
        fix_ip_checksum(quote);  // the router's view of the header it dropped
    }
    fix_icmp_checksum(icmp, icmp_header_len + quote_len);
    return r;
}

// An ICMP error like icmp_error_about(), with an RFC 4884 extension structure holding one MPLS
// label stack object (RFC 4950). `compliant`: the quote is padded to 128 bytes and its length
// announced in ICMP byte 5; otherwise the length byte is 0 (pre-RFC 4884 senders, which still pad
// to 128 bytes). `ext_checksum`: fill the extension checksum (0 means "none", also valid).
inline std::vector<uint8_t> icmp_error_with_mpls(const std::vector<uint8_t>& probe, uint8_t type,
                                                 ipv4_addr router, const std::vector<uint32_t>& labels,
                                                 bool compliant, bool ext_checksum = true,
                                                 uint8_t quoted_ttl = 1) {
    std::vector<uint8_t> r = icmp_error_about(probe, type, 0, router, 1500, quoted_ttl);
    const size_t icmp_at = eth_header_len + ipv4_min_header_len;
    r.resize(icmp_at + icmp_header_len + 128, 0);  // quote padded with zeros to 128 bytes
    std::vector<uint8_t> ext(4 + 4 + 4 * labels.size(), 0);
    ext[0] = 0x20;  // version 2
    store_be16(ext.data() + 4, uint16_t(4 + 4 * labels.size()));
    ext[6] = 1;  // class MPLS label stack
    ext[7] = 1;  // c-type incoming stack
    for (size_t i = 0; i < labels.size(); ++i) store_be32(ext.data() + 8 + 4 * i, labels[i]);
    if (ext_checksum) store_be16(ext.data() + 2, checksum_finish(checksum_add(0, ext.data(), ext.size())));
    r.insert(r.end(), ext.begin(), ext.end());
    uint8_t* ip = r.data() + eth_header_len;
    store_be16(ip + ip_off::total_len, uint16_t(r.size() - eth_header_len));
    fix_ip_checksum(ip);
    uint8_t* icmp = r.data() + icmp_at;
    icmp[5] = compliant ? 128 / 4 : 0;
    fix_icmp_checksum(icmp, r.size() - icmp_at);
    return r;
}

// What an RX lcore does with one frame: parse it, then let the probe type validate it. The frame
// arrived within `at`; a bare time is a window of no width (the RTT is exact).
template <typename Probe>
bool decode(const Probe& p, const std::vector<uint8_t>& frame, arrival_us at, result_record& rec,
            counter& why) {
    parsed_reply r;
    return parse_reply(frame.data(), frame.size(), r, why) && p.decode(r, at, rec, why);
}
template <typename Probe>
bool decode(const Probe& p, const std::vector<uint8_t>& frame, uint32_t rx_us, result_record& rec,
            counter& why) {
    return decode(p, frame, arrival_us{rx_us, rx_us}, rec, why);
}

// An MPLS label stack entry.
inline uint32_t mpls_entry(uint32_t label, uint8_t tc, bool bottom, uint8_t ttl) {
    return label << 12 | uint32_t(tc & 7) << 9 | uint32_t(bottom) << 8 | ttl;
}

}  // namespace ics::test
