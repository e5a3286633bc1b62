#include "trace/path_assembly.hpp"

namespace ics {

std::string_view stop_reason_name(stop_reason r) {
    switch (r) {
        case stop_reason::completed:
            return "COMPLETED";
        case stop_reason::unreach:
            return "UNREACH";
        case stop_reason::icmp:
            return "ICMP";
        case stop_reason::loop:
            return "LOOP";
        case stop_reason::gaplimit:
            return "GAPLIMIT";
        default:
            return "HOPLIMIT";
    }
}

hop_table::hop_table(uint64_t targets, unsigned ttls)
    : targets_(targets), ttls_(ttls), slots_(targets * ttls) {}

assembled_path assemble_path(const hop_slot* row, uint8_t min_ttl, uint8_t max_ttl, unsigned gaplimit,
                             bool leading_gaps_count) {
    assembled_path p;
    unsigned gap = 0;
    for (unsigned ttl = min_ttl; ttl <= max_ttl; ++ttl) {
        const hop_slot& h = row[ttl - min_ttl];
        p.hop_count = uint8_t(ttl);
        if (!h.present) {
            if ((leading_gaps_count || p.responses) && ++gap >= gaplimit) {
                p.reason = stop_reason::gaplimit;
                return p;
            }
            continue;
        }
        gap = 0;
        ++p.responses;
        if (h.type == 0) {  // Echo Reply: the destination itself (or whoever answers for it)
            p.reason = stop_reason::completed;
            return p;
        }
        if (h.type == 3) {
            p.reason = stop_reason::unreach;
            p.stop_data = h.code;
            return p;
        }
        if (h.type != 11) {
            p.reason = stop_reason::icmp;
            p.stop_data = h.type;
            return p;
        }
        for (unsigned e = min_ttl; e < ttl; ++e)
            if (row[e - min_ttl].present && row[e - min_ttl].addr == h.addr) {
                p.reason = stop_reason::loop;
                return p;
            }
    }
    p.reason = stop_reason::hoplimit;
    return p;
}

}  // namespace ics
