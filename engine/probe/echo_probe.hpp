// The ICMP Echo probe (scan mode). Contract, as for every probe type (ZMap's probe-module shape):
//   - the constructor prepares a complete frame template once;
//   - build_burst() computes the burst's cookies together, then per probe copies the template and
//     writes only what changes (addresses, IP ID, ICMP id/seq/checksum, payload), checksums from
//     precomputed partial sums;
//   - decode() checks the keyed cookie of the request that reply/echo_match.hpp found and fills a
//     result_record, or names the counter that explains why the reply is dropped. No state per
//     probe, ever.
//
// Bit layout. Only the quoted IP header and the first 8 ICMP bytes come back in an ICMP error,
// so the stamp S (the probe's round and send time) and the cookie live there; an Echo Reply does
// not return our IP header, so S is repeated in the payload, which comes back whole.
//
//   S = round mod 2^8 (8) | send_us mod 2^24 (24)
//       31            24    23                  0
//
//   IP header:  Identification = S[31:16]
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   Type = 8    |   Code = 0    |   Checksum = S[15:0]          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   Identifier = mac[31:16]     |    Sequence = mac[15:0]       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                            S[31:0]                            |  payload
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   checksum fixup              |             0                 |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   send_us = microseconds since the scan epoch (RTT: pace/arrival_window.hpp, mod 2^24: right
//             for replies within 15.7 s)
//   round   = the probe's round (-P), mod 2^8: the record's `round`
//   mac     = cookie_mac_key(source << 32 | target, S << 32 | probe TTL << 8 | 1), 32 bits
//             (AES-128 with AES-NI, SipHash-1-3 without: probe/cookie_mac.hpp)
//   The checksum field is chosen (it carries S[15:0]); the fixup word makes the ICMP checksum
//   verify. A reply validates only if every covered bit is as sent.
#pragma once
#include <array>
#include <cstring>
#include <string_view>

#include "net/checksum.hpp"
#include "net/headers.hpp"
#include "pace/arrival_window.hpp"
#include "probe/cookie_mac.hpp"
#include "probe/echo_template.hpp"
#include "probe/probe_batch.hpp"
#include "probe/probe_setup.hpp"
#include "reply/echo_match.hpp"
#include "reply/result_record.hpp"

namespace ics {

class echo_probe {
public:
    static constexpr std::string_view name = "icmp_echo";
    static constexpr size_t payload_len = 8;
    static constexpr size_t ip_len = ipv4_min_header_len + icmp_header_len + payload_len;
    static constexpr size_t frame_len = eth_header_len + ip_len;  // 50; the NIC pads to 60
    static constexpr uint8_t cookie_tag = 1;

    explicit echo_probe(const probe_setup& setup)
        : mac_(setup.key), sources_(setup.sources), ttl_(setup.ttl) {
        ip_partial_ = write_echo_template(frame_.data(), setup, ip_len, ttl_);
    }

    uint8_t ttl() const { return ttl_; }

    static constexpr unsigned max_burst = cookie_mac::max_burst;
    static_assert(probe_batch::max <= max_burst);
    // The stamp S of a probe of `round` sent at `send_us` (the drawing above).
    static constexpr uint32_t stamp(uint32_t round, uint32_t send_us) {
        return (round & 0xff) << 24 | (send_us & 0xffffff);
    }
    static constexpr uint64_t mac_word0(ipv4_addr src, ipv4_addr dst) { return uint64_t(src) << 32 | dst; }
    static constexpr uint64_t mac_word1(uint32_t s, uint8_t ttl) {
        return uint64_t(s) << 32 | uint32_t(ttl) << 8 | cookie_tag;
    }
    uint32_t mac(ipv4_addr src, ipv4_addr dst, uint32_t s) const {
        return mac_(mac_word0(src, dst), mac_word1(s, ttl_));
    }

    // Writes b.count complete probes, frame_len bytes each, to frames[i], from src[i] to b.dst[i],
    // all of round b.round and sent at send_us.
    void build_burst(uint8_t* const* frames, const ipv4_addr* src, const probe_batch& b,
                     uint32_t send_us) const {
        const uint32_t s = stamp(b.round, send_us);
        const unsigned n = b.count;
        uint64_t w0[max_burst], w1[max_burst];
        uint32_t macs[max_burst];
        for (unsigned i = 0; i < n; ++i) {
            w0[i] = mac_word0(src[i], b.dst[i]);
            w1[i] = mac_word1(s, ttl_);
        }
        compute_macs(mac_, w0, w1, macs, n);
        // Everything the burst shares, in locals: stores into frames (bytes) may alias this
        // object's members, which the compiler would otherwise reload for every probe.
        const burst_words words = burst(s);
        for (unsigned i = 0; i < n; ++i) write(frames[i], words, src[i], b.dst[i], macs[i]);
    }

    // One probe (tests, tools): a burst of one.
    void build(uint8_t* frame, ipv4_addr src, ipv4_addr dst, uint32_t send_us, uint32_t round = 0) const {
        probe_batch b;
        b.dst[0] = dst;
        b.round = round;
        b.count = 1;
        build_burst(&frame, &src, b, send_us);
    }

    // Validates a parsed reply; fills `rec` and returns true, or sets `why` and returns false.
    bool decode(const parsed_reply& r, arrival_us at, result_record& rec, counter& why) const {
        echo_request_seen m;
        if (!match_echo_request(r, *sources_, payload_len, m, why)) return false;
        const uint32_t s = uint32_t(m.hi) << 16 | m.lo;
        if ((uint32_t(m.id) << 16 | m.seq) != mac(m.src, m.target, s))
            return why = counter::rx_cookie_invalid, false;
        fill_echo_record(r, m, rec);
        rec.probe_ttl = ttl_;
        rec.round = uint16_t(s >> 24);
        set_rtt(rec, estimate_rtt<24>(s & 0xffffff, at));
        return true;
    }

private:
    // One probe: the template, then what changes. (Stamping the send time into a per-burst copy of
    // the template measured slower: the copy's narrow stores stall the wide loads that follow.)
    struct burst_words {
        frame_prefix prefix;
        uint64_t ip_word, icmp_word, payload_word;  // checksum and MAC left 0
        uint32_t ip_sum, icmp_sum;                  // without the addresses and the MAC
    };
    burst_words burst(uint32_t s) const {
        const uint16_t ts_hi = uint16_t(s >> 16), ts_lo = uint16_t(s);
        return {frame_prefix::of(frame_.data()),
                ip_id_word(ts_hi, ttl_),
                uint64_t(uint32_t(icmp_type::echo_request) << 24 | ts_lo) << 32,
                uint64_t(s) << 32,
                ip_partial_ + ts_hi,
                (uint32_t(icmp_type::echo_request) << 8) + ts_lo + ts_hi + ts_lo};
    }

    // ICMP: type, code, checksum field = S[15:0], id|seq = mac; payload: S, fixup, 0. The fixup
    // makes the sum of all ICMP words (checksum field included) equal 0xffff.
    static void write(uint8_t* frame, const burst_words& b, ipv4_addr src, ipv4_addr dst, uint32_t m) {
        b.prefix.write(frame);
        uint8_t* ip = frame + eth_header_len;
        const uint32_t ip_sum = b.ip_sum + (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
        write_ip_tail(ip, b.ip_word, checksum_finish(ip_sum), src, dst);
        uint8_t* icmp = ip + ipv4_min_header_len;
        const uint16_t fixup = uint16_t(~checksum_fold(b.icmp_sum + (m >> 16) + (m & 0xffff)));
        store_be64(icmp, b.icmp_word | m);
        store_be64(icmp + icmp_off::payload, b.payload_word | uint32_t(fixup) << 16);
    }
    std::array<uint8_t, frame_len> frame_{};
    uint32_t ip_partial_ = 0;
    cookie_mac mac_;
    const interval_set* sources_;
    uint8_t ttl_;
};

}  // namespace ics
