#include "run/checkpoint.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "trace/hop_journal.hpp"

namespace ics {

uint64_t target_set_fingerprint(const interval_set& targets) {
    uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&h](uint32_t v) {
        for (int i = 0; i < 4; ++i, v >>= 8) h = (h ^ (v & 0xff)) * 0x100000001b3ull;
    };
    for (const ipv4_range& r : targets.ranges()) {
        mix(r.first);
        mix(r.last);
    }
    return h;
}

uint64_t target_set_fingerprint(const ipv6_target_list& targets) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const ipv6_addr& a : targets.targets) {
        h = (h ^ a.hi) * 0x100000001b3ull;
        h = (h ^ a.lo) * 0x100000001b3ull;
    }
    return h;
}

run_identity identity_of(const scan_config& cfg) {
    run_identity id;
    id.mode = std::string(run_mode_name(cfg.mode));
    id.probe_type = cfg.probe_type;
    id.seed = cfg.seed;
    id.targets = cfg.target_count();
    id.targets_fingerprint = cfg.family == ip_family::ipv6 ? target_set_fingerprint(cfg.targets6)
                                                           : target_set_fingerprint(cfg.targets);
    id.max_targets = cfg.max_targets;
    id.probes = cfg.probes;
    id.shard = cfg.shard;
    id.shards = cfg.shards;
    id.senders = cfg.mode == run_mode::monitor ? 0 : cfg.lcores.tx_cores;
    if (cfg.mode == run_mode::trace) {
        id.trace_order = std::string(trace_order_name(cfg.trace.order));
        id.min_ttl = cfg.trace.min_ttl;
        id.max_ttl = cfg.trace.max_ttl;
    }
    return id;
}

uint64_t checkpoint::covered() const {
    uint64_t n = 0;
    for (uint64_t p : positions) n += p;
    return n;
}

namespace {

constexpr std::string_view format_name = "dpdk-icmpscan checkpoint";
constexpr int format_version = 1;

nlohmann::json identity_json(const run_identity& id) {
    // The fingerprint as text: JSON readers other than ours lose 64-bit integers' low bits.
    nlohmann::json j = {{"mode", id.mode},
                        {"probe_module", id.probe_type},
                        {"seed", id.seed},
                        {"targets", id.targets},
                        {"targets_fingerprint", fmt::format("{:016x}", id.targets_fingerprint)},
                        {"max_targets", id.max_targets},
                        {"probes", id.probes},
                        {"shard", id.shard},
                        {"shards", id.shards},
                        {"senders", id.senders}};
    if (!id.trace_order.empty())
        j["trace"] = {{"order", id.trace_order}, {"min_ttl", id.min_ttl}, {"max_ttl", id.max_ttl}};
    return j;
}

// A whole number of at most `max`, or damage: a float (a seed past 2^64 is kept as a double by the
// JSON parser, and converting it is undefined: checkpoint_fuzz found it) or a negative number is
// never converted.
uint64_t whole(const nlohmann::json& v, const char* what, uint64_t max = UINT64_MAX) {
    if (!v.is_number_unsigned() || v.get<uint64_t>() > max) throw std::invalid_argument(what);
    return v.get<uint64_t>();
}
uint64_t whole_at(const nlohmann::json& j, const char* key, uint64_t max = UINT64_MAX) {
    return whole(j.at(key), key, max);
}

uint64_t hex_at(const nlohmann::json& j, const char* key) {
    const std::string text = j.at(key).get<std::string>();
    size_t used = 0;
    const uint64_t v = std::stoull(text, &used, 16);
    if (used != text.size() || text.empty()) throw std::invalid_argument(key);
    return v;
}

run_identity identity_from(const nlohmann::json& j) {
    run_identity id;
    id.mode = j.at("mode").get<std::string>();
    id.probe_type = j.at("probe_module").get<std::string>();
    id.seed = whole_at(j, "seed");
    id.targets = whole_at(j, "targets");
    id.targets_fingerprint = hex_at(j, "targets_fingerprint");
    id.max_targets = whole_at(j, "max_targets");
    id.probes = uint32_t(whole_at(j, "probes", UINT32_MAX));
    id.shard = uint32_t(whole_at(j, "shard", UINT32_MAX));
    id.shards = uint32_t(whole_at(j, "shards", UINT32_MAX));
    id.senders = uint32_t(whole_at(j, "senders", UINT32_MAX));
    if (j.contains("trace")) {
        const nlohmann::json& t = j.at("trace");
        id.trace_order = t.at("order").get<std::string>();
        id.min_ttl = uint32_t(whole_at(t, "min_ttl", 255));
        id.max_ttl = uint32_t(whole_at(t, "max_ttl", 255));
    }
    return id;
}

nlohmann::json monitor_json(const monitor_saved& m) {
    return {{"next_round", m.next_round},
            {"count", m.count},
            {"targets", m.counts.size()},
            {"groups", m.groups.size()},
            {"histograms", !m.histograms.empty()},
            {"groups_fingerprint", fmt::format("{:016x}", m.groups_fingerprint)}};
}

// The monitor section's sizes, for the table to fill: as many lines as the table has (so a header
// claiming 2^32 targets allocates nothing before the table shows them), never more groups than
// targets.
std::shared_ptr<monitor_saved> monitor_from(const nlohmann::json& j, uint64_t table_lines) {
    auto m = std::make_shared<monitor_saved>();
    m->next_round = uint32_t(whole_at(j, "next_round", UINT32_MAX));
    m->count = uint32_t(whole_at(j, "count", UINT32_MAX));
    const uint64_t targets = whole_at(j, "targets", uint64_t(1) << 32);
    const uint64_t groups = whole_at(j, "groups", std::max<uint64_t>(targets, 1));
    if (targets + groups != table_lines) throw std::length_error("the table's lines");
    if (!j.at("histograms").is_boolean()) throw std::invalid_argument("histograms");
    m->groups_fingerprint = hex_at(j, "groups_fingerprint");
    m->counts.resize(targets);
    m->totals.resize(targets);
    if (j.at("histograms").get<bool>()) m->histograms.resize(targets);
    m->groups.resize(groups);
    return m;
}

// The JSON header and what follows it: a monitor's table. The header ends at its first line that
// is a lone closing brace (dump(2) indents every inner one, and no string holds a raw newline).
std::pair<std::string_view, std::string_view> split_header(std::string_view text) {
    const size_t end = text.find("\n}\n");
    if (end == std::string_view::npos) return {text, {}};
    return {text.substr(0, end + 3), text.substr(end + 3)};
}

std::string table_damage(const std::string& path) {
    return fmt::format(
        "--resume '{}' is a damaged checkpoint (its table of targets is cut, or does not fit "
        "its header): resume from an intact copy, or start again",
        path);
}

}  // namespace

