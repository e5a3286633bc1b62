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

template <typename Probe>
result<scan_report> run_typed(const scan_config& cfg, const run_hooks& hooks, dpdk_session& s,
                              const lcore_plan& lcores, const queue_plan& queues) {
    const bool dryrun = !cfg.port.dryrun_pcap.empty();
    const port_handle& port = s.ports.front();  // its MAC is the link's, its NUMA node the rings'
    scan_report report;
    report.source_mac = cfg.source_mac.value_or(port.address);
    const uint64_t hz = rte_get_tsc_hz();
    report.tsc_hz = hz;
    const tsc_clock clock(hz, rte_rdtsc(), wall_now_ns());
    report.start_wall_ns = clock.wall_ns(clock.epoch_tsc());

    // One counter block per lcore (index 0: control), each on its own cache lines.
    std::vector<std::unique_ptr<counter_block>> blocks;
    for (unsigned i = 0; i < lcores.total(); ++i) blocks.push_back(std::make_unique<counter_block>());
    scan_flags flags;

    // Rings: one record ring and one ARP ring per RX lcore, single producer, single consumer.
    std::vector<rte_ring*> record_rings, arp_rings;
    for (size_t i = 0; i < lcores.rx.size(); ++i) {
        rte_ring* rec = rte_ring_create_elem(fmt::format("ics_rec_{}", i).c_str(), sizeof(result_record),
                                             record_ring_size, port.socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
        rte_ring* arp = rte_ring_create(fmt::format("ics_arp_{}", i).c_str(), arp_ring_size, port.socket,
                                        RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (!rec || !arp)
            return error{fmt::format("cannot create the RX rings: {}", rte_strerror(rte_errno))};
        s.rings.push_back(rec);
        s.rings.push_back(arp);
        record_rings.push_back(rec);
        arp_rings.push_back(arp);
    }

    // RX decodes with its own probe instance (decoding needs only the key, sources and TTL); the TX
    // instance is built once the gateway's MAC is known, so no lcore reads an object being rebuilt.
    probe_setup setup;
    setup.src_mac = report.source_mac;
    setup.dst_mac = cfg.gateway_mac.value_or(mac{});
    setup.sources = &cfg.sources;
    setup.ttl = cfg.probe_ttl;
    setup.min_ttl = cfg.trace.min_ttl;
    setup.max_ttl = cfg.trace.max_ttl;
    setup.key = cfg.key;
    const Probe rx_probe(setup);

    // RX lcores: of every port's RX queues, in order, RX lcore i polls the i-th, (i + n)-th ...
    std::vector<port_queue> rx_queues;
    for (const port_handle& p : s.ports)
        for (unsigned q = 0; q < queues.rx_queues; ++q) rx_queues.push_back({p.id, uint16_t(q)});
    std::vector<std::unique_ptr<rx_context<Probe>>> rx;
    for (size_t i = 0; i < lcores.rx.size(); ++i) {
        auto c = std::make_unique<rx_context<Probe>>();
        for (size_t k = i; k < rx_queues.size(); k += lcores.rx.size()) c->queues.push_back(rx_queues[k]);
        c->probe = &rx_probe;
        c->clock = clock;
        c->backoff = !cfg.lcores.busy_poll;
        c->records = record_rings[i];
        c->arp = arp_rings[i];
        c->counters = blocks[lcores.rx[i]].get();
        c->flags = &flags;
        rx.push_back(std::move(c));
    }
    constexpr bool tracing = std::is_same_v<Probe, trace_probe>;
    seen_bitmap seen(cfg.targets.size());
    std::optional<record_writer> writer;  // made once the files are open, before sending
    std::optional<trace_collector> collector;
    if (tracing) collector.emplace(cfg.targets, cfg.trace);
    output_context out;
    out.rings = record_rings;
    out.targets = &cfg.targets;
    out.seen = &seen;
    out.filter = &cfg.filter;
    out.trace = collector ? &*collector : nullptr;
    out.clock = clock;
    out.max_results = cfg.max_results;
    out.backoff = !cfg.lcores.busy_poll;
    out.counters = blocks[lcores.output].get();
    out.flags = &flags;

    flags.rx_running.store(unsigned(rx.size()));
    for (size_t i = 0; i < rx.size(); ++i)
        rte_eal_remote_launch(launch_trampoline<rx_context<Probe>, rx_loop<Probe>>, rx[i].get(),
                              lcores.rx[i]);

    // Stops the RX (and, once launched, output) lcores and waits for them.
    auto stop_receivers = [&] {
        flags.stop_tx.store(true);
        flags.stop_rx.store(true);
        rte_eal_mp_wait_lcore();
    };

    const port_handle& control_port = s.ports[queues.tx_port(queues.control_slot())];
    std::optional<uint16_t> control_queue;
    if (control_port.control_queue)
        control_queue = uint16_t(queues.tx_queue(queues.control_slot()));
    else if (hooks.on_note && !dryrun)
        hooks.on_note(fmt::format(
            "{} offers no TX queue for ARP answers: the gateway must already know "
            "{} is at {}",
            control_port.name, format_ipv4(cfg.sources.ranges()[0].first), format_mac(report.source_mac)));
    control_plane control(control_port.id, control_queue, control_port.pool, report.source_mac, cfg.sources,
                          arp_rings);
    if (!cfg.gateway_mac && !dryrun) {
        auto gw =
            control.resolve(*cfg.gateway_ip, cfg.sources.ranges()[0].first, cfg.gateway_arp_attempts,
                            fmt::format("{} ({})", control_port.id, cfg.port.describe()), hooks.stop_signals);
        if (!gw) {
            stop_receivers();
            return error{gw.error_message()};
        }
        setup.dst_mac = *gw;
        if (hooks.on_note)
            hooks.on_note(fmt::format("gateway {} is at {}", format_ipv4(*cfg.gateway_ip), format_mac(*gw)));
    }
    const Probe tx_probe(setup);
    report.gateway_mac = setup.dst_mac;
    // Trace feedback: one SP/SC ring per TX lcore, the output lcore producing into all of them.
    const unsigned ntx = unsigned(lcores.tx.size());
    if (tracing && cfg.trace.order == trace_order::backward)
        for (unsigned t = 0; t < ntx; ++t) {
            rte_ring* fb =
                rte_ring_create_elem(fmt::format("ics_fb_{}", t).c_str(), sizeof(trace_feedback),
                                     feedback_ring_size, port.socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
            if (!fb) {
                stop_receivers();
                return error{
                    fmt::format("cannot create the trace feedback ring: {}", rte_strerror(rte_errno))};
            }
            s.rings.push_back(fb);
            out.feedback.push_back(fb);
        }

    // The scan will run: the app opens its files, the header goes out before any row, then the
    // output lcore starts. Rows: scan results to -o; in trace mode per-reply rows to
    // --replies-file, if given.
    auto files = hooks.open_outputs ? hooks.open_outputs() : result<run_outputs>(run_outputs{});
    if (!files) {
        stop_receivers();
        return error{files.error_message()};
    }
    if (std::FILE* rows_file = tracing ? files->replies : files->output)
        writer.emplace(rows_file, cfg.format, cfg.fields);
    out.writer = writer ? &*writer : nullptr;
    if (writer) writer->write_header();
    rte_eal_remote_launch(launch_trampoline<output_context, output_loop>, &out, lcores.output);

    // TX lcores share the rate; each walks its slice of the permutation.
    const permutation perm(tracing ? trace_walk::domain(cfg.targets.size(), cfg.trace) : cfg.targets.size(),
                           cfg.seed);
    const uint64_t limit = cfg.max_targets ? cfg.max_targets : cfg.targets.size();
    const uint64_t start_tsc = rte_rdtsc() + hz / 1000;
    std::vector<std::unique_ptr<tx_context<Probe>>> tx;
    std::vector<std::unique_ptr<trace_tx_context>> trace_tx;
    std::vector<uint64_t> targets_per_round;  // scan: each TX lcore's targets per -P round
    // What every sender lcore is given, whatever the mode.
    auto sender = [&](tx_lcore& c, unsigned t) {
        const port_handle& own = s.ports[queues.tx_port(t)];
        c.port = own.id;
        c.queue = uint16_t(queues.tx_queue(t));
        c.pool = own.pool;
        c.targets = &cfg.targets;
        c.sources = &cfg.sources;
        c.perm = &perm;
        c.slice = {cfg.shard, cfg.shards, t, ntx};
        c.rate = cfg.rate / ntx + (t < cfg.rate % ntx ? 1 : 0);
        c.start_tsc = start_tsc;
        c.clock = clock;
        c.backoff = !cfg.lcores.busy_poll;
        c.counters = blocks[lcores.tx[t]].get();
        c.flags = &flags;
    };
    flags.tx_running.store(ntx);
    for (unsigned t = 0; t < ntx; ++t) {
        if constexpr (tracing) {
            auto c = std::make_unique<trace_tx_context>();
            sender(*c, t);
            c->probe = &tx_probe;
            c->plan = cfg.trace;
            if (!out.feedback.empty()) {
                c->feedback = out.feedback[t];
                c->progress.resize(cfg.targets.size());
            }
            report.probes_planned += trace_walk::total(cfg.targets.size(), cfg.trace, c->slice);
            trace_tx.push_back(std::move(c));
        } else {
            auto c = std::make_unique<tx_context<Probe>>();
            sender(*c, t);
            c->probe = &tx_probe;
            c->limit = limit;
            c->rounds = cfg.probes;
            targets_per_round.push_back(
                target_walk::targets_per_round(cfg.targets.size(), cfg.max_targets, c->slice));
            report.probes_planned += targets_per_round.back() * cfg.probes;
            tx.push_back(std::move(c));
        }
    }
    for (unsigned t = 0; t < ntx; ++t) {
        if constexpr (tracing)
            rte_eal_remote_launch(launch_trampoline<trace_tx_context, trace_tx_loop>, trace_tx[t].get(),
                                  lcores.tx[t]);
        else
            rte_eal_remote_launch(launch_trampoline<tx_context<Probe>, tx_loop<Probe>>, tx[t].get(),
                                  lcores.tx[t]);
    }

    // Scan: a TX lcore's first round probes each of its targets once, so it has probed
    // min(sent, its targets per round). Trace: every target (each gets a path).
    auto targets_probed = [&] {
        if (tracing) return uint64_t(cfg.targets.size());
        uint64_t n = 0;
        for (unsigned t = 0; t < ntx; ++t)
            n += std::min(blocks[lcores.tx[t]]->get(counter::tx_probes), targets_per_round[t]);
        return n;
    };
    // Seconds of sending: the first probe to `now`, or to the last probe once sending ended.
    auto sending_seconds = [&](uint64_t now, bool sending) {
        uint64_t first = UINT64_MAX, last = 0;
        auto take = [&](const tx_lcore& c) {
            const uint64_t f = c.first_tsc.load(std::memory_order_relaxed);
            if (f && f < first) first = f;
            last = std::max(last, c.last_tsc.load(std::memory_order_relaxed));
        };
        for (auto& c : tx) take(*c);
        for (auto& c : trace_tx) take(*c);
        const uint64_t end = sending ? now : last;
        return first != UINT64_MAX && end > first ? double(end - first) / double(hz) : 0.0;
    };

    // The control loop.
    auto snapshot = [&](bool sending, double cooldown_left) {
        counter_totals t = sum(blocks);
        nic_counters nic = read_nic_counters(s.ports);
        progress_snapshot p;
        const uint64_t now = rte_rdtsc();
        p.elapsed_s = double(now - clock.epoch_tsc()) / double(hz);
        p.send_s = sending_seconds(now, sending);
        p.wall_ns = clock.wall_ns(now);
        p.sent = t[counter::tx_probes];
        p.skipped = t[counter::tx_trace_skipped];
        p.to_send = report.probes_planned;
        p.received = t[counter::rx_valid];
        p.hits = flags.hits.load(std::memory_order_relaxed);
        p.targets = targets_probed();
        p.nic_missed = nic.rx_missed;
        p.nic_no_mbuf = nic.rx_nombuf;
        p.ring_full = t[counter::rx_ring_full] + t[counter::rx_arp_ring_full];
        p.tx_alloc_waits = t[counter::tx_alloc_failed];
        p.dropped = p.nic_missed + p.nic_no_mbuf + p.ring_full;
        p.sending = sending;
        p.cooldown_left_s = cooldown_left;
        return p;
    };
    enum class phase { sending, cooldown } ph = phase::sending;
    uint64_t cooldown_end = 0;
    const uint64_t max_runtime_end =
        cfg.max_runtime_s > 0 ? clock.epoch_tsc() + uint64_t(cfg.max_runtime_s * double(hz)) : UINT64_MAX;
    progress_snapshot prev = snapshot(true, 0);
    uint64_t next_status = rte_rdtsc() + hz;
    auto begin_cooldown = [&](double seconds) {
        while (flags.tx_running.load(std::memory_order_acquire) != 0) {
            control.poll();
            idle_backoff::nap_ns(100000);
        }
        drain_tx(s.ports, 1000);  // sending ends when the last probe has left
        const uint64_t now = rte_rdtsc();
        flags.send_end_tsc.store(now);
        report.send_end_wall_ns = clock.wall_ns(now);
        cooldown_end = now + uint64_t(seconds * double(hz));
        ph = phase::cooldown;
    };
    const double cooldown = dryrun ? 0.0 : cfg.cooldown_s;
    while (true) {
        control.poll();
        const uint64_t now = rte_rdtsc();
        const int signals = hooks.stop_signals ? hooks.stop_signals->load() : 0;
        if (ph == phase::sending) {
            if (flags.tx_running.load(std::memory_order_acquire) == 0) {
                begin_cooldown(cooldown);
            } else if (signals > 0) {
                report.stop_reason = "signal";
                flags.stop_tx.store(true);
                begin_cooldown(std::min(cooldown, 1.0));  // drain what is in flight, briefly
            } else if (flags.max_results_reached.load(std::memory_order_relaxed)) {
                report.stop_reason = "max_results";
                flags.stop_tx.store(true);
                begin_cooldown(0);
            } else if (now >= max_runtime_end) {
                report.stop_reason = "max_runtime";
                flags.stop_tx.store(true);
                begin_cooldown(cooldown);
            }
        } else {
            if (now >= cooldown_end) break;
            if (flags.max_results_reached.load(std::memory_order_relaxed)) {
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
            progress_snapshot cur = snapshot(ph == phase::sending, left);
            if (hooks.on_progress) hooks.on_progress(cur, prev);
            prev = cur;
            next_status += hz;
        }
        idle_backoff::nap_ns(1000000);
    }
    stop_receivers();
    const uint64_t end_tsc = rte_rdtsc();
    report.end_wall_ns = clock.wall_ns(end_tsc);
    progress_snapshot last = snapshot(false, 0);
    // A last line with the final counts, as ZMap's final update, unless they are the last line's
    // (its -u row has its own millisecond time, even within the second of the row before).
    if (hooks.on_progress && !same_counts(last, prev)) hooks.on_progress(last, prev);

    report.counters = sum(blocks);
    report.hits = flags.hits.load();
    report.targets_probed = targets_probed();
    report.unique_by_type_code = out.unique_by_type_code;
    report.rtt_error = out.rtt_error;
    uint64_t first = UINT64_MAX, lastt = 0, lag = 0;
    auto span = [&](const auto& c) {
        uint64_t f = c->first_tsc.load(), l = c->last_tsc.load();
        if (f && f < first) first = f;
        if (l > lastt) lastt = l;
        lag = std::max(lag, c->max_send_lag.load());
    };
    for (auto& c : tx) span(c);
    for (auto& c : trace_tx) span(c);
    report.send_stamp_lag_max_us = double(lag) * 1e6 / double(hz);
    report.send_seconds = first != UINT64_MAX && lastt > first ? double(lastt - first) / double(hz) : 0;
    report.completed = report.counters[counter::tx_probes] + report.counters[counter::tx_trace_skipped] >=
                       report.probes_planned;
    nic_counters nic = read_nic_counters(s.ports);
    report.nic_rx_missed = nic.rx_missed;
    report.nic_rx_errors = nic.rx_errors;
    report.nic_rx_nombuf = nic.rx_nombuf;
    report.nic_tx_errors = nic.tx_errors;
    report.ports = std::move(nic.ports);
    if (flags.output_failed.load())
        return error{fmt::format("writing the results to '{}' failed (disk full or closed pipe?)",
                                 tracing ? cfg.replies_path : cfg.output_path)};
    if constexpr (tracing) {
        report.trace_interfaces = collector->interfaces_in_stop_set();
        if (!files->output || !write_paths(cfg, files->output, *collector, tx_probe, report))
            return error{
                fmt::format("writing the paths to '{}' failed (disk full or closed pipe?)", cfg.output_path)};
    }
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
