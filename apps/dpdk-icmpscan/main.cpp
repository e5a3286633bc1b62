// dpdk-icmpscan: parse, validate, run, report. The only place that prints errors and picks exit
// statuses: 0 done (also after a first SIGINT/SIGTERM, with every result flushed), 1 a runtime
// failure, 2 bad input; a second signal exits at once with 128 + the signal number.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>

#include <fmt/format.h>

#include "cli_options.hpp"
#include "config_builder.hpp"
#include "dpdk/driver.hpp"
#include "http/metrics_server.hpp"
#include "modes/plans.hpp"
#include "output/record_writer.hpp"
#include "output_files.hpp"
#include "probe/probe_types.hpp"
#include "run/metadata.hpp"
#include "run/summary.hpp"
#include "test_knobs.hpp"

namespace {

std::atomic<int> stop_signals{0};

extern "C" void on_stop_signal(int sig) {
    if (stop_signals.fetch_add(1) >= 1) _exit(128 + sig);
    static const char msg[] =
        "\ndpdk-icmpscan: stopping: finishing in-flight replies and writing results (signal again to quit at "
        "once)\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
}

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
}

// The fields of IPv4 records, or with -6 of IPv6 ones.
void list_output_fields(ics::ip_family family) {
    for (const auto& f : ics::all_fields())
        if (ics::field_in_family(f.id, family))
            std::printf("%-15s %7s: %.*s\n", std::string(f.name).c_str(),
                        f.type == ics::field_type::integer ? "int" : "string", int(f.description.size()),
                        f.description.data());
}

// --list-output-fields and --list-probe-modules print and end the run before anything is checked.
bool listed(const ics::app::cli_options& opts) {
    if (opts.list_output_fields) list_output_fields(opts.ipv6 ? ics::ip_family::ipv6 : ics::ip_family::ipv4);
    if (opts.list_probe_modules)
        for (const auto& n : ics::probe_type_names()) std::printf("%s\n", n.c_str());
    return opts.list_output_fields || opts.list_probe_modules;
}

// Which open file takes the per-reply rows and which the plan's own output: scan rows go to -o;
// trace and monitor rows to --replies-file, and their paths or summaries to -o. Monitor mode ends
// with fping's per-target lines on stderr, unless -q.
ics::dpdk::run_outputs outputs_of(const ics::scan_config& cfg, const ics::app::open_outputs& files,
                                  const ics::app::output_paths& paths) {
    if (cfg.mode == ics::run_mode::scan) return {files.output, paths.output, nullptr, nullptr};
    return {files.replies, paths.replies,     files.output, cfg.quiet ? nullptr : stderr,
            files.journal, paths.journal_kept};
}

// Why writing the -u rows failed, once one did: the run stops on it (on_progress returns false).
std::string status_file_failure(const std::string& path) {
    return fmt::format("writing the status updates to '{}' failed ({})", path,
                       ics::write_error_reason(errno));
}

// The driver's hooks: files opened only when the run is about to send, notes and status lines to
// stderr, status rows to -u (a failed one goes into `status_error`).
ics::dpdk::run_hooks make_hooks(const ics::app::built_config& built, ics::app::open_outputs& files,
                                std::string& status_error) {
    const ics::scan_config& cfg = built.cfg;
    ics::dpdk::run_hooks hooks;
    hooks.open_outputs = [&]() -> ics::result<ics::dpdk::run_outputs> {
        if (auto st = files.open(built.files); !st) return ics::error{st.error_message()};
        return outputs_of(cfg, files, built.files);
    };
    // --checkpoint: the rows (a trace: the hops) it claims reach the disk before it does.
    if (!built.files.checkpoint.empty())
        hooks.save_checkpoint = [&built, &files](const std::string& text) -> ics::status {
            if (files.output_sync_fd >= 0 && fdatasync(files.output_sync_fd) != 0)
                return ics::error{fmt::format("syncing the output file '{}' for a checkpoint failed ({})",
                                              built.files.output, ics::write_error_reason(errno))};
            if (files.journal_sync_fd >= 0 && fdatasync(files.journal_sync_fd) != 0)
                return ics::error{
                    fmt::format("syncing the trace's hop journal '{}' for a checkpoint failed ({})",
                                built.files.journal, ics::write_error_reason(errno))};
            return ics::app::write_whole_file(built.files.checkpoint, text, "the checkpoint file");
        };
    hooks.stop_signals = &stop_signals;
    hooks.on_note = [&cfg](const std::string& note) {
        if (!cfg.quiet) std::fprintf(stderr, "dpdk-icmpscan: %s\n", note.c_str());
    };
    hooks.on_progress = [&, header_written = false](const ics::progress_snapshot& now,
                                                    const ics::progress_snapshot& prev) mutable {
        if (!cfg.quiet) std::fprintf(stderr, "%s\n", ics::format_status_line(now, prev).c_str());
        if (!files.status_updates || !status_error.empty()) return status_error.empty();
        std::string rows = header_written ? "" : ics::status_update_header();
        header_written = true;
        rows += ics::format_status_update(now, prev);
        errno = 0;
        if (std::fputs(rows.c_str(), files.status_updates) < 0 || std::fflush(files.status_updates) != 0)
            status_error = status_file_failure(built.files.status_updates);
        return status_error.empty();
    };
    return hooks;
}

