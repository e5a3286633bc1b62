// The whole run (run_plan.cpp, run_control.hpp: launch order, control loop, stop) through the
// driver's one entry point, run_scan, into net_null (no root, no replies): a run that sends
// everything completes; a --max-runtime and a signal end sending early, each under its own stop
// reason; in each case the files are opened once, before the first probe, and the counters add
// up; monitor mode closes every round it sent and writes what its books say. EAL starts once per
// process, so each test runs alone: meson runs this program once per test, with a filter, and
// main fails unless exactly one test ran.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "dpdk/driver.hpp"

namespace ics::dpdk {
namespace {

// A scan of 198.18.0.0/`prefix` from 198.19.255.1 into net_null, without hugepages.
scan_config null_scan(unsigned prefix, uint64_t rate) {
    scan_config cfg;
    cfg.port.vdevs = {"net_null0,no-rx=1"};
    cfg.lcores.no_huge = true;
    cfg.targets = interval_set({{0xc6120000, 0xc6120000 + (uint32_t(1) << (32 - prefix)) - 1}});
    cfg.sources = interval_set({{0xc613ff01, 0xc613ff01}});
    cfg.gateway_mac = mac{0x02, 0, 0, 0, 0, 0xfe};
    cfg.rate = rate;
    cfg.cooldown_s = 0;
    cfg.key = {0x1111, 0x2222};
    cfg.fields = *parse_field_list(default_field_list());
    return cfg;
}

// What the hooks saw: how often the files were opened, the last status, and the file itself.
struct hook_log {
    std::atomic<int> signals{0};
    unsigned opened = 0;
    progress_snapshot last;
    unsigned statuses = 0;
    std::FILE* rows = std::tmpfile();
    ~hook_log() { std::fclose(rows); }

