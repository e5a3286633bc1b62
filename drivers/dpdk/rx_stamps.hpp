// The kernel's receive stamps in an af_packet RX ring, read beside DPDK 22.11's af_packet PMD,
// which copies each frame out of the ring but not the stamp the kernel wrote in the frame's
// header (tpacket2_hdr: tp_sec, tp_nsec, the wall clock when the frame arrived). The ring is the
// socket's mmap (found in /proc/self/maps: packet_sockets.hpp); the PMD reads its slots in order
// and releases each as it copies it, and the kernel fills them in order, so the n frames a burst
// returns came from the n slots after the last burst's. A released slot is rewritten only after
// the kernel has filled every other one: its header is still the frame's when the RX lcore reads
// it, right after the burst. Each slot is checked against the mbuf (its length and first bytes: a
// slot of another queue's ring or of another frame would not match), and a stamp that does not
// hold is refused (pace/device_stamp.hpp) and counted.
#pragma once
#include <linux/if_packet.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ics::dpdk {

struct rx_ring_stamps {
    const uint8_t* frames = nullptr;  // the ring's first frame; null: this queue has no stamps
    uint32_t frame_size = 0, frame_count = 0;
    uint32_t next = 0;  // the slot of the next frame a burst returns (the PMD's framenum)

    // The stamp (wall-clock ns) of the i-th frame of a burst, which the PMD copied to `data` (`len`
    // bytes), or 0 if the slot does not hold that frame.
    uint64_t stamp_ns(unsigned i, const uint8_t* data, uint32_t len) const {
        const uint8_t* slot = frames + size_t((next + i) % frame_count) * frame_size;
        const auto* h = reinterpret_cast<const tpacket2_hdr*>(slot);
        if (h->tp_snaplen != len || h->tp_mac + len > frame_size ||
            std::memcmp(slot + h->tp_mac, data, std::min<uint32_t>(len, 64)) != 0)
            return 0;
        return uint64_t(h->tp_sec) * 1000000000 + h->tp_nsec;
    }
    void advance(unsigned n) { next = (next + n) % frame_count; }
};

}  // namespace ics::dpdk
