#include "scan/scan_config.hpp"

namespace ics {

std::string port_config::describe() const {
    if (!dryrun_pcap.empty()) return "dry run into " + dryrun_pcap;
    if (!iface.empty()) return "interface " + iface + " (af_packet)";
    if (!pci.empty()) return "PCI device " + pci;
    return "virtual device " + vdev;
}

}  // namespace ics