std::string format_checkpoint(const checkpoint& c) {
    nlohmann::json j = {
        {"format", format_name},    {"version", format_version},     {"run", identity_json(c.identity)},
        {"positions", c.positions}, {"probes_covered", c.covered()}, {"probes_planned", c.planned},
        {"complete", c.complete()}, {"written_unix_ns", c.wall_ns}};
    if (c.monitor) j["monitor"] = monitor_json(*c.monitor);
    if (c.journal_bytes) j["journal_bytes"] = *c.journal_bytes;
    std::string text = j.dump(2) + "\n";
    if (c.monitor) append_monitor_table(text, *c.monitor);
    return text;
}

result<checkpoint> parse_checkpoint(std::string_view text, const std::string& path) {
    const auto [header, table] = split_header(text);
    const nlohmann::json j = nlohmann::json::parse(header, nullptr, false);
    const bool object = !j.is_discarded() && j.is_object();
    const auto format = object ? j.find("format") : j.end();
    if (!object || format == j.end() || *format != format_name)
        return error{
            fmt::format("--resume '{}' is not a dpdk-icmpscan checkpoint: give the file that "
                        "--checkpoint wrote",
                        path)};
    const auto version = j.find("version");
    if (version == j.end() || !version->is_number_integer() || *version != format_version)
        return error{
            fmt::format("--resume '{}' is a checkpoint of format version {}, this dpdk-icmpscan "
                        "reads version {}: resume with the version that wrote it",
                        path, version == j.end() ? std::string("none") : version->dump(), format_version)};
    checkpoint c;
    try {
        c.identity = identity_from(j.at("run"));
        const nlohmann::json& positions = j.at("positions");
        if (!positions.is_array()) throw std::invalid_argument("positions");
        for (const nlohmann::json& p : positions) c.positions.push_back(whole(p, "positions"));
        c.planned = whole_at(j, "probes_planned");
        c.wall_ns = whole_at(j, "written_unix_ns");
        if (j.contains("monitor"))
            c.monitor = monitor_from(j.at("monitor"), uint64_t(std::count(table.begin(), table.end(), '\n')));
        if (j.contains("journal_bytes")) c.journal_bytes = whole_at(j, "journal_bytes");
    } catch (const std::length_error&) {
        return error{table_damage(path)};
    } catch (const std::exception&) {
        return error{
            fmt::format("--resume '{}' is a damaged checkpoint (a field is missing or has the "
                        "wrong type): resume from an intact copy, or start the scan again",
                        path)};
    }
    // Each position at most the plan (so that their sum cannot wrap), and their sum too.
    const bool fits =
        std::all_of(c.positions.begin(), c.positions.end(), [&](uint64_t p) { return p <= c.planned; });
    if (c.positions.size() != c.identity.senders || !fits || c.covered() > c.planned)
        return error{
            fmt::format("--resume '{}' is a damaged checkpoint (its positions do not fit its "
                        "run): resume from an intact copy, or start the scan again",
                        path)};
    // A trace's journal: its magic and whole entries (hop_journal.hpp), and only a trace's.
    const bool is_trace = c.identity.mode == run_mode_name(run_mode::trace);
    const bool whole_entries = c.journal_bytes && *c.journal_bytes >= hop_journal_magic.size() &&
                               (*c.journal_bytes - hop_journal_magic.size()) % sizeof(journal_entry) == 0;
    if (is_trace != bool(c.journal_bytes) || is_trace != !c.identity.trace_order.empty() ||
        (is_trace && !whole_entries))
        return error{
            fmt::format("--resume '{}' is a damaged checkpoint (its trace journal's size or its "
                        "trace settings are missing or do not fit): resume from an intact copy, or "
                        "start again",
                        path)};
    const bool is_monitor = c.identity.mode == run_mode_name(run_mode::monitor);
    // (A scan's header may be followed by blank lines, an editor's: JSON allows them.)
    const bool blank = table.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (is_monitor != bool(c.monitor) || (c.monitor ? !parse_monitor_table(table, *c.monitor) : !blank))
        return error{table_damage(path)};
    return c;
}

