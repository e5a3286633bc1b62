// Monitor mode's books on the output lcore: every target's state (target_state.hpp) and RTT
// summary for the current summary period, its groups' running totals, and the close cursors that
// end each (target, round) once its timeout has passed. Replies are matched statelessly (the
// round's low 8 bits and the send time travel in the probe); this is the only per-target memory,
// fixed at start-up:
//   hot, one cache line per target:  monitor_target  64 B  (state, period marks)
//   per summary period:              period_rtts     <=400 B  (its RTTs: exact samples when a period
//                                    holds at most 100, else the log-linear summary)
//   for the end and the exports:     target_totals    16 B  (every accepted reply's min/max/sum)
//   the rest of the period:          target_period    16 B  (late/duplicate marks, ICMP errors)
//   with -Q:                         4 B a round that may be open at once, 1 B of count (the next
//                                    period's early replies: 21 B at --period 1s --timeout 2s)
//   with --prometheus:               prom_histogram   96 B  (the per-target series' buckets)
//   group id 4 B, answered-once flag 1 B
// about 501 B a target (597 B with --prometheus): a million targets take about 480 MiB (570 MiB)
// (docs/performance.md has the measured figure).
//
// Rounds close in due order: one close cursor per TX lcore slice walks the same keyed sequence the
// sender walks (monitor_schedule), timeout + margin behind it, so each target's rounds close in
// round order at its own phase without a timer per target. A close never passes the probes the
// sender really sent: after sending ended only positions due before its end close by time, and
// finish() closes exactly the positions each sender sent.
#pragma once
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "modes/plan.hpp"
#include "monitor/metrics_snapshot.hpp"
#include "monitor/monitor_checkpoint.hpp"
#include "monitor/monitor_schedule.hpp"
#include "monitor/monitor_settings.hpp"
#include "monitor/period_rtts.hpp"
#include "monitor/rtt_summary.hpp"
#include "monitor/target_state.hpp"
#include "reply/result_record.hpp"
#include "run/scan_config.hpp"
#include "run/scan_report.hpp"
#include "stats/counters.hpp"
#include "util/result.hpp"

namespace ics {

struct alignas(64) monitor_target {
    target_state state;
    uint32_t received_mark = 0;  // state.received() at the summary period's start
};
static_assert(sizeof(monitor_target) <= 64, "issue 14's budget: 64 bytes of hot state per target");

// The rest of a target's summary period, touched only by late, duplicate and error replies and
// the summary: the counters' marks at the period's start and the ICMP errors about its probes
// (how many, and the last one).
struct target_period {
    uint32_t late_mark = 0, duplicate_mark = 0;
    uint32_t error_sender = 0;
    uint8_t error_type = 0, error_code = 0;
    uint16_t errors = 0;
};

// A group's running totals (closed rounds; late and duplicate replies as they come).
struct group_totals {
    uint64_t sent = 0, received = 0, lost = 0, late = 0, duplicates = 0;
    uint32_t targets = 0, down = 0;
    std::vector<icmp_error_count> errors;  // by type and code, in first-seen order
    prom_histogram<uint64_t> prom_rtt;     // every accepted reply's RTT, in Prometheus' buckets
};

// This shard's targets: every target index t with t mod shards == shard (target_walk's deal, which
// the senders' slices split further); the book's targets, numbered i = t / shards.
uint64_t shard_targets(const scan_config& cfg);

// A TX lcore's slice of the schedule; the output lcore's close cursor for that slice is the same.
monitor_schedule schedule_of_slice(const scan_config& cfg, walk_slice slice);

class monitor_book {
public:
    explicit monitor_book(const scan_config& cfg);

    // The JSON lines (-o) and the fping-style summary at the end (stderr; null: none).
    void set_outputs(std::FILE* json, std::FILE* text) { json_ = json, text_ = text; }
    attribution on_record(const result_record& rec, counter_block& counters);
    // Closes every round whose timeout (and margin) has passed.
    void tick(const plan_clock& clock);
    // Once every lcore stopped: closes every position sender t sent (sent[t]), writes the last
    // (partial) period's summaries and the fping-style lines. False when a write failed.
    bool finish(std::span<const uint64_t> sent, const plan_clock& clock);

