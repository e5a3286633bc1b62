// The ICMPv6 echo probe's hot stages beside their IPv4 counterparts in engine_bench.cpp (issue 16
// asks IPv6 TX and RX to be within 0.9x of IPv4's): the build of bursts of 64 and the parse and
// check of replies, three Echo Replies to one error as BM_ReplyParseValidate mixes them. Compare
// BM_Probe6BuildBurst with BM_ProbeBuildBurst and BM_Reply6ParseValidate with
// BM_ReplyParseValidate from the same run.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "../tests/unit/packet_craft6.hpp"
#include "bench_checks.hpp"
#include "probe/echo6_probe.hpp"

using namespace ics;
using namespace ics::bench;

namespace {

void BM_Probe6BuildBurst(benchmark::State& state) {
    constexpr unsigned n = 64;
    const echo6_probe probe(test::test_probe_setup6());
    std::vector<uint8_t> buffer(n * 128);
    uint8_t* frames[n];
    ipv6_addr src[n];
    probe_batch6 b;
    b.count = n;
    for (unsigned i = 0; i < n; ++i) {
        frames[i] = &buffer[size_t(i) * 128];
        src[i] = test::test_source6();
    }
    // The targets and their keyed words from a list, as the scan's schedule copies them.
    ipv6_target_list list;
    for (uint64_t i = 0; i < 4096; ++i) list.targets.push_back({0x20010db800000000ull | (i >> 4), i});
    echo6_probe::key_targets(list, test::test_probe_setup6().key);
    uint64_t next = 0;
    uint32_t t = 0;
    for (auto _ : state) {
        for (unsigned i = 0; i < n; ++i, next = (next + 1) % list.size()) {
            b.dst[i] = list.at(next);
            b.keyed[i] = list.keyed[next];
        }
        probe.build_burst(frames, src, b, t++);
        benchmark::DoNotOptimize(buffer.data());
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * n);
}
BENCHMARK(BM_Probe6BuildBurst);

void BM_Reply6ParseValidate(benchmark::State& state) {
    const echo6_probe probe(test::test_probe_setup6());
    const ipv6_addr router{0x20010db800ff0000ull, 0xfe};
    std::vector<std::vector<uint8_t>> replies;
    for (uint32_t i = 0; i < 64; ++i) {
        std::vector<uint8_t> p(echo6_probe::frame_len);
        probe.build(p.data(), test::test_source6(), {0x20010db800010000ull, i}, 1000 + i);
        replies.push_back(i % 4 ? test::echo6_reply_to(p)
                                : test::icmp6_error_about(p, icmp6_type::dest_unreach, 3, 0, router, 56));
    }
    uint64_t ok = 0;
    for (auto _ : state) {
        for (const auto& r : replies) {
            parsed_reply6 pr;
            echo6_reply out;
            counter why;
            ok += parse_reply6(r.data(), r.size(), pr, why) &&
                  probe.check(pr, arrival_us{5000, 5000}, out, why);
        }
    }
    const uint64_t want = uint64_t(state.iterations()) * replies.size();
    if (ok != want)
        fail_check(state, "parse + check: " + std::to_string(ok) + " of " + std::to_string(want) +
                              " replies validated");
    state.SetItemsProcessed(int64_t(want));
}
BENCHMARK(BM_Reply6ParseValidate);

}  // namespace
