// Fuzzes the RX path's pure part: frame classification, the reply parser (with RFC 4884 extension
// objects), and the echo and trace probes' decoders, on arbitrary bytes. Nothing may read outside
// the input.
#include <vector>

#include "../unit/packet_craft.hpp"
#include "fuzz_target.hpp"
#include "net/arp.hpp"
#include "probe/echo_probe.hpp"
#include "probe/trace_probe.hpp"

using namespace ics;

namespace {
const echo_probe probe(test::test_probe_setup());
const trace_probe tracer(test::test_probe_setup());
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
        (void)probe.decode(r, arrival_us{1000, 1000}, rec, why);
        (void)tracer.decode(r, arrival_us{1000, 1000}, rec, why);
    }
    return 0;
}

std::vector<std::vector<uint8_t>> fuzz_seeds() {
    std::vector<uint8_t> p(echo_probe::frame_len);
    probe.build(p.data(), 0xc613ff01, 0xc6120005, 77);
    std::vector<std::vector<uint8_t>> seeds = {p, test::echo_reply_to(p),
                                               test::icmp_error_about(p, 11, 0, 0xc6130202, 28),
                                               test::icmp_error_about(p, 3, 13, 0xc6130202, 36)};
    std::vector<uint8_t> t(trace_probe::frame_len);
    tracer.build(t.data(), 0xc613ff01, 0xc6127c09, 5, 99);
    seeds.push_back(test::echo_reply_to(t));
    seeds.push_back(test::icmp_error_about(t, 11, 0, 0xc6130702, 28));
    seeds.push_back(
        test::icmp_error_with_mpls(t, 11, 0xc6130702, {test::mpls_entry(24001, 0, true, 1)}, true));
    seeds.push_back(
        test::icmp_error_with_mpls(t, 11, 0xc6130702, {test::mpls_entry(16, 1, false, 3)}, false));
    std::array<uint8_t, arp_frame_len> arp{};
    build_arp_request(arp, mac{}, 1, 2);
    seeds.emplace_back(arp.begin(), arp.end());
    return seeds;
}
