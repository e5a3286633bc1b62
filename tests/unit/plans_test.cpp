// The modes' plans (engine/modes) on their own, as the driver's loops use them: scan's schedule
// hands out every target once per round and never mixes rounds in a burst; trace's schedule
// hands out every (target, TTL) position, skips what its feedback made useless and pauses once
// after the preprobe; each attribution tells repeats and hits apart; the registry picks the plan
// a config names; the round travels through the echo probe to its record.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "modes/plans.hpp"
#include "packet_craft.hpp"
#include "trace/hop_journal.hpp"

using namespace ics;
using namespace ics::test;

namespace {
interval_set sample_set() {
    return interval_set({{0xc6120000, 0xc61200ff}, {0xc6120300, 0xc6120340}, {0xc6130000, 0xc6130000}});
}

scan_config config_for(const interval_set& targets) {
    scan_config c;
    c.targets = targets;
    c.sources = test_sources();
    return c;
}

result_record record_for(ipv4_addr target, uint8_t type, uint8_t probe_ttl = 255) {
    result_record r{};
    r.saddr = target;
    r.probe_daddr = target;
    r.type = type;
    r.probe_ttl = probe_ttl;
    r.success = type == icmp_type::echo_reply;
    return r;
}
}  // namespace

TEST(ScanSchedule, EveryTargetOncePerRoundAndNoBurstMixesRounds) {
    const interval_set set = sample_set();
    const permutation perm(set.size(), 5);
    for (uint32_t threads : {1u, 3u})
        for (unsigned burst : {1u, 7u, 64u}) {
            std::map<std::pair<ipv4_addr, uint32_t>, int> seen;
            uint64_t sent = 0;
            for (uint32_t t = 0; t < threads; ++t) {
                scan_schedule s(set, perm, set.size(), 3, {0, 1, t, threads});
                target_walk reference(set, perm, set.size(), 3, {0, 1, t, threads});
                probe_batch b;
                while (const unsigned n = s.next(b, burst)) {
                    ASSERT_EQ(n, b.count);
                    for (unsigned i = 0; i < n; ++i) {
                        ipv4_addr want;
                        uint32_t round;
                        ASSERT_TRUE(reference.next(want, round));
                        EXPECT_EQ(b.dst[i], want) << "the order is the walk's";
                        EXPECT_EQ(b.round, round) << "a burst holds one round";
                        ++seen[{b.dst[i], b.round}];
                    }
                    sent += n;
                }
                ipv4_addr a;
                uint32_t r;
                EXPECT_FALSE(reference.next(a, r)) << "the schedule stopped with the walk";
            }
            EXPECT_EQ(sent, set.size() * 3);
            EXPECT_EQ(seen.size(), set.size() * 3);
            for (const auto& [key, count] : seen) EXPECT_EQ(count, 1);
        }
}

TEST(ScanPlan, SizesAndTargetsProbed) {
    scan_config c = config_for(sample_set());
    c.probes = 2;
    EXPECT_EQ(size_of_plan(c).probes, c.targets.size() * 2);
    EXPECT_EQ(size_of_plan(c).targets, c.targets.size());
    const uint64_t per_lcore[2] = {10, UINT64_MAX};  // lcore 0 is 10 probes in, lcore 1 done
    EXPECT_EQ(scan_mode<echo_probe>::targets_probed(c, per_lcore),
              10 + scan_mode<echo_probe>::targets_per_round(c, c.slice(1, 2)));
}

// A resumed scan (--resume) plans what its senders have left and counts only its own targets.
TEST(ScanPlan, ResumedRunPlansAndCountsOnlyWhatIsLeft) {
    scan_config c = config_for(sample_set());
    c.probes = 2;
    const uint64_t per_round0 = scan_mode<echo_probe>::targets_per_round(c, c.slice(0, 2));
    const uint64_t per_round1 = scan_mode<echo_probe>::targets_per_round(c, c.slice(1, 2));
    c.checkpoint.start_positions = {per_round0 - 4, per_round1 + 3};  // 1 in its second round
    EXPECT_EQ(scan_mode<echo_probe>::probes_planned(c, c.slice(0, 2)), per_round0 + 4);
    EXPECT_EQ(scan_mode<echo_probe>::probes_planned(c, c.slice(1, 2)), per_round1 - 3);
    const uint64_t sent[2] = {10, 5};
    EXPECT_EQ(scan_mode<echo_probe>::targets_probed(c, sent), 4u);  // lcore 1 re-probes known targets
    const uint64_t done[2] = {UINT64_MAX, UINT64_MAX};
    EXPECT_EQ(scan_mode<echo_probe>::targets_probed(c, done), 4u);
    const permutation perm(c.targets.size(), c.seed);
    auto s = scan_mode<echo_probe>::make_schedule(c, perm, c.slice(1, 2));
    probe_batch b;
    uint64_t left = 0;
    for (unsigned n; (n = s.next(b, 64)) > 0;) left += n;
    EXPECT_EQ(left, per_round1 - 3);
}

