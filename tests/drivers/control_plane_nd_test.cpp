// control_plane's Neighbour Discovery (IPv6 runs) on a net_ring port, as control_plane_test.cpp
// is for ARP: solicitations for each of our addresses are answered with a solicited advertisement,
// nothing else is; the gateway is resolved from its advertisement answering our solicitation, or
// from its own solicitation for us; advertisements nobody asked for, or for another address, are
// never learned from; a second MAC for the gateway is a counted claim. Every ND frame lands in
// exactly one nd_* counter.
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
const ipv6_addr own_ip = *parse_ipv6("2001:db8:ff::1");  // and ::2
const ipv6_addr gateway_ip = *parse_ipv6("2001:db8:ff::fe");
const ipv6_addr stranger_ip = *parse_ipv6("2001:db8:ff::77");
const interval_set no_ipv4;
const ipv6_range_set own6({*parse_ipv6_prefix("2001:db8:ff::1/128"),
                           *parse_ipv6_prefix("2001:db8:ff::2/128")});

// A solicitation from `from` asking for `wanted`, as a neighbour sends it.
std::vector<uint8_t> solicit(const mac& from_mac, const ipv6_addr& from, const ipv6_addr& wanted) {
    std::array<uint8_t, nd_frame_len> f{};
    build_neighbor_solicit(f, from_mac, from, wanted);
    return {f.begin(), f.end()};
}

// `who` at `who_mac` answering a solicitation that `asker` sent for `who`.
std::vector<uint8_t> advert(const mac& who_mac, const ipv6_addr& who, const mac& asker_mac,
                            const ipv6_addr& asker) {
    const auto question = parse_nd(solicit(asker_mac, asker, who));
    std::array<uint8_t, nd_frame_len> f{};
    const size_t len = build_neighbor_advert(f, *question, who_mac, who);
    return {f.begin(), f.begin() + long(len)};
}

struct nd_rig {
    test::pool_ptr pool = test::make_pool(255);
    test::ring_port port{64, 64, pool.get()};
    test::ring_ptr ring = test::make_ring(64);
    counter_block counters;
    control_plane plane{
        port.id, std::optional<uint16_t>(0), pool.get(), own_mac, no_ipv4, {ring.get()}, counters, &own6};

    void arrives(const std::vector<uint8_t>& frame) {
        rte_mbuf* m = test::mbuf_of(pool.get(), frame);
        ASSERT_NE(m, nullptr);
        ASSERT_EQ(rte_ring_enqueue(ring.get(), m), 0);
    }
    void expect_nd_counters(std::initializer_list<std::pair<counter, uint64_t>> want) const {
        for (counter c :
             {counter::nd_malformed, counter::nd_answered, counter::nd_not_answered, counter::nd_not_ours,
              counter::nd_gateway, counter::nd_unsolicited, counter::nd_gateway_claims}) {
            uint64_t expected = 0;
            for (auto [k, v] : want)
                if (k == c) expected = v;
            EXPECT_EQ(counters.get(c), expected) << counter_infos[size_t(c)].name;
        }
    }
};

// Our advertisement of `ip`, solicited, to the asker.
void expect_advert(const std::vector<uint8_t>& f, const mac& asker_mac, const ipv6_addr& asker,
                   const ipv6_addr& ip) {
    const auto m = parse_nd(f);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, nd_neighbor_advert);
    EXPECT_TRUE(std::equal(f.begin(), f.begin() + 6, asker_mac.begin()));
    EXPECT_EQ(m->eth_src, own_mac);
    EXPECT_EQ(m->src, ip);
    EXPECT_EQ(m->dst, asker);
    EXPECT_EQ(m->target, ip);
    EXPECT_TRUE(m->solicited);
    EXPECT_TRUE(m->has_link_addr);
    EXPECT_EQ(m->link_addr, own_mac);
}

TEST(ControlPlaneNd, AnswersSolicitationsForEachOfOurAddressesOnly) {
    nd_rig rig;
    ASSERT_TRUE(rig.port.ok());
    rig.arrives(solicit(gateway_mac, gateway_ip, own_ip));
    rig.arrives(solicit(gateway_mac, gateway_ip, *parse_ipv6("2001:db8:ff::2")));
    rig.arrives(solicit(gateway_mac, gateway_ip, stranger_ip));       // not ours: never answered
    rig.arrives(advert(stranger_mac, stranger_ip, own_mac, own_ip));  // an advertisement nobody asked for
    auto bad = solicit(gateway_mac, gateway_ip, own_ip);
    bad[eth_header_len + ip6_off::hop_limit] = 64;  // RFC 4861 7.1: not from the link itself
    rig.arrives(bad);
    rig.plane.poll();
    const auto sent = rig.port.sent();
    ASSERT_EQ(sent.size(), 2u);
    expect_advert(sent[0], gateway_mac, gateway_ip, own_ip);
    expect_advert(sent[1], gateway_mac, gateway_ip, *parse_ipv6("2001:db8:ff::2"));
    rig.expect_nd_counters({{counter::nd_answered, 2},
                            {counter::nd_not_ours, 1},
                            {counter::nd_unsolicited, 1},
                            {counter::nd_malformed, 1}});
    EXPECT_EQ(rte_mempool_in_use_count(rig.pool.get()), 0u);
}

