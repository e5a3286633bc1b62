// Orchestration on the main (control) lcore: EAL, port, rings, lcore launch order (RX first, so
// that ARP works; output and TX once the gateway is known), the control loop (ARP, status,
// signals, limits, cooldown) and the orderly stop that flushes every record.
#include "dpdk/scan_runner.hpp"

#include <numa.h>
#include <time.h>

#include <memory>
#include <vector>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include <fmt/format.h>

#include "dpdk/bpf_logs.hpp"
#include "dpdk/control_plane.hpp"
#include "dpdk/dpdk_port.hpp"
#include "dpdk/eal_args.hpp"
#include "dpdk/host_checks.hpp"
#include "dpdk/idle_backoff.hpp"
#include "dpdk/lcore_context.hpp"
#include "dpdk/rx_loop.hpp"
#include "dpdk/trace_tx_loop.hpp"
#include "dpdk/tx_loop.hpp"
#include "probe/probe_types.hpp"
#include "trace/path_writer.hpp"

namespace ics::dpdk {
namespace {

uint64_t wall_now_ns() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

template <typename Ctx, int (*Loop)(Ctx&)>
int launch_trampoline(void* arg) {
    return Loop(*static_cast<Ctx*>(arg));
}

// Owns what EAL set up so that every exit path releases it.
struct dpdk_session {
    bool eal = false;
    std::vector<port_handle> ports;
    std::vector<rte_ring*> rings;
    ~dpdk_session() {
        for (port_handle& p : ports) close_port(p);
        for (rte_ring* r : rings) rte_ring_free(r);
        for (port_handle& p : ports)
            if (p.pool) rte_mempool_free(p.pool);
        if (eal) rte_eal_cleanup();
    }
};

counter_totals sum(const std::vector<std::unique_ptr<counter_block>>& blocks) {
    counter_totals t;
    for (const auto& b : blocks) t.add(*b);
    return t;
}

// Trace mode's final output: one path per target, in address order, after the output lcore stopped.
// Counts the paths and their stop reasons into the report.
bool write_paths(const scan_config& cfg, std::FILE* paths_file, const trace_collector& collector,
                 const trace_probe& probe, scan_report& report) {
    fmt::memory_buffer buf;
    path_header h;
    h.start_wall_ns = report.start_wall_ns;
    h.probe_size = unsigned(trace_probe::ip_len);
    const hop_table& hops = collector.hops();
    bool ok = true;
    for (uint64_t i = 0; i < hops.targets(); ++i) {
        h.dst = cfg.targets.at(i);
        h.src = source_for(cfg.sources, h.dst);
        h.icmp_sum = probe.flow_checksum(h.dst);
        const hop_slot* row = hops.row(i);
        const assembled_path path =
            assemble_path(row, cfg.trace.min_ttl, cfg.trace.max_ttl, cfg.trace.gaplimit,
                          cfg.trace.order != trace_order::backward);
        append_path_json(buf, h, row, path, cfg.trace);
        ++report.paths_written;
        ++report.paths_by_stop_reason[size_t(path.reason)];
        if (buf.size() >= (1u << 16)) {
            ok = ok && std::fwrite(buf.data(), 1, buf.size(), paths_file) == buf.size();
            buf.clear();
        }
    }
    ok = ok && std::fwrite(buf.data(), 1, buf.size(), paths_file) == buf.size();
    return std::fflush(paths_file) == 0 && ok;
}

// What every step of one run shares: the config, the hooks, the session, the lcore and queue
// plans, the clock, the per-lcore counters and the flags.
struct run_env {
    const scan_config& cfg;
    const run_hooks& hooks;
    dpdk_session& s;
    const lcore_plan& lcores;
    const queue_plan& queues;
    const uint64_t hz;
    const tsc_clock clock;
    // One counter block per lcore (index 0: control), each on its own cache lines.
    std::vector<std::unique_ptr<counter_block>> blocks;
    scan_flags flags;

