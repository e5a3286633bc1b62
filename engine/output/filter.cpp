#include "output/filter.hpp"

#include <fmt/format.h>
#include <charconv>
#include <compare>
#include <type_traits>

#include "net/ipv4_address.hpp"
#include "net/ipv6_address.hpp"
#include "output/record_writer.hpp"

namespace ics {

class filter_parser {
public:
    filter_parser(std::string_view text, ip_family family) : text_(text), family_(family) {}

    result<output_filter> run() {
        skip_space();
        if (pos_ == text_.size()) return output_filter{};
        int root = parse_or();
        if (!err_.empty()) return fail();
        skip_space();
        if (pos_ != text_.size()) {
            err_ = fmt::format("unexpected '{}'", text_.substr(pos_));
            return fail();
        }
        f_.root_ = root;
        return std::move(f_);
    }

private:
    using op = output_filter::op;
    error fail() const {
        return error{
            fmt::format("invalid --output-filter '{}': {} (write comparisons like "
                        "\"success = 1 && repeat = 0\")",
                        text_, err_)};
    }
    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
    }
    bool take(std::string_view token) {
        skip_space();
        if (text_.substr(pos_, token.size()) == token) {
            pos_ += token.size();
            return true;
        }
        return false;
    }
    int add(output_filter::node n) {
        f_.nodes_.push_back(std::move(n));
        return int(f_.nodes_.size() - 1);
    }
    int parse_or() {
        int left = parse_and();
        while (err_.empty() && take("||")) {
            int right = parse_and();
            left = add({op::or_, {}, 0, {}, {}, left, right});
        }
        return left;
    }
    int parse_and() {
        int left = parse_primary();
        while (err_.empty() && take("&&")) {
            int right = parse_primary();
            left = add({op::and_, {}, 0, {}, {}, left, right});
        }
        return left;
    }
    std::string_view word() {
        skip_space();
        size_t start = pos_;
        if (pos_ < text_.size() && text_[pos_] == '"') {
            size_t end = text_.find('"', pos_ + 1);
            if (end == std::string_view::npos) {
                err_ = "unterminated string";
                return {};
            }
            pos_ = end + 1;
            return text_.substr(start + 1, end - start - 1);
        }
        while (pos_ < text_.size() &&
               std::string_view(" \t()=!<>&|\"").find(text_[pos_]) == std::string_view::npos)
            ++pos_;
        return text_.substr(start, pos_ - start);
    }
    // The comparison's value, as the field's type reads it, into `n`; false with err_ set.
    bool read_value(output_filter::node& n, std::string_view name, std::string_view value) {
        const field_info& fi = info(n.field);
        if (!field_in_family(n.field, family_)) {
            err_ = fmt::format("field '{}' exists only in {} records", name,
                               family_ == ip_family::ipv6 ? "IPv4" : "IPv6");
            return false;
        }
        if (n.field == field_id::mpls_labels) {
            err_ = "mpls_labels cannot be filtered on: filter on type, code or probe_ttl instead";
            return false;
        }
        if (n.field == field_id::classification) {
            bool found = false;
            for (int c = 0; c <= int(classification::other); ++c)
                if (classification_name(classification(c)) == value) n.number = uint64_t(c), found = true;
            const bool ipv6_only = value == classification_name(classification::toobig) ||
                                   value == classification_name(classification::paramprob);
            if (found && ipv6_only && family_ == ip_family::ipv4) {
                err_ = fmt::format("'{}' is an ICMPv6 classification: IPv4 rows are never {}", value, value);
                return false;
            }
            if (!found) {
                err_ = fmt::format(
                    "'{}' is not a classification (echoreply, unreach, timxceed, "
                    "redirect, sourcequench, toobig, paramprob, other)",
                    value);
                return false;
            }
        } else if (fi.type == field_type::string) {
            n.text = std::string(value);
        } else if (fi.type == field_type::address && family_ == ip_family::ipv6) {
            auto a = parse_ipv6(value);
            if (!a) {
                err_ = fmt::format("'{}' is not an IPv6 address (field {})", value, name);
                return false;
            }
            n.address6 = *a;
        } else if (fi.type == field_type::address) {
            auto a = parse_ipv4(value);
            if (!a) {
                err_ = fmt::format("'{}' is not an IPv4 address (field {})", value, name);
                return false;
            }
            n.number = *a;
        } else {
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n.number);
            if (ec != std::errc{} || p != value.data() + value.size()) {
                err_ = fmt::format("'{}' is not an unsigned integer (field {})", value, name);
                return false;
            }
        }
        return true;
    }

    int parse_primary() {
        if (!err_.empty()) return -1;
        if (take("(")) {
            int inner = parse_or();
            if (err_.empty() && !take(")")) err_ = "missing ')'";
            return inner;
        }
        std::string_view name = word();
        if (name.empty()) {
            if (err_.empty())
                err_ = pos_ < text_.size() ? fmt::format("expected a field name at '{}'", text_.substr(pos_))
                                           : "expected a field name at the end";
            return -1;
        }
        auto id = find_field(name);
        if (!id) {
            err_ = fmt::format("unknown field '{}' (see --list-output-fields)", name);
            return -1;
        }
        op kind;
        if (take("==") || take("="))
            kind = op::eq;
        else if (take("!="))
            kind = op::ne;
        else if (take("<="))
            kind = op::le;
        else if (take(">="))
            kind = op::ge;
        else if (take("<"))
            kind = op::lt;
        else if (take(">"))
            kind = op::gt;
        else {
            err_ = fmt::format("expected =, !=, <, >, <= or >= after '{}'", name);
            return -1;
        }
        std::string_view value = word();
        if (!err_.empty()) return -1;
        output_filter::node n{kind, *id, 0, {}, {}, -1, -1};
        if (!read_value(n, name, value)) return -1;
        return add(std::move(n));
    }

    std::string_view text_;
    ip_family family_;
    size_t pos_ = 0;
    std::string err_;
    output_filter f_;
};

