#include "run/scan_config.hpp"

namespace ics {

std::string port_config::describe() const {
    if (!dryrun_pcap.empty()) return "dry run into " + dryrun_pcap;
    if (!iface.empty())
        return "interface " + iface +
               (kernel_stamps ? " (af_packet, kernel receive stamps)" : " (af_packet)");
    if (!pci.empty()) return "PCI device " + pci;
    std::string names;
    for (const auto& v : vdevs) names += (names.empty() ? "" : ", ") + v;
    return (vdevs.size() > 1 ? "virtual devices " : "virtual device ") + names;
}

std::string scan_config::first_source() const {
    return family == ip_family::ipv6 ? format_ipv6(sources6.ranges().front().first)
                                     : format_ipv4(sources.ranges().front().first);
}

uint64_t scan_config::target_count() const {
    return family == ip_family::ipv6 ? targets6.size() : targets.size();
}

}  // namespace ics
