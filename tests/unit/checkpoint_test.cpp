// The checkpoint: its file round-trips, damaged or foreign files are refused with a sentence, a
// resume of another run is refused naming what differs, and the tracker claims only positions
// whose hold (cooldown and margin) passed before the flush.
#include "run/checkpoint.hpp"

#include <gtest/gtest.h>

#include "run/checkpoint_tracker.hpp"
#include "trace/hop_journal.hpp"

using namespace ics;

namespace {

checkpoint sample_checkpoint() {
    scan_config cfg;
    cfg.targets = interval_set({{0xc6120000, 0xc61200ff}, {0xc6120400, 0xc6120401}});
    cfg.seed = 0xfedcba9876543210ull;  // above 2^63: must survive JSON
    cfg.lcores.tx_cores = 2;
    cfg.probes = 2;
    checkpoint c;
    c.identity = identity_of(cfg);
    c.positions = {100, 99};
    c.planned = 516;
    c.wall_ns = 1700000000123456789ull;
    return c;
}

// A trace's: TTLs 2-9 in TTL order, and 3 hops in its journal.
checkpoint sample_trace_checkpoint() {
    scan_config cfg;
    cfg.mode = run_mode::trace;
    cfg.probe_type = "icmp_echo_paris";
    cfg.targets = interval_set({{0xc6120000, 0xc61200ff}});
    cfg.trace.order = trace_order::ttl;
    cfg.trace.min_ttl = 2;
    cfg.trace.max_ttl = 9;
    checkpoint c;
    c.identity = identity_of(cfg);
    c.positions = {700};
    c.planned = 2048;
    c.wall_ns = 1700000000123456789ull;
    c.journal_bytes = hop_journal_magic.size() + 3 * sizeof(journal_entry);
    return c;
}

// A monitor's: two targets (one down, with a histogram each), two groups (one with ICMP errors).
checkpoint sample_monitor_checkpoint() {
    scan_config cfg;
    cfg.mode = run_mode::monitor;
    cfg.targets = interval_set({{0xc6120000, 0xc6120001}});
    cfg.seed = 77;
    checkpoint c;
    c.identity = identity_of(cfg);
    c.wall_ns = 1700000000123456789ull;
    auto m = std::make_shared<monitor_saved>();
    m->next_round = 9;
    m->count = 20;
    m->groups_fingerprint = 0x0123456789abcdefull;
    m->counts = {{.sent = 9, .received = 7, .lost = 2, .late = 1, .duplicates = 3},
                 {.sent = 8,
                  .received = 2,
                  .lost = 6,
                  .consecutive_lost = 5,
                  .down_since = 4,
                  .outages = 2,
                  .down = true}};
    m->totals = {{410, 1500, 5000}, {900, 900, 1800}};
    m->histograms.resize(2);
    for (uint32_t rtt : {410u, 600u, 1500u}) m->histograms[0].add(rtt);
    m->histograms[1].add(900);
    m->groups.resize(2);
    m->groups[0].rtt.add(410);
    m->groups[1].errors = {{3, 1, 4}, {11, 0, 18446744073709551615ull}};
    c.monitor = m;
    return c;
}

}  // namespace

// The monitor's table round-trips exactly (formatted again, the same text), and its header says
// what the resume needs.
TEST(Checkpoint, MonitorBooksRoundTrip) {
    const checkpoint c = sample_monitor_checkpoint();
    const std::string text = format_checkpoint(c);
    auto back = parse_checkpoint(text, "f");
    ASSERT_TRUE(back) << back.error_message();
    ASSERT_TRUE(back->monitor);
    EXPECT_EQ(format_checkpoint(*back), text);
    EXPECT_EQ(back->monitor->counts, c.monitor->counts);
    EXPECT_EQ(back->monitor->totals, c.monitor->totals);
    EXPECT_EQ(back->monitor->groups[1].errors.size(), 2u);
    EXPECT_EQ(back->monitor->groups[1].errors[1].count, 18446744073709551615ull);
    EXPECT_EQ(back->monitor->next_round, 9u);
    EXPECT_FALSE(back->complete());
    EXPECT_NE(text.find("\"senders\": 0"), std::string::npos);  // a monitor's books are per target
    // Without histograms, the lines are shorter and still round-trip.
    checkpoint plain = c;
    auto m = std::make_shared<monitor_saved>(*c.monitor);
    m->histograms.clear();
    m->next_round = 20;
    plain.monitor = m;
    auto back2 = parse_checkpoint(format_checkpoint(plain), "f");
    ASSERT_TRUE(back2) << back2.error_message();
    EXPECT_TRUE(back2->monitor->histograms.empty());
    EXPECT_TRUE(back2->complete());  // round 20 of --count 20
}

