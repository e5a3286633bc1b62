#include "output/status.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "stats/rates.hpp"

namespace ics {
namespace {
std::string clock_text(double seconds) {
    uint64_t s = uint64_t(std::max(0.0, seconds));
    if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    return fmt::format("{}:{:02}", s / 60, s % 60);
}
double per_second(uint64_t now, uint64_t prev, double dt) {
    return dt > 0 && now >= prev ? double(now - prev) / dt : 0.0;
}
// Over the sending time only, as the closing summary counts.
double send_rate_avg(const progress_snapshot& s) {
    return send_rate(s.sent, s.send_s);
}
// Probes sent or skipped, of all the run will send or skip.
uint64_t done(const progress_snapshot& s) {
    return std::min(s.sent + s.skipped, s.to_send);
}
double percent_done(const progress_snapshot& s) {
    return s.to_send ? 100.0 * double(done(s)) / double(s.to_send) : 100.0;
}
double send_time_left(const progress_snapshot& s) {
    const double pace = s.send_s > 0 ? double(done(s)) / s.send_s : 0.0;
    return pace > 0 ? double(s.to_send - done(s)) / pace : 0.0;
}
double hit_rate(const progress_snapshot& s) {
    return hit_rate_percent(s.hits, s.targets);
}
}  // namespace

std::string format_rate(double r) {
    if (r >= 1e6) return fmt::format("{:.2f} Mp/s", r / 1e6);
    if (r >= 1e3) return fmt::format("{:.2f} Kp/s", r / 1e3);
    return fmt::format("{:.0f} p/s", r);
}

std::string format_status_line(const progress_snapshot& now, const progress_snapshot& prev) {
    const double dt = now.elapsed_s - prev.elapsed_s;
    const double avg_t = std::max(now.elapsed_s, 1e-9);
    // A run with no planned end (monitor mode without --count) has no percentage or time left.
    const std::string progress =
        now.sending && now.to_send == 0 ? fmt::format("{:>5} (until stopped)", clock_text(now.elapsed_s))
        : now.sending ? fmt::format("{:>5} {:.0f}% ({} left)", clock_text(now.elapsed_s), percent_done(now),
                                    clock_text(std::ceil(send_time_left(now))))
                      : fmt::format("{:>5} {:.0f}% (cooldown, {} left)", clock_text(now.elapsed_s),
                                    percent_done(now), clock_text(std::ceil(now.cooldown_left_s)));
    // Once sending ended the current rate is 0 by definition: say so, as ZMap does.
    std::string send =
        now.sending
            ? fmt::format("send: {} {} ({} avg)", now.sent, format_rate(per_second(now.sent, prev.sent, dt)),
                          format_rate(send_rate_avg(now)))
            : fmt::format("send: {} done ({} avg)", now.sent, format_rate(send_rate_avg(now)));
    if (now.skipped) send += fmt::format("; skipped: {}", now.skipped);
    // Named only once something was lost or delayed: which stage to tune.
    std::string drop_detail;
    if (now.dropped || now.tx_alloc_waits)
        drop_detail = fmt::format(" [nic missed {}, no mbuf {}, ring full {}, tx alloc waits {}]",
                                  now.nic_missed, now.nic_no_mbuf, now.ring_full, now.tx_alloc_waits);
    return fmt::format(
        "{}; {}; recv: {} {} ({} avg); drops: {} ({} avg){}; hitrate: {:.2f}% ({} of {} targets up)",
        progress, send, now.received, format_rate(per_second(now.received, prev.received, dt)),
        format_rate(now.received / avg_t), format_rate(per_second(now.dropped, prev.dropped, dt)),
        format_rate(now.dropped / avg_t), drop_detail, hit_rate(now), now.hits, now.targets);
}

bool same_counts(const progress_snapshot& a, const progress_snapshot& b) {
    // Every counter too: a -u row carries them all, and the last row must have the run's final
    // counts (an ARP answered in the last second once went only to the metadata).
    return a.sent == b.sent && a.skipped == b.skipped && a.received == b.received && a.hits == b.hits &&
           a.targets == b.targets && a.dropped == b.dropped && a.tx_alloc_waits == b.tx_alloc_waits &&
           a.nic_missed == b.nic_missed && a.nic_no_mbuf == b.nic_no_mbuf &&
           a.counters.values == b.counters.values;
}

std::string status_update_header() {
    std::string h =
        "real_time,time_elapsed,time_remaining,percent_complete,hit_rate,sent_total,"
        "sent_last_one_sec,sent_avg_per_sec,recv_success_total,recv_total,"
        "recv_total_last_one_sec,recv_total_avg_per_sec,drop_total,drop_last_one_sec,"
        "nic_missed,nic_no_mbuf,mempool_free,mempool_size,record_ring_depth,arp_ring_depth,"
        "feedback_ring_depth";
    for (const counter_info& c : counter_infos) fmt::format_to(std::back_inserter(h), ",{}", c.name);
    return h + "\n";
}

std::string format_status_update(const progress_snapshot& now, const progress_snapshot& prev) {
    const double dt = now.elapsed_s - prev.elapsed_s;
    const double avg_t = std::max(now.elapsed_s, 1e-9);
    const double left = std::ceil(now.sending ? send_time_left(now) : now.cooldown_left_s);
    std::string row =
        fmt::format("{}.{:03},{:.3f},{:.0f},{:.2f},{:.4f},{},{:.0f},{:.0f},{},{},{:.0f},{:.0f},{},{:.0f}",
                    now.wall_ns / 1000000000, now.wall_ns / 1000000 % 1000, now.elapsed_s, left,
                    percent_done(now), hit_rate(now), now.sent, per_second(now.sent, prev.sent, dt),
                    send_rate_avg(now), now.hits, now.received, per_second(now.received, prev.received, dt),
                    now.received / avg_t, now.dropped, per_second(now.dropped, prev.dropped, dt));
    const buffer_levels& b = now.levels;
    fmt::format_to(std::back_inserter(row), ",{},{},{},{},{},{},{}", now.nic_missed, now.nic_no_mbuf,
                   b.mempool_free, b.mempool_size, b.record_ring_depth, b.arp_ring_depth,
                   b.feedback_ring_depth);
    for (uint64_t v : now.counters.values) fmt::format_to(std::back_inserter(row), ",{}", v);
    return row + "\n";
}

}  // namespace ics
