// Fuzzes the --output-filter parser and evaluator.
#include <string>
#include <string_view>

#include "fuzz_target.hpp"
#include "output/filter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto f = ics::output_filter::parse(text);
    if (f) {
        ics::result_record r{};
        ics::output_row row{&r, 0, 0, 0};
        (void)f->accepts(row);
    }
    return 0;
}

std::vector<std::vector<uint8_t>> fuzz_seeds() {
    std::vector<std::vector<uint8_t>> seeds;
    for (std::string_view s : {"success = 1 && repeat = 0", "(type = 3 || type = 11) && code != 0",
                               "saddr = 198.18.0.1", "timestamp_str > \"2020\""})
        seeds.emplace_back(s.begin(), s.end());
    return seeds;
}
