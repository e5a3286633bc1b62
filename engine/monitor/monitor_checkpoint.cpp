#include "monitor/monitor_checkpoint.hpp"

#include <charconv>
#include <iterator>
#include <limits>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "util/uint128.hpp"

namespace ics {

uint64_t groups_fingerprint(const monitor_settings& s) {
    uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&h](std::string_view bytes) {
        for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
        h = (h ^ 0xff) * 0x100000001b3ull;  // a separator no label holds
    };
    for (const label_set& labels : s.groups)
        for (const auto& [k, v] : labels) mix(k), mix(v);
    for (uint32_t g : s.target_group) mix(std::string_view(reinterpret_cast<const char*>(&g), sizeof g));
    return h;
}

namespace {

template <typename Count>
void append_histogram(fmt::memory_buffer& b, const prom_histogram<Count>& h) {
    fmt::format_to(std::back_inserter(b), "{} {} {}", fmt::join(h.counts, " "), h.count, h.sum_us);
}

// The whole numbers of one line, in order; each taken only if it fits its field.
class line_reader {
public:
    explicit line_reader(std::string_view line) : p_(line.data()), end_(line.data() + line.size()) {}

    template <typename T>
    bool take(T& v, uint64_t max = UINT64_MAX) {
        while (p_ < end_ && *p_ == ' ') ++p_;
        uint64_t x = 0;
        const auto [next, ec] = std::from_chars(p_, end_, x);
        if (ec != std::errc() || next == p_ || x > max || (next < end_ && *next != ' ')) return false;
        p_ = next;
        v = T(x);
        return true;
    }
    template <typename Count>
    bool take_histogram(prom_histogram<Count>& h) {
        for (Count& c : h.counts)
            if (!take(c, std::numeric_limits<Count>::max())) return false;
        if (!take(h.count, std::numeric_limits<Count>::max()) || !take(h.sum_us)) return false;
        // The count is its buckets' sum (computed wide: a damaged file's could wrap).
        const uint128 sum = std::accumulate(h.counts.begin(), h.counts.end(), uint128(0));
        return sum == uint128(h.count);
    }
    bool at_end() {
        while (p_ < end_ && *p_ == ' ') ++p_;
        return p_ == end_;
    }

private:
    const char* p_;
    const char* end_;
};

bool parse_target(std::string_view line, monitor_saved& m, size_t i) {
    line_reader r(line);
    target_counts& c = m.counts[i];
    target_totals& t = m.totals[i];
    uint32_t down = 0;
    constexpr uint64_t u32 = UINT32_MAX;
    if (!r.take(c.sent, u32) || !r.take(c.received, u32) || !r.take(c.lost, u32) || !r.take(c.late, u32) ||
        !r.take(c.duplicates, u32) || !r.take(c.consecutive_lost, u32) || !r.take(c.down_since, u32) ||
        !r.take(c.outages, u32) || !r.take(down, 1) || !r.take(t.min_us, u32) || !r.take(t.max_us, u32) ||
        !r.take(t.sum_us))
        return false;
    c.down = down != 0;
    if (!m.histograms.empty() && !r.take_histogram(m.histograms[i])) return false;
    // Closed rounds are received or lost, at most one a round; an outage began before the next
    // round and lost at least its own rounds; a target down is in an outage, losing.
    return r.at_end() && uint64_t(c.received) + c.lost == c.sent && c.sent <= m.next_round &&
           c.consecutive_lost <= c.lost && c.down_since <= m.next_round && c.outages <= c.lost &&
           (!c.down || (c.outages >= 1 && c.consecutive_lost >= 1));
}

bool parse_group(std::string_view line, saved_group& g) {
    line_reader r(line);
    uint32_t n = 0;
    if (!r.take_histogram(g.rtt) || !r.take(n, uint64_t(256) * 256)) return false;
    g.errors.clear();  // one entry a triple read: a count the line does not back allocates nothing
    for (uint32_t k = 0; k < n; ++k) {
        icmp_error_count e;
        if (!r.take(e.type, 255) || !r.take(e.code, 255) || !r.take(e.count)) return false;
        g.errors.push_back(e);
    }
    return r.at_end();
}

}  // namespace

void append_monitor_table(std::string& out, const monitor_saved& m) {
    fmt::memory_buffer b;
    for (size_t i = 0; i < m.counts.size(); ++i) {
        const target_counts& c = m.counts[i];
        const target_totals& t = m.totals[i];
        fmt::format_to(std::back_inserter(b), "{} {} {} {} {} {} {} {} {} {} {} {}", c.sent, c.received,
                       c.lost, c.late, c.duplicates, c.consecutive_lost, c.down_since, c.outages,
                       c.down ? 1 : 0, t.min_us, t.max_us, t.sum_us);
        if (!m.histograms.empty()) {
            b.push_back(' ');
            append_histogram(b, m.histograms[i]);
        }
        b.push_back('\n');
    }
    for (const saved_group& g : m.groups) {
        append_histogram(b, g.rtt);
        fmt::format_to(std::back_inserter(b), " {}", g.errors.size());
        for (const icmp_error_count& e : g.errors)
            fmt::format_to(std::back_inserter(b), " {} {} {}", e.type, e.code, e.count);
        b.push_back('\n');
    }
    out.append(b.data(), b.size());
}

bool parse_monitor_table(std::string_view text, monitor_saved& m) {
    size_t line_no = 0;
    const size_t targets = m.counts.size();
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        if (nl == std::string_view::npos) return false;  // every line ends: a cut file is damaged
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        if (line_no < targets) {
            if (!parse_target(line, m, line_no)) return false;
        } else if (line_no - targets < m.groups.size()) {
            if (!parse_group(line, m.groups[line_no - targets])) return false;
        } else {
            return false;
        }
        ++line_no;
    }
    return line_no == targets + m.groups.size();
}

}  // namespace ics
