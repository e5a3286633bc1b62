// The ICMPv6 Echo probe (scan mode over IPv6), under the contract of echo_probe.hpp: a frame
// template prepared once; build_burst() computes the burst's cookies together and writes only what
// changes; check() validates the keyed cookie of the request reply/echo6_match.hpp found. No state
// per probe.
//
// Bit layout. IPv6 has no header field to spare (no IP ID), but an ICMPv6 error quotes the whole
// 70-byte probe (RFC 4443 2.4 c) and an Echo Reply returns identifier, sequence and data, so the
// stamp S and the cookie live in the ICMPv6 message alone and are read the same way from both.
// The checksum is the true one (over the pseudo-header), updated from a per-burst partial sum.
//
//   S = round mod 2^8 (8) | send_us mod 2^24 (24)        (as echo_probe.hpp)
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  Type = 128   |   Code = 0    |   Checksum                    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   Identifier = mac[31:16]     |    Sequence = mac[15:0]       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                            S[31:0]                            |  data
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                               0                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   mac = cookie_mac_key(word0, S << 32 | hop limit << 8 | 6), 32 bits, where
//   word0 = cookie_mac_key64(target) ^ source.lo: the target goes through the keyed PRF whole, so
//         that no other target, however chosen, meets the same word but by chance (2^-64). That
//         PRF depends on the target and the scan's key only: it is computed once a target, into
//         the target list (key_targets), and TX reads it there, computing one MAC a probe as IPv4
//         does; RX computes it again for each reply. The source is one of ours, checked before
//         the cookie, and enters unkeyed: our sources lie in one /64 (sources_supported(), which
//         the set-up checks), so their low halves tell them apart and a reply re-addressed to
//         another of them fails. The tag 6 keeps IPv6 cookies apart from IPv4's (tag 1).
#pragma once
#include <array>
#include <cstring>
#include <string_view>

#include "net/byte_order.hpp"
#include "net/checksum.hpp"
#include "net/headers.hpp"
#include "net/ip_family.hpp"
#include "net/ipv6_address.hpp"
#include "pace/arrival_window.hpp"
#include "probe/cookie_mac.hpp"
#include "probe/echo_template.hpp"
#include "probe/probe_batch.hpp"
#include "probe/probe_setup.hpp"
#include "reply/echo6_match.hpp"
#include "reply/reply_parser.hpp"
#include "reply/result_record6.hpp"
#include "targets/ipv6_targets.hpp"

namespace ics {

// What check() found in a reply whose cookie validated.
struct echo6_reply {
    echo6_request_seen request;
    uint16_t round = 0;  // the probe's round, mod 2^8
    rtt_estimate rtt;
};

class echo6_probe {
public:
    static constexpr std::string_view name = "icmp6_echo";
    static constexpr ip_family family = ip_family::ipv6;
    static constexpr size_t payload_len = 8;
    static constexpr size_t icmp_len = icmp_header_len + payload_len;
    static constexpr size_t frame_len = eth_header_len + ipv6_header_len + icmp_len;  // 70
    static constexpr uint8_t cookie_tag = 6;
    static constexpr unsigned max_burst = cookie_mac::max_burst;

    explicit echo6_probe(const probe_setup& setup)
        : mac_(setup.key), sources_(setup.sources6), hop_limit_(setup.ttl) {
        uint8_t* f = prefix_.data();
        std::memcpy(f, setup.dst_mac.data(), 6);
        std::memcpy(f + 6, setup.src_mac.data(), 6);
        store_be16(f + 12, ethertype_ipv6);
        uint8_t* ip = f + eth_header_len;
        store_be32(ip, uint32_t(6) << 28);  // traffic class 0, flow label 0
        store_be16(ip + ip6_off::payload_len, uint16_t(icmp_len));
        ip[ip6_off::next_header] = ip_proto_icmpv6;
        ip[ip6_off::hop_limit] = hop_limit_;
    }

    uint8_t hop_limit() const { return hop_limit_; }

    static constexpr uint32_t stamp(uint32_t round, uint32_t send_us) {
        return (round & 0xff) << 24 | (send_us & 0xffffff);
    }
    // Whether this probe can take `sources` (our -S addresses): all in one /64, so that the low
    // half that enters the cookie tells each from the others.
    static bool sources_supported(const ipv6_range_set& sources) {
        const auto& r = sources.ranges();
        return !r.empty() && r.front().first.hi == r.back().last.hi;
    }
    static constexpr uint64_t source_fold(const ipv6_addr& src) { return src.lo; }

    uint64_t mac_word1(uint32_t s) const {
        return uint64_t(s) << 32 | uint32_t(hop_limit_) << 8 | cookie_tag;
    }