void announce(const ics::scan_config& cfg) {
    if (cfg.quiet) return;
    const ics::plan_size size = ics::size_of_plan(cfg);
    std::fprintf(stderr, "dpdk-icmpscan: probing %llu targets (%llu probes) at %s from %s through %s\n",
                 (unsigned long long)size.targets, (unsigned long long)size.probes,
                 cfg.rate ? fmt::format("{} pps", cfg.rate).c_str() : "full speed",
                 cfg.first_source().c_str(), cfg.port.describe().c_str());
    // A knob left set by accident must not pass for a normal run's losses.
    if (const std::string knobs = ics::app::describe_test_knobs(cfg); !knobs.empty())
        std::fprintf(stderr, "dpdk-icmpscan: test-only sizes from ICS_TEST_* in effect: %s\n", knobs.c_str());
}

// Why the run fails though it ran, or "": a file the driver wrote failed, else -u failed, else a file
// was removed during the run (checked now, with the files still open).
std::string run_failure(const ics::app::built_config& built, const ics::scan_report& report,
                        const ics::app::open_outputs& files, const std::string& status_error) {
    if (!report.output_error.empty()) return report.output_error;
    if (!status_error.empty()) return status_error;
    return files.removed_during_run(built.files);
}

// The failure as one sentence, with what the run did not finish and where the metadata is.
std::string failure_sentence(const ics::app::built_config& built, const ics::scan_report& report,
                             const std::string& failure) {
    std::string s = failure;
    const bool unbounded = built.cfg.mode == ics::run_mode::monitor && built.cfg.monitor.count == 0;
    if (report.stop_reason == ics::run_end::output_error)
        s += unbounded ? fmt::format("; the run stopped there, after {} probes", report.probes_sent())
                       : fmt::format("; the run stopped there, with {} of {} probes sent",
                                     report.probes_sent(), report.probes_planned);
    if (!built.files.metadata.empty())
        s += fmt::format(" (the metadata, {}, says what was sent and received)",
                         built.files.metadata == "-" ? "on stdout" : "'" + built.files.metadata + "'");
    return s;
}

// The metadata file (whole or not at all: a reader never sees half of it), then the summary, or
// one sentence saying what failed (exit 1): a file that could not be written or was removed, with
// the metadata still written whole and saying so (output_error) where it can be.
int report_run(const ics::app::built_config& built, ics::scan_report report,
               const ics::app::open_outputs& files, const std::string& status_error) {
    const std::string failure = run_failure(built, report, files, status_error);
    report.output_error = failure;
    if (!built.files.metadata.empty()) {
        const std::string md = ics::build_metadata(built.cfg, report, ICS_VERSION).dump(2) + "\n";
        if (auto st = ics::app::write_whole_file(built.files.metadata, md, "the metadata file"); !st) {
            std::fprintf(stderr, "dpdk-icmpscan: %s%s\n", failure.empty() ? "" : (failure + ", and ").c_str(),
                         st.error_message().c_str());
            return 1;
        }
    }
    if (!failure.empty()) {  // no summary of rows that were not all kept
        std::fprintf(stderr, "dpdk-icmpscan: %s\n", failure_sentence(built, report, failure).c_str());
        return 1;
    }
    for (const std::string& line : ics::format_summary(built.cfg, report))
        std::fprintf(stderr, "dpdk-icmpscan: %s\n", line.c_str());
    return 0;
}

}  // namespace

// The pipeline: parse, validate and check the host (build_config), run (the driver opens the
// files once everything else has passed), report.
static int run(int argc, char** argv) {
    auto parsed = ics::app::parse_command_line(argc, argv);
    if (!parsed.options) return parsed.exit_status;
    if (listed(*parsed.options)) return 0;
    auto built = ics::app::build_config(*parsed.options);
    if (!built) {
        std::fprintf(stderr, "dpdk-icmpscan: %s\n", built.error_message().c_str());
        return 2;
    }
    // --prometheus: the endpoint listens before anything is sent (a port in use is bad input).
    ics::snapshot_exchange<ics::metrics_snapshot> metrics;
    std::unique_ptr<ics::metrics_server> server;
    if (!built->cfg.monitor.prometheus.empty()) {
        auto started = ics::start_metrics_server(built->cfg.monitor.prometheus, metrics);
        if (!started) {
            std::fprintf(stderr, "dpdk-icmpscan: %s\n", started.error_message().c_str());
            return 2;
        }
        server = std::move(*started);
    }
    install_signal_handlers();
    announce(built->cfg);
    ics::app::open_outputs files;  // closed when run() returns
    std::string status_error;      // -u failed: set by the hook
    ics::dpdk::run_hooks hooks = make_hooks(*built, files, status_error);
    if (server) hooks.metrics = &metrics;
    auto report = ics::dpdk::run_scan(built->cfg, hooks);
    if (!report) {
        std::fprintf(stderr, "dpdk-icmpscan: %s\n", report.error_message().c_str());
        return 1;
    }
    return report_run(*built, std::move(*report), files, status_error);
}

int main(int argc, char** argv) {
    // Library code reports errors as values; what can still throw is running out of memory (the
    // de-duplication bitmap for a huge target set) or a library failure: one sentence, exit 1.
    try {
        return run(argc, argv);
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "dpdk-icmpscan: out of memory: scan fewer targets at once (-n, --shards)\n");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dpdk-icmpscan: %s\n", e.what());
    }
    return 1;
}
