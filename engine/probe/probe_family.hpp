// What the data path's types are for a probe type's address family, chosen at compile time: an
// IPv6 probe type says `static constexpr ip_family family = ip_family::ipv6`; every other is IPv4.
// The lcore loops take addresses, batches, records and source sets from here, so neither family
// tests the other at run time.
#pragma once
#include "net/ip_family.hpp"
#include "probe/probe_batch.hpp"
#include "reply/result_record.hpp"
#include "reply/result_record6.hpp"
#include "targets/interval_set.hpp"
#include "targets/ipv6_range_set.hpp"

namespace ics {

template <typename Probe>
struct probe_family {
    static constexpr ip_family family = ip_family::ipv4;
    using address = ipv4_addr;
    using batch = probe_batch;
    using record = result_record;
    using source_set = interval_set;
};

template <typename Probe>
requires(Probe::family == ip_family::ipv6) struct probe_family<Probe> {
    static constexpr ip_family family = ip_family::ipv6;
    using address = ipv6_addr;
    using batch = probe_batch6;
    using record = result_record6;
    using source_set = ipv6_range_set;
};

template <typename Probe>
using record_of = typename probe_family<Probe>::record;
template <typename Probe>
inline constexpr bool is_ipv6_probe = probe_family<Probe>::family == ip_family::ipv6;

}  // namespace ics
