// Monitor mode as a plan (modes/plan.hpp): every target once per --period, at its own keyed phase,
// for --count rounds or until stopped (monitor/monitor_schedule.hpp); Echo probes carrying the
// round and send time; on the output lcore, per-target state, summaries and outage events
// (monitor/monitor_book.hpp). Its schedule is time-driven: the TX loop asks it what is due by
// now instead of asking the pacer how many may go, and measures how late each burst leaves.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "modes/plan.hpp"
#include "monitor/exposition.hpp"
#include "monitor/metrics_publisher.hpp"
#include "monitor/monitor_book.hpp"
#include "monitor/monitor_schedule.hpp"
#include "monitor/rtt_summary.hpp"
#include "output/record_writer.hpp"
#include "probe/echo_probe.hpp"
#include "probe/probe_batch.hpp"
#include "run/scan_config.hpp"
#include "run/scan_report.hpp"
#include "targets/permutation.hpp"
#include "targets/target_walk.hpp"
#include "util/result.hpp"

namespace ics {

// One TX lcore's slice of the monitor schedule, with the lateness of what it handed out.
class monitor_send_schedule {
public:
    static constexpr bool may_skip = false;
    static constexpr bool may_pause = false;
    static constexpr bool time_driven = true;

    explicit monitor_send_schedule(const monitor_schedule& s) : s_(s) {}

    // What is due by now_us + ahead_us (microseconds since the send start), at most n, one round.
    monitor_step next(probe_batch& b, unsigned n, uint64_t now_us, uint64_t ahead_us = 0) {
        const monitor_step step = s_.next(b, n, now_us, ahead_us);
        if (step.count) {
            const auto late = uint32_t(std::min<uint64_t>(step.lateness_us, group_rtt_summary::top_value));
            lateness_.add(late);
            recent_max_ = std::max<uint64_t>(recent_max_, late);
        }
        return step;
    }
    // Every burst's lateness (microseconds after its first probe's due time).
    const group_rtt_summary& lateness() const { return lateness_; }
    // The largest lateness since the last call: the TX loop publishes it for the close cursors.
    uint64_t take_recent_lateness() { return std::exchange(recent_max_, 0); }

private:
    monitor_schedule s_;
    group_rtt_summary lateness_;
    uint64_t recent_max_ = 0;
};

// The output lcore's side: the books, and the clock they were last ticked with (finish() closes
// the last rounds with it).
class monitor_attribution {
public:
    explicit monitor_attribution(const scan_config& cfg) : cfg_(&cfg), book_(cfg) {}

    // The books are published to `exchange` (--prometheus; null: an exchange of its own) about
    // once a second, with the sums of `counters` (every lcore's block); every tenth publication
    // also shows the worst targets on the text output.
    void set_metrics(snapshot_exchange<metrics_snapshot>* exchange,
                     std::vector<const counter_block*> counters = {}) {
        if (!exchange && !text_) return;  // -q without --prometheus: nobody would read them
        if (!exchange) {
            own_exchange_ = std::make_unique<snapshot_exchange<metrics_snapshot>>();
            exchange = own_exchange_.get();
        }
        std::vector<std::string> labels;
        for (const label_set& set : book_.group_labels()) {
            std::string text;
            for (const auto& [k, v] : set) append_prom_label(text, k, v);
            labels.push_back(std::move(text));
        }
        publisher_.emplace(*exchange, cfg_->monitor.metrics_targets, std::move(labels),
                           format_ipv4(cfg_->sources.ranges()[0].first));
        publisher_->show_worst(text_, 10);
        publisher_->watch_counters(std::move(counters));
        publisher_->start_from(cfg_->checkpoint.monitor_start, book_);
    }