    uint64_t targets() const { return targets_.size(); }
    const monitor_target& target(uint64_t i) const { return targets_[i]; }
    const target_totals& totals(uint64_t i) const { return totals_[i]; }
    const std::vector<group_totals>& groups() const { return groups_; }
    const std::vector<label_set>& group_labels() const { return group_labels_; }
    // Targets are numbered in this shard (i), from the set's index t = i * shards + shard.
    uint32_t address(uint64_t i) const { return set_->at(i * shards_ + shard_); }
    // Every in-time reply's RTT in Prometheus' buckets, kept only with --prometheus.
    const prom_histogram<uint32_t>& prom_histogram_of(uint64_t i) const {
        static const prom_histogram<uint32_t> none{};
        return prom_rtt_.empty() ? none : prom_rtt_[i];
    }
    uint32_t group_of(uint64_t i) const { return group_ids_[i * shards_ + shard_]; }
    // The run's totals (the report's monitor figures); groups, outage and summary counts included.
    // After a resume, the counts go on from the run before; outages, recoveries and summaries are
    // this run's (the lines its -o holds), targets down is the state now.
    monitor_figures figures() const;
    // The books a checkpoint keeps (monitor_checkpoint.hpp), into `out`, whose vectors keep their
    // capacity from one checkpoint to the next: copies, no allocation after the first.
    void save(monitor_saved& out) const;
    // Flushes the JSON lines to the file (a checkpoint's flush). False when a write failed.
    bool flush();

    bool write_failed() const { return write_failed_; }
    // The errno of the first failed write to the JSON lines, 0 if none (or unknown).
    int write_error_number() const { return write_errno_; }

private:
    void close_due(monitor_schedule& cursor, uint64_t until_us, uint64_t limit, const plan_clock& clock);
    void close_round(uint64_t index, uint32_t round, uint64_t due_us, const plan_clock& clock);
    void count_error(uint64_t index, const result_record& rec);
    void write_event(uint64_t index, const outage_event& ev, uint64_t due_us, const plan_clock& clock);
    void write_summary(uint64_t index, uint32_t first_round, uint32_t rounds, uint64_t wall_ns);
    void write_fping_lines();
    void add_rtt(uint64_t index, uint32_t round, uint32_t rtt_us);
    void replay_early(uint64_t index);
    void emit(const std::string& line);
    void note_write_failure();
    void restore(const monitor_saved& saved);
    const interval_set* set_;
    const monitor_settings& settings_;
    uint32_t summary_rounds_;
    uint32_t shard_, shards_;
    std::vector<monitor_target> targets_;
    period_rtts period_rtt_;
    std::vector<target_totals> totals_;
    std::vector<target_period> periods_;
    // Replies accepted for rounds of a later summary period than the one still closing (its
    // summary not yet written), kept until it is: `early_capacity_` words per target, each the
    // round's low 8 bits over a 24-bit RTT, and how many each target holds.
    uint32_t early_capacity_ = 0;
    std::vector<uint32_t> early_;
    std::vector<uint8_t> early_count_;
    const uint32_t* group_ids_ = nullptr;  // by the set's index: the config's, or the fallback
    std::vector<uint32_t> fallback_group_ids_;
    std::vector<group_totals> groups_;
    std::vector<label_set> group_labels_;
    std::vector<std::string> group_json_;             // each group's labels as a JSON object
    std::vector<prom_histogram<uint32_t>> prom_rtt_;  // per target, with --prometheus only
    std::vector<monitor_schedule> cursors_;           // one per TX lcore slice
    std::vector<uint8_t> seen_;                       // targets that answered once (the status line's hits)
    uint64_t rounds_closed_ = 0, down_ = 0, outages_ = 0, recoveries_ = 0, summaries_ = 0;
    uint32_t first_round_ = 0;  // a resumed run's first round (its rounds go on from the run before)
    uint64_t groups_fingerprint_ = 0;
    std::FILE* json_ = nullptr;
    std::FILE* text_ = nullptr;
    bool write_failed_ = false;
    int write_errno_ = 0;
    uint64_t next_flush_us_ = 0;
};

}  // namespace ics
