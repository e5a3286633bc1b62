#include "output/status.hpp"

#include <algorithm>

#include <fmt/format.h>

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
}  // namespace

std::string format_rate(double r) {
    if (r >= 1e6) return fmt::format("{:.2f} Mp/s", r / 1e6);
    if (r >= 1e3) return fmt::format("{:.2f} Kp/s", r / 1e3);
    return fmt::format("{:.0f} p/s", r);
}

std::string format_status_line(const progress_snapshot& now, const progress_snapshot& prev) {
    const double dt = now.elapsed_s - prev.elapsed_s;
    const double avg_t = std::max(now.elapsed_s, 1e-9);
    std::string progress;
    if (now.sending) {
        double frac = now.to_send ? double(now.sent) / double(now.to_send) : 1.0;
        double send_rate = now.sent / avg_t;
        double left = send_rate > 0 ? double(now.to_send - std::min(now.sent, now.to_send)) / send_rate : 0;
        progress =
            fmt::format("{:>5} {:.0f}% ({} left)", clock_text(now.elapsed_s), frac * 100, clock_text(left));
    } else {
        progress = fmt::format("{:>5} 100% (cooldown, {} left)", clock_text(now.elapsed_s),
                               clock_text(now.cooldown_left_s));
    }
    double hitrate = now.sent ? 100.0 * double(now.hits) / double(now.sent) : 0.0;
    // Named only once something was lost or delayed: which stage to tune.
    std::string drop_detail;
    if (now.dropped || now.tx_alloc_waits)
        drop_detail = fmt::format(" [nic missed {}, no mbuf {}, ring full {}, tx alloc waits {}]",
                                  now.nic_missed, now.nic_no_mbuf, now.ring_full, now.tx_alloc_waits);
    return fmt::format(
        "{}; send: {} {} ({} avg); recv: {} {} ({} avg); drops: {} ({} avg){}; "
        "hits: {} hitrate: {:.2f}%",
        progress, now.sent, format_rate(per_second(now.sent, prev.sent, dt)), format_rate(now.sent / avg_t),
        now.received, format_rate(per_second(now.received, prev.received, dt)),
        format_rate(now.received / avg_t), format_rate(per_second(now.dropped, prev.dropped, dt)),
        format_rate(now.dropped / avg_t), drop_detail, now.hits, hitrate);
}

std::string status_update_header() {
    return "real_time,time_elapsed,time_remaining,percent_complete,hit_rate,sent_total,"
           "sent_last_one_sec,sent_avg_per_sec,recv_success_total,recv_total,"
           "recv_total_last_one_sec,recv_total_avg_per_sec,drop_total,drop_last_one_sec\n";
}

std::string format_status_update(const progress_snapshot& now, const progress_snapshot& prev,
                                 uint64_t wall_seconds) {
    const double dt = now.elapsed_s - prev.elapsed_s;
    const double avg_t = std::max(now.elapsed_s, 1e-9);
    double frac = now.to_send ? double(now.sent) / double(now.to_send) : 1.0;
    double send_rate = now.sent / avg_t;
    double left = now.sending && send_rate > 0
                      ? double(now.to_send - std::min(now.sent, now.to_send)) / send_rate
                      : now.cooldown_left_s;
    double hitrate = now.sent ? 100.0 * double(now.hits) / double(now.sent) : 0.0;
    return fmt::format("{},{:.0f},{:.0f},{:.2f},{:.4f},{},{:.0f},{:.0f},{},{},{:.0f},{:.0f},{},{:.0f}\n",
                       wall_seconds, now.elapsed_s, left, frac * 100, hitrate, now.sent,
                       per_second(now.sent, prev.sent, dt), send_rate, now.hits, now.received,
                       per_second(now.received, prev.received, dt), now.received / avg_t, now.dropped,
                       per_second(now.dropped, prev.dropped, dt));
}

}  // namespace ics
