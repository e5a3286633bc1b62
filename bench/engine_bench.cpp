// Hot stages of the engine, each alone, in items per second: probe build (template copy + stamp +
// cookie), reply parse + validate, the permutation step over sets of different shapes, the
// cookie, de-duplication, and CSV / JSON formatting.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <vector>

#include "../tests/unit/packet_craft.hpp"
#include "dedup/seen_bitmap.hpp"
#include "output/record_writer.hpp"
#include "probe/echo_probe.hpp"
#include "targets/target_spec.hpp"
#include "targets/target_walk.hpp"

using namespace ics;

namespace {
void BM_ProbeBuild(benchmark::State& state) {
    echo_probe probe(test::test_probe_setup());
    std::vector<uint8_t> frames(32 * 64);
    uint32_t dst = 0xc6120000, t = 0;
    for (auto _ : state) {
        for (int i = 0; i < 32; ++i) probe.build(&frames[size_t(i) * 64], 0xc613ff01, dst++, t);
        ++t;
        benchmark::DoNotOptimize(frames.data());
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * 32);
}
BENCHMARK(BM_ProbeBuild);

void BM_ReplyParseValidate(benchmark::State& state) {
    echo_probe probe(test::test_probe_setup());
    std::vector<std::vector<uint8_t>> replies;
    for (uint32_t i = 0; i < 64; ++i) {
        std::vector<uint8_t> p(echo_probe::frame_len);
        probe.build(p.data(), 0xc613ff01, 0xc6120000 + i, 1000 + i);
        replies.push_back(i % 4 ? test::echo_reply_to(p) : test::icmp_error_about(p, 3, 1, 0xc6130202, 28));
    }
    uint64_t ok = 0;
    for (auto _ : state) {
        for (const auto& r : replies) {
            parsed_reply pr;
            result_record rec;
            counter why;
            ok += parse_reply(r.data(), r.size(), pr, why) && probe.decode(pr, 5000, rec, why);
        }
    }
    benchmark::DoNotOptimize(ok);
    state.SetItemsProcessed(int64_t(state.iterations()) * 64);
}
BENCHMARK(BM_ReplyParseValidate);

interval_set shaped_set(int shape) {
    if (shape == 0) return interval_set({{0xc6120000, 0xc612ffff}});  // one /16
    if (shape == 1) {                                                 // 10,000 intervals
        std::vector<ipv4_range> r;
        for (uint32_t i = 0; i < 10000; ++i) r.push_back({0x0b000000 + i * 1024, 0x0b000000 + i * 1024 + 99});
        return interval_set(r);
    }
    return interval_set({{0, 0xffffffff}}).subtract(default_blocklist());  // IPv4 minus blocklist
}

void BM_PermutationWalk(benchmark::State& state) {
    const interval_set set = shaped_set(int(state.range(0)));
    const permutation perm(set.size(), 7);
    target_walk walk(set, perm, set.size(), 1000, {});
    ipv4_addr a = 0;
    uint32_t round;
    for (auto _ : state) {
        walk.next(a, round);
        benchmark::DoNotOptimize(a);
    }
    state.SetItemsProcessed(int64_t(state.iterations()));
    state.SetLabel(state.range(0) == 0   ? "one /16"
                   : state.range(0) == 1 ? "10k intervals"
                                         : "IPv4 minus blocklist");
}
BENCHMARK(BM_PermutationWalk)->Arg(0)->Arg(1)->Arg(2);

void BM_Cookie(benchmark::State& state) {
    cookie_key k{1, 2};
    uint64_t x = 0;
    for (auto _ : state) {
        x += cookie_hash(k, x, 0x1234);
        benchmark::DoNotOptimize(x);
    }
    state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_Cookie);

void BM_Dedup(benchmark::State& state) {
    seen_bitmap seen(1u << 24);
    uint64_t i = 0, repeats = 0;
    for (auto _ : state) {
        repeats += seen.test_and_set((i++ * 2654435761u) & ((1u << 24) - 1));
    }
    benchmark::DoNotOptimize(repeats);
    state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_Dedup);

void BM_Format(benchmark::State& state) {
    std::FILE* sink = std::fopen("/dev/null", "w");
    record_writer w(sink, state.range(0) ? output_format::json : output_format::csv,
                    *parse_field_list(default_field_list()));
    result_record r{};
    r.saddr = r.probe_daddr = 0xc6120005;
    r.rtt_us = 250;
    output_row row{&r, 0, 0, 1'700'000'000'000'000'000ull};
    for (auto _ : state) {
        w.write(row);
        ++r.saddr;
        row.wall_ns += 1000;
    }
    w.flush();
    std::fclose(sink);
    state.SetItemsProcessed(int64_t(state.iterations()));
    state.SetLabel(state.range(0) ? "json" : "csv");
}
BENCHMARK(BM_Format)->Arg(0)->Arg(1);
}  // namespace

BENCHMARK_MAIN();
