// --output-filter: ZMap's filter grammar over output fields.
//   expr    := and ( "||" and )*
//   and     := primary ( "&&" primary )*
//   primary := "(" expr ")" | FIELD OP VALUE
//   OP      := "=" | "==" | "!=" | "<" | ">" | "<=" | ">="
//   VALUE   := unsigned integer | IPv4 address | word | "quoted string"
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
    // An empty expression accepts every row.
    static result<output_filter> parse(std::string_view text);
    bool accepts(const output_row& row) const { return nodes_.empty() || eval(root_, row); }
    bool uses_field(field_id id) const;

private:
    enum class op : uint8_t { eq, ne, lt, gt, le, ge, and_, or_ };
    struct node {
        op kind;
        field_id field{};
        uint64_t number = 0;  // integer and address comparisons, classification ordinal
        std::string text;     // timestamp_str comparisons
        int left = -1, right = -1;
    };
    bool eval(int index, const output_row& row) const;
    std::vector<node> nodes_;
    int root_ = -1;
    friend class filter_parser;
};

}  // namespace ics
