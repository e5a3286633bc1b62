// ICS_TEST_* environment variables into the config's test sizes: read here, once, in the app (the
// only place that reads the environment), and checked like any flag.
#include "test_knobs.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "option_values.hpp"

namespace ics::app {
namespace {

// The variable's value if it is set and within [lo, hi] (a power of two when asked), else the
// sentence; unset leaves `out` at 0.
status read_knob(const char* name, unsigned lo, unsigned hi, bool power_of_two, unsigned& out) {
    const char* text = std::getenv(name);
    if (!text) return ok();
    const auto v = parse_number<unsigned long long>(text);
    if (!v || *v < lo || *v > hi || (power_of_two && (*v & (*v - 1)) != 0))
        return error{
            fmt::format("{}='{}' is not a whole number from {} to {}{}: fix or unset it "
                        "(a test-only knob, docs/testing.md)",
                        name, text, lo, hi, power_of_two ? " and a power of two" : "")};
    out = unsigned(*v);
    return ok();
}

}  // namespace

status read_test_knobs(scan_config& c) {
    test_sizes& t = c.test;
    // Rings hold one less than their size; af_packet frames come two to a 4 KiB block.
    struct knob {
        const char* name;
        unsigned lo, hi;
        bool power_of_two;
        unsigned& out;
    };
    const knob knobs[] = {{"ICS_TEST_RECORD_RING", 2, 1u << 20, true, t.record_ring},
                          {"ICS_TEST_ARP_RING", 2, 1u << 20, true, t.arp_ring},
                          {"ICS_TEST_MBUFS", 64, 1u << 20, false, t.mbufs},
                          {"ICS_TEST_OUTPUT_NAP_US", 1, 1000000, false, t.output_nap_us},
                          {"ICS_TEST_FEEDBACK_RING", 2, 1u << 20, true, t.feedback_ring},
                          {"ICS_TEST_AF_PACKET_FRAMES", 2, 1u << 20, false, c.port.af_packet_frames}};
    for (const knob& k : knobs)
        if (status st = read_knob(k.name, k.lo, k.hi, k.power_of_two, k.out); !st) return st;
    if (c.port.af_packet_frames % 2)
        return error{
            fmt::format("ICS_TEST_AF_PACKET_FRAMES={} is odd: af_packet takes frames two to a "
                        "block, so give an even number (a test-only knob, docs/testing.md)",
                        c.port.af_packet_frames)};
    return ok();
}

std::string describe_test_knobs(const scan_config& c) {
    const test_sizes& t = c.test;
    std::string out;
    auto add = [&out](unsigned v, const char* what) {
        if (v) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", what, v);
    };
    add(t.record_ring, "record ring");
    add(t.arp_ring, "ARP ring");
    add(t.mbufs, "mbufs");
    add(t.output_nap_us, "output nap (us)");
    add(t.feedback_ring, "feedback ring");
    add(c.port.af_packet_frames, "af_packet frames");
    return out;
}

}  // namespace ics::app
