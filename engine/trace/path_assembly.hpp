// Trace paths: the first reply per (target, TTL) kept in a table sized at start, and the assembly
// of one target's path from its row of that table after cooldown, with scamper's stop reasons.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "net/ipv4_address.hpp"
#include "reply/result_record.hpp"

namespace ics {

// One (target, TTL): the first reply that answered it.
struct hop_slot {
    ipv4_addr addr;  // who answered
    uint32_t rtt_us;
    std::array<uint32_t, 3> mpls;
    uint16_t quote_ip_len;
    uint8_t reply_ttl, type, code, quoted_ttl;
    uint8_t mpls_count, mpls_object_len;
    uint8_t present;
    uint8_t reserved[3];
};
static_assert(sizeof(hop_slot) == 32);

inline hop_slot hop_from(const result_record& r) {
    hop_slot h{};
    h.addr = r.saddr;
    h.rtt_us = r.rtt_us;
    h.mpls = r.mpls;
    h.quote_ip_len = r.quote_ip_len;
    h.reply_ttl = r.ttl;
    h.type = r.type;
    h.code = r.code;
    h.quoted_ttl = r.quoted_ttl;
    h.mpls_count = r.mpls_count;
    h.mpls_object_len = r.mpls_object_len;
    h.present = 1;
    return h;
}

// scamper's names, so that scripts reading scamper's JSON read ours. `count` is not a reason: it
// sizes the tables indexed by reason (scan_report's paths_by_stop_reason), so a reason added
// before it gets its slot.
enum class stop_reason : uint8_t { completed, unreach, icmp, loop, gaplimit, hoplimit, count };
inline constexpr size_t stop_reason_count = size_t(stop_reason::count);
std::string_view stop_reason_name(stop_reason r);

struct assembled_path {
    stop_reason reason = stop_reason::gaplimit;
    uint8_t stop_data = 0;  // UNREACH: the code; ICMP: the type
    uint8_t hop_count = 0;  // the highest TTL the path covers (scamper's hop_count)
    uint8_t responses = 0;  // TTLs with a reply up to hop_count
};

// Walks TTLs from min_ttl up: an Echo Reply from the target completes the path; Destination
// Unreachable ends it (UNREACH, its code), any other error that is not Time Exceeded too (ICMP);
// an address seen at an earlier TTL is a LOOP; `gaplimit` silent TTLs in a row end it (GAPLIMIT);
// otherwise it runs out at max_ttl (HOPLIMIT). `row` holds max_ttl - min_ttl + 1 slots.
// `leading_gaps_count`: false when TTLs before the first reply may not have been probed at all
// (the backward order's stop set skips them), so silence there does not end the path.
assembled_path assemble_path(const hop_slot* row, uint8_t min_ttl, uint8_t max_ttl, unsigned gaplimit,
                             bool leading_gaps_count = true);

// The hop table: rows of TTL slots, one row per target index.
class hop_table {
public:
    hop_table(uint64_t targets, unsigned ttls);
    // Keeps `hop` if its (target, TTL) had no reply yet; true if kept (the first).
    bool add(uint64_t index, unsigned slot, const hop_slot& hop) {
        hop_slot& h = slots_[index * ttls_ + slot];
        if (h.present) return false;
        h = hop;
        return true;
    }
    bool has(uint64_t index, unsigned slot) const { return slots_[index * ttls_ + slot].present != 0; }
    const hop_slot* row(uint64_t index) const { return slots_.data() + index * ttls_; }
    uint64_t targets() const { return targets_; }
    unsigned ttls() const { return ttls_; }

private:
    uint64_t targets_;
    unsigned ttls_;
    std::vector<hop_slot> slots_;
};

}  // namespace ics
