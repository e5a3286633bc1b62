// The run's two enums: which mode it is (which plan runs: modes/plans.hpp) and why sending ended.
// Each has one name table, used by the CLI, the metadata and the summary.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ics {

enum class run_mode : uint8_t { scan, trace, monitor };
inline constexpr std::array<std::string_view, 3> run_mode_names{"scan", "trace", "monitor"};

inline std::string_view run_mode_name(run_mode m) {
    return run_mode_names[size_t(m)];
}
inline std::optional<run_mode> parse_run_mode(std::string_view s) {
    for (size_t i = 0; i < run_mode_names.size(); ++i)
        if (s == run_mode_names[i]) return run_mode(i);
    return std::nullopt;
}

// Why sending ended: every planned probe went out, a signal, --max-results, --max-runtime, or a file
// the run writes failed (a full disk, a closed pipe: the replies of further probes would be lost).
enum class run_end : uint8_t { completed, signal, max_results, max_runtime, output_error };

inline std::string_view run_end_name(run_end e) {
    constexpr std::array<std::string_view, 5> names{"completed", "signal", "max_results", "max_runtime",
                                                    "output_error"};
    return names[size_t(e)];
}

}  // namespace ics
