// The kernel's receive stamps in an af_packet RX ring, read beside DPDK 22.11's af_packet PMD,
// which copies each frame out of the ring but not the stamp the kernel wrote in the frame's
// header (tpacket2_hdr: tp_sec, tp_nsec, the wall clock when the frame arrived). The ring is the
// socket's mmap (found in /proc/self/maps: packet_sockets.hpp); the PMD reads its slots in order
// and releases each as it copies it, and the kernel fills them in order, so the n frames a burst
// returns came from the n slots after the last burst's. A released slot is rewritten once the
// kernel has filled every other one, or at once when the ring was full (the kernel waits on the
// slot the PMD reads next): so the stamp is read first, then the slot's frame is compared with the
// mbuf (its length and first 64 bytes: a slot of another queue's ring, or rewritten with another
// frame, does not match) and its status read again (the kernel marks a rewritten slot the user's
// last). A stamp that does not hold is refused (pace/device_stamp.hpp) and counted.
#pragma once
#include <linux/if_packet.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>

namespace ics::dpdk {

struct rx_ring_stamps {
    const uint8_t* frames = nullptr;  // the ring's first frame
    uint32_t frame_size = 0, frame_count = 0;
    uint32_t next = 0;  // the slot of the next frame a burst returns (the PMD's framenum)

    // The stamp (wall-clock ns) of the i-th frame of a burst, which the PMD copied to `data` (`len`
    // bytes), or 0 if the slot does not hold that frame.
    uint64_t stamp_ns(unsigned i, const uint8_t* data, uint32_t len) const {
        const uint8_t* slot = frames + size_t((next + i) % frame_count) * frame_size;
        const volatile auto* h = reinterpret_cast<const volatile tpacket2_hdr*>(slot);  // the kernel's
        const uint64_t stamp = uint64_t(h->tp_sec) * 1000000000 + h->tp_nsec;
        const uint32_t snaplen = h->tp_snaplen, mac = h->tp_mac;
        std::atomic_thread_fence(std::memory_order_acquire);
        if (snaplen != len || mac + len > frame_size ||
            std::memcmp(slot + mac, data, std::min<uint32_t>(len, 64)) != 0)
            return 0;
        std::atomic_thread_fence(std::memory_order_acquire);
        return (h->tp_status & TP_STATUS_USER) ? 0 : stamp;  // rewritten meanwhile
    }
    void advance(unsigned n) { next = (next + n) % frame_count; }
};

}  // namespace ics::dpdk
