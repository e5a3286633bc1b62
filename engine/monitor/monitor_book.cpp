// Monitor mode's books on the output lcore (monitor_book.hpp): replies in, rounds closed by the
// close cursors, summaries and outage events out as JSON lines, fping's summary at the end.
#include "monitor/monitor_book.hpp"

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "net/ipv4_address.hpp"

namespace ics {
namespace {

// A JSON object of a group's labels: {"pop":"ams","customer":"42"} (values are checked at parse
// time to hold no quote, backslash or control character).
std::string labels_json(const label_set& labels) {
    std::string out = "{";
    for (const auto& [k, v] : labels) out += fmt::format("{}\"{}\":\"{}\"", out.size() > 1 ? "," : "", k, v);
    return out + "}";
}

// fping's rendering of a time in milliseconds: three significant digits.
std::string fping_ms(double us) {
    const double ms = us / 1000.0;
    if (ms < 1.0) return fmt::format("{:.3f}", ms);
    if (ms < 10.0) return fmt::format("{:.2f}", ms);
    if (ms < 100.0) return fmt::format("{:.1f}", ms);
    return fmt::format("{:.0f}", ms);
}

std::string ms3(double us) {
    return fmt::format("{:.3f}", us / 1000.0);
}

}  // namespace

monitor_schedule schedule_of_slice(const scan_config& cfg, walk_slice slice) {
    return monitor_schedule(cfg.targets, cfg.seed, cfg.monitor.period_us, cfg.monitor.count, slice, 0,
                            cfg.checkpoint.first_round);
}

uint64_t shard_targets(const scan_config& cfg) {
    const uint64_t n = cfg.targets.size();
    return cfg.shard < n ? (n - cfg.shard + cfg.shards - 1) / cfg.shards : 0;
}

monitor_book::monitor_book(const scan_config& cfg)
    : set_(&cfg.targets),
      settings_(cfg.monitor),
      summary_rounds_(cfg.monitor.summary_rounds()),
      shard_(cfg.shard),
      shards_(cfg.shards),
      targets_(shard_targets(cfg)),
      period_rtt_(targets_.size(),
                  cfg.monitor.summary_rounds() ? cfg.monitor.summary_rounds() : cfg.monitor.count),
      totals_(targets_.size()),
      periods_(targets_.size()),
      seen_(targets_.size()) {
    group_labels_ = settings_.groups;
    group_ids_ = settings_.target_group.data();
    if (settings_.target_group.empty()) {  // a config built without groups (tests): one group of all
        fallback_group_ids_.assign(cfg.targets.size(), 0);
        group_ids_ = fallback_group_ids_.data();
        group_labels_ = {{{"group", "all"}}};
    }
    groups_.resize(group_labels_.size());
    for (const label_set& l : group_labels_) group_json_.push_back(labels_json(l));
    if (!settings_.prometheus.empty() && settings_.metrics_targets) prom_rtt_.resize(targets_.size());
    if (summary_rounds_) {
        // Rounds open at once: the close delay over the period, plus the round being sent, the one
        // whose reply beat the last close and one for the division's rounding; at most the state
        // window's 64.
        const uint64_t open = (settings_.timeout_us + monitor_close_margin_us) / settings_.period_us + 3;
        early_capacity_ = uint32_t(std::min<uint64_t>(open, target_state::window_rounds));
        early_.resize(targets_.size() * early_capacity_);
        early_count_.resize(targets_.size());
    }
    for (uint64_t i = 0; i < targets_.size(); ++i) ++groups_[group_of(i)].targets;
    const uint32_t ntx = cfg.lcores.tx_cores;
    for (uint32_t t = 0; t < ntx; ++t) cursors_.push_back(schedule_of_slice(cfg, cfg.slice(t, ntx)));
    groups_fingerprint_ = groups_fingerprint(settings_);
    first_round_ = cfg.checkpoint.first_round;
    for (monitor_target& t : targets_) t.state = target_state(first_round_);
    if (cfg.checkpoint.monitor_start) restore(*cfg.checkpoint.monitor_start);
}

// A resumed run's books: each target's counters where the checkpoint left them (its rounds from
// first_round_ on), its RTT totals and histogram, the groups' error counts and histograms; the
// groups' and the run's counts are their targets' sums. The config builder checked that the
// checkpoint is of these targets and groups.
void monitor_book::restore(const monitor_saved& saved) {
    for (uint64_t i = 0; i < targets_.size() && i < saved.counts.size(); ++i) {
        const target_counts& c = saved.counts[i];
        monitor_target& t = targets_[i];
        t.state = target_state(first_round_, c);
        t.received_mark = c.received;
        periods_[i].late_mark = c.late;
        periods_[i].duplicate_mark = c.duplicates;
        totals_[i] = saved.totals[i];
        if (!prom_rtt_.empty() && !saved.histograms.empty()) prom_rtt_[i] = saved.histograms[i];
        group_totals& g = groups_[group_of(i)];
        g.sent += c.sent, g.received += c.received, g.lost += c.lost;
        g.late += c.late, g.duplicates += c.duplicates, g.down += c.down;
        rounds_closed_ += c.sent;
        down_ += c.down;
    }
    for (size_t g = 0; g < groups_.size() && g < saved.groups.size(); ++g) {
        groups_[g].prom_rtt = saved.groups[g].rtt;
        groups_[g].errors = saved.groups[g].errors;
    }
}

void monitor_book::save(monitor_saved& out) const {
    out.count = settings_.count;
    out.groups_fingerprint = groups_fingerprint_;
    out.next_round = first_round_;
    out.counts.resize(targets_.size());
    out.totals = totals_;
    out.histograms = prom_rtt_;
    for (uint64_t i = 0; i < targets_.size(); ++i) {
        out.counts[i] = targets_[i].state.counts();
        out.next_round = std::max(out.next_round, targets_[i].state.next_round_to_close());
    }
    out.groups.resize(groups_.size());
    for (size_t g = 0; g < groups_.size(); ++g) {
        out.groups[g].rtt = groups_[g].prom_rtt;
        out.groups[g].errors = groups_[g].errors;
    }
}

bool monitor_book::flush() {
    if (json_ && !write_failed_ && std::fflush(json_) != 0) note_write_failure();
    return !write_failed_;
}

attribution monitor_book::on_record(const result_record& rec, counter_block& counters) {
    attribution a;
    const std::optional<uint64_t> index = set_->index_of(rec.probe_daddr);
    if (!index || *index % shards_ != shard_) {  // not a target of this shard
        counters.add(counter::out_not_attributed);
        a.repeat = true;
        return a;
    }
    const uint64_t i = *index / shards_;
    if (!rec.success) {
        count_error(i, rec);
        return a;
    }
    monitor_target& t = targets_[i];
    group_totals& g = groups_[group_of(i)];
    const uint32_t round = extend_round(t.state.next_round_to_close(), uint8_t(rec.round));
    switch (t.state.on_reply(round, rec.rtt_us, uint32_t(settings_.timeout_us))) {
        case reply_verdict::accepted:
            add_rtt(i, round, rec.rtt_us);
            g.prom_rtt.add(rec.rtt_us);
            if (!prom_rtt_.empty()) prom_rtt_[i].add(rec.rtt_us);
            totals_[i].min_us = std::min(totals_[i].min_us, rec.rtt_us);
            totals_[i].max_us = std::max(totals_[i].max_us, rec.rtt_us);
            totals_[i].sum_us += rec.rtt_us;
            a.new_hit = !seen_[i];
            seen_[i] = 1;
            return a;
        case reply_verdict::duplicate:
            ++g.duplicates;
            counters.add(counter::out_duplicates);
            break;
        case reply_verdict::late:
            ++g.late;
            counters.add(counter::out_late);
            break;
        case reply_verdict::ahead:
            counters.add(counter::out_round_ahead);
            break;
    }
    a.repeat = true;
    return a;
}

// An accepted reply's RTT goes to the summary period of its round: the current one (that of the
// target's oldest open round), or, for a round of a later period, aside until that period starts.
void monitor_book::add_rtt(uint64_t i, uint32_t round, uint32_t rtt_us) {
    const uint32_t current = targets_[i].state.next_round_to_close();
    if (!summary_rounds_ || round / summary_rounds_ == current / summary_rounds_) {
        period_rtt_.add(i, rtt_us);
        return;
    }
    uint8_t& n = early_count_[i];
    if (n < early_capacity_)  // a reply accepted is at most the open rounds ahead: room for each
        early_[i * early_capacity_ + n++] = (round & 0xff) << 24 | std::min<uint32_t>(rtt_us, 0xffffff);
    else
        period_rtt_.add(i, rtt_us);
}

// The period just started: its replies set aside move into its summary; later ones stay.
void monitor_book::replay_early(uint64_t i) {
    uint8_t& n = early_count_[i];
    const uint32_t current = targets_[i].state.next_round_to_close();
    uint32_t* slot = &early_[i * early_capacity_];
    uint8_t kept = 0;
    for (uint8_t k = 0; k < n; ++k) {
        const uint32_t round = extend_round(current, uint8_t(slot[k] >> 24));
        if (round / summary_rounds_ == current / summary_rounds_)
            period_rtt_.add(i, slot[k] & 0xffffff);
        else
            slot[kept++] = slot[k];
    }
    n = kept;
}

void monitor_book::count_error(uint64_t i, const result_record& rec) {
    target_period& p = periods_[i];
    p.error_sender = rec.saddr;
    p.error_type = rec.type;
    p.error_code = rec.code;
    p.errors += p.errors != UINT16_MAX;
    std::vector<icmp_error_count>& errors = groups_[group_of(i)].errors;
    auto it = std::find_if(errors.begin(), errors.end(), [&](const icmp_error_count& e) {
        return e.type == rec.type && e.code == rec.code;
    });
    if (it == errors.end())
        errors.push_back(icmp_error_count{rec.type, rec.code, 1});
    else
        ++it->count;
}

void monitor_book::tick(const plan_clock& clock) {
    if (json_ && clock.now_us >= next_flush_us_) {  // lines reach the file within a second (tail -f)
        if (!write_failed_ && std::fflush(json_) != 0) note_write_failure();
        next_flush_us_ = clock.now_us + 1000000;
    }
    const uint64_t delay = settings_.timeout_us + monitor_close_margin_us + clock.lateness_us;
    if (clock.now_us < delay) return;
    uint64_t until = clock.now_us - delay;
    // Never past what each sender has sent (clock.sent); where that is not known (tests), never
    // past what was due before sending ended. finish() closes exactly what was sent.
    if (clock.send_end_us != UINT64_MAX) {
        const uint64_t margin = monitor_close_margin_us + clock.lateness_us;
        if (clock.send_end_us < margin) return;
        until = std::min(until, clock.send_end_us - margin);
    }
    for (size_t t = 0; t < cursors_.size(); ++t)
        close_due(cursors_[t], until, t < clock.sent.size() ? clock.sent[t] : UINT64_MAX, clock);
}

void monitor_book::close_due(monitor_schedule& cursor, uint64_t until_us, uint64_t limit,
                             const plan_clock& clock) {
    uint64_t index[probe_batch::max], due[probe_batch::max];
    uint32_t round = 0;
    while (cursor.handed_out() < limit) {
        const auto n = unsigned(std::min<uint64_t>(probe_batch::max, limit - cursor.handed_out()));
        const unsigned got = cursor.next_indices(index, due, round, n, until_us);
        if (got == 0) return;
        for (unsigned k = 0; k < got; ++k) close_round(index[k] / shards_, round, due[k], clock);
    }
}

void monitor_book::close_round(uint64_t i, uint32_t round, uint64_t due_us, const plan_clock& clock) {
    monitor_target& t = targets_[i];
    group_totals& g = groups_[group_of(i)];
    const uint32_t received = t.state.received();
    const std::optional<outage_event> ev = t.state.close_next_round(settings_.down_after);
    ++rounds_closed_;
    ++g.sent;
    if (t.state.received() != received)
        ++g.received;
    else
        ++g.lost;
    if (ev) {
        const bool down = ev->what == outage_event::kind::down;
        g.down += down ? 1 : -1;
        down_ += down ? 1 : -1;
        ++(down ? outages_ : recoveries_);
        write_event(i, *ev, due_us, clock);
    }
    if (summary_rounds_ && (round + 1) % summary_rounds_ == 0)
        write_summary(i, round + 1 - summary_rounds_, summary_rounds_,
                      clock.start_wall_ns + (due_us + settings_.timeout_us) * 1000);
}

void monitor_book::write_event(uint64_t i, const outage_event& ev, uint64_t due_us, const plan_clock& clock) {
    const uint64_t period = settings_.period_us;
    const uint64_t first_due = due_us - uint64_t(ev.round - ev.first_lost_round) * period;
    const auto ms = [&](uint64_t us) { return (clock.start_wall_ns + us * 1000) / 1000000; };
    std::string line =
        fmt::format(R"({{"type":"{}","target":"{}","labels":{},"start_ms":{},"first_lost_round":{})",
                    ev.what == outage_event::kind::down ? "down" : "up", format_ipv4(address(i)),
                    group_json_[group_of(i)], ms(first_due), ev.first_lost_round);
    if (ev.what == outage_event::kind::down) {
        line += fmt::format(R"(,"round":{},"lost_rounds":{})", ev.round, ev.length_rounds);
        const target_period& p = periods_[i];
        if (p.error_sender)
            line += fmt::format(R"(,"last_error":{{"type":{},"code":{},"sender":"{}"}})", p.error_type,
                                p.error_code, format_ipv4(p.error_sender));
    } else {
        line += fmt::format(R"(,"end_ms":{},"end_round":{},"lost_rounds":{},"length_s":{:.3f})", ms(due_us),
                            ev.round, ev.length_rounds, double(ev.length_rounds) * double(period) / 1e6);
    }
    emit(line + "}\n");
}

void monitor_book::write_summary(uint64_t i, uint32_t first_round, uint32_t rounds, uint64_t wall_ns) {
    monitor_target& t = targets_[i];
    target_period& p = periods_[i];
    const rtt_figures rtt = period_rtt_.figures(i);
    const uint32_t received = t.state.received() - t.received_mark;
    std::string line = fmt::format(
        R"({{"type":"summary","target":"{}","labels":{},"time_ms":{},"first_round":{},"rounds":{},)"
        R"("sent":{},"received":{},"lost":{},"loss_pct":{:.3f},"duplicates":{},"late":{})",
        format_ipv4(address(i)), group_json_[group_of(i)], wall_ns / 1000000, first_round, rounds, rounds,
        received, rounds - received, rounds ? 100.0 * double(rounds - received) / double(rounds) : 0.0,
        t.state.duplicates() - p.duplicate_mark, t.state.late() - p.late_mark);
    if (rtt.count)
        line += fmt::format(
            R"(,"rtt_min_ms":{},"rtt_avg_ms":{},"rtt_max_ms":{},"rtt_mdev_ms":{},"rtt_p50_ms":{},)"
            R"("rtt_p90_ms":{},"rtt_p99_ms":{})",
            ms3(rtt.min), ms3(rtt.avg), ms3(rtt.max), ms3(rtt.mdev), ms3(rtt.p50), ms3(rtt.p90),
            ms3(rtt.p99));
    if (p.errors)
        line += fmt::format(R"(,"icmp_errors":{},"last_error":{{"type":{},"code":{},"sender":"{}"}})",
                            p.errors, p.error_type, p.error_code, format_ipv4(p.error_sender));
    emit(line + "}\n");
    ++summaries_;
    t.received_mark = t.state.received();
    p.late_mark = t.state.late();  // the last error stays: a later down event reports it
    p.duplicate_mark = t.state.duplicates();
    p.errors = 0;
    period_rtt_.reset(i);
    if (early_capacity_) replay_early(i);
}

bool monitor_book::finish(std::span<const uint64_t> sent, const plan_clock& clock) {
    for (size_t t = 0; t < cursors_.size() && t < sent.size(); ++t)
        close_due(cursors_[t], uint64_t(1) << 62, sent[t], clock);
    const uint64_t wall_ns = clock.start_wall_ns + clock.now_us * 1000;
    for (uint64_t i = 0; i < targets_.size(); ++i) {
        const uint32_t closed = targets_[i].state.next_round_to_close();
        const uint32_t first = summary_rounds_ ? closed - closed % summary_rounds_ : first_round_;
        if (closed > first) write_summary(i, first, closed - first, wall_ns);
    }
    if (json_ && !write_failed_ && std::fflush(json_) != 0) note_write_failure();
    write_fping_lines();
    return !write_failed_;
}

// fping -c's summary, one line per target in address order (on stderr, as fping prints it), the
// names left-aligned to the longest as fping's "%-*s :" pads them, so the columns line up.
void monitor_book::write_fping_lines() {
    if (!text_) return;
    size_t width = 0;
    char name[16];
    for (uint64_t i = 0; i < targets_.size(); ++i)
        if (targets_[i].state.sent()) width = std::max(width, format_ipv4_to(address(i), name));
    for (uint64_t i = 0; i < targets_.size(); ++i) {
        const target_state& s = targets_[i].state;
        if (s.sent() == 0) continue;
        const unsigned loss =
            unsigned(uint64_t(s.sent() - std::min(s.received(), s.sent())) * 100 / s.sent());
        std::string line = fmt::format("{:<{}} : xmt/rcv/%loss = {}/{}/{}%", format_ipv4(address(i)), width,
                                       s.sent(), s.received(), loss);
        const target_totals& t = totals_[i];
        if (s.received())
            line += fmt::format(", min/avg/max = {}/{}/{}", fping_ms(t.min_us),
                                fping_ms(double(t.sum_us) / double(s.received())), fping_ms(t.max_us));
        std::fputs((line + "\n").c_str(), text_);
    }
    std::fflush(text_);
}

monitor_figures monitor_book::figures() const {
    monitor_figures f;
    f.rounds_closed = rounds_closed_;
    for (const group_totals& g : groups_) {
        f.received += g.received;
        f.lost += g.lost;
        f.late += g.late;
        f.duplicates += g.duplicates;
    }
    f.outages = outages_;
    f.recoveries = recoveries_;
    f.targets_down = down_;
    f.summaries = summaries_;
    f.groups = groups_.size();
    return f;
}

// After a failure the lines are dropped, not retried (as record_writer's rows): the file keeps a
// prefix of them, never a gap, and the run stops on it.
void monitor_book::emit(const std::string& line) {
    if (json_ && !write_failed_ && std::fwrite(line.data(), 1, line.size(), json_) != line.size())
        note_write_failure();
}

void monitor_book::note_write_failure() {
    write_errno_ = errno;
    write_failed_ = true;
}

}  // namespace ics