    // A target's keyed word, the cookie's start (cookie_mac::word64: lanes 0 and 1 of its PRF).
    uint64_t keyed_word(const ipv6_addr& target) const { return mac_.word64(target.hi, target.lo); }
    // Every target's keyed word into the list, with the scan's key: the scan schedule hands them to
    // build_burst in each batch beside the addresses (8 bytes a target, one AES block a probe less).
    static void key_targets(ipv6_target_list& list, const cookie_key& key) {
        const cookie_mac mac(key);
        list.keyed.resize(list.size());
        for (uint64_t i = 0; i < list.size(); ++i) list.keyed[i] = mac.word64(list.at(i).hi, list.at(i).lo);
    }
    // The batch's keyed words, computed (tests, tools; a scan's come from its target list).
    void key_batch(probe_batch6& b) const {
        for (unsigned i = 0; i < b.count; ++i) b.keyed[i] = keyed_word(b.dst[i]);
    }

    // Writes b.count complete probes, frame_len bytes each, to frames[i], from src[i] to b.dst[i]
    // (whose keyed word is b.keyed[i]).
    void build_burst(uint8_t* const* frames, const ipv6_addr* src, const probe_batch6& b,
                     uint32_t send_us) const {
        const uint32_t s = stamp(b.round, send_us);
        const unsigned n = b.count;
        uint64_t w0[max_burst], w1[max_burst];
        uint32_t macs[max_burst];
        for (unsigned i = 0; i < n; ++i) {
            w0[i] = b.keyed[i] ^ source_fold(src[i]);
            w1[i] = mac_word1(s);
        }
        compute_macs(mac_, w0, w1, macs, n);
        // The pseudo-header's length and next header, the type, and S: the same for the burst.
        const uint64_t burst_sum =
            icmp_len + ip_proto_icmpv6 + (uint32_t(icmp6_type::echo_request) << 8) + (s >> 16) + (s & 0xffff);
        const std::array<uint8_t, prefix_len> prefix = prefix_;  // a local: frame stores may alias members
        for (unsigned i = 0; i < n; ++i) write(frames[i], prefix, burst_sum, src[i], b.dst[i], macs[i], s);
    }

    // One probe (tests, tools): a burst of one.
    void build(uint8_t* frame, const ipv6_addr& src, const ipv6_addr& dst, uint32_t send_us,
               uint32_t round = 0) const {
        probe_batch6 b;
        b.dst[0] = dst;
        b.round = round;
        b.count = 1;
        key_batch(b);
        build_burst(&frame, &src, b, send_us);
    }

    // Validates a parsed reply: fills `out` and returns true, or sets `why` and returns false.
    bool check(const parsed_reply6& r, arrival_us at, echo6_reply& out, counter& why) const {
        echo6_request_seen m;
        if (!match_echo6_request(r, *sources_, payload_len, m, why)) return false;
        const uint32_t s = load_be32(m.payload);
        const uint64_t word0 = mac_.word64(m.target.hi, m.target.lo) ^ source_fold(m.src);
        if ((uint32_t(m.id) << 16 | m.seq) != mac_(word0, mac_word1(s)))
            return why = counter::rx_cookie_invalid, false;
        out = {m, uint16_t(s >> 24), estimate_rtt<24>(s & 0xffffff, at)};
        return true;
    }

    // check(), then the record the RX lcore hands on (probe/echo_probe.hpp's contract).
    bool decode(const parsed_reply6& r, arrival_us at, result_record6& rec, counter& why) const {
        echo6_reply e;
        if (!check(r, at, e, why)) return false;
        fill_echo6_record(r, e.request, rec);
        rec.probe_ttl = hop_limit_;
        rec.round = e.round;
        set_rtt(rec, e.rtt);
        return true;
    }

private:
    static constexpr size_t prefix_len = eth_header_len + ip6_off::src;  // 22: all before the addresses

    // The sum of a 128-bit address's eight 16-bit words, as four 32-bit halves (folded later).
    static uint64_t address_sum(const ipv6_addr& a) {
        return (a.hi >> 32) + (a.hi & 0xffffffff) + (a.lo >> 32) + (a.lo & 0xffffffff);
    }

    static void write(uint8_t* frame, const std::array<uint8_t, prefix_len>& prefix, uint64_t burst_sum,
                      const ipv6_addr& src, const ipv6_addr& dst, uint32_t m, uint32_t s) {
        std::memcpy(frame, prefix.data(), prefix_len);
        uint8_t* ip = frame + eth_header_len;
        src.store(ip + ip6_off::src);
        dst.store(ip + ip6_off::dst);
        uint64_t sum = burst_sum + address_sum(src) + address_sum(dst) + (m >> 16) + (m & 0xffff);
        sum = (sum & 0xffffffff) + (sum >> 32);  // twice: the first may carry into bit 32
        sum = (sum & 0xffffffff) + (sum >> 32);
        const uint16_t checksum = checksum_finish(uint32_t(sum));
        uint8_t* icmp = ip + ipv6_header_len;
        store_be64(icmp, uint64_t(uint32_t(icmp6_type::echo_request) << 24 | checksum) << 32 | m);
        store_be64(icmp + icmp_off::payload, uint64_t(s) << 32);
    }

    std::array<uint8_t, prefix_len> prefix_{};
    cookie_mac mac_;
    const ipv6_range_set* sources_;
    uint8_t hop_limit_;
};

}  // namespace ics
