// output_loop for scan_mode<echo_probe> over real record rings: it handles every record queued
// before it stops and never stops while an RX lcore runs, marks repeats and cooldown replies,
// counts hits and first replies by type, applies the filter and -N, and the rows in its file are
// the records it was given. Each record carries its own id in rtt_us, so a row names its record.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

#include "dpdk/output_loop.hpp"
#include "modes/scan_mode.hpp"
#include "probe/echo_probe.hpp"
#include "ring_port.hpp"

namespace ics::dpdk {
namespace {

using scan_plan = scan_mode<echo_probe>;
using test::expect_counters;

constexpr ipv4_addr net_198_18 = 0xc6120000;  // 198.18.0.0
constexpr ipv4_addr router = 0xc6120101;      // 198.18.1.1
constexpr const char* row_fields =
    "rtt_us,saddr,probe_daddr,type,code,classification,success,repeat,cooldown,round";

// A record as the RX lcore makes it: an Echo Reply from `target`, or an error about it from the
// router. `id` goes in rtt_us.
result_record record(uint32_t id, ipv4_addr target, uint8_t type = icmp_type::echo_reply,
                     uint64_t rx_tsc = 1000) {
    result_record r{};
    r.saddr = type == icmp_type::echo_reply ? target : router;
    r.daddr = 0xc613ff01;
    r.probe_daddr = target;
    r.rtt_us = id;
    r.rtt_err_us = 1 + id % 7;
    r.rx_tsc = rx_tsc;
    r.type = type;
    r.code = type == icmp_type::dest_unreach ? 1 : 0;
    r.cls = classify_icmp(type);
    r.success = type == icmp_type::echo_reply;
    r.round = uint16_t(id % 2);
    return r;
}

// The output lcore's context for a scan of 198.18.0.0/24, writing CSV rows to a file of its own,
// reading `nrings` record rings (one per RX lcore).
struct output_rig {
    scan_config cfg;
    scan_attribution<echo_probe> attribution;
    output_filter filter;
    std::string path;
    std::FILE* file;
    std::optional<record_writer> writer;  // reset before the file is closed
    counter_block counters;
    scan_flags flags;
    std::vector<test::ring_ptr> rings;
    output_context<scan_plan> c;

    explicit output_rig(unsigned nrings, const char* filter_text = "", const char* out_path = nullptr)
        : cfg(config()),
          attribution(cfg),
          filter(*output_filter::parse(filter_text)),
          path(out_path ? out_path : temp_path()),
          file(std::fopen(path.c_str(), "w")) {
        writer.emplace(file, output_format::csv, *parse_field_list(row_fields));
        for (unsigned i = 0; i < nrings; ++i) {
            rings.push_back(test::make_record_ring(4096));
            c.rings.push_back(rings.back().get());
        }
        c.attribution = &attribution;
        c.filter = &filter;
        c.writer = &*writer;
        c.clock = tsc_clock(rte_get_tsc_hz(), 0, 0);
        c.counters = &counters;
        c.flags = &flags;
        writer->write_header();
    }
    ~output_rig() {
        writer.reset();
        std::fclose(file);
        if (path.starts_with("/tmp/")) std::remove(path.c_str());
    }
    static scan_config config() {
        scan_config cfg;
        cfg.targets = interval_set({{net_198_18, net_198_18 + 255}});
        return cfg;
    }
    static std::string temp_path() {
        return "/tmp/loops_test_" + std::to_string(getpid()) + "_" + test::fresh_name("o") + ".csv";
    }
    int operator()() { return output_loop(c); }

