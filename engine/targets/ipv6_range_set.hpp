// A set of IPv6 addresses as sorted, disjoint, non-adjacent inclusive ranges: what an IPv6
// blocklist is (a few dozen prefixes, asked once per target while the target list is built) and
// what the scanner's own addresses are (a range or two, asked once per reply on the RX path).
#pragma once
#include <vector>

#include "net/ipv6_address.hpp"

namespace ics {

class ipv6_range_set {
public:
    struct range {
        ipv6_addr first, last;
        bool operator==(const range&) const = default;
    };
    ipv6_range_set() = default;
    // Any prefixes, in any order, overlapping or not.
    explicit ipv6_range_set(const std::vector<ipv6_prefix>& prefixes);

    // Inline: the RX path asks it of every IPv6 reply (is it to one of our sources?), where the set
    // is a range or two and a scan beats the binary search's calls.
    bool contains(const ipv6_addr& a) const {
        if (ranges_.size() <= 4) {
            for (const range& r : ranges_)
                if (a >= r.first && a <= r.last) return true;
            return false;
        }
        return contains_searched(a);
    }
    const std::vector<range>& ranges() const { return ranges_; }
    bool empty() const { return ranges_.empty(); }

private:
    bool contains_searched(const ipv6_addr& a) const;
    std::vector<range> ranges_;
};

}  // namespace ics
