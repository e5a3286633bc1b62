// The address family of a run: one per run, chosen by -6; the data path's types follow it at
// compile time (probe/probe_family.hpp).
#pragma once
#include <cstdint>

namespace ics {

enum class ip_family : uint8_t { ipv4, ipv6 };

}  // namespace ics
