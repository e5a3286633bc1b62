// A scan's checkpoint (--checkpoint, --resume): what a run that stopped (kill -9, a crash, a reboot)
// needs to finish without probing again what is already in its output. It holds each sender's
// permutation position up to which every probe's replies are flushed to the output (their
// cooldown passed), and the identity of the run that wrote it: a resume of another target set,
// seed, shard, sender count, probe type or (a trace) TTL range or order would probe other targets,
// so it is refused.
// Written as a small JSON file, replaced atomically (docs/usage.md, "Checkpoints"). A monitor's
// checkpoint holds its books instead of positions: the JSON, then a table of every target's counters.
// A trace's names how much of its hop journal to read back (the paths are written only at its end).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "monitor/monitor_checkpoint.hpp"
#include "run/scan_config.hpp"
#include "util/result.hpp"

namespace ics {

// What makes two runs walk the same probes in the same order.
struct run_identity {
    std::string mode;        // run_mode_name
    std::string probe_type;  // --probe-module
    uint64_t seed = 0;
    uint64_t targets = 0;              // addresses in the target set (blocklist subtracted)
    uint64_t targets_fingerprint = 0;  // of its ranges (target_set_fingerprint)
    uint64_t max_targets = 0;          // -n (0: all)
    uint32_t probes = 1;               // -P
    uint32_t shard = 0, shards = 1;
    uint32_t senders = 1;  // TX lcores: each walks its own slice (monitor: 0, its books are per target)
    // -M trace: the TTLs and the order, which give the walk its positions (empty and 0 otherwise).
    std::string trace_order;
    uint32_t min_ttl = 0, max_ttl = 0;
    bool operator==(const run_identity&) const = default;
};

// FNV-1a over the ranges' bounds: equal sets, equal fingerprints; a changed range, another one.
uint64_t target_set_fingerprint(const interval_set& targets);
// The same over an IPv6 list's addresses (-6), a 64-bit half at a time.
uint64_t target_set_fingerprint(const ipv6_target_list& targets);
run_identity identity_of(const scan_config& cfg);

struct checkpoint {
    run_identity identity;
    // Each sender's positions (probes of its slice, in walk order) whose replies are in the output.
    std::vector<uint64_t> positions;
    uint64_t planned = 0;  // probes the whole run sends (every sender, every round)
    uint64_t wall_ns = 0;  // when it was written
    // -M monitor: its books (monitor/monitor_checkpoint.hpp) instead of positions.
    std::shared_ptr<monitor_saved> monitor;
    // -M trace: how many bytes of its hop journal (trace/hop_journal.hpp, the checkpoint's path and
    // ".hops") hold the hops of the probes the positions cover, and maybe more.
    std::optional<uint64_t> journal_bytes;
    uint64_t covered() const;
    bool complete() const { return monitor ? monitor->complete() : covered() >= planned; }
};

std::string format_checkpoint(const checkpoint& c);
// The checkpoint in `text`, or why it is not one (said of `path`).
result<checkpoint> parse_checkpoint(std::string_view text, const std::string& path);

// Why `saved` cannot be resumed by a run of `now` (one sentence naming the option to fix), or
// nothing when they walk the same probes. A run that did not give -e takes the saved seed first.
std::optional<std::string> identity_mismatch(const run_identity& saved, const run_identity& now,
                                             const std::string& path);

}  // namespace ics
