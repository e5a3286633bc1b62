// Fuzzes the parsers of target, allowlist and blocklist files, and checks what must hold of every
// set they return: ranges sorted, disjoint and non-adjacent; size() their sum; at() and index_of()
// inverses (every range's ends and a sample of indexes derived from the input); index_of() empty
// for addresses just outside each range; at_burst() equal to at(); the set written back as
// "first-last" lines parsing to the same set. A parse error names the input and its line. A broken
// property aborts with a message, which the mutation driver and libFuzzer report as a failure.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_target.hpp"
#include "net/ipv4_address.hpp"
#include "targets/target_spec.hpp"

namespace {

[[noreturn]] void broken(const char* what, unsigned long long a, unsigned long long b) {
    std::fprintf(stderr, "target_file_fuzz: %s (%llu, %llu)\n", what, a, b);
    std::abort();
}
void check(bool ok, const char* what, unsigned long long a = 0, unsigned long long b = 0) {
    if (!ok) broken(what, a, b);
}

void check_ranges(const ics::interval_set& set) {
    uint64_t total = 0;
    const auto& r = set.ranges();
    for (size_t i = 0; i < r.size(); ++i) {
        check(r[i].first <= r[i].last, "a range ends before it starts", r[i].first, r[i].last);
        // Adjacent ranges would have been merged: a gap of at least one address between them.
        if (i > 0) check(uint64_t(r[i - 1].last) + 1 < r[i].first, "ranges overlap or touch", i, r[i].first);
        total += uint64_t(r[i].last) - r[i].first + 1;
    }
    check(total == set.size(), "size() is not the sum of the ranges", total, set.size());
    check(set.empty() == (total == 0), "empty() disagrees with size()", total);
}

// at(i) lies in the range that holds index i, and index_of() gives i back.
void check_index(const ics::interval_set& set, uint64_t index) {
    const ics::ipv4_addr a = set.at(index);
    const auto back = set.index_of(a);
    check(back.has_value(), "index_of(at(i)) is empty", index, a);
    check(*back == index, "index_of(at(i)) != i", index, *back);
    check(set.contains(a), "contains(at(i)) is false", index, a);
}

void check_outside(const ics::interval_set& set, uint64_t addr) {
    if (addr > 0xffffffffu) return;  // past either end of the address space
    check(!set.index_of(ics::ipv4_addr(addr)).has_value(), "index_of() finds an address outside the set",
          addr);
    check(!set.contains(ics::ipv4_addr(addr)), "contains() an address outside the set", addr);
}

void check_lookups(const ics::interval_set& set, std::string_view input) {
    uint64_t start = 0;
    std::vector<uint64_t> sample;
    for (const ics::ipv4_range& r : set.ranges()) {
        const uint64_t len = uint64_t(r.last) - r.first + 1;
        check(set.at(start) == r.first, "at() of a range's first index is not its first address", start);
        check(set.at(start + len - 1) == r.last, "at() of a range's last index is not its last address",
              start);
        sample.push_back(start);
        sample.push_back(start + len - 1);
        check_outside(set, uint64_t(r.first) - 1);  // wraps past 2^32 for 0.0.0.0: skipped
        check_outside(set, uint64_t(r.last) + 1);
        start += len;
    }
    // Indexes spread over the whole set, from a hash of the input (deterministic per input).
    uint64_t h = 1469598103934665603ull;
    for (char c : input) h = (h ^ uint8_t(c)) * 1099511628211ull;
    for (int k = 0; k < 32; ++k) {
        h = h * 6364136223846793005ull + 1442695040888963407ull;
        sample.push_back((h >> 11) % set.size());
    }
    for (uint64_t i : sample) check_index(set, i);
    std::vector<ics::ipv4_addr> burst(sample.size());
    set.at_burst(sample.data(), burst.data(), unsigned(sample.size()));
    for (size_t k = 0; k < sample.size(); ++k)
        check(burst[k] == set.at(sample[k]), "at_burst() differs from at()", sample[k], burst[k]);
}

// The set written back as "first-last" lines is the same set.
void check_round_trip(const ics::interval_set& set) {
    std::string text;
    for (const ics::ipv4_range& r : set.ranges())
        text += ics::format_ipv4(r.first) + "-" + ics::format_ipv4(r.last) + "\n";
    const auto again = ics::parse_target_lines(text, "round trip");
    check(bool(again), "the set written back does not parse");
    check(*again == set, "the set written back parses to another set", again->size(), set.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto set = ics::parse_target_lines(text, "fuzz");
    if (!set) {
        const std::string& why = set.error_message();
        check(why.rfind("fuzz line ", 0) == 0, "a parse error does not name the input and line");
        return 0;
    }
    check_ranges(*set);
    if (!set->empty()) check_lookups(*set, text);
    check_round_trip(*set);
    return 0;
}

std::vector<std::vector<uint8_t>> fuzz_seeds() {
    std::vector<std::vector<uint8_t>> seeds;
    for (std::string_view s :
         {"198.18.0.0/16\n198.18.1.1 # x\n", "198.18.0.1-198.18.0.9\n\n#c\n", "0.0.0.0/0\n255.255.255.255\n",
          "198.18.0.5\n198.18.0.7\n198.18.0.6\n192.0.2.0/25\n192.0.2.128/25\n203.0.113.1-203.0.113.9\n"})
        seeds.emplace_back(s.begin(), s.end());
    return seeds;
}