TEST(TracePlan, ShardsSplitTheTargetsTheStartUpLineCounts) {
    scan_config c = config_for(sample_set());
    c.mode = run_mode::trace;
    c.shards = 3;
    uint64_t total = 0;
    for (c.shard = 0; c.shard < 3; ++c.shard) total += size_of_plan(c).targets;
    EXPECT_EQ(total, c.targets.size());
}

TEST(TraceSchedule, RandomOrderHandsOutEveryPositionWithItsTtl) {
    scan_config c = config_for(sample_set());
    c.mode = run_mode::trace;
    c.trace.min_ttl = 3;
    c.trace.max_ttl = 9;
    const permutation perm(trace_mode::permutation_domain(c), 11);
    trace_schedule s = trace_mode::make_schedule(c, perm, c.slice(0, 1));
    std::set<std::pair<ipv4_addr, uint8_t>> seen;
    probe_batch b;
    uint64_t consumed = 0;
    while (const unsigned n = s.next(b, 64)) {
        ASSERT_EQ(b.count, n) << "the random order skips nothing";
        EXPECT_EQ(s.pause_due(), 0.0);
        for (unsigned i = 0; i < n; ++i) {
            EXPECT_GE(b.ttl[i], 3);
            EXPECT_LE(b.ttl[i], 9);
            EXPECT_TRUE(seen.insert({b.dst[i], b.ttl[i]}).second);
        }
        consumed += n;
    }
    EXPECT_EQ(consumed, trace_mode::probes_planned(c, c.slice(0, 1)));
    EXPECT_EQ(seen.size(), c.targets.size() * 7);
}

TEST(TraceSchedule, BackwardPausesAfterThePreprobeAndSkipsWhatFeedbackEnded) {
    scan_config c = config_for(interval_set({{0xc6120000, 0xc612000f}}));  // 16 targets
    c.mode = run_mode::trace;
    c.trace.order = trace_order::backward;
    c.trace.min_ttl = 1;
    c.trace.max_ttl = 8;
    c.trace.default_split = 4;
    c.trace.preprobe_wait_s = 0.5;
    const permutation perm(trace_mode::permutation_domain(c), 3);
    trace_schedule s = trace_mode::make_schedule(c, perm, c.slice(0, 1));
    probe_batch b;
    ASSERT_EQ(s.next(b, 64), 16u);  // the preprobe: every target at --max-ttl
    for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(b.ttl[i], 8);
    EXPECT_EQ(s.pause_due(), 0.5);
    // Target 0's path ends at TTL 2; every other target's split is 4 (the default).
    const trace_feedback end{0, feedback_kind::end, 2};
    s.take_feedback(&end, 1);
    s.paused();
    EXPECT_EQ(s.pause_due(), 0.0);
    uint64_t sent_to_0 = 0, consumed = 16, sent = 16;
    while (const unsigned n = s.next(b, 64)) {
        consumed += n;
        sent += b.count;
        for (unsigned i = 0; i < b.count; ++i)
            if (b.dst[i] == 0xc6120000) {
                ++sent_to_0;
                EXPECT_LE(b.ttl[i], 2);
            }
    }
    EXPECT_EQ(consumed, trace_mode::probes_planned(c, c.slice(0, 1)));
    EXPECT_EQ(sent_to_0, 2u) << "TTLs 2 and 1 (from the split 4 back, past the end skipped)";
    EXPECT_EQ(sent, 16u + 15 * 8 + 2);
}

TEST(ScanAttribution, FirstReplyOfATargetIsItsResultLaterOnesRepeat) {
    const scan_config c = config_for(sample_set());
    scan_attribution<echo_probe> a(c);
    counter_block counters;
    const attribution unreach =
        a.attribute(record_for(0xc6120001, icmp_type::dest_unreach), nullptr, counters);
    EXPECT_FALSE(unreach.repeat);
    EXPECT_FALSE(unreach.new_hit) << "an error is not a hit";
    const attribution echo = a.attribute(record_for(0xc6120001, icmp_type::echo_reply), nullptr, counters);
    EXPECT_TRUE(echo.repeat);
    EXPECT_FALSE(echo.new_hit) << "the target's first reply was its result";
    const attribution other = a.attribute(record_for(0xc6120002, icmp_type::echo_reply), nullptr, counters);
    EXPECT_FALSE(other.repeat);
    EXPECT_TRUE(other.new_hit);
    EXPECT_FALSE(a.attribute(record_for(0xc6140000, 0), nullptr, counters).repeat) << "not a target";
}

