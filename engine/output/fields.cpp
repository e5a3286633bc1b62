#include "output/fields.hpp"

#include <fmt/format.h>

#include "net/headers.hpp"

namespace ics {

const std::array<field_info, size_t(field_id::count_)>& all_fields() {
    using enum field_id;
    using enum field_type;
    static const std::array<field_info, size_t(field_id::count_)> fields = {{
        {saddr, "saddr", address,
         "IPv4: source address of the reply (who answered); IPv6 (as ZMapv6): the address the reply is "
         "about (an echo reply's source, an error's quoted destination)"},
        {saddr_raw, "saddr_raw", integer, "network order integer form of saddr"},
        {daddr, "daddr", address, "destination IP address of the reply (our source address)"},
        {daddr_raw, "daddr_raw", integer, "network order integer form of daddr"},
        {ipid, "ipid", integer, "IP identification of the reply"},
        {ttl, "ttl", integer, "time-to-live of the reply"},
        {type, "type", integer, "ICMP type of the reply"},
        {code, "code", integer, "ICMP code of the reply"},
        {icmp_id, "icmp_id", integer, "ICMP id of the echo reply, or of the probe quoted in an error"},
        {seq, "seq", integer, "ICMP sequence of the echo reply, or of the probe quoted in an error"},
        {classification, "classification", string,
         "echoreply, unreach, timxceed, redirect, sourcequench, toobig (IPv6), paramprob (IPv6) or other"},
        {success, "success", integer, "1 if the target answered the echo request"},
        {repeat, "repeat", integer, "1 if this probed target had already produced a result"},
        {cooldown, "cooldown", integer, "1 if received after sending had completed"},
        {timestamp_str, "timestamp_str", string, "receive time, ISO 8601"},
        {timestamp_ts, "timestamp_ts", integer, "receive time, seconds since the Unix epoch"},
        {timestamp_us, "timestamp_us", integer, "microsecond part of the receive time"},
        {probe_daddr, "probe_daddr", address, "the target the answered probe was sent to"},
        {rtt_us, "rtt_us", integer,
         "round-trip time in microseconds: the reply's estimated arrival minus the probe's send stamp"},
        {rtt_err_us, "rtt_err_us", integer,
         "the RTT's error bound in microseconds: the true RTT lies within rtt_us +- rtt_err_us"},
        {probe_ttl, "probe_ttl", integer, "IP TTL the probe was sent with"},
        {quoted_ttl, "quoted_ttl", integer, "TTL left in the probe quoted by an ICMP error (0 otherwise)"},
        {round, "round", integer,
         "scan: the probe round (-P) the reply answers, 0-based, modulo 256 (carried in the probe); trace: "
         "0"},
        {dst_rewritten, "dst_rewritten", integer,
         "trace: 1 if the quote's destination was rewritten on the way (the reply is not attributed)"},
        {mpls_labels, "mpls_labels", string,
         "RFC 4950 label stack of an ICMP error, top first: label/tc/s/ttl separated by ';'"},
        {outersaddr, "outersaddr", address,
         "IPv6: source address of the reply's outer IP header (who answered)"},
        {mtu, "mtu", integer, "IPv6: the MTU a Packet Too Big announces (0 for other replies)"},
    }};
    return fields;
}

const field_info& info(field_id id) {
    return all_fields()[size_t(id)];
}

bool field_in_family(field_id id, ip_family family) {
    switch (id) {
        case field_id::saddr_raw:
        case field_id::daddr_raw:
        case field_id::ipid:
            return family == ip_family::ipv4;
        case field_id::mtu:
        case field_id::outersaddr:  // ZMapv6's; in IPv4 records saddr is the sender already
            return family == ip_family::ipv6;
        default:
            return true;
    }
}

std::optional<field_id> find_field(std::string_view name) {
    for (const auto& f : all_fields())
        if (f.name == name) return f.id;
    // ZMap 2.x spelled field names with hyphens; accept them.
    std::string underscored(name);
    for (char& c : underscored)
        if (c == '-') c = '_';
    for (const auto& f : all_fields())
        if (f.name == underscored) return f.id;
    return std::nullopt;
}

std::string_view default_field_list(bool trace, ip_family family) {
    if (family == ip_family::ipv6 && !trace)
        return "saddr,outersaddr,probe_daddr,type,code,classification,mtu,rtt_us,ttl,success,repeat,cooldown,"
               "timestamp_str";
    return trace ? "saddr,probe_daddr,probe_ttl,type,code,rtt_us,ttl,quoted_ttl,mpls_labels,dst_rewritten,"
                   "repeat,"
                   "timestamp_str"
                 : "saddr,probe_daddr,type,code,classification,rtt_us,ttl,success,repeat,cooldown,timestamp_"
                   "str";
}

result<std::vector<field_id>> parse_field_list(std::string_view list, ip_family family) {
    std::vector<field_id> out;
    while (true) {
        size_t comma = list.find(',');
        std::string_view name = list.substr(0, comma);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        if (name == "*") {
            for (const auto& f : all_fields())
                if (field_in_family(f.id, family)) out.push_back(f.id);
        } else {
            auto id = find_field(name);
            if (!id) return error{fmt::format("unknown output field '{}': see --list-output-fields", name)};
            if (!field_in_family(*id, family))
                return error{fmt::format("output field '{}' exists only in {} records: leave it out of -f",
                                         name, family == ip_family::ipv6 ? "IPv4" : "IPv6")};
            out.push_back(*id);
        }
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return out;
}

ipv6_addr address_value(field_id id, const output_row6& row) {
    const result_record6& r = *row.rec;
    switch (id) {
        case field_id::saddr:
            return r.type == icmp6_type::echo_reply ? r.saddr : r.probe_daddr;
        case field_id::daddr:
            return r.daddr;
        case field_id::probe_daddr:
            return r.probe_daddr;
        case field_id::outersaddr:
            return r.saddr;
        default:
            return {};
    }
}

// The fields only IPv4 records have (addresses as integers, the IP ID) and only IPv6 ones.
static uint64_t family_value(field_id id, const result_record& r) {
    switch (id) {
        case field_id::saddr:
            return r.saddr;
        case field_id::saddr_raw:
            return __builtin_bswap32(r.saddr);
        case field_id::daddr:
            return r.daddr;
        case field_id::daddr_raw:
            return __builtin_bswap32(r.daddr);
        case field_id::ipid:
            return r.ipid;
        case field_id::probe_daddr:
            return r.probe_daddr;
        default:
            return 0;
    }
}
static uint64_t family_value(field_id id, const result_record6& r) {
    return id == field_id::mtu ? mtu_of(r) : 0;
}

template <typename Record>
uint64_t integer_value(field_id id, const basic_output_row<Record>& row) {
    const Record& r = *row.rec;
    switch (id) {
        case field_id::ttl:
            return r.ttl;
        case field_id::type:
            return r.type;
        case field_id::code:
            return r.code;
        case field_id::icmp_id:
            return r.icmp_id;
        case field_id::seq:
            return r.seq;
        case field_id::classification:
            return uint64_t(r.cls);
        case field_id::success:
            return r.success;
        case field_id::repeat:
            return row.repeat;
        case field_id::cooldown:
            return row.cooldown;
        case field_id::timestamp_str:
        case field_id::timestamp_ts:
            return row.wall_ns / 1000000000;
        case field_id::timestamp_us:
            return row.wall_ns / 1000 % 1000000;
        case field_id::rtt_us:
            return r.rtt_us;
        case field_id::rtt_err_us:
            return r.rtt_err_us;
        case field_id::probe_ttl:
            return r.probe_ttl;
        case field_id::quoted_ttl:
            return r.quoted_ttl;
        case field_id::round:
            return r.round;
        case field_id::dst_rewritten:
            return (r.flags & record_flag::dst_rewritten) != 0;
        default:
            return family_value(id, r);
    }
}
template uint64_t integer_value(field_id, const output_row&);
template uint64_t integer_value(field_id, const output_row6&);

}  // namespace ics
