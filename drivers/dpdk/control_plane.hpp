// The control lcore's share of the data plane: answering ARP for the scanner's own addresses
// (the kernel no longer does it once the NIC belongs to DPDK) and resolving the gateway. It owns
// the consumer ends of the RX lcores' ARP rings and one TX queue of its own, if the port has one
// to spare (without one it cannot answer: the gateway must already know the scanner's MAC).
#pragma once
#include <atomic>
#include <optional>
#include <vector>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "net/arp.hpp"
#include "stats/counters.hpp"
#include "targets/interval_set.hpp"
#include "util/result.hpp"

namespace ics::dpdk {

class control_plane {
public:
    // `counters`: the control lcore's block (rx_arp_unanswered), if any.
    control_plane(uint16_t port, std::optional<uint16_t> tx_queue, rte_mempool* pool, mac own_mac,
                  const interval_set& own_addresses, std::vector<rte_ring*> arp_rings,
                  counter_block* counters = nullptr)
        : port_(port),
          queue_(tx_queue),
          pool_(pool),
          mac_(own_mac),
          own_(&own_addresses),
          rings_(std::move(arp_rings)),
          counters_(counters) {}

    // Drains the ARP rings: answers requests for our addresses, learns the gateway's reply.
    void poll();

    // Asks for `gateway`'s MAC `attempts` times, one second apart, answering ARP meanwhile; gives
    // up early once `stop` (the signal count) is non-zero.
    result<mac> resolve(ipv4_addr gateway, ipv4_addr asking_from, unsigned attempts,
                        const std::string& port_name, const std::atomic<int>* stop);

    uint64_t arp_replies_sent() const { return replies_sent_; }

private:
    bool send_frame(const uint8_t* frame, size_t len);
    uint16_t port_;
    std::optional<uint16_t> queue_;
    rte_mempool* pool_;
    mac mac_;
    const interval_set* own_;
    std::vector<rte_ring*> rings_;
    counter_block* counters_;
    std::optional<ipv4_addr> wanted_;
    std::optional<mac> learned_;
    uint64_t replies_sent_ = 0;
};

}  // namespace ics::dpdk
