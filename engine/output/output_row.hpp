// One result as the output stage sees it: the record from the RX lcore plus what only the output
// lcore knows (repeat, cooldown, wall-clock time).
#pragma once
#include <cstdint>

#include "reply/result_record.hpp"

namespace ics {

struct output_row {
    const result_record* rec;
    uint8_t repeat;
    uint8_t cooldown;
    uint64_t wall_ns;  // receive time, ns since the Unix epoch
};

}  // namespace ics
