// Fuzzes the --output-filter parser and evaluator against varied rows. The input is a row then the
// filter's text: 64 bytes of result_record (any bytes: every field takes arbitrary values), a byte
// whose two low bits are the row's repeat and cooldown flags and whose third picks the family (set:
// an IPv6 row, result_record6 made of the 64 bytes twice, and the filter parsed for -6), 8 bytes
// of wall time, and the rest the text. What must hold of every filter that parses: the verdict on a row does
// not change when asked twice; "(f)", "(f) && (f)" and "(f) || (f)" parse too and give f's verdict, and
// "(f) && (f) || repeat = 2" (never true) as well (so precedence cannot turn a verdict over). A broken
// property aborts with a message, which the mutation driver and libFuzzer report as a failure.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_target.hpp"
#include "output/filter.hpp"

namespace {

constexpr size_t row_bytes = sizeof(ics::result_record) + 1 + 8;

void check(bool ok, const char* what, std::string_view filter) {
    if (ok) return;
    std::fprintf(stderr, "output_filter_fuzz: %s, filter \"%.*s\"\n", what, int(filter.size()),
                 filter.data());
    std::abort();
}

// The verdict of `text` on the row, or -1 if it does not parse.
template <typename Row>
int verdict(const std::string& text, const Row& row, ics::ip_family family) {
    auto f = ics::output_filter::parse(text, family);
    return f ? int(f->accepts(row)) : -1;
}

// The properties, on a row of either family.
template <typename Row>
void check_filter(const std::string& text, const Row& row, ics::ip_family family) {
    auto f = ics::output_filter::parse(text, family);
    if (!f) return;
    const bool v = f->accepts(row);
    check(f->accepts(row) == v, "two verdicts on one row", text);
    // An empty (or blank) filter accepts everything and has no expression to wrap.
    if (text.find_first_not_of(" \t\r\n\v\f") == std::string::npos) {
        check(v, "an empty filter refused a row", text);
        return;
    }
    const int want = int(v);
    check(verdict("(" + text + ")", row, family) == want, "(f) differs from f", text);
    check(verdict("(" + text + ") && (" + text + ")", row, family) == want, "(f) && (f) differs from f",
          text);
    check(verdict("(" + text + ") || (" + text + ")", row, family) == want, "(f) || (f) differs from f",
          text);
    check(verdict("(" + text + ") && (" + text + ") || repeat = 2", row, family) == want,
          "(f) && (f) || false differs", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < row_bytes) return 0;
    uint64_t wall_ns = 0;
    std::memcpy(&wall_ns, data + sizeof(ics::result_record) + 1, 8);
    const uint8_t flags = data[sizeof(ics::result_record)];
    const std::string text(reinterpret_cast<const char*>(data + row_bytes), size - row_bytes);
    if (flags & 4) {
        ics::result_record6 rec6;
        static_assert(sizeof rec6 == 2 * sizeof(ics::result_record));
        std::memcpy(reinterpret_cast<uint8_t*>(&rec6), data, sizeof(ics::result_record));
        std::memcpy(reinterpret_cast<uint8_t*>(&rec6) + sizeof(ics::result_record), data,
                    sizeof(ics::result_record));
        const ics::output_row6 row{&rec6, uint8_t(flags & 1), uint8_t(flags >> 1 & 1), wall_ns};
        check_filter(text, row, ics::ip_family::ipv6);
        return 0;
    }
    ics::result_record rec;
    std::memcpy(&rec, data, sizeof rec);
    const ics::output_row row{&rec, uint8_t(flags & 1), uint8_t(flags >> 1 & 1), wall_ns};
    check_filter(text, row, ics::ip_family::ipv4);
    return 0;
}

std::vector<std::vector<uint8_t>> fuzz_seeds() {
    std::vector<std::vector<uint8_t>> seeds;
    ics::result_record rec{};
    rec.saddr = rec.probe_daddr = 0xc6120001;  // 198.18.0.1
    rec.type = 3;
    rec.code = 1;
    rec.success = 1;
    rec.rtt_us = 1500;
    for (std::string_view s :
         {"success = 1 && repeat = 0", "(type = 3 || type = 11) && code != 0", "saddr = 198.18.0.1",
          "timestamp_str > \"2020\"", "rtt_us >= 1000 || cooldown = 1",
          "classification = \"unreach\" && probe_daddr != 198.18.0.2"}) {
        std::vector<uint8_t> in(row_bytes, 0);
        std::memcpy(in.data(), &rec, sizeof rec);
        in[sizeof rec] = 2;  // cooldown
        const uint64_t wall_ns = 1764547200000000000ULL;
        std::memcpy(in.data() + sizeof rec + 1, &wall_ns, 8);
        in.insert(in.end(), s.begin(), s.end());
        seeds.push_back(std::move(in));
    }
    // IPv6 rows (flag 4): the 64 bytes are both halves of the record; address fields compare as IPv6.
    for (std::string_view s :
         {"saddr = 2001:db8::1 || outersaddr > 2001:db8::", "mtu >= 1280 && classification = toobig",
          "probe_daddr != ::ffff:198.18.0.1 && success = 1"}) {
        std::vector<uint8_t> in(row_bytes, 0);
        std::memcpy(in.data(), &rec, sizeof rec);
        in[sizeof rec] = 4;
        in.insert(in.end(), s.begin(), s.end());
        seeds.push_back(std::move(in));
    }
    return seeds;
}
