// Fuzzes the RX path's pure part: frame classification, the reply parser and the echo probe's
// decoder, on arbitrary bytes. Nothing may read outside the input.
#include <vector>

#include "../unit/packet_craft.hpp"
#include "fuzz_target.hpp"
#include "net/arp.hpp"
#include "probe/echo_probe.hpp"

using namespace ics;

namespace {
const echo_probe probe(test::test_probe_setup());
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Copy to an exact-size heap buffer so ASan sees any overrun.
    std::vector<uint8_t> frame(data, data + size);
    if (classify_frame(frame.data(), frame.size()) == frame_kind::arp) {
        (void)parse_arp(frame);
        return 0;
    }
    parsed_reply r;
    counter why;
    if (parse_reply(frame.data(), frame.size(), r, why)) {
        result_record rec;
        (void)probe.decode(r, 1000, rec, why);
    }
    return 0;
}

std::vector<std::vector<uint8_t>> fuzz_seeds() {
    std::vector<uint8_t> p(echo_probe::frame_len);
    probe.build(p.data(), 0xc613ff01, 0xc6120005, 77);
    std::vector<std::vector<uint8_t>> seeds = {p, test::echo_reply_to(p),
                                               test::icmp_error_about(p, 11, 0, 0xc6130202, 28),
                                               test::icmp_error_about(p, 3, 13, 0xc6130202, 36)};
    std::array<uint8_t, arp_frame_len> arp{};
    build_arp_request(arp, mac{}, 1, 2);
    seeds.emplace_back(arp.begin(), arp.end());
    return seeds;
}