    run_env(const scan_config& c, const run_hooks& h, dpdk_session& session, const lcore_plan& l,
            const queue_plan& q)
        : cfg(c),
          hooks(h),
          s(session),
          lcores(l),
          queues(q),
          hz(rte_get_tsc_hz()),
          clock(hz, rte_rdtsc(), wall_now_ns()) {
        for (unsigned i = 0; i < lcores.total(); ++i) blocks.push_back(std::make_unique<counter_block>());
    }
    bool dryrun() const { return !cfg.port.dryrun_pcap.empty(); }
    const port_handle& control_port() const { return s.ports[queues.tx_port(queues.control_slot())]; }
    // Stops the RX (and, once launched, output and TX) lcores and waits for them.
    void stop_lcores() {
        flags.stop_tx.store(true);
        flags.stop_rx.store(true);
        rte_eal_mp_wait_lcore();
    }
};

// One record ring and one ARP ring per RX lcore, single producer, single consumer.
struct rx_rings {
    std::vector<rte_ring*> records, arp;
};

result<rx_rings> create_rx_rings(dpdk_session& s, size_t rx_lcores, int socket) {
    rx_rings rings;
    for (size_t i = 0; i < rx_lcores; ++i) {
        rte_ring* rec = rte_ring_create_elem(fmt::format("ics_rec_{}", i).c_str(), sizeof(result_record),
                                             record_ring_size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
        rte_ring* arp = rte_ring_create(fmt::format("ics_arp_{}", i).c_str(), arp_ring_size, socket,
                                        RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (!rec || !arp)
            return error{fmt::format("cannot create the RX rings: {}", rte_strerror(rte_errno))};
        s.rings.push_back(rec);
        s.rings.push_back(arp);
        rings.records.push_back(rec);
        rings.arp.push_back(arp);
    }
    return rings;
}

// Trace feedback: one SP/SC ring per TX lcore, the output lcore producing into all of them.
status create_feedback_rings(dpdk_session& s, unsigned tx_lcores, int socket, std::vector<rte_ring*>& rings) {
    for (unsigned t = 0; t < tx_lcores; ++t) {
        rte_ring* fb = rte_ring_create_elem(fmt::format("ics_fb_{}", t).c_str(), sizeof(trace_feedback),
                                            feedback_ring_size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (!fb)
            return error{fmt::format("cannot create the trace feedback ring: {}", rte_strerror(rte_errno))};
        s.rings.push_back(fb);
        rings.push_back(fb);
    }
    return ok();
}

// The gateway's MAC is unknown until ARP answered (dst_mac is then filled in): RX decodes with a
// probe built from this before, TX with one built after, so no lcore reads an object being rebuilt.
probe_setup make_probe_setup(const scan_config& cfg, mac source_mac) {
    probe_setup setup;
    setup.src_mac = source_mac;
    setup.dst_mac = cfg.gateway_mac.value_or(mac{});
    setup.sources = &cfg.sources;
    setup.ttl = cfg.probe_ttl;
    setup.min_ttl = cfg.trace.min_ttl;
    setup.max_ttl = cfg.trace.max_ttl;
    setup.key = cfg.key;
    return setup;
}

// RX lcores: of every port's RX queues, in order, RX lcore i polls the i-th, (i + n)-th ...
// (decoding needs only the key, sources and TTL of `probe`). Launched at once, so that ARP works.
template <typename Probe>
std::vector<std::unique_ptr<rx_context<Probe>>> launch_receivers(run_env& e, const Probe& probe,
                                                                 const rx_rings& rings) {
    std::vector<port_queue> rx_queues;
    for (const port_handle& p : e.s.ports)
        for (unsigned q = 0; q < e.queues.rx_queues; ++q) rx_queues.push_back({p.id, uint16_t(q)});
    const size_t n = e.lcores.rx.size();
    std::vector<std::unique_ptr<rx_context<Probe>>> rx;
    for (size_t i = 0; i < n; ++i) {
        auto c = std::make_unique<rx_context<Probe>>();
        for (size_t k = i; k < rx_queues.size(); k += n) c->queues.push_back(rx_queues[k]);
        c->probe = &probe;
        c->clock = e.clock;
        c->backoff = !e.cfg.lcores.busy_poll;
        c->records = rings.records[i];
        c->arp = rings.arp[i];
        c->counters = e.blocks[e.lcores.rx[i]].get();
        c->flags = &e.flags;
        rx.push_back(std::move(c));
    }
    e.flags.rx_running.store(unsigned(rx.size()));
    for (size_t i = 0; i < rx.size(); ++i)
        rte_eal_remote_launch(launch_trampoline<rx_context<Probe>, rx_loop<Probe>>, rx[i].get(),
                              e.lcores.rx[i]);
    return rx;
}

// The output lcore's context; its writer is set once the files are open, before sending.
output_context make_output_context(run_env& e, const std::vector<rte_ring*>& record_rings, seen_bitmap& seen,
                                   trace_collector* trace) {
    output_context out;
    out.rings = record_rings;
    out.targets = &e.cfg.targets;
    out.seen = &seen;
    out.filter = &e.cfg.filter;
    out.trace = trace;
    out.clock = e.clock;
    out.max_results = e.cfg.max_results;
    out.backoff = !e.cfg.lcores.busy_poll;
    out.counters = e.blocks[e.lcores.output].get();
    out.flags = &e.flags;
    return out;
}

// The control lcore answers ARP for our addresses, on its own TX queue if the port offers one.
control_plane make_control_plane(const run_env& e, const std::vector<rte_ring*>& arp_rings, mac source_mac) {
    const port_handle& port = e.control_port();
    std::optional<uint16_t> queue;
    if (port.control_queue)
        queue = uint16_t(e.queues.tx_queue(e.queues.control_slot()));
    else if (e.hooks.on_note && !e.dryrun())
        e.hooks.on_note(
            fmt::format("{} offers no TX queue for ARP answers: the gateway must already know "
                        "{} is at {}",
                        port.name, format_ipv4(e.cfg.sources.ranges()[0].first), format_mac(source_mac)));
    return control_plane(port.id, queue, port.pool, source_mac, e.cfg.sources, arp_rings);
}

// The gateway's MAC: given (or none needed in a dry run), or asked for by ARP.
result<mac> gateway_mac(const run_env& e, control_plane& control) {
    const scan_config& cfg = e.cfg;
    if (cfg.gateway_mac || e.dryrun()) return cfg.gateway_mac.value_or(mac{});
    auto gw = control.resolve(*cfg.gateway_ip, cfg.sources.ranges()[0].first, cfg.gateway_arp_attempts,
                              fmt::format("{} ({})", e.control_port().id, cfg.port.describe()),
                              e.hooks.stop_signals);
    if (gw && e.hooks.on_note)
        e.hooks.on_note(fmt::format("gateway {} is at {}", format_ipv4(*cfg.gateway_ip), format_mac(*gw)));
    return gw;
}

// The scan will run: the app opens its files, the header goes out before any row, then the
// output lcore starts. Rows: scan results to -o; in trace mode per-reply rows to
// --replies-file, if given.
result<run_outputs> launch_output(run_env& e, output_context& out, std::optional<record_writer>& writer,
                                  bool tracing) {
    auto files = e.hooks.open_outputs ? e.hooks.open_outputs() : result<run_outputs>(run_outputs{});
    if (!files) return files;
    if (std::FILE* rows_file = tracing ? files->replies : files->output)
        writer.emplace(rows_file, e.cfg.format, e.cfg.fields);
    out.writer = writer ? &*writer : nullptr;
    if (writer) writer->write_header();
    rte_eal_remote_launch(launch_trampoline<output_context, output_loop>, &out, e.lcores.output);
    return files;
}

// The TX lcores' contexts (one kind per mode) and what the control loop reads of them.
template <typename Probe>
struct sender_set {
    static constexpr bool tracing = std::is_same_v<Probe, trace_probe>;
    std::vector<std::unique_ptr<tx_context<Probe>>> scan;
    std::vector<std::unique_ptr<trace_tx_context>> trace;
    std::vector<const tx_lcore*> all;         // every one of the above, in TX lcore order
    std::vector<uint64_t> targets_per_round;  // scan: each TX lcore's targets per -P round
    uint64_t probes_planned = 0;              // all of them together (trace: sent or skipped)
};

// What every sender lcore is given, whatever the mode: TX lcores share the rate; each walks its
// slice of the permutation.
void init_sender(tx_lcore& c, unsigned t, run_env& e, const permutation& perm, uint64_t start_tsc) {
    const scan_config& cfg = e.cfg;
    const unsigned ntx = unsigned(e.lcores.tx.size());
    const port_handle& own = e.s.ports[e.queues.tx_port(t)];
    c.port = own.id;
    c.queue = uint16_t(e.queues.tx_queue(t));
    c.pool = own.pool;
    c.targets = &cfg.targets;
    c.sources = &cfg.sources;
    c.perm = &perm;
    c.slice = {cfg.shard, cfg.shards, t, ntx};
    c.rate = cfg.rate / ntx + (t < cfg.rate % ntx ? 1 : 0);
    c.start_tsc = start_tsc;
    c.clock = e.clock;
    c.backoff = !cfg.lcores.busy_poll;
    c.counters = e.blocks[e.lcores.tx[t]].get();
    c.flags = &e.flags;
}

template <typename Probe>
void launch_senders(sender_set<Probe>& tx, run_env& e, const Probe& probe, const permutation& perm,
                    const std::vector<rte_ring*>& feedback) {
    const scan_config& cfg = e.cfg;
    const unsigned ntx = unsigned(e.lcores.tx.size());
    const uint64_t limit = cfg.max_targets ? cfg.max_targets : cfg.targets.size();
    const uint64_t start_tsc = rte_rdtsc() + e.hz / 1000;
    e.flags.tx_running.store(ntx);
    for (unsigned t = 0; t < ntx; ++t) {
        if constexpr (sender_set<Probe>::tracing) {
            auto c = std::make_unique<trace_tx_context>();
            init_sender(*c, t, e, perm, start_tsc);
            c->probe = &probe;
            c->plan = cfg.trace;
            if (!feedback.empty()) {
                c->feedback = feedback[t];
                c->progress.resize(cfg.targets.size());
            }
            tx.probes_planned += trace_walk::total(cfg.targets.size(), cfg.trace, c->slice);
            tx.all.push_back(c.get());
            tx.trace.push_back(std::move(c));
        } else {
            auto c = std::make_unique<tx_context<Probe>>();
            init_sender(*c, t, e, perm, start_tsc);
            c->probe = &probe;
            c->limit = limit;
            c->rounds = cfg.probes;
            tx.targets_per_round.push_back(
                target_walk::targets_per_round(cfg.targets.size(), cfg.max_targets, c->slice));
            tx.probes_planned += tx.targets_per_round.back() * cfg.probes;
            tx.all.push_back(c.get());
            tx.scan.push_back(std::move(c));
        }
    }
    for (unsigned t = 0; t < ntx; ++t) {
        if constexpr (sender_set<Probe>::tracing)
            rte_eal_remote_launch(launch_trampoline<trace_tx_context, trace_tx_loop>, tx.trace[t].get(),
                                  e.lcores.tx[t]);
        else
            rte_eal_remote_launch(launch_trampoline<tx_context<Probe>, tx_loop<Probe>>, tx.scan[t].get(),
                                  e.lcores.tx[t]);
    }
}

// Scan: a TX lcore's first round probes each of its targets once, so it has probed
// min(sent, its targets per round). Trace: every target (each gets a path).
template <typename Probe>
uint64_t targets_probed(const run_env& e, const sender_set<Probe>& tx) {
    if (sender_set<Probe>::tracing) return uint64_t(e.cfg.targets.size());
    uint64_t n = 0;
    for (size_t t = 0; t < tx.targets_per_round.size(); ++t)
        n += std::min(e.blocks[e.lcores.tx[t]]->get(counter::tx_probes), tx.targets_per_round[t]);
    return n;
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

send_span span_of(const std::vector<const tx_lcore*>& senders) {
    send_span span;
    for (const tx_lcore* c : senders) {
        const uint64_t f = c->first_tsc.load(std::memory_order_relaxed);
        if (f && f < span.first) span.first = f;
        span.last = std::max(span.last, c->last_tsc.load(std::memory_order_relaxed));
        span.max_lag = std::max(span.max_lag, c->max_send_lag.load(std::memory_order_relaxed));
    }
    return span;
}

// The status: summed counters, the NICs' losses, and seconds of sending (the first probe to
// now, or to the last probe once sending ended).
template <typename Probe>
progress_snapshot snapshot(run_env& e, const sender_set<Probe>& tx, bool sending, double cooldown_left) {
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
    p.targets = targets_probed(e, tx);
    p.nic_missed = nic.rx_missed;
    p.nic_no_mbuf = nic.rx_nombuf;
    p.ring_full = t[counter::rx_ring_full] + t[counter::rx_arp_ring_full];
    p.tx_alloc_waits = t[counter::tx_alloc_failed];
    p.dropped = p.nic_missed + p.nic_no_mbuf + p.ring_full;
    p.sending = sending;
    p.cooldown_left_s = cooldown_left;
    return p;
}

// The control loop: ARP, a status once a second, and the end of sending (every TX lcore done, a
// signal, --max-results or --max-runtime), then the cooldown. Returns the last status reported.
template <typename Probe>
progress_snapshot control_loop(run_env& e, control_plane& control, const sender_set<Probe>& tx,
                               scan_report& report) {
    const uint64_t hz = e.hz;
    enum class phase { sending, cooldown } ph = phase::sending;
    uint64_t cooldown_end = 0;
    const uint64_t max_runtime_end = e.cfg.max_runtime_s > 0
                                         ? e.clock.epoch_tsc() + uint64_t(e.cfg.max_runtime_s * double(hz))
                                         : UINT64_MAX;
    progress_snapshot prev = snapshot(e, tx, true, 0);
    uint64_t next_status = rte_rdtsc() + hz;
    auto begin_cooldown = [&](double seconds) {
        while (e.flags.tx_running.load(std::memory_order_acquire) != 0) {
            control.poll();
            idle_backoff::nap_ns(100000);
        }
        drain_tx(e.s.ports, 1000);  // sending ends when the last probe has left
        const uint64_t now = rte_rdtsc();
        e.flags.send_end_tsc.store(now);
        report.send_end_wall_ns = e.clock.wall_ns(now);
        cooldown_end = now + uint64_t(seconds * double(hz));
        ph = phase::cooldown;
    };
    const double cooldown = e.dryrun() ? 0.0 : e.cfg.cooldown_s;
    while (true) {
        control.poll();
        const uint64_t now = rte_rdtsc();
        const int signals = e.hooks.stop_signals ? e.hooks.stop_signals->load() : 0;
        if (ph == phase::sending) {
            if (e.flags.tx_running.load(std::memory_order_acquire) == 0) {
                begin_cooldown(cooldown);
            } else if (signals > 0) {
                report.stop_reason = "signal";
                e.flags.stop_tx.store(true);
                begin_cooldown(std::min(cooldown, 1.0));  // drain what is in flight, briefly
            } else if (e.flags.max_results_reached.load(std::memory_order_relaxed)) {
                report.stop_reason = "max_results";
                e.flags.stop_tx.store(true);
                begin_cooldown(0);
            } else if (now >= max_runtime_end) {
                report.stop_reason = "max_runtime";
                e.flags.stop_tx.store(true);
                begin_cooldown(cooldown);
            }
        } else {
            if (now >= cooldown_end) break;
            if (e.flags.max_results_reached.load(std::memory_order_relaxed)) {
                if (report.stop_reason == "completed") report.stop_reason = "max_results";
                break;
            }
            if (signals > 0 && report.stop_reason != "signal") {
                report.stop_reason = "signal";
                break;
            }
        }
        if (now >= next_status) {
            double left =
                ph == phase::cooldown ? double(cooldown_end - std::min(cooldown_end, now)) / double(hz) : 0;
            progress_snapshot cur = snapshot(e, tx, ph == phase::sending, left);
            if (e.hooks.on_progress) e.hooks.on_progress(cur, prev);
            prev = cur;
            next_status += hz;
        }
        idle_backoff::nap_ns(1000000);
    }
    return prev;
}

// Once every lcore stopped: the summed counters, hits, targets probed, first replies by type and
// code, the RTT error bounds, the span of sending, whether every planned probe went out, the
// NICs' counters and each port's traffic.
template <typename Probe>
void finish_report(scan_report& report, run_env& e, const sender_set<Probe>& tx, const output_context& out) {
    report.counters = sum(e.blocks);
    report.hits = e.flags.hits.load();
    report.targets_probed = targets_probed(e, tx);
    report.unique_by_type_code = out.unique_by_type_code;
    report.rtt_error = out.rtt_error;
    const send_span span = span_of(tx.all);
    report.send_stamp_lag_max_us = double(span.max_lag) * 1e6 / double(e.hz);
    report.send_seconds = span.seconds_to(span.last, e.hz);
    report.completed = report.counters[counter::tx_probes] + report.counters[counter::tx_trace_skipped] >=
                       report.probes_planned;
    nic_counters nic = read_nic_counters(e.s.ports);
    report.nic_rx_missed = nic.rx_missed;
    report.nic_rx_errors = nic.rx_errors;
    report.nic_rx_nombuf = nic.rx_nombuf;
    report.nic_tx_errors = nic.tx_errors;
    report.ports = std::move(nic.ports);
}

// The output lcore's write errors; then trace mode's paths, written only now that it stopped.
template <typename Probe>
status finish_output(const run_env& e, const run_outputs& files, const trace_collector* collector,
                     const Probe& probe, scan_report& report) {
    if (e.flags.output_failed.load())
        return error{fmt::format("writing the results to '{}' failed (disk full or closed pipe?)",
                                 sender_set<Probe>::tracing ? e.cfg.replies_path : e.cfg.output_path)};
    if constexpr (sender_set<Probe>::tracing) {
        report.trace_interfaces = collector->interfaces_in_stop_set();
        if (!files.output || !write_paths(e.cfg, files.output, *collector, probe, report))
            return error{fmt::format("writing the paths to '{}' failed (disk full or closed pipe?)",
                                     e.cfg.output_path)};
    }
    return ok();
}

// Set up (rings, receivers, ARP, the gateway, files, the output lcore, senders), launch, wait
// in the control loop, stop, report.
template <typename Probe>
result<scan_report> run_typed(const scan_config& cfg, const run_hooks& hooks, dpdk_session& s,
                              const lcore_plan& lcores, const queue_plan& queues) {
    constexpr bool tracing = sender_set<Probe>::tracing;
    const port_handle& port = s.ports.front();  // its MAC is the link's, its NUMA node the rings'
    run_env e(cfg, hooks, s, lcores, queues);
    scan_report report;
    report.source_mac = cfg.source_mac.value_or(port.address);
    report.tsc_hz = e.hz;
    report.start_wall_ns = e.clock.wall_ns(e.clock.epoch_tsc());

    const auto rings = create_rx_rings(s, lcores.rx.size(), port.socket);
    if (!rings) return error{rings.error_message()};
    probe_setup setup = make_probe_setup(cfg, report.source_mac);
    const Probe rx_probe(setup);
    seen_bitmap seen(cfg.targets.size());
    std::optional<record_writer> writer;  // made once the files are open, before sending
    std::optional<trace_collector> collector;
    if (tracing) collector.emplace(cfg.targets, cfg.trace);
    output_context out = make_output_context(e, rings->records, seen, collector ? &*collector : nullptr);
    const auto rx = launch_receivers(e, rx_probe, *rings);

    control_plane control = make_control_plane(e, rings->arp, report.source_mac);
    const result<mac> gw = gateway_mac(e, control);
    if (!gw) {
        e.stop_lcores();
        return error{gw.error_message()};
    }
    setup.dst_mac = *gw;
    const Probe tx_probe(setup);
    report.gateway_mac = setup.dst_mac;
    if (tracing && cfg.trace.order == trace_order::backward)
        if (status st = create_feedback_rings(s, unsigned(lcores.tx.size()), port.socket, out.feedback);
            !st) {
            e.stop_lcores();
            return error{st.error_message()};
        }
    const auto files = launch_output(e, out, writer, tracing);
    if (!files) {
        e.stop_lcores();
        return error{files.error_message()};
    }

    const permutation perm(tracing ? trace_walk::domain(cfg.targets.size(), cfg.trace) : cfg.targets.size(),
                           cfg.seed);
    sender_set<Probe> tx;
    launch_senders(tx, e, tx_probe, perm, out.feedback);
    report.probes_planned = tx.probes_planned;

    const progress_snapshot prev = control_loop(e, control, tx, report);
    e.stop_lcores();
    report.end_wall_ns = e.clock.wall_ns(rte_rdtsc());
    // A last line with the final counts, as ZMap's final update, unless they are the last line's
    // (its -u row has its own millisecond time, even within the second of the row before).
    const progress_snapshot last = snapshot(e, tx, false, 0);
    if (hooks.on_progress && !same_counts(last, prev)) hooks.on_progress(last, prev);

    finish_report(report, e, tx, out);
    if (status st = finish_output(e, *files, collector ? &*collector : nullptr, tx_probe, report); !st)
        return error{st.error_message()};
    return report;
}

}  // namespace

result<scan_report> run_scan(const scan_config& cfg, const run_hooks& hooks) {
    const std::vector<unsigned> cpus = cfg.lcores.cpus.empty() ? allowed_cpus() : cfg.lcores.cpus;
    const lcore_plan lcores = plan_lcores(cfg.lcores);
    const queue_plan queues = plan_queues(cfg.port, cfg.lcores);
    std::vector<std::string> args = build_eal_args(cfg.port, cfg.lcores, lcores, queues, cpus);
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    dpdk_session s;
    show_bpf_logs(cfg.lcores.verbose_eal);
    if (rte_eal_init(int(args.size()), argv.data()) < 0)
        return error{
            fmt::format("DPDK could not start ({}): run with --verbose-eal to see why "
                        "(EAL arguments: {})",
                        rte_strerror(rte_errno), fmt::join(args, " "))};
    s.eal = true;
    if (auto st = open_ports(queues, lcores.total(),
                             cfg.gateway_mac.has_value() && cfg.port.dryrun_pcap.empty(), s.ports);
        !st)
        return error{st.error_message()};
    const int node = s.ports.front().socket;
    if (hooks.on_note && numa_available() >= 0 && numa_max_node() > 0)
        for (unsigned l = 1; l < lcores.total() && l < cpus.size(); ++l)
            if (numa_node_of_cpu(int(cpus[l])) != node)
                hooks.on_note(
                    fmt::format("lcore {} runs on CPU {} of NUMA node {}, the port is on node {}: "
                                "pass --cpus from node {} for full speed",
                                l, cpus[l], numa_node_of_cpu(int(cpus[l])), node, node));

    if (cfg.tracing()) return run_typed<trace_probe>(cfg, hooks, s, lcores, queues);
    result<scan_report> out = error{fmt::format("unknown probe type '{}'", cfg.probe_type)};
    with_probe_type(cfg.probe_type, [&](auto tag) {
        using Probe = typename decltype(tag)::type;
        out = run_typed<Probe>(cfg, hooks, s, lcores, queues);
    });
    return out;
}

}  // namespace ics::dpdk
