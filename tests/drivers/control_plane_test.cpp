// control_plane on a net_ring port: ARP requests for each of our addresses (coming through an RX
// lcore's ARP ring) are answered on the port's TX queue, nothing else is; without a TX queue
// nothing is sent; the gateway is resolved from its reply or its own request, a stranger's reply
// is not taken for it, the attempts run out with every request sent, and a stop ends it at once.
// Every ARP frame lands in exactly one arp_* counter; gratuitous and unsolicited messages claiming
// the gateway's address are never learned from, during resolution or after it.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>

#include "dpdk/control_plane.hpp"
#include "net/headers.hpp"
#include "ring_port.hpp"

namespace ics::dpdk {
namespace {

const mac own_mac{0x02, 0, 0, 0, 0, 0x01};
const mac gateway_mac{0x02, 0, 0, 0, 0, 0xfe};
const mac stranger_mac{0x02, 0, 0, 0, 0, 0x77};
constexpr ipv4_addr own_ip = 0xc613ff01;      // 198.19.255.1 (and .2, .3)
constexpr ipv4_addr gateway_ip = 0xc613fffe;  // 198.19.255.254
const interval_set own_addresses({{own_ip, own_ip + 2}});

std::vector<uint8_t> arp_frame(uint16_t op, const mac& sender_mac, ipv4_addr sender_ip, ipv4_addr target_ip) {
    std::vector<uint8_t> f(arp_frame_len);
    std::span<uint8_t, arp_frame_len> out(f.data(), arp_frame_len);
    if (op == arp_op_request) {
        build_arp_request(out, sender_mac, sender_ip, target_ip);
    } else {
        arp_message asked{arp_op_request, own_mac, target_ip, {}, sender_ip};
        build_arp_reply(out, asked, sender_mac, sender_ip);
    }
    return f;
}

// An ARP reply from `sender` to an asker at `target_ip` / `target_mac`, however it was asked.
std::vector<uint8_t> arp_reply_to(const mac& sender_mac, ipv4_addr sender_ip, const mac& target_mac,
                                  ipv4_addr target_ip) {
    std::vector<uint8_t> f(arp_frame_len);
    arp_message asked{arp_op_request, target_mac, target_ip, {}, sender_ip};
    build_arp_reply(std::span<uint8_t, arp_frame_len>(f.data(), arp_frame_len), asked, sender_mac, sender_ip);
    return f;
}

// The control lcore's plane on a port of its own, reading one ARP ring.
struct control_rig {
    test::pool_ptr pool = test::make_pool(255);
    test::ring_port port{64, 64, pool.get()};
    test::ring_ptr arp = test::make_ring(64);
    counter_block counters;
    control_plane plane;

    explicit control_rig(bool tx_queue = true)
        : plane(port.id, tx_queue ? std::optional<uint16_t>(0) : std::nullopt, pool.get(), own_mac,
                own_addresses, {arp.get()}, counters) {}
    // Every arp_* counter: the named ones must hold `want`, the others zero.
    void expect_arp_counters(std::initializer_list<std::pair<counter, uint64_t>> want) const {
        for (counter c : {counter::arp_malformed, counter::arp_gratuitous, counter::arp_answered,
                          counter::arp_not_answered, counter::arp_not_ours, counter::arp_gateway,
                          counter::arp_unsolicited}) {
            uint64_t expected = 0;
            for (auto [k, v] : want)
                if (k == c) expected = v;
            EXPECT_EQ(counters.get(c), expected) << counter_infos[size_t(c)].name;
        }
    }
    // Puts a frame on the ARP ring, as an RX lcore does (called from one thread at a time).
    void arrives(const std::vector<uint8_t>& frame) {
        rte_mbuf* m = test::mbuf_of(pool.get(), frame);
        ASSERT_NE(m, nullptr);
        ASSERT_EQ(rte_ring_enqueue(arp.get(), m), 0);
    }
};

// An ARP reply from us (padded to 60 bytes) answering `asker` about `ip`.
void expect_reply(const std::vector<uint8_t>& f, const mac& asker_mac, ipv4_addr asker_ip, ipv4_addr ip) {
    ASSERT_EQ(f.size(), 60u);
    EXPECT_TRUE(std::equal(f.begin(), f.begin() + 6, asker_mac.begin()));
    EXPECT_TRUE(std::equal(f.begin() + 6, f.begin() + 12, own_mac.begin()));
    EXPECT_TRUE(std::all_of(f.begin() + arp_frame_len, f.end(), [](uint8_t b) { return b == 0; }));
    const auto m = parse_arp(f);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->op, arp_op_reply);
    EXPECT_EQ(m->sender_mac, own_mac);
    EXPECT_EQ(m->sender_ip, ip);
    EXPECT_EQ(m->target_mac, asker_mac);
    EXPECT_EQ(m->target_ip, asker_ip);
}

// Our broadcast request for the gateway.
void expect_gateway_request(const std::vector<uint8_t>& f) {
    ASSERT_EQ(f.size(), 60u);
    EXPECT_TRUE(std::all_of(f.begin(), f.begin() + 6, [](uint8_t b) { return b == 0xff; }));
    const auto m = parse_arp(f);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->op, arp_op_request);
    EXPECT_EQ(m->sender_mac, own_mac);
    EXPECT_EQ(m->sender_ip, own_ip);
    EXPECT_EQ(m->target_ip, gateway_ip);
}

