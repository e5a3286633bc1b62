// Trace paths as JSON lines in the shape of scamper's `-O json` trace objects ("type":"trace",
// src, dst, stop_reason, stop_data, hop_count, and hops with addr, probe_ttl, rtt in ms,
// reply_ttl, icmp_type, icmp_code, icmp_q_ttl, icmp_q_ipl and icmpext/mpls_labels), so scripts
// written for scamper read them unchanged. One line per target, replies or not.
#pragma once
#include <cstdint>
#include <cstdio>

#include <fmt/format.h>

#include "trace/path_assembly.hpp"
#include "trace/trace_plan.hpp"

namespace ics {

struct path_header {
    ipv4_addr src = 0, dst = 0;
    uint16_t icmp_sum = 0;  // the Paris flow checksum of every probe to dst
    uint64_t start_wall_ns = 0;
    unsigned probe_size = 0;  // IP length of a probe
};

void append_path_json(fmt::memory_buffer& out, const path_header& h, const hop_slot* row,
                      const assembled_path& path, const trace_plan& plan);

}  // namespace ics
