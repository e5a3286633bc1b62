// The driver's entry point (driver.hpp): EAL and the ports, then one run of the plan the config
// names, shaped like l2fwd's main: set up and launch (run_lcores.hpp), wait (run_control.hpp),
// stop, report. Every record received is flushed before it returns.
#include <numa.h>

#include <fmt/format.h>

#include "dpdk/bpf_logs.hpp"
#include "dpdk/driver.hpp"
#include "dpdk/run_control.hpp"
#include "modes/plans.hpp"

namespace ics::dpdk {
namespace {

// What each TX lcore sent and each RX queue received, with the RX lcore that polled it (RX lcore
// i polls the i-th, (i + n)-th ... queue of the ports' queues in order: launch_receivers).
void report_lcore_traffic(scan_report& report, const run_env& e) {
    for (unsigned t = 0; t < e.lcores.tx.size(); ++t)
        report.tx_lcores.push_back({e.lcores.tx[t], e.s.ports[e.queues.tx_port(t)].name, e.queues.tx_queue(t),
                                    e.blocks[e.lcores.tx[t]]->get(counter::tx_probes)});
    size_t k = 0;  // every queue of every port, counted by the driver or not
    for (const port_traffic& p : report.ports)
        for (unsigned q = 0; q < e.queues.rx_queues; ++q, ++k)
            report.rx_queues.push_back(
                {p.name, q, e.lcores.rx[k % e.lcores.rx.size()],
                 q < p.rx_queue_packets.size() ? std::optional(p.rx_queue_packets[q]) : std::nullopt});
}

// Time-driven plans: how late the senders' bursts left, all TX lcores together.
template <typename Plan>
void report_lateness(scan_report& report, const sender_set<Plan>& tx) {
    if constexpr (is_time_driven<typename Plan::schedule>) {
        group_rtt_summary all;
        for (const auto& c : tx.lcores) all.merge(c->schedule.lateness());
        report.lateness = send_lateness{all.count(), double(all.quantile(0.5)), double(all.quantile(0.99)),
                                        double(all.max())};
    }
}

// Once every lcore stopped: the summed counters, hits, targets probed, first replies by type and
// code, the RTT error bounds, the span of sending, whether every planned probe went out, the
// NICs' counters and each port's traffic.
template <typename Plan>
void finish_report(scan_report& report, run_env& e, const sender_set<Plan>& tx,
                   const output_context<Plan>& out) {
    report.counters = sum(e.blocks);
    report.hits = e.flags.hits.load();
    report.targets_probed = targets_probed<Plan>(e);
    report.unique_by_type_code = out.unique_by_type_code;
    report.family = e.cfg.family;
    report.rtt_error = out.rtt_error;
    const send_span span = span_of(tx.all);
    report.send_stamp_lag_max_us = double(span.max_lag) * 1e6 / double(e.hz);
    report.send_seconds = span.seconds_to(span.last, e.hz);
    // A run a failed write ended is never complete (monitor without --count plans no probes, so
    // the count alone would say it was).
    report.completed = report.stop_reason != run_end::output_error &&
                       report.counters[counter::tx_probes] + report.counters[counter::tx_trace_skipped] >=
                           report.probes_planned;
    nic_counters nic = read_nic_counters(e.s.ports);
    report.nic_rx_missed = nic.rx_missed;
    report.nic_rx_errors = nic.rx_errors;
    report.nic_rx_nombuf = nic.rx_nombuf;
    report.nic_tx_errors = nic.tx_errors;
    report.ports = std::move(nic.ports);
    report_lcore_traffic(report, e);
    report_lateness(report, tx);
}

// What the plan writes once every lcore stopped, then what failed, if anything: the rows (named
// with the errno of their first failed write), else the plan's own file. The report stays whole:
// the app writes the metadata, then fails the run.
template <typename Plan>
void finish_output(const run_env& e, const run_outputs& files, const record_writer* writer,
                   const typename Plan::probe& probe, typename Plan::attribution_type& attribution,
                   scan_report& report) {
    // The plan's finish runs even after the rows failed: its own file may still take everything.
    const status st = Plan::finish(e.cfg, probe, attribution, files.paths, report);
    if (writer && writer->failed())
        report.output_error = fmt::format("writing the results to '{}' failed ({})", files.rows_name,
                                          write_error_reason(writer->error_number()));
    else if (!st)
        report.output_error = st.error_message();
}

// What the checkpoint covers, in the report and in a line when the scan is not finished; a
// checkpoint that could not be saved fails the run (unless something failed before it).
void finish_checkpoint(const run_env& e, const checkpoint_keeper& keeper, scan_report& report) {
    if (!keeper.active()) return;
    report.checkpoint_covered = keeper.covered();
    report.checkpoint_planned = keeper.planned();
    if (keeper.failed() && report.output_error.empty()) report.output_error = keeper.error();
    if (e.cfg.mode == run_mode::monitor) {
        const uint64_t count = keeper.planned();
        if ((count == 0 || keeper.covered() < count) && e.hooks.on_note)
            e.hooks.on_note(
                fmt::format("the checkpoint '{}' holds the books of the monitor's first {} "
                            "rounds{}: --resume {} goes on from there",
                            e.cfg.checkpoint.path, keeper.covered(),
                            count ? fmt::format(" of {}", count) : std::string(), e.cfg.checkpoint.path));
    } else if (keeper.covered() < keeper.planned() && e.hooks.on_note) {
        e.hooks.on_note(
            fmt::format("the checkpoint '{}' covers {} of the {}'s {} probes: --resume {} "
                        "sends the rest",
                        e.cfg.checkpoint.path, keeper.covered(), run_mode_name(e.cfg.mode), keeper.planned(),
                        e.cfg.checkpoint.path));
    }
}

// The report's start: what is known before anything runs.
scan_report start_report(const run_env& e, const port_handle& port) {
    scan_report report;
    report.source_mac = e.cfg.source_mac.value_or(port.address);
    report.tsc_hz = e.hz;
    report.tsc_hz_nominal = rte_get_tsc_hz();
    report.kernel_stamps = !port.rx_rings.empty();
    report.start_wall_ns = e.clock.wall_ns(e.clock.epoch_tsc());
    return report;
}

// What must hold before the first probe: the gateway's MAC (into `setup`), the feedback rings of
// plans that use them, the files opened and the output lcore running.
template <typename Plan>
result<run_outputs> prepare_to_send(run_env& e, control_plane& control, probe_setup& setup,
                                    output_context<Plan>& out, std::optional<record_writer>& writer) {
    const result<mac> gw = gateway_mac(e, control);
    if (!gw) return error{gw.error_message()};
    setup.dst_mac = *gw;
    if constexpr (has_feedback<Plan>) {
        static_assert(sizeof(typename Plan::feedback) % 4 == 0, "rte_ring elements are multiples of 4 bytes");
        if (Plan::uses_feedback(e.cfg))
            if (status st = create_feedback_rings(e.s, unsigned(e.lcores.tx.size()), e.s.ports.front().socket,
                                                  sizeof(typename Plan::feedback), e.cfg.test.feedback_ring,
                                                  out.feedback);
                !st)
                return error{st.error_message()};
        e.watched.feedback = out.feedback;
    }
    return launch_output(e, out, writer);
}

// One run of a plan, as l2fwd's main: receivers first (so that ARP works while the gateway is
// resolved), then the gateway, the files and the output lcore, then the senders; wait in the
// control loop; stop every lcore; report.
template <typename Plan>
result<scan_report> run_plan(const scan_config& cfg, const run_hooks& hooks, dpdk_session& s,
                             const lcore_plan& lcores, const queue_plan& queues) {
    using Probe = typename Plan::probe;
    const port_handle& port = s.ports.front();  // its MAC is the link's, its NUMA node the rings'
    run_env e(cfg, hooks, s, lcores, queues);
    scan_report report = start_report(e, port);

    // IPv6: the gateway solicits us at our solicited-node groups, which a NIC filters out unless told.
    if constexpr (is_ipv6_probe<Probe>) join_multicast_groups(s.ports, solicited_node_macs(cfg.sources6, 64));
    const auto rings = create_rx_rings(s, lcores.rx.size(), port.socket, sizeof(record_of<Probe>), cfg.test);
    if (!rings) return error{rings.error_message()};
    e.watched.records = rings->records;
    e.watched.arp = rings->arp;
    probe_setup setup = make_probe_setup(cfg, report.source_mac);
    const Probe rx_probe(setup);  // decoding needs no gateway: built before it is known
    const auto rx = launch_receivers(e, rx_probe, *rings);
    control_plane control = make_control_plane(e, rings->arp, report.source_mac);

    typename Plan::attribution_type attribution(cfg);
    output_context<Plan> out = make_output_context<Plan>(e, rings->records, attribution);
    std::optional<record_writer> writer;  // made once the files are open, before sending
    const result<run_outputs> files = prepare_to_send(e, control, setup, out, writer);
    if (!files) {
        e.stop_lcores();
        return error{files.error_message()};
    }
    report.gateway_mac = setup.dst_mac;
    const Probe tx_probe(setup);
    const permutation perm(Plan::permutation_domain(cfg), cfg.seed);
    sender_set<Plan> tx;
    launch_senders(tx, e, tx_probe, perm, out.feedback);
    report.probes_planned = tx.probes_planned;

    checkpoint_keeper keeper(
        e, unsigned(tx.lcores.size()),
        cfg.mode == run_mode::monitor ? cfg.monitor.count : tx.probes_planned + cfg.checkpoint.start_total());
    // Read by the output lcore only after the keeper's first flush request (release, acquire).
    out.books = keeper.books();

    const last_status prev = control_loop(e, control, tx, keeper, report);
    e.stop_lcores();
    const uint64_t stopped_at = rte_rdtsc();
    // A trace writes its paths only now: its last checkpoint waits for them (the save syncs -o
    // first), or a complete one would stand for paths that never reached the file.
    constexpr bool paths_at_end = Plan::mode == run_mode::trace;
    if constexpr (!paths_at_end) keeper.finish(e.flags.send_end_tsc.load(), stopped_at);
    control.poll();  // the ARP the receivers queued last: every frame received gets its counter
    report.end_wall_ns = e.clock.wall_ns(rte_rdtsc());
    // A last line with the final counts, as ZMap's final update, unless they are the last line's
    // (its -u row has its own millisecond time, even within the second of the row before). A run
    // that reported no line gets it whatever the counts: the starting snapshot was never a line
    // (a short run whose senders finished before it was taken once lost its only status line).
    const progress_snapshot last = snapshot(e, tx, false, 0);
    // (Its -u row failing is the app's to name: sending has ended, so there is nothing to stop.)
    if (hooks.on_progress && (!prev.reported || !same_counts(last, prev.snapshot)))
        (void)hooks.on_progress(last, prev.snapshot);

    finish_report(report, e, tx, out);
    note_gateway_claims(e, report);
    finish_output<Plan>(e, *files, writer ? &*writer : nullptr, tx_probe, attribution, report);
    if constexpr (paths_at_end)
        if (report.output_error.empty()) keeper.finish(e.flags.send_end_tsc.load(), stopped_at);
    if constexpr (requires(monitor_saved & b) { attribution.save_books(b); })
        keeper.finish_books([&attribution](monitor_saved& b) { attribution.save_books(b); },
                            report.output_error.empty() && !attribution.write_failed(),
                            e.flags.send_end_tsc.load(), stopped_at);
    finish_checkpoint(e, keeper, report);
    return report;
}

// The kernel's receive stamps from af_packet's rings (rx_stamps.hpp). Monitor mode needs them; a scan
// or trace that cannot find the rings goes on with poll windows, and says so.
status map_stamped_rings(const scan_config& cfg, const run_hooks& hooks, dpdk_session& s) {
    for (port_handle& port : s.ports) {
        auto st = map_rx_rings(port, ring_frames(cfg.port));
        if (st) continue;
        if (cfg.mode == run_mode::monitor) return st;
        for (port_handle& p : s.ports) p.rx_rings.clear();
        if (hooks.on_note)
            hooks.on_note(
                fmt::format("{}; RTTs come from poll windows instead (docs/design.md, \"Timestamps\")",
                            st.error_message()));
        return ok_t{};
    }
    return ok_t{};
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
    if (auto st =
            open_ports(queues, lcores.total(), cfg.gateway_mac.has_value() && cfg.port.dryrun_pcap.empty(),
                       cfg.test.mbufs, s.ports);
        !st)
        return error{st.error_message()};
    if (!cfg.port.iface.empty() && cfg.port.kernel_stamps)
        if (auto st = map_stamped_rings(cfg, hooks, s); !st) return error{st.error_message()};
    const int node = s.ports.front().socket;
    if (hooks.on_note && numa_available() >= 0 && numa_max_node() > 0)
        for (unsigned l = 1; l < lcores.total() && l < cpus.size(); ++l)
            if (numa_node_of_cpu(int(cpus[l])) != node)
                hooks.on_note(
                    fmt::format("lcore {} runs on CPU {} of NUMA node {}, the port is on node {}: "
                                "pass --cpus from node {} for full speed",
                                l, cpus[l], numa_node_of_cpu(int(cpus[l])), node, node));

    result<scan_report> out = error{fmt::format("unknown probe type '{}'", cfg.probe_type)};
    with_plan(cfg, [&](auto plan) {
        out = run_plan<typename decltype(plan)::type>(cfg, hooks, s, lcores, queues);
    });
    return out;
}

}  // namespace ics::dpdk