TEST(ControlPlane, AnswersRequestsForEachOfOurAddressesOnly) {
    control_rig rig;
    ASSERT_TRUE(rig.port.ok());
    for (ipv4_addr ip = own_ip; ip <= own_ip + 3; ++ip)
        rig.arrives(arp_frame(arp_op_request, gateway_mac, gateway_ip, ip));
    rig.arrives(arp_frame(arp_op_reply, gateway_mac, gateway_ip, own_ip));  // a reply is not a question
    rig.arrives({0xff, 0xff, 0xff});                                        // not ARP at all
    rig.plane.poll();
    const auto sent = rig.port.sent();
    ASSERT_EQ(sent.size(), 3u);  // .1, .2, .3; not .4
    for (unsigned i = 0; i < 3; ++i) expect_reply(sent[i], gateway_mac, gateway_ip, own_ip + i);
    EXPECT_EQ(rig.plane.arp_replies_sent(), 3u);
    rig.expect_arp_counters({{counter::arp_answered, 3},
                             {counter::arp_not_ours, 1},
                             {counter::arp_unsolicited, 1},
                             {counter::arp_malformed, 1}});
    EXPECT_TRUE(rte_ring_empty(rig.arp.get()));
    EXPECT_EQ(rte_mempool_in_use_count(rig.pool.get()), 0u);
}

TEST(ControlPlane, WithoutATxQueueSendsNothing) {
    control_rig rig(false);
    ASSERT_TRUE(rig.port.ok());
    rig.arrives(arp_frame(arp_op_request, gateway_mac, gateway_ip, own_ip));
    rig.plane.poll();
    EXPECT_TRUE(rig.port.sent().empty());
    EXPECT_EQ(rig.plane.arp_replies_sent(), 0u);
    rig.expect_arp_counters({{counter::arp_not_answered, 1}});
    EXPECT_EQ(rte_mempool_in_use_count(rig.pool.get()), 0u);
}

// The gateway's side on the worker lcore: waits for each of our requests and answers with
// `answer` (or nothing if empty); returns how many requests it saw.
struct gateway_side {
    control_rig& rig;
    std::vector<uint8_t> answer;
    unsigned requests_expected;
    std::vector<std::vector<uint8_t>> requests;
    int operator()() {
        while (requests.size() < requests_expected) {
            std::vector<std::vector<uint8_t>> got;
            if (!test::wait_until([&] { return !(got = rig.port.sent()).empty(); })) return 1;
            for (auto& f : got) {
                requests.push_back(std::move(f));
                if (!answer.empty()) rig.arrives(answer);
            }
        }
        return 0;
    }
};

TEST(ControlPlane, ResolvesTheGatewayFromItsReply) {
    control_rig rig;
    ASSERT_TRUE(rig.port.ok());
    gateway_side gw{rig, arp_frame(arp_op_reply, gateway_mac, gateway_ip, own_ip), 1, {}};
    ASSERT_TRUE(test::launch_on_worker(gw));
    const result<mac> got = rig.plane.resolve(gateway_ip, own_ip, 3, "ring", nullptr);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    ASSERT_TRUE(got) << got.error_message();
    EXPECT_EQ(*got, gateway_mac);
    ASSERT_EQ(gw.requests.size(), 1u);
    expect_gateway_request(gw.requests[0]);
    // A late second request (only if the answer took over a second) would be the same request.
    for (const auto& f : rig.port.sent()) expect_gateway_request(f);
    EXPECT_EQ(rig.plane.arp_replies_sent(), 0u);
    EXPECT_EQ(rte_mempool_in_use_count(rig.pool.get()), 0u);
}

// A gateway that asks for us before it answers: we learn its MAC from its request, and answer it.
TEST(ControlPlane, LearnsTheGatewayFromItsOwnRequestAndAnswersIt) {
    control_rig rig;
    ASSERT_TRUE(rig.port.ok());
    gateway_side gw{rig, arp_frame(arp_op_request, gateway_mac, gateway_ip, own_ip), 1, {}};
    ASSERT_TRUE(test::launch_on_worker(gw));
    const result<mac> got = rig.plane.resolve(gateway_ip, own_ip, 3, "ring", nullptr);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    ASSERT_TRUE(got) << got.error_message();
    EXPECT_EQ(*got, gateway_mac);
    ASSERT_EQ(gw.requests.size(), 1u);
    expect_gateway_request(gw.requests[0]);
    const auto after = rig.port.sent();
    ASSERT_EQ(after.size(), 1u);
    expect_reply(after[0], gateway_mac, gateway_ip, own_ip);
    EXPECT_EQ(rig.plane.arp_replies_sent(), 1u);
}

