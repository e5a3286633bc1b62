// EAL arguments from the friendly flags: devices, queues and the lcore-to-CPU placement.
#include "dpdk/eal_args.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace ics;
using namespace ics::dpdk;

namespace {
std::string arg_starting(const std::vector<std::string>& args, std::string_view prefix) {
    for (const auto& a : args)
        if (a.rfind(prefix, 0) == 0) return a;
    return "";
}
bool has(const std::vector<std::string>& args, std::string_view a) {
    return std::find(args.begin(), args.end(), a) != args.end();
}
}  // namespace

TEST(EalArgs, InterfaceBecomesAfPacketWithEveryRxQueuePolled) {
    port_config port;
    port.iface = "scan0";
    lcore_config cfg;
    cfg.tx_cores = 2;
    auto q = plan_queues(port, cfg);
    EXPECT_EQ(q.tx_queues_on(0), 3u);  // one per TX lcore + the control queue
    EXPECT_EQ(q.tx_port(q.control_slot()), 0u);
    EXPECT_EQ(q.tx_queue(q.control_slot()), 2u);
    EXPECT_EQ(q.rx_queues, 3u);  // af_packet fans out over every queue pair
    auto args = build_eal_args(port, cfg, plan_lcores(cfg), q, {0, 1, 2, 3, 4, 5});
    EXPECT_EQ(arg_starting(args, "--vdev="),
              "--vdev=net_af_packet0,iface=scan0,qpairs=3,qdisc_bypass=1,framecnt=4096,framesz=2048");
    EXPECT_TRUE(has(args, "--in-memory"));
    EXPECT_TRUE(has(args, "--no-pci"));
}

TEST(EalArgs, PciAndDryRun) {
    lcore_config cfg;
    port_config pci;
    pci.pci = "0000:3b:00.0";
    auto args = build_eal_args(pci, cfg, plan_lcores(cfg), plan_queues(pci, cfg), {0, 1, 2, 3});
    EXPECT_TRUE(has(args, "-a"));
    EXPECT_TRUE(has(args, "0000:3b:00.0"));
    EXPECT_EQ(plan_queues(pci, cfg).rx_queues, 1u);
    port_config dry;
    dry.dryrun_pcap = "/tmp/x.pcap";
    auto q = plan_queues(dry, cfg);
    EXPECT_EQ(q.tx_queues_on(0), 1u);
    EXPECT_FALSE(q.control);
    cfg.no_huge = true;
    args = build_eal_args(dry, cfg, plan_lcores(cfg), q, {0});
    EXPECT_EQ(arg_starting(args, "--vdev="), "--vdev=net_pcap0,tx_pcap=/tmp/x.pcap");
    EXPECT_TRUE(has(args, "--no-huge"));
    EXPECT_TRUE(has(args, "--no-shconf"));  // --in-memory is refused with --no-huge
    EXPECT_FALSE(has(args, "--in-memory"));
}

