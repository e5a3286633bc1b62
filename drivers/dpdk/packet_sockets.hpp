// The kernel packet sockets behind DPDK 22.11's af_packet driver, which keeps them to itself: found
// among this process's open descriptors by the interface they are bound to, so that the scanner can
// read the RX drops the driver does not report, flush its TX rings, and read the kernel's receive
// stamps in its RX rings (rx_stamps.hpp). Remove each use once a DPDK release exposes what it needs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ics::dpdk {

// af_packet: its sockets (one per queue pair) are in the PMD's fanout group, whose id is
// (pid ^ ifindex) & 0xffff (drivers/net/af_packet/rte_eth_af_packet.c).
std::vector<int> af_packet_sockets_on(int ifindex);

// Where a packet socket's ring is mapped in this process (its line in /proc/self/maps, which names
// the socket's inode): the first byte and the length, or {nullptr, 0}.
struct socket_mapping {
    const uint8_t* base = nullptr;
    size_t length = 0;
};
socket_mapping find_socket_mapping(int fd);

// The frames a socket's RX ring dropped since the last reading (PACKET_STATISTICS resets them).
unsigned long long read_socket_drops(int fd);

}  // namespace ics::dpdk
