// Start-up checks of the host, each failing with one sentence that names the problem and the fix:
// does the interface exist, are hugepages reserved and mounted, which CPUs may we use.
#pragma once
#include <string>
#include <vector>

#include "util/result.hpp"

namespace ics::dpdk {

status check_interface_exists(const std::string& iface);
// Queues the interface has in both directions (from sysfs; at least 1).
unsigned interface_queue_pairs(const std::string& iface);
status check_hugepages();
std::vector<unsigned> allowed_cpus();

}  // namespace ics::dpdk
