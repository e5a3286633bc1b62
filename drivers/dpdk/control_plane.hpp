// The control lcore's share of the data plane: answering ARP (IPv6 runs: Neighbour Solicitations)
// for the scanner's own addresses (the kernel no longer does it once the NIC belongs to DPDK) and
// resolving the gateway. It owns the consumer ends of the RX lcores' control rings and one TX queue
// of its own, if the port has one to spare (without one it cannot answer: the gateway must already
// know the scanner's MAC). Every frame it takes is counted under one arp_* or nd_* counter
// (engine/stats/counters.hpp). The gateway's MAC is taken only from an answer to our own request
// (or from the gateway asking for us) while resolve() runs, never from a gratuitous or unsolicited
// message, and never changes after.
#pragma once
#include <atomic>
#include <optional>
#include <vector>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "net/arp.hpp"
#include "net/ndp.hpp"
#include "stats/counters.hpp"
#include "targets/interval_set.hpp"
#include "targets/ipv6_range_set.hpp"
#include "util/result.hpp"

namespace ics::dpdk {

class control_plane {
public:
    // `counters`: the control lcore's block, which only this object writes. `own6`: our IPv6
    // addresses, in an IPv6 run (Neighbour Solicitations for them are answered).
    control_plane(uint16_t port, std::optional<uint16_t> tx_queue, rte_mempool* pool, mac own_mac,
                  const interval_set& own_addresses, std::vector<rte_ring*> control_rings,
                  counter_block& counters, const ipv6_range_set* own6 = nullptr)
        : port_(port),
          queue_(tx_queue),
          pool_(pool),
          mac_(own_mac),
          own_(&own_addresses),
          own6_(own6),
          rings_(std::move(control_rings)),
          counters_(&counters) {}

    // Drains the control rings: answers requests for our addresses, learns the gateway's answer
    // (while resolving), counts each frame under one reason.
    void poll();

    // Asks for `gateway`'s MAC `attempts` times, one second apart, answering ARP meanwhile; gives
    // up early once `stop` (the signal count) is non-zero.
    result<mac> resolve(ipv4_addr gateway, ipv4_addr asking_from, unsigned attempts,
                        const std::string& port_name, const std::atomic<int>* stop);

    // The gateway's address and the MAC the run uses: from here on (as from the first answer while
    // resolving), ARP that gives that address another MAC is counted (arp_gateway_claims) and
    // changes nothing.
    void keep_gateway(ipv4_addr ip, const mac& m) { gateway_ = {ip, m}; }

    // The same by Neighbour Solicitation (IPv6 runs).
    result<mac> resolve(const ipv6_addr& gateway, const ipv6_addr& asking_from, unsigned attempts,
                        const std::string& port_name, const std::atomic<int>* stop);
    void keep_gateway(const ipv6_addr& ip, const mac& m) { gateway6_ = {ip, m}; }

    uint64_t arp_replies_sent() const { return counters_->get(counter::arp_answered); }
    // The MAC the first ARP or ND message claiming the gateway's address gave (none yet: no claim).
    const std::optional<mac>& first_gateway_claim() const { return first_claim_; }

private:
    bool send_frame(const uint8_t* frame, size_t len);
    counter handle(const arp_message& msg);
    counter handle(const nd_message& msg);
    void note_claim(bool about_gateway, const mac& claimed, counter claims);
    template <typename Ask>
    void ask_until_learned(Ask&& ask, unsigned attempts, const std::atomic<int>* stop);
    struct resolver_words {
        const char* by;        // "ARP"
        const char* requests;  // "ARP requests"
    };
    result<mac> resolution(resolver_words words, const std::string& gateway, const std::string& from,
                           unsigned attempts, const std::string& port_name,
                           const std::atomic<int>* stop) const;
    uint16_t port_;
    std::optional<uint16_t> queue_;
    rte_mempool* pool_;
    mac mac_;
    const interval_set* own_;
    const ipv6_range_set* own6_;
    std::vector<rte_ring*> rings_;
    counter_block* counters_;
    std::optional<ipv4_addr> wanted_;  // the gateway, while resolve() runs
    ipv4_addr asking_from_ = 0;        // the address our requests for it came from
    std::optional<mac> learned_;
    struct gateway {
        ipv4_addr ip;
        mac hw;
    };
    std::optional<gateway> gateway_;    // once known (keep_gateway)
    std::optional<ipv6_addr> wanted6_;  // the same for IPv6
    ipv6_addr asking_from6_;
    struct gateway6 {
        ipv6_addr ip;
        mac hw;
    };
    std::optional<gateway6> gateway6_;
    std::optional<mac> first_claim_;
};

}  // namespace ics::dpdk