// The gateway on the worker lcore answers each of our solicitations with `answer(request)`.
struct gateway_side {
    nd_rig& rig;
    bool answer_with_advert;  // else: the gateway solicits us instead
    std::vector<std::vector<uint8_t>> requests;
    int operator()() {
        std::vector<std::vector<uint8_t>> got;
        if (!test::wait_until([&] { return !(got = rig.port.sent()).empty(); })) return 1;
        requests = got;
        rig.arrives(answer_with_advert ? advert(gateway_mac, gateway_ip, own_mac, own_ip)
                                       : solicit(gateway_mac, gateway_ip, own_ip));
        return 0;
    }
};

TEST(ControlPlaneNd, ResolvesTheGatewayFromItsAdvertisement) {
    nd_rig rig;
    ASSERT_TRUE(rig.port.ok());
    gateway_side gw{rig, true, {}};
    ASSERT_TRUE(test::launch_on_worker(gw));
    const result<mac> got = rig.plane.resolve(gateway_ip, own_ip, 3, "ring", nullptr);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    ASSERT_TRUE(got) << got.error_message();
    EXPECT_EQ(*got, gateway_mac);
    ASSERT_EQ(gw.requests.size(), 1u);
    const auto ns = parse_nd(gw.requests[0]);
    ASSERT_TRUE(ns);
    EXPECT_EQ(ns->type, nd_neighbor_solicit);
    EXPECT_EQ(ns->src, own_ip);
    EXPECT_EQ(ns->target, gateway_ip);
    rig.expect_nd_counters({{counter::nd_gateway, 1}});
}

TEST(ControlPlaneNd, LearnsTheGatewayFromItsOwnSolicitationAndAnswersIt) {
    nd_rig rig;
    ASSERT_TRUE(rig.port.ok());
    gateway_side gw{rig, false, {}};
    ASSERT_TRUE(test::launch_on_worker(gw));
    const result<mac> got = rig.plane.resolve(gateway_ip, own_ip, 3, "ring", nullptr);
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    ASSERT_TRUE(got) << got.error_message();
    EXPECT_EQ(*got, gateway_mac);
    const auto after = rig.port.sent();
    ASSERT_EQ(after.size(), 1u);
    expect_advert(after[0], gateway_mac, gateway_ip, own_ip);
    rig.expect_nd_counters({{counter::nd_answered, 1}});
}

// Advertisements for the gateway that we did not ask for (before resolving: no question was out)
// and a stranger's solicited-looking one are never learned from; resolving then finds nothing
// and says what to check.
TEST(ControlPlaneNd, NeverLearnsFromUnsolicitedAdvertisements) {
    nd_rig rig;
    ASSERT_TRUE(rig.port.ok());
    rig.arrives(advert(stranger_mac, stranger_ip, own_mac, own_ip));  // another target than the gateway
    auto unsolicited = advert(gateway_mac, gateway_ip, own_mac, own_ip);
    rig.plane.poll();  // before any question: nothing is wanted yet
    rig.arrives(unsolicited);
    rig.plane.poll();
    const result<mac> got = rig.plane.resolve(gateway_ip, own_ip, 1, "ring", nullptr);
    ASSERT_FALSE(got);
    EXPECT_EQ(
        got.error_message(),
        "the gateway 2001:db8:ff::fe did not answer 1 Neighbour Solicitations sent from 2001:db8:ff::1 on "
        "port ring: check --gateway-ip and the link, or give the gateway's MAC with -G/--gateway-mac");
    rig.expect_nd_counters({{counter::nd_unsolicited, 2}});
}

// Two advertisements answering our question, the gateway's first: its MAC is taken, the other is
// a claim, counted (one queued before the question is no answer: unsolicited); after resolving, a
// solicitation from the gateway's address with another MAC is a claim too.
TEST(ControlPlaneNd, AnotherMacForTheGatewayIsAClaim) {
    nd_rig rig;
    ASSERT_TRUE(rig.port.ok());
    rig.arrives(advert(stranger_mac, gateway_ip, own_mac, own_ip));  // before the question
    const result<mac> got = test::resolve_answered(rig, gateway_ip, own_ip,
                                                   {advert(gateway_mac, gateway_ip, own_mac, own_ip),
                                                    advert(stranger_mac, gateway_ip, own_mac, own_ip)});
    ASSERT_TRUE(got) << got.error_message();
    EXPECT_EQ(*got, gateway_mac);
    rig.plane.keep_gateway(gateway_ip, *got);
    rig.arrives(solicit(stranger_mac, gateway_ip, own_ip));
    rig.plane.poll();
    rig.expect_nd_counters({{counter::nd_gateway, 2},
                            {counter::nd_unsolicited, 1},
                            {counter::nd_gateway_claims, 2},
                            {counter::nd_answered, 1}});
    ASSERT_TRUE(rig.plane.first_gateway_claim());
    EXPECT_EQ(*rig.plane.first_gateway_claim(), stranger_mac);
}

}  // namespace
}  // namespace ics::dpdk