    void put(unsigned ring, const std::vector<result_record>& recs) {
        EXPECT_EQ(rte_ring_enqueue_bulk_elem(c.rings[ring], recs.data(), sizeof(result_record),
                                             unsigned(recs.size()), nullptr),
                  recs.size());
    }
    // Whole lines in the file so far (the loop may be writing it).
    size_t lines() const {
        std::ifstream in(path);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return size_t(std::count(text.begin(), text.end(), '\n'));
    }
    // The rows in the file, by id; the header checked.
    std::map<uint32_t, std::string> rows() const {
        std::ifstream in(path);
        std::string line;
        std::map<uint32_t, std::string> out;
        if (!std::getline(in, line)) return out;
        EXPECT_EQ(line, row_fields);
        while (std::getline(in, line)) {
            const uint32_t id = uint32_t(std::stoul(line.substr(0, line.find(','))));
            EXPECT_TRUE(out.emplace(id, line).second) << "two rows for record " << id;
        }
        return out;
    }
};

// The row a record makes, as row_fields lists them.
std::string row_of(const result_record& r, bool repeat, bool cooldown) {
    std::ostringstream s;
    s << r.rtt_us << ',' << format_ipv4(r.saddr) << ',' << format_ipv4(r.probe_daddr) << ','
      << unsigned(r.type) << ',' << unsigned(r.code) << ',' << classification_name(r.cls) << ','
      << unsigned(r.success) << ',' << repeat << ',' << cooldown << ',' << r.round;
    return s.str();
}

// Two RX lcores' rings, full before the loop starts, no RX lcore running: replies from targets
// 1-100 on one ring and 51-150 on the other (50 repeats), errors about targets 201-210 and an error
// about target 1 (a repeat) on the second. Sending ended at TSC 5000: the second ring's records
// came after, in the cooldown.
TEST(OutputLoop, DrainsEveryRecordMarksRepeatsAndCooldownThenStops) {
    auto rig = std::make_unique<output_rig>(2);
    std::vector<result_record> first, second;
    for (uint32_t t = 1; t <= 100; ++t) first.push_back(record(t, net_198_18 + t));
    for (uint32_t t = 51; t <= 150; ++t)
        second.push_back(record(1000 + t, net_198_18 + t, icmp_type::echo_reply, 9000));
    for (uint32_t t = 201; t <= 210; ++t)
        second.push_back(record(2000 + t, net_198_18 + t, icmp_type::time_exceeded, 9000));
    second.push_back(record(3001, net_198_18 + 1, icmp_type::dest_unreach, 9000));
    rig->put(0, first);
    rig->put(1, second);
    rig->flags.send_end_tsc.store(5000);
    EXPECT_EQ((*rig)(), 0);
    for (rte_ring* ring : rig->c.rings) EXPECT_TRUE(rte_ring_empty(ring));
    EXPECT_FALSE(rig->flags.output_failed.load());
    EXPECT_FALSE(rig->flags.max_results_reached.load());
    EXPECT_EQ(rig->flags.hits.load(), 150u);
    expect_counters(rig->counters,
                    {{counter::out_records, 211}, {counter::out_repeats, 51}, {counter::out_written, 211}});
    for (size_t k = 0; k < 256; ++k) {
        const uint64_t want = k == (0u << 4 | 0) ? 150 : k == (11u << 4 | 0) ? 10 : 0;
        EXPECT_EQ(rig->c.unique_by_type_code[k], want) << "type " << (k >> 4) << " code " << (k & 15);
    }
    EXPECT_EQ(rig->c.rtt_error.count(), 211u);

    // Every record is one row; a target's first record is not a repeat, every later one is.
    const std::map<uint32_t, std::string> rows = rig->rows();
    ASSERT_EQ(rows.size(), 211u);
    std::map<ipv4_addr, unsigned> firsts;
    for (const auto* recs : {&first, &second})
        for (const result_record& r : *recs) {
            const auto it = rows.find(r.rtt_us);
            ASSERT_NE(it, rows.end()) << r.rtt_us;
            const bool repeat = it->second == row_of(r, true, recs == &second);
            EXPECT_TRUE(repeat || it->second == row_of(r, false, recs == &second)) << it->second;
            if (!repeat) ++firsts[r.probe_daddr];
        }
    EXPECT_EQ(firsts.size(), 160u);
    for (const auto& [target, n] : firsts) EXPECT_EQ(n, 1u) << format_ipv4(target);
    EXPECT_EQ(rows.at(3001),
              row_of(second.back(), true, true));  // target 1 answered before (ring 0, all first)
}

// --output-filter "success = 1": the errors are counted as filtered, and only replies are rows.
TEST(OutputLoop, FilterKeepsOnlyMatchingRows) {
    auto rig = std::make_unique<output_rig>(1, "success = 1");
    std::vector<result_record> recs;
    for (uint32_t t = 1; t <= 30; ++t)
        recs.push_back(record(t, net_198_18 + t, t % 3 ? icmp_type::echo_reply : icmp_type::dest_unreach));
    rig->put(0, recs);
    EXPECT_EQ((*rig)(), 0);
    expect_counters(rig->counters,
                    {{counter::out_records, 30}, {counter::out_filtered, 10}, {counter::out_written, 20}});
    EXPECT_EQ(rig->flags.hits.load(), 20u);
    const auto rows = rig->rows();
    ASSERT_EQ(rows.size(), 20u);
    for (const result_record& r : recs)
        EXPECT_EQ(rows.count(r.rtt_us) ? rows.at(r.rtt_us) : "", r.success ? row_of(r, false, false) : "");
}

// -N 5: the first five rows are written, the flag is raised, and every later record is still
// handled (counted, de-duplicated) but not written.
TEST(OutputLoop, MaxResultsWritesNRowsAndRaisesTheFlag) {
    auto rig = std::make_unique<output_rig>(1);
    rig->c.max_results = 5;
    std::vector<result_record> recs;
    for (uint32_t t = 1; t <= 20; ++t) recs.push_back(record(t, net_198_18 + t));
    rig->put(0, recs);
    EXPECT_EQ((*rig)(), 0);
    EXPECT_TRUE(rig->flags.max_results_reached.load());
    EXPECT_EQ(rig->flags.hits.load(), 20u);
    expect_counters(rig->counters, {{counter::out_records, 20}, {counter::out_written, 5}});
    const auto rows = rig->rows();
    ASSERT_EQ(rows.size(), 5u);
    for (uint32_t t = 1; t <= 5; ++t) EXPECT_EQ(rows.at(t), row_of(recs[t - 1], false, false));
}

// The stop order: while an RX lcore runs, empty rings do not end the loop (and the rows of a lull
// reach the file); records queued before the last RX lcore's exit are all handled before it ends.
TEST(OutputLoop, NeverStopsBeforeTheRxLcoresAndItsRingsAreDone) {
    auto rig = std::make_unique<output_rig>(2);
    rig->flags.rx_running.store(2);
    ASSERT_TRUE(test::launch_on_worker(*rig));
    std::vector<result_record> early, late;
    for (uint32_t t = 1; t <= 100; ++t) early.push_back(record(t, net_198_18 + t));
    for (uint32_t t = 101; t <= 150; ++t) late.push_back(record(t, net_198_18 + t));
    rig->put(0, early);
    EXPECT_TRUE(test::wait_until([&] { return rig->counters.get(counter::out_records) == 100; }));
    rig->flags.rx_running.fetch_sub(1, std::memory_order_release);       // one RX lcore left
    EXPECT_TRUE(test::wait_until([&] { return rig->lines() == 101; }));  // flushed in the lull
    EXPECT_EQ(rte_eal_get_lcore_state(test::worker_lcore()), RUNNING);
    rig->put(1, late);
    rig->flags.rx_running.fetch_sub(1, std::memory_order_release);  // as rx_loop ends
    EXPECT_EQ(rte_eal_wait_lcore(test::worker_lcore()), 0);
    expect_counters(rig->counters, {{counter::out_records, 150}, {counter::out_written, 150}});
    const auto rows = rig->rows();
    ASSERT_EQ(rows.size(), 150u);
    for (const auto* recs : {&early, &late})
        for (const result_record& r : *recs) EXPECT_EQ(rows.at(r.rtt_us), row_of(r, false, false));
}

// A file that cannot be written (a full disk): the loop still handles every record, says so, and
// counts every row it gave the file as lost.
TEST(OutputLoop, WriteFailureRaisesOutputFailed) {
    auto rig = std::make_unique<output_rig>(1, "", "/dev/full");
    rig->put(0, {record(1, net_198_18 + 1), record(2, net_198_18 + 2), record(3, net_198_18 + 3)});
    EXPECT_EQ((*rig)(), 0);
    EXPECT_TRUE(rig->flags.output_failed.load());
    expect_counters(rig->counters,
                    {{counter::out_records, 3}, {counter::out_written, 3}, {counter::out_write_lost, 3}});
}

}  // namespace
}  // namespace ics::dpdk
