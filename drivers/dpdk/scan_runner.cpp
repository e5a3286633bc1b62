// Orchestration on the main (control) lcore: EAL, port, rings, lcore launch order (RX first, so
// that ARP works; output and TX once the gateway is known), the control loop (ARP, status,
// signals, limits, cooldown) and the orderly stop that flushes every record.
#include "dpdk/driver.hpp"

#include <numa.h>
#include <time.h>

#include <memory>
#include <optional>
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
#include "dpdk/idle_backoff.hpp"
#include "dpdk/lcore_context.hpp"
#include "dpdk/output_loop.hpp"
#include "dpdk/rx_loop.hpp"
#include "dpdk/tx_loop.hpp"
#include "modes/plans.hpp"

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
    int signals() const { return hooks.stop_signals ? hooks.stop_signals->load() : 0; }
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

// Plans with feedback: one SP/SC ring per TX lcore, the output lcore producing into all of them.
status create_feedback_rings(dpdk_session& s, unsigned tx_lcores, int socket, std::vector<rte_ring*>& rings) {
    for (unsigned t = 0; t < tx_lcores; ++t) {
        rte_ring* fb = rte_ring_create_elem(fmt::format("ics_fb_{}", t).c_str(), sizeof(trace_feedback),
                                            feedback_ring_size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (!fb)
            return error{fmt::format("cannot create the feedback rings: {}", rte_strerror(rte_errno))};
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
template <typename Plan>
output_context<Plan> make_output_context(run_env& e, const std::vector<rte_ring*>& record_rings,
                                         typename Plan::attribution_type& attribution) {
    output_context<Plan> out;
    out.rings = record_rings;
    out.attribution = &attribution;
    out.filter = &e.cfg.filter;
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

// The run will send: the app opens its files, the header goes out before any row, then the
// output lcore starts. Rows go to the file the app named for them (scan: -o; trace:
// --replies-file, if given).
template <typename Plan>
result<run_outputs> launch_output(run_env& e, output_context<Plan>& out, std::optional<record_writer>& writer) {
    auto files = e.hooks.open_outputs ? e.hooks.open_outputs() : result<run_outputs>(run_outputs{});
    if (!files) return files;
    if (files->rows) writer.emplace(files->rows, e.cfg.format, e.cfg.fields);
    out.writer = writer ? &*writer : nullptr;
    if (writer) writer->write_header();
    rte_eal_remote_launch(launch_trampoline<output_context<Plan>, output_loop<Plan>>, &out, e.lcores.output);
    return files;
}

// The TX lcores' contexts and what the control loop reads of them.
template <typename Plan>
struct sender_set {
    std::vector<std::unique_ptr<tx_context<Plan>>> lcores;
    std::vector<const tx_lcore*> all;  // the same, as what every plan's TX lcore has
    uint64_t probes_planned = 0;       // all of them together (sent or skipped)
};

// What every sender lcore is given, whatever the plan: TX lcores share the rate.
void init_sender(tx_lcore& c, unsigned t, run_env& e, uint64_t start_tsc) {
    const scan_config& cfg = e.cfg;
    const unsigned ntx = unsigned(e.lcores.tx.size());
    const port_handle& own = e.s.ports[e.queues.tx_port(t)];
    c.port = own.id;
    c.queue = uint16_t(e.queues.tx_queue(t));
    c.pool = own.pool;
    c.sources = &cfg.sources;
    c.rate = cfg.rate / ntx + (t < cfg.rate % ntx ? 1 : 0);
    c.start_tsc = start_tsc;
    c.clock = e.clock;
    c.backoff = !cfg.lcores.busy_poll;
    c.counters = e.blocks[e.lcores.tx[t]].get();
    c.flags = &e.flags;
}

// One TX lcore per slice of the plan's permutation, each with its own schedule.
template <typename Plan>
void launch_senders(sender_set<Plan>& tx, run_env& e, const typename Plan::probe& probe, const permutation& perm,
                    const std::vector<rte_ring*>& feedback) {
    const unsigned ntx = unsigned(e.lcores.tx.size());
    const uint64_t start_tsc = rte_rdtsc() + e.hz / 1000;
    for (unsigned t = 0; t < ntx; ++t) {
        const walk_slice slice = e.cfg.slice(t, ntx);
        auto c = std::make_unique<tx_context<Plan>>(Plan::make_schedule(e.cfg, perm, slice));
        init_sender(*c, t, e, start_tsc);
        c->probe = &probe;
        if (!feedback.empty()) c->feedback = feedback[t];
        tx.probes_planned += Plan::probes_planned(e.cfg, slice);
        tx.all.push_back(c.get());
        tx.lcores.push_back(std::move(c));
    }
    e.flags.tx_running.store(ntx);
    for (unsigned t = 0; t < ntx; ++t)
        rte_eal_remote_launch(launch_trampoline<tx_context<Plan>, tx_loop<Plan>>, tx.lcores[t].get(),
                              e.lcores.tx[t]);
}

// Targets probed so far, from what each TX lcore has sent.
template <typename Plan>
uint64_t targets_probed(const run_env& e) {
    std::vector<uint64_t> sent;
    for (unsigned lcore : e.lcores.tx) sent.push_back(e.blocks[lcore]->get(counter::tx_probes));
    return Plan::targets_probed(e.cfg, sent);
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
    p.ring_full = t[counter::rx_ring_full] + t[counter::rx_arp_ring_full];
    p.tx_alloc_waits = t[counter::tx_alloc_failed];
    p.dropped = p.nic_missed + p.nic_no_mbuf + p.ring_full;
    p.sending = sending;
    p.cooldown_left_s = cooldown_left;
    return p;
}

// Why sending must end before every probe is out, if it must: a signal, --max-results, --max-runtime.
std::optional<run_end> early_end(const run_env& e, uint64_t now, uint64_t max_runtime_end) {
    if (e.signals() > 0) return run_end::signal;
    if (e.flags.max_results_reached.load(std::memory_order_relaxed)) return run_end::max_results;
    if (now >= max_runtime_end) return run_end::max_runtime;
    return std::nullopt;
}

// The cooldown after sending ended: in full, but briefly after a signal (to drain what is in
// flight) and not at all once --max-results is reached.
double cooldown_after(run_end why, double cooldown) {
    return why == run_end::signal ? std::min(cooldown, 1.0) : why == run_end::max_results ? 0.0 : cooldown;
}

// Sending ends when every TX lcore has stopped and the last probe has left: notes that time and
// returns the cooldown's end (TSC).
uint64_t end_sending(run_env& e, control_plane& control, scan_report& report, double cooldown_s) {
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

// Whether the cooldown ends early: --max-results reached, or a signal (the first one that did not
// already end sending).
bool cooldown_cut(const run_env& e, scan_report& report) {
    if (e.flags.max_results_reached.load(std::memory_order_relaxed)) {
        if (report.stop_reason == run_end::completed) report.stop_reason = run_end::max_results;
        return true;
    }
    if (e.signals() > 0 && report.stop_reason != run_end::signal) {
        report.stop_reason = run_end::signal;
        return true;
    }
    return false;
}

// The control loop: ARP, a status once a second, the end of sending (every TX lcore done, or an
// early end), then the cooldown. Returns the last status reported.
template <typename Plan>
progress_snapshot control_loop(run_env& e, control_plane& control, const sender_set<Plan>& tx,
                               scan_report& report) {
    const double cooldown = e.dryrun() ? 0.0 : e.cfg.cooldown_s;
    const uint64_t max_runtime_end = e.cfg.max_runtime_s > 0
                                         ? e.clock.epoch_tsc() + uint64_t(e.cfg.max_runtime_s * double(e.hz))
                                         : UINT64_MAX;
    std::optional<uint64_t> cooldown_end;  // set once sending has ended
    progress_snapshot prev = snapshot(e, tx, true, 0);
    uint64_t next_status = rte_rdtsc() + e.hz;
    while (true) {
        control.poll();
        const uint64_t now = rte_rdtsc();
        if (!cooldown_end) {
            if (e.flags.tx_running.load(std::memory_order_acquire) == 0) {
                cooldown_end = end_sending(e, control, report, cooldown);
            } else if (const std::optional<run_end> why = early_end(e, now, max_runtime_end)) {
                report.stop_reason = *why;
                e.flags.stop_tx.store(true);
                cooldown_end = end_sending(e, control, report, cooldown_after(*why, cooldown));
            }
        } else if (now >= *cooldown_end || cooldown_cut(e, report)) {
            break;
        }
        if (now >= next_status) {
            const double left = cooldown_end ? double(*cooldown_end - std::min(*cooldown_end, now)) / double(e.hz) : 0;
            const progress_snapshot cur = snapshot(e, tx, !cooldown_end, left);
            if (e.hooks.on_progress) e.hooks.on_progress(cur, prev);
            prev = cur;
            next_status += e.hz;
        }
        idle_backoff::nap_ns(1000000);
    }
    return prev;
}

// Once every lcore stopped: the summed counters, hits, targets probed, first replies by type and
// code, the RTT error bounds, the span of sending, whether every planned probe went out, the
// NICs' counters and each port's traffic.
template <typename Plan>
void finish_report(scan_report& report, run_env& e, const sender_set<Plan>& tx, const output_context<Plan>& out) {
    report.counters = sum(e.blocks);
    report.hits = e.flags.hits.load();
    report.targets_probed = targets_probed<Plan>(e);
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

// The output lcore's write errors; then what the plan writes once every lcore stopped.
template <typename Plan>
status finish_output(const run_env& e, const run_outputs& files, const typename Plan::probe& probe,
                     typename Plan::attribution_type& attribution, scan_report& report) {
    if (e.flags.output_failed.load())
        return error{fmt::format("writing the results to '{}' failed (disk full or closed pipe?)", files.rows_name)};
    return Plan::finish(e.cfg, probe, attribution, files.paths, report);
}

// The report's start: what is known before anything runs.
scan_report start_report(const run_env& e, const port_handle& port) {
    scan_report report;
    report.source_mac = e.cfg.source_mac.value_or(port.address);
    report.tsc_hz = e.hz;
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
    if (Plan::uses_feedback(e.cfg))
        if (status st = create_feedback_rings(e.s, unsigned(e.lcores.tx.size()), e.s.ports.front().socket,
                                              out.feedback);
            !st)
            return error{st.error_message()};
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

    const auto rings = create_rx_rings(s, lcores.rx.size(), port.socket);
    if (!rings) return error{rings.error_message()};
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

    const progress_snapshot prev = control_loop(e, control, tx, report);
    e.stop_lcores();
    report.end_wall_ns = e.clock.wall_ns(rte_rdtsc());
    // A last line with the final counts, as ZMap's final update, unless they are the last line's
    // (its -u row has its own millisecond time, even within the second of the row before).
    const progress_snapshot last = snapshot(e, tx, false, 0);
    if (hooks.on_progress && !same_counts(last, prev)) hooks.on_progress(last, prev);

    finish_report(report, e, tx, out);
    if (status st = finish_output<Plan>(e, *files, tx_probe, attribution, report); !st)
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

    result<scan_report> out = error{fmt::format("unknown probe type '{}'", cfg.probe_type)};
    with_plan(cfg, [&](auto plan) { out = run_plan<typename decltype(plan)::type>(cfg, hooks, s, lcores, queues); });
    return out;
}

}  // namespace ics::dpdk
