// rx_loop compiled for an IPv6 probe type (rx_context<echo6_probe>), fed through a net_ring port:
// replies to real ICMPv6 probes become IPv6 records equal to what the probe type decodes,
// Neighbour Solicitations and Advertisements (and ARP) reach the control ring, and every other
// frame, IPv4 ones included, is counted under its named reason; the counts add up to rx_frames.
#include <gtest/gtest.h>

#include <tuple>

#include "../unit/packet_craft6.hpp"
#include "dpdk/rx_loop.hpp"
#include "net/arp.hpp"
#include "net/ndp.hpp"
#include "probe/echo6_probe.hpp"
#include "ring_port.hpp"

namespace ics::dpdk {
namespace {

using frames_t = std::vector<std::vector<uint8_t>>;

const ipv6_addr target_base = *parse_ipv6("2001:db8:1::");
const mac gateway_mac{2, 0, 0, 0, 0, 0xfe};
const ipv6_addr gateway_ip = *parse_ipv6("2001:db8:ff::fe");

struct rx6_rig {
    echo6_probe probe{test::test_probe_setup6()};
    counter_block counters;
    scan_flags flags;
    test::ring_ptr records = test::make_ring(256, sizeof(result_record6));
    test::ring_ptr control = test::make_ring(64);
    rx_context<echo6_probe> c;

    explicit rx6_rig(uint16_t port) {
        c.queues = {{port, 0}};
        c.probe = &probe;
        c.clock = tsc_clock(rte_get_tsc_hz(), rte_rdtsc(), 0);
        c.records = records.get();
        c.arp = control.get();
        c.counters = &counters;
        c.flags = &flags;
        flags.rx_running.store(1);
    }
    int operator()() { return rx_loop(c); }
    uint32_t now_us() const { return c.clock.probe_time_us(rte_rdtsc()); }
    std::vector<uint8_t> probe_to(const ipv6_addr& dst, uint32_t round = 0) const {
        std::vector<uint8_t> f(echo6_probe::frame_len);
        probe.build(f.data(), test::test_source6(), dst, now_us(), round);
        return f;
    }
};

auto fields_of(const result_record6& r) {
    return std::tie(r.saddr, r.daddr, r.probe_daddr, r.error_word, r.icmp_id, r.seq, r.round, r.quote_ip_len,
                    r.ttl, r.type, r.code, r.probe_ttl, r.quoted_ttl, r.cls, r.success, r.flags, r.mpls,
                    r.mpls_count, r.mpls_object_len);
}

std::vector<uint8_t> solicit(const mac& from_mac, const ipv6_addr& from, const ipv6_addr& wanted) {
    std::array<uint8_t, nd_frame_len> f{};
    build_neighbor_solicit(f, from_mac, from, wanted);
    return {f.begin(), f.end()};
}

struct junk_frame {
    std::vector<uint8_t> frame;
    counter why;
};

// One frame for each reason an IPv6 run's frame is not a result, each made from a real probe or
// reply so that only the named defect stands in its way.
std::vector<junk_frame> junk6(const rx6_rig& rig) {
    const auto probe = rig.probe_to({target_base.hi, 99});
    const auto reply = test::echo6_reply_to(probe);
    std::vector<junk_frame> out;
    out.push_back({{reply.begin(), reply.begin() + 40}, counter::rx_truncated});
    auto ipv4 = reply;
    store_be16(ipv4.data() + 12, ethertype_ipv4);
    out.push_back({ipv4, counter::rx_not_ipv6});
    out.push_back({{reply.begin(), reply.begin() + 10}, counter::rx_not_ipv6});  // shorter than Ethernet
    auto version = reply;
    version[eth_header_len] = 0x40;
    out.push_back({version, counter::rx_bad_ip_header});
    auto fragment = reply;
    fragment[eth_header_len + ip6_off::next_header] = 44;
    out.push_back({fragment, counter::rx_fragment});
    auto udp = reply;
    udp[eth_header_len + ip6_off::next_header] = 17;
    out.push_back({udp, counter::rx_not_icmp});
    out.push_back({probe, counter::rx_icmp_ignored});  // our own Echo Request
    auto router_solicit = reply;
    router_solicit[eth_header_len + ipv6_header_len + icmp_off::type] = 133;
    out.push_back({router_solicit, counter::rx_icmp_ignored});
    auto elsewhere = reply;  // to an address that is not ours
    elsewhere[eth_header_len + ip6_off::dst + 15] ^= 0x10;
    test::set_icmp6_checksum(elsewhere.data());
    out.push_back({elsewhere, counter::rx_not_our_address});
    auto forged = reply;
    forged[eth_header_len + ipv6_header_len + icmp_off::payload + 3] ^= 1;  // the send time
    test::set_icmp6_checksum(forged.data());
    out.push_back({forged, counter::rx_cookie_invalid});
    return out;
}

TEST(RxLoop6, RepliesBecomeIpv6RecordsAndEveryOtherFrameIsCountedByName) {
    auto pool = test::make_pool(255);
    test::ring_port port(256, 64, pool.get());
    ASSERT_TRUE(port.ok());
    rx6_rig rig(port.id);
    frames_t frames, valid;
    for (unsigned i = 0; i < 20; ++i)
        valid.push_back(test::echo6_reply_to(rig.probe_to({target_base.hi, 1 + i}, i % 3)));
    valid.push_back(test::icmp6_error_about(rig.probe_to({target_base.hi, 77}), icmp6_type::packet_too_big, 0,
                                            1280, gateway_ip, ipv6_header_len + echo6_probe::icmp_len, 3));
    frames = valid;
    const auto ns = solicit(gateway_mac, gateway_ip, test::test_source6());
    std::array<uint8_t, nd_frame_len> na_bytes{};
    const size_t na_len = build_neighbor_advert(
        na_bytes, *parse_nd(solicit({2, 0, 0, 0, 0, 1}, test::test_source6(), gateway_ip)), gateway_mac,
        gateway_ip);
    const std::vector<uint8_t> na(na_bytes.begin(), na_bytes.begin() + long(na_len));
    std::vector<uint8_t> arp(arp_frame_len);
    build_arp_request(std::span<uint8_t, arp_frame_len>(arp.data(), arp_frame_len), gateway_mac, 0xc613fffe,
                      0xc613ff01);
    const std::vector<junk_frame> bad = junk6(rig);
    for (const auto& j : bad) frames.push_back(j.frame);
    frames.push_back(ns);
    frames.push_back(na);
    frames.push_back(arp);

    ASSERT_TRUE(test::launch_on_worker(rig));
    ASSERT_TRUE(port.inject(pool.get(), frames));
    ASSERT_TRUE(test::wait_until([&] { return rig.counters.get(counter::rx_frames) == frames.size(); }));
    const uint32_t done_us = rig.now_us();
    rig.flags.stop_rx.store(true);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);

