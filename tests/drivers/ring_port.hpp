// What the driver-loop tests share: a net_ring port whose RX and TX queues are rte_rings that the
// test fills and drains (rte_eth_from_rings: no NIC, no root-only set-up), mbuf pools whose in-use
// count shows a leak, record and ARP rings, frames to and from mbufs, and a loop launched on the
// worker lcore. EAL itself is booted once, by loops_test.cpp's main.
#pragma once
#include <time.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring_elem.h>

#include <gtest/gtest.h>

#include "net/arp.hpp"
#include "reply/result_record.hpp"
#include "stats/counters.hpp"
#include "util/result.hpp"

namespace ics::test {

struct ring_free {
    void operator()(rte_ring* r) const { rte_ring_free(r); }
};
struct pool_free {
    void operator()(rte_mempool* p) const { rte_mempool_free(p); }
};
using ring_ptr = std::unique_ptr<rte_ring, ring_free>;
using pool_ptr = std::unique_ptr<rte_mempool, pool_free>;

// DPDK names rings, pools and ports globally: each gets a fresh one.
inline std::string fresh_name(const char* prefix) {
    static std::atomic<unsigned> next{0};
    return std::string(prefix) + std::to_string(next++);
}

// A single-producer, single-consumer ring of `size` slots (it holds size - 1): mbuf pointers, or
// `elem_size`-byte elements.
inline ring_ptr make_ring(unsigned size, unsigned elem_size = sizeof(void*)) {
    return ring_ptr(rte_ring_create_elem(fresh_name("t_ring").c_str(), elem_size, size, SOCKET_ID_ANY,
                                         RING_F_SP_ENQ | RING_F_SC_DEQ));
}
inline ring_ptr make_record_ring(unsigned size) {
    return make_ring(size, sizeof(result_record));
}

// A pool of n mbufs without a per-lcore cache, so that its in-use count is exact.
inline pool_ptr make_pool(unsigned n) {
    return pool_ptr(rte_pktmbuf_pool_create(fresh_name("t_pool").c_str(), n, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                            SOCKET_ID_ANY));
}

inline rte_mbuf* mbuf_of(rte_mempool* pool, const std::vector<uint8_t>& frame) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (!m) return nullptr;
    char* data = rte_pktmbuf_append(m, uint16_t(frame.size()));
    if (!data) {
        rte_pktmbuf_free(m);
        return nullptr;
    }
    std::memcpy(data, frame.data(), frame.size());
    return m;
}

inline std::vector<uint8_t> bytes_of(const rte_mbuf* m) {
    const uint8_t* data = rte_pktmbuf_mtod(m, const uint8_t*);
    return {data, data + m->data_len};
}

// Everything on an mbuf ring, in order; the caller owns the mbufs.
inline std::vector<rte_mbuf*> take_all(rte_ring* ring) {
    std::vector<rte_mbuf*> out;
    void* objs[64];
    unsigned n;
    while ((n = rte_ring_dequeue_burst(ring, objs, 64, nullptr)) > 0)
        for (unsigned i = 0; i < n; ++i) out.push_back(static_cast<rte_mbuf*>(objs[i]));
    return out;
}

// The frames' bytes; the mbufs go back to their pool.
inline std::vector<std::vector<uint8_t>> free_all(const std::vector<rte_mbuf*>& bufs) {
    std::vector<std::vector<uint8_t>> frames;
    for (rte_mbuf* m : bufs) {
        frames.push_back(bytes_of(m));
        rte_pktmbuf_free(m);
    }
    return frames;
}

