#include "dpdk/dpdk_port.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dpdk/packet_sockets.hpp"

#include <fmt/format.h>

namespace ics::dpdk {

namespace {

// Two af_packet ports on one interface see each other's sockets: the last port opened keeps only
// those no earlier port claimed (the earlier ones were opened before its sockets existed), so no
// socket is drained or has its drops counted twice.
void keep_own_sockets(std::vector<port_handle>& ports) {
    std::vector<int>& mine = ports.back().packet_sockets;
    for (size_t i = 0; i + 1 < ports.size(); ++i)
        std::erase_if(mine, [&](int fd) { return std::ranges::count(ports[i].packet_sockets, fd) != 0; });
}

status open_one(port_handle& p, unsigned index, const queue_plan& queues, unsigned lcores,
                bool control_queue_optional, unsigned test_mbufs) {
    char name[RTE_ETH_NAME_MAX_LEN] = {};
    rte_eth_dev_get_name_by_port(p.id, name);
    p.name = name;

    rte_eth_dev_info info;
    if (int rc = rte_eth_dev_info_get(p.id, &info); rc != 0)
        return error{fmt::format("cannot query port {} ({}): {}", p.id, p.name, rte_strerror(-rc))};
    p.rx_queues = queues.rx_queues;
    p.tx_queues = queues.tx_queues_on(index);
    // The control lcore's queue is the last slot, so the last queue of its port.
    p.control_queue = queues.control && queues.tx_port(queues.control_slot()) == index;
    if (p.control_queue && control_queue_optional && p.tx_queues == unsigned(info.max_tx_queues) + 1) {
        p.tx_queues -= 1;
        p.control_queue = false;
    }
    if (p.rx_queues > info.max_rx_queues || p.tx_queues > info.max_tx_queues)
        return error{
            fmt::format("port {} ({}) offers {} RX and {} TX queues but the scan needs {} "
                        "and {}: lower --rx-cores/--tx-cores",
                        p.id, p.name, info.max_rx_queues, info.max_tx_queues, p.rx_queues, p.tx_queues)};

    p.socket = rte_eth_dev_socket_id(p.id);
    if (p.socket < 0) p.socket = int(rte_socket_id());
    // Enough mbufs for every descriptor ring, every lcore's cache and bursts in flight.
    // A test's small pool has no per-lcore cache, so that its size is what every lcore shares.
    unsigned mbufs =
        (p.rx_queues * rx_descriptors + p.tx_queues * tx_descriptors) + lcores * (256 + 64) + 4096;
    const unsigned cache = test_mbufs ? 0 : 256;
    if (test_mbufs) mbufs = test_mbufs;
    p.pool = rte_pktmbuf_pool_create(fmt::format("ics_pool_{}", p.id).c_str(), mbufs, cache, 0,
                                     RTE_MBUF_DEFAULT_BUF_SIZE, p.socket);
    if (!p.pool)
        return error{
            fmt::format("cannot create a pool of {} mbufs on NUMA node {}: {} (reserve more "
                        "hugepages, or use --no-huge)",
                        mbufs, p.socket, rte_strerror(rte_errno))};

    rte_eth_conf conf{};
    if (p.rx_queues > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_IP)) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
    }
    if (int rc = rte_eth_dev_configure(p.id, uint16_t(p.rx_queues), uint16_t(p.tx_queues), &conf); rc != 0)
        return error{fmt::format("cannot configure port {} ({}): {}", p.id, p.name, rte_strerror(-rc))};
    uint16_t nb_rx = rx_descriptors, nb_tx = tx_descriptors;
    rte_eth_dev_adjust_nb_rx_tx_desc(p.id, &nb_rx, &nb_tx);
    for (unsigned q = 0; q < p.rx_queues; ++q)
        if (int rc = rte_eth_rx_queue_setup(p.id, uint16_t(q), nb_rx, unsigned(p.socket), nullptr, p.pool);
            rc != 0)
            return error{
                fmt::format("cannot set up RX queue {} of port {}: {}", q, p.name, rte_strerror(-rc))};
    for (unsigned q = 0; q < p.tx_queues; ++q)
        if (int rc = rte_eth_tx_queue_setup(p.id, uint16_t(q), nb_tx, unsigned(p.socket), nullptr); rc != 0)
            return error{
                fmt::format("cannot set up TX queue {} of port {}: {}", q, p.name, rte_strerror(-rc))};
    if (int rc = rte_eth_dev_start(p.id); rc != 0)
        return error{fmt::format("cannot start port {} ({}): {}", p.id, p.name, rte_strerror(-rc))};
    p.started = true;
    if (std::strcmp(info.driver_name, "net_af_packet") == 0)
        p.packet_sockets = af_packet_sockets_on(int(info.if_index));
    rte_ether_addr addr;
    rte_eth_macaddr_get(p.id, &addr);
    std::copy(addr.addr_bytes, addr.addr_bytes + 6, p.address.begin());
    return ok_t{};
}

}  // namespace

