// Monitor mode's output lcore alone (issue 14's "Scale"), as output_loop drives it: the plan's
// attribution (monitor_attribution: the per-target books and the metrics publisher) fed Echo
// Replies in the order the TX lcore's schedule sends them, round after round, ticked once a
// millisecond of virtual time (each tick closes the rounds a timeout behind and ranks a slice of
// the targets for the next snapshot), in replies per second: each reply's match and per-target
// update plus, in steady state, one round closed per reply and the snapshots' share.
//
// Targets: only 198.18.0.0/15 may appear in the project's code, 131,072 addresses, fewer than the
// issue's million. Arg 0 is the number of books, each over the whole /15 with its own keyed order:
// 1 is a real 131,072-target run; 8 hold 1,048,576 targets' state (the memory, cache and TLB
// footprint of a million, reached at random) while every address stays in the allowed range. It is
// not one book of a million: a figure from it is the footprint's cost, not a measured 1 M run.
// Arg 1: rounds per summary (-Q in periods; 0: none; 1, the most costly: a JSON line per round
// closed), the JSON lines going to /dev/null. Arg 2: 1 with --prometheus (its per-target
// histograms: 96 more bytes a target; nothing is served).
//
// BM_MonitorPublish: one whole snapshot pass at once (publish_final(), what the end of a run does;
// during a run the same work is spread over ~200 ticks): rank every target for the
// --metrics-targets worst and fill the snapshot, per pass over 131,072 targets (arg: books).
//
// Checks (fail the program): every reply accepted (none duplicate, late, ahead or unattributed),
// and after the last round, every (target, round) fed closed received: each target's sent ==
// received == rounds (so rounds closed = targets x rounds).
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_checks.hpp"
#include "modes/monitor_mode.hpp"
#include "monitor_inputs.hpp"

using namespace ics;
using namespace ics::bench;

namespace {

constexpr uint64_t period_us = monitor_period_us;
constexpr uint64_t timeout_us = monitor_timeout_us;
constexpr uint64_t tick_every_us = 1000;  // the output lcore ticks about once a millisecond

// One attribution over 198.18.0.0/15 with its config (it keeps a pointer to it), and the order its
// TX lcore sends in: the target index and due time of every position of a round.
struct fed_book {
    scan_config cfg;
    std::unique_ptr<monitor_attribution> plan;
    std::unique_ptr<snapshot_exchange<metrics_snapshot>> exchange;  // what the HTTP thread would read
    std::vector<uint32_t> order;
    std::vector<uint32_t> due_in_round;  // microseconds after the round's start

