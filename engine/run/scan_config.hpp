// A scan, fully described: built and validated once by the app, then read-only. Nothing here
// depends on DPDK; the driver turns it into ports, queues, lcores and rings.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "monitor/monitor_settings.hpp"
#include "net/arp.hpp"
#include "net/ip_family.hpp"
#include "output/fields.hpp"
#include "output/filter.hpp"
#include "output/record_writer.hpp"
#include "probe/cookie.hpp"
#include "run/run_mode.hpp"
#include "run/test_sizes.hpp"
#include "targets/interval_set.hpp"
#include "targets/ipv6_targets.hpp"
#include "targets/target_walk.hpp"
#include "trace/trace_plan.hpp"

namespace ics {

struct monitor_saved;  // monitor/monitor_checkpoint.hpp
struct journal_entry;  // trace/hop_journal.hpp

// Where the probes go: exactly one of iface (a kernel interface through af_packet), pci (a
// DPDK-bound NIC) or vdevs (DPDK virtual devices), or a dry run into a pcap file. Several vdevs
// are one link's queues opened as separate ports (e.g. an af_xdp socket per queue of a veth,
// whose channels DPDK's af_xdp driver cannot count): TX lcores take them in turn.
struct port_config {
    std::string iface;
    // With iface: RX reads each frame's kernel receive stamp from af_packet's ring (monitor mode,
    // and scans and traces at -r up to stamped_nap_max_rate: apps' check_host).
    bool kernel_stamps = false;
    // With iface, tests only (ICS_TEST_AF_PACKET_FRAMES, docs/testing.md): frames per af_packet
    // ring, to overrun it on purpose; 0: the driver's size.
    unsigned af_packet_frames = 0;
    std::string pci;
    std::vector<std::string> vdevs;
    std::string dryrun_pcap;
    std::string describe() const;
};

struct lcore_config {
    unsigned tx_cores = 1;
    unsigned rx_cores = 1;
    std::vector<unsigned> cpus;  // CPUs the lcores may run on (empty: this process's affinity)
    bool busy_poll = false;      // true: idle lcores spin instead of backing off
    bool no_huge = false;        // run DPDK without hugepages (slower, for small hosts and tests)
    unsigned mem_mb = 512;       // memory for --no-huge
    bool verbose_eal = false;
};

// --checkpoint / --resume (run/checkpoint.hpp): where the run keeps its checkpoint, how often,
// and a resumed run's starting positions (one per TX lcore; empty: from the start).
struct checkpoint_settings {
    std::string path;  // empty: no checkpoint
    double interval_s = 1;
    std::string resumed_from;  // the --resume file, if any
    std::vector<uint64_t> start_positions;
    // -M monitor: the books a resumed run starts from (null: from zero), and its first round
    // (the saved next round, moved up to a -Q summary period's start).
    std::shared_ptr<const monitor_saved> monitor_start;
    uint32_t first_round = 0;
    // -M trace: the hops of the run before (its journal's entries, null: none) and how many bytes
    // of the journal hold them (where this run's own entries go on).
    std::shared_ptr<const std::vector<journal_entry>> trace_hops;
    uint64_t journal_bytes = 0;
    uint64_t start(uint32_t sender) const {
        return sender < start_positions.size() ? start_positions[sender] : 0;
    }
    // Probes the run before a resume covered, every sender's together.
    uint64_t start_total() const {
        uint64_t n = 0;
        for (uint64_t p : start_positions) n += p;
        return n;
    }
};

struct scan_config {
    port_config port;
    lcore_config lcores;

    run_mode mode = run_mode::scan;
    std::string probe_type = "icmp_echo";
    interval_set targets;  // allowed targets (block list already subtracted)
    interval_set sources;  // -S
    std::optional<ipv4_addr> gateway_ip;
    // -6: the run's family is IPv6; its targets (-I, blocklist subtracted), sources (-S, in one
    // /64) and gateway (--gateway-ip) are these, and the IPv4 ones above stay empty.
    ip_family family = ip_family::ipv4;
    ipv6_target_list targets6;
    ipv6_range_set sources6;
    std::optional<ipv6_addr> gateway_ip6;
    std::optional<mac> gateway_mac;
    std::optional<mac> source_mac;

    uint64_t rate = 10000;       // probes per second in all; 0 = as fast as possible
    uint64_t bandwidth_bps = 0;  // -B, when given (rate is derived from it)
    uint32_t probes = 1;         // -P rounds
    uint64_t max_targets = 0;    // -n (0 = all)
    uint32_t shard = 0, shards = 1;
    uint64_t seed = 0;
    bool seed_given = false;
    cookie_key key{};  // random per scan
    uint8_t probe_ttl = 255;

    double cooldown_s = 8;
    double max_runtime_s = 0;  // 0 = none
    uint64_t max_results = 0;  // 0 = none
    unsigned gateway_arp_attempts = 3;

    trace_plan trace;          // -M trace
    monitor_settings monitor;  // -M monitor

    // Output. Paths only: the app opens the files once the run is about to send. In trace mode
    // -o receives the assembled paths and --replies-file (if given) the per-reply rows.
    std::string replies_path;
    std::string output_path = "-";
    output_format format = output_format::csv;
    std::vector<field_id> fields;
    std::string output_filter_text;
    output_filter filter;
    bool quiet = false;

    checkpoint_settings checkpoint;

    test_sizes test;  // tests only: 0 everywhere in a normal run

    bool tracing() const { return mode == run_mode::trace; }
    // The first source address (-S) of the run's family, as text.
    std::string first_source() const;
    // The targets of the run's family (the blocklist subtracted).
    uint64_t target_count() const;
    // TX lcore `thread` of `threads` in this shard: the positions it walks (targets/target_walk.hpp).
    walk_slice slice(uint32_t thread, uint32_t threads) const { return {shard, shards, thread, threads}; }
};

}  // namespace ics