    attribution attribute(const result_record& rec, no_feedback*, counter_block& counters) {
        return book_.on_record(rec, counters);
    }
    void tick(const plan_clock& clock) {
        clock_ = clock;
        clock_.sent = {};  // the caller's, valid for this call only
        book_.tick(clock);
        if (publisher_ && !clock.sent.empty()) {
            uint64_t probes = 0;
            for (uint64_t n : clock.sent) probes += n;
            publisher_->count_sent(probes);
        }
        if (publisher_) publisher_->step(book_, clock.now_us, wall_ms(clock), clock.lateness_us);
    }
    // The final state, for a last scrape before the endpoint closes.
    void publish_final() {
        if (publisher_) publisher_->publish_now(book_, wall_ms(clock_), clock_.lateness_us);
    }
    void set_outputs(std::FILE* json, std::FILE* text) {
        book_.set_outputs(json, text);
        text_ = text;
    }
    const monitor_book& book() const { return book_; }
    monitor_book& book() { return book_; }
    // A summary or event line failed to reach -o: the output lcore tells the control lcore, which
    // stops the run (output_loop.hpp).
    bool write_failed() const { return book_.write_failed(); }
    // A checkpoint's flush (--checkpoint): the lines out to the file, then the books into `saved`.
    void flush() { book_.flush(); }
    void save_books(monitor_saved& saved) const { book_.save(saved); }
    const plan_clock& last_clock() const { return clock_; }

private:
    static uint64_t wall_ms(const plan_clock& c) { return (c.start_wall_ns + c.now_us * 1000) / 1000000; }

    const scan_config* cfg_;
    monitor_book book_;
    plan_clock clock_;
    std::FILE* text_ = nullptr;
    std::unique_ptr<snapshot_exchange<metrics_snapshot>> own_exchange_;  // without --prometheus
    std::optional<metrics_publisher> publisher_;
};

struct monitor_mode {
    static constexpr run_mode mode = run_mode::monitor;
    using probe = echo_probe;
    using schedule = monitor_send_schedule;
    using feedback = no_feedback;
    using attribution_type = monitor_attribution;

    // The schedule's order is its own (keyed affine, see monitor_schedule.hpp); the permutation
    // the driver builds is not walked.
    static uint64_t permutation_domain(const scan_config& cfg) {
        return std::max<uint64_t>(cfg.targets.size(), 1);
    }
    static bool uses_feedback(const scan_config&) { return false; }
    static schedule make_schedule(const scan_config& cfg, const permutation&, walk_slice slice) {
        return schedule(schedule_of_slice(cfg, slice));
    }
    static uint64_t targets_per_round(const scan_config& cfg, walk_slice slice) {
        return target_walk::targets_per_round(cfg.targets.size(), 0, slice);
    }
    static uint64_t targets_in_shard(const scan_config& cfg) {
        return targets_per_round(cfg, cfg.slice(0, 1));
    }
    // 0 until stopped (--count 0): there is no planned end. A resumed run sends the rounds left.
    static uint64_t probes_planned(const scan_config& cfg, walk_slice slice) {
        const uint32_t count = cfg.monitor.count;
        return targets_per_round(cfg, slice) * (count - std::min(count, cfg.checkpoint.first_round));
    }
    static uint64_t targets_probed(const scan_config& cfg, std::span<const uint64_t> sent) {
        uint64_t n = 0;
        for (size_t t = 0; t < sent.size(); ++t)
            n += std::min(sent[t], targets_per_round(cfg, cfg.slice(uint32_t(t), uint32_t(sent.size()))));
        return n;
    }
    // The last rounds closed (exactly what each TX lcore sent), the last summaries, fping's lines.
    static status finish(const scan_config& cfg, const echo_probe&, monitor_attribution& a, std::FILE*,
                         scan_report& report) {
        std::vector<uint64_t> sent;
        for (const tx_lcore_traffic& t : report.tx_lcores) sent.push_back(t.probes_sent);
        plan_clock clock = a.last_clock();
        if (report.end_wall_ns > clock.start_wall_ns && clock.start_wall_ns)
            clock.now_us = (report.end_wall_ns - clock.start_wall_ns) / 1000;
        const bool written = a.book().finish(sent, clock);
        a.publish_final();
        report.monitor = a.book().figures();
        if (!written)
            return error{fmt::format("writing the monitor summaries to '{}' failed ({})", cfg.output_path,
                                     write_error_reason(a.book().write_error_number()))};
        return ok();
    }
};

}  // namespace ics
