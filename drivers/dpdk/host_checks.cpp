#include "dpdk/driver.hpp"

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace ics::dpdk {

status check_interface_exists(const std::string& iface) {
    struct stat st;
    if (iface.empty() || iface.find('/') != std::string::npos ||
        stat(("/sys/class/net/" + iface).c_str(), &st) != 0)
        return error{
            fmt::format("interface '{}' does not exist in this network namespace: "
                        "check the name with 'ip link' (or pass --pci for a DPDK-bound NIC)",
                        iface)};
    return ok();
}

unsigned interface_queue_pairs(const std::string& iface) {
    auto count = [&](const char* prefix) {
        unsigned n = 0;
        while (access(fmt::format("/sys/class/net/{}/queues/{}{}", iface, prefix, n).c_str(), F_OK) == 0) ++n;
        return n;
    };
    return std::max(1u, std::min(count("rx-"), count("tx-")));
}

status check_hugepages(long min_free) {
    std::ifstream meminfo("/proc/meminfo");
    std::string line;
    long total = 0, free_pages = 0;
    while (std::getline(meminfo, line)) {
        std::istringstream in(line);
        std::string key;
        long value = 0;
        in >> key >> value;
        if (key == "HugePages_Total:") total = value;
        if (key == "HugePages_Free:") free_pages = value;
    }
    if (total == 0 || free_pages < min_free)
        return error{
            "no free hugepages are reserved: run 'scripts/setup-hugepages.sh' "
            "(or pass --no-huge to run without them, more slowly)"};
    std::ifstream mounts("/proc/mounts");
    while (std::getline(mounts, line))
        if (line.find(" hugetlbfs ") != std::string::npos) return ok();
    return error{
        "hugepages are reserved but no hugetlbfs is mounted: run "
        "'scripts/setup-hugepages.sh' (or pass --no-huge)"};
}

std::vector<unsigned> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<unsigned> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (unsigned c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set)) cpus.push_back(c);
    if (cpus.empty()) cpus.push_back(0);
    return cpus;
}

}  // namespace ics::dpdk
