// A benchmark's correctness checks fail the program: Google Benchmark's SkipWithError only marks
// one benchmark as errored and its main still exits 0, so a broken stage would pass the meson
// `bench` suite. fail_check() records what failed; main() returns checks_exit_status().
#pragma once
#include <benchmark/benchmark.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace ics::bench {

struct failed_checks {
    std::mutex lock;  // a benchmark may run on several threads
    std::vector<std::string> what;
};
inline failed_checks& failures() {
    static failed_checks f;
    return f;
}

// A check that does not hold, or a set-up that did not work (no measurement was made): the
// benchmark stops with `what` and the program will exit 1. The caller leaves its loop after it.
inline void fail_check(benchmark::State& state, const std::string& what) {
    {
        const std::lock_guard<std::mutex> g(failures().lock);
        failures().what.push_back(what);
    }
    state.SkipWithError(what.c_str());
}

// This CPU lacks what the benchmark measures: it is left out, and the program does not fail.
inline void skip_unsupported(benchmark::State& state, const char* what) {
    state.SkipWithError(what);
}

// main()'s exit status: 1, after naming each failed check on stderr, if any failed.
inline int checks_exit_status(const char* program) {
    const std::lock_guard<std::mutex> g(failures().lock);
    for (const auto& w : failures().what) std::fprintf(stderr, "%s: check failed: %s\n", program, w.c_str());
    return failures().what.empty() ? 0 : 1;
}

}  // namespace ics::bench