    std::vector<result_record6> recs(rte_ring_count(rig.records.get()));
    ASSERT_EQ(rte_ring_dequeue_bulk_elem(rig.records.get(), recs.data(), sizeof(result_record6),
                                         unsigned(recs.size()), nullptr),
              recs.size());
    ASSERT_EQ(recs.size(), valid.size());
    for (size_t i = 0; i < recs.size(); ++i) {
        parsed_reply6 r;
        counter why{};
        result_record6 want{};
        ASSERT_TRUE(parse_reply6(valid[i].data(), valid[i].size(), r, why));
        ASSERT_TRUE(rig.probe.decode(r, arrival_us{done_us, done_us}, want, why));
        EXPECT_EQ(fields_of(recs[i]), fields_of(want)) << format_ipv6(want.probe_daddr);
        EXPECT_LE(recs[i].rtt_us, want.rtt_us);
    }
    EXPECT_EQ(recs.back().cls, classification::toobig);
    EXPECT_EQ(mtu_of(recs.back()), 1280u);

    counter_block want;
    want.add(counter::rx_frames, frames.size());
    want.add(counter::rx_valid, valid.size());
    want.add(counter::rx_nd, 2);
    want.add(counter::rx_arp);
    for (const auto& j : bad) want.add(j.why);
    for (size_t i = 0; i < counter_count; ++i)
        EXPECT_EQ(rig.counters.get(counter(i)), want.get(counter(i))) << counter_infos[i].name;

    const auto control = test::take_all(rig.control.get());
    ASSERT_EQ(control.size(), 3u);
    EXPECT_EQ(test::bytes_of(control[0]), ns);
    EXPECT_EQ(test::bytes_of(control[1]), na);
    EXPECT_EQ(test::bytes_of(control[2]), arp);
    test::free_all(control);
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

}  // namespace
}  // namespace ics::dpdk
