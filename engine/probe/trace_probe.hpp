// The trace probe: an ICMP Echo Request with a per-probe IP TTL (trace mode). Same contract as
// echo_probe (template built once, cookies per burst, decode() validates and fills a record), but
// everything needed to attribute a reply must come back in the 28 bytes an ICMP error is sure to
// quote, and every probe to one target must look like one flow to a per-flow load balancer
// (Paris traceroute): type, code and checksum stay the same for all its TTLs.
//
// Bit layout. W is a 48-bit word spread over the three fields a quote returns that we may choose:
//
//   W = probe TTL (6) | send_us mod 2^24 (24) | mac (18)
//       47        42  41                    18  17     0
//
//   IP header:  Identification = W[47:32], TTL = the probe TTL (1..63)
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   Type = 8    |   Code = 0    |   Checksum = flow(target)     |  the Paris flow identity
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   Identifier = W[31:16]       |    Sequence = W[15:0]         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   W[47:32] again              |   checksum fixup              |  payload
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   mac        = low 18 bits of lane (TTL mod 4) of cookie_mac_lanes(source << 32 | 'T',
//                (TTL div 4) << 24 | send_us mod 2^24): one AES block gives the MACs of four TTLs,
//                so a burst of one source needs one block per four TTLs of --min-ttl..--max-ttl,
//                not one per probe
//   flow(t)    = bits 32..47 of t * M, M an odd 64-bit multiplier drawn from the key: the same for
//                every probe to t, different between targets, unknown off-path
//   The fixup word makes the ICMP checksum verify with the chosen checksum field.
//
// Decoding. An error's quote returns the IP ID, id and seq (W), the destination and the checksum;
// an Echo Reply returns id, seq and the payload (W[47:32] is repeated there because the target's
// reply carries its own IP ID), whose fixup word must be that of our probe to the replying target.
// The mac does not cover the destination, so a quote whose destination was rewritten on the way (a
// NAT) still validates; its checksum then differs from flow(quoted destination), and the reply is
// flagged (record_flag::dst_rewritten), not attributed.
// RTT: pace/arrival_window.hpp, mod 2^24 microseconds: exact for replies within 15.7 s.
#pragma once
#include <algorithm>
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
#include "targets/permutation.hpp"

namespace ics {

class trace_probe {
public:
    static constexpr std::string_view name = "icmp_echo_paris";
    static constexpr size_t payload_len = 4;
    static constexpr size_t ip_len = ipv4_min_header_len + icmp_header_len + payload_len;
    static constexpr size_t frame_len = eth_header_len + ip_len;  // 46; the NIC pads to 60
    static constexpr unsigned max_ttl = 63;                       // 6 bits of W
    static constexpr unsigned mac_bits = 18;
    static constexpr uint32_t mac_mask = (1u << mac_bits) - 1;
    static constexpr unsigned max_burst = cookie_mac::max_burst;
    static constexpr uint64_t cookie_tag = 'T';

    explicit trace_probe(const probe_setup& setup)
        : mac_(setup.key),
          flow_mult_(mix64(setup.key.k0 ^ mix64(setup.key.k1)) | 1),
          sources_(setup.sources),
          one_source_(setup.sources->size() == 1),
          ttl_lo_(std::clamp<uint8_t>(setup.min_ttl, 1, max_ttl)),
          ttl_hi_(std::clamp<uint8_t>(setup.max_ttl, ttl_lo_, max_ttl)) {
        ip_partial_ = write_echo_template(frame_.data(), setup, ip_len, 0);
    }

    // The Paris flow identity of every probe to `target`: its ICMP checksum field.
    uint16_t flow_checksum(ipv4_addr target) const { return flow_of(target, flow_mult_); }
    static uint16_t flow_of(ipv4_addr target, uint64_t mult) {
        return uint16_t((uint64_t(target) * mult) >> 32);
    }

    static constexpr uint64_t mac_word0(ipv4_addr src) { return uint64_t(src) << 32 | cookie_tag; }
    // The block of four TTLs that holds `ttl`'s MAC, at `send_us`.
    static constexpr uint64_t mac_word1(uint8_t ttl, uint32_t send_us) {
        return uint64_t(ttl >> 2) << 24 | (send_us & 0xffffff);
    }
    uint32_t mac(ipv4_addr src, uint8_t ttl, uint32_t send_us) const {
        return mac_.lane(mac_word0(src), mac_word1(ttl, send_us), ttl & 3) & mac_mask;
    }
    static constexpr uint64_t pack(uint8_t ttl, uint32_t send_us, uint32_t m) {
        return uint64_t(ttl) << 42 | uint64_t(send_us & 0xffffff) << 18 | m;
    }

    // Writes b.count probes, frame_len bytes each: frames[i] from src[i] to b.dst[i] with IP TTL
    // b.ttl[i] (1..max_ttl), all sent at send_us. The round has no room in W: trace records carry 0.
    void build_burst(uint8_t* const* frames, const ipv4_addr* src, const probe_batch& b,
                     uint32_t send_us) const {
        const ipv4_addr* dst = b.dst;
        const uint8_t* ttl = b.ttl;
        const unsigned n = b.count;
        if (n == 0) return;
        alignas(16) uint32_t lanes[4 * max_burst];
        uint64_t w0[max_burst], w1[max_burst];
        if (one_source_) {
            // Every probe shares the source and the send time, so a probe's MAC and every field but
            // the destination's depend on its TTL alone: one AES block per four TTLs of the set-up
            // range and one table entry per TTL, then a lookup per probe. The table does not wait for
            // the burst's TTLs, so the AES blocks start at once.
            const unsigned first = ttl_lo_ >> 2, blocks = (ttl_hi_ >> 2) - first + 1;
            for (unsigned j = 0; j < blocks; ++j) {
                w0[j] = mac_word0(src[0]);
                w1[j] = mac_word1(uint8_t((first + j) << 2), send_us);
            }
            compute_macs(mac_, w0, w1, lanes + size_t(4) * first, blocks, true);
            probe_words by_ttl[max_ttl + 1];
            for (unsigned t = ttl_lo_; t <= ttl_hi_; ++t)
                by_ttl[t] = words(uint8_t(t), send_us, lanes[t] & mac_mask);
            // TTLs out of the set-up range (never from the trace walk) go the general way below. A
            // byte-wise maximum, so that the check is a few vector instructions.
            uint8_t farthest = 0;
            for (unsigned i = 0; i < n; ++i) farthest = std::max(farthest, uint8_t(ttl[i] - ttl_lo_));
            if (farthest <= ttl_hi_ - ttl_lo_) {
                const frame_prefix prefix = frame_prefix::of(frame_.data());  // locals: see echo_probe
                const uint64_t flow_mult = flow_mult_;
                for (unsigned i = 0; i < n; ++i)
                    write(frames[i], prefix, flow_mult, by_ttl[ttl[i]], src[i], dst[i]);
                return;
            }
        }
        for (unsigned i = 0; i < n; ++i) {
            w0[i] = mac_word0(src[i]);
            w1[i] = mac_word1(ttl[i] & max_ttl, send_us);
        }
        compute_macs(mac_, w0, w1, lanes, n, true);
        for (unsigned i = 0; i < n; ++i) {
            const uint8_t t = ttl[i] & max_ttl;
            write(frames[i], frame_prefix::of(frame_.data()), flow_mult_,
                  words(t, send_us, lanes[4 * i + (t & 3)] & mac_mask), src[i], dst[i]);
        }
    }

    void build(uint8_t* frame, ipv4_addr src, ipv4_addr dst, uint8_t ttl, uint32_t send_us) const {
        probe_batch b;
        b.dst[0] = dst;
        b.ttl[0] = ttl;
        b.count = 1;
        build_burst(&frame, &src, b, send_us);
    }

    // Validates a parsed reply; fills `rec` and returns true, or sets `why` and returns false.
    bool decode(const parsed_reply& r, arrival_us at, result_record& rec, counter& why) const {
        echo_request_seen m;
        if (!match_echo_request(r, *sources_, payload_len, m, why)) return false;
        const uint64_t w = uint64_t(m.hi) << 32 | uint32_t(m.id) << 16 | m.seq;
        const uint8_t ttl = uint8_t(w >> 42);
        const uint32_t send_us = uint32_t(w >> 18) & 0xffffff;
        if (ttl == 0 || uint32_t(w & mac_mask) != mac(m.src, ttl, send_us))
            return why = counter::rx_cookie_invalid, false;
        // An Echo Reply returns the payload whole, and its second word is the fixup of our probe to
        // that target: 16 bits more than the MAC's 18 that junk must hit by chance.
        if (!m.quoted && m.lo != fixup(icmp_sum(w), flow_checksum(m.target)))
            return why = counter::rx_cookie_invalid, false;
        fill_echo_record(r, m, rec);
        rec.probe_ttl = ttl;
        rec.round = 0;
        set_rtt(rec, estimate_rtt<24>(send_us, at));
        // A quote's checksum is the flow of the destination it was sent to (see the drawing).
        if (m.quoted && m.lo != flow_checksum(m.target)) rec.flags |= record_flag::dst_rewritten;
        return true;
    }

private:
    // Everything of one probe but its addresses and flow checksum: the IP header's ID word, W's low
    // 32 bits (ICMP id|seq), W[47:32] as the payload word's top half, and the partial sums of the IP
    // header and the ICMP message without those.
    struct probe_words {
        uint64_t ip_word;
        uint32_t id_seq, payload_hi, ip_sum, icmp_sum;
    };
    probe_words words(uint8_t ttl, uint32_t send_us, uint32_t m) const {
        const uint64_t w = pack(ttl, send_us, m);
        const uint32_t hi = uint32_t(w >> 32), lo = uint32_t(w);
        return {ip_id_word(uint16_t(hi), ttl), lo, hi << 16, ip_partial_ + hi + (uint32_t(ttl) << 8),
                icmp_sum(w)};
    }
    // The sum of the ICMP message's words but the checksum field and the fixup.
    static constexpr uint32_t icmp_sum(uint64_t w) {
        const uint32_t hi = uint32_t(w >> 32), lo = uint32_t(w);
        return (uint32_t(icmp_type::echo_request) << 8) + (lo >> 16) + (lo & 0xffff) + hi;
    }
    // The payload's second word: with it the ICMP words (`sum`, and the checksum field `flow`) sum
    // to 0xffff.
    static uint16_t fixup(uint32_t sum, uint32_t flow) { return uint16_t(~checksum_fold(sum + flow)); }

    static void write(uint8_t* frame, const frame_prefix& prefix, uint64_t flow_mult, const probe_words& p,
                      ipv4_addr src, ipv4_addr dst) {
        prefix.write(frame);
        uint8_t* ip = frame + eth_header_len;
        const uint32_t ip_sum = p.ip_sum + (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
        write_ip_tail(ip, p.ip_word, checksum_finish(ip_sum), src, dst);
        // ICMP: type, code, checksum field = flow, id|seq = W[31:0]; payload: W[47:32], fixup. The
        // fixup makes the sum of all ICMP words (checksum field included) equal 0xffff.
        uint8_t* icmp = ip + ipv4_min_header_len;
        const uint32_t flow = flow_of(dst, flow_mult);
        store_be64(icmp, uint64_t(uint32_t(icmp_type::echo_request) << 24 | flow) << 32 | p.id_seq);
        store_be32(icmp + icmp_off::payload, p.payload_hi | fixup(p.icmp_sum, flow));
    }
    std::array<uint8_t, frame_len> frame_{};
    uint32_t ip_partial_ = 0;
    cookie_mac mac_;
    uint64_t flow_mult_;
    const interval_set* sources_;
    bool one_source_;
    uint8_t ttl_lo_, ttl_hi_;  // the set-up TTL range, within 1..max_ttl
};

}  // namespace ics
