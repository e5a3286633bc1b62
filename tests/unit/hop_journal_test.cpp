// The trace journal (a resumed trace's hops): what the output lcore appends reads back entry for
// entry; restored into a collector it gives the hop table, stop set and feedback that the replies
// themselves gave; a damaged journal is refused with a sentence naming the file.
#include "trace/hop_journal.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <random>

#include "trace/trace_collector.hpp"

using namespace ics;

namespace {
constexpr ipv4_addr first_target = 0xc6120000;

// Replies as the output lcore gets them: random targets of 64 and TTLs, from a few routers (Time
// Exceeded, so the stop set grows), the targets themselves (Echo Reply) and Destination Unreachable;
// repeats of a (target, TTL) among them.
std::vector<result_record> replies(const trace_plan& plan, unsigned n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<result_record> out;
    for (unsigned i = 0; i < n; ++i) {
        result_record r{};
        r.probe_daddr = first_target + ipv4_addr(rng() % 64);
        r.probe_ttl = uint8_t(plan.min_ttl + rng() % plan.ttls());
        const uint8_t types[] = {11, 11, 11, 0, 3};
        r.type = types[rng() % 5];
        r.saddr = r.type == 0 ? r.probe_daddr : 0xc6130000 + ipv4_addr(rng() % 8);
        r.code = r.type == 3 ? uint8_t(rng() % 4) : 0;
        r.ttl = uint8_t(50 + rng() % 14);
        r.quoted_ttl = uint8_t(1 + rng() % 2);
        r.rtt_us = uint32_t(rng() % 100000);
        out.push_back(r);
    }
    return out;
}

bool same_hop(const hop_slot& a, const hop_slot& b) {
    return std::memcmp(&a, &b, sizeof(hop_slot)) == 0;
}
}  // namespace

// Every order: a collector that took the replies and wrote the journal as the output lcore does, and
// one restored from the journal, hold the same hops and stop set, and gave the same feedback.
TEST(HopJournal, RestoredCollectorEqualsTheOneThatTookTheReplies) {
    const interval_set targets({{first_target, first_target + 63}});
    for (trace_order order : {trace_order::random, trace_order::ttl, trace_order::backward}) {
        trace_plan plan;
        plan.order = order;
        plan.min_ttl = 2;
        plan.max_ttl = 12;
        trace_collector live(targets, plan), restored(targets, plan);
        std::string journal(hop_journal_magic);
        std::vector<trace_feedback> live_feedback, restored_feedback;
        trace_feedback fb[trace_collector::max_feedback];
        unsigned kept = 0;
        for (const result_record& r : replies(plan, 2000, 7)) {
            const trace_outcome o = live.add(r, fb);
            live_feedback.insert(live_feedback.end(), fb, fb + o.feedback);
            if (!o.first) continue;
            const unsigned slot = r.probe_ttl - plan.min_ttl;
            append_journal_entry(journal, o.index, slot, live.hops().row(o.index)[slot]);
            ++kept;
        }
        auto entries = parse_hop_journal(journal, targets.size(), plan.ttls(), "j");
        ASSERT_TRUE(entries.ok()) << entries.error_message();
        ASSERT_EQ(entries->size(), kept);
        ASSERT_LT(kept, 2000u) << "the replies had repeats";
        for (const journal_entry& e : *entries) {
            const trace_outcome o = restored.restore(e.index, e.slot, e.hop, fb);
            ASSERT_TRUE(o.first);
            restored_feedback.insert(restored_feedback.end(), fb, fb + o.feedback);
        }
        for (uint64_t t = 0; t < targets.size(); ++t)
            for (unsigned s = 0; s < plan.ttls(); ++s)
                ASSERT_TRUE(same_hop(live.hops().row(t)[s], restored.hops().row(t)[s])) << t << " " << s;
        EXPECT_EQ(live.interfaces_in_stop_set(), restored.interfaces_in_stop_set());
        // Replies after the resume meet the same stop set (its counts too): the same feedback.
        for (const result_record& r : replies(plan, 500, 8)) {
            const trace_outcome o = live.add(r, fb);
            live_feedback.insert(live_feedback.end(), fb, fb + o.feedback);
            const trace_outcome p = restored.add(r, fb);
            restored_feedback.insert(restored_feedback.end(), fb, fb + p.feedback);
            ASSERT_EQ(o.first, p.first);
        }
        ASSERT_EQ(live_feedback.size(), restored_feedback.size()) << trace_order_name(order);
        EXPECT_EQ(live_feedback.empty(), order != trace_order::backward);
        unsigned kinds[4] = {};
        for (size_t i = 0; i < live_feedback.size(); ++i) {
            EXPECT_EQ(std::memcmp(&live_feedback[i], &restored_feedback[i], sizeof(trace_feedback)), 0) << i;
            ++kinds[unsigned(live_feedback[i].kind) & 3];
        }
        if (order == trace_order::backward) {
            for (feedback_kind k : {feedback_kind::split, feedback_kind::stop, feedback_kind::end})
                EXPECT_GT(kinds[unsigned(k)], 0u) << "no feedback of kind " << unsigned(k);
        }
    }
}

