// Filling and publishing monitor mode's metrics snapshots (metrics_publisher.hpp).
#include "monitor/metrics_publisher.hpp"

#include <fmt/format.h>

#include "monitor/monitor_book.hpp"
#include "net/ipv4_address.hpp"

namespace ics {

metrics_publisher::metrics_publisher(snapshot_exchange<metrics_snapshot>& exchange, uint32_t max_targets,
                                     std::vector<std::string> group_labels, std::string source)
    : exchange_(&exchange),
      max_targets_(max_targets),
      group_labels_(std::move(group_labels)),
      source_(std::move(source)) {
    heap_.reserve(max_targets_ + 1);
}

void metrics_publisher::start_from(std::shared_ptr<const monitor_saved> saved, const monitor_book& book) {
    base_ = std::move(saved);
    if (!base_) return;
    base_groups_.assign(book.groups().size(), {});
    for (uint64_t i = 0; i < book.targets() && i < base_->counts.size(); ++i) {
        const target_counts& c = base_->counts[i];
        probe_counters& g = base_groups_[book.group_of(i)].counters;
        g.sent += c.sent, g.received += c.received, g.lost += c.lost, g.late += c.late;
        g.duplicate += c.duplicates;
    }
    for (size_t g = 0; g < base_groups_.size() && g < base_->groups.size(); ++g) {
        base_groups_[g].rtt = base_->groups[g].rtt;
        base_groups_[g].icmp_errors = base_->groups[g].errors;
    }
}

namespace {

probe_counters minus(probe_counters a, const probe_counters& b) {
    a.sent -= b.sent, a.received -= b.received, a.lost -= b.lost, a.late -= b.late;
    a.duplicate -= b.duplicate;
    return a;
}

// A group's error counts less the resumed run's start (the same type and code; the start's errors
// come first in the list, in the same order, as the books restored them).
void subtract_errors(std::vector<icmp_error_count>& now, const std::vector<icmp_error_count>& base) {
    for (size_t e = 0; e < now.size() && e < base.size(); ++e)
        if (now[e].type == base[e].type && now[e].code == base[e].code) now[e].count -= base[e].count;
}

}  // namespace

void metrics_publisher::rank(const monitor_book& book, uint64_t from, uint64_t to) {
    if (max_targets_ == 0) return;
    const auto worse = [](const ranked& a, const ranked& b) { return a > b; };  // min-heap on badness
    for (uint64_t i = from; i < to; ++i) {
        const target_state& s = book.target(i).state;
        if (s.sent() == 0) continue;
        const ranked r{double(s.lost()) / double(s.sent()),
                       s.received() ? double(book.totals(i).sum_us) / double(s.received()) : 0.0, i};
        if (heap_.size() < max_targets_) {
            heap_.push_back(r);
            std::push_heap(heap_.begin(), heap_.end(), worse);
        } else if (r > heap_.front()) {
            std::pop_heap(heap_.begin(), heap_.end(), worse);
            heap_.back() = r;
            std::push_heap(heap_.begin(), heap_.end(), worse);
        }
    }
}

void metrics_publisher::step(const monitor_book& book, uint64_t now_us, uint64_t wall_ms,
                             uint64_t lateness_us) {
    if (!ranking_) {  // a pass starts shortly before its publication is due, so it ranks fresh figures
        if (published_ && now_us + pass_lead_us < last_publish_us_ + every_us) return;
        ranking_ = true;
        next_ = 0;
        heap_.clear();
    }
    const uint64_t n = book.targets();
    if (next_ < n) {
        const uint64_t slice = std::max<uint64_t>(1024, n / slices_per_pass);
        const uint64_t to = std::min(n, next_ + slice);
        rank(book, next_, to);
        next_ = to;
        return;
    }
    // A pass shorter than its lead holds its ranking until the publication is due, so that
    // snapshots go out every every_us and not every every_us - pass_lead_us.
    if (published_ && now_us < last_publish_us_ + every_us) return;
    fill(book, wall_ms, lateness_us);
    ranking_ = false;
    last_publish_us_ = now_us;
    published_ = true;
}

void metrics_publisher::publish_now(const monitor_book& book, uint64_t wall_ms, uint64_t lateness_us) {
    heap_.clear();
    rank(book, 0, book.targets());
    fill(book, wall_ms, lateness_us);
}

// Fills the back buffer (vectors keep their capacity from earlier fills) and publishes it; the
// next pass starts.
void metrics_publisher::fill(const monitor_book& book, uint64_t wall_ms, uint64_t lateness_us) {
    metrics_snapshot& s = exchange_->back();
    const monitor_figures f = book.figures();
    s.run.rounds_closed = f.rounds_closed;
    s.run.targets = book.targets();
    s.run.targets_down = f.targets_down;
    s.run.probes_sent = probes_sent_;
    s.run.counters = {};
    for (const counter_block* b : counter_blocks_) s.run.counters.add(*b);
    s.run.send_lateness_max_us = lateness_us;
    s.run.snapshot_unix_ms = wall_ms;
    s.run.source = source_;
    s.groups.resize(book.groups().size());
    for (size_t g = 0; g < s.groups.size(); ++g) {
        const group_totals& t = book.groups()[g];
        group_metrics& m = s.groups[g];
        if (m.labels.empty()) m.labels = group_labels_[g];
        m.counters = {t.sent, t.received, t.lost, t.late, t.duplicates};
        m.targets = t.targets;
        m.targets_down = t.down;
        m.icmp_errors.resize(t.errors.size());
        for (size_t e = 0; e < t.errors.size(); ++e)
            m.icmp_errors[e] = {t.errors[e].type, t.errors[e].code, t.errors[e].count};
        m.rtt = t.prom_rtt;
        if (g < base_groups_.size()) {
            m.counters = minus(m.counters, base_groups_[g].counters);
            subtract_errors(m.icmp_errors, base_groups_[g].icmp_errors);
            m.rtt.subtract(base_groups_[g].rtt);
        }
    }
    std::sort(heap_.begin(), heap_.end(), [](const ranked& a, const ranked& b) { return a > b; });
    s.targets.resize(heap_.size());
    for (size_t k = 0; k < heap_.size(); ++k) {
        const uint64_t i = heap_[k].index;
        const target_state& st = book.target(i).state;
        target_metrics& m = s.targets[k];
        m.ip = book.address(i);
        m.group = book.group_of(i);
        m.counters = {st.sent(), st.received(), st.lost(), st.late(), st.duplicates()};
        m.rtt = book.prom_histogram_of(i);
        m.rtt_sum_us = book.totals(i).sum_us;
        if (base_ && i < base_->counts.size()) {
            const target_counts& c = base_->counts[i];
            m.counters = minus(m.counters, {c.sent, c.received, c.lost, c.late, c.duplicates});
            m.rtt_sum_us -= base_->totals[i].sum_us;
            // (A book without histograms publishes an empty one: nothing to take away.)
            if (!base_->histograms.empty() && m.rtt.count) m.rtt.subtract(base_->histograms[i]);
        }
    }
    if (text_ && table_every_ && ++publications_ % table_every_ == 0) write_table(s);
    exchange_->publish();
}

// "worst targets of 1024 (by loss so far, then mean RTT); 3 down:" and one line per target.
void metrics_publisher::write_table(const metrics_snapshot& s) const {
    constexpr size_t rows = 10;
    std::string out =
        fmt::format("dpdk-icmpscan: worst targets of {} (by loss so far, then mean RTT); {} down:\n",
                    s.run.targets, s.run.targets_down);
    for (size_t k = 0; k < s.targets.size() && k < rows; ++k) {
        const target_metrics& t = s.targets[k];
        const probe_counters& c = t.counters;
        out += fmt::format(
            "  {:<15}  loss {:6.2f}% ({}/{})  rtt avg {}  late {}  dup {}  {}\n", format_ipv4(t.ip),
            c.sent ? 100.0 * double(c.lost) / double(c.sent) : 0.0, c.lost, c.sent,
            c.received ? fmt::format("{:.3f} ms", double(t.rtt_sum_us) / double(c.received) / 1000.0)
                       : std::string("-"),
            c.late, c.duplicate, group_labels_[t.group]);
    }
    std::fputs(out.c_str(), text_);
}

}  // namespace ics
