// The ICMP Echo probe (scan mode). Contract, as for every probe type (ZMap's probe-module shape):
//   - the constructor prepares a complete frame template once;
//   - build_burst() computes the burst's cookies together, then per probe copies the template and
//     writes only what changes (addresses, IP ID, ICMP id/seq/checksum, payload), checksums from
//     precomputed partial sums;
//   - decode() validates a parsed reply against the keyed cookie and fills a result_record, or
//     names the counter that explains why the reply is dropped. No state per probe, ever.
//
// Bit layout. Only the quoted IP header and the first 8 ICMP bytes come back in an ICMP error,
// so the send time and the cookie live there; an Echo Reply does not return our IP header, so
// the send time is repeated in the payload, which comes back whole.
//
//   IP header:  Identification = send_us[31:16]
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   Type = 8    |   Code = 0    |   Checksum = send_us[15:0]    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   Identifier = mac[31:16]     |    Sequence = mac[15:0]       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                       send_us[31:0]                           |  payload
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   checksum fixup              |             0                 |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   send_us = microseconds since the scan epoch, mod 2^32 (RTT: pace/arrival_window.hpp, mod 2^32)
//   mac     = cookie_mac_key(source << 32 | target, send_us << 32 | probe TTL << 8 | 1), 32 bits
//             (AES-128 with AES-NI, SipHash-1-3 without: probe/cookie_mac.hpp)
//   The checksum field is chosen (it carries send_us[15:0]); the fixup word makes the ICMP
//   checksum verify. A reply validates only if every covered bit is as sent.
#pragma once
#include <array>
#include <cstring>
#include <string_view>

#include "net/checksum.hpp"
#include "net/headers.hpp"
#include "pace/arrival_window.hpp"
#include "probe/cookie_mac.hpp"
#include "probe/echo_template.hpp"
#include "probe/probe_setup.hpp"
#include "reply/reply_parser.hpp"
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
    static constexpr uint64_t mac_word0(ipv4_addr src, ipv4_addr dst) { return uint64_t(src) << 32 | dst; }
    static constexpr uint64_t mac_word1(uint32_t send_us, uint8_t ttl) {
        return uint64_t(send_us) << 32 | uint32_t(ttl) << 8 | cookie_tag;
    }
    uint32_t mac(ipv4_addr src, ipv4_addr dst, uint32_t send_us) const {
        return mac_(mac_word0(src, dst), mac_word1(send_us, ttl_));
    }

    // Writes n (<= max_burst) complete probes, frame_len bytes each, to frames[i], from src[i] to
    // dst[i], all sent at send_us.
    void build_burst(uint8_t* const* frames, const ipv4_addr* src, const ipv4_addr* dst, unsigned n,
                     uint32_t send_us) const {
        uint64_t w0[max_burst], w1[max_burst];
        uint32_t macs[max_burst];
        for (unsigned i = 0; i < n; ++i) {
            w0[i] = mac_word0(src[i], dst[i]);
            w1[i] = mac_word1(send_us, ttl_);
        }
        compute_macs(mac_, w0, w1, macs, n);
        // Everything the burst shares, in locals: stores into frames (bytes) may alias this
        // object's members, which the compiler would otherwise reload for every probe.
        const burst_words b = burst(send_us);
        for (unsigned i = 0; i < n; ++i) write(frames[i], b, src[i], dst[i], macs[i]);
    }

    // One probe (tests, tools): a burst of one.
    void build(uint8_t* frame, ipv4_addr src, ipv4_addr dst, uint32_t send_us) const {
        build_burst(&frame, &src, &dst, 1, send_us);
    }

    // Validates a parsed reply; fills `rec` and returns true, or sets `why` and returns false.
    bool decode(const parsed_reply& r, arrival_us at, result_record& rec, counter& why) const {
        if (!sources_->contains(r.daddr)) return why = counter::rx_not_our_address, false;
        uint32_t send_us;
        ipv4_addr src, target;
        uint16_t id, seq;
        uint8_t quoted_ttl = 0;
        if (r.type == icmp_type::echo_reply) {
            if (r.payload_len < payload_len) return why = counter::rx_cookie_invalid, false;
            send_us = load_be32(r.payload);
            src = r.daddr;
            target = r.saddr;
            id = r.id();
            seq = r.seq();
        } else {
            const quoted_probe& q = r.quote;
            if (!r.has_quote || q.protocol() != ip_proto_icmp || q.type() != icmp_type::echo_request ||
                q.code() != 0 || q.saddr() != r.daddr)
                return why = counter::rx_quote_invalid, false;
            send_us = uint32_t(q.ipid()) << 16 | q.checksum();
            src = q.saddr();
            target = q.daddr();
            id = q.id();
            seq = q.seq();
            quoted_ttl = q.ttl();
        }
        if ((uint32_t(id) << 16 | seq) != mac(src, target, send_us))
            return why = counter::rx_cookie_invalid, false;

        rec.saddr = r.saddr;
        rec.daddr = r.daddr;
        rec.probe_daddr = target;
        rec.ipid = r.ipid;
        rec.icmp_id = id;
        rec.seq = seq;
        rec.ttl = r.ttl;
        rec.type = r.type;
        rec.code = r.code;
        rec.probe_ttl = ttl_;
        rec.quoted_ttl = quoted_ttl;
        rec.cls = classify_icmp(r.type);
        rec.round = 0;
        rec.success = r.type == icmp_type::echo_reply;
        copy_error_details(r, rec);
        set_rtt(rec, estimate_rtt<32>(send_us, at));
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
    burst_words burst(uint32_t send_us) const {
        const uint16_t ts_hi = uint16_t(send_us >> 16), ts_lo = uint16_t(send_us);
        return {frame_prefix::of(frame_.data()),
                ip_id_word(ts_hi, ttl_),
                uint64_t(uint32_t(icmp_type::echo_request) << 24 | ts_lo) << 32,
                uint64_t(send_us) << 32,
                ip_partial_ + ts_hi,
                (uint32_t(icmp_type::echo_request) << 8) + ts_lo + ts_hi + ts_lo};
    }

    // ICMP: type, code, checksum field = ts_lo, id|seq = mac; payload: send_us, fixup, 0. The fixup
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