namespace {
std::string contents(std::FILE* f) {
    std::string out(size_t(std::ftell(f)), '\0');
    std::rewind(f);
    EXPECT_EQ(std::fread(out.data(), 1, out.size(), f), out.size());
    return out;
}
hop_slot numbered_hop(unsigned i) {
    hop_slot h{};
    h.present = 1;
    h.addr = 0xc6130000 + i;
    h.rtt_us = i * 7;
    h.type = 11;
    return h;
}
}  // namespace

// A writer's journal reads back entry for entry, in blocks and across a flush, and a resumed
// trace's writer goes on at the checkpoint's size: the file then holds the first run's entries up
// to it and the second's after.
TEST(HopJournal, WrittenJournalsReadBackAndAResumedOneGoesOn) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    const unsigned first = 2 * hop_journal_writer::block_entries + 5;
    uint64_t checkpoint_size = 0;
    {
        hop_journal_writer w(f, 0);
        for (unsigned i = 0; i < first; ++i) w.append(i, i % 3, numbered_hop(i));
        const std::optional<uint64_t> size = w.flush();
        ASSERT_TRUE(size);
        EXPECT_EQ(*size, hop_journal_magic.size() + first * sizeof(journal_entry));
        checkpoint_size = *size;
        w.append(first, 0, numbered_hop(first));  // after the checkpoint: cut by the resume
        ASSERT_TRUE(w.flush());
    }
    ASSERT_EQ(std::fseek(f, long(checkpoint_size), SEEK_SET), 0);
    hop_journal_writer resumed(f, checkpoint_size);
    for (unsigned i = first; i < first + 10; ++i) resumed.append(i, 1, numbered_hop(i));
    const std::optional<uint64_t> size = resumed.flush();
    ASSERT_TRUE(size);
    EXPECT_EQ(*size, checkpoint_size + 10 * sizeof(journal_entry));
    auto entries = parse_hop_journal(contents(f), first + 10, 3, "j");
    std::fclose(f);
    ASSERT_TRUE(entries.ok()) << entries.error_message();
    ASSERT_EQ(entries->size(), first + 10);
    for (unsigned i = 0; i < first + 10; ++i) {
        const journal_entry& e = (*entries)[i];
        ASSERT_EQ(e.index, i);
        ASSERT_EQ(e.slot, i < first ? i % 3 : 1u);
        ASSERT_TRUE(same_hop(e.hop, numbered_hop(i))) << i;
    }
}

TEST(HopJournal, AFailedWriteIsKeptAndNoSizeIsClaimed) {
    std::FILE* full = std::fopen("/dev/full", "w");
    ASSERT_NE(full, nullptr);
    hop_journal_writer w(full, 0);
    w.append(0, 0, numbered_hop(0));
    EXPECT_FALSE(w.flush());
    EXPECT_TRUE(w.failed());
    w.append(1, 0, numbered_hop(1));
    EXPECT_FALSE(w.flush()) << "a failed journal stays failed";
    std::fclose(full);
}

TEST(HopJournal, AnEmptyJournalHoldsNothing) {
    auto entries = parse_hop_journal(hop_journal_magic, 10, 5, "j");
    ASSERT_TRUE(entries.ok());
    EXPECT_TRUE(entries->empty());
}

TEST(HopJournal, DamageIsRefusedWithASentenceNamingTheFile) {
    hop_slot h{};
    h.present = 1;
    h.type = 11;
    const auto journal_of = [&](uint64_t index, unsigned slot) {
        std::string j(hop_journal_magic);
        append_journal_entry(j, 3, 1, h);
        append_journal_entry(j, index, slot, h);
        return j;
    };
    const auto refused = [](std::string_view bytes, const std::string& why) {
        auto r = parse_hop_journal(bytes, 10, 5, "/tmp/c.hops");
        ASSERT_FALSE(r.ok()) << why;
        EXPECT_NE(r.error_message().find("the trace journal '/tmp/c.hops' is damaged"), std::string::npos)
            << r.error_message();
        EXPECT_NE(r.error_message().find(why), std::string::npos) << r.error_message();
    };
    ASSERT_TRUE(parse_hop_journal(journal_of(9, 4), 10, 5, "j").ok());
    refused("", "does not start as a journal");
    refused("ICSHOPS2", "does not start as a journal");
    refused(journal_of(9, 4).substr(0, 8 + 48 + 47), "last entry is cut");
    refused(journal_of(10, 0), "outside a trace of 10 targets and 5 TTLs");
    refused(journal_of(0, 5), "outside a trace of 10 targets and 5 TTLs");
    refused(journal_of(3, 1), "a second hop of target 3 at slot 1");
    std::string absent(hop_journal_magic);
    append_journal_entry(absent, 0, 0, hop_slot{});
    refused(absent, "entry 0 holds no hop");
    std::string reserved = journal_of(9, 4);
    reserved[8 + 48 + 9] = 1;
    refused(reserved, "entry 1 has reserved bytes that are not zero");
    reserved = journal_of(9, 4);
    reserved[8 + 48 + 16 + offsetof(hop_slot, reserved)] = 1;
    refused(reserved, "entry 1 has reserved bytes that are not zero");
}
