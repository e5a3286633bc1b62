#include "dpdk/control_plane.hpp"

#include <cstring>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <fmt/format.h>

#include "dpdk/idle_backoff.hpp"
#include "net/byte_order.hpp"
#include "net/headers.hpp"

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

// What one ARP message is, and what it does: gratuitous ones are never answered nor learned
// from (anyone can announce any address); a request for one of ours is answered; a reply is taken
// only while resolving, from the gateway's address, to our request's address and MAC.
// A message about the gateway's address with another MAC than the one known (kept, or learned by
// the resolution under way) is counted under `claims` as well as its reason.
void control_plane::note_claim(bool about_gateway, const mac& claimed, counter claims) {
    const std::optional<mac> gw_mac = gateway_    ? std::optional(gateway_->hw)
                                      : gateway6_ ? std::optional(gateway6_->hw)
                                                  : learned_;
    if (!about_gateway || !gw_mac || claimed == *gw_mac) return;
    counters_->add(claims);
    if (!first_claim_) first_claim_ = claimed;
}

counter control_plane::handle(const arp_message& msg) {
    // The gateway as far as known: kept for the run, or asked for by the resolution under way.
    const std::optional<ipv4_addr> gw_ip = gateway_ ? std::optional(gateway_->ip) : wanted_;
    note_claim(gw_ip && msg.sender_ip == *gw_ip, msg.sender_mac, counter::arp_gateway_claims);
    if (msg.sender_ip == msg.target_ip) return counter::arp_gratuitous;
    if (msg.op == arp_op_request) {
        if (!own_->contains(msg.target_ip)) return counter::arp_not_ours;
        // The gateway asking for us while we resolve it: its MAC is in the question.
        if (wanted_ && msg.sender_ip == *wanted_ && !learned_) learned_ = msg.sender_mac;
        std::array<uint8_t, arp_frame_len> reply;
        build_arp_reply(reply, msg, mac_, msg.target_ip);
        return send_frame(reply.data(), reply.size()) ? counter::arp_answered : counter::arp_not_answered;
    }
    if (!wanted_ || msg.sender_ip != *wanted_ || msg.target_ip != asking_from_ || msg.target_mac != mac_)
        return counter::arp_unsolicited;
    if (!learned_) learned_ = msg.sender_mac;  // a second answer (another claimant) changes nothing
    return counter::arp_gateway;
}

// Neighbour Discovery, as ARP above: a solicitation for one of our addresses is answered (duplicate
// address detection's too, to all nodes: the address is ours); an advertisement is taken only
// while resolving, for the gateway, solicited, to the address we asked from, with the gateway's
// link-layer address in it (RFC 4861 7.2.5 discards one without). The gateway soliciting us
// while we resolve it gives its MAC in the question, as in ARP.
counter control_plane::handle(const nd_message& msg) {
    const std::optional<ipv6_addr> gw_ip = gateway6_ ? std::optional(gateway6_->ip) : wanted6_;
    const ipv6_addr& about = msg.type == nd_neighbor_advert ? msg.target : msg.src;
    note_claim(gw_ip && about == *gw_ip && msg.has_link_addr, msg.link_addr, counter::nd_gateway_claims);
    if (msg.type == nd_neighbor_solicit) {
        if (!own6_ || !own6_->contains(msg.target)) return counter::nd_not_ours;
        if (wanted6_ && msg.src == *wanted6_ && msg.has_link_addr && !learned_) learned_ = msg.link_addr;
        std::array<uint8_t, nd_frame_len> advert;
        const size_t len = build_neighbor_advert(advert, msg, mac_, msg.target);
        return send_frame(advert.data(), len) ? counter::nd_answered : counter::nd_not_answered;
    }
    if (!wanted6_ || msg.target != *wanted6_ || !msg.solicited || msg.dst != asking_from6_ ||
        !msg.has_link_addr)
        return counter::nd_unsolicited;
    if (!learned_) learned_ = msg.link_addr;
    return counter::nd_gateway;
}

