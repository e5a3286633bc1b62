// Fuzzes the monitor's labelled target file (engine/monitor/monitor_targets) and checks what must
// hold of every list it returns, against a second, naive reading of the same text: the targets'
// count is the sum of the lines' sizes and of the groups' counts; the runs start at 0, rise, and
// name existing groups; groups print distinct, well-formed label strings; group_of() of sampled
// targets (every run's ends and indexes derived from the input) is the group the naive reading
// gives that address (its line's labels, or its --group-by prefix); group_ids() equals group_of()
// for every target of small lists. A parse error names the input. The first byte picks --group-by
// (8..32). The group cap is fuzz_max_groups, not the scanner's 100,000: the same code (the cap met
// on the way, lists just under it) at a hundredth of the cost, as a few bytes ("0.0.0.0/1" by /32)
// reach any cap. A broken property aborts with a message, which the mutation driver and libFuzzer
// report.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "fuzz_target.hpp"
#include "monitor/monitor_targets.hpp"
#include "net/ipv4_address.hpp"
#include "targets/target_spec.hpp"

namespace {

// Far above what a 1024-byte input can label (some 50 lines), so labelled and prefix groups mix
// under it; each group costs some 10 us under ASan, so an input costs at most some 10 ms.
constexpr size_t fuzz_max_groups = 1000;

[[noreturn]] void broken(const char* what, unsigned long long a, unsigned long long b) {
    std::fprintf(stderr, "monitor_targets_fuzz: %s (%llu, %llu)\n", what, a, b);
    std::abort();
}
void check(bool ok, const char* what, unsigned long long a = 0, unsigned long long b = 0) {
    if (!ok) broken(what, a, b);
}

// One line as the naive reading sees it: its range and its label string ("" when unlabelled).
struct naive_line {
    ics::ipv4_range range;
    std::string printed;
};

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    constexpr std::string_view blanks = " \t\r\v\f";
    for (size_t at = line.find_first_not_of(blanks); at != std::string_view::npos;
         at = line.find_first_not_of(blanks, at)) {
        const size_t end = std::min(line.find_first_of(blanks, at), line.size());
        out.push_back(line.substr(at, end - at));
        at = end;
    }
    return out;
}

// Appends k="v" (after a comma unless first); appends, not operator+, which GCC 12 misreads
// (-Wrestrict).
void append_label(std::string& out, std::string_view key, std::string_view value) {
    if (!out.empty()) out += ',';
    out.append(key).append("=\"").append(value).append("\"");
}

// Only called on text the parser accepted, so every line parses.
std::vector<naive_line> naive_read(std::string_view text) {
    std::vector<naive_line> lines;
    size_t start = 0;
    while (start < text.size()) {
        const size_t nl = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, nl - start);
        start = nl + 1;
        std::vector<std::string_view> w = words(line.substr(0, line.find('#')));
        if (w.empty()) continue;
        const auto range = ics::parse_target_spec(w[0]);
        check(bool(range), "an accepted line's spec does not parse");
        std::vector<std::pair<std::string_view, std::string_view>> labels;
        for (size_t k = 1; k < w.size(); ++k) {
            const size_t eq = w[k].find('=');
            check(eq != std::string_view::npos, "an accepted label has no '='");
            labels.emplace_back(w[k].substr(0, eq), w[k].substr(eq + 1));
        }
        std::sort(labels.begin(), labels.end());
        std::string printed;
        for (const auto& [k, v] : labels) append_label(printed, k, v);
        lines.push_back({*range, printed});
    }
    return lines;
}

// Sorts the naive reading's lines by address, so that a target's line is a binary search away
// (not a pass over every line for each sampled target); no address may be on two lines.
void sort_lines(std::vector<naive_line>& lines) {
    std::sort(lines.begin(), lines.end(),
              [](const naive_line& a, const naive_line& b) { return a.range.first < b.range.first; });
    for (size_t i = 1; i < lines.size(); ++i)
        check(lines[i].range.first > lines[i - 1].range.last, "an accepted address is on two lines",
              lines[i].range.first);
}

void check_groups(const ics::monitor_target_list& l, const std::vector<naive_line>& lines) {
    uint64_t line_sum = 0, group_sum = 0;
    for (const naive_line& n : lines) line_sum += n.range.size();
    check(l.targets.size() == line_sum, "targets' count is not the sum of the lines' sizes", l.targets.size(),
          line_sum);
    check(l.groups.size() <= fuzz_max_groups, "more groups than the cap", l.groups.size());
    std::unordered_set<std::string_view> printed;  // a hash set: sorting 100,000 strings cost more
    for (const ics::monitor_group& g : l.groups) {
        group_sum += g.target_count;
        check(g.target_count > 0, "a group without targets");
        std::string again;
        for (size_t k = 0; k < g.labels.size(); ++k) {
            check(k == 0 || g.labels[k - 1].key < g.labels[k].key, "labels not sorted by distinct keys", k);
            check(g.labels[k].value.find_first_of("\"\\\n ") == std::string::npos, "a value needs escaping",
                  k);
            append_label(again, g.labels[k].key, g.labels[k].value);
        }
        check(again == g.prometheus_labels, "the printed labels differ from the label set");
        check(printed.insert(g.prometheus_labels).second, "two groups print the same labels");
    }
    check(group_sum == l.targets.size(), "groups' counts do not sum to the targets' count", group_sum);
}

