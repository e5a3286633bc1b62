// The command line as typed: ZMap's flag names and defaults where ZMap has the flag, plus the
// DPDK placement flags. Only parsing here; meaning and validation are in config_builder. Values,
// numbers included, are kept as text so that config_builder judges them (a negative count or a
// word where a number belongs) in its own sentences.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ics::app {

// The help group of the options only -M trace uses; refused in any other mode.
inline constexpr std::string_view trace_only_group = "Trace mode (-M trace; refused in other modes)";
// The per-reply rows beside the mode's own -o (trace's paths, monitor's summaries).
inline constexpr std::string_view replies_group =
    "Reply rows (-M trace and -M monitor; refused in scan mode)";
// Likewise for -M monitor.
inline constexpr std::string_view monitor_only_group = "Monitor mode (-M monitor; refused in other modes)";
// Checkpoints, which only scan mode keeps so far.
inline constexpr std::string_view checkpoint_group =
    "Checkpoints (-M scan and -M monitor; refused in -M trace)";

struct cli_options {
    std::vector<std::string> targets;
    std::string mode = "scan";
    std::string probe_module = "icmp_echo";
    std::string interface, pci, dryrun;
    std::vector<std::string> vdev;        // one device per --vdev
    std::vector<std::string> source_ips;  // one -S each: an address, range, CIDR or comma list
    std::string gateway_ip, gateway_mac, source_mac;
    std::string rate = "10000";
    std::string bandwidth;
    std::string probes = "1";
    std::string max_targets;
    std::string seed;
    std::string shards = "1", shard = "0";
    std::string allowlist_file, list_of_ips_file;
    std::optional<std::string> blocklist_file;
    std::string probe_ttl = "255";
    bool ipv6 = false;            // -6
    std::string ipv6_per_prefix;  // -6: how many addresses each prefix line makes
    std::string cooldown = "8", max_runtime = "0";
    std::string max_results = "0";
    std::string output_file = "-", output_fields;
    std::optional<std::string> output_module, output_filter;  // defaults depend on the mode
    // Trace mode.
    std::string min_ttl = "1", max_ttl = "16", gap_limit = "5", stop_set = "1";
    std::string trace_order = "random";
    bool preprobe = false;
    std::string preprobe_wait = "1";
    std::string replies_file, replies_format = "csv";
    // Monitor mode.
    std::string period = "1s", count = "0", timeout = "1s", summary_interval, down_after = "3";
    std::string prometheus, metrics_targets = "1000", group_by = "/24";
    std::string metadata_file, status_updates_file;
    std::string checkpoint, checkpoint_interval = "1", resume;
    bool quiet = false, list_output_fields = false, list_probe_modules = false;
    std::string tx_cores = "1", rx_cores = "1";
    std::string cpus;
    bool busy_poll = false, no_huge = false, verbose_eal = false;
    bool af_xdp = false;
    std::string memory_mb = "512";

    // The long name of every option the parser counted at least once ("--max-ttl"), with the help
    // group it was declared in: a mode's group (trace_only_group) is the one list of that mode's
    // flags, both in --help and where config_builder refuses them in another mode.
    std::map<std::string, std::string, std::less<>> given;
    bool was_given(std::string_view long_name) const { return given.count(long_name) != 0; }
    // The options given from `group`, by long name.
    std::vector<std::string> given_in_group(std::string_view group) const;
    // Every option value as (flag as "-o/--output-file", value), in command-line order: lets
    // "no targets" say which flag took them.
    std::vector<std::pair<std::string, std::string>> values;
};

// Parses argv. Returns the options, or an exit status (0 after --help/--version, 2 on bad usage)
// after printing what is needed.
struct parse_outcome {
    std::optional<cli_options> options;
    int exit_status = 0;
};
parse_outcome parse_command_line(int argc, char** argv);

}  // namespace ics::app