// Every way a monitor's table can be damaged is a refusal with a sentence: cut, a line short or
// long, numbers that cannot be (sent != received + lost, a round past the next, a histogram whose
// count is not its buckets' sum, an ICMP type over 255), a table where the header has none, a
// monitor header without its table.
TEST(Checkpoint, MonitorTableDamageIsRefused) {
    const std::string good = format_checkpoint(sample_monitor_checkpoint());
    const size_t table = good.find("\n}\n") + 3;
    const std::string header = good.substr(0, table);
    std::vector<std::string> lines;
    for (size_t at = table, nl; (nl = good.find('\n', at)) != std::string::npos; at = nl + 1)
        lines.push_back(good.substr(at, nl - at));
    ASSERT_EQ(lines.size(), 4u);
    auto with = [&](size_t line, const std::string& text) {
        std::string out = header;
        for (size_t i = 0; i < lines.size(); ++i) out += (i == line ? text : lines[i]) + "\n";
        return out;
    };
    auto refused = [](const std::string& text) {
        auto r = parse_checkpoint(text, "ck");
        return !r && r.error_message().find("damaged") != std::string::npos;
    };
    ASSERT_FALSE(refused(good));
    EXPECT_TRUE(refused(good.substr(0, good.size() - 1)));  // the last line cut
    EXPECT_TRUE(refused(header));                           // no table at all
    std::string huge = good;  // a header claiming 2^32 targets: refused by the table's lines, no allocation
    const size_t section = huge.find("\"monitor\": {");
    const size_t count_at = huge.find("\"targets\": 2", section);
    ASSERT_LT(count_at, huge.find('}', section));  // the section's count, not the run's
    huge.replace(count_at, 12, "\"targets\": 4294967296");
    EXPECT_TRUE(refused(huge));
    EXPECT_TRUE(refused(good + "1 2\n"));                                    // a line too many
    EXPECT_TRUE(refused(with(0, lines[0] + " 7")));                          // a number too many
    EXPECT_TRUE(refused(with(0, lines[0].substr(0, lines[0].rfind(' ')))));  // one too few
    EXPECT_TRUE(refused(with(0, "9 7 3" + lines[0].substr(5))));             // sent != received + lost
    EXPECT_TRUE(refused(with(0, "10 8 2" + lines[0].substr(5))));            // more rounds than next_round
    EXPECT_TRUE(refused(with(0, "9 7 2 -1" + lines[0].substr(7))));
    std::string bucket = lines[0];  // the first bucket count one more: the count is not their sum
    const size_t b0 = bucket.find(' ', bucket.find("5000")) + 1;
    bucket.insert(b0, "1");
    EXPECT_TRUE(refused(with(0, bucket)));
    EXPECT_TRUE(refused(with(3, lines[3].substr(0, lines[3].find(" 3 1 4")) + " 3 256 1 4 11 0 5")));
    EXPECT_TRUE(refused(with(3, lines[3] + " 1 1 1")));  // a triple more than its count
    std::string scan = format_checkpoint(sample_checkpoint());
    EXPECT_TRUE(refused(scan + lines[0] + "\n"));  // a scan's checkpoint has no table
    std::string down_without_outage = lines[1];    // target 1: down, with 2 outages; now 0
    const size_t outages_at = down_without_outage.find(" 2 1 ", down_without_outage.find(" 5 4 ")) + 1;
    down_without_outage.replace(outages_at, 1, "0");
    EXPECT_TRUE(refused(with(1, down_without_outage)));
    EXPECT_FALSE(refused(format_checkpoint(sample_checkpoint()) + "\n\n"));  // a scan's blank lines after
    std::string monitor_as_scan = good;
    monitor_as_scan.replace(monitor_as_scan.find("\"mode\": \"monitor\""), 17, "\"mode\": \"scan\"");
    EXPECT_TRUE(refused(monitor_as_scan));
}

