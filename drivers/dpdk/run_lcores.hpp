// Launching a plan's lcores from the control lcore: the RX lcores (first, so that ARP works),
// the output lcore once the files are open, and one TX lcore per slice of the plan's permutation,
// each with its own schedule.
#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "dpdk/output_loop.hpp"
#include "dpdk/run_env.hpp"
#include "dpdk/rx_loop.hpp"
#include "dpdk/tx_loop.hpp"
#include "targets/permutation.hpp"

namespace ics::dpdk {

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
        const std::vector<rx_ring_stamps>& stamped = e.s.ports.front().rx_rings;  // one af_packet port
        for (size_t k = i; k < rx_queues.size(); k += n) {
            c->queues.push_back(rx_queues[k]);
            if (!stamped.empty()) c->rings.push_back(stamped[rx_queues[k].queue]);  // queue q's ring
        }
        c->probe = &probe;
        c->clock = e.clock;
        c->stamped_nap_us = c->rings.empty() ? 0 : stamped_rx_nap_us(e.cfg.rate, ring_frames(e.cfg.port));
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
    out.test_nap_us = e.cfg.test.output_nap_us;
    out.senders = unsigned(e.lcores.tx.size());
    out.counters = e.blocks[e.lcores.output].get();
    out.flags = &e.flags;
    return out;
}

// The run will send: the app opens its files, the header goes out before any row, then the
// output lcore starts. Rows go to the file the app named for them (scan: -o; trace:
// --replies-file, if given).
template <typename Plan>
result<run_outputs> launch_output(run_env& e, output_context<Plan>& out,
                                  std::optional<record_writer>& writer) {
    auto files = e.hooks.open_outputs ? e.hooks.open_outputs() : result<run_outputs>(run_outputs{});
    if (!files) return files;
    if (files->rows) writer.emplace(files->rows, e.cfg.format, e.cfg.fields);
    out.writer = writer ? &*writer : nullptr;
    if (writer) writer->write_header();
    if constexpr (requires { out.attribution->set_outputs(files->paths, files->text); })
        out.attribution->set_outputs(files->paths, files->text);
    if constexpr (requires { out.attribution->set_journal(files->journal, files->journal_size); })
        out.attribution->set_journal(files->journal, files->journal_size);
    if constexpr (requires { out.attribution->set_metrics(e.hooks.metrics); }) {
        std::vector<const counter_block*> counters;
        for (const auto& block : e.blocks) counters.push_back(block.get());
        out.attribution->set_metrics(e.hooks.metrics, std::move(counters));
    }
    rte_eal_remote_launch(launch_trampoline<output_context<Plan>, output_loop<Plan>>, &out, e.lcores.output);
    return files;
}

// The TX lcores' contexts and what the control loop reads of them.
template <typename Plan>
struct sender_set {
    std::vector<std::unique_ptr<tx_context<Plan>>> lcores;
    std::vector<const tx_lcore*> all;  // the same, as what every plan's TX lcore has
    uint64_t probes_planned = 0;       // all of them together (sent or skipped)
    uint64_t start_tsc = 0;            // when the first burst is due
};

// What every sender lcore is given, whatever the plan: TX lcores share the rate.
inline void init_sender(tx_lcore& c, unsigned t, run_env& e, uint64_t start_tsc) {
    const scan_config& cfg = e.cfg;
    const unsigned ntx = unsigned(e.lcores.tx.size());
    const port_handle& own = e.s.ports[e.queues.tx_port(t)];
    c.port = own.id;
    c.queue = uint16_t(e.queues.tx_queue(t));
    c.pool = own.pool;
    c.sources = &cfg.sources;
    c.sources6 = &cfg.sources6;
    c.rate = cfg.rate / ntx + (t < cfg.rate % ntx ? 1 : 0);
    c.start_tsc = start_tsc;
    c.clock = e.clock;
    c.backoff = !cfg.lcores.busy_poll;
    c.counters = e.blocks[e.lcores.tx[t]].get();
    c.flags = &e.flags;
    c.progress = &e.flags.senders[t];
}

// One TX lcore per slice of the plan's permutation, each with its own schedule.
template <typename Plan>
void launch_senders(sender_set<Plan>& tx, run_env& e, const typename Plan::probe& probe,
                    const permutation& perm, const std::vector<rte_ring*>& feedback) {
    const unsigned ntx = unsigned(e.lcores.tx.size());
    const uint64_t start_tsc = rte_rdtsc() + e.hz / 1000;
    tx.start_tsc = start_tsc;
    e.flags.send_start_tsc.store(start_tsc, std::memory_order_release);
    for (unsigned t = 0; t < ntx; ++t) {
        const walk_slice slice = e.cfg.slice(t, ntx);
        auto c = std::make_unique<tx_context<Plan>>(Plan::make_schedule(e.cfg, perm, slice));
        init_sender(*c, t, e, start_tsc);
        e.flags.senders[t].positions.store(e.cfg.checkpoint.start(t), std::memory_order_relaxed);
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

}  // namespace ics::dpdk
