// Fuzzes the reading of --resume files (run/checkpoint.hpp) and checks what must hold of every
// checkpoint it accepts: one position per sender, no more covered than planned, written back and
// read again it is the same checkpoint (a monitor's table too: the same text again), and a run of
// its own identity may resume it; a monitor's books add up (sent = received + lost, no round past
// the next). A refusal
// names the file and says what to do. A broken property aborts with a message, which the mutation
// driver and libFuzzer report as a failure.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_target.hpp"
#include "run/checkpoint.hpp"
#include "trace/hop_journal.hpp"

namespace {

void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "checkpoint_fuzz: %s\n", what);
    std::abort();
}

ics::checkpoint sample(uint32_t senders, uint64_t seed, bool complete) {
    ics::scan_config cfg;
    cfg.targets = ics::interval_set({{0xc6120000, 0xc612ffff}, {0xc6130100 + senders, 0xc61301ff}});
    cfg.seed = seed;
    cfg.lcores.tx_cores = senders;
    cfg.probes = 1 + senders % 3;
    cfg.max_targets = senders == 3 ? 1000 : 0;
    ics::checkpoint c;
    c.identity = ics::identity_of(cfg);
    c.planned = 65536 * cfg.probes;
    for (uint32_t t = 0; t < senders; ++t) c.positions.push_back(complete ? c.planned / senders : 100 * t);
    if (complete) c.positions[0] += c.planned % senders;
    c.wall_ns = 1700000000000000000ull + seed;
    return c;
}

// A trace's checkpoint: `senders` TX lcores part way through TTLs 1-16 of a /24, `hops` journal entries.
ics::checkpoint trace_sample(uint32_t senders, uint64_t hops) {
    ics::scan_config cfg;
    cfg.mode = ics::run_mode::trace;
    cfg.probe_type = "icmp_echo_paris";
    cfg.targets = ics::interval_set({{0xc6120000, 0xc61200ff}});
    cfg.lcores.tx_cores = senders;
    cfg.trace.order = senders == 1 ? ics::trace_order::ttl : ics::trace_order::random;
    ics::checkpoint c;
    c.identity = ics::identity_of(cfg);
    c.planned = 256 * 16;
    for (uint32_t t = 0; t < senders; ++t) c.positions.push_back(300 * (t + 1));
    c.journal_bytes = ics::hop_journal_magic.size() + hops * sizeof(ics::journal_entry);
    return c;
}

// A monitor's checkpoint of `targets` targets in two groups, every kind of line filled.
ics::checkpoint monitor_sample(uint32_t targets, bool histograms) {
    ics::scan_config cfg;
    cfg.mode = ics::run_mode::monitor;
    cfg.targets = ics::interval_set({{0xc6120000, 0xc6120000 + targets - 1}});
    ics::checkpoint c;
    c.identity = ics::identity_of(cfg);
    auto m = std::make_shared<ics::monitor_saved>();
    m->next_round = 12;
    m->count = histograms ? 0 : 40;
    for (uint32_t i = 0; i < targets; ++i) {
        const uint32_t lost = i % 4;
        m->counts.push_back({.sent = 12,
                             .received = 12 - lost,
                             .lost = lost,
                             .late = i % 3,
                             .duplicates = i % 2,
                             .consecutive_lost = lost,
                             .down_since = 12 - lost,
                             .outages = lost / 3,
                             .down = lost == 3});
        m->totals.push_back({400 + i, 900 + i, uint64_t(12 - lost) * 600});
        if (histograms) {
            m->histograms.emplace_back();
            m->histograms.back().add(400 + i);
        }
    }
    m->groups.resize(2);
    m->groups[0].rtt.add(450);
    m->groups[1].errors = {{3, 1, 5}, {11, 0, 2}};
    c.monitor = m;
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = ics::parse_checkpoint(text, "ck");
    if (!parsed) {
        const std::string& m = parsed.error_message();
        check(m.rfind("--resume 'ck' ", 0) == 0, "a refusal does not start by naming the file");
        check(m.find(": ") != std::string::npos, "a refusal does not say what to do");
        return 0;
    }
    const ics::checkpoint& c = *parsed;
    check(c.positions.size() == c.identity.senders, "accepted with a position count other than the senders'");
    check(c.covered() <= c.planned, "accepted with more covered than planned");
    const auto again = ics::parse_checkpoint(ics::format_checkpoint(c), "ck");
    check(bool(again), "a checkpoint written back is refused");
    check(again->identity == c.identity && again->positions == c.positions && again->planned == c.planned &&
              again->wall_ns == c.wall_ns && again->journal_bytes == c.journal_bytes,
          "a checkpoint written back reads as another");
    check(!ics::identity_mismatch(c.identity, c.identity, "ck"), "a run of the same identity is refused");
    check(bool(c.journal_bytes) == (c.identity.mode == "trace") &&
              (!c.journal_bytes || (*c.journal_bytes - 8) % sizeof(ics::journal_entry) == 0),
          "accepted a journal size that is not a trace's whole entries");
    if (c.monitor) {
        const ics::monitor_saved& m = *c.monitor;
        check(ics::format_checkpoint(*again) == ics::format_checkpoint(c),
              "a monitor's table written back differs");
        for (const ics::target_counts& t : m.counts)
            check(uint64_t(t.received) + t.lost == t.sent && t.sent <= m.next_round,
                  "accepted a target whose rounds do not add up");
        check(m.totals.size() == m.counts.size() &&
                  (m.histograms.empty() || m.histograms.size() == m.counts.size()),
              "accepted a table of another size than its header's");
    }
    return 0;
}

std::vector<std::vector<uint8_t>> fuzz_seeds() {
    std::vector<std::vector<uint8_t>> seeds;
    for (const auto& c : {sample(1, 4242, false), sample(2, 0xfedcba9876543210ull, false), sample(3, 7, true),
                          sample(4, 0, false)}) {
        const std::string text = ics::format_checkpoint(c);
        seeds.emplace_back(text.begin(), text.end());
    }
    for (const auto& c :
         {monitor_sample(3, true), monitor_sample(4, false), trace_sample(1, 0), trace_sample(2, 17)}) {
        const std::string text = ics::format_checkpoint(c);
        seeds.emplace_back(text.begin(), text.end());
    }
    const std::string small = R"({"format": "dpdk-icmpscan checkpoint", "version": 1})";
    seeds.emplace_back(small.begin(), small.end());
    return seeds;
}
