// The output fields: ZMap's icmp_echoscan fields with their meaning (underscored, as current ZMap
// names them), plus this engine's probe_daddr, rtt_us, probe_ttl and quoted_ttl. One table feeds
// --list-output-fields, -f validation, the writers and the filter.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "output/output_row.hpp"
#include "util/result.hpp"

namespace ics {

enum class field_id : uint8_t {
    saddr,
    saddr_raw,
    daddr,
    daddr_raw,
    ipid,
    ttl,
    type,
    code,
    icmp_id,
    seq,
    classification,
    success,
    repeat,
    cooldown,
    timestamp_str,
    timestamp_ts,
    timestamp_us,
    probe_daddr,
    rtt_us,
    rtt_err_us,
    probe_ttl,
    quoted_ttl,
    round,
    dst_rewritten,
    mpls_labels,
    count_
};

enum class field_type : uint8_t { integer, address, string };

struct field_info {
    field_id id;
    std::string_view name;
    field_type type;
    std::string_view description;
};

const std::array<field_info, size_t(field_id::count_)>& all_fields();
std::optional<field_id> find_field(std::string_view name);
const field_info& info(field_id id);

// "a,b,c" to field ids; an unknown name is an error naming it and pointing at --list-output-fields.
result<std::vector<field_id>> parse_field_list(std::string_view list);
std::string_view default_field_list(bool trace = false);

// The value of an integer or address field (addresses as host-order integers).
uint64_t integer_value(field_id id, const output_row& row);

}  // namespace ics
