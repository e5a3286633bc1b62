// Fuzzes the RX path's pure part: frame classification, the reply parser (with RFC 4884 extension
// objects), and the echo and trace probes' decoders, on arbitrary bytes. Nothing may read outside
// the input, and what the parser returns must be what the frame says: the ICMP header right after
// the IPv4 header its length field gives, the payload after it and inside the frame, the addresses,
// TTL, type and code the bytes hold; a decoded record keeps the reply's sender, type and code, and a
// refusal names an rx_ counter; an ARP message holds the op, addresses and MACs of its bytes. IPv6
// frames go to the ICMPv6 parser and the ICMPv6 echo probe's check: the ICMPv6 header right after
// the 40-byte IPv6 header, everything inside the frame and the payload length's, the quote inside
// the payload, a validated reply's target the reply's or its quote's. A broken property aborts with
// a message, which the mutation driver and libFuzzer report as a failure.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "../unit/packet_craft.hpp"
#include "../unit/packet_craft6.hpp"
#include "fuzz_target.hpp"
#include "net/arp.hpp"
#include "net/ndp.hpp"
#include "probe/echo6_probe.hpp"
#include "probe/echo_probe.hpp"
#include "probe/trace_probe.hpp"

using namespace ics;

namespace {
const echo_probe probe(test::test_probe_setup());
const trace_probe tracer(test::test_probe_setup());
const echo6_probe probe6(test::test_probe_setup6());

void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "reply_parser_fuzz: %s\n", what);
    std::abort();
}

void check_parsed(const std::vector<uint8_t>& frame, const parsed_reply& r) {
    const uint8_t* ip = frame.data() + eth_header_len;
    const uint8_t* end = frame.data() + frame.size();
    check(r.icmp == ip + size_t(ip[0] & 0x0f) * 4, "the ICMP header is not after the IPv4 header");
    check(r.icmp + 8 <= end && r.payload == r.icmp + 8, "the ICMP header is not inside the frame");
    check(r.payload + r.payload_len <= end, "the payload runs past the frame");
    check(r.saddr == load_be32(ip + 12) && r.daddr == load_be32(ip + 16), "addresses not the frame's");
    check(r.ttl == ip[8] && r.ipid == load_be16(ip + 4), "TTL or IP ID not the frame's");
    check(r.type == r.icmp[0] && r.code == r.icmp[1], "type or code not the frame's");
}

// A decoder's verdict: a record true to the reply, or a refusal by an rx_ counter.
void check_decoded(bool ok, const parsed_reply& r, const result_record& rec, counter why) {
    if (ok) {
        check(rec.saddr == r.saddr && rec.type == r.type && rec.code == r.code,
              "a record not true to its reply");
        return;
    }
    check(std::string_view(counter_infos[size_t(why)].name).starts_with("rx_"),
          "a refusal by a non-RX counter");
}
bool is_rx_counter(counter why) {
    return std::string_view(counter_infos[size_t(why)].name).starts_with("rx_");
}

// A parsed Neighbor Solicitation or Advertisement is what the frame's bytes say, and only what RFC
// 4861 7.1 lets through.
void check_nd(const std::vector<uint8_t>& frame) {
    const auto m = parse_nd(frame);
    if (!m) return;
    const uint8_t* ip = frame.data() + eth_header_len;
    const uint8_t* icmp = ip + ipv6_header_len;
    check(frame.size() >= eth_header_len + ipv6_header_len + 24, "ND parsed from a short frame");
    check(ip[ip6_off::hop_limit] == 255 && icmp[1] == 0 && icmpv6_checksum(ip) == 0,
          "ND accepted with a hop limit, code or checksum RFC 4861 refuses");
    check(m->type == icmp[0] && (m->type == nd_neighbor_solicit || m->type == nd_neighbor_advert),
          "ND type not the frame's");
    check(m->target == ipv6_addr::load(icmp + 8) && (m->target.hi >> 56) != 0xff,
          "ND target not the frame's");
    check(m->src == ipv6_addr::load(ip + ip6_off::src), "ND source not the frame's");
}

