#include "targets/ipv6_targets.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>
#include <unordered_set>

#include <fmt/format.h>

#include "targets/ipv6_spec.hpp"
#include "targets/permutation.hpp"
#include "targets/target_spec.hpp"
#include "util/uint128.hpp"

namespace ics {
namespace {

uint128 to_u128(const ipv6_addr& a) {
    return uint128(a.hi) << 64 | a.lo;
}
ipv6_addr from_u128(uint128 v) {
    return {uint64_t(v >> 64), uint64_t(v)};
}

// A line longer than this is not an address or a prefix: the file is not a target file.
constexpr size_t max_line_len = 4096;

// Reads lines into addresses: the file's reader and the text's parser share it.
class list_builder {
public:
    list_builder(std::string_view origin, const ipv6_target_options& options)
        : origin_(origin), options_(options) {}

    status add_line(std::string_view line) {
        ++line_no_;
        if (line.size() > max_line_len)
            return fail(fmt::format(
                "is over {} characters long: a file of IPv6 targets holds one address or prefix a line",
                max_line_len));
        line = target_line_word(line);  // the first word, as for IPv4 files
        if (line.empty()) return ok();
        const auto p = parse_ipv6_prefix_spec(line);
        if (!p) return fail(p.error_message());
        return add_prefix(*p);
    }

    result<ipv6_target_list> finish() {
        ipv6_target_list l;
        l.listed = addrs_.size();
        std::sort(addrs_.begin(), addrs_.end());
        addrs_.erase(std::unique(addrs_.begin(), addrs_.end()), addrs_.end());
        l.duplicates = l.listed - addrs_.size();
        if (options_.blocklist && !options_.blocklist->empty()) {
            const auto kept = std::remove_if(addrs_.begin(), addrs_.end(), [&](const ipv6_addr& a) {
                return options_.blocklist->contains(a);
            });
            l.blocklisted = uint64_t(addrs_.end() - kept);
            addrs_.erase(kept, addrs_.end());
        }
        addrs_.shrink_to_fit();
        l.targets = std::move(addrs_);
        return l;
    }

private:
    status fail(const std::string& why) const {
        return error{fmt::format("{} line {}: {}", origin_, line_no_, why)};
    }

    status add_prefix(const ipv6_prefix& p) {
        if (p.len == 128) {
            if (addrs_.size() >= options_.max_targets)
                return fail(fmt::format(
                    "'{}' is past the {} addresses a target list may hold (repeats count until they are "
                    "removed): split the list and scan it in parts",
                    format_ipv6(p.base), options_.max_targets));
            addrs_.push_back(p.base);
            return ok();
        }
        const ipv6_prefix_rule& rule = options_.rule;
        const unsigned sub = std::max(p.len, rule.sub_len);
        if (auto room = check_room(p, sub); !room) return room;
        const unsigned cut_bits = sub - p.len;
        if (cut_bits >= 64 ||
            (uint128(1) << cut_bits) * rule.per_prefix > options_.max_targets - addrs_.size())
            return fail(fmt::format(
                "{} with --ipv6-per-prefix {} makes {} addresses, more than the {} a target list may hold: "
                "name longer prefixes or give --ipv6-per-prefix a shorter length",
                format_ipv6_prefix(p), format_ipv6_per_prefix(rule), count_text(cut_bits, rule.per_prefix),
                options_.max_targets));
        const uint128 base = to_u128(p.base);
        for (uint64_t k = 0; k < (uint64_t(1) << cut_bits); ++k) {
            const uint128 sub_base = base + (uint128(k) << (128 - sub));
            if (sub == 128)
                addrs_.push_back(from_u128(sub_base));
            else if (!rule.random_iid)
                for (uint32_t j = 1; j <= rule.per_prefix; ++j) addrs_.push_back(from_u128(sub_base + j));
            else
                add_random(sub_base, 128 - sub, rule.per_prefix);
        }
        return ok();
    }

    // Room for COUNT interface ids in each sub-prefix of `sub` bits, ::0 (the subnet-router anycast
    // address) left out; a /128 holds its one address (COUNT is 1 by the rule's parse).
    status check_room(const ipv6_prefix& p, unsigned sub) const {
        const ipv6_prefix_rule& rule = options_.rule;
        const unsigned host_bits = 128 - sub;
        if (host_bits == 0 || host_bits >= 17 || rule.per_prefix <= (uint64_t(1) << host_bits) - 1)
            return ok();
        const uint64_t room = (uint64_t(1) << host_bits) - 1;
        if (p.len >= rule.sub_len)
            return fail(
                fmt::format("{} has room for {} interface ids, and --ipv6-per-prefix {} asks for {} in it: "
                            "name a shorter "
                            "prefix or ask for fewer",
                            format_ipv6_prefix(p), room, format_ipv6_per_prefix(rule), rule.per_prefix));
        return fail(
            fmt::format("{} cut into /{}s has room for {} interface ids in each, and --ipv6-per-prefix {} "
                        "asks for {}: give "
                        "--ipv6-per-prefix a shorter length or a smaller count",
                        format_ipv6_prefix(p), sub, room, format_ipv6_per_prefix(rule), rule.per_prefix));
    }

    // COUNT distinct keyed-random interface ids in the sub-prefix, none ::0: drawn until that many
    // differ (check_room() made sure there is room; in a /64 a repeat is a 2^-64 event).
    void add_random(uint128 sub_base, unsigned host_bits, uint32_t count) {
        const uint128 mask = ~uint128(0) >> (128 - host_bits);
        seen_.clear();
        for (uint32_t j = 0; seen_.size() < count; ++j) {
            const uint128 offset = random_bits(sub_base, j) & mask;
            if (offset != 0 && seen_.insert(offset).second) addrs_.push_back(from_u128(sub_base | offset));
        }
    }

