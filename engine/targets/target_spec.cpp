#include "targets/target_spec.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace ics {
namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}
}  // namespace

result<ipv4_range> parse_target_spec(std::string_view raw) {
    std::string_view text = trim(raw);
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        auto addr = parse_ipv4(text.substr(0, slash));
        std::string_view len_text = text.substr(slash + 1);
        unsigned len = 0;
        bool len_ok = !len_text.empty() && len_text.size() <= 2;
        for (char c : len_text) {
            if (c < '0' || c > '9')
                len_ok = false;
            else
                len = len * 10 + unsigned(c - '0');
        }
        if (!addr || !len_ok || len > 32)
            return error{
                fmt::format("'{}' is not a valid CIDR block: write it as A.B.C.D/LEN with LEN 0-32", text)};
        uint32_t mask = prefix_mask(len);
        if (*addr & ~mask)
            return error{fmt::format("'{}' has host bits set: did you mean {}/{}?", text,
                                     format_ipv4(*addr & mask), len)};
        return ipv4_range{*addr, *addr | ~mask};
    }
    if (auto dash = text.find('-'); dash != std::string_view::npos) {
        auto first = parse_ipv4(trim(text.substr(0, dash)));
        auto last = parse_ipv4(trim(text.substr(dash + 1)));
        if (!first || !last)
            return error{fmt::format("'{}' is not a valid address range: write it as A.B.C.D-E.F.G.H", text)};
        if (*last < *first)
            return error{
                fmt::format("'{}' is an empty range: its last address comes before its first", text)};
        return ipv4_range{*first, *last};
    }
    auto addr = parse_ipv4(text);
    if (!addr) return error{fmt::format("'{}' is not an IPv4 address, CIDR block or range", text)};
    return ipv4_range{*addr, *addr};
}

result<interval_set> parse_target_specs(const std::vector<std::string>& specs, std::string_view what) {
    std::vector<ipv4_range> ranges;
    for (const auto& spec : specs) {
        auto r = parse_target_spec(spec);
        if (!r) return error{fmt::format("{}: {}", what, r.error_message())};
        ranges.push_back(*r);
    }
    return interval_set(std::move(ranges));
}

result<interval_set> parse_target_lines(std::string_view text, std::string_view origin) {
    std::vector<ipv4_range> ranges;
    size_t line_no = 0;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        line = trim(line);
        if (line.empty()) continue;
        // ZMap files allow a trailing comment-less second column; take the first word only.
        if (auto sp = line.find_first_of(" \t"); sp != std::string_view::npos) line = line.substr(0, sp);
        auto r = parse_target_spec(line);
        if (!r) return error{fmt::format("{} line {}: {}", origin, line_no, r.error_message())};
        ranges.push_back(*r);
    }
    return interval_set(std::move(ranges));
}

status check_readable_file(const std::string& path, std::string_view what) {
    // A directory opens as a stream and reads as empty: say what it is rather than "no targets".
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (ec) return error{fmt::format("cannot read {} '{}': {}", what, path, ec.message())};
    if (std::filesystem::is_directory(st))
        return error{
            fmt::format("cannot read {} '{}': it is a directory; name a file of targets", what, path)};
    return ok();
}

result<std::string> read_text_file(const std::string& path, std::string_view what) {
    if (auto s = check_readable_file(path, what); !s) return error{s.error_message()};
    std::ifstream in(path, std::ios::binary);
    if (!in) return error{fmt::format("cannot read {} '{}': check that the file is readable", what, path)};
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) return error{fmt::format("cannot read {} '{}': read error", what, path)};
    return content.str();
}

result<interval_set> read_target_file(const std::string& path, std::string_view what) {
    auto content = read_text_file(path, what);
    if (!content) return error{content.error_message()};
    return parse_target_lines(*content, fmt::format("{} '{}'", what, path));
}

}  // namespace ics
