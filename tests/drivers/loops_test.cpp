// The driver loops' test program: boots EAL once, in this process, the way a CI machine without
// root-only set-up can (no PCI, no hugepages unless some are free, no shared runtime files), with
// two lcores so that a loop can run on lcore 1 while the test drives its port and rings from
// lcore 0; then runs the tests of tx_loop, rx_loop, output_loop, control_plane and the monitor
// plan on those loops.
#include <gtest/gtest.h>

#include <sched.h>

#include <cstdio>
#include <string>
#include <vector>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "dpdk/driver.hpp"

namespace {

// The first two CPUs this process may run on (the one CPU twice if that is all there is): the
// tests need two lcore threads, not two free cores.
std::string lcore_map() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int c = 0; c < CPU_SETSIZE && cpus.size() < 2; ++c)
            if (CPU_ISSET(c, &set)) cpus.push_back(c);
    if (cpus.empty()) cpus.push_back(0);
    return "--lcores=0@" + std::to_string(cpus.front()) + ",1@" + std::to_string(cpus.back());
}

}  // namespace

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    std::vector<std::string> args = {"loops_test", lcore_map(), "--no-pci", "--log-level=error"};
    if (ics::dpdk::check_hugepages(256))
        args.insert(args.end(), {"--in-memory", "-m", "512"});
    else
        args.insert(args.end(), {"--no-huge", "--no-shconf", "-m", "512"});
    std::vector<char*> eal_argv;
    for (auto& a : args) eal_argv.push_back(a.data());
    if (rte_eal_init(int(eal_argv.size()), eal_argv.data()) < 0) {
        std::fprintf(stderr, "loops_test: DPDK could not start (EAL arguments as in this file's main)\n");
        return 1;
    }
    if (rte_lcore_count() != 2) {
        std::fprintf(stderr, "loops_test: EAL gave %u lcores, the tests need 2\n", rte_lcore_count());
        return 1;
    }
    const int rc = RUN_ALL_TESTS();
    rte_eal_cleanup();
    return rc;
}
