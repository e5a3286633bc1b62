// Formats result rows as CSV (with a header line) or JSON lines into a large buffer that is
// written out in big blocks. Runs on the output lcore only: no locks; the only syscalls are the
// block writes. A failed write is kept (with its errno) for the run to stop on and to name.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "output/fields.hpp"

namespace ics {

enum class output_format { csv, json };

// ISO 8601 with milliseconds and the UTC offset, as ZMap prints timestamp_str:
// 2026-11-26T22:14:56.123+0000. Writes at most 32 bytes; returns the length.
size_t format_timestamp(uint64_t wall_ns, char* out);

// Why a write failed, for the sentence naming the file: strerror's words ("No space left on
// device", "Broken pipe"), or a guess where the errno was lost (0).
std::string write_error_reason(int errnum);

class record_writer {
public:
    record_writer(std::FILE* out, output_format format, std::vector<field_id> fields);
    ~record_writer() { flush(); }
    record_writer(const record_writer&) = delete;
    record_writer& operator=(const record_writer&) = delete;

    void write_header();
    // Either family's rows (one of them per run).
    void write(const output_row& row) { write_row(row); }
    void write(const output_row6& row) { write_row(row); }
    // Writes buffered rows out; false if the stream reported an error (now or before).
    bool flush();
    bool failed() const { return failed_; }
    // The errno of the first failed write (ENOSPC, EPIPE, ...), 0 if none failed or it was unknown.
    int error_number() const { return errno_; }
    // Rows not known to be in the file: those not yet flushed when a write failed (some may have
    // reached it in part) and every row given after; 0 while nothing failed.
    uint64_t rows_lost() const { return rows_lost_; }

private:
    template <typename Record>
    void write_row(const basic_output_row<Record>& row);
    template <typename Record>
    void append_string_field(field_id id, const basic_output_row<Record>& row);
    void append_timestamp(uint64_t wall_ns);
    std::FILE* out_;
    output_format format_;
    std::vector<field_id> fields_;
    fmt::memory_buffer buf_;
    uint64_t stamp_sec_ = UINT64_MAX;  // the second stamp_ holds, formatted without milliseconds
    char stamp_[32] = {};
    size_t stamp_len_ = 0;
    bool failed_ = false;
    int errno_ = 0;
    uint64_t rows_unflushed_ = 0;  // rows since the last flush that succeeded
    uint64_t rows_lost_ = 0;
};

}  // namespace ics
