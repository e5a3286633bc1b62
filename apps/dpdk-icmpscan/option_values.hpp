// Reading option values the same way everywhere: whole numbers, seconds and durations in ranges,
// each refused in one sentence naming the flag and what it takes; and the macros the config
// steps use to stop at the first refusal.
#pragma once
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "util/result.hpp"

namespace ics::app {

template <typename T>
inline std::optional<T> parse_number(std::string_view s) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// A whole number in [lo, hi]; a sign, a fraction or a word is refused naming the flag.
inline result<uint64_t> whole_number(const std::string& text, std::string_view flag, uint64_t lo,
                                     uint64_t hi = std::numeric_limits<uint64_t>::max()) {
    auto v = parse_number<unsigned long long>(text);
    if (v && *v >= lo && *v <= hi) return uint64_t(*v);
    if (hi == std::numeric_limits<uint64_t>::max())
        return error{fmt::format("{} '{}' is not valid: give a whole number, {} or more", flag, text, lo)};
    return error{fmt::format("{} '{}' is not valid: give a whole number from {} to {}", flag, text, lo, hi)};
}

inline result<double> seconds(const std::string& text, std::string_view flag,
                              double hi = std::numeric_limits<double>::max()) {
    auto v = parse_number<double>(text);
    if (v && std::isfinite(*v) && *v >= 0 && *v <= hi) return *v;
    if (hi == std::numeric_limits<double>::max())
        return error{fmt::format("{} '{}' is not valid: give a number of seconds, 0 or more", flag, text)};
    return error{fmt::format("{} '{}' is not valid: give a number of seconds from 0 to {}", flag, text, hi)};
}

// The steps below read many values that may each be refused: ICS_TRY(x, f()) sets x from f's
// result or returns f's error; ICS_CHECK(f()) returns f's error, if any.
#define ICS_CAT2(a, b) a##b
#define ICS_CAT(a, b) ICS_CAT2(a, b)
#define ICS_TRY(target, expr)                                                                \
    auto ICS_CAT(tried_, __LINE__) = (expr);                                                 \
    if (!ICS_CAT(tried_, __LINE__)) return error{ICS_CAT(tried_, __LINE__).error_message()}; \
    target = *ICS_CAT(tried_, __LINE__)
#define ICS_CHECK(expr)                                 \
    if (auto checked = (expr); !checked) return error { \
            checked.error_message()                     \
        }

// "1s", "500ms", "250us": a duration in the largest unit that shows it whole.
inline std::string format_duration(uint64_t us) {
    if (us % 1000000 == 0) return fmt::format("{}s", us / 1000000);
    if (us % 1000 == 0) return fmt::format("{}ms", us / 1000);
    return fmt::format("{}us", us);
}

// A duration: a number with a unit (us, ms, s, m; none: seconds), as "1s", "500ms", "2.5".
// Returned in microseconds, from lo_us to hi_us.
inline result<uint64_t> duration_us(const std::string& text, std::string_view flag, uint64_t lo_us,
                                    uint64_t hi_us) {
    std::string_view t = text;
    double unit = 1e6;
    for (auto [suffix, scale] :
         {std::pair{"us", 1.0}, std::pair{"ms", 1e3}, std::pair{"s", 1e6}, std::pair{"m", 60e6}})
        if (t.size() > std::string_view(suffix).size() && t.ends_with(suffix)) {
            t.remove_suffix(std::string_view(suffix).size());
            unit = scale;
            break;
        }
    const auto v = parse_number<double>(t);
    const double us = v ? std::round(*v * unit) : -1;
    if (v && std::isfinite(*v) && us >= double(lo_us) && us <= double(hi_us)) return uint64_t(us);
    return error{
        fmt::format("{} '{}' is not valid: give a duration from {} to {} (a number with a unit us, ms, s "
                    "or m; none means seconds)",
                    flag, text, format_duration(lo_us), format_duration(hi_us))};
}

}  // namespace ics::app
