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

}  // namespace ics