TEST(TraceAttribution, OneResultPerHopOneHitPerTargetRewrittenCounted) {
    scan_config c = config_for(sample_set());
    c.mode = run_mode::trace;
    trace_attribution a(c);
    counter_block counters;
    trace_feedback fb[max_feedback_per_record];
    EXPECT_FALSE(a.attribute(record_for(0xc6120001, icmp_type::time_exceeded, 3), fb, counters).repeat);
    EXPECT_TRUE(a.attribute(record_for(0xc6120001, icmp_type::time_exceeded, 3), fb, counters).repeat);
    EXPECT_TRUE(a.attribute(record_for(0xc6120001, icmp_type::echo_reply, 5), fb, counters).new_hit);
    EXPECT_FALSE(a.attribute(record_for(0xc6120001, icmp_type::echo_reply, 6), fb, counters).new_hit);
    result_record rewritten = record_for(0xc6120002, icmp_type::time_exceeded, 2);
    rewritten.flags = record_flag::dst_rewritten;
    EXPECT_FALSE(a.attribute(rewritten, fb, counters).repeat);
    EXPECT_EQ(counters.get(counter::out_not_attributed), 1u);
    EXPECT_EQ(a.collector().hops().row(1)[2].type, icmp_type::time_exceeded) << "target 1, TTL 3";
}

// With a checkpoint: each hop kept goes to the journal once; a resumed trace's attribution starts
// from the journal's hops (a repeat of one is a repeat, its target's hit not counted again), goes
// on after the kept bytes, and writes them first into a new journal.
TEST(TraceAttribution, JournalsEveryHopKeptAndResumesFromIt) {
    scan_config c = config_for(sample_set());
    c.mode = run_mode::trace;
    counter_block counters;
    trace_feedback fb[max_feedback_per_record];
    std::FILE* first = std::tmpfile();
    ASSERT_NE(first, nullptr);
    uint64_t kept = 0;
    {
        trace_attribution a(c);
        a.set_journal(first, 0);
        a.attribute(record_for(0xc6120001, icmp_type::time_exceeded, 3), fb, counters);
        a.attribute(record_for(0xc6120001, icmp_type::time_exceeded, 3), fb, counters);  // a repeat
        a.attribute(record_for(0xc6120002, icmp_type::echo_reply, 4), fb, counters);
        a.flush();
        kept = a.journal_size();
        EXPECT_FALSE(a.write_failed());
    }
    ASSERT_EQ(kept, hop_journal_magic.size() + 2 * sizeof(journal_entry));
    std::string bytes(kept, '\0');
    std::rewind(first);
    ASSERT_EQ(std::fread(bytes.data(), 1, kept, first), kept);
    auto hops = parse_hop_journal(bytes, c.targets.size(), c.trace.ttls(), "j");
    ASSERT_TRUE(hops) << hops.error_message();
    c.checkpoint.trace_hops = std::make_shared<const std::vector<journal_entry>>(*hops);
    c.checkpoint.journal_bytes = kept;

    trace_attribution resumed(c);
    EXPECT_TRUE(resumed.attribute(record_for(0xc6120001, icmp_type::time_exceeded, 3), fb, counters).repeat);
    EXPECT_FALSE(resumed.attribute(record_for(0xc6120002, icmp_type::echo_reply, 5), fb, counters).new_hit);
    EXPECT_EQ(resumed.collector().hops().row(2)[3].type, icmp_type::echo_reply) << "target 2, TTL 4";
    std::FILE* second = std::tmpfile();  // another checkpoint file: a new journal, the hops first
    ASSERT_NE(second, nullptr);
    trace_attribution elsewhere(c);
    elsewhere.set_journal(second, 0);
    elsewhere.attribute(record_for(0xc6120003, icmp_type::time_exceeded, 1), fb, counters);
    elsewhere.flush();
    EXPECT_EQ(elsewhere.journal_size(), kept + sizeof(journal_entry));
    std::fclose(first);
    std::fclose(second);
}

TEST(PlanRegistry, PicksThePlanTheConfigNames) {
    scan_config c = config_for(sample_set());
    run_mode seen = run_mode::trace;
    EXPECT_TRUE(with_plan(c, [&](auto plan) { seen = decltype(plan)::type::mode; }));
    EXPECT_EQ(seen, run_mode::scan);
    c.mode = run_mode::trace;
    EXPECT_TRUE(with_plan(c, [&](auto plan) { seen = decltype(plan)::type::mode; }));
    EXPECT_EQ(seen, run_mode::trace);
    c.mode = run_mode::scan;
    c.probe_type = "no_such_probe";
    EXPECT_FALSE(with_plan(c, [](auto) {}));
}

TEST(EchoProbe, TheRoundTravelsInTheProbeToEveryReplysRecord) {
    const echo_probe p(test_probe_setup());
    for (uint32_t round : {0u, 1u, 7u, 255u, 256u + 9}) {
        std::vector<uint8_t> probe(echo_probe::frame_len);
        p.build(probe.data(), 0xc613ff01, 0xc6120005, 0x00abcdef, round);
        for (const auto& reply : {echo_reply_to(probe), icmp_error_about(probe, 3, 1, 0xc6120005, 28)}) {
            result_record rec{};
            counter why{};
            ASSERT_TRUE(decode(p, reply, 0x00abcdef + 100, rec, why)) << counter_infos[size_t(why)].name;
            EXPECT_EQ(rec.round, round & 0xff);
            EXPECT_EQ(rec.rtt_us, 100u);
        }
    }
}