result<output_filter> output_filter::parse(std::string_view text, ip_family family) {
    return filter_parser(text, family).run();
}

bool output_filter::uses_field(field_id id) const {
    for (const auto& n : nodes_)
        if (n.kind != op::and_ && n.kind != op::or_ && n.field == id) return true;
    return false;
}

// An address field of an IPv6 row compares as 128 bits; every other field as an integer.
template <typename Record>
static int compare_value(field_id id, const basic_output_row<Record>& row, uint64_t number,
                         const ipv6_addr& address6) {
    if constexpr (std::is_same_v<Record, result_record6>) {
        if (info(id).type == field_type::address) {
            const auto order = address_value(id, row) <=> address6;
            return std::is_lt(order) ? -1 : std::is_gt(order) ? 1 : 0;
        }
    }
    const uint64_t v = integer_value(id, row);
    return v < number ? -1 : v > number ? 1 : 0;
}

template <typename Record>
bool output_filter::eval(int index, const basic_output_row<Record>& row) const {
    const node& n = nodes_[size_t(index)];
    if (n.kind == op::and_) return eval(n.left, row) && eval(n.right, row);
    if (n.kind == op::or_) return eval(n.left, row) || eval(n.right, row);
    int cmp;
    if (n.field == field_id::timestamp_str) {
        char buf[40];
        std::string_view s(buf, format_timestamp(row.wall_ns, buf));
        cmp = s.compare(n.text);
    } else {
        cmp = compare_value(n.field, row, n.number, n.address6);
    }
    switch (n.kind) {
        case op::eq:
            return cmp == 0;
        case op::ne:
            return cmp != 0;
        case op::lt:
            return cmp < 0;
        case op::gt:
            return cmp > 0;
        case op::le:
            return cmp <= 0;
        case op::ge:
            return cmp >= 0;
        default:
            return false;
    }
}

template bool output_filter::eval(int, const output_row&) const;
template bool output_filter::eval(int, const output_row6&) const;

}  // namespace ics
