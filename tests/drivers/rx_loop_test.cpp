// rx_loop on the worker lcore, fed through a net_ring port: replies to real probes become records
// on the record ring (in order, equal to what the probe type decodes), every other frame is counted
// under its named reason and the counts add up to rx_frames, ARP frames reach the ARP ring, full
// rings are counted, the loop stops on stop_rx, and no mbuf is left behind.
#include <gtest/gtest.h>

#include <time.h>

#include <cstdlib>
#include <tuple>

#include "../unit/packet_craft.hpp"
#include "dpdk/rx_loop.hpp"
#include "net/arp.hpp"
#include "probe/echo_probe.hpp"
#include "ring_port.hpp"

namespace ics::dpdk {
namespace {

using test::expect_counters;
using frames_t = std::vector<std::vector<uint8_t>>;

constexpr ipv4_addr net_198_18 = 0xc6120000;  // 198.18.0.0
const ipv4_addr our_address = test::test_sources().ranges()[0].first;

// One RX lcore's context polling `port`, with its own record and ARP rings.
struct rx_rig {
    echo_probe probe{test::test_probe_setup()};
    counter_block counters;
    scan_flags flags;
    test::ring_ptr records, arp;
    rx_context<echo_probe> c;

    rx_rig(uint16_t port, unsigned record_slots, unsigned arp_slots)
        : records(test::make_record_ring(record_slots)), arp(test::make_ring(arp_slots)) {
        c.queues = {{port, 0}};
        c.probe = &probe;
        c.clock = tsc_clock(rte_get_tsc_hz(), rte_rdtsc(), 0);
        c.records = records.get();
        c.arp = arp.get();
        c.counters = &counters;
        c.flags = &flags;
        flags.rx_running.store(1);
    }
    int operator()() { return rx_loop(c); }
    uint32_t now_us() const { return c.clock.probe_time_us(rte_rdtsc()); }