void fuzz_ipv6(const std::vector<uint8_t>& frame) {
    check_nd(frame);
    parsed_reply6 r;
    counter why = counter::out_written;  // not an RX counter: a refusal must name its own
    if (!parse_reply6(frame.data(), frame.size(), r, why)) {
        check(is_rx_counter(why), "an IPv6 parse refusal by a non-RX counter");
        return;
    }
    const uint8_t* ip = frame.data() + eth_header_len;
    const uint8_t* end = frame.data() + frame.size();
    check(r.ip == ip && r.icmp == ip + ipv6_header_len && r.payload == r.icmp + icmp_header_len,
          "the ICMPv6 header is not after the IPv6 header");
    check(size_t(r.payload_len) + icmp_header_len == load_be16(ip + ip6_off::payload_len),
          "the payload is not what the payload length says");
    check(r.payload + r.payload_len <= end, "the ICMPv6 payload runs past the frame");
    check(r.type == r.icmp[0] && r.code == r.icmp[1] && r.hop_limit == ip[7],
          "type, code or hop limit not the frame's");
    if (r.has_quote)
        check(r.quote.ip == r.payload && r.quote.icmp + r.quote.icmp_len == r.payload + r.payload_len,
              "the quote is not the payload");
    echo6_reply out;
    why = counter::out_written;
    if (probe6.check(r, arrival_us{1000, 1000}, out, why)) {
        check(out.request.src == r.daddr(), "a validated reply not to our source");
        check(out.request.target == (r.has_quote ? r.quote.daddr() : r.saddr()),
              "a validated reply's target is neither its sender nor its quote's destination");
    } else {
        check(is_rx_counter(why), "an ICMPv6 check refusal by a non-RX counter");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Copy to an exact-size heap buffer so ASan sees any overrun.
    std::vector<uint8_t> frame(data, data + size);
    if (classify_frame(frame.data(), frame.size()) == frame_kind::arp) {
        // A parsed ARP message is what the frame's bytes say (Ethernet, then the ARP payload).
        if (const auto msg = parse_arp(frame)) {
            const uint8_t* a = frame.data() + eth_header_len;
            check(frame.size() >= eth_header_len + 28, "ARP parsed from a short frame");
            check(msg->op == load_be16(a + 6), "ARP op not the frame's");
            check(msg->sender_ip == load_be32(a + 14) && msg->target_ip == load_be32(a + 24),
                  "ARP addresses not the frame's");
            check(std::equal(msg->sender_mac.begin(), msg->sender_mac.end(), a + 8) &&
                      std::equal(msg->target_mac.begin(), msg->target_mac.end(), a + 18),
                  "ARP MACs not the frame's");
        }
        return 0;
    }
    if (frame.size() >= eth_header_len && load_be16(frame.data() + 12) == ethertype_ipv6) {
        fuzz_ipv6(frame);
        return 0;
    }
    parsed_reply r;
    counter why;
    if (!parse_reply(frame.data(), frame.size(), r, why)) {
        check(std::string_view(counter_infos[size_t(why)].name).starts_with("rx_"),
              "a parse refusal by a non-RX counter");
        return 0;
    }
    check_parsed(frame, r);
    result_record rec{};
    why = counter::out_written;  // not an RX counter: a refusal must name its own
    const bool echo_ok = probe.decode(r, arrival_us{1000, 1000}, rec, why);
    check_decoded(echo_ok, r, rec, why);
    rec = result_record{};
    why = counter::out_written;
    const bool trace_ok = tracer.decode(r, arrival_us{1000, 1000}, rec, why);
    check_decoded(trace_ok, r, rec, why);
    return 0;
}

std::vector<std::vector<uint8_t>> fuzz_seeds() {
    std::vector<uint8_t> p(echo_probe::frame_len);
    probe.build(p.data(), 0xc613ff01, 0xc6120005, 77);
    std::vector<std::vector<uint8_t>> seeds = {p, test::echo_reply_to(p),
                                               test::icmp_error_about(p, 11, 0, 0xc6130202, 28),
                                               test::icmp_error_about(p, 3, 13, 0xc6130202, 36)};
    std::vector<uint8_t> t(trace_probe::frame_len);
    tracer.build(t.data(), 0xc613ff01, 0xc6127c09, 5, 99);
    seeds.push_back(test::echo_reply_to(t));
    seeds.push_back(test::icmp_error_about(t, 11, 0, 0xc6130702, 28));
    seeds.push_back(
        test::icmp_error_with_mpls(t, 11, 0xc6130702, {test::mpls_entry(24001, 0, true, 1)}, true));
    seeds.push_back(
        test::icmp_error_with_mpls(t, 11, 0xc6130702, {test::mpls_entry(16, 1, false, 3)}, false));
    std::vector<uint8_t> p6(echo6_probe::frame_len);
    probe6.build(p6.data(), test::test_source6(), {0x20010db800010000ull, 9}, 77);
    const ipv6_addr router{0x20010db800ff0000ull, 0xfe};
    seeds.push_back(p6);
    seeds.push_back(test::echo6_reply_to(p6));
    seeds.push_back(test::icmp6_error_about(p6, icmp6_type::time_exceeded, 0, 0, router, 56, 1));
    seeds.push_back(test::icmp6_error_about(p6, icmp6_type::packet_too_big, 0, 1280, router, 56, 5));
    std::array<uint8_t, nd_frame_len> ns{}, na{};
    build_neighbor_solicit(ns, mac{2, 0, 0, 0, 0, 0xfe}, router, test::test_source6());
    build_neighbor_advert(na, *parse_nd(ns), mac{2, 0, 0, 0, 0, 1}, test::test_source6());
    seeds.emplace_back(ns.begin(), ns.end());
    seeds.emplace_back(na.begin(), na.end());
    std::array<uint8_t, arp_frame_len> arp{};
    build_arp_request(arp, mac{}, 1, 2);
    seeds.emplace_back(arp.begin(), arp.end());
    return seeds;
}
