// What a mode's schedule hands the TX loop for one burst, and the probe type builds from: the
// destinations, each probe's IP TTL (for probe types that vary it) and the round every probe of
// the burst belongs to (a schedule never mixes rounds in one burst, so the round is one value).
#pragma once
#include <cstdint>

#include "net/ipv4_address.hpp"
#include "net/ipv6_address.hpp"

namespace ics {

// What only one family's batches carry: IPv6 targets' keyed words (ipv6_target_list::keyed), which
// the schedule copies from the target list beside each address.
template <typename Addr>
struct batch_extras {};
template <>
struct batch_extras<ipv6_addr> {
    uint64_t keyed[64];
};

template <typename Addr>
struct basic_probe_batch : batch_extras<Addr> {
    static constexpr unsigned max = 64;  // the largest TX burst
    Addr dst[max];
    uint8_t ttl[max];    // trace_probe: each probe's IP TTL; ignored by fixed-TTL probe types
    uint32_t round = 0;  // the probes' round (-P), carried in the probe where its layout has room
    unsigned count = 0;  // probes to build and send
};
using probe_batch = basic_probe_batch<ipv4_addr>;
using probe_batch6 = basic_probe_batch<ipv6_addr>;

}  // namespace ics
