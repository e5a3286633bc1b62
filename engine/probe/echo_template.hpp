// What the echo and trace probes share: the frame template (Ethernet, an IPv4 header with DF and
// no options, an ICMP Echo Request type byte) and the burst of cookies. Cold code, run once per
// probe type instance, and a thin wrapper on the cookie burst.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "net/byte_order.hpp"
#include "net/checksum.hpp"
#include "net/headers.hpp"
#include "net/ipv4_address.hpp"
#include "probe/cookie_mac.hpp"
#include "probe/probe_setup.hpp"

namespace ics {

// The bytes of every probe frame that never change: Ethernet, and the IP version, TOS and total
// length. A probe copies these and writes the rest (from the IP ID on) with a few wide stores;
// store throughput, not arithmetic, bounds the build.
inline constexpr size_t echo_constant_prefix = eth_header_len + ip_off::id;

// The constant prefix of a template, held by value so that a burst keeps it in registers (stores
// into frames are byte stores, which may alias the template itself).
struct frame_prefix {
    uint64_t w0, w1;
    uint16_t w2;
    static frame_prefix of(const uint8_t* frame) {
        frame_prefix p;
        std::memcpy(&p.w0, frame, 8);
        std::memcpy(&p.w1, frame + 8, 8);
        std::memcpy(&p.w2, frame + 16, 2);
        return p;
    }
    void write(uint8_t* frame) const {
        std::memcpy(frame, &w0, 8);
        std::memcpy(frame + 8, &w1, 8);
        std::memcpy(frame + 16, &w2, 2);
    }
};
static_assert(echo_constant_prefix == 18);

// The IP header's bytes 4-11 as one big-endian word, checksum 0: ID, DF, TTL, protocol ICMP.
inline constexpr uint64_t ip_id_word(uint16_t ipid, uint8_t ttl) {
    return uint64_t(ipid) << 48 | uint64_t(0x4000) << 32 | uint32_t(ttl) << 24 |
           uint32_t(ip_proto_icmp) << 16;
}

// The IP header from the ID on: ip_id_word() with the checksum, then the addresses; two stores.
inline void write_ip_tail(uint8_t* ip, uint64_t id_word, uint16_t checksum, ipv4_addr src, ipv4_addr dst) {
    static_assert(ip_off::frag == ip_off::id + 2 && ip_off::ttl == ip_off::id + 4 &&
                  ip_off::proto == ip_off::id + 5 && ip_off::checksum == ip_off::id + 6 &&
                  ip_off::src == ip_off::id + 8 && ip_off::dst == ip_off::src + 4);
    store_be64(ip + ip_off::id, id_word | checksum);
    store_be64(ip + ip_off::src, uint64_t(src) << 32 | dst);
}

// Writes the template of an ICMP Echo Request of `ip_len` bytes with IP TTL `ttl` (0: set per
// probe) into `frame`; returns the partial sum of the IP header words that never change (the IP
// ID, addresses and checksum are left 0 for the probe to fill).
inline uint32_t write_echo_template(uint8_t* frame, const probe_setup& setup, size_t ip_len, uint8_t ttl) {
    std::memcpy(frame, setup.dst_mac.data(), 6);
    std::memcpy(frame + 6, setup.src_mac.data(), 6);
    store_be16(frame + 12, ethertype_ipv4);
    uint8_t* ip = frame + eth_header_len;
    ip[ip_off::ver_ihl] = 0x45;
    ip[ip_off::tos] = 0;
    store_be16(ip + ip_off::total_len, uint16_t(ip_len));
    store_be16(ip + ip_off::frag, 0x4000);  // DF
    ip[ip_off::ttl] = ttl;
    ip[ip_off::proto] = ip_proto_icmp;
    const uint32_t partial = checksum_add(0, ip, ipv4_min_header_len);
    ip[ipv4_min_header_len + icmp_off::type] = icmp_type::echo_request;
    return partial;
}

// out[i] = mac(w0[i], w1[i]) for i < n; with `lanes`, out[4i..4i+3] = the four lanes of (w0[i], w1[i]).
inline void compute_macs(const cookie_mac& mac, const uint64_t* w0, const uint64_t* w1, uint32_t* out,
                         unsigned n, bool lanes = false) {
    // GCC (at -O2 with sanitizers) cannot see that burst() reads only the n entries written.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
    if (lanes)
        mac.lanes_burst(w0, w1, out, n);
    else
        mac.burst(w0, w1, out, n);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
}

}  // namespace ics