std::optional<std::string> identity_mismatch(const run_identity& saved, const run_identity& now,
                                             const std::string& path) {
    const std::string from = fmt::format("--resume '{}'", path);
    if (saved.mode != now.mode)
        return fmt::format("{} is a checkpoint of a {} run, not of -M {}: resume it with -M {}", from,
                           saved.mode, now.mode, saved.mode);
    if (saved.seed != now.seed)
        return fmt::format(
            "-e/--seed {} is not the seed of the run in {} ({}): drop -e, the checkpoint "
            "gives it",
            now.seed, from, saved.seed);
    if (saved.targets != now.targets || saved.targets_fingerprint != now.targets_fingerprint)
        return fmt::format(
            "the targets are not those of the run in {} ({} addresses there, {} here): give "
            "the same targets, -w/-I files and -b blocklist as that run",
            from, saved.targets, now.targets);
    if (saved.probe_type != now.probe_type)
        return fmt::format("{} was written by a run of --probe-module {}: give the same", from,
                           saved.probe_type);
    if (saved.max_targets != now.max_targets || saved.probes != now.probes)
        return fmt::format(
            "{} was written by a run with -P {} and {}: give the same", from, saved.probes,
            saved.max_targets ? fmt::format("-n {}", saved.max_targets) : std::string("no -n"));
    if (saved.shard != now.shard || saved.shards != now.shards)
        return fmt::format("{} was written by shard {} of {}: give --shard {} --shards {}", from, saved.shard,
                           saved.shards, saved.shard, saved.shards);
    if (saved.trace_order != now.trace_order || saved.min_ttl != now.min_ttl || saved.max_ttl != now.max_ttl)
        return fmt::format(
            "{} was written by a trace of --min-ttl {} --max-ttl {} --trace-order {}: give the same", from,
            saved.min_ttl, saved.max_ttl, saved.trace_order);
    if (saved.senders != now.senders)
        return fmt::format("{} was written by a run with {} sender lcores: give --tx-cores {}", from,
                           saved.senders, saved.senders);
    return std::nullopt;
}

}  // namespace ics
