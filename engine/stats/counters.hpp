// Every counter of the data path, declared once. The list feeds the per-lcore counter blocks,
// the metadata file and the status line, so a drop reason cannot be counted without also being
// reported. Each block has one writer (its lcore); readers sum blocks with relaxed loads.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace ics {

// X(name, description)
#define ICS_COUNTERS(X)                                                                              \
    X(tx_probes, "probes handed to the NIC")                                                         \
    X(tx_alloc_failed, "bursts delayed because the mempool had no free mbuf")                        \
    X(tx_queue_full, "bursts the NIC queue took only in part (retried)")                             \
    X(tx_dropped_at_stop, "probes built but not sent because the scan was stopping")                 \
    X(tx_trace_skipped, "trace probes not sent: the stop set or the path's end made them useless")   \
    X(rx_frames, "frames received")                                                                  \
    X(rx_arp, "ARP frames received (passed to the control lcore: one arp_* counter each)")           \
    X(rx_arp_ring_full, "ARP frames dropped because the control ring was full")                      \
    X(arp_malformed, "ARP frames other than IPv4-over-Ethernet requests and replies")                \
    X(arp_gratuitous, "gratuitous ARP (sender = target address): never answered, never learned")     \
    X(arp_answered, "ARP requests for one of our addresses, answered")                               \
    X(arp_not_answered, "ARP requests for our addresses not answered (no TX queue, no mbuf)")        \
    X(arp_not_ours, "ARP requests for addresses that are not ours")                                  \
    X(arp_gateway, "ARP replies to our request for the gateway (the first one's MAC is taken)")      \
    X(arp_unsolicited, "ARP replies we did not ask for (never learned from)")                        \
    X(arp_gateway_claims, "ARP giving the gateway's address another MAC (also under its reason)")    \
    X(rx_not_ipv4, "IPv4 runs: frames neither IPv4 nor ARP")                                         \
    X(rx_truncated, "frames shorter than their headers claim")                                       \
    X(rx_bad_ip_header, "IP headers with a bad version, header length or total length")              \
    X(rx_ip_checksum, "IPv4 headers whose checksum does not verify")                                 \
    X(rx_fragment, "IP fragments (IPv4, and IPv6 Fragment headers)")                                 \
    X(rx_not_icmp, "IP packets other than ICMP (IPv6: with any extension header)")                   \
    X(rx_icmp_ignored, "ICMP messages that cannot answer a probe (echo requests, ...)")              \
    X(rx_not_our_address, "replies to an address that is not one of our sources")                    \
    X(rx_quote_invalid, "ICMP errors whose quote is too short or is not one of our probes")          \
    X(rx_cookie_invalid, "replies whose cookie does not validate (forged, corrupt, stale key)")      \
    X(rx_valid, "validated replies passed to the output lcore")                                      \
    X(rx_clock_disagrees, "validated replies received before their send stamp (RTT 0, flagged)")     \
    X(rx_stamp_refused, "replies whose receive stamp was refused (too old, or no clock pair)")       \
    X(rx_ring_full, "validated replies dropped because the output ring was full")                    \
    X(out_records, "records the output lcore processed")                                             \
    X(out_repeats, "records for a target that had already answered")                                 \
    X(out_filtered, "records the output filter left out")                                            \
    X(out_not_attributed, "trace: quotes with a rewritten destination; monitor: not this shard's")   \
    X(out_feedback_dropped, "trace feedback messages dropped because a TX lcore's ring was full")    \
    X(out_duplicates, "monitor: replies to a probe that was answered already")                       \
    X(out_late, "monitor: replies after --timeout or after their round closed (the probe is lost)")  \
    X(out_round_ahead, "monitor: replies for a round not yet sent (a forged or stale round)")        \
    X(out_written, "result rows given to the output file")                                           \
    X(out_write_lost, "result rows not known to be in the output file: a write of theirs failed")    \
    /* IPv6 runs (-6), after the others so that IPv4's columns (-u) keep their places */             \
    X(rx_nd, "IPv6 runs: Neighbour Solicitations and Advertisements (to the control lcore: nd_*)")   \
    X(rx_nd_ring_full, "Neighbour Discovery frames dropped because the control ring was full")       \
    X(nd_malformed, "ND messages RFC 4861 7.1 discards (hop limit, checksum, options, sources)")     \
    X(nd_answered, "Neighbour Solicitations for one of our addresses, answered")                     \
    X(nd_not_answered, "Neighbour Solicitations for our addresses not answered (no TX queue, mbuf)") \
    X(nd_not_ours, "Neighbour Solicitations for addresses that are not ours")                        \
    X(nd_gateway, "Neighbour Advertisements answering our solicitation for the gateway")             \
    X(nd_unsolicited, "Neighbour Advertisements we did not ask for (never learned from)")            \
    X(nd_gateway_claims, "ND giving the gateway's address another MAC (also under its reason)")      \
    X(rx_not_ipv6, "IPv6 runs: frames neither IPv6 nor ARP")

enum class counter : unsigned {
#define ICS_COUNTER_ENUM(name, desc) name,
    ICS_COUNTERS(ICS_COUNTER_ENUM)
#undef ICS_COUNTER_ENUM
        count_
};

inline constexpr size_t counter_count = size_t(counter::count_);

struct counter_info {
    std::string_view name;
    std::string_view description;
};

inline constexpr std::array<counter_info, counter_count> counter_infos = {{
#define ICS_COUNTER_INFO(name, desc) {#name, desc},
    ICS_COUNTERS(ICS_COUNTER_INFO)
#undef ICS_COUNTER_INFO
}};

// One lcore's counters, alone on its cache lines.
struct alignas(64) counter_block {
    std::array<std::atomic<uint64_t>, counter_count> values{};

    // Single writer: a plain load and store, no locked instruction.
    void add(counter c, uint64_t n = 1) {
        auto& v = values[size_t(c)];
        v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    uint64_t get(counter c) const { return values[size_t(c)].load(std::memory_order_relaxed); }
};

// A summed, plain copy for reporting.
struct counter_totals {
    std::array<uint64_t, counter_count> values{};
    uint64_t operator[](counter c) const { return values[size_t(c)]; }
    void add(const counter_block& b) {
        for (size_t i = 0; i < counter_count; ++i) values[i] += b.values[i].load(std::memory_order_relaxed);
    }
};

}  // namespace ics