TEST(Checkpoint, RoundTrips) {
    const checkpoint c = sample_checkpoint();
    auto back = parse_checkpoint(format_checkpoint(c), "f");
    ASSERT_TRUE(back) << back.error_message();
    EXPECT_EQ(back->identity, c.identity);
    EXPECT_EQ(back->positions, c.positions);
    EXPECT_EQ(back->planned, 516u);
    EXPECT_EQ(back->wall_ns, c.wall_ns);
    EXPECT_EQ(back->covered(), 199u);
    EXPECT_FALSE(back->complete());
    EXPECT_NE(format_checkpoint(c).find("\"complete\": false"), std::string::npos);
}

TEST(Checkpoint, ATracesRoundTripsWithItsJournalSizeAndSettings) {
    const checkpoint c = sample_trace_checkpoint();
    EXPECT_EQ(c.identity.trace_order, "ttl");
    EXPECT_EQ(c.identity.min_ttl, 2u);
    EXPECT_EQ(c.identity.max_ttl, 9u);
    auto back = parse_checkpoint(format_checkpoint(c), "f");
    ASSERT_TRUE(back) << back.error_message();
    EXPECT_EQ(back->identity, c.identity);
    EXPECT_EQ(back->positions, c.positions);
    EXPECT_EQ(back->journal_bytes, c.journal_bytes);
    // A scan's has neither.
    auto scan = parse_checkpoint(format_checkpoint(sample_checkpoint()), "f");
    ASSERT_TRUE(scan);
    EXPECT_FALSE(scan->journal_bytes);
    EXPECT_TRUE(scan->identity.trace_order.empty());
}

TEST(Checkpoint, ATracesWithoutAWholeJournalOrItsSettingsIsDamaged) {
    const std::string good = format_checkpoint(sample_trace_checkpoint());
    auto damaged = [](std::string_view text) {
        auto r = parse_checkpoint(text, "ck.json");
        return !r && r.error_message().find("damaged") != std::string::npos;
    };
    const std::string size = std::to_string(*sample_trace_checkpoint().journal_bytes);
    std::string cut = good;  // not the magic and whole entries
    cut.replace(cut.find("\"journal_bytes\": " + size), 17 + size.size(), "\"journal_bytes\": 100");
    EXPECT_TRUE(damaged(cut));
    std::string short_magic = good;
    short_magic.replace(short_magic.find("\"journal_bytes\": " + size), 17 + size.size(),
                        "\"journal_bytes\": 7");
    EXPECT_TRUE(damaged(short_magic));
    std::string no_journal = good;
    no_journal.replace(no_journal.find("\"journal_bytes\""), 15, "\"journal_byte\"");
    EXPECT_TRUE(damaged(no_journal));
    std::string no_settings = good;
    no_settings.replace(no_settings.find("\"trace\""), 7, "\"trxce\"");
    EXPECT_TRUE(damaged(no_settings));
    std::string bad_ttl = good;
    bad_ttl.replace(bad_ttl.find("\"max_ttl\": 9"), 12, "\"max_ttl\": 999");
    EXPECT_TRUE(damaged(bad_ttl));
    // A scan's checkpoint with a journal is damaged too.
    std::string scan = format_checkpoint(sample_checkpoint());
    scan.replace(scan.find("\"complete\""), 10, "\"journal_bytes\": 8, \"complete\"");
    EXPECT_TRUE(damaged(scan));
}

