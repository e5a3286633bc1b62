// The output fields: ZMap's icmp_echoscan fields with their meaning (underscored, as current ZMap
// names them), plus this engine's probe_daddr, rtt_us, probe_ttl and quoted_ttl. One table feeds
// --list-output-fields, -f validation, the writers and the filter. With -6 (IPv6) the fields that
// ZMapv6's icmp6_echoscan has mean what they mean there: saddr is the address the reply is about
// (an error's quoted destination), outersaddr who sent it; IPv4 keeps saddr as who sent it. IPv6
// has no IP ID (no ipid, saddr_raw, daddr_raw), and only IPv6 records have outersaddr and mtu.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_family.hpp"
#include "output/output_row.hpp"
#include "reply/result_record6.hpp"
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
    outersaddr,
    mtu,
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

// Whether a field exists in a family's records.
bool field_in_family(field_id id, ip_family family);

// "a,b,c" to field ids; an unknown name is an error naming it and pointing at --list-output-fields,
// a field the family has not (ipid with -6), one naming the family.
result<std::vector<field_id>> parse_field_list(std::string_view list, ip_family family = ip_family::ipv4);
std::string_view default_field_list(bool trace = false, ip_family family = ip_family::ipv4);

// The value of an integer field, or of an IPv4 address field as a host-order integer (IPv6
// addresses: address_value). 0 for a field the record has not.
template <typename Record>
uint64_t integer_value(field_id id, const basic_output_row<Record>& row);

// An address field's address: IPv6 saddr as ZMapv6 has it (an error's quoted destination).
inline ipv4_addr address_value(field_id id, const output_row& row) {
    return uint32_t(integer_value(id, row));
}
ipv6_addr address_value(field_id id, const output_row6& row);

}  // namespace ics