status open_ports(const queue_plan& queues, unsigned lcores, bool control_queue_optional, unsigned test_mbufs,
                  std::vector<port_handle>& ports) {
    std::vector<uint16_t> ids;
    uint16_t pid;
    RTE_ETH_FOREACH_DEV(pid) ids.push_back(pid);
    if (ids.empty())
        return error{
            "DPDK found no port: check the interface or PCI address (and that the NIC "
            "is bound to a DPDK driver)"};
    if (ids.size() != queues.ports)
        return error{
            fmt::format("DPDK found {} ports where {} were expected: name the device with -i, --pci "
                        "or --vdev (repeated only for queues of one link)",
                        ids.size(), queues.ports)};
    for (uint16_t id : ids) {
        ports.emplace_back().id = id;
        if (auto st = open_one(ports.back(), unsigned(ports.size() - 1), queues, lcores,
                               control_queue_optional, test_mbufs);
            !st)
            return st;
        keep_own_sockets(ports);
        // One link, one address: probes, ARP answers and replies all use the first port's MAC.
        if (ports.back().address != ports.front().address)
            return error{
                fmt::format("ports {} and {} have different MAC addresses ({} and {}): repeat "
                            "--vdev only for queues of one link, and run one scan per NIC",
                            ports.front().name, ports.back().name, format_mac(ports.front().address),
                            format_mac(ports.back().address))};
    }
    return ok_t{};
}

status map_rx_rings(port_handle& port, unsigned frames) {
    std::vector<int> fds = port.packet_sockets;
    std::ranges::sort(fds);  // the PMD opens queue q's socket before queue q + 1's
    if (fds.size() != port.rx_queues)
        return error{
            fmt::format("found {} af_packet sockets for {} RX queues on port {}: cannot read the "
                        "kernel's receive stamps",
                        fds.size(), port.rx_queues, port.name)};
    const size_t ring_bytes = size_t(frames) * af_packet_frame_size;
    for (int fd : fds) {
        const socket_mapping m = find_socket_mapping(fd);
        if (m.length != 2 * ring_bytes)  // the PMD maps the RX ring, then the TX ring
            return error{
                fmt::format("af_packet's ring on port {} is not mapped as expected ({} bytes): "
                            "cannot read the kernel's receive stamps",
                            port.name, m.length)};
        port.rx_rings.push_back({m.base, af_packet_frame_size, frames, 0});
    }
    return ok_t{};
}

void join_multicast_groups(const std::vector<port_handle>& ports, std::vector<mac> groups) {
    std::vector<rte_ether_addr> list(groups.size());
    for (size_t i = 0; i < groups.size(); ++i)
        std::copy(groups[i].begin(), groups[i].end(), list[i].addr_bytes);
    for (const port_handle& p : ports)
        if (list.empty() || rte_eth_dev_set_mc_addr_list(p.id, list.data(), uint32_t(list.size())) != 0)
            (void)rte_eth_allmulticast_enable(p.id);
}

void close_port(port_handle& port) {
    if (port.started) rte_eth_dev_stop(port.id);
    rte_eth_dev_close(port.id);
    // The PMD closed them: the numbers may name other files now.
    port.packet_sockets.clear();
    port.rx_rings.clear();
}

void drain_tx(const std::vector<port_handle>& ports, unsigned timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (const port_handle& port : ports)
        for (int fd : port.packet_sockets) {
            const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return;
            // A blocking send with no data: the kernel sends every frame the ring still holds and
            // returns once all have left, or when the time left runs out. Without the timeout it
            // could block for good, so no timeout, no send.
            const timeval tv{time_t(left.count() / 1000000), suseconds_t(left.count() % 1000000)};
            if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0) send(fd, nullptr, 0, 0);
        }
}

nic_counters read_nic_counters(std::vector<port_handle>& ports) {
    nic_counters c;
    for (port_handle& port : ports) {
        rte_eth_stats st{};
        if (rte_eth_stats_get(port.id, &st) != 0) st = {};
        for (int fd : port.packet_sockets) port.packet_drops += read_socket_drops(fd);
        c.rx_missed += st.imissed + port.packet_drops;
        c.rx_errors += st.ierrors;
        c.rx_nombuf += st.rx_nombuf;
        c.tx_errors += st.oerrors;
        c.ports.push_back({port.name, st.ipackets, st.opackets, {}});
        rte_eth_dev_info info{};
        if (rte_eth_dev_info_get(port.id, &info) == 0)
            for (unsigned q = 0; q < info.nb_rx_queues && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; ++q)
                c.ports.back().rx_queue_packets.push_back(st.q_ipackets[q]);
    }
    return c;
}

}  // namespace ics::dpdk
