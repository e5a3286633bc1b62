#include "targets/ipv6_spec.hpp"

#include <string>

#include <fmt/format.h>

#include "net/ipv4_address.hpp"

namespace ics {

std::string_view target_line_word(std::string_view line) {
    constexpr std::string_view blanks = " \t\r\v\f";
    line = line.substr(0, line.find('#'));
    const size_t start = line.find_first_not_of(blanks);
    if (start == std::string_view::npos) return {};
    line = line.substr(start);
    return line.substr(0, line.find_first_of(blanks));
}

result<ipv6_prefix> parse_ipv6_prefix_spec(std::string_view text) {
    if (const auto p = parse_ipv6_prefix(text)) return *p;
    const size_t slash = text.find('/');
    const std::string_view addr_text = text.substr(0, slash);
    const auto addr = parse_ipv6(addr_text);
    if (!addr && parse_ipv4(addr_text))
        return error{
            fmt::format("'{}' is an IPv4 address; this list takes IPv6 addresses and prefixes only", text)};
    if (!addr)
        return error{fmt::format(
            "'{}' is not an IPv6 address or prefix: write it as 2001:db8::1 or 2001:db8::/48", text)};
    const std::string_view len_text = text.substr(slash + 1);
    const bool digits = !len_text.empty() && len_text.size() <= 3 &&
                        len_text.find_first_not_of("0123456789") == std::string_view::npos;
    const unsigned len = digits ? unsigned(std::stoul(std::string(len_text))) : 0;
    if (!digits || len > 128)
        return error{fmt::format("'{}' has no prefix length of 0-128 after its '/'", text)};
    return error{fmt::format("'{}' has host bits set: did you mean {}?", text,
                             format_ipv6_prefix({*addr & ipv6_mask(len), len}))};
}

result<ipv6_range_set> parse_ipv6_blocklist_lines(std::string_view text, std::string_view origin) {
    std::vector<ipv6_prefix> prefixes;
    size_t line_no = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        line = target_line_word(line);
        if (line.empty()) continue;
        auto p = parse_ipv6_prefix_spec(line);
        if (!p) return error{fmt::format("{} line {}: {}", origin, line_no, p.error_message())};
        prefixes.push_back(*p);
    }
    return ipv6_range_set(prefixes);
}

}  // namespace ics
