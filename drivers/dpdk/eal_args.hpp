// Friendly flags to EAL arguments: which device (--vdev for an af_packet interface or a pcap dry
// run, -a for a PCI NIC), which lcores on which CPUs, memory and logging. No DPDK calls here,
// so it is unit-tested as plain strings.
#pragma once
#include <string>
#include <vector>

#include "scan/scan_config.hpp"

namespace ics::dpdk {

// The lcores a scan uses, by role. lcore 0 is the main (control) lcore.
struct lcore_plan {
    std::vector<unsigned> rx, tx;
    unsigned output = 0;
    unsigned total() const { return unsigned(1 + rx.size() + tx.size() + 1); }
};

lcore_plan plan_lcores(const lcore_config& cfg);

// Queues per port: af_packet fans RX out over all its queue pairs, so every RX queue it has must
// be polled; one extra TX queue belongs to the control lcore (ARP).
struct queue_plan {
    unsigned rx_queues = 1, tx_queues = 2;
    unsigned control_tx_queue = 1;
};
queue_plan plan_queues(const port_config& port, const lcore_config& cfg);

// argv for rte_eal_init (argv[0] included). `cpus` must not be empty.
std::vector<std::string> build_eal_args(const port_config& port, const lcore_config& cfg,
                                        const lcore_plan& lcores, const queue_plan& queues,
                                        const std::vector<unsigned>& cpus);

}  // namespace ics::dpdk