    static std::string count_text(unsigned cut_bits, uint32_t per_prefix) {
        if (cut_bits >= 64) return fmt::format("2^{} x {}", cut_bits, per_prefix);
        uint128 v = (uint128(1) << cut_bits) * per_prefix;
        std::string digits;
        do digits.insert(digits.begin(), char('0' + int(v % 10)));
        while ((v /= 10) != 0);
        return digits;
    }

    // Interface id j of a sub-prefix: keyed by the scan's seed, the same in every run with it.
    uint128 random_bits(uint128 sub_base, uint32_t j) const {
        const uint64_t key = mix64(options_.seed ^ 0x6970763669696473ull);  // "ipv6iids"
        const uint64_t h = mix64(key ^ mix64(uint64_t(sub_base >> 64) ^ mix64(uint64_t(sub_base) ^ j)));
        return uint128(mix64(h ^ 1)) << 64 | mix64(h ^ 2);
    }

    struct u128_hash {
        size_t operator()(uint128 v) const { return size_t(mix64(uint64_t(v) ^ uint64_t(v >> 64))); }
    };

    std::string_view origin_;
    const ipv6_target_options& options_;
    std::vector<ipv6_addr> addrs_;
    std::unordered_set<uint128, u128_hash> seen_;  // add_random()'s ids of one sub-prefix
    uint64_t line_no_ = 0;
};

}  // namespace

result<ipv6_prefix_rule> parse_ipv6_per_prefix(std::string_view text) {
    const auto bad = [&] {
        return error{fmt::format(
            "--ipv6-per-prefix '{}' is not /LEN:COUNT or /LEN:COUNT:random (LEN 1-128, COUNT 1-65536; "
            "for example /64:1)",
            text)};
    };
    const auto number = [](std::string_view s, uint64_t max) -> std::optional<uint64_t> {
        if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        const uint64_t v = std::stoull(std::string(s));
        return v >= 1 && v <= max ? std::optional(v) : std::nullopt;
    };
    if (text.empty() || text[0] != '/') return bad();
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos) return bad();
    const size_t colon2 = text.find(':', colon + 1);
    const auto len = number(text.substr(1, colon - 1), 128);
    const auto count = number(text.substr(colon + 1, colon2 - colon - 1), 65536);
    const std::string_view kind = colon2 == std::string_view::npos ? "" : text.substr(colon2 + 1);
    if (!len || !count || (colon2 != std::string_view::npos && kind != "random")) return bad();
    if (*len == 128 && *count != 1)
        return error{fmt::format("--ipv6-per-prefix '{}': a /128 holds one address; give /128:1", text)};
    return ipv6_prefix_rule{unsigned(*len), uint32_t(*count), !kind.empty()};
}

std::string format_ipv6_per_prefix(const ipv6_prefix_rule& rule) {
    return fmt::format("/{}:{}{}", rule.sub_len, rule.per_prefix, rule.random_iid ? ":random" : "");
}

bool ipv6_target_list::contains(const ipv6_addr& a) const {
    return std::binary_search(targets.begin(), targets.end(), a);
}

ipv6_target_list merge_target_lists(ipv6_target_list a, const ipv6_target_list& b) {
    ipv6_target_list out;
    out.targets.reserve(a.targets.size() + b.targets.size());
    std::set_union(a.targets.begin(), a.targets.end(), b.targets.begin(), b.targets.end(),
                   std::back_inserter(out.targets));
    out.listed = a.listed + b.listed;
    out.blocklisted = a.blocklisted + b.blocklisted;
    out.duplicates = a.duplicates + b.duplicates + (a.targets.size() + b.targets.size() - out.targets.size());
    return out;
}

std::optional<uint64_t> ipv6_target_list::index_of(const ipv6_addr& a) const {
    const auto it = std::lower_bound(targets.begin(), targets.end(), a);
    if (it == targets.end() || *it != a) return std::nullopt;
    return uint64_t(it - targets.begin());
}

result<ipv6_target_list> parse_ipv6_target_lines(std::string_view text, std::string_view origin,
                                                 const ipv6_target_options& options) {
    list_builder b(origin, options);
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        if (auto s = b.add_line(text.substr(0, nl)); !s) return error{s.error_message()};
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return b.finish();
}

result<ipv6_target_list> read_ipv6_target_file(const std::string& path, const ipv6_target_options& options) {
    constexpr std::string_view what = "IPv6 target file";
    if (auto s = check_readable_file(path, what); !s) return error{s.error_message()};
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!f) return error{fmt::format("cannot read {} '{}': check that the file is readable", what, path)};
    const std::string origin = fmt::format("{} '{}'", what, path);
    list_builder b(origin, options);
    std::vector<char> chunk(1 << 20);
    std::string carry;  // a line cut by the chunk's end
    size_t n;
    while ((n = std::fread(chunk.data(), 1, chunk.size(), f.get())) > 0) {
        std::string_view rest(chunk.data(), n);
        for (size_t nl; (nl = rest.find('\n')) != std::string_view::npos; rest.remove_prefix(nl + 1)) {
            const std::string_view line = rest.substr(0, nl);
            auto s = carry.empty() ? b.add_line(line) : b.add_line(carry.append(line));
            if (!s) return error{s.error_message()};
            carry.clear();
        }
        carry.append(rest);
        if (carry.size() > max_line_len) return error{b.add_line(carry).error_message()};  // too long
    }
    if (std::ferror(f.get()))
        return error{
            fmt::format("cannot read {}: a read error part-way (a disk or file-system fault): check the "
                        "file and its disk",
                        origin)};
    if (!carry.empty())
        if (auto s = b.add_line(carry); !s) return error{s.error_message()};
    return b.finish();
}

}  // namespace ics
