// The memory bound of an IPv6 target list, measured: writes a hitlist of N lines (distinct
// addresses in 2001:db8::/32, every hundredth line a repeat of an earlier one, some comments), then
// reads it with read_ipv6_target_file and prints the time taken, the resident memory the list
// holds afterwards and the peak while it was read (VmRSS and VmHWM of /proc/self/status, from
// before the read), each per target. Fails (exit 1) if the list is not exactly the distinct
// addresses written. The file is written streaming, so the process is small when the read starts.
//
//   ipv6_hitlist_bench [--lines N] [--file PATH]    (default 10,000,000 lines; the meson 'bench'
//                                                    suite runs 200,000)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "net/ipv6_address.hpp"
#include "targets/ipv6_targets.hpp"
#include "targets/permutation.hpp"

namespace {

// VmRSS or VmHWM in kB.
long status_kb(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::strlen(key) + 1));
    return -1;
}

// Address i: distinct for distinct i (mix64 is a bijection).
ics::ipv6_addr address(uint64_t i) {
    return {0x20010db800000000ull | (i & 0xffff), ics::mix64(i)};
}

// Returns the number of distinct addresses written.
uint64_t write_hitlist(const std::string& path, uint64_t lines) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return 0;
    std::fputs("# a made-up hitlist of documentation addresses\n", f);
    uint64_t distinct = 0;
    char buf[ics::ipv6_text_max + 1];
    for (uint64_t k = 0; k < lines; ++k) {
        const bool repeat = k % 100 == 99;
        const size_t n = ics::format_ipv6_to(address(repeat ? k / 2 : distinct), buf);
        distinct += !repeat;
        buf[n] = '\n';
        std::fwrite(buf, 1, n + 1, f);
    }
    return std::fclose(f) == 0 ? distinct : 0;
}

}  // namespace

int main(int argc, char** argv) {
    uint64_t lines = 10'000'000;
    std::string path = "/tmp/ipv6_hitlist_bench." + std::to_string(getpid());
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--lines") == 0) lines = std::stoull(argv[i + 1]);
        if (std::strcmp(argv[i], "--file") == 0) path = argv[i + 1];
    }
    const uint64_t distinct = write_hitlist(path, lines);
    if (distinct == 0) return std::fprintf(stderr, "ipv6_hitlist_bench: cannot write %s\n", path.c_str()), 2;
    const long rss0 = status_kb("VmRSS:"), hwm0 = status_kb("VmHWM:");
    const auto t0 = std::chrono::steady_clock::now();
    const auto list = ics::read_ipv6_target_file(path, {});
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const long rss1 = status_kb("VmRSS:"), hwm1 = status_kb("VmHWM:");
    std::remove(path.c_str());
    if (!list) return std::fprintf(stderr, "ipv6_hitlist_bench: %s\n", list.error_message().c_str()), 1;
    bool exact = list->size() == distinct && list->duplicates == lines - distinct;
    for (uint64_t i = 0; exact && i < distinct; ++i) exact = list->contains(address(i));  // every one
    const double n = double(list->size());
    std::printf("lines %llu, targets %llu, repeats %llu; read in %.2f s (%.0f ns a line)\n",
                (unsigned long long)lines, (unsigned long long)list->size(),
                (unsigned long long)list->duplicates, secs, secs * 1e9 / double(lines));
    std::printf(
        "held: %.1f bytes a target (VmRSS +%ld kB); peak while read: %.1f bytes a target (VmHWM +%ld kB)\n",
        double(rss1 - rss0) * 1024 / n, rss1 - rss0, double(hwm1 - std::max(hwm0, rss0)) * 1024 / n,
        hwm1 - std::max(hwm0, rss0));
    if (!exact)
        return std::fprintf(stderr, "ipv6_hitlist_bench: the list is not the distinct addresses written\n"),
               1;
    return 0;
}
