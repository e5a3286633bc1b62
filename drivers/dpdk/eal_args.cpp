#include "dpdk/eal_args.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ics::dpdk {

lcore_plan plan_lcores(const lcore_config& cfg) {
    lcore_plan p;
    unsigned next = 1;
    for (unsigned i = 0; i < cfg.rx_cores; ++i) p.rx.push_back(next++);
    p.output = next++;
    for (unsigned i = 0; i < cfg.tx_cores; ++i) p.tx.push_back(next++);
    return p;
}

queue_plan plan_queues(const port_config& port, const lcore_config& cfg) {
    queue_plan q;
    q.ports = unsigned(std::max<size_t>(1, port.vdevs.size()));
    q.tx_lcores = cfg.tx_cores;
    q.rx_queues = (cfg.rx_cores + q.ports - 1) / q.ports;
    // A dry run has no ARP to answer and the pcap device one TX queue: no control queue.
    if (!port.dryrun_pcap.empty()) q.control = false;
    // af_packet opens one socket per queue pair and fans received frames out over all of them:
    // every one must be polled, so RX gets as many queues as TX.
    if (!port.iface.empty() && port.dryrun_pcap.empty())
        q.rx_queues = std::max(q.rx_queues, q.tx_queues_on(0));
    return q;
}

std::vector<std::string> af_xdp_vdevs(const std::string& iface, unsigned queue_pairs) {
    std::vector<std::string> v;
    for (unsigned q = 0; q < queue_pairs; ++q)
        v.push_back(fmt::format("net_af_xdp{},iface={},start_queue={}", q, iface, q));
    return v;
}

std::vector<std::string> build_eal_args(const port_config& port, const lcore_config& cfg,
                                        const lcore_plan& lcores, const queue_plan& queues,
                                        const std::vector<unsigned>& cpus) {
    // No runtime files either way, so concurrent scans (and tests) never collide: --in-memory with
    // hugepages; without them EAL forces legacy memory, which --in-memory refuses, so --no-shconf.
    std::vector<std::string> a = {"dpdk-icmpscan", cfg.no_huge ? "--no-shconf" : "--in-memory"};
    // Map lcores to CPUs: one CPU each when there are enough. Otherwise the TX lcores (which
    // pace, and on af_packet also carry the kernel's work for what they send) get CPUs of their
    // own at the end of the list and the control, RX and output lcores share the rest; with no
    // CPU to spare every lcore floats over all of them.
    std::string map;
    const unsigned n = lcores.total();
    const size_t ntx = lcores.tx.size();
    auto group = [](auto first, auto last) { return fmt::format("({})", fmt::join(first, last, ",")); };
    for (unsigned l = 0; l < n; ++l) {
        if (l) map += ",";
        if (cpus.size() >= n) {
            map += fmt::format("{}@{}", l, cpus[l]);
        } else if (cpus.size() > ntx) {
            const size_t shared = cpus.size() - ntx;
            auto tx_it = std::find(lcores.tx.begin(), lcores.tx.end(), l);
            if (tx_it != lcores.tx.end())
                map += fmt::format("{}@{}", l, cpus[shared + size_t(tx_it - lcores.tx.begin())]);
            else
                map += fmt::format("{}@{}", l, group(cpus.begin(), cpus.begin() + long(shared)));
        } else {
            map += fmt::format("{}@{}", l, group(cpus.begin(), cpus.end()));
        }
    }
    a.push_back("--lcores=" + map);
    a.push_back("--main-lcore=0");
    if (cfg.no_huge) {
        a.push_back("--no-huge");
        a.push_back(fmt::format("-m{}", cfg.mem_mb));
    }
    if (!port.pci.empty()) {
        a.push_back("-a");
        a.push_back(port.pci);
    } else {
        a.push_back("--no-pci");
        if (!port.dryrun_pcap.empty())
            a.push_back(fmt::format("--vdev=net_pcap0,tx_pcap={}", port.dryrun_pcap));
        else if (!port.iface.empty())
            // 4096 frames per ring (the PMD default is 512): room for ~40 ms of replies at 100 kpps
            // if the RX lcore is descheduled; af_packet drops beyond it (read_nic_counters counts
            // those drops, which the PMD does not).
            a.push_back(fmt::format(
                "--vdev=net_af_packet0,iface={},qpairs={},qdisc_bypass=1,framecnt={},framesz={}", port.iface,
                std::max(queues.rx_queues, queues.tx_queues_on(0)), ring_frames(port), af_packet_frame_size));
        else
            for (const auto& v : port.vdevs) a.push_back("--vdev=" + v);
    }
    a.push_back(cfg.verbose_eal ? "--log-level=notice" : "--log-level=error");
    return a;
}

}  // namespace ics::dpdk