    fed_book(uint64_t seed, uint32_t summary_rounds, bool prometheus, std::FILE* json) {
        monitor_config(cfg, seed, summary_rounds, prometheus);
        plan = std::make_unique<monitor_attribution>(cfg);
        plan->set_outputs(json, nullptr);
        exchange = std::make_unique<snapshot_exchange<metrics_snapshot>>();
        plan->set_metrics(exchange.get());  // the publisher runs with or without --prometheus (the live view)
        monitor_schedule s = schedule_of_slice(cfg, cfg.slice(0, 1));
        uint64_t index[probe_batch::max], due[probe_batch::max];
        uint32_t round = 0;
        while (order.size() < s.targets_per_round()) {
            const unsigned n = s.next_indices(index, due, round, probe_batch::max, period_us - 1);
            for (unsigned i = 0; i < n; ++i) {
                order.push_back(uint32_t(index[i]));
                due_in_round.push_back(uint32_t(due[i]));
            }
        }
    }
};

// The replies to one round of every book, interleaved position by position (the books' targets
// share one virtual clock, as one TX lcore's would), ticking every book once a millisecond.
// Returns the replies the books did not accept.
uint64_t feed_round(std::vector<std::unique_ptr<fed_book>>& books, uint32_t round, counter_block& counters) {
    const size_t m = books[0]->order.size();
    const uint64_t round_start = uint64_t(round) * period_us;
    uint64_t refused = 0, next_tick = round_start;
    result_record rec{};
    rec.success = 1;
    rec.cls = classification::echoreply;
    rec.round = uint16_t(round & 0xff);  // the probe carries the low 8 bits
    for (size_t k = 0; k < m; ++k) {
        const uint64_t now = round_start + books[0]->due_in_round[k];
        if (now >= next_tick) {
            plan_clock clock;
            clock.now_us = now;
            for (auto& b : books) b->plan->tick(clock);
            next_tick = now + tick_every_us;
        }
        for (auto& b : books) {
            const ipv4_addr target = 0xc6120000 + b->order[k];
            rec.saddr = rec.probe_daddr = target;
            rec.rtt_us = 200 + uint32_t((k * 2654435761u) >> 7) % 20000;  // 0.2 to 20.2 ms
            refused += b->plan->attribute(rec, nullptr, counters).repeat;
        }
    }
    return refused;
}

// Closes every round fed (rounds 0 .. rounds-1), as the last ticks after sending ended do.
void close_all(std::vector<std::unique_ptr<fed_book>>& books, uint32_t rounds) {
    plan_clock clock;
    clock.send_end_us = uint64_t(rounds) * period_us + monitor_close_margin_us - 1;
    clock.now_us = clock.send_end_us + timeout_us + monitor_close_margin_us;
    for (auto& b : books) b->plan->tick(clock);
}

// After close_all(): the checks named at the top of the file; "" when they hold.
std::string check_books(const std::vector<std::unique_ptr<fed_book>>& books, uint32_t rounds,
                        uint64_t refused, const counter_block& counters) {
    if (refused)
        return std::to_string(refused) + " replies refused (duplicates " +
               std::to_string(counters.get(counter::out_duplicates)) + ", late " +
               std::to_string(counters.get(counter::out_late)) + ", ahead " +
               std::to_string(counters.get(counter::out_round_ahead)) + ", unattributed " +
               std::to_string(counters.get(counter::out_not_attributed)) + ")";
    // Each close counts the target's round sent, received or lost: every target's sent == rounds is
    // rounds closed == targets x rounds.
    for (const auto& b : books)
        for (uint64_t i = 0; i < b->plan->book().targets(); ++i) {
            const target_state& s = b->plan->book().target(i).state;
            if (s.sent() != rounds || s.received() != rounds)
                return "target " + std::to_string(i) + ": sent " + std::to_string(s.sent()) + ", received " +
                       std::to_string(s.received()) + " of " + std::to_string(rounds) + " rounds";
        }
    return "";
}

// Books for `nbooks` x 131,072 targets; their resident size in bytes (their orders left out).
std::vector<std::unique_ptr<fed_book>> make_books(unsigned nbooks, uint32_t summary_rounds, bool prometheus,
                                                  std::FILE* json, uint64_t& resident) {
    // Large blocks always from fresh mappings: glibc otherwise raises its mmap threshold after the
    // first free, and a repetition's books land on pages already resident (an RSS delta of ~390
    // bytes a target instead of ~500).
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    const uint64_t before = resident_bytes();
    std::vector<std::unique_ptr<fed_book>> books;
    for (unsigned b = 0; b < nbooks; ++b)
        books.push_back(std::make_unique<fed_book>(7 + b, summary_rounds, prometheus, json));
    resident = resident_bytes() - before - uint64_t(nbooks) * books[0]->order.size() * 8;
    return books;
}

std::string books_label(unsigned nbooks, uint64_t targets) {
    return std::to_string(targets) + " targets" +
           (nbooks > 1 ? " (" + std::to_string(nbooks) + " books of the /15)" : "");
}

void BM_MonitorAggregate(benchmark::State& state) {
    const auto nbooks = unsigned(state.range(0));
    const auto summary_rounds = uint32_t(state.range(1));
    const bool prometheus = state.range(2) != 0;
    std::FILE* json = summary_rounds ? std::fopen("/dev/null", "w") : nullptr;
    uint64_t resident = 0;
    auto books = make_books(nbooks, summary_rounds, prometheus, json, resident);
    const uint64_t targets = uint64_t(nbooks) * books[0]->order.size();
    counter_block counters;
    // Two rounds before timing: from the second on, every reply meets one close (steady state).
    uint64_t refused = feed_round(books, 0, counters) + feed_round(books, 1, counters);
    uint32_t round = 2;
    for (auto _ : state) refused += feed_round(books, round++, counters);
    close_all(books, round);
    const std::string failed = check_books(books, round, refused, counters);
    if (!failed.empty()) fail_check(state, "monitor books: " + failed);
    if (json) std::fclose(json);
    state.SetItemsProcessed(int64_t(state.iterations() * targets));
    state.counters["bytes_per_target"] = double(resident) / double(targets);
    state.SetLabel(
        books_label(nbooks, targets) + (prometheus ? ", --prometheus" : "") +
        (summary_rounds ? ", a summary every " + std::to_string(summary_rounds) + " round(s)" : ""));
}
BENCHMARK(BM_MonitorAggregate)
    ->Args({1, 0, 0})
    ->Args({1, 0, 1})
    ->Args({1, 1, 0})
    ->Args({8, 0, 0})
    ->Args({8, 0, 1})
    ->Unit(benchmark::kMillisecond);

// After two rounds (every target answered once, round 0 closed), whole snapshot passes at once.
// Checks: each snapshot holds the --metrics-targets worst (1,000), every group (512 /24s) and the
// rounds closed so far.
void BM_MonitorPublish(benchmark::State& state) {
    const auto nbooks = unsigned(state.range(0));
    uint64_t resident = 0;
    auto books = make_books(nbooks, 0, true, nullptr, resident);
    const uint64_t targets = uint64_t(nbooks) * books[0]->order.size();
    counter_block counters;
    feed_round(books, 0, counters);
    feed_round(books, 1, counters);
    for (auto _ : state)
        for (auto& b : books) b->plan->publish_final();
    for (auto& b : books) {
        const metrics_snapshot* s = b->exchange->take();
        const uint64_t closed = b->plan->book().figures().rounds_closed;
        if (!s || s->targets.size() != 1000 || s->groups.size() != 512 || s->run.rounds_closed != closed) {
            fail_check(state,
                       "monitor snapshot: " + std::string(s ? "" : "none published; ") +
                           std::to_string(s ? s->targets.size() : 0) + " targets of 1000, " +
                           std::to_string(s ? s->groups.size() : 0) + " groups of 512, rounds closed " +
                           std::to_string(s ? s->run.rounds_closed : 0) + " of " + std::to_string(closed));
            break;
        }
    }
    state.SetItemsProcessed(int64_t(state.iterations() * targets));
    state.SetLabel(books_label(nbooks, targets) + ", --metrics-targets 1000");
}
BENCHMARK(BM_MonitorPublish)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond);

}  // namespace