TEST(Checkpoint, RefusesWhatIsNotAnIntactCheckpoint) {
    const std::string good = format_checkpoint(sample_checkpoint());
    auto message = [](std::string_view text) {
        auto r = parse_checkpoint(text, "ck.json");
        return r ? std::string("accepted") : r.error_message();
    };
    EXPECT_NE(message("").find("is not a dpdk-icmpscan checkpoint"), std::string::npos);
    EXPECT_NE(message("{\"format\": \"other\"}").find("is not a dpdk-icmpscan checkpoint"),
              std::string::npos);
    EXPECT_NE(message(good.substr(0, good.size() / 2)).find("not a dpdk-icmpscan"), std::string::npos);
    std::string v2 = good;
    v2.replace(v2.find("\"version\": 1"), 12, "\"version\": 2");
    EXPECT_NE(message(v2).find("format version 2"), std::string::npos);
    std::string format_number = good;  // a field of the wrong type is a refusal, never an exception
    format_number.replace(format_number.find("\"dpdk-icmpscan checkpoint\""), 26, "1");
    EXPECT_NE(message(format_number).find("is not a dpdk-icmpscan checkpoint"), std::string::npos);
    std::string version_text = good;
    version_text.replace(version_text.find("\"version\": 1"), 12, "\"version\": \"1\"");
    EXPECT_NE(message(version_text).find("format version \"1\""), std::string::npos);
    // Numbers that are not whole and in range: a seed past 2^64 (kept as a double by the parser,
    // whose conversion is undefined: checkpoint_fuzz found it), a negative or fractional count, a
    // sender count past 32 bits.
    for (const auto& [field, value] :
         {std::pair{"\"seed\": ", "78831465544493064720"}, std::pair{"\"seed\": ", "-1"},
          std::pair{"\"probes_planned\": ", "516.5"}, std::pair{"\"senders\": ", "4294967298"}}) {
        std::string bad = good;
        const size_t at = bad.find(field) + std::string_view(field).size();
        bad.replace(at, bad.find_first_of(",\n", at) - at, value);
        EXPECT_NE(message(bad).find("damaged"), std::string::npos) << field << value;
    }
    std::string no_seed = good;
    no_seed.replace(no_seed.find("\"seed\""), 6, "\"sead\"");
    EXPECT_NE(message(no_seed).find("damaged"), std::string::npos);
    std::string bad_fp = good;
    bad_fp.replace(bad_fp.find("\"targets_fingerprint\": \"") + 24, 1, "x");
    EXPECT_NE(message(bad_fp).find("damaged"), std::string::npos);
    std::string three = good;  // three positions for two senders
    three.replace(three.find("99\n"), 2, "99, 1");
    EXPECT_NE(message(three).find("positions do not fit"), std::string::npos);
    std::string wraps = good;  // two positions whose sum wraps around to less than planned
    wraps.replace(wraps.find("100,"), 4, "18446744073709551615,");
    wraps.replace(wraps.find("99\n"), 2, "200");
    EXPECT_NE(message(wraps).find("positions do not fit"), std::string::npos);
    std::string over = good;  // more covered than planned
    over.replace(over.find("\"probes_planned\": 516"), 21, "\"probes_planned\": 198");
    EXPECT_NE(message(over).find("positions do not fit"), std::string::npos);
}

TEST(Checkpoint, ResumeOfAnotherRunIsRefusedNamingTheDifference) {
    const run_identity saved = sample_checkpoint().identity;
    EXPECT_FALSE(identity_mismatch(saved, saved, "f"));
    auto why = [&](auto change) {
        run_identity now = saved;
        change(now);
        auto m = identity_mismatch(saved, now, "f");
        return m ? *m : std::string("accepted");
    };
    EXPECT_NE(why([](run_identity& i) { i.seed = 1; }).find("-e/--seed 1 is not the seed"),
              std::string::npos);
    EXPECT_NE(why([](run_identity& i) { i.targets_fingerprint ^= 1; }).find("the targets are not"),
              std::string::npos);
    EXPECT_NE(why([](run_identity& i) { i.targets += 1; }).find("the targets are not"), std::string::npos);
    EXPECT_NE(why([](run_identity& i) { i.senders = 3; }).find("--tx-cores 2"), std::string::npos);
    EXPECT_NE(why([](run_identity& i) { i.shards = 2; }).find("--shard 0 --shards 1"), std::string::npos);
    EXPECT_NE(why([](run_identity& i) { i.probes = 1; }).find("with -P 2 and no -n"), std::string::npos);
    EXPECT_NE(why([](run_identity& i) { i.max_targets = 9; }).find("with -P 2 and no -n"), std::string::npos);
    EXPECT_NE(why([](run_identity& i) { i.probe_type = "x"; }).find("--probe-module icmp_echo"),
              std::string::npos);
}