    std::vector<result_record> take_records() {
        std::vector<result_record> out(rte_ring_count(records.get()));
        EXPECT_EQ(rte_ring_dequeue_bulk_elem(records.get(), out.data(), sizeof(result_record),
                                             unsigned(out.size()), nullptr),
                  out.size());
        return out;
    }
};

// TSC times around one run of the loop: launched, and every frame seen.
struct rx_run {
    uint64_t launched = 0, done = 0;
};

// Runs rx_loop on the worker lcore over `frames` until it has counted them all, then stops it.
rx_run run_rx(rx_rig& rig, test::ring_port& port, rte_mempool* pool, const frames_t& frames) {
    rx_run t;
    t.launched = rte_rdtsc();
    EXPECT_TRUE(test::launch_on_worker(rig));
    EXPECT_TRUE(port.inject(pool, frames));
    EXPECT_TRUE(test::wait_until([&] { return rig.counters.get(counter::rx_frames) == frames.size(); }));
    t.done = rte_rdtsc();
    rig.flags.stop_rx.store(true);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    EXPECT_EQ(rig.flags.rx_running.load(), 0u);
    return t;
}

std::vector<uint8_t> probe_to(const echo_probe& p, ipv4_addr dst, uint32_t send_us, uint32_t round,
                              ipv4_addr src = our_address) {
    std::vector<uint8_t> f(echo_probe::frame_len);
    p.build(f.data(), src, dst, send_us, round);
    return f;
}

// `n` Echo Replies to probes of rounds 0, 1, 2 in turn, sent just now.
frames_t echo_replies(const rx_rig& rig, unsigned n) {
    frames_t out;
    for (unsigned i = 0; i < n; ++i)
        out.push_back(test::echo_reply_to(probe_to(rig.probe, net_198_18 + 1 + i, rig.now_us(), i % 3)));
    return out;
}

// A copy of `f` with the IP header byte at `off` set to `v` and the header checksum fixed.
std::vector<uint8_t> with_ip_byte(std::vector<uint8_t> f, size_t off, uint8_t v) {
    f[eth_header_len + off] = v;
    test::fix_ip_checksum(f.data() + eth_header_len);
    return f;
}

std::vector<uint8_t> arp_request_for(ipv4_addr wanted) {
    std::vector<uint8_t> f(arp_frame_len);
    build_arp_request(std::span<uint8_t, arp_frame_len>(f.data(), arp_frame_len), {2, 0, 0, 0, 0, 0xfe},
                      0xc613fffe, wanted);
    return f;
}

struct junk_frame {
    std::vector<uint8_t> frame;
    counter why;
};

// One frame for every reason a frame is not a result (but a full ring), each made from a real
// probe or reply so that only the named defect stands in its way.
std::vector<junk_frame> junk(const rx_rig& rig) {
    const auto probe = probe_to(rig.probe, net_198_18 + 99, rig.now_us(), 0);
    const auto reply = test::echo_reply_to(probe);
    std::vector<junk_frame> out;
    out.push_back({{reply.begin(), reply.begin() + 30}, counter::rx_truncated});  // IPv4, cut in its header
    out.push_back({{reply.begin(), reply.begin() + 10}, counter::rx_not_ipv4});   // shorter than Ethernet
    auto ipv6 = reply;
    store_be16(ipv6.data() + 12, 0x86dd);
    out.push_back({ipv6, counter::rx_not_ipv4});
    out.push_back({with_ip_byte(reply, ip_off::ver_ihl, 0x65), counter::rx_bad_ip_header});
    auto bad_sum = reply;
    bad_sum[eth_header_len + ip_off::checksum] ^= 0xff;
    out.push_back({bad_sum, counter::rx_ip_checksum});
    out.push_back({with_ip_byte(reply, ip_off::frag, 0x20), counter::rx_fragment});  // more fragments
    out.push_back({with_ip_byte(reply, ip_off::proto, 17), counter::rx_not_icmp});
    out.push_back({probe, counter::rx_icmp_ignored});  // our own Echo Request
    out.push_back(
        {test::echo_reply_to(probe_to(rig.probe, net_198_18 + 98, rig.now_us(), 0, our_address + 1)),
         counter::rx_not_our_address});
    out.push_back({test::icmp_error_about(probe, icmp_type::dest_unreach, 1, 0xc6120101, 20),
                   counter::rx_quote_invalid});  // a quote shorter than RFC 792's 28 bytes
    auto forged = reply;
    forged[eth_header_len + ipv4_min_header_len + icmp_off::payload + 3] ^= 1;  // the send time
    test::fix_icmp_checksum(forged.data() + eth_header_len + ipv4_min_header_len,
                            echo_probe::ip_len - ipv4_min_header_len);
    out.push_back({forged, counter::rx_cookie_invalid});
    return out;
}

// What the probe type makes of `frame` (the RX loop must hand over the same record, but for the
// times it measures itself).
result_record decoded(const echo_probe& probe, const std::vector<uint8_t>& frame, uint32_t at_us) {
    result_record rec{};
    counter why{};
    EXPECT_TRUE(test::decode(probe, frame, at_us, rec, why)) << counter_infos[size_t(why)].name;
    return rec;
}

// Every field of a record but the times, as a tuple (records have padding: no memcmp).
auto fields_of(const result_record& r) {
    return std::tie(r.saddr, r.daddr, r.probe_daddr, r.ipid, r.icmp_id, r.seq, r.ttl, r.type, r.code,
                    r.probe_ttl, r.quoted_ttl, r.cls, r.round, r.success, r.flags, r.mpls, r.mpls_count,
                    r.mpls_object_len, r.quote_ip_len);
}

// Every field as the probe type decodes it; the RTT within the run (the reply arrived after its
// probe and before the test saw it counted: no more than the RTT to then), the receive time
// between launch and then.
void expect_record(const rx_rig& rig, const result_record& got, const std::vector<uint8_t>& frame,
                   const rx_run& t) {
    const result_record at_done = decoded(rig.probe, frame, rig.c.clock.probe_time_us(t.done));
    EXPECT_EQ(fields_of(got), fields_of(at_done)) << format_ipv4(got.probe_daddr);
    EXPECT_LE(got.rtt_us, at_done.rtt_us);
    EXPECT_GE(got.rtt_err_us, 1u);
    EXPECT_GE(got.rx_tsc + rig.c.clock.cycles_from_us(2), t.launched);
    EXPECT_LE(got.rx_tsc, t.done);
}

TEST(RxLoop, RepliesBecomeRecordsAndEveryOtherFrameIsCountedByName) {
    auto pool = test::make_pool(1023);
    test::ring_port port(1024, 64, pool.get());
    ASSERT_TRUE(port.ok());
    rx_rig rig(port.id, 1024, 64);
    const frames_t replies = echo_replies(rig, 40);
    const auto error = test::icmp_error_about(probe_to(rig.probe, net_198_18 + 77, rig.now_us(), 1),
                                              icmp_type::time_exceeded, 0, 0xc6120101, 28);
    const auto arp = arp_request_for(our_address);
    const std::vector<junk_frame> bad = junk(rig);
    // Valid and junk interleaved, over several bursts: replies 0-19, the junk, the error, the ARP
    // frame, replies 20-39.
    frames_t frames(replies.begin(), replies.begin() + 20), valid(frames);
    for (const auto& j : bad) frames.push_back(j.frame);
    frames.push_back(error);
    valid.push_back(error);
    frames.push_back(arp);
    frames.insert(frames.end(), replies.begin() + 20, replies.end());
    valid.insert(valid.end(), replies.begin() + 20, replies.end());

    const rx_run t = run_rx(rig, port, pool.get(), frames);
    const std::vector<result_record> recs = rig.take_records();
    ASSERT_EQ(recs.size(), valid.size());
    for (size_t i = 0; i < recs.size(); ++i) expect_record(rig, recs[i], valid[i], t);
    EXPECT_EQ(recs[20].cls, classification::timxceed);
    EXPECT_EQ(recs[20].success, 0);

    counter_block want;
    want.add(counter::rx_frames, frames.size());
    want.add(counter::rx_valid, valid.size());
    want.add(counter::rx_arp);
    for (const auto& j : bad) want.add(j.why);
    for (size_t i = 0; i < counter_count; ++i)
        EXPECT_EQ(rig.counters.get(counter(i)), want.get(counter(i))) << counter_infos[i].name;
    uint64_t reasons = 0;  // every frame once: a record, the ARP ring, or one drop reason
    for (size_t i = 0; i < counter_count; ++i)
        if (counter(i) != counter::rx_frames && counter_infos[i].name.starts_with("rx_"))
            reasons += rig.counters.get(counter(i));
    EXPECT_EQ(reasons, rig.counters.get(counter::rx_frames));

    const auto arp_frames = test::take_all(rig.arp.get());
    ASSERT_EQ(arp_frames.size(), 1u);
    EXPECT_EQ(test::bytes_of(arp_frames[0]), arp);
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 1u);  // the ARP frame, handed on
    test::free_all(arp_frames);
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// A reply stamped half a second after it arrived: the clocks disagree; it is kept, counted and
// flagged, with RTT 0 and the window's close as its receive time.
TEST(RxLoop, ReplyBeforeItsSendStampIsFlaggedNotDropped) {
    auto pool = test::make_pool(255);
    test::ring_port port(256, 64, pool.get());
    ASSERT_TRUE(port.ok());
    rx_rig rig(port.id, 64, 64);
    const auto reply = test::echo_reply_to(probe_to(rig.probe, net_198_18 + 5, rig.now_us() + 500000, 0));
    const rx_run t = run_rx(rig, port, pool.get(), {reply});
    const std::vector<result_record> recs = rig.take_records();
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].rtt_us, 0u);
    EXPECT_EQ(recs[0].flags, record_flag::clock_disagrees);
    EXPECT_EQ(recs[0].probe_daddr, net_198_18 + 5);
    EXPECT_GE(recs[0].rx_tsc, t.launched);
    EXPECT_LE(recs[0].rx_tsc, t.done);
    expect_counters(rig.counters,
                    {{counter::rx_frames, 1}, {counter::rx_valid, 1}, {counter::rx_clock_disagrees, 1}});
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// The output lcore not keeping up: the record ring (15 slots) takes the first records in order,
// the rest are counted as rx_ring_full; every mbuf is freed either way.
TEST(RxLoop, FullRecordRingIsCounted) {
    auto pool = test::make_pool(255);
    test::ring_port port(256, 64, pool.get());
    ASSERT_TRUE(port.ok());
    rx_rig rig(port.id, 16, 64);
    const frames_t replies = echo_replies(rig, 40);
    const rx_run t = run_rx(rig, port, pool.get(), replies);
    const std::vector<result_record> recs = rig.take_records();
    ASSERT_EQ(recs.size(), 15u);
    for (size_t i = 0; i < recs.size(); ++i) expect_record(rig, recs[i], replies[i], t);
    expect_counters(rig.counters,
                    {{counter::rx_frames, 40}, {counter::rx_valid, 15}, {counter::rx_ring_full, 25}});
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// The control lcore not keeping up: the ARP ring (3 slots) keeps the first three, the other two
// are counted and freed.
TEST(RxLoop, FullArpRingIsCountedAndFreed) {
    auto pool = test::make_pool(255);
    test::ring_port port(256, 64, pool.get());
    ASSERT_TRUE(port.ok());
    rx_rig rig(port.id, 64, 4);
    frames_t frames;
    for (unsigned i = 0; i < 5; ++i) frames.push_back(arp_request_for(our_address + i));
    run_rx(rig, port, pool.get(), frames);
    const auto kept = test::take_all(rig.arp.get());
    ASSERT_EQ(kept.size(), 3u);
    for (size_t i = 0; i < kept.size(); ++i) EXPECT_EQ(test::bytes_of(kept[i]), frames[i]);
    expect_counters(rig.counters,
                    {{counter::rx_frames, 5}, {counter::rx_arp, 5}, {counter::rx_arp_ring_full, 2}});
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 3u);
    test::free_all(kept);
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}

// A queue whose af_packet ring carries the kernel's receive stamps (a ring of 4 slots here, the
// burst's frames in slots 3, 0 and 1): a stamped reply's RTT runs from its send stamp to its stamp,
// within its bound, wherever the poll window lies, and its receive time is the stamp's; a slot
// that holds another frame, or a stamp after the RX lcore's clock reading, is refused and counted,
// and that reply keeps the window; the ring's next slot moves past the burst.
TEST(RxLoop, RingStampsReplaceThePollWindow) {
    auto pool = test::make_pool(255);
    rx_rig rig(0, 64, 64);
    rig.c.clock = tsc_clock(rte_get_tsc_hz(), rte_rdtsc() - rte_get_tsc_hz(), 0);  // a second ago
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    const uint64_t t0 = rte_rdtsc(), wall0_ns = uint64_t(ts.tv_sec) * 1000000000 + uint64_t(ts.tv_nsec);
    const uint32_t sent_us = rig.c.clock.probe_time_us(t0) - 5000;  // 5 ms ago, stamped 3 ms ago
    const uint64_t stamps[] = {wall0_ns - 3'000'000, wall0_ns - 3'000'000, wall0_ns + 60'000'000'000};
    std::vector<uint8_t> ring(4 * 2048);
    rx_ring_stamps view{ring.data(), 2048, 4, 3};
    std::vector<rte_mbuf*> bufs;
    for (unsigned i = 0; i < 3; ++i) {
        const auto reply = test::echo_reply_to(probe_to(rig.probe, net_198_18 + 1 + i, sent_us, 0));
        uint8_t* slot = ring.data() + size_t((3 + i) % 4) * 2048;
        auto* h = reinterpret_cast<tpacket2_hdr*>(slot);
        h->tp_sec = uint32_t(stamps[i] / 1000000000);
        h->tp_nsec = uint32_t(stamps[i] % 1000000000);
        h->tp_snaplen = h->tp_len = uint32_t(reply.size());
        h->tp_mac = 66;
        std::copy(reply.begin(), reply.end(), slot + h->tp_mac);
        if (i == 1) slot[h->tp_mac + 40] ^= 1;  // another frame than the PMD copied out
        bufs.push_back(test::mbuf_of(pool.get(), reply));
        ASSERT_NE(bufs.back(), nullptr);
    }
    const poll_window window{t0 - rig.c.clock.cycles_from_us(10000), rte_rdtsc()};
    rx_process_burst(rig.c, bufs.data(), unsigned(bufs.size()), window, &view);
    EXPECT_EQ(view.next, 2u);
    const std::vector<result_record> recs = rig.take_records();
    ASSERT_EQ(recs.size(), 3u);
    EXPECT_EQ(recs[0].rtt_err_us, 3u);  // 1 us, and 1 us either way for the stamp's 3 ms of age
    EXPECT_LE(std::abs(int64_t(recs[0].rtt_us) - 2000), 3) << recs[0].rtt_us;
    const int64_t arrival = int64_t(t0 - rig.c.clock.cycles_from_us(3000));
    EXPECT_LE(std::abs(int64_t(recs[0].rx_tsc) - arrival), int64_t(rig.c.clock.cycles_from_us(3)));
    for (size_t i : {1u, 2u}) {  // the window: from the send stamp (after it opened) to its close
        const uint32_t to_close = rig.c.clock.probe_time_us(window.closed) - sent_us;
        EXPECT_EQ(recs[i].rtt_us, to_close - to_close / 2) << i;
        EXPECT_EQ(recs[i].rtt_err_us, to_close - to_close / 2 + 1) << i;
    }
    expect_counters(rig.counters,
                    {{counter::rx_frames, 3}, {counter::rx_valid, 3}, {counter::rx_stamp_refused, 2}});
    EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u);
}
}  // namespace
}  // namespace ics::dpdk
