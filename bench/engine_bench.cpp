// Hot stages of the engine, each alone, on plain buffers, in items per second: probe build
// (template copy + stamp + cookie, a burst of 32), reply parse + validate, the walk step (permutation
// + set lookup, one at a time and a burst at a time) over sets of different shapes, the cookie (one
// at a time and a burst at a time), de-duplication, and CSV / JSON formatting.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

#include "bench_checks.hpp"
#include "bench_inputs.hpp"
#include "dedup/seen_bitmap.hpp"
#include "monitor/monitor_schedule.hpp"
#include "output/record_writer.hpp"
#include "probe/echo_probe.hpp"
#include "probe/trace_probe.hpp"
#include "targets/target_spec.hpp"
#include "targets/target_walk.hpp"
#include "trace/trace_walk.hpp"

using namespace ics;
using namespace ics::bench;

namespace {
// Bursts of 64 as the TX lcores build them; trace probes with random TTLs in 1..range(0) (the
// set-up's --max-ttl), from 256 prepared batches.
template <typename Probe>
void BM_BuildBurst(benchmark::State& state) {
    constexpr unsigned n = 64;
    probe_setup setup = test::test_probe_setup();
    const uint8_t max_ttl = std::is_same_v<Probe, trace_probe> ? uint8_t(state.range(0)) : 1;
    setup.max_ttl = max_ttl;
    Probe probe(setup);
    std::vector<uint8_t> buffer(n * 64);
    uint8_t* frames[n];
    ipv4_addr src[n];
    static probe_batch batches[256];
    uint32_t x = 12345;
    for (auto& b : batches) {
        b.count = n;
        for (auto& t : b.ttl) {
            x = x * 1103515245 + 12345;
            t = uint8_t(1 + (x >> 16) % max_ttl);
        }
    }
    for (unsigned i = 0; i < n; ++i) {
        frames[i] = &buffer[size_t(i) * 64];
        src[i] = 0xc613ff01;
    }
    uint32_t next = 0xc6120000, t = 0;
    for (auto _ : state) {
        probe_batch& b = batches[t & 255];
        for (unsigned i = 0; i < n; ++i) b.dst[i] = next++;
        probe.build_burst(frames, src, b, t);
        ++t;
        benchmark::DoNotOptimize(buffer.data());
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * n);
}
void BM_ProbeBuildBurst(benchmark::State& state) {
    BM_BuildBurst<echo_probe>(state);
}
void BM_TraceProbeBuildBurst(benchmark::State& state) {
    BM_BuildBurst<trace_probe>(state);
    state.SetLabel("TTLs 1-" + std::to_string(state.range(0)));
}
BENCHMARK(BM_ProbeBuildBurst);
BENCHMARK(BM_TraceProbeBuildBurst)->Arg(16)->Arg(32);

// Parses and validates every reply, one at a time as the RX lcore does.
template <typename Probe>
void parse_validate(benchmark::State& state, const Probe& probe,
                    const std::vector<std::vector<uint8_t>>& replies) {
    uint64_t ok = 0;
    for (auto _ : state) {
        for (const auto& r : replies) {
            parsed_reply pr;
            result_record rec;
            counter why;
            ok += parse_reply(r.data(), r.size(), pr, why) &&
                  probe.decode(pr, arrival_us{5000, 5000}, rec, why);
        }
    }
    const uint64_t want = uint64_t(state.iterations()) * replies.size();
    if (ok != want)
        fail_check(state, "parse + validate: " + std::to_string(ok) + " of " + std::to_string(want) +
                              " replies validated");
    state.SetItemsProcessed(int64_t(state.iterations() * replies.size()));
}

void BM_ReplyParseValidate(benchmark::State& state) {
    parse_validate(state, echo_probe(test::test_probe_setup()), prebuilt_replies(64));
}
BENCHMARK(BM_ReplyParseValidate);

// Trace replies, 0: in scan's mix (three Echo Replies to one error, as BM_ReplyParseValidate), 1: as a
// trace draws them (three Time Exceeded to one Echo Reply). Errors quote 28 bytes.
void BM_TraceReplyParseValidate(benchmark::State& state) {
    const trace_probe probe(test::test_probe_setup());
    std::vector<std::vector<uint8_t>> replies;
    for (uint32_t i = 0; i < 64; ++i) {
        std::vector<uint8_t> p(trace_probe::frame_len);
        probe.build(p.data(), 0xc613ff01, 0xc6120000 + i, uint8_t(1 + i % 16), 1000 + i);
        const bool error = state.range(0) ? i % 4 != 0 : i % 4 == 0;
        replies.push_back(error ? test::icmp_error_about(p, 11, 0, 0xc6130202, 28) : test::echo_reply_to(p));
    }
    parse_validate(state, probe, replies);
    state.SetLabel(state.range(0) ? "3 errors : 1 echo reply" : "3 echo replies : 1 error");
}
BENCHMARK(BM_TraceReplyParseValidate)->Arg(0)->Arg(1);

void BM_WalkStep(benchmark::State& state) {
    const interval_set set = shaped_set(int(state.range(0)));
    const permutation perm(set.size(), 7);
    target_walk walk(set, perm, set.size(), UINT32_MAX, {});
    ipv4_addr a = 0;
    uint32_t round;
    for (auto _ : state) {
        walk.next(a, round);
        benchmark::DoNotOptimize(a);
    }
    state.SetItemsProcessed(int64_t(state.iterations()));
    state.SetLabel(shape_label(state.range(0)));
}
BENCHMARK(BM_WalkStep)->Arg(0)->Arg(1)->Arg(2);

// What TX does: 32 targets per call.
void BM_WalkBurst(benchmark::State& state) {
    const interval_set set = shaped_set(int(state.range(0)));
    const permutation perm(set.size(), 7);
    target_walk walk(set, perm, set.size(), UINT32_MAX, {});
    ipv4_addr out[32];
    uint32_t round;
    for (auto _ : state) {
        walk.next_burst(out, 32, round);
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * 32);
    state.SetLabel(shape_label(state.range(0)));
}
BENCHMARK(BM_WalkBurst)->Arg(0)->Arg(1)->Arg(2);

// Monitor mode's time-driven schedule over about 1 M targets of one TX lcore's slice (arg 0: one
// CIDR of 131,072; 1: 10k intervals; 2: IPv4 minus the blocklist, sliced to ~1 M), the clock
// moving 32 us a call at a period of one microsecond per target: 32 due probes a call, as at
// 1 M targets per second.
void BM_MonitorScheduleBurst(benchmark::State& state) {
    const interval_set set = shaped_set(int(state.range(0)));
    const uint32_t shards = uint32_t(std::max<uint64_t>(set.size() / 1000000, 1));
    const uint64_t m = target_walk::targets_per_round(set.size(), 0, {0, shards, 0, 1});
    monitor_schedule sched(set, 7, m, 0, {0, shards, 0, 1}, 0);
    probe_batch b;
    uint64_t now = 0, got = 0;
    for (auto _ : state) {
        now += 32;
        got += sched.next(b, 64, now).count;
        benchmark::DoNotOptimize(b.dst);
    }
    // Every call's due probes came out (none left behind): the schedule kept up with the clock.
    if (got + 64 < now)
        fail_check(state,
                   "monitor schedule fell behind: " + std::to_string(got) + " of " + std::to_string(now));
    state.SetItemsProcessed(int64_t(got));
    state.SetLabel(std::string(shape_label(state.range(0))) + ", " + std::to_string(m) + " targets");
}
BENCHMARK(BM_MonitorScheduleBurst)->Arg(0)->Arg(1)->Arg(2);

// Trace mode's walk: (target, TTL) pairs in one random order, TTLs 1-16, 32 per call.
void BM_TraceWalkBurst(benchmark::State& state) {
    const interval_set set = shaped_set(int(state.range(0)));
    trace_plan plan;
    plan.probes = UINT32_MAX / 2;
    const permutation perm(trace_walk::domain(set.size(), plan), 7);
    trace_walk walk(set, perm, plan, {});
    ipv4_addr out[32];
    uint32_t index[32];
    uint16_t slot[32];
    for (auto _ : state) {
        walk.next_burst(out, index, slot, 32);
        benchmark::DoNotOptimize(out);
        benchmark::DoNotOptimize(slot);
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * 32);
    state.SetLabel(shape_label(state.range(0)));
}
BENCHMARK(BM_TraceWalkBurst)->Arg(0)->Arg(1);

void BM_CookieOne(benchmark::State& state) {
    const auto want = mac_algorithm(state.range(0));
    const cookie_mac mac({1, 2}, want);
    if (mac.algorithm() != want) return skip_unsupported(state, "this CPU lacks the algorithm");
    uint64_t x = 0;
    for (auto _ : state) {
        x += mac(x, 0x1234);
        benchmark::DoNotOptimize(x);
    }
    state.SetItemsProcessed(int64_t(state.iterations()));
    state.SetLabel(mac_algorithm_name(mac.algorithm()));
}
BENCHMARK(BM_CookieOne)->Arg(0)->Arg(1);  // the single MAC has no VAES form

void BM_CookieBurst(benchmark::State& state) {
    const auto want = mac_algorithm(state.range(0));
    const cookie_mac mac({1, 2}, want);
    if (mac.algorithm() != want) return skip_unsupported(state, "this CPU lacks the algorithm");
    uint64_t m0[32], m1[32];
    uint32_t out[32];
    for (uint64_t i = 0; i < 32; ++i) m0[i] = m1[i] = i;
    for (auto _ : state) {
        mac.burst(m0, m1, out, 32);
        ++m1[0];
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * 32);
    state.SetLabel(mac_algorithm_name(mac.algorithm()));
}
BENCHMARK(BM_CookieBurst)->Arg(0)->Arg(1)->Arg(2);

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

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return checks_exit_status("engine_bench");
}
