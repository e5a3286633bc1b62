// Where a port's PMD leaves each frame's receive stamp, when it leaves one (pace/device_stamp.hpp
// turns stamps into TSC): the mbuf dynamic flag that marks a stamped frame (0: the port stamps
// nothing), the dynamic field's offset, and the field's unit in nanoseconds. Only wall-clock stamps
// are taken (the pcap driver's); a NIC's own clock would need converting first.
#pragma once
#include <cstdint>

namespace ics::dpdk {

struct rx_stamps {
    uint64_t flag = 0;
    int offset = -1;
    uint32_t ns_per_unit = 0;
};

}  // namespace ics::dpdk