TEST(Checkpoint, ResumeOfATraceWithOtherTtlsOrOrderIsRefused) {
    const run_identity saved = sample_trace_checkpoint().identity;
    EXPECT_FALSE(identity_mismatch(saved, saved, "f"));
    for (auto change : {+[](run_identity& i) { i.max_ttl = 10; }, +[](run_identity& i) { i.min_ttl = 1; },
                        +[](run_identity& i) { i.trace_order = "random"; }}) {
        run_identity now = saved;
        change(now);
        auto m = identity_mismatch(saved, now, "f");
        ASSERT_TRUE(m);
        EXPECT_NE(m->find("a trace of --min-ttl 2 --max-ttl 9 --trace-order ttl: give the same"),
                  std::string::npos)
            << *m;
    }
}

TEST(Checkpoint, FingerprintSeesEveryRangeBound) {
    const interval_set a({{10, 20}, {30, 40}});
    EXPECT_EQ(target_set_fingerprint(a), target_set_fingerprint(interval_set({{10, 20}, {30, 40}})));
    EXPECT_NE(target_set_fingerprint(a), target_set_fingerprint(interval_set({{10, 20}, {30, 41}})));
    EXPECT_NE(target_set_fingerprint(a), target_set_fingerprint(interval_set({{11, 20}, {30, 40}})));
    EXPECT_NE(target_set_fingerprint(a), target_set_fingerprint(interval_set({{10, 20}})));
}

TEST(Checkpoint, Ipv6FingerprintSeesEveryAddressAndTheIdentityTheList) {
    auto list = [](std::vector<ipv6_addr> addrs) {
        ipv6_target_list l;
        l.targets = std::move(addrs);
        return l;
    };
    const ipv6_addr a{0x20010db800010000ull, 1}, b{0x20010db800010000ull, 2}, c{0x20010db800020000ull, 1};
    const uint64_t ab = target_set_fingerprint(list({a, b}));
    EXPECT_EQ(ab, target_set_fingerprint(list({a, b})));
    EXPECT_NE(ab, target_set_fingerprint(list({a, c})));          // the last address's high half
    EXPECT_NE(ab, target_set_fingerprint(list({a, {b.hi, 3}})));  // its low half
    EXPECT_NE(ab, target_set_fingerprint(list({a})));
    EXPECT_NE(ab, target_set_fingerprint(list({b, a})));  // the order is the walk's
    // A -6 run's identity is its list's: count and fingerprint, whatever its IPv4 set holds.
    scan_config cfg;
    cfg.family = ip_family::ipv6;
    cfg.probe_type = "icmp6_echo";
    cfg.targets6 = list({a, b, c});
    cfg.targets = interval_set({{10, 20}});
    const run_identity id = identity_of(cfg);
    EXPECT_EQ(id.targets, 3u);
    EXPECT_EQ(id.targets_fingerprint, target_set_fingerprint(cfg.targets6));
    cfg.targets6 = list({a, b});
    EXPECT_TRUE(identity_mismatch(id, identity_of(cfg), "ck.json").has_value());
}

// Samples every 10 ticks with a hold of 25: a flush at F covers the newest sample at or before F - 25.
TEST(CheckpointTracker, CoversOnlySamplesWhoseHoldPassedBeforeTheFlush) {
    checkpoint_tracker t({5, 7}, 25);
    EXPECT_EQ(t.covered_by(1000), (std::vector<uint64_t>{5, 7}));  // no sample yet: the start
    for (uint64_t i = 1; i <= 10; ++i) {
        const std::vector<uint64_t> p{5 + i, 7 + 2 * i};
        t.sample(1000 + 10 * i, p);
    }
    EXPECT_EQ(t.covered_by(1034), (std::vector<uint64_t>{5, 7}));  // sample at 1010 needs 1035
    EXPECT_EQ(t.covered_by(1035), (std::vector<uint64_t>{6, 9}));
    EXPECT_EQ(t.covered_by(1064), (std::vector<uint64_t>{8, 13}));  // 1030 + 25 <= 1064 < 1040 + 25
    EXPECT_EQ(t.pending(), 7u);
    EXPECT_EQ(t.covered_by(1064), (std::vector<uint64_t>{8, 13}));  // again: unchanged
    EXPECT_EQ(t.covered_by(5000), (std::vector<uint64_t>{15, 27}));
    EXPECT_EQ(t.pending(), 0u);
}