void check_runs(const ics::monitor_target_list& l) {
    check(l.runs.empty() == l.targets.empty(), "runs without targets or targets without runs", l.runs.size());
    for (size_t r = 0; r < l.runs.size(); ++r) {
        check(l.runs[r].group < l.groups.size(), "a run names a group past the count", l.runs[r].group);
        if (r == 0)
            check(l.runs[0].first_target == 0, "the first run does not start at 0", l.runs[0].first_target);
        if (r == 0) continue;
        check(l.runs[r].first_target > l.runs[r - 1].first_target, "runs do not rise", r);
        check(l.runs[r].first_target < l.targets.size(), "a run starts past the targets", r);
        check(l.runs[r].group != l.runs[r - 1].group, "neighbouring runs of one group", r);
    }
}

// The group the naive reading gives target `index`: its line's labels, or its prefix.
void check_target(const ics::monitor_target_list& l, const std::vector<naive_line>& lines, uint64_t index,
                  unsigned group_by) {
    const uint32_t g = l.group_of(index);
    check(g < l.groups.size(), "group_of() past the group count", index, g);
    const ics::ipv4_addr addr = l.targets.at(index);
    // The last line starting at or before addr: lines are sorted and do not overlap (sort_lines).
    const auto after =
        std::upper_bound(lines.begin(), lines.end(), addr,
                         [](ics::ipv4_addr a, const naive_line& n) { return a < n.range.first; });
    check(after != lines.begin() && addr <= std::prev(after)->range.last, "a target on no line", addr);
    std::string expected = std::prev(after)->printed;
    if (expected.empty()) {
        const std::string base = ics::format_ipv4(addr & ics::prefix_mask(group_by));
        append_label(expected, "prefix", base + "/" + std::to_string(group_by));
    }
    check(l.groups[g].prometheus_labels == expected, "group_of() differs from the naive reading", index, g);
}

void check_lookups(const ics::monitor_target_list& l, const std::vector<naive_line>& lines,
                   std::string_view input, unsigned group_by) {
    std::vector<uint64_t> sample;
    for (size_t r = 0; r < l.runs.size() && r < 4096; ++r) {
        sample.push_back(l.runs[r].first_target);
        if (l.runs[r].first_target > 0) sample.push_back(l.runs[r].first_target - 1);
    }
    sample.push_back(l.targets.size() - 1);
    uint64_t h = 1469598103934665603ull;
    for (char c : input) h = (h ^ uint8_t(c)) * 1099511628211ull;
    for (int k = 0; k < 32; ++k) {
        h = h * 6364136223846793005ull + 1442695040888963407ull;
        sample.push_back((h >> 11) % l.targets.size());
    }
    for (uint64_t i : sample) check_target(l, lines, i, group_by);
    if (l.targets.size() > (1u << 16)) return;  // group_ids() is 4 bytes a target
    const std::vector<uint32_t> ids = l.group_ids();
    check(ids.size() == l.targets.size(), "group_ids() has another size", ids.size());
    for (uint64_t i = 0; i < ids.size(); ++i)
        check(ids[i] == l.group_of(i), "group_ids() differs from group_of()", i, ids[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const unsigned group_by = ics::min_group_by_prefix + data[0] % (33 - ics::min_group_by_prefix);
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto list = ics::parse_monitor_targets(text, "fuzz", group_by, fuzz_max_groups);
    if (!list) {
        const std::string& why = list.error_message();
        check(why.rfind("fuzz line ", 0) == 0 || why.rfind("fuzz lines ", 0) == 0 ||
                  why.rfind("fuzz: ", 0) == 0,
              "a parse error does not name the input");
        return 0;
    }
    std::vector<naive_line> lines = naive_read(text);
    sort_lines(lines);
    check_groups(*list, lines);
    check_runs(*list);
    if (!list->targets.empty()) check_lookups(*list, lines, text, group_by);
    return 0;
}

std::vector<std::vector<uint8_t>> fuzz_seeds() {
    // The first byte picks --group-by: 16 is /24, 8 is /16, 24 is /32, 0 is /8.
    const std::pair<uint8_t, std::string_view> seeds[] = {
        {16,
         "198.18.4.0/24 pop=ams customer=42\n198.18.9.1-198.18.9.20 customer=42 pop=ams # c\n192.0.2.0/25\n"},
        {8, "198.18.4.1\n198.18.4.2 pop=ams\n198.18.4.3-198.18.5.4\n\n#c\n203.0.113.9 site=x tier=1\r\n"},
        {24, "198.18.0.250-198.18.1.5\n198.51.100.0/30 prefix=198.18.1.0/32\n"},
        {0, "198.18.0.0/15 a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 j=10 k=11 l=12 m=13 n=14 o=15 p=16\n"},
    };
    std::vector<std::vector<uint8_t>> out;
    for (const auto& [group_byte, text] : seeds) {
        out.push_back({group_byte});
        out.back().insert(out.back().end(), text.begin(), text.end());
    }
    return out;
}
