// Inputs shared by the benchmark programs: target sets of the three shapes the issue names, and
// replies to probes as hosts and routers send them.
#pragma once
#include <cstdint>
#include <vector>

#include "../tests/unit/packet_craft.hpp"
#include "probe/echo_probe.hpp"
#include "targets/target_spec.hpp"

namespace ics::bench {

// 0: one CIDR (198.18.0.0/15); 1: 10,000 ranges of 6 addresses, one every 13 addresses of
// 198.18.0.0/15 (what bench/run.sh gives the binary with -w); 2: IPv4 minus the default blocklist
// (for the walk alone: no probe is ever built to it).
inline interval_set shaped_set(int shape) {
    if (shape == 0) return interval_set({{0xc6120000, 0xc613ffff}});
    if (shape == 1) {
        std::vector<ipv4_range> r;
        for (uint32_t i = 0; i < 10000; ++i) r.push_back({0xc6120000 + i * 13, 0xc6120000 + i * 13 + 5});
        return interval_set(r);
    }
    return interval_set({{0, 0xffffffff}}).subtract(default_blocklist());
}

inline const char* shape_label(int64_t shape) {
    return shape == 0 ? "one CIDR" : shape == 1 ? "10k intervals" : "IPv4 minus blocklist";
}

// Replies to `count` probes of 198.18.0.0/16 from the test set-up: three Echo Replies to one
// Destination Unreachable (with a 28-byte quote), as Ethernet frames.
inline std::vector<std::vector<uint8_t>> prebuilt_replies(unsigned count) {
    const echo_probe probe(test::test_probe_setup());
    std::vector<std::vector<uint8_t>> out;
    for (uint32_t i = 0; i < count; ++i) {
        std::vector<uint8_t> p(echo_probe::frame_len);
        probe.build(p.data(), 0xc613ff01, 0xc6120000 + i, 1000 + i);
        out.push_back(i % 4 ? test::echo_reply_to(p) : test::icmp_error_about(p, 3, 1, 0xc6130202, 28));
    }
    return out;
}

}  // namespace ics::bench
