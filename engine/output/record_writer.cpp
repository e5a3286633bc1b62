#include "output/record_writer.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include "net/ipv4_address.hpp"
#include "net/ipv6_address.hpp"
#include "reply/mpls_entry.hpp"

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

std::string write_error_reason(int errnum) {
    return errnum ? std::string(std::strerror(errnum)) : std::string("disk full or closed pipe?");
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

// Rows arrive in time order, many per second: the date and time are formatted once per second and
// only the milliseconds per row (gmtime and strftime cost more than the rest of a row).
void record_writer::append_timestamp(uint64_t wall_ns) {
    const uint64_t sec = wall_ns / 1000000000;
    if (sec != stamp_sec_) {
        char full[40];
        stamp_len_ = format_timestamp(sec * 1000000000, full) - 9;  // without ".000+0000"
        std::memcpy(stamp_, full, stamp_len_);
        stamp_sec_ = sec;
    }
    const unsigned ms = unsigned(wall_ns / 1000000 % 1000);
    char tail[9] = {
        '.', char('0' + ms / 100), char('0' + ms / 10 % 10), char('0' + ms % 10), '+', '0', '0', '0', '0'};
    buf_.append(stamp_, stamp_ + stamp_len_);
    buf_.append(tail, tail + sizeof tail);
}

static size_t format_address_to(ipv4_addr a, char* out) {
    return format_ipv4_to(a, out);
}
static size_t format_address_to(const ipv6_addr& a, char* out) {
    return format_ipv6_to(a, out);
}

template <typename Record>
void record_writer::append_string_field(field_id id, const basic_output_row<Record>& row) {
    char tmp[ipv6_text_max + 1];
    size_t n = 0;
    switch (id) {
        case field_id::saddr:
        case field_id::daddr:
        case field_id::probe_daddr:
        case field_id::outersaddr:
            n = format_address_to(address_value(id, row), tmp);
            break;
        case field_id::timestamp_str:
            append_timestamp(row.wall_ns);
            return;
        case field_id::mpls_labels:
            for (unsigned i = 0; i < row.rec->mpls_count && i < row.rec->mpls.size(); ++i) {
                const mpls_entry_fields e = decode_mpls_entry(row.rec->mpls[i]);
                fmt::format_to(std::back_inserter(buf_), "{}{}/{}/{}/{}", i ? ";" : "", e.label, e.tc, e.s,
                               e.ttl);
            }
            return;
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

template <typename Record>
void record_writer::write_row(const basic_output_row<Record>& row) {
    if (failed_) {  // nothing more reaches a file that failed: counted, not formatted
        ++rows_lost_;
        return;
    }
    ++rows_unflushed_;
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
            const fmt::format_int digits(integer_value(f.id, row));
            buf_.append(digits.data(), digits.data() + digits.size());
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

template void record_writer::write_row(const output_row&);
template void record_writer::write_row(const output_row6&);

// After a failure the rows are dropped, not retried: the run stops on it (a closed pipe or a full
// disk does not come back), and each further write would only fail again.
bool record_writer::flush() {
    const auto fail = [this] {
        if (!failed_) errno_ = errno;
        failed_ = true;
    };
    errno = 0;
    if (!failed_ && buf_.size() && std::fwrite(buf_.data(), 1, buf_.size(), out_) != buf_.size()) fail();
    buf_.clear();
    if (!failed_ && std::fflush(out_) != 0) fail();
    if (failed_) rows_lost_ += rows_unflushed_;
    rows_unflushed_ = 0;
    return !failed_;
}

}  // namespace ics
