// One result as the output stage sees it: the record from the RX lcore plus what only the output
// lcore knows (repeat, cooldown, wall-clock time).
#pragma once
#include <cstdint>

#include "reply/result_record.hpp"
#include "reply/result_record6.hpp"

namespace ics {

template <typename Record>
struct basic_output_row {
    const Record* rec;
    uint8_t repeat;
    uint8_t cooldown;
    uint64_t wall_ns;  // receive time, ns since the Unix epoch
};
using output_row = basic_output_row<result_record>;
using output_row6 = basic_output_row<result_record6>;

}  // namespace ics
