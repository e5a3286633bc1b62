// Fuzzes the parsers of target, allowlist and blocklist files.
#include <string>
#include <string_view>

#include "fuzz_target.hpp"
#include "targets/target_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto set = ics::parse_target_lines(text, "fuzz");
    if (set && !set->empty()) {
        (void)set->at(set->size() - 1);
        (void)set->index_of(set->ranges()[0].first);
    }
    return 0;
}

std::vector<std::vector<uint8_t>> fuzz_seeds() {
    std::vector<std::vector<uint8_t>> seeds;
    for (std::string_view s :
         {"198.18.0.0/16\n198.18.1.1 # x\n", "198.18.0.1-198.18.0.9\n\n#c\n", "0.0.0.0/0\n255.255.255.255\n"})
        seeds.emplace_back(s.begin(), s.end());
    return seeds;
}