// Only the gateway's own answer counts: a stranger answering every request leaves it unresolved
// after exactly `attempts` requests, with a sentence that says what to check.
TEST(ControlPlane, GivesUpAfterItsAttemptsWhenOnlyAStrangerAnswers) {
    control_rig rig;
    ASSERT_TRUE(rig.port.ok());
    gateway_side gw{rig, arp_frame(arp_op_reply, stranger_mac, gateway_ip + 1, own_ip), 2, {}};
    ASSERT_TRUE(test::launch_on_worker(gw));
    const result<mac> got = rig.plane.resolve(gateway_ip, own_ip, 2, "ring", nullptr);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error_message(),
              "the gateway 198.19.255.254 did not answer 2 ARP requests sent from 198.19.255.1 on port ring: "
              "check --gateway-ip and the link, or give the gateway's MAC with -G/--gateway-mac");
    ASSERT_EQ(gw.requests.size(), 2u);
    for (const auto& f : gw.requests) expect_gateway_request(f);
    EXPECT_TRUE(rig.port.sent().empty());
    EXPECT_EQ(rte_mempool_in_use_count(rig.pool.get()), 0u);
}

// Before the gateway's answer, four claims of its address with another MAC are waiting: two
// gratuitous (a request and a reply), a reply to an address that is not ours and one to our address
// but another MAC. None is taken; the answer to our request is, and later claims change nothing
// but arp_gateway_claims.
TEST(ControlPlane, NeverLearnsTheGatewayFromGratuitousOrUnsolicitedArp) {
    control_rig rig;
    ASSERT_TRUE(rig.port.ok());
    rig.arrives(arp_frame(arp_op_request, stranger_mac, gateway_ip, gateway_ip));
    rig.arrives(arp_reply_to(stranger_mac, gateway_ip, own_mac, gateway_ip));
    rig.arrives(arp_reply_to(stranger_mac, gateway_ip, own_mac, own_ip + 7));
    rig.arrives(arp_reply_to(stranger_mac, gateway_ip, stranger_mac, own_ip));
    gateway_side gw{rig, arp_frame(arp_op_reply, gateway_mac, gateway_ip, own_ip), 1, {}};
    ASSERT_TRUE(test::launch_on_worker(gw));
    const result<mac> got = rig.plane.resolve(gateway_ip, own_ip, 3, "ring", nullptr);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    ASSERT_TRUE(got) << got.error_message();
    EXPECT_EQ(*got, gateway_mac);
    EXPECT_EQ(rig.counters.get(counter::arp_gateway_claims), 0u);  // nothing to compare with yet
    // After resolution even a reply shaped as the answer to our request is unsolicited; claims of
    // the gateway's address with another MAC are counted apart too (the gateway's own are not).
    rig.plane.keep_gateway(gateway_ip, *got);
    rig.arrives(arp_frame(arp_op_reply, stranger_mac, gateway_ip, own_ip));
    rig.arrives(arp_frame(arp_op_request, stranger_mac, gateway_ip, gateway_ip));
    rig.arrives(arp_frame(arp_op_reply, gateway_mac, gateway_ip, own_ip));
    rig.plane.poll();
    rig.expect_arp_counters(
        {{counter::arp_gratuitous, 3}, {counter::arp_unsolicited, 4}, {counter::arp_gateway, 1}});
    EXPECT_EQ(rig.counters.get(counter::arp_gateway_claims), 2u);
    for (const auto& f : rig.port.sent()) expect_gateway_request(f);
    EXPECT_EQ(rte_mempool_in_use_count(rig.pool.get()), 0u);
}

// Two answers to our request in one burst, the gateway's first: its MAC is taken, the other is a
// claim, counted. A reply queued before the request is no answer to it (unsolicited).
TEST(ControlPlane, ASecondAnswerForTheGatewayIsAClaim) {
    control_rig rig;
    ASSERT_TRUE(rig.port.ok());
    rig.arrives(arp_frame(arp_op_reply, stranger_mac, gateway_ip, own_ip));  // before the question
    const result<mac> got =
        test::resolve_answered(rig, gateway_ip, own_ip,
                               {arp_frame(arp_op_reply, gateway_mac, gateway_ip, own_ip),
                                arp_frame(arp_op_reply, stranger_mac, gateway_ip, own_ip)});
    ASSERT_TRUE(got) << got.error_message();
    EXPECT_EQ(*got, gateway_mac);
    rig.plane.poll();  // the second answer, if resolve() returned on the first
    rig.expect_arp_counters({{counter::arp_gateway, 2}, {counter::arp_unsolicited, 1}});
    EXPECT_EQ(rig.counters.get(counter::arp_gateway_claims), 1u);
    EXPECT_EQ(rte_mempool_in_use_count(rig.pool.get()), 0u);
}

TEST(ControlPlane, StopSignalEndsResolutionBeforeAnyRequest) {
    control_rig rig;
    ASSERT_TRUE(rig.port.ok());
    const std::atomic<int> signals{1};
    const result<mac> got = rig.plane.resolve(gateway_ip, own_ip, 3, "ring", &signals);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error_message(), "stopped by a signal while resolving the gateway by ARP");
    EXPECT_TRUE(rig.port.sent().empty());
}

}  // namespace
}  // namespace ics::dpdk
