// Friendly flags to EAL arguments: which device (--vdev for an af_packet interface or a pcap dry
// run, -a for a PCI NIC), which lcores on which CPUs, memory and logging. No DPDK calls
// here, so it is unit-tested as plain strings.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "dpdk/driver.hpp"
#include "run/scan_config.hpp"

namespace ics::dpdk {

// The lcores a scan uses, by role. lcore 0 is the main (control) lcore.
struct lcore_plan {
    std::vector<unsigned> rx, tx;
    unsigned output = 0;
    unsigned total() const { return unsigned(1 + rx.size() + tx.size() + 1); }
};

lcore_plan plan_lcores(const lcore_config& cfg);

// TX queue slots: one per TX lcore, then one for the control lcore (ARP) unless it is a dry run.
// With several ports (one link's queues) the slots take the ports in turn: slot s is queue
// s div ports of port s mod ports. So with one af_xdp socket per port, a spare TX queue for ARP
// answers can be another port's. A port left without a slot still gets one TX queue (unused), as
// af_xdp pairs each RX queue with a TX queue. RX queues: as many on each port as its share of the
// RX lcores, at least one; af_packet fans RX out over all its queue pairs, so every one it has
// must be polled.
struct queue_plan {
    unsigned ports = 1;
    unsigned tx_lcores = 1;
    bool control = true;
    unsigned rx_queues = 1;  // on each port
    unsigned tx_port(unsigned slot) const { return slot % ports; }
    unsigned tx_queue(unsigned slot) const { return slot / ports; }
    unsigned control_slot() const { return tx_lcores; }
    unsigned tx_queues_on(unsigned port) const {
        return std::max(1u, (tx_lcores + control + ports - 1 - port) / ports);
    }
};
queue_plan plan_queues(const port_config& port, const lcore_config& cfg);

// The af_packet rings' geometry: frames per ring and bytes a frame (the PMD's default size, given
// explicitly because RX reads the kernel's receive stamps from the ring: rx_stamps.hpp).
inline constexpr unsigned af_packet_frames = 4096;
inline constexpr unsigned af_packet_frame_size = 2048;
// Frames per ring of this port: af_packet_frames unless a test asked for fewer.
inline unsigned ring_frames(const port_config& port) {
    return port.af_packet_frames ? port.af_packet_frames : af_packet_frames;
}

// argv for rte_eal_init (argv[0] included). `cpus` must not be empty.
std::vector<std::string> build_eal_args(const port_config& port, const lcore_config& cfg,
                                        const lcore_plan& lcores, const queue_plan& queues,
                                        const std::vector<unsigned>& cpus);

}  // namespace ics::dpdk