TEST(EalArgs, SeveralVdevsAreOnePortEachWithTxLcoresTakingThemInTurn) {
    port_config port;
    port.vdevs = {"net_af_xdp0,iface=v0,start_queue=0", "net_af_xdp1,iface=v0,start_queue=1"};
    lcore_config cfg;
    cfg.tx_cores = 3;
    cfg.rx_cores = 1;
    auto q = plan_queues(port, cfg);
    EXPECT_EQ(q.ports, 2u);
    // Slots: TX lcores 0 and 2 on port 0, TX lcore 1 and then the control lcore on port 1.
    EXPECT_EQ(q.tx_queues_on(0), 2u);
    EXPECT_EQ(q.tx_queues_on(1), 2u);
    EXPECT_EQ(q.tx_port(q.control_slot()), 1u);
    EXPECT_EQ(q.tx_queue(q.control_slot()), 1u);
    EXPECT_EQ(q.rx_queues, 1u);  // one each: the RX lcore polls both
    EXPECT_EQ(q.tx_port(0), 0u);
    EXPECT_EQ(q.tx_port(1), 1u);
    EXPECT_EQ(q.tx_port(2), 0u);
    EXPECT_EQ(q.tx_queue(1), 0u);
    EXPECT_EQ(q.tx_queue(2), 1u);
    std::vector<std::string> vdevs;
    for (const auto& a : build_eal_args(port, cfg, plan_lcores(cfg), q, {0, 1}))
        if (a.rfind("--vdev=", 0) == 0) vdevs.push_back(a);
    EXPECT_EQ(vdevs, (std::vector<std::string>{"--vdev=net_af_xdp0,iface=v0,start_queue=0",
                                               "--vdev=net_af_xdp1,iface=v0,start_queue=1"}));
    // One TX lcore on two af_xdp sockets: the second one's queue answers ARP.
    cfg.tx_cores = 1;
    q = plan_queues(port, cfg);
    EXPECT_EQ(q.tx_queues_on(0), 1u);
    EXPECT_EQ(q.tx_queues_on(1), 1u);
    EXPECT_EQ(q.tx_port(q.control_slot()), 1u);
    // For any number of ports and TX lcores, every slot has a queue of its own, and a queue
    // without a slot is only the one every port gets.
    for (unsigned ports = 1; ports <= 4; ++ports)
        for (unsigned tx = 1; tx <= 9; ++tx) {
            port.vdevs.assign(ports, "net_null");
            cfg.tx_cores = tx;
            q = plan_queues(port, cfg);
            std::vector<std::vector<int>> owners(ports);
            for (unsigned k = 0; k < ports; ++k) owners[k].assign(q.tx_queues_on(k), 0);
            for (unsigned slot = 0; slot <= q.control_slot(); ++slot) {
                ASSERT_LT(q.tx_queue(slot), owners[q.tx_port(slot)].size());
                ++owners[q.tx_port(slot)][q.tx_queue(slot)];
            }
            for (const auto& o : owners) {
                EXPECT_EQ(std::count(o.begin(), o.end(), 2), 0);
                EXPECT_TRUE(std::count(o.begin(), o.end(), 1) == long(o.size()) || o == std::vector<int>{0});
            }
        }
}

TEST(EalArgs, AfXdpOpensOnePortOnEveryQueue) {
    EXPECT_EQ(af_xdp_vdevs("v0", 2), (std::vector<std::string>{"net_af_xdp0,iface=v0,start_queue=0",
                                                               "net_af_xdp1,iface=v0,start_queue=1"}));
    // Eight queues, two TX lcores: ports 0 and 1 send, port 2 answers ARP, and every port has one
    // RX queue (polled) and one TX queue (af_xdp pairs them).
    port_config port;
    port.vdevs = af_xdp_vdevs("v0", 8);
    lcore_config cfg;
    cfg.tx_cores = 2;
    const auto q = plan_queues(port, cfg);
    EXPECT_EQ(q.ports, 8u);
    EXPECT_EQ(q.tx_port(q.control_slot()), 2u);
    for (unsigned k = 0; k < q.ports; ++k) {
        EXPECT_EQ(q.tx_queues_on(k), 1u);
        EXPECT_EQ(q.rx_queues, 1u);
    }
}

TEST(EalArgs, LcorePlacement) {
    port_config port;
    port.vdevs = {"net_null0"};
    lcore_config cfg;  // control 0, RX 1, output 2, TX 3
    auto lc = plan_lcores(cfg);
    EXPECT_EQ(lc.rx, std::vector<unsigned>{1});
    EXPECT_EQ(lc.output, 2u);
    EXPECT_EQ(lc.tx, std::vector<unsigned>{3});
    auto q = plan_queues(port, cfg);
    // Enough CPUs: one each.
    EXPECT_EQ(arg_starting(build_eal_args(port, cfg, lc, q, {4, 5, 6, 7}), "--lcores="),
              "--lcores=0@4,1@5,2@6,3@7");
    // Two CPUs: TX alone on the last, the rest share the first.
    EXPECT_EQ(arg_starting(build_eal_args(port, cfg, lc, q, {0, 1}), "--lcores="),
              "--lcores=0@(0),1@(0),2@(0),3@1");
    // One CPU: everything shares it.
    EXPECT_EQ(arg_starting(build_eal_args(port, cfg, lc, q, {3}), "--lcores="),
              "--lcores=0@(3),1@(3),2@(3),3@(3)");
}
