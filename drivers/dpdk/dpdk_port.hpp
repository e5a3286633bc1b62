// One DPDK port: the mempool on its NUMA node, its queues, start and stop, and its counters.
#pragma once
#include <cstdint>
#include <string>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "dpdk/eal_args.hpp"
#include "net/arp.hpp"
#include "util/result.hpp"

namespace ics::dpdk {

struct port_handle {
    uint16_t id = 0;
    std::string name;
    rte_mempool* pool = nullptr;
    mac address{};
    int socket = 0;
    unsigned rx_queues = 0, tx_queues = 0;
    bool control_queue = true;  // false: the port had no TX queue to spare for the control lcore
};

inline constexpr uint16_t rx_descriptors = 1024;
inline constexpr uint16_t tx_descriptors = 1024;

// Finds the one port EAL created, sets up its queues and starts it. When the port offers one TX
// queue too few and `control_queue_optional` (no ARP resolution needed), it runs without the
// control lcore's queue.
result<port_handle> open_port(const queue_plan& queues, unsigned lcores, bool control_queue_optional);
void close_port(port_handle& port);

struct nic_counters {
    uint64_t rx_missed = 0, rx_errors = 0, rx_nombuf = 0, tx_errors = 0;
};
nic_counters read_nic_counters(const port_handle& port);

}  // namespace ics::dpdk
