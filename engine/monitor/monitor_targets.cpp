// Reading the monitor's labelled target file and grouping its targets (monitor_targets.hpp): lines
// are parsed in file order (the first bad line is the one reported), then sorted by address, checked
// for overlaps and walked once in address order, which numbers the groups and lays out the runs.
#include "monitor/monitor_targets.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "net/ipv4_address.hpp"
#include "targets/target_spec.hpp"

namespace ics {
namespace {

constexpr std::string_view blanks = " \t\r\v\f";

struct spec_line {
    ipv4_range range;
    size_t line_no = 0;
    std::string_view spec;
    int64_t label_set = -1;  // index into parsed_file::label_sets; -1: no labels (grouped by prefix)
};

struct label_set {
    std::vector<monitor_label> labels;  // sorted by key
    std::string printed;                // as monitor_group::prometheus_labels
};

// Label sets are interned as lines are read: a file of a million labelled lines keeps one copy of
// each distinct set, not a million.
struct parsed_file {
    std::vector<spec_line> lines;
    std::vector<label_set> label_sets;                        // distinct, in order of first appearance
    std::unordered_map<std::string, uint32_t> label_set_ids;  // by printed labels
};

// Plain appends, not fmt: called for every labelled line (a million-line file) and every prefix group.
std::string print_labels(const std::vector<monitor_label>& labels) {
    std::string printed;
    for (const monitor_label& l : labels) {
        if (!printed.empty()) printed += ',';
        printed.append(l.key).append("=\"").append(l.value).append("\"");
    }
    return printed;
}

// Removes and returns the next blank-separated word of `rest` (empty when none is left).
std::string_view next_word(std::string_view& rest) {
    const size_t start = rest.find_first_not_of(blanks);
    if (start == std::string_view::npos) {
        rest = {};
        return {};
    }
    rest.remove_prefix(start);
    const size_t end = std::min(rest.find_first_of(blanks), rest.size());
    std::string_view word = rest.substr(0, end);
    rest.remove_prefix(end);
    return word;
}

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not one (overlong forms,
// surrogates and code points past U+10FFFF included).
size_t utf8_sequence(std::string_view s, size_t i) {
    const auto byte = [&](size_t k) { return k < s.size() ? uint8_t(s[k]) : 0u; };
    const unsigned b = byte(i);
    if (b < 0x80) return 1;
    unsigned n = 0, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    if (b >= 0xe0 && b <= 0xef) n = 3, lo = b == 0xe0 ? 0xa0 : 0x80, hi = b == 0xed ? 0x9f : 0xbf;
    if (b >= 0xf0 && b <= 0xf4) n = 4, lo = b == 0xf0 ? 0x90 : 0x80, hi = b == 0xf4 ? 0x8f : 0xbf;
    if (n == 0 || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (size_t k = 2; k < n; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
    return n;
}

bool printable_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8_sequence(s, i);
        if (n == 0 || (n == 1 && (uint8_t(s[i]) < 0x20 || s[i] == 0x7f))) return false;
        i += n;
    }
    return true;
}

// Why `key` cannot name a label, or nothing when it can.
std::optional<std::string> key_problem(std::string_view key) {
    const auto name_char = [](char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
               (!first && c >= '0' && c <= '9');
    };
    bool valid = !key.empty();
    for (size_t i = 0; i < key.size(); ++i) valid = valid && name_char(key[i], i == 0);
    if (!valid)
        return fmt::format(
            "'{}' is not a valid label name: use letters, digits and '_', not starting with a digit", key);
    if (key.substr(0, 2) == "__")
        return fmt::format("label name '{}' starts with '__', which Prometheus keeps for itself", key);
    if (std::find(exporter_label_names.begin(), exporter_label_names.end(), key) !=
        exporter_label_names.end())
        return fmt::format("label name '{}' is one the exporter sets itself: choose another name", key);
    return std::nullopt;
}

std::optional<std::string> value_problem(std::string_view key, std::string_view value) {
    if (value.empty()) return fmt::format("label '{}' has no value: write {}=VALUE", key, key);
    if (const size_t bad = value.find_first_of("\"\\"); bad != std::string_view::npos)
        return fmt::format(
            "the value of label '{}' holds a '{}': write label values without quotes or backslashes", key,
            value[bad]);
    if (!printable_utf8(value))
        return fmt::format("the value of label '{}' is not printable UTF-8 text", key);
    return std::nullopt;
}

// The labels after a line's spec, sorted by key; an error is the sentence without origin and line.
result<std::vector<monitor_label>> parse_labels(std::string_view rest) {
    std::vector<monitor_label> labels;
    for (std::string_view word = next_word(rest); !word.empty(); word = next_word(rest)) {
        const size_t eq = word.find('=');
        if (eq == std::string_view::npos)
            return error{
                fmt::format("'{}' is not a label: write labels as key=value after the target", word)};
        const std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
        if (auto why = key_problem(key)) return error{*why};
        if (auto why = value_problem(key, value)) return error{*why};
        for (const monitor_label& l : labels)
            if (l.key == key)
                return error{fmt::format("label '{}' is given twice: give each key once a line", key)};
        if (labels.size() == max_labels_per_line)
            return error{fmt::format("more than {} labels: a line takes at most {}", max_labels_per_line,
                                     max_labels_per_line)};
        labels.push_back({std::string(key), std::string(value)});
    }
    std::sort(labels.begin(), labels.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    return labels;
}

result<parsed_file> parse_lines(std::string_view text, std::string_view origin) {
    parsed_file file;
    size_t line_no = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        line = line.substr(0, line.find('#'));
        const std::string_view spec = next_word(line);
        if (spec.empty()) continue;
        auto range = parse_target_spec(spec);
        if (!range) return error{fmt::format("{} line {}: {}", origin, line_no, range.error_message())};
        auto labels = parse_labels(line);
        if (!labels) return error{fmt::format("{} line {}: {}", origin, line_no, labels.error_message())};
        spec_line entry{*range, line_no, spec};
        if (!labels->empty()) {
            std::string printed = print_labels(*labels);
            auto [it, added] = file.label_set_ids.try_emplace(printed, uint32_t(file.label_sets.size()));
            if (added) file.label_sets.push_back({std::move(*labels), std::move(printed)});
            entry.label_set = it->second;
        }
        file.lines.push_back(entry);
    }
    return file;
}

// Sorts the lines by address; an address on two lines is an error naming both (the first such
// address in address order).
status sort_and_check_overlaps(std::vector<spec_line>& lines, std::string_view origin) {
    std::sort(lines.begin(), lines.end(), [](const spec_line& a, const spec_line& b) {
        return a.range.first != b.range.first ? a.range.first < b.range.first : a.line_no < b.line_no;
    });
    // Sorted by first address, a line that overlaps any earlier one overlaps the one just before it.
    for (size_t i = 1; i < lines.size(); ++i) {
        if (lines[i].range.first > lines[i - 1].range.last) continue;
        const spec_line& a = lines[i - 1].line_no < lines[i].line_no ? lines[i - 1] : lines[i];
        const spec_line& b = lines[i - 1].line_no < lines[i].line_no ? lines[i] : lines[i - 1];
        return error{fmt::format(
            "{} lines {} and {} overlap ({} and {} both hold {}): each target belongs on one line only",
            origin, a.line_no, b.line_no, a.spec, b.spec, format_ipv4(lines[i].range.first))};
    }
    return ok();
}

// Numbers groups by their first target in address order and lays out the runs; refuses the group
// past max_groups (returning false).
class group_builder {
public:
    group_builder(monitor_target_list& out, size_t label_sets, size_t max_groups)
        : out_(out), set_group_(label_sets, UINT32_MAX), max_groups_(max_groups) {}

    // Targets [first_target, first_target + count) are in the group of label set `set`.
    bool add_labelled(uint64_t first_target, uint64_t count, const label_set& set, uint32_t set_id) {
        if (set_group_[set_id] == UINT32_MAX) {
            const auto group = find_or_add(set.labels, set.printed);
            if (!group) return false;
            set_group_[set_id] = *group;
        }
        add_run(first_target, count, set_group_[set_id]);
        return true;
    }

    // Splits an unlabelled line into its /N prefix pieces, each in its prefix's group.
    bool add_by_prefix(uint64_t first_target, const ipv4_range& range, unsigned prefix_len) {
        const unsigned shift = 32 - prefix_len;
        for (uint64_t p = range.first >> shift; p <= range.last >> shift; ++p) {
            const ipv4_addr base = ipv4_addr(p << shift);
            const ipv4_addr first = std::max(range.first, base),
                            last = std::min(range.last, base | ~prefix_mask(prefix_len));
            // Addresses come in order, so a prefix seen again is the last one seen: no name to
            // format and look up for each of a million single addresses in a few thousand /24s.
            if (p != last_prefix_) {
                const std::vector<monitor_label> labels = {
                    {"prefix", fmt::format("{}/{}", format_ipv4(base), prefix_len)}};
                const auto group = find_or_add(labels, print_labels(labels));
                if (!group) return false;
                last_prefix_ = p;
                last_prefix_group_ = *group;
            }
            add_run(first_target + (first - range.first), uint64_t(last) - first + 1, last_prefix_group_);
        }
        return true;
    }

private:
    // A label set equal to a prefix group's joins it: found by the printed labels, not the set's id.
    std::optional<uint32_t> find_or_add(const std::vector<monitor_label>& labels,
                                        const std::string& printed) {
        if (auto it = ids_.find(printed); it != ids_.end()) return it->second;
        if (out_.groups.size() == max_groups_) return std::nullopt;
        const auto group = uint32_t(out_.groups.size());
        out_.groups.push_back({labels, printed, 0});
        ids_.emplace(printed, group);
        return group;
    }

    void add_run(uint64_t first_target, uint64_t count, uint32_t group) {
        out_.groups[group].target_count += count;
        if (out_.runs.empty() || out_.runs.back().group != group) out_.runs.push_back({first_target, group});
    }

    monitor_target_list& out_;
    std::unordered_map<std::string, uint32_t> ids_;
    std::vector<uint32_t> set_group_;  // per label set id: its group, UINT32_MAX before its first line
    uint64_t last_prefix_ = UINT64_MAX;
    uint32_t last_prefix_group_ = 0;
    size_t max_groups_;
};

std::string too_many_groups(std::string_view origin, size_t max_groups, bool by_prefix,
                            unsigned group_by_prefix) {
    const std::string fix =
        by_prefix && group_by_prefix > min_group_by_prefix
            ? fmt::format("group unlabelled targets by a shorter prefix than --group-by /{}", group_by_prefix)
            : std::string("give fewer distinct label sets");
    return fmt::format("{}: the targets fall in more than {} groups, too many series for Prometheus: {}",
                       origin, max_groups, fix);
}

// Whether the unlabelled lines alone fall in more than max_groups /N prefixes (lines sorted
// and disjoint, so a prefix shared by neighbouring lines is the last one counted). O(lines): a /0 by
// /32 is refused at once, not after a hundred thousand groups were named and then thrown away.
bool too_many_prefixes(const std::vector<spec_line>& lines, unsigned prefix_len, size_t max_groups) {
    const unsigned shift = 32 - prefix_len;
    uint64_t count = 0, last_prefix = UINT64_MAX;
    for (const spec_line& l : lines) {
        if (l.label_set >= 0) continue;
        const uint64_t first = l.range.first >> shift, last = l.range.last >> shift;
        count += last - first + 1 - (first == last_prefix ? 1 : 0);
        last_prefix = last;
        if (count > max_groups) return true;
    }
    return false;
}

}  // namespace

uint32_t monitor_target_list::group_of(uint64_t target_index) const {
    auto it = std::upper_bound(runs.begin(), runs.end(), target_index,
                               [](uint64_t i, const monitor_group_run& r) { return i < r.first_target; });
    return std::prev(it)->group;
}

std::vector<uint32_t> monitor_target_list::group_ids() const {
    std::vector<uint32_t> ids(targets.size());
    for (size_t r = 0; r < runs.size(); ++r) {
        const uint64_t end = r + 1 < runs.size() ? runs[r + 1].first_target : targets.size();
        std::fill(ids.begin() + ptrdiff_t(runs[r].first_target), ids.begin() + ptrdiff_t(end), runs[r].group);
    }
    return ids;
}

result<monitor_target_list> parse_monitor_targets(std::string_view text, std::string_view origin,
                                                  unsigned group_by_prefix, size_t max_groups) {
    if (group_by_prefix < min_group_by_prefix || group_by_prefix > 32)
        return error{fmt::format("--group-by /{} is not a prefix length of {} to 32", group_by_prefix,
                                 min_group_by_prefix)};
    auto file = parse_lines(text, origin);
    if (!file) return error{file.error_message()};
    if (auto sorted = sort_and_check_overlaps(file->lines, origin); !sorted)
        return error{sorted.error_message()};
    if (too_many_prefixes(file->lines, group_by_prefix, max_groups))
        return error{too_many_groups(origin, max_groups, true, group_by_prefix)};
    monitor_target_list out;
    std::vector<ipv4_range> ranges;
    for (const spec_line& l : file->lines) ranges.push_back(l.range);
    out.targets = interval_set(std::move(ranges));
    group_builder groups(out, file->label_sets.size(), max_groups);
    // Lines are disjoint and sorted, so a line's first target index is the count of those before it.
    uint64_t first_target = 0;
    for (const spec_line& l : file->lines) {
        const bool labelled = l.label_set >= 0;
        const bool added =
            labelled ? groups.add_labelled(first_target, l.range.size(),
                                           file->label_sets[size_t(l.label_set)], uint32_t(l.label_set))
                     : groups.add_by_prefix(first_target, l.range, group_by_prefix);
        if (!added) return error{too_many_groups(origin, max_groups, !labelled, group_by_prefix)};
        first_target += l.range.size();
    }
    return out;
}

result<monitor_target_list> read_monitor_target_file(const std::string& path, unsigned group_by_prefix) {
    auto content = read_text_file(path, "target file");
    if (!content) return error{content.error_message()};
    return parse_monitor_targets(*content, fmt::format("target file '{}'", path), group_by_prefix);
}

}  // namespace ics
