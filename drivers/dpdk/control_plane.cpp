#include "dpdk/control_plane.hpp"

#include <cstring>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <fmt/format.h>

#include "dpdk/idle_backoff.hpp"

namespace ics::dpdk {

bool control_plane::send_frame(const uint8_t* frame, size_t len) {
    if (!queue_) return false;
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    if (!m) return false;
    const size_t padded = len < 60 ? 60 : len;  // minimum Ethernet frame without FCS
    uint8_t* data = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, uint16_t(padded)));
    if (!data) {
        rte_pktmbuf_free(m);
        return false;
    }
    std::memcpy(data, frame, len);
    std::memset(data + len, 0, padded - len);
    for (int tries = 0; tries < 1000; ++tries)
        if (rte_eth_tx_burst(port_, *queue_, &m, 1) == 1) return true;
    rte_pktmbuf_free(m);
    return false;
}

void control_plane::poll() {
    void* objs[32];
    for (rte_ring* ring : rings_) {
        unsigned n;
        while ((n = rte_ring_sc_dequeue_burst(ring, objs, 32, nullptr)) > 0) {
            for (unsigned i = 0; i < n; ++i) {
                rte_mbuf* m = static_cast<rte_mbuf*>(objs[i]);
                auto msg = parse_arp({rte_pktmbuf_mtod(m, const uint8_t*), m->data_len});
                rte_pktmbuf_free(m);
                if (!msg) continue;
                if (msg->op == arp_op_request && own_->contains(msg->target_ip)) {
                    std::array<uint8_t, arp_frame_len> reply;
                    build_arp_reply(reply, *msg, mac_, msg->target_ip);
                    if (send_frame(reply.data(), reply.size()))
                        ++replies_sent_;
                    else if (counters_)  // a request dropped here is named like any other drop
                        counters_->add(counter::rx_arp_unanswered);
                }
                // Learn the gateway from its reply, or from its own request (it asks for us).
                if (wanted_ && msg->sender_ip == *wanted_ && !learned_) learned_ = msg->sender_mac;
            }
        }
    }
}

result<mac> control_plane::resolve(ipv4_addr gateway, ipv4_addr asking_from, unsigned attempts,
                                   const std::string& port_name, const std::atomic<int>* stop) {
    auto stopped = [stop] { return stop && stop->load() > 0; };
    wanted_ = gateway;
    learned_.reset();
    const uint64_t hz = rte_get_tsc_hz();
    for (unsigned a = 0; a < attempts && !learned_ && !stopped(); ++a) {
        std::array<uint8_t, arp_frame_len> req;
        build_arp_request(req, mac_, asking_from, gateway);
        send_frame(req.data(), req.size());
        const uint64_t deadline = rte_rdtsc() + hz;
        while (!learned_ && !stopped() && rte_rdtsc() < deadline) {
            poll();
            idle_backoff::nap_ns(200000);
        }
    }
    wanted_.reset();
    if (!learned_ && stopped()) return error{"stopped by a signal while resolving the gateway by ARP"};
    if (!learned_)
        return error{
            fmt::format("the gateway {} did not answer {} ARP requests sent from {} on "
                        "port {}: check --gateway-ip and the link, or give the gateway's "
                        "MAC with -G/--gateway-mac",
                        format_ipv4(gateway), attempts, format_ipv4(asking_from), port_name)};
    return *learned_;
}

}  // namespace ics::dpdk
