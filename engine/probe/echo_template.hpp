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
#include "probe/cookie_mac.hpp"
#include "probe/probe_setup.hpp"

namespace ics {

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

// out[i] = mac(w0[i], w1[i]) for i < n.
inline void compute_macs(const cookie_mac& mac, const uint64_t* w0, const uint64_t* w1, uint32_t* out,
                         unsigned n) {
    // GCC (at -O2 with sanitizers) cannot see that burst() reads only the n entries written.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
    mac.burst(w0, w1, out, n);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
}

}  // namespace ics
