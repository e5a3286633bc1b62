// --output-filter: ZMap's filter grammar over output fields.
//   expr    := and ( "||" and )*
//   and     := primary ( "&&" primary )*
//   primary := "(" expr ")" | FIELD OP VALUE
//   OP      := "=" | "==" | "!=" | "<" | ">" | "<=" | ">="
//   VALUE   := unsigned integer | IP address (the run's family) | word | "quoted string"
// Integer fields compare numerically, address fields as addresses, string fields as strings.
// Parsed once at start-up into a flat node list; evaluation allocates nothing.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "output/fields.hpp"
#include "util/result.hpp"

namespace ics {

class output_filter {
public:
    // An empty expression accepts every row. Addresses and fields are those of `family`'s records.
    static result<output_filter> parse(std::string_view text, ip_family family = ip_family::ipv4);
    template <typename Record>
    bool accepts(const basic_output_row<Record>& row) const {
        return nodes_.empty() || eval(root_, row);
    }
    bool uses_field(field_id id) const;

private:
    enum class op : uint8_t { eq, ne, lt, gt, le, ge, and_, or_ };
    struct node {
        op kind;
        field_id field{};
        uint64_t number = 0;  // integer and IPv4 address comparisons, classification ordinal
        ipv6_addr address6;   // IPv6 address comparisons
        std::string text;     // timestamp_str comparisons
        int left = -1, right = -1;
    };
    template <typename Record>
    bool eval(int index, const basic_output_row<Record>& row) const;
    std::vector<node> nodes_;
    int root_ = -1;
    friend class filter_parser;
};

}  // namespace ics
