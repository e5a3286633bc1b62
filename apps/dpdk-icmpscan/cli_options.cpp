#include "cli_options.hpp"

#include <cstdio>

#include <CLI/CLI.hpp>

namespace ics::app {

parse_outcome parse_command_line(int argc, char** argv) {
    cli_options o;
    CLI::App app{"dpdk-icmpscan: a kernel-bypass ICMP scanner (ZMap-compatible flags and output)",
                 "dpdk-icmpscan"};
    app.set_version_flag("-V,--version", ICS_VERSION);
    app.get_formatter()->column_width(34);

    app.add_option("targets", o.targets, "targets: CIDR blocks, addresses, ranges A.B.C.D-E.F.G.H");
    auto* basic = "Basic arguments";
    app.add_option("-M,--mode", o.mode, "scan (reachability) or trace (paths); monitor is planned")
        ->group(basic)
        ->capture_default_str();
    app.add_option("-r,--rate", o.rate, "probes per second in all (0: as fast as possible)")
        ->group(basic)
        ->capture_default_str();
    app.add_option("-B,--bandwidth", o.bandwidth,
                   "send rate as bandwidth (bits/s; suffixes K, M, G); overrides -r")
        ->group(basic);
    app.add_option("-n,--max-targets", o.max_targets,
                   "probe at most N targets (a number, or N% of the target set)")
        ->group(basic);
    app.add_option("-t,--max-runtime", o.max_runtime, "stop sending after this many seconds")->group(basic);
    app.add_option("-N,--max-results", o.max_results, "stop after this many results are written")
        ->group(basic);
    app.add_option("-c,--cooldown-time", o.cooldown, "seconds to keep receiving after sending ends")
        ->group(basic)
        ->capture_default_str();
    app.add_option("-e,--seed", o.seed, "seed of the target permutation (same seed, same order)")
        ->group(basic);
    app.add_option("--shards", o.shards, "split the scan into this many shards (one per machine)")
        ->group(basic)
        ->capture_default_str();
    app.add_option("--shard", o.shard, "which shard this scan is (0 to shards-1)")
        ->group(basic)
        ->capture_default_str();
    app.add_option("-o,--output-file", o.output_file, "write results here ('-': stdout)")
        ->group(basic)
        ->capture_default_str();
    app.add_option(
           "-b,--blocklist-file", o.blocklist_file,
           "addresses never to probe; replaces the built-in IANA special-purpose list (/dev/null: none)")
        ->group(basic);
    app.add_option("-w,--allowlist-file", o.allowlist_file, "file of targets (CIDRs, addresses, ranges)")
        ->group(basic);
    app.add_option("-I,--list-of-ips", o.list_of_ips_file, "file of individual target addresses")
        ->group(basic);
    app.add_option("-P,--probes", o.probes,
                   "probe rounds: each target (trace: each hop) is probed this many times")
        ->group(basic)
        ->capture_default_str();
    app.add_option("--probe-ttl", o.probe_ttl, "IP TTL of probes")->group(basic)->capture_default_str();
    app.add_option("--probe-module", o.probe_module, "probe type (see --list-probe-modules)")
        ->group(basic)
        ->capture_default_str();
    app.add_flag("--list-probe-modules", o.list_probe_modules, "list probe types and exit")->group(basic);

    auto* trace = "Trace mode (-M trace)";
    app.add_option("--min-ttl", o.min_ttl, "first TTL probed")->group(trace)->capture_default_str();
    app.add_option("--max-ttl", o.max_ttl, "last TTL probed (at most 63)")
        ->group(trace)
        ->capture_default_str();
    app.add_option("--trace-order", o.trace_order,
                   "random: every (target, TTL) in one keyed random order; ttl: all targets TTL by TTL")
        ->group(trace)
        ->capture_default_str();
    app.add_flag("--preprobe", o.preprobe,
                 "estimate each target's distance first, then probe backwards from it with a stop set")
        ->group(trace);
    app.add_option("--stop-set", o.stop_set,
                   "with --preprobe: stop probing lower TTLs once a hop was seen on the way to this many "
                   "other targets (0: never)")
        ->group(trace)
        ->capture_default_str();
    app.add_option("--preprobe-wait", o.preprobe_wait, "seconds to wait for preprobe replies")
        ->group(trace)
        ->capture_default_str();
    app.add_option("--gap-limit", o.gap_limit, "silent TTLs in a row that end a path (as scamper -g)")
        ->group(trace)
        ->capture_default_str();
    app.add_option("--replies-file", o.replies_file,
                   "also write every reply as a row here (-f, --output-filter)")
        ->group(trace);
    app.add_option("--replies-format", o.replies_format, "csv or json (JSON lines) for --replies-file")
        ->group(trace)
        ->capture_default_str();

    auto* net = "Network";
    app.add_option("-i,--interface", o.interface, "kernel interface to own through DPDK's af_packet PMD")
        ->group(net);
    app.add_flag("--af-xdp", o.af_xdp,
                 "with -i: use AF_XDP sockets instead of af_packet, one on each queue of the interface "
                 "(TX lcores take the first, ARP answers the next if one is left; RX polls all)")
        ->group(net);
    app.add_option("--pci", o.pci, "PCI address of a DPDK-bound NIC (e.g. 0000:3b:00.0)")->group(net);
    app.add_option("--vdev", o.vdev,
                   "any DPDK virtual device (e.g. net_null0); repeat it for queues of one link opened as "
                   "separate ports, which TX lcores take in turn")
        ->group(net);
    app.add_option("-S,--source-ip", o.source_ips,
                   "source addresses: addresses, ranges or CIDRs, comma separated")
        ->group(net)
        ->delimiter(',');
    app.add_option("--gateway-ip", o.gateway_ip, "gateway to resolve by ARP")->group(net);
    app.add_option("-G,--gateway-mac", o.gateway_mac, "gateway MAC (skips ARP)")->group(net);
    app.add_option("--source-mac", o.source_mac, "source MAC (default: the port's)")->group(net);
    app.add_option("--dryrun", o.dryrun, "write the probes to this pcap file instead of sending them")
        ->group(net);

    auto* out = "Output";
    app.add_option("-O,--output-module", o.output_module,
                   "csv or json (JSON lines); trace mode writes paths as scamper-style JSON (json)")
        ->group(out);
    app.add_option("-f,--output-fields", o.output_fields,
                   "comma-separated fields (see --list-output-fields; * for all)")
        ->group(out);
    app.add_flag("--list-output-fields", o.list_output_fields, "list the output fields and exit")->group(out);
    app.add_option("--output-filter", o.output_filter,
                   "ZMap filter expression; '' keeps every reply (default: \"success = 1 && repeat = 0\"; "
                   "trace: \"repeat = 0\")")
        ->group(out);
    app.add_option("-m,--metadata-file", o.metadata_file, "write scan metadata (JSON) here")->group(out);
    app.add_option("-u,--status-updates-file", o.status_updates_file,
                   "write per-second status rows (CSV) here")
        ->group(out);
    app.add_flag("-q,--quiet", o.quiet, "no status line")->group(out);

    auto* dp = "DPDK placement";
    app.add_option("--tx-cores", o.tx_cores, "sender lcores (one TX queue each)")
        ->group(dp)
        ->capture_default_str();
    app.add_option("--rx-cores", o.rx_cores, "receiver lcores")->group(dp)->capture_default_str();
    app.add_option("--cpus", o.cpus, "CPUs for the lcores, e.g. 2-5 (default: all this process may use)")
        ->group(dp);
    app.add_flag("--busy-poll", o.busy_poll, "never back off when idle (dedicated hosts)")->group(dp);
    app.add_flag("--no-huge", o.no_huge, "run DPDK without hugepages (slower)")->group(dp);
    app.add_option("--memory", o.memory_mb, "MB of memory with --no-huge")->group(dp)->capture_default_str();
    app.add_flag("--verbose-eal", o.verbose_eal, "let DPDK (and libbpf, libxdp) log its start-up")->group(dp);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        std::fputs(app.help().c_str(), stdout);
        return {std::nullopt, 0};
    } catch (const CLI::CallForVersion& e) {
        std::printf("dpdk-icmpscan %s\n", ICS_VERSION);
        return {std::nullopt, 0};
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "dpdk-icmpscan: %s (see --help)\n", e.what());
        return {std::nullopt, 2};
    }
    return {o, 0};
}

}  // namespace ics::app
