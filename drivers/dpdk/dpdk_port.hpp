// The DPDK ports of a scan (one, or one link's queues opened as several): each with its mempool
// on its NUMA node, its queues, start and stop, and its counters.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "dpdk/eal_args.hpp"
#include "dpdk/rx_stamps.hpp"
#include "net/arp.hpp"
#include "run/scan_report.hpp"
#include "util/result.hpp"

namespace ics::dpdk {

struct port_handle {
    uint16_t id = 0;
    std::string name;
    rte_mempool* pool = nullptr;
    mac address{};
    int socket = 0;
    unsigned rx_queues = 0, tx_queues = 0;
    bool control_queue = false;  // the control lcore's TX queue (ARP) is on this port
    bool started = false;
    // net_af_packet only: the PMD's sockets (one per queue pair, found by the interface they are
    // bound to), to flush their TX rings and to read the RX drops DPDK 22.11 does not report.
    std::vector<int> packet_sockets;
    uint64_t packet_drops = 0;             // PACKET_STATISTICS tp_drops so far (each reading resets them)
    std::vector<rx_ring_stamps> rx_rings;  // af_packet with kernel stamps: each RX queue's ring
};

inline constexpr uint16_t rx_descriptors = 1024;
inline constexpr uint16_t tx_descriptors = 1024;

// Finds the `queues.ports` ports EAL created, sets up each one's queues and starts it, appending
// it to `ports` as soon as it has a mempool (so the caller releases whatever was set up, error or
// not). When a port offers one TX queue too few and `control_queue_optional` (no ARP resolution
// needed), it runs without the control lcore's queue. Several ports must be one link: the same
// MAC address. `test_mbufs` (tests only, 0 otherwise): each pool's size, with no per-lcore cache.
status open_ports(const queue_plan& queues, unsigned lcores, bool control_queue_optional, unsigned test_mbufs,
                  std::vector<port_handle>& ports);
void close_port(port_handle& port);

// Makes each port take the Ethernet multicast `groups` (IPv6 runs: our solicited-node groups),
// or every multicast frame where it cannot list them or `groups` is empty. A port that can do
// neither (af_packet on a veth takes every frame anyway) is left as it is.
void join_multicast_groups(const std::vector<port_handle>& ports, std::vector<mac> groups);

// af_packet (port_config::kernel_stamps): finds each RX queue's ring in this process's memory, so
// that RX reads the kernel's receive stamps there (rx_stamps.hpp); each ring has `frames` frames.
status map_rx_rings(port_handle& port, unsigned frames);

// The ports' loss counters, summed, and each port's packets in and out.
struct nic_counters {
    uint64_t rx_missed = 0, rx_errors = 0, rx_nombuf = 0, tx_errors = 0;
    std::vector<port_traffic> ports;
};
// net_af_packet takes frames into a TX ring and sends them only when a burst call kicks the
// socket; a kick that finds the socket's send buffer full (the next hop has not yet taken the
// previous frames) leaves the rest in the ring, and no later burst comes after the last one. Sends
// what is left and waits until it has left, at most `timeout_ms` in all. Call once no TX lcore
// sends any more. Other drivers send what a burst call took: nothing to do.
void drain_tx(const std::vector<port_handle>& ports, unsigned timeout_ms);

// With net_af_packet, rx_missed includes the frames the kernel dropped because a
// socket's RX ring was full.
nic_counters read_nic_counters(std::vector<port_handle>& ports);

}  // namespace ics::dpdk