// A started net_ring port with one queue each way: mbufs put on `rx` come out of rte_eth_rx_burst,
// what rte_eth_tx_burst sends lands on `tx` (a full `tx` takes a burst only in part).
class ring_port {
public:
    ring_port(unsigned rx_size, unsigned tx_size, rte_mempool* rx_pool)
        : rx_ring(make_ring(rx_size)), tx_ring(make_ring(tx_size)), name_(fresh_name("lt")) {
        rte_ring* rx = rx_ring.get();
        rte_ring* tx = tx_ring.get();
        const int port = rte_eth_from_rings(name_.c_str(), &rx, 1, &tx, 1, SOCKET_ID_ANY);
        rte_eth_conf conf{};
        ok_ = port >= 0 && rte_eth_dev_configure(uint16_t(port), 1, 1, &conf) == 0 &&
              rte_eth_rx_queue_setup(uint16_t(port), 0, rx_size, SOCKET_ID_ANY, nullptr, rx_pool) == 0 &&
              rte_eth_tx_queue_setup(uint16_t(port), 0, tx_size, SOCKET_ID_ANY, nullptr) == 0 &&
              rte_eth_dev_start(uint16_t(port)) == 0;
        id = uint16_t(port);
    }
    ~ring_port() {
        if (ok_) {
            rte_eth_dev_stop(id);
            rte_eth_dev_close(id);
        }
        rte_vdev_uninit(("net_ring_" + name_).c_str());
        free_all(take_all(rx_ring.get()));
        free_all(take_all(tx_ring.get()));
    }
    ring_port(const ring_port&) = delete;
    ring_port& operator=(const ring_port&) = delete;

    bool ok() const { return ok_ && rx_ring && tx_ring; }
    // Puts frames on the port's RX queue; false if they did not all fit.
    bool inject(rte_mempool* pool, const std::vector<std::vector<uint8_t>>& frames) {
        for (const auto& f : frames) {
            rte_mbuf* m = mbuf_of(pool, f);
            if (!m || rte_ring_enqueue(rx_ring.get(), m) != 0) return false;
        }
        return true;
    }
    std::vector<std::vector<uint8_t>> sent() { return free_all(take_all(tx_ring.get())); }

    ring_ptr rx_ring, tx_ring;
    uint16_t id = 0;

private:
    std::string name_;
    bool ok_ = false;
};

// The one worker lcore (EAL runs with -l 0,1).
inline unsigned worker_lcore() {
    return rte_get_next_lcore(-1, 1, 0);
}

// Runs f() on the worker lcore; rte_eal_wait_lcore(worker_lcore()) waits for it.
template <typename F>
bool launch_on_worker(F& f) {
    return rte_eal_remote_launch([](void* arg) { return (*static_cast<F*>(arg))(); }, &f, worker_lcore()) ==
           0;
}

// Polls `done` for at most `seconds`: a bound against a hang, not a measurement (a check that
// needs it to return true fails on its own when it does not).
template <typename F>
bool wait_until(F done, double seconds = 20) {
    const uint64_t end = rte_rdtsc() + uint64_t(seconds * double(rte_get_tsc_hz()));
    while (!done()) {
        if (rte_rdtsc() > end) return false;
        const timespec nap{0, 20000};  // 20 us: the loop under test may share this CPU
        nanosleep(&nap, nullptr);
    }
    return true;
}

// The gateway resolved by `rig.plane` (attempts 3) while the worker lcore, once the question was
// sent, puts `answers` on the wire in order: what resolve() returned, the worker done. ARP and
// ND alike (the rig's addresses are either family's).
template <typename Rig, typename Address>
result<mac> resolve_answered(Rig& rig, const Address& gateway, const Address& own,
                             const std::vector<std::vector<uint8_t>>& answers) {
    auto answer = [&] {
        if (!wait_until([&] { return !rig.port.sent().empty(); })) return 1;
        for (const auto& frame : answers) rig.arrives(frame);
        return 0;
    };
    if (!launch_on_worker(answer)) return error{"the worker lcore could not be launched"};
    result<mac> got = rig.plane.resolve(gateway, own, 3, "ring", nullptr);
    if (rte_eal_wait_lcore(worker_lcore()) != 0) return error{"the question was never sent"};
    return got;
}

// Every counter of `block` is the one given in `expected`, or 0 when not given.
inline void expect_counters(const counter_block& block,
                            std::initializer_list<std::pair<counter, uint64_t>> expected) {
    for (size_t i = 0; i < counter_count; ++i) {
        uint64_t want = 0;
        for (const auto& [c, v] : expected)
            if (size_t(c) == i) want = v;
        EXPECT_EQ(block.get(counter(i)), want) << counter_infos[i].name;
    }
}

}  // namespace ics::test
