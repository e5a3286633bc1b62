// dpdk-icmpscan: parse, validate, run, report. The only place that prints errors and picks exit
// statuses: 0 done (also after a first SIGINT/SIGTERM, with every result flushed), 1 a runtime
// failure, 2 bad input; a second signal exits at once with 128 + the signal number.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include <fmt/format.h>

#include "cli_options.hpp"
#include "config_builder.hpp"
#include "dpdk/scan_runner.hpp"
#include "output/metadata.hpp"
#include "output/summary.hpp"
#include "output_files.hpp"
#include "probe/probe_types.hpp"

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

void list_output_fields() {
    for (const auto& f : ics::all_fields())
        std::printf("%-15s %7s: %.*s\n", std::string(f.name).c_str(),
                    f.type == ics::field_type::integer ? "int" : "string", int(f.description.size()),
                    f.description.data());
}

}  // namespace

static int run(int argc, char** argv) {
    auto parsed = ics::app::parse_command_line(argc, argv);
    if (!parsed.options) return parsed.exit_status;
    const ics::app::cli_options& opts = *parsed.options;
    if (opts.list_output_fields) {
        list_output_fields();
        return 0;
    }
    if (opts.list_probe_modules) {
        for (const auto& n : ics::probe_type_names()) std::printf("%s\n", n.c_str());
        return 0;
    }
    auto built = ics::app::build_config(opts);
    if (!built) {
        std::fprintf(stderr, "dpdk-icmpscan: %s\n", built.error_message().c_str());
        return 2;
    }
    const ics::scan_config& cfg = built->cfg;
    install_signal_handlers();

    // Opened by the driver's call, once the run is about to send; closed when run() returns.
    ics::app::open_outputs files;
    ics::dpdk::run_hooks hooks;
    hooks.open_outputs = [&]() -> ics::result<ics::dpdk::run_outputs> {
        if (auto st = files.open(built->files); !st) return ics::error{st.error_message()};
        return ics::dpdk::run_outputs{files.output, files.replies};
    };
    hooks.stop_signals = &stop_signals;
    hooks.on_note = [&](const std::string& note) {
        if (!cfg.quiet) std::fprintf(stderr, "dpdk-icmpscan: %s\n", note.c_str());
    };
    bool status_header_written = false;
    hooks.on_progress = [&](const ics::progress_snapshot& now, const ics::progress_snapshot& prev) {
        if (!cfg.quiet) std::fprintf(stderr, "%s\n", ics::format_status_line(now, prev).c_str());
        if (files.status_updates) {
            if (!status_header_written) std::fputs(ics::status_update_header().c_str(), files.status_updates);
            status_header_written = true;
            std::fputs(ics::format_status_update(now, prev).c_str(), files.status_updates);
            std::fflush(files.status_updates);
        }
    };
    if (!cfg.quiet)
        std::fprintf(stderr, "dpdk-icmpscan: probing %llu targets (%llu probes) at %s from %s through %s\n",
                     (unsigned long long)cfg.targets_to_probe(), (unsigned long long)cfg.probes_to_send(),
                     cfg.rate ? fmt::format("{} pps", cfg.rate).c_str() : "full speed",
                     ics::format_ipv4(cfg.sources.ranges()[0].first).c_str(), cfg.port.describe().c_str());

    auto report = ics::dpdk::run_scan(cfg, hooks);
    if (!report) {
        std::fprintf(stderr, "dpdk-icmpscan: %s\n", report.error_message().c_str());
        return 1;
    }
    if (!built->files.metadata.empty()) {
        // Whole or not at all: a reader of the file never sees half of it.
        const std::string md = ics::build_metadata(cfg, *report, ICS_VERSION).dump(2) + "\n";
        if (auto st = ics::app::write_whole_file(built->files.metadata, md); !st) {
            std::fprintf(stderr, "dpdk-icmpscan: %s\n", st.error_message().c_str());
            return 1;
        }
    }
    for (const std::string& line : ics::format_summary(cfg, *report))
        std::fprintf(stderr, "dpdk-icmpscan: %s\n", line.c_str());
    return 0;
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