    run_hooks hooks() {
        run_hooks h;
        h.stop_signals = &signals;
        h.open_outputs = [this]() -> result<run_outputs> {
            ++opened;
            return run_outputs{rows, "rows", nullptr};
        };
        h.on_progress = [this](const progress_snapshot& now, const progress_snapshot&) {
            last = now;
            ++statuses;
            return true;
        };
        return h;
    }
};

// Counters no run into net_null may move: nothing comes back, nothing is dropped.
void expect_quiet(const scan_report& r) {
    for (size_t i = 0; i < counter_count; ++i)
        EXPECT_TRUE(counter(i) == counter::tx_probes || r.counters.values[i] == 0)
            << counter_infos[i].name << " " << r.counters.values[i];
    EXPECT_EQ(r.hits, 0u);
}

TEST(Run, CompletesWhenEveryProbeIsSent) {
    scan_config cfg = null_scan(22, 0);
    cfg.probes = 2;
    hook_log log;
    const result<scan_report> r = run_scan(cfg, log.hooks());
    ASSERT_TRUE(r) << r.error_message();
    EXPECT_EQ(r->stop_reason, run_end::completed);
    EXPECT_TRUE(r->completed);
    EXPECT_EQ(r->probes_planned, 2048u);
    EXPECT_EQ(r->probes_sent(), 2048u);
    EXPECT_EQ(r->targets_probed, 1024u);
    expect_quiet(*r);
    EXPECT_EQ(log.opened, 1u);
    EXPECT_GE(log.statuses, 1u);  // at least the closing one, with the final counts
    EXPECT_EQ(log.last.sent, 2048u);
    EXPECT_FALSE(log.last.sending);
    EXPECT_LE(r->start_wall_ns, r->send_end_wall_ns);
    EXPECT_LE(r->send_end_wall_ns, r->end_wall_ns);
    EXPECT_EQ(r->ports.size(), 1u);
    EXPECT_EQ(r->ports[0].tx_packets, 2048u);
}

// 65,536 probes at 1,000 a second cannot finish in 0.3 s: sending ends at the limit, and the
// report says why and that not every probe went out.
TEST(Run, MaxRuntimeEndsSending) {
    scan_config cfg = null_scan(16, 1000);
    cfg.max_runtime_s = 0.3;
    hook_log log;
    const result<scan_report> r = run_scan(cfg, log.hooks());
    ASSERT_TRUE(r) << r.error_message();
    EXPECT_EQ(r->stop_reason, run_end::max_runtime);
    EXPECT_FALSE(r->completed);
    EXPECT_EQ(r->probes_planned, 65536u);
    EXPECT_LT(r->probes_sent(), 65536u);
    EXPECT_EQ(r->ports[0].tx_packets, r->probes_sent());
    EXPECT_EQ(r->targets_probed, r->probes_sent());
    expect_quiet(*r);
    EXPECT_EQ(log.opened, 1u);
}

// A signal during sending (raised at the first status line): sending ends under the stop reason
// "signal", the cooldown is cut to at most a second, and every lcore stops.
TEST(Run, SignalEndsSending) {
    scan_config cfg = null_scan(16, 1000);
    cfg.cooldown_s = 30;
    hook_log log;
    run_hooks hooks = log.hooks();
    hooks.on_progress = [&log](const progress_snapshot& now, const progress_snapshot&) {
        log.last = now;
        ++log.statuses;
        log.signals.store(1);
        return true;
    };
    const result<scan_report> r = run_scan(cfg, hooks);
    ASSERT_TRUE(r) << r.error_message();
    EXPECT_EQ(r->stop_reason, run_end::signal);
    EXPECT_FALSE(r->completed);
    EXPECT_LT(r->probes_sent(), 65536u);
    EXPECT_EQ(r->ports[0].tx_packets, r->probes_sent());
    expect_quiet(*r);
    // The cooldown after a signal lasts at most a second, not the 30 asked: a bound of 10 s tells
    // the two apart however loaded the machine is.
    EXPECT_LE(r->end_wall_ns - r->send_end_wall_ns, 10000000000u);
}

// Monitor mode through run_scan into net_null: 16 targets, 3 rounds 100 ms apart, nothing comes
// back. Every round of every target closes lost (the last ones in finish), one summary per target
// and round (-Q = the period), each target down once after 2 losses, fping's lines 3/0/100%.
TEST(Run, MonitorClosesEveryRoundSent) {
    scan_config cfg = null_scan(28, 0);
    cfg.mode = run_mode::monitor;
    cfg.monitor.period_us = 100000;
    cfg.monitor.count = 3;
    cfg.monitor.timeout_us = 100000;
    cfg.monitor.summary_us = 100000;
    cfg.monitor.down_after = 2;
    cfg.cooldown_s = 0.15;
    hook_log log;
    std::FILE* json_file = std::tmpfile();
    std::FILE* text_file = std::tmpfile();
    run_hooks hooks = log.hooks();
    hooks.open_outputs = [&]() -> result<run_outputs> {
        ++log.opened;
        return run_outputs{nullptr, "", json_file, text_file};
    };
    const result<scan_report> r = run_scan(cfg, hooks);
    ASSERT_TRUE(r) << r.error_message();
    EXPECT_EQ(r->stop_reason, run_end::completed);
    EXPECT_EQ(r->probes_planned, 48u);
    EXPECT_EQ(r->probes_sent(), 48u);
    EXPECT_EQ(r->ports[0].tx_packets, 48u);
    expect_quiet(*r);
    EXPECT_EQ(log.opened, 1u);
    ASSERT_TRUE(r->monitor.has_value());
    EXPECT_EQ(r->monitor->rounds_closed, 48u);
    EXPECT_EQ(r->monitor->received, 0u);
    EXPECT_EQ(r->monitor->lost, 48u);
    EXPECT_EQ(r->monitor->summaries, 48u);
    EXPECT_EQ(r->monitor->outages, 16u);
    EXPECT_EQ(r->monitor->targets_down, 16u);
    ASSERT_TRUE(r->lateness.has_value());
    EXPECT_GE(r->lateness->bursts, 1u);
    EXPECT_TRUE(r->output_error.empty()) << r->output_error;

    std::fflush(json_file);
    std::rewind(json_file);
    char buf[1024];
    std::map<std::string, std::vector<std::string>> lines;  // by target, in order
    while (std::fgets(buf, sizeof buf, json_file)) {
        const std::string line(buf);
        const size_t at = line.find("\"target\":\"") + 10;
        lines[line.substr(at, line.find('"', at) - at)].push_back(line);
    }
    ASSERT_EQ(lines.size(), 16u);
    for (const auto& [target, got] : lines) {
        // Round 0's summary; at round 1's close the down event, then its summary; round 2's.
        ASSERT_EQ(got.size(), 4u) << target;
        EXPECT_NE(got[1].find(R"({"type":"down")"), std::string::npos) << got[1];
        EXPECT_NE(got[1].find(R"("first_lost_round":0,"round":1,"lost_rounds":2)"), std::string::npos)
            << got[1];
        for (size_t k : {0, 2, 3}) {
            const std::string want = R"("first_round":)" + std::to_string(k ? k - 1 : 0) +
                                     R"(,"rounds":1,"sent":1,"received":0,"lost":1,"loss_pct":100.000,)"
                                     R"("duplicates":0,"late":0})";
            EXPECT_NE(got[k].find(R"({"type":"summary")"), std::string::npos) << got[k];
            EXPECT_NE(got[k].find(want), std::string::npos) << got[k];
        }
    }
    std::fflush(text_file);
    std::rewind(text_file);
    for (uint32_t i = 0; i < 16; ++i) {
        ASSERT_TRUE(std::fgets(buf, sizeof buf, text_file));
        std::string name = "198.18.0." + std::to_string(i);
        name.resize(11, ' ');
        EXPECT_EQ(std::string(buf), name + " : xmt/rcv/%loss = 3/0/100%\n");
    }
    EXPECT_FALSE(std::fgets(buf, sizeof buf, text_file));
    std::fclose(json_file);
    std::fclose(text_file);
}

// A rows file that cannot be written (/dev/full: the header's first flush fails, as net_null
// brings no replies) ends sending early under its own reason, names the file with its errno, and
// still reports what was sent.
TEST(Run, AFailedRowsFileEndsSending) {
    scan_config cfg = null_scan(16, 1000);
    cfg.cooldown_s = 30;
    hook_log log;
    std::FILE* full = std::fopen("/dev/full", "w");
    ASSERT_NE(full, nullptr);
    run_hooks hooks = log.hooks();
    hooks.open_outputs = [&]() -> result<run_outputs> { return run_outputs{full, "/dev/full", nullptr}; };
    const result<scan_report> r = run_scan(cfg, hooks);
    ASSERT_TRUE(r) << r.error_message();
    EXPECT_EQ(r->stop_reason, run_end::output_error);
    EXPECT_FALSE(r->completed);
    EXPECT_LT(r->probes_sent(), 65536u);
    EXPECT_EQ(r->ports[0].tx_packets, r->probes_sent());
    EXPECT_EQ(r->output_error, "writing the results to '/dev/full' failed (No space left on device)");
    // At most a second of cooldown after the failure, not the 30 asked (10 s bounds it on any load).
    EXPECT_LE(r->end_wall_ns - r->send_end_wall_ns, 10000000000u);
    std::fclose(full);
}

// A status hook that fails (the app's -u) ends sending early too; the app names the file.
TEST(Run, AFailedStatusHookEndsSending) {
    scan_config cfg = null_scan(16, 1000);
    hook_log log;
    run_hooks hooks = log.hooks();
    hooks.on_progress = [&log](const progress_snapshot& now, const progress_snapshot&) {
        log.last = now;
        ++log.statuses;
        return false;
    };
    const result<scan_report> r = run_scan(cfg, hooks);
    ASSERT_TRUE(r) << r.error_message();
    EXPECT_EQ(r->stop_reason, run_end::output_error);
    EXPECT_FALSE(r->completed);
    EXPECT_LT(r->probes_sent(), 65536u);
    EXPECT_TRUE(r->output_error.empty()) << "the driver wrote no file that failed";
    expect_quiet(*r);
}

// Monitor mode without --count never ends by itself: summaries that cannot be written (-o on
// /dev/full) end it, under the failure's reason, with every round it sent closed.
TEST(Run, AFailedSummaryEndsAMonitorWithoutCount) {
    scan_config cfg = null_scan(28, 0);
    cfg.mode = run_mode::monitor;
    cfg.output_path = "/dev/full";
    cfg.monitor.period_us = 100000;
    cfg.monitor.count = 0;
    cfg.monitor.timeout_us = 100000;
    cfg.monitor.summary_us = 100000;
    cfg.cooldown_s = 0.15;
    hook_log log;
    std::FILE* full = std::fopen("/dev/full", "w");
    ASSERT_NE(full, nullptr);
    run_hooks hooks = log.hooks();
    hooks.open_outputs = [&]() -> result<run_outputs> { return run_outputs{nullptr, "", full, nullptr}; };
    const result<scan_report> r = run_scan(cfg, hooks);
    ASSERT_TRUE(r) << r.error_message();
    EXPECT_EQ(r->stop_reason, run_end::output_error);
    EXPECT_FALSE(r->completed) << "no planned probes, but ended by a failure";
    EXPECT_GE(r->probes_sent(), 16u);
    ASSERT_TRUE(r->monitor.has_value());
    EXPECT_EQ(r->monitor->rounds_closed, r->probes_sent());
    EXPECT_EQ(r->output_error,
              "writing the monitor summaries to '/dev/full' failed (No space left on device)");
    std::fclose(full);
}

}  // namespace
}  // namespace ics::dpdk

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    // One run per process (EAL starts once): a filter that matched nothing or several is an error.
    if (testing::UnitTest::GetInstance()->test_to_run_count() != 1) {
        std::fprintf(stderr, "run_test: give --gtest_filter naming exactly one test\n");
        return 1;
    }
    return rc;
}
