// IPv6 target lists. 2^128 cannot be swept, so an IPv6 scan starts from a hitlist (one address a
// line, '#' comments and blank lines, as the public IPv6 hitlists are published) and from prefixes
// with a generation rule: --ipv6-per-prefix /64:1 cuts each prefix line into /64s and takes ::1 of
// each; /56:4:random takes four keyed-random addresses in each /56 (the scan's seed keys them, so
// a rerun with the seed probes the same ones). The list is de-duplicated and blocklisted, and held
// as sorted addresses: target i is targets[i], the permutation picks the order, as for IPv4.
//
// Memory: 16 bytes a target once built. While a file is read the vector grows by doubling and is
// sorted in place, so the peak is up to three times that; the file itself is read in chunks, never
// held whole (docs/performance.md, "Memory", has the 10-million-line measurement).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ipv6_address.hpp"
#include "targets/ipv6_range_set.hpp"
#include "targets/ipv6_spec.hpp"
#include "util/result.hpp"

namespace ics {

// How a prefix line becomes addresses: cut into sub-prefixes of `sub_len` bits (or kept whole when
// the line is already that long or longer), and `per_prefix` addresses chosen in each: the low
// interface ids ::1, ::2, ... or keyed-random ones. A /128 sub-prefix is its one address.
struct ipv6_prefix_rule {
    unsigned sub_len = 64;
    uint32_t per_prefix = 1;
    bool random_iid = false;
    bool operator==(const ipv6_prefix_rule&) const = default;
};

// "/LEN:COUNT" or "/LEN:COUNT:random", LEN 1-128, COUNT 1-65536 (1 for /128). Each sub-prefix gets
// COUNT distinct addresses, never ::0 of it (the subnet-router anycast address).
result<ipv6_prefix_rule> parse_ipv6_per_prefix(std::string_view text);
std::string format_ipv6_per_prefix(const ipv6_prefix_rule& rule);

// A list may hold this many addresses (4 GiB), repeats included until they are removed; more is
// refused before it is generated.
inline constexpr uint64_t ipv6_max_targets = uint64_t(1) << 28;

struct ipv6_target_options {
    ipv6_prefix_rule rule;
    uint64_t seed = 0;                          // keys the random interface ids
    const ipv6_range_set* blocklist = nullptr;  // none when null
    uint64_t max_targets = ipv6_max_targets;
};

struct ipv6_target_list {
    std::vector<ipv6_addr> targets;  // ascending and distinct, none in the blocklist
    uint64_t listed = 0;             // addresses the lines named or generated, repeats included
    uint64_t duplicates = 0;         // of those, repeats of an address listed before
    uint64_t blocklisted = 0;        // of those, distinct addresses the blocklist holds
    // Each target's keyed word, once the scan's key is known (echo6_probe::key_targets): the probe's
    // cookie starts from it, so that TX computes one MAC a probe, as for IPv4. 8 bytes a target.
    std::vector<uint64_t> keyed;
    uint64_t size() const { return targets.size(); }
    const ipv6_addr& at(uint64_t index) const { return targets[index]; }
    bool contains(const ipv6_addr& a) const;
    // The index of `a` in the list (the target walk's), if it is one of the targets.
    std::optional<uint64_t> index_of(const ipv6_addr& a) const;
};

// Both lists' targets, once each: an address in both counts once more as a duplicate, so that
// listed = targets + duplicates + blocklisted still holds. (An address both blocklisted counts
// as blocklisted in each.)
ipv6_target_list merge_target_lists(ipv6_target_list a, const ipv6_target_list& b);

// The text of a target file; errors name `origin` and the line.
result<ipv6_target_list> parse_ipv6_target_lines(std::string_view text, std::string_view origin,
                                                 const ipv6_target_options& options);
// The file at `path`, read in chunks; errors name the path and the line.
result<ipv6_target_list> read_ipv6_target_file(const std::string& path, const ipv6_target_options& options);

}  // namespace ics
