// The kernel packet sockets behind DPDK 22.11's af_packet and pcap drivers, which keep them to
// themselves: found among this process's open descriptors by the interface they are bound to, so
// that the scanner can read the RX drops the drivers do not report, flush af_packet's TX rings,
// and keep pcap's send-only handles from capturing. Remove each use once a DPDK release exposes
// what it needs.
#pragma once
#include <vector>

namespace ics::dpdk {

// af_packet: its sockets (one per queue pair) are in the PMD's fanout group, whose id is
// (pid ^ ifindex) & 0xffff (drivers/net/af_packet/rte_eth_af_packet.c).
std::vector<int> af_packet_sockets_on(int ifindex);

// pcap with one rx_iface_in and tx_iface handles: its sockets in the order the driver opened them,
// the RX handle first (drivers/net/pcap/pcap_ethdev.c opens RX handles before TX handles, and
// libpcap keeps every descriptor it opens for a handle, so descriptor numbers rise in that order).
struct pcap_sockets {
    int rx = -1;
    std::vector<int> tx;
};
pcap_sockets pcap_sockets_on(int ifindex);

// Sets up pcap's handles for a scanner: the RX handle ignores outgoing frames in the kernel (libpcap
// 1.10 drops them only after they were copied to its ring); the TX handles, which are capture
// handles too, get a filter that takes nothing, as their rings are never read and would count
// every frame on the link as their drops. False if a socket option was refused.
bool quiet_pcap_sockets(const pcap_sockets& s);

// The frames a socket's RX ring dropped since the last reading (PACKET_STATISTICS resets them).
unsigned long long read_socket_drops(int fd);

}  // namespace ics::dpdk
