#include "output/record_writer.hpp"

#include <ctime>

#include "net/ipv4_address.hpp"

namespace ics {

size_t format_timestamp(uint64_t wall_ns, char* out) {
    time_t secs = time_t(wall_ns / 1000000000);
    unsigned ms = unsigned(wall_ns / 1000000 % 1000);
    struct tm tm_utc;
    gmtime_r(&secs, &tm_utc);
    size_t n = std::strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &tm_utc);
    auto r = fmt::format_to_n(out + n, 9, ".{:03}+0000", ms);
    return n + r.size;
}

record_writer::record_writer(std::FILE* out, output_format format, std::vector<field_id> fields)
    : out_(out), format_(format), fields_(std::move(fields)) {}

void record_writer::write_header() {
    if (format_ != output_format::csv) return;
    for (size_t i = 0; i < fields_.size(); ++i) {
        if (i) buf_.push_back(',');
        auto name = info(fields_[i]).name;
        buf_.append(name.data(), name.data() + name.size());
    }
    buf_.push_back('\n');
}

void record_writer::append_string_field(field_id id, const output_row& row) {
    char tmp[40];
    size_t n = 0;
    switch (id) {
        case field_id::saddr:
            n = format_ipv4_to(row.rec->saddr, tmp);
            break;
        case field_id::daddr:
            n = format_ipv4_to(row.rec->daddr, tmp);
            break;
        case field_id::probe_daddr:
            n = format_ipv4_to(row.rec->probe_daddr, tmp);
            break;
        case field_id::timestamp_str:
            n = format_timestamp(row.wall_ns, tmp);
            break;
        case field_id::classification: {
            auto s = classification_name(row.rec->cls);
            buf_.append(s.data(), s.data() + s.size());
            return;
        }
        default:
            break;
    }
    buf_.append(tmp, tmp + n);
}

void record_writer::write(const output_row& row) {
    const bool json = format_ == output_format::json;
    if (json) buf_.push_back('{');
    for (size_t i = 0; i < fields_.size(); ++i) {
        const field_info& f = info(fields_[i]);
        if (i) buf_.push_back(',');
        if (json) {
            buf_.push_back('"');
            buf_.append(f.name.data(), f.name.data() + f.name.size());
            buf_.append(std::string_view("\":"));
        }
        if (f.type == field_type::integer) {
            fmt::format_to(std::back_inserter(buf_), "{}", integer_value(f.id, row));
        } else {
            if (json) buf_.push_back('"');
            append_string_field(f.id, row);
            if (json) buf_.push_back('"');
        }
    }
    if (json) buf_.push_back('}');
    buf_.push_back('\n');
    if (buf_.size() >= (1u << 16)) flush();
}

bool record_writer::flush() {
    if (buf_.size() && std::fwrite(buf_.data(), 1, buf_.size(), out_) != buf_.size()) failed_ = true;
    buf_.clear();
    if (std::fflush(out_) != 0) failed_ = true;
    return !failed_;
}

}  // namespace ics
