// Trace mode's part of a checkpoint: a trace writes its paths only at its end, from the hop table
// (path_assembly.hpp), so a trace that stopped early (kill -9, a crash) would lose every reply it
// had. The output lcore appends each hop it keeps, the first reply of a (target, TTL), to a journal
// beside the checkpoint; a checkpoint names how many bytes of it hold the replies of the probes its
// positions cover, and a resumed trace reads that much back into its hop table
// (trace_collector::restore) before it goes on.
//
// The file: the 8-byte magic, then fixed 48-byte entries in the host's byte order (the journal is
// read back on the machine that wrote it): the target's index in the target set (8 bytes), the
// slot (the TTL less --min-ttl, 1 byte), 7 zero bytes, then the hop_slot (32 bytes) as kept.
#pragma once
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "trace/path_assembly.hpp"
#include "util/result.hpp"

namespace ics {

struct journal_entry {
    uint64_t index = 0;
    uint8_t slot = 0;
    uint8_t reserved[7] = {};
    hop_slot hop{};
};
static_assert(sizeof(journal_entry) == 48, "the journal's entries are 48 bytes");
static_assert(std::is_trivially_copyable_v<journal_entry>, "entries are copied to and from bytes");

inline constexpr std::string_view hop_journal_magic{"ICSHOPS1", 8};

inline journal_entry make_journal_entry(uint64_t index, unsigned slot, const hop_slot& hop) {
    journal_entry e;
    e.index = index;
    e.slot = uint8_t(slot);
    e.hop = hop;
    return e;
}
// Appends one entry's bytes to `out`.
void append_journal_entry(std::string& out, uint64_t index, unsigned slot, const hop_slot& hop);

// The output lcore's side: entries gathered in a buffer sized once and written out in 48 KiB blocks
// (a write(2) per 1,024 hops kept), and at each checkpoint's flush. A failed write is kept: the
// run stops on it as on a failed row write, and no checkpoint claims a journal it could not write.
class hop_journal_writer {
public:
    static constexpr size_t block_entries = 1024;

    // `out`: the journal, open for writing `size` bytes in: 0 for a new one (the magic is written
    // first); a resumed trace's checkpoint count for one it goes on with (whoever opened it cut it
    // there: a run after the checkpoint may have written more).
    hop_journal_writer(std::FILE* out, uint64_t size);
    hop_journal_writer(const hop_journal_writer&) = delete;
    hop_journal_writer& operator=(const hop_journal_writer&) = delete;

    void append(uint64_t index, unsigned slot, const hop_slot& hop) {
        buffer_[used_++] = make_journal_entry(index, slot, hop);
        if (used_ == block_entries) write_buffer();
    }
    // Writes what is buffered and flushes the stream: the journal's size once written (what a
    // checkpoint may name), or nothing once a write failed.
    std::optional<uint64_t> flush();
    bool failed() const { return failed_; }

private:
    void write_buffer();
    std::FILE* out_;
    uint64_t size_;
    std::vector<journal_entry> buffer_;
    size_t used_ = 0;
    bool failed_ = false;
};

// The first `bytes` bytes of a journal (the checkpoint's count) for a trace of `targets` targets
// and `ttls` TTLs each, or why they are not one (said of `path`, with what to do): a wrong magic, a
// cut entry, an index or slot outside the trace, a hop not marked present, reserved bytes that are
// not zero, a slot that comes twice.
result<std::vector<journal_entry>> parse_hop_journal(std::string_view bytes, uint64_t targets, unsigned ttls,
                                                     const std::string& path);

}  // namespace ics
