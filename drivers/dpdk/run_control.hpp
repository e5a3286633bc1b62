// The control lcore's part of a run: ARP (answers, and the gateway's resolution), the status once
// a second, checkpoints, and the end of sending (every TX lcore done, a failed write, a signal,
// --max-results, --max-runtime) followed by the cooldown.
#pragma once
#include <algorithm>
#include <optional>

#include "dpdk/checkpoint_keeper.hpp"
#include "dpdk/control_plane.hpp"
#include "dpdk/idle_backoff.hpp"
#include "dpdk/run_lcores.hpp"
#include "run/stop_policy.hpp"

namespace ics::dpdk {

// The gateway's address as text (none when only its MAC was given), and what resolves it.
inline std::optional<std::string> gateway_text(const scan_config& cfg) {
    if (cfg.family == ip_family::ipv6)
        return cfg.gateway_ip6 ? std::optional(format_ipv6(*cfg.gateway_ip6)) : std::nullopt;
    return cfg.gateway_ip ? std::optional(format_ipv4(*cfg.gateway_ip)) : std::nullopt;
}
inline const char* resolution_name(const scan_config& cfg) {
    return cfg.family == ip_family::ipv6 ? "Neighbour Discovery" : "ARP";
}

// The control lcore answers ARP for our addresses, on its own TX queue if the port offers one, and
// counts ARP in its own counter block (lcore 0's).
inline control_plane make_control_plane(const run_env& e, const std::vector<rte_ring*>& arp_rings,
                                        mac source_mac) {
    const port_handle& port = e.control_port();
    std::optional<uint16_t> queue;
    if (port.control_queue)
        queue = uint16_t(e.queues.tx_queue(e.queues.control_slot()));
    else if (e.hooks.on_note && !e.dryrun())
        e.hooks.on_note(
            fmt::format("{} offers no TX queue for {} answers: the gateway must already know "
                        "{} is at {}",
                        port.name, resolution_name(e.cfg), e.cfg.first_source(), format_mac(source_mac)));
    return control_plane(port.id, queue, port.pool, source_mac, e.cfg.sources, arp_rings, *e.blocks[0],
                         e.cfg.family == ip_family::ipv6 ? &e.cfg.sources6 : nullptr);
}

// The gateway's MAC: given (or none needed in a dry run), or asked for by ARP (IPv6: Neighbour
// Solicitation) from our first address. It never changes during the run; the control plane
// counts what says otherwise.
template <typename Addr>
result<mac> resolve_gateway(const run_env& e, control_plane& control, const std::optional<Addr>& gateway,
                            const Addr& from) {
    const scan_config& cfg = e.cfg;
    if (cfg.gateway_mac || e.dryrun()) {
        if (cfg.gateway_mac && gateway) control.keep_gateway(*gateway, *cfg.gateway_mac);
        return cfg.gateway_mac.value_or(mac{});
    }
    auto gw = control.resolve(*gateway, from, cfg.gateway_arp_attempts,
                              fmt::format("{} ({})", e.control_port().id, cfg.port.describe()),
                              e.hooks.stop_signals);
    if (!gw) return gw;
    control.keep_gateway(*gateway, *gw);
    if (e.hooks.on_note)
        e.hooks.on_note(fmt::format("gateway {} is at {}", *gateway_text(cfg), format_mac(*gw)));
    return gw;
}
inline result<mac> gateway_mac(const run_env& e, control_plane& control) {
    const scan_config& cfg = e.cfg;
    if (cfg.family == ip_family::ipv6)
        return resolve_gateway(e, control, cfg.gateway_ip6, cfg.sources6.ranges().front().first);
    return resolve_gateway(e, control, cfg.gateway_ip, cfg.sources.ranges().front().first);
}

// ARP that gives the gateway's address another MAC is never silent: a line when the first comes
// (a monitor run may go on for months), and one with the count once the run ended.
inline void note_first_gateway_claim(const run_env& e, const control_plane& control, mac used, bool& noted) {
    const auto gateway = gateway_text(e.cfg);
    if (noted || !control.first_gateway_claim() || !e.hooks.on_note || !gateway) return;
    noted = true;
    const bool v6 = e.cfg.family == ip_family::ipv6;
    e.hooks.on_note(fmt::format(
        "{} says the gateway {} is at {}, not {} as this run uses: ignored, and "
        "counted ({}; {} spoofing, or a new gateway: then run again)",
        resolution_name(e.cfg), *gateway, format_mac(*control.first_gateway_claim()), format_mac(used),
        v6 ? "nd_gateway_claims" : "arp_gateway_claims", resolution_name(e.cfg)));
}

// The claims' count, once the run ended.
inline void note_gateway_claims(const run_env& e, const scan_report& report) {
    const uint64_t n =
        report.counters[counter::arp_gateway_claims] + report.counters[counter::nd_gateway_claims];
    const auto gateway = gateway_text(e.cfg);
    if (n && e.hooks.on_note && gateway)
        e.hooks.on_note(fmt::format(
            "{} {} messages said the gateway {} is at another MAC than {}: ignored "
            "({} spoofing, or a new gateway: then run again)",
            n, resolution_name(e.cfg), *gateway, format_mac(report.gateway_mac), resolution_name(e.cfg)));
}

// The sender lcores' first and last probe (send TSC), and the longest any burst waited from its
// send stamp to the NIC.
struct send_span {
    uint64_t first = UINT64_MAX, last = 0, max_lag = 0;
    // Seconds from the first probe to `end`; 0 before the first probe.
    double seconds_to(uint64_t end, uint64_t hz) const {
        return first != UINT64_MAX && end > first ? double(end - first) / double(hz) : 0.0;
    }
};

inline send_span span_of(const std::vector<const tx_lcore*>& senders) {
    send_span span;
    for (const tx_lcore* c : senders) {
        const uint64_t f = c->first_tsc.load(std::memory_order_relaxed);
        if (f && f < span.first) span.first = f;
        span.last = std::max(span.last, c->last_tsc.load(std::memory_order_relaxed));
        span.max_lag = std::max(span.max_lag, c->max_send_lag.load(std::memory_order_relaxed));
    }
    return span;
}

// The status: summed counters, the NICs' losses, the buffers' levels, and seconds of sending (the
// first probe to now, or to the last probe once sending ended).
template <typename Plan>
progress_snapshot snapshot(run_env& e, const sender_set<Plan>& tx, bool sending, double cooldown_left) {
    counter_totals t = sum(e.blocks);
    nic_counters nic = read_nic_counters(e.s.ports);
    progress_snapshot p;
    const uint64_t now = rte_rdtsc();
    p.elapsed_s = double(now - e.clock.epoch_tsc()) / double(e.hz);
    const send_span span = span_of(tx.all);
    p.send_s = span.seconds_to(sending ? now : span.last, e.hz);
    p.wall_ns = e.clock.wall_ns(now);
    p.sent = t[counter::tx_probes];
    p.skipped = t[counter::tx_trace_skipped];
    p.to_send = tx.probes_planned;
    p.received = t[counter::rx_valid];
    p.hits = e.flags.hits.load(std::memory_order_relaxed);
    p.targets = targets_probed<Plan>(e);
    p.nic_missed = nic.rx_missed;
    p.nic_no_mbuf = nic.rx_nombuf;
    p.ring_full = t[counter::rx_ring_full] + t[counter::rx_arp_ring_full] + t[counter::rx_nd_ring_full];
    p.tx_alloc_waits = t[counter::tx_alloc_failed];
    p.dropped = p.nic_missed + p.nic_no_mbuf + p.ring_full;
    p.sending = sending;
    p.cooldown_left_s = cooldown_left;
    p.levels = read_buffer_levels(e.s.ports, e.watched);
    p.counters = t;
    return p;
}

// Sending ends when every TX lcore has stopped and the last probe has left: notes that time and
// returns the cooldown's end (TSC).
inline uint64_t end_sending(run_env& e, control_plane& control, scan_report& report, double cooldown_s) {
    while (e.flags.tx_running.load(std::memory_order_acquire) != 0) {
        control.poll();
        idle_backoff::nap_ns(100000);
    }
    drain_tx(e.s.ports, 1000);
    const uint64_t now = rte_rdtsc();
    e.flags.send_end_tsc.store(now);
    report.send_end_wall_ns = e.clock.wall_ns(now);
    return now + uint64_t(cooldown_s * double(e.hz));
}

// During the cooldown: whether it is over (its end, or cut by --max-results or a signal). A write
// that fails meanwhile brings its end within a second and fails the run.
inline bool cooldown_over(run_env& e, scan_report& report, uint64_t& cooldown_end, uint64_t now) {
    const double left_s = double(cooldown_end - std::min(cooldown_end, now)) / double(e.hz);
    if (const std::optional<double> cut = cooldown_after_failure(
            e.flags.output_failed.load(std::memory_order_relaxed), report.stop_reason, left_s))
        cooldown_end = now + uint64_t(*cut * double(e.hz));
    return now >= cooldown_end ||
           cooldown_cut(e.signals(), e.flags.max_results_reached.load(std::memory_order_relaxed),
                        report.stop_reason);
}

// The last status line the control loop reported, or the snapshot it started from if it reported
// none (a run shorter than a second): the final line is then always due.
struct last_status {
    progress_snapshot snapshot;
    bool reported = false;
};

// The control loop: ARP, a status once a second, checkpoints, the end of sending (every TX lcore
// done, or an early end), then the cooldown. Returns the last status reported.
template <typename Plan>
last_status control_loop(run_env& e, control_plane& control, const sender_set<Plan>& tx,
                         checkpoint_keeper& keeper, scan_report& report) {
    const double cooldown = e.dryrun() ? 0.0 : e.cfg.cooldown_s;
    // -t counts from when sending starts, not from the start-up (ARP may take seconds before it).
    const uint64_t max_runtime_end =
        e.cfg.max_runtime_s > 0 ? tx.start_tsc + uint64_t(e.cfg.max_runtime_s * double(e.hz)) : UINT64_MAX;
    std::optional<uint64_t> cooldown_end;  // set once sending has ended
    progress_snapshot prev = snapshot(e, tx, true, 0);
    bool reported = false;
    uint64_t next_status = rte_rdtsc() + e.hz;
    bool claim_noted = false;
    while (true) {
        control.poll();
        note_first_gateway_claim(e, control, report.gateway_mac, claim_noted);
        const uint64_t now = rte_rdtsc();
        keeper.poll(now);
        if (!cooldown_end) {
            if (e.flags.tx_running.load(std::memory_order_acquire) == 0) {
                cooldown_end = end_sending(e, control, report, cooldown);
            } else if (const std::optional<run_end> why = early_end(
                           {e.signals(), e.flags.max_results_reached.load(std::memory_order_relaxed), now,
                            max_runtime_end, e.flags.output_failed.load(std::memory_order_relaxed)})) {
                report.stop_reason = *why;
                e.flags.stop_tx.store(true);
                cooldown_end = end_sending(e, control, report, cooldown_after(*why, cooldown));
            }
        } else if (cooldown_over(e, report, *cooldown_end, now)) {
            break;
        }
        if (now >= next_status) {
            const double left =
                cooldown_end ? double(*cooldown_end - std::min(*cooldown_end, now)) / double(e.hz) : 0;
            const progress_snapshot cur = snapshot(e, tx, !cooldown_end, left);
            if (e.hooks.on_progress && !e.hooks.on_progress(cur, prev))  // -u failed: as the rows
                e.flags.output_failed.store(true, std::memory_order_relaxed);
            prev = cur;
            reported = true;
            next_status += e.hz;
        }
        // 10 ms: ARP answers (a gateway retries after a second) and stop decisions need no finer
        // grain, and at monitor mode's small end each wake-up of this lcore is CPU per probe (about
        // 15 us each on this VM: 4 us a probe at 4 ms naps).
        idle_backoff::nap_ns(10000000);
    }
    return {prev, reported};
}

}  // namespace ics::dpdk
