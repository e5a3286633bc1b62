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
    EXPECT_EQ(q.tx_queues, 3u);  // one per TX lcore + the control queue
    EXPECT_EQ(q.control_tx_queue, 2u);
    EXPECT_EQ(q.rx_queues, 3u);  // af_packet fans out over every queue pair
    auto args = build_eal_args(port, cfg, plan_lcores(cfg), q, {0, 1, 2, 3, 4, 5});
    EXPECT_EQ(arg_starting(args, "--vdev="),
              "--vdev=net_af_packet0,iface=scan0,qpairs=3,qdisc_bypass=1,framecnt=4096");
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
    EXPECT_EQ(q.tx_queues, 1u);
    cfg.no_huge = true;
    args = build_eal_args(dry, cfg, plan_lcores(cfg), q, {0});
    EXPECT_EQ(arg_starting(args, "--vdev="), "--vdev=net_pcap0,tx_pcap=/tmp/x.pcap");
    EXPECT_TRUE(has(args, "--no-huge"));
    EXPECT_TRUE(has(args, "--no-shconf"));  // --in-memory is refused with --no-huge
    EXPECT_FALSE(has(args, "--in-memory"));
}

TEST(EalArgs, LcorePlacement) {
    port_config port;
    port.vdev = "net_null0";
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
