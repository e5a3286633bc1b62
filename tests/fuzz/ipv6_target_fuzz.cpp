// Fuzzes IPv6 addresses, prefixes and target files (net/ipv6_address, targets/ipv6_targets) and
// checks what must hold of every list they return, against a naive reading of the same lines:
// targets ascending and distinct; none in the blocklist; listed = targets + duplicates +
// blocklisted, and the sum of what each line makes under the rule; every target inside some
// line's prefix, every /128 line's address a target unless blocklisted; every target written as
// text and read back the same (RFC 5952 text of at most 39 characters). A parse error names the
// input and its line. The first byte picks the --ipv6-per-prefix rule. A broken property aborts
// with a message, which the mutation driver and libFuzzer report.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_target.hpp"
#include "net/ipv6_address.hpp"
#include "targets/ipv6_targets.hpp"

namespace {

// Far above what a 1024-byte input names line by line, low enough that a prefix line cannot make
// an input cost more than some milliseconds.
constexpr uint64_t fuzz_max_targets = 4096;

[[noreturn]] void broken(const char* what, unsigned long long a, unsigned long long b) {
    std::fprintf(stderr, "ipv6_target_fuzz: %s (%llu, %llu)\n", what, a, b);
    std::abort();
}
void check(bool ok, const char* what, unsigned long long a = 0, unsigned long long b = 0) {
    if (!ok) broken(what, a, b);
}

ics::ipv6_prefix_rule rule_of(uint8_t b) {
    static constexpr unsigned lens[8] = {64, 48, 56, 60, 112, 120, 124, 128};
    const unsigned len = lens[b & 7];
    return {len, len == 128 ? 1u : 1u + (b >> 3 & 3), (b & 0x20) != 0};
}

// Every line's first word, as the parser reads it (only called on text it accepted).
std::vector<ics::ipv6_prefix> naive_lines(std::string_view text) {
    std::vector<ics::ipv6_prefix> out;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        line = line.substr(0, line.find('#'));
        const size_t start = line.find_first_not_of(" \t\r\v\f");
        if (start == std::string_view::npos) continue;
        line = line.substr(start);
        const auto p = ics::parse_ipv6_prefix(line.substr(0, line.find_first_of(" \t\r\v\f")));
        check(p.has_value(), "an accepted line does not read as a prefix");
        out.push_back(*p);
    }
    return out;
}

// How many addresses a line makes under the rule (the parser refused anything over the cap).
uint64_t made_by(const ics::ipv6_prefix& p, const ics::ipv6_prefix_rule& rule) {
    if (p.len == 128) return 1;
    const unsigned cut = std::max(p.len, rule.sub_len) - p.len;
    check(cut < 13, "a line makes more than the cap allows", cut);
    return (uint64_t(1) << cut) * rule.per_prefix;
}

void check_text(const ics::ipv6_addr& a) {
    char buf[ics::ipv6_text_max];
    const size_t n = ics::format_ipv6_to(a, buf);
    check(n > 0 && n <= ics::ipv6_text_max, "text of a bad length", n);
    const auto back = ics::parse_ipv6(std::string_view(buf, n));
    check(back.has_value() && *back == a, "an address written as text reads back as another", a.hi, a.lo);
}

void check_list(const ics::ipv6_target_list& l, std::string_view text, const ics::ipv6_prefix_rule& rule,
                const ics::ipv6_range_set& blocklist) {
    const std::vector<ics::ipv6_prefix> lines = naive_lines(text);
    uint64_t made = 0;
    for (const ics::ipv6_prefix& p : lines) made += made_by(p, rule);
    check(l.listed == made, "listed is not what the lines make", l.listed, made);
    check(l.listed == l.size() + l.duplicates + l.blocklisted, "listed is not kept + repeats + blocklisted",
          l.listed, l.size());
    for (size_t i = 0; i < l.size(); ++i) {
        const ics::ipv6_addr& t = l.at(i);
        check(i == 0 || l.at(i - 1) < t, "targets not ascending and distinct", i);
        check(!blocklist.contains(t), "a blocklisted target", t.hi, t.lo);
        check(
            std::any_of(lines.begin(), lines.end(), [&](const ics::ipv6_prefix& p) { return p.contains(t); }),
            "a target in no line's prefix", t.hi, t.lo);
        check(l.contains(t), "contains() misses a target", i);
        check_text(t);
    }
    for (const ics::ipv6_prefix& p : lines)
        if (p.len == 128)
            check(l.contains(p.base) || blocklist.contains(p.base), "a listed address is missing", p.base.hi,
                  p.base.lo);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const ics::ipv6_range_set blocklist = *ics::parse_ipv6_blocklist_lines(
        "2001:db8:ff::/48\n2001:db8::bad\n::/96\nff00::/8\n", "fuzz blocklist");
    ics::ipv6_target_options options;
    options.rule = rule_of(data[0]);
    options.seed = data[0];
    options.blocklist = &blocklist;
    options.max_targets = fuzz_max_targets;
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto list = ics::parse_ipv6_target_lines(text, "fuzz", options);
    if (!list) {
        check(list.error_message().rfind("fuzz line ", 0) == 0,
              "a parse error does not name the input and line");
        return 0;
    }
    check_list(*list, text, options.rule, blocklist);
    return 0;
}

std::vector<std::vector<uint8_t>> fuzz_seeds() {
    using namespace std::literals;  // the first byte may be 0: string_view literals keep it
    std::vector<std::vector<uint8_t>> seeds;
    for (std::string_view s : {"\x00"
                               "2001:db8::1\n2001:DB8:0::1 # again\n\n2001:db8::bad\n"sv,
                               "\x01"
                               "2001:db8:1::/60\n2001:db8:ff::/56\n"sv,
                               "\x25"
                               "2001:db8:2::/52  hitlist comment\r\n::ffff:198.51.100.7\n"sv,
                               "\x07"
                               "2001:db8::100/120\n2001:db8:0:0:0:0:0:ffff\n::\n"sv,
                               "\x0d"
                               "2001:db8:1:2:3:4:192.0.2.1\n1::\n::1\n2001:db8::/127\n"sv})
        seeds.emplace_back(s.begin(), s.end());
    return seeds;
}