void control_plane::poll() {
    void* objs[32];
    for (rte_ring* ring : rings_) {
        unsigned n;
        while ((n = rte_ring_sc_dequeue_burst(ring, objs, 32, nullptr)) > 0) {
            for (unsigned i = 0; i < n; ++i) {
                rte_mbuf* m = static_cast<rte_mbuf*>(objs[i]);
                const std::span<const uint8_t> frame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len);
                // The RX lcores queue ARP and, in IPv6 runs, ND (IPv6 frames) here.
                if (frame.size() >= eth_header_len && load_be16(frame.data() + 12) == ethertype_ipv6) {
                    auto msg = parse_nd(frame);
                    counters_->add(msg ? handle(*msg) : counter::nd_malformed);
                } else {
                    auto msg = parse_arp(frame);
                    counters_->add(msg ? handle(*msg) : counter::arp_malformed);
                }
                rte_pktmbuf_free(m);
            }
        }
    }
}

// Sends a request (`ask`) once a second, `attempts` times, answering and learning meanwhile, until
// the gateway's MAC is learned or a signal came.
template <typename Ask>
void control_plane::ask_until_learned(Ask&& ask, unsigned attempts, const std::atomic<int>* stop) {
    auto stopped = [stop] { return stop && stop->load() > 0; };
    learned_.reset();
    const uint64_t hz = rte_get_tsc_hz();
    for (unsigned a = 0; a < attempts && !learned_ && !stopped(); ++a) {
        ask();
        const uint64_t deadline = rte_rdtsc() + hz;
        while (!learned_ && !stopped() && rte_rdtsc() < deadline) {
            poll();
            idle_backoff::nap_ns(200000);
        }
    }
}

// What a resolution came to: the MAC learned, or the sentence saying why none was.
result<mac> control_plane::resolution(resolver_words words, const std::string& gateway,
                                      const std::string& from, unsigned attempts,
                                      const std::string& port_name, const std::atomic<int>* stop) const {
    if (learned_) return *learned_;
    if (stop && stop->load() > 0)
        return error{fmt::format("stopped by a signal while resolving the gateway by {}", words.by)};
    return error{
        fmt::format("the gateway {} did not answer {} {} sent from {} on port {}: check --gateway-ip and the "
                    "link, or give the gateway's MAC with -G/--gateway-mac",
                    gateway, attempts, words.requests, from, port_name)};
}

result<mac> control_plane::resolve(ipv4_addr gateway, ipv4_addr asking_from, unsigned attempts,
                                   const std::string& port_name, const std::atomic<int>* stop) {
    poll();  // what came before the question is no answer to it
    wanted_ = gateway;
    asking_from_ = asking_from;
    ask_until_learned(
        [&] {
            std::array<uint8_t, arp_frame_len> req;
            build_arp_request(req, mac_, asking_from, gateway);
            send_frame(req.data(), req.size());
        },
        attempts, stop);
    wanted_.reset();
    return resolution({"ARP", "ARP requests"}, format_ipv4(gateway), format_ipv4(asking_from), attempts,
                      port_name, stop);
}

result<mac> control_plane::resolve(const ipv6_addr& gateway, const ipv6_addr& asking_from, unsigned attempts,
                                   const std::string& port_name, const std::atomic<int>* stop) {
    poll();  // what came before the question is no answer to it
    wanted6_ = gateway;
    asking_from6_ = asking_from;
    ask_until_learned(
        [&] {
            std::array<uint8_t, nd_frame_len> req;
            const size_t len = build_neighbor_solicit(req, mac_, asking_from, gateway);
            send_frame(req.data(), len);
        },
        attempts, stop);
    wanted6_.reset();
    return resolution({"Neighbour Solicitation", "Neighbour Solicitations"}, format_ipv6(gateway),
                      format_ipv6(asking_from), attempts, port_name, stop);
}

}  // namespace ics::dpdk
